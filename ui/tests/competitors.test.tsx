import { describe, expect, it } from "vitest";
import { act, fireEvent, render, screen } from "@testing-library/preact";
import { App } from "../src/app";
import { createMockBackend } from "../src/api/mock";
import type { ImportProgress, ImportSummary } from "../src/api/backend";
import { progressText } from "../src/screens/CompetitorsScreen";
import { competition } from "./fixtures";

/** A mock whose CSV import reports progress only when the test says so. */
function steppedImport() {
  const backend = createMockBackend({ competition });
  let report: (progress: ImportProgress) => void = () => {};
  let finish: (summary: ImportSummary) => void = () => {};
  let fail: (error: unknown) => void = () => {};
  backend.importCompetitorsCsv = (_path, onProgress) => {
    report = onProgress;
    return new Promise<ImportSummary>((resolve, reject) => {
      finish = resolve;
      fail = reject;
    });
  };
  return {
    backend,
    report: (done: number, total: number) => act(() => report({ done, total })),
    finish: (summary: ImportSummary) => act(() => finish(summary)),
    fail: (message: string) => act(() => fail({ kind: "invalid_value", message })),
  };
}

async function startImport() {
  fireEvent.input(await screen.findByLabelText("CSV path"), { target: { value: "/data/big.csv" } });
  fireEvent.click(screen.getByLabelText("Import CSV at path"));
}

describe("competitor import progress", () => {
  it("follows the store's reports row by row and ends at the total", async () => {
    const stepped = steppedImport();
    render(<App backend={stepped.backend} initialScreen="competitors" />);
    await startImport();
    const bar = (await screen.findByLabelText("Import progress")) as HTMLProgressElement;
    expect(screen.getByTestId("import-progress-text").textContent).toBe("Reading and checking the file…");
    await stepped.report(0, 60_000);
    await stepped.report(12_000, 60_000);
    expect(bar.max).toBe(60_000);
    expect(bar.value).toBe(12_000);
    expect(bar.getAttribute("aria-valuetext")).toBe(`Storing: ${(12_000).toLocaleString()} of ${(60_000).toLocaleString()} rows (20%)`);
    await stepped.report(60_000, 60_000);
    await stepped.finish({ path: "/data/big.csv", imported: 60_000, added: 60_000, updated: 0 });
    await screen.findByText(/Read 60,000 competitors/);
    expect((screen.getByLabelText("Import progress") as HTMLProgressElement).value).toBe(60_000);
    expect(screen.getByTestId("import-progress-text").textContent).toBe(`${(60_000).toLocaleString()} of ${(60_000).toLocaleString()} rows stored`);
  });

  it("drops the partial count when the import fails, since nothing was stored", async () => {
    const stepped = steppedImport();
    render(<App backend={stepped.backend} initialScreen="competitors" />);
    await startImport();
    await stepped.report(1_000, 3_000);
    await stepped.fail("big.csv row 1202, field bib: bib 1000 already appears in row 2");
    expect((await screen.findByRole("alert")).textContent).toContain("row 1202");
    expect(screen.queryByLabelText("Import progress")).toBeNull();
  });

  it("words the progress for the bar's accessible value", () => {
    expect(progressText(null, true)).toBe("Reading and checking the file…");
    expect(progressText({ done: 0, total: 0 }, true)).toBe("Storing: 0 of 0 rows (0%)");
    expect(progressText({ done: 5, total: 5 }, false)).toBe("5 of 5 rows stored");
  });
});
