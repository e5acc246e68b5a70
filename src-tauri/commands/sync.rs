//! Outbound sync: per-target status, "sync now", the preview of what would
//! change on a platform, adding a target with its secret, and the background
//! sync worker. Every call mirrors the CLI's `sync_cmd` over
//! `scoretable_sync`; no network code lives here.
//!
//! The background worker is the session's (`scoretable_usecase::Session`
//! starts the sync crate's `SyncWorker` with each writable file and stops
//! and joins it when the file is closed or another one opened). It drains
//! every target whenever something is queued and never sleeps through
//! backoff: a target whose platform is unreachable keeps its rows queued and
//! its backoff deadline stored, and the first round after the deadline tries
//! again, so the outbox drains by itself once connectivity returns.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use scoretable_store::{CompetitionFile, TargetWorkout};
use scoretable_sync::{
    DrainOptions, Registry, SecretStore, SettingChoice, SettingValue, SyncError, TargetSpec,
    TargetStatus,
};
use scoretable_usecase::sync_targets::{drain_outbox, DrainPlan};
use serde_json::Value;
use tauri::State;

use crate::dto::{CommandError, ErrorKind};
use crate::dto_integrations::{
    AddedTargetView, DrainView, NewSyncTargetRequest, RejectionView, SettingChoiceView,
    SettingView, SyncChangeView, SyncPlatformView, SyncPreviewView, SyncTargetView,
};
use crate::error::CommandResult;
use crate::state::AppState;

/// How long one drain may run before it yields (rows stay queued).
const DRAIN_BUDGET: Duration = Duration::from_secs(20);

/// How many changes the preview lists.
const PREVIEW_LIMIT: usize = 50;

/// A sync error, classified once in the use-case layer (as the CLI does).
fn sync_error(error: SyncError) -> CommandError {
    CommandError::from(scoretable_usecase::UseCaseError::from(error))
}

fn target_view(status: TargetStatus) -> SyncTargetView {
    SyncTargetView {
        name: status.name,
        platform: status.platform,
        endpoint: status.endpoint,
        enabled: status.enabled,
        queued: status.queued as i64,
        in_flight: status.in_flight as i64,
        acknowledged: status.acked as i64,
        rejected: status.rejected as i64,
        last_success_at: status.last_success_at,
        last_error: status.last_error,
        last_error_at: status.last_error_at,
        next_attempt_at: status.next_attempt_at,
        consecutive_failures: i64::from(status.consecutive_failures),
        rejections: status
            .recent_rejections
            .into_iter()
            .map(|item| RejectionView {
                entity: item.entity,
                message: item.last_error.unwrap_or_default(),
            })
            .collect(),
        duplicates: status.duplicates,
        secret_stored_in: None,
    }
}

fn drain_options(wait_for_backoff: bool) -> DrainOptions {
    DrainOptions {
        wait_for_backoff,
        deadline: Some(Instant::now() + DRAIN_BUDGET),
        request_timeout: Duration::from_secs(10),
        ..DrainOptions::default()
    }
}

fn drain_view(report: scoretable_sync::DrainReport) -> DrainView {
    DrainView {
        target: report.target,
        acknowledged: report.acked as i64,
        rejected: report.rejected as i64,
        retried: report.retried as i64,
        drained: report.drained,
        last_error: report.last_error,
    }
}

/// Per target: queued, in flight, acknowledged, rejected, last success and errors.
#[tauri::command]
pub async fn sync_targets_status(state: State<'_, AppState>) -> CommandResult<Vec<SyncTargetView>> {
    state
        .run(move |session| {
            let file = session.file()?;
            let references: std::collections::HashMap<String, String> = file
                .sync_targets()?
                .into_iter()
                .map(|target| (target.name, target.secret_ref))
                .collect();
            let secrets = SecretStore::default();
            Ok(scoretable_sync::sync_status(file)
                .map_err(sync_error)?
                .into_iter()
                .map(|status| {
                    // Where the secret is kept, never the secret.
                    let stored_in = references
                        .get(&status.name)
                        .and_then(|reference| secrets.locate(&status.name, reference).ok())
                        .flatten()
                        .map(|backend| backend.to_string());
                    let mut view = target_view(status);
                    view.secret_stored_in = stored_in;
                    view
                })
                .collect())
        })
        .await
}

/// The path of the open competition, for work on a separate handle.
async fn open_competition_path(state: &AppState) -> CommandResult<PathBuf> {
    state
        .run(|session| Ok(session.file()?.path().to_path_buf()))
        .await
}

/// Drains one target now, on a separate handle so the window stays usable
/// while requests are in flight.
#[tauri::command]
pub async fn sync_now(state: State<'_, AppState>, target: String) -> CommandResult<DrainView> {
    let path = open_competition_path(&state).await?;
    tauri::async_runtime::spawn_blocking(move || {
        let mut file = CompetitionFile::open(&path)?;
        let reports = drain_outbox(
            &mut file,
            &DrainPlan {
                target: Some(target.trim()),
                watch_until: None,
                // "Sync now" still honours the platform's Retry-After and
                // the backoff: it waits for them (within the drain budget)
                // instead of returning at once.
                options: &drain_options(true),
                secrets: &SecretStore::default(),
            },
        )?;
        file.close()?;
        reports
            .into_iter()
            .next()
            .map(drain_view)
            .ok_or_else(|| CommandError::new(ErrorKind::NotFound, "No such target"))
    })
    .await?
}

/// Queues the target's rejected rows again (after a fix), or only the row
/// of `entity` (as the card lists it); returns how many.
#[tauri::command]
pub async fn retry_rejected(
    state: State<'_, AppState>,
    target: String,
    entity: Option<String>,
) -> CommandResult<i64> {
    state
        .run(move |session| {
            let queued = scoretable_sync::retry_rejected(
                session.file_mut()?,
                target.trim(),
                entity.as_deref().map(str::trim),
            )
            .map_err(sync_error)?;
            Ok(queued as i64)
        })
        .await
}

/// What the next sync would change on the target's platform; sends nothing.
#[tauri::command]
pub async fn preview_sync(
    state: State<'_, AppState>,
    target: String,
) -> CommandResult<SyncPreviewView> {
    state
        .run(move |session| {
            let preview =
                scoretable_sync::preview_target(session.file()?, target.trim(), PREVIEW_LIMIT)
                    .map_err(sync_error)?;
            Ok(SyncPreviewView {
                target: target.trim().to_string(),
                changes: preview
                    .changes
                    .into_iter()
                    .map(|change| SyncChangeView {
                        entity: change.entity,
                        action: change.action,
                        before: change.before.as_ref().map(Value::to_string),
                        after: change.after.as_ref().map(Value::to_string),
                        note: change.note,
                    })
                    .collect(),
                requests: preview
                    .requests
                    .iter()
                    .map(|request| format!("{} {}", request.method, request.url))
                    .collect(),
            })
        })
        .await
}

/// The platforms this build can sync to, each with every setting its
/// adapter reads and checks (the add-target form is built from these).
#[tauri::command]
pub fn sync_platforms() -> Vec<SyncPlatformView> {
    Registry::builtin()
        .platforms()
        .into_iter()
        .map(|platform| SyncPlatformView {
            code: platform.code,
            name: platform.name,
            remote_id_label: platform.remote_id_label,
            secret_hint: platform.secret_hint,
            settings: platform
                .settings
                .into_iter()
                .map(|setting| SettingView {
                    key: setting.key,
                    label: setting.label,
                    help: setting.help,
                    kind: serde_json::to_value(setting.kind)
                        .ok()
                        .and_then(|kind| kind.as_str().map(str::to_string))
                        .unwrap_or_default(),
                    required: setting.required,
                    default: setting.default,
                    choices: setting.choices.into_iter().map(choice_view).collect(),
                    keys: setting.keys.into_iter().map(choice_view).collect(),
                })
                .collect(),
        })
        .collect()
}

fn choice_view(choice: SettingChoice) -> SettingChoiceView {
    SettingChoiceView {
        value: choice.value,
        label: choice.label,
    }
}

/// Adds a target; its secret goes to the OS keyring (or the documented
/// fallback) through the sync crate and is never sent back to the window.
#[tauri::command]
pub async fn add_sync_target(
    state: State<'_, AppState>,
    request: NewSyncTargetRequest,
) -> CommandResult<AddedTargetView> {
    state
        .run(move |session| {
            let values: Vec<SettingValue> = request
                .settings
                .iter()
                .map(|setting| SettingValue {
                    key: setting.key.clone(),
                    value: setting.value.clone(),
                    entries: setting
                        .entries
                        .iter()
                        .map(|entry| (entry.key.clone(), entry.value.clone()))
                        .collect(),
                })
                .collect();
            let config = Registry::builtin()
                .config_from_settings(&request.name, &request.platform, &values)
                .map_err(sync_error)?;
            let file = session.file_mut()?;
            let spec = TargetSpec {
                name: request.name.trim().to_string(),
                platform: request.platform.trim().to_string(),
                endpoint: request.endpoint.trim().to_string(),
                config,
                workouts: request
                    .workouts
                    .iter()
                    .map(|workout| TargetWorkout {
                        workout_id: workout.workout_id,
                        remote_id: workout.remote_id.trim().to_string(),
                    })
                    .collect(),
            };
            let added = scoretable_usecase::sync_targets::add_sync_target(
                file,
                &spec,
                Some(&request.secret),
                &SecretStore::default(),
            )?;
            let (target, secret_backend) = (added.target, added.secret_backend.unwrap_or_default());
            let status = scoretable_sync::sync_status(file)
                .map_err(sync_error)?
                .into_iter()
                .find(|status| status.name == target.name)
                .ok_or_else(|| {
                    CommandError::new(ErrorKind::NotFound, "The new target was not stored")
                })?;
            Ok(AddedTargetView {
                target: target_view(status),
                secret_backend,
            })
        })
        .await
}
