//! Saved field mappings and polled connections with their health; URLs
//! carrying credentials are refused.

use super::*;
use crate::codec::SqlWord;

/// A saved field mapping (its JSON belongs to the inbound crate).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SavedMapping {
    pub id: Id,
    pub name: String,
    /// The workout it was made for, when bound to one.
    pub workout_id: Option<Id>,
    pub mapping: serde_json::Value,
    pub updated_at: String,
}

/// A connection's health.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConnectionState {
    /// Never polled.
    Idle,
    /// The last poll succeeded.
    Ok,
    /// The last poll failed; waiting before the next try.
    BackingOff,
    /// The last poll reached the source but its payload or mapping was bad.
    Error,
}

impl ConnectionState {
    fn word(self) -> &'static str {
        self.as_sql()
    }

    pub(super) fn from_word(word: &str) -> rusqlite::Result<ConnectionState> {
        ConnectionState::from_sql(word).map_err(|_| bad_word(word))
    }
}

/// A connection's health as stored after each poll.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConnectionStatus {
    pub state: ConnectionState,
    /// The last error, or `None` when healthy.
    pub message: Option<String>,
    pub consecutive_failures: u32,
    pub last_attempt_at: Option<String>,
    pub last_success_at: Option<String>,
    /// When the poller will try next (backing off), RFC 3339.
    pub next_attempt_at: Option<String>,
    /// The last successful poll's report (JSON of the inbound crate's summary).
    pub last_report: Option<serde_json::Value>,
}

/// A polled timing-system connection.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InboundConnection {
    pub id: Id,
    pub name: String,
    pub url: String,
    pub workout_id: Id,
    pub mapping_name: String,
    /// The record format word of the inbound crate (`json`, `world_triathlon`, `csv`, `xml`).
    pub format: String,
    pub interval_ms: u64,
    /// The environment variable holding an `Authorization` header value.
    pub auth_env: Option<String>,
    pub enabled: bool,
    pub status: ConnectionStatus,
}

/// The fields needed to add a connection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewConnection {
    pub name: String,
    pub url: String,
    pub workout_id: Id,
    pub mapping_name: String,
    pub format: String,
    pub interval_ms: u64,
    pub auth_env: Option<String>,
}

impl CompetitionFile {
    /// Saves (creates or replaces, by name) a field mapping.
    pub fn save_mapping(
        &mut self,
        name: &str,
        workout_id: Option<Id>,
        mapping: &serde_json::Value,
    ) -> Result<Id> {
        let name = name.trim().to_string();
        if name.is_empty() {
            return Err(StoreError::InvalidInput {
                field: "mapping name".into(),
                message: "must not be empty".into(),
            });
        }
        if let Some(workout_id) = workout_id {
            load_workout(&self.connection, workout_id)?;
        }
        let text = to_json(mapping);
        self.write(|transaction| {
            transaction.execute(
                "INSERT INTO inbound_mappings (name, workout_id, mapping, updated_at)
                 VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT(name) DO UPDATE SET workout_id = excluded.workout_id,
                    mapping = excluded.mapping, updated_at = excluded.updated_at",
                params![name, workout_id, text, now_timestamp()],
            )?;
            Ok(transaction.query_row(
                "SELECT id FROM inbound_mappings WHERE name = ?1",
                params![name],
                |row| row.get(0),
            )?)
        })
    }

    /// A saved mapping by name (case-insensitive).
    pub fn mapping_by_name(&self, name: &str) -> Result<Option<SavedMapping>> {
        Ok(self
            .connection
            .query_row(
                "SELECT id, name, workout_id, mapping, updated_at FROM inbound_mappings
                 WHERE name = ?1",
                params![name.trim()],
                mapping_from_row,
            )
            .optional()?)
    }

    /// Every saved mapping, by name.
    pub fn mappings(&self) -> Result<Vec<SavedMapping>> {
        let mut statement = self.connection.prepare(
            "SELECT id, name, workout_id, mapping, updated_at FROM inbound_mappings ORDER BY name",
        )?;
        let rows = statement.query_map([], mapping_from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Adds a polled connection. The URL may not carry a password or a
    /// token: name an environment variable in `auth_env` instead.
    pub fn add_connection(&mut self, connection: &NewConnection) -> Result<InboundConnection> {
        let name = connection.name.trim().to_string();
        let invalid = |field: &str, message: String| StoreError::InvalidInput {
            field: format!("connection {field}"),
            message,
        };
        if name.is_empty() {
            return Err(invalid("name", "must not be empty".into()));
        }
        check_url_has_no_secret(&connection.url).map_err(|message| invalid("url", message))?;
        if connection.interval_ms < 100 {
            return Err(invalid(
                "interval",
                format!(
                    "{} ms is too short; poll at most ten times a second",
                    connection.interval_ms
                ),
            ));
        }
        if let Some(variable) = &connection.auth_env {
            if variable.trim().is_empty()
                || !variable
                    .chars()
                    .all(|character| character.is_ascii_alphanumeric() || character == '_')
            {
                return Err(invalid(
                    "auth_env",
                    format!("{variable:?} is not an environment variable name"),
                ));
            }
        }
        load_workout(&self.connection, connection.workout_id)?;
        let mapping = self
            .mapping_by_name(&connection.mapping_name)?
            .ok_or_else(|| StoreError::NotFound {
                what: "mapping",
                key: connection.mapping_name.clone(),
            })?;
        let id = self.write(|transaction| {
            transaction.execute(
                "INSERT INTO inbound_connections (name, url, workout_id, mapping_id, format,
                    interval_ms, auth_env, state, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'idle', ?8)",
                params![
                    name,
                    connection.url.trim(),
                    connection.workout_id,
                    mapping.id,
                    connection.format.trim(),
                    connection.interval_ms as i64,
                    connection.auth_env.as_deref().map(str::trim),
                    now_timestamp()
                ],
            )?;
            Ok(transaction.last_insert_rowid())
        })?;
        self.connection_by_id(id)
    }

    /// Every connection, by name.
    pub fn connections(&self) -> Result<Vec<InboundConnection>> {
        let sql = format!("{CONNECTION_SELECT} ORDER BY c.name");
        let mut statement = self.connection.prepare(&sql)?;
        let rows = statement.query_map([], connection_from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// A connection by name (case-insensitive).
    pub fn connection_by_name(&self, name: &str) -> Result<InboundConnection> {
        let sql = format!("{CONNECTION_SELECT} WHERE c.name = ?1");
        self.connection
            .query_row(&sql, params![name.trim()], connection_from_row)
            .optional()?
            .ok_or_else(|| StoreError::NotFound {
                what: "connection",
                key: name.trim().to_string(),
            })
    }

    pub(super) fn connection_by_id(&self, id: Id) -> Result<InboundConnection> {
        let sql = format!("{CONNECTION_SELECT} WHERE c.id = ?1");
        Ok(self
            .connection
            .query_row(&sql, params![id], connection_from_row)?)
    }

    /// Turns polling of a connection on or off.
    pub fn set_connection_enabled(&mut self, connection_id: Id, enabled: bool) -> Result<()> {
        self.write(|transaction| {
            transaction.execute(
                "UPDATE inbound_connections SET enabled = ?2 WHERE id = ?1",
                params![connection_id, enabled],
            )?;
            Ok(())
        })
    }

    /// Records a successful poll and its report.
    pub fn record_poll_success(
        &mut self,
        connection_id: Id,
        report: &serde_json::Value,
    ) -> Result<()> {
        let report = to_json(report);
        self.write(|transaction| {
            let now = now_timestamp();
            transaction.execute(
                "UPDATE inbound_connections SET state = 'ok', message = NULL,
                    consecutive_failures = 0, last_attempt_at = ?2, last_success_at = ?2,
                    next_attempt_at = NULL, last_report = ?3 WHERE id = ?1",
                params![connection_id, now, report],
            )?;
            Ok(())
        })?;
        tracing::info!(connection_id, "poll succeeded");
        Ok(())
    }

    /// Records a failed poll: `BackingOff` for network trouble (retrying at
    /// `next_attempt_at`), `Error` for a bad payload or mapping.
    pub fn record_poll_failure(
        &mut self,
        connection_id: Id,
        state: ConnectionState,
        message: &str,
        next_attempt_at: Option<&str>,
    ) -> Result<ConnectionStatus> {
        if matches!(state, ConnectionState::Ok | ConnectionState::Idle) {
            return Err(StoreError::InvalidInput {
                field: "connection state".into(),
                message: "a failure is backing_off or error".into(),
            });
        }
        tracing::warn!(
            connection_id,
            state = state.word(),
            error = %message,
            next_attempt_at = next_attempt_at.unwrap_or("-"),
            "poll failed"
        );
        self.write(|transaction| {
            transaction.execute(
                "UPDATE inbound_connections SET state = ?2, message = ?3,
                    consecutive_failures = consecutive_failures + 1, last_attempt_at = ?4,
                    next_attempt_at = ?5 WHERE id = ?1",
                params![
                    connection_id,
                    state.word(),
                    message,
                    now_timestamp(),
                    next_attempt_at
                ],
            )?;
            Ok(())
        })?;
        Ok(self.connection_by_id(connection_id)?.status)
    }
}

/// Refuses URLs that carry credentials: a password in the user part, or a
/// query parameter named like a token or key.
pub(super) fn check_url_has_no_secret(url: &str) -> std::result::Result<(), String> {
    let url = url.trim();
    let Some((scheme, rest)) = url.split_once("://") else {
        return Err(format!(
            "{url:?} is not a URL (expected http://... or https://...)"
        ));
    };
    if !matches!(scheme.to_ascii_lowercase().as_str(), "http" | "https") {
        return Err(format!("{scheme}:// is not supported; use http or https"));
    }
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    if authority.is_empty() {
        return Err(format!("{url:?} has no host"));
    }
    if authority.contains('@') {
        return Err(
            "the URL carries credentials; keep them out of the competition file \
                    and name an environment variable with --auth-env instead"
                .into(),
        );
    }
    if let Some((_, query)) = rest.split_once('?') {
        for pair in query.split('&') {
            let key = pair.split('=').next().unwrap_or("").to_ascii_lowercase();
            let key = key.replace(['-', '_'], "");
            if [
                "token",
                "accesstoken",
                "apikey",
                "key",
                "secret",
                "password",
                "auth",
                "signature",
            ]
            .contains(&key.as_str())
            {
                return Err(format!(
                    "the URL's query carries a secret ({}); keep it out of the competition file \
                     and name an environment variable with --auth-env instead",
                    pair.split('=').next().unwrap_or("")
                ));
            }
        }
    }
    Ok(())
}

pub(super) const CONNECTION_SELECT: &str =
    "SELECT c.id, c.name, c.url, c.workout_id, m.name, c.format,
    c.interval_ms, c.auth_env, c.enabled, c.state, c.message, c.consecutive_failures,
    c.last_attempt_at, c.last_success_at, c.next_attempt_at, c.last_report
    FROM inbound_connections c JOIN inbound_mappings m ON m.id = c.mapping_id";

pub(super) fn connection_from_row(row: &Row<'_>) -> rusqlite::Result<InboundConnection> {
    let state: String = row.get(9)?;
    let last_report: Option<String> = row.get(15)?;
    Ok(InboundConnection {
        id: row.get(0)?,
        name: row.get(1)?,
        url: row.get(2)?,
        workout_id: row.get(3)?,
        mapping_name: row.get(4)?,
        format: row.get(5)?,
        interval_ms: row.get::<_, i64>(6)? as u64,
        auth_env: row.get(7)?,
        enabled: row.get(8)?,
        status: ConnectionStatus {
            state: ConnectionState::from_word(&state)?,
            message: row.get(10)?,
            consecutive_failures: row.get::<_, i64>(11)? as u32,
            last_attempt_at: row.get(12)?,
            last_success_at: row.get(13)?,
            next_attempt_at: row.get(14)?,
            last_report: last_report.and_then(|text| serde_json::from_str(&text).ok()),
        },
    })
}

pub(super) fn mapping_from_row(row: &Row<'_>) -> rusqlite::Result<SavedMapping> {
    Ok(SavedMapping {
        id: row.get(0)?,
        name: row.get(1)?,
        workout_id: row.get(2)?,
        mapping: json_column(row, 3)?,
        updated_at: row.get(4)?,
    })
}
