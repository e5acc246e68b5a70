//! The officials' questions: "what would this amendment change?" (the
//! store's `preview_amendment`, which stores nothing), "why is A above B?"
//! (the engine's explanation through the store), and a heat's sheet in lane
//! order with each lane's result and place (from the same cached board the
//! leaderboard shows), and one row's detail: division places, splits with
//! their positions, penalty and status. The detail ranks the workout with
//! its splits (the store's `workout_leaderboard`), which boards skip: it is
//! asked for one row at a time, when an official opens it. The answers are computed in the store and core; this
//! module finds the entrants by bib and names them.

use std::collections::HashMap;

use scoretable_store::{CompetitionFile, PlacementChange, ScoreInput, StoreError};
use scoretable_usecase::boards::MOVED_LISTED;
use tauri::State;

use crate::commands::leaderboard::{live_board, page_rows};
use crate::commands::view::{value_display, EntrantNames};
use crate::dto::CommandError;
use crate::dto::ErrorKind;
use crate::dto::PlacementChangeView;
use crate::dto_officials::{
    AmendPreviewRequest, AmendPreviewView, DivisionPlaceView, ExplainRequest, HeatLaneView,
    HeatSheetView, RowDetailView, SplitView,
};
use crate::error::CommandResult;
use crate::state::{AppState, Session};

/// The placement changes as the screens list them, with bibs, names and division names.
pub fn impact_views(
    file: &CompetitionFile,
    names: &EntrantNames,
    moved: &[PlacementChange],
) -> CommandResult<Vec<PlacementChangeView>> {
    let division_names: HashMap<i64, String> = file
        .divisions()?
        .into_iter()
        .map(|division| (division.id, division.name))
        .collect();
    Ok(moved
        .iter()
        .map(|change| PlacementChangeView {
            bib: names.bib(change.entrant),
            name: names.name(change.entrant),
            division: change.division_id.map(|id| {
                division_names
                    .get(&id)
                    .cloned()
                    .unwrap_or_else(|| id.to_string())
            }),
            old_rank: change.old_rank,
            new_rank: change.new_rank,
        })
        .collect())
}

/// Bibs and names of `entrant` and of everyone in `moved`, each looked up by
/// key: an amendment's screens never load the whole field's names.
pub fn names_for(
    file: &CompetitionFile,
    entrant: scoretable_core::model::Entrant,
    moved: &[PlacementChange],
) -> CommandResult<EntrantNames> {
    let mut shown: Vec<scoretable_core::model::Entrant> = moved
        .iter()
        .map(|change| change.entrant)
        .chain([entrant])
        .collect();
    shown.sort_unstable();
    shown.dedup();
    Ok(EntrantNames::new(file.entrant_infos_of(&shown)?))
}

/// What amending `request.bib` to `request.value` would change; stores nothing.
pub fn amendment_preview(
    file: &CompetitionFile,
    request: &AmendPreviewRequest,
) -> CommandResult<AmendPreviewView> {
    let workout = file.workout(request.workout_id)?;
    let bib = request.bib.trim();
    let entrant = file.entrant_by_bib(request.workout_id, bib)?;
    let preview = file.preview_amendment_listed(
        request.workout_id,
        entrant,
        &ScoreInput::text(request.value.trim()),
        MOVED_LISTED,
    )?;
    let names = names_for(file, entrant, &preview.moved)?;
    Ok(AmendPreviewView {
        bib: bib.to_string(),
        name: names.name(entrant),
        old_display: preview
            .old
            .as_ref()
            .map(|value| value_display(&workout, value)),
        new_display: preview.display.clone(),
        impact: impact_views(file, &names, &preview.moved)?,
        impact_changes: preview.moved_changes as u64,
        impact_entrants: preview.moved_entrants as u64,
    })
}

#[tauri::command]
pub async fn preview_amendment(
    state: State<'_, AppState>,
    request: AmendPreviewRequest,
) -> CommandResult<AmendPreviewView> {
    state
        .run(move |session| amendment_preview(session.file()?, &request))
        .await
}

/// The engine's sentence saying why `above_bib` is above `below_bib` (the
/// use-case layer's `explain`, which the CLI's `explain` calls too).
pub fn explanation(file: &CompetitionFile, request: &ExplainRequest) -> CommandResult<String> {
    use scoretable_usecase::explain::{explain, Board};
    let board = match request.workout_id {
        Some(workout_id) => Board::Workout(workout_id),
        None => Board::Overall {
            division_id: request.division_id,
        },
    };
    Ok(explain(file, board, &request.above_bib, &request.below_bib)?.sentence)
}

#[tauri::command]
pub async fn explain_order(
    state: State<'_, AppState>,
    request: ExplainRequest,
) -> CommandResult<String> {
    state
        .run(move |session| explanation(session.file()?, &request))
        .await
}

/// The bib and name of a lane's entrant, read directly (a heat has few lanes).
fn lane_entrant(
    file: &CompetitionFile,
    lane: &scoretable_core::model::Lane,
) -> CommandResult<Option<(String, String)>> {
    if let Some(id) = lane.competitor_id {
        return Ok(file.competitor(id)?.map(|competitor| {
            (
                competitor.bib,
                format!("{} {}", competitor.first_name, competitor.last_name),
            )
        }));
    }
    if let Some(id) = lane.team_id {
        return Ok(file
            .team(id)?
            .map(|team| (team.bib.unwrap_or_default(), team.name)));
    }
    Ok(None)
}

/// A heat's lanes in order, each with its result and place in the workout
/// (in `division_id`'s board when one is given: division places, as the
/// leaderboard shows them for that division).
pub fn heat_sheet_view(
    session: &mut Session,
    workout_id: i64,
    heat_id: i64,
    division_id: Option<i64>,
) -> CommandResult<HeatSheetView> {
    let file = session.file()?;
    let workout = file.workout(workout_id)?;
    let heat = workout
        .heats
        .iter()
        .find(|heat| heat.id == heat_id)
        .ok_or_else(|| {
            CommandError::new(
                ErrorKind::NotFound,
                format!("Workout {} has no heat with id {heat_id}.", workout.name),
            )
        })?;
    let mut lanes = Vec::new();
    for lane in &heat.lanes {
        if let Some((bib, name)) = lane_entrant(file, lane)? {
            lanes.push((lane.lane, bib, name));
        }
    }
    lanes.sort_by_key(|(lane, _, _)| *lane);
    let heat_name = heat.name.clone();
    let (_, file, board) = live_board(session, workout_id)?;
    // The board's rows of the lanes' entrants only, as view rows (ties
    // marked), from the chosen division's list when there is one. A lane
    // outside that division keeps its result (from the whole field's list)
    // without a place.
    let mut lane_rows: HashMap<String, crate::dto::LeaderboardRowView> = HashMap::new();
    let mut outside: HashMap<String, String> = HashMap::new();
    for (_, bib, _) in &lanes {
        let entrant = match file.entrant_by_bib(workout_id, bib) {
            Ok(entrant) => entrant,
            Err(scoretable_store::StoreError::NotFound { .. }) => continue,
            Err(error) => return Err(error.into()),
        };
        if let Some(position) = board.position(division_id, entrant) {
            if let Some(row) = page_rows(file, board, division_id, position as u32, 1)?.pop() {
                lane_rows.insert(bib.clone(), row);
            }
        } else if division_id.is_some() {
            if let Some(position) = board.position(None, entrant) {
                if let Some(row) = page_rows(file, board, None, position as u32, 1)?.pop() {
                    if !row.display.is_empty() {
                        outside.insert(bib.clone(), row.display);
                    }
                }
            }
        }
    }
    let by_bib: HashMap<&str, &crate::dto::LeaderboardRowView> = lane_rows
        .iter()
        .map(|(bib, row)| (bib.as_str(), row))
        .collect();
    Ok(HeatSheetView {
        workout_id,
        heat_id,
        heat_name,
        division_id,
        lanes: lanes
            .into_iter()
            .map(|(lane, bib, name)| {
                let row = by_bib
                    .get(bib.as_str())
                    .filter(|row| !row.display.is_empty());
                HeatLaneView {
                    lane,
                    display: row
                        .map(|row| row.display.clone())
                        .or_else(|| outside.get(&bib).cloned()),
                    rank: row.and_then(|row| row.rank),
                    tied: row.is_some_and(|row| row.tied),
                    bib,
                    name,
                }
            })
            .collect(),
    })
}

#[tauri::command]
pub async fn heat_sheet(
    state: State<'_, AppState>,
    workout_id: i64,
    heat_id: i64,
    division_id: Option<i64>,
) -> CommandResult<HeatSheetView> {
    state
        .run(move |session| heat_sheet_view(session, workout_id, heat_id, division_id))
        .await
}

/// One row's detail: division places, splits with positions, penalty, status.
pub fn row_detail_view(
    file: &CompetitionFile,
    workout_id: i64,
    bib: &str,
) -> CommandResult<RowDetailView> {
    use scoretable_core::score::format_workout_time;
    let workout = file.workout(workout_id)?;
    let entrant = file.entrant_by_bib(workout_id, bib.trim())?;
    let ranked = file.workout_leaderboard(workout_id, None)?;
    let row = ranked
        .iter()
        .find(|row| row.entrant == entrant)
        .ok_or_else(|| StoreError::NoScore {
            workout: workout.name.clone(),
            entrant: bib.trim().to_string(),
        })?;
    let names = EntrantNames::new(file.entrant_infos()?);
    let division_names: HashMap<i64, String> = file
        .divisions()?
        .into_iter()
        .map(|division| (division.id, division.name))
        .collect();
    let time = |ms| format_workout_time(workout.rounding, ms);
    let penalty_ms = file
        .result(workout_id, entrant)?
        .and_then(|result| result.effective_value().map(|value| value.penalty_ms))
        .unwrap_or(0);
    Ok(RowDetailView {
        bib: names.bib(entrant),
        name: names.name(entrant),
        display: row.display.clone(),
        status: row.status.map(crate::dto::StatusCodeView::from),
        rank: row.rank,
        division_places: row
            .division_ranks
            .iter()
            .map(|(id, rank)| DivisionPlaceView {
                division: division_names
                    .get(id)
                    .cloned()
                    .unwrap_or_else(|| id.to_string()),
                rank: *rank,
            })
            .collect(),
        penalty: (penalty_ms != 0).then(|| format!("+{}", time(penalty_ms))),
        tie_break: row.tie_break_ms.map(time),
        splits: row
            .splits
            .iter()
            .map(|split| SplitView {
                point: workout
                    .timing_points
                    .iter()
                    .find(|point| point.id == split.timing_point_id)
                    .map(|point| point.name.clone())
                    .unwrap_or_else(|| split.timing_point_id.to_string()),
                time: time(split.total_ms),
                leg: time(split.leg_ms),
                position: split.position,
                behind: (split.difference_ms > 0)
                    .then(|| format!("+{}", time(split.difference_ms))),
            })
            .collect(),
        amended: row.amended,
    })
}

#[tauri::command]
pub async fn row_detail(
    state: State<'_, AppState>,
    workout_id: i64,
    bib: String,
) -> CommandResult<RowDetailView> {
    state
        .run(move |session| row_detail_view(session.file()?, workout_id, &bib))
        .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use scoretable_core::model::Entrant;

    /// Drift fixed: the app resolved overall bibs to competitors only (the
    /// CLI found any entrant), so "why is this team above that one?" on a
    /// team event's overall table answered "not found".
    #[test]
    fn the_overall_order_of_two_teams_is_explained() {
        let directory = tempfile::tempdir().unwrap();
        let mut event = scoretable_core::generate::team_event(12, 8, 3, 7);
        // Only the team workouts: a team competition, whose overall ranks
        // teams (an overall with individual workouts ranks athletes only).
        let (workouts, results): (Vec<_>, Vec<_>) = event
            .workouts
            .drain(..)
            .zip(event.results.drain(..))
            .filter(|(workout, _)| scoretable_core::overall::is_team_workout(workout))
            .unzip();
        (event.workouts, event.results) = (workouts, results);
        let (file, _) = scoretable_usecase::generate::write_event(
            &directory.path().join("teams.scoretable"),
            &event,
            scoretable_usecase::generate::ResultEntryMode::ImportAll,
        )
        .unwrap();
        let teams: Vec<String> = file
            .overall_leaderboard(None, None, None)
            .unwrap()
            .into_iter()
            .filter_map(|row| match row.entrant {
                Entrant::Team(id) => file.team(id).unwrap().and_then(|team| team.bib),
                Entrant::Competitor(_) => None,
            })
            .take(2)
            .collect();
        assert_eq!(teams.len(), 2, "the generated event has ranked teams");
        let sentence = explanation(
            &file,
            &ExplainRequest {
                workout_id: None,
                division_id: None,
                above_bib: teams[0].clone(),
                below_bib: teams[1].clone(),
            },
        )
        .unwrap();
        assert!(!sentence.is_empty());
    }
}
