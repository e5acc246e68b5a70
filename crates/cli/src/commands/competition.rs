//! `create`, `info` and `backup`: the competition file itself.

use std::path::{Path, PathBuf};

use scoretable_store::{BackupPolicy, CURRENT_SCHEMA_VERSION};
use scoretable_usecase::competition::CompetitionDetails;
use serde_json::json;

use crate::args::CreateArgs;
use crate::context::{open_for_reading, required_file};
use crate::convert::{store_error, usecase_error};
use crate::error::CliResult;
use crate::output::Output;

pub fn create(file: Option<&Path>, arguments: &CreateArgs) -> CliResult<Output> {
    let path = required_file(file)?;
    let store = scoretable_usecase::competition::create_competition(
        &path,
        &CompetitionDetails {
            name: &arguments.name,
            slug: arguments.slug.as_deref(),
            start_date: &arguments.start_date,
            end_date: arguments.end_date.as_deref(),
            venue: &arguments.venue,
            country: &arguments.country,
            organiser: &arguments.organiser,
            time_zone: &arguments.time_zone,
        },
    )
    .map_err(usecase_error)?;
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
    let store = open_for_reading(file)?;
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

/// The automatic backup a one-shot command handed over
/// ([`crate::context::open_competition`]): taken beside the file, the
/// claim released.
pub fn backup_take_claim(file: Option<&Path>, writes: u64) -> CliResult<Output> {
    let path = required_file(file)?;
    let target = scoretable_store::take_claimed_backup(&path, writes).map_err(store_error)?;
    Ok(Output::new(
        format!("Backed up to {}", target.display()),
        json!({ "backup": target.display().to_string(), "covered_writes": writes }),
    ))
}

pub fn backup(file: Option<&Path>, directory: Option<&Path>) -> CliResult<Output> {
    let mut store = open_for_reading(file)?;
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

pub fn backup_list(file: Option<&Path>) -> CliResult<Output> {
    let path = required_file(file)?;
    let backups = scoretable_store::backups_beside(&path);
    let directory = BackupPolicy::beside(&path).directory;
    let text = if backups.is_empty() {
        format!(
            "No backups of {} in {}",
            path.display(),
            directory.display()
        )
    } else {
        let mut table = crate::table::Table::new(&[
            ("Taken", crate::table::Align::Left),
            ("Size", crate::table::Align::Right),
            ("Backup", crate::table::Align::Left),
        ]);
        for backup in &backups {
            let mut name = backup.path.display().to_string();
            if backup.pre_upgrade {
                name.push_str("  (before a schema upgrade)");
            }
            table.push(vec![
                backup.taken_at.clone(),
                format!("{} KB", backup.size_bytes.div_ceil(1024)),
                name,
            ]);
        }
        format!(
            "{} backups of {} in {}, newest first:\n{}Restore one with: scoretable --file {} backup restore <backup>",
            backups.len(),
            path.display(),
            directory.display(),
            table.render(),
            path.display()
        )
    };
    Ok(Output::new(
        text,
        json!({
            "file": path.display().to_string(),
            "directory": directory.display().to_string(),
            "backups": backups,
        }),
    ))
}

pub fn backup_restore(
    file: Option<&Path>,
    backup: Option<&Path>,
    newest: bool,
) -> CliResult<Output> {
    let path = required_file(file)?;
    let chosen: PathBuf = match (backup, newest) {
        (Some(backup), _) => backup.to_path_buf(),
        (None, _) => scoretable_store::backups_beside(&path)
            .into_iter()
            .find(|backup| !backup.pre_upgrade)
            .map(|backup| backup.path)
            .ok_or_else(|| {
                crate::error::CliError::not_found(format!(
                    "no backups of {} in {}",
                    path.display(),
                    BackupPolicy::beside(&path).directory.display()
                ))
            })?,
    };
    let report = scoretable_store::restore_backup(&chosen, &path).map_err(store_error)?;
    let kept = report
        .previous_kept_as
        .as_ref()
        .map(|kept| format!("; the replaced file is kept as {}", kept.display()))
        .unwrap_or_default();
    Ok(Output::new(
        format!(
            "Restored {} from {}{kept}",
            path.display(),
            chosen.display()
        ),
        json!({ "restore": report }),
    ))
}
