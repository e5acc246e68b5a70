//! RunSignup stand-in: Post Event Results (seed 001), get-results, and
//! user-submitted virtual results (seed 003).

use std::collections::{BTreeMap, HashMap, HashSet};

use serde_json::{json, Map, Value};

use super::{runsignup_error, Faults, Platform, Running};
use crate::http::{HttpReply, HttpRequest};

/// A registrant the stand-in knows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registration {
    pub registration_id: String,
    pub bib: String,
    pub chip: Option<String>,
}

/// A result row held by the stand-in.
#[derive(Debug, Clone, PartialEq)]
pub struct RemoteResultRow {
    pub result_id: u64,
    pub event_id: String,
    pub result_set_id: String,
    pub registration_id: Option<String>,
    pub bib: Option<String>,
    pub fields: BTreeMap<String, String>,
}

/// How the stand-in words a successful post. Real answers vary; the
/// adapter must not depend on one shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PostAnswer {
    /// Counts and every row's `result_id` (the richest answer).
    #[default]
    Full,
    /// Only `num_results_added` / `num_results_updated`, no rows.
    CountsOnly,
    /// Counts as strings under other names, no rows.
    OtherCounts,
    /// `{"success": true}`: nothing to confirm rows with.
    Bare,
    /// Rotates through the four above, one per post.
    Rotate,
}

#[derive(Default)]
struct State {
    /// get-results: at most this many results per page (asked-for values
    /// above are cut down, as a real API does).
    max_per_page: usize,
    post_answer: PostAnswer,
    /// Refusals of a post come inside an HTTP 200 body (as RunSignup does);
    /// otherwise with a 400.
    errors_in_200: bool,
    /// result positions by event, in creation order.
    event_results: HashMap<String, Vec<usize>>,
    get_requests: u64,
    race_id: String,
    api_key: String,
    api_secret: String,
    registrations: Vec<Registration>,
    registration_by_id: HashMap<String, usize>,
    registration_by_bib: HashMap<String, usize>,
    registration_by_chip: HashMap<String, usize>,
    /// result_id -> index in `results`.
    result_positions: HashMap<u64, usize>,
    /// Events with more than one result set require individual_result_set_id.
    multi_set_events: HashSet<String>,
    /// Result sets with division placement calculation disabled.
    manual_division_sets: HashSet<String>,
    virtual_events: HashSet<String>,
    elevation_events: HashSet<String>,
    results: Vec<RemoteResultRow>,
    virtual_results: BTreeMap<(String, String), Map<String, Value>>,
    next_result_id: u64,
    posts: u64,
    /// When each applied post arrived (the benchmark's per-request cycle).
    post_times: Vec<std::time::Instant>,
    rejections: Vec<String>,
}

/// The RunSignup stand-in server.
pub struct RunSignupStandin {
    running: Running<State>,
    pub faults: Faults,
}

const STATUSES: [&str; 4] = ["DQ", "DNS", "DNF", "DNQ"];

fn is_time(text: &str) -> bool {
    // [h:]mm:ss[.f] or hhh:mm:ss.s
    let (whole, fraction) = match text.split_once('.') {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (text, None),
    };
    if fraction.is_some_and(|fraction| {
        fraction.is_empty() || !fraction.bytes().all(|byte| byte.is_ascii_digit())
    }) {
        return false;
    }
    let parts: Vec<&str> = whole.split(':').collect();
    (2..=3).contains(&parts.len())
        && parts
            .iter()
            .all(|part| !part.is_empty() && part.bytes().all(|byte| byte.is_ascii_digit()))
        && parts[1..].iter().all(|part| part.len() == 2)
}

fn time_ms(text: &str) -> Option<u64> {
    let (whole, fraction) = text.split_once('.').unwrap_or((text, "0"));
    let mut total = 0u64;
    for part in whole.split(':') {
        total = total * 60 + part.parse::<u64>().ok()?;
    }
    let tenths: String = fraction.chars().chain("000".chars()).take(3).collect();
    Some(total * 1000 + tenths.parse::<u64>().ok()?)
}

fn value_text(value: &Value) -> Option<String> {
    match value {
        Value::Null => None,
        Value::String(text) => Some(text.clone()),
        Value::Number(number) => Some(number.to_string()),
        Value::Bool(flag) => Some(flag.to_string()),
        other => Some(other.to_string()),
    }
}

fn unescape(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&#9;", "\t")
        .replace("&#10;", "\n")
        .replace("&#13;", "\r")
        .replace("&amp;", "&")
}

fn between<'a>(text: &'a str, open: &str, close: &str) -> Vec<&'a str> {
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find(open) {
        let after = &rest[start + open.len()..];
        let Some(end) = after.find(close) else {
            break;
        };
        found.push(&after[..end]);
        rest = &after[end + close.len()..];
    }
    found
}

/// Parses the `request` parameter per `request_format` into field maps.
/// Values absent or blank are `None`.
fn parse_request(
    format: &str,
    request: &str,
) -> Result<Vec<BTreeMap<String, Option<String>>>, String> {
    match format {
        "json" => {
            let parsed: Value =
                serde_json::from_str(request).map_err(|error| format!("request JSON: {error}"))?;
            let results = parsed
                .get("results")
                .and_then(Value::as_array)
                .ok_or("the JSON request must be an object with a 'results' array")?;
            results
                .iter()
                .map(|result| {
                    let object = result.as_object().ok_or("each result must be an object")?;
                    Ok(object
                        .iter()
                        .map(|(name, value)| {
                            (
                                name.clone(),
                                value_text(value).filter(|text| !text.is_empty()),
                            )
                        })
                        .collect())
                })
                .collect()
        }
        "csv" => {
            let mut reader = csv::Reader::from_reader(request.as_bytes());
            let header = reader
                .headers()
                .map_err(|error| format!("request CSV header: {error}"))?
                .clone();
            let mut rows = Vec::new();
            for record in reader.records() {
                let record = record.map_err(|error| format!("request CSV: {error}"))?;
                rows.push(
                    header
                        .iter()
                        .zip(record.iter())
                        .map(|(name, value)| {
                            (
                                name.to_string(),
                                Some(value.to_string()).filter(|text| !text.is_empty()),
                            )
                        })
                        .collect(),
                );
            }
            Ok(rows)
        }
        "xml" => {
            if !request.contains("<request>") {
                return Err("the XML request must be a <request> element".to_string());
            }
            Ok(between(request, "<result>", "</result>")
                .into_iter()
                .map(|result| {
                    between(result, "<field>", "</field>")
                        .into_iter()
                        .filter_map(|field| {
                            let name = between(field, "<name>", "</name>").first()?.to_string();
                            let value = between(field, "<value>", "</value>")
                                .first()
                                .map(|value| unescape(value))
                                .filter(|value| !value.is_empty());
                            Some((unescape(&name), value))
                        })
                        .collect()
                })
                .collect())
        }
        other => Err(format!("unknown request_format {other:?}")),
    }
}

impl RunSignupStandin {
    /// Starts a stand-in for `race_id` accepting `api_key`/`api_secret`
    /// (as query parameters, or `rsu_api_key` + `X-RSU-API-SECRET`).
    pub fn start(race_id: &str, api_key: &str, api_secret: &str) -> std::io::Result<Self> {
        Self::start_on("127.0.0.1:0", race_id, api_key, api_secret)
    }

    /// [`RunSignupStandin::start`] on a given address (e.g. one a target
    /// already points at, to model connectivity returning).
    pub fn start_on(
        address: &str,
        race_id: &str,
        api_key: &str,
        api_secret: &str,
    ) -> std::io::Result<Self> {
        let state = State {
            race_id: race_id.to_string(),
            api_key: api_key.to_string(),
            api_secret: api_secret.to_string(),
            next_result_id: 5000,
            max_per_page: 1000,
            errors_in_200: true,
            ..State::default()
        };
        let faults = Faults::default();
        let running = Running::start(address, state, &faults)?;
        Ok(RunSignupStandin { running, faults })
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.running.state()
    }

    /// `http://127.0.0.1:<port>`.
    pub fn base_url(&self) -> String {
        self.running.base_url()
    }

    /// Adds registrants.
    pub fn add_registrations(&self, registrations: impl IntoIterator<Item = Registration>) {
        let mut state = self.state();
        for registration in registrations {
            let index = state.registrations.len();
            state
                .registration_by_id
                .insert(registration.registration_id.clone(), index);
            state
                .registration_by_bib
                .insert(registration.bib.clone(), index);
            if let Some(chip) = &registration.chip {
                state.registration_by_chip.insert(chip.clone(), index);
            }
            state.registrations.push(registration);
        }
    }

    /// Marks an event as having several result sets.
    pub fn require_result_set(&self, event_id: &str) {
        self.state().multi_set_events.insert(event_id.to_string());
    }

    /// Disables division placement calculation for a result set.
    pub fn disable_division_calculation(&self, result_set_id: &str) {
        self.state()
            .manual_division_sets
            .insert(result_set_id.to_string());
    }

    /// Declares a virtual event (optionally requiring elevation gain).
    pub fn add_virtual_event(&self, event_id: &str, elevation_required: bool) {
        let mut state = self.state();
        state.virtual_events.insert(event_id.to_string());
        if elevation_required {
            state.elevation_events.insert(event_id.to_string());
        }
    }

    /// Caps get-results pages at this many results.
    pub fn set_max_results_per_page(&self, max: usize) {
        self.state().max_per_page = max.max(1);
    }

    /// How a successful post is answered.
    pub fn set_post_answer(&self, answer: PostAnswer) {
        self.state().post_answer = answer;
    }

    /// Refusals inside HTTP 200 bodies (default) or as 400s.
    pub fn set_errors_in_200(&self, in_200: bool) {
        self.state().errors_in_200 = in_200;
    }

    /// How many get-results pages were served.
    pub fn get_requests(&self) -> u64 {
        self.state().get_requests
    }

    /// Every result row held.
    pub fn results(&self) -> Vec<RemoteResultRow> {
        self.state().results.clone()
    }

    /// Virtual results by (event, registration id).
    pub fn virtual_results(&self) -> BTreeMap<(String, String), Map<String, Value>> {
        self.state().virtual_results.clone()
    }

    /// When each applied result post was answered, in order.
    pub fn post_times(&self) -> Vec<std::time::Instant> {
        self.state().post_times.clone()
    }

    /// How many result posts were applied.
    pub fn posts(&self) -> u64 {
        self.state().posts
    }

    /// The messages of every rejected request.
    pub fn rejections(&self) -> Vec<String> {
        self.state().rejections.clone()
    }

    /// Deletes a result, as an official does in RunSignup's dashboard (the
    /// API has no call for it). False when no result has this id.
    pub fn delete_result(&self, result_id: u64) -> bool {
        let mut state = self.state();
        let before = state.results.len();
        state.results.retain(|row| row.result_id != result_id);
        if state.results.len() == before {
            return false;
        }
        let rows: Vec<(u64, String)> = state
            .results
            .iter()
            .map(|row| (row.result_id, row.event_id.clone()))
            .collect();
        state.result_positions.clear();
        state.event_results.clear();
        for (position, (id, event_id)) in rows.into_iter().enumerate() {
            state.result_positions.insert(id, position);
            state
                .event_results
                .entry(event_id)
                .or_default()
                .push(position);
        }
        true
    }

    /// Registrations with more than one result in an event: duplicates.
    pub fn duplicates(&self) -> Vec<(String, String)> {
        let state = self.state();
        let mut seen = HashMap::new();
        let mut duplicates = Vec::new();
        for row in &state.results {
            let key = (
                row.event_id.clone(),
                row.registration_id
                    .clone()
                    .or(row.bib.clone())
                    .unwrap_or_default(),
            );
            if seen.insert(key.clone(), ()).is_some() {
                duplicates.push(key);
            }
        }
        duplicates
    }
}

fn check_auth(state: &State, request: &HttpRequest) -> Result<(), HttpReply> {
    let query = &request.query;
    if query.contains_key("tmp_key") && query.contains_key("api_key") {
        return Err(runsignup_error(
            400,
            "tmp_key must not be combined with api_key",
        ));
    }
    if query.contains_key("tmp_secret") && query.contains_key("api_secret") {
        return Err(runsignup_error(
            400,
            "tmp_secret must not be combined with api_secret",
        ));
    }
    let ok = if let Some(key) = query.get("rsu_api_key").or(query.get("sp_api_key")) {
        *key == state.api_key && request.header("x-rsu-api-secret") == Some(&state.api_secret)
    } else {
        query.get("api_key") == Some(&state.api_key)
            && query.get("api_secret") == Some(&state.api_secret)
    };
    if ok {
        Ok(())
    } else {
        Err(runsignup_error(401, "invalid API key or secret"))
    }
}

impl Platform for State {
    fn answer(&mut self, request: &HttpRequest) -> HttpReply {
        handle_locked(self, request)
    }

    fn refused(status: u16, body: &str) -> bool {
        // Refusals of a post also come inside an HTTP 200 body.
        status >= 400 || (status == 200 && body.starts_with("{\"error\""))
    }

    fn rejections(&mut self) -> &mut Vec<String> {
        &mut self.rejections
    }
}

/// A refusal of a post, inside a 200 body or as a 400 per the setting.
fn refuse(state: &State, message: String) -> HttpReply {
    runsignup_error(if state.errors_in_200 { 200 } else { 400 }, message)
}

fn handle_locked(state: &mut State, request: &HttpRequest) -> HttpReply {
    if let Err(reply) = check_auth(state, request) {
        return reply;
    }
    let full = format!("/rest/race/{}/results/full-results", state.race_id);
    let get = format!("/rest/race/{}/results/get-results", state.race_id);
    let virtual_path = format!("/rest/race/{}/results/virtual-results", state.race_id);
    match (request.method.as_str(), request.path.as_str()) {
        ("POST", path) if path == full => post_results(state, request),
        ("GET", path) if path == get => get_results(state, request),
        ("POST", path) if path == virtual_path => post_virtual(state, request),
        (_, path) if path.starts_with("/rest/race/") => runsignup_error(404, "unknown race"),
        _ => runsignup_error(404, "not found"),
    }
}

fn post_results(state: &mut State, request: &HttpRequest) -> HttpReply {
    let form = request.form();
    if form
        .get("race_id")
        .is_some_and(|race| *race != state.race_id)
    {
        return refuse(state, "race_id does not match the URL".to_string());
    }
    let Some(event_id) = form.get("event_id").filter(|id| !id.is_empty()).cloned() else {
        return refuse(state, "event_id is required".to_string());
    };
    if state.virtual_events.contains(&event_id) {
        return refuse(
            state,
            "event is virtual: post user-submitted results instead".to_string(),
        );
    }
    let Some(request_body) = form.get("request") else {
        return refuse(state, "request is required".to_string());
    };
    let result_set_id = match form.get("individual_result_set_id") {
        Some(id) => id.clone(),
        None if state.multi_set_events.contains(&event_id) => {
            return refuse(
                state,
                "individual_result_set_id is required: the event has several result sets"
                    .to_string(),
            )
        }
        None => format!("default-{event_id}"),
    };
    let format = form
        .get("request_format")
        .map(String::as_str)
        .unwrap_or("xml");
    let rows = match parse_request(format, request_body) {
        Ok(rows) => rows,
        Err(message) => return refuse(state, message),
    };
    // Validate everything first: a bad row refuses the whole request.
    let mut planned = Vec::with_capacity(rows.len());
    for (index, row) in rows.iter().enumerate() {
        let row_error = |message: String| refuse(state, format!("result {}: {message}", index + 1));
        let text = |name: &str| row.get(name).cloned().flatten();
        let registration = if let Some(id) = text("registration_id") {
            match state.registration_by_id.get(&id) {
                Some(index) => Some(state.registrations[*index].clone()),
                None => return row_error(format!("unknown registration_id {id}")),
            }
        } else if let Some(bib) = text("bib").or(text("bib_num")) {
            state
                .registration_by_bib
                .get(&bib)
                .map(|index| state.registrations[*index].clone())
        } else if let Some(chip) = text("chip_num") {
            state
                .registration_by_chip
                .get(&chip)
                .map(|index| state.registrations[*index].clone())
        } else {
            None
        };
        if registration.is_none() && (text("first_name").is_none() || text("last_name").is_none()) {
            return row_error(
                "first_name and last_name are required when no registrant matches".to_string(),
            );
        }
        for (name, value) in row {
            let Some(value) = value else {
                continue;
            };
            let time_field = name == "clock_time"
                || name == "chip_time"
                || (name.starts_with("split-") && !name.ends_with("-place"));
            if time_field
                && !(is_time(value)
                    || STATUSES.contains(&value.as_str())
                    || (name.starts_with("split-") && value == "X"))
            {
                return row_error(format!("{name}: {value:?} is not a time or DQ/DNS/DNF/DNQ"));
            }
            if name.starts_with("division-")
                && name.ends_with("-place")
                && !state.manual_division_sets.contains(&result_set_id)
            {
                return row_error(format!(
                    "{name}: division placement calculation is on for this result set"
                ));
            }
            let known = [
                "result_id",
                "registration_id",
                "bib",
                "bib_num",
                "chip_num",
                "place",
                "clock_time",
                "chip_time",
                "first_name",
                "last_name",
                "gender",
                "age",
            ];
            if !(known.contains(&name.as_str())
                || name.starts_with("split-")
                || name.starts_with("division-")
                || name.starts_with("custom-field-"))
            {
                return row_error(format!("unknown field {name}"));
            }
        }
        let existing = match text("result_id") {
            Some(result_id) => {
                match result_id
                    .parse::<u64>()
                    .ok()
                    .and_then(|id| state.result_positions.get(&id).copied())
                    .filter(|position| state.results[*position].event_id == event_id)
                {
                    Some(position) => Some(position),
                    None => return row_error(format!("unknown result_id {result_id}")),
                }
            }
            None => None,
        };
        planned.push((row.clone(), registration, existing));
    }
    let mut added = 0;
    let mut updated = 0;
    let mut answered = Vec::new();
    for (row, registration, existing) in planned {
        let bib = registration
            .as_ref()
            .map(|r| r.bib.clone())
            .or(row.get("bib").cloned().flatten());
        let registration_id = registration.as_ref().map(|r| r.registration_id.clone());
        let position = match existing {
            Some(position) => {
                updated += 1;
                position
            }
            None => {
                // No result_id: a new result, even if the registrant has one
                // already (that is how duplicates happen).
                added += 1;
                state.next_result_id += 1;
                state.results.push(RemoteResultRow {
                    result_id: state.next_result_id,
                    event_id: event_id.clone(),
                    result_set_id: result_set_id.clone(),
                    registration_id: registration_id.clone(),
                    bib: bib.clone(),
                    fields: BTreeMap::new(),
                });
                let position = state.results.len() - 1;
                let result_id = state.next_result_id;
                state.result_positions.insert(result_id, position);
                state
                    .event_results
                    .entry(event_id.clone())
                    .or_default()
                    .push(position);
                position
            }
        };
        let stored = &mut state.results[position];
        for (name, value) in &row {
            if name == "result_id" || name == "registration_id" {
                continue;
            }
            match value {
                // Blank never clears (splits, and everything else too).
                None => {}
                Some(value) if name.starts_with("split-") && value == "X" => {
                    stored.fields.remove(name);
                }
                Some(value) => {
                    stored.fields.insert(name.clone(), value.clone());
                }
            }
        }
        answered.push(json!({
            "result_id": stored.result_id,
            "bib": stored.bib,
            "registration_id": stored.registration_id,
        }));
    }
    state.posts += 1;
    state.post_times.push(std::time::Instant::now());
    let style = match state.post_answer {
        PostAnswer::Rotate => [
            PostAnswer::Full,
            PostAnswer::CountsOnly,
            PostAnswer::OtherCounts,
            PostAnswer::Bare,
        ][(state.posts % 4) as usize],
        style => style,
    };
    let answer = match style {
        PostAnswer::Full | PostAnswer::Rotate => json!({
            "num_results_added": added,
            "num_results_updated": updated,
            "results": answered,
        }),
        PostAnswer::CountsOnly => json!({
            "num_results_added": added,
            "num_results_updated": updated,
        }),
        PostAnswer::OtherCounts => json!({
            "results_added": added.to_string(),
            "results_updated": updated.to_string(),
        }),
        PostAnswer::Bare => json!({"success": true}),
    };
    HttpReply::json(200, &answer)
}

fn get_results(state: &mut State, request: &HttpRequest) -> HttpReply {
    let Some(event_id) = request.query.get("event_id") else {
        return runsignup_error(400, "event_id is required");
    };
    let number = |name: &str, default: usize| -> Result<usize, HttpReply> {
        match request.query.get(name) {
            None => Ok(default),
            Some(text) => match text.parse::<usize>() {
                Ok(value) if value >= 1 => Ok(value),
                _ => Err(runsignup_error(
                    400,
                    format!("{name} must be a positive integer"),
                )),
            },
        }
    };
    let page = match number("page", 1) {
        Ok(page) => page,
        Err(reply) => return reply,
    };
    let per_page = match number("results_per_page", 100) {
        Ok(per_page) => per_page.min(state.max_per_page),
        Err(reply) => return reply,
    };
    state.get_requests += 1;
    let positions = state
        .event_results
        .get(event_id)
        .cloned()
        .unwrap_or_default();
    let mut sets: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    for position in positions.iter().skip((page - 1) * per_page).take(per_page) {
        let row = &state.results[*position];
        let mut object = Map::new();
        object.insert("result_id".into(), json!(row.result_id));
        object.insert("registration_id".into(), json!(row.registration_id));
        object.insert("bib".into(), json!(row.bib));
        for (name, value) in &row.fields {
            if name != "bib" {
                object.insert(name.clone(), json!(value));
            }
        }
        sets.entry(row.result_set_id.clone())
            .or_default()
            .push(Value::Object(object));
    }
    let sets: Vec<Value> = sets
        .into_iter()
        .map(|(id, results)| json!({"individual_result_set_id": id, "results": results}))
        .collect();
    HttpReply::json(200, &json!({"individual_results_sets": sets}))
}

fn post_virtual(state: &mut State, request: &HttpRequest) -> HttpReply {
    let form = request.form();
    let Some(event_id) = form.get("event_id").cloned() else {
        return runsignup_error(400, "event_id is required");
    };
    if !state.virtual_events.contains(&event_id) {
        return runsignup_error(400, "event_id must be a virtual event");
    }
    if form.get("request_format").map(String::as_str) != Some("json") {
        return runsignup_error(400, "this stand-in takes request_format=json");
    }
    let parsed: Value = match form.get("request").map(|text| serde_json::from_str(text)) {
        Some(Ok(parsed)) => parsed,
        _ => return runsignup_error(400, "request must be JSON"),
    };
    let Some(results) = parsed.get("virtual_results").and_then(Value::as_array) else {
        return runsignup_error(400, "the request needs a 'virtual_results' array");
    };
    let mut planned = Vec::new();
    for (index, result) in results.iter().enumerate() {
        let fail = |message: &str| {
            runsignup_error(400, format!("virtual result {}: {message}", index + 1))
        };
        let registration_id = result.get("registration_id").and_then(value_text);
        let bib = result.get("bib_num").and_then(value_text);
        let registration = match (&registration_id, &bib) {
            (Some(id), _) => state
                .registration_by_id
                .get(id)
                .map(|index| &state.registrations[*index]),
            (None, Some(bib)) => state
                .registration_by_bib
                .get(bib)
                .map(|index| &state.registrations[*index]),
            (None, None) => return fail("registration_id or bib_num is required"),
        };
        let Some(registration) = registration.cloned() else {
            return fail("no registration matches");
        };
        if let Some(clock) = result.get("clock_time").and_then(value_text) {
            let parts: Vec<&str> = clock.split(':').collect();
            let ok = STATUSES.contains(&clock.as_str())
                || (parts.len() == 3
                    && (2..=3).contains(&parts[0].len())
                    && is_time(&clock)
                    && clock
                        .split_once('.')
                        .is_some_and(|(_, tenths)| tenths.len() == 1));
            if !ok {
                return fail("clock_time must be hhh:mm:ss.s or DQ/DNS/DNF/DNQ");
            }
        }
        if state.elevation_events.contains(&event_id)
            && result
                .get("elevation_gain_in_mm")
                .and_then(Value::as_u64)
                .is_none()
        {
            return fail("elevation_gain_in_mm is required for this event");
        }
        planned.push((registration, result.clone()));
    }
    let mut answered = Vec::new();
    for (registration, result) in planned {
        let key = (event_id.clone(), registration.registration_id.clone());
        let stored = state.virtual_results.entry(key).or_default();
        if let Some(clock) = result.get("clock_time") {
            stored.insert("clock_time".into(), clock.clone());
        }
        match result.get("tally_value") {
            None => {}
            Some(Value::Null) => {
                stored.remove("tally_value");
            }
            Some(Value::String(text)) if text.is_empty() => {
                stored.remove("tally_value");
            }
            Some(value) => {
                stored.insert("tally_value".into(), value.clone());
            }
        }
        let submitted = stored
            .get("clock_time")
            .and_then(Value::as_str)
            .and_then(time_ms);
        answered.push(json!({
            "registration_id": registration.registration_id.parse::<u64>().ok(),
            "bib_num": registration.bib.parse::<u64>().ok(),
            "results_received_ts": 1_586_571_360u64,
            "individual_result_set_id": 17030,
            "submitted_time_in_ms": submitted,
            "elevation_gain_in_mm": result.get("elevation_gain_in_mm"),
            "result_approval_ts": null,
        }));
    }
    state.posts += 1;
    HttpReply::json(200, &json!({"virtual_results": answered}))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_seed_examples_parse_in_all_three_formats() {
        let csv = "place,bib,clock_time,chip_time\n1,123,17:00.1,17:00.0\n2,456,17:00.2,17:00.2\n";
        let json = r#"{"results": [{"bib": 123, "place": 1, "clock_time": "17:00.1", "chip_time": "17:00.0"},
            {"bib": 456, "place": 2, "clock_time": "17:00.2", "chip_time": "17:00.2"}]}"#;
        let xml = "<request><result><field><name>bib</name><value>123</value></field>\
            <field><name>place</name><value>1</value></field><field><name>clock_time</name>\
            <value>17:00.1</value></field><field><name>chip_time</name><value>17:00.0</value>\
            </field></result><result><field><name>bib</name><value>456</value></field>\
            <field><name>place</name><value>2</value></field><field><name>clock_time</name>\
            <value>17:00.2</value></field><field><name>chip_time</name><value>17:00.2</value>\
            </field></result></request>";
        let from_csv = parse_request("csv", csv).unwrap();
        let from_json = parse_request("json", json).unwrap();
        let from_xml = parse_request("xml", xml).unwrap();
        assert_eq!(from_csv, from_json);
        assert_eq!(from_json, from_xml);
        assert_eq!(from_csv[1]["bib"].as_deref(), Some("456"));
    }

    #[test]
    fn times_and_statuses_are_recognised() {
        assert!(is_time("17:00.1"));
        assert!(is_time("1:02:03.4"));
        assert!(is_time("101:00:00.0"));
        assert!(!is_time("17:0"));
        assert!(!is_time("soon"));
        assert_eq!(time_ms("00:17:00.1"), Some(1_020_100));
    }
}
