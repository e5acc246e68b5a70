//! The use-case workflows both shells call.

use scoretable_core::import::CompetitorDraft;
use scoretable_core::model::{
    ExternalIds, Id, LoadUnit, PublicationState, Rounding, Score, ScoreType, Source, TeamScoring,
    TieBreak, Workout,
};
use scoretable_inbound::record::RecordFormat;
use scoretable_store::{
    CompetitionFile, ConnectionState, Identifier, IdentifierKind, InboundRecord, InboundSource,
    RecordOutcome, ScoreValue, StoreError,
};
use scoretable_testkit::fixtures;
use scoretable_usecase::competition::slug_from_name;
use scoretable_usecase::feeds::{check_polled_feed, state_word};
use scoretable_usecase::review::{
    assign_review, resolve_conflict, ConflictDecision, ConflictOutcome,
};
use scoretable_usecase::scores::{enter_score_by_bib, TypedScore};
use scoretable_usecase::{classify, ErrorClass, UseCaseError};

struct Fixture {
    _directory: tempfile::TempDir,
    file: CompetitionFile,
    race: Id,
}

fn fixture() -> Fixture {
    let directory = tempfile::tempdir().unwrap();
    let mut file = CompetitionFile::create(
        directory.path().join("usecase.scoretable"),
        &fixtures::competition("Use Case Open", &slug_from_name("Use Case Open")),
    )
    .unwrap();
    let drafts: Vec<CompetitorDraft> = [
        ("1", "Lexi", "Moss", "524658"),
        ("2", "Cara", "Roe", "527182"),
    ]
    .iter()
    .enumerate()
    .map(|(position, (bib, first, last, feed))| {
        fixtures::feed_athlete(position + 2, bib, first, last, feed)
    })
    .collect();
    file.import_competitors_from("start-list.csv", &drafts)
        .unwrap();
    let race = file
        .add_workout(&fixtures::workout("Sprint", 1, ScoreType::Time))
        .unwrap();
    Fixture {
        _directory: directory,
        file,
        race,
    }
}

fn feed() -> InboundSource {
    InboundSource {
        name: "timing".into(),
        kind: Source::Feed,
    }
}

fn record(participant: &str, text: &str, ms: i64) -> InboundRecord {
    InboundRecord {
        index: 1,
        record_key: participant.into(),
        identifier: Identifier {
            kind: IdentifierKind::FeedParticipantId,
            value: participant.into(),
        },
        team: None,
        teammate: None,
        value: ScoreValue {
            text: text.into(),
            score: Some(Score::Time { ms }),
            status: None,
            tie_break_ms: None,
            penalty_ms: 0,
        },
        penalty_ms: 0,
        splits: Vec::new(),
        incidents: Vec::new(),
        fields: Vec::new(),
    }
}

#[test]
fn a_score_entered_by_bib_returns_bib_name_display_and_place() {
    let Fixture { mut file, race, .. } = fixture();
    let typed = |bib, value| TypedScore {
        workout_id: race,
        bib,
        value,
        tie_break: None,
    };
    let first = enter_score_by_bib(&mut file, &typed(" 2 ", "12:00.0"), "table one").unwrap();
    assert_eq!(
        (
            first.bib.as_str(),
            first.name.as_str(),
            first.display.as_str(),
            first.place
        ),
        ("2", "Cara Roe", "12:00.0", Some(1))
    );
    assert_eq!(first.workout_name, "Sprint");
    let second = enter_score_by_bib(&mut file, &typed("1", "11:00.0"), "table one").unwrap();
    assert_eq!((second.name.as_str(), second.place), ("Lexi Moss", Some(1)));
    let history = file.score_events(Some(race)).unwrap();
    assert!(history.iter().all(|event| event.who == "table one"));
}

#[test]
fn a_bad_tie_break_names_its_field_and_stores_nothing() {
    let Fixture { mut file, race, .. } = fixture();
    let error = enter_score_by_bib(
        &mut file,
        &TypedScore {
            workout_id: race,
            bib: "1",
            value: "12:00",
            tie_break: Some("soon"),
        },
        "table one",
    )
    .unwrap_err();
    assert_eq!(error.class, ErrorClass::Invalid);
    assert_eq!(error.field.as_deref(), Some("tie_break"));
    assert!(file.score_events(Some(race)).unwrap().is_empty());
}

#[test]
fn an_unknown_bib_is_not_found_on_the_bib_field() {
    let Fixture { mut file, race, .. } = fixture();
    let error = enter_score_by_bib(
        &mut file,
        &TypedScore {
            workout_id: race,
            bib: "99",
            value: "12:00",
            tie_break: None,
        },
        "table one",
    )
    .unwrap_err();
    assert_eq!(
        (error.class, error.field.as_deref()),
        (ErrorClass::NotFound, Some("bib"))
    );
}

#[test]
fn no_score_is_one_class_for_both_shells() {
    let error = StoreError::NoScore {
        workout: "Sprint".into(),
        entrant: "bib 1".into(),
    };
    assert_eq!(classify(&error), ErrorClass::NotFound);
    assert_eq!(UseCaseError::from(error).class, ErrorClass::NotFound);
    assert_eq!(classify(&StoreError::ReasonRequired), ErrorClass::Refused);
}

#[test]
fn conflict_acceptance_and_review_assignment_record_the_operator() {
    let Fixture { mut file, race, .. } = fixture();
    file.apply_inbound(&feed(), race, &[record("524658", "00:13:37.2", 817_200)])
        .unwrap();
    let changed = file
        .apply_inbound(&feed(), race, &[record("524658", "00:13:35.0", 815_000)])
        .unwrap();
    let RecordOutcome::Conflict { conflict_id, .. } = changed.records[0].outcome else {
        panic!("expected a conflict: {:?}", changed.records[0]);
    };
    // A blank reason is refused before anything changes.
    let blank = resolve_conflict(
        &mut file,
        conflict_id,
        "score table (ada)",
        ConflictDecision::Accept {
            reason: " ",
            appeal: None,
        },
    )
    .unwrap_err();
    assert_eq!(blank.field.as_deref(), Some("reason"));
    let outcome = resolve_conflict(
        &mut file,
        conflict_id,
        "score table (ada)",
        ConflictDecision::Accept {
            reason: "chip re-read",
            appeal: Some(""),
        },
    )
    .unwrap();
    let ConflictOutcome::Accepted(resolution) = outcome else {
        panic!("expected an acceptance");
    };
    assert_eq!(
        resolution.conflict.resolved_by.as_deref(),
        Some("score table (ada)")
    );
    let amended_by: Vec<String> = file
        .score_events(Some(race))
        .unwrap()
        .into_iter()
        .map(|event| event.who)
        .collect();
    assert!(
        amended_by.iter().any(|who| who == "score table (ada)"),
        "{amended_by:?}"
    );
    assert!(
        !amended_by.iter().any(|who| who == "official"),
        "{amended_by:?}"
    );

    // An unknown participant goes to the review queue; assigning it records the operator.
    let unknown = file
        .apply_inbound(&feed(), race, &[record("999999", "00:14:00.0", 840_000)])
        .unwrap();
    let review_id = file.review_items(true).unwrap()[0].id;
    assert_eq!(unknown.records.len(), 1);
    assign_review(&mut file, review_id, " 2 ", "score table (ada)").unwrap();
    let item = file.review_item(review_id).unwrap();
    assert_eq!(item.resolved_by.as_deref(), Some("score table (ada)"));
    assert!(assign_review(&mut file, review_id, "2", "  ").is_err());
}

#[test]
fn a_polled_feed_is_never_xlsx_and_polls_at_most_ten_times_a_second() {
    let xlsx = check_polled_feed(RecordFormat::Xlsx, 5_000).unwrap_err();
    assert_eq!(
        (xlsx.class, xlsx.field.as_deref()),
        (ErrorClass::Invalid, Some("format"))
    );
    let fast = check_polled_feed(RecordFormat::Json, 99).unwrap_err();
    assert_eq!(fast.field.as_deref(), Some("interval"));
    assert!(fast.message.contains("100 ms"), "{}", fast.message);
    check_polled_feed(RecordFormat::Json, 100).unwrap();
    check_polled_feed(RecordFormat::Csv, 60_000).unwrap();
}

#[test]
fn connection_states_have_one_word_each() {
    let words: Vec<&str> = [
        ConnectionState::Idle,
        ConnectionState::Ok,
        ConnectionState::BackingOff,
        ConnectionState::Error,
    ]
    .into_iter()
    .map(state_word)
    .collect();
    assert_eq!(words, ["never polled", "ok", "backing off", "error"]);
}

/// Sample names and their slugs; `ui/src/api/slug.fixture.json` holds the
/// same table and the UI mock's copy of the rule is tested against it.
const SLUG_SAMPLES: &str = include_str!("../../../../ui/src/api/slug.fixture.json");

#[test]
fn one_slug_rule_matches_the_shared_samples() {
    let samples: Vec<(String, String)> = serde_json::from_str(SLUG_SAMPLES).unwrap();
    assert!(samples.len() >= 6);
    for (name, slug) in samples {
        assert_eq!(slug_from_name(&name), slug, "slug of {name:?}");
    }
}

/// The fixture with bib 1 at 12:00 and bib 2 at 11:00 in its race.
fn two_scored() -> Fixture {
    let mut fixture = fixture();
    for (bib, value) in [("1", "12:00"), ("2", "11:00")] {
        enter_score_by_bib(
            &mut fixture.file,
            &TypedScore {
                workout_id: fixture.race,
                bib,
                value,
                tie_break: None,
            },
            "table",
        )
        .unwrap();
    }
    fixture
}

/// `amended` moved bib 1 (`lexi`) past bib 2 in `race` of [`two_scored`],
/// listed up to one change: the first of the store's two, both counted.
fn first_of_two_listed(
    file: &CompetitionFile,
    race: Id,
    lexi: scoretable_core::model::Entrant,
    amended: &scoretable_usecase::boards::Amended,
) {
    let expected = file
        .placement_changes_since(race, lexi, amended.receipt.old.as_ref())
        .unwrap();
    assert_eq!(expected.len(), 2, "{expected:?}");
    assert_eq!(amended.receipt.moved, expected[..1]);
    assert_eq!((amended.changes, amended.entrants), (2, 2));
}

/// A kept board follows the app's own amendments and entries in place (the
/// who-moved list from the board equals the store's), and a write by another
/// handle makes it rebuild once.
#[test]
fn kept_boards_follow_local_writes_and_rebuild_after_another_program_writes() {
    use scoretable_usecase::boards::KeptBoards;
    let mut fixture = two_scored();
    let race = fixture.race;
    let mut boards = KeptBoards::default();
    let first = boards.board(&fixture.file, race).unwrap().rows(0..10);
    assert_eq!(first, fixture.file.workout_board(race, None).unwrap().rows);
    let generation = boards.generation();
    let lexi = fixture.file.entrant_by_bib(race, "1").unwrap();
    // Listed up to one change, counted in full.
    let amended = boards
        .amend(
            &mut fixture.file,
            race,
            lexi,
            scoretable_store::ScoreInput::text("10:00"),
            "judge",
            "timing error",
            None,
            1,
        )
        .unwrap();
    first_of_two_listed(&fixture.file, race, lexi, &amended);
    assert!(boards.is_kept(race), "updated in place, not dropped");
    assert!(boards.generation() > generation);
    assert_eq!(
        boards.board(&fixture.file, race).unwrap().rows(0..10),
        fixture.file.workout_board(race, None).unwrap().rows
    );
    // Another handle (another program) amends: the board is rebuilt once.
    let path = fixture.file.path().to_path_buf();
    {
        let mut other = CompetitionFile::open(&path).unwrap();
        let cara = other.entrant_by_bib(race, "2").unwrap();
        other
            .record_amendment(
                race,
                cara,
                scoretable_store::ScoreInput::text("9:00"),
                "judge",
                "photo finish",
                None,
            )
            .unwrap();
        other.close().unwrap();
    }
    let rows = boards.board(&fixture.file, race).unwrap().rows(0..10);
    assert_eq!(rows, fixture.file.workout_board(race, None).unwrap().rows);
    assert_eq!(rows[0].display, "9:00.0");
}

/// A one-shot amendment (the CLI's `score amend`) counts who moved in
/// full and lists it up to the limit, as the store's full list orders it.
#[test]
fn a_one_shot_amendment_counts_who_moved_and_lists_the_first() {
    use scoretable_usecase::scores::amend_score;
    let mut fixture = two_scored();
    let race = fixture.race;
    let lexi = fixture.file.entrant_by_bib(race, "1").unwrap();
    let amended = amend_score(
        &mut fixture.file,
        race,
        lexi,
        scoretable_store::ScoreInput::text("10:00"),
        "judge",
        "timing error",
        None,
        1,
    )
    .unwrap();
    first_of_two_listed(&fixture.file, race, lexi, &amended);
    assert_eq!(amended.receipt.display, "10:00.0");
}

/// A scores file finds its entrants with the store's bib rule (the CLI had
/// its own copy of it): a relay team by its bib, a competitor by theirs.
#[test]
fn a_scores_file_finds_entrants_by_the_rule_typed_entry_uses() {
    use scoretable_core::model::{Entrant, Team, TeamMember};
    use scoretable_usecase::imports::import_scores_csv;

    let mut fixture = fixture();
    let file = &mut fixture.file;
    let lexi = file.competitor_by_bib("1").unwrap().unwrap();
    let cara = file.competitor_by_bib("2").unwrap().unwrap();
    let team = file
        .add_team(&Team {
            id: 0,
            name: "Harbour Relay".into(),
            bib: Some("R1".into()),
            country: None,
            division_ids: Vec::new(),
            members: vec![
                TeamMember {
                    competitor_id: lexi.id,
                    order: 1,
                },
                TeamMember {
                    competitor_id: cara.id,
                    order: 2,
                },
            ],
            external_ids: ExternalIds::default(),
        })
        .unwrap();
    let relay_id = file
        .add_workout(&Workout {
            id: 0,
            name: "Relay".into(),
            sequence: 2,
            score_type: ScoreType::Time,
            time_cap_ms: None,
            reps_per_round: None,
            load_unit: LoadUnit::Kg,
            tie_break: TieBreak::None,
            rounding: Rounding::Exact,
            team_scoring: TeamScoring::TeamChip,
            timing_points: Vec::new(),
            heats: Vec::new(),
            state: PublicationState::Provisional,
        })
        .unwrap();
    let relay = file.workout(relay_id).unwrap();
    assert_eq!(
        file.entrant_by_bib(relay_id, "R1").unwrap(),
        Entrant::Team(team)
    );
    let import = import_scores_csv(
        file,
        &relay,
        "relay.csv",
        "bib,time\nR1,20:00.0\n".as_bytes(),
    )
    .unwrap();
    assert_eq!((import.rows, import.summary.inserted), (1, 1));
    assert!(file
        .result(relay_id, Entrant::Team(team))
        .unwrap()
        .is_some());
    assert!(file
        .result(relay_id, Entrant::Competitor(lexi.id))
        .unwrap()
        .is_none());
    // Unknown bibs: every one named with file, row and field; nothing stored.
    let error = import_scores_csv(
        file,
        &relay,
        "late.csv",
        "bib,time\n2,21:00.0\n77,22:00.0\n78,23:00.0\n".as_bytes(),
    )
    .unwrap_err();
    assert_eq!(error.class, ErrorClass::Invalid);
    assert_eq!(
        error.message,
        "late.csv has 2 unknown bibs; nothing was imported"
    );
    let rows: Vec<(Option<&str>, Option<u64>, Option<&str>)> = error
        .problems
        .iter()
        .map(|problem| {
            (
                problem.file.as_deref(),
                problem.row,
                problem.field.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        vec![
            (Some("late.csv"), Some(3), Some("bib")),
            (Some("late.csv"), Some(4), Some("bib"))
        ]
    );
    assert!(file
        .result(relay_id, Entrant::Competitor(cara.id))
        .unwrap()
        .is_none());
}

/// Event generation lives here (the CLI's `demo` and the benchmarks call
/// it): every generated entrant and result lands on the stored ids.
#[test]
fn a_generated_event_is_written_through_the_store() {
    use scoretable_usecase::generate::{write_event, ResultEntryMode};

    let directory = tempfile::tempdir().unwrap();
    let event = scoretable_core::generate::demo_event();
    let path = directory.path().join("demo.scoretable");
    let (file, summary) = write_event(&path, &event, ResultEntryMode::AsRecorded).unwrap();
    assert_eq!(summary.competitors, event.competitors.len());
    assert_eq!(summary.workouts, event.workouts.len());
    let results: usize = event.results.iter().map(Vec::len).sum();
    assert_eq!(summary.results_entered + summary.results_imported, results);
    assert!(summary.results_entered > 0);
    assert_eq!(file.competitors().unwrap().len(), event.competitors.len());
    // Writing over an existing file is refused, naming it.
    drop(file);
    let error = write_event(&path, &event, ResultEntryMode::ImportAll).unwrap_err();
    assert_eq!(error.class, ErrorClass::Conflict, "{error}");
}

/// Sync targets: one add for both shells, checked by the platform's adapter
/// (the unknown platform and the bad setting name their field), with the
/// secret in the secret store and never in the competition file.
#[test]
fn a_sync_target_is_added_through_its_adapter_with_its_secret_outside_the_file() {
    use scoretable_store::TargetWorkout;
    use scoretable_sync::{SecretStore, TargetSpec};
    use scoretable_usecase::sync_targets::add_sync_target;

    std::env::set_var("SCORETABLE_SECRET_BACKEND", "file");
    let mut fixture = fixture();
    let secrets_dir = tempfile::tempdir().unwrap();
    let secrets = SecretStore {
        fallback_dir: Some(secrets_dir.path().to_path_buf()),
    };
    fixture
        .file
        .enter_score_by_bib(
            fixture.race,
            "1",
            scoretable_store::ScoreInput::text("20:00.0"),
            "t",
        )
        .unwrap();
    let spec = |platform: &str, event: &str| TargetSpec {
        name: "rsu".into(),
        platform: platform.into(),
        endpoint: "https://runsignup.example".into(),
        config: serde_json::json!({"race_id": "777"}),
        workouts: vec![TargetWorkout {
            workout_id: fixture.race,
            remote_id: event.into(),
        }],
    };
    let unknown =
        add_sync_target(&mut fixture.file, &spec("runsignop", "1"), None, &secrets).unwrap_err();
    assert_eq!(unknown.class, ErrorClass::Invalid);
    assert_eq!(unknown.field.as_deref(), Some("platform"));
    assert!(unknown.message.contains("runsignup_virtual"), "{unknown}");
    let bad_event =
        add_sync_target(&mut fixture.file, &spec("runsignup", "E1"), None, &secrets).unwrap_err();
    assert_eq!(bad_event.class, ErrorClass::Invalid);
    assert!(bad_event.message.contains("event_id"), "{bad_event}");
    assert!(fixture.file.sync_targets().unwrap().is_empty());
    let added = add_sync_target(
        &mut fixture.file,
        &spec("runsignup", "4001"),
        Some("key-1:very-secret-value"),
        &secrets,
    )
    .unwrap();
    assert_eq!(added.target.platform, "runsignup");
    assert_eq!(added.queued, 1);
    assert!(added.secret_backend.unwrap().contains("file"));
    let path = fixture.file.path().to_path_buf();
    drop(fixture.file);
    let mut bytes = std::fs::read(&path).unwrap();
    if let Ok(wal) = std::fs::read(path.with_extension("scoretable-wal")) {
        bytes.extend(wal);
    }
    assert!(!bytes
        .windows(b"very-secret-value".len())
        .any(|window| window == b"very-secret-value"));
}

/// Another handle of the process (the sync worker, whose commits are their
/// own hand-off) commits in the instant between the boards' last reading of
/// the file and the stamp taken before this handle's amendment: its writes
/// (its opening's session row, a settings write) are settled with the
/// rest, the board stays kept and takes the amendment in place. It used to
/// drop every board (the kept stamp was not the one before the write): a
/// rebuild, and the flaky `session::the_sync_workers_writes_keep_the_boards`.
#[test]
fn a_handed_write_just_before_an_own_write_keeps_the_boards() {
    use scoretable_usecase::boards::KeptBoards;
    let mut fixture = two_scored();
    let race = fixture.race;
    let mut boards = KeptBoards::default();
    boards.board(&fixture.file, race).unwrap();
    let generation = boards.generation();
    let writer = boards.inbox().writer(true);
    let mut worker = CompetitionFile::open_handing_writes(fixture.file.path(), move |notice| {
        writer.notice(notice)
    })
    .unwrap();
    let settings = worker.leaderboard_settings().unwrap();
    worker.set_leaderboard_settings(&settings).unwrap();
    // The stamp before the write, taken after the worker's commits.
    let before = fixture.file.change_stamp().unwrap();
    let lexi = fixture.file.entrant_by_bib(race, "1").unwrap();
    fixture
        .file
        .record_amendment(
            race,
            lexi,
            scoretable_store::ScoreInput::text("10:00"),
            "judge",
            "timing error",
            None,
        )
        .unwrap();
    let moved = boards
        .after_write(&fixture.file, before, race, lexi)
        .unwrap()
        .expect("the kept board took the amendment in place");
    assert_eq!(moved.len(), 2);
    assert!(boards.is_kept(race), "kept, not dropped");
    assert!(boards.generation() > generation);
    assert_eq!(
        boards.board(&fixture.file, race).unwrap().rows(0..10),
        fixture.file.workout_board(race, None).unwrap().rows
    );
    // Still kept when read again: the worker's writes were taken in.
    boards.observe(&fixture.file).unwrap();
    assert!(boards.is_kept(race));
    worker.close().unwrap();
}

/// A write that changes no board (the overall settings) keeps the kept
/// workout board; an amendment after it is still applied in place.
#[test]
fn an_unrelated_write_keeps_the_boards() {
    use scoretable_usecase::boards::KeptBoards;
    let mut fixture = fixture();
    let race = fixture.race;
    enter_score_by_bib(
        &mut fixture.file,
        &TypedScore {
            workout_id: race,
            bib: "1",
            value: "12:00",
            tie_break: None,
        },
        "table",
    )
    .unwrap();
    let mut boards = KeptBoards::default();
    boards.board(&fixture.file, race).unwrap();
    let generation = boards.generation();
    let before = fixture.file.change_stamp().unwrap();
    let settings = fixture.file.leaderboard_settings().unwrap();
    fixture.file.set_leaderboard_settings(&settings).unwrap();
    boards.after_unrelated_write(&fixture.file, before).unwrap();
    boards.observe(&fixture.file).unwrap();
    assert!(boards.is_kept(race));
    assert_eq!(boards.generation(), generation);
    // Without telling the boards, the same write drops them.
    fixture.file.set_leaderboard_settings(&settings).unwrap();
    boards.observe(&fixture.file).unwrap();
    assert!(!boards.is_kept(race));
}

/// Competitor imports: one workflow for both shells; bad rows are all
/// listed with file, row and field and nothing changes; progress is heard.
#[test]
fn a_competitor_list_imports_all_or_nothing_with_every_bad_row_named() {
    use scoretable_usecase::imports::import_competitors_csv;

    let mut fixture = fixture();
    let before = fixture.file.competitors().unwrap();
    let error = import_competitors_csv(
        &mut fixture.file,
        "people.csv",
        "bib,first_name,last_name,gender\n3,Ana,Lind,F\n,Bo,Berg,M\n4,Cy,Dahl,Q\n".as_bytes(),
        &mut |_| {},
    )
    .unwrap_err();
    assert_eq!(error.class, ErrorClass::Invalid);
    let rows: Vec<(Option<u64>, Option<&str>)> = error
        .problems
        .iter()
        .map(|problem| (problem.row, problem.field.as_deref()))
        .collect();
    assert_eq!(rows.len(), 2, "{:?}", error.problems);
    assert!(rows.iter().any(|(row, _)| *row == Some(3)), "{rows:?}");
    assert!(rows.iter().any(|(row, _)| *row == Some(4)), "{rows:?}");
    assert!(error
        .problems
        .iter()
        .all(|problem| problem.file.as_deref() == Some("people.csv")));
    assert_eq!(fixture.file.competitors().unwrap(), before);
    let mut heard = Vec::new();
    let import = import_competitors_csv(
        &mut fixture.file,
        "people.csv",
        "bib,first_name,last_name\n3,Ana,Lind\n1,Lexi,Moss\n".as_bytes(),
        &mut |progress| heard.push((progress.done, progress.total)),
    )
    .unwrap();
    assert_eq!(import.rows, 2);
    assert_eq!(import.summary.new, 1);
    assert_eq!(heard.first(), Some(&(0, 2)));
    assert_eq!(heard.last(), Some(&(2, 2)));
}

/// Adding a polled feed: one format word rule and one add for both shells
/// (the feed checks first, then the store's).
#[test]
fn a_polled_feed_is_added_by_one_rule() {
    use scoretable_usecase::feeds::{add_connection, parse_format_word, FeedDetails};

    assert_eq!(parse_format_word("  ").unwrap(), None);
    assert_eq!(parse_format_word("TSV").unwrap(), Some(RecordFormat::Csv));
    let unknown = parse_format_word("pdf").unwrap_err();
    assert_eq!(unknown.field.as_deref(), Some("format"));
    assert!(unknown.message.contains("world_triathlon"), "{unknown}");
    let mut fixture = fixture();
    let details = |format, interval_ms, mapping_name| FeedDetails {
        name: " timing ",
        url: "https://timing.example/results.json",
        workout_id: fixture.race,
        mapping_name,
        format,
        interval_ms,
        auth_env: Some(" TIMING_TOKEN "),
    };
    let xlsx = add_connection(
        &mut fixture.file,
        &details(RecordFormat::Xlsx, 1_000, "feed"),
    )
    .unwrap_err();
    assert_eq!(xlsx.field.as_deref(), Some("format"));
    let fast =
        add_connection(&mut fixture.file, &details(RecordFormat::Json, 50, "feed")).unwrap_err();
    assert_eq!(fast.field.as_deref(), Some("interval"));
    let no_mapping = add_connection(
        &mut fixture.file,
        &details(RecordFormat::Json, 1_000, "missing"),
    )
    .unwrap_err();
    assert_eq!(no_mapping.class, ErrorClass::NotFound);
    assert!(fixture.file.connections().unwrap().is_empty());
}
