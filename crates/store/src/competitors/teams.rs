//! Teams: checking, writing and removing them with their members.

use super::*;

impl CompetitionFile {
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
}

pub(super) fn validate_team(team: &Team) -> Result<()> {
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

pub(super) fn write_team(
    transaction: &Transaction<'_>,
    existing_id: Option<Id>,
    team: &Team,
) -> Result<Id> {
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

impl CompetitionFile {
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
