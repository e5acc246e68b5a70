//! The officials' views: what an amendment would change before it is saved,
//! why one row of a leaderboard is above another, and a heat's sheet for
//! entering its scores in bulk. The store and the
//! engine decide both; these types only carry the answer. The test
//! `officials_bindings_are_current` writes them to
//! `ui/src/api/bindingsOfficials.ts` and fails when that file is stale.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::dto::PlacementChangeView;

/// An amendment to preview: nothing is stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct AmendPreviewRequest {
    #[ts(type = "number")]
    pub workout_id: i64,
    pub bib: String,
    pub value: String,
}

/// What the amendment would do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct AmendPreviewView {
    pub bib: String,
    pub name: String,
    /// The result now; null when there is none yet.
    pub old_display: Option<String>,
    /// The result after the amendment, as the leaderboard would show it.
    pub new_display: String,
    /// Who would move (overall first, then by division): the first
    /// `scoretable_usecase::boards::MOVED_LISTED` changes.
    pub impact: Vec<PlacementChangeView>,
    /// Every place that would change (overall and division places); more
    /// than `impact` holds when the list was cut.
    #[ts(type = "number")]
    pub impact_changes: u64,
    /// The distinct entrants whose place would change.
    #[ts(type = "number")]
    pub impact_entrants: u64,
}

/// Two rows of a board to explain, `above` before `below`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ExplainRequest {
    /// The workout's board; null for the overall table.
    #[ts(type = "number | null")]
    pub workout_id: Option<i64>,
    #[ts(type = "number | null")]
    pub division_id: Option<i64>,
    pub above_bib: String,
    pub below_bib: String,
}

/// One lane of a heat sheet, with the lane's result and place when it has one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct HeatLaneView {
    pub lane: u32,
    pub bib: String,
    pub name: String,
    /// The result as the leaderboard shows it; null before one is entered.
    pub display: Option<String>,
    /// The place in the workout, or in the sheet's division when one is
    /// chosen; null for statuses, no result, or an athlete outside it.
    pub rank: Option<u32>,
    pub tied: bool,
}

/// A heat's athletes (or teams) in lane order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct HeatSheetView {
    #[ts(type = "number")]
    pub workout_id: i64,
    #[ts(type = "number")]
    pub heat_id: i64,
    pub heat_name: String,
    /// The division the places are in; null for everyone.
    #[ts(type = "number | null")]
    pub division_id: Option<i64>,
    pub lanes: Vec<HeatLaneView>,
}

/// A place in one of the entrant's divisions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct DivisionPlaceView {
    pub division: String,
    pub rank: u32,
}

/// One timing point of a row: the time there, the leg, and the position at that point.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SplitView {
    pub point: String,
    pub time: String,
    pub leg: String,
    /// 1-based position at this point among everyone who reached it.
    pub position: u32,
    /// Behind the leader at this point; null for the leader.
    pub behind: Option<String>,
}

/// Everything an official needs about one row of a workout's board.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct RowDetailView {
    pub bib: String,
    pub name: String,
    pub display: String,
    pub status: Option<crate::dto::StatusCodeView>,
    /// The place in the workout (everyone); null for statuses.
    pub rank: Option<u32>,
    pub division_places: Vec<DivisionPlaceView>,
    /// The time penalty added before ranking (`+0:10.0`); null for none.
    pub penalty: Option<String>,
    pub tie_break: Option<String>,
    pub splits: Vec<SplitView>,
    pub amended: bool,
}

/// What the venue display shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct VenueConfig {
    /// The workout's board; null for the overall table.
    #[ts(type = "number | null")]
    pub workout_id: Option<i64>,
    /// One division only; null to page through every division.
    #[ts(type = "number | null")]
    pub division_id: Option<i64>,
    /// How long each division stays on screen.
    pub page_seconds: u32,
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::bindings::support::{bindings_text, check_bindings_file, declaration};

    const BINDINGS_PATH: &str = "ui/src/api/bindingsOfficials.ts";

    fn generate() -> String {
        let declarations = [
            declaration::<AmendPreviewRequest>(),
            declaration::<AmendPreviewView>(),
            declaration::<ExplainRequest>(),
            declaration::<HeatLaneView>(),
            declaration::<HeatSheetView>(),
            declaration::<VenueConfig>(),
            declaration::<DivisionPlaceView>(),
            declaration::<SplitView>(),
            declaration::<RowDetailView>(),
        ];
        bindings_text(
            "dto_officials.rs",
            "officials_bindings",
            "import type { PlacementChangeView, StatusCodeView } from \"./bindings\";\n\n",
            &declarations,
        )
    }

    #[test]
    fn officials_bindings_are_current() {
        check_bindings_file(BINDINGS_PATH, "officials_bindings", &generate());
    }
}
