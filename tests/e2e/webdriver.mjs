// WebDriver plumbing shared by the end-to-end tests (e2e.mjs and
// integrations.mjs): starting tauri-driver on its own ports, creating a
// session (retried, since tauri-driver can accept before WebKitWebDriver is
// ready), and a small session API (find, click, type, script, until,
// screenshots from Xvfb's framebuffer, failure artifacts).

import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { saveFramebuffer } from "./framebuffer.mjs";

export const sleep = (ms) => new Promise((done) => setTimeout(done, ms));

/** No single WebDriver call may take longer than this (a hung webview fails fast). */
const requestTimeoutMs = 60_000;

/**
 * The driver for one test run. `port` is tauri-driver's (the next one is
 * WebKitWebDriver's); `until` waits `untilTimeoutMs` by default, polling every
 * `untilPollMs`.
 */
export function createDriver({ port, application, artifacts, verbose = false, untilTimeoutMs = 15_000, untilPollMs = 100 }) {
  const driverUrl = `http://127.0.0.1:${port}`;
  async function request(method, path, body) {
    if (verbose) console.log(`# -> ${method} ${path} ${body === undefined ? "" : JSON.stringify(body).slice(0, 120)}`);
    const response = await fetch(`${driverUrl}${path}`, {
      method,
      headers: { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(requestTimeoutMs),
    });
    const text = await response.text();
    const json = text ? JSON.parse(text) : {};
    if (!response.ok) {
      const error = new Error(`${method} ${path}: ${response.status} ${json.value?.error ?? ""} ${json.value?.message ?? text}`);
      error.webdriver = json.value?.error;
      throw error;
    }
    return json.value;
  }

  /** Starts tauri-driver and waits until it answers. */
  async function startDriver(environment) {
    const driver = spawn("tauri-driver", ["--port", String(port), "--native-port", String(port + 1)], {
      env: environment,
      stdio: ["ignore", "inherit", "inherit"],
    });
    for (let attempt = 0; attempt < 60; attempt++) {
      try {
        await fetch(`${driverUrl}/status`);
        return driver;
      } catch {
        await sleep(250);
      }
    }
    throw new Error("tauri-driver did not start listening");
  }

  /** Creates a session, retrying: tauri-driver may accept before WebKitWebDriver is ready. */
  async function createSession() {
    let lastError;
    for (let attempt = 0; attempt < 10; attempt++) {
      try {
        const value = await request("POST", "/session", {
          capabilities: { alwaysMatch: { "tauri:options": { application } } },
        });
        return value.sessionId;
      } catch (error) {
        lastError = error;
        await sleep(1000);
      }
    }
    throw lastError;
  }

  function sessionApi(sessionId) {
    const base = `/session/${sessionId}`;
    const api = {
      async find(selector, timeoutMs = 10_000) {
        const deadline = Date.now() + timeoutMs;
        for (;;) {
          try {
            const value = await request("POST", `${base}/element`, { using: "css selector", value: selector });
            return Object.values(value)[0];
          } catch (error) {
            if (Date.now() > deadline) throw new Error(`no element matches ${selector}: ${error.message}`);
            await sleep(100);
          }
        }
      },
      async click(selector) {
        const element = await api.find(selector);
        await request("POST", `${base}/element/${element}/click`, {});
      },
      async clear(selector) {
        const element = await api.find(selector);
        await request("POST", `${base}/element/${element}/clear`, {});
        return element;
      },
      async type(selector, text) {
        const element = await api.clear(selector);
        await request("POST", `${base}/element/${element}/value`, { text });
      },
      async keys(selector, text) {
        const element = await api.find(selector);
        await request("POST", `${base}/element/${element}/value`, { text });
      },
      async text(selector) {
        const element = await api.find(selector);
        return request("GET", `${base}/element/${element}/text`);
      },
      async script(source, ...args) {
        return request("POST", `${base}/execute/sync`, { script: source, args });
      },
      /** Waits until `predicate` (a script returning a truthy value) holds; returns its value. */
      async until(source, description, timeoutMs = untilTimeoutMs, ...args) {
        const deadline = Date.now() + timeoutMs;
        let value;
        for (;;) {
          value = await api.script(source, ...args);
          if (value) return value;
          if (Date.now() > deadline) throw new Error(`timed out waiting for ${description}`);
          await sleep(untilPollMs);
        }
      },
      /** Chooses the option of a select by its value. */
      async select(selector, value) {
        await api.script(
          `const select = document.querySelector(arguments[0]);
           if (![...select.options].some((option) => option.value === arguments[1])) throw new Error("no option " + arguments[1]);
           select.value = arguments[1];
           select.dispatchEvent(new Event("change", { bubbles: true }));`,
          selector,
          value,
        );
      },
      async selectOption(selectSelector, optionText) {
        await api.script(
          `const select = document.querySelector(arguments[0]);
           const option = [...select.options].find((candidate) => candidate.textContent.trim() === arguments[1]);
           if (!option) throw new Error("no option " + arguments[1]);
           select.value = option.value;
           select.dispatchEvent(new Event("change", { bubbles: true }));`,
          selectSelector,
          optionText,
        );
      },
      /** Saves what the screen shows: from Xvfb's framebuffer when E2E_FBDIR is set, else through WebDriver. */
      async screenshot(name) {
        const path = join(artifacts, `${name}.png`);
        if (process.env.E2E_FBDIR) {
          // Let the last change reach the screen before reading it.
          await sleep(400);
          saveFramebuffer(process.env.E2E_FBDIR, path, 1280, 800);
        } else {
          const data = await request("GET", `${base}/screenshot`);
          writeFileSync(path, Buffer.from(data, "base64"));
        }
        console.log(`# screenshot ${path}`);
      },
      /** Saves a screenshot and the page source, for a failed run. */
      async failureArtifacts(name) {
        try {
          await api.screenshot(name);
          writeFileSync(join(artifacts, `${name}.html`), await request("GET", `${base}/source`));
        } catch (error) {
          console.log(`# could not save failure artifacts: ${error.message}`);
        }
      },
      async close() {
        await request("DELETE", base).catch(() => {});
      },
    };
    return api;
  }

  return { request, startDriver, createSession, sessionApi };
}
