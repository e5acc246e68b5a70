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

    #[error(
        "{path} failed its integrity check after an unclean shutdown: {details}. Restore the newest backup."
    )]
    IntegrityCheckFailed { path: String, details: String },

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

pub(crate) type Result<T, E = StoreError> = std::result::Result<T, E>;

pub(crate) fn io_error(path: &std::path::Path, source: std::io::Error) -> StoreError {
    StoreError::Io {
        path: path.display().to_string(),
        source,
    }
}
