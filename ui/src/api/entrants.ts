// The backend calls for team entrants and for editing divisions and
// division membership. `Backend` extends this interface; the Tauri
// implementation is `src/tauri/entrants.ts` and the in-browser one
// `src/api/mockEntrants.ts`. Team results are aggregated by the Rust core;
// the UI only edits who is in which team and division.

import type { TeamDraft, TeamView } from "./bindingsEntrants";
import type { CompetitorView, DivisionView } from "./bindings";

export type * from "./bindingsEntrants";

export interface EntrantsBackend {
  listTeams(): Promise<TeamView[]>;
  /** Adds a team; member bibs are resolved by the backend (an unknown bib is an `unknown_bib` error). */
  addTeam(team: TeamDraft): Promise<TeamView>;
  /** Replaces a team's name, bib, divisions and members. */
  updateTeam(teamId: number, team: TeamDraft): Promise<TeamView>;
  /** Removes a team that has no score history. */
  removeTeam(teamId: number): Promise<void>;

  /** Puts a competitor in exactly these divisions (a competitor may be in several). */
  setCompetitorDivisions(competitorId: number, divisionIds: number[]): Promise<CompetitorView>;
  /** Changes a division's name and rule; a gender or age-group division's members follow its new rule. */
  updateDivision(division: DivisionView): Promise<DivisionView>;
  /** Removes a division that no competitor or team is in. */
  removeDivision(divisionId: number): Promise<void>;
}
