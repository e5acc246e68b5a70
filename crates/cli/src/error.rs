//! The CLI's error type and how errors are reported.
//!
//! Exit codes: 1 for failures of the file or the machine (the store could not
//! be opened, a disk error), 2 for bad input (a bad CSV row, an invalid value,
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
            ErrorKind::Store | ErrorKind::Io => 1,
        }
    }

    /// The human-readable report: the message, then one line per problem.
    pub fn render_text(&self) -> String {
        let mut text = format!("error: {}", self.message);
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
