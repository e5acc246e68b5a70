//! Running one export request against an open competition file: the shared
//! orchestration behind `scoretable export ...` and the desktop app's export
//! dialog, so both write exactly the same bytes, refuse the same paths and
//! report the same files.
//!
//! [`run_export`] takes one snapshot of the file
//! ([`gather_export_data`](crate::gather_export_data)), renders what the
//! [`ExportRequest`] asks for, and writes each file through a temporary name
//! beside the target renamed into place, so an interrupted export never
//! leaves a half-written file under the final name. No export may write over
//! the competition file or its SQLite journal files. The [`ExportSummary`]
//! lists every file written (path, size, SHA-256, contents), the exports
//! left out with the reason, and warnings: a name with characters no
//! available font can print (they print as U+FFFD in PDFs).
//!
//! The caller resolves names to ids (the CLI accepts `--workout Fran`, the
//! app passes ids); everything else is here.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use scoretable_core::model::{Entrant, Id};
use scoretable_store::CompetitionFile;
use serde::Serialize;

use crate::archive::{sha256_hex, write_planned_archive, ArchiveSummary, HashingWriter};
use crate::awards::{AwardList, AwardRules};
use crate::bundle::{awards_unavailable, write_bundle, BundlePlan, BundleSink, PlannedFile};
use crate::data::{ExportData, Exporter};
use crate::error::ExportError;
use crate::gather::SnapshotClock;
use crate::pdf::missing_characters;
use crate::runsignup::{RunSignupOptions, RunSignupStatusPolicy};

/// A RunSignup upload file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunSignupFormat {
    Csv,
    Json,
    Xml,
}

/// An award list file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AwardsFormat {
    Pdf,
    Csv,
}

/// One export to write.
#[derive(Debug, Clone)]
pub enum ExportRequest {
    /// Results CSV of one workout, whole field or one division.
    WorkoutCsv {
        workout_id: Id,
        division_id: Option<Id>,
        output: PathBuf,
    },
    /// Overall standings CSV, whole field or one division; with `teams`, a
    /// mixed event's team overall (refused when there is none).
    OverallCsv {
        division_id: Option<Id>,
        teams: bool,
        output: PathBuf,
    },
    /// The versioned results JSON document.
    Json { output: PathBuf },
    /// One workout's results for RunSignup's manual upload.
    RunSignup {
        workout_id: Id,
        format: RunSignupFormat,
        options: RunSignupOptions,
        output: PathBuf,
    },
    /// Printable results of one division, or everyone.
    Pdf {
        division_id: Option<Id>,
        output: PathBuf,
    },
    /// The award list.
    Awards {
        format: AwardsFormat,
        rules: AwardRules,
        output: PathBuf,
    },
    /// Every export into one directory tree.
    All {
        directory: PathBuf,
        status_policy: RunSignupStatusPolicy,
        /// `None` leaves the award list out.
        award_rules: Option<AwardRules>,
    },
    /// The sealed day-end archive.
    Seal {
        output: PathBuf,
        status_policy: RunSignupStatusPolicy,
        /// `None` leaves the award list out.
        award_rules: Option<AwardRules>,
    },
}

/// One file an export wrote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WrittenFile {
    pub path: String,
    pub bytes: u64,
    pub sha256: String,
    /// What the file holds, e.g. `results CSV of Fran, Women`.
    pub contents: String,
}

/// An export left out of `All` or `Seal`, and why.
#[derive(Debug)]
pub struct SkippedExport {
    /// What was left out, e.g. `RunSignup files for Max Reps`.
    pub what: String,
    pub reason: SkipReason,
}

/// Why an export was left out.
#[derive(Debug)]
pub enum SkipReason {
    /// The export crate refused it (e.g. a status RunSignup does not take);
    /// callers word the fix for their own interface.
    Refused(ExportError),
    /// There is nothing to export (no workouts yet, a reps workout for
    /// RunSignup, ...).
    Nothing(String),
}

impl SkippedExport {
    /// `what: reason`, with the export crate's wording of a refusal.
    pub fn describe(&self) -> String {
        match &self.reason {
            SkipReason::Refused(error) => format!("{}: {error}", self.what),
            SkipReason::Nothing(reason) if reason.is_empty() => self.what.clone(),
            SkipReason::Nothing(reason) => format!("{}: {reason}", self.what),
        }
    }
}

/// What [`run_export`] wrote.
#[derive(Debug)]
pub struct ExportSummary {
    /// Every file written, in the order written. For `Seal`, the archive.
    pub files: Vec<WrittenFile>,
    /// Exports left out (`All` and `Seal`).
    pub skipped: Vec<SkippedExport>,
    /// Problems that did not stop the export, e.g. a name with characters
    /// no font covers.
    pub warnings: Vec<String>,
    /// The award list, for `Awards`.
    pub awards: Option<AwardList>,
    /// The archive's summary, for `Seal`.
    pub archive: Option<ArchiveSummary>,
    /// How many workouts the snapshot had.
    pub workout_count: usize,
}

impl ExportSummary {
    fn new(data: &ExportData) -> ExportSummary {
        ExportSummary {
            files: Vec::new(),
            skipped: Vec::new(),
            warnings: Vec::new(),
            awards: None,
            archive: None,
            workout_count: data.workouts.len(),
        }
    }
}

/// Writes the export `request` describes from one snapshot of `file`.
pub fn run_export(
    file: &mut CompetitionFile,
    request: &ExportRequest,
) -> Result<ExportSummary, ExportError> {
    run_export_observed(file, request, &mut |_| {})
}

/// [`run_export`] calling `observer` after each read of the snapshot (and
/// after the seal's backup). A test seam: the consistency tests write
/// through another handle from the observer.
#[doc(hidden)]
pub fn run_export_observed(
    file: &mut CompetitionFile,
    request: &ExportRequest,
    observer: &mut dyn FnMut(&str),
) -> Result<ExportSummary, ExportError> {
    run_export_with_clock(file, request, observer, &SnapshotClock::Now)
}

/// [`run_export_observed`] with the snapshot's times from `clock`. A test
/// seam: the golden-output tests pin the times so that the same event
/// exports the same bytes on every run.
#[doc(hidden)]
pub fn run_export_with_clock(
    file: &mut CompetitionFile,
    request: &ExportRequest,
    observer: &mut dyn FnMut(&str),
    clock: &SnapshotClock,
) -> Result<ExportSummary, ExportError> {
    let competition_path = file.path().to_path_buf();
    if let ExportRequest::Seal {
        output,
        status_policy,
        award_rules,
    } = request
    {
        // A bad target is refused before the (slow) snapshot is taken.
        refuse_competition_file(&competition_path, output)?;
        if let Some(rules) = award_rules {
            check_award_rules(rules)?;
        }
        // The backup and the exports come from one read snapshot.
        let (data, backup) = crate::gather::backup_and_gather(file, output, observer, clock)?;
        return seal(&data, backup.path(), output, *status_policy, award_rules);
    }
    let data = crate::gather::gather_export_data_with(file, observer, clock)?;
    let writer = Writer {
        competition_path: &competition_path,
        data: Some(&data),
        observer: Some(std::cell::RefCell::new(observer)),
    };
    run_on_snapshot(&data, &writer, request)
}

/// Writes export files, refusing the competition file.
struct Writer<'a> {
    competition_path: &'a Path,
    /// The snapshot rendered from: a file is kept only while its scratch
    /// files read well ([`ExportData::check_scratch`]).
    data: Option<&'a ExportData>,
    /// Told each file's path once it is written (the stages after the
    /// snapshot's reads, for `run_export_observed`).
    observer: Option<std::cell::RefCell<Observer<'a>>>,
}

/// What `run_export_observed` tells of each stage.
type Observer<'a> = &'a mut dyn FnMut(&str);

impl Writer<'_> {
    /// Tells the observer that the file at `path` is written, as `file`
    /// and its folder and name (`file csv/overall.csv`).
    fn written(&self, path: &Path) {
        if let Some(observer) = &self.observer {
            let mut shown: Vec<_> = path.iter().rev().take(2).collect();
            shown.reverse();
            let shown = PathBuf::from_iter(shown);
            (observer.borrow_mut())(&format!("file {}", shown.display()));
        }
    }

    /// Writes the file at `path` as `render` produces it, through a
    /// temporary name renamed into place, hashing it on the way.
    fn write_with(
        &self,
        path: &Path,
        contents: String,
        render: &mut dyn FnMut(&mut dyn std::io::Write) -> Result<(), ExportError>,
    ) -> Result<WrittenFile, ExportError> {
        refuse_competition_file(self.competition_path, path)?;
        let data = self.data;
        let (bytes, sha256) = write_atomically_with(path, &mut |out| {
            // A failed scratch read makes blank rows, which a renderer may
            // trip over: the scratch file's failure is the error to tell.
            let rendered = render(out);
            data.map_or(Ok(()), ExportData::check_scratch)?;
            rendered
        })?;
        self.written(path);
        Ok(WrittenFile {
            path: path.display().to_string(),
            bytes,
            sha256,
            contents,
        })
    }

    fn write(
        &self,
        path: &Path,
        bytes: &[u8],
        contents: String,
    ) -> Result<WrittenFile, ExportError> {
        refuse_competition_file(self.competition_path, path)?;
        if let Some(data) = self.data {
            data.check_scratch()?;
        }
        write_atomically(path, bytes)?;
        self.written(path);
        Ok(WrittenFile {
            path: path.display().to_string(),
            bytes: bytes.len() as u64,
            sha256: sha256_hex(bytes),
            contents,
        })
    }
}

/// Refuses an output path that is the competition file (or its SQLite
/// journal files), so an export can never destroy stored scores.
pub fn refuse_competition_file(competition_path: &Path, output: &Path) -> Result<(), ExportError> {
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
        return Err(ExportError::OutputIsCompetitionFile {
            path: output.to_path_buf(),
        });
    }
    Ok(())
}

/// Writes `bytes` to `path` through a temporary file renamed into place.
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), ExportError> {
    let file_name = path.file_name().ok_or_else(|| ExportError::InvalidOption {
        field: "output".to_string(),
        message: format!("{} names no file", path.display()),
    })?;
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
    write().map_err(|source| {
        let _ = std::fs::remove_file(&temporary);
        ExportError::Write {
            path: path.to_path_buf(),
            source,
        }
    })
}

/// Writes what `render` produces to `path` through a temporary file renamed
/// into place; returns the size and SHA-256 of what was written.
fn write_atomically_with(
    path: &Path,
    render: &mut dyn FnMut(&mut dyn std::io::Write) -> Result<(), ExportError>,
) -> Result<(u64, String), ExportError> {
    let file_name = path.file_name().ok_or_else(|| ExportError::InvalidOption {
        field: "output".to_string(),
        message: format!("{} names no file", path.display()),
    })?;
    let mut temporary_name = file_name.to_os_string();
    temporary_name.push(".partial");
    let temporary = path.with_file_name(temporary_name);
    let write_error = |source| ExportError::Write {
        path: path.to_path_buf(),
        source,
    };
    let result = (|| {
        let file = std::fs::File::create(&temporary).map_err(write_error)?;
        let mut hashing = HashingWriter::new(std::io::BufWriter::with_capacity(1 << 16, file));
        render(&mut hashing)?;
        let (buffered, sha256, bytes) = hashing.finish();
        let file = buffered
            .into_inner()
            .map_err(|error| write_error(error.into_error()))?;
        file.sync_all().map_err(write_error)?;
        drop(file);
        std::fs::rename(&temporary, path).map_err(write_error)?;
        Ok((bytes, sha256))
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    result
}

fn create_directory(directory: &Path) -> Result<(), ExportError> {
    std::fs::create_dir_all(directory).map_err(|source| ExportError::CreateDirectory {
        path: directory.to_path_buf(),
        source,
    })
}

fn scope_name(data: &ExportData, division_id: Option<Id>) -> Result<String, ExportError> {
    Ok(match division_id {
        Some(id) => data.division(id)?.name.clone(),
        None => "whole field".to_string(),
    })
}

/// Checks that `rules` give at least one award.
pub fn check_award_rules(rules: &AwardRules) -> Result<(), ExportError> {
    if rules.awards_per_division == 0
        && rules.overall_awards == 0
        && rules.gender_overall_awards == 0
    {
        return Err(ExportError::InvalidOption {
            field: "awards per division".to_string(),
            message: "with no awards per division, overall or per gender there would be no awards"
                .to_string(),
        });
    }
    Ok(())
}

/// Warnings for names (athletes, teams, clubs, the competition, workouts,
/// divisions) with characters no available font covers: the PDFs print them
/// as U+FFFD.
pub fn pdf_font_warnings(data: &ExportData) -> Vec<String> {
    let describe = |characters: &[char]| {
        characters
            .iter()
            .map(|character| format!("'{character}' (U+{:04X})", *character as u32))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut warnings = Vec::new();
    let mut check = |label: String, text: &str| {
        let missing = missing_characters(text);
        if !missing.is_empty() {
            warnings.push(format!(
                "{label}: {} {} no glyph in the bundled or installed fonts; the PDFs print {} as \u{FFFD}",
                describe(&missing),
                if missing.len() == 1 { "has" } else { "have" },
                if missing.len() == 1 { "it" } else { "them" },
            ));
        }
    };
    check("competition name".to_string(), &data.competition.name);
    for workout in &data.workouts {
        check(format!("workout {}", workout.name), &workout.name);
    }
    for division in &data.divisions {
        check(format!("division {}", division.name), &division.name);
    }
    // Every competitor (read forward from a spilled snapshot's scratch
    // file, whose failure fails the export) and team.
    let _ = Exporter::new(data).for_each_entrant(&mut |entrant, display| {
        let kind = match entrant {
            Entrant::Competitor(_) => "athlete",
            Entrant::Team(_) => "team",
        };
        let (name, bib) = (display.name(), display.bib());
        let who = if bib.is_empty() {
            format!("{kind} {name}")
        } else {
            format!("{kind} {name} (bib {bib})")
        };
        check(who.clone(), &name);
        if let Some(club) = display.club() {
            check(format!("club {club} of {who}"), club);
        }
        Ok(())
    });
    warnings
}

fn run_on_snapshot(
    data: &ExportData,
    writer: &Writer,
    request: &ExportRequest,
) -> Result<ExportSummary, ExportError> {
    let exporter = Exporter::new(data);
    let mut summary = ExportSummary::new(data);
    match request {
        ExportRequest::WorkoutCsv {
            workout_id,
            division_id,
            output,
        } => {
            let workout = data.workout(*workout_id)?;
            let contents = format!(
                "results CSV of {}, {}",
                workout.name,
                scope_name(data, *division_id)?
            );
            summary
                .files
                .push(writer.write_with(output, contents, &mut |out| {
                    exporter.write_workout_results_csv(*workout_id, *division_id, out)
                })?);
        }
        ExportRequest::OverallCsv {
            division_id,
            teams,
            output,
        } => {
            if data.workouts.is_empty() {
                return Err(ExportError::NothingToExport {
                    what: "overall standings".to_string(),
                    reason:
                        "there are no workouts yet, so there are no overall standings to export"
                            .to_string(),
                });
            }
            let table = if *teams { "team overall" } else { "overall" };
            let contents = format!("{table} results CSV, {}", scope_name(data, *division_id)?);
            if *teams {
                data.team_overall_rows(*division_id)?;
            } else {
                data.overall_rows(*division_id)?;
            }
            summary
                .files
                .push(writer.write_with(output, contents, &mut |out| {
                    if *teams {
                        exporter.write_team_overall_results_csv(*division_id, out)
                    } else {
                        exporter.write_overall_results_csv(*division_id, out)
                    }
                })?);
        }
        ExportRequest::Json { output } => {
            let contents = format!(
                "results JSON ({}, {} workouts)",
                crate::RESULTS_JSON_FORMAT,
                data.workouts.len()
            );
            summary
                .files
                .push(writer.write_with(output, contents, &mut |out| {
                    exporter.write_results_json(out)
                })?);
        }
        ExportRequest::RunSignup {
            workout_id,
            format,
            options,
            output,
        } => {
            let workout = data.workout(*workout_id)?;
            let format_name = match format {
                RunSignupFormat::Csv => "CSV",
                RunSignupFormat::Json => "JSON",
                RunSignupFormat::Xml => "XML",
            };
            let contents = format!(
                "RunSignup {format_name} of {}, {}",
                workout.name,
                scope_name(data, options.division_id)?
            );
            // Refused statuses and score types are found before a file is made.
            exporter.runsignup_check(*workout_id, options)?;
            summary
                .files
                .push(writer.write_with(output, contents, &mut |out| {
                    exporter.write_runsignup(*workout_id, *format, options, out)
                })?);
        }
        ExportRequest::Pdf {
            division_id,
            output,
        } => {
            let contents = format!(
                "printable results, {}",
                match division_id {
                    Some(id) => data.division(*id)?.name.clone(),
                    None => "all competitors".to_string(),
                }
            );
            // Written into the file as it is made, never held whole.
            summary
                .files
                .push(writer.write_with(output, contents, &mut |out| {
                    exporter.write_division_results_pdf(*division_id, out)
                })?);
            summary.warnings = pdf_font_warnings(data);
        }
        ExportRequest::Awards {
            format,
            rules,
            output,
        } => {
            check_award_rules(rules)?;
            if let Some(reason) = awards_unavailable(&exporter, rules) {
                return Err(ExportError::NothingToExport {
                    what: "award list".to_string(),
                    reason,
                });
            }
            let list = exporter.award_list(rules)?;
            let bytes = match format {
                AwardsFormat::Pdf => {
                    summary.warnings = pdf_font_warnings(data);
                    exporter.awards_pdf(rules)?
                }
                AwardsFormat::Csv => exporter.awards_csv(rules)?,
            };
            let award_count: usize = list
                .categories
                .iter()
                .map(|category| category.awards.len())
                .sum();
            let contents = format!(
                "award list {} from {}: {award_count} awards in {} categories",
                match format {
                    AwardsFormat::Pdf => "PDF",
                    AwardsFormat::Csv => "CSV",
                },
                list.basis_name,
                list.categories.len()
            );
            summary.files.push(writer.write(output, &bytes, contents)?);
            summary.awards = Some(list);
        }
        ExportRequest::All {
            directory,
            status_policy,
            award_rules,
        } => {
            if let Some(rules) = award_rules {
                check_award_rules(rules)?;
            }
            export_all_atomically(
                &exporter,
                writer,
                directory,
                *status_policy,
                award_rules.as_ref(),
                &mut summary,
            )?;
            summary.warnings = pdf_font_warnings(data);
        }
        ExportRequest::Seal { .. } => {
            return Err(ExportError::render(
                "sealed archive",
                "a seal takes its own snapshot with the backup",
            ))
        }
    }
    Ok(summary)
}

/// [`export_all`] into an owner-only staging folder beside `directory`,
/// then moved into place: a failure part way (a full disk, a name the file
/// system refuses) leaves `directory` as it was. A missing or empty
/// `directory` is replaced by the staging folder in one rename; into a
/// folder that already holds files, the finished files are moved one by one
/// (renames within one file system, nothing left to write).
fn export_all_atomically(
    exporter: &Exporter,
    writer: &Writer,
    directory: &Path,
    status_policy: RunSignupStatusPolicy,
    award_rules: Option<&AwardRules>,
    summary: &mut ExportSummary,
) -> Result<(), ExportError> {
    if let Some(parent) = directory.parent().filter(|p| !p.as_os_str().is_empty()) {
        create_directory(parent)?;
    }
    let mut staging = crate::work_files::WorkDir::beside(directory)?;
    let first_new = summary.files.len();
    export_all(
        exporter,
        writer,
        staging.path(),
        status_policy,
        award_rules,
        summary,
    )?;
    let finals: Vec<(PathBuf, PathBuf)> = summary.files[first_new..]
        .iter()
        .map(|file| {
            let staged = PathBuf::from(&file.path);
            let relative = staged
                .strip_prefix(staging.path())
                .map(Path::to_path_buf)
                .unwrap_or_else(|_| staged.clone());
            (staged, directory.join(relative))
        })
        .collect();
    for (_, final_path) in &finals {
        refuse_competition_file(writer.competition_path, final_path)?;
    }
    let empty = match std::fs::read_dir(directory) {
        Ok(mut entries) => Some(entries.next().is_none()),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => None,
        Err(source) => {
            return Err(ExportError::CreateDirectory {
                path: directory.to_path_buf(),
                source,
            })
        }
    };
    let moved = match empty {
        None => std::fs::rename(staging.path(), directory),
        Some(true) => {
            std::fs::remove_dir(directory).and_then(|()| std::fs::rename(staging.path(), directory))
        }
        Some(false) => {
            let relatives: Vec<PathBuf> = finals
                .iter()
                .filter_map(|(staged, _)| {
                    staged
                        .strip_prefix(staging.path())
                        .ok()
                        .map(Path::to_path_buf)
                })
                .collect();
            move_tree(staging.path(), directory, &relatives)
        }
    };
    moved.map_err(|source| ExportError::Write {
        path: directory.to_path_buf(),
        source,
    })?;
    if empty != Some(false) {
        staging.keep();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let _ = std::fs::set_permissions(directory, std::fs::Permissions::from_mode(0o755));
        }
    }
    for (file, (_, final_path)) in summary.files[first_new..].iter_mut().zip(&finals) {
        file.path = final_path.display().to_string();
    }
    Ok(())
}

/// Moves the staged files (`relatives`, under `from`) to the same places
/// under `to`, replacing files of the same name, as one unit: a file that
/// cannot be placed (a folder of that name, a file where a folder must go)
/// is found before anything moves, and a failure while moving puts every
/// moved file back and restores the files it replaced.
fn move_tree(from: &Path, to: &Path, relatives: &[PathBuf]) -> std::io::Result<()> {
    for relative in relatives {
        let destination = to.join(relative);
        if destination.is_dir() {
            return Err(std::io::Error::other(format!(
                "{} is a folder, so the export's file of that name cannot be written",
                destination.display()
            )));
        }
        let mut ancestor = relative.parent();
        while let Some(folder) = ancestor.filter(|folder| !folder.as_os_str().is_empty()) {
            if to.join(folder).is_file() {
                return Err(std::io::Error::other(format!(
                    "{} is a file, so the export's folder of that name cannot be made",
                    to.join(folder).display()
                )));
            }
            ancestor = folder.parent();
        }
    }
    let aside = from.join(".replaced");
    let mut created: Vec<PathBuf> = Vec::new();
    let mut done: Vec<(&PathBuf, Option<PathBuf>)> = Vec::new();
    let place =
        |relative: &PathBuf, created: &mut Vec<PathBuf>| -> std::io::Result<Option<PathBuf>> {
            let destination = to.join(relative);
            if let Some(parent) = destination.parent() {
                let mut missing = Vec::new();
                let mut folder = Some(parent);
                while let Some(current) = folder.filter(|current| !current.exists()) {
                    missing.push(current.to_path_buf());
                    folder = current.parent();
                }
                std::fs::create_dir_all(parent)?;
                created.extend(missing.into_iter().rev());
            }
            let saved = if destination.exists() {
                let saved = aside.join(relative);
                if let Some(parent) = saved.parent() {
                    std::fs::create_dir_all(parent)?;
                }
                std::fs::rename(&destination, &saved)?;
                Some(saved)
            } else {
                None
            };
            if let Err(error) = std::fs::rename(from.join(relative), &destination) {
                if let Some(saved) = &saved {
                    let _ = std::fs::rename(saved, &destination);
                }
                return Err(error);
            }
            Ok(saved)
        };
    for relative in relatives {
        match place(relative, &mut created) {
            Ok(saved) => done.push((relative, saved)),
            Err(error) => {
                for (moved, saved) in done.into_iter().rev() {
                    let _ = std::fs::rename(to.join(moved), from.join(moved));
                    if let Some(saved) = saved {
                        let _ = std::fs::rename(saved, to.join(moved));
                    }
                }
                for folder in created.iter().rev() {
                    let _ = std::fs::remove_dir(folder);
                }
                return Err(error);
            }
        }
    }
    Ok(())
}

/// Writes the bundle files into a folder, each through a temporary name.
struct FolderSink<'a, 'b> {
    writer: &'a Writer<'b>,
    directory: &'a Path,
    files: &'a mut Vec<WrittenFile>,
}

impl BundleSink for FolderSink<'_, '_> {
    fn add(
        &mut self,
        planned: &PlannedFile,
        render: &mut dyn FnMut(&mut dyn std::io::Write) -> Result<(), ExportError>,
    ) -> Result<(), ExportError> {
        let path = self.directory.join(&planned.path);
        if let Some(parent) = path.parent() {
            create_directory(parent)?;
        }
        let written = self
            .writer
            .write_with(&path, planned.contents.clone(), render)?;
        self.files.push(written);
        Ok(())
    }
}

fn export_all(
    exporter: &Exporter,
    writer: &Writer,
    directory: &Path,
    status_policy: RunSignupStatusPolicy,
    award_rules: Option<&AwardRules>,
    summary: &mut ExportSummary,
) -> Result<(), ExportError> {
    let options = RunSignupOptions {
        status_policy,
        ..RunSignupOptions::default()
    };
    let plan = BundlePlan::new(exporter, &options, award_rules);
    let mut sink = FolderSink {
        writer,
        directory,
        files: &mut summary.files,
    };
    write_bundle(exporter, &plan, &mut sink)?;
    summary.skipped.extend(plan.skipped);
    Ok(())
}

fn seal(
    data: &ExportData,
    backup: &Path,
    output: &Path,
    status_policy: RunSignupStatusPolicy,
    award_rules: &Option<AwardRules>,
) -> Result<ExportSummary, ExportError> {
    let mut summary = ExportSummary::new(data);
    let exporter = Exporter::new(data);
    let options = RunSignupOptions {
        status_policy,
        ..RunSignupOptions::default()
    };
    let plan = BundlePlan::new(&exporter, &options, award_rules.as_ref());
    let archive = write_planned_archive(&exporter, &plan, backup, output)?;
    // Hashed as it is read back, never held in memory whole.
    let sha256 = {
        let file = std::fs::File::open(output).map_err(|error| ExportError::io(output, error))?;
        let mut hashing = HashingWriter::new(std::io::sink());
        std::io::copy(&mut std::io::BufReader::new(file), &mut hashing)
            .map_err(|error| ExportError::io(output, error))?;
        hashing.finish().1
    };
    summary.files.push(WrittenFile {
        path: archive.path.display().to_string(),
        bytes: archive.archive_bytes,
        sha256,
        contents: "sealed archive".to_string(),
    });
    summary.skipped = plan.skipped;
    summary.warnings = pdf_font_warnings(data);
    summary.archive = Some(archive);
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A failed read of the scratch file (the spilled split standings) is
    /// an error of the export naming the scratch file, and nothing is
    /// kept: no file of `export all`, no single export, no archive, and
    /// no work or partial file beside them.
    #[test]
    fn a_failed_scratch_read_fails_the_export_and_keeps_nothing() {
        let directory = tempfile::tempdir().unwrap();
        let path = directory.path().join("race.scoretable");
        let event = scoretable_core::generate::large_individual_event(300, 2, 3, 5);
        let (file, _) = scoretable_usecase::generate::write_event(
            &path,
            &event,
            scoretable_usecase::generate::ResultEntryMode::ImportAll,
        )
        .unwrap();
        let data = crate::gather::gather_export_data(&file).unwrap();
        let live = &data.live_workouts.0[0];
        assert!(data.check_scratch().is_ok());
        live.splits.fail_for_test("disk gone");
        let writer = Writer {
            competition_path: &path,
            data: Some(&data),
            observer: None,
        };
        let out = directory.path().join("out");
        let json = directory.path().join("results.json");
        let requests = [
            ExportRequest::All {
                directory: out.clone(),
                status_policy: RunSignupStatusPolicy::default(),
                award_rules: None,
            },
            ExportRequest::Json {
                output: json.clone(),
            },
        ];
        for request in &requests {
            let error = run_on_snapshot(&data, &writer, request).unwrap_err();
            let message = error.to_string();
            assert!(
                message.contains("scratch file") && message.contains("disk gone"),
                "{message}"
            );
        }
        let backup = directory.path().join("backup.scoretable");
        std::fs::write(&backup, b"backup").unwrap();
        let archive = directory.path().join("sealed.zip");
        let error = seal(
            &data,
            &backup,
            &archive,
            RunSignupStatusPolicy::default(),
            &None,
        )
        .unwrap_err();
        assert!(error.to_string().contains("scratch file"), "{error}");
        // The competition file and its journal, lock and the test's
        // backup: nothing else.
        let left: Vec<String> = std::fs::read_dir(directory.path())
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|name| name != "backup.scoretable" && !name.starts_with("race.scoretable"))
            .collect();
        assert!(left.is_empty(), "kept: {left:?}");
        assert!(!out.exists() && !json.exists() && !archive.exists());

        // The same for an overall table's scratch file.
        let data = crate::gather::gather_export_data(&file).unwrap();
        assert!(data.check_scratch().is_ok());
        data.compact_overall[1].fail_for_test("overall gone");
        let writer = Writer {
            competition_path: &path,
            data: Some(&data),
            observer: None,
        };
        let csv = directory.path().join("overall.csv");
        let request = ExportRequest::OverallCsv {
            division_id: None,
            teams: false,
            output: csv.clone(),
        };
        let error = run_on_snapshot(&data, &writer, &request).unwrap_err();
        assert!(error.to_string().contains("overall gone"), "{error}");
        assert!(!csv.exists());

        // And for a board's (its rows made blank after the failure).
        let data = crate::gather::gather_export_data(&file).unwrap();
        data.live_workouts.0[0].board().fail_for_test("board gone");
        let writer = Writer {
            competition_path: &path,
            data: Some(&data),
            observer: None,
        };
        let pdf = directory.path().join("all.pdf");
        let request = ExportRequest::Pdf {
            division_id: None,
            output: pdf.clone(),
        };
        let error = run_on_snapshot(&data, &writer, &request).unwrap_err();
        assert!(error.to_string().contains("board gone"), "{error}");
        assert!(!pdf.exists());

        // And for the names joined to the tables (`crate::names`).
        let data = crate::gather::gather_export_data(&file).unwrap();
        data.names.fail_for_test("names gone");
        let writer = Writer {
            competition_path: &path,
            data: Some(&data),
            observer: None,
        };
        let csv = directory.path().join("run.csv");
        let request = ExportRequest::WorkoutCsv {
            workout_id: data.workouts[0].id,
            division_id: None,
            output: csv.clone(),
        };
        let error = run_on_snapshot(&data, &writer, &request).unwrap_err();
        assert!(error.to_string().contains("names gone"), "{error}");
        assert!(!csv.exists());
    }
}
