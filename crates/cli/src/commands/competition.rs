//! `create`, `info` and `backup`: the competition file itself.

use std::path::{Path, PathBuf};

use scoretable_core::model::Competition;
use scoretable_store::{BackupPolicy, CompetitionFile, CURRENT_SCHEMA_VERSION};
use serde_json::json;

use crate::args::CreateArgs;
use crate::context::{open_competition, required_file};
use crate::convert::store_error;
use crate::error::CliResult;
use crate::options::slug_from_name;
use crate::output::Output;

pub fn create(file: Option<&Path>, arguments: &CreateArgs) -> CliResult<Output> {
    let path = required_file(file)?;
    let competition = Competition {
        name: arguments.name.trim().to_string(),
        slug: arguments
            .slug
            .clone()
            .unwrap_or_else(|| slug_from_name(&arguments.name)),
        start_date: arguments.start_date.trim().to_string(),
        end_date: arguments
            .end_date
            .clone()
            .unwrap_or_else(|| arguments.start_date.clone())
            .trim()
            .to_string(),
        venue: arguments.venue.trim().to_string(),
        country: arguments.country.trim().to_ascii_uppercase(),
        organiser: arguments.organiser.trim().to_string(),
        time_zone: arguments.time_zone.trim().to_string(),
    };
    let store = CompetitionFile::create(&path, &competition).map_err(store_error)?;
    let stored = store.competition().map_err(store_error)?;
    store.close().map_err(store_error)?;
    Ok(Output::new(
        format!(
            "Created {} ({}) in {}",
            stored.name,
            stored.slug,
            path.display()
        ),
        json!({ "created": path.display().to_string(), "competition": stored }),
    ))
}

pub fn info(file: Option<&Path>) -> CliResult<Output> {
    let store = open_competition(file)?;
    let competition = store.competition().map_err(store_error)?;
    let divisions = store.divisions().map_err(store_error)?;
    // Counts by SQL aggregates: nothing per competitor or per result is loaded.
    let (competitor_count, team_count) = store.entrant_counts().map_err(store_error)?;
    let workouts = store.workouts().map_err(store_error)?;
    let result_counts = store.result_counts().map_err(store_error)?;
    let mut workout_summaries = Vec::new();
    for workout in &workouts {
        let counts = result_counts.get(&workout.id).copied().unwrap_or_default();
        workout_summaries.push(json!({
            "id": workout.id,
            "name": workout.name,
            "score_type": workout.score_type,
            "state": workout.state,
            "results": counts.results,
            "amended": counts.amended,
        }));
    }
    let report = store.open_report().clone();
    let mut text = String::new();
    text.push_str(&format!("{} ({})\n", competition.name, competition.slug));
    let dates = if competition.start_date == competition.end_date {
        competition.start_date.clone()
    } else {
        format!("{} to {}", competition.start_date, competition.end_date)
    };
    text.push_str(&format!("  Dates:       {dates}\n"));
    let place = [competition.venue.as_str(), competition.country.as_str()]
        .iter()
        .filter(|part| !part.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join(", ");
    if !place.is_empty() {
        text.push_str(&format!("  Venue:       {place}\n"));
    }
    if !competition.organiser.is_empty() {
        text.push_str(&format!("  Organiser:   {}\n", competition.organiser));
    }
    text.push_str(&format!("  Time zone:   {}\n", competition.time_zone));
    text.push_str(&format!("  File:        {}\n", store.path().display()));
    text.push_str(&format!("  Divisions:   {}\n", divisions.len()));
    text.push_str(&format!("  Competitors: {competitor_count}\n"));
    text.push_str(&format!("  Teams:       {team_count}\n"));
    text.push_str(&format!("  Workouts:    {}\n", workouts.len()));
    for summary in &workout_summaries {
        text.push_str(&format!(
            "    {:>3}  {}  ({}, {}, {} results, {} amended)\n",
            summary["id"],
            summary["name"].as_str().unwrap_or_default(),
            summary["score_type"].as_str().unwrap_or_default(),
            summary["state"].as_str().unwrap_or_default(),
            summary["results"],
            summary["amended"],
        ));
    }
    if report.unclean_shutdown_detected {
        text.push_str("  The file was not closed cleanly last time; its integrity check passed.\n");
    }
    let json = json!({
        "competition": competition,
        "file": store.path().display().to_string(),
        "schema_version": CURRENT_SCHEMA_VERSION,
        "open_report": report,
        "counts": {
            "divisions": divisions.len(),
            "competitors": competitor_count,
            "teams": team_count,
            "workouts": workouts.len(),
        },
        "workouts": workout_summaries,
    });
    store.close().map_err(store_error)?;
    Ok(Output::new(text, json))
}

pub fn backup(file: Option<&Path>, directory: Option<&Path>) -> CliResult<Output> {
    let mut store = open_competition(file)?;
    let directory: PathBuf = directory
        .map(Path::to_path_buf)
        .unwrap_or_else(|| BackupPolicy::beside(store.path()).directory);
    let target = store.backup_now(&directory).map_err(store_error)?;
    let kept = store.list_backups(&directory).map_err(store_error)?;
    store.close().map_err(store_error)?;
    Ok(Output::new(
        format!(
            "Backed up to {} ({} backups kept in {})",
            target.display(),
            kept.len(),
            directory.display()
        ),
        json!({
            "backup": target.display().to_string(),
            "directory": directory.display().to_string(),
            "backups": kept.iter().map(|path| path.display().to_string()).collect::<Vec<_>>(),
        }),
    ))
}
