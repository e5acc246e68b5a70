// End-to-end test of the integration screens of the real desktop app,
// driven through tauri-driver and WebKitWebDriver with plain WebDriver HTTP
// calls (the WebDriver helpers come from webdriver.mjs, shared with e2e.mjs).
//
// Usage: node tests/e2e/integrations.mjs <app binary> <cli binary> <work dir>
//
// The CLI prepares a competition (a division, three competitors, a timed
// workout with one timing point); the app opens it through SCORETABLE_OPEN.
// Then, through the UI only:
// - field mapping: read a CSV written here, map bib / time / split, preview
//   (the unknown bib shows in the preview), save the mapping, import it,
//   and see the unknown participant in the review queue;
// - export: results CSV and PDF through the path field; the files must
//   exist with the reported sizes;
// - sync: add a RunSignup target pointed at a closed localhost port, with a
//   secret (kept in a fallback file under the work dir); the screen shows
//   the queued results and the background worker's retryable error.
// Screenshots go to test-artifacts/integrations-*.png. Any failed check
// exits non-zero.

import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync, existsSync, statSync, rmSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { createServer } from "node:net";
import { createServer as createHttpServer } from "node:http";
import { createDriver, sleep } from "./webdriver.mjs";
import { artifactsFolder, createTally, suiteArguments, workFolder } from "./harness.mjs";
import { saveFramebuffer } from "./framebuffer.mjs";

const [applicationArgument, cliArgument, workDirectoryArgument] = suiteArguments("integrations.mjs", [
  "app binary",
  "cli binary",
  "work dir",
]);
const application = resolve(applicationArgument);
const cli = resolve(cliArgument);
const workDirectory = workFolder(workDirectoryArgument);
const artifacts = artifactsFolder();

// Two runs can share a machine when each is given its own ports (E2E_DRIVER_PORT and the next one).
const driverPort = Number(process.env.E2E_DRIVER_PORT ?? 4544);
const tally = createTally();
const { check } = tally;

const { request, startDriver, createSession, sessionApi } = createDriver({ port: driverPort, application, artifacts, untilTimeoutMs: 20_000, untilPollMs: 150 });

/** A localhost port nothing listens on: bound once, then released. */
async function closedPort() {
  return new Promise((done) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => done(port));
    });
  });
}

function prepareCompetition(file) {
  for (const suffix of ["", "-wal", "-shm", ".lock"]) rmSync(file + suffix, { force: true });
  const run = (...args) => execFileSync(cli, ["--file", file, ...args], { stdio: ["ignore", "pipe", "inherit"] });
  run("create", "--name", "Integration Day", "--start-date", "2026-11-23", "--end-date", "2026-11-23", "--venue", "Test Track", "--country", "GBR", "--organiser", "E2E", "--time-zone", "Europe/London");
  run("division", "add", "Women", "--kind", "gender", "--gender", "female");
  const competitors = join(workDirectory, "integration-competitors.csv");
  writeFileSync(
    competitors,
    ["bib,first_name,last_name,gender,country,club,participant_id", "101,Ada,Lovelace,F,GBR,Analytical,", "102,Grace,Hopper,F,USA,Cobol Club,", "103,Katherine,Johnson,F,USA,Langley,", "104,Mary,Jackson,F,USA,Langley,P-104", "105,Dorothy,Vaughan,F,USA,Langley,P-105"].join("\n") + "\n",
  );
  run("competitors", "import", competitors);
  run("workout", "add", "5k", "--type", "time", "--point", "Halfway");
  // A team workout timed with one chip per member: the feed names the team
  // registration (its bib) and each member by the Teammate ID.
  run("team", "add", "Relay Rockets", "--bib", "T1", "--member", "104,105");
  run("workout", "add", "Relay", "--type", "time", "--team-scoring", "sum-all");
}

async function mapping(app, resultsCsv) {
  await app.click('nav button[aria-label^="Mapping ("]');
  await app.type("#mapping-path", resultsCsv);
  await app.click('[aria-label="Read source fields"]');
  await app.until(`return document.querySelectorAll("#mapping-identifier option").length === 4`, "the source's fields");
  await app.select("#mapping-identifier", "Bib");
  await app.select("#mapping-value", "Finish");
  const splitSelect = await app.script(`return document.querySelector('[id^="mapping-split-"]')?.id ?? null`);
  check(Boolean(splitSelect), "the workout's timing point has a split select");
  if (splitSelect) await app.select(`#${splitSelect}`, "Half");
  await app.type("#mapping-name", "results-file");
  await app.click('[aria-label="Preview import"]');
  const rows = await app.until(
    `const table = document.querySelector('table[aria-label="Import preview"]');
     if (!table) return null;
     return [...table.querySelectorAll("tbody tr")].map((row) => [...row.cells].map((cell) => cell.textContent.trim()));`,
    "the import preview",
  );
  check(rows.length === 4, `the preview shows every row (${rows.length})`);
  check(rows[0][2] === "101" && rows[0][4] === "20:01.0" && rows[0][5].includes("Halfway"), `row 1 is bib 101 at 20:01.0 with its split (${rows[0].join(" | ")})`);
  const invalid = rows.find((row) => row[1] === "invalid");
  check(Boolean(invalid) && invalid[6].includes("Finish"), `the row with a bad time shows its error on the Finish field (${invalid?.join(" | ")})`);
  await app.script(`document.querySelector('table[aria-label="Import preview"]').scrollIntoView({ block: "end" })`);
  await app.screenshot("integrations-1-mapping-preview");

  await app.click('[aria-label="Save mapping"]');
  await app.until(`return document.querySelector('[role="status"]')?.textContent.includes("Saved mapping results-file")`, "the saved mapping");
  await app.click('[aria-label="Import file"]');
  const failure = await app.until(
    `return document.querySelector('[data-testid="import-report"]')?.textContent || document.querySelector('[role="alert"]')?.textContent || null`,
    "the import",
  );
  // The file has an invalid row, so the whole import is refused, naming the row and field.
  check(/finish-with-error\.csv/.test(failure) && /row \d/.test(failure) && /Finish/.test(failure), `an import with a bad row is refused naming file, row and field: ${failure.replace(/\n/g, " / ")}`);
  await app.screenshot("integrations-2-import-refused");
}

async function importFixedFile(app, fixedCsv) {
  await app.type("#mapping-path", fixedCsv);
  await app.click('[aria-label="Preview import"]');
  await app.until(`return document.querySelector('[data-testid="preview-summary"]')?.textContent.includes("0 with errors")`, "a clean preview");
  await app.click('[aria-label="Import file"]');
  const report = await app.until(`return document.querySelector('[data-testid="import-report"]')?.textContent ?? null`, "the import report");
  check(report.includes("2 imported") && report.includes("1 unknown"), `the import reports 2 imported and 1 unknown: ${report}`);
  await app.click('[aria-label^="Inbox ("]');
  const review = await app.until(`return document.querySelector('table[aria-label="Review queue"]')?.textContent ?? null`, "the review queue");
  check(review.includes("999"), "the unknown bib waits in the review queue");
  await app.screenshot("integrations-3-review-queue");
}

/** Resizes the window and waits until the page has the new width. */
async function resize(app, sessionId, width, height) {
  await request("POST", `/session/${sessionId}/window/rect`, { width, height });
  await app.until(`return Math.abs(window.innerWidth - ${width}) < 40 ? window.innerWidth : null`, `the window at ${width} px`);
  await sleep(300);
}

/** Screenshot of the top-left width x height of the screen (the window's size). */
async function screenshotAt(app, name, width, height) {
  if (process.env.E2E_FBDIR) {
    await sleep(500);
    saveFramebuffer(process.env.E2E_FBDIR, join(artifacts, `${name}.png`), width, height);
    console.log(`# screenshot ${join(artifacts, `${name}.png`)}`);
  } else {
    await app.screenshot(name);
  }
}

// Issue #12 item 10: the Teammate ID field is mapped on the screen, so the
// team members' records key on participant id + teammate id, and a team
// still missing a member shows as partial.
async function teammateMapping(app, sessionId, relayJson) {
  await app.click('[aria-label="Mapping and import"]');
  await app.selectOption("#mapping-workout", "2. Relay");
  await app.clear("#mapping-path");
  await app.type("#mapping-path", relayJson);
  await app.select("#mapping-format", "json");
  await app.click('[aria-label="Read source fields"]');
  await app.until(`return [...document.querySelectorAll("#mapping-teammate option")].some((option) => option.value === "Teammate ID")`, "the feed's fields in the Teammate ID select");
  await app.select("#mapping-identifier", "CompCornerID");
  await app.select("#mapping-identifier-kind", "bib");
  await app.select("#mapping-value", "Time");
  await app.select("#mapping-teammate", "Teammate ID");
  await app.clear("#mapping-name");
  await app.type("#mapping-name", "relay-feed");
  await app.click('[aria-label="Preview import"]');
  const rows = await app.until(
    `const table = document.querySelector('table[aria-label="Import preview"]');
     if (!table) return null;
     const heads = [...table.querySelectorAll("thead th")].map((cell) => cell.textContent.trim());
     return { heads, rows: [...table.querySelectorAll("tbody tr")].map((row) => [...row.cells].map((cell) => cell.textContent.trim())) };`,
    "the team feed's preview",
  );
  const teammateColumn = rows.heads.indexOf("Teammate ID");
  check(teammateColumn > 0 && rows.rows.length === 1 && rows.rows[0][2] === "T1" && rows.rows[0][teammateColumn] === "P-104", `the preview shows the team registration and the member's Teammate ID (${rows.heads.join(" | ")} / ${rows.rows[0]?.join(" | ")})`);
  await app.click('[aria-label="Save mapping"]');
  await app.until(`return document.querySelector('[role="status"]')?.textContent.includes("Saved mapping relay-feed")`, "the saved team mapping");
  await app.click('[aria-label="Import file"]');
  const report = await app.until(`const text = document.querySelector('[data-testid="import-report"]')?.textContent ?? ""; return text.startsWith("relay-feed.json") ? text : document.querySelector('p[role="alert"]')?.textContent || null`, "the team feed's import");
  check(report.includes("1 imported") && report.includes("0 unknown"), `the member's record is imported onto the team, none to review: ${report}`);
  const partial = await app.until(`return document.querySelector('[data-testid="import-partial-teams"]')?.textContent ?? null`, "the partial-team warning");
  check(partial.includes("Relay Rockets (1/2)"), `the team still missing a member is shown as partial: ${partial}`);
  // The saved mapping keeps the field: list it back the way the screen loads it.
  // The saved mapping keeps the field: away to the 5k (its own mapping has none) and back.
  await app.selectOption("#mapping-workout", "1. 5k");
  await app.until(`return document.querySelector("#mapping-name").value === "results-file" && document.querySelector("#mapping-teammate").value === ""`, "the 5k's saved mapping, without a Teammate ID");
  await app.selectOption("#mapping-workout", "2. Relay");
  const saved = await app.until(`return document.querySelector("#mapping-name").value === "relay-feed" ? document.querySelector("#mapping-teammate").value : null`, "the Relay's saved mapping");
  check(saved === "Teammate ID", `the saved mapping comes back with its Teammate ID field (${saved})`);
  await app.script(`document.querySelector('#mapping-teammate').scrollIntoView({ block: "start" })`);
  await screenshotAt(app, "integrations-7-teammate-mapping-1280", 1280, 800);
  await resize(app, sessionId, 900, 600);
  await app.script(`document.querySelector('[data-testid="import-partial-teams"]').scrollIntoView({ block: "center" })`);
  await screenshotAt(app, "integrations-7-teammate-mapping-900", 900, 600);
  await resize(app, sessionId, 1280, 800);
}

async function exports(app) {
  await app.click('nav button[aria-label^="Export ("]');
  const csvPath = join(workDirectory, "exports", "5k.csv");
  const pdfPath = join(workDirectory, "exports", "results.pdf");
  rmSync(join(workDirectory, "exports"), { recursive: true, force: true });
  mkdirSync(join(workDirectory, "exports"), { recursive: true });
  await app.until(`return document.querySelector("#export-workout")?.options.length > 0`, "the workouts");
  await app.type("#export-path", csvPath);
  await app.click('[aria-label="Export now"]');
  const csvRow = await app.until(`return document.querySelector('table[aria-label="Files written"] tbody tr')?.textContent ?? document.querySelector('[data-testid="export-error"]')?.textContent ?? null`, "the CSV export");
  check(existsSync(csvPath), `the CSV was written (${csvRow})`);
  if (existsSync(csvPath)) {
    const text = readFileSync(csvPath, "utf8");
    check(text.includes("Lovelace") && csvRow.includes(String(statSync(csvPath).size)), "the CSV holds the results and the screen shows its size");
  }
  await app.screenshot("integrations-4-export-csv");
  await app.select("#export-kind", "pdf");
  await app.type("#export-path", pdfPath);
  await app.click('[aria-label="Export now"]');
  await app.until(`return document.querySelector('table[aria-label="Files written"] tbody tr')?.textContent.includes("results.pdf") || document.querySelector('[data-testid="export-error"]')?.textContent || null`, "the PDF export");
  check(existsSync(pdfPath) && readFileSync(pdfPath).subarray(0, 5).toString() === "%PDF-", "the PDF was written");
  await app.screenshot("integrations-5-export-pdf");
}

async function sync(app, port) {
  await app.click('nav button[aria-label^="Sync ("]');
  await app.type("#target-name", "rsu");
  await app.type("#target-endpoint", `http://127.0.0.1:${port}`);
  await app.type("#target-race_id", "1");
  await app.until(`return document.querySelector("#target-workout")?.options.length > 1`, "the workouts");
  const workoutValue = await app.script(`return document.querySelector("#target-workout").options[1].value`);
  await app.select("#target-workout", workoutValue);
  await app.type("#target-remote_id", "100");
  await app.type("#target-secret", "e2e-key:e2e-secret");
  await app.click('button[aria-label="Add target"]');
  const added = await app.until(`return document.querySelector('[role="status"]')?.textContent || document.querySelector('[role="alert"]')?.textContent || null`, "the new target");
  check(added.startsWith("Added rsu"), `the target is added and its secret stored: ${added}`);
  check(!(await app.script(`return document.body.textContent.includes("e2e-secret")`)), "the secret is never shown back");
  const queued = Number(await app.until(`return document.querySelector('[data-testid="queued-rsu"]')?.textContent ?? null`, "the queued count"));
  check(queued > 0, `the target shows its queued results (${queued})`);
  const retryable = await app.until(`return document.querySelector('[data-testid="retryable-rsu"]')?.textContent ?? null`, "the worker's retryable error", 40_000);
  check(/Can't reach RunSignup \(connection refused\)\. \d+ results? (is|are) waiting; next try at \d\d:\d\d:\d\d\./.test(retryable), `the background worker's failure is shown as retryable, in plain words: ${retryable}`);
  const stillQueued = Number(await app.script(`return document.querySelector('[data-testid="queued-rsu"]').textContent`));
  check(stillQueued === queued, "nothing left the queue while the platform is unreachable");
  await app.screenshot("integrations-6-sync");
}

/**
 * A World Triathlon Live Timing stand-in (seed 004: POST a full-state JSON
 * message with the `apikey` header). It answers only at the path it is
 * given, refuses every message with 400 while the event is "not open"
 * (a refusal retrying cannot fix), and records what arrived.
 */
async function liveTimingStandin(path) {
  const state = { open: false, received: [] };
  const server = createHttpServer((request, response) => {
    let body = "";
    request.on("data", (chunk) => (body += chunk));
    request.on("end", () => {
      let message = null;
      try {
        message = JSON.parse(body);
      } catch {}
      state.received.push({ method: request.method, url: request.url, apikey: request.headers.apikey ?? null, message });
      const answer = (status, value) => {
        response.writeHead(status, { "content-type": "application/json" });
        response.end(JSON.stringify(value));
      };
      if (request.method !== "POST" || request.url !== path) return answer(404, { status: "error", message: `no route ${request.method} ${request.url}` });
      if (request.headers.apikey !== "e2e-wt-key") return answer(401, { status: "error", message: "bad apikey" });
      if (!state.open) return answer(400, { status: "error", message: `event ${message?.event_id} is not open for results yet` });
      answer(200, { status: "success" });
    });
  });
  await new Promise((done) => server.listen(0, "127.0.0.1", done));
  return { state, port: server.address().port, close: () => server.close() };
}

// Issue #16 on the Sync screen: a target added with non-default settings
// (the form is built from the adapter's own descriptions), a row the
// platform refuses, and the per-row Retry once the platform side is fixed.
async function syncSettingsAndRetry(app, sessionId, standin) {
  await app.type("#target-name", "wt");
  await app.until(`return [...document.querySelectorAll("#target-platform option")].some((option) => option.value === "world_triathlon")`, "the backend's platforms");
  const platforms = await app.script(`return [...document.querySelectorAll("#target-platform option")].map((option) => option.value)`);
  check(JSON.stringify(platforms) === JSON.stringify(["runsignup", "runsignup_virtual", "opentrack", "world_triathlon"]), `the platform list is the backend's registry (${platforms.join(", ")})`);
  await app.select("#target-platform", "world_triathlon");
  await app.type("#target-endpoint", `http://127.0.0.1:${standin.port}`);
  await app.selectOption("#target-workout", "1. 5k");
  const remoteLabel = await app.script(`return document.querySelector('label[for="target-remote_id"]').textContent`);
  check(remoteLabel === "World Triathlon prog_id", `the workout's id is asked for as the platform names it (${remoteLabel})`);
  await app.type("#target-remote_id", "100");
  await app.click("details.settings summary");
  const keys = await app.script(`return [...document.querySelectorAll('details.settings [id^="target-"]')].map((element) => element.id)`);
  check(["target-delivery", "target-event_id", "target-sandbox", "target-whole_seconds", "target-path"].every((id) => keys.includes(id)), `every Live Timing setting the adapter takes is offered (${keys.join(", ")})`);
  await app.type("#target-event_id", "E2E-7");
  await app.select("#target-sandbox", "false");
  await app.type("#target-path", "/e2e/timing");
  await app.type("#target-secret", "e2e-wt-key");
  await app.script(`document.querySelector('form[aria-label="Add sync target"]').scrollIntoView({ block: "start" })`);
  await screenshotAt(app, "integrations-8-add-target-settings-1280", 1280, 800);
  await app.click('button[aria-label="Add target"]');
  const added = await app.until(`return [...document.querySelectorAll('p.notice[role="status"], p.error[role="alert"]')].map((element) => element.textContent).find((text) => text.startsWith("Added wt") || !text.startsWith("Can't reach")) ?? null`, "the Live Timing target");
  check(added.startsWith("Added wt"), `the target with non-default settings is added: ${added}`);
  // The background worker pushes; the stand-in refuses the race with 400.
  const refused = await app.until(`return document.querySelector('[aria-label="Rejections of wt"]')?.textContent ?? null`, "the refused race on the card", 40_000);
  check(/not open for results yet/.test(refused), `the refused row is listed with the platform's message: ${refused}`);
  const first = standin.state.received.find((request) => request.url === "/e2e/timing");
  check(Boolean(first) && first.apikey === "e2e-wt-key" && first.message?.sandbox === "false" && first.message?.event_id === "E2E-7" && first.message?.prog_id === "100", `the settings reached the platform: path /e2e/timing, sandbox "false", event_id E2E-7 (${JSON.stringify(first && { url: first.url, sandbox: first.message?.sandbox, event_id: first.message?.event_id })})`);
  check(standin.state.received.every((request) => request.url === "/e2e/timing"), "nothing was sent to the default path");
  await app.script(`document.querySelector('[aria-label="Target wt"]').scrollIntoView({ block: "start" })`);
  await screenshotAt(app, "integrations-9-refused-row-1280", 1280, 800);
  await resize(app, sessionId, 900, 600);
  await app.script(`document.querySelector('[aria-label="Target wt"]').scrollIntoView({ block: "start" })`);
  await screenshotAt(app, "integrations-9-refused-row-900", 900, 600);
  // The event opens on the platform; the official retries that one row.
  standin.state.open = true;
  const pushesBefore = standin.state.received.length;
  await app.click('[aria-label="Rejections of wt"] button[aria-label$=" on wt"]');
  const acknowledged = await app.until(
    `const card = document.querySelector('[aria-label="Target wt"]');
     return card && !card.querySelector('[aria-label="Rejections of wt"]') && Number(card.querySelector('[data-testid="acknowledged-wt"]')?.textContent) >= 1 ? card.querySelector('[data-testid="rejected-wt"]').textContent : null`,
    "the retried row to be acknowledged",
    40_000,
  );
  check(acknowledged === "0" && standin.state.received.length === pushesBefore + 1, `Retry re-sent the refused row once and the platform took it (rejected ${acknowledged}, ${standin.state.received.length - pushesBefore} new push)`);
  await screenshotAt(app, "integrations-10-retried-row-900", 900, 600);
  await app.script(`document.querySelector('form[aria-label="Add sync target"]').scrollIntoView({ block: "start" })`);
  await screenshotAt(app, "integrations-8-add-target-settings-900", 900, 600);
  await resize(app, sessionId, 1280, 800);
  await app.script(`document.querySelector('[aria-label="Target wt"]').scrollIntoView({ block: "start" })`);
  await screenshotAt(app, "integrations-10-retried-row-1280", 1280, 800);
}

const competitionFile = join(workDirectory, "integrations.scoretable");
prepareCompetition(competitionFile);
const resultsCsv = join(workDirectory, "finish-with-error.csv");
writeFileSync(resultsCsv, ["Bib,Finish,Half", "101,20:01.0,10:00.0", "102,21:30.5,10:40.0", "999,22:00.0,11:00.0", "103,abc,11:30.0"].join("\n") + "\n");
const fixedCsv = join(workDirectory, "finish.csv");
writeFileSync(fixedCsv, ["Bib,Finish,Half", "101,20:01.0,10:00.0", "102,21:30.5,10:40.0", "999,22:00.0,11:00.0"].join("\n") + "\n");
const port = await closedPort();
const standin = await liveTimingStandin("/e2e/timing");
const relayJson = join(workDirectory, "relay-feed.json");
// Member P-104 of team T1 has finished; P-105 is still out.
writeFileSync(relayJson, JSON.stringify([{ CompCornerID: "T1", "Teammate ID": "P-104", Time: "00:10:00.0", "Team Name": "Relay Rockets" }]));

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
try {
  const sessionId = await createSession();
  app = sessionApi(sessionId);
  await app.until(`return document.querySelector('[data-testid="competition-name"]')?.textContent === "Integration Day"`, "the competition to open");
  await mapping(app, resultsCsv);
  await importFixedFile(app, fixedCsv);
  await teammateMapping(app, sessionId, relayJson);
  await exports(app);
  await sync(app, port);
  await syncSettingsAndRetry(app, sessionId, standin);
} catch (error) {
  tally.stopped("integration", error);
  if (app) await app.failureArtifacts("integrations-failure");
} finally {
  if (app) await app.close();
  driver.kill();
  standin.close();
}
tally.finish();
