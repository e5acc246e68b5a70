//! `settings`: what the file stores about how it is ranked and backed up.
//! The overall's team-workouts rule and the automatic backup policy live in
//! the file, so every program that opens it follows them.

use std::path::Path;

use scoretable_core::model::{
    OverallMode, OverallSettings, OverallTieBreak, TeamWorkoutsInOverall,
};
use scoretable_core::overall::team_rule_sentence;
use scoretable_store::{BackupPolicy, CompetitionFile};
use serde_json::json;

use crate::args::{BackupPolicyArgs, OnOffArg, TeamWorkoutsArg};
use crate::context::{open_competition, open_for_reading};
use crate::convert::store_error;
use crate::error::CliResult;
use crate::options::option_error;
use crate::output::Output;

fn mode_text(mode: &OverallMode) -> String {
    match mode {
        OverallMode::RankSum => "rank sum".to_string(),
        OverallMode::PointsTable { points, floor } => {
            format!("points table ({} places, then {floor})", points.len())
        }
        OverallMode::Cumulative => "cumulative".to_string(),
    }
}

fn tie_break_text(store: &CompetitionFile, tie_break: OverallTieBreak) -> String {
    match tie_break {
        OverallTieBreak::BestFinish => "best finish".to_string(),
        OverallTieBreak::Equal => "equal (shared places)".to_string(),
        OverallTieBreak::Workout { workout_id } => {
            let name = store
                .workouts()
                .ok()
                .and_then(|workouts| {
                    workouts
                        .into_iter()
                        .find(|workout| workout.id == workout_id)
                })
                .map(|workout| workout.name)
                .unwrap_or_else(|| workout_id.to_string());
            format!("better place in {name}")
        }
    }
}

fn policy_text(policy: &BackupPolicy) -> String {
    if !policy.automatic {
        return "off".to_string();
    }
    let mut when = Vec::new();
    if policy.every_writes > 0 {
        when.push(format!("every {} writes", policy.every_writes));
    }
    if policy.every_minutes > 0 {
        when.push(format!("every {} minutes", policy.every_minutes));
    }
    if when.is_empty() {
        when.push("never (no count and no age set)".to_string());
    }
    format!(
        "{}; {} kept (the first, the newest and a spread between) in {}",
        when.join(" or "),
        policy.keep,
        policy.directory.display()
    )
}

fn policy_json(policy: &BackupPolicy) -> serde_json::Value {
    json!({
        "automatic": policy.automatic,
        "every_writes": policy.every_writes,
        "every_minutes": policy.every_minutes,
        "keep": policy.keep,
        "directory": policy.directory.display().to_string(),
    })
}

fn settings_output(store: &CompetitionFile, headline: Option<String>) -> CliResult<Output> {
    let settings: OverallSettings = store.leaderboard_settings().map_err(store_error)?;
    let policy = store.backup_policy().clone();
    let mut text = String::new();
    if let Some(headline) = headline {
        text.push_str(&headline);
        text.push('\n');
    }
    text.push_str(&format!(
        "Overall:        {}, ties: {}\n",
        mode_text(&settings.mode),
        tie_break_text(store, settings.tie_break)
    ));
    text.push_str(&format!(
        "Team workouts:  {} ({})\n",
        settings.team_workouts.code(),
        team_rule_sentence(settings.team_workouts)
    ));
    text.push_str(&format!("Backups:        {}", policy_text(&policy)));
    Ok(Output::new(
        text,
        json!({
            "overall": settings,
            "team_workouts_note": team_rule_sentence(settings.team_workouts),
            "backup_policy": policy_json(&policy),
        }),
    ))
}

pub fn show(file: Option<&Path>) -> CliResult<Output> {
    let store = open_for_reading(file)?;
    let output = settings_output(&store, None)?;
    store.close().map_err(store_error)?;
    Ok(output)
}

pub fn team_workouts(file: Option<&Path>, rule: TeamWorkoutsArg) -> CliResult<Output> {
    let rule = match rule {
        TeamWorkoutsArg::Excluded => TeamWorkoutsInOverall::Excluded,
        TeamWorkoutsArg::TeamPlace => TeamWorkoutsInOverall::TeamPlace,
    };
    let mut store = open_competition(file)?;
    store.set_team_workouts_rule(rule).map_err(store_error)?;
    let output = settings_output(
        &store,
        Some(format!(
            "Team workouts in the individual overall: {}",
            rule.code()
        )),
    )?;
    store.close().map_err(store_error)?;
    Ok(output)
}

pub fn backup_policy(file: Option<&Path>, arguments: &BackupPolicyArgs) -> CliResult<Output> {
    if arguments.keep == Some(0) {
        return Err(option_error("keep", "keep at least 1 backup"));
    }
    if arguments.automatic.is_none()
        && arguments.every_writes.is_none()
        && arguments.every_minutes.is_none()
        && arguments.keep.is_none()
    {
        return Err(option_error(
            "automatic",
            "give at least one of --automatic, --every-writes, --every-minutes, --keep",
        ));
    }
    let mut store = open_competition(file)?;
    let mut policy = store.backup_policy().clone();
    if let Some(automatic) = arguments.automatic {
        policy.automatic = automatic == OnOffArg::On;
    }
    if let Some(every_writes) = arguments.every_writes {
        policy.every_writes = every_writes;
    }
    if let Some(every_minutes) = arguments.every_minutes {
        policy.every_minutes = every_minutes;
    }
    if let Some(keep) = arguments.keep {
        policy.keep = keep;
    }
    store.store_backup_policy(&policy).map_err(store_error)?;
    let output = settings_output(
        &store,
        Some("Backup policy stored in the file.".to_string()),
    )?;
    store.close().map_err(store_error)?;
    Ok(output)
}
