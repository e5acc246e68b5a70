//! What results are made of: score values and inputs, stored results,
//! receipts, history events (and their replay) and imported records.

use super::*;

/// One score value as stored: the text as received or shown, and what it means.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScoreValue {
    /// The raw text as typed or received, or the clean form of a parsed value.
    pub text: String,
    pub score: Option<Score>,
    pub status: Option<Status>,
    pub tie_break_ms: Option<Millis>,
    /// Time penalty added before ranking (source penalty, or the amended one).
    #[serde(default)]
    pub penalty_ms: Millis,
}

/// A score to store: raw text for the engine to parse, or a parsed value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ScoreInput {
    /// Text as typed, e.g. `12:03.4`, `CAP+41`, `5+12`, `DNF`; an optional
    /// tie-break time as text.
    Text {
        value: String,
        tie_break: Option<String>,
    },
    /// An already parsed value.
    Parsed {
        score: Option<Score>,
        status: Option<Status>,
        tie_break_ms: Option<Millis>,
    },
}

impl ScoreInput {
    /// Raw text without a tie-break.
    pub fn text(value: impl Into<String>) -> ScoreInput {
        ScoreInput::Text {
            value: value.into(),
            tie_break: None,
        }
    }

    /// Raw text with a tie-break time as text.
    pub fn text_with_tie_break(
        value: impl Into<String>,
        tie_break: impl Into<String>,
    ) -> ScoreInput {
        ScoreInput::Text {
            value: value.into(),
            tie_break: Some(tie_break.into()),
        }
    }

    pub fn score(score: Score) -> ScoreInput {
        ScoreInput::Parsed {
            score: Some(score),
            status: None,
            tie_break_ms: None,
        }
    }

    pub fn status(status: Status) -> ScoreInput {
        ScoreInput::Parsed {
            score: None,
            status: Some(status),
            tie_break_ms: None,
        }
    }
}

/// Where an imported result came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Provenance {
    /// The file name or feed name.
    pub source_name: Option<String>,
    /// The record's id in the source (RunSignup `result_id`, feed row id...).
    pub record_id: Option<String>,
    /// The import batch this result arrived in.
    pub import_batch: Option<String>,
}

/// A result row as stored, with source and amended values apart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredResult {
    pub id: Id,
    pub workout_id: Id,
    pub entrant: Entrant,
    /// Manual, File or Feed; `Amendment` when an official created the result.
    pub source: Source,
    /// `None` only when an amendment created the result.
    pub source_value: Option<ScoreValue>,
    pub amended_value: Option<ScoreValue>,
    /// The source value's penalty (the effective one is in [`Self::effective_value`]).
    pub penalty_ms: Millis,
    pub splits: Vec<Split>,
    pub incidents: Vec<String>,
    pub provenance: Provenance,
    pub received_at: String,
}

impl StoredResult {
    /// The value that counts: the amendment if any, else the source value.
    pub fn effective_value(&self) -> Option<&ScoreValue> {
        self.amended_value.as_ref().or(self.source_value.as_ref())
    }

    pub fn is_amended(&self) -> bool {
        self.amended_value.is_some()
    }

    /// The result as the engine ranks it.
    pub fn to_result_entry(&self) -> ResultEntry {
        let effective = self.effective_value();
        ResultEntry {
            entrant: self.entrant,
            score: effective.and_then(|value| value.score),
            status: effective.and_then(|value| value.status),
            tie_break_ms: effective.and_then(|value| value.tie_break_ms),
            penalty_ms: effective.map_or(0, |value| value.penalty_ms),
            splits: self.splits.clone(),
            incidents: self.incidents.clone(),
            source: if self.is_amended() {
                Source::Amendment
            } else {
                self.source
            },
            amended: self.is_amended(),
            partial: false,
        }
    }
}

/// Returned by [`CompetitionFile::enter_score`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntryReceipt {
    /// The history event id; pass it to [`CompetitionFile::undo_entry`].
    pub entry_id: Id,
    pub result_id: Id,
    pub workout_id: Id,
    pub entrant: Entrant,
    pub value: ScoreValue,
    /// The value in its clean leaderboard form (`12:03.4`, `CAP+41`, `DNF`).
    pub display: String,
}

/// Returned by [`CompetitionFile::amend_score`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AmendmentReceipt {
    pub event_id: Id,
    pub result_id: Id,
    /// The effective value before the amendment.
    pub old: Option<ScoreValue>,
    pub new: ScoreValue,
    pub display: String,
    /// Everyone whose place in the workout (overall or in a division) changed.
    pub moved: Vec<PlacementChange>,
}

/// Returned by [`CompetitionFile::preview_amendment`]: nothing is stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AmendmentPreview {
    pub old: Option<ScoreValue>,
    pub new: ScoreValue,
    pub display: String,
    /// Who would move, in [`placement_impact`](crate::placement_impact)'s
    /// order, listed up to the limit asked for.
    pub moved: Vec<PlacementChange>,
    /// Every place that would change (overall and division places).
    pub moved_changes: usize,
    /// The distinct entrants among them.
    pub moved_entrants: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScoreEventKind {
    Entry,
    Import,
    Amend,
    Undo,
}

impl ScoreEventKind {
    pub(super) fn word(self) -> &'static str {
        self.as_sql()
    }

    pub(super) fn from_word(word: &str) -> rusqlite::types::FromSqlResult<ScoreEventKind> {
        ScoreEventKind::from_sql(word)
    }
}

/// One row of a score's append-only history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScoreEvent {
    pub id: Id,
    pub workout_id: Id,
    pub entrant: Entrant,
    pub kind: ScoreEventKind,
    pub who: String,
    /// RFC 3339 UTC timestamp.
    pub at: String,
    pub old: Option<ScoreValue>,
    pub new: Option<ScoreValue>,
    pub reason: Option<String>,
    pub appeal_ref: Option<String>,
    /// For `Undo`: the entry it undid.
    pub undoes_event_id: Option<Id>,
}

/// Replays a result's history to its effective value (see the module docs).
pub fn replay_history(events: &[ScoreEvent]) -> Option<ScoreValue> {
    let mut source: Option<ScoreValue> = None;
    let mut amended: Option<ScoreValue> = None;
    for event in events {
        match event.kind {
            ScoreEventKind::Entry | ScoreEventKind::Import => source = event.new.clone(),
            ScoreEventKind::Undo => source = None,
            ScoreEventKind::Amend => amended = event.new.clone(),
        }
    }
    amended.or(source)
}

/// One result arriving from a file or a feed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportedResult {
    /// 1-based row or record number in the source, for error messages.
    pub row: u64,
    pub entrant: Entrant,
    pub value: ScoreInput,
    pub penalty_ms: Millis,
    pub splits: Vec<Split>,
    pub incidents: Vec<String>,
    /// The record's id in the source system, if it has one.
    pub record_id: Option<String>,
    /// When the record was received (RFC 3339); now if `None`.
    pub received_at: Option<String>,
}

/// What a result import did.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ResultImportSummary {
    /// The import batch id stored in each new result's provenance.
    pub batch_id: String,
    pub inserted: usize,
    /// Skipped because the entrant already had a result (never overwritten).
    pub skipped_existing: usize,
    /// Of those, how many were protected by an official amendment.
    pub skipped_amended: usize,
}
