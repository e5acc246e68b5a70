// The Tauri implementation of the Backend interface. This is the only module
// that imports `@tauri-apps/*`: every call is one `invoke` of a command in
// `src-tauri/commands/`, and failures arrive as serialized CommandError
// values that are turned into BackendError.

import { invoke, Channel } from "@tauri-apps/api/core";
import { listen } from "@tauri-apps/api/event";
import { type Backend, toBackendError } from "../api/backend";
import type { ImportProgress } from "../api/bindings";
import { createTauriEntrants } from "./entrants";
import { createTauriIntegrations } from "./integrations";
import { createTauriScreens } from "./screens";

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (error) {
    throw toBackendError(error);
  }
}

function progressChannel(onProgress: (progress: ImportProgress) => void): Channel<ImportProgress> {
  const channel = new Channel<ImportProgress>();
  channel.onmessage = onProgress;
  return channel;
}

/** The label of the Tauri window this page runs in (`main`, `venue`), or null outside Tauri. */
export function windowLabel(): string | null {
  const internals = (window as unknown as { __TAURI_INTERNALS__?: { metadata?: { currentWindow?: { label?: string } } } }).__TAURI_INTERNALS__;
  return internals?.metadata?.currentWindow?.label ?? null;
}

/** True when the page runs inside the Tauri webview. */
export function insideTauri(): boolean {
  return typeof window !== "undefined" && "__TAURI_INTERNALS__" in window;
}

export function createTauriBackend(): Backend {
  return {
    ...createTauriEntrants(),
    ...createTauriIntegrations(),
    ...createTauriScreens(),
    competitionStatus: () => call("competition_status"),
    openCompetition: (path) => call("open_competition", { path }),
    createCompetition: (details) => call("create_competition", { details }),
    openCompetitionDialog: () => call("open_competition_dialog"),
    createCompetitionDialog: (details) => call("create_competition_dialog", { details }),
    closeCompetition: () => call("close_competition"),
    takeStartupError: () => call("take_startup_error"),
    listDivisions: () => call("list_divisions"),
    addDivision: (division) => call("add_division", { division }),
    listWorkouts: () => call("list_workouts"),
    addWorkout: (workout) => call("add_workout", { workout }),
    setWorkoutState: (workoutId, state) => call("set_workout_state", { workoutId, state }),
    overallSettings: () => call("overall_settings"),
    setTeamWorkoutsRule: (rule) => call("set_team_workouts_rule", { rule }),
    listCompetitors: () => call("list_competitors"),
    importCompetitorsCsv: (path, onProgress) =>
      call("import_competitors_csv", { path, progress: progressChannel(onProgress) }),
    importCompetitorsDialog: (onProgress) =>
      call("import_competitors_dialog", { progress: progressChannel(onProgress) }),
    findCompetitor: (workoutId, bib) => call("find_competitor", { workoutId, bib }),
    enterScore: (request) => call("enter_score", { request }),
    undoLastEntry: (workoutId) => call("undo_last_entry", { workoutId }),
    recentEntries: (workoutId, limit) => call("recent_entries", { workoutId, limit }),
    leaderboardPage: (workoutId, divisionId, offset, limit) => call("leaderboard_page", { workoutId, divisionId, offset, limit }),
    overallLeaderboardPage: (divisionId, offset, limit, teams) => call("overall_leaderboard_page", { divisionId, offset, limit, teams: teams ?? false }),
    findOnLeaderboard: (workoutId, divisionId, bib, teams) => call("find_on_leaderboard", { workoutId, divisionId, bib, teams: teams ?? false }),
    findScores: (workoutId, query) => call("find_scores", { workoutId, query }),
    amendScore: (request) => call("amend_score", { request }),
    scoreHistory: (workoutId, bib) => call("score_history", { workoutId, bib }),
    onScoresChanged(listener) {
      let stop: (() => void) | null = null;
      let cancelled = false;
      void listen("scores-changed", () => listener()).then((unlisten) => {
        if (cancelled) unlisten();
        else stop = unlisten;
      });
      return () => {
        cancelled = true;
        stop?.();
      };
    },
  };
}

/**
 * The venue display window's backend: its reads go to the `venue_*`
 * commands, which use the display's own read-only handle of the file, so
 * the display never waits while the main window's session is busy. Its
 * capability allows nothing else (every other call is refused).
 */
export function createTauriVenueBackend(): Backend {
  return {
    ...createTauriBackend(),
    competitionStatus: () => call("venue_competition_status"),
    listDivisions: () => call("venue_divisions"),
    listWorkouts: () => call("venue_workouts"),
    leaderboardPage: (workoutId, divisionId, offset, limit) => call("venue_leaderboard_page", { workoutId, divisionId, offset, limit }),
    overallLeaderboardPage: (divisionId, offset, limit) => call("venue_overall_page", { divisionId, offset, limit }),
  };
}
