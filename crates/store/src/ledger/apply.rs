//! Applying a batch of mapped records ([`CompetitionFile::apply_inbound`]):
//! checks, loading the ledger, review items and open conflicts, and the one
//! transaction that writes results, ledger rows, conflicts and review items.

use super::*;

pub(super) struct LedgerRow {
    pub(super) id: Id,
    pub(super) entrant: Entrant,
    pub(super) current_fingerprint: String,
    /// The current value as stored JSON; only conflicts need it.
    pub(super) current_value_json: String,
}

/// The ledger rows of `record_keys` (one keyed read each through the
/// ledger's unique index): an apply reads what its records touch, never
/// the source's whole ledger.
pub(super) fn load_ledger<'key>(
    connection: &Connection,
    source_name: &str,
    workout_id: Id,
    record_keys: impl IntoIterator<Item = &'key str>,
) -> Result<HashMap<String, LedgerRow>> {
    let mut statement = connection.prepare_cached(
        "SELECT id, competitor_id, team_id, current_fingerprint, current_value
         FROM inbound_ledger WHERE source_name = ?1 AND workout_id = ?2 AND record_key = ?3",
    )?;
    let mut ledger = HashMap::new();
    for record_key in record_keys {
        if ledger.contains_key(record_key) {
            continue;
        }
        let mut rows = statement.query(params![source_name, workout_id, record_key])?;
        if let Some(row) = rows.next()? {
            let entrant = entrant_from(row.get(1)?, row.get(2)?).ok_or_else(|| {
                StoreError::Conflict("an import ledger row has no entrant".into())
            })?;
            ledger.insert(
                record_key.to_string(),
                LedgerRow {
                    id: row.get(0)?,
                    entrant,
                    current_fingerprint: row.get(3)?,
                    current_value_json: row.get(4)?,
                },
            );
        }
    }
    Ok(ledger)
}

pub(super) struct ReviewRow {
    pub(super) id: Id,
    pub(super) state: ReviewState,
    pub(super) entrant: Option<Entrant>,
}

/// The review items of `record_keys`, read by key as the ledger rows are.
pub(super) fn load_reviews<'key>(
    connection: &Connection,
    source_name: &str,
    workout_id: Id,
    record_keys: impl IntoIterator<Item = &'key str>,
) -> Result<HashMap<String, ReviewRow>> {
    let mut statement = connection.prepare_cached(
        "SELECT id, state, competitor_id, team_id FROM inbound_review
         WHERE source_name = ?1 AND workout_id = ?2 AND record_key = ?3",
    )?;
    let mut reviews = HashMap::new();
    for record_key in record_keys {
        if reviews.contains_key(record_key) {
            continue;
        }
        let mut rows = statement.query(params![source_name, workout_id, record_key])?;
        if let Some(row) = rows.next()? {
            let state: String = row.get(1)?;
            reviews.insert(
                record_key.to_string(),
                ReviewRow {
                    id: row.get(0)?,
                    state: ReviewState::from_word(&state)?,
                    entrant: entrant_from(row.get(2)?, row.get(3)?),
                },
            );
        }
    }
    Ok(reviews)
}

/// Conflicts of one source and workout that matter for classification:
/// the open one per ledger row, and the dismissed values.
pub(super) struct ConflictIndex {
    pub(super) open: HashMap<Id, (Id, String)>,
    pub(super) dismissed: HashSet<(Id, String)>,
}

/// The open and dismissed conflicts of `ledger_ids` (the rows an apply's
/// records found in the ledger), read by ledger row.
pub(super) fn load_conflicts(
    connection: &Connection,
    ledger_ids: impl IntoIterator<Item = Id>,
) -> Result<ConflictIndex> {
    let mut statement = connection.prepare_cached(
        "SELECT id, incoming_fingerprint, state FROM inbound_conflicts
         WHERE ledger_id = ?1 AND state IN ('open', 'dismissed')",
    )?;
    let mut index = ConflictIndex {
        open: HashMap::new(),
        dismissed: HashSet::new(),
    };
    for ledger_id in ledger_ids {
        let mut rows = statement.query(params![ledger_id])?;
        while let Some(row) = rows.next()? {
            let state: String = row.get(2)?;
            let fingerprint: String = row.get(1)?;
            if state == "open" {
                index.open.insert(ledger_id, (row.get(0)?, fingerprint));
            } else {
                index.dismissed.insert((ledger_id, fingerprint));
            }
        }
    }
    Ok(index)
}

/// Validates a source for ledger use.
pub(super) fn check_source(source: &InboundSource) -> Result<String> {
    if !matches!(source.kind, Source::File | Source::Feed) {
        return Err(StoreError::InvalidInput {
            field: "inbound source".into(),
            message: "records come from a file or a feed".into(),
        });
    }
    let name = source.name.trim();
    if name.is_empty() {
        return Err(StoreError::InvalidInput {
            field: "inbound source name".into(),
            message: "name the connection or mapping".into(),
        });
    }
    Ok(name.to_string())
}

pub(super) fn check_record(record: &InboundRecord) -> Result<()> {
    if record.record_key.trim().is_empty() {
        return Err(StoreError::ImportRow {
            file: "record".into(),
            row: record.index,
            field: "record key".into(),
            message: "is empty".into(),
        });
    }
    if record.value.score.is_none() && record.value.status.is_none() {
        return Err(StoreError::ImportRow {
            file: "record".into(),
            row: record.index,
            field: "value".into(),
            message: "has neither a score nor a status".into(),
        });
    }
    Ok(())
}

/// [`CompetitionFile::apply_inbound`] inside a caller's transaction.
pub(super) fn apply_inbound_in(
    transaction: &Transaction<'_>,
    source_name: &str,
    source_kind: Source,
    workout_id: Id,
    records: &[InboundRecord],
) -> Result<InboundReport> {
    let workout = load_workout(transaction, workout_id)?;
    if workout.state == PublicationState::Official {
        return Err(StoreError::WorkoutIsOfficial {
            workout: workout.name,
        });
    }
    // Which records are new results, then the normal audited import of
    // those, then every record classified against the state as it is now:
    // all in the caller's transaction.
    let to_import = records_to_import(transaction, source_name, &workout, records)?;
    let batch_id = if to_import.is_empty() {
        None
    } else {
        let summary = import_results_in(
            transaction,
            workout_id,
            source_kind,
            source_name,
            &to_import,
        )?;
        failpoint(FAILPOINT_APPLY_AFTER_RESULTS);
        Some(summary.batch_id)
    };
    let report = classify_and_record(
        transaction,
        source_name,
        source_kind,
        &workout,
        records,
        batch_id.as_deref(),
    )?;
    failpoint(FAILPOINT_APPLY_BEFORE_COMMIT);
    Ok(report)
}

pub(super) fn records_to_import(
    connection: &Connection,
    source_name: &str,
    workout: &Workout,
    records: &[InboundRecord],
) -> Result<Vec<ImportedResult>> {
    let keys = || records.iter().map(|record| record.record_key.as_str());
    let ledger = load_ledger(connection, source_name, workout.id, keys())?;
    let reviews = load_reviews(connection, source_name, workout.id, keys())?;
    // Who has a result already: asked per resolved entrant (the results'
    // unique index), remembering this batch's own.
    let mut scored: HashSet<Entrant> = HashSet::new();
    let mut resolver = Resolver::new(connection);
    let mut to_import = Vec::new();
    for record in records {
        if ledger.contains_key(&record.record_key) {
            continue;
        }
        let entrant = match reviews.get(&record.record_key) {
            Some(review) if review.state == ReviewState::Assigned => review.entrant,
            Some(review) if review.state == ReviewState::Dismissed => None,
            _ => resolver.entrant(workout, record)?.ok(),
        };
        if let Some(entrant) = entrant {
            if !scored.contains(&entrant) && !has_result(connection, workout.id, entrant)? {
                scored.insert(entrant);
                to_import.push(imported_result(record, entrant));
            }
        }
    }
    Ok(to_import)
}

/// Whether `entrant` has a result in `workout_id` (one keyed read).
pub(super) fn has_result(
    connection: &Connection,
    workout_id: Id,
    entrant: Entrant,
) -> Result<bool> {
    let (competitor_id, team_id) = entrant_columns(entrant);
    let mut statement = connection.prepare_cached(match entrant {
        Entrant::Competitor(_) => {
            "SELECT 1 FROM results WHERE workout_id = ?1 AND competitor_id = ?2"
        }
        Entrant::Team(_) => "SELECT 1 FROM results WHERE workout_id = ?1 AND team_id = ?2",
    })?;
    let id = competitor_id.or(team_id);
    Ok(statement.exists(params![workout_id, id])?)
}

/// A mapped record as the store's import takes it.
pub(super) fn imported_result(record: &InboundRecord, entrant: Entrant) -> ImportedResult {
    ImportedResult {
        row: record.index,
        entrant,
        value: ScoreInput::Parsed {
            score: record.value.score,
            status: record.value.status,
            tie_break_ms: record.value.tie_break_ms,
        },
        penalty_ms: record.penalty_ms,
        splits: record.splits.clone(),
        incidents: record.incidents.clone(),
        record_id: Some(record.record_key.clone()),
        received_at: None,
    }
}

impl CompetitionFile {
    /// Applies mapped records from one source to one workout, following the
    /// ledger rules in the module docs, and reports every record's outcome.
    /// One transaction: the results, the ledger rows, the conflicts and the
    /// review items commit together or not at all.
    pub fn apply_inbound(
        &mut self,
        source: &InboundSource,
        workout_id: Id,
        records: &[InboundRecord],
    ) -> Result<InboundReport> {
        let source_name = check_source(source)?;
        for record in records {
            check_record(record)?;
        }
        let report = self.write(|transaction| {
            apply_inbound_in(transaction, &source_name, source.kind, workout_id, records)
        })?;
        tracing::info!(
            source = %report.source_name,
            workout_id,
            records = records.len(),
            imported = report.imported,
            unchanged = report.unchanged,
            new_conflicts = report.new_conflicts,
            unknown = report.unknown,
            "inbound applied"
        );
        failpoint(FAILPOINT_APPLY_AFTER_COMMIT);
        Ok(report)
    }

    /// How many ledger rows a source has in a workout.
    pub fn ledger_size(&self, source_name: &str, workout_id: Id) -> Result<u64> {
        let count: i64 = self.connection.query_row(
            "SELECT count(*) FROM inbound_ledger WHERE source_name = ?1 AND workout_id = ?2",
            params![source_name.trim(), workout_id],
            |row| row.get(0),
        )?;
        Ok(count as u64)
    }
}
