//! Writing one competitor (add, update, remove): cleaning and checking
//! its fields, bib conflicts with teams, and the row writer an import
//! reuses for existing bibs.

use super::*;

/// Explains a UNIQUE failure in words ("bib 12 is already used").
pub(super) fn unique_conflict(error: &rusqlite::Error) -> Option<String> {
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

pub(super) fn empty_to_none(value: &Option<String>) -> Option<&str> {
    value
        .as_deref()
        .map(str::trim)
        .filter(|text| !text.is_empty())
}

/// Team bibs and the teams that carry them. Score entry finds a
/// competitor's bib before a team's, so a competitor may not take a bib a
/// team already has (and [`write_team`] refuses the reverse).
pub(super) fn team_bibs(connection: &Connection) -> Result<HashMap<String, String>> {
    let mut statement =
        connection.prepare_cached("SELECT bib, name FROM teams WHERE bib IS NOT NULL")?;
    let rows = statement.query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub(super) fn team_bib_conflict(bib: &str, team: &str) -> String {
    format!("bib {bib} is already used by team {team}")
}

/// The statements that write competitors, prepared once and held for a
/// whole transaction: an import writes tens of thousands of rows through
/// them, and looking each statement up in the cache by its text per row
/// cost more than binding it.
pub(super) struct CompetitorWriter<'a> {
    pub(super) connection: &'a Connection,
    pub(super) insert: rusqlite::CachedStatement<'a>,
    pub(super) update: rusqlite::CachedStatement<'a>,
    pub(super) delete_chips: rusqlite::CachedStatement<'a>,
    pub(super) delete_divisions: rusqlite::CachedStatement<'a>,
    pub(super) insert_chip: rusqlite::CachedStatement<'a>,
    pub(super) insert_division: rusqlite::CachedStatement<'a>,
}

impl<'a> CompetitorWriter<'a> {
    pub(super) fn new(connection: &'a Connection) -> rusqlite::Result<CompetitorWriter<'a>> {
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
    pub(super) fn write(
        &mut self,
        existing_id: Option<Id>,
        competitor: &Competitor,
    ) -> rusqlite::Result<Id> {
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

/// Writes one competitor (insert when `existing_id` is None), replacing its
/// chips and divisions.
pub(super) fn write_competitor(
    transaction: &Transaction<'_>,
    existing_id: Option<Id>,
    competitor: &Competitor,
) -> rusqlite::Result<Id> {
    CompetitorWriter::new(transaction)?.write(existing_id, competitor)
}

/// A date written exactly `YYYY-MM-DD`, read without parsing a format
/// string (an import checks tens of thousands of dates of birth).
pub(super) fn canonical_date(text: &str) -> Option<NaiveDate> {
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
pub(super) fn clean_competitor(
    mut clean: Competitor,
) -> std::result::Result<Competitor, (String, String)> {
    use crate::text_rules::{
        check_text, MAX_BIB_CHARS, MAX_COUNTRY_CHARS, MAX_NAME_CHARS, MAX_PERSON_NAME_CHARS,
    };
    let check = |field: &str, value: &str, limit: usize| {
        check_text(value, limit).map_err(|message| (field.to_string(), message))
    };
    pub(super) fn trim_in_place(text: &mut String) {
        let trimmed = text.trim();
        if trimmed.len() != text.len() {
            *text = trimmed.to_string();
        }
    }
    pub(super) fn none_if_empty(value: &mut Option<String>) {
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
        if chips.contains(&chip) {
            return Err(("chip".into(), format!("chip {chip} is listed twice")));
        }
        chips.push(chip);
    }
    clean.chip_ids = chips;
    clean.division_ids.sort_unstable();
    clean.division_ids.dedup();
    Ok(clean)
}

pub(super) fn describe_conflict(column: &str, competitor: &Competitor) -> (String, String) {
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
}
