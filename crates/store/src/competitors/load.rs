//! Reading divisions, competitors (by id, bib, chip, external id,
//! division) and teams with their members.

use super::*;

pub(super) const COMPETITOR_COLUMNS: &str =
    "id, bib, first_name, last_name, gender, date_of_birth, country,
    club, runsignup_registration_id, opentrack_id, triathlon_athlete_id, feed_participant_id,
    para_class";

pub(super) fn competitor_from_row(row: &Row<'_>) -> rusqlite::Result<Competitor> {
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

pub(super) fn division_from_row(row: &Row<'_>) -> rusqlite::Result<Division> {
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

/// The columns [`team_from_row`] reads.
const TEAM_COLUMNS: &str = "id, name, bib, country, runsignup_registration_id, opentrack_id,
    triathlon_athlete_id, feed_participant_id";

/// Rows `(owner, value, ...)` in owner order, walked beside a cursor over
/// the owners in id order: [`SideRows::take_for`] hands an owner its values
/// and skips those of owners the walk never reaches (rows left by deleted
/// owners). One row is held at a time.
struct SideRows<'s, T> {
    rows: rusqlite::Rows<'s>,
    value: fn(&Row<'_>) -> rusqlite::Result<T>,
    next: Option<(Id, T)>,
}

impl<'s, T> SideRows<'s, T> {
    fn new(
        mut rows: rusqlite::Rows<'s>,
        value: fn(&Row<'_>) -> rusqlite::Result<T>,
    ) -> rusqlite::Result<SideRows<'s, T>> {
        let next = Self::read(&mut rows, value)?;
        Ok(SideRows { rows, value, next })
    }

    fn read(
        rows: &mut rusqlite::Rows<'s>,
        value: fn(&Row<'_>) -> rusqlite::Result<T>,
    ) -> rusqlite::Result<Option<(Id, T)>> {
        Ok(match rows.next()? {
            Some(row) => Some((row.get(0)?, value(row)?)),
            None => None,
        })
    }

    /// Appends `owner`'s values to `into` (owners are asked in increasing
    /// order).
    fn take_for(&mut self, owner: Id, into: &mut Vec<T>) -> rusqlite::Result<()> {
        while self.next.as_ref().is_some_and(|(at, _)| *at <= owner) {
            if let Some((at, value)) = self.next.take() {
                if at == owner {
                    into.push(value);
                }
            }
            self.next = Self::read(&mut self.rows, self.value)?;
        }
        Ok(())
    }
}

fn member_from_row(row: &Row<'_>) -> rusqlite::Result<TeamMember> {
    Ok(TeamMember {
        competitor_id: row.get(1)?,
        order: row.get(2)?,
    })
}

/// A team from a row of [`TEAM_COLUMNS`], without its members and
/// divisions.
fn team_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Team> {
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
}

pub(crate) fn load_teams(
    connection: &Connection,
    filter: &str,
    filter_params: &[&dyn rusqlite::ToSql],
) -> Result<Vec<Team>> {
    let mut teams: Vec<Team> = {
        let sql = format!("SELECT {TEAM_COLUMNS} FROM teams WHERE {filter} ORDER BY id");
        let mut statement = connection.prepare_cached(&sql)?;
        let rows = statement.query_map(filter_params, team_from_row)?;
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

impl CompetitionFile {
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

    /// Every competitor, in the order they were added.
    pub fn competitors(&self) -> Result<Vec<Competitor>> {
        self.read(|connection| load_competitors(connection, "1", &[]))
    }

    /// Every competitor (with chips and divisions), in id order, handed to
    /// `each` one at a time as it is read, so a caller that keeps only what
    /// it needs (the exports keep names in one compact table) never holds
    /// the whole field's records. Three cursors walk the competitors, their
    /// chips and their divisions side by side, all by competitor id. An
    /// error from `each` stops the walk and is returned.
    pub fn for_each_competitor<E: From<StoreError>>(
        &self,
        each: &mut dyn FnMut(Competitor) -> std::result::Result<(), E>,
    ) -> std::result::Result<(), E> {
        let mut outcome: std::result::Result<(), E> = Ok(());
        self.read(|connection| {
            let sql = format!("SELECT {COMPETITOR_COLUMNS} FROM competitors ORDER BY id");
            let mut competitors = connection.prepare_cached(&sql)?;
            let mut chips = connection.prepare_cached(
                "SELECT competitor_id, chip_id FROM competitor_chips ORDER BY competitor_id, position",
            )?;
            let mut divisions = connection.prepare_cached(
                "SELECT competitor_id, division_id FROM competitor_divisions
                 ORDER BY competitor_id, division_id",
            )?;
            let mut competitor_rows = competitors.query([])?;
            let mut chips = SideRows::new(chips.query([])?, |row| row.get(1))?;
            let mut divisions = SideRows::new(divisions.query([])?, |row| row.get(1))?;
            while let Some(row) = competitor_rows.next()? {
                let mut competitor = competitor_from_row(row)?;
                chips.take_for(competitor.id, &mut competitor.chip_ids)?;
                divisions.take_for(competitor.id, &mut competitor.division_ids)?;
                if let Err(error) = each(competitor) {
                    outcome = Err(error);
                    return Ok(());
                }
            }
            Ok(())
        })
        .map_err(E::from)?;
        outcome
    }

    /// The competitors with these ids (with their chips and divisions), in
    /// id order; ids not in the file are left out. A few queries by key
    /// whatever the size of the file: a live-timing wave of 150 in a file of
    /// 60,000 reads 150.
    pub fn competitors_by_ids(&self, ids: &[Id]) -> Result<Vec<Competitor>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let list = crate::codec::id_list(ids.iter().copied());
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

    pub fn teams(&self) -> Result<Vec<Team>> {
        self.read(|connection| load_teams(connection, "1", &[]))
    }

    /// Every team (with its members and divisions), in id order, handed to
    /// `each` one at a time as it is read, as
    /// [`CompetitionFile::for_each_competitor`] hands competitors: the
    /// exports spill the teams' display data without holding every team.
    /// An error from `each` stops the walk and is returned.
    pub fn for_each_team<E: From<StoreError>>(
        &self,
        each: &mut dyn FnMut(Team) -> std::result::Result<(), E>,
    ) -> std::result::Result<(), E> {
        let mut outcome: std::result::Result<(), E> = Ok(());
        self.read(|connection| {
            let mut teams = connection
                .prepare_cached(&format!("SELECT {TEAM_COLUMNS} FROM teams ORDER BY id"))?;
            let mut members = connection.prepare_cached(
                "SELECT team_id, competitor_id, member_order FROM team_members
                 ORDER BY team_id, member_order",
            )?;
            let mut divisions = connection.prepare_cached(
                "SELECT team_id, division_id FROM team_divisions ORDER BY team_id, division_id",
            )?;
            let mut team_rows = teams.query([])?;
            let mut members = SideRows::new(members.query([])?, member_from_row)?;
            let mut divisions = SideRows::new(divisions.query([])?, |row| row.get(1))?;
            while let Some(row) = team_rows.next()? {
                let mut team = team_from_row(row)?;
                members.take_for(team.id, &mut team.members)?;
                divisions.take_for(team.id, &mut team.division_ids)?;
                if let Err(error) = each(team) {
                    outcome = Err(error);
                    return Ok(());
                }
            }
            Ok(())
        })
        .map_err(E::from)?;
        outcome
    }

    /// Every team's members, handed to `each` one team at a time as one
    /// query reads them: the team's id and its members' competitor ids in
    /// member order, teams in id order (the order of [`Self::teams`]).
    /// A team without members is not handed over. Only one team's members
    /// are held, whatever the number of teams; no team record is built.
    /// An error from `each` stops the walk and is returned.
    pub fn for_each_team_members<E: From<StoreError>>(
        &self,
        each: &mut TeamMembers<'_, E>,
    ) -> std::result::Result<(), E> {
        let mut outcome: std::result::Result<(), E> = Ok(());
        self.read(|connection| {
            let mut statement = connection.prepare_cached(
                "SELECT team_id, competitor_id FROM team_members ORDER BY team_id, member_order",
            )?;
            let mut rows = statement.query([])?;
            let mut team: Option<Id> = None;
            let mut members: Vec<Id> = Vec::new();
            loop {
                let row = rows.next()?;
                let next: Option<Id> = row.map(|row| row.get(0)).transpose()?;
                if let Some(id) = team.filter(|id| next != Some(*id)) {
                    if let Err(error) = each(id, &members) {
                        outcome = Err(error);
                        return Ok(());
                    }
                    members.clear();
                }
                let Some(row) = row else {
                    return Ok(());
                };
                team = next;
                members.push(row.get(1)?);
            }
        })
        .map_err(E::from)?;
        outcome
    }

    /// The teams `competitor_id` is a member of, with their members and
    /// divisions, in id order: read by key (the member index), never every
    /// team.
    pub fn teams_with_member(&self, competitor_id: Id) -> Result<Vec<Team>> {
        self.read(|connection| {
            let mut teams: Vec<Team> = {
                let mut statement = connection.prepare_cached(&format!(
                    "SELECT {TEAM_COLUMNS} FROM teams
                     WHERE id IN (SELECT team_id FROM team_members WHERE competitor_id = ?1)
                     ORDER BY id"
                ))?;
                let rows = statement.query_map(params![competitor_id], team_from_row)?;
                rows.collect::<rusqlite::Result<_>>()?
            };
            let mut members = connection.prepare_cached(
                "SELECT competitor_id, member_order FROM team_members WHERE team_id = ?1
                 ORDER BY member_order",
            )?;
            let mut divisions = connection.prepare_cached(
                "SELECT division_id FROM team_divisions WHERE team_id = ?1 ORDER BY division_id",
            )?;
            for team in &mut teams {
                team.members = members
                    .query_map(params![team.id], |row| {
                        Ok(TeamMember {
                            competitor_id: row.get(0)?,
                            order: row.get(1)?,
                        })
                    })?
                    .collect::<rusqlite::Result<_>>()?;
                team.division_ids = divisions
                    .query_map(params![team.id], |row| row.get(0))?
                    .collect::<rusqlite::Result<_>>()?;
            }
            Ok(teams)
        })
    }

    pub fn team(&self, id: Id) -> Result<Option<Team>> {
        Ok(load_teams(&self.connection, "id = ?1", &[&id])?.pop())
    }

    pub fn team_by_bib(&self, bib: &str) -> Result<Option<Team>> {
        let bib = bib.trim();
        Ok(load_teams(&self.connection, "bib = ?1", &[&bib])?.pop())
    }
}
