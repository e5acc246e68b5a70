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

use scoretable_core::score::format_workout_time;
use scoretable_core::time::parse_time;
use scoretable_store::ScoreInput;
use tauri::{AppHandle, State};

use crate::commands::notify_scores_changed;
use crate::commands::view::entrant_name;
use crate::dto::{CommandError, EnterScoreRequest, EntryView, ErrorKind};
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
            let bib = request.bib.trim().to_string();
            let tie_break = request
                .tie_break
                .as_deref()
                .map(str::trim)
                .filter(|text| !text.is_empty());
            let input = match tie_break {
                None => ScoreInput::text(request.value.trim()),
                Some(text) => {
                    // Checked here first only so the UI can tell a bad
                    // tie-break from a bad score and focus the right field;
                    // the store parses it again with the same parser.
                    parse_time(text).map_err(|error| {
                        CommandError::new(
                            ErrorKind::InvalidTieBreak,
                            format!("Invalid tie-break {text:?} for bib {bib}: {error}"),
                        )
                    })?;
                    ScoreInput::text_with_tie_break(request.value.trim(), text)
                }
            };
            let before = file.change_stamp()?;
            let receipt =
                file.enter_score_by_bib(request.workout_id, &bib, input, &table_operator())?;
            let name = entrant_name(file, receipt.entrant)?;
            let display = match receipt.value.tie_break_ms {
                Some(tie_break_ms) => {
                    let workout = file.workout(receipt.workout_id)?;
                    format!(
                        "{} (tie-break {})",
                        receipt.display,
                        format_workout_time(workout.rounding, tie_break_ms)
                    )
                }
                None => receipt.display,
            };
            let entry = EntryView {
                entry_id: receipt.entry_id,
                workout_id: receipt.workout_id,
                bib,
                name,
                display,
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
