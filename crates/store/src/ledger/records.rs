//! What a source delivers and what applying it reports: identifiers, mapped
//! records, per-record outcomes, team progress.

use super::*;
use crate::codec::SqlWord;

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
        self.as_sql()
    }

    /// Parses [`word`](Self::word).
    pub fn from_word(word: &str) -> Option<IdentifierKind> {
        IdentifierKind::ALL
            .into_iter()
            .find(|kind| kind.word().eq_ignore_ascii_case(word.trim()))
    }

    /// The column of `competitors` or `teams` holding this identifier, when
    /// it is a plain column.
    pub(super) fn column(self) -> Option<&'static str> {
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
    pub(super) fn count(&mut self, outcome: &RecordOutcome) {
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
