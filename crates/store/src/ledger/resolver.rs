//! Finding the competitor or team a record's identifier names: competitors
//! by key (a poll at 60,000 athletes reads only its records' rows), teams
//! (few, names matched case-folded) loaded once per batch.

use super::*;

/// Looks identifiers up, loading each kind's table once per batch.
pub(super) struct Resolver<'connection> {
    pub(super) connection: &'connection Connection,
    /// Competitors looked up so far, by identifier kind and value (`None`:
    /// no competitor has it).
    pub(super) competitors: HashMap<IdentifierKind, HashMap<String, Option<Id>>>,
    pub(super) teams: HashMap<IdentifierKind, HashMap<String, Id>>,
    pub(super) teams_of_member: Option<HashMap<Id, Vec<Id>>>,
    pub(super) team_names: Option<HashMap<Id, String>>,
}

impl<'connection> Resolver<'connection> {
    pub(super) fn new(connection: &'connection Connection) -> Self {
        Resolver {
            connection,
            competitors: HashMap::new(),
            teams: HashMap::new(),
            teams_of_member: None,
            team_names: None,
        }
    }

    pub(super) fn load_map(&self, sql: &str, fold_case: bool) -> Result<HashMap<String, Id>> {
        let mut statement = self.connection.prepare(sql)?;
        let mut rows = statement.query([])?;
        let mut map = HashMap::new();
        while let Some(row) = rows.next()? {
            let key: String = row.get(0)?;
            let key = key.trim();
            let key = if fold_case {
                key.to_lowercase()
            } else {
                key.to_string()
            };
            map.entry(key).or_insert(row.get::<_, Id>(1)?);
        }
        Ok(map)
    }

    /// The competitor with `identifier`, read by key through the
    /// identifier's unique column (or the chips' primary key) and
    /// remembered for the batch: never every competitor. The trimmed value
    /// is matched exactly: every write path stores identifiers trimmed, and
    /// the upgrade to schema version 14 trimmed those an older version
    /// stored with white space (`crate::schema::SCHEMA_V14`).
    pub(super) fn competitor(&mut self, identifier: &Identifier) -> Result<Option<Id>> {
        if identifier.kind == IdentifierKind::TeamName {
            return Ok(None);
        }
        let value = identifier.value.trim();
        if let Some(found) = self
            .competitors
            .get(&identifier.kind)
            .and_then(|known| known.get(value))
        {
            return Ok(*found);
        }
        let sql = match identifier.kind.column() {
            Some(column) => format!("SELECT id FROM competitors WHERE {column} = ?1"),
            None => "SELECT competitor_id FROM competitor_chips WHERE chip_id = ?1".to_string(),
        };
        let found: Option<Id> = self
            .connection
            .prepare_cached(&sql)?
            .query_row(params![value], |row| row.get(0))
            .optional()?;
        self.competitors
            .entry(identifier.kind)
            .or_default()
            .insert(value.to_string(), found);
        Ok(found)
    }

    pub(super) fn team(&mut self, identifier: &Identifier) -> Result<Option<Id>> {
        if identifier.kind == IdentifierKind::Chip {
            // A team chip is registered to one of its members.
            let Some(member) = self.competitor(identifier)? else {
                return Ok(None);
            };
            let teams = self.teams_of(member)?;
            return Ok(match teams.as_slice() {
                [team] => Some(*team),
                _ => None,
            });
        }
        let fold_case = identifier.kind == IdentifierKind::TeamName;
        if !self.teams.contains_key(&identifier.kind) {
            let sql = match identifier.kind.column() {
                Some(column) => {
                    format!("SELECT {column}, id FROM teams WHERE {column} IS NOT NULL")
                }
                None => "SELECT name, id FROM teams".to_string(),
            };
            let map = self.load_map(&sql, fold_case)?;
            self.teams.insert(identifier.kind, map);
        }
        let key = if fold_case {
            identifier.value.trim().to_lowercase()
        } else {
            identifier.value.trim().to_string()
        };
        Ok(self.teams[&identifier.kind].get(&key).copied())
    }

    pub(super) fn teams_of(&mut self, competitor_id: Id) -> Result<Vec<Id>> {
        if self.teams_of_member.is_none() {
            let mut statement = self
                .connection
                .prepare("SELECT competitor_id, team_id FROM team_members ORDER BY team_id")?;
            let mut rows = statement.query([])?;
            let mut map: HashMap<Id, Vec<Id>> = HashMap::new();
            while let Some(row) = rows.next()? {
                map.entry(row.get(0)?).or_default().push(row.get(1)?);
            }
            self.teams_of_member = Some(map);
        }
        Ok(self
            .teams_of_member
            .as_ref()
            .and_then(|map| map.get(&competitor_id))
            .cloned()
            .unwrap_or_default())
    }

    pub(super) fn team_name(&mut self, team_id: Id) -> Result<String> {
        if self.team_names.is_none() {
            let mut statement = self.connection.prepare("SELECT id, name FROM teams")?;
            let rows = statement.query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?;
            self.team_names = Some(rows.collect::<rusqlite::Result<_>>()?);
        }
        Ok(self
            .team_names
            .as_ref()
            .and_then(|names| names.get(&team_id))
            .cloned()
            .unwrap_or_else(|| format!("#{team_id}")))
    }

    /// Per-member chips: `identifier` names the team registration and
    /// `teammate` the member in it (by the member's own id of the teammate's
    /// kind, else by bib). A source that sends the member's own id as the
    /// participant id and the team's as the teammate id is understood too.
    pub(super) fn member_by_teammate_id(
        &mut self,
        identifier: &Identifier,
        teammate: &Identifier,
    ) -> Result<std::result::Result<Entrant, String>> {
        let described = format!("{} {:?}", identifier.kind.word(), identifier.value.trim());
        let teammate_described = format!("teammate id {:?}", teammate.value.trim());
        if let Some(team) = self.team(identifier)? {
            let mut candidates = Vec::new();
            candidates.extend(self.competitor(teammate)?);
            if teammate.kind != IdentifierKind::Bib {
                candidates.extend(self.competitor(&Identifier {
                    kind: IdentifierKind::Bib,
                    value: teammate.value.clone(),
                })?);
            }
            for candidate in candidates {
                if self.teams_of(candidate)?.contains(&team) {
                    return Ok(Ok(Entrant::Competitor(candidate)));
                }
            }
            return Ok(Err(format!(
                "team {} ({described}) has no member with {teammate_described}",
                self.team_name(team)?
            )));
        }
        if let (Some(competitor), Some(team)) = (self.competitor(identifier)?, self.team(teammate)?)
        {
            if self.teams_of(competitor)?.contains(&team) {
                return Ok(Ok(Entrant::Competitor(competitor)));
            }
            return Ok(Err(format!(
                "{described} is not a member of team {} ({teammate_described})",
                self.team_name(team)?
            )));
        }
        Ok(Err(format!(
            "no team has {described} (the record carries {teammate_described})"
        )))
    }

    /// The entrant a record is for in `workout`, or why none could be found.
    pub(super) fn entrant(
        &mut self,
        workout: &Workout,
        record: &InboundRecord,
    ) -> Result<std::result::Result<Entrant, String>> {
        let identifier = &record.identifier;
        let described = format!("{} {:?}", identifier.kind.word(), identifier.value.trim());
        if identifier.value.trim().is_empty() {
            return Ok(Err(format!(
                "the record has an empty {}",
                identifier.kind.word()
            )));
        }
        match workout.team_scoring {
            TeamScoring::TeamChip => Ok(match self.team(identifier)? {
                Some(team) => Ok(Entrant::Team(team)),
                None => Err(format!("no team has {described}")),
            }),
            TeamScoring::Individual => Ok(match self.competitor(identifier)? {
                Some(competitor) => Ok(Entrant::Competitor(competitor)),
                None => Err(format!("no competitor has {described}")),
            }),
            TeamScoring::SumAll | TeamScoring::BestN { .. } => {
                if let Some(teammate) = record
                    .teammate
                    .as_ref()
                    .filter(|teammate| !teammate.value.trim().is_empty())
                {
                    return self.member_by_teammate_id(identifier, teammate);
                }
                let Some(competitor) = self.competitor(identifier)? else {
                    return Ok(Err(format!("no competitor has {described}")));
                };
                let teams = self.teams_of(competitor)?;
                match &record.team {
                    Some(team_identifier) => {
                        let team_described = format!(
                            "{} {:?}",
                            team_identifier.kind.word(),
                            team_identifier.value.trim()
                        );
                        match self.team(team_identifier)? {
                            None => Ok(Err(format!("no team has {team_described}"))),
                            Some(team) if teams.contains(&team) => {
                                Ok(Ok(Entrant::Competitor(competitor)))
                            }
                            Some(team) => Ok(Err(format!(
                                "{described} is not a member of team {} ({team_described})",
                                self.team_name(team)?
                            ))),
                        }
                    }
                    None if teams.is_empty() => Ok(Err(format!(
                        "{described} is in no team, and this workout sums team members"
                    ))),
                    None => Ok(Ok(Entrant::Competitor(competitor))),
                }
            }
        }
    }
}
