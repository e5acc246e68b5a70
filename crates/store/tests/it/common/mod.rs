//! Shared fixtures for the store's integration tests.
#![allow(dead_code)]

use scoretable_core::model::{Competition, Division, DivisionKind, Gender, ScoreType};
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
    let directory = tempfile::tempdir().unwrap();
    let mut file = CompetitionFile::create(
        directory.path().join("throwdown.scoretable"),
        &competition(),
    )
    .unwrap();
    let women = file
        .add_division(&gender_division("Women", Gender::Female))
        .unwrap();
    let men = file
        .add_division(&gender_division("Men", Gender::Male))
        .unwrap();
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
