// One division in the Setup screen's list, with Edit (name, gender and age
// bounds) and Remove (only an empty division; the backend refuses
// otherwise and says who is still in it). A gender or age-group division's
// members follow its changed rule in the store.

import { useState } from "preact/hooks";
import { useBackend } from "../app";
import { type DivisionView, toBackendError } from "../api/backend";
import "../screens/entrants.css";

interface DivisionEditorProps {
  division: DivisionView;
  /** Called after a change or removal, with a sentence for the notice line. */
  onChanged: (notice: string) => void | Promise<void>;
  onError: (message: string) => void;
}

const ageText = (value: number | null) => (value === null ? "" : String(value));
const parseAge = (text: string) => {
  const value = Number.parseInt(text, 10);
  return Number.isNaN(value) ? null : value;
};

export function describeDivision(division: DivisionView): string {
  const parts: string[] = [division.kind.replace("_", " ")];
  if (division.gender) parts.push(division.gender);
  if (division.min_age !== null || division.max_age !== null) parts.push(`ages ${division.min_age ?? "…"}–${division.max_age ?? "…"}`);
  return parts.join(", ");
}

export function DivisionEditor({ division, onChanged, onError }: DivisionEditorProps) {
  const backend = useBackend();
  const [draft, setDraft] = useState<DivisionView | null>(null);
  const [busy, setBusy] = useState(false);
  const id = `division-${division.id}`;

  const run = async (action: () => Promise<string>) => {
    setBusy(true);
    try {
      const notice = await action();
      setDraft(null);
      await onChanged(notice);
    } catch (caught) {
      onError(toBackendError(caught).message);
    } finally {
      setBusy(false);
    }
  };

  if (!draft) {
    return (
      <li>
        <strong>{division.name}</strong> <span class="muted">{describeDivision(division)}</span>{" "}
        <button type="button" class="small" aria-label={`Edit division ${division.name}`} onClick={() => setDraft({ ...division })}>
          Edit
        </button>{" "}
        <button
          type="button"
          class="small quiet"
          aria-label={`Remove division ${division.name}`}
          disabled={busy}
          onClick={() =>
            void run(async () => {
              await backend.removeDivision(division.id);
              return `Division ${division.name} removed.`;
            })
          }
        >
          Remove
        </button>
      </li>
    );
  }

  return (
    <li>
      <form
        class="division-edit"
        aria-label={`Edit division ${division.name}`}
        onSubmit={(event) => {
          event.preventDefault();
          void run(async () => {
            const saved = await backend.updateDivision({ ...draft, name: draft.name.trim() });
            return `Division ${saved.name} saved.`;
          });
        }}
      >
        <div class="field">
          <label for={`${id}-name`}>Name</label>
          <input id={`${id}-name`} aria-label={`Name of division ${division.name}`} value={draft.name} onInput={(event) => setDraft({ ...draft, name: (event.currentTarget as HTMLInputElement).value })} />
        </div>
        <div class="field">
          <label for={`${id}-gender`}>Gender</label>
          <select
            id={`${id}-gender`} aria-label={`Gender of division ${division.name}`}
            value={draft.gender ?? ""}
            onChange={(event) => {
              const value = (event.currentTarget as HTMLSelectElement).value;
              setDraft({ ...draft, gender: value ? (value as DivisionView["gender"]) : null });
            }}
          >
            <option value="">Any</option>
            <option value="female">Female</option>
            <option value="male">Male</option>
            <option value="mixed">Mixed</option>
            <option value="other">Other</option>
          </select>
        </div>
        <div class="field narrow">
          <label for={`${id}-min-age`}>Min age</label>
          <input id={`${id}-min-age`} aria-label={`Min age of division ${division.name}`} inputMode="numeric" value={ageText(draft.min_age)} onInput={(event) => setDraft({ ...draft, min_age: parseAge((event.currentTarget as HTMLInputElement).value) })} />
        </div>
        <div class="field narrow">
          <label for={`${id}-max-age`}>Max age</label>
          <input id={`${id}-max-age`} aria-label={`Max age of division ${division.name}`} inputMode="numeric" value={ageText(draft.max_age)} onInput={(event) => setDraft({ ...draft, max_age: parseAge((event.currentTarget as HTMLInputElement).value) })} />
        </div>
        <button type="submit" class="primary" aria-label={`Save division ${division.name}`} disabled={busy || !draft.name.trim()}>
          Save
        </button>
        <button type="button" class="quiet" aria-label={`Cancel editing division ${division.name}`} onClick={() => setDraft(null)}>
          Cancel
        </button>
      </form>
    </li>
  );
}
