//! Keyboard score entry: store a typed score (with its tie-break time when
//! the workout has one), undo the last one typed at this table, and list
//! recent entries. Each score is parsed by the core and committed by the
//! store (WAL, `synchronous=FULL`) before the command returns, so a
//! confirmed entry survives a crash.
//!
//! Undo reaches only entries typed at this table since the file was opened
//! (the session's `typed_entries`): a table never undoes another table's or
//! an importer's score, and after reopening the file there is nothing to
//! undo; earlier scores are changed on the Amendments screen.

use scoretable_usecase::scores::{enter_score_by_bib, TypedScore};
use tauri::{AppHandle, State};

use crate::commands::notify_scores_changed;
use crate::dto::{EnterScoreRequest, EntryView};
use crate::error::CommandResult;
use crate::state::AppState;

/// Who the audit trail names for entries typed at this table.
pub fn table_operator() -> String {
    match std::env::var("USER").or_else(|_| std::env::var("USERNAME")) {
        Ok(user) if !user.trim().is_empty() => format!("score table ({})", user.trim()),
        _ => "score table".to_string(),
    }
}

#[tauri::command]
pub async fn enter_score(
    app: AppHandle,
    state: State<'_, AppState>,
    request: EnterScoreRequest,
) -> CommandResult<EntryView> {
    let entry = state
        .run(move |session| {
            let file = session.file_mut()?;
            let before = file.change_stamp()?;
            let receipt = enter_score_by_bib(
                file,
                &TypedScore {
                    workout_id: request.workout_id,
                    bib: &request.bib,
                    value: &request.value,
                    tie_break: request.tie_break.as_deref(),
                },
                &table_operator(),
            )?;
            let entry = EntryView {
                entry_id: receipt.entry_id,
                workout_id: receipt.workout_id,
                bib: receipt.bib,
                name: receipt.name,
                display: receipt.display,
                place: receipt.place,
            };
            // The kept board of this workout takes the new row; no rebuild.
            crate::commands::leaderboard::update_boards_after_score_change(
                session,
                before,
                receipt.workout_id,
                receipt.entrant,
            )?;
            session.typed_entries.push(entry.clone());
            Ok(entry)
        })
        .await?;
    notify_scores_changed(&app);
    Ok(entry)
}

#[tauri::command]
pub async fn undo_last_entry(
    app: AppHandle,
    state: State<'_, AppState>,
    workout_id: i64,
) -> CommandResult<Option<EntryView>> {
    let undone = state
        .run(move |session| {
            let Some(position) = session
                .typed_entries
                .iter()
                .rposition(|entry| entry.workout_id == workout_id)
            else {
                return Ok(None);
            };
            // Whether or not the store accepts the undo, this entry is no
            // longer the one to undo next (it may have been amended since).
            let entry = session.typed_entries.remove(position);
            let file = session.file_mut()?;
            let before = file.change_stamp()?;
            let undo = file.undo_entry(entry.entry_id, &table_operator())?;
            // The kept board of this workout drops the row; no rebuild.
            crate::commands::leaderboard::update_boards_after_score_change(
                session,
                before,
                undo.workout_id,
                undo.entrant,
            )?;
            Ok(Some(entry))
        })
        .await?;
    if undone.is_some() {
        notify_scores_changed(&app);
    }
    Ok(undone)
}

#[tauri::command]
pub async fn recent_entries(
    state: State<'_, AppState>,
    workout_id: i64,
    limit: u32,
) -> CommandResult<Vec<EntryView>> {
    state
        .run(move |session| {
            Ok(session
                .typed_entries
                .iter()
                .rev()
                .filter(|entry| entry.workout_id == workout_id)
                .take(limit as usize)
                .cloned()
                .collect())
        })
        .await
}
