import { describe, expect, it } from "vitest";
import { fireEvent, render, screen, waitFor } from "@testing-library/preact";
import { App } from "../src/app";
import { createMockBackend } from "../src/api/mock";
import { competition, competitors, fran } from "./fixtures";

function setup() {
  const backend = createMockBackend({
    competition,
    workouts: [{ ...fran }],
    competitors,
    rejectValue: (value) => (/^[0-9:.]+$|^CAP\+\d+$|^DNF$/.test(value) ? null : `Invalid score "${value}" for Fran: expected a time like 12:03.4`),
  });
  render(<App backend={backend} initialScreen="entry" />);
  return backend;
}

async function typeBib(bib: string) {
  const input = await screen.findByLabelText("Bib");
  fireEvent.input(input, { target: { value: bib } });
  return input as HTMLInputElement;
}

describe("score entry", () => {
  it("shows the athlete for a typed bib and saves on Enter", async () => {
    const backend = setup();
    const bib = await typeBib("102");
    await screen.findByText("Grace Hopper");
    fireEvent.keyDown(bib, { key: "Enter" });
    const value = screen.getByLabelText(/^Score \(e\.g\./) as HTMLInputElement;
    expect(document.activeElement).toBe(value);
    fireEvent.input(value, { target: { value: "4:01.0" } });
    fireEvent.keyDown(value, { key: "Enter" });
    await screen.findByText("Saved: bib 102 Grace Hopper — 4:01.0");
    expect(backend.entries.map((entry) => [entry.bib, entry.display])).toEqual([["102", "4:01.0"]]);
    // The line is cleared and the bib field is ready for the next athlete.
    expect(bib.value).toBe("");
    expect(document.activeElement).toBe(bib);
    expect(screen.getByRole("table", { name: "Last entries" }).textContent).toContain("Grace Hopper");
  });

  it("says clearly when a bib is unknown and stores nothing", async () => {
    const backend = setup();
    const bib = await typeBib("999");
    await screen.findByText("Unknown bib 999");
    const value = screen.getByLabelText(/^Score \(e\.g\./);
    fireEvent.input(value, { target: { value: "3:00" } });
    fireEvent.keyDown(value, { key: "Enter" });
    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toBe("No competitor has bib 999.");
    expect(document.activeElement).toBe(bib);
    expect(backend.entries).toHaveLength(0);
  });

  it("keeps the typed value and focus on an invalid score", async () => {
    const backend = setup();
    await typeBib("101");
    await screen.findByText("Ada Lovelace");
    const value = screen.getByLabelText(/^Score \(e\.g\./) as HTMLInputElement;
    fireEvent.input(value, { target: { value: "three minutes" } });
    fireEvent.keyDown(value, { key: "Enter" });
    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain('Invalid score "three minutes"');
    expect(value.value).toBe("three minutes");
    expect(document.activeElement).toBe(value);
    expect(backend.entries).toHaveLength(0);
  });

  it("undoes the last entry with the button", async () => {
    const backend = setup();
    const bib = await typeBib("103");
    await screen.findByText("Katherine Johnson");
    fireEvent.keyDown(bib, { key: "Enter" });
    const value = screen.getByLabelText(/^Score \(e\.g\./);
    fireEvent.input(value, { target: { value: "3:59" } });
    fireEvent.keyDown(value, { key: "Enter" });
    await screen.findByText(/^Saved: bib 103/);
    fireEvent.click(screen.getByLabelText("Undo last entry (Ctrl+Z)"));
    await screen.findByText("Undone: bib 103 Katherine Johnson — 3:59");
    expect(backend.entries).toHaveLength(0);
    fireEvent.click(screen.getByLabelText("Undo last entry (Ctrl+Z)"));
    await screen.findByText(/^No entry typed at this table for this workout since the file was opened\./);
  });

  it("gives every interactive element an accessible name", async () => {
    setup();
    await screen.findByLabelText("Bib");
    await waitFor(() => expect(document.querySelectorAll("input, select, button").length).toBeGreaterThan(5));
    for (const element of document.querySelectorAll<HTMLElement>("input, select, button, textarea")) {
      const id = element.getAttribute("id");
      const labelled = element.getAttribute("aria-label") || (id && document.querySelector(`label[for="${id}"]`));
      expect(labelled, element.outerHTML).toBeTruthy();
    }
  });
});
