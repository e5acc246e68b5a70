//! Test support: a stand-in timing feed server, a competition fixture and a
//! tiny .xlsx writer.
#![allow(dead_code)]

pub mod feed_server;
pub mod xlsx;

use scoretable_core::import::CompetitorDraft;
use scoretable_core::model::{
    Competition, ExternalIds, Gender, Id, LoadUnit, PublicationState, Rounding, ScoreType,
    TeamScoring, TieBreak, TimingPoint, Workout,
};
use scoretable_store::CompetitionFile;

pub struct Fixture {
    pub directory: tempfile::TempDir,
    pub file: CompetitionFile,
    pub race: Id,
}

pub fn workout(name: &str, sequence: u32) -> Workout {
    Workout {
        id: 0,
        name: name.into(),
        sequence,
        score_type: ScoreType::Time,
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

/// The seed's two athletes plus two more, with feed ids and (for the first
/// two) World Triathlon athlete ids 5695 and 4321.
pub const ATHLETES: [(&str, &str, &str, &str, Option<&str>); 4] = [
    ("1", "Lexi", "DeSaracho", "524658", Some("5695")),
    ("2", "Allison", "McClellan", "527182", Some("4321")),
    ("3", "Chloé", "Moss", "530001", None),
    ("4", "Dana", "Roe", "530002", None),
];

pub fn fixture() -> Fixture {
    let directory = tempfile::tempdir().unwrap();
    let mut file = CompetitionFile::create(
        directory.path().join("feed-open.scoretable"),
        &Competition {
            name: "Feed Open".into(),
            slug: "feed-open".into(),
            start_date: "2026-06-01".into(),
            end_date: "2026-06-01".into(),
            venue: String::new(),
            country: String::new(),
            organiser: String::new(),
            time_zone: "UTC".into(),
        },
    )
    .unwrap();
    let drafts: Vec<CompetitorDraft> = ATHLETES
        .iter()
        .enumerate()
        .map(
            |(position, (bib, first, last, feed, triathlon))| CompetitorDraft {
                row: position + 2,
                bib: bib.to_string(),
                first_name: first.to_string(),
                last_name: last.to_string(),
                gender: Some(Gender::Female),
                chip_ids: vec![format!("CHIP{bib}")],
                external_ids: ExternalIds {
                    feed_participant_id: Some(feed.to_string()),
                    triathlon_athlete_id: triathlon.map(str::to_string),
                    ..ExternalIds::default()
                },
                ..CompetitorDraft::default()
            },
        )
        .collect();
    file.import_competitors_from("start-list.csv", &drafts)
        .unwrap();
    let race = file.add_workout(&workout("Sprint", 1)).unwrap();
    Fixture {
        directory,
        file,
        race,
    }
}

/// A timing-feed payload in the seed's shape.
pub fn seed_payload(records: &[(&str, &str)]) -> String {
    let items: Vec<serde_json::Value> = records
        .iter()
        .map(|(participant, time)| {
            let name = ATHLETES
                .iter()
                .find(|athlete| athlete.3 == *participant)
                .map_or(("Unknown", "Person"), |athlete| (athlete.1, athlete.2));
            serde_json::json!({
                "First Name": name.0,
                "Last Name": name.1,
                "Gender": "Female",
                "Team Name": "",
                "CompCornerID": participant,
                "CGID": "1236",
                "Time": time,
            })
        })
        .collect();
    serde_json::to_string_pretty(&items).unwrap()
}

/// Adds a team whose feed participant id is `feed_id`, with the members of
/// these bibs.
pub fn add_team(file: &mut CompetitionFile, name: &str, feed_id: &str, bibs: &[&str]) -> Id {
    let members = bibs
        .iter()
        .enumerate()
        .map(|(order, bib)| scoretable_core::model::TeamMember {
            competitor_id: file.competitor_by_bib(bib).unwrap().unwrap().id,
            order: order as u32 + 1,
        })
        .collect();
    file.add_team(&scoretable_core::model::Team {
        id: 0,
        name: name.into(),
        bib: Some(format!("T-{name}")),
        country: None,
        division_ids: Vec::new(),
        members,
        external_ids: ExternalIds {
            feed_participant_id: Some(feed_id.to_string()),
            ..ExternalIds::default()
        },
    })
    .unwrap()
}

/// The full name of test `name` in the module whose `module_path!()` is
/// `module` (`it::bad_day` gives `bad_day::name`), for re-running one test
/// of this binary in a child process with `--exact`.
pub fn test_path(module: &str, name: &str) -> String {
    let module = module.split_once("::").map_or("", |(_, rest)| rest);
    format!("{module}::{name}")
}
