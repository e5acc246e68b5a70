import { describe, expect, it } from "vitest";
import { fireEvent, render, screen, waitFor, within } from "@testing-library/preact";
import { App } from "../src/app";
import { createMockBackend } from "../src/api/mock";
import type { MappingDraft, MappingPreviewView } from "../src/api/backend";
import { competition, competitors, fran } from "./fixtures";

const run5k = { ...fran, id: 2, name: "5k", sequence: 2, timing_points: [{ id: 7, order: 1, name: "Halfway" }] };

const source = { source_name: "results.csv", format: "csv", field_names: ["Bib", "Time", "Status", "Split1"], total_records: 3 };

// The preview fixture echoes which fields the draft chose, so the test sees
// that the screen sent what was selected; the rows stand for what the
// backend's mapping would produce.
const preview = (draft: MappingDraft): MappingPreviewView => ({
  source_name: "results.csv",
  format: "csv",
  field_names: source.field_names,
  missing_fields: [],
  total_records: 3,
  ready: 2,
  waiting: 0,
  invalid: 1,
  rows: [
    { index: 1, state: "ready", identifier: "101", team: null, display: "20:01.0", splits: [`Halfway: 10:00.0 (${draft.splits[0]?.field})`], problems: [] },
    { index: 2, state: "ready", identifier: "102", team: null, display: "DNF", splits: [], problems: [] },
    { index: 3, state: "invalid", identifier: "103", team: null, display: "", splits: [], problems: [`${draft.value_field}: expected a time like 20:01.0, got "abc"`] },
  ],
});

describe("field mapping", () => {
  it("reads a file's fields, maps them, previews rows with errors, saves and imports", async () => {
    const backend = createMockBackend({
      competition,
      workouts: [run5k],
      competitors,
      integrations: {
        sources: { "/data/results.csv": source },
        preview,
        imports: {
          "/data/results.csv": {
            file_name: "results.csv",
            format: "csv",
            records: 3,
            waiting: 0,
            imported: 2,
            already_imported: 0,
            matched: 0,
            new_conflicts: 0,
            unknown: 1,
            ignored: 0,
            provisional_teams: [],
          },
        },
      },
    });
    render(<App backend={backend} initialScreen="mapping" />);
    await waitFor(() => expect((screen.getByLabelText("Workout") as HTMLSelectElement).value).toBe("2"));
    fireEvent.input(screen.getByLabelText("Source file path"), { target: { value: "/data/results.csv" } });
    fireEvent.click(screen.getByLabelText("Read source fields"));
    await screen.findByText(/results.csv: csv, 3 records, 4 fields/);

    const participant = screen.getByLabelText("Participant field") as HTMLSelectElement;
    expect(Array.from(participant.options).map((option) => option.value)).toEqual(["", "Bib", "Time", "Status", "Split1"]);
    const previewButton = screen.getByLabelText("Preview import") as HTMLButtonElement;
    expect(previewButton.disabled).toBe(true);
    fireEvent.change(participant, { target: { value: "Bib" } });
    fireEvent.change(screen.getByLabelText("Result field"), { target: { value: "Time" } });
    fireEvent.change(screen.getByLabelText("Status field"), { target: { value: "Status" } });
    fireEvent.change(screen.getByLabelText("Split: Halfway"), { target: { value: "Split1" } });
    fireEvent.click(previewButton);

    const table = await screen.findByRole("table", { name: "Import preview" });
    const rows = within(table).getAllByRole("row");
    expect(rows).toHaveLength(4);
    expect(rows[1].textContent).toContain("Halfway: 10:00.0 (Split1)");
    expect(rows[3].textContent).toContain('Time: expected a time like 20:01.0, got "abc"');
    expect(screen.getByTestId("preview-summary").textContent).toContain("2 ready, 0 waiting, 1 with errors");
    const sent = backend.integrationCalls.find((call) => call.name === "previewMapping")!.args[0] as MappingDraft;
    expect(sent).toMatchObject({ workout_id: 2, identifier_field: "Bib", identifier_kind: "bib", value_field: "Time", status_field: "Status", splits: [{ field: "Split1", timing_point: "Halfway" }] });

    fireEvent.input(screen.getByLabelText("Mapping name"), { target: { value: "chip-file" } });
    fireEvent.click(screen.getByLabelText("Save mapping"));
    await screen.findByText("Saved mapping chip-file for 5k.");
    fireEvent.click(screen.getByLabelText("Import file"));
    const report = await screen.findByTestId("import-report");
    expect(report.textContent).toContain("2 imported");
    expect(report.textContent).toContain("1 unknown (review queue)");
  });

  it("shows the backend's error for a file it cannot read", async () => {
    const backend = createMockBackend({ competition, workouts: [run5k], integrations: { sources: {} } });
    render(<App backend={backend} initialScreen="mapping" />);
    fireEvent.input(await screen.findByLabelText("Source file path"), { target: { value: "/missing.csv" } });
    fireEvent.click(screen.getByLabelText("Read source fields"));
    expect((await screen.findByRole("alert")).textContent).toBe("Cannot read /missing.csv: no such file.");
  });

  it("adds a connection, shows its status and last poll, and starts and stops polling", async () => {
    const backend = createMockBackend({
      competition,
      workouts: [run5k],
      integrations: {
        connections: [
          {
            name: "finish",
            url: "http://timing.local/feed",
            workout_id: 2,
            mapping_name: "feed",
            format: "json",
            interval_ms: 5000,
            enabled: true,
            state: "backing off",
            message: "connection refused",
            consecutive_failures: 3,
            last_success_at: "2026-11-23T09:00:00Z",
            next_attempt_at: null,
            polling: false,
            provisional_teams: ["Relay Rockets (1/2)"],
          },
        ],
        rehearsals: {
          "/data/recording.txt": { payloads: 2, failed_payloads: 1, imported: 5, skipped: 5, new_conflicts: 1, unknown: 0, invalid: 0, steps: ["Payload 1: 5 records, 5 imported, 0 conflicts, 0 unknown, 0 invalid", "Payload 2: unusable: malformed JSON"] },
        },
      },
    });
    backend.pushStatus({
      targets: [],
      feeds: [{ name: "finish", state: "offline", polling: false, last_success_at: "2026-11-23T09:00:00Z", next_attempt_at: null, problem: "Can't reach the finish feed (connection refused).", detail: "connection refused" }],
      backup: { last_at: null, file_name: null, directory: "", automatic: true, every_writes: 100, every_minutes: 10, keep: 10, problem: null, detail: null },
    });
    render(<App backend={backend} initialScreen="mapping" />);
    fireEvent.click(await screen.findByLabelText("Connections"));
    const table = await screen.findByRole("table", { name: "Connections" });
    expect(screen.getByTestId("connection-state-finish").textContent).toContain("backing off");
    // In the competition's time zone (London is on UTC in November), not the raw instant.
    expect(table.textContent).toContain("23 Nov 09:00:00");
    expect(table.textContent).not.toContain("2026-11-23T09:00:00Z");
    // The plain sentence comes from the backend's status; the technical message is behind "details".
    expect(table.textContent).toContain("Can't reach the finish feed (connection refused).");
    expect(table.querySelector("details")?.textContent).toContain("connection refused");
    // The last poll's partial teams, as the backend reported them.
    expect(screen.getByTestId("connection-partial-finish").textContent).toContain("Relay Rockets (1/2)");
    fireEvent.click(screen.getByLabelText("Start polling finish"));
    await screen.findByLabelText("Stop polling finish");
    fireEvent.click(screen.getByLabelText("Stop polling finish"));
    await screen.findByLabelText("Start polling finish");
    expect(backend.integrationCalls.map((call) => call.name)).toEqual(expect.arrayContaining(["startPolling", "stopPolling"]));

    fireEvent.change(screen.getByLabelText("Rehearse connection"), { target: { value: "finish" } });
    fireEvent.input(screen.getByLabelText("Recorded feed file"), { target: { value: "/data/recording.txt" } });
    fireEvent.click(screen.getByLabelText("Run rehearsal"));
    const report = await screen.findByRole("status", { name: "Rehearsal report" });
    expect(report.textContent).toContain("2 payloads (1 unusable): would import 5");
    expect(report.textContent).toContain("Payload 2: unusable: malformed JSON");

    // A new connection needs a saved mapping name.
    fireEvent.input(screen.getByLabelText("Connection name"), { target: { value: "start" } });
    fireEvent.input(screen.getByLabelText("Feed URL"), { target: { value: "http://timing.local/start" } });
    const add = screen.getAllByLabelText("Add connection").find((element) => element.tagName === "BUTTON") as HTMLButtonElement;
    expect(add.disabled).toBe(true);
  });

  it("accepts a conflict only with a reason, dismisses one, and assigns a review item to a bib", async () => {
    const conflict = (id: number, entrant: string) => ({ id, source_name: "finish", workout_id: 2, entrant, imported: "20:01.0", incoming: "19:58.0", times_seen: 2, detected_at: "2026-11-23T09:00:00Z" });
    const backend = createMockBackend({
      competition,
      workouts: [run5k],
      integrations: {
        conflicts: [conflict(1, "101 Ada Lovelace"), conflict(2, "102 Grace Hopper")],
        reviewItems: [{ id: 9, source_name: "finish", workout_id: 2, identifier: "chip 0042", value: "21:00.0", reason: "no competitor has this chip", times_seen: 1 }],
      },
    });
    render(<App backend={backend} initialScreen="mapping" />);
    fireEvent.click(await screen.findByLabelText("Inbox (3)"));
    const accept = (await screen.findByLabelText("Accept conflict 1 as amendment")) as HTMLButtonElement;
    expect(accept.disabled).toBe(true);
    fireEvent.input(screen.getByLabelText("Reason for conflict 1"), { target: { value: "Chip re-read" } });
    expect(accept.disabled).toBe(false);
    fireEvent.click(accept);
    await screen.findByText("Conflict 1 accepted as an amendment.");
    fireEvent.click(screen.getByLabelText("Dismiss conflict 2"));
    await screen.findByText("No open conflicts.");
    expect(backend.integrationCalls.filter((call) => call.name === "resolveConflict").map((call) => call.args)).toEqual([
      [1, true, "Chip re-read"],
      [2, false, ""],
    ]);

    fireEvent.input(screen.getByLabelText("Bib for review item 9"), { target: { value: "103" } });
    fireEvent.click(screen.getByLabelText("Assign review item 9"));
    await screen.findByText("Nothing to review.");
    expect(backend.integrationCalls.find((call) => call.name === "assignReviewItem")!.args).toEqual([9, "103"]);
  });
  it("maps the Teammate ID field for one chip per team member, sends it, and shows the partial teams the import reports", async () => {
    const relay = { ...fran, id: 3, name: "Relay", sequence: 3, timing_points: [] };
    const feed = { source_name: "feed.json", format: "json", field_names: ["CompCornerID", "Teammate ID", "Time"], total_records: 2 };
    const backend = createMockBackend({
      competition,
      workouts: [relay],
      competitors,
      integrations: {
        sources: { "/data/feed.json": feed },
        // The rows stand for the backend's mapping: the teammate id comes back only when the draft maps it.
        preview: (draft) => ({
          source_name: "feed.json",
          format: "json",
          field_names: feed.field_names,
          missing_fields: [],
          total_records: 2,
          ready: 2,
          waiting: 0,
          invalid: 0,
          rows: [
            { index: 1, state: "ready", identifier: "T1", team: null, teammate: draft.teammate_field ? "P101" : undefined, display: "10:00.0", splits: [], problems: [] },
            { index: 2, state: "ready", identifier: "T1", team: null, teammate: draft.teammate_field ? "P102" : undefined, display: "10:30.0", splits: [], problems: [] },
          ],
        }),
        imports: {
          "/data/feed.json": { file_name: "feed.json", format: "json", records: 1, waiting: 0, imported: 1, already_imported: 0, matched: 0, new_conflicts: 0, unknown: 0, ignored: 0, provisional_teams: ["Relay Rockets (1/2)"] },
        },
      },
    });
    render(<App backend={backend} initialScreen="mapping" />);
    await waitFor(() => expect((screen.getByLabelText("Workout") as HTMLSelectElement).value).toBe("3"));
    fireEvent.input(screen.getByLabelText("Source file path"), { target: { value: "/data/feed.json" } });
    fireEvent.click(screen.getByLabelText("Read source fields"));
    await screen.findByText(/feed.json: json, 2 records, 3 fields/);
    const teammate = screen.getByLabelText("Teammate ID field") as HTMLSelectElement;
    expect(Array.from(teammate.options).map((option) => option.value)).toEqual(["", "CompCornerID", "Teammate ID", "Time"]);
    expect(screen.queryByTestId("teammate-note")).toBeNull();
    fireEvent.change(screen.getByLabelText("Participant field"), { target: { value: "CompCornerID" } });
    fireEvent.change(screen.getByLabelText("Participant field holds"), { target: { value: "feed_participant_id" } });
    fireEvent.change(screen.getByLabelText("Result field"), { target: { value: "Time" } });
    fireEvent.change(teammate, { target: { value: "Teammate ID" } });
    expect(screen.getByTestId("teammate-note").textContent).toContain("Records are kept apart by participant id and teammate id");
    fireEvent.click(screen.getByLabelText("Preview import"));
    const table = await screen.findByRole("table", { name: "Import preview" });
    expect(within(table).getAllByRole("columnheader").map((header) => header.textContent)).toContain("Teammate ID");
    expect(within(table).getAllByRole("row")[2].textContent).toContain("P102");
    const sent = backend.integrationCalls.find((call) => call.name === "previewMapping")!.args[0] as MappingDraft;
    expect(sent).toMatchObject({ identifier_field: "CompCornerID", identifier_kind: "feed_participant_id", teammate_field: "Teammate ID", team_field: null });

    fireEvent.input(screen.getByLabelText("Mapping name"), { target: { value: "relay-feed" } });
    fireEvent.click(screen.getByLabelText("Save mapping"));
    await screen.findByText("Saved mapping relay-feed for Relay.");
    const saved = backend.integrationCalls.find((call) => call.name === "saveFieldMapping")!.args[0] as MappingDraft;
    expect(saved.teammate_field).toBe("Teammate ID");
    fireEvent.click(screen.getByLabelText("Import file"));
    const partial = await screen.findByTestId("import-partial-teams");
    expect(partial.textContent).toContain("Relay Rockets (1/2)");
    expect(partial.textContent).toContain("members still missing");

    // Clearing the field removes it from the draft.
    fireEvent.change(teammate, { target: { value: "" } });
    expect(screen.queryByTestId("teammate-note")).toBeNull();
  });
  it("drops another workout's splits when the chosen workout has no saved mapping", async () => {
    const relay = { ...fran, id: 3, name: "Relay", sequence: 3, timing_points: [] };
    const backend = createMockBackend({ competition, workouts: [run5k, relay], competitors, integrations: { sources: { "/data/results.csv": source }, preview } });
    render(<App backend={backend} initialScreen="mapping" />);
    await waitFor(() => expect((screen.getByLabelText("Workout") as HTMLSelectElement).options.length).toBe(2));
    fireEvent.change(screen.getByLabelText("Workout"), { target: { value: "2" } });
    fireEvent.input(screen.getByLabelText("Source file path"), { target: { value: "/data/results.csv" } });
    fireEvent.click(screen.getByLabelText("Read source fields"));
    await screen.findByText(/results.csv: csv, 3 records, 4 fields/);
    fireEvent.change(screen.getByLabelText("Participant field"), { target: { value: "Bib" } });
    fireEvent.change(await screen.findByLabelText("Split: Halfway"), { target: { value: "Split1" } });
    fireEvent.change(screen.getByLabelText("Workout"), { target: { value: "3" } });
    await waitFor(() => expect(backend.integrationCalls.filter((call) => call.name === "listFieldMappings").length).toBeGreaterThan(1));
    fireEvent.click(screen.getByLabelText("Preview import"));
    await screen.findByRole("table", { name: "Import preview" });
    const sent = backend.integrationCalls.filter((call) => call.name === "previewMapping").pop()!.args[0] as MappingDraft;
    expect(sent).toMatchObject({ workout_id: 3, identifier_field: "Bib", splits: [] });
  });
});
