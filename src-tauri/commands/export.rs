//! The export dialog: results CSV, JSON, RunSignup upload files, printable
//! PDFs, award lists, everything at once, the sealed archive and archive
//! verification, plus the native file and folder pickers the integration
//! screens share.
//!
//! Each export hands an [`ExportRequest`] to the export crate's
//! [`scoretable_export::run_export`] on a separate handle of the open file,
//! the same orchestration `scoretable export ...` runs, so the dialog and the
//! CLI write exactly the same bytes and refuse the same paths (never the
//! competition file). This module only translates the request and the
//! export crate's errors.

use std::path::{Path, PathBuf};

use scoretable_export::{
    AwardBasis, AwardRules, AwardsFormat, ExportError, ExportRequest as Export, ExportSummary,
    RunSignupFormat, RunSignupOptions, RunSignupStatusPolicy, SkipReason, SkippedExport,
};
use scoretable_store::CompetitionFile;
use tauri::State;

use crate::dto::{CommandError, ErrorKind};
use crate::dto_integrations::{ExportOutcome, ExportRequest, WrittenFileView};
use crate::error::CommandResult;
use crate::state::AppState;

/// The export crate's error in the dialog's words.
fn export_error(error: ExportError) -> CommandError {
    match error {
        ExportError::RunSignupStatus { .. } => {
            CommandError::new(ErrorKind::InvalidValue, runsignup_status_text(&error))
        }
        ExportError::InvalidOption { field, message } => CommandError::invalid(&field, message),
        ExportError::OutputIsCompetitionFile { .. } => CommandError::invalid("path", error),
        ExportError::UnknownWorkout { .. }
        | ExportError::UnknownDivision { .. }
        | ExportError::MissingLeaderboard { .. }
        | ExportError::NothingToExport { .. } => {
            CommandError::new(ErrorKind::NotFound, error.to_string())
        }
        ExportError::RunSignupScoreType { .. } => {
            CommandError::new(ErrorKind::InvalidValue, error.to_string())
        }
        ExportError::UnknownEntrant { .. }
        | ExportError::Render { .. }
        | ExportError::Io { .. }
        | ExportError::Archive { .. }
        | ExportError::Write { .. }
        | ExportError::CreateDirectory { .. } => {
            CommandError::new(ErrorKind::Storage, error.to_string())
        }
    }
}

/// A status RunSignup does not take, with the dialog's checkbox as the fix.
fn runsignup_status_text(error: &ExportError) -> String {
    match error {
        ExportError::RunSignupStatus {
            workout,
            bib,
            name,
            status,
        } => format!(
            "workout \"{workout}\": bib {bib} ({name}) has status {status}, which RunSignup does \
             not accept (it takes DQ, DNS, DNF and DNQ); tick \"Write LAP and NC as DNF and WD \
             as DNS\", or amend the status first"
        ),
        other => other.to_string(),
    }
}

fn skipped_text(skipped: &SkippedExport) -> String {
    match &skipped.reason {
        SkipReason::Refused(error @ ExportError::RunSignupStatus { .. }) => {
            format!("{}: {}", skipped.what, runsignup_status_text(error))
        }
        _ => skipped.describe(),
    }
}

fn award_rules(request: &ExportRequest) -> CommandResult<AwardRules> {
    let count = |value: i64, field: &str| {
        u32::try_from(value).map_err(|_| CommandError::invalid(field, "it must be 0 or more"))
    };
    Ok(AwardRules {
        basis: match request.award_workout_id {
            Some(workout_id) => AwardBasis::Workout(workout_id),
            None => AwardBasis::Overall,
        },
        awards_per_division: count(request.awards_per_division, "awards per division")?,
        overall_awards: count(request.overall_awards, "overall awards")?,
        gender_overall_awards: count(request.gender_overall_awards, "gender overall awards")?,
        overall_winners_also_take_division_awards: request
            .overall_winners_also_take_division_awards,
    })
}

fn status_policy(request: &ExportRequest) -> RunSignupStatusPolicy {
    if request.map_statuses {
        RunSignupStatusPolicy::MapToNearest
    } else {
        RunSignupStatusPolicy::Reject
    }
}

/// What the dialog asked for.
enum Job {
    Export(Export),
    Verify(PathBuf),
}

/// The export request the dialog's request describes.
fn export_job(request: &ExportRequest) -> CommandResult<Job> {
    let path = PathBuf::from(request.path.trim());
    if request.path.trim().is_empty() {
        return Err(CommandError::invalid("path", "choose where to write"));
    }
    let workout = || {
        request
            .workout_id
            .ok_or_else(|| CommandError::invalid("workout", "choose a workout"))
    };
    let division_id = request.division_id;
    let format = request.format.trim().to_ascii_lowercase();
    Ok(Job::Export(match request.kind.as_str() {
        "workout_csv" => Export::WorkoutCsv {
            workout_id: workout()?,
            division_id,
            output: path,
        },
        "overall_csv" => Export::OverallCsv {
            division_id,
            teams: false,
            output: path,
        },
        "team_overall_csv" => Export::OverallCsv {
            division_id,
            teams: true,
            output: path,
        },
        "json" => Export::Json { output: path },
        "runsignup" => Export::RunSignup {
            workout_id: workout()?,
            format: match format.as_str() {
                "csv" => RunSignupFormat::Csv,
                "json" => RunSignupFormat::Json,
                "xml" => RunSignupFormat::Xml,
                other => {
                    return Err(CommandError::invalid(
                        "RunSignup format",
                        format!("{other:?}; expected csv, json or xml"),
                    ))
                }
            },
            options: RunSignupOptions {
                division_id,
                status_policy: status_policy(request),
                ..RunSignupOptions::default()
            },
            output: path,
        },
        "pdf" => Export::Pdf {
            division_id,
            output: path,
        },
        "awards" => Export::Awards {
            format: match format.as_str() {
                "csv" => AwardsFormat::Csv,
                _ => AwardsFormat::Pdf,
            },
            rules: award_rules(request)?,
            output: path,
        },
        "all" => Export::All {
            directory: path,
            status_policy: status_policy(request),
            award_rules: Some(award_rules(request)?),
        },
        "seal" => Export::Seal {
            output: path,
            status_policy: status_policy(request),
            award_rules: Some(award_rules(request)?),
        },
        "verify" => return Ok(Job::Verify(path)),
        other => {
            return Err(CommandError::invalid(
                "export",
                format!("unknown kind {other:?}"),
            ))
        }
    }))
}

/// The dialog's report of what an export wrote.
fn outcome(kind: &str, target: &Path, summary: ExportSummary) -> ExportOutcome {
    let files: Vec<WrittenFileView> = summary
        .files
        .iter()
        .map(|file| WrittenFileView {
            path: file.path.clone(),
            bytes: file.bytes as i64,
            sha256: file.sha256.clone(),
            contents: file.contents.clone(),
        })
        .collect();
    let mut text = match (kind, summary.files.first()) {
        ("all", _) => {
            let total: u64 = summary.files.iter().map(|file| file.bytes).sum();
            format!(
                "Wrote {} files ({total} bytes) to {}:",
                summary.files.len(),
                target.display()
            )
        }
        ("seal", _) => match &summary.archive {
            Some(archive) => format!(
                "Sealed {} ({} bytes, {} files plus MANIFEST.sha256)",
                archive.path.display(),
                archive.archive_bytes,
                archive.files.len()
            ),
            None => format!("Sealed {}", target.display()),
        },
        (_, Some(file)) => format!(
            "Export written: {} ({} bytes): {}",
            file.path, file.bytes, file.contents
        ),
        (_, None) => "Nothing was written".to_string(),
    };
    for warning in &summary.warnings {
        text.push_str(&format!("\nWarning: {warning}"));
    }
    ExportOutcome {
        summary: text,
        files,
        skipped: summary.skipped.iter().map(skipped_text).collect(),
    }
}

fn verify(archive: &Path) -> CommandResult<ExportOutcome> {
    let verification = scoretable_export::verify_archive(archive).map_err(|error| {
        CommandError::new(
            ErrorKind::InvalidValue,
            format!("{} is not intact: {error}", archive.display()),
        )
    })?;
    if !verification.is_intact() {
        let count = verification.problems.len();
        let mut message = format!(
            "{} is not intact: {count} problem{} found",
            archive.display(),
            if count == 1 { "" } else { "s" }
        );
        for problem in verification.problems.iter().take(10) {
            message.push_str(&format!("\n{problem}"));
        }
        return Err(CommandError::new(ErrorKind::InvalidValue, message));
    }
    Ok(ExportOutcome {
        summary: format!(
            "{} is intact: {} files match the manifest; amendment chain of {} entries, head {}",
            archive.display(),
            verification.files_checked,
            verification.amendment_entries,
            verification.amendment_chain_head
        ),
        files: Vec::new(),
        skipped: Vec::new(),
    })
}

/// Writes the export the request describes and reports every file written.
#[tauri::command]
pub async fn run_export(
    state: State<'_, AppState>,
    request: ExportRequest,
) -> CommandResult<ExportOutcome> {
    let competition = state
        .run(|session| Ok(session.file()?.path().to_path_buf()))
        .await?;
    let job = export_job(&request)?;
    tauri::async_runtime::spawn_blocking(move || match job {
        Job::Verify(archive) => verify(&archive),
        Job::Export(export) => {
            let mut file = CompetitionFile::open(&competition)?;
            let summary =
                scoretable_export::run_export(&mut file, &export).map_err(export_error)?;
            Ok(outcome(
                &request.kind,
                Path::new(request.path.trim()),
                summary,
            ))
        }
    })
    .await?
}

/// Asks for a path with the native dialog. `purpose` is `open_source`,
/// `open_recording`, `open_archive`, `save` or `folder`; `None` when the
/// scorekeeper cancels.
#[tauri::command]
pub async fn choose_path(purpose: String, suggested_name: String) -> CommandResult<Option<String>> {
    let dialog = rfd::AsyncFileDialog::new();
    let chosen = match purpose.as_str() {
        "open_source" => {
            dialog
                .set_title("Choose a results file")
                .add_filter("Results", &["csv", "json", "xml", "xlsx", "txt"])
                .pick_file()
                .await
        }
        "open_recording" | "open_archive" => dialog.set_title("Choose a file").pick_file().await,
        "folder" => dialog.set_title("Choose a folder").pick_folder().await,
        "save" => {
            dialog
                .set_title("Export to")
                .set_file_name(suggested_name)
                .save_file()
                .await
        }
        other => {
            return Err(CommandError::invalid(
                "dialog",
                format!("unknown purpose {other:?}"),
            ))
        }
    };
    Ok(chosen.map(|handle| handle.path().display().to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(kind: &str) -> ExportRequest {
        ExportRequest {
            kind: kind.to_string(),
            path: " /tmp/out ".to_string(),
            workout_id: Some(7),
            division_id: Some(3),
            format: "XML".to_string(),
            map_statuses: true,
            award_workout_id: None,
            awards_per_division: 2,
            overall_awards: 1,
            gender_overall_awards: 3,
            overall_winners_also_take_division_awards: false,
        }
    }

    #[test]
    fn dialog_requests_become_export_requests() {
        match export_job(&request("runsignup")).unwrap() {
            Job::Export(Export::RunSignup {
                workout_id,
                format,
                options,
                output,
            }) => {
                assert_eq!(workout_id, 7);
                assert_eq!(format, RunSignupFormat::Xml);
                assert_eq!(options.division_id, Some(3));
                assert_eq!(options.status_policy, RunSignupStatusPolicy::MapToNearest);
                assert_eq!(output, PathBuf::from("/tmp/out"));
            }
            _ => panic!("not a RunSignup export"),
        }
        match export_job(&request("seal")).unwrap() {
            Job::Export(Export::Seal {
                award_rules: Some(rules),
                ..
            }) => {
                assert_eq!(rules.basis, AwardBasis::Overall);
                assert_eq!(rules.overall_awards, 1);
                assert_eq!(rules.gender_overall_awards, 3);
                assert_eq!(rules.awards_per_division, 2);
                assert!(!rules.overall_winners_also_take_division_awards);
            }
            _ => panic!("not a seal with awards"),
        }
        assert!(matches!(
            export_job(&request("verify")).unwrap(),
            Job::Verify(path) if path == Path::new("/tmp/out")
        ));
    }

    #[test]
    fn bad_dialog_requests_are_refused_by_field() {
        let mut no_path = request("json");
        no_path.path = "  ".to_string();
        assert!(export_job(&no_path).is_err());
        let mut negative = request("awards");
        negative.gender_overall_awards = -1;
        let error = export_job(&negative).err().unwrap();
        assert!(
            error.message.contains("gender overall awards"),
            "{}",
            error.message
        );
        let mut no_workout = request("workout_csv");
        no_workout.workout_id = None;
        assert!(export_job(&no_workout).is_err());
        assert!(export_job(&request("everything")).is_err());
    }

    #[test]
    fn refused_runsignup_statuses_name_the_dialog_checkbox() {
        let error = export_error(ExportError::RunSignupStatus {
            workout: "Sprint".to_string(),
            bib: "4".to_string(),
            name: "Di Diaz".to_string(),
            status: scoretable_core::model::Status::Wd,
        });
        assert!(error.message.contains("bib 4"), "{}", error.message);
        assert!(
            error.message.contains("Write LAP and NC as DNF"),
            "{}",
            error.message
        );
    }
}
