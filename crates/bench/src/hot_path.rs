//! The hot path of issue 13, at several event sizes: amend → updated board,
//! full re-rank, every CLI read command, `score amend` and `score enter` in a
//! fresh process, the live-timing message of a 150-athlete wave, export
//! memory, and the competitors import against `sqlite3 .import`.
//!
//! Every measure reports p50 and p99 (and the maximum) over its runs, and
//! each is set beside a floor measured in the same run: one fsync'd
//! transaction, opening and closing the file, sorting the field's keys, the
//! `sqlite3` shell's import. CLI commands and exports run the real
//! `scoretable` binary as a child process, timed by wall clock and by the
//! child's CPU time and peak memory (`wait4`), as a user runs them.
//!
//! Slow measures are capped by a time budget: a measure runs at most its run
//! count, and stops early once the budget is spent (at least three runs), so
//! a slow "before" build still finishes. The run counts are in the report.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use scoretable_core::generate::{large_individual_event, GeneratedEvent};
use scoretable_core::import::read_scores_csv;
use scoretable_core::model::{Entrant, Id, Score, Source, Split, Workout};
use scoretable_core::time::{format_time, TimeStyle};
use scoretable_store::{CompetitionFile, ImportedResult, LeaderboardSettings, ScoreInput};
use scoretable_usecase::imports::match_score_rows;
use serde::Serialize;

use crate::{
    copy_competition_file, fail, remove_competition_file, scores_csv, write_entry_list, BenchError,
    BenchResult,
};

/// What the hot-path run measures.
#[derive(Debug, Clone, Serialize)]
pub struct HotConfig {
    /// Event sizes (athletes), each a separate generated race.
    pub sizes: Vec<usize>,
    /// Amendments for amend → board (spread over the field).
    pub amendments: usize,
    /// Runs of each other measure (fewer when the budget is spent).
    pub runs: usize,
    /// Seconds one measure may take before it stops (after three runs).
    pub budget_seconds: f64,
    /// The `scoretable` binary for the fresh-process measures.
    pub cli: Option<PathBuf>,
    pub seed: u64,
    /// Which groups of measures run (empty: all): `floors`, `rerank`,
    /// `amend`, `amend-overall`, `poll`, `live`, `cli-read`, `cli-amend`,
    /// `cli-enter`, `export`, `import`; `keep-file` keeps the generated competition file.
    pub measures: Vec<String>,
}

impl HotConfig {
    fn runs_measure(&self, group: &str) -> bool {
        self.measures.is_empty() || self.measures.iter().any(|wanted| wanted == group)
    }
}

/// p50 / p99 / max of one measure.
#[derive(Debug, Clone, Serialize)]
pub struct Percentiles {
    pub runs: usize,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
}

impl Percentiles {
    pub fn of(durations: &[Duration]) -> Percentiles {
        let mut ms: Vec<f64> = durations
            .iter()
            .map(|duration| duration.as_secs_f64() * 1000.0)
            .collect();
        ms.sort_by(f64::total_cmp);
        let at = |quantile: f64| {
            let index = ((ms.len() as f64 * quantile).ceil() as usize).clamp(1, ms.len()) - 1;
            ms[index]
        };
        Percentiles {
            runs: ms.len(),
            p50_ms: at(0.5),
            p99_ms: at(0.99),
            max_ms: ms[ms.len() - 1],
        }
    }
}

/// One line of the hot-path table.
#[derive(Debug, Clone, Serialize)]
pub struct HotFigure {
    pub athletes: usize,
    pub measure: String,
    /// Wall clock.
    pub wall: Percentiles,
    /// CPU time: of this thread for in-process measures, of the child process
    /// (user + system) for fresh-process ones.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cpu: Option<Percentiles>,
    /// Peak resident memory of the child process, megabytes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub peak_mb: Option<f64>,
    /// The floor it is compared with, by name (a figure of the same run).
    pub floor: String,
    pub note: String,
}

/// This thread's CPU time so far.
pub(crate) fn thread_cpu() -> Duration {
    // SAFETY: an all-zero `timespec` is valid; clock_gettime writes it.
    let mut time: libc::timespec = unsafe { std::mem::zeroed() };
    // SAFETY: a valid clock id and a valid pointer to `time`.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut time) };
    Duration::new(time.tv_sec as u64, time.tv_nsec as u32)
}

/// Wall-clock and CPU durations of the runs of one in-process measure.
struct Runs {
    wall: Vec<Duration>,
    cpu: Vec<Duration>,
}

impl Runs {
    fn new() -> Runs {
        Runs {
            wall: Vec::new(),
            cpu: Vec::new(),
        }
    }

    /// Runs `operation` once, adding its wall-clock and CPU time.
    fn time<T>(&mut self, operation: impl FnOnce() -> BenchResult<T>) -> BenchResult<T> {
        let cpu = thread_cpu();
        let start = Instant::now();
        let value = operation()?;
        self.wall.push(start.elapsed());
        self.cpu.push(thread_cpu().saturating_sub(cpu));
        Ok(value)
    }
}

/// The placed entrants of `workout_id`'s whole-field board with their
/// scores, in board order: what the amendment runs pick from.
fn placed_entrants(
    store: &CompetitionFile,
    workout_id: Id,
) -> BenchResult<Vec<(Entrant, Option<Score>)>> {
    Ok(store
        .workout_board(workout_id, None)
        .map_err(fail("ranking"))?
        .rows
        .iter()
        .filter(|row| row.rank.is_some())
        .map(|row| (row.entrant, row.score))
        .collect())
}

/// Runs `operation` up to `runs` times, stopping when `budget` is spent
/// (after at least three runs).
fn timed<T>(
    runs: usize,
    budget: Duration,
    mut operation: impl FnMut(usize) -> BenchResult<T>,
) -> BenchResult<Runs> {
    let mut measured = Runs::new();
    let started = Instant::now();
    for run in 0..runs.max(1) {
        std::hint::black_box(measured.time(|| operation(run))?);
        if run + 1 >= 3 && started.elapsed() > budget {
            break;
        }
    }
    Ok(measured)
}

/// Runs `measured` then `floor` alternately (`runs` times at most, at least
/// 3, until `budget` is spent), each timed on its own: the interleaved
/// floor sees the same disk, backups and neighbours as the measured
/// operation, and its time is never part of the measured one's. (The amend
/// measures timed the amendment and the floor write after it as one run
/// until this was split out.)
fn interleaved<S, T>(
    runs: usize,
    budget: Duration,
    state: &mut S,
    mut measured: impl FnMut(&mut S, usize) -> BenchResult<T>,
    mut floor: impl FnMut(&mut S, usize) -> BenchResult<()>,
) -> BenchResult<(Runs, Runs)> {
    let mut measured_runs = Runs::new();
    let mut floor_runs = Runs::new();
    let started = Instant::now();
    for run in 0..runs.max(1) {
        std::hint::black_box(measured_runs.time(|| measured(state, run))?);
        floor_runs.time(|| floor(state, run))?;
        if run + 1 >= 3 && started.elapsed() > budget {
            break;
        }
    }
    Ok((measured_runs, floor_runs))
}

/// A finished child process: wall time, CPU time, peak memory.
struct ChildRun {
    wall: Duration,
    cpu: Duration,
    peak_kb: i64,
    stdout: Vec<u8>,
    stderr: Vec<u8>,
}

/// GNU time, which reports its child's peak resident memory.
const GNU_TIME: &str = "/usr/bin/time";

/// The `peak-kb N` line `GNU_TIME -f "peak-kb %M"` prints last.
fn peak_from_gnu_time(stderr: &[u8]) -> Option<i64> {
    String::from_utf8_lossy(stderr)
        .lines()
        .rev()
        .find_map(|line| line.trim().strip_prefix("peak-kb ")?.parse().ok())
}

/// Runs a command to completion and reads its resource use with `wait4`.
fn run_child(command: &mut Command) -> BenchResult<ChildRun> {
    use std::io::Read as _;
    let start = Instant::now();
    let mut child = command
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .map_err(fail("starting a child process"))?;
    // Errors are drained on their own thread, so a chatty child never
    // blocks on a full pipe while its output is read.
    let errors = child.stderr.take().map(|mut pipe| {
        std::thread::spawn(move || {
            let mut stderr = Vec::new();
            let _ = pipe.read_to_end(&mut stderr);
            stderr
        })
    });
    let mut stdout = Vec::new();
    if let Some(mut pipe) = child.stdout.take() {
        pipe.read_to_end(&mut stdout)
            .map_err(fail("reading the child's output"))?;
    }
    let stderr = errors
        .map(|thread| thread.join().unwrap_or_default())
        .unwrap_or_default();
    let mut status = 0;
    // SAFETY: an all-zero `rusage` is a valid value for this plain C struct.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: waits for our own child by pid; `status` and `usage` are valid
    // for writes for the duration of the call.
    let waited = unsafe { libc::wait4(child.id() as libc::pid_t, &mut status, 0, &mut usage) };
    let wall = start.elapsed();
    if waited < 0 {
        return Err(BenchError("wait4 failed".into()));
    }
    if !(libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0) {
        return Err(BenchError(format!(
            "{command:?} failed: {}",
            String::from_utf8_lossy(&stderr)
        )));
    }
    let seconds = |time: libc::timeval| {
        Duration::from_secs(time.tv_sec as u64) + Duration::from_micros(time.tv_usec as u64)
    };
    Ok(ChildRun {
        wall,
        cpu: seconds(usage.ru_utime) + seconds(usage.ru_stime),
        peak_kb: usage.ru_maxrss,
        stdout,
        stderr,
    })
}

/// Where the `scoretable` binary is: the configured path, else beside this
/// executable.
fn cli_binary(config: &HotConfig) -> Option<PathBuf> {
    if let Some(path) = &config.cli {
        return Some(path.clone());
    }
    let beside = std::env::current_exe().ok()?.with_file_name("scoretable");
    beside.exists().then_some(beside)
}

/// The race with results, and a 150-athlete wave with splits beside it.
struct Prepared {
    path: PathBuf,
    race: Workout,
    wave: Id,
    bibs: Vec<String>,
}

fn prepare(event: &GeneratedEvent, work_dir: &Path, label: &str) -> BenchResult<Prepared> {
    let entry_list = work_dir.join(format!("{label}-entry-list.scoretable"));
    write_entry_list(&entry_list, event)?;
    let path = work_dir.join(format!("{label}.scoretable"));
    copy_competition_file(&entry_list, &path)?;
    remove_competition_file(&entry_list);
    let mut store = CompetitionFile::open(&path).map_err(fail("opening"))?;
    let race = store
        .workouts()
        .map_err(fail("loading workouts"))?
        .remove(0);
    let scores_path = work_dir.join(format!("{label}-scores.csv"));
    fs::write(&scores_path, scores_csv(event, &race, &event.results[0]))
        .map_err(fail("writing the scores CSV"))?;
    let scores_name = scores_path.display().to_string();
    let file = fs::File::open(&scores_path).map_err(fail("opening the scores CSV"))?;
    let drafts = read_scores_csv(file, &scores_name, &race).map_err(fail("parsing scores"))?;
    let records =
        match_score_rows(&store, &race, &scores_name, drafts).map_err(fail("matching bibs"))?;
    store
        .import_results(race.id, Source::File, &scores_name, &records)
        .map_err(fail("importing scores"))?;
    // The wave: a second race of the same course for the first 150 athletes.
    let mut wave = race.clone();
    wave.id = 0;
    wave.name = "Age-group wave 1".into();
    wave.sequence = race.sequence + 1;
    wave.heats = Vec::new();
    for point in &mut wave.timing_points {
        point.id = 0;
    }
    let wave_id = store.add_workout(&wave).map_err(fail("adding the wave"))?;
    let wave = store.workout(wave_id).map_err(fail("loading the wave"))?;
    let wave_records: Vec<ImportedResult> = records
        .iter()
        .take(150)
        .enumerate()
        .map(|(row, record)| ImportedResult {
            row: row as u64 + 2,
            entrant: record.entrant,
            value: record.value.clone(),
            penalty_ms: record.penalty_ms,
            splits: record
                .splits
                .iter()
                .filter_map(|split| {
                    let order = race
                        .timing_points
                        .iter()
                        .find(|point| point.id == split.timing_point_id)?
                        .order;
                    let point = wave
                        .timing_points
                        .iter()
                        .find(|point| point.order == order)?;
                    Some(Split {
                        timing_point_id: point.id,
                        total_ms: split.total_ms,
                    })
                })
                .collect(),
            incidents: Vec::new(),
            record_id: None,
            received_at: None,
        })
        .collect();
    store
        .import_results(wave_id, Source::Feed, "wave feed", &wave_records)
        .map_err(fail("importing the wave"))?;
    store.close().map_err(fail("closing"))?;
    fs::remove_file(&scores_path).ok();
    Ok(Prepared {
        path,
        race,
        wave: wave_id,
        bibs: event.competitors.iter().map(|c| c.bib.clone()).collect(),
    })
}

/// The amended value of a run: 61 s faster or slower, or a status, so that
/// people move.
fn amended_value(score: Option<Score>, run: usize) -> String {
    match (score, run % 10) {
        (_, 9) => "DNF".to_string(),
        (Some(Score::Time { ms }), step) => {
            let delta = if step % 2 == 0 { -61_000 } else { 61_000 };
            format_time((ms + delta).max(1_000), TimeStyle::Iso)
        }
        _ => "1:00:00".to_string(),
    }
}

/// Runs the hot-path measures at every configured size.
pub fn run_hot_path(
    config: &HotConfig,
    work_dir: &Path,
    progress: &mut dyn FnMut(&str),
) -> BenchResult<Vec<HotFigure>> {
    let mut figures = Vec::new();
    for &athletes in &config.sizes {
        figures.extend(size_figures(config, athletes, work_dir, progress)?);
    }
    Ok(figures)
}

fn size_figures(
    config: &HotConfig,
    athletes: usize,
    work_dir: &Path,
    progress: &mut dyn FnMut(&str),
) -> BenchResult<Vec<HotFigure>> {
    let budget = Duration::from_secs_f64(config.budget_seconds);
    let figures = std::cell::RefCell::new(Vec::new());
    let progress = std::cell::RefCell::new(progress);
    let say = |message: &str| (progress.borrow_mut())(message);
    let push = |measure: &str,
                wall: Vec<Duration>,
                cpu: Option<Vec<Duration>>,
                peak_kb: Option<i64>,
                floor: &str,
                note: &str| {
        let figure = HotFigure {
            athletes,
            measure: measure.to_string(),
            wall: Percentiles::of(&wall),
            cpu: cpu.as_deref().map(Percentiles::of),
            peak_mb: peak_kb.map(|kb| kb as f64 / 1024.0),
            floor: floor.to_string(),
            note: note.to_string(),
        };
        say(&format!(
            "  {athletes}: {measure}: p50 {:.2} ms, p99 {:.2} ms ({} runs){}",
            figure.wall.p50_ms,
            figure.wall.p99_ms,
            figure.wall.runs,
            figure
                .cpu
                .as_ref()
                .map(|cpu| format!(", CPU p50 {:.2} ms", cpu.p50_ms))
                .unwrap_or_default()
        ));
        figures.borrow_mut().push(figure);
    };

    say(&format!("hot path: generating {athletes} athletes"));
    let event = large_individual_event(athletes, 12, 10, config.seed);
    let label = format!("hot-{athletes}");
    let prepared = prepare(&event, work_dir, &label)?;
    let path = prepared.path.clone();

    // Floors.
    let open_close = timed(config.runs.max(20), budget, |_| {
        let store = CompetitionFile::open(&path).map_err(fail("opening"))?;
        store.close().map_err(fail("closing"))
    })?;
    push(
        "floor: open + close the file",
        open_close.wall,
        Some(open_close.cpu),
        None,
        "",
        "CompetitionFile::open then close (in process)",
    );
    {
        let mut store = CompetitionFile::open(&path).map_err(fail("opening"))?;
        let settings = store
            .leaderboard_settings()
            .map_err(fail("reading settings"))?;
        let transaction = timed(config.runs.max(50), budget, |_| {
            store
                .set_leaderboard_settings(&LeaderboardSettings { ..settings.clone() })
                .map_err(fail("writing settings"))
        })?;
        push(
            "floor: one fsync'd write transaction",
            transaction.wall,
            Some(transaction.cpu),
            None,
            "",
            "set_leaderboard_settings: BEGIN IMMEDIATE, one row, COMMIT (synchronous=FULL, WAL)",
        );
        store.close().map_err(fail("closing"))?;
    }
    {
        // Sorting the field's (score, entrant) keys and counting division
        // places: what any full ranking must at least do.
        let keys: Vec<(i64, u32, u16)> = event.results[0]
            .iter()
            .enumerate()
            .map(|(index, result)| {
                let score = match result.score {
                    Some(Score::Time { ms }) if result.status.is_none() => ms,
                    _ => i64::MAX,
                };
                (score, index as u32, (index % 12) as u16)
            })
            .collect();
        let sort = timed(config.runs.max(20), budget, |_| {
            let mut sorted = keys.clone();
            sorted.sort_unstable();
            let mut places = [0_u32; 12];
            let mut total = 0_u64;
            for (_, _, division) in &sorted {
                places[*division as usize] += 1;
                total += u64::from(places[*division as usize]);
            }
            Ok(total)
        })?;
        push(
            "floor: sort the field's keys + division places",
            sort.wall,
            Some(sort.cpu),
            None,
            "",
            "Vec<(i64, u32, u16)>::sort_unstable and one counting pass",
        );
    }

    // Full re-rank.
    if config.runs_measure("rerank") {
        let store = CompetitionFile::open(&path).map_err(fail("opening"))?;
        let board = timed(config.runs, budget, |_| {
            store
                .workout_board(prepared.race.id, None)
                .map(|board| board.rows.len())
                .map_err(fail("ranking"))
        })?;
        push(
            "full re-rank: workout board (load + rank, no splits)",
            board.wall,
            Some(board.cpu),
            None,
            "floor: sort the field's keys + division places",
            "workout_board",
        );
        let by_division = timed(config.runs, budget, |_| {
            store
                .workout_leaderboards_by_division(prepared.race.id)
                .map(|boards| boards.len())
                .map_err(fail("ranking"))
        })?;
        let live = timed(config.runs, budget, |_| {
            store
                .live_board(prepared.race.id)
                .map(|board| board.len())
                .map_err(fail("ranking"))
        })?;
        push(
            "full re-rank: live board, every division (compact, no names)",
            live.wall,
            Some(live.cpu),
            None,
            "floor: sort the field's keys + division places",
            "CompetitionFile::live_board: ranking columns + bibs and divisions, one sort, divisions split in the same pass",
        );
        push(
            "full re-rank: every division board (with splits)",
            by_division.wall,
            Some(by_division.cpu),
            None,
            "floor: sort the field's keys + division places",
            "workout_leaderboards_by_division: one ranking split into 12 boards",
        );
        store.close().map_err(fail("closing"))?;
    }

    // Amend → updated board, in one long-running process as the app runs
    // (automatic backups on).
    if config.runs_measure("amend") {
        say(&format!(
            "  {athletes}: amend → board ({} amendments at most)",
            config.amendments
        ));
        let mut store = CompetitionFile::open(&path).map_err(fail("opening"))?;
        let ranked = placed_entrants(&store, prepared.race.id)?;
        let mut app = crate::app_path::AppBoards::new(&store, prepared.race.id)?;
        let mut rebuilds = 0_usize;
        // The floor, interleaved: one fsync'd settings write after each
        // amendment, so both see the same disk, backups and neighbours.
        let settings = store
            .leaderboard_settings()
            .map_err(fail("reading settings"))?;
        let (amend, floor) = interleaved(
            config.amendments,
            Duration::from_secs_f64(config.budget_seconds * 3.0),
            &mut (&mut store, &mut app),
            |(store, app), run| {
                let (entrant, score) = ranked[(run * 7919 + 13) % ranked.len()];
                let moved = app.amend_and_refresh(
                    store,
                    entrant,
                    ScoreInput::text(amended_value(score, run)),
                    &format!("BENCH-{run}"),
                )?;
                // Another connection committed meanwhile: the next
                // amendment rebuilds.
                if !app.kept() {
                    rebuilds += 1;
                }
                Ok(moved)
            },
            |(store, app), _| app.settings_write(store, &settings),
        )?;
        // The kept board must equal a full ranking of the file after all that.
        let fresh = store
            .workout_board(prepared.race.id, None)
            .map_err(fail("ranking"))?;
        if app.rows(&store)? != fresh.rows {
            return Err(BenchError(
                "the board kept through the amendments differs from a full ranking".into(),
            ));
        }
        push(
            "floor: one fsync'd write transaction, interleaved with the amendments",
            floor.wall,
            Some(floor.cpu),
            None,
            "",
            "set_leaderboard_settings after each amendment (same disk, backups and neighbours)",
        );
        push(
            "amend one score → updated board (in process)",
            amend.wall,
            Some(amend.cpu),
            None,
            "floor: one fsync'd write transaction, interleaved with the amendments",
            &format!(
                "{}; boards rebuilt after another connection's commit: {rebuilds}",
                crate::app_path::DESCRIPTION
            ),
        );
        store.close().map_err(fail("closing"))?;
    }

    // Amend → updated board and overall tables (whole field and one
    // division), kept and updated in place, against the old path (the
    // overall tables rebuilt from the file after the amendment) and the
    // interleaved fsync'd write, all in the same run.
    if config.runs_measure("amend-overall") {
        say(&format!(
            "  {athletes}: amend → board + overall tables ({} amendments at most)",
            config.amendments
        ));
        let mut store = CompetitionFile::open(&path).map_err(fail("opening"))?;
        let ranked = placed_entrants(&store, prepared.race.id)?;
        let division = store
            .divisions()
            .map_err(fail("loading divisions"))?
            .first()
            .map(|division| division.id);
        let scopes = [None, division];
        let settings = store
            .leaderboard_settings()
            .map_err(fail("reading settings"))?;
        let mut app = crate::app_path::AppBoards::new(&store, prepared.race.id)?;
        app.keep_overall(&store, &scopes)?;
        let mut dropped = 0_usize;
        let (amend, floor) = interleaved(
            config.amendments,
            Duration::from_secs_f64(config.budget_seconds * 3.0),
            &mut (&mut store, &mut app),
            |(store, app), run| {
                let (entrant, score) = ranked[(run * 7919 + 13) % ranked.len()];
                let moved = app.amend_and_refresh(
                    store,
                    entrant,
                    ScoreInput::text(amended_value(score, run)),
                    &format!("BENCH-O-{run}"),
                )?;
                // Another connection committed meanwhile: rebuilt on the
                // next read, counted.
                if app.overall_kept() < scopes.len() {
                    dropped += 1;
                    app.keep_overall(store, &scopes)?;
                }
                Ok(moved)
            },
            |(store, app), _| app.settings_write(store, &settings),
        )?;
        // The kept tables must equal tables built from the file.
        for scope in scopes {
            let (kept, _) = app.overall_lines(&store, scope)?;
            let fresh = scoretable_usecase::boards::overall_table(&store, scope)
                .map_err(fail("overall table"))?
                .lines(0..usize::MAX);
            if kept != fresh {
                return Err(BenchError(format!(
                    "the overall table ({scope:?}) kept through the amendments differs from one built from the file"
                )));
            }
        }
        push(
            "floor: one fsync'd write transaction, interleaved with the amendments (overall kept)",
            floor.wall,
            Some(floor.cpu),
            None,
            "",
            "set_leaderboard_settings after each amendment (same disk, backups and neighbours)",
        );
        push(
            "amend one score → updated board and overall tables (in process)",
            amend.wall,
            Some(amend.cpu),
            None,
            "floor: one fsync'd write transaction, interleaved with the amendments (overall kept)",
            &format!(
                "{}; then LiveOverall::apply on the whole-field and one division's overall table; tables dropped by another connection's commit: {dropped}",
                crate::app_path::DESCRIPTION
            ),
        );
        // The old path: the board in place, the overall tables rebuilt.
        let mut old = crate::app_path::AppBoards::new(&store, prepared.race.id)?;
        let rebuilt = timed(config.runs, budget, |run| {
            let (entrant, score) = ranked[(run * 7919 + 29) % ranked.len()];
            old.amend_and_refresh(
                &mut store,
                entrant,
                ScoreInput::text(amended_value(score, run + 1)),
                &format!("BENCH-R-{run}"),
            )?;
            let mut rows = 0;
            for scope in scopes {
                rows += crate::app_path::rebuild_overall(&store, scope)?;
            }
            Ok(rows)
        })?;
        push(
            "amend one score → board in place, overall tables rebuilt from the file (old path)",
            rebuilt.wall,
            Some(rebuilt.cpu),
            None,
            "floor: one fsync'd write transaction, interleaved with the amendments (overall kept)",
            "KeptBoards::amend, then overall_table for the whole field and one division",
        );
        store.close().map_err(fail("closing"))?;
    }

    // Poll stores N scores → the app's boards ready (crate::poll_path).
    if config.runs_measure("poll") {
        say(&format!("  {athletes}: poll → boards ready"));
        let polled = crate::poll_path::poll_figures(
            athletes,
            &path,
            &prepared.race,
            &event,
            config.runs.max(40),
            Duration::from_secs_f64(config.budget_seconds * 6.0),
            &say,
        )?;
        figures.borrow_mut().extend(polled);
    }

    // Live timing.
    if config.runs_measure("live") {
        let store = CompetitionFile::open(&path).map_err(fail("opening"))?;
        let config_value = serde_json::json!({});
        let message = timed(config.runs.max(20), budget, |_| {
            scoretable_sync::triathlon::render_message(
                &store,
                prepared.wave,
                "prog-1",
                &config_value,
            )
            .map(|message| message.text().len())
            .map_err(fail("building the live-timing message"))
        })?;
        push(
            "live-timing message, 150-athlete wave",
            message.wall,
            Some(message.cpu),
            None,
            "floor: open + close the file",
            "scoretable_sync::triathlon::render_message: the message's JSON text",
        );
        let digested = timed(config.runs.max(20), budget, |_| {
            scoretable_sync::triathlon::render_message(
                &store,
                prepared.wave,
                "prog-1",
                &config_value,
            )
            .map(|message| message.content_digest().len())
            .map_err(fail("building the live-timing message"))
        })?;
        push(
            "live-timing message + content digest (a push's work before sending)",
            digested.wall,
            Some(digested.cpu),
            None,
            "floor: open + close the file",
            "render_message, then LiveMessage::content_digest (SHA-256 of the text without its date)",
        );
        store.close().map_err(fail("closing"))?;
    }

    // Fresh processes.
    let Some(cli) = cli_binary(config) else {
        say("  no scoretable binary beside the bench: fresh-process measures skipped (build it with `cargo build --release -p scoretable-cli`)");
        return Ok(figures.into_inner());
    };
    let file_arg = path.display().to_string();
    let cli_run = |arguments: &[&str]| -> BenchResult<ChildRun> {
        run_child(Command::new(&cli).arg("-f").arg(&file_arg).args(arguments))
    };
    let middle_bib = prepared.bibs[prepared.bibs.len() / 2].clone();
    let read_commands: Vec<(&str, Vec<&str>)> = vec![
        ("CLI info", vec!["info"]),
        ("CLI workout list", vec!["workout", "list"]),
        ("CLI division list", vec!["division", "list"]),
        (
            "CLI competitor show",
            vec!["competitor", "show", middle_bib.as_str()],
        ),
    ];
    for (measure, arguments) in read_commands
        .into_iter()
        .filter(|_| config.runs_measure("cli-read"))
    {
        let mut cpu = Vec::new();
        let mut peak = 0;
        let wall = timed(config.runs, budget, |_| {
            let run = cli_run(&arguments)?;
            cpu.push(run.cpu);
            peak = peak.max(run.peak_kb);
            Ok(run.stdout.len())
        })?;
        push(
            measure,
            wall.wall,
            Some(cpu),
            Some(peak),
            "floor: open + close the file",
            "a fresh `scoretable` process",
        );
    }
    if config.runs_measure("cli-amend") {
        let race_name = prepared.race.name.clone();
        let rows_by_bib: Vec<&String> = prepared.bibs.iter().collect();
        let mut cpu = Vec::new();
        let mut peak = 0;
        let wall = timed(config.runs, budget, |run| {
            let bib = rows_by_bib[(run * 104_729 + 7) % rows_by_bib.len()];
            let value = format_time(3_600_000 + run as i64 * 1000, TimeStyle::Iso);
            let child = cli_run(&[
                "score",
                "amend",
                &race_name,
                bib,
                &value,
                "--reason",
                "bench",
                "--by",
                "bench official",
            ])?;
            cpu.push(child.cpu);
            peak = peak.max(child.peak_kb);
            Ok(child.stdout.len())
        })?;
        push(
            "CLI score amend (who moved included)",
            wall.wall,
            Some(cpu),
            Some(peak),
            "floor: open + close the file",
            "a fresh process: amend, find who moved, print the summary",
        );
    }
    if config.runs_measure("cli-enter") {
        // Entries into a fresh workout, one athlete each, in a copy of the file.
        let copy = work_dir.join(format!("{label}-enter.scoretable"));
        copy_competition_file(&path, &copy)?;
        let mut store = CompetitionFile::open(&copy).map_err(fail("opening"))?;
        let mut workout = prepared.race.clone();
        workout.id = 0;
        workout.name = "Entry test".into();
        workout.sequence += 5;
        workout.timing_points = Vec::new();
        workout.heats = Vec::new();
        store
            .add_workout(&workout)
            .map_err(fail("adding a workout"))?;
        store.close().map_err(fail("closing"))?;
        let copy_arg = copy.display().to_string();
        let mut cpu = Vec::new();
        let mut peak = 0;
        let wall = timed(config.runs, budget, |run| {
            let bib = &prepared.bibs[(run * 7_919 + 3) % prepared.bibs.len()];
            let child = run_child(Command::new(&cli).args([
                "-f",
                &copy_arg,
                "score",
                "enter",
                "Entry test",
                bib,
                "1:02:03",
            ]))?;
            cpu.push(child.cpu);
            peak = peak.max(child.peak_kb);
            Ok(child.stdout.len())
        })?;
        push(
            "CLI score enter",
            wall.wall,
            Some(cpu),
            Some(peak),
            "floor: open + close the file",
            "a fresh process: one typed score",
        );
        remove_competition_file(&copy);
    }
    for (measure, arguments) in [
        ("CLI export all (memory)", vec!["export", "all", "--dir"]),
        (
            "CLI export seal (memory)",
            vec!["export", "seal", "--output"],
        ),
    ]
    .into_iter()
    .filter(|_| config.runs_measure("export"))
    {
        let target = work_dir.join(format!("{label}-{}", arguments[1]));
        let _ = fs::remove_dir_all(&target);
        let _ = fs::remove_file(&target);
        let target = if arguments[1] == "seal" {
            target.with_extension("zip")
        } else {
            target
        };
        let mut all_arguments: Vec<String> = arguments.iter().map(|a| a.to_string()).collect();
        all_arguments.push(target.display().to_string());
        let references: Vec<&str> = all_arguments.iter().map(String::as_str).collect();
        // A child's ru_maxrss counts the pages it shared with this (large)
        // process at fork; GNU time forks the export from its own small
        // process, so its figure is the export's alone.
        let (child, peak_kb, how) = if Path::new(GNU_TIME).exists() {
            let child = run_child(
                Command::new(GNU_TIME)
                    .arg("-f")
                    .arg("peak-kb %M")
                    .arg(&cli)
                    .arg("-f")
                    .arg(&file_arg)
                    .args(&references),
            )?;
            let peak = peak_from_gnu_time(&child.stderr).ok_or_else(|| {
                BenchError(format!(
                    "{GNU_TIME} printed no peak: {}",
                    String::from_utf8_lossy(&child.stderr)
                ))
            })?;
            (
                child,
                peak,
                "peak resident memory of the export process (GNU time %M)",
            )
        } else {
            let child = cli_run(&references)?;
            let peak = child.peak_kb;
            (
                child,
                peak,
                "peak resident memory (ru_maxrss; includes this process's size at fork)",
            )
        };
        push(
            measure,
            vec![child.wall],
            Some(vec![child.cpu]),
            Some(peak_kb),
            "",
            how,
        );
        let _ = fs::remove_dir_all(&target);
        let _ = fs::remove_file(&target);
    }
    if config.runs_measure("import") {
        // Competitors import vs the sqlite3 shell importing the same CSV into
        // a table with the same unique columns.
        let csv_path = work_dir.join(format!("{label}-competitors.csv"));
        fs::write(&csv_path, event.competitors_csv()).map_err(fail("writing the CSV"))?;
        let csv_arg = csv_path.display().to_string();
        let fresh = work_dir.join(format!("{label}-import.scoretable"));
        let raw = work_dir.join(format!("{label}-raw.sqlite"));
        let mut ours_cpu = Vec::new();
        let mut ours_wall = Vec::new();
        let mut theirs_cpu = Vec::new();
        let mut theirs_wall = Vec::new();
        for _ in 0..3 {
            remove_competition_file(&fresh);
            let mut store =
                CompetitionFile::create(&fresh, &event.competition).map_err(fail("creating"))?;
            for division in &event.divisions {
                store
                    .add_division(division)
                    .map_err(fail("adding a division"))?;
            }
            store.close().map_err(fail("closing"))?;
            let ours = run_child(Command::new(&cli).args([
                "-f",
                &fresh.display().to_string(),
                "competitors",
                "import",
                &csv_arg,
            ]))?;
            ours_cpu.push(ours.cpu);
            ours_wall.push(ours.wall);
            remove_competition_file(&raw);
            let script = format!(
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;\n\
                 CREATE TABLE competitors (bib TEXT NOT NULL UNIQUE, first_name TEXT, last_name TEXT, \
                 gender TEXT, date_of_birth TEXT, country TEXT, club TEXT, chip TEXT, division TEXT, \
                 registration_id TEXT, opentrack_id TEXT, athlete_id TEXT, participant_id TEXT, \
                 para_class TEXT);\n\
                 CREATE UNIQUE INDEX chips ON competitors(chip) WHERE chip <> '';\n\
                 CREATE UNIQUE INDEX registrations ON competitors(registration_id) WHERE registration_id <> '';\n\
                 CREATE UNIQUE INDEX opentrack ON competitors(opentrack_id) WHERE opentrack_id <> '';\n\
                 CREATE UNIQUE INDEX athletes ON competitors(athlete_id) WHERE athlete_id <> '';\n\
                 CREATE UNIQUE INDEX participants ON competitors(participant_id) WHERE participant_id <> '';\n\
                 .bail on\n\
                 .import --csv --skip 1 {csv_arg} competitors\n\
                 SELECT count(*) FROM competitors;\n"
            );
            let script_path = work_dir.join(format!("{label}-import.sql"));
            fs::write(&script_path, script).map_err(fail("writing the sqlite3 script"))?;
            let theirs = run_child(
                Command::new("sqlite3")
                    .arg(&raw)
                    .arg(format!(".read {}", script_path.display())),
            )?;
            let imported = String::from_utf8_lossy(&theirs.stdout)
                .lines()
                .last()
                .unwrap_or_default()
                .trim()
                .to_string();
            if imported != event.competitors.len().to_string() {
                return Err(BenchError(format!(
                    "sqlite3 imported {imported} rows, expected {}",
                    event.competitors.len()
                )));
            }
            theirs_cpu.push(theirs.cpu);
            theirs_wall.push(theirs.wall);
        }
        let ratio =
            Percentiles::of(&ours_cpu).p50_ms / Percentiles::of(&theirs_cpu).p50_ms.max(0.001);
        push(
            "floor: sqlite3 .import of the competitors CSV",
            theirs_wall,
            Some(theirs_cpu),
            None,
            "",
            "the sqlite3 shell into a table with the same unique columns",
        );
        push(
            "CLI competitors import",
            ours_wall,
            Some(ours_cpu),
            None,
            "floor: sqlite3 .import of the competitors CSV",
            &format!("CPU ratio to sqlite3 .import: {ratio:.2}x"),
        );
        remove_competition_file(&fresh);
        remove_competition_file(&raw);
        fs::remove_file(&csv_path).ok();
    }
    if !config.measures.iter().any(|measure| measure == "keep-file") {
        remove_competition_file(&path);
    }
    Ok(figures.into_inner())
}

/// The hot-path table as Markdown.
pub fn render_hot_table(figures: &[HotFigure]) -> String {
    let mut text = String::from(
        "| athletes | measure | p50 ms | p99 ms | max ms | runs | CPU p50 ms | peak MB | compared with | note |\n\
         |---:|---|---:|---:|---:|---:|---:|---:|---|---|\n",
    );
    for figure in figures {
        text.push_str(&format!(
            "| {} | {} | {:.2} | {:.2} | {:.2} | {} | {} | {} | {} | {} |\n",
            figure.athletes,
            figure.measure,
            figure.wall.p50_ms,
            figure.wall.p99_ms,
            figure.wall.max_ms,
            figure.wall.runs,
            figure
                .cpu
                .as_ref()
                .map(|cpu| format!("{:.2}", cpu.p50_ms))
                .unwrap_or_default(),
            figure
                .peak_mb
                .map(|mb| format!("{mb:.0}"))
                .unwrap_or_default(),
            figure.floor,
            figure.note
        ));
    }
    text
}

#[cfg(test)]
mod gnu_time_tests {
    use super::peak_from_gnu_time;

    #[test]
    fn the_peak_is_read_from_the_last_gnu_time_line() {
        assert_eq!(
            peak_from_gnu_time(b"wrote 12 files\npeak-kb 213264\n"),
            Some(213264)
        );
        assert_eq!(
            peak_from_gnu_time(b"Command exited with non-zero status 1\n"),
            None
        );
    }
}

#[cfg(test)]
mod interleaved_tests {
    use std::time::Duration;

    /// The interleaved floor's time is not part of the measured runs (the
    /// amend measures once timed the amendment and the floor write after
    /// it together).
    #[test]
    fn the_floor_is_timed_apart_from_the_measured_operation() {
        let slow_floor = Duration::from_millis(150);
        let mut calls = Vec::new();
        let (measured, floor) = super::interleaved(
            3,
            Duration::from_secs(60),
            &mut calls,
            |calls, run| {
                calls.push(("measured", run));
                Ok(())
            },
            |calls, run| {
                calls.push(("floor", run));
                std::thread::sleep(slow_floor);
                Ok(())
            },
        )
        .unwrap();
        assert_eq!(
            calls,
            vec![
                ("measured", 0),
                ("floor", 0),
                ("measured", 1),
                ("floor", 1),
                ("measured", 2),
                ("floor", 2)
            ]
        );
        assert_eq!((measured.wall.len(), floor.wall.len()), (3, 3));
        assert!(measured.wall.iter().all(|wall| *wall < slow_floor));
        assert!(floor.wall.iter().all(|wall| *wall >= slow_floor));
    }
}
