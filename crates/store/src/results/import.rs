//! Result imports from files and feeds (one transaction, never
//! overwriting) and the record of import batches.

use super::*;

impl CompetitionFile {
    /// Stores results from a file or feed in one transaction. Entrants who
    /// already have a result are skipped, never overwritten; a bad value
    /// rolls back the whole batch and names the row.
    pub fn import_results(
        &mut self,
        workout_id: Id,
        source: Source,
        source_name: &str,
        records: &[ImportedResult],
    ) -> Result<ResultImportSummary> {
        self.write(|transaction| {
            import_results_in(transaction, workout_id, source, source_name, records)
        })
    }
}

/// [`CompetitionFile::import_results`] inside a caller's transaction, so
/// crate-internal callers (the inbound ledger) can import and record their
/// own bookkeeping atomically.
pub(crate) fn import_results_in(
    transaction: &Transaction<'_>,
    workout_id: Id,
    source: Source,
    source_name: &str,
    records: &[ImportedResult],
) -> Result<ResultImportSummary> {
    if !matches!(source, Source::File | Source::Feed) {
        return Err(StoreError::InvalidInput {
            field: "import source".into(),
            message: "results are imported from a file or a feed".into(),
        });
    }
    let source_name = require_who(source_name)
        .map_err(|_| StoreError::InvalidInput {
            field: "import source name".into(),
            message: "name the file or feed".into(),
        })?
        .to_string();
    let workout = load_workout(transaction, workout_id)?;
    if workout.state == PublicationState::Official {
        return Err(StoreError::WorkoutIsOfficial {
            workout: workout.name,
        });
    }
    let timing_points: std::collections::HashSet<Id> =
        workout.timing_points.iter().map(|point| point.id).collect();
    let now = now_timestamp();
    let batch_id = next_batch_id(transaction)?;
    let members_only = matches!(
        workout.team_scoring,
        TeamScoring::SumAll | TeamScoring::BestN { .. }
    );
    // A small batch (a poll) reads its entrants by key; a file of many
    // rows reads each table once.
    let mut lookups = if records.len() <= KEYED_IMPORT_ROWS {
        EntrantLookups::Keyed {
            workout_id,
            existing: HashMap::new(),
        }
    } else {
        EntrantLookups::Loaded {
            known: known_entrants(transaction)?,
            in_teams: if members_only {
                team_members(transaction)?
            } else {
                std::collections::HashSet::new()
            },
            existing: existing_results(transaction, workout_id)?,
        }
    };
    let mut summary = ResultImportSummary {
        batch_id: batch_id.clone(),
        ..ResultImportSummary::default()
    };
    for record in records {
        let row_error = |field: &str, message: String| StoreError::ImportRow {
            file: source_name.clone(),
            row: record.row,
            field: field.to_string(),
            message,
        };
        if !lookups.known(transaction, record.entrant)? {
            return Err(row_error(
                "entrant",
                unknown_entrant(record.entrant).to_string(),
            ));
        }
        check_entrant_fits(&workout, record.entrant)
            .map_err(|error| row_error("entrant", error.to_string()))?;
        if let (true, Entrant::Competitor(id)) = (members_only, record.entrant) {
            if !lookups.in_a_team(transaction, id)? {
                return Err(row_error(
                    "entrant",
                    not_in_a_team_message(transaction, record.entrant),
                ));
            }
        }
        let mut value = resolve_value(&workout, &record.value)
            .map_err(|message| row_error("value", message))?;
        if record.penalty_ms < 0 {
            return Err(row_error("penalty", "must not be negative".into()));
        }
        value.penalty_ms = record.penalty_ms;
        if let Some(amended) = lookups.existing(transaction, record.entrant)? {
            summary.skipped_existing += 1;
            if amended {
                summary.skipped_amended += 1;
            }
            continue;
        }
        let received_at = record.received_at.clone().unwrap_or_else(|| now.clone());
        let provenance = Provenance {
            source_name: Some(source_name.clone()),
            record_id: record.record_id.clone(),
            import_batch: Some(batch_id.clone()),
        };
        let result_id = insert_result(
            transaction,
            NewResult {
                workout_id,
                entrant: record.entrant,
                source,
                value: &value,
                penalty_ms: record.penalty_ms,
                incidents: &record.incidents,
                provenance: &provenance,
                received_at: &received_at,
            },
        )?;
        let mut insert_split = transaction.prepare_cached(
            "INSERT INTO result_splits (result_id, timing_point_id, total_ms)
                 VALUES (?1, ?2, ?3)",
        )?;
        for split in &record.splits {
            if !timing_points.contains(&split.timing_point_id) {
                return Err(row_error(
                    "split",
                    format!(
                        "timing point {} is not part of workout {}",
                        split.timing_point_id, workout.name
                    ),
                ));
            }
            if split.total_ms < 0 {
                return Err(row_error("split", "time must not be negative".into()));
            }
            insert_split
                .execute(params![result_id, split.timing_point_id, split.total_ms])
                .map_err(|error| row_error("split", error.to_string()))?;
        }
        append_event(
            transaction,
            NewEvent {
                workout_id,
                entrant: record.entrant,
                kind: ScoreEventKind::Import,
                who: &source_name,
                at: &now,
                old: None,
                new: Some(&value),
                reason: None,
                appeal_ref: None,
                undoes_event_id: None,
            },
        )?;
        lookups.stored(record.entrant);
        summary.inserted += 1;
    }
    record_batch(
        transaction,
        &BatchRecord {
            id: &batch_id,
            kind: "results",
            workout_id: Some(workout_id),
            source,
            source_name: &source_name,
            at: &now,
            inserted: summary.inserted,
            updated: 0,
            skipped: summary.skipped_existing,
        },
    )?;
    Ok(summary)
}

/// Batches up to this many rows read their entrants by key.
const KEYED_IMPORT_ROWS: usize = 256;

/// What an import checks per row: the entrant exists, is in a team (when
/// the workout sums members), and whether it has a result already (and
/// whether that is amended).
enum EntrantLookups {
    Keyed {
        workout_id: Id,
        /// Results this batch stored.
        existing: HashMap<Entrant, bool>,
    },
    Loaded {
        known: std::collections::HashSet<Entrant>,
        in_teams: std::collections::HashSet<Id>,
        existing: HashMap<Entrant, bool>,
    },
}

impl EntrantLookups {
    fn known(&self, connection: &Connection, entrant: Entrant) -> Result<bool> {
        Ok(match self {
            EntrantLookups::Loaded { known, .. } => known.contains(&entrant),
            EntrantLookups::Keyed { .. } => {
                let (sql, id) = match entrant {
                    Entrant::Competitor(id) => ("SELECT 1 FROM competitors WHERE id = ?1", id),
                    Entrant::Team(id) => ("SELECT 1 FROM teams WHERE id = ?1", id),
                };
                connection.prepare_cached(sql)?.exists(params![id])?
            }
        })
    }

    fn in_a_team(&self, connection: &Connection, competitor_id: Id) -> Result<bool> {
        Ok(match self {
            EntrantLookups::Loaded { in_teams, .. } => in_teams.contains(&competitor_id),
            EntrantLookups::Keyed { .. } => connection
                .prepare_cached("SELECT 1 FROM team_members WHERE competitor_id = ?1")?
                .exists(params![competitor_id])?,
        })
    }

    fn existing(&self, connection: &Connection, entrant: Entrant) -> Result<Option<bool>> {
        Ok(match self {
            EntrantLookups::Loaded { existing, .. } => existing.get(&entrant).copied(),
            EntrantLookups::Keyed {
                workout_id,
                existing,
            } => match existing.get(&entrant) {
                Some(amended) => Some(*amended),
                None => {
                    let sql = match entrant {
                        Entrant::Competitor(_) => {
                            "SELECT amended FROM results WHERE workout_id = ?1 AND competitor_id = ?2"
                        }
                        Entrant::Team(_) => {
                            "SELECT amended FROM results WHERE workout_id = ?1 AND team_id = ?2"
                        }
                    };
                    let id = match entrant {
                        Entrant::Competitor(id) | Entrant::Team(id) => id,
                    };
                    connection
                        .prepare_cached(sql)?
                        .query_row(params![workout_id, id], |row| row.get::<_, bool>(0))
                        .optional()?
                }
            },
        })
    }

    fn stored(&mut self, entrant: Entrant) {
        match self {
            EntrantLookups::Keyed { existing, .. } | EntrantLookups::Loaded { existing, .. } => {
                existing.insert(entrant, false);
            }
        }
    }
}

/// The next import batch id: `batch-000001`, `batch-000002`, ...
pub(crate) fn next_batch_id(transaction: &Transaction<'_>) -> Result<String> {
    let count: i64 =
        transaction.query_row("SELECT count(*) FROM import_batches", [], |row| row.get(0))?;
    Ok(format!("batch-{:06}", count + 1))
}

pub(crate) struct BatchRecord<'a> {
    pub id: &'a str,
    pub kind: &'a str,
    pub workout_id: Option<Id>,
    pub source: Source,
    pub source_name: &'a str,
    pub at: &'a str,
    pub inserted: usize,
    pub updated: usize,
    pub skipped: usize,
}

pub(crate) fn record_batch(transaction: &Transaction<'_>, batch: &BatchRecord<'_>) -> Result<()> {
    transaction.execute(
        "INSERT INTO import_batches (id, kind, workout_id, source, source_name, imported_at,
            inserted, updated, skipped) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            batch.id,
            batch.kind,
            batch.workout_id,
            SqlWord::as_sql(batch.source),
            batch.source_name,
            batch.at,
            batch.inserted as i64,
            batch.updated as i64,
            batch.skipped as i64
        ],
    )?;
    Ok(())
}

/// One recorded import (schema version 2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportBatch {
    pub id: String,
    /// `competitors` or `results`.
    pub kind: String,
    pub workout_id: Option<Id>,
    pub source: Source,
    pub source_name: String,
    pub imported_at: String,
    pub inserted: u64,
    pub updated: u64,
    pub skipped: u64,
}

impl CompetitionFile {
    /// Every recorded import, oldest first.
    pub fn import_batches(&self) -> Result<Vec<ImportBatch>> {
        let mut statement = self.connection.prepare_cached(
            "SELECT id, kind, workout_id, source, source_name, imported_at, inserted, updated,
                skipped FROM import_batches ORDER BY imported_at, id",
        )?;
        let rows = statement.query_map([], |row| {
            let source: Word = row.get(3)?;
            Ok(ImportBatch {
                id: row.get(0)?,
                kind: row.get(1)?,
                workout_id: row.get(2)?,
                source: decode(3, Source::from_sql(&source.0))?,
                source_name: row.get(4)?,
                imported_at: row.get(5)?,
                inserted: row.get(6)?,
                updated: row.get(7)?,
                skipped: row.get(8)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}
