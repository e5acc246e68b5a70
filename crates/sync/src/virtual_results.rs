//! RunSignup user-submitted (virtual) results (seed 003).
//!
//! `POST {endpoint}{path}` (config `path`, default
//! `/rest/race/{race_id}/results/virtual-results`) with the form fields
//! `event_id` (must be a virtual event), `individual_result_set_id` (config
//! `result_set_ids` by workout, when the event has several result sets),
//! `request_format=json` and `request` = `{"virtual_results": [...]}`, with
//! the same authentication as full results (`key:secret`, config `auth`).
//!
//! Each result carries `registration_id` when known and always `bib_num` (the
//! seed requires at least one of them), `clock_time` as `hh:mm:ss.s` (rounded
//! up to the tenth; hours grow to three digits) or `DQ`/`DNS`/`DNF`/`DNQ`.
//! `tally_value` is sent only for distance workouts with config `tally_unit`
//! (`km`, `mi` or `m`): left out it stays unchanged, `null` clears it (sent
//! when a distance result was removed). When the virtual event requires
//! elevation gain (config `elevation_required: true`), `elevation_gain_in_mm`
//! is required; Scoretable records none, so such rows are refused locally with
//! a message rather than sent without it.
//!
//! The response lists `virtual_results`; a row is acknowledged only when the
//! response contains it (by `registration_id` or `bib_num`).

use std::collections::HashMap;

use scoretable_core::model::{Entrant, Id, RankedRow, Rounding, Score, ScoreType};
use scoretable_core::runsignup::runsignup_status_code;
use scoretable_core::time::{format_time, round_time, TimeStyle};
use scoretable_store::{OutboxItem, RemoteRecord};
use serde_json::{json, Map, Value};

use crate::adapter::{
    config_text, idempotency_header, payload_digest, AdapterContext, BatchResult, ItemOutcome,
    Preview, PreviewChange, RenderedRequest,
};
use crate::client::{send, SendOutcome};
use crate::credentials::split_pair;
use crate::error::{Result, SyncError};

/// `hh:mm:ss.s`, rounded up to the tenth.
pub fn virtual_clock_time(ms: i64) -> String {
    format_time(
        round_time(ms, Rounding::Up { unit_ms: 100 }),
        TimeStyle::Virtual,
    )
}

enum Planned {
    Send(Value),
    Reject(String),
    Skip(String),
}

fn number_or_text(text: &str) -> Value {
    match text.parse::<u64>() {
        Ok(number) if !text.starts_with('0') || text == "0" => Value::from(number),
        _ => Value::String(text.to_string()),
    }
}

struct Plans {
    by_item: Vec<(OutboxItem, Planned)>,
}

fn plan(context: &AdapterContext<'_>, items: &[OutboxItem]) -> Result<Plans> {
    let config = &context.target.config;
    let competitors: HashMap<Id, scoretable_core::model::Competitor> = context
        .file
        .competitors()?
        .into_iter()
        .map(|competitor| (competitor.id, competitor))
        .collect();
    let mut boards: HashMap<Id, (ScoreType, Vec<RankedRow>)> = HashMap::new();
    let mut by_item = Vec::with_capacity(items.len());
    for item in items {
        let (Some(workout_id), Some(competitor_id)) = (item.workout_id, item.competitor_id) else {
            by_item.push((
                item.clone(),
                Planned::Reject("virtual results are individual; teams cannot be posted".into()),
            ));
            continue;
        };
        if let std::collections::hash_map::Entry::Vacant(entry) = boards.entry(workout_id) {
            let workout = context.file.workout(workout_id)?;
            let rows = context.file.workout_leaderboard(workout_id, None)?;
            entry.insert((workout.score_type, rows));
        }
        let (score_type, rows) = &boards[&workout_id];
        let Some(competitor) = competitors.get(&competitor_id) else {
            by_item.push((
                item.clone(),
                Planned::Skip("the competitor was removed".into()),
            ));
            continue;
        };
        let mut result = Map::new();
        if let Some(registration) = &competitor.external_ids.runsignup_registration_id {
            result.insert("registration_id".into(), number_or_text(registration));
        }
        result.insert("bib_num".into(), number_or_text(&competitor.bib));
        let row = rows
            .iter()
            .find(|row| row.entrant == Entrant::Competitor(competitor_id));
        let tally_unit = config_text(config, "tally_unit");
        let previous = context
            .remote
            .get(&item.entity)
            .and_then(|record| record.payload.clone());
        match (
            row.and_then(|row| row.status),
            row.and_then(|row| row.score),
        ) {
            (Some(status), _) => match runsignup_status_code(status) {
                Some(code) => {
                    result.insert("clock_time".into(), code.into());
                }
                None => {
                    by_item.push((
                        item.clone(),
                        Planned::Reject(format!(
                            "bib {}: status {} has no RunSignup equivalent (DQ, DNS, DNF, DNQ)",
                            competitor.bib,
                            status.code()
                        )),
                    ));
                    continue;
                }
            },
            (None, Some(Score::Time { ms })) => {
                result.insert("clock_time".into(), virtual_clock_time(ms).into());
            }
            (None, Some(Score::Distance { mm })) if tally_unit.is_some() => {
                let divisor = match tally_unit.as_deref() {
                    Some("km") => 1_000_000.0,
                    Some("mi") => 1_609_344.0,
                    _ => 1_000.0,
                };
                let value = (mm as f64 / divisor * 1000.0).round() / 1000.0;
                result.insert("tally_value".into(), json!(value));
            }
            (None, Some(_)) => {
                by_item.push((
                    item.clone(),
                    Planned::Reject(format!(
                        "bib {}: a {score_type:?} score cannot be a virtual result without \
                         tally_unit",
                        competitor.bib
                    )),
                ));
                continue;
            }
            (None, None) => {
                let had_tally = previous
                    .as_ref()
                    .is_some_and(|payload| payload.get("tally_value").is_some());
                if had_tally {
                    // `null` clears the tally; unset would leave it.
                    result.insert("tally_value".into(), Value::Null);
                } else if previous.is_some() {
                    by_item.push((
                        item.clone(),
                        Planned::Reject(format!(
                            "bib {}: the result was removed, but a virtual clock_time cannot be \
                             cleared through this API; remove it on RunSignup",
                            competitor.bib
                        )),
                    ));
                    continue;
                } else {
                    by_item.push((item.clone(), Planned::Skip("no result to send".into())));
                    continue;
                }
            }
        }
        if config.get("elevation_required").and_then(Value::as_bool) == Some(true) {
            by_item.push((
                item.clone(),
                Planned::Reject(format!(
                    "bib {}: this virtual event requires elevation_gain_in_mm, which \
                     Scoretable does not record",
                    competitor.bib
                )),
            ));
            continue;
        }
        let payload = Value::Object(result);
        if previous.as_ref() == Some(&payload) {
            by_item.push((item.clone(), Planned::Skip("unchanged on RunSignup".into())));
            continue;
        }
        by_item.push((item.clone(), Planned::Send(payload)));
    }
    Ok(Plans { by_item })
}

fn race_id(context: &AdapterContext<'_>) -> Result<String> {
    config_text(&context.target.config, "race_id").ok_or_else(|| SyncError::Config {
        target: context.target.name.clone(),
        message: "RunSignup virtual results need race_id".to_string(),
    })
}

fn path(context: &AdapterContext<'_>, race_id: &str) -> String {
    config_text(&context.target.config, "path")
        .unwrap_or_else(|| "/rest/race/{race_id}/results/virtual-results".to_string())
        .replace("{race_id}", race_id)
}

fn form_for(
    context: &AdapterContext<'_>,
    race_id: &str,
    workout_id: Id,
    results: &[Value],
) -> Vec<(String, String)> {
    let mut form = vec![
        ("race_id".to_string(), race_id.to_string()),
        (
            "event_id".to_string(),
            context
                .workout_remote_id(workout_id)
                .unwrap_or_default()
                .to_string(),
        ),
    ];
    if let Some(set) = context
        .target
        .config
        .get("result_set_ids")
        .and_then(|sets| sets.get(workout_id.to_string()))
        .and_then(Value::as_str)
    {
        form.push(("individual_result_set_id".to_string(), set.to_string()));
    }
    form.push(("request_format".to_string(), "json".to_string()));
    form.push((
        "request".to_string(),
        json!({ "virtual_results": results }).to_string(),
    ));
    form
}

fn group_by_workout(plans: &Plans) -> Vec<(Id, Vec<(OutboxItem, Value)>)> {
    let mut groups: Vec<(Id, Vec<(OutboxItem, Value)>)> = Vec::new();
    for (item, planned) in &plans.by_item {
        if let Planned::Send(payload) = planned {
            let workout_id = item.workout_id.unwrap_or_default();
            match groups.iter_mut().find(|(id, _)| *id == workout_id) {
                Some((_, group)) => group.push((item.clone(), payload.clone())),
                None => groups.push((workout_id, vec![(item.clone(), payload.clone())])),
            }
        }
    }
    groups
}

/// Sends a batch.
pub fn send_batch(context: &AdapterContext<'_>, items: &[OutboxItem]) -> Result<BatchResult> {
    let race_id = race_id(context)?;
    let plans = plan(context, items)?;
    let mut outcomes = Vec::new();
    for (item, planned) in &plans.by_item {
        match planned {
            Planned::Reject(message) => {
                outcomes.push((item.id, ItemOutcome::Rejected(message.clone())))
            }
            Planned::Skip(reason) => outcomes.push((item.id, ItemOutcome::Skipped(reason.clone()))),
            Planned::Send(_) => {}
        }
    }
    let secret = context.secret.ok_or_else(|| SyncError::MissingSecret {
        target: context.target.name.clone(),
    })?;
    let (key, api_secret) = split_pair(&context.target.name, secret)?;
    let groups = group_by_workout(&plans);
    let single = groups.len() == 1 && outcomes.is_empty();
    for (workout_id, group) in groups {
        let payloads: Vec<Value> = group.iter().map(|(_, payload)| payload.clone()).collect();
        let form = form_for(context, &race_id, workout_id, &payloads);
        let keys: Vec<&str> = group
            .iter()
            .filter_map(|(item, _)| item.idempotency_key.as_deref())
            .collect();
        let mut builder = context
            .client
            .post(context.url(&path(context, &race_id)))
            .query(&[("format", "json")])
            .header("Idempotency-Key", idempotency_header(&keys))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(
                form_urlencoded::Serializer::new(String::new())
                    .extend_pairs(&form)
                    .finish(),
            );
        builder =
            if context.target.config.get("auth").and_then(Value::as_str) == Some("rsu_api_key") {
                builder
                    .query(&[("rsu_api_key", key.as_str())])
                    .header("X-RSU-API-SECRET", api_secret.as_str())
            } else {
                builder.query(&[
                    ("api_key", key.as_str()),
                    ("api_secret", api_secret.as_str()),
                ])
            };
        let body = match send(builder) {
            SendOutcome::Response { body, .. } => body,
            failure if single => return Ok(BatchResult::from_failure(failure)),
            failure => {
                let outcome = match failure {
                    SendOutcome::Rejected { message, .. } if group.len() == 1 => {
                        ItemOutcome::Rejected(message)
                    }
                    SendOutcome::Rejected { message, .. } => ItemOutcome::Refused(message),
                    SendOutcome::Retryable {
                        message,
                        retry_after,
                    } => ItemOutcome::Retry {
                        message,
                        retry_after,
                    },
                    SendOutcome::Ambiguous { message } => ItemOutcome::Unconfirmed(message),
                    SendOutcome::Response { status, .. } => {
                        ItemOutcome::Unconfirmed(format!("HTTP {status}"))
                    }
                };
                for (item, _) in &group {
                    outcomes.push((item.id, outcome.clone()));
                }
                continue;
            }
        };
        let parsed: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
        if let Some(error) = parsed.get("error").filter(|error| !error.is_null()) {
            let message = format!("RunSignup refused the virtual results: {error}");
            for (item, _) in &group {
                outcomes.push((
                    item.id,
                    if group.len() == 1 {
                        ItemOutcome::Rejected(message.clone())
                    } else {
                        ItemOutcome::Refused(message.clone())
                    },
                ));
            }
            continue;
        }
        let answered: Vec<&Value> = parsed
            .get("virtual_results")
            .and_then(Value::as_array)
            .map(|list| list.iter().collect())
            .unwrap_or_default();
        for (item, payload) in &group {
            let same = |name: &str, answer: &Value| {
                payload.get(name).is_some()
                    && payload.get(name).map(Value::to_string)
                        == answer.get(name).map(Value::to_string)
            };
            let confirmed = answered
                .iter()
                .any(|answer| same("registration_id", answer) || same("bib_num", answer));
            outcomes.push((
                item.id,
                if confirmed {
                    ItemOutcome::Acked(Some(RemoteRecord {
                        entity: item.entity.clone(),
                        remote_id: payload.get("registration_id").map(Value::to_string),
                        payload_digest: Some(payload_digest(payload)),
                        payload: Some(payload.clone()),
                    }))
                } else {
                    ItemOutcome::Unconfirmed(
                        "RunSignup's answer did not list this virtual result".into(),
                    )
                },
            ));
        }
    }
    Ok(BatchResult::Done(outcomes))
}

/// The preview of a set of rows.
pub fn preview(context: &AdapterContext<'_>, items: &[OutboxItem]) -> Result<Preview> {
    let race_id = race_id(context)?;
    let plans = plan(context, items)?;
    let mut preview = Preview::default();
    for (item, planned) in &plans.by_item {
        let before = context
            .remote
            .get(&item.entity)
            .and_then(|record| record.payload.clone());
        let (action, after, note) = match planned {
            Planned::Send(payload) => (
                if before.is_some() { "update" } else { "create" },
                Some(payload.clone()),
                None,
            ),
            Planned::Reject(message) => ("cannot_send", None, Some(message.clone())),
            Planned::Skip(reason) => ("nothing_to_send", None, Some(reason.clone())),
        };
        preview.changes.push(PreviewChange {
            entity: item.entity.clone(),
            action: action.to_string(),
            before,
            after,
            note,
        });
    }
    for (workout_id, group) in group_by_workout(&plans) {
        let payloads: Vec<Value> = group.into_iter().map(|(_, payload)| payload).collect();
        let form = form_for(context, &race_id, workout_id, &payloads);
        preview.requests.push(RenderedRequest {
            method: "POST".to_string(),
            url: format!(
                "{}?format=json&api_key=***&api_secret=***",
                context.url(&path(context, &race_id))
            ),
            content_type: "application/x-www-form-urlencoded".to_string(),
            body: form
                .iter()
                .find(|(name, _)| name == "request")
                .map(|(_, request)| request.clone())
                .unwrap_or_default(),
            form: form
                .into_iter()
                .filter(|(name, _)| name != "request")
                .collect(),
        });
    }
    Ok(preview)
}

/// RunSignup virtual results as a sync platform: one outbox row per
/// entrant's result; a re-send replaces the registration's result, so rows
/// in doubt are simply sent again.
pub struct VirtualResultsAdapter;

impl crate::registry::SyncAdapter for VirtualResultsAdapter {
    fn code(&self) -> &'static str {
        "runsignup_virtual"
    }

    fn name(&self) -> &'static str {
        "RunSignup (virtual results)"
    }

    fn remote_id_label(&self) -> &'static str {
        "RunSignup virtual event_id"
    }

    fn secret_hint(&self) -> &'static str {
        "API key:API secret"
    }

    fn settings(&self) -> Vec<crate::settings::SettingInfo> {
        use crate::settings::{SettingInfo, SettingKind};
        vec![
            SettingInfo::text("race_id", "Race id", "The race's number on RunSignup.").required(),
            SettingInfo::choice(
                "auth",
                "How the key is sent",
                "api_key and api_secret as query parameters, or rsu_api_key with the X-RSU-API-SECRET header.",
                &[
                    ("api_key", "api_key and api_secret parameters"),
                    ("rsu_api_key", "rsu_api_key and the X-RSU-API-SECRET header"),
                ],
            ),
            SettingInfo::per(
                SettingKind::PerWorkout,
                "result_set_ids",
                "Result set id",
                "individual_result_set_id per workout, when its virtual event has several result sets.",
            ),
            SettingInfo::choice(
                "tally_unit",
                "Distance unit",
                "Send distance results as tally_value in this unit; without one, distance results cannot be sent.",
                &[("", "None"), ("km", "Kilometres"), ("mi", "Miles"), ("m", "Metres")],
            ),
            SettingInfo::flag(
                "elevation_required",
                "The event requires elevation gain",
                "Scoretable records none, so each row is refused with a message instead of sent without it.",
            )
            .default_value("false"),
            SettingInfo::text("path", "Request path", "Where results are posted.")
                .default_value("/rest/race/{race_id}/results/virtual-results"),
        ]
    }

    fn scope(&self) -> scoretable_store::EntityScope {
        scoretable_store::EntityScope::Result
    }

    fn validate(&self, spec: &crate::registry::TargetSpec) -> std::result::Result<(), String> {
        let race = config_text(&spec.config, "race_id").unwrap_or_default();
        if race.is_empty() || !race.bytes().all(|byte| byte.is_ascii_digit()) {
            return Err("RunSignup needs a numeric race_id".to_string());
        }
        Ok(())
    }

    fn session(&self) -> Box<dyn crate::registry::AdapterSession> {
        Box::new(VirtualResultsSession)
    }
}

struct VirtualResultsSession;

impl crate::registry::AdapterSession for VirtualResultsSession {
    fn send(
        &mut self,
        context: &mut crate::registry::SendContext<'_>,
        items: &[OutboxItem],
    ) -> Result<BatchResult> {
        send_batch(&context.adapter(), items)
    }

    fn preview(&mut self, context: &AdapterContext<'_>, items: &[OutboxItem]) -> Result<Preview> {
        preview(context, items)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clock_time_is_hours_minutes_seconds_tenths() {
        assert_eq!(virtual_clock_time(1_020_100), "00:17:00.1");
        assert_eq!(virtual_clock_time(1_020_101), "00:17:00.2");
        assert_eq!(virtual_clock_time(101 * 3_600_000), "101:00:00.0");
    }
}
