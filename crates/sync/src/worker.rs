//! The background sync worker the desktop app runs.
//!
//! [`SyncWorker::spawn`] opens its own handle on the competition file (WAL
//! lets it read and write beside the app's handle) and drains every enabled
//! target whenever something is queued: it polls the outbox every
//! `poll_interval`, and [`SyncWorker::sync_now`] wakes it at once ("sync
//! now"). Backoff is never slept through here: a target that is backing off
//! is skipped until its time comes, so one unreachable platform never delays
//! the others, and connectivity returning is noticed at the next poll, or at
//! once where the OS reports network changes ([`crate::netwatch`]): a change
//! wakes the worker, which probes every target that could not connect.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use scoretable_store::{CompetitionFile, WriteNotice};

use crate::credentials::SecretStore;
use crate::engine::{drain_all, DrainOptions, DrainReport};
use crate::error::Result;
use crate::netwatch::NetworkWatch;

enum Signal {
    SyncNow,
    /// The OS reported a network change: try unreachable targets now.
    NetworkChanged,
    Stop,
}

/// A running background worker; stops when dropped: a drain in progress
/// stops after its request in flight (rows not yet sent stay queued), so
/// closing the file never waits for a long outbox to drain.
pub struct SyncWorker {
    sender: Sender<Signal>,
    /// Set on drop: the drain in progress stops after its request in flight.
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
    /// Forwards the OS's network-change signal (where there is one).
    watcher: Option<(Arc<AtomicBool>, JoinHandle<()>)>,
    last_reports: Arc<Mutex<Vec<DrainReport>>>,
    last_error: Arc<Mutex<Option<String>>>,
}

impl SyncWorker {
    /// Starts the worker on the competition file at `path`.
    pub fn spawn(
        path: &Path,
        secrets: SecretStore,
        options: DrainOptions,
        poll_interval: Duration,
    ) -> Result<SyncWorker> {
        SyncWorker::spawn_handing_writes(path, secrets, options, poll_interval, |_| {})
    }

    /// [`SyncWorker::spawn`], telling `hand_over` of each write the worker
    /// makes, by its write serial: announced before its commit, then
    /// committed or abandoned ([`CompetitionFile::hand_writes_to`]), the
    /// commits of its handle's opening and closing included
    /// ([`CompetitionFile::open_handing_writes`]). The
    /// worker writes only the outbox and the sync state (claims,
    /// acknowledgements, remote ids, attempts), nothing a leaderboard
    /// shows, so a long-running process keeping ranked boards can count
    /// these writes as its own.
    pub fn spawn_handing_writes(
        path: &Path,
        secrets: SecretStore,
        options: DrainOptions,
        poll_interval: Duration,
        hand_over: impl FnMut(WriteNotice) + Send + 'static,
    ) -> Result<SyncWorker> {
        // Told from its opening on: its session row's commits too.
        let mut file = CompetitionFile::open_handing_writes(path, hand_over)?;
        let (sender, receiver) = mpsc::channel();
        let last_reports = Arc::new(Mutex::new(Vec::new()));
        let last_error = Arc::new(Mutex::new(None));
        let reports = Arc::clone(&last_reports);
        let errors = Arc::clone(&last_error);
        let stop = Arc::new(AtomicBool::new(false));
        let options = DrainOptions {
            wait_for_backoff: false,
            deadline: None,
            stop: Some(Arc::clone(&stop)),
            ..options
        };
        let watch_network = options.watch_network;
        let mut network_changed = false;
        let thread = std::thread::spawn(move || loop {
            let round = DrainOptions {
                network_changed,
                ..options.clone()
            };
            let outcome = drain_all(&mut file, &secrets, &round);
            match outcome {
                Ok(round) => {
                    *reports.lock().unwrap_or_else(|error| error.into_inner()) = round;
                    *errors.lock().unwrap_or_else(|error| error.into_inner()) = None;
                }
                Err(error) => {
                    *errors.lock().unwrap_or_else(|error| error.into_inner()) =
                        Some(error.to_string());
                }
            }
            network_changed = false;
            match receiver.recv_timeout(poll_interval) {
                Ok(Signal::SyncNow) | Err(RecvTimeoutError::Timeout) => {}
                Ok(Signal::NetworkChanged) => network_changed = true,
                Ok(Signal::Stop) | Err(RecvTimeoutError::Disconnected) => break,
            }
        });
        let watcher = watch_network
            .then(NetworkWatch::open)
            .flatten()
            .map(|watch| {
                let stop = Arc::new(AtomicBool::new(false));
                let stopped = Arc::clone(&stop);
                let network = sender.clone();
                let handle = std::thread::spawn(move || {
                    while !stopped.load(Ordering::Relaxed) {
                        if watch.wait(Duration::from_millis(250))
                            && network.send(Signal::NetworkChanged).is_err()
                        {
                            break;
                        }
                    }
                });
                (stop, handle)
            });
        Ok(SyncWorker {
            sender,
            stop,
            thread: Some(thread),
            watcher,
            last_reports,
            last_error,
        })
    }

    /// Wakes the worker to drain now.
    pub fn sync_now(&self) {
        let _ = self.sender.send(Signal::SyncNow);
    }

    /// What the latest round did per target.
    pub fn last_reports(&self) -> Vec<DrainReport> {
        self.last_reports
            .lock()
            .unwrap_or_else(|error| error.into_inner())
            .clone()
    }

    /// The error of the latest round (e.g. a missing secret), if any.
    pub fn last_error(&self) -> Option<String> {
        self.last_error
            .lock()
            .unwrap_or_else(|error| error.into_inner())
            .clone()
    }
}

impl Drop for SyncWorker {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some((stop, watcher)) = self.watcher.take() {
            stop.store(true, Ordering::Relaxed);
            let _ = watcher.join();
        }
        let _ = self.sender.send(Signal::Stop);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Opens the file at `path` and drains every enabled target once ("sync
/// now" without a running worker).
pub fn sync_now(path: &Path, options: &DrainOptions) -> Result<Vec<DrainReport>> {
    let mut file = CompetitionFile::open(path)?;
    drain_all(&mut file, &SecretStore::default(), options)
}
