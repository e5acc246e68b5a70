//! [`CompetitionFile`]: one competition in one SQLite file.
//!
//! Durability decisions (see also the crate docs):
//!
//! - Every connection runs with `journal_mode=WAL`, `synchronous=FULL`,
//!   `foreign_keys=ON` and a five second `busy_timeout`. With WAL and FULL,
//!   a commit is on disk (fsynced WAL frame) before the call returns, so an
//!   acknowledged score survives a crash or power loss at any later moment.
//! - Every write is one `BEGIN IMMEDIATE` transaction (see `CompetitionFile::write`),
//!   so bad input rolls back completely and a concurrent writer waits for the
//!   lock up front instead of failing half way.
//! - Unclean shutdown detection (see [`crate::file_health`]): each
//!   read-write handle records itself in `open_sessions` (pid and host in its
//!   id) and holds a shared OS lock on the sidecar `<file>.lock`; it removes
//!   its row on [`CompetitionFile::close`] or drop. At open, a row is a crash
//!   leftover when nothing holds the lock (then a non-empty `-wal` is one
//!   too) or when its process is gone; only then does `PRAGMA quick_check`
//!   run, and the dead rows are cleared. A live holder (the app,
//!   `sync --watch`) is no crash and costs no check.
//! - [`CompetitionFile::open_read_only`] writes nothing (no row, no
//!   migration, no lock file), so a read-only file or folder or a full disk
//!   can still be read and exported. Opening checks the header and schema
//!   version before touching any table, so a damaged, truncated, altered or
//!   newer file gets its own error naming the file (and the backups beside
//!   it).
//! - Rolling backups: see [`crate::backup`].

use std::path::{Path, PathBuf};

use chrono::{NaiveDate, SecondsFormat, Utc};
use rusqlite::config::DbConfig;
use rusqlite::{
    params, Connection, OpenFlags, OptionalExtension, Transaction, TransactionBehavior,
};
use scoretable_core::model::{Competition, OverallSettings, TeamWorkoutsInOverall};
use serde::{de::DeserializeOwned, Deserialize, Serialize};

use crate::backup::BackupState;
use crate::error::{Result, StoreError};
use crate::file_health;
use crate::schema;

/// `PRAGMA application_id` of Scoretable files: ASCII "SCTB".
pub const APPLICATION_ID: i32 = 0x5343_5442;

/// The file extension of competition files and backups.
pub const FILE_EXTENSION: &str = "scoretable";

/// The page cache of every connection, in KiB (64 MiB keeps a
/// 60,000-competitor event's indexes in memory during imports and rankings).
pub const PAGE_CACHE_KIB: i64 = 65_536;

/// What happened when a file was opened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenReport {
    /// The schema version found in the file before migrations ran.
    pub schema_version_found: u32,
    /// The schema version the file is at now.
    pub schema_version: u32,
    /// The previous user did not close the file (crash, power loss, or a
    /// second program still has it open).
    pub unclean_shutdown_detected: bool,
    /// `PRAGMA quick_check` ran (and passed, or open would have failed).
    pub quick_check_ran: bool,
    /// Set when the file is open for reading only: why (for the app's
    /// header and the CLI's `info`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read_only: Option<String>,
    /// Set by the open that upgraded the file past schema version 13:
    /// identifiers stored with surrounding white space by an older version
    /// whose trimmed form would equal another row's, so they were left as
    /// they are (`crate::schema::SCHEMA_V14`). The organiser resolves them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub untrimmed_identifiers: Vec<String>,
}

/// How the overall leaderboard is computed unless a caller says otherwise:
/// mode, tie-break and the team-workouts rule (the engine's
/// [`OverallSettings`], stored as the `leaderboard` setting).
pub type LeaderboardSettings = OverallSettings;

pub(crate) const LEADERBOARD_SETTINGS_KEY: &str = "leaderboard";

/// An open competition file. Reads take `&self`; writes take `&mut self`
/// and each runs in its own immediate transaction.
pub struct CompetitionFile {
    pub(crate) connection: Connection,
    path: PathBuf,
    session_id: String,
    /// Unique among the handles this process has opened; part of the
    /// [`crate::ChangeStamp`], so a stamp of one handle never equals a stamp
    /// of another.
    pub(crate) handle_serial: u64,
    open_report: OpenReport,
    pub(crate) backup_state: BackupState,
    closed: bool,
    /// Set on handles opened with [`CompetitionFile::open_read_only`]: no
    /// session row, no writes, no migrations.
    read_only: bool,
    /// The write serials this handle committed since they were last taken,
    /// while noting is on ([`CompetitionFile::note_writes`]).
    noted_writes: Option<Vec<i64>>,
    /// Told of every write this handle is about to commit, then whether
    /// it committed ([`CompetitionFile::hand_writes_to`]).
    write_sink: Option<WriteSink>,
    /// The write serial of this handle's newest committed write.
    last_write: Option<i64>,
    /// A shared lock on `<file>.lock` held while this handle is open (see
    /// [`SessionLock`]). Declared after `connection` so it is released only
    /// once the connection has closed.
    _session_lock: SessionLock,
}

/// What a handle tells its write sink ([`CompetitionFile::hand_writes_to`])
/// about one write, by the write serial the write moves the file to (see
/// [`crate::ChangeStamp::write_serial`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteNotice {
    /// Every statement of the write ran and it is about to commit: from
    /// here on a reader may see the serial in the file. Told while the
    /// handle still holds the write lock, so before any other writer can
    /// take the serial.
    Announced(i64),
    /// The write committed.
    Committed(i64),
    /// The commit of this handle's opening or closing committed: its
    /// session row (and any backup-claim release), nothing a leaderboard
    /// shows. It moves the write serial like any store write, so another
    /// handle of the process can tell it from another program's commit.
    SessionRecorded(i64),
    /// The write did not commit (its commit failed, or it was rolled back
    /// after being announced): the serial is not this handle's, and
    /// another writer may commit with it next.
    Abandoned(i64),
}

/// Tells the sink [`WriteNotice::Abandoned`] when dropped before
/// [`Announcement::committed`]: a failed commit, an error or a panic
/// between the announcement and the commit's outcome.
struct Announcement<'a> {
    sink: Option<&'a mut (dyn FnMut(WriteNotice) + Send)>,
    serial: i64,
}

type WriteSink = Box<dyn FnMut(WriteNotice) + Send>;

fn sink_of(sink: &mut Option<WriteSink>) -> Option<&mut (dyn FnMut(WriteNotice) + Send)> {
    sink.as_mut()
        .map(|sink| &mut **sink as &mut (dyn FnMut(WriteNotice) + Send))
}

impl<'a> Announcement<'a> {
    fn new(sink: Option<&'a mut (dyn FnMut(WriteNotice) + Send)>, serial: i64) -> Self {
        let mut announcement = Announcement { sink, serial };
        if let Some(sink) = announcement.sink.as_mut() {
            sink(WriteNotice::Announced(serial));
        }
        announcement
    }

    fn committed(mut self) {
        if let Some(sink) = self.sink.take() {
            sink(WriteNotice::Committed(self.serial));
        }
    }

    fn session_recorded(mut self) {
        if let Some(sink) = self.sink.take() {
            sink(WriteNotice::SessionRecorded(self.serial));
        }
    }
}

/// Moves the file's write serial by one inside `transaction` and returns
/// it (see [`crate::ChangeStamp::write_serial`]).
fn next_write_serial(transaction: &Transaction<'_>) -> rusqlite::Result<i64> {
    transaction
        .prepare_cached(
            "INSERT INTO settings (key, value) VALUES ('write_serial', '1')
             ON CONFLICT(key) DO UPDATE SET value = CAST(value AS INTEGER) + 1
             RETURNING CAST(value AS INTEGER)",
        )
        .and_then(|mut statement| statement.query_row([], |row| row.get(0)))
}

impl Drop for Announcement<'_> {
    fn drop(&mut self) {
        if let Some(sink) = self.sink.take() {
            sink(WriteNotice::Abandoned(self.serial));
        }
    }
}

/// The sidecar `<file>.lock`: every open handle holds a shared lock on it.
/// A program that can take it exclusively at open knows no other handle is
/// live anywhere, so leftover `open_sessions` rows are crash leftovers and
/// can be cleared at once (not only when the `-wal` file is gone).
pub(crate) struct SessionLock {
    file: Option<std::fs::File>,
}

/// The file's session lock held shared, as an open handle holds it, by a
/// program that works on the file without a handle (a handed-over
/// backup): a handle opened meanwhile then does not take itself for the
/// only program, nor the -wal this one's read keeps for a crash's
/// leftover (which made it run an integrity check).
pub(crate) fn hold_session_lock(path: &Path) -> SessionLock {
    let (mut lock, _) = SessionLock::claim(path);
    lock.share();
    lock
}

/// The sidecar lock file of the competition file at `path`.
pub(crate) fn lock_path(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".lock");
    PathBuf::from(name)
}

impl SessionLock {
    fn path(path: &Path) -> PathBuf {
        lock_path(path)
    }

    /// Like [`SessionLock::claim`] for a read-only handle: never creates the
    /// lock file (the folder may be read-only). Without a lock file no
    /// read-write handle is live (each one creates it).
    fn claim_for_reading(path: &Path) -> (SessionLock, bool) {
        match std::fs::File::open(Self::path(path)) {
            Err(_) => (SessionLock { file: None }, true),
            Ok(file) => {
                let alone = file.try_lock().is_ok();
                (SessionLock { file: Some(file) }, alone)
            }
        }
    }

    /// Opens the lock file and tries to lock it exclusively. Returns the lock
    /// and whether this is the only live handle. Without a lock file (e.g. a
    /// read-only folder) the answer is "not alone", the cautious one.
    fn claim(path: &Path) -> (SessionLock, bool) {
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .read(true)
            .write(true)
            .open(Self::path(path));
        match file {
            Err(_) => (SessionLock { file: None }, false),
            Ok(file) => {
                let alone = file.try_lock().is_ok();
                (SessionLock { file: Some(file) }, alone)
            }
        }
    }

    /// Turns an exclusive claim (or none) into the shared lock held while
    /// the handle is open, waiting at most a few seconds for another program
    /// that is itself opening the file.
    fn share(&mut self) {
        let Some(file) = &self.file else {
            return;
        };
        let _ = file.unlock();
        for _attempt in 0..200 {
            if file.try_lock_shared().is_ok() {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(25));
        }
        // Still busy: carry on without the lock; the -wal check still guards.
        self.file = None;
    }
}

impl std::fmt::Debug for CompetitionFile {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("CompetitionFile")
            .field("path", &self.path)
            .field("open_report", &self.open_report)
            .finish_non_exhaustive()
    }
}

/// The current time as stored in the file: RFC 3339, UTC, milliseconds.
pub(crate) fn now_timestamp() -> String {
    Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true)
}

fn wal_path(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push("-wal");
    PathBuf::from(name)
}

/// Sets the per-connection durability pragmas.
fn configure_connection(connection: &Connection) -> Result<()> {
    connection.busy_timeout(std::time::Duration::from_secs(5))?;
    let journal_mode: String =
        connection.query_row("PRAGMA journal_mode=WAL", [], |row| row.get(0))?;
    if !journal_mode.eq_ignore_ascii_case("wal") {
        return Err(StoreError::Conflict(format!(
            "could not switch the file to WAL journaling (got {journal_mode})"
        )));
    }
    connection.pragma_update(None, "synchronous", "FULL")?;
    connection.pragma_update(None, "foreign_keys", "ON")?;
    // 64 MiB of page cache keeps a 60,000-competitor event's indexes in
    // memory during imports and rankings.
    connection.pragma_update(None, "cache_size", -PAGE_CACHE_KIB)?;
    // Statement journals in memory. A write whose statement fires triggers
    // (every competitor, result and division-membership row does: the sync
    // triggers) keeps a statement journal of the pages it changes; on disk,
    // once one statement spilled it past 64 KiB, every later statement of
    // the transaction wrote its pages to a temporary file: 45 % of a
    // 60,000-row competitors import went to those writes. A statement
    // journal holds only the pages one statement changes; sorts stay in the
    // page-cache budget above before they spill either way.
    connection.pragma_update(None, "temp_store", "MEMORY")?;
    keep_statements_prepared(connection)?;
    crate::live_timing::register_functions(connection)?;
    Ok(())
}

/// Every connection caches its statements (`prepare_cached`) and plans
/// them without looking at bound values, so a cached statement is parsed
/// and planned once per handle, however often it is bound again.
///
/// Without this, SQLite marks a statement for re-preparing whenever its
/// planner looked at a bound value, and re-prepares it at the next step
/// after that value is bound again or cleared: a `column = ?N` term in a
/// join or an ordered query (the planner checks whether the value is a
/// small integer, to guess the term's selectivity), `LIMIT ?N`, `LIKE ?N`,
/// and, with `sqlite_stat4` samples, any indexed `column = ?N`. rusqlite's
/// cache clears a statement's bindings each time it takes it back, and
/// `sqlite3_clear_bindings` expires any statement so marked, so every such
/// cached statement was parsed and planned again on every use (a tenth of
/// a live-timing message). The query planner stability guarantee (QPSG)
/// turns that look off: every plan is the one SQLite makes when the
/// statement is first prepared, before any value is bound, which is the
/// plan `EXPLAIN QUERY PLAN` shows and the tests check.
fn keep_statements_prepared(connection: &Connection) -> rusqlite::Result<()> {
    connection.set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)?;
    connection.set_prepared_statement_cache_capacity(STATEMENT_CACHE_CAPACITY);
    Ok(())
}

/// How many prepared statements each connection keeps (rusqlite's cache
/// finalizes the least recently used one beyond this).
const STATEMENT_CACHE_CAPACITY: usize = 64;

/// Checks the fields of a competition record.
pub(crate) fn validate_competition(competition: &Competition) -> Result<()> {
    let invalid = |field: &str, message: String| StoreError::InvalidInput {
        field: format!("competition {field}"),
        message,
    };
    if competition.name.trim().is_empty() {
        return Err(invalid("name", "must not be empty".into()));
    }
    for (field, value) in [
        ("name", &competition.name),
        ("venue", &competition.venue),
        ("organiser", &competition.organiser),
        ("time zone", &competition.time_zone),
    ] {
        crate::text_rules::check_text(value.trim(), crate::text_rules::MAX_NAME_CHARS)
            .map_err(|message| invalid(field, message))?;
    }
    if competition.slug.is_empty()
        || !competition
            .slug
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
    {
        return Err(invalid(
            "slug",
            format!(
                "{:?} must be lowercase letters, digits, '-' or '_' with no spaces",
                competition.slug
            ),
        ));
    }
    let start = NaiveDate::parse_from_str(&competition.start_date, "%Y-%m-%d").map_err(|_| {
        invalid(
            "start date",
            format!("expected YYYY-MM-DD, got {:?}", competition.start_date),
        )
    })?;
    let end = NaiveDate::parse_from_str(&competition.end_date, "%Y-%m-%d").map_err(|_| {
        invalid(
            "end date",
            format!("expected YYYY-MM-DD, got {:?}", competition.end_date),
        )
    })?;
    if end < start {
        return Err(invalid(
            "end date",
            format!(
                "{} is before the start date {}",
                competition.end_date, competition.start_date
            ),
        ));
    }
    let is_country_code =
        |code: &str| code.len() == 3 && code.chars().all(|c| c.is_ascii_uppercase());
    if !competition.country.is_empty() && !is_country_code(&competition.country) {
        return Err(invalid(
            "country",
            format!(
                "expected a three-letter code like GBR, got {:?}",
                competition.country
            ),
        ));
    }
    Ok(())
}

impl CompetitionFile {
    /// Creates a new competition file at `path`. Fails if the path exists.
    pub fn create(path: impl AsRef<Path>, competition: &Competition) -> Result<CompetitionFile> {
        let path = path.as_ref();
        validate_competition(competition)?;
        if path.exists() {
            return Err(StoreError::AlreadyExists {
                path: path.display().to_string(),
            });
        }
        if let Some(parent) = path
            .parent()
            .filter(|parent| !parent.as_os_str().is_empty())
        {
            if !parent.is_dir() {
                return Err(StoreError::FileNotFound {
                    path: parent.display().to_string(),
                });
            }
        }
        let created = Self::create_inner(path, competition);
        if created.is_err() {
            // Nothing useful was stored; leave no half-made file behind.
            let _ = std::fs::remove_file(path);
            let _ = std::fs::remove_file(wal_path(path));
            let mut shm = path.as_os_str().to_owned();
            shm.push("-shm");
            let _ = std::fs::remove_file(PathBuf::from(shm));
        }
        created
    }

    fn create_inner(path: &Path, competition: &Competition) -> Result<CompetitionFile> {
        let mut connection = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        configure_connection(&connection)?;
        connection.pragma_update(None, "application_id", APPLICATION_ID)?;
        let path_text = path.display().to_string();
        let found = schema::migrate(&mut connection, &path_text)?;
        {
            let transaction =
                connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
            transaction.execute(
                "INSERT INTO competition (id, name, slug, start_date, end_date, venue, country,
                    organiser, time_zone) VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![
                    competition.name,
                    competition.slug,
                    competition.start_date,
                    competition.end_date,
                    competition.venue,
                    competition.country,
                    competition.organiser,
                    competition.time_zone
                ],
            )?;
            put_setting(
                &transaction,
                LEADERBOARD_SETTINGS_KEY,
                &LeaderboardSettings::default(),
            )?;
            transaction.commit()?;
        }
        let report = OpenReport {
            schema_version_found: found,
            schema_version: schema::CURRENT_SCHEMA_VERSION,
            unclean_shutdown_detected: false,
            quick_check_ran: false,
            read_only: None,
            untrimmed_identifiers: Vec::new(),
        };
        let (session_lock, _) = SessionLock::claim(path);
        Self::finish_open(connection, path, report, session_lock, None)
    }

    /// Opens an existing competition file for reading and writing,
    /// migrating it to the current schema and checking it if the last
    /// session did not close cleanly.
    ///
    /// A file that cannot be written (read-only file or folder, full disk)
    /// is refused with [`StoreError::ReadOnly`] or [`StoreError::DiskFull`],
    /// naming the file and the cause; [`CompetitionFile::open_read_only`]
    /// still reads it.
    pub fn open(path: impl AsRef<Path>) -> Result<CompetitionFile> {
        Self::open_with(path.as_ref(), None)
    }

    /// [`CompetitionFile::open`] with `sink` told of every write the handle
    /// makes from its opening on ([`CompetitionFile::hand_writes_to`]):
    /// the commit of its session row at the open and at the close too
    /// ([`WriteNotice::SessionRecorded`]), so a long-running process's
    /// kept boards see a poller or the sync worker start and stop without
    /// taking it for another program's write.
    pub fn open_handing_writes(
        path: impl AsRef<Path>,
        sink: impl FnMut(WriteNotice) + Send + 'static,
    ) -> Result<CompetitionFile> {
        Self::open_with(path.as_ref(), Some(Box::new(sink)))
    }

    fn open_with(path: &Path, write_sink: Option<WriteSink>) -> Result<CompetitionFile> {
        let path_text = path.display().to_string();
        check_header(path)?;
        let (session_lock, alone) = SessionLock::claim(path);
        // Any live connection keeps the -wal file; a crash leaves it with content.
        let wal_had_content = std::fs::metadata(wal_path(path))
            .map(|metadata| metadata.len() > 0)
            .unwrap_or(false);
        let named = |error: StoreError| file_health::file_error(path, error);
        let mut connection = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|error| named(error.into()))?;
        if connection.is_readonly(rusqlite::MAIN_DB).unwrap_or(false) {
            return Err(StoreError::ReadOnly {
                path: path_text,
                reason: file_health::diagnose_unwritable(path)
                    .unwrap_or_else(|| "the file is read-only".to_string()),
            });
        }
        let version_before = inspect(&connection, path)?;
        configure_connection(&connection).map_err(named)?;
        let dead = crash_leftovers(&connection, path, alone)?;
        let unclean = !dead.is_empty() || (alone && wal_had_content);
        if unclean {
            quick_check(&connection, &path_text)?;
        }
        if version_before > 0 && version_before < schema::CURRENT_SCHEMA_VERSION {
            // Keep the file as it was before an upgrade, beside the rolling
            // backups (never pruned by them).
            crate::backup::pre_upgrade_backup(&connection, path, version_before)?;
        }
        let found = schema::migrate(&mut connection, &path_text).map_err(named)?;
        let untrimmed_identifiers = if (1..schema::TRIMMED_IDENTIFIERS_VERSION).contains(&found) {
            let untrimmed = schema::untrimmed_identifiers(&connection).map_err(named)?;
            for identifier in &untrimmed {
                tracing::warn!(file = %path_text, "{identifier}");
            }
            untrimmed
        } else {
            Vec::new()
        };
        if !dead.is_empty() {
            // Rows of handles whose process is gone: crash leftovers.
            let transaction = connection
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(|error| named(error.into()))?;
            for session_id in &dead {
                transaction
                    .execute(
                        "DELETE FROM open_sessions WHERE session_id = ?1",
                        params![session_id],
                    )
                    .map_err(|error| named(error.into()))?;
            }
            transaction.commit().map_err(|error| named(error.into()))?;
        }
        let report = OpenReport {
            schema_version_found: found,
            schema_version: schema::CURRENT_SCHEMA_VERSION,
            unclean_shutdown_detected: unclean,
            quick_check_ran: unclean,
            read_only: None,
            untrimmed_identifiers,
        };
        tracing::info!(
            file = %path_text,
            schema_version_found = found,
            unclean_shutdown = unclean,
            crash_leftovers = dead.len(),
            "competition file opened for writing"
        );
        Self::finish_open(connection, path, report, session_lock, write_sink)
    }

    /// Opens an existing competition file for reading only: nothing is
    /// written to it or beside it (no session row, no migration, no lock
    /// file), so it works on a read-only file, in a read-only folder and on
    /// a full disk. Writes through the handle fail with
    /// [`StoreError::ReadOnly`].
    ///
    /// When SQLite cannot create the `-shm` file it needs beside a WAL file
    /// (read-only folder, full disk) and no `-wal` with content exists, the
    /// file is read as immutable (nothing else can be changing it).
    pub fn open_read_only(path: impl AsRef<Path>) -> Result<CompetitionFile> {
        let path = path.as_ref();
        let path_text = path.display().to_string();
        check_header(path)?;
        let (session_lock, alone) = SessionLock::claim_for_reading(path);
        let wal_had_content = std::fs::metadata(wal_path(path))
            .map(|metadata| metadata.len() > 0)
            .unwrap_or(false);
        let named = |error: StoreError| file_health::file_error(path, error);
        let connection = match read_connection(path, false) {
            Ok(connection) => connection,
            Err(error) if !wal_had_content && !is_corruption(&error) => {
                read_connection(path, true).map_err(|_| named(error.into()))?
            }
            Err(error) => return Err(named(error.into())),
        };
        let version = inspect(&connection, path)?;
        if version < schema::CURRENT_SCHEMA_VERSION {
            return Err(StoreError::SchemaTooOld {
                path: path_text,
                found: version,
                current: schema::CURRENT_SCHEMA_VERSION,
            });
        }
        let dead = crash_leftovers(&connection, path, alone)?;
        let unclean = !dead.is_empty() || (alone && wal_had_content);
        if unclean {
            quick_check(&connection, &path_text)?;
        }
        let report = OpenReport {
            schema_version_found: version,
            schema_version: version,
            unclean_shutdown_detected: unclean,
            quick_check_ran: unclean,
            read_only: Some("opened for reading only".to_string()),
            untrimmed_identifiers: Vec::new(),
        };
        tracing::info!(
            file = %path_text,
            unclean_shutdown = unclean,
            "competition file opened for reading only"
        );
        let mut session_lock = session_lock;
        session_lock.share();
        let handle_serial = SESSION_COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        // Never used to back up (nothing is written), but reported: the
        // policy stored in the file, as a writer would follow it.
        let policy = crate::backup::stored_policy(&connection, path);
        Ok(CompetitionFile {
            connection,
            path: path.to_path_buf(),
            session_id: String::new(),
            handle_serial,
            open_report: report,
            backup_state: BackupState::new(policy),
            closed: false,
            read_only: true,
            noted_writes: None,
            write_sink: None,
            last_write: None,
            _session_lock: session_lock,
        })
    }

    /// Opens the file for reading and writing when it can be written, else
    /// for reading only (read-only file or folder, full disk, a file that
    /// cannot be opened for writing), with the reason in
    /// [`OpenReport::read_only`]. The app opens files this way and shows the
    /// reason in its header.
    pub fn open_preferring_write(path: impl AsRef<Path>) -> Result<CompetitionFile> {
        let path = path.as_ref();
        match Self::open(path) {
            Err(
                error @ (StoreError::ReadOnly { .. }
                | StoreError::DiskFull { .. }
                | StoreError::CannotOpen { .. }),
            ) => {
                tracing::warn!(file = %path.display(), reason = %error, "cannot write the file; opening it read-only");
                let mut file = Self::open_read_only(path).map_err(|_| error.clone_message())?;
                file.open_report.read_only = Some(error.to_string());
                Ok(file)
            }
            other => other,
        }
    }

    /// Whether this handle was opened for reading only.
    pub fn is_read_only(&self) -> bool {
        self.read_only
    }

    fn finish_open(
        mut connection: Connection,
        path: &Path,
        report: OpenReport,
        mut session_lock: SessionLock,
        mut write_sink: Option<WriteSink>,
    ) -> Result<CompetitionFile> {
        let handle_serial = SESSION_COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let session_id = file_health::new_session_id(handle_serial);
        let named = |error: rusqlite::Error| file_health::file_error(path, error.into());
        let transaction = connection
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(named)?;
        transaction
            .execute(
                "INSERT INTO open_sessions (session_id, opened_at, process_id) VALUES (?1, ?2, ?3)",
                params![session_id, now_timestamp(), i64::from(std::process::id())],
            )
            .map_err(named)?;
        // The session row is a store write: it moves the write serial,
        // announced to the handle's sink (see `mark_closed`).
        let serial = next_write_serial(&transaction).map_err(named)?;
        let announcement = Announcement::new(sink_of(&mut write_sink), serial);
        transaction.commit().map_err(named)?;
        announcement.session_recorded();
        file_health::register_session(&session_id);
        session_lock.share();
        let policy = crate::backup::stored_policy(&connection, path);
        Ok(CompetitionFile {
            connection,
            path: path.to_path_buf(),
            session_id,
            handle_serial,
            open_report: report,
            backup_state: BackupState::new(policy),
            closed: false,
            read_only: false,
            noted_writes: None,
            write_sink,
            last_write: None,
            _session_lock: session_lock,
        })
    }

    /// Closes the file cleanly: removes this session's marker and lets
    /// SQLite checkpoint the WAL. Dropping the handle does the same, but
    /// `close` reports errors.
    pub fn close(mut self) -> Result<()> {
        self.backup_state.collect(true);
        self.mark_closed()?;
        self.closed = true;
        Ok(())
    }

    fn mark_closed(&mut self) -> Result<()> {
        if self.read_only {
            return Ok(());
        }
        file_health::unregister_session(&self.session_id);
        let transaction = self
            .connection
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        for release in self.backup_state.take_all_releases() {
            crate::backup::apply_release(&transaction, &release)?;
        }
        transaction.execute(
            "DELETE FROM open_sessions WHERE session_id = ?1",
            params![self.session_id],
        )?;
        // A store write like any other: it moves the write serial, and a
        // handle handing its writes over announces it (its process's kept
        // boards then know the commit changed nothing they show).
        let serial = next_write_serial(&transaction)?;
        let announcement = Announcement::new(sink_of(&mut self.write_sink), serial);
        transaction.commit()?;
        announcement.session_recorded();
        Ok(())
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// What happened at open: migrations and unclean-shutdown checks.
    pub fn open_report(&self) -> &OpenReport {
        &self.open_report
    }

    /// Runs `PRAGMA quick_check` now.
    pub fn quick_check(&self) -> Result<()> {
        quick_check(&self.connection, &self.path.display().to_string())
    }

    /// Runs one write in a `BEGIN IMMEDIATE` transaction. Nothing is stored
    /// unless `body` succeeds; after the commit the automatic backup policy
    /// gets its chance to run.
    pub(crate) fn write<T>(
        &mut self,
        body: impl FnOnce(&Transaction<'_>) -> Result<T>,
    ) -> Result<T> {
        if self.read_only {
            return Err(StoreError::ReadOnly {
                path: self.path.display().to_string(),
                reason: "it was opened for reading only".to_string(),
            });
        }
        let path = self.path.clone();
        let named = |error: StoreError| file_health::file_error(&path, error);
        let transaction = self
            .connection
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|error| named(error.into()))?;
        let value = body(&transaction).map_err(named)?;
        // Every store write moves the write serial (see `ChangeStamp`).
        let serial = next_write_serial(&transaction).map_err(|error| named(error.into()))?;
        // Count the write in the file (every program shares one backup
        // policy); a due backup is claimed in this same transaction.
        let release = self.backup_state.take_release();
        let claimed = crate::backup::count_write(&transaction, &self.backup_state.policy, release)
            .map_err(named)?;
        // Announced before the commit (a reader of this process that sees
        // the serial in the file then knows it is this handle's, pending),
        // withdrawn if the commit fails: the announcement's drop.
        let announcement = Announcement::new(sink_of(&mut self.write_sink), serial);
        #[cfg(test)]
        crate::change_stamp::tests::before_commit(&transaction);
        transaction.commit().map_err(|error| named(error.into()))?;
        announcement.committed();
        self.last_write = Some(serial);
        if let Some(noted) = &mut self.noted_writes {
            noted.push(serial);
        }
        self.after_write(claimed);
        Ok(value)
    }

    /// Starts noting the write serial (see [`crate::ChangeStamp::write_serial`])
    /// of every write this handle commits, so a long-running process can
    /// tell another handle of its own exactly which writes were its own
    /// (an inbound poller handing its applied scores to the desktop app's
    /// kept boards). Noting stays on; [`CompetitionFile::take_noted_writes`]
    /// empties the list.
    pub fn note_writes(&mut self) {
        self.noted_writes.get_or_insert_with(Vec::new);
    }

    /// Tells `sink` of every write this handle makes, by its write serial:
    /// [`WriteNotice::Announced`] just before the commit (the write lock
    /// still held), then [`WriteNotice::Committed`] right after it, or
    /// [`WriteNotice::Abandoned`] when it did not commit (a failed commit,
    /// an error or a panic after the announcement). Another handle of the
    /// process (the kept boards) that sees the serial in the file while it
    /// is announced knows the write is this handle's and can wait for its
    /// outcome instead of counting it as another program's.
    pub fn hand_writes_to(&mut self, sink: impl FnMut(WriteNotice) + Send + 'static) {
        self.write_sink = Some(Box::new(sink));
    }

    /// The write serial of the newest write this handle committed (`None`
    /// before its first): a caller that made one write can tell it from
    /// the other handles' writes between two stamps.
    pub fn last_write_serial(&self) -> Option<i64> {
        self.last_write
    }

    /// The write serials this handle committed since noting started or
    /// since the last take, oldest first (empty when noting is off).
    pub fn take_noted_writes(&mut self) -> Vec<i64> {
        self.noted_writes
            .as_mut()
            .map(std::mem::take)
            .unwrap_or_default()
    }

    /// Runs several reads against one consistent snapshot (a deferred read
    /// transaction), so a write by another program between the queries of
    /// one load can never mix two states of the file.
    pub(crate) fn read<T>(&self, body: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        if !self.connection.is_autocommit() {
            // Already inside a snapshot (a read calling another read).
            return body(&self.connection);
        }
        let transaction = self.connection.unchecked_transaction()?;
        let value = body(&transaction)?;
        transaction.commit()?;
        Ok(value)
    }

    /// Runs `body` with this handle's page cache held to `kib` KiB, then
    /// gives the cache its usual size ([`PAGE_CACHE_KIB`]) back. For reads
    /// that pass over most of the file once, such as the day-end exports:
    /// there the cache only keeps pages that are not read again, and at
    /// 60,000 athletes its 64 MiB were a quarter of an export's memory.
    pub fn with_page_cache<T>(
        &self,
        kib: i64,
        body: impl FnOnce(&CompetitionFile) -> T,
    ) -> Result<T> {
        self.connection
            .pragma_update(None, "cache_size", -kib.max(1))?;
        let value = body(self);
        self.connection
            .pragma_update(None, "cache_size", -PAGE_CACHE_KIB)?;
        Ok(value)
    }

    /// This handle's page cache limit in KiB (SQLite's `cache_size`).
    pub fn page_cache_kib(&self) -> Result<i64> {
        let size: i64 = self
            .connection
            .query_row("PRAGMA cache_size", [], |row| row.get(0))?;
        Ok(if size < 0 { -size } else { size * 4 })
    }

    /// The statements this handle holds prepared (its statement cache and
    /// any statement in use) that SQLite has parsed and planned again since
    /// they were first prepared, with how many times
    /// (`SQLITE_STMTSTATUS_REPREPARE`), in no particular order. Empty unless
    /// the schema changed meanwhile: binding a statement again never makes
    /// SQLite plan it again (see `keep_statements_prepared`). For tests
    /// and diagnostics.
    pub fn replanned_statements(&self) -> Vec<(String, u32)> {
        use rusqlite::ffi;
        let mut found = Vec::new();
        // SAFETY: the connection is open for as long as `self`, and only
        // this thread uses it (`&self`, the connection is not `Sync`);
        // `sqlite3_next_stmt`, `sqlite3_stmt_status` (without reset) and
        // `sqlite3_sql` only read the statements SQLite keeps for it, and the
        // SQL text is copied before the next call.
        unsafe {
            let database = self.connection.handle();
            let mut statement = ffi::sqlite3_next_stmt(database, std::ptr::null_mut());
            while !statement.is_null() {
                let count =
                    ffi::sqlite3_stmt_status(statement, ffi::SQLITE_STMTSTATUS_REPREPARE, 0);
                if count > 0 {
                    let sql = ffi::sqlite3_sql(statement);
                    let text = if sql.is_null() {
                        String::new()
                    } else {
                        std::ffi::CStr::from_ptr(sql).to_string_lossy().into_owned()
                    };
                    found.push((text, u32::try_from(count).unwrap_or(u32::MAX)));
                }
                statement = ffi::sqlite3_next_stmt(database, statement);
            }
        }
        found
    }

    /// Runs `body` against one consistent snapshot of the file: a read
    /// transaction held across every read `body` makes through this handle
    /// (the store's own multi-query reads join it), so a write by another
    /// program or handle meanwhile is either wholly visible or not at all.
    /// The snapshot is taken when this is called, before `body` runs. Writes
    /// through this handle inside `body` fail (a transaction is open).
    /// [`CompetitionFile::snapshot_backup`] inside `body` copies this same
    /// snapshot. Used by the day-end exports, which read a whole
    /// competition in many queries.
    pub fn read_snapshot<T, E>(
        &self,
        body: impl FnOnce(&CompetitionFile) -> std::result::Result<T, E>,
    ) -> std::result::Result<T, E>
    where
        E: From<StoreError>,
    {
        if !self.connection.is_autocommit() {
            // Already inside a snapshot.
            return body(self);
        }
        let transaction = self
            .connection
            .unchecked_transaction()
            .map_err(|error| E::from(StoreError::from(error)))?;
        // BEGIN is deferred: the snapshot starts at the first read, so read
        // now rather than at whatever `body` happens to read first.
        transaction
            .query_row("SELECT count(*) FROM sqlite_schema", [], |row| {
                row.get::<_, i64>(0)
            })
            .map_err(|error| E::from(StoreError::from(error)))?;
        let value = body(self)?;
        transaction
            .commit()
            .map_err(|error| E::from(StoreError::from(error)))?;
        Ok(value)
    }

    /// The competition record.
    pub fn competition(&self) -> Result<Competition> {
        Ok(self.connection.query_row(
            "SELECT name, slug, start_date, end_date, venue, country, organiser, time_zone
             FROM competition WHERE id = 1",
            [],
            |row| {
                Ok(Competition {
                    name: row.get(0)?,
                    slug: row.get(1)?,
                    start_date: row.get(2)?,
                    end_date: row.get(3)?,
                    venue: row.get(4)?,
                    country: row.get(5)?,
                    organiser: row.get(6)?,
                    time_zone: row.get(7)?,
                })
            },
        )?)
    }

    /// The stored leaderboard settings (overall mode and tie-break).
    pub fn leaderboard_settings(&self) -> Result<LeaderboardSettings> {
        Ok(self
            .setting::<LeaderboardSettings>(LEADERBOARD_SETTINGS_KEY)?
            .unwrap_or_default())
    }

    pub fn set_leaderboard_settings(&mut self, settings: &LeaderboardSettings) -> Result<()> {
        self.write(|transaction| put_setting(transaction, LEADERBOARD_SETTINGS_KEY, settings))
    }

    /// Stores how team workouts count in individuals' overall totals,
    /// keeping the stored mode and tie-break (one write transaction).
    pub fn set_team_workouts_rule(&mut self, rule: TeamWorkoutsInOverall) -> Result<()> {
        self.write(|transaction| {
            let text: Option<String> = transaction
                .query_row(
                    "SELECT value FROM settings WHERE key = ?1",
                    params![LEADERBOARD_SETTINGS_KEY],
                    |row| row.get(0),
                )
                .optional()?;
            let mut settings = match text {
                None => LeaderboardSettings::default(),
                Some(text) => {
                    serde_json::from_str::<LeaderboardSettings>(&text).map_err(|error| {
                        StoreError::InvalidInput {
                            field: format!("setting {LEADERBOARD_SETTINGS_KEY}"),
                            message: error.to_string(),
                        }
                    })?
                }
            };
            settings.team_workouts = rule;
            put_setting(transaction, LEADERBOARD_SETTINGS_KEY, &settings)
        })
    }

    /// Reads a JSON setting by key.
    pub fn setting<T: DeserializeOwned>(&self, key: &str) -> Result<Option<T>> {
        let text: Option<String> = self
            .connection
            .query_row(
                "SELECT value FROM settings WHERE key = ?1",
                params![key],
                |row| row.get(0),
            )
            .optional()?;
        match text {
            None => Ok(None),
            Some(text) => {
                serde_json::from_str(&text)
                    .map(Some)
                    .map_err(|error| StoreError::InvalidInput {
                        field: format!("setting {key}"),
                        message: error.to_string(),
                    })
            }
        }
    }

    /// Stores a JSON setting by key.
    pub fn set_setting<T: Serialize>(&mut self, key: &str, value: &T) -> Result<()> {
        self.write(|transaction| put_setting(transaction, key, value))
    }

    /// After a committed write: takes in finished backups and starts the
    /// one this write claimed, on its own thread and connection.
    pub(crate) fn after_write(&mut self, claimed_writes: Option<u64>) {
        match claimed_writes {
            Some(writes) => {
                let path = self.path.clone();
                self.backup_state.start(&path, writes);
            }
            None => self.backup_state.collect(false),
        }
    }
}

static SESSION_COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

impl Drop for CompetitionFile {
    fn drop(&mut self) {
        if !self.closed {
            // A drop is a clean close; errors cannot be reported here.
            self.backup_state.collect(true);
            let _ = self.mark_closed();
        }
    }
}

pub(crate) fn put_setting<T: Serialize>(
    transaction: &Transaction<'_>,
    key: &str,
    value: &T,
) -> Result<()> {
    let text = serde_json::to_string(value).map_err(|error| StoreError::InvalidInput {
        field: format!("setting {key}"),
        message: error.to_string(),
    })?;
    transaction.execute(
        "INSERT INTO settings (key, value) VALUES (?1, ?2)
         ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        params![key, text],
    )?;
    Ok(())
}

/// The first 16 bytes of every SQLite database file.
const SQLITE_MAGIC: &[u8; 16] = b"SQLite format 3\0";

/// Refuses a missing file, a file that is not a database at all, and a
/// database file too short to hold even its header (truncated).
fn check_header(path: &Path) -> Result<()> {
    use std::io::Read as _;
    let path_text = path.display().to_string();
    let mut file = match std::fs::File::open(path) {
        Ok(file) => file,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            return Err(StoreError::FileNotFound { path: path_text });
        }
        Err(error) => {
            return Err(StoreError::CannotOpen {
                path: path_text,
                reason: error.to_string(),
            })
        }
    };
    if file.metadata().map(|m| m.is_dir()).unwrap_or(false) {
        return Err(StoreError::NotACompetitionFile {
            path: path_text,
            reason: "it is a folder".to_string(),
        });
    }
    let mut header = [0u8; 100];
    let mut read = 0;
    while read < header.len() {
        match file.read(&mut header[read..]) {
            Ok(0) => break,
            Ok(count) => read += count,
            Err(error) => {
                return Err(StoreError::CannotOpen {
                    path: path_text,
                    reason: error.to_string(),
                })
            }
        }
    }
    if read == 0 {
        return Err(StoreError::Damaged {
            path: path_text,
            details: "it is empty (0 bytes)".to_string(),
            advice: file_health::restore_advice(path),
        });
    }
    if read < 16 || &header[..16] != SQLITE_MAGIC {
        return Err(StoreError::NotACompetitionFile {
            path: path_text,
            reason: "it is not a database file".to_string(),
        });
    }
    if read < 100 {
        return Err(StoreError::Damaged {
            path: path_text,
            details: format!("it is cut short ({read} bytes, shorter than its own header)"),
            advice: file_health::restore_advice(path),
        });
    }
    // Bytes 28..32: the database size in pages (valid when bytes 24..28
    // equal bytes 92..96); page size at 16..18 (1 means 65536).
    let page_size = match u16::from_be_bytes([header[16], header[17]]) {
        1 => 65_536u64,
        size => u64::from(size),
    };
    let pages = u64::from(u32::from_be_bytes([
        header[28], header[29], header[30], header[31],
    ]));
    let size_valid = header[24..28] == header[92..96];
    let length = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    if size_valid && pages > 0 && page_size >= 512 && length < pages * page_size {
        return Err(StoreError::Damaged {
            path: path_text,
            details: format!(
                "it is cut short: {length} bytes of the {} its header records (truncated by a copy or a full disk)",
                pages * page_size
            ),
            advice: file_health::restore_advice(path),
        });
    }
    Ok(())
}

/// Checks that the file is a Scoretable file this build can read; returns
/// its schema version. Runs before any table is touched, so a newer file is
/// named as such rather than failing on a missing table.
fn inspect(connection: &Connection, path: &Path) -> Result<u32> {
    let path_text = path.display().to_string();
    let named = |error: rusqlite::Error| file_health::file_error(path, error.into());
    let application_id: i32 = connection
        .query_row("PRAGMA application_id", [], |row| row.get(0))
        .map_err(named)?;
    if application_id != APPLICATION_ID {
        return Err(StoreError::NotACompetitionFile {
            path: path_text,
            reason: format!(
                "its application id is {application_id:#x}, not Scoretable's {APPLICATION_ID:#x}"
            ),
        });
    }
    let version: i64 = connection
        .query_row("PRAGMA user_version", [], |row| row.get(0))
        .map_err(named)?;
    let version = u32::try_from(version).unwrap_or(u32::MAX);
    if version > schema::CURRENT_SCHEMA_VERSION {
        return Err(StoreError::SchemaTooNew {
            path: path_text,
            found: version,
            supported: schema::CURRENT_SCHEMA_VERSION,
        });
    }
    if version >= 1 {
        let mut statement = connection
            .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")
            .map_err(named)?;
        let tables: std::collections::HashSet<String> = statement
            .query_map([], |row| row.get::<_, String>(0))
            .and_then(|rows| rows.collect())
            .map_err(named)?;
        let missing: Vec<&str> = schema::tables_at(version)
            .into_iter()
            .filter(|table| !tables.contains(*table))
            .collect();
        if !missing.is_empty() {
            return Err(StoreError::SchemaMismatch {
                path: path_text,
                details: format!(
                    "schema version {version} but no {} table",
                    missing.join(", ")
                ),
            });
        }
    }
    Ok(version)
}

/// A read-only connection; `immutable` reads without the -wal/-shm files.
fn read_connection(path: &Path, immutable: bool) -> rusqlite::Result<Connection> {
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let connection = if immutable {
        Connection::open_with_flags(
            format!("file:{}?immutable=1", uri_path(path)),
            flags | OpenFlags::SQLITE_OPEN_URI,
        )?
    } else {
        Connection::open_with_flags(path, flags)?
    };
    connection.busy_timeout(std::time::Duration::from_secs(5))?;
    connection.pragma_update(None, "cache_size", -PAGE_CACHE_KIB)?;
    keep_statements_prepared(&connection)?;
    crate::live_timing::register_functions(&connection)?;
    // Touch the schema so the -wal/-shm files are opened now, not at the
    // first real query.
    connection.query_row("SELECT count(*) FROM sqlite_master", [], |row| {
        row.get::<_, i64>(0)
    })?;
    Ok(connection)
}

/// `path` escaped for a `file:` URI.
fn uri_path(path: &Path) -> String {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let text = absolute.to_string_lossy().replace('\\', "/");
    let mut escaped = String::with_capacity(text.len());
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'/' | b'-' | b'_' | b'.' | b'~' | b':' => {
                escaped.push(byte as char)
            }
            other => escaped.push_str(&format!("%{other:02X}")),
        }
    }
    if escaped.starts_with('/') {
        escaped
    } else {
        format!("/{escaped}")
    }
}

/// The `open_sessions` rows left by handles that are gone: all of them when
/// no handle holds the lock file, else those whose process is known dead.
fn crash_leftovers(connection: &Connection, path: &Path, alone: bool) -> Result<Vec<String>> {
    let named = |error: rusqlite::Error| file_health::file_error(path, error.into());
    let mut statement = connection
        .prepare("SELECT session_id, process_id FROM open_sessions")
        .map_err(named)?;
    let rows: Vec<(String, i64)> = statement
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))
        .and_then(|rows| rows.collect())
        .map_err(named)?;
    Ok(rows
        .into_iter()
        .filter(|(session_id, process_id)| {
            alone || file_health::session_is_dead(session_id, *process_id)
        })
        .map(|(session_id, _)| session_id)
        .collect())
}

fn is_corruption(error: &rusqlite::Error) -> bool {
    matches!(
        error.sqlite_error_code(),
        Some(rusqlite::ErrorCode::DatabaseCorrupt | rusqlite::ErrorCode::NotADatabase)
    )
}

fn quick_check(connection: &Connection, path_text: &str) -> Result<()> {
    let mut statement = connection.prepare("PRAGMA quick_check")?;
    let lines: Vec<String> = statement
        .query_map([], |row| row.get::<_, String>(0))
        .and_then(|rows| rows.collect())
        .map_err(|error| StoreError::IntegrityCheckFailed {
            path: path_text.to_string(),
            details: error.to_string(),
            advice: file_health::restore_advice(Path::new(path_text)),
        })?;
    if lines.len() == 1 && lines[0] == "ok" {
        Ok(())
    } else {
        let mut details: Vec<String> = lines.iter().take(3).cloned().collect();
        if lines.len() > 3 {
            details.push(format!("and {} more problems", lines.len() - 3));
        }
        Err(StoreError::IntegrityCheckFailed {
            path: path_text.to_string(),
            details: details.join("; "),
            advice: file_health::restore_advice(Path::new(path_text)),
        })
    }
}
