//! What a command produces: a human report and a JSON document.
//!
//! Every command builds both, except the leaderboard, which builds only the
//! form asked for (a 60,000-row board is large in either form). The JSON is
//! serialised as soon as the command finishes, straight from typed values,
//! so no large `serde_json::Value` tree is ever built for big boards.

use serde::Serialize;

/// A command's result in both forms.
#[derive(Debug, Clone)]
pub struct Output {
    /// Printed as is (it ends with a newline when non-empty).
    pub text: String,
    /// One pretty-printed JSON document, printed with `--json`.
    pub json: String,
}

impl Output {
    pub fn new(text: impl Into<String>, json: impl Serialize) -> Output {
        let mut text = text.into();
        if !text.is_empty() && !text.ends_with('\n') {
            text.push('\n');
        }
        Output {
            text,
            json: to_json(&json),
        }
    }

    /// An output whose JSON is already serialised.
    pub fn with_json_text(text: impl Into<String>, json: String) -> Output {
        let mut text = text.into();
        if !text.is_empty() && !text.ends_with('\n') {
            text.push('\n');
        }
        Output { text, json }
    }
}

/// Pretty JSON; serialising plain data to a string cannot fail, but if it
/// ever did the document says so rather than printing nothing.
pub fn to_json(value: &impl Serialize) -> String {
    serde_json::to_string_pretty(value).unwrap_or_else(|error| {
        serde_json::json!({ "error": { "kind": "io", "message": format!("cannot encode JSON: {error}") } })
            .to_string()
    })
}
