//! Polling against a stand-in feed server built from the timing-feed seed:
//! changing values, unknown ids, malformed JSON, slow responses, dropped
//! connections, HTTP errors, credentials and recovery with backoff.

use crate::support;

use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Duration;

use scoretable_core::model::{Entrant, Score, Status};
use scoretable_inbound::{
    poll_once, rehearse, watch, Backoff, FieldMapping, HttpFetcher, PollOutcome, WatchOptions,
};
use scoretable_store::{CompetitionFile, ConnectionState};
use scoretable_testkit::http::{Reply, ScriptedServer};
use support::{fixture, seed_payload, timing_point, workout};

fn add_connection(file: &mut CompetitionFile, race: i64, url: &str, format: &str) {
    support::add_feed_connection(file, race, url, format, 100, None);
}

fn poll(
    file: &mut CompetitionFile,
    fetcher: &mut HttpFetcher,
    backoff: &mut Backoff,
) -> PollOutcome {
    poll_once(file, "timing", fetcher, backoff, None).unwrap()
}

fn fetcher() -> HttpFetcher {
    HttpFetcher::new(Duration::from_millis(2000)).unwrap()
}

fn backoff() -> Backoff {
    Backoff::new(Duration::from_millis(100), Duration::from_millis(800), 3)
}

fn time_of(file: &CompetitionFile, race: i64, bib: &str) -> Option<Score> {
    let competitor = file.competitor_by_bib(bib).unwrap().unwrap();
    file.result(race, Entrant::Competitor(competitor.id))
        .unwrap()
        .and_then(|result| result.effective_value().and_then(|value| value.score))
}

#[test]
fn the_seed_feed_imports_once_and_later_changes_become_conflicts() {
    let mut fixture = fixture();
    let server = ScriptedServer::start(Reply::Json(seed_payload(&[
        ("524658", "00:13:37.2"),
        ("527182", "00:13:59.1"),
    ])));
    add_connection(&mut fixture.file, fixture.race, &server.url, "json");
    let (mut fetcher, mut backoff) = (fetcher(), backoff());

    let first = poll(&mut fixture.file, &mut fetcher, &mut backoff);
    assert_eq!(first.state, ConnectionState::Ok, "{first:?}");
    let summary = first.summary.unwrap();
    assert_eq!((summary.records, summary.imported), (2, 2));
    assert_eq!(
        time_of(&fixture.file, fixture.race, "1"),
        Some(Score::Time { ms: 817_200 })
    );
    let status = fixture.file.connection_by_name("timing").unwrap().status;
    assert_eq!(status.state, ConnectionState::Ok);
    assert!(status.last_success_at.is_some());
    assert_eq!(status.last_report.unwrap()["imported"], 2);

    // The timing system corrects Lexi's time and adds an unknown athlete.
    server.set(Reply::Json(seed_payload(&[
        ("524658", "00:13:35.0"),
        ("527182", "00:13:59.1"),
        ("999999", "00:15:00.0"),
    ])));
    let second = poll(&mut fixture.file, &mut fetcher, &mut backoff)
        .summary
        .unwrap();
    assert_eq!(
        (
            second.imported,
            second.unchanged,
            second.new_conflicts,
            second.unknown
        ),
        (0, 1, 1, 1)
    );
    // Never applied silently.
    assert_eq!(
        time_of(&fixture.file, fixture.race, "1"),
        Some(Score::Time { ms: 817_200 })
    );
    let conflicts = fixture.file.inbound_conflicts(true).unwrap();
    assert_eq!(conflicts.len(), 1);
    assert_eq!(
        conflicts[0]
            .record
            .fields
            .iter()
            .find(|f| f.0 == "Time")
            .unwrap()
            .1,
        "00:13:35.0"
    );
    let reviews = fixture.file.review_items(true).unwrap();
    assert_eq!(reviews[0].identifier.value, "999999");
    // Polling again changes nothing more.
    let third = poll(&mut fixture.file, &mut fetcher, &mut backoff)
        .summary
        .unwrap();
    assert_eq!(
        (third.pending_conflicts, third.unknown, third.imported),
        (1, 1, 0)
    );
    assert_eq!(fixture.file.inbound_conflicts(true).unwrap().len(), 1);
    assert_eq!(fixture.file.review_items(true).unwrap().len(), 1);
}

#[test]
fn malformed_json_is_an_error_state_and_the_next_good_payload_recovers() {
    let mut fixture = fixture();
    let server = ScriptedServer::start(Reply::Json(
        "[{\"CompCornerID\": \"524658\", \"Time\": ".into(),
    ));
    add_connection(&mut fixture.file, fixture.race, &server.url, "json");
    let (mut fetcher, mut backoff) = (fetcher(), backoff());
    let outcome = poll(&mut fixture.file, &mut fetcher, &mut backoff);
    assert_eq!(outcome.state, ConnectionState::Error);
    let message = outcome.error.unwrap();
    assert!(
        message.starts_with("timing: is not valid JSON"),
        "{message}"
    );
    let status = fixture.file.connection_by_name("timing").unwrap().status;
    assert_eq!(status.state, ConnectionState::Error);
    assert_eq!(status.message.as_deref(), Some(message.as_str()));
    assert_eq!(status.consecutive_failures, 1);
    assert!(status.next_attempt_at.is_some());
    // A record with a bad time does not hold the others back.
    server.set(Reply::Json(seed_payload(&[
        ("524658", "soon"),
        ("527182", "00:13:59.1"),
    ])));
    let outcome = poll(&mut fixture.file, &mut fetcher, &mut backoff);
    assert_eq!(outcome.state, ConnectionState::Ok);
    let summary = outcome.summary.unwrap();
    assert_eq!((summary.imported, summary.invalid), (1, 1));
    assert!(
        summary.problems[0].starts_with("timing record 1, field \"Time\": expected a time"),
        "{:?}",
        summary.problems
    );
    let status = fixture.file.connection_by_name("timing").unwrap().status;
    assert_eq!(status.consecutive_failures, 0);
}

#[test]
fn slow_responses_dropped_connections_and_server_errors_back_off() {
    let mut fixture = fixture();
    let payload = seed_payload(&[("524658", "00:13:37.2")]);
    let server = ScriptedServer::start(Reply::Json(payload.clone()));
    add_connection(&mut fixture.file, fixture.race, &server.url, "json");
    let (mut fetcher, mut backoff) = (fetcher(), backoff());

    server.push(Reply::Slow(Duration::from_millis(5000), payload.clone()));
    let slow = poll(&mut fixture.file, &mut fetcher, &mut backoff);
    assert_eq!(slow.state, ConnectionState::BackingOff, "{slow:?}");
    assert!(
        slow.error.as_deref().unwrap().contains("timed out"),
        "{slow:?}"
    );

    server.push(Reply::Drop);
    let dropped = poll(&mut fixture.file, &mut fetcher, &mut backoff);
    assert_eq!(dropped.state, ConnectionState::BackingOff, "{dropped:?}");

    server.push(Reply::Status(503));
    let unavailable = poll(&mut fixture.file, &mut fetcher, &mut backoff);
    assert_eq!(unavailable.state, ConnectionState::BackingOff);
    assert_eq!(
        unavailable.error.as_deref(),
        Some("HTTP 503: Service Unavailable")
    );
    // Waits grow: failure n waits at least half of base * 2^(n-1).
    assert!(unavailable.next_poll_in_ms >= 200, "{unavailable:?}");
    assert_eq!(
        fixture
            .file
            .connection_by_name("timing")
            .unwrap()
            .status
            .consecutive_failures,
        3
    );

    server.push(Reply::Status(404));
    let missing = poll(&mut fixture.file, &mut fetcher, &mut backoff);
    assert_eq!(missing.state, ConnectionState::Error);

    // The source comes back: the score arrives and the health resets.
    let back = poll(&mut fixture.file, &mut fetcher, &mut backoff);
    assert_eq!(back.state, ConnectionState::Ok);
    assert_eq!(back.next_poll_in_ms, 100);
    assert_eq!(
        time_of(&fixture.file, fixture.race, "1"),
        Some(Score::Time { ms: 817_200 })
    );
    let status = fixture.file.connection_by_name("timing").unwrap().status;
    assert_eq!(
        (status.state, status.consecutive_failures),
        (ConnectionState::Ok, 0)
    );
}

#[test]
fn an_unreachable_source_keeps_being_polled_with_capped_backoff() {
    let mut fixture = fixture();
    // Nothing listens on this port until the server starts below.
    let placeholder = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = placeholder.local_addr().unwrap();
    drop(placeholder);
    add_connection(
        &mut fixture.file,
        fixture.race,
        &format!("http://{address}/feed.json"),
        "json",
    );
    let mut fetcher = fetcher();
    let mut outcomes: Vec<PollOutcome> = Vec::new();
    let polls = watch(
        &mut fixture.file,
        "timing",
        &mut fetcher,
        WatchOptions {
            max_polls: Some(3),
            stop: Arc::new(AtomicBool::new(false)),
            backoff_cap: Duration::from_millis(300),
            on_poll: &mut |outcome| outcomes.push(outcome.clone()),
            recording: None,
        },
    )
    .unwrap();
    assert_eq!(polls, 3);
    assert!(outcomes
        .iter()
        .all(|outcome| outcome.state == ConnectionState::BackingOff));
    assert!(outcomes
        .iter()
        .all(|outcome| outcome.next_poll_in_ms <= 300));
    let status = fixture.file.connection_by_name("timing").unwrap().status;
    assert_eq!(status.consecutive_failures, 3);
    assert!(status.message.unwrap().starts_with("network unreachable"));
    assert!(status.last_success_at.is_none());
}

#[test]
fn credentials_come_from_the_environment_and_never_reach_the_file() {
    let mut fixture = fixture();
    let server = ScriptedServer::start(Reply::Json(seed_payload(&[("524658", "00:13:37.2")])));
    support::add_feed_connection(
        &mut fixture.file,
        fixture.race,
        &server.url,
        "json",
        100,
        Some("SCORETABLE_TEST_FEED_TOKEN_A"),
    );
    let (mut fetcher, mut backoff) = (fetcher(), backoff());
    // Unset: an error naming the variable, and no request made.
    let outcome = poll(&mut fixture.file, &mut fetcher, &mut backoff);
    assert_eq!(outcome.state, ConnectionState::Error);
    assert!(outcome
        .error
        .unwrap()
        .contains("SCORETABLE_TEST_FEED_TOKEN_A"));
    assert!(server.requests().is_empty());
    std::env::set_var("SCORETABLE_TEST_FEED_TOKEN_A", "Bearer s3cret-token");
    let outcome = poll(&mut fixture.file, &mut fetcher, &mut backoff);
    assert_eq!(outcome.state, ConnectionState::Ok);
    let request = server.requests().pop().unwrap().to_ascii_lowercase();
    assert!(
        request.contains("authorization: bearer s3cret-token"),
        "{request}"
    );
    let path = fixture.file.path().to_path_buf();
    fixture.file.close().unwrap();
    let bytes = std::fs::read(&path).unwrap();
    let wal = std::fs::read(path.with_extension("scoretable-wal")).unwrap_or_default();
    for haystack in [bytes, wal] {
        assert!(!haystack.windows(12).any(|window| window == b"s3cret-token"));
    }
}

#[test]
fn a_world_triathlon_message_is_a_source() {
    let mut fixture = fixture();
    let mut race = workout("Elite Men", 2);
    race.timing_points = vec![timing_point(1, "Swim Lap 1"), timing_point(2, "Finish")];
    race.rounding = scoretable_core::model::Rounding::Up { unit_ms: 1000 };
    let race = fixture.file.add_workout(&race).unwrap();
    let message = |gomez_finish: Option<&str>, second_status: Option<&str>| {
        let mut gomez_splits = vec![serde_json::json!({
            "id": "1", "name": "Swim Lap 1", "total_time": "00:10:54.799", "time": "00:10:54.799"
        })];
        if let Some(finish) = gomez_finish {
            gomez_splits.push(serde_json::json!({
                "id": "2", "name": "Finish", "total_time": finish, "time": "00:07:43.112"
            }));
        }
        serde_json::json!({
            "date": "2017-03-04T18:25:11+04:00", "event_id": "107158", "prog_id": "307158",
            "prog_name": "Elite Men", "status": "live",
            "athletes": [
                {"id": "5695", "start_num": "26", "name": "Javier Gomez Noya", "segment_id": "2",
                 "time": gomez_finish.unwrap_or("00:10:54.799"), "status": null, "incidents": null,
                 "splits": gomez_splits},
                {"id": 4321, "start_num": 27, "name": "Second Athlete", "segment_id": "1",
                 "time": "00:10:53.996", "status": second_status, "incidents": "DSQ for cutting the swim course",
                 "splits": [{"id": 1, "total_time": "00:10:53.996", "time": "00:10:53.996"}]}
            ]
        })
        .to_string()
    };
    let server = ScriptedServer::start(Reply::Json(message(None, None)));
    add_connection(&mut fixture.file, race, &server.url, "world_triathlon");
    let (mut fetcher, mut backoff) = (fetcher(), backoff());
    // Both athletes are still on the course: waiting, nothing imported.
    let first = poll(&mut fixture.file, &mut fetcher, &mut backoff)
        .summary
        .unwrap();
    assert_eq!((first.records, first.waiting, first.imported), (2, 2, 0));
    server.set(Reply::Json(message(Some("00:18:37.911"), Some("DSQ"))));
    let second = poll(&mut fixture.file, &mut fetcher, &mut backoff)
        .summary
        .unwrap();
    assert_eq!(second.imported, 2, "{second:?}");
    let gomez = fixture.file.competitor_by_bib("1").unwrap().unwrap();
    let result = fixture
        .file
        .result(race, Entrant::Competitor(gomez.id))
        .unwrap()
        .unwrap();
    assert_eq!(
        result.effective_value().unwrap().score,
        Some(Score::Time { ms: 1_117_911 })
    );
    assert_eq!(result.splits.len(), 2);
    assert_eq!(result.splits[0].total_ms, 654_799);
    let second_athlete = fixture.file.competitor_by_bib("2").unwrap().unwrap();
    let disqualified = fixture
        .file
        .result(race, Entrant::Competitor(second_athlete.id))
        .unwrap()
        .unwrap();
    assert_eq!(
        disqualified.effective_value().unwrap().status,
        Some(Status::Dsq)
    );
    assert_eq!(
        disqualified.incidents,
        vec!["DSQ for cutting the swim course".to_string()]
    );
    // Ranked at World Triathlon precision: rounded up to the next second.
    let board = fixture.file.workout_leaderboard(race, None).unwrap();
    assert_eq!(board[0].display, "18:38");
}

#[test]
fn a_recorded_feed_rehearses_into_a_scratch_copy_without_touching_real_results() {
    let mut fixture = fixture();
    let server = ScriptedServer::start(Reply::Json(seed_payload(&[("524658", "00:13:37.2")])));
    add_connection(&mut fixture.file, fixture.race, &server.url, "json");
    let (mut fetcher, mut backoff) = (fetcher(), backoff());
    // Record two live polls.
    let mut recording: Vec<u8> = Vec::new();
    poll_once(
        &mut fixture.file,
        "timing",
        &mut fetcher,
        &mut backoff,
        Some(&mut recording),
    )
    .unwrap();
    server.set(Reply::Json(seed_payload(&[
        ("524658", "00:13:36.0"),
        ("527182", "00:13:59.1"),
        ("777777", "00:16:00.0"),
    ])));
    poll_once(
        &mut fixture.file,
        "timing",
        &mut fetcher,
        &mut backoff,
        Some(&mut recording),
    )
    .unwrap();
    recording.extend_from_slice(b"[{\"CompCornerID\": \n---\n");
    // Rehearse the recording with a new mapping name against a fresh workout.
    let rehearsal_race = fixture
        .file
        .add_workout(&workout("Rehearsal target", 3))
        .unwrap();
    let mapping = FieldMapping::timing_feed(&fixture.file.workout(rehearsal_race).unwrap());
    let results_before = fixture.file.results(rehearsal_race).unwrap();
    let events_before = fixture.file.score_events(None).unwrap().len();
    let conflicts_before = fixture.file.inbound_conflicts(false).unwrap().len();
    let report = rehearse(
        &mut fixture.file,
        "timing",
        rehearsal_race,
        &mapping,
        None,
        &recording,
    )
    .unwrap();
    assert_eq!(report.payloads, 3);
    assert_eq!(report.failed_payloads, 1);
    assert_eq!(report.imported, 2, "{report:?}");
    assert_eq!(report.new_conflicts, 1);
    assert_eq!(report.unknown, 1);
    assert_eq!(report.open_conflicts_at_end, 1 + conflicts_before);
    assert!(report.steps[2]
        .error
        .as_deref()
        .unwrap()
        .contains("payload 3"));
    // The real file is untouched.
    assert_eq!(
        fixture.file.results(rehearsal_race).unwrap(),
        results_before
    );
    assert_eq!(
        fixture.file.score_events(None).unwrap().len(),
        events_before
    );
    assert_eq!(
        fixture.file.inbound_conflicts(false).unwrap().len(),
        conflicts_before
    );
    assert_eq!(
        fixture.file.ledger_size("timing", rehearsal_race).unwrap(),
        0
    );
}

#[test]
fn a_connection_can_be_tested_with_a_preview_and_disabled() {
    let mut fixture = fixture();
    let server = ScriptedServer::start(Reply::Json(seed_payload(&[
        ("524658", "00:13:37.2"),
        ("527182", "later"),
    ])));
    add_connection(&mut fixture.file, fixture.race, &server.url, "json");
    let mut fetcher = fetcher();
    let shown =
        scoretable_inbound::preview_connection(&fixture.file, "timing", &mut fetcher, 5).unwrap();
    assert_eq!((shown.ready, shown.invalid), (1, 1));
    assert_eq!(shown.rows[0].display, "13:37.2");
    assert_eq!(shown.rows[1].problems[0].field, "Time");
    // Previewing stores nothing.
    assert!(fixture.file.results(fixture.race).unwrap().is_empty());
    let id = fixture.file.connection_by_name("timing").unwrap().id;
    fixture.file.set_connection_enabled(id, false).unwrap();
    let outcome = poll(&mut fixture.file, &mut fetcher, &mut backoff());
    assert_eq!(outcome.error.as_deref(), Some("the connection is disabled"));
    assert_eq!(server.requests().len(), 1);
}

fn add_connection_every(file: &mut CompetitionFile, race: i64, url: &str, interval_ms: u64) {
    support::add_feed_connection(file, race, url, "json", interval_ms, None);
}

#[test]
fn through_every_fault_no_request_comes_sooner_than_the_interval_and_retry_after_is_honoured() {
    let mut fixture = fixture();
    let payload = seed_payload(&[("524658", "00:13:37.2")]);
    let server = ScriptedServer::start(Reply::Json(payload.clone()));
    let interval = Duration::from_millis(300);
    add_connection_every(&mut fixture.file, fixture.race, &server.url, 300);
    // The 503 comes about 4 s in; its date asks for about 3 s more.
    let http_date = (chrono::Utc::now() + chrono::Duration::seconds(7))
        .format("%a, %d %b %Y %H:%M:%S GMT")
        .to_string();
    for reply in [
        Reply::Status(500),
        Reply::Reset,
        Reply::RetryAfter(429, "1".into()),
        Reply::Slow(Duration::from_millis(1500), payload.clone()),
        Reply::Drop,
        Reply::RetryAfter(503, http_date),
        Reply::Slow(Duration::from_millis(100), payload.clone()),
    ] {
        server.push(reply);
    }
    let mut fetcher = HttpFetcher::new(Duration::from_millis(1000)).unwrap();
    let mut outcomes: Vec<PollOutcome> = Vec::new();
    watch(
        &mut fixture.file,
        "timing",
        &mut fetcher,
        WatchOptions {
            max_polls: Some(9),
            stop: Arc::new(AtomicBool::new(false)),
            backoff_cap: Duration::from_millis(600),
            on_poll: &mut |outcome| outcomes.push(outcome.clone()),
            recording: None,
        },
    )
    .unwrap();
    let states: Vec<ConnectionState> = outcomes.iter().map(|outcome| outcome.state).collect();
    use ConnectionState::{BackingOff, Ok as Fine};
    assert_eq!(
        states,
        vec![
            BackingOff, BackingOff, BackingOff, BackingOff, BackingOff, BackingOff, Fine, Fine,
            Fine
        ],
        "{outcomes:#?}"
    );
    let times = server.request_times();
    assert_eq!(times.len(), 9);
    let gaps: Vec<Duration> = times.windows(2).map(|pair| pair[1] - pair[0]).collect();
    assert!(
        gaps.iter().all(|gap| *gap >= interval),
        "a request came sooner than the 300 ms interval: {gaps:?}"
    );
    // Every failure's announced wait is at least the interval.
    assert!(outcomes
        .iter()
        .all(|outcome| outcome.next_poll_in_ms >= 300));
    // 429 with Retry-After: 1 (request 3) -> the next request a second later.
    assert!(outcomes[2].next_poll_in_ms >= 1000, "{:?}", outcomes[2]);
    assert!(gaps[2] >= Duration::from_millis(1000), "{gaps:?}");
    assert!(outcomes[2]
        .error
        .as_deref()
        .unwrap()
        .starts_with("HTTP 429: Too Many Requests (the source asks to wait 1000 ms)"));
    // 503 with an HTTP date about 3 s ahead (whole seconds, so at least 2 s).
    assert!(outcomes[5].next_poll_in_ms >= 2000, "{:?}", outcomes[5]);
    assert!(gaps[5] >= Duration::from_millis(2000), "{gaps:?}");
    assert!(outcomes[3].error.as_deref().unwrap().contains("timed out"));
    assert_eq!(
        time_of(&fixture.file, fixture.race, "1"),
        Some(Score::Time { ms: 817_200 })
    );
}

#[test]
fn separate_polls_keep_the_interval_too() {
    // Two tools polling the same connection one after the other (a CLI
    // `poll` right after the app's) still keep the source's interval.
    let mut fixture = fixture();
    let server = ScriptedServer::start(Reply::Json(seed_payload(&[("524658", "00:13:37.2")])));
    add_connection_every(&mut fixture.file, fixture.race, &server.url, 400);
    let mut fetcher = fetcher();
    server.push(Reply::Status(500));
    for _ in 0..4 {
        poll(&mut fixture.file, &mut fetcher, &mut backoff());
    }
    let gap = server.shortest_gap().unwrap();
    assert!(gap >= Duration::from_millis(400), "{gap:?}");
}

#[test]
fn a_connection_preview_fetches_with_the_connections_credentials() {
    let mut fixture = fixture();
    let server = ScriptedServer::start(Reply::Json(seed_payload(&[("524658", "00:13:37.2")])));
    support::add_feed_connection(
        &mut fixture.file,
        fixture.race,
        &server.url,
        "json",
        100,
        Some("SCORETABLE_TEST_FEED_TOKEN_PREVIEW"),
    );
    let mut fetcher = fetcher();
    let error =
        scoretable_inbound::fetch_connection_document(&fixture.file, "timing", &mut fetcher)
            .unwrap_err();
    assert!(
        error
            .to_string()
            .contains("SCORETABLE_TEST_FEED_TOKEN_PREVIEW"),
        "{error}"
    );
    assert!(server.requests().is_empty());
    std::env::set_var(
        "SCORETABLE_TEST_FEED_TOKEN_PREVIEW",
        "Bearer preview-secret",
    );
    let document =
        scoretable_inbound::fetch_connection_document(&fixture.file, "timing", &mut fetcher)
            .unwrap();
    assert_eq!(document.records.len(), 1);
    let request = server.requests().pop().unwrap().to_ascii_lowercase();
    assert!(
        request.contains("authorization: bearer preview-secret"),
        "{request}"
    );
    // The preview goes through the same function.
    scoretable_inbound::preview_connection(&fixture.file, "timing", &mut fetcher, 5).unwrap();
    let request = server.requests().pop().unwrap().to_ascii_lowercase();
    assert!(
        request.contains("authorization: bearer preview-secret"),
        "{request}"
    );
}

#[test]
fn per_member_chips_with_teammate_ids_aggregate_into_team_scores_with_the_preset_alone() {
    let mut fixture = fixture();
    support::add_team(&mut fixture.file, "Red", "T-RED", &["1", "2", "3"]);
    support::add_team(&mut fixture.file, "Blue", "T-BLUE", &["4"]);
    let mut relay = workout("Relay", 2);
    relay.team_scoring = scoretable_core::model::TeamScoring::SumAll;
    let relay = fixture.file.add_workout(&relay).unwrap();
    let member = |teammate: &str, time: &str| {
        serde_json::json!({"First Name": "", "Last Name": "", "Team Name": "Red",
            "CompCornerID": "T-RED", "Teammate ID": teammate, "CGID": "1", "Time": time})
    };
    let server = ScriptedServer::start(Reply::Json(
        serde_json::json!([member("524658", "00:10:00.0"), member("2", "00:11:00.0")]).to_string(),
    ));
    add_connection(&mut fixture.file, relay, &server.url, "json");
    let (mut fetcher, mut backoff) = (fetcher(), backoff());
    let first = poll(&mut fixture.file, &mut fetcher, &mut backoff);
    let summary = first.summary.clone().unwrap();
    assert_eq!((summary.imported, summary.unknown), (2, 0), "{summary:?}");
    assert_eq!(summary.provisional_teams, vec!["Red (2/3)".to_string()]);
    let keys: Vec<String> = first
        .ledger
        .unwrap()
        .records
        .iter()
        .map(|record| record.record_key.clone())
        .collect();
    assert_eq!(
        keys,
        vec!["T-RED/524658".to_string(), "T-RED/2".to_string()]
    );
    let board = fixture.file.workout_leaderboard(relay, None).unwrap();
    assert!(
        board
            .iter()
            .any(|row| matches!(row.entrant, Entrant::Team(_)) && row.partial),
        "{board:?}"
    );
    // The third member finishes; the first member's time changes at the source.
    server.set(Reply::Json(
        serde_json::json!([
            member("524658", "00:10:05.0"),
            member("2", "00:11:00.0"),
            member("530001", "00:12:00.0")
        ])
        .to_string(),
    ));
    let second = poll(&mut fixture.file, &mut fetcher, &mut backoff)
        .summary
        .unwrap();
    assert_eq!(
        (second.imported, second.unchanged, second.new_conflicts),
        (1, 1, 1),
        "{second:?}"
    );
    assert!(second.provisional_teams.is_empty(), "{second:?}");
    let board = fixture.file.workout_leaderboard(relay, None).unwrap();
    let team = board
        .iter()
        .find(|row| matches!(row.entrant, Entrant::Team(_)))
        .unwrap();
    assert!(!team.partial, "{team:?}");
    // A teammate id that is not on the team goes to review with the reason.
    server.set(Reply::Json(
        serde_json::json!([member("530002", "00:13:00.0")]).to_string(),
    ));
    let third = poll(&mut fixture.file, &mut fetcher, &mut backoff)
        .summary
        .unwrap();
    assert_eq!(third.unknown, 1);
    let reasons: Vec<String> = fixture
        .file
        .review_items(true)
        .unwrap()
        .into_iter()
        .map(|item| item.reason)
        .collect();
    assert_eq!(
        reasons,
        vec![
            "team Red (feed_participant_id \"T-RED\") has no member with teammate id \"530002\""
                .to_string()
        ]
    );
}

#[test]
fn a_payload_with_one_record_twice_imports_neither_copy_and_says_why() {
    let mut fixture = fixture();
    let server = ScriptedServer::start(Reply::Json(seed_payload(&[
        ("524658", "00:13:37.2"),
        ("527182", "00:13:59.1"),
        ("524658", "00:13:40.0"),
    ])));
    add_connection(&mut fixture.file, fixture.race, &server.url, "json");
    let (mut fetcher, mut backoff) = (fetcher(), backoff());
    let outcome = poll(&mut fixture.file, &mut fetcher, &mut backoff);
    let summary = outcome.summary.unwrap();
    assert_eq!(
        (summary.imported, summary.invalid, summary.new_conflicts),
        (1, 2, 0),
        "{summary:?}"
    );
    assert_eq!(
        summary.problems,
        vec!["timing record 3, field \"record key\": record 1 carries the same record \"524658\"; neither is imported".to_string()]
    );
    assert_eq!(time_of(&fixture.file, fixture.race, "1"), None);
    assert!(fixture.file.inbound_conflicts(false).unwrap().is_empty());
    // The source fixes its payload: the record imports normally.
    server.set(Reply::Json(seed_payload(&[("524658", "00:13:40.0")])));
    let fixed = poll(&mut fixture.file, &mut fetcher, &mut backoff)
        .summary
        .unwrap();
    assert_eq!(fixed.imported, 1);
    assert_eq!(
        time_of(&fixture.file, fixture.race, "1"),
        Some(Score::Time { ms: 820_000 })
    );
}

#[test]
fn stopping_a_watch_is_honoured_while_it_waits_out_a_long_retry_after() {
    let mut fixture = fixture();
    let server = ScriptedServer::start(Reply::Json(seed_payload(&[("524658", "00:13:37.2")])));
    add_connection(&mut fixture.file, fixture.race, &server.url, "json");
    // The source asked for an hour's pause on the last poll.
    server.push(Reply::RetryAfter(429, "3600".into()));
    let first = poll(&mut fixture.file, &mut fetcher(), &mut backoff());
    assert!(first.next_poll_in_ms >= 3_600_000, "{first:?}");
    let stop = Arc::new(AtomicBool::new(false));
    {
        let stop = Arc::clone(&stop);
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(300));
            stop.store(true, std::sync::atomic::Ordering::SeqCst);
        });
    }
    let started = std::time::Instant::now();
    let polls = watch(
        &mut fixture.file,
        "timing",
        &mut fetcher(),
        WatchOptions {
            max_polls: None,
            stop,
            backoff_cap: Duration::from_millis(800),
            on_poll: &mut |_| {},
            recording: None,
        },
    )
    .unwrap();
    assert_eq!(polls, 0);
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    // No request went out during the pause.
    assert_eq!(server.requests().len(), 1);
}

#[test]
fn a_feed_that_lost_its_mapped_identifier_is_refused_and_changes_nothing() {
    let mut fixture = fixture();
    let server = ScriptedServer::start(Reply::Json(seed_payload(&[("524658", "00:13:37.2")])));
    add_connection(&mut fixture.file, fixture.race, &server.url, "json");
    let (mut fetcher, mut backoff) = (fetcher(), backoff());
    let first = poll(&mut fixture.file, &mut fetcher, &mut backoff);
    assert_eq!(first.summary.unwrap().imported, 1);

    // The source renamed its participant id: every record would otherwise
    // read as "unknown participant" with nothing said about the shape.
    let renamed = seed_payload(&[("524658", "00:12:00.0"), ("527182", "00:13:59.1")])
        .replace("\"CompCornerID\"", "\"ParticipantID\"");
    server.set(Reply::Json(renamed));
    let refused = poll(&mut fixture.file, &mut fetcher, &mut backoff);
    assert_eq!(refused.state, ConnectionState::Error, "{refused:?}");
    let message = refused.error.unwrap();
    assert!(message.contains("\"CompCornerID\""), "{message}");
    assert!(message.contains("nothing was imported"), "{message}");
    assert!(refused.ledger.is_none());
    assert_eq!(time_of(&fixture.file, fixture.race, "2"), None);
    assert_eq!(
        time_of(&fixture.file, fixture.race, "1"),
        Some(Score::Time { ms: 817_200 })
    );
    let status = fixture.file.connection_by_name("timing").unwrap().status;
    assert_eq!(status.state, ConnectionState::Error);

    // The source is mended: the next poll reads it again.
    server.set(Reply::Json(seed_payload(&[("524658", "00:13:37.2")])));
    let mended = poll(&mut fixture.file, &mut fetcher, &mut backoff);
    assert_eq!(mended.state, ConnectionState::Ok, "{mended:?}");
}

#[test]
fn a_csv_feed_without_its_result_column_is_refused_but_json_results_may_come_later() {
    let mut fixture = fixture();
    let server = ScriptedServer::start(Reply::Json(
        "CompCornerID,Time\n524658,00:13:37.2\n".to_string(),
    ));
    add_connection(&mut fixture.file, fixture.race, &server.url, "csv");
    let (mut fetcher, mut backoff) = (fetcher(), backoff());
    let first = poll(&mut fixture.file, &mut fetcher, &mut backoff);
    assert_eq!(first.state, ConnectionState::Ok, "{first:?}");

    // A header row names every column: a missing "Time" column is a changed
    // export, not athletes still on the course.
    server.set(Reply::Json(
        "CompCornerID,Result\n524658,00:12:00.0\n527182,00:13:59.1\n".to_string(),
    ));
    let refused = poll(&mut fixture.file, &mut fetcher, &mut backoff);
    assert_eq!(refused.state, ConnectionState::Error, "{refused:?}");
    let message = refused.error.unwrap();
    assert!(message.contains("\"Time\""), "{message}");
    assert_eq!(
        time_of(&fixture.file, fixture.race, "1"),
        Some(Score::Time { ms: 817_200 })
    );
    assert_eq!(time_of(&fixture.file, fixture.race, "2"), None);

    // A JSON feed leaves "Time" out until an athlete finishes: waiting, not refused.
    let mut json_fixture = support::fixture();
    let payload = seed_payload(&[("524658", "00:13:37.2")])
        .replace("\"Time\": \"00:13:37.2\"", "\"Split\": \"00:05:00.0\"");
    let json_server = ScriptedServer::start(Reply::Json(payload));
    add_connection(
        &mut json_fixture.file,
        json_fixture.race,
        &json_server.url,
        "json",
    );
    let waiting = poll(&mut json_fixture.file, &mut fetcher, &mut backoff);
    assert_eq!(waiting.state, ConnectionState::Ok, "{waiting:?}");
    assert_eq!(waiting.summary.unwrap().waiting, 1);
}
