//! Team results formed from members' results, for `SumAll` and `BestN`
//! workouts.
//!
//! This is a small private adapter used until `scoretable_core::teams` lands
//! (see the crate report); it follows the model's documented rules:
//!
//! - Only members' valid results count (a score and no status). They are
//!   ordered best first by the engine's own comparison, and the best `n`
//!   (`BestN`) or all members (`SumAll`) are added up.
//! - Times are added after each member's penalty and rounding; reps, loads,
//!   distances and points are added as they are. Rounds+reps become total
//!   reps when the workout knows its reps per round. A capped member makes
//!   the team capped, with the capped members' reps added.
//! - A team with fewer counted members than required is `partial`.
//! - A team whose members only have statuses takes the best of those statuses.
//! - Teams with no member result get no result.

use std::collections::HashMap;

use scoretable_core::model::{Entrant, Id, ResultEntry, Score, Source, Team, TeamScoring, Workout};
use scoretable_core::ranking::compare_results;
use scoretable_core::score::effective_score;

pub(crate) fn aggregate_team_results(
    workout: &Workout,
    teams: &[Team],
    results: &[ResultEntry],
) -> Vec<ResultEntry> {
    let by_competitor: HashMap<Id, &ResultEntry> = results
        .iter()
        .filter_map(|result| match result.entrant {
            Entrant::Competitor(id) => Some((id, result)),
            Entrant::Team(_) => None,
        })
        .collect();
    let mut team_results = Vec::new();
    for team in teams {
        let member_results: Vec<&ResultEntry> = team
            .members
            .iter()
            .filter_map(|member| by_competitor.get(&member.competitor_id).copied())
            .collect();
        if member_results.is_empty() {
            continue;
        }
        let required = match workout.team_scoring {
            TeamScoring::BestN { n } => n as usize,
            _ => team.members.len(),
        };
        let mut valid: Vec<&ResultEntry> = member_results
            .iter()
            .copied()
            .filter(|result| result.score.is_some() && result.status.is_none())
            .collect();
        valid.sort_by(|a, b| compare_results(workout, a, b));
        valid.truncate(required);
        let amended = member_results.iter().any(|result| result.amended);
        let incidents: Vec<String> = member_results
            .iter()
            .flat_map(|result| result.incidents.iter().cloned())
            .collect();
        let (score, status) = if valid.is_empty() {
            let best_status = member_results
                .iter()
                .filter_map(|result| result.status)
                .min();
            (None, best_status)
        } else {
            (sum_scores(workout, &valid), None)
        };
        team_results.push(ResultEntry {
            entrant: Entrant::Team(team.id),
            score,
            status,
            tie_break_ms: None,
            penalty_ms: 0,
            splits: Vec::new(),
            incidents,
            source: if amended {
                Source::Amendment
            } else {
                Source::Manual
            },
            amended,
            partial: valid.len() < required,
        });
    }
    team_results
}

fn sum_scores(workout: &Workout, counted: &[&ResultEntry]) -> Option<Score> {
    let scores: Vec<Score> = counted
        .iter()
        .filter_map(|result| {
            result
                .score
                .map(|score| effective_score(workout, score, result.penalty_ms))
        })
        .collect();
    if scores
        .iter()
        .any(|score| matches!(score, Score::Capped { .. }))
    {
        let reps = scores
            .iter()
            .map(|score| match score {
                Score::Capped { reps } => *reps,
                _ => 0,
            })
            .sum();
        return Some(Score::Capped { reps });
    }
    let first = *scores.first()?;
    let total = match first {
        Score::Time { .. } => Score::Time {
            ms: scores
                .iter()
                .map(|score| match score {
                    Score::Time { ms } => *ms,
                    _ => 0,
                })
                .sum(),
        },
        Score::RoundsReps { .. } | Score::Reps { .. } => {
            let per_round = workout.reps_per_round.filter(|per_round| *per_round > 0);
            match per_round {
                Some(per_round) => Score::Reps {
                    reps: scores
                        .iter()
                        .map(|score| match score {
                            Score::RoundsReps { rounds, reps } => rounds * per_round + reps,
                            Score::Reps { reps } => *reps,
                            _ => 0,
                        })
                        .sum(),
                },
                None => {
                    let (mut rounds_total, mut reps_total) = (0, 0);
                    for score in &scores {
                        match score {
                            Score::RoundsReps { rounds, reps } => {
                                rounds_total += rounds;
                                reps_total += reps;
                            }
                            Score::Reps { reps } => reps_total += reps,
                            _ => {}
                        }
                    }
                    if matches!(first, Score::Reps { .. }) && rounds_total == 0 {
                        Score::Reps { reps: reps_total }
                    } else {
                        Score::RoundsReps {
                            rounds: rounds_total,
                            reps: reps_total,
                        }
                    }
                }
            }
        }
        Score::Load { .. } => Score::Load {
            grams: scores
                .iter()
                .map(|score| match score {
                    Score::Load { grams } => *grams,
                    _ => 0,
                })
                .sum(),
        },
        Score::Distance { .. } => Score::Distance {
            mm: scores
                .iter()
                .map(|score| match score {
                    Score::Distance { mm } => *mm,
                    _ => 0,
                })
                .sum(),
        },
        Score::Points { .. } => Score::Points {
            milli: scores
                .iter()
                .map(|score| match score {
                    Score::Points { milli } => *milli,
                    _ => 0,
                })
                .sum(),
        },
        Score::Capped { .. } => first,
    };
    Some(total)
}
