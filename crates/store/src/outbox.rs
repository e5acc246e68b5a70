//! The outbound sync outbox: targets, durable outbox rows and what each
//! platform calls our entities.
//!
//! Every change a result platform must receive is queued IN THE SAME
//! TRANSACTION as the change itself, by triggers (schema version 6) on
//! `results`, `result_splits`, `workouts`, `lanes` and `competitors`. No
//! write path can forget to queue, and a crash can never leave a stored score
//! without its outbox row (or an outbox row without its score).
//!
//! An outbox row names an *entity*, not a payload: `result/<workout>/c<id>`
//! (one entrant's result), `workout/<id>` (a whole race, for full-state
//! messages) or `competition` (one nested upload), per the target's
//! [`EntityScope`], which its adapter chose (the store knows no platforms). The payload is rendered from the file's current state when the row
//! is sent, so a coalesced row always carries the latest value. At most one
//! row per target and entity is `queued` (a partial unique index): a later
//! change to the same entity only bumps the queued row's `version`.
//!
//! Life of a row: `queued` -> [`CompetitionFile::claim_outbox`] marks it
//! `sending` and fixes its deterministic idempotency key (target, entity,
//! version) before any byte goes out -> the sync worker records `acked` (only
//! on the platform's acknowledgement), `rejected` (a 4xx, with the message),
//! or releases it to `queued` again after a retryable failure
//! ([`CompetitionFile::release_outbox`]), where it becomes `superseded` if a
//! newer change was queued meanwhile. A row found `sending` when a worker
//! starts is *ambiguous* (the process died, or the response was lost): the
//! worker reconciles it against the platform before sending it again.

use crate::codec::SqlWord;
use std::collections::HashMap;

use rusqlite::{params, Connection, OptionalExtension, Row};
use scoretable_core::model::Id;
use serde::{Deserialize, Serialize};

use crate::competition_file::{now_timestamp, CompetitionFile};
use crate::error::{Result, StoreError};

/// What one outbox row of a target stands for, chosen by the target's
/// adapter (in the sync crate) when the target is added. The store knows no
/// platforms: it fans every change out by scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntityScope {
    /// One row per entrant's result (`result/<workout>/c<id>`), for the
    /// target's workouts.
    Result,
    /// One row per workout (`workout/<id>`): a full-state message of the
    /// race, queued on any result or workout change of the target's workouts.
    Workout,
    /// One row for the whole competition (`competition`), queued on any
    /// result or workout change of the target's workouts and on any
    /// competitor change.
    Competition,
}

impl EntityScope {
    /// The spelling stored in the file.
    pub fn code(self) -> &'static str {
        self.as_sql()
    }

    /// Parses [`EntityScope::code`].
    pub fn from_code(code: &str) -> Option<EntityScope> {
        EntityScope::from_sql(code).ok()
    }
}

/// A workout a target receives, with the platform's id for it (RunSignup
/// `event_id`, World Triathlon `prog_id`, OpenTrack event id).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TargetWorkout {
    pub workout_id: Id,
    pub remote_id: String,
}

/// What is needed to configure a target. Never holds a secret.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewSyncTarget {
    pub name: String,
    /// The adapter's platform code (`runsignup`, `opentrack`, ...): data to
    /// the store, looked up in the sync crate's registry.
    pub platform: String,
    /// What the target's outbox rows stand for (from its adapter).
    pub scope: EntityScope,
    /// Base URL, e.g. `https://runsignup.com`.
    pub endpoint: String,
    /// Platform-specific, non-secret settings (race id, formats, field maps).
    pub config: serde_json::Value,
    pub workouts: Vec<TargetWorkout>,
}

/// A configured target with its health.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SyncTarget {
    pub id: Id,
    pub name: String,
    /// The adapter's platform code.
    pub platform: String,
    pub scope: EntityScope,
    pub endpoint: String,
    pub config: serde_json::Value,
    /// The name of the keyring entry (or fallback file) holding the secret.
    pub secret_ref: String,
    pub enabled: bool,
    pub workouts: Vec<TargetWorkout>,
    pub consecutive_failures: u32,
    pub last_attempt_at: Option<String>,
    pub last_success_at: Option<String>,
    pub last_error: Option<String>,
    pub last_error_at: Option<String>,
    /// Backoff: no attempt before this time (RFC 3339).
    pub next_attempt_at: Option<String>,
    /// Adapter state kept between runs (e.g. OpenTrack's competition id, the
    /// digest of World Triathlon's last pushed message).
    pub remote_state: serde_json::Value,
}

/// The state of an outbox row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutboxState {
    Queued,
    Sending,
    Acked,
    Rejected,
    Superseded,
    Skipped,
}

impl OutboxState {
    fn code(self) -> &'static str {
        self.as_sql()
    }

    fn from_code(code: &str) -> Option<OutboxState> {
        OutboxState::from_sql(code).ok()
    }
}

/// One outbox row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxItem {
    pub id: Id,
    pub target_id: Id,
    /// `result/<workout>/c<competitor>`, `result/<workout>/t<team>`,
    /// `workout/<workout>` or `competition`.
    pub entity: String,
    pub workout_id: Option<Id>,
    pub competitor_id: Option<Id>,
    pub team_id: Option<Id>,
    /// The change sequence number of the latest change folded into this row.
    pub version: i64,
    pub state: OutboxState,
    /// Deterministic: `t<target>/<entity>/v<version>`; set when claimed.
    pub idempotency_key: Option<String>,
    pub attempts: u32,
    pub last_error: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    pub finished_at: Option<String>,
}

/// How many rows of a target are in each state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct OutboxCounts {
    pub queued: u64,
    pub sending: u64,
    pub acked: u64,
    pub rejected: u64,
    pub superseded: u64,
    pub skipped: u64,
}

/// What a platform holds for one entity, as last acknowledged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RemoteRecord {
    pub entity: String,
    /// The platform's id (RunSignup `result_id`).
    pub remote_id: Option<String>,
    pub payload_digest: Option<String>,
    /// The acknowledged payload (JSON), e.g. the fields last sent.
    pub payload: Option<serde_json::Value>,
}

/// A row a target's adapter asks to send again although nothing about its
/// entrant changed (e.g. RunSignup rows with hard-coded places after
/// another entrant's result moved them).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueuedEntity {
    pub entity: String,
    pub workout_id: Option<Id>,
    pub competitor_id: Option<Id>,
    pub team_id: Option<Id>,
}

/// An acknowledgement of one outbox row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxAck {
    pub item_id: Id,
    /// What the platform now holds for the row's entity; `None` leaves the
    /// stored record as it is.
    pub remote: Option<RemoteRecord>,
}

/// The outcome of one attempt to talk to a target, for its health.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum SyncAttempt {
    Succeeded,
    /// A failure; `next_attempt_at` is the backoff deadline (RFC 3339).
    Failed {
        message: String,
        next_attempt_at: Option<String>,
    },
}

/// Query parameter names that carry credentials.
const SECRET_QUERY_NAMES: [&str; 12] = [
    "api_key",
    "api_secret",
    "rsu_api_key",
    "sp_api_key",
    "tmp_key",
    "tmp_secret",
    "password",
    "passwd",
    "secret",
    "token",
    "access_token",
    "apikey",
];

/// Why an endpoint URL may not be stored: credentials in it (user info,
/// or a secret-like query parameter) would be kept in the competition file,
/// its backups and exports, and printed. `None` when it is fine. The secret
/// belongs in `sync secret set` (OS keyring).
pub fn endpoint_credential_problem(endpoint: &str) -> Option<String> {
    let rest = endpoint
        .split_once("://")
        .map_or(endpoint, |(_, rest)| rest);
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    if rest[..authority_end].contains('@') {
        return Some(
            "the URL carries credentials (user:password@host); give the endpoint without them \
             and store the secret with `scoretable sync secret set TARGET`"
                .to_string(),
        );
    }
    let query = rest[authority_end..]
        .split_once('?')
        .map(|(_, query)| query.split('#').next().unwrap_or(""))
        .unwrap_or("");
    for pair in query.split('&') {
        let name = pair.split('=').next().unwrap_or("").to_ascii_lowercase();
        let secret_like = SECRET_QUERY_NAMES.contains(&name.as_str())
            || name.ends_with("_secret")
            || name.ends_with("_token")
            || name.ends_with("password");
        if secret_like {
            return Some(format!(
                "the URL carries a credential in its query ({name}=...); give the endpoint \
                 without it and store the secret with `scoretable sync secret set TARGET`"
            ));
        }
    }
    None
}

/// The deterministic idempotency key of an entity version for a target.
pub fn outbox_idempotency_key(target_id: Id, entity: &str, version: i64) -> String {
    format!("t{target_id}/{entity}/v{version}")
}

const TARGET_COLUMNS: &str = "id, name, platform, endpoint, config, secret_ref, enabled, \
    consecutive_failures, last_attempt_at, last_success_at, last_error, last_error_at, \
    next_attempt_at, remote_state, entity_scope";

const ITEM_COLUMNS: &str = "id, target_id, entity, workout_id, competitor_id, team_id, version, \
    state, idempotency_key, attempts, last_error, created_at, updated_at, finished_at";

fn json_column(row: &Row<'_>, index: usize) -> rusqlite::Result<serde_json::Value> {
    let text: String = row.get(index)?;
    serde_json::from_str(&text).map_err(|error| {
        rusqlite::Error::FromSqlConversionFailure(
            index,
            rusqlite::types::Type::Text,
            Box::new(error),
        )
    })
}

fn target_from_row(row: &Row<'_>) -> rusqlite::Result<SyncTarget> {
    let scope: String = row.get(14)?;
    let scope = EntityScope::from_code(&scope).ok_or_else(|| {
        rusqlite::Error::FromSqlConversionFailure(
            14,
            rusqlite::types::Type::Text,
            format!("unknown entity scope {scope}").into(),
        )
    })?;
    Ok(SyncTarget {
        id: row.get(0)?,
        name: row.get(1)?,
        platform: row.get(2)?,
        scope,
        endpoint: row.get(3)?,
        config: json_column(row, 4)?,
        secret_ref: row.get(5)?,
        enabled: row.get::<_, i64>(6)? == 1,
        workouts: Vec::new(),
        consecutive_failures: row.get::<_, i64>(7)? as u32,
        last_attempt_at: row.get(8)?,
        last_success_at: row.get(9)?,
        last_error: row.get(10)?,
        last_error_at: row.get(11)?,
        next_attempt_at: row.get(12)?,
        remote_state: json_column(row, 13)?,
    })
}

fn item_from_row(row: &Row<'_>) -> rusqlite::Result<OutboxItem> {
    let state: String = row.get(7)?;
    let state = OutboxState::from_code(&state).ok_or_else(|| {
        rusqlite::Error::FromSqlConversionFailure(
            7,
            rusqlite::types::Type::Text,
            format!("unknown outbox state {state}").into(),
        )
    })?;
    Ok(OutboxItem {
        id: row.get(0)?,
        target_id: row.get(1)?,
        entity: row.get(2)?,
        workout_id: row.get(3)?,
        competitor_id: row.get(4)?,
        team_id: row.get(5)?,
        version: row.get(6)?,
        state,
        idempotency_key: row.get(8)?,
        attempts: row.get::<_, i64>(9)? as u32,
        last_error: row.get(10)?,
        created_at: row.get(11)?,
        updated_at: row.get(12)?,
        finished_at: row.get(13)?,
    })
}

fn load_target_workouts(connection: &Connection, target_id: Id) -> Result<Vec<TargetWorkout>> {
    let mut statement = connection.prepare_cached(
        "SELECT workout_id, remote_id FROM sync_target_workouts WHERE target_id = ?1
         ORDER BY workout_id",
    )?;
    let rows = statement.query_map(params![target_id], |row| {
        Ok(TargetWorkout {
            workout_id: row.get(0)?,
            remote_id: row.get(1)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

fn load_targets(connection: &Connection, filter: Option<&str>) -> Result<Vec<SyncTarget>> {
    let sql = match filter {
        Some(_) => format!("SELECT {TARGET_COLUMNS} FROM sync_targets WHERE name = ?1"),
        None => format!("SELECT {TARGET_COLUMNS} FROM sync_targets ORDER BY id"),
    };
    let mut statement = connection.prepare(&sql)?;
    let mut targets = match filter {
        Some(name) => statement
            .query_map(params![name], target_from_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?,
        None => statement
            .query_map([], target_from_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?,
    };
    for target in &mut targets {
        target.workouts = load_target_workouts(connection, target.id)?;
    }
    Ok(targets)
}

fn current_change_version(connection: &Connection) -> Result<i64> {
    let sequence: Option<i64> = connection
        .query_row(
            "SELECT seq FROM sqlite_sequence WHERE name = 'sync_changes'",
            [],
            |row| row.get(0),
        )
        .optional()?;
    Ok(sequence.unwrap_or(0).max(1))
}

fn new_secret_ref(name: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|duration| duration.as_nanos())
        .unwrap_or(0);
    let cleaned: String = name
        .chars()
        .map(|character| {
            if character.is_ascii_alphanumeric() {
                character.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    format!("{cleaned}-{nanos:x}-{}", std::process::id())
}

impl CompetitionFile {
    /// Configures a target and queues everything it must receive now, by
    /// its scope (every result of its workouts, each of its workouts, or the
    /// whole competition), so its first sync brings the platform up to date.
    /// The platform's own settings are checked by its adapter before this
    /// (`scoretable_sync::add_target`); the store checks only what every
    /// target needs.
    pub fn add_sync_target(&mut self, target: &NewSyncTarget) -> Result<SyncTarget> {
        let name = target.name.trim();
        if name.is_empty() {
            return Err(StoreError::InvalidInput {
                field: "target name".to_string(),
                message: "must not be empty".to_string(),
            });
        }
        if !(target.endpoint.starts_with("http://") || target.endpoint.starts_with("https://")) {
            return Err(StoreError::InvalidInput {
                field: "endpoint".to_string(),
                message: format!("{:?} is not an http(s) URL", target.endpoint),
            });
        }
        if let Some(message) = endpoint_credential_problem(&target.endpoint) {
            return Err(StoreError::InvalidInput {
                field: "endpoint".to_string(),
                message,
            });
        }
        if !target.config.is_object() {
            return Err(StoreError::InvalidInput {
                field: "config".to_string(),
                message: "must be a JSON object".to_string(),
            });
        }
        let platform = target.platform.trim();
        if platform.is_empty()
            || !platform
                .bytes()
                .all(|byte| byte.is_ascii_lowercase() || byte.is_ascii_digit() || byte == b'_')
        {
            return Err(StoreError::InvalidInput {
                field: "platform".to_string(),
                message: format!(
                    "{:?} must be lowercase letters, digits or '_'",
                    target.platform
                ),
            });
        }
        let platform = platform.to_string();
        let name = name.to_string();
        self.write(|transaction| {
            let exists: bool = transaction.query_row(
                "SELECT EXISTS (SELECT 1 FROM sync_targets WHERE name = ?1)",
                params![name],
                |row| row.get(0),
            )?;
            if exists {
                return Err(StoreError::Conflict(format!(
                    "A sync target named {name} already exists"
                )));
            }
            let now = now_timestamp();
            transaction.execute(
                "INSERT INTO sync_targets (name, platform, entity_scope, endpoint, config,
                    secret_ref, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    name,
                    platform,
                    target.scope.code(),
                    target.endpoint.trim_end_matches('/'),
                    target.config.to_string(),
                    new_secret_ref(&name),
                    now
                ],
            )?;
            let target_id = transaction.last_insert_rowid();
            for workout in &target.workouts {
                let known: bool = transaction.query_row(
                    "SELECT EXISTS (SELECT 1 FROM workouts WHERE id = ?1)",
                    params![workout.workout_id],
                    |row| row.get(0),
                )?;
                if !known {
                    return Err(StoreError::NotFound {
                        what: "workout",
                        key: workout.workout_id.to_string(),
                    });
                }
                if workout.remote_id.trim().is_empty() {
                    return Err(StoreError::InvalidInput {
                        field: format!("platform id of workout {}", workout.workout_id),
                        message: "must not be empty".to_string(),
                    });
                }
                transaction.execute(
                    "INSERT INTO sync_target_workouts (target_id, workout_id, remote_id)
                     VALUES (?1, ?2, ?3)",
                    params![target_id, workout.workout_id, workout.remote_id.trim()],
                )?;
            }
            let version = current_change_version(transaction)?;
            let initial = match target.scope {
                EntityScope::Result => {
                    "INSERT INTO sync_outbox (target_id, entity, workout_id, competitor_id, team_id,
                        version, state, created_at, updated_at)
                     SELECT ?1, 'result/' || results.workout_id || CASE
                            WHEN results.competitor_id IS NOT NULL THEN '/c' || results.competitor_id
                            ELSE '/t' || results.team_id END,
                        results.workout_id, results.competitor_id, results.team_id, ?2, 'queued', ?3, ?3
                     FROM results JOIN sync_target_workouts AS mapped
                        ON mapped.workout_id = results.workout_id AND mapped.target_id = ?1
                     WHERE true
                     ORDER BY results.id"
                }
                EntityScope::Workout => {
                    "INSERT INTO sync_outbox (target_id, entity, workout_id, version, state,
                        created_at, updated_at)
                     SELECT ?1, 'workout/' || workout_id, workout_id, ?2, 'queued', ?3, ?3
                     FROM sync_target_workouts WHERE target_id = ?1"
                }
                EntityScope::Competition => {
                    "INSERT INTO sync_outbox (target_id, entity, version, state, created_at,
                        updated_at)
                     VALUES (?1, 'competition', ?2, 'queued', ?3, ?3)"
                }
            };
            transaction.execute(initial, params![target_id, version, now])?;
            let mut targets = load_targets(transaction, Some(&name))?;
            targets.pop().ok_or_else(|| StoreError::NotFound {
                what: "sync target",
                key: name.clone(),
            })
        })
    }

    /// The sequence number of the latest queued change: it grows with every
    /// change a target may receive, so a cache keyed by it is fresh.
    pub fn sync_change_version(&self) -> Result<i64> {
        self.read(current_change_version)
    }

    /// Every configured target, oldest first.
    pub fn sync_targets(&self) -> Result<Vec<SyncTarget>> {
        self.read(|connection| load_targets(connection, None))
    }

    /// The target with this name (case-insensitive).
    pub fn sync_target(&self, name: &str) -> Result<SyncTarget> {
        self.read(|connection| {
            load_targets(connection, Some(name))?
                .pop()
                .ok_or_else(|| StoreError::NotFound {
                    what: "sync target",
                    key: name.to_string(),
                })
        })
    }

    /// Removes a target with its outbox rows and remote ids. Returns the
    /// removed target so the caller can delete its secret.
    pub fn remove_sync_target(&mut self, name: &str) -> Result<SyncTarget> {
        let target = self.sync_target(name)?;
        self.write(|transaction| {
            transaction.execute("DELETE FROM sync_targets WHERE id = ?1", params![target.id])?;
            Ok(())
        })?;
        Ok(target)
    }

    /// Claims up to `limit` queued rows of a target, oldest first: marks them
    /// `sending`, fixes their idempotency keys and counts the attempt, and
    /// commits that BEFORE anything is sent. A row whose entity is still in
    /// flight (an earlier version whose request may yet land) is not claimed:
    /// it waits until reconcile settled the earlier one, so it is sent as an
    /// edit with the platform's id, never as a second create.
    pub fn claim_outbox(&mut self, target_id: Id, limit: usize) -> Result<Vec<OutboxItem>> {
        self.write(|transaction| {
            let now = now_timestamp();
            let mut select = transaction.prepare_cached(&format!(
                "SELECT {ITEM_COLUMNS} FROM sync_outbox
                 WHERE target_id = ?1 AND state = 'queued' AND entity NOT IN (
                    SELECT entity FROM sync_outbox WHERE target_id = ?1 AND state = 'sending')
                 ORDER BY id LIMIT ?2"
            ))?;
            let mut items = select
                .query_map(params![target_id, limit as i64], item_from_row)?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            let mut update = transaction.prepare_cached(
                "UPDATE sync_outbox SET state = 'sending', idempotency_key = ?2,
                    attempts = attempts + 1, updated_at = ?3 WHERE id = ?1",
            )?;
            for item in &mut items {
                let key = outbox_idempotency_key(item.target_id, &item.entity, item.version);
                update.execute(params![item.id, key, now])?;
                item.state = OutboxState::Sending;
                item.idempotency_key = Some(key);
                item.attempts += 1;
                item.updated_at = now.clone();
            }
            Ok(items)
        })
    }

    /// Queues these entities for one target, in one transaction, with a
    /// freshly reserved change version (so each gets a new idempotency key
    /// and caches keyed by [`Self::sync_change_version`] are refreshed). An
    /// entity already queued keeps its row with the new version. Returns how
    /// many rows were queued or refreshed.
    pub fn queue_sync_entities(&mut self, target_id: Id, rows: &[QueuedEntity]) -> Result<u64> {
        if rows.is_empty() {
            return Ok(0);
        }
        self.write(|transaction| {
            let now = now_timestamp();
            let reserved = transaction.execute(
                "UPDATE sqlite_sequence SET seq = seq + 1 WHERE name = 'sync_changes'",
                [],
            )?;
            if reserved == 0 {
                transaction.execute(
                    "INSERT INTO sqlite_sequence (name, seq) VALUES ('sync_changes', 1)",
                    [],
                )?;
            }
            let version = current_change_version(transaction)?;
            let mut insert = transaction.prepare_cached(
                "INSERT INTO sync_outbox (target_id, entity, workout_id, competitor_id, team_id,
                    version, state, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'queued', ?7, ?7)
                 ON CONFLICT (target_id, entity) WHERE state = 'queued'
                    DO UPDATE SET version = excluded.version, updated_at = excluded.updated_at",
            )?;
            let mut queued = 0u64;
            for row in rows {
                queued += insert.execute(params![
                    target_id,
                    row.entity,
                    row.workout_id,
                    row.competitor_id,
                    row.team_id,
                    version,
                    now
                ])? as u64;
            }
            Ok(queued)
        })
    }

    /// Rows of a target in one state, oldest first (at most `limit`).
    pub fn outbox_items(
        &self,
        target_id: Id,
        state: OutboxState,
        limit: usize,
    ) -> Result<Vec<OutboxItem>> {
        self.read(|connection| {
            let mut statement = connection.prepare_cached(&format!(
                "SELECT {ITEM_COLUMNS} FROM sync_outbox
                 WHERE target_id = ?1 AND state = ?2 ORDER BY id LIMIT ?3"
            ))?;
            let items = statement
                .query_map(
                    params![target_id, state.code(), limit as i64],
                    item_from_row,
                )?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(items)
        })
    }

    /// The most recently finished rows in a state (newest first), e.g. the
    /// latest rejections for the status screen.
    pub fn recent_outbox_items(
        &self,
        target_id: Id,
        state: OutboxState,
        limit: usize,
    ) -> Result<Vec<OutboxItem>> {
        self.read(|connection| {
            let mut statement = connection.prepare_cached(&format!(
                "SELECT {ITEM_COLUMNS} FROM sync_outbox
                 WHERE target_id = ?1 AND state = ?2 ORDER BY updated_at DESC, id DESC LIMIT ?3"
            ))?;
            let items = statement
                .query_map(
                    params![target_id, state.code(), limit as i64],
                    item_from_row,
                )?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(items)
        })
    }

    /// How many rows of a target are in each state.
    pub fn outbox_counts(&self, target_id: Id) -> Result<OutboxCounts> {
        self.read(|connection| {
            let mut statement = connection.prepare_cached(
                "SELECT state, count(*) FROM sync_outbox WHERE target_id = ?1 GROUP BY state",
            )?;
            let mut counts = OutboxCounts::default();
            let rows = statement.query_map(params![target_id], |row| {
                Ok((row.get::<_, String>(0)?, row.get::<_, i64>(1)? as u64))
            })?;
            for row in rows {
                let (state, count) = row?;
                match OutboxState::from_code(&state) {
                    Some(OutboxState::Queued) => counts.queued = count,
                    Some(OutboxState::Sending) => counts.sending = count,
                    Some(OutboxState::Acked) => counts.acked = count,
                    Some(OutboxState::Rejected) => counts.rejected = count,
                    Some(OutboxState::Superseded) => counts.superseded = count,
                    Some(OutboxState::Skipped) => counts.skipped = count,
                    None => {}
                }
            }
            Ok(counts)
        })
    }

    /// Records acknowledgements: the rows become `acked` and the platform's
    /// view of each entity is stored, all in one transaction.
    pub fn ack_outbox(&mut self, acks: &[OutboxAck]) -> Result<()> {
        self.finish_outbox(acks, &[], &[])
    }

    /// Records 4xx rejections with the platform's message.
    pub fn reject_outbox(&mut self, rejections: &[(Id, String)]) -> Result<()> {
        self.finish_outbox(&[], rejections, &[])
    }

    /// Acks, rejections and skips of one batch in one transaction.
    pub fn finish_outbox(
        &mut self,
        acks: &[OutboxAck],
        rejections: &[(Id, String)],
        skipped: &[(Id, String)],
    ) -> Result<()> {
        self.write(|transaction| {
            let now = now_timestamp();
            let mut finish = transaction.prepare_cached(
                "UPDATE sync_outbox SET state = ?2, last_error = ?3, updated_at = ?4,
                    finished_at = ?4 WHERE id = ?1 AND state = 'sending'",
            )?;
            let mut remote = transaction.prepare_cached(
                "INSERT INTO sync_remote_ids (target_id, entity, remote_id, payload_digest,
                    payload, updated_at)
                 SELECT target_id, entity, ?2, ?3, ?4, ?5 FROM sync_outbox WHERE id = ?1
                 ON CONFLICT (target_id, entity) DO UPDATE SET
                    remote_id = coalesce(excluded.remote_id, remote_id),
                    payload_digest = excluded.payload_digest, payload = excluded.payload,
                    updated_at = excluded.updated_at",
            )?;
            for ack in acks {
                finish.execute(params![ack.item_id, "acked", None::<String>, now])?;
                if let Some(record) = &ack.remote {
                    remote.execute(params![
                        ack.item_id,
                        record.remote_id,
                        record.payload_digest,
                        record.payload.as_ref().map(|payload| payload.to_string()),
                        now
                    ])?;
                }
            }
            for (item_id, message) in rejections {
                finish.execute(params![item_id, "rejected", message, now])?;
            }
            for (item_id, reason) in skipped {
                finish.execute(params![item_id, "skipped", reason, now])?;
            }
            Ok(())
        })
    }

    /// Returns claimed rows to the queue after a failure that did not apply
    /// them (or after reconcile showed they still have to be sent). A row
    /// whose entity was queued again meanwhile becomes `superseded`: the
    /// newer row carries the latest value.
    pub fn release_outbox(&mut self, item_ids: &[Id], error: &str) -> Result<()> {
        self.write(|transaction| {
            let now = now_timestamp();
            let mut supersede = transaction.prepare_cached(
                "UPDATE sync_outbox SET state = 'superseded', last_error = ?2, updated_at = ?3,
                    finished_at = ?3
                 WHERE id = ?1 AND state = 'sending' AND EXISTS (
                    SELECT 1 FROM sync_outbox AS newer WHERE newer.target_id = sync_outbox.target_id
                    AND newer.entity = sync_outbox.entity AND newer.state = 'queued')",
            )?;
            let mut requeue = transaction.prepare_cached(
                "UPDATE sync_outbox SET state = 'queued', last_error = ?2, updated_at = ?3
                 WHERE id = ?1 AND state = 'sending'",
            )?;
            for item_id in item_ids {
                if supersede.execute(params![item_id, error, now])? == 0 {
                    requeue.execute(params![item_id, error, now])?;
                }
            }
            Ok(())
        })
    }

    /// Queues a target's rejected rows again (after a configuration fix):
    /// all of them, or those whose entity is `entity` or starts with
    /// `entity/` (e.g. `result/3` for one workout). Per entity only the
    /// newest rejected row is queued; older ones, and those whose entity is
    /// already queued, become `superseded`. Clears the target's backoff so
    /// the next drain sends at once. Returns how many rows were queued.
    pub fn requeue_rejected(&mut self, target_id: Id, entity: Option<&str>) -> Result<u64> {
        self.write(|transaction| {
            let now = now_timestamp();
            let filter = "target_id = ?1 AND state = 'rejected'
                AND (?2 IS NULL OR entity = ?2 OR substr(entity, 1, length(?2) + 1) = ?2 || '/')";
            transaction.execute(
                &format!(
                    "UPDATE sync_outbox SET state = 'superseded', updated_at = ?3, finished_at = ?3
                     WHERE {filter} AND (
                        EXISTS (SELECT 1 FROM sync_outbox AS other
                            WHERE other.target_id = sync_outbox.target_id
                            AND other.entity = sync_outbox.entity AND other.state = 'queued')
                        OR EXISTS (SELECT 1 FROM sync_outbox AS other
                            WHERE other.target_id = sync_outbox.target_id
                            AND other.entity = sync_outbox.entity AND other.state = 'rejected'
                            AND other.id > sync_outbox.id))"
                ),
                params![target_id, entity, now],
            )?;
            let queued = transaction.execute(
                &format!(
                    "UPDATE sync_outbox SET state = 'queued', idempotency_key = NULL,
                        finished_at = NULL, updated_at = ?3,
                        last_error = 'queued again after: ' || coalesce(last_error, '')
                     WHERE {filter}"
                ),
                params![target_id, entity, now],
            )?;
            transaction.execute(
                "UPDATE sync_targets SET next_attempt_at = NULL, consecutive_failures = 0
                 WHERE id = ?1",
                params![target_id],
            )?;
            Ok(queued as u64)
        })
    }

    /// Records one attempt's outcome in the target's health.
    pub fn record_sync_attempt(&mut self, target_id: Id, attempt: &SyncAttempt) -> Result<()> {
        self.write(|transaction| {
            let now = now_timestamp();
            match attempt {
                SyncAttempt::Succeeded => transaction.execute(
                    "UPDATE sync_targets SET last_attempt_at = ?2, last_success_at = ?2,
                        consecutive_failures = 0, next_attempt_at = NULL WHERE id = ?1",
                    params![target_id, now],
                )?,
                SyncAttempt::Failed {
                    message,
                    next_attempt_at,
                } => transaction.execute(
                    "UPDATE sync_targets SET last_attempt_at = ?2, last_error = ?3,
                        last_error_at = ?2, consecutive_failures = consecutive_failures + 1,
                        next_attempt_at = ?4 WHERE id = ?1",
                    params![target_id, now, message, next_attempt_at],
                )?,
            };
            Ok(())
        })?;
        // The competition-day log: what the Sync screen showed, when. The
        // message is the stored one (credentials already masked by the
        // adapter); no request or response body is logged.
        match attempt {
            SyncAttempt::Succeeded => tracing::info!(target_id, "sync attempt succeeded"),
            SyncAttempt::Failed {
                message,
                next_attempt_at,
            } => tracing::warn!(
                target_id,
                error = %message,
                next_attempt_at = next_attempt_at.as_deref().unwrap_or("-"),
                "sync attempt failed"
            ),
        }
        Ok(())
    }

    /// Replaces the adapter state kept for a target.
    pub fn set_sync_remote_state(
        &mut self,
        target_id: Id,
        remote_state: &serde_json::Value,
    ) -> Result<()> {
        self.write(|transaction| {
            transaction.execute(
                "UPDATE sync_targets SET remote_state = ?2 WHERE id = ?1",
                params![target_id, remote_state.to_string()],
            )?;
            Ok(())
        })
    }

    /// What the platform holds for each entity of a target, as last acknowledged.
    pub fn sync_remote_records(&self, target_id: Id) -> Result<HashMap<String, RemoteRecord>> {
        self.read(|connection| {
            let mut statement = connection.prepare_cached(
                "SELECT entity, remote_id, payload_digest, payload FROM sync_remote_ids
                 WHERE target_id = ?1",
            )?;
            let rows = statement.query_map(params![target_id], |row| {
                let payload: Option<String> = row.get(3)?;
                Ok(RemoteRecord {
                    entity: row.get(0)?,
                    remote_id: row.get(1)?,
                    payload_digest: row.get(2)?,
                    payload: payload.and_then(|text| serde_json::from_str(&text).ok()),
                })
            })?;
            let mut records = HashMap::new();
            for row in rows {
                let record = row?;
                records.insert(record.entity.clone(), record);
            }
            Ok(records)
        })
    }

    /// What the platform holds for the given entities of a target (the rows
    /// of one batch), without loading every record of the target.
    pub fn sync_remote_records_for(
        &self,
        target_id: Id,
        entities: &[&str],
    ) -> Result<HashMap<String, RemoteRecord>> {
        self.read(|connection| {
            let mut statement = connection.prepare_cached(
                "SELECT entity, remote_id, payload_digest, payload FROM sync_remote_ids
                 WHERE target_id = ?1 AND entity = ?2",
            )?;
            let mut records = HashMap::with_capacity(entities.len());
            for entity in entities {
                let record = statement
                    .query_row(params![target_id, entity], |row| {
                        let payload: Option<String> = row.get(3)?;
                        Ok(RemoteRecord {
                            entity: row.get(0)?,
                            remote_id: row.get(1)?,
                            payload_digest: row.get(2)?,
                            payload: payload.and_then(|text| serde_json::from_str(&text).ok()),
                        })
                    })
                    .optional()?;
                if let Some(record) = record {
                    records.insert(record.entity.clone(), record);
                }
            }
            Ok(records)
        })
    }

    /// Stores what reconcile read back from the platform (e.g. the
    /// `result_id`s RunSignup assigned), without touching outbox rows.
    pub fn put_sync_remote_ids(&mut self, target_id: Id, records: &[RemoteRecord]) -> Result<()> {
        self.write(|transaction| {
            let now = now_timestamp();
            let mut statement = transaction.prepare_cached(
                "INSERT INTO sync_remote_ids (target_id, entity, remote_id, payload_digest,
                    payload, updated_at) VALUES (?1, ?2, ?3, NULL, NULL, ?4)
                 ON CONFLICT (target_id, entity) DO UPDATE SET remote_id = excluded.remote_id,
                    updated_at = excluded.updated_at",
            )?;
            for record in records {
                statement.execute(params![target_id, record.entity, record.remote_id, now])?;
            }
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::ScoreInput;
    use scoretable_core::model::{
        Competition, Competitor, Entrant, ExternalIds, PublicationState, ScoreType,
    };

    fn competition() -> Competition {
        Competition {
            name: "Outbox Open".to_string(),
            slug: "outbox-open".to_string(),
            start_date: "2026-05-01".to_string(),
            end_date: "2026-05-01".to_string(),
            venue: "Hall".to_string(),
            country: "GBR".to_string(),
            organiser: "Club".to_string(),
            time_zone: "Europe/London".to_string(),
        }
    }

    fn file_with_two_athletes() -> (tempfile::TempDir, CompetitionFile, Id) {
        let directory = tempfile::tempdir().unwrap();
        let mut file =
            CompetitionFile::create(directory.path().join("o.scoretable"), &competition()).unwrap();
        for (bib, first) in [("1", "Ada"), ("2", "Bea")] {
            file.add_competitor(&Competitor {
                id: 0,
                bib: bib.to_string(),
                chip_ids: vec![],
                first_name: first.to_string(),
                last_name: "Vale".to_string(),
                gender: None,
                date_of_birth: None,
                country: None,
                club: None,
                external_ids: ExternalIds::default(),
                division_ids: vec![],
                para_class: None,
            })
            .unwrap();
        }
        let workout_id = file
            .add_workout(&scoretable_testkit::fixtures::workout(
                "5k",
                1,
                ScoreType::Time,
            ))
            .unwrap();
        (directory, file, workout_id)
    }

    fn runsignup(workout_id: Id) -> NewSyncTarget {
        NewSyncTarget {
            name: "rsu".to_string(),
            platform: "runsignup".to_string(),
            scope: EntityScope::Result,
            endpoint: "http://127.0.0.1:9".to_string(),
            config: serde_json::json!({"race_id": "1"}),
            workouts: vec![TargetWorkout {
                workout_id,
                remote_id: "11".to_string(),
            }],
        }
    }

    #[test]
    fn existing_results_are_queued_when_a_target_is_added() {
        let (_directory, mut file, workout_id) = file_with_two_athletes();
        file.enter_score_by_bib(workout_id, "1", ScoreInput::text("17:00.1"), "t")
            .unwrap();
        let target = file.add_sync_target(&runsignup(workout_id)).unwrap();
        let queued = file
            .outbox_items(target.id, OutboxState::Queued, 10)
            .unwrap();
        assert_eq!(queued.len(), 1);
        assert!(queued[0]
            .entity
            .starts_with(&format!("result/{workout_id}/c")));
    }

    #[test]
    fn every_change_is_queued_and_later_changes_coalesce() {
        let (_directory, mut file, workout_id) = file_with_two_athletes();
        let target = file.add_sync_target(&runsignup(workout_id)).unwrap();
        assert_eq!(file.outbox_counts(target.id).unwrap().queued, 0);
        let receipt = file
            .enter_score_by_bib(workout_id, "1", ScoreInput::text("17:00.1"), "t")
            .unwrap();
        file.enter_score_by_bib(workout_id, "2", ScoreInput::text("17:05.0"), "t")
            .unwrap();
        let first = file
            .outbox_items(target.id, OutboxState::Queued, 10)
            .unwrap();
        assert_eq!(first.len(), 2);
        // Undo then re-enter: still one queued row for the entrant, newer version.
        file.undo_entry(receipt.entry_id, "t").unwrap();
        file.enter_score_by_bib(workout_id, "1", ScoreInput::text("16:59.0"), "t")
            .unwrap();
        let after = file
            .outbox_items(target.id, OutboxState::Queued, 10)
            .unwrap();
        assert_eq!(after.len(), 2);
        let ada_before = first.iter().find(|item| item.entity == first[0].entity);
        let ada_after = after.iter().find(|item| item.entity == first[0].entity);
        assert!(ada_after.unwrap().version > ada_before.unwrap().version);
    }

    #[test]
    fn claimed_rows_get_deterministic_keys_and_release_supersedes() {
        let (_directory, mut file, workout_id) = file_with_two_athletes();
        let target = file.add_sync_target(&runsignup(workout_id)).unwrap();
        file.enter_score_by_bib(workout_id, "1", ScoreInput::text("17:00.1"), "t")
            .unwrap();
        let claimed = file.claim_outbox(target.id, 10).unwrap();
        assert_eq!(claimed.len(), 1);
        let item = &claimed[0];
        assert_eq!(
            item.idempotency_key.as_deref(),
            Some(outbox_idempotency_key(target.id, &item.entity, item.version).as_str())
        );
        assert!(file.claim_outbox(target.id, 10).unwrap().is_empty());
        // A change while the row is in flight queues a new row...
        let ada = file.competitor_by_bib("1").unwrap().unwrap();
        file.amend_score(
            workout_id,
            Entrant::Competitor(ada.id),
            "17:00.0",
            "referee",
            "photo finish",
            None,
        )
        .unwrap();
        // ...so releasing the failed row supersedes it.
        file.release_outbox(&[item.id], "HTTP 503").unwrap();
        let counts = file.outbox_counts(target.id).unwrap();
        assert_eq!((counts.queued, counts.superseded), (1, 1));
        // Without a newer row, a release requeues.
        let again = file.claim_outbox(target.id, 10).unwrap();
        file.release_outbox(&[again[0].id], "HTTP 503").unwrap();
        let counts = file.outbox_counts(target.id).unwrap();
        assert_eq!((counts.queued, counts.sending), (1, 0));
        let third = file.claim_outbox(target.id, 10).unwrap();
        assert_eq!(third[0].idempotency_key, again[0].idempotency_key);
        file.ack_outbox(&[OutboxAck {
            item_id: third[0].id,
            remote: Some(RemoteRecord {
                entity: third[0].entity.clone(),
                remote_id: Some("r-9".to_string()),
                payload_digest: Some("d".to_string()),
                payload: None,
            }),
        }])
        .unwrap();
        let records = file.sync_remote_records(target.id).unwrap();
        assert_eq!(records[&third[0].entity].remote_id.as_deref(), Some("r-9"));
        assert_eq!(file.outbox_counts(target.id).unwrap().acked, 1);
    }

    #[test]
    fn rejections_keep_their_message_and_official_state_reaches_live_timing() {
        let (_directory, mut file, workout_id) = file_with_two_athletes();
        let live = file
            .add_sync_target(&NewSyncTarget {
                name: "wt".to_string(),
                platform: "world_triathlon".to_string(),
                scope: EntityScope::Workout,
                endpoint: "http://127.0.0.1:9".to_string(),
                config: serde_json::json!({}),
                workouts: vec![TargetWorkout {
                    workout_id,
                    remote_id: "307158".to_string(),
                }],
            })
            .unwrap();
        let claimed = file.claim_outbox(live.id, 10).unwrap();
        file.reject_outbox(&[(claimed[0].id, "HTTP 422: num_athletes".to_string())])
            .unwrap();
        let rejected = file
            .recent_outbox_items(live.id, OutboxState::Rejected, 5)
            .unwrap();
        assert_eq!(
            rejected[0].last_error.as_deref(),
            Some("HTTP 422: num_athletes")
        );
        file.set_workout_state(workout_id, PublicationState::Official)
            .unwrap();
        let queued = file.outbox_items(live.id, OutboxState::Queued, 5).unwrap();
        assert_eq!(queued.len(), 1);
        assert_eq!(queued[0].entity, format!("workout/{workout_id}"));
    }

    #[test]
    fn a_failed_write_queues_nothing() {
        let (_directory, mut file, workout_id) = file_with_two_athletes();
        let target = file.add_sync_target(&runsignup(workout_id)).unwrap();
        assert!(file
            .enter_score_by_bib(workout_id, "1", ScoreInput::text("not a time"), "t")
            .is_err());
        assert_eq!(
            file.outbox_counts(target.id).unwrap(),
            OutboxCounts::default()
        );
    }

    #[test]
    fn targets_round_trip_and_remove() {
        let (_directory, mut file, workout_id) = file_with_two_athletes();
        let added = file.add_sync_target(&runsignup(workout_id)).unwrap();
        assert_eq!(file.sync_target("RSU").unwrap(), added);
        assert!(file.add_sync_target(&runsignup(workout_id)).is_err());
        file.record_sync_attempt(
            added.id,
            &SyncAttempt::Failed {
                message: "HTTP 503".to_string(),
                next_attempt_at: None,
            },
        )
        .unwrap();
        let target = file.sync_target("rsu").unwrap();
        assert_eq!(target.consecutive_failures, 1);
        assert_eq!(target.last_error.as_deref(), Some("HTTP 503"));
        file.remove_sync_target("rsu").unwrap();
        assert!(file.sync_targets().unwrap().is_empty());
    }

    /// The store takes any platform code and fans changes out by the
    /// target's scope alone: a platform it has never heard of works.
    #[test]
    fn any_platform_code_fans_out_by_its_scope() {
        let (_directory, mut file, workout_id) = file_with_two_athletes();
        let mapped = vec![TargetWorkout {
            workout_id,
            remote_id: "1".to_string(),
        }];
        let mut targets = Vec::new();
        for (name, scope) in [
            ("per-result", EntityScope::Result),
            ("per-race", EntityScope::Workout),
            ("whole", EntityScope::Competition),
        ] {
            targets.push(
                file.add_sync_target(&NewSyncTarget {
                    name: name.to_string(),
                    platform: "example_platform_2".to_string(),
                    scope,
                    endpoint: "http://127.0.0.1:9".to_string(),
                    config: serde_json::json!({}),
                    workouts: mapped.clone(),
                })
                .unwrap(),
            );
        }
        assert_eq!(targets[0].platform, "example_platform_2");
        assert_eq!(targets[2].scope, EntityScope::Competition);
        for target in &targets {
            let claimed = file.claim_outbox(target.id, 10).unwrap();
            file.ack_outbox(
                &claimed
                    .iter()
                    .map(|item| OutboxAck {
                        item_id: item.id,
                        remote: None,
                    })
                    .collect::<Vec<_>>(),
            )
            .unwrap();
        }
        file.enter_score_by_bib(workout_id, "1", ScoreInput::text("17:00.1"), "t")
            .unwrap();
        let ada = file.competitor_by_bib("1").unwrap().unwrap();
        let queued = |file: &CompetitionFile, target: &SyncTarget| -> Vec<String> {
            file.outbox_items(target.id, OutboxState::Queued, 10)
                .unwrap()
                .into_iter()
                .map(|item| item.entity)
                .collect()
        };
        assert_eq!(
            queued(&file, &targets[0]),
            vec![format!("result/{workout_id}/c{}", ada.id)]
        );
        assert_eq!(
            queued(&file, &targets[1]),
            vec![format!("workout/{workout_id}")]
        );
        assert_eq!(queued(&file, &targets[2]), vec!["competition".to_string()]);
        let per_result = file
            .outbox_items(targets[0].id, OutboxState::Queued, 1)
            .unwrap();
        assert_eq!(per_result[0].competitor_id, Some(ada.id));
        // A competitor change reaches only the competition-wide target.
        let mut bea = file.competitor_by_bib("2").unwrap().unwrap();
        bea.club = Some("Harriers".to_string());
        file.update_competitor(&bea).unwrap();
        assert_eq!(queued(&file, &targets[0]).len(), 1);
        assert_eq!(queued(&file, &targets[1]).len(), 1);
        assert_eq!(queued(&file, &targets[2]), vec!["competition".to_string()]);
        // A code that is not a plain word is refused, naming the field.
        let error = file
            .add_sync_target(&NewSyncTarget {
                name: "odd".to_string(),
                platform: "Run Signup".to_string(),
                scope: EntityScope::Result,
                endpoint: "http://127.0.0.1:9".to_string(),
                config: serde_json::json!({}),
                workouts: vec![],
            })
            .unwrap_err();
        assert!(error.to_string().contains("platform"), "{error}");
    }
}
