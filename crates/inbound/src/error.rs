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

    #[error("saved mapping {name:?} is damaged: {message}")]
    DamagedMapping { name: String, message: String },

    #[error("could not fetch {url}: {message}")]
    Fetch { url: String, message: String },

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
