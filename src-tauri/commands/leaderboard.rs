//! Live leaderboards, one window at a time: one workout (all entrants or one
//! division) and the overall table. A workout's board is the session's kept
//! `LiveBoard` (`scoretable_usecase::boards::KeptBoards`: ranked once, every
//! division with it, updated in place by this app's own score writes); the
//! overall table is the session's `OverallTable`, kept with the boards and
//! updated in place from the changed workout's who-moved rows. This module looks up bibs and names for the rows of a page
//! only, marks shared ranks and returns the rows the screen shows.

use std::sync::Arc;

use scoretable_core::board::LiveBoard;
use scoretable_core::model::{Entrant, Id};
use scoretable_store::CompetitionFile;
use tauri::State;

use scoretable_usecase::boards::{OverallLine, OverallTable};

use crate::boards::release_freed_memory;
use crate::commands::view::{leaderboard_rows, EntrantNames};
use crate::dto::{OverallCellView, OverallRowView, WorkoutHeader};
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
    let (stamp, file, board) = live_board(session, workout_id)?;
    let workout = board.workout();
    Ok(LeaderboardPage {
        workout_id: workout.id,
        workout_name: workout.name.clone(),
        state: workout.state.into(),
        division_id,
        stamp,
        total: list_len(board, division_id) as u32,
        penalties: board.has_penalties(division_id),
        offset,
        rows: page_rows(
            file,
            board,
            division_id,
            offset,
            limit.min(MOST_ROWS_PER_PAGE),
        )?,
    })
}

/// A page of the overall table from `session` (see [`workout_page`]).
pub(crate) fn overall_page(
    session: &mut Session,
    division_id: Option<Id>,
    offset: u32,
    limit: u32,
    teams: bool,
) -> CommandResult<OverallPage> {
    let (stamp, table) = cached_overall(session, division_id, teams)?;
    Ok(OverallPage {
        division_id: table.division_id,
        workouts: table
            .columns
            .iter()
            .map(|column| WorkoutHeader {
                id: column.workout_id,
                name: column.name.clone(),
                heading: column.heading.clone(),
            })
            .collect(),
        stamp,
        total: table.len() as u32,
        offset,
        rows: table
            .lines(
                offset as usize
                    ..(offset as usize).saturating_add(limit.min(MOST_ROWS_PER_PAGE) as usize),
            )
            .iter()
            .map(overall_row_view)
            .collect(),
    })
}

/// Rows `offset..offset + limit` of the overall table; with `teams`, of
/// the team overall of a mixed event (teams ranked on their team workouts,
/// the individual workouts not counted for teams).
#[tauri::command]
pub async fn overall_leaderboard_page(
    state: State<'_, AppState>,
    division_id: Option<Id>,
    offset: u32,
    limit: u32,
    teams: Option<bool>,
) -> CommandResult<OverallPage> {
    let teams = teams.unwrap_or(false);
    state
        .run(move |session| overall_page(session, division_id, offset, limit, teams))
        .await
}

/// Where `bib` is in a workout's board (`workout_id` set) or in the overall
/// table (`workout_id` null; with `teams`, the team overall); null when the
/// bib is not on that board.
#[tauri::command]
pub async fn find_on_leaderboard(
    state: State<'_, AppState>,
    workout_id: Option<i64>,
    division_id: Option<Id>,
    bib: String,
    teams: Option<bool>,
) -> CommandResult<Option<BoardPosition>> {
    let teams = teams.unwrap_or(false);
    state
        .run(move |session| {
            let bib = bib.trim();
            let (stamp, index) = match workout_id {
                Some(workout_id) => {
                    let (stamp, file, board) = live_board(session, workout_id)?;
                    let index = match file.entrant_by_bib(workout_id, bib) {
                        Ok(entrant) => board.position(division_id, entrant),
                        Err(scoretable_store::StoreError::NotFound { .. }) => None,
                        Err(error) => return Err(error.into()),
                    };
                    (stamp, index)
                }
                None => {
                    let (stamp, table) = cached_overall(session, division_id, teams)?;
                    (stamp, table.position_of_bib(bib))
                }
            };
            Ok(index.map(|index| BoardPosition {
                index: index as u32,
                stamp,
            }))
        })
        .await
}

/// A workout's kept live board (ranked once per change of the file by
/// anyone else, updated in place by this app's own score writes), the file,
/// and the stamp the UI sees (it moves whenever a kept workout board or
/// overall table changes).
pub(crate) fn live_board(
    session: &mut Session,
    workout_id: i64,
) -> CommandResult<(u64, &CompetitionFile, &LiveBoard)> {
    let read = session.workout_board(workout_id)?;
    if read.built {
        // The build's temporary rows (and any boards just dropped) are free now.
        release_freed_memory();
    }
    Ok((read.stamp, read.file, read.board))
}

/// The overall table for `division_id` (names attached, ties marked, by
/// the use-case layer) and the stamp the UI sees, built when the file
/// changed since it was last built.
fn cached_overall(
    session: &mut Session,
    division_id: Option<Id>,
    teams: bool,
) -> CommandResult<(u64, Arc<OverallTable>)> {
    let read = if teams {
        session.team_overall_table(division_id)?
    } else {
        session.overall_table(division_id)?
    };
    if read.built {
        release_freed_memory();
    }
    Ok((read.stamp, read.table))
}

fn overall_row_view(row: &OverallLine) -> OverallRowView {
    OverallRowView {
        rank: row.rank,
        tied: row.tied,
        bib: row.bib.clone(),
        name: row.name.clone(),
        total: row.total,
        cells: row
            .cells
            .iter()
            .map(|cell| OverallCellView {
                workout_id: cell.workout_id,
                rank: cell.rank,
                points: cell.points,
                display: cell.display.clone(),
            })
            .collect(),
    }
}

/// Rows on the whole-field board or one division's.
pub(crate) fn list_len(board: &LiveBoard, division_id: Option<Id>) -> usize {
    match division_id {
        None => board.len(),
        Some(division_id) => board.division_len(division_id),
    }
}

/// View rows `offset..offset + limit` of a workout board (the whole field
/// or one division), ties marked with the rows either side of the window in
/// view; bibs and names are looked up for these rows only.
pub(crate) fn page_rows(
    file: &CompetitionFile,
    board: &LiveBoard,
    division_id: Option<Id>,
    offset: u32,
    limit: u32,
) -> CommandResult<Vec<crate::dto::LeaderboardRowView>> {
    let total = list_len(board, division_id);
    let start = (offset as usize).min(total);
    let end = start.saturating_add(limit as usize).min(total);
    if start == end {
        return Ok(Vec::new());
    }
    // One neighbour each side decides whether an edge row's rank is shared.
    let context_start = start.saturating_sub(1);
    let context_end = (end + 1).min(total);
    let slice = match division_id {
        None => board.rows(context_start..context_end),
        Some(division_id) => board.division_rows(division_id, context_start..context_end),
    };
    let entrants: Vec<Entrant> = slice.iter().map(|row| row.entrant).collect();
    let names = EntrantNames::new(file.entrant_infos_of(&entrants)?);
    let rows = leaderboard_rows(board.workout(), &slice, &names, division_id);
    Ok(rows
        .into_iter()
        .skip(start - context_start)
        .take(end - start)
        .collect())
}
