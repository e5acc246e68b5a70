//! Inbound: field mappings, mapped file imports, timing-system connections
//! with a background poller, rehearsals, the conflict inbox and the review
//! queue. Every call mirrors the CLI's `inbound_cmd` over
//! `scoretable_inbound` and the store's import ledger; no mapping or ledger
//! logic lives here.
//!
//! The pollers are the session's (`scoretable_usecase::Session`): one
//! thread per started connection on its own handle of the file, polling on
//! the connection's interval with backoff and storing the connection's
//! health; stopped and joined when asked, or when the file is closed or
//! another one opened. A poll's stored scores are handed to the session's
//! kept boards and overall tables (applied in place, not rebuilt) before
//! `scores-changed` is emitted, so the re-fetch it triggers reads them.

use std::path::{Path, PathBuf};
use std::time::Duration;

use scoretable_inbound::{load_mapping, save_mapping, FieldMapping, InboundError, RecordFormat};
use scoretable_store::InboundConnection;
use scoretable_usecase::feeds::FeedDetails;
use scoretable_usecase::mappings::{preview_source, read_input_file, read_source, Source};
use scoretable_usecase::review::ConflictDecision;
use tauri::{AppHandle, State};

use crate::commands::notify_scores_changed;
use crate::dto::{CommandError, ErrorKind};
use crate::dto_integrations::{
    ConflictView, ConnectionView, FileImportView, MappingDraft, MappingPreviewView,
    NewConnectionRequest, PreviewRowView, RehearsalView, ReviewItemView, SavedMappingView,
    SourceFieldsView, SourceRequest, SplitDraft,
};
use crate::error::CommandResult;
use crate::state::AppState;

/// How many preview rows the mapping screen shows.
const PREVIEW_ROWS: usize = 20;

/// How long one fetch for a preview may take before it counts as failed.
const FETCH_TIMEOUT: Duration = Duration::from_secs(10);

/// Turns an inbound error into the command error, naming file, row and field.
pub fn inbound_error(error: InboundError) -> CommandError {
    // Classified once in the use-case layer, as the CLI does; every bad
    // record is listed in the message.
    CommandError::from(scoretable_usecase::UseCaseError::from(error))
}

fn parse_format(word: &str) -> CommandResult<Option<RecordFormat>> {
    Ok(scoretable_usecase::feeds::parse_format_word(word)?)
}

/// Builds the inbound crate's mapping from the screen's draft through the
/// use-case layer's one conversion (the CLI's `mapping set` parses its words
/// with the same functions).
fn mapping_from_draft(draft: &MappingDraft) -> CommandResult<FieldMapping> {
    Ok(scoretable_usecase::mappings::mapping_from_form(
        &scoretable_usecase::mappings::MappingForm {
            identifier_field: draft.identifier_field.clone(),
            identifier_kind: draft.identifier_kind.clone(),
            team_field: draft.team_field.clone(),
            teammate_field: draft.teammate_field.clone(),
            value_field: draft.value_field.clone(),
            value_transform: draft.value_transform.clone(),
            status_field: draft.status_field.clone(),
            splits: draft
                .splits
                .iter()
                .map(|split| (split.field.clone(), split.timing_point.clone()))
                .collect(),
        },
    )?)
}

fn draft_from_mapping(name: &str, workout_id: i64, mapping: &FieldMapping) -> MappingDraft {
    let form = scoretable_usecase::mappings::form_from_mapping(mapping);
    MappingDraft {
        name: name.to_string(),
        workout_id,
        identifier_field: form.identifier_field,
        identifier_kind: form.identifier_kind,
        team_field: form.team_field,
        teammate_field: form.teammate_field,
        value_field: form.value_field,
        value_transform: form.value_transform,
        status_field: form.status_field,
        splits: form
            .splits
            .into_iter()
            .map(|(field, timing_point)| SplitDraft {
                field,
                timing_point,
            })
            .collect(),
    }
}

/// The source a request names: a file, or one fetch of a connection's
/// feed (with its credentials, as the CLI's `connection test`).
fn source_of(source: &SourceRequest) -> CommandResult<Source<'_>> {
    if let Some(name) = source.connection.as_deref().filter(|name| !name.is_empty()) {
        return Ok(Source::Connection {
            name,
            fetch_timeout: FETCH_TIMEOUT,
        });
    }
    if source.path.trim().is_empty() {
        return Err(CommandError::invalid(
            "source file",
            "choose a file or a connection",
        ));
    }
    Ok(Source::File {
        path: Path::new(source.path.trim()),
        format: parse_format(&source.format)?,
    })
}

fn preview_view(shown: &scoretable_inbound::Preview) -> MappingPreviewView {
    MappingPreviewView {
        source_name: shown.source_name.clone(),
        format: shown.format.word().to_string(),
        field_names: shown.field_names.clone(),
        missing_fields: shown.missing_fields.clone(),
        total_records: shown.total_records as i64,
        ready: shown.ready as i64,
        waiting: shown.waiting as i64,
        invalid: shown.invalid as i64,
        rows: shown
            .rows
            .iter()
            .map(|row| PreviewRowView {
                index: row.index as i64,
                state: row.state.into(),
                identifier: row.identifier.clone(),
                team: row.team.clone(),
                teammate: row.teammate.clone(),
                display: row.display.clone(),
                splits: row
                    .splits
                    .iter()
                    .map(|(point, time)| format!("{point}: {time}"))
                    .collect(),
                problems: row
                    .problems
                    .iter()
                    .map(|problem| format!("{}: {}", problem.field, problem.message))
                    .collect(),
            })
            .collect(),
    }
}

fn connection_view(connection: &InboundConnection, polling: bool) -> ConnectionView {
    let status = &connection.status;
    ConnectionView {
        name: connection.name.clone(),
        url: connection.url.clone(),
        workout_id: connection.workout_id,
        mapping_name: connection.mapping_name.clone(),
        format: connection.format.clone(),
        interval_ms: connection.interval_ms as i64,
        enabled: connection.enabled,
        state: status.state.into(),
        message: status.message.clone(),
        consecutive_failures: i64::from(status.consecutive_failures),
        last_success_at: status.last_success_at.clone(),
        next_attempt_at: status.next_attempt_at.clone(),
        polling,
        provisional_teams: status
            .last_report
            .as_ref()
            .and_then(|report| report.get("provisional_teams"))
            .and_then(|teams| serde_json::from_value::<Vec<String>>(teams.clone()).ok())
            .unwrap_or_default(),
    }
}

/// The fields of a file or feed, before anything is mapped.
#[tauri::command]
pub async fn read_source_fields(
    state: State<'_, AppState>,
    source: SourceRequest,
) -> CommandResult<SourceFieldsView> {
    state
        .run(move |session| {
            let document = read_source(session.file()?, &source_of(&source)?)?;
            Ok(SourceFieldsView {
                source_name: document.source_name.clone(),
                format: document.format.word().to_string(),
                field_names: document.field_names.clone(),
                total_records: document.records.len() as i64,
            })
        })
        .await
}

/// The first rows of the source as `draft` will import them, with per-row errors.
#[tauri::command]
pub async fn preview_mapping(
    state: State<'_, AppState>,
    draft: MappingDraft,
    source: SourceRequest,
) -> CommandResult<MappingPreviewView> {
    state
        .run(move |session| {
            let mapping = mapping_from_draft(&draft)?;
            Ok(preview_view(&preview_source(
                session.file()?,
                draft.workout_id,
                &mapping,
                &source_of(&source)?,
                PREVIEW_ROWS,
            )?))
        })
        .await
}

/// Saves `draft` under its name for its workout (connections use it by name).
#[tauri::command]
pub async fn save_field_mapping(
    state: State<'_, AppState>,
    draft: MappingDraft,
) -> CommandResult<SavedMappingView> {
    state
        .run(move |session| {
            let name = draft.name.trim().to_string();
            if name.is_empty() {
                return Err(CommandError::invalid("mapping name", "it is empty"));
            }
            let mapping = mapping_from_draft(&draft)?;
            let file = session.file_mut()?;
            save_mapping(file, &name, Some(draft.workout_id), &mapping).map_err(inbound_error)?;
            let saved = file.mapping_by_name(&name)?.ok_or_else(|| {
                CommandError::new(ErrorKind::NotFound, format!("Mapping {name} was not saved"))
            })?;
            Ok(SavedMappingView {
                name: name.clone(),
                workout_id: saved.workout_id,
                updated_at: saved.updated_at,
                draft: draft_from_mapping(&name, draft.workout_id, &mapping),
            })
        })
        .await
}

/// Every saved mapping, as drafts the screen can edit.
#[tauri::command]
pub async fn list_field_mappings(
    state: State<'_, AppState>,
) -> CommandResult<Vec<SavedMappingView>> {
    state
        .run(move |session| {
            let file = session.file()?;
            let mut views = Vec::new();
            for saved in file.mappings()? {
                let (mapping, workout_id) =
                    load_mapping(file, &saved.name).map_err(inbound_error)?;
                views.push(SavedMappingView {
                    draft: draft_from_mapping(&saved.name, workout_id.unwrap_or(0), &mapping),
                    name: saved.name,
                    workout_id,
                    updated_at: saved.updated_at,
                });
            }
            Ok(views)
        })
        .await
}

/// Imports a file through a saved mapping into its workout.
#[tauri::command]
pub async fn import_mapped_file(
    app: AppHandle,
    state: State<'_, AppState>,
    workout_id: i64,
    mapping_name: String,
    source: SourceRequest,
) -> CommandResult<FileImportView> {
    let view = state
        .run(move |session| {
            let path = PathBuf::from(source.path.trim());
            let format = parse_format(&source.format)?;
            let file = session.file_mut()?;
            let report = scoretable_inbound::import_file(
                file,
                workout_id,
                mapping_name.trim(),
                &path,
                format,
            )
            .map_err(inbound_error)?;
            let ledger = &report.ledger;
            Ok(FileImportView {
                file_name: report.file_name.clone(),
                format: report.format.word().to_string(),
                records: report.records as i64,
                waiting: report.waiting as i64,
                imported: ledger.imported as i64,
                already_imported: ledger.unchanged as i64,
                matched: ledger.matched as i64,
                new_conflicts: ledger.new_conflicts as i64,
                unknown: ledger.unknown as i64,
                ignored: ledger.ignored as i64,
                provisional_teams: ledger
                    .team_progress
                    .iter()
                    .filter(|team| team.provisional)
                    .map(|team| format!("{} ({}/{})", team.name, team.members_scored, team.needed))
                    .collect(),
            })
        })
        .await?;
    notify_scores_changed(&app);
    Ok(view)
}

/// Connections with their health and whether this window polls them.
#[tauri::command]
pub async fn list_connections(state: State<'_, AppState>) -> CommandResult<Vec<ConnectionView>> {
    state
        .run(move |session| {
            Ok(session
                .file()?
                .connections()?
                .iter()
                .map(|connection| connection_view(connection, session.is_polling(&connection.name)))
                .collect())
        })
        .await
}

/// Adds a polled connection (the mapping must be saved first).
#[tauri::command]
pub async fn add_connection(
    state: State<'_, AppState>,
    request: NewConnectionRequest,
) -> CommandResult<ConnectionView> {
    state
        .run(move |session| {
            let format = parse_format(&request.format)?.unwrap_or(RecordFormat::Json);
            let connection = scoretable_usecase::feeds::add_connection(
                session.file_mut()?,
                &FeedDetails {
                    name: &request.name,
                    url: &request.url,
                    workout_id: request.workout_id,
                    mapping_name: &request.mapping_name,
                    format,
                    // A negative interval is refused as too short.
                    interval_ms: request.interval_ms.max(0) as u64,
                    auth_env: None,
                },
            )?;
            let polling = session.is_polling(&connection.name);
            Ok(connection_view(&connection, polling))
        })
        .await
}

/// Starts this window's background poller for a connection: a thread of
/// the session (on its own handle of the file) that stops when the file is
/// closed or another one opened; a poll that stores scores tells every
/// window (`scores-changed`).
#[tauri::command]
pub async fn start_polling(state: State<'_, AppState>, name: String) -> CommandResult<()> {
    state
        .run(move |session| {
            session.start_polling(&name)?;
            Ok(())
        })
        .await
}

/// Stops this window's background poller for a connection.
#[tauri::command]
pub async fn stop_polling(state: State<'_, AppState>, name: String) -> CommandResult<()> {
    state
        .run(move |session| {
            session.stop_polling(&name);
            Ok(())
        })
        .await
}

/// Replays a recorded feed through the connection's mapping into a scratch copy.
#[tauri::command]
pub async fn rehearse_connection(
    state: State<'_, AppState>,
    connection: String,
    recording_path: String,
) -> CommandResult<RehearsalView> {
    state
        .run(move |session| {
            let recording = read_input_file(Path::new(recording_path.trim()))?;
            let report = scoretable_usecase::inbound::rehearse_connection(
                session.file_mut()?,
                &connection,
                None,
                None,
                &recording,
            )?;
            Ok(RehearsalView {
                payloads: report.payloads as i64,
                failed_payloads: report.failed_payloads as i64,
                imported: report.imported as i64,
                skipped: report.skipped as i64,
                new_conflicts: report.new_conflicts as i64,
                unknown: report.unknown as i64,
                invalid: report.invalid as i64,
                steps: report
                    .steps
                    .iter()
                    .map(|step| match (&step.summary, &step.error) {
                        (Some(summary), _) => format!(
                            "Payload {}: {} records, {} imported, {} conflicts, {} unknown, {} invalid",
                            step.payload,
                            summary.records,
                            summary.imported,
                            summary.new_conflicts,
                            summary.unknown,
                            summary.invalid
                        ),
                        (None, error) => format!(
                            "Payload {}: unusable: {}",
                            step.payload,
                            error.as_deref().unwrap_or("")
                        ),
                    })
                    .collect(),
            })
        })
        .await
}

/// Open conflicts: source values that differ from what was imported.
#[tauri::command]
pub async fn list_conflicts(state: State<'_, AppState>) -> CommandResult<Vec<ConflictView>> {
    state
        .run(move |session| {
            Ok(session
                .file()?
                .inbound_conflicts(true)?
                .into_iter()
                .map(|conflict| ConflictView {
                    id: conflict.id,
                    source_name: conflict.source_name,
                    workout_id: conflict.workout_id,
                    entrant: conflict.entrant_label,
                    imported: conflict.ledger_value.text,
                    incoming: conflict.incoming_value.text,
                    times_seen: conflict.times_seen as i64,
                    detected_at: conflict.detected_at,
                })
                .collect())
        })
        .await
}

/// Accepts a conflict as an amendment (with a reason) or dismisses it.
#[tauri::command]
pub async fn resolve_conflict(
    app: AppHandle,
    state: State<'_, AppState>,
    id: i64,
    accept: bool,
    reason: String,
) -> CommandResult<()> {
    state
        .run(move |session| {
            let decision = if accept {
                ConflictDecision::Accept {
                    reason: &reason,
                    appeal: None,
                }
            } else {
                ConflictDecision::Dismiss { note: &reason }
            };
            session.resolve_conflict(id, decision)?;
            Ok(())
        })
        .await?;
    notify_scores_changed(&app);
    Ok(())
}

/// Open review items: records whose participant is unknown.
#[tauri::command]
pub async fn list_review_items(state: State<'_, AppState>) -> CommandResult<Vec<ReviewItemView>> {
    state
        .run(move |session| {
            Ok(session
                .file()?
                .review_items(true)?
                .into_iter()
                .map(|item| ReviewItemView {
                    id: item.id,
                    source_name: item.source_name,
                    workout_id: item.workout_id,
                    identifier: format!(
                        "{} {}",
                        item.identifier.kind.word(),
                        item.identifier.value
                    ),
                    value: item.record.value.text,
                    reason: item.reason,
                    times_seen: item.times_seen as i64,
                })
                .collect())
        })
        .await
}

/// Assigns an unknown record to the entrant with `bib`, importing it.
#[tauri::command]
pub async fn assign_review_item(
    app: AppHandle,
    state: State<'_, AppState>,
    id: i64,
    bib: String,
) -> CommandResult<()> {
    state
        .run(move |session| {
            session.assign_review(id, &bib)?;
            Ok(())
        })
        .await?;
    notify_scores_changed(&app);
    Ok(())
}

/// Ignores an unknown record from now on.
#[tauri::command]
pub async fn dismiss_review_item(state: State<'_, AppState>, id: i64) -> CommandResult<()> {
    state
        .run(move |session| {
            session.dismiss_review(id)?;
            Ok(())
        })
        .await
}
