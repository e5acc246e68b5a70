// The link from the Sync and Mapping screens to the competition-day log:
// where the file is (one a day, beside the app's data) and, when opened,
// today's newest lines as the backend read them, newest first, at the
// competition's local time. "What happened at 10:32?"
// is answered from these lines or the file.

import { useState } from "preact/hooks";
import { useBackend, useTimeZone } from "../app";
import { localTime } from "../lib/time";
import { type DayLogView, toBackendError } from "../api/backend";

export function DayLog() {
  const backend = useBackend();
  const timeZone = useTimeZone();
  const [log, setLog] = useState<DayLogView | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = async () => {
    try {
      setLog(await backend.dayLog());
      setError(null);
    } catch (caught) {
      setError(toBackendError(caught).message);
    }
  };

  return (
    <details
      class="day-log"
      data-testid="day-log"
      onToggle={(event) => {
        if ((event.currentTarget as HTMLDetailsElement).open) void load();
      }}
    >
      <summary>Competition-day log</summary>
      {error && <p class="error">{error}</p>}
      {log && (
        <div class="stack">
          <p class="muted">
            Today's file: <code data-testid="day-log-path">{log.today}</code> (one file a day in <code>{log.folder}</code>). Polls, imports, sync attempts and
            backups are logged; never secrets or request bodies.
          </p>
          <button type="button" aria-label="Reload the log" onClick={() => void load()}>
            Reload
          </button>
          {log.lines.length === 0 ? (
            <p class="muted">Nothing logged today yet.</p>
          ) : (
            <ol class="day-log-lines" aria-label="Newest log lines" reversed>
              {[...log.lines].reverse().map((line, index) => (
                <li key={index} class={`level-${line.level.toLowerCase()}`}>
                  <span class="muted" title={line.at}>
                    {localTime(line.at, timeZone)}
                  </span>{" "}
                  <strong>{line.level}</strong> {line.text}
                </li>
              ))}
            </ol>
          )}
        </div>
      )}
    </details>
  );
}
