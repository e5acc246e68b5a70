//! Scoretable's benchmark harness: large generated events, timed end to end.
//!
//! Two cases, after issue 2:
//!
//! - **Case A**, a mass-participation race from
//!   [`large_individual_event`]: 60,000 athletes, 12 divisions, 10 splits.
//! - **Case B**, a team competition from [`team_event`]: 3,000 athletes
//!   across 8 workouts of mixed score types, teams of 3.
//!
//! Figures (each the median and minimum of several runs; setup is never
//! timed):
//!
//! - competitors CSV import into a fresh competition file (read, parse,
//!   validate, one transaction), in rows per second, against a raw `csv`
//!   crate parse of the same file (every record read as UTF-8 strings), and
//!   the ratio of the two;
//! - scores CSV import (parse, bib matching, one transaction) for case A;
//! - full re-rank of a workout as the app does it (load the effective results
//!   from the file and rank them), the same for every division, and the
//!   engine's ranking alone on results already in memory;
//! - overall leaderboard time for case B (rank-sum and the points table);
//! - amend-to-updated-leaderboard: amend one score (which itself computes the
//!   placing changes) and recompute the workout leaderboard;
//! - the competition file's size.
//!
//! Timings depend on the machine and its load; nothing here asserts them.
//! The harness is parameterised (`--athletes`, `--quick`) so CI can run a
//! small smoke version.

pub mod app_path;
pub mod hot_path;
pub mod poll_path;
pub mod timing;

use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

use scoretable_core::generate::{large_individual_event, team_event, GeneratedEvent};
use scoretable_core::import::{read_competitors_csv, read_scores_csv};
use scoretable_core::model::{
    Entrant, OverallMode, OverallTieBreak, ResultEntry, Score, Source, Workout,
};
use scoretable_core::overall::default_points_mode;
use scoretable_core::ranking::rank_workout;
use scoretable_core::time::{format_time, TimeStyle};
use scoretable_store::{BackupPolicy, CompetitionFile};
use scoretable_usecase::generate::{write_event, ResultEntryMode};
use scoretable_usecase::imports::match_score_rows;
use serde::Serialize;

use crate::timing::Timing;

/// What to run and at what scale.
#[derive(Debug, Clone, Serialize)]
pub struct Config {
    /// Case A: athletes in the race.
    pub athletes: usize,
    pub divisions: usize,
    pub splits: usize,
    /// Case B: athletes in the team competition.
    pub team_athletes: usize,
    pub team_workouts: usize,
    pub team_size: usize,
    /// Runs of each timed operation.
    pub iterations: usize,
    /// Runs of the amend-to-leaderboard measurement.
    pub amend_runs: usize,
    pub seed: u64,
    pub run_case_a: bool,
    pub run_case_b: bool,
    /// The hot-path measures of issue 13 (see [`hot_path`]), when set.
    pub hot: Option<hot_path::HotConfig>,
    /// Where temporary competition files go (a fresh temp dir when `None`).
    pub work_dir: Option<PathBuf>,
    /// Where the JSON report goes.
    pub output: PathBuf,
}

impl Config {
    /// The full-size cases of issue 2.
    pub fn full() -> Config {
        Config {
            athletes: 60_000,
            divisions: 12,
            splits: 10,
            team_athletes: 3_000,
            team_workouts: 8,
            team_size: 3,
            iterations: 5,
            amend_runs: 11,
            seed: 2026,
            run_case_a: true,
            run_case_b: true,
            hot: None,
            work_dir: None,
            output: PathBuf::from("target/bench/results.json"),
        }
    }

    /// A small smoke run for CI: same code paths, tiny events, few runs.
    pub fn quick() -> Config {
        Config {
            athletes: 2_000,
            team_athletes: 300,
            iterations: 2,
            amend_runs: 3,
            ..Config::full()
        }
    }
}

/// One measured figure.
#[derive(Debug, Clone, Serialize)]
pub struct Figure {
    pub name: String,
    pub timing: Timing,
    /// Items processed per run (rows, results), when a rate makes sense.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub items: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rate_per_second_median: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rate_per_second_best: Option<f64>,
    pub note: String,
}

impl Figure {
    fn new(name: &str, timing: Timing, items: Option<usize>, note: impl Into<String>) -> Figure {
        Figure {
            name: name.to_string(),
            rate_per_second_median: items.map(|items| timing.rate_at_median(items)),
            rate_per_second_best: items.map(|items| timing.rate_at_min(items)),
            timing,
            items,
            note: note.into(),
        }
    }
}

/// Everything measured for one case.
#[derive(Debug, Clone, Serialize)]
pub struct CaseReport {
    pub name: String,
    pub description: String,
    pub athletes: usize,
    pub teams: usize,
    pub workouts: usize,
    pub results: usize,
    pub figures: Vec<Figure>,
    /// Competitors CSV import rate divided by the raw CSV parse rate.
    pub import_to_raw_parse_ratio: Option<f64>,
    pub competitors_csv_bytes: u64,
    pub competition_file_bytes: u64,
}

/// The whole run.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub config: Config,
    pub machine: Machine,
    pub cases: Vec<CaseReport>,
    /// The hot-path table, when it was run.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub hot_path: Vec<hot_path::HotFigure>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Machine {
    pub logical_cores: usize,
    pub os: String,
    pub arch: String,
    pub debug_build: bool,
}

impl Machine {
    fn current() -> Machine {
        Machine {
            logical_cores: std::thread::available_parallelism()
                .map(|count| count.get())
                .unwrap_or(1),
            os: std::env::consts::OS.to_string(),
            arch: std::env::consts::ARCH.to_string(),
            debug_build: cfg!(debug_assertions),
        }
    }
}

/// A failure of the harness itself (not a slow result).
#[derive(Debug)]
pub struct BenchError(pub String);

impl std::fmt::Display for BenchError {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str(&self.0)
    }
}

impl std::error::Error for BenchError {}

pub(crate) type BenchResult<T> = Result<T, BenchError>;

/// A `map_err` adapter that prefixes an error with what was being done.
pub(crate) fn fail<E: std::fmt::Display>(context: &str) -> impl Fn(E) -> BenchError + '_ {
    move |error| BenchError(format!("{context}: {error}"))
}

macro_rules! try_to {
    ($context:expr, $expression:expr) => {
        $expression.map_err(|error| BenchError(format!("{}: {}", $context, error)))
    };
}

/// Runs the configured cases and returns the report (also written as JSON
/// to `config.output`).
pub fn run(config: &Config, progress: &mut dyn FnMut(&str)) -> BenchResult<Report> {
    let temporary = try_to!("creating a temporary directory", tempfile::tempdir())?;
    let work_dir = config
        .work_dir
        .clone()
        .unwrap_or_else(|| temporary.path().to_path_buf());
    try_to!("creating the work directory", fs::create_dir_all(&work_dir))?;
    let mut cases = Vec::new();
    if config.run_case_a {
        cases.push(case_a(config, &work_dir, progress)?);
    }
    if config.run_case_b {
        cases.push(case_b(config, &work_dir, progress)?);
    }
    let hot_path = match &config.hot {
        Some(hot) => hot_path::run_hot_path(hot, &work_dir, progress)?,
        None => Vec::new(),
    };
    let report = Report {
        config: config.clone(),
        machine: Machine::current(),
        cases,
        hot_path,
    };
    if let Some(parent) = config.output.parent() {
        if !parent.as_os_str().is_empty() {
            try_to!("creating the output directory", fs::create_dir_all(parent))?;
        }
    }
    let json = try_to!("encoding the report", serde_json::to_string_pretty(&report))?;
    try_to!(
        format!("writing {}", config.output.display()),
        fs::write(&config.output, json + "\n")
    )?;
    Ok(report)
}

/// A fresh competition file with the event's divisions and no automatic
/// backups (they would add file copies to the timings).
fn fresh_competition(path: &Path, event: &GeneratedEvent) -> BenchResult<CompetitionFile> {
    remove_competition_file(path);
    let mut store = try_to!(
        "creating a competition file",
        CompetitionFile::create(path, &event.competition)
    )?;
    disable_automatic_backups(&mut store);
    for division in &event.divisions {
        try_to!("adding a division", store.add_division(division))?;
    }
    Ok(store)
}

fn disable_automatic_backups(store: &mut CompetitionFile) {
    let mut policy = BackupPolicy::beside(store.path());
    policy.automatic = false;
    store.set_backup_policy(policy);
}

pub(crate) fn remove_competition_file(path: &Path) {
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let mut name = path.as_os_str().to_owned();
        name.push(suffix);
        let _ = fs::remove_file(PathBuf::from(name));
    }
}

/// Raw parse of a CSV file with the `csv` crate: every record as strings.
fn raw_csv_parse(path: &Path) -> BenchResult<usize> {
    let mut reader = try_to!("opening the CSV", csv::Reader::from_path(path))?;
    let mut record = csv::StringRecord::new();
    let mut rows = 0;
    let mut fields = 0;
    while try_to!("reading the CSV", reader.read_record(&mut record))? {
        rows += 1;
        fields += record.len();
    }
    std::hint::black_box(fields);
    Ok(rows)
}

/// Measures raw parse, engine parse and full import of the competitors CSV.
fn competitor_import_figures(
    config: &Config,
    event: &GeneratedEvent,
    work_dir: &Path,
    label: &str,
    figures: &mut Vec<Figure>,
) -> BenchResult<(Option<f64>, u64)> {
    let csv_path = work_dir.join(format!("{label}-competitors.csv"));
    try_to!(
        "writing the competitors CSV",
        fs::write(&csv_path, event.competitors_csv())
    )?;
    let csv_bytes = try_to!("reading the CSV size", fs::metadata(&csv_path))?.len();
    let rows = event.competitors.len();

    let (raw, parsed_rows) =
        timing::measure(config.iterations, || (), |()| raw_csv_parse(&csv_path));
    let parsed_rows = parsed_rows?;
    if parsed_rows != rows {
        return Err(BenchError(format!(
            "the raw parse read {parsed_rows} rows, expected {rows}"
        )));
    }
    figures.push(Figure::new(
        "competitors CSV: raw csv crate parse",
        raw.clone(),
        Some(rows),
        "csv::Reader, every record as UTF-8 strings",
    ));

    let file_name = csv_path.display().to_string();
    let (engine_parse, drafts) = timing::measure(
        config.iterations,
        || (),
        |()| {
            let file = fs::File::open(&csv_path).map_err(fail("opening the CSV"))?;
            read_competitors_csv(file, &file_name).map_err(fail("parsing competitors"))
        },
    );
    let drafts = drafts?;
    figures.push(Figure::new(
        "competitors CSV: engine parse + validation",
        engine_parse,
        Some(drafts.len()),
        "read_competitors_csv: header aliases, genders, dates, duplicate bibs/chips",
    ));

    let database_path = work_dir.join(format!("{label}-import.scoretable"));
    let (import, summary) = timing::measure(
        config.iterations,
        || fresh_competition(&database_path, event),
        |store| {
            let mut store = store?;
            let file = fs::File::open(&csv_path).map_err(fail("opening the CSV"))?;
            let drafts =
                read_competitors_csv(file, &file_name).map_err(fail("parsing competitors"))?;
            let summary = store
                .import_competitors_from(&file_name, &drafts)
                .map_err(fail("importing competitors"))?;
            store.close().map_err(fail("closing the file"))?;
            Ok::<_, BenchError>(summary)
        },
    );
    let summary = summary?;
    if summary.new != rows {
        return Err(BenchError(format!(
            "the import added {} competitors, expected {rows}",
            summary.new
        )));
    }
    remove_competition_file(&database_path);
    let ratio = import.rate_at_median(rows) / raw.rate_at_median(rows);
    figures.push(Figure::new(
        "competitors CSV: import into a fresh file",
        import,
        Some(rows),
        format!(
            "parse + validate + divisions + one IMMEDIATE transaction, synchronous=FULL; \
             {:.3} of the raw parse rate",
            ratio
        ),
    ));
    Ok((Some(ratio), csv_bytes))
}

/// The race's results as a scores CSV a timing company would send.
pub(crate) fn scores_csv(
    event: &GeneratedEvent,
    workout: &Workout,
    results: &[ResultEntry],
) -> String {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let mut header = vec![
        "bib".to_string(),
        "score".to_string(),
        "status".to_string(),
        "penalty".to_string(),
    ];
    for point in &workout.timing_points {
        header.push(format!("split:{}", point.name));
    }
    writer.write_record(&header).expect("writing to memory");
    let bibs: std::collections::HashMap<Entrant, &str> = event
        .competitors
        .iter()
        .map(|competitor| (Entrant::Competitor(competitor.id), competitor.bib.as_str()))
        .collect();
    for result in results {
        let score = match result.score {
            Some(Score::Time { ms }) => format_time(ms, TimeStyle::Iso),
            _ => result
                .status
                .map(|status| status.code().to_string())
                .unwrap_or_default(),
        };
        let status = match (result.score, result.status) {
            (Some(_), Some(status)) => status.code().to_string(),
            _ => String::new(),
        };
        let penalty = if result.penalty_ms > 0 {
            format_time(result.penalty_ms, TimeStyle::Iso)
        } else {
            String::new()
        };
        let mut record = vec![
            bibs.get(&result.entrant).copied().unwrap_or("").to_string(),
            score,
            status,
            penalty,
        ];
        for point in &workout.timing_points {
            record.push(
                result
                    .splits
                    .iter()
                    .find(|split| split.timing_point_id == point.id)
                    .map(|split| format_time(split.total_ms, TimeStyle::Iso))
                    .unwrap_or_default(),
            );
        }
        writer.write_record(&record).expect("writing to memory");
    }
    String::from_utf8(writer.into_inner().expect("writing to memory")).expect("UTF-8")
}

/// Writes the event without results: divisions, competitors, teams, workouts.
pub(crate) fn write_entry_list(path: &Path, event: &GeneratedEvent) -> BenchResult<()> {
    let without_results = GeneratedEvent {
        results: event.workouts.iter().map(|_| Vec::new()).collect(),
        ..event.clone()
    };
    remove_competition_file(path);
    let (store, _) = try_to!(
        "writing the entry list",
        write_event(path, &without_results, ResultEntryMode::ImportAll)
    )?;
    try_to!("closing the file", store.close())?;
    Ok(())
}

pub(crate) fn copy_competition_file(from: &Path, to: &Path) -> BenchResult<()> {
    remove_competition_file(to);
    try_to!("copying the competition file", fs::copy(from, to))?;
    Ok(())
}

fn open_quiet(path: &Path) -> BenchResult<CompetitionFile> {
    let mut store = try_to!("opening the competition file", CompetitionFile::open(path))?;
    disable_automatic_backups(&mut store);
    Ok(store)
}

fn case_a(
    config: &Config,
    work_dir: &Path,
    progress: &mut dyn FnMut(&str),
) -> BenchResult<CaseReport> {
    let mut figures = Vec::new();
    progress(&format!(
        "case A: generating {} athletes, {} divisions, {} splits",
        config.athletes, config.divisions, config.splits
    ));
    let start = Instant::now();
    let event = large_individual_event(
        config.athletes,
        config.divisions,
        config.splits,
        config.seed,
    );
    let generate_seconds = start.elapsed().as_secs_f64();
    progress(&format!("case A: generated in {generate_seconds:.2} s"));

    progress("case A: competitors CSV import");
    let (ratio, csv_bytes) =
        competitor_import_figures(config, &event, work_dir, "case-a", &mut figures)?;

    progress("case A: scores CSV import");
    let workout = event.workouts[0].clone();
    let results = &event.results[0];
    let scores_path = work_dir.join("case-a-scores.csv");
    try_to!(
        "writing the scores CSV",
        fs::write(&scores_path, scores_csv(&event, &workout, results))
    )?;
    let scores_name = scores_path.display().to_string();
    let (scores_parse, parsed_scores) = timing::measure(
        config.iterations,
        || (),
        |()| {
            let file = fs::File::open(&scores_path).map_err(fail("opening the scores CSV"))?;
            read_scores_csv(file, &scores_name, &workout).map_err(fail("parsing scores"))
        },
    );
    figures.push(Figure::new(
        "scores CSV: engine parse + validation",
        scores_parse,
        Some(parsed_scores?.len()),
        "read_scores_csv: times, statuses, penalties and every split column",
    ));
    let entry_list = work_dir.join("case-a-entry-list.scoretable");
    write_entry_list(&entry_list, &event)?;
    let working = work_dir.join("case-a.scoretable");
    let (score_import, summary) = timing::measure(
        config.iterations,
        || copy_competition_file(&entry_list, &working).and_then(|()| open_quiet(&working)),
        |store| {
            let mut store = store?;
            let stored_workout = store
                .workouts()
                .map_err(fail("loading workouts"))?
                .remove(0);
            let file = fs::File::open(&scores_path).map_err(fail("opening the scores CSV"))?;
            let drafts = read_scores_csv(file, &scores_name, &stored_workout)
                .map_err(fail("parsing scores"))?;
            let records = match_score_rows(&store, &stored_workout, &scores_name, drafts)
                .map_err(fail("matching bibs"))?;
            let summary = store
                .import_results(stored_workout.id, Source::File, &scores_name, &records)
                .map_err(fail("importing scores"))?;
            store.close().map_err(fail("closing the file"))?;
            Ok::<_, BenchError>(summary)
        },
    );
    let summary = summary?;
    if summary.inserted != results.len() {
        return Err(BenchError(format!(
            "the score import stored {} results, expected {}",
            summary.inserted,
            results.len()
        )));
    }
    figures.push(Figure::new(
        "scores CSV: import (parse + bib match + store)",
        score_import,
        Some(results.len()),
        format!(
            "{} timing points per row, one IMMEDIATE transaction",
            workout.timing_points.len()
        ),
    ));

    progress("case A: re-rank");
    let mut store = open_quiet(&working)?;
    let stored_workout = try_to!("loading workouts", store.workouts())?.remove(0);
    let divisions = try_to!("loading divisions", store.divisions())?;
    let (rerank, rows) = timing::measure(
        config.iterations,
        || (),
        |()| store.workout_leaderboard(stored_workout.id, None),
    );
    let rows = try_to!("ranking", rows)?;
    figures.push(Figure::new(
        "re-rank workout (load from file + rank)",
        rerank,
        Some(rows.len()),
        "workout_leaderboard: effective results, splits, division places",
    ));
    let (all_divisions, division_rows) = timing::measure(
        config.iterations,
        || (),
        |()| {
            let mut total = 0;
            for division in &divisions {
                total += store
                    .workout_leaderboard(stored_workout.id, Some(division.id))
                    .map_err(fail("ranking a division"))?
                    .len();
            }
            Ok::<_, BenchError>(total)
        },
    );
    let division_rows = division_rows?;
    figures.push(Figure::new(
        "re-rank every division board",
        all_divisions,
        Some(division_rows),
        format!(
            "{} division leaderboards, one after another",
            divisions.len()
        ),
    ));
    let (one_pass, one_pass_rows) = timing::measure(
        config.iterations,
        || (),
        |()| {
            let rows = store
                .workout_leaderboard(stored_workout.id, None)
                .map_err(fail("ranking"))?;
            Ok::<_, BenchError>(division_boards_from_one_ranking(&rows))
        },
    );
    let one_pass_rows: usize = one_pass_rows?.values().map(Vec::len).sum();
    figures.push(Figure::new(
        "every division board from one ranking",
        one_pass,
        Some(one_pass_rows),
        "one workout_leaderboard split by division places (ranked rows; the alternative to one call per division)",
    ));
    let infos = try_to!("loading entrants", store.entrant_infos())?;
    let entries: Vec<ResultEntry> = try_to!("loading results", store.results(stored_workout.id))?
        .iter()
        .map(|result| result.to_result_entry())
        .collect();
    let (engine_rank, ranked) = timing::measure(
        config.iterations,
        || (),
        |()| rank_workout(&stored_workout, &infos, &entries),
    );
    figures.push(Figure::new(
        "engine rank only (results in memory)",
        engine_rank,
        Some(ranked.len()),
        "rank_workout: overall, divisions and split standings",
    ));

    progress("case A: amend to updated leaderboard");
    let amend = amend_figure(config, &mut store, &stored_workout, &rows)?;
    figures.extend(amend);
    try_to!("closing the file", store.close())?;
    let file_bytes = try_to!("reading the file size", fs::metadata(&working))?.len();

    Ok(CaseReport {
        name: "A".to_string(),
        description: format!(
            "individual race: {} athletes, {} divisions, {} splits",
            config.athletes, config.divisions, config.splits
        ),
        athletes: event.competitors.len(),
        teams: event.teams.len(),
        workouts: event.workouts.len(),
        results: results.len(),
        figures,
        import_to_raw_parse_ratio: ratio,
        competitors_csv_bytes: csv_bytes,
        competition_file_bytes: file_bytes,
    })
}

/// Splits one workout ranking into division boards ordered by division
/// place; each ranked row carries its place in every division it belongs to.
fn division_boards_from_one_ranking(
    rows: &[scoretable_core::model::RankedRow],
) -> std::collections::BTreeMap<scoretable_core::model::Id, Vec<(u32, Entrant)>> {
    let mut boards: std::collections::BTreeMap<_, Vec<(u32, Entrant)>> =
        std::collections::BTreeMap::new();
    for row in rows {
        for (division_id, rank) in &row.division_ranks {
            boards
                .entry(*division_id)
                .or_default()
                .push((*rank, row.entrant));
        }
    }
    for board in boards.values_mut() {
        board.sort_by_key(|(rank, _)| *rank);
    }
    boards
}

/// Amends a different ranked result each run to a time that moves it, then
/// recomputes the workout leaderboard.
fn amend_figure(
    config: &Config,
    store: &mut CompetitionFile,
    workout: &Workout,
    rows: &[scoretable_core::model::RankedRow],
) -> BenchResult<Vec<Figure>> {
    let candidates: Vec<_> = rows
        .iter()
        .filter(|row| row.rank.is_some() && !row.amended)
        .collect();
    if candidates.is_empty() {
        return Err(BenchError("no ranked result to amend".to_string()));
    }
    let mut amend_only = Vec::new();
    let mut amend_and_board = Vec::new();
    for run in 0..config.amend_runs.max(1) {
        // Spread the amended athletes over the field, deterministically.
        let row = candidates[(run * 7919 + 13) % candidates.len()];
        let new_value = match row.score {
            Some(Score::Time { ms }) => format_time((ms - 61_000).max(1_000), TimeStyle::Iso),
            Some(Score::Capped { reps }) => format!("CAP+{}", reps + 1),
            _ => "DNF".to_string(),
        };
        let start = Instant::now();
        let receipt = try_to!(
            "amending",
            store.amend_score(
                workout.id,
                row.entrant,
                &new_value,
                "bench official",
                "benchmark amendment",
                Some(&format!("BENCH-{run}")),
            )
        )?;
        let amended_at = start.elapsed();
        let board = try_to!("ranking", store.workout_board(workout.id, None))?;
        let total = start.elapsed();
        std::hint::black_box((&receipt, board.rows.len()));
        amend_only.push(amended_at);
        amend_and_board.push(total);
    }
    Ok(vec![
        Figure::new(
            "amend one score (with placing changes)",
            Timing::from_durations(&amend_only),
            None,
            "amend_score: history event, protected amended value, before/after places (no splits) for who moved",
        ),
        Figure::new(
            "amend -> updated leaderboard",
            Timing::from_durations(&amend_and_board),
            None,
            "amend_score then workout_board (ranked rows without split standings), as the desktop leaderboard refreshes",
        ),
    ])
}

fn case_b(
    config: &Config,
    work_dir: &Path,
    progress: &mut dyn FnMut(&str),
) -> BenchResult<CaseReport> {
    let mut figures = Vec::new();
    progress(&format!(
        "case B: generating {} athletes, {} workouts, teams of {}",
        config.team_athletes, config.team_workouts, config.team_size
    ));
    let event = team_event(
        config.team_athletes,
        config.team_workouts,
        config.team_size,
        config.seed,
    );
    progress("case B: competitors CSV import");
    let (ratio, csv_bytes) =
        competitor_import_figures(config, &event, work_dir, "case-b", &mut figures)?;

    progress("case B: writing the whole event");
    let working = work_dir.join("case-b.scoretable");
    let result_count: usize = event.results.iter().map(Vec::len).sum();
    let (write, _) = timing::measure(
        config.iterations,
        || remove_competition_file(&working),
        |()| {
            let (store, summary) = write_event(&working, &event, ResultEntryMode::ImportAll)
                .map_err(fail("writing the event"))?;
            store.close().map_err(fail("closing the file"))?;
            Ok::<_, BenchError>(summary)
        },
    );
    figures.push(Figure::new(
        "write whole event (entry list + per-workout result imports)",
        write,
        Some(result_count),
        format!(
            "{} divisions, competitors via CSV, {} teams, {} workouts, results in one batch per workout",
            event.divisions.len(),
            event.teams.len(),
            event.workouts.len()
        ),
    ));

    progress("case B: re-rank and overall");
    let mut store = open_quiet(&working)?;
    let workouts = try_to!("loading workouts", store.workouts())?;
    let divisions = try_to!("loading divisions", store.divisions())?;
    let (rerank, ranked_rows) = timing::measure(
        config.iterations,
        || (),
        |()| {
            let mut total = 0;
            for workout in &workouts {
                total += store
                    .workout_leaderboard(workout.id, None)
                    .map_err(fail("ranking"))?
                    .len();
            }
            Ok::<_, BenchError>(total)
        },
    );
    figures.push(Figure::new(
        "re-rank all workouts (load from file + rank)",
        rerank,
        Some(ranked_rows?),
        format!(
            "{} workouts of mixed score types, team workouts aggregated from members",
            workouts.len()
        ),
    ));
    let (division_rerank, division_rows) = timing::measure(
        config.iterations,
        || (),
        |()| {
            let mut total = 0;
            for workout in &workouts {
                for division in &divisions {
                    total += store
                        .workout_leaderboard(workout.id, Some(division.id))
                        .map_err(fail("ranking a division"))?
                        .len();
                }
            }
            Ok::<_, BenchError>(total)
        },
    );
    figures.push(Figure::new(
        "re-rank every workout x division board",
        division_rerank,
        Some(division_rows?),
        format!("{} boards", workouts.len() * divisions.len()),
    ));
    for (label, mode) in [
        ("overall leaderboard, rank sum", OverallMode::RankSum),
        ("overall leaderboard, points table", default_points_mode()),
    ] {
        let (overall, rows) = timing::measure(
            config.iterations,
            || (),
            |()| store.overall_leaderboard(None, Some(&mode), Some(OverallTieBreak::BestFinish)),
        );
        figures.push(Figure::new(
            label,
            overall,
            Some(try_to!("overall", rows)?.len()),
            "ranks every workout from the file, then combines; ties by best finish",
        ));
    }
    let (overall_divisions, overall_division_rows) = timing::measure(
        config.iterations,
        || (),
        |()| {
            let mut total = 0;
            for division in &divisions {
                total += store
                    .overall_leaderboard(
                        Some(division.id),
                        Some(&OverallMode::RankSum),
                        Some(OverallTieBreak::BestFinish),
                    )
                    .map_err(fail("overall by division"))?
                    .len();
            }
            Ok::<_, BenchError>(total)
        },
    );
    figures.push(Figure::new(
        "overall leaderboard, every division (rank sum)",
        overall_divisions,
        Some(overall_division_rows?),
        format!("{} division boards", divisions.len()),
    ));

    progress("case B: amend to updated leaderboard");
    let first = workouts[0].clone();
    let rows = try_to!("ranking", store.workout_leaderboard(first.id, None))?;
    figures.extend(amend_figure(config, &mut store, &first, &rows)?);
    try_to!("closing the file", store.close())?;
    let file_bytes = try_to!("reading the file size", fs::metadata(&working))?.len();

    Ok(CaseReport {
        name: "B".to_string(),
        description: format!(
            "team competition: {} athletes, {} mixed workouts, teams of {}",
            config.team_athletes, config.team_workouts, config.team_size
        ),
        athletes: event.competitors.len(),
        teams: event.teams.len(),
        workouts: event.workouts.len(),
        results: result_count,
        figures,
        import_to_raw_parse_ratio: ratio,
        competitors_csv_bytes: csv_bytes,
        competition_file_bytes: file_bytes,
    })
}

fn format_rate(rate: Option<f64>) -> String {
    match rate {
        None => String::new(),
        Some(rate) if rate >= 1_000_000.0 => format!("{:.2} M/s", rate / 1_000_000.0),
        Some(rate) if rate >= 1_000.0 => format!("{:.1} k/s", rate / 1_000.0),
        Some(rate) => format!("{rate:.0} /s"),
    }
}

/// The report as an aligned text table.
pub fn render_report(report: &Report) -> String {
    let mut text = String::new();
    for case in &report.cases {
        text.push_str(&format!(
            "\nCase {}: {} ({} results)\n",
            case.name, case.description, case.results
        ));
        let header = [
            "Measure",
            "Median",
            "Min",
            "Runs",
            "Rate (median)",
            "Rate (best)",
        ];
        let mut rows: Vec<[String; 6]> = Vec::new();
        for figure in &case.figures {
            rows.push([
                figure.name.clone(),
                format!("{:.1} ms", figure.timing.median_ms),
                format!("{:.1} ms", figure.timing.min_ms),
                figure.timing.iterations.to_string(),
                format_rate(figure.rate_per_second_median),
                format_rate(figure.rate_per_second_best),
            ]);
        }
        let mut widths = header.map(str::len);
        for row in &rows {
            for (index, cell) in row.iter().enumerate() {
                widths[index] = widths[index].max(cell.chars().count());
            }
        }
        let line = |cells: &[String]| {
            let mut line = String::new();
            for (index, cell) in cells.iter().enumerate() {
                let padding = widths[index].saturating_sub(cell.chars().count());
                if index == 0 {
                    line.push_str(cell);
                    line.push_str(&" ".repeat(padding));
                } else {
                    line.push_str("  ");
                    line.push_str(&" ".repeat(padding));
                    line.push_str(cell);
                }
            }
            line.trim_end().to_string() + "\n"
        };
        text.push_str(&line(&header.map(str::to_string)));
        text.push_str(&line(&widths.map(|width| "-".repeat(width))));
        for row in &rows {
            text.push_str(&line(row));
        }
        if let Some(ratio) = case.import_to_raw_parse_ratio {
            text.push_str(&format!(
                "Competitors import runs at {:.1}% of the raw CSV parse rate ({:.1}x slower).\n",
                ratio * 100.0,
                1.0 / ratio
            ));
        }
        text.push_str(&format!(
            "Competitors CSV {:.2} MB; competition file {:.2} MB.\n",
            case.competitors_csv_bytes as f64 / 1_048_576.0,
            case.competition_file_bytes as f64 / 1_048_576.0
        ));
    }
    if !report.hot_path.is_empty() {
        text.push_str("\nHot path (issue 13)\n");
        text.push_str(&hot_path::render_hot_table(&report.hot_path));
    }
    text
}

const USAGE: &str = "scoretable-bench [--quick] [--athletes N] [--team-athletes N] \
[--iterations N] [--amend-runs N] [--case a|b|hot|all] [--seed N] [--out PATH] [--work-dir PATH] \
[--sizes N,N,...] [--amendments N] [--runs N] [--budget SECONDS] [--cli PATH]";

/// The hot-path settings: sizes 6,000 and 60,000 (`--quick`: 1,000).
pub fn default_hot(quick: bool) -> hot_path::HotConfig {
    hot_path::HotConfig {
        sizes: if quick {
            vec![1_000]
        } else {
            vec![6_000, 60_000]
        },
        amendments: if quick { 20 } else { 1_000 },
        runs: if quick { 3 } else { 15 },
        budget_seconds: if quick { 5.0 } else { 20.0 },
        cli: None,
        seed: 2026,
        measures: Vec::new(),
    }
}

/// Reads the command line into a config.
pub fn parse_arguments(arguments: &[String]) -> Result<Config, String> {
    let quick = arguments.iter().any(|argument| argument == "--quick");
    let mut config = if quick {
        Config::quick()
    } else {
        Config::full()
    };
    let mut index = 0;
    let value = |index: usize, name: &str| -> Result<&String, String> {
        arguments
            .get(index + 1)
            .ok_or_else(|| format!("{name} needs a value\nusage: {USAGE}"))
    };
    let number = |text: &str, name: &str| -> Result<usize, String> {
        text.parse::<usize>()
            .ok()
            .filter(|value| *value > 0)
            .ok_or_else(|| format!("{name} needs a positive whole number, got {text:?}"))
    };
    while index < arguments.len() {
        let name = arguments[index].as_str();
        match name {
            "--quick" => {}
            // `cargo bench` passes `--bench`; it means nothing here.
            "--bench" => {}
            "--athletes" => {
                config.athletes = number(value(index, name)?, name)?;
                index += 1;
            }
            "--team-athletes" => {
                config.team_athletes = number(value(index, name)?, name)?;
                index += 1;
            }
            "--iterations" => {
                config.iterations = number(value(index, name)?, name)?;
                index += 1;
            }
            "--amend-runs" => {
                config.amend_runs = number(value(index, name)?, name)?;
                index += 1;
            }
            "--seed" => {
                config.seed = number(value(index, name)?, name)? as u64;
                index += 1;
            }
            "--case" => {
                match value(index, name)?.to_ascii_lowercase().as_str() {
                    "a" => {
                        config.run_case_a = true;
                        config.run_case_b = false;
                    }
                    "b" => {
                        config.run_case_a = false;
                        config.run_case_b = true;
                    }
                    "hot" => {
                        config.run_case_a = false;
                        config.run_case_b = false;
                        config.hot.get_or_insert_with(|| default_hot(quick));
                    }
                    "all" => {
                        config.run_case_a = true;
                        config.run_case_b = true;
                        config.hot.get_or_insert_with(|| default_hot(quick));
                    }
                    other => return Err(format!("--case is a, b, hot or all, got {other:?}")),
                }
                index += 1;
            }
            "--out" => {
                config.output = PathBuf::from(value(index, name)?);
                index += 1;
            }
            "--work-dir" => {
                config.work_dir = Some(PathBuf::from(value(index, name)?));
                index += 1;
            }
            "--sizes" => {
                let sizes = value(index, name)?
                    .split(',')
                    .map(|size| number(size.trim(), name))
                    .collect::<Result<Vec<_>, _>>()?;
                config.hot.get_or_insert_with(|| default_hot(quick)).sizes = sizes;
                index += 1;
            }
            "--amendments" => {
                let amendments = number(value(index, name)?, name)?;
                config
                    .hot
                    .get_or_insert_with(|| default_hot(quick))
                    .amendments = amendments;
                index += 1;
            }
            "--measures" => {
                let measures = value(index, name)?
                    .split(',')
                    .map(|measure| measure.trim().to_string())
                    .collect();
                config
                    .hot
                    .get_or_insert_with(|| default_hot(quick))
                    .measures = measures;
                index += 1;
            }
            "--runs" => {
                let runs = number(value(index, name)?, name)?;
                config.hot.get_or_insert_with(|| default_hot(quick)).runs = runs;
                index += 1;
            }
            "--budget" => {
                let budget = number(value(index, name)?, name)?;
                config
                    .hot
                    .get_or_insert_with(|| default_hot(quick))
                    .budget_seconds = budget as f64;
                index += 1;
            }
            "--cli" => {
                let cli = PathBuf::from(value(index, name)?);
                config.hot.get_or_insert_with(|| default_hot(quick)).cli = Some(cli);
                index += 1;
            }
            "--help" | "-h" => return Err(format!("usage: {USAGE}")),
            other => return Err(format!("unknown argument {other:?}\nusage: {USAGE}")),
        }
        index += 1;
    }
    Ok(config)
}

/// Runs the harness from the process arguments; returns the exit code.
pub fn run_main() -> i32 {
    let arguments: Vec<String> = std::env::args().skip(1).collect();
    let config = match parse_arguments(&arguments) {
        Ok(config) => config,
        Err(message) => {
            eprintln!("{message}");
            return 2;
        }
    };
    if cfg!(debug_assertions) {
        eprintln!("note: this is a debug build; run with --release for meaningful figures");
    }
    let mut progress = |message: &str| {
        eprintln!("[bench] {message}");
        let _ = std::io::stderr().flush();
    };
    match run(&config, &mut progress) {
        Ok(report) => {
            print!("{}", render_report(&report));
            println!("\nJSON written to {}", config.output.display());
            0
        }
        Err(error) => {
            eprintln!("bench failed: {error}");
            1
        }
    }
}
