//! Shared conversions from store and engine values to view rows: names and
//! bibs looked up by entrant, values formatted by the core, and ties marked
//! where neighbouring rows share a rank. Nothing here ranks or compares.

use std::collections::HashMap;

use scoretable_core::model::{Entrant, EntrantInfo, Id, RankedRow, TieBreak, Workout};
use scoretable_core::score::format_workout_time;
use scoretable_store::ScoreValue;

use scoretable_usecase::boards::tied_flags;

use crate::dto::{DivisionPlace, LeaderboardRowView};

/// Bib and name of every entrant, by entrant.
pub struct EntrantNames {
    by_entrant: HashMap<Entrant, EntrantInfo>,
}

impl EntrantNames {
    pub fn new(infos: Vec<EntrantInfo>) -> EntrantNames {
        EntrantNames {
            by_entrant: infos.into_iter().map(|info| (info.entrant, info)).collect(),
        }
    }

    pub fn bib(&self, entrant: Entrant) -> String {
        self.by_entrant
            .get(&entrant)
            .map(|info| info.bib.clone())
            .unwrap_or_default()
    }

    pub fn name(&self, entrant: Entrant) -> String {
        self.by_entrant
            .get(&entrant)
            .map(|info| info.name.clone())
            .unwrap_or_else(|| "(removed entrant)".to_string())
    }
}

/// A stored value as the leaderboard shows it: the status code, or the
/// score in its clean form.
/// A stored value as the workout's board shows it (penalty added, ranking
/// precision), from the engine.
pub fn value_display(workout: &Workout, value: &ScoreValue) -> String {
    scoretable_core::score::board_display(workout, value.score, value.status, value.penalty_ms)
}

/// The rank shown for a row: the division place when a division is chosen.
pub fn shown_rank(row: &RankedRow, division_id: Option<Id>) -> Option<u32> {
    match division_id {
        None => row.rank,
        Some(division_id) => row
            .division_ranks
            .iter()
            .find(|(id, _)| *id == division_id)
            .map(|(_, rank)| *rank),
    }
}

/// Converts ranked engine rows into view rows.
pub fn leaderboard_rows(
    workout: &Workout,
    rows: &[RankedRow],
    names: &EntrantNames,
    division_id: Option<Id>,
) -> Vec<LeaderboardRowView> {
    let ranks: Vec<Option<u32>> = rows
        .iter()
        .map(|row| shown_rank(row, division_id))
        .collect();
    let tied = tied_flags(&ranks);
    rows.iter()
        .zip(ranks)
        .zip(tied)
        .map(|((row, rank), tied)| LeaderboardRowView {
            rank,
            tied,
            bib: names.bib(row.entrant),
            name: names.name(row.entrant),
            display: row.display.clone(),
            status: row.status.map(crate::dto::StatusCodeView::from),
            difference: row
                .difference_ms
                .filter(|difference| *difference > 0)
                .map(|difference| {
                    format!("+{}", format_workout_time(workout.rounding, difference))
                }),
            tie_break: match workout.tie_break {
                TieBreak::None => None,
                _ => row
                    .tie_break_ms
                    .map(|tie_break| format_workout_time(workout.rounding, tie_break)),
            },
            penalty: (row.penalty_ms != 0)
                .then(|| format!("+{}", format_workout_time(workout.rounding, row.penalty_ms))),
            amended: row.amended,
            partial: row.partial,
            division_places: row
                .division_ranks
                .iter()
                .map(|&(division_id, rank)| DivisionPlace { division_id, rank })
                .collect(),
        })
        .collect()
}
