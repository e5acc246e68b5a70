// Generated from src-tauri/dto_officials.rs by ts-rs; do not edit by hand.
// Regenerate with: UPDATE_BINDINGS=1 cargo test --bin scoretable-app officials_bindings

import type { PlacementChangeView, StatusCodeView } from "./bindings";

export type AmendPreviewRequest = { workout_id: number, bib: string, value: string, };

export type AmendPreviewView = { bib: string, name: string, 
/**
 * The result now; null when there is none yet.
 */
old_display: string | null, 
/**
 * The result after the amendment, as the leaderboard would show it.
 */
new_display: string, 
/**
 * Who would move (overall first, then by division): the first
 * `scoretable_usecase::boards::MOVED_LISTED` changes.
 */
impact: Array<PlacementChangeView>, 
/**
 * Every place that would change (overall and division places); more
 * than `impact` holds when the list was cut.
 */
impact_changes: number, 
/**
 * The distinct entrants whose place would change.
 */
impact_entrants: number, };

export type ExplainRequest = { 
/**
 * The workout's board; null for the overall table.
 */
workout_id: number | null, division_id: number | null, above_bib: string, below_bib: string, };

export type HeatLaneView = { lane: number, bib: string, name: string, 
/**
 * The result as the leaderboard shows it; null before one is entered.
 */
display: string | null, 
/**
 * The place in the workout, or in the sheet's division when one is
 * chosen; null for statuses, no result, or an athlete outside it.
 */
rank: number | null, tied: boolean, };

export type HeatSheetView = { workout_id: number, heat_id: number, heat_name: string, 
/**
 * The division the places are in; null for everyone.
 */
division_id: number | null, lanes: Array<HeatLaneView>, };

export type VenueConfig = { 
/**
 * The workout's board; null for the overall table.
 */
workout_id: number | null, 
/**
 * One division only; null to page through every division.
 */
division_id: number | null, 
/**
 * How long each division stays on screen.
 */
page_seconds: number, };

export type DivisionPlaceView = { division: string, rank: number, };

export type SplitView = { point: string, time: string, leg: string, 
/**
 * 1-based position at this point among everyone who reached it.
 */
position: number, 
/**
 * Behind the leader at this point; null for the leader.
 */
behind: string | null, };

export type RowDetailView = { bib: string, name: string, display: string, status: StatusCodeView | null, 
/**
 * The place in the workout (everyone); null for statuses.
 */
rank: number | null, division_places: Array<DivisionPlaceView>, 
/**
 * The time penalty added before ranking (`+0:10.0`); null for none.
 */
penalty: string | null, tie_break: string | null, splits: Array<SplitView>, amended: boolean, };
