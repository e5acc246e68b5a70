// Changing a competitor's divisions from the Competitors screen: type a
// bib, tick the divisions they belong in (a competitor may be in several,
// or none), save. The backend stores exactly the ticked set; ranking by
// division stays in the core.

import { useMemo, useState } from "preact/hooks";
import { useBackend } from "../app";
import { type CompetitorView, type DivisionView, toBackendError } from "../api/backend";
import "../screens/entrants.css";

interface DivisionMembershipProps {
  competitors: CompetitorView[];
  divisions: DivisionView[];
  /** Called with the competitor as stored after a save. */
  onSaved: (competitor: CompetitorView) => void | Promise<void>;
}

export function DivisionMembership({ competitors, divisions, onSaved }: DivisionMembershipProps) {
  const backend = useBackend();
  const [bib, setBib] = useState("");
  // The ticked divisions, for the competitor they were ticked for.
  const [edits, setEdits] = useState<{ competitorId: number; ids: Set<number> } | null>(null);
  const [message, setMessage] = useState<{ tone: "error" | "saved"; text: string } | null>(null);
  const [saving, setSaving] = useState(false);

  const competitor = useMemo(() => competitors.find((candidate) => candidate.bib === bib.trim()) ?? null, [competitors, bib]);

  // A newly found competitor starts from the divisions they are in now.
  const chosen = competitor && edits?.competitorId === competitor.id ? edits.ids : new Set(competitor?.division_ids ?? []);

  const toggle = (divisionId: number, checked: boolean) => {
    if (!competitor) return;
    const next = new Set(chosen);
    if (checked) next.add(divisionId);
    else next.delete(divisionId);
    setEdits({ competitorId: competitor.id, ids: next });
  };

  const save = async () => {
    if (!competitor || saving) return;
    setSaving(true);
    setMessage(null);
    try {
      const ids = divisions.filter((division) => chosen.has(division.id)).map((division) => division.id);
      const stored = await backend.setCompetitorDivisions(competitor.id, ids);
      const names = stored.division_names.length > 0 ? stored.division_names.join(", ") : "no division";
      setMessage({ tone: "saved", text: `Bib ${stored.bib} ${stored.first_name} ${stored.last_name} is now in ${names}.` });
      setEdits(null);
      await onSaved(stored);
    } catch (caught) {
      setMessage({ tone: "error", text: toBackendError(caught).message });
    } finally {
      setSaving(false);
    }
  };

  return (
    <form class="membership" aria-label="Change a competitor's divisions" onSubmit={(event) => (event.preventDefault(), void save())}>
      <div class="field narrow">
        <label for="membership-bib">Bib to move</label>
        <input id="membership-bib" autoComplete="off" inputMode="numeric" value={bib} onInput={(event) => setBib((event.currentTarget as HTMLInputElement).value)} />
      </div>
      <div class="who" aria-live="polite" data-testid="membership-competitor">
        {competitor ? (
          <strong>
            {competitor.first_name} {competitor.last_name}
          </strong>
        ) : bib.trim() ? (
          <span class="error">No competitor has bib {bib.trim()}</span>
        ) : (
          <span class="muted">Type a bib to change their divisions</span>
        )}
      </div>
      <fieldset class="checks" disabled={!competitor}>
        <legend class="visually-hidden">Divisions</legend>
        {divisions.map((division) => (
          <label key={division.id} for={`membership-division-${division.id}`}>
            <input
              id={`membership-division-${division.id}`}
              type="checkbox"
              checked={chosen.has(division.id)}
              onChange={(event) => toggle(division.id, (event.currentTarget as HTMLInputElement).checked)}
            />
            {division.name}
          </label>
        ))}
        {divisions.length === 0 && <span class="muted">No divisions yet: add them on the Setup screen.</span>}
      </fieldset>
      <button type="submit" aria-label="Save divisions" disabled={!competitor || saving}>
        Save divisions
      </button>
      {message && (
        <p class={message.tone === "error" ? "error" : "saved"} role={message.tone === "error" ? "alert" : "status"} data-testid="membership-message">
          {message.text}
        </p>
      )}
    </form>
  );
}
