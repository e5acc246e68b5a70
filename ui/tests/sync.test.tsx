import { describe, expect, it } from "vitest";
import { fireEvent, render, screen, waitFor, within } from "@testing-library/preact";
import { App } from "../src/app";
import { createMockBackend } from "../src/api/mock";
import type { NewSyncTargetRequest, SettingView, StatusView, SyncPlatformView, SyncTargetView } from "../src/api/backend";
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
  duplicates: [],
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

// Platforms as the backend's adapters describe them (`sync_platforms`); the
// form is built from these alone.
const setting = (key: string, label: string, kind: string, extra: Partial<SettingView> = {}): SettingView => ({ key, label, help: `${label} help.`, kind, required: false, default: null, choices: [], keys: [], ...extra });
const choices = (...pairs: Array<[string, string]>) => pairs.map(([value, label]) => ({ value, label }));
const platforms: SyncPlatformView[] = [
  {
    code: "runsignup",
    name: "RunSignup",
    remote_id_label: "RunSignup event_id",
    secret_hint: "API key:API secret",
    settings: [
      setting("race_id", "Race id", "text", { required: true }),
      setting("match_by", "Match registrants by", "choice", { default: "registration_id", choices: choices(["registration_id", "Registration id"], ["bib", "Bib"], ["chip", "Chip"]) }),
      setting("status_policy", "Statuses RunSignup lacks", "choice", { default: "reject", choices: choices(["reject", "Refuse the row"], ["map_to_nearest", "Send as the nearest"]) }),
      setting("result_set_ids", "Result set id", "per_workout"),
      setting("split_ids", "RunSignup split id", "per_timing_point"),
      setting("division_ids", "RunSignup division id", "per_division"),
      setting("custom_fields", "Custom fields", "pairs", { choices: choices(["club", "Club"], ["country", "Country"]) }),
    ],
  },
  {
    code: "opentrack",
    name: "OpenTrack",
    remote_id_label: "OpenTrack event id",
    secret_hint: "email:password",
    settings: [
      setting("organiser_id", "Organiser id", "text", { required: true }),
      setting("event_codes", "Event code", "per_workout", { required: true }),
      setting("rounds", "Round", "per_workout"),
      setting("status_codes", "OpenTrack code for statuses it lacks", "status_codes", { keys: choices(["LAP", "DNF"], ["WD", "DNS"], ["NC", "NM"], ["DNQ", "NM"]), choices: choices(["DQ", "DQ"], ["DNF", "DNF"], ["DNS", "DNS"], ["NM", "NM"]) }),
    ],
  },
  {
    code: "world_triathlon",
    name: "World Triathlon",
    remote_id_label: "World Triathlon prog_id",
    secret_hint: "API key",
    settings: [setting("sandbox", "Sandbox", "flag", { default: "true" }), setting("path", "Request path", "text", { default: "/v1/timing" })],
  },
];

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
    const backend = createMockBackend({ competition, workouts: [fran], integrations: { syncTargets: [], syncPlatforms: platforms } });
    render(<App backend={backend} initialScreen="sync" />);
    await screen.findByText("No sync targets yet. Add one below.");
    fireEvent.input(screen.getByLabelText("Target name"), { target: { value: "opentrack" } });
    await waitFor(() => expect((screen.getByLabelText("Platform") as HTMLSelectElement).options.length).toBe(3));
    fireEvent.change(screen.getByLabelText("Platform"), { target: { value: "opentrack" } });
    fireEvent.input(screen.getByLabelText("Endpoint URL"), { target: { value: "https://opentrack.run" } });
    await waitFor(() => expect((screen.getByLabelText("Workout to send") as HTMLSelectElement).options.length).toBe(2));
    fireEvent.change(screen.getByLabelText("Workout to send"), { target: { value: "1" } });
    // The workout's id is labelled as the platform calls it.
    fireEvent.input(screen.getByLabelText("OpenTrack event id"), { target: { value: "E7" } });
    fireEvent.input(screen.getByLabelText("Organiser id (required)"), { target: { value: "org-9" } });
    fireEvent.input(screen.getByLabelText("Event code: Fran"), { target: { value: "100" } });
    const secret = screen.getByLabelText("Secret (stored in the OS keyring)") as HTMLInputElement;
    expect(secret.type).toBe("password");
    expect(secret.placeholder).toBe("email:password");
    fireEvent.input(secret, { target: { value: "s3cr3t-token" } });
    fireEvent.click(screen.getByRole("button", { name: "Add target" }));
    await screen.findByText("Added opentrack; its secret is in the OS keyring.");
    expect(await screen.findByRole("article", { name: "Target opentrack" })).toBeTruthy();
    const sent = backend.integrationCalls.find((call) => call.name === "addSyncTarget")!.args[0] as NewSyncTargetRequest;
    expect(sent).toMatchObject({ name: "opentrack", platform: "opentrack", endpoint: "https://opentrack.run", workouts: [{ workout_id: 1, remote_id: "E7" }], secret: "s3cr3t-token" });
    expect(sent.settings).toEqual([
      { key: "organiser_id", value: "org-9", entries: [] },
      { key: "event_codes", value: "", entries: [{ key: "1", value: "100" }] },
    ]);
    expect((screen.getByLabelText("Secret (stored in the OS keyring)") as HTMLInputElement).value).toBe("");
    expect(document.body.textContent).not.toContain("s3cr3t-token");
  });

  it("offers every setting the backend describes and sends the non-default ones: RunSignup match_by, status policy, per-workout, per-point, per-division and pairs", async () => {
    const run5k = { ...fran, id: 2, name: "5k", sequence: 2, timing_points: [{ id: 7, order: 1, name: "Halfway" }] };
    const backend = createMockBackend({ competition, workouts: [fran, run5k], divisions: [{ id: 4, name: "Women", kind: "gender", gender: "female", min_age: null, max_age: null }], integrations: { syncTargets: [], syncPlatforms: platforms } });
    render(<App backend={backend} initialScreen="sync" />);
    await waitFor(() => expect((screen.getByLabelText("Platform") as HTMLSelectElement).value).toBe("runsignup"));
    // The platforms are the backend's, in its order.
    expect(Array.from((screen.getByLabelText("Platform") as HTMLSelectElement).options).map((option) => option.textContent)).toEqual(["RunSignup", "OpenTrack", "World Triathlon"]);
    fireEvent.input(screen.getByLabelText("Target name"), { target: { value: "rsu" } });
    fireEvent.input(screen.getByLabelText("Endpoint URL"), { target: { value: "https://runsignup.com" } });
    fireEvent.input(screen.getByLabelText("Race id (required)"), { target: { value: "1234" } });
    const matchBy = screen.getByLabelText("Match registrants by") as HTMLSelectElement;
    // Left alone, the adapter's default applies; the form names it.
    expect(matchBy.options[0].textContent).toBe("Default (Registration id)");
    fireEvent.change(matchBy, { target: { value: "bib" } });
    fireEvent.change(screen.getByLabelText("Statuses RunSignup lacks"), { target: { value: "map_to_nearest" } });
    await waitFor(() => expect((screen.getByLabelText("Workout to send") as HTMLSelectElement).options.length).toBe(3));
    expect(screen.getByRole("group", { name: "Result set id" }).textContent).toContain("Choose the workouts to send first.");
    fireEvent.change(screen.getByLabelText("Workout to send"), { target: { value: "2" } });
    fireEvent.input(screen.getByLabelText("RunSignup event_id"), { target: { value: "555" } });
    fireEvent.click(screen.getByLabelText("Send another workout"));
    fireEvent.change(screen.getByLabelText("Workout to send 2"), { target: { value: "1" } });
    fireEvent.input(screen.getByLabelText("RunSignup event_id 2"), { target: { value: "556" } });
    fireEvent.input(screen.getByLabelText("Result set id: 5k"), { target: { value: "rs-1" } });
    fireEvent.input(screen.getByLabelText("RunSignup split id: 5k Halfway"), { target: { value: "sp-9" } });
    fireEvent.input(screen.getByLabelText("RunSignup division id: Women"), { target: { value: "d-3" } });
    fireEvent.click(screen.getByLabelText("Add Custom fields"));
    fireEvent.input(screen.getByLabelText("Custom fields id"), { target: { value: "cf-1" } });
    fireEvent.change(screen.getByLabelText("Filled from"), { target: { value: "club" } });
    fireEvent.click(screen.getByRole("button", { name: "Add target" }));
    await screen.findByText("Added rsu; no secret stored yet.");
    const sent = backend.integrationCalls.find((call) => call.name === "addSyncTarget")!.args[0] as NewSyncTargetRequest;
    expect(sent.workouts).toEqual([
      { workout_id: 2, remote_id: "555" },
      { workout_id: 1, remote_id: "556" },
    ]);
    expect(sent.settings).toEqual([
      { key: "race_id", value: "1234", entries: [] },
      { key: "match_by", value: "bib", entries: [] },
      { key: "status_policy", value: "map_to_nearest", entries: [] },
      { key: "result_set_ids", value: "", entries: [{ key: "2", value: "rs-1" }] },
      { key: "split_ids", value: "", entries: [{ key: "7", value: "sp-9" }] },
      { key: "division_ids", value: "", entries: [{ key: "4", value: "d-3" }] },
      { key: "custom_fields", value: "", entries: [{ key: "cf-1", value: "club" }] },
    ]);
  });

  it("sends OpenTrack's status-code policy as chosen, and keeps the form when the backend refuses the target", async () => {
    const backend = createMockBackend({
      competition,
      workouts: [fran],
      integrations: {
        syncTargets: [],
        syncPlatforms: platforms,
        refuseTarget: (request) => (request.settings.some((item) => item.key === "event_codes") ? null : "Invalid target: ot: workout 1: OpenTrack needs its event code"),
      },
    });
    render(<App backend={backend} initialScreen="sync" />);
    await waitFor(() => expect((screen.getByLabelText("Platform") as HTMLSelectElement).options.length).toBe(3));
    fireEvent.change(screen.getByLabelText("Platform"), { target: { value: "opentrack" } });
    fireEvent.input(screen.getByLabelText("Target name"), { target: { value: "ot" } });
    fireEvent.input(screen.getByLabelText("Endpoint URL"), { target: { value: "https://opentrack.run" } });
    fireEvent.input(screen.getByLabelText("Organiser id (required)"), { target: { value: "org-9" } });
    await waitFor(() => expect((screen.getByLabelText("Workout to send") as HTMLSelectElement).options.length).toBe(2));
    fireEvent.change(screen.getByLabelText("Workout to send"), { target: { value: "1" } });
    fireEvent.input(screen.getByLabelText("OpenTrack event id"), { target: { value: "E7" } });
    const lap = screen.getByLabelText("LAP is sent as") as HTMLSelectElement;
    expect(lap.options[0].textContent).toBe("Default (DNF)");
    fireEvent.change(lap, { target: { value: "DNS" } });
    fireEvent.change(screen.getByLabelText("DNQ is sent as"), { target: { value: "DQ" } });
    fireEvent.click(screen.getByRole("button", { name: "Add target" }));
    expect((await screen.findByRole("alert")).textContent).toContain("OpenTrack needs its event code");
    // What was typed stays for the fix.
    expect((screen.getByLabelText("Target name") as HTMLInputElement).value).toBe("ot");
    expect((screen.getByLabelText("LAP is sent as") as HTMLSelectElement).value).toBe("DNS");
    fireEvent.input(screen.getByLabelText("Event code: Fran"), { target: { value: "5000" } });
    fireEvent.click(screen.getByRole("button", { name: "Add target" }));
    await screen.findByText("Added ot; no secret stored yet.");
    const sent = backend.integrationCalls.filter((call) => call.name === "addSyncTarget").pop()!.args[0] as NewSyncTargetRequest;
    expect(sent.settings).toEqual([
      { key: "organiser_id", value: "org-9", entries: [] },
      { key: "event_codes", value: "", entries: [{ key: "1", value: "5000" }] },
      { key: "status_codes", value: "", entries: [{ key: "LAP", value: "DNS" }, { key: "DNQ", value: "DQ" }] },
    ]);
  });

  it("lists no platform the backend does not describe", async () => {
    const backend = createMockBackend({ competition, workouts: [fran], integrations: { syncTargets: [], syncPlatforms: [] } });
    render(<App backend={backend} initialScreen="sync" />);
    await screen.findByText("No sync targets yet. Add one below.");
    fireEvent.input(screen.getByLabelText("Target name"), { target: { value: "x" } });
    fireEvent.input(screen.getByLabelText("Endpoint URL"), { target: { value: "https://example.org" } });
    expect((screen.getByLabelText("Platform") as HTMLSelectElement).options.length).toBe(0);
    expect((screen.getByRole("button", { name: "Add target" }) as HTMLButtonElement).disabled).toBe(true);
  });

  it("says which store holds each target's secret, never the secret", async () => {
    const keyring = { ...target, name: "rsu", secret_stored_in: "OS keyring (scoretable-sync)" };
    const bare = { ...target, name: "ot", rejected: 0, rejections: [], last_error: null, next_attempt_at: null };
    const backend = createMockBackend({ competition, workouts: [fran], integrations: { syncTargets: [keyring, bare] } });
    render(<App backend={backend} initialScreen="sync" />);
    await waitFor(() => expect(screen.getByTestId("secret-store-rsu").textContent).toBe("OS keyring (scoretable-sync)"));
    expect(screen.getByTestId("secret-store-ot").textContent).toBe("none stored");
  });

  it("lists the results a platform holds twice, and nothing when it holds each once", async () => {
    const twice = {
      ...target,
      rejected: 0,
      rejections: [],
      last_error: null,
      next_attempt_at: null,
      duplicates: ["event 501: 2 results for registration 3203 (bib 3), result ids 11, 14; Scoretable edits 14: delete 11 in RunSignup"],
    };
    const once = { ...twice, name: "ot", duplicates: [] };
    const backend = createMockBackend({ competition, workouts: [fran], integrations: { syncTargets: [twice, once] } });
    render(<App backend={backend} initialScreen="sync" />);
    const list = await screen.findByTestId("duplicates-rsu");
    expect(within(list).getByRole("listitem").textContent).toContain("Scoretable edits 14: delete 11 in RunSignup");
    expect(screen.queryByTestId("duplicates-ot")).toBeNull();
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
