//! Real event size: 3,000 results per platform, synced through every fault
//! the stand-ins inject (500, 503, 429 + Retry-After, reset, answer lost
//! after the change was applied, a request that lands after the client's
//! timeout, an answer later than the timeout): 0 duplicates, 0 lost, 0 rows
//! left queued or in flight, only the truly invalid rows rejected.
//! (Repeated kill -9 of `scoretable sync` at this size:
//! `crates/cli/tests/it/sync_crash.rs`.)

use crate::support;

use std::time::Duration;

use scoretable_core::model::{Entrant, Score, Source};
use scoretable_store::{ImportedResult, ScoreInput, TargetWorkout};
use scoretable_sync::TargetSpec;
use scoretable_sync::{drain_target, DrainOptions};
use scoretable_testkit::standin::{
    Fault, OpenTrackStandin, PostAnswer, Registration, RunSignupStandin, TriathlonStandin,
};
use serde_json::json;
use support::{fixture, quick_options, Fixture};

const ATHLETES: usize = 3000;

/// Every athlete gets a time in one import.
fn import_all(fixture: &mut Fixture) {
    let records: Vec<ImportedResult> = fixture
        .competitor_ids
        .iter()
        .enumerate()
        .map(|(index, id)| ImportedResult {
            row: index as u64 + 1,
            entrant: Entrant::Competitor(*id),
            value: ScoreInput::score(Score::Time {
                ms: 1_200_000 + index as i64 * 700,
            }),
            penalty_ms: 0,
            splits: vec![],
            incidents: vec![],
            record_id: Some(format!("rec-{index}")),
            received_at: None,
        })
        .collect();
    fixture
        .file
        .import_results(fixture.workout_id, Source::Feed, "timing", &records)
        .unwrap();
}

fn every_fault() -> Vec<Fault> {
    vec![
        Fault::Pass,
        Fault::Status(500),
        Fault::Pass,
        Fault::Status(503),
        Fault::TooManyRequests {
            retry_after: "1".to_string(),
        },
        Fault::Reset,
        Fault::Pass,
        Fault::AppliedResponseLost,
        Fault::Pass,
        Fault::Slow(Duration::from_millis(1800)),
        Fault::Pass,
        Fault::AppliedAnswerLate(Duration::from_millis(1800)),
    ]
}

fn options() -> DrainOptions {
    let mut options = quick_options();
    options.request_timeout = Duration::from_millis(1200);
    options.late_landing = Duration::from_millis(1200);
    options.deadline = Some(std::time::Instant::now() + Duration::from_secs(240));
    options
}

fn add_target(
    fixture: &mut Fixture,
    name: &str,
    platform: &str,
    endpoint: String,
    config: serde_json::Value,
    remote_id: &str,
) {
    scoretable_sync::add_target(
        &mut fixture.file,
        &TargetSpec {
            name: name.to_string(),
            platform: platform.to_string(),
            endpoint,
            config,
            workouts: vec![TargetWorkout {
                workout_id: fixture.workout_id,
                remote_id: remote_id.to_string(),
            }],
        },
    )
    .unwrap();
}

fn assert_clean(fixture: &Fixture, name: &str, acked: u64, rejected: u64) {
    let target = fixture.file.sync_target(name).unwrap();
    let counts = fixture.file.outbox_counts(target.id).unwrap();
    assert_eq!(
        (counts.queued, counts.sending, counts.acked, counts.rejected),
        (0, 0, acked, rejected),
        "{counts:?}"
    );
}

#[test]
fn runsignup_3000_results_through_every_fault() {
    let mut fixture = fixture(ATHLETES, 0);
    let standin = RunSignupStandin::start("777", "key-1", "s3cr3t-value").unwrap();
    // 30 athletes carry registration ids RunSignup does not know: the only
    // invalid rows.
    let invalid = |index: usize| index % 100 == 7;
    standin.add_registrations(
        (1..=ATHLETES)
            .filter(|index| !invalid(*index))
            .map(|index| Registration {
                registration_id: format!("{}", 3200 + index),
                bib: index.to_string(),
                chip: None,
            }),
    );
    standin.set_max_results_per_page(250);
    standin.set_post_answer(PostAnswer::Rotate);
    add_target(
        &mut fixture,
        "rsu",
        "runsignup",
        standin.base_url(),
        json!({"race_id": "777"}),
        "4001",
    );
    fixture.set_secret("rsu", "key-1:s3cr3t-value");
    import_all(&mut fixture);
    standin.faults.push(every_fault());
    let report = drain_target(&mut fixture.file, "rsu", &fixture.secrets, &options()).unwrap();
    assert!(report.drained, "{report:?}");
    let bad = (1..=ATHLETES).filter(|index| invalid(*index)).count();
    assert!(
        standin.duplicates().is_empty(),
        "{:?}",
        standin.duplicates().len()
    );
    assert_eq!(standin.results().len(), ATHLETES - bad, "nothing lost");
    assert_clean(&fixture, "rsu", (ATHLETES - bad) as u64, bad as u64);
    eprintln!(
        "runsignup 3000: {} requests, {} posts, {} get-results pages",
        report.requests,
        standin.posts(),
        standin.get_requests()
    );
}

#[test]
fn runsignup_virtual_3000_results_through_every_fault() {
    let mut fixture = fixture(ATHLETES, 0);
    let standin = RunSignupStandin::start("777", "key-1", "s3cr3t-value").unwrap();
    // 10 invalid rows (each refusal costs a bisection).
    let invalid = |index: usize| index % 300 == 7;
    standin.add_registrations(
        (1..=ATHLETES)
            .filter(|index| !invalid(*index))
            .map(|index| Registration {
                registration_id: format!("{}", 3200 + index),
                bib: index.to_string(),
                chip: None,
            }),
    );
    standin.add_virtual_event("9001", false);
    add_target(
        &mut fixture,
        "virtual",
        "runsignup_virtual",
        standin.base_url(),
        json!({"race_id": "777"}),
        "9001",
    );
    fixture.set_secret("virtual", "key-1:s3cr3t-value");
    import_all(&mut fixture);
    standin.faults.push(every_fault());
    let report = drain_target(&mut fixture.file, "virtual", &fixture.secrets, &options()).unwrap();
    assert!(report.drained, "{report:?}");
    let bad = (1..=ATHLETES).filter(|index| invalid(*index)).count();
    // One virtual result per registration: a re-send replaces, never adds.
    assert_eq!(
        standin.virtual_results().len(),
        ATHLETES - bad,
        "nothing lost"
    );
    assert_clean(&fixture, "virtual", (ATHLETES - bad) as u64, bad as u64);
}

#[test]
fn opentrack_3000_results_through_every_fault() {
    let mut fixture = fixture(ATHLETES, 0);
    let standin = OpenTrackStandin::start("timer@example.org", "pa55word").unwrap();
    let workout = fixture.workout_id.to_string();
    add_target(
        &mut fixture,
        "ot",
        "opentrack",
        standin.base_url(),
        json!({"organiser_id": "6b2af700-0481-4f73-b9ae-8221ae619b55",
               "event_codes": {workout: "10K"}}),
        "T1",
    );
    fixture.set_secret("ot", "timer@example.org:pa55word");
    import_all(&mut fixture);
    // Each fault in turn on the create, then again on the update.
    for fault in every_fault() {
        standin.faults.push([Fault::Pass, Fault::Pass, fault]);
    }
    let report = drain_target(&mut fixture.file, "ot", &fixture.secrets, &options()).unwrap();
    assert!(report.drained, "{report:?} {:?}", standin.rejections());
    assert_eq!(standin.creates(), 1, "one competition, never two");
    let competitions = standin.competitions();
    assert_eq!(competitions.len(), 1);
    let results: usize = competitions[0]["events"][0]["units"]
        .as_array()
        .unwrap()
        .iter()
        .map(|unit| unit["results"].as_array().unwrap().len())
        .sum();
    assert_eq!(results, ATHLETES);
    assert_clean(&fixture, "ot", 1, 0);
}

#[test]
fn live_timing_3000_athletes_through_every_fault() {
    let mut fixture = fixture(ATHLETES, 0);
    let standin = TriathlonStandin::start("timer-key").unwrap();
    add_target(
        &mut fixture,
        "tri",
        "world_triathlon",
        standin.base_url(),
        json!({"event_id": "107158"}),
        "307158",
    );
    fixture.set_secret("tri", "timer-key");
    import_all(&mut fixture);
    standin.faults.push(every_fault());
    let mut options = options();
    options.live_timing_interval = Duration::from_millis(1000);
    let report = drain_target(&mut fixture.file, "tri", &fixture.secrets, &options).unwrap();
    assert!(report.drained, "{report:?} {:?}", standin.rejections());
    let last = standin.latest().expect("a message arrived");
    assert_eq!(last["athletes"].as_array().unwrap().len(), ATHLETES);
    assert_eq!(last["num_athletes"], ATHLETES.to_string());
    assert!(
        standin.rejections().is_empty(),
        "{:?}",
        standin.rejections()
    );
    let target = fixture.file.sync_target("tri").unwrap();
    let counts = fixture.file.outbox_counts(target.id).unwrap();
    assert_eq!((counts.queued, counts.sending, counts.rejected), (0, 0, 0));
}
