//! Stand-in platforms for tests, built from the seeds (feature `standin`).
//!
//! Each stand-in is a local HTTP server that accepts what its seed allows,
//! REJECTS what the seed forbids (with a 4xx and a message), and injects
//! faults on request: 500, 503, 429 with `Retry-After`, connection reset,
//! slow responses, and "applied but response lost". Tests read the state
//! back (results, pushes) to assert nothing was lost or duplicated.
//!
//! - [`RunSignupStandin`]: full results (seed 001: JSON, CSV and XML request
//!   formats, matching, `result_id` edits, splits with `X`, statuses, result
//!   sets, division placements, custom fields, both auth styles),
//!   get-results for reconcile, and virtual results (seed 003).
//! - [`OpenTrackStandin`]: token auth, competition create/find/replace
//!   (seed 002).
//! - [`TriathlonStandin`]: Live Timing v1.1 POST (seed 004), rejecting wrong
//!   content types, count mismatches and more than one push per second.

mod opentrack;
mod runsignup;
mod triathlon;

pub use opentrack::validate_minimal as validate_opentrack_competition;
pub use opentrack::OpenTrackStandin;
pub use runsignup::{PostAnswer, Registration, RemoteResultRow, RunSignupStandin};
pub use triathlon::{validate_message as validate_live_timing, TriathlonStandin};

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use crate::http::{HttpReply, HttpRequest, HttpServer};

/// A fault a stand-in can inject into its next request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// Handle this request normally (to aim a later fault at a later request).
    Pass,
    /// Answer with this status (500, 503, ...) without applying anything.
    Status(u16),
    /// 429 with this `Retry-After` value (seconds or an HTTP-date).
    TooManyRequests { retry_after: String },
    /// Close the connection without applying or answering.
    Reset,
    /// Wait this long, then handle the request normally: with a delay
    /// longer than the client's timeout, the request lands after the client
    /// gave up on it.
    Slow(Duration),
    /// Apply the request, then close the connection without answering.
    AppliedResponseLost,
    /// Apply the request at once, then answer only after this delay (later
    /// than the client's timeout: the client gives up on a request that
    /// was applied).
    AppliedAnswerLate(Duration),
}

/// Faults for the next requests, plus an optional random fault rate.
#[derive(Debug, Default)]
pub struct FaultPlan {
    queue: VecDeque<Fault>,
    /// Per-request probability (0..=1) of a random fault from `random_pool`.
    random_rate: f64,
    random_pool: Vec<Fault>,
    rng: Option<fastrand::Rng>,
}

impl FaultPlan {
    fn next(&mut self) -> Option<Fault> {
        if let Some(fault) = self.queue.pop_front() {
            return Some(fault);
        }
        if self.random_rate > 0.0 && !self.random_pool.is_empty() {
            let rng = self.rng.get_or_insert_with(|| fastrand::Rng::with_seed(7));
            if rng.f64() < self.random_rate {
                let index = rng.usize(..self.random_pool.len());
                return Some(self.random_pool[index].clone());
            }
        }
        None
    }
}

/// Shared fault control of a stand-in.
#[derive(Debug, Clone, Default)]
pub struct Faults {
    plan: Arc<Mutex<FaultPlan>>,
}

impl Faults {
    /// Queues faults for the next requests (in order).
    pub fn push(&self, faults: impl IntoIterator<Item = Fault>) {
        self.plan
            .lock()
            .unwrap_or_else(|error| error.into_inner())
            .queue
            .extend(faults);
    }

    /// Injects a random fault from `pool` into each request with probability `rate`.
    pub fn random(&self, rate: f64, pool: Vec<Fault>, seed: u64) {
        let mut plan = self.plan.lock().unwrap_or_else(|error| error.into_inner());
        plan.random_rate = rate;
        plan.random_pool = pool;
        plan.rng = Some(fastrand::Rng::with_seed(seed));
    }

    /// Stops injecting faults.
    pub fn clear(&self) {
        let mut plan = self.plan.lock().unwrap_or_else(|error| error.into_inner());
        plan.queue.clear();
        plan.random_rate = 0.0;
    }

    /// Runs `apply` under the next fault. `apply` returns the normal reply.
    pub(crate) fn handle(&self, apply: impl FnOnce() -> HttpReply) -> HttpReply {
        let fault = self
            .plan
            .lock()
            .unwrap_or_else(|error| error.into_inner())
            .next();
        match fault {
            None | Some(Fault::Pass) => apply(),
            Some(Fault::Status(status)) => HttpReply::json(
                status,
                &serde_json::json!({"error": {"error_msg": "injected failure"}}),
            ),
            Some(Fault::TooManyRequests { retry_after }) => HttpReply::Respond {
                status: 429,
                headers: vec![
                    ("Retry-After".to_string(), retry_after),
                    ("Content-Type".to_string(), "application/json".to_string()),
                ],
                body: br#"{"error":{"error_msg":"too many requests"}}"#.to_vec(),
            },
            Some(Fault::Reset) => HttpReply::Drop,
            Some(Fault::Slow(delay)) => {
                std::thread::sleep(delay);
                apply()
            }
            Some(Fault::AppliedResponseLost) => {
                let _ = apply();
                HttpReply::Drop
            }
            Some(Fault::AppliedAnswerLate(delay)) => {
                let reply = apply();
                std::thread::sleep(delay);
                reply
            }
        }
    }
}

/// A 400 with RunSignup's error shape.
pub(crate) fn runsignup_error(status: u16, message: impl Into<String>) -> HttpReply {
    HttpReply::json(
        status,
        &serde_json::json!({"error": {"error_code": status, "error_msg": message.into()}}),
    )
}

/// A stand-in's state: how it answers a request, and the refusals it keeps
/// for the tests to read.
pub(crate) trait Platform: Send + 'static {
    /// Answers one request, with the state locked.
    fn answer(&mut self, request: &HttpRequest) -> HttpReply;

    /// Whether an answer is a refusal to keep (by default a 4xx or 5xx).
    fn refused(status: u16, body: &str) -> bool {
        let _ = body;
        status >= 400
    }

    /// The refusals kept so far.
    fn rejections(&mut self) -> &mut Vec<String>;
}

/// A stand-in's server and state: each request is answered under the
/// stand-in's fault plan, and refusals are kept.
pub(crate) struct Running<S> {
    server: HttpServer,
    state: Arc<Mutex<S>>,
}

impl<S: Platform> Running<S> {
    pub(crate) fn start(address: &str, state: S, faults: &Faults) -> std::io::Result<Running<S>> {
        let state = Arc::new(Mutex::new(state));
        let handler_state = Arc::clone(&state);
        let faults = faults.clone();
        let server = HttpServer::start(address, move |request| {
            faults.handle(|| answer(&handler_state, &request))
        })?;
        Ok(Running { server, state })
    }

    pub(crate) fn state(&self) -> MutexGuard<'_, S> {
        self.state.lock().unwrap_or_else(|error| error.into_inner())
    }

    pub(crate) fn base_url(&self) -> String {
        self.server.base_url()
    }
}

fn answer<S: Platform>(state: &Mutex<S>, request: &HttpRequest) -> HttpReply {
    let mut state = state.lock().unwrap_or_else(|error| error.into_inner());
    let reply = state.answer(request);
    if let HttpReply::Respond { status, body, .. } = &reply {
        let message = String::from_utf8_lossy(body).into_owned();
        if S::refused(*status, &message) {
            state.rejections().push(message);
        }
    }
    reply
}
