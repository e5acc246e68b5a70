//! Translating store and engine errors into CLI errors.
//!
//! The store and the engine already word their errors for scorekeepers; this
//! module only sorts them into exit codes and lifts the file, row and field
//! out of import errors so `--json` callers get them as separate fields.

use scoretable_core::import::ImportError;
use scoretable_core::ValueError;
use scoretable_store::StoreError;
use scoretable_usecase::{classify, ErrorClass, UseCaseError};

use crate::error::{CliError, ErrorKind, Problem};

/// The CLI's kind for a use-case error class (the class is decided once,
/// in `scoretable_usecase::classify`, for the CLI and the app alike).
pub fn kind_of(class: ErrorClass) -> ErrorKind {
    match class {
        ErrorClass::NotFound => ErrorKind::NotFound,
        ErrorClass::Invalid | ErrorClass::NoFile => ErrorKind::BadInput,
        ErrorClass::Refused | ErrorClass::Conflict => ErrorKind::Refused,
        ErrorClass::Io => ErrorKind::Io,
        ErrorClass::Internal => ErrorKind::Store,
    }
}

/// Sorts a store error into a CLI error, keeping the store's wording.
pub fn store_error(error: StoreError) -> CliError {
    let message = error.to_string();
    let kind = kind_of(classify(&error));
    let mut problems = Vec::new();
    match &error {
        StoreError::UnknownBib { bib, .. } => {
            problems.push(Problem {
                file: None,
                row: None,
                field: Some("bib".into()),
                message: format!("unknown bib {bib}"),
            });
        }
        StoreError::InvalidInput { field, message } => {
            problems.push(Problem {
                file: None,
                row: None,
                field: Some(field.clone()),
                message: message.clone(),
            });
        }
        StoreError::InvalidScore { message, .. } => {
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
            problems.push(Problem {
                file: Some(file.clone()),
                row: Some(*row),
                field: Some(field.clone()),
                message: message.clone(),
            });
        }
        _ => {}
    }
    CliError {
        kind,
        message,
        problems,
    }
}

/// A use-case error as a CLI error: its class sorts it, its field (when it
/// names one) becomes the problem's field.
pub fn usecase_error(error: UseCaseError) -> CliError {
    let problems = if error.problems.is_empty() {
        error
            .field
            .iter()
            .map(|field| Problem {
                file: None,
                row: None,
                field: Some(field.clone()),
                message: error.message.clone(),
            })
            .collect()
    } else {
        error
            .problems
            .into_iter()
            .map(|problem| Problem {
                file: problem.file,
                row: problem.row,
                field: problem.field,
                message: problem.message,
            })
            .collect()
    };
    CliError {
        kind: kind_of(error.class),
        message: error.message,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_score_is_not_found_as_in_the_app() {
        let error = store_error(StoreError::NoScore {
            workout: "Fran".into(),
            entrant: "bib 4".into(),
        });
        assert_eq!(error.kind, ErrorKind::NotFound);
        let unknown = store_error(StoreError::UnknownBib {
            bib: "99".into(),
            workout: "Fran".into(),
        });
        assert_eq!(unknown.kind, ErrorKind::NotFound);
        assert_eq!(unknown.problems[0].field.as_deref(), Some("bib"));
    }
}
