//! Event generation: writing a generated event
//! ([`scoretable_core::generate`]) into a new competition file, through the
//! same store calls a scorekeeper's actions use. The CLI's `demo` and
//! `generate` and the benchmark harness call it.
//!
//! The generator numbers its divisions, competitors, teams, workouts and
//! timing points itself; the store assigns its own ids. This module maps each
//! generated id to the stored one as it goes, so results land on the right
//! entrants and splits on the right timing points.
//!
//! Competitors go through the real CSV path (the generator's
//! [`GeneratedEvent::competitors_csv`] read by
//! [`read_competitors_csv`] and imported in one transaction). Results from
//! files and feeds are imported per workout in one batch each. Results the
//! generator marks as typed at the table are entered one by one when
//! [`ResultEntryMode::AsRecorded`] is asked for (the demo, so `score undo`
//! works on them), or imported with the rest when
//! [`ResultEntryMode::ImportAll`] is asked for (large generated events, where
//! tens of thousands of single-entry transactions would only measure fsync).

use std::collections::HashMap;
use std::path::Path;

use scoretable_core::generate::GeneratedEvent;
use scoretable_core::import::read_competitors_csv;
use scoretable_core::model::{
    Entrant, Heat, Id, Lane, PublicationState, ResultEntry, Source, Split, Team, TeamMember,
    TimingPoint, Workout,
};
use scoretable_store::{CompetitionFile, ImportedResult, ScoreInput};
use serde::Serialize;

use crate::error::{ErrorClass, UseCaseError, UseCaseResult};

/// How generated results reach the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResultEntryMode {
    /// Manual results are entered one by one; file and feed results imported.
    AsRecorded,
    /// Every result is imported, one batch per workout, keeping its source
    /// when it is a file or feed and recording manual ones as a file import.
    ImportAll,
}

/// The generated ids mapped to the stored ones.
#[derive(Debug, Default)]
pub struct IdMaps {
    pub divisions: HashMap<Id, Id>,
    pub competitors: HashMap<Id, Id>,
    pub teams: HashMap<Id, Id>,
    pub workouts: HashMap<Id, Id>,
    pub timing_points: HashMap<Id, Id>,
}

/// What was written.
#[derive(Debug, Clone, Default, Serialize)]
pub struct WriteSummary {
    pub divisions: usize,
    pub competitors: usize,
    pub teams: usize,
    pub workouts: usize,
    pub results_entered: usize,
    pub results_imported: usize,
}

/// The name recorded as "who" for generated entries.
pub const GENERATED_OPERATOR: &str = "generator";

/// Creates `path` and writes the whole event into it.
pub fn write_event(
    path: &Path,
    event: &GeneratedEvent,
    mode: ResultEntryMode,
) -> UseCaseResult<(CompetitionFile, WriteSummary)> {
    let mut store = CompetitionFile::create(path, &event.competition)?;
    let mut maps = IdMaps::default();
    let mut summary = WriteSummary::default();

    for division in &event.divisions {
        let id = store.add_division(division)?;
        maps.divisions.insert(division.id, id);
        summary.divisions += 1;
    }

    let csv = event.competitors_csv();
    let file_name = "generated competitors.csv";
    let drafts = read_competitors_csv(csv.as_bytes(), file_name)?;
    store.import_competitors_from(file_name, &drafts)?;
    let stored_by_bib: HashMap<String, Id> = store
        .competitors()?
        .into_iter()
        .map(|competitor| (competitor.bib, competitor.id))
        .collect();
    for competitor in &event.competitors {
        let id = stored_by_bib.get(&competitor.bib).ok_or_else(|| {
            internal(format!(
                "generated bib {} is missing after the import",
                competitor.bib
            ))
        })?;
        maps.competitors.insert(competitor.id, *id);
    }
    summary.competitors = event.competitors.len();

    for team in &event.teams {
        let stored_team = Team {
            id: 0,
            members: team
                .members
                .iter()
                .map(|member| TeamMember {
                    competitor_id: map_id(&maps.competitors, member.competitor_id, "competitor"),
                    order: member.order,
                })
                .collect(),
            division_ids: team
                .division_ids
                .iter()
                .map(|id| map_id(&maps.divisions, *id, "division"))
                .collect(),
            ..team.clone()
        };
        let id = store.add_team(&stored_team)?;
        maps.teams.insert(team.id, id);
        summary.teams += 1;
    }

    for workout in &event.workouts {
        let to_store = Workout {
            id: 0,
            // Results go in first; the state is set once they are all in.
            state: PublicationState::Provisional,
            timing_points: workout
                .timing_points
                .iter()
                .map(|point| TimingPoint {
                    id: 0,
                    ..point.clone()
                })
                .collect(),
            heats: workout
                .heats
                .iter()
                .map(|heat| Heat {
                    id: 0,
                    lanes: heat
                        .lanes
                        .iter()
                        .map(|lane| Lane {
                            lane: lane.lane,
                            competitor_id: lane
                                .competitor_id
                                .map(|id| map_id(&maps.competitors, id, "competitor")),
                            team_id: lane.team_id.map(|id| map_id(&maps.teams, id, "team")),
                        })
                        .collect(),
                    ..heat.clone()
                })
                .collect(),
            ..workout.clone()
        };
        let id = store.add_workout(&to_store)?;
        maps.workouts.insert(workout.id, id);
        let stored = store.workout(id)?;
        for point in &workout.timing_points {
            let stored_point = stored
                .timing_points
                .iter()
                .find(|candidate| candidate.order == point.order)
                .ok_or_else(|| {
                    internal(format!(
                        "timing point {} of {} is missing after it was added",
                        point.name, workout.name
                    ))
                })?;
            maps.timing_points.insert(point.id, stored_point.id);
        }
        summary.workouts += 1;
    }

    for (workout, results) in event.workouts.iter().zip(&event.results) {
        let workout_id = maps.workouts[&workout.id];
        write_results(&mut store, &maps, workout_id, results, mode, &mut summary)?;
        if workout.state != PublicationState::Provisional {
            store.set_workout_state(workout_id, workout.state)?;
        }
    }
    Ok((store, summary))
}

/// Panics on an id the generator did not define: that is a generator bug,
/// not user input.
fn map_id(map: &HashMap<Id, Id>, id: Id, what: &str) -> Id {
    *map.get(&id)
        .unwrap_or_else(|| panic!("the generated event refers to unknown {what} {id}"))
}

/// The stored entrant for a generated one.
pub fn map_entrant(maps: &IdMaps, entrant: Entrant) -> Entrant {
    match entrant {
        Entrant::Competitor(id) => Entrant::Competitor(map_id(&maps.competitors, id, "competitor")),
        Entrant::Team(id) => Entrant::Team(map_id(&maps.teams, id, "team")),
    }
}

/// A generated result as an import record for the stored workout.
pub fn imported_record(maps: &IdMaps, row: u64, result: &ResultEntry) -> ImportedResult {
    ImportedResult {
        row,
        entrant: map_entrant(maps, result.entrant),
        value: ScoreInput::Parsed {
            score: result.score,
            status: result.status,
            tie_break_ms: result.tie_break_ms,
        },
        penalty_ms: result.penalty_ms,
        splits: result
            .splits
            .iter()
            .map(|split| Split {
                timing_point_id: map_id(&maps.timing_points, split.timing_point_id, "timing point"),
                total_ms: split.total_ms,
            })
            .collect(),
        incidents: result.incidents.clone(),
        record_id: None,
        received_at: None,
    }
}

fn write_results(
    store: &mut CompetitionFile,
    maps: &IdMaps,
    workout_id: Id,
    results: &[ResultEntry],
    mode: ResultEntryMode,
    summary: &mut WriteSummary,
) -> UseCaseResult<()> {
    let mut by_source: Vec<(Source, Vec<ImportedResult>)> = Vec::new();
    for (index, result) in results.iter().enumerate() {
        let typed_at_table = result.source == Source::Manual
            && result.splits.is_empty()
            && result.penalty_ms == 0
            && result.incidents.is_empty();
        if mode == ResultEntryMode::AsRecorded && typed_at_table {
            store.enter_score(
                workout_id,
                map_entrant(maps, result.entrant),
                ScoreInput::Parsed {
                    score: result.score,
                    status: result.status,
                    tie_break_ms: result.tie_break_ms,
                },
                GENERATED_OPERATOR,
            )?;
            summary.results_entered += 1;
            continue;
        }
        let source = match result.source {
            Source::Feed => Source::Feed,
            Source::File | Source::Manual | Source::Amendment => Source::File,
        };
        let record = imported_record(maps, index as u64 + 1, result);
        match by_source
            .iter_mut()
            .find(|(batch_source, _)| *batch_source == source)
        {
            Some((_, records)) => records.push(record),
            None => by_source.push((source, vec![record])),
        }
    }
    for (source, records) in by_source {
        let source_name = match source {
            Source::Feed => "generated timing feed",
            _ => "generated results file",
        };
        let imported = store.import_results(workout_id, source, source_name, &records)?;
        summary.results_imported += imported.inserted;
    }
    Ok(())
}

fn internal(message: String) -> UseCaseError {
    UseCaseError::new(ErrorClass::Internal, message)
}
