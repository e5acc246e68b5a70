//! Sending requests and classifying what came back.
//!
//! Every request ends in one [`SendOutcome`]:
//!
//! - `Response` with a 2xx status: the adapter decides whether the body
//!   confirms (success is recorded only on a confirming acknowledgement);
//! - `Rejected`: a 4xx other than 408 and 429. The platform refused the
//!   content; retrying the same bytes cannot help, so it is shown to the user;
//! - `Retryable`: 5xx, 408, 429, or a connection that could not be opened.
//!   The request was not applied (or the platform says so); it is sent again
//!   after backoff, honouring `Retry-After`;
//! - `Ambiguous`: the request may have been applied but no answer arrived
//!   (timeout, reset, truncated body). The worker reconciles by reading the
//!   platform back before sending again.
//!
//! Error messages never contain the URL (its query may carry credentials).

use std::cell::Cell;
use std::time::{Duration, SystemTime};

use reqwest::blocking::{Client, RequestBuilder};
use reqwest::redirect;

thread_local! {
    static REQUESTS: Cell<u64> = const { Cell::new(0) };
}

/// How many requests this thread has sent (for drain reports: one batch may
/// take several requests: read-back pages, split batches).
pub fn requests_sent() -> u64 {
    REQUESTS.with(Cell::get)
}

/// How a "could not connect" failure's message starts (the engine probes
/// such targets on a short interval instead of backing off).
pub const UNREACHABLE_PREFIX: &str = "could not connect: ";

/// What one request came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendOutcome {
    Response {
        status: u16,
        body: String,
    },
    Rejected {
        status: u16,
        message: String,
    },
    Retryable {
        message: String,
        retry_after: Option<Duration>,
    },
    Ambiguous {
        message: String,
    },
}

/// True when two URLs share scheme, host and port.
pub fn same_origin(a: &reqwest::Url, b: &reqwest::Url) -> bool {
    a.scheme() == b.scheme()
        && a.host_str() == b.host_str()
        && a.port_or_known_default() == b.port_or_known_default()
}

/// The HTTP client all adapters share. Credentials travel in query
/// parameters and headers, so a redirect is followed only within the
/// configured endpoint's origin (at most 5 hops); a redirect elsewhere is not
/// followed and its 3xx answer is refused (see [`classify_status`]). No
/// `Referer` header is ever sent.
pub fn http_client(timeout: Duration) -> Client {
    let policy = redirect::Policy::custom(|attempt| {
        let same = attempt
            .previous()
            .first()
            .is_some_and(|first| same_origin(first, attempt.url()));
        if !same || attempt.previous().len() > 5 {
            attempt.stop()
        } else {
            attempt.follow()
        }
    });
    Client::builder()
        .redirect(policy)
        .referer(false)
        .timeout(timeout)
        .connect_timeout(Duration::from_secs(10).min(timeout))
        .pool_max_idle_per_host(0)
        .build()
        .unwrap_or_else(|_| Client::new())
}

/// Sends and classifies.
pub fn send(request: RequestBuilder) -> SendOutcome {
    REQUESTS.with(|count| count.set(count.get() + 1));
    let response = match request.send() {
        Ok(response) => response,
        Err(error) => return classify_transport_error(error),
    };
    let status = response.status().as_u16();
    let retry_after = response
        .headers()
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| parse_retry_after(value, SystemTime::now()));
    let body = match response.text() {
        Ok(body) => body,
        Err(error) => {
            return SendOutcome::Ambiguous {
                message: format!(
                    "HTTP {status} but the body was lost: {}",
                    error.without_url()
                ),
            }
        }
    };
    classify_status(status, body, retry_after)
}

/// Classifies a complete response by status.
pub fn classify_status(status: u16, body: String, retry_after: Option<Duration>) -> SendOutcome {
    let excerpt: String = body.chars().take(300).collect();
    match status {
        200..=299 => SendOutcome::Response { status, body },
        300..=399 => SendOutcome::Rejected {
            status,
            message: format!(
                "HTTP {status}: the endpoint redirects to another origin; not followed, so no \
                 credential leaves the configured endpoint (fix the target's endpoint URL)"
            ),
        },
        408 | 429 | 500..=599 => SendOutcome::Retryable {
            message: format!("HTTP {status}: {excerpt}"),
            retry_after,
        },
        _ => SendOutcome::Rejected {
            status,
            message: format!("HTTP {status}: {excerpt}"),
        },
    }
}

fn classify_transport_error(error: reqwest::Error) -> SendOutcome {
    let connect = error.is_connect();
    let timeout = error.is_timeout();
    let source = std::error::Error::source(&error).map(|source| source.to_string());
    let message = error.without_url().to_string();
    let message = match source {
        Some(source) => format!("{message}: {source}"),
        None => message,
    };
    if connect && !timeout {
        SendOutcome::Retryable {
            message: format!("{UNREACHABLE_PREFIX}{message}"),
            retry_after: None,
        }
    } else {
        SendOutcome::Ambiguous {
            message: format!("no response (the request may have been applied): {message}"),
        }
    }
}

/// Parses `Retry-After`: delay-seconds or an HTTP-date.
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

/// Full-jitter exponential backoff: a uniformly random delay between zero and
/// `min(cap, base * 2^failures)`, but never shorter than the platform's
/// `Retry-After`.
pub fn backoff_delay(
    consecutive_failures: u32,
    base: Duration,
    cap: Duration,
    retry_after: Option<Duration>,
) -> Duration {
    let exponent = consecutive_failures.min(30);
    let ceiling = base
        .saturating_mul(1u32 << exponent.min(31))
        .min(cap)
        .as_millis() as u64;
    let jittered = Duration::from_millis(fastrand::u64(0..=ceiling));
    match retry_after {
        Some(retry_after) => jittered.max(retry_after),
        None => jittered,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_takes_seconds_and_http_dates() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000_000);
        assert_eq!(parse_retry_after("7", now), Some(Duration::from_secs(7)));
        let later = httpdate::fmt_http_date(now + Duration::from_secs(30));
        assert_eq!(
            parse_retry_after(&later, now),
            Some(Duration::from_secs(30))
        );
        let earlier = httpdate::fmt_http_date(now - Duration::from_secs(30));
        assert_eq!(parse_retry_after(&earlier, now), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("soon", now), None);
    }

    #[test]
    fn backoff_is_full_jitter_capped_and_honours_retry_after() {
        let base = Duration::from_millis(100);
        let cap = Duration::from_secs(5);
        for failures in 0..40 {
            let delay = backoff_delay(failures, base, cap, None);
            let ceiling = (100u64 << failures.min(30)).min(5000);
            assert!(delay.as_millis() as u64 <= ceiling, "{failures}: {delay:?}");
        }
        let delays: std::collections::HashSet<_> =
            (0..50).map(|_| backoff_delay(6, base, cap, None)).collect();
        assert!(delays.len() > 10, "jitter spreads the delays");
        let delay = backoff_delay(0, base, cap, Some(Duration::from_secs(3)));
        assert!(delay >= Duration::from_secs(3));
    }

    #[test]
    fn statuses_are_classified() {
        assert!(matches!(
            classify_status(200, "{}".into(), None),
            SendOutcome::Response { .. }
        ));
        for status in [400, 401, 403, 404, 415, 422] {
            assert!(matches!(
                classify_status(status, String::new(), None),
                SendOutcome::Rejected { .. }
            ));
        }
        for status in [408, 429, 500, 502, 503] {
            assert!(matches!(
                classify_status(status, String::new(), None),
                SendOutcome::Retryable { .. }
            ));
        }
    }
}

/// Names whose values are credentials wherever they appear in a message
/// (query strings, echoed JSON, echoed headers).
const SECRET_NAMES: [&str; 11] = [
    "api_secret",
    "api_key",
    "rsu_api_key",
    "sp_api_key",
    "tmp_key",
    "tmp_secret",
    "x-rsu-api-secret",
    "password",
    "access_token",
    "authorization",
    "token",
];

/// Masks credentials in text that will be stored or shown (an error body may
/// echo the request): every occurrence of the given secret values, and the
/// value after any credential-like name (`api_secret=...`,
/// `"password": "..."`, `Authorization: Bearer ...`).
pub fn redact(text: &str, secrets: &[&str]) -> String {
    let mut out = text.to_string();
    for secret in secrets {
        if secret.len() >= 3 {
            out = out.replace(secret, "***");
        }
    }
    let lower = out.to_ascii_lowercase();
    let bytes = out.as_bytes();
    let mut masked: Vec<(usize, usize)> = Vec::new();
    for name in SECRET_NAMES {
        let mut from = 0;
        while let Some(found) = lower[from..].find(name) {
            let start = from + found;
            from = start + name.len();
            // Whole names only.
            if start > 0 && (bytes[start - 1].is_ascii_alphanumeric() || bytes[start - 1] == b'_') {
                continue;
            }
            let mut index = start + name.len();
            if index < bytes.len() && (bytes[index].is_ascii_alphanumeric() || bytes[index] == b'_')
            {
                continue;
            }
            // Skip the separator: `=`, `:`, quotes and spaces.
            let mut saw_separator = false;
            while index < bytes.len() && matches!(bytes[index], b'=' | b':' | b'"' | b'\'' | b' ') {
                saw_separator |= matches!(bytes[index], b'=' | b':');
                index += 1;
            }
            if !saw_separator {
                continue;
            }
            // `Bearer <token>`: mask the token too.
            if lower[index..].starts_with("bearer ") {
                index += "bearer ".len();
            }
            let value_start = index;
            while index < bytes.len()
                && !matches!(
                    bytes[index],
                    b'&' | b'"' | b'\'' | b',' | b'}' | b' ' | b'\r' | b'\n'
                )
            {
                index += 1;
            }
            if index > value_start {
                masked.push((value_start, index));
            }
        }
    }
    masked.sort_unstable();
    let mut result = String::with_capacity(out.len());
    let mut last = 0;
    for (start, end) in masked {
        if start < last {
            continue;
        }
        result.push_str(&out[last..start]);
        result.push_str("***");
        last = end;
    }
    result.push_str(&out[last..]);
    result
}

#[cfg(test)]
mod redact_tests {
    use super::redact;

    #[test]
    fn credentials_are_masked_in_echoed_requests() {
        let text = r#"HTTP 400: {"error":"bad","echo":"/rest?api_key=k1&api_secret=topsecret&x=1","headers":{"X-RSU-API-SECRET":"hdr-secret","Authorization":"Bearer tok123"},"password":"pw"}"#;
        let out = redact(text, &["zzz-secret-value"]);
        for secret in ["k1", "topsecret", "hdr-secret", "tok123", "\"pw\""] {
            assert!(!out.contains(secret), "{secret} in {out}");
        }
        assert!(out.contains("x=1"));
        assert_eq!(redact("plain s3cr3t here", &["s3cr3t"]), "plain *** here");
        assert_eq!(redact("tokens are fine", &[]), "tokens are fine");
    }
}
