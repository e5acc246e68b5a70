//! Ranked workout boards kept by a long-running process (the desktop app's
//! session, a watcher) and brought up to date by each write it makes.
//!
//! [`KeptBoards`] holds a [`LiveBoard`] per workout (the few most recently
//! used) for the store's current [`ChangeStamp`]. After a write through the
//! same handle ([`KeptBoards::amend`], [`KeptBoards::after_write`]) the
//! changed rows are read back by key and applied to the kept board: the
//! entrant's row moves by binary search, the rows in between shift by one,
//! and the rows whose place changed are the who-moved list. Nothing is
//! loaded or ranked for the rest of the field. When the file's contents
//! changed without such a write (an import, another program's write), the
//! boards are dropped and each is rebuilt once, when next asked for; a
//! backup thread releasing its claim changes no contents and keeps them
//! ([`ChangeStamp::same_contents`]).
//!
//! The generation ([`KeptBoards::generation`]) goes up with every change of
//! the kept boards, so a shell can tell a page of an older ranking from a
//! newer one.

use scoretable_core::board::LiveBoard;
use scoretable_core::model::{Entrant, Id};
use scoretable_core::moves::PlaceChange;
use scoretable_store::{
    AmendmentReceipt, ChangeStamp, CompetitionFile, PlacementChange, ScoreInput,
};

use crate::error::UseCaseResult;

/// How many workout boards are kept at once (each holds every division).
pub const BOARDS_KEPT: usize = 4;

/// See the module documentation.
#[derive(Default)]
pub struct KeptBoards {
    stamp: Option<ChangeStamp>,
    generation: u64,
    /// Most recently used first.
    boards: Vec<(Id, LiveBoard)>,
}

impl KeptBoards {
    /// The generation the kept boards belong to.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// Forgets every board (the file was closed or another one opened); the
    /// generation keeps counting.
    pub fn clear(&mut self) {
        self.stamp = None;
        self.boards.clear();
        self.generation += 1;
    }

    /// Drops every board when the file changed since the boards were built
    /// (by a write not applied here). Returns the generation.
    pub fn observe(&mut self, file: &CompetitionFile) -> UseCaseResult<u64> {
        let stamp = file.change_stamp()?;
        match self.stamp {
            // Nothing changed, or another connection only released a
            // backup claim: the boards stay.
            Some(kept) if stamp.same_contents(&kept) => self.stamp = Some(stamp),
            _ => {
                self.stamp = Some(stamp);
                self.boards.clear();
                self.generation += 1;
            }
        }
        Ok(self.generation)
    }

    /// Whether `workout_id`'s board is kept for the file as it is now.
    pub fn is_kept(&self, workout_id: Id) -> bool {
        self.boards.iter().any(|(id, _)| *id == workout_id)
    }

    /// The board of `workout_id` for the file as it is now: the kept one,
    /// or ranked once ([`CompetitionFile::live_board`]) and kept.
    pub fn board(&mut self, file: &CompetitionFile, workout_id: Id) -> UseCaseResult<&LiveBoard> {
        self.observe(file)?;
        match self.boards.iter().position(|(id, _)| *id == workout_id) {
            Some(0) => {}
            Some(at) => {
                let kept = self.boards.remove(at);
                self.boards.insert(0, kept);
            }
            None => {
                let board = file.live_board(workout_id)?;
                self.boards.insert(0, (workout_id, board));
                self.boards.truncate(BOARDS_KEPT);
            }
        }
        Ok(&self.boards[0].1)
    }

    /// Brings the boards up to date after this handle wrote `entrant`'s
    /// result in `workout_id`; `before` is the stamp taken just before the
    /// write. When the boards belonged to `before` and no other program
    /// wrote meanwhile, the workout's kept board is updated in place and the
    /// rows that changed place are returned (`None` when the workout's board
    /// is not kept); otherwise every board is dropped (rebuilt once when
    /// next asked for) and `None` is returned.
    pub fn after_write(
        &mut self,
        file: &CompetitionFile,
        before: ChangeStamp,
        workout_id: Id,
        entrant: Entrant,
    ) -> UseCaseResult<Option<Vec<PlaceChange>>> {
        let after = file.change_stamp()?;
        let current = self.stamp.is_some_and(|kept| before.same_contents(&kept));
        if !current || !after.only_writes_since(&before, 1) {
            self.stamp = None;
            self.boards.clear();
            self.generation += 1;
            return Ok(None);
        }
        self.stamp = Some(after);
        self.generation += 1;
        let Some(at) = self.boards.iter().position(|(id, _)| *id == workout_id) else {
            return Ok(None);
        };
        let inputs = match file.ranked_inputs_of(workout_id, entrant) {
            Ok(inputs) => inputs,
            Err(error) => {
                // The board cannot be brought up to date: rebuild it later.
                self.boards.remove(at);
                return Err(error.into());
            }
        };
        let board = &mut self.boards[at].1;
        let mut moved = Vec::new();
        for input in inputs {
            moved.extend(board.apply(input.entrant, input.result.as_ref(), input.info.as_ref()));
        }
        Ok(Some(moved))
    }

    /// After this handle made one write that changes no workout's results,
    /// entrants or setup (the overall table's settings, for one), taken
    /// from `before`: the kept boards stay when nothing else was written
    /// meanwhile; otherwise they are dropped as by [`KeptBoards::observe`].
    pub fn after_unrelated_write(
        &mut self,
        file: &CompetitionFile,
        before: ChangeStamp,
    ) -> UseCaseResult<()> {
        let after = file.change_stamp()?;
        let current = self.stamp.is_some_and(|kept| before.same_contents(&kept));
        if current && after.only_writes_since(&before, 1) {
            self.stamp = Some(after);
        } else {
            self.stamp = None;
            self.boards.clear();
            self.generation += 1;
        }
        Ok(())
    }

    /// An official amendment (see [`CompetitionFile::record_amendment`]):
    /// the short write, then who moved from the kept board of the workout,
    /// built first when it is not kept. Falls back to the store's
    /// [`CompetitionFile::placement_changes_since`] when another program
    /// wrote meanwhile.
    #[allow(clippy::too_many_arguments)]
    pub fn amend(
        &mut self,
        file: &mut CompetitionFile,
        workout_id: Id,
        entrant: Entrant,
        input: ScoreInput,
        who: &str,
        reason: &str,
        appeal_ref: Option<&str>,
    ) -> UseCaseResult<AmendmentReceipt> {
        self.board(file, workout_id)?;
        let before = file.change_stamp()?;
        let mut receipt =
            file.record_amendment(workout_id, entrant, input, who, reason, appeal_ref)?;
        receipt.moved = match self.after_write(file, before, workout_id, entrant)? {
            Some(moved) => moved.into_iter().map(placement_change).collect(),
            None => file.placement_changes_since(workout_id, entrant, receipt.old.as_ref())?,
        };
        Ok(receipt)
    }
}

fn placement_change(change: PlaceChange) -> PlacementChange {
    PlacementChange {
        entrant: change.entrant,
        division_id: change.division_id,
        old_rank: change.old_rank,
        new_rank: change.new_rank,
    }
}
