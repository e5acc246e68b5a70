//! What every platform adapter shares: the per-pass context, per-item
//! outcomes, previews and payload digests.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use reqwest::blocking::Client;
use scoretable_core::model::Id;
use scoretable_store::{CompetitionFile, RemoteRecord, SyncTarget};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::client::SendOutcome;

/// Everything an adapter needs for one batch.
pub struct AdapterContext<'a> {
    pub file: &'a CompetitionFile,
    pub target: &'a SyncTarget,
    pub client: &'a Client,
    /// The target's secret; `None` only in previews.
    pub secret: Option<&'a str>,
    /// What the platform holds per entity, as last acknowledged.
    pub remote: &'a HashMap<String, RemoteRecord>,
}

impl AdapterContext<'_> {
    /// The platform's id for a workout (`event_id`, `prog_id`).
    pub fn workout_remote_id(&self, workout_id: Id) -> Option<&str> {
        self.target
            .workouts
            .iter()
            .find(|workout| workout.workout_id == workout_id)
            .map(|workout| workout.remote_id.as_str())
    }

    /// `endpoint` + `path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.target.endpoint.trim_end_matches('/'), path)
    }
}

/// What happened to one outbox row in a batch.
#[derive(Debug, Clone, PartialEq)]
pub enum ItemOutcome {
    /// The platform confirmed it; store what it now holds.
    Acked(Option<RemoteRecord>),
    /// Refused (by the platform with a 4xx, or locally because the seed
    /// forbids it); shown to the user.
    Rejected(String),
    /// Nothing to send (unchanged, or never sent and now gone).
    Skipped(String),
    /// The platform's answer did not cover this row (or no answer came):
    /// maybe applied. The row stays in flight and is read back once its
    /// request can no longer land.
    Unconfirmed(String),
    /// Refused as part of a multi-row request (nothing applied): the row may
    /// be fine; it is sent again alone so only bad rows end rejected.
    Refused(String),
    /// Not applied (5xx, 429, no connection): back to the queue, after backoff.
    Retry {
        message: String,
        retry_after: Option<Duration>,
    },
}

/// The result of sending one batch.
#[derive(Debug, Clone, PartialEq)]
pub enum BatchResult {
    /// Every row has an outcome.
    Done(Vec<(Id, ItemOutcome)>),
    /// Nothing was applied; retry after backoff.
    Retryable {
        message: String,
        retry_after: Option<Duration>,
    },
    /// Maybe applied; reconcile before sending again.
    Ambiguous { message: String },
    /// The platform refused the whole request (4xx).
    Rejected { message: String },
}

impl BatchResult {
    /// Maps a failed send to a batch result.
    pub fn from_failure(outcome: SendOutcome) -> BatchResult {
        match outcome {
            SendOutcome::Rejected { message, .. } => BatchResult::Rejected { message },
            SendOutcome::Retryable {
                message,
                retry_after,
            } => BatchResult::Retryable {
                message,
                retry_after,
            },
            SendOutcome::Ambiguous { message } => BatchResult::Ambiguous { message },
            SendOutcome::Response { status, body } => BatchResult::Ambiguous {
                message: format!(
                    "HTTP {status} without a confirming body: {}",
                    body.chars().take(200).collect::<String>()
                ),
            },
        }
    }
}

/// Reconcile's verdict on one ambiguous row.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    /// The platform already holds what the row would send.
    AlreadyApplied(Option<RemoteRecord>),
    /// Send it again; `learned` carries the platform's id when reconcile
    /// found the entity there, so the re-send is an edit, not a second result.
    Resend { learned: Option<RemoteRecord> },
}

/// A request as it would go out, with credentials masked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RenderedRequest {
    pub method: String,
    pub url: String,
    pub content_type: String,
    /// Form fields (RunSignup) or empty.
    pub form: Vec<(String, String)>,
    pub body: String,
}

/// One entity's change on the platform, for the preview.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PreviewChange {
    pub entity: String,
    /// `create`, `update`, `unchanged`, `cannot_send` or `nothing_to_send`.
    pub action: String,
    /// What the platform holds now, as last acknowledged.
    pub before: Option<serde_json::Value>,
    /// What would be sent.
    pub after: Option<serde_json::Value>,
    pub note: Option<String>,
}

/// A preview: the changes and the requests that would carry them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Preview {
    pub changes: Vec<PreviewChange>,
    pub requests: Vec<RenderedRequest>,
}

/// A stable digest of a JSON payload (object keys are sorted by serde_json's
/// map, so equal contents give equal digests).
pub fn payload_digest(payload: &serde_json::Value) -> String {
    let canonical: BTreeMap<String, serde_json::Value> = match payload {
        serde_json::Value::Object(map) => map.clone().into_iter().collect(),
        other => {
            let mut map = BTreeMap::new();
            map.insert(String::new(), other.clone());
            map
        }
    };
    let text = serde_json::to_string(&canonical).unwrap_or_default();
    hex(&Sha256::digest(text.as_bytes()))
}

/// The idempotency key sent in the `Idempotency-Key` header: the SHA-256 of
/// the outbox row's deterministic key (target, entity, version).
pub fn idempotency_header(keys: &[&str]) -> String {
    let mut hasher = Sha256::new();
    for key in keys {
        hasher.update(key.as_bytes());
        hasher.update(b"\n");
    }
    hex(&hasher.finalize())
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// Reads a string or number config field.
pub(crate) fn config_text(config: &serde_json::Value, key: &str) -> Option<String> {
    match config.get(key)? {
        serde_json::Value::String(text) if !text.is_empty() => Some(text.clone()),
        serde_json::Value::Number(number) => Some(number.to_string()),
        serde_json::Value::Bool(flag) => Some(flag.to_string()),
        _ => None,
    }
}
