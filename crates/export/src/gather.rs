//! Taking an [`ExportData`] snapshot from a competition file, and sealing it.
//!
//! This is the only part of the crate that touches the store, and it does so
//! through the store's public API only (no SQL here): the competition record,
//! divisions, competitors, teams, workouts, each workout's whole-field
//! leaderboard, the stored leaderboard settings, and the amendment events of
//! the audit trail. Division leaderboards are read from each workout's
//! frozen board, and the overall leaderboards computed from the boards'
//! rows and the entrants' bibs and divisions with the engine's rules, in
//! bounded memory ([`ExportData::overall_boards_by_scope`]). No other
//! setting and nothing else in the file is read, so it cannot reach an export.

use std::path::Path;

use chrono::Utc;
use scoretable_core::model::{TeamScoring, Workout};
use scoretable_core::overall::validate_overall_mode;
use scoretable_core::score::format_score;
use scoretable_store::{CompetitionFile, ScoreEventKind, ScoreValue};

use crate::archive::{write_sealed_archive, ArchiveOptions, ArchiveSummary};
use crate::data::{AmendmentLogEntry, CompetitorTable, ExportData, OverallScopes, SnapshotParts};
use crate::error::ExportError;
use crate::live::{LiveWorkout, SpilledBoard, SplitColumns};
use crate::spilled_board::BOARD_SORT_BUDGET;

fn store_error(what: &str, error: scoretable_store::StoreError) -> ExportError {
    ExportError::Render {
        what: format!("{what} (reading the competition file)"),
        message: error.to_string(),
    }
}

/// A failure of a store walk: of the store's read, or of what was done
/// with a record read.
enum ReadOrExport {
    Read(scoretable_store::StoreError),
    Export(ExportError),
}

impl From<scoretable_store::StoreError> for ReadOrExport {
    fn from(error: scoretable_store::StoreError) -> ReadOrExport {
        ReadOrExport::Read(error)
    }
}

impl ReadOrExport {
    /// The export's error: a store failure named by `read_error`.
    fn into_export(
        self,
        read_error: impl FnOnce(scoretable_store::StoreError) -> ExportError,
    ) -> ExportError {
        match self {
            ReadOrExport::Read(error) => read_error(error),
            ReadOrExport::Export(error) => error,
        }
    }
}

/// A value as the audit trail shows it: the status code, the clean score, or the raw text.
fn value_text(workout: Option<&Workout>, value: Option<&ScoreValue>) -> String {
    let Some(value) = value else {
        return String::new();
    };
    match (value.status, value.score, workout) {
        (Some(status), _, _) => status.code().to_string(),
        (None, Some(score), Some(workout)) => format_score(workout, &score),
        _ => value.text.clone(),
    }
}

/// Reads everything the exports need from `file` in one consistent snapshot
/// (one read transaction, see `CompetitionFile::read_snapshot`), stamped
/// with the current time. A write by another program while it reads is
/// either wholly in the snapshot or not at all.
pub fn gather_export_data(file: &CompetitionFile) -> Result<ExportData, ExportError> {
    gather_export_data_observed(file, &mut |_| {})
}

/// [`gather_export_data`] calling `observer` after each read with what was
/// read (`"competition"`, `"divisions"`, ...). A test seam: the
/// consistency tests write through another handle from the observer, between
/// the reads.
#[doc(hidden)]
pub fn gather_export_data_observed(
    file: &CompetitionFile,
    observer: &mut dyn FnMut(&str),
) -> Result<ExportData, ExportError> {
    gather_export_data_with(file, observer, &SnapshotClock::Now)
}

/// Where a snapshot's times come from: the wall clock (every export), or
/// fixed ones (a test seam: the golden-output tests pin the generation time
/// and the amendments' times, which the store stamps from the wall clock, so
/// the same event renders the same bytes on every run).
#[doc(hidden)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SnapshotClock {
    Now,
    Pinned {
        generated_at: chrono::DateTime<Utc>,
        amended_at: String,
    },
}

impl SnapshotClock {
    fn generated_at(&self) -> chrono::DateTime<Utc> {
        match self {
            SnapshotClock::Now => Utc::now(),
            SnapshotClock::Pinned { generated_at, .. } => *generated_at,
        }
    }

    fn amended_at(&self, stored: &str) -> String {
        match self {
            SnapshotClock::Now => stored.to_string(),
            SnapshotClock::Pinned { amended_at, .. } => amended_at.clone(),
        }
    }
}

/// [`gather_export_data_observed`] with the snapshot's times from `clock`.
pub(crate) fn gather_export_data_with(
    file: &CompetitionFile,
    observer: &mut dyn FnMut(&str),
    clock: &SnapshotClock,
) -> Result<ExportData, ExportError> {
    file.with_page_cache(EXPORT_PAGE_CACHE_KIB, |file| {
        file.read_snapshot(|file| gather_in_snapshot(file, observer, clock))
    })
    .map_err(|error| store_error("page cache", error))?
}

/// The page cache a snapshot is read with, in KiB: it reads each table
/// once, so a larger cache would only keep pages that are not read again
/// (at 60,000 athletes the usual 64 MiB were a quarter of an export's
/// memory); it still holds the indexes' upper levels.
const EXPORT_PAGE_CACHE_KIB: i64 = 4_096;

/// A workout's board ranked and spilled as an export takes it (see
/// `gather_in_snapshot`): ranked externally from the store's cursor, of
/// the results for individual and team-chip workouts, of the formed team
/// rows (one team at a time) for member-scored team workouts.
fn spilled_board(
    file: &CompetitionFile,
    workout: &Workout,
    division_ids: &[scoretable_core::model::Id],
) -> Result<SpilledBoard, ExportError> {
    let board_error = |error| store_error(&format!("leaderboard of {}", workout.name), error);
    // Individual and team-chip workouts read their results, member-scored
    // team workouts their formed team rows (one team at a time).
    let walk = match workout.team_scoring {
        TeamScoring::Individual | TeamScoring::TeamChip => {
            CompetitionFile::for_each_rank_entry_with_info::<ReadOrExport>
        }
        TeamScoring::SumAll | TeamScoring::BestN { .. } => {
            CompetitionFile::for_each_formed_team_entry_with_info::<ReadOrExport>
        }
    };
    SpilledBoard::rank_external(workout, division_ids, BOARD_SORT_BUDGET, |each| {
        walk(file, workout.id, &mut |result, bib, divisions| {
            each(result, bib, divisions).map_err(ReadOrExport::Export)
        })
        .map_err(|stop| stop.into_export(board_error))
    })
}

/// A profiling seam (`examples/board_rank_profile.rs`): the first
/// workout's board of `file` ranked and spilled as an export does it
/// (`external`), or as it did before round 10 (the store's
/// `listed_board`, frozen in memory, then spilled); its row count.
#[doc(hidden)]
pub fn rank_first_board_for_profile(
    file: &CompetitionFile,
    external: bool,
) -> Result<usize, ExportError> {
    let workouts = file
        .workouts()
        .map_err(|error| store_error("workouts", error))?;
    let workout = workouts
        .iter()
        .min_by_key(|workout| (workout.sequence, workout.id))
        .ok_or_else(|| ExportError::render("profile", "the file has no workout"))?;
    let division_ids: Vec<scoretable_core::model::Id> = file
        .divisions()
        .map_err(|error| store_error("divisions", error))?
        .iter()
        .map(|division| division.id)
        .collect();
    let board = if external {
        spilled_board(file, workout, &division_ids)?
    } else {
        let board = file
            .listed_board(workout.id)
            .map_err(|error| store_error("leaderboard", error))?;
        SpilledBoard::spill(board, &division_ids)?
    };
    Ok(board.len())
}

/// The reads of a snapshot; call inside `read_snapshot`.
fn gather_in_snapshot(
    file: &CompetitionFile,
    observer: &mut dyn FnMut(&str),
    clock: &SnapshotClock,
) -> Result<ExportData, ExportError> {
    let competition = file
        .competition()
        .map_err(|error| store_error("competition", error))?;
    observer("competition");
    let divisions = file
        .divisions()
        .map_err(|error| store_error("divisions", error))?;
    observer("divisions");
    let mut workouts = file
        .workouts()
        .map_err(|error| store_error("workouts", error))?;
    workouts.sort_by_key(|workout| (workout.sequence, workout.id));
    observer("workouts");

    // Each workout's board kept for the rest as a spilled board
    // (`SpilledBoard`: its rows as records in listing order and each
    // division's list of row numbers, in scratch files), and (below) its
    // split standings spilled too. Renderers make the rows a batch at a
    // time from these (`crate::live`), so the whole field's rows are never
    // held.
    let division_ids: Vec<scoretable_core::model::Id> =
        divisions.iter().map(|division| division.id).collect();
    // Individual and team-chip workouts are ranked straight into their
    // spilled boards in bounded memory: the store's cursor hands each
    // result with its entrant's bib and divisions, an external sort orders
    // them, and each row is placed and written as it comes out
    // (`SpilledBoard::rank_external`), so no stage holds the field.
    // Member-scored team workouts go the same way from their formed team
    // rows, one team at a time (see `spilled_board`).
    let mut boards = Vec::with_capacity(workouts.len());
    for workout in &workouts {
        let board = spilled_board(file, workout, &division_ids)?;
        boards.push(board);
        observer("leaderboard");
    }
    // The overall standings before the names: they need the rankings, the
    // teams' members and the entrants' bibs and divisions only, so the
    // competitors' records are not held while they are computed.
    let settings = file
        .leaderboard_settings()
        .map_err(|error| store_error("leaderboard settings", error))?;
    observer("leaderboard settings");
    let just_workouts = workouts;
    validate_overall_mode(&just_workouts, &settings.mode)
        .map_err(|error| ExportError::render("overall leaderboard", error))?;
    // Every table (individual, then a mixed event's team table; the whole
    // field, then each division) from the frozen boards' rows, made a
    // batch at a time as the standings read them, and the entrants' bibs
    // and divisions, read by the store's cursor as the standings sort
    // them (no entrant is held): the standings' memory is their sorts'
    // buffers, whatever the field's size.
    let entrants = |each: &mut dyn FnMut(_, &str, &[_])| {
        file.for_each_entrant_bib_and_divisions(each)
            .map_err(|error| store_error("entrants", error))
    };
    // The teams' members one team at a time, in id order (the teams
    // list's order), by the store's cursor: no team is held.
    let members = |each: &mut dyn FnMut(_, &[_]) -> Result<(), ExportError>| {
        file.for_each_team_members::<ReadOrExport>(&mut |team, members| {
            each(team, members).map_err(ReadOrExport::Export)
        })
        .map_err(|stop| stop.into_export(|error| store_error("team members", error)))
    };
    let tables = |team_overall: bool| {
        ExportData::overall_boards_by_scope(
            &just_workouts,
            &boards,
            &entrants,
            &members,
            &divisions,
            Some(&settings),
            team_overall,
            OverallScopes::All,
        )
    };
    let overall_leaderboards = tables(false)?;
    let team_overall_leaderboards = tables(true)?;
    observer("overall standings");
    // The splits after the overall standings, so their columns and the
    // standings' working memory never meet.
    let mut live = Vec::with_capacity(just_workouts.len());
    for (workout, board) in just_workouts.iter().zip(boards) {
        let splits = match workout.team_scoring {
            // Team rows formed from members' results carry no splits.
            TeamScoring::SumAll | TeamScoring::BestN { .. } => SplitColumns::default(),
            TeamScoring::Individual | TeamScoring::TeamChip => {
                SplitColumns::build(workout, &board, |each| {
                    file.for_each_split_of_workout(workout.id, each)
                        .map_err(|error| store_error(&format!("splits of {}", workout.name), error))
                })?
            }
        };
        live.push(LiveWorkout::new(board, splits));
    }
    observer("splits");
    // One competitor, then one team, at a time into scratch files, in id
    // order (the store's cursors' order): the whole field's records are
    // never held.
    let mut spill = crate::names::EntrantSpill::new()?;
    file.for_each_competitor::<ReadOrExport>(&mut |competitor| {
        spill.push(&competitor).map_err(ReadOrExport::Export)
    })
    .map_err(|error| error.into_export(|error| store_error("competitors", error)))?;
    file.for_each_team::<ReadOrExport>(&mut |team| {
        spill.push_team(&team).map_err(ReadOrExport::Export)
    })
    .map_err(|error| error.into_export(|error| store_error("teams", error)))?;
    let mut names = spill.finish()?;
    observer("competitors");
    // The names joined to every table a renderer walks, once: each
    // workout's whole-field listing and each overall table's, in their
    // listing order (`crate::names`), so renderers read them forward
    // beside the rows, never by id.
    crate::names::join_all_names(
        &mut names,
        &live,
        &overall_leaderboards,
        &team_overall_leaderboards,
    )?;

    // The amendments only: the trail holds an event per score entered.
    let events = file
        .score_events_of_kind(ScoreEventKind::Amend)
        .map_err(|error| store_error("amendment log", error))?;
    observer("amendment log");
    let mut amendments = Vec::with_capacity(events.len());
    for event in events {
        let workout = just_workouts
            .iter()
            .find(|workout| workout.id == event.workout_id);
        amendments.push(AmendmentLogEntry {
            sequence: amendments.len() as u64 + 1,
            event_id: event.id,
            workout_id: event.workout_id,
            entrant: event.entrant,
            amended_at: clock.amended_at(&event.at),
            official: event.who.clone(),
            old_value: value_text(workout, event.old.as_ref()),
            new_value: value_text(workout, event.new.as_ref()),
            reason: event.reason.clone().unwrap_or_default(),
            appeal_reference: event.appeal_ref.clone(),
        });
    }

    let parts = SnapshotParts {
        competition,
        divisions,
        competitors: CompetitorTable::default(),
        // Spilled with the competitors, in `names`.
        teams: Vec::new(),
        amendments,
        generated_at: clock.generated_at(),
    };
    Ok(ExportData {
        names,
        ..ExportData::from_live(
            parts,
            just_workouts,
            live,
            overall_leaderboards,
            team_overall_leaderboards,
            settings.team_workouts,
        )
    })
}

/// A copy of the competition file taken with SQLite's online backup, in an
/// owner-only work folder beside the output, removed when this is dropped
/// (see [`crate::work_files`]).
pub(crate) struct OnlineBackup {
    _directory: crate::work_files::WorkDir,
    path: std::path::PathBuf,
}

impl OnlineBackup {
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }
}

/// Backs `file` up with SQLite's online backup into an owner-only work
/// folder beside `output`. Inside `read_snapshot` the copy is of that
/// snapshot.
pub(crate) fn take_online_backup(
    file: &CompetitionFile,
    output: &Path,
) -> Result<OnlineBackup, ExportError> {
    let backup_directory = crate::work_files::WorkDir::beside(output)?;
    let backup = file
        .snapshot_backup(backup_directory.path())
        .map_err(|error| store_error("online backup", error))?;
    crate::work_files::make_private(&backup).map_err(|error| ExportError::io(&backup, error))?;
    Ok(OnlineBackup {
        _directory: backup_directory,
        path: backup,
    })
}

/// The online backup and the export snapshot of a seal, from one read
/// snapshot: the backup copies exactly the state the exports are rendered
/// from, whatever other programs write meanwhile.
pub(crate) fn backup_and_gather(
    file: &CompetitionFile,
    output: &Path,
    observer: &mut dyn FnMut(&str),
    clock: &SnapshotClock,
) -> Result<(ExportData, OnlineBackup), ExportError> {
    file.with_page_cache(EXPORT_PAGE_CACHE_KIB, |file| {
        file.read_snapshot(|file| {
            let backup = take_online_backup(file, output)?;
            observer("online backup");
            let data = gather_in_snapshot(file, observer, clock)?;
            Ok((data, backup))
        })
    })
    .map_err(|error| store_error("page cache", error))?
}

/// Takes one snapshot of `file`: an online backup into a temporary
/// directory and the export data, both of the same state (see
/// [`gather_export_data`]), and writes the sealed archive to `output`.
pub fn seal_competition(
    file: &mut CompetitionFile,
    options: &ArchiveOptions,
    output: &Path,
) -> Result<ArchiveSummary, ExportError> {
    seal_competition_observed(file, options, output, &mut |_| {})
}

/// [`seal_competition`] calling `observer` after the backup and after each
/// read (see [`gather_export_data_observed`]). A test seam.
#[doc(hidden)]
pub fn seal_competition_observed(
    file: &mut CompetitionFile,
    options: &ArchiveOptions,
    output: &Path,
    observer: &mut dyn FnMut(&str),
) -> Result<ArchiveSummary, ExportError> {
    let (data, backup) = backup_and_gather(file, output, observer, &SnapshotClock::Now)?;
    write_sealed_archive(&data, backup.path(), options, output)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A team event's member-scored workouts, ranked externally from the
    /// store's formed team rows, have the rows, places and division lists
    /// of the frozen board spilled (as `export all` took them before); the
    /// others as well.
    #[test]
    fn member_scored_boards_ranked_externally_equal_the_frozen_boards_spilled() {
        let directory = tempfile::tempdir().unwrap();
        let path = directory.path().join("teams.scoretable");
        let event = scoretable_core::generate::team_event(150, 8, 3, 11);
        let (file, _) = scoretable_usecase::generate::write_event(
            &path,
            &event,
            scoretable_usecase::generate::ResultEntryMode::ImportAll,
        )
        .unwrap();
        let mut division_ids: Vec<scoretable_core::model::Id> = file
            .divisions()
            .unwrap()
            .iter()
            .map(|division| division.id)
            .collect();
        // A division no entrant is in.
        division_ids.push(division_ids.iter().max().unwrap() + 100);
        let (mut member_scored, mut statuses, mut partial) = (0, 0, 0);
        for workout in file.workouts().unwrap() {
            let ranked = spilled_board(&file, &workout, &division_ids).unwrap();
            let listed = file.listed_board(workout.id).unwrap();
            let spilled = SpilledBoard::spill(listed, &division_ids).unwrap();
            assert_eq!(ranked.len(), spilled.len(), "{}", workout.name);
            assert!(!ranked.is_empty(), "{}", workout.name);
            assert_eq!(
                ranked.rows(None, 0..usize::MAX),
                spilled.rows(None, 0..usize::MAX),
                "{}",
                workout.name
            );
            for division_id in &division_ids {
                assert_eq!(
                    ranked.row_numbers(Some(*division_id), 0..usize::MAX),
                    spilled.row_numbers(Some(*division_id), 0..usize::MAX),
                    "{} division {division_id}",
                    workout.name
                );
                assert_eq!(
                    ranked.rows(Some(*division_id), 0..usize::MAX),
                    spilled.rows(Some(*division_id), 0..usize::MAX),
                    "{} division {division_id}",
                    workout.name
                );
            }
            if matches!(
                workout.team_scoring,
                TeamScoring::SumAll | TeamScoring::BestN { .. }
            ) {
                member_scored += 1;
                let rows = ranked.rows(None, 0..usize::MAX);
                assert!(rows
                    .iter()
                    .all(|row| matches!(row.entrant, scoretable_core::model::Entrant::Team(_))));
                statuses += rows.iter().filter(|row| row.status.is_some()).count();
                partial += rows.iter().filter(|row| row.partial).count();
            }
        }
        assert!(member_scored >= 2, "{member_scored}");
        assert!(statuses + partial > 0, "{statuses} {partial}");
    }
}
