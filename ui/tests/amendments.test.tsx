import { describe, expect, it } from "vitest";
import { fireEvent, render, screen, waitFor, within } from "@testing-library/preact";
import { App } from "../src/app";
import { createMockBackend } from "../src/api/mock";
import { competition, competitors, fran, franBoard } from "./fixtures";

describe("amendments", () => {
  it("finds a score, amends it with a reason and shows history and who moved", async () => {
    const backend = createMockBackend({
      competition,
      workouts: [{ ...fran }],
      competitors,
      leaderboards: { 1: franBoard },
      amendmentImpacts: {
        "1:103": [
          { bib: "103", name: "Katherine Johnson", division: null, old_rank: 2, new_rank: 1 },
          { bib: "101", name: "Ada Lovelace", division: null, old_rank: 1, new_rank: 2 },
        ],
      },
    });
    render(<App backend={backend} initialScreen="amendments" />);
    await waitFor(() => expect((screen.getByLabelText("Workout") as HTMLSelectElement).value).toBe("1"));
    fireEvent.input(await screen.findByLabelText("Find a score (bib or name)"), { target: { value: "103" } });
    fireEvent.click(screen.getByLabelText("Find score"));
    await screen.findByText("Bib 103 Katherine Johnson");
    expect(screen.getByTestId("amend-current").textContent).toBe("4:01.0");

    const amend = screen.getByLabelText("Amend score") as HTMLButtonElement;
    expect(amend.disabled).toBe(true);
    fireEvent.input(screen.getByLabelText("New score"), { target: { value: "3:10.0" } });
    fireEvent.input(screen.getByLabelText("Reason"), { target: { value: "Video review" } });
    fireEvent.input(screen.getByLabelText("Appeal reference"), { target: { value: "APL-7" } });
    fireEvent.input(screen.getByLabelText("Official"), { target: { value: "Head judge" } });
    expect(amend.disabled).toBe(false);
    fireEvent.click(amend);

    const impact = await screen.findByRole("table", { name: "Placement impact" });
    expect(within(impact).getAllByRole("row")).toHaveLength(3);
    expect(screen.getByTestId("impact-count").textContent).toBe("2 places of 2 athletes.");
    expect(impact.textContent).toContain("Katherine Johnson");
    const history = screen.getByRole("table", { name: "Score history" });
    expect(history.textContent).toContain("4:01.0 → 3:10.0");
    expect(history.textContent).toContain("Video review");
    expect(history.textContent).toContain("APL-7");
    expect(screen.getByTestId("amend-current").textContent).toBe("3:10.0");
  });

  it("tells the official when nothing matches", async () => {
    const backend = createMockBackend({ competition, workouts: [{ ...fran }], competitors, leaderboards: { 1: franBoard } });
    render(<App backend={backend} initialScreen="amendments" />);
    await waitFor(() => expect((screen.getByLabelText("Workout") as HTMLSelectElement).value).toBe("1"));
    fireEvent.input(await screen.findByLabelText("Find a score (bib or name)"), { target: { value: "Nobody" } });
    fireEvent.click(screen.getByLabelText("Find score"));
    expect((await screen.findByRole("alert")).textContent).toContain("No score in this workout matches");
  });
});
