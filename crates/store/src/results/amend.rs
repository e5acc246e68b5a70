//! Official amendments of scores and penalties, and their preview.

use super::*;

impl CompetitionFile {
    /// Sets an official amendment: the new value wins over any source value
    /// from now on and no import can overwrite it. Works on official
    /// workouts too. Returns who moved in the workout's placings.
    pub fn amend_score(
        &mut self,
        workout_id: Id,
        entrant: Entrant,
        new_value: &str,
        who: &str,
        reason: &str,
        appeal_ref: Option<&str>,
    ) -> Result<AmendmentReceipt> {
        self.amend_score_with(
            workout_id,
            entrant,
            ScoreInput::text(new_value),
            who,
            reason,
            appeal_ref,
        )
    }

    /// [`amend_score`](Self::amend_score) with any [`ScoreInput`] (e.g. with a tie-break).
    pub fn amend_score_with(
        &mut self,
        workout_id: Id,
        entrant: Entrant,
        input: ScoreInput,
        who: &str,
        reason: &str,
        appeal_ref: Option<&str>,
    ) -> Result<AmendmentReceipt> {
        let mut receipt =
            self.record_amendment(workout_id, entrant, input, who, reason, appeal_ref)?;
        receipt.moved = self.placement_changes_since(workout_id, entrant, receipt.old.as_ref())?;
        Ok(receipt)
    }

    /// [`amend_score_with`](Self::amend_score_with) without the who-moved
    /// list (`moved` is empty): the write alone, one short transaction that
    /// updates the result, appends the history event and commits, with no
    /// loading or ranking while the write lock is held. For callers that
    /// know who moved from a board they keep (the desktop app), or that
    /// call [`placement_changes_since`](Self::placement_changes_since).
    pub fn record_amendment(
        &mut self,
        workout_id: Id,
        entrant: Entrant,
        input: ScoreInput,
        who: &str,
        reason: &str,
        appeal_ref: Option<&str>,
    ) -> Result<AmendmentReceipt> {
        self.write(|transaction| {
            amend_score_in(
                transaction,
                workout_id,
                entrant,
                &input,
                who,
                reason,
                appeal_ref,
            )
        })
    }

    /// Shows what an amendment would do without storing anything: the old
    /// and new values and who would move. The desktop app shows this before
    /// the official confirms.
    pub fn preview_amendment(
        &self,
        workout_id: Id,
        entrant: Entrant,
        input: &ScoreInput,
    ) -> Result<AmendmentPreview> {
        self.preview_amendment_listed(workout_id, entrant, input, usize::MAX)
    }

    /// [`preview_amendment`](Self::preview_amendment) with who would move
    /// counted in full (`moved_changes`, `moved_entrants`) but listed only
    /// up to `listed` changes, for a screen that shows the first few.
    pub fn preview_amendment_listed(
        &self,
        workout_id: Id,
        entrant: Entrant,
        input: &ScoreInput,
        listed: usize,
    ) -> Result<AmendmentPreview> {
        self.read(|_| self.preview_amendment_unlocked(workout_id, entrant, input, listed))
    }

    pub(super) fn preview_amendment_unlocked(
        &self,
        workout_id: Id,
        entrant: Entrant,
        input: &ScoreInput,
        listed: usize,
    ) -> Result<AmendmentPreview> {
        let connection = &self.connection;
        let workout = load_workout(connection, workout_id)?;
        check_entrant(connection, &workout, entrant)?;
        let existing = load_result(connection, workout_id, entrant)?;
        let old = existing
            .as_ref()
            .and_then(|result| result.effective_value().cloned());
        let mut value = resolve_value(&workout, input)
            .map_err(|message| invalid_score(connection, &workout, entrant, input, message))?;
        value.penalty_ms = old.as_ref().map_or(0, |old| old.penalty_ms);
        // Who would move: the index range between the stored and the new
        // value, as after an amendment.
        let before = load_rank_entry(connection, workout_id, entrant)?;
        let moved = who_moved(
            connection,
            &workout,
            entrant,
            before,
            Some(amended_entry(entrant, &value)),
            listed,
        )?;
        Ok(AmendmentPreview {
            display: board_value(&workout, &value),
            old,
            new: value,
            moved: moved.listed,
            moved_changes: moved.changes,
            moved_entrants: moved.entrants,
        })
    }

    /// Sets an official time penalty on an entrant's result (replacing any
    /// earlier penalty), keeping its score; optionally records the incident
    /// in World Triathlon's wording ("10 second penalty for ..."). Logged as
    /// an amendment and protected like one.
    #[allow(clippy::too_many_arguments)]
    pub fn amend_penalty(
        &mut self,
        workout_id: Id,
        entrant: Entrant,
        penalty_ms: Millis,
        incident: Option<&str>,
        who: &str,
        reason: &str,
        appeal_ref: Option<&str>,
    ) -> Result<AmendmentReceipt> {
        let who = require_who(who)?.to_string();
        let reason = reason.trim().to_string();
        if reason.is_empty() {
            return Err(StoreError::ReasonRequired);
        }
        if penalty_ms < 0 {
            return Err(StoreError::InvalidInput {
                field: "penalty".into(),
                message: "must not be negative".into(),
            });
        }
        let appeal_ref = appeal_ref
            .map(str::trim)
            .filter(|text| !text.is_empty())
            .map(str::to_string);
        let incident = incident
            .map(str::trim)
            .filter(|text| !text.is_empty())
            .map(str::to_string);
        let mut receipt = self.write(|transaction| {
            amend_in(
                transaction,
                Amendment {
                    workout_id,
                    entrant,
                    who: &who,
                    reason: &reason,
                    appeal_ref: appeal_ref.as_deref(),
                    incident: incident.as_deref(),
                },
                |workout, old| {
                    let Some(old) = old else {
                        return Err(StoreError::NoScore {
                            workout: workout.name.clone(),
                            entrant: describe_entrant(transaction, entrant)?,
                        });
                    };
                    Ok(ScoreValue {
                        penalty_ms,
                        ..old.clone()
                    })
                },
            )
        })?;
        receipt.moved = self.placement_changes_since(workout_id, entrant, receipt.old.as_ref())?;
        Ok(receipt)
    }
}

pub(super) struct Amendment<'a> {
    pub(super) workout_id: Id,
    pub(super) entrant: Entrant,
    pub(super) who: &'a str,
    pub(super) reason: &'a str,
    pub(super) appeal_ref: Option<&'a str>,
    /// An incident note to add to the result.
    pub(super) incident: Option<&'a str>,
}

/// Writes an amendment whose value `make_value` derives from the workout and
/// the current effective value, logs it, and reports who moved.
pub(super) fn amend_in(
    transaction: &Transaction<'_>,
    amendment: Amendment<'_>,
    make_value: impl FnOnce(&Workout, Option<&ScoreValue>) -> Result<ScoreValue>,
) -> Result<AmendmentReceipt> {
    let Amendment {
        workout_id,
        entrant,
        who,
        reason,
        appeal_ref,
        incident,
    } = amendment;
    let workout = load_workout(transaction, workout_id)?;
    check_entrant(transaction, &workout, entrant)?;
    let existing = load_result(transaction, workout_id, entrant)?;
    let old = existing
        .as_ref()
        .and_then(|result| result.effective_value().cloned());
    let value = make_value(&workout, old.as_ref())?;
    let (kind, a, b) = score_columns(value.score);
    let at = now_timestamp();
    let result_id = match &existing {
        Some(result) => {
            transaction
                .prepare_cached(
                    "UPDATE results SET amended = 1, amended_text = ?2, amended_kind = ?3,
                        amended_a = ?4, amended_b = ?5, amended_status = ?6,
                        amended_tie_break_ms = ?7, amended_penalty_ms = ?8
                     WHERE id = ?1",
                )?
                .execute(params![
                    result.id,
                    value.text,
                    kind,
                    a,
                    b,
                    value.status.map(SqlWord::as_sql),
                    value.tie_break_ms,
                    value.penalty_ms
                ])?;
            result.id
        }
        None => {
            let (competitor_id, team_id) = entrant_columns(entrant);
            transaction
                .prepare_cached(
                    "INSERT INTO results (workout_id, competitor_id, team_id, source,
                        amended, amended_text, amended_kind, amended_a, amended_b,
                        amended_status, amended_tie_break_ms, amended_penalty_ms, received_at)
                     VALUES (?1, ?2, ?3, 'amendment', 1, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                )?
                .execute(params![
                    workout_id,
                    competitor_id,
                    team_id,
                    value.text,
                    kind,
                    a,
                    b,
                    value.status.map(SqlWord::as_sql),
                    value.tie_break_ms,
                    value.penalty_ms,
                    at
                ])?;
            transaction.last_insert_rowid()
        }
    };
    if let Some(incident) = incident {
        transaction.execute(
            "UPDATE results SET incidents = json_insert(incidents, '$[#]', ?2) WHERE id = ?1",
            params![result_id, incident],
        )?;
    }
    let event_id = append_event(
        transaction,
        NewEvent {
            workout_id,
            entrant,
            kind: ScoreEventKind::Amend,
            who,
            at: &at,
            old: old.as_ref(),
            new: Some(&value),
            reason: Some(reason),
            appeal_ref,
            undoes_event_id: None,
        },
    )?;
    Ok(AmendmentReceipt {
        event_id,
        result_id,
        display: board_value(&workout, &value),
        old,
        new: value,
        // Filled after the commit by the callers that report who moved.
        moved: Vec::new(),
    })
}

/// The ranking input of an amended value.
pub(super) fn amended_entry(entrant: Entrant, value: &ScoreValue) -> ResultEntry {
    ResultEntry {
        entrant,
        score: value.score,
        status: value.status,
        tie_break_ms: value.tie_break_ms,
        penalty_ms: value.penalty_ms,
        splits: Vec::new(),
        incidents: Vec::new(),
        source: Source::Amendment,
        amended: true,
        partial: false,
    }
}

/// [`CompetitionFile::amend_score_with`] inside a caller's transaction, so
/// crate-internal callers (the inbound ledger) can amend and record their
/// own bookkeeping atomically.
pub(crate) fn amend_score_in(
    transaction: &Transaction<'_>,
    workout_id: Id,
    entrant: Entrant,
    input: &ScoreInput,
    who: &str,
    reason: &str,
    appeal_ref: Option<&str>,
) -> Result<AmendmentReceipt> {
    let who = require_who(who)?;
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(StoreError::ReasonRequired);
    }
    let appeal_ref = appeal_ref.map(str::trim).filter(|text| !text.is_empty());
    amend_in(
        transaction,
        Amendment {
            workout_id,
            entrant,
            who,
            reason,
            appeal_ref,
            incident: None,
        },
        |workout, old| {
            let mut value = resolve_value(workout, input)
                .map_err(|message| invalid_score(transaction, workout, entrant, input, message))?;
            // A new value keeps any penalty already applied.
            value.penalty_ms = old.map_or(0, |old| old.penalty_ms);
            Ok(value)
        },
    )
}
