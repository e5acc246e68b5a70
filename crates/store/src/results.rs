//! Results, score entry, undo, amendments, result imports and the history.
//!
//! Every result row keeps its **source value** (typed at the table, imported
//! from a file, or polled from a feed) apart from its **amended value** (set by
//! an official). The effective value is the amended one once an amendment
//! exists, else the source value. Every change appends a row to
//! `score_events`; replaying a result's events in order gives its effective
//! value:
//!
//! - `entry` / `import`: the source value becomes `new`;
//! - `undo`: the source value is cleared (the undone entry's value is `old`);
//! - `amend`: the amended value becomes `new` and wins from then on.
//!
//! Policies:
//! - A result is entered once. Typing a second value for the same entrant is
//!   refused (undo the entry or amend it), so a slip of the keyboard never
//!   silently replaces a score.
//! - Imports never overwrite: a record for an entrant who already has a result
//!   (manual, imported or amended) is skipped and counted, like Competition
//!   Corner's "imported records are skipped on later syncs". The schema's
//!   triggers enforce the same for amended and imported rows even against raw
//!   SQL.
//! - Undo applies only to manual entries without an amendment.
//! - An official workout refuses entries, undos and imports; amendments are
//!   always possible, need a non-empty reason, and are logged.
//! - A time penalty is part of a value: imports bring the source's penalty,
//!   [`CompetitionFile::amend_penalty`] sets an official one (keeping the
//!   score), and a later score amendment keeps the penalty already applied.
//! - [`CompetitionFile::preview_amendment`] computes who would move without
//!   storing anything; [`CompetitionFile::amend_score`] returns the same list
//!   for what it stored.

use std::collections::HashMap;

use rusqlite::{params, Connection, OptionalExtension, Row, Transaction};
use scoretable_core::model::{
    Entrant, Id, Millis, PublicationState, ResultEntry, Score, ScoreType, Source, Split, Status,
    TeamScoring, Workout,
};
use scoretable_core::score::parse_score;
use serde::{Deserialize, Serialize};

use crate::codec::{decode, score_columns, score_from_columns, SqlWord, Word};
use crate::competition_file::{now_timestamp, CompetitionFile};
use crate::error::{Result, StoreError};
use crate::leaderboards::{placement_impact, PlacementChange};
use crate::workouts::load_workout;

/// One score value as stored: the text as received or shown, and what it means.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScoreValue {
    /// The raw text as typed or received, or the clean form of a parsed value.
    pub text: String,
    pub score: Option<Score>,
    pub status: Option<Status>,
    pub tie_break_ms: Option<Millis>,
    /// Time penalty added before ranking (source penalty, or the amended one).
    #[serde(default)]
    pub penalty_ms: Millis,
}

/// A score to store: raw text for the engine to parse, or a parsed value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ScoreInput {
    /// Text as typed, e.g. `12:03.4`, `CAP+41`, `5+12`, `DNF`; an optional
    /// tie-break time as text.
    Text {
        value: String,
        tie_break: Option<String>,
    },
    /// An already parsed value.
    Parsed {
        score: Option<Score>,
        status: Option<Status>,
        tie_break_ms: Option<Millis>,
    },
}

impl ScoreInput {
    /// Raw text without a tie-break.
    pub fn text(value: impl Into<String>) -> ScoreInput {
        ScoreInput::Text {
            value: value.into(),
            tie_break: None,
        }
    }

    /// Raw text with a tie-break time as text.
    pub fn text_with_tie_break(
        value: impl Into<String>,
        tie_break: impl Into<String>,
    ) -> ScoreInput {
        ScoreInput::Text {
            value: value.into(),
            tie_break: Some(tie_break.into()),
        }
    }

    pub fn score(score: Score) -> ScoreInput {
        ScoreInput::Parsed {
            score: Some(score),
            status: None,
            tie_break_ms: None,
        }
    }

    pub fn status(status: Status) -> ScoreInput {
        ScoreInput::Parsed {
            score: None,
            status: Some(status),
            tie_break_ms: None,
        }
    }
}

/// Where an imported result came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Provenance {
    /// The file name or feed name.
    pub source_name: Option<String>,
    /// The record's id in the source (RunSignup `result_id`, feed row id...).
    pub record_id: Option<String>,
    /// The import batch this result arrived in.
    pub import_batch: Option<String>,
}

/// A result row as stored, with source and amended values apart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredResult {
    pub id: Id,
    pub workout_id: Id,
    pub entrant: Entrant,
    /// Manual, File or Feed; `Amendment` when an official created the result.
    pub source: Source,
    /// `None` only when an amendment created the result.
    pub source_value: Option<ScoreValue>,
    pub amended_value: Option<ScoreValue>,
    /// The source value's penalty (the effective one is in [`Self::effective_value`]).
    pub penalty_ms: Millis,
    pub splits: Vec<Split>,
    pub incidents: Vec<String>,
    pub provenance: Provenance,
    pub received_at: String,
}

impl StoredResult {
    /// The value that counts: the amendment if any, else the source value.
    pub fn effective_value(&self) -> Option<&ScoreValue> {
        self.amended_value.as_ref().or(self.source_value.as_ref())
    }

    pub fn is_amended(&self) -> bool {
        self.amended_value.is_some()
    }

    /// The result as the engine ranks it.
    pub fn to_result_entry(&self) -> ResultEntry {
        let effective = self.effective_value();
        ResultEntry {
            entrant: self.entrant,
            score: effective.and_then(|value| value.score),
            status: effective.and_then(|value| value.status),
            tie_break_ms: effective.and_then(|value| value.tie_break_ms),
            penalty_ms: effective.map_or(0, |value| value.penalty_ms),
            splits: self.splits.clone(),
            incidents: self.incidents.clone(),
            source: if self.is_amended() {
                Source::Amendment
            } else {
                self.source
            },
            amended: self.is_amended(),
            partial: false,
        }
    }
}

/// Returned by [`CompetitionFile::enter_score`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntryReceipt {
    /// The history event id; pass it to [`CompetitionFile::undo_entry`].
    pub entry_id: Id,
    pub result_id: Id,
    pub workout_id: Id,
    pub entrant: Entrant,
    pub value: ScoreValue,
    /// The value in its clean leaderboard form (`12:03.4`, `CAP+41`, `DNF`).
    pub display: String,
}

/// Returned by [`CompetitionFile::amend_score`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AmendmentReceipt {
    pub event_id: Id,
    pub result_id: Id,
    /// The effective value before the amendment.
    pub old: Option<ScoreValue>,
    pub new: ScoreValue,
    pub display: String,
    /// Everyone whose place in the workout (overall or in a division) changed.
    pub moved: Vec<PlacementChange>,
}

/// Returned by [`CompetitionFile::preview_amendment`]: nothing is stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AmendmentPreview {
    pub old: Option<ScoreValue>,
    pub new: ScoreValue,
    pub display: String,
    pub moved: Vec<PlacementChange>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScoreEventKind {
    Entry,
    Import,
    Amend,
    Undo,
}

impl ScoreEventKind {
    fn word(self) -> &'static str {
        self.as_sql()
    }

    fn from_word(word: &str) -> rusqlite::types::FromSqlResult<ScoreEventKind> {
        ScoreEventKind::from_sql(word)
    }
}

/// One row of a score's append-only history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScoreEvent {
    pub id: Id,
    pub workout_id: Id,
    pub entrant: Entrant,
    pub kind: ScoreEventKind,
    pub who: String,
    /// RFC 3339 UTC timestamp.
    pub at: String,
    pub old: Option<ScoreValue>,
    pub new: Option<ScoreValue>,
    pub reason: Option<String>,
    pub appeal_ref: Option<String>,
    /// For `Undo`: the entry it undid.
    pub undoes_event_id: Option<Id>,
}

/// Replays a result's history to its effective value (see the module docs).
pub fn replay_history(events: &[ScoreEvent]) -> Option<ScoreValue> {
    let mut source: Option<ScoreValue> = None;
    let mut amended: Option<ScoreValue> = None;
    for event in events {
        match event.kind {
            ScoreEventKind::Entry | ScoreEventKind::Import => source = event.new.clone(),
            ScoreEventKind::Undo => source = None,
            ScoreEventKind::Amend => amended = event.new.clone(),
        }
    }
    amended.or(source)
}

/// One result arriving from a file or a feed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportedResult {
    /// 1-based row or record number in the source, for error messages.
    pub row: u64,
    pub entrant: Entrant,
    pub value: ScoreInput,
    pub penalty_ms: Millis,
    pub splits: Vec<Split>,
    pub incidents: Vec<String>,
    /// The record's id in the source system, if it has one.
    pub record_id: Option<String>,
    /// When the record was received (RFC 3339); now if `None`.
    pub received_at: Option<String>,
}

/// What a result import did.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ResultImportSummary {
    /// The import batch id stored in each new result's provenance.
    pub batch_id: String,
    pub inserted: usize,
    /// Skipped because the entrant already had a result (never overwritten).
    pub skipped_existing: usize,
    /// Of those, how many were protected by an official amendment.
    pub skipped_amended: usize,
}

pub(crate) const RESULT_COLUMNS: &str =
    "id, workout_id, competitor_id, team_id, source, source_text,
    source_kind, source_a, source_b, source_status, source_tie_break_ms, amended, amended_text,
    amended_kind, amended_a, amended_b, amended_status, amended_tie_break_ms, penalty_ms,
    incidents, provenance_source_name, provenance_record_id, provenance_import_batch, received_at,
    amended_penalty_ms";

fn entrant_from_columns(
    competitor_id: Option<Id>,
    team_id: Option<Id>,
) -> rusqlite::Result<Entrant> {
    match (competitor_id, team_id) {
        (Some(id), None) => Ok(Entrant::Competitor(id)),
        (None, Some(id)) => Ok(Entrant::Team(id)),
        _ => Err(rusqlite::Error::InvalidColumnType(
            2,
            "entrant".into(),
            rusqlite::types::Type::Null,
        )),
    }
}

fn entrant_columns(entrant: Entrant) -> (Option<Id>, Option<Id>) {
    match entrant {
        Entrant::Competitor(id) => (Some(id), None),
        Entrant::Team(id) => (None, Some(id)),
    }
}

fn value_from_columns(
    row: &Row<'_>,
    first: usize,
    penalty_ms: Millis,
) -> rusqlite::Result<Option<ScoreValue>> {
    let text: Option<String> = row.get(first)?;
    let kind: Option<Word> = row.get(first + 1)?;
    let a: Option<i64> = row.get(first + 2)?;
    let b: Option<i64> = row.get(first + 3)?;
    let status: Option<Word> = row.get(first + 4)?;
    let tie_break_ms: Option<i64> = row.get(first + 5)?;
    let score = decode(
        first + 1,
        score_from_columns(kind.as_ref().map(|word| word.0.as_str()), a, b),
    )?;
    let status = status
        .map(|word| decode(first + 4, Status::from_sql(&word.0)))
        .transpose()?;
    if score.is_none() && status.is_none() {
        return Ok(None);
    }
    Ok(Some(ScoreValue {
        text: text.unwrap_or_default(),
        score,
        status,
        tie_break_ms,
        penalty_ms,
    }))
}

fn result_from_row(row: &Row<'_>) -> rusqlite::Result<StoredResult> {
    let source: Word = row.get(4)?;
    let amended: bool = row.get(11)?;
    let incidents_text: String = row.get(19)?;
    let incidents: Vec<String> = serde_json::from_str(&incidents_text).map_err(|error| {
        rusqlite::Error::FromSqlConversionFailure(19, rusqlite::types::Type::Text, Box::new(error))
    })?;
    Ok(StoredResult {
        id: row.get(0)?,
        workout_id: row.get(1)?,
        entrant: entrant_from_columns(row.get(2)?, row.get(3)?)?,
        source: decode(4, Source::from_sql(&source.0))?,
        source_value: value_from_columns(row, 5, row.get(18)?)?,
        amended_value: if amended {
            let amended_penalty: Option<Millis> = row.get(24)?;
            value_from_columns(row, 12, amended_penalty.unwrap_or_default())?
        } else {
            None
        },
        penalty_ms: row.get(18)?,
        splits: Vec::new(),
        incidents,
        provenance: Provenance {
            source_name: row.get(20)?,
            record_id: row.get(21)?,
            import_batch: row.get(22)?,
        },
        received_at: row.get(23)?,
    })
}

/// How a whole workout's rows are read. A workout holding a small share of
/// the file's results (a 150-athlete wave beside a 60,000-athlete race) is
/// read through `results_by_workout` (schema v10); one holding most of them
/// is read by one pass over the table in id order, which is about twice as
/// fast as looking each row up through the index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum WorkoutRead {
    ByIndex,
    WholeTable,
}

impl WorkoutRead {
    pub(crate) fn of(connection: &Connection, workout_id: Id) -> Result<WorkoutRead> {
        let (mine, all): (i64, i64) = connection
            .prepare_cached(
                "SELECT (SELECT count(*) FROM results WHERE workout_id = ?1),
                        (SELECT count(*) FROM results)",
            )?
            .query_row(params![workout_id], |row| Ok((row.get(0)?, row.get(1)?)))?;
        Ok(if mine * 4 >= all {
            WorkoutRead::WholeTable
        } else {
            WorkoutRead::ByIndex
        })
    }

    /// `SELECT columns FROM results ... WHERE workout_id = ?1 ORDER BY id`.
    pub(crate) fn results_sql(self, columns: &str) -> String {
        let hint = match self {
            WorkoutRead::ByIndex => "INDEXED BY results_by_workout",
            WorkoutRead::WholeTable => "NOT INDEXED",
        };
        format!("SELECT {columns} FROM results {hint} WHERE workout_id = ?1 ORDER BY id")
    }

    /// A workout's splits, in result and timing-point order.
    pub(crate) fn splits_sql(self) -> &'static str {
        match self {
            WorkoutRead::ByIndex => {
                "SELECT s.result_id, s.timing_point_id, s.total_ms
                 FROM results r INDEXED BY results_by_workout
                 CROSS JOIN result_splits s ON s.result_id = r.id
                 JOIN timing_points p ON p.id = s.timing_point_id
                 WHERE r.workout_id = ?1 ORDER BY s.result_id, p.point_order"
            }
            WorkoutRead::WholeTable => {
                "SELECT s.result_id, s.timing_point_id, s.total_ms
                 FROM result_splits s CROSS JOIN results r NOT INDEXED ON r.id = s.result_id
                 JOIN timing_points p ON p.id = s.timing_point_id
                 WHERE r.workout_id = ?1 ORDER BY s.result_id, p.point_order"
            }
        }
    }
}

/// Loads a workout's results with their splits: two queries in all.
pub(crate) fn load_results(connection: &Connection, workout_id: Id) -> Result<Vec<StoredResult>> {
    let mut results = load_results_without_splits(connection, workout_id)?;
    let index: HashMap<Id, usize> = results
        .iter()
        .enumerate()
        .map(|(position, result)| (result.id, position))
        .collect();
    let read = WorkoutRead::of(connection, workout_id)?;
    let mut statement = connection.prepare_cached(read.splits_sql())?;
    let mut rows = statement.query(params![workout_id])?;
    while let Some(row) = rows.next()? {
        let result_id: Id = row.get(0)?;
        if let Some(&position) = index.get(&result_id) {
            results[position].splits.push(Split {
                timing_point_id: row.get(1)?,
                total_ms: row.get(2)?,
            });
        }
    }
    Ok(results)
}

/// The workout's results with empty `splits`: for rankings that need no
/// split standings (a 60,000-athlete race has ten times as many splits as
/// results, and loading them is most of the cost).
pub(crate) fn load_results_without_splits(
    connection: &Connection,
    workout_id: Id,
) -> Result<Vec<StoredResult>> {
    let sql = WorkoutRead::of(connection, workout_id)?.results_sql(RESULT_COLUMNS);
    let mut statement = connection.prepare_cached(&sql)?;
    let rows = statement.query_map(params![workout_id], result_from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The workout's effective results as the engine ranks them, without
/// splits, incidents or texts: only the columns a place depends on, decoded
/// without allocating. Same rows and values as
/// [`StoredResult::to_result_entry`] over [`load_results_without_splits`]
/// (rows without an effective value are left out), at a fraction of the cost.
pub(crate) fn load_rank_entries(
    connection: &Connection,
    workout_id: Id,
) -> Result<Vec<ResultEntry>> {
    let sql = WorkoutRead::of(connection, workout_id)?.results_sql(RANK_COLUMNS);
    let mut statement = connection.prepare_cached(&sql)?;
    let rows = statement.query(params![workout_id])?;
    rank_entries_from(rows)
}

/// One entrant's ranking input in a workout ([`load_rank_entries`]'s row),
/// by key; `None` without an effective value.
pub(crate) fn load_rank_entry(
    connection: &Connection,
    workout_id: Id,
    entrant: Entrant,
) -> Result<Option<ResultEntry>> {
    let (competitor_id, team_id) = entrant_columns(entrant);
    let mut statement = connection.prepare_cached(&format!(
        "SELECT {RANK_COLUMNS} FROM results WHERE workout_id = ?1
         AND competitor_id IS ?2 AND team_id IS ?3"
    ))?;
    let rows = statement.query(params![workout_id, competitor_id, team_id])?;
    Ok(rank_entries_from(rows)?.pop())
}

/// The columns a place depends on, in the order [`rank_entries_from`] reads.
pub(crate) const RANK_COLUMNS: &str = "competitor_id, team_id, source, amended,
    source_kind, source_a, source_b, source_status, source_tie_break_ms, penalty_ms,
    amended_kind, amended_a, amended_b, amended_status, amended_tie_break_ms,
    amended_penalty_ms";

fn rank_entries_from(mut rows: rusqlite::Rows<'_>) -> Result<Vec<ResultEntry>> {
    let mut entries = Vec::new();
    // (score, status, tie-break) from the six columns starting at `first`.
    fn value(
        row: &Row<'_>,
        first: usize,
    ) -> rusqlite::Result<Option<(Option<Score>, Option<Status>, Option<Millis>)>> {
        let kind = row
            .get_ref(first)?
            .as_str_or_null()
            .map_err(rusqlite::Error::from)?;
        let score = decode(
            first,
            score_from_columns(kind, row.get(first + 1)?, row.get(first + 2)?),
        )?;
        let status = match row
            .get_ref(first + 3)?
            .as_str_or_null()
            .map_err(rusqlite::Error::from)?
        {
            Some(word) => Some(decode(first + 3, Status::from_sql(word))?),
            None => None,
        };
        if score.is_none() && status.is_none() {
            return Ok(None);
        }
        Ok(Some((score, status, row.get(first + 4)?)))
    }
    while let Some(row) = rows.next()? {
        let entrant = entrant_from_columns(row.get(0)?, row.get(1)?)?;
        let amended_flag: bool = row.get(3)?;
        let amended_value = if amended_flag { value(row, 10)? } else { None };
        let amended = amended_value.is_some();
        let (value, penalty_ms, source) = match amended_value {
            Some(value) => (
                value,
                row.get::<_, Option<Millis>>(15)?.unwrap_or_default(),
                Source::Amendment,
            ),
            None => match value(row, 4)? {
                Some(value) => {
                    let word = row.get_ref(2)?.as_str().map_err(rusqlite::Error::from)?;
                    let source = decode(2, Source::from_sql(word))?;
                    (value, row.get(9)?, source)
                }
                None => continue,
            },
        };
        let (score, status, tie_break_ms) = value;
        entries.push(ResultEntry {
            entrant,
            score,
            status,
            tie_break_ms,
            penalty_ms,
            splits: Vec::new(),
            incidents: Vec::new(),
            source,
            amended,
            partial: false,
        });
    }
    Ok(entries)
}

pub(crate) fn load_result(
    connection: &Connection,
    workout_id: Id,
    entrant: Entrant,
) -> Result<Option<StoredResult>> {
    let (competitor_id, team_id) = entrant_columns(entrant);
    let sql = format!(
        "SELECT {RESULT_COLUMNS} FROM results WHERE workout_id = ?1
         AND competitor_id IS ?2 AND team_id IS ?3"
    );
    let mut statement = connection.prepare_cached(&sql)?;
    let mut result = statement
        .query_row(params![workout_id, competitor_id, team_id], result_from_row)
        .optional()?;
    if let Some(result) = result.as_mut() {
        let mut statement = connection.prepare_cached(
            "SELECT s.timing_point_id, s.total_ms FROM result_splits s
             JOIN timing_points p ON p.id = s.timing_point_id
             WHERE s.result_id = ?1 ORDER BY p.point_order",
        )?;
        let rows = statement.query_map(params![result.id], |row| {
            Ok(Split {
                timing_point_id: row.get(0)?,
                total_ms: row.get(1)?,
            })
        })?;
        result.splits = rows.collect::<rusqlite::Result<_>>()?;
    }
    Ok(result)
}

fn event_from_row(row: &Row<'_>) -> rusqlite::Result<ScoreEvent> {
    let kind: Word = row.get(4)?;
    let parse_value = |column: usize| -> rusqlite::Result<Option<ScoreValue>> {
        let text: Option<String> = row.get(column)?;
        text.map(|text| {
            serde_json::from_str(&text).map_err(|error| {
                rusqlite::Error::FromSqlConversionFailure(
                    column,
                    rusqlite::types::Type::Text,
                    Box::new(error),
                )
            })
        })
        .transpose()
    };
    Ok(ScoreEvent {
        id: row.get(0)?,
        workout_id: row.get(1)?,
        entrant: entrant_from_columns(row.get(2)?, row.get(3)?)?,
        kind: decode(4, ScoreEventKind::from_word(&kind.0))?,
        who: row.get(5)?,
        at: row.get(6)?,
        old: parse_value(7)?,
        new: parse_value(8)?,
        reason: row.get(9)?,
        appeal_ref: row.get(10)?,
        undoes_event_id: row.get(11)?,
    })
}

const EVENT_COLUMNS: &str = "id, workout_id, competitor_id, team_id, kind, who, at, old_value,
    new_value, reason, appeal_ref, undoes_event_id";

fn load_event(connection: &Connection, event_id: Id) -> Result<Option<ScoreEvent>> {
    let sql = format!("SELECT {EVENT_COLUMNS} FROM score_events WHERE id = ?1");
    Ok(connection
        .query_row(&sql, params![event_id], event_from_row)
        .optional()?)
}

struct NewEvent<'a> {
    workout_id: Id,
    entrant: Entrant,
    kind: ScoreEventKind,
    who: &'a str,
    at: &'a str,
    old: Option<&'a ScoreValue>,
    new: Option<&'a ScoreValue>,
    reason: Option<&'a str>,
    appeal_ref: Option<&'a str>,
    undoes_event_id: Option<Id>,
}

fn append_event(transaction: &Transaction<'_>, event: NewEvent<'_>) -> Result<Id> {
    let (competitor_id, team_id) = entrant_columns(event.entrant);
    let to_json = |value: Option<&ScoreValue>| {
        value.map(|value| serde_json::to_string(value).expect("score values serialize"))
    };
    let mut statement = transaction.prepare_cached(
        "INSERT INTO score_events (workout_id, competitor_id, team_id, kind, who, at, old_value,
            new_value, reason, appeal_ref, undoes_event_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    )?;
    statement.execute(params![
        event.workout_id,
        competitor_id,
        team_id,
        event.kind.word(),
        event.who,
        event.at,
        to_json(event.old),
        to_json(event.new),
        event.reason,
        event.appeal_ref,
        event.undoes_event_id
    ])?;
    Ok(transaction.last_insert_rowid())
}

/// Whether `score` is a kind of score `workout` takes.
fn score_fits(workout: &Workout, score: Score) -> bool {
    matches!(
        (workout.score_type, score),
        (ScoreType::Time, Score::Time { .. })
            | (
                ScoreType::TimeCapped,
                Score::Time { .. } | Score::Capped { .. }
            )
            | (ScoreType::RoundsReps, Score::RoundsReps { .. })
            | (ScoreType::Reps, Score::Reps { .. })
            | (ScoreType::Load, Score::Load { .. })
            | (ScoreType::Distance, Score::Distance { .. })
            | (ScoreType::Points, Score::Points { .. })
    ) || (workout.score_type == ScoreType::RoundsReps
        && matches!(score, Score::Reps { .. })
        && workout.reps_per_round.is_some())
}

/// The clean leaderboard text of a value.
/// A value as the workout's board shows it (penalty added, ranking
/// precision): what receipts and the amendment preview say.
pub(crate) fn board_value(workout: &Workout, value: &ScoreValue) -> String {
    scoretable_core::score::board_display(workout, value.score, value.status, value.penalty_ms)
}

pub(crate) fn display_value(workout: &Workout, value: &ScoreValue) -> String {
    scoretable_core::score::value_text(workout, value.score, value.status)
}

/// Parses or checks a score input for a workout. The error message is the
/// parser's, ready to be wrapped with the workout and entrant.
fn resolve_value(workout: &Workout, input: &ScoreInput) -> std::result::Result<ScoreValue, String> {
    match input {
        ScoreInput::Text { value, tie_break } => {
            let parsed = parse_score(workout, value).map_err(|error| error.to_string())?;
            let tie_break_ms = match tie_break.as_deref().map(str::trim) {
                None | Some("") => None,
                Some(text) => Some(
                    scoretable_core::time::parse_time(text)
                        .map_err(|error| format!("tie-break: {error}"))?,
                ),
            };
            Ok(ScoreValue {
                text: value.trim().to_string(),
                score: parsed.score,
                status: parsed.status,
                tie_break_ms,
                penalty_ms: 0,
            })
        }
        ScoreInput::Parsed {
            score,
            status,
            tie_break_ms,
        } => {
            if score.is_none() && status.is_none() {
                return Err("a score or a status is required".into());
            }
            if let Some(score) = score {
                if !score_fits(workout, *score) {
                    return Err(format!(
                        "a {:?} score does not fit a {:?} workout",
                        score, workout.score_type
                    ));
                }
            }
            if tie_break_ms.is_some_and(|ms| ms < 0) {
                return Err("tie-break time must not be negative".into());
            }
            let mut value = ScoreValue {
                text: String::new(),
                score: *score,
                status: *status,
                tie_break_ms: *tie_break_ms,
                penalty_ms: 0,
            };
            value.text = display_value(workout, &value);
            Ok(value)
        }
    }
}

/// A readable name for an entrant in messages: `bib 12 (Ann Lee)`, `team Red`.
pub(crate) fn describe_entrant(connection: &Connection, entrant: Entrant) -> Result<String> {
    match entrant {
        Entrant::Competitor(id) => {
            let found: Option<(String, String, String)> = connection
                .prepare_cached("SELECT bib, first_name, last_name FROM competitors WHERE id = ?1")?
                .query_row(params![id], |row| {
                    Ok((row.get(0)?, row.get(1)?, row.get(2)?))
                })
                .optional()?;
            Ok(match found {
                Some((bib, first, last)) => {
                    format!("bib {bib} ({})", format!("{first} {last}").trim())
                }
                None => format!("competitor #{id}"),
            })
        }
        Entrant::Team(id) => {
            let name: Option<String> = connection
                .prepare_cached("SELECT name FROM teams WHERE id = ?1")?
                .query_row(params![id], |row| row.get(0))
                .optional()?;
            Ok(match name {
                Some(name) => format!("team {name}"),
                None => format!("team #{id}"),
            })
        }
    }
}

/// Checks that an entrant exists and fits the workout's team scoring.
fn check_entrant(connection: &Connection, workout: &Workout, entrant: Entrant) -> Result<()> {
    let exists: bool = match entrant {
        Entrant::Competitor(id) => connection
            .prepare_cached("SELECT EXISTS (SELECT 1 FROM competitors WHERE id = ?1)")?
            .query_row(params![id], |row| row.get(0))?,
        Entrant::Team(id) => connection
            .prepare_cached("SELECT EXISTS (SELECT 1 FROM teams WHERE id = ?1)")?
            .query_row(params![id], |row| row.get(0))?,
    };
    if !exists {
        return Err(unknown_entrant(entrant));
    }
    check_entrant_fits(workout, entrant)?;
    if let (TeamScoring::SumAll | TeamScoring::BestN { .. }, Entrant::Competitor(id)) =
        (workout.team_scoring, entrant)
    {
        let in_team: bool = connection
            .prepare_cached("SELECT EXISTS (SELECT 1 FROM team_members WHERE competitor_id = ?1)")?
            .query_row(params![id], |row| row.get(0))?;
        if !in_team {
            return Err(not_in_a_team(connection, workout, entrant));
        }
    }
    Ok(())
}

fn not_in_a_team(connection: &Connection, workout: &Workout, entrant: Entrant) -> StoreError {
    StoreError::InvalidInput {
        field: format!("entrant in workout {}", workout.name),
        message: not_in_a_team_message(connection, entrant),
    }
}

fn not_in_a_team_message(connection: &Connection, entrant: Entrant) -> String {
    format!(
        "{} is in no team, and this workout ranks teams from their members' scores",
        describe_entrant(connection, entrant).unwrap_or_else(|_| format!("{entrant:?}"))
    )
}

/// Competitors who belong to at least one team.
fn team_members(connection: &Connection) -> Result<std::collections::HashSet<Id>> {
    let mut statement =
        connection.prepare_cached("SELECT DISTINCT competitor_id FROM team_members")?;
    let rows = statement.query_map([], |row| row.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

fn unknown_entrant(entrant: Entrant) -> StoreError {
    let (what, id) = match entrant {
        Entrant::Competitor(id) => ("competitor", id),
        Entrant::Team(id) => ("team", id),
    };
    StoreError::NotFound {
        what,
        key: id.to_string(),
    }
}

/// Checks that an entrant kind fits the workout's team scoring (the
/// core's rule), naming the workout.
fn check_entrant_fits(workout: &Workout, entrant: Entrant) -> Result<()> {
    scoretable_core::teams::entrant_fits(workout, entrant).map_err(|message| {
        StoreError::InvalidInput {
            field: format!("entrant in workout {}", workout.name),
            message: message.into(),
        }
    })
}

/// Ids of every competitor and team, loaded once for bulk imports.
fn known_entrants(connection: &Connection) -> Result<std::collections::HashSet<Entrant>> {
    let mut known = std::collections::HashSet::new();
    for (sql, make) in [
        (
            "SELECT id FROM competitors",
            Entrant::Competitor as fn(Id) -> Entrant,
        ),
        ("SELECT id FROM teams", Entrant::Team as fn(Id) -> Entrant),
    ] {
        let mut statement = connection.prepare_cached(sql)?;
        let mut rows = statement.query([])?;
        while let Some(row) = rows.next()? {
            known.insert(make(row.get(0)?));
        }
    }
    Ok(known)
}

/// Entrants who already have a result in a workout, and whether it is amended.
fn existing_results(connection: &Connection, workout_id: Id) -> Result<HashMap<Entrant, bool>> {
    let mut statement = connection.prepare_cached(
        "SELECT competitor_id, team_id, amended FROM results WHERE workout_id = ?1",
    )?;
    let mut rows = statement.query(params![workout_id])?;
    let mut existing = HashMap::new();
    while let Some(row) = rows.next()? {
        let entrant = entrant_from_columns(row.get(0)?, row.get(1)?)?;
        existing.insert(entrant, row.get::<_, bool>(2)?);
    }
    Ok(existing)
}

/// The latest event that set this result's source value (entry or import).
fn latest_source_event(
    connection: &Connection,
    workout_id: Id,
    entrant: Entrant,
) -> Result<Option<(Id, ScoreEventKind)>> {
    let (competitor_id, team_id) = entrant_columns(entrant);
    let found: Option<(Id, Word)> = connection
        .prepare_cached(
            "SELECT id, kind FROM score_events WHERE workout_id = ?1 AND competitor_id IS ?2
                AND team_id IS ?3 AND kind IN ('entry', 'import', 'undo')
             ORDER BY id DESC LIMIT 1",
        )?
        .query_row(params![workout_id, competitor_id, team_id], |row| {
            Ok((row.get(0)?, row.get(1)?))
        })
        .optional()?;
    match found {
        None => Ok(None),
        Some((id, kind)) => Ok(Some((id, decode(1, ScoreEventKind::from_word(&kind.0))?))),
    }
}

struct NewResult<'a> {
    workout_id: Id,
    entrant: Entrant,
    source: Source,
    value: &'a ScoreValue,
    penalty_ms: Millis,
    incidents: &'a [String],
    provenance: &'a Provenance,
    received_at: &'a str,
}

fn insert_result(transaction: &Transaction<'_>, new: NewResult<'_>) -> Result<Id> {
    let NewResult {
        workout_id,
        entrant,
        source,
        value,
        penalty_ms,
        incidents,
        provenance,
        received_at,
    } = new;
    let (competitor_id, team_id) = entrant_columns(entrant);
    let (kind, a, b) = score_columns(value.score);
    let incidents = serde_json::to_string(incidents).expect("strings serialize");
    let mut statement = transaction.prepare_cached(
        "INSERT INTO results (workout_id, competitor_id, team_id, source, source_text,
            source_kind, source_a, source_b, source_status, source_tie_break_ms, penalty_ms,
            incidents, provenance_source_name, provenance_record_id, provenance_import_batch,
            received_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
    )?;
    statement.execute(params![
        workout_id,
        competitor_id,
        team_id,
        SqlWord::as_sql(source),
        value.text,
        kind,
        a,
        b,
        value.status.map(SqlWord::as_sql),
        value.tie_break_ms,
        penalty_ms,
        incidents,
        provenance.source_name,
        provenance.record_id,
        provenance.import_batch,
        received_at
    ])?;
    Ok(transaction.last_insert_rowid())
}

fn require_who(who: &str) -> Result<&str> {
    let who = who.trim();
    if who.is_empty() {
        return Err(StoreError::InvalidInput {
            field: "who".into(),
            message: "say who made the change".into(),
        });
    }
    Ok(who)
}

impl CompetitionFile {
    /// Finds the entrant with this bib (competitor bibs first, then team
    /// bibs), or fails with "Unknown bib 123 in workout Fran".
    pub fn entrant_by_bib(&self, workout_id: Id, bib: &str) -> Result<Entrant> {
        entrant_by_bib(&self.connection, workout_id, bib)
    }

    /// The entrants of many bibs in a workout, by the same rule as
    /// [`entrant_by_bib`](Self::entrant_by_bib) (one read for the whole
    /// list): `None` for a bib nobody has.
    pub fn entrants_by_bibs(&self, workout_id: Id, bibs: &[&str]) -> Result<Vec<Option<Entrant>>> {
        self.read(|connection| entrants_by_bibs(connection, workout_id, bibs))
    }

    /// Records a score typed at the table and returns a receipt whose
    /// `entry_id` undoes it.
    pub fn enter_score(
        &mut self,
        workout_id: Id,
        entrant: Entrant,
        input: ScoreInput,
        who: &str,
    ) -> Result<EntryReceipt> {
        let who = require_who(who)?.to_string();
        self.write(|transaction| enter_score_in(transaction, workout_id, entrant, &input, &who))
    }

    /// [`enter_score`](Self::enter_score) by bib.
    pub fn enter_score_by_bib(
        &mut self,
        workout_id: Id,
        bib: &str,
        input: ScoreInput,
        who: &str,
    ) -> Result<EntryReceipt> {
        let who = require_who(who)?.to_string();
        self.write(|transaction| {
            let entrant = entrant_by_bib(transaction, workout_id, bib)?;
            enter_score_in(transaction, workout_id, entrant, &input, &who)
        })
    }

    /// Takes back a manual entry (a typing slip). The entrant can then be
    /// entered again. Amended or imported results cannot be undone: amend them.
    pub fn undo_entry(&mut self, entry_id: Id, who: &str) -> Result<ScoreEvent> {
        let who = require_who(who)?.to_string();
        self.write(|transaction| {
            let cannot = |reason: String| StoreError::CannotUndo { entry_id, reason };
            let event = load_event(transaction, entry_id)?.ok_or(StoreError::NotFound {
                what: "entry",
                key: entry_id.to_string(),
            })?;
            if event.kind != ScoreEventKind::Entry {
                return Err(cannot(format!(
                    "it is {} event, not a score entry",
                    match event.kind {
                        ScoreEventKind::Import => "an import",
                        ScoreEventKind::Amend => "an amendment",
                        _ => "an undo",
                    }
                )));
            }
            let workout = load_workout(transaction, event.workout_id)?;
            if workout.state == PublicationState::Official {
                return Err(StoreError::WorkoutIsOfficial {
                    workout: workout.name,
                });
            }
            match latest_source_event(transaction, event.workout_id, event.entrant)? {
                Some((latest, _)) if latest == entry_id => {}
                _ => {
                    return Err(cannot(
                        "it was already undone or replaced by a later entry".into(),
                    ))
                }
            }
            let result = load_result(transaction, event.workout_id, event.entrant)?
                .ok_or_else(|| cannot("the result no longer exists".into()))?;
            if result.is_amended() {
                return Err(cannot(
                    "the score has an official amendment; amend it again instead".into(),
                ));
            }
            transaction.execute("DELETE FROM results WHERE id = ?1", params![result.id])?;
            let at = now_timestamp();
            let undo_id = append_event(
                transaction,
                NewEvent {
                    workout_id: event.workout_id,
                    entrant: event.entrant,
                    kind: ScoreEventKind::Undo,
                    who: &who,
                    at: &at,
                    old: result.source_value.as_ref(),
                    new: None,
                    reason: None,
                    appeal_ref: None,
                    undoes_event_id: Some(entry_id),
                },
            )?;
            Ok(load_event(transaction, undo_id)?.expect("the event was just written"))
        })
    }

    /// Sets an official amendment: the new value wins over any source value
    /// from now on and no import can overwrite it. Works on official
    /// workouts too. Returns who moved in the workout's placings.
    pub fn amend_score(
        &mut self,
        workout_id: Id,
        entrant: Entrant,
        new_value: &str,
        who: &str,
        reason: &str,
        appeal_ref: Option<&str>,
    ) -> Result<AmendmentReceipt> {
        self.amend_score_with(
            workout_id,
            entrant,
            ScoreInput::text(new_value),
            who,
            reason,
            appeal_ref,
        )
    }

    /// [`amend_score`](Self::amend_score) with any [`ScoreInput`] (e.g. with a tie-break).
    pub fn amend_score_with(
        &mut self,
        workout_id: Id,
        entrant: Entrant,
        input: ScoreInput,
        who: &str,
        reason: &str,
        appeal_ref: Option<&str>,
    ) -> Result<AmendmentReceipt> {
        let mut receipt =
            self.record_amendment(workout_id, entrant, input, who, reason, appeal_ref)?;
        receipt.moved = self.placement_changes_since(workout_id, entrant, receipt.old.as_ref())?;
        Ok(receipt)
    }

    /// [`amend_score_with`](Self::amend_score_with) without the who-moved
    /// list (`moved` is empty): the write alone, one short transaction that
    /// updates the result, appends the history event and commits, with no
    /// loading or ranking while the write lock is held. For callers that
    /// know who moved from a board they keep (the desktop app), or that
    /// call [`placement_changes_since`](Self::placement_changes_since).
    pub fn record_amendment(
        &mut self,
        workout_id: Id,
        entrant: Entrant,
        input: ScoreInput,
        who: &str,
        reason: &str,
        appeal_ref: Option<&str>,
    ) -> Result<AmendmentReceipt> {
        self.write(|transaction| {
            amend_score_in(
                transaction,
                workout_id,
                entrant,
                &input,
                who,
                reason,
                appeal_ref,
            )
        })
    }

    /// Shows what an amendment would do without storing anything: the old
    /// and new values and who would move. The desktop app shows this before
    /// the official confirms.
    pub fn preview_amendment(
        &self,
        workout_id: Id,
        entrant: Entrant,
        input: &ScoreInput,
    ) -> Result<AmendmentPreview> {
        self.read(|_| self.preview_amendment_unlocked(workout_id, entrant, input))
    }

    fn preview_amendment_unlocked(
        &self,
        workout_id: Id,
        entrant: Entrant,
        input: &ScoreInput,
    ) -> Result<AmendmentPreview> {
        let connection = &self.connection;
        let workout = load_workout(connection, workout_id)?;
        check_entrant(connection, &workout, entrant)?;
        let existing = load_result(connection, workout_id, entrant)?;
        let old = existing
            .as_ref()
            .and_then(|result| result.effective_value().cloned());
        let mut value = resolve_value(&workout, input)
            .map_err(|message| invalid_score(connection, &workout, entrant, input, message))?;
        value.penalty_ms = old.as_ref().map_or(0, |old| old.penalty_ms);
        let mut after = load_rank_entries(connection, workout_id)?;
        let before = after
            .iter()
            .position(|result| result.entrant == entrant)
            .map(|position| after.swap_remove(position));
        after.push(amended_entry(entrant, &value));
        let moved = placement_changes(connection, &workout, entrant, before, after)?;
        Ok(AmendmentPreview {
            display: board_value(&workout, &value),
            old,
            new: value,
            moved,
        })
    }

    /// Who moved in a workout since `entrant`'s effective value was `old`
    /// (`None`: no result): the places of the workout as stored now against
    /// the same results with `old` in place of the entrant's current value.
    /// Costs one pass over the workout's ranking columns (see
    /// [`scoretable_core::moves`]), never a ranking; member-scored team
    /// workouts are ranked in full.
    pub fn placement_changes_since(
        &self,
        workout_id: Id,
        entrant: Entrant,
        old: Option<&ScoreValue>,
    ) -> Result<Vec<PlacementChange>> {
        self.read(|connection| {
            let workout = load_workout(connection, workout_id)?;
            let after = load_rank_entries(connection, workout_id)?;
            let before = old.map(|old| amended_entry(entrant, old)).map(|mut entry| {
                // The value before carries its own source; only the fields
                // that rank matter here.
                entry.amended = false;
                entry
            });
            placement_changes(connection, &workout, entrant, before, after)
        })
    }

    /// [`placement_changes_since`](Self::placement_changes_since) counted in
    /// full but listed only up to `listed` changes, for a command that
    /// prints the first few: bibs are read only to order the listed ties.
    pub fn placement_changes_listed(
        &self,
        workout_id: Id,
        entrant: Entrant,
        old: Option<&ScoreValue>,
        listed: usize,
    ) -> Result<MovedPlacements> {
        self.read(|connection| {
            let workout = load_workout(connection, workout_id)?;
            let after = load_rank_entries(connection, workout_id)?;
            let before = old.map(|old| amended_entry(entrant, old)).map(|mut entry| {
                entry.amended = false;
                entry
            });
            placement_changes_listed(connection, &workout, entrant, before, after, listed)
        })
    }

    /// Sets an official time penalty on an entrant's result (replacing any
    /// earlier penalty), keeping its score; optionally records the incident
    /// in World Triathlon's wording ("10 second penalty for ..."). Logged as
    /// an amendment and protected like one.
    #[allow(clippy::too_many_arguments)]
    pub fn amend_penalty(
        &mut self,
        workout_id: Id,
        entrant: Entrant,
        penalty_ms: Millis,
        incident: Option<&str>,
        who: &str,
        reason: &str,
        appeal_ref: Option<&str>,
    ) -> Result<AmendmentReceipt> {
        let who = require_who(who)?.to_string();
        let reason = reason.trim().to_string();
        if reason.is_empty() {
            return Err(StoreError::ReasonRequired);
        }
        if penalty_ms < 0 {
            return Err(StoreError::InvalidInput {
                field: "penalty".into(),
                message: "must not be negative".into(),
            });
        }
        let appeal_ref = appeal_ref
            .map(str::trim)
            .filter(|text| !text.is_empty())
            .map(str::to_string);
        let incident = incident
            .map(str::trim)
            .filter(|text| !text.is_empty())
            .map(str::to_string);
        let mut receipt = self.write(|transaction| {
            amend_in(
                transaction,
                Amendment {
                    workout_id,
                    entrant,
                    who: &who,
                    reason: &reason,
                    appeal_ref: appeal_ref.as_deref(),
                    incident: incident.as_deref(),
                },
                |workout, old| {
                    let Some(old) = old else {
                        return Err(StoreError::NoScore {
                            workout: workout.name.clone(),
                            entrant: describe_entrant(transaction, entrant)?,
                        });
                    };
                    Ok(ScoreValue {
                        penalty_ms,
                        ..old.clone()
                    })
                },
            )
        })?;
        receipt.moved = self.placement_changes_since(workout_id, entrant, receipt.old.as_ref())?;
        Ok(receipt)
    }

    /// The history of one entrant's score in one workout, oldest first.
    pub fn score_history(&self, workout_id: Id, entrant: Entrant) -> Result<Vec<ScoreEvent>> {
        let (competitor_id, team_id) = entrant_columns(entrant);
        let sql = format!(
            "SELECT {EVENT_COLUMNS} FROM score_events WHERE workout_id = ?1
             AND competitor_id IS ?2 AND team_id IS ?3 ORDER BY id"
        );
        let mut statement = self.connection.prepare_cached(&sql)?;
        let rows =
            statement.query_map(params![workout_id, competitor_id, team_id], event_from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The whole audit trail, optionally of one workout, oldest first.
    pub fn score_events(&self, workout_id: Option<Id>) -> Result<Vec<ScoreEvent>> {
        let sql = format!(
            "SELECT {EVENT_COLUMNS} FROM score_events WHERE ?1 IS NULL OR workout_id = ?1 ORDER BY id"
        );
        let mut statement = self.connection.prepare_cached(&sql)?;
        let rows = statement.query_map(params![workout_id], event_from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// One entrant's stored result in a workout.
    pub fn result(&self, workout_id: Id, entrant: Entrant) -> Result<Option<StoredResult>> {
        load_result(&self.connection, workout_id, entrant)
    }

    /// The incident notes of a workout's results that have any, by entrant:
    /// one pass over the workout's own rows, reading only that column.
    pub fn result_incidents(&self, workout_id: Id) -> Result<HashMap<Entrant, Vec<String>>> {
        let mut statement = self.connection.prepare_cached(
            "SELECT competitor_id, team_id, incidents FROM results
             WHERE workout_id = ?1 AND incidents <> '[]'",
        )?;
        let mut rows = statement.query(params![workout_id])?;
        let mut incidents = HashMap::new();
        while let Some(row) = rows.next()? {
            let competitor_id: Option<Id> = row.get(0)?;
            let team_id: Option<Id> = row.get(1)?;
            let text: String = row.get(2)?;
            let notes: Vec<String> = serde_json::from_str(&text).map_err(|error| {
                rusqlite::Error::FromSqlConversionFailure(
                    2,
                    rusqlite::types::Type::Text,
                    Box::new(error),
                )
            })?;
            let entrant = match (competitor_id, team_id) {
                (Some(id), _) => Entrant::Competitor(id),
                (None, Some(id)) => Entrant::Team(id),
                (None, None) => continue,
            };
            if !notes.is_empty() {
                incidents.insert(entrant, notes);
            }
        }
        Ok(incidents)
    }

    /// Every stored result of a workout (source and amended values apart).
    pub fn results(&self, workout_id: Id) -> Result<Vec<StoredResult>> {
        self.read(|connection| {
            load_workout(connection, workout_id)?;
            load_results(connection, workout_id)
        })
    }

    /// Stores results from a file or feed in one transaction. Entrants who
    /// already have a result are skipped, never overwritten; a bad value
    /// rolls back the whole batch and names the row.
    pub fn import_results(
        &mut self,
        workout_id: Id,
        source: Source,
        source_name: &str,
        records: &[ImportedResult],
    ) -> Result<ResultImportSummary> {
        self.write(|transaction| {
            import_results_in(transaction, workout_id, source, source_name, records)
        })
    }
}

struct Amendment<'a> {
    workout_id: Id,
    entrant: Entrant,
    who: &'a str,
    reason: &'a str,
    appeal_ref: Option<&'a str>,
    /// An incident note to add to the result.
    incident: Option<&'a str>,
}

/// Writes an amendment whose value `make_value` derives from the workout and
/// the current effective value, logs it, and reports who moved.
fn amend_in(
    transaction: &Transaction<'_>,
    amendment: Amendment<'_>,
    make_value: impl FnOnce(&Workout, Option<&ScoreValue>) -> Result<ScoreValue>,
) -> Result<AmendmentReceipt> {
    let Amendment {
        workout_id,
        entrant,
        who,
        reason,
        appeal_ref,
        incident,
    } = amendment;
    let workout = load_workout(transaction, workout_id)?;
    check_entrant(transaction, &workout, entrant)?;
    let existing = load_result(transaction, workout_id, entrant)?;
    let old = existing
        .as_ref()
        .and_then(|result| result.effective_value().cloned());
    let value = make_value(&workout, old.as_ref())?;
    let (kind, a, b) = score_columns(value.score);
    let at = now_timestamp();
    let result_id = match &existing {
        Some(result) => {
            transaction
                .prepare_cached(
                    "UPDATE results SET amended = 1, amended_text = ?2, amended_kind = ?3,
                        amended_a = ?4, amended_b = ?5, amended_status = ?6,
                        amended_tie_break_ms = ?7, amended_penalty_ms = ?8
                     WHERE id = ?1",
                )?
                .execute(params![
                    result.id,
                    value.text,
                    kind,
                    a,
                    b,
                    value.status.map(SqlWord::as_sql),
                    value.tie_break_ms,
                    value.penalty_ms
                ])?;
            result.id
        }
        None => {
            let (competitor_id, team_id) = entrant_columns(entrant);
            transaction
                .prepare_cached(
                    "INSERT INTO results (workout_id, competitor_id, team_id, source,
                        amended, amended_text, amended_kind, amended_a, amended_b,
                        amended_status, amended_tie_break_ms, amended_penalty_ms, received_at)
                     VALUES (?1, ?2, ?3, 'amendment', 1, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                )?
                .execute(params![
                    workout_id,
                    competitor_id,
                    team_id,
                    value.text,
                    kind,
                    a,
                    b,
                    value.status.map(SqlWord::as_sql),
                    value.tie_break_ms,
                    value.penalty_ms,
                    at
                ])?;
            transaction.last_insert_rowid()
        }
    };
    if let Some(incident) = incident {
        transaction.execute(
            "UPDATE results SET incidents = json_insert(incidents, '$[#]', ?2) WHERE id = ?1",
            params![result_id, incident],
        )?;
    }
    let event_id = append_event(
        transaction,
        NewEvent {
            workout_id,
            entrant,
            kind: ScoreEventKind::Amend,
            who,
            at: &at,
            old: old.as_ref(),
            new: Some(&value),
            reason: Some(reason),
            appeal_ref,
            undoes_event_id: None,
        },
    )?;
    Ok(AmendmentReceipt {
        event_id,
        result_id,
        display: board_value(&workout, &value),
        old,
        new: value,
        // Filled after the commit by the callers that report who moved.
        moved: Vec::new(),
    })
}

/// The ranking input of an amended value.
fn amended_entry(entrant: Entrant, value: &ScoreValue) -> ResultEntry {
    ResultEntry {
        entrant,
        score: value.score,
        status: value.status,
        tie_break_ms: value.tie_break_ms,
        penalty_ms: value.penalty_ms,
        splits: Vec::new(),
        incidents: Vec::new(),
        source: Source::Amendment,
        amended: true,
        partial: false,
    }
}

/// Who moved when `entrant`'s ranking input went from `before` to its row in
/// `after` (every result of the workout as it is, or would be, after).
fn placement_changes(
    connection: &Connection,
    workout: &Workout,
    entrant: Entrant,
    before: Option<ResultEntry>,
    after: Vec<ResultEntry>,
) -> Result<Vec<PlacementChange>> {
    Ok(placement_changes_listed(connection, workout, entrant, before, after, usize::MAX)?.listed)
}

/// Who moved, counted in full and listed up to `listed` changes (see
/// [`MovedPlacements`]).
fn placement_changes_listed(
    connection: &Connection,
    workout: &Workout,
    entrant: Entrant,
    before: Option<ResultEntry>,
    after: Vec<ResultEntry>,
    listed: usize,
) -> Result<MovedPlacements> {
    if matches!(
        workout.team_scoring,
        TeamScoring::SumAll | TeamScoring::BestN { .. }
    ) {
        // A member's result changes their team's aggregate: rank both in full.
        let mut before_results: Vec<ResultEntry> = after
            .iter()
            .filter(|result| result.entrant != entrant)
            .cloned()
            .collect();
        before_results.extend(before);
        let infos = crate::leaderboards::load_entrant_infos(connection)?;
        let teams = crate::competitors::load_teams(connection, "1", &[])?;
        let rank = |results: &[ResultEntry]| {
            let inputs = scoretable_core::teams::aggregate_team_results(workout, &teams, results);
            scoretable_core::ranking::rank_workout(workout, &infos, &inputs)
        };
        return Ok(MovedPlacements::of(
            placement_impact(&rank(&before_results), &rank(&after)),
            listed,
        ));
    }
    let mut divisions = entrant_division_members(connection, entrant)?;
    let own: Vec<Id> = divisions.keys().copied().collect();
    for members in divisions.values_mut() {
        members.sort_unstable();
    }
    // An entrant's divisions among the changed entrant's own are one of the
    // subsets of `own`: each subset once, picked by a bit mask of binary
    // searches in the sorted member lists (no map of every member).
    let subsets: Vec<Vec<Id>> = (0..1_usize << own.len().min(16))
        .map(|mask| {
            own.iter()
                .enumerate()
                .filter(|(slot, _)| mask & (1 << slot) != 0)
                .map(|(_, id)| *id)
                .collect()
        })
        .collect();
    let member_lists: Vec<&Vec<Entrant>> = divisions.values().collect();
    // More than 16 divisions of one entrant: a map of every member instead.
    let mut member_divisions: HashMap<Entrant, Vec<Id>> = HashMap::new();
    if own.len() > 16 {
        for (division_id, members) in &divisions {
            for member in members {
                member_divisions
                    .entry(*member)
                    .or_default()
                    .push(*division_id);
            }
        }
    }
    // Every member is of the changed entrant's kind; their masks by id.
    let id_of = |who: Entrant| match (who, entrant) {
        (Entrant::Competitor(id), Entrant::Competitor(_))
        | (Entrant::Team(id), Entrant::Team(_)) => usize::try_from(id).ok(),
        _ => None,
    };
    let largest = member_lists
        .iter()
        .flat_map(|members| members.last())
        .filter_map(|who| id_of(*who))
        .max();
    // Ids are rowids, dense in practice; sparse ones search the lists.
    let dense = largest.is_none_or(|id| id < 4_000_000);
    let mut masks: Vec<u16> = vec![0; largest.filter(|_| dense).map_or(0, |id| id + 1)];
    if dense {
        for (slot, members) in member_lists.iter().take(16).enumerate() {
            for id in members.iter().filter_map(|who| id_of(*who)) {
                masks[id] |= 1 << slot;
            }
        }
    }
    let mask_of = |who: Entrant| -> usize {
        if dense {
            return id_of(who)
                .and_then(|id| masks.get(id))
                .map_or(0, |mask| usize::from(*mask));
        }
        member_lists
            .iter()
            .take(16)
            .enumerate()
            .filter(|(_, members)| members.binary_search(&who).is_ok())
            .fold(0, |mask, (slot, _)| mask | (1 << slot))
    };
    let bibs = std::cell::RefCell::new(HashMap::<Entrant, String>::new());
    // Every bib, sorted by entrant, once many are needed.
    let all: std::cell::RefCell<Vec<(Entrant, String)>> = Default::default();
    let failure = std::cell::RefCell::new(None);
    // Bibs are asked for rows that share a key with another moved row. A
    // few are looked up by key; once many are needed (a large move through
    // a field ranked to whole seconds), every bib is read in one scan.
    let looked_up = std::cell::Cell::new(0_usize);
    let bib_of = |who: Entrant| -> String {
        if let Some(bib) = bibs.borrow().get(&who) {
            return bib.clone();
        }
        let from_all = |all: &[(Entrant, String)]| {
            all.binary_search_by_key(&who, |(entrant, _)| *entrant)
                .ok()
                .map(|at| all[at].1.clone())
        };
        if let Some(bib) = from_all(&all.borrow()) {
            return bib;
        }
        looked_up.set(looked_up.get() + 1);
        if looked_up.get() == BIBS_BY_KEY {
            match all_bibs(connection) {
                Ok(mut loaded) => {
                    loaded.sort_unstable_by_key(|(entrant, _)| *entrant);
                    *all.borrow_mut() = loaded;
                }
                Err(error) => {
                    failure.borrow_mut().get_or_insert(error);
                }
            }
            if let Some(bib) = from_all(&all.borrow()) {
                return bib;
            }
        }
        match entrant_bib(connection, who) {
            Ok(bib) => {
                bibs.borrow_mut().insert(who, bib.clone());
                bib
            }
            Err(error) => {
                failure.borrow_mut().get_or_insert(error);
                String::new()
            }
        }
    };
    let moved = scoretable_core::moves::places_changed_listing(
        workout,
        &after,
        entrant,
        before.as_ref(),
        |who| {
            if who == entrant {
                own.as_slice()
            } else if own.len() > 16 {
                member_divisions.get(&who).map_or(&[][..], Vec::as_slice)
            } else {
                subsets[mask_of(who)].as_slice()
            }
        },
        bib_of,
        listed,
    );
    if let Some(error) = failure.into_inner() {
        return Err(error);
    }
    Ok(MovedPlacements {
        changes: moved.changes,
        entrants: moved.entrants,
        listed: moved
            .listed
            .into_iter()
            .map(|change| PlacementChange {
                entrant: change.entrant,
                division_id: change.division_id,
                old_rank: change.old_rank,
                new_rank: change.new_rank,
            })
            .collect(),
    })
}

/// Who moved in a workout, counted in full and listed only as far as a
/// command shows ([`CompetitionFile::placement_changes_listed`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MovedPlacements {
    /// Every changed place (overall and division places).
    pub changes: usize,
    /// The distinct entrants among them.
    pub entrants: usize,
    /// The first changes, in [`placement_impact`]'s order.
    pub listed: Vec<PlacementChange>,
}

impl MovedPlacements {
    fn of(all: Vec<PlacementChange>, listed: usize) -> MovedPlacements {
        let mut entrants: Vec<Entrant> = all.iter().map(|change| change.entrant).collect();
        entrants.sort_unstable();
        entrants.dedup();
        MovedPlacements {
            changes: all.len(),
            entrants: entrants.len(),
            listed: all.into_iter().take(listed).collect(),
        }
    }
}

/// How many bibs the who-moved listing looks up by key before it reads them all.
const BIBS_BY_KEY: usize = 512;

/// Every competitor's and team's bib, in two scans.
fn all_bibs(connection: &Connection) -> Result<Vec<(Entrant, String)>> {
    let mut bibs = Vec::new();
    for (sql, make) in [
        (
            "SELECT id, bib FROM competitors",
            Entrant::Competitor as fn(Id) -> Entrant,
        ),
        (
            "SELECT id, coalesce(bib, '') FROM teams",
            Entrant::Team as fn(Id) -> Entrant,
        ),
    ] {
        let mut statement = connection.prepare_cached(sql)?;
        let mut rows = statement.query([])?;
        while let Some(row) = rows.next()? {
            bibs.push((make(row.get(0)?), row.get(1)?));
        }
    }
    Ok(bibs)
}

/// The divisions of one entrant, each with its members: two indexed queries.
pub(crate) fn entrant_division_members(
    connection: &Connection,
    entrant: Entrant,
) -> Result<std::collections::BTreeMap<Id, Vec<Entrant>>> {
    let (own_sql, members_sql, make): (&str, &str, fn(Id) -> Entrant) = match entrant {
        Entrant::Competitor(_) => (
            "SELECT division_id FROM competitor_divisions WHERE competitor_id = ?1",
            "SELECT competitor_id FROM competitor_divisions WHERE division_id = ?1",
            Entrant::Competitor,
        ),
        Entrant::Team(_) => (
            "SELECT division_id FROM team_divisions WHERE team_id = ?1",
            "SELECT team_id FROM team_divisions WHERE division_id = ?1",
            Entrant::Team,
        ),
    };
    let id = match entrant {
        Entrant::Competitor(id) | Entrant::Team(id) => id,
    };
    let own: Vec<Id> = connection
        .prepare_cached(own_sql)?
        .query_map(params![id], |row| row.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let mut divisions = std::collections::BTreeMap::new();
    let mut statement = connection.prepare_cached(members_sql)?;
    for division_id in own {
        let members: Vec<Entrant> = statement
            .query_map(params![division_id], |row| row.get(0).map(make))?
            .collect::<rusqlite::Result<_>>()?;
        divisions.insert(division_id, members);
    }
    Ok(divisions)
}

/// One entrant's bib (`""` for a team without one).
pub(crate) fn entrant_bib(connection: &Connection, entrant: Entrant) -> Result<String> {
    let found: Option<String> = match entrant {
        Entrant::Competitor(id) => connection
            .prepare_cached("SELECT bib FROM competitors WHERE id = ?1")?
            .query_row(params![id], |row| row.get(0))
            .optional()?,
        Entrant::Team(id) => connection
            .prepare_cached("SELECT coalesce(bib, '') FROM teams WHERE id = ?1")?
            .query_row(params![id], |row| row.get(0))
            .optional()?,
    };
    Ok(found.unwrap_or_default())
}

/// [`CompetitionFile::import_results`] inside a caller's transaction, so
/// crate-internal callers (the inbound ledger) can import and record their
/// own bookkeeping atomically.
pub(crate) fn import_results_in(
    transaction: &Transaction<'_>,
    workout_id: Id,
    source: Source,
    source_name: &str,
    records: &[ImportedResult],
) -> Result<ResultImportSummary> {
    if !matches!(source, Source::File | Source::Feed) {
        return Err(StoreError::InvalidInput {
            field: "import source".into(),
            message: "results are imported from a file or a feed".into(),
        });
    }
    let source_name = require_who(source_name)
        .map_err(|_| StoreError::InvalidInput {
            field: "import source name".into(),
            message: "name the file or feed".into(),
        })?
        .to_string();
    let workout = load_workout(transaction, workout_id)?;
    if workout.state == PublicationState::Official {
        return Err(StoreError::WorkoutIsOfficial {
            workout: workout.name,
        });
    }
    let timing_points: std::collections::HashSet<Id> =
        workout.timing_points.iter().map(|point| point.id).collect();
    let now = now_timestamp();
    let batch_id = next_batch_id(transaction)?;
    let known = known_entrants(transaction)?;
    let members_only = matches!(
        workout.team_scoring,
        TeamScoring::SumAll | TeamScoring::BestN { .. }
    );
    let in_teams = if members_only {
        team_members(transaction)?
    } else {
        std::collections::HashSet::new()
    };
    let mut existing = existing_results(transaction, workout_id)?;
    let mut summary = ResultImportSummary {
        batch_id: batch_id.clone(),
        ..ResultImportSummary::default()
    };
    for record in records {
        let row_error = |field: &str, message: String| StoreError::ImportRow {
            file: source_name.clone(),
            row: record.row,
            field: field.to_string(),
            message,
        };
        if !known.contains(&record.entrant) {
            return Err(row_error(
                "entrant",
                unknown_entrant(record.entrant).to_string(),
            ));
        }
        check_entrant_fits(&workout, record.entrant)
            .map_err(|error| row_error("entrant", error.to_string()))?;
        if let (true, Entrant::Competitor(id)) = (members_only, record.entrant) {
            if !in_teams.contains(&id) {
                return Err(row_error(
                    "entrant",
                    not_in_a_team_message(transaction, record.entrant),
                ));
            }
        }
        let mut value = resolve_value(&workout, &record.value)
            .map_err(|message| row_error("value", message))?;
        if record.penalty_ms < 0 {
            return Err(row_error("penalty", "must not be negative".into()));
        }
        value.penalty_ms = record.penalty_ms;
        if let Some(&amended) = existing.get(&record.entrant) {
            summary.skipped_existing += 1;
            if amended {
                summary.skipped_amended += 1;
            }
            continue;
        }
        let received_at = record.received_at.clone().unwrap_or_else(|| now.clone());
        let provenance = Provenance {
            source_name: Some(source_name.clone()),
            record_id: record.record_id.clone(),
            import_batch: Some(batch_id.clone()),
        };
        let result_id = insert_result(
            transaction,
            NewResult {
                workout_id,
                entrant: record.entrant,
                source,
                value: &value,
                penalty_ms: record.penalty_ms,
                incidents: &record.incidents,
                provenance: &provenance,
                received_at: &received_at,
            },
        )?;
        let mut insert_split = transaction.prepare_cached(
            "INSERT INTO result_splits (result_id, timing_point_id, total_ms)
                 VALUES (?1, ?2, ?3)",
        )?;
        for split in &record.splits {
            if !timing_points.contains(&split.timing_point_id) {
                return Err(row_error(
                    "split",
                    format!(
                        "timing point {} is not part of workout {}",
                        split.timing_point_id, workout.name
                    ),
                ));
            }
            if split.total_ms < 0 {
                return Err(row_error("split", "time must not be negative".into()));
            }
            insert_split
                .execute(params![result_id, split.timing_point_id, split.total_ms])
                .map_err(|error| row_error("split", error.to_string()))?;
        }
        append_event(
            transaction,
            NewEvent {
                workout_id,
                entrant: record.entrant,
                kind: ScoreEventKind::Import,
                who: &source_name,
                at: &now,
                old: None,
                new: Some(&value),
                reason: None,
                appeal_ref: None,
                undoes_event_id: None,
            },
        )?;
        existing.insert(record.entrant, false);
        summary.inserted += 1;
    }
    record_batch(
        transaction,
        &BatchRecord {
            id: &batch_id,
            kind: "results",
            workout_id: Some(workout_id),
            source,
            source_name: &source_name,
            at: &now,
            inserted: summary.inserted,
            updated: 0,
            skipped: summary.skipped_existing,
        },
    )?;
    Ok(summary)
}

/// [`CompetitionFile::amend_score_with`] inside a caller's transaction, so
/// crate-internal callers (the inbound ledger) can amend and record their
/// own bookkeeping atomically.
pub(crate) fn amend_score_in(
    transaction: &Transaction<'_>,
    workout_id: Id,
    entrant: Entrant,
    input: &ScoreInput,
    who: &str,
    reason: &str,
    appeal_ref: Option<&str>,
) -> Result<AmendmentReceipt> {
    let who = require_who(who)?;
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(StoreError::ReasonRequired);
    }
    let appeal_ref = appeal_ref.map(str::trim).filter(|text| !text.is_empty());
    amend_in(
        transaction,
        Amendment {
            workout_id,
            entrant,
            who,
            reason,
            appeal_ref,
            incident: None,
        },
        |workout, old| {
            let mut value = resolve_value(workout, input)
                .map_err(|message| invalid_score(transaction, workout, entrant, input, message))?;
            // A new value keeps any penalty already applied.
            value.penalty_ms = old.map_or(0, |old| old.penalty_ms);
            Ok(value)
        },
    )
}

/// The next import batch id: `batch-000001`, `batch-000002`, ...
pub(crate) fn next_batch_id(transaction: &Transaction<'_>) -> Result<String> {
    let count: i64 =
        transaction.query_row("SELECT count(*) FROM import_batches", [], |row| row.get(0))?;
    Ok(format!("batch-{:06}", count + 1))
}

pub(crate) struct BatchRecord<'a> {
    pub id: &'a str,
    pub kind: &'a str,
    pub workout_id: Option<Id>,
    pub source: Source,
    pub source_name: &'a str,
    pub at: &'a str,
    pub inserted: usize,
    pub updated: usize,
    pub skipped: usize,
}

pub(crate) fn record_batch(transaction: &Transaction<'_>, batch: &BatchRecord<'_>) -> Result<()> {
    transaction.execute(
        "INSERT INTO import_batches (id, kind, workout_id, source, source_name, imported_at,
            inserted, updated, skipped) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            batch.id,
            batch.kind,
            batch.workout_id,
            SqlWord::as_sql(batch.source),
            batch.source_name,
            batch.at,
            batch.inserted as i64,
            batch.updated as i64,
            batch.skipped as i64
        ],
    )?;
    Ok(())
}

/// One recorded import (schema version 2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportBatch {
    pub id: String,
    /// `competitors` or `results`.
    pub kind: String,
    pub workout_id: Option<Id>,
    pub source: Source,
    pub source_name: String,
    pub imported_at: String,
    pub inserted: u64,
    pub updated: u64,
    pub skipped: u64,
}

impl CompetitionFile {
    /// Every recorded import, oldest first.
    pub fn import_batches(&self) -> Result<Vec<ImportBatch>> {
        let mut statement = self.connection.prepare_cached(
            "SELECT id, kind, workout_id, source, source_name, imported_at, inserted, updated,
                skipped FROM import_batches ORDER BY imported_at, id",
        )?;
        let rows = statement.query_map([], |row| {
            let source: Word = row.get(3)?;
            Ok(ImportBatch {
                id: row.get(0)?,
                kind: row.get(1)?,
                workout_id: row.get(2)?,
                source: decode(3, Source::from_sql(&source.0))?,
                source_name: row.get(4)?,
                imported_at: row.get(5)?,
                inserted: row.get(6)?,
                updated: row.get(7)?,
                skipped: row.get(8)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

fn invalid_score(
    connection: &Connection,
    workout: &Workout,
    entrant: Entrant,
    input: &ScoreInput,
    message: String,
) -> StoreError {
    let text = match input {
        ScoreInput::Text { value, .. } => value.clone(),
        ScoreInput::Parsed { score, status, .. } => format!("{score:?} {status:?}"),
    };
    StoreError::InvalidScore {
        workout: workout.name.clone(),
        entrant: describe_entrant(connection, entrant).unwrap_or_else(|_| format!("{entrant:?}")),
        text,
        message,
    }
}

fn entrant_by_bib(connection: &Connection, workout_id: Id, bib: &str) -> Result<Entrant> {
    let workout = load_workout(connection, workout_id)?;
    let bib = bib.trim();
    let competitor: Option<Id> = connection
        .prepare_cached("SELECT id FROM competitors WHERE bib = ?1")?
        .query_row(params![bib], |row| row.get(0))
        .optional()?;
    let team: Option<Id> = connection
        .prepare_cached("SELECT id FROM teams WHERE bib = ?1")?
        .query_row(params![bib], |row| row.get(0))
        .optional()?;
    pick_entrant(workout.team_scoring, competitor, team).ok_or_else(|| StoreError::UnknownBib {
        bib: bib.to_string(),
        workout: workout.name,
    })
}

/// The bib rule, in one place: competitor bibs first, then team bibs,
/// except that a team-chip workout prefers the team with the bib.
fn pick_entrant(
    team_scoring: TeamScoring,
    competitor: Option<Id>,
    team: Option<Id>,
) -> Option<Entrant> {
    match (team_scoring, competitor, team) {
        (TeamScoring::TeamChip, _, Some(team)) => Some(Entrant::Team(team)),
        (_, Some(competitor), _) => Some(Entrant::Competitor(competitor)),
        (_, None, Some(team)) => Some(Entrant::Team(team)),
        (_, None, None) => None,
    }
}

/// [`entrant_by_bib`] for many bibs at once (two reads, not two per bib):
/// each bib (trimmed) with its entrant, `None` for an unknown bib.
fn entrants_by_bibs(
    connection: &Connection,
    workout_id: Id,
    bibs: &[&str],
) -> Result<Vec<Option<Entrant>>> {
    let workout = load_workout(connection, workout_id)?;
    let ids = |sql: &str| -> Result<HashMap<String, Id>> {
        let mut statement = connection.prepare_cached(sql)?;
        let rows = statement.query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<HashMap<String, Id>>>()?)
    };
    let competitors = ids("SELECT bib, id FROM competitors")?;
    let teams = ids("SELECT bib, id FROM teams WHERE bib IS NOT NULL")?;
    Ok(bibs
        .iter()
        .map(|bib| {
            let bib = bib.trim();
            pick_entrant(
                workout.team_scoring,
                competitors.get(bib).copied(),
                teams.get(bib).copied(),
            )
        })
        .collect())
}

fn enter_score_in(
    transaction: &Transaction<'_>,
    workout_id: Id,
    entrant: Entrant,
    input: &ScoreInput,
    who: &str,
) -> Result<EntryReceipt> {
    let workout = load_workout(transaction, workout_id)?;
    if workout.state == PublicationState::Official {
        return Err(StoreError::WorkoutIsOfficial {
            workout: workout.name,
        });
    }
    check_entrant(transaction, &workout, entrant)?;
    let value = resolve_value(&workout, input)
        .map_err(|message| invalid_score(transaction, &workout, entrant, input, message))?;
    if let Some(existing) = load_result(transaction, workout_id, entrant)? {
        let latest = latest_source_event(transaction, workout_id, entrant)?;
        let entry_id = latest.map(|(id, _)| id).unwrap_or_default();
        let display = existing
            .effective_value()
            .map(|value| board_value(&workout, value))
            .unwrap_or_default();
        let hint = if existing.is_amended() {
            "it has an official amendment; amend it again".to_string()
        } else if matches!(existing.source, Source::File | Source::Feed) {
            format!(
                "it was imported from {}; amend it",
                existing
                    .provenance
                    .source_name
                    .as_deref()
                    .unwrap_or("a file or feed")
            )
        } else {
            format!("undo entry {entry_id} or amend it")
        };
        return Err(StoreError::AlreadyScored {
            workout: workout.name,
            entrant: describe_entrant(transaction, entrant)?,
            display,
            entry_id,
            hint,
        });
    }
    let at = now_timestamp();
    let result_id = insert_result(
        transaction,
        NewResult {
            workout_id,
            entrant,
            source: Source::Manual,
            value: &value,
            penalty_ms: 0,
            incidents: &[],
            provenance: &Provenance::default(),
            received_at: &at,
        },
    )?;
    let entry_id = append_event(
        transaction,
        NewEvent {
            workout_id,
            entrant,
            kind: ScoreEventKind::Entry,
            who,
            at: &at,
            old: None,
            new: Some(&value),
            reason: None,
            appeal_ref: None,
            undoes_event_id: None,
        },
    )?;
    Ok(EntryReceipt {
        entry_id,
        result_id,
        workout_id,
        entrant,
        display: board_value(&workout, &value),
        value,
    })
}
