// Bulk score entry from a heat sheet: lane order, Enter saves and moves
// down, the backend's place appears, a refused value keeps its text and focus.

import { describe, expect, it } from "vitest";
import { fireEvent, render, screen, waitFor, within } from "@testing-library/preact";
import { App } from "../src/app";
import { createMockBackend, type MockBackend } from "../src/api/mock";
import type { HeatSheetView } from "../src/api/backend";
import { competition, competitors, fran } from "./fixtures";

const heated = { ...fran, heats: [{ id: 7, name: "Heat 1", start_time: null, lane_count: 3 }] };
/** Lane order as the backend stores it: lane 1 bib 103, lane 2 bib 101, lane 3 bib 102. */
const laneBibs = [
  [1, "103", "Katherine Johnson"],
  [2, "101", "Ada Lovelace"],
  [3, "102", "Grace Hopper"],
] as const;

/** The sheet the backend would return: each lane's stored result, places as a fixed ranking would give them. */
function sheetFrom(backend: () => MockBackend): HeatSheetView {
  const entries = backend().entries;
  return {
    workout_id: 1,
    heat_id: 7,
    heat_name: "Heat 1",
    division_id: null,
    lanes: laneBibs.map(([lane, bib, name]) => {
      const entry = entries.filter((candidate) => candidate.bib === bib).pop();
      return { lane, bib, name, display: entry?.display ?? null, rank: entry ? entries.indexOf(entry) + 1 : null, tied: false };
    }),
  };
}

describe("heat sheet", () => {
  it("lists the heat in lane order, saves on Enter, shows the place and moves down; a bad value keeps focus", async () => {
    let backend: MockBackend;
    backend = createMockBackend({
      competition,
      workouts: [heated],
      competitors,
      rejectValue: (value) => (value === "abc" ? 'Invalid score "abc" for bib 101: expected a time like 12:03.4' : null),
      screens: { heatSheet: () => sheetFrom(() => backend) },
    });
    render(<App backend={backend} initialScreen="entry" />);
    fireEvent.click(await screen.findByRole("button", { name: "Heat sheet" }));
    const table = await screen.findByRole("table", { name: "Heat sheet Heat 1" });
    const rows = within(table).getAllByRole("row").slice(1);
    expect(rows.map((row) => row.textContent?.slice(0, 4))).toEqual(["1103", "2101", "3102"]);
    const lane1 = screen.getByLabelText("Score for lane 1, bib 103") as HTMLInputElement;
    await waitFor(() => expect(document.activeElement).toBe(lane1));

    fireEvent.input(lane1, { target: { value: "3:10.0" } });
    fireEvent.keyDown(lane1, { key: "Enter" });
    await waitFor(() => expect(screen.getByTestId("heat-place-1").textContent).toBe("1"));
    expect(screen.getByTestId("heat-result-1").textContent).toBe("3:10.0");
    const lane2 = screen.getByLabelText("Score for lane 2, bib 101") as HTMLInputElement;
    await waitFor(() => expect(document.activeElement).toBe(lane2));

    fireEvent.input(lane2, { target: { value: "abc" } });
    fireEvent.keyDown(lane2, { key: "Enter" });
    const alert = await within(screen.getByTestId("heat-lane-2")).findByRole("alert");
    expect(alert.textContent).toContain('Invalid score "abc"');
    expect(lane2.value).toBe("abc");
    expect(document.activeElement).toBe(lane2);
    expect(screen.getByTestId("heat-result-2").textContent).toBe("—");
    expect(backend.entries).toHaveLength(1);

    fireEvent.input(lane2, { target: { value: "3:20.0" } });
    fireEvent.keyDown(lane2, { key: "Enter" });
    await waitFor(() => expect(screen.getByTestId("heat-place-2").textContent).toBe("2"));
    expect(within(screen.getByTestId("heat-lane-2")).queryByRole("alert")).toBeNull();
    expect(backend.entries.map((entry) => entry.bib)).toEqual(["103", "101"]);
  });

  it("shows division places when a division is chosen, and asks the backend for them", async () => {
    const asked: Array<number | null> = [];
    const backend = createMockBackend({
      competition,
      workouts: [heated],
      competitors,
      divisions: [{ id: 5, name: "Women", kind: "gender", gender: "female", min_age: null, max_age: null }],
      screens: {
        heatSheet: (_workout, _heat, divisionId) => {
          asked.push(divisionId);
          // Whole field: 103 third; in Women she is first (the backend's division board).
          const place = divisionId === 5 ? 1 : 3;
          return { workout_id: 1, heat_id: 7, heat_name: "Heat 1", division_id: divisionId, lanes: [{ lane: 1, bib: "103", name: "Katherine Johnson", display: "3:10.0", rank: place, tied: false }] };
        },
      },
    });
    render(<App backend={backend} initialScreen="entry" />);
    fireEvent.click(await screen.findByRole("button", { name: "Heat sheet" }));
    await waitFor(() => expect(screen.getByTestId("heat-place-1").textContent).toBe("3"));
    await waitFor(() => expect((screen.getByLabelText("Places in") as HTMLSelectElement).options.length).toBe(2));
    fireEvent.change(screen.getByLabelText("Places in"), { target: { value: "5" } });
    await waitFor(() => expect(screen.getByTestId("heat-place-1").textContent).toBe("1"));
    expect(asked).toContain(5);
    expect(screen.getByRole("columnheader", { name: "Place in Women" })).toBeTruthy();
  });
});
