//! Keyboard score entry: store a typed score (with its tie-break time when
//! the workout has one), undo the last one typed at this table, and list
//! recent entries. Each score is parsed by the core and committed by the
//! store (WAL, `synchronous=FULL`) before the command returns, so a
//! confirmed entry survives a crash.
//!
//! Undo reaches only entries typed at this table since the file was opened
//! (the session's typed entries, `scoretable_usecase::Session`): a table never undoes another table's or
//! an importer's score, and after reopening the file there is nothing to
//! undo; earlier scores are changed on the Amendments screen.

use scoretable_usecase::scores::{ScoreReceipt, TypedScore};
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

fn entry_view(receipt: ScoreReceipt) -> EntryView {
    EntryView {
        entry_id: receipt.entry_id,
        workout_id: receipt.workout_id,
        bib: receipt.bib,
        name: receipt.name,
        display: receipt.display,
        place: receipt.place,
    }
}

/// Stores a typed score as the table's operator; the workout's kept board
/// takes the new row in place (no rebuild).
#[tauri::command]
pub async fn enter_score(
    app: AppHandle,
    state: State<'_, AppState>,
    request: EnterScoreRequest,
) -> CommandResult<EntryView> {
    let entry = state
        .run(move |session| {
            let receipt = session.enter_score(&TypedScore {
                workout_id: request.workout_id,
                bib: &request.bib,
                value: &request.value,
                tie_break: request.tie_break.as_deref(),
            })?;
            Ok(entry_view(receipt))
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
        .run(move |session| Ok(session.undo_last_entry(workout_id)?.map(entry_view)))
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
                .recent_entries(workout_id, limit as usize)
                .into_iter()
                .map(entry_view)
                .collect())
        })
        .await
}
