import { describe, expect, it } from "vitest";
import { fireEvent, render, screen, waitFor, within } from "@testing-library/preact";
import { App } from "../src/app";
import { createMockBackend } from "../src/api/mock";
import type { ExportRequest } from "../src/api/backend";
import { competition, fran } from "./fixtures";

const divisions = [{ id: 5, name: "Women", kind: "open", gender: "female", min_age: null, max_age: null }];

describe("export dialog", () => {
  it("exports a workout CSV for a division to a typed path and lists what was written", async () => {
    const backend = createMockBackend({
      competition,
      workouts: [fran],
      divisions: divisions as never,
      integrations: {
        exportOutcome: (request) => ({
          summary: `Export written: ${request.path}`,
          files: [{ path: request.path, bytes: 412, sha256: "ab".repeat(32), contents: "results CSV of Fran, Women" }],
          skipped: [],
        }),
      },
    });
    render(<App backend={backend} initialScreen="export" />);
    await waitFor(() => expect((screen.getByLabelText("Workout") as HTMLSelectElement).value).toBe("1"));
    await waitFor(() => expect((screen.getByLabelText("Division") as HTMLSelectElement).options.length).toBe(2));
    fireEvent.change(screen.getByLabelText("Division"), { target: { value: "5" } });
    const exportButton = screen.getByLabelText("Export now") as HTMLButtonElement;
    expect(exportButton.disabled).toBe(true);
    fireEvent.input(screen.getByLabelText("Save to"), { target: { value: "/tmp/out/fran.csv" } });
    fireEvent.click(exportButton);
    const files = await screen.findByRole("table", { name: "Files written" });
    const row = within(files).getAllByRole("row")[1];
    expect(row.textContent).toContain("/tmp/out/fran.csv");
    expect(row.textContent).toContain("412");
    expect(row.textContent).toContain("abababababababab…");
    const request = backend.integrationCalls.find((call) => call.name === "runExport")!.args[0] as ExportRequest;
    expect(request).toMatchObject({ kind: "workout_csv", path: "/tmp/out/fran.csv", workout_id: 1, division_id: 5 });
  });

  it("sends the award rules, including gender-overall awards and whether winners also take division awards", async () => {
    const backend = createMockBackend({
      competition,
      workouts: [fran],
      integrations: { exportOutcome: () => ({ summary: "Export written", files: [], skipped: [] }), dialogPath: "/tmp/awards.pdf" },
    });
    render(<App backend={backend} initialScreen="export" />);
    fireEvent.change(await screen.findByLabelText("What to export"), { target: { value: "awards" } });
    fireEvent.input(screen.getByLabelText("Awards per division"), { target: { value: "5" } });
    fireEvent.input(screen.getByLabelText("Overall awards"), { target: { value: "3" } });
    fireEvent.input(screen.getByLabelText("Overall awards per gender"), { target: { value: "2" } });
    const double = screen.getByLabelText("Overall winners also take division awards") as HTMLInputElement;
    expect(double.checked).toBe(true);
    fireEvent.click(double);
    fireEvent.click(screen.getByLabelText("Choose where with a dialog"));
    await waitFor(() => expect((screen.getByLabelText("Save to") as HTMLInputElement).value).toBe("/tmp/awards.pdf"));
    expect(backend.integrationCalls.find((call) => call.name === "choosePath")!.args).toEqual(["save", "awards.pdf"]);
    fireEvent.click(screen.getByLabelText("Export now"));
    await screen.findByRole("status", { name: "Export result" });
    const request = backend.integrationCalls.find((call) => call.name === "runExport")!.args[0] as ExportRequest;
    expect(request).toMatchObject({ kind: "awards", format: "pdf", awards_per_division: 5, overall_awards: 3, gender_overall_awards: 2, overall_winners_also_take_division_awards: false });
  });

  it("shows the backend's error and writes nothing when an export is refused", async () => {
    const backend = createMockBackend({
      competition,
      workouts: [fran],
      integrations: { exportOutcome: (request) => (request.kind === "verify" ? `${request.path} is not intact: 1 problem found` : "unexpected") },
    });
    render(<App backend={backend} initialScreen="export" />);
    fireEvent.change(await screen.findByLabelText("What to export"), { target: { value: "verify" } });
    fireEvent.input(screen.getByLabelText("Archive to verify"), { target: { value: "/tmp/day-end.zip" } });
    fireEvent.click(screen.getByLabelText("Verify archive"));
    expect((await screen.findByTestId("export-error")).textContent).toBe("/tmp/day-end.zip is not intact: 1 problem found");
    expect(screen.queryByRole("table", { name: "Files written" })).toBeNull();
  });
});
