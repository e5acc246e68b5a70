// Sync status: per target, how many changes are queued, the last success,
// the last retryable failure in plain words (the technical message behind
// "details") and the platform's rejections (shown apart: retrying will not
// fix those), "Sync now", and a preview of what would change on the
// platform before anything is pushed. Times are in the competition's time
// zone. The counts reload whenever the backend pushes a new status; there
// is no timer. Adding a target sends its secret to the OS keyring once; it
// is never shown again; the form offers every setting the platform's adapter
// takes, as the backend describes them (components/AddTargetForm.tsx). A
// refused row can be retried alone after a fix. The outbox, the worker and
// every request are in the backend.

import { AddTargetForm } from "../components/AddTargetForm";
import { DayLog } from "../components/DayLog";
import { useState } from "preact/hooks";
import { useBackend, useTimeZone } from "../app";
import { type NewSyncTargetRequest, type SyncPreviewView, type SyncTargetView, type TargetStatusView, toBackendError } from "../api/backend";
import { useAsync } from "../lib/useAsync";
import { localTime } from "../lib/time";
import { useStatus } from "../lib/useStatus";
import "./integrations.css";

/** "Can't reach RunSignup (connection refused). 2 results are waiting; next try at 14:49:32." */
export function plainSyncProblem(status: TargetStatusView, timeZone: string): string {
  const waiting = status.waiting === 1 ? "1 result is waiting" : `${status.waiting} results are waiting`;
  const next = status.next_attempt_at ? `; next try at ${localTime(status.next_attempt_at, timeZone)}` : "";
  return `${status.problem ?? ""}${status.waiting > 0 || next ? ` ${waiting}${next}.` : ""}`.trim();
}

function TargetCard(props: { target: SyncTargetView; status: TargetStatusView | undefined; busy: boolean; onSync: () => void; onPreview: () => void; onRetry: () => void; onRetryRow: (entity: string) => void }) {
  const { target, status } = props;
  const timeZone = useTimeZone();
  return (
    <article class="panel" aria-label={`Target ${target.name}`}>
      <div class="target-head">
        <h2>{target.name}</h2>
        <span class="badge">{target.platform}</span>
        {!target.enabled && <span class="badge">paused</span>}
        <span class="muted">{target.endpoint}</span>
      </div>
      <dl class="stat-row">
        <div>
          <dt>Queued</dt>
          <dd data-testid={`queued-${target.name}`} class="score">
            {target.queued}
          </dd>
        </div>
        <div>
          <dt>In flight</dt>
          <dd class="score">{target.in_flight}</dd>
        </div>
        <div>
          <dt>Acknowledged</dt>
          <dd class="score" data-testid={`acknowledged-${target.name}`}>
            {target.acknowledged}
          </dd>
        </div>
        <div>
          <dt>Rejected</dt>
          <dd class="score" data-testid={`rejected-${target.name}`}>
            {target.rejected}
          </dd>
        </div>
        <div>
          <dt>Last success</dt>
          <dd>{target.last_success_at ? localTime(target.last_success_at, timeZone) : "never"}</dd>
        </div>
        <div>
          <dt>Secret</dt>
          <dd data-testid={`secret-store-${target.name}`}>{target.secret_stored_in ?? "none stored"}</dd>
        </div>
      </dl>
      {target.last_error && (target.next_attempt_at || status?.state === "offline") && (
        <div class="error" role="alert" data-testid={`retryable-${target.name}`}>
          <p class="plain">
            {status?.problem ? plainSyncProblem(status, timeZone) : `Sending to ${target.name} failed; it will be tried again.`}
            {target.consecutive_failures > 1 ? ` (${target.consecutive_failures} failures in a row)` : ""}
          </p>
          <details>
            <summary>details</summary>
            <p class="mono multiline">
              {target.last_error}
              {target.last_error_at ? `\nat ${target.last_error_at}` : ""}
              {target.next_attempt_at ? `\nnext attempt ${target.next_attempt_at}` : ""}
            </p>
          </details>
        </div>
      )}
      {target.duplicates.length > 0 && (
        <div class="error" role="alert" data-testid={`duplicates-${target.name}`}>
          <h3>Held twice on the platform (delete the extra result there; the next check clears this)</h3>
          <ul class="plain-list" aria-label={`Results held twice by ${target.name}`}>
            {target.duplicates.map((duplicate) => (
              <li key={duplicate}>{duplicate}</li>
            ))}
          </ul>
        </div>
      )}
      {target.rejections.length > 0 && (
        <div>
          <h3>Rejected by the platform (fix the score or the target's setup, then retry)</h3>
          <ul class="plain-list" aria-label={`Rejections of ${target.name}`}>
            {target.rejections.map((rejection) => (
              <li key={rejection.entity}>
                <strong>{rejection.entity}</strong>: {rejection.message}{" "}
                <button
                  type="button"
                  class="quiet"
                  aria-label={`Retry ${rejection.entity} on ${target.name}`}
                  onClick={() => props.onRetryRow(rejection.entity)}
                  disabled={props.busy}
                >
                  Retry this row
                </button>
              </li>
            ))}
          </ul>
        </div>
      )}
      <div class="toolbar">
        <button type="button" aria-label={`Preview changes on ${target.name}`} onClick={props.onPreview} disabled={props.busy}>
          Preview changes
        </button>
        {target.rejected > 0 && (
          <button type="button" aria-label={`Retry rejected rows of ${target.name}`} onClick={props.onRetry} disabled={props.busy}>
            Retry rejected
          </button>
        )}
        <button type="button" class="primary" aria-label={`Sync ${target.name} now`} onClick={props.onSync} disabled={props.busy}>
          Sync now
        </button>
      </div>
    </article>
  );
}

export function SyncScreen() {
  const backend = useBackend();
  const targets = useAsync(() => backend.syncTargetsStatus(), [backend]);
  // The background worker drains by itself; the backend pushes a new status
  // whenever a count or state changed, and the cards reload then.
  const status = useStatus(backend, () => void targets.reload());
  const [preview, setPreview] = useState<SyncPreviewView | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const workouts = useAsync(() => backend.listWorkouts(), [backend]);
  const divisions = useAsync(() => backend.listDivisions(), [backend]);
  // Every platform with every setting its adapter takes, from the backend.
  const platforms = useAsync(() => backend.syncPlatforms(), [backend]);

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

  const syncNow = (target: SyncTargetView) =>
    attempt(async () => {
      const report = await backend.syncNow(target.name);
      setNotice(
        `${report.target}: ${report.acknowledged} acknowledged, ${report.rejected} rejected${report.drained ? ", all sent" : ", some still queued"}${report.last_error ? ` — ${report.last_error}` : ""}.`,
      );
      await targets.reload();
    });

  const retryRejected = (target: SyncTargetView, entity?: string) =>
    attempt(async () => {
      const queued = await backend.retryRejected(target.name, entity);
      setNotice(entity === undefined ? `${target.name}: ${queued} rejected row(s) queued again.` : `${target.name}: ${entity} queued again.`);
      await targets.reload();
    });

  const showPreview = (target: SyncTargetView) =>
    attempt(async () => {
      setPreview(await backend.previewSync(target.name));
    });

  const addTarget = async (request: NewSyncTargetRequest) => {
    let added = false;
    await attempt(async () => {
      const result = await backend.addSyncTarget(request);
      added = true;
      setNotice(`Added ${result.target.name}${result.secret_backend ? `; its secret is in the ${result.secret_backend}` : "; no secret stored yet"}.`);
      await targets.reload();
    });
    return added;
  };

  const list = targets.value ?? [];
  return (
    <section aria-labelledby="sync-title" class="stack">
      <div class="entry-head">
        <h1 id="sync-title">Sync</h1>
        <button type="button" aria-label="Refresh sync status" onClick={() => void targets.reload()}>
          Refresh
        </button>
      </div>
      <DayLog />
      {(error || targets.error) && (
        <p class="error multiline" role="alert">
          {error ?? targets.error}
        </p>
      )}
      {notice && (
        <p class="notice" role="status">
          {notice}
        </p>
      )}
      {list.length === 0 && !targets.loading && <p class="muted">No sync targets yet. Add one below.</p>}
      {list.map((target) => (
        <TargetCard key={target.name} target={target} status={status?.targets.find((item) => item.name === target.name)} busy={busy} onSync={() => syncNow(target)} onPreview={() => showPreview(target)} onRetry={() => retryRejected(target)} onRetryRow={(entity) => retryRejected(target, entity)} />
      ))}
      {preview && (
        <div class="panel">
          <h2>What {preview.target} would receive</h2>
          <p class="muted">Nothing has been sent. {preview.requests.length} request(s): {preview.requests.join("; ")}</p>
          {preview.changes.length === 0 ? (
            <p>Nothing queued.</p>
          ) : (
            <table class="table" aria-label="Sync preview">
              <thead>
                <tr>
                  <th scope="col">Entity</th>
                  <th scope="col">Change</th>
                  <th scope="col">On the platform now</th>
                  <th scope="col">After the sync</th>
                </tr>
              </thead>
              <tbody>
                {preview.changes.map((change) => (
                  <tr key={change.entity}>
                    <td>
                      {change.entity}
                      {change.note && <div class="muted">{change.note}</div>}
                    </td>
                    <td>
                      <span class="badge">{change.action}</span>
                    </td>
                    <td class="mono">{change.before ?? "(nothing)"}</td>
                    <td class="mono">{change.after ?? ""}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </div>
      )}
      <AddTargetForm platforms={platforms.value ?? []} workouts={workouts.value ?? []} divisions={divisions.value ?? []} busy={busy} onAdd={addTarget} />
    </section>
  );
}
