// End-to-end check of the competition-day screens in the real app: the
// header's status strip (pushed by the backend), plain words and local times
// on the Sync screen, navigation on one line with Alt shortcuts and the `?`
// overlay, "why is A above B" from a row's context menu and the E key, and
// the amendment preview before saving. Screenshots at 1280x800 and 900x600
// land in test-artifacts/screens-*.png.
//
// Usage: node tests/e2e/screens.mjs <app binary> <cli binary> <work dir>

import { execFileSync } from "node:child_process";
import { mkdirSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { join, resolve } from "node:path";
import { createDriver, sleep } from "./webdriver.mjs";

const [applicationArgument, cliArgument, workArgument] = process.argv.slice(2);
if (!applicationArgument || !cliArgument || !workArgument) {
  console.error("usage: node tests/e2e/screens.mjs <app binary> <cli binary> <work dir>");
  process.exit(2);
}
const application = resolve(applicationArgument);
const cli = resolve(cliArgument);
const workDirectory = resolve(workArgument);
const artifacts = resolve(process.env.E2E_ARTIFACTS ?? "test-artifacts");
mkdirSync(artifacts, { recursive: true });
mkdirSync(workDirectory, { recursive: true });
const driverPort = Number(process.env.E2E_DRIVER_PORT ?? 4444);

let passed = 0;
let failed = 0;
function check(condition, description) {
  if (condition) passed++;
  else failed++;
  console.log(`${condition ? "ok" : "not ok"} - ${description}`);
  return condition;
}

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
  await screenshotAt(app, "screens-06-amend-moved-1280", 1280, 800);

  // 6. 900x600: one line of tabs with a More menu, the strip, the leaderboard.
  await request("POST", `/session/${sessionId}/window/rect`, { width: 900, height: 600 });
  await app.until(`return window.innerWidth <= 900 ? window.innerWidth : null`, "the window to shrink to 900 px");
  layout = await app.script(navOnOneLine);
  check(layout.lines === 1 && !layout.overflow && layout.tabs === 7, `at ${layout.width} px the tabs stay on one line with a More menu (${JSON.stringify(layout)})`);
  await screenshotAt(app, "screens-07-amend-900", 900, 600);
  await app.click('button[aria-label="More screens"]');
  await screenshotAt(app, "screens-08-more-menu-900", 900, 600);
  await app.click('[role="menu"][aria-label="More screens"] [role="menuitem"]:nth-child(2)');
  await app.until(`return document.querySelector('#sync-title') !== null`, "the Sync screen from the More menu");
  check(true, "the More menu opens the Sync screen");
  await screenshotAt(app, "screens-09-sync-900", 900, 600);
  await press(app, 'button[aria-label="Keyboard shortcuts (?)"]', "\uE00A5\uE000");
  await app.until(`return document.querySelectorAll('[role="grid"] [role="row"][aria-rowindex]').length > 3`, "the leaderboard at 900 px");
  await screenshotAt(app, "screens-10-leaderboard-900", 900, 600);
  await request("POST", `/session/${sessionId}/window/rect`, { width: 1280, height: 800 });
} catch (error) {
  failed++;
  console.log(`not ok - the screens run stopped: ${error.message}`);
  if (app) await app.failureArtifacts("screens-failure");
} finally {
  if (app) await app.close();
  driver.kill();
}
console.log(`# screens run took ${Math.round((Date.now() - started) / 1000)} s`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
