//! Workout and overall leaderboards, and explanations of the order.
//!
//! Shared places are shown as `2=`; statuses have no place and show their
//! code in the score column; amended results are marked `amended` and partial
//! team results `partial`.

use std::fs::File;
use std::path::Path;

use scoretable_core::model::{
    Division, Entrant, Id, Millis, OverallCell, OverallMode, OverallTieBreak, PublicationState,
    RankedRow, Rounding, Score, ScoreType, Status, Workout,
};
use scoretable_core::overall::{
    default_points_mode, is_team_workout, overall_column_heading_for, overall_entrant_kind,
    parse_points_table_csv, team_rule_sentence, OverallEntrants, TEAM_OVERALL_SENTENCE,
};
use scoretable_core::score::format_workout_time;
use scoretable_store::CompetitionFile;
use serde::Serialize;
use serde_json::json;

use crate::args::{ExplainArgs, FormatArg, LeaderboardArgs, OverallModeArg};
use crate::context::{open_for_reading, resolve_division, resolve_workout, EntrantDirectory};
use crate::convert::{import_error, store_error, usecase_error};
use crate::error::{CliError, CliResult};
use crate::options::option_error;
use crate::output::{to_json, Output};
use crate::table::{Align, Table};

/// Places shared by several rows, so they can be shown as `2=`.
fn shared_places(places: impl Iterator<Item = Option<u32>>) -> std::collections::HashSet<u32> {
    let mut counts = std::collections::HashMap::new();
    for place in places.flatten() {
        *counts.entry(place).or_insert(0u32) += 1;
    }
    counts
        .into_iter()
        .filter(|(_, count)| *count > 1)
        .map(|(place, _)| place)
        .collect()
}

fn place_text(place: Option<u32>, shared: &std::collections::HashSet<u32>) -> String {
    match place {
        Some(place) if shared.contains(&place) => format!("{place}="),
        Some(place) => place.to_string(),
        None => "-".to_string(),
    }
}

#[derive(Serialize)]
struct DivisionJson<'a> {
    id: Id,
    name: &'a str,
}

#[derive(Serialize)]
struct WorkoutSummaryJson<'a> {
    id: Id,
    name: &'a str,
    score_type: ScoreType,
    state: PublicationState,
}

#[derive(Serialize)]
struct DivisionRankJson {
    division_id: Id,
    division: String,
    rank: u32,
}

#[derive(Serialize)]
struct SplitJson<'a> {
    timing_point_id: Id,
    timing_point: Option<&'a str>,
    total_ms: Millis,
    leg_ms: Millis,
    position: u32,
    difference_ms: Millis,
}

/// One row of a workout board in `--json`.
#[derive(Serialize)]
struct WorkoutRowJson<'a> {
    rank: Option<u32>,
    /// The place is shared with another row.
    tied: bool,
    division_rank: Option<u32>,
    entrant: Entrant,
    bib: &'a str,
    name: String,
    display: &'a str,
    score: Option<Score>,
    status: Option<Status>,
    difference_ms: Option<Millis>,
    tie_break_ms: Option<Millis>,
    division_ranks: Vec<DivisionRankJson>,
    splits: Vec<SplitJson<'a>>,
    amended: bool,
    partial: bool,
}

#[derive(Serialize)]
struct WorkoutBoardJson<'a> {
    leaderboard: &'static str,
    workout: WorkoutSummaryJson<'a>,
    division: Option<DivisionJson<'a>>,
    rows: Vec<WorkoutRowJson<'a>>,
}

/// One row of the overall board in `--json`.
#[derive(Serialize)]
struct OverallRowJson<'a> {
    rank: u32,
    tied: bool,
    entrant: Entrant,
    bib: &'a str,
    name: String,
    total: i64,
    total_display: String,
    cells: &'a [OverallCell],
}

fn is_overall_target(target: &str) -> bool {
    target.trim().eq_ignore_ascii_case("overall")
}

pub fn leaderboard(
    file: Option<&Path>,
    json_requested: bool,
    arguments: &LeaderboardArgs,
) -> CliResult<Output> {
    // Only the requested form is built: a 60,000-row board as a JSON value
    // costs far more than the table, and the other way round.
    let want_json = json_requested || arguments.format == FormatArg::Json;
    let store = open_for_reading(file)?;
    let directory = EntrantDirectory::load(&store)?;
    let division = arguments
        .division
        .as_deref()
        .map(|reference| resolve_division(&store, reference))
        .transpose()?;
    if arguments.teams && !is_overall_target(&arguments.target) {
        return Err(CliError::bad_input(
            "--teams goes with `overall`: a workout's board already ranks whoever the workout takes",
        ));
    }
    let (table, json) = if is_overall_target(&arguments.target) {
        overall_board(&store, &directory, division.as_ref(), arguments, want_json)?
    } else {
        let workout = resolve_workout(&store, &arguments.target)?;
        workout_board(&store, &directory, &workout, division.as_ref(), want_json)?
    };
    store.close().map_err(store_error)?;
    let text = match arguments.format {
        FormatArg::Table => table.render(),
        FormatArg::Csv => table
            .to_csv()
            .map_err(|error| CliError::io(format!("cannot write CSV: {error}")))?,
        // `--format json` prints the JSON document even without `--json`.
        FormatArg::Json => json.clone(),
    };
    Ok(Output::with_json_text(text, json))
}

/// Behind the leader, `+0:12.3`, for time workouts.
fn behind_text(workout: &Workout, row: &RankedRow) -> String {
    match row.difference_ms {
        Some(0) | None => String::new(),
        Some(ms) => format!("+{}", format_workout_time(workout.rounding, ms)),
    }
}

fn notes(row: &RankedRow) -> String {
    let mut notes = Vec::new();
    if row.amended {
        notes.push("amended");
    }
    if row.partial {
        notes.push("partial");
    }
    notes.join(", ")
}

fn workout_board(
    store: &CompetitionFile,
    directory: &EntrantDirectory,
    workout: &Workout,
    division: Option<&Division>,
    want_json: bool,
) -> CliResult<(Table, String)> {
    let rows = store
        .workout_leaderboard(workout.id, division.map(|division| division.id))
        .map_err(store_error)?;
    let shared_overall = shared_places(rows.iter().map(|row| row.rank));
    let division_place = |row: &RankedRow| {
        division.and_then(|division| {
            row.division_ranks
                .iter()
                .find(|(id, _)| *id == division.id)
                .map(|(_, rank)| *rank)
        })
    };
    let shared_division = shared_places(rows.iter().map(division_place));
    let timed = matches!(workout.score_type, ScoreType::Time | ScoreType::TimeCapped);

    let mut columns: Vec<(String, Align)> = Vec::new();
    if let Some(division) = division {
        columns.push((format!("{} rank", division.name), Align::Right));
        columns.push(("Overall".to_string(), Align::Right));
    } else {
        columns.push(("Rank".to_string(), Align::Right));
    }
    columns.push(("Bib".to_string(), Align::Right));
    columns.push(("Name".to_string(), Align::Left));
    columns.push(("Score".to_string(), Align::Right));
    if timed {
        columns.push(("Behind".to_string(), Align::Right));
    }
    if workout.tie_break == scoretable_core::model::TieBreak::TieBreakTime {
        columns.push(("Tie-break".to_string(), Align::Right));
    }
    for point in &workout.timing_points {
        columns.push((point.name.clone(), Align::Right));
    }
    if division.is_none() {
        columns.push(("Division ranks".to_string(), Align::Left));
    }
    columns.push(("Notes".to_string(), Align::Left));
    let column_refs: Vec<(&str, Align)> = columns
        .iter()
        .map(|(name, align)| (name.as_str(), *align))
        .collect();
    let mut table = Table::new(&column_refs);

    let mut json_rows = Vec::with_capacity(rows.len());
    for row in &rows {
        if !want_json {
            let mut cells = Vec::with_capacity(columns.len());
            if division.is_some() {
                cells.push(place_text(division_place(row), &shared_division));
            }
            cells.push(place_text(row.rank, &shared_overall));
            cells.push(directory.bib(row.entrant).to_string());
            cells.push(directory.name(row.entrant));
            cells.push(row.display.clone());
            if timed {
                cells.push(behind_text(workout, row));
            }
            if workout.tie_break == scoretable_core::model::TieBreak::TieBreakTime {
                cells.push(
                    row.tie_break_ms
                        .map(|ms| format_workout_time(workout.rounding, ms))
                        .unwrap_or_default(),
                );
            }
            for point in &workout.timing_points {
                let cell = row
                    .splits
                    .iter()
                    .find(|split| split.timing_point_id == point.id)
                    .map(|split| {
                        format!(
                            "{} ({})",
                            format_workout_time(workout.rounding, split.total_ms),
                            split.position
                        )
                    })
                    .unwrap_or_default();
                cells.push(cell);
            }
            if division.is_none() {
                cells.push(
                    row.division_ranks
                        .iter()
                        .map(|(id, rank)| format!("{} {rank}", directory.division_name(*id)))
                        .collect::<Vec<_>>()
                        .join("; "),
                );
            }
            cells.push(notes(row));
            table.push(cells);
            continue;
        }
        json_rows.push(WorkoutRowJson {
            rank: row.rank,
            tied: row.rank.is_some_and(|rank| shared_overall.contains(&rank)),
            division_rank: division_place(row),
            entrant: row.entrant,
            bib: directory.bib(row.entrant),
            name: directory.name(row.entrant),
            display: &row.display,
            score: row.score,
            status: row.status,
            difference_ms: row.difference_ms,
            tie_break_ms: row.tie_break_ms,
            division_ranks: row
                .division_ranks
                .iter()
                .map(|(id, rank)| DivisionRankJson {
                    division_id: *id,
                    division: directory.division_name(*id),
                    rank: *rank,
                })
                .collect(),
            splits: row
                .splits
                .iter()
                .map(|split| SplitJson {
                    timing_point_id: split.timing_point_id,
                    timing_point: workout
                        .timing_points
                        .iter()
                        .find(|point| point.id == split.timing_point_id)
                        .map(|point| point.name.as_str()),
                    total_ms: split.total_ms,
                    leg_ms: split.leg_ms,
                    position: split.position,
                    difference_ms: split.difference_ms,
                })
                .collect(),
            amended: row.amended,
            partial: row.partial,
        });
    }
    let json = if want_json {
        to_json(&WorkoutBoardJson {
            leaderboard: "workout",
            workout: WorkoutSummaryJson {
                id: workout.id,
                name: &workout.name,
                score_type: workout.score_type,
                state: workout.state,
            },
            division: division.map(|division| DivisionJson {
                id: division.id,
                name: &division.name,
            }),
            rows: json_rows,
        })
    } else {
        String::new()
    };
    Ok((table, json))
}

/// Reads `--mode`, `--points-table` and `--tie-break` into engine values.
pub fn overall_settings(
    store: &CompetitionFile,
    arguments: &LeaderboardArgs,
) -> CliResult<(OverallMode, OverallTieBreak)> {
    let mode = match arguments.mode {
        OverallModeArg::RankSum => {
            if arguments.points_table.is_some() {
                return Err(option_error(
                    "points-table",
                    "a points table needs --mode points",
                ));
            }
            OverallMode::RankSum
        }
        OverallModeArg::Cumulative => {
            if arguments.points_table.is_some() {
                return Err(option_error(
                    "points-table",
                    "a points table needs --mode points",
                ));
            }
            OverallMode::Cumulative
        }
        OverallModeArg::Points => match &arguments.points_table {
            None => default_points_mode(),
            Some(path) => {
                let file_name = path.display().to_string();
                let reader = File::open(path)
                    .map_err(|error| CliError::io(format!("cannot read {file_name}: {error}")))?;
                let points = parse_points_table_csv(reader, &file_name).map_err(import_error)?;
                OverallMode::PointsTable { points, floor: 0 }
            }
        },
    };
    let tie_break_text = arguments.tie_break.trim();
    let tie_break = match tie_break_text.to_ascii_lowercase().as_str() {
        "best-finish" | "best_finish" | "bestfinish" => OverallTieBreak::BestFinish,
        "equal" | "none" => OverallTieBreak::Equal,
        _ => {
            let Some(reference) = tie_break_text
                .split_once(':')
                .filter(|(prefix, _)| prefix.trim().eq_ignore_ascii_case("workout"))
                .map(|(_, reference)| reference)
            else {
                return Err(option_error(
                    "tie-break",
                    format!("'{tie_break_text}' is not best-finish, workout:<id or name> or equal"),
                ));
            };
            let workout = resolve_workout(store, reference)?;
            OverallTieBreak::Workout {
                workout_id: workout.id,
            }
        }
    };
    Ok((mode, tie_break))
}

/// How an overall total is shown: times for cumulative time events, decimals
/// for loads, distances and points, plain numbers otherwise.
fn total_text(mode: &OverallMode, workouts: &[Workout], total: i64) -> String {
    if !matches!(mode, OverallMode::Cumulative) {
        return total.to_string();
    }
    let Some(first) = workouts.first() else {
        return total.to_string();
    };
    match first.score_type {
        ScoreType::Time | ScoreType::TimeCapped => format_workout_time(Rounding::Exact, total),
        ScoreType::Load => format!("{} kg", thousandths(total)),
        ScoreType::Distance => format!("{} m", thousandths(total)),
        ScoreType::Points => thousandths(total),
        ScoreType::Reps | ScoreType::RoundsReps => total.to_string(),
    }
}

/// `1234.5` from `1234500` thousandths.
fn thousandths(value: i64) -> String {
    let sign = if value < 0 { "-" } else { "" };
    let magnitude = value.unsigned_abs();
    let whole = magnitude / 1000;
    let fraction = magnitude % 1000;
    if fraction == 0 {
        format!("{sign}{whole}")
    } else {
        let digits = format!("{fraction:03}");
        format!("{sign}{whole}.{}", digits.trim_end_matches('0'))
    }
}

fn overall_board(
    store: &CompetitionFile,
    directory: &EntrantDirectory,
    division: Option<&Division>,
    arguments: &LeaderboardArgs,
    want_json: bool,
) -> CliResult<(Table, String)> {
    let (mode, tie_break) = overall_settings(store, arguments)?;
    let team_workouts = store
        .leaderboard_settings()
        .map_err(store_error)?
        .team_workouts;
    let workouts = store.workouts().map_err(store_error)?;
    let kind = if arguments.teams {
        if !workouts.iter().any(is_team_workout) {
            return Err(CliError::bad_input(
                "--teams: the competition has no team workouts, so there is no team overall",
            ));
        }
        OverallEntrants::Teams
    } else {
        overall_entrant_kind(&workouts.iter().collect::<Vec<_>>())
    };
    let division_id = division.map(|division| division.id);
    let rows = match kind {
        OverallEntrants::Teams if arguments.teams => {
            store.team_overall_leaderboard(division_id, Some(&mode), Some(tie_break))
        }
        _ => store.overall_leaderboard(division_id, Some(&mode), Some(tie_break)),
    }
    .map_err(store_error)?;
    let heading = |workout: &Workout| overall_column_heading_for(workout, team_workouts, kind);
    let shared = shared_places(rows.iter().map(|row| Some(row.rank)));
    let mut columns: Vec<(String, Align)> = vec![
        ("Rank".to_string(), Align::Right),
        ("Bib".to_string(), Align::Right),
        ("Name".to_string(), Align::Left),
        ("Total".to_string(), Align::Right),
    ];
    for workout in &workouts {
        columns.push((heading(workout), Align::Right));
    }
    let column_refs: Vec<(&str, Align)> = columns
        .iter()
        .map(|(name, align)| (name.as_str(), *align))
        .collect();
    let mut table = Table::new(&column_refs);
    let mut json_rows = Vec::with_capacity(rows.len());
    for row in &rows {
        if !want_json {
            let mut cells = vec![
                place_text(Some(row.rank), &shared),
                directory.bib(row.entrant).to_string(),
                directory.name(row.entrant),
                total_text(&mode, &workouts, row.total),
            ];
            for workout in &workouts {
                let cell = row.cells.iter().find(|cell| cell.workout_id == workout.id);
                cells.push(match cell {
                    None => String::new(),
                    Some(cell) => match mode {
                        OverallMode::Cumulative => cell.display.clone(),
                        _ if cell.display.is_empty() => cell.points.to_string(),
                        _ => format!("{} ({})", cell.points, cell.display),
                    },
                });
            }
            table.push(cells);
            continue;
        }
        json_rows.push(OverallRowJson {
            rank: row.rank,
            tied: shared.contains(&row.rank),
            entrant: row.entrant,
            bib: directory.bib(row.entrant),
            name: directory.name(row.entrant),
            total: row.total,
            total_display: total_text(&mode, &workouts, row.total),
            cells: &row.cells,
        });
    }
    let json = if want_json {
        to_json(&json!({
            "leaderboard": "overall",
            "mode": mode,
            "tie_break": tie_break,
            "entrants": match kind { OverallEntrants::Competitors => "competitors", OverallEntrants::Teams => "teams" },
            "team_workouts": team_workouts,
            "team_workouts_note": match kind {
                OverallEntrants::Competitors => team_rule_sentence(team_workouts),
                OverallEntrants::Teams => TEAM_OVERALL_SENTENCE,
            },
            "division": division.map(|division| DivisionJson { id: division.id, name: &division.name }),
            "workouts": workouts.iter().map(|workout| json!({ "id": workout.id, "name": workout.name, "heading": heading(workout) })).collect::<Vec<_>>(),
            "rows": json_rows,
        }))
    } else {
        String::new()
    };
    Ok((table, json))
}

pub fn explain(file: Option<&Path>, arguments: &ExplainArgs) -> CliResult<Output> {
    use scoretable_usecase::explain::{explain, Board};
    let store = open_for_reading(file)?;
    let output = if is_overall_target(&arguments.workout) {
        let explanation = explain(
            &store,
            Board::Overall { division_id: None },
            &arguments.bib_a,
            &arguments.bib_b,
        )
        .map_err(usecase_error)?;
        let (a, b) = (&explanation.a, &explanation.b);
        let settings = explanation.overall_settings.clone().unwrap_or_default();
        Output::new(
            explanation.sentence.clone(),
            json!({
                "leaderboard": "overall",
                "mode": settings.mode,
                "tie_break": settings.tie_break,
                "a": { "bib": a.bib, "name": a.name, "rank": a.rank, "total": a.total },
                "b": { "bib": b.bib, "name": b.name, "rank": b.rank, "total": b.total },
                "explanation": explanation.sentence,
            }),
        )
    } else {
        let workout = resolve_workout(&store, &arguments.workout)?;
        let explanation = explain(
            &store,
            Board::Workout(workout.id),
            &arguments.bib_a,
            &arguments.bib_b,
        )
        .map_err(usecase_error)?;
        let (a, b) = (&explanation.a, &explanation.b);
        Output::new(
            explanation.sentence.clone(),
            json!({
                "workout_id": workout.id,
                "workout": workout.name,
                "a": { "bib": a.bib, "name": a.name, "rank": a.rank, "display": a.display },
                "b": { "bib": b.bib, "name": b.name, "rank": b.rank, "display": b.display },
                "explanation": explanation.sentence,
            }),
        )
    };
    store.close().map_err(store_error)?;
    Ok(output)
}
