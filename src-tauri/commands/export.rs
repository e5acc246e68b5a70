//! The export dialog: results CSV, JSON, RunSignup upload files, printable
//! PDFs, award lists, everything at once, the sealed archive and archive
//! verification, plus the native file and folder pickers the integration
//! screens share.
//!
//! Each export runs the CLI's own export command (`scoretable_cli::export_cmd`)
//! on a separate handle of the open file, so the dialog and
//! `scoretable export ...` write exactly the same bytes, refuse the same
//! paths (never the competition file) and word their errors the same way.

use std::path::PathBuf;

use scoretable_cli::error::{CliError, ErrorKind as CliErrorKind};
use scoretable_cli::export_cmd::{
    self, AwardFlags, AwardsFormatArg, ExportAllArgs, ExportAwardsArgs, ExportCommand,
    ExportCsvArgs, ExportJsonArgs, ExportPdfArgs, ExportRunSignupArgs, ExportSealArgs,
    ExportVerifyArgs, RunSignupFormatArg,
};
use serde_json::Value;
use tauri::State;

use crate::dto::{CommandError, ErrorKind};
use crate::dto_integrations::{ExportOutcome, ExportRequest, WrittenFileView};
use crate::error::CommandResult;
use crate::state::AppState;

fn cli_error(error: CliError) -> CommandError {
    let kind = match error.kind {
        CliErrorKind::NotFound => ErrorKind::NotFound,
        CliErrorKind::Store | CliErrorKind::Io => ErrorKind::Storage,
        _ => ErrorKind::InvalidValue,
    };
    let mut message = error.message;
    for problem in error.problems.iter().take(10) {
        message.push_str(&format!("\n{}", problem.message));
    }
    CommandError::new(kind, message)
}

fn award_flags(request: &ExportRequest) -> CommandResult<AwardFlags> {
    let count = |value: i64, field: &str| {
        u32::try_from(value).map_err(|_| CommandError::invalid(field, "it must be 0 or more"))
    };
    Ok(AwardFlags {
        workout: request.award_workout_id.map(|id| id.to_string()),
        per_division: count(request.awards_per_division, "awards per division")?,
        overall: count(request.overall_awards, "overall awards")?,
        no_double_awards: !request.overall_winners_also_take_division_awards,
    })
}

/// The CLI command the request describes.
fn export_command(request: &ExportRequest) -> CommandResult<ExportCommand> {
    let path = PathBuf::from(request.path.trim());
    if request.path.trim().is_empty() {
        return Err(CommandError::invalid("path", "choose where to write"));
    }
    let workout = request.workout_id.map(|id| id.to_string());
    let division = request.division_id.map(|id| id.to_string());
    let format = request.format.trim().to_ascii_lowercase();
    Ok(match request.kind.as_str() {
        "workout_csv" => {
            if workout.is_none() {
                return Err(CommandError::invalid("workout", "choose a workout"));
            }
            ExportCommand::Csv(ExportCsvArgs {
                workout,
                overall: false,
                division,
                output: path,
            })
        }
        "overall_csv" => ExportCommand::Csv(ExportCsvArgs {
            workout: None,
            overall: true,
            division,
            output: path,
        }),
        "json" => ExportCommand::Json(ExportJsonArgs { output: path }),
        "runsignup" => ExportCommand::RunSignup(ExportRunSignupArgs {
            workout: workout.ok_or_else(|| CommandError::invalid("workout", "choose a workout"))?,
            format: match format.as_str() {
                "csv" => RunSignupFormatArg::Csv,
                "json" => RunSignupFormatArg::Json,
                "xml" => RunSignupFormatArg::Xml,
                other => {
                    return Err(CommandError::invalid(
                        "RunSignup format",
                        format!("{other:?}; expected csv, json or xml"),
                    ))
                }
            },
            division,
            map_statuses: request.map_statuses,
            split_ids: Vec::new(),
            division_ids: Vec::new(),
            output: path,
        }),
        "pdf" => ExportCommand::Pdf(ExportPdfArgs {
            division,
            output: path,
        }),
        "awards" => ExportCommand::Awards(ExportAwardsArgs {
            format: match format.as_str() {
                "csv" => AwardsFormatArg::Csv,
                _ => AwardsFormatArg::Pdf,
            },
            awards: award_flags(request)?,
            output: path,
        }),
        "all" => ExportCommand::All(ExportAllArgs {
            dir: path,
            map_statuses: request.map_statuses,
            no_awards: false,
            awards: award_flags(request)?,
        }),
        "seal" => ExportCommand::Seal(ExportSealArgs {
            output: path,
            map_statuses: request.map_statuses,
            no_awards: false,
            awards: award_flags(request)?,
        }),
        "verify" => ExportCommand::Verify(ExportVerifyArgs { archive: path }),
        other => {
            return Err(CommandError::invalid(
                "export",
                format!("unknown kind {other:?}"),
            ))
        }
    })
}

fn text(value: &Value, key: &str) -> String {
    value
        .get(key)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

fn number(value: &Value, key: &str) -> i64 {
    value.get(key).and_then(Value::as_i64).unwrap_or_default()
}

/// Reads the files out of the CLI's JSON report.
fn outcome_from_report(summary: String, report: &Value) -> ExportOutcome {
    let mut files = Vec::new();
    if let Some(archive) = report.get("archive_sha256").and(report.get("archive")) {
        files.push(WrittenFileView {
            path: archive.as_str().unwrap_or_default().to_string(),
            bytes: number(report, "archive_bytes"),
            sha256: text(report, "archive_sha256"),
            contents: "sealed archive".to_string(),
        });
    } else {
        for key in ["written", "files"] {
            for file in report
                .get(key)
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                files.push(WrittenFileView {
                    path: text(file, "path"),
                    bytes: number(file, "bytes"),
                    sha256: text(file, "sha256"),
                    contents: text(file, "contents"),
                });
            }
        }
    }
    let skipped = report
        .get("skipped")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|reason| reason.as_str().map(str::to_string))
        .collect();
    ExportOutcome {
        summary: summary.trim_end().to_string(),
        files,
        skipped,
    }
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
    let command = export_command(&request)?;
    tauri::async_runtime::spawn_blocking(move || {
        let output = export_cmd::run(Some(&competition), &command).map_err(cli_error)?;
        let report: Value = serde_json::from_str(&output.json).unwrap_or(Value::Null);
        let summary = match request.kind.as_str() {
            // One-file exports print the path and contents; the table below shows them.
            "all" | "seal" | "verify" => output.text.lines().next().unwrap_or_default().to_string(),
            _ => format!(
                "Export written: {}",
                output.text.trim().trim_start_matches("Wrote ")
            ),
        };
        Ok(outcome_from_report(summary, &report))
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
