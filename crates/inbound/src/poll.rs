//! Polling timing-system connections, with backoff through network loss.
//!
//! One poll: fetch the connection's URL, read the payload in the
//! connection's format, map it with the saved mapping, and apply the ready
//! records through the ledger ([`CompetitionFile::apply_inbound`]). Records
//! that cannot be mapped are reported (record and field), not imported, and
//! do not hold the others back: on competition day one bad line from the
//! timing system must not stop every other athlete's score. A record that
//! appears twice in one payload (the same record key) is withheld, both
//! copies, with a problem naming both: neither is imported and neither opens
//! a conflict against the other.
//!
//! # Health and backoff
//!
//! - A successful poll stores state `ok`, the time as the last success and a
//!   summary of what happened; the next poll follows the interval.
//! - A network failure (refused, reset, timed out, HTTP 5xx or 429) stores
//!   `backing_off` with the message; a payload or mapping failure (HTTP 4xx,
//!   malformed JSON, ...) stores `error`. Either way polling keeps going:
//!   the wait after the n-th consecutive failure is the interval times
//!   2^(n-1), capped (60 s by default), with jitter (a uniformly random
//!   point in the upper half of that wait, never below the interval) so
//!   that many tables coming back online do not hammer the source in step.
//! - The configured interval is the source's promise: no request, retries
//!   included, comes sooner than the interval after the previous one.
//!   [`poll_once`] itself waits until `last attempt + interval` (and until
//!   the stored next attempt after a failure) before it fetches, so separate
//!   polls (a CLI `poll` right after the app's) keep the spacing too;
//!   [`watch`] waits that out first, checking its stop flag, so stopping is
//!   honoured even during a long `Retry-After`.
//! - A `429 Too Many Requests` or `503 Service Unavailable` with a
//!   `Retry-After` header (seconds, or an HTTP date) is honoured: the next
//!   poll waits at least that long.
//! - Credentials come from the environment variable the connection names and
//!   are sent as the `Authorization` header; they never reach the file.
//!   [`fetch_connection_document`] is the one way to fetch a connection's
//!   payload outside a poll (the CLI's `connection test` and the desktop
//!   app's preview), so both send the credentials.

use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use scoretable_core::generate::SplitMix64;
use scoretable_core::model::Source;
use scoretable_store::{
    CompetitionFile, ConnectionState, InboundConnection, InboundReport, InboundSource,
};
use serde::{Deserialize, Serialize};

use crate::error::InboundError;
use crate::import::{load_mapping, missing_feed_fields, MAX_LISTED_PROBLEMS};
use crate::mapping::map_document;
use crate::readers::read_document;
use crate::record::RecordFormat;

/// Why a fetch failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FetchError {
    /// Connection refused, reset or dropped, DNS failure: try again later.
    #[error("network unreachable: {0}")]
    Network(String),
    #[error("timed out after {0:?}")]
    Timeout(Duration),
    #[error("HTTP {code}: {message}{}", retry_note(*retry_after))]
    Status {
        code: u16,
        message: String,
        /// The source's `Retry-After` (429 and 503 only).
        retry_after: Option<Duration>,
    },
    /// The poller was stopped while the request was in flight: its answer,
    /// whenever it comes, is dropped unread (see [`HttpFetcher::stopped_by`]).
    #[error("stopped before the source answered")]
    Stopped,
}

fn retry_note(retry_after: Option<Duration>) -> String {
    match retry_after {
        Some(wait) => format!(" (the source asks to wait {} ms)", wait.as_millis()),
        None => String::new(),
    }
}

/// The longest `Retry-After` honoured (a source asking for more is polled
/// again after a day).
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(24 * 3600);

/// Reads a `Retry-After` value: whole seconds, or an HTTP date (IMF-fixdate,
/// e.g. `Sun, 06 Nov 1994 08:49:37 GMT`) counted from `now`. A date in the
/// past means no wait; anything unreadable is ignored.
pub fn parse_retry_after(value: &str, now: chrono::DateTime<chrono::Utc>) -> Option<Duration> {
    let value = value.trim();
    if !value.is_empty() && value.bytes().all(|byte| byte.is_ascii_digit()) {
        let seconds: u64 = value.parse().unwrap_or(u64::MAX);
        return Some(Duration::from_secs(seconds).min(MAX_RETRY_AFTER));
    }
    let date = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    let wait = date.with_timezone(&chrono::Utc) - now;
    Some(wait.to_std().unwrap_or(Duration::ZERO).min(MAX_RETRY_AFTER))
}

impl FetchError {
    /// How long the source asked to wait, if it did.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            FetchError::Status { retry_after, .. } => *retry_after,
            _ => None,
        }
    }

    /// Network trouble (back off and retry) rather than a bad answer.
    pub fn is_transient(&self) -> bool {
        match self {
            FetchError::Network(_) | FetchError::Timeout(_) => true,
            FetchError::Status { code, .. } => *code >= 500 || *code == 429 || *code == 408,
            FetchError::Stopped => false,
        }
    }
}

/// Fetches a payload. The HTTP implementation is [`HttpFetcher`]; tests and
/// rehearsals can supply their own.
pub trait Fetcher {
    fn fetch(&mut self, url: &str, authorization: Option<&str>) -> Result<Vec<u8>, FetchError>;
}

/// Blocking HTTP(S) fetches with a whole-request timeout.
#[cfg(feature = "http")]
pub struct HttpFetcher {
    client: reqwest::blocking::Client,
    timeout: Duration,
    stop: Option<Arc<AtomicBool>>,
}

#[cfg(feature = "http")]
impl HttpFetcher {
    pub fn new(timeout: Duration) -> Result<HttpFetcher, FetchError> {
        let client = reqwest::blocking::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(10)))
            .user_agent(concat!("Scoretable/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|error| FetchError::Network(error.to_string()))?;
        Ok(HttpFetcher {
            client,
            timeout,
            stop: None,
        })
    }

    /// Makes every fetch give up as soon as `stop` is set
    /// ([`FetchError::Stopped`], within [`STOP_CHECK`]) instead of waiting
    /// for a slow source up to the timeout: the request runs on a thread of
    /// its own, which is left to finish (it ends by the timeout at the
    /// latest) and whose answer is dropped unread. Nothing of a stopped
    /// fetch reaches the file; an answer already received is applied whole
    /// before the poller looks at `stop` again.
    pub fn stopped_by(mut self, stop: Arc<AtomicBool>) -> HttpFetcher {
        self.stop = Some(stop);
        self
    }
}

/// How often a stoppable fetch checks its stop flag.
pub const STOP_CHECK: Duration = Duration::from_millis(20);

#[cfg(feature = "http")]
fn describe_reqwest_error(error: &reqwest::Error) -> String {
    use std::error::Error;
    let mut message = error.to_string();
    let mut source = error.source();
    while let Some(inner) = source {
        message.push_str(": ");
        message.push_str(&inner.to_string());
        source = inner.source();
    }
    message
}

#[cfg(feature = "http")]
impl Fetcher for HttpFetcher {
    fn fetch(&mut self, url: &str, authorization: Option<&str>) -> Result<Vec<u8>, FetchError> {
        let Some(stop) = &self.stop else {
            return http_fetch(&self.client, self.timeout, url, authorization);
        };
        if stop.load(Ordering::SeqCst) {
            return Err(FetchError::Stopped);
        }
        let (client, timeout) = (self.client.clone(), self.timeout);
        let (url, authorization) = (url.to_string(), authorization.map(str::to_string));
        let (answer, answered) = std::sync::mpsc::channel();
        std::thread::Builder::new()
            .name("feed request".into())
            .spawn(move || {
                // The receiver is gone when the fetch was stopped.
                let _ = answer.send(http_fetch(&client, timeout, &url, authorization.as_deref()));
            })
            .map_err(|error| FetchError::Network(error.to_string()))?;
        loop {
            match answered.recv_timeout(STOP_CHECK) {
                Ok(result) => return result,
                Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
                    if stop.load(Ordering::SeqCst) {
                        return Err(FetchError::Stopped);
                    }
                }
                Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
                    return Err(FetchError::Network("the request thread ended".into()))
                }
            }
        }
    }
}

/// One blocking GET with the client's whole-request timeout.
#[cfg(feature = "http")]
fn http_fetch(
    client: &reqwest::blocking::Client,
    timeout: Duration,
    url: &str,
    authorization: Option<&str>,
) -> Result<Vec<u8>, FetchError> {
    let mut request = client.get(url);
    if let Some(value) = authorization {
        request = request.header(reqwest::header::AUTHORIZATION, value);
    }
    let classify = |error: reqwest::Error| {
        if error.is_timeout() {
            FetchError::Timeout(timeout)
        } else {
            FetchError::Network(describe_reqwest_error(&error))
        }
    };
    let response = request.send().map_err(classify)?;
    let status = response.status();
    if !status.is_success() {
        let code = status.as_u16();
        let retry_after = if matches!(code, 429 | 503) {
            response
                .headers()
                .get(reqwest::header::RETRY_AFTER)
                .and_then(|value| value.to_str().ok())
                .and_then(|value| parse_retry_after(value, chrono::Utc::now()))
        } else {
            None
        };
        return Err(FetchError::Status {
            code,
            message: status.canonical_reason().unwrap_or("error").to_string(),
            retry_after,
        });
    }
    let body = response.bytes().map_err(classify)?;
    Ok(body.to_vec())
}

/// Exponential backoff with a cap and equal jitter (see the module docs).
#[derive(Debug, Clone)]
pub struct Backoff {
    pub base: Duration,
    pub cap: Duration,
    failures: u32,
    random: SplitMix64,
}

impl Backoff {
    pub fn new(base: Duration, cap: Duration, seed: u64) -> Backoff {
        Backoff {
            base: base.max(Duration::from_millis(1)),
            cap: cap.max(base),
            failures: 0,
            random: SplitMix64::new(seed),
        }
    }

    /// Seeded from the clock, for real polling.
    pub fn from_clock(base: Duration, cap: Duration) -> Backoff {
        let seed = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|elapsed| elapsed.as_nanos() as u64)
            .unwrap_or(0x5eed);
        Backoff::new(base, cap, seed)
    }

    pub fn failures(&self) -> u32 {
        self.failures
    }

    /// The ceiling of the wait after the current number of failures.
    pub fn ceiling(&self) -> Duration {
        let exponent = self.failures.saturating_sub(1).min(20);
        self.base.saturating_mul(1_u32 << exponent).min(self.cap)
    }

    /// Counts a failure and returns how long to wait before the next try:
    /// a random point in the upper half of the ceiling, never below the base
    /// (the polling interval).
    pub fn failure(&mut self) -> Duration {
        self.failures = self.failures.saturating_add(1);
        let ceiling = self.ceiling().as_millis() as u64;
        let floor = (ceiling / 2).max(self.base.as_millis() as u64).min(ceiling);
        let jitter = if ceiling == floor {
            0
        } else {
            self.random.below(ceiling - floor + 1)
        };
        Duration::from_millis(floor + jitter)
    }

    /// Resets after a success.
    pub fn success(&mut self) {
        self.failures = 0;
    }
}

/// What one poll found, stored as the connection's last report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PollSummary {
    pub records: usize,
    pub waiting: usize,
    pub invalid: usize,
    /// The first problems, naming record and field.
    pub problems: Vec<String>,
    pub imported: usize,
    pub unchanged: usize,
    pub matched: usize,
    pub new_conflicts: usize,
    pub pending_conflicts: usize,
    pub dismissed: usize,
    pub unknown: usize,
    pub ignored: usize,
    /// Teams summed from members that are still missing members.
    pub provisional_teams: Vec<String>,
}

impl PollSummary {
    pub(crate) fn new(
        records: usize,
        waiting: usize,
        invalid: usize,
        problems: &[crate::mapping::RecordProblem],
        ledger: &InboundReport,
    ) -> PollSummary {
        PollSummary {
            records,
            waiting,
            invalid,
            problems: problems
                .iter()
                .take(MAX_LISTED_PROBLEMS)
                .map(ToString::to_string)
                .collect(),
            imported: ledger.imported,
            unchanged: ledger.unchanged,
            matched: ledger.matched,
            new_conflicts: ledger.new_conflicts,
            pending_conflicts: ledger.pending_conflicts,
            dismissed: ledger.dismissed,
            unknown: ledger.unknown,
            ignored: ledger.ignored,
            provisional_teams: ledger
                .team_progress
                .iter()
                .filter(|team| team.provisional)
                .map(|team| format!("{} ({}/{})", team.name, team.members_scored, team.needed))
                .collect(),
        }
    }
}

/// The result of one poll.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PollOutcome {
    pub connection: String,
    pub state: ConnectionState,
    pub summary: Option<PollSummary>,
    /// What went wrong, when the poll failed.
    pub error: Option<String>,
    /// How long the poller waits before the next poll.
    pub next_poll_in_ms: u64,
    /// The full ledger report (per record), on success.
    #[serde(skip)]
    pub ledger: Option<InboundReport>,
    /// The write serials of the writes this poll committed, oldest first,
    /// when the handle notes them ([`CompetitionFile::note_writes`]): the
    /// ledger apply (whose results are the report's imported records) and
    /// the connection's health. A long-running process hands them to its
    /// kept boards, which then know these writes as its own.
    #[serde(skip)]
    pub writes: Vec<i64>,
}

/// Reads the `Authorization` value from the connection's environment variable.
fn authorization(connection: &InboundConnection) -> Result<Option<String>, String> {
    match &connection.auth_env {
        None => Ok(None),
        Some(variable) => std::env::var(variable).map(Some).map_err(|_| {
            format!("the environment variable {variable} holding the credentials is not set")
        }),
    }
}

fn parse_timestamp(text: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    chrono::DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|time| time.with_timezone(&chrono::Utc))
}

/// How long to wait before a connection may be fetched again: until its last
/// attempt plus the interval, and until the stored next attempt after a
/// failure (backoff, `Retry-After`).
pub fn wait_before_next_request(connection: &InboundConnection) -> Duration {
    let now = chrono::Utc::now();
    let interval = chrono::Duration::milliseconds(connection.interval_ms as i64);
    let mut earliest = now;
    if let Some(last) = connection
        .status
        .last_attempt_at
        .as_deref()
        .and_then(parse_timestamp)
    {
        earliest = earliest.max(last + interval);
    }
    if let Some(next) = connection
        .status
        .next_attempt_at
        .as_deref()
        .and_then(parse_timestamp)
    {
        earliest = earliest.max(next);
    }
    (earliest - now)
        .to_std()
        .unwrap_or(Duration::ZERO)
        .min(MAX_RETRY_AFTER)
}

fn timestamp_after(wait: Duration) -> String {
    let at = chrono::Utc::now()
        + chrono::Duration::from_std(wait).unwrap_or_else(|_| chrono::Duration::zero());
    at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// Polls one connection once and stores its health. Errors of the store
/// itself (the competition file) are returned; everything about the source
/// is reported in the outcome, with the serials of the writes it committed
/// ([`PollOutcome::writes`]).
pub fn poll_once(
    store: &mut CompetitionFile,
    connection_name: &str,
    fetcher: &mut dyn Fetcher,
    backoff: &mut Backoff,
    recording: Option<&mut dyn Write>,
) -> Result<PollOutcome, InboundError> {
    // Writes noted before this poll are not its own.
    store.take_noted_writes();
    let mut outcome = poll_and_record(store, connection_name, fetcher, backoff, recording)?;
    outcome.writes = store.take_noted_writes();
    Ok(outcome)
}

fn poll_and_record(
    store: &mut CompetitionFile,
    connection_name: &str,
    fetcher: &mut dyn Fetcher,
    backoff: &mut Backoff,
    recording: Option<&mut dyn Write>,
) -> Result<PollOutcome, InboundError> {
    let connection = store.connection_by_name(connection_name)?;
    let interval = Duration::from_millis(connection.interval_ms);
    if !connection.enabled {
        return Ok(PollOutcome {
            connection: connection.name,
            state: connection.status.state,
            summary: None,
            error: Some("the connection is disabled".into()),
            next_poll_in_ms: interval.as_millis() as u64,
            ledger: None,
            writes: Vec::new(),
        });
    }
    let fail_after = |store: &mut CompetitionFile,
                      backoff: &mut Backoff,
                      state: ConnectionState,
                      message: String,
                      retry_after: Option<Duration>|
     -> Result<PollOutcome, InboundError> {
        let wait = backoff.failure().max(retry_after.unwrap_or(Duration::ZERO));
        store.record_poll_failure(connection.id, state, &message, Some(&timestamp_after(wait)))?;
        Ok(PollOutcome {
            connection: connection.name.clone(),
            state,
            summary: None,
            error: Some(message),
            next_poll_in_ms: wait.as_millis() as u64,
            ledger: None,
            writes: Vec::new(),
        })
    };
    let fail = |store: &mut CompetitionFile,
                backoff: &mut Backoff,
                state: ConnectionState,
                message: String| fail_after(store, backoff, state, message, None);
    let authorization = match authorization(&connection) {
        Ok(value) => value,
        Err(message) => return fail(store, backoff, ConnectionState::Error, message),
    };
    // The interval is the source's promise, retries included.
    let wait = wait_before_next_request(&connection);
    if !wait.is_zero() {
        std::thread::sleep(wait);
    }
    let payload = match fetcher.fetch(&connection.url, authorization.as_deref()) {
        Ok(payload) => payload,
        // Not the source's failure: nothing is recorded.
        Err(FetchError::Stopped) => return Err(InboundError::Stopped),
        Err(error) => {
            let state = if error.is_transient() {
                ConnectionState::BackingOff
            } else {
                ConnectionState::Error
            };
            let retry_after = error.retry_after();
            return fail_after(store, backoff, state, error.to_string(), retry_after);
        }
    };
    if let Some(recording) = recording {
        // A recording is the successive payloads separated by `---` lines
        // (see `rehearsal`); a failure to record does not stop polling.
        let _ = recording
            .write_all(&payload)
            .and_then(|()| recording.write_all(b"\n---\n"))
            .and_then(|()| recording.flush());
    }
    let format = RecordFormat::from_word(&connection.format);
    let (mapping, _) = match load_mapping(store, &connection.mapping_name) {
        Ok(found) => found,
        Err(error) => return fail(store, backoff, ConnectionState::Error, error.to_string()),
    };
    let workout = store.workout(connection.workout_id)?;
    if let Err(error) = mapping.validate(&workout) {
        return fail(store, backoff, ConnectionState::Error, error.to_string());
    }
    let document = match read_document(&payload, &connection.name, format) {
        Ok(document) => document,
        Err(error) => return fail(store, backoff, ConnectionState::Error, error.to_string()),
    };
    // A payload without the mapped identifier (or, with a header row, the
    // result columns) is the source's shape changing under the mapping:
    // refuse it and apply nothing, as a file import does.
    let missing = missing_feed_fields(&mapping, &document);
    if !missing.is_empty() {
        let error = InboundError::MissingFields {
            source_name: connection.name.clone(),
            missing,
            found: document.field_names.clone(),
        };
        return fail(store, backoff, ConnectionState::Error, error.to_string());
    }
    let mut mapped = map_document(&mapping, &workout, &document);
    mapped.withhold_duplicates(&document.source_name, document.format.record_word());
    let ledger = match store.apply_inbound(
        &InboundSource {
            name: connection.name.clone(),
            kind: Source::Feed,
        },
        connection.workout_id,
        &mapped.records,
    ) {
        Ok(ledger) => ledger,
        Err(error @ scoretable_store::StoreError::WorkoutIsOfficial { .. }) => {
            return fail(store, backoff, ConnectionState::Error, error.to_string())
        }
        Err(error) => return Err(error.into()),
    };
    let summary = PollSummary::new(
        document.records.len(),
        mapped.waiting,
        mapped.invalid,
        &mapped.problems,
        &ledger,
    );
    backoff.success();
    store.record_poll_success(
        connection.id,
        &serde_json::to_value(&summary).expect("summaries serialize"),
    )?;
    Ok(PollOutcome {
        connection: connection.name,
        state: ConnectionState::Ok,
        summary: Some(summary),
        error: None,
        next_poll_in_ms: interval.as_millis() as u64,
        ledger: Some(ledger),
        writes: Vec::new(),
    })
}

/// Fetches a connection's payload once, with the connection's credentials
/// (the `Authorization` value from its environment variable), and reads it
/// in the connection's format, storing nothing. The one fetch outside a poll:
/// the CLI's `connection test` and the desktop app's preview both call it.
pub fn fetch_connection_document(
    store: &CompetitionFile,
    connection_name: &str,
    fetcher: &mut dyn Fetcher,
) -> Result<crate::record::SourceDocument, InboundError> {
    let connection = store.connection_by_name(connection_name)?;
    let authorization = authorization(&connection).map_err(|message| InboundError::Fetch {
        url: connection.url.clone(),
        message,
    })?;
    let payload = fetcher
        .fetch(&connection.url, authorization.as_deref())
        .map_err(|error| InboundError::Fetch {
            url: connection.url.clone(),
            message: error.to_string(),
        })?;
    Ok(read_document(
        &payload,
        &connection.name,
        RecordFormat::from_word(&connection.format),
    )?)
}

/// Fetches a connection's payload once and previews it through the
/// connection's mapping, storing nothing (the "test connection" button).
pub fn preview_connection(
    store: &CompetitionFile,
    connection_name: &str,
    fetcher: &mut dyn Fetcher,
    rows: usize,
) -> Result<crate::mapping::Preview, InboundError> {
    let connection = store.connection_by_name(connection_name)?;
    let (mapping, _) = load_mapping(store, &connection.mapping_name)?;
    let workout = store.workout(connection.workout_id)?;
    let document = fetch_connection_document(store, connection_name, fetcher)?;
    Ok(crate::mapping::preview(&mapping, &workout, &document, rows))
}

/// How a watch loop runs.
pub struct WatchOptions<'callback> {
    /// Stop after this many polls (`None`: until stopped).
    pub max_polls: Option<u64>,
    /// Set to stop the loop (checked at least every 100 ms).
    pub stop: Arc<AtomicBool>,
    /// The longest wait between failed polls.
    pub backoff_cap: Duration,
    /// Called after each poll.
    pub on_poll: &'callback mut dyn FnMut(&PollOutcome),
    /// Where to record payloads for later rehearsal.
    pub recording: Option<&'callback mut dyn Write>,
}

/// Polls a connection on its interval until stopped, backing off on failures.
/// Returns the number of polls made.
pub fn watch(
    store: &mut CompetitionFile,
    connection_name: &str,
    fetcher: &mut dyn Fetcher,
    options: WatchOptions<'_>,
) -> Result<u64, InboundError> {
    let connection = store.connection_by_name(connection_name)?;
    let mut backoff = Backoff::from_clock(
        Duration::from_millis(connection.interval_ms),
        options.backoff_cap,
    );
    let WatchOptions {
        max_polls,
        stop,
        on_poll,
        mut recording,
        ..
    } = options;
    let mut polls = 0_u64;
    let pause = |wait: Duration| {
        let deadline = Instant::now() + wait;
        while !stop.load(Ordering::SeqCst) {
            let now = Instant::now();
            if now >= deadline {
                break;
            }
            std::thread::sleep((deadline - now).min(Duration::from_millis(100)));
        }
    };
    while !stop.load(Ordering::SeqCst) {
        // Wait out the interval (or a stored backoff / Retry-After) here,
        // where stopping is honoured, rather than inside `poll_once`.
        let connection = store.connection_by_name(connection_name)?;
        pause(wait_before_next_request(&connection));
        if stop.load(Ordering::SeqCst) {
            break;
        }
        let outcome = match poll_once(
            store,
            connection_name,
            fetcher,
            &mut backoff,
            recording
                .as_mut()
                .map(|writer| &mut **writer as &mut dyn Write),
        ) {
            Err(InboundError::Stopped) => break,
            outcome => outcome?,
        };
        polls += 1;
        on_poll(&outcome);
        if max_polls.is_some_and(|max| polls >= max) {
            break;
        }
        pause(Duration::from_millis(outcome.next_poll_in_ms));
    }
    Ok(polls)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_reads_seconds_and_http_dates() {
        let now = chrono::DateTime::parse_from_rfc3339("2026-06-01T10:00:00Z")
            .unwrap()
            .with_timezone(&chrono::Utc);
        assert_eq!(parse_retry_after("3", now), Some(Duration::from_secs(3)));
        assert_eq!(
            parse_retry_after("Mon, 01 Jun 2026 10:00:07 GMT", now),
            Some(Duration::from_secs(7))
        );
        assert_eq!(
            parse_retry_after("Mon, 01 Jun 2026 09:00:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(
            parse_retry_after("99999999999999999999", now),
            Some(MAX_RETRY_AFTER)
        );
    }

    #[test]
    fn no_backoff_wait_is_shorter_than_the_interval() {
        for seed in 0..200 {
            let interval = Duration::from_millis(5000);
            let mut backoff = Backoff::new(interval, Duration::from_secs(60), seed);
            for _ in 0..8 {
                let wait = backoff.failure();
                assert!(wait >= interval, "seed {seed}: {wait:?}");
                assert!(wait <= backoff.ceiling());
            }
        }
    }

    #[test]
    fn backoff_doubles_up_to_the_cap_with_jitter_in_the_upper_half() {
        let mut backoff = Backoff::new(Duration::from_millis(1000), Duration::from_secs(8), 7);
        let mut ceilings = Vec::new();
        for _ in 0..6 {
            let wait = backoff.failure();
            let ceiling = backoff.ceiling();
            assert!(
                wait <= ceiling && wait >= ceiling / 2 && wait >= backoff.base,
                "{wait:?} vs {ceiling:?}"
            );
            ceilings.push(ceiling.as_millis());
        }
        assert_eq!(ceilings, vec![1000, 2000, 4000, 8000, 8000, 8000]);
        backoff.success();
        assert_eq!(backoff.failures(), 0);
        assert_eq!(backoff.ceiling(), Duration::from_millis(1000));
    }

    #[test]
    fn transient_failures_are_told_apart_from_bad_answers() {
        assert!(FetchError::Network("reset".into()).is_transient());
        assert!(FetchError::Timeout(Duration::from_secs(1)).is_transient());
        assert!(FetchError::Status {
            code: 503,
            message: String::new(),
            retry_after: None,
        }
        .is_transient());
        assert!(!FetchError::Status {
            code: 404,
            message: String::new(),
            retry_after: None,
        }
        .is_transient());
    }
}
