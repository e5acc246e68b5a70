//! Which rule-based divisions a competitor falls in: gender divisions by
//! gender, age groups by gender (when the group names one) and by age in
//! whole years on the competition's first day. Custom divisions are chosen
//! by people, never by a rule.

use chrono::{Datelike, NaiveDate};

use crate::model::{Division, DivisionKind, Gender, Id};

/// Age in whole years on `on` (`None` for someone born after it).
pub fn age_on(date_of_birth: NaiveDate, on: NaiveDate) -> Option<u32> {
    let mut years = on.year() - date_of_birth.year();
    if (on.month(), on.day()) < (date_of_birth.month(), date_of_birth.day()) {
        years -= 1;
    }
    u32::try_from(years).ok()
}

/// The ids of the rule-based divisions (of `divisions`) a competitor of
/// this gender and date of birth (`YYYY-MM-DD`; unreadable counts as
/// unknown) falls in, for a competition starting on `competition_start`.
pub fn automatic_divisions(
    divisions: &[Division],
    gender: Option<Gender>,
    date_of_birth: Option<&str>,
    competition_start: Option<NaiveDate>,
) -> Vec<Id> {
    let age = match (date_of_birth, competition_start) {
        (Some(text), Some(start)) => NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .ok()
            .and_then(|born| age_on(born, start)),
        _ => None,
    };
    divisions
        .iter()
        .filter(|division| match division.kind {
            DivisionKind::Custom => false,
            DivisionKind::Gender => gender.is_some() && division.gender == gender,
            DivisionKind::AgeGroup => {
                let gender_matches = division.gender.is_none() || division.gender == gender;
                let age_matches = age.is_some_and(|age| {
                    division.min_age.is_none_or(|min| age >= min)
                        && division.max_age.is_none_or(|max| age <= max)
                });
                gender_matches && age_matches
            }
        })
        .map(|division| division.id)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn division(
        id: Id,
        kind: DivisionKind,
        gender: Option<Gender>,
        min: Option<u32>,
        max: Option<u32>,
    ) -> Division {
        Division {
            id,
            name: format!("division {id}"),
            kind,
            gender,
            min_age: min,
            max_age: max,
        }
    }

    #[test]
    fn age_counts_whole_years_on_the_first_day() {
        let start = NaiveDate::from_ymd_opt(2026, 6, 1).unwrap();
        assert_eq!(
            age_on(NaiveDate::from_ymd_opt(1986, 6, 1).unwrap(), start),
            Some(40)
        );
        assert_eq!(
            age_on(NaiveDate::from_ymd_opt(1986, 6, 2).unwrap(), start),
            Some(39)
        );
        assert_eq!(
            age_on(NaiveDate::from_ymd_opt(2027, 1, 1).unwrap(), start),
            None
        );
    }

    #[test]
    fn automatic_divisions_follow_gender_and_age() {
        let divisions = [
            division(1, DivisionKind::Gender, Some(Gender::Female), None, None),
            division(2, DivisionKind::Gender, Some(Gender::Male), None, None),
            division(
                3,
                DivisionKind::AgeGroup,
                Some(Gender::Female),
                Some(35),
                Some(39),
            ),
            division(4, DivisionKind::AgeGroup, None, Some(40), None),
            division(5, DivisionKind::Custom, None, None, None),
        ];
        let start = NaiveDate::from_ymd_opt(2026, 6, 1);
        assert_eq!(
            automatic_divisions(&divisions, Some(Gender::Female), Some("1990-01-01"), start),
            vec![1, 3]
        );
        assert_eq!(
            automatic_divisions(&divisions, Some(Gender::Male), Some("1980-01-01"), start),
            vec![2, 4]
        );
        assert_eq!(
            automatic_divisions(&divisions, None, None, start),
            Vec::<Id>::new()
        );
        // An unreadable date of birth is an unknown age: no age group.
        assert_eq!(
            automatic_divisions(&divisions, Some(Gender::Female), Some("01/01/1990"), start),
            vec![1]
        );
        // Without the competition's first day no age is known either.
        assert_eq!(
            automatic_divisions(&divisions, None, Some("1980-01-01"), None),
            Vec::<Id>::new()
        );
    }
}
