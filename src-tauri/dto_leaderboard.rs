//! The paged leaderboard's view types: one window of a ranked board plus what
//! the screen's header needs, so a 60,000-row board never crosses the IPC
//! bridge whole.
//!
//! The rows are the same [`LeaderboardRowView`] and [`OverallRowView`] the
//! whole-board views in [`crate::dto`] hold; the test `leaderboard_bindings_are_current`
//! writes these types to `ui/src/api/bindingsLeaderboard.ts` and fails when
//! that file is stale.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::dto::{LeaderboardRowView, OverallRowView, PublicationStateView, WorkoutHeader};

/// Rows `offset..offset + rows.len()` of one workout's ranked board.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct LeaderboardPage {
    #[ts(type = "number")]
    pub workout_id: i64,
    pub workout_name: String,
    pub state: PublicationStateView,
    #[ts(type = "number | null")]
    pub division_id: Option<i64>,
    /// Changes whenever the stored results may have changed; pages with
    /// the same stamp belong to the same ranking. Later stamps are larger.
    #[ts(type = "number")]
    pub stamp: u64,
    /// Rows in the whole board.
    pub total: u32,
    /// Index of the first row in `rows`.
    pub offset: u32,
    pub rows: Vec<LeaderboardRowView>,
    /// Whether any result on the whole board (not only this page) has a
    /// time penalty: the screen shows the penalty column on every page.
    #[serde(default)]
    pub penalties: bool,
}

/// Rows `offset..offset + rows.len()` of the ranked overall table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct OverallPage {
    #[ts(type = "number | null")]
    pub division_id: Option<i64>,
    pub workouts: Vec<WorkoutHeader>,
    /// As in [`LeaderboardPage::stamp`].
    #[ts(type = "number")]
    pub stamp: u64,
    pub total: u32,
    pub offset: u32,
    pub rows: Vec<OverallRowView>,
}

/// Where a bib is in a board.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct BoardPosition {
    /// The row's index in the board (0 is the top row).
    pub index: u32,
    #[ts(type = "number")]
    pub stamp: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::bindings::support::{bindings_text, check_bindings_file, declaration};

    /// The committed bindings, relative to the root package.
    const BINDINGS_PATH: &str = "ui/src/api/bindingsLeaderboard.ts";

    fn generate() -> String {
        let declarations = [
            declaration::<LeaderboardPage>(),
            declaration::<OverallPage>(),
            declaration::<BoardPosition>(),
        ];
        bindings_text("dto_leaderboard.rs", "leaderboard_bindings", "import type { LeaderboardRowView, OverallRowView, PublicationStateView, WorkoutHeader } from \"./bindings\";\n\n", &declarations)
    }

    #[test]
    fn leaderboard_bindings_are_current() {
        check_bindings_file(BINDINGS_PATH, "leaderboard_bindings", &generate());
    }
}
