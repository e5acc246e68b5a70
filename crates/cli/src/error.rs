//! The CLI's error type and how errors are reported.
//!
//! Exit codes: 1 for failures of the file or the machine (the store could not
//! be opened, a disk error, a sealed archive that fails verification), 2 for bad input (a bad CSV row, an invalid value,
//! an unknown bib or workout, a refused change such as a second score for the
//! same athlete). With `--json` the error is one JSON document
//! `{"error": {...}}` on stderr; otherwise a readable message, with one line
//! per problem naming the file, row and field.

use serde::Serialize;

/// One problem found in the input, located as precisely as possible.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Problem {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// 1-based line number in the file, counting the header as line 1.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub row: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    pub message: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut location = Vec::new();
        if let Some(file) = &self.file {
            location.push(file.clone());
        }
        if let Some(row) = self.row {
            location.push(format!("row {row}"));
        }
        if let Some(field) = &self.field {
            location.push(format!("field '{field}'"));
        }
        if location.is_empty() {
            write!(formatter, "{}", self.message)
        } else {
            write!(formatter, "{}: {}", location.join(", "), self.message)
        }
    }
}

/// What kind of failure an error is; also the `kind` in JSON errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// The input was wrong: a value, a CSV row, an option.
    BadInput,
    /// A bib, workout, division or entry that does not exist.
    NotFound,
    /// The command line itself is wrong: an unknown option, a missing argument.
    Usage,
    /// The request is understood but not allowed: the score already exists,
    /// the workout is official, the amendment has no reason.
    Refused,
    /// The competition file could not be read or written.
    Store,
    /// Reading or writing another file failed.
    Io,
    /// A sealed archive failed verification: a file in it was changed,
    /// added or removed, or it is not a readable zip.
    NotIntact,
}

/// An error that ends the command.
#[derive(Debug, Clone, Serialize)]
pub struct CliError {
    pub kind: ErrorKind,
    pub message: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<Problem>,
}

impl CliError {
    pub fn bad_input(message: impl Into<String>) -> CliError {
        CliError {
            kind: ErrorKind::BadInput,
            message: message.into(),
            problems: Vec::new(),
        }
    }

    pub fn not_found(message: impl Into<String>) -> CliError {
        CliError {
            kind: ErrorKind::NotFound,
            message: message.into(),
            problems: Vec::new(),
        }
    }

    pub fn store(message: impl Into<String>) -> CliError {
        CliError {
            kind: ErrorKind::Store,
            message: message.into(),
            problems: Vec::new(),
        }
    }

    pub fn io(message: impl Into<String>) -> CliError {
        CliError {
            kind: ErrorKind::Io,
            message: message.into(),
            problems: Vec::new(),
        }
    }

    pub fn with_problems(mut self, problems: Vec<Problem>) -> CliError {
        self.problems = problems;
        self
    }

    /// The process exit code for this error.
    pub fn exit_code(&self) -> i32 {
        match self.kind {
            ErrorKind::Usage | ErrorKind::BadInput | ErrorKind::NotFound | ErrorKind::Refused => 2,
            ErrorKind::Store | ErrorKind::Io | ErrorKind::NotIntact => 1,
        }
    }

    /// The human-readable report: the message, then one line per problem.
    /// A single problem without a file or row only repeats the message, so it
    /// is left out of the text (JSON still carries it).
    pub fn render_text(&self) -> String {
        let mut text = format!("error: {}", self.message);
        let repeats_message = self.problems.len() == 1
            && self.problems[0].file.is_none()
            && self.problems[0].row.is_none();
        if repeats_message {
            return text;
        }
        for problem in &self.problems {
            text.push_str("\n  ");
            text.push_str(&problem.to_string());
        }
        text
    }

    /// The machine-readable report.
    pub fn render_json(&self) -> String {
        serde_json::json!({ "error": self }).to_string()
    }
}

impl std::fmt::Display for CliError {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(formatter, "{}", self.render_text())
    }
}

impl std::error::Error for CliError {}

pub type CliResult<T> = Result<T, CliError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_lists_located_problems_and_json_keeps_them_apart() {
        let error = CliError::bad_input("scores.csv has 2 problems; nothing was imported")
            .with_problems(vec![
                Problem {
                    file: Some("scores.csv".into()),
                    row: Some(3),
                    field: Some("time".into()),
                    message: "expected a time like 12:03.4, got \"soon\"".into(),
                },
                Problem {
                    file: Some("scores.csv".into()),
                    row: Some(5),
                    field: Some("bib".into()),
                    message: "unknown bib 99".into(),
                },
            ]);
        assert_eq!(
            error.render_text(),
            "error: scores.csv has 2 problems; nothing was imported\n  \
             scores.csv, row 3, field 'time': expected a time like 12:03.4, got \"soon\"\n  \
             scores.csv, row 5, field 'bib': unknown bib 99"
        );
        let json: serde_json::Value = serde_json::from_str(&error.render_json()).unwrap();
        assert_eq!(json["error"]["kind"], "bad_input");
        assert_eq!(json["error"]["problems"][1]["row"], 5);
        assert_eq!(json["error"]["problems"][1]["field"], "bib");
        assert_eq!(error.exit_code(), 2);
    }

    #[test]
    fn a_single_unlocated_problem_is_not_repeated_in_text() {
        let error =
            CliError::bad_input("invalid --cap: expected a time").with_problems(vec![Problem {
                file: None,
                row: None,
                field: Some("cap".into()),
                message: "expected a time".into(),
            }]);
        assert_eq!(error.render_text(), "error: invalid --cap: expected a time");
        assert!(error.render_json().contains("\"field\":\"cap\""));
        assert_eq!(CliError::store("disk full").exit_code(), 1);
    }
}
