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
    /// Everyone whose place would change (overall first, then by division).
    pub impact: Vec<PlacementChangeView>,
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
    /// The place in the workout (everyone); null for statuses and no result.
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
    pub lanes: Vec<HeatLaneView>,
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
        ];
        bindings_text(
            "dto_officials.rs",
            "officials_bindings",
            "import type { PlacementChangeView } from \"./bindings\";\n\n",
            &declarations,
        )
    }

    #[test]
    fn officials_bindings_are_current() {
        check_bindings_file(BINDINGS_PATH, "officials_bindings", &generate());
    }
}
