//! World Triathlon Live Timing v1.1 through the outbox, against the stand-in.

use crate::support;

use std::time::{Duration, Instant};

use scoretable_core::model::{
    Entrant, ExternalIds, PublicationState, Score, Source, Status, Team, TeamMember, TeamScoring,
};
use scoretable_store::{CompetitionFile, ImportedResult, ScoreInput, TargetWorkout};
use scoretable_sync::triathlon::{build_message, content_digest, render_message};
use scoretable_sync::TargetSpec;
use scoretable_sync::{drain_target, HostedFeed};
use scoretable_testkit::standin::TriathlonStandin;
use serde_json::{json, Value};
use support::{fixture, quick_options, Fixture};

fn add_target(fixture: &mut Fixture, standin: &TriathlonStandin, config: Value) {
    scoretable_sync::add_target(
        &mut fixture.file,
        &TargetSpec {
            name: "wt".to_string(),
            platform: "world_triathlon".to_string(),
            endpoint: standin.base_url(),
            config,
            workouts: vec![TargetWorkout {
                workout_id: fixture.workout_id,
                remote_id: "307158".to_string(),
            }],
        },
    )
    .unwrap();
    fixture.set_secret("wt", "wt-api-key");
}

fn config() -> Value {
    json!({"event_id": "107158", "event_name": "Harbour Sprint", "wetsuit": false,
           "sandbox": true, "air_temp": "28.8", "water_temp": "23.2"})
}

/// Five athletes over two timing points: bib 3 is through point 2 first,
/// bib 1 second; bib 5 only at point 1 (DNF with an incident); bib 2 is
/// disqualified after reaching point 2; bib 4 has nothing.
fn standard_race() -> Fixture {
    let mut fixture = fixture(5, 2);
    fixture.import_with_splits("3", 1_000_000, &[300_000, 600_000]);
    fixture.import_with_splits("1", 1_000_500, &[301_000, 600_200]);
    let workout = fixture.file.workout(fixture.workout_id).unwrap();
    let first_point = workout
        .timing_points
        .iter()
        .find(|p| p.order == 1)
        .unwrap()
        .id;
    let second_point = workout
        .timing_points
        .iter()
        .find(|p| p.order == 2)
        .unwrap()
        .id;
    let five = fixture.file.competitor_by_bib("5").unwrap().unwrap();
    let two = fixture.file.competitor_by_bib("2").unwrap().unwrap();
    fixture
        .file
        .import_results(
            fixture.workout_id,
            Source::Feed,
            "timing",
            &[
                ImportedResult {
                    row: 1,
                    entrant: Entrant::Competitor(five.id),
                    value: ScoreInput::status(Status::Dnf),
                    penalty_ms: 0,
                    splits: vec![scoretable_core::model::Split {
                        timing_point_id: first_point,
                        total_ms: 299_000,
                    }],
                    incidents: vec!["Withdrew from the race due to bike crash.".to_string()],
                    record_id: Some("r5".to_string()),
                    received_at: None,
                },
                ImportedResult {
                    row: 2,
                    entrant: Entrant::Competitor(two.id),
                    value: ScoreInput::status(Status::Dsq),
                    penalty_ms: 0,
                    splits: vec![scoretable_core::model::Split {
                        timing_point_id: second_point,
                        total_ms: 590_000,
                    }],
                    incidents: vec![
                        "15 second penalty for cutting the swim course".to_string(),
                        "DSQ for cutting the swim course".to_string(),
                    ],
                    record_id: Some("r2".to_string()),
                    received_at: None,
                },
            ],
        )
        .unwrap();
    fixture
}

#[test]
fn the_message_carries_every_field_in_the_standard_order() {
    let fixture = standard_race();
    let message = build_message(&fixture.file, fixture.workout_id, "307158", &config()).unwrap();
    assert_eq!(message["num_athletes"], "5");
    assert_eq!(message["status"], "live");
    assert_eq!(message["prog_id"], "307158");
    assert_eq!(message["event_id"], "107158");
    assert_eq!(message["start_time"], "2026-06-01T09:00:00.000Z");
    assert_eq!(message["conditions"]["water_temp"], "23.2");
    assert_eq!(message["latest"]["segment_id"], "3");
    assert_eq!(message["latest"]["segment_name"], "Finish");
    assert_eq!(message["latest"]["num_athletes"], "2");
    let athletes = message["athletes"].as_array().unwrap();
    let order: Vec<&str> = athletes
        .iter()
        .map(|athlete| athlete["start_num"].as_str().unwrap())
        .collect();
    assert_eq!(
        order,
        ["3", "1", "5", "4", "2"],
        "finish, then point 1, then start order, DSQ last"
    );
    let leader = &athletes[0];
    assert_eq!(leader["id"], "90003");
    assert_eq!(leader["time"], "00:16:40.000");
    assert_eq!(leader["difference"], "00:00:00.000");
    assert_eq!(leader["position"], "1");
    assert_eq!(leader["splits"][0]["total_time"], "00:05:00.000");
    assert_eq!(leader["splits"][1]["time"], "00:05:00.000");
    assert_eq!(leader["splits"][2]["name"], "Finish");
    assert_eq!(athletes[1]["difference"], "00:00:00.500");
    assert_eq!(athletes[2]["status"], "DNF");
    assert_eq!(athletes[3]["splits"], Value::Null);
    assert_eq!(athletes[4]["status"], "DSQ");
    // Seed 004: DSQ athletes are listed at the bottom, and their positions
    // agree: bib 2 was fastest at point 2 (9:50) but is disqualified, so it
    // is ranked after bibs 3 and 1 there and moves nobody down.
    assert_eq!(leader["splits"][1]["position"], "1");
    assert_eq!(leader["splits"][1]["difference"], "00:00:00.000");
    assert_eq!(athletes[1]["splits"][1]["position"], "2");
    assert_eq!(athletes[4]["position"], "3");
    assert_eq!(athletes[4]["splits"][0]["position"], "3");
    assert_eq!(athletes[4]["splits"][0]["difference"], "00:00:00.000");
    assert_eq!(
        athletes[4]["incidents"],
        "15 second penalty for cutting the swim course, DSQ for cutting the swim course"
    );
    scoretable_testkit::standin::validate_live_timing(&message).unwrap();

    // Whole seconds round up.
    let mut whole = config();
    whole["whole_seconds"] = json!(true);
    let message = build_message(&fixture.file, fixture.workout_id, "307158", &whole).unwrap();
    assert_eq!(message["athletes"][1]["time"], "00:16:41");
}

#[test]
fn pushes_only_on_change_with_prerace_live_and_official() {
    let mut fixture = fixture(3, 1);
    let standin = TriathlonStandin::start("wt-api-key").unwrap();
    add_target(&mut fixture, &standin, config());
    let options = quick_options();
    drain_target(&mut fixture.file, "wt", &fixture.secrets, &options).unwrap();
    assert_eq!(standin.pushes().len(), 1);
    assert_eq!(standin.latest().unwrap()["status"], "prerace");
    // A write that changes nothing in the message pushes nothing.
    let workout = fixture.file.workout(fixture.workout_id).unwrap();
    fixture.file.update_workout(&workout).unwrap();
    let report = drain_target(&mut fixture.file, "wt", &fixture.secrets, &options).unwrap();
    assert_eq!(report.skipped, 1, "{report:?}");
    assert_eq!(standin.pushes().len(), 1);
    fixture.enter("2", "20:00.0");
    drain_target(&mut fixture.file, "wt", &fixture.secrets, &options).unwrap();
    assert_eq!(standin.latest().unwrap()["status"], "live");
    fixture
        .file
        .set_workout_state(fixture.workout_id, PublicationState::Official)
        .unwrap();
    drain_target(&mut fixture.file, "wt", &fixture.secrets, &options).unwrap();
    let pushes = standin.pushes();
    assert_eq!(pushes.len(), 3);
    assert_eq!(pushes[2].1["status"], "official");
    for pair in pushes.windows(2) {
        assert!(pair[1].0.duration_since(pair[0].0) >= Duration::from_millis(1000));
    }
    assert_eq!(standin.too_frequent(), 0);
}

#[test]
fn a_retry_sends_only_the_latest_message() {
    let mut fixture = fixture(3, 1);
    let standin = TriathlonStandin::start("wt-api-key").unwrap();
    add_target(&mut fixture, &standin, config());
    standin
        .faults
        .push([scoretable_testkit::standin::Fault::TooManyRequests {
            retry_after: "1".to_string(),
        }]);
    let mut options = quick_options();
    options.wait_for_backoff = false;
    fixture.enter("1", "20:00.0");
    let report = drain_target(&mut fixture.file, "wt", &fixture.secrets, &options).unwrap();
    assert!(!report.drained);
    // Meanwhile two more results arrive.
    fixture.enter("2", "20:01.0");
    fixture.enter("3", "20:02.0");
    std::thread::sleep(Duration::from_millis(100));
    options.wait_for_backoff = true;
    let report = drain_target(&mut fixture.file, "wt", &fixture.secrets, &options).unwrap();
    assert!(report.drained, "{report:?}");
    let pushes = standin.pushes();
    assert_eq!(
        pushes.len(),
        1,
        "the failed message is not retried on its own"
    );
    assert_eq!(pushes[0].1["latest"]["num_athletes"], "3");
}

#[test]
fn bursts_coalesce_to_at_most_one_push_per_second() {
    let mut fixture = fixture(250, 1);
    let standin = TriathlonStandin::start("wt-api-key").unwrap();
    add_target(&mut fixture, &standin, config());
    let path = fixture.file.path().to_path_buf();
    let writer = std::thread::spawn(move || {
        let mut file = CompetitionFile::open(&path).unwrap();
        let workout_id = file.workouts().unwrap()[0].id;
        let started = Instant::now();
        // 100 updates per second for 2.5 seconds.
        for index in 1..=250 {
            let due = started + Duration::from_millis(10 * index as u64);
            std::thread::sleep(due.saturating_duration_since(Instant::now()));
            file.enter_score_by_bib(
                workout_id,
                &index.to_string(),
                ScoreInput::score(Score::Time {
                    ms: 1_000_000 + index as i64,
                }),
                "feed",
            )
            .unwrap();
        }
    });
    // Drain as a table's sync loop does, for at least 3.5 s and until the
    // burst is over (on a loaded machine the writer's 250 fsync'd writes can
    // take longer than the 2.5 s they are spread over).
    let started = Instant::now();
    while !writer.is_finished() || started.elapsed() < Duration::from_millis(3500) {
        drain_target(&mut fixture.file, "wt", &fixture.secrets, &quick_options()).unwrap();
        std::thread::sleep(Duration::from_millis(20));
    }
    writer.join().unwrap();
    drain_target(&mut fixture.file, "wt", &fixture.secrets, &quick_options()).unwrap();
    let elapsed = started.elapsed();
    let pushes = standin.pushes();
    assert_eq!(standin.too_frequent(), 0);
    for pair in pushes.windows(2) {
        assert!(pair[1].0.duration_since(pair[0].0) >= Duration::from_millis(1000));
    }
    // Coalesced: at most one push a second of the run (plus the first), not
    // one per update; and not held back until the end: at least one push
    // while the burst went on, then the final one.
    let most = elapsed.as_secs() as usize + 2;
    assert!(
        pushes.len() >= 2 && pushes.len() <= most,
        "{} pushes in {elapsed:?} (2 to {most} expected)",
        pushes.len()
    );
    assert!(
        pushes[0].1["latest"]["num_athletes"] != "250",
        "the first push came only after the burst"
    );
    assert_eq!(pushes.last().unwrap().1["latest"]["num_athletes"], "250");
}

/// A relay of four members with a para athlete, through two of four
/// timing points, then DNF.
fn relay_race() -> Fixture {
    let mut fixture = fixture(4, 4);
    let mut workout = fixture.file.workout(fixture.workout_id).unwrap();
    workout.team_scoring = TeamScoring::TeamChip;
    workout.heats.clear();
    fixture.file.update_workout(&workout).unwrap();
    let team_id = fixture
        .file
        .add_team(&Team {
            id: 0,
            name: "Team GBR I".to_string(),
            bib: Some("R1".to_string()),
            country: Some("GBR".to_string()),
            division_ids: vec![],
            members: fixture
                .competitor_ids
                .iter()
                .enumerate()
                .map(|(index, id)| TeamMember {
                    competitor_id: *id,
                    order: index as u32 + 1,
                })
                .collect(),
            external_ids: ExternalIds {
                triathlon_athlete_id: Some("1234".to_string()),
                ..ExternalIds::default()
            },
        })
        .unwrap();
    let points: Vec<_> = {
        let mut points = workout.timing_points.clone();
        points.sort_by_key(|point| point.order);
        points
    };
    fixture
        .file
        .import_results(
            fixture.workout_id,
            Source::Feed,
            "timing",
            &[ImportedResult {
                row: 1,
                entrant: Entrant::Team(team_id),
                value: ScoreInput::status(Status::Dnf),
                penalty_ms: 0,
                splits: vec![
                    scoretable_core::model::Split {
                        timing_point_id: points[0].id,
                        total_ms: 500_000,
                    },
                    scoretable_core::model::Split {
                        timing_point_id: points[1].id,
                        total_ms: 1_000_000,
                    },
                ],
                incidents: vec![],
                record_id: Some("team".to_string()),
                received_at: None,
            }],
        )
        .unwrap();
    let mut para = fixture.file.competitor_by_bib("1").unwrap().unwrap();
    para.para_class = Some("PTWC1".to_string());
    fixture.file.update_competitor(&para).unwrap();
    fixture
}

#[test]
fn relay_teams_carry_their_athletes_and_para_fields_appear() {
    let fixture = relay_race();
    let mut relay_config = config();
    relay_config["segments_per_leg"] = json!(1);
    let message =
        build_message(&fixture.file, fixture.workout_id, "307248", &relay_config).unwrap();
    assert_eq!(message["num_teams"], "1");
    assert!(message.get("num_athletes").is_none());
    assert_eq!(message["latest"]["num_teams"], "1");
    let team = &message["teams"][0];
    assert_eq!(team["id"], "1234");
    assert_eq!(team["athletes"].as_array().unwrap().len(), 4);
    assert_eq!(team["athletes"][0]["team_order"], "1");
    assert_eq!(team["athletes"][0]["splits"][0]["id"], "1");
    assert_eq!(team["athletes"][1]["splits"][0]["id"], "2");
    assert_eq!(team["athletes"][2]["splits"], Value::Null);
    scoretable_testkit::standin::validate_live_timing(&message).unwrap();

    // An individual race with a para athlete carries the paratriathlon object.
    let fixture = support::fixture(2, 1);
    let mut para = fixture.file.competitor_by_bib("2").unwrap().unwrap();
    para.para_class = Some("PTVI1".to_string());
    let mut fixture = fixture;
    fixture.file.update_competitor(&para).unwrap();
    let message = build_message(&fixture.file, fixture.workout_id, "1", &config()).unwrap();
    let athlete = message["athletes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|athlete| athlete["start_num"] == "2")
        .unwrap();
    assert_eq!(athlete["paratriathlon"]["class"], "PTVI1");
}

#[test]
fn the_stand_in_refuses_what_the_standard_forbids() {
    let standin = TriathlonStandin::start("wt-api-key").unwrap();
    let client = reqwest::blocking::Client::new();
    let good = json!({"date": "2017-03-04T18:25:11+04:00", "event_id": "1", "prog_id": "2",
        "prog_name": "Elite Men", "status": "live", "num_athletes": "1",
        "athletes": [{"id": "5695", "start_num": "26", "name": "A B", "status": null,
                      "incidents": null, "splits": null}]});
    let post = |body: String, content_type: &str, key: &str| {
        client
            .post(format!("{}/v1/timing", standin.base_url()))
            .header("Content-Type", content_type)
            .header("apikey", key)
            .body(body)
            .send()
            .unwrap()
            .status()
            .as_u16()
    };
    assert_eq!(post(good.to_string(), "text/plain", "wt-api-key"), 415);
    assert_eq!(post(good.to_string(), "application/json", "wrong"), 401);
    let mut mismatch = good.clone();
    mismatch["num_athletes"] = json!("2");
    assert_eq!(
        post(mismatch.to_string(), "application/json", "wt-api-key"),
        400
    );
    let mut bad_status = good.clone();
    bad_status["status"] = json!("running");
    assert_eq!(
        post(bad_status.to_string(), "application/json", "wt-api-key"),
        400
    );
    assert_eq!(
        post(good.to_string(), "application/json", "wt-api-key"),
        200
    );
    assert_eq!(
        post(good.to_string(), "application/json", "wt-api-key"),
        429
    );
    assert_eq!(standin.too_frequent(), 1);
}

#[test]
fn the_hosted_file_serves_the_latest_message() {
    let mut fixture = fixture(2, 1);
    let feed = HostedFeed::default();
    let server = feed.serve("127.0.0.1:0").unwrap();
    let url = format!("http://{}/307158.json", server.address());
    assert_eq!(reqwest::blocking::get(&url).unwrap().status().as_u16(), 404);
    scoretable_sync::add_target(
        &mut fixture.file,
        &TargetSpec {
            name: "wt-hosted".to_string(),
            platform: "world_triathlon".to_string(),
            endpoint: "http://127.0.0.1:9".to_string(),
            config: json!({"delivery": "hosted", "event_id": "1"}),
            workouts: vec![TargetWorkout {
                workout_id: fixture.workout_id,
                remote_id: "307158".to_string(),
            }],
        },
    )
    .unwrap();
    fixture.enter("1", "20:00.0");
    let mut options = quick_options();
    options.hosted_feed = Some(feed.clone());
    let report = drain_target(&mut fixture.file, "wt-hosted", &fixture.secrets, &options).unwrap();
    assert!(report.drained, "{report:?}");
    let response = reqwest::blocking::get(&url).unwrap();
    assert_eq!(
        response.headers()["content-type"].to_str().unwrap(),
        "application/json"
    );
    let message: Value = response.json().unwrap();
    assert_eq!(message["status"], "live");
    assert_eq!(message["num_athletes"], "2");
}

/// The message's content (everything but `date`) as `build_message` gave it
/// before it was written straight out (golden files made with the
/// `serde_json::Value` builder; `SCORETABLE_UPDATE_GOLDEN=1` rewrites them):
/// every key, value, order and escape is the same.
#[test]
fn the_message_content_matches_the_golden_files() {
    let mut fixture = standard_race();
    // Escapes and non-ASCII in a name.
    let mut named = fixture.file.competitor_by_bib("1").unwrap().unwrap();
    named.first_name = "Zo\u{eb} \"Ace\" O\\Neil".to_string();
    named.para_class = Some("PTS4".to_string());
    fixture.file.update_competitor(&named).unwrap();
    let mut whole = config();
    whole["whole_seconds"] = json!(true);
    let relay = relay_race();
    let mut relay_config = config();
    relay_config["segments_per_leg"] = json!(1);
    relay_config["start_time"] = json!("2026-06-01T10:00:00Z");
    let cases = [
        ("standard", &fixture, config()),
        ("whole_seconds", &fixture, whole),
        ("relay", &relay, relay_config),
    ];
    for (name, fixture, config) in cases {
        let mut message =
            build_message(&fixture.file, fixture.workout_id, "307158", &config).unwrap();
        message.as_object_mut().unwrap().remove("date");
        let text = serde_json::to_string_pretty(&message).unwrap() + "\n";
        assert_golden(name, &text);
    }
}

/// The text written straight out is the text `serde_json` writes for the
/// message's value (compact, keys sorted, the same escapes), so with the
/// golden files above it is byte for byte the text of the old `Value`
/// builder; and the digest hashed from the text is the value's digest.
#[test]
fn the_message_text_is_what_serde_json_writes_for_it() {
    let mut fixture = standard_race();
    let mut named = fixture.file.competitor_by_bib("4").unwrap().unwrap();
    named.last_name = "\"Quote\" \\ Backslash \u{1F3CA}".to_string();
    fixture.file.update_competitor(&named).unwrap();
    let mut whole = config();
    whole["whole_seconds"] = json!(true);
    let relay = relay_race();
    let mut relay_config = config();
    relay_config["segments_per_leg"] = json!(1);
    let empty = support::fixture(3, 2);
    for (fixture, config) in [
        (&fixture, config()),
        (&fixture, whole),
        (&relay, relay_config),
        (&empty, json!({})),
    ] {
        let message = render_message(&fixture.file, fixture.workout_id, "307158", &config).unwrap();
        let value: Value = serde_json::from_str(message.text()).unwrap();
        assert_eq!(message.text(), value.to_string());
        assert_eq!(message.content_digest(), content_digest(&value));
        assert_eq!(message.to_value().unwrap(), value);
    }
}

/// One imported result with a penalty, splits at points 1.. and incidents.
fn import_one(
    fixture: &mut Fixture,
    bib: &str,
    value: ScoreInput,
    penalty_ms: i64,
    splits: &[i64],
    incidents: &[&str],
) {
    let workout = fixture.file.workout(fixture.workout_id).unwrap();
    let mut points = workout.timing_points.clone();
    points.sort_by_key(|point| point.order);
    let competitor = fixture.file.competitor_by_bib(bib).unwrap().unwrap();
    fixture
        .file
        .import_results(
            fixture.workout_id,
            Source::Feed,
            "timing",
            &[ImportedResult {
                row: 1,
                entrant: Entrant::Competitor(competitor.id),
                value,
                penalty_ms,
                splits: splits
                    .iter()
                    .zip(points.iter())
                    .map(|(ms, point)| scoretable_core::model::Split {
                        timing_point_id: point.id,
                        total_ms: *ms,
                    })
                    .collect(),
                incidents: incidents.iter().map(|text| text.to_string()).collect(),
                record_id: Some(format!("rec-{bib}")),
                received_at: None,
            }],
        )
        .unwrap();
}

/// Nine athletes over three timing points, ranked to the next full second:
/// bibs 1, 2 and 3 finish level once rounded (3 through a penalty), bib 4's
/// time is amended to the best, bib 9 has a result but no lane and no
/// country, bib 5 is lapped, bib 6 has a lane only, bibs 7 and 8 neither.
fn ties_and_penalties_race() -> Fixture {
    let mut fixture = fixture(9, 3);
    let mut workout = fixture.file.workout(fixture.workout_id).unwrap();
    workout.rounding = scoretable_core::model::Rounding::Up { unit_ms: 1000 };
    workout.heats[0].lanes.truncate(6);
    fixture.file.update_workout(&workout).unwrap();
    let time = |ms: i64| ScoreInput::score(Score::Time { ms });
    import_one(
        &mut fixture,
        "1",
        time(1_000_400),
        0,
        &[300_000, 600_000, 800_000],
        &[],
    );
    import_one(
        &mut fixture,
        "2",
        time(1_000_100),
        0,
        &[300_000, 600_400, 800_100],
        &[],
    );
    import_one(
        &mut fixture,
        "3",
        time(999_000),
        2_000,
        &[299_500, 601_000],
        &["2 second penalty: littering"],
    );
    import_one(&mut fixture, "4", time(1_100_000), 0, &[310_000], &[]);
    import_one(
        &mut fixture,
        "9",
        time(1_200_000),
        0,
        &[320_000, 640_000, 900_000],
        &["Warned for drafting", "Yellow card"],
    );
    import_one(
        &mut fixture,
        "5",
        ScoreInput::status(Status::Lap),
        0,
        &[330_000],
        &[],
    );
    let four = fixture.file.competitor_by_bib("4").unwrap().unwrap();
    fixture
        .file
        .amend_score(
            fixture.workout_id,
            Entrant::Competitor(four.id),
            "16:30",
            "referee",
            "timing mat fault",
            None,
        )
        .unwrap();
    let mut nine = fixture.file.competitor_by_bib("9").unwrap().unwrap();
    nine.country = None;
    nine.external_ids.triathlon_athlete_id = None;
    fixture.file.update_competitor(&nine).unwrap();
    fixture
}

/// A team workout scored as the sum of every member's time: team A's three
/// members all finished, team B's third member has not (a partial sum).
fn team_sum_race() -> Fixture {
    let mut fixture = fixture(6, 2);
    let mut workout = fixture.file.workout(fixture.workout_id).unwrap();
    workout.team_scoring = TeamScoring::SumAll;
    workout.heats.clear();
    fixture.file.update_workout(&workout).unwrap();
    for (name, bib, members) in [("Team A", "TA", [0, 1, 2]), ("Team B", "TB", [3, 4, 5])] {
        fixture
            .file
            .add_team(&Team {
                id: 0,
                name: name.to_string(),
                bib: Some(bib.to_string()),
                country: Some("GBR".to_string()),
                division_ids: vec![],
                members: members
                    .iter()
                    .enumerate()
                    .map(|(order, index)| TeamMember {
                        competitor_id: fixture.competitor_ids[*index],
                        order: order as u32 + 1,
                    })
                    .collect(),
                external_ids: ExternalIds::default(),
            })
            .unwrap();
    }
    for (bib, ms) in [
        ("1", 600_000),
        ("2", 610_000),
        ("3", 620_000),
        ("4", 500_000),
        ("5", 505_000),
    ] {
        import_one(
            &mut fixture,
            bib,
            ScoreInput::score(Score::Time { ms }),
            0,
            &[ms / 2],
            &[],
        );
    }
    fixture
}

/// More golden files written before the message was rendered from the
/// store's live-timing read (`SCORETABLE_UPDATE_GOLDEN=1` rewrites them):
/// ties at points and at the finish once times are rounded, a penalty, an
/// amended time, an athlete with a result but no lane, lanes without
/// results, a lapped athlete, and a team workout summed from its members'
/// results (partial team included).
#[test]
fn the_message_content_matches_the_golden_files_for_ties_penalties_and_team_sums() {
    let ties = ties_and_penalties_race();
    let mut whole = config();
    whole["whole_seconds"] = json!(true);
    let teams = team_sum_race();
    let cases = [
        ("ties_penalties", &ties, config()),
        ("ties_penalties_whole_seconds", &ties, whole),
        ("team_sum", &teams, config()),
    ];
    for (name, fixture, config) in cases {
        let rendered =
            render_message(&fixture.file, fixture.workout_id, "307158", &config).unwrap();
        let mut message: Value = serde_json::from_str(rendered.text()).unwrap();
        assert_eq!(rendered.text(), message.to_string());
        message.as_object_mut().unwrap().remove("date");
        let text = serde_json::to_string_pretty(&message).unwrap() + "\n";
        assert_golden(name, &text);
    }
}

/// `text` equals the golden file `tests/it/golden/live_timing_<name>.json`
/// (written anew when `SCORETABLE_UPDATE_GOLDEN` is set).
fn assert_golden(name: &str, text: &str) {
    let golden_dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/it/golden");
    let path = golden_dir.join(format!("live_timing_{name}.json"));
    if std::env::var_os("SCORETABLE_UPDATE_GOLDEN").is_some() {
        std::fs::create_dir_all(&golden_dir).unwrap();
        std::fs::write(&path, text).unwrap();
    }
    let golden = std::fs::read_to_string(&path).unwrap();
    assert_eq!(
        text,
        golden,
        "{name}: the message differs from {}",
        path.display()
    );
}
