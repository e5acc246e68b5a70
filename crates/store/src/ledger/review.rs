//! The review queue: records whose identifier matched no entrant, for an
//! official to assign (importing the stored record) or dismiss.

use super::*;
use crate::codec::SqlWord;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewState {
    Open,
    Assigned,
    Dismissed,
}

impl ReviewState {
    pub(super) fn word(self) -> &'static str {
        self.as_sql()
    }

    pub(super) fn from_word(word: &str) -> rusqlite::Result<ReviewState> {
        ReviewState::from_sql(word).map_err(|_| bad_word(word))
    }
}

/// One entry of the review queue: a record nobody matched.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewItem {
    pub id: Id,
    pub source_name: String,
    pub source_kind: Source,
    pub workout_id: Id,
    pub record_key: String,
    pub identifier: Identifier,
    /// Why it could not be matched.
    pub reason: String,
    /// The record as last received.
    pub record: InboundRecord,
    pub first_seen_at: String,
    pub last_seen_at: String,
    pub times_seen: u64,
    pub state: ReviewState,
    /// The entrant an official assigned.
    pub entrant: Option<Entrant>,
    pub resolved_by: Option<String>,
    pub resolved_at: Option<String>,
}

impl CompetitionFile {
    /// The review queue, optionally only open items, oldest first.
    pub fn review_items(&self, only_open: bool) -> Result<Vec<ReviewItem>> {
        let sql = format!("{REVIEW_SELECT} WHERE (?1 = 0 OR state = 'open') ORDER BY id");
        let mut statement = self.connection.prepare(&sql)?;
        let rows = statement.query_map(params![only_open], review_from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// One review item by id.
    pub fn review_item(&self, review_id: Id) -> Result<ReviewItem> {
        load_review(&self.connection, review_id)
    }

    /// Assigns an unknown record to an entrant and imports it for them
    /// (following the ledger rules: an entrant who already has a different
    /// result gets a conflict instead). Later records with the same key go
    /// to the same entrant.
    pub fn assign_review(
        &mut self,
        review_id: Id,
        entrant: Entrant,
        who: &str,
    ) -> Result<InboundReport> {
        let who = who.trim().to_string();
        if who.is_empty() {
            return Err(StoreError::InvalidInput {
                field: "who".into(),
                message: "say who assigned the record".into(),
            });
        }
        let item = load_review(&self.connection, review_id)?;
        if item.state != ReviewState::Open {
            return Err(StoreError::Conflict(format!(
                "review item {review_id} is already {}",
                item.state.word()
            )));
        }
        let workout = load_workout(&self.connection, item.workout_id)?;
        let exists: bool = match entrant {
            Entrant::Competitor(id) => self.connection.query_row(
                "SELECT EXISTS (SELECT 1 FROM competitors WHERE id = ?1)",
                params![id],
                |row| row.get(0),
            )?,
            Entrant::Team(id) => self.connection.query_row(
                "SELECT EXISTS (SELECT 1 FROM teams WHERE id = ?1)",
                params![id],
                |row| row.get(0),
            )?,
        };
        if !exists {
            return Err(StoreError::NotFound {
                what: match entrant {
                    Entrant::Competitor(_) => "competitor",
                    Entrant::Team(_) => "team",
                },
                key: entrant_columns(entrant)
                    .0
                    .or(entrant_columns(entrant).1)
                    .unwrap_or_default()
                    .to_string(),
            });
        }
        let fits = matches!(
            (workout.team_scoring, entrant),
            (TeamScoring::TeamChip, Entrant::Team(_))
                | (
                    TeamScoring::Individual | TeamScoring::SumAll | TeamScoring::BestN { .. },
                    Entrant::Competitor(_)
                )
        );
        if !fits {
            return Err(StoreError::InvalidInput {
                field: format!("entrant in workout {}", workout.name),
                message: match workout.team_scoring {
                    TeamScoring::TeamChip => {
                        "this workout takes one result per team; assign a team".into()
                    }
                    _ => "this workout takes individual results; assign a competitor".into(),
                },
            });
        }
        let (competitor_id, team_id) = entrant_columns(entrant);
        // The assignment and the import it causes are one transaction.
        self.write(|transaction| {
            let changed = transaction.execute(
                "UPDATE inbound_review SET state = 'assigned', competitor_id = ?2, team_id = ?3,
                    resolved_by = ?4, resolved_at = ?5 WHERE id = ?1 AND state = 'open'",
                params![review_id, competitor_id, team_id, who, now_timestamp()],
            )?;
            if changed == 0 {
                return Err(StoreError::Conflict(format!(
                    "review item {review_id} is no longer open"
                )));
            }
            failpoint(FAILPOINT_ASSIGN_AFTER_REVIEW);
            apply_inbound_in(
                transaction,
                &item.source_name,
                item.source_kind,
                item.workout_id,
                std::slice::from_ref(&item.record),
            )
        })
    }

    /// Dismisses an unknown record: later records with its key are ignored.
    pub fn dismiss_review(&mut self, review_id: Id, who: &str) -> Result<ReviewItem> {
        let who = who.trim().to_string();
        if who.is_empty() {
            return Err(StoreError::InvalidInput {
                field: "who".into(),
                message: "say who dismissed the record".into(),
            });
        }
        self.write(|transaction| {
            let changed = transaction.execute(
                "UPDATE inbound_review SET state = 'dismissed', resolved_by = ?2, resolved_at = ?3
                 WHERE id = ?1 AND state = 'open'",
                params![review_id, who, now_timestamp()],
            )?;
            if changed == 0 {
                let item = load_review(transaction, review_id)?;
                return Err(StoreError::Conflict(format!(
                    "review item {review_id} is already {}",
                    item.state.word()
                )));
            }
            Ok(())
        })?;
        load_review(&self.connection, review_id)
    }
}

pub(super) const REVIEW_SELECT: &str =
    "SELECT id, source_name, source_kind, workout_id, record_key,
    identifier_kind, identifier_value, reason, record, first_seen_at, last_seen_at, times_seen,
    state, competitor_id, team_id, resolved_by, resolved_at FROM inbound_review";

pub(super) fn review_from_row(row: &Row<'_>) -> rusqlite::Result<ReviewItem> {
    let source_kind: String = row.get(2)?;
    let kind_word: String = row.get(5)?;
    let state: String = row.get(12)?;
    Ok(ReviewItem {
        id: row.get(0)?,
        source_name: row.get(1)?,
        source_kind: if source_kind == "feed" {
            Source::Feed
        } else {
            Source::File
        },
        workout_id: row.get(3)?,
        record_key: row.get(4)?,
        identifier: Identifier {
            kind: IdentifierKind::from_word(&kind_word).ok_or_else(|| bad_word(&kind_word))?,
            value: row.get(6)?,
        },
        reason: row.get(7)?,
        record: json_column(row, 8)?,
        first_seen_at: row.get(9)?,
        last_seen_at: row.get(10)?,
        times_seen: row.get::<_, i64>(11)? as u64,
        state: ReviewState::from_word(&state)?,
        entrant: entrant_from(row.get(13)?, row.get(14)?),
        resolved_by: row.get(15)?,
        resolved_at: row.get(16)?,
    })
}

pub(super) fn load_review(connection: &Connection, review_id: Id) -> Result<ReviewItem> {
    let sql = format!("{REVIEW_SELECT} WHERE id = ?1");
    connection
        .query_row(&sql, params![review_id], review_from_row)
        .optional()?
        .ok_or_else(|| StoreError::NotFound {
            what: "review item",
            key: review_id.to_string(),
        })
}
