//! The session of a long-running process: its background work (pollers, the
//! sync worker) lives exactly as long as its file, against a stand-in feed
//! server and a RunSignup stand-in; its own score writes keep its boards.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use scoretable_core::import::CompetitorDraft;
use scoretable_core::model::{
    Competition, Entrant, ExternalIds, Gender, Id, LoadUnit, PublicationState, Rounding, ScoreType,
    TeamScoring, TieBreak, Workout,
};
use scoretable_inbound::{save_mapping, FieldMapping, RecordFormat};
use scoretable_store::{CompetitionFile, TargetWorkout};
use scoretable_sync::{SecretStore, TargetSpec};
use scoretable_testkit::http::{Reply, ScriptedServer};
use scoretable_testkit::standin::{Registration, RunSignupStandin};
use scoretable_usecase::feeds::{add_connection, FeedDetails};
use scoretable_usecase::scores::TypedScore;
use scoretable_usecase::session::{
    Quiet, Session, SessionObserver, SessionSettings, SyncWorkerSettings,
};
use scoretable_usecase::sync_targets::add_sync_target;
use scoretable_usecase::ErrorClass;

/// Bib, first name, feed participant id, RunSignup registration id.
const ATHLETES: [(&str, &str, &str, &str); 3] = [
    ("1", "Lexi", "524658", "3201"),
    ("2", "Cara", "527182", "3202"),
    ("3", "Dana", "530001", "3203"),
];

struct Fixture {
    directory: tempfile::TempDir,
    path: PathBuf,
    race: Id,
}

fn fixture() -> Fixture {
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("session.scoretable");
    let mut file = CompetitionFile::create(
        &path,
        &Competition {
            name: "Session Open".into(),
            slug: "session-open".into(),
            start_date: "2026-06-01".into(),
            end_date: "2026-06-01".into(),
            venue: String::new(),
            country: String::new(),
            organiser: String::new(),
            time_zone: "UTC".into(),
        },
    )
    .unwrap();
    let drafts: Vec<CompetitorDraft> = ATHLETES
        .iter()
        .enumerate()
        .map(
            |(position, (bib, first, feed, registration))| CompetitorDraft {
                row: position + 2,
                bib: bib.to_string(),
                first_name: first.to_string(),
                last_name: "Roe".to_string(),
                gender: Some(Gender::Female),
                external_ids: ExternalIds {
                    feed_participant_id: Some(feed.to_string()),
                    runsignup_registration_id: Some(registration.to_string()),
                    ..ExternalIds::default()
                },
                ..CompetitorDraft::default()
            },
        )
        .collect();
    file.import_competitors_from("start-list.csv", &drafts)
        .unwrap();
    let race = file
        .add_workout(&Workout {
            id: 0,
            name: "Sprint".into(),
            sequence: 1,
            score_type: ScoreType::Time,
            time_cap_ms: None,
            reps_per_round: None,
            load_unit: LoadUnit::Kg,
            tie_break: TieBreak::None,
            rounding: Rounding::Exact,
            team_scoring: TeamScoring::Individual,
            timing_points: Vec::new(),
            heats: Vec::new(),
            state: PublicationState::Provisional,
        })
        .unwrap();
    file.close().unwrap();
    Fixture {
        directory,
        path,
        race,
    }
}

/// Adds the polled feed `name` at `url` (JSON, every 100 ms).
fn add_feed(path: &Path, race: Id, name: &str, url: &str) {
    let mut file = CompetitionFile::open(path).unwrap();
    let workout = file.workout(race).unwrap();
    save_mapping(
        &mut file,
        "feed mapping",
        Some(race),
        &FieldMapping::timing_feed(&workout),
    )
    .unwrap();
    add_connection(
        &mut file,
        &FeedDetails {
            name,
            url,
            workout_id: race,
            mapping_name: "feed mapping",
            format: RecordFormat::Json,
            interval_ms: 100,
            auth_env: None,
        },
    )
    .unwrap();
    file.close().unwrap();
}

fn feed_payload(records: &[(&str, &str)]) -> String {
    let items: Vec<serde_json::Value> = records
        .iter()
        .map(|(participant, time)| {
            serde_json::json!({"CompCornerID": participant, "Time": time, "First Name": "A"})
        })
        .collect();
    serde_json::to_string(&items).unwrap()
}

/// Counts what the session reports.
#[derive(Default)]
struct Recorder {
    scores_changed: AtomicUsize,
    failures: Mutex<Vec<String>>,
}

impl SessionObserver for Recorder {
    fn scores_changed(&self) {
        self.scores_changed.fetch_add(1, Ordering::SeqCst);
    }
    fn background_failed(&self, what: &str, message: &str) {
        self.failures
            .lock()
            .unwrap()
            .push(format!("{what}: {message}"));
    }
}

fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(15);
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting until {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The names of this process's threads (Linux: `/proc/self/task/*/comm`,
/// at most 15 bytes each).
fn thread_names() -> Vec<String> {
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return Vec::new();
    };
    tasks
        .flatten()
        .filter_map(|task| std::fs::read_to_string(task.path().join("comm")).ok())
        .map(|name| name.trim_end().to_string())
        .collect()
}

fn has_thread(prefix: &str) -> bool {
    let prefix = &prefix[..prefix.len().min(15)];
    thread_names().iter().any(|name| name == prefix)
}

/// Whether some handle (of this process or another) has the file open:
/// every read-write handle holds a shared OS lock on `<file>.lock` until
/// it is closed, so an exclusive lock is free only when none is left.
fn some_handle_open(path: &Path) -> bool {
    let mut lock_path = path.as_os_str().to_owned();
    lock_path.push(".lock");
    let lock = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(PathBuf::from(lock_path))
        .unwrap();
    lock.try_lock().is_err()
}

fn assert_no_handle_left(path: &Path) {
    assert!(
        !some_handle_open(path),
        "a handle of the closed session is still open"
    );
}

/// The file's write serial as the session's handle reads it now.
pub(crate) fn write_serial(session: &Session) -> i64 {
    session
        .file()
        .unwrap()
        .change_stamp()
        .unwrap()
        .write_serial()
}

fn time_of(file: &CompetitionFile, race: Id, bib: &str) -> Option<String> {
    let competitor = file.competitor_by_bib(bib).unwrap()?;
    file.result(race, Entrant::Competitor(competitor.id))
        .unwrap()
        .and_then(|result| result.effective_value().map(|value| value.text.clone()))
}

#[test]
fn a_poller_stops_and_its_handle_closes_when_the_session_closes() {
    let fixture = fixture();
    let server = ScriptedServer::start(Reply::Json(feed_payload(&[("524658", "13:37.2")])));
    add_feed(&fixture.path, fixture.race, "lifetime", &server.url);
    let recorder = Arc::new(Recorder::default());
    let mut session = Session::new(
        SessionSettings::foreground("table 1"),
        Arc::clone(&recorder) as Arc<dyn SessionObserver>,
    );
    session.open(&fixture.path).unwrap();
    assert_eq!(session.start_polling(" lifetime ").unwrap(), "lifetime");
    assert!(session.is_polling("lifetime"));
    assert_eq!(session.polled(), ["lifetime"]);
    // Starting it again starts no second poller.
    session.start_polling("lifetime").unwrap();
    wait_until("the feed's score is stored", || {
        time_of(session.file().unwrap(), fixture.race, "1").is_some()
    });
    wait_until("the observer heard of it", || {
        recorder.scores_changed.load(Ordering::SeqCst) >= 1
    });
    if cfg!(target_os = "linux") {
        assert!(has_thread("poll lifetime"), "{:?}", thread_names());
    }
    assert!(some_handle_open(&fixture.path));

    session.close().unwrap();
    assert!(!session.is_polling("lifetime"));
    assert!(session.polled().is_empty());
    assert_eq!(session.file().unwrap_err().class, ErrorClass::NoFile);
    assert!(
        !has_thread("poll lifetime"),
        "the poller's thread was joined"
    );
    let requests = server.requests().len();
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(
        server.requests().len(),
        requests,
        "no poll after the session closed"
    );
    assert_no_handle_left(&fixture.path);
    assert!(recorder.failures.lock().unwrap().is_empty());
}

/// Closing the session while a poll's request waits for a slow source does
/// not wait for the answer (it used to, up to the request timeout): the
/// poller gives the request up, records nothing of it (no score, no failed
/// attempt) and its thread is joined at once.
#[test]
fn closing_does_not_wait_for_a_slow_sources_answer() {
    let fixture = fixture();
    let server = ScriptedServer::start(Reply::Slow(
        Duration::from_secs(8),
        feed_payload(&[("524658", "13:37.2")]),
    ));
    add_feed(&fixture.path, fixture.race, "slow", &server.url);
    let recorder = Arc::new(Recorder::default());
    let mut session = Session::new(
        SessionSettings::foreground("table 1"),
        Arc::clone(&recorder) as Arc<dyn SessionObserver>,
    );
    session.open(&fixture.path).unwrap();
    session.start_polling("slow").unwrap();
    wait_until("the first request is in flight", || {
        !server.requests().is_empty()
    });
    let started = Instant::now();
    session.close().unwrap();
    let closing = started.elapsed();
    eprintln!("closing with a request in flight took {closing:?}");
    assert!(
        closing < Duration::from_secs(4),
        "close waited {closing:?} for the source's answer"
    );
    assert!(!has_thread("poll slow"), "{:?}", thread_names());
    assert_no_handle_left(&fixture.path);
    assert!(recorder.failures.lock().unwrap().is_empty());
    let file = CompetitionFile::open(&fixture.path).unwrap();
    assert_eq!(time_of(&file, fixture.race, "1"), None);
    let status = file.connection_by_name("slow").unwrap().status;
    assert_eq!(status.consecutive_failures, 0, "{status:?}");
    assert_eq!(status.message, None, "{status:?}");
    file.close().unwrap();
}

#[test]
fn switching_files_stops_the_old_files_pollers_and_stop_polling_joins() {
    let first = fixture();
    let second = fixture();
    let server = ScriptedServer::start(Reply::Json(feed_payload(&[("527182", "14:00.0")])));
    add_feed(&first.path, first.race, "switch", &server.url);
    add_feed(&second.path, second.race, "stopper", &server.url);
    let mut session = Session::new(SessionSettings::foreground("table 1"), Arc::new(Quiet));
    session.open(&first.path).unwrap();
    session.start_polling("switch").unwrap();
    wait_until("the first file polled", || !server.requests().is_empty());

    session.open(&second.path).unwrap();
    assert!(!session.is_polling("switch"));
    assert_eq!(session.file().unwrap().path(), second.path.as_path());
    assert_no_handle_left(&first.path);
    let requests = server.requests().len();
    std::thread::sleep(Duration::from_millis(400));
    assert_eq!(
        server.requests().len(),
        requests,
        "the old file's poller stopped"
    );
    assert!(time_of(session.file().unwrap(), second.race, "2").is_none());

    // A poller stopped by name is joined before the call returns.
    session.start_polling("stopper").unwrap();
    wait_until("the second file polled", || {
        time_of(session.file().unwrap(), second.race, "2").is_some()
    });
    session.stop_polling("stopper");
    assert!(!session.is_polling("stopper"));
    let requests = server.requests().len();
    std::thread::sleep(Duration::from_millis(400));
    assert_eq!(server.requests().len(), requests);
    // An unknown connection is refused, and nothing runs for it.
    let unknown = session.start_polling("nothing").unwrap_err();
    assert_eq!(unknown.class, ErrorClass::NotFound);
    assert!(session.polled().is_empty());
    drop(session);
    assert_no_handle_left(&second.path);
    drop(first.directory);
}

/// A RunSignup target for the race, on a stand-in knowing the athletes.
fn runsignup_target(fixture: &Fixture) -> (RunSignupStandin, SecretStore) {
    std::env::set_var("SCORETABLE_SECRET_BACKEND", "file");
    let secrets = SecretStore {
        fallback_dir: Some(fixture.directory.path().join("secrets")),
    };
    let standin = RunSignupStandin::start("777", "key-1", "s3cr3t-value").unwrap();
    standin.add_registrations(
        ATHLETES
            .iter()
            .map(|(bib, _, _, registration)| Registration {
                registration_id: registration.to_string(),
                bib: bib.to_string(),
                chip: None,
            }),
    );
    {
        let mut file = CompetitionFile::open(&fixture.path).unwrap();
        add_sync_target(
            &mut file,
            &TargetSpec {
                name: "rsu".into(),
                platform: "runsignup".into(),
                endpoint: standin.base_url(),
                config: serde_json::json!({"race_id": "777"}),
                workouts: vec![TargetWorkout {
                    workout_id: fixture.race,
                    remote_id: "4001".into(),
                }],
            },
            Some("key-1:s3cr3t-value"),
            &secrets,
        )
        .unwrap();
        file.close().unwrap();
    }
    (standin, secrets)
}

/// A desktop session on the fixture with its sync worker running a round
/// every `round`.
fn open_with_sync_worker(fixture: &Fixture, secrets: SecretStore, round: Duration) -> Session {
    let mut settings = SessionSettings::desktop("table 1");
    settings.sync_worker = Some(SyncWorkerSettings {
        round,
        request_timeout: Duration::from_secs(2),
        secrets,
    });
    let mut session = Session::new(settings, Arc::new(Quiet));
    session.open(&fixture.path).unwrap();
    session
}

#[test]
fn the_sync_worker_runs_while_the_file_is_open_and_stops_with_it() {
    let fixture = fixture();
    let (standin, secrets) = runsignup_target(&fixture);
    let mut session = open_with_sync_worker(&fixture, secrets, Duration::from_millis(50));
    assert!(session.sync_worker_running());
    session
        .enter_score(&TypedScore {
            workout_id: fixture.race,
            bib: "1",
            value: "20:00.0",
            tie_break: None,
        })
        .unwrap();
    wait_until("the worker sent the typed score", || {
        standin.results().len() == 1
    });

    session.close().unwrap();
    assert!(!session.sync_worker_running());
    assert_no_handle_left(&fixture.path);
    // A score stored after the close stays queued: no worker is left.
    let mut file = CompetitionFile::open(&fixture.path).unwrap();
    file.enter_score_by_bib(
        fixture.race,
        "2",
        scoretable_store::ScoreInput::text("21:00.0"),
        "another table",
    )
    .unwrap();
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(standin.results().len(), 1);
    let target = file.sync_target("rsu").unwrap();
    assert_eq!(file.outbox_counts(target.id).unwrap().queued, 1);
    file.close().unwrap();

    // A read-only session starts no worker.
    let mut settings = SessionSettings::desktop("venue");
    settings.sync_worker = Some(SyncWorkerSettings::default());
    let mut reader = Session::new(settings, Arc::new(Quiet));
    reader.open_read_only(&fixture.path).unwrap();
    assert!(!reader.sync_worker_running());
}

#[test]
fn typed_scores_are_undone_newest_first_and_keep_the_board() {
    let fixture = fixture();
    let mut session = Session::new(SessionSettings::foreground("table 7"), Arc::new(Quiet));
    assert_eq!(
        session
            .enter_score(&TypedScore {
                workout_id: fixture.race,
                bib: "1",
                value: "10:00",
                tie_break: None,
            })
            .unwrap_err()
            .class,
        ErrorClass::NoFile
    );
    session.open(&fixture.path).unwrap();
    let before = session.workout_board(fixture.race).unwrap();
    assert!(before.built);
    assert!(before.board.is_empty());
    for (bib, value) in [("1", "10:00"), ("2", "09:00")] {
        session
            .enter_score(&TypedScore {
                workout_id: fixture.race,
                bib,
                value,
                tie_break: None,
            })
            .unwrap();
    }
    let board = session.workout_board(fixture.race).unwrap();
    assert!(!board.built, "the kept board took both rows in place");
    assert_eq!(board.board.len(), 2);
    let recent = session.recent_entries(fixture.race, 5);
    assert_eq!(
        recent
            .iter()
            .map(|entry| entry.bib.as_str())
            .collect::<Vec<_>>(),
        ["2", "1"]
    );
    let undone = session.undo_last_entry(fixture.race).unwrap().unwrap();
    assert_eq!(undone.bib, "2");
    assert_eq!(session.workout_board(fixture.race).unwrap().board.len(), 1);
    let history = session
        .file()
        .unwrap()
        .score_history(fixture.race, undone.entrant)
        .unwrap();
    assert!(
        history.iter().all(|event| event.who == "table 7"),
        "{history:?}"
    );
    assert!(session.undo_last_entry(fixture.race + 1).unwrap().is_none());
    // Reopening forgets what was typed: nothing to undo.
    session.open(&fixture.path).unwrap();
    assert!(session.undo_last_entry(fixture.race).unwrap().is_none());
    assert!(session.recent_entries(fixture.race, 5).is_empty());
}

/// The sync worker writes on its own handle every round (claims,
/// acknowledgements, attempts): its writes are announced to the session's
/// kept boards before they commit and handed over by the commit, so the
/// boards stay, even for a read landing between a commit and its hand-off
/// (the board is read as fast as it can be while the worker writes). They
/// used to be rebuilt after every round that wrote, and then, with the
/// hand-off made after the commit, by a read in that instant.
#[test]
fn the_sync_workers_writes_keep_the_boards() {
    let fixture = fixture();
    let (standin, secrets) = runsignup_target(&fixture);
    let mut session = open_with_sync_worker(&fixture, secrets, Duration::from_millis(200));
    session.workout_board(fixture.race).unwrap();
    session
        .enter_score(&TypedScore {
            workout_id: fixture.race,
            bib: "1",
            value: "20:00.0",
            tie_break: None,
        })
        .unwrap();
    wait_until("the worker sent the typed score", || {
        standin.results().len() == 1
    });
    let first = write_serial(&session);
    let entrant = session
        .file()
        .unwrap()
        .entrant_by_bib(fixture.race, "1")
        .unwrap();
    // Each amendment queues a result the worker claims, sends and marks
    // acknowledged on its own handle while the board is read.
    let (mut rebuilt, mut reads) = (0, 0);
    for step in 0..8 {
        session
            .amend(
                fixture.race,
                entrant,
                scoretable_store::ScoreInput::text(format!("20:{:02}.0", step + 1)),
                "judge",
                "appeal",
                None,
                usize::MAX,
            )
            .unwrap();
        session.wake_sync_worker();
        let until = Instant::now() + Duration::from_millis(250);
        while Instant::now() < until {
            reads += 1;
            if session.workout_board(fixture.race).unwrap().built {
                rebuilt += 1;
            }
        }
    }
    let by_worker = write_serial(&session) - first - 8;
    assert!(
        by_worker >= 8,
        "the worker wrote {by_worker} times meanwhile"
    );
    // Every write is announced before its commit: a read that sees it
    // before its hand-off waits for it. Announced only at the commit (the
    // hand-off as it was), reads in that instant rebuilt.
    assert_eq!(rebuilt, 0, "rebuilt {rebuilt} times in {reads} reads");
    let read = session.workout_board(fixture.race).unwrap();
    assert_eq!(
        read.board.rows(0..usize::MAX),
        read.file
            .live_board(fixture.race)
            .unwrap()
            .rows(0..usize::MAX)
    );
    session.close().unwrap();
}

/// A poller's handle opening and closing commits its session row: those
/// commits are handed to the kept boards like its polls, so starting and
/// stopping a poller (polling every 100 ms meanwhile) rebuilds nothing.
/// Each used to rebuild every board once. Another program's write still
/// rebuilds.
#[test]
fn starting_and_stopping_a_poller_keeps_the_boards() {
    let fixture = fixture();
    let server = ScriptedServer::start(Reply::Json("[]".into()));
    add_feed(&fixture.path, fixture.race, "timing", &server.url);
    let mut session = Session::new(SessionSettings::foreground("table 1"), Arc::new(Quiet));
    session.open(&fixture.path).unwrap();
    assert!(session.workout_board(fixture.race).unwrap().built);
    let opened = write_serial(&session);
    session.start_polling("timing").unwrap();
    let mut rebuilt = 0;
    // Its opening, then polls (each a health record) while the board is
    // read.
    wait_until("the poller polled twice", || {
        rebuilt += usize::from(session.workout_board(fixture.race).unwrap().built);
        server.requests().len() >= 2 && write_serial(&session) >= opened + 3
    });
    session.stop_polling("timing");
    let stopped = write_serial(&session);
    rebuilt += usize::from(session.workout_board(fixture.race).unwrap().built);
    assert_eq!(rebuilt, 0, "starting, polling and stopping rebuilt");
    assert!(stopped > opened + 3, "the poller's close is a write too");
    // Another program's write still rebuilds.
    let mut other = CompetitionFile::open(&fixture.path).unwrap();
    let settings = other.leaderboard_settings().unwrap();
    other.set_leaderboard_settings(&settings).unwrap();
    other.close().unwrap();
    assert!(session.workout_board(fixture.race).unwrap().built);
    assert!(!session.workout_board(fixture.race).unwrap().built);
    session.close().unwrap();
}

/// The sync worker's handle opening and closing is handed over too: a
/// worker started and stopped beside kept boards leaves them kept.
#[test]
fn a_sync_worker_started_and_stopped_beside_kept_boards_keeps_them() {
    let fixture = fixture();
    let (_standin, secrets) = runsignup_target(&fixture);
    let mut session = Session::new(SessionSettings::foreground("table 1"), Arc::new(Quiet));
    session.open(&fixture.path).unwrap();
    assert!(session.workout_board(fixture.race).unwrap().built);
    let writer = session.write_inbox(fixture.race).writer(true);
    let worker = scoretable_sync::SyncWorker::spawn_handing_writes(
        &fixture.path,
        secrets,
        scoretable_sync::DrainOptions::default(),
        Duration::from_millis(50),
        move |notice| writer.notice(notice),
    )
    .unwrap();
    std::thread::sleep(Duration::from_millis(200));
    assert!(
        !session.workout_board(fixture.race).unwrap().built,
        "its start kept the board"
    );
    drop(worker);
    assert!(
        !session.workout_board(fixture.race).unwrap().built,
        "its stop kept the board"
    );
    session.close().unwrap();
}
