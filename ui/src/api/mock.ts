// An in-browser Backend for tests and for running the UI in a plain browser.
//
// It keeps what it is given in memory and checks only what a lookup can
// check (does this bib exist, is this workout known). It never ranks or
// parses a score: leaderboards, overall tables and amendment impacts are
// the fixtures the test provides, and a test decides which typed values are
// invalid through `rejectValue`.

import { type Backend, BackendError } from "./backend";
import { createMockEntrants } from "./mockEntrants";
import { createMockIntegrations, type IntegrationsCalls, type IntegrationsFixture } from "./mockIntegrations";
import { createMockScreens, type ScreensControls, type ScreensFixture } from "./mockScreens";
import type { TeamView } from "./bindingsEntrants";
import type {
  AmendOutcome,
  CompetitionSummary,
  CompetitorView,
  DivisionView,
  EntryView,
  HistoryEntryView,
  LeaderboardView,
  OverallSettingsView,
  OverallView,
  PlacementChangeView,
  WorkoutView,
} from "./bindings";

export interface MockFixture {
  competition?: CompetitionSummary | null;
  divisions?: DivisionView[];
  workouts?: WorkoutView[];
  competitors?: CompetitorView[];
  /** Ranked leaderboards by workout id, as the real backend would return them. */
  leaderboards?: Record<number, LeaderboardView>;
  overall?: OverallView;
  /** The team overall (a competition with team and individual workouts), as the backend ranks it. */
  teamOverall?: OverallView;
  /** The placement impact an amendment reports, by `workoutId:bib`. */
  amendmentImpacts?: Record<string, PlacementChangeView[]>;
  /** Returns an error sentence for a typed value the test wants rejected. */
  rejectValue?: (value: string) => string | null;
  /** Returns an error sentence for a typed tie-break the test wants rejected. */
  rejectTieBreak?: (tieBreak: string) => string | null;
  teams?: TeamView[];
  /** Reported once by takeStartupError, as if SCORETABLE_OPEN had failed. */
  startupError?: string;
  /** Rows of the CSV files `importCompetitorsCsv` can "read", by path. */
  csvFiles?: Record<string, CompetitorView[]>;
  /** The integration screens' fixtures (see mockIntegrations.ts). */
  integrations?: IntegrationsFixture;
  /** The status strip, amendment previews and explanations (see mockScreens.ts). */
  screens?: ScreensFixture;
  /** The stored overall settings; the mock only stores the rule, it never re-ranks. */
  overallSettings?: OverallSettingsView;
}

/** The mock's recorded calls, for assertions. */
export interface MockBackend extends Backend, IntegrationsCalls, ScreensControls {
  readonly entries: EntryView[];
  readonly calls: string[];
  /** Replaces a fixture leaderboard, as if the backend had re-ranked. */
  setLeaderboard(leaderboard: LeaderboardView): void;
}

const emptyCompetition = (path: string): CompetitionSummary => ({
  path,
  name: "",
  slug: "",
  start_date: "",
  end_date: "",
  venue: "",
  country: "",
  organiser: "",
  time_zone: "",
});

export function createMockBackend(fixture: MockFixture = {}): MockBackend {
  let competition = fixture.competition ?? null;
  const divisions = [...(fixture.divisions ?? [])];
  const workouts = [...(fixture.workouts ?? [])];
  const competitors = [...(fixture.competitors ?? [])];
  const teams = [...(fixture.teams ?? [])];
  const leaderboards = { ...(fixture.leaderboards ?? {}) };
  const entries: EntryView[] = [];
  const history: Record<string, HistoryEntryView[]> = {};
  const calls: string[] = [];
  const listeners = new Set<() => void>();
  let nextId = 1000;
  let overallSettings: OverallSettingsView = fixture.overallSettings ?? {
    team_workouts: "excluded",
    team_workouts_note: "Team workouts are not counted in individuals' overall totals.",
    team_workout_names: [],
  };
  /** Like the real backend's board stamp: moves on with every change. */
  let stamp = 1;

  const notify = () => {
    stamp++;
    listeners.forEach((listener) => listener());
  };
  /** The fixture board of a workout (empty when the test gave none). */
  const boardOf = (workoutId: number): LeaderboardView => {
    const workout = requireWorkout(workoutId);
    return leaderboards[workoutId] ?? { workout_id: workoutId, workout_name: workout.name, state: workout.state, division_id: null, rows: [] };
  };
  const overallBoard = (divisionId: number | null, teams = false): OverallView =>
    (teams ? fixture.teamOverall : fixture.overall) ?? { division_id: divisionId, workouts: [], rows: [] };
  const requireCompetition = () => {
    if (!competition) throw new BackendError("no_competition", "No competition file is open.");
  };
  const requireWorkout = (workoutId: number): WorkoutView => {
    const workout = workouts.find((candidate) => candidate.id === workoutId);
    if (!workout) throw new BackendError("not_found", `There is no workout with id ${workoutId}.`);
    return workout;
  };
  const requireBib = (bib: string): CompetitorView => {
    const competitor = competitors.find((candidate) => candidate.bib === bib.trim());
    if (!competitor) throw new BackendError("unknown_bib", `No competitor has bib ${bib.trim()}.`);
    return competitor;
  };
  const fullName = (competitor: CompetitorView) => `${competitor.first_name} ${competitor.last_name}`;
  const record = async <T>(name: string, action: () => T): Promise<T> => {
    calls.push(name);
    return action();
  };

  return {
    ...createMockIntegrations(fixture.integrations),
    ...createMockScreens(fixture.screens),
    ...createMockEntrants({ competitors, divisions, teams, nextId: () => nextId++, notify: () => notify() }),
    entries,
    calls,
    setLeaderboard(leaderboard) {
      leaderboards[leaderboard.workout_id] = leaderboard;
      notify();
    },
    competitionStatus: () => record("competitionStatus", () => competition),
    openCompetition: (path) =>
      record("openCompetition", () => {
        competition = competition && competition.path === path ? competition : { ...emptyCompetition(path), name: path };
        return competition;
      }),
    createCompetition: (details) =>
      record("createCompetition", () => {
        if (!details.name.trim()) throw new BackendError("invalid_value", "The competition needs a name.");
        const { path, ...rest } = details;
        competition = { ...emptyCompetition(path), ...rest, slug: slugFromName(details.name) };
        return competition;
      }),
    takeStartupError: () =>
      record("takeStartupError", () => {
        const error = fixture.startupError ?? null;
        fixture.startupError = undefined;
        return error;
      }),
    openCompetitionDialog: () => record("openCompetitionDialog", () => null),
    createCompetitionDialog: () => record("createCompetitionDialog", () => null),
    closeCompetition: () =>
      record("closeCompetition", () => {
        competition = null;
      }),
    listDivisions: () => record("listDivisions", () => (requireCompetition(), [...divisions])),
    addDivision: (division) =>
      record("addDivision", () => {
        requireCompetition();
        if (!division.name.trim()) throw new BackendError("invalid_value", "The division needs a name.");
        const created: DivisionView = { id: nextId++, ...division };
        divisions.push(created);
        return created;
      }),
    listWorkouts: () => record("listWorkouts", () => (requireCompetition(), [...workouts])),
    addWorkout: (workout) =>
      record("addWorkout", () => {
        requireCompetition();
        if (!workout.name.trim()) throw new BackendError("invalid_value", "The workout needs a name.");
        const id = nextId++;
        const created: WorkoutView = {
          id,
          name: workout.name,
          sequence: workouts.length + 1,
          score_type: workout.score_type,
          time_cap_ms: null,
          tie_break: workout.tie_break ?? "none",
          state: "provisional",
          timing_points: workout.timing_points.map((name, index) => ({ id: nextId++, order: index + 1, name })),
          heats: workout.heats.map((name) => ({ id: nextId++, name, start_time: null, lane_count: workout.lanes_per_heat })),
          team: false,
        };
        workouts.push(created);
        return created;
      }),
    setWorkoutState: (workoutId, state) =>
      record("setWorkoutState", () => {
        const workout = requireWorkout(workoutId);
        workout.state = state;
        const leaderboard = leaderboards[workoutId];
        if (leaderboard) leaderboard.state = state;
        notify();
        return { ...workout };
      }),
    overallSettings: () =>
      record("overallSettings", () => {
        requireCompetition();
        return { ...overallSettings };
      }),
    setTeamWorkoutsRule: (rule) =>
      record(`setTeamWorkoutsRule:${rule}`, () => {
        requireCompetition();
        overallSettings = {
          ...overallSettings,
          team_workouts: rule,
          team_workouts_note:
            rule === "team_place" ? "In team workouts each member is credited with the team's place." : "Team workouts are not counted in individuals' overall totals.",
        };
        notify();
        return { ...overallSettings };
      }),
    listCompetitors: () => record("listCompetitors", () => (requireCompetition(), [...competitors])),
    importCompetitorsCsv: (path, onProgress) =>
      record("importCompetitorsCsv", () => {
        requireCompetition();
        const rows = fixture.csvFiles?.[path];
        if (!rows) throw new BackendError("storage", `Could not read ${path}: no such file.`);
        rows.forEach((row, index) => {
          competitors.push(row);
          onProgress({ done: index + 1, total: rows.length });
        });
        return { path, imported: rows.length, added: rows.length, updated: 0 };
      }),
    importCompetitorsDialog: () => record("importCompetitorsDialog", () => null),
    findCompetitor: (workoutId, bib) =>
      record("findCompetitor", () => {
        requireWorkout(workoutId);
        const competitor = competitors.find((candidate) => candidate.bib === bib.trim());
        if (!competitor) return null;
        const last = [...entries].reverse().find((entry) => entry.workout_id === workoutId && entry.bib === competitor.bib);
        return {
          bib: competitor.bib,
          name: fullName(competitor),
          division_names: competitor.division_names,
          current_display: last?.display ?? null,
        };
      }),
    enterScore: (request) =>
      record("enterScore", () => {
        requireWorkout(request.workout_id);
        const competitor = requireBib(request.bib);
        const value = request.value.trim();
        if (!value) throw new BackendError("invalid_value", "Type a score before pressing Enter.");
        const rejection = fixture.rejectValue?.(value);
        if (rejection) throw new BackendError("invalid_value", rejection);
        const tieBreak = request.tie_break?.trim() ?? "";
        const tieBreakRejection = tieBreak ? fixture.rejectTieBreak?.(tieBreak) : null;
        if (tieBreakRejection) throw new BackendError("invalid_tie_break", tieBreakRejection);
        const entry: EntryView = {
          entry_id: nextId++,
          workout_id: request.workout_id,
          bib: competitor.bib,
          name: fullName(competitor),
          display: tieBreak ? `${value} (tie-break ${tieBreak})` : value,
          // The mock does not rank; the backend returns the real place.
          place: null,
        };
        entries.push(entry);
        notify();
        return entry;
      }),
    undoLastEntry: (workoutId) =>
      record("undoLastEntry", () => {
        for (let index = entries.length - 1; index >= 0; index--) {
          if (entries[index].workout_id === workoutId) {
            const [removed] = entries.splice(index, 1);
            notify();
            return removed;
          }
        }
        return null;
      }),
    recentEntries: (workoutId, limit) =>
      record("recentEntries", () =>
        entries.filter((entry) => entry.workout_id === workoutId).slice(-limit).reverse(),
      ),
    leaderboardPage: (workoutId, divisionId, offset, limit) =>
      record("leaderboardPage", () => {
        const board = boardOf(workoutId);
        return {
          workout_id: workoutId,
          workout_name: board.workout_name,
          state: board.state,
          division_id: divisionId,
          stamp,
          total: board.rows.length,
          offset,
          rows: board.rows.slice(offset, offset + limit),
          // As the backend says it: whether any row of the whole board has a penalty.
          penalties: board.rows.some((row) => Boolean(row.penalty)),
        };
      }),
    overallLeaderboardPage: (divisionId, offset, limit, teams) =>
      record(teams ? "overallLeaderboardPage(teams)" : "overallLeaderboardPage", () => {
        const board = overallBoard(divisionId, teams);
        return { division_id: divisionId, workouts: board.workouts, stamp, total: board.rows.length, offset, rows: board.rows.slice(offset, offset + limit) };
      }),
    findOnLeaderboard: (workoutId, divisionId, bib, teams) =>
      record("findOnLeaderboard", () => {
        const rows: { bib: string }[] = workoutId === null ? overallBoard(divisionId, teams).rows : boardOf(workoutId).rows;
        const index = rows.findIndex((row) => row.bib === bib.trim());
        return index < 0 ? null : { index, stamp };
      }),
    findScores: (workoutId, query) =>
      record("findScores", () => {
        const rows = leaderboards[workoutId]?.rows ?? [];
        const needle = query.trim().toLowerCase();
        return rows
          .filter((row) => row.display && (row.bib.toLowerCase() === needle || row.name.toLowerCase().includes(needle)))
          .map((row) => ({ workout_id: workoutId, bib: row.bib, name: row.name, display: row.display, rank: row.rank, amended: row.amended }));
      }),
    amendScore: (request) =>
      record("amendScore", (): AmendOutcome => {
        requireWorkout(request.workout_id);
        const competitor = requireBib(request.bib);
        if (!request.reason.trim()) throw new BackendError("invalid_value", "An amendment needs a reason.");
        const key = `${request.workout_id}:${competitor.bib}`;
        const row = leaderboards[request.workout_id]?.rows.find((candidate) => candidate.bib === competitor.bib);
        const entry: HistoryEntryView = {
          at: new Date(0).toISOString(),
          by: request.official,
          source: "amendment",
          old_display: row?.display ?? null,
          new_display: request.value,
          reason: request.reason,
          appeal_reference: request.appeal_reference || null,
        };
        history[key] = [...(history[key] ?? []), entry];
        notify();
        return {
          score: { workout_id: request.workout_id, bib: competitor.bib, name: fullName(competitor), display: request.value, rank: row?.rank ?? null, amended: true },
          history: history[key],
          impact: fixture.amendmentImpacts?.[key] ?? [],
          // The fixture lists every change: counted as listed.
          impact_changes: fixture.amendmentImpacts?.[key]?.length ?? 0,
          impact_entrants: new Set((fixture.amendmentImpacts?.[key] ?? []).map((change) => change.bib)).size,
        };
      }),
    scoreHistory: (workoutId, bib) => record("scoreHistory", () => history[`${workoutId}:${bib}`] ?? []),
    onScoresChanged(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

/**
 * The backend's slug rule (`scoretable_usecase::competition::slug_from_name`),
 * copied for the in-browser mock only: `tests/slug.test.ts` checks it
 * against `slug.fixture.json`, the samples the Rust rule is tested on.
 */
export function slugFromName(name: string): string {
  let slug = "";
  let pendingHyphen = false;
  for (const character of name) {
    if (/^[A-Za-z0-9]$/.test(character)) {
      if (pendingHyphen && slug) slug += "-";
      pendingHyphen = false;
      slug += character.toLowerCase();
    } else {
      pendingHyphen = true;
    }
  }
  return slug;
}
