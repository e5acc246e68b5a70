//! Readers for every source format: CSV, JSON, XML, Excel and the World
//! Triathlon live-timing message. Each turns bytes into a
//! [`SourceDocument`]; none panics on any input (fuzzed and property-tested).
//!
//! The format is the declared one, else detected: by extension first
//! (`.xlsx`/`.xlsm`, `.xml`, `.csv`/`.tsv`/`.txt`, `.json`), then by content.
//! Content that does not parse as that format is an error naming the file
//! (a `.json` file holding `"hello"` or garbage is never read as CSV).
//!
//! - **CSV**: decoded per [`crate::decode`]; the delimiter is whichever of
//!   comma, semicolon and tab occurs most outside quotes in the first
//!   non-blank line; the first non-blank row is the header; rows are
//!   numbered by spreadsheet row (header = 1); blank rows are skipped.
//! - **JSON**: a top-level array of objects, or an object whose first
//!   array-of-objects member holds the records (`{"results": [...]}`).
//!   Nested objects flatten with dots, arrays of objects with their
//!   position (`splits.0.time`), arrays of scalars join with commas; `null`
//!   fields are left out. Numbers and booleans become their JSON text.
//! - **XML**: descends from the root through wrappers holding exactly one
//!   element whose children are mostly elements themselves (`<event>
//!   <results>`); the children of the last wrapper are the records. A record's attributes
//!   and leaf children are its fields (nested children flatten with dots).
//! - **xlsx**: the first worksheet; first non-blank row is the header. Numbers
//!   print without a trailing `.0`; cells formatted as times or durations
//!   print as `HH:MM:SS.mmm` (Excel stores them as fractions of a day).
//! - **World Triathlon**: each athlete (or, for mixed relays, each team) is
//!   a record with `id`, `start_num`, `name`, `country`, `segment_id`,
//!   `time`, `difference`, `position`, `status` and `incidents`, plus
//!   `split.<segment id>.total_time`, `split.<segment id>.time` and
//!   `split.<segment id>.name` for each completed segment (relay members'
//!   splits are gathered on the team), and `message.status` (`prerace`,
//!   `live`, `official`).

use std::io::Cursor;

use serde_json::Value;

use crate::decode::{decode_text, TextEncoding};
use crate::record::{ReadError, RecordFormat, SourceDocument, SourceRecord};

/// Nesting deeper than this is refused rather than followed.
const MAX_DEPTH: usize = 48;

/// Guesses a format from a file name's extension, then from the content.
pub fn detect_format(file_name: &str, bytes: &[u8]) -> RecordFormat {
    let extension = std::path::Path::new(file_name)
        .extension()
        .map(|extension| extension.to_string_lossy().to_ascii_lowercase());
    match extension.as_deref() {
        Some("xlsx" | "xlsm") => return RecordFormat::Xlsx,
        Some("xml") => return RecordFormat::Xml,
        Some("csv" | "tsv" | "txt") => return RecordFormat::Csv,
        // A .json file is JSON (or a live-timing message), whatever its
        // content: content that does not parse is an error, never a CSV.
        Some("json") => {
            let (head, _) = decode_text(&bytes[..bytes.len().min(64)]);
            return if head.trim_start().starts_with('{') && is_triathlon_message(bytes) {
                RecordFormat::WorldTriathlon
            } else {
                RecordFormat::Json
            };
        }
        _ => {}
    }
    if bytes.starts_with(b"PK\x03\x04") {
        return RecordFormat::Xlsx;
    }
    let (text, _) = decode_text(&bytes[..bytes.len().min(4096)]);
    let start = text.trim_start();
    if start.starts_with('<') {
        RecordFormat::Xml
    } else if start.starts_with('[') || start.starts_with('{') {
        if start.starts_with('{') && is_triathlon_message(bytes) {
            RecordFormat::WorldTriathlon
        } else {
            RecordFormat::Json
        }
    } else {
        RecordFormat::Csv
    }
}

fn is_triathlon_message(bytes: &[u8]) -> bool {
    let (text, _) = decode_text(bytes);
    match serde_json::from_str::<Value>(&text) {
        Ok(Value::Object(object)) => {
            (object.contains_key("athletes") || object.contains_key("teams"))
                && (object.contains_key("prog_id") || object.contains_key("event_id"))
        }
        _ => false,
    }
}

/// Reads `bytes` as `format` (detected when `None`).
pub fn read_document(
    bytes: &[u8],
    source_name: &str,
    format: Option<RecordFormat>,
) -> Result<SourceDocument, ReadError> {
    match format.unwrap_or_else(|| detect_format(source_name, bytes)) {
        RecordFormat::Csv => read_csv(bytes, source_name),
        RecordFormat::Json => read_json(bytes, source_name),
        RecordFormat::Xml => read_xml(bytes, source_name),
        RecordFormat::Xlsx => read_xlsx(bytes, source_name),
        RecordFormat::WorldTriathlon => read_world_triathlon(bytes, source_name),
    }
}

/// The delimiter occurring most often outside quotes (comma on a tie or
/// none): the one rule of [`scoretable_core::text::sniff_delimiter`].
pub use scoretable_core::text::sniff_delimiter;

/// Reads a delimited text file with a header row.
pub fn read_csv(bytes: &[u8], source_name: &str) -> Result<SourceDocument, ReadError> {
    let (text, encoding) = decode_text(bytes);
    let first_line = text
        .lines()
        .find(|line| !line.trim().is_empty())
        .unwrap_or("");
    let delimiter = sniff_delimiter(first_line);
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut document = SourceDocument::new(source_name, RecordFormat::Csv, Some(encoding));
    let mut header: Option<Vec<String>> = None;
    let mut record = csv::StringRecord::new();
    // The csv crate does not count blank lines, so rows are numbered by the
    // physical line they start on, counted from the byte offset.
    let text_bytes = text.as_bytes();
    let mut counted_up_to = 0_usize;
    let mut line_number = 1_u64;
    loop {
        let more = reader.read_record(&mut record).map_err(|error| ReadError {
            source_name: source_name.to_string(),
            record_word: "row".into(),
            record: error.position().map(|position| position.line()),
            field: None,
            message: format!("is not valid CSV: {error}"),
        })?;
        if !more {
            break;
        }
        let mut start = record
            .position()
            .map_or(counted_up_to, |position| position.byte() as usize)
            .min(text_bytes.len());
        while start < text_bytes.len() && matches!(text_bytes[start], b'\n' | b'\r') {
            start += 1;
        }
        if start > counted_up_to {
            line_number += text_bytes[counted_up_to..start]
                .iter()
                .filter(|byte| **byte == b'\n')
                .count() as u64;
            counted_up_to = start;
        }
        let row = line_number;
        if record.iter().all(|field| field.trim().is_empty()) {
            continue;
        }
        match &header {
            None => {
                let names = record
                    .iter()
                    .enumerate()
                    .map(|(position, name)| {
                        let name = name.trim();
                        if name.is_empty() {
                            format!("column {}", position + 1)
                        } else {
                            name.to_string()
                        }
                    })
                    .collect();
                header = Some(names);
            }
            Some(names) => {
                let fields = names
                    .iter()
                    .zip(record.iter())
                    .map(|(name, value)| (name.clone(), value.trim().to_string()))
                    .collect();
                document.push(SourceRecord { index: row, fields });
            }
        }
    }
    match header {
        None => Err(ReadError::whole(
            source_name,
            "is empty; expected a header row",
        )),
        Some(names) => {
            // Header names are fields even when no row uses them.
            for name in names {
                if !document.field_names.contains(&name) {
                    document.field_names.push(name);
                }
            }
            Ok(document)
        }
    }
}

fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::Null => None,
        Value::String(text) => Some(text.trim().to_string()),
        Value::Bool(flag) => Some(flag.to_string()),
        Value::Number(number) => Some(number.to_string()),
        Value::Array(_) | Value::Object(_) => None,
    }
}

/// Flattens one JSON value into `fields` under `prefix`.
fn flatten_json(prefix: &str, value: &Value, depth: usize, fields: &mut Vec<(String, String)>) {
    if depth > MAX_DEPTH {
        return;
    }
    let join = |name: &str| {
        if prefix.is_empty() {
            name.to_string()
        } else {
            format!("{prefix}.{name}")
        }
    };
    match value {
        Value::Object(object) => {
            for (name, member) in object {
                flatten_json(&join(name), member, depth + 1, fields);
            }
        }
        Value::Array(items) => {
            if items
                .iter()
                .all(|item| !item.is_object() && !item.is_array())
            {
                let joined: Vec<String> = items.iter().filter_map(scalar_text).collect();
                if !prefix.is_empty() {
                    fields.push((prefix.to_string(), joined.join(",")));
                }
            } else {
                for (position, item) in items.iter().enumerate() {
                    flatten_json(&join(&position.to_string()), item, depth + 1, fields);
                }
            }
        }
        scalar => {
            if let (Some(text), false) = (scalar_text(scalar), prefix.is_empty()) {
                fields.push((prefix.to_string(), text));
            }
        }
    }
}

fn parse_json(bytes: &[u8], source_name: &str) -> Result<(Value, TextEncoding), ReadError> {
    let (text, encoding) = decode_text(bytes);
    if text.trim().is_empty() {
        return Err(ReadError::whole(source_name, "is empty; expected JSON"));
    }
    let value = serde_json::from_str::<Value>(&text).map_err(|error| {
        ReadError::whole(
            source_name,
            format!(
                "is not valid JSON: {} at line {}, column {}",
                error,
                error.line(),
                error.column()
            ),
        )
    })?;
    Ok((value, encoding))
}

/// Reads a JSON array of records (see the module docs).
pub fn read_json(bytes: &[u8], source_name: &str) -> Result<SourceDocument, ReadError> {
    let (value, encoding) = parse_json(bytes, source_name)?;
    let items = match &value {
        Value::Array(items) => items,
        Value::Object(object) => object
            .values()
            .find_map(|member| match member {
                Value::Array(items) if items.iter().any(Value::is_object) => Some(items),
                _ => None,
            })
            .ok_or_else(|| {
                ReadError::whole(
                    source_name,
                    "holds no list of records; expected a JSON array of objects",
                )
            })?,
        _ => {
            return Err(ReadError::whole(
                source_name,
                "is a single value; expected a JSON array of objects",
            ))
        }
    };
    let mut document = SourceDocument::new(source_name, RecordFormat::Json, Some(encoding));
    for (position, item) in items.iter().enumerate() {
        let index = position as u64 + 1;
        if !item.is_object() {
            return Err(ReadError {
                source_name: source_name.to_string(),
                record_word: "record".into(),
                record: Some(index),
                field: None,
                message: format!("is {}, not an object", json_kind(item)),
            });
        }
        let mut fields = Vec::new();
        flatten_json("", item, 0, &mut fields);
        document.push(SourceRecord { index, fields });
    }
    Ok(document)
}

fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Reads a World Triathlon live-timing message (see the module docs).
pub fn read_world_triathlon(bytes: &[u8], source_name: &str) -> Result<SourceDocument, ReadError> {
    let (value, encoding) = parse_json(bytes, source_name)?;
    let Value::Object(message) = &value else {
        return Err(ReadError::whole(
            source_name,
            "is not a live-timing message; expected a JSON object with athletes or teams",
        ));
    };
    let message_status = message.get("status").and_then(scalar_text);
    let (entries, relay) = match (message.get("athletes"), message.get("teams")) {
        (Some(Value::Array(athletes)), _) => (athletes, false),
        (_, Some(Value::Array(teams))) => (teams, true),
        (Some(Value::Null), _) | (_, Some(Value::Null)) => (&Vec::new(), false),
        _ => {
            return Err(ReadError::whole(
                source_name,
                "is not a live-timing message: it has no athletes or teams list",
            ))
        }
    };
    let mut document =
        SourceDocument::new(source_name, RecordFormat::WorldTriathlon, Some(encoding));
    for (position, entry) in entries.iter().enumerate() {
        let index = position as u64 + 1;
        let Value::Object(entry) = entry else {
            return Err(ReadError {
                source_name: source_name.to_string(),
                record_word: "record".into(),
                record: Some(index),
                field: None,
                message: format!("is {}, not an athlete object", json_kind(entry)),
            });
        };
        let mut fields = Vec::new();
        for name in [
            "id",
            "athlete_id",
            "start_num",
            "name",
            "country",
            "segment_id",
            "time",
            "difference",
            "position",
            "status",
            "incidents",
        ] {
            if let Some(text) = entry.get(name).and_then(scalar_text) {
                fields.push((name.to_string(), text));
            }
        }
        let add_splits = |splits: Option<&Value>, fields: &mut Vec<(String, String)>| {
            if let Some(Value::Array(splits)) = splits {
                for split in splits {
                    let Some(segment) = split.get("id").and_then(scalar_text) else {
                        continue;
                    };
                    for part in ["total_time", "time", "name"] {
                        if let Some(text) = split.get(part).and_then(scalar_text) {
                            fields.push((format!("split.{segment}.{part}"), text));
                        }
                    }
                }
            }
        };
        add_splits(entry.get("splits"), &mut fields);
        if relay {
            if let Some(Value::Array(members)) = entry.get("athletes") {
                for member in members {
                    let order = member
                        .get("team_order")
                        .and_then(scalar_text)
                        .unwrap_or_default();
                    if let Some(id) = member.get("id").and_then(scalar_text) {
                        fields.push((format!("member.{order}.id"), id));
                    }
                    add_splits(member.get("splits"), &mut fields);
                }
            }
        }
        if let Some(status) = &message_status {
            fields.push(("message.status".to_string(), status.clone()));
        }
        document.push(SourceRecord { index, fields });
    }
    Ok(document)
}

/// A light XML element tree.
struct Element {
    name: String,
    attributes: Vec<(String, String)>,
    text: String,
    children: Vec<Element>,
}

fn xml_error(source_name: &str, message: impl Into<String>) -> ReadError {
    ReadError::whole(source_name, message)
}

fn parse_xml_tree(text: &str, source_name: &str) -> Result<Element, ReadError> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(text);
    let mut stack: Vec<Element> = vec![Element {
        name: String::new(),
        attributes: Vec::new(),
        text: String::new(),
        children: Vec::new(),
    }];
    let invalid = |error: &dyn std::fmt::Display, position: u64| {
        xml_error(
            source_name,
            format!("is not valid XML: {error} (at byte {position})"),
        )
    };
    let open_element = |start: &quick_xml::events::BytesStart<'_>| -> Result<Element, ReadError> {
        let name = start.local_name().as_ref().to_string();
        let mut attributes = Vec::new();
        for attribute in start.attributes() {
            let attribute = attribute.map_err(|error| invalid(&error, 0))?;
            let key = attribute.key.local_name().as_ref().to_string();
            let value = attribute
                .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .map_err(|error| invalid(&error, 0))?
                .trim()
                .to_string();
            attributes.push((key, value));
        }
        Ok(Element {
            name,
            attributes,
            text: String::new(),
            children: Vec::new(),
        })
    };
    loop {
        let position = reader.buffer_position();
        let event = reader
            .read_event()
            .map_err(|error| invalid(&error, position))?;
        match event {
            Event::Start(start) => {
                if stack.len() > MAX_DEPTH {
                    return Err(xml_error(source_name, "nests elements too deeply"));
                }
                stack.push(open_element(&start)?);
            }
            Event::Empty(start) => {
                let element = open_element(&start)?;
                stack
                    .last_mut()
                    .expect("the document element is always on the stack")
                    .children
                    .push(element);
            }
            Event::End(_) => {
                if stack.len() < 2 {
                    return Err(xml_error(source_name, "closes an element it never opened"));
                }
                let element = stack.pop().expect("checked above");
                stack
                    .last_mut()
                    .expect("checked above")
                    .children
                    .push(element);
            }
            Event::Text(text) => {
                let decoded = text.xml10_content();
                stack
                    .last_mut()
                    .expect("never empty")
                    .text
                    .push_str(&decoded);
            }
            Event::CData(data) => {
                let decoded = data.xml10_content();
                stack
                    .last_mut()
                    .expect("never empty")
                    .text
                    .push_str(&decoded);
            }
            Event::GeneralRef(reference) => {
                let resolved = match reference.resolve_char_ref() {
                    Ok(Some(character)) => character.to_string(),
                    Ok(None) => {
                        let name = reference.xml10_content();
                        match name.as_ref() {
                            "amp" => "&".to_string(),
                            "lt" => "<".to_string(),
                            "gt" => ">".to_string(),
                            "quot" => "\"".to_string(),
                            "apos" => "'".to_string(),
                            other => {
                                return Err(xml_error(
                                    source_name,
                                    format!("uses the unknown entity &{other};"),
                                ))
                            }
                        }
                    }
                    Err(error) => return Err(invalid(&error, position)),
                };
                stack
                    .last_mut()
                    .expect("never empty")
                    .text
                    .push_str(&resolved);
            }
            Event::Eof => break,
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) | Event::DocType(_) => {}
        }
    }
    if stack.len() != 1 {
        return Err(xml_error(
            source_name,
            format!(
                "ends before <{}> is closed",
                stack.last().map_or("", |e| &e.name)
            ),
        ));
    }
    let mut document = stack.pop().expect("one element left");
    match document.children.len() {
        0 => Err(xml_error(source_name, "is empty; expected XML records")),
        1 => Ok(document.children.pop().expect("one child")),
        _ => Err(xml_error(source_name, "has more than one root element")),
    }
}

fn flatten_xml(prefix: &str, element: &Element, depth: usize, fields: &mut Vec<(String, String)>) {
    if depth > MAX_DEPTH {
        return;
    }
    let join = |name: &str| {
        if prefix.is_empty() {
            name.to_string()
        } else {
            format!("{prefix}.{name}")
        }
    };
    for (name, value) in &element.attributes {
        push_unique(fields, join(name), value.clone());
    }
    for child in &element.children {
        if child.children.is_empty() && child.attributes.is_empty() {
            push_unique(fields, join(&child.name), child.text.trim().to_string());
        } else {
            if !child.text.trim().is_empty() {
                push_unique(fields, join(&child.name), child.text.trim().to_string());
            }
            flatten_xml(&join(&child.name), child, depth + 1, fields);
        }
    }
}

/// Adds a field; a repeated name gets `[2]`, `[3]`, ... appended.
fn push_unique(fields: &mut Vec<(String, String)>, name: String, value: String) {
    if !fields.iter().any(|(known, _)| *known == name) {
        fields.push((name, value));
        return;
    }
    let mut count = 2;
    loop {
        let candidate = format!("{name}[{count}]");
        if !fields.iter().any(|(known, _)| *known == candidate) {
            fields.push((candidate, value));
            return;
        }
        count += 1;
    }
}

/// Reads repeated XML elements as records (see the module docs).
pub fn read_xml(bytes: &[u8], source_name: &str) -> Result<SourceDocument, ReadError> {
    let (text, encoding) = decode_text(bytes);
    // The declaration may claim another encoding; the text is already decoded.
    let root = parse_xml_tree(&text, source_name)?;
    // Descend through single wrappers (`<event><results>...`) but stop at a
    // lone record, whose children are mostly plain values.
    let is_leaf = |element: &Element| element.children.is_empty() && element.attributes.is_empty();
    let mut container = &root;
    while let [only] = container.children.as_slice() {
        let non_leaves = only.children.iter().filter(|child| !is_leaf(child)).count();
        if only.children.is_empty() || non_leaves * 2 <= only.children.len() {
            break;
        }
        container = only;
    }
    let mut document = SourceDocument::new(source_name, RecordFormat::Xml, Some(encoding));
    for (position, element) in container.children.iter().enumerate() {
        let mut fields = Vec::new();
        flatten_xml("", element, 0, &mut fields);
        document.push(SourceRecord {
            index: position as u64 + 1,
            fields,
        });
    }
    Ok(document)
}

/// Milliseconds in a day, for Excel's day fractions.
const MS_PER_DAY: f64 = 86_400_000.0;

fn cell_text(cell: &calamine::Data) -> String {
    use calamine::Data;
    match cell {
        Data::Empty => String::new(),
        Data::String(text) => text.trim().to_string(),
        Data::Int(number) => number.to_string(),
        Data::Float(number) => {
            if number.is_finite() && number.fract() == 0.0 && number.abs() < 1e15 {
                format!("{}", *number as i64)
            } else {
                number.to_string()
            }
        }
        Data::Bool(flag) => flag.to_string(),
        Data::DateTime(date_time) => {
            let days = date_time.as_f64();
            if date_time.is_duration() || (0.0..1.0).contains(&days) {
                day_fraction_as_time(days)
            } else {
                date_time.to_string()
            }
        }
        Data::DateTimeIso(text) | Data::DurationIso(text) => text.clone(),
        Data::Error(error) => format!("#{error:?}"),
    }
}

/// `0.00946...` days as `00:13:37.200`.
fn day_fraction_as_time(days: f64) -> String {
    if !days.is_finite() || !(0.0..=1e6).contains(&days) {
        return days.to_string();
    }
    let total_ms = (days * MS_PER_DAY).round() as i64;
    scoretable_core::time::format_time(total_ms, scoretable_core::time::TimeStyle::Iso)
}

/// Reads the first worksheet of an Excel workbook.
pub fn read_xlsx(bytes: &[u8], source_name: &str) -> Result<SourceDocument, ReadError> {
    use calamine::Reader;
    let mut workbook: calamine::Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes))
        .map_err(|error| {
            ReadError::whole(
                source_name,
                format!("is not an Excel .xlsx workbook: {error}"),
            )
        })?;
    let range = match workbook.worksheet_range_at(0) {
        None => return Err(ReadError::whole(source_name, "has no worksheet")),
        Some(range) => range.map_err(|error| {
            ReadError::whole(
                source_name,
                format!("has an unreadable first worksheet: {error}"),
            )
        })?,
    };
    let first_row = range.start().map_or(0, |(row, _)| row as u64);
    let mut document = SourceDocument::new(source_name, RecordFormat::Xlsx, None);
    let mut header: Option<Vec<String>> = None;
    for (offset, cells) in range.rows().enumerate() {
        let row = first_row + offset as u64 + 1;
        let texts: Vec<String> = cells.iter().map(cell_text).collect();
        if texts.iter().all(String::is_empty) {
            continue;
        }
        match &header {
            None => {
                header = Some(
                    texts
                        .iter()
                        .enumerate()
                        .map(|(position, name)| {
                            if name.is_empty() {
                                format!("column {}", position + 1)
                            } else {
                                name.clone()
                            }
                        })
                        .collect(),
                );
            }
            Some(names) => {
                let fields = names.iter().cloned().zip(texts).collect();
                document.push(SourceRecord { index: row, fields });
            }
        }
    }
    match header {
        None => Err(ReadError::whole(
            source_name,
            "has an empty first worksheet; expected a header row",
        )),
        Some(names) => {
            for name in names {
                if !document.field_names.contains(&name) {
                    document.field_names.push(name);
                }
            }
            Ok(document)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SEED_PAYLOAD: &str = r#"[
{"First Name": "Lexi", "Last Name": "DeSaracho", "Gender": "Female", "Team Name": "",
 "CompCornerID": "524658", "CGID": "1236", "Time": "00:13:37.2"},
{"First Name": "Allison", "Last Name": "McClellan", "Gender": "Female", "Team Name": "",
 "CompCornerID": "527182", "CGID": "1245", "Time": "00:13:59.1"}
]"#;

    #[test]
    fn the_seed_payload_reads_as_two_records() {
        let document = read_document(SEED_PAYLOAD.as_bytes(), "feed", None).unwrap();
        assert_eq!(document.format, RecordFormat::Json);
        assert_eq!(document.records.len(), 2);
        assert_eq!(document.records[0].get("CompCornerID"), Some("524658"));
        assert_eq!(document.records[1].get("Time"), Some("00:13:59.1"));
        assert_eq!(document.records[1].get("compcornerid"), Some("527182"));
        assert_eq!(document.records[1].index, 2);
        assert!(document.field_names.contains(&"Team Name".to_string()));
    }

    #[test]
    fn csv_delimiters_are_sniffed_and_rows_numbered_like_a_spreadsheet() {
        for text in [
            "bib,time\n1,12:00\n\n2,13:00\n",
            "bib;time\n1;12:00\n\n2;13:00\n",
            "bib\ttime\n1\t12:00\n\n2\t13:00\n",
        ] {
            let document = read_csv(text.as_bytes(), "scores.csv").unwrap();
            assert_eq!(document.records.len(), 2, "{text:?}");
            assert_eq!(document.records[1].index, 4);
            assert_eq!(document.records[1].get("time"), Some("13:00"));
        }
        let error = read_csv(b"", "empty.csv").unwrap_err();
        assert_eq!(
            error.to_string(),
            "empty.csv: is empty; expected a header row"
        );
    }

    #[test]
    fn nested_json_flattens_with_dots() {
        let text = r#"{"results": [{"bib": 7, "ok": true, "splits": [{"id": "1", "t": "1:00"}],
            "tags": ["a", "b"], "gone": null, "athlete": {"name": "Ann"}}]}"#;
        let document = read_json(text.as_bytes(), "nested.json").unwrap();
        let record = &document.records[0];
        assert_eq!(record.get("bib"), Some("7"));
        assert_eq!(record.get("ok"), Some("true"));
        assert_eq!(record.get("splits.0.t"), Some("1:00"));
        assert_eq!(record.get("tags"), Some("a,b"));
        assert_eq!(record.get("athlete.name"), Some("Ann"));
        assert_eq!(record.get("gone"), None);
        let error = read_json(b"[1, {\"a\": 2}]", "bad.json").unwrap_err();
        assert_eq!(
            error.to_string(),
            "bad.json record 1: is a number, not an object"
        );
        let error = read_json(b"[{\"a\": ", "cut.json").unwrap_err();
        assert!(
            error.to_string().starts_with("cut.json: is not valid JSON"),
            "{error}"
        );
    }

    #[test]
    fn xml_records_are_the_repeated_elements() {
        let text = r#"<?xml version="1.0"?>
<event><results>
  <result bib="1"><time>12:00.5</time><name>A &amp; B</name></result>
  <result bib="2"><time><![CDATA[13:00]]></time><split point="Swim">5:00</split></result>
</results></event>"#;
        let document = read_xml(text.as_bytes(), "results.xml").unwrap();
        assert_eq!(document.records.len(), 2);
        assert_eq!(document.records[0].get("bib"), Some("1"));
        assert_eq!(document.records[0].get("name"), Some("A & B"));
        assert_eq!(document.records[1].get("time"), Some("13:00"));
        assert_eq!(document.records[1].get("split"), Some("5:00"));
        assert_eq!(document.records[1].get("split.point"), Some("Swim"));
        assert!(read_xml(b"<a><b></a>", "bad.xml").is_err());
        assert!(read_xml(b"", "empty.xml").is_err());
    }

    #[test]
    fn mixed_relay_teams_gather_their_members_splits() {
        let message = r#"{"event_id": "107161", "prog_id": "307248", "status": "live",
            "teams": [{"id": "1234", "start_num": "1", "name": "Team GBR I", "time": "00:49:51.000",
              "status": null, "athletes": [
                {"id": "9876", "team_order": "1", "splits": [
                    {"id": 1, "name": "Leg 1 Swim Exit", "total_time": "00:16:38.000", "time": "00:08:20.000"}]},
                {"id": "7788", "team_order": "2", "splits": [
                    {"id": 8, "name": "Leg 2 Swim Exit", "total_time": "00:16:38.000", "time": "00:08:20.000"}]},
                {"id": "5586", "team_order": "3", "splits": null}]}]}"#;
        let document = read_document(message.as_bytes(), "relay", None).unwrap();
        assert_eq!(document.format, RecordFormat::WorldTriathlon);
        let team = &document.records[0];
        assert_eq!(team.get("id"), Some("1234"));
        assert_eq!(team.get("split.8.total_time"), Some("00:16:38.000"));
        assert_eq!(team.get("member.3.id"), Some("5586"));
        assert_eq!(team.get("message.status"), Some("live"));
        assert_eq!(team.get("status"), None);
    }

    #[test]
    fn excel_day_fractions_print_as_times() {
        assert_eq!(day_fraction_as_time(817.2 / 86_400.0), "00:13:37.200");
        assert_eq!(cell_text(&calamine::Data::Float(42.0)), "42");
        assert_eq!(cell_text(&calamine::Data::Float(42.5)), "42.5");
    }
}
