//! File names derived from names (shortened uniquely, never a reserved
//! Windows device name), `export all` all or nothing, and the sealed
//! archive's work files (beside the output, owner-only, cleaned next run).

use crate::common;

use common::*;
use scoretable_core::model::{Division, DivisionKind, ScoreType};
use scoretable_export::data::{is_reserved_file_name, slug, MAX_SLUG_CHARS};
use scoretable_export::{run_export, AwardRules, ExportRequest, RunSignupStatusPolicy};
use scoretable_store::{CompetitionFile, ScoreInput};

fn division(name: &str) -> Division {
    Division {
        id: 0,
        name: name.into(),
        kind: DivisionKind::Custom,
        gender: None,
        min_age: None,
        max_age: None,
    }
}

fn hostile_file(directory: &std::path::Path) -> CompetitionFile {
    let path = directory.join("names.scoretable");
    let mut file = CompetitionFile::create(&path, &sample_competition()).unwrap();
    for name in ["CON", "nul", "Com1", "Lpt9", "Aux", "PRN"] {
        file.add_division(&division(name)).unwrap();
    }
    let long_a = format!("{} A", "Very Long Workout Name ".repeat(8));
    let long_b = format!("{} B", "Very Long Workout Name ".repeat(8));
    for (index, name) in [long_a.trim(), long_b.trim(), "CON"].iter().enumerate() {
        let mut entry = workout(0, name, index as u32 + 1, ScoreType::Time);
        entry.state = scoretable_core::model::PublicationState::Provisional;
        file.add_workout(&entry).unwrap();
    }
    let mut entry = competitor(
        1,
        "101",
        "Ada",
        "Lovelace",
        scoretable_core::model::Gender::Female,
    );
    entry.division_ids = file.divisions().unwrap().iter().map(|d| d.id).collect();
    file.add_competitor(&entry).unwrap();
    let first = file.workouts().unwrap()[0].id;
    file.enter_score_by_bib(first, "101", ScoreInput::text("17:30.0"), "table")
        .unwrap();
    file
}

fn all_names(root: &std::path::Path) -> Vec<String> {
    let mut names = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(folder) = stack.pop() {
        for entry in std::fs::read_dir(&folder).unwrap().flatten() {
            names.push(entry.file_name().to_string_lossy().into_owned());
            if entry.file_type().unwrap().is_dir() {
                stack.push(entry.path());
            }
        }
    }
    names
}

#[test]
fn slugs_are_short_unique_and_never_reserved_device_names() {
    for reserved in ["CON", "con", "Nul", "aux", "PRN", "COM1", "lpt9", "com0"] {
        let made = slug(reserved);
        assert!(!is_reserved_file_name(&made), "{reserved} -> {made}");
        assert!(!is_reserved_file_name(&format!("{made}.csv")));
    }
    assert!(is_reserved_file_name("con.csv") && is_reserved_file_name("LPT3.pdf"));
    assert!(!is_reserved_file_name("console.csv") && !is_reserved_file_name("com10"));
    let a = slug(&format!("{}a", "x".repeat(300)));
    let b = slug(&format!("{}b", "x".repeat(300)));
    assert!(a.len() <= MAX_SLUG_CHARS && b.len() <= MAX_SLUG_CHARS);
    assert_ne!(a, b, "two long names keep different files");
    assert_eq!(slug("Harbour 5K"), "harbour-5k");
}

#[test]
fn export_all_with_long_and_reserved_names_writes_safe_file_names() {
    let directory = tempfile::tempdir().unwrap();
    let mut file = hostile_file(directory.path());
    let all = directory.path().join("all");
    let summary = run_export(
        &mut file,
        &ExportRequest::All {
            directory: all.clone(),
            status_policy: RunSignupStatusPolicy::Reject,
            award_rules: Some(AwardRules::default()),
        },
    )
    .unwrap();
    let names = all_names(&all);
    assert!(names.len() > 10, "{names:?}");
    for name in &names {
        assert!(!is_reserved_file_name(name), "reserved name {name}");
        assert!(name.len() <= 100, "long name {name}");
    }
    assert!(summary
        .files
        .iter()
        .all(
            |written| std::path::Path::new(&written.path).starts_with(&all)
                && std::path::Path::new(&written.path).exists()
        ));
    // The two long workout names share their first 180 characters, yet
    // each has its own folder.
    let csv_folders = std::fs::read_dir(all.join("csv")).unwrap().count();
    assert_eq!(csv_folders, 4, "three workouts and overall");
    // No staging folder is left beside the export.
    let leftovers: Vec<String> = all_names(directory.path())
        .into_iter()
        .filter(|name| name.contains(".work-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[cfg(unix)]
#[test]
fn a_failed_export_all_leaves_the_folder_as_it_was() {
    use std::os::unix::fs::PermissionsExt;
    let directory = tempfile::tempdir().unwrap();
    let mut file = hostile_file(directory.path());
    let all = directory.path().join("all");
    std::fs::create_dir(&all).unwrap();
    std::fs::write(all.join("notes.txt"), "mine").unwrap();
    // A folder named like one of the export's files makes the move fail
    // (a file cannot replace a folder) after every file was written.
    std::fs::create_dir(all.join("results.json")).unwrap();
    std::fs::write(all.join("results.json").join("keep"), "x").unwrap();
    let error = run_export(
        &mut file,
        &ExportRequest::All {
            directory: all.clone(),
            status_policy: RunSignupStatusPolicy::Reject,
            award_rules: None,
        },
    );
    assert!(error.is_err());
    let mut names = all_names(&all);
    names.sort();
    assert_eq!(names, vec!["keep", "notes.txt", "results.json"]);
    assert!(!all_names(directory.path())
        .iter()
        .any(|name| name.contains(".work-")));
    let _ = std::fs::Permissions::from_mode(0o755);
}

#[cfg(unix)]
#[test]
fn seal_work_files_live_beside_the_output_owner_only_and_stale_ones_are_removed() {
    use std::os::unix::fs::PermissionsExt;
    let directory = tempfile::tempdir().unwrap();
    let mut file = hostile_file(directory.path());
    let out = directory.path().join("out");
    std::fs::create_dir(&out).unwrap();
    let output = out.join("day.zip");
    // What a killed seal left: a work folder of a dead process holding a
    // full copy, and a world-readable partial archive.
    let stale = out.join(".day.zip.work-999999999-1");
    std::fs::create_dir(&stale).unwrap();
    std::fs::write(stale.join("copy.scoretable"), "dates of birth").unwrap();
    let partial = out.join("day.zip.partial");
    std::fs::write(&partial, "half").unwrap();
    std::fs::set_permissions(&partial, std::fs::Permissions::from_mode(0o644)).unwrap();
    // Watch the work folder while the seal runs: it must be beside the
    // output and owner-only.
    let watcher_out = out.clone();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let stop_watch = stop.clone();
    let watcher = std::thread::spawn(move || {
        let mut seen = Vec::new();
        while !stop_watch.load(std::sync::atomic::Ordering::Relaxed) {
            for entry in std::fs::read_dir(&watcher_out).unwrap().flatten() {
                let name = entry.file_name().to_string_lossy().into_owned();
                if name.contains(".work-") && !name.contains("999999999") {
                    if let Ok(metadata) = entry.metadata() {
                        seen.push((name, metadata.permissions().mode() & 0o777));
                    }
                }
            }
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
        seen
    });
    let tmp_before: Vec<_> = std::fs::read_dir(std::env::temp_dir())
        .unwrap()
        .flatten()
        .map(|entry| entry.file_name())
        .filter(|name| name.to_string_lossy().starts_with("scoretable-seal-"))
        .collect();
    run_export(
        &mut file,
        &ExportRequest::Seal {
            output: output.clone(),
            status_policy: RunSignupStatusPolicy::Reject,
            award_rules: None,
        },
    )
    .unwrap();
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let seen = watcher.join().unwrap();
    assert!(!seen.is_empty(), "the work folder was beside the output");
    assert!(seen.iter().all(|(_, mode)| *mode == 0o700), "{seen:?}");
    assert!(!stale.exists(), "the killed run's work folder was removed");
    assert!(!partial.exists(), "the partial archive was replaced");
    let mut left: Vec<String> = all_names(&out);
    left.sort();
    assert_eq!(left, vec!["day.zip"]);
    let tmp_after = std::fs::read_dir(std::env::temp_dir())
        .unwrap()
        .flatten()
        .filter(|entry| {
            entry
                .file_name()
                .to_string_lossy()
                .starts_with("scoretable-seal-")
        })
        .count();
    assert!(
        tmp_after <= tmp_before.len(),
        "nothing new in the temp folder"
    );
}
