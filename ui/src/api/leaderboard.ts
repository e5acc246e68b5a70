// The paged leaderboard calls. `Backend` extends this interface. The backend
// ranks and keeps each board; the screen asks for the window of rows it
// shows, so a 60,000-row board never crosses the bridge whole. Every page
// carries the board's `stamp`: pages with the same stamp belong to the same
// ranking, and a newer ranking has a larger stamp.

import type { BoardPosition, LeaderboardPage, OverallPage } from "./bindingsLeaderboard";

export type * from "./bindingsLeaderboard";

export interface LeaderboardBackend {
  /** Rows `offset..offset + limit` of a workout's ranked board (everyone, or one division). */
  leaderboardPage(workoutId: number, divisionId: number | null, offset: number, limit: number): Promise<LeaderboardPage>;
  /**
   * Rows `offset..offset + limit` of the ranked overall table; with `teams`, of the team overall of a
   * competition with team and individual workouts (ranked by the backend on the team workouts).
   */
  overallLeaderboardPage(divisionId: number | null, offset: number, limit: number, teams?: boolean): Promise<OverallPage>;
  /** Where a bib is on a workout's board (or the overall table when `workoutId` is null; the team overall with `teams`); null when it is not there. */
  findOnLeaderboard(workoutId: number | null, divisionId: number | null, bib: string, teams?: boolean): Promise<BoardPosition | null>;
}
