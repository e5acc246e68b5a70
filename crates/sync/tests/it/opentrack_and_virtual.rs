//! OpenTrack uploads and RunSignup virtual results, against the stand-ins.

use crate::support;

use scoretable_core::model::Status;
use scoretable_store::{OutboxState, ScoreInput, TargetWorkout};
use scoretable_sync::TargetSpec;
use scoretable_sync::{drain_target, preview_target};
use scoretable_testkit::standin::{Fault, OpenTrackStandin, Registration, RunSignupStandin};
use serde_json::json;
use support::{fixture, quick_options};

#[test]
fn opentrack_gets_one_competition_with_competitors_events_units_and_results() {
    let mut fixture = fixture(3, 0);
    let standin = OpenTrackStandin::start("timer@example.org", "pa55word").unwrap();
    scoretable_sync::add_target(
        &mut fixture.file,
        &TargetSpec {
            name: "ot".to_string(),
            platform: "opentrack".to_string(),
            endpoint: standin.base_url(),
            config: json!({"organiser_id": "6b2af700-0481-4f73-b9ae-8221ae619b55",
                "event_codes": {fixture.workout_id.to_string(): "5000"}}),
            workouts: vec![TargetWorkout {
                workout_id: fixture.workout_id,
                remote_id: "T22".to_string(),
            }],
        },
    )
    .unwrap();
    fixture.set_secret("ot", "timer@example.org:pa55word");
    fixture.enter("1", "10:00.0");
    fixture.enter("2", "9:59.0");
    fixture
        .file
        .enter_score_by_bib(
            fixture.workout_id,
            "3",
            ScoreInput::status(Status::Dsq),
            "t",
        )
        .unwrap();
    // The create is applied but its answer is lost: the next attempt finds
    // the competition by slug instead of creating a second one.
    // Requests: token (503), token, find by slug, create (applied, answer lost).
    standin.faults.push([
        Fault::Status(503),
        Fault::Pass,
        Fault::Pass,
        Fault::AppliedResponseLost,
    ]);
    let preview = preview_target(&fixture.file, "ot", 10).unwrap();
    assert_eq!(preview.requests[0].method, "POST");
    assert!(!preview.requests[0].body.contains("pa55word"));
    let report = drain_target(&mut fixture.file, "ot", &fixture.secrets, &quick_options()).unwrap();
    assert!(report.drained, "{report:?} {:?}", standin.rejections());
    assert_eq!(
        standin.creates(),
        1,
        "the lost create was found, not repeated"
    );
    let competitions = standin.competitions();
    assert_eq!(competitions.len(), 1, "{:?}", standin.rejections());
    let record = &competitions[0];
    for field in [
        "full_name",
        "slug",
        "country_id",
        "date",
        "finish_date",
        "contact_details",
        "organiser_id",
    ] {
        assert!(record.get(field).is_some(), "{field}");
    }
    assert_eq!(record["slug"], "harbour-sprint");
    assert_eq!(record["competitors"].as_array().unwrap().len(), 3);
    let event = &record["events"][0];
    assert_eq!(event["event_id"], "T22");
    assert_eq!(event["event_code"], "5000");
    assert_eq!(event["units"][0]["round"], 1);
    assert_eq!(event["units"][0]["heat"], 1);
    let results = event["units"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 3);
    assert_eq!(results[0]["bib"], "2");
    assert_eq!(results[0]["place"], 1);
    assert_eq!(results[2]["bib"], "3");
    assert_eq!(results[2]["performance"], "DQ", "OpenTrack's code, not DSQ");
    assert!(results[2].get("place").is_none());

    // A later result replaces the record; unchanged state sends nothing.
    let athlete = fixture.file.competitor_by_bib("3").unwrap().unwrap();
    fixture
        .file
        .amend_score(
            fixture.workout_id,
            scoretable_core::model::Entrant::Competitor(athlete.id),
            "10:30.0",
            "referee",
            "DSQ overturned",
            None,
        )
        .unwrap();
    drain_target(&mut fixture.file, "ot", &fixture.secrets, &quick_options()).unwrap();
    assert_eq!(standin.creates(), 1);
    assert_eq!(
        standin.competitions()[0]["events"][0]["units"][0]["results"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
}

#[test]
fn opentrack_refuses_an_incomplete_minimal_record() {
    let standin = OpenTrackStandin::start("u", "p").unwrap();
    let client = reqwest::blocking::Client::new();
    let token: serde_json::Value = client
        .post(format!("{}/api/v1/auth/token", standin.base_url()))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body("username=u&password=p")
        .send()
        .unwrap()
        .json()
        .unwrap();
    let bearer = format!("Bearer {}", token["access_token"].as_str().unwrap());
    let seed = json!({"full_name": "api-test open meeting", "slug": "api-test-slug",
        "country_id": "GBR", "date": "2020-08-10", "finish_date": "2020-08-15",
        "contact_details": "", "organiser_id": "6b2af700-0481-4f73-b9ae-8221ae619b55"});
    let create = |body: &serde_json::Value| {
        client
            .post(format!("{}/api/v1/competitions/", standin.base_url()))
            .header("Authorization", &bearer)
            .json(body)
            .send()
            .unwrap()
            .status()
            .as_u16()
    };
    let mut spaced = seed.clone();
    spaced["slug"] = json!("Api Test");
    assert_eq!(create(&spaced), 400);
    let mut missing = seed.clone();
    missing.as_object_mut().unwrap().remove("organiser_id");
    assert_eq!(create(&missing), 400);
    assert_eq!(create(&seed), 201, "the seed's own example is accepted");
}

fn virtual_standin() -> RunSignupStandin {
    let standin = RunSignupStandin::start("777", "key-1", "secret-1").unwrap();
    standin.add_registrations((1..=3).map(|index| Registration {
        registration_id: format!("{}", 3200 + index),
        bib: index.to_string(),
        chip: None,
    }));
    standin.add_virtual_event("9001", false);
    standin
}

#[test]
fn virtual_results_carry_clock_time_and_registration() {
    let mut fixture = fixture(3, 0);
    let standin = virtual_standin();
    scoretable_sync::add_target(
        &mut fixture.file,
        &TargetSpec {
            name: "virtual".to_string(),
            platform: "runsignup_virtual".to_string(),
            endpoint: standin.base_url(),
            config: json!({"race_id": "777"}),
            workouts: vec![TargetWorkout {
                workout_id: fixture.workout_id,
                remote_id: "9001".to_string(),
            }],
        },
    )
    .unwrap();
    fixture.set_secret("virtual", "key-1:secret-1");
    fixture.enter("1", "17:00.1");
    fixture
        .file
        .enter_score_by_bib(
            fixture.workout_id,
            "2",
            ScoreInput::status(Status::Dns),
            "t",
        )
        .unwrap();
    let report = drain_target(
        &mut fixture.file,
        "virtual",
        &fixture.secrets,
        &quick_options(),
    )
    .unwrap();
    assert_eq!(report.acked, 2, "{report:?} {:?}", standin.rejections());
    let stored = standin.virtual_results();
    assert_eq!(
        stored[&("9001".to_string(), "3201".to_string())]["clock_time"],
        "00:17:00.1"
    );
    assert_eq!(
        stored[&("9001".to_string(), "3202".to_string())]["clock_time"],
        "DNS"
    );
}

#[test]
fn virtual_stand_in_refuses_results_without_identity_and_events_needing_elevation() {
    let standin = virtual_standin();
    standin.add_virtual_event("9002", true);
    let client = reqwest::blocking::Client::new();
    let post = |event: &str, request: serde_json::Value| {
        client
            .post(format!(
                "{}/rest/race/777/results/virtual-results?format=json&api_key=key-1&api_secret=secret-1",
                standin.base_url()
            ))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(
                form_urlencoded::Serializer::new(String::new())
                    .append_pair("event_id", event)
                    .append_pair("request_format", "json")
                    .append_pair("request", &request.to_string())
                    .finish(),
            )
            .send()
            .unwrap()
            .status()
            .as_u16()
    };
    assert_eq!(
        post(
            "9001",
            json!({"virtual_results": [{"clock_time": "00:17:00.1"}]})
        ),
        400
    );
    assert_eq!(
        post(
            "9002",
            json!({"virtual_results": [{"bib_num": 1, "clock_time": "00:17:00.1"}]})
        ),
        400
    );
    // tally_value: unset keeps, null clears.
    assert_eq!(
        post(
            "9001",
            json!({"virtual_results": [{"bib_num": 1, "clock_time": "00:17:00.1", "tally_value": 1.75}]})
        ),
        200
    );
    assert_eq!(
        post(
            "9001",
            json!({"virtual_results": [{"bib_num": 1, "clock_time": "00:17:00.2"}]})
        ),
        200
    );
    let key = ("9001".to_string(), "3201".to_string());
    assert_eq!(standin.virtual_results()[&key]["tally_value"], 1.75);
    assert_eq!(
        post(
            "9001",
            json!({"virtual_results": [{"bib_num": 1, "tally_value": null}]})
        ),
        200
    );
    assert!(standin.virtual_results()[&key].get("tally_value").is_none());
    // Both tmp_key and api_key is refused.
    let status = client
        .post(format!(
            "{}/rest/race/777/results/full-results?api_key=key-1&api_secret=secret-1&tmp_key=x",
            standin.base_url()
        ))
        .send()
        .unwrap()
        .status()
        .as_u16();
    assert_eq!(status, 400);
}

#[test]
fn a_target_needing_elevation_shows_a_clear_rejection() {
    let mut fixture = fixture(1, 0);
    let standin = virtual_standin();
    scoretable_sync::add_target(
        &mut fixture.file,
        &TargetSpec {
            name: "virtual".to_string(),
            platform: "runsignup_virtual".to_string(),
            endpoint: standin.base_url(),
            config: json!({"race_id": "777", "elevation_required": true}),
            workouts: vec![TargetWorkout {
                workout_id: fixture.workout_id,
                remote_id: "9001".to_string(),
            }],
        },
    )
    .unwrap();
    fixture.set_secret("virtual", "key-1:secret-1");
    fixture.enter("1", "17:00.1");
    drain_target(
        &mut fixture.file,
        "virtual",
        &fixture.secrets,
        &quick_options(),
    )
    .unwrap();
    let target = fixture.file.sync_target("virtual").unwrap();
    let rejected = fixture
        .file
        .recent_outbox_items(target.id, OutboxState::Rejected, 1)
        .unwrap();
    assert!(rejected[0]
        .last_error
        .as_deref()
        .unwrap()
        .contains("elevation_gain_in_mm"));
    assert_eq!(standin.posts(), 0);
}

/// LAP, WD, NC and DNQ have no OpenTrack code: the official chooses one per
/// target (config `status_codes`), checked when the target is added; without
/// a choice the defaults apply (LAP as DNF, WD as DNS, NC and DNQ as NM).
#[test]
fn opentrack_status_codes_follow_the_officials_policy() {
    let mut fixture = fixture(4, 0);
    let standin = OpenTrackStandin::start("timer@example.org", "pa55word").unwrap();
    let spec = |status_codes: serde_json::Value| TargetSpec {
        name: "ot".to_string(),
        platform: "opentrack".to_string(),
        endpoint: standin.base_url(),
        config: json!({"organiser_id": "6b2af700-0481-4f73-b9ae-8221ae619b55",
            "event_codes": {fixture.workout_id.to_string(): "5000"},
            "status_codes": status_codes}),
        workouts: vec![TargetWorkout {
            workout_id: fixture.workout_id,
            remote_id: "T22".to_string(),
        }],
    };
    for (bad, says) in [
        (json!({"LAP": "DSQ"}), "DQ, DNF, DNS, NM"),
        (json!({"DNF": "DNS"}), "LAP, WD, NC, DNQ"),
        (json!(["LAP", "DNF"]), "must be an object"),
    ] {
        let error = scoretable_sync::add_target(&mut fixture.file, &spec(bad.clone()))
            .unwrap_err()
            .to_string();
        assert!(error.contains(says), "{bad}: {error}");
    }
    assert!(
        fixture.file.sync_targets().unwrap().is_empty(),
        "nothing stored"
    );
    scoretable_sync::add_target(&mut fixture.file, &spec(json!({"LAP": "NM", "WD": "dnf"})))
        .unwrap();
    fixture.set_secret("ot", "timer@example.org:pa55word");
    fixture.enter("1", "10:00.0");
    for (bib, status) in [("2", Status::Lap), ("3", Status::Wd), ("4", Status::Dnq)] {
        fixture
            .file
            .enter_score_by_bib(fixture.workout_id, bib, ScoreInput::status(status), "t")
            .unwrap();
    }
    let report = drain_target(&mut fixture.file, "ot", &fixture.secrets, &quick_options()).unwrap();
    assert!(report.drained, "{report:?} {:?}", standin.rejections());
    let competitions = standin.competitions();
    let results = competitions[0]["events"][0]["units"][0]["results"]
        .as_array()
        .unwrap()
        .clone();
    let performance = |bib: &str| {
        results
            .iter()
            .find(|result| result["bib"] == bib)
            .map(|result| result["performance"].clone())
            .unwrap()
    };
    assert_eq!(performance("2"), "NM", "LAP as the official chose, not DNF");
    assert_eq!(performance("3"), "DNF", "WD as the official chose, not DNS");
    assert_eq!(performance("4"), "NM", "DNQ keeps its default");
}
