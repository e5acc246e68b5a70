//! A workout's frozen board spilled to a scratch file ([`SpilledBoard`]):
//! its rows as records in listing order, read back a batch at a time.

use std::ops::Range;
use std::sync::Arc;

use scoretable_core::board::{ListedBoard, ListingPlacer, ListingRecord};
use scoretable_core::codec::{get_score, get_status, put_score, put_status};
use scoretable_core::model::{Entrant, Id, RankedRow, ResultEntry, Workout};

use crate::error::ExportError;
use crate::external_sort::{ExternalSort, SortRecord};
use crate::live::ROW_BATCH;
use crate::spill::{
    get_varint, put_varint, unzigzag, zigzag, RecordsWriter, Spill, SpillWriter, SpilledRecords,
};

/// A scratch file's failure as the export's error.
fn scratch_error(error: std::io::Error) -> ExportError {
    ExportError::scratch(error)
}

/// A workout's frozen board spilled to unnamed scratch files
/// ([`crate::spill`]): one record per row of the whole field in listing
/// order, each the row as [`ListedBoard::rows`] makes it (entrant, place,
/// division places, score, status, display, difference, tie-break,
/// penalty, flags; its split standings apart, in [`SplitColumns`]), and
/// each division's list as row numbers (4 bytes each) in one more spill,
/// in chunks of [`LIST_CHUNK`] rows. In memory: the workout, the row
/// count, each division's id, length and chunks' offsets (8 bytes per
/// 1,024 of its rows), nothing per row. Rows are made again as they are
/// read, a batch at a time ([`SpilledBoard::rows`]), forward through the
/// file.
///
/// An export ranks every workout straight into one
/// ([`SpilledBoard::rank_external`]: the results, or a member-scored team
/// workout's formed team rows, sorted in bounded memory and placed as they
/// come out of the sort); [`SpilledBoard::spill`] spills a board built
/// frozen in memory (the profiling seam and the tests' reference).
#[derive(Debug, Clone)]
pub struct SpilledBoard {
    workout: Workout,
    rows: usize,
    divisions: Arc<DivisionLists>,
    records: Arc<SpilledRecords>,
}

/// Row numbers in a chunk of a division's list (4 KiB): a list is
/// written a chunk at a time into the board's one spill of lists, so a
/// board keeps one scratch file for all its divisions (not one each).
const LIST_CHUNK: usize = 1024;

/// The division lists of a [`SpilledBoard`].
#[derive(Debug)]
struct DivisionLists {
    /// Sorted by division id: the divisions with rows.
    lists: Vec<DivisionList>,
    /// Every list's chunks (none without a list).
    rows: Option<Spill>,
}

/// One division's list: its rows' numbers (4 bytes each, little-endian)
/// in listing order, chunk `k` (rows `k * LIST_CHUNK ..`) at `chunks[k]`
/// in the lists' spill.
#[derive(Debug)]
struct DivisionList {
    id: Id,
    len: usize,
    chunks: Vec<u64>,
}

/// Writes the division lists of a [`SpilledBoard`] as its rows go by: each
/// list's next chunk held until it is full (4 KiB a division), then
/// appended to the one spill of lists (made at the first chunk).
struct DivisionListsWriter {
    /// Sorted by id, without repeats: the divisions whose lists are kept.
    wanted: Vec<Id>,
    /// Sorted by id: each started list's pending chunk, chunks written
    /// and length.
    lists: Vec<(Id, Vec<u32>, Vec<u64>, usize)>,
    writer: Option<SpillWriter>,
    bytes: Vec<u8>,
}

impl DivisionListsWriter {
    fn new(division_ids: &[Id]) -> DivisionListsWriter {
        let mut wanted = division_ids.to_vec();
        wanted.sort_unstable();
        wanted.dedup();
        DivisionListsWriter {
            wanted,
            lists: Vec::new(),
            writer: None,
            bytes: Vec::new(),
        }
    }

    /// Appends `row` to `division_id`'s list (if it is kept).
    fn push(&mut self, division_id: Id, row: u32) -> std::io::Result<()> {
        let at = match self
            .lists
            .binary_search_by_key(&division_id, |(id, _, _, _)| *id)
        {
            Ok(at) => at,
            Err(at) => {
                if self.wanted.binary_search(&division_id).is_err() {
                    return Ok(());
                }
                let pending = Vec::with_capacity(LIST_CHUNK);
                self.lists.insert(at, (division_id, pending, Vec::new(), 0));
                at
            }
        };
        let (_, pending, chunks, len) = &mut self.lists[at];
        pending.push(row);
        *len += 1;
        if pending.len() == LIST_CHUNK {
            DivisionListsWriter::flush(&mut self.writer, &mut self.bytes, pending, chunks)?;
        }
        Ok(())
    }

    /// Writes a list's pending chunk and notes where it starts.
    fn flush(
        writer: &mut Option<SpillWriter>,
        bytes: &mut Vec<u8>,
        pending: &mut Vec<u32>,
        chunks: &mut Vec<u64>,
    ) -> std::io::Result<()> {
        let writer = match writer {
            Some(writer) => writer,
            None => writer.insert(SpillWriter::new()?),
        };
        bytes.clear();
        for row in pending.iter() {
            bytes.extend_from_slice(&row.to_le_bytes());
        }
        chunks.push(writer.len());
        writer.write(bytes)?;
        pending.clear();
        Ok(())
    }

    fn finish(mut self) -> std::io::Result<DivisionLists> {
        let mut lists = Vec::with_capacity(self.lists.len());
        for (id, mut pending, mut chunks, len) in std::mem::take(&mut self.lists) {
            if !pending.is_empty() {
                DivisionListsWriter::flush(
                    &mut self.writer,
                    &mut self.bytes,
                    &mut pending,
                    &mut chunks,
                )?;
            }
            lists.push(DivisionList { id, len, chunks });
        }
        Ok(DivisionLists {
            lists,
            rows: self.writer.map(SpillWriter::finish).transpose()?,
        })
    }
}

/// A result's record as the board's external sort spills it.
impl SortRecord for ListingRecord {
    fn encode(&self, out: &mut Vec<u8>) {
        ListingRecord::encode(self, out);
    }

    fn decode(bytes: &[u8]) -> Option<ListingRecord> {
        ListingRecord::decode(bytes)
    }

    fn heap_bytes(&self) -> usize {
        ListingRecord::heap_bytes(self)
    }
}

/// The in-memory buffer a board's external sort holds before it spills a
/// run: 1 MiB, about 6,000 of a board's records (some 170 bytes each with
/// their division ids). A quarter of the sorter's general
/// [`crate::external_sort::SORT_BUDGET`], so that a board's sort is at its
/// bound (and the stage's memory flat) from about 6,000 athletes on, not
/// 25,000; the runs cost little (60,000 athletes: about 10 runs, merged in
/// one pass; 240,000: about 40, two levels).
pub(crate) const BOARD_SORT_BUDGET: usize = 1 << 20;

/// What [`SpilledBoard::rank_external`]'s reader calls with each result,
/// its entrant's bib and division ids.
pub(crate) type EachRankEntry<'a> =
    dyn FnMut(&ResultEntry, &str, &[Id]) -> Result<(), ExportError> + 'a;

impl SpilledBoard {
    /// Ranks an individual or team-chip workout straight into a spilled
    /// board, in memory bounded by `budget` whatever the field: `read`
    /// hands each result (one per entrant, as the store keeps them) with
    /// its entrant's bib and division ids; each becomes a
    /// [`ListingRecord`] pushed into an [`ExternalSort`] (runs on disk,
    /// merged); as the records come out in listing order a
    /// [`ListingPlacer`] places them (the whole field and each division,
    /// the leader being the first), and each row is written as its record
    /// and its number to its divisions' lists (those of `division_ids`).
    /// The same rows and lists as [`SpilledBoard::spill`] of the workout's
    /// frozen board. An error of `read` is returned as it is; a scratch
    /// file's failure is [`ExportError::scratch`].
    pub(crate) fn rank_external(
        workout: &Workout,
        division_ids: &[Id],
        budget: usize,
        read: impl FnOnce(&mut EachRankEntry<'_>) -> Result<(), ExportError>,
    ) -> Result<SpilledBoard, ExportError> {
        let mut sort = ExternalSort::new(budget, ListingRecord::listing_cmp);
        read(&mut |result, bib, divisions| {
            sort.push(ListingRecord::new(workout, result, bib, divisions))
                .map_err(scratch_error)
        })?;
        let sorted = sort.finish().map_err(scratch_error)?;
        let mut writer = RecordsWriter::new().map_err(scratch_error)?;
        let mut lists = DivisionListsWriter::new(division_ids);
        let mut placer = ListingPlacer::new();
        let mut bytes = Vec::with_capacity(64);
        for record in sorted {
            let record = record.map_err(scratch_error)?;
            let number = u32::try_from(placer.rows()).expect("fewer than 2^32 rows");
            let row = placer.place_record(workout, &record);
            bytes.clear();
            encode_row(&row, &mut bytes);
            writer.push(&bytes).map_err(scratch_error)?;
            for division_id in record.division_ids() {
                lists.push(*division_id, number).map_err(scratch_error)?;
            }
        }
        Ok(SpilledBoard {
            workout: workout.clone(),
            rows: placer.rows(),
            divisions: Arc::new(lists.finish().map_err(scratch_error)?),
            records: Arc::new(writer.finish().map_err(scratch_error)?),
        })
    }

    /// Spills `board`'s rows (it is dropped) with the lists of
    /// `division_ids` (those without rows on the board are left out).
    pub fn spill(board: ListedBoard, division_ids: &[Id]) -> Result<SpilledBoard, ExportError> {
        let mut writer = RecordsWriter::new().map_err(scratch_error)?;
        let mut record = Vec::with_capacity(64);
        let mut first = 0;
        while first < board.len() {
            let end = (first + ROW_BATCH).min(board.len());
            for row in board.rows(None, first..end) {
                record.clear();
                encode_row(&row, &mut record);
                writer.push(&record).map_err(scratch_error)?;
            }
            first = end;
        }
        let mut lists = DivisionListsWriter::new(division_ids);
        for division_id in lists.wanted.clone() {
            let len = board.division_len(division_id);
            let mut first = 0;
            while first < len {
                let end = (first + ROW_BATCH).min(len);
                for row in board.row_numbers(Some(division_id), first..end) {
                    lists.push(division_id, row).map_err(scratch_error)?;
                }
                first = end;
            }
        }
        let rows = board.len();
        let workout = board.workout().clone();
        drop(board);
        Ok(SpilledBoard {
            workout,
            rows,
            divisions: Arc::new(lists.finish().map_err(scratch_error)?),
            records: Arc::new(writer.finish().map_err(scratch_error)?),
        })
    }

    /// The workout the board ranks.
    pub fn workout(&self) -> &Workout {
        &self.workout
    }

    /// Rows on the whole-field board.
    pub fn len(&self) -> usize {
        self.rows
    }

    pub fn is_empty(&self) -> bool {
        self.rows == 0
    }

    fn division(&self, division_id: Id) -> Option<&DivisionList> {
        let lists = &self.divisions.lists;
        lists
            .binary_search_by_key(&division_id, |list| list.id)
            .ok()
            .map(|at| &lists[at])
    }

    /// Rows on one division's board (0 for a division without members on it).
    pub fn division_len(&self, division_id: Id) -> usize {
        self.division(division_id).map_or(0, |list| list.len)
    }

    /// The row numbers (positions in the whole field's listing) of the
    /// whole field's list (`None`) or a division's at `range` (clamped),
    /// a division's read from the lists' spill a chunk at a time. A failed
    /// read (the failure kept, see [`SpilledBoard::scratch_failure`])
    /// gives row 0 for each.
    pub fn row_numbers(&self, division_id: Option<Id>, range: Range<usize>) -> Vec<u32> {
        match division_id {
            None => {
                let end = range.end.min(self.rows);
                let start = range.start.min(end);
                (start as u32..end as u32).collect()
            }
            Some(id) => self.division(id).map_or_else(Vec::new, |list| {
                let end = range.end.min(list.len);
                let start = range.start.min(end);
                let mut numbers = Vec::with_capacity(end - start);
                let mut bytes = Vec::new();
                let mut at = start;
                while at < end {
                    let chunk = at / LIST_CHUNK;
                    let until = ((chunk + 1) * LIST_CHUNK).min(end);
                    let offset = list.chunks[chunk] + ((at - chunk * LIST_CHUNK) * 4) as u64;
                    bytes.clear();
                    let read =
                        self.divisions.rows.as_ref().is_some_and(|rows| {
                            rows.read_into(offset, (until - at) * 4, &mut bytes)
                        });
                    if !read {
                        return vec![0; end - start];
                    }
                    numbers.extend(
                        bytes
                            .chunks_exact(4)
                            .map(|row| u32::from_le_bytes(row.try_into().expect("4 bytes"))),
                    );
                    at = until;
                }
                numbers
            }),
        }
    }

    /// The rows of the whole field's board (`None`) or one division's at
    /// `range` (clamped), as [`ListedBoard::rows`] made them. A row that
    /// cannot be read (the failure kept, see
    /// [`SpilledBoard::scratch_failure`]) is made blank.
    pub fn rows(&self, division_id: Option<Id>, range: Range<usize>) -> Vec<RankedRow> {
        let mut bytes = Vec::with_capacity(64);
        self.row_numbers(division_id, range)
            .into_iter()
            .map(|number| {
                bytes.clear();
                let row = if self.records.read_into(number as usize, &mut bytes) {
                    let row = decode_row(&bytes);
                    if row.is_none() {
                        self.records
                            .fail(format!("row {number} of a board does not decode"));
                    }
                    row
                } else {
                    None
                };
                row.unwrap_or_else(blank_row)
            })
            .collect()
    }

    /// The entrants of the whole field's board (`None`) or one division's
    /// at `range` (clamped), in listing order.
    pub fn entrants(&self, division_id: Option<Id>, range: Range<usize>) -> Vec<Entrant> {
        let mut bytes = Vec::with_capacity(64);
        self.row_numbers(division_id, range)
            .into_iter()
            .map(|number| {
                bytes.clear();
                let mut at = 0;
                let entrant = if self.records.read_into(number as usize, &mut bytes) {
                    get_varint(&bytes, &mut at).map(decode_entrant)
                } else {
                    None
                };
                entrant.unwrap_or(Entrant::Competitor(0))
            })
            .collect()
    }

    /// The first failed read of the scratch files (the rows' or a
    /// division list's), if one failed.
    pub fn scratch_failure(&self) -> Option<&str> {
        self.records
            .failure()
            .or_else(|| self.divisions.rows.as_ref().and_then(Spill::failure))
    }

    /// Keeps `message` as the spill's failure (a test seam).
    #[cfg(test)]
    pub(crate) fn fail_for_test(&self, message: &str) {
        self.records.fail(message.to_string());
    }
}

fn blank_row() -> RankedRow {
    RankedRow {
        entrant: Entrant::Competitor(0),
        rank: None,
        division_ranks: Vec::new(),
        score: None,
        status: None,
        display: String::new(),
        difference_ms: None,
        splits: Vec::new(),
        tie_break_ms: None,
        penalty_ms: 0,
        partial: false,
        amended: false,
    }
}

fn encode_entrant(entrant: Entrant) -> u64 {
    match entrant {
        Entrant::Competitor(id) => zigzag(id) << 1,
        Entrant::Team(id) => (zigzag(id) << 1) | 1,
    }
}

fn decode_entrant(value: u64) -> Entrant {
    let id = unzigzag(value >> 1);
    if value & 1 == 0 {
        Entrant::Competitor(id)
    } else {
        Entrant::Team(id)
    }
}

const ROW_PARTIAL: u64 = 1;
const ROW_AMENDED: u64 = 1 << 1;
const ROW_DIFFERENCE: u64 = 1 << 2;
const ROW_TIE_BREAK: u64 = 1 << 3;

/// A board row's record (its splits apart): varints throughout.
fn encode_row(row: &RankedRow, out: &mut Vec<u8>) {
    put_varint(out, encode_entrant(row.entrant));
    put_varint(out, row.rank.map_or(0, |rank| u64::from(rank) + 1));
    put_varint(out, row.division_ranks.len() as u64);
    for (division, place) in &row.division_ranks {
        put_varint(out, zigzag(*division));
        put_varint(out, u64::from(*place));
    }
    put_score(out, row.score);
    put_status(out, row.status);
    put_varint(out, row.display.len() as u64);
    out.extend_from_slice(row.display.as_bytes());
    let flags = if row.partial { ROW_PARTIAL } else { 0 }
        | if row.amended { ROW_AMENDED } else { 0 }
        | if row.difference_ms.is_some() {
            ROW_DIFFERENCE
        } else {
            0
        }
        | if row.tie_break_ms.is_some() {
            ROW_TIE_BREAK
        } else {
            0
        };
    put_varint(out, flags);
    if let Some(difference) = row.difference_ms {
        put_varint(out, zigzag(difference));
    }
    if let Some(tie_break) = row.tie_break_ms {
        put_varint(out, zigzag(tie_break));
    }
    put_varint(out, zigzag(row.penalty_ms));
}

fn decode_row(bytes: &[u8]) -> Option<RankedRow> {
    let mut at = 0;
    let mut next = || get_varint(bytes, &mut at);
    let entrant = decode_entrant(next()?);
    let rank = match next()? {
        0 => None,
        rank => Some(u32::try_from(rank - 1).ok()?),
    };
    let divisions = next()? as usize;
    let mut division_ranks = Vec::with_capacity(divisions.min(64));
    for _ in 0..divisions {
        let division = unzigzag(next()?);
        division_ranks.push((division, u32::try_from(next()?).ok()?));
    }
    let score = get_score(bytes, &mut at)?;
    let status = get_status(bytes, &mut at)?;
    let mut next = || get_varint(bytes, &mut at);
    let len = next()? as usize;
    let display = std::str::from_utf8(bytes.get(at..at.checked_add(len)?)?)
        .ok()?
        .to_string();
    at += len;
    let mut next = || get_varint(bytes, &mut at);
    let flags = next()?;
    let difference_ms = if flags & ROW_DIFFERENCE != 0 {
        Some(unzigzag(next()?))
    } else {
        None
    };
    let tie_break_ms = if flags & ROW_TIE_BREAK != 0 {
        Some(unzigzag(next()?))
    } else {
        None
    };
    let penalty_ms = unzigzag(next()?);
    (at == bytes.len()).then_some(RankedRow {
        entrant,
        rank,
        division_ranks,
        score,
        status,
        display,
        difference_ms,
        splits: Vec::new(),
        tie_break_ms,
        penalty_ms,
        partial: flags & ROW_PARTIAL != 0,
        amended: flags & ROW_AMENDED != 0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::external_sort::SORT_BUDGET;
    use proptest::prelude::*;
    use scoretable_core::model::{Millis, Score, ScoreType, Source, Status, TieBreak};

    /// A random result's value: any score kind (one the workout does not
    /// take is unrankable), any status or none, a tie-break, a penalty.
    fn any_value() -> impl Strategy<Value = (Option<Score>, Option<Status>, Option<Millis>, Millis)>
    {
        let score = prop_oneof![
            4 => (0_i64..6).prop_map(|ms| Some(Score::Time { ms: 60_000 + ms * 500 })),
            1 => (0_i64..4).prop_map(|reps| Some(Score::Capped { reps })),
            1 => (0_i64..3, 0_i64..3).prop_map(|(rounds, reps)| Some(Score::RoundsReps { rounds, reps })),
            2 => (0_i64..6).prop_map(|reps| Some(Score::Reps { reps })),
            1 => (0_i64..3).prop_map(|grams| Some(Score::Load { grams: grams * 500 })),
            1 => (0_i64..3).prop_map(|mm| Some(Score::Distance { mm })),
            1 => (0_i64..3).prop_map(|milli| Some(Score::Points { milli })),
            1 => Just(None),
        ];
        let status = prop_oneof![
            6 => Just(None),
            1 => proptest::sample::select(Status::ALL.to_vec()).prop_map(Some),
        ];
        (
            score,
            status,
            proptest::option::of(0_i64..3),
            prop_oneof![3 => Just(0_i64), 1 => 0_i64..3_000],
        )
            .prop_map(|(score, status, tie_break, penalty)| {
                // A row needs a score or a status, as the store keeps it.
                let score = if score.is_none() && status.is_none() {
                    Some(Score::Reps { reps: 1 })
                } else {
                    score
                };
                (score, status, tie_break, penalty)
            })
    }

    /// The workout of `race`: every score type, with and without a
    /// tie-break and reps per round.
    fn race_workout(race: u8, tie_break: bool) -> Workout {
        let (score_type, reps_per_round) = match race % 8 {
            0 => (ScoreType::Time, None),
            1 => (ScoreType::TimeCapped, None),
            2 => (ScoreType::RoundsReps, Some(3)),
            3 => (ScoreType::RoundsReps, None),
            4 => (ScoreType::Reps, None),
            5 => (ScoreType::Load, None),
            6 => (ScoreType::Distance, None),
            _ => (ScoreType::Points, None),
        };
        Workout {
            reps_per_round,
            tie_break: if tie_break {
                TieBreak::TieBreakTime
            } else {
                TieBreak::None
            },
            time_cap_ms: (score_type == ScoreType::TimeCapped).then_some(600_000),
            ..scoretable_testkit::fixtures::workout("Race", 1, score_type)
        }
    }

    /// A random field: one result per entrant (competitors and teams),
    /// bibs that are plain numbers, zero-led, texts, huge or missing,
    /// entrants in several divisions, repeated ones or none (one division
    /// not asked for), every score class and status, ties.
    type Field = Vec<(
        Entrant,
        (Option<Score>, Option<Status>, Option<Millis>, Millis),
        bool,
        bool,
        String,
        Vec<Id>,
    )>;

    fn any_field(most: usize) -> impl Strategy<Value = Field> {
        proptest::collection::btree_map(
            (any::<bool>(), 0_i64..400),
            (
                any_value(),
                any::<bool>(),
                proptest::bool::weighted(0.1),
                prop_oneof![
                    5 => (1_u32..80).prop_map(|n| n.to_string()),
                    1 => (0_u32..40).prop_map(|n| format!("0{n}")),
                    1 => (0_u32..40).prop_map(|n| format!("A{n}")),
                    1 => Just(String::new()),
                    1 => (1_u64..u64::MAX).prop_map(|n| format!("{n}9")),
                ],
                proptest::collection::vec(1_i64..6, 0..4),
            ),
            0..most,
        )
        .prop_map(|field| {
            field
                .into_iter()
                .map(|((team, id), (value, amended, partial, bib, divisions))| {
                    let entrant = if team {
                        Entrant::Team(id)
                    } else {
                        Entrant::Competitor(id)
                    };
                    (entrant, value, amended, partial, bib, divisions)
                })
                .collect()
        })
    }

    fn results_of(field: &Field) -> Vec<ResultEntry> {
        field
            .iter()
            .map(
                |(entrant, (score, status, tie_break_ms, penalty_ms), amended, partial, _, _)| {
                    ResultEntry {
                        entrant: *entrant,
                        score: *score,
                        status: *status,
                        tie_break_ms: *tie_break_ms,
                        penalty_ms: *penalty_ms,
                        splits: Vec::new(),
                        incidents: Vec::new(),
                        source: Source::Manual,
                        amended: *amended,
                        partial: *partial,
                    }
                },
            )
            .collect()
    }

    /// Division 5 is on entrants but not asked for (its list is not kept).
    const DIVISIONS: [Id; 5] = [1, 2, 3, 4, 7];

    /// The board ranked externally with `budget` and the frozen board
    /// spilled: the same rows, lists and places.
    fn same_boards(workout: &Workout, field: &Field, budget: usize) -> Result<(), TestCaseError> {
        let results = results_of(field);
        let read = |each: &mut dyn FnMut(&ResultEntry)| {
            for result in &results {
                each(result);
            }
            Ok::<(), ()>(())
        };
        let info_of = |entrant: Entrant| {
            field
                .iter()
                .find(|row| row.0 == entrant)
                .map(|row| (row.4.as_str(), row.5.as_slice()))
        };
        let listed =
            ListedBoard::build_from_results(workout, results.len(), read, info_of).unwrap();
        let expected = SpilledBoard::spill(listed.clone(), &DIVISIONS).unwrap();
        let ranked = SpilledBoard::rank_external(workout, &DIVISIONS, budget, |each| {
            for (result, row) in results.iter().zip(field) {
                each(result, &row.4, &row.5)?;
            }
            Ok(())
        })
        .unwrap();
        prop_assert_eq!(ranked.len(), expected.len());
        prop_assert_eq!(
            ranked.rows(None, 0..usize::MAX),
            expected.rows(None, 0..usize::MAX)
        );
        prop_assert_eq!(
            ranked.rows(None, 0..usize::MAX),
            listed.rows(None, 0..usize::MAX)
        );
        for division_id in DIVISIONS {
            // The lists read back from the spill (a whole list, and a
            // stretch starting inside a chunk and crossing the next) as
            // the frozen board holds them in memory.
            let len = listed.division_len(division_id);
            prop_assert_eq!(ranked.division_len(division_id), len);
            for range in [0..usize::MAX, len / 3..len / 3 + LIST_CHUNK + 5] {
                prop_assert_eq!(
                    ranked.row_numbers(Some(division_id), range.clone()),
                    listed.row_numbers(Some(division_id), range.clone())
                );
                prop_assert_eq!(
                    expected.row_numbers(Some(division_id), range.clone()),
                    listed.row_numbers(Some(division_id), range)
                );
            }
        }
        for division_id in DIVISIONS.iter().copied().chain([5, 6]) {
            prop_assert_eq!(
                ranked.division_len(division_id),
                expected.division_len(division_id)
            );
            prop_assert_eq!(
                ranked.row_numbers(Some(division_id), 0..usize::MAX),
                expected.row_numbers(Some(division_id), 0..usize::MAX)
            );
            prop_assert_eq!(
                ranked.rows(Some(division_id), 1..7),
                expected.rows(Some(division_id), 1..7)
            );
        }
        prop_assert_eq!(ranked.divisions.lists.len(), expected.divisions.lists.len());
        prop_assert!(ranked.scratch_failure().is_none());
        prop_assert!(expected.scratch_failure().is_none());
        Ok(())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(150))]

        /// Ranked externally (a tiny sort budget: many runs, merged in
        /// several passes; the production budget: sorted in memory), a
        /// board has the rows, division lists and places of the frozen
        /// board spilled.
        #[test]
        fn a_board_ranked_externally_equals_the_frozen_board_spilled(
            race in 0_u8..8,
            tie_break in any::<bool>(),
            field in any_field(120),
        ) {
            let workout = race_workout(race, tie_break);
            same_boards(&workout, &field, 256)?;
            same_boards(&workout, &field, SORT_BUDGET)?;
        }
    }

    /// With a tiny budget a large field is sorted in many runs merged in
    /// more than one pass, and still ranks as the frozen board.
    #[test]
    fn a_large_field_with_a_tiny_budget_is_merged_in_passes_and_ranks_the_same() {
        let field: Field = (0..3_000_i64)
            .map(|id| {
                let value = (
                    Some(Score::Time {
                        ms: 60_000 + (id * 7_919) % 400 * 100,
                    }),
                    (id % 41 == 0).then_some(Status::Dnf),
                    None,
                    0,
                );
                let bib = match id % 5 {
                    0 => format!("0{id}"),
                    1 => format!("B{}", id % 13),
                    _ => id.to_string(),
                };
                let divisions = (0..id % 4).map(|d| d + 1).collect();
                let entrant = if id % 17 == 0 {
                    Entrant::Team(id)
                } else {
                    Entrant::Competitor(id)
                };
                (entrant, value, false, false, bib, divisions)
            })
            .collect();
        let workout = race_workout(0, false);
        let mut sort = ExternalSort::new(256, ListingRecord::listing_cmp);
        for (result, row) in results_of(&field).iter().zip(&field) {
            sort.push(ListingRecord::new(&workout, result, &row.4, &row.5))
                .unwrap();
        }
        let sorted = sort.finish().unwrap();
        assert!(
            sorted.runs() > crate::external_sort::FAN_IN * 2,
            "{}",
            sorted.runs()
        );
        same_boards(&workout, &field, 256).unwrap();
    }

    /// A failed read of a division's list is kept (the rows read as row
    /// 0) and reported as the board's scratch failure, which fails the
    /// export (`ExportData::check_scratch`).
    #[test]
    fn a_failed_read_of_a_division_list_is_the_boards_scratch_failure() {
        let workout = race_workout(0, false);
        let field: Field = (1..=40_i64)
            .map(|id| {
                let value = (Some(Score::Time { ms: 60_000 + id }), None, None, 0);
                (
                    Entrant::Competitor(id),
                    value,
                    false,
                    false,
                    id.to_string(),
                    vec![1 + id % 2],
                )
            })
            .collect();
        let results = results_of(&field);
        let board = SpilledBoard::rank_external(&workout, &[1, 2], 256, |each| {
            for (result, row) in results.iter().zip(&field) {
                each(result, &row.4, &row.5)?;
            }
            Ok(())
        })
        .unwrap();
        assert!(board.scratch_failure().is_none());
        assert_eq!(board.row_numbers(Some(2), 0..3), vec![0, 2, 4]);
        let rows = board.divisions.rows.as_ref().expect("a spill of lists");
        let mut bytes = Vec::new();
        assert!(!rows.read_into(1 << 40, 4, &mut bytes));
        let failure = board.scratch_failure().expect("the failure is kept");
        assert!(failure.contains("beyond"), "{failure}");
    }

    /// An error of the reader stops the build and is returned as it is.
    #[test]
    fn an_error_of_the_reader_is_the_builds_error() {
        let workout = race_workout(4, false);
        let error = SpilledBoard::rank_external(&workout, &[1], 256, |_| {
            Err(ExportError::render("leaderboard of Race", "disk gone"))
        })
        .unwrap_err();
        assert!(error.to_string().contains("disk gone"), "{error}");
    }

    /// Every score kind and status, ties, missing and negative values,
    /// teams, division places and each flag read back from a board
    /// record as they were written.
    #[test]
    fn board_rows_read_back_from_their_records_as_written() {
        let scores = [
            None,
            Some(Score::Time { ms: 3_723_400 }),
            Some(Score::Capped { reps: 41 }),
            Some(Score::RoundsReps {
                rounds: 5,
                reps: -12,
            }),
            Some(Score::Reps { reps: 0 }),
            Some(Score::Load { grams: i64::MAX }),
            Some(Score::Distance { mm: i64::MIN }),
            Some(Score::Points { milli: -1 }),
        ];
        let statuses = [
            None,
            Some(Status::Lap),
            Some(Status::Nc),
            Some(Status::Dnf),
            Some(Status::Dnq),
            Some(Status::Wd),
            Some(Status::Dsq),
            Some(Status::Dns),
        ];
        let mut record = Vec::new();
        for (at, score) in scores.iter().enumerate() {
            for (other, status) in statuses.iter().enumerate() {
                let row = RankedRow {
                    entrant: if other % 2 == 0 {
                        Entrant::Competitor(at as Id * 1_000 - 3)
                    } else {
                        Entrant::Team(other as Id)
                    },
                    rank: (other != 3).then_some(at as u32 * 7),
                    division_ranks: (0..other).map(|d| (d as Id - 1, d as u32 + 1)).collect(),
                    score: *score,
                    status: *status,
                    display: format!("{at}:{other} Zoë"),
                    difference_ms: (at % 3 == 0).then_some(-(at as Millis)),
                    splits: Vec::new(),
                    tie_break_ms: (other % 3 == 1).then_some(at as Millis * 99),
                    penalty_ms: other as Millis * 1_000,
                    partial: at % 2 == 1,
                    amended: other % 4 == 2,
                };
                record.clear();
                encode_row(&row, &mut record);
                assert_eq!(decode_row(&record), Some(row.clone()));
                assert_eq!(decode_row(&record[..record.len() - 1]), None);
            }
        }
    }
}
