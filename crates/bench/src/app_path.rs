//! The desktop app's amend path as the bench measures it, mirroring
//! `src-tauri/commands/amendments.rs`: `scoretable_usecase::boards::KeptBoards`
//! keeps the workout's live board; an amendment is the short write, then the
//! entrant's ranking input read back by key and applied to the kept board
//! (binary-search move, places re-counted only where they changed), whose
//! changed rows are the who-moved list. No reload and no re-rank. With
//! overall tables kept ([`AppBoards::keep_overall`]) the same write updates
//! them from the workout's changed rows (`LiveOverall::apply`).

use scoretable_core::model::{Entrant, Id, RankedRow};
use scoretable_store::{CompetitionFile, ScoreInput};
use scoretable_usecase::boards::{overall_table, KeptBoards, OverallLine, MOVED_LISTED};

use crate::BenchResult;

pub const DESCRIPTION: &str = "KeptBoards::amend: record_amendment (write + commit), the entrant's ranking input by key, LiveBoard::apply (who moved from the board)";

/// The boards the app keeps.
pub struct AppBoards {
    workout_id: Id,
    boards: KeptBoards,
}

impl AppBoards {
    pub fn new(store: &CompetitionFile, workout_id: Id) -> BenchResult<AppBoards> {
        let mut boards = KeptBoards::default();
        boards
            .board(store, workout_id)
            .map_err(|error| crate::BenchError(format!("ranking: {error}")))?;
        Ok(AppBoards { workout_id, boards })
    }

    /// Amends one score and brings the board up to date; returns how many
    /// placings changed.
    pub fn amend_and_refresh(
        &mut self,
        store: &mut CompetitionFile,
        entrant: Entrant,
        input: ScoreInput,
        appeal: &str,
    ) -> BenchResult<usize> {
        // Who moved listed as far as the app's amendment screen shows it.
        let amended = self
            .boards
            .amend(
                store,
                self.workout_id,
                entrant,
                input,
                "bench official",
                "benchmark amendment",
                Some(appeal),
                MOVED_LISTED,
            )
            .map_err(|error| crate::BenchError(format!("amending: {error}")))?;
        Ok(amended.changes)
    }

    /// One fsync'd write of the overall settings (the floor the amendments
    /// are compared with), which leaves the kept workout board in place.
    pub fn settings_write(
        &mut self,
        store: &mut CompetitionFile,
        settings: &scoretable_store::LeaderboardSettings,
    ) -> BenchResult<()> {
        let error = |error: String| crate::BenchError(format!("writing settings: {error}"));
        let before = store.change_stamp().map_err(|e| error(e.to_string()))?;
        store
            .set_leaderboard_settings(settings)
            .map_err(|e| error(e.to_string()))?;
        self.boards
            .after_unrelated_write(store, before)
            .map_err(|e| error(e.to_string()))
    }

    /// Whether the board was kept through the last amendment (not rebuilt).
    pub fn kept(&self) -> bool {
        self.boards.is_kept(self.workout_id)
    }

    /// Builds and keeps the overall tables of `scopes` (whole field: `None`),
    /// as the app's overall screen does.
    pub fn keep_overall(
        &mut self,
        store: &CompetitionFile,
        scopes: &[Option<Id>],
    ) -> BenchResult<()> {
        for scope in scopes {
            self.boards
                .overall(store, *scope)
                .map_err(|error| crate::BenchError(format!("overall table: {error}")))?;
        }
        Ok(())
    }

    /// How many overall tables are kept (all of them when none was dropped).
    pub fn overall_kept(&self) -> usize {
        self.boards.tables_kept()
    }

    /// The kept overall table of `scope` and whether it had to be built.
    pub fn overall_lines(
        &mut self,
        store: &CompetitionFile,
        scope: Option<Id>,
    ) -> BenchResult<(Vec<OverallLine>, bool)> {
        let (table, built) = self
            .boards
            .overall(store, scope)
            .map_err(|error| crate::BenchError(format!("overall table: {error}")))?;
        Ok((table.lines(0..usize::MAX), built))
    }

    /// The board's rows (for checking it against a full ranking).
    pub fn rows(&mut self, store: &CompetitionFile) -> BenchResult<Vec<RankedRow>> {
        Ok(self
            .boards
            .board(store, self.workout_id)
            .map_err(|error| crate::BenchError(format!("ranking: {error}")))?
            .rows(0..usize::MAX))
    }
}

/// The overall table of `scope` built from the file (what the app did after
/// every score change before the tables were kept): its row count.
pub fn rebuild_overall(store: &CompetitionFile, scope: Option<Id>) -> BenchResult<usize> {
    overall_table(store, scope)
        .map(|table| table.len())
        .map_err(|error| crate::BenchError(format!("overall table: {error}")))
}
