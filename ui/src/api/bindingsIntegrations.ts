// Generated from src-tauri/dto_integrations.rs by ts-rs; do not edit by hand.
// Regenerate with: UPDATE_BINDINGS=1 cargo test --bin scoretable-app integration_bindings

export type SplitDraft = { field: string, timing_point: string, };

export type MappingDraft = { name: string, workout_id: number, identifier_field: string, identifier_kind: string, team_field: string | null, value_field: string | null, value_transform: string, status_field: string | null, splits: Array<SplitDraft>, };

export type SavedMappingView = { name: string, workout_id: number | null, updated_at: string, draft: MappingDraft, };

export type SourceFieldsView = { source_name: string, format: string, field_names: Array<string>, total_records: number, };

export type PreviewRowView = { index: number, state: string, identifier: string, team: string | null, display: string, splits: Array<string>, problems: Array<string>, };

export type MappingPreviewView = { source_name: string, format: string, field_names: Array<string>, missing_fields: Array<string>, total_records: number, ready: number, waiting: number, invalid: number, rows: Array<PreviewRowView>, };

export type SourceRequest = { path: string, connection: string | null, format: string, };

export type FileImportView = { file_name: string, format: string, records: number, waiting: number, imported: number, already_imported: number, matched: number, new_conflicts: number, unknown: number, ignored: number, provisional_teams: Array<string>, };

export type ConnectionView = { name: string, url: string, workout_id: number, mapping_name: string, format: string, interval_ms: number, enabled: boolean, state: string, message: string | null, consecutive_failures: number, last_success_at: string | null, next_attempt_at: string | null, polling: boolean, };

export type NewConnectionRequest = { name: string, url: string, workout_id: number, mapping_name: string, format: string, interval_ms: number, };

export type RehearsalView = { payloads: number, failed_payloads: number, imported: number, skipped: number, new_conflicts: number, unknown: number, invalid: number, steps: Array<string>, };

export type ConflictView = { id: number, source_name: string, workout_id: number, entrant: string, imported: string, incoming: string, times_seen: number, detected_at: string, };

export type ReviewItemView = { id: number, source_name: string, workout_id: number, identifier: string, value: string, reason: string, times_seen: number, };

export type RejectionView = { entity: string, message: string, };

export type SyncTargetView = { name: string, platform: string, endpoint: string, enabled: boolean, queued: number, in_flight: number, acknowledged: number, rejected: number, last_success_at: string | null, last_error: string | null, last_error_at: string | null, next_attempt_at: string | null, consecutive_failures: number, rejections: Array<RejectionView>, };

export type TargetWorkoutRequest = { workout_id: number, remote_id: string, };

export type NewSyncTargetRequest = { name: string, platform: string, endpoint: string, race_id: string, workouts: Array<TargetWorkoutRequest>, secret: string, };

export type AddedTargetView = { target: SyncTargetView, secret_backend: string, };

export type SyncChangeView = { entity: string, action: string, before: string | null, after: string | null, note: string | null, };

export type SyncPreviewView = { target: string, changes: Array<SyncChangeView>, requests: Array<string>, };

export type DrainView = { target: string, acknowledged: number, rejected: number, retried: number, drained: boolean, last_error: string | null, };

export type ExportRequest = { kind: string, path: string, workout_id: number | null, division_id: number | null, format: string, map_statuses: boolean, award_workout_id: number | null, awards_per_division: number, overall_awards: number, overall_winners_also_take_division_awards: boolean, };

export type WrittenFileView = { path: string, bytes: number, sha256: string, contents: string, };

export type ExportOutcome = { summary: string, files: Array<WrittenFileView>, skipped: Array<string>, };
