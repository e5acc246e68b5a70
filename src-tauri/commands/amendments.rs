//! Amendments: find a score, amend it with a reason and an appeal
//! reference, read its append-only history, and list who moved. The store
//! keeps the history and computes the placement impact.

use scoretable_core::model::Workout;
use scoretable_store::{CompetitionFile, ScoreEvent, ScoreEventKind, ScoreInput};
use scoretable_usecase::boards::MOVED_LISTED;
use tauri::{AppHandle, State};

use crate::commands::notify_scores_changed;
use crate::commands::officials::impact_views;
use crate::commands::view::{value_display, EntrantNames};
use crate::dto::{AmendOutcome, AmendRequest, HistoryEntryView, ScoreSummary};
use crate::error::CommandResult;
use crate::state::AppState;

/// Scores in the workout whose bib is `query` or whose name contains it.
fn matching_scores(
    file: &CompetitionFile,
    workout_id: i64,
    query: &str,
) -> CommandResult<Vec<ScoreSummary>> {
    let ranked = file.workout_leaderboard(workout_id, None)?;
    let names = EntrantNames::new(file.entrant_infos()?);
    let needle = query.trim().to_lowercase();
    Ok(ranked
        .iter()
        .filter(|row| row.score.is_some() || row.status.is_some())
        .filter_map(|row| {
            let bib = names.bib(row.entrant);
            let name = names.name(row.entrant);
            let matches = bib.to_lowercase() == needle || name.to_lowercase().contains(&needle);
            matches.then(|| ScoreSummary {
                workout_id,
                bib,
                name,
                display: row.display.clone(),
                rank: row.rank,
                amended: row.amended,
            })
        })
        .take(50)
        .collect())
}

fn history_view(workout: &Workout, events: &[ScoreEvent]) -> Vec<HistoryEntryView> {
    events
        .iter()
        .map(|event| HistoryEntryView {
            at: event.at.clone(),
            by: event.who.clone(),
            source: match event.kind {
                ScoreEventKind::Entry => "entry",
                ScoreEventKind::Import => "import",
                ScoreEventKind::Amend => "amendment",
                ScoreEventKind::Undo => "undo",
            }
            .to_string(),
            old_display: event
                .old
                .as_ref()
                .map(|value| value_display(workout, value)),
            new_display: event
                .new
                .as_ref()
                .map(|value| value_display(workout, value))
                .unwrap_or_else(|| "(removed)".to_string()),
            reason: event.reason.clone(),
            appeal_reference: event.appeal_ref.clone(),
        })
        .collect()
}

#[tauri::command]
pub async fn find_scores(
    state: State<'_, AppState>,
    workout_id: i64,
    query: String,
) -> CommandResult<Vec<ScoreSummary>> {
    state
        .run(move |session| matching_scores(session.file()?, workout_id, &query))
        .await
}

#[tauri::command]
pub async fn score_history(
    state: State<'_, AppState>,
    workout_id: i64,
    bib: String,
) -> CommandResult<Vec<HistoryEntryView>> {
    state
        .run(move |session| {
            let file = session.file()?;
            let workout = file.workout(workout_id)?;
            let entrant = file.entrant_by_bib(workout_id, bib.trim())?;
            Ok(history_view(
                &workout,
                &file.score_history(workout_id, entrant)?,
            ))
        })
        .await
}

#[tauri::command]
pub async fn amend_score(
    app: AppHandle,
    state: State<'_, AppState>,
    request: AmendRequest,
) -> CommandResult<AmendOutcome> {
    let outcome = state
        .run(move |session| {
            let file = session.file()?;
            let workout = file.workout(request.workout_id)?;
            let bib = request.bib.trim();
            let entrant = file.entrant_by_bib(request.workout_id, bib)?;
            let official = match request.official.trim() {
                "" => "official".to_string(),
                name => name.to_string(),
            };
            // The short write, then who moved from the kept board of the
            // workout (moved in place: nothing loads or ranks the field).
            let amended = session.amend(
                request.workout_id,
                entrant,
                ScoreInput::text(request.value.trim()),
                &official,
                &request.reason,
                Some(request.appeal_reference.as_str()),
                MOVED_LISTED,
            )?;
            let receipt = &amended.receipt;
            let (_, file, board) =
                crate::commands::leaderboard::live_board(session, request.workout_id)?;
            let row = board.row_of(entrant);
            // Names of the amended entrant and of those who moved only.
            let names = crate::commands::officials::names_for(file, entrant, &receipt.moved)?;
            let score = ScoreSummary {
                workout_id: request.workout_id,
                bib: bib.to_string(),
                name: names.name(entrant),
                display: row
                    .as_ref()
                    .map_or_else(|| receipt.display.clone(), |row| row.display.clone()),
                rank: row.and_then(|row| row.rank),
                amended: true,
            };
            let impact = impact_views(file, &names, &receipt.moved)?;
            let history = history_view(&workout, &file.score_history(request.workout_id, entrant)?);
            Ok(AmendOutcome {
                score,
                history,
                impact,
                impact_changes: amended.changes as u64,
                impact_entrants: amended.entrants as u64,
            })
        })
        .await?;
    notify_scores_changed(&app);
    Ok(outcome)
}
