//! The competition file on a bad day: live and dead holders, read-only
//! opens, damaged and newer files, hostile names.

use crate::common;

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};

use common::{competition, draft, workout};
use scoretable_core::model::{Gender, ScoreType};
use scoretable_store::{CompetitionFile, ScoreInput, StoreError};

fn file_with_scores(path: &std::path::Path, count: usize) -> i64 {
    let mut file = CompetitionFile::create(path, &competition()).unwrap();
    let drafts: Vec<_> = (1..=count)
        .map(|bib| {
            draft(
                bib + 1,
                &bib.to_string(),
                "First",
                &format!("Last{bib}"),
                Gender::Female,
            )
        })
        .collect();
    file.import_competitors(&drafts).unwrap();
    let workout_id = file
        .add_workout(&workout("Row 2k", 1, ScoreType::Time))
        .unwrap();
    for bib in 1..=count.min(10) {
        file.enter_score_by_bib(
            workout_id,
            &bib.to_string(),
            ScoreInput::text(format!("7:{bib:02}.0")),
            "table",
        )
        .unwrap();
    }
    file.close().unwrap();
    workout_id
}

/// Runs `test` (a test of this module) alone in a child process.
fn child_command(test: &str) -> Command {
    scoretable_testkit::crash::this_test(module_path!(), test)
}

/// Run as a child: opens the file, writes one score, says READY and keeps
/// the file open until its stdin closes (a live holder such as the app).
#[test]
fn holder_child_keeps_the_file_open() {
    let Ok(path) = std::env::var("SCORETABLE_HOLDER_FILE") else {
        return;
    };
    let mut file = CompetitionFile::open(&path).unwrap();
    let workout_id = file.workouts().unwrap()[0].id;
    file.enter_score_by_bib(workout_id, "20", ScoreInput::text("9:00.0"), "child")
        .unwrap();
    println!("READY");
    std::io::stdout().flush().unwrap();
    let mut line = String::new();
    let _ = std::io::stdin().read_line(&mut line);
    file.close().unwrap();
}

/// Run as a child: opens the file, writes, and dies without closing.
#[test]
fn dying_child_writes_then_aborts() {
    let Ok(path) = std::env::var("SCORETABLE_DYING_FILE") else {
        return;
    };
    let mut file = CompetitionFile::open(&path).unwrap();
    let workout_id = file.workouts().unwrap()[0].id;
    file.enter_score_by_bib(workout_id, "21", ScoreInput::text("9:30.0"), "child")
        .unwrap();
    println!("ACK");
    std::io::stdout().flush().unwrap();
    std::process::abort();
}

#[test]
fn another_live_process_holding_the_file_is_not_a_crash() {
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("held.scoretable");
    file_with_scores(&path, 30);
    let mut holder = child_command("holder_child_keeps_the_file_open")
        .env("SCORETABLE_HOLDER_FILE", &path)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(holder.stdout.take().unwrap()).lines();
    assert!(lines
        .by_ref()
        .map_while(Result::ok)
        .any(|line| line.contains("READY")));
    // The holder's session row and its -wal content are both there, but the
    // holder is alive: no crash warning, no integrity check.
    let opened = CompetitionFile::open(&path).unwrap();
    assert!(
        !opened.open_report().unclean_shutdown_detected,
        "{:?}",
        opened.open_report()
    );
    assert!(!opened.open_report().quick_check_ran);
    let reader = CompetitionFile::open_read_only(&path).unwrap();
    assert!(!reader.open_report().unclean_shutdown_detected);
    drop(reader);
    opened.close().unwrap();
    drop(holder.stdin.take());
    assert!(holder.wait().unwrap().success());
}

#[test]
fn a_dead_holder_is_found_even_while_another_holder_is_live() {
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("dead.scoretable");
    let workout_id = file_with_scores(&path, 30);
    // This process holds the file open (like the app) the whole time.
    let live = CompetitionFile::open(&path).unwrap();
    let output = child_command("dying_child_writes_then_aborts")
        .env("SCORETABLE_DYING_FILE", &path)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stdout).contains("ACK"));
    let after_crash = CompetitionFile::open(&path).unwrap();
    assert!(after_crash.open_report().unclean_shutdown_detected);
    assert!(after_crash.open_report().quick_check_ran);
    let competitor = after_crash.competitor_by_bib("21").unwrap().unwrap();
    assert!(after_crash
        .result(
            workout_id,
            scoretable_core::model::Entrant::Competitor(competitor.id)
        )
        .unwrap()
        .is_some());
    after_crash.close().unwrap();
    // The dead row was cleared; the live one stays, and is not a crash.
    let next = CompetitionFile::open(&path).unwrap();
    assert!(!next.open_report().unclean_shutdown_detected);
    next.close().unwrap();
    live.close().unwrap();
}

#[test]
fn a_read_only_open_writes_nothing_and_refuses_writes_naming_the_file() {
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("reader.scoretable");
    let workout_id = file_with_scores(&path, 12);
    let before = std::fs::read(&path).unwrap();
    let mut reader = CompetitionFile::open_read_only(&path).unwrap();
    assert!(reader.is_read_only());
    assert!(reader.open_report().read_only.is_some());
    assert_eq!(reader.results(workout_id).unwrap().len(), 10);
    assert_eq!(reader.competitors().unwrap().len(), 12);
    let error = reader
        .enter_score_by_bib(workout_id, "11", ScoreInput::text("8:00.0"), "table")
        .unwrap_err();
    assert!(matches!(error, StoreError::ReadOnly { .. }), "{error:?}");
    assert!(error.to_string().contains("reader.scoretable"), "{error}");
    drop(reader);
    assert_eq!(std::fs::read(&path).unwrap(), before, "the file changed");
    // No session row was left by the reader: the next open is clean.
    let writer = CompetitionFile::open(&path).unwrap();
    assert!(!writer.open_report().unclean_shutdown_detected);
}

/// Opens the file in a read-only folder with a read-only file, in a child
/// that cannot bypass permissions (root drops CAP_DAC_OVERRIDE via setpriv).
#[test]
fn read_only_child_checks_the_file() {
    let Ok(path) = std::env::var("SCORETABLE_READ_ONLY_FILE") else {
        return;
    };
    let error = CompetitionFile::open(&path).unwrap_err();
    assert!(
        matches!(error, StoreError::ReadOnly { .. }),
        "read-write open: {error:?}"
    );
    assert!(error.to_string().contains(&path), "{error}");
    let reader = CompetitionFile::open_read_only(&path).unwrap();
    assert_eq!(reader.competitors().unwrap().len(), 12);
    drop(reader);
    // The app's way: read-write when possible, else read-only with the reason.
    let app = CompetitionFile::open_preferring_write(&path).unwrap();
    assert!(app.is_read_only());
    let reason = app.open_report().read_only.clone().unwrap();
    assert!(
        reason.contains("read-only") && reason.contains(&path),
        "{reason}"
    );
    println!("CHILD-OK");
}

pub fn unprivileged(command: &mut Command) -> Command {
    // Root ignores file permissions; take that power away from the child.
    let is_root = std::fs::read_to_string("/proc/self/status")
        .map(|status| {
            status
                .lines()
                .any(|line| line.starts_with("Uid:") && line.split_whitespace().nth(2) == Some("0"))
        })
        .unwrap_or(false);
    if !is_root {
        return std::mem::replace(command, Command::new("true"));
    }
    let mut wrapped = Command::new("setpriv");
    wrapped
        .arg("--bounding-set=-dac_override,-dac_read_search,-fowner")
        .arg("--")
        .arg(command.get_program())
        .args(command.get_args());
    for (key, value) in command.get_envs() {
        if let Some(value) = value {
            wrapped.env(key, value);
        }
    }
    wrapped
}

#[cfg(unix)]
#[test]
fn a_read_only_file_in_a_read_only_folder_opens_for_reading() {
    use std::os::unix::fs::PermissionsExt;
    let directory = tempfile::tempdir().unwrap();
    let folder = directory.path().join("locked");
    std::fs::create_dir(&folder).unwrap();
    let path = folder.join("locked.scoretable");
    file_with_scores(&path, 12);
    let before = std::fs::read(&path).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o444)).unwrap();
    std::fs::set_permissions(&folder, std::fs::Permissions::from_mode(0o555)).unwrap();
    let mut child = child_command("read_only_child_checks_the_file");
    child.env("SCORETABLE_READ_ONLY_FILE", &path);
    let output = unprivileged(&mut child).output().unwrap();
    std::fs::set_permissions(&folder, std::fs::Permissions::from_mode(0o755)).unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success() && stdout.contains("CHILD-OK"),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(std::fs::read(&path).unwrap(), before);
}

#[test]
fn a_newer_file_with_changed_tables_is_named_as_newer() {
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("future.scoretable");
    file_with_scores(&path, 3);
    {
        let raw = rusqlite::Connection::open(&path).unwrap();
        raw.execute_batch(
            "ALTER TABLE open_sessions RENAME TO sessions_v2;
             PRAGMA user_version = 999;",
        )
        .unwrap();
    }
    let before = std::fs::read(&path).unwrap();
    for error in [
        CompetitionFile::open(&path).unwrap_err(),
        CompetitionFile::open_read_only(&path).unwrap_err(),
    ] {
        assert!(
            matches!(error, StoreError::SchemaTooNew { .. }),
            "{error:?}"
        );
        let message = error.to_string();
        assert!(
            message.contains("newer Scoretable") && message.contains("future.scoretable"),
            "{message}"
        );
    }
    assert_eq!(std::fs::read(&path).unwrap(), before);
}

#[test]
fn a_file_missing_a_table_for_its_version_says_so() {
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("altered.scoretable");
    file_with_scores(&path, 3);
    {
        let raw = rusqlite::Connection::open(&path).unwrap();
        raw.execute_batch("ALTER TABLE open_sessions RENAME TO something_else;")
            .unwrap();
    }
    let error = CompetitionFile::open(&path).unwrap_err();
    assert!(
        matches!(error, StoreError::SchemaMismatch { .. }),
        "{error:?}"
    );
    assert!(error.to_string().contains("open_sessions"), "{error}");
}

fn backups_for(path: &std::path::Path, count: usize) {
    let mut file = CompetitionFile::open(path).unwrap();
    let directory = scoretable_store::BackupPolicy::beside(path).directory;
    for _ in 0..count {
        file.backup_now(&directory).unwrap();
    }
    file.close().unwrap();
}

#[test]
fn a_truncated_file_is_called_damaged_and_names_the_newest_backups() {
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("cut.scoretable");
    file_with_scores(&path, 2_000);
    backups_for(&path, 2);
    let bytes = std::fs::read(&path).unwrap();
    std::fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
    let before = std::fs::read(&path).unwrap();
    let error = CompetitionFile::open(&path).unwrap_err();
    assert!(matches!(error, StoreError::Damaged { .. }), "{error:?}");
    let message = error.to_string();
    assert!(!message.contains("not a Scoretable"), "{message}");
    assert!(message.contains("cut short"), "{message}");
    assert!(message.contains("backup restore"), "{message}");
    let newest = &scoretable_store::backups_beside(&path)[0];
    assert!(
        message.contains(&newest.path.display().to_string()),
        "{message}"
    );
    assert!(message.contains(&newest.taken_at), "{message}");
    assert_eq!(std::fs::read(&path).unwrap(), before);
}

#[test]
fn flipped_bytes_are_named_without_claiming_an_unclean_shutdown_and_restore_works() {
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("flipped.scoretable");
    file_with_scores(&path, 2_000);
    backups_for(&path, 1);
    let mut bytes = std::fs::read(&path).unwrap();
    // Damage the first page of the schema table's tree: every open sees it.
    let page = bytes.len() / 4096 - 3;
    for byte in &mut bytes[page * 4096..page * 4096 + 4096] {
        *byte ^= 0xA5;
    }
    for byte in &mut bytes[100..4096] {
        *byte ^= 0xA5;
    }
    std::fs::write(&path, &bytes).unwrap();
    let error = CompetitionFile::open(&path).unwrap_err();
    let message = error.to_string();
    assert!(
        matches!(
            error,
            StoreError::Damaged { .. } | StoreError::IntegrityCheckFailed { .. }
        ),
        "{error:?}"
    );
    assert!(!message.contains("unclean shutdown"), "{message}");
    assert!(message.contains("backup restore"), "{message}");
    let newest = scoretable_store::backups_beside(&path)[0].path.clone();
    let report = scoretable_store::restore_backup(&newest, &path).unwrap();
    let kept = report.previous_kept_as.unwrap();
    assert_eq!(
        std::fs::read(&kept).unwrap(),
        bytes,
        "the damaged file is kept"
    );
    let restored = CompetitionFile::open(&path).unwrap();
    assert_eq!(restored.competitors().unwrap().len(), 2_000);
}

#[test]
fn restore_refuses_while_another_handle_holds_the_file() {
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("busy.scoretable");
    file_with_scores(&path, 3);
    backups_for(&path, 1);
    let live = CompetitionFile::open(&path).unwrap();
    let newest = scoretable_store::backups_beside(&path)[0].path.clone();
    let error = scoretable_store::restore_backup(&newest, &path).unwrap_err();
    assert!(error.to_string().contains("open in another"), "{error}");
    live.close().unwrap();
}

#[test]
fn control_characters_and_huge_names_are_refused_naming_row_and_field() {
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("names.scoretable");
    let mut file = CompetitionFile::create(&path, &competition()).unwrap();
    let good = draft(2, "1", "Ada", "Lovelace", Gender::Female);
    let mut hostile = draft(3, "2", "Eve\u{1b}]0;pwned\u{7}", "X", Gender::Female);
    let error = file
        .import_competitors(&[good.clone(), hostile.clone()])
        .unwrap_err();
    let message = error.to_string();
    assert!(
        message.contains("row 3") && message.contains("first_name") && message.contains("U+001B"),
        "{message}"
    );
    hostile.first_name = "Eve".into();
    hostile.bib = "2\0".into();
    let message = file
        .import_competitors(&[good.clone(), hostile.clone()])
        .unwrap_err()
        .to_string();
    assert!(
        message.contains("bib") && message.contains("U+0000"),
        "{message}"
    );
    hostile.bib = "2".into();
    hostile.last_name = "x".repeat(1_000_000);
    let message = file
        .import_competitors(&[good.clone(), hostile.clone()])
        .unwrap_err()
        .to_string();
    assert!(message.contains("limit is 100"), "{message}");
    assert!(file.competitors().unwrap().is_empty(), "nothing was stored");
    let mut division = scoretable_core::model::Division {
        id: 0,
        name: "Elite\nMen".into(),
        kind: scoretable_core::model::DivisionKind::Custom,
        gender: None,
        min_age: None,
        max_age: None,
    };
    assert!(file.add_division(&division).is_err());
    division.name = "Elite".into();
    file.add_division(&division).unwrap();
    let mut bad_workout = workout("Fran\u{202E}", 1, ScoreType::Time);
    assert!(file.add_workout(&bad_workout).is_err());
    bad_workout.name = "Fran".into();
    file.add_workout(&bad_workout).unwrap();
}
