//! A workout's ranking kept compact for the exports, its rows made as they
//! are rendered.
//!
//! A snapshot taken from a competition file does not hold each workout's
//! ranked rows. It holds the workout's [`ListedBoard`](scoretable_core::board::ListedBoard) (its `LiveBoard`
//! frozen for reading: each row's result and places in listing order, each
//! division's list as row numbers; no rank keys, no bibs) and its
//! [`SplitColumns`] (each ranked row's split times and positions, spilled
//! in listing order, and per timing point the fastest total). A
//! renderer asks for a board's rows through [`BoardRows`], which makes them
//! a batch at a time ([`ROW_BATCH`] rows) in listing order, with their split
//! standings, and drops each batch when the renderer moves on: a whole
//! field's [`RankedRow`]s (display texts, division places, a vector of split
//! standings each) are never held at once.
//!
//! The rows are those of
//! [`rank_workout`](scoretable_core::ranking::rank_workout): the board's
//! rows equal the engine's, split standings aside (`LiveBoard`'s property
//! test, which checks the frozen board too), and the split standings follow the engine's rule (every ranked
//! row that reached a point is placed by its total at ranking precision;
//! equal totals share a position; `leg_ms` from the row's previous point,
//! `difference_ms` from the fastest at the point).

use std::borrow::Cow;
use std::cmp::Ordering;
use std::sync::Arc;

use scoretable_core::model::{Entrant, Id, Millis, RankedRow, Rounding, SplitStanding, Workout};
use scoretable_core::ranking::PointOrder;
use scoretable_core::time::round_time;

use crate::error::ExportError;
use crate::external_sort::{ExternalSort, SortRecord, SORT_BUDGET};
use crate::spill::{get_varint, put_varint, unzigzag, zigzag, RecordsWriter, SpilledRecords};
pub use crate::spilled_board::SpilledBoard;

/// Rows made at a time when a renderer walks a board.
pub const ROW_BATCH: usize = 512;

/// The split standings of a workout's ranked rows, spilled to a scratch
/// file ([`crate::spill`]): one record per row of the whole field, in its
/// listing order (a board walk reads it forward, a division's walk too,
/// skipping), each the row's splits in course order (timing-point slot,
/// total at ranking precision, position at the point; `leg_ms` and
/// `difference_ms` are made on reading); in memory only per timing point
/// its id and fastest total. Built by [`SplitColumns::build`] with
/// external sorts (`crate::external_sort`, each buffering at most
/// `SPLIT_SORT_BUDGET` bytes), so nothing it holds grows with the number
/// of athletes or splits: the runs of splits merged with the board's
/// entrants sorted by entrant, for their row numbers (as they come while
/// the store's cursor gives them in entrant order, else sorted by entrant
/// first, see `RunsJoin`); the reached
/// points by (slot, total), their positions counted as they stream; then
/// by (row, course order), each row's record written in turn.
#[derive(Debug, Clone, Default)]
pub struct SplitColumns {
    /// A slot's timing point id.
    point_ids: Vec<Id>,
    /// A slot's fastest total.
    leaders: Vec<Millis>,
    /// Each row's splits (`None`: no row has any read).
    records: Option<Arc<SpilledRecords>>,
}

/// Bytes each sort of [`SplitColumns::build`] may buffer before it spills
/// a run. Up to three are alive at once (the board's entrants and the runs
/// of splits being merged while the reached points are pushed), so each
/// takes a quarter of the export's [`SORT_BUDGET`].
pub(crate) const SPLIT_SORT_BUDGET: usize = SORT_BUDGET / 4;

/// An entrant's sort key: competitors before teams, each by id (the order
/// of [`Entrant`]).
type EntrantKey = (bool, Id);

fn entrant_key(entrant: Entrant) -> EntrantKey {
    match entrant {
        Entrant::Competitor(id) => (false, id),
        Entrant::Team(id) => (true, id),
    }
}

/// A key's bytes: the team flag, then the id zigzagged, two varints.
fn put_entrant_key(out: &mut Vec<u8>, (team, id): EntrantKey) {
    put_varint(out, u64::from(team));
    put_varint(out, zigzag(id));
}

fn get_entrant_key(bytes: &[u8], at: &mut usize) -> Option<EntrantKey> {
    let team = match get_varint(bytes, at)? {
        0 => false,
        1 => true,
        _ => return None,
    };
    Some((team, unzigzag(get_varint(bytes, at)?)))
}

/// A board row's entrant and its row number (the board's entrants sorted
/// by entrant, to give each ranked run its row).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct EntrantRow {
    id: Id,
    row: u32,
    team: bool,
}

impl EntrantRow {
    fn key(&self) -> EntrantKey {
        (self.team, self.id)
    }
}

impl SortRecord for EntrantRow {
    fn encode(&self, out: &mut Vec<u8>) {
        put_entrant_key(out, self.key());
        put_varint(out, u64::from(self.row));
    }

    fn decode(bytes: &[u8]) -> Option<EntrantRow> {
        let mut at = 0;
        let (team, id) = get_entrant_key(bytes, &mut at)?;
        let row = u32::try_from(get_varint(bytes, &mut at)?).ok()?;
        (at == bytes.len()).then_some(EntrantRow { id, row, team })
    }
}

/// One result's splits as the store's cursor gave them, in course order:
/// per split its slot and total at ranking precision (zigzag), varints.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Run {
    id: Id,
    team: bool,
    splits: Box<[u8]>,
}

impl Run {
    fn key(&self) -> EntrantKey {
        (self.team, self.id)
    }

    /// The run's splits: `(slot, total)` in course order; `None` when its
    /// bytes do not decode.
    fn splits(&self) -> impl Iterator<Item = Option<(u16, Millis)>> + '_ {
        let mut at = 0;
        std::iter::from_fn(move || {
            if at == self.splits.len() {
                return None;
            }
            let slot = get_varint(&self.splits, &mut at).and_then(|slot| u16::try_from(slot).ok());
            let total = get_varint(&self.splits, &mut at).map(unzigzag);
            match (slot, total) {
                (Some(slot), Some(total)) => Some(Some((slot, total))),
                _ => {
                    at = self.splits.len();
                    Some(None)
                }
            }
        })
    }
}

impl SortRecord for Run {
    fn encode(&self, out: &mut Vec<u8>) {
        put_entrant_key(out, self.key());
        out.extend_from_slice(&self.splits);
    }

    fn decode(bytes: &[u8]) -> Option<Run> {
        let mut at = 0;
        let (team, id) = get_entrant_key(bytes, &mut at)?;
        let run = Run {
            id,
            team,
            splits: bytes[at..].into(),
        };
        let decodes = run.splits().all(|split| split.is_some());
        decodes.then_some(run)
    }

    fn heap_bytes(&self) -> usize {
        self.splits.len()
    }
}

/// A ranked row's split: its timing point's slot, total at ranking
/// precision, row number and place in the row's course order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Reached {
    total: Millis,
    row: u32,
    slot: u16,
    offset: u16,
}

impl SortRecord for Reached {
    fn encode(&self, out: &mut Vec<u8>) {
        put_varint(out, u64::from(self.slot));
        put_varint(out, zigzag(self.total));
        put_varint(out, u64::from(self.row));
        put_varint(out, u64::from(self.offset));
    }

    fn decode(bytes: &[u8]) -> Option<Reached> {
        let mut at = 0;
        let slot = u16::try_from(get_varint(bytes, &mut at)?).ok()?;
        let total = unzigzag(get_varint(bytes, &mut at)?);
        let row = u32::try_from(get_varint(bytes, &mut at)?).ok()?;
        let offset = u16::try_from(get_varint(bytes, &mut at)?).ok()?;
        (at == bytes.len()).then_some(Reached {
            total,
            row,
            slot,
            offset,
        })
    }
}

/// A [`Reached`] split with its position at its timing point.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Placed {
    reached: Reached,
    position: u32,
}

impl SortRecord for Placed {
    fn encode(&self, out: &mut Vec<u8>) {
        self.reached.encode(out);
        put_varint(out, u64::from(self.position));
    }

    fn decode(bytes: &[u8]) -> Option<Placed> {
        // The reached split's four varints, then the position.
        let mut at = 0;
        for _ in 0..4 {
            get_varint(bytes, &mut at)?;
        }
        let reached = Reached::decode(&bytes[..at])?;
        let position = u32::try_from(get_varint(bytes, &mut at)?).ok()?;
        (at == bytes.len()).then_some(Placed { reached, position })
    }
}

/// The store cursor's splits gathered into runs (one result's splits in
/// course order), each given to [`RunsJoin`].
struct RunsRead<'p> {
    order_of_point: &'p PointOrder,
    rounding: Rounding,
    /// A slot's timing point id: the listed points sorted by id, then
    /// points the workout does not list, as they are first read.
    point_ids: Vec<Id>,
    /// The points the workout lists (the first slots).
    known_points: usize,
    /// The entrant whose splits are being read, and its splits:
    /// `(course order, timing point id, total at ranking precision)`.
    current: Option<Entrant>,
    run: Vec<(u32, Id, Millis)>,
    /// The run's splits as `(slot, total)`, in course order.
    slots: Vec<(u16, Millis)>,
}

impl RunsRead<'_> {
    /// Adds a split to the run being read; when it starts another run,
    /// returns the run that ended (its entrant, its splits in `slots`).
    fn split(
        &mut self,
        entrant: Entrant,
        timing_point_id: Id,
        total_ms: Millis,
    ) -> Option<Entrant> {
        let ended = if self.current != Some(entrant) {
            let ended = self.close_run();
            self.current = Some(entrant);
            ended
        } else {
            None
        };
        self.run.push((
            self.order_of_point.order(timing_point_id),
            timing_point_id,
            round_time(total_ms, self.rounding),
        ));
        ended
    }

    /// Ends the run being read (if one started): its splits in course
    /// order, as the engine sorts them, into `slots`; returns its entrant.
    fn close_run(&mut self) -> Option<Entrant> {
        let entrant = self.current.take()?;
        if !self.run.is_sorted() {
            self.run.sort_unstable();
        }
        self.slots.clear();
        for (_, timing_point_id, total_ms) in self.run.drain(..) {
            let slot = match self.point_ids[..self.known_points].binary_search(&timing_point_id) {
                Ok(slot) => slot,
                Err(_) => match self.point_ids[self.known_points..]
                    .iter()
                    .position(|id| *id == timing_point_id)
                {
                    Some(offset) => self.known_points + offset,
                    None => {
                        self.point_ids.push(timing_point_id);
                        self.point_ids.len() - 1
                    }
                },
            };
            let slot = u16::try_from(slot).expect("a workout has fewer than 65,536 timing points");
            self.slots.push((slot, total_ms));
        }
        Some(entrant)
    }
}

/// Gives each run its row number. While the runs come in entrant order
/// (the store's cursor reads results by id, which is entrant order when
/// they were entered in it), each is merged at once with the board's
/// entrants sorted by entrant; from the first run out of order on, the
/// runs are sorted by entrant ([`Run`]s) and merged after the cursor
/// ([`RunsJoin::finish`]). A ranked run's splits go to `reached`; runs of
/// entrants the board does not list are left out.
struct RunsJoin<E, CR, CS>
where
    CR: Fn(&Run, &Run) -> Ordering,
    CS: Fn(&Reached, &Reached) -> Ordering,
{
    /// The board's entrants sorted by entrant, while the runs are in
    /// order, and the next of them.
    entrants: Option<E>,
    next_entrant: Option<EntrantRow>,
    /// The last run merged in order.
    last: Option<EntrantKey>,
    /// The runs from the first out of order on.
    runs: ExternalSort<Run, CR>,
    reached: ExternalSort<Reached, CS>,
    bytes: Vec<u8>,
}

impl<E, CR, CS> RunsJoin<E, CR, CS>
where
    E: Iterator<Item = std::io::Result<EntrantRow>>,
    CR: Fn(&Run, &Run) -> Ordering,
    CS: Fn(&Reached, &Reached) -> Ordering,
{
    /// `entrant`'s run (`splits` in course order).
    fn run(&mut self, entrant: Entrant, splits: &[(u16, Millis)]) -> std::io::Result<()> {
        let key = entrant_key(entrant);
        let in_order = self.last.is_none_or(|last| last < key);
        if let Some(entrants) = self.entrants.as_mut().filter(|_| in_order) {
            self.last = Some(key);
            while self.next_entrant.is_some_and(|entrant| entrant.key() < key) {
                self.next_entrant = entrants.next().transpose()?;
            }
            if let Some(entrant) = self.next_entrant.filter(|entrant| entrant.key() == key) {
                push_reached(&mut self.reached, entrant.row, splits.iter().copied())?;
            }
            return Ok(());
        }
        // Out of order: this run and every later one are sorted.
        self.entrants = None;
        self.bytes.clear();
        for (slot, total) in splits {
            put_varint(&mut self.bytes, u64::from(*slot));
            put_varint(&mut self.bytes, zigzag(*total));
        }
        self.runs.push(Run {
            id: key.1,
            team: key.0,
            splits: self.bytes.as_slice().into(),
        })
    }
}

/// A ranked run's splits, at row `row`, into `reached`.
fn push_reached<C: Fn(&Reached, &Reached) -> Ordering>(
    reached: &mut ExternalSort<Reached, C>,
    row: u32,
    splits: impl Iterator<Item = (u16, Millis)>,
) -> std::io::Result<()> {
    for (offset, (slot, total)) in splits.enumerate() {
        let offset = u16::try_from(offset).expect("a workout has fewer than 65,536 timing points");
        reached.push(Reached {
            total,
            row,
            slot,
            offset,
        })?;
    }
    Ok(())
}

/// The board's entrants with their row numbers, sorted by entrant, the
/// sort buffering a sixteenth of `budget`: its output is held through
/// the whole cursor read beside the other sorts' buffers, and a record
/// an athlete is a tenth of the splits' (64 KiB in production: 4,096
/// entrants a run).
fn sorted_entrants(
    board: &SpilledBoard,
    budget: usize,
) -> std::io::Result<impl Iterator<Item = std::io::Result<EntrantRow>>> {
    let mut entrants = ExternalSort::new(budget / 16, |a: &EntrantRow, b: &EntrantRow| {
        a.key().cmp(&b.key())
    });
    let mut first = 0;
    while first < board.len() {
        let end = (first + ROW_BATCH).min(board.len());
        for (row, entrant) in (first..end).zip(board.entrants(None, first..end)) {
            let (team, id) = entrant_key(entrant);
            let row = u32::try_from(row).expect("a board has fewer than 4e9 rows");
            entrants.push(EntrantRow { id, row, team })?;
        }
        first = end;
    }
    entrants.finish()
}

/// A scratch file's failure as the export's error.
fn scratch_error(error: std::io::Error) -> ExportError {
    ExportError::scratch(error)
}

/// The next item of a sort's output, its failure as the export's error.
fn next_sorted<T>(
    sorted: &mut impl Iterator<Item = std::io::Result<T>>,
) -> Result<Option<T>, ExportError> {
    sorted.next().transpose().map_err(scratch_error)
}

/// A sorted run's bytes that do not decode, as the export's error.
fn undecodable(what: &str) -> ExportError {
    scratch_error(std::io::Error::new(
        std::io::ErrorKind::InvalidData,
        format!("{what} do not decode"),
    ))
}

impl SplitColumns {
    /// Builds the split standings of `board`'s rows from `read`, which
    /// calls its argument with `(entrant, timing point id, total ms)` for
    /// each split of the workout, one result's splits after another (a
    /// store cursor, `CompetitionFile::for_each_split_of_workout`), and
    /// spills them in the board's listing order. Splits of entrants the
    /// board does not rank are left out, as the engine ranks only the
    /// results it is given. An error of `read` is returned as it is; a
    /// failure of a scratch file is an [`ExportError::Render`] naming the scratch file.
    pub fn build(
        workout: &Workout,
        board: &SpilledBoard,
        read: impl FnOnce(&mut dyn FnMut(Entrant, Id, Millis)) -> Result<(), ExportError>,
    ) -> Result<SplitColumns, ExportError> {
        SplitColumns::build_with_budget(workout, board, read, SPLIT_SORT_BUDGET)
    }

    /// [`SplitColumns::build`] with each sort buffering at most `budget`
    /// bytes (tests force many runs and merges with a tiny one).
    pub(crate) fn build_with_budget(
        workout: &Workout,
        board: &SpilledBoard,
        read: impl FnOnce(&mut dyn FnMut(Entrant, Id, Millis)) -> Result<(), ExportError>,
        budget: usize,
    ) -> Result<SplitColumns, ExportError> {
        // Points sorted by id as the engine looks them up; points the
        // workout does not list sort last.
        let order_of_point = PointOrder::of(workout);
        let point_ids: Vec<Id> = order_of_point.ids().collect();
        let mut runs_read = RunsRead {
            order_of_point: &order_of_point,
            rounding: workout.rounding,
            known_points: point_ids.len(),
            point_ids,
            current: None,
            run: Vec::new(),
            slots: Vec::new(),
        };
        // 1. Each result's splits, in course order, as one run, given its
        // row number by merging the runs with the board's entrants sorted
        // by entrant (see `RunsJoin`); each ranked split into `reached`,
        // to be sorted by timing point and total.
        let mut join = RunsJoin {
            entrants: Some(sorted_entrants(board, budget).map_err(scratch_error)?),
            next_entrant: None,
            last: None,
            runs: ExternalSort::new(budget, |a: &Run, b: &Run| a.key().cmp(&b.key())),
            reached: ExternalSort::new(budget, |a: &Reached, b: &Reached| {
                (a.slot, a.total).cmp(&(b.slot, b.total))
            }),
            bytes: Vec::new(),
        };
        join.next_entrant = match join.entrants.as_mut() {
            Some(entrants) => next_sorted(entrants)?,
            None => None,
        };
        // The first failure of a scratch file (the cursor cannot be
        // stopped from inside).
        let mut failure: Option<std::io::Error> = None;
        read(&mut |entrant, timing_point_id, total_ms| {
            if let Some(ended) = runs_read.split(entrant, timing_point_id, total_ms) {
                if failure.is_none() {
                    failure = join.run(ended, &runs_read.slots).err();
                }
            }
        })?;
        if let Some(ended) = runs_read.close_run() {
            if failure.is_none() {
                failure = join.run(ended, &runs_read.slots).err();
            }
        }
        if let Some(error) = failure {
            return Err(scratch_error(error));
        }
        let RunsJoin {
            entrants,
            runs,
            mut reached,
            ..
        } = join;
        drop(entrants);
        let RunsRead { point_ids, .. } = runs_read;
        // The runs read out of order, merged with the board's entrants
        // sorted again.
        if runs.len() > 0 {
            let mut runs = runs.finish().map_err(scratch_error)?;
            let mut entrants = sorted_entrants(board, budget).map_err(scratch_error)?;
            let mut entrant = next_sorted(&mut entrants)?;
            while let Some(run) = next_sorted(&mut runs)? {
                while entrant.is_some_and(|entrant| entrant.key() < run.key()) {
                    entrant = next_sorted(&mut entrants)?;
                }
                let Some(row) = entrant
                    .filter(|entrant| entrant.key() == run.key())
                    .map(|entrant| entrant.row)
                else {
                    continue;
                };
                let splits: Option<Vec<(u16, Millis)>> = run.splits().collect();
                let splits = splits.ok_or_else(|| undecodable("a run's splits"))?;
                push_reached(&mut reached, row, splits.into_iter()).map_err(scratch_error)?;
            }
        }
        if reached.len() == 0 {
            return Ok(SplitColumns {
                point_ids,
                leaders: Vec::new(),
                records: None,
            });
        }

        // 4. Positions counted as the splits stream by point and total
        // (equal totals share a position; the first at a point leads it),
        // then the splits sorted by row and course order.
        let mut leaders: Vec<Millis> = vec![0; point_ids.len()];
        let mut placed = ExternalSort::new(budget, |a: &Placed, b: &Placed| {
            (a.reached.row, a.reached.offset).cmp(&(b.reached.row, b.reached.offset))
        });
        // The point being counted: its slot, splits counted, the last
        // total and its position.
        let mut at_point: Option<(u16, u32, Millis, u32)> = None;
        for reached in reached.finish().map_err(scratch_error)? {
            let reached = reached.map_err(scratch_error)?;
            let position = match at_point {
                Some((slot, counted, total, position)) if slot == reached.slot => {
                    let position = if total == reached.total {
                        position
                    } else {
                        counted + 1
                    };
                    at_point = Some((slot, counted + 1, reached.total, position));
                    position
                }
                _ => {
                    *leaders
                        .get_mut(usize::from(reached.slot))
                        .ok_or_else(|| undecodable("a split's timing point"))? = reached.total;
                    at_point = Some((reached.slot, 1, reached.total, 1));
                    1
                }
            };
            placed
                .push(Placed { reached, position })
                .map_err(scratch_error)?;
        }

        // 5. Each row's record, in row order (rows without splits empty).
        let mut placed = placed.finish().map_err(scratch_error)?;
        let mut writer = RecordsWriter::new().map_err(scratch_error)?;
        let mut next = next_sorted(&mut placed)?;
        let mut splits: Vec<Placed> = Vec::new();
        let mut record = Vec::with_capacity(128);
        for row in 0..board.len() {
            let row = u32::try_from(row).expect("a board has fewer than 4e9 rows");
            splits.clear();
            while let Some(split) = next.filter(|split| split.reached.row == row) {
                splits.push(split);
                next = next_sorted(&mut placed)?;
            }
            record.clear();
            put_varint(&mut record, splits.len() as u64);
            for split in &splits {
                put_varint(&mut record, u64::from(split.reached.slot));
                put_varint(&mut record, zigzag(split.reached.total));
                put_varint(&mut record, u64::from(split.position));
            }
            writer.push(&record).map_err(scratch_error)?;
        }
        Ok(SplitColumns {
            point_ids,
            leaders,
            records: Some(Arc::new(writer.finish().map_err(scratch_error)?)),
        })
    }

    /// Puts the split standings of each of `numbers` (the board's row
    /// numbers, see `ListedBoard::row_numbers`) into the matching row of
    /// `rows`. A record that cannot be read leaves its row without splits
    /// and is kept as the spill's failure ([`SplitColumns::scratch_failure`]).
    fn fill(&self, numbers: &[u32], rows: &mut [RankedRow]) {
        let Some(records) = &self.records else {
            return;
        };
        let mut bytes = Vec::with_capacity(128);
        for (number, row) in numbers.iter().zip(rows) {
            bytes.clear();
            if !records.read_into(*number as usize, &mut bytes) {
                continue;
            }
            match self.decode(&bytes) {
                Some(splits) => row.splits = splits,
                None => records.fail(format!("row {number}'s splits do not decode")),
            }
        }
    }

    /// A row's record: its number of splits, then per split the slot, the
    /// total (zigzag) and the position, each a varint.
    fn decode(&self, bytes: &[u8]) -> Option<Vec<SplitStanding>> {
        let mut at = 0;
        let count = get_varint(bytes, &mut at)? as usize;
        let mut splits = Vec::with_capacity(count);
        let mut previous_total = 0;
        for _ in 0..count {
            let slot = get_varint(bytes, &mut at)? as usize;
            let total_ms = unzigzag(get_varint(bytes, &mut at)?);
            let position = u32::try_from(get_varint(bytes, &mut at)?).ok()?;
            splits.push(SplitStanding {
                timing_point_id: *self.point_ids.get(slot)?,
                total_ms,
                leg_ms: total_ms - previous_total,
                position,
                difference_ms: total_ms - *self.leaders.get(slot)?,
            });
            previous_total = total_ms;
        }
        (at == bytes.len()).then_some(splits)
    }

    /// The first failed read of the scratch file, if one failed.
    pub fn scratch_failure(&self) -> Option<&str> {
        self.records.as_ref().and_then(|records| records.failure())
    }

    /// Keeps `message` as the spill's failure, as a failed read would (a
    /// test seam for the export's handling of it).
    #[cfg(test)]
    pub(crate) fn fail_for_test(&self, message: &str) {
        if let Some(records) = &self.records {
            records.fail(message.to_string());
        }
    }

    /// Bytes held in memory (for the memory notes and tests): the spilled
    /// records take none.
    pub fn heap_bytes(&self) -> usize {
        self.point_ids.capacity() * 8 + self.leaders.capacity() * 8
    }
}

/// One workout's compact ranking: its board frozen for reading (its rows
/// in listing order with their places counted once, each division's list
/// as row numbers) and its split columns.
#[derive(Debug, Clone)]
pub struct LiveWorkout {
    board: SpilledBoard,
    pub splits: SplitColumns,
}

impl LiveWorkout {
    /// `board` (see [`LiveBoard::into_listed`]) and its split columns.
    ///
    /// [`LiveBoard::into_listed`]: scoretable_core::board::LiveBoard::into_listed
    pub fn new(board: SpilledBoard, splits: SplitColumns) -> LiveWorkout {
        LiveWorkout { board, splits }
    }

    pub fn board(&self) -> &SpilledBoard {
        &self.board
    }

    pub fn workout_id(&self) -> Id {
        self.board.workout().id
    }

    /// Rows on the whole field (`None`) or one division's board.
    pub fn len(&self, division_id: Option<Id>) -> usize {
        match division_id {
            None => self.board.len(),
            Some(division) => self.board.division_len(division),
        }
    }

    /// The rows at `range` of the whole field (`None`) or one division's
    /// board, with their split standings.
    pub fn rows(&self, division_id: Option<Id>, range: std::ops::Range<usize>) -> Vec<RankedRow> {
        let mut rows = self.board.rows(division_id, range.clone());
        if self.splits.records.is_some() {
            let numbers = self.board.row_numbers(division_id, range);
            self.splits.fill(&numbers, &mut rows);
        }
        rows
    }

    /// The entrants of the whole field (`None`) or one division's board, in
    /// listing order.
    pub fn entrants(&self, division_id: Option<Id>) -> Vec<Entrant> {
        self.board.entrants(division_id, 0..self.len(division_id))
    }
}

/// The compact rankings of a snapshot, one per workout (in no particular
/// order). Two are equal when they list the same rows.
#[derive(Debug, Clone, Default)]
pub struct LiveWorkouts(pub Vec<Arc<LiveWorkout>>);

impl LiveWorkouts {
    pub fn get(&self, workout_id: Id) -> Option<&LiveWorkout> {
        self.0
            .iter()
            .find(|live| live.workout_id() == workout_id)
            .map(Arc::as_ref)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl PartialEq for LiveWorkouts {
    fn eq(&self, other: &LiveWorkouts) -> bool {
        self.0.len() == other.0.len()
            && self.0.iter().zip(&other.0).all(|(a, b)| {
                a.workout_id() == b.workout_id()
                    && a.len(None) == b.len(None)
                    && a.rows(None, 0..a.len(None)) == b.rows(None, 0..b.len(None))
            })
    }
}

/// The rows of one leaderboard as a renderer reads them: borrowed from a
/// snapshot that holds them, or made [`ROW_BATCH`] at a time from a
/// workout's [`LiveWorkout`].
#[derive(Debug)]
pub struct BoardRows<'a> {
    source: RowSource<'a>,
}

#[derive(Debug)]
enum RowSource<'a> {
    Held(Cow<'a, [RankedRow]>),
    Live {
        live: &'a LiveWorkout,
        division_id: Option<Id>,
        len: usize,
        /// The batch [`BoardRows::get`] made last: its first index and rows.
        batch: std::cell::RefCell<(usize, Vec<RankedRow>)>,
    },
}

impl<'a> BoardRows<'a> {
    pub(crate) fn held(rows: Cow<'a, [RankedRow]>) -> BoardRows<'a> {
        BoardRows {
            source: RowSource::Held(rows),
        }
    }

    pub(crate) fn live(live: &'a LiveWorkout, division_id: Option<Id>) -> BoardRows<'a> {
        BoardRows {
            source: RowSource::Live {
                live,
                division_id,
                len: live.len(division_id),
                batch: std::cell::RefCell::new((0, Vec::new())),
            },
        }
    }

    pub fn len(&self) -> usize {
        match &self.source {
            RowSource::Held(rows) => rows.len(),
            RowSource::Live { len, .. } => *len,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The row at `index`. From a compact ranking the rows are made a
    /// batch at a time: the batch holding `index` is kept until an index
    /// outside it is asked for (a table drawn row by row makes each batch
    /// once per pass). The row is borrowed from the batch: drop it before
    /// asking for a row of another batch.
    pub fn get(&self, index: usize) -> Option<RowRef<'_>> {
        match &self.source {
            RowSource::Held(rows) => rows.get(index).map(RowRef::Held),
            RowSource::Live {
                live,
                division_id,
                len,
                batch,
            } => {
                if index >= *len {
                    return None;
                }
                {
                    let mut batch = batch.borrow_mut();
                    let (start, rows) = &mut *batch;
                    if index < *start || index >= *start + rows.len() {
                        let first = index - index % ROW_BATCH;
                        *rows = live.rows(*division_id, first..(first + ROW_BATCH).min(*len));
                        *start = first;
                    }
                }
                Some(RowRef::Batch(std::cell::Ref::map(
                    batch.borrow(),
                    |(start, rows)| &rows[index - *start],
                )))
            }
        }
    }

    /// The rows in listing order, made a batch at a time.
    pub fn iter(&self) -> RowsIter<'_, 'a> {
        RowsIter {
            rows: self,
            next: 0,
            batch: Vec::new().into_iter(),
        }
    }

    /// The entrants of the rows at `range` (clamped), in listing order
    /// (no row is made).
    pub fn entrants_in(&self, range: std::ops::Range<usize>) -> Vec<Entrant> {
        let end = range.end.min(self.len());
        let range = range.start.min(end)..end;
        match &self.source {
            RowSource::Held(rows) => rows[range].iter().map(|row| row.entrant).collect(),
            RowSource::Live {
                live, division_id, ..
            } => live.board().entrants(*division_id, range),
        }
    }

    /// The rows' entrants in listing order, read [`ROW_BATCH`] at a time
    /// (no row is made, and the whole list is never held).
    pub fn iter_entrants(&self) -> impl Iterator<Item = Entrant> + '_ {
        (0..self.len())
            .step_by(ROW_BATCH)
            .flat_map(move |first| self.entrants_in(first..first + ROW_BATCH))
    }

    /// The rows' entrants in listing order (no row is made).
    pub fn entrants(&self) -> Vec<Entrant> {
        match &self.source {
            RowSource::Held(rows) => rows.iter().map(|row| row.entrant).collect(),
            RowSource::Live {
                live, division_id, ..
            } => live.entrants(*division_id),
        }
    }
}

/// A row of [`BoardRows::get`]: borrowed from the rows a snapshot holds, or
/// from the batch last made.
pub enum RowRef<'r> {
    Held(&'r RankedRow),
    Batch(std::cell::Ref<'r, RankedRow>),
}

impl std::ops::Deref for RowRef<'_> {
    type Target = RankedRow;

    fn deref(&self) -> &RankedRow {
        match self {
            RowRef::Held(row) => row,
            RowRef::Batch(row) => row,
        }
    }
}

/// [`BoardRows::iter`].
pub struct RowsIter<'r, 'a> {
    rows: &'r BoardRows<'a>,
    next: usize,
    batch: std::vec::IntoIter<RankedRow>,
}

impl<'r> Iterator for RowsIter<'r, '_> {
    type Item = Cow<'r, RankedRow>;

    fn next(&mut self) -> Option<Cow<'r, RankedRow>> {
        match &self.rows.source {
            RowSource::Held(rows) => {
                let row = rows.get(self.next)?;
                self.next += 1;
                Some(Cow::Borrowed(row))
            }
            RowSource::Live {
                live,
                division_id,
                len,
                ..
            } => {
                if self.batch.len() == 0 {
                    if self.next >= *len {
                        return None;
                    }
                    let end = (self.next + ROW_BATCH).min(*len);
                    self.batch = live.rows(*division_id, self.next..end).into_iter();
                    self.next = end;
                }
                self.batch.next().map(Cow::Owned)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use scoretable_core::board::{LiveBoard, RankInfo};
    use scoretable_core::model::{
        EntrantInfo, ResultEntry, Score, ScoreType, Source, Split, Status, TimingPoint,
    };

    /// Budgets the build is checked with: one record a run (every sort
    /// spills each record and merges in several passes), a few records a
    /// run, and the production budget (sorted in memory at these sizes).
    const BUDGETS: [usize; 3] = [1, 256, SPLIT_SORT_BUDGET];

    fn result(entrant: Entrant, ms: Option<Millis>, points: &[(Id, Millis)]) -> ResultEntry {
        ResultEntry {
            entrant,
            score: ms.map(|ms| Score::Time { ms }),
            status: ms.is_none().then_some(Status::Dnf),
            tie_break_ms: None,
            penalty_ms: 0,
            splits: points
                .iter()
                .map(|(timing_point_id, total_ms)| Split {
                    timing_point_id: *timing_point_id,
                    total_ms: *total_ms,
                })
                .collect(),
            incidents: Vec::new(),
            source: Source::Manual,
            amended: false,
            partial: false,
        }
    }

    fn bib(entrant: Entrant) -> String {
        match entrant {
            Entrant::Competitor(id) => format!("{}", 100 + id),
            Entrant::Team(id) => format!("T{id}"),
        }
    }

    /// The rows of `results`' board with the split standings built with
    /// `budget` from a cursor giving `cursor` (each result's splits in
    /// turn, ranked or not, in the order given), and the engine's rows
    /// for `results`.
    fn built_and_expected(
        workout: &Workout,
        results: &[ResultEntry],
        cursor: &[CursorRun],
        budget: usize,
    ) -> (LiveWorkout, Vec<RankedRow>) {
        let infos: Vec<EntrantInfo> = results
            .iter()
            .map(|result| EntrantInfo {
                entrant: result.entrant,
                bib: bib(result.entrant),
                name: String::new(),
                division_ids: Vec::new(),
            })
            .collect();
        let expected = scoretable_core::ranking::rank_workout(workout, &infos, results);
        let board = LiveBoard::build(workout, results, |entrant| {
            infos
                .iter()
                .find(|info| info.entrant == entrant)
                .map(RankInfo::from)
        })
        .into_listed();
        let board = SpilledBoard::spill(board, &[]).unwrap();
        let columns = SplitColumns::build_with_budget(
            workout,
            &board,
            |each| {
                for (entrant, splits) in cursor {
                    for (timing_point_id, total_ms) in splits {
                        each(*entrant, *timing_point_id, *total_ms);
                    }
                }
                Ok(())
            },
            budget,
        )
        .unwrap();
        (LiveWorkout::new(board, columns), expected)
    }

    /// Runs through the course's first points and runs that miss a
    /// point, take an unlisted one or come out of course order give the
    /// engine's split standings, with any sort budget.
    #[test]
    fn split_standings_equal_the_engines_for_dense_and_sparse_runs() {
        let mut workout = scoretable_testkit::fixtures::workout("Race", 1, ScoreType::Time);
        // Point ids out of course order: the course is 30, 10, 20.
        workout.timing_points = [(30, 1), (10, 2), (20, 3)]
            .into_iter()
            .map(|(id, order)| TimingPoint {
                id,
                order,
                name: format!("p{id}"),
            })
            .collect();
        let competitor = Entrant::Competitor;
        let results = vec![
            // Every point, in course order.
            result(
                competitor(1),
                Some(9_000),
                &[(30, 1_000), (10, 4_000), (20, 7_000)],
            ),
            // Retired after the first point: a prefix of the course.
            result(competitor(2), None, &[(30, 1_200)]),
            // Missed the middle point.
            result(competitor(3), Some(9_500), &[(30, 900), (20, 7_500)]),
            // Given out of course order, a prefix once sorted.
            result(competitor(4), Some(8_800), &[(10, 3_900), (30, 1_000)]),
            // A point the workout does not list.
            result(
                competitor(5),
                Some(9_900),
                &[(30, 1_100), (99, 5_000), (10, 4_400)],
            ),
            // No splits.
            result(competitor(6), Some(10_000), &[]),
            // The course's last point only.
            result(competitor(7), Some(9_100), &[(20, 7_100)]),
        ];
        let mut cursor: Vec<CursorRun> = results
            .iter()
            .map(|result| {
                let splits = result
                    .splits
                    .iter()
                    .map(|split| (split.timing_point_id, split.total_ms))
                    .collect();
                (result.entrant, splits)
            })
            .collect();
        // An entrant the board does not rank: its splits are left out
        // (it would lead at every point).
        cursor.insert(3, (competitor(8), vec![(30, 10), (10, 20), (20, 30)]));
        for budget in BUDGETS {
            let (live, expected) = built_and_expected(&workout, &results, &cursor, budget);
            assert_eq!(
                live.rows(None, 0..live.len(None)),
                expected,
                "budget {budget}"
            );
            // Read back out of order and in short ranges, from the spill.
            for start in (0..live.len(None)).rev() {
                assert_eq!(
                    live.rows(None, start..start + 2),
                    expected[start..(start + 2).min(expected.len())]
                );
            }
            assert!(live.splits.scratch_failure().is_none());
        }
    }

    /// An entrant's splits as the cursor gives them: `(timing point id,
    /// total ms)`.
    type CursorRun = (Entrant, Vec<(Id, Millis)>);

    /// An entrant, whether the board ranks it, its score (`None`: DNF),
    /// its splits (a point picked among the listed and unlisted ones, a
    /// total in seconds and milliseconds) and its place in the cursor.
    type EntrantCase = (
        bool,
        Id,
        bool,
        Option<Millis>,
        Vec<(usize, Millis, Millis)>,
        u16,
    );

    fn entrant_case() -> impl Strategy<Value = EntrantCase> {
        (
            any::<bool>(),
            0..40 as Id,
            prop::bool::weighted(0.8),
            prop::option::weighted(0.8, 0..40 as Millis),
            prop::collection::vec((0..9usize, 0..25 as Millis, 0..1_500 as Millis), 0..8),
            any::<u16>(),
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(96))]

        /// Random runs (dense, sparse, out of course order, at unlisted
        /// points; ties; teams; entrants without splits; splits of
        /// entrants the board does not rank; results read in entrant
        /// order, merged as they come, or in any order, sorted first)
        /// give the engine's split standings, with a budget of one record
        /// a run (many runs, merged in passes), a few records a run and
        /// the production one.
        #[test]
        fn split_standings_equal_the_engines_for_random_runs(
            points in prop::collection::vec((1..30 as Id, any::<u8>()), 0..6),
            entrants in prop::collection::vec(entrant_case(), 0..45),
            rounding in 0..4u8,
            in_order in any::<bool>(),
        ) {
            let mut workout = scoretable_testkit::fixtures::workout("Race", 1, ScoreType::Time);
            workout.rounding = match rounding {
                0 => Rounding::Exact,
                1 => Rounding::Truncate { unit_ms: 1_000 },
                2 => Rounding::Up { unit_ms: 1_000 },
                _ => Rounding::Nearest { unit_ms: 1_000 },
            };
            // Distinct ids; the course order a permutation of the points.
            let mut points = points;
            points.sort_by_key(|(id, _)| *id);
            points.dedup_by_key(|(id, _)| *id);
            let mut by_course: Vec<usize> = (0..points.len()).collect();
            by_course.sort_by_key(|at| (points[*at].1, *at));
            workout.timing_points = by_course
                .iter()
                .enumerate()
                .map(|(order, at)| TimingPoint {
                    id: points[*at].0,
                    order: order as u32 + 1,
                    name: format!("p{}", points[*at].0),
                })
                .collect();
            // The listed points, then three the workout does not list.
            let pickable: Vec<Id> = points
                .iter()
                .map(|(id, _)| *id)
                .chain([90, 91, 92])
                .collect();
            let mut entrants = entrants;
            entrants.sort_by_key(|(team, id, ..)| (*team, *id));
            entrants.dedup_by_key(|(team, id, ..)| (*team, *id));
            let mut results = Vec::new();
            let mut cursor: Vec<(u16, CursorRun)> = Vec::new();
            for (team, id, ranked, score, picks, place) in entrants {
                let entrant = if team { Entrant::Team(id) } else { Entrant::Competitor(id) };
                let mut splits: Vec<(Id, Millis)> = Vec::new();
                for (pick, seconds, millis) in picks {
                    let point = pickable[pick % pickable.len()];
                    if splits.iter().all(|(other, _)| *other != point) {
                        splits.push((point, seconds * 1_000 + millis));
                    }
                }
                if ranked {
                    results.push(result(entrant, score.map(|s| 60_000 + s * 500), &splits));
                }
                cursor.push((place, (entrant, splits)));
            }
            if in_order {
                cursor.sort_by_key(|(_, (entrant, _))| entrant_key(*entrant));
            } else {
                cursor.sort_by_key(|(place, ..)| *place);
            }
            let cursor: Vec<CursorRun> = cursor.into_iter().map(|(_, run)| run).collect();
            for budget in BUDGETS {
                let (live, expected) = built_and_expected(&workout, &results, &cursor, budget);
                prop_assert_eq!(live.rows(None, 0..live.len(None)), expected, "budget {}", budget);
                prop_assert!(live.splits.scratch_failure().is_none());
            }
        }
    }

    /// Each sort's record reads back as written, and bytes cut short or
    /// out of range do not decode.
    #[test]
    fn sort_records_read_back_as_written() {
        fn round_trip<T: SortRecord + PartialEq + std::fmt::Debug>(record: T) {
            let mut bytes = Vec::new();
            record.encode(&mut bytes);
            assert_eq!(T::decode(&bytes).as_ref(), Some(&record));
            assert_eq!(T::decode(&bytes[..bytes.len() - 1]), None);
            bytes.push(0);
            assert_eq!(T::decode(&bytes), None);
        }
        for (team, id) in [(false, 0), (true, -1), (false, Id::MAX), (true, Id::MIN)] {
            round_trip(EntrantRow {
                id,
                row: u32::MAX,
                team,
            });
            let mut splits = Vec::new();
            for (slot, total) in [(0u64, 0), (u64::from(u16::MAX), Millis::MIN), (3, 9_999)] {
                put_varint(&mut splits, slot);
                put_varint(&mut splits, zigzag(total));
            }
            let run = Run {
                id,
                team,
                splits: splits.into(),
            };
            assert_eq!(
                run.splits().collect::<Vec<_>>(),
                vec![
                    Some((0, 0)),
                    Some((u16::MAX, Millis::MIN)),
                    Some((3, 9_999))
                ]
            );
            let mut bytes = Vec::new();
            run.encode(&mut bytes);
            assert_eq!(Run::decode(&bytes), Some(run));
            assert_eq!(Run::decode(&bytes[..bytes.len() - 1]), None);
        }
        let reached = Reached {
            total: Millis::MAX,
            row: 7,
            slot: u16::MAX,
            offset: 3,
        };
        round_trip(reached);
        round_trip(Placed {
            reached,
            position: u32::MAX,
        });
        // A slot beyond a `u16` does not decode.
        let mut bytes = Vec::new();
        for value in [1 << 16, 0, 0, 0] {
            put_varint(&mut bytes, value);
        }
        assert_eq!(Reached::decode(&bytes), None);
    }
}
