//! Workouts: adding, listing and publishing.

use std::path::Path;

use scoretable_core::model::{
    Heat, Lane, PublicationState, Rounding, ScoreType, TeamScoring, TieBreak, TimingPoint, Workout,
};
use scoretable_core::score::format_workout_time;
use scoretable_core::time::parse_time;
use serde_json::json;

use crate::args::{PublicationStateArg, WorkoutAddArgs};
use crate::context::{open_competition, open_for_reading, resolve_workout};
use crate::convert::{store_error, value_error};
use crate::error::{CliError, CliResult};
use crate::options::{
    load_unit, parse_rounding, parse_team_scoring, publication_state, score_type, tie_break,
};
use crate::output::Output;
use crate::table::{Align, Table};

pub fn workout_add(file: Option<&Path>, arguments: &WorkoutAddArgs) -> CliResult<Output> {
    let mut store = open_competition(file)?;
    let time_cap_ms = arguments
        .cap
        .as_deref()
        .map(|cap| parse_time(cap).map_err(|error| value_error("cap", error)))
        .transpose()?;
    let score_type = score_type(arguments.score_type);
    if score_type == ScoreType::TimeCapped && time_cap_ms.is_none() {
        return Err(crate::options::option_error(
            "cap",
            "a time-capped workout needs --cap, e.g. --cap 12:00",
        ));
    }
    let mut timing_points = Vec::new();
    for (index, name) in arguments.points.iter().enumerate() {
        let name = name.trim();
        if name.is_empty() {
            return Err(crate::options::option_error(
                "point",
                "timing point names must not be empty",
            ));
        }
        timing_points.push(TimingPoint {
            id: 0,
            order: index as u32 + 1,
            name: name.to_string(),
        });
    }
    let mut heats = Vec::new();
    for text in &arguments.heats {
        heats.push(parse_heat(&store, text)?);
    }
    let sequence = store.workouts().map_err(store_error)?.len() as u32 + 1;
    let workout = Workout {
        id: 0,
        name: arguments.name.trim().to_string(),
        sequence,
        score_type,
        time_cap_ms,
        reps_per_round: arguments.reps_per_round,
        load_unit: load_unit(arguments.load_unit),
        tie_break: tie_break(arguments.tie_break),
        rounding: parse_rounding(&arguments.rounding)?,
        team_scoring: parse_team_scoring(&arguments.team_scoring)?,
        timing_points,
        heats,
        state: PublicationState::Provisional,
    };
    let id = store.add_workout(&workout).map_err(store_error)?;
    let stored = store.workout(id).map_err(store_error)?;
    store.close().map_err(store_error)?;
    Ok(Output::new(
        format!(
            "Added workout {} with id {id} ({})",
            stored.name,
            describe_workout(&stored)
        ),
        json!({ "workout": stored }),
    ))
}

/// Reads `Heat 1` or `Heat 1=12,7,3` (bibs in lane order; an empty slot
/// such as `12,,3` leaves a lane free).
fn parse_heat(store: &scoretable_store::CompetitionFile, text: &str) -> CliResult<Heat> {
    let (name, lanes_text) = match text.split_once('=') {
        Some((name, lanes)) => (name.trim(), Some(lanes)),
        None => (text.trim(), None),
    };
    if name.is_empty() {
        return Err(crate::options::option_error(
            "heat",
            format!("'{text}' names no heat"),
        ));
    }
    let mut lanes = Vec::new();
    if let Some(lanes_text) = lanes_text {
        for (index, bib) in lanes_text.split(',').map(str::trim).enumerate() {
            if bib.is_empty() {
                continue;
            }
            let lane = index as u32 + 1;
            if let Some(competitor) = store.competitor_by_bib(bib).map_err(store_error)? {
                lanes.push(Lane {
                    lane,
                    competitor_id: Some(competitor.id),
                    team_id: None,
                });
            } else if let Some(team) = store.team_by_bib(bib).map_err(store_error)? {
                lanes.push(Lane {
                    lane,
                    competitor_id: None,
                    team_id: Some(team.id),
                });
            } else {
                return Err(CliError::not_found(format!(
                    "unknown bib {bib} in lane {lane} of {name}"
                )));
            }
        }
    }
    Ok(Heat {
        id: 0,
        name: name.to_string(),
        start_time: None,
        lanes,
    })
}

fn word<T: serde::Serialize>(value: T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|value| value.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// `time_capped, cap 12:00, tie-break time, teams sum of best 2`.
pub fn describe_workout(workout: &Workout) -> String {
    let mut parts = vec![word(workout.score_type)];
    if let Some(cap) = workout.time_cap_ms {
        parts.push(format!("cap {}", format_workout_time(Rounding::Exact, cap)));
    }
    if let Some(reps) = workout.reps_per_round {
        parts.push(format!("{reps} reps per round"));
    }
    if workout.score_type == ScoreType::Load {
        parts.push(word(workout.load_unit));
    }
    if workout.tie_break == TieBreak::TieBreakTime {
        parts.push("tie-break time".to_string());
    }
    match workout.rounding {
        Rounding::Exact => {}
        Rounding::Truncate { unit_ms } => parts.push(format!("truncated to {unit_ms} ms")),
        Rounding::Up { unit_ms } => parts.push(format!("rounded up to {unit_ms} ms")),
        Rounding::Nearest { unit_ms } => parts.push(format!("rounded to nearest {unit_ms} ms")),
    }
    match workout.team_scoring {
        TeamScoring::Individual => {}
        TeamScoring::TeamChip => parts.push("one chip per team".to_string()),
        TeamScoring::SumAll => parts.push("teams: sum of all members".to_string()),
        TeamScoring::BestN { n } => parts.push(format!("teams: sum of best {n}")),
    }
    if !workout.timing_points.is_empty() {
        parts.push(format!("{} timing points", workout.timing_points.len()));
    }
    if !workout.heats.is_empty() {
        parts.push(format!("{} heats", workout.heats.len()));
    }
    parts.join(", ")
}

pub fn workout_list(file: Option<&Path>) -> CliResult<Output> {
    let store = open_for_reading(file)?;
    let workouts = store.workouts().map_err(store_error)?;
    let mut table = Table::new(&[
        ("Id", Align::Right),
        ("#", Align::Right),
        ("Name", Align::Left),
        ("State", Align::Left),
        ("Results", Align::Right),
        ("Details", Align::Left),
        ("Timing points", Align::Left),
    ]);
    let mut json_workouts = Vec::new();
    let counts = store.result_counts().map_err(store_error)?;
    for workout in &workouts {
        let results = counts.get(&workout.id).map_or(0, |counts| counts.results);
        table.push(vec![
            workout.id.to_string(),
            workout.sequence.to_string(),
            workout.name.clone(),
            word(workout.state),
            results.to_string(),
            describe_workout(workout),
            workout
                .timing_points
                .iter()
                .map(|point| point.name.as_str())
                .collect::<Vec<_>>()
                .join(" > "),
        ]);
        let mut value = serde_json::to_value(workout).unwrap_or_default();
        value["results"] = json!(results);
        json_workouts.push(value);
    }
    store.close().map_err(store_error)?;
    Ok(Output::new(
        table.render(),
        json!({ "workouts": json_workouts }),
    ))
}

pub fn workout_state(
    file: Option<&Path>,
    reference: &str,
    state: PublicationStateArg,
) -> CliResult<Output> {
    let mut store = open_competition(file)?;
    let workout = resolve_workout(&store, reference)?;
    let state = publication_state(state);
    store
        .set_workout_state(workout.id, state)
        .map_err(store_error)?;
    let stored = store.workout(workout.id).map_err(store_error)?;
    if stored.state != state {
        return Err(CliError::store(format!(
            "workout {} did not change state",
            stored.name
        )));
    }
    store.close().map_err(store_error)?;
    Ok(Output::new(
        format!("Workout {} is now {}", stored.name, word(stored.state)),
        json!({ "workout_id": stored.id, "workout": stored.name, "state": stored.state }),
    ))
}
