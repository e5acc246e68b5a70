//! Target configuration checked when a target is added (not at send time),
//! and re-queueing rejected rows after a fix.

use scoretable_store::{endpoint_credential_problem, CompetitionFile, NewSyncTarget, SyncPlatform};
use serde_json::Value;

use crate::adapter::config_text;
use crate::error::{Result, SyncError};
use crate::runsignup::RunSignupConfig;

fn problem(target: &NewSyncTarget, message: impl Into<String>) -> SyncError {
    SyncError::Config {
        target: target.name.trim().to_string(),
        message: message.into(),
    }
}

/// Checks a new target: an http(s) endpoint without credentials in it, and
/// the configuration its platform needs (RunSignup: numeric `race_id` and
/// event ids, known settings; OpenTrack: `organiser_id` and an `event_code`
/// per mapped workout; World Triathlon: numeric `prog_id`s).
pub fn validate_target(target: &NewSyncTarget) -> Result<()> {
    let endpoint = target.endpoint.trim();
    let parsed = reqwest::Url::parse(endpoint).map_err(|error| {
        problem(
            target,
            format!("endpoint {endpoint:?} is not a URL: {error}"),
        )
    })?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
        return Err(problem(
            target,
            "the endpoint must be an http(s) URL with a host",
        ));
    }
    if let Some(message) = endpoint_credential_problem(endpoint) {
        return Err(problem(target, format!("endpoint: {message}")));
    }
    if !target.config.is_object() {
        return Err(problem(target, "config must be a JSON object"));
    }
    let name = target.name.trim();
    match target.platform {
        SyncPlatform::RunSignup => {
            RunSignupConfig::from_value(name, &target.config)?;
            for workout in &target.workouts {
                if workout.remote_id.trim().parse::<u64>().is_err() {
                    return Err(problem(
                        target,
                        format!(
                            "workout {}: RunSignup event_id {:?} must be a number",
                            workout.workout_id, workout.remote_id
                        ),
                    ));
                }
            }
        }
        SyncPlatform::RunSignupVirtual => {
            let race = config_text(&target.config, "race_id").unwrap_or_default();
            if race.is_empty() || !race.bytes().all(|byte| byte.is_ascii_digit()) {
                return Err(problem(target, "RunSignup needs a numeric race_id"));
            }
        }
        SyncPlatform::OpenTrack => {
            if config_text(&target.config, "organiser_id").is_none() {
                return Err(problem(
                    target,
                    "OpenTrack needs organiser_id (from the organisation page's URL): \
                     --set organiser_id=...",
                ));
            }
            for workout in &target.workouts {
                let code = target
                    .config
                    .get("event_codes")
                    .and_then(|codes| codes.get(workout.workout_id.to_string()))
                    .and_then(Value::as_str)
                    .unwrap_or("");
                if !crate::opentrack::valid_event_code(code) {
                    return Err(problem(
                        target,
                        format!(
                            "workout {}: OpenTrack needs its event code (100, 5000, HJ, LJ, \
                             SP ...) in config event_codes, e.g. --config \
                             '{{\"event_codes\": {{\"{}\": \"100\"}}}}'",
                            workout.workout_id, workout.workout_id
                        ),
                    ));
                }
            }
        }
        SyncPlatform::WorldTriathlon => {
            for workout in &target.workouts {
                if workout.remote_id.trim().parse::<u64>().is_err() {
                    return Err(problem(
                        target,
                        format!(
                            "workout {}: World Triathlon prog_id {:?} must be a number",
                            workout.workout_id, workout.remote_id
                        ),
                    ));
                }
            }
        }
    }
    Ok(())
}

/// Queues a target's rejected rows again (all, or one entity and those
/// under it); returns how many.
pub fn retry_rejected(
    file: &mut CompetitionFile,
    target_name: &str,
    entity: Option<&str>,
) -> Result<u64> {
    let target = file.sync_target(target_name)?;
    let entity = entity.map(str::trim).filter(|entity| !entity.is_empty());
    Ok(file.requeue_rejected(target.id, entity)?)
}
