//! Poll stores N scores → the app's boards ready (group `poll`): a poller
//! of the app's process stores scores on its own handle, and the session's
//! kept workout board (every division) and overall tables (whole field and
//! one division) are read again, as a screen does on `scores-changed`.
//!
//! Two paths, interleaved run by run in one process on one file: the new
//! one hands the poll's writes to the session
//! (`scoretable_usecase::session::handed_writes` through the session's
//! write inbox: the stored entrants applied in place), the old one does not
//! hand them over, so the session sees another program's write and
//! rebuilds the board and each table (what every poll that stored
//! something cost before). The poll itself (map, ledger apply, health: two
//! fsync'd commits) is the floor, measured in the same runs.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use scoretable_core::generate::GeneratedEvent;
use scoretable_core::model::{Entrant, Id, Score, Source, Workout};
use scoretable_inbound::{
    poll_once, save_mapping, Backoff, FetchError, Fetcher, FieldMapping, IdentifierField,
    RecordFormat, ValueField, ValueTransform,
};
use scoretable_store::{CompetitionFile, IdentifierKind, ImportedResult, ScoreInput};
use scoretable_usecase::feeds::{add_connection, FeedDetails};
use scoretable_usecase::session::{handed_writes, Quiet, Session, SessionSettings};

use crate::hot_path::{thread_cpu, HotFigure, Percentiles};
use crate::{fail, BenchError, BenchResult};

/// Scores per poll, each measured new and old (fewer on a small field).
pub const POLL_SIZES: [usize; 2] = [1, 50];

struct Answer(Vec<u8>);

impl Fetcher for Answer {
    fn fetch(&mut self, _url: &str, _authorization: Option<&str>) -> Result<Vec<u8>, FetchError> {
        Ok(self.0.clone())
    }
}

/// Adds the polled workout (the race again, no splits) with every result
/// but `held` athletes' imported, a by-bib mapping and a connection; returns
/// the workout and the held-back (bib, ms) the polls send.
fn prepare_polled(
    path: &Path,
    race: &Workout,
    event: &GeneratedEvent,
    held: usize,
) -> BenchResult<(Id, Vec<(String, i64)>)> {
    let mut store = CompetitionFile::open(path).map_err(fail("opening"))?;
    let mut polled = race.clone();
    polled.id = 0;
    polled.name = "Polled race".into();
    polled.sequence = race.sequence + 2;
    polled.timing_points = Vec::new();
    polled.heats = Vec::new();
    let polled = store
        .add_workout(&polled)
        .map_err(fail("adding a workout"))?;
    let bibs: std::collections::HashMap<Id, &str> = event
        .competitors
        .iter()
        .map(|competitor| (competitor.id, competitor.bib.as_str()))
        .collect();
    let timed: Vec<(&str, i64)> = event.results[0]
        .iter()
        .filter_map(
            |result| match (result.entrant, result.score, result.status) {
                (Entrant::Competitor(id), Some(Score::Time { ms }), None) => Some((bibs[&id], ms)),
                _ => None,
            },
        )
        .collect();
    // Held back (at most half the field): spread over the field.
    let held = held.min(timed.len() / 2);
    let step = (timed.len() / held.max(1)).max(1);
    let mut feed = Vec::new();
    let mut records = Vec::new();
    for (index, (bib, ms)) in timed.iter().enumerate() {
        if index % step == 0 && feed.len() < held {
            feed.push((bib.to_string(), *ms));
            continue;
        }
        let entrant = store
            .entrant_by_bib(polled, bib)
            .map_err(fail("finding a bib"))?;
        records.push(ImportedResult {
            row: records.len() as u64 + 2,
            entrant,
            value: ScoreInput::Parsed {
                score: Some(Score::Time { ms: *ms }),
                status: None,
                tie_break_ms: None,
            },
            penalty_ms: 0,
            splits: Vec::new(),
            incidents: Vec::new(),
            record_id: None,
            received_at: None,
        });
    }
    store
        .import_results(polled, Source::File, "polled-race.csv", &records)
        .map_err(fail("importing"))?;
    let workout = store.workout(polled).map_err(fail("loading a workout"))?;
    save_mapping(
        &mut store,
        "bench feed",
        Some(polled),
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
    .map_err(fail("saving the mapping"))?;
    add_connection(
        &mut store,
        &FeedDetails {
            name: "bench timing",
            url: "http://127.0.0.1:9/results",
            workout_id: polled,
            mapping_name: "bench feed",
            format: RecordFormat::Json,
            interval_ms: 100,
            auth_env: None,
        },
    )
    .map_err(fail("adding the connection"))?;
    store.close().map_err(fail("closing"))?;
    Ok((polled, feed))
}

/// Reads what the app's screens show: the polled workout's board and the
/// whole-field and one division's overall tables; returns how many were
/// built for the read.
fn read_boards(session: &mut Session, workout_id: Id, scopes: &[Option<Id>]) -> BenchResult<usize> {
    let mut built = usize::from(
        session
            .workout_board(workout_id)
            .map_err(fail("reading the board"))?
            .built,
    );
    for scope in scopes {
        built += usize::from(
            session
                .overall_table(*scope)
                .map_err(fail("reading an overall table"))?
                .built,
        );
    }
    Ok(built)
}

struct Measured {
    wall: Vec<Duration>,
    cpu: Vec<Duration>,
}

impl Measured {
    fn new() -> Measured {
        Measured {
            wall: Vec::new(),
            cpu: Vec::new(),
        }
    }

    fn time<T>(&mut self, operation: impl FnOnce() -> BenchResult<T>) -> BenchResult<T> {
        let (cpu, start) = (thread_cpu(), Instant::now());
        let value = operation()?;
        self.wall.push(start.elapsed());
        self.cpu.push(thread_cpu().saturating_sub(cpu));
        Ok(value)
    }
}

/// The `poll` group at one size (see the module documentation).
pub fn poll_figures(
    athletes: usize,
    path: &Path,
    race: &Workout,
    event: &GeneratedEvent,
    runs: usize,
    budget: Duration,
    say: &dyn Fn(&str),
) -> BenchResult<Vec<HotFigure>> {
    let runs = runs.max(3);
    let wanted: usize = POLL_SIZES.iter().sum::<usize>() * 2;
    let (polled, feed) = prepare_polled(path, race, event, runs * wanted + 1)?;
    // A small field (the smoke test) polls fewer at once, so that three
    // rounds fit in the half of the field held back.
    let sizes: Vec<usize> = POLL_SIZES
        .iter()
        .map(|size| (*size).min((feed.len() / 8).max(1)))
        .collect();
    let per_round: usize = sizes.iter().sum::<usize>() * 2;
    // The poller's handle opens first, as a session's poller thread does.
    let mut poller = CompetitionFile::open(path).map_err(fail("opening"))?;
    poller.note_writes();
    let mut backoff = Backoff::new(Duration::from_millis(100), Duration::from_secs(1), 1);
    let mut session = Session::new(SessionSettings::foreground("bench"), Arc::new(Quiet));
    session.open(path).map_err(fail("opening the session"))?;
    let inbox = session.write_inbox(polled);
    let division = session
        .file()
        .map_err(fail("the session's file"))?
        .divisions()
        .map_err(fail("loading divisions"))?
        .first()
        .map(|division| division.id);
    let scopes = [None, division];
    read_boards(&mut session, polled, &scopes)?;

    // [size][new = 0, old = 1]: board-ready; [size]: the poll itself.
    let mut ready: Vec<[Measured; 2]> = sizes
        .iter()
        .map(|_| [Measured::new(), Measured::new()])
        .collect();
    let mut polls: Vec<Measured> = sizes.iter().map(|_| Measured::new()).collect();
    let mut rebuilt_new = 0;
    let mut sent = 0;
    let started = Instant::now();
    let mut rounds = 0;
    while rounds < runs
        && (rounds < 3 || started.elapsed() < budget)
        && sent + per_round < feed.len()
    {
        for (size_at, size) in sizes.iter().enumerate() {
            for (path_at, hand_over) in [(0, true), (1, false)] {
                let items: Vec<serde_json::Value> = feed[sent..sent + size]
                    .iter()
                    .map(|(bib, ms)| serde_json::json!({"Bib": bib, "Ms": ms.to_string()}))
                    .collect();
                sent += size;
                let body = serde_json::to_vec(&items).map_err(fail("writing the feed"))?;
                // poll_once waits out the connection's interval first: not
                // the poll's cost.
                let connection = poller
                    .connection_by_name("bench timing")
                    .map_err(fail("reading the connection"))?;
                std::thread::sleep(scoretable_inbound::wait_before_next_request(&connection));
                let outcome = polls[size_at].time(|| {
                    poll_once(
                        &mut poller,
                        "bench timing",
                        &mut Answer(body),
                        &mut backoff,
                        None,
                    )
                    .map_err(fail("polling"))
                })?;
                let stored = outcome
                    .summary
                    .as_ref()
                    .map_or(0, |summary| summary.imported);
                if stored != *size {
                    return Err(BenchError(format!(
                        "a poll of {size} stored {stored}: {:?}",
                        outcome.error
                    )));
                }
                let built = ready[size_at][path_at].time(|| {
                    if hand_over {
                        inbox.post(handed_writes(&outcome));
                    }
                    read_boards(&mut session, polled, &scopes)
                })?;
                if hand_over && built > 0 {
                    rebuilt_new += 1;
                }
                if !hand_over && built == 0 {
                    return Err(BenchError(
                        "the old path kept the boards: nothing was measured".into(),
                    ));
                }
            }
        }
        rounds += 1;
    }
    if rounds == 0 {
        return Err(BenchError(format!(
            "{} athletes: too few to hold back scores for the polls",
            athletes
        )));
    }
    // One more poll handed over, then what was kept must equal what the
    // file gives fresh.
    let body = serde_json::to_vec(&[serde_json::json!({
        "Bib": feed[sent].0, "Ms": feed[sent].1.to_string()
    })])
    .map_err(fail("writing the feed"))?;
    let outcome = poll_once(
        &mut poller,
        "bench timing",
        &mut Answer(body),
        &mut backoff,
        None,
    )
    .map_err(fail("polling"))?;
    inbox.post(handed_writes(&outcome));
    if read_boards(&mut session, polled, &scopes)? > 0 {
        rebuilt_new += 1;
    }
    let (fresh_rows, fresh_tables) = {
        let file = session.file().map_err(fail("the session's file"))?;
        let rows = file
            .live_board(polled)
            .map_err(fail("ranking"))?
            .rows(0..usize::MAX);
        let tables: Vec<_> = scopes
            .iter()
            .map(|scope| {
                scoretable_usecase::boards::overall_table(file, *scope)
                    .map(|table| table.lines(0..usize::MAX))
                    .map_err(fail("overall table"))
            })
            .collect::<BenchResult<_>>()?;
        (rows, tables)
    };
    let board = session.workout_board(polled).map_err(fail("reading"))?;
    if board.board.rows(0..usize::MAX) != fresh_rows {
        return Err(BenchError(
            "the board kept through the polls differs from a fresh one".into(),
        ));
    }
    for (scope, fresh) in scopes.iter().zip(fresh_tables) {
        let kept = session
            .overall_table(*scope)
            .map_err(fail("reading"))?
            .table
            .lines(0..usize::MAX);
        if kept != fresh {
            return Err(BenchError(format!(
                "the overall table {scope:?} kept through the polls differs from a fresh one"
            )));
        }
    }
    session.close().map_err(fail("closing the session"))?;
    poller.close().map_err(fail("closing"))?;

    let mut figures = Vec::new();
    let mut push = |measure: String, measured: &Measured, floor: String, note: String| {
        let figure = HotFigure {
            athletes,
            measure,
            wall: Percentiles::of(&measured.wall),
            cpu: Some(Percentiles::of(&measured.cpu)),
            peak_mb: None,
            floor,
            note,
        };
        say(&format!(
            "  {athletes}: {}: p50 {:.2} ms, p99 {:.2} ms, CPU p50 {:.2} ms p99 {:.2} ms ({} runs)",
            figure.measure,
            figure.wall.p50_ms,
            figure.wall.p99_ms,
            figure.cpu.as_ref().map_or(0.0, |cpu| cpu.p50_ms),
            figure.cpu.as_ref().map_or(0.0, |cpu| cpu.p99_ms),
            figure.wall.runs
        ));
        figures.push(figure);
    };
    for (size_at, size) in sizes.iter().enumerate() {
        let floor = format!("floor: the poll of {size} itself (map, ledger apply, health)");
        push(
            floor.clone(),
            &polls[size_at],
            String::new(),
            "poll_once on the poller's handle: two fsync'd commits".into(),
        );
        push(
            format!("poll stored {size} → board + 2 overall tables ready (handed over)"),
            &ready[size_at][0],
            floor.clone(),
            format!(
                "post handed_writes, then workout_board + overall_table (whole field, one division): applied in place; reads that rebuilt: {rebuilt_new}"
            ),
        );
        push(
            format!("poll stored {size} → board + 2 overall tables ready (old: rebuilt)"),
            &ready[size_at][1],
            floor,
            "no hand-off: another program's write to the session, the board and both tables rebuilt".into(),
        );
    }
    Ok(figures)
}
