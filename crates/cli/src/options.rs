//! Turns command-line option text into model values.
//!
//! Only the CLI's own option syntax lives here (`up:1000`, `best:3`,
//! `workout:Row`); scores and times are parsed by the engine so that the CLI,
//! the imports and the desktop app accept exactly the same values.

use scoretable_core::model::{
    DivisionKind, Gender, LoadUnit, PublicationState, Rounding, ScoreType, TeamScoring, TieBreak,
};

use crate::args::{
    DivisionKindArg, GenderArg, LoadUnitArg, PublicationStateArg, ScoreTypeArg, TieBreakArg,
};
use crate::error::{CliError, CliResult, Problem};

/// A problem with one command-line option.
pub fn option_error(option: &str, message: impl Into<String>) -> CliError {
    let message = message.into();
    CliError::bad_input(format!("invalid --{option}: {message}")).with_problems(vec![Problem {
        file: None,
        row: None,
        field: Some(option.to_string()),
        message,
    }])
}

/// Parses `exact`, `truncate:<ms>`, `up:<ms>` or `nearest:<ms>`.
pub fn parse_rounding(text: &str) -> CliResult<Rounding> {
    let text = text.trim().to_ascii_lowercase();
    if text == "exact" {
        return Ok(Rounding::Exact);
    }
    let (mode, unit) = text.split_once(':').ok_or_else(|| {
        option_error(
            "rounding",
            format!("'{text}' is not exact, truncate:<ms>, up:<ms> or nearest:<ms>"),
        )
    })?;
    let unit_ms: i64 = unit.trim().parse().map_err(|_| {
        option_error(
            "rounding",
            format!("'{unit}' is not a whole number of milliseconds"),
        )
    })?;
    if unit_ms <= 0 {
        return Err(option_error(
            "rounding",
            "the unit must be at least 1 millisecond",
        ));
    }
    match mode.trim() {
        "truncate" => Ok(Rounding::Truncate { unit_ms }),
        "up" => Ok(Rounding::Up { unit_ms }),
        "nearest" => Ok(Rounding::Nearest { unit_ms }),
        other => Err(option_error(
            "rounding",
            format!("unknown rounding mode '{other}' (use exact, truncate, up or nearest)"),
        )),
    }
}

/// Parses `individual`, `team-chip`, `sum-all` or `best:<n>`.
pub fn parse_team_scoring(text: &str) -> CliResult<TeamScoring> {
    let normalised = text.trim().to_ascii_lowercase().replace('_', "-");
    match normalised.as_str() {
        "individual" => Ok(TeamScoring::Individual),
        "team-chip" | "chip" => Ok(TeamScoring::TeamChip),
        "sum-all" | "sum" => Ok(TeamScoring::SumAll),
        other => {
            let count = other
                .strip_prefix("best:")
                .or_else(|| other.strip_prefix("best-"))
                .ok_or_else(|| {
                    option_error(
                        "team-scoring",
                        format!("'{text}' is not individual, team-chip, sum-all or best:<n>"),
                    )
                })?;
            let n: u32 = count.trim().parse().map_err(|_| {
                option_error("team-scoring", format!("'{count}' is not a member count"))
            })?;
            if n == 0 {
                return Err(option_error(
                    "team-scoring",
                    "best:<n> needs at least one member",
                ));
            }
            Ok(TeamScoring::BestN { n })
        }
    }
}

/// Splits `Swim Exit=00:18:37.911` into the point name and the time text.
pub fn split_assignment(text: &str) -> CliResult<(String, String)> {
    let (name, time) = text.rsplit_once('=').ok_or_else(|| {
        option_error(
            "split",
            format!("'{text}' is not of the form 'Point Name=HH:MM:SS.mmm'"),
        )
    })?;
    let name = name.trim();
    if name.is_empty() {
        return Err(option_error(
            "split",
            format!("'{text}' names no timing point"),
        ));
    }
    Ok((name.to_string(), time.trim().to_string()))
}

pub fn score_type(argument: ScoreTypeArg) -> ScoreType {
    match argument {
        ScoreTypeArg::Time => ScoreType::Time,
        ScoreTypeArg::TimeCapped => ScoreType::TimeCapped,
        ScoreTypeArg::RoundsReps => ScoreType::RoundsReps,
        ScoreTypeArg::Reps => ScoreType::Reps,
        ScoreTypeArg::Load => ScoreType::Load,
        ScoreTypeArg::Distance => ScoreType::Distance,
        ScoreTypeArg::Points => ScoreType::Points,
    }
}

pub fn load_unit(argument: LoadUnitArg) -> LoadUnit {
    match argument {
        LoadUnitArg::Kg => LoadUnit::Kg,
        LoadUnitArg::Lb => LoadUnit::Lb,
    }
}

pub fn tie_break(argument: TieBreakArg) -> TieBreak {
    match argument {
        TieBreakArg::None => TieBreak::None,
        TieBreakArg::Time => TieBreak::TieBreakTime,
    }
}

pub fn gender(argument: GenderArg) -> Gender {
    match argument {
        GenderArg::Female => Gender::Female,
        GenderArg::Male => Gender::Male,
        GenderArg::Mixed => Gender::Mixed,
        GenderArg::Other => Gender::Other,
    }
}

pub fn division_kind(argument: DivisionKindArg) -> DivisionKind {
    match argument {
        DivisionKindArg::Gender => DivisionKind::Gender,
        DivisionKindArg::AgeGroup => DivisionKind::AgeGroup,
        DivisionKindArg::Custom => DivisionKind::Custom,
    }
}

pub fn publication_state(argument: PublicationStateArg) -> PublicationState {
    match argument {
        PublicationStateArg::Official => PublicationState::Official,
        PublicationStateArg::Provisional => PublicationState::Provisional,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounding_modes_parse() {
        assert_eq!(parse_rounding("exact").unwrap(), Rounding::Exact);
        assert_eq!(
            parse_rounding("up:1000").unwrap(),
            Rounding::Up { unit_ms: 1000 }
        );
        assert_eq!(
            parse_rounding("Truncate:100").unwrap(),
            Rounding::Truncate { unit_ms: 100 }
        );
        assert!(parse_rounding("up:0").is_err());
        assert!(parse_rounding("sideways:10").is_err());
        assert!(parse_rounding("up").is_err());
    }

    #[test]
    fn team_scoring_parses() {
        assert_eq!(
            parse_team_scoring("best:2").unwrap(),
            TeamScoring::BestN { n: 2 }
        );
        assert_eq!(parse_team_scoring("sum_all").unwrap(), TeamScoring::SumAll);
        assert!(parse_team_scoring("best:0").is_err());
        assert!(parse_team_scoring("most").is_err());
    }

    #[test]
    fn split_assignments_keep_spaces_in_names() {
        assert_eq!(
            split_assignment("Swim Exit=00:18:37.911").unwrap(),
            ("Swim Exit".to_string(), "00:18:37.911".to_string())
        );
        assert!(split_assignment("no time").is_err());
        assert!(split_assignment("=1:00").is_err());
    }
}
