//! Source records: what every reader produces, whatever the format.
//!
//! A [`SourceDocument`] is a list of flat [`SourceRecord`]s, each an ordered
//! list of field names and text values. Nested JSON objects and XML elements
//! are flattened with dots (`splits.1.total_time`), so one field mapping
//! vocabulary covers every format.

use serde::{Deserialize, Serialize};
use std::fmt;

use crate::decode::TextEncoding;

/// A supported source format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordFormat {
    /// Comma, semicolon or tab separated text with a header row.
    Csv,
    /// A JSON array of objects (the timing-feed payload), or an object holding one.
    Json,
    /// Repeated XML elements, one per record.
    Xml,
    /// The first sheet of an Excel workbook with a header row.
    Xlsx,
    /// A World Triathlon live-timing message (athletes, or teams for relays).
    WorldTriathlon,
}

impl RecordFormat {
    pub const ALL: [RecordFormat; 5] = [
        RecordFormat::Csv,
        RecordFormat::Json,
        RecordFormat::Xml,
        RecordFormat::Xlsx,
        RecordFormat::WorldTriathlon,
    ];

    pub fn word(self) -> &'static str {
        match self {
            RecordFormat::Csv => "csv",
            RecordFormat::Json => "json",
            RecordFormat::Xml => "xml",
            RecordFormat::Xlsx => "xlsx",
            RecordFormat::WorldTriathlon => "world_triathlon",
        }
    }

    pub fn from_word(word: &str) -> Option<RecordFormat> {
        let word = word.trim().to_ascii_lowercase().replace('-', "_");
        RecordFormat::ALL
            .into_iter()
            .find(|format| format.word() == word)
            .or(match word.as_str() {
                "triathlon" => Some(RecordFormat::WorldTriathlon),
                "xls" | "excel" => Some(RecordFormat::Xlsx),
                "tsv" | "txt" => Some(RecordFormat::Csv),
                _ => None,
            })
    }

    /// How a record is called in messages: rows for tables, records otherwise.
    pub fn record_word(self) -> &'static str {
        match self {
            RecordFormat::Csv | RecordFormat::Xlsx => "row",
            RecordFormat::Json | RecordFormat::Xml | RecordFormat::WorldTriathlon => "record",
        }
    }
}

/// One record as read: fields in source order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceRecord {
    /// 1-based: the spreadsheet row (header = row 1) for tables, the position
    /// in the list for JSON and XML.
    pub index: u64,
    pub fields: Vec<(String, String)>,
}

/// Lowercases and drops spaces, `_`, `-` and `.` so `Team Name`,
/// `team_name` and `TEAMNAME` all match.
pub fn normalise_field_name(name: &str) -> String {
    name.chars()
        .filter(|character| !matches!(character, ' ' | '_' | '-' | '.'))
        .flat_map(char::to_lowercase)
        .collect()
}

impl SourceRecord {
    /// A field's value: the exact name first, then a loose match.
    pub fn get(&self, name: &str) -> Option<&str> {
        if let Some((_, value)) = self.fields.iter().find(|(field, _)| field == name) {
            return Some(value);
        }
        let wanted = normalise_field_name(name);
        self.fields
            .iter()
            .find(|(field, _)| normalise_field_name(field) == wanted)
            .map(|(_, value)| value.as_str())
    }
}

/// Everything read from one file or payload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceDocument {
    /// The file name or connection name, for messages.
    pub source_name: String,
    pub format: RecordFormat,
    /// The text encoding (not for xlsx).
    pub encoding: Option<TextEncoding>,
    /// Every field name seen, in first-seen order.
    pub field_names: Vec<String>,
    pub records: Vec<SourceRecord>,
}

impl SourceDocument {
    pub(crate) fn new(
        source_name: &str,
        format: RecordFormat,
        encoding: Option<TextEncoding>,
    ) -> Self {
        SourceDocument {
            source_name: source_name.to_string(),
            format,
            encoding,
            field_names: Vec::new(),
            records: Vec::new(),
        }
    }

    /// Adds a record, noting new field names.
    pub(crate) fn push(&mut self, record: SourceRecord) {
        for (name, _) in &record.fields {
            if !self.field_names.iter().any(|known| known == name) {
                self.field_names.push(name.clone());
            }
        }
        self.records.push(record);
    }
}

/// A file or payload that could not be read at all, or a record in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub struct ReadError {
    pub source_name: String,
    /// `row` or `record`.
    pub record_word: String,
    pub record: Option<u64>,
    pub field: Option<String>,
    pub message: String,
}

/// Values longer than this many bytes are quoted by a prefix only.
pub const QUOTED_PREFIX_CHARS: usize = 40;
/// Messages longer than this many characters are cut (a message never
/// repeats a whole oversized value).
pub const MAX_MESSAGE_CHARS: usize = 300;

/// A value as error text quotes it: whole when short, else its first
/// [`QUOTED_PREFIX_CHARS`] characters and its length.
pub fn quote_prefix(text: &str) -> String {
    match text.char_indices().nth(QUOTED_PREFIX_CHARS) {
        None => format!("{text:?}"),
        Some((end, _)) => format!("{:?}... ({} bytes)", &text[..end], text.len()),
    }
}

/// Cuts a message to [`MAX_MESSAGE_CHARS`] characters.
pub fn clamp_message(message: &str) -> String {
    match message.char_indices().nth(MAX_MESSAGE_CHARS) {
        None => message.to_string(),
        Some((end, _)) => format!("{}... (cut; {} bytes)", &message[..end], message.len()),
    }
}

impl fmt::Display for ReadError {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "{}", self.source_name)?;
        if let Some(record) = self.record {
            write!(formatter, " {} {record}", self.record_word)?;
        }
        if let Some(field) = &self.field {
            write!(formatter, ", field {}", quote_prefix(field))?;
        }
        write!(formatter, ": {}", clamp_message(&self.message))
    }
}

impl ReadError {
    pub(crate) fn whole(source_name: &str, message: impl Into<String>) -> ReadError {
        ReadError {
            source_name: source_name.to_string(),
            record_word: "record".into(),
            record: None,
            field: None,
            message: clamp_message(&message.into()),
        }
    }
}
