// Generated from src-tauri/dto_leaderboard.rs by ts-rs; do not edit by hand.
// Regenerate with: UPDATE_BINDINGS=1 cargo test --bin scoretable-app leaderboard_bindings

import type { LeaderboardRowView, OverallRowView, PublicationStateView, WorkoutHeader } from "./bindings";

export type LeaderboardPage = { workout_id: number, workout_name: string, state: PublicationStateView, division_id: number | null, 
/**
 * Changes whenever the stored results may have changed; pages with
 * the same stamp belong to the same ranking. Later stamps are larger.
 */
stamp: number, 
/**
 * Rows in the whole board.
 */
total: number, 
/**
 * Index of the first row in `rows`.
 */
offset: number, rows: Array<LeaderboardRowView>, 
/**
 * Whether any result on the whole board (not only this page) has a
 * time penalty: the screen shows the penalty column on every page.
 */
penalties: boolean, };

export type OverallPage = { division_id: number | null, workouts: Array<WorkoutHeader>, 
/**
 * As in [`LeaderboardPage::stamp`].
 */
stamp: number, total: number, offset: number, rows: Array<OverallRowView>, };

export type BoardPosition = { 
/**
 * The row's index in the board (0 is the top row).
 */
index: number, stamp: number, };
