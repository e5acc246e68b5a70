//! Credentials stay with the configured origin and out of stored text;
//! targets are checked when added; rejected rows can be queued again.

use crate::support;

use std::sync::{Arc, Mutex};

use scoretable_store::{OutboxState, TargetWorkout};

use scoretable_sync::TargetSpec;
use scoretable_sync::{drain_target, retry_rejected, validate_target};
use scoretable_testkit::http::{HttpReply, HttpServer};
use scoretable_testkit::standin::{Registration, RunSignupStandin};
use serde_json::json;
use support::{fixture, quick_options, Fixture};

fn runsignup_target(fixture: &Fixture, endpoint: String) -> TargetSpec {
    TargetSpec {
        name: "rsu".to_string(),
        platform: "runsignup".to_string(),
        endpoint,
        config: json!({"race_id": "777"}),
        workouts: vec![TargetWorkout {
            workout_id: fixture.workout_id,
            remote_id: "4001".to_string(),
        }],
    }
}

#[test]
fn no_credential_follows_a_redirect_to_another_origin() {
    let mut fixture = fixture(2, 0);
    let seen: Arc<Mutex<Vec<String>>> = Arc::default();
    let recorder = Arc::clone(&seen);
    let elsewhere = HttpServer::start("127.0.0.1:0", move |request| {
        recorder.lock().unwrap().push(format!(
            "{} {:?} {:?}",
            request.path, request.query, request.headers
        ));
        HttpReply::json(200, &json!({"results": []}))
    })
    .unwrap();
    let target_url = format!("{}/landing", elsewhere.base_url());
    let redirector = HttpServer::start("127.0.0.1:0", move |_| HttpReply::Respond {
        status: 307,
        headers: vec![("Location".to_string(), target_url.clone())],
        body: Vec::new(),
    })
    .unwrap();
    let target = runsignup_target(&fixture, redirector.base_url());
    scoretable_sync::add_target(&mut fixture.file, &target).unwrap();
    fixture.set_secret("rsu", "key-1:s3cr3t-value");
    fixture.enter("1", "20:00.0");
    let report =
        drain_target(&mut fixture.file, "rsu", &fixture.secrets, &quick_options()).unwrap();
    assert!(
        seen.lock().unwrap().is_empty(),
        "{:?}",
        seen.lock().unwrap()
    );
    assert_eq!(report.rejected, 1, "{report:?}");
    assert!(report
        .last_error
        .as_deref()
        .unwrap()
        .contains("redirects to another origin"));
}

#[test]
fn an_error_body_echoing_the_request_is_stored_redacted() {
    let mut fixture = fixture(2, 0);
    let echo = HttpServer::start("127.0.0.1:0", |request| {
        let query: Vec<String> = request
            .query
            .iter()
            .map(|(name, value)| format!("{name}={value}"))
            .collect();
        HttpReply::json(
            400,
            &json!({"error": format!("bad request: {}", query.join("&")),
                    "echo": {"X-RSU-API-SECRET": request.header("x-rsu-api-secret")}}),
        )
    })
    .unwrap();
    let target = runsignup_target(&fixture, echo.base_url());
    scoretable_sync::add_target(&mut fixture.file, &target).unwrap();
    fixture.set_secret("rsu", "key-1:s3cr3t-value");
    fixture.enter("1", "20:00.0");
    drain_target(&mut fixture.file, "rsu", &fixture.secrets, &quick_options()).unwrap();
    let stored = fixture.file.sync_target("rsu").unwrap();
    let message = stored.last_error.unwrap();
    assert!(message.contains("api_secret=***"), "{message}");
    assert!(
        !message.contains("s3cr3t-value") && !message.contains("key-1"),
        "{message}"
    );
    let path = fixture.file.path().to_path_buf();
    drop(fixture.file);
    let mut bytes = std::fs::read(&path).unwrap();
    if let Ok(wal) = std::fs::read(path.with_extension("scoretable-wal")) {
        bytes.extend(wal);
    }
    let needle = b"s3cr3t-value";
    assert!(!bytes.windows(needle.len()).any(|window| window == needle));
}

#[test]
fn endpoints_with_credentials_and_bad_configs_are_refused_when_added() {
    let mut fixture = fixture(1, 0);
    for endpoint in [
        "http://key:secret@runsignup.example",
        "https://runsignup.example/?api_secret=abc",
        "https://runsignup.example/?x=1&api_key=abc",
        "https://runsignup.example/?access_token=abc",
    ] {
        let target = runsignup_target(&fixture, endpoint.to_string());
        let error = validate_target(&target).unwrap_err().to_string();
        assert!(error.contains("credential"), "{endpoint}: {error}");
        assert!(
            !error.contains("secret@") && !error.contains("abc"),
            "{error}"
        );
        let stored = scoretable_sync::add_target(&mut fixture.file, &target)
            .unwrap_err()
            .to_string();
        assert!(stored.contains("credential"), "{endpoint}: {stored}");
    }
    assert!(fixture.file.sync_targets().unwrap().is_empty());
    // Platform configuration is checked at add time.
    let mut bad_race = runsignup_target(&fixture, "https://runsignup.example".to_string());
    bad_race.config = json!({"race_id": "abc"});
    assert!(validate_target(&bad_race).is_err());
    let mut opentrack = runsignup_target(&fixture, "https://opentrack.example".to_string());
    opentrack.platform = "opentrack".to_string();
    opentrack.config = json!({"organiser_id": "org"});
    let error = validate_target(&opentrack).unwrap_err().to_string();
    assert!(error.contains("event code"), "{error}");
    opentrack.config = json!({"organiser_id": "org",
        "event_codes": {fixture.workout_id.to_string(): "5000"}});
    validate_target(&opentrack).unwrap();
    validate_target(&runsignup_target(
        &fixture,
        "https://runsignup.example".to_string(),
    ))
    .unwrap();
}

#[test]
fn rejected_rows_are_queued_again_after_a_fix() {
    let mut fixture = fixture(3, 0);
    let standin = RunSignupStandin::start("777", "key-1", "s3cr3t-value").unwrap();
    standin.add_registrations([Registration {
        registration_id: "3201".to_string(),
        bib: "1".to_string(),
        chip: None,
    }]);
    let target = runsignup_target(&fixture, standin.base_url());
    scoretable_sync::add_target(&mut fixture.file, &target).unwrap();
    fixture.set_secret("rsu", "key-1:s3cr3t-value");
    for bib in ["1", "2", "3"] {
        fixture.enter(bib, "20:00.0");
    }
    let report =
        drain_target(&mut fixture.file, "rsu", &fixture.secrets, &quick_options()).unwrap();
    assert_eq!((report.acked, report.rejected), (1, 2), "{report:?}");
    // The registrations are fixed on RunSignup; retry one entity, then all.
    standin.add_registrations((2..=3).map(|index| Registration {
        registration_id: format!("{}", 3200 + index),
        bib: index.to_string(),
        chip: None,
    }));
    let competitor = fixture.file.competitor_by_bib("2").unwrap().unwrap();
    let entity = format!("result/{}/c{}", fixture.workout_id, competitor.id);
    assert_eq!(
        retry_rejected(&mut fixture.file, "rsu", Some(&entity)).unwrap(),
        1
    );
    let report =
        drain_target(&mut fixture.file, "rsu", &fixture.secrets, &quick_options()).unwrap();
    assert_eq!((report.acked, report.rejected), (1, 0), "{report:?}");
    let workout_prefix = format!("result/{}", fixture.workout_id);
    assert_eq!(
        retry_rejected(&mut fixture.file, "rsu", Some(&workout_prefix)).unwrap(),
        1
    );
    drain_target(&mut fixture.file, "rsu", &fixture.secrets, &quick_options()).unwrap();
    let target = fixture.file.sync_target("rsu").unwrap();
    let counts = fixture.file.outbox_counts(target.id).unwrap();
    assert_eq!((counts.acked, counts.rejected, counts.queued), (3, 0, 0));
    assert!(fixture
        .file
        .recent_outbox_items(target.id, OutboxState::Rejected, 5)
        .unwrap()
        .is_empty());
    assert_eq!(standin.results().len(), 3);
    assert!(standin.duplicates().is_empty());
}
