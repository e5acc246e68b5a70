//! World Triathlon Live Timing Standard v1.1 (seed 004).
//!
//! One full-state JSON message per race (workout, `prog_id`), built from the
//! file's current state each time it is sent, so a retry always carries the
//! latest message and never an older one.
//!
//! Message: `date` (publication time), `start_time` (config `start_time`, else
//! the first heat's start, left out when unknown), `event_id`, `event_name`,
//! `prog_id`, `prog_name`, `wetsuit`, `sandbox`, `num_athletes` (or
//! `num_teams` for a relay), `status` (`prerace` before any result, `live`,
//! `official` once the workout is official), `latest` (the furthest timing
//! point anyone has reached, with how many reached it; null before any),
//! `conditions` (when configured), and `athletes` (or `teams`). All values
//! are strings, as the standard recommends.
//!
//! Segments: timing point `order` is the `segment_id`; a time result adds a
//! `Finish` segment after the last timing point. Times are ISO 8601 durations
//! `HH:MM:SS.mmm`; with config `whole_seconds` they are rounded UP to the next
//! full second (`00:09:14.001` -> `00:09:15`).
//!
//! Ordering: athletes who reached a later timing point first, by position
//! there; then earlier points; athletes without data by start number; DSQ at
//! the bottom. Statuses: DNS, DNF, DSQ, LAP, NC (withdrawn is DNF; DNQ is NC);
//! incidents joined with commas.
//!
//! Delivery (config): POST to `{endpoint}{path}` (default `/v1/timing`) with
//! `Content-Type: application/json` and the API key in the `apikey` header,
//! only when the message content (everything but `date`) changed, at most one
//! push per 1000 ms per target (bursts coalesce in the outbox); or hosted as
//! a JSON file by [`HostedFeed`].

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use chrono::{SecondsFormat, Utc};
use scoretable_core::model::{
    Competitor, Entrant, Id, Millis, PublicationState, RankedRow, Rounding, Score, Status, Team,
};
use scoretable_core::time::{format_time, round_time, TimeStyle};
use scoretable_store::{CompetitionFile, EntityScope, OutboxItem, RemoteRecord};
use serde_json::{json, Map, Value};

use crate::adapter::{
    config_text, idempotency_header, payload_digest, AdapterContext, BatchResult, ItemOutcome,
    Preview, PreviewChange, RenderedRequest,
};
use crate::client::{send, SendOutcome};
use crate::error::{Result, SyncError};
use crate::http_server::{HttpReply, HttpServer};
use crate::registry::{AdapterSession, SendContext, SyncAdapter, TargetSpec};

/// A World Triathlon status word for a Scoretable status.
pub fn triathlon_status(status: Status) -> &'static str {
    match status {
        Status::Dns => "DNS",
        Status::Dnf | Status::Wd => "DNF",
        Status::Dsq => "DSQ",
        Status::Lap => "LAP",
        Status::Nc | Status::Dnq => "NC",
    }
}

struct Options {
    whole_seconds: bool,
}

fn duration_text(ms: Millis, options: &Options) -> String {
    if options.whole_seconds {
        let rounded = round_time(ms, Rounding::Up { unit_ms: 1000 });
        let text = format_time(rounded, TimeStyle::Iso);
        text.trim_end_matches(".000").to_string()
    } else {
        format_time(ms, TimeStyle::Iso)
    }
}

struct Standing {
    segment_id: u32,
    name: String,
    total_ms: Millis,
    leg_ms: Millis,
    position: u32,
    difference_ms: Millis,
}

struct Participant {
    entrant: Entrant,
    start_num: String,
    standings: Vec<Standing>,
    status: Option<Status>,
    incidents: Vec<String>,
}

fn standings_of(
    row: &RankedRow,
    points: &HashMap<Id, (u32, String)>,
    finish_segment: u32,
) -> Vec<Standing> {
    let mut standings: Vec<Standing> = row
        .splits
        .iter()
        .filter_map(|split| {
            let (order, name) = points.get(&split.timing_point_id)?;
            Some(Standing {
                segment_id: *order,
                name: name.clone(),
                total_ms: split.total_ms,
                leg_ms: split.leg_ms,
                position: split.position,
                difference_ms: split.difference_ms,
            })
        })
        .collect();
    standings.sort_by_key(|standing| standing.segment_id);
    if let (Some(Score::Time { ms }), Some(rank)) = (row.score, row.rank) {
        let previous = standings.last().map_or(0, |standing| standing.total_ms);
        standings.push(Standing {
            segment_id: finish_segment,
            name: "Finish".to_string(),
            total_ms: ms,
            leg_ms: ms - previous,
            position: rank,
            difference_ms: row.difference_ms.unwrap_or(0),
        });
    }
    standings
}

fn split_json(standing: &Standing, options: &Options) -> Value {
    json!({
        "id": standing.segment_id.to_string(),
        "name": standing.name,
        "total_time": duration_text(standing.total_ms, options),
        "time": duration_text(standing.leg_ms, options),
        "difference": duration_text(standing.difference_ms, options),
        "position": standing.position.to_string(),
    })
}

/// Positions and differences at every timing point, consistent with the
/// order the athletes are listed in: a disqualified athlete is ranked after
/// every other athlete at each point (the standard lists DSQ athletes at the
/// bottom) and never moves anyone else down; the others are ranked by
/// cumulative time (equal times share a position); the difference is to the
/// fastest athlete who is not disqualified (never negative).
fn rank_segments(participants: &mut [Participant]) {
    let mut by_segment: BTreeMap<u32, Vec<(usize, usize)>> = BTreeMap::new();
    for (who, participant) in participants.iter().enumerate() {
        for (which, standing) in participant.standings.iter().enumerate() {
            by_segment
                .entry(standing.segment_id)
                .or_default()
                .push((who, which));
        }
    }
    for entries in by_segment.values_mut() {
        let dsq = |who: usize| participants[who].status == Some(Status::Dsq);
        entries.sort_by_key(|(who, which)| {
            (
                dsq(*who),
                participants[*who].standings[*which].total_ms,
                *who,
            )
        });
        let leader = entries
            .first()
            .map(|(who, which)| participants[*who].standings[*which].total_ms)
            .unwrap_or(0);
        let mut previous: Option<(bool, Millis, u32)> = None;
        let ranked: Vec<(usize, usize, u32, Millis)> = entries
            .iter()
            .enumerate()
            .map(|(index, (who, which))| {
                let total = participants[*who].standings[*which].total_ms;
                let class = dsq(*who);
                let position = match previous {
                    Some((previous_class, previous_total, position))
                        if previous_class == class && previous_total == total =>
                    {
                        position
                    }
                    _ => index as u32 + 1,
                };
                previous = Some((class, total, position));
                (*who, *which, position, (total - leader).max(0))
            })
            .collect();
        for (who, which, position, difference) in ranked {
            let standing = &mut participants[who].standings[which];
            standing.position = position;
            standing.difference_ms = difference;
        }
    }
}

fn order_participants(participants: &mut [Participant]) {
    participants.sort_by(|a, b| {
        let key = |participant: &Participant| {
            let latest = participant.standings.last();
            (
                participant.status == Some(Status::Dsq),
                std::cmp::Reverse(latest.map_or(0, |standing| standing.segment_id)),
                latest.map_or(u32::MAX, |standing| standing.position),
            )
        };
        key(a)
            .cmp(&key(b))
            .then_with(|| start_number_order(&a.start_num, &b.start_num))
    });
}

fn start_number_order(a: &str, b: &str) -> std::cmp::Ordering {
    match (a.parse::<u64>(), b.parse::<u64>()) {
        (Ok(a), Ok(b)) => a.cmp(&b),
        (Ok(_), Err(_)) => std::cmp::Ordering::Less,
        (Err(_), Ok(_)) => std::cmp::Ordering::Greater,
        (Err(_), Err(_)) => a.cmp(b),
    }
}

fn text_or_null(text: Option<&String>) -> Value {
    text.map_or(Value::Null, |text| Value::String(text.clone()))
}

fn head_fields(participant: &Participant, options: &Options, object: &mut Map<String, Value>) {
    let latest = participant.standings.last();
    object.insert(
        "segment_id".into(),
        latest.map_or(Value::Null, |standing| {
            standing.segment_id.to_string().into()
        }),
    );
    object.insert(
        "time".into(),
        latest.map_or(Value::Null, |standing| {
            duration_text(standing.total_ms, options).into()
        }),
    );
    object.insert(
        "difference".into(),
        latest.map_or(Value::Null, |standing| {
            duration_text(standing.difference_ms, options).into()
        }),
    );
    object.insert(
        "position".into(),
        latest.map_or(Value::Null, |standing| standing.position.to_string().into()),
    );
    object.insert(
        "status".into(),
        participant
            .status
            .map_or(Value::Null, |status| triathlon_status(status).into()),
    );
    object.insert(
        "incidents".into(),
        if participant.incidents.is_empty() {
            Value::Null
        } else {
            participant.incidents.join(", ").into()
        },
    );
}

/// Builds the full-state message of one workout. `prog_id` is the target's id
/// for the workout; `config` the target's config.
pub fn build_message(
    file: &CompetitionFile,
    workout_id: Id,
    prog_id: &str,
    config: &Value,
) -> Result<Value> {
    let options = Options {
        whole_seconds: config
            .get("whole_seconds")
            .and_then(Value::as_bool)
            .unwrap_or(false),
    };
    let competition = file.competition()?;
    let workout = file.workout(workout_id)?;
    let rows = file.workout_leaderboard(workout_id, None)?;
    let stored = file.results(workout_id)?;
    let points: HashMap<Id, (u32, String)> = workout
        .timing_points
        .iter()
        .map(|point| (point.id, (point.order, point.name.clone())))
        .collect();
    let finish_segment = workout
        .timing_points
        .iter()
        .map(|point| point.order)
        .max()
        .unwrap_or(0)
        + 1;
    let incidents: HashMap<Entrant, Vec<String>> = stored
        .iter()
        .map(|result| {
            let entry = result.to_result_entry();
            (entry.entrant, entry.incidents)
        })
        .collect();

    // Everyone on the start list (heat lanes) and everyone with a result.
    let mut entrants: Vec<Entrant> = Vec::new();
    for heat in &workout.heats {
        for lane in &heat.lanes {
            if let Some(id) = lane.competitor_id {
                entrants.push(Entrant::Competitor(id));
            }
            if let Some(id) = lane.team_id {
                entrants.push(Entrant::Team(id));
            }
        }
    }
    for row in &rows {
        entrants.push(row.entrant);
    }
    let mut seen = std::collections::HashSet::new();
    entrants.retain(|entrant| seen.insert(*entrant));
    let relay = entrants
        .iter()
        .any(|entrant| matches!(entrant, Entrant::Team(_)));
    // Only this workout's entrants (and relay members), each looked up by key:
    // a wave of 150 in a file of 60,000 never loads the other athletes.
    let mut teams: HashMap<Id, Team> = HashMap::new();
    let mut competitor_ids: Vec<Id> = Vec::new();
    for entrant in &entrants {
        match entrant {
            Entrant::Competitor(id) => competitor_ids.push(*id),
            Entrant::Team(id) => {
                if let Some(team) = file.team(*id)? {
                    competitor_ids.extend(team.members.iter().map(|member| member.competitor_id));
                    teams.insert(*id, team);
                }
            }
        }
    }
    let mut competitors: HashMap<Id, Competitor> = HashMap::with_capacity(competitor_ids.len());
    for id in competitor_ids {
        if let std::collections::hash_map::Entry::Vacant(slot) = competitors.entry(id) {
            if let Some(competitor) = file.competitor(id)? {
                slot.insert(competitor);
            }
        }
    }
    let row_of: HashMap<Entrant, &RankedRow> = rows.iter().map(|row| (row.entrant, row)).collect();

    let mut participants: Vec<Participant> = entrants
        .iter()
        .map(|entrant| {
            let row = row_of.get(entrant).copied();
            let start_num = match entrant {
                Entrant::Competitor(id) => competitors
                    .get(id)
                    .map(|competitor| competitor.bib.clone())
                    .unwrap_or_default(),
                Entrant::Team(id) => teams
                    .get(id)
                    .and_then(|team| team.bib.clone())
                    .unwrap_or_default(),
            };
            Participant {
                entrant: *entrant,
                start_num,
                standings: row
                    .map(|row| standings_of(row, &points, finish_segment))
                    .unwrap_or_default(),
                status: row.and_then(|row| row.status),
                incidents: incidents.get(entrant).cloned().unwrap_or_default(),
            }
        })
        .collect();
    rank_segments(&mut participants);
    order_participants(&mut participants);

    let mut latest_segment: Option<(u32, String, usize)> = None;
    for participant in &participants {
        if let Some(standing) = participant.standings.last() {
            match &mut latest_segment {
                Some((segment, _, count)) if *segment == standing.segment_id => *count += 1,
                Some((segment, _, _)) if *segment > standing.segment_id => {}
                _ => latest_segment = Some((standing.segment_id, standing.name.clone(), 1)),
            }
        }
    }

    let status = if workout.state == PublicationState::Official {
        "official"
    } else if rows
        .iter()
        .any(|row| row.score.is_some() || !row.splits.is_empty())
    {
        "live"
    } else {
        "prerace"
    };
    let start_time = config_text(config, "start_time").or_else(|| {
        workout
            .heats
            .iter()
            .find_map(|heat| heat.start_time.clone())
    });

    let mut message = Map::new();
    message.insert(
        "date".into(),
        Utc::now()
            .to_rfc3339_opts(SecondsFormat::Millis, true)
            .into(),
    );
    if let Some(start_time) = start_time {
        message.insert("start_time".into(), start_time.into());
    }
    message.insert(
        "event_id".into(),
        text_or_null(config_text(config, "event_id").as_ref()),
    );
    message.insert(
        "event_name".into(),
        config_text(config, "event_name")
            .unwrap_or(competition.name)
            .into(),
    );
    message.insert("prog_id".into(), prog_id.into());
    message.insert("prog_name".into(), workout.name.clone().into());
    message.insert(
        "wetsuit".into(),
        config_text(config, "wetsuit")
            .unwrap_or_else(|| "false".to_string())
            .into(),
    );
    message.insert(
        "sandbox".into(),
        config_text(config, "sandbox")
            .unwrap_or_else(|| "true".to_string())
            .into(),
    );
    let count_key = if relay { "num_teams" } else { "num_athletes" };
    message.insert(count_key.into(), participants.len().to_string().into());
    message.insert("status".into(), status.into());
    message.insert(
        "latest".into(),
        match latest_segment {
            Some((segment, name, count)) => json!({
                "segment_id": segment.to_string(),
                "segment_name": name,
                count_key: count.to_string(),
            }),
            None => Value::Null,
        },
    );
    let mut conditions = Map::new();
    for key in ["air_temp", "water_temp"] {
        if let Some(value) = config_text(config, key) {
            conditions.insert(key.into(), value.into());
        }
    }
    if !conditions.is_empty() {
        message.insert("conditions".into(), Value::Object(conditions));
    }

    let mut list = Vec::with_capacity(participants.len());
    for participant in &participants {
        let mut object = Map::new();
        match participant.entrant {
            Entrant::Competitor(id) => {
                let competitor = competitors.get(&id);
                object.insert(
                    "id".into(),
                    text_or_null(
                        competitor.and_then(|c| c.external_ids.triathlon_athlete_id.as_ref()),
                    ),
                );
                object.insert("start_num".into(), participant.start_num.clone().into());
                object.insert(
                    "name".into(),
                    competitor
                        .map(|c| format!("{} {}", c.first_name, c.last_name))
                        .unwrap_or_default()
                        .into(),
                );
                object.insert(
                    "country".into(),
                    text_or_null(competitor.and_then(|c| c.country.as_ref())),
                );
                head_fields(participant, &options, &mut object);
                object.insert(
                    "splits".into(),
                    if participant.standings.is_empty() {
                        Value::Null
                    } else {
                        participant
                            .standings
                            .iter()
                            .map(|standing| split_json(standing, &options))
                            .collect()
                    },
                );
                if let Some(class) = competitor.and_then(|c| c.para_class.as_ref()) {
                    object.insert(
                        "paratriathlon".into(),
                        json!({"class": class, "compensation_time": null}),
                    );
                }
            }
            Entrant::Team(id) => {
                let team = teams.get(&id);
                object.insert(
                    "id".into(),
                    text_or_null(team.and_then(|t| t.external_ids.triathlon_athlete_id.as_ref())),
                );
                object.insert("start_num".into(), participant.start_num.clone().into());
                object.insert(
                    "name".into(),
                    team.map(|t| t.name.clone()).unwrap_or_default().into(),
                );
                object.insert(
                    "country".into(),
                    text_or_null(team.and_then(|t| t.country.as_ref())),
                );
                head_fields(participant, &options, &mut object);
                let mut members = team.map(|t| t.members.clone()).unwrap_or_default();
                members.sort_by_key(|member| member.order);
                let legs = members.len().max(1) as u32;
                let per_leg = config
                    .get("segments_per_leg")
                    .and_then(Value::as_u64)
                    .map(|n| n as u32)
                    .unwrap_or_else(|| finish_segment.div_ceil(legs).max(1));
                let athletes: Vec<Value> = members
                    .iter()
                    .map(|member| {
                        let competitor = competitors.get(&member.competitor_id);
                        let first = (member.order - 1) * per_leg + 1;
                        let last = member.order * per_leg;
                        let splits: Vec<Value> = participant
                            .standings
                            .iter()
                            .filter(|standing| {
                                standing.segment_id >= first
                                    && (standing.segment_id <= last
                                        || (member.order == legs
                                            && standing.segment_id == finish_segment))
                            })
                            .map(|standing| split_json(standing, &options))
                            .collect();
                        json!({
                            "id": text_or_null(competitor.and_then(|c| c.external_ids.triathlon_athlete_id.as_ref())),
                            "team_order": member.order.to_string(),
                            "name": competitor.map(|c| format!("{} {}", c.first_name, c.last_name)).unwrap_or_default(),
                            "country": text_or_null(competitor.and_then(|c| c.country.as_ref())),
                            "splits": if splits.is_empty() { Value::Null } else { Value::Array(splits) },
                        })
                    })
                    .collect();
                object.insert("athletes".into(), Value::Array(athletes));
            }
        }
        list.push(Value::Object(object));
    }
    message.insert(
        if relay { "teams" } else { "athletes" }.into(),
        Value::Array(list),
    );
    Ok(Value::Object(message))
}

/// The digest of a message's content: everything but the publication `date`.
pub fn content_digest(message: &Value) -> String {
    let mut content = message.clone();
    if let Some(object) = content.as_object_mut() {
        object.remove("date");
    }
    payload_digest(&content)
}

fn push_url(endpoint: &str, config: &Value) -> String {
    format!(
        "{}{}",
        endpoint.trim_end_matches('/'),
        config_text(config, "path").unwrap_or_else(|| "/v1/timing".to_string())
    )
}

/// The request a push would make (API key masked).
pub fn rendered_request(endpoint: &str, config: &Value, message: &Value) -> RenderedRequest {
    RenderedRequest {
        method: "POST".to_string(),
        url: format!("{} (header apikey: ***)", push_url(endpoint, config)),
        content_type: "application/json".to_string(),
        form: Vec::new(),
        body: serde_json::to_string_pretty(message).unwrap_or_default(),
    }
}

/// Pushes one message. `2xx` is the acknowledgement; the record stored is
/// the content digest, so the next push happens only on a change.
pub fn push(
    client: &reqwest::blocking::Client,
    endpoint: &str,
    config: &Value,
    api_key: &str,
    entity: &str,
    idempotency_key: &str,
    message: &Value,
) -> BatchResult {
    let body = message.to_string();
    let outcome = send(
        client
            .post(push_url(endpoint, config))
            .header("Content-Type", "application/json")
            .header("apikey", api_key)
            .header("Idempotency-Key", idempotency_key)
            .body(body),
    );
    match outcome {
        SendOutcome::Response { .. } => BatchResult::Done(vec![(
            0,
            ItemOutcome::Acked(Some(RemoteRecord {
                entity: entity.to_string(),
                remote_id: None,
                payload_digest: Some(content_digest(message)),
                payload: None,
            })),
        )]),
        failure => BatchResult::from_failure(failure),
    }
}

/// The latest message of each race, served as a hosted JSON file
/// (delivery option 1): `GET /<prog_id>.json`, or `GET /` for the only (or
/// first) race.
#[derive(Clone, Default)]
pub struct HostedFeed {
    messages: Arc<Mutex<Vec<(String, String)>>>,
}

impl HostedFeed {
    /// Replaces a race's message. Returns false when its content is
    /// unchanged (the file then keeps its old `date`).
    pub fn update(&self, prog_id: &str, message: &Value) -> bool {
        let mut messages = self
            .messages
            .lock()
            .unwrap_or_else(|error| error.into_inner());
        let text = message.to_string();
        let digest = content_digest(message);
        match messages.iter_mut().find(|(id, _)| id == prog_id) {
            Some((_, existing)) => {
                let unchanged = serde_json::from_str::<Value>(existing)
                    .map(|old| content_digest(&old) == digest)
                    .unwrap_or(false);
                if unchanged {
                    return false;
                }
                *existing = text;
            }
            None => messages.push((prog_id.to_string(), text)),
        }
        true
    }

    /// The current message of a race.
    pub fn message(&self, prog_id: Option<&str>) -> Option<String> {
        let messages = self
            .messages
            .lock()
            .unwrap_or_else(|error| error.into_inner());
        match prog_id {
            Some(prog_id) => messages
                .iter()
                .find(|(id, _)| id == prog_id)
                .map(|(_, text)| text.clone()),
            None => messages.first().map(|(_, text)| text.clone()),
        }
    }

    /// Serves the feed on `address` (e.g. `127.0.0.1:8787`).
    pub fn serve(&self, address: &str) -> Result<HttpServer> {
        let feed = self.clone();
        HttpServer::start(address, move |request| {
            if request.method != "GET" {
                return HttpReply::json(405, &json!({"error": "GET only"}));
            }
            let path = request.path.trim_start_matches('/');
            let prog_id = path.strip_suffix(".json").filter(|id| !id.is_empty());
            match feed.message(prog_id) {
                Some(text) => HttpReply {
                    status: 200,
                    headers: vec![
                        ("Content-Type".to_string(), "application/json".to_string()),
                        ("Cache-Control".to_string(), "no-store".to_string()),
                    ],
                    body: text.into_bytes(),
                },
                None => HttpReply::json(404, &json!({"error": "no timing message yet"})),
            }
        })
        .map_err(|error| SyncError::Config {
            target: "hosted feed".to_string(),
            message: format!("cannot listen on {address}: {error}"),
        })
    }
}

/// World Triathlon Live Timing as a sync platform: one full-state message
/// per race (`workout/<id>` rows), pushed only when its content changed;
/// with config `delivery: hosted` it is only served as a JSON file and
/// needs no secret.
pub struct LiveTimingAdapter;

impl SyncAdapter for LiveTimingAdapter {
    fn code(&self) -> &'static str {
        "world_triathlon"
    }

    fn name(&self) -> &'static str {
        "World Triathlon"
    }

    fn remote_id_label(&self) -> &'static str {
        "World Triathlon prog_id"
    }

    fn secret_hint(&self) -> &'static str {
        "API key (not needed for hosted delivery)"
    }

    fn settings(&self) -> Vec<crate::settings::SettingInfo> {
        use crate::settings::SettingInfo;
        vec![
            SettingInfo::choice(
                "delivery",
                "Delivery",
                "Push each message to the endpoint, or host it as a JSON file for World Triathlon to fetch.",
                &[("push", "Push to the endpoint"), ("hosted", "Hosted JSON file")],
            ),
            SettingInfo::text("event_id", "Event id", "World Triathlon's id of the event."),
            SettingInfo::text("event_name", "Event name", "As the message names the event.")
                .default_value("the competition's name"),
            SettingInfo::text("start_time", "Start time", "ISO 8601; else the first heat's start.")
                .default_value("the first heat's start"),
            SettingInfo::flag("sandbox", "Sandbox", "Send to World Triathlon's sandbox (not published).")
                .default_value("true"),
            SettingInfo::flag("wetsuit", "Wetsuit swim", "Whether wetsuits were allowed.")
                .default_value("false"),
            SettingInfo::flag(
                "whole_seconds",
                "Whole seconds",
                "Round times up to the next whole second, as the standard shows them.",
            )
            .default_value("false"),
            SettingInfo::text("air_temp", "Air temperature", "Sent under conditions."),
            SettingInfo::text("water_temp", "Water temperature", "Sent under conditions."),
            SettingInfo::text("path", "Request path", "Where messages are posted.")
                .default_value("/v1/timing"),
        ]
    }

    fn scope(&self) -> EntityScope {
        EntityScope::Workout
    }

    fn validate(&self, spec: &TargetSpec) -> std::result::Result<(), String> {
        for workout in &spec.workouts {
            if workout.remote_id.trim().parse::<u64>().is_err() {
                return Err(format!(
                    "workout {}: World Triathlon prog_id {:?} must be a number",
                    workout.workout_id, workout.remote_id
                ));
            }
        }
        Ok(())
    }

    fn needs_secret(&self, config: &Value) -> bool {
        config.get("delivery").and_then(Value::as_str) != Some("hosted")
    }

    fn full_state(&self) -> bool {
        true
    }

    fn session(&self) -> Box<dyn AdapterSession> {
        Box::new(LiveTimingSession)
    }
}

struct LiveTimingSession;

impl AdapterSession for LiveTimingSession {
    fn send(&mut self, context: &mut SendContext<'_>, items: &[OutboxItem]) -> Result<BatchResult> {
        push_live_timing(context, items)
    }

    fn preview(&mut self, context: &AdapterContext<'_>, items: &[OutboxItem]) -> Result<Preview> {
        let target = context.target;
        let mut preview = Preview::default();
        for item in items {
            let Some(workout_id) = item.workout_id else {
                continue;
            };
            let Some(prog_id) = context.workout_remote_id(workout_id) else {
                continue;
            };
            let message = build_message(context.file, workout_id, prog_id, &target.config)?;
            let unchanged = context
                .remote
                .get(&item.entity)
                .and_then(|record| record.payload_digest.as_deref())
                == Some(content_digest(&message).as_str());
            preview.changes.push(PreviewChange {
                entity: item.entity.clone(),
                action: if unchanged { "unchanged" } else { "update" }.to_string(),
                before: None,
                after: Some(message.clone()),
                note: None,
            });
            if !unchanged {
                preview
                    .requests
                    .push(rendered_request(&target.endpoint, &target.config, &message));
            }
        }
        Ok(preview)
    }
}

/// World Triathlon: one message per race, only when its content changed,
/// at most one push per `live_timing_interval`.
fn push_live_timing(context: &mut SendContext<'_>, items: &[OutboxItem]) -> Result<BatchResult> {
    let target = context.target;
    let remote = context.remote;
    let hosted_only = target.config.get("delivery").and_then(Value::as_str) == Some("hosted");
    let mut outcomes = Vec::new();
    for (index, item) in items.iter().enumerate() {
        let Some(workout_id) = item.workout_id else {
            outcomes.push((item.id, ItemOutcome::Skipped("not a race".to_string())));
            continue;
        };
        let Some(prog_id) = target
            .workouts
            .iter()
            .find(|workout| workout.workout_id == workout_id)
            .map(|workout| workout.remote_id.clone())
        else {
            outcomes.push((item.id, ItemOutcome::Skipped("race not mapped".to_string())));
            continue;
        };
        let message = build_message(context.file, workout_id, &prog_id, &target.config)?;
        if let Some(feed) = &context.options.hosted_feed {
            feed.update(&prog_id, &message);
        }
        let digest = content_digest(&message);
        let unchanged = remote
            .get(&item.entity)
            .and_then(|record| record.payload_digest.as_deref())
            == Some(digest.as_str());
        if unchanged {
            outcomes.push((
                item.id,
                ItemOutcome::Skipped("message unchanged".to_string()),
            ));
            continue;
        }
        if hosted_only {
            outcomes.push((
                item.id,
                ItemOutcome::Acked(Some(RemoteRecord {
                    entity: item.entity.clone(),
                    remote_id: None,
                    payload_digest: Some(digest),
                    payload: None,
                })),
            ));
            continue;
        }
        // Rate limit across processes: the last push time is stored
        // before each push.
        let last_push_ms = target
            .remote_state
            .get("last_push_ms")
            .and_then(Value::as_i64)
            .unwrap_or(0);
        let interval = context.options.live_timing_interval.as_millis() as i64;
        let now_ms = Utc::now().timestamp_millis();
        let state_now = context.file.sync_target(&target.name)?.remote_state;
        let stored_last = state_now
            .get("last_push_ms")
            .and_then(Value::as_i64)
            .unwrap_or(last_push_ms);
        if now_ms - stored_last < interval {
            std::thread::sleep(std::time::Duration::from_millis(
                (interval - (now_ms - stored_last)) as u64,
            ));
        }
        // Re-render after the wait: changes during it are folded in.
        let message = if now_ms - stored_last < interval {
            build_message(context.file, workout_id, &prog_id, &target.config)?
        } else {
            message
        };
        let mut state = state_now;
        if !state.is_object() {
            state = Value::Object(Default::default());
        }
        state["last_push_ms"] = Value::from(Utc::now().timestamp_millis());
        context.file.set_sync_remote_state(target.id, &state)?;
        let key = idempotency_header(&[item.idempotency_key.as_deref().unwrap_or("")]);
        let result = push(
            context.client,
            &target.endpoint,
            &target.config,
            context.secret.unwrap_or(""),
            &item.entity,
            &key,
            &message,
        );
        // The gap is measured from when the previous push completed, so
        // a slow request cannot bring two arrivals closer than the interval.
        state["last_push_ms"] = Value::from(Utc::now().timestamp_millis());
        context.file.set_sync_remote_state(target.id, &state)?;
        match result {
            BatchResult::Done(mut pushed) => {
                let outcome = pushed.pop().map(|(_, outcome)| outcome);
                outcomes.push((
                    item.id,
                    outcome.unwrap_or(ItemOutcome::Unconfirmed(
                        "Live Timing gave no answer for this race".into(),
                    )),
                ));
            }
            failure if index == 0 && items.len() == 1 => return Ok(failure),
            BatchResult::Rejected { message } => {
                outcomes.push((item.id, ItemOutcome::Rejected(message)))
            }
            BatchResult::Retryable {
                message,
                retry_after,
            } => outcomes.push((
                item.id,
                ItemOutcome::Retry {
                    message,
                    retry_after,
                },
            )),
            BatchResult::Ambiguous { message } => {
                outcomes.push((item.id, ItemOutcome::Unconfirmed(message)))
            }
        }
    }
    Ok(BatchResult::Done(outcomes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_seconds_round_up_as_the_standard_shows() {
        let options = Options {
            whole_seconds: true,
        };
        let at = |s: Millis, ms: Millis| duration_text(9 * 60_000 + s * 1000 + ms, &options);
        assert_eq!(at(14, 0), "00:09:14");
        assert_eq!(at(14, 1), "00:09:15");
        assert_eq!(at(14, 500), "00:09:15");
        assert_eq!(at(14, 999), "00:09:15");
        assert_eq!(at(15, 0), "00:09:15");
        let exact = Options {
            whole_seconds: false,
        };
        assert_eq!(duration_text(1_117_911, &exact), "00:18:37.911");
    }

    #[test]
    fn statuses_map_to_the_standard_words() {
        assert_eq!(triathlon_status(Status::Dsq), "DSQ");
        assert_eq!(triathlon_status(Status::Wd), "DNF");
        assert_eq!(triathlon_status(Status::Dnq), "NC");
        assert_eq!(triathlon_status(Status::Lap), "LAP");
    }

    #[test]
    fn the_digest_ignores_the_publication_date() {
        let a = json!({"date": "2017-03-04T18:25:11+04:00", "status": "live"});
        let b = json!({"date": "2017-03-04T18:25:12+04:00", "status": "live"});
        let c = json!({"date": "2017-03-04T18:25:12+04:00", "status": "official"});
        assert_eq!(content_digest(&a), content_digest(&b));
        assert_ne!(content_digest(&a), content_digest(&c));
    }
}
