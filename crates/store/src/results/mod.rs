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
//!
//! # Files
//!
//! - `values.rs`: score values and inputs, stored results, receipts, events.
//! - `load.rs`: reading a workout's results, ranking columns, one result.
//! - `history.rs`: the append-only `score_events` history.
//! - `checks.rs`: value and entrant checks shared by the writes below, and
//!   the source result row insert.
//! - `entry.rs`: score entry and undo; `amend.rs`: amendments and their
//!   preview; `placements.rs`: who moved.
//! - `import.rs`: result imports and the import batch record.
//! - This file: the result row codecs the files share.

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

mod amend;
mod checks;
mod entry;
mod history;
mod import;
mod load;
mod placements;
mod values;

pub(crate) use amend::*;
pub(crate) use checks::*;
use history::*;
pub use import::*;
pub(crate) use load::*;
pub use placements::*;
pub use values::*;

pub(crate) const RESULT_COLUMNS: &str =
    "id, workout_id, competitor_id, team_id, source, source_text,
    source_kind, source_a, source_b, source_status, source_tie_break_ms, amended, amended_text,
    amended_kind, amended_a, amended_b, amended_status, amended_tie_break_ms, penalty_ms,
    incidents, provenance_source_name, provenance_record_id, provenance_import_batch, received_at,
    amended_penalty_ms";

pub(crate) fn entrant_from_columns(
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
