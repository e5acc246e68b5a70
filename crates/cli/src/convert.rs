//! Translating store and engine errors into CLI errors.
//!
//! The store and the engine already word their errors for scorekeepers; this
//! module only sorts them into exit codes and lifts the file, row and field
//! out of import errors so `--json` callers get them as separate fields.

use scoretable_core::import::ImportError;
use scoretable_core::ValueError;
use scoretable_store::StoreError;

use crate::error::{CliError, ErrorKind, Problem};

/// Sorts a store error into a CLI error, keeping the store's wording.
pub fn store_error(error: StoreError) -> CliError {
    let message = error.to_string();
    let kind;
    let mut problems = Vec::new();
    match &error {
        StoreError::UnknownBib { bib, .. } => {
            kind = ErrorKind::NotFound;
            problems.push(Problem {
                file: None,
                row: None,
                field: Some("bib".into()),
                message: format!("unknown bib {bib}"),
            });
        }
        StoreError::NotFound { .. } => kind = ErrorKind::NotFound,
        StoreError::InvalidInput { field, message } => {
            kind = ErrorKind::BadInput;
            problems.push(Problem {
                file: None,
                row: None,
                field: Some(field.clone()),
                message: message.clone(),
            });
        }
        StoreError::InvalidScore { message, .. } => {
            kind = ErrorKind::BadInput;
            problems.push(Problem {
                file: None,
                row: None,
                field: Some("value".into()),
                message: message.clone(),
            });
        }
        StoreError::ImportRow {
            file,
            row,
            field,
            message,
        } => {
            kind = ErrorKind::BadInput;
            problems.push(Problem {
                file: Some(file.clone()),
                row: Some(*row),
                field: Some(field.clone()),
                message: message.clone(),
            });
        }
        StoreError::AlreadyScored { .. }
        | StoreError::WorkoutIsOfficial { .. }
        | StoreError::NoScore { .. }
        | StoreError::ReasonRequired
        | StoreError::CannotUndo { .. }
        | StoreError::Protected(_)
        | StoreError::Conflict(_) => kind = ErrorKind::Refused,
        StoreError::Io { .. } => kind = ErrorKind::Io,
        _ => kind = ErrorKind::Store,
    }
    CliError {
        kind,
        message,
        problems,
    }
}

/// An import error lists every bad row; the message names the file.
pub fn import_error(error: ImportError) -> CliError {
    let count = error.problems.len();
    let message = if count == 1 {
        format!("{} has a problem; nothing was imported", error.file_name)
    } else {
        format!(
            "{} has {count} problems; nothing was imported",
            error.file_name
        )
    };
    let problems = error
        .problems
        .iter()
        .map(|problem| Problem {
            file: Some(error.file_name.clone()),
            row: problem.row.map(|row| row as u64),
            field: problem.field.clone(),
            message: problem.message.clone(),
        })
        .collect();
    CliError::bad_input(message).with_problems(problems)
}

/// A value typed on the command line that the engine could not read.
pub fn value_error(field: &str, error: ValueError) -> CliError {
    let message = error.to_string();
    CliError::bad_input(format!("invalid {field}: {message}")).with_problems(vec![Problem {
        file: None,
        row: None,
        field: Some(field.to_string()),
        message,
    }])
}
