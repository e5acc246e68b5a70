//! The conflict inbox: a source value that differs from the ledger's, for
//! an official to accept (an audited amendment) or dismiss.

use super::*;
use crate::codec::SqlWord;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConflictState {
    Open,
    Accepted,
    Dismissed,
    /// The source sent yet another value, or went back to the ledger's.
    Superseded,
}

impl ConflictState {
    pub(super) fn word(self) -> &'static str {
        self.as_sql()
    }

    pub(super) fn from_word(word: &str) -> rusqlite::Result<ConflictState> {
        ConflictState::from_sql(word).map_err(|_| bad_word(word))
    }
}

/// One entry of the conflict inbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InboundConflict {
    pub id: Id,
    pub source_name: String,
    pub workout_id: Id,
    pub record_key: String,
    pub entrant: Entrant,
    /// `bib 12 (Ann Lee)` or `team Red`.
    pub entrant_label: String,
    /// The ledger value the source was compared with.
    pub ledger_value: ScoreValue,
    /// The different value the source sent.
    pub incoming_value: ScoreValue,
    /// The record as last received.
    pub record: InboundRecord,
    pub detected_at: String,
    pub last_seen_at: String,
    pub times_seen: u64,
    pub state: ConflictState,
    pub resolved_by: Option<String>,
    pub resolved_at: Option<String>,
    pub resolution_note: Option<String>,
    pub amendment_event_id: Option<Id>,
}

/// What accepting a conflict did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConflictResolution {
    pub conflict: InboundConflict,
    /// The amendment; `None` when the result already had the accepted value.
    pub amendment: Option<AmendmentReceipt>,
}

impl CompetitionFile {
    /// The conflict inbox, optionally only open conflicts, oldest first.
    pub fn inbound_conflicts(&self, only_open: bool) -> Result<Vec<InboundConflict>> {
        let sql = format!("{CONFLICT_SELECT} WHERE (?1 = 0 OR c.state = 'open') ORDER BY c.id");
        let mut statement = self.connection.prepare(&sql)?;
        let rows = statement.query_map(params![only_open], conflict_from_row)?;
        let mut conflicts: Vec<InboundConflict> = rows.collect::<rusqlite::Result<_>>()?;
        for conflict in &mut conflicts {
            conflict.entrant_label = describe_entrant(&self.connection, conflict.entrant)?;
        }
        Ok(conflicts)
    }

    /// One conflict by id.
    pub fn inbound_conflict(&self, conflict_id: Id) -> Result<InboundConflict> {
        load_conflict(&self.connection, conflict_id)
    }

    /// Accepts a conflict: amends the result to the source's new value with
    /// the official's reason, and moves the ledger to that value. See the
    /// module docs for why this is safe to repeat after a crash.
    pub fn accept_conflict(
        &mut self,
        conflict_id: Id,
        who: &str,
        reason: &str,
        appeal_ref: Option<&str>,
    ) -> Result<ConflictResolution> {
        if reason.trim().is_empty() {
            return Err(StoreError::ReasonRequired);
        }
        let who = who.trim().to_string();
        let reason = reason.trim().to_string();
        let amendment = self.write(|transaction| {
            let conflict = load_conflict(transaction, conflict_id)?;
            if conflict.state != ConflictState::Open {
                return Err(StoreError::Conflict(format!(
                    "conflict {conflict_id} is already {}",
                    conflict.state.word()
                )));
            }
            let incoming_fingerprint = value_fingerprint(&conflict.incoming_value);
            let effective = load_result(transaction, conflict.workout_id, conflict.entrant)?
                .and_then(|result| result.effective_value().cloned());
            let amendment = if effective.as_ref().map(value_fingerprint).as_deref()
                == Some(incoming_fingerprint.as_str())
            {
                None
            } else {
                let receipt = amend_score_in(
                    transaction,
                    conflict.workout_id,
                    conflict.entrant,
                    &ScoreInput::Parsed {
                        score: conflict.incoming_value.score,
                        status: conflict.incoming_value.status,
                        tie_break_ms: conflict.incoming_value.tie_break_ms,
                    },
                    &who,
                    &reason,
                    appeal_ref,
                )?;
                failpoint(FAILPOINT_ACCEPT_AFTER_AMEND);
                Some(receipt)
            };
            let event_id = amendment.as_ref().map(|receipt| receipt.event_id);
            let now = now_timestamp();
            transaction.execute(
                "UPDATE inbound_conflicts SET state = 'accepted', resolved_by = ?2,
                    resolved_at = ?3, resolution_note = ?4, amendment_event_id = ?5
                 WHERE id = ?1 AND state = 'open'",
                params![conflict_id, who, now, reason, event_id],
            )?;
            failpoint(FAILPOINT_ACCEPT_AFTER_CONFLICT);
            transaction.execute(
                "UPDATE inbound_ledger SET current_fingerprint = ?2, current_value = ?3,
                    updated_at = ?4
                 WHERE id = (SELECT ledger_id FROM inbound_conflicts WHERE id = ?1)",
                params![
                    conflict_id,
                    incoming_fingerprint,
                    to_json(&conflict.incoming_value),
                    now
                ],
            )?;
            failpoint(FAILPOINT_ACCEPT_BEFORE_COMMIT);
            Ok(amendment)
        })?;
        Ok(ConflictResolution {
            conflict: load_conflict(&self.connection, conflict_id)?,
            amendment,
        })
    }

    /// Dismisses a conflict: the result keeps its value, and the source's
    /// value is not raised again.
    pub fn dismiss_conflict(
        &mut self,
        conflict_id: Id,
        who: &str,
        note: &str,
    ) -> Result<InboundConflict> {
        let who = who.trim().to_string();
        if who.is_empty() {
            return Err(StoreError::InvalidInput {
                field: "who".into(),
                message: "say who dismissed the conflict".into(),
            });
        }
        let note = note.trim().to_string();
        self.write(|transaction| {
            let changed = transaction.execute(
                "UPDATE inbound_conflicts SET state = 'dismissed', resolved_by = ?2,
                    resolved_at = ?3, resolution_note = ?4 WHERE id = ?1 AND state = 'open'",
                params![
                    conflict_id,
                    who,
                    now_timestamp(),
                    (!note.is_empty()).then_some(&note)
                ],
            )?;
            if changed == 0 {
                let conflict = load_conflict(transaction, conflict_id)?;
                return Err(StoreError::Conflict(format!(
                    "conflict {conflict_id} is already {}",
                    conflict.state.word()
                )));
            }
            Ok(())
        })?;
        load_conflict(&self.connection, conflict_id)
    }
}

pub(super) const CONFLICT_SELECT: &str = "SELECT c.id, l.source_name, l.workout_id, l.record_key,
    l.competitor_id, l.team_id, c.compared_value, c.incoming_value, c.record, c.detected_at,
    c.last_seen_at, c.times_seen, c.state, c.resolved_by, c.resolved_at, c.resolution_note,
    c.amendment_event_id
    FROM inbound_conflicts c JOIN inbound_ledger l ON l.id = c.ledger_id";

pub(super) fn conflict_from_row(row: &Row<'_>) -> rusqlite::Result<InboundConflict> {
    let state: String = row.get(12)?;
    Ok(InboundConflict {
        id: row.get(0)?,
        source_name: row.get(1)?,
        workout_id: row.get(2)?,
        record_key: row.get(3)?,
        entrant: entrant_from(row.get(4)?, row.get(5)?).ok_or_else(|| bad_word("entrant"))?,
        entrant_label: String::new(),
        ledger_value: json_column(row, 6)?,
        incoming_value: json_column(row, 7)?,
        record: json_column(row, 8)?,
        detected_at: row.get(9)?,
        last_seen_at: row.get(10)?,
        times_seen: row.get::<_, i64>(11)? as u64,
        state: ConflictState::from_word(&state)?,
        resolved_by: row.get(13)?,
        resolved_at: row.get(14)?,
        resolution_note: row.get(15)?,
        amendment_event_id: row.get(16)?,
    })
}

pub(super) fn load_conflict(connection: &Connection, conflict_id: Id) -> Result<InboundConflict> {
    let sql = format!("{CONFLICT_SELECT} WHERE c.id = ?1");
    let mut conflict = connection
        .query_row(&sql, params![conflict_id], conflict_from_row)
        .optional()?
        .ok_or_else(|| StoreError::NotFound {
            what: "conflict",
            key: conflict_id.to_string(),
        })?;
    conflict.entrant_label = describe_entrant(connection, conflict.entrant)?;
    Ok(conflict)
}
