// Generated from src-tauri/dto_officials.rs by ts-rs; do not edit by hand.
// Regenerate with: UPDATE_BINDINGS=1 cargo test --bin scoretable-app officials_bindings

import type { PlacementChangeView } from "./bindings";

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
 * Everyone whose place would change (overall first, then by division).
 */
impact: Array<PlacementChangeView>, };

export type ExplainRequest = { 
/**
 * The workout's board; null for the overall table.
 */
workout_id: number | null, division_id: number | null, above_bib: string, below_bib: string, };
