//! Live leaderboards, one window at a time: one workout (all entrants or one
//! division) and the overall table. The store ranks through the engine; this
//! module attaches bibs and names, marks shared ranks, keeps the built board
//! in the session's [`crate::boards`] cache until the file changes, and
//! returns the rows the screen shows.

use std::sync::Arc;

use scoretable_core::model::Id;
use scoretable_store::CompetitionFile;
use tauri::State;

use crate::boards::{release_freed_memory, window, Board, BoardKey, WorkoutBoardState};
use crate::commands::view::{leaderboard_rows, tied_flags, EntrantNames};
use crate::dto::{OverallCellView, OverallRowView, OverallView, WorkoutHeader};
use crate::dto_leaderboard::{BoardPosition, LeaderboardPage, OverallPage};
use crate::error::CommandResult;
use crate::state::{AppState, Session};

/// The most rows one page may hold: a few screenfuls.
const MOST_ROWS_PER_PAGE: u32 = 1_000;

/// Rows `offset..offset + limit` of a workout's board.
#[tauri::command]
pub async fn leaderboard_page(
    state: State<'_, AppState>,
    workout_id: i64,
    division_id: Option<Id>,
    offset: u32,
    limit: u32,
) -> CommandResult<LeaderboardPage> {
    state
        .run(move |session| workout_page(session, workout_id, division_id, offset, limit))
        .await
}

/// A page of a workout's board from `session`'s file and board cache (the
/// main session, or the venue display's own read-only one).
pub(crate) fn workout_page(
    session: &mut Session,
    workout_id: i64,
    division_id: Option<Id>,
    offset: u32,
    limit: u32,
) -> CommandResult<LeaderboardPage> {
    let key = BoardKey::Workout {
        workout_id,
        division_id,
    };
    let (stamp, board) = cached_board(session, key)?;
    let Board::Workout(view) = &*board else {
        unreachable!("a workout key always holds a workout board");
    };
    Ok(LeaderboardPage {
        workout_id: view.workout.id,
        workout_name: view.workout.name.clone(),
        state: view.workout.state.into(),
        division_id: view.division_id,
        stamp,
        total: view.rows.len() as u32,
        offset,
        rows: page_rows(view, offset, limit.min(MOST_ROWS_PER_PAGE)),
    })
}

/// A page of the overall table from `session` (see [`workout_page`]).
pub(crate) fn overall_page(
    session: &mut Session,
    division_id: Option<Id>,
    offset: u32,
    limit: u32,
) -> CommandResult<OverallPage> {
    let (stamp, board) = cached_board(session, BoardKey::Overall { division_id })?;
    let Board::Overall(view) = &*board else {
        unreachable!("an overall key always holds an overall board");
    };
    Ok(OverallPage {
        division_id: view.division_id,
        workouts: view.workouts.clone(),
        stamp,
        total: view.rows.len() as u32,
        offset,
        rows: window(&view.rows, offset, limit.min(MOST_ROWS_PER_PAGE)),
    })
}

/// Rows `offset..offset + limit` of the overall table.
#[tauri::command]
pub async fn overall_leaderboard_page(
    state: State<'_, AppState>,
    division_id: Option<Id>,
    offset: u32,
    limit: u32,
) -> CommandResult<OverallPage> {
    state
        .run(move |session| overall_page(session, division_id, offset, limit))
        .await
}

/// Where `bib` is in a workout's board (`workout_id` set) or in the overall
/// table (`workout_id` null); null when the bib is not on that board.
#[tauri::command]
pub async fn find_on_leaderboard(
    state: State<'_, AppState>,
    workout_id: Option<i64>,
    division_id: Option<Id>,
    bib: String,
) -> CommandResult<Option<BoardPosition>> {
    state
        .run(move |session| {
            let key = match workout_id {
                Some(workout_id) => BoardKey::Workout {
                    workout_id,
                    division_id,
                },
                None => BoardKey::Overall { division_id },
            };
            let (stamp, board) = cached_board(session, key)?;
            let bib = bib.trim();
            let index = match &*board {
                Board::Workout(view) => view.rows.iter().position(|row| {
                    view.infos
                        .get(&row.entrant)
                        .is_some_and(|info| info.bib == bib)
                }),
                Board::Overall(view) => view.rows.iter().position(|row| row.bib == bib),
            };
            Ok(index.map(|index| BoardPosition {
                index: index as u32,
                stamp,
            }))
        })
        .await
}

/// The board for `key` and the stamp of its generation, built when the
/// file changed since it was last built.
pub(crate) fn cached_board(
    session: &mut Session,
    key: BoardKey,
) -> CommandResult<(u64, Arc<Board>)> {
    let Session { file, boards, .. } = session;
    let file = file
        .as_ref()
        .ok_or_else(crate::dto::CommandError::no_competition)?;
    let stamp = boards.observe(file.change_stamp()?);
    let mut built = false;
    let board = boards.board(key, || {
        built = true;
        match key {
            BoardKey::Workout {
                workout_id,
                division_id,
            } => build_workout_board(file, workout_id, division_id).map(Board::Workout),
            BoardKey::Overall { division_id } => {
                build_overall_board(file, division_id).map(Board::Overall)
            }
        }
    })?;
    if built {
        // The build's temporary rows (and any boards just dropped) are free now.
        release_freed_memory();
    }
    Ok((stamp, board))
}

/// One workout ranked by the store, kept as engine rows with the entrants'
/// bibs and names; pages convert only their own rows.
fn build_workout_board(
    file: &CompetitionFile,
    workout_id: i64,
    division_id: Option<Id>,
) -> CommandResult<WorkoutBoardState> {
    let board = file.workout_board(workout_id, division_id)?;
    Ok(WorkoutBoardState {
        workout: board.workout,
        division_id,
        rows: board.rows,
        infos: board
            .infos
            .into_iter()
            .map(|info| (info.entrant, info))
            .collect(),
    })
}

/// View rows `offset..offset + limit` of a workout board, ties marked with
/// the rows either side of the window in view.
pub(crate) fn page_rows(
    board: &WorkoutBoardState,
    offset: u32,
    limit: u32,
) -> Vec<crate::dto::LeaderboardRowView> {
    let start = (offset as usize).min(board.rows.len());
    let end = start.saturating_add(limit as usize).min(board.rows.len());
    if start == end {
        return Vec::new();
    }
    // One neighbour each side decides whether an edge row's rank is shared.
    let context_start = start.saturating_sub(1);
    let context_end = (end + 1).min(board.rows.len());
    let slice = &board.rows[context_start..context_end];
    let names = EntrantNames::new(
        slice
            .iter()
            .filter_map(|row| board.infos.get(&row.entrant).cloned())
            .collect(),
    );
    let rows = leaderboard_rows(&board.workout, slice, &names, board.division_id);
    rows.into_iter()
        .skip(start - context_start)
        .take(end - start)
        .collect()
}

/// Brings the kept boards up to date after this app amended `entrant`'s
/// result in `workout_id` to `new`: that workout's whole-field board is
/// updated in place; its division boards and the overall tables are dropped
/// (rebuilt when next shown); other workouts' boards stay.
pub fn update_boards_after_score_change(
    session: &mut Session,
    before: scoretable_store::ChangeStamp,
    workout_id: i64,
    entrant: scoretable_core::model::Entrant,
) -> CommandResult<()> {
    let Session { file, boards, .. } = session;
    let file = file
        .as_ref()
        .ok_or_else(crate::dto::CommandError::no_competition)?;
    let after = file.change_stamp()?;
    let new = file
        .result(workout_id, entrant)?
        .filter(|result| result.effective_value().is_some())
        .map(|result| {
            let mut entry = result.to_result_entry();
            entry.splits.clear();
            entry
        });
    let missing_info = file.entrant_info(entrant)?;
    boards.after_local_write(
        before,
        after,
        after.only_local_writes_since(&before),
        |key, board| match (key, board) {
            (
                BoardKey::Workout {
                    workout_id: board_workout,
                    division_id: None,
                },
                Board::Workout(state),
            ) if *board_workout == workout_id => {
                if let Some(info) = &missing_info {
                    state.infos.entry(entrant).or_insert_with(|| info.clone());
                }
                let infos = &state.infos;
                scoretable_core::moves::replace_in_board(
                    &state.workout,
                    &mut state.rows,
                    entrant,
                    new.as_ref(),
                    |who| infos.get(&who),
                );
                true
            }
            (
                BoardKey::Workout {
                    workout_id: other, ..
                },
                _,
            ) => *other != workout_id,
            (BoardKey::Overall { .. }, _) => false,
        },
    );
    Ok(())
}

/// The overall table ranked by the store, as view rows with one cell per workout.
fn build_overall_board(
    file: &CompetitionFile,
    division_id: Option<Id>,
) -> CommandResult<OverallView> {
    let board = file.overall_board(division_id)?;
    let names = EntrantNames::new(board.infos);
    let workouts = board.workouts;
    let rows = board.rows;
    let ranks: Vec<Option<u32>> = rows.iter().map(|row| Some(row.rank)).collect();
    let tied = tied_flags(&ranks);
    Ok(OverallView {
        division_id,
        workouts: workouts
            .iter()
            .map(|workout| WorkoutHeader {
                id: workout.id,
                name: workout.name.clone(),
                heading: scoretable_core::overall::overall_column_heading(
                    workout,
                    board.team_workouts,
                ),
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
}
