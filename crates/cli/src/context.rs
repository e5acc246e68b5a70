//! The open competition file and lookups by the names people type.
//!
//! Workouts and divisions may be named by id or by name (case-insensitive);
//! entrants by bib (competitor bibs first, then team bibs).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use scoretable_core::model::{Division, Entrant, EntrantInfo, Id, Workout};
use scoretable_store::{BackupHandOff, CompetitionFile};

use crate::convert::store_error;
use crate::error::{CliError, CliResult};

/// Whether a claimed automatic backup is handed to a process of its own
/// ([`enable_backup_hand_off`]).
static HAND_OFF_BACKUPS: AtomicBool = AtomicBool::new(false);

/// Makes every file this process opens for writing hand its automatic
/// backups to a `scoretable backup take-claim` process of their own, so
/// that a one-shot command exits as soon as its write is done instead of
/// waiting for the copy (one write in a hundred made a backup, and closing
/// the file waited for it: 200-250 ms at 60,000 athletes). The `scoretable`
/// binary turns it on; a library caller (a test harness, whose executable
/// is not `scoretable`) keeps the backups on a thread of the handle.
pub fn enable_backup_hand_off() {
    HAND_OFF_BACKUPS.store(true, Ordering::Relaxed);
}

/// Starts `scoretable --file <path> backup take-claim --writes <n>`
/// detached (its own process group, no terminal streams), reaped by a
/// thread while this process lives; `false` when it cannot be started.
fn hand_off_backup(path: &Path, writes: u64) -> bool {
    let Ok(executable) = std::env::current_exe() else {
        return false;
    };
    let mut command = std::process::Command::new(executable);
    command
        .arg("--file")
        .arg(path)
        .args(["backup", "take-claim", "--writes", &writes.to_string()])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        // Not in the terminal's process group: a Ctrl-C after the command
        // returned does not stop the copy.
        command.process_group(0);
    }
    #[cfg(windows)]
    {
        use std::os::windows::process::CommandExt;
        const DETACHED_PROCESS: u32 = 0x0000_0008;
        const CREATE_NEW_PROCESS_GROUP: u32 = 0x0000_0200;
        command.creation_flags(DETACHED_PROCESS | CREATE_NEW_PROCESS_GROUP);
    }
    match command.spawn() {
        Ok(mut child) => {
            tracing::info!(
                process = child.id(),
                "automatic backup handed to a process of its own"
            );
            std::thread::spawn(move || {
                let _ = child.wait();
            });
            true
        }
        Err(error) => {
            tracing::warn!(error = %error, "could not hand the automatic backup over; taking it here");
            false
        }
    }
}

/// Opens the competition file named by `--file` / `SCORETABLE_FILE`.
pub fn open_competition(file: Option<&Path>) -> CliResult<CompetitionFile> {
    let path = required_file(file)?;
    let mut store = CompetitionFile::open(&path).map_err(store_error)?;
    if HAND_OFF_BACKUPS.load(Ordering::Relaxed) {
        store.set_backup_hand_off(Some(BackupHandOff(Arc::new(hand_off_backup))));
    }
    Ok(store)
}

/// Opens the competition file for a command that only reads (lists,
/// leaderboards, exports, backups): nothing is written to the file, so it
/// works on a read-only file or folder and on a full disk. A file an older
/// Scoretable wrote is upgraded first (that needs write access).
pub fn open_for_reading(file: Option<&Path>) -> CliResult<CompetitionFile> {
    let path = required_file(file)?;
    match CompetitionFile::open_read_only(&path) {
        Err(scoretable_store::StoreError::SchemaTooOld { .. }) => {
            CompetitionFile::open(&path).map_err(store_error)
        }
        opened => opened.map_err(store_error),
    }
}

/// The `--file` path, or an error saying how to give one.
pub fn required_file(file: Option<&Path>) -> CliResult<PathBuf> {
    file.map(Path::to_path_buf).ok_or_else(|| {
        CliError::bad_input(
            "no competition file: pass --file <competition.scoretable> or set SCORETABLE_FILE",
        )
    })
}

/// Finds a workout by id or by name.
pub fn resolve_workout(store: &CompetitionFile, reference: &str) -> CliResult<Workout> {
    let reference = reference.trim();
    if let Some(workout) = store.workout_by_name(reference).map_err(store_error)? {
        return Ok(workout);
    }
    let workouts = store.workouts().map_err(store_error)?;
    if let Ok(id) = reference.parse::<Id>() {
        if let Some(workout) = workouts.iter().find(|workout| workout.id == id) {
            return Ok(workout.clone());
        }
    }
    let known: Vec<String> = workouts
        .iter()
        .map(|workout| format!("{} ({})", workout.name, workout.id))
        .collect();
    let hint = if known.is_empty() {
        "there are no workouts yet; add one with `workout add`".to_string()
    } else {
        format!("known workouts: {}", known.join(", "))
    };
    Err(CliError::not_found(format!(
        "unknown workout {reference:?}; {hint}"
    )))
}

/// Finds a division by id or by name.
pub fn resolve_division(store: &CompetitionFile, reference: &str) -> CliResult<Division> {
    let reference = reference.trim();
    let divisions = store.divisions().map_err(store_error)?;
    if let Some(division) = divisions
        .iter()
        .find(|division| division.name.eq_ignore_ascii_case(reference))
    {
        return Ok(division.clone());
    }
    if let Ok(id) = reference.parse::<Id>() {
        if let Some(division) = divisions.iter().find(|division| division.id == id) {
            return Ok(division.clone());
        }
    }
    let known: Vec<&str> = divisions
        .iter()
        .map(|division| division.name.as_str())
        .collect();
    let hint = if known.is_empty() {
        "there are no divisions yet; add one with `division add`".to_string()
    } else {
        format!("known divisions: {}", known.join(", "))
    };
    Err(CliError::not_found(format!(
        "unknown division {reference:?}; {hint}"
    )))
}

/// Bibs, names and divisions of every entrant, for showing rows.
pub struct EntrantDirectory {
    pub by_entrant: HashMap<Entrant, EntrantInfo>,
    pub division_names: HashMap<Id, String>,
}

impl EntrantDirectory {
    pub fn load(store: &CompetitionFile) -> CliResult<EntrantDirectory> {
        let infos = store.entrant_infos().map_err(store_error)?;
        let divisions = store.divisions().map_err(store_error)?;
        Ok(EntrantDirectory {
            by_entrant: infos.into_iter().map(|info| (info.entrant, info)).collect(),
            division_names: divisions
                .into_iter()
                .map(|division| (division.id, division.name))
                .collect(),
        })
    }

    pub fn bib(&self, entrant: Entrant) -> &str {
        self.by_entrant
            .get(&entrant)
            .map(|info| info.bib.as_str())
            .unwrap_or("")
    }

    pub fn name(&self, entrant: Entrant) -> String {
        self.by_entrant
            .get(&entrant)
            .map(|info| info.name.clone())
            .unwrap_or_else(|| describe_entrant(entrant))
    }

    pub fn division_name(&self, division_id: Id) -> String {
        self.division_names
            .get(&division_id)
            .cloned()
            .unwrap_or_else(|| format!("division {division_id}"))
    }
}

/// Bibs and names of the few entrants a command shows, looked up by key
/// when first asked for (a command that prints one or ten entrants must not
/// load 60,000), and every division's name (a small table).
pub struct EntrantLookup<'store> {
    store: &'store CompetitionFile,
    known: std::cell::RefCell<HashMap<Entrant, Option<EntrantInfo>>>,
    division_names: HashMap<Id, String>,
}

impl<'store> EntrantLookup<'store> {
    pub fn new(store: &'store CompetitionFile) -> CliResult<EntrantLookup<'store>> {
        let divisions = store.divisions().map_err(store_error)?;
        Ok(EntrantLookup {
            store,
            known: std::cell::RefCell::new(HashMap::new()),
            division_names: divisions
                .into_iter()
                .map(|division| (division.id, division.name))
                .collect(),
        })
    }

    fn with_info<T>(
        &self,
        entrant: Entrant,
        read: impl FnOnce(Option<&EntrantInfo>) -> T,
    ) -> CliResult<T> {
        if let Some(info) = self.known.borrow().get(&entrant) {
            return Ok(read(info.as_ref()));
        }
        let info = self.store.entrant_info(entrant).map_err(store_error)?;
        let value = read(info.as_ref());
        self.known.borrow_mut().insert(entrant, info);
        Ok(value)
    }

    pub fn bib(&self, entrant: Entrant) -> CliResult<String> {
        self.with_info(entrant, |info| {
            info.map(|info| info.bib.clone()).unwrap_or_default()
        })
    }

    pub fn name(&self, entrant: Entrant) -> CliResult<String> {
        self.with_info(entrant, |info| {
            info.map(|info| info.name.clone())
                .unwrap_or_else(|| describe_entrant(entrant))
        })
    }

    /// `#12 Ada Lovelace`.
    pub fn label(&self, entrant: Entrant) -> CliResult<String> {
        Ok(format!("#{} {}", self.bib(entrant)?, self.name(entrant)?))
    }

    pub fn division_name(&self, division_id: Id) -> String {
        self.division_names
            .get(&division_id)
            .cloned()
            .unwrap_or_else(|| format!("division {division_id}"))
    }
}

/// `competitor 12` or `team 3`, for entrants without a known name.
pub fn describe_entrant(entrant: Entrant) -> String {
    match entrant {
        Entrant::Competitor(id) => format!("competitor {id}"),
        Entrant::Team(id) => format!("team {id}"),
    }
}

/// The entrant as JSON: `{"kind": "competitor", "id": 12}`.
pub fn entrant_json(entrant: Entrant) -> serde_json::Value {
    serde_json::to_value(entrant).unwrap_or(serde_json::Value::Null)
}
