// Field mapping: choose a file or a polled connection, map its fields to
// Scoretable's (participant id / bib / chip, result, status, splits per
// timing point, team and Teammate ID for one chip per team member), preview the first rows as they will be
// imported with per-row errors, save the mapping, import, add and poll
// connections, rehearse a recorded feed, and work the conflict inbox and
// the review queue. Reading, mapping and the import ledger are all in the
// backend; this screen only edits the draft and shows what comes back.
// Connection health reloads whenever the backend pushes a new status (no
// timer); its problems are in plain words with the technical message behind
// "details", and times are in the competition's time zone.

import { DayLog } from "../components/DayLog";
import { useEffect, useState } from "preact/hooks";
import { useBackend, useTimeZone } from "../app";
import {
  type ConflictView,
  type ConnectionView,
  type FileImportView,
  type MappingDraft,
  type MappingPreviewView,
  type RehearsalView,
  type ReviewItemView,
  type SourceRequest,
  toBackendError,
} from "../api/backend";
import { useWorkouts } from "../lib/useWorkouts";
import { localTime } from "../lib/time";
import { useStatus } from "../lib/useStatus";
import "./integrations.css";

const identifierKinds = [
  ["bib", "Bib"],
  ["chip", "Chip"],
  ["feed_participant_id", "Feed participant id"],
  ["triathlon_athlete_id", "World Triathlon athlete id"],
  ["runsignup_registration_id", "RunSignup registration id"],
  ["opentrack_id", "OpenTrack id"],
  ["team_name", "Team name"],
] as const;

const formats = [
  ["", "Detect from the file"],
  ["csv", "CSV"],
  ["json", "JSON"],
  ["xml", "XML"],
  ["xlsx", "Excel (xlsx)"],
  ["world_triathlon", "World Triathlon live timing"],
] as const;

type Tab = "mapping" | "connections" | "inbox";

const valueOf = (event: Event) => (event.currentTarget as HTMLInputElement | HTMLSelectElement).value;

/** A select of the source's fields, with "not mapped" first. */
function FieldSelect(props: { id: string; label: string; fields: string[]; value: string | null; onChange: (value: string | null) => void; required?: boolean }) {
  return (
    <div class="field">
      <label for={props.id}>{props.label}</label>
      <select id={props.id} value={props.value ?? ""} onChange={(event) => props.onChange(valueOf(event) || null)}>
        <option value="">{props.required ? "Choose a field" : "Not mapped"}</option>
        {props.fields.map((field) => (
          <option key={field} value={field}>
            {field}
          </option>
        ))}
      </select>
    </div>
  );
}

/** Teams whose members' results do not all exist yet, as the backend reports them (`Team (1/2)`). */
function PartialTeams(props: { teams: string[]; testId: string }) {
  return (
    <div class="warning" role="status" data-testid={props.testId}>
      <strong>Partial {props.teams.length === 1 ? "team" : "teams"}, members still missing:</strong> {props.teams.join(", ")}. Their results are provisional until every member has a result.
    </div>
  );
}

export function MappingScreen() {
  const backend = useBackend();
  const { list, selected, select } = useWorkouts(backend);
  const [tab, setTab] = useState<Tab>("mapping");
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const [sourceKind, setSourceKind] = useState<"file" | "connection">("file");
  const [path, setPath] = useState("");
  const [format, setFormat] = useState("");
  const [sourceConnection, setSourceConnection] = useState("");
  const [fields, setFields] = useState<string[]>([]);
  const [draft, setDraft] = useState<Omit<MappingDraft, "workout_id">>({
    name: "",
    identifier_field: "",
    identifier_kind: "bib",
    team_field: null,
    value_field: null,
    value_transform: "as_is",
    status_field: null,
    splits: [],
  });
  const [preview, setPreview] = useState<MappingPreviewView | null>(null);
  const [imported, setImported] = useState<FileImportView | null>(null);

  const [connections, setConnections] = useState<ConnectionView[]>([]);
  const [newConnection, setNewConnection] = useState({ name: "", url: "", interval_ms: "5000", format: "json" });
  const [recording, setRecording] = useState({ connection: "", path: "" });
  const [rehearsal, setRehearsal] = useState<RehearsalView | null>(null);

  const [conflicts, setConflicts] = useState<ConflictView[]>([]);
  const [reasons, setReasons] = useState<Record<number, string>>({});
  const [reviewItems, setReviewItems] = useState<ReviewItemView[]>([]);
  const [bibs, setBibs] = useState<Record<number, string>>({});

  const workoutId = selected?.id ?? null;
  const fullDraft = (): MappingDraft | null => (workoutId === null ? null : { ...draft, workout_id: workoutId });
  const source = (): SourceRequest =>
    sourceKind === "file" ? { path: path.trim(), connection: null, format } : { path: "", connection: sourceConnection, format: "" };

  const attempt = async (action: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    setNotice(null);
    try {
      await action();
    } catch (caught) {
      setError(toBackendError(caught).message);
    } finally {
      setBusy(false);
    }
  };

  const loadConnections = async () => setConnections(await backend.listConnections());
  const loadInbox = async () => {
    setConflicts(await backend.listConflicts());
    setReviewItems(await backend.listReviewItems());
  };

  useEffect(() => {
    void attempt(async () => {
      await loadConnections();
      await loadInbox();
    });
  }, [backend]);

  // Connection health changes while pollers run; the backend pushes a new
  // status when it does, and the table reloads then.
  const timeZone = useTimeZone();
  const status = useStatus(backend, () => void backend.listConnections().then(setConnections, () => undefined));

  // A saved mapping for the chosen workout is loaded as the starting draft.
  useEffect(() => {
    if (workoutId === null) return;
    void backend.listFieldMappings().then((saved) => {
      const forWorkout = saved.find((mapping) => mapping.workout_id === workoutId);
      if (forWorkout) {
        const { workout_id: _ignored, ...rest } = forWorkout.draft;
        setDraft(rest);
      } else {
        // Another workout's splits name timing points this one may not have.
        const points = new Set((selected?.timing_points ?? []).map((point) => point.name));
        setDraft((current) => ({ ...current, splits: current.splits.filter((split) => points.has(split.timing_point)) }));
      }
    }, () => undefined);
  }, [workoutId, backend]);

  const readFields = () =>
    attempt(async () => {
      const found = await backend.readSourceFields(source());
      setFields(found.field_names);
      setPreview(null);
      setNotice(`${found.source_name}: ${found.format}, ${found.total_records} records, ${found.field_names.length} fields.`);
    });

  const browse = () =>
    attempt(async () => {
      const chosen = await backend.choosePath("open_source", "");
      if (chosen) setPath(chosen);
    });

  const runPreview = () =>
    attempt(async () => {
      const current = fullDraft();
      if (!current) return;
      setPreview(await backend.previewMapping(current, source()));
    });

  const save = () =>
    attempt(async () => {
      const current = fullDraft();
      if (!current) return;
      const saved = await backend.saveFieldMapping(current);
      setNotice(`Saved mapping ${saved.name} for ${selected?.name ?? "the workout"}.`);
    });

  const importFile = () =>
    attempt(async () => {
      if (workoutId === null) return;
      const report = await backend.importMappedFile(workoutId, draft.name.trim(), source());
      setImported(report);
      await loadInbox();
    });

  const splitField = (point: string) => draft.splits.find((split) => split.timing_point === point)?.field ?? null;
  const setSplit = (point: string, field: string | null) =>
    setDraft({
      ...draft,
      splits: [...draft.splits.filter((split) => split.timing_point !== point), ...(field ? [{ field, timing_point: point }] : [])],
    });

  const addConnection = () =>
    attempt(async () => {
      if (workoutId === null) return;
      const interval = Number(newConnection.interval_ms);
      await backend.addConnection({
        name: newConnection.name.trim(),
        url: newConnection.url.trim(),
        workout_id: workoutId,
        mapping_name: draft.name.trim(),
        format: newConnection.format,
        interval_ms: Number.isFinite(interval) ? interval : 0,
      });
      setNewConnection({ ...newConnection, name: "", url: "" });
      await loadConnections();
    });

  const togglePolling = (connection: ConnectionView) =>
    attempt(async () => {
      if (connection.polling) await backend.stopPolling(connection.name);
      else await backend.startPolling(connection.name);
      await loadConnections();
    });

  const rehearse = () =>
    attempt(async () => {
      setRehearsal(await backend.rehearseConnection(recording.connection, recording.path.trim()));
    });

  const resolve = (conflict: ConflictView, accept: boolean) =>
    attempt(async () => {
      await backend.resolveConflict(conflict.id, accept, (reasons[conflict.id] ?? "").trim());
      await loadInbox();
      setNotice(accept ? `Conflict ${conflict.id} accepted as an amendment.` : `Conflict ${conflict.id} dismissed.`);
    });

  const assign = (item: ReviewItemView) =>
    attempt(async () => {
      await backend.assignReviewItem(item.id, (bibs[item.id] ?? "").trim());
      await loadInbox();
      setNotice(`Review item ${item.id} assigned to bib ${(bibs[item.id] ?? "").trim()}.`);
    });

  const dismissReview = (item: ReviewItemView) =>
    attempt(async () => {
      await backend.dismissReviewItem(item.id);
      await loadInbox();
    });

  const canPreview = workoutId !== null && draft.identifier_field !== "" && (sourceKind === "file" ? path.trim() !== "" : sourceConnection !== "");
  const inboxCount = conflicts.length + reviewItems.length;
  const showTeammate = Boolean(draft.teammate_field) || (preview?.rows.some((row) => row.teammate) ?? false);

  return (
    <section aria-labelledby="mapping-title" class="stack">
      <div class="entry-head">
        <h1 id="mapping-title">Field mapping</h1>
        <div class="field">
          <label for="mapping-workout">Workout</label>
          <select id="mapping-workout" value={workoutId ?? ""} onChange={(event) => select(Number(valueOf(event)))}>
            {list.map((workout) => (
              <option key={workout.id} value={workout.id}>
                {workout.sequence}. {workout.name}
              </option>
            ))}
          </select>
        </div>
      </div>
      <DayLog />
      <div class="subtabs" role="group" aria-label="Mapping sections">
        {(
          [
            ["mapping", "Mapping and import"],
            ["connections", "Connections"],
            ["inbox", `Inbox (${inboxCount})`],
          ] as const
        ).map(([id, label]) => (
          <button key={id} type="button" aria-label={label} aria-pressed={tab === id} onClick={() => setTab(id)}>
            {label}
          </button>
        ))}
      </div>
      {error && (
        <p class="error multiline" role="alert">
          {error}
        </p>
      )}
      {notice && (
        <p class="notice" role="status">
          {notice}
        </p>
      )}

      {tab === "mapping" && (
        <>
          <div class="panel">
            <h2>Source</h2>
            <div class="inline-form wrap">
              <div class="field">
                <label for="mapping-source-kind">Source</label>
                <select id="mapping-source-kind" value={sourceKind} onChange={(event) => setSourceKind(valueOf(event) as "file" | "connection")}>
                  <option value="file">A file</option>
                  <option value="connection">A connection's feed</option>
                </select>
              </div>
              {sourceKind === "file" ? (
                <>
                  <div class="field grow">
                    <label for="mapping-path">Source file path</label>
                    <input id="mapping-path" value={path} placeholder="/path/to/results.csv" onInput={(event) => setPath(valueOf(event))} />
                  </div>
                  <button type="button" aria-label="Browse for a source file" onClick={browse} disabled={busy}>
                    Browse…
                  </button>
                  <div class="field">
                    <label for="mapping-format">Format</label>
                    <select id="mapping-format" value={format} onChange={(event) => setFormat(valueOf(event))}>
                      {formats.map(([value, label]) => (
                        <option key={value} value={value}>
                          {label}
                        </option>
                      ))}
                    </select>
                  </div>
                </>
              ) : (
                <div class="field grow">
                  <label for="mapping-source-connection">Connection</label>
                  <select id="mapping-source-connection" value={sourceConnection} onChange={(event) => setSourceConnection(valueOf(event))}>
                    <option value="">Choose a connection</option>
                    {connections.map((connection) => (
                      <option key={connection.name} value={connection.name}>
                        {connection.name}
                      </option>
                    ))}
                  </select>
                </div>
              )}
              <button type="button" aria-label="Read source fields" onClick={readFields} disabled={busy || (sourceKind === "file" ? !path.trim() : !sourceConnection)}>
                {sourceKind === "file" ? "Read fields" : "Fetch sample"}
              </button>
            </div>
          </div>

          <div class="panel">
            <h2>Map fields</h2>
            {fields.length === 0 && <p class="muted">Read the source first to choose from its fields.</p>}
            <div class="inline-form wrap">
              <div class="field">
                <label for="mapping-name">Mapping name</label>
                <input id="mapping-name" value={draft.name} onInput={(event) => setDraft({ ...draft, name: valueOf(event) })} />
              </div>
              <FieldSelect id="mapping-identifier" label="Participant field" required fields={fields} value={draft.identifier_field || null} onChange={(value) => setDraft({ ...draft, identifier_field: value ?? "" })} />
              <div class="field">
                <label for="mapping-identifier-kind">Participant field holds</label>
                <select id="mapping-identifier-kind" value={draft.identifier_kind} onChange={(event) => setDraft({ ...draft, identifier_kind: valueOf(event) })}>
                  {identifierKinds.map(([value, label]) => (
                    <option key={value} value={value}>
                      {label}
                    </option>
                  ))}
                </select>
              </div>
              <FieldSelect id="mapping-team" label="Team field (team name)" fields={fields} value={draft.team_field} onChange={(value) => setDraft({ ...draft, team_field: value })} />
              <FieldSelect id="mapping-teammate" label="Teammate ID field" fields={fields} value={draft.teammate_field ?? null} onChange={(value) => setDraft({ ...draft, teammate_field: value ?? undefined })} />
            </div>
            {draft.teammate_field && (
              <p class="muted" data-testid="teammate-note">
                Each record is one team member: the participant field names the team registration and {draft.teammate_field} the member (matched by the member's participant id, else bib). Records are kept apart by participant id and teammate id, and a team's result stays partial until every member has one.
              </p>
            )}
            <div class="inline-form wrap">
              <FieldSelect id="mapping-value" label="Result field" fields={fields} value={draft.value_field} onChange={(value) => setDraft({ ...draft, value_field: value })} />
              <div class="field">
                <label for="mapping-transform">Result is</label>
                <select id="mapping-transform" value={draft.value_transform} onChange={(event) => setDraft({ ...draft, value_transform: valueOf(event) })}>
                  <option value="as_is">A time or score as written</option>
                  <option value="seconds">Decimal seconds</option>
                  <option value="milliseconds">Milliseconds</option>
                </select>
              </div>
              <FieldSelect id="mapping-status" label="Status field" fields={fields} value={draft.status_field} onChange={(value) => setDraft({ ...draft, status_field: value })} />
            </div>
            {selected && selected.timing_points.length > 0 && (
              <div class="inline-form wrap" role="group" aria-label="Splits">
                {selected.timing_points.map((point) => (
                  <FieldSelect key={point.id} id={`mapping-split-${point.id}`} label={`Split: ${point.name}`} fields={fields} value={splitField(point.name)} onChange={(value) => setSplit(point.name, value)} />
                ))}
              </div>
            )}
            <div class="toolbar">
              <button type="button" aria-label="Preview import" onClick={runPreview} disabled={busy || !canPreview}>
                Preview
              </button>
              <button type="button" aria-label="Save mapping" onClick={save} disabled={busy || !draft.name.trim() || !draft.identifier_field}>
                Save mapping
              </button>
              {sourceKind === "file" && (
                <button type="button" class="primary" aria-label="Import file" onClick={importFile} disabled={busy || !draft.name.trim() || !path.trim()}>
                  Import file
                </button>
              )}
            </div>
          </div>

          {imported && (
            <p class="saved" role="status" data-testid="import-report">
              {imported.file_name}: {imported.records} records — {imported.imported} imported, {imported.already_imported} already imported, {imported.matched} matched, {imported.new_conflicts} new conflicts, {imported.unknown} unknown (review queue), {imported.waiting} waiting.
            </p>
          )}
          {imported && imported.provisional_teams.length > 0 && <PartialTeams teams={imported.provisional_teams} testId="import-partial-teams" />}

          {preview && (
            <div class="panel">
              <h2>Preview</h2>
              <p data-testid="preview-summary">
                {preview.source_name} ({preview.format}): {preview.total_records} records — {preview.ready} ready, {preview.waiting} waiting, {preview.invalid} with errors.
              </p>
              {preview.missing_fields.length > 0 && (
                <p class="error multiline" role="alert">
                  The source has no field {preview.missing_fields.join(", ")}.
                </p>
              )}
              <table class="table" aria-label="Import preview">
                <thead>
                  <tr>
                    <th scope="col">Row</th>
                    <th scope="col">State</th>
                    <th scope="col">Participant</th>
                    <th scope="col">Team</th>
                    {showTeammate && <th scope="col">Teammate ID</th>}
                    <th scope="col">Result</th>
                    <th scope="col">Splits</th>
                    <th scope="col">Errors</th>
                  </tr>
                </thead>
                <tbody>
                  {preview.rows.map((row) => (
                    <tr key={row.index} class={row.state === "invalid" ? "has-status" : undefined}>
                      <td>{row.index}</td>
                      <td>
                        <span class="badge">{row.state}</span>
                      </td>
                      <td>{row.identifier}</td>
                      <td>{row.team ?? ""}</td>
                      {showTeammate && <td>{row.teammate ?? ""}</td>}
                      <td class="score">{row.display}</td>
                      <td class="nowrap">{row.splits.join("; ")}</td>
                      <td class={row.problems.length ? "error" : undefined}>{row.problems.join("; ")}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </>
      )}

      {tab === "connections" && (
        <>
          <div class="panel">
            <h2>Connections</h2>
            {connections.length === 0 ? (
              <p class="muted">No connections yet.</p>
            ) : (
              <table class="table" aria-label="Connections">
                <thead>
                  <tr>
                    <th scope="col">Connection</th>
                    <th scope="col">Status</th>
                    <th scope="col">Last successful poll</th>
                    <th scope="col">Message</th>
                    <th scope="col">Polling</th>
                  </tr>
                </thead>
                <tbody>
                  {connections.map((connection) => (
                    <tr key={connection.name}>
                      <td>
                        {connection.name}
                        <div class="muted">
                          {connection.url} every {connection.interval_ms} ms, mapping {connection.mapping_name}
                        </div>
                      </td>
                      <td data-testid={`connection-state-${connection.name}`}>
                        <span class="badge">{connection.enabled ? connection.state : "disabled"}</span>
                        {connection.consecutive_failures > 0 && <div class="muted">{connection.consecutive_failures} failures</div>}
                        {connection.provisional_teams.length > 0 && <PartialTeams teams={connection.provisional_teams} testId={`connection-partial-${connection.name}`} />}
                      </td>
                      <td>{connection.last_success_at ? localTime(connection.last_success_at, timeZone) : "never"}</td>
                      <td>
                        {connection.message && (
                          <>
                            {status?.feeds.find((feed) => feed.name === connection.name)?.problem ?? "The last poll failed."}
                            <details>
                              <summary>details</summary>
                              <span class="mono multiline">{connection.message}</span>
                            </details>
                          </>
                        )}
                      </td>
                      <td>
                        <button type="button" aria-label={`${connection.polling ? "Stop" : "Start"} polling ${connection.name}`} onClick={() => togglePolling(connection)} disabled={busy}>
                          {connection.polling ? "Stop" : "Start"}
                        </button>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </div>
          <form class="panel" aria-label="Add connection" onSubmit={(event) => (event.preventDefault(), void addConnection())}>
            <h2>Add a connection</h2>
            <p class="muted">It imports into the chosen workout through the mapping named above ({draft.name.trim() || "save a mapping first"}).</p>
            <div class="inline-form wrap">
              <div class="field">
                <label for="connection-name">Connection name</label>
                <input id="connection-name" value={newConnection.name} onInput={(event) => setNewConnection({ ...newConnection, name: valueOf(event) })} />
              </div>
              <div class="field grow">
                <label for="connection-url">Feed URL</label>
                <input id="connection-url" value={newConnection.url} placeholder="https://timing.example/feed.json" onInput={(event) => setNewConnection({ ...newConnection, url: valueOf(event) })} />
              </div>
              <div class="field">
                <label for="connection-interval">Polling interval (ms)</label>
                <input id="connection-interval" inputMode="numeric" value={newConnection.interval_ms} onInput={(event) => setNewConnection({ ...newConnection, interval_ms: valueOf(event) })} />
              </div>
              <div class="field">
                <label for="connection-format">Feed format</label>
                <select id="connection-format" value={newConnection.format} onChange={(event) => setNewConnection({ ...newConnection, format: valueOf(event) })}>
                  <option value="json">JSON</option>
                  <option value="world_triathlon">World Triathlon live timing</option>
                  <option value="csv">CSV</option>
                  <option value="xml">XML</option>
                </select>
              </div>
              <button type="submit" aria-label="Add connection" disabled={busy || !newConnection.name.trim() || !newConnection.url.trim() || !draft.name.trim()}>
                Add
              </button>
            </div>
          </form>
          <form class="panel" aria-label="Rehearse a recorded feed" onSubmit={(event) => (event.preventDefault(), void rehearse())}>
            <h2>Rehearsal</h2>
            <p class="muted">Replays a recorded feed through the connection's mapping into a scratch copy. Real results are not touched.</p>
            <div class="inline-form wrap">
              <div class="field">
                <label for="rehearse-connection">Rehearse connection</label>
                <select id="rehearse-connection" value={recording.connection} onChange={(event) => setRecording({ ...recording, connection: valueOf(event) })}>
                  <option value="">Choose a connection</option>
                  {connections.map((connection) => (
                    <option key={connection.name} value={connection.name}>
                      {connection.name}
                    </option>
                  ))}
                </select>
              </div>
              <div class="field grow">
                <label for="rehearse-path">Recorded feed file</label>
                <input id="rehearse-path" value={recording.path} onInput={(event) => setRecording({ ...recording, path: valueOf(event) })} />
              </div>
              <button
                type="button"
                aria-label="Browse for a recorded feed"
                onClick={() =>
                  attempt(async () => {
                    const chosen = await backend.choosePath("open_recording", "");
                    if (chosen) setRecording({ ...recording, path: chosen });
                  })
                }
              >
                Browse…
              </button>
              <button type="submit" aria-label="Run rehearsal" disabled={busy || !recording.connection || !recording.path.trim()}>
                Rehearse
              </button>
            </div>
            {rehearsal && (
              <div role="status" aria-label="Rehearsal report">
                <p>
                  {rehearsal.payloads} payloads ({rehearsal.failed_payloads} unusable): would import {rehearsal.imported}, skip {rehearsal.skipped}, raise {rehearsal.new_conflicts} conflicts, queue {rehearsal.unknown} unknown, reject {rehearsal.invalid} invalid.
                </p>
                <ul class="plain-list">
                  {rehearsal.steps.map((step) => (
                    <li key={step}>{step}</li>
                  ))}
                </ul>
              </div>
            )}
          </form>
        </>
      )}

      {tab === "inbox" && (
        <>
          <div class="panel">
            <h2>Conflict inbox</h2>
            <p class="muted">A source value that differs from what was imported is never applied by itself. Accept it as an amendment (with a reason) or dismiss it.</p>
            {conflicts.length === 0 ? (
              <p class="muted">No open conflicts.</p>
            ) : (
              <table class="table" aria-label="Conflicts">
                <thead>
                  <tr>
                    <th scope="col">Entrant</th>
                    <th scope="col">Source</th>
                    <th scope="col">Imported</th>
                    <th scope="col">Source now</th>
                    <th scope="col">Reason</th>
                    <th scope="col">Decision</th>
                  </tr>
                </thead>
                <tbody>
                  {conflicts.map((conflict) => (
                    <tr key={conflict.id}>
                      <td>{conflict.entrant}</td>
                      <td>
                        {conflict.source_name}
                        <div class="muted">seen {conflict.times_seen}×</div>
                      </td>
                      <td class="score">{conflict.imported}</td>
                      <td class="score">{conflict.incoming}</td>
                      <td>
                        <input aria-label={`Reason for conflict ${conflict.id}`} value={reasons[conflict.id] ?? ""} onInput={(event) => setReasons({ ...reasons, [conflict.id]: valueOf(event) })} />
                      </td>
                      <td>
                        <button type="button" aria-label={`Accept conflict ${conflict.id} as amendment`} disabled={busy || !(reasons[conflict.id] ?? "").trim()} onClick={() => resolve(conflict, true)}>
                          Accept
                        </button>{" "}
                        <button type="button" class="quiet" aria-label={`Dismiss conflict ${conflict.id}`} disabled={busy} onClick={() => resolve(conflict, false)}>
                          Dismiss
                        </button>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </div>
          <div class="panel">
            <h2>Review queue</h2>
            <p class="muted">Records whose participant is unknown. Assign each to a bib to import it, or dismiss it.</p>
            {reviewItems.length === 0 ? (
              <p class="muted">Nothing to review.</p>
            ) : (
              <table class="table" aria-label="Review queue">
                <thead>
                  <tr>
                    <th scope="col">Identifier</th>
                    <th scope="col">Source</th>
                    <th scope="col">Result</th>
                    <th scope="col">Why</th>
                    <th scope="col">Bib</th>
                    <th scope="col">Decision</th>
                  </tr>
                </thead>
                <tbody>
                  {reviewItems.map((item) => (
                    <tr key={item.id}>
                      <td>{item.identifier}</td>
                      <td>{item.source_name}</td>
                      <td class="score">{item.value}</td>
                      <td>{item.reason}</td>
                      <td>
                        <input aria-label={`Bib for review item ${item.id}`} value={bibs[item.id] ?? ""} onInput={(event) => setBibs({ ...bibs, [item.id]: valueOf(event) })} />
                      </td>
                      <td>
                        <button type="button" aria-label={`Assign review item ${item.id}`} disabled={busy || !(bibs[item.id] ?? "").trim()} onClick={() => assign(item)}>
                          Assign
                        </button>{" "}
                        <button type="button" class="quiet" aria-label={`Dismiss review item ${item.id}`} disabled={busy} onClick={() => dismissReview(item)}>
                          Dismiss
                        </button>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </div>
        </>
      )}
    </section>
  );
}
