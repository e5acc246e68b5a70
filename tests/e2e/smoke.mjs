// Starts a built or installed Scoretable app on a competition file under
// Xvfb (through tauri-driver), checks that the window shows that
// competition (its name in the header and a leaderboard or start of work),
// and saves a screenshot. Used by tests/demo-smoke.sh (scripts/demo.sh's
// build) and tests/package-smoke.sh (the installed .deb).
//
// Usage: node tests/e2e/smoke.mjs <app binary> <competition file> <expected name> <screenshot name>

import { resolve } from "node:path";
import { mkdirSync } from "node:fs";
import { createDriver, sleep } from "./webdriver.mjs";

const [applicationArgument, file, expectedName, shotName] = process.argv.slice(2);
if (!applicationArgument || !file || !expectedName || !shotName) {
  console.error("usage: node tests/e2e/smoke.mjs <app binary> <competition file> <expected name> <screenshot name>");
  process.exit(2);
}
const artifacts = resolve(process.env.E2E_ARTIFACTS ?? "test-artifacts");
mkdirSync(artifacts, { recursive: true });
const port = Number(process.env.E2E_DRIVER_PORT ?? 4644);
const { startDriver, createSession, sessionApi } = createDriver({
  port,
  application: resolve(applicationArgument),
  artifacts,
  untilTimeoutMs: 30_000,
  untilPollMs: 200,
});

const environment = { ...process.env, WEBKIT_DISABLE_COMPOSITING_MODE: "1", NO_AT_BRIDGE: "1", SCORETABLE_OPEN: resolve(file) };
const driver = await startDriver(environment);
let app;
let ok = false;
try {
  app = sessionApi(await createSession());
  const shown = await app.until(
    `return document.querySelector('[data-testid="competition-name"]')?.textContent || ""`,
    "the competition's name in the header",
  );
  // A few seconds of a running app: it must still show the competition, not an error screen.
  await sleep(3000);
  const still = await app.script(`return document.querySelector('[data-testid="competition-name"]')?.textContent || ""`);
  const size = await app.script(`return [window.innerWidth, window.innerHeight]`);
  await app.screenshot(shotName);
  ok = shown === expectedName && still === expectedName;
  console.log(`${ok ? "ok" : "not ok"} - the window shows "${still}" (expected "${expectedName}") at ${size.join("x")}`);
} catch (error) {
  console.log(`not ok - the smoke run stopped: ${error.message}`);
  if (app) await app.failureArtifacts(`${shotName}-failure`);
} finally {
  if (app) await app.close();
  driver.kill();
}
process.exit(ok ? 0 : 1);
