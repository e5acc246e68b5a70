//! End-to-end behaviour of score entry, undo, amendments and leaderboards.

use crate::common;

use common::{fixture, workout};
use scoretable_core::model::{Entrant, PublicationState, ScoreType, Source, Status};
use scoretable_store::{ScoreEventKind, ScoreInput, StoreError};

fn bib(fixture: &common::Fixture, bib: &str) -> Entrant {
    Entrant::Competitor(fixture.file.competitor_by_bib(bib).unwrap().unwrap().id)
}

#[test]
fn entered_scores_rank_and_division_leaderboards_order_by_division_place() {
    let mut fixture = fixture();
    let fran = fixture.fran;
    for (bib, value) in [
        ("1", "3:10.5"),
        ("2", "2:59.0"),
        ("10", "2:45"),
        ("11", "DNF"),
        ("3", "3:10.5"),
    ] {
        fixture
            .file
            .enter_score_by_bib(fran, bib, ScoreInput::text(value), "table 1")
            .unwrap();
    }
    let rows = fixture.file.workout_leaderboard(fran, None).unwrap();
    let ranks: Vec<(Entrant, Option<u32>)> =
        rows.iter().map(|row| (row.entrant, row.rank)).collect();
    assert_eq!(
        ranks,
        vec![
            (bib(&fixture, "10"), Some(1)),
            (bib(&fixture, "2"), Some(2)),
            (bib(&fixture, "1"), Some(3)),
            (bib(&fixture, "3"), Some(3)),
            (bib(&fixture, "11"), None),
        ]
    );
    let women = fixture
        .file
        .workout_leaderboard(fran, Some(fixture.women))
        .unwrap();
    let women_places: Vec<Option<u32>> = women
        .iter()
        .map(|row| {
            row.division_ranks
                .iter()
                .find(|(id, _)| *id == fixture.women)
                .map(|(_, rank)| *rank)
        })
        .collect();
    assert_eq!(women_places, vec![Some(1), Some(2), Some(2)]);
    assert_eq!(women[0].entrant, bib(&fixture, "2"));
    let men = fixture
        .file
        .workout_leaderboard(fran, Some(fixture.men))
        .unwrap();
    assert_eq!(men.len(), 2);
    assert_eq!(men[1].status, Some(Status::Dnf));
}

#[test]
fn unknown_bib_and_bad_values_are_clear_errors_and_store_nothing() {
    let mut fixture = fixture();
    let error = fixture
        .file
        .enter_score_by_bib(fixture.fran, "123", ScoreInput::text("3:00"), "table 1")
        .unwrap_err();
    assert_eq!(error.to_string(), "Unknown bib 123 in workout Fran");
    let error = fixture
        .file
        .enter_score_by_bib(
            fixture.fran,
            "1",
            ScoreInput::text("three minutes"),
            "table 1",
        )
        .unwrap_err();
    assert!(matches!(error, StoreError::InvalidScore { .. }), "{error}");
    let message = error.to_string();
    assert!(
        message.contains("three minutes") && message.contains("Fran") && message.contains("bib 1"),
        "{message}"
    );
    assert!(fixture.file.results(fixture.fran).unwrap().is_empty());
    assert!(fixture.file.score_events(None).unwrap().is_empty());
}

#[test]
fn a_second_entry_is_refused_and_undo_allows_a_correction() {
    let mut fixture = fixture();
    let ann = bib(&fixture, "1");
    let receipt = fixture
        .file
        .enter_score(fixture.fran, ann, ScoreInput::text("3:01.2"), "table 1")
        .unwrap();
    assert_eq!(receipt.display, "3:01.2");
    let error = fixture
        .file
        .enter_score(fixture.fran, ann, ScoreInput::text("3:10.2"), "table 1")
        .unwrap_err();
    assert!(
        matches!(error, StoreError::AlreadyScored { entry_id, .. } if entry_id == receipt.entry_id),
        "{error}"
    );
    fixture
        .file
        .undo_entry(receipt.entry_id, "table 1")
        .unwrap();
    assert!(fixture.file.result(fixture.fran, ann).unwrap().is_none());
    let error = fixture
        .file
        .undo_entry(receipt.entry_id, "table 1")
        .unwrap_err();
    assert!(matches!(error, StoreError::CannotUndo { .. }), "{error}");
    fixture
        .file
        .enter_score(fixture.fran, ann, ScoreInput::text("3:10.2"), "table 1")
        .unwrap();
    let history = fixture.file.score_history(fixture.fran, ann).unwrap();
    let kinds: Vec<ScoreEventKind> = history.iter().map(|event| event.kind).collect();
    assert_eq!(
        kinds,
        vec![
            ScoreEventKind::Entry,
            ScoreEventKind::Undo,
            ScoreEventKind::Entry
        ]
    );
    assert_eq!(history[1].undoes_event_id, Some(receipt.entry_id));
    assert_eq!(
        scoretable_store::replay_history(&history).unwrap().text,
        "3:10.2"
    );
}

#[test]
fn amendment_wins_is_logged_and_reports_who_moved() {
    let mut fixture = fixture();
    let fran = fixture.fran;
    for (bib, value) in [("1", "3:00"), ("2", "3:05"), ("3", "3:10")] {
        fixture
            .file
            .enter_score_by_bib(fran, bib, ScoreInput::text(value), "table 1")
            .unwrap();
    }
    let cara = bib(&fixture, "3");
    let error = fixture
        .file
        .amend_score(fran, cara, "2:55", "head judge", "  ", None)
        .unwrap_err();
    assert!(matches!(error, StoreError::ReasonRequired));
    fixture
        .file
        .set_workout_state(fran, PublicationState::Official)
        .unwrap();
    let error = fixture
        .file
        .enter_score_by_bib(fran, "10", ScoreInput::text("2:00"), "table 1")
        .unwrap_err();
    assert!(
        matches!(error, StoreError::WorkoutIsOfficial { .. }),
        "{error}"
    );
    let receipt = fixture
        .file
        .amend_score(
            fran,
            cara,
            "2:55",
            "head judge",
            "video review",
            Some("APPEAL-7"),
        )
        .unwrap();
    assert_eq!(receipt.old.as_ref().unwrap().text, "3:10");
    assert_eq!(receipt.display, "2:55.0");
    let overall_moves: Vec<(Entrant, Option<u32>, Option<u32>)> = receipt
        .moved
        .iter()
        .filter(|change| change.division_id.is_none())
        .map(|change| (change.entrant, change.old_rank, change.new_rank))
        .collect();
    assert_eq!(
        overall_moves,
        vec![
            (cara, Some(3), Some(1)),
            (bib(&fixture, "1"), Some(1), Some(2)),
            (bib(&fixture, "2"), Some(2), Some(3)),
        ]
    );
    let result = fixture.file.result(fran, cara).unwrap().unwrap();
    assert_eq!(result.source, Source::Manual);
    assert_eq!(result.source_value.as_ref().unwrap().text, "3:10");
    assert_eq!(result.effective_value().unwrap().text, "2:55");
    let history = fixture.file.score_history(fran, cara).unwrap();
    let amend = history.last().unwrap();
    assert_eq!(amend.kind, ScoreEventKind::Amend);
    assert_eq!(amend.who, "head judge");
    assert_eq!(amend.reason.as_deref(), Some("video review"));
    assert_eq!(amend.appeal_ref.as_deref(), Some("APPEAL-7"));
    let top = &fixture.file.workout_leaderboard(fran, None).unwrap()[0];
    assert_eq!(top.entrant, cara);
    assert!(top.amended);
    // The amendments alone, as the exports read them: the trail's three
    // entries are not loaded.
    let amendments = fixture
        .file
        .score_events_of_kind(ScoreEventKind::Amend)
        .unwrap();
    assert_eq!(amendments, vec![amend.clone()]);
    assert_eq!(fixture.file.score_events(None).unwrap().len(), 4);
    assert_eq!(
        fixture
            .file
            .score_events_of_kind(ScoreEventKind::Entry)
            .unwrap()
            .len(),
        3
    );
}

#[test]
fn overall_leaderboard_combines_workouts() {
    let mut fixture = fixture();
    let fran = fixture.fran;
    let grace = fixture
        .file
        .add_workout(&workout("Grace lift", 2, ScoreType::Load))
        .unwrap();
    for (bib, value) in [("1", "3:00"), ("2", "3:05"), ("3", "3:10")] {
        fixture
            .file
            .enter_score_by_bib(fran, bib, ScoreInput::text(value), "table 1")
            .unwrap();
    }
    for (bib, value) in [("1", "60"), ("2", "80"), ("3", "70")] {
        fixture
            .file
            .enter_score_by_bib(grace, bib, ScoreInput::text(value), "table 2")
            .unwrap();
    }
    let overall = fixture
        .file
        .overall_leaderboard(Some(fixture.women), None, None)
        .unwrap();
    let standing: Vec<(Entrant, u32, i64)> = overall
        .iter()
        .map(|row| (row.entrant, row.rank, row.total))
        .collect();
    assert_eq!(
        standing,
        vec![
            (bib(&fixture, "2"), 1, 3),
            (bib(&fixture, "1"), 2, 4),
            (bib(&fixture, "3"), 3, 5),
        ]
    );
}

/// A team relay in the overall: left out of individuals' totals by
/// default (before the rule every competitor without a team place got
/// "placed teams + 1"), or each member credited with the team's place when
/// the organiser stores that rule; the board says which rule it used.
#[test]
fn team_workouts_count_in_the_individual_overall_by_the_stored_rule() {
    use scoretable_core::model::{Team, TeamMember, TeamScoring, TeamWorkoutsInOverall};

    let mut fixture = fixture();
    let fran = fixture.fran;
    let mut relay = workout("Relay", 2, ScoreType::Time);
    relay.team_scoring = TeamScoring::SumAll;
    let relay = fixture.file.add_workout(&relay).unwrap();
    let member = |fixture: &common::Fixture, bib_text: &str| match bib(fixture, bib_text) {
        Entrant::Competitor(id) => id,
        Entrant::Team(_) => unreachable!(),
    };
    for (name, bibs) in [("North", ["1", "2"]), ("South", ["3", "10"])] {
        let members = bibs
            .iter()
            .enumerate()
            .map(|(order, bib_text)| TeamMember {
                competitor_id: member(&fixture, bib_text),
                order: order as u32 + 1,
            })
            .collect();
        fixture
            .file
            .add_team(&Team {
                id: 0,
                name: name.into(),
                bib: Some(format!("T-{name}")),
                country: None,
                division_ids: Vec::new(),
                members,
                external_ids: Default::default(),
            })
            .unwrap();
    }
    for (bib_text, value) in [("1", "3:00"), ("2", "3:05"), ("3", "3:10"), ("10", "2:50")] {
        fixture
            .file
            .enter_score_by_bib(fran, bib_text, ScoreInput::text(value), "table 1")
            .unwrap();
    }
    // North 1:00 + 1:10 = 2:10 beats South 1:20 + 1:00 = 2:20.
    for (bib_text, value) in [("1", "1:00"), ("2", "1:10"), ("3", "1:20"), ("10", "1:00")] {
        fixture
            .file
            .enter_score_by_bib(relay, bib_text, ScoreInput::text(value), "table 2")
            .unwrap();
    }
    let competitors = |file: &scoretable_store::CompetitionFile| -> Vec<(Entrant, u32, i64)> {
        file.overall_leaderboard(None, None, None)
            .unwrap()
            .iter()
            .filter(|row| matches!(row.entrant, Entrant::Competitor(_)))
            .map(|row| (row.entrant, row.rank, row.total))
            .collect()
    };
    let board = fixture.file.overall_board(None).unwrap();
    assert_eq!(board.team_workouts, TeamWorkoutsInOverall::Excluded);
    // Fran alone: 10, 1, 2, 3 (before the rule each also got 2 + 1 = 3).
    assert_eq!(
        competitors(&fixture.file),
        vec![
            (bib(&fixture, "10"), 1, 1),
            (bib(&fixture, "1"), 2, 2),
            (bib(&fixture, "2"), 3, 3),
            (bib(&fixture, "3"), 4, 4),
        ]
    );
    fixture
        .file
        .set_team_workouts_rule(TeamWorkoutsInOverall::TeamPlace)
        .unwrap();
    // North (1, 2) first, South (3, 10) second: 10: 1 + 2, 1: 2 + 1,
    // 2: 3 + 1, 3: 4 + 2. 10 and 1 tie on 3; best finish: both have a
    // first place and a second place, so they share. The individual
    // overall ranks no team (Team North, 6 with its relay win, used to be
    // placed ahead of 3, making 3 5th of 4 athletes), so 3 is 4th.
    assert_eq!(
        competitors(&fixture.file),
        vec![
            (bib(&fixture, "1"), 1, 3),
            (bib(&fixture, "10"), 1, 3),
            (bib(&fixture, "2"), 3, 4),
            (bib(&fixture, "3"), 4, 6),
        ]
    );
    assert!(fixture
        .file
        .overall_leaderboard(None, None, None)
        .unwrap()
        .iter()
        .all(|row| matches!(row.entrant, Entrant::Competitor(_))));
    let board = fixture.file.overall_board(None).unwrap();
    assert_eq!(board.team_workouts, TeamWorkoutsInOverall::TeamPlace);
    // The rule is in the file: a second handle reads it.
    let path = fixture.file.path().to_path_buf();
    let reader = scoretable_store::CompetitionFile::open_read_only(&path).unwrap();
    assert_eq!(
        reader.leaderboard_settings().unwrap().team_workouts,
        TeamWorkoutsInOverall::TeamPlace
    );
    assert_eq!(competitors(&reader), competitors(&fixture.file));
}

#[test]
fn explanations_come_from_the_engine() {
    let mut fixture = fixture();
    let fran = fixture.fran;
    fixture
        .file
        .enter_score_by_bib(fran, "1", ScoreInput::text("3:00"), "table")
        .unwrap();
    fixture
        .file
        .enter_score_by_bib(fran, "2", ScoreInput::text("DNF"), "table")
        .unwrap();
    let sentence = fixture
        .file
        .explain_workout_order(fran, bib(&fixture, "1"), bib(&fixture, "2"))
        .unwrap();
    assert!(
        sentence.contains("Ann Lee") && sentence.contains("DNF"),
        "{sentence}"
    );
    let error = fixture
        .file
        .explain_workout_order(fran, bib(&fixture, "1"), bib(&fixture, "3"))
        .unwrap_err();
    assert!(matches!(error, StoreError::NoScore { .. }), "{error}");
    let overall = fixture
        .file
        .explain_overall_order(None, bib(&fixture, "1"), bib(&fixture, "2"))
        .unwrap();
    assert!(overall.contains("Ann Lee"), "{overall}");
}

#[test]
fn only_entrants_and_workouts_without_history_can_be_removed() {
    let mut fixture = fixture();
    let fran = fixture.fran;
    let receipt = fixture
        .file
        .enter_score_by_bib(fran, "1", ScoreInput::text("3:00"), "table")
        .unwrap();
    fixture.file.undo_entry(receipt.entry_id, "table").unwrap();
    let ann = fixture.file.competitor_by_bib("1").unwrap().unwrap().id;
    let error = fixture.file.remove_competitor(ann).unwrap_err();
    assert_eq!(
        error.to_string(),
        "Bib 1 has score history and cannot be removed"
    );
    let error = fixture.file.remove_workout(fran).unwrap_err();
    assert!(error.to_string().contains("has score history"), "{error}");
    let dan = fixture.file.competitor_by_bib("10").unwrap().unwrap().id;
    fixture.file.remove_competitor(dan).unwrap();
    assert!(fixture.file.competitor_by_bib("10").unwrap().is_none());
    let spare = fixture
        .file
        .add_workout(&workout("Spare", 2, ScoreType::Reps))
        .unwrap();
    fixture.file.remove_workout(spare).unwrap();
    assert_eq!(fixture.file.workouts().unwrap().len(), 1);
    fixture.file.remove_division(fixture.men).unwrap();
    assert_eq!(fixture.file.divisions().unwrap().len(), 1);
    assert!(fixture
        .file
        .competitor_by_bib("11")
        .unwrap()
        .unwrap()
        .division_ids
        .is_empty());
}

#[test]
fn tie_breaks_and_parsed_values_are_checked() {
    let mut fixture = fixture();
    let mut amrap = workout("Cindy", 2, ScoreType::RoundsReps);
    amrap.tie_break = scoretable_core::model::TieBreak::TieBreakTime;
    let cindy = fixture.file.add_workout(&amrap).unwrap();
    fixture
        .file
        .enter_score_by_bib(
            cindy,
            "1",
            ScoreInput::text_with_tie_break("20+5", "14:10"),
            "table",
        )
        .unwrap();
    fixture
        .file
        .enter_score_by_bib(
            cindy,
            "2",
            ScoreInput::text_with_tie_break("20+5", "13:55"),
            "table",
        )
        .unwrap();
    let error = fixture
        .file
        .enter_score_by_bib(
            cindy,
            "3",
            ScoreInput::score(scoretable_core::model::Score::Time { ms: 1 }),
            "table",
        )
        .unwrap_err();
    assert!(matches!(error, StoreError::InvalidScore { .. }), "{error}");
    let error = fixture
        .file
        .enter_score_by_bib(
            cindy,
            "3",
            ScoreInput::text_with_tie_break("20+5", "later"),
            "table",
        )
        .unwrap_err();
    assert!(error.to_string().contains("tie-break"), "{error}");
    let board = fixture.file.workout_leaderboard(cindy, None).unwrap();
    assert_eq!(board[0].entrant, bib(&fixture, "2"));
    assert_eq!(board[0].tie_break_ms, Some(835_000));
    assert_eq!((board[0].rank, board[1].rank), (Some(1), Some(2)));
    let error = fixture
        .file
        .enter_score_by_bib(cindy, "1", ScoreInput::text("21"), "")
        .unwrap_err();
    assert!(matches!(error, StoreError::InvalidInput { .. }), "{error}");
}

#[test]
fn officials_can_amend_a_time_penalty_which_is_logged_and_kept() {
    let mut fixture = fixture();
    let fran = fixture.fran;
    for (bib, value) in [("1", "3:00"), ("2", "3:10"), ("3", "3:20")] {
        fixture
            .file
            .enter_score_by_bib(fran, bib, ScoreInput::text(value), "table")
            .unwrap();
    }
    let ann = bib(&fixture, "1");
    let error = fixture
        .file
        .amend_penalty(
            fran,
            bib(&fixture, "10"),
            10_000,
            None,
            "referee",
            "no result yet",
            None,
        )
        .unwrap_err();
    assert!(matches!(error, StoreError::NoScore { .. }), "{error}");
    let receipt = fixture
        .file
        .amend_penalty(
            fran,
            ann,
            15_000,
            Some("15 second penalty for no-rep"),
            "referee",
            "no-rep",
            Some("R-3"),
        )
        .unwrap();
    assert_eq!(receipt.new.penalty_ms, 15_000);
    assert_eq!(receipt.new.score, receipt.old.as_ref().unwrap().score);
    let board = fixture.file.workout_leaderboard(fran, None).unwrap();
    let ann_row = board.iter().find(|row| row.entrant == ann).unwrap();
    assert_eq!(
        (ann_row.rank, ann_row.display.as_str()),
        (Some(2), "3:15.0")
    );
    let moved: Vec<(Option<u32>, Option<u32>)> = receipt
        .moved
        .iter()
        .filter(|change| change.division_id.is_none())
        .map(|change| (change.old_rank, change.new_rank))
        .collect();
    assert_eq!(moved, vec![(Some(2), Some(1)), (Some(1), Some(2))]);
    let result = fixture.file.result(fran, ann).unwrap().unwrap();
    assert_eq!(
        result.incidents,
        vec!["15 second penalty for no-rep".to_string()]
    );
    assert_eq!(
        result.penalty_ms, 0,
        "the source value keeps its own penalty"
    );
    // A later score amendment keeps the penalty.
    fixture
        .file
        .amend_score(fran, ann, "2:58", "judge", "recount", None)
        .unwrap();
    let effective = fixture
        .file
        .result(fran, ann)
        .unwrap()
        .unwrap()
        .effective_value()
        .cloned()
        .unwrap();
    assert_eq!(effective.penalty_ms, 15_000);
    let history = fixture.file.score_history(fran, ann).unwrap();
    assert_eq!(
        scoretable_store::replay_history(&history).unwrap(),
        effective
    );
    let raw = rusqlite::Connection::open(fixture.file.path()).unwrap();
    let error = raw
        .execute("UPDATE results SET penalty_ms = 1", [])
        .unwrap_err();
    assert!(error.to_string().contains("written once"), "{error}");
}

#[test]
fn an_amendment_preview_matches_the_amendment_and_stores_nothing() {
    let mut fixture = fixture();
    let fran = fixture.fran;
    for (bib, value) in [("1", "3:00"), ("2", "3:10"), ("3", "3:20")] {
        fixture
            .file
            .enter_score_by_bib(fran, bib, ScoreInput::text(value), "table")
            .unwrap();
    }
    let cara = bib(&fixture, "3");
    let events_before = fixture.file.score_events(None).unwrap().len();
    let preview = fixture
        .file
        .preview_amendment(fran, cara, &ScoreInput::text("2:59"))
        .unwrap();
    assert_eq!(
        fixture.file.score_events(None).unwrap().len(),
        events_before
    );
    assert_eq!(
        fixture
            .file
            .result(fran, cara)
            .unwrap()
            .unwrap()
            .effective_value()
            .unwrap()
            .text,
        "3:20"
    );
    let receipt = fixture
        .file
        .amend_score(fran, cara, "2:59", "judge", "recount", None)
        .unwrap();
    assert_eq!(preview.moved, receipt.moved);
    assert_eq!(preview.new, receipt.new);
    assert_eq!(preview.old, receipt.old);
    let error = fixture
        .file
        .preview_amendment(fran, cara, &ScoreInput::text("soon"))
        .unwrap_err();
    assert!(matches!(error, StoreError::InvalidScore { .. }), "{error}");
}

#[test]
fn all_division_boards_come_from_one_ranking() {
    let mut fixture = fixture();
    let fran = fixture.fran;
    for (bib, value) in [("1", "3:00"), ("10", "2:50"), ("2", "3:05"), ("11", "2:40")] {
        fixture
            .file
            .enter_score_by_bib(fran, bib, ScoreInput::text(value), "table")
            .unwrap();
    }
    let boards = fixture.file.workout_leaderboards_by_division(fran).unwrap();
    assert_eq!(boards.len(), 2);
    for (division, rows) in boards {
        assert_eq!(
            rows,
            fixture
                .file
                .workout_leaderboard(fran, Some(division.id))
                .unwrap()
        );
    }
}

/// The amendment preview, the amendment's receipt and the entry receipt
/// show a value as the board does: in a workout ranked in tenths (the demo's
/// 2K row), "5:30.07" is "5:30.0" everywhere (it was "5:30.07" in the
/// preview while the board said "5:30.0").
#[test]
fn previews_and_receipts_show_the_boards_digits() {
    use scoretable_core::model::Rounding;
    let mut fixture = fixture();
    let mut row = workout("2K Row", 2, ScoreType::Time);
    row.rounding = Rounding::Truncate { unit_ms: 100 };
    let row = fixture.file.add_workout(&row).unwrap();
    let entry = fixture
        .file
        .enter_score_by_bib(row, "1", ScoreInput::text("6:01.29"), "table")
        .unwrap();
    assert_eq!(entry.display, "6:01.2");
    fixture
        .file
        .enter_score_by_bib(row, "2", ScoreInput::text("6:00.00"), "table")
        .unwrap();
    let ann = bib(&fixture, "1");
    let preview = fixture
        .file
        .preview_amendment(row, ann, &ScoreInput::text("5:30.07"))
        .unwrap();
    assert_eq!(preview.display, "5:30.0");
    let receipt = fixture
        .file
        .amend_score(row, ann, "5:30.07", "Head judge", "Video", None)
        .unwrap();
    assert_eq!(receipt.display, "5:30.0");
    let board = fixture.file.workout_leaderboard(row, None).unwrap();
    assert_eq!(board[0].entrant, ann);
    assert_eq!(board[0].display, preview.display);
}
