//! The inbound crate's error.

use scoretable_store::StoreError;

use crate::mapping::MappingError;
use crate::record::ReadError;

/// Everything that can stop an import, a poll or a rehearsal.
#[derive(Debug, thiserror::Error)]
pub enum InboundError {
    #[error(transparent)]
    Store(#[from] StoreError),

    #[error(transparent)]
    Read(#[from] ReadError),

    #[error(transparent)]
    Mapping(#[from] MappingError),

    /// Some records could not be mapped; a file import then imports nothing.
    #[error("{source_name}: {count} record(s) cannot be imported; nothing was imported")]
    Records {
        source_name: String,
        count: usize,
        /// Each problem, naming the record and field (at most 50).
        problems: Vec<crate::mapping::RecordProblem>,
        /// Problems beyond the 50 listed.
        more: usize,
    },

    /// A file lacks fields the mapping needs; nothing was imported.
    #[error("{source_name}: the mapping reads {} that the file does not have (it has {}); nothing was imported", quote_list(missing), quote_list(found))]
    MissingFields {
        source_name: String,
        missing: Vec<String>,
        /// The fields the file has (as found; quoted by a prefix in messages).
        found: Vec<String>,
    },

    /// A file with a header (or an empty list) but no records.
    #[error("{source_name}: has no {record_word}s to import (only a header or an empty list); nothing was imported")]
    NoRecords {
        source_name: String,
        record_word: String,
    },

    /// Two records of one file carry the same record key; nothing was imported.
    #[error("{source_name}: {record_word}s {first} and {second} both carry record {}; a file is imported whole, so nothing was imported", crate::record::quote_prefix(key))]
    DuplicateRecord {
        source_name: String,
        record_word: String,
        key: String,
        first: u64,
        second: u64,
    },

    #[error("saved mapping {name:?} is damaged: {message}")]
    DamagedMapping { name: String, message: String },

    #[error("could not fetch {url}: {message}")]
    Fetch { url: String, message: String },

    /// A poll stopped while its request was in flight; nothing was recorded.
    #[error("stopped before the source answered")]
    Stopped,

    #[error("I/O error on {path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
}

pub(crate) fn io_error(path: &std::path::Path, source: std::io::Error) -> InboundError {
    InboundError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// At most 20 names, each quoted by a prefix.
fn quote_list(names: &[String]) -> String {
    if names.is_empty() {
        return "no fields".into();
    }
    let mut listed: Vec<String> = names
        .iter()
        .take(20)
        .map(|name| crate::record::quote_prefix(name))
        .collect();
    if names.len() > 20 {
        listed.push(format!("and {} more", names.len() - 20));
    }
    listed.join(", ")
}
