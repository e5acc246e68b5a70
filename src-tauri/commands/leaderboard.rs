//! Live leaderboards: one workout (all entrants or one division) and the
//! overall table. The store ranks through the engine; this module only
//! attaches bibs and names and marks shared ranks.

use scoretable_core::model::Id;
use tauri::State;

use crate::commands::view::{leaderboard_rows, tied_flags, EntrantNames};
use crate::dto::{LeaderboardView, OverallCellView, OverallRowView, OverallView, WorkoutHeader};
use crate::error::CommandResult;
use crate::state::AppState;

#[tauri::command]
pub async fn workout_leaderboard(
    state: State<'_, AppState>,
    workout_id: i64,
    division_id: Option<Id>,
) -> CommandResult<LeaderboardView> {
    state
        .run(move |session| {
            let file = session.file()?;
            let workout = file.workout(workout_id)?;
            let ranked = file.workout_leaderboard(workout_id, division_id)?;
            let names = EntrantNames::new(file.entrant_infos()?);
            Ok(LeaderboardView {
                workout_id,
                workout_name: workout.name.clone(),
                state: workout.state.into(),
                division_id,
                rows: leaderboard_rows(&workout, &ranked, &names, division_id),
            })
        })
        .await
}

#[tauri::command]
pub async fn overall_leaderboard(
    state: State<'_, AppState>,
    division_id: Option<Id>,
) -> CommandResult<OverallView> {
    state
        .run(move |session| {
            let file = session.file()?;
            let workouts = file.workouts()?;
            let rows = file.overall_leaderboard(division_id, None, None)?;
            let names = EntrantNames::new(file.entrant_infos()?);
            let ranks: Vec<Option<u32>> = rows.iter().map(|row| Some(row.rank)).collect();
            let tied = tied_flags(&ranks);
            Ok(OverallView {
                division_id,
                workouts: workouts
                    .iter()
                    .map(|workout| WorkoutHeader {
                        id: workout.id,
                        name: workout.name.clone(),
                    })
                    .collect(),
                rows: rows
                    .into_iter()
                    .zip(tied)
                    .map(|(row, tied)| OverallRowView {
                        rank: row.rank,
                        tied,
                        bib: names.bib(row.entrant),
                        name: names.name(row.entrant),
                        total: row.total,
                        cells: workouts
                            .iter()
                            .map(|workout| {
                                row.cells
                                    .iter()
                                    .find(|cell| cell.workout_id == workout.id)
                                    .map(|cell| OverallCellView {
                                        workout_id: cell.workout_id,
                                        rank: cell.rank,
                                        points: cell.points,
                                        display: cell.display.clone(),
                                    })
                                    .unwrap_or(OverallCellView {
                                        workout_id: workout.id,
                                        rank: None,
                                        points: 0,
                                        display: String::new(),
                                    })
                            })
                            .collect(),
                    })
                    .collect(),
            })
        })
        .await
}
