//! The app's state: at most one open competition file, shared by all
//! commands. Every store call runs on Tauri's blocking thread pool so the
//! webview never waits on SQLite's fsync.

use std::sync::{Arc, Mutex, MutexGuard};

use scoretable_store::CompetitionFile;

use crate::boards::SessionBoards;
use crate::dto::{CommandError, EntryView};
use crate::error::CommandResult;

/// Managed by Tauri; cloned cheaply into blocking tasks.
#[derive(Clone, Default)]
pub struct AppState {
    inner: Arc<Mutex<Session>>,
}

/// What this window has open.
#[derive(Default)]
pub struct Session {
    pub file: Option<CompetitionFile>,
    /// Entries typed at this table since the file was opened, oldest
    /// first: "undo last entry" undoes the newest one for the workout.
    pub typed_entries: Vec<EntryView>,
    /// Why the file named by `SCORETABLE_OPEN` could not be opened, until the UI has shown it.
    pub startup_error: Option<String>,
    /// Overall tables of the open file, kept until it changes.
    pub boards: SessionBoards,
    /// Ranked workout boards (every division), updated in place by this
    /// app's own score writes and rebuilt once after anyone else's.
    pub live: scoretable_usecase::boards::KeptBoards,
}

impl Session {
    /// The open file, or the error telling the scorekeeper to open one.
    pub fn file(&self) -> CommandResult<&CompetitionFile> {
        self.file.as_ref().ok_or_else(CommandError::no_competition)
    }

    pub fn file_mut(&mut self) -> CommandResult<&mut CompetitionFile> {
        self.file.as_mut().ok_or_else(CommandError::no_competition)
    }
}

impl AppState {
    fn lock(&self) -> MutexGuard<'_, Session> {
        // A panic inside a command must not lock the scorekeeper out: the
        // file itself is transactional, so the session is still usable.
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Runs `work` with the session on the blocking pool and returns its result.
    pub async fn run<T, F>(&self, work: F) -> CommandResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Session) -> CommandResult<T> + Send + 'static,
    {
        let state = self.clone();
        tauri::async_runtime::spawn_blocking(move || work(&mut state.lock())).await?
    }

    /// Like [`AppState::run`], for synchronous callers (startup).
    pub fn run_now<T>(
        &self,
        work: impl FnOnce(&mut Session) -> CommandResult<T>,
    ) -> CommandResult<T> {
        work(&mut self.lock())
    }
}
