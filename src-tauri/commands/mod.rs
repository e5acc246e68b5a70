//! The command layer: one module per domain, each a thin translation between
//! the UI's view types ([`crate::dto`]) and the store and core. No scoring
//! or ranking happens here.

pub mod amendments;
pub mod competition;
pub mod competitors;
pub mod leaderboard;
pub mod officials;
pub mod scores;
pub mod setup;
pub mod teams;
pub mod view;

// The integration screens: field mapping and polling, sync status, export.
pub mod export;
pub mod inbound;
pub mod status;
pub mod sync;
pub mod venue;

use tauri::{AppHandle, Emitter};

/// Tells every window that stored scores changed, so live leaderboards
/// re-fetch. A window that is gone is not an error.
pub fn notify_scores_changed(app: &AppHandle) {
    let _ = app.emit("scores-changed", ());
}
