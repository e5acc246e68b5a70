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
import { createDriver, sleep } from "./webdriver.mjs";

const [applicationArgument, cliArgument, workDirectoryArgument] = process.argv.slice(2);
if (!applicationArgument || !cliArgument || !workDirectoryArgument) {
  console.error("usage: node tests/e2e/integrations.mjs <app binary> <cli binary> <work dir>");
  process.exit(2);
}
const application = resolve(applicationArgument);
const cli = resolve(cliArgument);
const workDirectory = resolve(workDirectoryArgument);
const artifacts = resolve(process.env.E2E_ARTIFACTS ?? "test-artifacts");
mkdirSync(artifacts, { recursive: true });
mkdirSync(workDirectory, { recursive: true });

// Two runs can share a machine when each is given its own ports (E2E_DRIVER_PORT and the next one).
const driverPort = Number(process.env.E2E_DRIVER_PORT ?? 4544);
let passed = 0;
let failed = 0;

function check(condition, description) {
  if (condition) {
    passed++;
    console.log(`ok - ${description}`);
  } else {
    failed++;
    console.log(`not ok - ${description}`);
  }
  return condition;
}

const { startDriver, createSession, sessionApi } = createDriver({ port: driverPort, application, artifacts, untilTimeoutMs: 20_000, untilPollMs: 150 });

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
  writeFileSync(competitors, ["bib,first_name,last_name,gender,country,club", "101,Ada,Lovelace,F,GBR,Analytical", "102,Grace,Hopper,F,USA,Cobol Club", "103,Katherine,Johnson,F,USA,Langley"].join("\n") + "\n");
  run("competitors", "import", competitors);
  run("workout", "add", "5k", "--type", "time", "--point", "Halfway");
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

const competitionFile = join(workDirectory, "integrations.scoretable");
prepareCompetition(competitionFile);
const resultsCsv = join(workDirectory, "finish-with-error.csv");
writeFileSync(resultsCsv, ["Bib,Finish,Half", "101,20:01.0,10:00.0", "102,21:30.5,10:40.0", "999,22:00.0,11:00.0", "103,abc,11:30.0"].join("\n") + "\n");
const fixedCsv = join(workDirectory, "finish.csv");
writeFileSync(fixedCsv, ["Bib,Finish,Half", "101,20:01.0,10:00.0", "102,21:30.5,10:40.0", "999,22:00.0,11:00.0"].join("\n") + "\n");
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
try {
  app = sessionApi(await createSession());
  await app.until(`return document.querySelector('[data-testid="competition-name"]')?.textContent === "Integration Day"`, "the competition to open");
  await mapping(app, resultsCsv);
  await importFixedFile(app, fixedCsv);
  await exports(app);
  await sync(app, port);
} catch (error) {
  failed++;
  console.log(`not ok - the integration run stopped: ${error.message}`);
  if (app) await app.failureArtifacts("integrations-failure");
} finally {
  if (app) await app.close();
  driver.kill();
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
