// Competitors: import a CSV with a progress bar that follows the store row
// by row, change a competitor's divisions, and a filterable list that stays
// fast at tens of thousands of rows.

import { useMemo, useState } from "preact/hooks";
import { useBackend } from "../app";
import { type CompetitorView, type ImportProgress, type ImportSummary, toBackendError } from "../api/backend";
import { useAsync } from "../lib/useAsync";
import { type GridColumn, VirtualGrid } from "../components/VirtualGrid";
import { DivisionMembership } from "../components/DivisionMembership";

const columns: GridColumn<CompetitorView>[] = [
  { key: "bib", header: "Bib", width: "6rem", render: (row) => row.bib },
  { key: "name", header: "Name", width: "minmax(12rem, 2fr)", render: (row) => `${row.last_name.toUpperCase()} ${row.first_name}` },
  { key: "gender", header: "Gender", width: "6rem", render: (row) => row.gender ?? "" },
  { key: "country", header: "Country", width: "6rem", render: (row) => row.country ?? "" },
  { key: "club", header: "Club", width: "minmax(8rem, 1fr)", render: (row) => row.club ?? "" },
  { key: "divisions", header: "Divisions", width: "minmax(8rem, 1fr)", render: (row) => row.division_names.join(", ") },
];

/** The words beside the import progress bar (also its accessible value). */
export function progressText(progress: ImportProgress | null, importing: boolean): string {
  if (!progress) return "Reading and checking the file…";
  const counts = `${progress.done.toLocaleString()} of ${progress.total.toLocaleString()} rows`;
  if (!importing) return `${counts} stored`;
  const percent = progress.total > 0 ? Math.floor((progress.done / progress.total) * 100) : 0;
  return `Storing: ${counts} (${percent}%)`;
}

export function CompetitorsScreen() {
  const backend = useBackend();
  const competitors = useAsync(() => backend.listCompetitors(), [backend]);
  const divisions = useAsync(() => backend.listDivisions(), [backend]);
  // Competitors changed on this screen since the list was loaded, by id, so
  // one change does not re-fetch tens of thousands of rows.
  const [changed, setChanged] = useState<Map<number, CompetitorView>>(new Map());
  const [filter, setFilter] = useState("");
  const [path, setPath] = useState("");
  const [progress, setProgress] = useState<ImportProgress | null>(null);
  const [importing, setImporting] = useState(false);
  const [result, setResult] = useState<ImportSummary | null>(null);
  const [error, setError] = useState<string | null>(null);

  const runImport = async (action: () => Promise<ImportSummary | null>) => {
    setImporting(true);
    setError(null);
    setResult(null);
    setProgress(null);
    try {
      const summary = await action();
      // Stored and committed: the bar says so while the list re-reads.
      setImporting(false);
      if (summary) {
        setResult(summary);
        setChanged(new Map());
        await competitors.reload();
      }
    } catch (caught) {
      // The import is all-or-nothing: a failed one stored no row, so no
      // partial count stays on screen.
      setProgress(null);
      setError(toBackendError(caught).message);
    } finally {
      setImporting(false);
    }
  };

  const all = useMemo(
    () => (changed.size === 0 ? competitors.value ?? [] : (competitors.value ?? []).map((row) => changed.get(row.id) ?? row)),
    [competitors.value, changed],
  );
  const rows = useMemo(() => {
    const needle = filter.trim().toLowerCase();
    if (!needle) return all;
    return all.filter(
      (row) =>
        row.bib.toLowerCase() === needle ||
        `${row.first_name} ${row.last_name}`.toLowerCase().includes(needle) ||
        (row.club ?? "").toLowerCase().includes(needle),
    );
  }, [all, filter]);

  return (
    <section class="screen-fill" aria-labelledby="competitors-title">
      <h1 id="competitors-title">Athletes</h1>
      <div class="toolbar">
        <button type="button" aria-label="Import athletes from CSV…" disabled={importing} onClick={() => runImport(() => backend.importCompetitorsDialog(setProgress))}>
          Import CSV…
        </button>
        <form class="inline-form" onSubmit={(event) => (event.preventDefault(), void runImport(() => backend.importCompetitorsCsv(path.trim(), setProgress)))}>
          <div class="field grow">
            <label for="import-path">CSV path</label>
            <input id="import-path" value={path} placeholder="/path/to/competitors.csv" onInput={(event) => setPath((event.currentTarget as HTMLInputElement).value)} />
          </div>
          <button type="submit" aria-label="Import CSV at path" disabled={importing || !path.trim()}>
            Import
          </button>
        </form>
        <div class="field">
          <label for="competitor-filter">Find (bib, name or club)</label>
          <input id="competitor-filter" type="search" value={filter} onInput={(event) => setFilter((event.currentTarget as HTMLInputElement).value)} />
        </div>
      </div>
      <DivisionMembership
        competitors={all}
        divisions={divisions.value ?? []}
        onSaved={(stored) => setChanged((previous) => new Map(previous).set(stored.id, stored))}
      />
      {(importing || progress) && (
        <div class="progress-row">
          <progress
            aria-label="Import progress"
            aria-valuetext={progressText(progress, importing)}
            data-testid="import-progress"
            max={progress?.total || 1}
            value={progress?.done ?? 0}
          />
          <span aria-live="polite" data-testid="import-progress-text">
            {progressText(progress, importing)}
          </span>
        </div>
      )}
      {result && (
        <p class="notice" role="status">
          Read {result.imported.toLocaleString()} competitors from {result.path}: {result.added.toLocaleString()} new, {result.updated.toLocaleString()} updated.
        </p>
      )}
      {(error || competitors.error) && (
        <p class="error" role="alert">
          {error ?? competitors.error}
        </p>
      )}
      <p class="muted" aria-live="polite">
        {rows.length.toLocaleString()} competitors{filter ? " match" : ""}
      </p>
      <VirtualGrid label="Athletes" columns={columns} rows={rows} rowKey={(row) => String(row.id)} empty="No competitors yet: import a CSV." />
    </section>
  );
}
