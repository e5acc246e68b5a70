//! Exports taken from a real competition file: gathering through the store's
//! API, the online backup inside the sealed archive, amendments in the log,
//! and no secrets in any export.

use crate::common;

use std::io::Read;

use common::*;
use scoretable_core::import::read_scores_csv;
use scoretable_core::model::{
    Division, DivisionKind, Entrant, Gender, Id, PublicationState, ScoreType, TimingPoint,
};
use scoretable_export::{
    gather_export_data, seal_competition, verify_archive, ArchiveOptions, AwardRules, Exporter,
};
use scoretable_store::{CompetitionFile, ScoreInput};

const SECRET: &str = "rsu-secret-7f3a9c1e55b0";

fn build_file(directory: &std::path::Path) -> CompetitionFile {
    let path = directory.join("harbour.scoretable");
    let mut file = CompetitionFile::create(&path, &sample_competition()).unwrap();
    let women = file
        .add_division(&Division {
            id: 0,
            name: "Women".into(),
            kind: DivisionKind::Gender,
            gender: Some(Gender::Female),
            min_age: None,
            max_age: None,
        })
        .unwrap();
    let men = file
        .add_division(&Division {
            id: 0,
            name: "Men".into(),
            kind: DivisionKind::Gender,
            gender: Some(Gender::Male),
            min_age: None,
            max_age: None,
        })
        .unwrap();
    for (index, (first, last, gender)) in [
        ("Zoë", "Müller", Gender::Female),
        ("Ann", "=1+2", Gender::Female),
        ("Mary", "O'Brien", Gender::Female),
        ("Tom", "Brennan", Gender::Male),
        ("Seán", "Ó Súilleabháin", Gender::Male),
        ("Luca", "Rossi", Gender::Male),
    ]
    .into_iter()
    .enumerate()
    {
        let mut entry = competitor(
            index as i64 + 1,
            &(101 + index).to_string(),
            first,
            last,
            gender,
        );
        entry.division_ids = vec![if gender == Gender::Female { women } else { men }];
        file.add_competitor(&entry).unwrap();
    }
    let mut run = workout(0, "Harbour 5K", 1, ScoreType::Time);
    run.timing_points = vec![TimingPoint {
        id: 0,
        order: 1,
        name: "2.5 km".into(),
    }];
    run.state = PublicationState::Provisional;
    let run_id = file.add_workout(&run).unwrap();
    for (bib, value) in [
        ("101", "17:30.1"),
        ("102", "17:42.4"),
        ("103", "DNF"),
        ("104", "16:30.0"),
        ("105", "16:41.0"),
        ("106", "DNS"),
    ] {
        file.enter_score_by_bib(run_id, bib, ScoreInput::text(value), "Scorekeeper")
            .unwrap();
    }
    let entrant = file.entrant_by_bib(run_id, "105").unwrap();
    file.amend_score(
        run_id,
        entrant,
        "16:29.5",
        "Chief Referee",
        "Finish video",
        Some("A-1"),
    )
    .unwrap();
    file.set_workout_state(run_id, PublicationState::Official)
        .unwrap();
    // A credential-like setting, as a careless integration might store one.
    file.set_setting(
        "runsignup",
        &serde_json::json!({ "api_key": "k-123", "api_secret": SECRET }),
    )
    .unwrap();
    file
}

#[test]
fn gathered_data_exports_and_reimports() {
    let directory = tempfile::tempdir().unwrap();
    let file = build_file(directory.path());
    let data = gather_export_data(&file).unwrap();
    assert_eq!(data.workouts.len(), 1);
    // The snapshot holds no rows: the workout's compact ranking, from which
    // every board's rows are made (and match the store's own boards, split
    // standings included).
    assert!(data.workout_leaderboards.is_empty());
    let workout_id = data.workouts[0].id;
    assert!(data.live_workouts.get(workout_id).is_some());
    let boards = data.workout_leaderboards_of(workout_id);
    assert_eq!(boards.len(), 3);
    for board in &boards {
        assert_eq!(
            board.rows,
            file.workout_leaderboard(workout_id, board.division_id)
                .unwrap()
        );
    }
    // The overall tables are kept compact, one per scope, and read back as
    // the store's own overall leaderboards.
    assert!(data.overall_leaderboards.is_empty());
    assert_eq!(data.compact_overall.len(), 3);
    for table in data.overall_tables() {
        assert_eq!(
            data.overall_leaderboard(table.division_id()).unwrap().rows,
            file.overall_leaderboard(table.division_id(), None, None)
                .unwrap()
        );
    }
    assert_eq!(data.amendments.len(), 1);
    let amendment = &data.amendments[0];
    assert_eq!(
        (amendment.old_value.as_str(), amendment.new_value.as_str()),
        ("16:41.0", "16:29.5")
    );
    assert_eq!(amendment.official, "Chief Referee");
    assert_eq!(amendment.appeal_reference.as_deref(), Some("A-1"));

    let exporter = Exporter::new(&data);
    let workout = &data.workouts[0];
    let bytes = exporter.workout_results_csv(workout.id, None).unwrap();
    let drafts = read_scores_csv(bytes.as_slice(), "all.csv", workout).unwrap();
    let board = &data.workout_leaderboard(workout.id, None).unwrap().rows;
    assert_eq!(drafts.len(), board.len());
    assert_eq!(drafts[0].bib, "105", "the amended time wins");
    for (draft, row) in drafts.iter().zip(board) {
        assert_eq!(
            (draft.score, draft.status),
            (
                if row.status.is_some() {
                    None
                } else {
                    row.score
                },
                row.status
            )
        );
    }
    let text = String::from_utf8(bytes).unwrap();
    assert!(
        text.contains(",Ann =1+2,"),
        "a formula sign inside a cell is harmless: {text}"
    );
    assert!(text.lines().nth(1).unwrap().ends_with(",yes"), "{text}");
    assert!(exporter
        .division_results_pdf(Some(data.divisions[0].id))
        .unwrap()
        .starts_with(b"%PDF"));
    let _ = Entrant::Competitor(1);
}

#[test]
fn sealed_archive_from_a_file_verifies_and_leaks_no_secret() {
    let directory = tempfile::tempdir().unwrap();
    let mut file = build_file(directory.path());
    let output = directory.path().join("sealed.zip");
    let options = ArchiveOptions {
        award_rules: Some(AwardRules::default()),
        ..ArchiveOptions::default()
    };
    let summary = seal_competition(&mut file, &options, &output).unwrap();
    assert!(summary
        .files
        .iter()
        .any(|archived| archived.path.starts_with("competition/harbour-games-2026-")));
    let verification = verify_archive(&output).unwrap();
    assert!(verification.is_intact(), "{:?}", verification.problems);
    assert_eq!(verification.amendment_entries, 1);

    let mut archive = zip::ZipArchive::new(std::fs::File::open(&output).unwrap()).unwrap();
    let mut exports_checked = 0;
    for index in 0..archive.len() {
        let mut entry = archive.by_index(index).unwrap();
        let name = entry.name().unwrap().to_string();
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes).unwrap();
        if name.starts_with("competition/") {
            // The backup is a valid SQLite database taken by the online backup API.
            assert!(bytes.starts_with(b"SQLite format 3\0"), "{name}");
            continue;
        }
        exports_checked += 1;
        let haystacks = [bytes.clone(), pdf_text(&name, &bytes)];
        for haystack in haystacks {
            let text = String::from_utf8_lossy(&haystack);
            assert!(!text.contains(SECRET), "{name} contains the secret");
            assert!(
                !text.contains("api_key") && !text.contains("k-123"),
                "{name} contains a settings value"
            );
            assert!(!text.contains("CHIP-SECRET"), "{name} contains chip ids");
            assert!(
                !text.contains("1990-07-21"),
                "{name} contains a date of birth"
            );
        }
    }
    assert!(exports_checked >= 15, "{exports_checked}");
}

/// A PDF's text as a reader extracts it (poppler's `pdftotext`): its
/// content streams are compressed and written as glyph codes, so the raw
/// bytes would hide a leaked secret. Empty for other files.
fn pdf_text(name: &str, bytes: &[u8]) -> Vec<u8> {
    if !name.ends_with(".pdf") {
        return Vec::new();
    }
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("extract.pdf");
    std::fs::write(&path, bytes).unwrap();
    let output = std::process::Command::new("pdftotext")
        .args(["-enc", "UTF-8"])
        .arg(&path)
        .arg("-")
        .output()
        .expect("the PDF checks need poppler's pdftotext (Debian: poppler-utils)");
    assert!(output.status.success(), "pdftotext could not read {name}");
    assert!(!output.stdout.is_empty(), "{name} has no text");
    output.stdout
}

#[test]
fn run_export_writes_reports_and_refuses_the_competition_file() {
    use scoretable_export::{run_export, ExportError, ExportRequest, SkipReason};
    let directory = tempfile::tempdir().unwrap();
    let mut file = build_file(directory.path());
    // An athlete whose name has a character no font covers.
    let mut unprintable = competitor(50, "150", "Ada", "Unprintable\u{10FFFD}", Gender::Female);
    unprintable.division_ids = Vec::new();
    file.add_competitor(&unprintable).unwrap();

    let pdf_path = directory.path().join("all.pdf");
    let summary = run_export(
        &mut file,
        &ExportRequest::Pdf {
            division_id: None,
            output: pdf_path.clone(),
        },
    )
    .unwrap();
    assert_eq!(summary.files.len(), 1);
    let written = &summary.files[0];
    let bytes = std::fs::read(&pdf_path).unwrap();
    assert_eq!(written.bytes, bytes.len() as u64);
    assert_eq!(
        written.sha256,
        scoretable_export::archive::sha256_hex(&bytes)
    );
    assert_eq!(written.contents, "printable results, all competitors");
    assert_eq!(summary.warnings.len(), 1, "{:?}", summary.warnings);
    assert!(
        summary.warnings[0].starts_with("athlete Ada Unprintable\u{10FFFD} (bib 150): ")
            && summary.warnings[0].contains("U+10FFFD"),
        "{}",
        summary.warnings[0]
    );
    // No temporary file is left beside the export.
    assert!(!directory.path().join("all.pdf.partial").exists());

    // The competition file and its journal are refused, and stay intact.
    let competition_path = file.path().to_path_buf();
    for target in [competition_path.clone(), {
        let mut wal = competition_path.clone().into_os_string();
        wal.push("-wal");
        wal.into()
    }] {
        let error = run_export(&mut file, &ExportRequest::Json { output: target }).unwrap_err();
        assert!(
            matches!(error, ExportError::OutputIsCompetitionFile { .. }),
            "{error}"
        );
    }
    assert!(!file.workouts().unwrap().is_empty());

    // Everything at once: a reps workout would be skipped for RunSignup; here
    // the one timed workout has a DNF and a DNS, which RunSignup takes.
    let all = directory.path().join("all");
    let summary = run_export(
        &mut file,
        &ExportRequest::All {
            directory: all.clone(),
            status_policy: scoretable_export::RunSignupStatusPolicy::Reject,
            award_rules: Some(AwardRules::default()),
        },
    )
    .unwrap();
    assert!(summary
        .files
        .iter()
        .any(|file| file.path.ends_with("runsignup/01-harbour-5k.xml")));
    assert!(summary
        .files
        .iter()
        .all(|file| std::path::Path::new(&file.path).exists()));
    assert!(summary
        .skipped
        .iter()
        .all(|skipped| !matches!(skipped.reason, SkipReason::Refused(_))));
    assert_eq!(summary.warnings.len(), 1);
}

/// Adds a provisional relay (team, summing its members' times) and the
/// teams named with their two members' competitor ids (bib `T-<name>`);
/// gives the relay's id.
fn add_relay_with_teams(file: &mut CompetitionFile, teams: &[(&str, [Id; 2])]) -> Id {
    use scoretable_core::model::{Team, TeamMember, TeamScoring};

    let mut relay = workout(0, "Relay", 2, ScoreType::Time);
    relay.team_scoring = TeamScoring::SumAll;
    relay.state = PublicationState::Provisional;
    let relay = file.add_workout(&relay).unwrap();
    for (name, members) in teams {
        file.add_team(&Team {
            id: 0,
            name: (*name).into(),
            bib: Some(format!("T-{name}")),
            country: None,
            division_ids: Vec::new(),
            members: members
                .iter()
                .enumerate()
                .map(|(order, id)| TeamMember {
                    competitor_id: *id,
                    order: order as u32 + 1,
                })
                .collect(),
            external_ids: Default::default(),
        })
        .unwrap();
    }
    relay
}

/// The team-workouts rule stored in the file reaches every export that
/// shows the overall: the CSV's column headings and totals, the JSON
/// document (rule, headings, rows) and the PDF's heading and note.
#[test]
fn every_overall_export_follows_the_stored_team_workouts_rule() {
    use scoretable_core::model::TeamWorkoutsInOverall;

    let directory = tempfile::tempdir().unwrap();
    let mut file = build_file(directory.path());
    // 104 and 105 (the two fastest in the 5K) are one team; 101 and 102 the other.
    let relay = add_relay_with_teams(&mut file, &[("Fast", [4, 5]), ("Slow", [1, 2])]);
    // The slow 5K pair wins the relay.
    for (bib, value) in [
        ("101", "1:00"),
        ("102", "1:00"),
        ("104", "2:00"),
        ("105", "2:00"),
    ] {
        file.enter_score_by_bib(relay, bib, ScoreInput::text(value), "Scorekeeper")
            .unwrap();
    }
    let total_of = |csv: &str, bib: &str| -> String {
        let mut reader = csv::Reader::from_reader(csv.as_bytes());
        let header = reader.headers().unwrap().clone();
        let bib_column = header.iter().position(|name| name == "bib").unwrap();
        let total_column = header.iter().position(|name| name == "total").unwrap();
        reader
            .records()
            .map(|record| record.unwrap())
            .find(|record| &record[bib_column] == bib)
            .map(|record| record[total_column].to_string())
            .unwrap()
    };
    for (rule, heading, note, total_101) in [
        // 101 was 3rd of 4 finishers in the 5K; the relay is not counted.
        (
            TeamWorkoutsInOverall::Excluded,
            "Relay (team, not counted)",
            "not counted",
            "3",
        ),
        // 3rd in the 5K plus the winning team's 1st place.
        (
            TeamWorkoutsInOverall::TeamPlace,
            "Relay (team place)",
            "credited",
            "4",
        ),
    ] {
        file.set_team_workouts_rule(rule).unwrap();
        let data = gather_export_data(&file).unwrap();
        assert_eq!(data.overall_team_workouts, rule);
        let exporter = Exporter::new(&data);
        let csv = String::from_utf8(exporter.overall_results_csv(None).unwrap()).unwrap();
        assert!(
            csv.lines()
                .next()
                .unwrap()
                .contains(&format!("{heading}: rank")),
            "{csv}"
        );
        assert_eq!(total_of(&csv, "101"), total_101, "{rule:?}\n{csv}");
        let document =
            scoretable_export::parse_results_json(&exporter.results_json().unwrap()).unwrap();
        let whole_field = &document.overall[0];
        assert_eq!(whole_field.team_workouts, rule);
        assert!(whole_field
            .columns
            .iter()
            .any(|column| column.workout_id == relay && column.heading == heading));
        assert_eq!(
            whole_field.rows,
            data.overall_leaderboard(None).unwrap().rows
        );
        let pdf = pdf_text("results.pdf", &exporter.division_results_pdf(None).unwrap());
        let text = String::from_utf8_lossy(&pdf)
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        assert!(text.contains(note), "{rule:?}: {text}");
    }
}

/// A competitor in two teams of a credited team workout, with different
/// places, on the file path (the members read by the store's cursor one
/// team at a time): credited with the better team's place, and every
/// overall table is the store's own (the engine's, given the whole teams
/// list).
#[test]
fn a_member_of_two_teams_is_credited_as_the_engine_credits_it() {
    use scoretable_core::model::TeamWorkoutsInOverall;

    let directory = tempfile::tempdir().unwrap();
    let mut file = build_file(directory.path());
    // 102 runs for Slow (2nd, 2:00) and for Duo (1st, 1:30).
    let relay = add_relay_with_teams(
        &mut file,
        &[("Fast", [4, 5]), ("Slow", [1, 2]), ("Duo", [3, 2])],
    );
    for (bib, value) in [
        ("101", "1:00"),
        ("102", "1:00"),
        ("103", "0:30"),
        ("104", "2:00"),
        ("105", "2:00"),
    ] {
        file.enter_score_by_bib(relay, bib, ScoreInput::text(value), "Scorekeeper")
            .unwrap();
    }
    file.set_team_workouts_rule(TeamWorkoutsInOverall::TeamPlace)
        .unwrap();
    let data = gather_export_data(&file).unwrap();
    let relay_place = |competitor: i64| {
        let board = data.overall_leaderboard(None).unwrap();
        let row = board
            .rows
            .iter()
            .find(|row| row.entrant == Entrant::Competitor(competitor))
            .unwrap();
        let cell = row.cells.iter().find(|cell| cell.workout_id == relay);
        cell.unwrap().rank
    };
    assert_eq!(relay_place(2), Some(1));
    assert_eq!(relay_place(1), Some(2));
    assert_eq!(relay_place(3), Some(1));
    assert_eq!(relay_place(4), Some(3));
    for table in data.overall_tables() {
        assert_eq!(
            data.overall_leaderboard(table.division_id()).unwrap().rows,
            file.overall_leaderboard(table.division_id(), None, None)
                .unwrap()
        );
    }
}

/// An observer that amends bib 101's Harbour 5K time through a second
/// handle of the same file at every step of the snapshot (after each read,
/// after the seal's backup), as another program at the table would.
fn writer_between_reads(path: &std::path::Path) -> impl FnMut(&str) {
    let mut other = CompetitionFile::open(path).unwrap();
    let run = other
        .workouts()
        .unwrap()
        .into_iter()
        .find(|workout| workout.name == "Harbour 5K")
        .unwrap()
        .id;
    let entrant = other.entrant_by_bib(run, "101").unwrap();
    let mut step = 0;
    move |what: &str| {
        step += 1;
        other
            .amend_score(
                run,
                entrant,
                &format!("17:{:02}.0", 10 + step),
                "Chief Referee",
                &format!("amended after reading {what}"),
                None,
            )
            .unwrap();
    }
}

/// Bib 101's time on the whole-field board and the new value of its last
/// amendment in the log, from one results document: equal when the
/// document is one state of the file.
fn board_and_log_of_101(document: &scoretable_export::ResultsDocument) -> (String, String) {
    let run = document.workouts[0].workout.id;
    let entrant = document
        .entrants
        .iter()
        .find(|entrant| entrant.bib == "101")
        .unwrap()
        .entrant;
    let rows = document.workout_rows(run, None).unwrap();
    let shown = rows
        .iter()
        .find(|row| row.entrant == entrant)
        .unwrap()
        .display
        .clone();
    let logged = document
        .amendments
        .iter()
        .rev()
        .find(|entry| entry.entrant == entrant)
        .map(|entry| entry.new_value.clone())
        .unwrap_or_default();
    (shown, logged)
}

#[test]
fn export_all_reads_one_snapshot_while_another_program_writes() {
    let directory = tempfile::tempdir().unwrap();
    let mut file = build_file(directory.path());
    let mut observer = writer_between_reads(file.path());
    let output = directory.path().join("day-end");
    scoretable_export::run_export_observed(
        &mut file,
        &scoretable_export::ExportRequest::All {
            directory: output.clone(),
            status_policy: scoretable_export::RunSignupStatusPolicy::MapToNearest,
            award_rules: None,
        },
        &mut observer,
    )
    .unwrap();
    let document =
        scoretable_export::parse_results_json(&std::fs::read(output.join("results.json")).unwrap())
            .unwrap();
    // The writes landed (the file moved on) but none is in the bundle.
    let (shown, logged) = board_and_log_of_101(&document);
    assert_eq!(
        shown, "17:30.1",
        "the board shows a write made while exporting"
    );
    assert_eq!(logged, "", "the log shows a write made while exporting");
    let csv = std::fs::read_to_string(output.join("csv/01-harbour-5k/all.csv")).unwrap();
    assert!(csv.contains("17:30.1"), "{csv}");
    let now = file
        .score_events(None)
        .unwrap()
        .into_iter()
        .filter(|event| event.kind == scoretable_store::ScoreEventKind::Amend)
        .count();
    assert!(now > 5, "the observer wrote {} amendments", now - 1);
}

#[test]
fn a_seal_backs_up_and_exports_one_snapshot_while_another_program_writes() {
    let directory = tempfile::tempdir().unwrap();
    let mut file = build_file(directory.path());
    let mut observer = writer_between_reads(file.path());
    let output = directory.path().join("sealed.zip");
    scoretable_export::run_export_observed(
        &mut file,
        &scoretable_export::ExportRequest::Seal {
            output: output.clone(),
            status_policy: scoretable_export::RunSignupStatusPolicy::MapToNearest,
            award_rules: None,
        },
        &mut observer,
    )
    .unwrap();
    assert!(verify_archive(&output).unwrap().is_intact());
    let mut archive = zip::ZipArchive::new(std::fs::File::open(&output).unwrap()).unwrap();
    let mut results = Vec::new();
    archive
        .by_name("results/results.json")
        .unwrap()
        .read_to_end(&mut results)
        .unwrap();
    let document = scoretable_export::parse_results_json(&results).unwrap();
    let backup_name = archive
        .file_names()
        .map(|name| name.unwrap().to_string())
        .find(|name| name.starts_with("competition/"))
        .unwrap();
    let backup_path = directory.path().join("backup-copy.scoretable");
    let mut backup_bytes = Vec::new();
    archive
        .by_name(&backup_name)
        .unwrap()
        .read_to_end(&mut backup_bytes)
        .unwrap();
    std::fs::write(&backup_path, backup_bytes).unwrap();
    let backup = CompetitionFile::open_read_only(&backup_path).unwrap();
    let from_backup = gather_export_data(&backup).unwrap();
    // The archived file and the archived exports are one state of the file.
    assert_eq!(
        from_backup.amendments.len(),
        document.amendments.len(),
        "the backup and the exports hold different amendment logs"
    );
    let run = from_backup.workouts[0].id;
    let backup_rows = &from_backup.workout_leaderboard(run, None).unwrap().rows;
    let document_rows = document.workout_rows(run, None).unwrap();
    assert_eq!(
        backup_rows
            .iter()
            .map(|row| row.display.clone())
            .collect::<Vec<_>>(),
        document_rows
            .iter()
            .map(|row| row.display.clone())
            .collect::<Vec<_>>()
    );
    let (shown, logged) = board_and_log_of_101(&document);
    assert_eq!(shown, "17:30.1");
    assert_eq!(logged, "");
}

#[test]
fn export_all_and_the_seal_write_one_bundle_layout() {
    let directory = tempfile::tempdir().unwrap();
    let mut file = build_file(directory.path());
    let folder = directory.path().join("day-end");
    let archive_path = directory.path().join("sealed.zip");
    let rules = Some(AwardRules::default());
    let all = scoretable_export::run_export(
        &mut file,
        &scoretable_export::ExportRequest::All {
            directory: folder.clone(),
            status_policy: scoretable_export::RunSignupStatusPolicy::Reject,
            award_rules: rules.clone(),
        },
    )
    .unwrap();
    let seal = scoretable_export::run_export(
        &mut file,
        &scoretable_export::ExportRequest::Seal {
            output: archive_path.clone(),
            status_policy: scoretable_export::RunSignupStatusPolicy::Reject,
            award_rules: rules,
        },
    )
    .unwrap();
    let mut in_folder: Vec<String> = all
        .files
        .iter()
        .map(|written| {
            std::path::Path::new(&written.path)
                .strip_prefix(&folder)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/")
        })
        .collect();
    let archive = zip::ZipArchive::new(std::fs::File::open(&archive_path).unwrap()).unwrap();
    let mut in_archive: Vec<String> = archive
        .file_names()
        .filter_map(|name| name.unwrap().strip_prefix("results/").map(str::to_string))
        .collect();
    in_folder.sort();
    in_archive.sort();
    assert_eq!(in_folder, in_archive);
    assert!(in_folder.contains(&"awards/awards.pdf".to_string()));
    // The same things are left out, for the same reasons.
    let describe = |skipped: &[scoretable_export::SkippedExport]| {
        skipped
            .iter()
            .map(|skip| skip.describe())
            .collect::<Vec<_>>()
    };
    assert_eq!(describe(&all.skipped), describe(&seal.skipped));
}

/// Tied overall rows are listed by bib, as the store lists them: the
/// snapshot's overall standings must see every entrant's bib (a snapshot
/// that blanked the bibs to save memory listed ties by entrant id).
#[test]
fn tied_overall_rows_are_listed_by_bib_as_the_store_lists_them() {
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("ties.scoretable");
    let mut file = CompetitionFile::create(&path, &sample_competition()).unwrap();
    // Imported in the opposite order of their bibs: entrant id order and
    // bib order disagree.
    for (index, bib) in ["30", "20", "10"].into_iter().enumerate() {
        let mut entry = competitor(index as i64 + 1, bib, "Ath", bib, Gender::Female);
        entry.division_ids = Vec::new();
        file.add_competitor(&entry).unwrap();
    }
    let mut run = workout(0, "Mile", 1, ScoreType::Time);
    run.state = PublicationState::Provisional;
    let run_id = file.add_workout(&run).unwrap();
    for bib in ["30", "20", "10"] {
        file.enter_score_by_bib(run_id, bib, ScoreInput::text("5:00.0"), "Scorekeeper")
            .unwrap();
    }
    let stored: Vec<Entrant> = file
        .overall_leaderboard(None, None, None)
        .unwrap()
        .iter()
        .map(|row| row.entrant)
        .collect();
    let data = gather_export_data(&file).unwrap();
    let exported: Vec<Entrant> = data
        .overall_leaderboard(None)
        .unwrap()
        .rows
        .iter()
        .map(|row| row.entrant)
        .collect();
    assert_eq!(exported, stored);
    let bibs: Vec<String> = exported
        .iter()
        .map(|entrant| Exporter::new(&data).directory.get(*entrant).unwrap().bib)
        .collect();
    assert_eq!(bibs, ["10", "20", "30"]);
}

/// From a snapshot read from a file (workouts ranked compactly, rows made
/// as they are written), the streamed results JSON is still the results
/// document serialised.
#[test]
fn a_gathered_snapshots_streamed_json_is_the_document_serialised() {
    let directory = tempfile::tempdir().unwrap();
    let file = build_file(directory.path());
    let data = gather_export_data(&file).unwrap();
    assert!(!data.live_workouts.is_empty());
    let exporter = Exporter::new(&data);
    let mut expected = serde_json::to_vec(&exporter.results_document().unwrap()).unwrap();
    expected.push(b'\n');
    assert_eq!(exporter.results_json().unwrap(), expected);
}

/// A snapshot read from a file spills its competitors and joins their
/// names to every table once (`scoretable_export::names`): every row of
/// every board (the whole field, each division's, read at its row numbers
/// in the whole field's listing) and of every overall table (individual
/// and a mixed event's team tables) gets the display a lookup by id gives,
/// and the entrant walk lists every competitor in id order, then the
/// teams.
#[test]
fn a_gathered_snapshots_names_are_read_beside_the_rows() {
    use scoretable_usecase::generate::{write_event, ResultEntryMode};
    let directory = tempfile::tempdir().unwrap();
    for (name, event) in [
        ("teams", scoretable_core::generate::team_event(120, 4, 3, 5)),
        (
            "race",
            scoretable_core::generate::large_individual_event(900, 5, 3, 7),
        ),
    ] {
        let path = directory.path().join(format!("{name}.scoretable"));
        let (file, _) = write_event(&path, &event, ResultEntryMode::ImportAll).unwrap();
        let data = gather_export_data(&file).unwrap();
        assert!(data.competitors.is_empty(), "the competitors are spilled");
        assert!(data.names.is_spilled());
        let exporter = Exporter::new(&data);
        let mut rows_checked = 0;
        for workout in &data.workouts {
            let scopes = std::iter::once(None)
                .chain(data.divisions.iter().map(|division| Some(division.id)));
            for scope in scopes {
                let board = data.board_rows(workout.id, scope).unwrap();
                let names = exporter.board_names(workout.id, scope);
                for (index, row) in board.iter().enumerate() {
                    let named = names.entrant(index, row.entrant).unwrap();
                    assert_eq!(
                        named.entrant().display(),
                        exporter.directory.get(row.entrant).unwrap(),
                        "{name}: workout {} scope {scope:?} row {index}",
                        workout.name
                    );
                    rows_checked += 1;
                }
                // Read again out of order (a PDF table measures, then
                // draws): the same names.
                for index in (0..board.len()).rev().step_by(7) {
                    let row = board.get(index).unwrap();
                    assert_eq!(
                        names.entrant(index, row.entrant).unwrap().entrant().bib(),
                        exporter.directory.get(row.entrant).unwrap().bib
                    );
                }
            }
        }
        let mut tables = data.overall_tables();
        for scope in std::iter::once(None).chain(data.divisions.iter().map(|d| Some(d.id))) {
            tables.extend(data.team_overall_rows(scope).ok());
        }
        assert!(tables.len() > data.divisions.len());
        for table in &tables {
            let names = exporter.overall_names(table);
            for (index, row) in table.iter().enumerate() {
                assert_eq!(
                    names
                        .entrant(index, row.entrant)
                        .unwrap()
                        .entrant()
                        .display(),
                    exporter.directory.get(row.entrant).unwrap()
                );
                rows_checked += 1;
            }
        }
        assert!(rows_checked > 1_000, "{name}: {rows_checked}");
        let mut walked = Vec::new();
        exporter
            .for_each_entrant(&mut |entrant, display| {
                walked.push((entrant, display.bib().to_string()));
                Ok(())
            })
            .unwrap();
        let stored: Vec<(Entrant, String)> = file
            .competitors()
            .unwrap()
            .into_iter()
            .map(|competitor| (Entrant::Competitor(competitor.id), competitor.bib))
            .chain(
                file.teams()
                    .unwrap()
                    .into_iter()
                    .map(|team| (Entrant::Team(team.id), team.bib.unwrap_or_default())),
            )
            .collect();
        assert_eq!(walked, stored);
        assert!(data.check_scratch().is_ok());
    }
}

/// A result whose entrant the snapshot does not list fails the export
/// with an error naming the entrant, in every renderer that prints names.
#[test]
fn an_entrant_without_a_record_is_named_in_the_error() {
    let directory = tempfile::tempdir().unwrap();
    let file = build_file(directory.path());
    let mut data = gather_export_data(&file).unwrap();
    let missing = data.overall_leaderboard(None).unwrap().rows[0].entrant;
    // The same snapshot with that competitor's record left out of the spill.
    let mut without = scoretable_export::names::EntrantSpill::new().unwrap();
    for competitor in file.competitors().unwrap() {
        if Entrant::Competitor(competitor.id) != missing {
            without.push(&competitor).unwrap();
        }
    }
    data.names = without.finish().unwrap();
    scoretable_export::names::join_for_test(&mut data).unwrap();
    let exporter = Exporter::new(&data);
    let workout = data.workouts[0].id;
    let unknown = |result: Result<Vec<u8>, scoretable_export::ExportError>| {
        assert!(
            matches!(result, Err(scoretable_export::ExportError::UnknownEntrant { entrant }) if entrant == missing),
            "{:?}",
            result.err()
        );
    };
    unknown(exporter.workout_results_csv(workout, None));
    unknown(exporter.overall_results_csv(None));
    unknown(exporter.division_results_pdf(None));
}
