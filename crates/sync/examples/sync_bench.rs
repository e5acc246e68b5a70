//! Sync benchmarks on generated events (run in release):
//!
//! `cargo run --release -p scoretable-sync --example sync_bench`
//!
//! 1. Drain time of 60,000 queued results to the RunSignup stand-in, for a
//!    few batch sizes (rows per request): the drain time over several runs
//!    (`SCORETABLE_BENCH_RUNS`, default 3) and the p50/p99 of one request's
//!    cycle (the gap between consecutive posts the stand-in applied: the
//!    client's claim, render, send, answer and acknowledgement), against a
//!    floor measured in the same run: the same number of bare HTTP posts of
//!    a body of the same size to a server that answers at once.
//! 2. World Triathlon pushes per second while results arrive at 100 updates
//!    per second for 10 seconds (the standard allows at most one per second).

use std::time::{Duration, Instant};

use scoretable_core::import::CompetitorDraft;
use scoretable_core::model::{
    Competition, Entrant, ExternalIds, Score, ScoreType, Source, Workout,
};
use scoretable_store::{CompetitionFile, ImportedResult, ScoreInput, TargetWorkout};
use scoretable_sync::TargetSpec;
use scoretable_sync::{drain_target, DrainOptions, SecretStore};
use scoretable_testkit::standin::{Registration, RunSignupStandin, TriathlonStandin};
use serde_json::json;

fn competition() -> Competition {
    Competition {
        name: "Bench Marathon".to_string(),
        slug: "bench-marathon".to_string(),
        start_date: "2026-09-01".to_string(),
        end_date: "2026-09-01".to_string(),
        venue: String::new(),
        country: "GBR".to_string(),
        organiser: String::new(),
        time_zone: "UTC".to_string(),
    }
}

fn workout() -> Workout {
    scoretable_testkit::fixtures::workout("Marathon", 1, ScoreType::Time)
}

fn event(directory: &std::path::Path, name: &str, athletes: usize) -> (CompetitionFile, i64) {
    let mut file = CompetitionFile::create(directory.join(name), &competition()).unwrap();
    let drafts: Vec<CompetitorDraft> = (1..=athletes)
        .map(|index| CompetitorDraft {
            row: index + 1,
            bib: index.to_string(),
            chip_ids: vec![],
            first_name: format!("Runner{index}"),
            last_name: "Bench".to_string(),
            gender: None,
            date_of_birth: None,
            country: None,
            club: None,
            external_ids: ExternalIds {
                runsignup_registration_id: Some((100_000 + index).to_string()),
                ..ExternalIds::default()
            },
            division_names: vec![],
            para_class: None,
        })
        .collect();
    file.import_competitors(&drafts).unwrap();
    let workout_id = file.add_workout(&workout()).unwrap();
    (file, workout_id)
}

fn percentile(sorted: &[Duration], fraction: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let index = ((sorted.len() - 1) as f64 * fraction).round() as usize;
    sorted[index]
}

fn millis(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

/// The floor: `requests` bare posts of `body_bytes` each to a server that
/// answers `{}` at once, through the same HTTP client settings.
fn post_floor(requests: usize, body_bytes: usize) -> Vec<Duration> {
    let server = scoretable_testkit::http::HttpServer::start("127.0.0.1:0", |_request| {
        scoretable_testkit::http::HttpReply::json(200, &json!({}))
    })
    .unwrap();
    let client = scoretable_sync::client::http_client(Duration::from_secs(30));
    let body = format!("{{\"results\":\"{}\"}}", "x".repeat(body_bytes));
    let url = format!("{}/floor", server.base_url());
    let mut times: Vec<Duration> = (0..requests)
        .map(|_| {
            let started = Instant::now();
            let answer = client
                .post(&url)
                .header("Content-Type", "application/json")
                .body(body.clone())
                .send()
                .unwrap();
            assert!(answer.status().is_success());
            let _ = answer.bytes().unwrap();
            started.elapsed()
        })
        .collect();
    times.sort();
    times
}

fn drain_60k(batch_size: usize) {
    let runs: usize = std::env::var("SCORETABLE_BENCH_RUNS")
        .ok()
        .and_then(|runs| runs.parse().ok())
        .unwrap_or(3);
    let mut drains = Vec::new();
    let mut cycles = Vec::new();
    let mut requests = 0;
    for _ in 0..runs {
        let (elapsed, run_cycles, run_requests) = drain_60k_once(batch_size);
        drains.push(elapsed);
        cycles.extend(run_cycles);
        requests = run_requests;
    }
    drains.sort();
    cycles.sort();
    // About 150 bytes of JSON per result row.
    let floor = post_floor(cycles.len().max(1), batch_size * 150);
    println!(
        "RunSignup 60,000 results, batch {batch_size}, {runs} runs: drain p50 {:.2} s (min {:.2}, max {:.2}), {requests} requests per run; request cycle p50 {:.1} ms / p99 {:.1} ms; floor (bare post of the same size) p50 {:.2} ms / p99 {:.2} ms; ratio p50 {:.1}x",
        percentile(&drains, 0.5).as_secs_f64(),
        drains[0].as_secs_f64(),
        drains[drains.len() - 1].as_secs_f64(),
        millis(percentile(&cycles, 0.5)),
        millis(percentile(&cycles, 0.99)),
        millis(percentile(&floor, 0.5)),
        millis(percentile(&floor, 0.99)),
        millis(percentile(&cycles, 0.5)) / millis(percentile(&floor, 0.5)).max(0.001)
    );
}

/// One drain of 60,000 queued results: (drain time, gaps between applied
/// posts, requests).
fn drain_60k_once(batch_size: usize) -> (Duration, Vec<Duration>, u64) {
    let directory = tempfile::tempdir().unwrap();
    let athletes = 60_000;
    let (mut file, workout_id) = event(directory.path(), "rsu.scoretable", athletes);
    let standin = RunSignupStandin::start("1", "k", "s").unwrap();
    standin.add_registrations((1..=athletes).map(|index| Registration {
        registration_id: (100_000 + index).to_string(),
        bib: index.to_string(),
        chip: None,
    }));
    let target = scoretable_sync::add_target(
        &mut file,
        &TargetSpec {
            name: "rsu".to_string(),
            platform: "runsignup".to_string(),
            endpoint: standin.base_url(),
            config: json!({"race_id": "1"}),
            workouts: vec![TargetWorkout {
                workout_id,
                remote_id: "10".to_string(),
            }],
        },
    )
    .unwrap();
    let competitors = file.competitors().unwrap();
    let records: Vec<ImportedResult> = competitors
        .iter()
        .enumerate()
        .map(|(index, competitor)| ImportedResult {
            row: index as u64 + 1,
            entrant: Entrant::Competitor(competitor.id),
            value: ScoreInput::score(Score::Time {
                ms: 7_200_000 + (index as i64 * 37) % 3_600_000,
            }),
            penalty_ms: 0,
            splits: vec![],
            incidents: vec![],
            record_id: None,
            received_at: None,
        })
        .collect();
    let queued_at = Instant::now();
    file.import_results(workout_id, Source::File, "bench", &records)
        .unwrap();
    let queue_time = queued_at.elapsed();
    let queued = file.outbox_counts(target.id).unwrap().queued;
    let secrets = SecretStore {
        fallback_dir: Some(directory.path().join("secrets")),
    };
    std::env::set_var("SCORETABLE_SECRET_BACKEND", "file");
    secrets.set(&target.secret_ref, "k:s").unwrap();
    let options = DrainOptions {
        batch_size,
        ..DrainOptions::default()
    };
    let started = Instant::now();
    let report = drain_target(&mut file, "rsu", &secrets, &options).unwrap();
    let elapsed = started.elapsed();
    assert!(report.drained);
    assert_eq!(standin.results().len(), athletes);
    assert!(standin.duplicates().is_empty());
    println!(
        "RunSignup: {queued} queued results (queued by triggers during a 60k import in {:.2} s) \
         drained in {:.2} s with batch size {batch_size}: {} requests, {:.0} results/s",
        queue_time.as_secs_f64(),
        elapsed.as_secs_f64(),
        report.requests,
        athletes as f64 / elapsed.as_secs_f64()
    );
    let times = standin.post_times();
    let gaps = times
        .windows(2)
        .map(|pair| pair[1].duration_since(pair[0]))
        .collect();
    (elapsed, gaps, report.requests)
}

fn live_timing_burst() {
    let directory = tempfile::tempdir().unwrap();
    let athletes = 1000;
    let (mut file, workout_id) = event(directory.path(), "wt.scoretable", athletes);
    let standin = TriathlonStandin::start("key").unwrap();
    let target = scoretable_sync::add_target(
        &mut file,
        &TargetSpec {
            name: "wt".to_string(),
            platform: "world_triathlon".to_string(),
            endpoint: standin.base_url(),
            config: json!({"event_id": "1"}),
            workouts: vec![TargetWorkout {
                workout_id,
                remote_id: "2".to_string(),
            }],
        },
    )
    .unwrap();
    let secrets = SecretStore {
        fallback_dir: Some(directory.path().join("secrets")),
    };
    std::env::set_var("SCORETABLE_SECRET_BACKEND", "file");
    secrets.set(&target.secret_ref, "key").unwrap();
    let path = file.path().to_path_buf();
    let seconds = 10;
    let writer = std::thread::spawn(move || {
        let mut writer = CompetitionFile::open(&path).unwrap();
        let started = Instant::now();
        for index in 1..=(100 * seconds) {
            let due = started + Duration::from_millis(10 * index as u64);
            std::thread::sleep(due.saturating_duration_since(Instant::now()));
            writer
                .enter_score_by_bib(
                    workout_id,
                    &index.to_string(),
                    ScoreInput::score(Score::Time {
                        ms: 3_000_000 + index as i64,
                    }),
                    "feed",
                )
                .unwrap();
        }
        started.elapsed()
    });
    let started = Instant::now();
    while !writer.is_finished() {
        drain_target(&mut file, "wt", &secrets, &DrainOptions::default()).unwrap();
        std::thread::sleep(Duration::from_millis(20));
    }
    let burst = writer.join().unwrap();
    drain_target(&mut file, "wt", &secrets, &DrainOptions::default()).unwrap();
    let total = started.elapsed();
    let pushes = standin.pushes();
    let mut max_in_window = 0;
    for (index, (at, _)) in pushes.iter().enumerate() {
        let in_window = pushes[index..]
            .iter()
            .take_while(|(later, _)| later.duration_since(*at) < Duration::from_secs(1))
            .count();
        max_in_window = max_in_window.max(in_window);
    }
    let min_gap = pushes
        .windows(2)
        .map(|pair| pair[1].0.duration_since(pair[0].0))
        .min()
        .unwrap_or_default();
    println!(
        "Live Timing: {} updates in {:.2} s -> {} pushes in {:.2} s ({:.2} pushes/s), at most \
         {max_in_window} push(es) in any 1 s window, smallest gap {} ms, {} refused as too \
         frequent; last message has {} finishers",
        100 * seconds,
        burst.as_secs_f64(),
        pushes.len(),
        total.as_secs_f64(),
        pushes.len() as f64 / total.as_secs_f64(),
        min_gap.as_millis(),
        standin.too_frequent(),
        pushes
            .last()
            .map(|(_, message)| message["latest"]["num_athletes"].clone())
            .unwrap_or_default()
    );
}

/// Arguments: batch sizes to measure (default 100, 500 and 2000), or
/// `live` for the Live Timing burst alone.
fn main() {
    let arguments: Vec<String> = std::env::args().skip(1).collect();
    if arguments.iter().any(|argument| argument == "live") {
        live_timing_burst();
        return;
    }
    let sizes: Vec<usize> = if arguments.is_empty() {
        vec![100, 500, 2000]
    } else {
        arguments
            .iter()
            .filter_map(|argument| argument.parse().ok())
            .collect()
    };
    for batch_size in sizes {
        drain_60k(batch_size);
    }
    if arguments.is_empty() {
        live_timing_burst();
    }
}
