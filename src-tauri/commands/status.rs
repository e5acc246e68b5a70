//! The header's status strip: sync targets, polled feeds and the last
//! backup, in plain words, pushed to every window.
//!
//! [`app_status`] answers once (when a window opens); after that the
//! status watcher thread ([`start_status_watcher`]) looks every
//! [`WATCH_ROUND`] at the file's change stamp (one pragma) and recomputes the
//! view when the stamp moved (the sync worker, pollers and score entry all
//! write through the file) or every [`FULL_EVERY`] rounds (poller threads
//! starting or stopping and backup files are outside the database). It emits
//! `status-changed` with the new view only when it differs from the last one
//! sent, so the window needs no timers. The counts and states come from the sync crate
//! and the store; this module only words them.

use std::path::Path;
use std::time::Duration;

use scoretable_store::{CompetitionFile, ConnectionState};
use tauri::{AppHandle, Emitter, Manager, State};

use crate::dto::CommandError;
use crate::dto::ErrorKind;
use crate::dto_status::{
    BackupStatusView, FeedPollState, FeedStatusView, StatusView, TargetStatusView, TargetSyncState,
};
use crate::error::CommandResult;
use crate::state::{AppState, Session};

/// How often the watcher looks for a change.
const WATCH_ROUND: Duration = Duration::from_secs(1);

/// Recompute at least this often (in rounds) even when the file did not change.
const FULL_EVERY: u32 = 5;

/// The event carrying a new [`StatusView`].
pub const STATUS_EVENT: &str = "status-changed";

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

/// The strip's entry for one sync target.
pub fn target_status(status: &scoretable_sync::TargetStatus) -> TargetStatusView {
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

/// The strip's entry for one polled feed.
pub fn feed_status(
    connection: &scoretable_store::InboundConnection,
    polling: bool,
) -> FeedStatusView {
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
pub fn backup_status(file: &CompetitionFile) -> BackupStatusView {
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

/// The whole strip for the session's open file.
pub fn status_view(session: &Session) -> CommandResult<StatusView> {
    let file = session.file()?;
    let targets = scoretable_sync::sync_status(file)
        .map_err(|error| CommandError::new(ErrorKind::Storage, error.to_string()))?;
    let feeds = file.connections()?;
    Ok(StatusView {
        targets: targets.iter().map(target_status).collect(),
        feeds: feeds
            .iter()
            .map(|connection| feed_status(connection, session.is_polling(&connection.name)))
            .collect(),
        backup: backup_status(file),
    })
}

/// The status strip now (the window asks once; later views arrive as events).
#[tauri::command]
pub async fn app_status(state: State<'_, AppState>) -> CommandResult<StatusView> {
    state.run(move |session| status_view(session)).await
}

/// Starts the thread that pushes `status-changed` whenever the strip changes.
pub fn start_status_watcher(app: &AppHandle) {
    let app = app.clone();
    let spawned = std::thread::Builder::new()
        .name("status watcher".into())
        .spawn(move || {
            let mut last: Option<StatusView> = None;
            let mut last_stamp = None;
            let mut round: u32 = 0;
            loop {
                round = round.wrapping_add(1);
                let state = app.state::<AppState>();
                let full = round.is_multiple_of(FULL_EVERY);
                let computed = state.run_now(|session| match session.open_file() {
                    Some(file) => {
                        let stamp = file.change_stamp().ok();
                        if !full && stamp.is_some() && stamp == last_stamp && last.is_some() {
                            return Ok(None);
                        }
                        last_stamp = stamp;
                        status_view(session).map(|view| Some(Some(view)))
                    }
                    None => {
                        last_stamp = None;
                        Ok(Some(None))
                    }
                });
                let current = match computed {
                    // Nothing moved since the last look.
                    Ok(None) => {
                        std::thread::sleep(WATCH_ROUND);
                        continue;
                    }
                    Ok(Some(view)) => view,
                    Err(error) => {
                        eprintln!("scoretable: status: {}", error.message);
                        None
                    }
                };
                if let Some(view) = current.as_ref() {
                    if last.as_ref() != Some(view) {
                        for target in view.targets.iter().filter(|target| target.detail.is_some()) {
                            eprintln!(
                                "scoretable: sync {}: {}",
                                target.name,
                                target.detail.as_deref().unwrap_or_default()
                            );
                        }
                        let _ = app.emit(STATUS_EVENT, view);
                    }
                }
                last = current;
                std::thread::sleep(WATCH_ROUND);
            }
        });
    if let Err(error) = spawned {
        eprintln!("scoretable: could not start the status watcher: {error}");
    }
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
        let view = target_status(&twice);
        assert_eq!(view.state, TargetSyncState::UpToDate);
        assert_eq!(
            view.problem.as_deref(),
            Some("RunSignup holds one entrant twice: delete the extra result in RunSignup.")
        );
        assert!(view.detail.as_deref().unwrap().contains("delete 11"));
        twice.duplicates.push("event 501: 2 results for bib 4, result ids 12, 15; keep one and delete the others in RunSignup".to_string());
        assert_eq!(
            target_status(&twice).problem.as_deref(),
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
            target_status(&offline).problem.as_deref(),
            Some("Can't reach RunSignup (connection refused).")
        );
    }

    #[test]
    fn target_states_follow_the_outbox() {
        assert_eq!(
            target_status(&status(0, 0, None, None)).state,
            TargetSyncState::UpToDate
        );
        assert_eq!(
            target_status(&status(2, 0, None, None)).state,
            TargetSyncState::Waiting
        );
        let offline = target_status(&status(
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
        let refused = target_status(&status(0, 1, Some("HTTP 422: bad"), None));
        assert_eq!(refused.state, TargetSyncState::Refused);
        assert_eq!(
            refused.problem.as_deref(),
            Some("RunSignup refused a result (HTTP 422).")
        );
        // A stale error after a success says nothing.
        let healed = target_status(&status(0, 0, Some("HTTP 503: x"), None));
        assert_eq!(
            (healed.state, healed.problem),
            (TargetSyncState::UpToDate, None)
        );
    }
}

/// The competition-day log: its folder, today's file and today's newest
/// lines (the Sync and Mapping screens link to it).
#[tauri::command]
pub async fn day_log(app: AppHandle) -> CommandResult<crate::dto_status::DayLogView> {
    let folder = app.path().app_log_dir()?;
    tauri::async_runtime::spawn_blocking(move || {
        let lines = crate::logging::newest_lines(&folder, 40)
            .into_iter()
            .map(|(at, level, text)| crate::dto_status::DayLogLine { at, level, text })
            .collect();
        Ok(crate::dto_status::DayLogView {
            today: crate::logging::today_file(&folder).display().to_string(),
            folder: folder.display().to_string(),
            lines,
        })
    })
    .await?
}
