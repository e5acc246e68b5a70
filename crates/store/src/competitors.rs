//! Divisions, competitors and teams.
//!
//! Competitors are keyed by bib: re-importing a start list updates the
//! existing rows in place (their row ids, and therefore their results, never
//! change). A whole import runs in one transaction: one bad row rolls back
//! every row and the error names the file, row and field.
//!
//! Division assignment on import: a row that names divisions is placed in
//! exactly those (an unknown division name is an error naming the row, so a
//! typo never silently creates a division). A row that names none is placed
//! automatically in every `Gender` division of its gender and every
//! `AgeGroup` division whose gender (if any) and inclusive age range match its
//! age on the competition's first day.
//!
//! A bib belongs to one entrant: a team may not take a competitor's bib and
//! a competitor may not take a team's, because score entry looks a bib up
//! among competitors first and such a team could never be scored.
//!
//! Adding a gender or age-group division later places every existing
//! competitor who matches it; changing such a division's rule recomputes its
//! members. Custom divisions are only ever assigned explicitly.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use rusqlite::{params, Connection, OptionalExtension, Row, Transaction};
use scoretable_core::divisions::automatic_divisions;
use scoretable_core::import::CompetitorDraft;
use scoretable_core::model::{
    Competitor, Division, DivisionKind, ExternalIds, Gender, Id, Source, Team, TeamMember,
};
use serde::{Deserialize, Serialize};

use crate::codec::{decode, SqlWord, Word};
use crate::competition_file::{now_timestamp, CompetitionFile};
use crate::error::{Result, StoreError};
use crate::results::{next_batch_id, record_batch, BatchRecord};

/// The external systems whose identifiers a competitor or team carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExternalSystem {
    /// RunSignup `registration_id`.
    RunSignup,
    /// OpenTrack competitor id.
    OpenTrack,
    /// World Triathlon `athlete_id`.
    Triathlon,
    /// A timing feed's participant id.
    Feed,
}

impl ExternalSystem {
    fn column(self) -> &'static str {
        match self {
            ExternalSystem::RunSignup => "runsignup_registration_id",
            ExternalSystem::OpenTrack => "opentrack_id",
            ExternalSystem::Triathlon => "triathlon_athlete_id",
            ExternalSystem::Feed => "feed_participant_id",
        }
    }
}

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

const COMPETITOR_COLUMNS: &str = "id, bib, first_name, last_name, gender, date_of_birth, country,
    club, runsignup_registration_id, opentrack_id, triathlon_athlete_id, feed_participant_id,
    para_class";

fn competitor_from_row(row: &Row<'_>) -> rusqlite::Result<Competitor> {
    let gender: Option<Word> = row.get(4)?;
    Ok(Competitor {
        id: row.get(0)?,
        bib: row.get(1)?,
        chip_ids: Vec::new(),
        first_name: row.get(2)?,
        last_name: row.get(3)?,
        gender: gender
            .map(|word| decode(4, Gender::from_sql(&word.0)))
            .transpose()?,
        date_of_birth: row.get(5)?,
        country: row.get(6)?,
        club: row.get(7)?,
        external_ids: ExternalIds {
            runsignup_registration_id: row.get(8)?,
            opentrack_id: row.get(9)?,
            triathlon_athlete_id: row.get(10)?,
            feed_participant_id: row.get(11)?,
        },
        division_ids: Vec::new(),
        para_class: row.get(12)?,
    })
}

fn division_from_row(row: &Row<'_>) -> rusqlite::Result<Division> {
    let kind: Word = row.get(2)?;
    let gender: Option<Word> = row.get(3)?;
    Ok(Division {
        id: row.get(0)?,
        name: row.get(1)?,
        kind: decode(2, DivisionKind::from_sql(&kind.0))?,
        gender: gender
            .map(|word| decode(3, Gender::from_sql(&word.0)))
            .transpose()?,
        min_age: row.get(4)?,
        max_age: row.get(5)?,
    })
}

/// Loads competitors matching `filter` (a SQL condition on `competitors`)
/// with their chips and divisions: one query per table.
pub(crate) fn load_competitors(
    connection: &Connection,
    filter: &str,
    filter_params: &[&dyn rusqlite::ToSql],
) -> Result<Vec<Competitor>> {
    let mut competitors: Vec<Competitor> = {
        let sql =
            format!("SELECT {COMPETITOR_COLUMNS} FROM competitors WHERE {filter} ORDER BY id");
        let mut statement = connection.prepare_cached(&sql)?;
        let rows = statement.query_map(filter_params, competitor_from_row)?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    if competitors.is_empty() {
        return Ok(competitors);
    }
    let index: HashMap<Id, usize> = competitors
        .iter()
        .enumerate()
        .map(|(position, competitor)| (competitor.id, position))
        .collect();
    let single = competitors.len() == 1;
    let single_id = competitors[0].id;
    {
        let sql = if single {
            "SELECT competitor_id, chip_id FROM competitor_chips WHERE competitor_id = ?1
             ORDER BY competitor_id, position"
        } else {
            "SELECT competitor_id, chip_id FROM competitor_chips ORDER BY competitor_id, position"
        };
        let mut statement = connection.prepare_cached(sql)?;
        let mut rows = if single {
            statement.query(params![single_id])?
        } else {
            statement.query([])?
        };
        while let Some(row) = rows.next()? {
            let competitor_id: Id = row.get(0)?;
            if let Some(&position) = index.get(&competitor_id) {
                competitors[position].chip_ids.push(row.get(1)?);
            }
        }
    }
    {
        let sql = if single {
            "SELECT competitor_id, division_id FROM competitor_divisions WHERE competitor_id = ?1
             ORDER BY competitor_id, division_id"
        } else {
            "SELECT competitor_id, division_id FROM competitor_divisions
             ORDER BY competitor_id, division_id"
        };
        let mut statement = connection.prepare_cached(sql)?;
        let mut rows = if single {
            statement.query(params![single_id])?
        } else {
            statement.query([])?
        };
        while let Some(row) = rows.next()? {
            let competitor_id: Id = row.get(0)?;
            if let Some(&position) = index.get(&competitor_id) {
                competitors[position].division_ids.push(row.get(1)?);
            }
        }
    }
    Ok(competitors)
}

pub(crate) fn load_divisions(connection: &Connection) -> Result<Vec<Division>> {
    let mut statement = connection.prepare_cached(
        "SELECT id, name, kind, gender, min_age, max_age FROM divisions ORDER BY id",
    )?;
    let rows = statement.query_map([], division_from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub(crate) fn load_teams(
    connection: &Connection,
    filter: &str,
    filter_params: &[&dyn rusqlite::ToSql],
) -> Result<Vec<Team>> {
    let mut teams: Vec<Team> = {
        let sql = format!(
            "SELECT id, name, bib, country, runsignup_registration_id, opentrack_id,
                triathlon_athlete_id, feed_participant_id FROM teams WHERE {filter} ORDER BY id"
        );
        let mut statement = connection.prepare_cached(&sql)?;
        let rows = statement.query_map(filter_params, |row| {
            Ok(Team {
                id: row.get(0)?,
                name: row.get(1)?,
                bib: row.get(2)?,
                country: row.get(3)?,
                division_ids: Vec::new(),
                members: Vec::new(),
                external_ids: ExternalIds {
                    runsignup_registration_id: row.get(4)?,
                    opentrack_id: row.get(5)?,
                    triathlon_athlete_id: row.get(6)?,
                    feed_participant_id: row.get(7)?,
                },
            })
        })?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    let index: HashMap<Id, usize> = teams
        .iter()
        .enumerate()
        .map(|(position, team)| (team.id, position))
        .collect();
    {
        let mut statement = connection.prepare_cached(
            "SELECT team_id, competitor_id, member_order FROM team_members
             ORDER BY team_id, member_order",
        )?;
        let mut rows = statement.query([])?;
        while let Some(row) = rows.next()? {
            let team_id: Id = row.get(0)?;
            if let Some(&position) = index.get(&team_id) {
                teams[position].members.push(TeamMember {
                    competitor_id: row.get(1)?,
                    order: row.get(2)?,
                });
            }
        }
    }
    {
        let mut statement = connection.prepare_cached(
            "SELECT team_id, division_id FROM team_divisions ORDER BY team_id, division_id",
        )?;
        let mut rows = statement.query([])?;
        while let Some(row) = rows.next()? {
            let team_id: Id = row.get(0)?;
            if let Some(&position) = index.get(&team_id) {
                teams[position].division_ids.push(row.get(1)?);
            }
        }
    }
    Ok(teams)
}

/// Places every competitor matching a gender or age-group division's rule in
/// it (and, with `replace`, removes those who no longer match). Custom
/// divisions are left alone. Returns how many competitors are members after.
fn place_rule_members(
    transaction: &Transaction<'_>,
    division: &Division,
    replace: bool,
) -> Result<usize> {
    if division.kind == DivisionKind::Custom {
        return Ok(0);
    }
    let start = competition_start(transaction)?;
    let only_this = [division.clone()];
    let mut members = Vec::new();
    {
        let mut statement =
            transaction.prepare_cached("SELECT id, gender, date_of_birth FROM competitors")?;
        let mut rows = statement.query([])?;
        while let Some(row) = rows.next()? {
            let id: Id = row.get(0)?;
            let gender: Option<Word> = row.get(1)?;
            let gender = gender
                .map(|word| decode(1, Gender::from_sql(&word.0)))
                .transpose()?;
            let date_of_birth: Option<String> = row.get(2)?;
            if !automatic_divisions(&only_this, gender, date_of_birth.as_deref(), start).is_empty()
            {
                members.push(id);
            }
        }
    }
    if replace {
        transaction.execute(
            "DELETE FROM competitor_divisions WHERE division_id = ?1",
            params![division.id],
        )?;
    }
    let mut insert = transaction.prepare_cached(
        "INSERT OR IGNORE INTO competitor_divisions (competitor_id, division_id) VALUES (?1, ?2)",
    )?;
    for id in &members {
        insert.execute(params![id, division.id])?;
    }
    Ok(members.len())
}

fn validate_division(division: &Division) -> Result<()> {
    let invalid = |message: String| StoreError::InvalidInput {
        field: format!("division {:?}", division.name),
        message,
    };
    if division.name.trim().is_empty() {
        return Err(StoreError::InvalidInput {
            field: "division name".into(),
            message: "must not be empty".into(),
        });
    }
    crate::text_rules::check_text(division.name.trim(), crate::text_rules::MAX_NAME_CHARS)
        .map_err(|message| StoreError::InvalidInput {
            field: "division name".into(),
            message,
        })?;
    match division.kind {
        DivisionKind::Gender if division.gender.is_none() => {
            Err(invalid("a gender division needs a gender".into()))
        }
        DivisionKind::AgeGroup if division.min_age.is_none() && division.max_age.is_none() => Err(
            invalid("an age-group division needs a minimum or maximum age".into()),
        ),
        _ => match (division.min_age, division.max_age) {
            (Some(min), Some(max)) if min > max => Err(invalid(format!(
                "minimum age {min} is above maximum age {max}"
            ))),
            _ => Ok(()),
        },
    }
}

/// Explains a UNIQUE failure in words ("bib 12 is already used").
fn unique_conflict(error: &rusqlite::Error) -> Option<String> {
    if let rusqlite::Error::SqliteFailure(failure, Some(message)) = error {
        if failure.code == rusqlite::ErrorCode::ConstraintViolation
            && message.starts_with("UNIQUE constraint failed")
        {
            let column = message
                .rsplit('.')
                .next()
                .unwrap_or(message.as_str())
                .to_string();
            return Some(column);
        }
    }
    None
}

fn empty_to_none(value: &Option<String>) -> Option<&str> {
    value
        .as_deref()
        .map(str::trim)
        .filter(|text| !text.is_empty())
}

fn competition_start(connection: &Connection) -> Result<Option<NaiveDate>> {
    let text: String = connection.query_row(
        "SELECT start_date FROM competition WHERE id = 1",
        [],
        |row| row.get(0),
    )?;
    Ok(NaiveDate::parse_from_str(&text, "%Y-%m-%d").ok())
}

/// Team bibs and the teams that carry them. Score entry finds a
/// competitor's bib before a team's, so a competitor may not take a bib a
/// team already has (and [`write_team`] refuses the reverse).
fn team_bibs(connection: &Connection) -> Result<HashMap<String, String>> {
    let mut statement =
        connection.prepare_cached("SELECT bib, name FROM teams WHERE bib IS NOT NULL")?;
    let rows = statement.query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

fn team_bib_conflict(bib: &str, team: &str) -> String {
    format!("bib {bib} is already used by team {team}")
}

/// The statements that write competitors, prepared once and held for a
/// whole transaction: an import writes tens of thousands of rows through
/// them, and looking each statement up in the cache by its text per row
/// cost more than binding it.
struct CompetitorWriter<'a> {
    connection: &'a Connection,
    insert: rusqlite::CachedStatement<'a>,
    update: rusqlite::CachedStatement<'a>,
    delete_chips: rusqlite::CachedStatement<'a>,
    delete_divisions: rusqlite::CachedStatement<'a>,
    insert_chip: rusqlite::CachedStatement<'a>,
    insert_division: rusqlite::CachedStatement<'a>,
}

impl<'a> CompetitorWriter<'a> {
    fn new(connection: &'a Connection) -> rusqlite::Result<CompetitorWriter<'a>> {
        Ok(CompetitorWriter {
            connection,
            insert: connection.prepare_cached(
                "INSERT INTO competitors (bib, first_name, last_name, gender, date_of_birth,
                    country, club, runsignup_registration_id, opentrack_id, triathlon_athlete_id,
                    feed_participant_id, para_class)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
            )?,
            update: connection.prepare_cached(
                "UPDATE competitors SET bib = ?2, first_name = ?3, last_name = ?4, gender = ?5,
                    date_of_birth = ?6, country = ?7, club = ?8, runsignup_registration_id = ?9,
                    opentrack_id = ?10, triathlon_athlete_id = ?11, feed_participant_id = ?12,
                    para_class = ?13
                 WHERE id = ?1",
            )?,
            delete_chips: connection
                .prepare_cached("DELETE FROM competitor_chips WHERE competitor_id = ?1")?,
            delete_divisions: connection
                .prepare_cached("DELETE FROM competitor_divisions WHERE competitor_id = ?1")?,
            insert_chip: connection.prepare_cached(
                "INSERT INTO competitor_chips (chip_id, competitor_id, position)
                 VALUES (?1, ?2, ?3)",
            )?,
            insert_division: connection.prepare_cached(
                "INSERT OR IGNORE INTO competitor_divisions (competitor_id, division_id)
                 VALUES (?1, ?2)",
            )?,
        })
    }

    /// Writes one competitor (insert when `existing_id` is None), replacing
    /// its chips and divisions.
    fn write(&mut self, existing_id: Option<Id>, competitor: &Competitor) -> rusqlite::Result<Id> {
        let external = &competitor.external_ids;
        let gender = competitor.gender.map(SqlWord::as_sql);
        let id = match existing_id {
            None => {
                self.insert.execute(params![
                    competitor.bib,
                    competitor.first_name,
                    competitor.last_name,
                    gender,
                    competitor.date_of_birth,
                    competitor.country,
                    competitor.club,
                    external.runsignup_registration_id,
                    external.opentrack_id,
                    external.triathlon_athlete_id,
                    external.feed_participant_id,
                    competitor.para_class
                ])?;
                self.connection.last_insert_rowid()
            }
            Some(id) => {
                self.update.execute(params![
                    id,
                    competitor.bib,
                    competitor.first_name,
                    competitor.last_name,
                    gender,
                    competitor.date_of_birth,
                    competitor.country,
                    competitor.club,
                    external.runsignup_registration_id,
                    external.opentrack_id,
                    external.triathlon_athlete_id,
                    external.feed_participant_id,
                    competitor.para_class
                ])?;
                self.delete_chips.execute(params![id])?;
                self.delete_divisions.execute(params![id])?;
                id
            }
        };
        for (position, chip) in competitor.chip_ids.iter().enumerate() {
            self.insert_chip
                .execute(params![chip, id, position as i64])?;
        }
        for division_id in &competitor.division_ids {
            self.insert_division.execute(params![id, division_id])?;
        }
        Ok(id)
    }
}

/// Rows per multi-row `INSERT` of an import's new competitors, chips and
/// division memberships: one statement per 64 rows instead of three per
/// competitor (13 parameters a competitor: 832 a statement, far below
/// SQLite's limit).
const BULK_ROWS: usize = 64;

/// `INSERT INTO <table_columns> VALUES (?, ...), ...` for `rows` rows.
fn values_sql(table_columns: &str, columns: usize, rows: usize) -> String {
    let one = format!("({})", vec!["?"; columns].join(", "));
    format!(
        "INSERT INTO {table_columns} VALUES {}",
        vec![one.as_str(); rows].join(", ")
    )
}

const BULK_COMPETITOR_COLUMNS: &str = "competitors (id, bib, first_name, last_name, gender,
    date_of_birth, country, club, runsignup_registration_id, opentrack_id,
    triathlon_athlete_id, feed_participant_id, para_class)";
const BULK_CHIP_COLUMNS: &str = "competitor_chips (chip_id, competitor_id, position)";
const BULK_DIVISION_COLUMNS: &str = "competitor_divisions (competitor_id, division_id)";

/// An import's new competitors, written [`BULK_ROWS`] at a time with the ids
/// SQLite would give them (one above the largest, in file order), their
/// chips and memberships after them. A failed statement changes nothing
/// (SQLite undoes the statement), and its rows are then written one at a
/// time to find the row to name in the error.
struct NewCompetitors<'a> {
    connection: &'a Connection,
    next_id: Id,
    /// (file row, cleaned competitor with its id).
    competitors: Vec<(usize, Competitor)>,
    /// (file row, bib, competitor id, position, chip).
    chips: Vec<(usize, String, Id, i64, String)>,
    /// (competitor id, division id).
    memberships: Vec<(Id, Id)>,
}

impl<'a> NewCompetitors<'a> {
    fn new(connection: &'a Connection) -> Result<NewCompetitors<'a>> {
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
        })
    }

    /// Queues a new competitor and returns its id.
    fn push(
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
    fn finish(mut self, row_error: &dyn Fn(usize, &str, String) -> StoreError) -> Result<()> {
        self.flush_competitors(row_error)?;
        self.flush_chips(true, row_error)?;
        self.flush_memberships(true)
    }

    /// The cached statement inserting `rows` rows: full batches share one;
    /// the last, shorter batch of each table adds one more per import.
    fn statement(
        &self,
        table_columns: &str,
        columns: usize,
        rows: usize,
    ) -> Result<rusqlite::CachedStatement<'a>> {
        Ok(self
            .connection
            .prepare_cached(&values_sql(table_columns, columns, rows))?)
    }

    fn flush_competitors(
        &mut self,
        row_error: &dyn Fn(usize, &str, String) -> StoreError,
    ) -> Result<()> {
        if self.competitors.is_empty() {
            return Ok(());
        }
        let genders: Vec<Option<&'static str>> = self
            .competitors
            .iter()
            .map(|(_, competitor)| competitor.gender.map(SqlWord::as_sql))
            .collect();
        let mut values: Vec<&dyn rusqlite::ToSql> = Vec::with_capacity(13 * self.competitors.len());
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
        let outcome = self
            .statement(BULK_COMPETITOR_COLUMNS, 13, self.competitors.len())?
            .execute(values.as_slice());
        if let Err(error) = outcome {
            // Find the row: the same rows one at a time.
            let mut single =
                self.connection
                    .prepare_cached(&values_sql(BULK_COMPETITOR_COLUMNS, 13, 1))?;
            for (at, (row, competitor)) in self.competitors.iter().enumerate() {
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
        drop(values);
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
    fn flush_chips(
        &mut self,
        all: bool,
        row_error: &dyn Fn(usize, &str, String) -> StoreError,
    ) -> Result<()> {
        while self.chips.len() >= BULK_ROWS || (all && !self.chips.is_empty()) {
            let batch = self.chips.len().min(BULK_ROWS);
            let mut values: Vec<&dyn rusqlite::ToSql> = Vec::with_capacity(3 * batch);
            for (_, _, id, position, chip) in &self.chips[..batch] {
                values.extend_from_slice(&[chip as &dyn rusqlite::ToSql, id, position]);
            }
            let outcome = self
                .statement(BULK_CHIP_COLUMNS, 3, batch)?
                .execute(values.as_slice());
            if let Err(error) = outcome {
                let mut single =
                    self.connection
                        .prepare_cached(&values_sql(BULK_CHIP_COLUMNS, 3, 1))?;
                for (at, (row, bib, ..)) in self.chips[..batch].iter().enumerate() {
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
            drop(values);
            self.chips.drain(..batch);
        }
        Ok(())
    }

    /// Writes the queued memberships in full batches (`all`: the rest too).
    /// Their division ids come from the file's own divisions.
    fn flush_memberships(&mut self, all: bool) -> Result<()> {
        while self.memberships.len() >= BULK_ROWS || (all && !self.memberships.is_empty()) {
            let batch = self.memberships.len().min(BULK_ROWS);
            let mut values: Vec<&dyn rusqlite::ToSql> = Vec::with_capacity(2 * batch);
            for (competitor_id, division_id) in &self.memberships[..batch] {
                values.extend_from_slice(&[competitor_id as &dyn rusqlite::ToSql, division_id]);
            }
            self.statement(BULK_DIVISION_COLUMNS, 2, batch)?
                .execute(values.as_slice())?;
            drop(values);
            self.memberships.drain(..batch);
        }
        Ok(())
    }
}

/// Writes one competitor (insert when `existing_id` is None), replacing its
/// chips and divisions.
fn write_competitor(
    transaction: &Transaction<'_>,
    existing_id: Option<Id>,
    competitor: &Competitor,
) -> rusqlite::Result<Id> {
    CompetitorWriter::new(transaction)?.write(existing_id, competitor)
}

/// Turns triggers off on a connection until [`TriggersOff::restore`] (or the
/// guard's drop) turns them on again: the competitor import's bulk path does
/// the sync triggers' work once, set-based, instead of once per row.
/// Toggling expires the connection's prepared statements, which SQLite
/// prepares again on their next use, so no statement keeps the other state.
struct TriggersOff<'a> {
    connection: &'a Connection,
    restored: bool,
}

impl<'a> TriggersOff<'a> {
    fn new(connection: &'a Connection) -> Result<TriggersOff<'a>> {
        connection.set_db_config(
            rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_TRIGGER,
            false,
        )?;
        Ok(TriggersOff {
            connection,
            restored: false,
        })
    }

    fn restore(mut self) -> Result<()> {
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
fn queue_imported_competitor_changes(
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

/// A date written exactly `YYYY-MM-DD`, read without parsing a format
/// string (an import checks tens of thousands of dates of birth).
fn canonical_date(text: &str) -> Option<NaiveDate> {
    let bytes = text.as_bytes();
    if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
        return None;
    }
    let number = |range: std::ops::Range<usize>| -> Option<u32> {
        bytes[range].iter().try_fold(0_u32, |value, byte| {
            byte.is_ascii_digit()
                .then(|| value * 10 + u32::from(byte - b'0'))
        })
    };
    NaiveDate::from_ymd_opt(number(0..4)? as i32, number(5..7)?, number(8..10)?)
}

/// Normalises a competitor's optional text fields and checks its required
/// ones, in place (an import cleans tens of thousands of rows).
fn clean_competitor(mut clean: Competitor) -> std::result::Result<Competitor, (String, String)> {
    use crate::text_rules::{
        check_text, MAX_BIB_CHARS, MAX_COUNTRY_CHARS, MAX_NAME_CHARS, MAX_PERSON_NAME_CHARS,
    };
    let check = |field: &str, value: &str, limit: usize| {
        check_text(value, limit).map_err(|message| (field.to_string(), message))
    };
    fn trim_in_place(text: &mut String) {
        let trimmed = text.trim();
        if trimmed.len() != text.len() {
            *text = trimmed.to_string();
        }
    }
    fn none_if_empty(value: &mut Option<String>) {
        if let Some(text) = value {
            trim_in_place(text);
            if text.is_empty() {
                *value = None;
            }
        }
    }
    trim_in_place(&mut clean.bib);
    if clean.bib.is_empty() {
        return Err(("bib".into(), "must not be empty".into()));
    }
    check("bib", &clean.bib, MAX_BIB_CHARS)?;
    trim_in_place(&mut clean.first_name);
    trim_in_place(&mut clean.last_name);
    check("first_name", &clean.first_name, MAX_PERSON_NAME_CHARS)?;
    check("last_name", &clean.last_name, MAX_PERSON_NAME_CHARS)?;
    for (field, value, limit) in [
        ("country", &clean.country, MAX_COUNTRY_CHARS),
        ("club", &clean.club, MAX_NAME_CHARS),
        ("para_class", &clean.para_class, MAX_NAME_CHARS),
    ] {
        if let Some(value) = value {
            check(field, value.trim(), limit)?;
        }
    }
    if clean.first_name.is_empty() && clean.last_name.is_empty() {
        return Err((
            "name".into(),
            "a competitor needs a first or last name".into(),
        ));
    }
    none_if_empty(&mut clean.date_of_birth);
    if let Some(text) = &clean.date_of_birth {
        if canonical_date(text).is_none() && NaiveDate::parse_from_str(text, "%Y-%m-%d").is_err() {
            return Err((
                "date_of_birth".into(),
                format!("expected YYYY-MM-DD, got {text:?}"),
            ));
        }
    }
    none_if_empty(&mut clean.country);
    none_if_empty(&mut clean.club);
    none_if_empty(&mut clean.para_class);
    let ids = &mut clean.external_ids;
    none_if_empty(&mut ids.runsignup_registration_id);
    none_if_empty(&mut ids.opentrack_id);
    none_if_empty(&mut ids.triathlon_athlete_id);
    none_if_empty(&mut ids.feed_participant_id);
    let mut chips: Vec<String> = Vec::with_capacity(clean.chip_ids.len());
    for mut chip in std::mem::take(&mut clean.chip_ids) {
        trim_in_place(&mut chip);
        if chip.is_empty() {
            continue;
        }
        check("chip", &chip, MAX_BIB_CHARS)?;
        if chips.iter().any(|seen| *seen == chip) {
            return Err(("chip".into(), format!("chip {chip} is listed twice")));
        }
        chips.push(chip);
    }
    clean.chip_ids = chips;
    clean.division_ids.sort_unstable();
    clean.division_ids.dedup();
    Ok(clean)
}

fn describe_conflict(column: &str, competitor: &Competitor) -> (String, String) {
    match column {
        "bib" => (
            "bib".into(),
            format!("bib {} is already used", competitor.bib),
        ),
        "chip_id" => (
            "chip".into(),
            format!(
                "a chip of {} is already assigned to another competitor",
                competitor.bib
            ),
        ),
        other => (
            other.to_string(),
            format!("this {other} is already used by another competitor"),
        ),
    }
}

impl CompetitionFile {
    /// Adds a division and returns its id. `division.id` is ignored.
    pub fn add_division(&mut self, division: &Division) -> Result<Id> {
        validate_division(division)?;
        self.write(|transaction| {
            let result = transaction.execute(
                "INSERT INTO divisions (name, kind, gender, min_age, max_age)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![
                    division.name.trim(),
                    SqlWord::as_sql(division.kind),
                    division.gender.map(SqlWord::as_sql),
                    division.min_age,
                    division.max_age
                ],
            );
            let id = match result {
                Ok(_) => transaction.last_insert_rowid(),
                Err(error) if unique_conflict(&error).is_some() => {
                    return Err(StoreError::Conflict(format!(
                        "Division {} already exists",
                        division.name.trim()
                    )))
                }
                Err(error) => return Err(error.into()),
            };
            let stored = Division {
                id,
                ..division.clone()
            };
            place_rule_members(transaction, &stored, false)?;
            Ok(id)
        })
    }

    /// Replaces a division's definition. A gender or age-group division's
    /// members are recomputed from its rule when the rule changes; custom
    /// memberships are kept.
    pub fn update_division(&mut self, division: &Division) -> Result<()> {
        validate_division(division)?;
        self.write(|transaction| {
            let previous = load_divisions(transaction)?
                .into_iter()
                .find(|stored| stored.id == division.id);
            let changed = transaction.execute(
                "UPDATE divisions SET name = ?2, kind = ?3, gender = ?4, min_age = ?5,
                    max_age = ?6 WHERE id = ?1",
                params![
                    division.id,
                    division.name.trim(),
                    SqlWord::as_sql(division.kind),
                    division.gender.map(SqlWord::as_sql),
                    division.min_age,
                    division.max_age
                ],
            )?;
            if changed == 0 {
                return Err(StoreError::NotFound {
                    what: "division",
                    key: division.id.to_string(),
                });
            }
            let rule_changed = previous.as_ref().is_some_and(|previous| {
                (
                    previous.kind,
                    previous.gender,
                    previous.min_age,
                    previous.max_age,
                ) != (
                    division.kind,
                    division.gender,
                    division.min_age,
                    division.max_age,
                )
            });
            if rule_changed {
                place_rule_members(transaction, division, true)?;
            }
            Ok(())
        })
    }

    /// Every division, in creation order.
    pub fn divisions(&self) -> Result<Vec<Division>> {
        load_divisions(&self.connection)
    }

    pub fn division_by_name(&self, name: &str) -> Result<Option<Division>> {
        Ok(self
            .divisions()?
            .into_iter()
            .find(|division| division.name.eq_ignore_ascii_case(name.trim())))
    }

    /// Adds one competitor and returns its id. `competitor.id` is ignored;
    /// `division_ids` are used as given.
    pub fn add_competitor(&mut self, competitor: &Competitor) -> Result<Id> {
        let clean = clean_competitor(competitor.clone()).map_err(|(field, message)| {
            StoreError::InvalidInput {
                field: format!("competitor {field}"),
                message,
            }
        })?;
        self.write(|transaction| {
            if let Some(team) = team_bibs(transaction)?.get(&clean.bib) {
                return Err(StoreError::Conflict(team_bib_conflict(&clean.bib, team)));
            }
            write_competitor(transaction, None, &clean).map_err(|error| {
                match unique_conflict(&error) {
                    Some(column) => {
                        let (_, message) = describe_conflict(&column, &clean);
                        StoreError::Conflict(message)
                    }
                    None => error.into(),
                }
            })
        })
    }

    /// Replaces a competitor's details (found by `competitor.id`).
    pub fn update_competitor(&mut self, competitor: &Competitor) -> Result<()> {
        let clean = clean_competitor(competitor.clone()).map_err(|(field, message)| {
            StoreError::InvalidInput {
                field: format!("competitor {field}"),
                message,
            }
        })?;
        self.write(|transaction| {
            let exists: Option<Id> = transaction
                .query_row(
                    "SELECT id FROM competitors WHERE id = ?1",
                    params![clean.id],
                    |row| row.get(0),
                )
                .optional()?;
            if exists.is_none() {
                return Err(StoreError::NotFound {
                    what: "competitor",
                    key: clean.id.to_string(),
                });
            }
            if let Some(team) = team_bibs(transaction)?.get(&clean.bib) {
                return Err(StoreError::Conflict(team_bib_conflict(&clean.bib, team)));
            }
            write_competitor(transaction, Some(clean.id), &clean).map_err(|error| {
                match unique_conflict(&error) {
                    Some(column) => StoreError::Conflict(describe_conflict(&column, &clean).1),
                    None => error.into(),
                }
            })?;
            Ok(())
        })
    }

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
                for row in rows {
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
            // Keyed by the file's own text (the cleaned bib is the trimmed
            // text), so no bib is copied for it.
            let mut seen_bibs: HashMap<&str, usize> = HashMap::with_capacity(rows.len());
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
            for (index, row) in rows.iter().enumerate() {
                if index > 0 && index % IMPORT_PROGRESS_EVERY_ROWS == 0 {
                    on_progress(ImportProgress { done: index, total });
                }
                let row_error = |field: &str, message: String| StoreError::ImportRow {
                    file: file_name.to_string(),
                    row: row.row as u64,
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
                let draft = Competitor {
                    id: 0,
                    bib: row.bib.clone(),
                    chip_ids: row.chip_ids.clone(),
                    first_name: row.first_name.clone(),
                    last_name: row.last_name.clone(),
                    gender: row.gender,
                    date_of_birth: row.date_of_birth.clone(),
                    country: row.country.clone(),
                    club: row.club.clone(),
                    external_ids: row.external_ids.clone(),
                    division_ids,
                    para_class: row.para_class.clone(),
                };
                let mut clean = clean_competitor(draft)
                    .map_err(|(field, message)| row_error(&field, message))?;
                if let Some(first_row) = seen_bibs.insert(row.bib.trim(), row.row) {
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
                    last_written = Some(new_competitors.push(row.row, clean, &error_at)?);
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

    /// Every competitor, in the order they were added.
    pub fn competitors(&self) -> Result<Vec<Competitor>> {
        self.read(|connection| load_competitors(connection, "1", &[]))
    }

    /// The competitors with these ids (with their chips and divisions), in
    /// id order; ids not in the file are left out. A few queries by key
    /// whatever the size of the file: a live-timing wave of 150 in a file of
    /// 60,000 reads 150.
    pub fn competitors_by_ids(&self, ids: &[Id]) -> Result<Vec<Competitor>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let list = format!(
            "[{}]",
            ids.iter().map(Id::to_string).collect::<Vec<_>>().join(",")
        );
        self.read(|connection| {
            let sql = format!(
                "SELECT {COMPETITOR_COLUMNS} FROM competitors
                 WHERE id IN (SELECT value FROM json_each(?1)) ORDER BY id"
            );
            let mut competitors: Vec<Competitor> = connection
                .prepare_cached(&sql)?
                .query_map([&list], competitor_from_row)?
                .collect::<rusqlite::Result<_>>()?;
            let position: HashMap<Id, usize> = competitors
                .iter()
                .enumerate()
                .map(|(at, competitor)| (competitor.id, at))
                .collect();
            let mut chips = connection.prepare_cached(
                "SELECT competitor_id, chip_id FROM competitor_chips
                 WHERE competitor_id IN (SELECT value FROM json_each(?1))
                 ORDER BY competitor_id, position",
            )?;
            let mut rows = chips.query([&list])?;
            while let Some(row) = rows.next()? {
                if let Some(&at) = position.get(&row.get(0)?) {
                    competitors[at].chip_ids.push(row.get(1)?);
                }
            }
            let mut divisions = connection.prepare_cached(
                "SELECT competitor_id, division_id FROM competitor_divisions
                 WHERE competitor_id IN (SELECT value FROM json_each(?1))
                 ORDER BY competitor_id, division_id",
            )?;
            let mut rows = divisions.query([&list])?;
            while let Some(row) = rows.next()? {
                if let Some(&at) = position.get(&row.get(0)?) {
                    competitors[at].division_ids.push(row.get(1)?);
                }
            }
            Ok(competitors)
        })
    }

    /// Competitors in one division.
    pub fn competitors_in_division(&self, division_id: Id) -> Result<Vec<Competitor>> {
        let members: std::collections::HashSet<Id> = {
            let mut statement = self.connection.prepare_cached(
                "SELECT competitor_id FROM competitor_divisions WHERE division_id = ?1",
            )?;
            let rows = statement.query_map(params![division_id], |row| row.get(0))?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        Ok(self
            .competitors()?
            .into_iter()
            .filter(|competitor| members.contains(&competitor.id))
            .collect())
    }

    pub fn competitor(&self, id: Id) -> Result<Option<Competitor>> {
        Ok(load_competitors(&self.connection, "id = ?1", &[&id])?.pop())
    }

    pub fn competitor_by_bib(&self, bib: &str) -> Result<Option<Competitor>> {
        let bib = bib.trim();
        Ok(load_competitors(&self.connection, "bib = ?1", &[&bib])?.pop())
    }

    pub fn competitor_by_chip(&self, chip_id: &str) -> Result<Option<Competitor>> {
        let chip_id = chip_id.trim();
        Ok(load_competitors(
            &self.connection,
            "id = (SELECT competitor_id FROM competitor_chips WHERE chip_id = ?1)",
            &[&chip_id],
        )?
        .pop())
    }

    pub fn competitor_by_external_id(
        &self,
        system: ExternalSystem,
        external_id: &str,
    ) -> Result<Option<Competitor>> {
        let external_id = external_id.trim();
        let filter = format!("{} = ?1", system.column());
        Ok(load_competitors(&self.connection, &filter, &[&external_id])?.pop())
    }

    /// Adds a team with its members (in order) and returns its id.
    pub fn add_team(&mut self, team: &Team) -> Result<Id> {
        validate_team(team)?;
        self.write(|transaction| write_team(transaction, None, team))
    }

    /// Replaces a team's details and members (found by `team.id`).
    pub fn update_team(&mut self, team: &Team) -> Result<()> {
        validate_team(team)?;
        self.write(|transaction| {
            write_team(transaction, Some(team.id), team)?;
            Ok(())
        })
    }

    pub fn teams(&self) -> Result<Vec<Team>> {
        self.read(|connection| load_teams(connection, "1", &[]))
    }

    pub fn team(&self, id: Id) -> Result<Option<Team>> {
        Ok(load_teams(&self.connection, "id = ?1", &[&id])?.pop())
    }

    pub fn team_by_bib(&self, bib: &str) -> Result<Option<Team>> {
        let bib = bib.trim();
        Ok(load_teams(&self.connection, "bib = ?1", &[&bib])?.pop())
    }
}

fn validate_team(team: &Team) -> Result<()> {
    if team.name.trim().is_empty() {
        return Err(StoreError::InvalidInput {
            field: "team name".into(),
            message: "must not be empty".into(),
        });
    }
    use crate::text_rules::{check_text, MAX_BIB_CHARS, MAX_COUNTRY_CHARS, MAX_NAME_CHARS};
    check_text(team.name.trim(), MAX_NAME_CHARS).map_err(|message| StoreError::InvalidInput {
        field: "team name".into(),
        message,
    })?;
    if let Some(bib) = &team.bib {
        check_text(bib.trim(), MAX_BIB_CHARS).map_err(|message| StoreError::InvalidInput {
            field: format!("team {} bib", team.name.trim()),
            message,
        })?;
    }
    if let Some(country) = &team.country {
        check_text(country.trim(), MAX_COUNTRY_CHARS).map_err(|message| {
            StoreError::InvalidInput {
                field: format!("team {} country", team.name.trim()),
                message,
            }
        })?;
    }
    let mut orders = BTreeMap::new();
    for member in &team.members {
        if member.order == 0 {
            return Err(StoreError::InvalidInput {
                field: format!("team {} member order", team.name),
                message: "orders start at 1".into(),
            });
        }
        if orders.insert(member.order, member.competitor_id).is_some() {
            return Err(StoreError::InvalidInput {
                field: format!("team {} member order", team.name),
                message: format!("order {} is used twice", member.order),
            });
        }
    }
    Ok(())
}

fn write_team(transaction: &Transaction<'_>, existing_id: Option<Id>, team: &Team) -> Result<Id> {
    let external = &team.external_ids;
    let bib = empty_to_none(&team.bib);
    let conflict = |error: rusqlite::Error| match unique_conflict(&error) {
        Some(column) if column == "name" => {
            StoreError::Conflict(format!("Team {} already exists", team.name.trim()))
        }
        Some(column) if column == "bib" => StoreError::Conflict(format!(
            "bib {} is already used by another team",
            bib.unwrap_or_default()
        )),
        Some(column) if column == "competitor_id" => StoreError::Conflict(format!(
            "a competitor is listed twice in team {}",
            team.name.trim()
        )),
        Some(column) => {
            StoreError::Conflict(format!("this {column} is already used by another team"))
        }
        None => match &error {
            rusqlite::Error::SqliteFailure(failure, _)
                if failure.code == rusqlite::ErrorCode::ConstraintViolation =>
            {
                StoreError::InvalidInput {
                    field: format!("team {} members", team.name.trim()),
                    message: "a member is not a known competitor or division".into(),
                }
            }
            _ => error.into(),
        },
    };
    // Score entry finds a competitor's bib before a team's, so a team bib
    // that a competitor already carries could never be scored.
    if let Some(bib) = bib {
        let holder: Option<String> = transaction
            .query_row(
                "SELECT trim(first_name || ' ' || last_name) FROM competitors WHERE bib = ?1",
                params![bib],
                |row| row.get(0),
            )
            .optional()?;
        if let Some(holder) = holder {
            return Err(StoreError::Conflict(format!(
                "bib {bib} is already used by competitor {holder}"
            )));
        }
    }
    let values = params![
        team.name.trim(),
        bib,
        empty_to_none(&team.country),
        empty_to_none(&external.runsignup_registration_id),
        empty_to_none(&external.opentrack_id),
        empty_to_none(&external.triathlon_athlete_id),
        empty_to_none(&external.feed_participant_id)
    ];
    let id = match existing_id {
        None => {
            transaction
                .execute(
                    "INSERT INTO teams (name, bib, country, runsignup_registration_id,
                        opentrack_id, triathlon_athlete_id, feed_participant_id)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                    values,
                )
                .map_err(conflict)?;
            transaction.last_insert_rowid()
        }
        Some(id) => {
            let changed = transaction
                .execute(
                    &format!(
                        "UPDATE teams SET name = ?1, bib = ?2, country = ?3,
                            runsignup_registration_id = ?4, opentrack_id = ?5,
                            triathlon_athlete_id = ?6, feed_participant_id = ?7
                         WHERE id = {id}"
                    ),
                    values,
                )
                .map_err(conflict)?;
            if changed == 0 {
                return Err(StoreError::NotFound {
                    what: "team",
                    key: id.to_string(),
                });
            }
            transaction.execute("DELETE FROM team_members WHERE team_id = ?1", params![id])?;
            transaction.execute("DELETE FROM team_divisions WHERE team_id = ?1", params![id])?;
            id
        }
    };
    for member in &team.members {
        transaction
            .execute(
                "INSERT INTO team_members (team_id, competitor_id, member_order) VALUES (?1, ?2, ?3)",
                params![id, member.competitor_id, member.order],
            )
            .map_err(conflict)?;
    }
    for division_id in &team.division_ids {
        transaction
            .execute(
                "INSERT OR IGNORE INTO team_divisions (team_id, division_id) VALUES (?1, ?2)",
                params![id, division_id],
            )
            .map_err(conflict)?;
    }
    Ok(id)
}

/// Counts rows referring to an entrant or workout, for refusal messages.
fn count(transaction: &Transaction<'_>, sql: &str, id: Id) -> Result<i64> {
    Ok(transaction.query_row(sql, params![id], |row| row.get(0))?)
}

impl CompetitionFile {
    /// Removes a division; its memberships go with it.
    pub fn remove_division(&mut self, division_id: Id) -> Result<()> {
        self.write(|transaction| {
            let removed =
                transaction.execute("DELETE FROM divisions WHERE id = ?1", params![division_id])?;
            if removed == 0 {
                return Err(StoreError::NotFound {
                    what: "division",
                    key: division_id.to_string(),
                });
            }
            Ok(())
        })
    }

    /// Removes a division only when no competitor or team is in it, so a
    /// scorekeeper cannot drop a division's standings by accident. The
    /// refusal says how many are still in it.
    pub fn remove_empty_division(&mut self, division_id: Id) -> Result<()> {
        self.write(|transaction| {
            let name: Option<String> = transaction
                .query_row(
                    "SELECT name FROM divisions WHERE id = ?1",
                    params![division_id],
                    |row| row.get(0),
                )
                .optional()?;
            let Some(name) = name else {
                return Err(StoreError::NotFound {
                    what: "division",
                    key: division_id.to_string(),
                });
            };
            let competitors = count(
                transaction,
                "SELECT count(*) FROM competitor_divisions WHERE division_id = ?1",
                division_id,
            )?;
            let teams = count(
                transaction,
                "SELECT count(*) FROM team_divisions WHERE division_id = ?1",
                division_id,
            )?;
            if competitors > 0 || teams > 0 {
                return Err(StoreError::Conflict(format!(
                    "Division {name} still has {competitors} competitor(s) and {teams} team(s); \
                     move them to another division first"
                )));
            }
            transaction.execute("DELETE FROM divisions WHERE id = ?1", params![division_id])?;
            Ok(())
        })
    }

    /// Puts a competitor in exactly `division_ids` (a competitor may be in
    /// several divisions, or none). Their details, chips and results are
    /// untouched. An unknown division changes nothing. A later change to a
    /// gender or age-group division's rule, or a re-import that names no
    /// divisions, places them by the rules again (see the module docs).
    pub fn set_competitor_divisions(
        &mut self,
        competitor_id: Id,
        division_ids: &[Id],
    ) -> Result<()> {
        let mut wanted = division_ids.to_vec();
        wanted.sort_unstable();
        wanted.dedup();
        self.write(|transaction| {
            let exists: Option<Id> = transaction
                .query_row(
                    "SELECT id FROM competitors WHERE id = ?1",
                    params![competitor_id],
                    |row| row.get(0),
                )
                .optional()?;
            if exists.is_none() {
                return Err(StoreError::NotFound {
                    what: "competitor",
                    key: competitor_id.to_string(),
                });
            }
            let known: std::collections::HashSet<Id> = load_divisions(transaction)?
                .into_iter()
                .map(|division| division.id)
                .collect();
            if let Some(unknown) = wanted.iter().find(|id| !known.contains(id)) {
                return Err(StoreError::NotFound {
                    what: "division",
                    key: unknown.to_string(),
                });
            }
            transaction.execute(
                "DELETE FROM competitor_divisions WHERE competitor_id = ?1",
                params![competitor_id],
            )?;
            let mut insert = transaction.prepare_cached(
                "INSERT INTO competitor_divisions (competitor_id, division_id) VALUES (?1, ?2)",
            )?;
            for division_id in &wanted {
                insert.execute(params![competitor_id, division_id])?;
            }
            Ok(())
        })
    }

    /// Removes a competitor who has no score history and is in no team.
    /// Anyone with a score (or an undone one) stays: the audit trail needs them.
    pub fn remove_competitor(&mut self, competitor_id: Id) -> Result<()> {
        self.write(|transaction| {
            let bib: Option<String> = transaction
                .query_row(
                    "SELECT bib FROM competitors WHERE id = ?1",
                    params![competitor_id],
                    |row| row.get(0),
                )
                .optional()?;
            let Some(bib) = bib else {
                return Err(StoreError::NotFound {
                    what: "competitor",
                    key: competitor_id.to_string(),
                });
            };
            let events = count(
                transaction,
                "SELECT count(*) FROM score_events WHERE competitor_id = ?1",
                competitor_id,
            )?;
            let results = count(
                transaction,
                "SELECT count(*) FROM results WHERE competitor_id = ?1",
                competitor_id,
            )?;
            if events > 0 || results > 0 {
                return Err(StoreError::Conflict(format!(
                    "Bib {bib} has score history and cannot be removed"
                )));
            }
            let teams = count(
                transaction,
                "SELECT count(*) FROM team_members WHERE competitor_id = ?1",
                competitor_id,
            )?;
            if teams > 0 {
                return Err(StoreError::Conflict(format!(
                    "Bib {bib} is a team member; remove them from the team first"
                )));
            }
            transaction.execute(
                "UPDATE lanes SET competitor_id = NULL WHERE competitor_id = ?1",
                params![competitor_id],
            )?;
            transaction.execute(
                "DELETE FROM competitors WHERE id = ?1",
                params![competitor_id],
            )?;
            Ok(())
        })
    }

    /// Removes a team that has no score history.
    pub fn remove_team(&mut self, team_id: Id) -> Result<()> {
        self.write(|transaction| {
            let name: Option<String> = transaction
                .query_row(
                    "SELECT name FROM teams WHERE id = ?1",
                    params![team_id],
                    |row| row.get(0),
                )
                .optional()?;
            let Some(name) = name else {
                return Err(StoreError::NotFound {
                    what: "team",
                    key: team_id.to_string(),
                });
            };
            let events = count(
                transaction,
                "SELECT count(*) FROM score_events WHERE team_id = ?1",
                team_id,
            )?;
            let results = count(
                transaction,
                "SELECT count(*) FROM results WHERE team_id = ?1",
                team_id,
            )?;
            if events > 0 || results > 0 {
                return Err(StoreError::Conflict(format!(
                    "Team {name} has score history and cannot be removed"
                )));
            }
            transaction.execute(
                "UPDATE lanes SET team_id = NULL WHERE team_id = ?1",
                params![team_id],
            )?;
            transaction.execute("DELETE FROM teams WHERE id = ?1", params![team_id])?;
            Ok(())
        })
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
        use scoretable_core::model::{
            Competition, LoadUnit, PublicationState, Rounding, ScoreType, TeamScoring, TieBreak,
            Workout,
        };

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
                .add_workout(&Workout {
                    id: 0,
                    name: "5k".to_string(),
                    sequence: 1,
                    score_type: ScoreType::Time,
                    time_cap_ms: None,
                    reps_per_round: None,
                    load_unit: LoadUnit::Kg,
                    tie_break: TieBreak::None,
                    rounding: Rounding::Exact,
                    team_scoring: TeamScoring::Individual,
                    timing_points: vec![],
                    heats: vec![],
                    state: PublicationState::Provisional,
                })
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
