//! Setup: divisions (add, change, remove when empty) and workouts (score
//! type, cap, tie-break, timing points, heats), and each workout's
//! provisional/official state.

use scoretable_core::model::{
    Division, Heat, Lane, LoadUnit, PublicationState, Rounding, TeamScoring, TieBreak, TimingPoint,
    Workout,
};
use scoretable_core::time::parse_time;
use tauri::{AppHandle, State};

use crate::commands::notify_scores_changed;
use crate::dto::{
    CommandError, DivisionView, NewDivision, NewWorkout, OverallSettingsView, PublicationStateView,
    TeamWorkoutsRuleView, WorkoutView,
};
use crate::error::CommandResult;
use crate::state::AppState;

#[tauri::command]
pub async fn list_divisions(state: State<'_, AppState>) -> CommandResult<Vec<DivisionView>> {
    state
        .run(|session| {
            Ok(session
                .file()?
                .divisions()?
                .iter()
                .map(DivisionView::from)
                .collect())
        })
        .await
}

#[tauri::command]
pub async fn add_division(
    state: State<'_, AppState>,
    division: NewDivision,
) -> CommandResult<DivisionView> {
    state
        .run(move |session| {
            let mut model = Division {
                id: 0,
                name: division.name.trim().to_string(),
                kind: division.kind.into(),
                gender: division.gender.map(Into::into),
                min_age: division.min_age,
                max_age: division.max_age,
            };
            model.id = session.file_mut()?.add_division(&model)?;
            Ok(DivisionView::from(&model))
        })
        .await
}

/// Changes a division's name and rule. A gender or age-group division's
/// members follow a changed rule (the store recomputes them).
#[tauri::command]
pub async fn update_division(
    app: AppHandle,
    state: State<'_, AppState>,
    division: DivisionView,
) -> CommandResult<DivisionView> {
    let updated = state
        .run(move |session| {
            let model = Division {
                id: division.id,
                name: division.name.trim().to_string(),
                kind: division.kind.into(),
                gender: division.gender.map(Into::into),
                min_age: division.min_age,
                max_age: division.max_age,
            };
            let file = session.file_mut()?;
            file.update_division(&model)?;
            Ok(DivisionView::from(&model))
        })
        .await?;
    notify_scores_changed(&app);
    Ok(updated)
}

/// Removes a division that no competitor or team is in.
#[tauri::command]
pub async fn remove_division(
    app: AppHandle,
    state: State<'_, AppState>,
    division_id: i64,
) -> CommandResult<()> {
    state
        .run(move |session| Ok(session.file_mut()?.remove_empty_division(division_id)?))
        .await?;
    notify_scores_changed(&app);
    Ok(())
}

#[tauri::command]
pub async fn list_workouts(state: State<'_, AppState>) -> CommandResult<Vec<WorkoutView>> {
    state
        .run(|session| {
            Ok(session
                .file()?
                .workouts()?
                .iter()
                .map(WorkoutView::from)
                .collect())
        })
        .await
}

/// Builds the model workout for a new workout form. The cap is parsed by the
/// core's time parser; the workout goes last in the schedule.
fn workout_from(request: &NewWorkout, sequence: u32) -> CommandResult<Workout> {
    let cap = request.time_cap.trim();
    let time_cap_ms = if cap.is_empty() {
        None
    } else {
        Some(parse_time(cap).map_err(|error| CommandError::invalid("time cap", error))?)
    };
    let timing_points = request
        .timing_points
        .iter()
        .map(|name| name.trim())
        .filter(|name| !name.is_empty())
        .enumerate()
        .map(|(index, name)| TimingPoint {
            id: 0,
            order: index as u32 + 1,
            name: name.to_string(),
        })
        .collect();
    let heats = request
        .heats
        .iter()
        .map(|name| name.trim())
        .filter(|name| !name.is_empty())
        .map(|name| Heat {
            id: 0,
            name: name.to_string(),
            start_time: None,
            lanes: (1..=request.lanes_per_heat)
                .map(|lane| Lane {
                    lane,
                    competitor_id: None,
                    team_id: None,
                })
                .collect(),
        })
        .collect();
    Ok(Workout {
        id: 0,
        name: request.name.trim().to_string(),
        sequence,
        score_type: request.score_type.into(),
        time_cap_ms,
        reps_per_round: None,
        load_unit: LoadUnit::Kg,
        tie_break: request.tie_break.map(Into::into).unwrap_or(TieBreak::None),
        rounding: Rounding::Exact,
        team_scoring: TeamScoring::Individual,
        timing_points,
        heats,
        state: PublicationState::Provisional,
    })
}

#[tauri::command]
pub async fn add_workout(
    state: State<'_, AppState>,
    workout: NewWorkout,
) -> CommandResult<WorkoutView> {
    state
        .run(move |session| {
            let file = session.file_mut()?;
            let next_sequence = file
                .workouts()?
                .iter()
                .map(|existing| existing.sequence)
                .max()
                .unwrap_or(0)
                + 1;
            let model = workout_from(&workout, next_sequence)?;
            let id = file.add_workout(&model)?;
            Ok(WorkoutView::from(&file.workout(id)?))
        })
        .await
}

#[tauri::command]
pub async fn set_workout_state(
    app: AppHandle,
    app_state: State<'_, AppState>,
    workout_id: i64,
    state: PublicationStateView,
) -> CommandResult<WorkoutView> {
    let updated = app_state
        .run(move |session| {
            let file = session.file_mut()?;
            file.set_workout_state(workout_id, state.into())?;
            Ok(WorkoutView::from(&file.workout(workout_id)?))
        })
        .await?;
    notify_scores_changed(&app);
    Ok(updated)
}

/// The overall settings the file stores: how team workouts count in
/// individuals' totals, with the engine's sentence for it.
#[tauri::command]
pub async fn overall_settings(state: State<'_, AppState>) -> CommandResult<OverallSettingsView> {
    state
        .run(|session| overall_settings_view(session.file()?))
        .await
}

/// Stores how team workouts count in individuals' overall totals; every
/// board, the venue display and every export follow it.
#[tauri::command]
pub async fn set_team_workouts_rule(
    app: AppHandle,
    state: State<'_, AppState>,
    rule: TeamWorkoutsRuleView,
) -> CommandResult<OverallSettingsView> {
    let view = state
        .run(move |session| {
            let file = session.file_mut()?;
            file.set_team_workouts_rule(rule.into())?;
            overall_settings_view(file)
        })
        .await?;
    notify_scores_changed(&app);
    Ok(view)
}

fn overall_settings_view(
    file: &scoretable_store::CompetitionFile,
) -> CommandResult<OverallSettingsView> {
    let rule = file.leaderboard_settings()?.team_workouts;
    Ok(OverallSettingsView {
        team_workouts: rule.into(),
        team_workouts_note: scoretable_core::overall::team_rule_sentence(rule).to_string(),
        team_workout_names: file
            .workouts()?
            .iter()
            .filter(|workout| scoretable_core::overall::is_team_workout(workout))
            .map(|workout| workout.name.clone())
            .collect(),
    })
}
