//! Live boards rank exactly like the full leaderboards, without split standings.

use crate::common;

use common::{fixture, timing_point, workout, Fixture};
use scoretable_core::model::{ScoreType, Source, Split};
use scoretable_store::{placement_impact, ImportedResult, ScoreInput};

/// Adds a 2k row with two timing points to the fixture and imports six
/// results with splits: a tie (1 and 3), a DNF with one split, men and women.
fn row_2k_with_splits(fixture: &mut Fixture) -> i64 {
    let mut race = workout("Row 2k", 2, ScoreType::Time);
    race.timing_points = vec![timing_point(1, "500m"), timing_point(2, "1000m")];
    let race_id = fixture.file.add_workout(&race).unwrap();
    let points: Vec<i64> = fixture
        .file
        .workout(race_id)
        .unwrap()
        .timing_points
        .iter()
        .map(|point| point.id)
        .collect();
    let values = [
        ("1", "7:01.5", [100_000, 210_000]),
        ("2", "6:58.2", [101_000, 209_000]),
        ("3", "7:01.5", [99_000, 211_000]),
        ("10", "6:40.0", [95_000, 200_000]),
        ("11", "DNF", [120_000, 0]),
        ("12", "7:30.0", [110_000, 230_000]),
    ];
    let records: Vec<ImportedResult> = values
        .iter()
        .enumerate()
        .map(|(row, (bib, value, splits))| ImportedResult {
            row: row as u64 + 2,
            entrant: fixture.file.entrant_by_bib(race_id, bib).unwrap(),
            value: ScoreInput::text(*value),
            penalty_ms: 0,
            splits: points
                .iter()
                .zip(splits)
                .filter(|(_, total_ms)| **total_ms > 0)
                .map(|(point, total_ms)| Split {
                    timing_point_id: *point,
                    total_ms: *total_ms,
                })
                .collect(),
            incidents: Vec::new(),
            record_id: Some(format!("r{row}")),
            received_at: None,
        })
        .collect();
    fixture
        .file
        .import_results(race_id, Source::File, "timing.csv", &records)
        .unwrap();
    race_id
}

#[test]
fn a_board_ranks_exactly_like_the_leaderboard_without_split_standings() {
    let mut fixture = fixture();
    let race_id = row_2k_with_splits(&mut fixture);

    let file = &fixture.file;
    for division_id in [None, Some(fixture.women), Some(fixture.men)] {
        let board = file.workout_board(race_id, division_id).unwrap();
        let mut expected = file.workout_leaderboard(race_id, division_id).unwrap();
        assert!(
            expected.iter().any(|row| !row.splits.is_empty()),
            "the full leaderboard has split standings"
        );
        for row in &mut expected {
            row.splits.clear();
        }
        assert_eq!(board.rows, expected, "division {division_id:?}");
        assert_eq!(board.workout, file.workout(race_id).unwrap());
        assert_eq!(board.infos, file.entrant_infos().unwrap());
    }
    // Ties and statuses survive: 3 and 1 share a place, the DNF is unranked.
    let board = file.workout_board(race_id, None).unwrap();
    let ranks: Vec<Option<u32>> = board.rows.iter().map(|row| row.rank).collect();
    assert_eq!(ranks, [Some(1), Some(2), Some(3), Some(3), Some(5), None]);

    let overall = file.overall_board(None).unwrap();
    assert_eq!(
        overall.rows,
        file.overall_leaderboard(None, None, None).unwrap()
    );
    assert_eq!(overall.workouts, file.workouts().unwrap());
    assert!(file.workout_board(race_id, Some(9_999)).is_err());
}

/// Amendments work out who moved from places only (no splits are loaded);
/// the list must equal the one the full leaderboards, with splits, give.
#[test]
fn an_amendment_reports_the_same_movers_as_the_full_leaderboards() {
    let mut fixture = fixture();
    let race_id = row_2k_with_splits(&mut fixture);
    let twelve = fixture.file.entrant_by_bib(race_id, "12").unwrap();
    let before = fixture.file.workout_leaderboard(race_id, None).unwrap();
    let preview = fixture
        .file
        .preview_amendment(race_id, twelve, &ScoreInput::text("6:30.0"))
        .unwrap();
    let receipt = fixture
        .file
        .amend_score(race_id, twelve, "6:30.0", "judge", "video review", None)
        .unwrap();
    let after = fixture.file.workout_leaderboard(race_id, None).unwrap();
    let expected = placement_impact(&before, &after);
    assert!(
        expected.iter().any(|change| change.division_id.is_some()),
        "division places moved too"
    );
    assert_eq!(receipt.moved, expected);
    assert_eq!(preview.moved, expected);
}

/// The kept live board (every division in one ranking, updated one result
/// at a time from `ranked_inputs_of`) equals a fresh full ranking after each
/// amendment, and its who-moved list equals the difference of the two full
/// rankings.
#[test]
fn a_live_board_kept_through_amendments_equals_the_full_leaderboards() {
    let mut fixture = fixture();
    let race_id = row_2k_with_splits(&mut fixture);
    let mut live = fixture.file.live_board(race_id).unwrap();
    let check = |file: &scoretable_store::CompetitionFile,
                 live: &scoretable_core::board::LiveBoard| {
        let expected = file.workout_board(race_id, None).unwrap().rows;
        assert_eq!(live.rows(0..usize::MAX), expected);
        for division_id in [fixture.women, fixture.men] {
            let expected = file.workout_board(race_id, Some(division_id)).unwrap().rows;
            assert_eq!(live.division_rows(division_id, 0..usize::MAX), expected);
        }
    };
    check(&fixture.file, &live);
    for (bib, value) in [
        ("12", "6:30.0"),
        ("1", "DNF"),
        ("11", "7:01.5"),
        ("2", "7:01.5"),
        ("10", "DNS"),
        ("3", "8:00.0"),
    ] {
        let entrant = fixture.file.entrant_by_bib(race_id, bib).unwrap();
        let before = fixture.file.workout_leaderboard(race_id, None).unwrap();
        fixture
            .file
            .record_amendment(
                race_id,
                entrant,
                ScoreInput::text(value),
                "judge",
                "appeal",
                None,
            )
            .unwrap();
        let after = fixture.file.workout_leaderboard(race_id, None).unwrap();
        let mut moved = Vec::new();
        for input in fixture.file.ranked_inputs_of(race_id, entrant).unwrap() {
            moved.extend(live.apply(input.entrant, input.result.as_ref(), input.info.as_ref()));
        }
        let moved: Vec<_> = moved
            .into_iter()
            .map(|change| scoretable_store::PlacementChange {
                entrant: change.entrant,
                division_id: change.division_id,
                old_rank: change.old_rank,
                new_rank: change.new_rank,
            })
            .collect();
        assert_eq!(
            moved,
            placement_impact(&before, &after),
            "amending {bib} to {value}"
        );
        check(&fixture.file, &live);
    }
}
