//! The session of a long-running process (the desktop app's window, the
//! venue display's reader, a CLI watch): the open competition file, the
//! operator its writes are recorded as, the background work tied to the
//! file's lifetime and the ranked boards kept in memory.
//!
//! **Lifetime.** Opening a file ([`Session::open`], [`Session::create`],
//! [`Session::adopt`]) first closes whatever was open, then starts the sync
//! worker (when the settings ask for one and the file can be written).
//! Pollers are started per connection ([`Session::start_polling`]). Closing
//! ([`Session::close`]), switching files or dropping the session stops every
//! poller and the sync worker and joins their threads before the file is
//! closed, so no background thread outlives the file it works on and none
//! can write into a file opened after it. A poller waiting for a slow
//! source gives its request up at once (the fetcher is stopped by the same
//! flag, `HttpFetcher::stopped_by`; nothing of that request is recorded),
//! so closing never waits for a feed's answer; an answer already received
//! is applied, in its one transaction, before the poller stops.
//!
//! **Threads and events.** Each poller is a thread on its own handle of the
//! file (WAL keeps readers and the writer apart), running
//! [`crate::feeds::watch_feed`]; the sync worker is the sync crate's
//! [`SyncWorker`], also on its own handle. The session reports to a
//! [`SessionObserver`] the shell gives it (the app emits `scores-changed`;
//! the session knows nothing of Tauri).
//!
//! **Boards.** The workout boards and the overall tables ([`KeptBoards`])
//! are kept here; the session's own score entry, undo and amendment update
//! the workout board in place and, from its who-moved list, every kept
//! overall table (the workout's board is built first when only tables are
//! kept). Each poller announces each write's serial to the kept boards'
//! inbox (`crate::boards::WriteInbox`) before it commits, then posts the
//! serials, with the entrants whose results it stored, before telling the
//! observer, so the boards and tables take a poll's scores in place too
//! ([`handed_writes`]; the polled workouts' boards are kept whenever a
//! table is), and a read between a commit and its hand-off waits for the
//! hand-off. The poller's handle opening and closing (its session row)
//! are handed over as they commit, so starting or stopping a poller keeps
//! the boards. Anything else (another program's write, a write abandoned
//! after its announcement) makes each board and table be rebuilt once when
//! next asked for. The sync worker's writes (outbox and sync state, its
//! handle's opening and closing) are announced the same way and handed
//! over by their commit, and the
//! session's conflict and review decisions ([`Session::resolve_conflict`],
//! [`Session::assign_review`], [`Session::dismiss_review`]) go through the
//! boards' write path.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use scoretable_core::board::LiveBoard;
use scoretable_core::model::{Entrant, Id};
use scoretable_inbound::PollOutcome;
use scoretable_store::{CompetitionFile, InboundReport, RecordOutcome, ReviewItem, ScoreInput};
use scoretable_sync::{DrainOptions, DrainReport, SecretStore, SyncWorker};

use crate::boards::{Amended, HandedWrites, KeptBoards, OverallTable, WriteInbox};
use crate::competition::{create_competition, CompetitionDetails};
use crate::error::{ErrorClass, UseCaseError, UseCaseResult};
use crate::feeds::{poll_changed_scores, watch_feed, FeedWatch, PollSettings};
use crate::review::{
    assign_review, dismiss_review, resolve_conflict, ConflictDecision, ConflictOutcome,
};
use crate::scores::{enter_score_by_bib, ScoreReceipt, TypedScore};
use crate::sync_targets::{drain_outbox, DrainPlan};

/// What a session tells its shell about its background work. Called from
/// the background threads: keep it short and never wait on the session.
pub trait SessionObserver: Send + Sync {
    /// A poller stored scores or found a conflict: live boards re-fetch.
    fn scores_changed(&self) {}
    /// Background work stopped or could not start (`what` says which, in
    /// words: `polling timing stopped`, `could not start the sync worker`).
    fn background_failed(&self, what: &str, message: &str) {
        let _ = (what, message);
    }
}

/// An observer that ignores everything (the venue's reader, the CLI).
#[derive(Debug, Clone, Copy, Default)]
pub struct Quiet;

impl SessionObserver for Quiet {}

/// The background sync worker a session runs while a file is open.
#[derive(Debug, Clone)]
pub struct SyncWorkerSettings {
    /// How often it looks at the outbox.
    pub round: Duration,
    /// Per-request timeout; a slower answer is ambiguous.
    pub request_timeout: Duration,
    pub secrets: SecretStore,
}

impl Default for SyncWorkerSettings {
    /// The desktop app's: a look every 3 s, 10 s per request, secrets from
    /// the OS keyring (or the documented fallback).
    fn default() -> SyncWorkerSettings {
        SyncWorkerSettings {
            round: Duration::from_secs(3),
            request_timeout: Duration::from_secs(10),
            secrets: SecretStore::default(),
        }
    }
}

/// How a session runs.
#[derive(Debug, Clone)]
pub struct SessionSettings {
    /// Who the audit trail names for this session's writes (typed scores,
    /// undos, conflict and review decisions).
    pub operator: String,
    /// The sync worker started with each writable file (`None`: none).
    pub sync_worker: Option<SyncWorkerSettings>,
    /// How its pollers fetch.
    pub poll: PollSettings,
}

impl SessionSettings {
    /// The desktop app's main window: a sync worker with every file.
    pub fn desktop(operator: impl Into<String>) -> SessionSettings {
        SessionSettings {
            operator: operator.into(),
            sync_worker: Some(SyncWorkerSettings::default()),
            poll: PollSettings::default(),
        }
    }

    /// A session that starts nothing by itself (a reader, a CLI command).
    pub fn foreground(operator: impl Into<String>) -> SessionSettings {
        SessionSettings {
            operator: operator.into(),
            sync_worker: None,
            poll: PollSettings::default(),
        }
    }
}

/// A running poller: its stop flag, its thread and the workout it fills.
struct Poller {
    stop: Arc<AtomicBool>,
    thread: JoinHandle<()>,
    workout_id: Id,
}

impl Poller {
    fn is_running(&self) -> bool {
        !self.thread.is_finished()
    }
}

/// A workout's kept board as a screen reads it.
pub struct WorkoutBoard<'a> {
    /// Moves whenever any kept board or overall table changes.
    pub stamp: u64,
    pub file: &'a CompetitionFile,
    pub board: &'a LiveBoard,
    /// Whether the board was ranked for this read (its temporary rows are
    /// free now: a shell may hand memory back to the system).
    pub built: bool,
}

/// An overall table as a screen reads it.
pub struct OverallRead {
    /// Moves whenever any kept board or overall table changes.
    pub stamp: u64,
    pub table: Arc<OverallTable>,
    /// Whether the table was built for this read.
    pub built: bool,
}

/// See the module documentation.
pub struct Session {
    settings: SessionSettings,
    observer: Arc<dyn SessionObserver>,
    file: Option<CompetitionFile>,
    /// Scores typed in this session since the file was opened, oldest
    /// first: undo takes back the newest one of a workout.
    typed: Vec<ScoreReceipt>,
    workouts: KeptBoards,
    pollers: BTreeMap<String, Poller>,
    sync_worker: Option<SyncWorker>,
}

/// The error for a request that needs an open file.
pub fn no_file() -> UseCaseError {
    UseCaseError::new(
        ErrorClass::NoFile,
        "No competition file is open. Open or create one first.",
    )
}

impl Session {
    pub fn new(settings: SessionSettings, observer: Arc<dyn SessionObserver>) -> Session {
        Session {
            settings,
            observer,
            file: None,
            typed: Vec::new(),
            workouts: KeptBoards::default(),
            pollers: BTreeMap::new(),
            sync_worker: None,
        }
    }

    /// Who this session's writes are recorded as.
    pub fn operator(&self) -> &str {
        &self.settings.operator
    }

    /// The open file, if any.
    pub fn open_file(&self) -> Option<&CompetitionFile> {
        self.file.as_ref()
    }

    /// The open file, or the error saying none is open.
    pub fn file(&self) -> UseCaseResult<&CompetitionFile> {
        self.file.as_ref().ok_or_else(no_file)
    }

    pub fn file_mut(&mut self) -> UseCaseResult<&mut CompetitionFile> {
        self.file.as_mut().ok_or_else(no_file)
    }

    /// Opens the file at `path` for writing, or for reading when it cannot
    /// be written (read-only file or folder, full disk: the open report
    /// says why), replacing whatever was open.
    pub fn open(&mut self, path: &Path) -> UseCaseResult<&CompetitionFile> {
        // Opened before the old file closes: a file that does not open
        // leaves the session as it was.
        let file = CompetitionFile::open_preferring_write(path)?;
        self.adopt(file)
    }

    /// Opens the file at `path` read-only (nothing is written, no
    /// background work starts), replacing whatever was open.
    pub fn open_read_only(&mut self, path: &Path) -> UseCaseResult<&CompetitionFile> {
        let file = CompetitionFile::open_read_only(path)?;
        self.adopt(file)
    }

    /// Creates a competition file at `path` (refused when it exists) and
    /// opens it, replacing whatever was open.
    pub fn create(
        &mut self,
        path: &Path,
        details: &CompetitionDetails<'_>,
    ) -> UseCaseResult<&CompetitionFile> {
        let file = create_competition(path, details)?;
        self.adopt(file)
    }

    /// Makes `file` the session's file: whatever was open is closed first
    /// (its background work stopped and joined), the kept boards and typed
    /// entries are forgotten, and the sync worker starts for a writable
    /// file when the settings ask for one.
    pub fn adopt(&mut self, file: CompetitionFile) -> UseCaseResult<&CompetitionFile> {
        let closed = self.close();
        let writable = !file.is_read_only();
        let path = file.path().to_path_buf();
        let file = self.file.insert(file);
        if let (true, Some(worker)) = (writable, &self.settings.sync_worker) {
            // Its writes (outbox and sync state only) are announced to the
            // kept boards before they commit and handed over by their
            // commit: they change nothing the boards show.
            let writer = self.workouts.inbox().writer(true);
            match SyncWorker::spawn_handing_writes(
                &path,
                worker.secrets.clone(),
                DrainOptions {
                    request_timeout: worker.request_timeout,
                    ..DrainOptions::default()
                },
                worker.round,
                move |notice| writer.notice(notice),
            ) {
                Ok(worker) => self.sync_worker = Some(worker),
                Err(error) => self
                    .observer
                    .background_failed("could not start the sync worker", &error.to_string()),
            }
        }
        // The new file is open either way; an error closing the old one
        // (its last checkpoint) is still reported.
        closed.map(|()| &*file)
    }

    /// Stops every poller and the sync worker, joins their threads, forgets
    /// the kept boards and typed entries and closes the file. Closing a
    /// session with nothing open does nothing.
    pub fn close(&mut self) -> UseCaseResult<()> {
        self.stop_background();
        self.typed.clear();
        self.workouts.clear();
        match self.file.take() {
            Some(file) => Ok(file.close()?),
            None => Ok(()),
        }
    }

    /// Signals every background thread to stop, then joins them all.
    fn stop_background(&mut self) {
        for poller in self.pollers.values() {
            poller.stop.store(true, Ordering::SeqCst);
        }
        // Dropping the worker stops it and joins its thread.
        self.sync_worker = None;
        for (_, poller) in std::mem::take(&mut self.pollers) {
            let _ = poller.thread.join();
            self.workouts.unwatch(poller.workout_id);
        }
    }

    /// Whether the background sync worker runs.
    pub fn sync_worker_running(&self) -> bool {
        self.sync_worker.is_some()
    }

    /// Wakes the sync worker to drain now (nothing when none runs).
    pub fn wake_sync_worker(&self) {
        if let Some(worker) = &self.sync_worker {
            worker.sync_now();
        }
    }

    /// What the sync worker's latest round did per target, and its error.
    pub fn sync_worker_reports(&self) -> Option<(Vec<DrainReport>, Option<String>)> {
        self.sync_worker
            .as_ref()
            .map(|worker| (worker.last_reports(), worker.last_error()))
    }

    /// Starts polling the connection `name` in the background (nothing
    /// when it is already polled); returns the connection's stored name.
    /// The poller stops when [`Session::stop_polling`] is called, when the
    /// session closes its file, or on an error it cannot poll past (the
    /// observer hears why).
    pub fn start_polling(&mut self, name: &str) -> UseCaseResult<String> {
        let file = self.file()?;
        let connection = file.connection_by_name(name.trim())?;
        let path = file.path().to_path_buf();
        let name = connection.name;
        if self.is_polling(&name) {
            return Ok(name);
        }
        if let Some(finished) = self.pollers.remove(&name) {
            let _ = finished.thread.join();
            self.workouts.unwatch(finished.workout_id);
        }
        let stop = Arc::new(AtomicBool::new(false));
        let observer = Arc::clone(&self.observer);
        let settings = self.settings.poll;
        let inbox = self.workouts.inbox();
        let thread = {
            let (stop, name) = (Arc::clone(&stop), name.clone());
            std::thread::Builder::new()
                .name(format!("poll {name}"))
                .spawn(move || {
                    // Every write of the poller's handle (its opening
                    // and closing too) is announced to the session's
                    // kept boards before it commits and handed over (a
                    // poll's with the stored entrants, before the shell
                    // hears of it), so they are applied in place.
                    let polled = inbox.open_handing_writes(&path).and_then(|mut file| {
                        let mut on_poll = |outcome: &PollOutcome| {
                            inbox.post(handed_writes(outcome));
                            if poll_changed_scores(outcome) {
                                observer.scores_changed();
                            }
                        };
                        let watched = watch_feed(
                            &mut file,
                            &name,
                            FeedWatch {
                                settings,
                                max_polls: None,
                                stop,
                                recording: None,
                            },
                            &mut on_poll,
                        );
                        let closed = file.close().map_err(UseCaseError::from);
                        watched.and(closed)
                    });
                    if let Err(error) = polled {
                        observer
                            .background_failed(&format!("polling {name} stopped"), &error.message);
                    }
                })
                .map_err(|error| UseCaseError::new(ErrorClass::Internal, error.to_string()))?
        };
        self.workouts.watch(connection.workout_id);
        self.pollers.insert(
            name.clone(),
            Poller {
                stop,
                thread,
                workout_id: connection.workout_id,
            },
        );
        Ok(name)
    }

    /// Stops the poller of the connection `name` and waits for its thread
    /// (an in-flight request is given up, not waited for). Nothing when none
    /// runs.
    pub fn stop_polling(&mut self, name: &str) {
        if let Some(poller) = self.pollers.remove(name.trim()) {
            poller.stop.store(true, Ordering::SeqCst);
            let _ = poller.thread.join();
            if !self
                .pollers
                .values()
                .any(|other| other.workout_id == poller.workout_id)
            {
                self.workouts.unwatch(poller.workout_id);
            }
        }
    }

    /// Whether this session's poller runs for the connection `name`.
    pub fn is_polling(&self, name: &str) -> bool {
        self.pollers.get(name).is_some_and(Poller::is_running)
    }

    /// The connections this session polls now, by name.
    pub fn polled(&self) -> Vec<String> {
        self.pollers
            .iter()
            .filter(|(_, poller)| poller.is_running())
            .map(|(name, _)| name.clone())
            .collect()
    }

    /// The inbox through which another handle of this process hands its
    /// writes to results of `workout_id` to the kept boards
    /// ([`HandedWrites`], posted after they commit), and from now until the
    /// file closes, `workout_id`'s board is kept whenever an overall table
    /// is, so those writes update the tables in place too. The session's
    /// own pollers post there; a caller polling on a handle of its own does
    /// the same.
    pub fn write_inbox(&mut self, workout_id: Id) -> WriteInbox {
        self.workouts.watch(workout_id);
        self.workouts.inbox()
    }

    /// Polls the connection `name` on this thread, on the session's own
    /// handle (the CLI's `poll [--watch]`), as a background poller does.
    pub fn watch_feed<'a>(
        &mut self,
        name: &str,
        watch: FeedWatch<'a>,
        on_poll: &'a mut dyn FnMut(&PollOutcome),
    ) -> UseCaseResult<u64> {
        watch_feed(self.file_mut()?, name, watch, on_poll)
    }

    /// Drains the outbox on this thread, on the session's own handle (the
    /// CLI's `sync [--watch]`).
    pub fn drain(&mut self, plan: &DrainPlan<'_>) -> UseCaseResult<Vec<DrainReport>> {
        drain_outbox(self.file_mut()?, plan)
    }

    /// Stores a typed score (see [`enter_score_by_bib`]) as the session's
    /// operator; the workout's kept board takes the new row in place, and
    /// the entry becomes the newest one [`Session::undo_last_entry`] undoes.
    pub fn enter_score(&mut self, typed: &TypedScore<'_>) -> UseCaseResult<ScoreReceipt> {
        let operator = self.settings.operator.clone();
        let file = self.file.as_mut().ok_or_else(no_file)?;
        self.workouts.before_write(file, typed.workout_id)?;
        let before = file.change_stamp()?;
        let receipt = enter_score_by_bib(file, typed, &operator)?;
        self.workouts
            .after_write(file, before, receipt.workout_id, receipt.entrant)?;
        self.typed.push(receipt.clone());
        Ok(receipt)
    }

    /// Undoes the newest score typed in this session for `workout_id`
    /// (`None` when there is none: another table's or an importer's scores,
    /// and those from before the file was opened, are never undone here).
    /// Whether or not the store accepts the undo, that entry is no longer
    /// the one to undo next.
    pub fn undo_last_entry(&mut self, workout_id: Id) -> UseCaseResult<Option<ScoreReceipt>> {
        let Some(position) = self
            .typed
            .iter()
            .rposition(|entry| entry.workout_id == workout_id)
        else {
            return Ok(None);
        };
        let entry = self.typed.remove(position);
        let file = self.file.as_mut().ok_or_else(no_file)?;
        self.workouts.before_write(file, workout_id)?;
        let before = file.change_stamp()?;
        let undo = file.undo_entry(entry.entry_id, &self.settings.operator)?;
        self.workouts
            .after_write(file, before, undo.workout_id, undo.entrant)?;
        Ok(Some(entry))
    }

    /// The newest `limit` scores typed in this session for `workout_id`,
    /// newest first.
    pub fn recent_entries(&self, workout_id: Id, limit: usize) -> Vec<ScoreReceipt> {
        self.typed
            .iter()
            .rev()
            .filter(|entry| entry.workout_id == workout_id)
            .take(limit)
            .cloned()
            .collect()
    }

    /// An official amendment as `official` (see [`KeptBoards::amend`]): who
    /// moved comes from the workout's kept board, counted in full and
    /// listed up to `listed` changes.
    #[allow(clippy::too_many_arguments)]
    pub fn amend(
        &mut self,
        workout_id: Id,
        entrant: Entrant,
        input: ScoreInput,
        official: &str,
        reason: &str,
        appeal_ref: Option<&str>,
        listed: usize,
    ) -> UseCaseResult<Amended> {
        let file = self.file.as_mut().ok_or_else(no_file)?;
        self.workouts.amend(
            file, workout_id, entrant, input, official, reason, appeal_ref, listed,
        )
    }

    /// Accepts or dismisses conflict `id` as the session's operator (see
    /// [`crate::review::resolve_conflict`]). An accepted value is an
    /// amendment: the workout's kept board and the overall tables take it
    /// in place, as [`Session::amend`] does; a dismissal changes nothing
    /// they show and keeps them.
    pub fn resolve_conflict(
        &mut self,
        id: Id,
        decision: ConflictDecision<'_>,
    ) -> UseCaseResult<ConflictOutcome> {
        let operator = self.settings.operator.clone();
        let file = self.file.as_mut().ok_or_else(no_file)?;
        let conflict = file
            .inbound_conflicts(false)?
            .into_iter()
            .find(|conflict| conflict.id == id);
        match &conflict {
            Some(conflict) => self.workouts.before_write(file, conflict.workout_id)?,
            None => {
                self.workouts.observe(file)?;
            }
        }
        let before = file.change_stamp()?;
        let outcome = resolve_conflict(file, id, &operator, decision)?;
        match (&outcome, conflict) {
            (ConflictOutcome::Accepted(_), Some(conflict)) => {
                self.workouts
                    .after_write(file, before, conflict.workout_id, conflict.entrant)?;
            }
            _ => self.workouts.after_unrelated_write(file, before)?,
        }
        Ok(outcome)
    }

    /// Assigns review item `id` to the entrant with `bib`, importing its
    /// record as the session's operator (see [`crate::review::assign_review`]);
    /// the workout's kept board and the overall tables take it in place.
    pub fn assign_review(&mut self, id: Id, bib: &str) -> UseCaseResult<InboundReport> {
        let operator = self.settings.operator.clone();
        let file = self.file.as_mut().ok_or_else(no_file)?;
        let workout_id = file.review_item(id)?.workout_id;
        self.workouts.before_write(file, workout_id)?;
        let before = file.change_stamp()?;
        let report = assign_review(file, id, bib, &operator)?;
        let imported: Vec<Entrant> = report
            .records
            .iter()
            .filter_map(|record| match record.outcome {
                RecordOutcome::Imported { entrant } => Some(entrant),
                _ => None,
            })
            .collect();
        match imported.as_slice() {
            [entrant] => {
                self.workouts
                    .after_write(file, before, report.workout_id, *entrant)?;
            }
            // Nothing imported (the entrant had a result): no board change.
            [] => self.workouts.after_unrelated_write(file, before)?,
            // Not one entrant: the boards are rebuilt once.
            _ => {
                self.workouts.observe(file)?;
            }
        }
        Ok(report)
    }

    /// Ignores review item `id` from now on, as the session's operator;
    /// nothing the boards show changes, so they stay.
    pub fn dismiss_review(&mut self, id: Id) -> UseCaseResult<ReviewItem> {
        let operator = self.settings.operator.clone();
        let file = self.file.as_mut().ok_or_else(no_file)?;
        // Brought up to date first (hand-offs), so the write is the only
        // change after it.
        self.workouts.observe(file)?;
        let before = file.change_stamp()?;
        let item = dismiss_review(file, id, &operator)?;
        self.workouts.after_unrelated_write(file, before)?;
        Ok(item)
    }

    /// The stamp screens see: it moves whenever a kept workout board or
    /// overall table changes (the counter only grows).
    fn stamp(&mut self) -> UseCaseResult<u64> {
        let file = self.file.as_ref().ok_or_else(no_file)?;
        self.workouts.observe(file)
    }

    /// A workout's kept board (ranked once per change of the file by
    /// anyone else, updated in place by this session's own writes).
    pub fn workout_board(&mut self, workout_id: Id) -> UseCaseResult<WorkoutBoard<'_>> {
        let stamp = self.stamp()?;
        let file = self.file.as_ref().ok_or_else(no_file)?;
        let built = !self.workouts.is_kept(workout_id);
        let board = self.workouts.board(file, workout_id)?;
        Ok(WorkoutBoard {
            stamp,
            file,
            board,
            built,
        })
    }

    /// The overall table for `division_id`: kept, updated in place by this
    /// session's own score writes, built when anyone else changed the file
    /// since it was last built.
    pub fn overall_table(&mut self, division_id: Option<Id>) -> UseCaseResult<OverallRead> {
        let stamp = self.stamp()?;
        let file = self.file.as_ref().ok_or_else(no_file)?;
        let (table, built) = self.workouts.overall(file, division_id)?;
        Ok(OverallRead {
            stamp,
            table,
            built,
        })
    }

    /// The team overall of a mixed event for `division_id`, kept and
    /// updated as [`Session::overall_table`] is.
    pub fn team_overall_table(&mut self, division_id: Option<Id>) -> UseCaseResult<OverallRead> {
        let stamp = self.stamp()?;
        let file = self.file.as_ref().ok_or_else(no_file)?;
        let (table, built) = self.workouts.team_overall(file, division_id)?;
        Ok(OverallRead {
            stamp,
            table,
            built,
        })
    }
}

/// What a poll hands to the kept boards: the serials of the writes it
/// committed and the entrants whose results it stored (a poll only adds
/// results to entrants without one: a differing value goes to the conflict
/// inbox, so an amended or already imported score is never overwritten).
pub fn handed_writes(outcome: &PollOutcome) -> HandedWrites {
    let (workout_id, entrants) = match &outcome.ledger {
        Some(ledger) => (
            ledger.workout_id,
            ledger
                .records
                .iter()
                .filter_map(|record| match record.outcome {
                    RecordOutcome::Imported { entrant } => Some(entrant),
                    _ => None,
                })
                .collect(),
        ),
        None => (0, Vec::new()),
    };
    HandedWrites {
        serials: outcome.writes.clone(),
        workout_id,
        entrants,
    }
}

impl Drop for Session {
    /// A session dropped with a file open closes it as [`Session::close`]
    /// does (stopping and joining its background work first).
    fn drop(&mut self) {
        let _ = self.close();
    }
}
