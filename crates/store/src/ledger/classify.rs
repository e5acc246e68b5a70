//! Phase 3 of an apply: each record against the current results and the
//! ledger (first sight, skipped, matched, conflict, review), written in the
//! apply's transaction.

use super::*;

/// A result's id and provenance (record id, source name).
type ExistingRow = (Id, Option<String>, Option<String>);

/// The workout's results as phase 3 needs them, read per entrant a record
/// resolves to (the results' unique index), never the whole workout: who
/// has one, with its provenance; the effective value only when a record
/// meets a result that is not its own import. Phase 3 writes no results,
/// so each read sees what phase 2 left.
pub(super) struct ExistingResults {
    pub(super) workout_id: Id,
}

impl ExistingResults {
    pub(super) fn new(workout_id: Id) -> ExistingResults {
        ExistingResults { workout_id }
    }

    /// The entrant's result id and provenance (record id, source name).
    pub(super) fn row(
        &self,
        connection: &Connection,
        entrant: Entrant,
    ) -> Result<Option<ExistingRow>> {
        let (competitor_id, team_id) = entrant_columns(entrant);
        let mut statement = connection.prepare_cached(match entrant {
            Entrant::Competitor(_) => {
                "SELECT id, provenance_record_id, provenance_source_name FROM results
                 WHERE workout_id = ?1 AND competitor_id = ?2"
            }
            Entrant::Team(_) => {
                "SELECT id, provenance_record_id, provenance_source_name FROM results
                 WHERE workout_id = ?1 AND team_id = ?2"
            }
        })?;
        Ok(statement
            .query_row(params![self.workout_id, competitor_id.or(team_id)], |row| {
                Ok((row.get(0)?, row.get(1)?, row.get(2)?))
            })
            .optional()?)
    }

    pub(super) fn effective(
        &self,
        connection: &Connection,
        entrant: Entrant,
    ) -> Result<Option<ScoreValue>> {
        Ok(load_result(connection, self.workout_id, entrant)?
            .and_then(|result| result.effective_value().cloned()))
    }
}

/// Phase 3 of [`CompetitionFile::apply_inbound`]: every record against the
/// current state, in one transaction.
pub(super) fn classify_and_record(
    transaction: &Transaction<'_>,
    source_name: &str,
    source_kind: Source,
    workout: &Workout,
    records: &[InboundRecord],
    batch_id: Option<&str>,
) -> Result<InboundReport> {
    let now = now_timestamp();
    let keys = || records.iter().map(|record| record.record_key.as_str());
    let mut ledger = load_ledger(transaction, source_name, workout.id, keys())?;
    let mut reviews = load_reviews(transaction, source_name, workout.id, keys())?;
    let mut conflicts = load_conflicts(transaction, ledger.values().map(|row| row.id))?;
    let results = ExistingResults::new(workout.id);
    let mut resolver = Resolver::new(transaction);
    let mut report = InboundReport {
        source_name: source_name.to_string(),
        workout_id: workout.id,
        batch_id: batch_id.map(str::to_string),
        ..InboundReport::default()
    };
    let mut touched_members: Vec<Id> = Vec::new();
    for record in records {
        let incoming_fingerprint = value_fingerprint(&record.value);
        let outcome = if let Some(row) = ledger.get(&record.record_key) {
            compare_with_ledger(
                transaction,
                &mut conflicts,
                row,
                record,
                &incoming_fingerprint,
                &now,
            )?
        } else {
            let entrant = match reviews.get(&record.record_key) {
                Some(review) if review.state == ReviewState::Dismissed => {
                    report.records.push(RecordReport {
                        index: record.index,
                        record_key: record.record_key.clone(),
                        outcome: RecordOutcome::Ignored {
                            review_id: review.id,
                        },
                    });
                    report.ignored += 1;
                    continue;
                }
                Some(review) if review.state == ReviewState::Assigned => review
                    .entrant
                    .ok_or_else(|| "the assigned entrant was removed".to_string()),
                _ => resolver.entrant(workout, record)?,
            };
            match entrant {
                Err(reason) => {
                    let review_id = upsert_review(
                        transaction,
                        source_name,
                        source_kind,
                        workout.id,
                        record,
                        &reason,
                        &now,
                    )?;
                    reviews.insert(
                        record.record_key.clone(),
                        ReviewRow {
                            id: review_id,
                            state: ReviewState::Open,
                            entrant: None,
                        },
                    );
                    RecordOutcome::Unknown { review_id, reason }
                }
                Ok(entrant) => {
                    let (outcome, row) = first_sight(
                        transaction,
                        &mut conflicts,
                        source_name,
                        workout.id,
                        record,
                        entrant,
                        &results,
                        &incoming_fingerprint,
                        &now,
                    )?;
                    if matches!(outcome, RecordOutcome::Imported { .. }) {
                        if let Entrant::Competitor(id) = entrant {
                            touched_members.push(id);
                        }
                    }
                    ledger.insert(record.record_key.clone(), row);
                    outcome
                }
            }
        };
        report.count(&outcome);
        report.records.push(RecordReport {
            index: record.index,
            record_key: record.record_key.clone(),
            outcome,
        });
    }
    if matches!(
        workout.team_scoring,
        TeamScoring::SumAll | TeamScoring::BestN { .. }
    ) && !touched_members.is_empty()
    {
        report.team_progress = team_progress(transaction, workout, &touched_members)?;
    }
    Ok(report)
}

/// A record the ledger already has: skip, or open/refresh a conflict.
pub(super) fn compare_with_ledger(
    transaction: &Transaction<'_>,
    conflicts: &mut ConflictIndex,
    row: &LedgerRow,
    record: &InboundRecord,
    incoming_fingerprint: &str,
    now: &str,
) -> Result<RecordOutcome> {
    let entrant = row.entrant;
    let open = conflicts.open.get(&row.id).cloned();
    if incoming_fingerprint == row.current_fingerprint {
        if let Some((conflict_id, _)) = open {
            // The source went back to the value the ledger holds.
            transaction.execute(
                "UPDATE inbound_conflicts SET state = 'superseded', resolved_by = 'source',
                    resolved_at = ?2, resolution_note = 'the source went back to the imported value'
                 WHERE id = ?1",
                params![conflict_id, now],
            )?;
            conflicts.open.remove(&row.id);
        }
        return Ok(RecordOutcome::Unchanged { entrant });
    }
    if let Some((conflict_id, fingerprint)) = &open {
        if fingerprint == incoming_fingerprint {
            transaction.execute(
                "UPDATE inbound_conflicts SET last_seen_at = ?2, times_seen = times_seen + 1,
                    record = ?3 WHERE id = ?1",
                params![conflict_id, now, to_json(record)],
            )?;
            return Ok(RecordOutcome::Conflict {
                entrant,
                conflict_id: *conflict_id,
                new: false,
            });
        }
    }
    if conflicts
        .dismissed
        .contains(&(row.id, incoming_fingerprint.to_string()))
    {
        return Ok(RecordOutcome::Dismissed { entrant });
    }
    if let Some((conflict_id, _)) = open {
        transaction.execute(
            "UPDATE inbound_conflicts SET state = 'superseded', resolved_by = 'source',
                resolved_at = ?2, resolution_note = 'the source sent another value'
             WHERE id = ?1",
            params![conflict_id, now],
        )?;
    }
    let conflict_id = insert_conflict(
        transaction,
        row.id,
        &row.current_value_json,
        record,
        incoming_fingerprint,
        now,
    )?;
    conflicts
        .open
        .insert(row.id, (conflict_id, incoming_fingerprint.to_string()));
    Ok(RecordOutcome::Conflict {
        entrant,
        conflict_id,
        new: true,
    })
}

pub(super) fn insert_conflict(
    transaction: &Transaction<'_>,
    ledger_id: Id,
    compared_value_json: &str,
    record: &InboundRecord,
    incoming_fingerprint: &str,
    now: &str,
) -> Result<Id> {
    transaction.execute(
        "INSERT INTO inbound_conflicts (ledger_id, incoming_fingerprint, incoming_value,
            compared_value, record, detected_at, last_seen_at, state)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6, 'open')",
        params![
            ledger_id,
            incoming_fingerprint,
            to_json(&record.value),
            compared_value_json,
            to_json(record),
            now
        ],
    )?;
    let conflict_id = transaction.last_insert_rowid();
    failpoint(FAILPOINT_APPLY_AFTER_CONFLICT);
    Ok(conflict_id)
}

/// A record the ledger has not seen, for a known entrant.
#[allow(clippy::too_many_arguments)]
pub(super) fn first_sight(
    transaction: &Transaction<'_>,
    conflicts: &mut ConflictIndex,
    source_name: &str,
    workout_id: Id,
    record: &InboundRecord,
    entrant: Entrant,
    results: &ExistingResults,
    incoming_fingerprint: &str,
    now: &str,
) -> Result<(RecordOutcome, LedgerRow)> {
    let (competitor_id, team_id) = entrant_columns(entrant);
    let Some((result_id, record_id, result_source)) = results.row(transaction, entrant)? else {
        // The import in phase 2 did not store it: only possible when the
        // entrant lost a race with another writer and then had the result
        // undone. Nothing to compare with; report it as unknown next time.
        return Err(StoreError::Conflict(format!(
            "record {} ({}) was not stored; poll again",
            record.index, record.record_key
        )));
    };
    let ours = record_id.as_deref() == Some(record.record_key.as_str())
        && result_source.as_deref() == Some(source_name);
    let baseline = match ours {
        true => record.value.clone(),
        false => results
            .effective(transaction, entrant)?
            .unwrap_or_else(|| record.value.clone()),
    };
    let baseline_fingerprint = value_fingerprint(&baseline);
    let origin = if ours {
        "imported"
    } else if baseline_fingerprint == incoming_fingerprint {
        "matched"
    } else {
        "existing"
    };
    let baseline_json = to_json(&baseline);
    transaction
        .prepare_cached(
            "INSERT INTO inbound_ledger (source_name, workout_id, record_key, competitor_id,
                team_id, result_id, origin, imported_value, current_fingerprint, current_value,
                first_imported_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?8, ?10, ?10)",
        )?
        .execute(params![
            source_name,
            workout_id,
            record.record_key,
            competitor_id,
            team_id,
            result_id,
            origin,
            baseline_json,
            baseline_fingerprint,
            now
        ])?;
    let ledger_id = transaction.last_insert_rowid();
    failpoint(FAILPOINT_APPLY_AFTER_LEDGER_ROW);
    let row = LedgerRow {
        id: ledger_id,
        entrant,
        current_fingerprint: baseline_fingerprint,
        current_value_json: baseline_json,
    };
    let outcome = match origin {
        "imported" => RecordOutcome::Imported { entrant },
        "matched" => RecordOutcome::Matched { entrant },
        _ => compare_with_ledger(
            transaction,
            conflicts,
            &row,
            record,
            incoming_fingerprint,
            now,
        )?,
    };
    Ok((outcome, row))
}

pub(super) fn upsert_review(
    transaction: &Transaction<'_>,
    source_name: &str,
    source_kind: Source,
    workout_id: Id,
    record: &InboundRecord,
    reason: &str,
    now: &str,
) -> Result<Id> {
    transaction.execute(
        "INSERT INTO inbound_review (source_name, source_kind, workout_id, record_key,
            identifier_kind, identifier_value, reason, record, first_seen_at, last_seen_at, state)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9, 'open')
         ON CONFLICT(source_name, workout_id, record_key) DO UPDATE SET
            reason = excluded.reason, record = excluded.record,
            last_seen_at = excluded.last_seen_at, times_seen = times_seen + 1
         WHERE state = 'open'",
        params![
            source_name,
            source_kind_word(source_kind),
            workout_id,
            record.record_key,
            record.identifier.kind.word(),
            record.identifier.value.trim(),
            reason,
            to_json(record),
            now
        ],
    )?;
    failpoint(FAILPOINT_APPLY_AFTER_REVIEW);
    Ok(transaction.query_row(
        "SELECT id FROM inbound_review WHERE source_name = ?1 AND workout_id = ?2
            AND record_key = ?3",
        params![source_name, workout_id, record.record_key],
        |row| row.get(0),
    )?)
}

/// Progress of the teams of `members` in a workout that sums members.
pub(super) fn team_progress(
    connection: &Connection,
    workout: &Workout,
    members: &[Id],
) -> Result<Vec<TeamProgress>> {
    let mut team_ids: Vec<Id> = Vec::new();
    {
        let mut statement = connection
            .prepare_cached("SELECT team_id FROM team_members WHERE competitor_id = ?1")?;
        for member in members {
            let rows = statement.query_map(params![member], |row| row.get::<_, Id>(0))?;
            for team in rows {
                let team = team?;
                if !team_ids.contains(&team) {
                    team_ids.push(team);
                }
            }
        }
    }
    team_ids.sort_unstable();
    let mut statement = connection.prepare_cached(
        "SELECT t.name, count(m.competitor_id),
            count(r.id) FILTER (WHERE r.id IS NOT NULL AND (
                (r.amended = 1 AND r.amended_kind IS NOT NULL AND r.amended_status IS NULL)
                OR (r.amended = 0 AND r.source_kind IS NOT NULL AND r.source_status IS NULL)))
         FROM teams t JOIN team_members m ON m.team_id = t.id
         LEFT JOIN results r ON r.workout_id = ?2 AND r.competitor_id = m.competitor_id
         WHERE t.id = ?1 GROUP BY t.id",
    )?;
    let mut progress = Vec::with_capacity(team_ids.len());
    for team_id in team_ids {
        let (name, members, scored): (String, i64, i64) = statement
            .query_row(params![team_id, workout.id], |row| {
                Ok((row.get(0)?, row.get(1)?, row.get(2)?))
            })?;
        let members = members as usize;
        let needed = match workout.team_scoring {
            TeamScoring::BestN { n } if n > 0 => (n as usize).min(members),
            _ => members,
        };
        progress.push(TeamProgress {
            team_id,
            name,
            members_scored: scored as usize,
            members,
            needed,
            provisional: (scored as usize) < needed,
        });
    }
    Ok(progress)
}
