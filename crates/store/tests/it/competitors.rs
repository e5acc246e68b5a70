//! Competitor imports, division assignment, lookups, teams and workouts.

use crate::common;

use common::{competition, draft, gender_division, workout};
use scoretable_core::import::CompetitorDraft;
use scoretable_core::model::{
    Division, DivisionKind, Entrant, ExternalIds, Gender, Heat, Lane, ScoreType, Team, TeamMember,
    TeamScoring,
};
use scoretable_store::{CompetitionFile, ExternalSystem, ImportSummary, ScoreInput, StoreError};

fn new_file() -> (tempfile::TempDir, CompetitionFile) {
    let directory = tempfile::tempdir().unwrap();
    let file =
        CompetitionFile::create(directory.path().join("c.scoretable"), &competition()).unwrap();
    (directory, file)
}

fn age_group(name: &str, gender: Option<Gender>, min: u32, max: Option<u32>) -> Division {
    Division {
        id: 0,
        name: name.into(),
        kind: DivisionKind::AgeGroup,
        gender,
        min_age: Some(min),
        max_age: max,
    }
}

#[test]
fn reimporting_updates_by_bib_and_keeps_scores() {
    let (_directory, mut file) = new_file();
    let mut drafts = vec![
        draft(2, "1", "Ann", "Lee", Gender::Female),
        draft(3, "2", "Bea", "Kay", Gender::Female),
    ];
    let first = file.import_competitors_from("list.csv", &drafts).unwrap();
    assert_eq!(
        first,
        ImportSummary {
            new: 2,
            updated: 0,
            unchanged: 0
        }
    );
    let fran = file
        .add_workout(&workout("Fran", 1, ScoreType::Time))
        .unwrap();
    file.enter_score_by_bib(fran, "1", ScoreInput::text("3:00"), "table")
        .unwrap();
    let ann_id = file.competitor_by_bib("1").unwrap().unwrap().id;

    drafts[0].club = Some("Harbour CF".into());
    drafts.push(draft(4, "3", "Cara", "Moss", Gender::Female));
    let second = file.import_competitors_from("list.csv", &drafts).unwrap();
    assert_eq!(
        second,
        ImportSummary {
            new: 1,
            updated: 1,
            unchanged: 1
        }
    );
    let ann = file.competitor_by_bib("1").unwrap().unwrap();
    assert_eq!(ann.id, ann_id);
    assert_eq!(ann.club.as_deref(), Some("Harbour CF"));
    assert!(file
        .result(fran, Entrant::Competitor(ann_id))
        .unwrap()
        .is_some());
    assert_eq!(file.competitors().unwrap().len(), 3);
}

#[test]
fn a_bad_row_rolls_back_the_whole_import_and_names_file_row_and_field() {
    let (_directory, mut file) = new_file();
    file.add_division(&gender_division("Women", Gender::Female))
        .unwrap();
    let mut drafts = vec![
        draft(2, "1", "Ann", "Lee", Gender::Female),
        draft(3, "2", "Bea", "Kay", Gender::Female),
        draft(4, "3", "Cara", "Moss", Gender::Female),
    ];
    drafts[2].division_names = vec!["Womne".into()];
    let error = file
        .import_competitors_from("list.csv", &drafts)
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "list.csv, row 4, field division: unknown division \"Womne\"; add it first"
    );
    assert!(file.competitors().unwrap().is_empty());

    drafts[2].division_names = vec!["women".into()];
    drafts[1].bib = "1".into();
    let error = file
        .import_competitors_from("list.csv", &drafts)
        .unwrap_err();
    assert!(
        matches!(error, StoreError::ImportRow { row: 3, ref field, .. } if field == "bib"),
        "{error}"
    );
    assert!(
        error.to_string().contains("already appears in row 2"),
        "{error}"
    );

    drafts[1].bib = "2".into();
    drafts[0].chip_ids = vec!["C1".into()];
    drafts[1].chip_ids = vec!["C1".into()];
    let error = file
        .import_competitors_from("list.csv", &drafts)
        .unwrap_err();
    assert!(
        matches!(error, StoreError::ImportRow { row: 3, ref field, .. } if field == "chip"),
        "{error}"
    );

    drafts[1].chip_ids = vec!["C2".into()];
    drafts[1].date_of_birth = Some("31/02/1990".into());
    let error = file
        .import_competitors_from("list.csv", &drafts)
        .unwrap_err();
    assert!(
        matches!(error, StoreError::ImportRow { row: 3, ref field, .. } if field == "date_of_birth"),
        "{error}"
    );
    assert!(file.competitors().unwrap().is_empty());
    assert!(file.import_batches().unwrap().is_empty());

    drafts[1].date_of_birth = Some("1990-02-28".into());
    let summary = file.import_competitors_from("list.csv", &drafts).unwrap();
    assert_eq!(summary.new, 3);
    let cara = file.competitor_by_bib("3").unwrap().unwrap();
    let women = file.division_by_name("Women").unwrap().unwrap();
    assert_eq!(cara.division_ids, vec![women.id]);
}

#[test]
fn divisions_are_assigned_by_gender_and_age_on_the_first_day() {
    let (_directory, mut file) = new_file();
    let women = file
        .add_division(&gender_division("Women", Gender::Female))
        .unwrap();
    let men = file
        .add_division(&gender_division("Men", Gender::Male))
        .unwrap();
    let women_35 = file
        .add_division(&age_group(
            "Women 35-39",
            Some(Gender::Female),
            35,
            Some(39),
        ))
        .unwrap();
    let masters = file
        .add_division(&age_group("Masters 40+", None, 40, None))
        .unwrap();
    let mut ann = draft(2, "1", "Ann", "Lee", Gender::Female);
    // 35 on 2026-06-01 (the competition's first day), not yet 36.
    ann.date_of_birth = Some("1990-06-01".into());
    let mut dan = draft(3, "2", "Dan", "Roe", Gender::Male);
    dan.date_of_birth = Some("1986-06-02".into()); // 39 on the first day.
    let mut eli = draft(4, "3", "Eli", "Fox", Gender::Male);
    eli.date_of_birth = Some("1986-06-01".into()); // 40 on the first day.
    file.import_competitors(&[ann, dan, eli]).unwrap();
    let divisions_of = |bib: &str| file.competitor_by_bib(bib).unwrap().unwrap().division_ids;
    assert_eq!(divisions_of("1"), vec![women, women_35]);
    assert_eq!(divisions_of("2"), vec![men]);
    assert_eq!(divisions_of("3"), vec![men, masters]);
    let error = file
        .add_division(&gender_division("women", Gender::Female))
        .unwrap_err();
    assert!(error.to_string().contains("already exists"), "{error}");
    let error = file
        .add_division(&Division {
            gender: None,
            ..gender_division("Nobody", Gender::Female)
        })
        .unwrap_err();
    assert!(matches!(error, StoreError::InvalidInput { .. }), "{error}");
}

#[test]
fn competitors_are_found_by_chip_and_external_ids() {
    let (_directory, mut file) = new_file();
    let ada = CompetitorDraft {
        chip_ids: vec!["CHIP-A".into(), "CHIP-B".into()],
        external_ids: ExternalIds {
            runsignup_registration_id: Some("3210".into()),
            opentrack_id: Some("ot-9".into()),
            triathlon_athlete_id: Some("5695".into()),
            feed_participant_id: Some("524658".into()),
        },
        para_class: Some("PTWC1".into()),
        country: Some("ESP".into()),
        date_of_birth: Some("1983-03-25".into()),
        ..draft(2, "26", "Ada", "Noya", Gender::Female)
    };
    file.import_competitors(&[ada]).unwrap();
    let by_chip = file.competitor_by_chip("CHIP-B").unwrap().unwrap();
    assert_eq!(by_chip.bib, "26");
    assert_eq!(
        by_chip.chip_ids,
        vec!["CHIP-A".to_string(), "CHIP-B".to_string()]
    );
    assert_eq!(by_chip.para_class.as_deref(), Some("PTWC1"));
    for (system, id) in [
        (ExternalSystem::RunSignup, "3210"),
        (ExternalSystem::OpenTrack, "ot-9"),
        (ExternalSystem::Triathlon, "5695"),
        (ExternalSystem::Feed, "524658"),
    ] {
        assert_eq!(
            file.competitor_by_external_id(system, id)
                .unwrap()
                .unwrap()
                .id,
            by_chip.id
        );
    }
    assert!(file
        .competitor_by_external_id(ExternalSystem::Feed, "nope")
        .unwrap()
        .is_none());
    assert!(file.competitor_by_chip("CHIP-C").unwrap().is_none());
    // A second competitor cannot take the same external id.
    let copy = CompetitorDraft {
        external_ids: ExternalIds {
            triathlon_athlete_id: Some("5695".into()),
            ..ExternalIds::default()
        },
        ..draft(3, "27", "Bo", "Dee", Gender::Female)
    };
    let error = file
        .import_competitors_from("tri.csv", &[copy])
        .unwrap_err();
    assert!(
        matches!(error, StoreError::ImportRow { row: 3, ref field, .. } if field == "triathlon_athlete_id"),
        "{error}"
    );
}

#[test]
fn team_workouts_rank_teams_from_member_scores() {
    let (_directory, mut file) = new_file();
    let drafts: Vec<_> = (1..=4)
        .map(|bib| {
            draft(
                bib + 1,
                &bib.to_string(),
                "M",
                &format!("Member{bib}"),
                Gender::Mixed,
            )
        })
        .collect();
    file.import_competitors(&drafts).unwrap();
    let ids: Vec<i64> = (1..=4)
        .map(|bib| {
            file.competitor_by_bib(&bib.to_string())
                .unwrap()
                .unwrap()
                .id
        })
        .collect();
    let id = |bib: &str| ids[bib.parse::<usize>().unwrap() - 1];
    let team = |name: &str, members: [i64; 2]| Team {
        id: 0,
        name: name.into(),
        bib: Some(format!("T-{name}")),
        country: None,
        division_ids: Vec::new(),
        members: members
            .iter()
            .enumerate()
            .map(|(position, competitor_id)| TeamMember {
                competitor_id: *competitor_id,
                order: position as u32 + 1,
            })
            .collect(),
        external_ids: ExternalIds::default(),
    };
    let red = file.add_team(&team("Red", [id("1"), id("2")])).unwrap();
    let blue = file.add_team(&team("Blue", [id("3"), id("4")])).unwrap();
    let error = file
        .add_team(&Team {
            bib: None,
            ..team("red", [id("1"), id("3")])
        })
        .unwrap_err();
    assert!(
        error.to_string().contains("Team red already exists"),
        "{error}"
    );
    let error = file
        .add_team(&team("Green", [id("1"), id("1")]))
        .unwrap_err();
    assert!(error.to_string().contains("listed twice"), "{error}");
    let relay = file
        .add_workout(&scoretable_core::model::Workout {
            team_scoring: TeamScoring::SumAll,
            ..workout("Relay", 1, ScoreType::Time)
        })
        .unwrap();
    for (bib, value) in [("1", "5:00"), ("2", "5:00"), ("3", "4:00"), ("4", "5:30")] {
        file.enter_score_by_bib(relay, bib, ScoreInput::text(value), "table")
            .unwrap();
    }
    let board = file.workout_leaderboard(relay, None).unwrap();
    let order: Vec<(Entrant, Option<u32>, &str)> = board
        .iter()
        .map(|row| (row.entrant, row.rank, row.display.as_str()))
        .collect();
    assert_eq!(
        order,
        vec![
            (Entrant::Team(blue), Some(1), "9:30.0"),
            (Entrant::Team(red), Some(2), "10:00.0")
        ]
    );
    // Someone in no team cannot score in a member-scored team workout.
    file.import_competitors(&[draft(9, "99", "Solo", "Runner", Gender::Male)])
        .unwrap();
    let error = file
        .enter_score_by_bib(relay, "99", ScoreInput::text("4:00"), "table")
        .unwrap_err();
    assert!(
        error
            .to_string()
            .contains("bib 99 (Solo Runner) is in no team"),
        "{error}"
    );
    // A team result cannot be typed into a member-scored workout.
    let error = file
        .enter_score(relay, Entrant::Team(red), ScoreInput::text("9:00"), "table")
        .unwrap_err();
    assert!(matches!(error, StoreError::InvalidInput { .. }), "{error}");
    // Team-chip workouts take the team's bib.
    let chip = file
        .add_workout(&scoretable_core::model::Workout {
            team_scoring: TeamScoring::TeamChip,
            ..workout("Team chip", 2, ScoreType::Time)
        })
        .unwrap();
    let receipt = file
        .enter_score_by_bib(chip, "T-Red", ScoreInput::text("20:00"), "table")
        .unwrap();
    assert_eq!(receipt.entrant, Entrant::Team(red));
    assert_eq!(file.teams().unwrap().len(), 2);
    assert_eq!(
        file.team_by_bib("T-Blue").unwrap().unwrap().members.len(),
        2
    );
}

#[test]
fn workouts_keep_timing_points_heats_and_refuse_unsafe_changes() {
    let (_directory, mut file) = new_file();
    file.import_competitors(&[draft(2, "1", "Ann", "Lee", Gender::Female)])
        .unwrap();
    let ann = file.competitor_by_bib("1").unwrap().unwrap().id;
    let mut triathlon = workout("Sprint", 1, ScoreType::Time);
    triathlon.timing_points = vec![
        common::timing_point(1, "Swim Exit"),
        common::timing_point(2, "T1"),
        common::timing_point(3, "Finish"),
    ];
    triathlon.heats = vec![Heat {
        id: 0,
        name: "Wave 1".into(),
        start_time: Some("2026-06-01T08:00:00".into()),
        lanes: vec![Lane {
            lane: 1,
            competitor_id: Some(ann),
            team_id: None,
        }],
    }];
    let id = file.add_workout(&triathlon).unwrap();
    let mut stored = file.workout(id).unwrap();
    assert_eq!(
        stored
            .timing_points
            .iter()
            .map(|point| point.name.as_str())
            .collect::<Vec<_>>(),
        ["Swim Exit", "T1", "Finish"]
    );
    assert_eq!(stored.heats[0].lanes[0].competitor_id, Some(ann));
    // Reorder and rename: T1 moves last, a new point is added.
    stored.timing_points[1].order = 4;
    stored.timing_points[2].name = "Run Start".into();
    stored
        .timing_points
        .push(common::timing_point(2, "Bike In"));
    file.update_workout(&stored).unwrap();
    let updated = file.workout(id).unwrap();
    let names: Vec<&str> = updated
        .timing_points
        .iter()
        .map(|point| point.name.as_str())
        .collect();
    assert_eq!(names, ["Swim Exit", "Bike In", "Run Start", "T1"]);
    file.enter_score(
        id,
        Entrant::Competitor(ann),
        ScoreInput::text("1:02:03"),
        "table",
    )
    .unwrap();
    let mut changed = updated.clone();
    changed.score_type = ScoreType::Reps;
    let error = file.update_workout(&changed).unwrap_err();
    assert!(
        error.to_string().contains("already has 1 results"),
        "{error}"
    );
    let mut to_teams = updated.clone();
    to_teams.team_scoring = TeamScoring::TeamChip;
    let error = file.update_workout(&to_teams).unwrap_err();
    assert!(error.to_string().contains("team or individual"), "{error}");
    // Safe changes still go through.
    let mut renamed = updated.clone();
    renamed.rounding = scoretable_core::model::Rounding::Up { unit_ms: 1000 };
    file.update_workout(&renamed).unwrap();
    let error = file
        .add_workout(&workout("sprint", 2, ScoreType::Time))
        .unwrap_err();
    assert!(error.to_string().contains("already exists"), "{error}");
    assert_eq!(file.workout_by_name("SPRINT").unwrap().unwrap().id, id);
}

#[test]
fn sixty_thousand_competitors_import_in_one_go_and_rank() {
    let (directory, mut file) = new_file();
    file.add_division(&gender_division("Women", Gender::Female))
        .unwrap();
    file.add_division(&gender_division("Men", Gender::Male))
        .unwrap();
    let drafts: Vec<CompetitorDraft> = (1..=60_000)
        .map(|bib| {
            let gender = if bib % 2 == 0 {
                Gender::Female
            } else {
                Gender::Male
            };
            CompetitorDraft {
                chip_ids: vec![format!("CH{bib}")],
                ..draft(
                    bib + 1,
                    &bib.to_string(),
                    "Runner",
                    &format!("N{bib}"),
                    gender,
                )
            }
        })
        .collect();
    // Timings are printed for information only (run with --nocapture);
    // the bench crate measures performance properly.
    let started = std::time::Instant::now();
    let summary = file.import_competitors_from("big.csv", &drafts).unwrap();
    eprintln!("import 60k competitors: {:?}", started.elapsed());
    assert_eq!(summary.new, 60_000);
    let started = std::time::Instant::now();
    let again = file.import_competitors_from("big.csv", &drafts).unwrap();
    eprintln!(
        "re-import 60k unchanged competitors: {:?}",
        started.elapsed()
    );
    assert_eq!(again.unchanged, 60_000);
    let race = file
        .add_workout(&workout("Marathon", 1, ScoreType::Time))
        .unwrap();
    let records: Vec<scoretable_store::ImportedResult> = (1..=60_000_i64)
        .map(|bib| scoretable_store::ImportedResult {
            row: bib as u64 + 1,
            entrant: Entrant::Competitor(bib),
            value: ScoreInput::score(scoretable_core::model::Score::Time {
                ms: 7_200_000 + (bib * 7919) % 3_600_000,
            }),
            penalty_ms: 0,
            splits: Vec::new(),
            incidents: Vec::new(),
            record_id: None,
            received_at: None,
        })
        .collect();
    let started = std::time::Instant::now();
    let imported = file
        .import_results(
            race,
            scoretable_core::model::Source::File,
            "results.csv",
            &records,
        )
        .unwrap();
    eprintln!("import 60k results: {:?}", started.elapsed());
    assert_eq!(imported.inserted, 60_000);
    let started = std::time::Instant::now();
    let board = file.workout_leaderboard(race, None).unwrap();
    eprintln!("rank 60k results: {:?}", started.elapsed());
    let relay = file
        .add_workout(&workout("Second race", 2, ScoreType::Time))
        .unwrap();
    let started = std::time::Instant::now();
    for bib in 1..=200 {
        file.enter_score_by_bib(
            relay,
            &bib.to_string(),
            ScoreInput::text("1:00:00"),
            "table",
        )
        .unwrap();
    }
    eprintln!(
        "enter one score on a 60k file (mean of 200, each fsynced): {:?}",
        started.elapsed() / 200
    );
    let started = std::time::Instant::now();
    let backup = file.backup_now(&directory.path().join("backups")).unwrap();
    eprintln!("backup of a 60k file: {:?}", started.elapsed());
    assert!(backup.exists());
    let started = std::time::Instant::now();
    file.enter_score_by_bib(race, "1", ScoreInput::text("2:00:00"), "table")
        .unwrap_err();
    file.amend_score(
        race,
        Entrant::Competitor(1),
        "1:59:00",
        "judge",
        "timing error",
        None,
    )
    .unwrap();
    eprintln!(
        "amend with placement impact on 60k: {:?}",
        started.elapsed()
    );
    assert_eq!(board.len(), 60_000);
    assert_eq!(board[0].rank, Some(1));
}

#[test]
fn divisions_added_later_collect_their_members_and_follow_rule_changes() {
    let (_directory, mut file) = new_file();
    let mut ann = draft(2, "1", "Ann", "Lee", Gender::Female);
    ann.date_of_birth = Some("1990-06-01".into()); // 36 on 2026-06-01.
    let mut bea = draft(3, "2", "Bea", "Kay", Gender::Female);
    bea.date_of_birth = Some("1980-01-01".into()); // 46.
    let dan = draft(4, "3", "Dan", "Roe", Gender::Male);
    file.import_competitors(&[ann, bea, dan]).unwrap();
    let women = file
        .add_division(&gender_division("Women", Gender::Female))
        .unwrap();
    let group = file
        .add_division(&age_group(
            "Women 35-39",
            Some(Gender::Female),
            35,
            Some(39),
        ))
        .unwrap();
    let members = |file: &CompetitionFile, division: i64| -> Vec<String> {
        file.competitors_in_division(division)
            .unwrap()
            .into_iter()
            .map(|competitor| competitor.bib)
            .collect()
    };
    assert_eq!(members(&file, women), ["1", "2"]);
    assert_eq!(members(&file, group), ["1"]);
    let mut widened = file
        .divisions()
        .unwrap()
        .into_iter()
        .find(|division| division.id == group)
        .unwrap();
    widened.name = "Women 35-49".into();
    widened.max_age = Some(49);
    file.update_division(&widened).unwrap();
    assert_eq!(members(&file, group), ["1", "2"]);
    let custom = file
        .add_division(&Division {
            id: 0,
            name: "Elite".into(),
            kind: DivisionKind::Custom,
            gender: None,
            min_age: None,
            max_age: None,
        })
        .unwrap();
    assert!(members(&file, custom).is_empty());
}

#[test]
fn chips_can_swap_between_competitors_on_reimport() {
    let (_directory, mut file) = new_file();
    let with_chip = |row: usize, bib: &str, chip: &str| CompetitorDraft {
        chip_ids: vec![chip.into()],
        ..draft(row, bib, "R", bib, Gender::Male)
    };
    file.import_competitors(&[with_chip(2, "1", "A"), with_chip(3, "2", "B")])
        .unwrap();
    let summary = file
        .import_competitors(&[with_chip(2, "1", "B"), with_chip(3, "2", "A")])
        .unwrap();
    assert_eq!(summary.updated, 2);
    assert_eq!(file.competitor_by_chip("A").unwrap().unwrap().bib, "2");
    assert_eq!(file.competitor_by_chip("B").unwrap().unwrap().bib, "1");
    // A chip held by someone not in the file still conflicts, naming the row.
    file.import_competitors(&[with_chip(2, "3", "C")]).unwrap();
    let error = file
        .import_competitors_from("late.csv", &[with_chip(2, "1", "C")])
        .unwrap_err();
    assert!(
        error
            .to_string()
            .starts_with("late.csv, row 2, field chip:"),
        "{error}"
    );
    assert_eq!(file.competitor_by_chip("B").unwrap().unwrap().bib, "1");
}

/// Two rows of one batch that share a registration id or a chip: the later
/// row is named (the batch keeps the rows before it, and they are what it
/// conflicts with), and the failed import stores nothing.
#[test]
fn a_conflict_between_two_rows_of_one_batch_names_the_later_row() {
    let (_directory, mut file) = new_file();
    file.add_division(&gender_division("Women", Gender::Female))
        .unwrap();
    let field = || -> Vec<CompetitorDraft> {
        (0..100)
            .map(|index| CompetitorDraft {
                chip_ids: vec![format!("C{index}")],
                external_ids: ExternalIds {
                    runsignup_registration_id: Some(format!("R{index}")),
                    ..ExternalIds::default()
                },
                ..draft(
                    index + 2,
                    &format!("{}", index + 1),
                    "A",
                    "B",
                    Gender::Female,
                )
            })
            .collect()
    };
    // Rows 12 and 31 (the 11th and 30th competitors) in the first batch.
    let mut rows = field();
    rows[29].external_ids.runsignup_registration_id = Some("R10".into());
    let error = file.import_competitors_from("pair.csv", &rows).unwrap_err();
    assert!(
        error
            .to_string()
            .starts_with("pair.csv, row 31, field runsignup_registration_id:"),
        "{error}"
    );
    // A chip shared by rows 70 and 90 (second batch).
    let mut rows = field();
    rows[88].chip_ids = vec!["C68".into()];
    let error = file.import_competitors_from("pair.csv", &rows).unwrap_err();
    assert!(
        error
            .to_string()
            .starts_with("pair.csv, row 90, field chip:"),
        "{error}"
    );
    assert!(file.competitors().unwrap().is_empty());
    assert!(file.competitor_by_chip("C0").unwrap().is_none());
    // The same field without the conflicts imports whole.
    assert_eq!(file.import_competitors(&field()).unwrap().new, 100);
}

/// New competitors are written many rows to a statement; a conflict inside
/// a full batch or the last, shorter one still names its own row and field,
/// and nothing of the import is stored.
#[test]
fn a_conflict_inside_a_batch_of_new_competitors_names_its_row() {
    let (_directory, mut file) = new_file();
    let women = file
        .add_division(&gender_division("Women", Gender::Female))
        .unwrap();
    file.import_competitors(&[CompetitorDraft {
        chip_ids: vec!["HELD".into()],
        external_ids: ExternalIds {
            runsignup_registration_id: Some("R-HELD".into()),
            ..ExternalIds::default()
        },
        ..draft(2, "held", "Hal", "Held", Gender::Male)
    }])
    .unwrap();
    let field = |count: usize| -> Vec<CompetitorDraft> {
        (0..count)
            .map(|index| CompetitorDraft {
                chip_ids: vec![format!("C{index}")],
                external_ids: ExternalIds {
                    runsignup_registration_id: Some(format!("R{index}")),
                    ..ExternalIds::default()
                },
                ..draft(
                    index + 2,
                    &format!("{}", index + 1),
                    "A",
                    "B",
                    Gender::Female,
                )
            })
            .collect()
    };
    // Row 72 (the 71st competitor, in the second batch of 64) takes a chip
    // held by a competitor outside the file; row 140 (in the last, shorter
    // batch) a registration id.
    let mut rows = field(150);
    rows[70].chip_ids = vec!["HELD".into()];
    let error = file.import_competitors_from("big.csv", &rows).unwrap_err();
    assert!(
        error
            .to_string()
            .starts_with("big.csv, row 72, field chip:"),
        "{error}"
    );
    let mut rows = field(150);
    rows[138].external_ids.runsignup_registration_id = Some("R-HELD".into());
    let error = file.import_competitors_from("big.csv", &rows).unwrap_err();
    assert!(
        error.to_string().starts_with("big.csv, row 140, field "),
        "{error}"
    );
    assert_eq!(file.competitors().unwrap().len(), 1);
    // Without conflicts every row, chip and membership is stored, with the
    // ids SQLite would give them, in file order.
    let summary = file.import_competitors(&field(150)).unwrap();
    assert_eq!(summary.new, 150);
    let stored = file.competitors().unwrap();
    assert_eq!(stored.len(), 151);
    for (index, competitor) in stored[1..].iter().enumerate() {
        assert_eq!(competitor.id, stored[0].id + 1 + index as i64);
        assert_eq!(competitor.bib, format!("{}", index + 1));
        assert_eq!(competitor.chip_ids, vec![format!("C{index}")]);
        assert_eq!(competitor.division_ids, vec![women]);
    }
}
