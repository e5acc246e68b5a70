//! The competition file: one competition in one SQLite file.
//!
//! All SQL in Scoretable lives in this crate. The main type is
//! [`CompetitionFile`]; it persists the model of `scoretable_core::model`,
//! keeps every score's append-only history, derives effective values from
//! source values and official amendments, and ranks through the engine.
//!
//! - [`schema`]: versioned migrations (`PRAGMA user_version`) and the
//!   protective triggers.
//! - [`competition_file`]: create/open/close, durability pragmas, unclean
//!   shutdown detection, settings.
//! - [`competitors`]: divisions, competitors (import by bib), teams.
//! - [`workouts`]: workouts with timing points, heats and lanes.
//! - [`results`]: score entry, undo, amendments, result imports, history.
//! - [`leaderboards`]: workout and overall leaderboards, placement impact.
//! - [`backup`]: rolling online backups.
//!
//! Durability: WAL, `synchronous=FULL`, `foreign_keys=ON`, and every write in
//! one `BEGIN IMMEDIATE` transaction, so an acknowledged score survives a
//! crash and bad input never changes stored data.

pub mod backup;
mod codec;
pub mod competition_file;
pub mod competitors;
mod error;
pub mod leaderboards;
pub mod results;
pub mod schema;
pub mod workouts;

pub use backup::BackupPolicy;
pub use competition_file::{CompetitionFile, LeaderboardSettings, OpenReport};
pub use competitors::{ExternalSystem, ImportSummary};
pub use error::{DatabaseError, StoreError};
pub use leaderboards::{placement_impact, PlacementChange};
pub use results::{
    replay_history, AmendmentReceipt, EntryReceipt, ImportBatch, ImportedResult, Provenance,
    ResultImportSummary, ScoreEvent, ScoreEventKind, ScoreInput, ScoreValue, StoredResult,
};
pub use schema::CURRENT_SCHEMA_VERSION;
