// The live leaderboard: one workout or the overall table, for everyone or one
// division. Boards are ranked and kept by the backend; this screen fetches
// only the rows in view, page by page (see lib/pagedBoard.ts), and refetches
// them whenever scores change. Ties show as `=2`, statuses in their own
// colour, and a penalty column beside the score when any result on the
// board has a penalty (the backend says so for the whole board). Column
// headings stay within two lines (the overall's long workout headings are
// cut short, the full heading in their tooltip). The time from request to painted rows is shown so large events can
// be measured, and a bib can be found on the board. A row's context menu
// (right click, Shift+F10 or the menu key) or the E key asks the backend
// why the picked row is above the next one; the engine's sentence is shown
// above the board.

import { useCallback, useEffect, useMemo, useRef, useState } from "preact/hooks";
import { useBackend } from "../app";
import {
  type Backend,
  type LeaderboardPage,
  type LeaderboardRowView,
  type OverallPage,
  type OverallRowView,
  type RowDetailView,
  type WorkoutHeader,
  toBackendError,
} from "../api/backend";
import { useAsync } from "../lib/useAsync";
import { useWorkouts } from "../lib/useWorkouts";
import { rankLabel, stateLabel } from "../lib/format";
import { PagedBoard } from "../lib/pagedBoard";
import { type GridColumn, VirtualGrid } from "../components/VirtualGrid";

/** The penalty column, beside the score and its status: the backend's formatted penalty (`+0:15`). */
const penaltyColumn: GridColumn<LeaderboardRowView> = {
  key: "penalty",
  header: "Penalty",
  width: "6.5rem",
  align: "end",
  render: (row) => (row.penalty ? <span class="penalty-cell" title={`Time penalty ${row.penalty}, included in the score`}>{row.penalty}</span> : ""),
};

/**
 * The workout board's columns; `divisionName` names a division place's
 * division. `penalties` (from the backend: any result on the whole board has
 * one) adds the penalty column after the score.
 */
function workoutColumns(divisionName: (id: number) => string, penalties: boolean): GridColumn<LeaderboardRowView>[] {
  const base = penalties ? [...baseWorkoutColumns.slice(0, 4), penaltyColumn, ...baseWorkoutColumns.slice(4)] : baseWorkoutColumns;
  // Last, so the rank, bib, athlete, score and behind columns keep their places.
  return [...base, {
    key: "divisions",
    header: "Division places",
    width: "minmax(9rem, 1.4fr)",
    render: (row) => (
      <span class="division-places">
        {row.division_places.map((place) => (
          <span key={place.division_id} class="division-place" title={`Place ${place.rank} in ${divisionName(place.division_id)}`}>
            {divisionName(place.division_id)} <strong>{place.rank}</strong>
          </span>
        ))}
      </span>
    ),
  }];
}

const baseWorkoutColumns: GridColumn<LeaderboardRowView>[] = [
  { key: "rank", header: "Rank", width: "6.5rem", align: "end", render: (row) => rankLabel(row.rank, row.tied) },
  { key: "bib", header: "Bib", width: "6rem", render: (row) => row.bib },
  { key: "name", header: "Athlete", width: "minmax(12rem, 2fr)", render: (row) => row.name },
  {
    key: "score",
    header: "Score",
    width: "13rem",
    align: "end",
    render: (row) => (
      <span class={row.status ? "status" : "score"}>
        {row.display || "—"}
        {row.tie_break && (
          <span class="tie-break" title="Tie-break time" aria-label={`tie-break ${row.tie_break}`}>
            {" "}TB {row.tie_break}
          </span>
        )}
        {row.amended && <span class="flag" title="Amended by an official" aria-label="amended"> A</span>}
        {row.partial && <span class="flag" title="Team result missing members" aria-label="partial"> P</span>}
      </span>
    ),
  },
  { key: "difference", header: "Behind", width: "8rem", align: "end", render: (row) => row.difference ?? "" },
];

function overallColumns(workouts: WorkoutHeader[], entrants: "Athlete" | "Team"): GridColumn<OverallRowView>[] {
  const fixed: GridColumn<OverallRowView>[] = [
    { key: "rank", header: "Rank", width: "6.5rem", align: "end", render: (row) => rankLabel(row.rank, row.tied) },
    { key: "bib", header: "Bib", width: "6rem", render: (row) => row.bib },
    { key: "name", header: entrants, width: "minmax(12rem, 2fr)", render: (row) => row.name },
    { key: "total", header: "Total", width: "6rem", align: "end", render: (row) => row.total },
  ];
  const perWorkout = workouts.map(
    (workout, index): GridColumn<OverallRowView> => ({
      key: `w${workout.id}`,
      header: workout.heading,
      // Wide enough for "12:34.567 (123)" and "307.5 kg (12)": a place cut
      // off behind an ellipsis is worse than a horizontal scroll.
      width: "minmax(9.5rem, 1fr)",
      align: "end",
      render: (row) => {
        const cell = row.cells[index];
        if (!cell) return "";
        // A cell without a place (a status, "not counted") shows the backend's words alone.
        const text = cell.rank === null ? cell.display : `${cell.display} (${cell.rank})`;
        return <span title={text}>{text}</span>;
      },
    }),
  );
  return [...fixed, ...perWorkout];
}

type WorkoutBoard = PagedBoard<LeaderboardRowView, LeaderboardPage>;
type OverallBoard = PagedBoard<OverallRowView, OverallPage>;

/** Which board the screen shows. */
type BoardChoice =
  | { kind: "workout"; workoutId: number; divisionId: number | null }
  | { kind: "overall"; divisionId: number | null; teams: boolean };

function openBoard(backend: Backend, choice: BoardChoice, onChange: () => void): WorkoutBoard | OverallBoard {
  if (choice.kind === "overall") {
    return new PagedBoard<OverallRowView, OverallPage>(
      (offset, limit) => backend.overallLeaderboardPage(choice.divisionId, offset, limit, choice.teams),
      onChange,
    );
  }
  return new PagedBoard<LeaderboardRowView, LeaderboardPage>(
    (offset, limit) => backend.leaderboardPage(choice.workoutId, choice.divisionId, offset, limit),
    onChange,
  );
}

/** The picked row in detail: places in each division, splits with positions, penalty and status. */
function RowDetail({ detail, onClose }: { detail: RowDetailView; onClose: () => void }) {
  return (
    <section class="panel row-detail" aria-label={`Detail of ${detail.name}`} data-testid="row-detail">
      <div class="row-detail-head">
        <strong>
          Bib {detail.bib} {detail.name}
        </strong>
        <span class={detail.status ? "status" : "score"}>{detail.display}</span>
        <span>{detail.rank !== null ? `place ${detail.rank}` : detail.status ? `${detail.status}: not ranked` : "not ranked"}</span>
        {detail.division_places.map((place) => (
          <span key={place.division} class="badge">
            {place.division}: {place.rank}
          </span>
        ))}
        {detail.penalty && <span class="badge penalty">penalty {detail.penalty}</span>}
        {detail.tie_break && <span class="badge">tie-break {detail.tie_break}</span>}
        {detail.amended && <span class="badge official">amended</span>}
        <button type="button" class="link" aria-label="Close the row detail" onClick={onClose}>
          Close
        </button>
      </div>
      {detail.splits.length > 0 && (
        <table class="table splits" aria-label="Splits">
          <thead>
            <tr>
              <th scope="col">Timing point</th>
              <th scope="col">Time</th>
              <th scope="col">Leg</th>
              <th scope="col">Position</th>
              <th scope="col">Behind</th>
            </tr>
          </thead>
          <tbody>
            {detail.splits.map((split) => (
              <tr key={split.point}>
                <td>{split.point}</td>
                <td class="score">{split.time}</td>
                <td>{split.leg}</td>
                <td>{split.position}</td>
                <td>{split.behind ?? ""}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

/** A row's context menu: why it is above the next row, or below the previous one. */
function RowMenu(props: {
  menu: { index: number; x: number; y: number };
  rowInfo: (index: number) => { bib: string; name: string } | null;
  onExplain: (above: number, below: number) => void;
  onClose: () => void;
}) {
  const { index, x, y } = props.menu;
  const row = props.rowInfo(index);
  const next = props.rowInfo(index + 1);
  const previous = props.rowInfo(index - 1);
  const first = useRef<HTMLButtonElement>(null);
  useEffect(() => first.current?.focus(), [index]);
  if (!row) return null;
  return (
    <div class="popover menu row-menu" role="menu" aria-label={`Row menu for ${row.name}`} style={{ position: "fixed", left: `${x}px`, top: `${y}px` }}>
      {next && (
        <button type="button" role="menuitem" ref={first} onClick={() => props.onExplain(index, index + 1)}>
          Why is {row.name} above {next.name}? <kbd>E</kbd>
        </button>
      )}
      {previous && (
        <button type="button" role="menuitem" ref={next ? undefined : first} onClick={() => props.onExplain(index - 1, index)}>
          Why is {previous.name} above {row.name}?
        </button>
      )}
      <button type="button" role="menuitem" onClick={props.onClose}>
        Close <kbd>Esc</kbd>
      </button>
    </div>
  );
}

export function LeaderboardScreen() {
  const backend = useBackend();
  const { list, selected, select, workouts } = useWorkouts(backend);
  const divisions = useAsync(() => backend.listDivisions(), [backend]);
  const [view, setView] = useState<"workout" | "overall" | "team-overall">("workout");
  const [divisionId, setDivisionId] = useState<number | null>(null);
  const [paintMs, setPaintMs] = useState<number | null>(null);
  /** Counts painted responses, so a test can wait for the next one. */
  const [paintCount, setPaintCount] = useState(0);
  /** Bumped whenever the board's rows or header changed, to re-render. */
  const [version, setVersion] = useState(0);
  const [actionError, setActionError] = useState<string | null>(null);
  const [findBib, setFindBib] = useState("");
  const [found, setFound] = useState<{ index: number } | null>(null);
  const [findMessage, setFindMessage] = useState<string | null>(null);
  /** When the current measurement started (a board opened or scores changed), or 0. */
  const measureStarted = useRef(0);
  /** The version whose paint ends the measurement, once the window is loaded. */
  const measureVersion = useRef<number | null>(null);
  const versionRef = useRef(0);
  /** The picked row (click), its context menu, and the last explanation. */
  const [picked, setPicked] = useState<number | null>(null);
  const [menu, setMenu] = useState<{ index: number; x: number; y: number } | null>(null);
  const [explanation, setExplanation] = useState<{ text: string; failed: boolean } | null>(null);
  const [detail, setDetail] = useState<RowDetailView | null>(null);

  const workoutId = selected?.id ?? null;
  // A competition with team and individual workouts also ranks its teams overall.
  const mixed = list.some((workout) => workout.team) && list.some((workout) => !workout.team);
  const overallView = view === "overall" || (view === "team-overall" && mixed);
  const choice: BoardChoice | null = overallView
    ? { kind: "overall", divisionId, teams: view === "team-overall" }
    : workoutId !== null
      ? { kind: "workout", workoutId, divisionId }
      : null;
  const choiceKey = choice ? JSON.stringify(choice) : "";

  const board = useMemo(() => {
    if (!choice) return null;
    measureStarted.current = performance.now();
    measureVersion.current = null;
    const opened = openBoard(backend, choice, () => {
      versionRef.current += 1;
      if (measureStarted.current && measureVersion.current === null && opened.ready()) measureVersion.current = versionRef.current;
      setVersion(versionRef.current);
    });
    return opened;
  }, [backend, choiceKey]);

  useEffect(() => {
    setPaintMs(null);
    setFound(null);
    setFindMessage(null);
    setPicked(null);
    setMenu(null);
    setExplanation(null);
    setDetail(null);
    return () => board?.dispose();
  }, [board]);

  // A picked row of a workout's board shows its detail: division places, splits with positions, penalty.
  useEffect(() => {
    setDetail(null);
    if (picked === null || !choice || choice.kind !== "workout") return;
    const row = rowInfo(picked);
    if (!row) return;
    let live = true;
    backend.rowDetail(choice.workoutId, row.bib).then(
      (answer) => live && setDetail(answer),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [picked, choiceKey, version]);

  /** The bib and name of the row at `index`, when it has arrived. */
  const rowInfo = (index: number): { bib: string; name: string } | null => {
    if (!board || index < 0 || index >= board.total) return null;
    const row = (board as WorkoutBoard).rowAt(index) as { bib: string; name: string } | undefined;
    return row ? { bib: row.bib, name: row.name } : null;
  };

  /** Asks the backend why the row at `above` is above the row at `below`. */
  const explain = async (above: number, below: number) => {
    setMenu(null);
    const first = rowInfo(above);
    const second = rowInfo(below);
    if (!choice || !first || !second) return;
    try {
      const text = await backend.explainOrder({
        workout_id: choice.kind === "workout" ? choice.workoutId : null,
        division_id: choice.divisionId,
        above_bib: first.bib,
        below_bib: second.bib,
      });
      setExplanation({ text, failed: false });
    } catch (caught) {
      setExplanation({ text: toBackendError(caught).message, failed: true });
    }
  };

  /** Explains the picked row against the next one (or the one above, for the last row). */
  const explainPicked = (index: number) => {
    if (!board) return;
    if (index + 1 < board.total) void explain(index, index + 1);
    else if (index > 0) void explain(index - 1, index);
  };

  // E explains the picked row; Shift+F10 or the menu key opens its menu.
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const tag = (event.target as HTMLElement | null)?.tagName;
      if (picked === null || tag === "INPUT" || tag === "SELECT" || tag === "TEXTAREA" || event.ctrlKey || event.altKey || event.metaKey) return;
      if (event.key === "e" || event.key === "E") {
        event.preventDefault();
        explainPicked(picked);
      } else if (event.key === "ContextMenu" || (event.shiftKey && event.key === "F10")) {
        event.preventDefault();
        const row = document.querySelector(`.grid-row.picked`)?.getBoundingClientRect();
        setMenu({ index: picked, x: (row?.left ?? 0) + 40, y: row?.bottom ?? 200 });
      } else if (event.key === "Escape") {
        setMenu(null);
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [picked, board, choiceKey]);

  /** Refetches the rows in view (the stamp tells the board whether anything moved). */
  const refresh = () => {
    if (!board) return;
    // A found row may have moved: the mark and its row number go.
    setFound(null);
    setFindMessage(null);
    measureStarted.current = performance.now();
    measureVersion.current = null;
    void board.refresh();
  };

  // Live: refetch when scores change, at once and then at most four times a second.
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | null = null;
    let last = 0;
    const stop = backend.onScoresChanged(() => {
      if (timer) return;
      const wait = Math.max(0, last + 250 - performance.now());
      timer = setTimeout(() => {
        timer = null;
        last = performance.now();
        refresh();
      }, wait);
    });
    return () => {
      stop();
      if (timer) clearTimeout(timer);
    };
  }, [backend, board]);

  const onPainted = (painted: unknown) => {
    const target = measureVersion.current;
    if (measureStarted.current && target !== null && typeof painted === "number" && painted >= target) {
      setPaintMs(Math.round(performance.now() - measureStarted.current));
      setPaintCount((count) => count + 1);
      measureStarted.current = 0;
      measureVersion.current = null;
    }
  };

  const toggleState = async () => {
    if (!selected) return;
    try {
      await backend.setWorkoutState(selected.id, selected.state === "official" ? "provisional" : "official");
      // Reload the workout list so the badge and the toggle agree.
      await workouts.reload();
      refresh();
      setActionError(null);
    } catch (caught) {
      setActionError(toBackendError(caught).message);
    }
  };

  const find = async (event: Event) => {
    event.preventDefault();
    const bib = findBib.trim();
    if (!bib || !choice) return;
    try {
      const position = await backend.findOnLeaderboard(
        choice.kind === "workout" ? choice.workoutId : null,
        choice.divisionId,
        bib,
        choice.kind === "overall" && choice.teams,
      );
      if (position === null) {
        setFound(null);
        setFindMessage(`Bib ${bib} is not on this leaderboard.`);
      } else {
        setFound({ index: position.index });
        setFindMessage(`Bib ${bib} is on row ${(position.index + 1).toLocaleString()}.`);
      }
    } catch (caught) {
      setFindMessage(toBackendError(caught).message);
    }
  };

  const latest = board?.latest ?? null;
  const workoutPage = latest && "workout_id" in latest ? latest : null;
  const overallPage = latest && !("workout_id" in latest) ? latest : null;
  const headerWorkouts = overallPage?.workouts;
  const entrantsHeader = view === "team-overall" ? "Team" : "Athlete";
  const columnsForOverall = useMemo(
    () => overallColumns(headerWorkouts ?? [], entrantsHeader),
    [headerWorkouts?.map((workout) => `${workout.id}:${workout.heading}`).join("|"), entrantsHeader],
  );
  const state = workoutPage?.state ?? selected?.state ?? "provisional";
  const rowCount = board?.total ?? 0;
  const loading = board !== null && latest === null && board.error === null;
  const error = actionError ?? (board?.error ? toBackendError(board.error).message : null);
  const divisionNames = divisions.value ?? [];
  const penalties = workoutPage?.penalties ?? false;
  const columnsForWorkout = useMemo(
    () => workoutColumns((id) => divisionNames.find((division) => division.id === id)?.name ?? `Division ${id}`, penalties),
    [divisionNames.map((division) => `${division.id}:${division.name}`).join("|"), penalties],
  );
  const onWindow = useCallback((start: number, end: number) => void board?.show(start, end), [board]);

  return (
    <section class="screen-fill" aria-labelledby="leaderboard-title">
      <div class="entry-head">
        <h1 id="leaderboard-title">Leaderboard</h1>
        <div class="field">
          <label for="leaderboard-view">Show</label>
          <select
            id="leaderboard-view"
            value={overallView ? view : String(workoutId ?? "")}
            onChange={(event) => {
              const value = (event.currentTarget as HTMLSelectElement).value;
              if (value === "overall" || value === "team-overall") setView(value);
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
            {mixed ? <option value="team-overall">Team overall</option> : null}
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
        <form class="field" onSubmit={find}>
          <label for="leaderboard-find">Find bib</label>
          <span class="find-bib">
            <input id="leaderboard-find" value={findBib} inputMode="numeric" autoComplete="off" onInput={(event) => setFindBib((event.currentTarget as HTMLInputElement).value)} />
            <button type="submit" aria-label="Find bib on this leaderboard">
              Find
            </button>
          </span>
        </form>
        {!overallView && selected && (
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
        <button
          type="button"
          aria-label="Open the venue display for this board"
          title="A second window for a projector or TV: large type, pages through the divisions (or shows the chosen one), live"
          onClick={() =>
            void backend
              .openVenueDisplay({ workout_id: choice?.kind === "workout" ? choice.workoutId : null, division_id: divisionId, page_seconds: 10 })
              .catch((caught) => setActionError(toBackendError(caught).message))
          }
        >
          Venue display
        </button>
        <span
          class="muted"
          role="status"
          data-testid="leaderboard-status"
          data-rows={rowCount}
          data-stamp={latest?.stamp ?? ""}
          data-paint-ms={paintMs ?? ""}
          data-paint-count={paintCount}
        >
          {loading ? "Loading…" : `${rowCount.toLocaleString()} rows`}
          {paintMs !== null ? ` · painted in ${paintMs} ms` : ""}
        </span>
      </div>
      {findMessage && (
        <p class="muted" role="status" data-testid="leaderboard-find-result">
          {findMessage}
        </p>
      )}
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {explanation && (
        <p class={explanation.failed ? "error" : "notice"} role="status" data-testid="explanation">
          {explanation.text}{" "}
          <button type="button" class="link" aria-label="Hide explanation" onClick={() => setExplanation(null)}>
            Hide
          </button>
        </p>
      )}
      {detail && <RowDetail detail={detail} onClose={() => setPicked(null)} />}
      {menu && <RowMenu menu={menu} rowInfo={rowInfo} onExplain={(above, below) => void explain(above, below)} onClose={() => setMenu(null)} />}
      {overallView ? (
        <VirtualGrid
          label={view === "team-overall" ? "Team overall leaderboard" : "Overall leaderboard"}
          columns={columnsForOverall}
          rowCount={rowCount}
          rowAt={(index) => (board as OverallBoard | null)?.rowAt(index)}
          onWindow={onWindow}
          rowKey={(row, index) => `${index}:${row.bib}`}
          rowClass={(row) => (row.tied ? "tied" : "")}
          paintKey={version}
          onPainted={onPainted}
          scrollRequest={found}
          highlightIndex={found?.index ?? null}
          selectedIndex={picked}
          onRowClick={(index) => setPicked(index)}
          onRowContextMenu={(index, event) => {
            setPicked(index);
            setMenu({ index, x: event.clientX, y: event.clientY });
          }}
          empty={loading ? "Loading…" : "No ranked results yet."}
        />
      ) : (
        <VirtualGrid
          label={`Leaderboard for ${workoutPage?.workout_name ?? selected?.name ?? "workout"}`}
          columns={columnsForWorkout}
          rowCount={rowCount}
          rowAt={(index) => (board as WorkoutBoard | null)?.rowAt(index)}
          onWindow={onWindow}
          rowKey={(row, index) => `${index}:${row.bib}`}
          rowClass={(row) => [row.status ? "has-status" : "", row.tied ? "tied" : "", row.amended ? "amended" : ""].join(" ")}
          paintKey={version}
          onPainted={onPainted}
          scrollRequest={found}
          highlightIndex={found?.index ?? null}
          selectedIndex={picked}
          onRowClick={(index) => setPicked(index)}
          onRowContextMenu={(index, event) => {
            setPicked(index);
            setMenu({ index, x: event.clientX, y: event.clientY });
          }}
          empty={loading ? "Loading…" : "No scores yet."}
        />
      )}
    </section>
  );
}
