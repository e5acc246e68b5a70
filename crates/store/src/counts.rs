//! Counts and single standings for read commands that print a few numbers
//! or one entrant: SQL aggregates and lookups by key, so their cost does not
//! grow with the size of the event (the CLI's `info`, `workout list`,
//! `division list`, `competitor show`).

use std::collections::HashMap;

use rusqlite::{params, Connection};

use scoretable_core::model::{Entrant, Id, ResultEntry, TeamScoring};
use scoretable_core::moves::standing;
use scoretable_core::score::effective_score;

use crate::competition_file::CompetitionFile;
use crate::error::Result;
use crate::results::{entrant_division_members, load_rank_entry, moved_rows};
use crate::workouts::load_workout;

/// Results per workout (from `results_by_workout`), and amended results
/// per workout (from `results_amended_by_workout`, schema version 12, which
/// holds the amended rows and the columns the condition reads): neither
/// reads a result row.
pub(crate) const RESULT_COUNT_QUERIES: [&str; 2] = [
    "SELECT workout_id, count(*) FROM results GROUP BY workout_id",
    "SELECT workout_id, count(*) FROM results
     WHERE amended = 1 AND (amended_kind IS NOT NULL OR amended_status IS NOT NULL)
     GROUP BY workout_id",
];

/// How many results a workout has stored, and how many carry an amendment.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ResultCounts {
    pub results: u64,
    pub amended: u64,
}

/// One entrant's place in one workout (see [`CompetitionFile::standing`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Standing {
    /// `None` for a status or an unrankable result.
    pub rank: Option<u32>,
    /// The place in each of the entrant's divisions (ranked results only).
    pub division_ranks: Vec<(Id, u32)>,
    /// The effective value as the leaderboard shows it.
    pub display: String,
}

impl CompetitionFile {
    /// Stored results and amended results per workout: two aggregate
    /// queries that read indexes only ([`RESULT_COUNT_QUERIES`]). Workouts
    /// without results are absent.
    pub fn result_counts(&self) -> Result<HashMap<Id, ResultCounts>> {
        self.read(|connection| {
            let mut counts: HashMap<Id, ResultCounts> = HashMap::new();
            for (query, amended) in RESULT_COUNT_QUERIES.iter().zip([false, true]) {
                let mut statement = connection.prepare_cached(query)?;
                let mut rows = statement.query([])?;
                while let Some(row) = rows.next()? {
                    let entry = counts.entry(row.get(0)?).or_default();
                    let count = row.get::<_, i64>(1)? as u64;
                    if amended {
                        entry.amended = count;
                    } else {
                        entry.results = count;
                    }
                }
            }
            Ok(counts)
        })
    }

    /// How many competitors and how many teams the file holds.
    pub fn entrant_counts(&self) -> Result<(u64, u64)> {
        Ok(self.connection.query_row(
            "SELECT (SELECT count(*) FROM competitors), (SELECT count(*) FROM teams)",
            [],
            |row| Ok((row.get::<_, i64>(0)? as u64, row.get::<_, i64>(1)? as u64)),
        )?)
    }

    /// Competitors per division, in one aggregate query (divisions without
    /// members are absent).
    pub fn division_member_counts(&self) -> Result<HashMap<Id, u64>> {
        let mut statement = self.connection.prepare_cached(
            "SELECT division_id, count(*) FROM competitor_divisions GROUP BY division_id",
        )?;
        let rows = statement.query_map([], |row| {
            Ok((row.get::<_, Id>(0)?, row.get::<_, i64>(1)? as u64))
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// One entrant's place in a workout, overall and in its divisions, as
    /// [`workout_leaderboard`](Self::workout_leaderboard) would give it, by
    /// counting the better results instead of ranking everyone: for
    /// workouts whose key follows one stored value (not rounds and reps,
    /// not member-scored teams) the rows that may tie with the entrant are
    /// read as an index range and the better ones counted in the index
    /// (`results_by_rank_value`), overall and in each of its divisions
    /// (the same reads as who moved); other workouts read the ranking
    /// columns of every result. `None` when the entrant has no ranked row
    /// of its own in the workout: no result, or a member of a team whose
    /// members' results are summed (the team is ranked).
    pub fn standing(&self, workout_id: Id, entrant: Entrant) -> Result<Option<Standing>> {
        self.read(|connection| {
            let workout = load_workout(connection, workout_id)?;
            if matches!(
                workout.team_scoring,
                TeamScoring::SumAll | TeamScoring::BestN { .. }
            ) {
                return Ok(None);
            }
            let Some(own) = load_rank_entry(connection, workout_id, entrant)? else {
                return Ok(None);
            };
            let display = match (own.status, own.score) {
                (Some(status), _) => status.code().to_string(),
                (None, Some(score)) => scoretable_core::score::format_score(
                    &workout,
                    &effective_score(&workout, score, own.penalty_ms),
                ),
                (None, None) => String::new(),
            };
            // The rows that may share the entrant's key (its own included),
            // and the better rows below them counted.
            let (rows, below) = moved_rows(connection, &workout, entrant, Some(&own))?;
            let mut own_divisions = entrant_divisions(connection, entrant)?;
            own_divisions.sort_unstable();
            let member_of = divisions_of_rows(connection, entrant, &rows, &own_divisions)?;
            let place = standing(&workout, &rows, entrant, &own_divisions, |who| {
                member_of.get(&who).map_or(&[][..], Vec::as_slice)
            });
            Ok(place.map(|(rank, division_ranks)| Standing {
                rank: rank.map(|rank| rank + below.overall),
                division_ranks: division_ranks
                    .into_iter()
                    .map(|(division_id, rank)| {
                        let counted = below
                            .by_division
                            .iter()
                            .find(|(id, _)| *id == division_id)
                            .map_or(0, |(_, counted)| *counted);
                        (division_id, rank + counted)
                    })
                    .collect(),
                display,
            }))
        })
    }
}

/// The divisions of one entrant (competitor or team).
fn entrant_divisions(connection: &Connection, entrant: Entrant) -> Result<Vec<Id>> {
    let (sql, id) = match entrant {
        Entrant::Competitor(id) => (
            "SELECT division_id FROM competitor_divisions WHERE competitor_id = ?1",
            id,
        ),
        Entrant::Team(id) => (
            "SELECT division_id FROM team_divisions WHERE team_id = ?1",
            id,
        ),
    };
    let mut statement = connection.prepare_cached(sql)?;
    let rows = statement.query_map(params![id], |row| row.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Which of `divisions` each of `rows`' entrants belongs to: looked up by
/// key for the few rows of an index range, from the divisions' member
/// lists when every result was read.
fn divisions_of_rows(
    connection: &Connection,
    entrant: Entrant,
    rows: &[ResultEntry],
    divisions: &[Id],
) -> Result<HashMap<Entrant, Vec<Id>>> {
    let mut member_of: HashMap<Entrant, Vec<Id>> = HashMap::new();
    if divisions.is_empty() {
        return Ok(member_of);
    }
    if rows.len() > ROWS_LOOKED_UP_BY_KEY {
        for (division_id, members) in entrant_division_members(connection, entrant)? {
            for member in members {
                member_of.entry(member).or_default().push(division_id);
            }
        }
        return Ok(member_of);
    }
    for row in rows {
        if row.entrant == entrant {
            continue;
        }
        let theirs: Vec<Id> = entrant_divisions(connection, row.entrant)?
            .into_iter()
            .filter(|division_id| divisions.contains(division_id))
            .collect();
        if !theirs.is_empty() {
            member_of.insert(row.entrant, theirs);
        }
    }
    Ok(member_of)
}

/// Above this many rows, the divisions' member lists are read in one go
/// instead of each row's divisions by key.
const ROWS_LOOKED_UP_BY_KEY: usize = 256;
