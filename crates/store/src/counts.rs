//! Counts and single standings for read commands that print a few numbers
//! or one entrant: SQL aggregates and lookups by key, so their cost does not
//! grow with the size of the event (the CLI's `info`, `workout list`,
//! `division list`, `competitor show`).

use std::collections::HashMap;

use scoretable_core::model::{Entrant, Id, TeamScoring};
use scoretable_core::moves::standing;
use scoretable_core::score::effective_score;

use crate::competition_file::CompetitionFile;
use crate::error::Result;
use crate::results::load_rank_entries;
use crate::workouts::load_workout;

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
    /// Stored results and amended results per workout, in one aggregate
    /// query. Workouts without results are absent.
    pub fn result_counts(&self) -> Result<HashMap<Id, ResultCounts>> {
        let mut statement = self.connection.prepare_cached(
            "SELECT workout_id, count(*),
                coalesce(sum(amended = 1
                    AND (amended_kind IS NOT NULL OR amended_status IS NOT NULL)), 0)
             FROM results GROUP BY workout_id",
        )?;
        let rows = statement.query_map([], |row| {
            Ok((
                row.get::<_, Id>(0)?,
                ResultCounts {
                    results: row.get::<_, i64>(1)? as u64,
                    amended: row.get::<_, i64>(2)? as u64,
                },
            ))
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
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
    /// counting the better results (one pass over the workout's ranking
    /// columns) instead of ranking everyone. `None` when the entrant has no
    /// ranked row of its own in the workout: no result, or a member of a
    /// team whose members' results are summed (the team is ranked).
    pub fn standing(&self, workout_id: Id, entrant: Entrant) -> Result<Option<Standing>> {
        self.read(|connection| {
            let workout = load_workout(connection, workout_id)?;
            if matches!(
                workout.team_scoring,
                TeamScoring::SumAll | TeamScoring::BestN { .. }
            ) {
                return Ok(None);
            }
            let results = load_rank_entries(connection, workout_id)?;
            let Some(own) = results.iter().find(|result| result.entrant == entrant) else {
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
            let divisions = crate::results::entrant_division_members(connection, entrant)?;
            let own_divisions: Vec<Id> = divisions.keys().copied().collect();
            let mut member_of: HashMap<Entrant, Vec<Id>> = HashMap::new();
            for (division_id, members) in &divisions {
                for member in members {
                    member_of.entry(*member).or_default().push(*division_id);
                }
            }
            let place = standing(&workout, &results, entrant, &own_divisions, |who| {
                member_of.get(&who).map_or(&[][..], Vec::as_slice)
            });
            Ok(place.map(|(rank, division_ranks)| Standing {
                rank,
                division_ranks,
                display,
            }))
        })
    }
}
