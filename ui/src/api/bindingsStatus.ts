// Generated from src-tauri/dto_status.rs by ts-rs; do not edit by hand.
// Regenerate with: UPDATE_BINDINGS=1 cargo test --bin scoretable-app status_bindings

export type StatusView = { targets: Array<TargetStatusView>, feeds: Array<FeedStatusView>, backup: BackupStatusView, };

export type TargetSyncState = "up_to_date" | "waiting" | "offline" | "refused" | "paused";

export type TargetStatusView = { name: string, 
/**
 * The platform's name as people say it (RunSignup, OpenTrack, ...).
 */
platform: string, state: TargetSyncState, 
/**
 * Results queued or sent but not yet acknowledged.
 */
waiting: number, 
/**
 * Results the platform refused (retrying will not help).
 */
refused: number, 
/**
 * One sentence for the scorekeeper, when something needs a person.
 */
problem: string | null, 
/**
 * The technical message behind `problem`.
 */
detail: string | null, next_attempt_at: string | null, last_success_at: string | null, };

export type FeedPollState = "ok" | "not_polled_yet" | "offline" | "error" | "stopped";

export type FeedStatusView = { name: string, state: FeedPollState, 
/**
 * Whether this process's poller is running for it.
 */
polling: boolean, last_success_at: string | null, next_attempt_at: string | null, problem: string | null, detail: string | null, };

export type BackupStatusView = { 
/**
 * When the newest backup was written; null when there is none yet.
 */
last_at: string | null, file_name: string | null, 
/**
 * The folder backups go to.
 */
directory: string, 
/**
 * Whether writes trigger backups automatically.
 */
automatic: boolean, 
/**
 * A backup follows this many saved changes (0: never by count).
 */
every_writes: number, 
/**
 * A backup follows when the last one is this many minutes old (0: never by age).
 */
every_minutes: number, 
/**
 * How many backups are kept (the first, the newest and a spread between).
 */
keep: number, problem: string | null, detail: string | null, };

export type DayLogView = { 
/**
 * The log folder (one file a day, 30 days kept).
 */
folder: string, 
/**
 * Today's file.
 */
today: string, 
/**
 * Today's newest lines, newest last: time, level, what happened.
 */
lines: Array<DayLogLine>, };

export type DayLogLine = { 
/**
 * When, as the log's timestamp (RFC 3339, UTC).
 */
at: string, level: string, 
/**
 * The message and its fields (`sync attempt failed · target=RunSignup ...`).
 */
text: string, };
