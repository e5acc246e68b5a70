//! What a command produces: a human report and a JSON document.
//!
//! Every command builds both; `main` prints the one the user asked for, so
//! `--json` never lacks a field the text shows.

use serde_json::Value;

/// A command's result in both forms.
#[derive(Debug, Clone)]
pub struct Output {
    /// Printed as is (it ends with a newline when non-empty).
    pub text: String,
    /// Printed as one JSON document with `--json`.
    pub json: Value,
}

impl Output {
    pub fn new(text: impl Into<String>, json: Value) -> Output {
        let mut text = text.into();
        if !text.is_empty() && !text.ends_with('\n') {
            text.push('\n');
        }
        Output { text, json }
    }
}
