//! Score entry at the table (by entrant or bib) and undo.

use super::*;

impl CompetitionFile {
    /// Finds the entrant with this bib (competitor bibs first, then team
    /// bibs), or fails with "Unknown bib 123 in workout Fran".
    pub fn entrant_by_bib(&self, workout_id: Id, bib: &str) -> Result<Entrant> {
        entrant_by_bib(&self.connection, workout_id, bib)
    }

    /// The entrants of many bibs in a workout, by the same rule as
    /// [`entrant_by_bib`](Self::entrant_by_bib) (one read for the whole
    /// list): `None` for a bib nobody has.
    pub fn entrants_by_bibs(&self, workout_id: Id, bibs: &[&str]) -> Result<Vec<Option<Entrant>>> {
        self.read(|connection| entrants_by_bibs(connection, workout_id, bibs))
    }

    /// Records a score typed at the table and returns a receipt whose
    /// `entry_id` undoes it.
    pub fn enter_score(
        &mut self,
        workout_id: Id,
        entrant: Entrant,
        input: ScoreInput,
        who: &str,
    ) -> Result<EntryReceipt> {
        let who = require_who(who)?.to_string();
        self.write(|transaction| enter_score_in(transaction, workout_id, entrant, &input, &who))
    }

    /// [`enter_score`](Self::enter_score) by bib.
    pub fn enter_score_by_bib(
        &mut self,
        workout_id: Id,
        bib: &str,
        input: ScoreInput,
        who: &str,
    ) -> Result<EntryReceipt> {
        let who = require_who(who)?.to_string();
        self.write(|transaction| {
            let entrant = entrant_by_bib(transaction, workout_id, bib)?;
            enter_score_in(transaction, workout_id, entrant, &input, &who)
        })
    }

    /// Takes back a manual entry (a typing slip). The entrant can then be
    /// entered again. Amended or imported results cannot be undone: amend them.
    pub fn undo_entry(&mut self, entry_id: Id, who: &str) -> Result<ScoreEvent> {
        let who = require_who(who)?.to_string();
        self.write(|transaction| {
            let cannot = |reason: String| StoreError::CannotUndo { entry_id, reason };
            let event = load_event(transaction, entry_id)?.ok_or(StoreError::NotFound {
                what: "entry",
                key: entry_id.to_string(),
            })?;
            if event.kind != ScoreEventKind::Entry {
                return Err(cannot(format!(
                    "it is {} event, not a score entry",
                    match event.kind {
                        ScoreEventKind::Import => "an import",
                        ScoreEventKind::Amend => "an amendment",
                        _ => "an undo",
                    }
                )));
            }
            let workout = load_workout(transaction, event.workout_id)?;
            if workout.state == PublicationState::Official {
                return Err(StoreError::WorkoutIsOfficial {
                    workout: workout.name,
                });
            }
            match latest_source_event(transaction, event.workout_id, event.entrant)? {
                Some((latest, _)) if latest == entry_id => {}
                _ => {
                    return Err(cannot(
                        "it was already undone or replaced by a later entry".into(),
                    ))
                }
            }
            let result = load_result(transaction, event.workout_id, event.entrant)?
                .ok_or_else(|| cannot("the result no longer exists".into()))?;
            if result.is_amended() {
                return Err(cannot(
                    "the score has an official amendment; amend it again instead".into(),
                ));
            }
            transaction.execute("DELETE FROM results WHERE id = ?1", params![result.id])?;
            let at = now_timestamp();
            let undo_id = append_event(
                transaction,
                NewEvent {
                    workout_id: event.workout_id,
                    entrant: event.entrant,
                    kind: ScoreEventKind::Undo,
                    who: &who,
                    at: &at,
                    old: result.source_value.as_ref(),
                    new: None,
                    reason: None,
                    appeal_ref: None,
                    undoes_event_id: Some(entry_id),
                },
            )?;
            Ok(load_event(transaction, undo_id)?.expect("the event was just written"))
        })
    }
}

pub(super) fn entrant_by_bib(
    connection: &Connection,
    workout_id: Id,
    bib: &str,
) -> Result<Entrant> {
    let workout = load_workout(connection, workout_id)?;
    let bib = bib.trim();
    let competitor: Option<Id> = connection
        .prepare_cached("SELECT id FROM competitors WHERE bib = ?1")?
        .query_row(params![bib], |row| row.get(0))
        .optional()?;
    let team: Option<Id> = connection
        .prepare_cached("SELECT id FROM teams WHERE bib = ?1")?
        .query_row(params![bib], |row| row.get(0))
        .optional()?;
    pick_entrant(workout.team_scoring, competitor, team).ok_or_else(|| StoreError::UnknownBib {
        bib: bib.to_string(),
        workout: workout.name,
    })
}

/// The bib rule, in one place: competitor bibs first, then team bibs,
/// except that a team-chip workout prefers the team with the bib.
pub(super) fn pick_entrant(
    team_scoring: TeamScoring,
    competitor: Option<Id>,
    team: Option<Id>,
) -> Option<Entrant> {
    match (team_scoring, competitor, team) {
        (TeamScoring::TeamChip, _, Some(team)) => Some(Entrant::Team(team)),
        (_, Some(competitor), _) => Some(Entrant::Competitor(competitor)),
        (_, None, Some(team)) => Some(Entrant::Team(team)),
        (_, None, None) => None,
    }
}

/// [`entrant_by_bib`] for many bibs at once (two reads, not two per bib):
/// each bib (trimmed) with its entrant, `None` for an unknown bib.
pub(super) fn entrants_by_bibs(
    connection: &Connection,
    workout_id: Id,
    bibs: &[&str],
) -> Result<Vec<Option<Entrant>>> {
    let workout = load_workout(connection, workout_id)?;
    let ids = |sql: &str| -> Result<HashMap<String, Id>> {
        let mut statement = connection.prepare_cached(sql)?;
        let rows = statement.query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<HashMap<String, Id>>>()?)
    };
    let competitors = ids("SELECT bib, id FROM competitors")?;
    let teams = ids("SELECT bib, id FROM teams WHERE bib IS NOT NULL")?;
    Ok(bibs
        .iter()
        .map(|bib| {
            let bib = bib.trim();
            pick_entrant(
                workout.team_scoring,
                competitors.get(bib).copied(),
                teams.get(bib).copied(),
            )
        })
        .collect())
}

pub(super) fn enter_score_in(
    transaction: &Transaction<'_>,
    workout_id: Id,
    entrant: Entrant,
    input: &ScoreInput,
    who: &str,
) -> Result<EntryReceipt> {
    let workout = load_workout(transaction, workout_id)?;
    if workout.state == PublicationState::Official {
        return Err(StoreError::WorkoutIsOfficial {
            workout: workout.name,
        });
    }
    check_entrant(transaction, &workout, entrant)?;
    let value = resolve_value(&workout, input)
        .map_err(|message| invalid_score(transaction, &workout, entrant, input, message))?;
    if let Some(existing) = load_result(transaction, workout_id, entrant)? {
        let latest = latest_source_event(transaction, workout_id, entrant)?;
        let entry_id = latest.map(|(id, _)| id).unwrap_or_default();
        let display = existing
            .effective_value()
            .map(|value| board_value(&workout, value))
            .unwrap_or_default();
        let hint = if existing.is_amended() {
            "it has an official amendment; amend it again".to_string()
        } else if matches!(existing.source, Source::File | Source::Feed) {
            format!(
                "it was imported from {}; amend it",
                existing
                    .provenance
                    .source_name
                    .as_deref()
                    .unwrap_or("a file or feed")
            )
        } else {
            format!("undo entry {entry_id} or amend it")
        };
        return Err(StoreError::AlreadyScored {
            workout: workout.name,
            entrant: describe_entrant(transaction, entrant)?,
            display,
            entry_id,
            hint,
        });
    }
    let at = now_timestamp();
    let result_id = insert_result(
        transaction,
        NewResult {
            workout_id,
            entrant,
            source: Source::Manual,
            value: &value,
            penalty_ms: 0,
            incidents: &[],
            provenance: &Provenance::default(),
            received_at: &at,
        },
    )?;
    let entry_id = append_event(
        transaction,
        NewEvent {
            workout_id,
            entrant,
            kind: ScoreEventKind::Entry,
            who,
            at: &at,
            old: None,
            new: Some(&value),
            reason: None,
            appeal_ref: None,
            undoes_event_id: None,
        },
    )?;
    Ok(EntryReceipt {
        entry_id,
        result_id,
        workout_id,
        entrant,
        display: board_value(&workout, &value),
        value,
    })
}
