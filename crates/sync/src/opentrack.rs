//! OpenTrack competition upload (seed 002).
//!
//! OpenTrack's model is one nested record: Competition -> Competitors, and
//! Events -> Units (heats, rounds) -> Results. Scoretable keeps one outbox
//! entity, `competition`, and uploads the whole record (full state, so a
//! re-send is idempotent and can never duplicate anything).
//!
//! 1. Token auth, as OpenTrack's API examples do it: `POST
//!    {endpoint}/api/v1/auth/token` with the form fields `username` and
//!    `password` (the secret is `email:password`) answers `access_token`;
//!    later requests carry `Authorization: Bearer <token>`.
//! 2. The competition: its id is kept in the target's remote state. Without
//!    one, `GET /api/v1/competitions/?slug=<slug>` finds a competition created by
//!    an earlier attempt whose answer was lost (the engine runs this only once
//!    such a request can no longer land); only when none exists is it created
//!    with `POST /api/v1/competitions/` and the whole nested record (as the
//!    v1 upload and OpenTrack's example scripts take it).
//! 3. Later: `PUT /api/v1/competitions/<id>/` with the full record.
//!
//! The record: the minimal fields (`full_name`, `slug`, `country_id`,
//! `date`, `finish_date`, `contact_details`, `organiser_id`), `competitors`
//! (`competitor_id` = bib, names, gender, `events_entered` with `event_id`
//! and `event_code`) and `events` (`event_id` = the workout's mapped id,
//! `event_code` from config `event_codes` by workout id, required when the
//! target is added; `rounds`; `units`, one per heat, each with `heat`,
//! `round` (config `rounds` by workout id, default 1) and `results`: `bib`,
//! `place`, `performance`; a status is sent as OpenTrack's code in
//! `performance` without a place: `DQ`, `DNF`, `DNS`, `NM`, see
//! [`opentrack_status`]; the statuses OpenTrack has no code for, LAP, WD,
//! NC and DNQ, follow the official's policy in config `status_codes`, e.g.
//! `{"LAP": "DNF", "WD": "DNS", "NC": "NM", "DNQ": "NM"}` (those are the
//! defaults), checked when the target is added; see [`status_code_for`]).
//!
//! The record is sent only when its content changed since the last
//! acknowledged upload.

use std::collections::{HashMap, HashSet};

use scoretable_core::model::{Entrant, Gender, Id, Status};
use scoretable_store::{OutboxItem, RemoteRecord};
use serde_json::{json, Value};

use crate::adapter::{
    config_text, idempotency_header, payload_digest, AdapterContext, BatchResult, ItemOutcome,
    Preview, PreviewChange, RenderedRequest,
};
use crate::client::{send, SendOutcome};
use crate::credentials::split_pair;
use crate::error::{Result, SyncError};

/// OpenTrack's result code for a status: `DQ`, `DNF`, `DNS` or `NM`
/// (Scoretable's LAP counts as DNF, WD as DNS, NC and DNQ as NM: no mark).
pub fn opentrack_status(status: Status) -> &'static str {
    match status {
        Status::Dsq => "DQ",
        Status::Dnf | Status::Lap => "DNF",
        Status::Dns | Status::Wd => "DNS",
        Status::Nc | Status::Dnq => "NM",
    }
}

/// The OpenTrack codes a status may be sent as.
const OPENTRACK_CODES: [&str; 4] = ["DQ", "DNF", "DNS", "NM"];

/// The statuses without an OpenTrack code of their own, whose code the
/// official chooses in config `status_codes`.
const CHOSEN_STATUSES: [Status; 4] = [Status::Lap, Status::Wd, Status::Nc, Status::Dnq];

/// The OpenTrack code `status` is sent as under the target's config: the
/// official's choice in `status_codes` (by Scoretable's code, e.g. `"LAP"`)
/// for LAP, WD, NC and DNQ, else [`opentrack_status`].
pub fn status_code_for(config: &Value, status: Status) -> String {
    if CHOSEN_STATUSES.contains(&status) {
        if let Some(code) = config
            .get("status_codes")
            .and_then(|codes| codes.get(status.code()))
            .and_then(Value::as_str)
            .map(|code| code.trim().to_ascii_uppercase())
            .filter(|code| OPENTRACK_CODES.contains(&code.as_str()))
        {
            return code;
        }
    }
    opentrack_status(status).to_string()
}

/// Checks config `status_codes`: an object from LAP, WD, NC or DNQ to one of
/// OpenTrack's DQ, DNF, DNS, NM.
fn check_status_codes(config: &Value) -> std::result::Result<(), String> {
    let Some(codes) = config.get("status_codes") else {
        return Ok(());
    };
    let Some(codes) = codes.as_object() else {
        return Err(
            "status_codes must be an object such as {\"LAP\": \"DNF\", \"WD\": \"DNS\"}"
                .to_string(),
        );
    };
    for (status, code) in codes {
        let known = CHOSEN_STATUSES
            .iter()
            .any(|candidate| candidate.code().eq_ignore_ascii_case(status));
        if !known {
            return Err(format!(
                "status_codes: {status} is not a status OpenTrack lacks a code for \
                 (choose codes for LAP, WD, NC, DNQ)"
            ));
        }
        let code = code.as_str().unwrap_or("").trim().to_ascii_uppercase();
        if !OPENTRACK_CODES.contains(&code.as_str()) {
            return Err(format!(
                "status_codes: {status} must map to one of OpenTrack's DQ, DNF, DNS, NM, not {}",
                code_text(code.as_str())
            ));
        }
    }
    Ok(())
}

fn code_text(code: &str) -> String {
    if code.is_empty() {
        "an empty value".to_string()
    } else {
        code.to_string()
    }
}

/// An OpenTrack event code: a discipline such as `100`, `5000`, `3000SC`,
/// `110H`, `HJ`, `4x100`, `10K`: 1 to 12 ASCII letters and digits.
pub fn valid_event_code(code: &str) -> bool {
    (1..=12).contains(&code.len()) && code.bytes().all(|byte| byte.is_ascii_alphanumeric())
}

fn gender_code(gender: Option<Gender>) -> &'static str {
    match gender {
        Some(Gender::Female) => "F",
        Some(Gender::Male) => "M",
        _ => "X",
    }
}

/// The minimal competition record of the seed.
pub fn minimal_record(context: &AdapterContext<'_>) -> Result<Value> {
    let competition = context.file.competition()?;
    let config = &context.target.config;
    let organiser_id = config_text(config, "organiser_id").ok_or_else(|| SyncError::Config {
        target: context.target.name.clone(),
        message: "OpenTrack needs organiser_id (from the organisation page's URL)".to_string(),
    })?;
    Ok(json!({
        "full_name": competition.name,
        "slug": config_text(config, "slug").unwrap_or(competition.slug),
        "country_id": config_text(config, "country_id").unwrap_or(competition.country),
        "date": competition.start_date,
        "finish_date": competition.end_date,
        "contact_details": config_text(config, "contact_details").unwrap_or_default(),
        "organiser_id": organiser_id,
    }))
}

/// The full nested record.
pub fn full_record(context: &AdapterContext<'_>) -> Result<Value> {
    let mut record = minimal_record(context)?;
    let file = context.file;
    let competitors = file.competitors()?;
    let mut entered: HashMap<Id, Vec<(String, Value)>> = HashMap::new();
    let mut events = Vec::new();
    for mapped in &context.target.workouts {
        let workout = file.workout(mapped.workout_id)?;
        // OpenTrack's event code (e.g. `100`, `PV`), from config
        // `event_codes` by workout id (checked when the target was added);
        // the round from config `rounds` by workout id (default 1).
        let event_code = context
            .target
            .config
            .get("event_codes")
            .and_then(|codes| codes.get(mapped.workout_id.to_string()))
            .and_then(Value::as_str)
            .filter(|code| valid_event_code(code))
            .map(str::to_string)
            .ok_or_else(|| SyncError::Config {
                target: context.target.name.clone(),
                message: format!(
                    "workout {} has no OpenTrack event code in config event_codes",
                    mapped.workout_id
                ),
            })?;
        let event_code = Value::String(event_code);
        let round = context
            .target
            .config
            .get("rounds")
            .and_then(|rounds| rounds.get(mapped.workout_id.to_string()))
            .and_then(|round| round.as_u64().or_else(|| round.as_str()?.parse().ok()))
            .unwrap_or(1);
        let rows = file.workout_leaderboard(mapped.workout_id, None)?;
        let bib_of = |entrant: Entrant| -> Option<String> {
            match entrant {
                Entrant::Competitor(id) => competitors
                    .iter()
                    .find(|competitor| competitor.id == id)
                    .map(|competitor| competitor.bib.clone()),
                Entrant::Team(id) => file.team(id).ok().flatten().and_then(|team| team.bib),
            }
        };
        let mut assigned: HashSet<Entrant> = HashSet::new();
        let mut units = Vec::new();
        let result_of = |row: &scoretable_core::model::RankedRow| match row.status {
            Some(status) => json!({
                "bib": bib_of(row.entrant),
                "performance": status_code_for(&context.target.config, status),
            }),
            None => json!({
                "bib": bib_of(row.entrant),
                "place": row.rank,
                "performance": row.display,
            }),
        };
        for (index, heat) in workout.heats.iter().enumerate() {
            let lane_entrants: HashSet<Entrant> = heat
                .lanes
                .iter()
                .filter_map(|lane| {
                    lane.competitor_id
                        .map(Entrant::Competitor)
                        .or(lane.team_id.map(Entrant::Team))
                })
                .collect();
            let results: Vec<Value> = rows
                .iter()
                .filter(|row| lane_entrants.contains(&row.entrant))
                .map(result_of)
                .collect();
            assigned.extend(lane_entrants);
            units.push(json!({
                "heat": index + 1,
                "round": round,
                "name": heat.name,
                "results": results,
            }));
        }
        let unassigned: Vec<Value> = rows
            .iter()
            .filter(|row| !assigned.contains(&row.entrant))
            .map(result_of)
            .collect();
        if units.is_empty() || !unassigned.is_empty() {
            units.push(json!({
                "heat": units.len() + 1,
                "round": round,
                "name": "Final",
                "results": unassigned,
            }));
        }
        for row in &rows {
            if let Entrant::Competitor(id) = row.entrant {
                entered
                    .entry(id)
                    .or_default()
                    .push((mapped.remote_id.clone(), event_code.clone()));
            }
        }
        events.push(json!({
            "event_id": mapped.remote_id,
            "event_code": event_code,
            "name": workout.name,
            "rounds": round.to_string(),
            "units": units,
        }));
    }
    let competitors: Vec<Value> = competitors
        .iter()
        .map(|competitor| {
            json!({
                "competitor_id": competitor.bib,
                "bib": competitor.bib,
                "first_name": competitor.first_name,
                "last_name": competitor.last_name,
                "gender": gender_code(competitor.gender),
                "date_of_birth": competitor.date_of_birth,
                "nationality": competitor.country,
                "team_name": competitor.club,
                "events_entered": entered.get(&competitor.id).cloned().unwrap_or_default()
                    .into_iter().map(|(event_id, event_code)| json!({"event_id": event_id, "event_code": event_code})).collect::<Vec<_>>(),
            })
        })
        .collect();
    record["competitors"] = Value::Array(competitors);
    record["events"] = Value::Array(events);
    Ok(record)
}

fn outcome_failure(outcome: SendOutcome) -> BatchResult {
    BatchResult::from_failure(outcome)
}

/// Uploads the competition. Returns the batch result and, when it changed,
/// the remote state to store (the competition id).
pub fn upload(
    context: &AdapterContext<'_>,
    items: &[OutboxItem],
) -> Result<(BatchResult, Option<Value>)> {
    let record = full_record(context)?;
    let digest = payload_digest(&record);
    let unchanged = context
        .remote
        .get("competition")
        .and_then(|remote| remote.payload_digest.as_deref())
        == Some(digest.as_str());
    if unchanged {
        let outcomes = items
            .iter()
            .map(|item| {
                (
                    item.id,
                    ItemOutcome::Skipped("unchanged on OpenTrack".into()),
                )
            })
            .collect();
        return Ok((BatchResult::Done(outcomes), None));
    }
    let secret = context.secret.ok_or_else(|| SyncError::MissingSecret {
        target: context.target.name.clone(),
    })?;
    let (username, password) = split_pair(&context.target.name, secret)?;
    let token = match send_json(
        context
            .client
            .post(context.url("/api/v1/auth/token"))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(
                form_urlencoded::Serializer::new(String::new())
                    .append_pair("username", &username)
                    .append_pair("password", &password)
                    .finish(),
            ),
    ) {
        Ok(answer) => match answer.get("access_token").and_then(Value::as_str) {
            Some(token) => token.to_string(),
            None => {
                return Ok((
                    BatchResult::Rejected {
                        message: "OpenTrack gave no token".to_string(),
                    },
                    None,
                ))
            }
        },
        Err(failure) => return Ok((outcome_failure(failure), None)),
    };
    let bearer = format!("Bearer {token}");
    let mut state = context.target.remote_state.clone();
    if !state.is_object() {
        state = json!({});
    }
    let mut competition_id = state
        .get("competition_id")
        .and_then(Value::as_str)
        .map(str::to_string);
    let mut new_state = None;
    if competition_id.is_none() {
        let slug = record["slug"].as_str().unwrap_or_default().to_string();
        // Reconcile first: a create whose answer was lost left it there.
        match send_json(
            context
                .client
                .get(context.url("/api/v1/competitions/"))
                .query(&[("slug", slug.as_str())])
                .header("Authorization", &bearer),
        ) {
            Ok(found) => {
                competition_id = found
                    .get("results")
                    .and_then(Value::as_array)
                    .and_then(|list| list.first())
                    .and_then(|competition| competition.get("id"))
                    .and_then(Value::as_str)
                    .map(str::to_string);
            }
            Err(failure) => return Ok((outcome_failure(failure), None)),
        }
        if competition_id.is_none() {
            // Not there (proven by the read-back, which runs only once an
            // earlier create can no longer land): create it with the whole
            // nested record, as OpenTrack's v1 upload takes it.
            let keys: Vec<&str> = items
                .iter()
                .filter_map(|item| item.idempotency_key.as_deref())
                .collect();
            return Ok(
                match send_json(
                    context
                        .client
                        .post(context.url("/api/v1/competitions/"))
                        .header("Authorization", &bearer)
                        .header("Idempotency-Key", idempotency_header(&keys))
                        .json(&record),
                ) {
                    Ok(created) => match created.get("id").and_then(Value::as_str) {
                        Some(id) => {
                            state["competition_id"] = Value::String(id.to_string());
                            (acked_all(items, id, &digest), Some(state))
                        }
                        None => (
                            BatchResult::Ambiguous {
                                message: "OpenTrack did not return the competition id".to_string(),
                            },
                            None,
                        ),
                    },
                    Err(failure) => (outcome_failure(failure), None),
                },
            );
        }
        let Some(id) = &competition_id else {
            return Ok((
                BatchResult::Ambiguous {
                    message: "OpenTrack did not return the competition id".to_string(),
                },
                None,
            ));
        };
        state["competition_id"] = Value::String(id.clone());
        new_state = Some(state.clone());
    }
    let competition_id = competition_id.unwrap_or_default();
    let keys: Vec<&str> = items
        .iter()
        .filter_map(|item| item.idempotency_key.as_deref())
        .collect();
    let answer = send_json(
        context
            .client
            .put(context.url(&format!("/api/v1/competitions/{competition_id}/")))
            .header("Authorization", &bearer)
            .header("Idempotency-Key", idempotency_header(&keys))
            .json(&record),
    );
    let result = match answer {
        Ok(answer) if answer.get("id").and_then(Value::as_str) == Some(&competition_id) => {
            acked_all(items, &competition_id, &digest)
        }
        Ok(_) => BatchResult::Ambiguous {
            message: "OpenTrack's answer did not confirm the competition".to_string(),
        },
        Err(failure) => outcome_failure(failure),
    };
    Ok((result, new_state))
}

fn acked_all(items: &[OutboxItem], competition_id: &str, digest: &str) -> BatchResult {
    BatchResult::Done(
        items
            .iter()
            .map(|item| {
                (
                    item.id,
                    ItemOutcome::Acked(Some(RemoteRecord {
                        entity: "competition".to_string(),
                        remote_id: Some(competition_id.to_string()),
                        payload_digest: Some(digest.to_string()),
                        payload: None,
                    })),
                )
            })
            .collect(),
    )
}

fn send_json(
    request: reqwest::blocking::RequestBuilder,
) -> std::result::Result<Value, SendOutcome> {
    match send(request) {
        SendOutcome::Response { status, body } => {
            serde_json::from_str(&body).map_err(|_| SendOutcome::Ambiguous {
                message: format!("HTTP {status} with a body that is not JSON"),
            })
        }
        failure => Err(failure),
    }
}

/// The preview: the record that would be uploaded.
pub fn preview(context: &AdapterContext<'_>, items: &[OutboxItem]) -> Result<Preview> {
    if items.is_empty() {
        return Ok(Preview::default());
    }
    let record = full_record(context)?;
    let unchanged = context
        .remote
        .get("competition")
        .and_then(|remote| remote.payload_digest.as_deref())
        == Some(payload_digest(&record).as_str());
    let id = context
        .target
        .remote_state
        .get("competition_id")
        .and_then(Value::as_str)
        .unwrap_or("");
    let known = !id.is_empty();
    Ok(Preview {
        changes: vec![PreviewChange {
            entity: "competition".to_string(),
            action: if unchanged { "unchanged" } else { "update" }.to_string(),
            before: None,
            after: Some(record.clone()),
            note: None,
        }],
        requests: if unchanged {
            Vec::new()
        } else {
            vec![RenderedRequest {
                method: if known { "PUT" } else { "POST" }.to_string(),
                url: format!(
                    "{} (Authorization: Bearer ***)",
                    if known {
                        context.url(&format!("/api/v1/competitions/{id}/"))
                    } else {
                        context.url("/api/v1/competitions/")
                    }
                ),
                content_type: "application/json".to_string(),
                form: Vec::new(),
                body: serde_json::to_string_pretty(&record).unwrap_or_default(),
            }]
        },
    })
}

/// OpenTrack as a sync platform: one outbox row for the whole competition
/// (full state, so a re-send cannot duplicate), which also takes competitor
/// changes.
pub struct OpenTrackAdapter;

impl crate::registry::SyncAdapter for OpenTrackAdapter {
    fn code(&self) -> &'static str {
        "opentrack"
    }

    fn name(&self) -> &'static str {
        "OpenTrack"
    }

    fn remote_id_label(&self) -> &'static str {
        "OpenTrack event id"
    }

    fn secret_hint(&self) -> &'static str {
        "email:password"
    }

    fn settings(&self) -> Vec<crate::settings::SettingInfo> {
        use crate::settings::{SettingInfo, SettingKind};
        let statuses: Vec<(&str, &str)> = CHOSEN_STATUSES
            .iter()
            .map(|status| (status.code(), opentrack_status(*status)))
            .collect();
        vec![
            SettingInfo::text(
                "organiser_id",
                "Organiser id",
                "From the organisation page's URL on OpenTrack.",
            )
            .required(),
            SettingInfo::per(
                SettingKind::PerWorkout,
                "event_codes",
                "Event code",
                "The discipline of each workout the target receives: 100, 5000, 3000SC, HJ, LJ, SP ...",
            )
            .required(),
            SettingInfo::per(
                SettingKind::PerWorkout,
                "rounds",
                "Round",
                "The round number of each workout (1 when left out).",
            ),
            SettingInfo::status_codes(
                "status_codes",
                "OpenTrack code for statuses it lacks",
                "LAP, WD, NC and DNQ have no OpenTrack code of their own; choose the one each is sent as.",
                &statuses,
                &OPENTRACK_CODES,
            ),
            SettingInfo::text("slug", "Competition slug", "The competition's short name in OpenTrack URLs.")
                .default_value("the competition's slug"),
            SettingInfo::text("country_id", "Country", "Three-letter country code.")
                .default_value("the competition's country"),
            SettingInfo::text("contact_details", "Contact details", "Shown on the competition page."),
        ]
    }

    fn scope(&self) -> scoretable_store::EntityScope {
        scoretable_store::EntityScope::Competition
    }

    fn validate(&self, spec: &crate::registry::TargetSpec) -> std::result::Result<(), String> {
        check_status_codes(&spec.config)?;
        if config_text(&spec.config, "organiser_id").is_none() {
            return Err(
                "OpenTrack needs organiser_id (from the organisation page's URL): \
                 --set organiser_id=..."
                    .to_string(),
            );
        }
        for workout in &spec.workouts {
            let code = spec
                .config
                .get("event_codes")
                .and_then(|codes| codes.get(workout.workout_id.to_string()))
                .and_then(Value::as_str)
                .unwrap_or("");
            if !valid_event_code(code) {
                return Err(format!(
                    "workout {}: OpenTrack needs its event code (100, 5000, HJ, LJ, \
                     SP ...) in config event_codes, e.g. --config \
                     '{{\"event_codes\": {{\"{}\": \"100\"}}}}'",
                    workout.workout_id, workout.workout_id
                ));
            }
        }
        Ok(())
    }

    fn session(&self) -> Box<dyn crate::registry::AdapterSession> {
        Box::new(OpenTrackSession)
    }
}

struct OpenTrackSession;

impl crate::registry::AdapterSession for OpenTrackSession {
    fn send(
        &mut self,
        context: &mut crate::registry::SendContext<'_>,
        items: &[OutboxItem],
    ) -> Result<BatchResult> {
        let (result, state) = upload(&context.adapter(), items)?;
        if let Some(state) = state {
            context
                .file
                .set_sync_remote_state(context.target.id, &state)?;
        }
        Ok(result)
    }

    fn preview(&mut self, context: &AdapterContext<'_>, items: &[OutboxItem]) -> Result<Preview> {
        preview(context, items)
    }
}
