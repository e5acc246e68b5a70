//! RunSignup against a strict stand-in: paged read-back, answers in other
//! shapes, errors inside 200 bodies, requests that land after the client gave
//! up, refused batches and unsupported statuses. Each test fails on the
//! adapter that read one page, trusted two count names, re-sent timed-out
//! requests at once and rejected whole batches.

use crate::support;

use std::time::{Duration, Instant};

use scoretable_core::model::Status;
use scoretable_store::{OutboxState, ScoreInput};
use scoretable_sync::{drain_target, DrainOptions, DrainReport};
use scoretable_testkit::standin::{Fault, PostAnswer, Registration, RunSignupStandin};
use serde_json::json;
use support::{add_target, fixture, quick_options, runsignup_standin as standin, Fixture};

fn enter_all(fixture: &mut Fixture, athletes: usize) {
    for bib in 1..=athletes {
        fixture.enter(
            &bib.to_string(),
            &format!("{}:{:02}.{}", 20 + bib / 60, bib % 60, bib % 10),
        );
    }
}

fn amend(fixture: &mut Fixture, bib: &str, value: &str) {
    let competitor = fixture.file.competitor_by_bib(bib).unwrap().unwrap();
    fixture
        .file
        .amend_score(
            fixture.workout_id,
            scoretable_core::model::Entrant::Competitor(competitor.id),
            value,
            "referee",
            "timing correction",
            None,
        )
        .unwrap();
}

fn counts(fixture: &Fixture) -> scoretable_store::OutboxCounts {
    let target = fixture.file.sync_target("rsu").unwrap();
    fixture.file.outbox_counts(target.id).unwrap()
}

fn drain_with(fixture: &mut Fixture, options: &DrainOptions) -> DrainReport {
    drain_target(&mut fixture.file, "rsu", &fixture.secrets, options).unwrap()
}

/// One result per entrant, each holding the time Scoretable has.
fn assert_exactly_once(standin: &RunSignupStandin, athletes: usize) {
    assert!(
        standin.duplicates().is_empty(),
        "{} duplicates, e.g. {:?}",
        standin.duplicates().len(),
        standin.duplicates().first()
    );
    assert_eq!(standin.results().len(), athletes);
}

#[test]
fn more_than_a_page_of_results_with_lost_answers_is_never_posted_twice() {
    // 300 athletes matched by bib, 100 of them not registrants; get-results
    // pages of at most 100; the success answers carry no result ids.
    let athletes = 300;
    let mut fixture = fixture(athletes, 0);
    let standin = standin(200);
    standin.set_max_results_per_page(100);
    standin.set_post_answer(PostAnswer::Rotate);
    add_target(&mut fixture, &standin, json!({"match_by": "bib"}));
    enter_all(&mut fixture, athletes);
    standin.faults.push([
        Fault::Pass,
        Fault::AppliedResponseLost,
        Fault::Pass,
        Fault::AppliedResponseLost,
    ]);
    let mut options = quick_options();
    options.batch_size = 50;
    let report = drain_with(&mut fixture, &options);
    assert!(report.drained, "{report:?}");
    assert_exactly_once(&standin, athletes);
    let counts = counts(&fixture);
    assert_eq!((counts.queued, counts.sending, counts.acked), (0, 0, 300));
    assert!(standin.get_requests() >= 3, "read back page by page");

    // Every row now knows its result_id: an amendment of the last athlete
    // (on page 3) is an edit, not a second result.
    let target = fixture.file.sync_target("rsu").unwrap();
    let remote = fixture.file.sync_remote_records(target.id).unwrap();
    assert_eq!(
        remote
            .values()
            .filter(|record| record.remote_id.is_some())
            .count(),
        athletes
    );
    amend(&mut fixture, "300", "59:00.0");
    let report = drain_with(&mut fixture, &options);
    assert_eq!(report.acked, 1, "{report:?}");
    assert_exactly_once(&standin, athletes);
}

#[test]
fn a_request_that_lands_after_the_client_gave_up_is_not_sent_twice() {
    for fault in [
        Fault::Slow(Duration::from_millis(2500)),
        Fault::AppliedAnswerLate(Duration::from_millis(2500)),
    ] {
        let mut fixture = fixture(10, 0);
        let standin = standin(10);
        add_target(&mut fixture, &standin, json!({}));
        enter_all(&mut fixture, 10);
        standin.faults.push([fault.clone()]);
        let mut options = quick_options();
        options.request_timeout = Duration::from_millis(1000);
        options.late_landing = Duration::from_millis(2500);
        let started = Instant::now();
        let report = drain_with(&mut fixture, &options);
        assert!(report.drained, "{fault:?}: {report:?}");
        assert!(
            started.elapsed() >= Duration::from_millis(3500),
            "{fault:?}: read back only after the request could no longer land"
        );
        assert_exactly_once(&standin, 10);
        assert_eq!(counts(&fixture).acked, 10, "{fault:?}");
        // An edit after the late landing uses the platform's id.
        amend(&mut fixture, "3", "10:00.0");
        let report = drain_with(&mut fixture, &options);
        assert_eq!(report.acked, 1, "{fault:?}: {report:?}");
        assert_exactly_once(&standin, 10);
    }
}

#[test]
fn a_refused_batch_rejects_only_the_bad_rows_each_with_the_platform_message() {
    // 300 rows, 245 with registration ids RunSignup does not know; refusals
    // come inside HTTP 200 bodies.
    let athletes = 300;
    let mut fixture = fixture(athletes, 0);
    let standin = standin(0);
    standin.add_registrations(
        (1..=athletes)
            .filter(|i| i % 300 < 55 || *i > 290)
            .map(|index| Registration {
                registration_id: format!("{}", 3200 + index),
                bib: index.to_string(),
                chip: None,
            }),
    );
    let registered = (1..=athletes).filter(|i| i % 300 < 55 || *i > 290).count();
    add_target(&mut fixture, &standin, json!({}));
    enter_all(&mut fixture, athletes);
    let report = drain_with(&mut fixture, &quick_options());
    assert!(report.drained, "{report:?}");
    assert_eq!(report.acked as usize, registered, "{report:?}");
    assert_eq!(report.rejected as usize, athletes - registered);
    assert_eq!(standin.results().len(), registered);
    let target = fixture.file.sync_target("rsu").unwrap();
    let rejected = fixture
        .file
        .recent_outbox_items(target.id, OutboxState::Rejected, 1000)
        .unwrap();
    assert_eq!(rejected.len(), athletes - registered);
    for row in &rejected {
        let competitor = row.competitor_id.unwrap();
        let registration = fixture
            .file
            .competitors()
            .unwrap()
            .into_iter()
            .find(|c| c.id == competitor)
            .unwrap()
            .external_ids
            .runsignup_registration_id
            .unwrap();
        let message = row.last_error.as_deref().unwrap();
        assert!(
            message.contains(&format!("unknown registration_id {registration}")),
            "{message}"
        );
    }
}

#[test]
fn an_unsupported_status_rejects_only_that_row() {
    let mut fixture = fixture(20, 0);
    let standin = standin(20);
    add_target(&mut fixture, &standin, json!({}));
    enter_all(&mut fixture, 19);
    fixture
        .file
        .enter_score_by_bib(
            fixture.workout_id,
            "20",
            ScoreInput::status(Status::Lap),
            "t",
        )
        .unwrap();
    let report = drain_with(&mut fixture, &quick_options());
    assert_eq!((report.acked, report.rejected), (19, 1), "{report:?}");
    let target = fixture.file.sync_target("rsu").unwrap();
    let rejected = fixture
        .file
        .recent_outbox_items(target.id, OutboxState::Rejected, 5)
        .unwrap();
    let message = rejected[0].last_error.as_deref().unwrap();
    assert!(
        message.contains("bib 20") && message.contains("LAP"),
        "{message}"
    );
    assert_eq!(standin.results().len(), 19);
}

#[test]
fn errors_as_400s_and_in_200_bodies_are_both_refusals() {
    for in_200 in [true, false] {
        let mut fixture = fixture(6, 0);
        let standin = standin(4);
        standin.set_errors_in_200(in_200);
        add_target(&mut fixture, &standin, json!({}));
        enter_all(&mut fixture, 6);
        let report = drain_with(&mut fixture, &quick_options());
        assert_eq!(
            (report.acked, report.rejected),
            (4, 2),
            "{in_200}: {report:?}"
        );
        assert_exactly_once(&standin, 4);
    }
}

#[test]
fn a_request_landing_after_its_rows_were_created_again_is_reported_until_an_official_deletes_the_extras(
) {
    // The first request lands 4 s after it was sent: later than the
    // client's timeout plus the late-landing window (1.5 s), by which time
    // reconcile has proven its rows absent and created them again.
    // RunSignup has no idempotency key and the API cannot delete a result:
    // the engine reads the workout back later, names every entrant held
    // twice in the target's status, and keeps checking until an official
    // has deleted the extras.
    let athletes = 10;
    let mut fixture = fixture(athletes, 0);
    let standin = standin(athletes);
    add_target(&mut fixture, &standin, json!({}));
    enter_all(&mut fixture, athletes);
    standin
        .faults
        .push([Fault::Slow(Duration::from_millis(4000))]);
    let mut options = quick_options();
    options.request_timeout = Duration::from_millis(1000);
    options.late_landing = Duration::from_millis(500);
    options.duplicate_recheck = Duration::from_millis(1500);
    let status = |fixture: &Fixture| {
        scoretable_sync::sync_status(&fixture.file)
            .unwrap()
            .into_iter()
            .find(|status| status.name == "rsu")
            .unwrap()
    };

    let report = drain_with(&mut fixture, &options);
    assert!(report.drained, "{report:?}");
    assert!(
        status(&fixture).duplicates.is_empty(),
        "nothing read back yet"
    );
    // The slow request lands; the check falls due 2 x 1.5 s after reconcile.
    std::thread::sleep(Duration::from_millis(4500));
    assert_eq!(
        standin.duplicates().len(),
        athletes,
        "the platform holds each twice"
    );
    let reads = standin.get_requests();
    let report = drain_with(&mut fixture, &options);
    assert!(report.drained, "{report:?}");
    assert!(standin.get_requests() > reads, "the workout was read back");
    let listed = status(&fixture).duplicates;
    assert_eq!(listed.len(), athletes, "{listed:#?}");

    // Each message names the entrant, both result ids and the one kept.
    let target = fixture.file.sync_target("rsu").unwrap();
    let kept: Vec<String> = fixture
        .file
        .sync_remote_records(target.id)
        .unwrap()
        .into_values()
        .filter_map(|record| record.remote_id)
        .collect();
    assert_eq!(kept.len(), athletes);
    let mut extras = Vec::new();
    for row in standin.results() {
        let id = row.result_id.to_string();
        if !kept.contains(&id) {
            let message = listed
                .iter()
                .find(|message| message.contains(&format!("delete {id} in RunSignup")))
                .unwrap_or_else(|| panic!("result {id} is not named: {listed:#?}"));
            let bib = row.bib.clone().unwrap();
            assert!(message.contains(&format!("(bib {bib})")), "{message}");
            extras.push(row.result_id);
        }
    }
    assert_eq!(extras.len(), athletes);
    // No secret in what the status says.
    assert!(!listed.join("\n").contains("s3cr3t-value"));

    // Still held twice at the next check: still listed.
    std::thread::sleep(options.duplicate_recheck);
    let report = drain_with(&mut fixture, &options);
    assert!(report.drained, "{report:?}");
    assert_eq!(status(&fixture).duplicates.len(), athletes);

    // An official deletes the extras in RunSignup; the next check clears
    // the list and no check is left.
    for extra in extras {
        assert!(standin.delete_result(extra));
    }
    std::thread::sleep(options.duplicate_recheck);
    drain_with(&mut fixture, &options);
    assert!(status(&fixture).duplicates.is_empty());
    let reads = standin.get_requests();
    std::thread::sleep(options.duplicate_recheck);
    drain_with(&mut fixture, &options);
    assert_eq!(
        standin.get_requests(),
        reads,
        "no check left after a clean one"
    );
    assert_exactly_once(&standin, athletes);
}

#[test]
fn rows_reconcile_finds_on_the_platform_schedule_no_later_read_back() {
    // Answers lost after the rows were applied: reconcile finds every row,
    // nothing is created again, so nothing is read back afterwards.
    let athletes = 10;
    let mut fixture = fixture(athletes, 0);
    let standin = standin(athletes);
    add_target(&mut fixture, &standin, json!({}));
    enter_all(&mut fixture, athletes);
    standin.faults.push([Fault::AppliedResponseLost]);
    let mut options = quick_options();
    options.request_timeout = Duration::from_millis(500);
    options.late_landing = Duration::from_millis(200);
    options.duplicate_recheck = Duration::from_millis(300);
    let report = drain_with(&mut fixture, &options);
    assert!(report.drained, "{report:?}");
    assert_exactly_once(&standin, athletes);
    let reads = standin.get_requests();
    std::thread::sleep(Duration::from_millis(1600));
    drain_with(&mut fixture, &options);
    assert_eq!(standin.get_requests(), reads);
}
