//! Results as one versioned JSON document for the whole competition.
//!
//! The document (format `scoretable-results`, version 1) is:
//!
//! ```text
//! {
//!   "format": "scoretable-results",
//!   "version": 1,
//!   "generated_at": "2026-05-02T17:30:00Z",
//!   "competition": { name, slug, start_date, end_date, venue, country, organiser, time_zone },
//!   "divisions": [ { id, name, kind, gender, min_age, max_age } ],
//!   "entrants": [ { "entrant": {"kind": "competitor", "id": 7}, bib, name, first_name,
//!                   last_name, gender, country, club, division_ids } ],
//!   "workouts": [ { the workout definition (id, name, sequence, score_type, time_cap_ms,
//!                   rounding, tie_break, timing_points, heats, state, ...),
//!                   "leaderboards": [ { "division_id": null, "rows": [ ranked rows ] },
//!                                     { "division_id": 3, "entrants": [ entrant, ... ] } ] } ],
//!   "overall": [ { "division_id": null or id,
//!                  "team_workouts": "excluded" or "team_place",
//!                  "columns": [ { workout_id, "heading": "Relay (team, not counted)" } ],
//!                  "rows": [ overall rows ] } ],
//!   "amendments": [ amendment log entries, oldest first ]
//! }
//! ```
//!
//! A division leaderboard whose rows are exactly the whole field's rows for
//! its entrants (always so for snapshots the store or the engine made, since
//! a ranked row already carries every division place) lists only the
//! entrants, in division order; [`ResultsDocument::workout_rows`] resolves
//! them. Otherwise it carries its own `rows`. This keeps a 60,000-athlete
//! document from repeating every row once per division. The document is
//! written as compact JSON.
//!
//! Ranked rows and overall rows are the engine's own types
//! ([`RankedRow`], [`OverallRow`]) serialised with serde, so a reader gets the
//! exact scores (integer milliseconds, reps, grams), statuses, places,
//! division places, splits with positions and differences, the shown text,
//! and the `amended` and `partial` flags. Entrants carry display data only:
//! no date of birth, chip ids or external ids leave the competition file
//! through this export.
//!
//! Readers must check `format` and `version`; fields may be added within a
//! version, never removed or changed in meaning.

use scoretable_core::model::{
    Competition, Division, Entrant, Gender, Id, OverallRow, RankedRow, TeamWorkoutsInOverall,
    Workout,
};
use serde::{Deserialize, Serialize};

use std::borrow::Cow;
use std::io::Write as _;

use crate::data::{AmendmentLogEntry, Exporter};
use crate::error::ExportError;

/// The `format` value of every results document.
pub const RESULTS_JSON_FORMAT: &str = "scoretable-results";
/// The current `version` of the results document.
pub const RESULTS_JSON_VERSION: u32 = 1;

/// The whole results document (see the module docs).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResultsDocument {
    pub format: String,
    pub version: u32,
    pub generated_at: String,
    pub competition: Competition,
    pub divisions: Vec<Division>,
    pub entrants: Vec<ResultsEntrant>,
    pub workouts: Vec<ResultsWorkout>,
    pub overall: Vec<ResultsOverallLeaderboard>,
    pub amendments: Vec<AmendmentLogEntry>,
}

/// Display data of one competitor or team.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResultsEntrant {
    pub entrant: Entrant,
    pub bib: String,
    pub name: String,
    pub first_name: String,
    pub last_name: String,
    pub gender: Option<Gender>,
    pub country: Option<String>,
    pub club: Option<String>,
    pub division_ids: Vec<Id>,
}

/// A workout definition with its leaderboards.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResultsWorkout {
    #[serde(flatten)]
    pub workout: Workout,
    pub leaderboards: Vec<ResultsWorkoutLeaderboard>,
}

/// One leaderboard of a workout: full rows, or the entrants of a division
/// in order when their rows are the whole field's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResultsWorkoutLeaderboard {
    pub division_id: Option<Id>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rows: Option<Vec<RankedRow>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entrants: Option<Vec<Entrant>>,
}

impl ResultsDocument {
    /// The rows of one workout leaderboard, resolving entrant lists against
    /// the whole-field leaderboard. `None` when the document has no such
    /// leaderboard or an entrant list names someone the whole field lacks.
    pub fn workout_rows(&self, workout_id: Id, division_id: Option<Id>) -> Option<Vec<RankedRow>> {
        let workout = self
            .workouts
            .iter()
            .find(|workout| workout.workout.id == workout_id)?;
        let board = workout
            .leaderboards
            .iter()
            .find(|board| board.division_id == division_id)?;
        if let Some(rows) = &board.rows {
            return Some(rows.clone());
        }
        let whole_field = workout
            .leaderboards
            .iter()
            .find(|board| board.division_id.is_none())
            .and_then(|board| board.rows.as_ref())?;
        let by_entrant: std::collections::HashMap<Entrant, &RankedRow> =
            whole_field.iter().map(|row| (row.entrant, row)).collect();
        board
            .entrants
            .as_ref()?
            .iter()
            .map(|entrant| by_entrant.get(entrant).map(|row| (*row).clone()))
            .collect()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResultsOverallLeaderboard {
    pub division_id: Option<Id>,
    /// How team workouts count in individuals' totals: `excluded` or
    /// `team_place`.
    #[serde(default)]
    pub team_workouts: TeamWorkoutsInOverall,
    /// One heading per workout, as every screen and export names the
    /// column (`Relay (team, not counted)`).
    #[serde(default)]
    pub columns: Vec<ResultsOverallColumn>,
    pub rows: Vec<OverallRow>,
}

/// A column of the overall table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResultsOverallColumn {
    pub workout_id: Id,
    pub heading: String,
}

impl Exporter<'_> {
    /// Builds the results document of the whole competition.
    pub fn results_document(&self) -> Result<ResultsDocument, ExportError> {
        let data = self.data;
        let mut entrants = Vec::with_capacity(self.entrant_count());
        self.for_each_entrant(&mut |entrant, display| {
            let display = display.display();
            entrants.push(ResultsEntrant {
                entrant,
                bib: display.bib,
                name: display.name,
                first_name: display.first_name,
                last_name: display.last_name,
                gender: display.gender,
                country: display.country,
                club: display.club,
                division_ids: display.division_ids,
            });
            Ok(())
        })?;
        let mut workouts: Vec<&Workout> = data.workouts.iter().collect();
        workouts.sort_by_key(|workout| (workout.sequence, workout.id));
        let workouts = workouts
            .into_iter()
            .map(|workout| ResultsWorkout {
                workout: workout.clone(),
                leaderboards: workout_leaderboards_for(data, workout.id),
            })
            .collect();
        let overall = data
            .overall_tables()
            .into_iter()
            .map(|board| ResultsOverallLeaderboard {
                division_id: board.division_id(),
                team_workouts: data.overall_team_workouts,
                columns: data
                    .workouts
                    .iter()
                    .map(|workout| ResultsOverallColumn {
                        workout_id: workout.id,
                        heading: data.overall_heading(workout),
                    })
                    .collect(),
                rows: board.iter().map(Cow::into_owned).collect(),
            })
            .collect();
        Ok(ResultsDocument {
            format: RESULTS_JSON_FORMAT.to_string(),
            version: RESULTS_JSON_VERSION,
            generated_at: data.generated_at_text(),
            competition: data.competition.clone(),
            divisions: data.divisions.clone(),
            entrants,
            workouts,
            overall,
            amendments: data.amendments.clone(),
        })
    }

    /// The results document as compact JSON bytes.
    pub fn results_json(&self) -> Result<Vec<u8>, ExportError> {
        let mut bytes = Vec::new();
        let rendered = self.write_results_json(&mut bytes);
        self.data.check_scratch()?;
        rendered?;
        Ok(bytes)
    }

    /// [`Exporter::results_json`] written into `out` as it is serialised:
    /// the same bytes as `serde_json::to_vec(&self.results_document())`
    /// and a newline, from borrowed views of the snapshot, so neither a
    /// copy of the document nor its bytes are ever held in memory.
    pub fn write_results_json(&self, out: &mut dyn std::io::Write) -> Result<(), ExportError> {
        let data = self.data;
        let view = DocumentView {
            format: RESULTS_JSON_FORMAT,
            version: RESULTS_JSON_VERSION,
            generated_at: data.generated_at_text(),
            competition: &data.competition,
            divisions: &data.divisions,
            entrants: EntrantsView(self),
            workouts: WorkoutsView(data),
            overall: OverallView(data),
            amendments: &data.amendments,
        };
        let mut buffered = std::io::BufWriter::with_capacity(1 << 16, out);
        serde_json::to_writer(&mut buffered, &view)
            .map_err(|error| ExportError::render("results JSON", error))?;
        buffered
            .write_all(b"\n")
            .and_then(|()| buffered.flush())
            .map_err(|error| ExportError::render("results JSON", error))
    }
}

/// [`ResultsDocument`] as borrowed views of the snapshot (same fields, same
/// order, same serialisation).
#[derive(Serialize)]
struct DocumentView<'a, 'e> {
    format: &'static str,
    version: u32,
    generated_at: String,
    competition: &'a Competition,
    divisions: &'a [Division],
    entrants: EntrantsView<'a, 'e>,
    workouts: WorkoutsView<'a>,
    overall: OverallView<'a>,
    amendments: &'a [AmendmentLogEntry],
}

/// [`ResultsEntrant`], borrowed.
#[derive(Serialize)]
struct EntrantView<'a> {
    entrant: Entrant,
    bib: &'a str,
    name: &'a str,
    first_name: &'a str,
    last_name: &'a str,
    gender: Option<Gender>,
    country: Option<&'a str>,
    club: Option<&'a str>,
    division_ids: &'a [Id],
}

struct EntrantsView<'a, 'e>(&'e Exporter<'a>);

impl Serialize for EntrantsView<'_, '_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{Error as _, SerializeSeq};
        let mut seq = serializer.serialize_seq(Some(self.0.entrant_count()))?;
        // The serializer's error is kept aside: the walk's own error type
        // is the export's.
        let mut failed: Option<S::Error> = None;
        let walked = self.0.for_each_entrant(&mut |entrant, display| {
            let written = seq.serialize_element(&EntrantView {
                entrant,
                bib: display.bib(),
                name: &display.name(),
                first_name: display.first_name(),
                last_name: display.last_name(),
                gender: display.gender(),
                country: display.country(),
                club: display.club(),
                division_ids: display.division_ids(),
            });
            match written {
                Ok(()) => Ok(()),
                Err(error) => {
                    failed = Some(error);
                    Err(ExportError::render("results JSON", "the entrant list"))
                }
            }
        });
        if let Some(error) = failed {
            return Err(error);
        }
        walked.map_err(S::Error::custom)?;
        seq.end()
    }
}

/// [`ResultsWorkout`], borrowed.
#[derive(Serialize)]
struct WorkoutView<'a> {
    #[serde(flatten)]
    workout: &'a Workout,
    leaderboards: LeaderboardsView<'a>,
}

struct WorkoutsView<'a>(&'a crate::ExportData);

impl Serialize for WorkoutsView<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut workouts: Vec<&Workout> = self.0.workouts.iter().collect();
        workouts.sort_by_key(|workout| (workout.sequence, workout.id));
        serializer.collect_seq(workouts.into_iter().map(|workout| WorkoutView {
            workout,
            leaderboards: LeaderboardsView(self.0, workout.id),
        }))
    }
}

/// [`ResultsWorkoutLeaderboard`], borrowed.
#[derive(Serialize)]
struct LeaderboardView<'a> {
    division_id: Option<Id>,
    #[serde(skip_serializing_if = "Option::is_none")]
    rows: Option<&'a [RankedRow]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    entrants: Option<EntrantList<'a>>,
}

/// A whole-field [`LeaderboardView`] whose rows are made as they are
/// written (the same JSON).
#[derive(Serialize)]
struct LiveLeaderboardView<'a, 'r> {
    division_id: Option<Id>,
    rows: RowsView<'a, 'r>,
}

struct RowsView<'a, 'r>(&'r crate::live::BoardRows<'a>);

impl Serialize for RowsView<'_, '_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.iter())
    }
}

/// The entrants of rows, in order.
enum EntrantList<'a> {
    Rows(&'a [RankedRow]),
    Entrants(Vec<Entrant>),
    /// A division's board of a compact ranking, read a batch at a time.
    Live(&'a crate::live::LiveWorkout, Id),
}

impl Serialize for EntrantList<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            EntrantList::Rows(rows) => serializer.collect_seq(rows.iter().map(|row| row.entrant)),
            EntrantList::Entrants(entrants) => serializer.collect_seq(entrants),
            EntrantList::Live(live, division) => {
                let len = live.len(Some(*division));
                serializer.collect_seq((0..len).step_by(crate::live::ROW_BATCH).flat_map(|first| {
                    live.board()
                        .entrants(Some(*division), first..first + crate::live::ROW_BATCH)
                }))
            }
        }
    }
}

struct LeaderboardsView<'a>(&'a crate::ExportData, Id);

impl Serialize for LeaderboardsView<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq;
        let (data, workout_id) = (self.0, self.1);
        let listed = workout_boards_for(data, workout_id);
        let mut seq = serializer.serialize_seq(None)?;
        if data.live_workouts.get(workout_id).is_some() {
            // A compact ranking: the whole field's rows made a batch at a
            // time as they are written.
            let rows = data
                .board_rows(workout_id, None)
                .map_err(serde::ser::Error::custom)?;
            seq.serialize_element(&LiveLeaderboardView {
                division_id: None,
                rows: RowsView(&rows),
            })?;
        }
        for (board, same_as_whole_field) in &listed {
            seq.serialize_element(&if *same_as_whole_field {
                LeaderboardView {
                    division_id: board.division_id,
                    rows: None,
                    entrants: Some(EntrantList::Rows(&board.rows)),
                }
            } else {
                LeaderboardView {
                    division_id: board.division_id,
                    rows: Some(&board.rows),
                    entrants: None,
                }
            })?;
        }
        // Division boards the snapshot does not list are the whole field's
        // rows by construction: only their entrants, one division at a
        // time (from a compact ranking, read a batch at a time as they are
        // written).
        if let Some(live) = data.live_workouts.get(workout_id) {
            for division in &data.divisions {
                seq.serialize_element(&LeaderboardView {
                    division_id: Some(division.id),
                    rows: None,
                    entrants: Some(EntrantList::Live(live, division.id)),
                })?;
            }
            return seq.end();
        }
        for (division_id, entrants) in data.derived_division_entrants(workout_id) {
            seq.serialize_element(&LeaderboardView {
                division_id: Some(division_id),
                rows: None,
                entrants: Some(EntrantList::Entrants(entrants)),
            })?;
        }
        seq.end()
    }
}

/// [`ResultsOverallLeaderboard`], borrowed.
#[derive(Serialize)]
struct OverallBoardView<'a> {
    division_id: Option<Id>,
    team_workouts: TeamWorkoutsInOverall,
    columns: &'a [ResultsOverallColumn],
    rows: OverallRowsView<'a>,
}

/// An overall table's rows serialised one at a time as they are made.
struct OverallRowsView<'a>(crate::data::OverallRows<'a>);

impl Serialize for OverallRowsView<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.iter())
    }
}

struct OverallView<'a>(&'a crate::ExportData);

impl Serialize for OverallView<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let data = self.0;
        // The same headings for every scope, as the document builds them.
        let columns: Vec<ResultsOverallColumn> = data
            .workouts
            .iter()
            .map(|workout| ResultsOverallColumn {
                workout_id: workout.id,
                heading: data.overall_heading(workout),
            })
            .collect();
        serializer.collect_seq(
            data.overall_tables()
                .into_iter()
                .map(|board| OverallBoardView {
                    division_id: board.division_id(),
                    team_workouts: data.overall_team_workouts,
                    columns: &columns,
                    rows: OverallRowsView(board),
                }),
        )
    }
}

/// The leaderboards of one workout, each with whether its rows are exactly
/// the whole field's rows for its entrants (then the document lists only
/// the entrants).
fn workout_boards_for(
    data: &crate::ExportData,
    workout_id: Id,
) -> Vec<(&crate::WorkoutLeaderboard, bool)> {
    let boards = data.listed_leaderboards_of(workout_id);
    let whole_field: Option<std::collections::HashMap<Entrant, &RankedRow>> = boards
        .iter()
        .find(|board| board.division_id.is_none())
        .map(|board| board.rows.iter().map(|row| (row.entrant, row)).collect());
    let same: Vec<bool> = boards
        .iter()
        .map(|board| {
            board.division_id.is_some()
                && whole_field.as_ref().is_some_and(|rows| {
                    board
                        .rows
                        .iter()
                        .all(|row| rows.get(&row.entrant).is_some_and(|whole| *whole == row))
                })
        })
        .collect();
    drop(whole_field);
    boards.into_iter().zip(same).collect()
}

/// The leaderboards of one workout, division boards as entrant lists when
/// their rows are the whole field's.
fn workout_leaderboards_for(
    data: &crate::ExportData,
    workout_id: Id,
) -> Vec<ResultsWorkoutLeaderboard> {
    let live = data
        .live_workouts
        .get(workout_id)
        .map(|live| ResultsWorkoutLeaderboard {
            division_id: None,
            rows: Some(live.rows(None, 0..live.len(None))),
            entrants: None,
        });
    let derived = data
        .derived_division_entrants(workout_id)
        .map(|(division_id, entrants)| ResultsWorkoutLeaderboard {
            division_id: Some(division_id),
            rows: None,
            entrants: Some(entrants),
        });
    // A compact ranking's whole field first, as the document is written.
    live.into_iter()
        .chain(workout_boards_for(data, workout_id).into_iter().map(
            |(board, same_as_whole_field)| {
                if same_as_whole_field {
                    ResultsWorkoutLeaderboard {
                        division_id: board.division_id,
                        rows: None,
                        entrants: Some(board.rows.iter().map(|row| row.entrant).collect()),
                    }
                } else {
                    ResultsWorkoutLeaderboard {
                        division_id: board.division_id,
                        rows: Some(board.rows.clone()),
                        entrants: None,
                    }
                }
            },
        ))
        .chain(derived)
        .collect()
}

/// Reads a results document back, checking its format and version.
pub fn parse_results_json(bytes: &[u8]) -> Result<ResultsDocument, ExportError> {
    let document: ResultsDocument = serde_json::from_slice(bytes)
        .map_err(|error| ExportError::render("results JSON (reading)", error))?;
    if document.format != RESULTS_JSON_FORMAT || document.version != RESULTS_JSON_VERSION {
        return Err(ExportError::render(
            "results JSON (reading)",
            format!(
                "expected format {RESULTS_JSON_FORMAT} version {RESULTS_JSON_VERSION}, found {} version {}",
                document.format, document.version
            ),
        ));
    }
    Ok(document)
}
