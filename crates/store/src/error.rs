//! Errors the store reports.
//!
//! Following mozilla application-services, callers see one public
//! [`StoreError`] whose variants describe what went wrong in the scorekeeper's
//! terms ("Unknown bib 123 in workout Fran"). Low-level SQLite failures are
//! wrapped in the opaque [`DatabaseError`], so rusqlite never leaks into the
//! public API, except for the protective triggers, whose messages are surfaced
//! as [`StoreError::Protected`].

use std::fmt;

/// The store's public error. New variants may be added, so matches need a
/// catch-all arm.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    #[error("{path} already exists; open it instead of creating it")]
    AlreadyExists { path: String },

    #[error("{path} does not exist")]
    FileNotFound { path: String },

    #[error("{path} is not a Scoretable competition file: {reason}")]
    NotACompetitionFile { path: String, reason: String },

    #[error(
        "{path} was written by a newer Scoretable (schema version {found}; this build knows up to {supported})"
    )]
    SchemaTooNew {
        path: String,
        found: u32,
        supported: u32,
    },

    #[error("{path} failed its integrity check ({details}). {advice}")]
    IntegrityCheckFailed {
        path: String,
        details: String,
        /// The newest backups beside the file and how to restore one.
        advice: String,
    },

    /// The file is a SQLite file but cannot be read: truncated, overwritten
    /// or otherwise damaged.
    #[error("{path} is damaged: {details}. {advice}")]
    Damaged {
        path: String,
        details: String,
        /// The newest backups beside the file and how to restore one.
        advice: String,
    },

    /// A read-only open of a file an older Scoretable wrote: reading it needs
    /// the upgrade, which writes.
    #[error("{path} is at schema version {found} and needs upgrading to version {current} before it can be read; open it once where it can be written")]
    SchemaTooOld {
        path: String,
        found: u32,
        current: u32,
    },

    /// The file's tables do not match its schema version: altered by another
    /// program, or written by a newer Scoretable that did not raise the version.
    #[error("{path} does not have the tables Scoretable expects ({details}); it was written by a newer Scoretable or changed by another program")]
    SchemaMismatch { path: String, details: String },

    /// A write was refused because the file cannot be written.
    #[error("{path} cannot be changed: {reason}. It can still be read and exported (read commands open it read-only)")]
    ReadOnly { path: String, reason: String },

    /// A write failed because the disk is full; nothing of it was stored.
    #[error("The disk holding {path} is full: nothing was saved. Free some space, or export the results to another drive (read commands still work)")]
    DiskFull { path: String },

    /// SQLite could not open the file (or its -wal/-shm files beside it).
    #[error("{path} cannot be opened: {reason}")]
    CannotOpen { path: String, reason: String },

    #[error("Unknown bib {bib} in workout {workout}")]
    UnknownBib { bib: String, workout: String },

    #[error("Unknown {what} {key}")]
    NotFound { what: &'static str, key: String },

    #[error("Invalid {field}: {message}")]
    InvalidInput { field: String, message: String },

    #[error("Invalid score {text:?} for {entrant} in workout {workout}: {message}")]
    InvalidScore {
        workout: String,
        entrant: String,
        text: String,
        message: String,
    },

    #[error("{entrant} already has a score ({display}) in workout {workout}; {hint}")]
    AlreadyScored {
        workout: String,
        entrant: String,
        display: String,
        /// The latest entry or import that set the score (0 if an amendment did).
        entry_id: i64,
        /// What to do instead: undo the entry, or amend.
        hint: String,
    },

    #[error("Workout {workout} is official: scores can only be amended")]
    WorkoutIsOfficial { workout: String },

    #[error("{entrant} has no score in workout {workout}")]
    NoScore { workout: String, entrant: String },

    #[error("An amendment needs a reason")]
    ReasonRequired,

    #[error("Entry {entry_id} cannot be undone: {reason}")]
    CannotUndo { entry_id: i64, reason: String },

    #[error("{file}, row {row}, field {field}: {message}")]
    ImportRow {
        file: String,
        row: u64,
        field: String,
        message: String,
    },

    #[error("{0}")]
    Protected(String),

    #[error("The competition file is busy in another program (it held the write lock for 5 seconds); try again")]
    Busy,

    #[error("{0}")]
    Conflict(String),

    #[error("I/O error on {path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },

    #[error("database error: {0}")]
    Database(#[from] DatabaseError),
}

/// An opaque low-level database failure.
#[derive(Debug)]
pub struct DatabaseError(pub(crate) rusqlite::Error);

impl fmt::Display for DatabaseError {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(formatter)
    }
}

impl std::error::Error for DatabaseError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.0)
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(error: rusqlite::Error) -> Self {
        // The protective triggers raise messages starting with these words;
        // they are policy, not corruption, so they get their own variant.
        if let rusqlite::Error::SqliteFailure(_, Some(message)) = &error {
            if message.starts_with("protected result")
                || message.starts_with("score history is append-only")
            {
                return StoreError::Protected(message.clone());
            }
        }
        if matches!(
            error.sqlite_error_code(),
            Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
        ) {
            return StoreError::Busy;
        }
        StoreError::Database(DatabaseError(error))
    }
}

impl StoreError {
    /// The file-level errors again (for reporting the first of two failed
    /// attempts); others become [`StoreError::Conflict`] with the same text.
    pub(crate) fn clone_message(&self) -> StoreError {
        match self {
            StoreError::ReadOnly { path, reason } => StoreError::ReadOnly {
                path: path.clone(),
                reason: reason.clone(),
            },
            StoreError::DiskFull { path } => StoreError::DiskFull { path: path.clone() },
            StoreError::CannotOpen { path, reason } => StoreError::CannotOpen {
                path: path.clone(),
                reason: reason.clone(),
            },
            other => StoreError::Conflict(other.to_string()),
        }
    }
}

pub(crate) type Result<T, E = StoreError> = std::result::Result<T, E>;

pub(crate) fn io_error(path: &std::path::Path, source: std::io::Error) -> StoreError {
    StoreError::Io {
        path: path.display().to_string(),
        source,
    }
}
