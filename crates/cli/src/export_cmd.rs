//! `scoretable export ...`: the day-end exports from the command line.
//!
//! Every subcommand takes one snapshot of the competition file with
//! [`scoretable_export::gather_export_data`] and renders it with the export
//! crate, so the CLI, the desktop app's export dialog and the sealed archive
//! write exactly the same bytes:
//!
//! - `export csv --workout W [--division D] -o F` and
//!   `export csv --overall [--division D] -o F`: results CSV;
//! - `export json -o F`: the versioned results JSON document;
//! - `export runsignup --workout W --format csv|json|xml -o F`: a file in a
//!   shape RunSignup's "Post Event Results" accepts, for manual upload;
//! - `export pdf [--division D] -o F`: printable results;
//! - `export awards --format pdf|csv -o F`: the top-N award list;
//! - `export all --dir DIR`: every file above, in one directory tree;
//! - `export seal -o F.zip`: the sealed archive (exports, an online backup of
//!   the competition file, the amendment log, a SHA-256 manifest and a hash
//!   chain over the amendments);
//! - `export verify F.zip`: re-checks a sealed archive; exit code 1 when
//!   anything in it was changed, added or removed.
//!
//! Files are written to a temporary name beside the target and renamed into
//! place, so an interrupted export never leaves a half-written file under the
//! final name. No export may overwrite the competition file itself.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use clap::{Args, Subcommand, ValueEnum};
use scoretable_core::model::{Division, Id, ScoreType, Workout};
use scoretable_export::archive::sha256_hex;
use scoretable_export::data::slug;
use scoretable_export::{
    ArchiveOptions, AwardBasis, AwardRules, ExportData, ExportError, Exporter, RunSignupOptions,
    RunSignupStatusPolicy,
};
use scoretable_store::CompetitionFile;
use serde::Serialize;

use crate::context::{open_competition, required_file, resolve_division, resolve_workout};
use crate::convert::store_error;
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
    /// An overall award winner takes no division award; the next athlete moves up.
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

/// One file an export wrote.
#[derive(Debug, Clone, Serialize)]
pub struct WrittenFile {
    pub path: String,
    pub bytes: u64,
    pub sha256: String,
    /// What the file holds, e.g. `results CSV of Fran, Women`.
    pub contents: String,
}

/// Sorts an export error into a CLI error, keeping the export crate's wording.
pub fn export_error(error: ExportError) -> CliError {
    let message = match &error {
        // The export crate words this one for programmers (it names the
        // option type); scorekeepers get the command-line flag instead.
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
    };
    let kind = match &error {
        ExportError::UnknownWorkout { .. }
        | ExportError::UnknownDivision { .. }
        | ExportError::MissingLeaderboard { .. } => ErrorKind::NotFound,
        ExportError::RunSignupScoreType { .. } | ExportError::RunSignupStatus { .. } => {
            ErrorKind::Refused
        }
        ExportError::UnknownEntrant { .. } | ExportError::Render { .. } => ErrorKind::Store,
        ExportError::Io { .. } | ExportError::Archive { .. } => ErrorKind::Io,
    };
    CliError {
        kind,
        message,
        problems: Vec::new(),
    }
}

/// The competition file and one snapshot of it.
struct Snapshot {
    store: CompetitionFile,
    competition_path: PathBuf,
    data: ExportData,
}

fn open_snapshot(file: Option<&Path>) -> CliResult<Snapshot> {
    let competition_path = required_file(file)?;
    let store = open_competition(file)?;
    let data = scoretable_export::gather_export_data(&store).map_err(export_error)?;
    Ok(Snapshot {
        store,
        competition_path,
        data,
    })
}

/// Refuses an output path that is the competition file (or its SQLite
/// journal files), so an export can never destroy stored scores.
fn refuse_competition_file(competition_path: &Path, output: &Path) -> CliResult<()> {
    let Ok(competition) = std::fs::canonicalize(competition_path) else {
        return Ok(());
    };
    let output_absolute = match std::fs::canonicalize(output) {
        Ok(path) => path,
        // A file that does not exist yet cannot be the competition file; its
        // directory may still be, so compare through the parent.
        Err(_) => match (output.parent(), output.file_name()) {
            (Some(parent), Some(name)) => {
                let parent = if parent.as_os_str().is_empty() {
                    Path::new(".")
                } else {
                    parent
                };
                match std::fs::canonicalize(parent) {
                    Ok(parent) => parent.join(name),
                    Err(_) => return Ok(()),
                }
            }
            _ => return Ok(()),
        },
    };
    let journal = |suffix: &str| {
        let mut name = competition.as_os_str().to_os_string();
        name.push(suffix);
        PathBuf::from(name)
    };
    if output_absolute == competition
        || output_absolute == journal("-wal")
        || output_absolute == journal("-shm")
        || output_absolute == journal("-journal")
    {
        return Err(option_error(
            "output",
            format!(
                "{} is the competition file; choose another path for the export",
                output.display()
            ),
        ));
    }
    Ok(())
}

/// Writes `bytes` to `path` through a temporary file renamed into place.
fn write_export(path: &Path, bytes: &[u8], contents: String) -> CliResult<WrittenFile> {
    let file_name = path
        .file_name()
        .ok_or_else(|| option_error("output", format!("{} names no file", path.display())))?;
    let mut temporary_name = file_name.to_os_string();
    temporary_name.push(".partial");
    let temporary = path.with_file_name(temporary_name);
    let write = || -> std::io::Result<()> {
        let mut file = std::fs::File::create(&temporary)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        drop(file);
        std::fs::rename(&temporary, path)
    };
    if let Err(error) = write() {
        let _ = std::fs::remove_file(&temporary);
        return Err(CliError::io(format!(
            "cannot write {}: {error}",
            path.display()
        )));
    }
    Ok(WrittenFile {
        path: path.display().to_string(),
        bytes: bytes.len() as u64,
        sha256: sha256_hex(bytes),
        contents,
    })
}

/// The report of a command that wrote one file.
fn single_file_output(written: WrittenFile) -> Output {
    let text = format!(
        "Wrote {} ({} bytes): {}",
        written.path, written.bytes, written.contents
    );
    Output::new(text, serde_json::json!({ "written": [written] }))
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

fn resolve_optional_division(
    store: &CompetitionFile,
    reference: Option<&str>,
) -> CliResult<Option<Division>> {
    reference
        .map(|reference| resolve_division(store, reference))
        .transpose()
}

fn scope_name(division: Option<&Division>) -> String {
    match division {
        Some(division) => division.name.clone(),
        None => "whole field".to_string(),
    }
}

fn export_csv(file: Option<&Path>, arguments: &ExportCsvArgs) -> CliResult<Output> {
    let snapshot = open_snapshot(file)?;
    refuse_competition_file(&snapshot.competition_path, &arguments.output)?;
    let division = resolve_optional_division(&snapshot.store, arguments.division.as_deref())?;
    let division_id = division.as_ref().map(|division| division.id);
    let exporter = Exporter::new(&snapshot.data);
    let (bytes, contents) = match &arguments.workout {
        Some(reference) => {
            let workout = resolve_workout(&snapshot.store, reference)?;
            let bytes = exporter
                .workout_results_csv(workout.id, division_id)
                .map_err(export_error)?;
            let contents = format!(
                "results CSV of {}, {}",
                workout.name,
                scope_name(division.as_ref())
            );
            (bytes, contents)
        }
        None => {
            if snapshot.data.workouts.is_empty() {
                return Err(CliError::not_found(
                    "there are no workouts yet, so there are no overall standings to export",
                ));
            }
            let bytes = exporter
                .overall_results_csv(division_id)
                .map_err(export_error)?;
            let contents = format!("overall results CSV, {}", scope_name(division.as_ref()));
            (bytes, contents)
        }
    };
    Ok(single_file_output(write_export(
        &arguments.output,
        &bytes,
        contents,
    )?))
}

fn export_json(file: Option<&Path>, arguments: &ExportJsonArgs) -> CliResult<Output> {
    let snapshot = open_snapshot(file)?;
    refuse_competition_file(&snapshot.competition_path, &arguments.output)?;
    let bytes = Exporter::new(&snapshot.data)
        .results_json()
        .map_err(export_error)?;
    let contents = format!(
        "results JSON ({}, {} workouts)",
        scoretable_export::RESULTS_JSON_FORMAT,
        snapshot.data.workouts.len()
    );
    Ok(single_file_output(write_export(
        &arguments.output,
        &bytes,
        contents,
    )?))
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
    let snapshot = open_snapshot(file)?;
    refuse_competition_file(&snapshot.competition_path, &arguments.output)?;
    let workout = resolve_workout(&snapshot.store, &arguments.workout)?;
    let division = resolve_optional_division(&snapshot.store, arguments.division.as_deref())?;
    let mut options = RunSignupOptions {
        division_id: division.as_ref().map(|division| division.id),
        status_policy: status_policy(arguments.map_statuses),
        split_ids: None,
        division_ids: BTreeMap::new(),
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
        let mapped = resolve_division(&snapshot.store, &name)?;
        options.division_ids.insert(mapped.id, id);
    }
    let exporter = Exporter::new(&snapshot.data);
    let bytes = match arguments.format {
        RunSignupFormatArg::Csv => exporter.runsignup_csv(workout.id, &options),
        RunSignupFormatArg::Json => exporter.runsignup_json(workout.id, &options),
        RunSignupFormatArg::Xml => exporter.runsignup_xml(workout.id, &options),
    }
    .map_err(export_error)?;
    let format = match arguments.format {
        RunSignupFormatArg::Csv => "CSV",
        RunSignupFormatArg::Json => "JSON",
        RunSignupFormatArg::Xml => "XML",
    };
    let contents = format!(
        "RunSignup {format} of {}, {}",
        workout.name,
        scope_name(division.as_ref())
    );
    Ok(single_file_output(write_export(
        &arguments.output,
        &bytes,
        contents,
    )?))
}

fn export_pdf(file: Option<&Path>, arguments: &ExportPdfArgs) -> CliResult<Output> {
    let snapshot = open_snapshot(file)?;
    refuse_competition_file(&snapshot.competition_path, &arguments.output)?;
    let division = resolve_optional_division(&snapshot.store, arguments.division.as_deref())?;
    let bytes = Exporter::new(&snapshot.data)
        .division_results_pdf(division.as_ref().map(|division| division.id))
        .map_err(export_error)?;
    let contents = format!(
        "printable results, {}",
        match &division {
            Some(division) => division.name.clone(),
            None => "all competitors".to_string(),
        }
    );
    Ok(single_file_output(write_export(
        &arguments.output,
        &bytes,
        contents,
    )?))
}

/// The award rules the flags describe.
fn award_rules(store: &CompetitionFile, flags: &AwardFlags) -> CliResult<AwardRules> {
    let basis = match &flags.workout {
        Some(reference) => AwardBasis::Workout(resolve_workout(store, reference)?.id),
        None => AwardBasis::Overall,
    };
    if flags.per_division == 0 && flags.overall == 0 {
        return Err(option_error(
            "per-division",
            "with --per-division 0 and --overall 0 there would be no awards",
        ));
    }
    Ok(AwardRules {
        basis,
        overall_awards: flags.overall,
        awards_per_division: flags.per_division,
        overall_winners_also_take_division_awards: !flags.no_double_awards,
    })
}

/// Why awards cannot be drawn from this snapshot, if they cannot.
fn awards_unavailable(data: &ExportData, rules: &AwardRules) -> Option<String> {
    match rules.basis {
        AwardBasis::Overall if data.overall_leaderboards.is_empty() => Some(
            "there are no workouts yet, so there are no overall standings to give awards from"
                .to_string(),
        ),
        _ => None,
    }
}

fn export_awards(file: Option<&Path>, arguments: &ExportAwardsArgs) -> CliResult<Output> {
    let snapshot = open_snapshot(file)?;
    refuse_competition_file(&snapshot.competition_path, &arguments.output)?;
    let rules = award_rules(&snapshot.store, &arguments.awards)?;
    if let Some(reason) = awards_unavailable(&snapshot.data, &rules) {
        return Err(CliError::not_found(reason));
    }
    let exporter = Exporter::new(&snapshot.data);
    let list = exporter.award_list(&rules).map_err(export_error)?;
    let bytes = match arguments.format {
        AwardsFormatArg::Pdf => exporter.awards_pdf(&rules),
        AwardsFormatArg::Csv => exporter.awards_csv(&rules),
    }
    .map_err(export_error)?;
    let award_count: usize = list
        .categories
        .iter()
        .map(|category| category.awards.len())
        .sum();
    let contents = format!(
        "award list {} from {}: {award_count} awards in {} categories",
        match arguments.format {
            AwardsFormatArg::Pdf => "PDF",
            AwardsFormatArg::Csv => "CSV",
        },
        list.basis_name,
        list.categories.len()
    );
    let written = write_export(&arguments.output, &bytes, contents)?;
    let text = format!(
        "Wrote {} ({} bytes): {}",
        written.path, written.bytes, written.contents
    );
    Ok(Output::new(
        text,
        serde_json::json!({ "written": [written], "awards": list }),
    ))
}

/// A file-name slug per division, made unique with the id when two
/// divisions share one (or one is called "all"), as the sealed archive does.
fn division_slugs(divisions: &[Division]) -> Vec<(Option<Id>, String, String)> {
    let mut slugs = vec![(None, "all".to_string(), "whole field".to_string())];
    for division in divisions {
        let base = slug(&division.name);
        let clashes = base == "all"
            || divisions
                .iter()
                .filter(|other| slug(&other.name) == base)
                .count()
                > 1;
        let unique = if clashes {
            format!("{base}-{}", division.id)
        } else {
            base
        };
        slugs.push((Some(division.id), unique, division.name.clone()));
    }
    slugs
}

/// A directory name per workout: `<sequence>-<name slug>`, with the id when
/// two workouts share one.
fn workout_slugs(workouts: &[Workout]) -> Vec<(&Workout, String)> {
    let base = |workout: &Workout| format!("{:02}-{}", workout.sequence, slug(&workout.name));
    workouts
        .iter()
        .map(|workout| {
            let own = base(workout);
            let shared = workouts.iter().filter(|other| base(other) == own).count() > 1;
            let unique = if shared {
                format!("{own}-{}", workout.id)
            } else {
                own
            };
            (workout, unique)
        })
        .collect()
}

#[derive(Debug, Serialize)]
struct ExportAllReport {
    directory: String,
    files: Vec<WrittenFile>,
    /// Exports left out, with the reason.
    skipped: Vec<String>,
}

fn export_all(file: Option<&Path>, arguments: &ExportAllArgs) -> CliResult<Output> {
    let snapshot = open_snapshot(file)?;
    let rules = if arguments.no_awards {
        None
    } else {
        Some(award_rules(&snapshot.store, &arguments.awards)?)
    };
    let directory = &arguments.dir;
    std::fs::create_dir_all(directory)
        .map_err(|error| CliError::io(format!("cannot create {}: {error}", directory.display())))?;
    let data = &snapshot.data;
    let exporter = Exporter::new(data);
    let mut files = Vec::new();
    let mut skipped = Vec::new();
    let mut write = |relative: &str, bytes: &[u8], contents: String| -> CliResult<()> {
        let path = directory.join(relative);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|error| {
                CliError::io(format!("cannot create {}: {error}", parent.display()))
            })?;
        }
        refuse_competition_file(&snapshot.competition_path, &path)?;
        files.push(write_export(&path, bytes, contents)?);
        Ok(())
    };

    write(
        "results.json",
        &exporter.results_json().map_err(export_error)?,
        "results JSON".to_string(),
    )?;
    let divisions = division_slugs(&data.divisions);
    let workouts = workout_slugs(&data.workouts);
    let policy = status_policy(arguments.map_statuses);
    for (workout, workout_slug) in &workouts {
        for (division_id, division_slug, division_name) in &divisions {
            let bytes = exporter
                .workout_results_csv(workout.id, *division_id)
                .map_err(export_error)?;
            write(
                &format!("csv/{workout_slug}/{division_slug}.csv"),
                &bytes,
                format!("results CSV of {}, {division_name}", workout.name),
            )?;
        }
        let options = RunSignupOptions {
            status_policy: policy,
            ..RunSignupOptions::default()
        };
        if !matches!(workout.score_type, ScoreType::Time | ScoreType::TimeCapped) {
            skipped.push(format!(
                "RunSignup files for {}: RunSignup takes times only and this workout is scored as {:?}",
                workout.name, workout.score_type
            ));
            continue;
        }
        match exporter.runsignup_files(workout.id, &options) {
            Ok(runsignup) => {
                for (extension, bytes) in [
                    ("csv", &runsignup.csv),
                    ("json", &runsignup.json),
                    ("xml", &runsignup.xml),
                ] {
                    write(
                        &format!("runsignup/{workout_slug}.{extension}"),
                        bytes,
                        format!(
                            "RunSignup {} of {}",
                            extension.to_ascii_uppercase(),
                            workout.name
                        ),
                    )?;
                }
            }
            Err(error @ ExportError::RunSignupStatus { .. }) => {
                skipped.push(format!(
                    "RunSignup files for {}: {}",
                    workout.name,
                    export_error(error).message
                ));
            }
            Err(error) => return Err(export_error(error)),
        }
    }
    if data.overall_leaderboards.is_empty() {
        skipped.push("overall results: there are no workouts yet".to_string());
    } else {
        for (division_id, division_slug, division_name) in &divisions {
            let bytes = exporter
                .overall_results_csv(*division_id)
                .map_err(export_error)?;
            write(
                &format!("csv/overall/{division_slug}.csv"),
                &bytes,
                format!("overall results CSV, {division_name}"),
            )?;
        }
    }
    for (division_id, division_slug, division_name) in &divisions {
        let bytes = exporter
            .division_results_pdf(*division_id)
            .map_err(export_error)?;
        write(
            &format!("pdf/{division_slug}.pdf"),
            &bytes,
            format!("printable results, {division_name}"),
        )?;
    }
    if let Some(rules) = &rules {
        match awards_unavailable(data, rules) {
            Some(reason) => skipped.push(format!("award list: {reason}")),
            None => {
                write(
                    "awards/awards.csv",
                    &exporter.awards_csv(rules).map_err(export_error)?,
                    "award list CSV".to_string(),
                )?;
                write(
                    "awards/awards.pdf",
                    &exporter.awards_pdf(rules).map_err(export_error)?,
                    "award list PDF".to_string(),
                )?;
            }
        }
    }

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
    let report = ExportAllReport {
        directory: directory.display().to_string(),
        files,
        skipped,
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
    amendment_entries: usize,
    amendment_chain_head: String,
}

fn export_seal(file: Option<&Path>, arguments: &ExportSealArgs) -> CliResult<Output> {
    let competition_path = required_file(file)?;
    refuse_competition_file(&competition_path, &arguments.output)?;
    let mut store = open_competition(file)?;
    let mut skipped_awards = None;
    let award_rules = if arguments.no_awards {
        None
    } else {
        let rules = award_rules(&store, &arguments.awards)?;
        let has_workouts = !store.workouts().map_err(store_error)?.is_empty();
        if matches!(rules.basis, AwardBasis::Overall) && !has_workouts {
            skipped_awards = Some(
                "award list: there are no workouts yet, so there are no overall standings"
                    .to_string(),
            );
            None
        } else {
            Some(rules)
        }
    };
    let options = ArchiveOptions {
        runsignup: RunSignupOptions {
            status_policy: status_policy(arguments.map_statuses),
            ..RunSignupOptions::default()
        },
        award_rules,
    };
    let summary = scoretable_export::seal_competition(&mut store, &options, &arguments.output)
        .map_err(export_error)?;
    let archive_bytes = std::fs::read(&arguments.output).map_err(|error| {
        CliError::io(format!(
            "cannot read back {}: {error}",
            arguments.output.display()
        ))
    })?;
    let archive_sha256 = sha256_hex(&archive_bytes);
    let mut skipped = summary.skipped.clone();
    skipped.extend(skipped_awards);

    let mut table = Table::new(&[
        ("File", Align::Left),
        ("Bytes", Align::Right),
        ("SHA-256", Align::Left),
    ]);
    for archived in &summary.files {
        table.push(vec![
            archived.path.clone(),
            archived.size_bytes.to_string(),
            archived.sha256.clone(),
        ]);
    }
    let mut text = format!(
        "Sealed {} ({} bytes, {} files plus MANIFEST.sha256)\n",
        summary.path.display(),
        summary.archive_bytes,
        summary.files.len()
    );
    let _ = writeln!(text, "archive sha256: {archive_sha256}");
    let _ = writeln!(
        text,
        "amendment chain head: {} ({} entries)",
        summary.amendment_chain_head, summary.amendment_entries
    );
    text.push_str(&table.render());
    for reason in &skipped {
        let _ = writeln!(text, "skipped: {reason}");
    }
    let report = SealReport {
        archive: summary.path.display().to_string(),
        archive_bytes: summary.archive_bytes,
        archive_sha256,
        files: summary.files,
        skipped,
        amendment_entries: summary.amendment_entries,
        amendment_chain_head: summary.amendment_chain_head,
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
