//! World Triathlon Live Timing v1.1 stand-in (seed 004): `POST /v1/timing`.

use std::time::{Duration, Instant};

use serde_json::{json, Value};

use super::{Faults, Platform, Running};
use crate::http::{HttpReply, HttpRequest};

#[derive(Default)]
struct State {
    api_key: String,
    pushes: Vec<(Instant, Value)>,
    rejections: Vec<String>,
    too_frequent: u64,
}

/// The Live Timing stand-in.
pub struct TriathlonStandin {
    running: Running<State>,
    pub faults: Faults,
}

fn reject(status: u16, message: String) -> HttpReply {
    HttpReply::json(status, &json!({"status": "error", "message": message}))
}

fn text(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(text) => Some(text.clone()),
        Value::Number(number) => Some(number.to_string()),
        Value::Bool(flag) => Some(flag.to_string()),
        _ => None,
    }
}

/// Checks a message against the standard; returns the first violation.
pub fn validate_message(message: &Value) -> Result<(), String> {
    for field in ["date", "event_id", "prog_id", "prog_name", "status"] {
        if text(message.get(field)).is_none() {
            return Err(format!("{field} is required"));
        }
    }
    let status = text(message.get("status")).unwrap_or_default();
    if !["prerace", "live", "official"].contains(&status.as_str()) {
        return Err(format!(
            "status {status:?} is not prerace, live or official"
        ));
    }
    chrono::DateTime::parse_from_rfc3339(&text(message.get("date")).unwrap_or_default())
        .map_err(|_| "date must be ISO 8601".to_string())?;
    let (list_key, count_key) = if message.get("teams").is_some() {
        ("teams", "num_teams")
    } else {
        ("athletes", "num_athletes")
    };
    let list = message
        .get(list_key)
        .and_then(Value::as_array)
        .ok_or(format!("{list_key} must be an array"))?;
    let count: usize = text(message.get(count_key))
        .and_then(|count| count.parse().ok())
        .ok_or(format!("{count_key} is required"))?;
    if count != list.len() {
        return Err(format!(
            "{count_key} is {count} but {list_key} has {} entries",
            list.len()
        ));
    }
    let mut seen_dsq = false;
    for entry in list {
        for field in ["start_num", "name"] {
            if text(entry.get(field)).is_none() {
                return Err(format!("every entry needs {field}"));
            }
        }
        let entry_status = text(entry.get("status"));
        if let Some(status) = &entry_status {
            if !["DNS", "DNF", "DSQ", "LAP", "NC"].contains(&status.as_str()) {
                return Err(format!(
                    "athlete status {status:?} is not DNS/DNF/DSQ/LAP/NC"
                ));
            }
        }
        let is_dsq = entry_status.as_deref() == Some("DSQ");
        if seen_dsq && !is_dsq {
            return Err("DSQ athletes must be at the bottom".to_string());
        }
        seen_dsq |= is_dsq;
        match entry.get("incidents") {
            None | Some(Value::Null) | Some(Value::String(_)) => {}
            Some(_) => return Err("incidents must be a comma-delimited string".to_string()),
        }
        if list_key == "teams" && entry.get("athletes").and_then(Value::as_array).is_none() {
            return Err("every team needs its athletes".to_string());
        }
    }
    // Split positions agree with the listed order: at every timing point, a
    // disqualified athlete is ranked after every athlete who is not.
    let mut worst_kept: std::collections::HashMap<String, u64> = Default::default();
    let mut best_dsq: std::collections::HashMap<String, u64> = Default::default();
    for entry in list {
        let is_dsq = text(entry.get("status")).as_deref() == Some("DSQ");
        for split in entry
            .get("splits")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let (Some(id), Some(position)) = (
                text(split.get("id")),
                text(split.get("position")).and_then(|p| p.parse::<u64>().ok()),
            ) else {
                continue;
            };
            let slot = if is_dsq {
                best_dsq.entry(id).or_insert(u64::MAX)
            } else {
                worst_kept.entry(id).or_insert(0)
            };
            *slot = if is_dsq {
                (*slot).min(position)
            } else {
                (*slot).max(position)
            };
        }
    }
    for (id, best) in &best_dsq {
        if worst_kept.get(id).is_some_and(|worst| best <= worst) {
            return Err(format!(
                "segment {id}: a DSQ athlete is ranked {best}, ahead of athletes listed above it"
            ));
        }
    }
    Ok(())
}

impl TriathlonStandin {
    /// Starts the stand-in accepting `api_key` in the `apikey` header.
    pub fn start(api_key: &str) -> std::io::Result<Self> {
        let state = State {
            api_key: api_key.to_string(),
            ..State::default()
        };
        let faults = Faults::default();
        let running = Running::start("127.0.0.1:0", state, &faults)?;
        Ok(TriathlonStandin { running, faults })
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.running.state()
    }

    pub fn base_url(&self) -> String {
        self.running.base_url()
    }

    /// Every accepted message, with when it arrived.
    pub fn pushes(&self) -> Vec<(Instant, Value)> {
        self.state().pushes.clone()
    }

    /// The latest accepted message.
    pub fn latest(&self) -> Option<Value> {
        self.state()
            .pushes
            .last()
            .map(|(_, message)| message.clone())
    }

    pub fn rejections(&self) -> Vec<String> {
        self.state().rejections.clone()
    }

    /// Pushes refused for arriving within 1000 ms of the previous one.
    pub fn too_frequent(&self) -> u64 {
        self.state().too_frequent
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
    if request.method != "POST" || request.path != "/v1/timing" {
        return reject(404, format!("no route {} {}", request.method, request.path));
    }
    if request.header("apikey") != Some(state.api_key.as_str()) {
        return reject(401, "missing or wrong apikey header".to_string());
    }
    let content_type = request.header("content-type").unwrap_or_default();
    if !content_type.starts_with("application/json") {
        return reject(
            415,
            format!("Content-Type must be application/json, not {content_type:?}"),
        );
    }
    let message: Value = match serde_json::from_slice(&request.body) {
        Ok(message) => message,
        Err(error) => return reject(400, format!("not JSON: {error}")),
    };
    if let Err(message) = validate_message(&message) {
        return reject(400, message);
    }
    let now = Instant::now();
    if let Some((last, _)) = state.pushes.last() {
        if now.duration_since(*last) < Duration::from_millis(1000) {
            state.too_frequent += 1;
            return HttpReply::Respond {
                status: 429,
                headers: vec![("Retry-After".to_string(), "1".to_string())],
                body: br#"{"status":"error","message":"more than one push per 1000 ms"}"#.to_vec(),
            };
        }
    }
    state.pushes.push((now, message));
    HttpReply::json(200, &json!({"status": "success"}))
}
