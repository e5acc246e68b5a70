//! OpenTrack stand-in (seed 002, with the paths and token exchange of
//! OpenTrack's API examples): token auth and competition upload.

use serde_json::{json, Value};

use super::{Faults, Platform, Running};
use crate::http::{HttpReply, HttpRequest};

#[derive(Default)]
struct State {
    username: String,
    password: String,
    token: String,
    /// (id, record)
    competitions: Vec<(String, Value)>,
    creates: u64,
    rejections: Vec<String>,
}

/// The OpenTrack stand-in.
pub struct OpenTrackStandin {
    running: Running<State>,
    pub faults: Faults,
}

fn reject(status: u16, message: String) -> HttpReply {
    HttpReply::json(status, &json!({"detail": message}))
}

/// Checks the seed's minimal competition fields.
pub fn validate_minimal(record: &Value) -> Result<(), String> {
    for field in [
        "full_name",
        "slug",
        "country_id",
        "date",
        "finish_date",
        "contact_details",
        "organiser_id",
    ] {
        if record.get(field).and_then(Value::as_str).is_none() {
            return Err(format!("{field} is required"));
        }
    }
    let text = |field: &str| record[field].as_str().unwrap_or_default();
    let slug = text("slug");
    if slug.is_empty() || slug.chars().any(|c| c.is_whitespace() || c.is_uppercase()) {
        return Err("slug must be lowercase with no spaces".to_string());
    }
    let country = text("country_id");
    if country.len() != 3 || !country.chars().all(|c| c.is_ascii_uppercase()) {
        return Err("country_id must be a 3 letter code".to_string());
    }
    for field in ["date", "finish_date"] {
        if chrono::NaiveDate::parse_from_str(text(field), "%Y-%m-%d").is_err() {
            return Err(format!("{field} must be YYYY-MM-DD"));
        }
    }
    if text("full_name").trim().is_empty() || text("organiser_id").trim().is_empty() {
        return Err("full_name and organiser_id must not be empty".to_string());
    }
    Ok(())
}

/// Discipline codes the stand-in knows: distances (`100`, `5000`, `10K`),
/// hurdles and steeplechase (`110H`, `3000SC`), relays (`4x100`) and the
/// field and combined events.
fn known_event_code(code: &str) -> bool {
    const FIELD: [&str; 14] = [
        "HJ", "PV", "LJ", "TJ", "SP", "DT", "HT", "JT", "WT", "PEN", "HEP", "DEC", "XC", "MAR",
    ];
    if FIELD.contains(&code) || code == "HM" {
        return true;
    }
    let digits = code.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 {
        return false;
    }
    let rest = &code[digits..];
    matches!(rest, "" | "H" | "SC" | "K" | "k" | "W" | "mW")
        || (rest.starts_with('x')
            && rest.len() > 1
            && rest[1..].bytes().all(|byte| byte.is_ascii_digit()))
}

fn validate_full(record: &Value) -> Result<(), String> {
    validate_minimal(record)?;
    let bibs: Vec<&str> = record
        .get("competitors")
        .and_then(Value::as_array)
        .ok_or("competitors must be an array")?
        .iter()
        .map(|competitor| competitor.get("bib").and_then(Value::as_str).unwrap_or(""))
        .collect();
    if bibs.iter().any(|bib| bib.is_empty()) {
        return Err("every competitor needs a bib".to_string());
    }
    for event in record
        .get("events")
        .and_then(Value::as_array)
        .ok_or("events must be an array")?
    {
        let units = event
            .get("units")
            .and_then(Value::as_array)
            .ok_or("every event needs units")?;
        let code = event
            .get("event_code")
            .and_then(Value::as_str)
            .ok_or("every event needs an event_code (100, 5000, HJ ...)")?;
        if !known_event_code(code) {
            return Err(format!("unknown event_code {code:?}"));
        }
        for unit in units {
            for field in ["heat", "round"] {
                if unit
                    .get(field)
                    .and_then(Value::as_u64)
                    .is_none_or(|n| n < 1)
                {
                    return Err(format!("every unit needs a {field} number (1, 2 ...)"));
                }
            }
            for result in unit
                .get("results")
                .and_then(Value::as_array)
                .ok_or("every unit needs results")?
            {
                let bib = result.get("bib").and_then(Value::as_str).unwrap_or("");
                if !bibs.contains(&bib) {
                    return Err(format!("result for unknown bib {bib:?}"));
                }
                let performance = result
                    .get("performance")
                    .and_then(Value::as_str)
                    .unwrap_or("");
                let starts_with_digit = performance
                    .bytes()
                    .next()
                    .is_some_and(|b| b.is_ascii_digit());
                if ["DQ", "DNF", "DNS", "NM"].contains(&performance) {
                    if result.get("place").is_some_and(|place| !place.is_null()) {
                        return Err(format!("bib {bib}: a {performance} result has no place"));
                    }
                } else if !starts_with_digit {
                    return Err(format!(
                        "bib {bib}: performance {performance:?} is neither a mark nor one of \
                         DQ, DNF, DNS, NM"
                    ));
                }
            }
        }
    }
    Ok(())
}

impl OpenTrackStandin {
    /// Starts the stand-in accepting one user.
    pub fn start(username: &str, password: &str) -> std::io::Result<Self> {
        let state = State {
            username: username.to_string(),
            password: password.to_string(),
            token: format!("token-{}", fastrand::u64(..)),
            ..State::default()
        };
        let faults = Faults::default();
        let running = Running::start("127.0.0.1:0", state, &faults)?;
        Ok(OpenTrackStandin { running, faults })
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.running.state()
    }

    pub fn base_url(&self) -> String {
        self.running.base_url()
    }

    /// Every competition held.
    pub fn competitions(&self) -> Vec<Value> {
        self.state()
            .competitions
            .iter()
            .map(|(_, record)| record.clone())
            .collect()
    }

    /// How many competitions were created.
    pub fn creates(&self) -> u64 {
        self.state().creates
    }

    pub fn rejections(&self) -> Vec<String> {
        self.state().rejections.clone()
    }
}

impl Platform for State {
    fn answer(&mut self, request: &HttpRequest) -> HttpReply {
        handle_locked(self, request)
    }

    fn rejections(&mut self) -> &mut Vec<String> {
        &mut self.rejections
    }
}

fn handle_locked(state: &mut State, request: &HttpRequest) -> HttpReply {
    let body: Value = serde_json::from_slice(&request.body).unwrap_or(Value::Null);
    if request.method == "POST" && request.path == "/api/v1/auth/token" {
        let form = request.form();
        let ok = form.get("username") == Some(&state.username)
            && form.get("password") == Some(&state.password);
        return if ok {
            HttpReply::json(
                200,
                &json!({"access_token": state.token, "token_type": "bearer"}),
            )
        } else {
            reject(401, "wrong email or password".to_string())
        };
    }
    if request.header("authorization") != Some(&format!("Bearer {}", state.token)) {
        return reject(
            401,
            "authentication credentials were not provided".to_string(),
        );
    }
    match (request.method.as_str(), request.path.as_str()) {
        ("GET", "/api/v1/competitions/") => {
            let slug = request.query.get("slug").cloned().unwrap_or_default();
            let found: Vec<Value> = state
                .competitions
                .iter()
                .filter(|(_, record)| record["slug"].as_str() == Some(&slug))
                .map(|(id, record)| json!({"id": id, "slug": record["slug"]}))
                .collect();
            HttpReply::json(200, &json!({"count": found.len(), "results": found}))
        }
        ("POST", "/api/v1/competitions/") => {
            let nested = body.get("competitors").is_some() || body.get("events").is_some();
            let checked = if nested {
                validate_full(&body)
            } else {
                validate_minimal(&body)
            };
            if let Err(message) = checked {
                return reject(400, message);
            }
            if state
                .competitions
                .iter()
                .any(|(_, record)| record["slug"] == body["slug"])
            {
                return reject(
                    400,
                    "a competition with this slug already exists".to_string(),
                );
            }
            state.creates += 1;
            let id = format!("c{}", state.creates);
            state.competitions.push((id.clone(), body));
            HttpReply::json(201, &json!({"id": id}))
        }
        ("PUT", path) if path.starts_with("/api/v1/competitions/") => {
            let id = path
                .trim_start_matches("/api/v1/competitions/")
                .trim_end_matches('/')
                .to_string();
            if let Err(message) = validate_full(&body) {
                return reject(400, message);
            }
            match state
                .competitions
                .iter_mut()
                .find(|(known, _)| *known == id)
            {
                Some((_, record)) => {
                    *record = body;
                    HttpReply::json(200, &json!({"id": id}))
                }
                None => reject(404, format!("no competition {id}")),
            }
        }
        _ => reject(404, "not found".to_string()),
    }
}
