//! Taking an [`ExportData`] snapshot from a competition file, and sealing it.
//!
//! This is the only part of the crate that touches the store, and it does so
//! through the store's public API only (no SQL here): the competition record,
//! divisions, competitors, teams, workouts, the workout leaderboards for the
//! whole field and every division, the overall leaderboards with the stored
//! settings, and the amendment events of the audit trail. Settings and
//! anything else in the file are never read, so they cannot reach an export.

use std::path::Path;

use chrono::Utc;
use scoretable_core::model::Workout;
use scoretable_core::score::format_score;
use scoretable_store::{CompetitionFile, ScoreEventKind, ScoreValue};

use crate::archive::{write_sealed_archive, ArchiveOptions, ArchiveSummary};
use crate::data::{AmendmentLogEntry, ExportData, OverallLeaderboard, WorkoutLeaderboard};
use crate::error::ExportError;

fn store_error(what: &str, error: scoretable_store::StoreError) -> ExportError {
    ExportError::Render {
        what: format!("{what} (reading the competition file)"),
        message: error.to_string(),
    }
}

/// A value as the audit trail shows it: the status code, the clean score, or the raw text.
fn value_text(workout: Option<&Workout>, value: Option<&ScoreValue>) -> String {
    let Some(value) = value else {
        return String::new();
    };
    match (value.status, value.score, workout) {
        (Some(status), _, _) => status.code().to_string(),
        (None, Some(score), Some(workout)) => format_score(workout, &score),
        _ => value.text.clone(),
    }
}

/// Reads everything the exports need from `file`, stamped with the current time.
pub fn gather_export_data(file: &CompetitionFile) -> Result<ExportData, ExportError> {
    let competition = file
        .competition()
        .map_err(|error| store_error("competition", error))?;
    let divisions = file
        .divisions()
        .map_err(|error| store_error("divisions", error))?;
    let competitors = file
        .competitors()
        .map_err(|error| store_error("competitors", error))?;
    let teams = file.teams().map_err(|error| store_error("teams", error))?;
    let mut workouts = file
        .workouts()
        .map_err(|error| store_error("workouts", error))?;
    workouts.sort_by_key(|workout| (workout.sequence, workout.id));

    let scopes: Vec<Option<i64>> = std::iter::once(None)
        .chain(divisions.iter().map(|division| Some(division.id)))
        .collect();
    let mut workout_leaderboards = Vec::with_capacity(workouts.len() * scopes.len());
    for workout in &workouts {
        for division_id in &scopes {
            let rows = file
                .workout_leaderboard(workout.id, *division_id)
                .map_err(|error| store_error(&format!("leaderboard of {}", workout.name), error))?;
            workout_leaderboards.push(WorkoutLeaderboard {
                workout_id: workout.id,
                division_id: *division_id,
                rows,
            });
        }
    }
    let mut overall_leaderboards = Vec::with_capacity(scopes.len());
    if !workouts.is_empty() {
        for division_id in &scopes {
            let rows = file
                .overall_leaderboard(*division_id, None, None)
                .map_err(|error| store_error("overall leaderboard", error))?;
            overall_leaderboards.push(OverallLeaderboard {
                division_id: *division_id,
                rows,
            });
        }
    }

    let events = file
        .score_events(None)
        .map_err(|error| store_error("amendment log", error))?;
    let mut amendments = Vec::new();
    for event in events
        .into_iter()
        .filter(|event| event.kind == ScoreEventKind::Amend)
    {
        let workout = workouts
            .iter()
            .find(|workout| workout.id == event.workout_id);
        amendments.push(AmendmentLogEntry {
            sequence: amendments.len() as u64 + 1,
            event_id: event.id,
            workout_id: event.workout_id,
            entrant: event.entrant,
            amended_at: event.at.clone(),
            official: event.who.clone(),
            old_value: value_text(workout, event.old.as_ref()),
            new_value: value_text(workout, event.new.as_ref()),
            reason: event.reason.clone().unwrap_or_default(),
            appeal_reference: event.appeal_ref.clone(),
        });
    }

    Ok(ExportData {
        competition,
        divisions,
        competitors,
        teams,
        workouts,
        workout_leaderboards,
        overall_leaderboards,
        amendments,
        generated_at: Utc::now(),
    })
}

/// Takes a snapshot of `file`, backs the file up with SQLite's online backup
/// into a temporary directory, and writes the sealed archive to `output`.
pub fn seal_competition(
    file: &mut CompetitionFile,
    options: &ArchiveOptions,
    output: &Path,
) -> Result<ArchiveSummary, ExportError> {
    let data = gather_export_data(file)?;
    let backup_directory = tempfile::Builder::new()
        .prefix("scoretable-seal-")
        .tempdir()
        .map_err(|error| ExportError::io(std::env::temp_dir(), error))?;
    let backup = file
        .backup_now(backup_directory.path())
        .map_err(|error| store_error("online backup", error))?;
    write_sealed_archive(&data, &backup, options, output)
}
