//! Inbound workflows both shells run: the rehearsal of a recorded feed, and
//! the one classification of inbound errors (every bad record named with its
//! source, record and field).

use scoretable_core::model::Id;
use scoretable_inbound::{load_mapping, rehearse, InboundError, RecordFormat, RehearsalReport};
use scoretable_store::CompetitionFile;

use crate::error::{ErrorClass, Problem, UseCaseError, UseCaseResult};

impl From<InboundError> for UseCaseError {
    fn from(error: InboundError) -> UseCaseError {
        let message = error.to_string();
        let invalid = |problems: Vec<Problem>| UseCaseError {
            class: ErrorClass::Invalid,
            message: message.clone(),
            field: None,
            problems,
        };
        match error {
            InboundError::Store(error) => UseCaseError::from(error),
            InboundError::Read(ref read) => invalid(vec![Problem {
                file: Some(read.source_name.clone()),
                row: read.record,
                field: read.field.clone(),
                message: read.message.clone(),
            }]),
            InboundError::Records {
                ref problems, more, ..
            } => {
                let mut listed: Vec<Problem> = problems
                    .iter()
                    .map(|problem| Problem {
                        file: Some(problem.source_name.clone()),
                        row: Some(problem.record),
                        field: Some(problem.field.clone()),
                        message: problem.message.clone(),
                    })
                    .collect();
                if more > 0 {
                    listed.push(Problem {
                        file: None,
                        row: None,
                        field: None,
                        message: format!("... and {more} more"),
                    });
                }
                invalid(listed)
            }
            InboundError::MissingFields {
                ref source_name,
                ref missing,
                ..
            } => invalid(
                missing
                    .iter()
                    .map(|field| Problem {
                        file: Some(source_name.clone()),
                        row: None,
                        field: Some(field.clone()),
                        message: "the mapping reads this field; the file does not have it".into(),
                    })
                    .collect(),
            ),
            InboundError::DuplicateRecord {
                ref source_name,
                first,
                second,
                ..
            } => invalid(
                [first, second]
                    .into_iter()
                    .map(|row| Problem {
                        file: Some(source_name.clone()),
                        row: Some(row),
                        field: None,
                        message: "carries the same record as another row".into(),
                    })
                    .collect(),
            ),
            InboundError::Mapping(_) | InboundError::NoRecords { .. } => invalid(Vec::new()),
            InboundError::DamagedMapping { .. } => UseCaseError::new(ErrorClass::Internal, message),
            InboundError::Fetch { .. } | InboundError::Io { .. } | InboundError::Stopped => {
                UseCaseError::new(ErrorClass::Io, message)
            }
        }
    }
}

/// Replays a recorded feed through a connection's mapping into a scratch
/// copy of the file (the real results are untouched). `workout` and
/// `mapping` override the connection's own.
pub fn rehearse_connection(
    file: &mut CompetitionFile,
    connection_name: &str,
    workout: Option<Id>,
    mapping: Option<&str>,
    recording: &[u8],
) -> UseCaseResult<RehearsalReport> {
    let connection = file.connection_by_name(connection_name.trim())?;
    let mapping_name = mapping.unwrap_or(&connection.mapping_name);
    let (mapping, _) = load_mapping(file, mapping_name)?;
    Ok(rehearse(
        file,
        &connection.name,
        workout.unwrap_or(connection.workout_id),
        &mapping,
        RecordFormat::from_word(&connection.format),
        recording,
    )?)
}
