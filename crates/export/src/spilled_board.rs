//! A workout's frozen board spilled to a scratch file ([`SpilledBoard`]):
//! its rows as records in listing order, read back a batch at a time.

use std::ops::Range;
use std::sync::Arc;

use scoretable_core::board::ListedBoard;
use scoretable_core::model::{Entrant, Id, RankedRow, Score, Status, Workout};

use crate::error::ExportError;
use crate::live::ROW_BATCH;
use crate::spill::{get_varint, put_varint, unzigzag, zigzag, RecordsWriter, SpilledRecords};

/// A scratch file's failure as the export's error.
fn scratch_error(error: std::io::Error) -> ExportError {
    ExportError::scratch(error)
}

/// A workout's frozen board spilled to an unnamed scratch file
/// ([`crate::spill`]): one record per row of the whole field in listing
/// order, each the row as [`ListedBoard::rows`] makes it (entrant, place,
/// division places, score, status, display, difference, tie-break,
/// penalty, flags; its split standings apart, in [`SplitColumns`]); in
/// memory each division's list as row numbers (4 bytes a row per
/// division) and the workout. Rows are made again as they are read, a
/// batch at a time ([`SpilledBoard::rows`]), forward through the file.
#[derive(Debug, Clone)]
pub struct SpilledBoard {
    workout: Workout,
    rows: usize,
    /// Sorted by division id: each division's rows (row numbers), in its
    /// listing order.
    divisions: Vec<(Id, Vec<u32>)>,
    records: Arc<SpilledRecords>,
}

impl SpilledBoard {
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
        let mut divisions: Vec<(Id, Vec<u32>)> = division_ids
            .iter()
            .filter(|id| board.division_len(**id) > 0)
            .map(|id| {
                (
                    *id,
                    board.row_numbers(Some(*id), 0..board.division_len(*id)),
                )
            })
            .collect();
        divisions.sort_unstable_by_key(|(id, _)| *id);
        divisions.dedup_by_key(|(id, _)| *id);
        let rows = board.len();
        let workout = board.workout().clone();
        drop(board);
        Ok(SpilledBoard {
            workout,
            rows,
            divisions,
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

    fn division(&self, division_id: Id) -> Option<&Vec<u32>> {
        self.divisions
            .binary_search_by_key(&division_id, |(id, _)| *id)
            .ok()
            .map(|at| &self.divisions[at].1)
    }

    /// Rows on one division's board (0 for a division without members on it).
    pub fn division_len(&self, division_id: Id) -> usize {
        self.division(division_id).map_or(0, Vec::len)
    }

    /// The row numbers (positions in the whole field's listing) of the
    /// whole field's list (`None`) or a division's at `range` (clamped).
    pub fn row_numbers(&self, division_id: Option<Id>, range: Range<usize>) -> Vec<u32> {
        match division_id {
            None => {
                let end = range.end.min(self.rows);
                let start = range.start.min(end);
                (start as u32..end as u32).collect()
            }
            Some(id) => self.division(id).map_or_else(Vec::new, |list| {
                let end = range.end.min(list.len());
                let start = range.start.min(end);
                list[start..end].to_vec()
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

    /// The board's entrants, sorted (to look one up while the splits are
    /// read).
    pub(crate) fn sorted_entrants(&self) -> Vec<Entrant> {
        let mut entrants = Vec::with_capacity(self.rows);
        let mut first = 0;
        while first < self.rows {
            let end = (first + ROW_BATCH).min(self.rows);
            entrants.extend(self.entrants(None, first..end));
            first = end;
        }
        entrants.sort_unstable();
        entrants
    }

    /// The first failed read of the scratch file, if one failed.
    pub fn scratch_failure(&self) -> Option<&str> {
        self.records.failure()
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
    let (tag, values): (u64, [i64; 2]) = match row.score {
        None => (0, [0, 0]),
        Some(Score::Time { ms }) => (1, [ms, 0]),
        Some(Score::Capped { reps }) => (2, [reps, 0]),
        Some(Score::RoundsReps { rounds, reps }) => (3, [rounds, reps]),
        Some(Score::Reps { reps }) => (4, [reps, 0]),
        Some(Score::Load { grams }) => (5, [grams, 0]),
        Some(Score::Distance { mm }) => (6, [mm, 0]),
        Some(Score::Points { milli }) => (7, [milli, 0]),
    };
    put_varint(out, tag);
    if tag != 0 {
        put_varint(out, zigzag(values[0]));
    }
    if tag == 3 {
        put_varint(out, zigzag(values[1]));
    }
    put_varint(
        out,
        match row.status {
            None => 0,
            Some(Status::Lap) => 1,
            Some(Status::Nc) => 2,
            Some(Status::Dnf) => 3,
            Some(Status::Dnq) => 4,
            Some(Status::Wd) => 5,
            Some(Status::Dsq) => 6,
            Some(Status::Dns) => 7,
        },
    );
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
    let tag = next()?;
    let first = if tag != 0 { unzigzag(next()?) } else { 0 };
    let score = match tag {
        0 => None,
        1 => Some(Score::Time { ms: first }),
        2 => Some(Score::Capped { reps: first }),
        3 => Some(Score::RoundsReps {
            rounds: first,
            reps: unzigzag(next()?),
        }),
        4 => Some(Score::Reps { reps: first }),
        5 => Some(Score::Load { grams: first }),
        6 => Some(Score::Distance { mm: first }),
        7 => Some(Score::Points { milli: first }),
        _ => return None,
    };
    let status = match next()? {
        0 => None,
        1 => Some(Status::Lap),
        2 => Some(Status::Nc),
        3 => Some(Status::Dnf),
        4 => Some(Status::Dnq),
        5 => Some(Status::Wd),
        6 => Some(Status::Dsq),
        7 => Some(Status::Dns),
        _ => return None,
    };
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
    use scoretable_core::model::Millis;

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
