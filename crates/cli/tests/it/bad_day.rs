//! The competition file on a bad day, through the real `scoretable` binary:
//! read-only files and folders, a full disk, damaged files and backups,
//! hostile names in text output.

use crate::support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use support::Session;

fn demo(session: &Session) {
    let output = Command::new(env!("CARGO_BIN_EXE_scoretable"))
        .arg("demo")
        .arg(&session.file)
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
}

fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .map(|status| {
            status
                .lines()
                .any(|line| line.starts_with("Uid:") && line.split_whitespace().nth(2) == Some("0"))
        })
        .unwrap_or(false)
}

/// Runs the binary so that file permissions apply (root would ignore them:
/// setpriv drops CAP_DAC_OVERRIDE from its bounding set).
fn run_unprivileged(file: &Path, arguments: &[&str]) -> Output {
    let mut command = if is_root() {
        let mut command = Command::new("setpriv");
        command
            .arg("--bounding-set=-dac_override,-dac_read_search,-fowner")
            .arg("--")
            .arg(env!("CARGO_BIN_EXE_scoretable"));
        command
    } else {
        Command::new(env!("CARGO_BIN_EXE_scoretable"))
    };
    command
        .env_remove("SCORETABLE_FILE")
        .arg("--file")
        .arg(file)
        .args(arguments)
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[cfg(unix)]
#[test]
fn read_commands_work_on_a_read_only_file_in_a_read_only_folder() {
    use std::os::unix::fs::PermissionsExt;
    let session = Session::new();
    demo(&session);
    let out = tempfile::tempdir().unwrap();
    let folder = session.directory.path().to_path_buf();
    let before = std::fs::read(&session.file).unwrap();
    std::fs::set_permissions(&session.file, std::fs::Permissions::from_mode(0o444)).unwrap();
    std::fs::set_permissions(&folder, std::fs::Permissions::from_mode(0o555)).unwrap();
    let json_out = out.path().join("results.json");
    let json_text = json_out.display().to_string();
    let outcomes: Vec<(Vec<&str>, Output)> = [
        vec!["info"],
        vec!["competitors", "list"],
        vec!["workout", "list"],
        vec!["leaderboard", "overall"],
        vec!["export", "json", "--output", json_text.as_str()],
    ]
    .into_iter()
    .map(|arguments| {
        let output = run_unprivileged(&session.file, &arguments);
        (arguments, output)
    })
    .collect();
    let write = run_unprivileged(
        &session.file,
        &["workout", "add", "Extra", "--type", "reps"],
    );
    std::fs::set_permissions(&folder, std::fs::Permissions::from_mode(0o755)).unwrap();
    for (arguments, output) in &outcomes {
        assert!(
            output.status.success(),
            "{arguments:?} failed on a read-only file: {}",
            text(&output.stderr)
        );
    }
    assert!(std::fs::metadata(&json_out).unwrap().len() > 100);
    assert!(!write.status.success());
    let message = text(&write.stderr);
    assert!(
        message.contains("competition.scoretable") && message.contains("read-only"),
        "{message}"
    );
    assert!(!message.contains("attempt to write"), "{message}");
    assert_eq!(std::fs::read(&session.file).unwrap(), before);
}

/// Runs `script` with `sh` in a new mount namespace (as mapped root), where
/// it can mount a small tmpfs to fill up.
fn in_mount_namespace(script: &str, env: &[(&str, &Path)]) -> Output {
    let mut command = Command::new("unshare");
    command.args(["-r", "-m", "sh", "-c", script]);
    for (key, value) in env {
        command.env(key, value);
    }
    command
        .env("BIN", env!("CARGO_BIN_EXE_scoretable"))
        .output()
        .expect("`unshare` (util-linux) must be installed to test a full disk")
}

#[cfg(target_os = "linux")]
#[test]
fn a_full_disk_still_shows_and_exports_and_a_write_names_the_problem() {
    let session = Session::new();
    demo(&session);
    let out = tempfile::tempdir().unwrap();
    let disk = tempfile::tempdir().unwrap();
    // The file goes onto a tmpfs just big enough for it, filled up with a
    // filler file; exports go to another drive (the temp folder).
    let script = r#"
        set -u
        size=$(( $(stat -c %s "$SRC") + 1048576 ))
        mount -t tmpfs -o size=$size none "$DISK" || exit 90
        cp "$SRC" "$DISK/full.scoretable" || exit 91
        dd if=/dev/zero of="$DISK/filler" bs=4096 2>/dev/null
        cp "$DISK/full.scoretable" "$OUT/before.scoretable"
        for args in "info" "competitors list" "leaderboard overall" "export json --output $OUT/results.json"; do
            "$BIN" --file "$DISK/full.scoretable" $args > "$OUT/out.txt" 2> "$OUT/err.txt" \
                || { echo "FAILED: $args: $(cat "$OUT/err.txt")"; exit 1; }
        done
        "$BIN" --file "$DISK/full.scoretable" workout add Extra --type reps 2> "$OUT/write-err.txt" \
            && { echo "the write succeeded on a full disk"; exit 2; }
        cmp "$DISK/full.scoretable" "$OUT/before.scoretable" || { echo "the file changed"; exit 3; }
        echo ALL-OK
    "#;
    let output = in_mount_namespace(
        script,
        &[
            ("SRC", session.file.as_path()),
            ("DISK", disk.path()),
            ("OUT", out.path()),
        ],
    );
    let stdout = text(&output.stdout);
    assert!(
        stdout.contains("ALL-OK"),
        "exit {:?}\nstdout: {stdout}\nstderr: {}",
        output.status.code(),
        text(&output.stderr)
    );
    let write_error = std::fs::read_to_string(out.path().join("write-err.txt")).unwrap();
    assert!(
        write_error.contains("full.scoretable") && write_error.contains("full"),
        "{write_error}"
    );
    assert!(
        std::fs::metadata(out.path().join("results.json"))
            .unwrap()
            .len()
            > 100
    );
}

#[test]
fn escape_codes_in_names_are_shown_escaped() {
    let session = Session::new();
    demo(&session);
    // A name stored before names were checked (an older file).
    let bib: String = {
        let raw = rusqlite::Connection::open(&session.file).unwrap();
        raw.execute(
            "UPDATE competitors SET first_name = 'Eve' || char(27) || ']0;pwned' || char(7) \
             WHERE id = (SELECT min(id) FROM competitors)",
            [],
        )
        .unwrap();
        raw.query_row(
            "SELECT bib FROM competitors WHERE id = (SELECT min(id) FROM competitors)",
            [],
            |row| row.get(0),
        )
        .unwrap()
    };
    for arguments in [
        vec!["competitors", "list"],
        vec!["competitor", "show", bib.as_str()],
        vec!["leaderboard", "overall"],
    ] {
        let stdout = session.ok(&arguments);
        assert!(
            !stdout.contains('\u{1b}') && !stdout.contains('\u{7}'),
            "{arguments:?} printed a raw escape code"
        );
        if arguments[0] != "leaderboard" {
            assert!(stdout.contains("Eve\\u{1b}]0;pwned\\u{7}"), "{stdout}");
        }
    }
}

#[test]
fn control_characters_in_an_import_are_refused_naming_row_and_field() {
    let session = Session::new();
    session.ok(&["create", "--name", "Harbour", "--start-date", "2026-06-01"]);
    let csv = session.write(
        "athletes.csv",
        "bib,first_name,last_name\n1,Ada,Lovelace\n2,Eve\u{1b}[31m,Red\n",
    );
    let (_, message) = session.fail(&["competitors", "import", csv.to_str().unwrap()]);
    assert!(
        message.contains("row 3") && message.contains("first_name"),
        "{message}"
    );
    assert!(
        !message.contains('\u{1b}'),
        "the error echoed the escape code"
    );
    let listed = session.ok(&["competitors", "list"]);
    assert!(!listed.contains("Ada"), "nothing is imported: {listed}");
}

fn backup_paths(session: &Session) -> Vec<PathBuf> {
    let listed = session.json(&["backup", "list"]);
    listed["backups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|backup| PathBuf::from(backup["path"].as_str().unwrap()))
        .collect()
}

/// The backups once `expected` are listed, or after 30 s whatever is
/// listed: a one-shot command hands its automatic backup to a process of
/// its own and exits before the copy is made.
fn wait_for_backups(session: &Session, expected: usize) -> Vec<PathBuf> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let backups = backup_paths(session);
        if backups.len() == expected || std::time::Instant::now() > deadline {
            return backups;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

#[test]
fn a_damaged_file_names_its_backups_and_backup_restore_brings_it_back() {
    let session = Session::new();
    demo(&session);
    let automatic = backup_paths(&session).len();
    session.ok(&["backup"]);
    std::thread::sleep(std::time::Duration::from_millis(5));
    session.ok(&["backup"]);
    let backups = backup_paths(&session);
    assert_eq!(backups.len(), automatic + 2);
    let listed = session.ok(&["backup", "list"]);
    assert!(
        listed.contains("UTC") && listed.contains("backup restore"),
        "{listed}"
    );
    let good = std::fs::read(&session.file).unwrap();
    std::fs::write(&session.file, &good[..good.len() / 3]).unwrap();
    let (code, message) = session.fail(&["info"]);
    assert_eq!(code, 1);
    assert!(message.contains("damaged"), "{message}");
    assert!(
        message.contains(&backups[0].display().to_string()),
        "the newest backup is named: {message}"
    );
    assert!(message.contains("backup restore"), "{message}");
    let restored = session.ok(&["backup", "restore", "--newest"]);
    assert!(restored.contains("replaced file is kept"), "{restored}");
    let info = session.ok(&["info"]);
    assert!(info.contains("Competitors:"), "{info}");
}

#[test]
fn one_shot_cli_writes_make_automatic_backups() {
    let session = Session::new();
    session.ok(&["create", "--name", "Harbour", "--start-date", "2026-06-01"]);
    for index in 1..=230 {
        session.ok(&["division", "add", &format!("Division {index}")]);
    }
    let backups = wait_for_backups(&session, 2);
    // The default policy: a backup every 100 writes, counted in the file.
    assert_eq!(backups.len(), 2, "{backups:?}");
}

/// A one-shot command whose write makes a backup due does not wait for
/// the copy: it hands it to a `backup take-claim` process (logged), which
/// takes the backup and releases the claim, so the next due write makes
/// the next backup.
#[test]
fn a_one_shot_write_hands_its_backup_to_a_process_of_its_own() {
    let session = Session::new();
    session.ok(&["create", "--name", "Harbour", "--start-date", "2026-06-01"]);
    session.ok(&[
        "settings",
        "backup",
        "--every-writes",
        "1",
        "--every-minutes",
        "0",
    ]);
    let before = wait_for_backups(&session, 1).len();
    let log = session.path("writes.log");
    let log_text = log.display().to_string();
    session.ok(&["--log-file", &log_text, "division", "add", "Elite"]);
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(
        text.contains("automatic backup handed to a process of its own"),
        "{text}"
    );
    assert!(
        !text.contains("automatic backup taken"),
        "the command took the backup itself: {text}"
    );
    assert_eq!(wait_for_backups(&session, before + 1).len(), before + 1);
    // The claim was released: the next write makes the next backup.
    session.ok(&["division", "add", "Masters"]);
    assert_eq!(wait_for_backups(&session, before + 2).len(), before + 2);
    let listed = session.ok(&["division", "list"]);
    assert!(
        listed.contains("Elite") && listed.contains("Masters"),
        "{listed}"
    );
}

#[test]
fn log_file_records_commands_opens_and_failures_as_json_lines() {
    let session = Session::new();
    demo(&session);
    let log = session.path("day.log");
    let log_text = log.display().to_string();
    session.ok(&["--log-file", &log_text, "info"]);
    session.fail(&[
        "--log-file",
        &log_text,
        "score",
        "enter",
        "Nope",
        "1",
        "1:00",
    ]);
    let lines: Vec<serde_json::Value> = std::fs::read_to_string(&log)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).expect("one JSON object a line"))
        .collect();
    let messages: Vec<String> = lines
        .iter()
        .map(|line| {
            line["fields"]["message"]
                .as_str()
                .unwrap_or_default()
                .to_string()
        })
        .collect();
    assert!(
        messages
            .iter()
            .any(|m| m == "competition file opened for reading only"),
        "{messages:?}"
    );
    assert!(
        messages.iter().any(|m| m == "command finished"),
        "{messages:?}"
    );
    let failed = lines
        .iter()
        .find(|line| line["fields"]["message"] == "command failed")
        .expect("the failure is logged");
    assert!(failed["fields"]["error"].as_str().unwrap().contains("Nope"));
    assert!(lines.iter().all(|line| line["timestamp"].is_string()));
    // The command's arguments (which may hold a secret) are not logged: no
    // JSON string is the typed value (a timestamp such as `11:00:05` holds
    // the bare characters `1:00`, so the test failed at certain minutes).
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(
        !text.contains("\"1:00\"") && !text.contains(" 1:00"),
        "{text}"
    );
}

/// `settings backup` changes the policy stored in the file, so the next
/// one-shot writes follow it: with a backup every 5 writes, 12 writes make 2.
#[test]
fn settings_backup_changes_the_stored_policy_every_writer_follows() {
    let session = Session::new();
    session.ok(&["create", "--name", "Harbour", "--start-date", "2026-06-01"]);
    let (_, refused) = session.fail_json(&["settings", "backup", "--keep", "0"]);
    assert!(
        refused["error"]["message"]
            .as_str()
            .unwrap()
            .contains("--keep"),
        "{refused}"
    );
    let stored = session.json(&[
        "settings",
        "backup",
        "--every-writes",
        "5",
        "--every-minutes",
        "0",
        "--keep",
        "3",
    ]);
    assert_eq!(stored["backup_policy"]["every_writes"], 5);
    assert_eq!(stored["backup_policy"]["keep"], 3);
    let before = backup_paths(&session).len();
    // Each due backup is taken by a process of its own: waited for before
    // the writes go on, so the count of writes decides alone.
    for index in 1..=12 {
        session.ok(&["division", "add", &format!("Division {index}")]);
        if index % 5 == 0 {
            wait_for_backups(&session, before + index / 5);
        }
    }
    assert_eq!(wait_for_backups(&session, before + 2).len(), before + 2);
    // More writes, more backups, and only 3 are kept.
    for index in 13..=22 {
        session.ok(&["division", "add", &format!("Division {index}")]);
        if index % 5 == 0 {
            wait_for_backups(&session, 3);
        }
    }
    assert_eq!(wait_for_backups(&session, 3).len(), 3);
    let shown = session.json(&["settings", "show"]);
    assert_eq!(shown["backup_policy"]["every_writes"], 5);
    assert_eq!(shown["backup_policy"]["every_minutes"], 0);
    session.ok(&["settings", "backup", "--automatic", "off"]);
    let count = backup_paths(&session).len();
    for index in 23..=40 {
        session.ok(&["division", "add", &format!("Division {index}")]);
    }
    assert_eq!(backup_paths(&session).len(), count);
    assert!(session
        .ok(&["settings", "show"])
        .contains("Backups:        off"));
}

fn overall_rows(session: &Session) -> serde_json::Value {
    session.json(&["leaderboard", "overall"])
}

/// The demo's team relay in the individual overall: left out by default
/// (before the rule, every athlete got the same 19 points for it, with an
/// empty cell), or each member credited with the team's place after
/// `settings team-workouts team-place`; the column heading says which.
#[test]
fn settings_team_workouts_decides_how_the_relay_counts_for_athletes() {
    let session = Session::new();
    demo(&session);
    let shown = session.json(&["settings", "show"]);
    assert_eq!(shown["overall"]["team_workouts"], "excluded");
    let relay_board = session.json(&["leaderboard", "Event 4: Team Synchro Relay"]);
    let team_places: std::collections::HashMap<String, u64> = relay_board["rows"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|row| Some((row["bib"].as_str()?.to_string(), row["rank"].as_u64()?)))
        .collect();
    assert!(!team_places.is_empty());

    let overall = overall_rows(&session);
    assert_eq!(overall["team_workouts"], "excluded");
    let relay_column = overall["workouts"]
        .as_array()
        .unwrap()
        .iter()
        .position(|workout| workout["name"] == "Event 4: Team Synchro Relay")
        .unwrap();
    assert_eq!(
        overall["workouts"][relay_column]["heading"],
        "Event 4: Team Synchro Relay (team, not counted)"
    );
    let athletes: Vec<&serde_json::Value> = overall["rows"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|row| row["entrant"]["kind"] == "competitor")
        .collect();
    assert_eq!(athletes.len(), 60);
    // The individual overall lists the athletes only: the 20 relay teams
    // are not ranked among them.
    assert_eq!(overall["rows"].as_array().unwrap().len(), 60);
    for row in &athletes {
        let cell = &row["cells"][relay_column];
        assert_eq!(cell["points"], 0, "{row}");
        assert_eq!(cell["display"], "not counted", "{row}");
        let sum: i64 = row["cells"]
            .as_array()
            .unwrap()
            .iter()
            .map(|cell| cell["points"].as_i64().unwrap())
            .sum();
        assert_eq!(row["total"].as_i64().unwrap(), sum);
    }
    let text = session.ok(&["leaderboard", "overall"]);
    assert!(text.contains("(team, not counted)"), "{text}");

    session.ok(&["settings", "team-workouts", "team-place"]);
    let overall = overall_rows(&session);
    assert_eq!(overall["team_workouts"], "team_place");
    assert_eq!(
        overall["workouts"][relay_column]["heading"],
        "Event 4: Team Synchro Relay (team place)"
    );
    // Every athlete on a placed team carries that team's place.
    let teams = session.json(&["team", "list"]);
    let mut checked = 0;
    for team in teams["teams"].as_array().unwrap() {
        let Some(place) = team["bib"].as_str().and_then(|bib| team_places.get(bib)) else {
            continue;
        };
        for label in team["member_labels"].as_array().unwrap() {
            // "#12 Name": the member's bib.
            let bib = label.as_str().unwrap()[1..].split(' ').next().unwrap();
            let row = overall["rows"]
                .as_array()
                .unwrap()
                .iter()
                .find(|row| row["bib"] == bib)
                .unwrap_or_else(|| panic!("bib {bib} on the overall"));
            assert_eq!(
                row["cells"][relay_column]["rank"].as_u64(),
                Some(*place),
                "{row}"
            );
            assert_eq!(row["cells"][relay_column]["points"].as_u64(), Some(*place));
            checked += 1;
        }
    }
    assert!(checked >= 30, "{checked} members checked");
    // Exports follow the file's rule too.
    let directory = session.path("day-end");
    session.ok(&["export", "all", "--dir", directory.to_str().unwrap()]);
    let csv = std::fs::read_to_string(directory.join("csv/overall/all.csv")).unwrap();
    assert!(
        csv.lines()
            .next()
            .unwrap()
            .contains("Event 4: Team Synchro Relay (team place): rank"),
        "{}",
        csv.lines().next().unwrap()
    );
    // An unknown rule is refused and nothing changes.
    let (_, error) = session.fail_json(&["settings", "team-workouts", "sideways"]);
    assert!(error.to_string().contains("sideways"), "{error}");
    assert_eq!(
        session.json(&["settings", "show"])["overall"]["team_workouts"],
        "team_place"
    );
}
