//! One error type for every workflow, with a class the shells map to their
//! own kinds (CLI exit codes, the app's `ErrorKind`).

use std::fmt;

use scoretable_core::import::ImportError;
use scoretable_core::ValueError;
use scoretable_store::StoreError;

/// What kind of failure an error is, independent of the shell showing it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorClass {
    /// A bib, workout, entry or score the request named does not exist.
    NotFound,
    /// Understood but not allowed now: the workout is official, the
    /// amendment has no reason, the entry cannot be undone.
    Refused,
    /// A typed or imported value could not be read or is out of range.
    Invalid,
    /// The request collides with what is stored: the entrant already has a
    /// score, the file already exists, a feed disagrees with the ledger.
    Conflict,
    /// Reading or writing a file other than the competition file failed.
    Io,
    /// The competition file itself failed (busy, damaged, SQLite).
    Internal,
    /// The request needs an open competition file and none is open (a
    /// long-running session between files).
    NoFile,
}

/// A workflow's error: its class, its message (already worded for the
/// scorekeeper: it names the bib, workout, file, row and field) and the
/// field the message is about when there is one (`bib`, `tie_break`,
/// `format`, `interval`), so a form can focus it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UseCaseError {
    pub class: ErrorClass,
    pub message: String,
    pub field: Option<String>,
    /// Every bad row of an input file (file, row, field, message), when the
    /// error is about a file; empty otherwise.
    pub problems: Vec<Problem>,
}

/// One bad row of an input file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub file: Option<String>,
    /// 1-based line number in the file, counting the header as line 1.
    pub row: Option<u64>,
    pub field: Option<String>,
    pub message: String,
}

pub type UseCaseResult<T> = Result<T, UseCaseError>;

impl UseCaseError {
    pub fn new(class: ErrorClass, message: impl Into<String>) -> UseCaseError {
        UseCaseError {
            class,
            message: message.into(),
            field: None,
            problems: Vec::new(),
        }
    }

    /// A value in `field` that cannot be used.
    pub fn invalid(field: &str, message: impl Into<String>) -> UseCaseError {
        UseCaseError {
            class: ErrorClass::Invalid,
            message: message.into(),
            field: Some(field.to_string()),
            problems: Vec::new(),
        }
    }
}

impl fmt::Display for UseCaseError {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.message)
    }
}

impl std::error::Error for UseCaseError {}

/// The class of a store error: the one place both shells take it from.
pub fn classify(error: &StoreError) -> ErrorClass {
    match error {
        StoreError::UnknownBib { .. }
        | StoreError::NotFound { .. }
        | StoreError::NoScore { .. } => ErrorClass::NotFound,
        StoreError::InvalidInput { .. }
        | StoreError::InvalidScore { .. }
        | StoreError::ImportRow { .. } => ErrorClass::Invalid,
        StoreError::WorkoutIsOfficial { .. }
        | StoreError::ReasonRequired
        | StoreError::CannotUndo { .. }
        | StoreError::Protected(_) => ErrorClass::Refused,
        StoreError::AlreadyScored { .. }
        | StoreError::AlreadyExists { .. }
        | StoreError::Conflict(_) => ErrorClass::Conflict,
        StoreError::Io { .. } => ErrorClass::Io,
        _ => ErrorClass::Internal,
    }
}

/// The field a store error is about, when it names one.
fn store_field(error: &StoreError) -> Option<String> {
    match error {
        StoreError::UnknownBib { .. } => Some("bib".to_string()),
        StoreError::InvalidInput { field, .. } | StoreError::ImportRow { field, .. } => {
            Some(field.clone())
        }
        StoreError::InvalidScore { .. } => Some("value".to_string()),
        _ => None,
    }
}

impl From<StoreError> for UseCaseError {
    fn from(error: StoreError) -> UseCaseError {
        UseCaseError {
            class: classify(&error),
            field: store_field(&error),
            message: error.to_string(),
            problems: Vec::new(),
        }
    }
}

impl From<ValueError> for UseCaseError {
    fn from(error: ValueError) -> UseCaseError {
        UseCaseError::invalid("value", error.to_string())
    }
}

impl From<ImportError> for UseCaseError {
    /// An input file with bad rows: every row is listed; the message names
    /// the file.
    fn from(error: ImportError) -> UseCaseError {
        let count = error.problems.len();
        let message = if count == 1 {
            format!("{} has a problem; nothing was imported", error.file_name)
        } else {
            format!(
                "{} has {count} problems; nothing was imported",
                error.file_name
            )
        };
        UseCaseError {
            class: ErrorClass::Invalid,
            message,
            field: None,
            problems: error
                .problems
                .iter()
                .map(|problem| Problem {
                    file: Some(error.file_name.clone()),
                    row: problem.row.map(|row| row as u64),
                    field: problem.field.clone(),
                    message: problem.message.clone(),
                })
                .collect(),
        }
    }
}
