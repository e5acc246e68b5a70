//! Opening, creating and closing the competition file, with the native
//! dialog (rfd) or an explicit path (the seam the end-to-end test and
//! `SCORETABLE_OPEN` use).

use std::path::{Path, PathBuf};

use scoretable_store::CompetitionFile;
use scoretable_usecase::competition::{slug_from_name, CompetitionDetails};
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

/// The competition a New Competition form stands for (the use-case layer's
/// one rule, which the CLI's `competition create` uses too: a blank end
/// date is the start date, the slug comes from the name).
fn details(form: &NewCompetition) -> CompetitionDetails<'_> {
    CompetitionDetails {
        name: &form.name,
        slug: None,
        start_date: &form.start_date,
        end_date: Some(&form.end_date),
        venue: &form.venue,
        country: &form.country,
        organiser: &form.organiser,
        time_zone: &form.time_zone,
    }
}

/// Opens the file at `path` in `session` (used by the command and at
/// startup), closing whatever was open: its pollers and sync worker stop,
/// the new file's sync worker starts.
pub fn open_path(session: &mut Session, path: &Path) -> CommandResult<CompetitionSummary> {
    // A file that cannot be written (read-only, full disk) still opens, for
    // reading and exporting; the header says why it is read-only.
    summary(session.open(path)?)
}

fn create_at(
    session: &mut Session,
    path: &Path,
    form: &NewCompetition,
) -> CommandResult<CompetitionSummary> {
    summary(session.create(path, &details(form))?)
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
        .run(|session| session.open_file().map(summary).transpose())
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
    // Stops the file's pollers and sync worker, then closes it.
    state.run(|session| Ok(session.close()?)).await
}

/// The error from opening `SCORETABLE_OPEN` at startup, once; then `None`.
#[tauri::command]
pub async fn take_startup_error(state: State<'_, AppState>) -> CommandResult<Option<String>> {
    Ok(state.take_startup_error())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Drift fixed: the CLI made a competition without an end date a
    /// one-day competition; the app passed the blank end date on and the
    /// store refused the form.
    #[test]
    fn a_blank_end_date_is_the_start_date_as_in_the_cli() {
        let details = NewCompetition {
            path: String::new(),
            name: " Harbour Sprint ".into(),
            start_date: "2026-06-01".into(),
            end_date: "  ".into(),
            venue: "Harbour".into(),
            country: "gbr".into(),
            organiser: "Club".into(),
            time_zone: "Europe/London".into(),
        };
        let competition =
            scoretable_usecase::competition::competition_from(&super::details(&details));
        assert_eq!(competition.end_date, "2026-06-01");
        assert_eq!(competition.slug, "harbour-sprint");
        assert_eq!(competition.country, "GBR");
        let directory = tempfile::tempdir().unwrap();
        CompetitionFile::create(directory.path().join("one-day.scoretable"), &competition).unwrap();
    }
}
