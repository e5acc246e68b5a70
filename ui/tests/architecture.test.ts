// The UI's architecture rule: only `src/tauri/` may import `@tauri-apps/*`,
// so every other module runs in a plain browser against the mock.

import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";

const sourceRoot = join(__dirname, "..", "src");

function sourceFiles(directory: string): string[] {
  return readdirSync(directory).flatMap((name) => {
    const path = join(directory, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : /\.(ts|tsx)$/.test(name) ? [path] : [];
  });
}

describe("module boundaries", () => {
  it("imports @tauri-apps only from src/tauri", () => {
    const offenders = sourceFiles(sourceRoot)
      .filter((path) => !relative(sourceRoot, path).startsWith("tauri"))
      .filter((path) => /from\s+["']@tauri-apps\//.test(readFileSync(path, "utf8")));
    expect(offenders).toEqual([]);
  });

  it("keeps the Tauri module actually using @tauri-apps", () => {
    expect(readFileSync(join(sourceRoot, "tauri", "backend.ts"), "utf8")).toMatch(/from "@tauri-apps\/api\/core"/);
  });
});
