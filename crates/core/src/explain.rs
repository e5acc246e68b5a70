//! Plain sentences saying why one entrant is listed above another.
//!
//! Officials and athletes ask "why is she ahead of me?". These functions
//! answer from the same rules the ranking uses (see [`crate::ranking`] and
//! [`crate::overall`]), so an explanation can never disagree with the board.

use std::cmp::Ordering;

use crate::model::{
    OverallMode, OverallRow, OverallTieBreak, RankedRow, Score, ScoreType, TieBreak, Workout,
};
use crate::ranking::row_key;
use crate::score::format_workout_time;

/// Explains the order of two rows of one workout's ranking.
///
/// Examples: `Ada ranks above Bo: 12:03.4 is faster than 12:05.0.`,
/// `Ada ranks above Bo: equal scores of 150; tie-break time 4:10.0 beats 4:12.3.`,
/// `Ada ranks above Bo: Bo has DNF, which ranks after every valid result.`
pub fn explain_order(
    workout: &Workout,
    a: &RankedRow,
    b: &RankedRow,
    a_name: &str,
    b_name: &str,
) -> String {
    let a_key = row_key(workout, a);
    let b_key = row_key(workout, b);
    let order = match (a.rank, b.rank) {
        (Some(a_rank), Some(b_rank)) => a_rank.cmp(&b_rank),
        _ => a_key.cmp(&b_key),
    };
    let (better, worse, better_name, worse_name) = match order {
        Ordering::Greater => (b, a, b_name, a_name),
        _ => (a, b, a_name, b_name),
    };
    let better_key = row_key(workout, better);
    let worse_key = row_key(workout, worse);

    if order == Ordering::Equal {
        return match (a.rank, a.status) {
            (Some(rank), _) => {
                let tie_break = match (workout.tie_break, a.tie_break_ms) {
                    (TieBreak::TieBreakTime, Some(ms)) => format!(" and equal tie-break times of {}", format_workout_time(workout.rounding, ms)),
                    (TieBreak::TieBreakTime, None) => " and neither has a tie-break time".to_string(),
                    (TieBreak::None, _) => String::new(),
                };
                format!("{a_name} and {b_name} share place {rank}: equal scores of {}{tie_break}.", a.display)
            }
            (None, Some(status)) => format!(
                "{a_name} and {b_name} both have {status}, which is not ranked; they are listed by bib."
            ),
            (None, None) => format!("{a_name} and {b_name} have no rankable result; they are listed by bib."),
        };
    }

    let lead = format!("{better_name} ranks above {worse_name}");
    let reason = match (better.rank, worse.rank) {
        (Some(_), Some(_)) if better_key.same_score(worse_key) => {
            let better_tie_break = better.tie_break_ms.map(|ms| format_workout_time(workout.rounding, ms));
            match (better_tie_break, worse.tie_break_ms) {
                (Some(better_time), Some(worse_ms)) => format!(
                    "equal scores of {}; tie-break time {better_time} beats {}",
                    better.display,
                    format_workout_time(workout.rounding, worse_ms)
                ),
                (Some(better_time), None) => format!(
                    "equal scores of {}; {better_name} has a tie-break time of {better_time} and {worse_name} has none",
                    better.display
                ),
                (None, _) => format!("equal scores of {}", better.display),
            }
        }
        (Some(_), Some(_)) if worse.partial && !better.partial => format!(
            "{worse_name}'s result {} is partial (team members still missing), which ranks after complete results",
            worse.display
        ),
        (Some(_), Some(_)) => compare_scores(workout, better, worse, better_name, worse_name),
        (Some(_), None) => match worse.status {
            Some(status) => format!("{worse_name} has {status}, which ranks after every valid result"),
            None if worse.score.is_some() => format!("{worse_name}'s result {} is not a score this workout takes", worse.display),
            None => format!("{worse_name} has no result"),
        },
        (None, _) => match (better.status, worse.status) {
            (Some(better_status), Some(worse_status)) => format!(
                "{better_status} is listed before {worse_status} (status order LAP, NC, DNF, DNQ, WD, DSQ, DNS)"
            ),
            (Some(status), None) => format!("{worse_name} has no rankable result, which is listed after {status}"),
            _ => format!("{worse_name} has no rankable result"),
        },
    };
    format!("{lead}: {reason}.")
}

fn compare_scores(
    workout: &Workout,
    better: &RankedRow,
    worse: &RankedRow,
    better_name: &str,
    worse_name: &str,
) -> String {
    let (better_text, worse_text) = (&better.display, &worse.display);
    match (better.score, worse.score) {
        (Some(Score::Time { .. }), Some(Score::Capped { .. })) => format!(
            "{better_name} finished in {better_text} within the time cap while {worse_name} was capped at {worse_text}"
        ),
        (Some(Score::Time { .. }), Some(Score::Time { .. })) => format!("{better_text} is faster than {worse_text}"),
        (Some(Score::Capped { .. }), Some(Score::Capped { .. })) => {
            format!("capped with more reps: {better_text} beats {worse_text}")
        }
        (Some(Score::RoundsReps { .. }), Some(Score::RoundsReps { .. })) => match workout.reps_per_round {
            Some(per_round) if per_round > 0 => {
                format!("{better_text} is more reps than {worse_text} ({per_round} reps a round)")
            }
            _ => format!("{better_text} is more rounds and reps than {worse_text}"),
        },
        (Some(Score::Load { .. }), _) => format!("{better_text} is heavier than {worse_text}"),
        (Some(Score::Distance { .. }), _) => format!("{better_text} is farther than {worse_text}"),
        (Some(Score::Points { .. }), _) => format!("{better_text} points is more than {worse_text}"),
        (Some(Score::Reps { .. }), _) if workout.score_type == ScoreType::Reps => {
            format!("{better_text} reps is more than {worse_text}")
        }
        _ => format!("{better_text} beats {worse_text}"),
    }
}

/// Explains the order of two rows of an overall leaderboard built with
/// `mode` and `tie_break` (the same arguments given to
/// [`overall_leaderboard`](crate::overall::overall_leaderboard)).
pub fn explain_overall(
    a: &OverallRow,
    b: &OverallRow,
    a_name: &str,
    b_name: &str,
    mode: &OverallMode,
    tie_break: OverallTieBreak,
) -> String {
    let (better, worse, better_name, worse_name) = if a.rank <= b.rank {
        (a, b, a_name, b_name)
    } else {
        (b, a, b_name, a_name)
    };
    let (total_word, direction) = match mode {
        OverallMode::RankSum => ("rank sum", "lower"),
        OverallMode::PointsTable { .. } => ("points", "higher"),
        OverallMode::Cumulative => ("cumulative total", "better"),
    };
    if better.total != worse.total {
        let counted =
            |row: &OverallRow| row.cells.iter().filter(|cell| cell.rank.is_some()).count();
        if matches!(mode, OverallMode::Cumulative) && counted(better) != counted(worse) {
            return format!(
                "{better_name} ranks above {worse_name}: {} workouts counted against {}; more completed workouts rank first.",
                counted(better),
                counted(worse)
            );
        }
        return format!(
            "{better_name} ranks above {worse_name}: {total_word} {} is {direction} than {}.",
            better.total, worse.total
        );
    }
    let equal_totals = format!("equal {total_word} of {}", better.total);
    if better.rank == worse.rank {
        return format!("{a_name} and {b_name} share place {}: {equal_totals} and the tie-break does not separate them.", a.rank);
    }
    let reason = match tie_break {
        OverallTieBreak::BestFinish => {
            let mut better_places: Vec<u32> =
                better.cells.iter().filter_map(|cell| cell.rank).collect();
            let mut worse_places: Vec<u32> =
                worse.cells.iter().filter_map(|cell| cell.rank).collect();
            better_places.sort_unstable();
            worse_places.sort_unstable();
            let deciding = better_places
                .iter()
                .zip(worse_places.iter())
                .find(|(better_place, worse_place)| better_place != worse_place)
                .map(|(better_place, _)| *better_place)
                .or_else(|| better_places.get(worse_places.len()).copied());
            match deciding {
                Some(place) => {
                    let count = |places: &[u32]| {
                        places
                            .iter()
                            .filter(|candidate| **candidate == place)
                            .count()
                    };
                    format!(
                        "{equal_totals}; best finishes decide: {better_name} has {} {} place{} and {worse_name} has {}",
                        count(&better_places),
                        ordinal(place),
                        if count(&better_places) == 1 { "" } else { "s" },
                        count(&worse_places)
                    )
                }
                None => format!("{equal_totals}; best finishes decide"),
            }
        }
        OverallTieBreak::Workout { workout_id } => {
            let place_in = |row: &OverallRow| {
                row.cells
                    .iter()
                    .find(|cell| cell.workout_id == workout_id)
                    .and_then(|cell| cell.rank)
                    .map_or("no place".to_string(), |place| format!("place {place}"))
            };
            format!(
                "{equal_totals}; the tie-break workout decides: {better_name} has {} there and {worse_name} {}",
                place_in(better),
                place_in(worse)
            )
        }
        OverallTieBreak::Equal => format!("{equal_totals}; they are listed by entry"),
    };
    format!("{better_name} ranks above {worse_name}: {reason}.")
}

fn ordinal(place: u32) -> String {
    let suffix = match (place % 10, place % 100) {
        (1, 11) | (2, 12) | (3, 13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{place}{suffix}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Entrant, EntrantInfo, OverallCell, ResultEntry, Source, Status};
    use crate::ranking::rank_workout;
    use crate::score::tests::workout;
    use proptest::prelude::*;

    fn entry(
        id: i64,
        score: Option<Score>,
        status: Option<Status>,
        tie_break_ms: Option<i64>,
    ) -> ResultEntry {
        ResultEntry {
            entrant: Entrant::Competitor(id),
            score,
            status,
            tie_break_ms,
            penalty_ms: 0,
            splits: Vec::new(),
            incidents: Vec::new(),
            source: Source::Manual,
            amended: false,
            partial: false,
        }
    }

    fn row_of(rows: &[RankedRow], id: i64) -> &RankedRow {
        rows.iter()
            .find(|row| row.entrant == Entrant::Competitor(id))
            .unwrap()
    }

    #[test]
    fn explains_workout_orders() {
        let mut reps = workout(ScoreType::Reps);
        reps.tie_break = TieBreak::TieBreakTime;
        let infos: Vec<EntrantInfo> = Vec::new();
        let rows = rank_workout(
            &reps,
            &infos,
            &[
                entry(1, Some(Score::Reps { reps: 150 }), None, Some(250_000)),
                entry(2, Some(Score::Reps { reps: 150 }), None, Some(252_300)),
                entry(3, None, Some(Status::Dnf), None),
                entry(4, Some(Score::Reps { reps: 140 }), None, None),
                entry(5, None, Some(Status::Dns), None),
            ],
        );
        assert_eq!(
            explain_order(&reps, row_of(&rows, 1), row_of(&rows, 2), "Ada", "Bo"),
            "Ada ranks above Bo: equal scores of 150; tie-break time 4:10.0 beats 4:12.3."
        );
        assert_eq!(
            explain_order(&reps, row_of(&rows, 3), row_of(&rows, 2), "Cy", "Bo"),
            "Bo ranks above Cy: Cy has DNF, which ranks after every valid result."
        );
        assert_eq!(
            explain_order(&reps, row_of(&rows, 2), row_of(&rows, 4), "Bo", "Di"),
            "Bo ranks above Di: 150 reps is more than 140."
        );
        assert_eq!(
            explain_order(&reps, row_of(&rows, 5), row_of(&rows, 3), "Ed", "Cy"),
            "Cy ranks above Ed: DNF is listed before DNS (status order LAP, NC, DNF, DNQ, WD, DSQ, DNS)."
        );
    }

    #[test]
    fn explains_times_and_shared_places() {
        let mut chipper = workout(ScoreType::TimeCapped);
        chipper.time_cap_ms = Some(720_000);
        let rows = rank_workout(
            &chipper,
            &[],
            &[
                entry(
                    1,
                    Some(Score::Time {
                        ms: 723_400 - 100_000,
                    }),
                    None,
                    None,
                ),
                entry(
                    2,
                    Some(Score::Time {
                        ms: 725_000 - 100_000,
                    }),
                    None,
                    None,
                ),
                entry(3, Some(Score::Capped { reps: 41 }), None, None),
                entry(
                    4,
                    Some(Score::Time {
                        ms: 725_000 - 100_000,
                    }),
                    None,
                    None,
                ),
            ],
        );
        assert_eq!(
            explain_order(&chipper, row_of(&rows, 2), row_of(&rows, 1), "Bo", "Ada"),
            "Ada ranks above Bo: 10:23.4 is faster than 10:25.0."
        );
        assert_eq!(
            explain_order(&chipper, row_of(&rows, 3), row_of(&rows, 2), "Cy", "Bo"),
            "Bo ranks above Cy: Bo finished in 10:25.0 within the time cap while Cy was capped at CAP+41."
        );
        assert_eq!(
            explain_order(&chipper, row_of(&rows, 2), row_of(&rows, 4), "Bo", "Di"),
            "Bo and Di share place 2: equal scores of 10:25.0."
        );
    }

    fn overall_row(id: i64, rank: u32, total: i64, places: &[Option<u32>]) -> OverallRow {
        OverallRow {
            entrant: Entrant::Competitor(id),
            rank,
            total,
            cells: places
                .iter()
                .enumerate()
                .map(|(index, place)| OverallCell {
                    workout_id: index as i64 + 1,
                    rank: *place,
                    points: 0,
                    display: String::new(),
                })
                .collect(),
        }
    }

    #[test]
    fn explains_overall_orders() {
        let ada = overall_row(1, 1, 4, &[Some(1), Some(3)]);
        let bo = overall_row(2, 2, 4, &[Some(2), Some(2)]);
        let cy = overall_row(3, 3, 9, &[Some(4), Some(5)]);
        assert_eq!(
            explain_overall(&bo, &ada, "Bo", "Ada", &OverallMode::RankSum, OverallTieBreak::BestFinish),
            "Ada ranks above Bo: equal rank sum of 4; best finishes decide: Ada has 1 1st place and Bo has 0."
        );
        assert_eq!(
            explain_overall(
                &ada,
                &cy,
                "Ada",
                "Cy",
                &OverallMode::RankSum,
                OverallTieBreak::BestFinish
            ),
            "Ada ranks above Cy: rank sum 4 is lower than 9."
        );
        assert_eq!(
            explain_overall(&ada, &bo, "Ada", "Bo", &OverallMode::RankSum, OverallTieBreak::Workout { workout_id: 1 }),
            "Ada ranks above Bo: equal rank sum of 4; the tie-break workout decides: Ada has place 1 there and Bo place 2."
        );
    }

    proptest! {
        #[test]
        fn explanations_agree_with_the_ranking(
            scores in proptest::collection::vec((proptest::option::of(0_i64..6), proptest::option::of(0_i64..3), 0_usize..9), 2..12),
        ) {
            let mut reps = workout(ScoreType::Reps);
            reps.tie_break = TieBreak::TieBreakTime;
            let results: Vec<ResultEntry> = scores
                .iter()
                .enumerate()
                .map(|(index, (score, tie_break, status))| {
                    let status = crate::model::Status::ALL.get(*status).copied();
                    entry(index as i64, score.map(|reps| Score::Reps { reps }), status, tie_break.map(|ms| ms * 1000))
                })
                .collect();
            let rows = rank_workout(&reps, &[], &results);
            let name = |row: &RankedRow| match row.entrant {
                Entrant::Competitor(id) | Entrant::Team(id) => format!("E{id}"),
            };
            for (upper_index, upper) in rows.iter().enumerate() {
                for lower in &rows[upper_index + 1..] {
                    let sentence = explain_order(&reps, lower, upper, &name(lower), &name(upper));
                    let shares = upper.rank.is_some() && upper.rank == lower.rank;
                    let same_status = upper.rank.is_none() && lower.rank.is_none() && row_key(&reps, upper) == row_key(&reps, lower);
                    if shares || same_status {
                        prop_assert!(sentence.starts_with(&format!("{} and {}", name(lower), name(upper))), "{}", sentence);
                    } else {
                        let expected = format!("{} ranks above {}", name(upper), name(lower));
                        prop_assert!(sentence.starts_with(&expected), "{}", sentence);
                    }
                }
            }
        }
    }
}
