//! Divisions, competitors and teams.
//!
//! Competitors are keyed by bib: re-importing a start list updates the
//! existing rows in place (their row ids, and therefore their results, never
//! change). A whole import runs in one transaction: one bad row rolls back
//! every row and the error names the file, row and field.
//!
//! Division assignment on import: a row that names divisions is placed in
//! exactly those (an unknown division name is an error naming the row, so a
//! typo never silently creates a division). A row that names none is placed
//! automatically in every `Gender` division of its gender and every
//! `AgeGroup` division whose gender (if any) and inclusive age range match its
//! age on the competition's first day.
//!
//! A bib belongs to one entrant: a team may not take a competitor's bib and
//! a competitor may not take a team's, because score entry looks a bib up
//! among competitors first and such a team could never be scored.
//!
//! Adding a gender or age-group division later places every existing
//! competitor who matches it; changing such a division's rule recomputes its
//! members. Custom divisions are only ever assigned explicitly.
//!
//! # Files
//!
//! - `load.rs`: reading divisions, competitors and teams.
//! - `divisions.rs`: division edits and automatic placement.
//! - `write.rs`: one competitor's add, update and remove, and the field
//!   cleaning and conflict wording imports share.
//! - `import.rs`: start-list imports (bulk rows, triggers off, outbox
//!   queued set-based).
//! - `teams.rs`: team edits.
//! - This file: the external systems and a counting helper the files share.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use rusqlite::{params, Connection, OptionalExtension, Row, Transaction};
use scoretable_core::divisions::automatic_divisions;
use scoretable_core::fast_hash::{fast_hash_map, FastHashMap};
use scoretable_core::import::CompetitorDraft;
use scoretable_core::model::{
    Competitor, Division, DivisionKind, ExternalIds, Gender, Id, Source, Team, TeamMember,
};
use serde::{Deserialize, Serialize};

use crate::codec::{decode, SqlWord, Word};
use crate::competition_file::{now_timestamp, CompetitionFile};
use crate::error::{Result, StoreError};
use crate::results::{next_batch_id, record_batch, BatchRecord};

mod divisions;
mod import;
mod load;
mod static_insert;
mod teams;
mod write;

use divisions::*;
pub use import::*;
pub(crate) use load::*;
use static_insert::{Bound, StaticInsert};
use write::*;

/// What [`CompetitionFile::for_each_team_members`] calls with each team:
/// its id and its members' competitor ids, in member order.
pub type TeamMembers<'a, E> = dyn FnMut(Id, &[Id]) -> std::result::Result<(), E> + 'a;

/// The external systems whose identifiers a competitor or team carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExternalSystem {
    /// RunSignup `registration_id`.
    RunSignup,
    /// OpenTrack competitor id.
    OpenTrack,
    /// World Triathlon `athlete_id`.
    Triathlon,
    /// A timing feed's participant id.
    Feed,
}

impl ExternalSystem {
    fn column(self) -> &'static str {
        match self {
            ExternalSystem::RunSignup => "runsignup_registration_id",
            ExternalSystem::OpenTrack => "opentrack_id",
            ExternalSystem::Triathlon => "triathlon_athlete_id",
            ExternalSystem::Feed => "feed_participant_id",
        }
    }
}

/// Counts rows referring to an entrant or workout, for refusal messages.
fn count(transaction: &Transaction<'_>, sql: &str, id: Id) -> Result<i64> {
    Ok(transaction.query_row(sql, params![id], |row| row.get(0))?)
}
