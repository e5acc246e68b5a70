// The header's status strip, on every screen: each sync target, each polled
// feed and the last backup, in plain words with times in the competition's
// time zone. The backend pushes a new status whenever something changes
// (`status-changed`); there are no timers here. A target opens the Sync
// screen, a feed the Mapping screen; the backup shows where backups go.

import { useState } from "preact/hooks";
import type { BackupStatusView, FeedStatusView, TargetStatusView } from "../api/backend";
import { useBackend } from "../app";
import { localTime } from "../lib/time";
import { useStatus } from "../lib/useStatus";

/** What a target's chip says after its name. */
export function targetWords(target: TargetStatusView, timeZone: string): string {
  const waiting = `${target.waiting} waiting`;
  switch (target.state) {
    case "up_to_date":
      return "up to date";
    case "waiting":
      return waiting;
    case "offline":
      return `offline · ${waiting}${target.next_attempt_at ? ` · next try ${localTime(target.next_attempt_at, timeZone)}` : ""}`;
    case "refused":
      return `${target.refused} refused${target.waiting ? ` · ${waiting}` : ""}`;
    case "paused":
      return "paused";
    default:
      return target.state;
  }
}

/** What a feed's chip says after its name. */
export function feedWords(feed: FeedStatusView, timeZone: string): string {
  const last = feed.last_success_at ? `last poll ${localTime(feed.last_success_at, timeZone)}` : "no good poll yet";
  switch (feed.state) {
    case "ok":
      return `ok · ${last}`;
    case "not_polled_yet":
      return "not polled yet";
    case "offline":
      return `offline · ${last}${feed.next_attempt_at ? ` · next try ${localTime(feed.next_attempt_at, timeZone)}` : ""}`;
    case "error":
      return `bad data · ${last}`;
    case "stopped":
      return "not polling";
    default:
      return feed.state;
  }
}

/** The stored backup policy in words: "A backup follows every 100 saved changes or 10 minutes; 10 are kept: the first, the newest and a spread between." */
export function backupPolicyWords(backup: BackupStatusView): string {
  if (!backup.automatic) return "Automatic backups are off.";
  const when = [backup.every_writes > 0 ? `${backup.every_writes} saved changes` : "", backup.every_minutes > 0 ? `${backup.every_minutes} minutes` : ""].filter(Boolean).join(" or ");
  return `${when ? `A backup follows every ${when}` : "Automatic backups are on but have no trigger"}; ${backup.keep} are kept: the first, the newest and a spread between.`;
}

const tone = (state: string) => (state === "up_to_date" || state === "ok" ? "good" : state === "waiting" || state === "not_polled_yet" || state === "stopped" || state === "paused" ? "busy" : "bad");

interface StatusStripProps {
  timeZone: string;
  onOpenSync: () => void;
  onOpenMapping: () => void;
}

export function StatusStrip({ timeZone, onOpenSync, onOpenMapping }: StatusStripProps) {
  const backend = useBackend();
  const status = useStatus(backend);
  const [showBackup, setShowBackup] = useState(false);

  if (!status) return <div class="status-strip" data-testid="status-strip" aria-busy="true" />;
  const { backup } = status;
  const backupWords = backup.problem ? "backup failed" : backup.last_at ? `backup ${localTime(backup.last_at, timeZone)}` : "no backup yet";
  return (
    <div class="status-strip" data-testid="status-strip" role="group" aria-label="Status">
      {status.targets.length === 0 && (
        <button type="button" class="chip busy" onClick={onOpenSync} aria-label="No sync targets. Open Sync">
          Sync: no targets
        </button>
      )}
      {status.targets.map((target) => {
        const words = targetWords(target, timeZone);
        return (
          <button
            key={`t:${target.name}`}
            type="button"
            class={`chip ${tone(target.state)}`}
            data-state={target.state}
            title={target.problem ?? undefined}
            aria-label={`Sync target ${target.name}: ${words}${target.problem ? `. ${target.problem}` : ""}. Open Sync`}
            onClick={onOpenSync}
          >
            <span class="chip-dot" aria-hidden="true" />
            <strong>{target.name}</strong> {words}
          </button>
        );
      })}
      {status.feeds.map((feed) => {
        const words = feedWords(feed, timeZone);
        return (
          <button
            key={`f:${feed.name}`}
            type="button"
            class={`chip ${tone(feed.state)}`}
            data-state={feed.state}
            title={feed.problem ?? undefined}
            aria-label={`Feed ${feed.name}: ${words}${feed.problem ? `. ${feed.problem}` : ""}. Open Mapping`}
            onClick={onOpenMapping}
          >
            <span class="chip-dot" aria-hidden="true" />
            <strong>Feed {feed.name}</strong> {words}
          </button>
        );
      })}
      <span class="chip-anchor">
        <button
          type="button"
          class={`chip ${backup.problem ? "bad" : backup.last_at ? "good" : "busy"}`}
          aria-expanded={showBackup}
          aria-label={`Backups: ${backupWords}. Show where`}
          onClick={() => setShowBackup(!showBackup)}
        >
          <span class="chip-dot" aria-hidden="true" />
          {backupWords[0].toUpperCase() + backupWords.slice(1)}
        </button>
        {showBackup && (
          <div class="popover" role="dialog" aria-label="Backups">
            {backup.problem && <p class="error">{backup.problem}</p>}
            <p>
              {backupPolicyWords(backup)}
            </p>
            <p>
              Folder: <span class="mono">{backup.directory}</span>
            </p>
            {backup.file_name && (
              <p>
                Newest: <span class="mono">{backup.file_name}</span>
              </p>
            )}
            {backup.detail && (
              <details>
                <summary>details</summary>
                <pre class="mono multiline">{backup.detail}</pre>
              </details>
            )}
          </div>
        )}
      </span>
    </div>
  );
}
