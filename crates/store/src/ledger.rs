//! The inbound side's memory: the import ledger, the conflict inbox, the
//! review queue, saved field mappings and polled connections.
//!
//! Timing systems and files deliver *source records*. The inbound crate reads
//! and maps them into [`InboundRecord`]s; [`CompetitionFile::apply_inbound`]
//! decides what each one means, following the timing-feed seed's rule that
//! an imported record is skipped on every later sync.
//!
//! # Ledger rules
//!
//! A record is identified by its source name (a connection's name, or a
//! file import's mapping name), the workout and its **record key** (usually
//! the participant id, plus the teammate id for per-member chips).
//!
//! 1. **Unknown participant.** When no competitor or team matches the
//!    record's identifier, the record goes to the review queue (one row per
//!    record key, refreshed with the latest value on every poll). An
//!    official assigns it to an entrant, which imports the stored record for
//!    that entrant; a dismissed review item is ignored from then on.
//! 2. **First sight.** A record the ledger has not seen, for an entrant
//!    without a result in the workout, is imported (source `file` or
//!    `feed`, provenance = source name, record key and batch) and a ledger
//!    row remembers the value it brought.
//! 3. **Entrant already scored elsewhere.** A record the ledger has not seen
//!    whose entrant already has a result (typed, another source, an
//!    amendment) is not imported. The ledger row takes the current effective
//!    value as its baseline; an equal value is "matched", a different one
//!    opens a conflict.
//! 4. **Later polls.** A record the ledger has seen is compared with the
//!    ledger's current value (score, status and tie-break; not splits). Equal
//!    means skipped, whatever officials have done to the result since: an
//!    amended score is never touched. A different value opens a conflict for
//!    an official; it is never applied silently. The same different value
//!    seen again only bumps the open conflict's counter; yet another value
//!    supersedes the open conflict with a new one; the source going back to
//!    the ledger value closes the open conflict as superseded. A value an
//!    official dismissed stays dismissed.
//! 5. **Resolution.** Accepting a conflict amends the result with the
//!    official's reason (the normal audited amendment) and moves the ledger's
//!    current value to the accepted one. Dismissing keeps the result.
//!
//! Result rows are written only through the store's import and amendment
//! (`import_results_in`, `amend_score_in`), so the protective triggers and
//! the score history apply unchanged, and inside the same transaction as the
//! ledger: [`CompetitionFile::apply_inbound`],
//! [`CompetitionFile::accept_conflict`] and [`CompetitionFile::assign_review`]
//! each commit their results, ledger rows, conflicts and review items
//! together or not at all. A crash at any moment therefore leaves either the
//! state before the call or the state after it, never a result without the
//! ledger row that remembers its value (which would let a later source
//! change slip through as "imported"). The failpoints ([`failpoint`]) sit
//! between every pair of writes so the kill -9 tests can prove it. Ledger
//! rows cannot be deleted and keep the value they first recorded (schema
//! triggers).
//!
//! Connections keep their health (`ok`, `backing_off`, `error` with a
//! message, consecutive failures, last attempt, last success) so the CLI and
//! the app can show it. Credentials are never stored: a connection names an
//! environment variable holding them, and URLs carrying passwords or tokens
//! are refused.

use std::collections::{HashMap, HashSet};

use rusqlite::{params, Connection, OptionalExtension, Row, Transaction};
use scoretable_core::model::{
    Entrant, Id, Millis, PublicationState, Source, Split, TeamScoring, Workout,
};
use serde::{Deserialize, Serialize};

use crate::competition_file::{now_timestamp, CompetitionFile};
use crate::error::{Result, StoreError};
use crate::results::{
    amend_score_in, describe_entrant, import_results_in, load_result, load_results,
    AmendmentReceipt, ImportedResult, ScoreInput, ScoreValue,
};
use crate::workouts::load_workout;

/// Failpoints of the inbound writes, for the crash harness: with
/// `SCORETABLE_FAILPOINT=<name>` the process stops there (see [`failpoint`]).
pub const FAILPOINT_APPLY_AFTER_RESULTS: &str = "inbound_apply_after_results";
/// After the first ledger row of an apply is written.
pub const FAILPOINT_APPLY_AFTER_LEDGER_ROW: &str = "inbound_apply_after_ledger_row";
/// After a conflict of an apply is written (opened, refreshed or superseded).
pub const FAILPOINT_APPLY_AFTER_CONFLICT: &str = "inbound_apply_after_conflict";
/// After a review item of an apply is written.
pub const FAILPOINT_APPLY_AFTER_REVIEW: &str = "inbound_apply_after_review";
/// Every write of an apply done, before the commit.
pub const FAILPOINT_APPLY_BEFORE_COMMIT: &str = "inbound_apply_before_commit";
/// After an apply's commit (before a poll stores its health).
pub const FAILPOINT_APPLY_AFTER_COMMIT: &str = "inbound_apply_after_commit";
/// After accepting a conflict amended the result.
pub const FAILPOINT_ACCEPT_AFTER_AMEND: &str = "inbound_accept_after_amend";
/// After accepting a conflict marked it accepted.
pub const FAILPOINT_ACCEPT_AFTER_CONFLICT: &str = "inbound_accept_after_conflict";
/// Every write of an accept done, before the commit.
pub const FAILPOINT_ACCEPT_BEFORE_COMMIT: &str = "inbound_accept_before_commit";
/// After assigning a review item, before its record is imported.
pub const FAILPOINT_ASSIGN_AFTER_REVIEW: &str = "inbound_assign_after_review";

/// Every inbound failpoint, in the order an apply meets them.
pub const INBOUND_FAILPOINTS: [&str; 10] = [
    FAILPOINT_APPLY_AFTER_RESULTS,
    FAILPOINT_APPLY_AFTER_LEDGER_ROW,
    FAILPOINT_APPLY_AFTER_CONFLICT,
    FAILPOINT_APPLY_AFTER_REVIEW,
    FAILPOINT_APPLY_BEFORE_COMMIT,
    FAILPOINT_APPLY_AFTER_COMMIT,
    FAILPOINT_ACCEPT_AFTER_AMEND,
    FAILPOINT_ACCEPT_AFTER_CONFLICT,
    FAILPOINT_ACCEPT_BEFORE_COMMIT,
    FAILPOINT_ASSIGN_AFTER_REVIEW,
];

/// Stops the process at a named point when `SCORETABLE_FAILPOINT` names it:
/// prints `failpoint <name> reached` on stderr, then aborts, or, with
/// `SCORETABLE_FAILPOINT_ACTION=hang`, waits to be killed (the kill -9
/// harness sends SIGKILL once it reads the line). Costs one cached lookup
/// when unset.
pub fn failpoint(name: &str) {
    static CHOSEN: std::sync::OnceLock<Option<String>> = std::sync::OnceLock::new();
    let chosen = CHOSEN.get_or_init(|| std::env::var("SCORETABLE_FAILPOINT").ok());
    if chosen.as_deref() != Some(name) {
        return;
    }
    use std::io::Write;
    let mut stderr = std::io::stderr().lock();
    let _ = writeln!(stderr, "failpoint {name} reached");
    let _ = stderr.flush();
    if std::env::var("SCORETABLE_FAILPOINT_ACTION").as_deref() == Ok("hang") {
        loop {
            std::thread::sleep(std::time::Duration::from_secs(60));
        }
    }
    std::process::abort();
}

/// What a record's identifier refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IdentifierKind {
    /// A competitor's (or team's) bib / start number.
    Bib,
    /// A chip id registered to a competitor.
    Chip,
    /// The timing feed's participant id (`CompCornerID`).
    FeedParticipantId,
    /// World Triathlon athlete id (the live-timing message's `id`).
    TriathlonAthleteId,
    /// RunSignup `registration_id`.
    RunsignupRegistrationId,
    /// OpenTrack competitor id.
    OpentrackId,
    /// A team's name (teams only).
    TeamName,
}

impl IdentifierKind {
    /// Every kind, in the order they are documented.
    pub const ALL: [IdentifierKind; 7] = [
        IdentifierKind::Bib,
        IdentifierKind::Chip,
        IdentifierKind::FeedParticipantId,
        IdentifierKind::TriathlonAthleteId,
        IdentifierKind::RunsignupRegistrationId,
        IdentifierKind::OpentrackId,
        IdentifierKind::TeamName,
    ];

    /// The snake-case word used in mappings and on the command line.
    pub fn word(self) -> &'static str {
        match self {
            IdentifierKind::Bib => "bib",
            IdentifierKind::Chip => "chip",
            IdentifierKind::FeedParticipantId => "feed_participant_id",
            IdentifierKind::TriathlonAthleteId => "triathlon_athlete_id",
            IdentifierKind::RunsignupRegistrationId => "runsignup_registration_id",
            IdentifierKind::OpentrackId => "opentrack_id",
            IdentifierKind::TeamName => "team_name",
        }
    }

    /// Parses [`word`](Self::word).
    pub fn from_word(word: &str) -> Option<IdentifierKind> {
        IdentifierKind::ALL
            .into_iter()
            .find(|kind| kind.word().eq_ignore_ascii_case(word.trim()))
    }

    /// The column of `competitors` or `teams` holding this identifier, when
    /// it is a plain column.
    fn column(self) -> Option<&'static str> {
        match self {
            IdentifierKind::Bib => Some("bib"),
            IdentifierKind::FeedParticipantId => Some("feed_participant_id"),
            IdentifierKind::TriathlonAthleteId => Some("triathlon_athlete_id"),
            IdentifierKind::RunsignupRegistrationId => Some("runsignup_registration_id"),
            IdentifierKind::OpentrackId => Some("opentrack_id"),
            IdentifierKind::Chip | IdentifierKind::TeamName => None,
        }
    }
}

/// An identifier as the source wrote it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Identifier {
    pub kind: IdentifierKind,
    pub value: String,
}

/// Where records come from: a polled connection or a mapped file import.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InboundSource {
    /// The connection name, or the mapping name for file imports. Ledger rows
    /// are kept per source name.
    pub name: String,
    /// [`Source::Feed`] or [`Source::File`].
    pub kind: Source,
}

/// One mapped source record, ready for the ledger.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InboundRecord {
    /// 1-based record index in its payload or file, for messages.
    pub index: u64,
    /// The ledger key: the identifier value, plus the teammate id for
    /// per-member chips (`<participant id>/<teammate id>`), so each member
    /// of a team registration is its own record.
    pub record_key: String,
    /// Who the record is for: the entrant, or for per-member chips the team
    /// registration (the timing feed's participant id).
    pub identifier: Identifier,
    /// The team the member belongs to (named by a team field), for
    /// workouts that add up members' results.
    pub team: Option<Identifier>,
    /// The member within the team registration `identifier` names (the
    /// timing feed's `Teammate ID`), for workouts that add up members'
    /// results. Matched against the members' own ids of the same kind, then
    /// their bibs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub teammate: Option<Identifier>,
    /// The parsed value; `text` is the source's own text.
    pub value: ScoreValue,
    pub penalty_ms: Millis,
    pub splits: Vec<Split>,
    pub incidents: Vec<String>,
    /// The source record's fields as read, for review and conflict screens.
    pub fields: Vec<(String, String)>,
}

/// What happened to one record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum RecordOutcome {
    /// Imported as a new result.
    Imported { entrant: Entrant },
    /// Already imported with this value: skipped.
    Unchanged { entrant: Entrant },
    /// Not seen before, but the entrant already had this same value.
    Matched { entrant: Entrant },
    /// The value differs from the ledger's: waiting in the conflict inbox.
    Conflict {
        entrant: Entrant,
        conflict_id: Id,
        /// False when the same conflict was already open.
        new: bool,
    },
    /// The value differs, but an official already dismissed exactly this value.
    Dismissed { entrant: Entrant },
    /// No entrant matches: waiting in the review queue.
    Unknown { review_id: Id, reason: String },
    /// An official dismissed this unknown record earlier.
    Ignored { review_id: Id },
}

/// One record's outcome, with where it came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordReport {
    pub index: u64,
    pub record_key: String,
    #[serde(flatten)]
    pub outcome: RecordOutcome,
}

/// How far a team summed from its members is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamProgress {
    pub team_id: Id,
    pub name: String,
    /// Members with a result in the workout.
    pub members_scored: usize,
    pub members: usize,
    /// Members needed for a complete team result.
    pub needed: usize,
    /// True while the team's result is partial (shown as provisional).
    pub provisional: bool,
}

/// What [`CompetitionFile::apply_inbound`] did.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct InboundReport {
    pub source_name: String,
    pub workout_id: Id,
    /// The import batch of the new results, when any were imported.
    pub batch_id: Option<String>,
    pub imported: usize,
    pub unchanged: usize,
    pub matched: usize,
    pub new_conflicts: usize,
    /// Records whose conflict was already open.
    pub pending_conflicts: usize,
    pub dismissed: usize,
    pub unknown: usize,
    pub ignored: usize,
    pub records: Vec<RecordReport>,
    /// Teams touched by this batch in a workout that sums members.
    pub team_progress: Vec<TeamProgress>,
}

impl InboundReport {
    fn count(&mut self, outcome: &RecordOutcome) {
        match outcome {
            RecordOutcome::Imported { .. } => self.imported += 1,
            RecordOutcome::Unchanged { .. } => self.unchanged += 1,
            RecordOutcome::Matched { .. } => self.matched += 1,
            RecordOutcome::Conflict { new: true, .. } => self.new_conflicts += 1,
            RecordOutcome::Conflict { new: false, .. } => self.pending_conflicts += 1,
            RecordOutcome::Dismissed { .. } => self.dismissed += 1,
            RecordOutcome::Unknown { .. } => self.unknown += 1,
            RecordOutcome::Ignored { .. } => self.ignored += 1,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConflictState {
    Open,
    Accepted,
    Dismissed,
    /// The source sent yet another value, or went back to the ledger's.
    Superseded,
}

impl ConflictState {
    fn word(self) -> &'static str {
        match self {
            ConflictState::Open => "open",
            ConflictState::Accepted => "accepted",
            ConflictState::Dismissed => "dismissed",
            ConflictState::Superseded => "superseded",
        }
    }

    fn from_word(word: &str) -> rusqlite::Result<ConflictState> {
        match word {
            "open" => Ok(ConflictState::Open),
            "accepted" => Ok(ConflictState::Accepted),
            "dismissed" => Ok(ConflictState::Dismissed),
            "superseded" => Ok(ConflictState::Superseded),
            other => Err(bad_word(other)),
        }
    }
}

/// One entry of the conflict inbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InboundConflict {
    pub id: Id,
    pub source_name: String,
    pub workout_id: Id,
    pub record_key: String,
    pub entrant: Entrant,
    /// `bib 12 (Ann Lee)` or `team Red`.
    pub entrant_label: String,
    /// The ledger value the source was compared with.
    pub ledger_value: ScoreValue,
    /// The different value the source sent.
    pub incoming_value: ScoreValue,
    /// The record as last received.
    pub record: InboundRecord,
    pub detected_at: String,
    pub last_seen_at: String,
    pub times_seen: u64,
    pub state: ConflictState,
    pub resolved_by: Option<String>,
    pub resolved_at: Option<String>,
    pub resolution_note: Option<String>,
    pub amendment_event_id: Option<Id>,
}

/// What accepting a conflict did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConflictResolution {
    pub conflict: InboundConflict,
    /// The amendment; `None` when the result already had the accepted value.
    pub amendment: Option<AmendmentReceipt>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewState {
    Open,
    Assigned,
    Dismissed,
}

impl ReviewState {
    fn word(self) -> &'static str {
        match self {
            ReviewState::Open => "open",
            ReviewState::Assigned => "assigned",
            ReviewState::Dismissed => "dismissed",
        }
    }

    fn from_word(word: &str) -> rusqlite::Result<ReviewState> {
        match word {
            "open" => Ok(ReviewState::Open),
            "assigned" => Ok(ReviewState::Assigned),
            "dismissed" => Ok(ReviewState::Dismissed),
            other => Err(bad_word(other)),
        }
    }
}

/// One entry of the review queue: a record nobody matched.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewItem {
    pub id: Id,
    pub source_name: String,
    pub source_kind: Source,
    pub workout_id: Id,
    pub record_key: String,
    pub identifier: Identifier,
    /// Why it could not be matched.
    pub reason: String,
    /// The record as last received.
    pub record: InboundRecord,
    pub first_seen_at: String,
    pub last_seen_at: String,
    pub times_seen: u64,
    pub state: ReviewState,
    /// The entrant an official assigned.
    pub entrant: Option<Entrant>,
    pub resolved_by: Option<String>,
    pub resolved_at: Option<String>,
}

/// A saved field mapping (its JSON belongs to the inbound crate).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SavedMapping {
    pub id: Id,
    pub name: String,
    /// The workout it was made for, when bound to one.
    pub workout_id: Option<Id>,
    pub mapping: serde_json::Value,
    pub updated_at: String,
}

/// A connection's health.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConnectionState {
    /// Never polled.
    Idle,
    /// The last poll succeeded.
    Ok,
    /// The last poll failed; waiting before the next try.
    BackingOff,
    /// The last poll reached the source but its payload or mapping was bad.
    Error,
}

impl ConnectionState {
    pub fn word(self) -> &'static str {
        match self {
            ConnectionState::Idle => "idle",
            ConnectionState::Ok => "ok",
            ConnectionState::BackingOff => "backing_off",
            ConnectionState::Error => "error",
        }
    }

    fn from_word(word: &str) -> rusqlite::Result<ConnectionState> {
        match word {
            "idle" => Ok(ConnectionState::Idle),
            "ok" => Ok(ConnectionState::Ok),
            "backing_off" => Ok(ConnectionState::BackingOff),
            "error" => Ok(ConnectionState::Error),
            other => Err(bad_word(other)),
        }
    }
}

/// A connection's health as stored after each poll.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConnectionStatus {
    pub state: ConnectionState,
    /// The last error, or `None` when healthy.
    pub message: Option<String>,
    pub consecutive_failures: u32,
    pub last_attempt_at: Option<String>,
    pub last_success_at: Option<String>,
    /// When the poller will try next (backing off), RFC 3339.
    pub next_attempt_at: Option<String>,
    /// The last successful poll's report (JSON of the inbound crate's summary).
    pub last_report: Option<serde_json::Value>,
}

/// A polled timing-system connection.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InboundConnection {
    pub id: Id,
    pub name: String,
    pub url: String,
    pub workout_id: Id,
    pub mapping_name: String,
    /// The record format word of the inbound crate (`json`, `world_triathlon`, `csv`, `xml`).
    pub format: String,
    pub interval_ms: u64,
    /// The environment variable holding an `Authorization` header value.
    pub auth_env: Option<String>,
    pub enabled: bool,
    pub status: ConnectionStatus,
}

/// The fields needed to add a connection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewConnection {
    pub name: String,
    pub url: String,
    pub workout_id: Id,
    pub mapping_name: String,
    pub format: String,
    pub interval_ms: u64,
    pub auth_env: Option<String>,
}

fn bad_word(word: &str) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(
        0,
        rusqlite::types::Type::Text,
        format!("unknown stored value {word:?}").into(),
    )
}

fn json_column<T: serde::de::DeserializeOwned>(
    row: &Row<'_>,
    column: usize,
) -> rusqlite::Result<T> {
    let text: String = row.get(column)?;
    serde_json::from_str(&text).map_err(|error| {
        rusqlite::Error::FromSqlConversionFailure(
            column,
            rusqlite::types::Type::Text,
            Box::new(error),
        )
    })
}

fn to_json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("ledger values serialize")
}

/// The part of a value that decides equality: score, status and tie-break.
/// The source's text is left out, so `00:13:37.2` equals `00:13:37.200`.
pub fn value_fingerprint(value: &ScoreValue) -> String {
    to_json(&(value.score, value.status, value.tie_break_ms))
}

fn entrant_columns(entrant: Entrant) -> (Option<Id>, Option<Id>) {
    match entrant {
        Entrant::Competitor(id) => (Some(id), None),
        Entrant::Team(id) => (None, Some(id)),
    }
}

fn entrant_from(competitor_id: Option<Id>, team_id: Option<Id>) -> Option<Entrant> {
    match (competitor_id, team_id) {
        (Some(id), None) => Some(Entrant::Competitor(id)),
        (None, Some(id)) => Some(Entrant::Team(id)),
        _ => None,
    }
}

fn source_kind_word(kind: Source) -> &'static str {
    match kind {
        Source::Feed => "feed",
        _ => "file",
    }
}

/// Looks identifiers up, loading each kind's table once per batch.
struct Resolver<'connection> {
    connection: &'connection Connection,
    competitors: HashMap<IdentifierKind, HashMap<String, Id>>,
    teams: HashMap<IdentifierKind, HashMap<String, Id>>,
    teams_of_member: Option<HashMap<Id, Vec<Id>>>,
    team_names: Option<HashMap<Id, String>>,
}

impl<'connection> Resolver<'connection> {
    fn new(connection: &'connection Connection) -> Self {
        Resolver {
            connection,
            competitors: HashMap::new(),
            teams: HashMap::new(),
            teams_of_member: None,
            team_names: None,
        }
    }

    fn load_map(&self, sql: &str, fold_case: bool) -> Result<HashMap<String, Id>> {
        let mut statement = self.connection.prepare(sql)?;
        let mut rows = statement.query([])?;
        let mut map = HashMap::new();
        while let Some(row) = rows.next()? {
            let key: String = row.get(0)?;
            let key = key.trim();
            let key = if fold_case {
                key.to_lowercase()
            } else {
                key.to_string()
            };
            map.entry(key).or_insert(row.get::<_, Id>(1)?);
        }
        Ok(map)
    }

    fn competitor(&mut self, identifier: &Identifier) -> Result<Option<Id>> {
        if identifier.kind == IdentifierKind::TeamName {
            return Ok(None);
        }
        if !self.competitors.contains_key(&identifier.kind) {
            let sql = match identifier.kind.column() {
                Some(column) => {
                    format!("SELECT {column}, id FROM competitors WHERE {column} IS NOT NULL")
                }
                None => "SELECT chip_id, competitor_id FROM competitor_chips".to_string(),
            };
            let map = self.load_map(&sql, false)?;
            self.competitors.insert(identifier.kind, map);
        }
        Ok(self.competitors[&identifier.kind]
            .get(identifier.value.trim())
            .copied())
    }

    fn team(&mut self, identifier: &Identifier) -> Result<Option<Id>> {
        if identifier.kind == IdentifierKind::Chip {
            // A team chip is registered to one of its members.
            let Some(member) = self.competitor(identifier)? else {
                return Ok(None);
            };
            let teams = self.teams_of(member)?;
            return Ok(match teams.as_slice() {
                [team] => Some(*team),
                _ => None,
            });
        }
        let fold_case = identifier.kind == IdentifierKind::TeamName;
        if !self.teams.contains_key(&identifier.kind) {
            let sql = match identifier.kind.column() {
                Some(column) => {
                    format!("SELECT {column}, id FROM teams WHERE {column} IS NOT NULL")
                }
                None => "SELECT name, id FROM teams".to_string(),
            };
            let map = self.load_map(&sql, fold_case)?;
            self.teams.insert(identifier.kind, map);
        }
        let key = if fold_case {
            identifier.value.trim().to_lowercase()
        } else {
            identifier.value.trim().to_string()
        };
        Ok(self.teams[&identifier.kind].get(&key).copied())
    }

    fn teams_of(&mut self, competitor_id: Id) -> Result<Vec<Id>> {
        if self.teams_of_member.is_none() {
            let mut statement = self
                .connection
                .prepare("SELECT competitor_id, team_id FROM team_members ORDER BY team_id")?;
            let mut rows = statement.query([])?;
            let mut map: HashMap<Id, Vec<Id>> = HashMap::new();
            while let Some(row) = rows.next()? {
                map.entry(row.get(0)?).or_default().push(row.get(1)?);
            }
            self.teams_of_member = Some(map);
        }
        Ok(self
            .teams_of_member
            .as_ref()
            .and_then(|map| map.get(&competitor_id))
            .cloned()
            .unwrap_or_default())
    }

    fn team_name(&mut self, team_id: Id) -> Result<String> {
        if self.team_names.is_none() {
            let mut statement = self.connection.prepare("SELECT id, name FROM teams")?;
            let rows = statement.query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?;
            self.team_names = Some(rows.collect::<rusqlite::Result<_>>()?);
        }
        Ok(self
            .team_names
            .as_ref()
            .and_then(|names| names.get(&team_id))
            .cloned()
            .unwrap_or_else(|| format!("#{team_id}")))
    }

    /// Per-member chips: `identifier` names the team registration and
    /// `teammate` the member in it (by the member's own id of the teammate's
    /// kind, else by bib). A source that sends the member's own id as the
    /// participant id and the team's as the teammate id is understood too.
    fn member_by_teammate_id(
        &mut self,
        identifier: &Identifier,
        teammate: &Identifier,
    ) -> Result<std::result::Result<Entrant, String>> {
        let described = format!("{} {:?}", identifier.kind.word(), identifier.value.trim());
        let teammate_described = format!("teammate id {:?}", teammate.value.trim());
        if let Some(team) = self.team(identifier)? {
            let mut candidates = Vec::new();
            candidates.extend(self.competitor(teammate)?);
            if teammate.kind != IdentifierKind::Bib {
                candidates.extend(self.competitor(&Identifier {
                    kind: IdentifierKind::Bib,
                    value: teammate.value.clone(),
                })?);
            }
            for candidate in candidates {
                if self.teams_of(candidate)?.contains(&team) {
                    return Ok(Ok(Entrant::Competitor(candidate)));
                }
            }
            return Ok(Err(format!(
                "team {} ({described}) has no member with {teammate_described}",
                self.team_name(team)?
            )));
        }
        if let (Some(competitor), Some(team)) = (self.competitor(identifier)?, self.team(teammate)?)
        {
            if self.teams_of(competitor)?.contains(&team) {
                return Ok(Ok(Entrant::Competitor(competitor)));
            }
            return Ok(Err(format!(
                "{described} is not a member of team {} ({teammate_described})",
                self.team_name(team)?
            )));
        }
        Ok(Err(format!(
            "no team has {described} (the record carries {teammate_described})"
        )))
    }

    /// The entrant a record is for in `workout`, or why none could be found.
    fn entrant(
        &mut self,
        workout: &Workout,
        record: &InboundRecord,
    ) -> Result<std::result::Result<Entrant, String>> {
        let identifier = &record.identifier;
        let described = format!("{} {:?}", identifier.kind.word(), identifier.value.trim());
        if identifier.value.trim().is_empty() {
            return Ok(Err(format!(
                "the record has an empty {}",
                identifier.kind.word()
            )));
        }
        match workout.team_scoring {
            TeamScoring::TeamChip => Ok(match self.team(identifier)? {
                Some(team) => Ok(Entrant::Team(team)),
                None => Err(format!("no team has {described}")),
            }),
            TeamScoring::Individual => Ok(match self.competitor(identifier)? {
                Some(competitor) => Ok(Entrant::Competitor(competitor)),
                None => Err(format!("no competitor has {described}")),
            }),
            TeamScoring::SumAll | TeamScoring::BestN { .. } => {
                if let Some(teammate) = record
                    .teammate
                    .as_ref()
                    .filter(|teammate| !teammate.value.trim().is_empty())
                {
                    return self.member_by_teammate_id(identifier, teammate);
                }
                let Some(competitor) = self.competitor(identifier)? else {
                    return Ok(Err(format!("no competitor has {described}")));
                };
                let teams = self.teams_of(competitor)?;
                match &record.team {
                    Some(team_identifier) => {
                        let team_described = format!(
                            "{} {:?}",
                            team_identifier.kind.word(),
                            team_identifier.value.trim()
                        );
                        match self.team(team_identifier)? {
                            None => Ok(Err(format!("no team has {team_described}"))),
                            Some(team) if teams.contains(&team) => {
                                Ok(Ok(Entrant::Competitor(competitor)))
                            }
                            Some(team) => Ok(Err(format!(
                                "{described} is not a member of team {} ({team_described})",
                                self.team_name(team)?
                            ))),
                        }
                    }
                    None if teams.is_empty() => Ok(Err(format!(
                        "{described} is in no team, and this workout sums team members"
                    ))),
                    None => Ok(Ok(Entrant::Competitor(competitor))),
                }
            }
        }
    }
}

struct LedgerRow {
    id: Id,
    entrant: Entrant,
    current_fingerprint: String,
    /// The current value as stored JSON; only conflicts need it.
    current_value_json: String,
}

fn load_ledger(
    connection: &Connection,
    source_name: &str,
    workout_id: Id,
) -> Result<HashMap<String, LedgerRow>> {
    let mut statement = connection.prepare_cached(
        "SELECT id, record_key, competitor_id, team_id, current_fingerprint, current_value
         FROM inbound_ledger WHERE source_name = ?1 AND workout_id = ?2",
    )?;
    let mut rows = statement.query(params![source_name, workout_id])?;
    let mut ledger = HashMap::new();
    while let Some(row) = rows.next()? {
        let entrant = entrant_from(row.get(2)?, row.get(3)?)
            .ok_or_else(|| StoreError::Conflict("an import ledger row has no entrant".into()))?;
        ledger.insert(
            row.get::<_, String>(1)?,
            LedgerRow {
                id: row.get(0)?,
                entrant,
                current_fingerprint: row.get(4)?,
                current_value_json: row.get(5)?,
            },
        );
    }
    Ok(ledger)
}

struct ReviewRow {
    id: Id,
    state: ReviewState,
    entrant: Option<Entrant>,
}

fn load_reviews(
    connection: &Connection,
    source_name: &str,
    workout_id: Id,
) -> Result<HashMap<String, ReviewRow>> {
    let mut statement = connection.prepare_cached(
        "SELECT id, record_key, state, competitor_id, team_id FROM inbound_review
         WHERE source_name = ?1 AND workout_id = ?2",
    )?;
    let mut rows = statement.query(params![source_name, workout_id])?;
    let mut reviews = HashMap::new();
    while let Some(row) = rows.next()? {
        let state: String = row.get(2)?;
        reviews.insert(
            row.get::<_, String>(1)?,
            ReviewRow {
                id: row.get(0)?,
                state: ReviewState::from_word(&state)?,
                entrant: entrant_from(row.get(3)?, row.get(4)?),
            },
        );
    }
    Ok(reviews)
}

/// Conflicts of one source and workout that matter for classification:
/// the open one per ledger row, and the dismissed values.
struct ConflictIndex {
    open: HashMap<Id, (Id, String)>,
    dismissed: HashSet<(Id, String)>,
}

fn load_conflicts(
    connection: &Connection,
    source_name: &str,
    workout_id: Id,
) -> Result<ConflictIndex> {
    let mut statement = connection.prepare_cached(
        "SELECT c.id, c.ledger_id, c.incoming_fingerprint, c.state FROM inbound_conflicts c
         JOIN inbound_ledger l ON l.id = c.ledger_id
         WHERE l.source_name = ?1 AND l.workout_id = ?2 AND c.state IN ('open', 'dismissed')",
    )?;
    let mut rows = statement.query(params![source_name, workout_id])?;
    let mut index = ConflictIndex {
        open: HashMap::new(),
        dismissed: HashSet::new(),
    };
    while let Some(row) = rows.next()? {
        let state: String = row.get(3)?;
        let ledger_id: Id = row.get(1)?;
        let fingerprint: String = row.get(2)?;
        if state == "open" {
            index.open.insert(ledger_id, (row.get(0)?, fingerprint));
        } else {
            index.dismissed.insert((ledger_id, fingerprint));
        }
    }
    Ok(index)
}

/// Validates a source for ledger use.
fn check_source(source: &InboundSource) -> Result<String> {
    if !matches!(source.kind, Source::File | Source::Feed) {
        return Err(StoreError::InvalidInput {
            field: "inbound source".into(),
            message: "records come from a file or a feed".into(),
        });
    }
    let name = source.name.trim();
    if name.is_empty() {
        return Err(StoreError::InvalidInput {
            field: "inbound source name".into(),
            message: "name the connection or mapping".into(),
        });
    }
    Ok(name.to_string())
}

fn check_record(record: &InboundRecord) -> Result<()> {
    if record.record_key.trim().is_empty() {
        return Err(StoreError::ImportRow {
            file: "record".into(),
            row: record.index,
            field: "record key".into(),
            message: "is empty".into(),
        });
    }
    if record.value.score.is_none() && record.value.status.is_none() {
        return Err(StoreError::ImportRow {
            file: "record".into(),
            row: record.index,
            field: "value".into(),
            message: "has neither a score nor a status".into(),
        });
    }
    Ok(())
}

/// [`CompetitionFile::apply_inbound`] inside a caller's transaction.
fn apply_inbound_in(
    transaction: &Transaction<'_>,
    source_name: &str,
    source_kind: Source,
    workout_id: Id,
    records: &[InboundRecord],
) -> Result<InboundReport> {
    let workout = load_workout(transaction, workout_id)?;
    if workout.state == PublicationState::Official {
        return Err(StoreError::WorkoutIsOfficial {
            workout: workout.name,
        });
    }
    // Which records are new results, then the normal audited import of
    // those, then every record classified against the state as it is now:
    // all in the caller's transaction.
    let to_import = records_to_import(transaction, source_name, &workout, records)?;
    let batch_id = if to_import.is_empty() {
        None
    } else {
        let summary = import_results_in(
            transaction,
            workout_id,
            source_kind,
            source_name,
            &to_import,
        )?;
        failpoint(FAILPOINT_APPLY_AFTER_RESULTS);
        Some(summary.batch_id)
    };
    let report = classify_and_record(
        transaction,
        source_name,
        source_kind,
        &workout,
        records,
        batch_id.as_deref(),
    )?;
    failpoint(FAILPOINT_APPLY_BEFORE_COMMIT);
    Ok(report)
}

fn records_to_import(
    connection: &Connection,
    source_name: &str,
    workout: &Workout,
    records: &[InboundRecord],
) -> Result<Vec<ImportedResult>> {
    let ledger = load_ledger(connection, source_name, workout.id)?;
    let reviews = load_reviews(connection, source_name, workout.id)?;
    let mut scored: HashSet<Entrant> = HashSet::new();
    {
        let mut statement = connection
            .prepare_cached("SELECT competitor_id, team_id FROM results WHERE workout_id = ?1")?;
        let mut rows = statement.query(params![workout.id])?;
        while let Some(row) = rows.next()? {
            if let Some(entrant) = entrant_from(row.get(0)?, row.get(1)?) {
                scored.insert(entrant);
            }
        }
    }
    let mut resolver = Resolver::new(connection);
    let mut to_import = Vec::new();
    for record in records {
        if ledger.contains_key(&record.record_key) {
            continue;
        }
        let entrant = match reviews.get(&record.record_key) {
            Some(review) if review.state == ReviewState::Assigned => review.entrant,
            Some(review) if review.state == ReviewState::Dismissed => None,
            _ => resolver.entrant(workout, record)?.ok(),
        };
        if let Some(entrant) = entrant {
            if scored.insert(entrant) {
                to_import.push(imported_result(record, entrant));
            }
        }
    }
    Ok(to_import)
}

/// A mapped record as the store's import takes it.
fn imported_result(record: &InboundRecord, entrant: Entrant) -> ImportedResult {
    ImportedResult {
        row: record.index,
        entrant,
        value: ScoreInput::Parsed {
            score: record.value.score,
            status: record.value.status,
            tie_break_ms: record.value.tie_break_ms,
        },
        penalty_ms: record.penalty_ms,
        splits: record.splits.clone(),
        incidents: record.incidents.clone(),
        record_id: Some(record.record_key.clone()),
        received_at: None,
    }
}

impl CompetitionFile {
    /// Applies mapped records from one source to one workout, following the
    /// ledger rules in the module docs, and reports every record's outcome.
    /// One transaction: the results, the ledger rows, the conflicts and the
    /// review items commit together or not at all.
    pub fn apply_inbound(
        &mut self,
        source: &InboundSource,
        workout_id: Id,
        records: &[InboundRecord],
    ) -> Result<InboundReport> {
        let source_name = check_source(source)?;
        for record in records {
            check_record(record)?;
        }
        let report = self.write(|transaction| {
            apply_inbound_in(transaction, &source_name, source.kind, workout_id, records)
        })?;
        tracing::info!(
            source = %report.source_name,
            workout_id,
            records = records.len(),
            imported = report.imported,
            unchanged = report.unchanged,
            new_conflicts = report.new_conflicts,
            unknown = report.unknown,
            "inbound applied"
        );
        failpoint(FAILPOINT_APPLY_AFTER_COMMIT);
        Ok(report)
    }

    /// The conflict inbox, optionally only open conflicts, oldest first.
    pub fn inbound_conflicts(&self, only_open: bool) -> Result<Vec<InboundConflict>> {
        let sql = format!("{CONFLICT_SELECT} WHERE (?1 = 0 OR c.state = 'open') ORDER BY c.id");
        let mut statement = self.connection.prepare(&sql)?;
        let rows = statement.query_map(params![only_open], conflict_from_row)?;
        let mut conflicts: Vec<InboundConflict> = rows.collect::<rusqlite::Result<_>>()?;
        for conflict in &mut conflicts {
            conflict.entrant_label = describe_entrant(&self.connection, conflict.entrant)?;
        }
        Ok(conflicts)
    }

    /// One conflict by id.
    pub fn inbound_conflict(&self, conflict_id: Id) -> Result<InboundConflict> {
        load_conflict(&self.connection, conflict_id)
    }

    /// Accepts a conflict: amends the result to the source's new value with
    /// the official's reason, and moves the ledger to that value. See the
    /// module docs for why this is safe to repeat after a crash.
    pub fn accept_conflict(
        &mut self,
        conflict_id: Id,
        who: &str,
        reason: &str,
        appeal_ref: Option<&str>,
    ) -> Result<ConflictResolution> {
        if reason.trim().is_empty() {
            return Err(StoreError::ReasonRequired);
        }
        let who = who.trim().to_string();
        let reason = reason.trim().to_string();
        let amendment = self.write(|transaction| {
            let conflict = load_conflict(transaction, conflict_id)?;
            if conflict.state != ConflictState::Open {
                return Err(StoreError::Conflict(format!(
                    "conflict {conflict_id} is already {}",
                    conflict.state.word()
                )));
            }
            let incoming_fingerprint = value_fingerprint(&conflict.incoming_value);
            let effective = load_result(transaction, conflict.workout_id, conflict.entrant)?
                .and_then(|result| result.effective_value().cloned());
            let amendment = if effective.as_ref().map(value_fingerprint).as_deref()
                == Some(incoming_fingerprint.as_str())
            {
                None
            } else {
                let receipt = amend_score_in(
                    transaction,
                    conflict.workout_id,
                    conflict.entrant,
                    &ScoreInput::Parsed {
                        score: conflict.incoming_value.score,
                        status: conflict.incoming_value.status,
                        tie_break_ms: conflict.incoming_value.tie_break_ms,
                    },
                    &who,
                    &reason,
                    appeal_ref,
                )?;
                failpoint(FAILPOINT_ACCEPT_AFTER_AMEND);
                Some(receipt)
            };
            let event_id = amendment.as_ref().map(|receipt| receipt.event_id);
            let now = now_timestamp();
            transaction.execute(
                "UPDATE inbound_conflicts SET state = 'accepted', resolved_by = ?2,
                    resolved_at = ?3, resolution_note = ?4, amendment_event_id = ?5
                 WHERE id = ?1 AND state = 'open'",
                params![conflict_id, who, now, reason, event_id],
            )?;
            failpoint(FAILPOINT_ACCEPT_AFTER_CONFLICT);
            transaction.execute(
                "UPDATE inbound_ledger SET current_fingerprint = ?2, current_value = ?3,
                    updated_at = ?4
                 WHERE id = (SELECT ledger_id FROM inbound_conflicts WHERE id = ?1)",
                params![
                    conflict_id,
                    incoming_fingerprint,
                    to_json(&conflict.incoming_value),
                    now
                ],
            )?;
            failpoint(FAILPOINT_ACCEPT_BEFORE_COMMIT);
            Ok(amendment)
        })?;
        Ok(ConflictResolution {
            conflict: load_conflict(&self.connection, conflict_id)?,
            amendment,
        })
    }

    /// Dismisses a conflict: the result keeps its value, and the source's
    /// value is not raised again.
    pub fn dismiss_conflict(
        &mut self,
        conflict_id: Id,
        who: &str,
        note: &str,
    ) -> Result<InboundConflict> {
        let who = who.trim().to_string();
        if who.is_empty() {
            return Err(StoreError::InvalidInput {
                field: "who".into(),
                message: "say who dismissed the conflict".into(),
            });
        }
        let note = note.trim().to_string();
        self.write(|transaction| {
            let changed = transaction.execute(
                "UPDATE inbound_conflicts SET state = 'dismissed', resolved_by = ?2,
                    resolved_at = ?3, resolution_note = ?4 WHERE id = ?1 AND state = 'open'",
                params![
                    conflict_id,
                    who,
                    now_timestamp(),
                    (!note.is_empty()).then_some(&note)
                ],
            )?;
            if changed == 0 {
                let conflict = load_conflict(transaction, conflict_id)?;
                return Err(StoreError::Conflict(format!(
                    "conflict {conflict_id} is already {}",
                    conflict.state.word()
                )));
            }
            Ok(())
        })?;
        load_conflict(&self.connection, conflict_id)
    }

    /// The review queue, optionally only open items, oldest first.
    pub fn review_items(&self, only_open: bool) -> Result<Vec<ReviewItem>> {
        let sql = format!("{REVIEW_SELECT} WHERE (?1 = 0 OR state = 'open') ORDER BY id");
        let mut statement = self.connection.prepare(&sql)?;
        let rows = statement.query_map(params![only_open], review_from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// One review item by id.
    pub fn review_item(&self, review_id: Id) -> Result<ReviewItem> {
        load_review(&self.connection, review_id)
    }

    /// Assigns an unknown record to an entrant and imports it for them
    /// (following the ledger rules: an entrant who already has a different
    /// result gets a conflict instead). Later records with the same key go
    /// to the same entrant.
    pub fn assign_review(
        &mut self,
        review_id: Id,
        entrant: Entrant,
        who: &str,
    ) -> Result<InboundReport> {
        let who = who.trim().to_string();
        if who.is_empty() {
            return Err(StoreError::InvalidInput {
                field: "who".into(),
                message: "say who assigned the record".into(),
            });
        }
        let item = load_review(&self.connection, review_id)?;
        if item.state != ReviewState::Open {
            return Err(StoreError::Conflict(format!(
                "review item {review_id} is already {}",
                item.state.word()
            )));
        }
        let workout = load_workout(&self.connection, item.workout_id)?;
        let exists: bool = match entrant {
            Entrant::Competitor(id) => self.connection.query_row(
                "SELECT EXISTS (SELECT 1 FROM competitors WHERE id = ?1)",
                params![id],
                |row| row.get(0),
            )?,
            Entrant::Team(id) => self.connection.query_row(
                "SELECT EXISTS (SELECT 1 FROM teams WHERE id = ?1)",
                params![id],
                |row| row.get(0),
            )?,
        };
        if !exists {
            return Err(StoreError::NotFound {
                what: match entrant {
                    Entrant::Competitor(_) => "competitor",
                    Entrant::Team(_) => "team",
                },
                key: entrant_columns(entrant)
                    .0
                    .or(entrant_columns(entrant).1)
                    .unwrap_or_default()
                    .to_string(),
            });
        }
        let fits = matches!(
            (workout.team_scoring, entrant),
            (TeamScoring::TeamChip, Entrant::Team(_))
                | (
                    TeamScoring::Individual | TeamScoring::SumAll | TeamScoring::BestN { .. },
                    Entrant::Competitor(_)
                )
        );
        if !fits {
            return Err(StoreError::InvalidInput {
                field: format!("entrant in workout {}", workout.name),
                message: match workout.team_scoring {
                    TeamScoring::TeamChip => {
                        "this workout takes one result per team; assign a team".into()
                    }
                    _ => "this workout takes individual results; assign a competitor".into(),
                },
            });
        }
        let (competitor_id, team_id) = entrant_columns(entrant);
        // The assignment and the import it causes are one transaction.
        self.write(|transaction| {
            let changed = transaction.execute(
                "UPDATE inbound_review SET state = 'assigned', competitor_id = ?2, team_id = ?3,
                    resolved_by = ?4, resolved_at = ?5 WHERE id = ?1 AND state = 'open'",
                params![review_id, competitor_id, team_id, who, now_timestamp()],
            )?;
            if changed == 0 {
                return Err(StoreError::Conflict(format!(
                    "review item {review_id} is no longer open"
                )));
            }
            failpoint(FAILPOINT_ASSIGN_AFTER_REVIEW);
            apply_inbound_in(
                transaction,
                &item.source_name,
                item.source_kind,
                item.workout_id,
                std::slice::from_ref(&item.record),
            )
        })
    }

    /// Dismisses an unknown record: later records with its key are ignored.
    pub fn dismiss_review(&mut self, review_id: Id, who: &str) -> Result<ReviewItem> {
        let who = who.trim().to_string();
        if who.is_empty() {
            return Err(StoreError::InvalidInput {
                field: "who".into(),
                message: "say who dismissed the record".into(),
            });
        }
        self.write(|transaction| {
            let changed = transaction.execute(
                "UPDATE inbound_review SET state = 'dismissed', resolved_by = ?2, resolved_at = ?3
                 WHERE id = ?1 AND state = 'open'",
                params![review_id, who, now_timestamp()],
            )?;
            if changed == 0 {
                let item = load_review(transaction, review_id)?;
                return Err(StoreError::Conflict(format!(
                    "review item {review_id} is already {}",
                    item.state.word()
                )));
            }
            Ok(())
        })?;
        load_review(&self.connection, review_id)
    }

    /// How many ledger rows a source has in a workout.
    pub fn ledger_size(&self, source_name: &str, workout_id: Id) -> Result<u64> {
        let count: i64 = self.connection.query_row(
            "SELECT count(*) FROM inbound_ledger WHERE source_name = ?1 AND workout_id = ?2",
            params![source_name.trim(), workout_id],
            |row| row.get(0),
        )?;
        Ok(count as u64)
    }

    /// Saves (creates or replaces, by name) a field mapping.
    pub fn save_mapping(
        &mut self,
        name: &str,
        workout_id: Option<Id>,
        mapping: &serde_json::Value,
    ) -> Result<Id> {
        let name = name.trim().to_string();
        if name.is_empty() {
            return Err(StoreError::InvalidInput {
                field: "mapping name".into(),
                message: "must not be empty".into(),
            });
        }
        if let Some(workout_id) = workout_id {
            load_workout(&self.connection, workout_id)?;
        }
        let text = to_json(mapping);
        self.write(|transaction| {
            transaction.execute(
                "INSERT INTO inbound_mappings (name, workout_id, mapping, updated_at)
                 VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT(name) DO UPDATE SET workout_id = excluded.workout_id,
                    mapping = excluded.mapping, updated_at = excluded.updated_at",
                params![name, workout_id, text, now_timestamp()],
            )?;
            Ok(transaction.query_row(
                "SELECT id FROM inbound_mappings WHERE name = ?1",
                params![name],
                |row| row.get(0),
            )?)
        })
    }

    /// A saved mapping by name (case-insensitive).
    pub fn mapping_by_name(&self, name: &str) -> Result<Option<SavedMapping>> {
        Ok(self
            .connection
            .query_row(
                "SELECT id, name, workout_id, mapping, updated_at FROM inbound_mappings
                 WHERE name = ?1",
                params![name.trim()],
                mapping_from_row,
            )
            .optional()?)
    }

    /// Every saved mapping, by name.
    pub fn mappings(&self) -> Result<Vec<SavedMapping>> {
        let mut statement = self.connection.prepare(
            "SELECT id, name, workout_id, mapping, updated_at FROM inbound_mappings ORDER BY name",
        )?;
        let rows = statement.query_map([], mapping_from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Adds a polled connection. The URL may not carry a password or a
    /// token: name an environment variable in `auth_env` instead.
    pub fn add_connection(&mut self, connection: &NewConnection) -> Result<InboundConnection> {
        let name = connection.name.trim().to_string();
        let invalid = |field: &str, message: String| StoreError::InvalidInput {
            field: format!("connection {field}"),
            message,
        };
        if name.is_empty() {
            return Err(invalid("name", "must not be empty".into()));
        }
        check_url_has_no_secret(&connection.url).map_err(|message| invalid("url", message))?;
        if connection.interval_ms < 100 {
            return Err(invalid(
                "interval",
                format!(
                    "{} ms is too short; poll at most ten times a second",
                    connection.interval_ms
                ),
            ));
        }
        if let Some(variable) = &connection.auth_env {
            if variable.trim().is_empty()
                || !variable
                    .chars()
                    .all(|character| character.is_ascii_alphanumeric() || character == '_')
            {
                return Err(invalid(
                    "auth_env",
                    format!("{variable:?} is not an environment variable name"),
                ));
            }
        }
        load_workout(&self.connection, connection.workout_id)?;
        let mapping = self
            .mapping_by_name(&connection.mapping_name)?
            .ok_or_else(|| StoreError::NotFound {
                what: "mapping",
                key: connection.mapping_name.clone(),
            })?;
        let id = self.write(|transaction| {
            transaction.execute(
                "INSERT INTO inbound_connections (name, url, workout_id, mapping_id, format,
                    interval_ms, auth_env, state, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'idle', ?8)",
                params![
                    name,
                    connection.url.trim(),
                    connection.workout_id,
                    mapping.id,
                    connection.format.trim(),
                    connection.interval_ms as i64,
                    connection.auth_env.as_deref().map(str::trim),
                    now_timestamp()
                ],
            )?;
            Ok(transaction.last_insert_rowid())
        })?;
        self.connection_by_id(id)
    }

    /// Every connection, by name.
    pub fn connections(&self) -> Result<Vec<InboundConnection>> {
        let sql = format!("{CONNECTION_SELECT} ORDER BY c.name");
        let mut statement = self.connection.prepare(&sql)?;
        let rows = statement.query_map([], connection_from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// A connection by name (case-insensitive).
    pub fn connection_by_name(&self, name: &str) -> Result<InboundConnection> {
        let sql = format!("{CONNECTION_SELECT} WHERE c.name = ?1");
        self.connection
            .query_row(&sql, params![name.trim()], connection_from_row)
            .optional()?
            .ok_or_else(|| StoreError::NotFound {
                what: "connection",
                key: name.trim().to_string(),
            })
    }

    fn connection_by_id(&self, id: Id) -> Result<InboundConnection> {
        let sql = format!("{CONNECTION_SELECT} WHERE c.id = ?1");
        Ok(self
            .connection
            .query_row(&sql, params![id], connection_from_row)?)
    }

    /// Turns polling of a connection on or off.
    pub fn set_connection_enabled(&mut self, connection_id: Id, enabled: bool) -> Result<()> {
        self.write(|transaction| {
            transaction.execute(
                "UPDATE inbound_connections SET enabled = ?2 WHERE id = ?1",
                params![connection_id, enabled],
            )?;
            Ok(())
        })
    }

    /// Records a successful poll and its report.
    pub fn record_poll_success(
        &mut self,
        connection_id: Id,
        report: &serde_json::Value,
    ) -> Result<()> {
        let report = to_json(report);
        self.write(|transaction| {
            let now = now_timestamp();
            transaction.execute(
                "UPDATE inbound_connections SET state = 'ok', message = NULL,
                    consecutive_failures = 0, last_attempt_at = ?2, last_success_at = ?2,
                    next_attempt_at = NULL, last_report = ?3 WHERE id = ?1",
                params![connection_id, now, report],
            )?;
            Ok(())
        })?;
        tracing::info!(connection_id, "poll succeeded");
        Ok(())
    }

    /// Records a failed poll: `BackingOff` for network trouble (retrying at
    /// `next_attempt_at`), `Error` for a bad payload or mapping.
    pub fn record_poll_failure(
        &mut self,
        connection_id: Id,
        state: ConnectionState,
        message: &str,
        next_attempt_at: Option<&str>,
    ) -> Result<ConnectionStatus> {
        if matches!(state, ConnectionState::Ok | ConnectionState::Idle) {
            return Err(StoreError::InvalidInput {
                field: "connection state".into(),
                message: "a failure is backing_off or error".into(),
            });
        }
        tracing::warn!(
            connection_id,
            state = state.word(),
            error = %message,
            next_attempt_at = next_attempt_at.unwrap_or("-"),
            "poll failed"
        );
        self.write(|transaction| {
            transaction.execute(
                "UPDATE inbound_connections SET state = ?2, message = ?3,
                    consecutive_failures = consecutive_failures + 1, last_attempt_at = ?4,
                    next_attempt_at = ?5 WHERE id = ?1",
                params![
                    connection_id,
                    state.word(),
                    message,
                    now_timestamp(),
                    next_attempt_at
                ],
            )?;
            Ok(())
        })?;
        Ok(self.connection_by_id(connection_id)?.status)
    }
}

/// Refuses URLs that carry credentials: a password in the user part, or a
/// query parameter named like a token or key.
fn check_url_has_no_secret(url: &str) -> std::result::Result<(), String> {
    let url = url.trim();
    let Some((scheme, rest)) = url.split_once("://") else {
        return Err(format!(
            "{url:?} is not a URL (expected http://... or https://...)"
        ));
    };
    if !matches!(scheme.to_ascii_lowercase().as_str(), "http" | "https") {
        return Err(format!("{scheme}:// is not supported; use http or https"));
    }
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    if authority.is_empty() {
        return Err(format!("{url:?} has no host"));
    }
    if authority.contains('@') {
        return Err(
            "the URL carries credentials; keep them out of the competition file \
                    and name an environment variable with --auth-env instead"
                .into(),
        );
    }
    if let Some((_, query)) = rest.split_once('?') {
        for pair in query.split('&') {
            let key = pair.split('=').next().unwrap_or("").to_ascii_lowercase();
            let key = key.replace(['-', '_'], "");
            if [
                "token",
                "accesstoken",
                "apikey",
                "key",
                "secret",
                "password",
                "auth",
                "signature",
            ]
            .contains(&key.as_str())
            {
                return Err(format!(
                    "the URL's query carries a secret ({}); keep it out of the competition file \
                     and name an environment variable with --auth-env instead",
                    pair.split('=').next().unwrap_or("")
                ));
            }
        }
    }
    Ok(())
}

const CONNECTION_SELECT: &str = "SELECT c.id, c.name, c.url, c.workout_id, m.name, c.format,
    c.interval_ms, c.auth_env, c.enabled, c.state, c.message, c.consecutive_failures,
    c.last_attempt_at, c.last_success_at, c.next_attempt_at, c.last_report
    FROM inbound_connections c JOIN inbound_mappings m ON m.id = c.mapping_id";

fn connection_from_row(row: &Row<'_>) -> rusqlite::Result<InboundConnection> {
    let state: String = row.get(9)?;
    let last_report: Option<String> = row.get(15)?;
    Ok(InboundConnection {
        id: row.get(0)?,
        name: row.get(1)?,
        url: row.get(2)?,
        workout_id: row.get(3)?,
        mapping_name: row.get(4)?,
        format: row.get(5)?,
        interval_ms: row.get::<_, i64>(6)? as u64,
        auth_env: row.get(7)?,
        enabled: row.get(8)?,
        status: ConnectionStatus {
            state: ConnectionState::from_word(&state)?,
            message: row.get(10)?,
            consecutive_failures: row.get::<_, i64>(11)? as u32,
            last_attempt_at: row.get(12)?,
            last_success_at: row.get(13)?,
            next_attempt_at: row.get(14)?,
            last_report: last_report.and_then(|text| serde_json::from_str(&text).ok()),
        },
    })
}

fn mapping_from_row(row: &Row<'_>) -> rusqlite::Result<SavedMapping> {
    Ok(SavedMapping {
        id: row.get(0)?,
        name: row.get(1)?,
        workout_id: row.get(2)?,
        mapping: json_column(row, 3)?,
        updated_at: row.get(4)?,
    })
}

const CONFLICT_SELECT: &str = "SELECT c.id, l.source_name, l.workout_id, l.record_key,
    l.competitor_id, l.team_id, c.compared_value, c.incoming_value, c.record, c.detected_at,
    c.last_seen_at, c.times_seen, c.state, c.resolved_by, c.resolved_at, c.resolution_note,
    c.amendment_event_id
    FROM inbound_conflicts c JOIN inbound_ledger l ON l.id = c.ledger_id";

fn conflict_from_row(row: &Row<'_>) -> rusqlite::Result<InboundConflict> {
    let state: String = row.get(12)?;
    Ok(InboundConflict {
        id: row.get(0)?,
        source_name: row.get(1)?,
        workout_id: row.get(2)?,
        record_key: row.get(3)?,
        entrant: entrant_from(row.get(4)?, row.get(5)?).ok_or_else(|| bad_word("entrant"))?,
        entrant_label: String::new(),
        ledger_value: json_column(row, 6)?,
        incoming_value: json_column(row, 7)?,
        record: json_column(row, 8)?,
        detected_at: row.get(9)?,
        last_seen_at: row.get(10)?,
        times_seen: row.get::<_, i64>(11)? as u64,
        state: ConflictState::from_word(&state)?,
        resolved_by: row.get(13)?,
        resolved_at: row.get(14)?,
        resolution_note: row.get(15)?,
        amendment_event_id: row.get(16)?,
    })
}

fn load_conflict(connection: &Connection, conflict_id: Id) -> Result<InboundConflict> {
    let sql = format!("{CONFLICT_SELECT} WHERE c.id = ?1");
    let mut conflict = connection
        .query_row(&sql, params![conflict_id], conflict_from_row)
        .optional()?
        .ok_or_else(|| StoreError::NotFound {
            what: "conflict",
            key: conflict_id.to_string(),
        })?;
    conflict.entrant_label = describe_entrant(connection, conflict.entrant)?;
    Ok(conflict)
}

const REVIEW_SELECT: &str = "SELECT id, source_name, source_kind, workout_id, record_key,
    identifier_kind, identifier_value, reason, record, first_seen_at, last_seen_at, times_seen,
    state, competitor_id, team_id, resolved_by, resolved_at FROM inbound_review";

fn review_from_row(row: &Row<'_>) -> rusqlite::Result<ReviewItem> {
    let source_kind: String = row.get(2)?;
    let kind_word: String = row.get(5)?;
    let state: String = row.get(12)?;
    Ok(ReviewItem {
        id: row.get(0)?,
        source_name: row.get(1)?,
        source_kind: if source_kind == "feed" {
            Source::Feed
        } else {
            Source::File
        },
        workout_id: row.get(3)?,
        record_key: row.get(4)?,
        identifier: Identifier {
            kind: IdentifierKind::from_word(&kind_word).ok_or_else(|| bad_word(&kind_word))?,
            value: row.get(6)?,
        },
        reason: row.get(7)?,
        record: json_column(row, 8)?,
        first_seen_at: row.get(9)?,
        last_seen_at: row.get(10)?,
        times_seen: row.get::<_, i64>(11)? as u64,
        state: ReviewState::from_word(&state)?,
        entrant: entrant_from(row.get(13)?, row.get(14)?),
        resolved_by: row.get(15)?,
        resolved_at: row.get(16)?,
    })
}

fn load_review(connection: &Connection, review_id: Id) -> Result<ReviewItem> {
    let sql = format!("{REVIEW_SELECT} WHERE id = ?1");
    connection
        .query_row(&sql, params![review_id], review_from_row)
        .optional()?
        .ok_or_else(|| StoreError::NotFound {
            what: "review item",
            key: review_id.to_string(),
        })
}

/// The workout's results as phase 3 needs them: who has one, with its
/// provenance; effective values are loaded only when a record meets a
/// result that is not its own import.
struct ExistingResults {
    rows: HashMap<Entrant, (Id, Option<String>, Option<String>)>,
    workout_id: Id,
    effective: Option<HashMap<Entrant, Option<ScoreValue>>>,
}

impl ExistingResults {
    fn load(connection: &Connection, workout_id: Id) -> Result<ExistingResults> {
        let mut statement = connection.prepare_cached(
            "SELECT competitor_id, team_id, id, provenance_record_id, provenance_source_name
             FROM results WHERE workout_id = ?1",
        )?;
        let mut rows = statement.query(params![workout_id])?;
        let mut map = HashMap::new();
        while let Some(row) = rows.next()? {
            if let Some(entrant) = entrant_from(row.get(0)?, row.get(1)?) {
                map.insert(entrant, (row.get(2)?, row.get(3)?, row.get(4)?));
            }
        }
        Ok(ExistingResults {
            rows: map,
            workout_id,
            effective: None,
        })
    }

    fn effective(
        &mut self,
        connection: &Connection,
        entrant: Entrant,
    ) -> Result<Option<ScoreValue>> {
        if self.effective.is_none() {
            self.effective = Some(
                load_results(connection, self.workout_id)?
                    .into_iter()
                    .map(|result| (result.entrant, result.effective_value().cloned()))
                    .collect(),
            );
        }
        Ok(self
            .effective
            .as_ref()
            .and_then(|values| values.get(&entrant).cloned())
            .flatten())
    }
}

/// Phase 3 of [`CompetitionFile::apply_inbound`]: every record against the
/// current state, in one transaction.
fn classify_and_record(
    transaction: &Transaction<'_>,
    source_name: &str,
    source_kind: Source,
    workout: &Workout,
    records: &[InboundRecord],
    batch_id: Option<&str>,
) -> Result<InboundReport> {
    let now = now_timestamp();
    let mut ledger = load_ledger(transaction, source_name, workout.id)?;
    let mut reviews = load_reviews(transaction, source_name, workout.id)?;
    let mut conflicts = load_conflicts(transaction, source_name, workout.id)?;
    let mut results = ExistingResults::load(transaction, workout.id)?;
    let mut resolver = Resolver::new(transaction);
    let mut report = InboundReport {
        source_name: source_name.to_string(),
        workout_id: workout.id,
        batch_id: batch_id.map(str::to_string),
        ..InboundReport::default()
    };
    let mut touched_members: Vec<Id> = Vec::new();
    for record in records {
        let incoming_fingerprint = value_fingerprint(&record.value);
        let outcome = if let Some(row) = ledger.get(&record.record_key) {
            compare_with_ledger(
                transaction,
                &mut conflicts,
                row,
                record,
                &incoming_fingerprint,
                &now,
            )?
        } else {
            let entrant = match reviews.get(&record.record_key) {
                Some(review) if review.state == ReviewState::Dismissed => {
                    report.records.push(RecordReport {
                        index: record.index,
                        record_key: record.record_key.clone(),
                        outcome: RecordOutcome::Ignored {
                            review_id: review.id,
                        },
                    });
                    report.ignored += 1;
                    continue;
                }
                Some(review) if review.state == ReviewState::Assigned => review
                    .entrant
                    .ok_or_else(|| "the assigned entrant was removed".to_string()),
                _ => resolver.entrant(workout, record)?,
            };
            match entrant {
                Err(reason) => {
                    let review_id = upsert_review(
                        transaction,
                        source_name,
                        source_kind,
                        workout.id,
                        record,
                        &reason,
                        &now,
                    )?;
                    reviews.insert(
                        record.record_key.clone(),
                        ReviewRow {
                            id: review_id,
                            state: ReviewState::Open,
                            entrant: None,
                        },
                    );
                    RecordOutcome::Unknown { review_id, reason }
                }
                Ok(entrant) => {
                    let (outcome, row) = first_sight(
                        transaction,
                        &mut conflicts,
                        source_name,
                        workout.id,
                        record,
                        entrant,
                        &mut results,
                        &incoming_fingerprint,
                        &now,
                    )?;
                    if matches!(outcome, RecordOutcome::Imported { .. }) {
                        if let Entrant::Competitor(id) = entrant {
                            touched_members.push(id);
                        }
                    }
                    ledger.insert(record.record_key.clone(), row);
                    outcome
                }
            }
        };
        report.count(&outcome);
        report.records.push(RecordReport {
            index: record.index,
            record_key: record.record_key.clone(),
            outcome,
        });
    }
    if matches!(
        workout.team_scoring,
        TeamScoring::SumAll | TeamScoring::BestN { .. }
    ) && !touched_members.is_empty()
    {
        report.team_progress = team_progress(transaction, workout, &touched_members)?;
    }
    Ok(report)
}

/// A record the ledger already has: skip, or open/refresh a conflict.
fn compare_with_ledger(
    transaction: &Transaction<'_>,
    conflicts: &mut ConflictIndex,
    row: &LedgerRow,
    record: &InboundRecord,
    incoming_fingerprint: &str,
    now: &str,
) -> Result<RecordOutcome> {
    let entrant = row.entrant;
    let open = conflicts.open.get(&row.id).cloned();
    if incoming_fingerprint == row.current_fingerprint {
        if let Some((conflict_id, _)) = open {
            // The source went back to the value the ledger holds.
            transaction.execute(
                "UPDATE inbound_conflicts SET state = 'superseded', resolved_by = 'source',
                    resolved_at = ?2, resolution_note = 'the source went back to the imported value'
                 WHERE id = ?1",
                params![conflict_id, now],
            )?;
            conflicts.open.remove(&row.id);
        }
        return Ok(RecordOutcome::Unchanged { entrant });
    }
    if let Some((conflict_id, fingerprint)) = &open {
        if fingerprint == incoming_fingerprint {
            transaction.execute(
                "UPDATE inbound_conflicts SET last_seen_at = ?2, times_seen = times_seen + 1,
                    record = ?3 WHERE id = ?1",
                params![conflict_id, now, to_json(record)],
            )?;
            return Ok(RecordOutcome::Conflict {
                entrant,
                conflict_id: *conflict_id,
                new: false,
            });
        }
    }
    if conflicts
        .dismissed
        .contains(&(row.id, incoming_fingerprint.to_string()))
    {
        return Ok(RecordOutcome::Dismissed { entrant });
    }
    if let Some((conflict_id, _)) = open {
        transaction.execute(
            "UPDATE inbound_conflicts SET state = 'superseded', resolved_by = 'source',
                resolved_at = ?2, resolution_note = 'the source sent another value'
             WHERE id = ?1",
            params![conflict_id, now],
        )?;
    }
    let conflict_id = insert_conflict(
        transaction,
        row.id,
        &row.current_value_json,
        record,
        incoming_fingerprint,
        now,
    )?;
    conflicts
        .open
        .insert(row.id, (conflict_id, incoming_fingerprint.to_string()));
    Ok(RecordOutcome::Conflict {
        entrant,
        conflict_id,
        new: true,
    })
}

fn insert_conflict(
    transaction: &Transaction<'_>,
    ledger_id: Id,
    compared_value_json: &str,
    record: &InboundRecord,
    incoming_fingerprint: &str,
    now: &str,
) -> Result<Id> {
    transaction.execute(
        "INSERT INTO inbound_conflicts (ledger_id, incoming_fingerprint, incoming_value,
            compared_value, record, detected_at, last_seen_at, state)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6, 'open')",
        params![
            ledger_id,
            incoming_fingerprint,
            to_json(&record.value),
            compared_value_json,
            to_json(record),
            now
        ],
    )?;
    let conflict_id = transaction.last_insert_rowid();
    failpoint(FAILPOINT_APPLY_AFTER_CONFLICT);
    Ok(conflict_id)
}

/// A record the ledger has not seen, for a known entrant.
#[allow(clippy::too_many_arguments)]
fn first_sight(
    transaction: &Transaction<'_>,
    conflicts: &mut ConflictIndex,
    source_name: &str,
    workout_id: Id,
    record: &InboundRecord,
    entrant: Entrant,
    results: &mut ExistingResults,
    incoming_fingerprint: &str,
    now: &str,
) -> Result<(RecordOutcome, LedgerRow)> {
    let (competitor_id, team_id) = entrant_columns(entrant);
    let Some((result_id, record_id, result_source)) = results.rows.get(&entrant).cloned() else {
        // The import in phase 2 did not store it: only possible when the
        // entrant lost a race with another writer and then had the result
        // undone. Nothing to compare with; report it as unknown next time.
        return Err(StoreError::Conflict(format!(
            "record {} ({}) was not stored; poll again",
            record.index, record.record_key
        )));
    };
    let ours = record_id.as_deref() == Some(record.record_key.as_str())
        && result_source.as_deref() == Some(source_name);
    let baseline = match ours {
        true => record.value.clone(),
        false => results
            .effective(transaction, entrant)?
            .unwrap_or_else(|| record.value.clone()),
    };
    let baseline_fingerprint = value_fingerprint(&baseline);
    let origin = if ours {
        "imported"
    } else if baseline_fingerprint == incoming_fingerprint {
        "matched"
    } else {
        "existing"
    };
    let baseline_json = to_json(&baseline);
    transaction
        .prepare_cached(
            "INSERT INTO inbound_ledger (source_name, workout_id, record_key, competitor_id,
                team_id, result_id, origin, imported_value, current_fingerprint, current_value,
                first_imported_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?8, ?10, ?10)",
        )?
        .execute(params![
            source_name,
            workout_id,
            record.record_key,
            competitor_id,
            team_id,
            result_id,
            origin,
            baseline_json,
            baseline_fingerprint,
            now
        ])?;
    let ledger_id = transaction.last_insert_rowid();
    failpoint(FAILPOINT_APPLY_AFTER_LEDGER_ROW);
    let row = LedgerRow {
        id: ledger_id,
        entrant,
        current_fingerprint: baseline_fingerprint,
        current_value_json: baseline_json,
    };
    let outcome = match origin {
        "imported" => RecordOutcome::Imported { entrant },
        "matched" => RecordOutcome::Matched { entrant },
        _ => compare_with_ledger(
            transaction,
            conflicts,
            &row,
            record,
            incoming_fingerprint,
            now,
        )?,
    };
    Ok((outcome, row))
}

fn upsert_review(
    transaction: &Transaction<'_>,
    source_name: &str,
    source_kind: Source,
    workout_id: Id,
    record: &InboundRecord,
    reason: &str,
    now: &str,
) -> Result<Id> {
    transaction.execute(
        "INSERT INTO inbound_review (source_name, source_kind, workout_id, record_key,
            identifier_kind, identifier_value, reason, record, first_seen_at, last_seen_at, state)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9, 'open')
         ON CONFLICT(source_name, workout_id, record_key) DO UPDATE SET
            reason = excluded.reason, record = excluded.record,
            last_seen_at = excluded.last_seen_at, times_seen = times_seen + 1
         WHERE state = 'open'",
        params![
            source_name,
            source_kind_word(source_kind),
            workout_id,
            record.record_key,
            record.identifier.kind.word(),
            record.identifier.value.trim(),
            reason,
            to_json(record),
            now
        ],
    )?;
    failpoint(FAILPOINT_APPLY_AFTER_REVIEW);
    Ok(transaction.query_row(
        "SELECT id FROM inbound_review WHERE source_name = ?1 AND workout_id = ?2
            AND record_key = ?3",
        params![source_name, workout_id, record.record_key],
        |row| row.get(0),
    )?)
}

/// Progress of the teams of `members` in a workout that sums members.
fn team_progress(
    connection: &Connection,
    workout: &Workout,
    members: &[Id],
) -> Result<Vec<TeamProgress>> {
    let mut team_ids: Vec<Id> = Vec::new();
    {
        let mut statement = connection
            .prepare_cached("SELECT team_id FROM team_members WHERE competitor_id = ?1")?;
        for member in members {
            let rows = statement.query_map(params![member], |row| row.get::<_, Id>(0))?;
            for team in rows {
                let team = team?;
                if !team_ids.contains(&team) {
                    team_ids.push(team);
                }
            }
        }
    }
    team_ids.sort_unstable();
    let mut statement = connection.prepare_cached(
        "SELECT t.name, count(m.competitor_id),
            count(r.id) FILTER (WHERE r.id IS NOT NULL AND (
                (r.amended = 1 AND r.amended_kind IS NOT NULL AND r.amended_status IS NULL)
                OR (r.amended = 0 AND r.source_kind IS NOT NULL AND r.source_status IS NULL)))
         FROM teams t JOIN team_members m ON m.team_id = t.id
         LEFT JOIN results r ON r.workout_id = ?2 AND r.competitor_id = m.competitor_id
         WHERE t.id = ?1 GROUP BY t.id",
    )?;
    let mut progress = Vec::with_capacity(team_ids.len());
    for team_id in team_ids {
        let (name, members, scored): (String, i64, i64) = statement
            .query_row(params![team_id, workout.id], |row| {
                Ok((row.get(0)?, row.get(1)?, row.get(2)?))
            })?;
        let members = members as usize;
        let needed = match workout.team_scoring {
            TeamScoring::BestN { n } if n > 0 => (n as usize).min(members),
            _ => members,
        };
        progress.push(TeamProgress {
            team_id,
            name,
            members_scored: scored as usize,
            members,
            needed,
            provisional: (scored as usize) < needed,
        });
    }
    Ok(progress)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ledger_rows_cannot_be_deleted_or_re_keyed() {
        let directory = tempfile::tempdir().unwrap();
        let file = CompetitionFile::create(
            directory.path().join("ledger.scoretable"),
            &scoretable_core::model::Competition {
                name: "Ledger".into(),
                slug: "ledger".into(),
                start_date: "2026-06-01".into(),
                end_date: "2026-06-01".into(),
                ..Default::default()
            },
        )
        .unwrap();
        file.connection
            .execute_batch(
                "INSERT INTO workouts (id, name, sequence, score_type, load_unit, tie_break,
                    rounding_mode, rounding_unit_ms, team_scoring, state)
                    VALUES (1, 'Sprint', 1, 'time', 'kg', 'none', 'exact', 0, 'individual', 'provisional');
                 INSERT INTO competitors (id, bib, first_name, last_name) VALUES (1, '1', 'A', 'B');
                 INSERT INTO inbound_ledger (source_name, workout_id, record_key, competitor_id,
                    origin, imported_value, current_fingerprint, current_value, first_imported_at,
                    updated_at) VALUES ('timing', 1, '524658', 1, 'imported', '{}', 'x', '{}',
                    '2026-06-01T10:00:00.000Z', '2026-06-01T10:00:00.000Z');",
            )
            .unwrap();
        let error = StoreError::from(
            file.connection
                .execute("DELETE FROM inbound_ledger", [])
                .unwrap_err(),
        );
        assert!(matches!(error, StoreError::Protected(_)), "{error}");
        let error = StoreError::from(
            file.connection
                .execute("UPDATE inbound_ledger SET imported_value = '[]'", [])
                .unwrap_err(),
        );
        assert!(matches!(error, StoreError::Protected(_)), "{error}");
        // The current value may move (an accepted conflict).
        file.connection
            .execute("UPDATE inbound_ledger SET current_fingerprint = 'y'", [])
            .unwrap();
    }

    #[test]
    fn urls_carrying_secrets_are_refused() {
        assert!(check_url_has_no_secret("https://timing.example/feed.json").is_ok());
        assert!(check_url_has_no_secret("http://10.0.0.5:8080/results?race=3").is_ok());
        assert!(check_url_has_no_secret("https://a:b@timing.example/").is_err());
        assert!(check_url_has_no_secret("https://timing.example/?access_token=1").is_err());
        assert!(check_url_has_no_secret("https://timing.example/?API-Key=1").is_err());
        assert!(check_url_has_no_secret("timing.example/feed").is_err());
    }
}
