//! `demo` and `generate`: competition files written from the engine's generators.

use std::path::Path;

use scoretable_core::generate::{demo_event, large_individual_event, team_event};
use serde_json::json;

use crate::args::{GenerateArgs, GeneratedKind};
use crate::convert::{store_error, usecase_error};
use crate::error::{CliError, CliResult};
use crate::output::Output;
use scoretable_usecase::generate::{write_event, ResultEntryMode};

pub fn demo(path: &Path) -> CliResult<Output> {
    let event = demo_event();
    let (store, summary) =
        write_event(path, &event, ResultEntryMode::AsRecorded).map_err(usecase_error)?;
    store.close().map_err(store_error)?;
    Ok(Output::new(
        format!(
            "Wrote the demo competition {} to {}: {} divisions, {} competitors, {} teams, {} workouts, {} scores entered and {} imported",
            event.competition.name,
            path.display(),
            summary.divisions,
            summary.competitors,
            summary.teams,
            summary.workouts,
            summary.results_entered,
            summary.results_imported
        ),
        json!({ "file": path.display().to_string(), "competition": event.competition, "summary": summary }),
    ))
}

pub fn generate(arguments: &GenerateArgs) -> CliResult<Output> {
    if arguments.athletes == 0 {
        return Err(crate::options::option_error(
            "athletes",
            "must be at least 1",
        ));
    }
    let start = std::time::Instant::now();
    let event = match arguments.kind {
        GeneratedKind::Race => {
            if arguments.divisions == 0 {
                return Err(crate::options::option_error(
                    "divisions",
                    "must be at least 1",
                ));
            }
            large_individual_event(
                arguments.athletes,
                arguments.divisions,
                arguments.splits,
                arguments.seed,
            )
        }
        GeneratedKind::Teams => {
            if arguments.workouts == 0 {
                return Err(crate::options::option_error(
                    "workouts",
                    "must be at least 1",
                ));
            }
            if arguments.team_size < 2 {
                return Err(crate::options::option_error(
                    "team-size",
                    "a team needs at least 2 members",
                ));
            }
            team_event(
                arguments.athletes,
                arguments.workouts,
                arguments.team_size,
                arguments.seed,
            )
        }
    };
    let (store, summary) =
        write_event(&arguments.path, &event, ResultEntryMode::ImportAll).map_err(usecase_error)?;
    store.close().map_err(store_error)?;
    let seconds = start.elapsed().as_secs_f64();
    let size = std::fs::metadata(&arguments.path)
        .map_err(|error| {
            CliError::io(format!("cannot read {}: {error}", arguments.path.display()))
        })?
        .len();
    let timing_points: usize = event
        .workouts
        .iter()
        .map(|workout| workout.timing_points.len())
        .sum();
    Ok(Output::new(
        format!(
            "Wrote {} to {}: {} competitors in {} divisions, {} teams, {} workouts with {} timing points, {} results ({:.1} s, {:.1} MB)",
            event.competition.name,
            arguments.path.display(),
            summary.competitors,
            summary.divisions,
            summary.teams,
            summary.workouts,
            timing_points,
            summary.results_imported,
            seconds,
            size as f64 / 1_048_576.0
        ),
        json!({
            "file": arguments.path.display().to_string(),
            "competition": event.competition,
            "summary": summary,
            "seconds": seconds,
            "file_bytes": size,
        }),
    ))
}
