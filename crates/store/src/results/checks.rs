//! Checks shared by entry, amendment and import: a value against its
//! workout, an entrant against the workout and its teams, the results
//! already stored; inserting a source result row.

use super::*;

/// Whether `score` is a kind of score `workout` takes.
pub(super) fn score_fits(workout: &Workout, score: Score) -> bool {
    matches!(
        (workout.score_type, score),
        (ScoreType::Time, Score::Time { .. })
            | (
                ScoreType::TimeCapped,
                Score::Time { .. } | Score::Capped { .. }
            )
            | (ScoreType::RoundsReps, Score::RoundsReps { .. })
            | (ScoreType::Reps, Score::Reps { .. })
            | (ScoreType::Load, Score::Load { .. })
            | (ScoreType::Distance, Score::Distance { .. })
            | (ScoreType::Points, Score::Points { .. })
    ) || (workout.score_type == ScoreType::RoundsReps
        && matches!(score, Score::Reps { .. })
        && workout.reps_per_round.is_some())
}

/// The clean leaderboard text of a value.
/// A value as the workout's board shows it (penalty added, ranking
/// precision): what receipts and the amendment preview say.
pub(crate) fn board_value(workout: &Workout, value: &ScoreValue) -> String {
    scoretable_core::score::board_display(workout, value.score, value.status, value.penalty_ms)
}

pub(crate) fn display_value(workout: &Workout, value: &ScoreValue) -> String {
    scoretable_core::score::value_text(workout, value.score, value.status)
}

/// Parses or checks a score input for a workout. The error message is the
/// parser's, ready to be wrapped with the workout and entrant.
pub(super) fn resolve_value(
    workout: &Workout,
    input: &ScoreInput,
) -> std::result::Result<ScoreValue, String> {
    match input {
        ScoreInput::Text { value, tie_break } => {
            let parsed = parse_score(workout, value).map_err(|error| error.to_string())?;
            let tie_break_ms = match tie_break.as_deref().map(str::trim) {
                None | Some("") => None,
                Some(text) => Some(
                    scoretable_core::time::parse_time(text)
                        .map_err(|error| format!("tie-break: {error}"))?,
                ),
            };
            Ok(ScoreValue {
                text: value.trim().to_string(),
                score: parsed.score,
                status: parsed.status,
                tie_break_ms,
                penalty_ms: 0,
            })
        }
        ScoreInput::Parsed {
            score,
            status,
            tie_break_ms,
        } => {
            if score.is_none() && status.is_none() {
                return Err("a score or a status is required".into());
            }
            if let Some(score) = score {
                if !score_fits(workout, *score) {
                    return Err(format!(
                        "a {:?} score does not fit a {:?} workout",
                        score, workout.score_type
                    ));
                }
            }
            if tie_break_ms.is_some_and(|ms| ms < 0) {
                return Err("tie-break time must not be negative".into());
            }
            let mut value = ScoreValue {
                text: String::new(),
                score: *score,
                status: *status,
                tie_break_ms: *tie_break_ms,
                penalty_ms: 0,
            };
            value.text = display_value(workout, &value);
            Ok(value)
        }
    }
}

/// A readable name for an entrant in messages: `bib 12 (Ann Lee)`, `team Red`.
pub(crate) fn describe_entrant(connection: &Connection, entrant: Entrant) -> Result<String> {
    match entrant {
        Entrant::Competitor(id) => {
            let found: Option<(String, String, String)> = connection
                .prepare_cached("SELECT bib, first_name, last_name FROM competitors WHERE id = ?1")?
                .query_row(params![id], |row| {
                    Ok((row.get(0)?, row.get(1)?, row.get(2)?))
                })
                .optional()?;
            Ok(match found {
                Some((bib, first, last)) => {
                    format!("bib {bib} ({})", format!("{first} {last}").trim())
                }
                None => format!("competitor #{id}"),
            })
        }
        Entrant::Team(id) => {
            let name: Option<String> = connection
                .prepare_cached("SELECT name FROM teams WHERE id = ?1")?
                .query_row(params![id], |row| row.get(0))
                .optional()?;
            Ok(match name {
                Some(name) => format!("team {name}"),
                None => format!("team #{id}"),
            })
        }
    }
}

/// Checks that an entrant exists and fits the workout's team scoring.
pub(super) fn check_entrant(
    connection: &Connection,
    workout: &Workout,
    entrant: Entrant,
) -> Result<()> {
    let exists: bool = match entrant {
        Entrant::Competitor(id) => connection
            .prepare_cached("SELECT EXISTS (SELECT 1 FROM competitors WHERE id = ?1)")?
            .query_row(params![id], |row| row.get(0))?,
        Entrant::Team(id) => connection
            .prepare_cached("SELECT EXISTS (SELECT 1 FROM teams WHERE id = ?1)")?
            .query_row(params![id], |row| row.get(0))?,
    };
    if !exists {
        return Err(unknown_entrant(entrant));
    }
    check_entrant_fits(workout, entrant)?;
    if let (TeamScoring::SumAll | TeamScoring::BestN { .. }, Entrant::Competitor(id)) =
        (workout.team_scoring, entrant)
    {
        let in_team: bool = connection
            .prepare_cached("SELECT EXISTS (SELECT 1 FROM team_members WHERE competitor_id = ?1)")?
            .query_row(params![id], |row| row.get(0))?;
        if !in_team {
            return Err(not_in_a_team(connection, workout, entrant));
        }
    }
    Ok(())
}

pub(super) fn not_in_a_team(
    connection: &Connection,
    workout: &Workout,
    entrant: Entrant,
) -> StoreError {
    StoreError::InvalidInput {
        field: format!("entrant in workout {}", workout.name),
        message: not_in_a_team_message(connection, entrant),
    }
}

pub(super) fn not_in_a_team_message(connection: &Connection, entrant: Entrant) -> String {
    format!(
        "{} is in no team, and this workout ranks teams from their members' scores",
        describe_entrant(connection, entrant).unwrap_or_else(|_| format!("{entrant:?}"))
    )
}

/// Competitors who belong to at least one team.
pub(super) fn team_members(connection: &Connection) -> Result<std::collections::HashSet<Id>> {
    let mut statement =
        connection.prepare_cached("SELECT DISTINCT competitor_id FROM team_members")?;
    let rows = statement.query_map([], |row| row.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub(super) fn unknown_entrant(entrant: Entrant) -> StoreError {
    let (what, id) = match entrant {
        Entrant::Competitor(id) => ("competitor", id),
        Entrant::Team(id) => ("team", id),
    };
    StoreError::NotFound {
        what,
        key: id.to_string(),
    }
}

/// Checks that an entrant kind fits the workout's team scoring (the
/// core's rule), naming the workout.
pub(super) fn check_entrant_fits(workout: &Workout, entrant: Entrant) -> Result<()> {
    scoretable_core::teams::entrant_fits(workout, entrant).map_err(|message| {
        StoreError::InvalidInput {
            field: format!("entrant in workout {}", workout.name),
            message: message.into(),
        }
    })
}

/// Ids of every competitor and team, loaded once for bulk imports.
pub(super) fn known_entrants(
    connection: &Connection,
) -> Result<std::collections::HashSet<Entrant>> {
    let mut known = std::collections::HashSet::new();
    for (sql, make) in [
        (
            "SELECT id FROM competitors",
            Entrant::Competitor as fn(Id) -> Entrant,
        ),
        ("SELECT id FROM teams", Entrant::Team as fn(Id) -> Entrant),
    ] {
        let mut statement = connection.prepare_cached(sql)?;
        let mut rows = statement.query([])?;
        while let Some(row) = rows.next()? {
            known.insert(make(row.get(0)?));
        }
    }
    Ok(known)
}

/// Entrants who already have a result in a workout, and whether it is amended.
pub(super) fn existing_results(
    connection: &Connection,
    workout_id: Id,
) -> Result<HashMap<Entrant, bool>> {
    let mut statement = connection.prepare_cached(
        "SELECT competitor_id, team_id, amended FROM results WHERE workout_id = ?1",
    )?;
    let mut rows = statement.query(params![workout_id])?;
    let mut existing = HashMap::new();
    while let Some(row) = rows.next()? {
        let entrant = entrant_from_columns(row.get(0)?, row.get(1)?)?;
        existing.insert(entrant, row.get::<_, bool>(2)?);
    }
    Ok(existing)
}

/// The latest event that set this result's source value (entry or import).
pub(super) fn latest_source_event(
    connection: &Connection,
    workout_id: Id,
    entrant: Entrant,
) -> Result<Option<(Id, ScoreEventKind)>> {
    let (competitor_id, team_id) = entrant_columns(entrant);
    let found: Option<(Id, Word)> = connection
        .prepare_cached(
            "SELECT id, kind FROM score_events WHERE workout_id = ?1 AND competitor_id IS ?2
                AND team_id IS ?3 AND kind IN ('entry', 'import', 'undo')
             ORDER BY id DESC LIMIT 1",
        )?
        .query_row(params![workout_id, competitor_id, team_id], |row| {
            Ok((row.get(0)?, row.get(1)?))
        })
        .optional()?;
    match found {
        None => Ok(None),
        Some((id, kind)) => Ok(Some((id, decode(1, ScoreEventKind::from_word(&kind.0))?))),
    }
}

pub(super) struct NewResult<'a> {
    pub(super) workout_id: Id,
    pub(super) entrant: Entrant,
    pub(super) source: Source,
    pub(super) value: &'a ScoreValue,
    pub(super) penalty_ms: Millis,
    pub(super) incidents: &'a [String],
    pub(super) provenance: &'a Provenance,
    pub(super) received_at: &'a str,
}

pub(super) fn insert_result(transaction: &Transaction<'_>, new: NewResult<'_>) -> Result<Id> {
    let NewResult {
        workout_id,
        entrant,
        source,
        value,
        penalty_ms,
        incidents,
        provenance,
        received_at,
    } = new;
    let (competitor_id, team_id) = entrant_columns(entrant);
    let (kind, a, b) = score_columns(value.score);
    let incidents = serde_json::to_string(incidents).expect("strings serialize");
    let mut statement = transaction.prepare_cached(
        "INSERT INTO results (workout_id, competitor_id, team_id, source, source_text,
            source_kind, source_a, source_b, source_status, source_tie_break_ms, penalty_ms,
            incidents, provenance_source_name, provenance_record_id, provenance_import_batch,
            received_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
    )?;
    statement.execute(params![
        workout_id,
        competitor_id,
        team_id,
        SqlWord::as_sql(source),
        value.text,
        kind,
        a,
        b,
        value.status.map(SqlWord::as_sql),
        value.tie_break_ms,
        penalty_ms,
        incidents,
        provenance.source_name,
        provenance.record_id,
        provenance.import_batch,
        received_at
    ])?;
    Ok(transaction.last_insert_rowid())
}

pub(super) fn require_who(who: &str) -> Result<&str> {
    let who = who.trim();
    if who.is_empty() {
        return Err(StoreError::InvalidInput {
            field: "who".into(),
            message: "say who made the change".into(),
        });
    }
    Ok(who)
}

pub(super) fn invalid_score(
    connection: &Connection,
    workout: &Workout,
    entrant: Entrant,
    input: &ScoreInput,
    message: String,
) -> StoreError {
    let text = match input {
        ScoreInput::Text { value, .. } => value.clone(),
        ScoreInput::Parsed { score, status, .. } => format!("{score:?} {status:?}"),
    };
    StoreError::InvalidScore {
        workout: workout.name.clone(),
        entrant: describe_entrant(connection, entrant).unwrap_or_else(|_| format!("{entrant:?}")),
        text,
        message,
    }
}
