import { describe, expect, it } from "vitest";
import { fireEvent, render, screen, waitFor } from "@testing-library/preact";
import { App } from "../src/app";
import { createMockBackend } from "../src/api/mock";
import { competition, competitor } from "./fixtures";

describe("start screen", () => {
  it("creates a competition at a typed path and lands on the screens", async () => {
    const backend = createMockBackend();
    render(<App backend={backend} initialScreen="setup" />);
    fireEvent.input(await screen.findByLabelText("Competition name"), { target: { value: "Winter Games" } });
    fireEvent.input(screen.getByLabelText("File path (leave empty to choose with a dialog)"), { target: { value: "/tmp/winter.scoretable" } });
    fireEvent.click(screen.getByLabelText("Create competition"));
    await waitFor(() => expect(screen.getByTestId("competition-name").textContent).toBe("Winter Games"));
    expect(backend.calls).toContain("createCompetition");
    expect(backend.calls).not.toContain("createCompetitionDialog");
  });

  it("says why the file given at startup could not be opened", async () => {
    const backend = createMockBackend({ startupError: "Could not open /data/big.scoretable: it does not exist" });
    render(<App backend={backend} />);
    expect((await screen.findByRole("alert")).textContent).toBe("Could not open /data/big.scoretable: it does not exist");
    expect(await screen.findByLabelText("Competition name")).toBeTruthy();
  });

  it("uses the native dialog when no path is typed", async () => {
    const backend = createMockBackend();
    render(<App backend={backend} />);
    fireEvent.input(await screen.findByLabelText("Competition name"), { target: { value: "Winter Games" } });
    fireEvent.click(screen.getByLabelText("Create competition"));
    await waitFor(() => expect(backend.calls).toContain("createCompetitionDialog"));
  });
});

describe("setup", () => {
  it("adds a workout with timing points and heats and lists it", async () => {
    const backend = createMockBackend({ competition });
    render(<App backend={backend} initialScreen="setup" />);
    fireEvent.input(await screen.findByLabelText("Workout name"), { target: { value: "Sprint triathlon" } });
    fireEvent.change(screen.getByLabelText("Score type"), { target: { value: "time" } });
    fireEvent.input(screen.getByLabelText("Timing points (comma separated, in course order)"), { target: { value: "Swim, T1, Bike" } });
    fireEvent.input(screen.getByLabelText("Heats (comma separated)"), { target: { value: "Wave A, Wave B" } });
    fireEvent.click(screen.getByLabelText("Add workout"));
    await screen.findByText("Workout Sprint triathlon added.");
    const table = screen.getByRole("table", { name: "Workouts" });
    expect(table.textContent).toContain("Sprint triathlon");
    expect(table.textContent).toContain("3 / 2");
    const toggle = screen.getByLabelText("Sprint triathlon: Provisional. Mark official");
    fireEvent.click(toggle);
    await screen.findByText("Sprint triathlon is now official.");
  });

  it("adds a division", async () => {
    const backend = createMockBackend({ competition });
    render(<App backend={backend} initialScreen="setup" />);
    fireEvent.input(await screen.findByLabelText("Division name"), { target: { value: "Masters 40+" } });
    fireEvent.change(screen.getByLabelText("Kind"), { target: { value: "age_group" } });
    fireEvent.input(screen.getByLabelText("Min age"), { target: { value: "40" } });
    fireEvent.click(screen.getByLabelText("Add division"));
    await screen.findByText("Division Masters 40+ added.");
    expect(screen.getByRole("list", { name: "Divisions" }).textContent).toContain("ages 40–…");
  });

  it("stores how team workouts count in the individual overall", async () => {
    const backend = createMockBackend({
      competition,
      overallSettings: {
        team_workouts: "excluded",
        team_workouts_note: "Team workouts are not counted in individuals' overall totals.",
        team_workout_names: ["Relay"],
      },
    });
    render(<App backend={backend} initialScreen="setup" />);
    const select = (await screen.findByLabelText("Team workouts in the individual overall")) as HTMLSelectElement;
    expect(select.value).toBe("excluded");
    expect(screen.getByText(/Team workouts: Relay\./).textContent).toContain("not counted");
    fireEvent.change(select, { target: { value: "team_place" } });
    await screen.findByText("Overall: In team workouts each member is credited with the team's place.");
    expect(backend.calls).toContain("setTeamWorkoutsRule:team_place");
    await waitFor(() => expect((screen.getByLabelText("Team workouts in the individual overall") as HTMLSelectElement).value).toBe("team_place"));
  });
});

describe("competitors", () => {
  it("imports a CSV with a progress bar and lists the competitors", async () => {
    const rows = Array.from({ length: 250 }, (_, index) => competitor(index + 1, String(500 + index), "Runner", `Number${index}`));
    const backend = createMockBackend({ competition, csvFiles: { "/data/start-list.csv": rows } });
    render(<App backend={backend} initialScreen="competitors" />);
    fireEvent.input(await screen.findByLabelText("CSV path"), { target: { value: "/data/start-list.csv" } });
    fireEvent.click(screen.getByLabelText("Import CSV at path"));
    await screen.findByText("Read 250 competitors from /data/start-list.csv: 250 new, 0 updated.");
    const progress = screen.getByLabelText("Import progress") as HTMLProgressElement;
    expect(progress.value).toBe(250);
    expect(progress.max).toBe(250);
    fireEvent.input(screen.getByLabelText("Find (bib, name or club)"), { target: { value: "600" } });
    await screen.findByText("1 competitors match");
  });

  it("names the file when an import fails", async () => {
    const backend = createMockBackend({ competition });
    render(<App backend={backend} initialScreen="competitors" />);
    fireEvent.input(await screen.findByLabelText("CSV path"), { target: { value: "/data/missing.csv" } });
    fireEvent.click(screen.getByLabelText("Import CSV at path"));
    expect((await screen.findByRole("alert")).textContent).toContain("/data/missing.csv");
  });

  it("says in the header when the file is open read-only, and why", async () => {
    const reason = "/tmp/spring.scoretable cannot be changed: the file is read-only";
    const backend = createMockBackend({ competition: { ...competition, read_only: reason } });
    render(<App backend={backend} initialScreen="competitors" />);
    const badge = await screen.findByTestId("read-only");
    expect(badge.textContent).toContain("Read-only");
    expect(badge.textContent).toContain("the file is read-only");
  });

  it("shows no read-only badge for a writable file", async () => {
    const backend = createMockBackend({ competition });
    render(<App backend={backend} initialScreen="competitors" />);
    await screen.findByTestId("competition-name");
    expect(screen.queryByTestId("read-only")).toBeNull();
  });
});
