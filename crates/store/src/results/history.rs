//! The append-only score history (`score_events`): reading and appending
//! events.

use super::*;

pub(super) fn event_from_row(row: &Row<'_>) -> rusqlite::Result<ScoreEvent> {
    let kind: Word = row.get(4)?;
    let parse_value = |column: usize| -> rusqlite::Result<Option<ScoreValue>> {
        let text: Option<String> = row.get(column)?;
        text.map(|text| {
            serde_json::from_str(&text).map_err(|error| {
                rusqlite::Error::FromSqlConversionFailure(
                    column,
                    rusqlite::types::Type::Text,
                    Box::new(error),
                )
            })
        })
        .transpose()
    };
    Ok(ScoreEvent {
        id: row.get(0)?,
        workout_id: row.get(1)?,
        entrant: entrant_from_columns(row.get(2)?, row.get(3)?)?,
        kind: decode(4, ScoreEventKind::from_word(&kind.0))?,
        who: row.get(5)?,
        at: row.get(6)?,
        old: parse_value(7)?,
        new: parse_value(8)?,
        reason: row.get(9)?,
        appeal_ref: row.get(10)?,
        undoes_event_id: row.get(11)?,
    })
}

pub(super) const EVENT_COLUMNS: &str =
    "id, workout_id, competitor_id, team_id, kind, who, at, old_value,
    new_value, reason, appeal_ref, undoes_event_id";

pub(super) fn load_event(connection: &Connection, event_id: Id) -> Result<Option<ScoreEvent>> {
    let sql = format!("SELECT {EVENT_COLUMNS} FROM score_events WHERE id = ?1");
    Ok(connection
        .query_row(&sql, params![event_id], event_from_row)
        .optional()?)
}

pub(super) struct NewEvent<'a> {
    pub(super) workout_id: Id,
    pub(super) entrant: Entrant,
    pub(super) kind: ScoreEventKind,
    pub(super) who: &'a str,
    pub(super) at: &'a str,
    pub(super) old: Option<&'a ScoreValue>,
    pub(super) new: Option<&'a ScoreValue>,
    pub(super) reason: Option<&'a str>,
    pub(super) appeal_ref: Option<&'a str>,
    pub(super) undoes_event_id: Option<Id>,
}

pub(super) fn append_event(transaction: &Transaction<'_>, event: NewEvent<'_>) -> Result<Id> {
    let (competitor_id, team_id) = entrant_columns(event.entrant);
    let to_json = |value: Option<&ScoreValue>| {
        value.map(|value| serde_json::to_string(value).expect("score values serialize"))
    };
    let mut statement = transaction.prepare_cached(
        "INSERT INTO score_events (workout_id, competitor_id, team_id, kind, who, at, old_value,
            new_value, reason, appeal_ref, undoes_event_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    )?;
    statement.execute(params![
        event.workout_id,
        competitor_id,
        team_id,
        event.kind.word(),
        event.who,
        event.at,
        to_json(event.old),
        to_json(event.new),
        event.reason,
        event.appeal_ref,
        event.undoes_event_id
    ])?;
    Ok(transaction.last_insert_rowid())
}

impl CompetitionFile {
    /// The history of one entrant's score in one workout, oldest first.
    pub fn score_history(&self, workout_id: Id, entrant: Entrant) -> Result<Vec<ScoreEvent>> {
        let (competitor_id, team_id) = entrant_columns(entrant);
        let sql = format!(
            "SELECT {EVENT_COLUMNS} FROM score_events WHERE workout_id = ?1
             AND competitor_id IS ?2 AND team_id IS ?3 ORDER BY id"
        );
        let mut statement = self.connection.prepare_cached(&sql)?;
        let rows =
            statement.query_map(params![workout_id, competitor_id, team_id], event_from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The whole audit trail, optionally of one workout, oldest first.
    pub fn score_events(&self, workout_id: Option<Id>) -> Result<Vec<ScoreEvent>> {
        let sql = format!(
            "SELECT {EVENT_COLUMNS} FROM score_events WHERE ?1 IS NULL OR workout_id = ?1 ORDER BY id"
        );
        let mut statement = self.connection.prepare_cached(&sql)?;
        let rows = statement.query_map(params![workout_id], event_from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The audit trail's events of one kind (e.g. the amendments), oldest
    /// first, without loading the others (a large event's trail holds an
    /// entry per score).
    pub fn score_events_of_kind(&self, kind: ScoreEventKind) -> Result<Vec<ScoreEvent>> {
        let sql = format!("SELECT {EVENT_COLUMNS} FROM score_events WHERE kind = ?1 ORDER BY id");
        let mut statement = self.connection.prepare_cached(&sql)?;
        let rows = statement.query_map(params![kind.word()], event_from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}
