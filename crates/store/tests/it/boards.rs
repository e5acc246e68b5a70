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

mod random_events {
    //! The live board (`CompetitionFile::live_board`: compact ranking of the
    //! stored ranking columns, every division split in one pass) against the
    //! full leaderboards (`workout_leaderboard`, the engine's
    //! `rank_workout` over every stored result with splits) on random
    //! stored events: numeric and text bibs, ties, statuses, penalties,
    //! amendments, rounding, entrants in no division.

    use super::common::{
        first_of_each_bib, import_athletes, random_event_file, rounding_of, workout, RandomEvent,
    };
    use proptest::prelude::*;
    use scoretable_core::model::{ScoreType, Source, TieBreak};
    use scoretable_store::{CompetitionFile, ImportedResult, ScoreInput};

    /// (bib, gender 0..3, value index or none, penalty seconds, amendment
    /// value index).
    type Athlete = (String, u8, Option<usize>, u8, Option<usize>);

    const VALUES: [&str; 9] = [
        "20:00", "20:00.4", "20:01", "19:59.6", "21:30", "DNF", "DNS", "DSQ", "20:00.9",
    ];

    fn any_event() -> impl Strategy<Value = (u8, bool, Vec<Athlete>)> {
        let bib = prop_oneof![
            3 => (1_u32..200).prop_map(|number| number.to_string()),
            1 => (0_u32..30).prop_map(|number| format!("0{number}")),
            1 => ("[A-C]", 0_u32..20).prop_map(|(letter, number)| format!("{letter}{number}")),
        ];
        let athlete = (
            bib,
            0_u8..3,
            proptest::option::weighted(0.85, 0..VALUES.len()),
            prop_oneof![4 => Just(0_u8), 1 => 1_u8..30],
            proptest::option::weighted(0.15, 0..VALUES.len()),
        );
        (
            0_u8..4,
            any::<bool>(),
            proptest::collection::vec(athlete, 1..40),
        )
    }

    /// After one amendment of `entrant` in `race` (the board `before` it,
    /// its `preview`, the stored value it replaced): the preview, the counted
    /// and listed who-moved (`listed` rows) and the full list all equal the
    /// difference of the two full leaderboards.
    #[allow(clippy::too_many_arguments)]
    fn who_moved_is_the_boards_difference(
        file: &CompetitionFile,
        race: i64,
        entrant: scoretable_core::model::Entrant,
        before: &[scoretable_core::model::RankedRow],
        preview: scoretable_store::AmendmentPreview,
        old: Option<&scoretable_store::ScoreValue>,
        listed: usize,
    ) -> Result<(), TestCaseError> {
        let after = file.workout_leaderboard(race, None).unwrap();
        let expected = scoretable_store::placement_impact(before, &after);
        let moved = file
            .placement_changes_listed(race, entrant, old, listed)
            .unwrap();
        prop_assert_eq!(moved.changes, expected.len());
        let mut entrants: Vec<_> = expected.iter().map(|change| change.entrant).collect();
        entrants.sort_unstable();
        entrants.dedup();
        prop_assert_eq!(moved.entrants, entrants.len());
        let first = &expected[..listed.min(expected.len())];
        prop_assert_eq!(&moved.listed[..], first);
        // The preview, listed as far as the same limit, counted in full.
        prop_assert_eq!(&preview.moved[..], first);
        prop_assert_eq!(
            (preview.moved_changes, preview.moved_entrants),
            (expected.len(), entrants.len())
        );
        prop_assert_eq!(
            file.placement_changes_since(race, entrant, old).unwrap(),
            expected
        );
        Ok(())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]

        #[test]
        fn the_live_board_equals_the_full_leaderboards_on_random_events(
            (rounding, tie_break, athletes) in any_event()
        ) {
            let RandomEvent { directory: _directory, mut file, women, men } = random_event_file("random");
            let athletes = first_of_each_bib(athletes, |athlete: &Athlete| athlete.0.as_str());
            import_athletes(&mut file, athletes.iter().map(|athlete| (athlete.0.as_str(), athlete.1 as usize)));
            let mut race = workout("Race", 1, ScoreType::Time);
            race.rounding = rounding_of(rounding);
            if tie_break {
                race.tie_break = TieBreak::TieBreakTime;
            }
            let race = file.add_workout(&race).unwrap();
            let records: Vec<ImportedResult> = athletes
                .iter()
                .enumerate()
                .filter_map(|(index, (bib, _, value, penalty, _))| {
                    let value = (*value)?;
                    Some(ImportedResult {
                        row: index as u64 + 2,
                        entrant: file.entrant_by_bib(race, bib).unwrap(),
                        value: ScoreInput::text(VALUES[value]),
                        penalty_ms: i64::from(*penalty) * 1000,
                        splits: Vec::new(),
                        incidents: Vec::new(),
                        record_id: None,
                        received_at: None,
                    })
                })
                .collect();
            if !records.is_empty() {
                file.import_results(race, Source::File, "times.csv", &records).unwrap();
            }
            for (bib, _, _, _, amendment) in &athletes {
                if let Some(value) = amendment {
                    let entrant = file.entrant_by_bib(race, bib).unwrap();
                    file.record_amendment(
                        race,
                        entrant,
                        ScoreInput::text(VALUES[*value]),
                        "judge",
                        "appeal",
                        None,
                    )
                    .unwrap();
                }
            }
            let live = file.live_board(race).unwrap();
            let without_splits = |mut rows: Vec<scoretable_core::model::RankedRow>| {
                for row in &mut rows {
                    row.splits.clear();
                }
                rows
            };
            let expected = without_splits(file.workout_leaderboard(race, None).unwrap());
            prop_assert_eq!(live.rows(0..usize::MAX), expected.clone());
            prop_assert_eq!(live.len(), expected.len());
            for (at, row) in expected.iter().enumerate() {
                prop_assert_eq!(live.position(None, row.entrant), Some(at));
                prop_assert_eq!(live.row_of(row.entrant), Some(row.clone()));
            }
            for division in [women, men] {
                let expected =
                    without_splits(file.workout_leaderboard(race, Some(division)).unwrap());
                prop_assert_eq!(live.division_rows(division, 0..usize::MAX), expected.clone());
                prop_assert_eq!(live.division_len(division), expected.len());
            }
            check_listed(&file, race, &[women, men])?;
        }
    }

    /// The board built frozen ([`CompetitionFile::listed_board`]) lists
    /// the leaderboard's rows (split standings aside), whole and per
    /// division, and holds exactly its entrants.
    fn check_listed(
        file: &CompetitionFile,
        race: i64,
        divisions: &[i64],
    ) -> Result<(), TestCaseError> {
        let without_splits = |mut rows: Vec<scoretable_core::model::RankedRow>| {
            for row in &mut rows {
                row.splits.clear();
            }
            rows
        };
        let listed = file.listed_board(race).unwrap();
        let expected = without_splits(file.workout_leaderboard(race, None).unwrap());
        prop_assert_eq!(listed.rows(None, 0..usize::MAX), expected.clone());
        prop_assert_eq!(listed.len(), expected.len());
        for row in &expected {
            prop_assert!(listed.contains(row.entrant));
        }
        for division in divisions {
            let expected = without_splits(file.workout_leaderboard(race, Some(*division)).unwrap());
            prop_assert_eq!(
                listed.rows(Some(*division), 0..usize::MAX),
                expected.clone()
            );
            prop_assert_eq!(listed.division_len(*division), expected.len());
        }
        Ok(())
    }

    const REPS: [&str; 7] = ["25", "30", "12", "30", "DNF", "7", "31"];

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(40))]

        /// Who moved read as an index range (the band between the old and
        /// the new value, the better rows counted) equals the difference of
        /// the full leaderboards before and after each amendment, counted in
        /// full and listed up to any limit.
        #[test]
        fn who_moved_by_index_range_equals_the_full_leaderboards_difference(
            (rounding, tie_break, athletes) in any_event(),
            reps in any::<bool>(),
            steps in proptest::collection::vec(
                (0_usize..40, 0_usize..9, prop_oneof![0_usize..4, Just(usize::MAX)]),
                1..8,
            ),
        ) {
            let RandomEvent { directory: _directory, mut file, women, men } = random_event_file("moves");
            prop_assert!(women > 0 && men > 0);
            let athletes = first_of_each_bib(athletes, |athlete: &Athlete| athlete.0.as_str());
            import_athletes(&mut file, athletes.iter().map(|athlete| (athlete.0.as_str(), athlete.1 as usize)));
            let value_text = |index: usize| {
                if reps {
                    REPS[index % REPS.len()]
                } else {
                    VALUES[index % VALUES.len()]
                }
            };
            let mut race = workout("Race", 1, if reps { ScoreType::Reps } else { ScoreType::Time });
            race.rounding = rounding_of(rounding);
            if tie_break {
                race.tie_break = TieBreak::TieBreakTime;
            }
            let race = file.add_workout(&race).unwrap();
            let records: Vec<ImportedResult> = athletes
                .iter()
                .enumerate()
                .filter_map(|(index, (bib, _, value, penalty, _))| {
                    let value = (*value)?;
                    Some(ImportedResult {
                        row: index as u64 + 2,
                        entrant: file.entrant_by_bib(race, bib).unwrap(),
                        value: ScoreInput::text(value_text(value)),
                        penalty_ms: if reps { 0 } else { i64::from(*penalty) * 1000 },
                        splits: Vec::new(),
                        incidents: Vec::new(),
                        record_id: None,
                        received_at: None,
                    })
                })
                .collect();
            if !records.is_empty() {
                file.import_results(race, Source::File, "times.csv", &records).unwrap();
            }
            for (athlete, value, listed) in steps {
                let bib = &athletes[athlete % athletes.len()].0;
                let entrant = file.entrant_by_bib(race, bib).unwrap();
                let before = file.workout_leaderboard(race, None).unwrap();
                let preview = file.preview_amendment_listed(race, entrant, &ScoreInput::text(value_text(value)), listed);
                let Ok(receipt) = file.record_amendment(
                    race,
                    entrant,
                    ScoreInput::text(value_text(value)),
                    "judge",
                    "appeal",
                    None,
                ) else {
                    continue;
                };
                who_moved_is_the_boards_difference(
                    &file,
                    race,
                    entrant,
                    &before,
                    preview.unwrap(),
                    receipt.old.as_ref(),
                    listed,
                )?;
            }
        }
    }

    /// Rounds+reps values: with extra reps past a round (stored before the
    /// workout knew its reps per round), totals, ties and a status.
    const ROUNDS: [&str; 8] = ["5+3", "5+12", "6+0", "4+9", "DNF", "5+3", "0+7", "7+1"];
    /// The same once the workout knows its reps per round (10): plain totals too.
    const TOTALS: [&str; 8] = ["5+3", "53", "6+0", "4+9", "DNF", "62", "49", "7+1"];
    const TEAM_TIMES: [&str; 7] = ["20:00", "20:00.4", "19:59", "DNF", "21:30", "20:00", "DNS"];
    const TEAM_REPS: [&str; 6] = ["25", "30", "12", "30", "DNF", "7"];

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]

        /// Who moved in rounds+reps workouts (ranked by rounds then extra
        /// reps, or by total reps with the reps per round known from the
        /// start or set after results with more extra reps than a round
        /// were stored) and in member-scored team workouts (sum of all
        /// members' times, best two members' reps; a member counted for two
        /// teams), counted and listed up to any limit, and the amendment
        /// preview, equal the difference of the full leaderboards before
        /// and after each amendment.
        #[test]
        fn who_moved_in_rounds_reps_and_team_workouts_equals_the_full_leaderboards_difference(
            (rounding, tie_break, athletes) in any_event(),
            shape in 0_u8..5,
            shared_member in any::<bool>(),
            steps in proptest::collection::vec(
                (0_usize..40, 0_usize..8, any::<bool>(), prop_oneof![0_usize..4, Just(usize::MAX)]),
                1..8,
            ),
        ) {
            use scoretable_core::model::{ExternalIds, Team, TeamMember, TeamScoring};
            let RandomEvent { directory: _directory, mut file, women, men } = random_event_file("moves");
            let athletes = first_of_each_bib(athletes, |athlete: &Athlete| athlete.0.as_str());
            import_athletes(&mut file, athletes.iter().map(|athlete| (athlete.0.as_str(), athlete.1 as usize)));
            let mut race = match shape {
                0..=2 => workout("Amrap", 1, ScoreType::RoundsReps),
                3 => workout("Relay", 1, ScoreType::Time),
                _ => workout("Max reps", 1, ScoreType::Reps),
            };
            if shape == 1 {
                race.reps_per_round = Some(10);
            }
            race.team_scoring = match shape {
                3 => TeamScoring::SumAll,
                4 => TeamScoring::BestN { n: 2 },
                _ => TeamScoring::Individual,
            };
            race.rounding = rounding_of(rounding);
            if tie_break {
                race.tie_break = TieBreak::TieBreakTime;
            }
            let race = file.add_workout(&race).unwrap();
            let entrant_of = |file: &CompetitionFile, bib: &str| {
                scoretable_core::model::Entrant::Competitor(
                    file.competitors().unwrap().into_iter().find(|c| c.bib == bib).unwrap().id,
                )
            };
            if shape >= 3 {
                // Teams of three in start-list order, each in one division
                // (or none); optionally the first athlete in a second team.
                let ids: Vec<i64> = athletes
                    .iter()
                    .map(|(bib, ..)| match entrant_of(&file, bib) {
                        scoretable_core::model::Entrant::Competitor(id) => id,
                        scoretable_core::model::Entrant::Team(id) => id,
                    })
                    .collect();
                let mut groups: Vec<Vec<i64>> = ids.chunks(3).map(<[i64]>::to_vec).collect();
                if shared_member && groups.len() > 1 && !groups[1].contains(&ids[0]) {
                    groups[1].push(ids[0]);
                }
                for (index, members) in groups.iter().enumerate() {
                    file.add_team(&Team {
                        id: 0,
                        name: format!("Team {index}"),
                        bib: Some(format!("T{}", (index * 7) % 17)),
                        country: None,
                        division_ids: match index % 3 {
                            0 => vec![women],
                            1 => vec![men, women],
                            _ => Vec::new(),
                        },
                        members: members
                            .iter()
                            .enumerate()
                            .map(|(order, id)| TeamMember { competitor_id: *id, order: order as u32 + 1 })
                            .collect(),
                        external_ids: ExternalIds::default(),
                    })
                    .unwrap();
                }
            }
            let value_text = |index: usize, late: bool| match shape {
                0 => ROUNDS[index % ROUNDS.len()],
                1 => TOTALS[index % TOTALS.len()],
                2 if late => TOTALS[index % TOTALS.len()],
                2 => ROUNDS[index % ROUNDS.len()],
                3 => TEAM_TIMES[index % TEAM_TIMES.len()],
                _ => TEAM_REPS[index % TEAM_REPS.len()],
            };
            let input = |index: usize, late: bool, with_tie_break: bool| ScoreInput::Text {
                value: value_text(index, late).to_string(),
                tie_break: with_tie_break.then(|| format!("8:0{}", index % 3)),
            };
            let records: Vec<ImportedResult> = athletes
                .iter()
                .enumerate()
                .filter_map(|(index, (bib, _, value, penalty, _))| {
                    let value = (*value)?;
                    Some(ImportedResult {
                        row: index as u64 + 2,
                        entrant: entrant_of(&file, bib),
                        value: input(value, false, value % 3 == 0),
                        penalty_ms: if shape == 3 { i64::from(*penalty) * 1000 } else { 0 },
                        splits: Vec::new(),
                        incidents: Vec::new(),
                        record_id: None,
                        received_at: None,
                    })
                })
                .collect();
            if !records.is_empty() {
                file.import_results(race, Source::File, "scores.csv", &records).unwrap();
            }
            if shape == 2 {
                // The reps per round set after results: "5+12" stays stored.
                let mut changed = file.workout(race).unwrap();
                changed.reps_per_round = Some(10);
                file.update_workout(&changed).unwrap();
            }
            check_listed(&file, race, &[women, men])?;
            for (athlete, value, with_tie_break, listed) in steps {
                let bib = &athletes[athlete % athletes.len()].0;
                let entrant = entrant_of(&file, bib);
                let amended = input(value, true, with_tie_break);
                let before = file.workout_leaderboard(race, None).unwrap();
                let preview = file.preview_amendment_listed(race, entrant, &amended, listed);
                let Ok(receipt) =
                    file.record_amendment(race, entrant, amended, "judge", "appeal", None)
                else {
                    prop_assert!(preview.is_err());
                    continue;
                };
                who_moved_is_the_boards_difference(
                    &file,
                    race,
                    entrant,
                    &before,
                    preview.unwrap(),
                    receipt.old.as_ref(),
                    listed,
                )?;
            }
        }
    }
}
