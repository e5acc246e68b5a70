//! The kill -9 harness: `scoretable sync` is killed with SIGKILL at random
//! moments and aborted at its failpoints (after a claim commits and before the
//! request goes out; after the platform answered and before the answer is
//! stored), more than 100 times, while results keep changing. A final clean
//! drain must leave every result at the RunSignup stand-in exactly once with
//! its latest value: nothing lost, nothing duplicated.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use scoretable_core::model::{Competition, Competitor, Entrant, ExternalIds, ScoreType};
use scoretable_store::{CompetitionFile, ScoreInput, TargetWorkout};
use scoretable_sync::TargetSpec;
use scoretable_testkit::crash;
use scoretable_testkit::standin::{Fault, Registration, RunSignupStandin};
use serde_json::json;

const ATHLETES: usize = 24;

fn set_up(path: &Path, endpoint: &str) -> i64 {
    set_up_with(path, endpoint, ATHLETES)
}

fn set_up_with(path: &Path, endpoint: &str, athletes: usize) -> i64 {
    set_up_for(path, endpoint, athletes, "runsignup", "42")
}

/// The file with `athletes` registered competitors, one time workout, and
/// target `rsu` of `platform` sending it as the platform's `remote_id`.
fn set_up_for(
    path: &Path,
    endpoint: &str,
    athletes: usize,
    platform: &str,
    remote_id: &str,
) -> i64 {
    let mut file = CompetitionFile::create(
        path,
        &Competition {
            name: "Crash Cup".to_string(),
            slug: "crash-cup".to_string(),
            start_date: "2026-07-01".to_string(),
            end_date: "2026-07-01".to_string(),
            venue: String::new(),
            country: "GBR".to_string(),
            organiser: String::new(),
            time_zone: "UTC".to_string(),
        },
    )
    .unwrap();
    for index in 1..=athletes {
        file.add_competitor(&Competitor {
            external_ids: ExternalIds {
                runsignup_registration_id: Some(format!("{}", 7000 + index)),
                ..ExternalIds::default()
            },
            ..scoretable_testkit::fixtures::competitor(index.to_string(), format!("A{index}"), "B")
        })
        .unwrap();
    }
    let workout_id = file
        .add_workout(&scoretable_testkit::fixtures::workout(
            "10k",
            1,
            ScoreType::Time,
        ))
        .unwrap();
    scoretable_sync::add_target(
        &mut file,
        &TargetSpec {
            name: "rsu".to_string(),
            platform: platform.to_string(),
            endpoint: endpoint.to_string(),
            config: json!({"race_id": "555"}),
            workouts: vec![TargetWorkout {
                workout_id,
                remote_id: remote_id.to_string(),
            }],
        },
    )
    .unwrap();
    file.close().unwrap();
    workout_id
}

fn sync_command(path: &Path, failpoint: Option<&str>) -> Command {
    sync_command_with(
        path,
        failpoint,
        &[
            "--batch-size",
            "3",
            "--request-timeout-ms",
            "1500",
            "--late-landing-ms",
            "200",
            "--timeout-secs",
            "30",
        ],
    )
}

/// `scoretable --file PATH sync --backoff-base-ms 5 ARGS...`.
fn sync_command_with(path: &Path, failpoint: Option<&str>, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_scoretable"));
    command
        .args(["--file"])
        .arg(path)
        .args(["sync", "--backoff-base-ms", "5"])
        .args(args)
        .env("SCORETABLE_SYNC_SECRET_RSU", "crash-key:crash-secret")
        .env("SCORETABLE_SYNC_SECRET_OT", "timer@example.org:pa55word")
        .env("SCORETABLE_SYNC_SECRET_TRI", "timer-key")
        .env("SCORETABLE_SECRET_BACKEND", "file")
        .env("SCORETABLE_SECRETS_DIR", path.with_extension("secrets"))
        .env_remove(crash::FAILPOINT)
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    if let Some(failpoint) = failpoint {
        command.env(crash::FAILPOINT, failpoint);
    }
    command
}

/// One `scoretable sync` run of the repeated-kill tests. With a failpoint
/// the process aborts itself there (or finishes when there was nothing to
/// send) and gets SIGKILL if it lingers; without one it gets SIGKILL at a
/// random moment in its first 300 ms.
fn run_once(path: &Path, failpoint: Option<&str>, rng: &mut fastrand::Rng) {
    let mut child = sync_command(path, failpoint).spawn().unwrap();
    match failpoint {
        Some(_) => {
            crash::run_or_kill(&mut child, Duration::from_secs(10));
        }
        None => crash::kill_after(child, Duration::from_millis(rng.u64(0..300))),
    }
}

/// Every fault the event-size tests draw from: server errors, a rate limit,
/// resets, lost and late answers to applied requests, slow answers.
fn every_fault() -> Vec<Fault> {
    vec![
        Fault::Status(500),
        Fault::Status(503),
        Fault::TooManyRequests {
            retry_after: "1".to_string(),
        },
        Fault::Reset,
        Fault::AppliedResponseLost,
        Fault::AppliedAnswerLate(Duration::from_millis(1700)),
        Fault::Slow(Duration::from_millis(1700)),
    ]
}

/// Imports one time result for every competitor of the file (30:00.0 plus
/// 0.3 s per competitor, in import order), as a timing file would.
fn import_a_time_for_everyone(path: &Path, workout_id: i64) {
    use scoretable_core::model::{Score, Source};
    use scoretable_store::ImportedResult;

    let mut file = CompetitionFile::open(path).unwrap();
    let competitors = file.competitors().unwrap();
    let records: Vec<ImportedResult> = competitors
        .iter()
        .enumerate()
        .map(|(index, competitor)| ImportedResult {
            row: index as u64 + 1,
            entrant: Entrant::Competitor(competitor.id),
            value: ScoreInput::score(Score::Time {
                ms: 1_800_000 + index as i64 * 300,
            }),
            penalty_ms: 0,
            splits: vec![],
            incidents: vec![],
            record_id: None,
            received_at: None,
        })
        .collect();
    file.import_results(workout_id, Source::File, "timing", &records)
        .unwrap();
    file.close().unwrap();
}

/// Starts `scoretable sync` with `args` `kills` times, each SIGKILLed after a
/// random wait in `wait_ms` (seeded).
fn kill_repeatedly(
    path: &Path,
    args: &[&str],
    kills: usize,
    wait_ms: std::ops::Range<u64>,
    seed: u64,
) {
    let mut rng = fastrand::Rng::with_seed(seed);
    for _ in 0..kills {
        let child = sync_command_with(path, None, args).spawn().unwrap();
        crash::kill_after(child, Duration::from_millis(rng.u64(wait_ms.clone())));
    }
}

/// One undisturbed `scoretable sync` with `args`, which must succeed; its
/// standard output.
fn final_drain(path: &Path, args: &[&str]) -> String {
    let output = sync_command_with(path, None, args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "final drain exited with {}: {}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// RunSignup's time text for whole tenths below an hour.
fn runsignup_text(ms: i64) -> String {
    format!(
        "{}:{:02}.{}",
        ms / 60_000,
        (ms / 1000) % 60,
        (ms % 1000) / 100
    )
}

#[test]
fn sync_survives_more_than_100_kills_without_losing_or_duplicating() {
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("crash.scoretable");
    let standin = RunSignupStandin::start("555", "crash-key", "crash-secret").unwrap();
    standin.add_registrations((1..=ATHLETES).map(|index| Registration {
        registration_id: format!("{}", 7000 + index),
        bib: index.to_string(),
        chip: None,
    }));
    // Some requests are applied but their answer never arrives.
    standin.faults.random(
        0.1,
        vec![Fault::AppliedResponseLost, Fault::Status(503), Fault::Reset],
        11,
    );
    let workout_id = set_up(&path, &standin.base_url());
    let mut expected: BTreeMap<String, i64> = BTreeMap::new();
    let mut rng = fastrand::Rng::with_seed(2026);
    let started = Instant::now();
    let mut kills = 0;
    for iteration in 0..105 {
        // Change some results between runs: new entries and amendments.
        {
            let mut file = CompetitionFile::open(&path).unwrap();
            for _ in 0..2 {
                let bib = rng.usize(1..=ATHLETES).to_string();
                let ms = 1_800_000 + rng.i64(0..600) * 100;
                if expected.contains_key(&bib) {
                    let competitor = file.competitor_by_bib(&bib).unwrap().unwrap();
                    file.amend_score(
                        workout_id,
                        Entrant::Competitor(competitor.id),
                        &runsignup_text(ms),
                        "referee",
                        "chip time review",
                        None,
                    )
                    .unwrap();
                } else {
                    file.enter_score_by_bib(
                        workout_id,
                        &bib,
                        ScoreInput::text(runsignup_text(ms)),
                        "table",
                    )
                    .unwrap();
                }
                expected.insert(bib, ms);
            }
            file.close().unwrap();
        }
        let failpoint = match iteration % 3 {
            0 => Some("after_commit_before_send"),
            1 => Some("after_send_before_ack"),
            _ => None,
        };
        run_once(&path, failpoint, &mut rng);
        kills += 1;
    }
    assert!(kills >= 100);
    // Drain to completion with no failpoint and no faults.
    standin.faults.clear();
    let status = sync_command(&path, None).status().unwrap();
    assert!(status.success(), "final drain exited with {status}");

    let file = CompetitionFile::open(&path).unwrap();
    let target = file.sync_target("rsu").unwrap();
    let counts = file.outbox_counts(target.id).unwrap();
    assert_eq!(
        (counts.queued, counts.sending, counts.rejected),
        (0, 0, 0),
        "{counts:?}"
    );
    let duplicates = standin.duplicates();
    assert!(duplicates.is_empty(), "duplicated: {duplicates:?}");
    let results = standin.results();
    assert_eq!(results.len(), expected.len(), "lost results");
    for (bib, ms) in &expected {
        let row = results
            .iter()
            .find(|row| row.bib.as_deref() == Some(bib.as_str()))
            .unwrap_or_else(|| panic!("bib {bib} lost"));
        assert_eq!(row.fields["clock_time"], runsignup_text(*ms), "bib {bib}");
    }
    eprintln!(
        "{kills} kills, {} results, {} posts, {:?}",
        expected.len(),
        standin.posts(),
        started.elapsed()
    );
}

/// RunSignup virtual results (user-submitted results of a virtual event):
/// `scoretable sync` aborted at both failpoints and SIGKILLed at random
/// moments 60 times while results change, with answers lost after the
/// change was applied, 503s and resets. The final drain leaves every
/// athlete's latest time on the platform (an older request landing late
/// must not win), nothing queued, in flight or rejected.
#[test]
fn runsignup_virtual_results_survive_repeated_kills() {
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("virtual.scoretable");
    let standin = RunSignupStandin::start("555", "crash-key", "crash-secret").unwrap();
    standin.add_registrations((1..=ATHLETES).map(|index| Registration {
        registration_id: format!("{}", 7000 + index),
        bib: index.to_string(),
        chip: None,
    }));
    standin.add_virtual_event("9001", false);
    standin.faults.random(
        0.1,
        vec![Fault::AppliedResponseLost, Fault::Status(503), Fault::Reset],
        17,
    );
    let workout_id = set_up_for(
        &path,
        &standin.base_url(),
        ATHLETES,
        "runsignup_virtual",
        "9001",
    );
    let virtual_text = |ms: i64| {
        format!(
            "{:02}:{:02}:{:02}.{}",
            ms / 3_600_000,
            (ms / 60_000) % 60,
            (ms / 1000) % 60,
            (ms % 1000) / 100
        )
    };
    let mut expected: BTreeMap<String, i64> = BTreeMap::new();
    let mut rng = fastrand::Rng::with_seed(2027);
    let mut kills = 0;
    for iteration in 0..60 {
        {
            let mut file = CompetitionFile::open(&path).unwrap();
            for _ in 0..2 {
                let bib = rng.usize(1..=ATHLETES).to_string();
                let ms = 1_800_000 + rng.i64(0..600) * 100;
                if expected.contains_key(&bib) {
                    let competitor = file.competitor_by_bib(&bib).unwrap().unwrap();
                    file.amend_score(
                        workout_id,
                        Entrant::Competitor(competitor.id),
                        &runsignup_text(ms),
                        "referee",
                        "GPS track review",
                        None,
                    )
                    .unwrap();
                } else {
                    file.enter_score_by_bib(
                        workout_id,
                        &bib,
                        ScoreInput::text(runsignup_text(ms)),
                        "table",
                    )
                    .unwrap();
                }
                expected.insert(bib, ms);
            }
            file.close().unwrap();
        }
        let failpoint = match iteration % 3 {
            0 => Some("after_commit_before_send"),
            1 => Some("after_send_before_ack"),
            _ => None,
        };
        run_once(&path, failpoint, &mut rng);
        kills += 1;
    }
    standin.faults.clear();
    let status = sync_command(&path, None).status().unwrap();
    assert!(status.success(), "final drain exited with {status}");
    let file = CompetitionFile::open(&path).unwrap();
    let target = file.sync_target("rsu").unwrap();
    let counts = file.outbox_counts(target.id).unwrap();
    assert_eq!(
        (counts.queued, counts.sending, counts.rejected),
        (0, 0, 0),
        "{counts:?}"
    );
    let stored = standin.virtual_results();
    assert_eq!(stored.len(), expected.len(), "lost virtual results");
    for (bib, ms) in &expected {
        let key = (
            "9001".to_string(),
            format!("{}", 7000 + bib.parse::<usize>().unwrap()),
        );
        let row = stored.get(&key).unwrap_or_else(|| panic!("bib {bib} lost"));
        assert_eq!(row["clock_time"], virtual_text(*ms), "bib {bib}");
    }
    eprintln!(
        "virtual: {kills} kills, {} results, {} posts",
        expected.len(),
        standin.posts()
    );
}

/// Event size: 3,000 results (30 of them for registrations RunSignup does
/// not know), faults on 15% of requests (500, 503, 429 + Retry-After, reset,
/// applied but answer lost, answer later than the client's timeout, request
/// applied after the client gave up), get-results paged by 250, answers in
/// every shape, and `scoretable sync` SIGKILLed 10 times at random moments.
/// Then a clean drain: every valid result exactly once, only the 30 invalid
/// rows rejected, nothing queued or in flight.
#[test]
fn three_thousand_results_survive_repeated_kills_and_every_fault() {
    use scoretable_testkit::standin::PostAnswer;

    let athletes = 3000;
    let invalid = |index: usize| index % 100 == 42;
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("event.scoretable");
    let standin = RunSignupStandin::start("555", "crash-key", "crash-secret").unwrap();
    standin.add_registrations(
        (1..=athletes)
            .filter(|index| !invalid(*index))
            .map(|index| Registration {
                registration_id: format!("{}", 7000 + index),
                bib: index.to_string(),
                chip: None,
            }),
    );
    standin.set_max_results_per_page(250);
    standin.set_post_answer(PostAnswer::Rotate);
    standin.faults.random(0.15, every_fault(), 16);
    let workout_id = set_up_with(&path, &standin.base_url(), athletes);
    import_a_time_for_everyone(&path, workout_id);
    // Requests time out after 1.5 s; a request may still land 1 s later.
    let timing = [
        "--batch-size",
        "500",
        "--request-timeout-ms",
        "1500",
        "--late-landing-ms",
        "1000",
        "--timeout-secs",
        "120",
    ];
    kill_repeatedly(&path, &timing, 10, 200..2500, 3000);
    standin.faults.clear();
    let summary = final_drain(&path, &timing);
    eprintln!("final drain: {summary}");

    let file = CompetitionFile::open(&path).unwrap();
    let target = file.sync_target("rsu").unwrap();
    let counts = file.outbox_counts(target.id).unwrap();
    let bad = (1..=athletes).filter(|index| invalid(*index)).count() as u64;
    assert_eq!(
        (counts.queued, counts.sending, counts.rejected),
        (0, 0, bad),
        "{counts:?}"
    );
    let duplicates = standin.duplicates();
    assert!(duplicates.is_empty(), "{} duplicated", duplicates.len());
    assert_eq!(
        standin.results().len() as u64,
        athletes as u64 - bad,
        "lost results"
    );
    eprintln!(
        "3000 results, 10 kills: {} posts, {} get-results pages",
        standin.posts(),
        standin.get_requests()
    );
}

/// OpenTrack and World Triathlon at event size: 3,000 results, faults on
/// 20% of requests, `scoretable sync` SIGKILLed 8 times at random moments,
/// then a clean drain: one OpenTrack competition (never a second create)
/// holding all 3,000 results, the latest Live Timing message listing all
/// 3,000 athletes, nothing refused, nothing queued or in flight.
#[test]
fn opentrack_and_live_timing_at_event_size_survive_repeated_kills() {
    use scoretable_testkit::standin::{OpenTrackStandin, TriathlonStandin};

    let athletes = 3000;
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("event.scoretable");
    let opentrack = OpenTrackStandin::start("timer@example.org", "pa55word").unwrap();
    let triathlon = TriathlonStandin::start("timer-key").unwrap();
    opentrack.faults.random(0.2, every_fault(), 21);
    triathlon.faults.random(0.2, every_fault(), 22);
    // The RunSignup target of set_up_with points nowhere and is removed.
    let workout_id = set_up_with(&path, "http://127.0.0.1:9", athletes);
    {
        let mut file = CompetitionFile::open(&path).unwrap();
        file.remove_sync_target("rsu").unwrap();
        scoretable_sync::add_target(
            &mut file,
            &TargetSpec {
                name: "ot".to_string(),
                platform: "opentrack".to_string(),
                endpoint: opentrack.base_url(),
                config: json!({"organiser_id": "6b2af700-0481-4f73-b9ae-8221ae619b55",
                           "event_codes": {workout_id.to_string(): "10K"}}),
                workouts: vec![TargetWorkout {
                    workout_id,
                    remote_id: "T1".to_string(),
                }],
            },
        )
        .unwrap();
        scoretable_sync::add_target(
            &mut file,
            &TargetSpec {
                name: "tri".to_string(),
                platform: "world_triathlon".to_string(),
                endpoint: triathlon.base_url(),
                config: json!({"event_id": "107158"}),
                workouts: vec![TargetWorkout {
                    workout_id,
                    remote_id: "307158".to_string(),
                }],
            },
        )
        .unwrap();
        file.close().unwrap();
    }
    import_a_time_for_everyone(&path, workout_id);
    let timing = [
        "--request-timeout-ms",
        "1500",
        "--late-landing-ms",
        "1000",
        "--timeout-secs",
        "120",
    ];
    kill_repeatedly(&path, &timing, 8, 200..3000, 3001);
    opentrack.faults.clear();
    triathlon.faults.clear();
    final_drain(&path, &timing);
    let file = CompetitionFile::open(&path).unwrap();
    for name in ["ot", "tri"] {
        let target = file.sync_target(name).unwrap();
        let counts = file.outbox_counts(target.id).unwrap();
        assert_eq!(
            (counts.queued, counts.sending, counts.rejected),
            (0, 0, 0),
            "{name}: {counts:?}"
        );
    }
    assert_eq!(opentrack.creates(), 1, "{:?}", opentrack.rejections());
    let competitions = opentrack.competitions();
    assert_eq!(competitions.len(), 1);
    let results: usize = competitions[0]["events"][0]["units"]
        .as_array()
        .unwrap()
        .iter()
        .map(|unit| unit["results"].as_array().unwrap().len())
        .sum();
    assert_eq!(results, athletes);
    let latest = triathlon.latest().expect("a Live Timing message arrived");
    assert_eq!(latest["athletes"].as_array().unwrap().len(), athletes);
    assert!(
        triathlon.rejections().is_empty(),
        "{:?}",
        triathlon.rejections()
    );
}
