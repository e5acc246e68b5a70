// The one interface every screen talks to. Two implementations exist: the
// Tauri one in `src/tauri/` (the only module that imports `@tauri-apps/*`)
// and the in-browser mock in `src/api/mock.ts` used by tests and by
// `npm run dev` in a plain browser. Ranking is never done here: leaderboards
// come from the backend fully ranked.

import type {
  AmendOutcome,
  AmendRequest,
  AthletePreview,
  CompetitionSummary,
  CompetitorView,
  DivisionView,
  EnterScoreRequest,
  EntryView,
  ErrorKind,
  HistoryEntryView,
  ImportProgress,
  ImportSummary,
  NewCompetition,
  NewDivision,
  NewWorkout,
  OverallSettingsView,
  PublicationStateView,
  ScoreSummary,
  TeamWorkoutsRuleView,
  WorkoutView,
} from "./bindings";
import type { EntrantsBackend } from "./entrants";
import type { IntegrationsBackend } from "./integrations";
import type { LeaderboardBackend } from "./leaderboard";
import type { ScreensBackend } from "./screens";

export type * from "./bindings";
export type * from "./entrants";
export type * from "./integrations";
export type * from "./leaderboard";
export type * from "./screens";

/** A failed backend call, with a sentence for the scorekeeper. */
export class BackendError extends Error {
  readonly kind: ErrorKind;

  constructor(kind: ErrorKind, message: string) {
    super(message);
    this.kind = kind;
    this.name = "BackendError";
  }
}

/** Turns anything a backend call rejected with into a BackendError. */
export function toBackendError(error: unknown): BackendError {
  if (error instanceof BackendError) return error;
  if (typeof error === "object" && error !== null && "kind" in error && "message" in error) {
    const { kind, message } = error as { kind: ErrorKind; message: unknown };
    return new BackendError(kind, String(message));
  }
  return new BackendError("storage", error instanceof Error ? error.message : String(error));
}

export interface Backend extends EntrantsBackend, IntegrationsBackend, LeaderboardBackend, ScreensBackend {
  /** The competition that is open, or null on the start screen. */
  competitionStatus(): Promise<CompetitionSummary | null>;
  openCompetition(path: string): Promise<CompetitionSummary>;
  createCompetition(details: NewCompetition): Promise<CompetitionSummary>;
  /** Asks for a file with the native dialog; null when cancelled. */
  openCompetitionDialog(): Promise<CompetitionSummary | null>;
  /** Asks where to save with the native dialog, then creates; null when cancelled. */
  createCompetitionDialog(details: NewCompetition): Promise<CompetitionSummary | null>;
  closeCompetition(): Promise<void>;
  /** Why the file given at startup could not be opened (reported once), or null. */
  takeStartupError(): Promise<string | null>;

  listDivisions(): Promise<DivisionView[]>;
  addDivision(division: NewDivision): Promise<DivisionView>;
  listWorkouts(): Promise<WorkoutView[]>;
  addWorkout(workout: NewWorkout): Promise<WorkoutView>;
  setWorkoutState(workoutId: number, state: PublicationStateView): Promise<WorkoutView>;
  /** How team workouts count in individuals' overall totals (stored in the file). */
  overallSettings(): Promise<OverallSettingsView>;
  setTeamWorkoutsRule(rule: TeamWorkoutsRuleView): Promise<OverallSettingsView>;

  listCompetitors(): Promise<CompetitorView[]>;
  importCompetitorsCsv(path: string, onProgress: (progress: ImportProgress) => void): Promise<ImportSummary>;
  /** Asks for a CSV with the native dialog; null when cancelled. */
  importCompetitorsDialog(onProgress: (progress: ImportProgress) => void): Promise<ImportSummary | null>;

  /** The athlete behind a bib, with their current score in the workout; null if unknown. */
  findCompetitor(workoutId: number, bib: string): Promise<AthletePreview | null>;
  enterScore(request: EnterScoreRequest): Promise<EntryView>;
  /** Removes the last entry typed at this table for the workout; null when there is none. */
  undoLastEntry(workoutId: number): Promise<EntryView | null>;
  recentEntries(workoutId: number, limit: number): Promise<EntryView[]>;

  findScores(workoutId: number, query: string): Promise<ScoreSummary[]>;
  amendScore(request: AmendRequest): Promise<AmendOutcome>;
  scoreHistory(workoutId: number, bib: string): Promise<HistoryEntryView[]>;

  /** Calls `listener` whenever stored scores change; returns an unsubscribe function. */
  onScoresChanged(listener: () => void): () => void;
}
