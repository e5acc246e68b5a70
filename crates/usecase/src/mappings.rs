//! Field-mapping previews both shells run: the records of a file or of one
//! fetch of a saved connection's feed (with the connection's credentials:
//! the app's preview fetched without them before), and the first rows as a
//! mapping would import them, each with its problems; and the one
//! conversion between a mapping as a form edits it ([`MappingForm`]) and the
//! inbound crate's [`FieldMapping`].

use std::path::Path;
use std::time::Duration;

use scoretable_core::model::Id;
use scoretable_inbound::{
    fetch_connection_document, load_mapping, preview, read_document, FieldMapping, HttpFetcher,
    IdentifierField, Preview, RecordFormat, SourceDocument, SplitField, StatusField, ValueField,
    ValueTransform,
};
use scoretable_store::CompetitionFile;
use scoretable_store::IdentifierKind;

use crate::error::{ErrorClass, UseCaseError, UseCaseResult};

/// Where the records of a preview come from.
#[derive(Debug, Clone, Copy)]
pub enum Source<'a> {
    /// A file; `format` `None` detects it.
    File {
        path: &'a Path,
        format: Option<RecordFormat>,
    },
    /// One fetch of a saved connection's feed, with its credentials.
    Connection {
        name: &'a str,
        fetch_timeout: Duration,
    },
}

/// The file's name as messages show it.
pub fn file_label(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |name| name.to_string_lossy().into_owned(),
    )
}

/// Reads a file other than the competition file, naming it on failure.
pub fn read_input_file(path: &Path) -> UseCaseResult<Vec<u8>> {
    std::fs::read(path).map_err(|error| {
        UseCaseError::new(
            ErrorClass::Io,
            format!("Cannot read {}: {error}", path.display()),
        )
    })
}

/// The records of `source`.
pub fn read_source(file: &CompetitionFile, source: &Source<'_>) -> UseCaseResult<SourceDocument> {
    match *source {
        Source::File { path, format } => {
            let bytes = read_input_file(path)?;
            Ok(read_document(&bytes, &file_label(path), format)
                .map_err(scoretable_inbound::InboundError::from)?)
        }
        Source::Connection {
            name,
            fetch_timeout,
        } => {
            let mut fetcher = HttpFetcher::new(fetch_timeout)
                .map_err(|error| UseCaseError::new(ErrorClass::Io, error.to_string()))?;
            Ok(fetch_connection_document(file, name.trim(), &mut fetcher)?)
        }
    }
}

/// The first `rows` records of `source` as `mapping` would import them
/// into `workout_id`, with per-row problems; nothing is stored.
pub fn preview_source(
    file: &CompetitionFile,
    workout_id: Id,
    mapping: &FieldMapping,
    source: &Source<'_>,
    rows: usize,
) -> UseCaseResult<Preview> {
    let workout = file.workout(workout_id)?;
    let document = read_source(file, source)?;
    Ok(preview(mapping, &workout, &document, rows))
}

/// [`preview_source`] through the saved mapping `name`, into the workout it
/// is bound to (a mapping bound to none is refused on the `mapping` field).
pub fn preview_saved(
    file: &CompetitionFile,
    name: &str,
    source: &Source<'_>,
    rows: usize,
) -> UseCaseResult<Preview> {
    let (mapping, workout_id) = load_mapping(file, name)?;
    let workout_id = workout_id.ok_or_else(|| {
        UseCaseError::invalid(
            "mapping",
            format!("mapping {name:?} is not bound to a workout"),
        )
    })?;
    preview_source(file, workout_id, &mapping, source, rows)
}

/// A field mapping as the app's mapping screen edits it and as both shells
/// show it: field names and words, not the inbound crate's types. Both
/// shells convert through [`mapping_from_form`] / [`form_from_mapping`]
/// (the app from its screen's draft; the CLI's `mapping set` parses its
/// flags' words with [`parse_identifier_kind`] / [`parse_value_transform`]).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MappingForm {
    /// The source field identifying the entrant.
    pub identifier_field: String,
    /// What the identifier holds: bib, chip, feed_participant_id, ...
    pub identifier_kind: String,
    /// The field naming a member's team.
    pub team_field: Option<String>,
    /// The teammate id field (matched by the member's participant id).
    pub teammate_field: Option<String>,
    /// The result field.
    pub value_field: Option<String>,
    /// as_is, seconds or milliseconds.
    pub value_transform: String,
    pub status_field: Option<String>,
    /// (source field, timing point) per split.
    pub splits: Vec<(String, String)>,
}

/// An identifier kind's word, or an error listing the known ones.
pub fn parse_identifier_kind(word: &str) -> UseCaseResult<IdentifierKind> {
    IdentifierKind::from_word(word.trim()).ok_or_else(|| {
        let known: Vec<&str> = IdentifierKind::ALL.iter().map(|kind| kind.word()).collect();
        UseCaseError::invalid(
            "identifier kind",
            format!(
                "unknown identifier kind {word:?}; expected one of {}",
                known.join(", ")
            ),
        )
    })
}

/// A value transform's word (as_is, seconds, milliseconds).
pub fn parse_value_transform(word: &str) -> UseCaseResult<ValueTransform> {
    ValueTransform::from_word(word.trim()).ok_or_else(|| {
        UseCaseError::invalid(
            "value transform",
            format!("unknown transform {word:?}; expected as_is, seconds or milliseconds"),
        )
    })
}

/// The word of a value transform, as [`parse_value_transform`] reads it.
pub fn transform_word(transform: ValueTransform) -> &'static str {
    match transform {
        ValueTransform::AsIs => "as_is",
        ValueTransform::Seconds => "seconds",
        ValueTransform::Milliseconds => "milliseconds",
    }
}

fn optional_field(field: &Option<String>) -> Option<String> {
    field
        .as_deref()
        .map(str::trim)
        .filter(|field| !field.is_empty())
        .map(str::to_string)
}

/// The inbound crate's mapping of a form: blank optional fields and splits
/// without a field are left out; the team field names teams by name and the
/// teammate field members by participant id.
pub fn mapping_from_form(form: &MappingForm) -> UseCaseResult<FieldMapping> {
    let identifier_field = form.identifier_field.trim();
    if identifier_field.is_empty() {
        return Err(UseCaseError::invalid(
            "participant field",
            "choose the source field that identifies the entrant",
        ));
    }
    let kind = parse_identifier_kind(&form.identifier_kind)?;
    let transform = parse_value_transform(&form.value_transform)?;
    Ok(FieldMapping {
        identifier: IdentifierField {
            field: identifier_field.to_string(),
            kind,
        },
        team: optional_field(&form.team_field).map(|field| IdentifierField {
            field,
            kind: IdentifierKind::TeamName,
        }),
        teammate: optional_field(&form.teammate_field).map(|field| IdentifierField {
            field,
            kind: IdentifierKind::FeedParticipantId,
        }),
        value: optional_field(&form.value_field).map(|field| ValueField { field, transform }),
        status: optional_field(&form.status_field).map(|field| StatusField {
            field,
            values: Default::default(),
        }),
        tie_break: None,
        penalty: None,
        incidents: None,
        splits: form
            .splits
            .iter()
            .filter(|(field, _)| !field.trim().is_empty())
            .map(|(field, timing_point)| SplitField {
                field: field.trim().to_string(),
                timing_point: timing_point.trim().to_string(),
                transform: ValueTransform::AsIs,
            })
            .collect(),
        record_key: None,
    })
}

/// The form showing a mapping (the parts a form edits).
pub fn form_from_mapping(mapping: &FieldMapping) -> MappingForm {
    MappingForm {
        identifier_field: mapping.identifier.field.clone(),
        identifier_kind: mapping.identifier.kind.word().to_string(),
        team_field: mapping.team.as_ref().map(|team| team.field.clone()),
        teammate_field: mapping
            .teammate
            .as_ref()
            .map(|teammate| teammate.field.clone()),
        value_field: mapping.value.as_ref().map(|value| value.field.clone()),
        value_transform: transform_word(
            mapping
                .value
                .as_ref()
                .map_or(ValueTransform::AsIs, |value| value.transform),
        )
        .to_string(),
        status_field: mapping.status.as_ref().map(|status| status.field.clone()),
        splits: mapping
            .splits
            .iter()
            .map(|split| (split.field.clone(), split.timing_point.clone()))
            .collect(),
    }
}
