//! Inbound connections (polled feeds): the rules for adding one and the
//! words for their states.

use scoretable_inbound::RecordFormat;
use scoretable_store::ConnectionState;
use std::sync::Arc;

use crate::error::{UseCaseError, UseCaseResult};

/// The shortest polling interval a connection may have, in milliseconds.
pub const MIN_INTERVAL_MS: u64 = 100;

/// Checks a new polled feed before it is stored: an Excel workbook cannot
/// be polled (import it as a file), and the interval must be at least
/// [`MIN_INTERVAL_MS`].
pub fn check_polled_feed(format: RecordFormat, interval_ms: u64) -> UseCaseResult<()> {
    if format == RecordFormat::Xlsx {
        return Err(UseCaseError::invalid(
            "format",
            "a polled feed cannot be an Excel workbook; import it as a file",
        ));
    }
    if interval_ms < MIN_INTERVAL_MS {
        return Err(UseCaseError::invalid(
            "interval",
            format!(
                "the polling interval must be at least {MIN_INTERVAL_MS} ms (got {interval_ms} ms)"
            ),
        ));
    }
    Ok(())
}

/// The word shown for a connection's state.
pub fn state_word(state: ConnectionState) -> &'static str {
    match state {
        ConnectionState::Idle => "never polled",
        ConnectionState::Ok => "ok",
        ConnectionState::BackingOff => "backing off",
        ConnectionState::Error => "error",
    }
}

/// A record format named by a word (`csv`, `json`, `xml`, `xlsx`,
/// `world_triathlon` and their aliases); blank is `None` (detect, or the
/// caller's default). An unknown word is refused on the `format` field,
/// listing the words.
pub fn parse_format_word(word: &str) -> UseCaseResult<Option<RecordFormat>> {
    let word = word.trim();
    if word.is_empty() {
        return Ok(None);
    }
    RecordFormat::from_word(word).map(Some).ok_or_else(|| {
        let words: Vec<&str> = RecordFormat::ALL
            .iter()
            .map(|format| format.word())
            .collect();
        UseCaseError::invalid(
            "format",
            format!("unknown format {word:?}; expected {}", words.join(", ")),
        )
    })
}

/// A polled feed as a shell's form or arguments give it.
#[derive(Debug, Clone)]
pub struct FeedDetails<'a> {
    pub name: &'a str,
    pub url: &'a str,
    pub workout_id: scoretable_core::model::Id,
    pub mapping_name: &'a str,
    pub format: RecordFormat,
    pub interval_ms: u64,
    /// The environment variable holding the `Authorization` value.
    pub auth_env: Option<&'a str>,
}

/// Adds a polled feed: the feed checks ([`check_polled_feed`]), fields
/// trimmed, then the store's checks (unique name, a URL without
/// credentials, the mapping and workout exist).
pub fn add_connection(
    file: &mut scoretable_store::CompetitionFile,
    details: &FeedDetails<'_>,
) -> UseCaseResult<scoretable_store::InboundConnection> {
    check_polled_feed(details.format, details.interval_ms)?;
    Ok(file.add_connection(&scoretable_store::NewConnection {
        name: details.name.trim().to_string(),
        url: details.url.trim().to_string(),
        workout_id: details.workout_id,
        mapping_name: details.mapping_name.trim().to_string(),
        format: details.format.word().to_string(),
        interval_ms: details.interval_ms,
        auth_env: details
            .auth_env
            .map(str::trim)
            .filter(|name| !name.is_empty())
            .map(str::to_string),
    })?)
}

/// How a feed is watched: the fetch timeout and the longest wait between
/// failed polls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PollSettings {
    /// How long one feed request may take before it counts as failed.
    pub fetch_timeout: std::time::Duration,
    /// The longest wait between failed polls.
    pub backoff_cap: std::time::Duration,
}

impl Default for PollSettings {
    /// The desktop app's: 10 s per request, at most 60 s between failed polls.
    fn default() -> PollSettings {
        PollSettings {
            fetch_timeout: std::time::Duration::from_secs(10),
            backoff_cap: std::time::Duration::from_secs(60),
        }
    }
}

/// One watch of a feed: how long, until what, recording where.
pub struct FeedWatch<'a> {
    pub settings: PollSettings,
    /// Stop after this many polls (`None`: until `stop` is set).
    pub max_polls: Option<u64>,
    /// Set to stop (honoured within 100 ms between polls).
    pub stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    /// Where to record payloads for a later rehearsal.
    pub recording: Option<&'a mut dyn std::io::Write>,
}

/// Polls the connection `name` on its interval with the inbound crate's
/// feed client, backing off on failures, calling `on_poll` after every
/// poll, until stopped or `max_polls` polls were made; returns how many.
/// The desktop app's pollers (a [`crate::session::Session`]'s background
/// threads) and the CLI's `poll [--watch]` both run this.
pub fn watch_feed<'a>(
    file: &mut scoretable_store::CompetitionFile,
    name: &str,
    watch: FeedWatch<'a>,
    on_poll: &'a mut dyn FnMut(&scoretable_inbound::PollOutcome),
) -> UseCaseResult<u64> {
    // A stop (a session closing its file) does not wait for a slow source.
    let mut fetcher = scoretable_inbound::HttpFetcher::new(watch.settings.fetch_timeout)
        .map_err(|error| UseCaseError::new(crate::ErrorClass::Io, error.to_string()))?
        .stopped_by(Arc::clone(&watch.stop));
    Ok(scoretable_inbound::watch(
        file,
        name,
        &mut fetcher,
        scoretable_inbound::WatchOptions {
            max_polls: watch.max_polls,
            stop: watch.stop,
            backoff_cap: watch.settings.backoff_cap,
            on_poll,
            recording: watch.recording,
        },
    )?)
}

/// Whether a poll stored anything the boards or the conflict inbox show.
pub fn poll_changed_scores(outcome: &scoretable_inbound::PollOutcome) -> bool {
    outcome
        .summary
        .as_ref()
        .is_some_and(|summary| summary.imported > 0 || summary.new_conflicts > 0)
}
