//! RunSignup "Post Event Results" (seed 001).
//!
//! `POST {endpoint}/rest/race/{race_id}/results/full-results` with the form
//! fields `event_id` (the workout's mapped id), `individual_result_set_id`
//! (when configured: needed when an event has several result sets),
//! `request_format` (`json`, `csv` or `xml`, config `request_format`) and
//! `request`. Authentication (config `auth`): `api_key` sends `api_key` and
//! `api_secret` as query parameters; `rsu_api_key` (API v2) sends `rsu_api_key`
//! in the query and the secret in the `X-RSU-API-SECRET` header. The secret is
//! stored as `key:secret`. `tmp_key` is never combined with `api_key`.
//!
//! Result fields come from the export crate's RunSignup renderer (the same
//! fields a manual upload has), then:
//!
//! - matching (config `match_by`): `registration_id` (falls back to `bib`
//!   for entrants without one), `bib`, or `chip` (`chip_num`, the first chip);
//! - `result_id` is added once the platform has told us its id, so a re-send
//!   edits instead of adding a second result;
//! - `split-<id>`: blank never clears on RunSignup, so a split that was
//!   acknowledged before and is now gone is sent as `X`;
//! - placements (config `placements`): `auto` (default) leaves `place` and
//!   `division-<id>-place` out, RunSignup calculates them; `hard_coded` sends
//!   them (the result set must have division calculation disabled);
//! - custom fields (config `custom_fields`: RunSignup custom field id ->
//!   `club`, `country`, `gender`, `para_class` or `date_of_birth`) as
//!   `custom-field-<id>`;
//! - statuses: `DQ`, `DNS`, `DNF`, `DNQ` in the time fields (export policy,
//!   config `status_policy`: `reject` or `map_to_nearest`).
//!
//! The response must be JSON without an `error` member. Result ids in it
//! (`results[].result_id` by `bib` or `registration_id`) are stored; when a
//! response has none, they are read back with get-results.
//!
//! Reconcile reads `GET {endpoint}/rest/race/{race_id}/results/get-results`
//! (`event_id`, `format=json`) and stores every `result_id` it can match; a
//! row whose `clock_time` and `chip_time` already equal what would be sent is
//! acknowledged without posting.

use std::collections::{BTreeMap, HashMap, HashSet};

use reqwest::blocking::RequestBuilder;
use scoretable_core::model::Id;
use scoretable_core::model::{Competitor, Entrant, RankedRow, Team, Workout};
use scoretable_core::runsignup::{
    render_json, render_xml, runsignup_status_code, RunSignupEntrant, RunSignupOptions,
    RunSignupRefusal, RunSignupResult, RunSignupStatusPolicy, RunSignupValue,
};
use scoretable_store::{OutboxItem, QueuedEntity, RemoteRecord};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::adapter::{
    idempotency_header, payload_digest, AdapterContext, BatchResult, ItemOutcome, Preview,
    PreviewChange, RenderedRequest, Verdict,
};
use crate::client::{send, SendOutcome};
use crate::credentials::split_pair;
use crate::error::{Result, SyncError};
use crate::registry::DuplicateCheck;

/// Request body format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum RequestFormat {
    #[default]
    Json,
    Csv,
    Xml,
}

/// How the secret is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum RunSignupAuth {
    /// `api_key` and `api_secret` query parameters.
    #[default]
    ApiKey,
    /// `rsu_api_key` query parameter and the `X-RSU-API-SECRET` header.
    RsuApiKey,
}

/// How registrants are matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum MatchBy {
    #[default]
    RegistrationId,
    Bib,
    Chip,
}

/// Division placement handling.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Placements {
    #[default]
    Auto,
    HardCoded,
}

/// A RunSignup target's configuration (`sync_targets.config`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct RunSignupConfig {
    pub race_id: String,
    pub request_format: RequestFormat,
    pub auth: RunSignupAuth,
    pub match_by: MatchBy,
    pub placements: Placements,
    /// `individual_result_set_id` by Scoretable workout id.
    pub result_set_ids: BTreeMap<String, String>,
    /// RunSignup split ids by Scoretable timing point id.
    pub split_ids: Option<BTreeMap<Id, String>>,
    /// RunSignup division ids by Scoretable division id (hard-coded placements).
    pub division_ids: BTreeMap<Id, String>,
    /// RunSignup custom field id -> Scoretable competitor field.
    pub custom_fields: BTreeMap<String, String>,
    pub status_policy: RunSignupStatusPolicy,
}

impl RunSignupConfig {
    /// Parses and checks a target's config.
    pub fn from_value(target: &str, value: &Value) -> Result<RunSignupConfig> {
        let config: RunSignupConfig =
            serde_json::from_value(normalize_ids(value)).map_err(|error| SyncError::Config {
                target: target.to_string(),
                message: format!("RunSignup config: {error}"),
            })?;
        if config.race_id.is_empty() || !config.race_id.bytes().all(|b| b.is_ascii_digit()) {
            return Err(SyncError::Config {
                target: target.to_string(),
                message: "RunSignup needs a numeric race_id".to_string(),
            });
        }
        for field in config.custom_fields.values() {
            if !["club", "country", "gender", "para_class", "date_of_birth"]
                .contains(&field.as_str())
            {
                return Err(SyncError::Config {
                    target: target.to_string(),
                    message: format!("unknown custom field source {field:?}"),
                });
            }
        }
        Ok(config)
    }
}

/// `race_id` may be given as a number.
fn normalize_ids(value: &Value) -> Value {
    let mut value = value.clone();
    if let Some(Value::Number(number)) = value.get("race_id").cloned() {
        value["race_id"] = Value::String(number.to_string());
    }
    value
}

/// The results of the whole file in RunSignup fields, computed once per
/// state of the file (keyed by the outbox change sequence).
pub struct RunSignupSnapshot {
    pub version: i64,
    competitors: Vec<Competitor>,
    teams: Vec<Team>,
    /// Each workout with its whole field's ranked rows.
    workouts: Vec<(Workout, Vec<RankedRow>)>,
    /// Per workout: bib -> result fields.
    results: HashMap<Id, HashMap<String, RunSignupResult>>,
    /// Competitor id -> index in `competitors`.
    competitor_index: HashMap<Id, usize>,
    /// Per workout: bib -> why its row cannot be sent (a status RunSignup
    /// has no code for, under `status_policy: reject`).
    unsupported: HashMap<Id, HashMap<String, String>>,
}

impl RunSignupSnapshot {
    /// Reads what RunSignup's fields are made of (competitors, teams, each
    /// workout's whole-field leaderboard) in one read snapshot of the file.
    pub fn gather(context: &AdapterContext<'_>, version: i64) -> Result<RunSignupSnapshot> {
        let file = context.file;
        let read = |error: scoretable_store::StoreError| {
            SyncError::Export(format!("reading the results snapshot: {error}"))
        };
        let (competitors, teams, workouts) = file.read_snapshot(|file| {
            let competitors = file.competitors().map_err(read)?;
            let teams = file.teams().map_err(read)?;
            let mut workouts = Vec::new();
            for workout in file.workouts().map_err(read)? {
                let rows = file.workout_leaderboard(workout.id, None).map_err(read)?;
                workouts.push((workout, rows));
            }
            Ok::<_, SyncError>((competitors, teams, workouts))
        })?;
        let competitor_index = competitors
            .iter()
            .enumerate()
            .map(|(index, competitor)| (competitor.id, index))
            .collect();
        Ok(RunSignupSnapshot {
            version,
            competitors,
            teams,
            workouts,
            results: HashMap::new(),
            competitor_index,
            unsupported: HashMap::new(),
        })
    }

    /// What RunSignup's fields show of one entrant.
    fn runsignup_entrant(&self, entrant: Entrant) -> Option<RunSignupEntrant> {
        match entrant {
            Entrant::Competitor(id) => self.competitor(id).map(|competitor| {
                let name = match (competitor.first_name.trim(), competitor.last_name.trim()) {
                    ("", last) => last.to_string(),
                    (first, "") => first.to_string(),
                    (first, last) => format!("{first} {last}"),
                };
                RunSignupEntrant {
                    bib: competitor.bib.clone(),
                    name,
                    first_name: competitor.first_name.clone(),
                    last_name: competitor.last_name.clone(),
                    gender: competitor.gender,
                    country: competitor.country.clone(),
                    club: competitor.club.clone(),
                    registration_id: competitor.external_ids.runsignup_registration_id.clone(),
                }
            }),
            Entrant::Team(id) => {
                self.teams
                    .iter()
                    .find(|team| team.id == id)
                    .map(|team| RunSignupEntrant {
                        bib: team.bib.clone().unwrap_or_default(),
                        name: team.name.clone(),
                        first_name: String::new(),
                        last_name: team.name.clone(),
                        gender: None,
                        country: team.country.clone(),
                        club: None,
                        registration_id: team.external_ids.runsignup_registration_id.clone(),
                    })
            }
        }
    }

    fn workout_results(
        &mut self,
        workout_id: Id,
        config: &RunSignupConfig,
    ) -> std::result::Result<&HashMap<String, RunSignupResult>, String> {
        if !self.results.contains_key(&workout_id) {
            // A status RunSignup has no code for (LAP, NC, WD) must refuse
            // only that entrant's row under the default policy, never the
            // whole workout: render with the nearest codes, then mark those
            // rows refused.
            if config.status_policy == RunSignupStatusPolicy::Reject {
                let mut refused = HashMap::new();
                let board = self
                    .workouts
                    .iter()
                    .find(|(workout, _)| workout.id == workout_id);
                let workout_name = board
                    .map(|(workout, _)| workout.name.clone())
                    .unwrap_or_default();
                if let Some((_, rows)) = board {
                    for row in rows {
                        let Some(status) = row.status else { continue };
                        if runsignup_status_code(status).is_some() {
                            continue;
                        }
                        let bib = match row.entrant {
                            scoretable_core::model::Entrant::Competitor(id) => {
                                self.competitor(id).map(|competitor| competitor.bib.clone())
                            }
                            scoretable_core::model::Entrant::Team(id) => self
                                .teams
                                .iter()
                                .find(|team| team.id == id)
                                .and_then(|team| team.bib.clone()),
                        };
                        if let Some(bib) = bib {
                            refused.insert(
                                bib.clone(),
                                format!(
                                    "workout \"{workout_name}\": bib {bib} has status {status}, \
                                     which RunSignup does not accept (it takes DQ, DNS, DNF and \
                                     DNQ); set status_policy=map_to_nearest on the target to \
                                     send LAP and NC as DNF and WD as DNS, or amend the status"
                                ),
                            );
                        }
                    }
                }
                self.unsupported.insert(workout_id, refused);
            }
            let options = RunSignupOptions {
                division_id: None,
                status_policy: RunSignupStatusPolicy::MapToNearest,
                split_ids: config.split_ids.clone(),
                division_ids: match config.placements {
                    Placements::Auto => BTreeMap::new(),
                    Placements::HardCoded => config.division_ids.clone(),
                },
                ..RunSignupOptions::default()
            };
            let (workout, board) = self
                .workouts
                .iter()
                .find(|(workout, _)| workout.id == workout_id)
                .ok_or_else(|| format!("the file has no workout with id {workout_id}"))?;
            let entrant_of = |entrant: Entrant| -> std::result::Result<RunSignupEntrant, RowError> {
                self.runsignup_entrant(entrant).ok_or_else(|| {
                    RowError(format!(
                        "a leaderboard lists {entrant:?}, but the file has no such competitor or team"
                    ))
                })
            };
            let mut rows = Vec::with_capacity(board.len());
            scoretable_core::runsignup::for_each_result(
                workout,
                board,
                &options,
                &entrant_of,
                &mut |result| {
                    rows.push(result);
                    Ok(())
                },
            )
            .map_err(|RowError(message)| message)?;
            let mut by_bib = HashMap::with_capacity(rows.len());
            for row in rows {
                let bib = row
                    .fields
                    .iter()
                    .find(|(name, _)| name == "bib")
                    .map(|(_, value)| value.as_text().to_string())
                    .unwrap_or_default();
                by_bib.insert(bib, row);
            }
            self.results.insert(workout_id, by_bib);
        }
        Ok(&self.results[&workout_id])
    }

    fn competitor(&self, competitor_id: Id) -> Option<&scoretable_core::model::Competitor> {
        self.competitor_index
            .get(&competitor_id)
            .map(|index| &self.competitors[*index])
    }

    fn entrant_bib(&self, item: &OutboxItem) -> Option<String> {
        if let Some(competitor_id) = item.competitor_id {
            return self
                .competitor(competitor_id)
                .map(|competitor| competitor.bib.clone());
        }
        let team_id = item.team_id?;
        self.teams
            .iter()
            .find(|team| team.id == team_id)
            .and_then(|team| team.bib.clone())
    }
}

/// Why a workout's rows could not be rendered, as the sync reports it.
struct RowError(String);

impl From<RunSignupRefusal> for RowError {
    fn from(refusal: RunSignupRefusal) -> RowError {
        RowError(refusal.to_string())
    }
}

/// Whether a RunSignup field carries a place computed from other entrants'
/// results: the overall place, a division place or a split place.
fn is_place_field(name: &str) -> bool {
    name == "place"
        || (name.starts_with("division-") || name.starts_with("split-")) && name.ends_with("-place")
}

/// The workout and entrant of a result entity (`result/<workout>/c<id>` or
/// `result/<workout>/t<id>`).
fn result_entity(entity: &str) -> Option<(Id, Option<Id>, Option<Id>)> {
    let rest = entity.strip_prefix("result/")?;
    let (workout, entrant) = rest.split_once('/')?;
    let workout: Id = workout.parse().ok()?;
    if let Some(id) = entrant.strip_prefix('c') {
        return Some((workout, Some(id.parse().ok()?), None));
    }
    let id = entrant.strip_prefix('t')?;
    Some((workout, None, Some(id.parse().ok()?)))
}

/// With hard-coded placements every row on RunSignup carries places, so a
/// result entered, amended or removed for one entrant (or an entrant moved
/// to another division) changes the places of rows already sent for
/// others. Returns the acknowledged rows whose places, as rendered now,
/// differ from what RunSignup holds, to be queued again; none when
/// RunSignup computes the places itself.
pub fn moved_places(
    context: &AdapterContext<'_>,
    snapshot: &mut RunSignupSnapshot,
) -> Result<Vec<QueuedEntity>> {
    let config = RunSignupConfig::from_value(&context.target.name, &context.target.config)?;
    if config.placements != Placements::HardCoded {
        return Ok(Vec::new());
    }
    let records = context.file.sync_remote_records(context.target.id)?;
    let mut entities: Vec<&String> = records.keys().collect();
    entities.sort();
    let mut moved = Vec::new();
    for entity in entities {
        let record = &records[entity];
        let Some(sent) = record.payload.as_ref().and_then(Value::as_object) else {
            continue;
        };
        let Some((workout_id, competitor_id, team_id)) = result_entity(entity) else {
            continue;
        };
        let item_bib = match (competitor_id, team_id) {
            (Some(id), _) => snapshot
                .competitor(id)
                .map(|competitor| competitor.bib.clone()),
            (None, Some(id)) => snapshot
                .teams
                .iter()
                .find(|team| team.id == id)
                .and_then(|team| team.bib.clone()),
            (None, None) => None,
        };
        let Some(bib) = item_bib else { continue };
        let Ok(rows) = snapshot.workout_results(workout_id, &config) else {
            continue;
        };
        let sent_text = |name: &str| sent.get(name).and_then(Value::as_str).unwrap_or("");
        let stale = match rows.get(&bib) {
            // The result is gone: its removal is queued by the change itself.
            None => false,
            Some(row) => {
                row.fields
                    .iter()
                    .any(|(name, value)| is_place_field(name) && sent_text(name) != value.as_text())
                    || sent.keys().any(|name| {
                        is_place_field(name)
                            && !sent_text(name).is_empty()
                            && !row.fields.iter().any(|(field, _)| field == name)
                    })
            }
        };
        if stale {
            moved.push(QueuedEntity {
                entity: entity.clone(),
                workout_id: Some(workout_id),
                competitor_id,
                team_id,
            });
        }
    }
    Ok(moved)
}

/// What one row would send.
enum Planned {
    Send {
        fields: Vec<(String, RunSignupValue)>,
        payload: Value,
    },
    Reject(String),
    Skip(String),
}

fn fields_payload(fields: &[(String, RunSignupValue)]) -> Value {
    let mut map = Map::new();
    for (name, value) in fields {
        if name == "result_id" || matches!(value, RunSignupValue::Blank) {
            continue;
        }
        map.insert(name.clone(), Value::String(value.as_text().to_string()));
    }
    Value::Object(map)
}

fn plan_item(
    context: &AdapterContext<'_>,
    config: &RunSignupConfig,
    snapshot: &mut RunSignupSnapshot,
    item: &OutboxItem,
) -> Planned {
    let Some(workout_id) = item.workout_id else {
        return Planned::Skip("not a result".to_string());
    };
    let remote = context.remote.get(&item.entity);
    let Some(bib) = snapshot.entrant_bib(item) else {
        return Planned::Skip("the entrant no longer exists".to_string());
    };
    let competitor = item
        .competitor_id
        .and_then(|id| snapshot.competitor(id).cloned());
    let results = match snapshot.workout_results(workout_id, config) {
        Ok(results) => results,
        Err(message) => return Planned::Reject(message),
    };
    let Some(result) = results.get(&bib).cloned() else {
        return match remote.and_then(|record| record.remote_id.as_ref()) {
            Some(result_id) => Planned::Reject(format!(
                "bib {bib} has no result any more, but RunSignup's Post Event Results cannot \
                 delete one: remove result {result_id} on RunSignup"
            )),
            None => Planned::Skip("no result to send (never sent, now removed)".to_string()),
        };
    };
    if let Some(message) = snapshot
        .unsupported
        .get(&workout_id)
        .and_then(|refused| refused.get(&bib))
    {
        return Planned::Reject(message.clone());
    }
    let mut fields: Vec<(String, RunSignupValue)> = Vec::with_capacity(result.fields.len() + 4);
    let registration_id = competitor
        .as_ref()
        .and_then(|competitor| competitor.external_ids.runsignup_registration_id.clone());
    if let Some(result_id) = remote.and_then(|record| record.remote_id.clone()) {
        fields.push(("result_id".to_string(), RunSignupValue::Number(result_id)));
    }
    let previous = remote.and_then(|record| record.payload.as_ref());
    for (name, value) in &result.fields {
        match name.as_str() {
            "place" if config.placements == Placements::Auto => continue,
            "registration_id" => continue,
            name if name.starts_with("division-") && config.placements == Placements::Auto => {
                continue
            }
            name if name.starts_with("split-") && !name.ends_with("-place") => {
                let was_sent = previous
                    .and_then(|payload| payload.get(name))
                    .and_then(Value::as_str)
                    .is_some_and(|text| !text.is_empty() && text != "X");
                if matches!(value, RunSignupValue::Blank) && was_sent {
                    fields.push((name.to_string(), RunSignupValue::Text("X".to_string())));
                    continue;
                }
            }
            _ => {}
        }
        fields.push((name.clone(), value.clone()));
    }
    match config.match_by {
        MatchBy::RegistrationId => {
            if let Some(id) = registration_id {
                fields.insert(
                    usize::from(remote.is_some_and(|record| record.remote_id.is_some())),
                    ("registration_id".to_string(), RunSignupValue::Number(id)),
                );
            }
        }
        MatchBy::Bib => {}
        MatchBy::Chip => {
            let chip = competitor
                .as_ref()
                .and_then(|competitor| competitor.chip_ids.first().cloned());
            match chip {
                Some(chip) => fields.push(("chip_num".to_string(), RunSignupValue::Text(chip))),
                None => {
                    return Planned::Reject(format!(
                        "bib {bib} has no chip, but this target matches registrants by chip"
                    ))
                }
            }
        }
    }
    if let Some(competitor) = &competitor {
        for (field_id, source) in &config.custom_fields {
            let value = match source.as_str() {
                "club" => competitor.club.clone(),
                "country" => competitor.country.clone(),
                "gender" => competitor
                    .gender
                    .map(|gender| scoretable_core::model::gender_text(Some(gender)).to_string()),
                "para_class" => competitor.para_class.clone(),
                "date_of_birth" => competitor.date_of_birth.clone(),
                _ => None,
            };
            fields.push((
                format!("custom-field-{field_id}"),
                value.map_or(RunSignupValue::Blank, RunSignupValue::Text),
            ));
        }
    }
    let payload = fields_payload(&fields);
    if previous == Some(&payload) && remote.is_some_and(|record| record.remote_id.is_some()) {
        return Planned::Skip("unchanged on RunSignup".to_string());
    }
    Planned::Send { fields, payload }
}

fn render_request(
    format: RequestFormat,
    results: &[RunSignupResult],
) -> std::result::Result<String, String> {
    match format {
        RequestFormat::Json => Ok(String::from_utf8_lossy(&render_json(results)).into_owned()),
        RequestFormat::Xml => Ok(String::from_utf8_lossy(&render_xml(results)).into_owned()),
        RequestFormat::Csv => {
            // CSV needs one header for every row: the union of field names in
            // first-seen order; a field a row lacks is blank (never clears).
            let mut header: Vec<String> = Vec::new();
            for result in results {
                for (name, _) in &result.fields {
                    if !header.contains(name) {
                        header.push(name.clone());
                    }
                }
            }
            let mut writer = csv::Writer::from_writer(Vec::new());
            writer
                .write_record(&header)
                .map_err(|error| error.to_string())?;
            for result in results {
                let row: Vec<&str> = header
                    .iter()
                    .map(|name| {
                        result
                            .fields
                            .iter()
                            .find(|(field, _)| field == name)
                            .map_or("", |(_, value)| value.as_text())
                    })
                    .collect();
                writer
                    .write_record(&row)
                    .map_err(|error| error.to_string())?;
            }
            let bytes = writer.into_inner().map_err(|error| error.to_string())?;
            Ok(String::from_utf8_lossy(&bytes).into_owned())
        }
    }
}

fn format_code(format: RequestFormat) -> &'static str {
    match format {
        RequestFormat::Json => "json",
        RequestFormat::Csv => "csv",
        RequestFormat::Xml => "xml",
    }
}

/// Adds the credentials to a request per the configured method.
fn authorize(
    builder: RequestBuilder,
    config: &RunSignupConfig,
    target: &str,
    secret: Option<&str>,
) -> Result<RequestBuilder> {
    let secret = secret.ok_or_else(|| SyncError::MissingSecret {
        target: target.to_string(),
    })?;
    let (key, api_secret) = split_pair(target, secret)?;
    Ok(match config.auth {
        RunSignupAuth::ApiKey => builder.query(&[("api_key", key), ("api_secret", api_secret)]),
        RunSignupAuth::RsuApiKey => builder
            .query(&[("rsu_api_key", key)])
            .header("X-RSU-API-SECRET", api_secret),
    })
}

fn masked_url(context: &AdapterContext<'_>, config: &RunSignupConfig, path: &str) -> String {
    let auth = match config.auth {
        RunSignupAuth::ApiKey => "api_key=***&api_secret=***",
        RunSignupAuth::RsuApiKey => "rsu_api_key=*** (+ X-RSU-API-SECRET header)",
    };
    format!("{}?format=json&{auth}", context.url(path))
}

fn results_path(config: &RunSignupConfig) -> String {
    format!("/rest/race/{}/results/full-results", config.race_id)
}

/// One row ready to send: the row, its fields, and the payload stored on
/// acknowledgement.
type PlannedRow = (OutboxItem, Vec<(String, RunSignupValue)>, Value);

struct PlannedBatch {
    workout_id: Id,
    event_id: String,
    result_set_id: Option<String>,
    items: Vec<PlannedRow>,
}

fn plan_batch(
    context: &AdapterContext<'_>,
    config: &RunSignupConfig,
    snapshot: &mut RunSignupSnapshot,
    items: &[OutboxItem],
    outcomes: &mut Vec<(Id, ItemOutcome)>,
    changes: Option<&mut Vec<PreviewChange>>,
) -> Vec<PlannedBatch> {
    let mut batches: Vec<PlannedBatch> = Vec::new();
    let mut changes = changes;
    for item in items {
        let before = context
            .remote
            .get(&item.entity)
            .and_then(|record| record.payload.clone());
        let planned = plan_item(context, config, snapshot, item);
        if let Some(changes) = changes.as_deref_mut() {
            let (action, after, note) = match &planned {
                Planned::Send { payload, .. } => (
                    if before.is_some() { "update" } else { "create" },
                    Some(payload.clone()),
                    None,
                ),
                Planned::Reject(message) => ("cannot_send", None, Some(message.clone())),
                Planned::Skip(reason) => (
                    if before.is_some() {
                        "unchanged"
                    } else {
                        "nothing_to_send"
                    },
                    None,
                    Some(reason.clone()),
                ),
            };
            changes.push(PreviewChange {
                entity: item.entity.clone(),
                action: action.to_string(),
                before: before.clone(),
                after,
                note,
            });
        }
        match planned {
            Planned::Reject(message) => outcomes.push((item.id, ItemOutcome::Rejected(message))),
            Planned::Skip(reason) => outcomes.push((item.id, ItemOutcome::Skipped(reason))),
            Planned::Send { fields, payload } => {
                let workout_id = item.workout_id.unwrap_or_default();
                let Some(event_id) = context.workout_remote_id(workout_id) else {
                    outcomes.push((
                        item.id,
                        ItemOutcome::Rejected(format!(
                            "workout {workout_id} has no RunSignup event_id"
                        )),
                    ));
                    continue;
                };
                match batches
                    .iter_mut()
                    .find(|batch| batch.workout_id == workout_id)
                {
                    Some(batch) => batch.items.push((item.clone(), fields, payload)),
                    None => batches.push(PlannedBatch {
                        workout_id,
                        event_id: event_id.to_string(),
                        result_set_id: config.result_set_ids.get(&workout_id.to_string()).cloned(),
                        items: vec![(item.clone(), fields, payload)],
                    }),
                }
            }
        }
    }
    batches
}

fn form_fields(
    config: &RunSignupConfig,
    batch: &PlannedBatch,
) -> std::result::Result<Vec<(String, String)>, String> {
    let results: Vec<RunSignupResult> = batch
        .items
        .iter()
        .map(|(_, fields, _)| RunSignupResult {
            fields: fields.clone(),
        })
        .collect();
    let request = render_request(config.request_format, &results)?;
    let mut form = vec![
        ("race_id".to_string(), config.race_id.clone()),
        ("event_id".to_string(), batch.event_id.clone()),
    ];
    if let Some(result_set_id) = &batch.result_set_id {
        form.push((
            "individual_result_set_id".to_string(),
            result_set_id.clone(),
        ));
    }
    form.push((
        "request_format".to_string(),
        format_code(config.request_format).to_string(),
    ));
    form.push(("request".to_string(), request));
    Ok(form)
}

fn encode_form(form: &[(String, String)]) -> String {
    form_urlencoded::Serializer::new(String::new())
        .extend_pairs(form)
        .finish()
}

/// Sends a batch of result rows: one request per event; a request the
/// platform refuses (a 4xx, or an `error` inside a 200 body) is split in
/// halves and re-sent until only the refused rows are left, each rejected
/// alone with the platform's message. Rows whose answer does not name their
/// `result_id` are confirmed by reading the event back (every page); a row
/// that cannot be confirmed stays in flight (reconciled later).
pub fn send_batch(
    context: &AdapterContext<'_>,
    snapshot: &mut RunSignupSnapshot,
    items: &[OutboxItem],
) -> Result<BatchResult> {
    let config = RunSignupConfig::from_value(&context.target.name, &context.target.config)?;
    let mut outcomes = Vec::with_capacity(items.len());
    let batches = plan_batch(context, &config, snapshot, items, &mut outcomes, None);
    let mut stop: Option<ItemOutcome> = None;
    for batch in &batches {
        let rows: Vec<&PlannedRow> = batch.items.iter().collect();
        if let Some(outcome) = &stop {
            for (item, _, _) in &batch.items {
                outcomes.push((item.id, outcome.clone()));
            }
            continue;
        }
        // Work list of row slices still to send, in order.
        let mut pending: Vec<Vec<&PlannedRow>> = vec![rows];
        let mut to_confirm: Vec<PlannedRow> = Vec::new();
        while let Some(chunk) = pending.pop() {
            if let Some(outcome) = &stop {
                for (item, _, _) in &chunk {
                    outcomes.push((item.id, outcome.clone()));
                }
                continue;
            }
            match post_chunk(context, &config, batch, &chunk)? {
                ChunkAnswer::Done { done, unresolved } => {
                    outcomes.extend(done);
                    to_confirm.extend(unresolved);
                }
                ChunkAnswer::Refused(message) => {
                    if chunk.len() == 1 {
                        outcomes.push((chunk[0].0.id, ItemOutcome::Rejected(message)));
                    } else {
                        let half = chunk.len().div_ceil(2);
                        let (first, second) = chunk.split_at(half);
                        // Stack: push the second half first so the first is sent first.
                        pending.push(second.to_vec());
                        pending.push(first.to_vec());
                    }
                }
                ChunkAnswer::Stop(outcome) => {
                    for (item, _, _) in &chunk {
                        outcomes.push((item.id, outcome.clone()));
                    }
                    stop = Some(outcome);
                }
            }
        }
        confirm_by_read_back(
            context,
            &config,
            snapshot,
            &batch.event_id,
            to_confirm,
            &mut outcomes,
        );
    }
    Ok(BatchResult::Done(outcomes))
}

enum ChunkAnswer {
    /// Rows with an outcome, and rows the answer did not confirm by id (to
    /// be confirmed by reading back).
    Done {
        done: Vec<(Id, ItemOutcome)>,
        unresolved: Vec<PlannedRow>,
    },
    /// The platform refused the request as a whole (nothing applied).
    Refused(String),
    /// A transport failure: this outcome for the chunk and every row not
    /// yet sent.
    Stop(ItemOutcome),
}

fn post_chunk(
    context: &AdapterContext<'_>,
    config: &RunSignupConfig,
    batch: &PlannedBatch,
    rows: &[&PlannedRow],
) -> Result<ChunkAnswer> {
    let chunk = PlannedBatch {
        workout_id: batch.workout_id,
        event_id: batch.event_id.clone(),
        result_set_id: batch.result_set_id.clone(),
        items: rows.iter().map(|row| (*row).clone()).collect(),
    };
    let form = match form_fields(config, &chunk) {
        Ok(form) => form,
        Err(message) => return Ok(ChunkAnswer::Refused(message)),
    };
    let keys: Vec<&str> = rows
        .iter()
        .filter_map(|(item, _, _)| item.idempotency_key.as_deref())
        .collect();
    let builder = context
        .client
        .post(context.url(&results_path(config)))
        .query(&[("format", "json")])
        .header("Idempotency-Key", idempotency_header(&keys))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(encode_form(&form));
    let builder = authorize(builder, config, &context.target.name, context.secret)?;
    let body = match send(builder) {
        SendOutcome::Response { body, .. } => body,
        SendOutcome::Rejected { message, .. } => {
            return Ok(ChunkAnswer::Refused(format!(
                "RunSignup refused the results: {message}"
            )))
        }
        SendOutcome::Retryable {
            message,
            retry_after,
        } => {
            return Ok(ChunkAnswer::Stop(ItemOutcome::Retry {
                message,
                retry_after,
            }))
        }
        SendOutcome::Ambiguous { message } => {
            return Ok(ChunkAnswer::Stop(ItemOutcome::Unconfirmed(message)))
        }
    };
    let parsed: Value = match serde_json::from_str(&body) {
        Ok(parsed) => parsed,
        Err(_) => {
            // A 200 whose body is not JSON: maybe applied; read back later.
            return Ok(ChunkAnswer::Done {
                done: rows
                    .iter()
                    .map(|(item, _, _)| {
                        (
                            item.id,
                            ItemOutcome::Unconfirmed(
                                "RunSignup answered 200 with a body that is not JSON".into(),
                            ),
                        )
                    })
                    .collect(),
                unresolved: Vec::new(),
            });
        }
    };
    if let Some(error) = parsed.get("error").filter(|error| !error.is_null()) {
        let message = error
            .get("error_msg")
            .and_then(Value::as_str)
            .map(str::to_string)
            .unwrap_or_else(|| error.to_string());
        return Ok(ChunkAnswer::Refused(format!(
            "RunSignup refused the results: {message}"
        )));
    }
    let ids = response_ids(&parsed);
    let mut done = Vec::with_capacity(rows.len());
    let mut unresolved: Vec<&PlannedRow> = Vec::new();
    for row in rows {
        let (item, fields, payload) = row;
        let bib = field_text(fields, "bib");
        let registration = field_text(fields, "registration_id");
        let id = registration
            .as_ref()
            .and_then(|registration| ids.by_registration.get(registration))
            .or_else(|| bib.as_ref().and_then(|bib| ids.by_bib.get(bib)))
            .cloned();
        match id {
            Some(id) => done.push((item.id, acked(item, id, payload))),
            None => unresolved.push(row),
        }
    }
    Ok(ChunkAnswer::Done {
        done,
        unresolved: unresolved.into_iter().map(|row| (*row).clone()).collect(),
    })
}

/// Rows a success answer did not confirm by result id: read the event back
/// (every page, once for all such rows of a batch) and acknowledge the rows
/// found holding exactly what was sent; the others stay in flight.
fn confirm_by_read_back(
    context: &AdapterContext<'_>,
    config: &RunSignupConfig,
    snapshot: &RunSignupSnapshot,
    event_id: &str,
    unresolved: Vec<PlannedRow>,
    outcomes: &mut Vec<(Id, ItemOutcome)>,
) {
    if unresolved.is_empty() {
        return;
    }
    match fetch_results(context, config, event_id) {
        Ok(remote) => {
            let index = RemoteIndex::new(&remote);
            for (item, fields, payload) in &unresolved {
                let known = context
                    .remote
                    .get(&item.entity)
                    .and_then(|record| record.remote_id.clone());
                let found = index.find(
                    known.as_deref(),
                    field_text(fields, "registration_id")
                        .or_else(|| entrant_registration(snapshot, item))
                        .as_deref(),
                    snapshot.entrant_bib(item).as_deref(),
                    Some(payload),
                );
                match found {
                    Some(result) if platform_matches(payload, &result.fields) => {
                        outcomes.push((item.id, acked(item, result.result_id.clone(), payload)))
                    }
                    _ => outcomes.push((
                        item.id,
                        ItemOutcome::Unconfirmed(
                            "RunSignup answered without confirming this row and the \
                             read-back did not show it yet"
                                .into(),
                        ),
                    )),
                }
            }
        }
        Err(_) => {
            for (item, _, _) in &unresolved {
                outcomes.push((
                    item.id,
                    ItemOutcome::Unconfirmed(
                        "RunSignup answered without naming result ids; read-back failed".into(),
                    ),
                ));
            }
        }
    }
}

fn acked(item: &OutboxItem, result_id: String, payload: &Value) -> ItemOutcome {
    ItemOutcome::Acked(Some(RemoteRecord {
        entity: item.entity.clone(),
        remote_id: Some(result_id),
        payload_digest: Some(payload_digest(payload)),
        payload: Some(payload.clone()),
    }))
}

fn entrant_registration(snapshot: &RunSignupSnapshot, item: &OutboxItem) -> Option<String> {
    item.competitor_id.and_then(|id| {
        snapshot
            .competitor(id)
            .and_then(|competitor| competitor.external_ids.runsignup_registration_id.clone())
    })
}

/// True when the platform's row holds every time field the payload sends
/// (`clock_time`, `chip_time`, `split-<id>`; `X` = cleared).
fn platform_matches(payload: &Value, platform: &Map<String, Value>) -> bool {
    let text = |value: &Value| match value {
        Value::String(text) => Some(text.clone()),
        Value::Number(number) => Some(number.to_string()),
        _ => None,
    };
    payload
        .as_object()
        .map(|fields| {
            fields.iter().all(|(name, value)| {
                let timed = name == "clock_time"
                    || name == "chip_time"
                    || (name.starts_with("split-") && !name.ends_with("-place"));
                if !timed {
                    return true;
                }
                let held = platform.get(name).and_then(text).filter(|t| !t.is_empty());
                match value.as_str() {
                    Some("X") => held.is_none(),
                    Some(sent) => held.as_deref() == Some(sent),
                    None => true,
                }
            })
        })
        .unwrap_or(false)
}

fn field_text(fields: &[(String, RunSignupValue)], name: &str) -> Option<String> {
    fields
        .iter()
        .find(|(field, _)| field == name)
        .map(|(_, value)| value.as_text().to_string())
        .filter(|text| !text.is_empty())
}

#[derive(Default)]
struct ResponseIds {
    by_bib: HashMap<String, String>,
    by_registration: HashMap<String, String>,
}

fn text_of(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(text) if !text.is_empty() => Some(text.clone()),
        Value::Number(number) => Some(number.to_string()),
        _ => None,
    }
}

fn response_ids(parsed: &Value) -> ResponseIds {
    let mut ids = ResponseIds::default();
    let Some(results) = parsed.get("results").and_then(Value::as_array) else {
        return ids;
    };
    for result in results {
        let Some(result_id) = text_of(result.get("result_id")) else {
            continue;
        };
        if let Some(bib) = text_of(result.get("bib").or_else(|| result.get("bib_num"))) {
            ids.by_bib.insert(bib, result_id.clone());
        }
        if let Some(registration) = text_of(result.get("registration_id")) {
            ids.by_registration.insert(registration, result_id);
        }
    }
    ids
}

/// One result as get-results returns it.
#[derive(Debug, Clone, Default)]
pub struct RemoteResult {
    pub result_id: String,
    pub bib: Option<String>,
    pub registration_id: Option<String>,
    pub fields: Map<String, Value>,
}

/// Results per get-results page asked for (the platform may answer fewer:
/// paging goes on until a page is empty, shorter than the longest page seen,
/// or repeats results already read).
pub const READ_PAGE_SIZE: usize = 1000;

/// Reads an event's results back from RunSignup: every page.
pub fn fetch_results(
    context: &AdapterContext<'_>,
    config: &RunSignupConfig,
    event_id: &str,
) -> std::result::Result<Vec<RemoteResult>, SendOutcome> {
    let mut results = Vec::new();
    let mut seen: HashSet<String> = HashSet::new();
    let mut longest = 0usize;
    let page_size = READ_PAGE_SIZE.to_string();
    for page in 1.. {
        let page_text = page.to_string();
        let builder = context
            .client
            .get(context.url(&format!(
                "/rest/race/{}/results/get-results",
                config.race_id
            )))
            .query(&[
                ("format", "json"),
                ("event_id", event_id),
                ("page", page_text.as_str()),
                ("results_per_page", page_size.as_str()),
            ]);
        let builder =
            authorize(builder, config, &context.target.name, context.secret).map_err(|error| {
                SendOutcome::Rejected {
                    status: 0,
                    message: error.to_string(),
                }
            })?;
        let body = match send(builder) {
            SendOutcome::Response { body, .. } => body,
            failure => return Err(failure),
        };
        let parsed: Value =
            serde_json::from_str(&body).map_err(|error| SendOutcome::Ambiguous {
                message: format!("get-results answered with something other than JSON: {error}"),
            })?;
        if let Some(error) = parsed.get("error").filter(|error| !error.is_null()) {
            return Err(SendOutcome::Rejected {
                status: 200,
                message: format!("get-results: {error}"),
            });
        }
        let mut on_page = 0usize;
        let mut new = 0usize;
        for set in parsed
            .get("individual_results_sets")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            for result in set
                .get("results")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                on_page += 1;
                let Some(result_id) = text_of(result.get("result_id")) else {
                    continue;
                };
                if !seen.insert(result_id.clone()) {
                    continue;
                }
                new += 1;
                results.push(RemoteResult {
                    result_id,
                    bib: text_of(result.get("bib").or_else(|| result.get("bib_num"))),
                    registration_id: text_of(result.get("registration_id")),
                    fields: result.as_object().cloned().unwrap_or_default(),
                });
            }
        }
        if on_page == 0 || new == 0 || on_page < longest {
            break;
        }
        longest = longest.max(on_page);
    }
    Ok(results)
}

/// The platform's results indexed by result id, registration and bib.
struct RemoteIndex<'a> {
    by_id: HashMap<&'a str, &'a RemoteResult>,
    by_registration: HashMap<&'a str, Vec<&'a RemoteResult>>,
    by_bib: HashMap<&'a str, Vec<&'a RemoteResult>>,
}

impl<'a> RemoteIndex<'a> {
    fn new(remote: &'a [RemoteResult]) -> Self {
        let mut index = RemoteIndex {
            by_id: HashMap::with_capacity(remote.len()),
            by_registration: HashMap::new(),
            by_bib: HashMap::new(),
        };
        for result in remote {
            index.by_id.insert(result.result_id.as_str(), result);
            if let Some(registration) = &result.registration_id {
                index
                    .by_registration
                    .entry(registration.as_str())
                    .or_default()
                    .push(result);
            }
            if let Some(bib) = &result.bib {
                index.by_bib.entry(bib.as_str()).or_default().push(result);
            }
        }
        index
    }

    /// The platform's row for an entrant: by the known result id, else by
    /// registration, else by bib; among several candidates, the one holding
    /// `payload` when there is one.
    fn find(
        &self,
        result_id: Option<&str>,
        registration: Option<&str>,
        bib: Option<&str>,
        payload: Option<&Value>,
    ) -> Option<&'a RemoteResult> {
        if let Some(found) = result_id.and_then(|id| self.by_id.get(id)) {
            return Some(found);
        }
        let candidates = registration
            .and_then(|registration| self.by_registration.get(registration))
            .or_else(|| bib.and_then(|bib| self.by_bib.get(bib)))?;
        payload
            .and_then(|payload| {
                candidates
                    .iter()
                    .find(|result| platform_matches(payload, &result.fields))
            })
            .or_else(|| candidates.first())
            .copied()
    }
}

/// Reconciles rows whose outcome is unknown. Called only once the requests
/// that carried them can no longer land (see the engine), so a row the
/// read-back (every page) does not show is proven absent and may be created.
pub fn reconcile(
    context: &AdapterContext<'_>,
    snapshot: &mut RunSignupSnapshot,
    items: &[OutboxItem],
) -> Result<std::result::Result<Vec<(Id, Verdict)>, SendOutcome>> {
    let config = RunSignupConfig::from_value(&context.target.name, &context.target.config)?;
    let mut verdicts = Vec::with_capacity(items.len());
    let mut workouts: Vec<Id> = items.iter().filter_map(|item| item.workout_id).collect();
    workouts.sort_unstable();
    workouts.dedup();
    verdicts.extend(
        items
            .iter()
            .filter(|item| item.workout_id.is_none())
            .map(|item| (item.id, Verdict::Resend { learned: None })),
    );
    for workout_id in workouts {
        let group: Vec<&OutboxItem> = items
            .iter()
            .filter(|item| item.workout_id == Some(workout_id))
            .collect();
        let Some(event_id) = context.workout_remote_id(workout_id).map(str::to_string) else {
            verdicts.extend(
                group
                    .iter()
                    .map(|item| (item.id, Verdict::Resend { learned: None })),
            );
            continue;
        };
        let remote = match fetch_results(context, &config, &event_id) {
            Ok(remote) => remote,
            Err(failure) => return Ok(Err(failure)),
        };
        let index = RemoteIndex::new(&remote);
        for item in group {
            let known = context
                .remote
                .get(&item.entity)
                .and_then(|record| record.remote_id.clone());
            let Some(found) = index.find(
                known.as_deref(),
                entrant_registration(snapshot, item).as_deref(),
                snapshot.entrant_bib(item).as_deref(),
                None,
            ) else {
                verdicts.push((item.id, Verdict::Resend { learned: None }));
                continue;
            };
            let result_id = found.result_id.clone();
            // What would be sent now, with the learned result id.
            let mut with_id: HashMap<String, RemoteRecord> = context
                .remote
                .get(&item.entity)
                .map(|record| (item.entity.clone(), record.clone()))
                .into_iter()
                .collect();
            with_id
                .entry(item.entity.clone())
                .or_insert_with(|| RemoteRecord {
                    entity: item.entity.clone(),
                    remote_id: None,
                    payload_digest: None,
                    payload: None,
                })
                .remote_id = Some(result_id.clone());
            let learned_context = AdapterContext {
                file: context.file,
                target: context.target,
                client: context.client,
                secret: context.secret,
                remote: &with_id,
            };
            let record = RemoteRecord {
                entity: item.entity.clone(),
                remote_id: Some(result_id.clone()),
                payload_digest: None,
                payload: None,
            };
            match plan_item(&learned_context, &config, snapshot, item) {
                Planned::Send { payload, .. } if platform_matches(&payload, &found.fields) => {
                    verdicts.push((
                        item.id,
                        Verdict::AlreadyApplied(Some(RemoteRecord {
                            payload_digest: Some(payload_digest(&payload)),
                            payload: Some(payload),
                            ..record
                        })),
                    ))
                }
                _ => verdicts.push((
                    item.id,
                    Verdict::Resend {
                        learned: Some(record),
                    },
                )),
            }
        }
    }
    Ok(Ok(verdicts))
}

/// Every entrant RunSignup holds more than one result for in these
/// workouts' events (every page read), one message each naming the result
/// ids and the one Scoretable edits. The API cannot delete a result, so an
/// official deletes the others in RunSignup's dashboard.
pub fn duplicates(context: &AdapterContext<'_>, workouts: &[Id]) -> Result<DuplicateCheck> {
    let config = RunSignupConfig::from_value(&context.target.name, &context.target.config)?;
    let kept: HashSet<String> = context
        .file
        .sync_remote_records(context.target.id)?
        .into_values()
        .filter_map(|record| record.remote_id)
        .collect();
    let mut found = Vec::with_capacity(workouts.len());
    for &workout_id in workouts {
        let Some(event_id) = context.workout_remote_id(workout_id).map(str::to_string) else {
            found.push((workout_id, Vec::new()));
            continue;
        };
        let remote = match fetch_results(context, &config, &event_id) {
            Ok(remote) => remote,
            Err(failure) => return Ok(Err(failure)),
        };
        // One entrant: its registration when the platform names one, else
        // its bib; listed in the order the platform first shows them.
        let mut order: Vec<String> = Vec::new();
        let mut by_entrant: HashMap<String, Vec<&RemoteResult>> = HashMap::new();
        for result in &remote {
            let key = match (&result.registration_id, &result.bib) {
                (Some(registration), _) => format!("registration {registration}"),
                (None, Some(bib)) => format!("bib {bib}"),
                (None, None) => continue,
            };
            let rows = by_entrant.entry(key.clone()).or_default();
            if rows.is_empty() {
                order.push(key);
            }
            rows.push(result);
        }
        let mut messages = Vec::new();
        for key in order {
            let rows = &by_entrant[&key];
            if rows.len() < 2 {
                continue;
            }
            let bib = rows
                .iter()
                .find_map(|row| row.bib.clone())
                .map(|bib| format!(" (bib {bib})"))
                .unwrap_or_default();
            let ids: Vec<&str> = rows.iter().map(|row| row.result_id.as_str()).collect();
            let edited = ids.iter().find(|id| kept.contains(**id));
            let advice = match edited {
                Some(edited) => format!(
                    "Scoretable edits {edited}: delete {} in RunSignup",
                    ids.iter()
                        .filter(|id| *id != edited)
                        .copied()
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                None => "keep one and delete the others in RunSignup".to_string(),
            };
            messages.push(format!(
                "event {event_id}: {} results for {key}{bib}, result ids {}; {advice}",
                rows.len(),
                ids.join(", ")
            ));
        }
        found.push((workout_id, messages));
    }
    Ok(Ok(found))
}

/// The preview of a set of rows: per-entity diff against what the platform
/// last acknowledged, and the requests that would be sent.
pub fn preview(
    context: &AdapterContext<'_>,
    snapshot: &mut RunSignupSnapshot,
    items: &[OutboxItem],
) -> Result<Preview> {
    let config = RunSignupConfig::from_value(&context.target.name, &context.target.config)?;
    let mut outcomes = Vec::new();
    let mut changes = Vec::new();
    let batches = plan_batch(
        context,
        &config,
        snapshot,
        items,
        &mut outcomes,
        Some(&mut changes),
    );
    let mut requests = Vec::new();
    for batch in &batches {
        let form = form_fields(&config, batch).unwrap_or_default();
        let body = form
            .iter()
            .find(|(name, _)| name == "request")
            .map(|(_, request)| request.clone())
            .unwrap_or_default();
        requests.push(RenderedRequest {
            method: "POST".to_string(),
            url: masked_url(context, &config, &results_path(&config)),
            content_type: "application/x-www-form-urlencoded".to_string(),
            form: form
                .into_iter()
                .filter(|(name, _)| name != "request")
                .collect(),
            body,
        });
    }
    Ok(Preview { changes, requests })
}

/// RunSignup full results as a sync platform: one outbox row per entrant's
/// result, read back (every page) before anything in doubt is sent again.
pub struct RunSignupAdapter;

/// The message of a configuration error (the adapter's caller names the
/// target).
fn config_message(error: SyncError) -> String {
    match error {
        SyncError::Config { message, .. } => message,
        other => other.to_string(),
    }
}

impl crate::registry::SyncAdapter for RunSignupAdapter {
    fn code(&self) -> &'static str {
        "runsignup"
    }

    fn name(&self) -> &'static str {
        "RunSignup"
    }

    fn remote_id_label(&self) -> &'static str {
        "RunSignup event_id"
    }

    fn secret_hint(&self) -> &'static str {
        "API key:API secret"
    }

    fn settings(&self) -> Vec<crate::settings::SettingInfo> {
        use crate::settings::{SettingInfo, SettingKind};
        vec![
            SettingInfo::text("race_id", "Race id", "The race's number on RunSignup.").required(),
            SettingInfo::choice(
                "match_by",
                "Match registrants by",
                "Which id ties a Scoretable athlete to a RunSignup registrant.",
                &[
                    ("registration_id", "Registration id"),
                    ("bib", "Bib"),
                    ("chip", "Chip"),
                ],
            ),
            SettingInfo::choice(
                "status_policy",
                "Statuses RunSignup lacks (LAP, NC, WD)",
                "Refuse such a row alone (the official fixes it and retries), or send LAP and NC as DNF and WD as DNS.",
                &[
                    ("reject", "Refuse the row"),
                    ("map_to_nearest", "Send as the nearest (DNF, DNS)"),
                ],
            ),
            SettingInfo::choice(
                "placements",
                "Places",
                "Let RunSignup calculate places, or send Scoretable's (the result set must have division calculation off).",
                &[("auto", "RunSignup calculates them"), ("hard_coded", "Send Scoretable's places")],
            ),
            SettingInfo::choice(
                "request_format",
                "Request format",
                "The body format of the results request.",
                &[("json", "JSON"), ("csv", "CSV"), ("xml", "XML")],
            ),
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
                "individual_result_set_id per workout, when its event has several result sets.",
            ),
            SettingInfo::per(
                SettingKind::PerTimingPoint,
                "split_ids",
                "RunSignup split id",
                "The RunSignup split each timing point is sent as; without any, every split is sent by name.",
            ),
            SettingInfo::per(
                SettingKind::PerDivision,
                "division_ids",
                "RunSignup division id",
                "The RunSignup division of each Scoretable division, for hard-coded places.",
            ),
            SettingInfo::pairs(
                "custom_fields",
                "Custom fields",
                "A RunSignup custom field id and the competitor field it is filled from.",
                &[
                    ("club", "Club"),
                    ("country", "Country"),
                    ("gender", "Gender"),
                    ("para_class", "Para class"),
                    ("date_of_birth", "Date of birth"),
                ],
            ),
        ]
    }

    fn scope(&self) -> scoretable_store::EntityScope {
        scoretable_store::EntityScope::Result
    }

    fn validate(&self, spec: &crate::registry::TargetSpec) -> std::result::Result<(), String> {
        RunSignupConfig::from_value(spec.name.trim(), &spec.config).map_err(config_message)?;
        for workout in &spec.workouts {
            if workout.remote_id.trim().parse::<u64>().is_err() {
                return Err(format!(
                    "workout {}: RunSignup event_id {:?} must be a number",
                    workout.workout_id, workout.remote_id
                ));
            }
        }
        Ok(())
    }

    fn session(&self) -> Box<dyn crate::registry::AdapterSession> {
        Box::new(RunSignupSession { snapshot: None })
    }
}

/// One drain's RunSignup state: the file's results in RunSignup fields,
/// gathered again only when the file changed.
struct RunSignupSession {
    snapshot: Option<RunSignupSnapshot>,
}

impl RunSignupSession {
    fn snapshot(&mut self, context: &AdapterContext<'_>) -> Result<&mut RunSignupSnapshot> {
        let version = context.file.sync_change_version()?;
        if let Some(snapshot) = self.snapshot.take() {
            if snapshot.version == version {
                return Ok(self.snapshot.insert(snapshot));
            }
        }
        Ok(self
            .snapshot
            .insert(RunSignupSnapshot::gather(context, version)?))
    }
}

impl crate::registry::AdapterSession for RunSignupSession {
    fn send(
        &mut self,
        context: &mut crate::registry::SendContext<'_>,
        items: &[OutboxItem],
    ) -> Result<BatchResult> {
        let context = context.adapter();
        let snapshot = self.snapshot(&context)?;
        send_batch(&context, snapshot, items)
    }

    fn reconcile(
        &mut self,
        context: &mut crate::registry::SendContext<'_>,
        items: &[OutboxItem],
    ) -> Result<std::result::Result<Vec<(Id, Verdict)>, SendOutcome>> {
        let context = context.adapter();
        let snapshot = self.snapshot(&context)?;
        reconcile(&context, snapshot, items)
    }

    fn preview(&mut self, context: &AdapterContext<'_>, items: &[OutboxItem]) -> Result<Preview> {
        let snapshot = self.snapshot(context)?;
        preview(context, snapshot, items)
    }

    fn moved(
        &mut self,
        context: &mut crate::registry::SendContext<'_>,
    ) -> Result<Option<Vec<QueuedEntity>>> {
        let context = context.adapter();
        let config = RunSignupConfig::from_value(&context.target.name, &context.target.config)?;
        if config.placements != Placements::HardCoded {
            return Ok(None);
        }
        let snapshot = self.snapshot(&context)?;
        moved_places(&context, snapshot).map(Some)
    }

    fn duplicates(
        &mut self,
        context: &mut crate::registry::SendContext<'_>,
        workouts: &[Id],
    ) -> Result<Option<DuplicateCheck>> {
        duplicates(&context.adapter(), workouts).map(Some)
    }
}
