//! Saved mappings and mapped file imports.
//!
//! A file import reads the file (any supported format, detected from the
//! extension and content), maps every record, and imports nothing when the
//! file is wrong as a whole or in any record, each named in the error: a
//! file that does not parse as its declared or detected format; a file
//! without the mapped identifier or result fields (the error names them and
//! the fields the file has); a file with a header but no records; an
//! invalid record (every problem by row and field, values quoted by a short
//! prefix only); two records with the same record key (both rows named). Valid files go through the ledger
//! with the mapping's name as the source name: importing a corrected file
//! again skips what was imported and raises conflicts for changed values.

use std::collections::HashMap;
use std::path::Path;

use scoretable_core::model::{Id, Source, Workout};
use scoretable_store::{CompetitionFile, InboundReport, InboundSource};
use serde::{Deserialize, Serialize};

use crate::decode::TextEncoding;
use crate::error::{io_error, InboundError};
use crate::mapping::{map_document, FieldMapping};
use crate::readers::read_document;
use crate::record::{normalise_field_name, RecordFormat, SourceDocument};

/// At most this many problems are listed in an error.
pub const MAX_LISTED_PROBLEMS: usize = 50;

/// Saves a mapping by name after checking it against its workout.
pub fn save_mapping(
    store: &mut CompetitionFile,
    name: &str,
    workout_id: Option<Id>,
    mapping: &FieldMapping,
) -> Result<Id, InboundError> {
    if let Some(workout_id) = workout_id {
        mapping.validate(&store.workout(workout_id)?)?;
    }
    let value = serde_json::to_value(mapping).expect("mappings serialize");
    Ok(store.save_mapping(name, workout_id, &value)?)
}

/// Loads a saved mapping by name, with the workout it is bound to.
pub fn load_mapping(
    store: &CompetitionFile,
    name: &str,
) -> Result<(FieldMapping, Option<Id>), InboundError> {
    let saved =
        store
            .mapping_by_name(name)?
            .ok_or_else(|| scoretable_store::StoreError::NotFound {
                what: "mapping",
                key: name.trim().to_string(),
            })?;
    let mapping =
        serde_json::from_value(saved.mapping).map_err(|error| InboundError::DamagedMapping {
            name: saved.name.clone(),
            message: error.to_string(),
        })?;
    Ok((mapping, saved.workout_id))
}

/// What a file import did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileImportReport {
    pub file_name: String,
    pub format: RecordFormat,
    pub encoding: Option<TextEncoding>,
    pub records: usize,
    /// Records without a result or status yet.
    pub waiting: usize,
    pub ledger: InboundReport,
}

/// Reads and maps `bytes`, failing with every problem when any record is invalid.
pub fn read_and_map(
    bytes: &[u8],
    file_name: &str,
    format: Option<RecordFormat>,
    mapping: &FieldMapping,
    workout: &Workout,
) -> Result<(SourceDocument, crate::mapping::MappedDocument), InboundError> {
    mapping.validate(workout)?;
    let document = read_document(bytes, file_name, format)?;
    if document.records.is_empty() {
        return Err(InboundError::NoRecords {
            source_name: file_name.to_string(),
            record_word: document.format.record_word().to_string(),
        });
    }
    let missing = missing_required_fields(mapping, &document);
    if !missing.is_empty() {
        return Err(InboundError::MissingFields {
            source_name: file_name.to_string(),
            missing,
            found: document.field_names.clone(),
        });
    }
    let mapped = map_document(mapping, workout, &document);
    if mapped.invalid > 0 {
        let problems: Vec<_> = mapped
            .problems
            .iter()
            .take(MAX_LISTED_PROBLEMS)
            .cloned()
            .collect();
        return Err(InboundError::Records {
            source_name: file_name.to_string(),
            count: mapped.invalid,
            more: mapped.problems.len().saturating_sub(MAX_LISTED_PROBLEMS),
            problems,
        });
    }
    let mut seen: HashMap<&str, u64> = HashMap::with_capacity(mapped.records.len());
    for record in &mapped.records {
        if let Some(first) = seen.insert(record.record_key.as_str(), record.index) {
            return Err(InboundError::DuplicateRecord {
                source_name: file_name.to_string(),
                record_word: document.format.record_word().to_string(),
                key: record.record_key.clone(),
                first,
                second: record.index,
            });
        }
    }
    Ok((document, mapped))
}

/// The mapped fields a file must have: the identifier, the record key field
/// when one is mapped, and the result (the value or the status field; when
/// both are mapped, at least one). Optional fields (team, teammate id,
/// splits, tie-break, penalty, incidents) may be absent.
pub fn missing_required_fields(mapping: &FieldMapping, document: &SourceDocument) -> Vec<String> {
    let has = |field: &str| {
        let wanted = normalise_field_name(field);
        document
            .field_names
            .iter()
            .any(|name| name == field || normalise_field_name(name) == wanted)
    };
    let mut missing = Vec::new();
    let mut need = |field: &str| {
        if !has(field) && !missing.iter().any(|known| known == field) {
            missing.push(field.to_string());
        }
    };
    need(&mapping.identifier.field);
    if let Some(field) = &mapping.record_key {
        need(field);
    }
    match (&mapping.value, &mapping.status) {
        (Some(value), Some(status)) => {
            if !has(&value.field) && !has(&status.field) {
                need(&value.field);
                need(&status.field);
            }
        }
        (Some(value), None) => need(&value.field),
        (None, Some(status)) => need(&status.field),
        (None, None) => {}
    }
    missing
}

/// The mapped fields a polled payload with records must have. A header
/// row (CSV, Excel) names every column whether or not a cell is filled, so
/// there the rule is the file's ([`missing_required_fields`]). A JSON or XML
/// feed leaves an athlete's result out until the athlete finishes, so there
/// only the fields every record carries are required: the identifier and the
/// record key. A feed that renamed those would otherwise be read as "every
/// athlete waiting" (or every record unknown) without a word.
pub fn missing_feed_fields(mapping: &FieldMapping, document: &SourceDocument) -> Vec<String> {
    if document.records.is_empty() {
        return Vec::new();
    }
    match document.format {
        RecordFormat::Csv | RecordFormat::Xlsx => missing_required_fields(mapping, document),
        _ => {
            let mut keys_only = mapping.clone();
            keys_only.value = None;
            keys_only.status = None;
            missing_required_fields(&keys_only, document)
        }
    }
}

/// Imports a file's bytes into a workout through a mapping; `source_name`
/// keys the ledger (normally the mapping's name).
pub fn import_bytes(
    store: &mut CompetitionFile,
    workout_id: Id,
    mapping: &FieldMapping,
    source_name: &str,
    bytes: &[u8],
    file_name: &str,
    format: Option<RecordFormat>,
) -> Result<FileImportReport, InboundError> {
    let workout = store.workout(workout_id)?;
    let (document, mapped) = read_and_map(bytes, file_name, format, mapping, &workout)?;
    let ledger = store.apply_inbound(
        &InboundSource {
            name: source_name.to_string(),
            kind: Source::File,
        },
        workout_id,
        &mapped.records,
    )?;
    Ok(FileImportReport {
        file_name: file_name.to_string(),
        format: document.format,
        encoding: document.encoding,
        records: document.records.len(),
        waiting: mapped.waiting,
        ledger,
    })
}

/// Imports a file through a saved mapping (the mapping's name keys the ledger).
pub fn import_file(
    store: &mut CompetitionFile,
    workout_id: Id,
    mapping_name: &str,
    path: &Path,
    format: Option<RecordFormat>,
) -> Result<FileImportReport, InboundError> {
    let (mapping, _) = load_mapping(store, mapping_name)?;
    let bytes = std::fs::read(path).map_err(|error| io_error(path, error))?;
    let file_name = path
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string());
    let source_name = store
        .mapping_by_name(mapping_name)?
        .map(|saved| saved.name)
        .unwrap_or_else(|| mapping_name.to_string());
    import_bytes(
        store,
        workout_id,
        &mapping,
        &source_name,
        &bytes,
        &file_name,
        format,
    )
}
