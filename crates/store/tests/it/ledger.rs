//! The import ledger, conflict inbox, review queue, saved mappings and
//! connections (`scoretable_store::ledger`).

use scoretable_core::import::CompetitorDraft;
use scoretable_core::model::{
    Entrant, ExternalIds, Id, PublicationState, Score, ScoreType, Source, Status, Team, TeamMember,
    TeamScoring, Workout,
};
use scoretable_store::{
    CompetitionFile, ConflictState, ConnectionState, Identifier, IdentifierKind, InboundRecord,
    InboundSource, NewConnection, RecordOutcome, ReviewState, ScoreInput, ScoreValue, StoreError,
};
use scoretable_testkit::fixtures;

struct Fixture {
    _directory: tempfile::TempDir,
    file: CompetitionFile,
    race: Id,
}

fn workout(name: &str, team_scoring: TeamScoring) -> Workout {
    Workout {
        team_scoring,
        ..fixtures::workout(name, 1, ScoreType::Time)
    }
}

/// Four athletes with feed participant ids 524658, 527182, 530001, 530002.
fn fixture() -> Fixture {
    let directory = tempfile::tempdir().unwrap();
    let mut file = CompetitionFile::create(
        directory.path().join("feed.scoretable"),
        &fixtures::competition("Feed Open", "feed-open"),
    )
    .unwrap();
    let people = [
        ("1", "Lexi", "DeSaracho", "524658"),
        ("2", "Allison", "McClellan", "527182"),
        ("3", "Cara", "Moss", "530001"),
        ("4", "Dana", "Roe", "530002"),
    ];
    let drafts: Vec<CompetitorDraft> = people
        .iter()
        .enumerate()
        .map(|(position, (bib, first, last, feed))| {
            fixtures::feed_athlete(position + 2, bib, first, last, feed)
        })
        .collect();
    file.import_competitors_from("start-list.csv", &drafts)
        .unwrap();
    let race = file
        .add_workout(&workout("Sprint", TeamScoring::Individual))
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

fn time_value(text: &str, ms: i64) -> ScoreValue {
    ScoreValue {
        text: text.into(),
        score: Some(Score::Time { ms }),
        status: None,
        tie_break_ms: None,
        penalty_ms: 0,
    }
}

fn record(index: u64, participant: &str, text: &str, ms: i64) -> InboundRecord {
    InboundRecord {
        index,
        record_key: participant.into(),
        identifier: Identifier {
            kind: IdentifierKind::FeedParticipantId,
            value: participant.into(),
        },
        team: None,
        teammate: None,
        value: time_value(text, ms),
        penalty_ms: 0,
        splits: Vec::new(),
        incidents: Vec::new(),
        fields: vec![("CompCornerID".into(), participant.into())],
    }
}

fn competitor(file: &CompetitionFile, bib: &str) -> Entrant {
    Entrant::Competitor(file.competitor_by_bib(bib).unwrap().unwrap().id)
}

fn effective(file: &CompetitionFile, workout: Id, entrant: Entrant) -> ScoreValue {
    file.result(workout, entrant)
        .unwrap()
        .unwrap()
        .effective_value()
        .cloned()
        .unwrap()
}

#[test]
fn imported_records_are_skipped_and_amendments_survive_later_polls() {
    let Fixture { mut file, race, .. } = fixture();
    let lexi = competitor(&file, "1");
    let first = file
        .apply_inbound(
            &feed(),
            race,
            &[
                record(1, "524658", "00:13:37.2", 817_200),
                record(2, "527182", "00:13:59.1", 839_100),
            ],
        )
        .unwrap();
    assert_eq!(first.imported, 2);
    assert!(first.batch_id.is_some());
    assert_eq!(
        first.records[0].outcome,
        RecordOutcome::Imported { entrant: lexi }
    );
    let stored = file.result(race, lexi).unwrap().unwrap();
    assert_eq!(stored.source, Source::Feed);
    assert_eq!(stored.provenance.record_id.as_deref(), Some("524658"));
    assert_eq!(stored.provenance.source_name.as_deref(), Some("timing"));

    // The same payload again: everything skipped, nothing written.
    let events_before = file.score_events(Some(race)).unwrap().len();
    let second = file
        .apply_inbound(
            &feed(),
            race,
            &[
                record(1, "524658", "00:13:37.200", 817_200),
                record(2, "527182", "00:13:59.1", 839_100),
            ],
        )
        .unwrap();
    assert_eq!((second.imported, second.unchanged), (0, 2));
    assert_eq!(file.score_events(Some(race)).unwrap().len(), events_before);

    // An official amends after an appeal; the feed keeps sending the old value.
    file.amend_score(
        race,
        lexi,
        "13:30.0",
        "chief judge",
        "appeal 7",
        Some("A-7"),
    )
    .unwrap();
    let third = file
        .apply_inbound(&feed(), race, &[record(1, "524658", "00:13:37.2", 817_200)])
        .unwrap();
    assert_eq!(third.unchanged, 1);
    assert_eq!(
        effective(&file, race, lexi).score,
        Some(Score::Time { ms: 810_000 })
    );
    assert!(file.inbound_conflicts(true).unwrap().is_empty());
    assert_eq!(file.ledger_size("timing", race).unwrap(), 2);
}

#[test]
fn a_changed_source_value_goes_to_the_conflict_inbox_and_is_never_applied_silently() {
    let Fixture { mut file, race, .. } = fixture();
    let lexi = competitor(&file, "1");
    file.apply_inbound(&feed(), race, &[record(1, "524658", "00:13:37.2", 817_200)])
        .unwrap();
    let changed = file
        .apply_inbound(&feed(), race, &[record(1, "524658", "00:13:35.0", 815_000)])
        .unwrap();
    assert_eq!(changed.new_conflicts, 1);
    let RecordOutcome::Conflict {
        conflict_id,
        new: true,
        ..
    } = changed.records[0].outcome
    else {
        panic!("expected a new conflict: {:?}", changed.records[0]);
    };
    // The result is untouched.
    assert_eq!(
        effective(&file, race, lexi).score,
        Some(Score::Time { ms: 817_200 })
    );
    // The same different value again only bumps the open conflict.
    let again = file
        .apply_inbound(&feed(), race, &[record(1, "524658", "00:13:35.0", 815_000)])
        .unwrap();
    assert_eq!((again.new_conflicts, again.pending_conflicts), (0, 1));
    let inbox = file.inbound_conflicts(true).unwrap();
    assert_eq!(inbox.len(), 1);
    assert_eq!(inbox[0].id, conflict_id);
    assert_eq!(inbox[0].times_seen, 2);
    assert_eq!(inbox[0].entrant_label, "bib 1 (Lexi DeSaracho)");
    assert_eq!(
        inbox[0].ledger_value.score,
        Some(Score::Time { ms: 817_200 })
    );
    assert_eq!(
        inbox[0].incoming_value.score,
        Some(Score::Time { ms: 815_000 })
    );

    // Accepting is an audited amendment with the official's reason.
    let error = file
        .accept_conflict(conflict_id, "chief judge", "  ", None)
        .unwrap_err();
    assert!(matches!(error, StoreError::ReasonRequired), "{error}");
    let resolution = file
        .accept_conflict(conflict_id, "chief judge", "timing re-read", Some("A-9"))
        .unwrap();
    assert_eq!(resolution.conflict.state, ConflictState::Accepted);
    let amendment = resolution.amendment.expect("an amendment was made");
    assert_eq!(
        resolution.conflict.amendment_event_id,
        Some(amendment.event_id)
    );
    assert_eq!(
        effective(&file, race, lexi).score,
        Some(Score::Time { ms: 815_000 })
    );
    let history = file.score_history(race, lexi).unwrap();
    assert_eq!(
        history.last().unwrap().reason.as_deref(),
        Some("timing re-read")
    );
    assert_eq!(history.last().unwrap().appeal_ref.as_deref(), Some("A-9"));
    // The accepted value is the ledger's value now: skipped from here on.
    let after = file
        .apply_inbound(&feed(), race, &[record(1, "524658", "00:13:35.0", 815_000)])
        .unwrap();
    assert_eq!(after.unchanged, 1);
    // A resolved conflict cannot be resolved again.
    assert!(file
        .accept_conflict(conflict_id, "chief judge", "again", None)
        .is_err());
}

#[test]
fn dismissed_values_stay_dismissed_and_newer_values_supersede_open_conflicts() {
    let Fixture { mut file, race, .. } = fixture();
    file.apply_inbound(&feed(), race, &[record(1, "524658", "00:13:37.2", 817_200)])
        .unwrap();
    let first = file
        .apply_inbound(&feed(), race, &[record(1, "524658", "00:13:40.0", 820_000)])
        .unwrap();
    let RecordOutcome::Conflict {
        conflict_id: first_conflict,
        ..
    } = first.records[0].outcome
    else {
        panic!()
    };
    // Yet another value supersedes the open conflict.
    let second = file
        .apply_inbound(&feed(), race, &[record(1, "524658", "00:13:41.0", 821_000)])
        .unwrap();
    let RecordOutcome::Conflict {
        conflict_id: second_conflict,
        new: true,
        ..
    } = second.records[0].outcome
    else {
        panic!()
    };
    assert_ne!(first_conflict, second_conflict);
    assert_eq!(
        file.inbound_conflict(first_conflict).unwrap().state,
        ConflictState::Superseded
    );
    file.dismiss_conflict(second_conflict, "chief judge", "chip misread")
        .unwrap();
    let dismissed = file
        .apply_inbound(&feed(), race, &[record(1, "524658", "00:13:41.0", 821_000)])
        .unwrap();
    assert_eq!(dismissed.dismissed, 1);
    assert!(file.inbound_conflicts(true).unwrap().is_empty());
    // Going back to the ledger value closes nothing and changes nothing.
    let back = file
        .apply_inbound(&feed(), race, &[record(1, "524658", "00:13:37.2", 817_200)])
        .unwrap();
    assert_eq!(back.unchanged, 1);
    // An open conflict is superseded when the source goes back to the ledger value.
    file.apply_inbound(&feed(), race, &[record(1, "524658", "00:13:50.0", 830_000)])
        .unwrap();
    assert_eq!(file.inbound_conflicts(true).unwrap().len(), 1);
    file.apply_inbound(&feed(), race, &[record(1, "524658", "00:13:37.2", 817_200)])
        .unwrap();
    assert!(file.inbound_conflicts(true).unwrap().is_empty());
    assert_eq!(file.inbound_conflicts(false).unwrap().len(), 3);
}

#[test]
fn unknown_participants_wait_in_the_review_queue_until_assigned() {
    let Fixture { mut file, race, .. } = fixture();
    let stranger = record(3, "999999", "00:14:00.0", 840_000);
    let report = file
        .apply_inbound(&feed(), race, std::slice::from_ref(&stranger))
        .unwrap();
    assert_eq!(report.unknown, 1);
    let RecordOutcome::Unknown { review_id, reason } = &report.records[0].outcome else {
        panic!()
    };
    assert_eq!(reason, "no competitor has feed_participant_id \"999999\"");
    // Seen again: the same review item, counted.
    file.apply_inbound(&feed(), race, std::slice::from_ref(&stranger))
        .unwrap();
    let queue = file.review_items(true).unwrap();
    assert_eq!(queue.len(), 1);
    assert_eq!(queue[0].id, *review_id);
    assert_eq!(queue[0].times_seen, 2);
    assert_eq!(queue[0].identifier.value, "999999");
    // Assigning imports the stored record for that competitor.
    let cara = competitor(&file, "3");
    let assigned = file.assign_review(*review_id, cara, "desk").unwrap();
    assert_eq!(assigned.imported, 1);
    assert_eq!(
        effective(&file, race, cara).score,
        Some(Score::Time { ms: 840_000 })
    );
    assert_eq!(
        file.review_item(*review_id).unwrap().state,
        ReviewState::Assigned
    );
    // Later polls find the assignment and skip the record.
    let later = file.apply_inbound(&feed(), race, &[stranger]).unwrap();
    assert_eq!(later.unchanged, 1);
    // A dismissed unknown record is ignored from then on.
    let other = record(4, "888888", "00:15:00.0", 900_000);
    let report = file
        .apply_inbound(&feed(), race, std::slice::from_ref(&other))
        .unwrap();
    let RecordOutcome::Unknown { review_id, .. } = report.records[0].outcome.clone() else {
        panic!()
    };
    file.dismiss_review(review_id, "desk").unwrap();
    let ignored = file.apply_inbound(&feed(), race, &[other]).unwrap();
    assert_eq!(ignored.ignored, 1);
}

#[test]
fn an_entrant_scored_elsewhere_is_matched_or_raises_a_conflict() {
    let Fixture { mut file, race, .. } = fixture();
    let lexi = competitor(&file, "1");
    let allison = competitor(&file, "2");
    file.enter_score(race, lexi, ScoreInput::text("13:37.2"), "table 1")
        .unwrap();
    file.enter_score(race, allison, ScoreInput::text("14:00"), "table 1")
        .unwrap();
    let report = file
        .apply_inbound(
            &feed(),
            race,
            &[
                record(1, "524658", "00:13:37.2", 817_200),
                record(2, "527182", "00:13:59.1", 839_100),
            ],
        )
        .unwrap();
    assert_eq!(report.matched, 1);
    assert_eq!(report.new_conflicts, 1);
    assert_eq!(
        effective(&file, race, allison).score,
        Some(Score::Time { ms: 840_000 })
    );
    // The same records in one batch twice: the second is compared, not imported.
    let Fixture { mut file, race, .. } = fixture();
    let duplicate = file
        .apply_inbound(
            &feed(),
            race,
            &[
                record(1, "524658", "00:13:37.2", 817_200),
                record(2, "524658", "00:13:37.2", 817_200),
            ],
        )
        .unwrap();
    assert_eq!((duplicate.imported, duplicate.unchanged), (1, 1));
}

#[test]
fn a_crash_between_the_import_and_the_ledger_heals_on_the_next_poll() {
    let Fixture { mut file, race, .. } = fixture();
    let lexi = competitor(&file, "1");
    // The import committed but the ledger write did not.
    file.import_results(
        race,
        Source::Feed,
        "timing",
        &[scoretable_store::ImportedResult {
            row: 1,
            entrant: lexi,
            value: ScoreInput::score(Score::Time { ms: 817_200 }),
            penalty_ms: 0,
            splits: Vec::new(),
            incidents: Vec::new(),
            record_id: Some("524658".into()),
            received_at: None,
        }],
    )
    .unwrap();
    let report = file
        .apply_inbound(&feed(), race, &[record(1, "524658", "00:13:37.2", 817_200)])
        .unwrap();
    assert_eq!(report.imported, 1, "{report:?}");
    assert_eq!(file.ledger_size("timing", race).unwrap(), 1);
    let again = file
        .apply_inbound(&feed(), race, &[record(1, "524658", "00:13:37.2", 817_200)])
        .unwrap();
    assert_eq!(again.unchanged, 1);
}

#[test]
fn statuses_and_official_workouts() {
    let Fixture { mut file, race, .. } = fixture();
    let mut dnf = record(1, "524658", "DNF", 0);
    dnf.value = ScoreValue {
        text: "DNF".into(),
        score: None,
        status: Some(Status::Dnf),
        tie_break_ms: None,
        penalty_ms: 0,
    };
    assert_eq!(
        file.apply_inbound(&feed(), race, &[dnf]).unwrap().imported,
        1
    );
    file.set_workout_state(race, PublicationState::Official)
        .unwrap();
    let error = file
        .apply_inbound(&feed(), race, &[record(2, "527182", "00:13:59.1", 839_100)])
        .unwrap_err();
    assert!(
        matches!(error, StoreError::WorkoutIsOfficial { .. }),
        "{error}"
    );
}

fn add_team(file: &mut CompetitionFile, name: &str, bibs: &[&str]) -> Id {
    let members = bibs
        .iter()
        .enumerate()
        .map(|(order, bib)| TeamMember {
            competitor_id: file.competitor_by_bib(bib).unwrap().unwrap().id,
            order: order as u32 + 1,
        })
        .collect();
    file.add_team(&Team {
        id: 0,
        name: name.into(),
        bib: Some(format!("T-{name}")),
        country: None,
        division_ids: Vec::new(),
        members,
        external_ids: ExternalIds {
            feed_participant_id: Some(format!("team-{name}")),
            ..ExternalIds::default()
        },
    })
    .unwrap()
}

#[test]
fn per_member_chips_aggregate_through_the_teammate_id_and_stay_provisional_until_complete() {
    let Fixture { mut file, .. } = fixture();
    add_team(&mut file, "Red", &["1", "2"]);
    add_team(&mut file, "Blue", &["3"]);
    let relay = file
        .add_workout(&Workout {
            sequence: 2,
            ..workout("Relay", TeamScoring::SumAll)
        })
        .unwrap();
    let member = |index: u64, participant: &str, team: &str, ms: i64| {
        let mut member = record(index, participant, "t", ms);
        member.team = Some(Identifier {
            kind: IdentifierKind::TeamName,
            value: team.into(),
        });
        member
    };
    let first = file
        .apply_inbound(&feed(), relay, &[member(1, "524658", "red", 600_000)])
        .unwrap();
    assert_eq!(first.imported, 1);
    assert_eq!(first.team_progress.len(), 1);
    assert_eq!(first.team_progress[0].name, "Red");
    assert!(first.team_progress[0].provisional);
    assert_eq!(
        (
            first.team_progress[0].members_scored,
            first.team_progress[0].needed
        ),
        (1, 2)
    );
    let board = file.workout_leaderboard(relay, None).unwrap();
    let red = board
        .iter()
        .find(|row| matches!(row.entrant, Entrant::Team(_)) && row.partial);
    assert!(
        red.is_some(),
        "the partial team shows as provisional: {board:?}"
    );
    let second = file
        .apply_inbound(
            &feed(),
            relay,
            &[
                member(1, "524658", "red", 600_000),
                member(2, "527182", "Red", 610_000),
                // Cara is on Blue, not Red: review, not a silent import.
                member(3, "530001", "Red", 620_000),
                // Dana is in no team at all.
                record(4, "530002", "t", 630_000),
            ],
        )
        .unwrap();
    assert_eq!(second.imported, 1);
    assert_eq!(second.unknown, 2);
    assert!(!second.team_progress[0].provisional);
    let reasons: Vec<String> = file
        .review_items(true)
        .unwrap()
        .into_iter()
        .map(|item| item.reason)
        .collect();
    assert!(
        reasons.contains(
            &"feed_participant_id \"530001\" is not a member of team Red (team_name \"Red\")"
                .to_string()
        ),
        "{reasons:?}"
    );
    assert!(
        reasons
            .iter()
            .any(|reason| reason.contains("is in no team")),
        "{reasons:?}"
    );
}

#[test]
fn one_chip_per_team_scores_the_team_directly() {
    let Fixture { mut file, .. } = fixture();
    let red = add_team(&mut file, "Red", &["1", "2"]);
    let chip_race = file
        .add_workout(&Workout {
            sequence: 2,
            ..workout("Team chip", TeamScoring::TeamChip)
        })
        .unwrap();
    let mut by_team_id = record(1, "team-Red", "t", 700_000);
    by_team_id.identifier.kind = IdentifierKind::FeedParticipantId;
    let report = file
        .apply_inbound(&feed(), chip_race, &[by_team_id])
        .unwrap();
    assert_eq!(report.imported, 1, "{report:?}");
    assert_eq!(
        effective(&file, chip_race, Entrant::Team(red)).score,
        Some(Score::Time { ms: 700_000 })
    );
    // A chip registered to a member identifies the member's only team.
    let Fixture { mut file, .. } = fixture();
    let blue = add_team(&mut file, "Blue", &["3"]);
    let chip_race = file
        .add_workout(&Workout {
            sequence: 2,
            ..workout("Team chip", TeamScoring::TeamChip)
        })
        .unwrap();
    let mut by_chip = record(1, "CHIP3", "t", 710_000);
    by_chip.identifier.kind = IdentifierKind::Chip;
    file.apply_inbound(&feed(), chip_race, &[by_chip]).unwrap();
    assert!(file
        .result(chip_race, Entrant::Team(blue))
        .unwrap()
        .is_some());
}

#[test]
fn mappings_and_connections_are_saved_with_their_health_and_no_secrets() {
    let Fixture { mut file, race, .. } = fixture();
    let mapping =
        serde_json::json!({"identifier": {"field": "CompCornerID", "kind": "feed_participant_id"}});
    let id = file.save_mapping("cc feed", Some(race), &mapping).unwrap();
    assert_eq!(
        file.save_mapping("CC Feed", Some(race), &mapping).unwrap(),
        id
    );
    assert_eq!(
        file.mapping_by_name("cc FEED").unwrap().unwrap().mapping,
        mapping
    );
    let new = |url: &str| NewConnection {
        name: "timing".into(),
        url: url.into(),
        workout_id: race,
        mapping_name: "cc feed".into(),
        format: "json".into(),
        interval_ms: 5000,
        auth_env: Some("TIMING_TOKEN".into()),
    };
    for url in [
        "https://user:pass@timing.example/feed",
        "https://timing.example/feed?api_key=abc",
        "ftp://timing.example/feed",
    ] {
        let error = file.add_connection(&new(url)).unwrap_err();
        assert!(
            matches!(error, StoreError::InvalidInput { .. }),
            "{url}: {error}"
        );
    }
    let connection = file
        .add_connection(&new("http://127.0.0.1:9/feed?event=12"))
        .unwrap();
    assert_eq!(connection.status.state, ConnectionState::Idle);
    let status = file
        .record_poll_failure(
            connection.id,
            ConnectionState::BackingOff,
            "network unreachable: connection refused",
            Some("2026-06-01T10:00:05.000Z"),
        )
        .unwrap();
    assert_eq!(status.consecutive_failures, 1);
    assert_eq!(status.state, ConnectionState::BackingOff);
    assert!(status.last_success_at.is_none());
    file.record_poll_success(connection.id, &serde_json::json!({"imported": 2}))
        .unwrap();
    let connection = file.connection_by_name("TIMING").unwrap();
    assert_eq!(connection.status.state, ConnectionState::Ok);
    assert_eq!(connection.status.consecutive_failures, 0);
    assert!(connection.status.last_success_at.is_some());
    assert_eq!(connection.status.message, None);
    assert_eq!(
        connection.status.last_report,
        Some(serde_json::json!({"imported": 2}))
    );
    assert_eq!(file.connections().unwrap().len(), 1);
}
