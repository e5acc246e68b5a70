//! Divisions: adding, changing and removing them, the automatic
//! placement of gender and age-group members, and explicit memberships.

use super::*;

/// Places every competitor matching a gender or age-group division's rule in
/// it (and, with `replace`, removes those who no longer match). Custom
/// divisions are left alone. Returns how many competitors are members after.
pub(super) fn place_rule_members(
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

pub(super) fn validate_division(division: &Division) -> Result<()> {
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

pub(super) fn competition_start(connection: &Connection) -> Result<Option<NaiveDate>> {
    let text: String = connection.query_row(
        "SELECT start_date FROM competition WHERE id = 1",
        [],
        |row| row.get(0),
    )?;
    Ok(NaiveDate::parse_from_str(&text, "%Y-%m-%d").ok())
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
}
