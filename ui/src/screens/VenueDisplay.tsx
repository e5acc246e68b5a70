// The venue display: the second window for a projector or TV. Large type,
// the top rows of one board, one division at a time: it pages through every
// division (or stays on the one chosen) every `page_seconds`, re-asks the
// backend whenever scores change, and marks provisional results. It has no
// buttons or fields and its window may only call read commands. The rows
// arrive ranked from the backend, exactly as the Leaderboard screen gets them.

import { useEffect, useState } from "preact/hooks";
import type { Backend, CompetitionSummary, DivisionView, LeaderboardPage, OverallPage, VenueConfig, WorkoutView } from "../api/backend";
import { toBackendError } from "../api/backend";
import { rankLabel } from "../lib/format";

/** Rows on one page: what stays readable from the back of a hall. */
export const VENUE_ROWS = 10;

type Board = { kind: "workout"; page: LeaderboardPage } | { kind: "overall"; page: OverallPage };

export function VenueDisplay({ backend }: { backend: Backend }) {
  const [config, setConfig] = useState<VenueConfig | null>(null);
  const [competition, setCompetition] = useState<CompetitionSummary | null>(null);
  const [divisions, setDivisions] = useState<DivisionView[]>([]);
  const [workouts, setWorkouts] = useState<WorkoutView[]>([]);
  const [pageIndex, setPageIndex] = useState(0);
  const [board, setBoard] = useState<Board | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [changes, setChanges] = useState(0);
  /** The divisions have been read once: only then is the first page known. */
  const [ready, setReady] = useState(false);

  useEffect(() => {
    const stopConfig = backend.onVenueConfig((next) => {
      setConfig(next);
      setPageIndex(0);
    });
    const stopScores = backend.onScoresChanged(() => setChanges((count) => count + 1));
    void backend.venueConfig().then((first) => setConfig((current) => current ?? first));
    return () => {
      stopConfig();
      stopScores();
    };
  }, [backend]);

  // The competition, divisions and workouts (states) are re-read with every change too.
  useEffect(() => {
    void Promise.all([backend.competitionStatus(), backend.listDivisions(), backend.listWorkouts()])
      .then(([summary, divisionList, workoutList]) => {
        setCompetition(summary);
        setDivisions(divisionList);
        setWorkouts(workoutList);
        setReady(true);
      })
      .catch((caught) => setError(toBackendError(caught).message));
  }, [backend, changes]);

  /** The divisions paged through: the chosen one, or every one (or everyone when there are none). */
  const pages: Array<DivisionView | null> = config?.division_id != null ? [divisions.find((division) => division.id === config.division_id) ?? null] : divisions.length > 0 ? divisions : [null];
  const current = pages[pageIndex % pages.length] ?? null;
  const divisionId = config?.division_id ?? current?.id ?? null;

  // Page on: the one timer here turns pages; data comes from backend events.
  useEffect(() => {
    if (!config || pages.length < 2) return;
    const timer = setInterval(() => setPageIndex((index) => index + 1), config.page_seconds * 1000);
    return () => clearInterval(timer);
  }, [config?.page_seconds, config?.division_id, pages.length]);

  useEffect(() => {
    if (!config || !ready) return;
    let live = true;
    const request =
      config.workout_id === null
        ? backend.overallLeaderboardPage(divisionId, 0, VENUE_ROWS).then((page): Board => ({ kind: "overall", page }))
        : backend.leaderboardPage(config.workout_id, divisionId, 0, VENUE_ROWS).then((page): Board => ({ kind: "workout", page }));
    request.then(
      (next) => {
        if (!live) return;
        setBoard(next);
        setError(null);
      },
      (caught) => live && setError(toBackendError(caught).message),
    );
    return () => {
      live = false;
    };
  }, [backend, config?.workout_id, divisionId, changes, ready]);

  if (!config) return <div class="venue venue-waiting">Waiting for the scorekeeper to choose a board…</div>;

  const provisionalWorkouts =
    board?.kind === "overall" ? board.page.workouts.filter((header) => workouts.find((workout) => workout.id === header.id)?.state !== "official").map((header) => header.name) : [];
  const provisional = board?.kind === "workout" ? board.page.state !== "official" : provisionalWorkouts.length > 0;
  const title = board?.kind === "workout" ? board.page.workout_name : "Overall standings";
  const next = pages.length > 1 ? pages[(pageIndex + 1) % pages.length] : null;

  return (
    <div class="venue" aria-label="Venue display">
      <header class="venue-head">
        <div>
          <div class="venue-competition">{competition?.name ?? ""}</div>
          <h1 class="venue-title">
            {title} <span class="venue-division">{current?.name ?? "All competitors"}</span>
          </h1>
        </div>
        <div class={`venue-state ${provisional ? "provisional" : "official"}`} data-testid="venue-state">
          {provisional ? "PROVISIONAL" : "OFFICIAL"}
        </div>
      </header>
      {provisional && board?.kind === "overall" && <p class="venue-note">Includes provisional results: {provisionalWorkouts.join(", ")}</p>}
      {error && <p class="venue-note">{error}</p>}
      <ol class="venue-rows" aria-label="Standings">
        {board?.kind === "workout" &&
          board.page.rows.map((row) => (
            <li key={row.bib} class={`venue-row ${row.status ? "status" : ""}`}>
              <span class="venue-rank">{rankLabel(row.rank, row.tied)}</span>
              <span class="venue-name">{row.name}</span>
              <span class="venue-score">{row.display || "—"}</span>
            </li>
          ))}
        {board?.kind === "overall" &&
          board.page.rows.map((row) => (
            <li key={row.bib} class="venue-row">
              <span class="venue-rank">{rankLabel(row.rank, row.tied)}</span>
              <span class="venue-name">{row.name}</span>
              <span class="venue-score">{row.total} pts</span>
            </li>
          ))}
        {board && board.page.rows.length === 0 && <li class="venue-row empty">No results yet</li>}
      </ol>
      <footer class="venue-foot">
        <span data-testid="venue-page">
          {pages.length > 1 ? `Division ${(pageIndex % pages.length) + 1} of ${pages.length}${next ? ` · next: ${next.name}` : ""}` : ""}
        </span>
        <span>{board ? `${board.page.total} ranked` : ""}</span>
      </footer>
    </div>
  );
}
