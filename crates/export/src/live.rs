//! A workout's ranking kept compact for the exports, its rows made as they
//! are rendered.
//!
//! A snapshot taken from a competition file does not hold each workout's
//! ranked rows. It holds the workout's [`ListedBoard`](scoretable_core::board::ListedBoard) (its `LiveBoard`
//! frozen for reading: each row's result and places in listing order, each
//! division's list as row numbers; no rank keys, no bibs) and its
//! [`SplitColumns`] (each ranked row's split times and positions in flat
//! columns, and per timing point the fastest total). A
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
use std::sync::Arc;

use scoretable_core::fast_hash::FastHashMap;

use scoretable_core::model::{Entrant, Id, Millis, RankedRow, SplitStanding, Workout};
use scoretable_core::ranking::PointOrder;
use scoretable_core::time::round_time;

use crate::error::ExportError;
use crate::narrow::NarrowColumn;
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
/// its id and fastest total. Built by [`SplitColumns::build`] from compact
/// columns held only while the workout's splits are read: per split the
/// total (4 bytes while it fits a `u32` of milliseconds, else 8) and, per
/// timing point, the totals sorted once to count the positions; per row
/// where its run of splits starts and, for a competitor, its run by
/// competitor id (4 bytes each). A run that passed the workout's first
/// timing points in course order (every finisher's, and a retirement's)
/// keeps no slots while it is built; any other keeps a slot (2 bytes) per
/// split, found by the run in a map.
#[derive(Debug, Clone, Default)]
pub struct SplitColumns {
    /// A slot's timing point id.
    point_ids: Vec<Id>,
    /// A slot's fastest total.
    leaders: Vec<Millis>,
    /// Each row's splits (`None`: no row has any read).
    records: Option<Arc<SpilledRecords>>,
}

/// The columns [`SplitColumns::build`] reads a workout's splits into.
#[derive(Debug, Default)]
struct SplitBuilder {
    /// Each ranked competitor's run in `run_starts`, by competitor id
    /// (`NO_RUN`: none).
    run_of_competitor: Vec<u32>,
    /// The runs of other entrants: teams, and competitor ids beyond
    /// `dense_limit`.
    run_of_other: FastHashMap<Entrant, u32>,
    /// Competitor ids below this have their run in `run_of_competitor`.
    dense_limit: usize,
    /// Where each run starts in `totals`; one more entry than runs.
    run_starts: Vec<u32>,
    /// The workout's timing points' slots in course order: the slots of a
    /// run not in `sparse_runs`, from its first split.
    course_slots: Vec<u16>,
    /// The runs whose points are not the course's first ones in order, and
    /// where their slots start in `slots`.
    sparse_runs: FastHashMap<u32, u32>,
    /// The slots of the runs in `sparse_runs`, one run after the other.
    slots: Vec<u16>,
    /// The splits' totals (4 bytes each while every total fits a `u32`).
    totals: NarrowColumn,
    /// A slot's timing point id.
    point_ids: Vec<Id>,
}

/// In `SplitColumns::run_of_competitor`: the competitor has no run.
const NO_RUN: u32 = u32::MAX;

/// Each timing point's totals, sorted (held while the rows are spilled,
/// to count each split's position).
fn sorted_at_points<T: Ord + Copy>(
    slots: impl Iterator<Item = u16> + Clone,
    totals: &[T],
    points: usize,
) -> Vec<Vec<T>> {
    let mut counts = vec![0usize; points];
    for slot in slots.clone() {
        counts[slot as usize] += 1;
    }
    let mut sorted_totals: Vec<Vec<T>> = counts
        .iter()
        .map(|count| Vec::with_capacity(*count))
        .collect();
    for (slot, total) in slots.zip(totals) {
        sorted_totals[slot as usize].push(*total);
    }
    for totals in &mut sorted_totals {
        totals.sort_unstable();
    }
    sorted_totals
}

/// A split's position at its timing point: one more than the totals at the
/// point that are lower (equal totals share a position).
fn position_at<T: Ord>(sorted: &[T], total: &T) -> u32 {
    sorted.partition_point(|other| other < total) as u32 + 1
}

/// Each timing point's fastest total (0 where none).
fn leaders_of<T: Copy + Into<Millis>>(sorted_totals: &[Vec<T>]) -> Vec<Millis> {
    sorted_totals
        .iter()
        .map(|totals| totals.first().map_or(0, |total| (*total).into()))
        .collect()
}

/// A scratch file's failure as the export's error.
fn scratch_error(error: std::io::Error) -> ExportError {
    ExportError::scratch(error)
}

impl SplitColumns {
    /// Builds the split standings of `board`'s rows from `read`, which
    /// calls its argument with `(entrant, timing point id, total ms)` for
    /// each split of the workout, one result's splits after another (a
    /// store cursor, `CompetitionFile::for_each_split_of_workout`), and
    /// spills them in the board's listing order. Splits of entrants the
    /// board does not rank are left out, as the engine ranks only the
    /// results it is given. An error of `read` is returned as it is; a
    /// failure of the scratch file is an [`ExportError::Render`] naming the scratch file.
    pub fn build(
        workout: &Workout,
        board: &SpilledBoard,
        read: impl FnOnce(&mut dyn FnMut(Entrant, Id, Millis)) -> Result<(), ExportError>,
    ) -> Result<SplitColumns, ExportError> {
        // Points sorted by id as the engine looks them up; points the
        // workout does not list sort last.
        let order_of_point = PointOrder::of(workout);
        let mut columns = SplitBuilder {
            run_starts: vec![0],
            point_ids: order_of_point.ids().collect(),
            // Competitor ids are row ids, about as many as the entrants.
            dense_limit: board.len().saturating_mul(2).max(1_024),
            ..SplitBuilder::default()
        };
        let known_points = columns.point_ids.len();
        let mut course: Vec<(u32, Id, u16)> = columns
            .point_ids
            .iter()
            .enumerate()
            .map(|(slot, id)| {
                let slot =
                    u16::try_from(slot).expect("a workout has fewer than 65,536 timing points");
                (order_of_point.order(*id), *id, slot)
            })
            .collect();
        course.sort_unstable();
        columns.course_slots = course.into_iter().map(|(_, _, slot)| slot).collect();
        let ranked_entrants = board.sorted_entrants();
        let mut run_slots: Vec<u16> = Vec::new();
        // The entrant whose splits are being read, and whether it is ranked.
        let mut current: Option<(Entrant, bool)> = None;
        let mut run: Vec<(u32, Id, Millis)> = Vec::new();
        let rounding = workout.rounding;
        let order_of = |id: Id| order_of_point.order(id);
        read(&mut |entrant, timing_point_id, total_ms| {
            if current.map(|(who, _)| who) != Some(entrant) {
                columns.close_run(&mut run, &mut run_slots, known_points);
                let ranked = ranked_entrants.binary_search(&entrant).is_ok();
                if ranked {
                    let run = (columns.run_starts.len() - 1) as u32;
                    columns.set_run(entrant, run);
                }
                current = Some((entrant, ranked));
            }
            if current.is_some_and(|(_, ranked)| ranked) {
                run.push((
                    order_of(timing_point_id),
                    timing_point_id,
                    round_time(total_ms, rounding),
                ));
            }
        })?;
        columns.close_run(&mut run, &mut run_slots, known_points);
        drop(run);
        drop(ranked_entrants);
        if columns.totals.len() == 0 {
            return Ok(SplitColumns {
                point_ids: columns.point_ids,
                leaders: Vec::new(),
                records: None,
            });
        }
        columns.slots.shrink_to_fit();
        columns.totals.shrink_to_fit();
        columns.run_starts.shrink_to_fit();
        columns.run_of_competitor.shrink_to_fit();
        let (records, leaders) = match &columns.totals {
            NarrowColumn::Narrow(totals) => columns.spill(board, totals),
            NarrowColumn::Wide(totals) => columns.spill(board, totals),
        }
        .map_err(scratch_error)?;
        Ok(SplitColumns {
            point_ids: columns.point_ids,
            leaders,
            records: Some(Arc::new(records)),
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

impl SplitBuilder {
    /// Spills each row of `board`'s whole field, in listing order: its
    /// splits with their positions (counted from each point's sorted
    /// totals, held only meanwhile). Returns the records and each point's
    /// fastest total.
    fn spill<T: Ord + Copy + Into<Millis>>(
        &self,
        board: &SpilledBoard,
        totals: &[T],
    ) -> std::io::Result<(SpilledRecords, Vec<Millis>)> {
        let sorted = sorted_at_points(self.split_slots(), totals, self.point_ids.len());
        let leaders = leaders_of(&sorted);
        let mut writer = RecordsWriter::new()?;
        let mut record = Vec::with_capacity(128);
        let mut first = 0;
        while first < board.len() {
            let end = (first + ROW_BATCH).min(board.len());
            for entrant in board.entrants(None, first..end) {
                record.clear();
                match self.run_of(entrant) {
                    None => put_varint(&mut record, 0),
                    Some(run) => {
                        let (start, end) = (
                            self.run_starts[run as usize] as usize,
                            self.run_starts[run as usize + 1] as usize,
                        );
                        let sparse = self.sparse_runs.get(&run).copied();
                        put_varint(&mut record, (end - start) as u64);
                        for (offset, total) in totals[start..end].iter().enumerate() {
                            let slot = self.slot(sparse, offset);
                            let total = *total;
                            put_varint(&mut record, u64::from(slot));
                            put_varint(&mut record, zigzag(total.into()));
                            let position = position_at(&sorted[slot as usize], &total);
                            put_varint(&mut record, u64::from(position));
                        }
                    }
                }
                writer.push(&record)?;
            }
            first = end;
        }
        Ok((writer.finish()?, leaders))
    }

    /// Records that `entrant`'s splits are run `run`.
    fn set_run(&mut self, entrant: Entrant, run: u32) {
        match entrant {
            Entrant::Competitor(id) if id >= 0 && (id as usize) < self.dense_limit => {
                let id = id as usize;
                if self.run_of_competitor.len() <= id {
                    self.run_of_competitor.resize(id + 1, NO_RUN);
                }
                self.run_of_competitor[id] = run;
            }
            _ => {
                self.run_of_other.insert(entrant, run);
            }
        }
    }

    /// `entrant`'s run of splits, if it has one.
    fn run_of(&self, entrant: Entrant) -> Option<u32> {
        match entrant {
            Entrant::Competitor(id) if id >= 0 && (id as usize) < self.dense_limit => self
                .run_of_competitor
                .get(id as usize)
                .copied()
                .filter(|run| *run != NO_RUN),
            _ => self.run_of_other.get(&entrant).copied(),
        }
    }

    /// Ends the run being read (if it started): its splits in course
    /// order, as the engine sorts them.
    fn close_run(
        &mut self,
        run: &mut Vec<(u32, Id, Millis)>,
        run_slots: &mut Vec<u16>,
        known_points: usize,
    ) {
        if run.is_empty() {
            return;
        }
        run_slots.clear();
        if !run.is_sorted() {
            run.sort_unstable();
        }
        for (_, timing_point_id, total_ms) in run.drain(..) {
            let slot = match self.point_ids[..known_points].binary_search(&timing_point_id) {
                Ok(slot) => slot,
                Err(_) => match self.point_ids[known_points..]
                    .iter()
                    .position(|id| *id == timing_point_id)
                {
                    Some(offset) => known_points + offset,
                    None => {
                        self.point_ids.push(timing_point_id);
                        self.point_ids.len() - 1
                    }
                },
            };
            run_slots
                .push(u16::try_from(slot).expect("a workout has fewer than 65,536 timing points"));
            self.totals.push(total_ms);
        }
        if !self.course_slots.starts_with(run_slots) {
            let run = (self.run_starts.len() - 1) as u32;
            let start =
                u32::try_from(self.slots.len()).expect("a workout has fewer than 4e9 splits");
            self.sparse_runs.insert(run, start);
            self.slots.extend_from_slice(run_slots);
        }
        self.run_starts
            .push(u32::try_from(self.totals.len()).expect("a workout has fewer than 4e9 splits"));
    }

    /// The slot of every split, run after run.
    fn split_slots(&self) -> impl Iterator<Item = u16> + Clone + '_ {
        (0..self.run_starts.len().saturating_sub(1)).flat_map(move |run| {
            let len = (self.run_starts[run + 1] - self.run_starts[run]) as usize;
            let sparse = self.sparse_runs.get(&(run as u32)).copied();
            (0..len).map(move |offset| self.slot(sparse, offset))
        })
    }

    /// The slot of a run's `offset`th split, the run's slots starting at
    /// `sparse` in `slots` (`None`: the course's).
    fn slot(&self, sparse: Option<u32>, offset: usize) -> u16 {
        match sparse {
            Some(start) => self.slots[start as usize + offset],
            None => self.course_slots[offset],
        }
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

    #[test]
    fn positions_are_counted_alike_from_narrow_and_wide_totals() {
        let slots = [0u16, 0, 1, 0, 1];
        let narrow: [u32; 5] = [30, 10, 5, 10, 2];
        let wide: Vec<Millis> = narrow.iter().map(|total| *total as Millis).collect();
        let positions = |sorted: &[Vec<Millis>]| -> Vec<u32> {
            slots
                .iter()
                .zip(&wide)
                .map(|(slot, total)| position_at(&sorted[*slot as usize], total))
                .collect()
        };
        let sorted_narrow: Vec<Vec<Millis>> = sorted_at_points(slots.iter().copied(), &narrow, 2)
            .into_iter()
            .map(|totals| totals.into_iter().map(Millis::from).collect())
            .collect();
        let sorted_wide = sorted_at_points(slots.iter().copied(), &wide, 2);
        assert_eq!(sorted_narrow, sorted_wide);
        assert_eq!(positions(&sorted_wide), vec![3, 1, 2, 1, 1]);
        assert_eq!(leaders_of(&sorted_wide), vec![10, 2]);
        assert_eq!(
            leaders_of(&sorted_at_points(slots.iter().copied(), &narrow, 2)),
            vec![10, 2]
        );
    }

    /// Runs through the course's first points (dense: no slots kept) and
    /// runs that miss a point, take an unlisted one or come out of course
    /// order (sparse) give the engine's split standings.
    #[test]
    fn split_standings_equal_the_engines_for_dense_and_sparse_runs() {
        use scoretable_core::board::{LiveBoard, RankInfo};
        use scoretable_core::model::{
            ResultEntry, Score, ScoreType, Source, Split, Status, TimingPoint,
        };
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
        let splits = |points: &[(Id, Millis)]| -> Vec<Split> {
            points
                .iter()
                .map(|(timing_point_id, total_ms)| Split {
                    timing_point_id: *timing_point_id,
                    total_ms: *total_ms,
                })
                .collect()
        };
        let result = |id: Id, ms: Option<Millis>, points: &[(Id, Millis)]| ResultEntry {
            entrant: Entrant::Competitor(id),
            score: ms.map(|ms| Score::Time { ms }),
            status: ms.is_none().then_some(Status::Dnf),
            tie_break_ms: None,
            penalty_ms: 0,
            splits: splits(points),
            incidents: Vec::new(),
            source: Source::Manual,
            amended: false,
            partial: false,
        };
        let results = vec![
            // Every point, in course order.
            result(1, Some(9_000), &[(30, 1_000), (10, 4_000), (20, 7_000)]),
            // Retired after the first point: a prefix of the course.
            result(2, None, &[(30, 1_200)]),
            // Missed the middle point.
            result(3, Some(9_500), &[(30, 900), (20, 7_500)]),
            // Given out of course order, a prefix once sorted.
            result(4, Some(8_800), &[(10, 3_900), (30, 1_000)]),
            // A point the workout does not list.
            result(5, Some(9_900), &[(30, 1_100), (99, 5_000), (10, 4_400)]),
            // No splits.
            result(6, Some(10_000), &[]),
            // The course's last point only.
            result(7, Some(9_100), &[(20, 7_100)]),
        ];
        let infos: Vec<scoretable_core::model::EntrantInfo> = results
            .iter()
            .map(|result| scoretable_core::model::EntrantInfo {
                entrant: result.entrant,
                bib: format!(
                    "{}",
                    100 + match result.entrant {
                        Entrant::Competitor(id) | Entrant::Team(id) => id,
                    }
                ),
                name: String::new(),
                division_ids: Vec::new(),
            })
            .collect();
        let expected = scoretable_core::ranking::rank_workout(&workout, &infos, &results);
        let board = LiveBoard::build(&workout, &results, |entrant| {
            infos
                .iter()
                .find(|info| info.entrant == entrant)
                .map(RankInfo::from)
        })
        .into_listed();
        let board = SpilledBoard::spill(board, &[]).unwrap();
        let columns = SplitColumns::build(&workout, &board, |each| {
            for result in &results {
                for split in &result.splits {
                    each(result.entrant, split.timing_point_id, split.total_ms);
                }
            }
            Ok(())
        })
        .unwrap();
        let live = LiveWorkout::new(board, columns);
        assert_eq!(live.rows(None, 0..live.len(None)), expected);
        // Read back out of order and in short ranges, from the spill.
        for start in (0..live.len(None)).rev() {
            assert_eq!(
                live.rows(None, start..start + 2),
                expected[start..(start + 2).min(expected.len())]
            );
        }
        assert!(live.splits.scratch_failure().is_none());
    }

    #[test]
    fn runs_are_found_by_competitor_id_or_in_the_map() {
        let mut columns = SplitBuilder {
            dense_limit: 10,
            ..SplitBuilder::default()
        };
        columns.set_run(Entrant::Competitor(3), 0);
        columns.set_run(Entrant::Competitor(50), 1);
        columns.set_run(Entrant::Team(3), 2);
        columns.set_run(Entrant::Competitor(-1), 3);
        assert_eq!(columns.run_of(Entrant::Competitor(3)), Some(0));
        assert_eq!(columns.run_of(Entrant::Competitor(50)), Some(1));
        assert_eq!(columns.run_of(Entrant::Team(3)), Some(2));
        assert_eq!(columns.run_of(Entrant::Competitor(-1)), Some(3));
        assert_eq!(columns.run_of(Entrant::Competitor(2)), None);
        assert_eq!(columns.run_of(Entrant::Competitor(4)), None);
        assert_eq!(columns.run_of(Entrant::Team(50)), None);
    }
}
