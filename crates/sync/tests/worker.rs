//! The background worker drains when connectivity returns and on "sync now".

mod support;

use std::time::{Duration, Instant};

use scoretable_store::{NewSyncTarget, SyncPlatform, TargetWorkout};
use scoretable_sync::standin::{Registration, RunSignupStandin};
use scoretable_sync::SyncWorker;
use serde_json::json;
use support::{fixture, quick_options};

#[test]
fn the_worker_drains_after_connectivity_returns() {
    let mut fixture = fixture(3, 0);
    // A port nothing listens on: connect errors are retryable.
    let unreachable = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = unreachable.local_addr().unwrap().to_string();
    let dead_endpoint = format!("http://{address}");
    drop(unreachable);
    fixture
        .file
        .add_sync_target(&NewSyncTarget {
            name: "rsu".to_string(),
            platform: SyncPlatform::RunSignup,
            endpoint: dead_endpoint,
            config: json!({"race_id": "777"}),
            workouts: vec![TargetWorkout {
                workout_id: fixture.workout_id,
                remote_id: "4001".to_string(),
            }],
        })
        .unwrap();
    fixture.set_secret("rsu", "k:s");
    fixture.enter("1", "20:00.0");
    let path = fixture.file.path().to_path_buf();
    let worker = SyncWorker::spawn(
        &path,
        fixture.secrets.clone(),
        quick_options(),
        Duration::from_millis(50),
    )
    .unwrap();
    std::thread::sleep(Duration::from_millis(300));
    let target = fixture.file.sync_target("rsu").unwrap();
    assert!(target
        .last_error
        .as_deref()
        .unwrap()
        .contains("could not connect"));
    assert_eq!(fixture.file.outbox_counts(target.id).unwrap().queued, 1);

    // Connectivity returns: the platform answers at the same address, and
    // the worker drains at its next poll without being asked.
    let standin = RunSignupStandin::start_on(&address, "777", "k", "s").unwrap();
    standin.add_registrations([Registration {
        registration_id: "3201".to_string(),
        bib: "1".to_string(),
        chip: None,
    }]);
    let deadline = Instant::now() + Duration::from_secs(10);
    while standin.results().is_empty() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(standin.results().len(), 1);
    fixture.enter("2", "21:00.0");
    standin.add_registrations([Registration {
        registration_id: "3202".to_string(),
        bib: "2".to_string(),
        chip: None,
    }]);
    worker.sync_now();
    let deadline = Instant::now() + Duration::from_secs(10);
    while standin.results().len() < 2 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(
        standin.results().len(),
        2,
        "sync now drained the new result"
    );
    assert!(worker.last_error().is_none());
}
