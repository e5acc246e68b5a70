//! Workouts (events) with their ordered timing points, heats and lanes.
//!
//! Rules:
//! - A workout's score type cannot change once it has results, because the
//!   stored values would be read in a different unit; nor can it switch
//!   between team-chip results and individual results.
//! - Timing points are matched by id on update: known ids are renamed or
//!   reordered, new ones (id 0 or unknown) are added, missing ones removed,
//!   unless splits were recorded at them (then the update fails by name).
//! - Heats and lanes are replaced wholesale on update: no result depends on them.
//! - An official workout rejects new entries and imports but accepts
//!   amendments, which are logged like any other.

use std::collections::{HashMap, HashSet};

use rusqlite::{params, Connection, OptionalExtension, Row, Transaction};
use scoretable_core::model::{
    Heat, Id, Lane, LoadUnit, PublicationState, ScoreType, TeamScoring, TieBreak, TimingPoint,
    Workout,
};

use crate::codec::{
    decode, rounding_columns, rounding_from_columns, team_scoring_columns,
    team_scoring_from_columns, SqlWord, Word,
};
use crate::competition_file::CompetitionFile;
use crate::error::{Result, StoreError};

const WORKOUT_COLUMNS: &str = "id, name, sequence, score_type, time_cap_ms, reps_per_round,
    load_unit, tie_break, rounding_mode, rounding_unit_ms, team_scoring, team_best_n, state";

fn workout_from_row(row: &Row<'_>) -> rusqlite::Result<Workout> {
    let score_type: Word = row.get(3)?;
    let load_unit: Word = row.get(6)?;
    let tie_break: Word = row.get(7)?;
    let rounding_mode: Word = row.get(8)?;
    let team_scoring: Word = row.get(10)?;
    let state: Word = row.get(12)?;
    Ok(Workout {
        id: row.get(0)?,
        name: row.get(1)?,
        sequence: row.get(2)?,
        score_type: decode(3, ScoreType::from_sql(&score_type.0))?,
        time_cap_ms: row.get(4)?,
        reps_per_round: row.get(5)?,
        load_unit: decode(6, LoadUnit::from_sql(&load_unit.0))?,
        tie_break: decode(7, TieBreak::from_sql(&tie_break.0))?,
        rounding: decode(8, rounding_from_columns(&rounding_mode.0, row.get(9)?))?,
        team_scoring: decode(10, team_scoring_from_columns(&team_scoring.0, row.get(11)?))?,
        timing_points: Vec::new(),
        heats: Vec::new(),
        state: decode(12, PublicationState::from_sql(&state.0))?,
    })
}

/// Loads every workout, or one, with timing points, heats and lanes: one
/// query per table, and only the chosen workout's rows when there is one
/// (score entry on a 60,000-lane event must not read every lane).
pub(crate) fn load_workouts(connection: &Connection, only: Option<Id>) -> Result<Vec<Workout>> {
    // Separate statements for "all" and "one" so that the one-workout
    // queries use the (workout_id, ...) indexes.
    let by = |column: &str| match only {
        Some(_) => format!("{column} = ?1"),
        None => "?1 IS NULL".to_string(),
    };
    let mut workouts: Vec<Workout> = {
        let mut statement = connection.prepare_cached(&format!(
            "SELECT {WORKOUT_COLUMNS} FROM workouts WHERE {} ORDER BY sequence, id",
            by("id")
        ))?;
        let rows = statement.query_map(params![only], workout_from_row)?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    let index: HashMap<Id, usize> = workouts
        .iter()
        .enumerate()
        .map(|(position, workout)| (workout.id, position))
        .collect();
    {
        let mut statement = connection.prepare_cached(&format!(
            "SELECT workout_id, id, point_order, name FROM timing_points
             WHERE {} ORDER BY workout_id, point_order",
            by("workout_id")
        ))?;
        let mut rows = statement.query(params![only])?;
        while let Some(row) = rows.next()? {
            let workout_id: Id = row.get(0)?;
            if let Some(&position) = index.get(&workout_id) {
                workouts[position].timing_points.push(TimingPoint {
                    id: row.get(1)?,
                    order: row.get(2)?,
                    name: row.get(3)?,
                });
            }
        }
    }
    let mut heat_index: HashMap<Id, (usize, usize)> = HashMap::new();
    {
        let mut statement = connection.prepare_cached(&format!(
            "SELECT workout_id, id, name, start_time FROM heats
             WHERE {} ORDER BY workout_id, heat_order",
            by("workout_id")
        ))?;
        let mut rows = statement.query(params![only])?;
        while let Some(row) = rows.next()? {
            let workout_id: Id = row.get(0)?;
            if let Some(&position) = index.get(&workout_id) {
                let heat_id: Id = row.get(1)?;
                heat_index.insert(heat_id, (position, workouts[position].heats.len()));
                workouts[position].heats.push(Heat {
                    id: heat_id,
                    name: row.get(2)?,
                    start_time: row.get(3)?,
                    lanes: Vec::new(),
                });
            }
        }
    }
    if !heat_index.is_empty() {
        let mut statement = connection.prepare_cached(&format!(
            "SELECT l.heat_id, l.lane, l.competitor_id, l.team_id FROM lanes l
             JOIN heats h ON h.id = l.heat_id
             WHERE {} ORDER BY l.heat_id, l.lane",
            by("h.workout_id")
        ))?;
        let mut rows = statement.query(params![only])?;
        while let Some(row) = rows.next()? {
            let heat_id: Id = row.get(0)?;
            if let Some(&(workout_position, heat_position)) = heat_index.get(&heat_id) {
                workouts[workout_position].heats[heat_position]
                    .lanes
                    .push(Lane {
                        lane: row.get(1)?,
                        competitor_id: row.get(2)?,
                        team_id: row.get(3)?,
                    });
            }
        }
    }
    Ok(workouts)
}

pub(crate) fn load_workout(connection: &Connection, workout_id: Id) -> Result<Workout> {
    load_workouts(connection, Some(workout_id))?
        .pop()
        .ok_or_else(|| StoreError::NotFound {
            what: "workout",
            key: workout_id.to_string(),
        })
}

fn validate_workout(workout: &Workout) -> Result<()> {
    let invalid = |field: &str, message: String| StoreError::InvalidInput {
        field: format!("workout {field}"),
        message,
    };
    if workout.name.trim().is_empty() {
        return Err(invalid("name", "must not be empty".into()));
    }
    crate::text_rules::check_text(workout.name.trim(), crate::text_rules::MAX_NAME_CHARS)
        .map_err(|message| invalid("name", message))?;
    if workout.sequence == 0 {
        return Err(invalid("sequence", "starts at 1".into()));
    }
    if workout.time_cap_ms.is_some_and(|cap| cap <= 0) {
        return Err(invalid("time cap", "must be positive".into()));
    }
    if workout.reps_per_round.is_some_and(|reps| reps <= 0) {
        return Err(invalid("reps per round", "must be positive".into()));
    }
    let (mode, unit) = rounding_columns(workout.rounding);
    if mode != "exact" && unit <= 0 {
        return Err(invalid("rounding", "the unit must be positive".into()));
    }
    if let TeamScoring::BestN { n: 0 } = workout.team_scoring {
        return Err(invalid(
            "team scoring",
            "best N needs N of at least 1".into(),
        ));
    }
    let mut orders = HashSet::new();
    for point in &workout.timing_points {
        if point.order == 0 || !orders.insert(point.order) {
            return Err(invalid(
                "timing points",
                format!("order {} is zero or used twice", point.order),
            ));
        }
    }
    for heat in &workout.heats {
        let mut lanes = HashSet::new();
        for lane in &heat.lanes {
            if lane.lane == 0 || !lanes.insert(lane.lane) {
                return Err(invalid(
                    &format!("heat {} lanes", heat.name),
                    format!("lane {} is zero or used twice", lane.lane),
                ));
            }
            if lane.competitor_id.is_some() && lane.team_id.is_some() {
                return Err(invalid(
                    &format!("heat {} lane {}", heat.name, lane.lane),
                    "holds a competitor or a team, not both".into(),
                ));
            }
        }
    }
    Ok(())
}

fn write_heats(transaction: &Transaction<'_>, workout_id: Id, heats: &[Heat]) -> Result<()> {
    transaction.execute(
        "DELETE FROM heats WHERE workout_id = ?1",
        params![workout_id],
    )?;
    for (position, heat) in heats.iter().enumerate() {
        transaction.execute(
            "INSERT INTO heats (workout_id, heat_order, name, start_time) VALUES (?1, ?2, ?3, ?4)",
            params![workout_id, position as i64 + 1, heat.name, heat.start_time],
        )?;
        let heat_id = transaction.last_insert_rowid();
        for lane in &heat.lanes {
            transaction
                .execute(
                    "INSERT INTO lanes (heat_id, lane, competitor_id, team_id) VALUES (?1, ?2, ?3, ?4)",
                    params![heat_id, lane.lane, lane.competitor_id, lane.team_id],
                )
                .map_err(|error| match error {
                    rusqlite::Error::SqliteFailure(failure, _)
                        if failure.code == rusqlite::ErrorCode::ConstraintViolation =>
                    {
                        StoreError::InvalidInput {
                            field: format!("heat {} lane {}", heat.name, lane.lane),
                            message: "unknown competitor or team".into(),
                        }
                    }
                    other => other.into(),
                })?;
        }
    }
    Ok(())
}

fn conflict_on_name(workout: &Workout) -> impl Fn(rusqlite::Error) -> StoreError + '_ {
    move |error| match &error {
        rusqlite::Error::SqliteFailure(failure, Some(message))
            if failure.code == rusqlite::ErrorCode::ConstraintViolation
                && message.contains("workouts.name") =>
        {
            StoreError::Conflict(format!("Workout {} already exists", workout.name.trim()))
        }
        _ => error.into(),
    }
}

impl CompetitionFile {
    /// Adds a workout with its timing points and heats; returns its id.
    /// Ids inside `workout` are ignored.
    pub fn add_workout(&mut self, workout: &Workout) -> Result<Id> {
        validate_workout(workout)?;
        self.write(|transaction| {
            let (rounding_mode, rounding_unit) = rounding_columns(workout.rounding);
            let (team_mode, best_n) = team_scoring_columns(workout.team_scoring);
            transaction
                .execute(
                    "INSERT INTO workouts (name, sequence, score_type, time_cap_ms, reps_per_round,
                        load_unit, tie_break, rounding_mode, rounding_unit_ms, team_scoring,
                        team_best_n, state)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
                    params![
                        workout.name.trim(),
                        workout.sequence,
                        SqlWord::as_sql(workout.score_type),
                        workout.time_cap_ms,
                        workout.reps_per_round,
                        SqlWord::as_sql(workout.load_unit),
                        SqlWord::as_sql(workout.tie_break),
                        rounding_mode,
                        rounding_unit,
                        team_mode,
                        best_n,
                        SqlWord::as_sql(workout.state)
                    ],
                )
                .map_err(conflict_on_name(workout))?;
            let workout_id = transaction.last_insert_rowid();
            for point in &workout.timing_points {
                transaction.execute(
                    "INSERT INTO timing_points (workout_id, point_order, name) VALUES (?1, ?2, ?3)",
                    params![workout_id, point.order, point.name],
                )?;
            }
            write_heats(transaction, workout_id, &workout.heats)?;
            Ok(workout_id)
        })
    }

    /// Replaces a workout's definition (found by `workout.id`). See the
    /// module docs for the rules on score types and timing points.
    pub fn update_workout(&mut self, workout: &Workout) -> Result<()> {
        validate_workout(workout)?;
        self.write(|transaction| {
            let current = load_workout(transaction, workout.id)?;
            let team_mode = |scoring: TeamScoring| std::mem::discriminant(&scoring);
            let entrants_change = team_mode(current.team_scoring) != team_mode(workout.team_scoring)
                && (current.team_scoring == TeamScoring::TeamChip
                    || workout.team_scoring == TeamScoring::TeamChip);
            if current.score_type != workout.score_type || entrants_change {
                let results: i64 = transaction.query_row(
                    "SELECT count(*) FROM results WHERE workout_id = ?1",
                    params![workout.id],
                    |row| row.get(0),
                )?;
                if results > 0 {
                    return Err(StoreError::Conflict(format!(
                        "Workout {} already has {results} results; its score type and whether it \
                         takes team or individual results cannot change",
                        current.name
                    )));
                }
            }
            let (rounding_mode, rounding_unit) = rounding_columns(workout.rounding);
            let (team_mode, best_n) = team_scoring_columns(workout.team_scoring);
            transaction
                .execute(
                    "UPDATE workouts SET name = ?2, sequence = ?3, score_type = ?4,
                        time_cap_ms = ?5, reps_per_round = ?6, load_unit = ?7, tie_break = ?8,
                        rounding_mode = ?9, rounding_unit_ms = ?10, team_scoring = ?11,
                        team_best_n = ?12, state = ?13
                     WHERE id = ?1",
                    params![
                        workout.id,
                        workout.name.trim(),
                        workout.sequence,
                        SqlWord::as_sql(workout.score_type),
                        workout.time_cap_ms,
                        workout.reps_per_round,
                        SqlWord::as_sql(workout.load_unit),
                        SqlWord::as_sql(workout.tie_break),
                        rounding_mode,
                        rounding_unit,
                        team_mode,
                        best_n,
                        SqlWord::as_sql(workout.state)
                    ],
                )
                .map_err(conflict_on_name(workout))?;
            // Timing points: first park known ones at far-away orders so that
            // reordering never trips the (workout, order) uniqueness.
            let known: HashSet<Id> = current.timing_points.iter().map(|point| point.id).collect();
            let kept: HashSet<Id> = workout
                .timing_points
                .iter()
                .map(|point| point.id)
                .filter(|id| known.contains(id))
                .collect();
            for removed in current
                .timing_points
                .iter()
                .filter(|point| !kept.contains(&point.id))
            {
                let splits: i64 = transaction.query_row(
                    "SELECT count(*) FROM result_splits WHERE timing_point_id = ?1",
                    params![removed.id],
                    |row| row.get(0),
                )?;
                if splits > 0 {
                    return Err(StoreError::Conflict(format!(
                        "Timing point {} of workout {} has {splits} recorded splits and cannot be removed",
                        removed.name, current.name
                    )));
                }
                transaction.execute("DELETE FROM timing_points WHERE id = ?1", params![removed.id])?;
            }
            transaction.execute(
                "UPDATE timing_points SET point_order = point_order + 1000000 WHERE workout_id = ?1",
                params![workout.id],
            )?;
            for point in &workout.timing_points {
                if kept.contains(&point.id) {
                    transaction.execute(
                        "UPDATE timing_points SET point_order = ?2, name = ?3 WHERE id = ?1",
                        params![point.id, point.order, point.name],
                    )?;
                } else {
                    transaction.execute(
                        "INSERT INTO timing_points (workout_id, point_order, name) VALUES (?1, ?2, ?3)",
                        params![workout.id, point.order, point.name],
                    )?;
                }
            }
            write_heats(transaction, workout.id, &workout.heats)?;
            Ok(())
        })
    }

    /// Every workout in schedule order.
    pub fn workouts(&self) -> Result<Vec<Workout>> {
        self.read(|connection| load_workouts(connection, None))
    }

    pub fn workout(&self, workout_id: Id) -> Result<Workout> {
        self.read(|connection| load_workout(connection, workout_id))
    }

    pub fn workout_by_name(&self, name: &str) -> Result<Option<Workout>> {
        let name = name.trim();
        let id: Option<Id> = self
            .connection
            .query_row(
                "SELECT id FROM workouts WHERE name = ?1 COLLATE NOCASE",
                params![name],
                |row| row.get(0),
            )
            .optional()?;
        id.map(|id| load_workout(&self.connection, id)).transpose()
    }

    /// Marks a workout provisional or official. Official workouts reject
    /// new entries and imports; amendments stay possible and are logged.
    pub fn set_workout_state(&mut self, workout_id: Id, state: PublicationState) -> Result<()> {
        self.write(|transaction| {
            let changed = transaction.execute(
                "UPDATE workouts SET state = ?2 WHERE id = ?1",
                params![workout_id, SqlWord::as_sql(state)],
            )?;
            if changed == 0 {
                return Err(StoreError::NotFound {
                    what: "workout",
                    key: workout_id.to_string(),
                });
            }
            Ok(())
        })
    }
}

impl CompetitionFile {
    /// Removes a workout that has no score history (with its timing points
    /// and heats). A workout with scores stays: the audit trail needs it.
    pub fn remove_workout(&mut self, workout_id: Id) -> Result<()> {
        self.write(|transaction| {
            let workout = load_workout(transaction, workout_id)?;
            let events: i64 = transaction.query_row(
                "SELECT count(*) FROM score_events WHERE workout_id = ?1",
                params![workout_id],
                |row| row.get(0),
            )?;
            let results: i64 = transaction.query_row(
                "SELECT count(*) FROM results WHERE workout_id = ?1",
                params![workout_id],
                |row| row.get(0),
            )?;
            if events > 0 || results > 0 {
                return Err(StoreError::Conflict(format!(
                    "Workout {} has score history and cannot be removed",
                    workout.name
                )));
            }
            transaction.execute(
                "DELETE FROM import_batches WHERE workout_id = ?1",
                params![workout_id],
            )?;
            transaction.execute("DELETE FROM workouts WHERE id = ?1", params![workout_id])?;
            Ok(())
        })
    }
}
