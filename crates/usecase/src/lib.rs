//! The use-case layer between the libraries (`core`, `store`, `inbound`) and
//! the two shells (the CLI and the Tauri app). Each workflow both shells run
//! is written once here; the shells only parse their input, call these
//! functions and render the result or map the [`UseCaseError`]'s
//! [`ErrorClass`] to their own error kind.
//!
//! Invariant: no Tauri, no SQL, no network. Orchestration only.

pub mod boards;
pub mod competition;
pub mod error;
pub mod explain;
pub mod feeds;
pub mod generate;
pub mod imports;
pub mod inbound;
pub mod mappings;
pub mod review;
pub mod scores;
pub mod session;
pub mod status;
pub mod sync_targets;

pub use error::{classify, ErrorClass, Problem, UseCaseError, UseCaseResult};
pub use session::{Session, SessionObserver, SessionSettings};
