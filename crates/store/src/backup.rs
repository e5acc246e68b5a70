//! Rolling online backups.
//!
//! [`CompetitionFile::backup_now`] copies the live database with SQLite's
//! online backup API (consistent even while the file is in use), writes it
//! under a temporary name, renames it to `<slug>-<UTC timestamp>.scoretable`
//! and thins that slug's backups to `keep`: the newest and the oldest stay,
//! and between them the spacing grows with age ([`backups_to_prune`]), so a
//! burst of writes cannot push the earlier backups of the day off the disk.
//!
//! Automatic policy (default, see [`BackupPolicy::beside`]): a backup is due
//! when [`BackupPolicy::every_writes`] writes (100) have been committed since
//! the last one, or when the last one is older than
//! [`BackupPolicy::every_minutes`] minutes (10). The backups go to
//! `<file stem>-backups/` beside the competition file and 10 are kept.
//!
//! The policy and the progress towards it live **in the file** (settings
//! `backup_policy` and `backup_progress`), so every program that writes the
//! file honours one policy: a hundred one-shot CLI writes make a backup just
//! as a hundred writes in the app do. Each write counts itself in its own
//! transaction; the write that makes a backup due also claims it (so two
//! programs never take the same backup), and after the commit the backup is
//! taken on a thread with **its own connection**, off the write path: the
//! write returns at once and later writes go on while the copy is made.
//! The claim is released (the covered writes subtracted) by the handle's
//! next write inside its own transaction, or by the backup thread when no
//! write came within [`RELEASE_GRACE`]: so while the app is writing, the
//! backup thread never takes the write lock beside it.
//!
//! A backup must not slow the app's commits down. The copy is one read
//! transaction of SQLite's online backup API into a temporary file that
//! SQLite does not sync; it is then written to the disk in 1 MiB steps
//! ([`write_out_in_steps`]), fsync'd as a whole and only then renamed into
//! place. Old backups are
//! deleted in steps too ([`remove_in_steps`]), and the thread runs at a low
//! CPU and I/O priority. Measured at 60,000 athletes (a 54 MB file, see
//! `crates/bench/README.md`): SQLite's single sync of the whole copy and
//! the deletion of a whole old backup were where the app's WAL fsyncs
//! waited (p99 49 and 16 ms while one ran, 4-6 ms otherwise).
//! Closing the handle waits for a backup in flight, so a program never
//! exits half way through one. A handle with a [`BackupHandOff`] (the
//! CLI's one-shot commands) hands its claimed backup to another process
//! instead, which takes it with [`take_claimed_backup`] (holding the
//! file's session lock shared while it reads) and releases the claim: the
//! command then exits as soon as its write is done. A claim whose program died is taken over after
//! ten minutes.
//!
//! Before a file is upgraded to a newer schema, a copy named
//! `<file stem>-schema-v<old version>-<timestamp>.scoretable` is written to the
//! same folder and never pruned. A failed automatic backup never fails the
//! write that triggered it (that write is already durable); the error is kept
//! in [`CompetitionFile::last_backup_error`] for the user interface to show,
//! and the next attempt waits for another full interval.

use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::Utc;
use rusqlite::{OptionalExtension, MAIN_DB};

use crate::competition_file::{CompetitionFile, FILE_EXTENSION};
use crate::error::{io_error, Result, StoreError};

/// When and where automatic backups are taken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupPolicy {
    /// Whether writes trigger automatic backups at all.
    pub automatic: bool,
    /// Where backups go.
    pub directory: PathBuf,
    /// How many backups of this competition to keep: the newest, the first
    /// and a spread between them that is denser for recent ones.
    pub keep: usize,
    /// Take a backup after this many writes since the last one (0: never by count).
    pub every_writes: u32,
    /// Take a backup when the last one is this many minutes old (0: never by age).
    pub every_minutes: u32,
}

impl BackupPolicy {
    /// The default policy for a competition file at `path`.
    pub fn beside(path: &Path) -> BackupPolicy {
        let stem = path
            .file_stem()
            .map(|stem| stem.to_string_lossy().into_owned())
            .unwrap_or_else(|| "competition".to_string());
        let directory = path
            .parent()
            .unwrap_or_else(|| Path::new("."))
            .join(format!("{stem}-backups"));
        BackupPolicy {
            automatic: true,
            directory,
            keep: 10,
            every_writes: 100,
            every_minutes: 10,
        }
    }
}

/// The policy for the file at `path`: the default beside it, with the
/// counts stored in the file's `backup_policy` setting (so every program
/// that writes the file honours the same policy).
pub(crate) fn stored_policy(connection: &rusqlite::Connection, path: &Path) -> BackupPolicy {
    let mut policy = BackupPolicy::beside(path);
    let stored: Option<String> = connection
        .query_row(
            "SELECT value FROM settings WHERE key = 'backup_policy'",
            [],
            |row| row.get(0),
        )
        .ok();
    if let Some(value) = stored.and_then(|text| serde_json::from_str::<StoredPolicy>(&text).ok()) {
        policy.automatic = value.automatic;
        policy.keep = value.keep.max(1);
        policy.every_writes = value.every_writes;
        policy.every_minutes = value.every_minutes;
    }
    policy
}

/// The part of a [`BackupPolicy`] kept in the file (the folder is always
/// beside the file, wherever it is moved).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) struct StoredPolicy {
    pub automatic: bool,
    pub keep: usize,
    pub every_writes: u32,
    pub every_minutes: u32,
}

/// The setting holding the progress towards the next automatic backup.
pub(crate) const PROGRESS_KEY: &str = "backup_progress";
/// The setting holding the stored part of the policy.
pub(crate) const POLICY_KEY: &str = "backup_policy";
/// A claim older than this is taken over (its program died mid-backup).
const CLAIM_EXPIRES_MINUTES: i64 = 10;

/// Progress towards the next automatic backup, kept in the file.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) struct Progress {
    /// Writes committed since the last automatic backup.
    #[serde(default)]
    pub writes: u64,
    /// When the last automatic backup finished (RFC 3339).
    #[serde(default)]
    pub last_backup_at: Option<String>,
    /// When a program claimed the backup now being taken.
    #[serde(default)]
    pub claimed_at: Option<String>,
}

fn parse_time(text: &Option<String>) -> Option<chrono::DateTime<Utc>> {
    text.as_deref()
        .and_then(|text| chrono::DateTime::parse_from_rfc3339(text).ok())
        .map(|time| time.with_timezone(&Utc))
}

/// Whether a backup is due now under `policy` (pure; see [`count_write`]).
pub(crate) fn is_due(
    progress: &Progress,
    policy: &BackupPolicy,
    now: chrono::DateTime<Utc>,
) -> bool {
    if !policy.automatic || progress.writes == 0 {
        return false;
    }
    if let Some(claimed) = parse_time(&progress.claimed_at) {
        if now - claimed < chrono::Duration::minutes(CLAIM_EXPIRES_MINUTES) {
            return false;
        }
    }
    let by_count = policy.every_writes > 0 && progress.writes >= u64::from(policy.every_writes);
    let by_age = policy.every_minutes > 0
        && parse_time(&progress.last_backup_at).is_some_and(|last| {
            now - last >= chrono::Duration::minutes(i64::from(policy.every_minutes))
        });
    by_count || by_age
}

/// Counts one write in the file inside its transaction; when that makes a
/// backup due, claims it and returns the write count the backup covers.
pub(crate) fn count_write(
    transaction: &rusqlite::Transaction<'_>,
    policy: &BackupPolicy,
    release: Option<Release>,
) -> Result<Option<u64>> {
    if let Some(release) = release {
        apply_release(transaction, &release)?;
    }
    if !policy.automatic {
        return Ok(None);
    }
    let now = Utc::now();
    let stored: Option<String> = transaction
        .query_row(
            "SELECT value FROM settings WHERE key = ?1",
            [PROGRESS_KEY],
            |row| row.get(0),
        )
        .optional()?;
    let mut progress = stored
        .and_then(|text| serde_json::from_str::<Progress>(&text).ok())
        .unwrap_or_default();
    if progress.last_backup_at.is_none() {
        // The clock of the age rule starts with the first counted write.
        progress.last_backup_at = Some(now.to_rfc3339_opts(chrono::SecondsFormat::Millis, true));
    }
    progress.writes += 1;
    let due = is_due(&progress, policy, now);
    if due {
        progress.claimed_at = Some(now.to_rfc3339_opts(chrono::SecondsFormat::Millis, true));
    }
    crate::competition_file::put_setting(transaction, PROGRESS_KEY, &progress)?;
    Ok(due.then_some(progress.writes))
}

/// A finished automatic backup whose claim is still to be released in the
/// file: by the handle's next write, its close, or the backup thread once
/// the handle stopped writing (see [`RELEASE_GRACE`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Release {
    /// The writes the backup covered (0 after a failure: start over).
    covered_writes: u64,
    succeeded: bool,
    finished_at: String,
}

/// Releases a claim: subtracts the covered writes (writes made meanwhile
/// still count), records the time and clears the claim.
pub(crate) fn apply_release(connection: &rusqlite::Connection, release: &Release) -> Result<()> {
    let writes = if release.succeeded {
        "max(0, coalesce(json_extract(value, '$.writes'), 0) - ?1)"
    } else {
        "?1 * 0"
    };
    connection.execute(
        &format!(
            "UPDATE settings SET value = json_set(value, '$.writes', {writes}, \
             '$.last_backup_at', ?2, '$.claimed_at', NULL) WHERE key = ?3"
        ),
        rusqlite::params![
            release.covered_writes as i64,
            release.finished_at,
            PROGRESS_KEY
        ],
    )?;
    Ok(())
}

/// What the backup threads of one handle report back, and the releases
/// still to be committed (shared with the threads, see [`RELEASE_GRACE`]).
#[derive(Debug, Default)]
pub(crate) struct Outcome {
    last_error: Option<String>,
    last_backup: Option<PathBuf>,
    unreleased: Vec<Release>,
    /// The handle is waiting for its threads (close, `finish_backups`): a
    /// thread waiting to release leaves its release to the handle.
    finishing: bool,
}

type Shared = std::sync::Arc<(std::sync::Mutex<Outcome>, std::sync::Condvar)>;

fn lock(shared: &Shared) -> std::sync::MutexGuard<'_, Outcome> {
    shared
        .0
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// How long a finished backup's release waits for the handle's next write
/// to carry it before the backup thread commits it on its own connection.
/// While the app is writing (a burst of amendments, a poller applying
/// scores) the next write comes sooner and the release rides in its
/// transaction: the thread then takes no write lock beside the app's
/// writes, and no other connection's commit moves the app's change stamp.
/// A handle that stopped writing still gets its claim released (so other
/// programs can take the next backup) a moment later.
const RELEASE_GRACE: Duration = Duration::from_secs(1);

/// Hands a claimed automatic backup to another process, for a program
/// that should not wait for the copy (a one-shot CLI command exits as soon
/// as its write is done, where closing its handle waited for the backup):
/// called right after the commit that claimed the backup, with the file's
/// path and the writes the claim covers. It returns `true` when another
/// process took the backup over (that process calls
/// [`take_claimed_backup`], which takes the backup and releases the claim);
/// `false` to take it on a thread of this handle as usual. A process that
/// dies holding the claim is covered like a crashed program: the claim is
/// taken over after ten minutes.
#[derive(Clone)]
pub struct BackupHandOff(pub std::sync::Arc<HandOffFn>);

/// What a [`BackupHandOff`] calls: the file's path and the claimed writes;
/// `true` when another process took the backup over.
pub type HandOffFn = dyn Fn(&Path, u64) -> bool + Send + Sync;

impl std::fmt::Debug for BackupHandOff {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str("BackupHandOff")
    }
}

#[derive(Debug)]
pub(crate) struct BackupState {
    pub(crate) policy: BackupPolicy,
    hand_off: Option<BackupHandOff>,
    last_error: Option<String>,
    last_automatic_backup: Option<PathBuf>,
    shared: Shared,
    pending: Vec<std::thread::JoinHandle<()>>,
}

impl BackupState {
    pub(crate) fn new(policy: BackupPolicy) -> BackupState {
        BackupState {
            policy,
            hand_off: None,
            last_error: None,
            last_automatic_backup: None,
            shared: Default::default(),
            pending: Vec::new(),
        }
    }

    /// Starts the claimed backup of the file at `path`: handed to another
    /// process when this handle has a [`BackupHandOff`] that takes it
    /// (only for backups into the folder beside the file, where that
    /// process puts them), else on its own thread and connection.
    pub(crate) fn start(&mut self, path: &Path, claimed_writes: u64) {
        if let Some(hand_off) = &self.hand_off {
            // The hand-off logs which process took it.
            if self.policy.directory == BackupPolicy::beside(path).directory
                && (hand_off.0)(path, claimed_writes)
            {
                return;
            }
        }
        self.collect(false);
        let path = path.to_path_buf();
        let directory = self.policy.directory.clone();
        let keep = self.policy.keep;
        let shared = self.shared.clone();
        let spawned = std::thread::Builder::new()
            .name("scoretable-backup".to_string())
            .spawn(move || {
                let (result, release) =
                    backup_on_own_connection(&path, &directory, keep, claimed_writes);
                match &result {
                    Ok(backup) => tracing::info!(backup = %backup.display(), covered_writes = claimed_writes, "automatic backup taken"),
                    Err(error) => tracing::warn!(error = %error, "automatic backup failed"),
                }
                let mut outcome = lock(&shared);
                match result {
                    Ok(backup) => {
                        outcome.last_error = None;
                        outcome.last_backup = Some(backup);
                    }
                    Err(error) => outcome.last_error = Some(error.to_string()),
                }
                outcome.unreleased.push(release.clone());
                // The handle's next write carries the release when it comes
                // within the grace period (or the handle finishes).
                let deadline = std::time::Instant::now() + RELEASE_GRACE;
                loop {
                    let waiting = outcome.unreleased.contains(&release);
                    let left = deadline.saturating_duration_since(std::time::Instant::now());
                    if !waiting || outcome.finishing {
                        return;
                    }
                    if left.is_zero() {
                        break;
                    }
                    outcome = shared
                        .1
                        .wait_timeout(outcome, left)
                        .unwrap_or_else(|poisoned| poisoned.into_inner())
                        .0;
                }
                // The handle went quiet: release the claim here.
                outcome.unreleased.retain(|waiting| *waiting != release);
                drop(outcome);
                if release_on_own_connection(&path, &release).is_err() {
                    lock(&shared).unreleased.push(release);
                }
            });
        match spawned {
            Ok(handle) => self.pending.push(handle),
            Err(error) => self.last_error = Some(format!("could not start the backup: {error}")),
        }
    }

    /// Takes in what finished backups reported; with `wait`, waits for the
    /// ones still running first (a thread waiting to release its claim
    /// leaves the release to this handle then).
    pub(crate) fn collect(&mut self, wait: bool) {
        if wait {
            lock(&self.shared).finishing = true;
            self.shared.1.notify_all();
        }
        let mut running = Vec::new();
        for handle in self.pending.drain(..) {
            if wait || handle.is_finished() {
                let _ = handle.join();
            } else {
                running.push(handle);
            }
        }
        self.pending = running;
        let mut outcome = lock(&self.shared);
        outcome.finishing = false;
        if let Some(error) = outcome.last_error.take() {
            self.last_error = Some(error);
        }
        if let Some(backup) = outcome.last_backup.take() {
            self.last_error = None;
            self.last_automatic_backup = Some(backup);
        }
    }

    /// The oldest claim still to be released, for this handle's write
    /// transaction to commit.
    pub(crate) fn take_release(&mut self) -> Option<Release> {
        self.collect(false);
        let mut outcome = lock(&self.shared);
        if outcome.unreleased.is_empty() {
            return None;
        }
        let release = outcome.unreleased.remove(0);
        drop(outcome);
        // The thread waiting to release it has nothing left to do.
        self.shared.1.notify_all();
        Some(release)
    }

    /// Every claim still to be released (at close, after `collect(true)`).
    pub(crate) fn take_all_releases(&mut self) -> Vec<Release> {
        std::mem::take(&mut lock(&self.shared).unreleased)
    }
}

/// Commits `release` on a connection of its own (the backup thread, when
/// its handle stopped writing).
fn release_on_own_connection(path: &Path, release: &Release) -> Result<()> {
    let writer = rusqlite::Connection::open_with_flags(
        path,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_WRITE | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    writer.busy_timeout(Duration::from_millis(250))?;
    writer.pragma_update(None, "synchronous", "FULL")?;
    apply_release(&writer, release)
}

/// Takes one automatic backup of the file at `path` with a read-only
/// connection of its own and returns the release of its claim (the writes it
/// covered, subtracted by the release so that writes made meanwhile still
/// count). The release is committed by the handle's next write, or by the
/// thread after [`RELEASE_GRACE`] (see there). Committed here at once, it
/// took the write lock beside the app's writes (an amendment then slept in
/// SQLite's busy handler for 1, 2, 5 ms steps behind it) and moved the
/// app's `data_version`.
fn backup_on_own_connection(
    path: &Path,
    directory: &Path,
    keep: usize,
    claimed_writes: u64,
) -> (Result<PathBuf>, Release) {
    background_priority();
    let taken = (|| {
        let source = rusqlite::Connection::open_with_flags(
            path,
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        source.busy_timeout(Duration::from_secs(5))?;
        let slug: String =
            source.query_row("SELECT slug FROM competition WHERE id = 1", [], |row| {
                row.get(0)
            })?;
        write_backup(&source, directory, &slug, keep)
    })();
    let release = Release {
        covered_writes: if taken.is_ok() { claimed_writes } else { 0 },
        succeeded: taken.is_ok(),
        finished_at: Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
    };
    (taken, release)
}

/// Runs the calling (backup) thread at a low CPU priority (nice 10) and
/// the lowest best-effort I/O priority, so that on a busy machine the app's
/// own thread is scheduled first when its commit returns from the disk.
/// Best effort: a failure leaves the thread as it was.
fn background_priority() {
    #[cfg(target_os = "linux")]
    // SAFETY: plain system calls on the calling thread's own id.
    unsafe {
        let thread = libc::syscall(libc::SYS_gettid) as libc::id_t;
        libc::setpriority(libc::PRIO_PROCESS, thread, 10);
        // IOPRIO_WHO_PROCESS (1) for this thread id, class best effort (2)
        // at its lowest level (7).
        libc::syscall(libc::SYS_ioprio_set, 1, thread, (2 << 13) | 7);
    }
}

/// Writes `directory/<slug>-<timestamp>.scoretable` from `source` and thins
/// the backups to `keep` ([`backups_to_prune`]).
fn write_backup(
    source: &rusqlite::Connection,
    directory: &Path,
    slug: &str,
    keep: usize,
) -> Result<PathBuf> {
    std::fs::create_dir_all(directory).map_err(|error| io_error(directory, error))?;
    let mut target;
    loop {
        let stamp = Utc::now().format("%Y%m%dT%H%M%S%3fZ");
        target = directory.join(format!("{slug}-{stamp}.{FILE_EXTENSION}"));
        if !target.exists() {
            break;
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    let temporary = target.with_extension(format!("{FILE_EXTENSION}.partial"));
    let _ = std::fs::remove_file(&temporary);
    copy_database(source, &temporary).inspect_err(|_| {
        let _ = std::fs::remove_file(&temporary);
    })?;
    std::fs::rename(&temporary, &target).map_err(|error| io_error(&target, error))?;
    prune_backups(directory, slug, keep)?;
    Ok(target)
}

/// Takes the automatic backup that another program claimed and handed
/// over ([`BackupHandOff`]) of the file at `path`, covering
/// `claimed_writes`, into the folder beside the file under the policy
/// stored in it, then releases the claim (retried while the file is busy).
/// Opens no [`CompetitionFile`] handle (no session is registered, so a
/// restore right after is not refused for it) but holds the file's session
/// lock shared like one while it works. A failed backup still
/// releases the claim, so the next attempt waits for a full interval as
/// after any failed automatic backup; its error is returned.
pub fn take_claimed_backup(path: &Path, claimed_writes: u64) -> Result<PathBuf> {
    let _held = crate::competition_file::hold_session_lock(path);
    let policy = {
        let connection = rusqlite::Connection::open_with_flags(
            path,
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        connection.busy_timeout(Duration::from_secs(5))?;
        stored_policy(&connection, path)
    };
    let (taken, release) =
        backup_on_own_connection(path, &policy.directory, policy.keep, claimed_writes);
    match &taken {
        Ok(backup) => {
            tracing::info!(backup = %backup.display(), covered_writes = claimed_writes, "handed-over automatic backup taken")
        }
        Err(error) => tracing::warn!(error = %error, "handed-over automatic backup failed"),
    }
    let mut attempts = 0;
    while let Err(error) = release_on_own_connection(path, &release) {
        attempts += 1;
        if attempts == 40 {
            return Err(error);
        }
        std::thread::sleep(Duration::from_millis(250));
    }
    taken
}

impl CompetitionFile {
    /// Hands this handle's automatic backups to another process (see
    /// [`BackupHandOff`]); `None` takes them on a thread of the handle.
    pub fn set_backup_hand_off(&mut self, hand_off: Option<BackupHandOff>) {
        self.backup_state.hand_off = hand_off;
    }

    /// Replaces the automatic backup policy for this handle only (for
    /// example a scratch copy that must not back itself up). To change the
    /// policy for every program, use [`CompetitionFile::store_backup_policy`].
    pub fn set_backup_policy(&mut self, policy: BackupPolicy) {
        self.backup_state.policy = policy;
    }

    /// Stores the policy's counts in the file, so every program that opens
    /// it from now on follows them, and uses it for this handle.
    pub fn store_backup_policy(&mut self, policy: &BackupPolicy) -> Result<()> {
        let stored = StoredPolicy {
            automatic: policy.automatic,
            keep: policy.keep.max(1),
            every_writes: policy.every_writes,
            every_minutes: policy.every_minutes,
        };
        self.write(|transaction| {
            crate::competition_file::put_setting(transaction, POLICY_KEY, &stored)
        })?;
        self.backup_state.policy.automatic = stored.automatic;
        self.backup_state.policy.keep = stored.keep;
        self.backup_state.policy.every_writes = stored.every_writes;
        self.backup_state.policy.every_minutes = stored.every_minutes;
        Ok(())
    }

    pub fn backup_policy(&self) -> &BackupPolicy {
        &self.backup_state.policy
    }

    /// The error of the last automatic backup, if it failed (as known at
    /// this handle's last write, or after [`CompetitionFile::finish_backups`]).
    pub fn last_backup_error(&self) -> Option<&str> {
        self.backup_state.last_error.as_deref()
    }

    /// The last automatic backup this handle took.
    pub fn last_automatic_backup(&self) -> Option<&Path> {
        self.backup_state.last_automatic_backup.as_deref()
    }

    /// Waits for automatic backups still being taken and takes in their
    /// results. [`CompetitionFile::close`] and drop do this too.
    pub fn finish_backups(&mut self) {
        self.backup_state.collect(true);
    }

    /// Writes a consistent copy of the file to
    /// `directory/<slug>-<timestamp>.scoretable` and thins this
    /// competition's backups there to [`BackupPolicy::keep`] (see
    /// `backups_to_prune`). Returns the
    /// new backup's path. Works on a read-only handle (it only reads).
    pub fn backup_now(&mut self, directory: &Path) -> Result<PathBuf> {
        self.snapshot_backup(directory)
    }

    /// [`CompetitionFile::backup_now`] through a shared handle: inside
    /// [`CompetitionFile::read_snapshot`] the copy is of that snapshot (the
    /// online backup reads through this connection's open read
    /// transaction), so it matches every other read made in it.
    pub fn snapshot_backup(&self, directory: &Path) -> Result<PathBuf> {
        let slug = self.competition()?.slug;
        write_backup(
            &self.connection,
            directory,
            &slug,
            self.backup_state.policy.keep,
        )
    }

    /// Backups of this competition in `directory`, oldest first.
    pub fn list_backups(&self, directory: &Path) -> Result<Vec<PathBuf>> {
        let slug = self.competition()?.slug;
        list_backups(directory, &slug)
    }
}

/// Copies a file about to be upgraded to
/// `<file stem>-backups/<file stem>-schema-v<version>-<timestamp>.scoretable`.
/// The name does not match the rolling backups' pattern, so pruning never
/// deletes it. Returns the copy's path.
pub(crate) fn pre_upgrade_backup(
    connection: &rusqlite::Connection,
    path: &Path,
    version: u32,
) -> Result<PathBuf> {
    let directory = BackupPolicy::beside(path).directory;
    std::fs::create_dir_all(&directory).map_err(|error| io_error(&directory, error))?;
    let stem = path
        .file_stem()
        .map(|stem| stem.to_string_lossy().into_owned())
        .unwrap_or_else(|| "competition".to_string());
    let stamp = Utc::now().format("%Y%m%dT%H%M%S%3fZ");
    let target = directory.join(format!("{stem}-schema-v{version}-{stamp}.{FILE_EXTENSION}"));
    let temporary = target.with_extension(format!("{FILE_EXTENSION}.partial"));
    copy_database(connection, &temporary).inspect_err(|_| {
        let _ = std::fs::remove_file(&temporary);
    })?;
    std::fs::rename(&temporary, &target).map_err(|error| io_error(&target, error))?;
    Ok(target)
}

/// Copies the whole database in one backup step (one consistent read
/// snapshot) to `target`, retrying briefly if another connection holds a
/// lock, clears the copy's open sessions (a copy must not claim that any
/// session is still open in it) and makes it durable with
/// [`write_out_in_steps`].
///
/// SQLite writes the copy without syncing it (`synchronous=OFF`, no
/// journal: the file is a temporary one that is only renamed into place
/// once it is on disk, and a crash before that leaves a `.partial` file
/// that is never listed as a backup, and is removed by a later pruning
/// once it is an hour old). Its own sync at the end of the step
/// wrote the whole copy (54 MB at 60,000 athletes) to the disk in one go,
/// and every commit of the app meanwhile waited behind it.
fn copy_database(source: &rusqlite::Connection, target: &Path) -> Result<()> {
    use rusqlite::backup::{Backup, StepResult};
    {
        let mut destination = rusqlite::Connection::open(target)?;
        destination.pragma_update(None, "synchronous", "OFF")?;
        let _: String = destination.query_row("PRAGMA journal_mode=OFF", [], |row| row.get(0))?;
        let mut done = false;
        {
            let backup = Backup::new_with_names(source, MAIN_DB, &mut destination, MAIN_DB)?;
            for _attempt in 0..100 {
                match backup.step(-1)? {
                    StepResult::Done => {
                        done = true;
                        break;
                    }
                    // More, Busy or Locked: another connection got in the way.
                    _ => std::thread::sleep(Duration::from_millis(50)),
                }
            }
        }
        if !done {
            return Err(StoreError::Conflict(
                "the backup could not get a consistent copy: the file stayed locked for 5 seconds"
                    .into(),
            ));
        }
        destination.execute("DELETE FROM open_sessions", [])?;
        destination
            .close()
            .map_err(|(_, error)| StoreError::from(error))?;
    }
    write_out_in_steps(target)
}

/// How much of a backup copy is sent to the disk at a time.
const WRITE_OUT_STEP: u64 = 1 << 20;

/// Makes the file at `path` durable. On Linux its data first goes to the
/// disk in [`WRITE_OUT_STEP`] steps, each written and waited for
/// (`sync_file_range`) and dropped from the page cache, so at most one step
/// of the copy is ever queued at the disk: a commit of the app (its WAL
/// fsync) waits behind at most that, not the whole copy (54 MB at 60,000
/// athletes, which SQLite's sync at the end of the copy wrote in one go).
/// The final `fsync` covers the file's metadata and the disk's write cache,
/// as before (and all of the data where `sync_file_range` is refused). (Making each step durable with its own `fdatasync` and
/// pausing after it was measured too: more journal commits for the app's
/// fsyncs to meet, amend p99 12-18 ms against 8-12 ms.)
fn write_out_in_steps(path: &Path) -> Result<()> {
    let file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(path)
        .map_err(|error| io_error(path, error))?;
    #[cfg(target_os = "linux")]
    {
        use std::os::fd::AsRawFd;
        let length = file
            .metadata()
            .map_err(|error| io_error(path, error))?
            .len();
        let descriptor = file.as_raw_fd();
        let mut offset = 0_u64;
        while offset < length {
            let step = WRITE_OUT_STEP.min(length - offset);
            // SAFETY: a valid open descriptor and a range inside the file.
            let written = unsafe {
                libc::sync_file_range(
                    descriptor,
                    offset as libc::off64_t,
                    step as libc::off64_t,
                    libc::SYNC_FILE_RANGE_WAIT_BEFORE
                        | libc::SYNC_FILE_RANGE_WRITE
                        | libc::SYNC_FILE_RANGE_WAIT_AFTER,
                )
            };
            if written != 0 {
                // A file system without it: the fsync below does it all.
                break;
            }
            // SAFETY: as above; advice only, its result does not matter.
            unsafe {
                libc::posix_fadvise(
                    descriptor,
                    offset as libc::off_t,
                    step as libc::off_t,
                    libc::POSIX_FADV_DONTNEED,
                );
            }
            offset += step;
        }
    }
    file.sync_all().map_err(|error| io_error(path, error))
}

fn list_backups(directory: &Path, slug: &str) -> Result<Vec<PathBuf>> {
    let prefix = format!("{slug}-");
    let suffix = format!(".{FILE_EXTENSION}");
    let mut backups = Vec::new();
    let entries = std::fs::read_dir(directory).map_err(|error| io_error(directory, error))?;
    for entry in entries {
        let entry = entry.map_err(|error| io_error(directory, error))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(stamp) = name
            .strip_prefix(&prefix)
            .and_then(|rest| rest.strip_suffix(&suffix))
        else {
            continue;
        };
        // Only our own timestamped names: 20261123T092100123Z.
        if stamp.len() == 19 && stamp.as_bytes()[8] == b'T' && stamp.ends_with('Z') {
            backups.push(entry.path());
        }
    }
    // The timestamp format sorts lexicographically in time order.
    backups.sort();
    Ok(backups)
}

/// The time in a backup's name (`<slug>-20261123T092100123Z.scoretable`),
/// in milliseconds since the epoch.
fn backup_time(path: &Path) -> Option<i64> {
    let name = path.file_stem()?.to_string_lossy().into_owned();
    let stamp = name.get(name.len().checked_sub(19)?..)?;
    let time = chrono::NaiveDateTime::parse_from_str(stamp, "%Y%m%dT%H%M%S%3fZ").ok()?;
    Some(time.and_utc().timestamp_millis())
}

/// Which backups to delete so that `keep` remain, given their times oldest
/// first. The newest is always kept and, from `keep` 3 up, so is the
/// oldest (the earliest state on disk). Between them the backups are thinned
/// so that their spacing grows with their age: the one removed is the
/// one whose neighbours lie closest together for its age (gap left by its
/// removal divided by how long before the newest it was taken). A burst of
/// writes that makes many backups within seconds therefore thins itself
/// out instead of pushing the whole morning's backups off the disk, while
/// the last few minutes stay densely covered.
fn backups_to_prune(times: &[i64], keep: usize) -> Vec<usize> {
    let keep = keep.max(1);
    if times.len() <= keep {
        return Vec::new();
    }
    if keep < 3 {
        return (0..times.len() - keep).collect();
    }
    let mut alive: Vec<usize> = (0..times.len()).collect();
    let mut removed = Vec::new();
    while alive.len() > keep {
        let newest = times[alive[alive.len() - 1]];
        let cost = |position: usize| {
            let gap = (times[alive[position + 1]] - times[alive[position - 1]]).max(0) as f64;
            let age = (newest - times[alive[position]]).max(1) as f64;
            gap / age
        };
        let mut victim = 1;
        for position in 2..alive.len() - 1 {
            if cost(position) < cost(victim) {
                victim = position;
            }
        }
        removed.push(alive.remove(victim));
    }
    removed.sort_unstable();
    removed
}

fn prune_backups(directory: &Path, slug: &str, keep: usize) -> Result<()> {
    let backups = list_backups(directory, slug)?;
    let times: Vec<i64> = backups
        .iter()
        .map(|backup| backup_time(backup).unwrap_or(0))
        .collect();
    for index in backups_to_prune(&times, keep) {
        let old = &backups[index];
        remove_in_steps(old).map_err(|error| io_error(old, error))?;
        // A backup that was opened has a session lock file beside it.
        let mut lock = old.as_os_str().to_owned();
        lock.push(".lock");
        let _ = std::fs::remove_file(PathBuf::from(lock));
    }
    // Left by a deletion that a crash interrupted, and copies a killed
    // backup left half written (a handed-over backup's process, or any
    // program, killed mid-copy): a copy untouched for an hour is no live
    // backup's.
    if let Ok(entries) = std::fs::read_dir(directory) {
        let prefix = format!("{slug}-");
        let partial = format!(".{FILE_EXTENSION}.partial");
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if !name.starts_with(&prefix) {
                continue;
            }
            if name.ends_with(DELETING_SUFFIX)
                || (name.ends_with(&partial) && untouched_for(&entry.path(), STALE_PARTIAL))
            {
                let _ = remove_in_steps(&entry.path());
            }
        }
    }
    Ok(())
}

/// A half-written copy untouched this long was left by a killed backup.
const STALE_PARTIAL: Duration = Duration::from_secs(60 * 60);

/// Whether the file at `path` was last modified at least `age` ago.
fn untouched_for(path: &Path, age: Duration) -> bool {
    std::fs::metadata(path)
        .and_then(|metadata| metadata.modified())
        .ok()
        .and_then(|modified| modified.elapsed().ok())
        .is_some_and(|elapsed| elapsed >= age)
}

/// The name an old backup takes while it is deleted (never listed).
const DELETING_SUFFIX: &str = ".deleting";

/// How much of an old backup is freed at a time.
const REMOVE_STEP: u64 = 4 << 20;

/// Deletes the old backup at `path`: renamed out of the backups' names
/// first (a crash half way leaves no damaged file listed as a backup), then,
/// on Linux, shrunk by [`REMOVE_STEP`] at a time, each step committed
/// (`fdatasync`), and removed. Freeing a whole 54 MB file at once put all
/// of its blocks (and, on a disk mounted with online discard, their
/// discards) into one journal commit, which the app's next WAL fsync
/// waited for.
fn remove_in_steps(path: &Path) -> std::io::Result<()> {
    let deleting = if path.to_string_lossy().ends_with(DELETING_SUFFIX) {
        path.to_path_buf()
    } else {
        let mut name = path.as_os_str().to_owned();
        name.push(DELETING_SUFFIX);
        let deleting = PathBuf::from(name);
        std::fs::rename(path, &deleting)?;
        deleting
    };
    #[cfg(target_os = "linux")]
    {
        let file = std::fs::OpenOptions::new().write(true).open(&deleting)?;
        let mut length = file.metadata()?.len();
        while length > REMOVE_STEP {
            length -= REMOVE_STEP;
            file.set_len(length)?;
            file.sync_data()?;
        }
    }
    std::fs::remove_file(&deleting)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A file whose handle closed while a reader of its own kept the -wal
    /// (its read transaction open, as the copy of a handed-over backup
    /// does); `hold` takes the session lock as that backup's process does.
    fn reopened_beside_a_reader(hold: bool) -> bool {
        let directory = tempfile::tempdir().unwrap();
        let path = directory.path().join("c.scoretable");
        let competition = scoretable_testkit::fixtures::competition("Hold Open", "hold-open");
        let file = CompetitionFile::create(&path, &competition).unwrap();
        let held = hold.then(|| crate::competition_file::hold_session_lock(&path));
        let reader = rusqlite::Connection::open_with_flags(
            &path,
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
        )
        .unwrap();
        reader.execute_batch("BEGIN").unwrap();
        let _: i64 = reader
            .query_row("SELECT count(*) FROM settings", [], |row| row.get(0))
            .unwrap();
        file.close().unwrap();
        let reopened = CompetitionFile::open(&path).unwrap();
        let unclean = reopened.open_report().unclean_shutdown_detected;
        reopened.close().unwrap();
        drop(reader);
        drop(held);
        unclean
    }

    /// A half-written copy untouched for an hour (its backup killed) is
    /// removed with the next pruning; a fresh one (a backup being written)
    /// and another competition's are left alone.
    #[test]
    fn stale_half_written_copies_are_removed_when_backups_are_pruned() {
        let directory = tempfile::tempdir().unwrap();
        let write = |name: &str, age: Duration| {
            let path = directory.path().join(name);
            let file = std::fs::File::create(&path).unwrap();
            file.set_len(1000).unwrap();
            file.set_modified(std::time::SystemTime::now() - age)
                .unwrap();
            path
        };
        let stale = write(
            "open-20260101T000000000Z.scoretable.partial",
            Duration::from_secs(7200),
        );
        let fresh = write(
            "open-20260101T010000000Z.scoretable.partial",
            Duration::from_secs(60),
        );
        let other = write(
            "other-20260101T000000000Z.scoretable.partial",
            Duration::from_secs(7200),
        );
        prune_backups(directory.path(), "open", 10).unwrap();
        assert!(!stale.exists());
        assert!(fresh.exists());
        assert!(other.exists());
    }

    /// The process that takes a handed-over backup holds the session lock
    /// while it reads: a command opening the file meanwhile does not take
    /// the -wal that read keeps for a crash's leftover (and run an
    /// integrity check: 0.5 s at 60,000 athletes). Without the hold it does.
    #[test]
    fn a_handle_opened_while_a_handed_over_backup_reads_sees_no_crash() {
        assert!(!reopened_beside_a_reader(true));
        assert!(reopened_beside_a_reader(false));
    }

    #[test]
    fn due_by_count_and_by_age_unless_claimed() {
        let policy = BackupPolicy {
            automatic: true,
            directory: PathBuf::from("unused"),
            keep: 3,
            every_writes: 2,
            every_minutes: 1,
        };
        let start = Utc::now();
        let stamp = |time: chrono::DateTime<Utc>| Some(time.to_rfc3339());
        let mut progress = Progress {
            writes: 0,
            last_backup_at: stamp(start),
            claimed_at: None,
        };
        assert!(!is_due(&progress, &policy, start));
        progress.writes = 1;
        assert!(!is_due(&progress, &policy, start));
        assert!(is_due(
            &progress,
            &policy,
            start + chrono::Duration::seconds(61)
        ));
        progress.writes = 2;
        assert!(is_due(&progress, &policy, start));
        progress.claimed_at = stamp(start);
        assert!(
            !is_due(&progress, &policy, start),
            "claimed by another program"
        );
        assert!(
            is_due(&progress, &policy, start + chrono::Duration::minutes(11)),
            "a claim of a dead program expires"
        );
        progress.claimed_at = None;
        let off = BackupPolicy {
            automatic: false,
            ..policy
        };
        assert!(!is_due(&progress, &off, start + chrono::Duration::hours(1)));
    }

    const MINUTE: i64 = 60_000;

    fn kept(times: &[i64], keep: usize) -> Vec<i64> {
        let removed = backups_to_prune(times, keep);
        (0..times.len())
            .filter(|index| !removed.contains(index))
            .map(|index| times[index])
            .collect()
    }

    #[test]
    fn a_burst_of_backups_thins_itself_and_keeps_the_earlier_ones() {
        // A morning of backups ten minutes apart, then an appeal session
        // whose burst of amendments makes twenty within a minute.
        let mut times: Vec<i64> = (0..10).map(|step| step * 10 * MINUTE).collect();
        let burst_start = 100 * MINUTE;
        times.extend((0..20).map(|step| burst_start + step * 3_000));
        let kept = kept(&times, 10);
        assert_eq!(kept.len(), 10);
        assert_eq!(kept[0], 0, "the first backup stays");
        assert_eq!(
            *kept.last().unwrap(),
            *times.last().unwrap(),
            "the newest stays"
        );
        let morning = kept.iter().filter(|time| **time < burst_start).count();
        let burst = kept.len() - morning;
        assert!(morning >= 3, "the morning keeps {morning} of {kept:?}");
        assert!(burst >= 3, "the burst keeps {burst} of {kept:?}");
        // Older backups lie further apart than newer ones.
        let gaps: Vec<i64> = kept.windows(2).map(|pair| pair[1] - pair[0]).collect();
        assert!(gaps.first() >= gaps.last(), "{gaps:?}");
    }

    #[test]
    fn steady_backups_are_spread_over_the_whole_day() {
        // A backup every ten minutes for ten hours, thinned to 10 as each
        // new one arrives.
        let mut times = Vec::new();
        for step in 0..60 {
            times.push(step * 10 * MINUTE);
            times = kept(&times, 10);
        }
        assert_eq!(times.len(), 10);
        assert_eq!(times[0], 0);
        assert_eq!(*times.last().unwrap(), 590 * MINUTE);
        // One in the last half hour, and some in each third of the day.
        assert!(times[8] >= 560 * MINUTE, "{times:?}");
        for third in 0..3 {
            let (from, to) = (third * 200 * MINUTE, (third + 1) * 200 * MINUTE);
            assert!(
                times.iter().any(|time| (from..to).contains(time)),
                "nothing kept between minute {} and {}: {times:?}",
                from / MINUTE,
                to / MINUTE
            );
        }
    }

    #[test]
    fn a_small_keep_keeps_the_newest() {
        let times = [0, 1_000, 2_000, 3_000];
        assert_eq!(kept(&times, 1), vec![3_000]);
        assert_eq!(kept(&times, 2), vec![2_000, 3_000]);
        assert_eq!(kept(&times, 0), vec![3_000]);
        assert_eq!(kept(&times, 4), times.to_vec());
        assert_eq!(kept(&times, 3).len(), 3);
    }

    #[test]
    fn a_backup_time_is_read_from_its_name() {
        let path = Path::new("/b/harbour-throwdown-20261123T092100123Z.scoretable");
        let expected = chrono::NaiveDate::from_ymd_opt(2026, 11, 23)
            .unwrap()
            .and_hms_milli_opt(9, 21, 0, 123)
            .unwrap()
            .and_utc()
            .timestamp_millis();
        assert_eq!(backup_time(path), Some(expected));
        assert_eq!(backup_time(Path::new("/b/x.scoretable")), None);
    }
}
