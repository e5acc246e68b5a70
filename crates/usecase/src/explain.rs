//! "Why is A above B?": the store's explanation (`explain_workout_order`,
//! `explain_overall_order`, the engine's sentence) with both entrants'
//! bibs, names and places, for the CLI's `explain` and the app's Officials
//! screen alike.

use scoretable_core::model::{Entrant, Id};
use scoretable_store::{CompetitionFile, LeaderboardSettings, StoreError};

use crate::error::UseCaseResult;

/// Which leaderboard the two entrants are compared on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Board {
    Workout(Id),
    /// The overall table with the stored settings, of one division or all.
    Overall {
        division_id: Option<Id>,
    },
}

/// One of the two entrants as the board shows them.
#[derive(Debug, Clone, PartialEq)]
pub struct Side {
    pub entrant: Entrant,
    pub bib: String,
    pub name: String,
    pub rank: Option<u32>,
    /// The workout value as shown (workout boards).
    pub display: Option<String>,
    /// The overall total (overall table).
    pub total: Option<i64>,
}

/// The sentence and the two entrants.
#[derive(Debug, Clone, PartialEq)]
pub struct Explanation {
    pub sentence: String,
    pub a: Side,
    pub b: Side,
    /// The settings the overall table was ranked with (overall only).
    pub overall_settings: Option<LeaderboardSettings>,
}

/// An entrant on the overall table by bib, by the store's rule (competitor
/// bibs first, then team bibs), so team events can be explained too.
fn overall_entrant(file: &CompetitionFile, bib: &str) -> UseCaseResult<Entrant> {
    let bib = bib.trim();
    if let Some(competitor) = file.competitor_by_bib(bib)? {
        return Ok(Entrant::Competitor(competitor.id));
    }
    if let Some(team) = file.team_by_bib(bib)? {
        return Ok(Entrant::Team(team.id));
    }
    Err(StoreError::NotFound {
        what: "entrant with bib",
        key: bib.to_string(),
    }
    .into())
}

fn side(file: &CompetitionFile, entrant: Entrant) -> UseCaseResult<Side> {
    let info = file.entrant_info(entrant)?;
    Ok(Side {
        entrant,
        bib: info
            .as_ref()
            .map(|info| info.bib.clone())
            .unwrap_or_default(),
        name: info
            .map(|info| info.name)
            .unwrap_or_else(|| format!("{entrant:?}")),
        rank: None,
        display: None,
        total: None,
    })
}

/// Why `bib_a` and `bib_b` are in their order on `board`, in one sentence
/// from the engine, with both entrants' places. An entrant without a result
/// (or not on the overall table) is NotFound.
pub fn explain(
    file: &CompetitionFile,
    board: Board,
    bib_a: &str,
    bib_b: &str,
) -> UseCaseResult<Explanation> {
    match board {
        Board::Workout(workout_id) => {
            let a = file.entrant_by_bib(workout_id, bib_a)?;
            let b = file.entrant_by_bib(workout_id, bib_b)?;
            let sentence = file.explain_workout_order(workout_id, a, b)?;
            let rows = file.workout_leaderboard(workout_id, None)?;
            let mut sides = [side(file, a)?, side(file, b)?];
            for side in &mut sides {
                if let Some(row) = rows.iter().find(|row| row.entrant == side.entrant) {
                    side.rank = row.rank;
                    side.display = Some(row.display.clone());
                }
            }
            let [a, b] = sides;
            Ok(Explanation {
                sentence,
                a,
                b,
                overall_settings: None,
            })
        }
        Board::Overall { division_id } => {
            let a = overall_entrant(file, bib_a)?;
            let b = overall_entrant(file, bib_b)?;
            let sentence = file.explain_overall_order(division_id, a, b)?;
            // Two teams are on the team table (as the store explains them).
            let rows = match (a, b) {
                (Entrant::Team(_), Entrant::Team(_)) => {
                    file.team_overall_leaderboard(division_id, None, None)?
                }
                _ => file.overall_leaderboard(division_id, None, None)?,
            };
            let mut sides = [side(file, a)?, side(file, b)?];
            for side in &mut sides {
                if let Some(row) = rows.iter().find(|row| row.entrant == side.entrant) {
                    side.rank = Some(row.rank);
                    side.total = Some(row.total);
                }
            }
            let [a, b] = sides;
            Ok(Explanation {
                sentence,
                a,
                b,
                overall_settings: Some(file.leaderboard_settings()?),
            })
        }
    }
}
