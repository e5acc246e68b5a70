//! Inbound connections (polled feeds): the rules for adding one and the
//! words for their states.

use scoretable_inbound::RecordFormat;
use scoretable_store::ConnectionState;

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
