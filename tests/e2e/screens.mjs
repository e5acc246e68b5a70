// End-to-end check of the competition-day screens in the real app: the
// header's status strip (pushed by the backend), plain words and local times
// on the Sync screen, navigation on one line with Alt shortcuts and the `?`
// overlay, "why is A above B" from a row's context menu and the E key, the
// amendment preview before saving, bulk entry down a heat sheet, and the
// venue display window. Screenshots at 1280x800 and 900x600
// land in test-artifacts/screens-*.png.
//
// Usage: node tests/e2e/screens.mjs <app binary> <cli binary> <work dir>

import { execFileSync } from "node:child_process";
import { rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join, resolve } from "node:path";
import { createDriver, sleep } from "./webdriver.mjs";
import { artifactsFolder, createTally, suiteArguments, workFolder } from "./harness.mjs";

const [applicationArgument, cliArgument, workArgument] = suiteArguments("screens.mjs", [
  "app binary",
  "cli binary",
  "work dir",
]);
const application = resolve(applicationArgument);
const cli = resolve(cliArgument);
const workDirectory = workFolder(workArgument);
const artifacts = artifactsFolder();
const driverPort = Number(process.env.E2E_DRIVER_PORT ?? 4444);

const tally = createTally();
const { check } = tally;

const { request, startDriver, createSession, sessionApi } = createDriver({ port: driverPort, application, artifacts, verbose: Boolean(process.env.E2E_VERBOSE) });

async function closedPort() {
  return new Promise((done) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => done(port));
    });
  });
}

/** Presses keys on an element: WebDriver's element send-keys (modifiers stay down until NULL). */
async function press(app, selector, keys) {
  await app.keys(selector, keys);
}

/**
 * Types `text` and checks the field got it: after the Alt and Shift chords
 * above, WebKitWebDriver may type ";" for ":" (a held-modifier quirk), in
 * which case the value is set the way a paste would and an input event sent.
 */
async function typeExactly(app, selector, text) {
  await app.type(selector, text);
  const value = await app.script(`return document.querySelector(arguments[0]).value`, selector);
  if (value === text) return;
  console.log(`# the driver typed ${JSON.stringify(value)} for ${JSON.stringify(text)}; pasting instead`);
  await app.script(
    `const input = document.querySelector(arguments[0]);
     Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, "value").set.call(input, arguments[1]);
     input.dispatchEvent(new Event("input", { bubbles: true }));`,
    selector,
    text,
  );
}

/** Right-clicks an element through the WebDriver actions API. */
async function contextClick(sessionId, element) {
  await request("POST", `/session/${sessionId}/actions`, {
    actions: [
      {
        type: "pointer",
        id: "mouse",
        parameters: { pointerType: "mouse" },
        actions: [
          { type: "pointerMove", origin: { "element-6066-11e4-a52e-4f735466cecf": element }, x: 0, y: 0 },
          { type: "pointerDown", button: 2 },
          { type: "pointerUp", button: 2 },
        ],
      },
    ],
  });
  await request("DELETE", `/session/${sessionId}/actions`).catch(() => {});
}

/** True when every tab of the header sits on one line and the header row is one line high. */
const navOnOneLine = `
  const tabs = [...document.querySelectorAll('nav.tabs > button, nav.tabs > .chip-anchor > button')];
  const tops = new Set(tabs.map((tab) => Math.round(tab.getBoundingClientRect().top)));
  const row = document.querySelector('.header-row').getBoundingClientRect();
  const right = Math.max(...[...document.querySelectorAll('.header-row > *')].map((child) => child.getBoundingClientRect().right));
  return { tabs: tabs.length, lines: tops.size, height: Math.round(row.height), overflow: right > window.innerWidth + 1, width: window.innerWidth };`;

async function screenshotAt(app, name, width, height) {
  await sleep(300);
  const { saveFramebuffer } = await import("./framebuffer.mjs");
  if (process.env.E2E_FBDIR) {
    await sleep(400);
    saveFramebuffer(process.env.E2E_FBDIR, join(artifacts, `${name}.png`), width, height);
    console.log(`# screenshot ${join(artifacts, `${name}.png`)}`);
  } else {
    await app.screenshot(name);
  }
}

const started = Date.now();
const competitionFile = join(workDirectory, "screens.scoretable");
for (const suffix of ["", "-wal", "-shm", ".lock"]) rmSync(competitionFile + suffix, { force: true });
rmSync(join(workDirectory, "screens-backups"), { recursive: true, force: true });
execFileSync(cli, ["demo", competitionFile], { stdio: ["ignore", "pipe", "inherit"] });
execFileSync(cli, ["--file", competitionFile, "backup"], { stdio: ["ignore", "pipe", "inherit"] });
// A workout with one heat of three lanes (bibs 12, 7, 3), no scores yet, for the heat sheet.
execFileSync(cli, ["--file", competitionFile, "workout", "add", "Heat Row", "--type", "time", "--heat", "Heat 1=12,7,3"], { stdio: ["ignore", "pipe", "inherit"] });
// A workout with two timing points and three results with splits, for the row detail.
execFileSync(cli, ["--file", competitionFile, "workout", "add", "Split Row", "--type", "time", "--point", "500m", "--point", "1000m"], { stdio: ["ignore", "pipe", "inherit"] });
const splitCsv = join(workDirectory, "split-row.csv");
// Bib 3 served a 15 s penalty (7:20.0 + 0:15 = 7:35.0): the board shows a penalty column.
writeFileSync(splitCsv, ["bib,score,split:500m,split:1000m,penalty", "12,7:10.0,1:50.0,3:40.0,", "7,7:05.0,1:40.0,3:45.0,", "3,7:20.0,1:45.0,3:35.0,0:15"].join("\n") + "\n");
execFileSync(cli, ["--file", competitionFile, "score", "import", "Split Row", splitCsv], { stdio: ["ignore", "pipe", "inherit"] });
const port = await closedPort();
const secretsDirectory = join(workDirectory, "secrets");
rmSync(secretsDirectory, { recursive: true, force: true });

const environment = {
  ...process.env,
  WEBKIT_DISABLE_COMPOSITING_MODE: "1",
  NO_AT_BRIDGE: "1",
  SCORETABLE_OPEN: competitionFile,
  SCORETABLE_SECRETS_DIR: secretsDirectory,
  SCORETABLE_SECRET_BACKEND: "file",
};
const driver = await startDriver(environment);
let app;
let sessionId;
try {
  sessionId = await createSession();
  app = sessionApi(sessionId);
  await app.until(`return document.querySelector('[data-testid="competition-name"]')?.textContent === "Harbourside Throwdown 2026"`, "the demo competition to open");

  // 1. The status strip before any target: no targets, and the backup taken by the CLI in local time.
  const strip = await app.until(`const strip = document.querySelector('[data-testid="status-strip"][role="group"]'); return strip ? strip.textContent : null;`, "the status strip");
  check(strip.includes("Sync: no targets"), `the strip says there are no sync targets (${strip})`);
  check(/Backup (\d+ \w+ )?\d\d:\d\d:\d\d/.test(strip), `the strip shows the last backup's local time (${strip})`);
  await app.click('[data-testid="status-strip"] button[aria-label^="Backups"]');
  const backups = await app.until(`return document.querySelector('[role="dialog"][aria-label="Backups"]')?.textContent ?? null`, "the backup details");
  check(/A backup follows every .+; \d+ are kept: the first, the newest and a spread between\./.test(backups) && backups.includes("screens-backups"), `the backup chip shows the stored policy and folder (${backups})`);
  await app.click('[data-testid="status-strip"] button[aria-label^="Backups"]');
  let layout = await app.script(navOnOneLine);
  check(layout.tabs === 9 && layout.lines === 1 && !layout.overflow, `at ${layout.width} px all nine tabs sit on one line (${JSON.stringify(layout)})`);
  // A much longer competition name must not push the tabs onto a second line.
  await app.script(`document.querySelector('[data-testid="competition-name"]').textContent = "Harbourside Summer Throwdown and Masters Championship 2026 — Day Two Finals";`);
  layout = await app.script(navOnOneLine);
  check(layout.lines === 1 && !layout.overflow, `with a long competition name the tabs stay on one line (${JSON.stringify(layout)})`);

  // 2. A sync target whose platform is unreachable: the strip turns to offline by itself.
  await app.click('nav button[aria-label^="Sync ("]');
  await app.type("#target-name", "RunSignup");
  await app.type("#target-endpoint", `http://127.0.0.1:${port}`);
  await app.type("#target-race_id", "1");
  await app.until(`return document.querySelector("#target-workout")?.options.length > 1`, "the workouts");
  const workoutValue = await app.script(`return document.querySelector("#target-workout").options[1].value`);
  await app.select("#target-workout", workoutValue);
  await app.type("#target-remote_id", "100");
  await app.type("#target-secret", "e2e-key:e2e-secret");
  await app.click('button[aria-label="Add target"]');
  const chip = await app.until(
    `const chip = document.querySelector('[data-testid="status-strip"] button[data-state="offline"]'); return chip ? chip.textContent : null;`,
    "the strip to show the target offline",
    45_000,
  );
  check(/^RunSignup offline · \d+ waiting · next try \d\d:\d\d:\d\d$/.test(chip), `the strip says the target is offline, how many wait and when the next try is (${chip})`);
  const plain = await app.until(`return document.querySelector('[data-testid="retryable-RunSignup"] .plain')?.textContent ?? null`, "the plain sentence on the Sync card", 15_000);
  check(/^Can't reach RunSignup \(connection refused\)\. \d+ results are waiting; next try at \d\d:\d\d:\d\d\./.test(plain), `the Sync card says it in plain words (${plain})`);
  const technical = await app.script(`const details = document.querySelector('[data-testid="retryable-RunSignup"] details'); return { open: details.open, text: details.textContent };`);
  check(!technical.open && /could not connect/.test(technical.text) && !plain.includes("could not connect"), "the technical message is behind a closed details toggle");
  const zoneCheck = await app.script(`
    const text = document.querySelector('[data-testid="retryable-RunSignup"] details').textContent;
    const iso = /next attempt (\\S+)/.exec(text)?.[1];
    if (!iso) return null;
    const local = new Intl.DateTimeFormat("en-GB", { timeZone: "Europe/London", hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" }).format(new Date(iso));
    return { iso, local, shown: document.querySelector('[data-testid="retryable-RunSignup"] .plain').textContent.includes(local) };`);
  check(zoneCheck?.shown === true, `the next try is shown in the competition's time zone (${JSON.stringify(zoneCheck)})`);
  await app.click('[data-testid="retryable-RunSignup"] details summary');
  await screenshotAt(app, "screens-01-sync-offline-1280", 1280, 800);
  // The Sync screen links to the competition-day log: today's file and its newest lines.
  await app.click('[data-testid="day-log"] summary');
  const dayLog = await app.until(
    `const path = document.querySelector('[data-testid="day-log-path"]')?.textContent; const lines = [...document.querySelectorAll('[aria-label="Newest log lines"] li')].map((line) => line.textContent); return path && lines.some((line) => /sync attempt/.test(line)) ? { path, count: lines.length, sync: lines.filter((line) => /sync attempt/.test(line)).pop() } : null;`,
    "the competition-day log on the Sync screen",
    20_000,
  );
  check(/scoretable-\d{4}-\d\d-\d\d\.log$/.test(dayLog.path) && !/e2e-secret/.test(JSON.stringify(dayLog)), `the Sync screen links to today's log with its newest lines, no secret (${dayLog.path}; ${dayLog.sync})`);
  await screenshotAt(app, "screens-01b-sync-day-log-1280", 1280, 800);
  const secretStore = await app.until(`return document.querySelector('[data-testid="secret-store-RunSignup"]')?.textContent || null`, "where the secret is kept");
  check(/^file .*secrets.* \(mode 0600\)$/.test(secretStore) && !secretStore.includes("e2e-secret"), `the Sync card says which store holds the secret (${secretStore})`);
  await app.click('[data-testid="day-log"] summary');

  // 3. Keyboard: Alt+5 opens the leaderboard; ? shows the shortcuts.
  await press(app, 'button[aria-label="Keyboard shortcuts (?)"]', "\uE00A5\uE000");
  await app.until(`return document.querySelector('#leaderboard-title') !== null`, "Alt+5 to open the leaderboard");
  check(true, "Alt+5 opens the leaderboard");
  await press(app, 'button[aria-label="Keyboard shortcuts (?)"]', "?");
  const overlay = await app.until(`return document.querySelector('[role="dialog"][aria-label="Keyboard shortcuts"]')?.textContent ?? null`, "the shortcuts overlay");
  check(overlay.includes("Alt+5") && overlay.includes("Open Leaderboard") && overlay.includes("why is the selected row above the next one"), "? lists the shortcuts");
  await screenshotAt(app, "screens-02-shortcuts-1280", 1280, 800);
  await press(app, 'button[aria-label="Close shortcuts"]', "\uE00C");
  await app.until(`return document.querySelector('[aria-label="Keyboard shortcuts"][role="dialog"]') === null`, "Esc to close the overlay");

  // 4. Why is A above B: the row's context menu, then the E key on another row.
  await app.until(`return document.querySelectorAll('[role="grid"] [role="row"][aria-rowindex]:not([aria-busy])').length > 5`, "the leaderboard rows");
  const names = await app.script(`return [...document.querySelectorAll('[role="grid"] [role="row"][aria-rowindex]')].slice(1, 4).map((row) => row.querySelectorAll('[role="gridcell"]')[2].textContent.trim())`);
  const firstRow = await app.find('[role="grid"] [role="row"][aria-rowindex="2"]');
  await contextClick(sessionId, firstRow);
  const menu = await app.until(`return document.querySelector('[role="menu"].row-menu')?.textContent ?? null`, "the row's context menu");
  check(menu.includes(`Why is ${names[0]} above ${names[1]}?`), `the context menu offers the explanation (${menu})`);
  await screenshotAt(app, "screens-03-row-menu-1280", 1280, 800);
  await app.click('[role="menu"].row-menu [role="menuitem"]');
  const explanation = await app.until(`return document.querySelector('[data-testid="explanation"]')?.textContent ?? null`, "the explanation");
  check(explanation.includes(names[0]) && explanation.includes(names[1]) && !/error|no score/i.test(explanation), `the engine explains the order (${explanation})`);
  await screenshotAt(app, "screens-04-explanation-1280", 1280, 800);
  await app.click('[role="grid"] [role="row"][aria-rowindex="3"]');
  await press(app, '[role="grid"] .grid-viewport', "e");
  const second = await app.until(`const text = document.querySelector('[data-testid="explanation"]')?.textContent ?? ""; return text.includes(${JSON.stringify(names[1])}) && text.includes(${JSON.stringify(names[2])}) ? text : null;`, "the E key's explanation");
  check(true, `E explains the picked row against the next (${second})`);

  // 4a. Division place columns on the workout board (everyone).
  const divisionCell = await app.until(`const cell = document.querySelector('[role="grid"] [role="row"][aria-rowindex="2"] .division-places'); return cell && cell.textContent ? cell.textContent : null;`, "the division places of the first row");
  check(/(Women|Men) (RX|Masters 35\+) \d+/.test(divisionCell), `the board shows each row's division places (${divisionCell})`);

  // 4b. A picked row's detail: division places and splits with their positions.
  const splitWorkout = await app.script(`return [...document.querySelector("#leaderboard-view").options].find((option) => option.textContent.includes("Split Row")).value`);
  await app.select("#leaderboard-view", splitWorkout);
  await app.until(`return document.querySelector('[data-testid="leaderboard-status"]')?.textContent.startsWith("3 rows") || null`, "the Split Row board");
  await app.click('[role="grid"] [role="row"][aria-rowindex="2"]');
  const detail = await app.until(
    `const panel = document.querySelector('[data-testid="row-detail"]'); const table = panel?.querySelector('table[aria-label="Splits"]'); return table ? { head: panel.querySelector(".row-detail-head").textContent, splits: [...table.querySelectorAll("tbody tr")].map((row) => [...row.cells].map((cell) => cell.textContent).join("|")) } : null;`,
    "the row detail",
  );
  check(
    detail.head.includes("7:05.0") && detail.head.includes("place 1") && /RX: \d+/.test(detail.head) && detail.splits[0].startsWith("500m|1:40.0|1:40.0|1|") && detail.splits[1].startsWith("1000m|3:45.0|2:05.0|3|+"),
    `the row detail shows division places and each split with its position (${detail.head} / ${detail.splits.join(" ; ")})`,
  );
  await screenshotAt(app, "screens-04b-row-detail-1280", 1280, 800);
  // 4c. The penalty column: on a board where a result has a penalty, beside the score.
  const penaltyBoard = `
    const grid = document.querySelector('[role="grid"]');
    const headers = [...grid.querySelectorAll('[role="columnheader"]')].map((cell) => cell.textContent.trim());
    const rows = [...grid.querySelectorAll('[role="row"][aria-rowindex]:not([aria-busy])')].slice(1).map((row) => [...row.querySelectorAll('[role="gridcell"]')].map((cell) => cell.textContent.trim()));
    return rows.length === 3 ? { headers, rows } : null;`;
  const withPenalty = await app.until(penaltyBoard, "the Split Row board with its penalty");
  const penaltyAt = withPenalty.headers.indexOf("Penalty");
  const bib3 = withPenalty.rows.find((cells) => cells[1] === "3");
  check(
    penaltyAt === withPenalty.headers.indexOf("Score") + 1 && bib3?.[penaltyAt] === "+0:15.0" && bib3?.[3].startsWith("7:35.0") && withPenalty.rows.filter((cells) => cells[penaltyAt] === "").length === 2,
    `the penalty column sits beside the score; bib 3's 15 s penalty is in its 7:35.0 (${withPenalty.headers.join(" | ")} / ${bib3?.join(" | ")})`,
  );
  await screenshotAt(app, "screens-04c-penalty-1280", 1280, 800);
  await app.select("#leaderboard-view", await app.script(`return [...document.querySelector("#leaderboard-view").options].find((option) => option.textContent.includes("2K Row")).value`));
  await app.until(`return document.querySelector('[data-testid="leaderboard-status"]')?.textContent.startsWith("60 rows") || null`, "the 2K Row board again");
  await app.until(`return document.querySelectorAll('[role="grid"] [role="row"][aria-rowindex]:not([aria-busy])').length > 5`, "the 2K Row rows");
  const cleanHeaders = await app.script(`return [...document.querySelectorAll('[role="grid"] [role="columnheader"]')].map((cell) => cell.textContent.trim())`);
  check(!cleanHeaders.includes("Penalty"), `a board without penalties has no penalty column (${cleanHeaders.join(" | ")})`);

  // 5. The amendment preview: who would move before saving, then who moved.
  const bib = await app.script(`return document.querySelector('[role="grid"] [role="row"][aria-rowindex="4"] [role="gridcell"]:nth-child(2)').textContent.trim()`);
  await app.click('nav button[aria-label^="Amendments ("]');
  await app.until(`return document.querySelector("#amend-workout")?.options.length > 0`, "the workouts");
  await app.type("#amend-search", bib);
  await app.click('[aria-label="Find score"]');
  await app.until(`return document.querySelector('[data-testid="amend-current"]')?.textContent`, "the found score");
  await typeExactly(app, "#amend-value", "5:30.0");
  const wouldMove = await app.until(
    `const table = document.querySelector('table[aria-label="Would move"]'); return table ? [...table.querySelectorAll("tbody tr")].map((row) => row.cells[0].textContent + ":" + row.cells[3].textContent + ">" + row.cells[4].textContent.trim()) : null;`,
    "who would move",
  );
  check(wouldMove.length >= 2 && wouldMove.some((line) => line.startsWith(`${bib}:`)), `the preview lists who would move before saving (${wouldMove.join(", ")})`);
  await screenshotAt(app, "screens-05-amend-preview-1280", 1280, 800);
  await app.type("#amend-reason", "Video review");
  await app.click('[aria-label="Amend score"]');
  const moved = await app.until(
    `const table = document.querySelector('table[aria-label="Placement impact"]'); return table ? [...table.querySelectorAll("tbody tr")].map((row) => row.cells[0].textContent + ":" + row.cells[3].textContent + ">" + row.cells[4].textContent.trim()) : null;`,
    "who moved",
  );
  check(JSON.stringify(moved) === JSON.stringify(wouldMove), `who moved matches the preview (${moved.join(", ")})`);
  const movedCount = await app.script(`return document.querySelector('[data-testid="impact-count"]')?.textContent ?? null`);
  check(typeof movedCount === "string" && movedCount.startsWith(`${moved.length} place`) && !movedCount.includes("listed"), `the count of who moved matches the rows listed (${movedCount})`);
  await screenshotAt(app, "screens-06-amend-moved-1280", 1280, 800);

  // 6. Heat sheet: lane order, Enter saves and shows the place, a bad value keeps its text and focus.
  await app.click('nav button[aria-label^="Score entry ("]');
  await app.until(`return document.querySelector("#entry-workout")?.options.length > 4`, "the workouts on score entry");
  const heatWorkout = await app.script(`return [...document.querySelector("#entry-workout").options].find((option) => option.textContent.includes("Heat Row")).value`);
  await app.select("#entry-workout", heatWorkout);
  await app.click('[role="group"][aria-label="Entry mode"] button:nth-child(2)');
  const lanes = await app.until(
    `const table = document.querySelector('table.heat-sheet'); return table ? [...table.querySelectorAll("tbody tr")].map((row) => row.cells[0].textContent + ":" + row.cells[1].textContent) : null;`,
    "the heat sheet",
  );
  check(JSON.stringify(lanes) === JSON.stringify(["1:12", "2:7", "3:3"]), `the heat's athletes are listed in lane order (${lanes.join(", ")})`);
  const focusedLane = await app.until(`return document.activeElement?.getAttribute("aria-label")?.startsWith("Score for lane 1") ? document.activeElement.getAttribute("aria-label") : null`, "focus on lane 1");
  check(Boolean(focusedLane), "the first lane's score field has focus");
  await typeExactly(app, '[aria-label^="Score for lane 1"]', "7:10.0");
  await app.keys('[aria-label^="Score for lane 1"]', "\uE007");
  await app.until(`return document.querySelector('[data-testid="heat-place-1"]')?.textContent === "1"`, "lane 1's place");
  const movedOn = await app.until(`return document.activeElement?.getAttribute("aria-label")?.startsWith("Score for lane 2") || null`, "focus to move to lane 2");
  check(movedOn === true, "Enter saved lane 1, its place appeared and focus moved to lane 2");
  await app.keys('[aria-label^="Score for lane 2"]', "abc\uE007");
  const laneError = await app.until(`return document.querySelector('[data-testid="heat-lane-2"] [role="alert"]')?.textContent ?? null`, "lane 2's error");
  const kept = await app.script(`const input = document.querySelector('[aria-label^="Score for lane 2"]'); return { value: input.value, focused: document.activeElement === input };`);
  check(/invalid score/i.test(laneError) && kept.value === "abc" && kept.focused, `a bad value is refused on its lane, keeping the text and focus (${laneError})`);
  await screenshotAt(app, "screens-07-heat-sheet-error-1280", 1280, 800);
  await typeExactly(app, '[aria-label^="Score for lane 2"]', "7:05.0");
  await app.keys('[aria-label^="Score for lane 2"]', "\uE007");
  const places = await app.until(
    `const one = document.querySelector('[data-testid="heat-place-1"]')?.textContent; const two = document.querySelector('[data-testid="heat-place-2"]')?.textContent; return two === "1" ? [one, two] : null;`,
    "the places after lane 2",
  );
  check(places[0] === "2" && places[1] === "1", `the faster lane 2 takes first place and lane 1 moves to second (${places.join(", ")})`);
  await screenshotAt(app, "screens-08-heat-sheet-1280", 1280, 800);
  // Places in one division: the same lanes, the division board's places.
  const womenRx = await app.script(`return [...document.querySelector("#heat-division").options].find((option) => option.textContent === "Women RX").value`);
  await app.select("#heat-division", womenRx);
  const divisionPlaces = await app.until(
    `const header = [...document.querySelectorAll("table.heat-sheet th")].map((cell) => cell.textContent).find((text) => text.startsWith("Place in")); return header === "Place in Women RX" ? { header, two: document.querySelector('[data-testid="heat-place-2"]').textContent, result: document.querySelector('[data-testid="heat-result-1"]').textContent } : null;`,
    "the Women RX places on the heat sheet",
  );
  check(divisionPlaces.two === "1" && divisionPlaces.result === "7:10.0", `with a division chosen the heat sheet shows division places (${JSON.stringify(divisionPlaces)})`);
  await screenshotAt(app, "screens-08b-heat-sheet-division-1280", 1280, 800);

  // 6b. Team workouts in the individual overall: left out by default (the
  // column heading says so and athletes' relay cells say "not counted"), then
  // the organiser picks "team place" on the setup screen and every member
  // carries the team's place.
  const overallRelay = `
    const grid = document.querySelector('[role="grid"][aria-label="Overall leaderboard"]');
    if (!grid) return null;
    const headers = [...grid.querySelectorAll('[role="columnheader"]')].map((cell) => cell.textContent.trim());
    const column = headers.findIndex((text) => text.startsWith("Event 4: Team Synchro Relay"));
    const rows = [...grid.querySelectorAll('[role="row"][aria-rowindex]:not([aria-busy])')].slice(1);
    if (column < 0 || rows.length < 5) return null;
    const cells = rows.map((row) => row.querySelectorAll('[role="gridcell"]')[column]?.textContent.trim() ?? "");
    return { heading: headers[column], cells: cells.slice(0, 8) };`;
  await app.click('nav button[aria-label^="Leaderboard ("]');
  await app.until(`return document.querySelector("#leaderboard-view")?.options.length > 4`, "the boards to choose from");
  await app.select("#leaderboard-view", "overall");
  const excluded = await app.until(overallRelay, "the overall table");
  check(
    excluded.heading === "Event 4: Team Synchro Relay (team, not counted)" && excluded.cells.length > 3 && excluded.cells.every((cell) => cell === "not counted"),
    `by default the overall leaves the relay out of athletes' totals and its heading says so (${excluded.heading}: ${excluded.cells.slice(0, 3).join(" / ")})`,
  );
  // The unscoped individual overall lists the 60 athletes only: the 20
  // relay teams (bibs T1..T20) are not ranked among them.
  const overallRows = await app.until(`return document.querySelector('[data-testid="leaderboard-status"]')?.dataset.rows || null`, "the overall's row count");
  await typeExactly(app, "#leaderboard-find", "T1");
  await app.click('[aria-label="Find bib on this leaderboard"]');
  const teamFind = await app.until(`return [...document.querySelectorAll('[role="status"]')].map((element) => element.textContent).find((text) => text.includes("Bib T1")) ?? null`, "the find answer for team T1");
  check(overallRows === "60" && teamFind === "Bib T1 is not on this leaderboard.", `the unscoped overall lists the 60 athletes and no team (${overallRows} rows; ${teamFind})`);
  await screenshotAt(app, "screens-14-overall-team-excluded-1280", 1280, 800);
  await app.click('nav button[aria-label^="Setup ("]');
  await app.until(`return document.querySelector("#overall-team-workouts")?.value === "excluded" || null`, "the overall rule on the setup screen");
  await app.select("#overall-team-workouts", "team_place");
  const setupNote = await app.until(`const note = [...document.querySelectorAll('[role="status"]')].map((element) => element.textContent).find((text) => text.startsWith("Overall:")); return note ?? null;`, "the stored rule");
  check(setupNote.includes("credited with the team's place"), `the setup screen stores the rule (${setupNote})`);
  await screenshotAt(app, "screens-15-setup-team-rule-1280", 1280, 800);
  await app.click('nav button[aria-label^="Leaderboard ("]');
  await app.until(`return document.querySelector("#leaderboard-view")?.options.length > 4`, "the boards to choose from");
  await app.select("#leaderboard-view", "overall");
  const credited = await app.until(`const result = (() => { ${overallRelay} })(); return result && result.heading.endsWith("(team place)") ? result : null;`, "the overall with team places");
  check(
    credited.cells.filter((cell) => /^\d+:\d\d\.\d+ \(\d+\)$/.test(cell)).length >= 4,
    `with "team place" athletes carry their team's relay place (${credited.heading}: ${credited.cells.slice(0, 3).join(" / ")})`,
  );
  await screenshotAt(app, "screens-16-overall-team-place-1280", 1280, 800);
  const cliOverall = JSON.parse(execFileSync(cli, ["--json", "--file", competitionFile, "leaderboard", "overall"], { encoding: "utf8" }));
  check(cliOverall.team_workouts === "team_place", `the CLI reads the rule the app stored (${cliOverall.team_workouts})`);

  // 6c. The team overall of a mixed event: the 20 relay teams ranked on the
  // relay only, the individual workouts headed "not counted", in the same
  // order as the CLI's `leaderboard overall --teams`.
  await app.select("#leaderboard-view", "team-overall");
  const teamOverall = await app.until(`
    const grid = document.querySelector('[role="grid"][aria-label="Team overall leaderboard"]');
    if (!grid) return null;
    const headers = [...grid.querySelectorAll('[role="columnheader"]')].map((cell) => cell.textContent.trim());
    const rows = [...grid.querySelectorAll('[role="row"][aria-rowindex]:not([aria-busy])')].slice(1);
    if (rows.length < 5) return null;
    const firstCells = rows.map((row) => [...row.querySelectorAll('[role="gridcell"]')].slice(0, 2).map((cell) => cell.textContent.trim()));
    return { headers, rows: firstCells.slice(0, 8), count: document.querySelector('[data-testid="leaderboard-status"]')?.dataset.rows ?? null };`, "the team overall table");
  const cliTeams = JSON.parse(execFileSync(cli, ["--json", "--file", competitionFile, "leaderboard", "overall", "--teams"], { encoding: "utf8" }));
  const cliFirst = cliTeams.rows.slice(0, 8).map((row) => [row.rank === null ? "" : String(row.rank), row.bib]);
  const shownFirst = teamOverall.rows.map(([rank, bib]) => [rank.replace(/=$/, "").replace(/^-$/, ""), bib]);
  check(
    teamOverall.count === String(cliTeams.rows.length) &&
      teamOverall.rows.every(([, bib]) => bib.startsWith("T")) &&
      JSON.stringify(shownFirst) === JSON.stringify(cliFirst),
    `the team overall lists the ${teamOverall.count} teams in the CLI's order (${shownFirst.slice(0, 3).map((row) => row.join(" ")).join(", ")})`,
  );
  check(
    teamOverall.headers.includes("Team") &&
      !teamOverall.headers.includes("Athlete") &&
      teamOverall.headers.some((text) => text.startsWith("Event 4: Team Synchro Relay") && !text.includes("not counted")) &&
      teamOverall.headers.some((text) => text.endsWith("(individual, not counted)")),
    `the team overall's name column says Team, it counts the relay and names the individual workouts as not counted (${teamOverall.headers.filter((text) => text.includes("not counted")).length} such headings)`,
  );
  await screenshotAt(app, "screens-16b-team-overall-1280", 1280, 800);

  // 7. 900x600: one line of tabs with a More menu, the strip, the leaderboard.
  await request("POST", `/session/${sessionId}/window/rect`, { width: 900, height: 600 });
  await app.until(`return window.innerWidth <= 900 ? window.innerWidth : null`, "the window to shrink to 900 px");
  layout = await app.script(navOnOneLine);
  check(layout.lines === 1 && !layout.overflow && layout.tabs === 7, `at ${layout.width} px the tabs stay on one line with a More menu (${JSON.stringify(layout)})`);
  await app.click('nav button[aria-label^="Amendments ("]');
  await screenshotAt(app, "screens-10-amend-900", 900, 600);
  await app.click('button[aria-label="More screens"]');
  await screenshotAt(app, "screens-11-more-menu-900", 900, 600);
  await app.click('[role="menu"][aria-label="More screens"] [role="menuitem"]:nth-child(2)');
  await app.until(`return document.querySelector('#sync-title') !== null`, "the Sync screen from the More menu");
  check(true, "the More menu opens the Sync screen");
  await screenshotAt(app, "screens-12-sync-900", 900, 600);
  await press(app, 'button[aria-label="Keyboard shortcuts (?)"]', "\uE00A5\uE000");
  await app.until(`return document.querySelectorAll('[role="grid"] [role="row"][aria-rowindex]').length > 2`, "the leaderboard at 900 px");
  await screenshotAt(app, "screens-13-leaderboard-900", 900, 600);
  await app.select("#leaderboard-view", "overall");
  await app.until(`const result = (() => { ${overallRelay} })(); return result && result.heading.endsWith("(team place)") ? result : null;`, "the overall at 900 px");
  // The overall's headings stay within two lines at 900 px; each carries its full heading as a tooltip.
  const headings = await app.script(`
    const header = document.querySelector('[role="grid"][aria-label="Overall leaderboard"] .grid-header');
    const cells = [...header.querySelectorAll('[role="columnheader"]')];
    const lineHeight = parseFloat(getComputedStyle(cells[0]).lineHeight);
    return { height: header.getBoundingClientRect().height, lineHeight, titled: cells.every((cell) => cell.title === cell.textContent.trim()), relay: cells.find((cell) => cell.title.startsWith("Event 4"))?.title ?? null };`);
  check(
    headings.height <= 2 * headings.lineHeight + 16 && headings.titled && headings.relay === "Event 4: Team Synchro Relay (team place)",
    `at 900 px the overall's headings stay within two lines (${Math.round(headings.height)} px, line ${headings.lineHeight} px) and each has its full name as a tooltip (${headings.relay})`,
  );
  await screenshotAt(app, "screens-17-overall-team-place-900", 900, 600);
  await app.select("#leaderboard-view", await app.script(`return [...document.querySelector("#leaderboard-view").options].find((option) => option.textContent.includes("Split Row")).value`));
  await app.until(`const headers = [...document.querySelectorAll('[role="grid"] [role="columnheader"]')].map((cell) => cell.textContent.trim()); return headers.includes("Penalty") || null`, "the penalty column at 900 px");
  await screenshotAt(app, "screens-17b-penalty-900", 900, 600);
  await request("POST", `/session/${sessionId}/window/rect`, { width: 1280, height: 800 });
  // 8. The venue display (last: on the bare X server its window stays on top): a second window, large type, provisional marked, no controls.
  await app.click('nav button[aria-label^="Leaderboard ("]');
  await app.until(`return document.querySelector("#leaderboard-view")?.options.length > 4`, "the boards to choose from");
  const rowWorkout = await app.script(`return [...document.querySelector("#leaderboard-view").options].find((option) => option.textContent.includes("2K Row")).value`);
  await app.select("#leaderboard-view", rowWorkout);
  await app.until(`return document.querySelectorAll('[role="grid"] [role="row"][aria-rowindex]').length > 3`, "the leaderboard rows");
  const mainHandle = await request("GET", `/session/${sessionId}/window`);
  await app.click('[aria-label="Open the venue display for this board"]');
  let venueHandle = null;
  for (let attempt = 0; attempt < 50 && !venueHandle; attempt++) {
    const handles = await request("GET", `/session/${sessionId}/window/handles`);
    venueHandle = handles.find((handle) => handle !== mainHandle) ?? null;
    if (!venueHandle) await sleep(200);
  }
  check(Boolean(venueHandle), "the venue display opens in a second window");
  if (venueHandle) {
    await request("POST", `/session/${sessionId}/window`, { handle: venueHandle });
    const venue = await app.until(
      `const rows = [...document.querySelectorAll('.venue-row')]; return rows.length > 3 ? { title: document.querySelector('.venue-title').textContent, state: document.querySelector('[data-testid="venue-state"]').textContent, rows: rows.length, controls: document.querySelectorAll("button, input, select, textarea").length, size: getComputedStyle(rows[0]).fontSize } : null;`,
      "the venue board",
    );
    check(venue.title.includes("2K Row") && venue.state === "OFFICIAL" && venue.controls === 0, `the venue window shows the board with its state and no controls (${JSON.stringify(venue)})`);
    check(parseFloat(venue.size) >= 28, `the venue rows are in large type (${venue.size})`);
    await screenshotAt(app, "screens-09-venue-1280", 1280, 720);
    // Re-aim it at one division from the main window, then an amendment typed there reaches it live.
    await request("POST", `/session/${sessionId}/window`, { handle: mainHandle });
    const women = await app.script(`return [...document.querySelector("#leaderboard-division").options].find((option) => option.textContent === "Women RX").value`);
    await app.select("#leaderboard-division", women);
    await app.until(`return document.querySelector('[data-testid="leaderboard-status"]')?.textContent.startsWith("24 rows") || null`, "the Women RX board");
    await app.click('[aria-label="Open the venue display for this board"]');
    const secondName = await app.until(`return document.querySelector('[role="grid"] [role="row"][aria-rowindex="3"] [role="gridcell"]:nth-child(3)')?.textContent.trim() || null`, "the second row of the division");
    const secondBib = await app.script(`return document.querySelector('[role="grid"] [role="row"][aria-rowindex="3"] [role="gridcell"]:nth-child(2)').textContent.trim()`);
    await request("POST", `/session/${sessionId}/window`, { handle: venueHandle });
    const pinned = await app.until(`const page = document.querySelector('[data-testid="venue-page"]').textContent; return page === "" && document.querySelector('.venue-title').textContent.includes("Women RX") ? true : null;`, "the venue display to stay on Women RX");
    check(pinned === true, "the main window re-aims the open venue display at one division, which it keeps");
    await request("POST", `/session/${sessionId}/window`, { handle: mainHandle });
    await app.click('nav button[aria-label^="Amendments ("]');
    await app.until(`return document.querySelector("#amend-workout")?.options.length > 4`, "the workouts");
    await app.select("#amend-workout", rowWorkout);
    await app.type("#amend-search", secondBib);
    await app.click('[aria-label="Find score"]');
    await app.until(`return document.querySelector('[data-testid="amend-current"]')?.textContent`, "the found score");
    await typeExactly(app, "#amend-value", "5:00.0");
    await app.type("#amend-reason", "Timing correction");
    await app.click('[aria-label="Amend score"]');
    await app.until(`return document.querySelector('table[aria-label="Placement impact"]') !== null`, "the amendment");
    await request("POST", `/session/${sessionId}/window`, { handle: venueHandle });
    const leader = await app.until(`const first = document.querySelector('.venue-row .venue-name')?.textContent; return first === ${JSON.stringify(secondName)} ? first : null;`, "the venue display to follow the amendment", 10_000);
    check(leader === secondName, `the venue display updates live: ${leader} now leads`);
    await request("POST", `/session/${sessionId}/window`, { handle: mainHandle });
  }

} catch (error) {
  tally.stopped("screens", error);
  if (app) await app.failureArtifacts("screens-failure");
} finally {
  if (app) await app.close();
  driver.kill();
}
console.log(`# screens run took ${Math.round((Date.now() - started) / 1000)} s`);
tally.finish();
