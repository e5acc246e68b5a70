//! The desktop app's amend path as the bench measures it, mirroring
//! `src-tauri/commands/amendments.rs` and `src-tauri/boards.rs`: the
//! amendment (a short write, then who moved from the ranking columns), then
//! the kept whole-field board of the workout updated in place
//! (`scoretable_core::moves::replace_in_board`), no reload and no re-rank.

use std::collections::HashMap;

use scoretable_core::model::{Entrant, EntrantInfo, Id, RankedRow, Workout};
use scoretable_store::{CompetitionFile, ScoreInput};

use crate::{fail, BenchResult};

pub const DESCRIPTION: &str = "amend_score_with (write, then who moved by one pass over the ranking columns) + the kept board updated in place (binary-search re-insert, one re-placing pass)";

/// The board the app keeps for one workout.
pub struct AppBoards {
    workout: Workout,
    rows: Vec<RankedRow>,
    infos: HashMap<Entrant, EntrantInfo>,
}

impl AppBoards {
    pub fn new(store: &CompetitionFile, workout_id: Id) -> BenchResult<AppBoards> {
        let board = store
            .workout_board(workout_id, None)
            .map_err(fail("ranking"))?;
        Ok(AppBoards {
            workout: board.workout,
            rows: board.rows,
            infos: board
                .infos
                .into_iter()
                .map(|info| (info.entrant, info))
                .collect(),
        })
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
        let receipt = store
            .amend_score_with(
                self.workout.id,
                entrant,
                input,
                "bench official",
                "benchmark amendment",
                Some(appeal),
            )
            .map_err(fail("amending"))?;
        let new = store
            .result(self.workout.id, entrant)
            .map_err(fail("reading the result"))?
            .filter(|result| result.effective_value().is_some())
            .map(|result| {
                let mut entry = result.to_result_entry();
                entry.splits.clear();
                entry
            });
        let infos = &self.infos;
        scoretable_core::moves::replace_in_board(
            &self.workout,
            &mut self.rows,
            entrant,
            new.as_ref(),
            |who| infos.get(&who),
        );
        Ok(receipt.moved.len())
    }

    /// The board as kept (for checking it against a full ranking).
    pub fn rows(&self) -> &[RankedRow] {
        &self.rows
    }
}
