//! Rolling online backups.
//!
//! [`CompetitionFile::backup_now`] copies the live database with SQLite's
//! online backup API (consistent even while the file is in use), writes it
//! under a temporary name, renames it to `<slug>-<UTC timestamp>.scoretable`
//! and deletes the oldest backups of that slug beyond the newest `keep`.
//!
//! Automatic policy (default, see [`BackupPolicy::beside`]): after a committed
//! write, a backup is taken when [`BackupPolicy::every_writes`] writes (100)
//! have happened since the last backup, or when the last backup is older than
//! [`BackupPolicy::every_minutes`] minutes (10). The backups go to
//! `<file stem>-backups/` beside the competition file and the newest 10 are
//! kept. Before a file is upgraded to a newer schema, a copy named
//! `<file stem>-schema-v<old version>-<timestamp>.scoretable` is written to the
//! same folder and never pruned. A failed automatic backup never fails the write that triggered it
//! (that write is already durable); the error is kept in
//! [`CompetitionFile::last_backup_error`] for the user interface to show.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chrono::Utc;
use rusqlite::DatabaseName;

use crate::competition_file::{CompetitionFile, FILE_EXTENSION};
use crate::error::{io_error, Result, StoreError};

/// When and where automatic backups are taken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupPolicy {
    /// Whether writes trigger automatic backups at all.
    pub automatic: bool,
    /// Where backups go.
    pub directory: PathBuf,
    /// How many backups of this competition to keep (the newest).
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

#[derive(Debug)]
pub(crate) struct BackupState {
    pub(crate) policy: BackupPolicy,
    pub(crate) writes_since_backup: u32,
    last_backup_at: Instant,
    last_error: Option<String>,
    last_automatic_backup: Option<PathBuf>,
}

impl BackupState {
    pub(crate) fn new(policy: BackupPolicy) -> BackupState {
        BackupState {
            policy,
            writes_since_backup: 0,
            last_backup_at: Instant::now(),
            last_error: None,
            last_automatic_backup: None,
        }
    }

    pub(crate) fn is_due(&self, now: Instant) -> bool {
        if !self.policy.automatic || self.writes_since_backup == 0 {
            return false;
        }
        let by_count =
            self.policy.every_writes > 0 && self.writes_since_backup >= self.policy.every_writes;
        let by_age = self.policy.every_minutes > 0
            && now.duration_since(self.last_backup_at)
                >= Duration::from_secs(u64::from(self.policy.every_minutes) * 60);
        by_count || by_age
    }

    pub(crate) fn record_automatic(&mut self, result: Result<PathBuf>) {
        match result {
            Ok(path) => {
                self.last_error = None;
                self.last_automatic_backup = Some(path);
            }
            Err(error) => {
                self.last_error = Some(error.to_string());
                // Try again after the next write, not on every one.
                self.writes_since_backup = 0;
                self.last_backup_at = Instant::now();
            }
        }
    }
}

impl CompetitionFile {
    /// Replaces the automatic backup policy for this handle.
    pub fn set_backup_policy(&mut self, policy: BackupPolicy) {
        self.backup_state.policy = policy;
    }

    pub fn backup_policy(&self) -> &BackupPolicy {
        &self.backup_state.policy
    }

    /// The error of the last automatic backup, if it failed.
    pub fn last_backup_error(&self) -> Option<&str> {
        self.backup_state.last_error.as_deref()
    }

    /// The last automatic backup written by this handle.
    pub fn last_automatic_backup(&self) -> Option<&Path> {
        self.backup_state.last_automatic_backup.as_deref()
    }

    /// Writes a consistent copy of the file to
    /// `directory/<slug>-<timestamp>.scoretable` and keeps only the newest
    /// [`BackupPolicy::keep`] backups of this competition there. Returns the
    /// new backup's path.
    pub fn backup_now(&mut self, directory: &Path) -> Result<PathBuf> {
        std::fs::create_dir_all(directory).map_err(|error| io_error(directory, error))?;
        let slug = self.competition()?.slug;
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
        copy_database(&self.connection, &temporary).inspect_err(|_| {
            let _ = std::fs::remove_file(&temporary);
        })?;
        // The copy must not claim that this session is still open in it.
        clear_sessions(&temporary).inspect_err(|_| {
            let _ = std::fs::remove_file(&temporary);
        })?;
        std::fs::rename(&temporary, &target).map_err(|error| io_error(&target, error))?;
        self.backup_state.writes_since_backup = 0;
        self.backup_state.last_backup_at = Instant::now();
        prune_backups(directory, &slug, self.backup_state.policy.keep)?;
        Ok(target)
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
    clear_sessions(&temporary).inspect_err(|_| {
        let _ = std::fs::remove_file(&temporary);
    })?;
    std::fs::rename(&temporary, &target).map_err(|error| io_error(&target, error))?;
    Ok(target)
}

/// Copies the whole database in one backup step (one consistent read
/// snapshot), retrying briefly if another connection holds a lock.
fn copy_database(source: &rusqlite::Connection, target: &Path) -> Result<()> {
    use rusqlite::backup::{Backup, StepResult};
    let mut destination = rusqlite::Connection::open(target)?;
    let backup = Backup::new_with_names(
        source,
        DatabaseName::Main,
        &mut destination,
        DatabaseName::Main,
    )?;
    for _attempt in 0..100 {
        match backup.step(-1)? {
            StepResult::Done => return Ok(()),
            // More, Busy or Locked: another connection got in the way.
            _ => std::thread::sleep(Duration::from_millis(50)),
        }
    }
    Err(StoreError::Conflict(
        "the backup could not get a consistent copy: the file stayed locked for 5 seconds".into(),
    ))
}

fn clear_sessions(copy: &Path) -> Result<()> {
    let connection = rusqlite::Connection::open(copy)?;
    connection.execute("DELETE FROM open_sessions", [])?;
    connection
        .close()
        .map_err(|(_, error)| StoreError::from(error))?;
    Ok(())
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

fn prune_backups(directory: &Path, slug: &str, keep: usize) -> Result<()> {
    let backups = list_backups(directory, slug)?;
    let excess = backups.len().saturating_sub(keep.max(1));
    for old in &backups[..excess] {
        std::fs::remove_file(old).map_err(|error| io_error(old, error))?;
        // A backup that was opened has a session lock file beside it.
        let mut lock = old.as_os_str().to_owned();
        lock.push(".lock");
        let _ = std::fs::remove_file(PathBuf::from(lock));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn due_by_count_and_by_age() {
        let mut state = BackupState::new(BackupPolicy {
            automatic: true,
            directory: PathBuf::from("unused"),
            keep: 3,
            every_writes: 2,
            every_minutes: 1,
        });
        let start = state.last_backup_at;
        assert!(!state.is_due(start));
        state.writes_since_backup = 1;
        assert!(!state.is_due(start));
        assert!(state.is_due(start + Duration::from_secs(61)));
        state.writes_since_backup = 2;
        assert!(state.is_due(start));
        state.policy.automatic = false;
        assert!(!state.is_due(start + Duration::from_secs(3600)));
    }
}
