//! Parsing, formatting and rounding of times.
//!
//! Times are always integer milliseconds ([`Millis`]); no float ever touches a
//! time. The accepted text forms are:
//!
//! - `HH:MM:SS.000` (World Triathlon and the timing feed),
//! - `hhh:mm:ss.s` (RunSignup virtual results),
//! - `mm:ss.s` and `m:ss` (leaderboards, RunSignup results),
//! - `ss.ss` and `ss` (short events).
//!
//! The leading field may have any number of digits (up to nine) and any value;
//! every following field must have exactly two digits and be below 60. The
//! fraction after `.` has one to three digits. Negative times, empty text,
//! four or more fraction digits and anything else are rejected with a
//! [`ValueError`] that quotes the text.
//!
//! Formatting never rounds up: digits that are not shown are cut off. To show
//! a time at the event's ranking precision, apply [`round_time`] first.

use crate::model::{Millis, Rounding};
pub use crate::score::ValueError;

const MS_PER_SECOND: Millis = 1_000;
const MS_PER_MINUTE: Millis = 60 * MS_PER_SECOND;
const MS_PER_HOUR: Millis = 60 * MS_PER_MINUTE;

/// The description of an accepted time used in error messages.
pub const TIME_EXPECTATION: &str = "a time like 12:03.4, 1:02:03.456 or 45.25";

/// How a time is written out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeStyle {
    /// `HH:MM:SS.mmm`, always two-digit hours (more when needed) and three
    /// decimals, as World Triathlon and the timing feed use.
    Iso,
    /// `m:ss.d` below an hour, `h:mm:ss.d` from an hour on, with `decimals`
    /// fraction digits (0 to 3; larger values are treated as 3). Used on
    /// leaderboards and accepted by RunSignup.
    Compact { decimals: u8 },
    /// `hh:mm:ss.d` with one decimal, as RunSignup virtual results take
    /// (`hhh:mm:ss.s`, e.g. `00:17:00.1`).
    Virtual,
}

/// Parses a time into milliseconds. See the module docs for accepted forms.
pub fn parse_time(text: &str) -> Result<Millis, ValueError> {
    parse_time_with_expectation(text, TIME_EXPECTATION)
}

/// Like [`parse_time`], but the error names `expectation` as what was expected.
pub(crate) fn parse_time_with_expectation(
    text: &str,
    expectation: &str,
) -> Result<Millis, ValueError> {
    let error = || ValueError::new(expectation, text);
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err(error());
    }
    let (clock_part, fraction_part) = match trimmed.split_once('.') {
        Some((clock, fraction)) => (clock, Some(fraction)),
        None => (trimmed, None),
    };
    let fraction_ms = match fraction_part {
        None => 0,
        Some(fraction) => {
            if fraction.is_empty()
                || fraction.len() > 3
                || !fraction.bytes().all(|byte| byte.is_ascii_digit())
            {
                return Err(error());
            }
            let digits: Millis = fraction.parse().map_err(|_| error())?;
            digits * 10_i64.pow(3 - fraction.len() as u32)
        }
    };
    let fields: Vec<&str> = clock_part.split(':').collect();
    if fields.len() > 3 {
        return Err(error());
    }
    let mut total_seconds: Millis = 0;
    for (index, field) in fields.iter().enumerate() {
        let is_leading = index == 0;
        let valid_length = if is_leading {
            (1..=9).contains(&field.len())
        } else {
            field.len() == 2
        };
        if !valid_length || !field.bytes().all(|byte| byte.is_ascii_digit()) {
            return Err(error());
        }
        let value: Millis = field.parse().map_err(|_| error())?;
        if !is_leading && value >= 60 {
            return Err(error());
        }
        total_seconds = total_seconds * 60 + value;
    }
    Ok(total_seconds * MS_PER_SECOND + fraction_ms)
}

/// Writes a time in the given style. Negative values (differences) get a
/// leading `-`.
pub fn format_time(ms: Millis, style: TimeStyle) -> String {
    if ms < 0 {
        return format!("-{}", format_time(ms.saturating_neg(), style));
    }
    let hours = ms / MS_PER_HOUR;
    let minutes = (ms % MS_PER_HOUR) / MS_PER_MINUTE;
    let seconds = (ms % MS_PER_MINUTE) / MS_PER_SECOND;
    let millis = ms % MS_PER_SECOND;
    match style {
        TimeStyle::Iso => format!("{hours:02}:{minutes:02}:{seconds:02}.{millis:03}"),
        TimeStyle::Virtual => {
            format!("{hours:02}:{minutes:02}:{seconds:02}.{}", millis / 100)
        }
        TimeStyle::Compact { decimals } => {
            let fraction = fraction_text(millis, decimals);
            if hours > 0 {
                format!("{hours}:{minutes:02}:{seconds:02}{fraction}")
            } else {
                format!("{minutes}:{seconds:02}{fraction}")
            }
        }
    }
}

/// The shortest number of decimals (at least `minimum`) that shows `ms` exactly.
pub fn exact_decimals(ms: Millis, minimum: u8) -> u8 {
    let millis = ms.rem_euclid(MS_PER_SECOND);
    let needed = if millis == 0 {
        0
    } else if millis % 100 == 0 {
        1
    } else if millis % 10 == 0 {
        2
    } else {
        3
    };
    needed.max(minimum.min(3))
}

fn fraction_text(millis: Millis, decimals: u8) -> String {
    match decimals {
        0 => String::new(),
        1 => format!(".{}", millis / 100),
        2 => format!(".{:02}", millis / 10),
        _ => format!(".{millis:03}"),
    }
}

/// Reduces a time to the precision it is ranked and shown at.
///
/// `Up { unit_ms: 1000 }` is World Triathlon's rule for timers that deliver
/// whole seconds: `00:09:14.000` stays `00:09:14`, while `.001`, `.500` and
/// `.999` all become `00:09:15`. A non-positive unit leaves the time as is.
pub fn round_time(ms: Millis, rounding: Rounding) -> Millis {
    match rounding {
        Rounding::Exact => ms,
        Rounding::Truncate { unit_ms } if unit_ms > 0 => ms.div_euclid(unit_ms) * unit_ms,
        Rounding::Up { unit_ms } if unit_ms > 0 => {
            let floor = ms.div_euclid(unit_ms) * unit_ms;
            if floor == ms {
                ms
            } else {
                floor.saturating_add(unit_ms)
            }
        }
        Rounding::Nearest { unit_ms } if unit_ms > 0 => {
            // Half up: add half a unit (computed on doubled values so odd units work).
            let doubled = ms.saturating_mul(2).saturating_add(unit_ms);
            doubled.div_euclid(2 * unit_ms) * unit_ms
        }
        Rounding::Truncate { .. } | Rounding::Up { .. } | Rounding::Nearest { .. } => ms,
    }
}

/// The unit a rounding reduces to, or `None` for exact ranking.
pub fn rounding_unit(rounding: Rounding) -> Option<Millis> {
    match rounding {
        Rounding::Exact => None,
        Rounding::Truncate { unit_ms }
        | Rounding::Up { unit_ms }
        | Rounding::Nearest { unit_ms } => (unit_ms > 0).then_some(unit_ms),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_every_documented_form() {
        assert_eq!(parse_time("00:09:14.000"), Ok(554_000));
        assert_eq!(parse_time("01:02:03.456"), Ok(3_723_456));
        assert_eq!(parse_time("100:00:00.1"), Ok(360_000_100));
        assert_eq!(parse_time("12:03.4"), Ok(723_400));
        assert_eq!(parse_time("2:05"), Ok(125_000));
        assert_eq!(parse_time("45.25"), Ok(45_250));
        assert_eq!(parse_time("45"), Ok(45_000));
        assert_eq!(parse_time(" 17:00.1 "), Ok(1_020_100));
        assert_eq!(parse_time("0.001"), Ok(1));
        assert_eq!(parse_time("75"), Ok(75_000));
        assert_eq!(parse_time("75:00"), Ok(4_500_000));
    }

    #[test]
    fn rejects_malformed_times() {
        for text in [
            "",
            " ",
            "-1:00",
            "12:60",
            "1:60:00",
            "1:00:60",
            "12:03.4567",
            "12;03",
            "abc",
            "1:2",
            "1:002",
            "12:03.",
            ".5",
            "1:00:00:00",
            "12:03.4a",
            "+5",
            "1 2",
            "12:-3",
        ] {
            assert!(parse_time(text).is_err(), "{text:?} should be rejected");
        }
    }

    #[test]
    fn error_quotes_the_text_and_the_expectation() {
        let error = parse_time("12;03").unwrap_err();
        assert_eq!(
            error.to_string(),
            "expected a time like 12:03.4, 1:02:03.456 or 45.25, got \"12;03\""
        );
    }

    #[test]
    fn formats_each_style() {
        assert_eq!(format_time(554_000, TimeStyle::Iso), "00:09:14.000");
        assert_eq!(format_time(360_000_100, TimeStyle::Iso), "100:00:00.100");
        assert_eq!(
            format_time(723_400, TimeStyle::Compact { decimals: 1 }),
            "12:03.4"
        );
        assert_eq!(
            format_time(3_723_456, TimeStyle::Compact { decimals: 2 }),
            "1:02:03.45"
        );
        assert_eq!(
            format_time(45_250, TimeStyle::Compact { decimals: 0 }),
            "0:45"
        );
        assert_eq!(format_time(1_020_100, TimeStyle::Virtual), "00:17:00.1");
        assert_eq!(
            format_time(-1_500, TimeStyle::Compact { decimals: 1 }),
            "-0:01.5"
        );
    }

    #[test]
    fn rounding_up_matches_the_triathlon_table() {
        let up = Rounding::Up { unit_ms: 1000 };
        let table = [
            ("00:09:14.000", "00:09:14.000"),
            ("00:09:14.001", "00:09:15.000"),
            ("00:09:14.500", "00:09:15.000"),
            ("00:09:14.999", "00:09:15.000"),
            ("00:09:15.000", "00:09:15.000"),
        ];
        for (raw, expected) in table {
            let rounded = round_time(parse_time(raw).unwrap(), up);
            assert_eq!(format_time(rounded, TimeStyle::Iso), expected, "{raw}");
        }
    }

    #[test]
    fn other_roundings() {
        assert_eq!(
            round_time(1_999, Rounding::Truncate { unit_ms: 1000 }),
            1_000
        );
        assert_eq!(
            round_time(1_499, Rounding::Nearest { unit_ms: 1000 }),
            1_000
        );
        assert_eq!(
            round_time(1_500, Rounding::Nearest { unit_ms: 1000 }),
            2_000
        );
        assert_eq!(round_time(1_234, Rounding::Up { unit_ms: 100 }), 1_300);
        assert_eq!(round_time(1_234, Rounding::Exact), 1_234);
        assert_eq!(round_time(1_234, Rounding::Up { unit_ms: 0 }), 1_234);
    }

    fn any_rounding() -> impl Strategy<Value = Rounding> {
        let unit = prop_oneof![Just(1_i64), Just(10), Just(100), Just(1000), 1_i64..5_000];
        prop_oneof![
            Just(Rounding::Exact),
            unit.clone().prop_map(|unit_ms| Rounding::Up { unit_ms }),
            unit.clone()
                .prop_map(|unit_ms| Rounding::Truncate { unit_ms }),
            unit.prop_map(|unit_ms| Rounding::Nearest { unit_ms }),
        ]
    }

    const THOUSAND_HOURS: Millis = 1000 * MS_PER_HOUR;

    proptest! {
        #[test]
        fn iso_round_trips(ms in 0..THOUSAND_HOURS) {
            prop_assert_eq!(parse_time(&format_time(ms, TimeStyle::Iso)), Ok(ms));
        }

        #[test]
        fn compact_with_three_decimals_round_trips(ms in 0..THOUSAND_HOURS) {
            let text = format_time(ms, TimeStyle::Compact { decimals: 3 });
            prop_assert_eq!(parse_time(&text), Ok(ms));
        }

        #[test]
        fn compact_with_fewer_decimals_truncates(ms in 0..THOUSAND_HOURS, decimals in 0_u8..3) {
            let text = format_time(ms, TimeStyle::Compact { decimals });
            let unit = 10_i64.pow(3 - decimals as u32);
            prop_assert_eq!(parse_time(&text), Ok(ms - ms % unit));
        }

        #[test]
        fn virtual_round_trips_at_tenths(ms in 0..THOUSAND_HOURS) {
            let text = format_time(ms, TimeStyle::Virtual);
            prop_assert_eq!(parse_time(&text), Ok(ms - ms % 100));
        }

        #[test]
        fn rounding_is_monotonic(a in 0..THOUSAND_HOURS, b in 0..THOUSAND_HOURS, rounding in any_rounding()) {
            let (low, high) = if a <= b { (a, b) } else { (b, a) };
            prop_assert!(round_time(low, rounding) <= round_time(high, rounding));
        }

        #[test]
        fn rounding_is_idempotent(ms in 0..THOUSAND_HOURS, rounding in any_rounding()) {
            let once = round_time(ms, rounding);
            prop_assert_eq!(round_time(once, rounding), once);
        }

        #[test]
        fn rounding_up_stays_within_one_unit(ms in 0..THOUSAND_HOURS, unit_ms in 1_i64..10_000) {
            let up = round_time(ms, Rounding::Up { unit_ms });
            prop_assert!(up >= ms);
            prop_assert!(up - unit_ms < ms);
            prop_assert_eq!(up % unit_ms, 0);
            let down = round_time(ms, Rounding::Truncate { unit_ms });
            prop_assert!(down <= ms && ms - down < unit_ms);
            let nearest = round_time(ms, Rounding::Nearest { unit_ms });
            prop_assert!((nearest - ms).abs() * 2 <= unit_ms);
        }
    }
}
