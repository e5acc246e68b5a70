//! Turning store and core errors into the [`CommandError`] the UI receives.
//!
//! The store's messages already name the bib, workout, file, row and field;
//! this module only classifies them so the UI knows which field to focus.

use crate::dto::{CommandError, ErrorKind};
use scoretable_core::ValueError;
use scoretable_store::StoreError;

/// The result type of every command.
pub type CommandResult<T> = Result<T, CommandError>;

impl CommandError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> CommandError {
        CommandError {
            kind,
            message: message.into(),
        }
    }

    /// The error for a command that needs an open competition.
    pub fn no_competition() -> CommandError {
        CommandError::new(
            ErrorKind::NoCompetition,
            "No competition file is open. Open or create one first.",
        )
    }

    /// A value the scorekeeper typed into `field` could not be read.
    pub fn invalid(field: &str, error: impl std::fmt::Display) -> CommandError {
        CommandError::new(ErrorKind::InvalidValue, format!("Invalid {field}: {error}"))
    }
}

impl From<StoreError> for CommandError {
    fn from(error: StoreError) -> CommandError {
        let kind = match &error {
            StoreError::UnknownBib { .. } => ErrorKind::UnknownBib,
            StoreError::NotFound { .. } | StoreError::NoScore { .. } => ErrorKind::NotFound,
            StoreError::InvalidInput { .. }
            | StoreError::InvalidScore { .. }
            | StoreError::AlreadyScored { .. }
            | StoreError::WorkoutIsOfficial { .. }
            | StoreError::ReasonRequired
            | StoreError::CannotUndo { .. }
            | StoreError::ImportRow { .. }
            | StoreError::Protected(_)
            | StoreError::Conflict(_)
            | StoreError::AlreadyExists { .. } => ErrorKind::InvalidValue,
            _ => ErrorKind::Storage,
        };
        CommandError::new(kind, error.to_string())
    }
}

impl From<ValueError> for CommandError {
    fn from(error: ValueError) -> CommandError {
        CommandError::new(ErrorKind::InvalidValue, error.to_string())
    }
}

impl From<tauri::Error> for CommandError {
    fn from(error: tauri::Error) -> CommandError {
        CommandError::new(ErrorKind::Storage, error.to_string())
    }
}
