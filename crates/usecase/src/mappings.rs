//! Field-mapping previews both shells run: the records of a file or of one
//! fetch of a saved connection's feed (with the connection's credentials:
//! the app's preview fetched without them before), and the first rows as a
//! mapping would import them, each with its problems.

use std::path::Path;
use std::time::Duration;

use scoretable_core::model::Id;
use scoretable_inbound::{
    fetch_connection_document, load_mapping, preview, read_document, FieldMapping, HttpFetcher,
    Preview, RecordFormat, SourceDocument,
};
use scoretable_store::CompetitionFile;

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
