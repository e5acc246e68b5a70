//! The header's status strip: every sync target, every polled feed and the
//! last backup, in plain words. The backend pushes a fresh [`StatusView`]
//! with the `status-changed` event whenever it differs from the last one
//! (see [`crate::commands::status`]); the window never polls for it. The
//! strip's types and words are the use-case crate's
//! (`scoretable_usecase::status`, whose `bindings` feature derives their
//! TypeScript declarations); the day log's are here.
//!
//! Times are RFC 3339 in UTC; the UI shows them in the competition's time
//! zone. `problem` is a sentence for the scorekeeper, `detail` the technical
//! message behind it (shown behind a "details" toggle and in the log).
//! The test `status_bindings_are_current` writes these types to
//! `ui/src/api/bindingsStatus.ts` and fails when that file is stale.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

pub use scoretable_usecase::status::StatusView;

/// Where the competition-day log is, and its newest lines, for the Sync
/// and Mapping screens' link to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct DayLogView {
    /// The log folder (one file a day, 30 days kept).
    pub folder: String,
    /// Today's file.
    pub today: String,
    /// Today's newest lines, newest last: time, level, what happened.
    pub lines: Vec<DayLogLine>,
}

/// One line of the competition-day log, as a person reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct DayLogLine {
    /// When, as the log's timestamp (RFC 3339, UTC).
    pub at: String,
    pub level: String,
    /// The message and its fields (`sync attempt failed · target=RunSignup ...`).
    pub text: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use scoretable_usecase::status::{
        BackupStatusView, FeedPollState, FeedStatusView, TargetStatusView, TargetSyncState,
    };

    use crate::bindings::support::{bindings_text, check_bindings_file, declaration};

    const BINDINGS_PATH: &str = "ui/src/api/bindingsStatus.ts";

    fn generate() -> String {
        let declarations = [
            declaration::<StatusView>(),
            declaration::<TargetSyncState>(),
            declaration::<TargetStatusView>(),
            declaration::<FeedPollState>(),
            declaration::<FeedStatusView>(),
            declaration::<BackupStatusView>(),
            declaration::<DayLogView>(),
            declaration::<DayLogLine>(),
        ];
        bindings_text("dto_status.rs", "status_bindings", "", &declarations)
    }

    #[test]
    fn status_bindings_are_current() {
        check_bindings_file(BINDINGS_PATH, "status_bindings", &generate());
    }
}
