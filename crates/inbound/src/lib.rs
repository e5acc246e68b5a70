//! Scoretable's inbound side: scores arriving from timing systems and files.
//!
//! - [`decode`]: bytes to text (BOMs, UTF-16, Windows-1252 fallback), the
//!   decoder shared with the competitor import (`scoretable_core::text`).
//! - [`record`] and [`readers`]: CSV, JSON, XML, Excel and World Triathlon
//!   live-timing messages, all read as flat [`record::SourceRecord`]s.
//! - [`mapping`]: field mappings (participant id / bib / chip, result,
//!   status, splits, teammate id, tie-break, penalty) with value
//!   transforms, and the preview of the first rows with per-row errors.
//! - [`import`]: saved mappings and mapped file imports.
//! - [`poll`]: polling connections with capped, jittered exponential backoff
//!   that never polls sooner than the configured interval, `Retry-After`
//!   honoured, and stored connection health.
//! - [`rehearsal`]: replaying a recorded feed into a scratch copy.
//!
//! What a record does once mapped (import, skip, conflict, review) is the
//! store's import ledger: see `scoretable_store::ledger`. The rule that
//! matters most: once a source record is imported, later polls skip it, and
//! a changed source value goes to an official's conflict inbox; an amended
//! or imported score is never overwritten.
//!
//! Network code for inbound sources lives only in [`poll::HttpFetcher`].

pub mod decode;
pub mod error;
pub mod import;
pub mod mapping;
pub mod poll;
pub mod readers;
pub mod record;
pub mod rehearsal;

pub use error::InboundError;
pub use import::{import_bytes, import_file, load_mapping, save_mapping, FileImportReport};
pub use mapping::{
    map_document, map_record, preview, FieldMapping, IdentifierField, MappedDocument, MappedRow,
    Preview, RecordProblem, RowState, SplitField, StatusField, ValueField, ValueTransform,
};
#[cfg(feature = "http")]
pub use poll::HttpFetcher;
pub use poll::{
    fetch_connection_document, parse_retry_after, poll_once, preview_connection,
    wait_before_next_request, watch, Backoff, FetchError, Fetcher, PollOutcome, PollSummary,
    WatchOptions,
};
pub use readers::{detect_format, read_document};
pub use record::{ReadError, RecordFormat, SourceDocument, SourceRecord};
pub use rehearsal::{rehearse, split_recording, RehearsalReport, RehearsalStep};
