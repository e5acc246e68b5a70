//! Parsing and formatting of scores and statuses.
//!
//! A score is typed by its workout's [`ScoreType`] and stored in an integer
//! canonical unit (milliseconds, reps, grams, millimetres, thousandths of a
//! point). Accepted text per score type:
//!
//! | Score type    | Accepted text                                           | Shown as     |
//! |---------------|---------------------------------------------------------|--------------|
//! | `Time`        | any [`parse_time`](crate::time::parse_time) form, e.g. `12:03.4` | `12:03.4`    |
//! | `TimeCapped`  | a time at or under the cap, or `CAP+41`, `cap 41`       | `CAP+41`     |
//! | `RoundsReps`  | `5+12`; plain reps (`162`) when reps per round is known | `5+12`       |
//! | `Reps`        | `150`, `150 reps`                                       | `150`        |
//! | `Load`        | `102.5` (workout unit), `102.5kg`, `225 lb`             | `102.5 kg`   |
//! | `Distance`    | `1234.5` or `1234.5m` (metres), `5k`, `5 km`            | `1234.5 m`   |
//! | `Points`      | `87.5`, `-2` (up to three decimals)                     | `87.5`       |
//!
//! Loads are stored in grams. Pounds convert at exactly 1 lb = 453.59237 g,
//! rounded to the nearest gram (half up); a load in pounds is shown with the
//! fewest decimals (0 to 3) that read back to the same gram.
//!
//! Any score field may instead hold a status alone, case-insensitive:
//! `DNS`, `DNF`, `DQ`/`DSQ` (both mean disqualified), `DNQ`, `LAP`, `NC`, `WD`.
//! Statuses rank after every valid result, in the order of
//! [`Status::rank_order`]: LAP, NC, DNF, DNQ, WD, DSQ, DNS.

use std::fmt;
use std::str::FromStr;

use crate::model::{LoadUnit, Millis, Rounding, Score, ScoreType, Status, Workout};
use crate::time::{
    exact_decimals, format_time, parse_time_with_expectation, round_time, TimeStyle,
};

/// A value that could not be read. Callers add the file, row and field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("expected {expected}, got \"{got}\"")]
pub struct ValueError {
    /// What the text should have looked like.
    pub expected: String,
    /// The text as given.
    pub got: String,
}

impl ValueError {
    pub fn new(expected: impl Into<String>, got: impl Into<String>) -> ValueError {
        ValueError {
            expected: expected.into(),
            got: got.into(),
        }
    }
}

/// The list of status codes used in messages.
pub const STATUS_CODES: &str = "DNS, DNF, DQ, DSQ, DNQ, LAP, NC, WD";

impl Status {
    /// Every status in rank order: the first ranks right after the last valid
    /// result, the last ranks at the very bottom.
    pub const ALL: [Status; 7] = [
        Status::Lap,
        Status::Nc,
        Status::Dnf,
        Status::Dnq,
        Status::Wd,
        Status::Dsq,
        Status::Dns,
    ];

    /// Position among statuses, 0 for LAP (listed first) to 6 for DNS (last).
    /// This is the order of the enum, so `Ord` agrees with it.
    pub fn rank_order(self) -> u8 {
        self as u8
    }

    /// The canonical code: `LAP`, `NC`, `DNF`, `DNQ`, `WD`, `DSQ`, `DNS`.
    pub fn code(self) -> &'static str {
        match self {
            Status::Lap => "LAP",
            Status::Nc => "NC",
            Status::Dnf => "DNF",
            Status::Dnq => "DNQ",
            Status::Wd => "WD",
            Status::Dsq => "DSQ",
            Status::Dns => "DNS",
        }
    }

    /// Reads a status code, case-insensitive, surrounding spaces ignored.
    /// `DQ` and `DSQ` both read as [`Status::Dsq`].
    pub fn parse(text: &str) -> Result<Status, ValueError> {
        let upper = text.trim().to_ascii_uppercase();
        let status = match upper.as_str() {
            "LAP" => Status::Lap,
            "NC" => Status::Nc,
            "DNF" => Status::Dnf,
            "DNQ" => Status::Dnq,
            "WD" => Status::Wd,
            "DQ" | "DSQ" => Status::Dsq,
            "DNS" => Status::Dns,
            _ => return Err(ValueError::new(format!("a status ({STATUS_CODES})"), text)),
        };
        Ok(status)
    }
}

impl fmt::Display for Status {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.code())
    }
}

impl FromStr for Status {
    type Err = ValueError;

    fn from_str(text: &str) -> Result<Status, ValueError> {
        Status::parse(text)
    }
}

/// The outcome of reading one score field: a score, or a status alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParsedScore {
    pub score: Option<Score>,
    pub status: Option<Status>,
}

/// Grams in one pound, times 10^5 (1 lb = 453.59237 g exactly).
const GRAMS_PER_POUND_E5: i128 = 45_359_237;

/// Describes what a score of this workout looks like, for error messages.
pub fn score_expectation(workout: &Workout) -> String {
    let example = match workout.score_type {
        ScoreType::Time => "a time like 12:03.4".to_string(),
        ScoreType::TimeCapped => match workout.time_cap_ms {
            Some(cap) => format!(
                "a time at or under the {} cap like 12:03.4, or CAP+reps like CAP+41",
                format_time(
                    cap,
                    TimeStyle::Compact {
                        decimals: exact_decimals(cap, 0)
                    }
                )
            ),
            None => "a time like 12:03.4 or CAP+reps like CAP+41".to_string(),
        },
        ScoreType::RoundsReps => match workout.reps_per_round {
            Some(_) => "rounds+reps like 5+12, or total reps like 162".to_string(),
            None => "rounds+reps like 5+12".to_string(),
        },
        ScoreType::Reps => "a whole number of reps like 150".to_string(),
        ScoreType::Load => match workout.load_unit {
            LoadUnit::Kg => "a load like 102.5, 102.5kg or 225lb".to_string(),
            LoadUnit::Lb => "a load like 225, 225lb or 102.5kg".to_string(),
        },
        ScoreType::Distance => "a distance like 1234.5, 1234.5m or 5k".to_string(),
        ScoreType::Points => "points like 87.5".to_string(),
    };
    format!("{example} or a status ({STATUS_CODES})")
}

/// Reads one score field for `workout`. See the module docs for the forms.
pub fn parse_score(workout: &Workout, text: &str) -> Result<ParsedScore, ValueError> {
    let trimmed = text.trim();
    let error = || ValueError::new(score_expectation(workout), text);
    if trimmed.is_empty() {
        return Err(error());
    }
    if let Ok(status) = Status::parse(trimmed) {
        return Ok(ParsedScore {
            score: None,
            status: Some(status),
        });
    }
    let score = match workout.score_type {
        ScoreType::Time => Score::Time {
            ms: parse_time_with_expectation(trimmed, &score_expectation(workout))?,
        },
        ScoreType::TimeCapped => parse_time_capped(workout, trimmed).ok_or_else(error)??,
        ScoreType::RoundsReps => parse_rounds_reps(workout, trimmed).ok_or_else(error)??,
        ScoreType::Reps => {
            let number = strip_suffix_ignore_case(trimmed, &["reps", "rep"]).trim_end();
            Score::Reps {
                reps: parse_whole(number).ok_or_else(error)?,
            }
        }
        ScoreType::Load => Score::Load {
            grams: parse_load(workout.load_unit, trimmed).ok_or_else(error)?,
        },
        ScoreType::Distance => Score::Distance {
            mm: parse_distance(trimmed).ok_or_else(error)?,
        },
        ScoreType::Points => {
            let (negative, digits) = match trimmed.strip_prefix('-') {
                Some(rest) => (true, rest),
                None => (false, trimmed),
            };
            let milli = parse_decimal(digits, 3).ok_or_else(error)?;
            Score::Points {
                milli: if negative { -milli } else { milli },
            }
        }
    };
    Ok(ParsedScore {
        score: Some(score),
        status: None,
    })
}

/// `None` means the text has no recognisable shape; `Some(Err)` a specific problem.
fn parse_time_capped(workout: &Workout, text: &str) -> Option<Result<Score, ValueError>> {
    let upper = text.to_ascii_uppercase();
    if let Some(rest) = upper.strip_prefix("CAP") {
        let rest = rest.trim_start();
        let rest = rest.strip_prefix('+').unwrap_or(rest).trim_start();
        let reps = parse_whole(rest)?;
        return Some(Ok(Score::Capped { reps }));
    }
    let ms = parse_time_with_expectation(text, "").ok()?;
    if let Some(cap) = workout.time_cap_ms {
        if ms > cap {
            let cap_text = format_time(
                cap,
                TimeStyle::Compact {
                    decimals: exact_decimals(cap, 0),
                },
            );
            return Some(Err(ValueError::new(
                format!("a time at or under the {cap_text} cap, or CAP+reps like CAP+41"),
                text,
            )));
        }
    }
    Some(Ok(Score::Time { ms }))
}

fn parse_rounds_reps(workout: &Workout, text: &str) -> Option<Result<Score, ValueError>> {
    let (rounds, reps) = match text.split_once('+') {
        Some((rounds, reps)) => (parse_whole(rounds.trim())?, parse_whole(reps.trim())?),
        None => {
            let total = parse_whole(text)?;
            let per_round = workout.reps_per_round.filter(|per_round| *per_round > 0)?;
            (total / per_round, total % per_round)
        }
    };
    if let Some(per_round) = workout.reps_per_round.filter(|per_round| *per_round > 0) {
        if reps >= per_round {
            return Some(Err(ValueError::new(
                format!("rounds+reps with fewer than {per_round} extra reps (one round is {per_round} reps)"),
                text,
            )));
        }
    }
    Some(Ok(Score::RoundsReps { rounds, reps }))
}

fn parse_load(default_unit: LoadUnit, text: &str) -> Option<i64> {
    let lower = text.to_ascii_lowercase();
    let (number, unit) = if let Some(number) = strip_any_suffix(&lower, &["kgs", "kg"]) {
        (number, LoadUnit::Kg)
    } else if let Some(number) = strip_any_suffix(&lower, &["lbs", "lb"]) {
        (number, LoadUnit::Lb)
    } else {
        (lower.as_str(), default_unit)
    };
    let thousandths = parse_decimal(number.trim_end(), 3)?;
    Some(match unit {
        LoadUnit::Kg => thousandths,
        LoadUnit::Lb => milli_pounds_to_grams(thousandths),
    })
}

/// Converts thousandths of a pound to grams, rounding half up.
fn milli_pounds_to_grams(milli_pounds: i64) -> i64 {
    // grams = milli_pounds / 1000 * 453.59237 = milli_pounds * 45359237 / 10^8.
    let numerator = milli_pounds as i128 * GRAMS_PER_POUND_E5;
    let denominator: i128 = 100_000_000;
    ((numerator * 2 + denominator).div_euclid(2 * denominator)) as i64
}

fn parse_distance(text: &str) -> Option<i64> {
    let lower = text.to_ascii_lowercase();
    if let Some(number) = strip_any_suffix(&lower, &["km", "k"]) {
        let micro_km = parse_decimal(number.trim_end(), 6)?;
        return Some(micro_km);
    }
    let number = strip_any_suffix(&lower, &["m"]).unwrap_or(&lower);
    parse_decimal(number.trim_end(), 3)
}

fn strip_any_suffix<'text>(text: &'text str, suffixes: &[&str]) -> Option<&'text str> {
    suffixes.iter().find_map(|suffix| text.strip_suffix(suffix))
}

fn strip_suffix_ignore_case<'text>(text: &'text str, suffixes: &[&str]) -> &'text str {
    for suffix in suffixes {
        if text.len() >= suffix.len() {
            let split = text.len() - suffix.len();
            if text.is_char_boundary(split) && text[split..].eq_ignore_ascii_case(suffix) {
                return &text[..split];
            }
        }
    }
    text
}

/// Reads a non-negative whole number of at most 15 digits.
pub(crate) fn parse_whole(text: &str) -> Option<i64> {
    if text.is_empty() || text.len() > 15 || !text.bytes().all(|byte| byte.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// Reads a non-negative decimal with at most `decimals` fraction digits,
/// returning it scaled by 10^decimals. No floats are involved.
pub(crate) fn parse_decimal(text: &str, decimals: u32) -> Option<i64> {
    let (whole, fraction) = match text.split_once('.') {
        Some((whole, fraction)) => (whole, fraction),
        None => (text, ""),
    };
    if text.ends_with('.') || fraction.len() > decimals as usize {
        return None;
    }
    if !fraction.bytes().all(|byte| byte.is_ascii_digit()) {
        return None;
    }
    let whole_value = if whole.is_empty() && !fraction.is_empty() {
        0
    } else {
        parse_whole(whole)?
    };
    let scale = 10_i64.pow(decimals);
    let fraction_value = if fraction.is_empty() {
        0
    } else {
        fraction.parse::<i64>().ok()? * 10_i64.pow(decimals - fraction.len() as u32)
    };
    whole_value.checked_mul(scale)?.checked_add(fraction_value)
}

/// Writes `value / 10^decimals` with trailing fraction zeros removed.
pub(crate) fn format_decimal(value: i64, decimals: u32) -> String {
    let scale = 10_i64.pow(decimals);
    let sign = if value < 0 { "-" } else { "" };
    let magnitude = value.unsigned_abs();
    let whole = magnitude / scale as u64;
    let fraction = magnitude % scale as u64;
    if fraction == 0 {
        return format!("{sign}{whole}");
    }
    let fraction_text = format!("{fraction:0width$}", width = decimals as usize);
    format!("{sign}{whole}.{}", fraction_text.trim_end_matches('0'))
}

/// Writes a time as leaderboards show it: `m:ss.d` or `h:mm:ss.d` with the
/// fewest decimals that show it exactly, at least one unless the workout
/// ranks on whole seconds.
pub fn format_workout_time(rounding: Rounding, ms: Millis) -> String {
    let whole_seconds = crate::time::rounding_unit(rounding).is_some_and(|unit| unit % 1000 == 0);
    let minimum = if whole_seconds { 0 } else { 1 };
    format_time(
        ms,
        TimeStyle::Compact {
            decimals: exact_decimals(ms, minimum),
        },
    )
}

/// Writes a score in its clean leaderboard form (see the module docs). The
/// result always reads back to the same score with [`parse_score`].
pub fn format_score(workout: &Workout, score: &Score) -> String {
    match *score {
        Score::Time { ms } => format_workout_time(workout.rounding, ms),
        Score::Capped { reps } => format!("CAP+{reps}"),
        Score::RoundsReps { rounds, reps } => format!("{rounds}+{reps}"),
        Score::Reps { reps } => reps.to_string(),
        Score::Load { grams } => match workout.load_unit {
            LoadUnit::Kg => format!("{} kg", format_decimal(grams, 3)),
            LoadUnit::Lb => format!("{} lb", format_grams_as_pounds(grams)),
        },
        Score::Distance { mm } => format!("{} m", format_decimal(mm, 3)),
        Score::Points { milli } => format_decimal(milli, 3),
    }
}

/// The fewest-decimals pound figure that converts back to exactly `grams`.
fn format_grams_as_pounds(grams: i64) -> String {
    // Nearest thousandth of a pound: grams * 10^8 / 45359237, rounded half up.
    let numerator = grams as i128 * 100_000_000;
    let milli_pounds =
        ((numerator * 2 + GRAMS_PER_POUND_E5).div_euclid(2 * GRAMS_PER_POUND_E5)) as i64;
    for decimals in 0..3_u32 {
        let unit = 10_i64.pow(3 - decimals);
        let candidate = (milli_pounds * 2 + unit).div_euclid(2 * unit) * unit;
        if milli_pounds_to_grams(candidate) == grams {
            return format_decimal(candidate, 3);
        }
    }
    format_decimal(milli_pounds, 3)
}

/// A value as stored and typed, in its clean form: the status code, or the
/// score itself (no penalty added, full precision); empty for neither. The
/// store keeps it as the value's text.
pub fn value_text(
    workout: &Workout,
    score: Option<Score>,
    status: Option<crate::model::Status>,
) -> String {
    match (status, score) {
        (Some(status), _) => status.code().to_string(),
        (None, Some(score)) => format_score(workout, &score),
        (None, None) => String::new(),
    }
}

/// A result as its leaderboard row shows it: the status code, or the
/// effective score (penalty added, reduced to the workout's ranking
/// precision) in its clean form; empty for neither. Receipts and the
/// amendment preview use it so they show the same digits as the board.
pub fn board_display(
    workout: &Workout,
    score: Option<Score>,
    status: Option<crate::model::Status>,
    penalty_ms: Millis,
) -> String {
    match (status, score) {
        (Some(status), _) => status.code().to_string(),
        (None, Some(score)) => format_score(workout, &effective_score(workout, score, penalty_ms)),
        (None, None) => String::new(),
    }
}

/// The score as it is ranked and shown: a time gets its penalty added and
/// is reduced to the workout's ranking precision, and plain reps in a
/// rounds+reps workout with known reps per round become rounds+reps. Other
/// scores are returned unchanged.
pub fn effective_score(workout: &Workout, score: Score, penalty_ms: Millis) -> Score {
    match score {
        Score::Time { ms } => Score::Time {
            ms: round_time(ms.saturating_add(penalty_ms), workout.rounding),
        },
        Score::Reps { reps } if workout.score_type == ScoreType::RoundsReps => {
            match workout.reps_per_round.filter(|per_round| *per_round > 0) {
                Some(per_round) => Score::RoundsReps {
                    rounds: reps / per_round,
                    reps: reps % per_round,
                },
                None => score,
            }
        }
        other => other,
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::model::{PublicationState, TeamScoring, TieBreak};
    use proptest::prelude::*;

    pub(crate) fn workout(score_type: ScoreType) -> Workout {
        Workout {
            id: 1,
            name: "Test workout".to_string(),
            sequence: 1,
            score_type,
            time_cap_ms: None,
            reps_per_round: None,
            load_unit: LoadUnit::Kg,
            tie_break: TieBreak::None,
            rounding: Rounding::Exact,
            team_scoring: TeamScoring::Individual,
            timing_points: Vec::new(),
            heats: Vec::new(),
            state: PublicationState::Provisional,
        }
    }

    #[test]
    fn value_text_is_the_status_or_the_score_as_typed() {
        let mut race = workout(ScoreType::Time);
        race.rounding = Rounding::Up { unit_ms: 1000 };
        let score = Some(Score::Time { ms: 61_200 });
        // The stored text keeps full precision and no penalty; the board rounds.
        assert_eq!(value_text(&race, score, None), "1:01.2");
        assert_eq!(board_display(&race, score, None, 0), "1:02");
        assert_eq!(value_text(&race, score, Some(Status::Dnf)), "DNF");
        assert_eq!(value_text(&race, None, None), "");
    }

    fn score_of(workout: &Workout, text: &str) -> Score {
        parse_score(workout, text).unwrap().score.unwrap()
    }

    #[test]
    fn statuses_parse_case_insensitively_and_alone() {
        let time = workout(ScoreType::Time);
        for (text, status) in [
            ("dns", Status::Dns),
            ("DNF", Status::Dnf),
            ("dq", Status::Dsq),
            ("DSQ", Status::Dsq),
            (" Dnq ", Status::Dnq),
            ("lap", Status::Lap),
            ("NC", Status::Nc),
            ("wd", Status::Wd),
        ] {
            assert_eq!(
                parse_score(&time, text),
                Ok(ParsedScore {
                    score: None,
                    status: Some(status)
                })
            );
            assert_eq!(text.parse::<Status>(), Ok(status));
        }
        assert_eq!(Status::Dsq.to_string(), "DSQ");
        assert!(Status::parse("DNF 12:00").is_err());
        assert_eq!(
            Status::ALL
                .iter()
                .map(|status| status.code())
                .collect::<Vec<_>>(),
            ["LAP", "NC", "DNF", "DNQ", "WD", "DSQ", "DNS"]
        );
        let mut sorted = Status::ALL;
        sorted.sort();
        assert_eq!(sorted, Status::ALL);
    }

    #[test]
    fn time_capped_scores() {
        let mut capped = workout(ScoreType::TimeCapped);
        capped.time_cap_ms = Some(12 * 60_000);
        assert_eq!(score_of(&capped, "11:03.4"), Score::Time { ms: 663_400 });
        assert_eq!(score_of(&capped, "12:00"), Score::Time { ms: 720_000 });
        assert_eq!(score_of(&capped, "CAP+41"), Score::Capped { reps: 41 });
        assert_eq!(score_of(&capped, "cap 41"), Score::Capped { reps: 41 });
        assert_eq!(score_of(&capped, "Cap + 7"), Score::Capped { reps: 7 });
        let over = parse_score(&capped, "12:00.1").unwrap_err();
        assert!(over.to_string().contains("under the 12:00 cap"), "{over}");
        assert!(parse_score(&capped, "CAP+").is_err());
        assert!(parse_score(&capped, "CAP-3").is_err());
    }

    #[test]
    fn rounds_reps_scores() {
        let mut amrap = workout(ScoreType::RoundsReps);
        assert_eq!(
            score_of(&amrap, "5+12"),
            Score::RoundsReps {
                rounds: 5,
                reps: 12
            }
        );
        assert!(
            parse_score(&amrap, "162").is_err(),
            "plain reps need reps per round"
        );
        amrap.reps_per_round = Some(30);
        assert_eq!(
            score_of(&amrap, "162"),
            Score::RoundsReps {
                rounds: 5,
                reps: 12
            }
        );
        assert!(parse_score(&amrap, "5+30").is_err());
        assert!(parse_score(&amrap, "5+").is_err());
    }

    #[test]
    fn reps_load_distance_points() {
        let reps = workout(ScoreType::Reps);
        assert_eq!(score_of(&reps, "150"), Score::Reps { reps: 150 });
        assert_eq!(score_of(&reps, "150 reps"), Score::Reps { reps: 150 });
        assert!(parse_score(&reps, "150.5").is_err());
        assert!(parse_score(&reps, "-3").is_err());

        let mut load = workout(ScoreType::Load);
        assert_eq!(score_of(&load, "102.5"), Score::Load { grams: 102_500 });
        assert_eq!(score_of(&load, "102.5kg"), Score::Load { grams: 102_500 });
        assert_eq!(score_of(&load, "225 lb"), Score::Load { grams: 102_058 });
        assert_eq!(score_of(&load, "225LBS"), Score::Load { grams: 102_058 });
        load.load_unit = LoadUnit::Lb;
        assert_eq!(score_of(&load, "1"), Score::Load { grams: 454 });
        assert_eq!(
            format_score(&load, &Score::Load { grams: 102_058 }),
            "225 lb"
        );
        assert!(parse_score(&load, "102.5555").is_err());

        let distance = workout(ScoreType::Distance);
        assert_eq!(
            score_of(&distance, "1234.5m"),
            Score::Distance { mm: 1_234_500 }
        );
        assert_eq!(
            score_of(&distance, "1234.5"),
            Score::Distance { mm: 1_234_500 }
        );
        assert_eq!(score_of(&distance, "5k"), Score::Distance { mm: 5_000_000 });
        assert_eq!(
            score_of(&distance, "5.25 km"),
            Score::Distance { mm: 5_250_000 }
        );

        let points = workout(ScoreType::Points);
        assert_eq!(score_of(&points, "87.5"), Score::Points { milli: 87_500 });
        assert_eq!(score_of(&points, "-2"), Score::Points { milli: -2_000 });
    }

    #[test]
    fn formats_clean_leaderboard_forms() {
        let time = workout(ScoreType::Time);
        assert_eq!(format_score(&time, &Score::Time { ms: 723_400 }), "12:03.4");
        assert_eq!(format_score(&time, &Score::Time { ms: 725_000 }), "12:05.0");
        assert_eq!(
            format_score(&time, &Score::Time { ms: 725_012 }),
            "12:05.012"
        );
        let mut triathlon = workout(ScoreType::Time);
        triathlon.rounding = Rounding::Up { unit_ms: 1000 };
        assert_eq!(
            format_score(&triathlon, &Score::Time { ms: 6_555_000 }),
            "1:49:15"
        );
        assert_eq!(format_score(&time, &Score::Capped { reps: 41 }), "CAP+41");
        assert_eq!(
            format_score(
                &time,
                &Score::RoundsReps {
                    rounds: 5,
                    reps: 12
                }
            ),
            "5+12"
        );
        assert_eq!(format_score(&time, &Score::Reps { reps: 150 }), "150");
        assert_eq!(
            format_score(&time, &Score::Load { grams: 102_500 }),
            "102.5 kg"
        );
        assert_eq!(
            format_score(&time, &Score::Distance { mm: 1_234_500 }),
            "1234.5 m"
        );
        assert_eq!(
            format_score(&time, &Score::Points { milli: 87_500 }),
            "87.5"
        );
    }

    #[test]
    fn board_display_shows_the_rankings_precision() {
        let mut row = workout(ScoreType::Time);
        row.rounding = Rounding::Truncate { unit_ms: 100 };
        // Typed with hundredths; the board ranks and shows tenths.
        assert_eq!(
            board_display(&row, Some(Score::Time { ms: 330_070 }), None, 0),
            "5:30.0"
        );
        assert_eq!(format_score(&row, &Score::Time { ms: 330_070 }), "5:30.07");
        assert_eq!(
            board_display(&row, Some(Score::Time { ms: 330_070 }), None, 10_000),
            "5:40.0"
        );
        assert_eq!(
            board_display(
                &row,
                Some(Score::Time { ms: 1 }),
                Some(crate::model::Status::Dnf),
                0
            ),
            "DNF"
        );
    }

    #[test]
    fn effective_scores() {
        let mut race = workout(ScoreType::Time);
        race.rounding = Rounding::Up { unit_ms: 1000 };
        assert_eq!(
            effective_score(&race, Score::Time { ms: 554_001 }, 15_000),
            Score::Time { ms: 570_000 }
        );
        let mut amrap = workout(ScoreType::RoundsReps);
        amrap.reps_per_round = Some(30);
        assert_eq!(
            effective_score(&amrap, Score::Reps { reps: 162 }, 0),
            Score::RoundsReps {
                rounds: 5,
                reps: 12
            }
        );
        amrap.reps_per_round = None;
        assert_eq!(
            effective_score(&amrap, Score::Reps { reps: 162 }, 0),
            Score::Reps { reps: 162 }
        );
    }

    #[test]
    fn errors_name_the_expected_form() {
        let time = workout(ScoreType::Time);
        assert_eq!(
            parse_score(&time, "12;03").unwrap_err().to_string(),
            "expected a time like 12:03.4 or a status (DNS, DNF, DQ, DSQ, DNQ, LAP, NC, WD), got \"12;03\""
        );
        assert!(parse_score(&time, "").is_err());
    }

    proptest! {
        #[test]
        fn time_scores_round_trip(ms in 0_i64..1000 * 3_600_000) {
            let time = workout(ScoreType::Time);
            let score = Score::Time { ms };
            prop_assert_eq!(score_of(&time, &format_score(&time, &score)), score);
        }

        #[test]
        fn time_capped_scores_round_trip(ms in 0_i64..1_200_000, reps in 0_i64..100_000, capped: bool) {
            let mut capped_workout = workout(ScoreType::TimeCapped);
            capped_workout.time_cap_ms = Some(1_200_000);
            let score = if capped { Score::Capped { reps } } else { Score::Time { ms } };
            prop_assert_eq!(score_of(&capped_workout, &format_score(&capped_workout, &score)), score);
        }

        #[test]
        fn rounds_reps_round_trip(rounds in 0_i64..10_000, reps in 0_i64..30, per_round: Option<bool>) {
            let mut amrap = workout(ScoreType::RoundsReps);
            amrap.reps_per_round = per_round.map(|_| 30);
            let score = Score::RoundsReps { rounds, reps };
            prop_assert_eq!(score_of(&amrap, &format_score(&amrap, &score)), score);
        }

        #[test]
        fn reps_round_trip(reps in 0_i64..1_000_000_000) {
            let reps_workout = workout(ScoreType::Reps);
            let score = Score::Reps { reps };
            prop_assert_eq!(score_of(&reps_workout, &format_score(&reps_workout, &score)), score);
        }

        #[test]
        fn loads_round_trip_in_both_units(grams in 0_i64..10_000_000, pounds: bool) {
            let mut load = workout(ScoreType::Load);
            load.load_unit = if pounds { LoadUnit::Lb } else { LoadUnit::Kg };
            let score = Score::Load { grams };
            prop_assert_eq!(score_of(&load, &format_score(&load, &score)), score);
        }

        #[test]
        fn distances_round_trip(mm in 0_i64..1_000_000_000_000) {
            let distance = workout(ScoreType::Distance);
            let score = Score::Distance { mm };
            prop_assert_eq!(score_of(&distance, &format_score(&distance, &score)), score);
        }

        #[test]
        fn points_round_trip(milli in -1_000_000_000_i64..1_000_000_000) {
            let points = workout(ScoreType::Points);
            let score = Score::Points { milli };
            prop_assert_eq!(score_of(&points, &format_score(&points, &score)), score);
        }

        #[test]
        fn whole_second_times_round_trip_with_rounding(seconds in 0_i64..100_000) {
            let mut triathlon = workout(ScoreType::Time);
            triathlon.rounding = Rounding::Up { unit_ms: 1000 };
            let score = Score::Time { ms: seconds * 1000 };
            prop_assert_eq!(score_of(&triathlon, &format_score(&triathlon, &score)), score);
        }
    }
}
