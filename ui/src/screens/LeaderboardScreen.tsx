// The live leaderboard: one workout or the overall table, for everyone or one
// division. Rows come ranked from the backend; this screen only shows them,
// re-fetching whenever scores change. Ties show as `=2`, statuses in their
// own colour. The time from request to painted rows is shown so large events
// can be measured.

import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { useBackend } from "../app";
import { type LeaderboardRowView, type LeaderboardView, type OverallRowView, type OverallView, toBackendError } from "../api/backend";
import { useAsync } from "../lib/useAsync";
import { useWorkouts } from "../lib/useWorkouts";
import { rankLabel, stateLabel } from "../lib/format";
import { type GridColumn, VirtualGrid } from "../components/VirtualGrid";

/** One empty list for every render, so the grid does not see "new rows" each time. */
const noRows: never[] = [];

const workoutColumns: GridColumn<LeaderboardRowView>[] = [
  { key: "rank", header: "Rank", width: "6.5rem", align: "end", render: (row) => rankLabel(row.rank, row.tied) },
  { key: "bib", header: "Bib", width: "6rem", render: (row) => row.bib },
  { key: "name", header: "Athlete", width: "minmax(12rem, 2fr)", render: (row) => row.name },
  {
    key: "score",
    header: "Score",
    width: "9rem",
    align: "end",
    render: (row) => (
      <span class={row.status ? "status" : "score"}>
        {row.display || "—"}
        {row.amended && <span class="flag" title="Amended by an official" aria-label="amended"> A</span>}
        {row.partial && <span class="flag" title="Team result missing members" aria-label="partial"> P</span>}
      </span>
    ),
  },
  { key: "difference", header: "Behind", width: "8rem", align: "end", render: (row) => row.difference ?? "" },
];

function overallColumns(overall: OverallView | null): GridColumn<OverallRowView>[] {
  const fixed: GridColumn<OverallRowView>[] = [
    { key: "rank", header: "Rank", width: "6.5rem", align: "end", render: (row) => rankLabel(row.rank, row.tied) },
    { key: "bib", header: "Bib", width: "6rem", render: (row) => row.bib },
    { key: "name", header: "Athlete", width: "minmax(12rem, 2fr)", render: (row) => row.name },
    { key: "total", header: "Total", width: "6rem", align: "end", render: (row) => row.total },
  ];
  const perWorkout = (overall?.workouts ?? []).map(
    (workout, index): GridColumn<OverallRowView> => ({
      key: `w${workout.id}`,
      header: workout.name,
      width: "minmax(7rem, 1fr)",
      align: "end",
      render: (row) => {
        const cell = row.cells[index];
        return cell ? `${cell.display} (${cell.rank ?? "–"})` : "";
      },
    }),
  );
  return [...fixed, ...perWorkout];
}

export function LeaderboardScreen() {
  const backend = useBackend();
  const { list, selected, select, workouts } = useWorkouts(backend);
  const divisions = useAsync(() => backend.listDivisions(), [backend]);
  const [view, setView] = useState<"workout" | "overall">("workout");
  const [divisionId, setDivisionId] = useState<number | null>(null);
  const [board, setBoard] = useState<LeaderboardView | null>(null);
  const [overall, setOverall] = useState<OverallView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [paintMs, setPaintMs] = useState<number | null>(null);
  /** Counts painted responses, so a test can wait for the next one. */
  const [paintCount, setPaintCount] = useState(0);
  const requestStarted = useRef(0);
  const latestRequest = useRef(0);
  /** The rows of the latest response: only their paint is measured. */
  const awaitedRows = useRef<unknown[] | null>(null);

  const workoutId = selected?.id ?? null;

  const refresh = async () => {
    const request = ++latestRequest.current;
    try {
      if (view === "overall") {
        requestStarted.current = performance.now();
        const next = await backend.overallLeaderboard(divisionId);
        if (request === latestRequest.current) {
          awaitedRows.current = next.rows;
          setOverall(next);
        }
      } else if (workoutId !== null) {
        requestStarted.current = performance.now();
        const next = await backend.workoutLeaderboard(workoutId, divisionId);
        if (request === latestRequest.current) {
          awaitedRows.current = next.rows;
          setBoard(next);
        }
      }
      if (request === latestRequest.current) setError(null);
    } catch (caught) {
      if (request === latestRequest.current) setError(toBackendError(caught).message);
    }
  };

  useEffect(() => {
    setPaintMs(null);
    void refresh();
  }, [view, workoutId, divisionId]);

  // Live: re-rank when scores change, at most a few times a second.
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | null = null;
    const stop = backend.onScoresChanged(() => {
      if (timer) return;
      timer = setTimeout(() => {
        timer = null;
        void refresh();
      }, 250);
    });
    return () => {
      stop();
      if (timer) clearTimeout(timer);
    };
  }, [backend, view, workoutId, divisionId]);

  const onPainted = (rows: unknown[]) => {
    if (requestStarted.current && rows === awaitedRows.current) {
      setPaintMs(Math.round(performance.now() - requestStarted.current));
      setPaintCount((count) => count + 1);
      requestStarted.current = 0;
    }
  };

  const toggleState = async () => {
    if (!selected) return;
    try {
      await backend.setWorkoutState(selected.id, selected.state === "official" ? "provisional" : "official");
      // Reload the workout list so the badge and the toggle agree.
      await workouts.reload();
      await refresh();
    } catch (caught) {
      setError(toBackendError(caught).message);
    }
  };

  const columnsForOverall = useMemo(() => overallColumns(overall), [overall]);
  const state = board?.state ?? selected?.state ?? "provisional";
  const rowCount = view === "overall" ? overall?.rows.length ?? 0 : board?.rows.length ?? 0;

  return (
    <section class="screen-fill" aria-labelledby="leaderboard-title">
      <div class="entry-head">
        <h1 id="leaderboard-title">Leaderboard</h1>
        <div class="field">
          <label for="leaderboard-view">Show</label>
          <select
            id="leaderboard-view"
            value={view === "overall" ? "overall" : String(workoutId ?? "")}
            onChange={(event) => {
              const value = (event.currentTarget as HTMLSelectElement).value;
              if (value === "overall") setView("overall");
              else {
                setView("workout");
                select(Number(value));
              }
            }}
          >
            {list.map((workout) => (
              <option key={workout.id} value={workout.id}>
                {workout.sequence}. {workout.name}
              </option>
            ))}
            <option value="overall">Overall</option>
          </select>
        </div>
        <div class="field">
          <label for="leaderboard-division">Division</label>
          <select
            id="leaderboard-division"
            value={divisionId ?? ""}
            onChange={(event) => {
              const value = (event.currentTarget as HTMLSelectElement).value;
              setDivisionId(value ? Number(value) : null);
            }}
          >
            <option value="">All competitors</option>
            {(divisions.value ?? []).map((division) => (
              <option key={division.id} value={division.id}>
                {division.name}
              </option>
            ))}
          </select>
        </div>
        {view === "workout" && selected && (
          <button
            type="button"
            class={`state-toggle ${state}`}
            aria-pressed={state === "official"}
            aria-label={`Results are ${stateLabel(state).toLowerCase()}. Mark ${state === "official" ? "provisional" : "official"}`}
            onClick={toggleState}
          >
            {stateLabel(state)}
          </button>
        )}
        <span class="muted" role="status" data-testid="leaderboard-status" data-rows={rowCount} data-paint-ms={paintMs ?? ""} data-paint-count={paintCount}>
          {rowCount.toLocaleString()} rows{paintMs !== null ? ` · painted in ${paintMs} ms` : ""}
        </span>
      </div>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {view === "overall" ? (
        <VirtualGrid
          label="Overall leaderboard"
          columns={columnsForOverall}
          rows={overall?.rows ?? noRows}
          rowKey={(row) => row.bib}
          rowClass={(row) => (row.tied ? "tied" : "")}
          onPainted={onPainted}
          empty="No ranked results yet."
        />
      ) : (
        <VirtualGrid
          label={`Leaderboard for ${board?.workout_name ?? "workout"}`}
          columns={workoutColumns}
          rows={board?.rows ?? noRows}
          rowKey={(row) => row.bib}
          rowClass={(row) => [row.status ? "has-status" : "", row.tied ? "tied" : "", row.amended ? "amended" : ""].join(" ")}
          onPainted={onPainted}
          empty="No scores yet."
        />
      )}
    </section>
  );
}
