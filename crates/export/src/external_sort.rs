//! Sorting more records than an export may hold: an external merge sort
//! over unnamed scratch files, in memory bounded by a fixed budget whatever
//! the number of records.
//!
//! [`ExternalSort`] buffers records until they take [`SORT_BUDGET`] bytes
//! (each record's size plus the heap it owns, [`SortRecord::heap_bytes`]),
//! sorts the buffer (stable) and writes it as a *run* to an unnamed
//! temporary file ([`tempfile::tempfile`], as [`crate::spill`]: no name,
//! never beside the competition file, gone when the export ends or the
//! process dies). Runs are merged [`FAN_IN`] at a time: as soon as
//! `FAN_IN` runs of one level exist they become one run of the next level,
//! so the open files grow with the logarithm of the records, and
//! [`ExternalSort::finish`] merges what is left (in passes while more than
//! `FAN_IN` remain), holding a read buffer and one record per run. With
//! nothing spilled no file is made: the buffer is sorted and handed out in
//! memory.
//!
//! The sort is stable: records that compare equal come out in the order
//! they were pushed (a run's records are sorted stably, runs hold
//! consecutive pushes, and the merge breaks ties by run, the earlier run
//! first). A run record is its length (LEB128) then the bytes
//! [`SortRecord::encode`] wrote; a failed read or a record that does not
//! decode is an [`std::io::Error`] item of [`Sorted`], never a panic.

use std::cmp::Ordering;
use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Read, Seek, SeekFrom, Write};

use crate::spill::BLOCK;

/// A record [`ExternalSort`] can spill: encoded to bytes and decoded back.
pub(crate) trait SortRecord: Sized {
    /// Appends the record's bytes to `out`.
    fn encode(&self, out: &mut Vec<u8>);

    /// The record from the bytes [`SortRecord::encode`] wrote; `None` when
    /// they do not decode.
    fn decode(bytes: &[u8]) -> Option<Self>;

    /// Heap bytes the record owns beyond its size (strings, vectors),
    /// counted against the sort's budget.
    fn heap_bytes(&self) -> usize {
        0
    }
}

/// Bytes of records an [`ExternalSort`] holds before it spills a run.
pub(crate) const SORT_BUDGET: usize = 4 << 20;

/// Runs merged at a time (each holds a read buffer of [`RUN_BUFFER`]
/// bytes): a level holds at most `FAN_IN - 1` runs, about 500 KiB of read
/// buffers.
pub(crate) const FAN_IN: usize = 64;

/// Bytes of a run's read buffer while it is merged.
const RUN_BUFFER: usize = 8 * 1024;

/// Sorts records by a comparison in bounded memory (see the module
/// documentation).
pub(crate) struct ExternalSort<T, C>
where
    C: Fn(&T, &T) -> Ordering,
{
    compare: C,
    budget: usize,
    buffer: Vec<T>,
    /// Bytes the buffered records take.
    buffered: usize,
    /// The runs in push order, each with its level: a run written from
    /// the buffer is level 0; [`FAN_IN`] consecutive runs of one level are
    /// merged into one of the next as soon as they exist, so the sort
    /// keeps at most `FAN_IN - 1` runs (open files) a level.
    runs: Vec<(u32, File)>,
    /// Runs written from the buffer.
    spilled: usize,
    pushed: u64,
    bytes: Vec<u8>,
}

impl<T: SortRecord, C: Fn(&T, &T) -> Ordering> ExternalSort<T, C> {
    /// A sort that spills a run whenever its buffered records take more
    /// than `budget` bytes (at least one record is buffered).
    pub(crate) fn new(budget: usize, compare: C) -> ExternalSort<T, C> {
        ExternalSort {
            compare,
            budget,
            buffer: Vec::new(),
            buffered: 0,
            runs: Vec::new(),
            spilled: 0,
            pushed: 0,
            bytes: Vec::new(),
        }
    }

    /// Records pushed so far.
    pub(crate) fn len(&self) -> u64 {
        self.pushed
    }

    /// Adds `record`; spills the buffer as a run when it is full.
    pub(crate) fn push(&mut self, record: T) -> std::io::Result<()> {
        self.buffered += std::mem::size_of::<T>() + record.heap_bytes();
        if self.buffer.len() == self.buffer.capacity() {
            // Grown by doubling, but never past the records the budget
            // holds (a doubled vector could take twice the budget).
            let most = self.budget / std::mem::size_of::<T>().max(1) + 1;
            let room = self.buffer.capacity();
            let more = room.max(16).min(most.saturating_sub(room)).max(1);
            self.buffer.reserve_exact(more);
        }
        self.buffer.push(record);
        self.pushed += 1;
        if self.buffered > self.budget {
            self.spill_buffer()?;
        }
        Ok(())
    }

    /// Sorts the buffer and writes it as a run; the buffer's room is kept
    /// for the next run.
    fn spill_buffer(&mut self) -> std::io::Result<()> {
        let compare = &self.compare;
        self.buffer.sort_by(|a, b| compare(a, b));
        let mut writer = RunWriter::new()?;
        for record in self.buffer.drain(..) {
            writer.write(&record, &mut self.bytes)?;
        }
        self.runs.push((0, writer.finish()?));
        self.spilled += 1;
        self.buffered = 0;
        // Levels do not grow along the list: the last runs are the
        // smallest, and a full level is always at its end.
        while self.runs.len() >= FAN_IN {
            let level = self.runs[self.runs.len() - 1].0;
            let first = self.runs.len() - FAN_IN;
            if self.runs[first..].iter().any(|(other, _)| *other != level) {
                break;
            }
            let merged = merge_into_run(
                self.runs.drain(first..).map(|(_, file)| file).collect(),
                &self.compare,
                &mut self.bytes,
            )?;
            self.runs.push((level + 1, merged));
        }
        Ok(())
    }

    /// The records in order: the runs merged (in passes of at most
    /// [`FAN_IN`] runs), or the buffer sorted when nothing was spilled.
    pub(crate) fn finish(mut self) -> std::io::Result<Sorted<T, C>> {
        if self.runs.is_empty() {
            let compare = &self.compare;
            self.buffer.sort_by(|a, b| compare(a, b));
            return Ok(Sorted {
                source: Source::Memory(std::mem::take(&mut self.buffer).into_iter()),
                compare: self.compare,
                runs: 0,
            });
        }
        if !self.buffer.is_empty() {
            self.spill_buffer()?;
        }
        self.buffer = Vec::new();
        let ExternalSort {
            compare,
            runs,
            spilled,
            mut bytes,
            ..
        } = self;
        let mut runs: Vec<File> = runs.into_iter().map(|(_, file)| file).collect();
        // The last runs (the smallest) merged into one until one merge can
        // take them all: the merged run replaces them in place, so runs
        // stay in push order and the sort stays stable.
        while runs.len() > FAN_IN {
            let first = runs.len() - FAN_IN;
            let merged = merge_into_run(runs.split_off(first), &compare, &mut bytes)?;
            runs.push(merged);
        }
        let merge = Merge::new(runs, &compare)?;
        Ok(Sorted {
            source: Source::Runs(merge),
            compare,
            runs: spilled,
        })
    }
}

/// `runs` (consecutive, in push order) merged into one run.
fn merge_into_run<T: SortRecord>(
    runs: Vec<File>,
    compare: &impl Fn(&T, &T) -> Ordering,
    bytes: &mut Vec<u8>,
) -> std::io::Result<File> {
    let mut merge = Merge::new(runs, compare)?;
    let mut writer = RunWriter::new()?;
    while let Some(record) = merge.next(compare)? {
        writer.write(&record, bytes)?;
    }
    writer.finish()
}

/// Writes one run.
struct RunWriter {
    file: BufWriter<File>,
}

impl RunWriter {
    fn new() -> std::io::Result<RunWriter> {
        Ok(RunWriter {
            file: BufWriter::with_capacity(BLOCK, tempfile::tempfile()?),
        })
    }

    fn write<T: SortRecord>(&mut self, record: &T, bytes: &mut Vec<u8>) -> std::io::Result<()> {
        // The length, then the record, in one buffer reused for every record.
        bytes.clear();
        bytes.extend_from_slice(&[0; 10]);
        record.encode(bytes);
        let length = bytes.len() - 10;
        let mut prefix = [0u8; 10];
        let used = length_prefix(length as u64, &mut prefix);
        let start = 10 - used;
        bytes[start..10].copy_from_slice(&prefix[..used]);
        self.file.write_all(&bytes[start..])
    }

    /// The run's file, rewound for reading.
    fn finish(self) -> std::io::Result<File> {
        let mut file = self.file.into_inner().map_err(|error| error.into_error())?;
        file.seek(SeekFrom::Start(0))?;
        Ok(file)
    }
}

/// `value` as a LEB128 varint at the start of `out`; the bytes used.
fn length_prefix(mut value: u64, out: &mut [u8; 10]) -> usize {
    let mut used = 0;
    while value >= 0x80 {
        out[used] = (value as u8) | 0x80;
        value >>= 7;
        used += 1;
    }
    out[used] = value as u8;
    used + 1
}

/// Reads one run forward.
struct RunReader {
    file: BufReader<File>,
    bytes: Vec<u8>,
}

impl RunReader {
    /// The run's next record; `None` at its end.
    fn next<T: SortRecord>(&mut self) -> std::io::Result<Option<T>> {
        let Some(length) = self.read_length()? else {
            return Ok(None);
        };
        self.bytes.resize(length, 0);
        self.file.read_exact(&mut self.bytes)?;
        T::decode(&self.bytes).map(Some).ok_or_else(|| {
            std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                "a sorted run's record does not decode",
            )
        })
    }

    /// A record's length; `None` at a clean end of the run.
    fn read_length(&mut self) -> std::io::Result<Option<usize>> {
        let mut value = 0u64;
        let mut shift = 0;
        loop {
            // From the reader's buffer, a refill only at its end.
            let buffered = self.file.fill_buf()?;
            if buffered.is_empty() {
                if shift == 0 {
                    return Ok(None);
                }
                return Err(std::io::Error::new(
                    std::io::ErrorKind::UnexpectedEof,
                    "a sorted run ends inside a record's length",
                ));
            }
            let mut used = 0;
            let mut done = false;
            for byte in buffered {
                used += 1;
                if shift >= 63 {
                    return Err(too_long());
                }
                value |= u64::from(byte & 0x7f) << shift;
                if byte & 0x80 == 0 {
                    done = true;
                    break;
                }
                shift += 7;
            }
            self.file.consume(used);
            if done {
                return usize::try_from(value).map(Some).map_err(|_| too_long());
            }
        }
    }
}

fn too_long() -> std::io::Error {
    std::io::Error::new(
        std::io::ErrorKind::InvalidData,
        "a sorted run's record length is too long",
    )
}

/// A merge of runs: each run's next record, and a heap of the runs by it
/// (ties by run, the earlier first).
struct Merge<T> {
    readers: Vec<RunReader>,
    heads: Vec<Option<T>>,
    /// Run numbers, a binary min-heap by `heads`.
    heap: Vec<usize>,
}

impl<T: SortRecord> Merge<T> {
    fn new(runs: Vec<File>, compare: &impl Fn(&T, &T) -> Ordering) -> std::io::Result<Merge<T>> {
        let mut readers: Vec<RunReader> = runs
            .into_iter()
            .map(|file| RunReader {
                file: BufReader::with_capacity(RUN_BUFFER, file),
                bytes: Vec::new(),
            })
            .collect();
        let mut heads = Vec::with_capacity(readers.len());
        for reader in &mut readers {
            heads.push(reader.next()?);
        }
        let mut merge = Merge {
            readers,
            heads,
            heap: Vec::new(),
        };
        for run in 0..merge.heads.len() {
            if merge.heads[run].is_some() {
                merge.heap.push(run);
                merge.sift_up(merge.heap.len() - 1, compare);
            }
        }
        Ok(merge)
    }

    /// Whether run `a`'s head comes before run `b`'s.
    fn before(&self, a: usize, b: usize, compare: &impl Fn(&T, &T) -> Ordering) -> bool {
        match (&self.heads[a], &self.heads[b]) {
            (Some(x), Some(y)) => compare(x, y).then(a.cmp(&b)) == Ordering::Less,
            _ => unreachable!("the heap holds runs with a head"),
        }
    }

    fn sift_up(&mut self, mut at: usize, compare: &impl Fn(&T, &T) -> Ordering) {
        while at > 0 {
            let parent = (at - 1) / 2;
            if !self.before(self.heap[at], self.heap[parent], compare) {
                break;
            }
            self.heap.swap(at, parent);
            at = parent;
        }
    }

    fn sift_down(&mut self, mut at: usize, compare: &impl Fn(&T, &T) -> Ordering) {
        loop {
            let (left, right) = (2 * at + 1, 2 * at + 2);
            let mut first = at;
            if left < self.heap.len() && self.before(self.heap[left], self.heap[first], compare) {
                first = left;
            }
            if right < self.heap.len() && self.before(self.heap[right], self.heap[first], compare) {
                first = right;
            }
            if first == at {
                return;
            }
            self.heap.swap(at, first);
            at = first;
        }
    }

    /// The smallest head, replaced by its run's next record.
    fn next(&mut self, compare: &impl Fn(&T, &T) -> Ordering) -> std::io::Result<Option<T>> {
        let Some(&run) = self.heap.first() else {
            return Ok(None);
        };
        let next = self.readers[run].next()?;
        let record = std::mem::replace(&mut self.heads[run], next);
        if self.heads[run].is_none() {
            let last = self.heap.pop().expect("the heap has the run");
            if !self.heap.is_empty() {
                self.heap[0] = last;
            }
        }
        if !self.heap.is_empty() {
            self.sift_down(0, compare);
        }
        Ok(record)
    }
}

enum Source<T> {
    Memory(std::vec::IntoIter<T>),
    Runs(Merge<T>),
}

/// The records of an [`ExternalSort`] in order.
pub(crate) struct Sorted<T, C> {
    source: Source<T>,
    compare: C,
    runs: usize,
}

impl<T, C> Sorted<T, C> {
    /// Runs written from the buffer (0: sorted in memory).
    #[allow(dead_code)]
    pub(crate) fn runs(&self) -> usize {
        self.runs
    }
}

impl<T: SortRecord, C: Fn(&T, &T) -> Ordering> Iterator for Sorted<T, C> {
    type Item = std::io::Result<T>;

    fn next(&mut self) -> Option<std::io::Result<T>> {
        match &mut self.source {
            Source::Memory(records) => records.next().map(Ok),
            Source::Runs(merge) => match merge.next(&self.compare) {
                Ok(record) => record.map(Ok),
                Err(error) => {
                    // One error, then the end.
                    merge.heap.clear();
                    Some(Err(error))
                }
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spill::{get_varint, put_varint};

    /// A key and the push number (to check stability) and a text (heap).
    #[derive(Debug, Clone, PartialEq, Eq)]
    struct Record {
        key: u64,
        pushed: u64,
        text: String,
    }

    impl SortRecord for Record {
        fn encode(&self, out: &mut Vec<u8>) {
            put_varint(out, self.key);
            put_varint(out, self.pushed);
            out.extend_from_slice(self.text.as_bytes());
        }

        fn decode(bytes: &[u8]) -> Option<Record> {
            let mut at = 0;
            let key = get_varint(bytes, &mut at)?;
            let pushed = get_varint(bytes, &mut at)?;
            let text = std::str::from_utf8(&bytes[at..]).ok()?.to_string();
            Some(Record { key, pushed, text })
        }

        fn heap_bytes(&self) -> usize {
            self.text.capacity()
        }
    }

    fn records(count: u64, keys: u64) -> Vec<Record> {
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        (0..count)
            .map(|pushed| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                // Lengths of one, two and three varint bytes; some longer
                // than a run's read buffer.
                let length = match pushed % 211 {
                    0 => RUN_BUFFER * 2 + 3,
                    1 => 300,
                    _ => (state % 40) as usize,
                };
                Record {
                    key: state % keys,
                    pushed,
                    text: "x".repeat(length),
                }
            })
            .collect()
    }

    fn sorted(records: &[Record], budget: usize) -> (Vec<Record>, usize) {
        let mut sort = ExternalSort::new(budget, |a: &Record, b: &Record| a.key.cmp(&b.key));
        let mut open = 0;
        for record in records {
            sort.push(record.clone()).unwrap();
            open = open.max(sort.runs.len());
            // The buffer never holds room for more than the budget's records.
            let most = budget / std::mem::size_of::<Record>() + 1;
            assert!(
                sort.buffer.capacity() <= most.max(1),
                "{}",
                sort.buffer.capacity()
            );
        }
        assert_eq!(sort.len(), records.len() as u64);
        // At most FAN_IN - 1 runs a level, and few levels.
        assert!(open < 3 * FAN_IN, "{open} runs open at once");
        let sorted = sort.finish().unwrap();
        let runs = sorted.runs();
        (sorted.map(Result::unwrap).collect(), runs)
    }

    /// In memory, in a few runs, and in more runs than one merge takes
    /// (merged in passes): the same order as a stable sort in memory,
    /// equal keys in push order.
    #[test]
    fn any_budget_gives_the_stable_order() {
        for (count, keys) in [(0u64, 1u64), (1, 1), (5_000, 7), (5_000, 1_000_000)] {
            let input = records(count, keys);
            let mut expected = input.clone();
            expected.sort_by_key(|record| record.key);
            let (in_memory, runs) = sorted(&input, SORT_BUDGET);
            assert_eq!(runs, 0);
            assert_eq!(in_memory, expected);
            for budget in [4_000, 600, 1] {
                let (spilled, runs) = sorted(&input, budget);
                assert_eq!(spilled, expected, "{count} records, budget {budget}");
                if count > 1_000 {
                    assert!(runs > 1, "budget {budget}: {runs} runs");
                }
                if budget == 1 && count > 1_000 {
                    // One record a run: far more runs than one merge takes.
                    assert!(runs > FAN_IN * FAN_IN, "{runs} runs");
                }
            }
        }
    }

    #[test]
    fn a_record_that_does_not_decode_is_an_error_not_a_panic() {
        /// Decodes only what is not 7.
        #[derive(Debug)]
        struct Picky(u64);
        impl SortRecord for Picky {
            fn encode(&self, out: &mut Vec<u8>) {
                put_varint(out, self.0);
            }
            fn decode(bytes: &[u8]) -> Option<Picky> {
                let mut at = 0;
                get_varint(bytes, &mut at)
                    .filter(|value| *value != 7)
                    .map(Picky)
            }
        }
        // One record a run (the bad one read as a run's first head), and
        // two a run (read while merging).
        for budget in [1, 8] {
            let mut sort = ExternalSort::new(budget, |a: &Picky, b: &Picky| a.0.cmp(&b.0));
            for value in [9, 3, 7, 1] {
                sort.push(Picky(value)).unwrap();
            }
            let read: std::io::Result<Vec<u64>> = sort
                .finish()
                .and_then(|sorted| sorted.map(|item| item.map(|picky| picky.0)).collect());
            let error = read.unwrap_err();
            assert_eq!(
                error.kind(),
                std::io::ErrorKind::InvalidData,
                "budget {budget}"
            );
        }
    }
}
