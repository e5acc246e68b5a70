//! Reading results: whole workouts (by index or by one pass over the
//! table), the ranking columns alone, one entrant's result, incidents.

use super::*;

pub(super) fn result_from_row(row: &Row<'_>) -> rusqlite::Result<StoredResult> {
    let source: Word = row.get(4)?;
    let amended: bool = row.get(11)?;
    let incidents_text: String = row.get(19)?;
    let incidents: Vec<String> = serde_json::from_str(&incidents_text).map_err(|error| {
        rusqlite::Error::FromSqlConversionFailure(19, rusqlite::types::Type::Text, Box::new(error))
    })?;
    Ok(StoredResult {
        id: row.get(0)?,
        workout_id: row.get(1)?,
        entrant: entrant_from_columns(row.get(2)?, row.get(3)?)?,
        source: decode(4, Source::from_sql(&source.0))?,
        source_value: value_from_columns(row, 5, row.get(18)?)?,
        amended_value: if amended {
            let amended_penalty: Option<Millis> = row.get(24)?;
            value_from_columns(row, 12, amended_penalty.unwrap_or_default())?
        } else {
            None
        },
        penalty_ms: row.get(18)?,
        splits: Vec::new(),
        incidents,
        provenance: Provenance {
            source_name: row.get(20)?,
            record_id: row.get(21)?,
            import_batch: row.get(22)?,
        },
        received_at: row.get(23)?,
    })
}

/// How a whole workout's rows are read. A workout holding a small share of
/// the file's results (a 150-athlete wave beside a 60,000-athlete race) is
/// read through `results_by_workout` (schema v10); one holding most of them
/// is read by one pass over the table in id order, which is about twice as
/// fast as looking each row up through the index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum WorkoutRead {
    ByIndex,
    WholeTable,
}

impl WorkoutRead {
    pub(crate) fn of(connection: &Connection, workout_id: Id) -> Result<WorkoutRead> {
        let (mine, all): (i64, i64) = connection
            .prepare_cached(
                "SELECT (SELECT count(*) FROM results WHERE workout_id = ?1),
                        (SELECT count(*) FROM results)",
            )?
            .query_row(params![workout_id], |row| Ok((row.get(0)?, row.get(1)?)))?;
        Ok(if mine * 4 >= all {
            WorkoutRead::WholeTable
        } else {
            WorkoutRead::ByIndex
        })
    }

    /// `SELECT columns FROM results ... WHERE workout_id = ?1 ORDER BY id`.
    pub(crate) fn results_sql(self, columns: &str) -> String {
        let hint = match self {
            WorkoutRead::ByIndex => "INDEXED BY results_by_workout",
            WorkoutRead::WholeTable => "NOT INDEXED",
        };
        format!("SELECT {columns} FROM results {hint} WHERE workout_id = ?1 ORDER BY id")
    }

    /// A workout's splits, in result and timing-point order.
    pub(crate) fn splits_sql(self) -> &'static str {
        match self {
            WorkoutRead::ByIndex => {
                "SELECT s.result_id, s.timing_point_id, s.total_ms
                 FROM results r INDEXED BY results_by_workout
                 CROSS JOIN result_splits s ON s.result_id = r.id
                 JOIN timing_points p ON p.id = s.timing_point_id
                 WHERE r.workout_id = ?1 ORDER BY s.result_id, p.point_order"
            }
            WorkoutRead::WholeTable => {
                "SELECT s.result_id, s.timing_point_id, s.total_ms
                 FROM result_splits s CROSS JOIN results r NOT INDEXED ON r.id = s.result_id
                 JOIN timing_points p ON p.id = s.timing_point_id
                 WHERE r.workout_id = ?1 ORDER BY s.result_id, p.point_order"
            }
        }
    }
}

/// Loads a workout's results with their splits: two queries in all.
pub(crate) fn load_results(connection: &Connection, workout_id: Id) -> Result<Vec<StoredResult>> {
    let mut results = load_results_without_splits(connection, workout_id)?;
    let index: HashMap<Id, usize> = results
        .iter()
        .enumerate()
        .map(|(position, result)| (result.id, position))
        .collect();
    let read = WorkoutRead::of(connection, workout_id)?;
    let mut statement = connection.prepare_cached(read.splits_sql())?;
    let mut rows = statement.query(params![workout_id])?;
    while let Some(row) = rows.next()? {
        let result_id: Id = row.get(0)?;
        if let Some(&position) = index.get(&result_id) {
            results[position].splits.push(Split {
                timing_point_id: row.get(1)?,
                total_ms: row.get(2)?,
            });
        }
    }
    Ok(results)
}

/// The workout's results with empty `splits`: for rankings that need no
/// split standings (a 60,000-athlete race has ten times as many splits as
/// results, and loading them is most of the cost).
pub(crate) fn load_results_without_splits(
    connection: &Connection,
    workout_id: Id,
) -> Result<Vec<StoredResult>> {
    let sql = WorkoutRead::of(connection, workout_id)?.results_sql(RESULT_COLUMNS);
    let mut statement = connection.prepare_cached(&sql)?;
    let rows = statement.query_map(params![workout_id], result_from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The workout's effective results as the engine ranks them, without
/// splits, incidents or texts: only the columns a place depends on, decoded
/// without allocating. Same rows and values as
/// [`StoredResult::to_result_entry`] over [`load_results_without_splits`]
/// (rows without an effective value are left out), at a fraction of the cost.
pub(crate) fn load_rank_entries(
    connection: &Connection,
    workout_id: Id,
) -> Result<Vec<ResultEntry>> {
    let sql = WorkoutRead::of(connection, workout_id)?.results_sql(RANK_COLUMNS);
    let mut statement = connection.prepare_cached(&sql)?;
    let rows = statement.query(params![workout_id])?;
    rank_entries_from(rows)
}

/// [`load_rank_entries`]' entries handed to `each` as they are read, none
/// kept.
pub(crate) fn for_each_rank_entry(
    connection: &Connection,
    workout_id: Id,
    each: &mut dyn FnMut(&ResultEntry),
) -> Result<()> {
    let sql = WorkoutRead::of(connection, workout_id)?.results_sql(RANK_COLUMNS);
    let mut statement = connection.prepare_cached(&sql)?;
    let mut rows = statement.query(params![workout_id])?;
    while let Some(row) = rows.next()? {
        if let Some(entry) = rank_entry_from_row(row, 0)? {
            each(&entry);
        }
    }
    Ok(())
}

/// [`for_each_rank_entry`]'s entries, each handed to `each` with its
/// entrant's bib and division ids (sorted), joined in SQL as the cursor
/// reads: the same values as `RankInfos::get` (an entrant not in the file
/// has bib `""` and no divisions), without holding every entrant's. The
/// results are read as [`for_each_rank_entry`] reads them (by the workout
/// index or one pass over the table, in id order), each joined to its
/// entrant's row and division rows by key (a row per division, so a
/// result's rows are consecutive; no correlated subquery or
/// `group_concat`, which took three times as long). An error of `each`
/// stops the walk and is returned.
pub(crate) fn for_each_rank_entry_with_info<E: From<StoreError>>(
    connection: &Connection,
    workout_id: Id,
    each: &mut crate::boards::RankEntryWithInfo<'_, E>,
) -> std::result::Result<(), E> {
    let hint = match WorkoutRead::of(connection, workout_id)? {
        WorkoutRead::ByIndex => "INDEXED BY results_by_workout",
        WorkoutRead::WholeTable => "NOT INDEXED",
    };
    let columns: Vec<String> = RANK_COLUMNS
        .split(',')
        .map(|column| format!("r.{}", column.trim()))
        .collect();
    let sql = format!(
        "SELECT {}, r.id, coalesce(c.bib, t.bib, ''), coalesce(d.division_id, td.division_id)
         FROM results AS r {hint}
         LEFT JOIN competitors c ON c.id = r.competitor_id
         LEFT JOIN competitor_divisions d ON d.competitor_id = r.competitor_id
         LEFT JOIN teams t ON t.id = r.team_id
         LEFT JOIN team_divisions td ON td.team_id = r.team_id
         WHERE r.workout_id = ?1 ORDER BY r.id",
        columns.join(", ")
    );
    let info_at = columns.len();
    let mut statement = connection.prepare_cached(&sql).map_err(StoreError::from)?;
    let mut rows = statement
        .query(params![workout_id])
        .map_err(StoreError::from)?;
    // The result being read (its id, entry, bib and divisions so far),
    // handed on when the next result's first row comes.
    let mut current: Option<(Id, Option<ResultEntry>)> = None;
    let mut bib = String::new();
    let mut divisions: Vec<Id> = Vec::new();
    let mut hand_on = |entry: &ResultEntry, bib: &str, divisions: &mut Vec<Id>| {
        divisions.sort_unstable();
        divisions.dedup();
        each(entry, bib, divisions)
    };
    while let Some(row) = rows.next().map_err(StoreError::from)? {
        let id: Id = row.get(info_at).map_err(StoreError::from)?;
        if current
            .as_ref()
            .is_none_or(|(current_id, _)| *current_id != id)
        {
            if let Some((_, Some(entry))) = current.take() {
                hand_on(&entry, &bib, &mut divisions)?;
            }
            let entry = rank_entry_from_row(row, 0)?;
            bib.clear();
            bib.push_str(
                row.get_ref(info_at + 1)
                    .and_then(|value| value.as_str().map_err(rusqlite::Error::from))
                    .map_err(StoreError::from)?,
            );
            divisions.clear();
            current = Some((id, entry));
        }
        if let Some(division) = row
            .get::<_, Option<Id>>(info_at + 2)
            .map_err(StoreError::from)?
        {
            divisions.push(division);
        }
    }
    if let Some((_, Some(entry))) = current {
        hand_on(&entry, &bib, &mut divisions)?;
    }
    Ok(())
}

/// The formed team rows of a member-scored team workout (`SumAll` or
/// `BestN`), one team at a time in team id order, each handed to `each` with
/// the **team's** bib and division ids (sorted; the same values as
/// `RankInfos::get` of the team): the rows `aggregate_team_results` forms
/// over [`load_rank_entries`] and `load_teams`, without holding the field.
/// One cursor walks the teams with their members in member order, each
/// member joined by key to their result in the workout (the unique index
/// `results_by_competitor`); a second walks `team_divisions` beside it by
/// team id. Each team's row is formed by
/// [`scoretable_core::teams::aggregate_team_result`] as soon as its last
/// member is read. A member with no result, or one without an effective
/// value, counts as without a result. An error of `each` stops the walk
/// and is returned.
pub(crate) fn for_each_formed_team_entry_with_info<E: From<StoreError>>(
    connection: &Connection,
    workout: &Workout,
    each: &mut crate::boards::RankEntryWithInfo<'_, E>,
) -> std::result::Result<(), E> {
    let columns: Vec<String> = RANK_COLUMNS
        .split(',')
        .map(|column| format!("r.{}", column.trim()))
        .collect();
    let sql = format!(
        "SELECT {}, r.id, t.id, coalesce(t.bib, ''), m.competitor_id
         FROM teams AS t
         LEFT JOIN team_members m ON m.team_id = t.id
         LEFT JOIN results r ON r.workout_id = ?1 AND r.competitor_id = m.competitor_id
         ORDER BY t.id, m.member_order",
        columns.join(", ")
    );
    let at = columns.len();
    let mut statement = connection.prepare_cached(&sql).map_err(StoreError::from)?;
    let mut rows = statement
        .query(params![workout.id])
        .map_err(StoreError::from)?;
    let mut division_statement = connection
        .prepare_cached(
            "SELECT team_id, division_id FROM team_divisions ORDER BY team_id, division_id",
        )
        .map_err(StoreError::from)?;
    let mut division_rows = division_statement.query([]).map_err(StoreError::from)?;
    let mut next_division: Option<(Id, Id)> = None;
    let mut divisions_started = false;
    // The team being read: its id, bib and members' results so far (`None`
    // for a member without one; the outer `None` before the first team).
    let mut team: Option<Id> = None;
    let mut bib = String::new();
    let mut members: Vec<Option<ResultEntry>> = Vec::new();
    let mut divisions: Vec<Id> = Vec::new();
    let mut hand_on = |team_id: Id,
                       bib: &str,
                       members: &[Option<ResultEntry>],
                       divisions: &mut Vec<Id>|
     -> std::result::Result<(), E> {
        let Some(formed) = scoretable_core::teams::aggregate_team_result(
            workout,
            team_id,
            members.iter().map(Option::as_ref),
        ) else {
            return Ok(());
        };
        // The team's divisions: the second cursor's rows up to this team.
        divisions.clear();
        if !divisions_started {
            divisions_started = true;
            next_division = next_team_division(&mut division_rows)?;
        }
        while let Some((division_team, division)) = next_division {
            if division_team > team_id {
                break;
            }
            if division_team == team_id {
                divisions.push(division);
            }
            next_division = next_team_division(&mut division_rows)?;
        }
        each(&formed, bib, divisions)
    };
    while let Some(row) = rows.next().map_err(StoreError::from)? {
        let team_id: Id = row.get(at + 1).map_err(StoreError::from)?;
        if team != Some(team_id) {
            if let Some(previous) = team {
                hand_on(previous, &bib, &members, &mut divisions)?;
            }
            team = Some(team_id);
            bib.clear();
            bib.push_str(
                row.get_ref(at + 2)
                    .and_then(|value| value.as_str().map_err(rusqlite::Error::from))
                    .map_err(StoreError::from)?,
            );
            members.clear();
        }
        // A team without members has one row, with no member; a member
        // without a result row has no result columns.
        let member = row.get_ref(at + 3).map_err(StoreError::from)?;
        if member.data_type() == rusqlite::types::Type::Null {
            continue;
        }
        let result = row.get_ref(at).map_err(StoreError::from)?;
        members.push(if result.data_type() == rusqlite::types::Type::Null {
            None
        } else {
            rank_entry_from_row(row, 0)?
        });
    }
    if let Some(previous) = team {
        hand_on(previous, &bib, &members, &mut divisions)?;
    }
    Ok(())
}

/// The next (team id, division id) of a `team_divisions` cursor.
fn next_team_division(rows: &mut rusqlite::Rows<'_>) -> Result<Option<(Id, Id)>> {
    Ok(match rows.next()? {
        Some(row) => Some((row.get(0)?, row.get(1)?)),
        None => None,
    })
}

/// One entrant's ranking input in a workout ([`load_rank_entries`]'s row),
/// by key; `None` without an effective value.
pub(crate) fn load_rank_entry(
    connection: &Connection,
    workout_id: Id,
    entrant: Entrant,
) -> Result<Option<ResultEntry>> {
    let (competitor_id, team_id) = entrant_columns(entrant);
    let mut statement = connection.prepare_cached(&format!(
        "SELECT {RANK_COLUMNS} FROM results WHERE workout_id = ?1
         AND competitor_id IS ?2 AND team_id IS ?3"
    ))?;
    let rows = statement.query(params![workout_id, competitor_id, team_id])?;
    Ok(rank_entries_from(rows)?.pop())
}

/// The columns a place depends on, in the order [`rank_entries_from`] reads.
pub(crate) const RANK_COLUMNS: &str = "competitor_id, team_id, source, amended,
    source_kind, source_a, source_b, source_status, source_tie_break_ms, penalty_ms,
    amended_kind, amended_a, amended_b, amended_status, amended_tie_break_ms,
    amended_penalty_ms";

pub(super) fn rank_entries_from(mut rows: rusqlite::Rows<'_>) -> Result<Vec<ResultEntry>> {
    let mut entries = Vec::new();
    while let Some(row) = rows.next()? {
        entries.extend(rank_entry_from_row(row, 0)?);
    }
    Ok(entries)
}

/// One row's ranking input from [`RANK_COLUMNS`] starting at column
/// `first`; `None` without an effective value.
pub(crate) fn rank_entry_from_row(row: &Row<'_>, first: usize) -> Result<Option<ResultEntry>> {
    /// (score, status, tie-break).
    type Value = (Option<Score>, Option<Status>, Option<Millis>);
    // The value from the six columns starting at `first`.
    fn value(row: &Row<'_>, first: usize) -> rusqlite::Result<Option<Value>> {
        let kind = row
            .get_ref(first)?
            .as_str_or_null()
            .map_err(rusqlite::Error::from)?;
        let score = decode(
            first,
            score_from_columns(kind, row.get(first + 1)?, row.get(first + 2)?),
        )?;
        let status = match row
            .get_ref(first + 3)?
            .as_str_or_null()
            .map_err(rusqlite::Error::from)?
        {
            Some(word) => Some(decode(first + 3, Status::from_sql(word))?),
            None => None,
        };
        if score.is_none() && status.is_none() {
            return Ok(None);
        }
        Ok(Some((score, status, row.get(first + 4)?)))
    }
    let entrant = entrant_from_columns(row.get(first)?, row.get(first + 1)?)?;
    let amended_flag: bool = row.get(first + 3)?;
    let amended_value = if amended_flag {
        value(row, first + 10)?
    } else {
        None
    };
    let amended = amended_value.is_some();
    let (value, penalty_ms, source) = match amended_value {
        Some(value) => (
            value,
            row.get::<_, Option<Millis>>(first + 15)?
                .unwrap_or_default(),
            Source::Amendment,
        ),
        None => match value(row, first + 4)? {
            Some(value) => {
                let word = row
                    .get_ref(first + 2)?
                    .as_str()
                    .map_err(rusqlite::Error::from)?;
                let source = decode(first + 2, Source::from_sql(word))?;
                (value, row.get(first + 9)?, source)
            }
            None => return Ok(None),
        },
    };
    let (score, status, tie_break_ms) = value;
    Ok(Some(ResultEntry {
        entrant,
        score,
        status,
        tie_break_ms,
        penalty_ms,
        splits: Vec::new(),
        incidents: Vec::new(),
        source,
        amended,
        partial: false,
    }))
}

pub(crate) fn load_result(
    connection: &Connection,
    workout_id: Id,
    entrant: Entrant,
) -> Result<Option<StoredResult>> {
    let (competitor_id, team_id) = entrant_columns(entrant);
    let sql = format!(
        "SELECT {RESULT_COLUMNS} FROM results WHERE workout_id = ?1
         AND competitor_id IS ?2 AND team_id IS ?3"
    );
    let mut statement = connection.prepare_cached(&sql)?;
    let mut result = statement
        .query_row(params![workout_id, competitor_id, team_id], result_from_row)
        .optional()?;
    if let Some(result) = result.as_mut() {
        let mut statement = connection.prepare_cached(
            "SELECT s.timing_point_id, s.total_ms FROM result_splits s
             JOIN timing_points p ON p.id = s.timing_point_id
             WHERE s.result_id = ?1 ORDER BY p.point_order",
        )?;
        let rows = statement.query_map(params![result.id], |row| {
            Ok(Split {
                timing_point_id: row.get(0)?,
                total_ms: row.get(1)?,
            })
        })?;
        result.splits = rows.collect::<rusqlite::Result<_>>()?;
    }
    Ok(result)
}

impl CompetitionFile {
    /// One entrant's stored result in a workout.
    pub fn result(&self, workout_id: Id, entrant: Entrant) -> Result<Option<StoredResult>> {
        load_result(&self.connection, workout_id, entrant)
    }

    /// The incident notes of a workout's results that have any, by entrant:
    /// one pass over the workout's own rows, reading only that column.
    pub fn result_incidents(&self, workout_id: Id) -> Result<HashMap<Entrant, Vec<String>>> {
        let mut statement = self.connection.prepare_cached(
            "SELECT competitor_id, team_id, incidents FROM results
             WHERE workout_id = ?1 AND incidents <> '[]'",
        )?;
        let mut rows = statement.query(params![workout_id])?;
        let mut incidents = HashMap::new();
        while let Some(row) = rows.next()? {
            let competitor_id: Option<Id> = row.get(0)?;
            let team_id: Option<Id> = row.get(1)?;
            let text: String = row.get(2)?;
            let notes: Vec<String> = serde_json::from_str(&text).map_err(|error| {
                rusqlite::Error::FromSqlConversionFailure(
                    2,
                    rusqlite::types::Type::Text,
                    Box::new(error),
                )
            })?;
            let entrant = match (competitor_id, team_id) {
                (Some(id), _) => Entrant::Competitor(id),
                (None, Some(id)) => Entrant::Team(id),
                (None, None) => continue,
            };
            if !notes.is_empty() {
                incidents.insert(entrant, notes);
            }
        }
        Ok(incidents)
    }

    /// Every stored result of a workout (source and amended values apart).
    pub fn results(&self, workout_id: Id) -> Result<Vec<StoredResult>> {
        self.read(|connection| {
            load_workout(connection, workout_id)?;
            load_results(connection, workout_id)
        })
    }
}

/// Calls `each` with `(entrant, timing point id, total ms)` for every split
/// of the workout's results, one result's splits after another in course
/// order (the order [`load_results`] attaches them in), reading one row at
/// a time: for exports, which keep the splits in compact columns instead
/// of a vector per result.
pub(crate) fn for_each_split(
    connection: &Connection,
    workout_id: Id,
    each: &mut dyn FnMut(Entrant, Id, Millis),
) -> Result<()> {
    let sql = match WorkoutRead::of(connection, workout_id)? {
        WorkoutRead::ByIndex => {
            "SELECT r.competitor_id, r.team_id, s.timing_point_id, s.total_ms
             FROM results r INDEXED BY results_by_workout
             CROSS JOIN result_splits s ON s.result_id = r.id
             JOIN timing_points p ON p.id = s.timing_point_id
             WHERE r.workout_id = ?1 ORDER BY s.result_id, p.point_order"
        }
        WorkoutRead::WholeTable => {
            "SELECT r.competitor_id, r.team_id, s.timing_point_id, s.total_ms
             FROM result_splits s CROSS JOIN results r NOT INDEXED ON r.id = s.result_id
             JOIN timing_points p ON p.id = s.timing_point_id
             WHERE r.workout_id = ?1 ORDER BY s.result_id, p.point_order"
        }
    };
    let mut statement = connection.prepare_cached(sql)?;
    let mut rows = statement.query(params![workout_id])?;
    while let Some(row) = rows.next()? {
        let entrant = entrant_from_columns(row.get(0)?, row.get(1)?)?;
        each(entrant, row.get(2)?, row.get(3)?);
    }
    Ok(())
}
