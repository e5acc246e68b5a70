//! The kept overall tables of the hot-path bench's event, updated in memory
//! by its amendments (no store, no writes), for a profiler and for timing
//! `LiveOverall::apply` alone:
//! `cargo run --release -p scoretable-core --example overall_profile -- [ATHLETES] [N] [MODE]`,
//! MODE one of `rank-sum` (default), `best-finish` (rank sum, best-finish
//! tie-break), `points` (a 200-place points table, best finish),
//! `cumulative` or `all`.
//!
//! The event is the bench's: one race of ATHLETES (default 60,000) in 12
//! divisions, and a 150-athlete wave beside it. Each amendment is the
//! bench's (every tenth a DNF, the others 61 s faster or slower, spread
//! over the field); the tables (whole field and the first division) take
//! the board's who-moved list (compact: `LiveBoard::apply_moves`,
//! `LiveOverall::apply_moves`), and at the end each equals a fresh build.
use std::time::Instant;

use scoretable_core::board::{LiveBoard, RankInfo};
use scoretable_core::generate::large_individual_event;
use scoretable_core::live_overall::LiveOverall;
use scoretable_core::model::{
    Entrant, Id, OverallMode, OverallSettings, OverallTieBreak, RankedRow, ResultEntry, Score,
    Status, TeamWorkoutsInOverall, Workout,
};

fn settings(mode: &str) -> OverallSettings {
    let (mode, tie_break) = match mode {
        "rank-sum" => (OverallMode::RankSum, OverallTieBreak::Equal),
        "best-finish" => (OverallMode::RankSum, OverallTieBreak::BestFinish),
        "points" => (
            OverallMode::PointsTable {
                points: (0..200).map(|place| 1000 - place * 5).collect(),
                floor: 1,
            },
            OverallTieBreak::BestFinish,
        ),
        "cumulative" => (OverallMode::Cumulative, OverallTieBreak::BestFinish),
        other => panic!("unknown mode {other}"),
    };
    OverallSettings {
        mode,
        tie_break,
        team_workouts: TeamWorkoutsInOverall::Excluded,
    }
}

#[repr(C)]
struct Timespec {
    seconds: i64,
    nanoseconds: i64,
}

extern "C" {
    fn clock_gettime(clock: i32, time: *mut Timespec) -> i32;
}

/// This thread's CPU time in ms (`CLOCK_THREAD_CPUTIME_ID`, Linux), so
/// that neighbours on a shared machine do not count.
fn cpu_ms() -> f64 {
    let mut time = Timespec {
        seconds: 0,
        nanoseconds: 0,
    };
    // SAFETY: clock 3 is CLOCK_THREAD_CPUTIME_ID on Linux; `time` is valid.
    unsafe { clock_gettime(3, &mut time) };
    time.seconds as f64 * 1000.0 + time.nanoseconds as f64 / 1e6
}

fn percentile(values: &[f64], quantile: f64) -> f64 {
    let mut values = values.to_vec();
    values.sort_by(f64::total_cmp);
    let index = ((values.len() as f64 * quantile).ceil() as usize).clamp(1, values.len()) - 1;
    values[index]
}

fn main() {
    let mut arguments = std::env::args().skip(1);
    let athletes: usize = arguments
        .next()
        .map_or(60_000, |n| n.parse().expect("a size"));
    let runs: usize = arguments
        .next()
        .map_or(1000, |n| n.parse().expect("a count"));
    let mode = arguments.next().unwrap_or_else(|| "rank-sum".into());
    let modes: Vec<&str> = if mode == "all" {
        vec!["rank-sum", "best-finish", "points", "cumulative"]
    } else {
        vec![mode.as_str()]
    };
    let event = large_individual_event(athletes, 12, 10, 7);
    let infos = event.entrant_infos();
    let info_of = |entrant: Entrant| {
        infos
            .binary_search_by_key(&entrant, |info| info.entrant)
            .ok()
            .map(|at| RankInfo::from(&infos[at]))
    };
    let race = event.workouts[0].clone();
    let mut wave = race.clone();
    wave.id = race.id + 1000;
    wave.name = "Age-group wave 1".into();
    let workouts: Vec<Workout> = vec![race.clone(), wave];
    let mut results: Vec<Vec<ResultEntry>> = vec![
        event.results[0].clone(),
        event.results[0].iter().take(150).cloned().collect(),
    ];
    let division: Option<Id> = event.divisions.first().map(|division| division.id);
    for mode in modes {
        let settings = settings(mode);
        let mut boards: Vec<LiveBoard> = workouts
            .iter()
            .zip(&results)
            .map(|(workout, results)| LiveBoard::build(workout, results, info_of))
            .collect();
        let ranked = |boards: &[LiveBoard]| -> Vec<(Workout, Vec<RankedRow>)> {
            workouts
                .iter()
                .zip(boards)
                .map(|(workout, board)| (workout.clone(), board.rows(0..usize::MAX)))
                .collect()
        };
        let start = ranked(&boards);
        let scopes = [None, division];
        let built = Instant::now();
        let mut tables: Vec<LiveOverall> = scopes
            .iter()
            .map(|scope| LiveOverall::build(&start, &infos, &event.teams, *scope, &settings))
            .collect();
        let build_ms = built.elapsed().as_secs_f64() * 1000.0;
        let placed: Vec<usize> = (0..results[0].len())
            .filter(|at| start[0].1[*at].rank.is_some())
            .collect();
        let position: std::collections::HashMap<Entrant, usize> = results[0]
            .iter()
            .enumerate()
            .map(|(at, result)| (result.entrant, at))
            .collect();
        let mut board_ms = Vec::new();
        let mut table_ms = Vec::new();
        let mut moved_counts = Vec::new();
        for run in 0..runs {
            let entrant = start[0].1[placed[(run * 7919 + 13) % placed.len()]].entrant;
            let at = position[&entrant];
            let score = start[0].1[placed[(run * 7919 + 13) % placed.len()]].score;
            let result = &mut results[0][at];
            match (score, run % 10) {
                (_, 9) => {
                    result.score = None;
                    result.status = Some(Status::Dnf);
                }
                (Some(Score::Time { ms }), step) => {
                    let delta = if step % 2 == 0 { -61_000 } else { 61_000 };
                    result.score = Some(Score::Time {
                        ms: (ms + delta).max(1_000),
                    });
                    result.status = None;
                }
                _ => {}
            }
            let result = result.clone();
            let started = cpu_ms();
            let moved = boards[0].apply_moves(entrant, Some(&result), None);
            let written = [(entrant, boards[0].row_of(entrant))];
            let applied = cpu_ms();
            for table in &mut tables {
                table.apply_moves(race.id, &written, &moved, &boards[0]);
            }
            let done = cpu_ms();
            board_ms.push(applied - started);
            table_ms.push(done - applied);
            moved_counts.push(moved.len() as f64);
        }
        let end = ranked(&boards);
        for (scope, table) in scopes.iter().zip(&tables) {
            let fresh = LiveOverall::build(&end, &infos, &event.teams, *scope, &settings);
            assert!(
                table.rows(0..usize::MAX) == fresh.rows(0..usize::MAX),
                "{mode}: the kept table ({scope:?}) differs from a fresh build"
            );
        }
        results[0] = event.results[0].clone();
        println!(
            "{mode}: {athletes} athletes, {runs} amendments, moved p50 {} p99 {}; build {build_ms:.1} ms; board CPU p50 {:.3} p99 {:.3} ms; tables CPU p50 {:.3} p99 {:.3} max {:.3} ms",
            percentile(&moved_counts, 0.5),
            percentile(&moved_counts, 0.99),
            percentile(&board_ms, 0.5),
            percentile(&board_ms, 0.99),
            percentile(&table_ms, 0.5),
            percentile(&table_ms, 0.99),
            percentile(&table_ms, 1.0),
        );
    }
}
