//! The sync worker: drains each target's outbox, with backoff, reconcile,
//! coalescing and failpoints; plus the status and preview the app shows.
//!
//! One pass over a target:
//!
//! 1. If the target is backing off (`next_attempt_at` in the future), wait
//!    (or stop, when not waiting).
//! 2. Rows left `sending` (a crash, or a lost response) are ambiguous: the
//!    adapter reads the platform back (reconcile). Rows the platform already
//!    holds are acknowledged without sending; the others go back to the
//!    queue, with the platform's id when it was found, so the re-send is an
//!    edit. Nothing is posted twice.
//! 3. Claim a batch (commit `sending` + idempotency keys), send it, and
//!    record each row's outcome in one transaction only after the platform
//!    acknowledged. A 4xx for a multi-row batch re-sends the rows one by one
//!    so only the offending rows are rejected.
//!
//! Failpoints for the crash harness: `SCORETABLE_FAILPOINT=after_commit_before_send`
//! aborts the process right after a claim commits; `after_send_before_ack`
//! aborts after the platform answered and before the outcome is stored.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use reqwest::blocking::Client;
use scoretable_core::model::Id;
use scoretable_store::{
    CompetitionFile, OutboxAck, OutboxItem, OutboxState, RemoteRecord, SyncAttempt, SyncTarget,
};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::adapter::{BatchResult, ItemOutcome, Preview, Verdict};
use crate::client::{backoff_delay, http_client};
use crate::credentials::SecretStore;
use crate::error::{Result, SyncError};
use crate::netwatch::NetworkWatch;
use crate::registry::{AdapterSession, Registry, SendContext, SyncAdapter};
use crate::triathlon::HostedFeed;

/// How a drain behaves.
#[derive(Clone)]
pub struct DrainOptions {
    /// Rows per request (RunSignup accepts many results per request).
    pub batch_size: usize,
    /// Sleep through backoff instead of returning.
    pub wait_for_backoff: bool,
    /// Give up (leaving rows queued) at this moment.
    pub deadline: Option<Instant>,
    /// Give up (leaving rows queued) as soon as this is set: checked before
    /// every claim and every wait, so a drain stops after the request in
    /// flight (the app's worker sets it when the file is closed).
    pub stop: Option<Arc<AtomicBool>>,
    pub backoff_base: Duration,
    pub backoff_cap: Duration,
    /// Per-request timeout; a slower answer is ambiguous.
    pub request_timeout: Duration,
    /// How long after the client gave up (request timeout) a request may
    /// still be applied by the platform. Rows in flight are read back only
    /// once `claimed + request_timeout + late_landing` has passed: before
    /// that, an absent row is not proof that the request will not land.
    pub late_landing: Duration,
    /// A row created again after its first request was proven absent can
    /// still meet that request landing later than `late_landing` (the
    /// platform has no idempotency key): the created rows' workouts are read
    /// back `2 x (request_timeout + late_landing)` after, and again this
    /// long after that, and every entrant held twice is reported in the
    /// target's status until a read-back shows it once.
    pub duplicate_recheck: Duration,
    /// While a target cannot be reached (connection refused, DNS, no
    /// route), probe it this often with a bare TCP connect instead of
    /// backing off exponentially, so queued results leave soon after the
    /// link returns. 5xx/429 answers keep the exponential backoff.
    pub probe_interval: Duration,
    /// Also end the wait between probes as soon as the OS reports a network
    /// change (see [`crate::netwatch`]); off only in tests that need the
    /// bare probe interval.
    pub watch_network: bool,
    /// This round follows a network change: a target whose last attempt
    /// could not connect is probed now instead of at its next attempt time.
    pub network_changed: bool,
    /// Minimum gap between World Triathlon pushes.
    pub live_timing_interval: Duration,
    /// Also offer World Triathlon messages here (hosted JSON file).
    pub hosted_feed: Option<HostedFeed>,
    /// The platforms targets may name (the built-in ones by default).
    pub registry: Registry,
}

impl DrainOptions {
    /// The owner asked the drain to stop ([`DrainOptions::stop`] is set).
    pub fn stopped(&self) -> bool {
        self.stop
            .as_ref()
            .is_some_and(|stop| stop.load(Ordering::Relaxed))
    }
}

/// RunSignup rows per request. 500 results are about 75 KB of JSON: large
/// enough that 60,000 results need only 120 requests, small enough that a
/// request on a venue uplink finishes well inside the timeout and that a
/// rejected batch costs little to split.
pub const DEFAULT_BATCH_SIZE: usize = 500;

impl Default for DrainOptions {
    fn default() -> Self {
        DrainOptions {
            batch_size: DEFAULT_BATCH_SIZE,
            wait_for_backoff: true,
            deadline: None,
            stop: None,
            backoff_base: Duration::from_millis(500),
            backoff_cap: Duration::from_secs(60),
            request_timeout: Duration::from_secs(30),
            late_landing: Duration::from_secs(30),
            duplicate_recheck: Duration::from_secs(600),
            probe_interval: Duration::from_millis(1000),
            watch_network: true,
            network_changed: false,
            live_timing_interval: Duration::from_millis(1000),
            hosted_feed: None,
            registry: Registry::builtin().clone(),
        }
    }
}

/// What one drain did for one target.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DrainReport {
    pub target: String,
    pub acked: u64,
    pub rejected: u64,
    pub skipped: u64,
    pub retried: u64,
    pub reconciled: u64,
    pub requests: u64,
    /// Nothing is left queued or in flight.
    pub drained: bool,
    pub last_error: Option<String>,
}

/// A target's status, for `sync status` and the app's status screen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TargetStatus {
    pub name: String,
    /// The platform's code.
    pub platform: String,
    /// The platform's name as people say it (the code when this build does
    /// not know the platform).
    pub platform_name: String,
    pub endpoint: String,
    pub enabled: bool,
    pub queued: u64,
    /// Sent but not yet acknowledged (reconciled on the next drain).
    pub in_flight: u64,
    pub acked: u64,
    pub rejected: u64,
    pub last_success_at: Option<String>,
    pub last_error: Option<String>,
    pub last_error_at: Option<String>,
    pub next_attempt_at: Option<String>,
    pub consecutive_failures: u32,
    /// The newest rejections with their messages.
    pub recent_rejections: Vec<OutboxItem>,
    /// Entrants the platform holds more than one row for, as the last
    /// read-back of their workout found them (see
    /// [`DrainOptions::duplicate_recheck`]).
    #[serde(default)]
    pub duplicates: Vec<String>,
}

/// Target state: the workouts to read back for duplicates, by workout id:
/// `{"due": RFC 3339, "stage": 0 | 1}`.
const DUPLICATE_CHECKS: &str = "duplicate_checks";
/// Target state: what the last read-back of each workout found held twice,
/// by workout id: a list of messages.
const DUPLICATES: &str = "duplicates";

/// The duplicates a target's state lists, workout by workout.
fn listed_duplicates(remote_state: &Value) -> Vec<String> {
    let Some(listed) = remote_state.get(DUPLICATES).and_then(Value::as_object) else {
        return Vec::new();
    };
    let mut workouts: Vec<(&String, &Value)> = listed.iter().collect();
    workouts.sort_by_key(|(workout, _)| workout.parse::<i64>().unwrap_or(i64::MAX));
    workouts
        .into_iter()
        .flat_map(|(_, messages)| messages.as_array().into_iter().flatten())
        .filter_map(|message| message.as_str().map(str::to_string))
        .collect()
}

fn failpoint(name: &str) {
    if std::env::var("SCORETABLE_FAILPOINT").as_deref() == Ok(name) {
        std::process::abort();
    }
}

fn parse_time(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|time| time.with_timezone(&Utc))
}

/// Status of every target.
pub fn sync_status(file: &CompetitionFile) -> Result<Vec<TargetStatus>> {
    let mut statuses = Vec::new();
    for target in file.sync_targets()? {
        let counts = file.outbox_counts(target.id)?;
        statuses.push(TargetStatus {
            recent_rejections: file.recent_outbox_items(target.id, OutboxState::Rejected, 5)?,
            name: target.name,
            platform_name: Registry::builtin().name_of(&target.platform),
            platform: target.platform,
            endpoint: target.endpoint,
            enabled: target.enabled,
            queued: counts.queued,
            in_flight: counts.sending,
            acked: counts.acked,
            rejected: counts.rejected,
            last_success_at: target.last_success_at,
            last_error: target.last_error,
            last_error_at: target.last_error_at,
            next_attempt_at: target.next_attempt_at,
            consecutive_failures: target.consecutive_failures,
            duplicates: listed_duplicates(&target.remote_state),
        });
    }
    Ok(statuses)
}

/// Drains every enabled target. A target that cannot be drained (no
/// secret, bad configuration) gets its error recorded and reported; the
/// others still drain.
pub fn drain_all(
    file: &mut CompetitionFile,
    secrets: &SecretStore,
    options: &DrainOptions,
) -> Result<Vec<DrainReport>> {
    let mut reports = Vec::new();
    for target in file.sync_targets()? {
        if options.stopped() {
            break;
        }
        if !target.enabled {
            continue;
        }
        match drain_target(file, &target.name, secrets, options) {
            Ok(report) => reports.push(report),
            // One target's problem (a missing secret, a bad config) is shown
            // on that target and never stops the others.
            Err(
                error @ (SyncError::MissingSecret { .. }
                | SyncError::Config { .. }
                | SyncError::UnknownPlatform { .. }
                | SyncError::Secret(_)
                | SyncError::Export(_)),
            ) => {
                let message = error.to_string();
                file.record_sync_attempt(
                    target.id,
                    &SyncAttempt::Failed {
                        message: message.clone(),
                        next_attempt_at: None,
                    },
                )?;
                reports.push(DrainReport {
                    target: target.name.clone(),
                    last_error: Some(message),
                    ..DrainReport::default()
                });
            }
            Err(error) => return Err(error),
        }
    }
    Ok(reports)
}

struct Worker<'a> {
    file: &'a mut CompetitionFile,
    secret: Option<String>,
    client: Client,
    options: &'a DrainOptions,
    adapter: &'a dyn SyncAdapter,
    session: Box<dyn AdapterSession>,
    report: DrainReport,
    /// Bisection after a batch was refused as a whole (nothing applied):
    /// (rows per claim, rows still to go at that size), innermost last. The
    /// refused rows go back to the queue (oldest first) and are claimed in
    /// halves until only the rows the platform refuses alone are left.
    split: Vec<(usize, usize)>,
    /// The last attempt could not connect: probe before claiming.
    unreachable: bool,
    /// The OS's network-change signal, opened the first time the target is
    /// found unreachable while waiting is allowed.
    network: Option<Option<NetworkWatch>>,
    /// Values masked out of every stored message.
    secret_parts: Vec<String>,
}

/// Drains one target (see the module docs).
pub fn drain_target(
    file: &mut CompetitionFile,
    target_name: &str,
    secrets: &SecretStore,
    options: &DrainOptions,
) -> Result<DrainReport> {
    let target = file.sync_target(target_name)?;
    let adapter = options
        .registry
        .adapter_of(&target.name, &target.platform)?;
    let secret = secrets.get(&target.name, &target.secret_ref)?;
    if secret.is_none() && adapter.needs_secret(&target.config) {
        return Err(SyncError::MissingSecret {
            target: target.name.clone(),
        });
    }
    let secret_parts = secret
        .as_deref()
        .map(|secret| {
            let mut parts: Vec<String> = secret.split(':').map(str::to_string).collect();
            parts.push(secret.to_string());
            parts
        })
        .unwrap_or_default();
    let mut worker = Worker {
        unreachable: false,
        network: None,
        secret_parts,
        file,
        secret,
        client: http_client(options.request_timeout),
        options,
        adapter,
        session: adapter.session(),
        report: DrainReport {
            target: target.name.clone(),
            ..DrainReport::default()
        },
        split: Vec::new(),
    };
    let before = crate::client::requests_sent();
    let outcome = worker.run(target.id);
    worker.report.requests = crate::client::requests_sent() - before;
    outcome?;
    Ok(worker.report)
}

impl Worker<'_> {
    fn past_deadline(&self) -> bool {
        self.options
            .deadline
            .is_some_and(|deadline| Instant::now() >= deadline)
            || self.options.stopped()
    }

    /// Waits for the network to change, at most `timeout` (a plain sleep
    /// where the OS gives no signal). True if it changed.
    fn wait_network(&mut self, timeout: Duration) -> bool {
        let timeout = match self.options.deadline {
            Some(deadline) => timeout.min(deadline.saturating_duration_since(Instant::now())),
            None => timeout,
        };
        if !self.options.watch_network {
            std::thread::sleep(timeout);
            return false;
        }
        let watch = self.network.get_or_insert_with(NetworkWatch::open);
        crate::netwatch::wait_or_sleep(watch.as_ref(), timeout)
    }

    /// Like [`Worker::sleep_until`]; for a target that could not be
    /// reached, a network change ends the wait early (and the loop probes).
    fn wait_until(&mut self, until: DateTime<Utc>, unreachable: bool) -> bool {
        if !unreachable {
            return self.sleep_until(until);
        }
        let wait = (until - Utc::now()).to_std().unwrap_or(Duration::ZERO);
        if self.wait_network(wait) {
            self.unreachable = true;
        }
        !self.past_deadline()
    }

    fn sleep_until(&self, until: DateTime<Utc>) -> bool {
        let wait = (until - Utc::now()).to_std().unwrap_or(Duration::ZERO);
        let wait = match self.options.deadline {
            Some(deadline) => wait.min(deadline.saturating_duration_since(Instant::now())),
            None => wait,
        };
        std::thread::sleep(wait);
        !self.past_deadline()
    }

    fn run(&mut self, target_id: Id) -> Result<()> {
        loop {
            let target = self
                .file
                .sync_targets()?
                .into_iter()
                .find(|target| target.id == target_id)
                .ok_or_else(|| SyncError::Config {
                    target: self.report.target.clone(),
                    message: "the target was removed".to_string(),
                })?;
            if self.past_deadline() {
                break;
            }
            let was_unreachable = target
                .last_error
                .as_deref()
                .is_some_and(|error| error.starts_with(crate::client::UNREACHABLE_PREFIX));
            if let Some(next) = target.next_attempt_at.as_deref().and_then(parse_time) {
                if next > Utc::now() {
                    if was_unreachable && self.options.network_changed {
                        // The network changed since the target was found
                        // unreachable: probe it now.
                        self.unreachable = true;
                        if !self.probe(&target) {
                            break;
                        }
                    } else if !self.options.wait_for_backoff
                        || !self.wait_until(next, was_unreachable)
                    {
                        break;
                    }
                }
            }
            let in_flight =
                self.file
                    .outbox_items(target.id, OutboxState::Sending, self.options.batch_size)?;
            let (settled, unsettled_until) = self.settled(in_flight);
            if !settled.is_empty() {
                self.reconcile(&target, &settled)?;
                continue;
            }
            if self.unreachable && !self.probe(&target) {
                if !self.options.wait_for_backoff {
                    break;
                }
                self.wait_network(self.options.probe_interval);
                continue;
            }
            let limit = self
                .split
                .last()
                .map_or(self.options.batch_size, |(limit, _)| *limit)
                .min(self.options.batch_size)
                .max(1);
            let items = self.file.claim_outbox(target.id, limit)?;
            if items.is_empty() {
                match unsettled_until {
                    // Rows still in flight: wait until their requests can no
                    // longer land, then read them back.
                    Some(until) => {
                        if !self.options.wait_for_backoff || !self.sleep_until(until) {
                            break;
                        }
                        continue;
                    }
                    None => {
                        self.check_duplicates(&target)?;
                        if self.queue_moved(&target)? {
                            continue;
                        }
                        self.report.drained = true;
                        break;
                    }
                }
            }
            failpoint("after_commit_before_send");
            let result = self.send(&target, &items)?;
            let refused = self.apply(&target, &items, result)?;
            // Rows settled in this round count down the bisection levels;
            // refused rows are split again (pushed as a new level).
            let settled = items.len().saturating_sub(refused);
            for level in &mut self.split {
                level.1 = level.1.saturating_sub(settled);
            }
            self.split.retain(|(_, remaining)| *remaining > 0);
            if refused > 1 {
                self.split.push((refused.div_ceil(2), refused));
            }
        }
        Ok(())
    }

    /// Splits rows in flight into those whose requests can no longer land
    /// (claimed more than `request_timeout + late_landing` ago), to be read
    /// back now, and the moment the earliest other one settles.
    fn settled(&self, in_flight: Vec<OutboxItem>) -> (Vec<OutboxItem>, Option<DateTime<Utc>>) {
        // Full-state messages (Live Timing): re-sending the latest one is
        // always safe, nothing to wait for.
        if self.adapter.full_state() {
            return (in_flight, None);
        }
        let window = self.landing_window();
        let now = Utc::now();
        let mut settled = Vec::new();
        let mut earliest: Option<DateTime<Utc>> = None;
        for item in in_flight {
            let claimed = parse_time(&item.updated_at).unwrap_or(now - window);
            let settles = claimed + window;
            if settles <= now {
                settled.push(item);
            } else {
                earliest = Some(earliest.map_or(settles, |earliest| earliest.min(settles)));
            }
        }
        (settled, earliest)
    }

    /// A cheap reachability probe: a TCP connect to the endpoint's host.
    fn probe(&mut self, target: &SyncTarget) -> bool {
        let Ok(url) = reqwest::Url::parse(&target.endpoint) else {
            return true;
        };
        let (Some(host), Some(port)) = (url.host_str(), url.port_or_known_default()) else {
            return true;
        };
        let timeout = self.options.probe_interval.max(Duration::from_millis(200));
        let reachable = std::net::ToSocketAddrs::to_socket_addrs(&(host, port))
            .map(|addresses| {
                addresses
                    .into_iter()
                    .any(|address| std::net::TcpStream::connect_timeout(&address, timeout).is_ok())
            })
            .unwrap_or(false);
        if reachable {
            self.unreachable = false;
        }
        reachable
    }

    fn redact(&self, message: &str) -> String {
        let parts: Vec<&str> = self.secret_parts.iter().map(String::as_str).collect();
        crate::client::redact(message, &parts)
    }

    fn context_remote(
        &self,
        target: &SyncTarget,
        items: &[OutboxItem],
    ) -> Result<HashMap<String, RemoteRecord>> {
        let entities: Vec<&str> = items.iter().map(|item| item.entity.as_str()).collect();
        Ok(self.file.sync_remote_records_for(target.id, &entities)?)
    }

    /// Once the queue is empty, and only when the file changed since the
    /// last look, asks the adapter for rows already acknowledged whose
    /// rendering moved because of other entrants' changes (RunSignup rows
    /// with hard-coded places) and queues them again. Returns whether any
    /// were queued.
    fn queue_moved(&mut self, target: &SyncTarget) -> Result<bool> {
        const CHECKED: &str = "moved_checked_version";
        let version = self.file.sync_change_version()?;
        if target.remote_state.get(CHECKED).and_then(Value::as_i64) == Some(version) {
            return Ok(false);
        }
        let remote = HashMap::new();
        let Some(moved) =
            self.with_session(target, &remote, |session, context| session.moved(context))?
        else {
            return Ok(false);
        };
        let queued = self.file.queue_sync_entities(target.id, &moved)?;
        // The adapter may have stored state of its own meanwhile.
        let current = self.file.sync_target(&target.name)?.remote_state;
        let mut state = match current {
            Value::Object(map) => map,
            _ => serde_json::Map::new(),
        };
        state.insert(
            CHECKED.to_string(),
            Value::from(self.file.sync_change_version()?),
        );
        self.file
            .set_sync_remote_state(target.id, &Value::Object(state))?;
        Ok(queued > 0)
    }

    /// Runs `run` with the drain's adapter session and a context for
    /// `target` carrying `remote` (what the platform holds per entity).
    fn with_session<R>(
        &mut self,
        target: &SyncTarget,
        remote: &HashMap<String, RemoteRecord>,
        run: impl FnOnce(&mut dyn AdapterSession, &mut SendContext<'_>) -> R,
    ) -> R {
        let mut context = SendContext {
            file: self.file,
            target,
            client: &self.client,
            secret: self.secret.as_deref(),
            remote,
            options: self.options,
        };
        run(self.session.as_mut(), &mut context)
    }

    /// The target's state as stored now (an adapter may have written its
    /// own keys during the drain), as a map.
    fn current_state(&self, target: &SyncTarget) -> Result<serde_json::Map<String, Value>> {
        Ok(match self.file.sync_target(&target.name)?.remote_state {
            Value::Object(map) => map,
            _ => serde_json::Map::new(),
        })
    }

    /// The window after which a request can no longer land.
    fn landing_window(&self) -> chrono::Duration {
        chrono::Duration::from_std(self.options.request_timeout + self.options.late_landing)
            .unwrap_or_default()
    }

    /// Rows of these workouts are created again after reconcile proved them
    /// absent: read the workouts back later for a first request landing
    /// after all (see [`DrainOptions::duplicate_recheck`]).
    fn schedule_duplicate_checks(&mut self, target: &SyncTarget, workouts: &[Id]) -> Result<()> {
        if workouts.is_empty() || self.adapter.full_state() {
            return Ok(());
        }
        let due = (Utc::now() + self.landing_window() * 2)
            .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        let mut state = self.current_state(target)?;
        let checks = state
            .entry(DUPLICATE_CHECKS.to_string())
            .or_insert_with(|| Value::Object(serde_json::Map::new()));
        if !checks.is_object() {
            *checks = Value::Object(serde_json::Map::new());
        }
        let checks = checks.as_object_mut().expect("made an object above");
        for workout in workouts {
            checks.insert(
                workout.to_string(),
                serde_json::json!({"due": due, "stage": 0}),
            );
        }
        self.file
            .set_sync_remote_state(target.id, &Value::Object(state))?;
        Ok(())
    }

    /// With the queue empty: reads back the workouts whose duplicate check
    /// is due, lists what they hold twice in the target's state, and
    /// schedules the next check (once more after a first, then for as long
    /// as a duplicate is listed). A platform that cannot be read leaves the
    /// checks due for the next drain.
    fn check_duplicates(&mut self, target: &SyncTarget) -> Result<()> {
        let state = self.current_state(target)?;
        let Some(checks) = state.get(DUPLICATE_CHECKS).and_then(Value::as_object) else {
            return Ok(());
        };
        let now = Utc::now();
        let due: Vec<(Id, i64)> = checks
            .iter()
            .filter(|(_, check)| {
                check
                    .get("due")
                    .and_then(Value::as_str)
                    .and_then(parse_time)
                    .is_none_or(|due| due <= now)
            })
            .filter_map(|(workout, check)| {
                let stage = check.get("stage").and_then(Value::as_i64).unwrap_or(0);
                workout.parse::<Id>().ok().map(|workout| (workout, stage))
            })
            .collect();
        if due.is_empty() {
            return Ok(());
        }
        let workouts: Vec<Id> = due.iter().map(|(workout, _)| *workout).collect();
        let remote = HashMap::new();
        let found = match self.with_session(target, &remote, |session, context| {
            session.duplicates(context, &workouts)
        })? {
            None => Vec::new(),
            Some(Err(_)) => return Ok(()),
            Some(Ok(found)) => found,
        };
        let recheck =
            chrono::Duration::from_std(self.options.duplicate_recheck).unwrap_or_default();
        let next = (now + recheck).to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        let mut state = self.current_state(target)?;
        let mut take = |key: &str| match state.remove(key) {
            Some(Value::Object(map)) => map,
            _ => serde_json::Map::new(),
        };
        let mut checks = take(DUPLICATE_CHECKS);
        let mut listed = take(DUPLICATES);
        for (workout, stage) in &due {
            let key = workout.to_string();
            let messages = found
                .iter()
                .find(|(found, _)| found == workout)
                .map(|(_, messages)| messages.clone())
                .unwrap_or_default();
            if messages.is_empty() {
                listed.remove(&key);
            } else {
                listed.insert(key.clone(), Value::from(messages.clone()));
            }
            if *stage == 0 || !messages.is_empty() {
                checks.insert(key, serde_json::json!({"due": next, "stage": 1}));
            } else {
                checks.remove(&key);
            }
        }
        if !checks.is_empty() {
            state.insert(DUPLICATE_CHECKS.to_string(), Value::Object(checks));
        }
        if !listed.is_empty() {
            state.insert(DUPLICATES.to_string(), Value::Object(listed));
        }
        self.file
            .set_sync_remote_state(target.id, &Value::Object(state))?;
        Ok(())
    }

    fn send(&mut self, target: &SyncTarget, items: &[OutboxItem]) -> Result<BatchResult> {
        let remote = self.context_remote(target, items)?;
        self.with_session(target, &remote, |session, context| {
            session.send(context, items)
        })
    }

    /// Records a batch's outcome; returns how many rows were refused as part
    /// of a multi-row request (back in the queue, to be sent in halves).
    fn apply(
        &mut self,
        target: &SyncTarget,
        items: &[OutboxItem],
        result: BatchResult,
    ) -> Result<usize> {
        let ids: Vec<Id> = items.iter().map(|item| item.id).collect();
        match result {
            BatchResult::Done(outcomes) => {
                failpoint("after_send_before_ack");
                let mut acks = Vec::new();
                let mut rejections = Vec::new();
                let mut skips = Vec::new();
                let mut refused = Vec::new();
                let mut retry: Vec<Id> = Vec::new();
                let mut retry_failure: Option<(String, Option<Duration>)> = None;
                let mut unconfirmed: Option<String> = None;
                for (item_id, outcome) in outcomes {
                    match outcome {
                        ItemOutcome::Acked(remote) => acks.push(OutboxAck { item_id, remote }),
                        ItemOutcome::Rejected(message) => {
                            rejections.push((item_id, self.redact(&message)))
                        }
                        ItemOutcome::Skipped(reason) => skips.push((item_id, reason)),
                        ItemOutcome::Refused(message) => refused.push((item_id, message)),
                        ItemOutcome::Retry {
                            message,
                            retry_after,
                        } => {
                            retry.push(item_id);
                            retry_failure = Some((message, retry_after));
                        }
                        ItemOutcome::Unconfirmed(message) => unconfirmed = Some(message),
                    }
                }
                self.report.acked += acks.len() as u64;
                self.report.rejected += rejections.len() as u64;
                self.report.skipped += skips.len() as u64;
                self.file.finish_outbox(&acks, &rejections, &skips)?;
                let refused_count = refused.len();
                if !refused.is_empty() {
                    let message = self.redact(&refused[0].1);
                    let refused_ids: Vec<Id> = refused.iter().map(|(id, _)| *id).collect();
                    self.file.release_outbox(&refused_ids, &message)?;
                }
                if let Some((message, retry_after)) = retry_failure {
                    self.report.retried += retry.len() as u64;
                    let message = self.redact(&message);
                    self.file.release_outbox(&retry, &message)?;
                    self.back_off(target, message, retry_after)?;
                    return Ok(refused_count);
                }
                if let Some(message) = unconfirmed {
                    // Maybe applied: those rows stay in flight until their
                    // request can no longer land, then are read back.
                    self.back_off(target, message, None)?;
                    return Ok(refused_count);
                }
                if refused_count > 0 {
                    return Ok(refused_count);
                }
                if let Some((_, message)) = rejections.last() {
                    self.report.last_error = Some(message.clone());
                    self.file.record_sync_attempt(
                        target.id,
                        &SyncAttempt::Failed {
                            message: message.clone(),
                            next_attempt_at: None,
                        },
                    )?;
                } else {
                    self.unreachable = false;
                    self.file
                        .record_sync_attempt(target.id, &SyncAttempt::Succeeded)?;
                }
            }
            BatchResult::Retryable {
                message,
                retry_after,
            } => {
                self.report.retried += ids.len() as u64;
                let message = self.redact(&message);
                self.file.release_outbox(&ids, &message)?;
                self.back_off(target, message, retry_after)?;
            }
            BatchResult::Ambiguous { message } => {
                // Rows stay `sending`; read back once they can no longer land.
                self.back_off(target, message, None)?;
            }
            BatchResult::Rejected { message } => {
                let message = self.redact(&message);
                if items.len() > 1 {
                    self.file.release_outbox(&ids, &message)?;
                    return Ok(items.len());
                } else {
                    self.report.rejected += 1;
                    self.report.last_error = Some(message.clone());
                    self.file.reject_outbox(&[(ids[0], message.clone())])?;
                    self.file.record_sync_attempt(
                        target.id,
                        &SyncAttempt::Failed {
                            message,
                            next_attempt_at: None,
                        },
                    )?;
                }
            }
        }
        Ok(0)
    }

    fn back_off(
        &mut self,
        target: &SyncTarget,
        message: String,
        retry_after: Option<Duration>,
    ) -> Result<()> {
        let message = self.redact(&message);
        let failures = self.file.sync_target(&target.name)?.consecutive_failures;
        // Could not connect at all: probe on a short interval instead of
        // backing off exponentially (the link may return any second).
        let unreachable = message.starts_with(crate::client::UNREACHABLE_PREFIX);
        self.unreachable = unreachable;
        let delay = if unreachable {
            self.options.probe_interval
        } else {
            backoff_delay(
                failures,
                self.options.backoff_base,
                self.options.backoff_cap,
                retry_after,
            )
        };
        let next = Utc::now() + chrono::Duration::from_std(delay).unwrap_or_default();
        self.report.last_error = Some(message.clone());
        self.file.record_sync_attempt(
            target.id,
            &SyncAttempt::Failed {
                message,
                next_attempt_at: Some(next.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)),
            },
        )?;
        Ok(())
    }

    fn reconcile(&mut self, target: &SyncTarget, items: &[OutboxItem]) -> Result<()> {
        let remote = self.context_remote(target, items)?;
        let verdicts = self.with_session(target, &remote, |session, context| {
            session.reconcile(context, items)
        })?;
        let verdicts = match verdicts {
            Ok(verdicts) => verdicts,
            Err(failure) => {
                let message = match BatchResult::from_failure(failure) {
                    BatchResult::Retryable { message, .. }
                    | BatchResult::Ambiguous { message }
                    | BatchResult::Rejected { message } => message,
                    BatchResult::Done(_) => String::new(),
                };
                return self.back_off(target, message, None);
            }
        };
        let mut acks = Vec::new();
        let mut learned = Vec::new();
        let mut resend = Vec::new();
        let mut created_again: Vec<Id> = Vec::new();
        for (item_id, verdict) in verdicts {
            match verdict {
                Verdict::AlreadyApplied(remote) => acks.push(OutboxAck { item_id, remote }),
                Verdict::Resend { learned: record } => {
                    match record {
                        Some(record) => learned.push(record),
                        // Proven absent: it is created again.
                        None => created_again.extend(
                            items
                                .iter()
                                .find(|item| item.id == item_id)
                                .and_then(|item| item.workout_id),
                        ),
                    }
                    resend.push(item_id);
                }
            }
        }
        created_again.sort_unstable();
        created_again.dedup();
        self.schedule_duplicate_checks(target, &created_again)?;
        self.report.reconciled += (acks.len() + resend.len()) as u64;
        self.report.acked += acks.len() as u64;
        if !learned.is_empty() {
            self.file.put_sync_remote_ids(target.id, &learned)?;
        }
        self.file.ack_outbox(&acks)?;
        self.file.release_outbox(
            &resend,
            "reconciled after an ambiguous failure: sending again",
        )?;
        Ok(())
    }
}

/// What the next sync would change on a target's platform, and the requests
/// it would send (credentials masked). Sends nothing and changes nothing.
pub fn preview_target(file: &CompetitionFile, target_name: &str, limit: usize) -> Result<Preview> {
    Registry::builtin().preview(file, target_name, limit)
}
