//! The app's state: the main window's session (the use-case crate's
//! [`Session`]: at most one open competition file, the pollers and the sync
//! worker tied to it, the kept boards), shared by all commands. Every store
//! call runs on Tauri's blocking thread pool so the webview never waits on
//! SQLite's fsync.

use std::sync::{Arc, Mutex, MutexGuard, OnceLock};

use scoretable_usecase::session::{Quiet, SessionObserver, SessionSettings};
use tauri::AppHandle;

use crate::error::CommandResult;

pub use scoretable_usecase::Session;

/// Managed by Tauri; cloned cheaply into blocking tasks.
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Mutex<Session>>,
    /// Why the file named by `SCORETABLE_OPEN` could not be opened, until the UI has shown it.
    startup_error: Arc<Mutex<Option<String>>>,
}

impl Default for AppState {
    /// A session without background work (tests).
    fn default() -> AppState {
        AppState::new(Session::new(
            SessionSettings::foreground("score table"),
            Arc::new(Quiet),
        ))
    }
}

/// Turns what the session reports from its background threads into
/// window events (`scores-changed`) and log lines. The app handle exists
/// only once Tauri is set up; a file opened at startup reports nothing
/// before that.
#[derive(Default)]
pub struct AppEvents {
    app: OnceLock<AppHandle>,
}

impl AppEvents {
    pub fn attach(&self, app: &AppHandle) {
        let _ = self.app.set(app.clone());
    }
}

impl SessionObserver for AppEvents {
    fn scores_changed(&self) {
        if let Some(app) = self.app.get() {
            crate::commands::notify_scores_changed(app);
        }
    }

    fn background_failed(&self, what: &str, message: &str) {
        tracing::warn!(what, message, "background work stopped");
        eprintln!("scoretable: {what}: {message}");
    }
}

fn unpoisoned<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic inside a command must not lock the scorekeeper out: the
    // file itself is transactional, so the session is still usable.
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl AppState {
    pub fn new(session: Session) -> AppState {
        AppState {
            inner: Arc::new(Mutex::new(session)),
            startup_error: Arc::default(),
        }
    }

    /// Runs `work` with the session on the blocking pool and returns its result.
    pub async fn run<T, F>(&self, work: F) -> CommandResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Session) -> CommandResult<T> + Send + 'static,
    {
        let state = self.clone();
        tauri::async_runtime::spawn_blocking(move || work(&mut unpoisoned(&state.inner))).await?
    }

    /// Like [`AppState::run`], for synchronous callers (startup, the status watcher).
    pub fn run_now<T>(
        &self,
        work: impl FnOnce(&mut Session) -> CommandResult<T>,
    ) -> CommandResult<T> {
        work(&mut unpoisoned(&self.inner))
    }

    pub fn set_startup_error(&self, message: String) {
        *unpoisoned(&self.startup_error) = Some(message);
    }

    /// The startup error, once; then `None`.
    pub fn take_startup_error(&self) -> Option<String> {
        unpoisoned(&self.startup_error).take()
    }
}
