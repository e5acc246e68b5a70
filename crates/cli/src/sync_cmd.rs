//! `scoretable sync ...`: outbound sync to result platforms.
//!
//! - `sync` drains every target's outbox once (waiting through backoff, up to
//!   `--timeout-secs`); `sync --watch` keeps draining as changes arrive, and
//!   with `--host ADDR` also serves World Triathlon messages as a hosted JSON
//!   file;
//! - `sync status`: queued, in flight, acknowledged and rejected counts, last
//!   success, last error and the newest rejections per target;
//! - `sync preview <target>`: what the next sync would change on the platform
//!   and the requests it would send (credentials masked); sends nothing;
//! - `sync target add <name> --platform P --endpoint URL [--race-id N]
//!   [--map WORKOUT=ID ...] [--set KEY=VALUE ...] [--config JSON]`,
//!   `sync target list`, `sync target remove <name>`;
//! - `sync retry <target> [entity]` queues rejected rows again after a
//!   configuration fix;
//! - `sync secret set <target>` reads the secret from stdin (never from the
//!   command line, so it stays out of shell history) and stores it in the OS
//!   keyring (fallback: a 0600 file, see `scoretable_sync::credentials`).

use std::fmt::Write as _;
use std::io::Read as _;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::{Args, Subcommand};
use scoretable_store::TargetWorkout;
use scoretable_sync::{DrainOptions, HostedFeed, Registry, SecretStore, TargetSpec};
use serde_json::{json, Value};

use scoretable_usecase::session::{Quiet, Session, SessionSettings};
use scoretable_usecase::sync_targets::DrainPlan;

use crate::commands::scores::operator_name;
use crate::context::{open_competition, resolve_workout};
use crate::convert::{store_error, usecase_error};
use crate::error::{CliError, CliResult};
use crate::output::Output;

/// `scoretable sync`.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct SyncArgs {
    #[command(subcommand)]
    pub command: Option<SyncCommand>,
    #[command(flatten)]
    pub drain: DrainArgs,
}

/// Options of a drain.
#[derive(Debug, Args)]
pub struct DrainArgs {
    /// Keep running: drain whenever something is queued.
    #[arg(long)]
    pub watch: bool,
    /// Only this target.
    #[arg(long)]
    pub target: Option<String>,
    /// Give up after this many seconds (rows stay queued); with `--watch`, stop then.
    #[arg(long, default_value_t = 300)]
    pub timeout_secs: u64,
    /// Rows per request.
    #[arg(long, default_value_t = scoretable_sync::DEFAULT_BATCH_SIZE)]
    pub batch_size: usize,
    /// First backoff step in milliseconds (full jitter, doubling, capped at 60 s).
    #[arg(long, default_value_t = 500)]
    pub backoff_base_ms: u64,
    /// Per-request timeout in milliseconds; a slower answer is treated as lost.
    #[arg(long, default_value_t = 30_000)]
    pub request_timeout_ms: u64,
    /// How long after the request timeout a request may still be applied by
    /// the platform; rows in flight are read back only after that.
    #[arg(long, default_value_t = 30_000)]
    pub late_landing_ms: u64,
    /// While a target cannot be reached, probe it this often (milliseconds).
    #[arg(long, default_value_t = 1_000)]
    pub probe_interval_ms: u64,
    /// With `--watch`: serve World Triathlon messages at this address.
    #[arg(long)]
    pub host: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum SyncCommand {
    /// Per target: queued, in flight, acknowledged, rejected, last success and errors.
    Status,
    /// What the next sync would change on a target's platform; sends nothing.
    Preview {
        target: String,
        /// At most this many rows.
        #[arg(long, default_value_t = 50)]
        limit: usize,
    },
    /// Queue a target's rejected rows again (after fixing its configuration).
    Retry {
        target: String,
        /// Only this entity (`competition`, `workout/3`, `result/3/c12`) or
        /// those under it (`result/3`: one workout's results).
        entity: Option<String>,
    },
    /// Configure targets.
    #[command(subcommand)]
    Target(TargetCommand),
    /// Store a target's secret (read from stdin).
    #[command(subcommand)]
    Secret(SecretCommand),
}

/// A platform code the built-in registry knows (`-` and `_` both accepted).
fn platform_code(text: &str) -> Result<String, String> {
    let registry = Registry::builtin();
    registry
        .get(text)
        .map(|adapter| adapter.code().to_string())
        .ok_or_else(|| {
            format!(
                "unknown platform; expected one of {}",
                registry
                    .codes()
                    .iter()
                    .map(|code| code.replace('_', "-"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        })
}

#[derive(Debug, Subcommand)]
pub enum TargetCommand {
    /// Add a target; everything it must receive is queued at once.
    Add(TargetAddArgs),
    /// List targets.
    List,
    /// Remove a target, its outbox rows and its secret.
    Remove { name: String },
}

#[derive(Debug, Args)]
pub struct TargetAddArgs {
    pub name: String,
    /// The platform's code, e.g. runsignup or world-triathlon (any platform
    /// the sync crate's registry knows; an unknown one is refused with the list).
    #[arg(long, value_parser = platform_code)]
    pub platform: String,
    /// Base URL, e.g. https://runsignup.com.
    #[arg(long)]
    pub endpoint: String,
    /// RunSignup race id.
    #[arg(long)]
    pub race_id: Option<String>,
    /// WORKOUT=ID: a workout (name or id) and the platform's id for it
    /// (RunSignup event_id, World Triathlon prog_id, OpenTrack event id).
    #[arg(long = "map", value_name = "WORKOUT=ID")]
    pub mappings: Vec<String>,
    /// KEY=VALUE config entries (values parsed as JSON when they are JSON).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub settings: Vec<String>,
    /// A JSON object of config entries.
    #[arg(long)]
    pub config: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum SecretCommand {
    /// Read the secret from stdin and store it.
    Set { target: String },
    /// Delete the stored secret.
    Delete { target: String },
}

/// A sync error, classified once in the use-case layer.
fn sync_error(error: scoretable_sync::SyncError) -> CliError {
    usecase_error(error.into())
}

/// Runs `scoretable sync ...`.
pub fn run(file: Option<&Path>, arguments: &SyncArgs) -> CliResult<Output> {
    match &arguments.command {
        None => drain(file, &arguments.drain),
        Some(SyncCommand::Status) => status(file),
        Some(SyncCommand::Retry { target, entity }) => retry(file, target, entity.as_deref()),
        Some(SyncCommand::Preview { target, limit }) => preview(file, target, *limit),
        Some(SyncCommand::Target(TargetCommand::Add(add))) => target_add(file, add),
        Some(SyncCommand::Target(TargetCommand::List)) => target_list(file),
        Some(SyncCommand::Target(TargetCommand::Remove { name })) => target_remove(file, name),
        Some(SyncCommand::Secret(SecretCommand::Set { target })) => secret_set(file, target),
        Some(SyncCommand::Secret(SecretCommand::Delete { target })) => secret_delete(file, target),
    }
}

fn parse_value(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.to_string()))
}

fn target_add(file: Option<&Path>, arguments: &TargetAddArgs) -> CliResult<Output> {
    let mut store = open_competition(file)?;
    let mut config = match &arguments.config {
        Some(text) => serde_json::from_str::<Value>(text)
            .map_err(|error| CliError::bad_input(format!("--config is not JSON: {error}")))?,
        None => json!({}),
    };
    if !config.is_object() {
        return Err(CliError::bad_input("--config must be a JSON object"));
    }
    if let Some(race_id) = &arguments.race_id {
        config["race_id"] = Value::String(race_id.clone());
    }
    for setting in &arguments.settings {
        let (key, value) = setting
            .split_once('=')
            .ok_or_else(|| CliError::bad_input(format!("--set {setting:?}: expected KEY=VALUE")))?;
        config[key.trim()] = parse_value(value.trim());
    }
    let mut workouts = Vec::new();
    for mapping in &arguments.mappings {
        let (workout, remote_id) = mapping.rsplit_once('=').ok_or_else(|| {
            CliError::bad_input(format!("--map {mapping:?}: expected WORKOUT=ID"))
        })?;
        let workout = resolve_workout(&store, workout)?;
        workouts.push(TargetWorkout {
            workout_id: workout.id,
            remote_id: remote_id.trim().to_string(),
        });
    }
    let spec = TargetSpec {
        name: arguments.name.clone(),
        platform: arguments.platform.clone(),
        endpoint: arguments.endpoint.clone(),
        config,
        workouts,
    };
    let added = scoretable_usecase::sync_targets::add_sync_target(
        &mut store,
        &spec,
        None,
        &SecretStore::default(),
    )
    .map_err(usecase_error)?;
    let (target, queued) = (added.target, added.queued);
    Ok(Output::new(
        format!(
            "Added target {} ({}), {queued} change(s) queued. Store its secret with: \
             scoretable sync secret set {}\n",
            target.name, target.platform, target.name
        ),
        json!({"target": target, "queued": queued}),
    ))
}

fn retry(file: Option<&Path>, target: &str, entity: Option<&str>) -> CliResult<Output> {
    let mut store = open_competition(file)?;
    let queued = scoretable_sync::retry_rejected(&mut store, target, entity).map_err(sync_error)?;
    Ok(Output::new(
        format!(
            "{queued} rejected row(s) of {target} queued again; run `scoretable sync` to send them\n"
        ),
        json!({"target": target, "entity": entity, "queued": queued}),
    ))
}

fn target_list(file: Option<&Path>) -> CliResult<Output> {
    let store = open_competition(file)?;
    let targets = store.sync_targets().map_err(store_error)?;
    let secrets = SecretStore::default();
    let mut text = String::new();
    let mut stored_in = serde_json::Map::new();
    for target in &targets {
        // Where the secret is kept (never the secret itself).
        let location = secrets
            .locate(&target.name, &target.secret_ref)
            .map_err(sync_error)?
            .map(|backend| backend.to_string());
        let _ = writeln!(
            text,
            "{}\t{}\t{}\t{}\tsecret: {}",
            target.name,
            target.platform,
            target.endpoint,
            if target.enabled { "enabled" } else { "paused" },
            location.as_deref().unwrap_or("none stored")
        );
        stored_in.insert(target.name.clone(), json!(location));
    }
    if targets.is_empty() {
        text.push_str("No sync targets.\n");
    }
    Ok(Output::new(
        text,
        json!({ "targets": targets, "secret_stored_in": stored_in }),
    ))
}

fn target_remove(file: Option<&Path>, name: &str) -> CliResult<Output> {
    let mut store = open_competition(file)?;
    let target = store.remove_sync_target(name).map_err(store_error)?;
    SecretStore::default()
        .delete(&target.secret_ref)
        .map_err(sync_error)?;
    Ok(Output::new(
        format!("Removed target {} and its secret.\n", target.name),
        json!({"removed": target.name}),
    ))
}

fn secret_set(file: Option<&Path>, name: &str) -> CliResult<Output> {
    let store = open_competition(file)?;
    let target = store.sync_target(name).map_err(store_error)?;
    let mut secret = String::new();
    std::io::stdin()
        .read_to_string(&mut secret)
        .map_err(|error| CliError::io(format!("cannot read the secret from stdin: {error}")))?;
    let secret = secret.trim_end_matches(['\n', '\r']);
    if secret.is_empty() {
        return Err(CliError::bad_input("the secret on stdin is empty"));
    }
    let backend = SecretStore::default()
        .set(&target.secret_ref, secret)
        .map_err(sync_error)?;
    Ok(Output::new(
        format!("Stored the secret of {} in the {backend}.\n", target.name),
        json!({"target": target.name, "backend": backend.to_string()}),
    ))
}

fn secret_delete(file: Option<&Path>, name: &str) -> CliResult<Output> {
    let store = open_competition(file)?;
    let target = store.sync_target(name).map_err(store_error)?;
    SecretStore::default()
        .delete(&target.secret_ref)
        .map_err(sync_error)?;
    Ok(Output::new(
        format!("Deleted the secret of {}.\n", target.name),
        json!({"target": target.name}),
    ))
}

fn status(file: Option<&Path>) -> CliResult<Output> {
    let store = open_competition(file)?;
    let statuses = scoretable_sync::sync_status(&store).map_err(sync_error)?;
    let mut text = String::new();
    let mut targets = Vec::with_capacity(statuses.len());
    for status in &statuses {
        // The same sentence the app's status strip shows.
        let problem = scoretable_usecase::status::target_view(status).problem;
        let _ = writeln!(
            text,
            "{} ({}): {} queued, {} in flight, {} acknowledged, {} rejected; last success {}",
            status.name,
            status.platform,
            status.queued,
            status.in_flight,
            status.acked,
            status.rejected,
            status.last_success_at.as_deref().unwrap_or("never"),
        );
        if let Some(problem) = &problem {
            let _ = writeln!(text, "  {problem}");
        }
        let mut target = serde_json::to_value(status).unwrap_or(Value::Null);
        if let Value::Object(fields) = &mut target {
            fields.insert("problem".to_string(), json!(problem));
        }
        targets.push(target);
        if let Some(error) = &status.last_error {
            let _ = writeln!(
                text,
                "  last error ({}): {error}",
                status.last_error_at.as_deref().unwrap_or("")
            );
        }
        if let Some(next) = &status.next_attempt_at {
            let _ = writeln!(text, "  backing off until {next}");
        }
        for rejection in &status.recent_rejections {
            let _ = writeln!(
                text,
                "  rejected {}: {}",
                rejection.entity,
                rejection.last_error.as_deref().unwrap_or("")
            );
        }
        for duplicate in &status.duplicates {
            let _ = writeln!(text, "  held twice: {duplicate}");
        }
    }
    if statuses.is_empty() {
        text.push_str("No sync targets.\n");
    }
    Ok(Output::new(text, json!({ "targets": targets })))
}

fn preview(file: Option<&Path>, target: &str, limit: usize) -> CliResult<Output> {
    let store = open_competition(file)?;
    let preview = scoretable_sync::preview_target(&store, target, limit).map_err(sync_error)?;
    let mut text = String::new();
    for change in &preview.changes {
        let _ = writeln!(
            text,
            "{:<14} {}{}",
            change.action,
            change.entity,
            change
                .note
                .as_ref()
                .map(|note| format!(" ({note})"))
                .unwrap_or_default()
        );
        if let Some(after) = &change.after {
            let _ = writeln!(
                text,
                "    before: {}\n    after:  {}",
                change
                    .before
                    .as_ref()
                    .map(Value::to_string)
                    .unwrap_or_else(|| "(nothing)".to_string()),
                after
            );
        }
    }
    for request in &preview.requests {
        let _ = writeln!(
            text,
            "{} {} [{}] {:?}\n{}",
            request.method, request.url, request.content_type, request.form, request.body
        );
    }
    if preview.changes.is_empty() {
        text.push_str("Nothing queued.\n");
    }
    Ok(Output::new(text, &preview))
}

fn drain(file: Option<&Path>, arguments: &DrainArgs) -> CliResult<Output> {
    let store = open_competition(file)?;
    let deadline = Instant::now() + Duration::from_secs(arguments.timeout_secs);
    let hosted_feed = arguments.host.as_ref().map(|_| HostedFeed::default());
    let _server = match (&arguments.host, &hosted_feed) {
        (Some(address), Some(feed)) => Some(feed.serve(address).map_err(sync_error)?),
        _ => None,
    };
    let options = DrainOptions {
        batch_size: arguments.batch_size.max(1),
        wait_for_backoff: true,
        deadline: Some(deadline),
        backoff_base: Duration::from_millis(arguments.backoff_base_ms.max(1)),
        request_timeout: Duration::from_millis(arguments.request_timeout_ms.max(1)),
        late_landing: Duration::from_millis(arguments.late_landing_ms),
        probe_interval: Duration::from_millis(arguments.probe_interval_ms.max(10)),
        hosted_feed,
        ..DrainOptions::default()
    };
    // The same drain the desktop app's "sync now" runs; with --watch,
    // again every 100 ms until the deadline.
    let mut session = Session::new(
        SessionSettings::foreground(operator_name(None)),
        Arc::new(Quiet),
    );
    session.adopt(store).map_err(usecase_error)?;
    let reports = session
        .drain(&DrainPlan {
            target: arguments.target.as_deref(),
            watch_until: arguments.watch.then_some(deadline),
            options: &options,
            secrets: &SecretStore::default(),
        })
        .map_err(usecase_error)?;
    let mut text = String::new();
    for report in &reports {
        let _ = writeln!(
            text,
            "{}: {} acknowledged, {} rejected, {} skipped, {} retried, {} reconciled in {} request(s){}",
            report.target,
            report.acked,
            report.rejected,
            report.skipped,
            report.retried,
            report.reconciled,
            report.requests,
            if report.drained { "; drained" } else { "; NOT drained" }
        );
        if let Some(error) = &report.last_error {
            let _ = writeln!(text, "  last error: {error}");
        }
    }
    Ok(Output::new(text, json!({ "reports": reports })))
}
