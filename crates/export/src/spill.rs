//! Scratch files for the frozen per-athlete parts of a snapshot: written
//! once while the snapshot is read, then read back a block at a time while
//! the renderers walk the boards, so those parts take disk (the OS's page
//! cache), not the export's heap.
//!
//! A [`SpillWriter`] appends bytes to an unnamed temporary file
//! ([`tempfile::tempfile`]: `O_TMPFILE` in the temporary directory on
//! Linux, a file deleted at once elsewhere): it has no name to find, is
//! never in the competition file's folder, and vanishes when the export
//! ends or the process dies. [`Spill`] reads it back through a small
//! cache of [`BLOCK`]-byte blocks with positioned reads (`read_at` on Unix,
//! `seek_read` on Windows); it is never mapped, as mapped pages would count
//! in the process's resident memory. [`SpilledRecords`] keeps
//! variable-length records (a run of bytes each) with their offsets in a
//! second spill, so it holds nothing per record in memory.
//!
//! A read that fails (the disk gone, an I/O error) cannot stop a renderer
//! part way through a row; the spill keeps the first failure and hands back
//! empty bytes, and the export checks [`Spill::failure`] (through
//! `ExportData::check_scratch`) before it keeps any file it rendered, so a
//! failed read is an error of the export, never partial output.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::sync::{Mutex, OnceLock};

/// Bytes a cached block holds.
pub(crate) const BLOCK: usize = 16 * 1024;

/// Blocks a spill caches (a board walk reads forward, a block at a time;
/// two walks may be interleaved a batch at a time).
const CACHED_BLOCKS: usize = 4;

/// Appends bytes to an unnamed temporary file.
#[derive(Debug)]
pub(crate) struct SpillWriter {
    file: BufWriter<File>,
    len: u64,
}

impl SpillWriter {
    pub(crate) fn new() -> std::io::Result<SpillWriter> {
        Ok(SpillWriter {
            file: BufWriter::with_capacity(BLOCK, tempfile::tempfile()?),
            len: 0,
        })
    }

    /// A writer appending to `file` from its start (tests hand it a file
    /// that fails).
    #[cfg(test)]
    pub(crate) fn over(file: File) -> SpillWriter {
        SpillWriter {
            file: BufWriter::with_capacity(BLOCK, file),
            len: 0,
        }
    }

    /// Bytes written so far: where the next bytes start.
    pub(crate) fn len(&self) -> u64 {
        self.len
    }

    pub(crate) fn write(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.file.write_all(bytes)?;
        self.len += bytes.len() as u64;
        Ok(())
    }

    /// The spill, ready to be read.
    pub(crate) fn finish(self) -> std::io::Result<Spill> {
        let file = self.file.into_inner().map_err(|error| error.into_error())?;
        Ok(Spill {
            file,
            len: self.len,
            cache: Mutex::new(BlockCache::default()),
            failure: OnceLock::new(),
        })
    }
}

/// A spill being read (see the module documentation).
#[derive(Debug)]
pub(crate) struct Spill {
    file: File,
    len: u64,
    cache: Mutex<BlockCache>,
    failure: OnceLock<String>,
}

#[derive(Debug, Default)]
struct BlockCache {
    /// `(block number, last use, bytes)`.
    blocks: Vec<(u64, u64, Vec<u8>)>,
    clock: u64,
}

impl Spill {
    /// The first read that failed, if one did.
    pub(crate) fn failure(&self) -> Option<&str> {
        self.failure.get().map(String::as_str)
    }

    /// Appends the `len` bytes at `offset` to `out`. On a failed read (or
    /// bytes beyond the end) appends nothing, keeps the failure and returns
    /// false.
    pub(crate) fn read_into(&self, offset: u64, len: usize, out: &mut Vec<u8>) -> bool {
        let start = out.len();
        out.resize(start + len, 0);
        if self.copy_to(offset, &mut out[start..]) {
            true
        } else {
            out.truncate(start);
            false
        }
    }

    /// Fills `out` with the bytes at `offset`; false (the failure kept)
    /// when they cannot be read.
    pub(crate) fn copy_to(&self, offset: u64, out: &mut [u8]) -> bool {
        let len = out.len();
        if offset
            .checked_add(len as u64)
            .is_none_or(|end| end > self.len)
        {
            self.fail(format!(
                "a read of {len} bytes at {offset} is beyond the scratch file's {} bytes",
                self.len
            ));
            return false;
        }
        let mut cache = self
            .cache
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let (mut at, end) = (offset, offset + len as u64);
        let mut filled = 0;
        while at < end {
            let block = at / BLOCK as u64;
            let Some(bytes) = self.block(&mut cache, block) else {
                return false;
            };
            let from = (at - block * BLOCK as u64) as usize;
            let to = ((end - block * BLOCK as u64) as usize).min(bytes.len());
            out[filled..filled + (to - from)].copy_from_slice(&bytes[from..to]);
            filled += to - from;
            at = block * BLOCK as u64 + to as u64;
        }
        true
    }

    /// The bytes of block `block` from the cache, read in if missing.
    fn block<'c>(&self, cache: &'c mut BlockCache, block: u64) -> Option<&'c [u8]> {
        cache.clock += 1;
        let clock = cache.clock;
        let found = cache
            .blocks
            .iter()
            .position(|(number, _, _)| *number == block);
        let at = match found {
            Some(at) => at,
            None => {
                let start = block * BLOCK as u64;
                let len = (self.len - start).min(BLOCK as u64) as usize;
                let at = if cache.blocks.len() < CACHED_BLOCKS {
                    cache.blocks.push((block, clock, Vec::with_capacity(BLOCK)));
                    cache.blocks.len() - 1
                } else {
                    let (oldest, _) = cache
                        .blocks
                        .iter()
                        .enumerate()
                        .min_by_key(|(_, (_, used, _))| *used)
                        .expect("a full cache has blocks");
                    oldest
                };
                let bytes = &mut cache.blocks[at].2;
                bytes.resize(len, 0);
                if let Err(error) = read_exact_at(&self.file, bytes, start) {
                    cache.blocks.swap_remove(at);
                    self.fail(error.to_string());
                    return None;
                }
                cache.blocks[at].0 = block;
                at
            }
        };
        cache.blocks[at].1 = clock;
        Some(&cache.blocks[at].2)
    }

    fn fail(&self, message: String) {
        let _ = self.failure.set(message);
    }
}

#[cfg(unix)]
pub(crate) fn read_exact_at(file: &File, buffer: &mut [u8], offset: u64) -> std::io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, buffer, offset)
}

#[cfg(windows)]
pub(crate) fn read_exact_at(
    file: &File,
    mut buffer: &mut [u8],
    mut offset: u64,
) -> std::io::Result<()> {
    use std::os::windows::fs::FileExt;
    while !buffer.is_empty() {
        match file.seek_read(buffer, offset) {
            Ok(0) => {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::UnexpectedEof,
                    "the scratch file ended early",
                ))
            }
            Ok(read) => {
                buffer = &mut buffer[read..];
                offset += read as u64;
            }
            Err(error) if error.kind() == std::io::ErrorKind::Interrupted => {}
            Err(error) => return Err(error),
        }
    }
    Ok(())
}

#[cfg(not(any(unix, windows)))]
pub(crate) fn read_exact_at(file: &File, buffer: &mut [u8], offset: u64) -> std::io::Result<()> {
    use std::io::{Read, Seek, SeekFrom};
    let mut file = file;
    file.seek(SeekFrom::Start(offset))?;
    file.read_exact(buffer)
}

/// Writes all of `buffer` at `offset` of `file` (a positioned write: the
/// file's cursor is not used).
#[cfg(unix)]
pub(crate) fn write_all_at(file: &File, buffer: &[u8], offset: u64) -> std::io::Result<()> {
    std::os::unix::fs::FileExt::write_all_at(file, buffer, offset)
}

#[cfg(windows)]
pub(crate) fn write_all_at(file: &File, mut buffer: &[u8], mut offset: u64) -> std::io::Result<()> {
    use std::os::windows::fs::FileExt;
    while !buffer.is_empty() {
        match file.seek_write(buffer, offset) {
            Ok(0) => {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::WriteZero,
                    "the scratch file took no bytes",
                ))
            }
            Ok(written) => {
                buffer = &buffer[written..];
                offset += written as u64;
            }
            Err(error) if error.kind() == std::io::ErrorKind::Interrupted => {}
            Err(error) => return Err(error),
        }
    }
    Ok(())
}

#[cfg(not(any(unix, windows)))]
pub(crate) fn write_all_at(file: &File, buffer: &[u8], offset: u64) -> std::io::Result<()> {
    use std::io::{Seek, SeekFrom};
    let mut file = file;
    file.seek(SeekFrom::Start(offset))?;
    file.write_all(buffer)
}

/// Variable-length records written one after the other, numbered from 0:
/// the bytes in one spill, each record's start (8 bytes) in another.
#[derive(Debug)]
pub(crate) struct SpilledRecords {
    bytes: Spill,
    starts: Spill,
    records: usize,
}

/// Writes [`SpilledRecords`].
#[derive(Debug)]
pub(crate) struct RecordsWriter {
    bytes: SpillWriter,
    starts: SpillWriter,
    records: usize,
}

impl RecordsWriter {
    pub(crate) fn new() -> std::io::Result<RecordsWriter> {
        let mut starts = SpillWriter::new()?;
        starts.write(&0u64.to_le_bytes())?;
        Ok(RecordsWriter {
            bytes: SpillWriter::new()?,
            starts,
            records: 0,
        })
    }

    /// Appends the next record.
    pub(crate) fn push(&mut self, record: &[u8]) -> std::io::Result<()> {
        self.bytes.write(record)?;
        self.starts.write(&self.bytes.len().to_le_bytes())?;
        self.records += 1;
        Ok(())
    }

    pub(crate) fn finish(self) -> std::io::Result<SpilledRecords> {
        Ok(SpilledRecords {
            bytes: self.bytes.finish()?,
            starts: self.starts.finish()?,
            records: self.records,
        })
    }
}

impl SpilledRecords {
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.records
    }

    /// Appends record `record`'s bytes to `out`; false (nothing appended,
    /// the failure kept) when it cannot be read.
    pub(crate) fn read_into(&self, record: usize, out: &mut Vec<u8>) -> bool {
        if record >= self.records {
            self.starts.fail(format!(
                "record {record} asked of a scratch file of {}",
                self.records
            ));
            return false;
        }
        let mut span = [0u8; 16];
        if !self.starts.copy_to(record as u64 * 8, &mut span) {
            return false;
        }
        let start = u64::from_le_bytes(span[..8].try_into().expect("8 bytes"));
        let end = u64::from_le_bytes(span[8..].try_into().expect("8 bytes"));
        if end < start {
            self.starts
                .fail(format!("record {record} ends before it starts"));
            return false;
        }
        self.bytes.read_into(start, (end - start) as usize, out)
    }

    /// The first read that failed, if one did.
    pub(crate) fn failure(&self) -> Option<&str> {
        self.starts.failure().or_else(|| self.bytes.failure())
    }

    /// Keeps `message` as a failure (a record that does not decode).
    pub(crate) fn fail(&self, message: String) {
        self.starts.fail(message);
    }
}

pub(crate) use scoretable_core::codec::{get_varint, put_varint, unzigzag, zigzag};

#[cfg(test)]
mod tests {
    use super::*;

    /// Records across block edges, empty records and a record larger than
    /// a block read back as written, in order and out of order, with the
    /// cache's blocks replaced many times over.
    #[test]
    fn records_read_back_as_written_across_blocks() {
        let mut writer = RecordsWriter::new().unwrap();
        let mut expected = Vec::new();
        for record in 0..20_000usize {
            let len = match record % 97 {
                0 => 0,
                1 => BLOCK + 17,
                n => n * 3,
            };
            let bytes: Vec<u8> = (0..len).map(|at| (at * 31 + record) as u8).collect();
            writer.push(&bytes).unwrap();
            expected.push(bytes);
        }
        let records = writer.finish().unwrap();
        assert_eq!(records.len(), expected.len());
        let mut out = Vec::new();
        for record in (0..expected.len()).chain((0..expected.len()).rev().step_by(7)) {
            out.clear();
            assert!(records.read_into(record, &mut out));
            assert_eq!(out, expected[record], "record {record}");
        }
        assert!(records.failure().is_none());
        out.clear();
        assert!(!records.read_into(expected.len(), &mut out));
        assert!(out.is_empty());
        assert!(records.failure().is_some());
    }

    #[test]
    fn a_read_beyond_the_end_is_a_kept_failure_not_a_panic() {
        let mut writer = SpillWriter::new().unwrap();
        writer.write(&[1, 2, 3]).unwrap();
        let spill = writer.finish().unwrap();
        let mut out = vec![9];
        assert!(spill.read_into(1, 2, &mut out));
        assert_eq!(out, [9, 2, 3]);
        assert!(!spill.read_into(2, 2, &mut out));
        assert_eq!(out, [9, 2, 3]);
        assert!(spill.failure().unwrap().contains("beyond"));
    }
}
