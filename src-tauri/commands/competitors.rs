//! Competitors: the list, lookup by bib, division membership, and CSV
//! import with progress.
//!
//! The core reads and checks the whole CSV first (every bad row and field is
//! named); the store then imports it in one transaction, so a bad file
//! stores nothing. Progress goes over a [`Channel`] as the store reports it:
//! rows stored so far out of the rows read, the last report after the
//! commit.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use scoretable_core::model::{Competitor, Entrant};
use scoretable_store::CompetitionFile;
use tauri::ipc::Channel;
use tauri::{AppHandle, State};

use crate::commands::notify_scores_changed;
use crate::commands::view::value_display;
use crate::dto::{
    AthletePreview, CommandError, CompetitorView, ErrorKind, ImportProgress, ImportSummary,
};
use crate::error::CommandResult;
use crate::state::AppState;

fn division_names(file: &CompetitionFile) -> CommandResult<HashMap<i64, String>> {
    Ok(file
        .divisions()?
        .into_iter()
        .map(|division| (division.id, division.name))
        .collect())
}

fn competitor_view(competitor: Competitor, names: &HashMap<i64, String>) -> CompetitorView {
    CompetitorView {
        id: competitor.id,
        division_names: competitor
            .division_ids
            .iter()
            .filter_map(|id| names.get(id).cloned())
            .collect(),
        division_ids: competitor.division_ids,
        bib: competitor.bib,
        first_name: competitor.first_name,
        last_name: competitor.last_name,
        gender: competitor.gender.map(Into::into),
        country: competitor.country,
        club: competitor.club,
    }
}

#[tauri::command]
pub async fn list_competitors(state: State<'_, AppState>) -> CommandResult<Vec<CompetitorView>> {
    state
        .run(|session| {
            let file = session.file()?;
            let names = division_names(file)?;
            Ok(file
                .competitors()?
                .into_iter()
                .map(|competitor| competitor_view(competitor, &names))
                .collect())
        })
        .await
}

/// Reads, checks and imports the CSV at `path`, reporting progress.
fn import_file(
    file: &mut CompetitionFile,
    path: &Path,
    progress: &Channel<ImportProgress>,
) -> CommandResult<ImportSummary> {
    let file_name = path
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string());
    let reader = std::fs::File::open(path).map_err(|error| {
        CommandError::new(
            ErrorKind::Storage,
            format!("Could not read {}: {error}.", path.display()),
        )
    })?;
    // The store reports before the first row, every thousand rows inside
    // its one transaction, and once more after the commit. A closed window
    // is the only way a send fails; the import goes on.
    let import = scoretable_usecase::imports::import_competitors_csv(
        file,
        &file_name,
        std::io::BufReader::new(reader),
        &mut |report| {
            let _ = progress.send(ImportProgress {
                done: report.done as u32,
                total: report.total as u32,
            });
        },
    )?;
    let (summary, rows) = (import.summary, import.rows);
    Ok(ImportSummary {
        path: path.display().to_string(),
        imported: rows as u32,
        added: summary.new as u32,
        updated: summary.updated as u32,
    })
}

#[tauri::command]
pub async fn import_competitors_csv(
    state: State<'_, AppState>,
    path: String,
    progress: Channel<ImportProgress>,
) -> CommandResult<ImportSummary> {
    let path = PathBuf::from(path.trim());
    state
        .run(move |session| import_file(session.file_mut()?, &path, &progress))
        .await
}

#[tauri::command]
pub async fn import_competitors_dialog(
    state: State<'_, AppState>,
    progress: Channel<ImportProgress>,
) -> CommandResult<Option<ImportSummary>> {
    let chosen = rfd::AsyncFileDialog::new()
        .set_title("Import competitors")
        .add_filter("CSV", &["csv", "txt", "tsv"])
        .pick_file()
        .await;
    let Some(handle) = chosen else {
        return Ok(None);
    };
    let path = handle.path().to_path_buf();
    state
        .run(move |session| import_file(session.file_mut()?, &path, &progress).map(Some))
        .await
}

#[tauri::command]
pub async fn find_competitor(
    state: State<'_, AppState>,
    workout_id: i64,
    bib: String,
) -> CommandResult<Option<AthletePreview>> {
    state
        .run(move |session| {
            let file = session.file()?;
            let bib = bib.trim();
            let workout = file.workout(workout_id)?;
            let (entrant, name, division_ids) =
                if let Some(competitor) = file.competitor_by_bib(bib)? {
                    (
                        Entrant::Competitor(competitor.id),
                        format!("{} {}", competitor.first_name, competitor.last_name),
                        competitor.division_ids,
                    )
                } else if let Some(team) = file.team_by_bib(bib)? {
                    (Entrant::Team(team.id), team.name, team.division_ids)
                } else {
                    return Ok(None);
                };
            let names = division_names(file)?;
            let current_display = file.result(workout_id, entrant)?.and_then(|result| {
                result
                    .effective_value()
                    .map(|value| value_display(&workout, value))
            });
            Ok(Some(AthletePreview {
                bib: bib.to_string(),
                name,
                division_names: division_ids
                    .iter()
                    .filter_map(|id| names.get(id).cloned())
                    .collect(),
                current_display,
            }))
        })
        .await
}

/// Puts a competitor in exactly `division_ids` and returns them as listed.
#[tauri::command]
pub async fn set_competitor_divisions(
    app: AppHandle,
    state: State<'_, AppState>,
    competitor_id: i64,
    division_ids: Vec<i64>,
) -> CommandResult<CompetitorView> {
    let updated = state
        .run(move |session| {
            let file = session.file_mut()?;
            file.set_competitor_divisions(competitor_id, &division_ids)?;
            let competitor = file.competitor(competitor_id)?.ok_or_else(|| {
                CommandError::new(
                    ErrorKind::NotFound,
                    format!("There is no competitor {competitor_id}."),
                )
            })?;
            Ok(competitor_view(competitor, &division_names(file)?))
        })
        .await?;
    // Division leaderboards change with their members.
    notify_scores_changed(&app);
    Ok(updated)
}
