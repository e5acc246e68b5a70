//! Field mappings: which source field feeds which Scoretable field, with the
//! value transforms a source needs, and the preview of what a mapping makes
//! of a document.
//!
//! A [`FieldMapping`] names:
//!
//! - `identifier`: the field identifying the entrant and what kind of id it
//!   holds (participant id, bib, chip, athlete id, ...). Required. Its value
//!   is also the record's ledger key unless `record_key` names another field.
//! - `team`: the teammate id, for workouts that add up members' results: the
//!   field naming the member's team (by team name, bib or external id).
//! - `value`: the result field, parsed for the workout's score type after its
//!   transform (`as_is` text like `00:13:37.2`, `CAP+41`, `5+12`, `DNF`;
//!   `seconds` like `817.2`; `milliseconds` like `817200`).
//! - `status`: a status field, with an optional table from the source's words
//!   to Scoretable's codes (`{"Finished": "", "DQ": "DSQ"}`; empty means no
//!   status). Unlisted words must be one of Scoretable's status codes.
//! - `tie_break`, `penalty`: time fields, with transforms.
//! - `incidents`: a free-text incidents field.
//! - `splits`: one field per timing point (named by the point's name or its
//!   1-based order).
//!
//! A record with neither a value nor a status is **waiting** (an athlete on
//! the start list, or still on the course); it is neither an error nor
//! imported. A record with a problem is **invalid** and every problem names
//! the source, the record (row) and the field.

use std::collections::BTreeMap;

use scoretable_core::model::{Millis, Score, ScoreType, Split, Status, Workout};
use scoretable_core::score::{format_score, parse_score};
use scoretable_core::time::parse_time;
use scoretable_store::{Identifier, IdentifierKind, InboundRecord, ScoreValue};
use serde::{Deserialize, Serialize};

use crate::record::{clamp_message, quote_prefix, SourceDocument, SourceRecord};

/// A mapped value (id, result, status, time) longer than this is refused.
pub const MAX_VALUE_BYTES: usize = 256;
/// An incidents text longer than this is refused.
pub const MAX_INCIDENT_BYTES: usize = 4096;
/// Source fields kept with a record (for the conflict and review screens)
/// are cut to this many bytes.
const MAX_KEPT_FIELD_BYTES: usize = 1024;

fn kept_fields(fields: &[(String, String)]) -> Vec<(String, String)> {
    let cut = |text: &str| {
        if text.len() <= MAX_KEPT_FIELD_BYTES {
            return text.to_string();
        }
        let mut end = MAX_KEPT_FIELD_BYTES;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        format!("{}...", &text[..end])
    };
    fields
        .iter()
        .map(|(name, value)| (cut(name), cut(value)))
        .collect()
}

/// How a source value is turned into Scoretable's text before parsing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ValueTransform {
    /// The text as it stands (any time form the engine reads, or a score).
    #[default]
    AsIs,
    /// A decimal number of seconds, e.g. `817.2`.
    Seconds,
    /// A whole number of milliseconds, e.g. `817200`.
    Milliseconds,
}

impl ValueTransform {
    pub fn from_word(word: &str) -> Option<ValueTransform> {
        match word.trim().to_ascii_lowercase().replace('-', "_").as_str() {
            "as_is" | "" | "text" | "time" => Some(ValueTransform::AsIs),
            "seconds" | "s" => Some(ValueTransform::Seconds),
            "milliseconds" | "ms" => Some(ValueTransform::Milliseconds),
            _ => None,
        }
    }
}

/// The field identifying an entrant (or a team) and what it holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdentifierField {
    pub field: String,
    pub kind: IdentifierKind,
}

/// A field holding a value, with its transform.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValueField {
    pub field: String,
    #[serde(default)]
    pub transform: ValueTransform,
}

/// A status field and the translation of the source's words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusField {
    pub field: String,
    /// Source word (case-insensitive) to Scoretable code; `""` for no status.
    #[serde(default)]
    pub values: BTreeMap<String, String>,
}

/// The field holding the time at one timing point.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SplitField {
    pub field: String,
    /// The timing point's name, or its 1-based order along the course.
    pub timing_point: String,
    #[serde(default)]
    pub transform: ValueTransform,
}

/// A saved field mapping (see the module docs).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldMapping {
    pub identifier: IdentifierField,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub team: Option<IdentifierField>,
    /// The member within the team registration the identifier names (the
    /// timing feed's `Teammate ID`), for workouts that add up members'
    /// results; the ledger key becomes `<identifier>/<teammate id>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub teammate: Option<IdentifierField>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<ValueField>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<StatusField>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tie_break: Option<ValueField>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub penalty: Option<ValueField>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub incidents: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub splits: Vec<SplitField>,
    /// The field whose value keys the ledger, when not the identifier.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub record_key: Option<String>,
}

/// A mapping that does not fit its workout.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("mapping {field}: {message}")]
pub struct MappingError {
    pub field: String,
    pub message: String,
}

impl FieldMapping {
    /// The timing-feed seed's payload: `CompCornerID` is the participant id,
    /// `Time` (`HH:MM:SS.000`) the result. For workouts that sum members
    /// (one chip per team member) each record also carries the `Teammate ID`
    /// (seed 000: "your source system must include the Teammate ID with each
    /// returned data record"): `CompCornerID` then names the team
    /// registration and `Teammate ID` the member, matched by the member's
    /// own participant id or bib. A record without a `Teammate ID` is read
    /// as the member's own participant id.
    pub fn timing_feed(workout: &Workout) -> FieldMapping {
        let sums_members = matches!(
            workout.team_scoring,
            scoretable_core::model::TeamScoring::SumAll
                | scoretable_core::model::TeamScoring::BestN { .. }
        );
        FieldMapping {
            identifier: IdentifierField {
                field: "CompCornerID".into(),
                kind: IdentifierKind::FeedParticipantId,
            },
            team: None,
            teammate: sums_members.then(|| IdentifierField {
                field: "Teammate ID".into(),
                kind: IdentifierKind::FeedParticipantId,
            }),
            value: Some(ValueField {
                field: "Time".into(),
                transform: ValueTransform::AsIs,
            }),
            status: None,
            tie_break: None,
            penalty: None,
            incidents: None,
            splits: Vec::new(),
            record_key: None,
        }
    }

    /// A World Triathlon live-timing message: `id` is the athlete id, the
    /// splits are the segments by order, and the result is the cumulative
    /// time at the workout's last timing point (the finish), so athletes
    /// still on the course wait. Without timing points the latest `time` is
    /// the result. Statuses DNS, DNF, DSQ, LAP and NC come from `status`.
    pub fn world_triathlon(workout: &Workout) -> FieldMapping {
        let mut points: Vec<_> = workout.timing_points.iter().collect();
        points.sort_by_key(|point| point.order);
        let value_field = match points.last() {
            Some(last) => format!("split.{}.total_time", last.order),
            None => "time".to_string(),
        };
        FieldMapping {
            identifier: IdentifierField {
                field: "id".into(),
                kind: IdentifierKind::TriathlonAthleteId,
            },
            team: None,
            teammate: None,
            value: Some(ValueField {
                field: value_field,
                transform: ValueTransform::AsIs,
            }),
            status: Some(StatusField {
                field: "status".into(),
                values: BTreeMap::new(),
            }),
            tie_break: None,
            penalty: None,
            incidents: Some("incidents".into()),
            splits: points
                .iter()
                .map(|point| SplitField {
                    field: format!("split.{}.total_time", point.order),
                    timing_point: point.order.to_string(),
                    transform: ValueTransform::AsIs,
                })
                .collect(),
            record_key: None,
        }
    }

    /// Checks the mapping against a workout: timing points exist, fields are named.
    pub fn validate(&self, workout: &Workout) -> Result<(), MappingError> {
        let problem = |field: &str, message: String| MappingError {
            field: field.to_string(),
            message,
        };
        if self.identifier.field.trim().is_empty() {
            return Err(problem("identifier", "name the source field".into()));
        }
        if self.identifier.kind == IdentifierKind::TeamName
            && workout.team_scoring != scoretable_core::model::TeamScoring::TeamChip
        {
            return Err(problem(
                "identifier",
                "a team name identifies teams; this workout ranks individuals".into(),
            ));
        }
        if self.value.is_none() && self.status.is_none() {
            return Err(problem(
                "value",
                "map a result field, a status field, or both".into(),
            ));
        }
        if let Some(value) = &self.value {
            if value.transform != ValueTransform::AsIs
                && !matches!(workout.score_type, ScoreType::Time | ScoreType::TimeCapped)
            {
                return Err(problem(
                    "value",
                    format!(
                        "the {:?} transform gives a time, but workout {} is scored by {:?}",
                        value.transform, workout.name, workout.score_type
                    ),
                ));
            }
        }
        if let Some(status) = &self.status {
            for (word, code) in &status.values {
                if !code.trim().is_empty() && Status::parse(code).is_err() {
                    return Err(problem(
                        "status",
                        format!("{word:?} maps to {code:?}, which is not a status code"),
                    ));
                }
            }
        }
        for split in &self.splits {
            if find_timing_point(workout, &split.timing_point).is_none() {
                let known: Vec<String> = workout
                    .timing_points
                    .iter()
                    .map(|point| format!("{} ({})", point.name, point.order))
                    .collect();
                return Err(problem(
                    "splits",
                    format!(
                        "{:?} is not a timing point of workout {}; known: {}",
                        split.timing_point,
                        workout.name,
                        if known.is_empty() {
                            "(none)".to_string()
                        } else {
                            known.join(", ")
                        }
                    ),
                ));
            }
        }
        Ok(())
    }

    /// The source fields this mapping reads.
    pub fn source_fields(&self) -> Vec<&str> {
        let mut fields = vec![self.identifier.field.as_str()];
        fields.extend(self.team.as_ref().map(|team| team.field.as_str()));
        fields.extend(
            self.teammate
                .as_ref()
                .map(|teammate| teammate.field.as_str()),
        );
        fields.extend(self.value.as_ref().map(|value| value.field.as_str()));
        fields.extend(self.status.as_ref().map(|status| status.field.as_str()));
        fields.extend(self.tie_break.as_ref().map(|value| value.field.as_str()));
        fields.extend(self.penalty.as_ref().map(|value| value.field.as_str()));
        fields.extend(self.incidents.as_deref());
        fields.extend(self.splits.iter().map(|split| split.field.as_str()));
        fields.extend(self.record_key.as_deref());
        fields
    }
}

fn find_timing_point<'workout>(
    workout: &'workout Workout,
    reference: &str,
) -> Option<&'workout scoretable_core::model::TimingPoint> {
    let reference = reference.trim();
    workout
        .timing_points
        .iter()
        .find(|point| point.name.trim().eq_ignore_ascii_case(reference))
        .or_else(|| {
            reference.parse::<u32>().ok().and_then(|order| {
                workout
                    .timing_points
                    .iter()
                    .find(|point| point.order == order)
            })
        })
}

/// One problem with one record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldProblem {
    pub field: String,
    pub message: String,
}

/// Whether a mapped record can be imported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RowState {
    Ready,
    /// No result or status yet.
    Waiting,
    Invalid,
}

/// A record as it will be imported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MappedRow {
    pub index: u64,
    pub state: RowState,
    /// The identifier value as read.
    pub identifier: String,
    pub team: Option<String>,
    /// The teammate id as read (per-member chips).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub teammate: Option<String>,
    /// The result as the leaderboard will show it, e.g. `13:37.2` or `DNF`.
    pub display: String,
    /// Timing point names with their times as shown.
    pub splits: Vec<(String, String)>,
    pub problems: Vec<FieldProblem>,
    /// The record for the ledger, when ready.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub record: Option<InboundRecord>,
}

/// Parses decimal seconds (`817.2`, `-` refused) into milliseconds without floats.
fn parse_decimal_seconds(text: &str) -> Result<Millis, String> {
    let text = text.trim();
    let (whole, fraction) = text.split_once(['.', ',']).unwrap_or((text, ""));
    let valid = !whole.is_empty()
        && whole.len() <= 12
        && whole.bytes().all(|byte| byte.is_ascii_digit())
        && fraction.bytes().all(|byte| byte.is_ascii_digit());
    if !valid {
        return Err(format!("expected seconds like 817.2, got {text:?}"));
    }
    let mut fraction_ms: i64 = 0;
    for (position, byte) in fraction.bytes().take(3).enumerate() {
        fraction_ms += i64::from(byte - b'0') * 10_i64.pow(2 - position as u32);
    }
    // Round half up on the fourth decimal.
    if fraction.len() > 3 && fraction.as_bytes()[3] >= b'5' {
        fraction_ms += 1;
    }
    let whole: i64 = whole
        .parse()
        .map_err(|_| format!("{text:?} is too large"))?;
    Ok(whole * 1000 + fraction_ms)
}

fn parse_milliseconds(text: &str) -> Result<Millis, String> {
    let text = text.trim();
    if text.is_empty() || text.len() > 15 || !text.bytes().all(|byte| byte.is_ascii_digit()) {
        return Err(format!(
            "expected whole milliseconds like 817200, got {text:?}"
        ));
    }
    text.parse()
        .map_err(|_| format!("{text:?} is not a number of milliseconds"))
}

/// A time field after its transform.
fn time_of(text: &str, transform: ValueTransform) -> Result<Millis, String> {
    match transform {
        ValueTransform::AsIs => parse_time(text).map_err(|error| error.to_string()),
        ValueTransform::Seconds => parse_decimal_seconds(text),
        ValueTransform::Milliseconds => parse_milliseconds(text),
    }
}

fn status_of(field: &StatusField, text: &str) -> Result<Option<Status>, String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let code = field
        .values
        .iter()
        .find(|(word, _)| word.trim().eq_ignore_ascii_case(text))
        .map(|(_, code)| code.as_str())
        .unwrap_or(text);
    if code.trim().is_empty() {
        return Ok(None);
    }
    Status::parse(code)
        .map(Some)
        .map_err(|error| error.to_string())
}

/// Maps one record for one workout.
pub fn map_record(mapping: &FieldMapping, workout: &Workout, record: &SourceRecord) -> MappedRow {
    let mut problems: Vec<FieldProblem> = Vec::new();
    let read = |field: &str| record.get(field).map(str::trim).unwrap_or("");
    // An oversized value is refused before parsing, and quoted by a prefix
    // only: a 50 MB field gives a one-line error, not a 50 MB one.
    for field in mapping.source_fields() {
        let text = read(field);
        let limit = if mapping.incidents.as_deref() == Some(field) {
            MAX_INCIDENT_BYTES
        } else {
            MAX_VALUE_BYTES
        };
        if text.len() > limit
            && !problems
                .iter()
                .any(|known: &FieldProblem| known.field == field)
        {
            problems.push(FieldProblem {
                field: field.to_string(),
                message: format!(
                    "is too long for a value ({} bytes, at most {limit}); it starts {}",
                    text.len(),
                    quote_prefix(text)
                ),
            });
        }
    }
    if !problems.is_empty() {
        return MappedRow {
            index: record.index,
            state: RowState::Invalid,
            identifier: quote_prefix(read(&mapping.identifier.field)),
            team: None,
            teammate: None,
            display: String::new(),
            splits: Vec::new(),
            problems,
            record: None,
        };
    }
    let mut problem = |field: &str, message: String| {
        problems.push(FieldProblem {
            field: field.to_string(),
            message: clamp_message(&message),
        })
    };
    let identifier = read(&mapping.identifier.field).to_string();
    let team = mapping
        .team
        .as_ref()
        .map(|team| read(&team.field).to_string())
        .filter(|team| !team.is_empty());
    let teammate = mapping
        .teammate
        .as_ref()
        .map(|teammate| read(&teammate.field).to_string())
        .filter(|teammate| !teammate.is_empty());
    let value_text = mapping
        .value
        .as_ref()
        .map(|value| read(&value.field))
        .unwrap_or("");
    let status_text = mapping
        .status
        .as_ref()
        .map(|status| read(&status.field))
        .unwrap_or("");
    let mut row = MappedRow {
        index: record.index,
        state: RowState::Waiting,
        identifier: identifier.clone(),
        team: team.clone(),
        teammate: teammate.clone(),
        display: String::new(),
        splits: Vec::new(),
        problems: Vec::new(),
        record: None,
    };
    if value_text.is_empty() && status_text.is_empty() {
        // Nothing to import yet: on the start list, or still on the course.
        return row;
    }
    if identifier.is_empty() {
        problem(
            &mapping.identifier.field,
            format!("the {} is missing", mapping.identifier.kind.word()),
        );
    }
    let mut score: Option<Score> = None;
    let mut status: Option<Status> = None;
    if let (Some(value_field), false) = (&mapping.value, value_text.is_empty()) {
        match value_field.transform {
            ValueTransform::AsIs => match parse_score(workout, value_text) {
                Ok(parsed) => {
                    score = parsed.score;
                    status = parsed.status;
                }
                Err(error) => problem(&value_field.field, error.to_string()),
            },
            transform => match time_of(value_text, transform) {
                Ok(ms) => score = Some(Score::Time { ms }),
                Err(message) => problem(&value_field.field, message),
            },
        }
    }
    if let Some(status_field) = &mapping.status {
        match status_of(status_field, status_text) {
            Ok(Some(found)) => status = Some(found),
            Ok(None) => {}
            Err(message) => problem(&status_field.field, message),
        }
    }
    let mut tie_break_ms = None;
    if let Some(field) = &mapping.tie_break {
        let text = read(&field.field);
        if !text.is_empty() {
            match time_of(text, field.transform) {
                Ok(ms) => tie_break_ms = Some(ms),
                Err(message) => problem(&field.field, message),
            }
        }
    }
    let mut penalty_ms = 0;
    if let Some(field) = &mapping.penalty {
        let text = read(&field.field);
        if !text.is_empty() {
            match time_of(text, field.transform) {
                Ok(ms) => penalty_ms = ms,
                Err(message) => problem(&field.field, message),
            }
        }
    }
    let mut splits = Vec::new();
    for split in &mapping.splits {
        let text = read(&split.field);
        if text.is_empty() {
            continue;
        }
        let Some(point) = find_timing_point(workout, &split.timing_point) else {
            problem(
                &split.field,
                format!(
                    "{:?} is not a timing point of {}",
                    split.timing_point, workout.name
                ),
            );
            continue;
        };
        match time_of(text, split.transform) {
            Ok(total_ms) => {
                if !splits
                    .iter()
                    .any(|known: &Split| known.timing_point_id == point.id)
                {
                    splits.push(Split {
                        timing_point_id: point.id,
                        total_ms,
                    });
                    row.splits.push((
                        point.name.clone(),
                        scoretable_core::score::format_workout_time(workout.rounding, total_ms),
                    ));
                }
            }
            Err(message) => problem(&split.field, message),
        }
    }
    let incidents: Vec<String> = mapping
        .incidents
        .as_ref()
        .map(|field| read(field))
        .filter(|text| !text.is_empty())
        .map(|text| vec![text.to_string()])
        .unwrap_or_default();
    let record_key = match &mapping.record_key {
        Some(field) => {
            let key = read(field).to_string();
            if key.is_empty() {
                problem(field, "the record key is missing".into());
            }
            key
        }
        None => match &teammate {
            Some(teammate) => format!("{identifier}/{teammate}"),
            None => identifier.clone(),
        },
    };
    row.problems = problems;
    if !row.problems.is_empty() {
        row.state = RowState::Invalid;
        return row;
    }
    if score.is_none() && status.is_none() {
        return row;
    }
    let value = ScoreValue {
        text: if value_text.is_empty() {
            status_text.to_string()
        } else {
            value_text.to_string()
        },
        score,
        status,
        tie_break_ms,
        penalty_ms,
    };
    row.display = match (status, score) {
        (Some(status), _) => status.code().to_string(),
        (None, Some(score)) => format_score(workout, &score),
        (None, None) => String::new(),
    };
    row.state = RowState::Ready;
    row.record = Some(InboundRecord {
        index: record.index,
        record_key,
        identifier: Identifier {
            kind: mapping.identifier.kind,
            value: identifier,
        },
        team: match (&mapping.team, team) {
            (Some(field), Some(value)) => Some(Identifier {
                kind: field.kind,
                value,
            }),
            _ => None,
        },
        teammate: match (&mapping.teammate, &teammate) {
            (Some(field), Some(value)) => Some(Identifier {
                kind: field.kind,
                value: value.clone(),
            }),
            _ => None,
        },
        value,
        penalty_ms,
        splits,
        incidents,
        fields: kept_fields(&record.fields),
    });
    row
}

/// One problem of one record, located by source, record (row) and field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordProblem {
    pub source_name: String,
    /// `row` for tables, `record` otherwise.
    pub record_word: String,
    pub record: u64,
    pub field: String,
    pub message: String,
}

impl std::fmt::Display for RecordProblem {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            formatter,
            "{} {} {}, field {}: {}",
            self.source_name,
            self.record_word,
            self.record,
            quote_prefix(&self.field),
            clamp_message(&self.message)
        )
    }
}

/// A whole document mapped: ready records, and every problem.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct MappedDocument {
    pub records: Vec<InboundRecord>,
    pub waiting: usize,
    /// Every problem of every invalid record.
    pub problems: Vec<RecordProblem>,
    pub invalid: usize,
}

/// Maps every record of a document.
pub fn map_document(
    mapping: &FieldMapping,
    workout: &Workout,
    document: &SourceDocument,
) -> MappedDocument {
    let mut mapped = MappedDocument::default();
    for record in &document.records {
        let row = map_record(mapping, workout, record);
        match row.state {
            RowState::Ready => mapped.records.extend(row.record),
            RowState::Waiting => mapped.waiting += 1,
            RowState::Invalid => {
                mapped.invalid += 1;
                for problem in &row.problems {
                    mapped.problems.push(RecordProblem {
                        source_name: document.source_name.clone(),
                        record_word: document.format.record_word().to_string(),
                        record: row.index,
                        field: problem.field.clone(),
                        message: problem.message.clone(),
                    });
                }
            }
        }
    }
    mapped
}

impl MappedDocument {
    /// Takes out every record whose key another record of the same payload
    /// also carries, reporting each as a problem naming both records: a poll
    /// cannot tell which of two values for one record the source meant, so
    /// neither is imported (and neither opens a conflict against the other);
    /// the other records go ahead. File imports refuse such a file whole.
    pub fn withhold_duplicates(&mut self, source_name: &str, record_word: &str) {
        let mut first_of: std::collections::HashMap<String, u64> =
            std::collections::HashMap::with_capacity(self.records.len());
        let mut duplicated: std::collections::HashSet<String> = std::collections::HashSet::new();
        for record in &self.records {
            match first_of.get(&record.record_key) {
                Some(first) => {
                    duplicated.insert(record.record_key.clone());
                    self.problems.push(RecordProblem {
                        source_name: source_name.to_string(),
                        record_word: record_word.to_string(),
                        record: record.index,
                        field: "record key".into(),
                        message: format!(
                            "{record_word} {first} carries the same record {}; neither is imported",
                            quote_prefix(&record.record_key)
                        ),
                    });
                }
                None => {
                    first_of.insert(record.record_key.clone(), record.index);
                }
            }
        }
        if duplicated.is_empty() {
            return;
        }
        let before = self.records.len();
        self.records
            .retain(|record| !duplicated.contains(&record.record_key));
        self.invalid += before - self.records.len();
    }
}

/// The first rows of a document as they will be imported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Preview {
    pub source_name: String,
    pub format: crate::record::RecordFormat,
    pub encoding: Option<crate::decode::TextEncoding>,
    pub field_names: Vec<String>,
    /// Mapped source fields the document does not have.
    pub missing_fields: Vec<String>,
    pub total_records: usize,
    pub ready: usize,
    pub waiting: usize,
    pub invalid: usize,
    pub rows: Vec<MappedRow>,
}

/// Maps the whole document and keeps the first `limit` rows for display.
pub fn preview(
    mapping: &FieldMapping,
    workout: &Workout,
    document: &SourceDocument,
    limit: usize,
) -> Preview {
    let mut preview = Preview {
        source_name: document.source_name.clone(),
        format: document.format,
        encoding: document.encoding,
        field_names: document.field_names.clone(),
        missing_fields: Vec::new(),
        total_records: document.records.len(),
        ready: 0,
        waiting: 0,
        invalid: 0,
        rows: Vec::new(),
    };
    for field in mapping.source_fields() {
        let wanted = crate::record::normalise_field_name(field);
        if !document
            .field_names
            .iter()
            .any(|name| name == field || crate::record::normalise_field_name(name) == wanted)
            && !preview.missing_fields.iter().any(|known| known == field)
        {
            preview.missing_fields.push(field.to_string());
        }
    }
    for record in &document.records {
        let mut row = map_record(mapping, workout, record);
        match row.state {
            RowState::Ready => preview.ready += 1,
            RowState::Waiting => preview.waiting += 1,
            RowState::Invalid => preview.invalid += 1,
        }
        if preview.rows.len() < limit {
            row.record = None;
            preview.rows.push(row);
        }
    }
    preview
}

#[cfg(test)]
mod tests {
    use super::*;
    use scoretable_core::model::{
        LoadUnit, PublicationState, Rounding, TeamScoring, TieBreak, TimingPoint,
    };

    fn race() -> Workout {
        Workout {
            id: 1,
            name: "Sprint".into(),
            sequence: 1,
            score_type: ScoreType::Time,
            time_cap_ms: None,
            reps_per_round: None,
            load_unit: LoadUnit::Kg,
            tie_break: TieBreak::None,
            rounding: Rounding::Exact,
            team_scoring: TeamScoring::Individual,
            timing_points: vec![
                TimingPoint {
                    id: 11,
                    order: 1,
                    name: "Swim Exit".into(),
                },
                TimingPoint {
                    id: 12,
                    order: 2,
                    name: "Finish".into(),
                },
            ],
            heats: Vec::new(),
            state: PublicationState::Provisional,
        }
    }

    fn record(fields: &[(&str, &str)]) -> SourceRecord {
        SourceRecord {
            index: 3,
            fields: fields
                .iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect(),
        }
    }

    #[test]
    fn the_seed_record_maps_to_a_time() {
        let workout = race();
        let mapping = FieldMapping::timing_feed(&workout);
        let row = map_record(
            &mapping,
            &workout,
            &record(&[("CompCornerID", "524658"), ("Time", "00:13:37.2")]),
        );
        assert_eq!(row.state, RowState::Ready, "{:?}", row.problems);
        let mapped = row.record.unwrap();
        assert_eq!(mapped.value.score, Some(Score::Time { ms: 817_200 }));
        assert_eq!(mapped.record_key, "524658");
        assert_eq!(mapped.identifier.kind, IdentifierKind::FeedParticipantId);
    }

    #[test]
    fn problems_name_the_field_and_waiting_records_are_not_errors() {
        let workout = race();
        let mapping = FieldMapping::timing_feed(&workout);
        let row = map_record(
            &mapping,
            &workout,
            &record(&[("CompCornerID", "1"), ("Time", "soon")]),
        );
        assert_eq!(row.state, RowState::Invalid);
        assert_eq!(row.problems[0].field, "Time");
        let waiting = map_record(
            &mapping,
            &workout,
            &record(&[("CompCornerID", "1"), ("Time", "")]),
        );
        assert_eq!(waiting.state, RowState::Waiting);
        let missing = map_record(&mapping, &workout, &record(&[("Time", "00:10:00.0")]));
        assert_eq!(missing.problems[0].field, "CompCornerID");
    }

    #[test]
    fn transforms_status_tables_and_splits_apply() {
        let workout = race();
        let mut mapping = FieldMapping::timing_feed(&workout);
        mapping.value = Some(ValueField {
            field: "secs".into(),
            transform: ValueTransform::Seconds,
        });
        mapping.status = Some(StatusField {
            field: "state".into(),
            values: [
                ("Finished".to_string(), String::new()),
                ("DQ".to_string(), "DSQ".to_string()),
            ]
            .into_iter()
            .collect(),
        });
        mapping.splits = vec![SplitField {
            field: "swim".into(),
            timing_point: "Swim Exit".into(),
            transform: ValueTransform::Milliseconds,
        }];
        let row = map_record(
            &mapping,
            &workout,
            &record(&[
                ("CompCornerID", "9"),
                ("secs", "817.2456"),
                ("state", "finished"),
                ("swim", "300000"),
            ]),
        );
        let mapped = row.record.expect("ready");
        assert_eq!(mapped.value.score, Some(Score::Time { ms: 817_246 }));
        assert_eq!(mapped.value.status, None);
        assert_eq!(
            mapped.splits,
            vec![Split {
                timing_point_id: 11,
                total_ms: 300_000
            }]
        );
        let disqualified = map_record(
            &mapping,
            &workout,
            &record(&[("CompCornerID", "9"), ("secs", ""), ("state", "DQ")]),
        );
        assert_eq!(disqualified.record.unwrap().value.status, Some(Status::Dsq));
        assert_eq!(
            parse_decimal_seconds("1e5").unwrap_err(),
            "expected seconds like 817.2, got \"1e5\""
        );
    }

    #[test]
    fn validation_names_unknown_timing_points() {
        let workout = race();
        let mut mapping = FieldMapping::world_triathlon(&workout);
        assert_eq!(mapping.value.as_ref().unwrap().field, "split.2.total_time");
        mapping.validate(&workout).unwrap();
        mapping.splits.push(SplitField {
            field: "x".into(),
            timing_point: "T2".into(),
            transform: ValueTransform::AsIs,
        });
        let error = mapping.validate(&workout).unwrap_err();
        assert!(
            error.to_string().contains("\"T2\" is not a timing point"),
            "{error}"
        );
    }
}
