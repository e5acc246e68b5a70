//! RunSignup full results through the outbox, against the stand-in.

use crate::support;

use std::time::Duration;

use scoretable_core::model::{Entrant, Status};
use scoretable_store::{OutboxState, ScoreInput};
use scoretable_sync::{drain_target, preview_target, sync_status};
use scoretable_testkit::standin::Fault;
use serde_json::json;
use support::{add_target, fixture, quick_options, runsignup_standin as standin, Fixture};

fn drain(fixture: &mut Fixture) -> scoretable_sync::DrainReport {
    drain_target(&mut fixture.file, "rsu", &fixture.secrets, &quick_options()).unwrap()
}

#[test]
fn results_arrive_once_and_edits_use_result_id() {
    let mut fixture = fixture(6, 2);
    let standin = standin(6);
    add_target(&mut fixture, &standin, json!({}));
    fixture.import_with_splits("1", 1_020_100, &[300_000, 600_000]);
    fixture.enter("2", "17:05.0");
    fixture
        .file
        .enter_score_by_bib(
            fixture.workout_id,
            "3",
            ScoreInput::status(Status::Dnf),
            "t",
        )
        .unwrap();
    let report = drain(&mut fixture);
    assert!(report.drained, "{report:?}");
    assert_eq!(report.acked, 3);
    let results = standin.results();
    assert_eq!(results.len(), 3);
    let ada = results
        .iter()
        .find(|row| row.bib.as_deref() == Some("1"))
        .unwrap();
    assert_eq!(ada.fields["clock_time"], "17:00.1");
    assert_eq!(
        ada.fields.get("split-1").map(String::as_str),
        Some("5:00.0")
    );
    assert!(
        !ada.fields.contains_key("place"),
        "auto placements leave place out"
    );
    let dnf = results
        .iter()
        .find(|row| row.bib.as_deref() == Some("3"))
        .unwrap();
    assert_eq!(dnf.fields["clock_time"], "DNF");

    // An official amendment is sent as an edit with the stored result_id.
    let athlete_two = fixture.file.competitor_by_bib("2").unwrap().unwrap();
    fixture
        .file
        .amend_score(
            fixture.workout_id,
            Entrant::Competitor(athlete_two.id),
            "16:59.9",
            "referee",
            "timing correction",
            None,
        )
        .unwrap();
    let report = drain(&mut fixture);
    assert_eq!(report.acked, 1, "{report:?}");
    assert!(standin.duplicates().is_empty());
    let two = standin
        .results()
        .into_iter()
        .find(|row| row.bib.as_deref() == Some("2"))
        .unwrap();
    assert_eq!(two.fields["clock_time"], "16:59.9");
    assert_eq!(standin.results().len(), 3);

    // Nothing queued: a second drain sends nothing.
    let posts = standin.posts();
    let report = drain(&mut fixture);
    assert_eq!(report.requests, 0);
    assert_eq!(standin.posts(), posts);
}

#[test]
fn every_request_format_and_auth_style_is_accepted() {
    for (format, auth) in [
        ("csv", "api_key"),
        ("xml", "rsu_api_key"),
        ("json", "rsu_api_key"),
    ] {
        let mut fixture = fixture(3, 1);
        let standin = standin(3);
        add_target(
            &mut fixture,
            &standin,
            json!({"request_format": format, "auth": auth, "match_by": "chip"}),
        );
        fixture.enter("1", "20:00.0");
        fixture.enter("2", "21:00.0");
        let report = drain(&mut fixture);
        assert_eq!(
            report.acked,
            2,
            "{format}/{auth}: {report:?} {:?}",
            standin.rejections()
        );
        assert_eq!(standin.results().len(), 2, "{format}");
    }
}

#[test]
fn a_removed_split_is_cleared_with_x_and_blank_never_clears() {
    let mut fixture = fixture(2, 2);
    let standin = standin(2);
    add_target(&mut fixture, &standin, json!({}));
    let entry = fixture.enter("1", "17:00.0");
    let report = drain(&mut fixture);
    assert_eq!(report.acked, 1);
    // Pretend a split had been sent before: the stand-in holds it, and the
    // acknowledged payload says so.
    let target = fixture.file.sync_target("rsu").unwrap();
    let records = fixture.file.sync_remote_records(target.id).unwrap();
    let entity = records.keys().next().unwrap().clone();
    let mut record = records[&entity].clone();
    let mut payload = record.payload.clone().unwrap();
    payload["split-1"] = json!("5:00.0");
    record.payload = Some(payload);
    // Re-acknowledge with the split in the payload through a claimed row.
    fixture.file.undo_entry(entry, "t").unwrap();
    fixture.enter("1", "17:00.0");
    let claimed = fixture.file.claim_outbox(target.id, 10).unwrap();
    fixture
        .file
        .ack_outbox(&[scoretable_store::OutboxAck {
            item_id: claimed[0].id,
            remote: Some(record),
        }])
        .unwrap();
    // A new change to the entrant: the split is gone, so X is sent.
    let athlete = fixture.file.competitor_by_bib("1").unwrap().unwrap();
    fixture
        .file
        .amend_score(
            fixture.workout_id,
            Entrant::Competitor(athlete.id),
            "17:00.2",
            "referee",
            "photo",
            None,
        )
        .unwrap();
    let preview = preview_target(&fixture.file, "rsu", 10).unwrap();
    assert_eq!(preview.changes[0].action, "update");
    assert_eq!(preview.changes[0].after.as_ref().unwrap()["split-1"], "X");
    assert!(preview.requests[0].url.contains("api_secret=***"));
    assert!(!preview.requests[0].url.contains("s3cr3t"));
    let report = drain(&mut fixture);
    assert_eq!(report.acked, 1, "{report:?}");
}

#[test]
fn faults_are_retried_and_lost_responses_are_reconciled_without_duplicates() {
    let mut fixture = fixture(12, 1);
    let standin = standin(12);
    add_target(&mut fixture, &standin, json!({}));
    standin.faults.push([
        Fault::Status(500),
        Fault::Status(503),
        Fault::TooManyRequests {
            retry_after: "1".to_string(),
        },
        Fault::Reset,
        Fault::AppliedResponseLost,
        Fault::Slow(Duration::from_millis(2500)),
    ]);
    let mut options = quick_options();
    options.batch_size = 4;
    // The slow request is applied 2.5 s after it was sent: reading back is
    // safe only after timeout + late landing (3 s).
    options.late_landing = Duration::from_millis(1500);
    for bib in 1..=12 {
        fixture.enter(&bib.to_string(), &format!("20:{:02}.0", bib));
    }
    let started = std::time::Instant::now();
    let report = drain_target(&mut fixture.file, "rsu", &fixture.secrets, &options).unwrap();
    assert!(report.drained, "{report:?}");
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "Retry-After was honoured"
    );
    assert!(report.retried >= 3, "{report:?}");
    assert!(report.reconciled >= 1, "{report:?}");
    assert_eq!(standin.results().len(), 12);
    assert!(
        standin.duplicates().is_empty(),
        "{:?}",
        standin.duplicates()
    );
    let target = fixture.file.sync_target("rsu").unwrap();
    let counts = fixture.file.outbox_counts(target.id).unwrap();
    assert_eq!((counts.queued, counts.sending, counts.acked), (0, 0, 12));
    assert!(target.last_error.is_some());
    assert!(target.last_success_at.is_some());
}

#[test]
fn rejections_are_kept_per_row_and_do_not_block_the_rest() {
    let mut fixture = fixture(4, 1);
    let standin = standin(3); // bib 4 has no registration on RunSignup
                              // Unknown registration ids are refused by RunSignup.
    add_target(&mut fixture, &standin, json!({}));
    for bib in 1..=4 {
        fixture.enter(&bib.to_string(), "30:00.0");
    }
    let report = drain(&mut fixture);
    assert_eq!(report.acked, 3, "{report:?}");
    assert_eq!(report.rejected, 1);
    let target = fixture.file.sync_target("rsu").unwrap();
    let rejected = fixture
        .file
        .recent_outbox_items(target.id, OutboxState::Rejected, 5)
        .unwrap();
    assert_eq!(rejected.len(), 1);
    assert!(
        rejected[0]
            .last_error
            .as_deref()
            .unwrap()
            .contains("registration_id"),
        "{rejected:?}"
    );
    let status = sync_status(&fixture.file).unwrap();
    assert_eq!(status[0].rejected, 1);
    assert_eq!(status[0].recent_rejections.len(), 1);
}

#[test]
fn result_sets_and_hard_coded_division_places_follow_the_seed() {
    let mut fixture = fixture(2, 1);
    let first = standin(2);
    first.require_result_set("4001");
    add_target(&mut fixture, &first, json!({}));
    fixture.enter("1", "18:00.0");
    let report = drain(&mut fixture);
    assert_eq!(
        report.rejected, 1,
        "missing individual_result_set_id is refused"
    );
    assert!(first.rejections()[0].contains("individual_result_set_id"));

    let mut fixture = support::fixture(2, 1);
    let division = support::custom_division(&mut fixture, "Open", &["1", "2"]);
    let standin = standin(2);
    standin.require_result_set("4001");
    standin.disable_division_calculation("88");
    let workout = fixture.workout_id.to_string();
    add_target(
        &mut fixture,
        &standin,
        json!({"placements": "hard_coded", "division_ids": {division.to_string(): "555"},
               "result_set_ids": {workout: "88"}, "custom_fields": {"12": "club"}}),
    );
    fixture.enter("1", "18:00.0");
    fixture.enter("2", "17:00.0");
    let report = drain(&mut fixture);
    assert_eq!(report.acked, 2, "{report:?} {:?}", standin.rejections());
    let one = standin
        .results()
        .into_iter()
        .find(|row| row.bib.as_deref() == Some("1"))
        .unwrap();
    assert_eq!(one.result_set_id, "88");
    assert_eq!(one.fields["division-555-place"], "2");
    assert_eq!(one.fields["place"], "2");
    assert_eq!(one.fields["custom-field-12"], "Harbour");
}

#[test]
fn the_secret_never_reaches_the_competition_file() {
    let mut fixture = fixture(3, 1);
    let standin = standin(3);
    add_target(&mut fixture, &standin, json!({}));
    fixture.enter("1", "19:00.0");
    standin.faults.push([Fault::Status(503)]);
    drain(&mut fixture);
    let path = fixture.file.path().to_path_buf();
    drop(fixture.file);
    let mut bytes = std::fs::read(&path).unwrap();
    if let Ok(wal) = std::fs::read(path.with_extension("scoretable-wal")) {
        bytes.extend(wal);
    }
    let needle = b"s3cr3t-value";
    assert!(!bytes.windows(needle.len()).any(|window| window == needle));
}

/// With hard-coded placements every row carries its place: a faster result
/// entered later moves the athletes behind it down, and their rows already
/// on RunSignup must be sent again with the new place.
#[test]
fn hard_coded_places_already_sent_follow_a_later_faster_result() {
    let mut fixture = fixture(3, 1);
    let standin = standin(3);
    standin.require_result_set("4001");
    standin.disable_division_calculation("88");
    let workout = fixture.workout_id.to_string();
    add_target(
        &mut fixture,
        &standin,
        json!({"placements": "hard_coded", "result_set_ids": {workout: "88"}}),
    );
    fixture.enter("1", "18:00.0");
    fixture.enter("2", "19:00.0");
    let report = drain(&mut fixture);
    assert_eq!(report.acked, 2, "{report:?} {:?}", standin.rejections());
    fixture.enter("3", "17:00.0");
    let report = drain(&mut fixture);
    assert_eq!(report.rejected, 0, "{report:?} {:?}", standin.rejections());
    let place_of = |bib: &str| {
        standin
            .results()
            .into_iter()
            .find(|row| row.bib.as_deref() == Some(bib))
            .unwrap()
            .fields["place"]
            .clone()
    };
    assert_eq!(
        (place_of("3"), place_of("1"), place_of("2")),
        ("1".to_string(), "2".to_string(), "3".to_string())
    );
    assert_eq!(standin.results().len(), 3, "no duplicates");
}

/// Moving an athlete to another division after their result was sent
/// queues it again (the membership table is watched), and with hard-coded
/// division places the athlete left behind moves up.
#[test]
fn a_division_change_after_sync_resends_the_division_places() {
    let mut fixture = support::fixture(2, 1);
    let open = support::custom_division(&mut fixture, "Open", &["1", "2"]);
    let masters = support::custom_division(&mut fixture, "Masters", &[]);
    let standin = standin(2);
    standin.require_result_set("4001");
    standin.disable_division_calculation("88");
    let workout = fixture.workout_id.to_string();
    add_target(
        &mut fixture,
        &standin,
        json!({"placements": "hard_coded",
               "division_ids": {open.to_string(): "555", masters.to_string(): "556"},
               "result_set_ids": {workout: "88"}}),
    );
    fixture.enter("1", "17:00.0");
    fixture.enter("2", "18:00.0");
    assert_eq!(drain(&mut fixture).acked, 2);
    let field = |bib: &str, name: &str| {
        standin
            .results()
            .into_iter()
            .find(|row| row.bib.as_deref() == Some(bib))
            .unwrap()
            .fields
            .get(name)
            .cloned()
            .unwrap_or_default()
    };
    assert_eq!(field("2", "division-555-place"), "2");

    let moved = fixture.file.competitor_by_bib("1").unwrap().unwrap();
    fixture
        .file
        .set_competitor_divisions(moved.id, &[masters])
        .unwrap();
    let target = fixture.file.sync_targets().unwrap()[0].id;
    assert_eq!(
        fixture.file.outbox_counts(target).unwrap().queued,
        1,
        "the membership change queued bib 1's result"
    );
    let report = drain(&mut fixture);
    assert_eq!(report.rejected, 0, "{report:?} {:?}", standin.rejections());
    assert_eq!(field("1", "division-556-place"), "1");
    assert_eq!(field("2", "division-555-place"), "1", "bib 2 moved up");
    assert_eq!(standin.results().len(), 2, "no duplicates");
}
