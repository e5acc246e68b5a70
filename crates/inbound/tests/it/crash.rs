//! The kill -9 harness for inbound writes: a child process runs a poll, a
//! conflict acceptance or a review assignment against a real competition
//! file and stops at one failpoint (`SCORETABLE_FAILPOINT`, see
//! `scoretable_store::INBOUND_FAILPOINTS`), between two writes; the test
//! sends it SIGKILL there. The file must then hold either the state before
//! the call or the state after it, and a source value that changes next must
//! always come back as a conflict (or, for a value never acknowledged, as a
//! plain first import), never be swallowed as "already imported".

use crate::support;

use scoretable_testkit::crash;

use std::path::{Path, PathBuf};
use std::time::Duration;

use scoretable_core::model::{Entrant, Score};
use scoretable_inbound::{poll_once, save_mapping, Backoff, FieldMapping, HttpFetcher};
use scoretable_store::{CompetitionFile, ConflictState, NewConnection, INBOUND_FAILPOINTS};
use scoretable_testkit::http::{Reply, ScriptedServer};
use support::{fixture, seed_payload};

const CHILD_FILE: &str = "SCORETABLE_CRASH_CHILD_FILE";
const CHILD_MODE: &str = "SCORETABLE_CRASH_CHILD_MODE";

fn poll(file: &mut CompetitionFile) -> scoretable_inbound::PollOutcome {
    let mut fetcher = HttpFetcher::new(Duration::from_secs(5)).unwrap();
    let mut backoff = Backoff::new(Duration::from_millis(100), Duration::from_millis(400), 1);
    poll_once(file, "timing", &mut fetcher, &mut backoff, None).unwrap()
}

/// The child: one inbound call on the file, stopping at the failpoint.
#[test]
#[ignore = "the crash tests run this as their child process"]
fn crash_child() {
    let Ok(path) = std::env::var(CHILD_FILE) else {
        return;
    };
    let mut file = CompetitionFile::open(&path).unwrap();
    match std::env::var(CHILD_MODE).unwrap().as_str() {
        "poll" => {
            poll(&mut file);
        }
        "accept" => {
            let conflict = file.inbound_conflicts(true).unwrap().remove(0);
            file.accept_conflict(conflict.id, "judge", "source corrected", None)
                .unwrap();
        }
        "assign" => {
            let item = file.review_items(true).unwrap().remove(0);
            let bib4 = file.competitor_by_bib("4").unwrap().unwrap().id;
            file.assign_review(item.id, Entrant::Competitor(bib4), "judge")
                .unwrap();
        }
        other => panic!("unknown mode {other}"),
    }
    eprintln!("child finished");
}

/// Runs the child until it reports the failpoint, then kills it with
/// SIGKILL. Returns whether the failpoint was reached.
fn kill_at(path: &Path, mode: &str, failpoint: &str) -> bool {
    let mut child = crash::this_test(module_path!(), "crash_child");
    child
        .arg("--ignored")
        .env(CHILD_FILE, path)
        .env(CHILD_MODE, mode);
    crash::kill_at_failpoint(child, failpoint)
}

struct Scene {
    _fixture_directory: tempfile::TempDir,
    path: PathBuf,
    server: ScriptedServer,
}

fn ms_of(file: &CompetitionFile, race: i64, bib: &str) -> Option<i64> {
    let competitor = file.competitor_by_bib(bib).unwrap().unwrap();
    file.result(race, Entrant::Competitor(competitor.id))
        .unwrap()
        .and_then(|result| result.effective_value().and_then(|value| value.score))
        .map(|score| match score {
            Score::Time { ms } => ms,
            other => panic!("{other:?}"),
        })
}

fn ms(text: &str) -> i64 {
    scoretable_core::time::parse_time(text).unwrap()
}

/// Bib 1 imported at 10:00; the source then sends bib 1 at 10:01 (a
/// conflict), bibs 2 and 3 (new results) and an unknown id (a review item).
fn scene() -> (Scene, i64) {
    let mut fixture = fixture();
    let server = ScriptedServer::start(Reply::Json(seed_payload(&[("524658", "00:10:00.0")])));
    support::add_feed_connection(
        &mut fixture.file,
        fixture.race,
        &server.url,
        "json",
        100,
        None,
    );
    assert_eq!(poll(&mut fixture.file).summary.unwrap().imported, 1);
    server.set(Reply::Json(seed_payload(&[
        ("524658", "00:10:01.0"),
        ("527182", "00:11:00.0"),
        ("530001", "00:12:00.0"),
        ("999999", "00:13:00.0"),
    ])));
    let path = fixture.file.path().to_path_buf();
    let race = fixture.race;
    fixture.file.close().unwrap();
    (
        Scene {
            _fixture_directory: fixture.directory,
            path,
            server,
        },
        race,
    )
}

#[test]
fn kill_9_between_every_pair_of_writes_of_a_poll_then_a_changed_source_value_is_a_conflict() {
    let apply_points: Vec<&str> = INBOUND_FAILPOINTS
        .iter()
        .copied()
        .filter(|point| point.starts_with("inbound_apply_"))
        .collect();
    assert_eq!(apply_points.len(), 6);
    for failpoint in apply_points {
        let (scene, race) = scene();
        assert!(
            kill_at(&scene.path, "poll", failpoint),
            "{failpoint} never reached"
        );
        let mut file = CompetitionFile::open(&scene.path).unwrap();
        // All or nothing: the new results, the ledger rows, the conflict and
        // the review item are there together or not at all.
        let committed = ms_of(&file, race, "2").is_some();
        assert_eq!(ms_of(&file, race, "3").is_some(), committed, "{failpoint}");
        assert_eq!(
            file.ledger_size("timing", race).unwrap(),
            if committed { 3 } else { 1 },
            "{failpoint}"
        );
        assert_eq!(
            file.inbound_conflicts(true).unwrap().len(),
            usize::from(committed),
            "{failpoint}"
        );
        assert_eq!(
            file.review_items(true).unwrap().len(),
            usize::from(committed),
            "{failpoint}"
        );
        assert_eq!(
            committed,
            failpoint == "inbound_apply_after_commit",
            "{failpoint}: only a kill after the commit keeps the poll"
        );
        // The source changes bibs 2 and 3 again.
        scene.server.set(Reply::Json(seed_payload(&[
            ("524658", "00:10:01.0"),
            ("527182", "00:11:30.0"),
            ("530001", "00:12:30.0"),
            ("999999", "00:13:00.0"),
        ])));
        let summary = poll(&mut file).summary.unwrap();
        for (bib, first, changed) in [
            ("2", "00:11:00.0", "00:11:30.0"),
            ("3", "00:12:00.0", "00:12:30.0"),
        ] {
            let stored = ms_of(&file, race, bib).unwrap();
            if committed {
                // The acknowledged value stays, and the change is a conflict.
                assert_eq!(stored, ms(first), "{failpoint} bib {bib}");
                let competitor = file.competitor_by_bib(bib).unwrap().unwrap().id;
                let conflict = file
                    .inbound_conflicts(true)
                    .unwrap()
                    .into_iter()
                    .find(|conflict| conflict.entrant == Entrant::Competitor(competitor))
                    .unwrap_or_else(|| panic!("{failpoint}: no conflict for bib {bib}"));
                assert_eq!(
                    conflict.incoming_value.score,
                    Some(Score::Time { ms: ms(changed) })
                );
            } else {
                // Nothing of the killed poll was acknowledged: the value the
                // source sends now is the first one stored.
                assert_eq!(stored, ms(changed), "{failpoint} bib {bib}");
            }
        }
        if committed {
            assert_eq!(summary.new_conflicts, 2, "{failpoint}: {summary:?}");
        } else {
            assert_eq!(
                (summary.imported, summary.new_conflicts),
                (2, 1),
                "{failpoint}: {summary:?}"
            );
        }
        // Bib 1's amendment-protected value never moved.
        assert_eq!(
            ms_of(&file, race, "1"),
            Some(ms("00:10:00.0")),
            "{failpoint}"
        );
        file.close().unwrap();
    }
}

#[test]
fn kill_9_inside_accepting_a_conflict_or_assigning_a_review_item_changes_nothing() {
    for failpoint in INBOUND_FAILPOINTS.iter().copied().filter(|point| {
        point.starts_with("inbound_accept_") || point.starts_with("inbound_assign_")
    }) {
        let (scene, race) = scene();
        let mut file = CompetitionFile::open(&scene.path).unwrap();
        poll(&mut file);
        file.close().unwrap();
        let mode = if failpoint.starts_with("inbound_accept_") {
            "accept"
        } else {
            "assign"
        };
        assert!(
            kill_at(&scene.path, mode, failpoint),
            "{failpoint} never reached"
        );
        let mut file = CompetitionFile::open(&scene.path).unwrap();
        // Nothing of the killed call is there.
        let conflicts = file.inbound_conflicts(false).unwrap();
        assert_eq!(conflicts.len(), 1, "{failpoint}");
        assert_eq!(conflicts[0].state, ConflictState::Open, "{failpoint}");
        assert_eq!(
            ms_of(&file, race, "1"),
            Some(ms("00:10:00.0")),
            "{failpoint}"
        );
        assert_eq!(file.review_items(true).unwrap().len(), 1, "{failpoint}");
        assert_eq!(ms_of(&file, race, "4"), None, "{failpoint}");
        // The source changes bib 1 and the unknown record again: a new
        // conflict (superseding the open one) and a refreshed review item,
        // nothing applied silently.
        scene.server.set(Reply::Json(seed_payload(&[
            ("524658", "00:10:02.0"),
            ("527182", "00:11:00.0"),
            ("530001", "00:12:00.0"),
            ("999999", "00:13:30.0"),
        ])));
        let summary = poll(&mut file).summary.unwrap();
        assert_eq!(
            (summary.new_conflicts, summary.unknown),
            (1, 1),
            "{failpoint}: {summary:?}"
        );
        let open = file.inbound_conflicts(true).unwrap();
        assert_eq!(open.len(), 1);
        assert_eq!(
            open[0].incoming_value.score,
            Some(Score::Time {
                ms: ms("00:10:02.0")
            })
        );
        assert_eq!(
            ms_of(&file, race, "1"),
            Some(ms("00:10:00.0")),
            "{failpoint}"
        );
        assert_eq!(ms_of(&file, race, "4"), None, "{failpoint}");
        // And the calls still work afterwards.
        let accepted = file
            .accept_conflict(open[0].id, "judge", "source corrected", None)
            .unwrap();
        assert!(accepted.amendment.is_some());
        assert_eq!(ms_of(&file, race, "1"), Some(ms("00:10:02.0")));
        let item = file.review_items(true).unwrap().remove(0);
        let bib4 = file.competitor_by_bib("4").unwrap().unwrap().id;
        let report = file
            .assign_review(item.id, Entrant::Competitor(bib4), "judge")
            .unwrap();
        assert_eq!(report.imported, 1);
        assert_eq!(ms_of(&file, race, "4"), Some(ms("00:13:30.0")));
        file.close().unwrap();
    }
}

/// The feed at event size: `count` athletes with feed ids `F<n>`, each with
/// a time of 20 minutes plus n seconds (plus `bump` seconds for the first
/// `bumped` athletes: the source changing values).
fn event_payload(count: usize, bumped: usize, bump: i64) -> String {
    let mut items = Vec::with_capacity(count);
    for n in 0..count {
        let seconds = 1_200 + n as i64 + if n < bumped { bump } else { 0 };
        items.push(serde_json::json!({
            "CompCornerID": format!("F{n}"),
            "Time": format!("{:02}:{:02}:{:02}.0", seconds / 3600, seconds / 60 % 60, seconds % 60),
        }));
    }
    serde_json::Value::Array(items).to_string()
}

/// Issue 12, defect 1 at event size: a 30,000-record poll killed with
/// SIGKILL at a failpoint inside its write (and right after its commit);
/// the source then changes 10 values. The file holds all 30,000 results or
/// none, and every changed value comes back as a conflict (or, when nothing
/// was acknowledged, as a first import): none is swallowed.
#[test]
fn kill_9_during_a_30000_record_poll_then_ten_changed_values_are_never_swallowed() {
    const ATHLETES_AT_EVENT_SIZE: usize = 30_000;
    let directory = tempfile::tempdir().unwrap();
    let base = directory.path().join("event-size.scoretable");
    let race = {
        let mut file = CompetitionFile::create(
            &base,
            &scoretable_core::model::Competition {
                name: "Event Size Open".into(),
                slug: "event-size-open".into(),
                start_date: "2026-06-01".into(),
                end_date: "2026-06-01".into(),
                venue: String::new(),
                country: String::new(),
                organiser: String::new(),
                time_zone: "UTC".into(),
            },
        )
        .unwrap();
        let drafts: Vec<scoretable_core::import::CompetitorDraft> = (0..ATHLETES_AT_EVENT_SIZE)
            .map(|n| scoretable_core::import::CompetitorDraft {
                row: n + 2,
                bib: (n + 1).to_string(),
                first_name: format!("Athlete{n}"),
                last_name: "Feed".into(),
                external_ids: scoretable_core::model::ExternalIds {
                    feed_participant_id: Some(format!("F{n}")),
                    ..Default::default()
                },
                ..Default::default()
            })
            .collect();
        file.import_competitors_from("start-list.csv", &drafts)
            .unwrap();
        let race = file.add_workout(&support::workout("Sprint", 1)).unwrap();
        let workout = file.workout(race).unwrap();
        save_mapping(
            &mut file,
            "feed mapping",
            Some(race),
            &FieldMapping::timing_feed(&workout),
        )
        .unwrap();
        race
    };
    let server = ScriptedServer::start(Reply::Json(event_payload(ATHLETES_AT_EVENT_SIZE, 0, 0)));
    {
        let mut file = CompetitionFile::open(&base).unwrap();
        file.add_connection(&NewConnection {
            name: "timing".into(),
            url: server.url.clone(),
            workout_id: race,
            mapping_name: "feed mapping".into(),
            format: "json".into(),
            interval_ms: 100,
            auth_env: None,
        })
        .unwrap();
        file.close().unwrap();
    }
    for failpoint in [FAILPOINT_INSIDE, FAILPOINT_AFTER_COMMIT] {
        let path = directory.path().join(format!("{failpoint}.scoretable"));
        std::fs::copy(&base, &path).unwrap();
        server.set(Reply::Json(event_payload(ATHLETES_AT_EVENT_SIZE, 0, 0)));
        assert!(
            kill_at(&path, "poll", failpoint),
            "{failpoint} never reached"
        );
        let mut file = CompetitionFile::open(&path).unwrap();
        let stored = file.results(race).unwrap().len();
        let committed = stored == ATHLETES_AT_EVENT_SIZE;
        assert!(committed || stored == 0, "{failpoint}: {stored} results");
        assert_eq!(
            committed,
            failpoint == FAILPOINT_AFTER_COMMIT,
            "{failpoint}"
        );
        assert_eq!(
            file.ledger_size("timing", race).unwrap(),
            if committed {
                ATHLETES_AT_EVENT_SIZE as u64
            } else {
                0
            },
            "{failpoint}"
        );
        // Ten values change at the source.
        server.set(Reply::Json(event_payload(ATHLETES_AT_EVENT_SIZE, 10, 7)));
        let summary = poll(&mut file).summary.unwrap();
        if committed {
            assert_eq!(
                (summary.imported, summary.new_conflicts),
                (0, 10),
                "{summary:?}"
            );
            assert_eq!(file.inbound_conflicts(true).unwrap().len(), 10);
        } else {
            assert_eq!(
                (summary.imported, summary.new_conflicts),
                (ATHLETES_AT_EVENT_SIZE, 0),
                "{summary:?}"
            );
        }
        for n in 0..10 {
            let value = ms_of(&file, race, &(n + 1).to_string()).unwrap();
            let first = (1_200 + n as i64) * 1000;
            let expected = if committed { first } else { first + 7_000 };
            assert_eq!(value, expected, "{failpoint}: bib {}", n + 1);
        }
        file.close().unwrap();
    }
}

const FAILPOINT_INSIDE: &str = "inbound_apply_after_ledger_row";
const FAILPOINT_AFTER_COMMIT: &str = "inbound_apply_after_commit";
