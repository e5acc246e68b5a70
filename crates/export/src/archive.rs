//! The sealed day-end archive and its verification.
//!
//! [`write_sealed_archive`] writes one zip holding:
//!
//! - `results/`: the day-end bundle, exactly as `export all` writes it into
//!   a folder, from the same plan ([`crate::bundle`]): `results.json`,
//!   `csv/<workout>/all.csv` and `.../<division>.csv`, `csv/overall/...`,
//!   `runsignup/<workout>.csv|.json|.xml` for every workout RunSignup can
//!   take, `pdf/all.pdf` and `pdf/<division>.pdf`, and
//!   `awards/awards.csv|.pdf` when award rules are given; what the plan
//!   leaves out is listed, with the reason, in `EXPORTS.json`;
//! - `competition/<name>`: the competition file, as a backup the caller took
//!   with SQLite's online backup (see `CompetitionFile::backup_now` in the store);
//! - `amendments/amendments.jsonl`: the amendment log, one JSON object per
//!   line, each with its place in the hash chain;
//! - `EXPORTS.json`: what was exported and what was skipped, and why;
//! - `MANIFEST.sha256`: the seal.
//!
//! Text files (and the competition file backup) are deflated at level 1
//! (fast, still several times smaller); PDFs, whose pages and fonts are
//! already compressed, are stored as they are (zip method "stored"). Zip
//! timestamps are the snapshot's generation time, so the same snapshot and
//! backup give the same archive bytes.
//!
//! # The manifest
//!
//! `MANIFEST.sha256` lists the SHA-256 of every other file in the zip in the
//! format `sha256sum` writes (`<64 hex digits>  <path>`), sorted by path, so
//! `unzip archive.zip -d x && cd x && sha256sum -c MANIFEST.sha256` checks an
//! unpacked archive with standard tools. Its first lines are `#` comments
//! (which `sha256sum -c` ignores) carrying the competition name, the
//! generation time, and the head of the amendment hash chain:
//! `# amendment-chain-head <hex> entries <n>`.
//!
//! # The amendment hash chain
//!
//! Each log line is the canonical JSON of
//! `{"entry": <entry>, "hash": <hex>, "previous_hash": <hex>}` where
//! `hash = sha256(previous_hash || canonical_json(entry))`, `previous_hash`
//! is the previous line's `hash` as 64 lowercase hex characters (64 `0`s for
//! the first entry), and `||` is concatenation of the hex text and the JSON
//! bytes. Canonical JSON is compact JSON with object keys sorted by their
//! bytes. Changing, inserting, removing or reordering any entry changes every
//! later hash and the head, which is printed in the manifest (and can be
//! published or signed the moment results are declared official).
//!
//! [`verify_archive`] re-reads the zip, recomputes every file's hash, checks
//! every manifest line and every zip entry against each other, replays the
//! hash chain, and reports every discrepancy it finds.

use std::collections::{BTreeMap, BTreeSet};
use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Seek, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipArchive, ZipWriter};

use crate::awards::AwardRules;
use crate::bundle::{write_bundle, BundlePlan, BundleSink, PlannedFile};
use crate::data::{slug, AmendmentLogEntry, Exporter};
use crate::error::ExportError;
use crate::runsignup::RunSignupOptions;

/// The manifest's path inside the archive.
pub const MANIFEST_PATH: &str = "MANIFEST.sha256";
/// The amendment log's path inside the archive.
pub const AMENDMENT_LOG_PATH: &str = "amendments/amendments.jsonl";
/// The previous hash of the first amendment.
pub const CHAIN_GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";
const CHAIN_HEAD_PREFIX: &str = "# amendment-chain-head ";

/// Choices for the archive's contents.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ArchiveOptions {
    /// Options for the RunSignup files (status policy, split and division ids).
    /// The division choice is ignored: the archive always holds the whole field.
    pub runsignup: RunSignupOptions,
    /// Award rules; `None` leaves the award list out.
    pub award_rules: Option<AwardRules>,
}

/// One file in the archive.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArchivedFile {
    pub path: String,
    pub size_bytes: u64,
    pub sha256: String,
}

/// What [`write_sealed_archive`] wrote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArchiveSummary {
    pub path: PathBuf,
    /// Every file except the manifest, sorted by path.
    pub files: Vec<ArchivedFile>,
    /// Exports left out, with the reason (e.g. RunSignup for a reps workout).
    pub skipped: Vec<String>,
    pub amendment_entries: usize,
    pub amendment_chain_head: String,
    /// The size of the zip file.
    pub archive_bytes: u64,
}

/// One line of the amendment log as written to the archive.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainedAmendment {
    pub entry: AmendmentLogEntry,
    pub previous_hash: String,
    pub hash: String,
}

/// The outcome of [`verify_archive`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArchiveVerification {
    /// Files whose hash was checked against the manifest.
    pub files_checked: usize,
    pub amendment_entries: usize,
    /// The chain head recomputed from the log.
    pub amendment_chain_head: String,
    /// Every discrepancy found; empty when the archive is intact.
    pub problems: Vec<String>,
}

impl ArchiveVerification {
    /// True when nothing was found wrong.
    pub fn is_intact(&self) -> bool {
        self.problems.is_empty()
    }
}

/// Lowercase hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    to_hex(&Sha256::digest(bytes))
}

fn to_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut text = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        text.push(DIGITS[(byte >> 4) as usize] as char);
        text.push(DIGITS[(byte & 0x0F) as usize] as char);
    }
    text
}

/// Compact JSON with object keys sorted by their bytes.
pub fn canonical_json<T: Serialize>(value: &T) -> Result<Vec<u8>, ExportError> {
    let value = serde_json::to_value(value)
        .map_err(|error| ExportError::render("canonical JSON", error))?;
    let mut out = Vec::with_capacity(256);
    write_canonical(&value, &mut out)?;
    Ok(out)
}

fn write_canonical(value: &serde_json::Value, out: &mut Vec<u8>) -> Result<(), ExportError> {
    match value {
        serde_json::Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push(b'{');
            for (index, key) in keys.iter().enumerate() {
                if index > 0 {
                    out.push(b',');
                }
                serde_json::to_writer(&mut *out, key)
                    .map_err(|error| ExportError::render("canonical JSON", error))?;
                out.push(b':');
                write_canonical(&map[*key], out)?;
            }
            out.push(b'}');
        }
        serde_json::Value::Array(items) => {
            out.push(b'[');
            for (index, item) in items.iter().enumerate() {
                if index > 0 {
                    out.push(b',');
                }
                write_canonical(item, out)?;
            }
            out.push(b']');
        }
        scalar => serde_json::to_writer(&mut *out, scalar)
            .map_err(|error| ExportError::render("canonical JSON", error))?,
    }
    Ok(())
}

/// The chain hash of `entry` after `previous_hash`.
pub fn chain_hash(previous_hash: &str, entry: &AmendmentLogEntry) -> Result<String, ExportError> {
    let mut hasher = Sha256::new();
    hasher.update(previous_hash.as_bytes());
    hasher.update(canonical_json(entry)?);
    Ok(to_hex(&hasher.finalize()))
}

/// Links the log into a hash chain; returns the lines and the head hash.
pub fn chain_amendments(
    entries: &[AmendmentLogEntry],
) -> Result<(Vec<ChainedAmendment>, String), ExportError> {
    let mut previous = CHAIN_GENESIS.to_string();
    let mut chained = Vec::with_capacity(entries.len());
    for entry in entries {
        let hash = chain_hash(&previous, entry)?;
        chained.push(ChainedAmendment {
            entry: entry.clone(),
            previous_hash: previous,
            hash: hash.clone(),
        });
        previous = hash;
    }
    Ok((chained, previous))
}

/// The amendment log as JSON lines, and the chain head.
pub fn amendment_log_jsonl(
    entries: &[AmendmentLogEntry],
) -> Result<(Vec<u8>, String), ExportError> {
    let (chained, head) = chain_amendments(entries)?;
    let mut bytes = Vec::with_capacity(entries.len() * 300);
    for line in &chained {
        bytes.extend(canonical_json(line)?);
        bytes.push(b'\n');
    }
    Ok((bytes, head))
}

/// Writes files into the zip and remembers their hashes.
struct SealingWriter<W: Write + Seek> {
    zip: ZipWriter<W>,
    options: SimpleFileOptions,
    files: Vec<ArchivedFile>,
    archive_path: PathBuf,
}

impl<W: Write + Seek> SealingWriter<W> {
    fn archive_error(&self, error: impl std::fmt::Display) -> ExportError {
        ExportError::Archive {
            path: self.archive_path.clone(),
            message: error.to_string(),
        }
    }

    /// The zip options for `path`: PDFs, whose content is already
    /// compressed, are stored as they are; everything else is deflated.
    fn options_for(&self, path: &str) -> SimpleFileOptions {
        if path.ends_with(".pdf") {
            self.options
                .compression_method(CompressionMethod::Stored)
                .compression_level(None)
        } else {
            self.options
        }
    }

    /// Adds a file whose bytes `render` writes straight into the zip.
    fn add_with(
        &mut self,
        path: &str,
        render: &mut dyn FnMut(&mut dyn Write) -> Result<(), ExportError>,
    ) -> Result<(), ExportError> {
        self.zip
            .start_file(path, self.options_for(path))
            .map_err(|error| self.archive_error(error))?;
        let mut hashing = HashingWriter::new(&mut self.zip);
        render(&mut hashing)?;
        let (_, sha256, size_bytes) = hashing.finish();
        self.files.push(ArchivedFile {
            path: path.to_string(),
            size_bytes,
            sha256,
        });
        Ok(())
    }

    fn add_bytes(&mut self, path: &str, bytes: &[u8]) -> Result<(), ExportError> {
        self.zip
            .start_file(path, self.options_for(path))
            .map_err(|error| self.archive_error(error))?;
        self.zip
            .write_all(bytes)
            .map_err(|error| self.archive_error(error))?;
        self.files.push(ArchivedFile {
            path: path.to_string(),
            size_bytes: bytes.len() as u64,
            sha256: sha256_hex(bytes),
        });
        Ok(())
    }

    fn add_file(&mut self, path: &str, source: &Path) -> Result<(), ExportError> {
        let mut input =
            BufReader::new(File::open(source).map_err(|error| ExportError::io(source, error))?);
        self.zip
            .start_file(path, self.options)
            .map_err(|error| self.archive_error(error))?;
        let mut hasher = Sha256::new();
        let mut buffer = vec![0_u8; 1 << 16];
        let mut size = 0_u64;
        loop {
            let read = input
                .read(&mut buffer)
                .map_err(|error| ExportError::io(source, error))?;
            if read == 0 {
                break;
            }
            hasher.update(&buffer[..read]);
            self.zip
                .write_all(&buffer[..read])
                .map_err(|error| self.archive_error(error))?;
            size += read as u64;
        }
        self.files.push(ArchivedFile {
            path: path.to_string(),
            size_bytes: size,
            sha256: to_hex(&hasher.finalize()),
        });
        Ok(())
    }
}

/// The bundle goes into the archive under `results/`.
impl<W: Write + Seek> BundleSink for SealingWriter<W> {
    fn add(
        &mut self,
        planned: &PlannedFile,
        render: &mut dyn FnMut(&mut dyn Write) -> Result<(), ExportError>,
    ) -> Result<(), ExportError> {
        self.add_with(&format!("{RESULTS_FOLDER}/{}", planned.path), render)
    }
}

/// The folder of the archive that holds the bundle (see [`crate::bundle`]).
pub const RESULTS_FOLDER: &str = "results";

/// A writer that passes everything on and counts and hashes it.
pub(crate) struct HashingWriter<W: Write> {
    inner: W,
    hasher: Sha256,
    bytes: u64,
}

impl<W: Write> HashingWriter<W> {
    pub(crate) fn new(inner: W) -> HashingWriter<W> {
        HashingWriter {
            inner,
            hasher: Sha256::new(),
            bytes: 0,
        }
    }

    /// The writer, the lowercase hex SHA-256 and the size of what passed.
    pub(crate) fn finish(self) -> (W, String, u64) {
        (self.inner, to_hex(&self.hasher.finalize()), self.bytes)
    }
}

impl<W: Write> Write for HashingWriter<W> {
    fn write(&mut self, buffer: &[u8]) -> std::io::Result<usize> {
        let written = self.inner.write(buffer)?;
        self.hasher.update(&buffer[..written]);
        self.bytes += written as u64;
        Ok(written)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// An entry of `EXPORTS.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct ExportIndex {
    competition: String,
    generated_at: String,
    results_format: String,
    results_version: u32,
    files: Vec<String>,
    skipped: Vec<String>,
}

/// Writes the sealed archive of `data` to `output`.
///
/// `competition_backup` is a copy of the competition file taken with SQLite's
/// online backup (the store's `backup_now`); it is stored as
/// `competition/<its file name>`. The archive is written to a temporary file
/// beside `output` and renamed into place, so a failure never leaves a
/// half-written archive under the final name.
pub fn write_sealed_archive(
    data: &crate::ExportData,
    competition_backup: &Path,
    options: &ArchiveOptions,
    output: &Path,
) -> Result<ArchiveSummary, ExportError> {
    let exporter = Exporter::new(data);
    let plan = BundlePlan::new(&exporter, &options.runsignup, options.award_rules.as_ref());
    write_planned_archive(&exporter, &plan, competition_backup, output)
}

/// Writes the archive of a planned bundle (see [`write_sealed_archive`]).
pub(crate) fn write_planned_archive(
    exporter: &Exporter<'_>,
    plan: &BundlePlan,
    competition_backup: &Path,
    output: &Path,
) -> Result<ArchiveSummary, ExportError> {
    let data = exporter.data;
    let temporary = output.with_extension("zip.partial");
    // Owner-only while it is written; a killed run's partial is truncated
    // and replaced here.
    let file = crate::work_files::create_private_file(&temporary)
        .map_err(|error| ExportError::io(&temporary, error))?;
    let generated = data.generated_at;
    let zip_time = {
        use chrono::{Datelike, Timelike};
        zip::DateTime::from_date_and_time(
            generated.year().clamp(1980, 2107) as u16,
            generated.month() as u8,
            generated.day() as u8,
            generated.hour() as u8,
            generated.minute() as u8,
            generated.second() as u8,
        )
        .unwrap_or_default()
    };
    let mut writer = SealingWriter {
        zip: ZipWriter::new(BufWriter::new(file)),
        options: SimpleFileOptions::default()
            .compression_method(CompressionMethod::Deflated)
            // Level 1 keeps sealing a 60,000-athlete event to seconds; the
            // text exports still shrink several times over.
            .compression_level(Some(1))
            .last_modified_time(zip_time)
            .large_file(true),
        files: Vec::new(),
        archive_path: output.to_path_buf(),
    };
    let result = write_contents(exporter, plan, competition_backup, &mut writer);
    // A failed scratch read (blank rows) is the error to tell, whatever
    // the renderers made of it.
    let result = data.check_scratch().and(result);
    let skipped: Vec<String> = plan.skipped.iter().map(|skip| skip.describe()).collect();
    let head = match result {
        Ok(contents) => contents,
        Err(error) => {
            drop(writer);
            let _ = std::fs::remove_file(&temporary);
            return Err(error);
        }
    };
    let mut files = writer.files.clone();
    files.sort_by(|a, b| a.path.cmp(&b.path));
    let manifest = manifest_text(data, &files, &head, data.amendments.len());
    writer
        .zip
        .start_file(MANIFEST_PATH, writer.options)
        .map_err(|error| writer.archive_error(error))?;
    writer
        .zip
        .write_all(manifest.as_bytes())
        .map_err(|error| writer.archive_error(error))?;
    let archive_error = writer.archive_error("finishing the zip");
    let buffered = writer.zip.finish().map_err(|error| ExportError::Archive {
        path: output.to_path_buf(),
        message: format!("{archive_error}: {error}"),
    })?;
    let file = buffered
        .into_inner()
        .map_err(|error| ExportError::io(&temporary, error.into_error()))?;
    file.sync_all()
        .map_err(|error| ExportError::io(&temporary, error))?;
    drop(file);
    std::fs::rename(&temporary, output).map_err(|error| ExportError::io(output, error))?;
    let archive_bytes = std::fs::metadata(output)
        .map_err(|error| ExportError::io(output, error))?
        .len();
    Ok(ArchiveSummary {
        path: output.to_path_buf(),
        files,
        skipped,
        amendment_entries: data.amendments.len(),
        amendment_chain_head: head,
        archive_bytes,
    })
}

fn write_contents<W: Write + Seek>(
    exporter: &Exporter<'_>,
    plan: &BundlePlan,
    competition_backup: &Path,
    writer: &mut SealingWriter<W>,
) -> Result<String, ExportError> {
    let data = exporter.data;
    write_bundle(exporter, plan, writer)?;
    let backup_name = competition_backup
        .file_name()
        .and_then(|name| name.to_str())
        .map(|name| name.to_string())
        .unwrap_or_else(|| format!("{}.scoretable", slug(&data.competition.name)));
    writer.add_file(&format!("competition/{backup_name}"), competition_backup)?;
    let (log, head) = amendment_log_jsonl(&data.amendments)?;
    writer.add_bytes(AMENDMENT_LOG_PATH, &log)?;
    let mut listed: Vec<String> = writer.files.iter().map(|file| file.path.clone()).collect();
    listed.push("EXPORTS.json".to_string());
    listed.sort();
    let index = ExportIndex {
        competition: data.competition.name.clone(),
        generated_at: data.generated_at_text(),
        results_format: crate::RESULTS_JSON_FORMAT.to_string(),
        results_version: crate::RESULTS_JSON_VERSION,
        files: listed,
        skipped: plan.skipped.iter().map(|skip| skip.describe()).collect(),
    };
    let mut index_bytes = serde_json::to_vec_pretty(&index)
        .map_err(|error| ExportError::render("EXPORTS.json", error))?;
    index_bytes.push(b'\n');
    writer.add_bytes("EXPORTS.json", &index_bytes)?;
    Ok(head)
}

fn manifest_text(
    data: &crate::ExportData,
    files: &[ArchivedFile],
    head: &str,
    entries: usize,
) -> String {
    let mut text = String::with_capacity(files.len() * 100 + 300);
    let name: String = data
        .competition
        .name
        .chars()
        .filter(|character| !character.is_control())
        .collect();
    text.push_str(&format!("# Scoretable sealed archive: {name}\n"));
    text.push_str(&format!("# generated-at {}\n", data.generated_at_text()));
    text.push_str(&format!("{CHAIN_HEAD_PREFIX}{head} entries {entries}\n"));
    for file in files {
        text.push_str(&format!("{}  {}\n", file.sha256, file.path));
    }
    text
}

/// Reads `length` bytes of the archive at `offset` (`None` past its end).
fn read_at(file: &mut File, offset: u64, length: usize) -> Option<Vec<u8>> {
    let mut bytes = vec![0_u8; length];
    file.seek(std::io::SeekFrom::Start(offset)).ok()?;
    file.read_exact(&mut bytes).ok()?;
    Some(bytes)
}

fn u16_at(bytes: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([bytes[at], bytes[at + 1]])
}

fn u32_at(bytes: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]])
}

/// The zip's bytes outside the entries' contents: every entry's local
/// header must repeat its central-directory record (version, flags,
/// method, time, CRC, sizes, name), carry no extra field but the sizes,
/// and the entries must follow one another with no byte between them and
/// the central directory. The contents themselves are checked by their
/// CRC and the manifest's SHA-256; this catches a changed byte in the
/// headers, which neither sees. (Not covered: the central directory's
/// "version made by", attributes and comment, which no reader of the
/// archive's contents uses.)
fn check_zip_structure(
    path: &Path,
    zip: &mut ZipArchive<BufReader<File>>,
    problems: &mut Vec<String>,
) -> Result<(), ExportError> {
    let mut file = File::open(path).map_err(|error| ExportError::io(path, error))?;
    let mut spans: Vec<(u64, u64, String)> = Vec::with_capacity(zip.len());
    for index in 0..zip.len() {
        let Ok(entry) = zip.by_index_raw(index) else {
            continue; // reported by the content pass
        };
        let name = String::from_utf8_lossy(entry.name_raw()).into_owned();
        let (header_start, central_start) = (entry.header_start(), entry.central_header_start());
        let (compressed, size, crc) = (entry.compressed_size(), entry.size(), entry.crc32());
        let name_raw = entry.name_raw().to_vec();
        let data_start = entry.data_start();
        drop(entry);
        let mut problem = |what: &str| {
            problems.push(format!(
                "{name}: the zip's local header {what}, so the archive was modified"
            ))
        };
        let (Some(local), Some(central)) = (
            read_at(&mut file, header_start, 30),
            read_at(&mut file, central_start, 46),
        ) else {
            problem("cannot be read");
            continue;
        };
        if local[..4] != *b"PK\x03\x04" {
            problem("has no local header signature");
            continue;
        }
        if local[4..14] != central[6..16] {
            problem("differs from the central directory (version, flags, method or time)");
        }
        if u16_at(&local, 6) & 0x8 != 0 {
            problem("defers its sizes to a data descriptor, which sealing never writes");
        }
        if u32_at(&local, 14) != crc {
            problem("has another CRC than the central directory");
        }
        let (name_length, extra_length) =
            (u16_at(&local, 26) as usize, u16_at(&local, 28) as usize);
        let Some(rest) = read_at(&mut file, header_start + 30, name_length + extra_length) else {
            problem("is cut short");
            continue;
        };
        if rest[..name_length] != name_raw[..] {
            problem("names another file than the central directory");
        }
        // Sizes: 32-bit fields, or 0xFFFFFFFF and the zip64 extra field.
        let mut local_size = u64::from(u32_at(&local, 22));
        let mut local_compressed = u64::from(u32_at(&local, 18));
        let extra = &rest[name_length..];
        let mut at = 0;
        while at < extra.len() {
            if at + 4 > extra.len() {
                problem("has a malformed extra field");
                break;
            }
            let (id, length) = (u16_at(extra, at), u16_at(extra, at + 2) as usize);
            let Some(field) = extra.get(at + 4..at + 4 + length) else {
                problem("has a malformed extra field");
                break;
            };
            if id != 0x0001 {
                problem(&format!("carries an unexpected extra field ({id:#06x})"));
            } else {
                let mut values = field
                    .chunks_exact(8)
                    .map(|chunk| u64::from_le_bytes(chunk.try_into().expect("8 bytes")));
                if local_size == u64::from(u32::MAX) {
                    local_size = values.next().unwrap_or(u64::MAX);
                }
                if local_compressed == u64::from(u32::MAX) {
                    local_compressed = values.next().unwrap_or(u64::MAX);
                }
            }
            at += 4 + length;
        }
        if (local_size, local_compressed) != (size, compressed) {
            problem("has other sizes than the central directory");
        }
        let expected_data = header_start + 30 + (name_length + extra_length) as u64;
        if data_start.is_some_and(|start| start != expected_data) {
            problem("does not end where the file's contents start");
        }
        spans.push((header_start, expected_data + compressed, name));
    }
    spans.sort();
    let mut expected_start = zip.offset();
    for (start, end, name) in &spans {
        if *start != expected_start {
            problems.push(format!(
                "{name}: {} unaccounted bytes before its local header, so the archive was modified",
                start.abs_diff(expected_start)
            ));
        }
        expected_start = *end;
    }
    if !spans.is_empty() && expected_start != zip.central_directory_start() {
        problems.push(format!(
            "{} unaccounted bytes before the zip's central directory, so the archive was modified",
            zip.central_directory_start().abs_diff(expected_start)
        ));
    }
    Ok(())
}

/// Re-checks an archive written by [`write_sealed_archive`]: every file's
/// SHA-256 against the manifest, that the manifest and the zip list the same
/// files, and the amendment hash chain against its head in the manifest.
///
/// Returns `Err` only when the archive cannot be opened as a zip at all;
/// tampering is reported in [`ArchiveVerification::problems`].
pub fn verify_archive(path: &Path) -> Result<ArchiveVerification, ExportError> {
    let file = File::open(path).map_err(|error| ExportError::io(path, error))?;
    let mut zip = ZipArchive::new(BufReader::new(file)).map_err(|error| ExportError::Archive {
        path: path.to_path_buf(),
        message: error.to_string(),
    })?;
    let mut problems = Vec::new();
    let mut hashes: BTreeMap<String, String> = BTreeMap::new();
    // Entries already reported as unreadable, so the manifest check does not
    // report them a second time as removed.
    let mut unreadable: BTreeSet<String> = BTreeSet::new();
    let mut manifest: Option<Vec<u8>> = None;
    let mut amendment_log: Option<Vec<u8>> = None;
    for index in 0..zip.len() {
        let mut entry = match zip.by_index(index) {
            Ok(entry) => entry,
            Err(error) => {
                problems.push(format!("zip entry {index} cannot be read: {error}"));
                continue;
            }
        };
        let name = match entry.name() {
            Ok(name) => name.to_string(),
            Err(error) => {
                problems.push(format!("zip entry {index} has an unreadable name: {error}"));
                continue;
            }
        };
        if entry.is_dir() {
            continue;
        }
        let mut hasher = Sha256::new();
        let keep = name == MANIFEST_PATH || name == AMENDMENT_LOG_PATH;
        let mut kept = Vec::new();
        let mut buffer = vec![0_u8; 1 << 16];
        let mut failed = false;
        loop {
            match entry.read(&mut buffer) {
                Ok(0) => break,
                Ok(read) => {
                    hasher.update(&buffer[..read]);
                    if keep {
                        kept.extend_from_slice(&buffer[..read]);
                    }
                }
                Err(error) => {
                    problems.push(format!(
                        "{name}: cannot be decompressed, so the archive is corrupted or was \
                         modified ({error})"
                    ));
                    failed = true;
                    break;
                }
            }
        }
        if failed {
            unreadable.insert(name);
            continue;
        }
        if hashes.contains_key(&name) {
            problems.push(format!("{name}: appears more than once in the zip"));
        }
        if name == MANIFEST_PATH {
            manifest = Some(kept);
        } else {
            if name == AMENDMENT_LOG_PATH {
                amendment_log = Some(kept);
            }
            hashes.insert(name, to_hex(&hasher.finalize()));
        }
    }

    check_zip_structure(path, &mut zip, &mut problems)?;

    let mut listed_head: Option<(String, usize)> = None;
    let mut listed: BTreeMap<String, String> = BTreeMap::new();
    match &manifest {
        None => problems.push(format!("{MANIFEST_PATH} is missing")),
        Some(bytes) => {
            let text = String::from_utf8_lossy(bytes);
            for (line_number, line) in text.lines().enumerate() {
                if let Some(rest) = line.strip_prefix(CHAIN_HEAD_PREFIX) {
                    let mut parts = rest.split_whitespace();
                    let head = parts.next().unwrap_or_default().to_string();
                    let entries = match (parts.next(), parts.next()) {
                        (Some("entries"), Some(count)) => count.parse::<usize>().ok(),
                        _ => None,
                    };
                    match entries {
                        Some(entries) => listed_head = Some((head, entries)),
                        None => problems.push(format!(
                            "{MANIFEST_PATH} line {}: malformed chain head",
                            line_number + 1
                        )),
                    }
                    continue;
                }
                if line.starts_with('#') || line.is_empty() {
                    continue;
                }
                match line.split_once("  ") {
                    Some((hash, file))
                        if hash.len() == 64
                            && hash.bytes().all(|byte| byte.is_ascii_hexdigit()) =>
                    {
                        if listed
                            .insert(file.to_string(), hash.to_ascii_lowercase())
                            .is_some()
                        {
                            problems.push(format!("{MANIFEST_PATH}: {file} is listed twice"));
                        }
                    }
                    _ => problems.push(format!(
                        "{MANIFEST_PATH} line {}: not a sha256sum line: {line:?}",
                        line_number + 1
                    )),
                }
            }
        }
    }
    if manifest.is_some() {
        let all_names: BTreeSet<&String> = hashes
            .keys()
            .chain(listed.keys())
            .filter(|name| !unreadable.contains(*name))
            .collect();
        for name in all_names {
            match (hashes.get(name), listed.get(name)) {
                (Some(actual), Some(expected)) if actual != expected => problems.push(format!(
                    "{name}: SHA-256 is {actual} but the manifest says {expected} (the file was modified)"
                )),
                (Some(_), None) => problems.push(format!("{name}: in the zip but not in the manifest (added)")),
                (None, Some(_)) => problems.push(format!("{name}: in the manifest but not in the zip (removed)")),
                _ => {}
            }
        }
    }

    let mut amendment_entries = 0;
    let mut recomputed_head = CHAIN_GENESIS.to_string();
    match &amendment_log {
        None => problems.push(format!("{AMENDMENT_LOG_PATH} is missing")),
        Some(bytes) => {
            let text = String::from_utf8_lossy(bytes);
            for (line_number, line) in text.lines().enumerate() {
                if line.is_empty() {
                    continue;
                }
                let chained: ChainedAmendment = match serde_json::from_str(line) {
                    Ok(chained) => chained,
                    Err(error) => {
                        problems.push(format!(
                            "{AMENDMENT_LOG_PATH} line {}: not a chained entry: {error}",
                            line_number + 1
                        ));
                        break;
                    }
                };
                amendment_entries += 1;
                if chained.previous_hash != recomputed_head {
                    problems.push(format!(
                        "{AMENDMENT_LOG_PATH} line {}: previous_hash does not match the line before (entry removed, inserted or reordered)",
                        line_number + 1
                    ));
                }
                let expected = chain_hash(&recomputed_head, &chained.entry)?;
                if chained.hash != expected {
                    problems.push(format!(
                        "{AMENDMENT_LOG_PATH} line {}: hash does not match its entry (entry {} was modified)",
                        line_number + 1,
                        chained.entry.sequence
                    ));
                }
                recomputed_head = expected;
            }
        }
    }
    match &listed_head {
        Some((head, entries)) => {
            if *head != recomputed_head {
                problems.push(format!(
                    "amendment chain head is {recomputed_head} but the manifest says {head}"
                ));
            }
            if *entries != amendment_entries {
                problems.push(format!(
                    "the amendment log has {amendment_entries} entries but the manifest says {entries}"
                ));
            }
        }
        None if manifest.is_some() => {
            problems.push(format!("{MANIFEST_PATH} has no amendment chain head"))
        }
        None => {}
    }
    Ok(ArchiveVerification {
        files_checked: hashes.len(),
        amendment_entries,
        amendment_chain_head: recomputed_head,
        problems,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use scoretable_core::model::Entrant;

    fn entry(sequence: u64, reason: &str) -> AmendmentLogEntry {
        AmendmentLogEntry {
            sequence,
            event_id: sequence as i64 * 10,
            workout_id: 1,
            entrant: Entrant::Competitor(sequence as i64),
            amended_at: "2026-05-02T15:00:00Z".to_string(),
            official: "Referee".to_string(),
            old_value: "12:00.0".to_string(),
            new_value: "11:59.0".to_string(),
            reason: reason.to_string(),
            appeal_reference: None,
        }
    }

    proptest! {
        #[test]
        fn any_edit_removal_or_swap_changes_the_head(
            reasons in prop::collection::vec("[a-z ]{1,20}", 2..8),
            target in any::<prop::sample::Index>(),
            replacement in "[A-Z]{1,5}",
        ) {
            let entries: Vec<AmendmentLogEntry> =
                reasons.iter().enumerate().map(|(index, reason)| entry(index as u64 + 1, reason)).collect();
            let (_, head) = chain_amendments(&entries).unwrap();
            let index = target.index(entries.len());

            let mut edited = entries.clone();
            edited[index].reason = replacement.clone();
            prop_assert_ne!(chain_amendments(&edited).unwrap().1, head.clone());

            let mut removed = entries.clone();
            removed.remove(index);
            prop_assert_ne!(chain_amendments(&removed).unwrap().1, head.clone());

            let mut swapped = entries.clone();
            let other = (index + 1) % entries.len();
            swapped.swap(index, other);
            prop_assert_ne!(chain_amendments(&swapped).unwrap().1, head);
        }
    }

    #[test]
    fn canonical_json_sorts_keys_at_every_level() {
        let value = serde_json::json!({"b": 1, "a": {"d": [true, null], "c": "x"}});
        assert_eq!(
            canonical_json(&value).unwrap(),
            br#"{"a":{"c":"x","d":[true,null]},"b":1}"#.to_vec()
        );
    }
}
