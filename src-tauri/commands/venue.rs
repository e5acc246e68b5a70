//! The venue display: a second window for a projector or TV showing a
//! large-type leaderboard that pages through divisions. The main window opens
//! it (or re-aims it) with [`open_venue_display`]; the venue window reads its
//! [`VenueConfig`] once and hears `venue-config` when it changes. Its
//! capability (`capabilities/venue.json`) grants only read commands, so it can
//! never change a score. It ranks nothing: it asks for leaderboard pages like
//! the Leaderboard screen does, and re-asks on `scores-changed`.
//!
//! **Its own read path.** The venue window never takes the main window's
//! session lock: its commands (`venue_*`) read through a [`VenueReader`],
//! a read-only handle of the same competition file with its own board
//! cache behind its own lock. While the main window is busy (an import, an
//! export, a long amendment holding the session), the venue display still
//! answers; it sees every committed write (the read-only handle's change
//! stamp moves with any connection's commit).

use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};

use scoretable_store::CompetitionFile;
use tauri::{AppHandle, Emitter, Manager, State, WebviewUrl, WebviewWindowBuilder};

use crate::commands::leaderboard::{overall_page, workout_page};
use crate::dto::{CommandError, CompetitionSummary, DivisionView, ErrorKind, WorkoutView};
use crate::dto_leaderboard::{LeaderboardPage, OverallPage};
use crate::dto_officials::VenueConfig;
use crate::error::CommandResult;
use crate::state::{AppState, Session};
use scoretable_usecase::session::{Quiet, SessionSettings};

/// The venue display's read-only session (see the module docs).
pub struct VenueReader {
    /// The competition file the main window has open, as of the last time
    /// it opened or re-aimed the display.
    path: Mutex<Option<PathBuf>>,
    session: Mutex<Session>,
}

impl Default for VenueReader {
    fn default() -> VenueReader {
        VenueReader {
            path: Mutex::new(None),
            // Reads only: no operator is ever recorded, no background work.
            session: Mutex::new(Session::new(
                SessionSettings::foreground("venue display"),
                Arc::new(Quiet),
            )),
        }
    }
}

fn unpoisoned<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl VenueReader {
    /// Reads `path` from now on (the main window's file).
    pub fn aim(&self, path: PathBuf) {
        *unpoisoned(&self.path) = Some(path);
    }

    /// Runs `work` on the venue's own session, opening the file read-only
    /// first (again when the main window moved to another file). Never
    /// touches the main window's session.
    pub fn read<T>(&self, work: impl FnOnce(&mut Session) -> CommandResult<T>) -> CommandResult<T> {
        let path = unpoisoned(&self.path)
            .clone()
            .ok_or_else(CommandError::no_competition)?;
        let mut session = unpoisoned(&self.session);
        if session.open_file().map(CompetitionFile::path) != Some(path.as_path()) {
            session.open_read_only(&path)?;
        }
        work(&mut session)
    }

    /// Like [`VenueReader::read`], on the blocking pool.
    async fn run<T: Send + 'static>(
        self: Arc<Self>,
        work: impl FnOnce(&mut Session) -> CommandResult<T> + Send + 'static,
    ) -> CommandResult<T> {
        tauri::async_runtime::spawn_blocking(move || self.read(work)).await?
    }
}

/// The competition the venue display shows (null before it was aimed).
#[tauri::command]
pub async fn venue_competition_status(
    reader: State<'_, Arc<VenueReader>>,
) -> CommandResult<Option<CompetitionSummary>> {
    if unpoisoned(&reader.path).is_none() {
        return Ok(None);
    }
    let reader = Arc::clone(&reader);
    reader
        .run(|session| crate::commands::competition::summary(session.file()?).map(Some))
        .await
}

#[tauri::command]
pub async fn venue_divisions(
    reader: State<'_, Arc<VenueReader>>,
) -> CommandResult<Vec<DivisionView>> {
    let reader = Arc::clone(&reader);
    reader
        .run(|session| {
            Ok(session
                .file()?
                .divisions()?
                .iter()
                .map(DivisionView::from)
                .collect())
        })
        .await
}

#[tauri::command]
pub async fn venue_workouts(
    reader: State<'_, Arc<VenueReader>>,
) -> CommandResult<Vec<WorkoutView>> {
    let reader = Arc::clone(&reader);
    reader
        .run(|session| {
            Ok(session
                .file()?
                .workouts()?
                .iter()
                .map(WorkoutView::from)
                .collect())
        })
        .await
}

#[tauri::command]
pub async fn venue_leaderboard_page(
    reader: State<'_, Arc<VenueReader>>,
    workout_id: i64,
    division_id: Option<i64>,
    offset: u32,
    limit: u32,
) -> CommandResult<LeaderboardPage> {
    let reader = Arc::clone(&reader);
    reader
        .run(move |session| workout_page(session, workout_id, division_id, offset, limit))
        .await
}

#[tauri::command]
pub async fn venue_overall_page(
    reader: State<'_, Arc<VenueReader>>,
    division_id: Option<i64>,
    offset: u32,
    limit: u32,
) -> CommandResult<OverallPage> {
    let reader = Arc::clone(&reader);
    reader
        .run(move |session| overall_page(session, division_id, offset, limit, false))
        .await
}

/// The window's label; its capability names it.
pub const VENUE_WINDOW: &str = "venue";

/// What the venue display shows, set by the main window.
#[derive(Default)]
pub struct VenueState {
    config: Mutex<Option<VenueConfig>>,
}

/// Opens the venue window showing `config`, or re-aims and raises it when it is open.
#[tauri::command]
pub async fn open_venue_display(
    app: AppHandle,
    venue: State<'_, Arc<VenueState>>,
    app_state: State<'_, AppState>,
    reader: State<'_, Arc<VenueReader>>,
    config: VenueConfig,
) -> CommandResult<()> {
    if config.page_seconds < 3 {
        return Err(CommandError::invalid(
            "page time",
            format!("{} s; a page must stay at least 3 s", config.page_seconds),
        ));
    }
    let path = app_state
        .run(|session| Ok(session.file()?.path().to_path_buf()))
        .await?;
    reader.aim(path);
    *venue
        .config
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner()) = Some(config.clone());
    let window_error = |error: tauri::Error| {
        CommandError::new(
            ErrorKind::Storage,
            format!("Could not open the venue display window: {error}"),
        )
    };
    if let Some(window) = app.get_webview_window(VENUE_WINDOW) {
        let _ = app.emit_to(VENUE_WINDOW, "venue-config", &config);
        window.set_focus().map_err(window_error)?;
        return Ok(());
    }
    WebviewWindowBuilder::new(&app, VENUE_WINDOW, WebviewUrl::App("index.html".into()))
        .title("Scoretable — venue display")
        .inner_size(1280.0, 720.0)
        .min_inner_size(640.0, 360.0)
        .build()
        .map_err(window_error)?;
    Ok(())
}

/// What the venue display should show (null before the main window opened it).
#[tauri::command]
pub fn venue_config(venue: State<'_, Arc<VenueState>>) -> Option<VenueConfig> {
    venue
        .config
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .clone()
}

#[cfg(test)]
mod tests {
    use std::sync::mpsc;
    use std::time::Duration;

    use scoretable_core::model::{Competition, PublicationState, ScoreType, Workout};
    use scoretable_store::{CompetitionFile, ScoreInput};

    use super::*;

    fn workout() -> Workout {
        Workout {
            id: 0,
            name: "Row".into(),
            sequence: 1,
            score_type: ScoreType::Time,
            time_cap_ms: None,
            reps_per_round: None,
            load_unit: scoretable_core::model::LoadUnit::Kg,
            tie_break: scoretable_core::model::TieBreak::None,
            rounding: scoretable_core::model::Rounding::Exact,
            team_scoring: scoretable_core::model::TeamScoring::Individual,
            timing_points: Vec::new(),
            heats: Vec::new(),
            state: PublicationState::Provisional,
        }
    }

    /// While the main window's session is held (as by an import or an
    /// export), the venue display's reads still answer from the file; once
    /// the main window writes, the venue's next read shows it. With the
    /// shared session lock the read below waited until the lock was freed.
    #[test]
    fn the_venue_reads_while_the_main_session_is_busy() {
        let directory = tempfile::tempdir().unwrap();
        let path = directory.path().join("venue.scoretable");
        let mut file = CompetitionFile::create(
            &path,
            &Competition {
                name: "Venue Open".into(),
                slug: "venue-open".into(),
                start_date: "2026-06-13".into(),
                end_date: "2026-06-13".into(),
                venue: String::new(),
                country: String::new(),
                organiser: String::new(),
                time_zone: "UTC".into(),
            },
        )
        .unwrap();
        let row = file.add_workout(&workout()).unwrap();
        for (bib, first) in [("1", "Ada"), ("2", "Bo")] {
            let mut competitor = scoretable_core::model::Competitor {
                id: 0,
                bib: bib.into(),
                first_name: first.into(),
                last_name: "Vale".into(),
                gender: None,
                date_of_birth: None,
                country: None,
                club: None,
                chip_ids: Vec::new(),
                external_ids: Default::default(),
                division_ids: Vec::new(),
                para_class: None,
            };
            competitor.id = file.add_competitor(&competitor).unwrap();
        }
        file.enter_score_by_bib(row, "1", ScoreInput::text("7:00"), "table")
            .unwrap();
        let app_state = AppState::default();
        app_state
            .run_now(|session| {
                session.adopt(file)?;
                Ok(())
            })
            .unwrap();
        let reader = Arc::new(VenueReader::default());
        reader.aim(path.clone());

        // The main session is busy until `release` is sent.
        let (release, wait) = mpsc::channel::<()>();
        let (held, is_held) = mpsc::channel::<()>();
        let busy_state = app_state.clone();
        let busy = std::thread::spawn(move || {
            busy_state
                .run_now(|session| {
                    held.send(()).unwrap();
                    wait.recv().unwrap();
                    session.file_mut()?.enter_score_by_bib(
                        row,
                        "2",
                        ScoreInput::text("6:30"),
                        "table",
                    )?;
                    Ok(())
                })
                .unwrap();
        });
        is_held.recv().unwrap();
        let (answer, answered) = mpsc::channel();
        let venue = Arc::clone(&reader);
        std::thread::spawn(move || {
            let page = venue.read(|session| workout_page(session, row, None, 0, 10));
            let _ = answer.send(page.map(|page| {
                page.rows
                    .iter()
                    .map(|row| row.bib.clone())
                    .collect::<Vec<_>>()
            }));
        });
        let first = answered
            .recv_timeout(Duration::from_secs(30))
            .expect("the venue's read waited for the busy main session");
        assert_eq!(first.unwrap(), vec!["1".to_string()]);
        release.send(()).unwrap();
        busy.join().unwrap();
        // The main window's write is seen on the venue's next read.
        let second = reader
            .read(|session| workout_page(session, row, None, 0, 10))
            .unwrap();
        let bibs: Vec<&str> = second.rows.iter().map(|row| row.bib.as_str()).collect();
        assert_eq!(bibs, ["2", "1"]);
        // Nothing is written through the venue's handle.
        reader
            .read(|session| {
                assert!(session.file()?.is_read_only());
                Ok(())
            })
            .unwrap();
    }
}
