//! Counts and single standings for read commands that print a few numbers
//! or one entrant: SQL aggregates and lookups by key, so their cost does not
//! grow with the size of the event (the CLI's `info`, `workout list`,
//! `division list`, `competitor show`).

use std::collections::HashMap;

use scoretable_core::model::{Entrant, Id, TeamScoring};
use scoretable_core::moves::{ranked_kinds, standing, RowsBelow};
use scoretable_core::score::effective_score;

use crate::competition_file::CompetitionFile;
use crate::error::Result;
use crate::results::{load_rank_entries, load_rank_entry, moved_rows, Membership};
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
            // and the better rows below them counted; every result when
            // that is not an index range.
            let membership = Membership::of(connection, entrant)?;
            let band = match ranked_kinds(&workout) {
                Some(_) => moved_rows(
                    connection,
                    &workout,
                    entrant,
                    Some(&own),
                    Some(own.clone()),
                    &membership,
                    usize::MAX,
                )?,
                None => None,
            };
            let (rows, below) = match band {
                Some((rows, below, _)) => (rows, below),
                None => (
                    load_rank_entries(connection, workout_id)?,
                    RowsBelow::default(),
                ),
            };
            let place = standing(&workout, &rows, entrant, membership.own(), |who| {
                membership.divisions_of(who)
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
