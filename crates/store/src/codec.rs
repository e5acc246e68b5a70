//! Spelling of the model's and the store's enumerations and of scores in
//! SQL columns: one `as_sql`/`from_sql` pair per enumeration ([`SqlWord`]),
//! all listed here.
//!
//! Each enumeration is stored as the lowercase snake-case word the schema's
//! `CHECK` constraints allow. A [`Score`] is stored as a kind word and up to
//! two integers (`a`, `b`), which keeps every value exact and queryable.

use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ValueRef};
use scoretable_core::model::{
    DivisionKind, Gender, LoadUnit, PublicationState, Rounding, Score, ScoreType, Source, Status,
    TeamScoring, TieBreak,
};

/// Reports a column value this build does not know, which means the file was
/// edited outside Scoretable (the schema's CHECKs stop it otherwise).
fn unknown(word: &str) -> FromSqlError {
    FromSqlError::Other(format!("unknown stored value {word:?}").into())
}

/// An enumeration stored as one SQL word. Every spelling of every such
/// enumeration is written once, below (the schema's `CHECK`s allow the
/// same words): `as_sql` to write it, `from_sql` to read it back.
pub(crate) trait SqlWord: Sized + Copy + 'static {
    /// Every value, in declaration order (the round-trip test reads it).
    #[allow(dead_code)]
    const ALL: &'static [Self];
    fn as_sql(self) -> &'static str;
    fn from_sql(word: &str) -> FromSqlResult<Self>;
}

macro_rules! sql_words {
    ($type:ty, { $($variant:path => $word:literal),+ $(,)? }) => {
        impl SqlWord for $type {
            const ALL: &'static [Self] = &[$($variant),+];
            fn as_sql(self) -> &'static str {
                match self { $($variant => $word),+ }
            }
            fn from_sql(word: &str) -> FromSqlResult<Self> {
                match word { $($word => Ok($variant),)+ other => Err(unknown(other)) }
            }
        }
    };
}

sql_words!(Gender, {
    Gender::Female => "female",
    Gender::Male => "male",
    Gender::Mixed => "mixed",
    Gender::Other => "other",
});

sql_words!(DivisionKind, {
    DivisionKind::Gender => "gender",
    DivisionKind::AgeGroup => "age_group",
    DivisionKind::Custom => "custom",
});

sql_words!(ScoreType, {
    ScoreType::Time => "time",
    ScoreType::TimeCapped => "time_capped",
    ScoreType::RoundsReps => "rounds_reps",
    ScoreType::Reps => "reps",
    ScoreType::Load => "load",
    ScoreType::Distance => "distance",
    ScoreType::Points => "points",
});

sql_words!(LoadUnit, {
    LoadUnit::Kg => "kg",
    LoadUnit::Lb => "lb",
});

sql_words!(TieBreak, {
    TieBreak::None => "none",
    TieBreak::TieBreakTime => "tie_break_time",
});

sql_words!(PublicationState, {
    PublicationState::Provisional => "provisional",
    PublicationState::Official => "official",
});

sql_words!(Status, {
    Status::Lap => "LAP",
    Status::Nc => "NC",
    Status::Dnf => "DNF",
    Status::Dnq => "DNQ",
    Status::Wd => "WD",
    Status::Dsq => "DSQ",
    Status::Dns => "DNS",
});

// Stored result sources. `amendment` marks a row created by an amendment
// alone; amended values live in the `amended_*` columns.
sql_words!(Source, {
    Source::Manual => "manual",
    Source::File => "file",
    Source::Feed => "feed",
    Source::Amendment => "amendment",
});

// The store's own enumerations.
sql_words!(crate::results::ScoreEventKind, {
    crate::results::ScoreEventKind::Entry => "entry",
    crate::results::ScoreEventKind::Import => "import",
    crate::results::ScoreEventKind::Amend => "amend",
    crate::results::ScoreEventKind::Undo => "undo",
});

sql_words!(crate::outbox::OutboxState, {
    crate::outbox::OutboxState::Queued => "queued",
    crate::outbox::OutboxState::Sending => "sending",
    crate::outbox::OutboxState::Acked => "acked",
    crate::outbox::OutboxState::Rejected => "rejected",
    crate::outbox::OutboxState::Superseded => "superseded",
    crate::outbox::OutboxState::Skipped => "skipped",
});

sql_words!(crate::outbox::EntityScope, {
    crate::outbox::EntityScope::Result => "result",
    crate::outbox::EntityScope::Workout => "workout",
    crate::outbox::EntityScope::Competition => "competition",
});

sql_words!(crate::ledger::IdentifierKind, {
    crate::ledger::IdentifierKind::Bib => "bib",
    crate::ledger::IdentifierKind::Chip => "chip",
    crate::ledger::IdentifierKind::FeedParticipantId => "feed_participant_id",
    crate::ledger::IdentifierKind::TriathlonAthleteId => "triathlon_athlete_id",
    crate::ledger::IdentifierKind::RunsignupRegistrationId => "runsignup_registration_id",
    crate::ledger::IdentifierKind::OpentrackId => "opentrack_id",
    crate::ledger::IdentifierKind::TeamName => "team_name",
});

sql_words!(crate::ledger::ConflictState, {
    crate::ledger::ConflictState::Open => "open",
    crate::ledger::ConflictState::Accepted => "accepted",
    crate::ledger::ConflictState::Dismissed => "dismissed",
    crate::ledger::ConflictState::Superseded => "superseded",
});

sql_words!(crate::ledger::ReviewState, {
    crate::ledger::ReviewState::Open => "open",
    crate::ledger::ReviewState::Assigned => "assigned",
    crate::ledger::ReviewState::Dismissed => "dismissed",
});

sql_words!(crate::ledger::ConnectionState, {
    crate::ledger::ConnectionState::Idle => "idle",
    crate::ledger::ConnectionState::Ok => "ok",
    crate::ledger::ConnectionState::BackingOff => "backing_off",
    crate::ledger::ConnectionState::Error => "error",
});

pub(crate) fn rounding_columns(rounding: Rounding) -> (&'static str, i64) {
    match rounding {
        Rounding::Exact => ("exact", 0),
        Rounding::Truncate { unit_ms } => ("truncate", unit_ms),
        Rounding::Up { unit_ms } => ("up", unit_ms),
        Rounding::Nearest { unit_ms } => ("nearest", unit_ms),
    }
}

pub(crate) fn rounding_from_columns(mode: &str, unit_ms: i64) -> FromSqlResult<Rounding> {
    match mode {
        "exact" => Ok(Rounding::Exact),
        "truncate" => Ok(Rounding::Truncate { unit_ms }),
        "up" => Ok(Rounding::Up { unit_ms }),
        "nearest" => Ok(Rounding::Nearest { unit_ms }),
        other => Err(unknown(other)),
    }
}

pub(crate) fn team_scoring_columns(team_scoring: TeamScoring) -> (&'static str, Option<i64>) {
    match team_scoring {
        TeamScoring::Individual => ("individual", None),
        TeamScoring::TeamChip => ("team_chip", None),
        TeamScoring::SumAll => ("sum_all", None),
        TeamScoring::BestN { n } => ("best_n", Some(i64::from(n))),
    }
}

pub(crate) fn team_scoring_from_columns(
    mode: &str,
    best_n: Option<i64>,
) -> FromSqlResult<TeamScoring> {
    match (mode, best_n) {
        ("individual", _) => Ok(TeamScoring::Individual),
        ("team_chip", _) => Ok(TeamScoring::TeamChip),
        ("sum_all", _) => Ok(TeamScoring::SumAll),
        ("best_n", Some(n)) => Ok(TeamScoring::BestN { n: n as u32 }),
        (other, _) => Err(unknown(other)),
    }
}

/// A score as `(kind, a, b)` columns.
pub(crate) fn score_columns(
    score: Option<Score>,
) -> (Option<&'static str>, Option<i64>, Option<i64>) {
    match score {
        None => (None, None, None),
        Some(Score::Time { ms }) => (Some("time"), Some(ms), None),
        Some(Score::Capped { reps }) => (Some("capped"), Some(reps), None),
        Some(Score::RoundsReps { rounds, reps }) => (Some("rounds_reps"), Some(rounds), Some(reps)),
        Some(Score::Reps { reps }) => (Some("reps"), Some(reps), None),
        Some(Score::Load { grams }) => (Some("load"), Some(grams), None),
        Some(Score::Distance { mm }) => (Some("distance"), Some(mm), None),
        Some(Score::Points { milli }) => (Some("points"), Some(milli), None),
    }
}

pub(crate) fn score_from_columns(
    kind: Option<&str>,
    a: Option<i64>,
    b: Option<i64>,
) -> FromSqlResult<Option<Score>> {
    let Some(kind) = kind else {
        return Ok(None);
    };
    let a = a.ok_or_else(|| unknown("score without a value"))?;
    let score = match kind {
        "time" => Score::Time { ms: a },
        "capped" => Score::Capped { reps: a },
        "rounds_reps" => Score::RoundsReps {
            rounds: a,
            reps: b.unwrap_or(0),
        },
        "reps" => Score::Reps { reps: a },
        "load" => Score::Load { grams: a },
        "distance" => Score::Distance { mm: a },
        "points" => Score::Points { milli: a },
        other => return Err(unknown(other)),
    };
    Ok(Some(score))
}

/// A stored word column decoded with one of the `*_from_word` functions.
pub(crate) struct Word(pub String);

impl FromSql for Word {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        Ok(Word(value.as_str()?.to_string()))
    }
}

/// Converts a decoding failure into a rusqlite error inside row mappers.
pub(crate) fn decode<T>(column: usize, result: FromSqlResult<T>) -> rusqlite::Result<T> {
    result.map_err(|error| match error {
        FromSqlError::Other(inner) => {
            rusqlite::Error::FromSqlConversionFailure(column, rusqlite::types::Type::Text, inner)
        }
        other => rusqlite::Error::FromSqlConversionFailure(
            column,
            rusqlite::types::Type::Text,
            Box::new(other),
        ),
    })
}

/// Ids as the JSON array `json_each(?)` reads: one bound parameter, so a
/// cached statement serves any number of ids.
pub(crate) fn id_list(ids: impl IntoIterator<Item = scoretable_core::model::Id>) -> String {
    use std::fmt::Write as _;
    let mut text = String::from("[");
    for (index, id) in ids.into_iter().enumerate() {
        if index > 0 {
            text.push(',');
        }
        let _ = write!(text, "{id}");
    }
    text.push(']');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_round_trip_through_columns() {
        let scores = [
            Score::Time { ms: 723_400 },
            Score::Capped { reps: 41 },
            Score::RoundsReps {
                rounds: 5,
                reps: 12,
            },
            Score::Reps { reps: 150 },
            Score::Load { grams: 102_500 },
            Score::Distance { mm: 7_350 },
            Score::Points { milli: 95_000 },
        ];
        for score in scores {
            let (kind, a, b) = score_columns(Some(score));
            assert_eq!(score_from_columns(kind, a, b).unwrap(), Some(score));
        }
        assert_eq!(score_from_columns(None, None, None).unwrap(), None);
    }

    /// Every stored word reads back as the value that wrote it, no two
    /// values of an enumeration share a word, and an unknown word is an
    /// error naming it.
    fn round_trips<T: SqlWord + PartialEq + std::fmt::Debug>() {
        let words: std::collections::HashSet<&str> =
            T::ALL.iter().map(|value| value.as_sql()).collect();
        assert_eq!(words.len(), T::ALL.len(), "{:?} share a word", T::ALL);
        for &value in T::ALL {
            assert_eq!(T::from_sql(value.as_sql()).unwrap(), value);
        }
        let unknown = T::from_sql("robot").unwrap_err().to_string();
        assert!(unknown.contains("\"robot\""), "{unknown}");
    }

    #[test]
    fn words_round_trip() {
        assert_eq!(Status::ALL.len(), 7);
        round_trips::<Gender>();
        round_trips::<DivisionKind>();
        round_trips::<ScoreType>();
        round_trips::<LoadUnit>();
        round_trips::<TieBreak>();
        round_trips::<PublicationState>();
        round_trips::<Status>();
        round_trips::<Source>();
        round_trips::<crate::results::ScoreEventKind>();
        round_trips::<crate::outbox::OutboxState>();
        round_trips::<crate::outbox::EntityScope>();
        round_trips::<crate::ledger::IdentifierKind>();
        round_trips::<crate::ledger::ConflictState>();
        round_trips::<crate::ledger::ReviewState>();
        round_trips::<crate::ledger::ConnectionState>();
    }
}
