//! Shared fixtures for the store's integration tests.
#![allow(dead_code)]

use scoretable_core::import::CompetitorDraft;
use scoretable_core::model::{
    Competition, Division, DivisionKind, Gender, LoadUnit, PublicationState, Rounding, ScoreType,
    TeamScoring, TieBreak, TimingPoint, Workout,
};
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

pub fn workout(name: &str, sequence: u32, score_type: ScoreType) -> Workout {
    Workout {
        id: 0,
        name: name.into(),
        sequence,
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

pub fn timing_point(order: u32, name: &str) -> TimingPoint {
    TimingPoint {
        id: 0,
        order,
        name: name.into(),
    }
}

pub fn draft(row: usize, bib: &str, first: &str, last: &str, gender: Gender) -> CompetitorDraft {
    CompetitorDraft {
        row,
        bib: bib.into(),
        first_name: first.into(),
        last_name: last.into(),
        gender: Some(gender),
        ..CompetitorDraft::default()
    }
}

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

/// The full name of test `name` in the module whose `module_path!()` is
/// `module` (`it::bad_day` gives `bad_day::name`), for re-running one test
/// of this binary in a child process with `--exact`.
pub fn test_path(module: &str, name: &str) -> String {
    let module = module.split_once("::").map_or("", |(_, rest)| rest);
    format!("{module}::{name}")
}
