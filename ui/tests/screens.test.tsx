// Competition-day screens: the status strip, plain words and local times,
// navigation on one line with shortcuts and the `?` overlay, the amendment
// preview, and "why is A above B" on the leaderboard.

import { afterEach, describe, expect, it, vi } from "vitest";
import { fireEvent, render, screen, waitFor, within } from "@testing-library/preact";
import { App } from "../src/app";
import { createMockBackend } from "../src/api/mock";
import type { StatusView } from "../src/api/backend";
import { localTime } from "../src/lib/time";
import { competition, competitors, fran, franBoard } from "./fixtures";

const status: StatusView = {
  targets: [
    {
      name: "RunSignup main",
      platform: "RunSignup",
      state: "offline",
      waiting: 2,
      refused: 0,
      problem: "Can't reach RunSignup (connection refused).",
      detail: "could not connect: error sending request: client error (Connect)",
      next_attempt_at: "2026-07-06T13:49:32.500Z",
      last_success_at: null,
    },
    { name: "OpenTrack", platform: "OpenTrack", state: "up_to_date", waiting: 0, refused: 0, problem: null, detail: null, next_attempt_at: null, last_success_at: "2026-07-06T13:40:00Z" },
  ],
  feeds: [
    { name: "chips", state: "ok", polling: true, last_success_at: "2026-07-06T13:45:10Z", next_attempt_at: null, problem: null, detail: null },
  ],
  backup: { last_at: "2026-07-06T13:30:00Z", file_name: "spring-20260706T133000000Z.scoretable", directory: "/tmp/spring-backups", automatic: true, every_writes: 50, every_minutes: 0, keep: 20, problem: null, detail: null },
};

const now = new Date("2026-07-06T15:00:00Z");

describe("local time", () => {
  it("shows the clock in the competition's zone, with the date only when it is not today there", () => {
    expect(localTime("2026-07-06T13:49:32.500Z", "Europe/London", now)).toBe("14:49:32");
    expect(localTime("2026-07-06T13:49:32.500Z", "America/New_York", now)).toBe("09:49:32");
    expect(localTime("2026-07-05T13:49:32Z", "Europe/London", now)).toBe("5 Jul 14:49:32");
    expect(localTime(null, "Europe/London", now)).toBe("");
  });
});

describe("status strip", () => {
  afterEach(() => vi.useRealTimers());

  it("shows every target, feed and the backup on every screen and follows backend pushes", async () => {
    vi.useFakeTimers({ toFake: ["Date"], now });
    const backend = createMockBackend({ competition, workouts: [fran], screens: { status } });
    render(<App backend={backend} initialScreen="entry" />);
    const strip = await screen.findByRole("group", { name: "Status" });
    await waitFor(() => expect(strip.textContent).toContain("RunSignup main"));
    const offline = within(strip).getByRole("button", { name: /Sync target RunSignup main/ });
    expect(offline.textContent).toBe("RunSignup main offline · 2 waiting · next try 14:49:32");
    expect(offline.getAttribute("title")).toBe("Can't reach RunSignup (connection refused).");
    expect(within(strip).getByRole("button", { name: /Sync target OpenTrack/ }).textContent).toContain("up to date");
    expect(within(strip).getByRole("button", { name: /Feed chips/ }).textContent).toBe("Feed chips ok · last poll 14:45:10");
    expect(within(strip).getByRole("button", { name: /Backups/ }).textContent).toBe("Backup 14:30:00");

    // A push from the backend updates the strip; nothing polls.
    backend.pushStatus({ ...status, targets: [{ ...status.targets[0], state: "up_to_date", waiting: 0, problem: null, detail: null, next_attempt_at: null }, status.targets[1]] });
    await waitFor(() => expect(within(strip).getByRole("button", { name: /Sync target RunSignup main/ }).textContent).toBe("RunSignup main up to date"));

    // A click opens the right screen.
    fireEvent.click(within(strip).getByRole("button", { name: /Feed chips/ }));
    await screen.findByRole("heading", { name: /Field mapping|Mapping/ });
    fireEvent.click(within(strip).getByRole("button", { name: /Sync target OpenTrack/ }));
    await screen.findByRole("heading", { name: "Sync" });
    fireEvent.click(within(strip).getByRole("button", { name: /Backups/ }));
    const backups = screen.getByRole("dialog", { name: "Backups" });
    expect(backups.textContent).toContain("/tmp/spring-backups");
    // The stored policy, not a fixed sentence.
    expect(backups.textContent).toContain("A backup follows every 50 saved changes; 20 are kept: the first, the newest and a spread between.");
  });

  it("says when there is no backup yet and when the last one failed", async () => {
    const failing: StatusView = { ...status, targets: [], feeds: [], backup: { ...status.backup, last_at: null, file_name: null, problem: "The last automatic backup failed; scores are safe in the competition file.", detail: "disk full" } };
    const backend = createMockBackend({ competition, workouts: [fran], screens: { status: failing } });
    render(<App backend={backend} initialScreen="entry" />);
    const strip = await screen.findByRole("group", { name: "Status" });
    await waitFor(() => expect(within(strip).getByRole("button", { name: /Backups/ }).textContent).toBe("Backup failed"));
    expect(within(strip).getByRole("button", { name: /No sync targets/ })).toBeTruthy();
    fireEvent.click(within(strip).getByRole("button", { name: /Backups/ }));
    const popover = screen.getByRole("dialog", { name: "Backups" });
    expect(popover.textContent).toContain("scores are safe");
    expect(popover.querySelector("details")?.textContent).toContain("disk full");
  });
});

function setWidth(narrow: boolean) {
  Object.defineProperty(window, "matchMedia", {
    configurable: true,
    value: (query: string) => ({ matches: narrow && query.includes("max-width"), media: query, addEventListener() {}, removeEventListener() {} }),
  });
}

describe("navigation", () => {
  afterEach(() => {
    delete (window as { matchMedia?: unknown }).matchMedia;
  });

  it("shows every tab with short labels when wide, and moves the last three into More when narrow", async () => {
    setWidth(false);
    const backend = createMockBackend({ competition, workouts: [fran] });
    const { unmount } = render(<App backend={backend} initialScreen="entry" />);
    const nav = await screen.findByRole("navigation", { name: "Screens" });
    expect(within(nav).getAllByRole("button")).toHaveLength(9);
    expect(within(nav).getByRole("button", { name: "Score entry (Alt+4)" }).textContent).toBe("Entry");
    unmount();

    setWidth(true);
    render(<App backend={backend} initialScreen="entry" />);
    const narrowNav = await screen.findByRole("navigation", { name: "Screens" });
    expect(within(narrowNav).queryByRole("button", { name: "Sync (Alt+8)" })).toBeNull();
    fireEvent.click(within(narrowNav).getByRole("button", { name: "More screens" }));
    fireEvent.click(within(screen.getByRole("menu", { name: "More screens" })).getByRole("menuitem", { name: /Sync/ }));
    await screen.findByRole("heading", { name: "Sync" });
    expect(within(narrowNav).getByRole("button", { name: "More screens" }).textContent).toBe("Sync ▾");
  });

  it("names each screen as its tab does (the tab's word is in the screen's title)", async () => {
    setWidth(false);
    const backend = createMockBackend({ competition, workouts: [fran] });
    render(<App backend={backend} initialScreen="entry" />);
    const nav = await screen.findByRole("navigation", { name: "Screens" });
    const tabs = within(nav).getAllByRole("button");
    expect(tabs).toHaveLength(9);
    for (const tab of tabs) {
      const word = (tab.textContent ?? "").trim();
      fireEvent.click(tab);
      const title = await waitFor(() => {
        const heading = document.querySelector("main h1, section h1");
        if (!heading) throw new Error("no title yet");
        return heading.textContent ?? "";
      });
      expect(title.toLowerCase(), `tab "${word}"`).toContain(word.toLowerCase());
      // The tab's accessible name starts with the same word as its title.
      expect(tab.getAttribute("aria-label")?.toLowerCase()).toContain(word.toLowerCase());
    }
  });

  it("switches screens with Alt+digit and lists the shortcuts with ?", async () => {
    const backend = createMockBackend({ competition, workouts: [fran] });
    render(<App backend={backend} initialScreen="entry" />);
    await screen.findByRole("navigation", { name: "Screens" });
    fireEvent.keyDown(window, { key: "8", code: "Digit8", altKey: true });
    await screen.findByRole("heading", { name: "Sync" });
    fireEvent.keyDown(window, { key: "?" });
    const overlay = screen.getByRole("dialog", { name: "Keyboard shortcuts" });
    expect(overlay.textContent).toContain("Alt+8");
    expect(overlay.textContent).toContain("Open Sync");
    expect(overlay.textContent).toContain("why is the selected row above the next one");
    fireEvent.keyDown(window, { key: "Escape" });
    expect(screen.queryByRole("dialog", { name: "Keyboard shortcuts" })).toBeNull();

    // A ? typed into a field is text, not a shortcut.
    fireEvent.keyDown(window, { key: "4", code: "Digit4", altKey: true });
    const bib = await screen.findByLabelText(/Bib/);
    fireEvent.keyDown(bib, { key: "?" });
    expect(screen.queryByRole("dialog", { name: "Keyboard shortcuts" })).toBeNull();
  });
});

describe("amendment preview", () => {
  it("shows who would move before anything is saved, then who moved after", async () => {
    const impact = [
      { bib: "103", name: "Katherine Johnson", division: null, old_rank: 2, new_rank: 1 },
      { bib: "101", name: "Ada Lovelace", division: null, old_rank: 1, new_rank: 2 },
    ];
    const backend = createMockBackend({
      competition,
      workouts: [{ ...fran }],
      competitors,
      leaderboards: { 1: franBoard },
      amendmentImpacts: { "1:103": impact },
      // The backend lists the first changes and counts the rest.
      screens: { amendmentPreviews: { "1:103:3:10.0": { bib: "103", name: "Katherine Johnson", old_display: "4:01.0", new_display: "3:10.0", impact, impact_changes: 250, impact_entrants: 130 } } },
    });
    render(<App backend={backend} initialScreen="amendments" />);
    await waitFor(() => expect((screen.getByLabelText("Workout") as HTMLSelectElement).value).toBe("1"));
    fireEvent.input(await screen.findByLabelText("Find a score (bib or name)"), { target: { value: "103" } });
    fireEvent.click(screen.getByLabelText("Find score"));
    await screen.findByText("Bib 103 Katherine Johnson");
    fireEvent.input(screen.getByLabelText("New score"), { target: { value: "3:10.0" } });
    const wouldMove = await screen.findByRole("table", { name: "Would move" });
    expect(within(wouldMove).getAllByRole("row")).toHaveLength(3);
    expect(screen.getByTestId("preview-count").textContent).toBe("250 places of 130 athletes; the first 2 are listed.");
    expect(screen.getByTestId("amend-preview").textContent).toContain("4:01.0 → 3:10.0");
    expect(backend.calls).not.toContain("amendScore");

    // A value the backend cannot read says so before saving.
    fireEvent.input(screen.getByLabelText("New score"), { target: { value: "soon" } });
    await waitFor(() => expect(screen.getByTestId("amend-preview").textContent).toContain("Invalid score: soon"));

    fireEvent.input(screen.getByLabelText("New score"), { target: { value: "3:10.0" } });
    await screen.findByRole("table", { name: "Would move" });
    fireEvent.input(screen.getByLabelText("Reason"), { target: { value: "Video review" } });
    fireEvent.click(screen.getByLabelText("Amend score"));
    const moved = await screen.findByRole("table", { name: "Placement impact" });
    expect(moved.textContent).toContain("Katherine Johnson");
    expect(screen.queryByRole("table", { name: "Would move" })).toBeNull();
  });
});

describe("why is A above B", () => {
  it("explains from a row's context menu and from the E key, with the backend's sentence", async () => {
    const backend = createMockBackend({
      competition,
      workouts: [fran],
      competitors,
      leaderboards: { 1: franBoard },
      screens: {
        explanations: {
          "101:102": "Ada Lovelace ranks above Grace Hopper: 3:15.0 is faster than 4:01.0.",
          "102:103": "Grace Hopper and Katherine Johnson share 2nd place: both 4:01.0.",
        },
      },
    });
    render(<App backend={backend} initialScreen="leaderboard" />);
    const grid = await screen.findByRole("grid");
    await waitFor(() => expect(within(grid).getAllByRole("row").length).toBe(5));
    const ada = within(grid).getAllByRole("row")[1];
    fireEvent.contextMenu(ada, { clientX: 100, clientY: 200 });
    const menu = screen.getByRole("menu", { name: "Row menu for Ada Lovelace" });
    fireEvent.click(within(menu).getByRole("menuitem", { name: /Why is Ada Lovelace above Grace Hopper/ }));
    await waitFor(() => expect(screen.getByTestId("explanation").textContent).toContain("3:15.0 is faster than 4:01.0"));
    expect(screen.queryByRole("menu")).toBeNull();

    fireEvent.click(within(grid).getAllByRole("row")[2]);
    fireEvent.keyDown(window, { key: "e" });
    await waitFor(() => expect(screen.getByTestId("explanation").textContent).toContain("share 2nd place"));
  });
});

describe("row detail", () => {
  it("shows a picked row's division places, splits with positions, penalty and status from the backend", async () => {
    const backend = createMockBackend({
      competition,
      workouts: [fran],
      competitors,
      leaderboards: { 1: franBoard },
      screens: {
        rowDetails: {
          "1:102": {
            bib: "102",
            name: "Grace Hopper",
            display: "4:01.0",
            status: null,
            rank: 2,
            division_places: [
              { division: "Women RX", rank: 2 },
              { division: "Masters 35+", rank: 1 },
            ],
            penalty: "+0:10.0",
            tie_break: null,
            splits: [
              { point: "Thrusters 21", time: "0:55.0", leg: "0:55.0", position: 3, behind: "+0:04.0" },
              { point: "Pull-ups 21", time: "1:40.0", leg: "0:45.0", position: 1, behind: null },
            ],
            amended: false,
          },
        },
      },
    });
    render(<App backend={backend} initialScreen="leaderboard" />);
    const grid = await screen.findByRole("grid");
    await waitFor(() => expect(within(grid).getAllByRole("row").length).toBe(5));
    fireEvent.click(within(grid).getAllByRole("row")[2]);
    const detail = await screen.findByTestId("row-detail");
    expect(detail.textContent).toContain("Women RX: 2");
    expect(detail.textContent).toContain("Masters 35+: 1");
    expect(detail.textContent).toContain("penalty +0:10.0");
    const splits = within(detail).getByRole("table", { name: "Splits" });
    const cells = within(splits).getAllByRole("row").slice(1).map((row) => row.textContent);
    expect(cells).toEqual(["Thrusters 210:55.00:55.03+0:04.0", "Pull-ups 211:40.00:45.01"]);
    fireEvent.click(within(detail).getByRole("button", { name: "Close the row detail" }));
    await waitFor(() => expect(screen.queryByTestId("row-detail")).toBeNull());
  });
});

describe("division place columns", () => {
  it("shows each row's place in each of its divisions, named from the division list", async () => {
    const divisions = [
      { id: 1, name: "Women RX", kind: "gender", gender: "female", min_age: null, max_age: null },
      { id: 3, name: "Masters 35+", kind: "age_group", gender: null, min_age: 35, max_age: null },
    ] as never[];
    const board = {
      ...franBoard,
      rows: franBoard.rows.map((entry, index) => ({ ...entry, division_places: index === 1 ? [{ division_id: 1, rank: 2 }, { division_id: 3, rank: 1 }] : [{ division_id: 1, rank: index + 1 }] })),
    };
    const backend = createMockBackend({ competition, workouts: [fran], competitors, divisions, leaderboards: { 1: board } });
    render(<App backend={backend} initialScreen="leaderboard" />);
    const grid = await screen.findByRole("grid");
    await waitFor(() => expect(within(grid).getAllByRole("row").length).toBe(5));
    expect(within(grid).getAllByRole("columnheader").map((cell) => cell.textContent)).toContain("Division places");
    await waitFor(() => expect(within(grid).getAllByRole("row")[2].textContent).toContain("Women RX 2Masters 35+ 1"));
  });
});

describe("competition-day log", () => {
  it("is linked from the Sync and Mapping screens with today's file and newest lines", async () => {
    const backend = createMockBackend({
      competition,
      workouts: [fran],
      screens: {
        dayLog: {
          folder: "/var/log/scoretable",
          today: "/var/log/scoretable/scoretable-2026-07-06.log",
          lines: [{ at: "2026-07-06T10:32:00Z", level: "WARN", text: "sync attempt failed · target=RunSignup · waiting=3" }],
        },
      },
    });
    render(<App backend={backend} initialScreen="sync" />);
    const log = await screen.findByTestId("day-log");
    fireEvent.click(within(log).getByText("Competition-day log"));
    (log as HTMLDetailsElement).open = true;
    fireEvent(log, new Event("toggle"));
    await waitFor(() => expect(within(log).getByTestId("day-log-path").textContent).toBe("/var/log/scoretable/scoretable-2026-07-06.log"));
    expect(within(log).getByRole("list", { name: "Newest log lines" }).textContent).toContain("sync attempt failed · target=RunSignup");
    fireEvent.keyDown(window, { key: "7", code: "Digit7", altKey: true });
    await screen.findByRole("heading", { name: "Field mapping" });
    expect(screen.getByTestId("day-log")).toBeTruthy();
  });
});
