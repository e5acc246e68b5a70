//! Inbound commands: timing-system connections, field mappings, polling,
//! mapped file imports, rehearsals, the conflict inbox and the review queue.
//!
//! ```text
//! scoretable mapping set <name> --workout W [--preset timing-feed|world-triathlon]
//!     [--id FIELD --id-kind KIND] [--team FIELD --team-kind KIND] [--value FIELD]
//!     [--transform as_is|seconds|milliseconds] [--status FIELD] [--status-map WORD=CODE]...
//!     [--tie-break FIELD] [--penalty FIELD] [--incidents FIELD] [--split FIELD=POINT]...
//!     [--record-key FIELD] [--from-json FILE]
//! scoretable mapping show <name> | mapping list
//! scoretable mapping preview <name> <file> [--rows N] [--format F]
//! scoretable connection add <name> --url URL --workout W --mapping M [--format F]
//!     [--interval-ms N] [--auth-env VAR]
//! scoretable connection list | connection status [<name>]
//! scoretable poll <connection> [--watch] [--max-polls N] [--record FILE] [--timeout-ms N]
//! scoretable import <workout> <file> --mapping <name> [--format F]
//! scoretable rehearse <connection> --recording <file> [--workout W] [--mapping M]
//! scoretable conflicts list [--all]
//! scoretable conflicts resolve <id> (--accept --reason R [--appeal REF] | --dismiss [--reason R])
//! scoretable review list [--all] | review assign <id> <bib> | review dismiss <id>
//! ```
//!
//! Identifier kinds: bib, chip, feed_participant_id, triathlon_athlete_id,
//! runsignup_registration_id, opentrack_id, team_name. Formats: csv, json,
//! xml, xlsx, world_triathlon (detected from the file when left out).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Duration;

use clap::{Args, Subcommand};
use scoretable_core::model::Workout;
use scoretable_inbound::{
    import_file, save_mapping, FieldMapping, HttpFetcher, IdentifierField, InboundError,
    PollOutcome, RecordFormat, SplitField, StatusField, ValueField, ValueTransform,
};
use scoretable_store::{
    CompetitionFile, ConnectionState, IdentifierKind, InboundConnection, InboundReport,
    RecordOutcome,
};
use scoretable_usecase::feeds::{state_word, FeedDetails, FeedWatch, PollSettings};
use scoretable_usecase::mappings::{preview_saved, Source};
use scoretable_usecase::review::{
    assign_review, dismiss_review, resolve_conflict, ConflictDecision, ConflictOutcome,
};
use scoretable_usecase::session::{Quiet, Session, SessionSettings};
use serde_json::json;

use crate::commands::scores::operator_name;
use crate::context::{open_competition, resolve_workout};
use crate::convert::{store_error, usecase_error};
use crate::error::{CliError, CliResult};
use crate::output::Output;
use crate::table::{Align, Table};

/// The inbound commands, flattened into the top level of the grammar.
// Parsed once per process, so the size of the largest variant does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum InboundCommand {
    /// Field mappings from a source's fields to Scoretable's.
    #[command(subcommand)]
    Mapping(MappingCommand),
    /// Polled timing-system connections and their health.
    #[command(subcommand)]
    Connection(ConnectionCommand),
    /// Poll a connection once, or keep polling with --watch.
    Poll(PollArgs),
    /// Import a CSV, JSON, XML or xlsx file through a saved mapping.
    Import(ImportArgs),
    /// Replay a recorded feed into a scratch copy and report what would happen.
    Rehearse(RehearseArgs),
    /// The conflict inbox: source values that differ from what was imported.
    #[command(subcommand)]
    Conflicts(ConflictsCommand),
    /// The review queue: records whose participant is unknown.
    #[command(subcommand)]
    Review(ReviewCommand),
}

/// Runs one inbound command.
pub fn run(
    file: Option<&Path>,
    operator: Option<&str>,
    json_mode: bool,
    command: &InboundCommand,
) -> CliResult<Output> {
    match command {
        InboundCommand::Mapping(MappingCommand::Set(arguments)) => mapping_set(file, arguments),
        InboundCommand::Mapping(MappingCommand::Show { name }) => mapping_show(file, name),
        InboundCommand::Mapping(MappingCommand::List) => mapping_list(file),
        InboundCommand::Mapping(MappingCommand::Preview {
            name,
            source,
            rows,
            format,
        }) => mapping_preview(file, name, source, *rows, format.as_deref()),
        InboundCommand::Connection(ConnectionCommand::Add(arguments)) => {
            connection_add(file, arguments)
        }
        InboundCommand::Connection(ConnectionCommand::List) => connection_list(file),
        InboundCommand::Connection(ConnectionCommand::Status { name }) => {
            connection_status(file, name.as_deref())
        }
        InboundCommand::Connection(ConnectionCommand::Test {
            name,
            rows,
            timeout_ms,
        }) => connection_test(file, name, *rows, *timeout_ms),
        InboundCommand::Poll(arguments) => poll(file, json_mode, arguments),
        InboundCommand::Import(arguments) => import(file, arguments),
        InboundCommand::Rehearse(arguments) => rehearse_command(file, arguments),
        InboundCommand::Conflicts(ConflictsCommand::List { all }) => conflicts_list(file, *all),
        InboundCommand::Conflicts(ConflictsCommand::Resolve(arguments)) => {
            conflicts_resolve(file, operator, arguments)
        }
        InboundCommand::Review(ReviewCommand::List { all }) => review_list(file, *all),
        InboundCommand::Review(ReviewCommand::Assign { id, bib }) => {
            review_assign(file, operator, *id, bib)
        }
        InboundCommand::Review(ReviewCommand::Dismiss { id }) => {
            review_dismiss(file, operator, *id)
        }
    }
}

#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum MappingCommand {
    /// Create or replace a field mapping for a workout.
    Set(MappingSetArgs),
    /// Show a saved mapping as JSON.
    Show { name: String },
    /// List saved mappings.
    List,
    /// Show the first rows of a file as the mapping will import them.
    Preview {
        name: String,
        /// The file to preview.
        #[arg(value_name = "FILE")]
        source: PathBuf,
        /// How many rows to show.
        #[arg(long, default_value_t = 10)]
        rows: usize,
        /// csv, json, xml, xlsx or world_triathlon; detected when left out.
        #[arg(long)]
        format: Option<String>,
    },
}

#[derive(Debug, Args)]
pub struct MappingSetArgs {
    pub name: String,
    /// The workout the mapping is for.
    #[arg(long)]
    pub workout: String,
    /// Start from a preset: timing-feed (CompCornerID/Time) or world-triathlon.
    #[arg(long)]
    pub preset: Option<String>,
    /// Read the whole mapping from a JSON file.
    #[arg(long, conflicts_with = "preset")]
    pub from_json: Option<PathBuf>,
    /// The source field identifying the entrant.
    #[arg(long = "id")]
    pub identifier: Option<String>,
    /// What the identifier holds.
    #[arg(long = "id-kind")]
    pub identifier_kind: Option<String>,
    /// The field naming the member's team (workouts summing members).
    #[arg(long)]
    pub team: Option<String>,
    #[arg(long, default_value = "team_name")]
    pub team_kind: String,
    /// The teammate id field (per-member chips): the identifier then names
    /// the team registration and this field the member in it.
    #[arg(long)]
    pub teammate: Option<String>,
    /// What the teammate id holds (matched against members; bibs as fallback).
    #[arg(long, default_value = "feed_participant_id")]
    pub teammate_kind: String,
    /// The result field.
    #[arg(long)]
    pub value: Option<String>,
    /// as_is, seconds or milliseconds.
    #[arg(long)]
    pub transform: Option<String>,
    /// The status field.
    #[arg(long)]
    pub status: Option<String>,
    /// Translate a source status word: WORD=CODE (CODE empty for "no status").
    #[arg(long = "status-map")]
    pub status_map: Vec<String>,
    #[arg(long)]
    pub tie_break: Option<String>,
    #[arg(long)]
    pub penalty: Option<String>,
    #[arg(long)]
    pub incidents: Option<String>,
    /// FIELD=TIMING POINT (name or order), once per split.
    #[arg(long = "split")]
    pub splits: Vec<String>,
    /// The field keying the import ledger, when not the identifier.
    #[arg(long)]
    pub record_key: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum ConnectionCommand {
    /// Add a polled timing-system connection.
    Add(ConnectionAddArgs),
    /// List connections.
    List,
    /// Show connection health: state, message, last success.
    Status { name: Option<String> },
    /// Fetch the feed once and preview it through the mapping, storing nothing.
    Test {
        name: String,
        #[arg(long, default_value_t = 10)]
        rows: usize,
        #[arg(long, default_value_t = 10_000)]
        timeout_ms: u64,
    },
}

#[derive(Debug, Args)]
pub struct ConnectionAddArgs {
    pub name: String,
    #[arg(long)]
    pub url: String,
    #[arg(long)]
    pub workout: String,
    /// The saved mapping to apply.
    #[arg(long)]
    pub mapping: String,
    /// json, world_triathlon, csv or xml.
    #[arg(long, default_value = "json")]
    pub format: String,
    /// Polling interval in milliseconds.
    #[arg(long, default_value_t = 5000)]
    pub interval_ms: u64,
    /// Environment variable holding the Authorization header value.
    #[arg(long)]
    pub auth_env: Option<String>,
}

#[derive(Debug, Args)]
pub struct PollArgs {
    pub connection: String,
    /// Keep polling on the connection's interval (backing off on failures).
    #[arg(long)]
    pub watch: bool,
    /// With --watch: stop after this many polls.
    #[arg(long)]
    pub max_polls: Option<u64>,
    /// Append every payload to this file, for `rehearse`.
    #[arg(long)]
    pub record: Option<PathBuf>,
    /// Give up on a request after this many milliseconds.
    #[arg(long, default_value_t = 10_000)]
    pub timeout_ms: u64,
    /// With --watch: the longest wait between failed polls, in milliseconds.
    #[arg(long, default_value_t = 60_000)]
    pub backoff_cap_ms: u64,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    pub workout: String,
    /// The CSV, JSON, XML or xlsx file.
    #[arg(value_name = "FILE")]
    pub source: PathBuf,
    #[arg(long)]
    pub mapping: String,
    #[arg(long)]
    pub format: Option<String>,
}

#[derive(Debug, Args)]
pub struct RehearseArgs {
    pub connection: String,
    /// A file of successive payloads separated by `---` lines.
    #[arg(long)]
    pub recording: PathBuf,
    /// Rehearse into another workout (default: the connection's).
    #[arg(long)]
    pub workout: Option<String>,
    /// Rehearse with another saved mapping (default: the connection's).
    #[arg(long)]
    pub mapping: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum ConflictsCommand {
    /// List open conflicts (or all with --all).
    List {
        #[arg(long)]
        all: bool,
    },
    /// Accept (amend to the source's value) or dismiss a conflict.
    Resolve(ConflictResolveArgs),
}

#[derive(Debug, Args)]
pub struct ConflictResolveArgs {
    pub id: i64,
    #[arg(long, conflicts_with = "dismiss", required_unless_present = "dismiss")]
    pub accept: bool,
    #[arg(long)]
    pub dismiss: bool,
    /// Required to accept (it is the amendment's reason).
    #[arg(long)]
    pub reason: Option<String>,
    /// Appeal reference for the amendment.
    #[arg(long)]
    pub appeal: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum ReviewCommand {
    /// List open review items (or all with --all).
    List {
        #[arg(long)]
        all: bool,
    },
    /// Assign an unknown record to the entrant with this bib, importing it.
    Assign { id: i64, bib: String },
    /// Ignore an unknown record from now on.
    Dismiss { id: i64 },
}

/// An inbound error, classified once in the use-case layer (every bad
/// record named with its source, record and field).
fn inbound_error(error: InboundError) -> CliError {
    usecase_error(error.into())
}

fn parse_format(word: Option<&str>) -> CliResult<Option<RecordFormat>> {
    match word {
        Some(word) => scoretable_usecase::feeds::parse_format_word(word).map_err(usecase_error),
        None => Ok(None),
    }
}

fn parse_kind(word: &str) -> CliResult<IdentifierKind> {
    scoretable_usecase::mappings::parse_identifier_kind(word).map_err(usecase_error)
}

fn parse_transform(word: &str) -> CliResult<ValueTransform> {
    scoretable_usecase::mappings::parse_value_transform(word).map_err(usecase_error)
}

fn read_file(path: &Path) -> CliResult<Vec<u8>> {
    std::fs::read(path)
        .map_err(|error| CliError::io(format!("cannot read {}: {error}", path.display())))
}

fn build_mapping(
    store: &CompetitionFile,
    workout: &Workout,
    arguments: &MappingSetArgs,
) -> CliResult<FieldMapping> {
    let mut mapping = if let Some(path) = &arguments.from_json {
        let bytes = read_file(path)?;
        serde_json::from_slice::<FieldMapping>(&bytes).map_err(|error| {
            CliError::bad_input(format!("{} is not a mapping: {error}", path.display()))
        })?
    } else {
        match arguments
            .preset
            .as_deref()
            .map(|preset| preset.replace('_', "-"))
        {
            Some(preset) if preset == "timing-feed" || preset == "competition-corner" => {
                FieldMapping::timing_feed(workout)
            }
            Some(preset) if preset == "world-triathlon" || preset == "triathlon" => {
                FieldMapping::world_triathlon(workout)
            }
            Some(preset) => {
                return Err(CliError::bad_input(format!(
                    "unknown preset {preset:?}; expected timing-feed or world-triathlon"
                )))
            }
            None => {
                let previous = store
                    .mapping_by_name(&arguments.name)
                    .map_err(store_error)?
                    .and_then(|saved| serde_json::from_value::<FieldMapping>(saved.mapping).ok());
                match (previous, &arguments.identifier) {
                    (Some(previous), _) => previous,
                    (None, Some(field)) => FieldMapping {
                        identifier: IdentifierField {
                            field: field.clone(),
                            kind: IdentifierKind::Bib,
                        },
                        team: None,
                        teammate: None,
                        value: None,
                        status: None,
                        tie_break: None,
                        penalty: None,
                        incidents: None,
                        splits: Vec::new(),
                        record_key: None,
                    },
                    (None, None) => {
                        return Err(CliError::bad_input(
                            "a new mapping needs --id (the identifying field), a --preset or --from-json",
                        ))
                    }
                }
            }
        }
    };
    if let Some(field) = &arguments.identifier {
        mapping.identifier.field = field.clone();
    }
    if let Some(kind) = &arguments.identifier_kind {
        mapping.identifier.kind = parse_kind(kind)?;
    }
    if let Some(field) = &arguments.team {
        mapping.team = Some(IdentifierField {
            field: field.clone(),
            kind: parse_kind(&arguments.team_kind)?,
        });
    }
    if let Some(field) = &arguments.teammate {
        mapping.teammate = Some(IdentifierField {
            field: field.clone(),
            kind: parse_kind(&arguments.teammate_kind)?,
        });
    }
    if let Some(field) = &arguments.value {
        mapping.value = Some(ValueField {
            field: field.clone(),
            transform: ValueTransform::AsIs,
        });
    }
    if let Some(transform) = &arguments.transform {
        let transform = parse_transform(transform)?;
        match mapping.value.as_mut() {
            Some(value) => value.transform = transform,
            None => return Err(CliError::bad_input("--transform needs a --value field")),
        }
    }
    if let Some(field) = &arguments.status {
        mapping.status = Some(StatusField {
            field: field.clone(),
            values: Default::default(),
        });
    }
    for pair in &arguments.status_map {
        let (word, code) = pair.split_once('=').ok_or_else(|| {
            CliError::bad_input(format!("--status-map {pair:?} should be WORD=CODE"))
        })?;
        match mapping.status.as_mut() {
            Some(status) => {
                status
                    .values
                    .insert(word.trim().to_string(), code.trim().to_string());
            }
            None => return Err(CliError::bad_input("--status-map needs a --status field")),
        }
    }
    let time_field = |field: &String| ValueField {
        field: field.clone(),
        transform: ValueTransform::AsIs,
    };
    if let Some(field) = &arguments.tie_break {
        mapping.tie_break = Some(time_field(field));
    }
    if let Some(field) = &arguments.penalty {
        mapping.penalty = Some(time_field(field));
    }
    if let Some(field) = &arguments.incidents {
        mapping.incidents = Some(field.clone());
    }
    if !arguments.splits.is_empty() {
        mapping.splits = arguments
            .splits
            .iter()
            .map(|pair| {
                let (field, point) = pair.rsplit_once('=').ok_or_else(|| {
                    CliError::bad_input(format!("--split {pair:?} should be FIELD=TIMING POINT"))
                })?;
                Ok(SplitField {
                    field: field.trim().to_string(),
                    timing_point: point.trim().to_string(),
                    transform: ValueTransform::AsIs,
                })
            })
            .collect::<CliResult<_>>()?;
    }
    if let Some(field) = &arguments.record_key {
        mapping.record_key = Some(field.clone());
    }
    Ok(mapping)
}

pub fn mapping_set(file: Option<&Path>, arguments: &MappingSetArgs) -> CliResult<Output> {
    let mut store = open_competition(file)?;
    let workout = resolve_workout(&store, &arguments.workout)?;
    let mapping = build_mapping(&store, &workout, arguments)?;
    save_mapping(&mut store, &arguments.name, Some(workout.id), &mapping).map_err(inbound_error)?;
    let text = format!(
        "Saved mapping {} for workout {}\n{}",
        arguments.name,
        workout.name,
        serde_json::to_string_pretty(&mapping).unwrap_or_default()
    );
    Ok(Output::new(
        text,
        json!({"mapping": arguments.name, "workout_id": workout.id, "fields": mapping}),
    ))
}

pub fn mapping_show(file: Option<&Path>, name: &str) -> CliResult<Output> {
    let store = open_competition(file)?;
    let saved = store
        .mapping_by_name(name)
        .map_err(store_error)?
        .ok_or_else(|| CliError::not_found(format!("unknown mapping {name:?}")))?;
    let text = serde_json::to_string_pretty(&saved.mapping).unwrap_or_default();
    Ok(Output::new(text, &saved))
}

pub fn mapping_list(file: Option<&Path>) -> CliResult<Output> {
    let store = open_competition(file)?;
    let mappings = store.mappings().map_err(store_error)?;
    let workouts = store.workouts().map_err(store_error)?;
    let mut table = Table::new(&[
        ("Name", Align::Left),
        ("Workout", Align::Left),
        ("Updated", Align::Left),
    ]);
    for mapping in &mappings {
        let workout = mapping
            .workout_id
            .and_then(|id| workouts.iter().find(|workout| workout.id == id))
            .map_or(String::new(), |workout| workout.name.clone());
        table.push(vec![
            mapping.name.clone(),
            workout,
            mapping.updated_at.clone(),
        ]);
    }
    Ok(Output::new(table.render(), &mappings))
}

pub fn mapping_preview(
    file: Option<&Path>,
    name: &str,
    path: &Path,
    rows: usize,
    format: Option<&str>,
) -> CliResult<Output> {
    let store = open_competition(file)?;
    let shown = preview_saved(
        &store,
        name,
        &Source::File {
            path,
            format: parse_format(format)?,
        },
        rows,
    )
    .map_err(usecase_error)?;
    Ok(preview_output(&shown))
}

fn preview_output(shown: &scoretable_inbound::Preview) -> Output {
    let mut text = format!(
        "{}: {} ({}), {} records: {} ready, {} waiting, {} invalid\n",
        shown.source_name,
        shown.format.word(),
        shown.encoding.map_or("binary", |encoding| encoding.label()),
        shown.total_records,
        shown.ready,
        shown.waiting,
        shown.invalid
    );
    if !shown.missing_fields.is_empty() {
        text.push_str(&format!(
            "Fields the mapping names but the file lacks: {}\n",
            shown.missing_fields.join(", ")
        ));
    }
    let mut table = Table::new(&[
        (shown.format.record_word(), Align::Right),
        ("State", Align::Left),
        ("Identifier", Align::Left),
        ("Result", Align::Right),
        ("Splits", Align::Right),
        ("Problems", Align::Left),
    ]);
    for row in &shown.rows {
        table.push(vec![
            row.index.to_string(),
            format!("{:?}", row.state).to_lowercase(),
            row.identifier.clone(),
            row.display.clone(),
            row.splits.len().to_string(),
            row.problems
                .iter()
                .map(|problem| format!("{}: {}", problem.field, problem.message))
                .collect::<Vec<_>>()
                .join("; "),
        ]);
    }
    text.push_str(&table.render());
    Output::new(text, shown)
}

pub fn connection_test(
    file: Option<&Path>,
    name: &str,
    rows: usize,
    timeout_ms: u64,
) -> CliResult<Output> {
    let store = open_competition(file)?;
    let mut fetcher = HttpFetcher::new(Duration::from_millis(timeout_ms))
        .map_err(|error| CliError::io(error.to_string()))?;
    let shown = scoretable_inbound::preview_connection(&store, name, &mut fetcher, rows)
        .map_err(inbound_error)?;
    Ok(preview_output(&shown))
}

pub fn connection_add(file: Option<&Path>, arguments: &ConnectionAddArgs) -> CliResult<Output> {
    let mut store = open_competition(file)?;
    let workout = resolve_workout(&store, &arguments.workout)?;
    let format = parse_format(Some(&arguments.format))?.expect("a format was given");
    let connection = scoretable_usecase::feeds::add_connection(
        &mut store,
        &FeedDetails {
            name: &arguments.name,
            url: &arguments.url,
            workout_id: workout.id,
            mapping_name: &arguments.mapping,
            format,
            interval_ms: arguments.interval_ms,
            auth_env: arguments.auth_env.as_deref(),
        },
    )
    .map_err(usecase_error)?;
    Ok(Output::new(
        format!(
            "Added connection {} polling {} every {} ms into {}",
            connection.name, connection.url, connection.interval_ms, workout.name
        ),
        &connection,
    ))
}

fn connections_table(connections: &[InboundConnection]) -> String {
    let mut table = Table::new(&[
        ("Connection", Align::Left),
        ("State", Align::Left),
        ("Last success", Align::Left),
        ("Failures", Align::Right),
        ("Next try", Align::Left),
        ("Message", Align::Left),
    ]);
    for connection in connections {
        let status = &connection.status;
        table.push(vec![
            connection.name.clone(),
            if connection.enabled {
                state_word(status.state).to_string()
            } else {
                "disabled".to_string()
            },
            status
                .last_success_at
                .clone()
                .unwrap_or_else(|| "never".into()),
            status.consecutive_failures.to_string(),
            status.next_attempt_at.clone().unwrap_or_default(),
            status.message.clone().unwrap_or_default(),
        ]);
    }
    table.render()
}

pub fn connection_list(file: Option<&Path>) -> CliResult<Output> {
    let store = open_competition(file)?;
    let connections = store.connections().map_err(store_error)?;
    let mut table = Table::new(&[
        ("Connection", Align::Left),
        ("URL", Align::Left),
        ("Format", Align::Left),
        ("Mapping", Align::Left),
        ("Every", Align::Right),
    ]);
    for connection in &connections {
        table.push(vec![
            connection.name.clone(),
            connection.url.clone(),
            connection.format.clone(),
            connection.mapping_name.clone(),
            format!("{} ms", connection.interval_ms),
        ]);
    }
    Ok(Output::new(table.render(), &connections))
}

pub fn connection_status(file: Option<&Path>, name: Option<&str>) -> CliResult<Output> {
    let store = open_competition(file)?;
    let connections = match name {
        Some(name) => vec![store.connection_by_name(name).map_err(store_error)?],
        None => store.connections().map_err(store_error)?,
    };
    Ok(Output::new(connections_table(&connections), &connections))
}

fn outcome_line(outcome: &PollOutcome) -> String {
    match (&outcome.summary, &outcome.error) {
        (Some(summary), _) => {
            let mut line = format!(
                "{}: ok, {} records: {} imported, {} skipped, {} new conflicts ({} pending), {} unknown, {} waiting, {} invalid",
                outcome.connection,
                summary.records,
                summary.imported,
                summary.unchanged + summary.matched + summary.dismissed + summary.ignored,
                summary.new_conflicts,
                summary.pending_conflicts,
                summary.unknown,
                summary.waiting,
                summary.invalid
            );
            if !summary.provisional_teams.is_empty() {
                line.push_str(&format!(
                    "; partial teams (provisional until every member is scored): {}",
                    summary.provisional_teams.join(", ")
                ));
            }
            for problem in summary.problems.iter().take(5) {
                line.push_str(&format!("\n  {problem}"));
            }
            line
        }
        (None, error) => format!(
            "{}: {} ({}); next try in {} ms",
            outcome.connection,
            state_word(outcome.state),
            error.as_deref().unwrap_or(""),
            outcome.next_poll_in_ms
        ),
    }
}

pub fn poll(file: Option<&Path>, json_mode: bool, arguments: &PollArgs) -> CliResult<Output> {
    let store = open_competition(file)?;
    let connection = store
        .connection_by_name(&arguments.connection)
        .map_err(store_error)?;
    // The same watch the desktop app's background pollers run, here on
    // this thread (a foreground session starts no background work).
    let mut session = Session::new(
        SessionSettings::foreground(operator_name(None)),
        Arc::new(Quiet),
    );
    session.adopt(store).map_err(usecase_error)?;
    let mut recording = match &arguments.record {
        Some(path) => Some(
            std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)
                .map_err(|error| {
                    CliError::io(format!("cannot open {}: {error}", path.display()))
                })?,
        ),
        None => None,
    };
    let mut outcomes: Vec<PollOutcome> = Vec::new();
    let max_polls = if arguments.watch {
        arguments.max_polls
    } else {
        Some(1)
    };
    let mut on_poll = |outcome: &PollOutcome| {
        if arguments.watch {
            // Live progress, one line (or JSON line) per poll.
            let line = if json_mode {
                serde_json::to_string(outcome).unwrap_or_default()
            } else {
                outcome_line(outcome)
            };
            let mut stdout = std::io::stdout().lock();
            let _ = writeln!(stdout, "{line}");
            let _ = stdout.flush();
        }
        outcomes.push(outcome.clone());
    };
    session
        .watch_feed(
            &connection.name,
            FeedWatch {
                settings: PollSettings {
                    fetch_timeout: Duration::from_millis(arguments.timeout_ms),
                    backoff_cap: Duration::from_millis(arguments.backoff_cap_ms.max(1)),
                },
                max_polls,
                stop: Arc::new(AtomicBool::new(false)),
                recording: recording.as_mut().map(|file| file as &mut dyn Write),
            },
            &mut on_poll,
        )
        .map_err(usecase_error)?;
    let text = if arguments.watch {
        format!("{} polls made", outcomes.len())
    } else {
        outcomes
            .iter()
            .map(outcome_line)
            .collect::<Vec<_>>()
            .join("\n")
    };
    // A poll that did not reach the source (or could not use its answer)
    // fails the command, with the reason; with --watch, the last poll decides.
    if let Some(failed) = outcomes
        .last()
        .filter(|outcome| outcome.state != ConnectionState::Ok)
    {
        let message = format!(
            "poll of {} failed: {} ({})",
            failed.connection,
            failed.error.as_deref().unwrap_or("no reason given"),
            state_word(failed.state)
        );
        return Err(match failed.state {
            ConnectionState::BackingOff => CliError::io(message),
            _ => CliError::bad_input(message),
        });
    }
    let status = session
        .file()
        .map_err(usecase_error)?
        .connection_by_name(&connection.name)
        .map_err(store_error)?
        .status;
    Ok(Output::new(
        text,
        json!({"polls": outcomes, "status": status}),
    ))
}

fn ledger_text(report: &InboundReport) -> String {
    let provisional: Vec<String> = report
        .team_progress
        .iter()
        .filter(|team| team.provisional)
        .map(|team| format!("{} ({}/{})", team.name, team.members_scored, team.needed))
        .collect();
    let mut text = ledger_counts(report);
    if !provisional.is_empty() {
        text.push_str(&format!(
            "; partial teams (provisional until every member is scored): {}",
            provisional.join(", ")
        ));
    }
    text
}

fn ledger_counts(report: &InboundReport) -> String {
    format!(
        "{} imported, {} already imported, {} matched existing scores, {} new conflicts ({} pending), {} dismissed, {} unknown (review queue), {} ignored",
        report.imported,
        report.unchanged,
        report.matched,
        report.new_conflicts,
        report.pending_conflicts,
        report.dismissed,
        report.unknown,
        report.ignored
    )
}

pub fn import(file: Option<&Path>, arguments: &ImportArgs) -> CliResult<Output> {
    let mut store = open_competition(file)?;
    let workout = resolve_workout(&store, &arguments.workout)?;
    let report = import_file(
        &mut store,
        workout.id,
        &arguments.mapping,
        &arguments.source,
        parse_format(arguments.format.as_deref())?,
    )
    .map_err(inbound_error)?;
    let text = format!(
        "{} ({}, {} records, {} waiting) into {}: {}",
        report.file_name,
        report.format.word(),
        report.records,
        report.waiting,
        workout.name,
        ledger_text(&report.ledger)
    );
    let mut json = serde_json::to_value(&report).unwrap_or_default();
    // Per-record outcomes can be long; keep the ones that need attention.
    if let Some(records) = json
        .pointer_mut("/ledger/records")
        .and_then(|value| value.as_array_mut())
    {
        records.retain(|record| {
            !matches!(
                record.get("outcome").and_then(|outcome| outcome.as_str()),
                Some("imported" | "unchanged" | "matched")
            )
        });
    }
    Ok(Output::new(text, json))
}

pub fn rehearse_command(file: Option<&Path>, arguments: &RehearseArgs) -> CliResult<Output> {
    let mut store = open_competition(file)?;
    let workout = match &arguments.workout {
        Some(reference) => Some(resolve_workout(&store, reference)?.id),
        None => None,
    };
    let recording = read_file(&arguments.recording)?;
    let report = scoretable_usecase::inbound::rehearse_connection(
        &mut store,
        &arguments.connection,
        workout,
        arguments.mapping.as_deref(),
        &recording,
    )
    .map_err(usecase_error)?;
    let mut text = format!(
        "Rehearsal of {} payloads ({} unusable) into a scratch copy; real results untouched.\n\
         Would import {}, skip {}, raise {} conflicts, queue {} unknown, reject {} invalid records.\n",
        report.payloads,
        report.failed_payloads,
        report.imported,
        report.skipped,
        report.new_conflicts,
        report.unknown,
        report.invalid
    );
    for step in &report.steps {
        match (&step.summary, &step.error) {
            (Some(summary), _) => text.push_str(&format!(
                "  payload {}: {} records, {} imported, {} conflicts, {} unknown, {} invalid\n",
                step.payload,
                summary.records,
                summary.imported,
                summary.new_conflicts,
                summary.unknown,
                summary.invalid
            )),
            (None, error) => text.push_str(&format!(
                "  payload {}: unusable: {}\n",
                step.payload,
                error.as_deref().unwrap_or("")
            )),
        }
    }
    Ok(Output::new(text, &report))
}

pub fn conflicts_list(file: Option<&Path>, all: bool) -> CliResult<Output> {
    let store = open_competition(file)?;
    let conflicts = store.inbound_conflicts(!all).map_err(store_error)?;
    let mut table = Table::new(&[
        ("Id", Align::Right),
        ("State", Align::Left),
        ("Source", Align::Left),
        ("Entrant", Align::Left),
        ("Imported", Align::Right),
        ("Source now", Align::Right),
        ("Seen", Align::Right),
    ]);
    for conflict in &conflicts {
        table.push(vec![
            conflict.id.to_string(),
            format!("{:?}", conflict.state).to_lowercase(),
            conflict.source_name.clone(),
            conflict.entrant_label.clone(),
            conflict.ledger_value.text.clone(),
            conflict.incoming_value.text.clone(),
            conflict.times_seen.to_string(),
        ]);
    }
    Ok(Output::new(table.render(), &conflicts))
}

pub fn conflicts_resolve(
    file: Option<&Path>,
    operator: Option<&str>,
    arguments: &ConflictResolveArgs,
) -> CliResult<Output> {
    let mut store = open_competition(file)?;
    let who = operator_name(operator);
    let decision = if arguments.accept {
        let reason = arguments.reason.as_deref().ok_or_else(|| {
            CliError::bad_input("accepting a conflict amends the score: give --reason")
        })?;
        ConflictDecision::Accept {
            reason,
            appeal: arguments.appeal.as_deref(),
        }
    } else {
        ConflictDecision::Dismiss {
            note: arguments.reason.as_deref().unwrap_or(""),
        }
    };
    match resolve_conflict(&mut store, arguments.id, &who, decision).map_err(usecase_error)? {
        ConflictOutcome::Accepted(resolution) => {
            let text = format!(
                "Conflict {} accepted: {} is now {} ({})",
                arguments.id,
                resolution.conflict.entrant_label,
                resolution.conflict.incoming_value.text,
                match &resolution.amendment {
                    Some(amendment) => format!("amendment {}", amendment.event_id),
                    None => "it already had that value".to_string(),
                }
            );
            Ok(Output::new(text, &resolution))
        }
        ConflictOutcome::Dismissed(conflict) => Ok(Output::new(
            format!(
                "Conflict {} dismissed: {} keeps {}",
                arguments.id, conflict.entrant_label, conflict.ledger_value.text
            ),
            &conflict,
        )),
    }
}

pub fn review_list(file: Option<&Path>, all: bool) -> CliResult<Output> {
    let store = open_competition(file)?;
    let items = store.review_items(!all).map_err(store_error)?;
    let mut table = Table::new(&[
        ("Id", Align::Right),
        ("State", Align::Left),
        ("Source", Align::Left),
        ("Identifier", Align::Left),
        ("Value", Align::Right),
        ("Seen", Align::Right),
        ("Reason", Align::Left),
    ]);
    for item in &items {
        table.push(vec![
            item.id.to_string(),
            format!("{:?}", item.state).to_lowercase(),
            item.source_name.clone(),
            format!("{} {}", item.identifier.kind.word(), item.identifier.value),
            item.record.value.text.clone(),
            item.times_seen.to_string(),
            item.reason.clone(),
        ]);
    }
    Ok(Output::new(table.render(), &items))
}

pub fn review_assign(
    file: Option<&Path>,
    operator: Option<&str>,
    id: i64,
    bib: &str,
) -> CliResult<Output> {
    let mut store = open_competition(file)?;
    let report =
        assign_review(&mut store, id, bib, &operator_name(operator)).map_err(usecase_error)?;
    let outcome = report
        .records
        .first()
        .map(|record| match &record.outcome {
            RecordOutcome::Imported { .. } => "imported".to_string(),
            RecordOutcome::Conflict { .. } => {
                "raised a conflict (the entrant already has another score)".to_string()
            }
            RecordOutcome::Matched { .. } | RecordOutcome::Unchanged { .. } => {
                "matched the entrant's existing score".to_string()
            }
            other => format!("{other:?}"),
        })
        .unwrap_or_default();
    Ok(Output::new(
        format!("Review item {id} assigned to bib {bib}: {outcome}"),
        &report,
    ))
}

pub fn review_dismiss(file: Option<&Path>, operator: Option<&str>, id: i64) -> CliResult<Output> {
    let mut store = open_competition(file)?;
    let item = dismiss_review(&mut store, id, &operator_name(operator)).map_err(usecase_error)?;
    Ok(Output::new(
        format!(
            "Review item {id} dismissed: {} {} will be ignored",
            item.identifier.kind.word(),
            item.identifier.value
        ),
        &item,
    ))
}
