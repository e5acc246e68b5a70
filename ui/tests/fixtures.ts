// Fixture data for the UI tests. Leaderboards here are what the backend
// would return already ranked; the UI only displays them.

import type { CompetitionSummary, CompetitorView, LeaderboardRowView, LeaderboardView, StatusCodeView, WorkoutView } from "../src/api/bindings";

export const competition: CompetitionSummary = {
  path: "/tmp/spring.scoretable",
  name: "Spring Throwdown",
  slug: "spring-throwdown",
  start_date: "2026-04-04",
  end_date: "2026-04-05",
  venue: "Riverside Gym",
  country: "GBR",
  organiser: "Riverside",
  time_zone: "Europe/London",
};

export const fran: WorkoutView = {
  id: 1,
  name: "Fran",
  sequence: 1,
  score_type: "time_capped",
  time_cap_ms: 600_000,
  tie_break: "none",
  state: "provisional",
  timing_points: [],
  heats: [],
  team: false,
};

export function competitor(id: number, bib: string, first: string, last: string): CompetitorView {
  return { id, bib, first_name: first, last_name: last, gender: "female", country: "GBR", club: null, division_ids: [], division_names: ["Women"] };
}

export const competitors = [
  competitor(1, "101", "Ada", "Lovelace"),
  competitor(2, "102", "Grace", "Hopper"),
  competitor(3, "103", "Katherine", "Johnson"),
  competitor(4, "104", "Hedy", "Lamarr"),
];

export function row(rank: number | null, tied: boolean, bib: string, name: string, display: string, status: StatusCodeView | null = null): LeaderboardRowView {
  return { rank, tied, bib, name, display, status, difference: null, tie_break: null, amended: false, partial: false, division_places: [] };
}

export const franBoard: LeaderboardView = {
  workout_id: 1,
  workout_name: "Fran",
  state: "provisional",
  division_id: null,
  rows: [
    row(1, false, "101", "Ada Lovelace", "3:15.0"),
    row(2, true, "102", "Grace Hopper", "4:01.0"),
    row(2, true, "103", "Katherine Johnson", "4:01.0"),
    row(null, false, "104", "Hedy Lamarr", "DNF", "DNF"),
  ],
};

/** A ranked leaderboard of `count` rows, for virtualization tests. */
export function bigBoard(count: number): LeaderboardView {
  const rows: LeaderboardRowView[] = [];
  for (let index = 0; index < count; index++) {
    rows.push(row(index + 1, false, String(10_000 + index), `Athlete ${index + 1}`, `${10 + Math.floor(index / 60)}:${String(index % 60).padStart(2, "0")}.0`));
  }
  return { ...franBoard, rows };
}
