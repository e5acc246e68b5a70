// Amendments: find a score by bib or name, type the new value and see who
// would move before anything is saved (the store's preview_amendment, which
// stores nothing), amend it with a reason and an appeal reference, then see
// its full history and who moved. The backend keeps the history
// append-only and computes both impacts.

import { useEffect, useState } from "preact/hooks";
import { useBackend, useTimeZone } from "../app";
import { type AmendOutcome, type AmendPreviewView, type HistoryEntryView, type PlacementChangeView, type ScoreSummary, toBackendError } from "../api/backend";
import { useWorkouts } from "../lib/useWorkouts";
import { localTime } from "../lib/time";

/** How long typing must pause before the preview is asked for. */
const PREVIEW_PAUSE_MS = 250;

function ImpactTable({ label, impact }: { label: string; impact: PlacementChangeView[] }) {
  return (
    <table class="table" aria-label={label}>
      <thead>
        <tr>
          <th scope="col">Bib</th>
          <th scope="col">Athlete</th>
          <th scope="col">Place in</th>
          <th scope="col">Was</th>
          <th scope="col">{label === "Placement impact" ? "Now" : "Would be"}</th>
        </tr>
      </thead>
      <tbody>
        {impact.map((change) => (
          <tr key={`${change.bib}:${change.division ?? ""}`}>
            <td>{change.bib}</td>
            <td>{change.name}</td>
            <td>{change.division ?? "Workout"}</td>
            <td>{change.old_rank ?? "–"}</td>
            <td>
              {change.new_rank ?? "–"}{" "}
              {change.old_rank !== null && change.new_rank !== null && (
                <span class={change.new_rank < change.old_rank ? "up" : "down"}>{change.new_rank < change.old_rank ? "▲" : "▼"}</span>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** How many places changed, and how many of them the table lists (the
 *  backend lists the first ones and counts the rest). */
function ImpactCount({ changes, entrants, listed, testId }: { changes: number; entrants: number; listed: number; testId: string }) {
  const places = `${changes} place${changes === 1 ? "" : "s"} of ${entrants} athlete${entrants === 1 ? "" : "s"}`;
  return (
    <p data-testid={testId}>
      {places}
      {listed < changes ? `; the first ${listed} are listed.` : "."}
    </p>
  );
}

export function AmendmentsScreen() {
  const backend = useBackend();
  const { list, selected, select } = useWorkouts(backend);
  const [query, setQuery] = useState("");
  const [matches, setMatches] = useState<ScoreSummary[]>([]);
  const [chosen, setChosen] = useState<ScoreSummary | null>(null);
  const [history, setHistory] = useState<HistoryEntryView[]>([]);
  const [form, setForm] = useState({ value: "", reason: "", appeal_reference: "", official: "" });
  const [outcome, setOutcome] = useState<AmendOutcome | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [preview, setPreview] = useState<AmendPreviewView | null>(null);
  const [previewError, setPreviewError] = useState<string | null>(null);
  const timeZone = useTimeZone();

  const workoutId = selected?.id ?? null;

  useEffect(() => {
    setMatches([]);
    setChosen(null);
    setOutcome(null);
  }, [workoutId]);

  const search = async () => {
    if (workoutId === null || !query.trim()) return;
    setError(null);
    try {
      const found = await backend.findScores(workoutId, query.trim());
      setMatches(found);
      if (found.length === 0) setError(`No score in this workout matches “${query.trim()}”.`);
      if (found.length === 1) await choose(found[0]);
    } catch (caught) {
      setError(toBackendError(caught).message);
    }
  };

  const choose = async (score: ScoreSummary) => {
    setChosen(score);
    setOutcome(null);
    setForm((current) => ({ ...current, value: score.display }));
    try {
      setHistory(await backend.scoreHistory(score.workout_id, score.bib));
    } catch (caught) {
      setError(toBackendError(caught).message);
    }
  };

  // Who would move: asked for once typing pauses, for a value that differs from the current one.
  const typed = form.value.trim();
  useEffect(() => {
    setPreview(null);
    setPreviewError(null);
    if (!chosen || !typed || typed === chosen.display) return;
    let live = true;
    const timer = setTimeout(() => {
      backend
        .previewAmendment({ workout_id: chosen.workout_id, bib: chosen.bib, value: typed })
        .then((answer) => live && setPreview(answer))
        .catch((caught) => live && setPreviewError(toBackendError(caught).message));
    }, PREVIEW_PAUSE_MS);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [backend, chosen, typed]);

  const amend = async () => {
    if (!chosen) return;
    setBusy(true);
    setError(null);
    try {
      const result = await backend.amendScore({
        workout_id: chosen.workout_id,
        bib: chosen.bib,
        value: form.value.trim(),
        reason: form.reason.trim(),
        appeal_reference: form.appeal_reference.trim(),
        official: form.official.trim(),
      });
      setOutcome(result);
      setChosen(result.score);
      setHistory(result.history);
      setForm((current) => ({ ...current, reason: "", appeal_reference: "" }));
    } catch (caught) {
      setError(toBackendError(caught).message);
    } finally {
      setBusy(false);
    }
  };

  const input = (key: keyof typeof form, label: string, placeholder = "") => (
    <div class="field">
      <label for={`amend-${key}`}>{label}</label>
      <input id={`amend-${key}`} value={form[key]} placeholder={placeholder} onInput={(event) => setForm({ ...form, [key]: (event.currentTarget as HTMLInputElement).value })} />
    </div>
  );

  return (
    <section aria-labelledby="amend-title">
      <div class="entry-head">
        <h1 id="amend-title">Amendments</h1>
        <div class="field">
          <label for="amend-workout">Workout</label>
          <select id="amend-workout" value={workoutId ?? ""} onChange={(event) => select(Number((event.currentTarget as HTMLSelectElement).value))}>
            {list.map((workout) => (
              <option key={workout.id} value={workout.id}>
                {workout.sequence}. {workout.name}
              </option>
            ))}
          </select>
        </div>
      </div>
      <form class="inline-form" aria-label="Find a score" onSubmit={(event) => (event.preventDefault(), void search())}>
        <div class="field grow">
          <label for="amend-search">Find a score (bib or name)</label>
          <input id="amend-search" type="search" value={query} onInput={(event) => setQuery((event.currentTarget as HTMLInputElement).value)} />
        </div>
        <button type="submit" aria-label="Find score">
          Find
        </button>
      </form>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {matches.length > 1 && (
        <ul class="plain-list" aria-label="Matching scores">
          {matches.map((match) => (
            <li key={match.bib}>
              <button type="button" class="link" aria-label={`Choose bib ${match.bib} ${match.name}`} onClick={() => choose(match)}>
                {match.bib} {match.name} — {match.display}
              </button>
            </li>
          ))}
        </ul>
      )}
      {chosen && (
        <div class="columns">
          <form class="panel stack" aria-label="Amend the score" onSubmit={(event) => (event.preventDefault(), void amend())}>
            <h2>
              Bib {chosen.bib} {chosen.name}
            </h2>
            <p>
              Current score <strong class="score" data-testid="amend-current">{chosen.display}</strong>
              {chosen.rank !== null && <> · rank {chosen.rank}</>}
              {chosen.amended && <span class="badge official"> amended</span>}
            </p>
            {input("value", "New score")}
            {input("reason", "Reason", "e.g. judge's rep count corrected")}
            <div class="row">
              {input("appeal_reference", "Appeal reference", "e.g. APL-12")}
              {input("official", "Official")}
            </div>
            <button type="submit" class="primary" aria-label="Amend score" disabled={busy || !form.reason.trim() || !form.value.trim()}>
              Amend score
            </button>
          </form>
          <div class="panel">
            {!outcome && (preview || previewError) && (
              <div data-testid="amend-preview">
                <h2>Before you save</h2>
                {previewError ? (
                  <p class="error">{previewError}</p>
                ) : (
                  preview && (
                    <>
                      <p>
                        {preview.old_display ?? "No result"} → <strong class="score">{preview.new_display}</strong>. Nothing is saved until you amend.
                      </p>
                      {preview.impact.length === 0 ? (
                        <p class="muted" data-testid="preview-none">
                          No placement would change.
                        </p>
                      ) : (
                        <>
                          <p>Who would move:</p>
                          <ImpactCount changes={preview.impact_changes} entrants={preview.impact_entrants} listed={preview.impact.length} testId="preview-count" />
                          <ImpactTable label="Would move" impact={preview.impact} />
                        </>
                      )}
                    </>
                  )
                )}
              </div>
            )}
            {outcome && (
              <>
                <h2>Who moved</h2>
                {outcome.impact.length === 0 ? (
                  <p class="muted" data-testid="impact-none">No placement changed.</p>
                ) : (
                  <>
                    <ImpactCount changes={outcome.impact_changes} entrants={outcome.impact_entrants} listed={outcome.impact.length} testId="impact-count" />
                    <ImpactTable label="Placement impact" impact={outcome.impact} />
                  </>
                )}
              </>
            )}
            <h2>History</h2>
            <table class="table" aria-label="Score history">
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">By</th>
                  <th scope="col">Change</th>
                  <th scope="col">Reason</th>
                  <th scope="col">Appeal</th>
                </tr>
              </thead>
              <tbody>
                {history.map((item, index) => (
                  <tr key={index}>
                    <td title={item.at}>{localTime(item.at, timeZone)}</td>
                    <td>{item.by}</td>
                    <td>
                      {item.old_display ? `${item.old_display} → ` : ""}
                      <strong>{item.new_display}</strong>
                    </td>
                    <td>{item.reason ?? ""}</td>
                    <td>{item.appeal_reference ?? ""}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </div>
      )}
    </section>
  );
}
