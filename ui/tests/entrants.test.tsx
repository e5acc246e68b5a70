import { describe, expect, it } from "vitest";
import { fireEvent, render, screen, waitFor, within } from "@testing-library/preact";
import { App } from "../src/app";
import { createMockBackend } from "../src/api/mock";
import type { CompetitorView, DivisionView } from "../src/api/backend";
import { parseMemberBibs } from "../src/screens/TeamsScreen";
import { competition, competitor } from "./fixtures";

const women: DivisionView = { id: 1, name: "Women", kind: "gender", gender: "female", min_age: null, max_age: null };
const scaled: DivisionView = { id: 2, name: "Scaled", kind: "custom", gender: null, min_age: null, max_age: null };
const masters: DivisionView = { id: 3, name: "Masters", kind: "age_group", gender: null, min_age: 40, max_age: null };

function people(): CompetitorView[] {
  return [
    { ...competitor(1, "101", "Ada", "Lovelace"), division_ids: [1], division_names: ["Women"] },
    { ...competitor(2, "102", "Grace", "Hopper"), division_ids: [1], division_names: ["Women"] },
    { ...competitor(3, "103", "Katherine", "Johnson"), division_ids: [1], division_names: ["Women"] },
  ];
}

function setup(screenId: "teams" | "competitors" | "setup") {
  const backend = createMockBackend({ competition, divisions: [women, scaled, masters], competitors: people() });
  render(<App backend={backend} initialScreen={screenId} />);
  return backend;
}

function expectEveryControlLabelled() {
  for (const element of document.querySelectorAll<HTMLElement>("input, select, button, textarea")) {
    const id = element.getAttribute("id");
    const labelled = element.getAttribute("aria-label") || (id && document.querySelector(`label[for="${id}"]`));
    expect(labelled, element.outerHTML).toBeTruthy();
  }
}

describe("teams", () => {
  it("splits member bibs on commas and spaces", () => {
    expect(parseMemberBibs(" 101, 102  103;104,, ")).toEqual(["101", "102", "103", "104"]);
  });

  it("adds a team with members picked by bib, changes its members and removes it", async () => {
    const backend = setup("teams");
    fireEvent.input(await screen.findByLabelText("Team name"), { target: { value: "Harbour A" } });
    fireEvent.input(screen.getByLabelText("Team bib"), { target: { value: "T1" } });
    await waitFor(() => expect(screen.getByLabelText("Division").querySelectorAll("option")).toHaveLength(4));
    fireEvent.change(screen.getByLabelText("Division"), { target: { value: "2" } });
    fireEvent.input(screen.getByLabelText(/^Member bibs/), { target: { value: "102, 101" } });
    // The typed bibs are shown with their names before saving.
    await waitFor(() => expect(screen.getByTestId("team-member-preview").textContent).toContain("102 Grace Hopper"));
    expectEveryControlLabelled();
    fireEvent.click(screen.getByLabelText("Add team"));
    await screen.findByText("Team Harbour A added with 2 members.");
    const table = screen.getByRole("table", { name: "Teams" });
    expect(within(table).getByRole("list", { name: "Members of Harbour A" }).textContent).toBe("102 Grace Hopper101 Ada Lovelace");
    expect(table.textContent).toContain("Scaled");
    expect(await backend.listTeams()).toHaveLength(1);

    fireEvent.click(within(table).getByLabelText("Edit team Harbour A"));
    const members = screen.getByLabelText(/^Member bibs/) as HTMLInputElement;
    expect(members.value).toBe("102, 101");
    fireEvent.input(members, { target: { value: "103 101 102" } });
    fireEvent.click(screen.getByLabelText("Save team"));
    await screen.findByText("Team Harbour A saved with 3 members.");
    expect([...screen.getByRole("list", { name: "Members of Harbour A" }).querySelectorAll("li")].map((item) => `${item.value}. ${item.textContent}`)).toEqual(["1. 103 Katherine Johnson", "2. 101 Ada Lovelace", "3. 102 Grace Hopper"]);

    fireEvent.click(screen.getByLabelText("Remove team Harbour A"));
    await screen.findByText("Team Harbour A removed.");
    expect(await backend.listTeams()).toHaveLength(0);
  });

  it("names an unknown member bib and adds nothing", async () => {
    const backend = setup("teams");
    fireEvent.input(await screen.findByLabelText("Team name"), { target: { value: "Ghosts" } });
    fireEvent.input(screen.getByLabelText(/^Member bibs/), { target: { value: "101, 999" } });
    expect(screen.getByTestId("team-member-preview").textContent).toContain("999 — unknown bib");
    fireEvent.click(screen.getByLabelText("Add team"));
    expect((await screen.findByRole("alert")).textContent).toBe("No competitor has bib 999, so they cannot join team Ghosts.");
    expect(await backend.listTeams()).toHaveLength(0);
  });
});

describe("division membership", () => {
  it("moves a competitor to another division from the Competitors screen", async () => {
    const backend = setup("competitors");
    fireEvent.input(await screen.findByLabelText("Bib to move"), { target: { value: "102" } });
    await screen.findByText("Grace Hopper");
    const womenBox = (await screen.findByLabelText("Women")) as HTMLInputElement;
    const scaledBox = screen.getByLabelText("Scaled") as HTMLInputElement;
    expect(womenBox.checked).toBe(true);
    expect(scaledBox.checked).toBe(false);
    fireEvent.click(womenBox);
    fireEvent.click(scaledBox);
    fireEvent.click(screen.getByLabelText("Save divisions"));
    await screen.findByText("Bib 102 Grace Hopper is now in Scaled.");
    const stored = (await backend.listCompetitors()).find((row) => row.bib === "102")!;
    expect(stored.division_ids).toEqual([2]);
    // The list shows the new division without re-reading every competitor.
    expect(screen.getByRole("grid", { name: "Athletes" }).textContent).toContain("Scaled");
    expectEveryControlLabelled();
  });

  it("puts a competitor in several divisions at once", async () => {
    const backend = setup("competitors");
    fireEvent.input(await screen.findByLabelText("Bib to move"), { target: { value: "101" } });
    await screen.findByText("Ada Lovelace");
    fireEvent.click(screen.getByLabelText("Masters"));
    fireEvent.click(screen.getByLabelText("Save divisions"));
    await screen.findByText("Bib 101 Ada Lovelace is now in Women, Masters.");
    expect((await backend.listCompetitors())[0].division_ids).toEqual([1, 3]);
  });

  it("edits a division and removes only an empty one", async () => {
    const backend = setup("setup");
    fireEvent.click(await screen.findByLabelText("Edit division Masters"));
    fireEvent.input(screen.getByLabelText("Name of division Masters"), { target: { value: "Masters 45+" } });
    fireEvent.input(screen.getByLabelText("Min age of division Masters"), { target: { value: "45" } });
    expectEveryControlLabelled();
    fireEvent.click(screen.getByLabelText("Save division Masters"));
    await screen.findByText("Division Masters 45+ saved.");
    expect((await backend.listDivisions()).find((division) => division.id === 3)).toMatchObject({ name: "Masters 45+", min_age: 45 });
    expect(screen.getByRole("list", { name: "Divisions" }).textContent).toContain("ages 45–…");

    fireEvent.click(screen.getByLabelText("Remove division Women"));
    expect((await screen.findByRole("alert")).textContent).toContain("Division Women still has 3 competitors");
    expect(await backend.listDivisions()).toHaveLength(3);
    fireEvent.click(screen.getByLabelText("Remove division Scaled"));
    await screen.findByText("Division Scaled removed.");
    expect((await backend.listDivisions()).map((division) => division.name)).toEqual(["Women", "Masters 45+"]);
  });
});
