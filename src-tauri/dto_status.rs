//! The header's status strip: every sync target, every polled feed and the
//! last backup, in plain words. The backend pushes a fresh [`StatusView`]
//! with the `status-changed` event whenever it differs from the last one
//! (see [`crate::commands::status`]); the window never polls for it. The
//! words are the use-case crate's (`scoretable_usecase::status`); these
//! types only carry them to the window.
//!
//! Times are RFC 3339 in UTC; the UI shows them in the competition's time
//! zone. `problem` is a sentence for the scorekeeper, `detail` the technical
//! message behind it (shown behind a "details" toggle and in the log).
//! The test `status_bindings_are_current` writes these types to
//! `ui/src/api/bindingsStatus.ts` and fails when that file is stale.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Everything the status strip shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct StatusView {
    pub targets: Vec<TargetStatusView>,
    pub feeds: Vec<FeedStatusView>,
    pub backup: BackupStatusView,
}

/// Where a sync target stands, as the strip words it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum TargetSyncState {
    /// Everything acknowledged.
    UpToDate,
    /// Results queued or in flight.
    Waiting,
    /// The platform cannot be reached or keeps failing; retried later.
    Offline,
    /// The platform refused results (retrying will not help).
    Refused,
    /// The target is disabled.
    Paused,
}

/// Where a polled feed stands, as the strip words it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum FeedPollState {
    Ok,
    NotPolledYet,
    /// Backing off after failures.
    Offline,
    /// The feed answered but its payload or mapping was bad.
    Error,
    /// This window does not poll it.
    Stopped,
}

/// One outbound sync target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct TargetStatusView {
    pub name: String,
    /// The platform's name as people say it (RunSignup, OpenTrack, ...).
    pub platform: String,
    pub state: TargetSyncState,
    /// Results queued or sent but not yet acknowledged.
    #[ts(type = "number")]
    pub waiting: i64,
    /// Results the platform refused (retrying will not help).
    #[ts(type = "number")]
    pub refused: i64,
    pub problem: Option<String>,
    pub detail: Option<String>,
    pub next_attempt_at: Option<String>,
    pub last_success_at: Option<String>,
}

/// One polled timing-system feed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct FeedStatusView {
    pub name: String,
    pub state: FeedPollState,
    /// Whether this window's poller is running for it.
    pub polling: bool,
    pub last_success_at: Option<String>,
    pub next_attempt_at: Option<String>,
    pub problem: Option<String>,
    pub detail: Option<String>,
}

/// The newest backup of the open competition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct BackupStatusView {
    /// When the newest backup was written; null when there is none yet.
    pub last_at: Option<String>,
    pub file_name: Option<String>,
    /// The folder backups go to.
    pub directory: String,
    /// Whether writes trigger backups automatically.
    pub automatic: bool,
    /// A backup follows this many saved changes (0: never by count).
    pub every_writes: u32,
    /// A backup follows when the last one is this many minutes old (0: never by age).
    pub every_minutes: u32,
    /// How many backups are kept (the first, the newest and a spread between).
    pub keep: u32,
    pub problem: Option<String>,
    pub detail: Option<String>,
}

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

use scoretable_usecase::status as words;

impl From<words::StatusStrip> for StatusView {
    fn from(strip: words::StatusStrip) -> StatusView {
        StatusView {
            targets: strip.targets.into_iter().map(Into::into).collect(),
            feeds: strip.feeds.into_iter().map(Into::into).collect(),
            backup: strip.backup.into(),
        }
    }
}

impl From<words::TargetSyncState> for TargetSyncState {
    fn from(state: words::TargetSyncState) -> TargetSyncState {
        match state {
            words::TargetSyncState::UpToDate => TargetSyncState::UpToDate,
            words::TargetSyncState::Waiting => TargetSyncState::Waiting,
            words::TargetSyncState::Offline => TargetSyncState::Offline,
            words::TargetSyncState::Refused => TargetSyncState::Refused,
            words::TargetSyncState::Paused => TargetSyncState::Paused,
        }
    }
}

impl From<words::FeedPollState> for FeedPollState {
    fn from(state: words::FeedPollState) -> FeedPollState {
        match state {
            words::FeedPollState::Ok => FeedPollState::Ok,
            words::FeedPollState::NotPolledYet => FeedPollState::NotPolledYet,
            words::FeedPollState::Offline => FeedPollState::Offline,
            words::FeedPollState::Error => FeedPollState::Error,
            words::FeedPollState::Stopped => FeedPollState::Stopped,
        }
    }
}

impl From<words::TargetHealth> for TargetStatusView {
    fn from(target: words::TargetHealth) -> TargetStatusView {
        TargetStatusView {
            name: target.name,
            platform: target.platform,
            state: target.state.into(),
            waiting: target.waiting,
            refused: target.refused,
            problem: target.problem,
            detail: target.detail,
            next_attempt_at: target.next_attempt_at,
            last_success_at: target.last_success_at,
        }
    }
}

impl From<words::FeedHealth> for FeedStatusView {
    fn from(feed: words::FeedHealth) -> FeedStatusView {
        FeedStatusView {
            name: feed.name,
            state: feed.state.into(),
            polling: feed.polling,
            last_success_at: feed.last_success_at,
            next_attempt_at: feed.next_attempt_at,
            problem: feed.problem,
            detail: feed.detail,
        }
    }
}

impl From<words::BackupHealth> for BackupStatusView {
    fn from(backup: words::BackupHealth) -> BackupStatusView {
        BackupStatusView {
            last_at: backup.last_at,
            file_name: backup.file_name,
            directory: backup.directory,
            automatic: backup.automatic,
            every_writes: backup.every_writes,
            every_minutes: backup.every_minutes,
            keep: backup.keep,
            problem: backup.problem,
            detail: backup.detail,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
