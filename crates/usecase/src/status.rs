//! The header's status strip in words: for each sync target, each polled
//! feed and the competition file's backups, where it stands and, when
//! something needs a person, one plain sentence (`problem`) with the
//! technical message behind it (`detail`).
//!
//! The counts and states come from the sync crate and the store; this
//! module only words them, once, for every shell: the app's status strip
//! (which pushes a [`StatusView`] to its windows, these types serialized as
//! they are; with the `bindings` feature they also derive the TypeScript
//! declarations the app writes to `ui/src/api/bindingsStatus.ts`) and the
//! CLI's `sync status` print the same sentences.
//!
//! Times are RFC 3339 in UTC; the UI shows them in the competition's time
//! zone.

use std::path::Path;

use scoretable_store::{CompetitionFile, ConnectionState, InboundConnection};
use serde::{Deserialize, Serialize};

use crate::error::UseCaseResult;

/// Everything the status strip shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "bindings", derive(ts_rs::TS))]
pub struct StatusView {
    pub targets: Vec<TargetStatusView>,
    pub feeds: Vec<FeedStatusView>,
    pub backup: BackupStatusView,
}

/// Where a sync target stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "bindings", derive(ts_rs::TS))]
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

/// Where a polled feed stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "bindings", derive(ts_rs::TS))]
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

/// One outbound sync target, in words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "bindings", derive(ts_rs::TS))]
pub struct TargetStatusView {
    pub name: String,
    /// The platform's name as people say it (RunSignup, OpenTrack, ...).
    pub platform: String,
    pub state: TargetSyncState,
    /// Results queued or sent but not yet acknowledged.
    #[cfg_attr(feature = "bindings", ts(type = "number"))]
    pub waiting: i64,
    /// Results the platform refused (retrying will not help).
    #[cfg_attr(feature = "bindings", ts(type = "number"))]
    pub refused: i64,
    /// One sentence for the scorekeeper, when something needs a person.
    pub problem: Option<String>,
    /// The technical message behind `problem`.
    pub detail: Option<String>,
    pub next_attempt_at: Option<String>,
    pub last_success_at: Option<String>,
}

/// One polled timing-system feed, in words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "bindings", derive(ts_rs::TS))]
pub struct FeedStatusView {
    pub name: String,
    pub state: FeedPollState,
    /// Whether this process's poller is running for it.
    pub polling: bool,
    pub last_success_at: Option<String>,
    pub next_attempt_at: Option<String>,
    pub problem: Option<String>,
    pub detail: Option<String>,
}

/// The newest backup of the open competition, in words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "bindings", derive(ts_rs::TS))]
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

/// The HTTP status a message starting `HTTP nnn` carries.
fn http_status(message: &str) -> Option<u16> {
    let start = message.find("HTTP ")? + 5;
    message.get(start..start + 3)?.parse().ok()
}

/// Why a connection failed, in a few words, from the transport's message.
fn connection_cause(lower: &str) -> &'static str {
    if lower.contains("dns") || lower.contains("lookup") || lower.contains("resolve") {
        "its address could not be found"
    } else if lower.contains("timed out") || lower.contains("timeout") {
        "it did not answer in time"
    } else if lower.contains("certificate") || lower.contains("tls") || lower.contains("ssl") {
        "its security certificate was not accepted"
    } else if lower.contains("unreachable") {
        "no network route to it"
    } else {
        "connection refused"
    }
}

/// One sentence saying what went wrong with `subject` (a platform or a
/// feed), from the technical `message` the sync or inbound crate stored.
pub fn plain_problem(subject: &str, message: &str) -> String {
    let lower = message.to_lowercase();
    if lower.contains("no secret is configured") {
        return format!("No password or API key is stored for {subject}.");
    }
    if lower.contains("could not connect")
        || lower.contains("connection refused")
        || lower.contains("error sending request")
        || lower.contains("dns error")
    {
        return format!("Can't reach {subject} ({}).", connection_cause(&lower));
    }
    if lower.starts_with("no response") {
        return format!(
            "{subject} did not answer; what was sent is checked before anything is sent again."
        );
    }
    if let Some(status) = http_status(message) {
        return match status {
            429 => format!("{subject} asked for fewer requests (too many requests)."),
            408 => format!("{subject} took too long to answer (HTTP 408)."),
            401 | 403 => {
                format!("{subject} did not accept the password or API key (HTTP {status}).")
            }
            404 => format!("{subject} does not know the race or event we send to (HTTP 404)."),
            500..=599 => format!("{subject} has a problem on its side (HTTP {status})."),
            _ => format!("{subject} refused a result (HTTP {status})."),
        };
    }
    if lower.contains("timed out") {
        return format!("{subject} did not answer in time.");
    }
    format!("{subject} reported a problem.")
}

/// Where one sync target stands, in words: a result held twice on the
/// platform is said when nothing more pressing is.
pub fn target_view(status: &scoretable_sync::TargetStatus) -> TargetStatusView {
    let platform = status.platform_name.as_str();
    let waiting = (status.queued + status.in_flight) as i64;
    let refused = status.rejected as i64;
    let failing = status.last_error.is_some() && status.next_attempt_at.is_some();
    let state = if !status.enabled {
        TargetSyncState::Paused
    } else if failing {
        TargetSyncState::Offline
    } else if refused > 0 {
        TargetSyncState::Refused
    } else if waiting > 0 {
        TargetSyncState::Waiting
    } else {
        TargetSyncState::UpToDate
    };
    let problem = status
        .last_error
        .as_deref()
        .filter(|_| failing || refused > 0)
        .map(|message| plain_problem(platform, message));
    // A result held twice on the platform needs an official there: said
    // when nothing more pressing is.
    let (problem, detail) = match (problem, status.duplicates.first()) {
        (None, Some(first)) => (
            Some(match status.duplicates.len() {
                1 => format!("{platform} holds one entrant twice: delete the extra result in {platform}."),
                count => format!("{platform} holds {count} entrants more than once: delete the extra results in {platform}."),
            }),
            Some(first.clone()),
        ),
        (problem, _) => {
            let detail = problem.as_ref().and(status.last_error.clone());
            (problem, detail)
        }
    };
    TargetStatusView {
        name: status.name.clone(),
        platform: platform.to_string(),
        state,
        waiting,
        refused,
        detail,
        problem,
        next_attempt_at: status.next_attempt_at.clone().filter(|_| failing),
        last_success_at: status.last_success_at.clone(),
    }
}

/// Where one polled feed stands, in words; `polling`: whether this
/// process polls it.
pub fn feed_view(connection: &InboundConnection, polling: bool) -> FeedStatusView {
    let status = &connection.status;
    let state = if !polling {
        FeedPollState::Stopped
    } else {
        match status.state {
            ConnectionState::Idle => FeedPollState::NotPolledYet,
            ConnectionState::Ok => FeedPollState::Ok,
            ConnectionState::BackingOff => FeedPollState::Offline,
            ConnectionState::Error => FeedPollState::Error,
        }
    };
    let failing = matches!(
        status.state,
        ConnectionState::BackingOff | ConnectionState::Error
    );
    let subject = format!("the {} feed", connection.name);
    let problem = status
        .message
        .as_deref()
        .filter(|_| failing)
        .map(|message| capitalise(&plain_problem(&subject, message)));
    FeedStatusView {
        name: connection.name.clone(),
        state,
        polling,
        last_success_at: status.last_success_at.clone(),
        next_attempt_at: status.next_attempt_at.clone().filter(|_| failing),
        detail: problem.as_ref().and(status.message.clone()),
        problem,
    }
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// When a file was last written, RFC 3339 UTC.
fn modified_at(path: &Path) -> Option<String> {
    let modified = std::fs::metadata(path).ok()?.modified().ok()?;
    Some(
        chrono::DateTime::<chrono::Utc>::from(modified)
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
    )
}

/// The newest backup in the policy's folder and the last automatic backup's error.
pub fn backup_view(file: &CompetitionFile) -> BackupStatusView {
    let policy = file.backup_policy();
    let (newest, listing_error) = match file.list_backups(&policy.directory) {
        Ok(backups) => (backups.last().cloned(), None),
        Err(error) => (None, Some(error.to_string())),
    };
    let error = file
        .last_backup_error()
        .map(str::to_string)
        .or(listing_error.filter(|_| policy.directory.exists()));
    BackupStatusView {
        last_at: newest.as_deref().and_then(modified_at),
        file_name: newest
            .as_deref()
            .and_then(Path::file_name)
            .map(|name| name.to_string_lossy().into_owned()),
        directory: policy.directory.display().to_string(),
        automatic: policy.automatic,
        every_writes: policy.every_writes,
        every_minutes: policy.every_minutes,
        keep: u32::try_from(policy.keep).unwrap_or(u32::MAX),
        problem: error.as_ref().map(|_| {
            "The last automatic backup failed; scores are safe in the competition file.".to_string()
        }),
        detail: error,
    }
}

/// The whole strip for `file`; `is_polling` says which feeds this
/// process polls.
pub fn status_view(
    file: &CompetitionFile,
    is_polling: &dyn Fn(&str) -> bool,
) -> UseCaseResult<StatusView> {
    let targets = scoretable_sync::sync_status(file)?;
    let feeds = file.connections()?;
    Ok(StatusView {
        targets: targets.iter().map(target_view).collect(),
        feeds: feeds
            .iter()
            .map(|connection| feed_view(connection, is_polling(&connection.name)))
            .collect(),
        backup: backup_view(file),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connection_failures_read_as_cannot_reach() {
        assert_eq!(
            plain_problem(
                "RunSignup",
                "could not connect: error sending request: client error (Connect)"
            ),
            "Can't reach RunSignup (connection refused)."
        );
        assert_eq!(
            plain_problem(
                "OpenTrack",
                "could not connect: error sending request: dns error: failed to lookup address"
            ),
            "Can't reach OpenTrack (its address could not be found)."
        );
    }

    #[test]
    fn http_failures_name_the_cause() {
        assert_eq!(
            plain_problem("RunSignup", "HTTP 503: <html>busy</html>"),
            "RunSignup has a problem on its side (HTTP 503)."
        );
        assert_eq!(
            plain_problem("RunSignup", "HTTP 429: slow down"),
            "RunSignup asked for fewer requests (too many requests)."
        );
        assert_eq!(
            plain_problem("OpenTrack", "HTTP 422: {\"error\":\"bad time\"}"),
            "OpenTrack refused a result (HTTP 422)."
        );
        assert_eq!(
            plain_problem("OpenTrack", "HTTP 401: no"),
            "OpenTrack did not accept the password or API key (HTTP 401)."
        );
    }

    #[test]
    fn unknown_messages_still_get_a_sentence() {
        assert_eq!(
            plain_problem("RunSignup", "weird"),
            "RunSignup reported a problem."
        );
        assert_eq!(
            plain_problem(
                "RunSignup",
                "target rs: no secret is configured; run `scoretable sync secret set rs`"
            ),
            "No password or API key is stored for RunSignup."
        );
    }

    fn status(
        queued: u64,
        rejected: u64,
        error: Option<&str>,
        next: Option<&str>,
    ) -> scoretable_sync::TargetStatus {
        scoretable_sync::TargetStatus {
            name: "rs".into(),
            platform: "runsignup".into(),
            platform_name: "RunSignup".into(),
            endpoint: "http://127.0.0.1:9".into(),
            enabled: true,
            queued,
            in_flight: 0,
            acked: 0,
            rejected,
            last_success_at: None,
            last_error: error.map(str::to_string),
            last_error_at: None,
            next_attempt_at: next.map(str::to_string),
            consecutive_failures: u32::from(error.is_some()),
            recent_rejections: Vec::new(),
            duplicates: Vec::new(),
        }
    }

    #[test]
    fn results_held_twice_are_said_unless_something_more_pressing_is() {
        let mut twice = status(0, 0, None, None);
        twice.duplicates = vec![
            "event 501: 2 results for registration 3203 (bib 3), result ids 11, 14; Scoretable edits 14: delete 11 in RunSignup".to_string(),
        ];
        let view = target_view(&twice);
        assert_eq!(view.state, TargetSyncState::UpToDate);
        assert_eq!(
            view.problem.as_deref(),
            Some("RunSignup holds one entrant twice: delete the extra result in RunSignup.")
        );
        assert!(view.detail.as_deref().unwrap().contains("delete 11"));
        twice.duplicates.push("event 501: 2 results for bib 4, result ids 12, 15; keep one and delete the others in RunSignup".to_string());
        assert_eq!(
            target_view(&twice).problem.as_deref(),
            Some(
                "RunSignup holds 2 entrants more than once: delete the extra results in RunSignup."
            )
        );
        // Offline comes first.
        let mut offline = status(
            2,
            0,
            Some("could not connect: error sending request: client error (Connect)"),
            Some("2026-12-06T03:49:32.500Z"),
        );
        offline.duplicates = twice.duplicates.clone();
        assert_eq!(
            target_view(&offline).problem.as_deref(),
            Some("Can't reach RunSignup (connection refused).")
        );
    }

    #[test]
    fn target_states_follow_the_outbox() {
        assert_eq!(
            target_view(&status(0, 0, None, None)).state,
            TargetSyncState::UpToDate
        );
        assert_eq!(
            target_view(&status(2, 0, None, None)).state,
            TargetSyncState::Waiting
        );
        let offline = target_view(&status(
            2,
            0,
            Some("could not connect: error sending request: client error (Connect)"),
            Some("2026-12-06T03:49:32.500Z"),
        ));
        assert_eq!(offline.state, TargetSyncState::Offline);
        assert_eq!(offline.waiting, 2);
        assert_eq!(
            offline.problem.as_deref(),
            Some("Can't reach RunSignup (connection refused).")
        );
        assert!(offline
            .detail
            .as_deref()
            .unwrap()
            .contains("client error (Connect)"));
        assert_eq!(
            offline.next_attempt_at.as_deref(),
            Some("2026-12-06T03:49:32.500Z")
        );
        let refused = target_view(&status(0, 1, Some("HTTP 422: bad"), None));
        assert_eq!(refused.state, TargetSyncState::Refused);
        assert_eq!(
            refused.problem.as_deref(),
            Some("RunSignup refused a result (HTTP 422).")
        );
        // A stale error after a success says nothing.
        let healed = target_view(&status(0, 0, Some("HTTP 503: x"), None));
        assert_eq!(
            (healed.state, healed.problem),
            (TargetSyncState::UpToDate, None)
        );
    }

    fn feed(state: ConnectionState, message: Option<&str>) -> InboundConnection {
        InboundConnection {
            id: 1,
            name: "gate".into(),
            url: "http://127.0.0.1:9/results".into(),
            workout_id: 1,
            mapping_name: "gate".into(),
            format: "json".into(),
            interval_ms: 2_000,
            auth_env: None,
            enabled: true,
            status: scoretable_store::ConnectionStatus {
                state,
                message: message.map(str::to_string),
                consecutive_failures: u32::from(message.is_some()),
                last_attempt_at: None,
                last_success_at: None,
                next_attempt_at: Some("2026-12-06T03:49:32.500Z".into()),
                last_report: None,
            },
        }
    }

    #[test]
    fn feeds_say_their_state_and_a_failing_one_its_problem() {
        let offline = feed_view(
            &feed(
                ConnectionState::BackingOff,
                Some("could not connect: error sending request: operation timed out"),
            ),
            true,
        );
        assert_eq!(offline.state, FeedPollState::Offline);
        assert_eq!(
            offline.problem.as_deref(),
            Some("Can't reach the gate feed (it did not answer in time).")
        );
        assert!(offline.detail.as_deref().unwrap().contains("timed out"));
        assert_eq!(
            offline.next_attempt_at.as_deref(),
            Some("2026-12-06T03:49:32.500Z")
        );
        // Not polled by this process: stopped, whatever the file says.
        assert_eq!(
            feed_view(&feed(ConnectionState::Ok, None), false).state,
            FeedPollState::Stopped
        );
        let healthy = feed_view(&feed(ConnectionState::Ok, Some("old")), true);
        assert_eq!(
            (healthy.state, healthy.problem, healthy.next_attempt_at),
            (FeedPollState::Ok, None, None)
        );
        assert_eq!(
            feed_view(&feed(ConnectionState::Idle, None), true).state,
            FeedPollState::NotPolledYet
        );
    }
}
