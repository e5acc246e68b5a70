//! Scoring engine benchmark on generated large events.
//!
//! Run with `cargo bench -p scoretable-core --bench engine`. It prints the
//! median of several runs for each step, on the two bench cases:
//! 60,000 athletes in 12 divisions with 10 splits, and 3,000 athletes across
//! 8 mixed workouts with teams of 3.

use std::hint::black_box;
use std::time::{Duration, Instant};

use scoretable_core::generate::{large_individual_event, team_event};
use scoretable_core::import::read_competitors_csv;
use scoretable_core::model::{OverallTieBreak, TeamScoring};
use scoretable_core::overall::{default_points_mode, overall_leaderboard};
use scoretable_core::ranking::rank_workout;
use scoretable_core::teams::aggregate_team_results;

const RUNS: usize = 7;

/// Runs `step` several times and returns the median duration.
fn median<T>(mut step: impl FnMut() -> T) -> Duration {
    let mut durations: Vec<Duration> = (0..RUNS)
        .map(|_| {
            let start = Instant::now();
            black_box(step());
            start.elapsed()
        })
        .collect();
    durations.sort();
    durations[RUNS / 2]
}

fn report(name: &str, duration: Duration, items: usize, unit: &str) {
    let per_second = items as f64 / duration.as_secs_f64();
    println!(
        "{name:<48} {:>10.2} ms  {per_second:>14.0} {unit}/s",
        duration.as_secs_f64() * 1000.0
    );
}

fn main() {
    let start = Instant::now();
    let race = large_individual_event(60_000, 12, 10, 1);
    println!(
        "generated 60,000-athlete race in {:.0} ms",
        start.elapsed().as_secs_f64() * 1000.0
    );
    let infos = race.entrant_infos();
    let workout = &race.workouts[0];
    let results = &race.results[0];
    let splits: usize = results.iter().map(|result| result.splits.len()).sum();
    report(
        "rank 60,000 results with 10 splits",
        median(|| rank_workout(workout, &infos, results)),
        results.len(),
        "results",
    );
    println!("  ({splits} split times placed)");

    let csv_text = race.competitors_csv();
    report(
        "raw CSV parse of 60,000 competitors",
        median(|| {
            let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
            reader.records().filter_map(Result::ok).count()
        }),
        race.competitors.len(),
        "rows",
    );
    report(
        "read_competitors_csv of the same file",
        median(|| {
            read_competitors_csv(csv_text.as_bytes(), "competitors.csv")
                .expect("generated CSV is valid")
        }),
        race.competitors.len(),
        "rows",
    );

    let games = team_event(3_000, 8, 3, 1);
    let game_infos = games.entrant_infos();
    let full_rerank = || {
        let ranked: Vec<_> = games
            .workouts
            .iter()
            .zip(&games.results)
            .map(|(workout, results)| {
                let rows = match workout.team_scoring {
                    TeamScoring::SumAll | TeamScoring::BestN { .. } => rank_workout(
                        workout,
                        &game_infos,
                        &aggregate_team_results(workout, &games.teams, results),
                    ),
                    _ => rank_workout(workout, &game_infos, results),
                };
                (workout.clone(), rows)
            })
            .collect();
        let individual: Vec<_> = ranked
            .iter()
            .filter(|(workout, _)| workout.team_scoring == TeamScoring::Individual)
            .cloned()
            .collect();
        let mut boards = vec![overall_leaderboard(
            &individual,
            None,
            &default_points_mode(),
            OverallTieBreak::BestFinish,
        )];
        for division in &games.divisions {
            boards.push(overall_leaderboard(
                &individual,
                Some(division.id),
                &default_points_mode(),
                OverallTieBreak::BestFinish,
            ));
        }
        boards
    };
    report(
        "full re-rank: 3,000 athletes, 8 workouts, overall",
        median(full_rerank),
        3_000 * 8,
        "results",
    );
}
