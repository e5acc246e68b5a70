import { describe, expect, it } from "vitest";
import { act, fireEvent, render, screen, waitFor } from "@testing-library/preact";
import { App } from "../src/app";
import { createMockBackend } from "../src/api/mock";
import { bigBoard, competition, competitors, fran, franBoard, row } from "./fixtures";

describe("leaderboard", () => {
  it("shows ranks with ties as =2 and statuses in place of a rank", async () => {
    const backend = createMockBackend({ competition, workouts: [{ ...fran }], competitors, leaderboards: { 1: franBoard } });
    render(<App backend={backend} initialScreen="leaderboard" />);
    const grid = await screen.findByRole("grid", { name: "Leaderboard for Fran" });
    await waitFor(() => expect(grid.querySelectorAll('[role="row"]').length).toBe(5));
    const cells = [...grid.querySelectorAll('[role="row"]')].slice(1).map((element) => [...element.querySelectorAll('[role="gridcell"]')].map((cell) => cell.textContent));
    expect(cells.map((cellsOfRow) => cellsOfRow[0])).toEqual(["1", "=2", "=2", "–"]);
    expect(cells[3][3]).toBe("DNF");
  });

  it("shows the tie-break time that orders two equal scores", async () => {
    const board = {
      ...franBoard,
      rows: [
        { ...row(1, false, "102", "Grace Hopper", "CAP+41"), tie_break: "7:59.0" },
        { ...row(2, false, "101", "Ada Lovelace", "CAP+41"), tie_break: "8:15.2" },
      ],
    };
    const backend = createMockBackend({ competition, workouts: [{ ...fran }], competitors, leaderboards: { 1: board } });
    render(<App backend={backend} initialScreen="leaderboard" />);
    const grid = await screen.findByRole("grid", { name: "Leaderboard for Fran" });
    await waitFor(() => expect(grid.querySelectorAll('[role="row"]').length).toBe(3));
    expect(screen.getByLabelText("tie-break 7:59.0").textContent).toContain("TB 7:59.0");
    expect(screen.getByLabelText("tie-break 8:15.2")).toBeTruthy();
  });

  it("shows a penalty column beside the score when the backend says the board has penalties, and none otherwise", async () => {
    const board = {
      ...franBoard,
      rows: [
        row(1, false, "102", "Grace Hopper", "2:59.0"),
        { ...row(2, false, "101", "Ada Lovelace", "3:25.5"), penalty: "+0:15" },
        row(null, false, "104", "Hedy Lamarr", "DNF", "DNF"),
      ],
    };
    const backend = createMockBackend({ competition, workouts: [{ ...fran }, { ...fran, id: 2, name: "Clean", sequence: 2 }], competitors, leaderboards: { 1: board, 2: franBoard } });
    render(<App backend={backend} initialScreen="leaderboard" />);
    const grid = await screen.findByRole("grid", { name: "Leaderboard for Fran" });
    await waitFor(() => expect(grid.querySelectorAll('[role="row"]').length).toBe(4));
    const headers = [...grid.querySelectorAll('[role="columnheader"]')].map((header) => header.textContent);
    expect(headers.slice(0, 6)).toEqual(["Rank", "Bib", "Athlete", "Score", "Penalty", "Behind"]);
    const cells = [...grid.querySelectorAll('[role="row"][aria-rowindex]')].slice(1).map((element) => [...element.querySelectorAll('[role="gridcell"]')].map((cell) => cell.textContent));
    expect(cells.map((cellsOfRow) => cellsOfRow[4])).toEqual(["", "+0:15", ""]);
    expect(cells[2][3]).toBe("DNF");
    // A board without penalties has no penalty column.
    fireEvent.change(screen.getByLabelText("Show"), { target: { value: "2" } });
    const clean = await screen.findByRole("grid", { name: "Leaderboard for Clean" });
    await waitFor(() => expect(clean.querySelectorAll('[role="row"]').length).toBe(5));
    expect([...clean.querySelectorAll('[role="columnheader"]')].map((header) => header.textContent)).not.toContain("Penalty");
  });

  it("renders only a window of a 60,000-row leaderboard", async () => {
    const backend = createMockBackend({ competition, workouts: [{ ...fran }], competitors, leaderboards: { 1: bigBoard(60_000) } });
    render(<App backend={backend} initialScreen="leaderboard" />);
    const grid = await screen.findByRole("grid", { name: "Leaderboard for Fran" });
    await waitFor(() => expect(grid.getAttribute("aria-rowcount")).toBe("60001"));
    const rendered = grid.querySelectorAll('[role="row"]').length;
    expect(rendered).toBeGreaterThan(10);
    expect(rendered).toBeLessThan(60);
    await waitFor(() => expect(screen.getByTestId("leaderboard-status").getAttribute("data-paint-ms")).not.toBe(""));
  });

  it("fetches only pages of the window from the backend, also deep in 60,000 rows", async () => {
    const backend = createMockBackend({ competition, workouts: [{ ...fran }], competitors, leaderboards: { 1: bigBoard(60_000) } });
    const requested: Array<[number, number]> = [];
    const leaderboardPage = backend.leaderboardPage;
    backend.leaderboardPage = (workoutId, divisionId, offset, limit) => {
      requested.push([offset, limit]);
      return leaderboardPage(workoutId, divisionId, offset, limit);
    };
    render(<App backend={backend} initialScreen="leaderboard" />);
    const grid = await screen.findByRole("grid", { name: "Leaderboard for Fran" });
    await waitFor(() => expect(grid.textContent).toContain("Athlete 1"));
    const rowsFetched = () => requested.reduce((sum, [, limit]) => sum + limit, 0);
    expect(rowsFetched()).toBeLessThanOrEqual(200);
    const viewport = grid.querySelector(".grid-viewport") as HTMLDivElement;
    viewport.scrollTop = 36 * 59_990;
    fireEvent.scroll(viewport);
    await waitFor(() => expect(grid.textContent).toContain("Athlete 60000"));
    expect(rowsFetched()).toBeLessThanOrEqual(400);
    expect(requested.some(([offset]) => offset === 59_900)).toBe(true);
  });

  it("finds a bib on the board and scrolls it into view", async () => {
    const backend = createMockBackend({ competition, workouts: [{ ...fran }], competitors, leaderboards: { 1: bigBoard(60_000) } });
    render(<App backend={backend} initialScreen="leaderboard" />);
    const grid = await screen.findByRole("grid", { name: "Leaderboard for Fran" });
    await waitFor(() => expect(grid.textContent).toContain("Athlete 1"));
    fireEvent.input(screen.getByLabelText("Find bib"), { target: { value: "55000" } });
    fireEvent.click(screen.getByLabelText("Find bib on this leaderboard"));
    await waitFor(() => expect(screen.getByTestId("leaderboard-find-result").textContent).toBe("Bib 55000 is on row 45,001."));
    await waitFor(() => expect(grid.querySelector('[aria-selected="true"]')?.textContent).toContain("Athlete 45001"));
    fireEvent.input(screen.getByLabelText("Find bib"), { target: { value: "7" } });
    fireEvent.click(screen.getByLabelText("Find bib on this leaderboard"));
    await waitFor(() => expect(screen.getByTestId("leaderboard-find-result").textContent).toBe("Bib 7 is not on this leaderboard."));
  });

  it("pages the overall table and shows its workout columns", async () => {
    const overall = {
      division_id: null,
      workouts: [
        { id: 1, name: "Fran", heading: "Fran" },
        { id: 2, name: "Relay", heading: "Relay (team, not counted)" },
      ],
      rows: [
        { rank: 1, tied: false, bib: "102", name: "Grace Hopper", total: 1, cells: [{ workout_id: 1, rank: 1, points: 0, display: "2:59.0" }, { workout_id: 2, rank: null, points: 0, display: "not counted" }] },
        { rank: 2, tied: true, bib: "101", name: "Ada Lovelace", total: 2, cells: [{ workout_id: 1, rank: 2, points: 0, display: "3:10.5" }, { workout_id: 2, rank: null, points: 0, display: "not counted" }] },
        { rank: 2, tied: true, bib: "103", name: "Katherine Johnson", total: 2, cells: [{ workout_id: 1, rank: 2, points: 0, display: "3:10.5" }, { workout_id: 2, rank: null, points: 0, display: "not counted" }] },
      ],
    };
    const backend = createMockBackend({ competition, workouts: [{ ...fran }], competitors, leaderboards: { 1: franBoard }, overall });
    render(<App backend={backend} initialScreen="leaderboard" />);
    await screen.findByRole("grid", { name: "Leaderboard for Fran" });
    fireEvent.change(screen.getByLabelText("Show"), { target: { value: "overall" } });
    const grid = await screen.findByRole("grid", { name: "Overall leaderboard" });
    await waitFor(() => expect(grid.querySelectorAll('[role="row"]').length).toBe(4));
    // The headings come from the backend: a team workout names the team rule.
    expect(grid.querySelector('[role="columnheader"]:last-child')?.textContent).toBe("Relay (team, not counted)");
    // A long heading is cut short on screen; its tooltip carries the whole heading.
    expect(grid.querySelector('[role="columnheader"]:last-child')?.getAttribute("title")).toBe("Relay (team, not counted)");
    const ranks = [...grid.querySelectorAll('[role="row"][aria-rowindex]')].slice(1).map((element) => element.querySelector('[role="gridcell"]')?.textContent);
    expect(ranks).toEqual(["1", "=2", "=2"]);
    expect(backend.calls).toContain("overallLeaderboardPage");
  });

  it("offers the team overall only in a competition with team and individual workouts", async () => {
    const relay = { ...fran, id: 2, name: "Relay", sequence: 2, score_type: "time" as const, time_cap_ms: null, team: true };
    const teamOverall = {
      division_id: null,
      workouts: [
        { id: 1, name: "Fran", heading: "Fran (individual, not counted)" },
        { id: 2, name: "Relay", heading: "Relay" },
      ],
      rows: [
        { rank: 1, tied: false, bib: "T2", name: "Team Two", total: 1, cells: [{ workout_id: 1, rank: null, points: 0, display: "not counted" }, { workout_id: 2, rank: 1, points: 1, display: "9:58.0" }] },
        { rank: 2, tied: false, bib: "T1", name: "Team One", total: 2, cells: [{ workout_id: 1, rank: null, points: 0, display: "not counted" }, { workout_id: 2, rank: 2, points: 2, display: "10:04.5" }] },
      ],
    };
    const backend = createMockBackend({ competition, workouts: [{ ...fran }, relay], competitors, leaderboards: { 1: franBoard }, teamOverall });
    render(<App backend={backend} initialScreen="leaderboard" />);
    await screen.findByRole("grid", { name: "Leaderboard for Fran" });
    const show = screen.getByLabelText("Show") as HTMLSelectElement;
    expect([...show.options].map((option) => option.textContent)).toContain("Team overall");
    fireEvent.change(show, { target: { value: "team-overall" } });
    const grid = await screen.findByRole("grid", { name: "Team overall leaderboard" });
    await waitFor(() => expect(grid.querySelectorAll('[role="row"]').length).toBe(3));
    // The backend asked for the team table, and its headings say the individual workout does not count.
    expect(backend.calls).toContain("overallLeaderboardPage(teams)");
    const headers = [...grid.querySelectorAll('[role="columnheader"]')].map((header) => header.textContent);
    expect(headers).toContain("Fran (individual, not counted)");
    // Its rows are teams, and the name column says so.
    expect(headers).toContain("Team");
    expect(headers).not.toContain("Athlete");
    expect(grid.textContent).toContain("Team Two");
    // Finding a bib looks in the team table.
    fireEvent.input(screen.getByLabelText("Find bib"), { target: { value: "T1" } });
    fireEvent.click(screen.getByLabelText("Find bib on this leaderboard"));
    await waitFor(() => expect(grid.querySelector('[aria-rowindex="3"]')?.className ?? "").toContain("found"));
  });

  it("has no team overall without team workouts", async () => {
    const backend = createMockBackend({ competition, workouts: [{ ...fran }], competitors, leaderboards: { 1: franBoard } });
    render(<App backend={backend} initialScreen="leaderboard" />);
    await screen.findByRole("grid", { name: "Leaderboard for Fran" });
    const show = screen.getByLabelText("Show") as HTMLSelectElement;
    expect([...show.options].map((option) => option.textContent)).not.toContain("Team overall");
  });

  it("refreshes when the backend reports new scores", async () => {
    const backend = createMockBackend({ competition, workouts: [{ ...fran }], competitors, leaderboards: { 1: franBoard } });
    render(<App backend={backend} initialScreen="leaderboard" />);
    const grid = await screen.findByRole("grid", { name: "Leaderboard for Fran" });
    await waitFor(() => expect(grid.textContent).toContain("Ada Lovelace"));
    act(() => backend.setLeaderboard({ ...franBoard, rows: [row(1, false, "104", "Hedy Lamarr", "2:59.0"), ...franBoard.rows.slice(0, 3)] }));
    await waitFor(() => expect(grid.querySelector('[aria-rowindex="2"]')?.textContent).toContain("Hedy Lamarr"), { timeout: 2000 });
  });

  it("toggles a workout between provisional and official", async () => {
    const backend = createMockBackend({ competition, workouts: [{ ...fran }], competitors, leaderboards: { 1: { ...franBoard } } });
    render(<App backend={backend} initialScreen="leaderboard" />);
    const toggle = await screen.findByLabelText("Results are provisional. Mark official");
    fireEvent.click(toggle);
    await screen.findByLabelText("Results are official. Mark provisional");
    expect(backend.calls).toContain("setWorkoutState");
  });
});
