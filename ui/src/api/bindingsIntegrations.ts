// Generated from src-tauri/dto_integrations.rs by ts-rs; do not edit by hand.
// Regenerate with: UPDATE_BINDINGS=1 cargo test --bin scoretable-app integration_bindings

export type SplitDraft = { field: string, 
/**
 * The timing point's name (or order) in the workout.
 */
timing_point: string, };

export type MappingDraft = { 
/**
 * The saved mapping's name (connections refer to it).
 */
name: string, workout_id: number, 
/**
 * The source field identifying the entrant.
 */
identifier_field: string, 
/**
 * What the identifier holds: bib, chip, feed_participant_id, ...
 */
identifier_kind: string, 
/**
 * The field naming a member's team (one chip per member).
 */
team_field: string | null, 
/**
 * The teammate id field (the timing feed's `Teammate ID`): the
 * identifier then names the team registration and this field the member
 * (matched by the member's participant id, else bib). Absent: none.
 */
teammate_field?: string, 
/**
 * The result field.
 */
value_field: string | null, 
/**
 * as_is, seconds or milliseconds.
 */
value_transform: string, status_field: string | null, splits: Array<SplitDraft>, };

export type SavedMappingView = { name: string, workout_id: number | null, updated_at: string, draft: MappingDraft, };

export type SourceFieldsView = { source_name: string, format: string, field_names: Array<string>, total_records: number, };

export type PreviewRowState = "ready" | "waiting" | "invalid";

export type PreviewRowView = { 
/**
 * The 1-based row or record number in the source.
 */
index: number, state: PreviewRowState, identifier: string, team: string | null, 
/**
 * The teammate id as read (one chip per team member): the member
 * within the team registration `identifier` names.
 */
teammate?: string, 
/**
 * The result as the leaderboard will show it.
 */
display: string, 
/**
 * `Point: time` pairs.
 */
splits: Array<string>, 
/**
 * `field: message`, one per problem.
 */
problems: Array<string>, };

export type MappingPreviewView = { source_name: string, format: string, field_names: Array<string>, 
/**
 * Fields the mapping names that the source lacks.
 */
missing_fields: Array<string>, total_records: number, ready: number, waiting: number, invalid: number, rows: Array<PreviewRowView>, };

export type SourceRequest = { 
/**
 * A CSV, JSON, XML or xlsx file; empty when `connection` is set.
 */
path: string, 
/**
 * A connection whose feed to fetch once.
 */
connection: string | null, 
/**
 * csv, json, xml, xlsx or world_triathlon; empty to detect.
 */
format: string, };

export type FileImportView = { file_name: string, format: string, records: number, waiting: number, imported: number, already_imported: number, matched: number, new_conflicts: number, unknown: number, ignored: number, provisional_teams: Array<string>, };

export type ConnectionStateView = "never polled" | "ok" | "backing off" | "error";

export type ConnectionView = { name: string, url: string, workout_id: number, mapping_name: string, format: string, interval_ms: number, enabled: boolean, state: ConnectionStateView, message: string | null, consecutive_failures: number, last_success_at: string | null, next_attempt_at: string | null, 
/**
 * Whether this window's background poller is running for it.
 */
polling: boolean, 
/**
 * Teams summed from members that the last successful poll left still
 * missing members, as `Team (scored/needed)`: their results are partial.
 */
provisional_teams: Array<string>, };

export type NewConnectionRequest = { name: string, url: string, workout_id: number, mapping_name: string, 
/**
 * json, world_triathlon, csv or xml.
 */
format: string, interval_ms: number, };

export type RehearsalView = { payloads: number, failed_payloads: number, imported: number, skipped: number, new_conflicts: number, unknown: number, invalid: number, 
/**
 * One line per payload.
 */
steps: Array<string>, };

export type ConflictView = { id: number, source_name: string, workout_id: number, entrant: string, imported: string, incoming: string, times_seen: number, detected_at: string, };

export type ReviewItemView = { id: number, source_name: string, workout_id: number, 
/**
 * `kind value`, e.g. `chip 0042`.
 */
identifier: string, value: string, reason: string, times_seen: number, };

export type RejectionView = { entity: string, message: string, };

export type SyncTargetView = { name: string, platform: string, endpoint: string, enabled: boolean, queued: number, in_flight: number, acknowledged: number, rejected: number, last_success_at: string | null, 
/**
 * The last retryable failure (network, 5xx, 429), if the last attempt failed.
 */
last_error: string | null, last_error_at: string | null, next_attempt_at: string | null, consecutive_failures: number, rejections: Array<RejectionView>, 
/**
 * Entrants the platform holds more than one result for (a request that
 * landed after its row was created again); an official deletes the
 * extra result on the platform. Cleared by the next read-back.
 */
duplicates: Array<string>, 
/**
 * Which store holds the target's secret (`OS keyring (scoretable-sync)`,
 * `file ... (mode 0600)`, an environment variable), or none; never the secret.
 */
secret_stored_in?: string, };

export type TargetWorkoutRequest = { workout_id: number, remote_id: string, };

export type SettingChoiceView = { value: string, label: string, };

export type SettingView = { 
/**
 * The config key (`match_by`, `status_codes`, ...).
 */
key: string, label: string, help: string, 
/**
 * text, number, flag, choice, per_workout, per_timing_point,
 * per_division, status_codes or pairs.
 */
kind: string, 
/**
 * Refused without it (per-workout: for every workout sent).
 */
required: boolean, 
/**
 * What applies when left out.
 */
default: string | null, 
/**
 * The values of a choice, status-code map or pairs.
 */
choices: Array<SettingChoiceView>, 
/**
 * A status-code map's statuses, each with its default code in `label`.
 */
keys: Array<SettingChoiceView>, };

export type SyncPlatformView = { code: string, name: string, 
/**
 * What the platform calls its id of a workout (`RunSignup event_id`).
 */
remote_id_label: string, 
/**
 * What the secret is (`API key:API secret`); empty when none is needed.
 */
secret_hint: string, settings: Array<SettingView>, };

export type SettingEntryRequest = { key: string, value: string, };

export type SettingValueRequest = { key: string, 
/**
 * For text, number, flag and choice settings; empty for the default.
 */
value: string, 
/**
 * For the map settings.
 */
entries: Array<SettingEntryRequest>, };

export type NewSyncTargetRequest = { name: string, 
/**
 * A platform code from `sync_platforms`.
 */
platform: string, endpoint: string, 
/**
 * The platform's settings (race id, match_by, status codes, ...), as
 * `sync_platforms` describes them; the adapter checks them.
 */
settings: Array<SettingValueRequest>, workouts: Array<TargetWorkoutRequest>, 
/**
 * Empty to store no secret yet.
 */
secret: string, };

export type AddedTargetView = { target: SyncTargetView, 
/**
 * The OS keyring or the documented fallback; empty when no secret was given.
 */
secret_backend: string, };

export type SyncChangeView = { entity: string, 
/**
 * create, update, unchanged, cannot_send or nothing_to_send.
 */
action: string, before: string | null, after: string | null, note: string | null, };

export type SyncPreviewView = { target: string, changes: Array<SyncChangeView>, 
/**
 * `METHOD url`, one per request (credentials masked by the sync crate).
 */
requests: Array<string>, };

export type DrainView = { target: string, acknowledged: number, rejected: number, retried: number, drained: boolean, last_error: string | null, };

export type ExportRequest = { 
/**
 * workout_csv, overall_csv, team_overall_csv, json, runsignup, pdf, awards, all,
 * seal or verify.
 */
kind: string, 
/**
 * The file (or directory for `all`, archive for `verify`); empty to ask with a native dialog.
 */
path: string, workout_id: number | null, division_id: number | null, 
/**
 * csv, json or xml (RunSignup); pdf or csv (awards).
 */
format: string, 
/**
 * Write LAP and NC as DNF and WD as DNS in RunSignup files.
 */
map_statuses: boolean, 
/**
 * Awards from this workout instead of the overall standings.
 */
award_workout_id: number | null, awards_per_division: number, overall_awards: number, 
/**
 * Awards for the top of each gender across the whole field (top N Female overall, top N Male overall).
 */
gender_overall_awards: number, overall_winners_also_take_division_awards: boolean, };

export type WrittenFileView = { path: string, bytes: number, sha256: string, contents: string, };

export type ExportOutcome = { 
/**
 * A sentence for the scorekeeper.
 */
summary: string, files: Array<WrittenFileView>, 
/**
 * Exports left out, with the reason.
 */
skipped: Array<string>, };
