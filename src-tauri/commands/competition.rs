//! Opening, creating and closing the competition file, with the native
//! dialog (rfd) or an explicit path (the seam the end-to-end test and
//! `SCORETABLE_OPEN` use).

use std::path::{Path, PathBuf};

use scoretable_core::model::Competition;
use scoretable_store::CompetitionFile;
use scoretable_usecase::competition::slug_from_name;
use tauri::State;

use crate::dto::{CommandError, CompetitionSummary, ErrorKind, NewCompetition};
use crate::error::CommandResult;
use crate::state::{AppState, Session};

/// The extension of competition files, without the dot.
const FILE_EXTENSION: &str = "scoretable";

pub(crate) fn summary(file: &CompetitionFile) -> CommandResult<CompetitionSummary> {
    let competition = file.competition()?;
    Ok(CompetitionSummary {
        path: file.path().display().to_string(),
        name: competition.name,
        slug: competition.slug,
        start_date: competition.start_date,
        end_date: competition.end_date,
        venue: competition.venue,
        country: competition.country,
        organiser: competition.organiser,
        time_zone: competition.time_zone,
        read_only: file.open_report().read_only.clone(),
    })
}

fn competition_from(details: &NewCompetition) -> Competition {
    Competition {
        name: details.name.trim().to_string(),
        slug: slug_from_name(&details.name),
        start_date: details.start_date.trim().to_string(),
        end_date: details.end_date.trim().to_string(),
        venue: details.venue.trim().to_string(),
        country: details.country.trim().to_ascii_uppercase(),
        organiser: details.organiser.trim().to_string(),
        time_zone: details.time_zone.trim().to_string(),
    }
}

/// Replaces whatever is open with `file`, closing the old one cleanly.
fn install(session: &mut Session, file: CompetitionFile) -> CommandResult<CompetitionSummary> {
    let summary = summary(&file)?;
    if let Some(previous) = session.file.replace(file) {
        previous.close()?;
    }
    session.typed_entries.clear();
    session.boards.clear();
    Ok(summary)
}

/// Opens the file at `path` in `session` (used by the command and at startup).
pub fn open_path(session: &mut Session, path: &Path) -> CommandResult<CompetitionSummary> {
    // A file that cannot be written (read-only, full disk) still opens, for
    // reading and exporting; the header says why it is read-only.
    let file = CompetitionFile::open_preferring_write(path)?;
    install(session, file)
}

fn create_at(
    session: &mut Session,
    path: &Path,
    details: &NewCompetition,
) -> CommandResult<CompetitionSummary> {
    let file = CompetitionFile::create(path, &competition_from(details))?;
    install(session, file)
}

fn require_path(path: &str) -> CommandResult<PathBuf> {
    let trimmed = path.trim();
    if trimmed.is_empty() {
        return Err(CommandError::new(
            ErrorKind::InvalidValue,
            "Type the path of the competition file.",
        ));
    }
    Ok(PathBuf::from(trimmed))
}

#[tauri::command]
pub async fn competition_status(
    state: State<'_, AppState>,
) -> CommandResult<Option<CompetitionSummary>> {
    state
        .run(|session| session.file.as_ref().map(summary).transpose())
        .await
}

#[tauri::command]
pub async fn open_competition(
    state: State<'_, AppState>,
    path: String,
) -> CommandResult<CompetitionSummary> {
    let path = require_path(&path)?;
    state.run(move |session| open_path(session, &path)).await
}

#[tauri::command]
pub async fn create_competition(
    state: State<'_, AppState>,
    details: NewCompetition,
) -> CommandResult<CompetitionSummary> {
    let path = require_path(&details.path)?;
    state
        .run(move |session| create_at(session, &path, &details))
        .await
}

#[tauri::command]
pub async fn open_competition_dialog(
    state: State<'_, AppState>,
) -> CommandResult<Option<CompetitionSummary>> {
    let chosen = rfd::AsyncFileDialog::new()
        .set_title("Open competition")
        .add_filter("Scoretable competition", &[FILE_EXTENSION])
        .pick_file()
        .await;
    let Some(handle) = chosen else {
        return Ok(None);
    };
    let path = handle.path().to_path_buf();
    state
        .run(move |session| open_path(session, &path).map(Some))
        .await
}

#[tauri::command]
pub async fn create_competition_dialog(
    state: State<'_, AppState>,
    details: NewCompetition,
) -> CommandResult<Option<CompetitionSummary>> {
    let suggested = format!("{}.{FILE_EXTENSION}", slug_from_name(&details.name));
    let chosen = rfd::AsyncFileDialog::new()
        .set_title("Create competition")
        .add_filter("Scoretable competition", &[FILE_EXTENSION])
        .set_file_name(suggested)
        .save_file()
        .await;
    let Some(handle) = chosen else {
        return Ok(None);
    };
    let mut path = handle.path().to_path_buf();
    if path.extension().is_none() {
        path.set_extension(FILE_EXTENSION);
    }
    state
        .run(move |session| create_at(session, &path, &details).map(Some))
        .await
}

#[tauri::command]
pub async fn close_competition(state: State<'_, AppState>) -> CommandResult<()> {
    state
        .run(|session| {
            session.typed_entries.clear();
            session.boards.clear();
            match session.file.take() {
                Some(file) => Ok(file.close()?),
                None => Ok(()),
            }
        })
        .await
}

/// The error from opening `SCORETABLE_OPEN` at startup, once; then `None`.
#[tauri::command]
pub async fn take_startup_error(state: State<'_, AppState>) -> CommandResult<Option<String>> {
    state.run(|session| Ok(session.startup_error.take())).await
}
