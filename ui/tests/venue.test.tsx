// The venue display: large-type board, pages through divisions, live, marks
// provisional results, and has nothing to press or type into.

import { afterEach, describe, expect, it, vi } from "vitest";
import { act, fireEvent, render, screen, waitFor, within } from "@testing-library/preact";
import { App } from "../src/app";
import { VenueDisplay } from "../src/screens/VenueDisplay";
import { createMockBackend } from "../src/api/mock";
import type { DivisionView } from "../src/api/backend";
import { competition, competitors, fran, franBoard, row } from "./fixtures";

const divisions: DivisionView[] = [
  { id: 1, name: "Women RX", kind: "gender", gender: "female", min_age: null, max_age: null },
  { id: 2, name: "Men RX", kind: "gender", gender: "male", min_age: null, max_age: null },
] as DivisionView[];

describe("venue display", () => {
  afterEach(() => vi.useRealTimers());

  it("shows the board in large type, pages through divisions, follows score changes and marks provisional", async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    const backend = createMockBackend({ competition, workouts: [fran], competitors, divisions, leaderboards: { 1: franBoard }, screens: { venue: { workout_id: 1, division_id: null, page_seconds: 10 } } });
    const { container } = render(<VenueDisplay backend={backend} />);
    const standings = await screen.findByRole("list", { name: "Standings" });
    await waitFor(() => expect(within(standings).getAllByRole("listitem")).toHaveLength(4));
    expect(screen.getByRole("heading").textContent).toContain("Fran");
    expect(screen.getByRole("heading").textContent).toContain("Women RX");
    expect(screen.getByTestId("venue-state").textContent).toBe("PROVISIONAL");
    expect(screen.getByTestId("venue-page").textContent).toBe("Division 1 of 2 · next: Men RX");
    expect(backend.calls.filter((call) => call === "leaderboardPage")).toHaveLength(1);

    await act(async () => {
      vi.advanceTimersByTime(10_000);
    });
    await waitFor(() => expect(screen.getByRole("heading").textContent).toContain("Men RX"));

    // A new ranking arrives: the display re-asks without being touched.
    backend.setLeaderboard({ ...franBoard, state: "official", rows: [row(1, false, "104", "Hedy Lamarr", "2:59.0"), ...franBoard.rows.slice(0, 3)] });
    await waitFor(() => expect(within(standings).getAllByRole("listitem")[0].textContent).toContain("Hedy Lamarr"));
    await waitFor(() => expect(screen.getByTestId("venue-state").textContent).toBe("OFFICIAL"));

    // Nothing to press or type into.
    expect(container.querySelectorAll("button, input, select, textarea, a")).toHaveLength(0);
  });

  it("is opened from the leaderboard with the board and division in view", async () => {
    const backend = createMockBackend({ competition, workouts: [fran], competitors, divisions, leaderboards: { 1: franBoard } });
    render(<App backend={backend} initialScreen="leaderboard" />);
    await screen.findByRole("grid");
    await waitFor(() => expect((screen.getByLabelText("Show") as HTMLSelectElement).value).toBe("1"));
    fireEvent.change(screen.getByLabelText("Division"), { target: { value: "2" } });
    fireEvent.click(screen.getByRole("button", { name: "Open the venue display for this board" }));
    await waitFor(async () => expect(await backend.venueConfig()).toEqual({ workout_id: 1, division_id: 2, page_seconds: 10 }));
  });
});
