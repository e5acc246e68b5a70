//! Golden output of `export all` and `export seal`: every file's SHA-256 on
//! two generated events written into real competition files (a race with
//! timing splits, age groups, statuses and ties at whole seconds; a team
//! competition with every score type, teams, statuses and ties), with
//! amendments in the log (one ties a leader, one sets a status).
//!
//! The snapshot's times are pinned ([`SnapshotClock::Pinned`]): the
//! generation time and the amendments' times, which the store stamps from
//! the wall clock. In the sealed archive the competition file's backup (a
//! SQLite file full of wall-clock stamps, named with the time it was taken)
//! is left out, its name is replaced in `EXPORTS.json`, and the two files'
//! lines in `MANIFEST.sha256` are left out; `verify_archive` checks both instead. Everything
//! else must be byte-identical to the hashes in `tests/it/golden/`, which
//! were taken from the exports as they were before they streamed (run with
//! `SCORETABLE_BLESS_GOLDEN=1` to rewrite them after a deliberate format
//! change).

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

use chrono::{TimeZone, Utc};
use scoretable_core::generate::{large_individual_event, team_event, GeneratedEvent};
use scoretable_core::model::Entrant;
use scoretable_core::score::format_score;
use scoretable_export::{
    run_export_with_clock, verify_archive, AwardRules, ExportRequest, RunSignupStatusPolicy,
    SnapshotClock,
};
use scoretable_store::CompetitionFile;
use scoretable_usecase::generate::{write_event, ResultEntryMode};
use sha2::{Digest, Sha256};

fn clock() -> SnapshotClock {
    SnapshotClock::Pinned {
        generated_at: Utc.with_ymd_and_hms(2026, 6, 14, 18, 0, 0).unwrap(),
        amended_at: "2026-06-14T17:45:00.000Z".to_string(),
    }
}

fn sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// Writes `event` into a new file and amends two results of its first
/// workout: the tenth row ties the leader, the twentieth is disqualified.
fn build(directory: &Path, event: &GeneratedEvent) -> CompetitionFile {
    let path = directory.join("golden.scoretable");
    let (mut file, _) = write_event(&path, event, ResultEntryMode::ImportAll).unwrap();
    let workout = file
        .workouts()
        .unwrap()
        .into_iter()
        .min_by_key(|w| (w.sequence, w.id))
        .unwrap();
    let rows = file.workout_leaderboard(workout.id, None).unwrap();
    let leader = rows[0].score.expect("the leader has a score");
    let tie_with: Entrant = rows[9].entrant;
    file.amend_score(
        workout.id,
        tie_with,
        &format_score(&workout, &leader),
        "Chief Referee",
        "Timing video",
        Some("A-7"),
    )
    .unwrap();
    file.amend_score(
        workout.id,
        rows[19].entrant,
        "DSQ",
        "Chief Referee",
        "Course cut",
        None,
    )
    .unwrap();
    file
}

fn hash_tree(root: &Path, directory: &Path, hashes: &mut BTreeMap<String, String>) {
    for entry in std::fs::read_dir(directory).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            hash_tree(root, &path, hashes);
        } else {
            let relative = path
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            hashes.insert(
                format!("all/{relative}"),
                sha256(&std::fs::read(&path).unwrap()),
            );
        }
    }
}

/// Every entry of the sealed archive: its name, compression method and
/// content hash; the competition file backup by name only, and the manifest
/// without the backup's line.
fn hash_archive(path: &Path, hashes: &mut BTreeMap<String, String>) {
    let verification = verify_archive(path).unwrap();
    assert!(verification.is_intact(), "{:?}", verification.problems);
    let mut archive = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    // The backup's name carries the time the store took it.
    let backup_name = (0..archive.len())
        .map(|index| archive.by_index(index).unwrap().name().unwrap().to_string())
        .find(|name| name.starts_with("competition/"))
        .expect("the archive holds the competition file");
    for index in 0..archive.len() {
        let mut entry = archive.by_index(index).unwrap();
        let name = entry.name().unwrap().to_string();
        let method = format!("{:?}", entry.compression());
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes).unwrap();
        let (name, hash) = if name == backup_name {
            (
                "competition/<backup>".to_string(),
                "(the competition file's backup: not compared)".to_string(),
            )
        } else if name == "MANIFEST.sha256" || name == "EXPORTS.json" {
            let text = String::from_utf8(bytes).unwrap();
            let kept: String = text
                .lines()
                .filter(|line| {
                    name != "MANIFEST.sha256"
                        || !(line.ends_with(&backup_name) || line.ends_with("  EXPORTS.json"))
                })
                .map(|line| format!("{}\n", line.replace(&backup_name, "competition/<backup>")))
                .collect();
            (name, sha256(kept.as_bytes()))
        } else {
            (name, sha256(&bytes))
        };
        hashes.insert(format!("seal/{index:03} {name} {method}"), hash);
    }
}

fn golden(name: &str, event: &GeneratedEvent) {
    let directory = tempfile::tempdir().unwrap();
    let mut file = build(directory.path(), event);
    let rules = Some(AwardRules::default());
    let all = directory.path().join("all");
    let seal = directory.path().join("seal.zip");
    for request in [
        ExportRequest::All {
            directory: all.clone(),
            status_policy: RunSignupStatusPolicy::MapToNearest,
            award_rules: rules.clone(),
        },
        ExportRequest::Seal {
            output: seal.clone(),
            status_policy: RunSignupStatusPolicy::MapToNearest,
            award_rules: rules.clone(),
        },
    ] {
        run_export_with_clock(&mut file, &request, &mut |_| {}, &clock()).unwrap();
    }
    let mut hashes = BTreeMap::new();
    hash_tree(&all, &all, &mut hashes);
    hash_archive(&seal, &mut hashes);
    let got: String = hashes
        .iter()
        .map(|(path, hash)| format!("{hash}  {path}\n"))
        .collect();
    let golden_path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/it/golden")
        .join(format!("{name}.sha256"));
    if std::env::var_os("SCORETABLE_BLESS_GOLDEN").is_some() {
        std::fs::write(&golden_path, &got).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&golden_path).unwrap();
    let differing: Vec<&str> = got
        .lines()
        .filter(|line| !expected.lines().any(|other| other == *line))
        .chain(
            expected
                .lines()
                .filter(|line| !got.lines().any(|other| other == *line)),
        )
        .collect();
    assert!(
        differing.is_empty(),
        "{name}: {} lines differ from {}:\n{}",
        differing.len(),
        golden_path.display(),
        differing.join("\n")
    );
}

#[test]
fn a_race_with_splits_exports_the_golden_bytes() {
    // 400 athletes in 4 age groups, 3 timing points; ranked at whole
    // seconds, so there are ties; DNF, DNS, DSQ and LAP statuses.
    golden("race", &large_individual_event(400, 4, 3, 13));
}

#[test]
fn a_team_competition_exports_the_golden_bytes() {
    // 90 athletes in teams of 3 and 8 workouts of every score type: the
    // overall and team overall tables, relays, capped athletes, statuses.
    golden("teams", &team_event(90, 8, 3, 13));
}
