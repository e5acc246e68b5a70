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

/// Writes one competitor (insert when `existing_id` is None), replacing its
/// chips and divisions. Uses cached statements: this is the import hot path.
fn write_competitor(
    transaction: &Transaction<'_>,
    existing_id: Option<Id>,
    competitor: &Competitor,
) -> rusqlite::Result<Id> {
    let external = &competitor.external_ids;
    let gender = competitor.gender.map(SqlWord::as_sql);
    let id = match existing_id {
        None => {
            let mut insert = transaction.prepare_cached(
                "INSERT INTO competitors (bib, first_name, last_name, gender, date_of_birth,
                    country, club, runsignup_registration_id, opentrack_id, triathlon_athlete_id,
                    feed_participant_id, para_class)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
            )?;
            insert.execute(params![
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
            transaction.last_insert_rowid()
        }
        Some(id) => {
            let mut update = transaction.prepare_cached(
                "UPDATE competitors SET bib = ?2, first_name = ?3, last_name = ?4, gender = ?5,
                    date_of_birth = ?6, country = ?7, club = ?8, runsignup_registration_id = ?9,
                    opentrack_id = ?10, triathlon_athlete_id = ?11, feed_participant_id = ?12,
                    para_class = ?13
                 WHERE id = ?1",
            )?;
            update.execute(params![
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
            transaction
                .prepare_cached("DELETE FROM competitor_chips WHERE competitor_id = ?1")?
                .execute(params![id])?;
            transaction
                .prepare_cached("DELETE FROM competitor_divisions WHERE competitor_id = ?1")?
                .execute(params![id])?;
            id
        }
    };
    {
        let mut insert_chip = transaction.prepare_cached(
            "INSERT INTO competitor_chips (chip_id, competitor_id, position) VALUES (?1, ?2, ?3)",
        )?;
        for (position, chip) in competitor.chip_ids.iter().enumerate() {
            insert_chip.execute(params![chip, id, position as i64])?;
        }
    }
    {
        let mut insert_division = transaction.prepare_cached(
            "INSERT OR IGNORE INTO competitor_divisions (competitor_id, division_id) VALUES (?1, ?2)",
        )?;
        for division_id in &competitor.division_ids {
            insert_division.execute(params![id, division_id])?;
        }
    }
    Ok(id)
}

/// Normalises a competitor's optional text fields and checks its required ones.
fn clean_competitor(competitor: &Competitor) -> std::result::Result<Competitor, (String, String)> {
    let mut clean = competitor.clone();
    use crate::text_rules::{
        check_text, MAX_BIB_CHARS, MAX_COUNTRY_CHARS, MAX_NAME_CHARS, MAX_PERSON_NAME_CHARS,
    };
    let check = |field: &str, value: &str, limit: usize| {
        check_text(value, limit).map_err(|message| (field.to_string(), message))
    };
    clean.bib = competitor.bib.trim().to_string();
    if clean.bib.is_empty() {
        return Err(("bib".into(), "must not be empty".into()));
    }
    check("bib", &clean.bib, MAX_BIB_CHARS)?;
    clean.first_name = competitor.first_name.trim().to_string();
    clean.last_name = competitor.last_name.trim().to_string();
    check("first_name", &clean.first_name, MAX_PERSON_NAME_CHARS)?;
    check("last_name", &clean.last_name, MAX_PERSON_NAME_CHARS)?;
    for (field, value, limit) in [
        ("country", &competitor.country, MAX_COUNTRY_CHARS),
        ("club", &competitor.club, MAX_NAME_CHARS),
        ("para_class", &competitor.para_class, MAX_NAME_CHARS),
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
    clean.date_of_birth = empty_to_none(&competitor.date_of_birth).map(str::to_string);
    if let Some(text) = &clean.date_of_birth {
        if NaiveDate::parse_from_str(text, "%Y-%m-%d").is_err() {
            return Err((
                "date_of_birth".into(),
                format!("expected YYYY-MM-DD, got {text:?}"),
            ));
        }
    }
    clean.country = empty_to_none(&competitor.country).map(str::to_string);
    clean.club = empty_to_none(&competitor.club).map(str::to_string);
    clean.para_class = empty_to_none(&competitor.para_class).map(str::to_string);
    let ids = &competitor.external_ids;
    clean.external_ids = ExternalIds {
        runsignup_registration_id: empty_to_none(&ids.runsignup_registration_id)
            .map(str::to_string),
        opentrack_id: empty_to_none(&ids.opentrack_id).map(str::to_string),
        triathlon_athlete_id: empty_to_none(&ids.triathlon_athlete_id).map(str::to_string),
        feed_participant_id: empty_to_none(&ids.feed_participant_id).map(str::to_string),
    };
    let mut chips = Vec::new();
    for chip in &competitor.chip_ids {
        let chip = chip.trim();
        if chip.is_empty() {
            continue;
        }
        check("chip", chip, MAX_BIB_CHARS)?;
        if chips.iter().any(|seen: &String| seen == chip) {
            return Err(("chip".into(), format!("chip {chip} is listed twice")));
        }
        chips.push(chip.to_string());
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
        let clean =
            clean_competitor(competitor).map_err(|(field, message)| StoreError::InvalidInput {
                field: format!("competitor {field}"),
                message,
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
        let clean =
            clean_competitor(competitor).map_err(|(field, message)| StoreError::InvalidInput {
                field: format!("competitor {field}"),
                message,
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
            let mut seen_bibs: HashMap<String, usize> = HashMap::with_capacity(rows.len());
            let mut summary = ImportSummary::default();
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
                let mut clean = clean_competitor(&draft)
                    .map_err(|(field, message)| row_error(&field, message))?;
                if let Some(first_row) = seen_bibs.insert(clean.bib.clone(), row.row) {
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
                write_competitor(
                    transaction,
                    existing_competitor.map(|known| known.id),
                    &clean,
                )
                .map_err(|error| match unique_conflict(&error) {
                    Some(column) => {
                        let (field, message) = describe_conflict(&column, &clean);
                        row_error(&field, message)
                    }
                    None => error.into(),
                })?;
                if existing_competitor.is_some() {
                    summary.updated += 1;
                } else {
                    summary.new += 1;
                }
            }
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
