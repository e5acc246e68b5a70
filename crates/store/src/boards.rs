//! Live boards: what a leaderboard screen shows, loaded in one consistent
//! snapshot with the names of every entrant.
//!
//! A board is the workout's (or the overall table's) ranked rows without
//! split standings. Ranks, division places, ties, statuses and differences
//! never depend on splits (see `scoretable_core::ranking`), and in a
//! 60,000-athlete race with ten timing points the 600,000 splits are most
//! of the cost of loading and ranking, so a board skips them. Screens that
//! show splits use [`CompetitionFile::workout_leaderboard`].

use scoretable_core::model::{
    EntrantInfo, Id, OverallRow, RankedRow, TeamWorkoutsInOverall, Workout,
};

use crate::competition_file::CompetitionFile;
use crate::error::Result;
use crate::leaderboards::{check_division, division_rows, load_entrant_infos, WorkoutSnapshot};
use crate::workouts::load_workout;

/// One workout's board (see the module documentation).
#[derive(Debug, Clone, PartialEq)]
pub struct WorkoutBoard {
    pub workout: Workout,
    /// Ranked as [`CompetitionFile::workout_leaderboard`] ranks them, with
    /// empty `splits`.
    pub rows: Vec<RankedRow>,
    /// Bib, name and divisions of every competitor and team.
    pub infos: Vec<EntrantInfo>,
}

/// The overall table's board.
#[derive(Debug, Clone, PartialEq)]
pub struct OverallBoard {
    /// Every workout, in sequence: the table's columns.
    pub workouts: Vec<Workout>,
    pub rows: Vec<OverallRow>,
    pub infos: Vec<EntrantInfo>,
    /// The rule the rows were computed with (for the column headings:
    /// `scoretable_core::overall::overall_column_heading`).
    pub team_workouts: TeamWorkoutsInOverall,
}

impl CompetitionFile {
    /// One workout's board, for everyone or one division (then ordered by
    /// division place), in one read snapshot.
    pub fn workout_board(&self, workout_id: Id, division_id: Option<Id>) -> Result<WorkoutBoard> {
        self.read(|connection| {
            check_division(connection, division_id)?;
            let workout = load_workout(connection, workout_id)?;
            let infos = load_entrant_infos(connection)?;
            let snapshot = WorkoutSnapshot::load_without_splits(connection, workout, infos)?;
            let ranked = snapshot.rank();
            let rows = match division_id {
                None => ranked,
                Some(division_id) => division_rows(ranked, &snapshot.infos, division_id),
            };
            Ok(WorkoutBoard {
                workout: snapshot.workout,
                rows,
                infos: snapshot.infos,
            })
        })
    }

    /// The overall table's board with the stored settings, in one read snapshot.
    pub fn overall_board(&self, division_id: Option<Id>) -> Result<OverallBoard> {
        self.read(|_| self.overall_parts(division_id, None, None))
    }
}
