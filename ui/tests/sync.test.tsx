import { describe, expect, it } from "vitest";
import { fireEvent, render, screen, waitFor, within } from "@testing-library/preact";
import { App } from "../src/app";
import { createMockBackend } from "../src/api/mock";
import type { NewSyncTargetRequest, StatusView, SyncTargetView } from "../src/api/backend";
import { competition, fran } from "./fixtures";

const target: SyncTargetView = {
  name: "rsu",
  platform: "runsignup",
  endpoint: "http://127.0.0.1:9",
  enabled: true,
  queued: 12,
  in_flight: 0,
  acknowledged: 30,
  rejected: 1,
  last_success_at: "2026-11-23T08:00:00Z",
  last_error: "connection refused",
  last_error_at: "2026-11-23T09:00:00Z",
  next_attempt_at: "2026-11-23T09:00:30Z",
  consecutive_failures: 4,
  rejections: [{ entity: "result:fran:bib 104", message: "400: bib 104 is not registered" }],
};

const plainStatus: StatusView = {
  targets: [
    {
      name: "rsu",
      platform: "RunSignup",
      state: "offline",
      waiting: 12,
      refused: 1,
      problem: "Can't reach RunSignup (connection refused).",
      detail: "connection refused",
      next_attempt_at: "2026-11-23T09:00:30Z",
      last_success_at: "2026-11-23T08:00:00Z",
    },
  ],
  feeds: [],
  backup: { last_at: null, file_name: null, directory: "/tmp/b", automatic: true, every_writes: 100, every_minutes: 10, keep: 10, problem: null, detail: null },
};

describe("sync status", () => {
  it("shows queued, last success, retryable errors apart from rejections, previews and syncs", async () => {
    const backend = createMockBackend({
      competition,
      workouts: [fran],
      screens: { status: plainStatus },
      integrations: {
        syncTargets: [target],
        syncPreviews: {
          rsu: {
            target: "rsu",
            changes: [{ entity: "result:fran:bib 101", action: "update", before: '{"time":"3:10"}', after: '{"time":"3:05"}', note: null }],
            requests: ["POST http://127.0.0.1:9/rest/race/1/results/full"],
          },
        },
      },
    });
    render(<App backend={backend} initialScreen="sync" />);
    const card = await screen.findByRole("article", { name: "Target rsu" });
    expect(screen.getByTestId("queued-rsu").textContent).toBe("12");
    // Times in the competition's zone (London is on UTC in November).
    expect(card.textContent).toContain("23 Nov 08:00:00");
    const retry = screen.getByTestId("retryable-rsu");
    expect(retry.querySelector(".plain")?.textContent).toBe("Can't reach RunSignup (connection refused). 12 results are waiting; next try at 23 Nov 09:00:30. (4 failures in a row)");
    // The technical message is behind the details toggle.
    expect(retry.querySelector("details summary")?.textContent).toBe("details");
    expect(retry.querySelector("details")?.textContent).toContain("connection refused");
    expect(retry.querySelector(".plain")?.textContent).not.toContain("2026-11-23T09:00:30Z");
    const rejections = within(card).getByRole("list", { name: "Rejections of rsu" });
    expect(rejections.textContent).toContain("400: bib 104 is not registered");
    expect(screen.getByTestId("retryable-rsu").textContent).not.toContain("bib 104");

    fireEvent.click(screen.getByLabelText("Preview changes on rsu"));
    const preview = await screen.findByRole("table", { name: "Sync preview" });
    expect(preview.textContent).toContain('{"time":"3:05"}');
    expect(backend.integrationCalls.some((call) => call.name === "syncNow")).toBe(false);

    fireEvent.click(screen.getByLabelText("Sync rsu now"));
    await screen.findByText(/rsu: 0 acknowledged, 0 rejected, some still queued — connection refused/);
  });

  it("queues rejected rows again with Retry rejected", async () => {
    const backend = createMockBackend({ competition, workouts: [fran], integrations: { syncTargets: [{ ...target }] } });
    render(<App backend={backend} initialScreen="sync" />);
    await screen.findByRole("article", { name: "Target rsu" });
    fireEvent.click(screen.getByLabelText("Retry rejected rows of rsu"));
    await screen.findByText("rsu: 1 rejected row(s) queued again.");
    expect(backend.integrationCalls.some((call) => call.name === "retryRejected")).toBe(true);
    await waitFor(() => expect(screen.getByTestId("queued-rsu").textContent).toBe("13"));
    expect(screen.queryByLabelText("Retry rejected rows of rsu")).toBeNull();
  });

  it("reloads the cards when the backend pushes a new status, with no timer", async () => {
    const backend = createMockBackend({ competition, workouts: [fran], integrations: { syncTargets: [target] }, screens: { status: plainStatus } });
    render(<App backend={backend} initialScreen="sync" />);
    await screen.findByRole("article", { name: "Target rsu" });
    const before = backend.integrationCalls.filter((call) => call.name === "syncTargetsStatus").length;
    // Nothing is fetched again without a push.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(backend.integrationCalls.filter((call) => call.name === "syncTargetsStatus").length).toBe(before);
    backend.pushStatus({ ...plainStatus, targets: [{ ...plainStatus.targets[0], state: "up_to_date", waiting: 0, problem: null, detail: null, next_attempt_at: null }] });
    await waitFor(() => expect(backend.integrationCalls.filter((call) => call.name === "syncTargetsStatus").length).toBe(before + 1));
  });

  it("adds a target with its secret and never shows the secret back", async () => {
    const backend = createMockBackend({ competition, workouts: [fran], integrations: { syncTargets: [] } });
    render(<App backend={backend} initialScreen="sync" />);
    await screen.findByText("No sync targets yet. Add one below.");
    fireEvent.input(screen.getByLabelText("Target name"), { target: { value: "opentrack" } });
    fireEvent.change(screen.getByLabelText("Platform"), { target: { value: "opentrack" } });
    fireEvent.input(screen.getByLabelText("Endpoint URL"), { target: { value: "https://opentrack.run" } });
    await waitFor(() => expect((screen.getByLabelText("Workout to send") as HTMLSelectElement).options.length).toBe(2));
    fireEvent.change(screen.getByLabelText("Workout to send"), { target: { value: "1" } });
    fireEvent.input(screen.getByLabelText("Platform's id for it (event id)"), { target: { value: "E7" } });
    const secret = screen.getByLabelText("Secret (stored in the OS keyring)") as HTMLInputElement;
    expect(secret.type).toBe("password");
    fireEvent.input(secret, { target: { value: "s3cr3t-token" } });
    fireEvent.click(screen.getByRole("button", { name: "Add target" }));
    await screen.findByText("Added opentrack; its secret is in the OS keyring.");
    expect(await screen.findByRole("article", { name: "Target opentrack" })).toBeTruthy();
    const sent = backend.integrationCalls.find((call) => call.name === "addSyncTarget")!.args[0] as NewSyncTargetRequest;
    expect(sent).toMatchObject({ name: "opentrack", platform: "opentrack", endpoint: "https://opentrack.run", workouts: [{ workout_id: 1, remote_id: "E7" }], secret: "s3cr3t-token" });
    expect((screen.getByLabelText("Secret (stored in the OS keyring)") as HTMLInputElement).value).toBe("");
    expect(document.body.textContent).not.toContain("s3cr3t-token");
  });

  it("says which store holds each target's secret, never the secret", async () => {
    const keyring = { ...target, name: "rsu", secret_stored_in: "OS keyring (scoretable-sync)" };
    const bare = { ...target, name: "ot", rejected: 0, rejections: [], last_error: null, next_attempt_at: null };
    const backend = createMockBackend({ competition, workouts: [fran], integrations: { syncTargets: [keyring, bare] } });
    render(<App backend={backend} initialScreen="sync" />);
    await waitFor(() => expect(screen.getByTestId("secret-store-rsu").textContent).toBe("OS keyring (scoretable-sync)"));
    expect(screen.getByTestId("secret-store-ot").textContent).toBe("none stored");
  });

  it("retries one refused row of a target, leaving the others refused", async () => {
    const twoRefused = {
      ...target,
      rejected: 2,
      rejections: [
        { entity: "result:fran:bib 104", message: "400: bib 104 is not registered" },
        { entity: "result:fran:bib 105", message: "400: bib 105 is not registered" },
      ],
    };
    const backend = createMockBackend({ competition, workouts: [fran], integrations: { syncTargets: [twoRefused] } });
    render(<App backend={backend} initialScreen="sync" />);
    fireEvent.click(await screen.findByRole("button", { name: "Retry result:fran:bib 105 on rsu" }));
    await screen.findByText("rsu: result:fran:bib 105 queued again.");
    expect(backend.integrationCalls.find((call) => call.name === "retryRejected")?.args).toEqual(["rsu", "result:fran:bib 105"]);
    await waitFor(() => expect(screen.queryByRole("button", { name: "Retry result:fran:bib 105 on rsu" })).toBeNull());
    expect(screen.getByRole("button", { name: "Retry result:fran:bib 104 on rsu" })).toBeTruthy();
  });
});
