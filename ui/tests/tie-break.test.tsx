import { describe, expect, it } from "vitest";
import { fireEvent, render, screen } from "@testing-library/preact";
import { App } from "../src/app";
import { createMockBackend } from "../src/api/mock";
import { competition, competitors, fran } from "./fixtures";

function setup(tieBreak: "none" | "tie_break_time") {
  const backend = createMockBackend({
    competition,
    workouts: [{ ...fran, tie_break: tieBreak }],
    competitors,
    rejectTieBreak: (text) => (/^[0-9:.]+$/.test(text) ? null : `Invalid tie-break "${text}" for bib 101: expected a time like 8:15.2`),
  });
  render(<App backend={backend} initialScreen="entry" />);
  return backend;
}

async function typeLine(bib: string, score: string) {
  const bibInput = (await screen.findByLabelText("Bib")) as HTMLInputElement;
  fireEvent.input(bibInput, { target: { value: bib } });
  await screen.findByText(competitors.find((competitor) => competitor.bib === bib)!.first_name, { exact: false });
  fireEvent.keyDown(bibInput, { key: "Enter" });
  const value = screen.getByLabelText(/^Score \(e\.g\./) as HTMLInputElement;
  expect(document.activeElement).toBe(value);
  fireEvent.input(value, { target: { value: score } });
  fireEvent.keyDown(value, { key: "Enter" });
  return { bibInput, value };
}

describe("tie-break on score entry", () => {
  it("asks for the tie-break after the score when the workout has one, and saves both", async () => {
    const backend = setup("tie_break_time");
    const { bibInput } = await typeLine("101", "CAP+41");
    // Enter in the score moved on to the tie-break instead of saving.
    const tieBreak = screen.getByLabelText(/^Tie-break time/) as HTMLInputElement;
    expect(document.activeElement).toBe(tieBreak);
    expect(backend.entries).toHaveLength(0);
    // The fields follow each other in Tab order: bib, score, tie-break, save.
    const order = [...document.querySelectorAll<HTMLElement>(".entry-line input, .entry-line button")].map((element) => element.id || element.getAttribute("aria-label"));
    expect(order).toEqual(["entry-bib", "entry-value", "entry-tie-break", "Save score"]);
    fireEvent.input(tieBreak, { target: { value: "8:15.2" } });
    fireEvent.keyDown(tieBreak, { key: "Enter" });
    await screen.findByText("Saved: bib 101 Ada Lovelace — CAP+41 (tie-break 8:15.2)");
    expect(backend.entries.map((entry) => entry.display)).toEqual(["CAP+41 (tie-break 8:15.2)"]);
    expect(tieBreak.value).toBe("");
    expect(document.activeElement).toBe(bibInput);
  });

  it("keeps the line and focuses the tie-break when only the tie-break is wrong", async () => {
    const backend = setup("tie_break_time");
    const { value } = await typeLine("101", "CAP+41");
    const tieBreak = screen.getByLabelText(/^Tie-break time/) as HTMLInputElement;
    fireEvent.input(tieBreak, { target: { value: "eight" } });
    fireEvent.keyDown(tieBreak, { key: "Enter" });
    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain('Invalid tie-break "eight"');
    expect(document.activeElement).toBe(tieBreak);
    expect(value.value).toBe("CAP+41");
    expect(tieBreak.value).toBe("eight");
    expect(backend.entries).toHaveLength(0);
  });

  it("shows no tie-break field for a workout without one, and Enter in the score saves", async () => {
    const backend = setup("none");
    await typeLine("102", "4:01.0");
    await screen.findByText("Saved: bib 102 Grace Hopper — 4:01.0");
    expect(screen.queryByLabelText(/^Tie-break time/)).toBeNull();
    expect(backend.entries).toHaveLength(1);
  });
});
