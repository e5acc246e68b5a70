// Keyboard-first score entry: type a bib and the athlete appears; press
// Enter (or Tab) to move to the score; type it and press Enter to save. A
// workout with a tie-break asks for the tie-break time too: Enter in the
// score moves to it, Enter there saves. The confirmation appears only once
// the backend has stored the score durably. Escape clears the line; Ctrl+Z
// (or the Undo button) removes the last entry typed at this table since the
// file was opened; older scores are changed on the Amendments screen.
// "Heat sheet" switches to bulk entry down a heat's lanes (HeatSheet.tsx).

import { useEffect, useRef, useState } from "preact/hooks";
import { useBackend } from "../app";
import { type AthletePreview, type EntryView, toBackendError } from "../api/backend";
import { useWorkouts } from "../lib/useWorkouts";
import { scoreExamples, stateLabel } from "../lib/format";
import { HeatSheet } from "../components/HeatSheet";

type Message = { tone: "error" | "saved" | "info"; text: string };

export function ScoreEntryScreen() {
  const backend = useBackend();
  const { list, selected, select, workouts } = useWorkouts(backend);
  const [bib, setBib] = useState("");
  const [value, setValue] = useState("");
  const [tieBreak, setTieBreak] = useState("");
  const [athlete, setAthlete] = useState<AthletePreview | null>(null);
  const [lookupDone, setLookupDone] = useState(false);
  const [message, setMessage] = useState<Message | null>(null);
  const [saving, setSaving] = useState(false);
  const [recent, setRecent] = useState<EntryView[]>([]);
  const [mode, setMode] = useState<"single" | "heat">("single");
  const bibInput = useRef<HTMLInputElement>(null);
  const valueInput = useRef<HTMLInputElement>(null);
  const tieBreakInput = useRef<HTMLInputElement>(null);
  const lookupSequence = useRef(0);

  const workoutId = selected?.id ?? null;
  const hasTieBreak = selected?.tie_break === "tie_break_time";

  const loadRecent = async () => {
    if (workoutId === null) return;
    try {
      setRecent(await backend.recentEntries(workoutId, 12));
    } catch (caught) {
      setMessage({ tone: "error", text: toBackendError(caught).message });
    }
  };

  useEffect(() => {
    void loadRecent();
    bibInput.current?.focus();
  }, [workoutId]);

  // Look the bib up as it is typed; only the latest lookup's answer is shown.
  useEffect(() => {
    const trimmed = bib.trim();
    setLookupDone(false);
    if (!trimmed || workoutId === null) {
      setAthlete(null);
      return;
    }
    const sequence = ++lookupSequence.current;
    const timer = setTimeout(async () => {
      try {
        const found = await backend.findCompetitor(workoutId, trimmed);
        if (sequence === lookupSequence.current) {
          setAthlete(found);
          setLookupDone(true);
        }
      } catch (caught) {
        if (sequence === lookupSequence.current) setMessage({ tone: "error", text: toBackendError(caught).message });
      }
    }, 80);
    return () => clearTimeout(timer);
  }, [bib, workoutId]);

  const clearLine = () => {
    setBib("");
    setValue("");
    setTieBreak("");
    setAthlete(null);
    bibInput.current?.focus();
  };

  const save = async () => {
    if (workoutId === null || saving) return;
    if (!bib.trim()) {
      setMessage({ tone: "error", text: "Type a bib first." });
      bibInput.current?.focus();
      return;
    }
    setSaving(true);
    try {
      const entry = await backend.enterScore({
        workout_id: workoutId,
        bib: bib.trim(),
        value: value.trim(),
        tie_break: hasTieBreak && tieBreak.trim() ? tieBreak.trim() : null,
      });
      setMessage({ tone: "saved", text: `Saved: bib ${entry.bib} ${entry.name} — ${entry.display}` });
      clearLine();
      await loadRecent();
    } catch (caught) {
      const error = toBackendError(caught);
      setMessage({ tone: "error", text: error.message });
      if (error.kind === "unknown_bib") {
        bibInput.current?.focus();
        bibInput.current?.select();
      } else if (error.kind === "invalid_tie_break" && tieBreakInput.current) {
        tieBreakInput.current.focus();
        tieBreakInput.current.select();
      } else {
        valueInput.current?.focus();
        valueInput.current?.select();
      }
    } finally {
      setSaving(false);
    }
  };

  const undo = async () => {
    if (workoutId === null) return;
    try {
      const removed = await backend.undoLastEntry(workoutId);
      setMessage(
        removed
          ? { tone: "info", text: `Undone: bib ${removed.bib} ${removed.name} — ${removed.display}` }
          : { tone: "info", text: "No entry typed at this table for this workout since the file was opened. To change an earlier score, use the Amendments screen." },
      );
      await loadRecent();
      bibInput.current?.focus();
    } catch (caught) {
      setMessage({ tone: "error", text: toBackendError(caught).message });
    }
  };

  const onBibKey = (event: KeyboardEvent) => {
    if (event.key === "Enter") {
      event.preventDefault();
      if (!bib.trim()) return;
      if (lookupDone && !athlete) {
        setMessage({ tone: "error", text: `No competitor has bib ${bib.trim()}.` });
        return;
      }
      valueInput.current?.focus();
    } else if (event.key === "Escape") {
      clearLine();
    }
  };

  const onValueKey = (event: KeyboardEvent) => {
    if (event.key === "Enter") {
      event.preventDefault();
      if (hasTieBreak) tieBreakInput.current?.focus();
      else void save();
    } else if (event.key === "Escape") {
      clearLine();
    }
  };

  const onTieBreakKey = (event: KeyboardEvent) => {
    if (event.key === "Enter") {
      event.preventDefault();
      void save();
    } else if (event.key === "Escape") {
      clearLine();
    }
  };

  const onScreenKey = (event: KeyboardEvent) => {
    if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === "z" && !bib && !value && !tieBreak) {
      event.preventDefault();
      void undo();
    }
  };

  if (workouts.error) return <p class="error" role="alert">{workouts.error}</p>;
  if (list.length === 0 && !workouts.loading) return <p class="muted">Add a workout on the Setup screen first.</p>;

  return (
    <section class="entry" aria-labelledby="entry-title" onKeyDown={onScreenKey}>
      <div class="entry-head">
        <h1 id="entry-title">Score entry</h1>
        <div class="field">
          <label for="entry-workout">Workout</label>
          <select id="entry-workout" value={workoutId ?? ""} onChange={(event) => select(Number((event.currentTarget as HTMLSelectElement).value))}>
            {list.map((workout) => (
              <option key={workout.id} value={workout.id}>
                {workout.sequence}. {workout.name}
              </option>
            ))}
          </select>
        </div>
        {selected && <span class={`badge ${selected.state}`}>{stateLabel(selected.state)}</span>}
        <div class="segmented" role="group" aria-label="Entry mode">
          <button type="button" aria-label="One at a time" aria-pressed={mode === "single"} onClick={() => setMode("single")}>
            One at a time
          </button>
          <button type="button" aria-label="Heat sheet" aria-pressed={mode === "heat"} onClick={() => setMode("heat")}>
            Heat sheet
          </button>
        </div>
      </div>
      {mode === "heat" && selected ? (
        <HeatSheet workout={selected} />
      ) : (
      <>
      <form class="entry-line" aria-label="Enter a score" onSubmit={(event) => (event.preventDefault(), void save())}>
        <div class="field">
          <label for="entry-bib">Bib</label>
          <input id="entry-bib" ref={bibInput} class="big" autoComplete="off" inputMode="numeric" value={bib} onInput={(event) => setBib((event.currentTarget as HTMLInputElement).value)} onKeyDown={onBibKey} />
        </div>
        <div class="athlete" aria-live="polite" data-testid="athlete-preview">
          {athlete ? (
            <>
              <span class="athlete-name">{athlete.name}</span>
              <span class="muted">
                {athlete.division_names.join(", ")}
                {athlete.current_display ? ` · current score ${athlete.current_display}` : ""}
              </span>
            </>
          ) : bib.trim() && lookupDone ? (
            <span class="unknown">Unknown bib {bib.trim()}</span>
          ) : (
            <span class="muted">Type a bib to see the athlete</span>
          )}
        </div>
        <div class="field">
          <label for="entry-value">Score{selected ? ` (e.g. ${scoreExamples[selected.score_type]} or DNF)` : ""}</label>
          <input id="entry-value" ref={valueInput} class="big" autoComplete="off" value={value} onInput={(event) => setValue((event.currentTarget as HTMLInputElement).value)} onKeyDown={onValueKey} />
        </div>
        {hasTieBreak && (
          <div class="field">
            <label for="entry-tie-break">Tie-break time (e.g. 8:15.2)</label>
            <input id="entry-tie-break" ref={tieBreakInput} class="big tie-break" autoComplete="off" value={tieBreak} onInput={(event) => setTieBreak((event.currentTarget as HTMLInputElement).value)} onKeyDown={onTieBreakKey} />
          </div>
        )}
        <button type="submit" class="primary" aria-label="Save score" disabled={saving}>
          {saving ? "Saving…" : "Save (Enter)"}
        </button>
      </form>
      <div class="message-line">
        {message && (
          <p class={message.tone === "error" ? "error" : message.tone === "saved" ? "saved" : "notice"} role={message.tone === "error" ? "alert" : "status"} data-testid="entry-message">
            {message.text}
          </p>
        )}
      </div>
      <div class="toolbar">
        <button type="button" aria-label="Undo last entry (Ctrl+Z)" aria-describedby="undo-scope" onClick={undo}>
          Undo last entry
        </button>
        <span id="undo-scope" class="muted">
          Undoes only entries typed at this table since the file was opened.
        </span>
      </div>
      <h2>Last entries</h2>
      <table class="table" aria-label="Last entries">
        <thead>
          <tr>
            <th scope="col">Bib</th>
            <th scope="col">Athlete</th>
            <th scope="col">Score</th>
          </tr>
        </thead>
        <tbody>
          {recent.map((entry) => (
            <tr key={entry.entry_id}>
              <td>{entry.bib}</td>
              <td>{entry.name}</td>
              <td class="score">{entry.display}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {recent.length === 0 && <p class="muted">No entries yet for this workout.</p>}
      </>
      )}
    </section>
  );
}
