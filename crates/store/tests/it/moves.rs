//! The fast who-moved list and one entrant's standing
//! (`scoretable_core::moves`) against the full engine: two complete
//! rankings and `placement_impact`, on random events and through the store.

use crate::common;

use std::collections::HashMap;

use common::{competition, draft, gender_division, workout};
use proptest::prelude::*;
use scoretable_core::model::{
    Entrant, EntrantInfo, Gender, Id, ResultEntry, Rounding, Score, ScoreType, Source, Status,
    TieBreak, Workout,
};
use scoretable_core::moves::{
    places_changed_by, places_changed_listing, replace_in_board, standing,
};
use scoretable_core::ranking::rank_workout;
use scoretable_store::{placement_impact, CompetitionFile, ImportedResult, ScoreInput};

fn result(id: Id, score: Option<Score>, status: Option<Status>) -> ResultEntry {
    ResultEntry {
        entrant: Entrant::Competitor(id),
        score,
        status,
        tie_break_ms: None,
        penalty_ms: 0,
        splits: Vec::new(),
        incidents: Vec::new(),
        source: Source::Manual,
        amended: false,
        partial: false,
    }
}

fn any_value() -> impl Strategy<Value = (Option<Score>, Option<Status>, Option<i64>, i64)> {
    let score = prop_oneof![
        4 => (0_i64..12).prop_map(|seconds| Some(Score::Time { ms: seconds * 500 })),
        1 => (0_i64..4).prop_map(|reps| Some(Score::Capped { reps })),
        1 => Just(Some(Score::Reps { reps: 3 })),
        1 => Just(None),
    ];
    let status = prop_oneof![6 => Just(None), 1 => proptest::sample::select(Status::ALL.to_vec()).prop_map(Some)];
    (score, status, proptest::option::of(0_i64..3), 0_i64..3)
}

fn entry(id: Id, value: (Option<Score>, Option<Status>, Option<i64>, i64)) -> ResultEntry {
    let (score, status, tie_break, penalty) = value;
    let mut entry = result(id, score, status);
    if entry.score.is_none() && entry.status.is_none() {
        entry.status = Some(Status::Dnf);
    }
    entry.tie_break_ms = tie_break.map(|value| value * 1000);
    entry.penalty_ms = penalty * 500;
    entry
}

/// A workout, entrant infos (bibs with ties, 0-2 of three divisions, some
/// entrants without info), the results before, the changed entrant and its
/// result after (`None`: removed).
type Case = (
    Workout,
    Vec<EntrantInfo>,
    Vec<ResultEntry>,
    Id,
    Option<ResultEntry>,
);

fn any_case() -> impl Strategy<Value = Case> {
    (2_usize..30, any::<bool>(), any::<bool>()).prop_flat_map(|(count, tie_break, round)| {
        let values =
            proptest::collection::vec(proptest::option::weighted(0.85, any_value()), count);
        let infos = proptest::collection::vec(
            (
                proptest::collection::vec(1_i64..4, 0..3),
                0_u32..12,
                proptest::bool::weighted(0.9),
            ),
            count,
        );
        (
            values,
            infos,
            0..count,
            proptest::option::weighted(0.9, any_value()),
        )
            .prop_map(move |(values, infos, changed, new_value)| {
                let mut capped = workout("Race", 1, ScoreType::TimeCapped);
                capped.id = 1;
                capped.tie_break = if tie_break {
                    TieBreak::TieBreakTime
                } else {
                    TieBreak::None
                };
                capped.rounding = if round {
                    Rounding::Up { unit_ms: 1000 }
                } else {
                    Rounding::Exact
                };
                let results: Vec<ResultEntry> = values
                    .into_iter()
                    .enumerate()
                    .filter_map(|(index, value)| value.map(|value| entry(index as Id + 1, value)))
                    .collect();
                let infos: Vec<EntrantInfo> = infos
                    .into_iter()
                    .enumerate()
                    .filter(|(_, (_, _, known))| *known)
                    .map(|(index, (mut divisions, bib, _))| {
                        divisions.sort_unstable();
                        divisions.dedup();
                        EntrantInfo {
                            entrant: Entrant::Competitor(index as Id + 1),
                            bib: bib.to_string(),
                            name: format!("Athlete {index}"),
                            division_ids: divisions,
                        }
                    })
                    .collect();
                let changed = changed as Id + 1;
                let new_result = new_value.map(|value| entry(changed, value));
                (capped, infos, results, changed, new_result)
            })
    })
}

type Tuple = (Entrant, Option<Id>, Option<u32>, Option<u32>);

fn full_engine(case: &Case) -> Vec<Tuple> {
    let (workout, infos, before, changed, new_result) = case;
    let mut after: Vec<ResultEntry> = before
        .iter()
        .filter(|result| result.entrant != Entrant::Competitor(*changed))
        .cloned()
        .collect();
    after.extend(new_result.clone());
    placement_impact(
        &rank_workout(workout, infos, before),
        &rank_workout(workout, infos, &after),
    )
    .into_iter()
    .map(|change| {
        (
            change.entrant,
            change.division_id,
            change.old_rank,
            change.new_rank,
        )
    })
    .collect()
}

fn fast_path(case: &Case) -> Vec<Tuple> {
    let (workout, infos, before, changed, new_result) = case;
    let changed = Entrant::Competitor(*changed);
    let mut after: Vec<ResultEntry> = before
        .iter()
        .filter(|result| result.entrant != changed)
        .cloned()
        .collect();
    after.extend(new_result.clone());
    // Shuffle-free but reversed: the fast path must not depend on input order.
    after.reverse();
    let by_entrant: HashMap<Entrant, &EntrantInfo> =
        infos.iter().map(|info| (info.entrant, info)).collect();
    let old = before.iter().find(|result| result.entrant == changed);
    places_changed_by(
        workout,
        &after,
        changed,
        old,
        |who| {
            by_entrant
                .get(&who)
                .map_or(&[][..], |info| info.division_ids.as_slice())
        },
        |who| {
            by_entrant
                .get(&who)
                .map_or(String::new(), |info| info.bib.clone())
        },
    )
    .into_iter()
    .map(|change| {
        (
            change.entrant,
            change.division_id,
            change.old_rank,
            change.new_rank,
        )
    })
    .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn who_moved_equals_the_difference_of_two_full_rankings(case in any_case()) {
        prop_assert_eq!(fast_path(&case), full_engine(&case));
    }

    /// Listed up to a limit: the same counts and the first rows of the
    /// full list.
    #[test]
    fn who_moved_listed_up_to_a_limit_is_the_start_of_the_full_list(
        case in any_case(),
        limit in 0_usize..6,
    ) {
        let full = full_engine(&case);
        let (workout, infos, before, changed, new_result) = &case;
        let changed = Entrant::Competitor(*changed);
        let mut after: Vec<ResultEntry> = before
            .iter()
            .filter(|result| result.entrant != changed)
            .cloned()
            .collect();
        after.extend(new_result.clone());
        let by_entrant: HashMap<Entrant, &EntrantInfo> =
            infos.iter().map(|info| (info.entrant, info)).collect();
        let old = before.iter().find(|result| result.entrant == changed);
        let moved = places_changed_listing(
            workout,
            &after,
            changed,
            old,
            |who| by_entrant.get(&who).map_or(&[][..], |info| info.division_ids.as_slice()),
            |who| by_entrant.get(&who).map_or(String::new(), |info| info.bib.clone()),
            limit,
        );
        let mut entrants: Vec<Entrant> = full.iter().map(|row| row.0).collect();
        entrants.sort_unstable();
        entrants.dedup();
        prop_assert_eq!(moved.changes, full.len());
        prop_assert_eq!(moved.entrants, entrants.len());
        let listed: Vec<Tuple> = moved
            .listed
            .iter()
            .map(|change| (change.entrant, change.division_id, change.old_rank, change.new_rank))
            .collect();
        prop_assert_eq!(&listed[..], &full[..full.len().min(limit)]);
    }

    #[test]
    fn a_board_updated_in_place_equals_a_full_ranking(case in any_case()) {
        let (workout, infos, before, changed, new_result) = &case;
        let changed = Entrant::Competitor(*changed);
        let mut after: Vec<ResultEntry> = before
            .iter()
            .filter(|result| result.entrant != changed)
            .cloned()
            .collect();
        after.extend(new_result.clone());
        let by_entrant: HashMap<Entrant, &EntrantInfo> =
            infos.iter().map(|info| (info.entrant, info)).collect();
        let mut board = rank_workout(workout, infos, before);
        let moved = replace_in_board(workout, &mut board, changed, new_result.as_ref(), |who| {
            by_entrant.get(&who).copied()
        });
        prop_assert_eq!(&board, &rank_workout(workout, infos, &after));
        prop_assert!(moved.end <= board.len().max(moved.start));
    }

    #[test]
    fn one_standing_equals_the_full_ranking(case in any_case()) {
        let (workout, infos, results, changed, _) = &case;
        let entrant = Entrant::Competitor(*changed);
        let rows = rank_workout(workout, infos, results);
        let by_entrant: HashMap<Entrant, &EntrantInfo> =
            infos.iter().map(|info| (info.entrant, info)).collect();
        let own = by_entrant.get(&entrant).map_or(&[][..], |info| info.division_ids.as_slice());
        let fast = standing(workout, results, entrant, own, |who| {
            by_entrant.get(&who).map_or(&[][..], |info| info.division_ids.as_slice())
        });
        let full = rows.iter().find(|row| row.entrant == entrant).map(|row| {
            (row.rank, row.division_ranks.clone())
        });
        prop_assert_eq!(fast, full);
    }
}

/// Through the store: 40 amendments spread over a 1,200-athlete race with
/// two divisions and many ties (so a long move needs more bibs than are
/// looked up by key, and reads them all); each receipt's who-moved list
/// equals the difference of the boards ranked in full before and after.
#[test]
fn amendment_receipts_match_full_rankings() {
    let directory = tempfile::tempdir().unwrap();
    let mut file =
        CompetitionFile::create(directory.path().join("moves.scoretable"), &competition()).unwrap();
    let women = file
        .add_division(&gender_division("Women", Gender::Female))
        .unwrap();
    let men = file
        .add_division(&gender_division("Men", Gender::Male))
        .unwrap();
    let drafts: Vec<_> = (0..1200)
        .map(|index| {
            let gender = if index % 2 == 0 {
                Gender::Female
            } else {
                Gender::Male
            };
            draft(
                index + 2,
                &(index + 1).to_string(),
                "A",
                &format!("N{index}"),
                gender,
            )
        })
        .collect();
    file.import_competitors_from("start.csv", &drafts).unwrap();
    let race = file
        .add_workout(&workout("Race", 1, ScoreType::Time))
        .unwrap();
    let records: Vec<ImportedResult> = (0..1200)
        .map(|index| ImportedResult {
            row: index as u64 + 2,
            entrant: file.entrant_by_bib(race, &(index + 1).to_string()).unwrap(),
            value: ScoreInput::text(if index % 37 == 0 {
                "DNF".to_string()
            } else {
                // Many ties: 60 distinct times.
                format!("20:{:02}", index % 60)
            }),
            penalty_ms: 0,
            splits: Vec::new(),
            incidents: Vec::new(),
            record_id: None,
            received_at: None,
        })
        .collect();
    file.import_results(race, Source::File, "times.csv", &records)
        .unwrap();
    assert!(women > 0 && men > 0);
    let mut moved_in_all = 0;
    for run in 0..40_usize {
        let bib = (run * 7 % 1200 + 1).to_string();
        let entrant = file.entrant_by_bib(race, &bib).unwrap();
        let value = match run % 5 {
            0 => "DNS".to_string(),
            _ => format!("20:{:02}", (run * 13) % 60),
        };
        let before = file.workout_leaderboard(race, None).unwrap();
        let receipt = file
            .amend_score(race, entrant, &value, "judge", "review", None)
            .unwrap();
        let after = file.workout_leaderboard(race, None).unwrap();
        assert_eq!(
            receipt.moved,
            placement_impact(&before, &after),
            "run {run}"
        );
        moved_in_all += receipt.moved.len();
    }
    assert!(
        moved_in_all > 100,
        "the amendments moved people: {moved_in_all}"
    );
}
