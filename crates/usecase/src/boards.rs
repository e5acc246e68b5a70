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

use std::collections::HashMap;
use std::sync::Arc;

use scoretable_core::board::LiveBoard;
use scoretable_core::model::{Entrant, EntrantInfo, Id, OverallCell};
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

/// The overall table as screens show it: ranked by the store, bibs and
/// names attached, shared ranks marked. Built once per change of the file
/// ([`OverallTables`]); a screen asks for windows of its rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OverallTable {
    pub division_id: Option<Id>,
    pub columns: Vec<OverallColumn>,
    pub rows: Vec<OverallLine>,
}

/// One workout column of the overall table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OverallColumn {
    pub workout_id: Id,
    pub name: String,
    /// The name, with the team-workouts rule for a team workout
    /// (`Relay (team, not counted)`), from the engine.
    pub heading: String,
}

/// One row of the overall table, with one cell per column (blank cells
/// for workouts the entrant has no place in).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OverallLine {
    pub rank: u32,
    /// The rank is shared with a neighbouring row.
    pub tied: bool,
    pub bib: String,
    pub name: String,
    pub total: i64,
    pub cells: Vec<OverallCell>,
}

/// For each position, whether the rank there is shared with a neighbour.
pub fn tied_flags(ranks: &[Option<u32>]) -> Vec<bool> {
    (0..ranks.len())
        .map(|index| {
            let Some(rank) = ranks[index] else {
                return false;
            };
            let before = index > 0 && ranks[index - 1] == Some(rank);
            let after = index + 1 < ranks.len() && ranks[index + 1] == Some(rank);
            before || after
        })
        .collect()
}

/// The overall table for everyone or one division, ranked by the store.
pub fn overall_table(
    file: &CompetitionFile,
    division_id: Option<Id>,
) -> UseCaseResult<OverallTable> {
    let board = file.overall_board(division_id)?;
    let infos: HashMap<Entrant, EntrantInfo> = board
        .infos
        .into_iter()
        .map(|info| (info.entrant, info))
        .collect();
    let ranks: Vec<Option<u32>> = board.rows.iter().map(|row| Some(row.rank)).collect();
    let tied = tied_flags(&ranks);
    let workouts = board.workouts;
    let team_workouts = board.team_workouts;
    Ok(OverallTable {
        division_id,
        columns: workouts
            .iter()
            .map(|workout| OverallColumn {
                workout_id: workout.id,
                name: workout.name.clone(),
                heading: scoretable_core::overall::overall_column_heading(workout, team_workouts),
            })
            .collect(),
        rows: board
            .rows
            .into_iter()
            .zip(tied)
            .map(|(row, tied)| {
                let info = infos.get(&row.entrant);
                OverallLine {
                    rank: row.rank,
                    tied,
                    bib: info.map(|info| info.bib.clone()).unwrap_or_default(),
                    name: info
                        .map_or_else(|| "(removed entrant)".to_string(), |info| info.name.clone()),
                    total: row.total,
                    cells: workouts
                        .iter()
                        .map(|workout| {
                            row.cells
                                .iter()
                                .find(|cell| cell.workout_id == workout.id)
                                .cloned()
                                .unwrap_or(OverallCell {
                                    workout_id: workout.id,
                                    rank: None,
                                    points: 0,
                                    display: String::new(),
                                })
                        })
                        .collect(),
                }
            })
            .collect(),
    })
}

/// The overall tables a long-running process keeps (the few most recently
/// used, per division), while the file's change stamp stays the same; any
/// change drops them (each is rebuilt when next asked for). The generation
/// goes up with each change.
pub type OverallTables = KeptTables<ChangeStamp, OverallTable>;

/// The cache behind [`OverallTables`], generic over the stamp and the table
/// so its rules are tested without a file.
pub struct KeptTables<Stamp, Table> {
    last_stamp: Option<Stamp>,
    generation: u64,
    /// Most recently used first, at most [`BOARDS_KEPT`].
    tables: Vec<(Option<Id>, Arc<Table>)>,
}

impl<Stamp, Table> Default for KeptTables<Stamp, Table> {
    fn default() -> Self {
        KeptTables {
            last_stamp: None,
            generation: 0,
            tables: Vec::new(),
        }
    }
}

impl<Stamp: PartialEq + Copy, Table> KeptTables<Stamp, Table> {
    /// Records the file's current stamp: when it differs from the last one
    /// seen, every table is dropped and the generation moves on. Returns
    /// the generation the tables now belong to.
    pub fn observe(&mut self, stamp: Stamp) -> u64 {
        if self.last_stamp != Some(stamp) {
            self.last_stamp = Some(stamp);
            self.generation += 1;
            self.tables.clear();
        }
        self.generation
    }

    /// Forgets every table (the file was closed or another one opened).
    /// The generation keeps counting, so no old page passes for a new one.
    pub fn clear(&mut self) {
        self.last_stamp = None;
        self.tables.clear();
    }

    /// How many tables are kept now.
    pub fn kept(&self) -> usize {
        self.tables.len()
    }

    /// The table of `division_id` in the current generation (call
    /// [`KeptTables::observe`] first), built by `build` when it is not
    /// kept; the flag says whether it was built now.
    pub fn table<Error>(
        &mut self,
        division_id: Option<Id>,
        build: impl FnOnce() -> Result<Table, Error>,
    ) -> Result<(Arc<Table>, bool), Error> {
        if let Some(position) = self
            .tables
            .iter()
            .position(|(kept, _)| *kept == division_id)
        {
            let entry = self.tables.remove(position);
            let table = Arc::clone(&entry.1);
            self.tables.insert(0, entry);
            return Ok((table, false));
        }
        let table = Arc::new(build()?);
        self.tables.insert(0, (division_id, Arc::clone(&table)));
        self.tables.truncate(BOARDS_KEPT);
        Ok((table, true))
    }
}

#[cfg(test)]
mod tests {
    use super::{tied_flags, KeptTables, BOARDS_KEPT};

    #[test]
    fn a_table_is_built_once_per_stamp() {
        let mut cache: KeptTables<u32, String> = KeptTables::default();
        let builds = std::cell::Cell::new(0);
        let build = |label: &str| -> Result<String, ()> {
            builds.set(builds.get() + 1);
            Ok(label.to_string())
        };
        assert_eq!(cache.observe(7), 1);
        assert_eq!(*cache.table(Some(1), || build("a")).unwrap().0, "a");
        assert_eq!(cache.observe(7), 1);
        let (kept, built) = cache.table(Some(1), || build("b")).unwrap();
        assert_eq!((kept.as_str(), built), ("a", false));
        assert_eq!(builds.get(), 1, "the same stamp reuses the table");
        // A write: the stamp changes, the generation moves on, the table is rebuilt.
        assert_eq!(cache.observe(8), 2);
        assert_eq!(*cache.table(Some(1), || build("c")).unwrap().0, "c");
        assert_eq!(builds.get(), 2);
    }

    #[test]
    fn only_the_most_recently_used_tables_are_kept() {
        let mut cache: KeptTables<u32, i64> = KeptTables::default();
        cache.observe(1);
        for id in 0..10 {
            cache.table(Some(id), || Ok::<_, ()>(id)).unwrap();
        }
        assert_eq!(cache.kept(), BOARDS_KEPT);
        // The oldest are gone: asking again builds.
        let (_, built) = cache.table(Some(0), || Ok::<_, ()>(0)).unwrap();
        assert!(built);
        // The newest is kept; the whole field is a table of its own.
        cache
            .table(Some(9), || -> Result<i64, ()> {
                panic!("division 9 is kept")
            })
            .unwrap();
        let (everyone, _) = cache.table(None, || Ok::<_, ()>(-1)).unwrap();
        assert_eq!(*everyone, -1);
    }

    #[test]
    fn a_failed_build_keeps_nothing_and_clear_forgets_without_reusing_generations() {
        let mut cache: KeptTables<u32, i64> = KeptTables::default();
        cache.observe(1);
        assert!(cache.table(Some(1), || Err("no such division")).is_err());
        assert_eq!(cache.kept(), 0);
        cache.table(Some(1), || Ok::<_, ()>(1)).unwrap();
        cache.clear();
        assert_eq!(cache.kept(), 0);
        // The same stamp after a clear (another file opened) is a new generation.
        assert_eq!(cache.observe(1), 2);
    }

    #[test]
    fn ties_are_marked_on_every_row_sharing_a_rank() {
        let ranks = [Some(1), Some(2), Some(2), Some(4), None, None];
        assert_eq!(tied_flags(&ranks), [false, true, true, false, false, false]);
        assert_eq!(tied_flags(&[]), Vec::<bool>::new());
        assert_eq!(tied_flags(&[Some(1), Some(1)]), [true, true]);
    }
}
