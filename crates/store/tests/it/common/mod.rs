//! Shared fixtures for the store's integration tests.
#![allow(dead_code)]

use scoretable_core::model::{Competition, Division, DivisionKind, Gender, Rounding, ScoreType};
use scoretable_store::CompetitionFile;

pub fn competition() -> Competition {
    Competition {
        name: "Harbour Throwdown".into(),
        slug: "harbour-throwdown".into(),
        start_date: "2026-06-01".into(),
        end_date: "2026-06-02".into(),
        venue: "Harbour Hall".into(),
        country: "GBR".into(),
        organiser: "Harbour CrossFit".into(),
        time_zone: "Europe/London".into(),
    }
}

pub use scoretable_testkit::fixtures::{draft, timing_point, workout};

pub fn gender_division(name: &str, gender: Gender) -> Division {
    Division {
        id: 0,
        name: name.into(),
        kind: DivisionKind::Gender,
        gender: Some(gender),
        min_age: None,
        max_age: None,
    }
}

/// A file with two gender divisions, six competitors and a time workout.
pub struct Fixture {
    pub directory: tempfile::TempDir,
    pub file: CompetitionFile,
    pub women: i64,
    pub men: i64,
    pub fran: i64,
}

pub fn fixture() -> Fixture {
    let RandomEvent {
        directory,
        mut file,
        women,
        men,
    } = random_event_file("throwdown");
    let drafts = vec![
        draft(2, "1", "Ann", "Lee", Gender::Female),
        draft(3, "2", "Bea", "Kay", Gender::Female),
        draft(4, "3", "Cara", "Moss", Gender::Female),
        draft(5, "10", "Dan", "Roe", Gender::Male),
        draft(6, "11", "Eli", "Fox", Gender::Male),
        draft(7, "12", "Finn", "Gray", Gender::Male),
    ];
    file.import_competitors_from("start-list.csv", &drafts)
        .unwrap();
    let fran = file
        .add_workout(&workout("Fran", 1, ScoreType::Time))
        .unwrap();
    Fixture {
        directory,
        file,
        women,
        men,
        fran,
    }
}

/// A fresh file with Women and Men divisions (for a random event).
pub struct RandomEvent {
    pub directory: tempfile::TempDir,
    pub file: CompetitionFile,
    pub women: i64,
    pub men: i64,
}

/// A fresh file `<name>.scoretable` for a random event.
pub fn random_event_file(name: &str) -> RandomEvent {
    let directory = tempfile::tempdir().unwrap();
    let mut file = CompetitionFile::create(
        directory.path().join(format!("{name}.scoretable")),
        &competition(),
    )
    .unwrap();
    let women = file
        .add_division(&gender_division("Women", Gender::Female))
        .unwrap();
    let men = file
        .add_division(&gender_division("Men", Gender::Male))
        .unwrap();
    RandomEvent {
        directory,
        file,
        women,
        men,
    }
}

/// The athletes with the first of each bib kept and later repeats dropped.
pub fn first_of_each_bib<T>(athletes: Vec<T>, bib: impl Fn(&T) -> &str) -> Vec<T> {
    let mut seen = std::collections::HashSet::new();
    athletes
        .into_iter()
        .filter(|athlete| seen.insert(bib(athlete).to_string()))
        .collect()
}

/// Imports one competitor an athlete (bib, gender: 0 female, 1 male, 2
/// other), named `A N<index>` on rows from 2.
pub fn import_athletes<'a>(
    file: &mut CompetitionFile,
    athletes: impl IntoIterator<Item = (&'a str, usize)>,
) {
    let drafts: Vec<_> = athletes
        .into_iter()
        .enumerate()
        .map(|(index, (bib, gender))| {
            let gender = [Gender::Female, Gender::Male, Gender::Other][gender];
            draft(index + 2, bib, "A", &format!("N{index}"), gender)
        })
        .collect();
    file.import_competitors_from("start.csv", &drafts).unwrap();
}

/// The rounding a random event's number stands for: 0 exact, 1 up,
/// 2 truncated, anything else to the nearest second.
pub fn rounding_of(number: u8) -> Rounding {
    match number {
        0 => Rounding::Exact,
        1 => Rounding::Up { unit_ms: 1000 },
        2 => Rounding::Truncate { unit_ms: 1000 },
        _ => Rounding::Nearest { unit_ms: 1000 },
    }
}
