// Bulk score entry from a heat sheet: the heat's athletes in lane order, one
// score field per lane. Type a score and press Enter: it is saved through the
// same command as single entry (same validation, same durable store), the
// lane's result and place appear from the backend's board, and focus moves
// down the column. A refused value keeps its text and focus, with the
// backend's sentence on that lane; a workout with a tie-break asks for it in
// a second column. Places come from the backend, never from here.

import { useEffect, useRef, useState } from "preact/hooks";
import { useBackend } from "../app";
import { type HeatSheetView, type WorkoutView, toBackendError } from "../api/backend";
import { rankLabel, scoreExamples } from "../lib/format";
import { useAsync } from "../lib/useAsync";

type LaneMessage = { tone: "error" | "saved"; text: string };

export function HeatSheet({ workout }: { workout: WorkoutView }) {
  const backend = useBackend();
  const [heatId, setHeatId] = useState<number | null>(workout.heats[0]?.id ?? null);
  const [divisionId, setDivisionId] = useState<number | null>(null);
  const divisions = useAsync(() => backend.listDivisions(), [backend]);
  const [sheet, setSheet] = useState<HeatSheetView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [typed, setTyped] = useState<Record<number, { value: string; tieBreak: string }>>({});
  const [messages, setMessages] = useState<Record<number, LaneMessage>>({});
  const [saving, setSaving] = useState<number | null>(null);
  const inputs = useRef<Record<string, HTMLInputElement | null>>({});
  const hasTieBreak = workout.tie_break === "tie_break_time";

  useEffect(() => setHeatId(workout.heats[0]?.id ?? null), [workout.id]);

  const load = async () => {
    if (heatId === null) return;
    try {
      setSheet(await backend.heatSheet(workout.id, heatId, divisionId));
      setError(null);
    } catch (caught) {
      setError(toBackendError(caught).message);
    }
  };

  useEffect(() => {
    setSheet(null);
    setTyped({});
    setMessages({});
    void load().then(() => inputs.current["value-0"]?.focus());
  }, [workout.id, heatId]);

  // Places in another division: the same lanes, the division's places.
  useEffect(() => void load(), [divisionId]);

  // Scores typed at other tables (or imported) show up here too.
  useEffect(() => backend.onScoresChanged(() => void load()), [backend, workout.id, heatId, divisionId]);

  const lanes = sheet?.lanes ?? [];
  const line = (index: number) => typed[index] ?? { value: "", tieBreak: "" };
  const focus = (key: string) => {
    const input = inputs.current[key];
    input?.focus();
    input?.select();
  };

  const save = async (index: number) => {
    const lane = lanes[index];
    const { value, tieBreak } = line(index);
    if (!lane || saving !== null) return;
    if (!value.trim()) {
      focus(`value-${index + 1}`);
      return;
    }
    setSaving(index);
    try {
      const entry = await backend.enterScore({
        workout_id: workout.id,
        bib: lane.bib,
        value: value.trim(),
        tie_break: hasTieBreak && tieBreak.trim() ? tieBreak.trim() : null,
      });
      setMessages((current) => ({ ...current, [index]: { tone: "saved", text: `Saved ${entry.display}` } }));
      setTyped((current) => ({ ...current, [index]: { value: "", tieBreak: "" } }));
      await load();
      focus(`value-${index + 1}`);
    } catch (caught) {
      const failure = toBackendError(caught);
      setMessages((current) => ({ ...current, [index]: { tone: "error", text: failure.message } }));
      focus(failure.kind === "invalid_tie_break" && hasTieBreak ? `tie-${index}` : `value-${index}`);
    } finally {
      setSaving(null);
    }
  };

  const edit = (index: number, field: "value" | "tieBreak", text: string) =>
    setTyped((current) => ({ ...current, [index]: { ...line(index), [field]: text } }));

  const onValueKey = (index: number) => (event: KeyboardEvent) => {
    if (event.key === "Enter") {
      event.preventDefault();
      if (hasTieBreak && line(index).value.trim()) focus(`tie-${index}`);
      else void save(index);
    } else if (event.key === "ArrowDown") {
      event.preventDefault();
      focus(`value-${index + 1}`);
    } else if (event.key === "ArrowUp") {
      event.preventDefault();
      focus(`value-${index - 1}`);
    }
  };

  const onTieKey = (index: number) => (event: KeyboardEvent) => {
    if (event.key === "Enter") {
      event.preventDefault();
      void save(index);
    }
  };

  if (workout.heats.length === 0) return <p class="muted">This workout has no heats. Add heats with lanes on the Setup screen or with the CLI.</p>;

  return (
    <div class="stack">
      <div class="inline-form">
        <div class="field">
          <label for="heat-choice">Heat</label>
          <select id="heat-choice" value={heatId ?? ""} onChange={(event) => setHeatId(Number((event.currentTarget as HTMLSelectElement).value))}>
            {workout.heats.map((heat) => (
              <option key={heat.id} value={heat.id}>
                {heat.name}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="heat-division">Places in</label>
          <select
            id="heat-division"
            value={divisionId ?? ""}
            onChange={(event) => {
              const value = (event.currentTarget as HTMLSelectElement).value;
              setDivisionId(value === "" ? null : Number(value));
            }}
          >
            <option value="">Everyone</option>
            {(divisions.value ?? []).map((division) => (
              <option key={division.id} value={division.id}>
                {division.name}
              </option>
            ))}
          </select>
        </div>
        <p class="muted">
          Type each score (e.g. {scoreExamples[workout.score_type]} or DNF) and press Enter; the place appears and the next lane is ready.
        </p>
      </div>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {sheet && lanes.length === 0 && <p class="muted">No athletes are assigned to lanes in {sheet.heat_name}.</p>}
      {lanes.length > 0 && (
        <table class="table heat-sheet" aria-label={`Heat sheet ${sheet?.heat_name ?? ""}`}>
          <thead>
            <tr>
              <th scope="col">Lane</th>
              <th scope="col">Bib</th>
              <th scope="col">Athlete</th>
              <th scope="col">Score</th>
              {hasTieBreak && <th scope="col">Tie-break</th>}
              <th scope="col">Result</th>
              <th scope="col">{divisionId === null ? "Place" : `Place in ${(divisions.value ?? []).find((division) => division.id === divisionId)?.name ?? "division"}`}</th>
              <th scope="col" class="sr-only">
                Message
              </th>
            </tr>
          </thead>
          <tbody>
            {lanes.map((lane, index) => {
              const message = messages[index];
              return (
                <tr key={lane.lane} data-testid={`heat-lane-${lane.lane}`} class={message?.tone === "error" ? "lane-error" : ""}>
                  <td>{lane.lane}</td>
                  <td>{lane.bib}</td>
                  <td>{lane.name}</td>
                  <td>
                    <input
                      ref={(element) => void (inputs.current[`value-${index}`] = element)}
                      aria-label={`Score for lane ${lane.lane}, bib ${lane.bib}`}
                      autoComplete="off"
                      class="lane-input"
                      value={line(index).value}
                      placeholder={lane.display ?? ""}
                      readOnly={saving === index}
                      onInput={(event) => edit(index, "value", (event.currentTarget as HTMLInputElement).value)}
                      onKeyDown={onValueKey(index)}
                    />
                  </td>
                  {hasTieBreak && (
                    <td>
                      <input
                        ref={(element) => void (inputs.current[`tie-${index}`] = element)}
                        aria-label={`Tie-break for lane ${lane.lane}, bib ${lane.bib}`}
                        autoComplete="off"
                        class="lane-input"
                        value={line(index).tieBreak}
                        onInput={(event) => edit(index, "tieBreak", (event.currentTarget as HTMLInputElement).value)}
                        onKeyDown={onTieKey(index)}
                      />
                    </td>
                  )}
                  <td class="score" data-testid={`heat-result-${lane.lane}`}>
                    {lane.display ?? "—"}
                  </td>
                  <td data-testid={`heat-place-${lane.lane}`}>{lane.display ? rankLabel(lane.rank, lane.tied) : ""}</td>
                  <td>
                    {message && (
                      <span class={message.tone === "error" ? "lane-message error-text" : "lane-message saved-text"} role={message.tone === "error" ? "alert" : "status"}>
                        {message.text}
                      </span>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </div>
  );
}
