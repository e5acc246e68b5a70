//! Errors of the sync crate.

use scoretable_store::StoreError;

/// A failure the caller must handle (transport failures of a single send are
/// not errors: they become [`crate::client::SendOutcome`]s and backoff).
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error(transparent)]
    Store(#[from] StoreError),

    #[error("target {target}: {message}")]
    Config { target: String, message: String },

    #[error("target {target}: unknown platform {platform:?}; expected {known}")]
    UnknownPlatform {
        target: String,
        platform: String,
        /// The codes this build knows, comma separated.
        known: String,
    },

    #[error("target {target}: no secret is configured; run `scoretable sync secret set {target}`")]
    MissingSecret { target: String },

    #[error("secret storage: {0}")]
    Secret(String),

    /// The results a platform receives could not be read or rendered.
    #[error("results: {0}")]
    Export(String),
}

pub type Result<T, E = SyncError> = std::result::Result<T, E>;
