//! The header's status strip: sync targets, polled feeds and the last
//! backup, in plain words, pushed to every window.
//!
//! [`app_status`] answers once (when a window opens); after that the
//! status watcher thread ([`start_status_watcher`]) looks every
//! [`WATCH_ROUND`] at the file's change stamp (one pragma) and recomputes the
//! view when the stamp moved (the sync worker, pollers and score entry all
//! write through the file) or every [`FULL_EVERY`] rounds (poller threads
//! starting or stopping and backup files are outside the database). It emits
//! `status-changed` with the new view only when it differs from the last one
//! sent, so the window needs no timers. The words come from the use-case
//! crate's `status` module; this module only watches and sends them.

use std::time::Duration;

use tauri::{AppHandle, Emitter, Manager, State};

use crate::dto_status::StatusView;
use crate::error::CommandResult;
use crate::state::{AppState, Session};

/// How often the watcher looks for a change.
const WATCH_ROUND: Duration = Duration::from_secs(1);

/// Recompute at least this often (in rounds) even when the file did not change.
const FULL_EVERY: u32 = 5;

/// The event carrying a new [`StatusView`].
pub const STATUS_EVENT: &str = "status-changed";

/// The whole strip for the session's open file, worded by the use-case
/// crate ([`scoretable_usecase::status`]).
pub fn status_view(session: &Session) -> CommandResult<StatusView> {
    let file = session.file()?;
    Ok(scoretable_usecase::status::status_view(file, &|feed| {
        session.is_polling(feed)
    })?)
}

/// The status strip now (the window asks once; later views arrive as events).
#[tauri::command]
pub async fn app_status(state: State<'_, AppState>) -> CommandResult<StatusView> {
    state.run(move |session| status_view(session)).await
}

/// Starts the thread that pushes `status-changed` whenever the strip changes.
pub fn start_status_watcher(app: &AppHandle) {
    let app = app.clone();
    let spawned = std::thread::Builder::new()
        .name("status watcher".into())
        .spawn(move || {
            let mut last: Option<StatusView> = None;
            let mut last_stamp = None;
            let mut round: u32 = 0;
            loop {
                round = round.wrapping_add(1);
                let state = app.state::<AppState>();
                let full = round.is_multiple_of(FULL_EVERY);
                let computed = state.run_now(|session| match session.open_file() {
                    Some(file) => {
                        let stamp = file.change_stamp().ok();
                        if !full && stamp.is_some() && stamp == last_stamp && last.is_some() {
                            return Ok(None);
                        }
                        last_stamp = stamp;
                        status_view(session).map(|view| Some(Some(view)))
                    }
                    None => {
                        last_stamp = None;
                        Ok(Some(None))
                    }
                });
                let current = match computed {
                    // Nothing moved since the last look.
                    Ok(None) => {
                        std::thread::sleep(WATCH_ROUND);
                        continue;
                    }
                    Ok(Some(view)) => view,
                    Err(error) => {
                        eprintln!("scoretable: status: {}", error.message);
                        None
                    }
                };
                if let Some(view) = current.as_ref() {
                    if last.as_ref() != Some(view) {
                        for target in view.targets.iter().filter(|target| target.detail.is_some()) {
                            eprintln!(
                                "scoretable: sync {}: {}",
                                target.name,
                                target.detail.as_deref().unwrap_or_default()
                            );
                        }
                        let _ = app.emit(STATUS_EVENT, view);
                    }
                }
                last = current;
                std::thread::sleep(WATCH_ROUND);
            }
        });
    if let Err(error) = spawned {
        eprintln!("scoretable: could not start the status watcher: {error}");
    }
}

/// The competition-day log: its folder, today's file and today's newest
/// lines (the Sync and Mapping screens link to it).
#[tauri::command]
pub async fn day_log(app: AppHandle) -> CommandResult<crate::dto_status::DayLogView> {
    let folder = app.path().app_log_dir()?;
    tauri::async_runtime::spawn_blocking(move || {
        let lines = crate::logging::newest_lines(&folder, 40)
            .into_iter()
            .map(|(at, level, text)| crate::dto_status::DayLogLine { at, level, text })
            .collect();
        Ok(crate::dto_status::DayLogView {
            today: crate::logging::today_file(&folder).display().to_string(),
            folder: folder.display().to_string(),
            lines,
        })
    })
    .await?
}
