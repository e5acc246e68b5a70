//! The view types of the integration screens: field mapping and polling
//! (inbound), sync status (outbound) and the export dialog.
//!
//! Like [`crate::dto`], these are plain data shaped for the screens. The test
//! `integration_bindings_are_current` below writes them to
//! `ui/src/api/bindingsIntegrations.ts` and fails when that file is stale.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// One split of a mapping: a source field and the timing point it times.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SplitDraft {
    pub field: String,
    /// The timing point's name (or order) in the workout.
    pub timing_point: String,
}

/// A field mapping as the mapping screen edits it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct MappingDraft {
    /// The saved mapping's name (connections refer to it).
    pub name: String,
    #[ts(type = "number")]
    pub workout_id: i64,
    /// The source field identifying the entrant.
    pub identifier_field: String,
    /// What the identifier holds: bib, chip, feed_participant_id, ...
    pub identifier_kind: String,
    /// The field naming a member's team (one chip per member).
    pub team_field: Option<String>,
    /// The teammate id field (the timing feed's `Teammate ID`): the
    /// identifier then names the team registration and this field the member
    /// (matched by the member's participant id, else bib). Absent: none.
    #[serde(default)]
    #[ts(optional)]
    pub teammate_field: Option<String>,
    /// The result field.
    pub value_field: Option<String>,
    /// as_is, seconds or milliseconds.
    pub value_transform: String,
    pub status_field: Option<String>,
    pub splits: Vec<SplitDraft>,
}

/// A saved mapping.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SavedMappingView {
    pub name: String,
    #[ts(type = "number | null")]
    pub workout_id: Option<i64>,
    pub updated_at: String,
    pub draft: MappingDraft,
}

/// What a source offers before anything is mapped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SourceFieldsView {
    pub source_name: String,
    pub format: String,
    pub field_names: Vec<String>,
    #[ts(type = "number")]
    pub total_records: i64,
}

/// How a previewed record would import.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum PreviewRowState {
    Ready,
    /// No result or status yet.
    Waiting,
    Invalid,
}

impl From<scoretable_inbound::RowState> for PreviewRowState {
    fn from(state: scoretable_inbound::RowState) -> Self {
        match state {
            scoretable_inbound::RowState::Ready => PreviewRowState::Ready,
            scoretable_inbound::RowState::Waiting => PreviewRowState::Waiting,
            scoretable_inbound::RowState::Invalid => PreviewRowState::Invalid,
        }
    }
}

/// A polled connection's health, in the words the Mapping screen shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
pub enum ConnectionStateView {
    #[serde(rename = "never polled")]
    NeverPolled,
    #[serde(rename = "ok")]
    Ok,
    #[serde(rename = "backing off")]
    BackingOff,
    #[serde(rename = "error")]
    Error,
}

impl From<scoretable_store::ConnectionState> for ConnectionStateView {
    fn from(state: scoretable_store::ConnectionState) -> Self {
        match state {
            scoretable_store::ConnectionState::Idle => ConnectionStateView::NeverPolled,
            scoretable_store::ConnectionState::Ok => ConnectionStateView::Ok,
            scoretable_store::ConnectionState::BackingOff => ConnectionStateView::BackingOff,
            scoretable_store::ConnectionState::Error => ConnectionStateView::Error,
        }
    }
}

/// One row of the preview, as it will be imported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct PreviewRowView {
    /// The 1-based row or record number in the source.
    #[ts(type = "number")]
    pub index: i64,
    pub state: PreviewRowState,
    pub identifier: String,
    pub team: Option<String>,
    /// The teammate id as read (one chip per team member): the member
    /// within the team registration `identifier` names.
    #[serde(default)]
    #[ts(optional)]
    pub teammate: Option<String>,
    /// The result as the leaderboard will show it.
    pub display: String,
    /// `Point: time` pairs.
    pub splits: Vec<String>,
    /// `field: message`, one per problem.
    pub problems: Vec<String>,
}

/// The first rows of a source mapped through a draft.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct MappingPreviewView {
    pub source_name: String,
    pub format: String,
    pub field_names: Vec<String>,
    /// Fields the mapping names that the source lacks.
    pub missing_fields: Vec<String>,
    #[ts(type = "number")]
    pub total_records: i64,
    #[ts(type = "number")]
    pub ready: i64,
    #[ts(type = "number")]
    pub waiting: i64,
    #[ts(type = "number")]
    pub invalid: i64,
    pub rows: Vec<PreviewRowView>,
}

/// Where a preview reads from: a file path, or a connection's live feed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SourceRequest {
    /// A CSV, JSON, XML or xlsx file; empty when `connection` is set.
    pub path: String,
    /// A connection whose feed to fetch once.
    pub connection: Option<String>,
    /// csv, json, xml, xlsx or world_triathlon; empty to detect.
    pub format: String,
}

/// What a mapped file import did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct FileImportView {
    pub file_name: String,
    pub format: String,
    #[ts(type = "number")]
    pub records: i64,
    #[ts(type = "number")]
    pub waiting: i64,
    #[ts(type = "number")]
    pub imported: i64,
    #[ts(type = "number")]
    pub already_imported: i64,
    #[ts(type = "number")]
    pub matched: i64,
    #[ts(type = "number")]
    pub new_conflicts: i64,
    #[ts(type = "number")]
    pub unknown: i64,
    #[ts(type = "number")]
    pub ignored: i64,
    pub provisional_teams: Vec<String>,
}

/// A polled timing-system connection and its health.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ConnectionView {
    pub name: String,
    pub url: String,
    #[ts(type = "number")]
    pub workout_id: i64,
    pub mapping_name: String,
    pub format: String,
    #[ts(type = "number")]
    pub interval_ms: i64,
    pub enabled: bool,
    pub state: ConnectionStateView,
    pub message: Option<String>,
    #[ts(type = "number")]
    pub consecutive_failures: i64,
    pub last_success_at: Option<String>,
    pub next_attempt_at: Option<String>,
    /// Whether this window's background poller is running for it.
    pub polling: bool,
    /// Teams summed from members that the last successful poll left still
    /// missing members, as `Team (scored/needed)`: their results are partial.
    #[serde(default)]
    pub provisional_teams: Vec<String>,
}

/// A connection to add.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct NewConnectionRequest {
    pub name: String,
    pub url: String,
    #[ts(type = "number")]
    pub workout_id: i64,
    pub mapping_name: String,
    /// json, world_triathlon, csv or xml.
    pub format: String,
    #[ts(type = "number")]
    pub interval_ms: i64,
}

/// What replaying a recorded feed into a scratch copy would do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct RehearsalView {
    #[ts(type = "number")]
    pub payloads: i64,
    #[ts(type = "number")]
    pub failed_payloads: i64,
    #[ts(type = "number")]
    pub imported: i64,
    #[ts(type = "number")]
    pub skipped: i64,
    #[ts(type = "number")]
    pub new_conflicts: i64,
    #[ts(type = "number")]
    pub unknown: i64,
    #[ts(type = "number")]
    pub invalid: i64,
    /// One line per payload.
    pub steps: Vec<String>,
}

/// A source value that differs from what was imported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ConflictView {
    #[ts(type = "number")]
    pub id: i64,
    pub source_name: String,
    #[ts(type = "number")]
    pub workout_id: i64,
    pub entrant: String,
    pub imported: String,
    pub incoming: String,
    #[ts(type = "number")]
    pub times_seen: i64,
    pub detected_at: String,
}

/// A record whose participant is unknown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ReviewItemView {
    #[ts(type = "number")]
    pub id: i64,
    pub source_name: String,
    #[ts(type = "number")]
    pub workout_id: i64,
    /// `kind value`, e.g. `chip 0042`.
    pub identifier: String,
    pub value: String,
    pub reason: String,
    #[ts(type = "number")]
    pub times_seen: i64,
}

/// One rejection: the platform refused the row (4xx); retrying will not help.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct RejectionView {
    pub entity: String,
    pub message: String,
}

/// A sync target's outbox and health.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SyncTargetView {
    pub name: String,
    pub platform: String,
    pub endpoint: String,
    pub enabled: bool,
    #[ts(type = "number")]
    pub queued: i64,
    #[ts(type = "number")]
    pub in_flight: i64,
    #[ts(type = "number")]
    pub acknowledged: i64,
    #[ts(type = "number")]
    pub rejected: i64,
    pub last_success_at: Option<String>,
    /// The last retryable failure (network, 5xx, 429), if the last attempt failed.
    pub last_error: Option<String>,
    pub last_error_at: Option<String>,
    pub next_attempt_at: Option<String>,
    #[ts(type = "number")]
    pub consecutive_failures: i64,
    pub rejections: Vec<RejectionView>,
    /// Entrants the platform holds more than one result for (a request that
    /// landed after its row was created again); an official deletes the
    /// extra result on the platform. Cleared by the next read-back.
    pub duplicates: Vec<String>,
    /// Which store holds the target's secret (`OS keyring (scoretable-sync)`,
    /// `file ... (mode 0600)`, an environment variable), or none; never the secret.
    #[ts(optional)]
    pub secret_stored_in: Option<String>,
}

/// A workout a target receives, with the platform's id for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct TargetWorkoutRequest {
    #[ts(type = "number")]
    pub workout_id: i64,
    pub remote_id: String,
}

/// A value a setting may take, with the words shown for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SettingChoiceView {
    pub value: String,
    pub label: String,
}

/// One setting a platform's targets take, as its adapter describes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SettingView {
    /// The config key (`match_by`, `status_codes`, ...).
    pub key: String,
    pub label: String,
    pub help: String,
    /// text, number, flag, choice, per_workout, per_timing_point,
    /// per_division, status_codes or pairs.
    pub kind: String,
    /// Refused without it (per-workout: for every workout sent).
    pub required: bool,
    /// What applies when left out.
    pub default: Option<String>,
    /// The values of a choice, status-code map or pairs.
    pub choices: Vec<SettingChoiceView>,
    /// A status-code map's statuses, each with its default code in `label`.
    pub keys: Vec<SettingChoiceView>,
}

/// A sync platform this build knows, with every setting its adapter takes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SyncPlatformView {
    pub code: String,
    pub name: String,
    /// What the platform calls its id of a workout (`RunSignup event_id`).
    pub remote_id_label: String,
    /// What the secret is (`API key:API secret`); empty when none is needed.
    pub secret_hint: String,
    pub settings: Vec<SettingView>,
}

/// One (key, value) of a map setting: a workout, timing point or division
/// id, a status code or a platform-side key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SettingEntryRequest {
    pub key: String,
    pub value: String,
}

/// One setting's value as the form collected it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SettingValueRequest {
    pub key: String,
    /// For text, number, flag and choice settings; empty for the default.
    pub value: String,
    /// For the map settings.
    pub entries: Vec<SettingEntryRequest>,
}

/// A target to add; its secret goes to the OS keyring and is never shown again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct NewSyncTargetRequest {
    pub name: String,
    /// A platform code from `sync_platforms`.
    pub platform: String,
    pub endpoint: String,
    /// The platform's settings (race id, match_by, status codes, ...), as
    /// `sync_platforms` describes them; the adapter checks them.
    pub settings: Vec<SettingValueRequest>,
    pub workouts: Vec<TargetWorkoutRequest>,
    /// Empty to store no secret yet.
    pub secret: String,
}

/// Where a target's secret was stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct AddedTargetView {
    pub target: SyncTargetView,
    /// The OS keyring or the documented fallback; empty when no secret was given.
    pub secret_backend: String,
}

/// One entity's change on the platform.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SyncChangeView {
    pub entity: String,
    /// create, update, unchanged, cannot_send or nothing_to_send.
    pub action: String,
    pub before: Option<String>,
    pub after: Option<String>,
    pub note: Option<String>,
}

/// What the next sync would change on a platform; nothing is sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SyncPreviewView {
    pub target: String,
    pub changes: Vec<SyncChangeView>,
    /// `METHOD url`, one per request (credentials masked by the sync crate).
    pub requests: Vec<String>,
}

/// What one drain did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct DrainView {
    pub target: String,
    #[ts(type = "number")]
    pub acknowledged: i64,
    #[ts(type = "number")]
    pub rejected: i64,
    #[ts(type = "number")]
    pub retried: i64,
    pub drained: bool,
    pub last_error: Option<String>,
}

/// An export to write.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ExportRequest {
    /// workout_csv, overall_csv, team_overall_csv, json, runsignup, pdf, awards, all,
    /// seal or verify.
    pub kind: String,
    /// The file (or directory for `all`, archive for `verify`); empty to ask with a native dialog.
    pub path: String,
    #[ts(type = "number | null")]
    pub workout_id: Option<i64>,
    #[ts(type = "number | null")]
    pub division_id: Option<i64>,
    /// csv, json or xml (RunSignup); pdf or csv (awards).
    pub format: String,
    /// Write LAP and NC as DNF and WD as DNS in RunSignup files.
    pub map_statuses: bool,
    /// Awards from this workout instead of the overall standings.
    #[ts(type = "number | null")]
    pub award_workout_id: Option<i64>,
    #[ts(type = "number")]
    pub awards_per_division: i64,
    #[ts(type = "number")]
    pub overall_awards: i64,
    /// Awards for the top of each gender across the whole field (top N Female overall, top N Male overall).
    #[ts(type = "number")]
    pub gender_overall_awards: i64,
    pub overall_winners_also_take_division_awards: bool,
}

/// One file an export wrote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct WrittenFileView {
    pub path: String,
    #[ts(type = "number")]
    pub bytes: i64,
    pub sha256: String,
    pub contents: String,
}

/// What an export wrote, or what a verification found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ExportOutcome {
    /// A sentence for the scorekeeper.
    pub summary: String,
    pub files: Vec<WrittenFileView>,
    /// Exports left out, with the reason.
    pub skipped: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::bindings::support::{bindings_text, check_bindings_file, declaration};

    /// The committed bindings, relative to the root package.
    const BINDINGS_PATH: &str = "ui/src/api/bindingsIntegrations.ts";

    fn generate() -> String {
        let declarations = [
            declaration::<SplitDraft>(),
            declaration::<MappingDraft>(),
            declaration::<SavedMappingView>(),
            declaration::<SourceFieldsView>(),
            declaration::<PreviewRowState>(),
            declaration::<PreviewRowView>(),
            declaration::<MappingPreviewView>(),
            declaration::<SourceRequest>(),
            declaration::<FileImportView>(),
            declaration::<ConnectionStateView>(),
            declaration::<ConnectionView>(),
            declaration::<NewConnectionRequest>(),
            declaration::<RehearsalView>(),
            declaration::<ConflictView>(),
            declaration::<ReviewItemView>(),
            declaration::<RejectionView>(),
            declaration::<SyncTargetView>(),
            declaration::<TargetWorkoutRequest>(),
            declaration::<SettingChoiceView>(),
            declaration::<SettingView>(),
            declaration::<SyncPlatformView>(),
            declaration::<SettingEntryRequest>(),
            declaration::<SettingValueRequest>(),
            declaration::<NewSyncTargetRequest>(),
            declaration::<AddedTargetView>(),
            declaration::<SyncChangeView>(),
            declaration::<SyncPreviewView>(),
            declaration::<DrainView>(),
            declaration::<ExportRequest>(),
            declaration::<WrittenFileView>(),
            declaration::<ExportOutcome>(),
        ];
        bindings_text(
            "dto_integrations.rs",
            "integration_bindings",
            "",
            &declarations,
        )
    }

    #[test]
    fn integration_bindings_are_current() {
        check_bindings_file(BINDINGS_PATH, "integration_bindings", &generate());
    }

    /// The connection states the window gets are the use-case layer's
    /// words (which the CLI prints), and the preview's row states the
    /// inbound crate's.
    #[test]
    fn state_views_serialize_as_the_shared_words() {
        use scoretable_store::ConnectionState;
        for state in [
            ConnectionState::Idle,
            ConnectionState::Ok,
            ConnectionState::BackingOff,
            ConnectionState::Error,
        ] {
            assert_eq!(
                serde_json::to_value(ConnectionStateView::from(state)).unwrap(),
                scoretable_usecase::feeds::state_word(state)
            );
        }
        use scoretable_inbound::RowState;
        for state in [RowState::Ready, RowState::Waiting, RowState::Invalid] {
            assert_eq!(
                serde_json::to_value(PreviewRowState::from(state)).unwrap(),
                serde_json::to_value(state).unwrap()
            );
        }
    }
}
