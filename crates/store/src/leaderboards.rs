//! Leaderboards: loading effective results and entrant data in bulk and
//! handing them to the engine.
//!
//! Loading is one query per table (workout, timing points, heats, results,
//! splits, competitors, divisions, teams...), never one query per entrant,
//! so ranking 60,000 results costs a handful of statements.

use std::collections::{BTreeMap, HashMap};

use rusqlite::{Connection, OptionalExtension};
use scoretable_core::model::{
    Division, Entrant, EntrantInfo, Id, OverallMode, OverallRow, OverallSettings, OverallTieBreak,
    RankedRow, ResultEntry, Team, TeamScoring, TeamWorkoutsInOverall, Workout,
};
use scoretable_core::overall::OverallEntrants;
use scoretable_core::ranking::rank_workout;
use scoretable_core::teams::aggregate_team_results;
use serde::{Deserialize, Serialize};

use crate::competition_file::CompetitionFile;
use crate::competitors::load_teams;
use crate::error::{Result, StoreError};
use crate::results::{load_results, load_results_without_splits};
use crate::workouts::{load_workout, load_workouts};

/// One entrant whose place changed between two leaderboards of a workout.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlacementChange {
    pub entrant: Entrant,
    /// `None` for the workout's overall place, else the division.
    pub division_id: Option<Id>,
    pub old_rank: Option<u32>,
    pub new_rank: Option<u32>,
}

/// Everyone whose place (overall, or in any of their divisions) differs
/// between `before` and `after`, overall changes first, then by division,
/// each in the order of the new leaderboard.
pub fn placement_impact(before: &[RankedRow], after: &[RankedRow]) -> Vec<PlacementChange> {
    let old_ranks: HashMap<Entrant, &RankedRow> =
        before.iter().map(|row| (row.entrant, row)).collect();
    let new_entrants: std::collections::HashSet<Entrant> =
        after.iter().map(|row| row.entrant).collect();
    let mut overall = Vec::new();
    let mut by_division: BTreeMap<Id, Vec<PlacementChange>> = BTreeMap::new();
    let division_rank = |row: Option<&RankedRow>, division_id: Id| {
        row.and_then(|row| {
            row.division_ranks
                .iter()
                .find(|(id, _)| *id == division_id)
                .map(|(_, rank)| *rank)
        })
    };
    for row in after {
        let old = old_ranks.get(&row.entrant).copied();
        let old_rank = old.and_then(|old| old.rank);
        if old_rank != row.rank {
            overall.push(PlacementChange {
                entrant: row.entrant,
                division_id: None,
                old_rank,
                new_rank: row.rank,
            });
        }
        let mut divisions: Vec<Id> = row.division_ranks.iter().map(|(id, _)| *id).collect();
        if let Some(old) = old {
            divisions.extend(old.division_ranks.iter().map(|(id, _)| *id));
        }
        divisions.sort_unstable();
        divisions.dedup();
        for division_id in divisions {
            let old_rank = division_rank(old, division_id);
            let new_rank = division_rank(Some(row), division_id);
            if old_rank != new_rank {
                by_division
                    .entry(division_id)
                    .or_default()
                    .push(PlacementChange {
                        entrant: row.entrant,
                        division_id: Some(division_id),
                        old_rank,
                        new_rank,
                    });
            }
        }
    }
    // Entrants who disappeared from the leaderboard (e.g. an undone entry).
    for row in before
        .iter()
        .filter(|row| !new_entrants.contains(&row.entrant))
    {
        if row.rank.is_some() {
            overall.push(PlacementChange {
                entrant: row.entrant,
                division_id: None,
                old_rank: row.rank,
                new_rank: None,
            });
        }
        for (division_id, rank) in &row.division_ranks {
            by_division
                .entry(*division_id)
                .or_default()
                .push(PlacementChange {
                    entrant: row.entrant,
                    division_id: Some(*division_id),
                    old_rank: Some(*rank),
                    new_rank: None,
                });
        }
    }
    overall.extend(by_division.into_values().flatten());
    overall
}

/// Bibs, names and divisions of every competitor and team: one query per
/// table (competitors, their divisions, teams, team divisions).
pub(crate) fn load_entrant_infos(connection: &Connection) -> Result<Vec<EntrantInfo>> {
    let mut infos: Vec<EntrantInfo> = Vec::new();
    // Both queries list by id, so each kind's ids are sorted: a binary
    // search finds an entrant's row without hashing 60,000 keys.
    let mut competitor_ids: Vec<Id> = Vec::new();
    let mut team_ids: Vec<Id> = Vec::new();
    {
        let mut statement = connection
            .prepare_cached("SELECT id, bib, first_name, last_name FROM competitors ORDER BY id")?;
        let mut rows = statement.query([])?;
        while let Some(row) = rows.next()? {
            let id: Id = row.get(0)?;
            let entrant = Entrant::Competitor(id);
            let first: String = row.get(2)?;
            let last: String = row.get(3)?;
            let name = if first.is_empty() || last.is_empty() {
                format!("{first}{last}")
            } else {
                format!("{first} {last}")
            };
            competitor_ids.push(id);
            infos.push(EntrantInfo {
                entrant,
                bib: row.get(1)?,
                name,
                division_ids: Vec::new(),
            });
        }
    }
    {
        let mut statement = connection
            .prepare_cached("SELECT id, coalesce(bib, ''), name FROM teams ORDER BY id")?;
        let mut rows = statement.query([])?;
        while let Some(row) = rows.next()? {
            let id: Id = row.get(0)?;
            let entrant = Entrant::Team(id);
            team_ids.push(id);
            infos.push(EntrantInfo {
                entrant,
                bib: row.get(1)?,
                name: row.get(2)?,
                division_ids: Vec::new(),
            });
        }
    }
    let teams_start = competitor_ids.len();
    for (sql, ids, start) in [
        (
            "SELECT competitor_id, division_id FROM competitor_divisions",
            &competitor_ids,
            0,
        ),
        (
            "SELECT team_id, division_id FROM team_divisions",
            &team_ids,
            teams_start,
        ),
    ] {
        let mut statement = connection.prepare_cached(sql)?;
        let mut rows = statement.query([])?;
        while let Some(row) = rows.next()? {
            let id: Id = row.get(0)?;
            if let Ok(position) = ids.binary_search(&id) {
                infos[start + position].division_ids.push(row.get(1)?);
            }
        }
    }
    for info in &mut infos {
        info.division_ids.sort_unstable();
    }
    Ok(infos)
}

/// [`CompetitionFile::for_each_entrant_bib_and_divisions`] inside a read.
fn for_each_bib_and_divisions(
    connection: &Connection,
    each: &mut dyn FnMut(Entrant, &str, &[Id]),
) -> Result<()> {
    for (team, entrants_sql, divisions_sql) in [
        (
            false,
            "SELECT id, bib FROM competitors ORDER BY id",
            "SELECT competitor_id, division_id FROM competitor_divisions
             ORDER BY competitor_id, division_id",
        ),
        (
            true,
            "SELECT id, coalesce(bib, '') FROM teams ORDER BY id",
            "SELECT team_id, division_id FROM team_divisions ORDER BY team_id, division_id",
        ),
    ] {
        let mut entrants = connection.prepare_cached(entrants_sql)?;
        let mut memberships = connection.prepare_cached(divisions_sql)?;
        let mut entrant_rows = entrants.query([])?;
        let mut membership_rows = memberships.query([])?;
        let next_membership = |rows: &mut rusqlite::Rows<'_>| -> Result<Option<(Id, Id)>> {
            Ok(match rows.next()? {
                Some(row) => Some((row.get(0)?, row.get(1)?)),
                None => None,
            })
        };
        let mut pending = next_membership(&mut membership_rows)?;
        let mut division_ids: Vec<Id> = Vec::new();
        while let Some(row) = entrant_rows.next()? {
            let id: Id = row.get(0)?;
            division_ids.clear();
            // Memberships of ids before this one have no entrant: passed by.
            while let Some((owner, division_id)) = pending {
                if owner > id {
                    break;
                }
                if owner == id {
                    division_ids.push(division_id);
                }
                pending = next_membership(&mut membership_rows)?;
            }
            let bib = row.get_ref(1)?.as_str().map_err(rusqlite::Error::from)?;
            let entrant = if team {
                Entrant::Team(id)
            } else {
                Entrant::Competitor(id)
            };
            each(entrant, bib, &division_ids);
        }
    }
    Ok(())
}

/// The infos of `entrants` (at least: all of them when they are a large part
/// of the file, where one bulk load is cheaper than lookups by key). Ranking
/// needs only the ranked entrants' bibs and divisions, so a wave of 150 in a
/// file of 60,000 athletes looks up 150.
pub(crate) fn load_entrant_infos_for(
    connection: &Connection,
    entrants: &[Entrant],
) -> Result<Vec<EntrantInfo>> {
    // The largest ids bound the number of competitors and teams from above
    // without counting them (a count reads a whole index: milliseconds at
    // 60,000 athletes, more than looking a wave of 150 up).
    let bound: i64 = connection.query_row(
        "SELECT (SELECT coalesce(max(id), 0) FROM competitors)
              + (SELECT coalesce(max(id), 0) FROM teams)",
        [],
        |row| row.get(0),
    )?;
    if entrants.len() as i64 * 8 >= bound {
        return load_entrant_infos(connection);
    }
    load_entrant_infos_by_key(connection, entrants)
}

/// The infos of `entrants`, in their order (an entrant not in the file has
/// none): one query for their competitors, one for their teams and one for
/// each kind's divisions, each by key through an id list.
pub(crate) fn load_entrant_infos_by_key(
    connection: &Connection,
    entrants: &[Entrant],
) -> Result<Vec<EntrantInfo>> {
    let list =
        |kind_is_team: bool| -> String {
            crate::codec::id_list(entrants.iter().filter_map(|entrant| {
                match (entrant, kind_is_team) {
                    (Entrant::Competitor(id), false) | (Entrant::Team(id), true) => Some(*id),
                    _ => None,
                }
            }))
        };
    let mut found: HashMap<Entrant, EntrantInfo> = HashMap::with_capacity(entrants.len());
    for (team, people_sql, divisions_sql) in [
        (
            false,
            "SELECT id, bib, first_name, last_name FROM competitors
             WHERE id IN (SELECT value FROM json_each(?1))",
            "SELECT competitor_id, division_id FROM competitor_divisions
             WHERE competitor_id IN (SELECT value FROM json_each(?1))",
        ),
        (
            true,
            "SELECT id, coalesce(bib, ''), name, '' FROM teams
             WHERE id IN (SELECT value FROM json_each(?1))",
            "SELECT team_id, division_id FROM team_divisions
             WHERE team_id IN (SELECT value FROM json_each(?1))",
        ),
    ] {
        let ids = list(team);
        if ids == "[]" {
            continue;
        }
        let entrant = |id: Id| {
            if team {
                Entrant::Team(id)
            } else {
                Entrant::Competitor(id)
            }
        };
        let mut statement = connection.prepare_cached(people_sql)?;
        let mut rows = statement.query([&ids])?;
        while let Some(row) = rows.next()? {
            let id: Id = row.get(0)?;
            let first: String = row.get(2)?;
            let last: String = row.get(3)?;
            let name = if first.is_empty() || last.is_empty() {
                format!("{first}{last}")
            } else {
                format!("{first} {last}")
            };
            found.insert(
                entrant(id),
                EntrantInfo {
                    entrant: entrant(id),
                    bib: row.get(1)?,
                    name,
                    division_ids: Vec::new(),
                },
            );
        }
        let mut statement = connection.prepare_cached(divisions_sql)?;
        let mut rows = statement.query([&ids])?;
        while let Some(row) = rows.next()? {
            if let Some(info) = found.get_mut(&entrant(row.get(0)?)) {
                info.division_ids.push(row.get(1)?);
            }
        }
    }
    let mut infos = Vec::with_capacity(entrants.len());
    for entrant in entrants {
        if let Some(info) = found.get(entrant) {
            let mut info = info.clone();
            info.division_ids.sort_unstable();
            infos.push(info);
        }
    }
    Ok(infos)
}

/// Everything needed to rank one workout, loaded once.
pub(crate) struct WorkoutSnapshot {
    pub(crate) workout: Workout,
    pub(crate) infos: Vec<EntrantInfo>,
    /// Effective results of the workout's own entrants (members for
    /// `SumAll`/`BestN` workouts).
    results: Vec<ResultEntry>,
    /// Teams, for member-scored team workouts.
    teams: Option<Vec<Team>>,
}

impl WorkoutSnapshot {
    /// The workout with its splits, and the infos of the entrants it ranks
    /// (see [`load_entrant_infos_for`]).
    pub(crate) fn load(connection: &Connection, workout_id: Id) -> Result<WorkoutSnapshot> {
        let workout = load_workout(connection, workout_id)?;
        let stored = load_results(connection, workout.id)?;
        let infos = match workout.team_scoring {
            // Ranked rows are teams built from members' results: every entrant.
            TeamScoring::SumAll | TeamScoring::BestN { .. } => load_entrant_infos(connection)?,
            TeamScoring::Individual | TeamScoring::TeamChip => {
                let entrants: Vec<Entrant> = stored.iter().map(|result| result.entrant).collect();
                load_entrant_infos_for(connection, &entrants)?
            }
        };
        Self::from_stored(connection, workout, infos, stored)
    }

    /// Like [`WorkoutSnapshot::load_with`] without the splits: ranks and
    /// places are the same, only the rows' split standings stay empty.
    pub(crate) fn load_without_splits(
        connection: &Connection,
        workout: Workout,
        infos: Vec<EntrantInfo>,
    ) -> Result<WorkoutSnapshot> {
        let stored = load_results_without_splits(connection, workout.id)?;
        Self::from_stored(connection, workout, infos, stored)
    }

    fn from_stored(
        connection: &Connection,
        workout: Workout,
        infos: Vec<EntrantInfo>,
        stored: Vec<crate::results::StoredResult>,
    ) -> Result<WorkoutSnapshot> {
        let results: Vec<ResultEntry> = stored
            .iter()
            .filter(|result| result.effective_value().is_some())
            .map(|result| result.to_result_entry())
            .collect();
        let teams = match workout.team_scoring {
            TeamScoring::SumAll | TeamScoring::BestN { .. } => {
                Some(load_teams(connection, "1", &[])?)
            }
            TeamScoring::Individual | TeamScoring::TeamChip => None,
        };
        Ok(WorkoutSnapshot {
            workout,
            infos,
            results,
            teams,
        })
    }

    /// The results the engine ranks: team results for member-scored team
    /// workouts, else the results themselves.
    fn rank_inputs(&self) -> std::borrow::Cow<'_, [ResultEntry]> {
        match &self.teams {
            Some(teams) => {
                std::borrow::Cow::Owned(aggregate_team_results(&self.workout, teams, &self.results))
            }
            None => std::borrow::Cow::Borrowed(&self.results),
        }
    }

    pub(crate) fn rank(&self) -> Vec<RankedRow> {
        rank_workout(&self.workout, &self.infos, &self.rank_inputs())
    }
}

/// Keeps the rows of one division, ordered by their place in it (rows
/// without a place keep the engine's order after the placed ones).
pub(crate) fn division_rows(
    rows: Vec<RankedRow>,
    infos: &[EntrantInfo],
    division_id: Id,
) -> Vec<RankedRow> {
    let members: std::collections::HashSet<Entrant> = infos
        .iter()
        .filter(|info| info.division_ids.contains(&division_id))
        .map(|info| info.entrant)
        .collect();
    let place = |row: &RankedRow| {
        row.division_ranks
            .iter()
            .find(|(id, _)| *id == division_id)
            .map(|(_, rank)| *rank)
    };
    let mut kept: Vec<RankedRow> = rows
        .into_iter()
        .filter(|row| members.contains(&row.entrant) || place(row).is_some())
        .collect();
    // Stable: equal places keep the engine's listing order.
    kept.sort_by_key(|row| place(row).unwrap_or(u32::MAX));
    kept
}

pub(crate) fn compute_workout_leaderboard(
    connection: &Connection,
    workout_id: Id,
    division_id: Option<Id>,
) -> Result<Vec<RankedRow>> {
    let snapshot = WorkoutSnapshot::load(connection, workout_id)?;
    let rows = snapshot.rank();
    Ok(match division_id {
        None => rows,
        Some(division_id) => division_rows(rows, &snapshot.infos, division_id),
    })
}

pub(crate) fn check_division(connection: &Connection, division_id: Option<Id>) -> Result<()> {
    if let Some(division_id) = division_id {
        let exists: bool = connection.query_row(
            "SELECT EXISTS (SELECT 1 FROM divisions WHERE id = ?1)",
            [division_id],
            |row| row.get(0),
        )?;
        if !exists {
            return Err(StoreError::NotFound {
                what: "division",
                key: division_id.to_string(),
            });
        }
    }
    Ok(())
}

/// One entrant's bib, name and divisions by key: three indexed lookups.
pub(crate) fn load_entrant_info(
    connection: &Connection,
    entrant: Entrant,
) -> Result<Option<EntrantInfo>> {
    let (found, divisions_sql): (Option<(String, String)>, &str) = match entrant {
        Entrant::Competitor(id) => (
            connection
                .prepare_cached("SELECT bib, first_name, last_name FROM competitors WHERE id = ?1")?
                .query_row([id], |row| {
                    let first: String = row.get(1)?;
                    let last: String = row.get(2)?;
                    let name = if first.is_empty() || last.is_empty() {
                        format!("{first}{last}")
                    } else {
                        format!("{first} {last}")
                    };
                    Ok((row.get(0)?, name))
                })
                .optional()?,
            "SELECT division_id FROM competitor_divisions WHERE competitor_id = ?1 ORDER BY division_id",
        ),
        Entrant::Team(id) => (
            connection
                .prepare_cached("SELECT coalesce(bib, ''), name FROM teams WHERE id = ?1")?
                .query_row([id], |row| Ok((row.get(0)?, row.get(1)?)))
                .optional()?,
            "SELECT division_id FROM team_divisions WHERE team_id = ?1 ORDER BY division_id",
        ),
    };
    let Some((bib, name)) = found else {
        return Ok(None);
    };
    let id = match entrant {
        Entrant::Competitor(id) | Entrant::Team(id) => id,
    };
    let division_ids = connection
        .prepare_cached(divisions_sql)?
        .query_map([id], |row| row.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(Some(EntrantInfo {
        entrant,
        bib,
        name,
        division_ids,
    }))
}

impl CompetitionFile {
    /// One entrant's bib, name and divisions, looked up by key (for
    /// commands that show a few entrants, where loading every entrant's
    /// [`entrant_infos`](Self::entrant_infos) would cost far more).
    pub fn entrant_info(&self, entrant: Entrant) -> Result<Option<EntrantInfo>> {
        load_entrant_info(&self.connection, entrant)
    }

    /// Bibs, names and divisions of `entrants` (the rows a screen shows),
    /// by key, or in one bulk load when they are a large part of the file.
    pub fn entrant_infos_of(&self, entrants: &[Entrant]) -> Result<Vec<EntrantInfo>> {
        self.read(|connection| load_entrant_infos_for(connection, entrants))
    }

    /// The bib and division ids (sorted) of every competitor (by id),
    /// then of every team (by id), handed to `each` as they are read: the
    /// entrants' rows and their division rows walked side by side in id
    /// order, nothing kept (a reader that keeps them compact holds no
    /// [`EntrantInfo`] per entrant). No names.
    pub fn for_each_entrant_bib_and_divisions(
        &self,
        each: &mut dyn FnMut(Entrant, &str, &[Id]),
    ) -> Result<()> {
        self.read(|connection| for_each_bib_and_divisions(connection, each))
    }

    /// Bibs, names and divisions of every competitor and team, for showing
    /// leaderboard rows.
    pub fn entrant_infos(&self) -> Result<Vec<EntrantInfo>> {
        self.read(load_entrant_infos)
    }

    /// Ranks one workout on its effective results. With a division, only
    /// that division's rows are returned, ordered by their division place.
    pub fn workout_leaderboard(
        &self,
        workout_id: Id,
        division_id: Option<Id>,
    ) -> Result<Vec<RankedRow>> {
        self.read(|connection| {
            check_division(connection, division_id)?;
            compute_workout_leaderboard(connection, workout_id, division_id)
        })
    }

    /// Calls `each` with `(entrant, timing point id, total ms)` for every
    /// split of `workout_id`'s results, one result's splits after another in
    /// course order, as a cursor reads them (nothing is collected): exports
    /// keep split standings in compact columns beside the workout's
    /// [`LiveBoard`](scoretable_core::board::LiveBoard) instead of a vector
    /// of standings per row. Splits of results without an effective value
    /// are included; callers keep those of the rows they rank.
    pub fn for_each_split_of_workout(
        &self,
        workout_id: Id,
        each: &mut dyn FnMut(Entrant, Id, scoretable_core::model::Millis),
    ) -> Result<()> {
        self.read(|connection| crate::results::for_each_split(connection, workout_id, each))
    }

    /// One workout ranked once and split into every division's board (each
    /// ordered by division place), for screens and exports that show all
    /// divisions: one ranking instead of one per division.
    pub fn workout_leaderboards_by_division(
        &self,
        workout_id: Id,
    ) -> Result<Vec<(Division, Vec<RankedRow>)>> {
        self.read(|connection| {
            let snapshot = WorkoutSnapshot::load(connection, workout_id)?;
            let rows = snapshot.rank();
            let divisions = crate::competitors::load_divisions(connection)?;
            Ok(divisions
                .into_iter()
                .map(|division| {
                    let board = division_rows(rows.clone(), &snapshot.infos, division.id);
                    (division, board)
                })
                .collect())
        })
    }

    /// The team overall of a mixed event
    /// ([`scoretable_core::overall::team_overall_standings`]: teams ranked on
    /// their team workouts, individual workouts not counted); `mode` and
    /// `tie_break` default to the stored settings.
    pub fn team_overall_leaderboard(
        &self,
        division_id: Option<Id>,
        mode: Option<&OverallMode>,
        tie_break: Option<OverallTieBreak>,
    ) -> Result<Vec<OverallRow>> {
        self.read(|_| {
            Ok(self
                .live_overall_parts(division_id, mode, tie_break, Some(OverallEntrants::Teams))?
                .table
                .into_rows())
        })
    }

    /// The overall leaderboard across every workout. `mode` and `tie_break`
    /// default to the stored [`crate::LeaderboardSettings`].
    pub fn overall_leaderboard(
        &self,
        division_id: Option<Id>,
        mode: Option<&OverallMode>,
        tie_break: Option<OverallTieBreak>,
    ) -> Result<Vec<OverallRow>> {
        self.read(|_| self.overall_leaderboard_unlocked(division_id, mode, tie_break))
    }

    fn overall_leaderboard_unlocked(
        &self,
        division_id: Option<Id>,
        mode: Option<&OverallMode>,
        tie_break: Option<OverallTieBreak>,
    ) -> Result<Vec<OverallRow>> {
        Ok(self.overall_parts(division_id, mode, tie_break)?.rows)
    }

    /// The overall table with the workouts and entrant infos it was built
    /// from (call inside a read snapshot).
    pub(crate) fn overall_parts(
        &self,
        division_id: Option<Id>,
        mode: Option<&OverallMode>,
        tie_break: Option<OverallTieBreak>,
    ) -> Result<crate::boards::OverallBoard> {
        let live = self.live_overall_parts(division_id, mode, tie_break, None)?;
        Ok(crate::boards::OverallBoard {
            workouts: live.workouts,
            rows: live.table.into_rows(),
            infos: live.infos,
            team_workouts: live.team_workouts,
        })
    }

    /// The overall table as a [`scoretable_core::live_overall::LiveOverall`]
    /// (kept and updated by a long-running process), with its columns and
    /// every entrant's information.
    /// `kind` `None`: the kind the workouts call for
    /// ([`scoretable_core::overall::overall_entrant_kind`]).
    pub(crate) fn live_overall_parts(
        &self,
        division_id: Option<Id>,
        mode: Option<&OverallMode>,
        tie_break: Option<OverallTieBreak>,
        kind: Option<OverallEntrants>,
    ) -> Result<crate::boards::LiveOverallBoard> {
        check_division(&self.connection, division_id)?;
        let settings = self.leaderboard_settings()?;
        let mode = mode.unwrap_or(&settings.mode);
        let tie_break = tie_break.unwrap_or(settings.tie_break);
        let workouts = load_workouts(&self.connection, None)?;
        scoretable_core::overall::validate_overall_mode(&workouts, mode).map_err(|error| {
            StoreError::InvalidInput {
                field: "overall mode".into(),
                message: error.to_string(),
            }
        })?;
        if let OverallTieBreak::Workout { workout_id } = tie_break {
            if !workouts.iter().any(|workout| workout.id == workout_id) {
                return Err(StoreError::NotFound {
                    what: "workout",
                    key: workout_id.to_string(),
                });
            }
        }
        let infos = load_entrant_infos(&self.connection)?;
        let mut ranked = Vec::with_capacity(workouts.len());
        for workout in &workouts {
            // The overall table uses places only, never split standings.
            let snapshot = WorkoutSnapshot::load_without_splits(
                &self.connection,
                workout.clone(),
                Vec::new(),
            )?;
            let rows = rank_workout(&snapshot.workout, &infos, &snapshot.rank_inputs());
            ranked.push((snapshot.workout, rows));
        }
        // Members are only needed to credit team places.
        let teams = match settings.team_workouts {
            TeamWorkoutsInOverall::TeamPlace => load_teams(&self.connection, "1", &[])?,
            TeamWorkoutsInOverall::Excluded => Vec::new(),
        };
        let kind = kind.unwrap_or_else(|| {
            scoretable_core::overall::overall_entrant_kind(&workouts.iter().collect::<Vec<_>>())
        });
        let table = scoretable_core::live_overall::LiveOverall::build_for(
            kind,
            &ranked,
            &infos,
            &teams,
            division_id,
            &OverallSettings {
                mode: mode.clone(),
                tie_break,
                team_workouts: settings.team_workouts,
            },
        );
        Ok(crate::boards::LiveOverallBoard {
            workouts,
            table,
            infos,
            team_workouts: settings.team_workouts,
        })
    }
}

fn entrant_name(infos: &[EntrantInfo], entrant: Entrant) -> String {
    infos
        .iter()
        .find(|info| info.entrant == entrant)
        .map(|info| info.name.clone())
        .unwrap_or_else(|| format!("{entrant:?}"))
}

impl CompetitionFile {
    /// Says in one sentence why `a` and `b` are in their order in a workout
    /// (e.g. "Ada ranks above Bo: 12:03.4 is faster than 12:05.0.").
    pub fn explain_workout_order(&self, workout_id: Id, a: Entrant, b: Entrant) -> Result<String> {
        self.read(|_| self.explain_workout_order_unlocked(workout_id, a, b))
    }

    fn explain_workout_order_unlocked(
        &self,
        workout_id: Id,
        a: Entrant,
        b: Entrant,
    ) -> Result<String> {
        let snapshot = WorkoutSnapshot::load(&self.connection, workout_id)?;
        let rows = snapshot.rank();
        let infos: Vec<EntrantInfo> = [a, b]
            .into_iter()
            .map(|entrant| load_entrant_info(&self.connection, entrant))
            .collect::<Result<Vec<_>>>()?
            .into_iter()
            .flatten()
            .collect();
        let find = |entrant: Entrant| {
            rows.iter()
                .find(|row| row.entrant == entrant)
                .ok_or_else(|| StoreError::NoScore {
                    workout: snapshot.workout.name.clone(),
                    entrant: entrant_name(&infos, entrant),
                })
        };
        let (row_a, row_b) = (find(a)?, find(b)?);
        Ok(scoretable_core::explain::explain_order(
            &snapshot.workout,
            row_a,
            row_b,
            &entrant_name(&infos, a),
            &entrant_name(&infos, b),
        ))
    }

    /// Says why `a` and `b` are in their order on the overall leaderboard
    /// computed with the stored settings (two teams: on the team overall).
    pub fn explain_overall_order(
        &self,
        division_id: Option<Id>,
        a: Entrant,
        b: Entrant,
    ) -> Result<String> {
        let settings = self.leaderboard_settings()?;
        // Two teams are explained on the team table (in a mixed event the
        // team overall; in a team competition the one table).
        let rows = match (a, b) {
            (Entrant::Team(_), Entrant::Team(_)) => {
                self.team_overall_leaderboard(division_id, None, None)?
            }
            _ => self.overall_leaderboard(division_id, None, None)?,
        };
        let infos = load_entrant_infos(&self.connection)?;
        let find = |entrant: Entrant| {
            rows.iter()
                .find(|row| row.entrant == entrant)
                .ok_or_else(|| StoreError::NotFound {
                    what: "overall leaderboard entrant",
                    key: entrant_name(&infos, entrant),
                })
        };
        let (row_a, row_b) = (find(a)?, find(b)?);
        Ok(scoretable_core::explain::explain_overall(
            row_a,
            row_b,
            &entrant_name(&infos, a),
            &entrant_name(&infos, b),
            &settings.mode,
            settings.tie_break,
        ))
    }
}
