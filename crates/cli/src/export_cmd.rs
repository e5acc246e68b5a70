//! `scoretable export ...`: the day-end exports from the command line.
//!
//! Every subcommand resolves names (workouts, divisions, timing points) to
//! ids and hands an [`ExportRequest`] to [`scoretable_export::run_export`],
//! the export crate's shared orchestration, so the CLI, the desktop app's
//! export dialog and the sealed archive write exactly the same bytes:
//!
//! - `export csv --workout W [--division D] -o F` and
//!   `export csv --overall [--division D] -o F`: results CSV;
//! - `export json -o F`: the versioned results JSON document;
//! - `export runsignup --workout W --format csv|json|xml -o F`: a file in a
//!   shape RunSignup's "Post Event Results" accepts, for manual upload
//!   (`--split-id`, `--division-id`, `--split-places`, `--custom-field`);
//! - `export pdf [--division D] -o F`: printable results;
//! - `export awards --format pdf|csv -o F`: the top-N award list;
//! - `export all --dir DIR`: every file above, in one directory tree;
//! - `export seal -o F.zip`: the sealed archive (exports, an online backup of
//!   the competition file, the amendment log, a SHA-256 manifest and a hash
//!   chain over the amendments);
//! - `export verify F.zip`: re-checks a sealed archive; exit code 1 when
//!   anything in it was changed, added or removed.
//!
//! The export crate writes files to a temporary name beside the target and
//! renames them into place, and refuses to write over the competition file.
//! Warnings (a name with characters no font can print) are listed after the
//! files.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use clap::{Args, Subcommand, ValueEnum};
use scoretable_core::model::{Id, Workout};
use scoretable_export::{
    AwardBasis, AwardRules, AwardsFormat, ExportError, ExportRequest, ExportSummary,
    RunSignupCustomField, RunSignupFormat, RunSignupOptions, RunSignupStatusPolicy, SkipReason,
    SkippedExport,
};
use scoretable_store::CompetitionFile;
use serde::Serialize;

use crate::context::{open_for_reading, required_file, resolve_division, resolve_workout};
use crate::error::{CliError, CliResult, ErrorKind, Problem};
use crate::options::option_error;
use crate::output::Output;
use crate::table::{Align, Table};

/// The `export` subcommands.
#[derive(Debug, Subcommand)]
pub enum ExportCommand {
    /// Results CSV of one workout (or the overall standings), whole field or one division.
    Csv(ExportCsvArgs),
    /// The whole competition as one versioned results JSON document.
    Json(ExportJsonArgs),
    /// One workout's results in a shape RunSignup accepts, for manual upload.
    #[command(name = "runsignup")]
    RunSignup(ExportRunSignupArgs),
    /// Printable results of one division (or everyone) as a PDF.
    Pdf(ExportPdfArgs),
    /// The top-N award list as a certificate-style PDF or a CSV.
    Awards(ExportAwardsArgs),
    /// Every export at once into a directory: the day-end one-shot.
    All(ExportAllArgs),
    /// Write the sealed day-end archive: all exports, an online backup of the
    /// competition file and the amendment log, sealed by a SHA-256 manifest.
    Seal(ExportSealArgs),
    /// Check a sealed archive; exits with 1 when it is not intact.
    Verify(ExportVerifyArgs),
}

#[derive(Debug, Args)]
#[command(group = clap::ArgGroup::new("board").required(true).args(["workout", "overall"]))]
pub struct ExportCsvArgs {
    /// The workout (id or name) whose leaderboard to export.
    #[arg(long)]
    pub workout: Option<String>,
    /// Export the overall standings across workouts instead of one workout.
    #[arg(long)]
    pub overall: bool,
    /// With --overall in a competition with team and individual workouts:
    /// the team overall (teams ranked on their team workouts only).
    #[arg(long, requires = "overall")]
    pub teams: bool,
    /// Only this division (name or id), ranked by division place.
    #[arg(long)]
    pub division: Option<String>,
    /// Where to write the CSV.
    #[arg(long, short = 'o')]
    pub output: PathBuf,
}

#[derive(Debug, Args)]
pub struct ExportJsonArgs {
    /// Where to write the JSON.
    #[arg(long, short = 'o')]
    pub output: PathBuf,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum RunSignupFormatArg {
    Csv,
    Json,
    Xml,
}

#[derive(Debug, Args)]
pub struct ExportRunSignupArgs {
    /// The workout (id or name); it must be scored by time.
    #[arg(long)]
    pub workout: String,
    /// RunSignup's request format.
    #[arg(long, value_enum)]
    pub format: RunSignupFormatArg,
    /// Export this division's leaderboard (name or id) instead of the whole field.
    #[arg(long)]
    pub division: Option<String>,
    /// Write LAP and NC as DNF and WD as DNS; without it such statuses stop the export.
    #[arg(long)]
    pub map_statuses: bool,
    /// `Timing Point=<RunSignup split id>`; repeat for each. With at least
    /// one, only the mapped timing points are written; without any, every
    /// timing point is written under its Scoretable id.
    #[arg(long = "split-id")]
    pub split_ids: Vec<String>,
    /// `Division=<RunSignup division id>`; repeat for each. Each mapped
    /// division gets a `division-<id>-place` field.
    #[arg(long = "division-id")]
    pub division_ids: Vec<String>,
    /// Add `split-<id>-place` after each split: the position at that timing
    /// point among everyone who reached it.
    #[arg(long)]
    pub split_places: bool,
    /// `club|country|gender=<RunSignup custom field id>`; repeat for each.
    /// Writes that entrant field as `custom-field-<id>`.
    #[arg(long = "custom-field")]
    pub custom_fields: Vec<String>,
    /// Where to write the file.
    #[arg(long, short = 'o')]
    pub output: PathBuf,
}

#[derive(Debug, Args)]
pub struct ExportPdfArgs {
    /// Only this division (name or id); everyone when left out.
    #[arg(long)]
    pub division: Option<String>,
    /// Where to write the PDF.
    #[arg(long, short = 'o')]
    pub output: PathBuf,
}

/// How many awards go to whom; shared by `awards`, `all` and `seal`.
#[derive(Debug, Args)]
pub struct AwardFlags {
    /// Give awards from this workout's leaderboard (id or name) instead of the overall standings.
    #[arg(long)]
    pub workout: Option<String>,
    /// Awards in each division.
    #[arg(long, default_value_t = 3)]
    pub per_division: u32,
    /// Awards for the top of the whole field, given before division awards.
    #[arg(long, default_value_t = 0)]
    pub overall: u32,
    /// Awards for the top of each gender across the whole field (e.g. 3 for
    /// top 3 Female overall and top 3 Male overall), given after the overall
    /// awards and before division awards.
    #[arg(long, default_value_t = 0)]
    pub gender_overall: u32,
    /// No double awards: an overall winner takes no gender-overall or
    /// division award, a gender-overall winner no division award; the next
    /// athlete moves up.
    #[arg(long)]
    pub no_double_awards: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum AwardsFormatArg {
    Pdf,
    Csv,
}

#[derive(Debug, Args)]
pub struct ExportAwardsArgs {
    #[arg(long, value_enum)]
    pub format: AwardsFormatArg,
    #[command(flatten)]
    pub awards: AwardFlags,
    /// Where to write the award list.
    #[arg(long, short = 'o')]
    pub output: PathBuf,
}

#[derive(Debug, Args)]
pub struct ExportAllArgs {
    /// The directory to write into; created when missing.
    #[arg(long)]
    pub dir: PathBuf,
    /// Write LAP and NC as DNF and WD as DNS in the RunSignup files; without
    /// it a workout with such a status gets no RunSignup files.
    #[arg(long)]
    pub map_statuses: bool,
    /// Leave the award list out.
    #[arg(long)]
    pub no_awards: bool,
    #[command(flatten)]
    pub awards: AwardFlags,
}

#[derive(Debug, Args)]
pub struct ExportSealArgs {
    /// Where to write the archive, e.g. `day-end.zip`.
    #[arg(long, short = 'o')]
    pub output: PathBuf,
    /// Write LAP and NC as DNF and WD as DNS in the RunSignup files; without
    /// it a workout with such a status gets no RunSignup files.
    #[arg(long)]
    pub map_statuses: bool,
    /// Leave the award list out.
    #[arg(long)]
    pub no_awards: bool,
    #[command(flatten)]
    pub awards: AwardFlags,
}

#[derive(Debug, Args)]
pub struct ExportVerifyArgs {
    /// The sealed archive to check.
    pub archive: PathBuf,
}

/// Runs one `export` subcommand.
pub fn run(file: Option<&Path>, command: &ExportCommand) -> CliResult<Output> {
    match command {
        ExportCommand::Csv(arguments) => export_csv(file, arguments),
        ExportCommand::Json(arguments) => export_json(file, arguments),
        ExportCommand::RunSignup(arguments) => export_runsignup(file, arguments),
        ExportCommand::Pdf(arguments) => export_pdf(file, arguments),
        ExportCommand::Awards(arguments) => export_awards(file, arguments),
        ExportCommand::All(arguments) => export_all(file, arguments),
        ExportCommand::Seal(arguments) => export_seal(file, arguments),
        ExportCommand::Verify(arguments) => export_verify(&arguments.archive),
    }
}

pub use scoretable_export::WrittenFile;

/// An export error's message in the CLI's words: the export crate words a
/// refused RunSignup status for programmers (it names the option type);
/// scorekeepers get the command-line flag instead.
fn export_error_message(error: &ExportError) -> String {
    match error {
        ExportError::RunSignupStatus {
            workout,
            bib,
            name,
            status,
        } => format!(
            "workout \"{workout}\": bib {bib} ({name}) has status {status}, which RunSignup does \
             not accept (it takes DQ, DNS, DNF and DNQ); pass --map-statuses to write LAP and NC \
             as DNF and WD as DNS, or amend the status first"
        ),
        _ => error.to_string(),
    }
}

/// Sorts an export error into a CLI error, keeping the export crate's wording.
pub fn export_error(error: ExportError) -> CliError {
    let message = export_error_message(&error);
    let kind = match &error {
        ExportError::UnknownWorkout { .. }
        | ExportError::UnknownDivision { .. }
        | ExportError::MissingLeaderboard { .. }
        | ExportError::NothingToExport { .. } => ErrorKind::NotFound,
        ExportError::RunSignupScoreType { .. } | ExportError::RunSignupStatus { .. } => {
            ErrorKind::Refused
        }
        ExportError::OutputIsCompetitionFile { .. } => {
            return option_error("output", message);
        }
        ExportError::InvalidOption { field, message } => {
            return option_error(&field.replace(' ', "-"), message.clone());
        }
        ExportError::UnknownEntrant { .. } | ExportError::Render { .. } => ErrorKind::Store,
        ExportError::Io { .. }
        | ExportError::Archive { .. }
        | ExportError::Write { .. }
        | ExportError::CreateDirectory { .. } => ErrorKind::Io,
    };
    CliError {
        kind,
        message,
        problems: Vec::new(),
    }
}

/// A skipped export in the CLI's words.
fn skipped_text(skipped: &SkippedExport) -> String {
    match &skipped.reason {
        SkipReason::Refused(error) => format!("{}: {}", skipped.what, export_error_message(error)),
        SkipReason::Nothing(_) => skipped.describe(),
    }
}

/// Runs `request` on the competition file.
fn run_request(file: Option<&Path>, request: &ExportRequest) -> CliResult<ExportSummary> {
    let mut store = open_for_reading(file)?;
    scoretable_export::run_export(&mut store, request).map_err(export_error)
}

/// Appends the summary's warnings to a report's text.
fn push_warnings(text: &mut String, warnings: &[String]) {
    for warning in warnings {
        let _ = writeln!(text, "warning: {warning}");
    }
}

/// The report of a command that wrote one file.
fn single_file_output(summary: ExportSummary) -> Output {
    let written = summary.files.into_iter().next();
    let mut text = match &written {
        Some(written) => format!(
            "Wrote {} ({} bytes): {}",
            written.path, written.bytes, written.contents
        ),
        None => "Nothing written".to_string(),
    };
    if !summary.warnings.is_empty() {
        text.push('\n');
        push_warnings(&mut text, &summary.warnings);
    }
    Output::new(
        text,
        serde_json::json!({ "written": written.into_iter().collect::<Vec<_>>(), "warnings": summary.warnings }),
    )
}

/// The report of a command that wrote several files.
fn files_table(files: &[WrittenFile], base: Option<&Path>) -> String {
    let mut table = Table::new(&[
        ("File", Align::Left),
        ("Bytes", Align::Right),
        ("Contents", Align::Left),
    ]);
    for file in files {
        let shown = match base {
            Some(base) => Path::new(&file.path)
                .strip_prefix(base)
                .map(|relative| relative.display().to_string())
                .unwrap_or_else(|_| file.path.clone()),
            None => file.path.clone(),
        };
        table.push(vec![shown, file.bytes.to_string(), file.contents.clone()]);
    }
    table.render()
}

fn optional_division_id(store: &CompetitionFile, reference: Option<&str>) -> CliResult<Option<Id>> {
    reference
        .map(|reference| resolve_division(store, reference).map(|division| division.id))
        .transpose()
}

fn export_csv(file: Option<&Path>, arguments: &ExportCsvArgs) -> CliResult<Output> {
    let store = open_for_reading(file)?;
    let division_id = optional_division_id(&store, arguments.division.as_deref())?;
    let request = match &arguments.workout {
        Some(reference) => ExportRequest::WorkoutCsv {
            workout_id: resolve_workout(&store, reference)?.id,
            division_id,
            output: arguments.output.clone(),
        },
        None => ExportRequest::OverallCsv {
            division_id,
            teams: arguments.teams,
            output: arguments.output.clone(),
        },
    };
    drop(store);
    Ok(single_file_output(run_request(file, &request)?))
}

fn export_json(file: Option<&Path>, arguments: &ExportJsonArgs) -> CliResult<Output> {
    let request = ExportRequest::Json {
        output: arguments.output.clone(),
    };
    Ok(single_file_output(run_request(file, &request)?))
}

/// Splits `Name=value` at the last `=`, for `--split-id` and `--division-id`,
/// and checks that the value is a RunSignup id (digits).
fn runsignup_assignment(option: &str, text: &str) -> CliResult<(String, String)> {
    let (name, id) = text.rsplit_once('=').ok_or_else(|| {
        option_error(
            option,
            format!("'{text}' is not of the form 'Name=<RunSignup id>'"),
        )
    })?;
    let (name, id) = (name.trim(), id.trim());
    if name.is_empty() {
        return Err(option_error(option, format!("'{text}' names nothing")));
    }
    if id.is_empty() || !id.bytes().all(|byte| byte.is_ascii_digit()) {
        return Err(option_error(
            option,
            format!("'{id}' in '{text}' is not a RunSignup id (RunSignup ids are numbers)"),
        ));
    }
    Ok((name.to_string(), id.to_string()))
}

/// Finds a timing point of `workout` by name (case-insensitive) or id.
fn resolve_timing_point(workout: &Workout, reference: &str) -> CliResult<Id> {
    if let Some(point) = workout
        .timing_points
        .iter()
        .find(|point| point.name.eq_ignore_ascii_case(reference))
    {
        return Ok(point.id);
    }
    if let Ok(id) = reference.parse::<Id>() {
        if workout.timing_points.iter().any(|point| point.id == id) {
            return Ok(id);
        }
    }
    let known: Vec<&str> = workout
        .timing_points
        .iter()
        .map(|point| point.name.as_str())
        .collect();
    let hint = if known.is_empty() {
        format!("workout {} has no timing points", workout.name)
    } else {
        format!("timing points of {}: {}", workout.name, known.join(", "))
    };
    Err(option_error(
        "split-id",
        format!("unknown timing point {reference:?}; {hint}"),
    ))
}

fn status_policy(map_statuses: bool) -> RunSignupStatusPolicy {
    if map_statuses {
        RunSignupStatusPolicy::MapToNearest
    } else {
        RunSignupStatusPolicy::Reject
    }
}

fn export_runsignup(file: Option<&Path>, arguments: &ExportRunSignupArgs) -> CliResult<Output> {
    let store = open_for_reading(file)?;
    let workout = resolve_workout(&store, &arguments.workout)?;
    let division_id = optional_division_id(&store, arguments.division.as_deref())?;
    let mut options = RunSignupOptions {
        division_id,
        status_policy: status_policy(arguments.map_statuses),
        split_ids: None,
        division_ids: BTreeMap::new(),
        ..RunSignupOptions::default()
    };
    if !arguments.split_ids.is_empty() {
        let mut split_ids = BTreeMap::new();
        for text in &arguments.split_ids {
            let (point, id) = runsignup_assignment("split-id", text)?;
            split_ids.insert(resolve_timing_point(&workout, &point)?, id);
        }
        options.split_ids = Some(split_ids);
    }
    for text in &arguments.division_ids {
        let (name, id) = runsignup_assignment("division-id", text)?;
        let mapped = resolve_division(&store, &name)?;
        options.division_ids.insert(mapped.id, id);
    }
    options.split_places = arguments.split_places;
    for text in &arguments.custom_fields {
        let (name, id) = runsignup_assignment("custom-field", text)?;
        let source = RunSignupCustomField::parse(&name).ok_or_else(|| {
            option_error(
                "custom-field",
                format!("'{name}' in '{text}' is not club, country or gender"),
            )
        })?;
        options.custom_fields.insert(id, source);
    }
    drop(store);
    let request = ExportRequest::RunSignup {
        workout_id: workout.id,
        format: match arguments.format {
            RunSignupFormatArg::Csv => RunSignupFormat::Csv,
            RunSignupFormatArg::Json => RunSignupFormat::Json,
            RunSignupFormatArg::Xml => RunSignupFormat::Xml,
        },
        options,
        output: arguments.output.clone(),
    };
    Ok(single_file_output(run_request(file, &request)?))
}

fn export_pdf(file: Option<&Path>, arguments: &ExportPdfArgs) -> CliResult<Output> {
    let store = open_for_reading(file)?;
    let division_id = optional_division_id(&store, arguments.division.as_deref())?;
    drop(store);
    let request = ExportRequest::Pdf {
        division_id,
        output: arguments.output.clone(),
    };
    Ok(single_file_output(run_request(file, &request)?))
}

/// The award rules the flags describe.
fn award_rules(store: &CompetitionFile, flags: &AwardFlags) -> CliResult<AwardRules> {
    let basis = match &flags.workout {
        Some(reference) => AwardBasis::Workout(resolve_workout(store, reference)?.id),
        None => AwardBasis::Overall,
    };
    if flags.per_division == 0 && flags.overall == 0 && flags.gender_overall == 0 {
        return Err(option_error(
            "per-division",
            "with --per-division 0, --overall 0 and --gender-overall 0 there would be no awards",
        ));
    }
    Ok(AwardRules {
        basis,
        overall_awards: flags.overall,
        gender_overall_awards: flags.gender_overall,
        awards_per_division: flags.per_division,
        overall_winners_also_take_division_awards: !flags.no_double_awards,
    })
}

fn export_awards(file: Option<&Path>, arguments: &ExportAwardsArgs) -> CliResult<Output> {
    let store = open_for_reading(file)?;
    let rules = award_rules(&store, &arguments.awards)?;
    drop(store);
    let request = ExportRequest::Awards {
        format: match arguments.format {
            AwardsFormatArg::Pdf => AwardsFormat::Pdf,
            AwardsFormatArg::Csv => AwardsFormat::Csv,
        },
        rules,
        output: arguments.output.clone(),
    };
    let mut summary = run_request(file, &request)?;
    let list = summary.awards.take();
    let warnings = summary.warnings.clone();
    let written = summary.files;
    let mut text = written
        .first()
        .map(|written| {
            format!(
                "Wrote {} ({} bytes): {}",
                written.path, written.bytes, written.contents
            )
        })
        .unwrap_or_default();
    if !warnings.is_empty() {
        text.push('\n');
        push_warnings(&mut text, &warnings);
    }
    Ok(Output::new(
        text,
        serde_json::json!({ "written": written, "awards": list, "warnings": warnings }),
    ))
}

#[derive(Debug, Serialize)]
struct ExportAllReport {
    directory: String,
    files: Vec<WrittenFile>,
    /// Exports left out, with the reason.
    skipped: Vec<String>,
    warnings: Vec<String>,
}

fn export_all(file: Option<&Path>, arguments: &ExportAllArgs) -> CliResult<Output> {
    let store = open_for_reading(file)?;
    let rules = if arguments.no_awards {
        None
    } else {
        Some(award_rules(&store, &arguments.awards)?)
    };
    drop(store);
    let directory = &arguments.dir;
    let request = ExportRequest::All {
        directory: directory.clone(),
        status_policy: status_policy(arguments.map_statuses),
        award_rules: rules,
    };
    let summary = run_request(file, &request)?;
    let files = summary.files;
    let skipped: Vec<String> = summary.skipped.iter().map(skipped_text).collect();
    let total_bytes: u64 = files.iter().map(|file| file.bytes).sum();
    let mut text = format!(
        "Wrote {} files ({total_bytes} bytes) to {}:\n",
        files.len(),
        directory.display()
    );
    text.push_str(&files_table(&files, Some(directory)));
    for reason in &skipped {
        let _ = writeln!(text, "skipped: {reason}");
    }
    push_warnings(&mut text, &summary.warnings);
    let report = ExportAllReport {
        directory: directory.display().to_string(),
        files,
        skipped,
        warnings: summary.warnings,
    };
    Ok(Output::new(text, report))
}

#[derive(Debug, Serialize)]
struct SealReport {
    archive: String,
    archive_bytes: u64,
    archive_sha256: String,
    files: Vec<scoretable_export::archive::ArchivedFile>,
    skipped: Vec<String>,
    warnings: Vec<String>,
    amendment_entries: usize,
    amendment_chain_head: String,
}

fn export_seal(file: Option<&Path>, arguments: &ExportSealArgs) -> CliResult<Output> {
    required_file(file)?;
    let store = open_for_reading(file)?;
    let award_rules = if arguments.no_awards {
        None
    } else {
        Some(award_rules(&store, &arguments.awards)?)
    };
    drop(store);
    let request = ExportRequest::Seal {
        output: arguments.output.clone(),
        status_policy: status_policy(arguments.map_statuses),
        award_rules,
    };
    let summary = run_request(file, &request)?;
    let archive_sha256 = summary
        .files
        .first()
        .map(|written| written.sha256.clone())
        .unwrap_or_default();
    let skipped: Vec<String> = summary.skipped.iter().map(skipped_text).collect();
    let archive = summary
        .archive
        .ok_or_else(|| CliError::io("the seal wrote no archive summary"))?;

    let mut table = Table::new(&[
        ("File", Align::Left),
        ("Bytes", Align::Right),
        ("SHA-256", Align::Left),
    ]);
    for archived in &archive.files {
        table.push(vec![
            archived.path.clone(),
            archived.size_bytes.to_string(),
            archived.sha256.clone(),
        ]);
    }
    let mut text = format!(
        "Sealed {} ({} bytes, {} files plus MANIFEST.sha256)\n",
        archive.path.display(),
        archive.archive_bytes,
        archive.files.len()
    );
    let _ = writeln!(text, "archive sha256: {archive_sha256}");
    let _ = writeln!(
        text,
        "amendment chain head: {} ({} entries)",
        archive.amendment_chain_head, archive.amendment_entries
    );
    text.push_str(&table.render());
    for reason in &skipped {
        let _ = writeln!(text, "skipped: {reason}");
    }
    push_warnings(&mut text, &summary.warnings);
    let report = SealReport {
        archive: archive.path.display().to_string(),
        archive_bytes: archive.archive_bytes,
        archive_sha256,
        files: archive.files,
        skipped,
        warnings: summary.warnings,
        amendment_entries: archive.amendment_entries,
        amendment_chain_head: archive.amendment_chain_head,
    };
    Ok(Output::new(text, report))
}

fn export_verify(archive: &Path) -> CliResult<Output> {
    let verification = scoretable_export::verify_archive(archive).map_err(|error| {
        // A file that is not a zip at all cannot be intact either.
        let message = format!("{} is not intact: {error}", archive.display());
        CliError {
            kind: ErrorKind::NotIntact,
            message,
            problems: Vec::new(),
        }
    })?;
    if !verification.is_intact() {
        let count = verification.problems.len();
        let problems = verification
            .problems
            .iter()
            .map(|problem| Problem {
                file: Some(archive.display().to_string()),
                row: None,
                field: None,
                message: problem.clone(),
            })
            .collect();
        return Err(CliError {
            kind: ErrorKind::NotIntact,
            message: format!(
                "{} is not intact: {count} problem{} found",
                archive.display(),
                if count == 1 { "" } else { "s" }
            ),
            problems,
        });
    }
    let text = format!(
        "{} is intact: {} files match the manifest; amendment chain of {} entries, head {}",
        archive.display(),
        verification.files_checked,
        verification.amendment_entries,
        verification.amendment_chain_head
    );
    Ok(Output::new(
        text,
        serde_json::json!({
            "archive": archive.display().to_string(),
            "intact": true,
            "files_checked": verification.files_checked,
            "amendment_entries": verification.amendment_entries,
            "amendment_chain_head": verification.amendment_chain_head,
        }),
    ))
}
