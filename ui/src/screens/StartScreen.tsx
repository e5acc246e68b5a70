// Open or create a competition file. The buttons use the native dialog; the
// path fields open or create a file directly (handy for scripted setups and
// the end-to-end test).

import { useState } from "preact/hooks";
import { useBackend } from "../app";
import { type CompetitionSummary, type NewCompetition, toBackendError } from "../api/backend";

interface StartScreenProps {
  onOpened: (competition: CompetitionSummary) => void;
}

const today = () => new Date().toISOString().slice(0, 10);

export function StartScreen({ onOpened }: StartScreenProps) {
  const backend = useBackend();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [openPath, setOpenPath] = useState("");
  const [details, setDetails] = useState<NewCompetition>({
    path: "",
    name: "",
    start_date: today(),
    end_date: today(),
    venue: "",
    country: "",
    organiser: "",
    time_zone: Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC",
  });

  const run = async (action: () => Promise<CompetitionSummary | null>) => {
    setBusy(true);
    setError(null);
    try {
      const opened = await action();
      if (opened) onOpened(opened);
    } catch (caught) {
      setError(toBackendError(caught).message);
    } finally {
      setBusy(false);
    }
  };

  const field = (key: keyof NewCompetition, label: string, type = "text") => (
    <div class="field">
      <label for={`new-${key}`}>{label}</label>
      <input
        id={`new-${key}`}
        type={type}
        value={details[key]}
        onInput={(event) => setDetails({ ...details, [key]: (event.currentTarget as HTMLInputElement).value })}
      />
    </div>
  );

  return (
    <section class="start" aria-labelledby="start-title">
      <h1 id="start-title">Open or create a competition</h1>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <div class="columns">
        <div class="panel">
          <h2>Open</h2>
          <button type="button" class="primary" aria-label="Open competition file…" disabled={busy} onClick={() => run(() => backend.openCompetitionDialog())}>
            Open competition file…
          </button>
          <form
            class="inline-form"
            onSubmit={(event) => {
              event.preventDefault();
              void run(() => backend.openCompetition(openPath.trim()));
            }}
          >
            <div class="field grow">
              <label for="open-path">Or type a file path</label>
              <input id="open-path" value={openPath} placeholder="/path/to/event.scoretable" onInput={(event) => setOpenPath((event.currentTarget as HTMLInputElement).value)} />
            </div>
            <button type="submit" aria-label="Open file at path" disabled={busy || !openPath.trim()}>
              Open
            </button>
          </form>
        </div>
        <form
          class="panel"
          aria-label="Create a competition"
          onSubmit={(event) => {
            event.preventDefault();
            void run(() => (details.path.trim() ? backend.createCompetition(details) : backend.createCompetitionDialog(details)));
          }}
        >
          <h2>Create</h2>
          {field("name", "Competition name")}
          <div class="row">
            {field("start_date", "First day", "date")}
            {field("end_date", "Last day", "date")}
          </div>
          {field("venue", "Venue")}
          <div class="row">
            {field("country", "Country (3 letters)")}
            {field("time_zone", "Time zone")}
          </div>
          {field("organiser", "Organiser")}
          {field("path", "File path (leave empty to choose with a dialog)")}
          <button type="submit" class="primary" aria-label="Create competition" disabled={busy || !details.name.trim()}>
            Create competition
          </button>
        </form>
      </div>
    </section>
  );
}
