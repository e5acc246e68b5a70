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
