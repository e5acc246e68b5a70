// What every end-to-end suite shares besides the WebDriver client
// (webdriver.mjs): its command-line arguments, the artifacts folder and the
// tally of checks that decides the exit code.

import { mkdirSync } from "node:fs";
import { resolve } from "node:path";

/**
 * The suite's arguments, in the order of `names`; the first `required` must
 * be given, or the usage is printed and the process exits with 2.
 */
export function suiteArguments(script, names, required = names.length) {
  const values = process.argv.slice(2, 2 + names.length);
  if (names.slice(0, required).some((_, index) => !values[index])) {
    const words = names.map((name, index) => (index < required ? `<${name}>` : `[<${name}>]`));
    console.error(`usage: node tests/e2e/${script} ${words.join(" ")}`);
    process.exit(2);
  }
  return values;
}

/** The folder screenshots and results go to (E2E_ARTIFACTS, default test-artifacts), created. */
export function artifactsFolder() {
  const folder = resolve(process.env.E2E_ARTIFACTS ?? "test-artifacts");
  mkdirSync(folder, { recursive: true });
  return folder;
}

/** `path` resolved and created as a folder. */
export function workFolder(path) {
  const folder = resolve(path);
  mkdirSync(folder, { recursive: true });
  return folder;
}

/**
 * Counts checks: `check(condition, description)` prints `ok - …` or
 * `not ok - …`; `stopped(run, error)` counts a run that threw as a failure;
 * `finish()` prints the totals and exits 0 only when something passed and
 * nothing failed.
 */
export function createTally() {
  const tally = {
    passed: 0,
    failed: 0,
    check(condition, description) {
      if (condition) tally.passed++;
      else tally.failed++;
      console.log(`${condition ? "ok" : "not ok"} - ${description}`);
      return condition;
    },
    stopped(run, error) {
      tally.failed++;
      console.log(`not ok - the ${run} run stopped: ${error.message}`);
    },
    finish() {
      console.log(`${tally.passed} passed, ${tally.failed} failed`);
      process.exit(tally.failed === 0 && tally.passed > 0 ? 0 : 1);
    },
  };
  return tally;
}
