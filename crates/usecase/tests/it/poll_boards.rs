//! Scores a poller of the same process stores (on its own handle) reach the
//! session's kept boards and overall tables in place, through the write
//! inbox (`Session::write_inbox`, `session::handed_writes`): no rebuild,
//! and every board and table equal to one built fresh from the file. A
//! write by anyone else, however it interleaves with a poll and its
//! hand-off, still makes each board and table be rebuilt once.
//!
//! The polls here run `scoretable_inbound::poll_once` on a handle of the
//! test's own, with an in-process fetcher, exactly as a session's poller
//! thread does (open, `note_writes`, poll, post the hand-off); the last
//! test runs the session's real poller threads against a feed server.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::session::write_serial;

use scoretable_core::generate::{large_individual_event, SplitMix64};
use scoretable_core::model::{Entrant, Id, Score, ScoreType, Workout};
use scoretable_inbound::{
    poll_once, save_mapping, Backoff, FetchError, Fetcher, FieldMapping, IdentifierField,
    PollOutcome, RecordFormat, ValueField, ValueTransform,
};
use scoretable_store::{CompetitionFile, IdentifierKind, ScoreInput};
use scoretable_testkit::http::{Reply, ScriptedServer};
use scoretable_usecase::boards::{overall_table, WriteInbox};
use scoretable_usecase::feeds::{add_connection, FeedDetails};
use scoretable_usecase::generate::{write_event, ResultEntryMode};
use scoretable_usecase::review::ConflictDecision;
use scoretable_usecase::session::{handed_writes, Quiet, Session, SessionSettings};

/// A feed answering whatever the test last set.
struct Feed(Vec<u8>);

impl Fetcher for Feed {
    fn fetch(&mut self, _url: &str, _authorization: Option<&str>) -> Result<Vec<u8>, FetchError> {
        Ok(self.0.clone())
    }
}

/// A race of `athletes` (4 age groups) whose results are only partly in
/// the file (the rest is what the feed will send: bib and milliseconds),
/// a second workout with a few results (so the overall table has two
/// columns), and a polled connection `timing` on the race.
struct Race {
    _directory: tempfile::TempDir,
    path: std::path::PathBuf,
    race: Id,
    row: Id,
    divisions: Vec<Id>,
    /// Bibs of every athlete.
    bibs: Vec<String>,
    /// (bib, ms) of the results the feed sends, in the order it sends them.
    feed: Vec<(String, i64)>,
}

fn race(athletes: usize, seed: u64) -> Race {
    race_polled_at(athletes, seed, "http://127.0.0.1:9/results", 100)
}

fn race_polled_at(athletes: usize, seed: u64, url: &str, interval_ms: u64) -> Race {
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("race.scoretable");
    let mut event = large_individual_event(athletes, 4, 0, seed);
    let bib_of: std::collections::HashMap<Id, String> = event
        .competitors
        .iter()
        .map(|competitor| (competitor.id, competitor.bib.clone()))
        .collect();
    // Half the timed results come later, from the feed.
    let mut feed = Vec::new();
    let mut random = SplitMix64::new(seed);
    event.results[0].retain(|result| match (result.entrant, result.score) {
        (Entrant::Competitor(id), Some(Score::Time { ms })) if random.chance(500) => {
            feed.push((bib_of[&id].clone(), ms));
            false
        }
        _ => true,
    });
    let (mut file, _) = write_event(&path, &event, ResultEntryMode::ImportAll).unwrap();
    let race = file.workouts().unwrap()[0].id;
    let mut row: Workout = file.workout(race).unwrap();
    row.id = 0;
    row.name = "Row".into();
    row.sequence = 2;
    row.timing_points = Vec::new();
    let row = file.add_workout(&row).unwrap();
    let bibs: Vec<String> = file
        .competitors()
        .unwrap()
        .into_iter()
        .map(|competitor| competitor.bib)
        .collect();
    for bib in bibs.iter().step_by(3) {
        let ms = 400_000 + random.below(60_000) as i64;
        file.enter_score_by_bib(row, bib, ScoreInput::text(format_ms(ms)), "table 2")
            .unwrap();
    }
    let workout = file.workout(race).unwrap();
    assert_eq!(workout.score_type, ScoreType::Time);
    save_mapping(
        &mut file,
        "by bib",
        Some(race),
        &FieldMapping {
            identifier: IdentifierField {
                field: "Bib".into(),
                kind: IdentifierKind::Bib,
            },
            value: Some(ValueField {
                field: "Ms".into(),
                transform: ValueTransform::Milliseconds,
            }),
            ..FieldMapping::timing_feed(&workout)
        },
    )
    .unwrap();
    add_connection(
        &mut file,
        &FeedDetails {
            name: "timing",
            url,
            workout_id: race,
            mapping_name: "by bib",
            format: RecordFormat::Json,
            interval_ms,
            auth_env: None,
        },
    )
    .unwrap();
    let divisions = file
        .divisions()
        .unwrap()
        .into_iter()
        .map(|division| division.id)
        .collect();
    file.close().unwrap();
    Race {
        _directory: directory,
        path,
        race,
        row,
        divisions,
        bibs,
        feed,
    }
}

fn format_ms(ms: i64) -> String {
    format!("{}:{:02}.{}", ms / 60_000, ms / 1000 % 60, ms % 1000 / 100)
}

/// The feed's answer: its first `count` results.
fn payload(race: &Race, count: usize) -> Vec<u8> {
    let items: Vec<serde_json::Value> = race.feed[..count.min(race.feed.len())]
        .iter()
        .map(|(bib, ms)| serde_json::json!({"Bib": bib, "Ms": ms.to_string()}))
        .collect();
    serde_json::to_vec(&items).unwrap()
}

/// A poller's handle, as a session's poller thread opens it.
struct Poller {
    file: CompetitionFile,
    backoff: Backoff,
}

impl Poller {
    fn open(path: &Path) -> Poller {
        let mut file = CompetitionFile::open(path).unwrap();
        file.note_writes();
        Poller {
            file,
            backoff: Backoff::new(Duration::from_millis(100), Duration::from_secs(1), 1),
        }
    }

    /// One poll of `timing` answering `body`; nothing handed over yet.
    fn poll(&mut self, body: Vec<u8>) -> PollOutcome {
        let outcome = poll_once(
            &mut self.file,
            "timing",
            &mut Feed(body),
            &mut self.backoff,
            None,
        )
        .unwrap();
        assert!(outcome.error.is_none(), "{:?}", outcome.error);
        assert!(!outcome.writes.is_empty(), "a poll writes");
        outcome
    }
}

/// Every kept board (each division too) and overall table the test reads
/// equals one built fresh from the file; returns whether any was rebuilt
/// for this read.
fn check(session: &mut Session, race: &Race, what: &str) -> bool {
    let mut rebuilt = false;
    for workout_id in [race.race, race.row] {
        let read = session.workout_board(workout_id).unwrap();
        rebuilt |= read.built;
        let fresh = read.file.live_board(workout_id).unwrap();
        assert_eq!(
            read.board.rows(0..usize::MAX),
            fresh.rows(0..usize::MAX),
            "{what}: workout {workout_id}"
        );
        for division in &race.divisions {
            assert_eq!(
                read.board.division_rows(*division, 0..usize::MAX),
                fresh.division_rows(*division, 0..usize::MAX),
                "{what}: workout {workout_id}, division {division}"
            );
        }
    }
    for scope in [None, Some(race.divisions[0])] {
        let read = session.overall_table(scope).unwrap();
        rebuilt |= read.built;
        let fresh = overall_table(session.file().unwrap(), scope).unwrap();
        assert_eq!(
            read.table.lines(0..usize::MAX),
            fresh.lines(0..usize::MAX),
            "{what}: overall {scope:?}"
        );
    }
    rebuilt
}

fn session_on(race: &Race) -> (Session, Poller, WriteInbox) {
    // The poller's handle opens first, as a session's poller starts with
    // its file: the open itself commits (its session row).
    let poller = Poller::open(&race.path);
    let mut session = Session::new(SessionSettings::foreground("table 1"), Arc::new(Quiet));
    session.open(&race.path).unwrap();
    let inbox = session.write_inbox(race.race);
    assert!(check(&mut session, race, "first read"), "built once");
    assert!(!check(&mut session, race, "second read"), "kept");
    (session, poller, inbox)
}

/// Another program's write: an amendment of `bib` in `workout_id`.
fn foreign_amendment(path: &Path, workout_id: Id, bib: &str, value: &str) {
    let mut other = CompetitionFile::open(path).unwrap();
    let entrant = other.entrant_by_bib(workout_id, bib).unwrap();
    other
        .record_amendment(
            workout_id,
            entrant,
            ScoreInput::text(value),
            "other table",
            "appeal",
            None,
        )
        .unwrap();
    other.close().unwrap();
}

#[test]
fn scores_a_poll_stores_update_the_kept_boards_and_tables_without_a_rebuild() {
    let race = race(400, 3);
    assert!(race.feed.len() > 60, "{} feed results", race.feed.len());
    let (mut session, mut poller, inbox) = session_on(&race);
    let generation = session.workout_board(race.race).unwrap().stamp;
    // One score, then 50 more, then a poll that stores nothing new.
    for (count, imported) in [(1, 1), (51, 50), (51, 0)] {
        let outcome = poller.poll(payload(&race, count));
        assert_eq!(outcome.summary.as_ref().unwrap().imported, imported);
        inbox.post(handed_writes(&outcome));
        let what = format!("after a poll storing {imported}");
        assert!(!check(&mut session, &race, &what), "{what}: rebuilt");
    }
    let stamp = session.workout_board(race.race).unwrap().stamp;
    assert!(stamp > generation, "screens see the boards changed");
    // The session's own writes still update in place after the hand-offs.
    let bib = &race.feed[0].0;
    let entrant = session
        .file()
        .unwrap()
        .entrant_by_bib(race.race, bib)
        .unwrap();
    session
        .amend(
            race.race,
            entrant,
            ScoreInput::text("DNF"),
            "judge",
            "appeal",
            None,
            usize::MAX,
        )
        .unwrap();
    assert!(!check(&mut session, &race, "after an amendment"));
    // The amended score is never overwritten by a later poll.
    let outcome = poller.poll(payload(&race, 60));
    assert_eq!(outcome.summary.as_ref().unwrap().imported, 9);
    inbox.post(handed_writes(&outcome));
    assert!(!check(&mut session, &race, "after the next poll"));
    let result = session.file().unwrap().result(race.race, entrant).unwrap();
    assert_eq!(result.unwrap().effective_value().unwrap().text, "DNF");
}

#[test]
fn a_write_by_anyone_else_around_a_poll_still_rebuilds_once() {
    let race = race(200, 5);
    let (mut session, mut poller, inbox) = session_on(&race);
    let bibs = &race.bibs;

    // Another program writes between the poll's commit and its hand-off.
    let outcome = poller.poll(payload(&race, 5));
    foreign_amendment(&race.path, race.row, &bibs[0], "7:00.0");
    inbox.post(handed_writes(&outcome));
    assert!(check(&mut session, &race, "foreign write after the poll"));
    assert!(!check(&mut session, &race, "then kept"));

    // ... and before the poll.
    foreign_amendment(&race.path, race.race, &bibs[1], "DNF");
    let outcome = poller.poll(payload(&race, 10));
    inbox.post(handed_writes(&outcome));
    assert!(check(&mut session, &race, "foreign write before the poll"));
    assert!(!check(&mut session, &race, "then kept"));

    // The session reads after the poll committed but before its hand-off
    // arrived: the poll counts as another program's write (a rebuild);
    // the late hand-off then changes nothing.
    let outcome = poller.poll(payload(&race, 15));
    assert!(check(&mut session, &race, "hand-off late"));
    inbox.post(handed_writes(&outcome));
    assert!(!check(&mut session, &race, "late hand-off ignored"));

    // A hand-off that names fewer writes than the poll made (a poller that
    // failed between them) is not enough.
    let outcome = poller.poll(payload(&race, 20));
    let mut partial = handed_writes(&outcome);
    partial.serials.truncate(partial.serials.len() - 1);
    inbox.post(partial);
    assert!(check(&mut session, &race, "partial hand-off"));
    assert!(!check(&mut session, &race, "then kept"));
}

#[test]
fn random_polls_amendments_and_foreign_writes_keep_every_board_fresh() {
    for seed in [11_u64, 12, 13] {
        let race = race(150, seed);
        let (mut session, mut poller, inbox) = session_on(&race);
        let mut random = SplitMix64::new(seed * 101);
        let mut sent = 0;
        let (mut in_place, mut rebuilt) = (0, 0);
        for step in 0..24 {
            let what = format!("seed {seed}, step {step}");
            let foreign = random.chance(150);
            match random.below(4) {
                0 | 1 => {
                    sent = (sent + 1 + random.below(8) as usize).min(race.feed.len());
                    let outcome = poller.poll(payload(&race, sent));
                    if foreign {
                        let bib = random.pick(race.bibs.as_slice()).clone();
                        foreign_amendment(&race.path, race.row, &bib, "DNS");
                    }
                    inbox.post(handed_writes(&outcome));
                }
                2 => {
                    // A local amendment of a polled or not yet polled athlete.
                    let workout_id = if random.chance(700) {
                        race.race
                    } else {
                        race.row
                    };
                    let bib = random.pick(race.bibs.as_slice()).clone();
                    let entrant = session
                        .file()
                        .unwrap()
                        .entrant_by_bib(workout_id, &bib)
                        .unwrap();
                    let value = format_ms(300_000 + random.below(600_000) as i64);
                    session
                        .amend(
                            workout_id,
                            entrant,
                            ScoreInput::text(&value),
                            "judge",
                            "appeal",
                            None,
                            usize::MAX,
                        )
                        .unwrap();
                    if foreign {
                        let bib = random.pick(race.bibs.as_slice()).clone();
                        foreign_amendment(&race.path, race.race, &bib, "DNF");
                    }
                }
                _ => {
                    // A poll that stores nothing new (its health write only).
                    if foreign {
                        let bib = random.pick(race.bibs.as_slice()).clone();
                        foreign_amendment(&race.path, race.race, &bib, "9:59.0");
                    }
                    let outcome = poller.poll(payload(&race, sent));
                    inbox.post(handed_writes(&outcome));
                }
            }
            let was_rebuilt = check(&mut session, &race, &what);
            assert_eq!(
                was_rebuilt, foreign,
                "{what}: rebuilt only after a foreign write"
            );
            if was_rebuilt {
                rebuilt += 1;
            } else {
                in_place += 1;
            }
        }
        assert!(in_place >= 15, "seed {seed}: {in_place} steps in place");
        let _ = rebuilt;
    }
}

/// Two pollers at once (two connections, two handles): their writes
/// interleave, and the boards stay in place only once both have handed
/// theirs over; a read while one hand-off is missing rebuilds.
#[test]
fn two_pollers_at_once_hand_over_interleaved_writes() {
    let race = race(300, 21);
    {
        let mut file = CompetitionFile::open(&race.path).unwrap();
        add_connection(
            &mut file,
            &FeedDetails {
                name: "timing-2",
                url: "http://127.0.0.1:9/results-2",
                workout_id: race.race,
                mapping_name: "by bib",
                format: RecordFormat::Json,
                interval_ms: 100,
                auth_env: None,
            },
        )
        .unwrap();
        file.close().unwrap();
    }
    let mut second = Poller::open(&race.path);
    let (mut session, mut first, inbox) = session_on(&race);
    let half = race.feed.len() / 2;
    let slice = |from: usize, to: usize| {
        let items: Vec<serde_json::Value> = race.feed[from..to]
            .iter()
            .map(|(bib, ms)| serde_json::json!({"Bib": bib, "Ms": ms.to_string()}))
            .collect();
        serde_json::to_vec(&items).unwrap()
    };
    let poll_second = |second: &mut Poller, body: Vec<u8>| {
        let outcome = poll_once(
            &mut second.file,
            "timing-2",
            &mut Feed(body),
            &mut second.backoff,
            None,
        )
        .unwrap();
        assert!(outcome.error.is_none(), "{:?}", outcome.error);
        outcome
    };
    // Both poll; the session reads before the first one's hand-off.
    let a = first.poll(slice(0, 5));
    let b = poll_second(&mut second, slice(half, half + 5));
    inbox.post(handed_writes(&b));
    assert!(check(&mut session, &race, "one hand-off missing"));
    inbox.post(handed_writes(&a));
    assert!(!check(&mut session, &race, "late hand-off ignored"));
    // Both poll and hand over, in either order: in place.
    for round in 1..4 {
        let a = first.poll(slice(0, 5 + round * 5));
        let b = poll_second(&mut second, slice(half, half + 5 + round * 5));
        assert_eq!(a.summary.as_ref().unwrap().imported, 5);
        assert_eq!(b.summary.as_ref().unwrap().imported, 5);
        if round % 2 == 0 {
            inbox.post(handed_writes(&a));
            inbox.post(handed_writes(&b));
        } else {
            inbox.post(handed_writes(&b));
            inbox.post(handed_writes(&a));
        }
        let what = format!("round {round}");
        assert!(!check(&mut session, &race, &what), "{what}: rebuilt");
    }
}

/// An official's decisions on what the polls could not apply (a conflict
/// accepted, a review item assigned or dismissed) go through the session's
/// write path: the kept boards and tables take them in place.
#[test]
fn conflict_and_review_decisions_keep_the_boards() {
    let race = race(200, 9);
    let (mut session, mut poller, inbox) = session_on(&race);
    let outcome = poller.poll(payload(&race, 3));
    inbox.post(handed_writes(&outcome));
    // The feed changes its mind about the first athlete, and sends a bib
    // nobody has.
    let (bib, ms) = race.feed[0].clone();
    let items = serde_json::json!([
        {"Bib": bib, "Ms": (ms - 30_000).to_string()},
        {"Bib": "no-such-bib", "Ms": "500000"},
    ]);
    let outcome = poller.poll(serde_json::to_vec(&items).unwrap());
    let summary = outcome.summary.clone().unwrap();
    assert_eq!((summary.new_conflicts, summary.unknown), (1, 1));
    inbox.post(handed_writes(&outcome));
    assert!(!check(&mut session, &race, "after the conflicting poll"));

    let conflict = session.file().unwrap().inbound_conflicts(true).unwrap()[0].id;
    session
        .resolve_conflict(
            conflict,
            ConflictDecision::Accept {
                reason: "the feed corrected it",
                appeal: None,
            },
        )
        .unwrap();
    assert!(!check(&mut session, &race, "after accepting the conflict"));
    let entrant = session
        .file()
        .unwrap()
        .entrant_by_bib(race.race, &bib)
        .unwrap();
    let stored = session
        .file()
        .unwrap()
        .result(race.race, entrant)
        .unwrap()
        .unwrap();
    assert!(stored.is_amended(), "{stored:?}");

    let review = session.file().unwrap().review_items(true).unwrap()[0].id;
    let unscored = race.feed.last().unwrap().0.clone();
    session.assign_review(review, &unscored).unwrap();
    assert!(!check(
        &mut session,
        &race,
        "after assigning the review item"
    ));
    let entrant = session
        .file()
        .unwrap()
        .entrant_by_bib(race.race, &unscored)
        .unwrap();
    assert!(session
        .file()
        .unwrap()
        .result(race.race, entrant)
        .unwrap()
        .is_some());

    let items = serde_json::json!([{"Bib": "another-stranger", "Ms": "500000"}]);
    let outcome = poller.poll(serde_json::to_vec(&items).unwrap());
    inbox.post(handed_writes(&outcome));
    let review = session.file().unwrap().review_items(true).unwrap()[0].id;
    session.dismiss_review(review).unwrap();
    assert!(!check(
        &mut session,
        &race,
        "after dismissing a review item"
    ));
}

/// Counts the pollers' reports of stored scores.
#[derive(Default)]
struct Heard(std::sync::atomic::AtomicUsize);

impl scoretable_usecase::session::SessionObserver for Heard {
    fn scores_changed(&self) {
        self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    }
}

/// The session's own poller threads hand their writes over: after the feed's
/// scores are stored (and the shell told), the boards and tables built
/// before were updated in place, not rebuilt.
#[test]
fn the_sessions_pollers_hand_their_scores_to_the_kept_boards() {
    let server = ScriptedServer::start(Reply::Json("[]".into()));
    // Polls 2 s apart: the boards are read between two polls, never
    // between a poll's commit and its hand-off.
    let race = race_polled_at(200, 7, &server.url, 2_000);
    let heard = Arc::new(Heard::default());
    let mut session = Session::new(
        SessionSettings::foreground("table 1"),
        Arc::clone(&heard) as Arc<dyn scoretable_usecase::session::SessionObserver>,
    );
    session.open(&race.path).unwrap();
    session.start_polling("timing").unwrap();
    // Its handle is open once it polled (the open is a commit of its own).
    wait(|| !server.requests().is_empty());
    std::thread::sleep(Duration::from_millis(300));
    check(&mut session, &race, "built");
    assert!(!check(&mut session, &race, "kept"));
    server.set(Reply::Json(String::from_utf8(payload(&race, 40)).unwrap()));
    wait(|| heard.0.load(std::sync::atomic::Ordering::SeqCst) >= 1);
    assert!(
        !check(&mut session, &race, "after the poll"),
        "the poll's scores were applied in place"
    );
    let file = session.file().unwrap();
    let entrant = file.entrant_by_bib(race.race, &race.feed[39].0).unwrap();
    assert!(file.result(race.race, entrant).unwrap().is_some());
    session.close().unwrap();
}

fn wait(mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while !done() {
        assert!(Instant::now() < deadline, "timed out");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A poller's handle announces each write before it commits
/// (`WriteInbox::hand_writes_of`): a read that sees the poll's first
/// commit before the hand-off arrives waits for it and applies it in
/// place. Here the hand-off comes 150 ms after the commit (a poller thread
/// preempted, or storing its health record first); without the
/// announcement the read rebuilt every board and table.
#[test]
fn a_read_between_a_polls_commit_and_its_hand_off_waits_for_it() {
    use scoretable_store::WriteNotice;
    let race = race(300, 31);
    let (mut session, mut poller, inbox) = session_on(&race);
    for (round, count) in [(0, 1), (1, 40), (2, 80)] {
        let (committed, heard) = std::sync::mpsc::channel();
        let writer = inbox.writer(false);
        poller.file.hand_writes_to(move |notice| {
            writer.notice(notice);
            if matches!(notice, WriteNotice::Committed(_)) {
                let _ = committed.send(());
            }
        });
        let body = payload(&race, count);
        let posting = inbox.clone();
        let thread = std::thread::spawn(move || {
            let outcome = poller.poll(body);
            std::thread::sleep(Duration::from_millis(150));
            posting.post(handed_writes(&outcome));
            poller
        });
        // The poll's first write (its results) committed; the hand-off is
        // on its way.
        heard.recv().unwrap();
        let what = format!("round {round}: read before the hand-off");
        assert!(!check(&mut session, &race, &what), "{what}: rebuilt");
        poller = thread.join().unwrap();
        assert!(!check(&mut session, &race, "after it"), "round {round}");
    }
}

/// An announced write that does not end in a hand-off never leaves a
/// stale board: abandoned (its commit failed or rolled back) while another
/// program committed with the same serial, announced by a writer that is
/// dropped (its thread ended) or that never says more, the read rebuilds,
/// and every board and table equals a fresh one.
#[test]
fn an_announced_write_without_a_hand_off_still_rebuilds() {
    use scoretable_store::WriteNotice;
    let race = race(200, 33);
    let (mut session, mut poller, inbox) = session_on(&race);

    // Abandoned: the serial goes to another program's write, which the
    // read must not take for the announced one.
    let writer = inbox.writer(false);
    let announced = write_serial(&session) + 1;
    writer.notice(WriteNotice::Announced(announced));
    foreign_amendment(&race.path, race.race, &race.bibs[1], "DNF");
    let abandoning = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(50));
        writer.notice(WriteNotice::Abandoned(announced));
        writer
    });
    assert!(check(&mut session, &race, "abandoned"), "rebuilt");
    drop(abandoning.join().unwrap());
    assert!(!check(&mut session, &race, "then kept"));

    // The writer is dropped (its thread ended) with the write announced.
    let writer = inbox.writer(false);
    writer.notice(WriteNotice::Announced(write_serial(&session) + 1));
    foreign_amendment(&race.path, race.race, &race.bibs[2], "DNF");
    let dropping = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(50));
        drop(writer);
    });
    assert!(check(&mut session, &race, "writer dropped"), "rebuilt");
    dropping.join().unwrap();

    // Announced and never resolved: the read waits its bound, then
    // rebuilds.
    let stuck = inbox.writer(false);
    stuck.notice(WriteNotice::Announced(write_serial(&session) + 1));
    foreign_amendment(&race.path, race.race, &race.bibs[3], "DNF");
    assert!(check(&mut session, &race, "never resolved"), "rebuilt");
    drop(stuck);

    // A real poll committed and its poller's handle gone before the
    // hand-off (a poller failing between its writes): what it announced
    // is withdrawn with the handle, and the read rebuilds with the poll's
    // scores.
    inbox.hand_writes_of(&mut poller.file);
    let outcome = poller.poll(payload(&race, 12));
    assert!(outcome.summary.as_ref().unwrap().imported > 0);
    drop(poller);
    assert!(check(&mut session, &race, "poller gone"), "rebuilt");
    assert!(!check(&mut session, &race, "then kept"));
}
