//! Crash safety, unclean-shutdown detection, integrity checks and backups.

use crate::common;

use scoretable_testkit::crash;

use std::io::{BufRead, BufReader};
use std::process::Stdio;

use common::{competition, draft, workout};
use scoretable_core::model::{Entrant, Gender, ScoreType};
use scoretable_store::{BackupPolicy, CompetitionFile, ScoreInput, StoreError};

/// Creates a file with `count` competitors (bibs 1..=count) and one time workout.
fn file_with_competitors(path: &std::path::Path, count: usize) -> (CompetitionFile, i64) {
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
    (file, workout_id)
}

#[test]
fn a_clean_close_is_not_reported_as_unclean() {
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("clean.scoretable");
    let (file, _) = file_with_competitors(&path, 3);
    file.close().unwrap();
    let reopened = CompetitionFile::open(&path).unwrap();
    assert!(!reopened.open_report().unclean_shutdown_detected);
    assert!(!reopened.open_report().quick_check_ran);
    drop(reopened);
    // Dropping is a clean close too.
    let again = CompetitionFile::open(&path).unwrap();
    assert!(!again.open_report().unclean_shutdown_detected);
}

#[test]
fn acknowledged_scores_survive_a_handle_that_never_closed() {
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("forgotten.scoretable");
    let (mut file, workout_id) = file_with_competitors(&path, 20);
    for bib in 1..=20 {
        file.enter_score_by_bib(
            workout_id,
            &bib.to_string(),
            ScoreInput::text(format!("7:{bib:02}.5")),
            "table",
        )
        .unwrap();
    }
    // The handle is abandoned without close or Drop: its connection and its
    // lock stay open in this process, so it is a live holder, not a crash.
    std::mem::forget(file);
    let reopened = CompetitionFile::open(&path).unwrap();
    assert!(!reopened.open_report().unclean_shutdown_detected);
    assert!(!reopened.open_report().quick_check_ran);
    assert_eq!(reopened.results(workout_id).unwrap().len(), 20);
    let board = reopened.workout_leaderboard(workout_id, None).unwrap();
    assert_eq!(board[0].display, "7:01.5");
    reopened.close().unwrap();
    assert!(CompetitionFile::open(&path).is_ok());
}

/// Run as a child process by `a_killed_process_loses_no_acknowledged_score`.
#[test]
fn crash_child_writes_scores_then_aborts() {
    let Ok(path) = std::env::var("SCORETABLE_CRASH_CHILD_FILE") else {
        return;
    };
    let workout_id: i64 = std::env::var("SCORETABLE_CRASH_CHILD_WORKOUT")
        .unwrap()
        .parse()
        .unwrap();
    let mut file = CompetitionFile::open(&path).unwrap();
    for bib in 1..=50 {
        file.enter_score_by_bib(
            workout_id,
            &bib.to_string(),
            ScoreInput::text(format!("{}:00", 10 + bib)),
            "table",
        )
        .unwrap();
        // The write has returned: it is acknowledged.
        println!("ACK {bib}");
    }
    std::process::abort();
}

#[test]
fn a_killed_process_loses_no_acknowledged_score() {
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("killed.scoretable");
    let (file, workout_id) = file_with_competitors(&path, 50);
    file.close().unwrap();
    let child = crash::this_test(module_path!(), "crash_child_writes_scores_then_aborts")
        .env("SCORETABLE_CRASH_CHILD_FILE", &path)
        .env("SCORETABLE_CRASH_CHILD_WORKOUT", workout_id.to_string())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(!output.status.success(), "the child must die by abort");
    let acknowledged: Vec<String> = BufReader::new(&output.stdout[..])
        .lines()
        .map_while(Result::ok)
        // The harness may print its "test ... " prefix on the first line.
        .filter_map(|line| {
            line.find("ACK ")
                .map(|start| line[start + 4..].trim().to_string())
        })
        .collect();
    assert_eq!(
        acknowledged.len(),
        50,
        "the child acknowledged every score before aborting"
    );
    let reopened = CompetitionFile::open(&path).unwrap();
    assert!(reopened.open_report().unclean_shutdown_detected);
    assert!(reopened.open_report().quick_check_ran);
    for bib in acknowledged {
        let competitor = reopened.competitor_by_bib(&bib).unwrap().unwrap();
        let result = reopened
            .result(workout_id, Entrant::Competitor(competitor.id))
            .unwrap();
        assert!(result.is_some(), "acknowledged score of bib {bib} was lost");
    }
    // The dead process held no lock, so its leftover session was cleared at
    // once: the next open after a clean close is clean.
    reopened.close().unwrap();
    let after = CompetitionFile::open(&path).unwrap();
    assert!(!after.open_report().unclean_shutdown_detected);
}

#[test]
fn leftover_sessions_are_cleared_when_no_other_process_holds_the_file() {
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("leftover.scoretable");
    let (file, _) = file_with_competitors(&path, 2);
    file.close().unwrap();
    {
        let raw = rusqlite::Connection::open(&path).unwrap();
        raw.execute(
            "INSERT INTO open_sessions VALUES ('crashed', '2026-06-01T10:00:00.000Z', 1)",
            [],
        )
        .unwrap();
    }
    let first = CompetitionFile::open(&path).unwrap();
    assert!(first.open_report().unclean_shutdown_detected);
    first.close().unwrap();
    let second = CompetitionFile::open(&path).unwrap();
    assert!(!second.open_report().unclean_shutdown_detected);
}

#[test]
fn a_damaged_file_fails_its_integrity_check_with_a_clear_error() {
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("damaged.scoretable");
    let (file, _) = file_with_competitors(&path, 2_000);
    file.close().unwrap();
    {
        let raw = rusqlite::Connection::open(&path).unwrap();
        raw.execute(
            "INSERT INTO open_sessions VALUES ('crashed', '2026-06-01T10:00:00.000Z', 1)",
            [],
        )
        .unwrap();
    }
    let mut bytes = std::fs::read(&path).unwrap();
    assert!(bytes.len() > 16 * 4096);
    // Scribble over the middle of a late page (competitor rows or indexes).
    let page = bytes.len() / 4096 - 3;
    for byte in &mut bytes[page * 4096..page * 4096 + 4096] {
        *byte = 0x5A;
    }
    std::fs::write(&path, &bytes).unwrap();
    let error = CompetitionFile::open(&path).unwrap_err();
    assert!(
        matches!(error, StoreError::IntegrityCheckFailed { .. }),
        "{error:?}"
    );
    let message = error.to_string();
    assert!(
        message.contains("damaged.scoretable") && message.contains("backup"),
        "{message}"
    );
}

#[test]
fn files_that_are_not_competitions_are_refused() {
    let directory = tempfile::tempdir().unwrap();
    let text = directory.path().join("notes.scoretable");
    std::fs::write(
        &text,
        "these are not the scores you are looking for, not at all, no",
    )
    .unwrap();
    let error = CompetitionFile::open(&text).unwrap_err();
    assert!(
        matches!(error, StoreError::NotACompetitionFile { .. }),
        "{error:?}"
    );
    let other = directory.path().join("other.sqlite");
    rusqlite::Connection::open(&other)
        .unwrap()
        .execute("CREATE TABLE t (x)", [])
        .unwrap();
    let error = CompetitionFile::open(&other).unwrap_err();
    assert!(
        matches!(error, StoreError::NotACompetitionFile { .. }),
        "{error:?}"
    );
    let missing = CompetitionFile::open(directory.path().join("missing.scoretable")).unwrap_err();
    assert!(matches!(missing, StoreError::FileNotFound { .. }));
    let existing = CompetitionFile::create(&other, &competition()).unwrap_err();
    assert!(matches!(existing, StoreError::AlreadyExists { .. }));
}

#[test]
fn backup_now_writes_openable_copies_and_thins_them_to_keep() {
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("backed.scoretable");
    let (mut file, workout_id) = file_with_competitors(&path, 5);
    file.set_backup_policy(BackupPolicy {
        automatic: false,
        keep: 3,
        ..BackupPolicy::beside(&path)
    });
    let backups = directory.path().join("backups");
    let mut written = Vec::new();
    for bib in 1..=5 {
        file.enter_score_by_bib(
            workout_id,
            &bib.to_string(),
            ScoreInput::text("8:00"),
            "table",
        )
        .unwrap();
        written.push(file.backup_now(&backups).unwrap());
    }
    let kept = file.list_backups(&backups).unwrap();
    // The first and the newest stay, one between them.
    assert_eq!(kept.len(), 3, "{kept:?}");
    assert_eq!(kept[0], written[0]);
    assert_eq!(kept[2], written[4]);
    assert!(written[1..4].contains(&kept[1]), "{kept:?}");
    let name = kept[2].file_name().unwrap().to_string_lossy().into_owned();
    assert!(
        name.starts_with("harbour-throwdown-") && name.ends_with(".scoretable"),
        "{name}"
    );
    let newest = CompetitionFile::open(&kept[2]).unwrap();
    assert!(
        !newest.open_report().unclean_shutdown_detected,
        "a backup holds no open session"
    );
    assert_eq!(newest.results(workout_id).unwrap().len(), 5);
}

#[test]
fn automatic_backups_follow_the_write_count() {
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("auto.scoretable");
    let (mut file, workout_id) = file_with_competitors(&path, 7);
    let backups = directory.path().join("auto-backups");
    file.set_backup_policy(every_writes(&backups, 3));
    for bib in 1..=7 {
        file.enter_score_by_bib(
            workout_id,
            &bib.to_string(),
            ScoreInput::text("8:00"),
            "table",
        )
        .unwrap();
        // Backups run off the write path; wait so the count is exact.
        file.finish_backups();
    }
    // Two writes (the import and the workout) happened before the policy
    // changed; with seven entries that is nine writes: three backups.
    assert_eq!(file.list_backups(&backups).unwrap().len(), 3);
    assert!(file.last_backup_error().is_none());
    assert!(file.last_automatic_backup().is_some());
    let default_policy = BackupPolicy::beside(&path);
    assert_eq!(
        default_policy.directory,
        directory.path().join("auto-backups")
    );
    assert_eq!(default_policy.keep, 10);
}

#[test]
fn a_writer_blocked_by_another_program_gets_a_clear_busy_error() {
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("busy.scoretable");
    let (mut file, workout_id) = file_with_competitors(&path, 2);
    let other = rusqlite::Connection::open(&path).unwrap();
    other.execute_batch("BEGIN IMMEDIATE").unwrap();
    let error = file
        .enter_score_by_bib(workout_id, "1", ScoreInput::text("7:00"), "table")
        .unwrap_err();
    assert!(matches!(error, StoreError::Busy), "{error:?}");
    other.execute_batch("ROLLBACK").unwrap();
    file.enter_score_by_bib(workout_id, "1", ScoreInput::text("7:00"), "table")
        .unwrap();
}

#[test]
fn the_backup_policy_lives_in_the_file_so_one_shot_writers_make_backups() {
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("shots.scoretable");
    let (mut file, workout_id) = file_with_competitors(&path, 260);
    file.store_backup_policy(&BackupPolicy {
        every_writes: 50,
        every_minutes: 0,
        keep: 100,
        ..BackupPolicy::beside(&path)
    })
    .unwrap();
    file.close().unwrap();
    let backups = directory.path().join("shots-backups");
    // 250 programs that each open the file, write once and exit (the CLI).
    for bib in 1..=250 {
        let mut shot = CompetitionFile::open(&path).unwrap();
        assert_eq!(shot.backup_policy().every_writes, 50, "the stored policy");
        shot.enter_score_by_bib(
            workout_id,
            &bib.to_string(),
            ScoreInput::text("8:00"),
            "table",
        )
        .unwrap();
        shot.close().unwrap();
    }
    let reader = CompetitionFile::open_read_only(&path).unwrap();
    let count = reader.list_backups(&backups).unwrap().len();
    // Three writes were counted before the first shot (import, workout,
    // policy): 253 writes, a backup at every 50th.
    assert_eq!(count, 5, "backups after 250 one-shot writes");
    let newest = reader.list_backups(&backups).unwrap().pop().unwrap();
    let copy = CompetitionFile::open_read_only(&newest).unwrap();
    assert!(copy.competitors().unwrap().len() == 260);
}

#[test]
fn two_handles_never_take_the_same_automatic_backup() {
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("pair.scoretable");
    let (mut first, workout_id) = file_with_competitors(&path, 200);
    first
        .store_backup_policy(&BackupPolicy {
            every_writes: 20,
            every_minutes: 0,
            keep: 100,
            ..BackupPolicy::beside(&path)
        })
        .unwrap();
    let mut second = CompetitionFile::open(&path).unwrap();
    for bib in 1..=200 {
        let handle = if bib % 2 == 0 {
            &mut first
        } else {
            &mut second
        };
        handle
            .enter_score_by_bib(
                workout_id,
                &bib.to_string(),
                ScoreInput::text("8:00"),
                "table",
            )
            .unwrap();
        // Two tables typing, not a tight loop: a backup in flight covers
        // every write made meanwhile, so 200 writes in 0.2 s (a fast disk)
        // would leave room for one or two backups only.
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    first.finish_backups();
    second.finish_backups();
    let count = first
        .list_backups(&directory.path().join("pair-backups"))
        .unwrap()
        .len();
    // 203 counted writes: never more than 10 backups (each covers at least
    // 20 writes: two handles never take the same one); fewer when writes
    // landed while one was being taken (they count towards the next).
    assert!(
        (3..=10).contains(&count),
        "{count} backups; errors {:?} {:?}",
        first.last_backup_error(),
        second.last_backup_error()
    );
    assert!(first.last_backup_error().is_none() && second.last_backup_error().is_none());
}

/// Automatic backups into `directory` after every `writes` writes (never by
/// age), ten kept.
fn every_writes(directory: &std::path::Path, writes: u32) -> BackupPolicy {
    BackupPolicy {
        automatic: true,
        directory: directory.to_path_buf(),
        keep: 10,
        every_writes: writes,
        every_minutes: 0,
    }
}

/// The claim of an automatic backup as stored in the file (read without a
/// write of any kind: a plain read-only connection).
fn backup_claimed(path: &std::path::Path) -> bool {
    let reader =
        rusqlite::Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .unwrap();
    let claimed: Option<String> = reader
        .query_row(
            "SELECT json_extract(value, '$.claimed_at') FROM settings WHERE key = 'backup_progress'",
            [],
            |row| row.get(0),
        )
        .unwrap();
    claimed.is_some()
}

/// While a handle keeps writing, its automatic backups commit nothing to
/// the file on connections of their own: the claim is released inside the
/// handle's next write. Before, the backup thread committed the release
/// itself as soon as the copy was made, taking the write lock beside the
/// app's writes (an amendment then slept in SQLite's busy handler behind
/// it) and moving the app's change stamp.
#[test]
fn a_writing_handle_releases_its_backup_claims_in_its_own_writes() {
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("busy-app.scoretable");
    let (mut file, workout_id) = file_with_competitors(&path, 600);
    let backups = directory.path().join("busy-app-backups");
    file.set_backup_policy(every_writes(&backups, 5));
    let before = file.change_stamp().unwrap();
    let mut writes = 0;
    let mut released = false;
    // A scorekeeper's table: a write every 20 ms, well inside the grace a
    // finished backup gives the next write. The backup thread runs at a low
    // priority, so on a loaded machine the first release may take a while:
    // keep writing until it came (up to 600 writes, about 12 s).
    for bib in 1..=600 {
        file.enter_score_by_bib(
            workout_id,
            &bib.to_string(),
            ScoreInput::text("8:00"),
            "table",
        )
        .unwrap();
        writes += 1;
        std::thread::sleep(std::time::Duration::from_millis(20));
        if bib > 10
            && !file.list_backups(&backups).unwrap_or_default().is_empty()
            && !backup_claimed(&path)
        {
            released = true;
            break;
        }
    }
    let taken = file.list_backups(&backups).unwrap().len();
    assert!(
        released,
        "no backup was taken and released in {writes} writes ({taken} taken)"
    );
    let after = file.change_stamp().unwrap();
    assert!(
        after.only_local_writes_since(&before),
        "another connection committed to the file ({taken} backups, {writes} writes)"
    );
    assert!(after.only_writes_since(&before, writes));
    file.close().unwrap();
}

/// A handle that stopped writing still has its backup's claim released (by
/// the backup thread, a moment later), so another program can take the next
/// backup on time; closing releases at once.
#[test]
fn a_quiet_handle_still_releases_its_backup_claim() {
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("quiet-app.scoretable");
    let (mut file, workout_id) = file_with_competitors(&path, 3);
    let backups = directory.path().join("quiet-app-backups");
    file.set_backup_policy(every_writes(&backups, 1));
    file.enter_score_by_bib(workout_id, "1", ScoreInput::text("8:00"), "table")
        .unwrap();
    assert!(backup_claimed(&path), "the write claimed a backup");
    let started = std::time::Instant::now();
    while backup_claimed(&path) {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(20),
            "the claim of a quiet handle was never released"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert_eq!(file.list_backups(&backups).unwrap().len(), 1);
    // Another program's write now takes the next backup.
    let mut other = CompetitionFile::open(&path).unwrap();
    other.set_backup_policy(BackupPolicy {
        every_writes: 1,
        ..file.backup_policy().clone()
    });
    other
        .enter_score_by_bib(workout_id, "2", ScoreInput::text("8:01"), "table")
        .unwrap();
    other.close().unwrap();
    assert_eq!(file.list_backups(&backups).unwrap().len(), 2);
    // A claim left at close is released by the close.
    file.enter_score_by_bib(workout_id, "3", ScoreInput::text("8:02"), "table")
        .unwrap();
    file.close().unwrap();
    assert!(!backup_claimed(&path));
    assert_eq!(
        CompetitionFile::open_read_only(&path)
            .unwrap()
            .list_backups(&backups)
            .unwrap()
            .len(),
        3
    );
}

/// Old backups are renamed out of the backups' names before they are
/// deleted in steps, so a deletion a crash interrupted leaves no damaged
/// file listed as a backup; the next backup removes what it left.
#[test]
fn an_interrupted_deletion_of_an_old_backup_is_never_listed_and_is_cleared() {
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("pruned.scoretable");
    let (mut file, _) = file_with_competitors(&path, 5);
    file.set_backup_policy(BackupPolicy {
        automatic: false,
        keep: 2,
        ..BackupPolicy::beside(&path)
    });
    let backups = BackupPolicy::beside(&path).directory;
    let first = file.backup_now(&backups).unwrap();
    // What a crash half way through deleting an old backup leaves.
    let mut leftover = first.as_os_str().to_owned();
    leftover.push(".deleting");
    let leftover = std::path::PathBuf::from(leftover);
    std::fs::write(&leftover, b"the first half of an old backup").unwrap();
    assert_eq!(file.list_backups(&backups).unwrap(), vec![first.clone()]);
    let advice = scoretable_store::backups_beside(&path);
    assert!(
        advice
            .iter()
            .all(|backup| !backup.path.to_string_lossy().ends_with(".deleting")),
        "{advice:?}"
    );
    let second = file.backup_now(&backups).unwrap();
    let third = file.backup_now(&backups).unwrap();
    assert_eq!(file.list_backups(&backups).unwrap(), vec![second, third]);
    assert!(!leftover.exists(), "the leftover was cleared");
    assert!(!first.exists(), "the oldest backup was deleted");
    let names: Vec<String> = std::fs::read_dir(&backups)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 2, "nothing else is left: {names:?}");
}
