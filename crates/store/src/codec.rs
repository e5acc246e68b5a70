//! Spelling of the model's enumerations and scores in SQL columns.
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

macro_rules! word_codec {
    ($type:ty, $to:ident, $from:ident, { $($variant:path => $word:literal),+ $(,)? }) => {
        pub(crate) fn $to(value: $type) -> &'static str {
            match value { $($variant => $word),+ }
        }
        pub(crate) fn $from(word: &str) -> FromSqlResult<$type> {
            match word { $($word => Ok($variant),)+ other => Err(unknown(other)) }
        }
    };
}

word_codec!(Gender, gender_word, gender_from_word, {
    Gender::Female => "female",
    Gender::Male => "male",
    Gender::Mixed => "mixed",
    Gender::Other => "other",
});

word_codec!(DivisionKind, division_kind_word, division_kind_from_word, {
    DivisionKind::Gender => "gender",
    DivisionKind::AgeGroup => "age_group",
    DivisionKind::Custom => "custom",
});

word_codec!(ScoreType, score_type_word, score_type_from_word, {
    ScoreType::Time => "time",
    ScoreType::TimeCapped => "time_capped",
    ScoreType::RoundsReps => "rounds_reps",
    ScoreType::Reps => "reps",
    ScoreType::Load => "load",
    ScoreType::Distance => "distance",
    ScoreType::Points => "points",
});

word_codec!(LoadUnit, load_unit_word, load_unit_from_word, {
    LoadUnit::Kg => "kg",
    LoadUnit::Lb => "lb",
});

word_codec!(TieBreak, tie_break_word, tie_break_from_word, {
    TieBreak::None => "none",
    TieBreak::TieBreakTime => "tie_break_time",
});

word_codec!(PublicationState, state_word, state_from_word, {
    PublicationState::Provisional => "provisional",
    PublicationState::Official => "official",
});

word_codec!(Status, status_word, status_from_word, {
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
word_codec!(Source, source_word, source_from_word, {
    Source::Manual => "manual",
    Source::File => "file",
    Source::Feed => "feed",
    Source::Amendment => "amendment",
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

    #[test]
    fn words_round_trip() {
        for status in [
            Status::Lap,
            Status::Nc,
            Status::Dnf,
            Status::Dnq,
            Status::Wd,
            Status::Dsq,
            Status::Dns,
        ] {
            assert_eq!(status_from_word(status_word(status)).unwrap(), status);
        }
        assert!(gender_from_word("robot").is_err());
    }
}
