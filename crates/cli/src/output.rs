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

/// Text for a terminal: control characters (other than line breaks) and
/// the invisible bidi overrides are shown escaped (`\u{1b}`), so a name
/// such as `ESC ] 0 ; … BEL` prints as text instead of retitling or
/// recolouring the terminal. JSON output escapes them by itself.
pub fn escape_for_terminal(text: &str) -> std::borrow::Cow<'_, str> {
    let needs_escape = |character: char| {
        character != '\n' && scoretable_store::text_rules::is_refused_character(character)
    };
    if !text.chars().any(needs_escape) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut escaped = String::with_capacity(text.len() + 16);
    for character in text.chars() {
        if needs_escape(character) {
            escaped.push_str(&format!("\\u{{{:x}}}", character as u32));
        } else {
            escaped.push(character);
        }
    }
    std::borrow::Cow::Owned(escaped)
}

/// Pretty JSON; serialising plain data to a string cannot fail, but if it
/// ever did the document says so rather than printing nothing.
pub fn to_json(value: &impl Serialize) -> String {
    serde_json::to_string_pretty(value).unwrap_or_else(|error| {
        serde_json::json!({ "error": { "kind": "io", "message": format!("cannot encode JSON: {error}") } })
            .to_string()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_escaped_for_the_terminal() {
        assert_eq!(
            escape_for_terminal("Eve\u{1b}]0;pwned\u{7}\n"),
            "Eve\\u{1b}]0;pwned\\u{7}\n"
        );
        assert_eq!(
            escape_for_terminal("a\tb\u{202e}c\u{9b}"),
            "a\\u{9}b\\u{202e}c\\u{9b}"
        );
        assert!(matches!(
            escape_for_terminal("Zoë\n"),
            std::borrow::Cow::Borrowed(_)
        ));
    }
}
