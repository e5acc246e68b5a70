//! Start-list imports: one transaction keyed by bib, bulk inserts of new
//! rows with triggers off, and the sync outbox rows those triggers would
//! have queued, queued once set-based.

use super::*;

/// What an import did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ImportSummary {
    /// Competitors that did not exist before (new bibs).
    pub new: usize,
    /// Existing competitors (same bib) whose details changed.
    pub updated: usize,
    /// Existing competitors whose details were already identical.
    pub unchanged: usize,
}

/// How far a running competitor import has got, in rows of the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportProgress {
    /// Rows written (or found unchanged) so far.
    pub done: usize,
    /// Rows in the file.
    pub total: usize,
}

/// Rows between two progress reports of a competitor import: often enough
/// for a smooth progress bar (a 60,000-row file reports 60 times), rarely
/// enough to cost nothing measurable.
pub const IMPORT_PROGRESS_EVERY_ROWS: usize = 1_000;

/// Rows per multi-row `INSERT` of an import's new competitors, chips and
/// division memberships: one statement per 64 rows instead of three per
/// competitor (12 parameters a competitor: 768 a statement, far below
/// SQLite's limit). 128 or 256 measured the same.
pub(super) const BULK_ROWS: usize = 64;

/// `INSERT <verb> INTO <table_columns> VALUES (?, ...), ...` for `rows` rows.
pub(super) fn values_sql(verb: &str, table_columns: &str, columns: usize, rows: usize) -> String {
    let one = format!("({})", vec!["?"; columns].join(", "));
    format!(
        "INSERT {verb} INTO {table_columns} VALUES {}",
        vec![one.as_str(); rows].join(", ")
    )
}

/// The batch statements' columns. New competitors leave `id` to SQLite (the
/// next rowid, one above the largest: in file order, checked after every
/// batch, since their chips and memberships name those ids).
pub(super) const BULK_COMPETITOR_COLUMNS: &str = "competitors (bib, first_name, last_name, gender,
    date_of_birth, country, club, runsignup_registration_id, opentrack_id,
    triathlon_athlete_id, feed_participant_id, para_class)";
/// One competitor with its id, for the row-at-a-time replay that names a
/// failed batch's row.
pub(super) const SINGLE_COMPETITOR_COLUMNS: &str = "competitors (id, bib, first_name, last_name,
    gender, date_of_birth, country, club, runsignup_registration_id, opentrack_id,
    triathlon_athlete_id, feed_participant_id, para_class)";
pub(super) const BULK_CHIP_COLUMNS: &str = "competitor_chips (chip_id, competitor_id, position)";
pub(super) const BULK_DIVISION_COLUMNS: &str = "competitor_divisions (competitor_id, division_id)";

/// An import's new competitors, written [`BULK_ROWS`] at a time, their chips
/// and memberships after them, through statements held for the whole
/// import (prepared once) that bind their text without copying it
/// ([`StaticInsert`]).
///
/// The batches are `INSERT OR FAIL`: a constraint failure stops the
/// statement and keeps the rows before the failing one. A failure still
/// changes nothing stored: the import returns the error and its whole
/// transaction rolls back. The failing row is found from what the batch
/// kept (competitors by id, chips by chip id) and written alone to name it
/// with its field.
pub(super) struct NewCompetitors<'a> {
    pub(super) connection: &'a Connection,
    pub(super) next_id: Id,
    /// (file row, cleaned competitor with its id).
    pub(super) competitors: Vec<(usize, Competitor)>,
    /// (file row, bib, competitor id, position, chip).
    pub(super) chips: Vec<(usize, String, Id, i64, String)>,
    /// (competitor id, division id).
    pub(super) memberships: Vec<(Id, Id)>,
    /// The full-batch statements, prepared on first use.
    pub(super) full_competitors: Option<StaticInsert<'a>>,
    pub(super) full_chips: Option<StaticInsert<'a>>,
    pub(super) full_memberships: Option<StaticInsert<'a>>,
}

/// Runs `rows` rows through the held full-batch statement, or a statement
/// prepared for a last, shorter batch.
fn execute_batch<'a>(
    connection: &'a Connection,
    held: &mut Option<StaticInsert<'a>>,
    full: usize,
    table_columns: &str,
    columns: usize,
    rows: usize,
    values: &[Bound<'_>],
) -> Result<std::result::Result<(), rusqlite::Error>> {
    let sql = |rows| values_sql("OR FAIL", table_columns, columns, rows);
    if rows == full {
        if held.is_none() {
            *held = Some(StaticInsert::prepare(connection, &sql(full))?);
        }
        let statement = held.as_mut().expect("prepared above");
        return Ok(statement.execute(values));
    }
    Ok(StaticInsert::prepare(connection, &sql(rows))?.execute(values))
}

impl<'a> NewCompetitors<'a> {
    pub(super) fn new(connection: &'a Connection) -> Result<NewCompetitors<'a>> {
        let largest: Id =
            connection.query_row("SELECT coalesce(max(id), 0) FROM competitors", [], |row| {
                row.get(0)
            })?;
        Ok(NewCompetitors {
            connection,
            next_id: largest + 1,
            competitors: Vec::with_capacity(BULK_ROWS),
            chips: Vec::with_capacity(BULK_ROWS),
            memberships: Vec::with_capacity(BULK_ROWS),
            full_competitors: None,
            full_chips: None,
            full_memberships: None,
        })
    }

    /// Queues a new competitor and returns its id.
    pub(super) fn push(
        &mut self,
        row: usize,
        mut competitor: Competitor,
        row_error: &dyn Fn(usize, &str, String) -> StoreError,
    ) -> Result<Id> {
        let id = self.next_id;
        self.next_id += 1;
        competitor.id = id;
        self.competitors.push((row, competitor));
        if self.competitors.len() == BULK_ROWS {
            self.flush_competitors(row_error)?;
        }
        Ok(id)
    }

    /// Writes everything still queued.
    pub(super) fn finish(
        mut self,
        row_error: &dyn Fn(usize, &str, String) -> StoreError,
    ) -> Result<()> {
        self.flush_competitors(row_error)?;
        self.flush_chips(true, row_error)?;
        self.flush_memberships(true)
    }

    pub(super) fn flush_competitors(
        &mut self,
        row_error: &dyn Fn(usize, &str, String) -> StoreError,
    ) -> Result<()> {
        if self.competitors.is_empty() {
            return Ok(());
        }
        let mut bound: Vec<Bound<'_>> = Vec::with_capacity(12 * self.competitors.len());
        for (_, competitor) in &self.competitors {
            let external = &competitor.external_ids;
            bound.extend_from_slice(&[
                Bound::Text(&competitor.bib),
                Bound::Text(&competitor.first_name),
                Bound::Text(&competitor.last_name),
                competitor
                    .gender
                    .map_or(Bound::Null, |gender| Bound::Text(gender.as_sql())),
                Bound::text(&competitor.date_of_birth),
                Bound::text(&competitor.country),
                Bound::text(&competitor.club),
                Bound::text(&external.runsignup_registration_id),
                Bound::text(&external.opentrack_id),
                Bound::text(&external.triathlon_athlete_id),
                Bound::text(&external.feed_participant_id),
                Bound::text(&competitor.para_class),
            ]);
        }
        let first_id = self.competitors[0].1.id;
        let last_id = first_id + self.competitors.len() as Id - 1;
        let outcome = execute_batch(
            self.connection,
            &mut self.full_competitors,
            BULK_ROWS,
            BULK_COMPETITOR_COLUMNS,
            12,
            self.competitors.len(),
            &bound,
        )?;
        drop(bound);
        if let Err(error) = outcome {
            // The batch kept the rows before the failing one: write the rest
            // one at a time, with their ids, to name the row.
            let genders: Vec<Option<&'static str>> = self
                .competitors
                .iter()
                .map(|(_, competitor)| competitor.gender.map(SqlWord::as_sql))
                .collect();
            let mut values: Vec<&dyn rusqlite::ToSql> =
                Vec::with_capacity(13 * self.competitors.len());
            for ((_, competitor), gender) in self.competitors.iter().zip(&genders) {
                let external = &competitor.external_ids;
                values.extend_from_slice(&[
                    &competitor.id as &dyn rusqlite::ToSql,
                    &competitor.bib,
                    &competitor.first_name,
                    &competitor.last_name,
                    gender,
                    &competitor.date_of_birth,
                    &competitor.country,
                    &competitor.club,
                    &external.runsignup_registration_id,
                    &external.opentrack_id,
                    &external.triathlon_athlete_id,
                    &external.feed_participant_id,
                    &competitor.para_class,
                ]);
            }
            let kept: i64 = self.connection.query_row(
                "SELECT count(*) FROM competitors WHERE id >= ?1",
                params![first_id],
                |row| row.get(0),
            )?;
            let mut single = self.connection.prepare_cached(&values_sql(
                "",
                SINGLE_COMPETITOR_COLUMNS,
                13,
                1,
            ))?;
            for (at, (row, competitor)) in self.competitors.iter().enumerate().skip(kept as usize) {
                if let Err(error) = single.execute(&values[at * 13..(at + 1) * 13]) {
                    return Err(match unique_conflict(&error) {
                        Some(column) => {
                            let (field, message) = describe_conflict(&column, competitor);
                            row_error(*row, &field, message)
                        }
                        None => error.into(),
                    });
                }
            }
            return Err(error.into());
        }
        // The ids given to chips and memberships are the ones SQLite chose.
        if self.connection.last_insert_rowid() != last_id {
            return Err(StoreError::Conflict(format!(
                "new competitors were stored up to id {}, expected {last_id}",
                self.connection.last_insert_rowid()
            )));
        }
        for (row, competitor) in self.competitors.drain(..) {
            let Competitor {
                id,
                bib,
                chip_ids,
                division_ids,
                ..
            } = competitor;
            for (position, chip) in chip_ids.into_iter().enumerate() {
                self.chips
                    .push((row, bib.clone(), id, position as i64, chip));
            }
            for division_id in division_ids {
                self.memberships.push((id, division_id));
            }
        }
        self.flush_chips(false, row_error)?;
        self.flush_memberships(false)
    }

    /// Writes the queued chips in full batches (`all`: the rest too).
    pub(super) fn flush_chips(
        &mut self,
        all: bool,
        row_error: &dyn Fn(usize, &str, String) -> StoreError,
    ) -> Result<()> {
        while self.chips.len() >= BULK_ROWS || (all && !self.chips.is_empty()) {
            let batch = self.chips.len().min(BULK_ROWS);
            let mut bound: Vec<Bound<'_>> = Vec::with_capacity(3 * batch);
            for (_, _, id, position, chip) in &self.chips[..batch] {
                bound.extend_from_slice(&[
                    Bound::Text(chip),
                    Bound::Integer(*id),
                    Bound::Integer(*position),
                ]);
            }
            let outcome = execute_batch(
                self.connection,
                &mut self.full_chips,
                BULK_ROWS,
                BULK_CHIP_COLUMNS,
                3,
                batch,
                &bound,
            )?;
            drop(bound);
            if let Err(error) = outcome {
                let mut values: Vec<&dyn rusqlite::ToSql> = Vec::with_capacity(3 * batch);
                for (_, _, id, position, chip) in &self.chips[..batch] {
                    values.extend_from_slice(&[chip as &dyn rusqlite::ToSql, id, position]);
                }
                // The batch kept the chips before the failing one.
                let mut holder = self.connection.prepare_cached(
                    "SELECT competitor_id FROM competitor_chips WHERE chip_id = ?1",
                )?;
                let mut single =
                    self.connection
                        .prepare_cached(&values_sql("", BULK_CHIP_COLUMNS, 3, 1))?;
                for (at, (row, bib, id, _, chip)) in self.chips[..batch].iter().enumerate() {
                    let held_by: Option<Id> = holder
                        .query_row(params![chip], |row| row.get(0))
                        .optional()?;
                    if held_by == Some(*id) {
                        continue;
                    }
                    if let Err(error) = single.execute(&values[at * 3..(at + 1) * 3]) {
                        return Err(match unique_conflict(&error) {
                            Some(_) => row_error(
                                *row,
                                "chip",
                                format!(
                                    "a chip of {bib} is already assigned to another competitor"
                                ),
                            ),
                            None => error.into(),
                        });
                    }
                }
                return Err(error.into());
            }
            self.chips.drain(..batch);
        }
        Ok(())
    }

    /// Writes the queued memberships in full batches (`all`: the rest too).
    /// Their division ids come from the file's own divisions.
    pub(super) fn flush_memberships(&mut self, all: bool) -> Result<()> {
        while self.memberships.len() >= BULK_ROWS || (all && !self.memberships.is_empty()) {
            let batch = self.memberships.len().min(BULK_ROWS);
            let mut bound: Vec<Bound<'_>> = Vec::with_capacity(2 * batch);
            for (competitor_id, division_id) in &self.memberships[..batch] {
                bound.extend_from_slice(&[
                    Bound::Integer(*competitor_id),
                    Bound::Integer(*division_id),
                ]);
            }
            execute_batch(
                self.connection,
                &mut self.full_memberships,
                BULK_ROWS,
                BULK_DIVISION_COLUMNS,
                2,
                batch,
                &bound,
            )??;
            drop(bound);
            self.memberships.drain(..batch);
        }
        Ok(())
    }
}

/// Turns triggers off on a connection until [`TriggersOff::restore`] (or the
/// guard's drop) turns them on again: the competitor import's bulk path does
/// the sync triggers' work once, set-based, instead of once per row.
/// Toggling expires the connection's prepared statements, which SQLite
/// prepares again on their next use, so no statement keeps the other state.
pub(super) struct TriggersOff<'a> {
    pub(super) connection: &'a Connection,
    pub(super) restored: bool,
}

impl<'a> TriggersOff<'a> {
    pub(super) fn new(connection: &'a Connection) -> Result<TriggersOff<'a>> {
        connection.set_db_config(
            rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_TRIGGER,
            false,
        )?;
        Ok(TriggersOff {
            connection,
            restored: false,
        })
    }

    pub(super) fn restore(mut self) -> Result<()> {
        self.restored = true;
        let on = self.connection.set_db_config(
            rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_TRIGGER,
            true,
        )?;
        if !on {
            return Err(StoreError::Conflict(
                "could not turn the file's triggers back on".into(),
            ));
        }
        Ok(())
    }
}

impl Drop for TriggersOff<'_> {
    fn drop(&mut self) {
        if self.restored {
            return;
        }
        // An import that failed part-way: its transaction rolls back, and
        // the connection must not stay without its protection and sync
        // triggers. Turning a flag on cannot fail on an open connection; if
        // it ever did, stopping is safer than writing without triggers.
        let on = self.connection.set_db_config(
            rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_TRIGGER,
            true,
        );
        if !matches!(on, Ok(true)) {
            panic!("could not turn the competition file's triggers back on: {on:?}");
        }
    }
}

/// The triggers on the tables a competitor import writes with triggers off,
/// by name: the import does exactly their work set-based after its rows
/// ([`queue_imported_competitor_changes`]). A new trigger on these tables
/// fails the store's test that lists them, so its work is added there too.
#[cfg(test)]
pub(crate) const IMPORT_BYPASSED_TRIGGERS: &[&str] = &[
    "sync_competitor_division_added",
    "sync_competitor_division_removed",
    "sync_competitor_inserted",
    "sync_competitor_updated",
];

/// The tables a competitor import writes while triggers are off.
#[cfg(test)]
pub(crate) const IMPORT_BULK_TABLES: &[&str] =
    &["competitor_chips", "competitor_divisions", "competitors"];

/// The sync triggers' work for a whole import, queued once after its rows
/// (when a sync target is enabled; without one the triggers queue nothing).
/// Per row, `sync_competitor_inserted` / `_updated` queue a `competitor`
/// change, which reaches only competition-scoped targets as their one
/// `competition` entity, so one change stands for all of them; the
/// division-membership triggers also queue every result of a competitor whose
/// division rows were removed or added: only competitors that existed before
/// the import can have results.
pub(super) fn queue_imported_competitor_changes(
    connection: &Connection,
    last_written: Option<Id>,
    memberships_rewritten: &[Id],
) -> Result<()> {
    let Some(last_written) = last_written else {
        return Ok(());
    };
    let any_target: bool = connection.query_row(
        "SELECT EXISTS (SELECT 1 FROM sync_targets WHERE enabled = 1)",
        [],
        |row| row.get(0),
    )?;
    if !any_target {
        return Ok(());
    }
    let mut results = connection.prepare_cached(
        "INSERT INTO sync_changes (kind, workout_id, competitor_id)
         SELECT 'result', workout_id, competitor_id FROM results WHERE competitor_id = ?1",
    )?;
    for id in memberships_rewritten {
        results.execute(params![id])?;
    }
    connection
        .prepare_cached("INSERT INTO sync_changes (kind, competitor_id) VALUES ('competitor', ?1)")?
        .execute(params![last_written])?;
    Ok(())
}

impl CompetitionFile {
    /// Imports a start list in one transaction: new bibs are added, known
    /// bibs updated in place (their results are untouched). Any bad row
    /// rolls back the whole import and is named in the error. See the module
    /// docs for division assignment.
    pub fn import_competitors(&mut self, drafts: &[CompetitorDraft]) -> Result<ImportSummary> {
        self.import_competitors_from("competitor list", drafts)
    }

    /// [`import_competitors`](Self::import_competitors) naming the source
    /// file in errors.
    pub fn import_competitors_from(
        &mut self,
        file_name: &str,
        rows: &[CompetitorDraft],
    ) -> Result<ImportSummary> {
        self.import_competitors_with_progress(file_name, rows, &mut |_| {})
    }

    /// [`import_competitors_from`](Self::import_competitors_from) reporting
    /// its progress to `on_progress`: once before the first row, after every
    /// [`IMPORT_PROGRESS_EVERY_ROWS`] rows, and once with `done == total`
    /// after the transaction has committed (so a report of every row means
    /// every row is stored). A failed import never reports `done == total`.
    /// The whole import is still one transaction.
    pub fn import_competitors_with_progress(
        &mut self,
        file_name: &str,
        rows: &[CompetitorDraft],
        on_progress: &mut dyn FnMut(ImportProgress),
    ) -> Result<ImportSummary> {
        self.import_owned_competitors_with_progress(file_name, rows.to_vec(), on_progress)
    }

    /// [`import_competitors_with_progress`](Self::import_competitors_with_progress)
    /// taking the drafts by value, so their text moves into the stored rows
    /// instead of being copied (the CSV import's path).
    pub fn import_owned_competitors_with_progress(
        &mut self,
        file_name: &str,
        rows: Vec<CompetitorDraft>,
        on_progress: &mut dyn FnMut(ImportProgress),
    ) -> Result<ImportSummary> {
        let total = rows.len();
        on_progress(ImportProgress { done: 0, total });
        let summary = self.write(|transaction| {
            let divisions = load_divisions(transaction)?;
            let start = competition_start(transaction)?;
            let existing: HashMap<String, Competitor> = load_competitors(transaction, "1", &[])?
                .into_iter()
                .map(|competitor| (competitor.bib.clone(), competitor))
                .collect();
            // Chips move between competitors between imports (a swap at
            // packet pickup): release the chips of every known competitor
            // whose chips change before writing any row, so the outcome never
            // depends on row order. Chips held by competitors outside this
            // file still conflict.
            {
                let mut release = transaction
                    .prepare_cached("DELETE FROM competitor_chips WHERE competitor_id = ?1")?;
                for row in &rows {
                    if let Some(known) = existing.get(row.bib.trim()) {
                        let chips: Vec<&str> = row
                            .chip_ids
                            .iter()
                            .map(|chip| chip.trim())
                            .filter(|chip| !chip.is_empty())
                            .collect();
                        if chips
                            != known
                                .chip_ids
                                .iter()
                                .map(String::as_str)
                                .collect::<Vec<_>>()
                        {
                            release.execute(params![known.id])?;
                        }
                    }
                }
            }
            let teams_by_bib = team_bibs(transaction)?;
            // A bib seen in an earlier row, found before the rows move into
            // the loop below (which reports it at the same point as ever),
            // keyed by the file's own text: the cleaned bib is the trimmed
            // text, so no bib is copied for it.
            let repeated_bibs: HashMap<usize, usize> = {
                // Bib -> (index, file row) of its first row.
                let mut seen_bibs: FastHashMap<&str, (usize, usize)> = fast_hash_map(rows.len());
                let mut repeated = HashMap::new();
                for (index, row) in rows.iter().enumerate() {
                    let (first, first_row) =
                        *seen_bibs.entry(row.bib.trim()).or_insert((index, row.row));
                    if first != index {
                        repeated.insert(index, first_row);
                    }
                }
                repeated
            };
            let mut summary = ImportSummary::default();
            // The rows are written with triggers off and the sync triggers'
            // work is queued once afterwards (see
            // `queue_imported_competitor_changes`): per row, the triggers
            // cost a third of a 60,000-row import.
            let mut last_written: Option<Id> = None;
            let mut memberships_rewritten: Vec<Id> = Vec::new();
            let triggers_off = TriggersOff::new(transaction)?;
            let mut writer = CompetitorWriter::new(transaction)?;
            let mut new_competitors = NewCompetitors::new(transaction)?;
            let error_at = |row: usize, field: &str, message: String| StoreError::ImportRow {
                file: file_name.to_string(),
                row: row as u64,
                field: field.to_string(),
                message,
            };
            for (index, row) in rows.into_iter().enumerate() {
                if index > 0 && index % IMPORT_PROGRESS_EVERY_ROWS == 0 {
                    on_progress(ImportProgress { done: index, total });
                }
                let file_row = row.row;
                let row_error = |field: &str, message: String| StoreError::ImportRow {
                    file: file_name.to_string(),
                    row: file_row as u64,
                    field: field.to_string(),
                    message,
                };
                let mut division_ids = Vec::with_capacity(row.division_names.len());
                for name in row
                    .division_names
                    .iter()
                    .map(|name| name.trim())
                    .filter(|name| !name.is_empty())
                {
                    let division = divisions
                        .iter()
                        .find(|division| division.name == name)
                        .or_else(|| {
                            divisions
                                .iter()
                                .find(|division| division.name.eq_ignore_ascii_case(name))
                        })
                        .ok_or_else(|| {
                            row_error(
                                "division",
                                format!("unknown division {name:?}; add it first"),
                            )
                        })?;
                    division_ids.push(division.id);
                }
                if division_ids.is_empty() {
                    division_ids = automatic_divisions(
                        &divisions,
                        row.gender,
                        empty_to_none(&row.date_of_birth),
                        start,
                    );
                }
                let CompetitorDraft {
                    row: _,
                    bib,
                    chip_ids,
                    first_name,
                    last_name,
                    gender,
                    date_of_birth,
                    country,
                    club,
                    external_ids,
                    division_names: _,
                    para_class,
                } = row;
                let draft = Competitor {
                    id: 0,
                    bib,
                    chip_ids,
                    first_name,
                    last_name,
                    gender,
                    date_of_birth,
                    country,
                    club,
                    external_ids,
                    division_ids,
                    para_class,
                };
                let mut clean = clean_competitor(draft)
                    .map_err(|(field, message)| row_error(&field, message))?;
                if let Some(first_row) = repeated_bibs.get(&index) {
                    return Err(row_error(
                        "bib",
                        format!("bib {} already appears in row {first_row}", clean.bib),
                    ));
                }
                if let Some(team) = teams_by_bib.get(&clean.bib) {
                    return Err(row_error("bib", team_bib_conflict(&clean.bib, team)));
                }
                let existing_competitor = existing.get(&clean.bib);
                if let Some(known) = existing_competitor {
                    clean.id = known.id;
                    if *known == clean {
                        summary.unchanged += 1;
                        continue;
                    }
                }
                let Some(known) = existing_competitor else {
                    last_written = Some(new_competitors.push(file_row, clean, &error_at)?);
                    summary.new += 1;
                    continue;
                };
                let id =
                    writer
                        .write(Some(known.id), &clean)
                        .map_err(|error| match unique_conflict(&error) {
                            Some(column) => {
                                let (field, message) = describe_conflict(&column, &clean);
                                row_error(&field, message)
                            }
                            None => error.into(),
                        })?;
                last_written = Some(id);
                if !known.division_ids.is_empty() || !clean.division_ids.is_empty() {
                    memberships_rewritten.push(id);
                }
                summary.updated += 1;
            }
            new_competitors.finish(&error_at)?;
            drop(writer);
            triggers_off.restore()?;
            queue_imported_competitor_changes(transaction, last_written, &memberships_rewritten)?;
            let batch_id = next_batch_id(transaction)?;
            record_batch(
                transaction,
                &BatchRecord {
                    id: &batch_id,
                    kind: "competitors",
                    workout_id: None,
                    source: Source::File,
                    source_name: file_name,
                    at: &now_timestamp(),
                    inserted: summary.new,
                    updated: summary.updated,
                    skipped: summary.unchanged,
                },
            )?;
            Ok(summary)
        })?;
        on_progress(ImportProgress { done: total, total });
        Ok(summary)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_dates_are_read_without_a_format_string() {
        assert_eq!(
            canonical_date("2024-02-29"),
            NaiveDate::from_ymd_opt(2024, 2, 29)
        );
        for text in [
            "2023-02-29",
            "2024-1-05",
            "20a4-01-01",
            "2024/01/01",
            "2024-01-011",
        ] {
            assert_eq!(canonical_date(text), None, "{text}");
        }
    }

    /// The triggers an import bypasses are every trigger on the tables it
    /// writes with triggers off: a trigger added to those tables later fails
    /// here until the import does its work too.
    #[test]
    fn an_import_bypasses_exactly_the_triggers_it_replaces() {
        let directory = tempfile::tempdir().unwrap();
        let file =
            CompetitionFile::create(directory.path().join("t.scoretable"), &bulk::competition())
                .unwrap();
        let mut statement = file
            .connection
            .prepare(
                "SELECT tbl_name, name FROM sqlite_master WHERE type = 'trigger' ORDER BY name",
            )
            .unwrap();
        let on_bulk_tables: Vec<String> = statement
            .query_map([], |row| {
                Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?))
            })
            .unwrap()
            .map(Result::unwrap)
            .filter(|(table, _)| IMPORT_BULK_TABLES.contains(&table.as_str()))
            .map(|(_, name)| name)
            .collect();
        assert_eq!(on_bulk_tables, IMPORT_BYPASSED_TRIGGERS);
    }

    /// An import queues the same outbox rows as the same changes written one
    /// competitor at a time through the triggers: result rows of the
    /// competitors whose division rows were rewritten, the race of each of
    /// their workouts, and the whole competition.
    #[test]
    fn an_import_queues_what_the_row_triggers_queue() {
        let (_a, mut imported, ids) = bulk::file_with_targets();
        let (_b, mut by_rows, _) = bulk::file_with_targets();
        let summary = imported
            .import_competitors_from(
                "start.csv",
                &[
                    bulk::draft(2, "1", "Ada", Some("Harriers"), "Men"),
                    bulk::draft(3, "2", "Bea", None, "Elite"),
                    bulk::draft(4, "3", "Cy", None, ""),
                    bulk::draft(5, "4", "Dee", None, "Men"),
                ],
            )
            .unwrap();
        assert_eq!(
            summary,
            ImportSummary {
                new: 1,
                updated: 2,
                unchanged: 1
            }
        );
        let mut ada = by_rows.competitor_by_bib("1").unwrap().unwrap();
        ada.club = Some("Harriers".to_string());
        by_rows.update_competitor(&ada).unwrap();
        let mut bea = by_rows.competitor_by_bib("2").unwrap().unwrap();
        bea.division_ids = vec![ids.elite];
        by_rows.update_competitor(&bea).unwrap();
        by_rows
            .add_competitor(&Competitor {
                division_ids: vec![ids.men],
                ..bulk::competitor("4", "Dee")
            })
            .unwrap();
        let queued = bulk::queued(&imported);
        assert_eq!(queued, bulk::queued(&by_rows));
        let ada = imported.competitor_by_bib("1").unwrap().unwrap().id;
        let bea = imported.competitor_by_bib("2").unwrap().unwrap().id;
        let workout = ids.workout;
        assert_eq!(
            queued,
            vec![
                ("per-race".to_string(), format!("workout/{workout}")),
                ("per-result".to_string(), format!("result/{workout}/c{ada}")),
                ("per-result".to_string(), format!("result/{workout}/c{bea}")),
                ("whole".to_string(), "competition".to_string()),
            ]
        );
    }

    /// Triggers are on again after an import, whether it committed or
    /// failed part-way: a later score is queued and a source value stays
    /// protected.
    #[test]
    fn triggers_are_on_again_after_an_import_commits_or_fails() {
        let (_directory, mut file, ids) = bulk::file_with_targets();
        let error = file
            .import_competitors_from(
                "start.csv",
                &[
                    bulk::draft(2, "7", "Eve", None, "Men"),
                    bulk::draft(3, "8", "Fay", None, "Nowhere"),
                ],
            )
            .unwrap_err();
        assert!(error.to_string().contains("row 3"), "{error}");
        assert!(file.competitor_by_bib("7").unwrap().is_none());
        let changed = |file: &mut CompetitionFile| {
            file.connection
                .execute("UPDATE results SET source_a = source_a + 1", [])
                .unwrap_err()
        };
        assert!(changed(&mut file).to_string().contains("source"));
        file.import_competitors_from("start.csv", &[bulk::draft(2, "7", "Eve", None, "Men")])
            .unwrap();
        assert!(changed(&mut file).to_string().contains("source"));
        let eve = file.competitor_by_bib("7").unwrap().unwrap();
        file.enter_score_by_bib(
            ids.workout,
            "7",
            crate::results::ScoreInput::text("18:00"),
            "t",
        )
        .unwrap();
        assert!(bulk::queued(&file).contains(&(
            "per-result".to_string(),
            format!("result/{}/c{}", ids.workout, eve.id)
        )));
    }

    mod bulk {
        use super::*;
        use crate::outbox::{EntityScope, NewSyncTarget, OutboxAck, OutboxState, TargetWorkout};
        use scoretable_core::model::{Competition, ScoreType};

        pub struct Ids {
            pub men: Id,
            pub elite: Id,
            pub workout: Id,
        }

        pub fn competition() -> Competition {
            Competition {
                name: "Bulk Open".to_string(),
                slug: "bulk-open".to_string(),
                start_date: "2026-05-01".to_string(),
                end_date: "2026-05-01".to_string(),
                venue: "Hall".to_string(),
                country: "GBR".to_string(),
                organiser: "Club".to_string(),
                time_zone: "Europe/London".to_string(),
            }
        }

        pub fn competitor(bib: &str, first: &str) -> Competitor {
            Competitor {
                id: 0,
                bib: bib.to_string(),
                chip_ids: vec![],
                first_name: first.to_string(),
                last_name: "Vale".to_string(),
                gender: Some(Gender::Male),
                date_of_birth: None,
                country: None,
                club: None,
                external_ids: ExternalIds::default(),
                division_ids: vec![],
                para_class: None,
            }
        }

        pub fn draft(
            row: usize,
            bib: &str,
            first: &str,
            club: Option<&str>,
            division: &str,
        ) -> CompetitorDraft {
            CompetitorDraft {
                row,
                bib: bib.to_string(),
                first_name: first.to_string(),
                last_name: "Vale".to_string(),
                gender: Some(Gender::Male),
                club: club.map(str::to_string),
                division_names: vec![division.to_string()],
                ..CompetitorDraft::default()
            }
        }

        /// Three competitors with results (Ada and Bea in divisions, Cy in
        /// none) and a target of each scope, with nothing queued.
        pub fn file_with_targets() -> (tempfile::TempDir, CompetitionFile, Ids) {
            let directory = tempfile::tempdir().unwrap();
            let mut file =
                CompetitionFile::create(directory.path().join("b.scoretable"), &competition())
                    .unwrap();
            let mut add_division = |name: &str| {
                file.add_division(&Division {
                    id: 0,
                    name: name.to_string(),
                    kind: DivisionKind::Custom,
                    gender: None,
                    min_age: None,
                    max_age: None,
                })
                .unwrap()
            };
            let men = add_division("Men");
            let elite = add_division("Elite");
            for (bib, first, divisions) in [
                ("1", "Ada", vec![men]),
                ("2", "Bea", vec![men]),
                ("3", "Cy", vec![]),
            ] {
                file.add_competitor(&Competitor {
                    division_ids: divisions,
                    ..competitor(bib, first)
                })
                .unwrap();
            }
            let workout = file
                .add_workout(&scoretable_testkit::fixtures::workout(
                    "5k",
                    1,
                    ScoreType::Time,
                ))
                .unwrap();
            for (bib, time) in [("1", "17:00"), ("2", "17:30"), ("3", "18:00")] {
                file.enter_score_by_bib(workout, bib, crate::results::ScoreInput::text(time), "t")
                    .unwrap();
            }
            for (name, scope) in [
                ("per-result", EntityScope::Result),
                ("per-race", EntityScope::Workout),
                ("whole", EntityScope::Competition),
            ] {
                let target = file
                    .add_sync_target(&NewSyncTarget {
                        name: name.to_string(),
                        platform: "example_platform".to_string(),
                        scope,
                        endpoint: "http://127.0.0.1:9".to_string(),
                        config: serde_json::json!({}),
                        workouts: vec![TargetWorkout {
                            workout_id: workout,
                            remote_id: "1".to_string(),
                        }],
                    })
                    .unwrap();
                let claimed = file.claim_outbox(target.id, 100).unwrap();
                file.ack_outbox(
                    &claimed
                        .iter()
                        .map(|item| OutboxAck {
                            item_id: item.id,
                            remote: None,
                        })
                        .collect::<Vec<_>>(),
                )
                .unwrap();
            }
            assert!(queued(&file).is_empty());
            (
                directory,
                file,
                Ids {
                    men,
                    elite,
                    workout,
                },
            )
        }

        /// Every queued outbox row as (target name, entity), sorted.
        pub fn queued(file: &CompetitionFile) -> Vec<(String, String)> {
            let mut rows = Vec::new();
            for target in file.sync_targets().unwrap() {
                for item in file
                    .outbox_items(target.id, OutboxState::Queued, 1_000)
                    .unwrap()
                {
                    rows.push((target.name.clone(), item.entity));
                }
            }
            rows.sort();
            rows
        }
    }
}
