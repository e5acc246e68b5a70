//! Turning store and core errors into the [`CommandError`] the UI receives.
//!
//! The store's messages already name the bib, workout, file, row and field;
//! this module only classifies them so the UI knows which field to focus.

use crate::dto::{CommandError, ErrorKind};
use scoretable_core::ValueError;
use scoretable_store::StoreError;
use scoretable_usecase::{ErrorClass, UseCaseError};

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

impl CommandError {
    /// The app's kind for a use-case error class; the class itself is
    /// decided once, in `scoretable_usecase`, for the app and the CLI alike.
    /// The field a message is about picks the finer kinds the UI focuses.
    fn kind_of(class: ErrorClass, field: Option<&str>) -> ErrorKind {
        match (class, field) {
            (ErrorClass::NotFound, Some("bib")) => ErrorKind::UnknownBib,
            (ErrorClass::Invalid, Some("tie_break")) => ErrorKind::InvalidTieBreak,
            (ErrorClass::NotFound, _) => ErrorKind::NotFound,
            (ErrorClass::Invalid | ErrorClass::Refused | ErrorClass::Conflict, _) => {
                ErrorKind::InvalidValue
            }
            (ErrorClass::Io | ErrorClass::Internal, _) => ErrorKind::Storage,
            (ErrorClass::NoFile, _) => ErrorKind::NoCompetition,
        }
    }
}

impl From<UseCaseError> for CommandError {
    /// A file's bad rows are listed one per line after the message
    /// (`people.csv row 3, field "bib": ...`), so the window shows every one.
    fn from(error: UseCaseError) -> CommandError {
        let message = if error.problems.is_empty() {
            error.message
        } else {
            let lines = error
                .problems
                .iter()
                .map(|problem| {
                    let mut line = problem.file.clone().unwrap_or_default();
                    if let Some(row) = problem.row {
                        line.push_str(&format!(" row {row}"));
                    }
                    if let Some(field) = &problem.field {
                        line.push_str(&format!(", field \"{field}\""));
                    }
                    if line.is_empty() {
                        problem.message.clone()
                    } else {
                        format!("{line}: {}", problem.message)
                    }
                })
                .collect::<Vec<_>>()
                .join("\n");
            format!("{}\n{lines}", error.message)
        };
        CommandError::new(
            CommandError::kind_of(error.class, error.field.as_deref()),
            message,
        )
    }
}

impl From<StoreError> for CommandError {
    fn from(error: StoreError) -> CommandError {
        CommandError::from(UseCaseError::from(error))
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
