//! The competition file on a bad day: telling live holders from dead ones,
//! naming why a file cannot be written, describing damage, and finding the
//! backups that can replace a damaged file.
//!
//! - **Live or dead holder.** Every read-write handle writes a row in
//!   `open_sessions` whose id is `<pid>-<nanos>-<serial>@<host>` and holds a
//!   shared OS lock on `<file>.lock`. A row is a crash leftover when no
//!   handle holds the lock at all, or when its process is gone: it is this
//!   process's and not among its live handles, or it is another process on
//!   this host that no longer exists (`kill(pid, 0)` says so). Rows from
//!   other hosts (a file on a network share) or in an older id format count
//!   as live until an open finds the lock free. `PRAGMA quick_check` runs only
//!   when a crash leftover is found.
//! - **Why a file cannot be written.** [`diagnose_unwritable`] names the
//!   cause: the file is read-only, its folder does not allow the `-wal` and
//!   `-shm` files beside it, or the disk is full.
//! - **Damage.** [`restore_advice`] lists the newest backups in
//!   `<file stem>-backups/` beside the file with their times and says how to
//!   restore one ([`restore_backup`], `scoretable backup restore`).

use std::collections::HashSet;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use chrono::{NaiveDateTime, Utc};

use crate::backup::BackupPolicy;
use crate::competition_file::FILE_EXTENSION;
use crate::error::{io_error, Result, StoreError};

/// The session ids of the handles this process has open.
fn live_sessions() -> &'static Mutex<HashSet<String>> {
    static LIVE: OnceLock<Mutex<HashSet<String>>> = OnceLock::new();
    LIVE.get_or_init(|| Mutex::new(HashSet::new()))
}

pub(crate) fn register_session(session_id: &str) {
    live_sessions()
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .insert(session_id.to_string());
}

pub(crate) fn unregister_session(session_id: &str) {
    live_sessions()
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .remove(session_id);
}

/// This machine's name, as recorded in session ids.
pub(crate) fn host_name() -> String {
    static HOST: OnceLock<String> = OnceLock::new();
    HOST.get_or_init(|| {
        #[cfg(unix)]
        {
            let mut buffer = [0u8; 256];
            // SAFETY: the buffer is valid for its length; gethostname writes
            // at most that many bytes.
            let status = unsafe {
                libc::gethostname(buffer.as_mut_ptr().cast::<libc::c_char>(), buffer.len())
            };
            if status == 0 {
                let end = buffer.iter().position(|byte| *byte == 0).unwrap_or(0);
                let name = String::from_utf8_lossy(&buffer[..end]).into_owned();
                if !name.is_empty() {
                    return name.replace('@', "_");
                }
            }
            "unknown-host".to_string()
        }
        #[cfg(not(unix))]
        {
            std::env::var("COMPUTERNAME")
                .unwrap_or_else(|_| "unknown-host".to_string())
                .replace('@', "_")
        }
    })
    .clone()
}

/// A new session id: `<pid>-<nanos>-<serial>@<host>`.
pub(crate) fn new_session_id(serial: u64) -> String {
    format!(
        "{}-{}-{}@{}",
        std::process::id(),
        Utc::now().timestamp_nanos_opt().unwrap_or_default(),
        serial,
        host_name()
    )
}

/// Whether the process that wrote the `open_sessions` row is known to be
/// gone (while some other handle holds the lock file).
pub(crate) fn session_is_dead(session_id: &str, process_id: i64) -> bool {
    let Some((_, host)) = session_id.rsplit_once('@') else {
        // An id without a host (older files): cannot tell; wait until an
        // open finds the lock file free.
        return false;
    };
    if host != host_name() {
        return false;
    }
    if process_id == i64::from(std::process::id()) {
        return !live_sessions()
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .contains(session_id);
    }
    process_is_gone(process_id)
}

/// Whether no process with this id runs on this machine (a pid that cannot
/// be checked counts as running).
#[cfg(unix)]
pub fn process_is_gone(process_id: i64) -> bool {
    let Ok(pid) = libc::pid_t::try_from(process_id) else {
        return true;
    };
    if pid <= 0 {
        return true;
    }
    // SAFETY: signal 0 only checks that the process exists.
    let status = unsafe { libc::kill(pid, 0) };
    status != 0 && std::io::Error::last_os_error().raw_os_error() == Some(libc::ESRCH)
}

/// Whether no process with this id runs on this machine (a pid that cannot
/// be checked counts as running).
#[cfg(not(unix))]
pub fn process_is_gone(_process_id: i64) -> bool {
    // Without a portable check, a row counts as live until an open finds
    // the lock file free.
    false
}

/// Why `path` cannot be written, in the scorekeeper's words, or `None` if
/// nothing obvious is wrong.
pub(crate) fn diagnose_unwritable(path: &Path) -> Option<String> {
    if let Ok(metadata) = std::fs::metadata(path) {
        if metadata.permissions().readonly() {
            return Some("the file is read-only".to_string());
        }
    }
    if std::fs::OpenOptions::new().write(true).open(path).is_err() {
        return Some("the file is read-only (this user may not write it)".to_string());
    }
    let folder = path
        .parent()
        .filter(|parent| !parent.as_os_str().is_empty())
        .unwrap_or_else(|| Path::new("."));
    let probe = folder.join(format!(
        ".scoretable-write-probe-{}-{}",
        std::process::id(),
        Utc::now().timestamp_nanos_opt().unwrap_or_default()
    ));
    let outcome = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&probe)
        .and_then(|mut file| {
            // Creating an empty file can succeed on a full disk; writing
            // a page cannot.
            let written = file.write_all(&[0u8; 4096]).and_then(|()| file.sync_all());
            let _ = std::fs::remove_file(&probe);
            written
        });
    match outcome {
        Ok(()) => None,
        Err(error) if is_disk_full(&error) => Some("the disk is full".to_string()),
        Err(_) => Some(format!(
            "its folder {} is read-only, so the -wal and -shm files SQLite keeps beside the file cannot be created",
            folder.display()
        )),
    }
}

fn is_disk_full(error: &std::io::Error) -> bool {
    error.kind() == std::io::ErrorKind::StorageFull
        || error.raw_os_error() == Some(28) // ENOSPC
        || error.raw_os_error() == Some(122) // EDQUOT
}

/// Names the file in a SQLite failure that happened while opening or
/// writing it: read-only, disk full, cannot open, damaged.
pub(crate) fn file_error(path: &Path, error: StoreError) -> StoreError {
    let path_text = path.display().to_string();
    let StoreError::Database(inner) = &error else {
        return error;
    };
    use rusqlite::ErrorCode;
    match inner.0.sqlite_error_code() {
        Some(ErrorCode::DiskFull) => StoreError::DiskFull { path: path_text },
        Some(ErrorCode::ReadOnly) => StoreError::ReadOnly {
            path: path_text,
            reason: diagnose_unwritable(path)
                .unwrap_or_else(|| "the file or its folder is read-only".to_string()),
        },
        Some(ErrorCode::CannotOpen) | Some(ErrorCode::SystemIoFailure) => {
            match diagnose_unwritable(path) {
                Some(reason) if reason == "the disk is full" => {
                    StoreError::DiskFull { path: path_text }
                }
                Some(reason) => StoreError::ReadOnly {
                    path: path_text,
                    reason,
                },
                None => StoreError::CannotOpen {
                    path: path_text,
                    reason: inner.to_string(),
                },
            }
        }
        Some(ErrorCode::DatabaseCorrupt | ErrorCode::NotADatabase) => StoreError::Damaged {
            path: path_text,
            details: inner.to_string(),
            advice: restore_advice(path),
        },
        _ => error,
    }
}

/// One backup found beside a competition file.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct BackupFile {
    pub path: PathBuf,
    /// When it was taken, `YYYY-MM-DD HH:MM:SS UTC`, from its name (or the
    /// file's modification time).
    pub taken_at: String,
    /// Sorts in time order.
    #[serde(skip)]
    sort_key: String,
    pub size_bytes: u64,
    /// A copy kept before a schema upgrade (never pruned).
    pub pre_upgrade: bool,
}

/// The backups in `<file stem>-backups/` beside `path`, newest first.
/// Works without opening the (possibly damaged) file.
pub fn backups_beside(path: &Path) -> Vec<BackupFile> {
    let directory = BackupPolicy::beside(path).directory;
    let Ok(entries) = std::fs::read_dir(&directory) else {
        return Vec::new();
    };
    let suffix = format!(".{FILE_EXTENSION}");
    let mut found = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(stem) = name.strip_suffix(&suffix) else {
            continue;
        };
        let metadata = match entry.metadata() {
            Ok(metadata) if metadata.is_file() => metadata,
            _ => continue,
        };
        let stamp = stem.rsplit('-').next().unwrap_or_default();
        let parsed = NaiveDateTime::parse_from_str(stamp, "%Y%m%dT%H%M%S%3fZ").ok();
        let (taken_at, sort_key) = match parsed {
            Some(time) => (
                time.format("%Y-%m-%d %H:%M:%S UTC").to_string(),
                time.format("%Y%m%dT%H%M%S%3f").to_string(),
            ),
            None => {
                let modified: chrono::DateTime<Utc> = metadata
                    .modified()
                    .map(chrono::DateTime::<Utc>::from)
                    .unwrap_or_default();
                (
                    modified.format("%Y-%m-%d %H:%M:%S UTC").to_string(),
                    modified.format("%Y%m%dT%H%M%S%3f").to_string(),
                )
            }
        };
        found.push(BackupFile {
            path: entry.path(),
            taken_at,
            sort_key,
            size_bytes: metadata.len(),
            pre_upgrade: stem.contains("-schema-v"),
        });
    }
    found.sort_by(|a, b| b.sort_key.cmp(&a.sort_key).then(b.path.cmp(&a.path)));
    found
}

/// What to do about a damaged `path`: its newest backups with their times
/// and the command (or copy) that restores one.
pub fn restore_advice(path: &Path) -> String {
    let backups = backups_beside(path);
    let directory = BackupPolicy::beside(path).directory;
    let Some(newest) = backups.first() else {
        return format!(
            "No backups were found in {}; if you keep copies elsewhere, close Scoretable and copy the newest over {}",
            directory.display(),
            path.display()
        );
    };
    let listed: Vec<String> = backups
        .iter()
        .take(3)
        .map(|backup| format!("{} (taken {})", backup.path.display(), backup.taken_at))
        .collect();
    format!(
        "Newest backups: {}. Restore the newest with `scoretable --file {} backup restore {}` \
         (it keeps the damaged file beside it), or close Scoretable and copy that backup over {}",
        listed.join("; "),
        quote_for_shell(&path.display().to_string()),
        quote_for_shell(&newest.path.display().to_string()),
        path.display()
    )
}

fn quote_for_shell(text: &str) -> String {
    if text
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "/._-+:,".contains(c))
    {
        text.to_string()
    } else {
        format!("'{}'", text.replace('\'', r"'\''"))
    }
}

/// What [`restore_backup`] did.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RestoreReport {
    pub restored_from: PathBuf,
    pub file: PathBuf,
    /// Where the replaced file (and its -wal) now is, if there was one.
    pub previous_kept_as: Option<PathBuf>,
}

/// Replaces the competition file at `target` with the backup at `backup`.
///
/// The backup must be a readable Scoretable file that passes
/// `PRAGMA quick_check`; no other program may have `target` open (its lock
/// file must be free). The replaced file and its `-wal` are kept beside it as
/// `<name>.replaced-<UTC time>` (nothing is deleted); the backup is copied to
/// a temporary name, synced, then renamed over `target`.
pub fn restore_backup(backup: &Path, target: &Path) -> Result<RestoreReport> {
    // The backup must be sound before anything is touched.
    let checked = crate::CompetitionFile::open_read_only(backup)?;
    checked.quick_check()?;
    drop(checked);
    let lock_path = crate::competition_file::lock_path(target);
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .read(true)
        .write(true)
        .open(&lock_path)
        .map_err(|error| io_error(&lock_path, error))?;
    if lock.try_lock().is_err() {
        return Err(StoreError::Conflict(format!(
            "{} is open in another Scoretable program (the app, `sync --watch` or `poll --watch`); close it, then restore",
            target.display()
        )));
    }
    let stamp = Utc::now().format("%Y%m%dT%H%M%S%3fZ");
    let mut previous_kept_as = None;
    if target.exists() {
        let kept = sibling(target, &format!(".replaced-{stamp}"));
        std::fs::rename(target, &kept).map_err(|error| io_error(target, error))?;
        for suffix in ["-wal", "-shm"] {
            let side = sibling(target, suffix);
            if side.exists() {
                let kept_side = sibling(&kept, suffix);
                std::fs::rename(&side, &kept_side).map_err(|error| io_error(&side, error))?;
            }
        }
        previous_kept_as = Some(kept);
    }
    let temporary = sibling(target, &format!(".restoring-{stamp}"));
    let copied = std::fs::copy(backup, &temporary)
        .and_then(|_| std::fs::File::open(&temporary)?.sync_all())
        .and_then(|()| std::fs::rename(&temporary, target));
    if let Err(error) = copied {
        let _ = std::fs::remove_file(&temporary);
        if let Some(kept) = &previous_kept_as {
            let _ = std::fs::rename(kept, target);
        }
        return Err(io_error(target, error));
    }
    if let Some(folder) = target.parent().filter(|p| !p.as_os_str().is_empty()) {
        if let Ok(folder) = std::fs::File::open(folder) {
            let _ = folder.sync_all();
        }
    }
    drop(lock);
    tracing::info!(
        file = %target.display(),
        backup = %backup.display(),
        "restored from a backup"
    );
    Ok(RestoreReport {
        restored_from: backup.to_path_buf(),
        file: target.to_path_buf(),
        previous_kept_as,
    })
}

fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}
