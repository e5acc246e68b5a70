//! Team results formed from member results (seed 000: "one chip per team
//! member" aggregated into a team score).
//!
//! # Rules
//!
//! - [`TeamScoring::Individual`] and [`TeamScoring::TeamChip`]: the results
//!   already belong to their entrants (a team chip gives one result per team)
//!   and are passed through unchanged.
//! - [`TeamScoring::SumAll`]: the team score is the sum of every member's
//!   effective score (penalty added and rounded to ranking precision for
//!   times). Until every member has a valid score the team result is marked
//!   `partial` and sums the members who have one. If any member has a status,
//!   the team gets a status (see below) and no score.
//! - [`TeamScoring::BestN`]: the sum of the `n` best members' effective
//!   scores (for times the `n` fastest; for other types the `n` highest).
//!   Partial while fewer than `n` members have a valid score but enough
//!   members without a result remain to reach `n`. The team gets a status only
//!   when fewer than `n` members can still finish. `n = 0` means every member.
//! - **Team status.** The earliest in status order (LAP, NC, DNF, DNQ, WD, DSQ,
//!   DNS) among the members' statuses, except that DNS becomes DNF when some
//!   member did post a valid score: the team started.
//! - **Sums.** Times add milliseconds. In a time-capped workout a team with
//!   any capped counted member is capped, with the capped members' reps added
//!   (finishers' reps are not known). Rounds+reps add total reps when the
//!   workout knows its reps per round (shown back as rounds+reps), otherwise
//!   rounds and extra reps add separately. Reps, loads, distances and points
//!   add in their integer units.
//! - A team with no member result at all gets no team result. Splits and
//!   tie-break times are dropped; penalties are already in the sum; member
//!   incidents are kept; the result is `amended` when any counted member's is.
//!   When a competitor has several results, the first one is used.

use crate::fast_hash::{fast_hash_map, FastHashMap};

use crate::model::{Entrant, Id, ResultEntry, Score, Status, Team, TeamScoring, Workout};
use crate::ranking::result_key;

/// Whether an entrant of this kind can have a result in `workout`: a
/// team-chip workout takes one result per team; individual workouts and
/// those that sum members take each competitor's. The error says what to
/// enter instead.
pub fn entrant_fits(workout: &Workout, entrant: Entrant) -> Result<(), &'static str> {
    match (workout.team_scoring, entrant) {
        (TeamScoring::TeamChip, Entrant::Competitor(_)) => {
            Err("this workout takes one result per team; enter the team's score")
        }
        (
            TeamScoring::Individual | TeamScoring::SumAll | TeamScoring::BestN { .. },
            Entrant::Team(_),
        ) => Err("this workout takes individual results; enter each competitor's score"),
        _ => Ok(()),
    }
}

/// Forms team results for `workout` from member results. See the module docs.
pub fn aggregate_team_results(
    workout: &Workout,
    teams: &[Team],
    member_results: &[ResultEntry],
) -> Vec<ResultEntry> {
    match workout.team_scoring {
        TeamScoring::Individual | TeamScoring::TeamChip => return member_results.to_vec(),
        TeamScoring::SumAll | TeamScoring::BestN { .. } => {}
    }
    let mut result_of: FastHashMap<Id, &ResultEntry> = fast_hash_map(member_results.len());
    for result in member_results {
        if let Entrant::Competitor(id) = result.entrant {
            result_of.entry(id).or_insert(result);
        }
    }
    teams
        .iter()
        .filter_map(|team| {
            aggregate_team_result(
                workout,
                team.id,
                team.members
                    .iter()
                    .map(|member| result_of.get(&member.competitor_id).copied()),
            )
        })
        .collect()
}

/// One team's result in a member-scored workout ([`TeamScoring::SumAll`] or
/// [`TeamScoring::BestN`]), formed from its members' results given in
/// member order, one item a member (`None`: the member has no result; a
/// competitor with several results gives the first). `None` when no member
/// has a result, or when the workout does not sum members (individual and
/// team-chip workouts have no formed team rows). The rules are in the
/// module docs; [`aggregate_team_results`] forms every team's with this.
pub fn aggregate_team_result<'r>(
    workout: &Workout,
    team_id: Id,
    members: impl IntoIterator<Item = Option<&'r ResultEntry>>,
) -> Option<ResultEntry> {
    let all_must_count = match workout.team_scoring {
        TeamScoring::Individual | TeamScoring::TeamChip => return None,
        TeamScoring::SumAll => true,
        TeamScoring::BestN { .. } => false,
    };
    let mut valid = Vec::new();
    let mut failing: Vec<Status> = Vec::new();
    let mut pending = 0_usize;
    let mut incidents = Vec::new();
    let mut first_source = None;
    let mut member_count = 0_usize;
    for member in members {
        member_count += 1;
        let Some(result) = member else {
            pending += 1;
            continue;
        };
        first_source.get_or_insert(result.source);
        incidents.extend(result.incidents.iter().cloned());
        let (key, effective) = result_key(
            workout,
            result.score,
            result.status,
            result.penalty_ms,
            None,
            false,
        );
        if let Some(status) = result.status {
            failing.push(status);
        } else if key.is_ranked() {
            valid.push((
                key,
                effective.expect("a ranked result has a score"),
                result.amended,
            ));
        } else {
            pending += 1;
        }
    }
    if valid.is_empty() && failing.is_empty() {
        return None;
    }
    let needed = match workout.team_scoring {
        TeamScoring::BestN { n } if n > 0 => n as usize,
        _ => member_count,
    };
    let cannot_complete = if all_must_count {
        !failing.is_empty()
    } else {
        valid.len() + pending < needed
    };
    let base = ResultEntry {
        entrant: Entrant::Team(team_id),
        score: None,
        status: None,
        tie_break_ms: None,
        penalty_ms: 0,
        splits: Vec::new(),
        incidents,
        source: first_source.unwrap_or(crate::model::Source::Manual),
        amended: false,
        partial: false,
    };
    if cannot_complete {
        let earliest = failing.iter().copied().min().unwrap_or(Status::Dnf);
        let status = if earliest == Status::Dns && !valid.is_empty() {
            Status::Dnf
        } else {
            earliest
        };
        return Some(ResultEntry {
            status: Some(status),
            ..base
        });
    }
    valid.sort_by_key(|(key, _, _)| *key);
    let counted = &valid[..valid.len().min(needed)];
    let partial = counted.len() < needed;
    let score = sum_scores(workout, counted.iter().map(|(_, score, _)| *score));
    Some(ResultEntry {
        score,
        amended: counted.iter().any(|(_, _, amended)| *amended),
        partial,
        ..base
    })
}

/// Adds member scores by the rules in the module docs.
fn sum_scores(workout: &Workout, scores: impl Iterator<Item = Score>) -> Option<Score> {
    let scores: Vec<Score> = scores.collect();
    let first = *scores.first()?;
    let any_capped = scores
        .iter()
        .any(|score| matches!(score, Score::Capped { .. }));
    if any_capped {
        let reps = scores
            .iter()
            .map(|score| {
                if let Score::Capped { reps } = score {
                    *reps
                } else {
                    0
                }
            })
            .sum();
        return Some(Score::Capped { reps });
    }
    let total = |value: fn(&Score) -> i64| scores.iter().map(value).sum::<i64>();
    let summed = match first {
        Score::Time { .. } => Score::Time {
            ms: total(|score| {
                if let Score::Time { ms } = score {
                    *ms
                } else {
                    0
                }
            }),
        },
        Score::Capped { .. } => unreachable!("handled above"),
        Score::RoundsReps { .. } | Score::Reps { .. } => {
            let rounds = total(|score| {
                if let Score::RoundsReps { rounds, .. } = score {
                    *rounds
                } else {
                    0
                }
            });
            let reps = total(|score| match score {
                Score::RoundsReps { reps, .. } | Score::Reps { reps } => *reps,
                _ => 0,
            });
            match (
                first,
                workout.reps_per_round.filter(|per_round| *per_round > 0),
            ) {
                (Score::Reps { .. }, _) => Score::Reps { reps },
                (_, Some(per_round)) => {
                    let all_reps = rounds * per_round + reps;
                    Score::RoundsReps {
                        rounds: all_reps / per_round,
                        reps: all_reps % per_round,
                    }
                }
                (_, None) => Score::RoundsReps { rounds, reps },
            }
        }
        Score::Load { .. } => Score::Load {
            grams: total(|score| {
                if let Score::Load { grams } = score {
                    *grams
                } else {
                    0
                }
            }),
        },
        Score::Distance { .. } => Score::Distance {
            mm: total(|score| {
                if let Score::Distance { mm } = score {
                    *mm
                } else {
                    0
                }
            }),
        },
        Score::Points { .. } => Score::Points {
            milli: total(|score| {
                if let Score::Points { milli } = score {
                    *milli
                } else {
                    0
                }
            }),
        },
    };
    Some(summed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ExternalIds, Rounding, ScoreType, Source, TeamMember};
    use crate::score::tests::workout;
    use proptest::prelude::*;

    fn team(id: Id, members: &[Id]) -> Team {
        Team {
            id,
            name: format!("Team {id}"),
            bib: None,
            country: None,
            division_ids: Vec::new(),
            members: members
                .iter()
                .enumerate()
                .map(|(index, competitor_id)| TeamMember {
                    competitor_id: *competitor_id,
                    order: index as u32 + 1,
                })
                .collect(),
            external_ids: ExternalIds::default(),
        }
    }

    fn member(id: Id, score: Option<Score>, status: Option<Status>) -> ResultEntry {
        ResultEntry {
            entrant: Entrant::Competitor(id),
            score,
            status,
            tie_break_ms: Some(1),
            penalty_ms: 0,
            splits: Vec::new(),
            incidents: Vec::new(),
            source: Source::Feed,
            amended: false,
            partial: false,
        }
    }

    fn time(ms: i64) -> Option<Score> {
        Some(Score::Time { ms })
    }

    #[test]
    fn team_chip_workouts_take_teams_and_the_others_competitors() {
        let mut relay = workout(ScoreType::Time);
        for scoring in [
            TeamScoring::Individual,
            TeamScoring::SumAll,
            TeamScoring::BestN { n: 2 },
        ] {
            relay.team_scoring = scoring;
            assert_eq!(entrant_fits(&relay, Entrant::Competitor(1)), Ok(()));
            assert!(entrant_fits(&relay, Entrant::Team(1))
                .unwrap_err()
                .contains("individual results"));
        }
        relay.team_scoring = TeamScoring::TeamChip;
        assert_eq!(entrant_fits(&relay, Entrant::Team(1)), Ok(()));
        assert!(entrant_fits(&relay, Entrant::Competitor(1))
            .unwrap_err()
            .contains("one result per team"));
    }

    #[test]
    fn sum_all_times_with_penalty_and_rounding() {
        let mut relay = workout(ScoreType::Time);
        relay.team_scoring = TeamScoring::SumAll;
        relay.rounding = Rounding::Up { unit_ms: 1000 };
        let mut second = member(2, time(60_001), None);
        second.penalty_ms = 10_000;
        let results = aggregate_team_results(
            &relay,
            &[team(10, &[1, 2, 3])],
            &[member(1, time(50_000), None), second.clone()],
        );
        assert_eq!(results.len(), 1);
        assert_eq!(results[0].entrant, Entrant::Team(10));
        assert_eq!(results[0].score, time(121_000));
        assert!(results[0].partial);
        assert_eq!(results[0].tie_break_ms, None);
        let complete = aggregate_team_results(
            &relay,
            &[team(10, &[1, 2, 3])],
            &[
                member(1, time(50_000), None),
                second,
                member(3, time(1_000), None),
            ],
        );
        assert_eq!(complete[0].score, time(122_000));
        assert!(!complete[0].partial);
    }

    #[test]
    fn sum_all_member_status_gives_team_status() {
        let mut relay = workout(ScoreType::Time);
        relay.team_scoring = TeamScoring::SumAll;
        let results = aggregate_team_results(
            &relay,
            &[team(10, &[1, 2]), team(11, &[3, 4]), team(12, &[5, 6])],
            &[
                member(1, time(5), None),
                member(2, None, Some(Status::Dns)),
                member(3, None, Some(Status::Dsq)),
                member(4, None, Some(Status::Dns)),
            ],
        );
        assert_eq!(results.len(), 2, "team 12 has no results at all");
        assert_eq!(
            (results[0].score, results[0].status),
            (None, Some(Status::Dnf))
        );
        assert_eq!(results[1].status, Some(Status::Dsq));
    }

    #[test]
    fn best_n_takes_the_best_and_tolerates_a_failure() {
        let mut reps = workout(ScoreType::Reps);
        reps.team_scoring = TeamScoring::BestN { n: 2 };
        let members = [
            member(1, Some(Score::Reps { reps: 50 }), None),
            member(2, Some(Score::Reps { reps: 70 }), None),
            member(3, Some(Score::Reps { reps: 60 }), None),
            member(4, Some(Score::Reps { reps: 40 }), None),
            member(5, None, Some(Status::Dnf)),
            member(7, None, Some(Status::Dnf)),
            member(8, None, Some(Status::Wd)),
        ];
        let teams = [
            team(1, &[1, 2, 3]),
            team(2, &[4, 5, 6]),
            team(3, &[7, 8, 9]),
        ];
        let results = aggregate_team_results(&reps, &teams, &members);
        assert_eq!(results[0].score, Some(Score::Reps { reps: 130 }));
        assert!(!results[0].partial);
        // Team 2: one valid, one DNF, one still out: it can still reach two.
        assert_eq!(
            (results[1].score, results[1].partial, results[1].status),
            (Some(Score::Reps { reps: 40 }), true, None)
        );
        // Team 3: two failed, one pending: at most one can finish.
        assert_eq!(results[2].status, Some(Status::Dnf));

        let mut fastest = workout(ScoreType::Time);
        fastest.team_scoring = TeamScoring::BestN { n: 2 };
        let results = aggregate_team_results(
            &fastest,
            &[team(1, &[1, 2, 3])],
            &[
                member(1, time(300), None),
                member(2, time(100), None),
                member(3, time(200), None),
            ],
        );
        assert_eq!(results[0].score, time(300));
    }

    #[test]
    fn capped_members_and_rounds_reps() {
        let mut chipper = workout(ScoreType::TimeCapped);
        chipper.team_scoring = TeamScoring::SumAll;
        let results = aggregate_team_results(
            &chipper,
            &[team(1, &[1, 2, 3])],
            &[
                member(1, time(300), None),
                member(2, Some(Score::Capped { reps: 10 }), None),
                member(3, Some(Score::Capped { reps: 5 }), None),
            ],
        );
        assert_eq!(results[0].score, Some(Score::Capped { reps: 15 }));

        let mut amrap = workout(ScoreType::RoundsReps);
        amrap.team_scoring = TeamScoring::SumAll;
        amrap.reps_per_round = Some(10);
        let results = aggregate_team_results(
            &amrap,
            &[team(1, &[1, 2])],
            &[
                member(1, Some(Score::RoundsReps { rounds: 3, reps: 7 }), None),
                member(2, Some(Score::RoundsReps { rounds: 2, reps: 5 }), None),
            ],
        );
        assert_eq!(
            results[0].score,
            Some(Score::RoundsReps { rounds: 6, reps: 2 })
        );
    }

    #[test]
    fn team_chip_passes_through() {
        let mut chip = workout(ScoreType::Time);
        chip.team_scoring = TeamScoring::TeamChip;
        let mut team_result = member(1, time(5), None);
        team_result.entrant = Entrant::Team(1);
        assert_eq!(
            aggregate_team_results(&chip, &[team(1, &[1])], &[team_result.clone()]),
            [team_result]
        );
    }

    proptest! {
        #[test]
        fn best_n_sums_the_fastest_and_sum_all_sums_everyone(
            times in proptest::collection::vec(proptest::option::of(1_i64..100_000), 1..6),
            n in 1_u32..6,
        ) {
            let members: Vec<Id> = (1..=times.len() as Id).collect();
            let results: Vec<ResultEntry> = times
                .iter()
                .zip(&members)
                .filter_map(|(time_ms, id)| time_ms.map(|ms| member(*id, time(ms), None)))
                .collect();
            let mut finished: Vec<i64> = times.iter().flatten().copied().collect();
            finished.sort_unstable();

            let mut best = workout(ScoreType::Time);
            best.team_scoring = TeamScoring::BestN { n };
            let aggregated = aggregate_team_results(&best, &[team(1, &members)], &results);
            if finished.is_empty() {
                prop_assert!(aggregated.is_empty());
            } else if members.len() < n as usize {
                prop_assert_eq!(aggregated[0].status, Some(Status::Dnf));
            } else {
                let counted = finished.len().min(n as usize);
                prop_assert_eq!(aggregated[0].score, time(finished[..counted].iter().sum()));
                prop_assert_eq!(aggregated[0].partial, counted < n as usize);
            }

            let mut all = workout(ScoreType::Time);
            all.team_scoring = TeamScoring::SumAll;
            let aggregated = aggregate_team_results(&all, &[team(1, &members)], &results);
            if !finished.is_empty() {
                prop_assert_eq!(aggregated[0].score, time(finished.iter().sum()));
                prop_assert_eq!(aggregated[0].partial, finished.len() < members.len());
            }
        }
    }
}
