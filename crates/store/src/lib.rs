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
//! - [`live_timing`]: what a live-timing message shows of one workout, read
//!   by key in one snapshot.
//! - [`backup`]: rolling online backups.
//! - [`ledger`]: the inbound import ledger, conflict inbox, review queue,
//!   saved field mappings and polled connections.
//! - [`outbox`]: the outbound sync outbox, queued by triggers in the same
//!   transaction as every change a result platform must receive.
//!
//! # Durability
//!
//! - `journal_mode=WAL`, `synchronous=FULL`, `foreign_keys=ON`,
//!   `busy_timeout=5s`, statement journals in memory (`temp_store=MEMORY`);
//!   every write is one `BEGIN IMMEDIATE` transaction, so an acknowledged
//!   score survives a crash and bad input never changes stored data.
//! - A competitor import writes its rows with triggers off and queues the
//!   sync triggers' outbox rows once, set-based, in the same transaction
//!   (`competitors`); triggers are on again before it commits or fails.
//! - Unclean shutdown: each read-write handle writes a row in
//!   `open_sessions` and holds a shared lock on `<file>.lock`. Only a real
//!   crash (a row whose process is gone, or leftovers while nothing holds the
//!   lock) triggers `PRAGMA quick_check`; a failure is
//!   [`StoreError::IntegrityCheckFailed`], which lists the newest backups
//!   beside the file ([`file_health`]). Read-only opens write nothing.
//! - Rolling backups through SQLite's online backup API:
//!   [`CompetitionFile::backup_now`] writes `<slug>-<UTC timestamp>.scoretable`
//!   and keeps the newest 10; automatically after 100 writes or when the last
//!   backup is 10 minutes old, into `<file stem>-backups/` beside the file
//!   ([`BackupPolicy`]). The policy and the write count live in the file, so
//!   one-shot CLI writes make backups too, and the backup is taken on its own
//!   thread and connection, off the write path. Before a schema upgrade the
//!   old file is copied there too (never pruned).
//! - A write that waits more than five seconds for another program's lock
//!   fails with [`StoreError::Busy`]; multi-query reads run in one read
//!   snapshot, so they never mix two states of the file.
//!
//! # Scores
//!
//! Source values (typed, imported, polled) and official amendments are stored
//! apart; the effective value is the amendment when there is one. Source
//! values are written once (a database trigger refuses any UPDATE), amended
//! and imported rows cannot be deleted, and the history in `score_events` is
//! append-only (triggers refuse UPDATE and DELETE). Imports skip entrants who
//! already have a result, so no sync ever overwrites a reviewed score.

pub mod backup;
pub mod boards;
pub mod change_stamp;
mod codec;
pub mod competition_file;
pub mod competitors;
pub mod counts;
mod error;
pub mod file_health;
pub mod leaderboards;
pub mod ledger;
pub mod live_timing;
pub mod outbox;
pub mod results;
pub mod schema;
pub mod text_rules;
pub mod workouts;

pub use backup::{take_claimed_backup, BackupHandOff, BackupPolicy};
pub use boards::{LiveOverallBoard, OverallBoard, RankEntryWithInfo, RankedInput, WorkoutBoard};
pub use change_stamp::ChangeStamp;
pub use competition_file::{CompetitionFile, LeaderboardSettings, OpenReport, WriteNotice};
pub use competitors::{ExternalSystem, ImportSummary, TeamMembers};
pub use counts::{ResultCounts, Standing};
pub use error::{DatabaseError, StoreError};
pub use file_health::{backups_beside, restore_advice, restore_backup, BackupFile, RestoreReport};
pub use leaderboards::{placement_impact, PlacementChange};
pub use ledger::{
    value_fingerprint, ConflictResolution, ConflictState, ConnectionState, ConnectionStatus,
    Identifier, IdentifierKind, InboundConflict, InboundConnection, InboundRecord, InboundReport,
    InboundSource, NewConnection, RecordOutcome, RecordReport, ReviewItem, ReviewState,
    SavedMapping, TeamProgress, INBOUND_FAILPOINTS,
};
pub use live_timing::{LiveTimingCompetitor, LiveTimingTeam, LiveTimingWave};
pub use outbox::{
    endpoint_credential_problem, outbox_idempotency_key, EntityScope, NewSyncTarget, OutboxAck,
    OutboxCounts, OutboxItem, OutboxState, QueuedEntity, RemoteRecord, SyncAttempt, SyncTarget,
    TargetWorkout,
};
pub use results::{
    replay_history, AmendmentPreview, AmendmentReceipt, EntryReceipt, ImportBatch, ImportedResult,
    MovedPlacements, Provenance, ResultImportSummary, ScoreEvent, ScoreEventKind, ScoreInput,
    ScoreValue, StoredResult,
};
pub use schema::CURRENT_SCHEMA_VERSION;
