//! Test support: a competition fixture and a tiny .xlsx writer. The
//! stand-in timing feed is `scoretable_testkit::http::ScriptedServer`.
#![allow(dead_code)]

pub mod xlsx;

use scoretable_core::import::CompetitorDraft;
use scoretable_core::model::{ExternalIds, Id, ScoreType, Workout};
use scoretable_inbound::{save_mapping, FieldMapping};
use scoretable_store::{CompetitionFile, NewConnection};
use scoretable_testkit::fixtures;

pub struct Fixture {
    pub directory: tempfile::TempDir,
    pub file: CompetitionFile,
    pub race: Id,
}

pub fn workout(name: &str, sequence: u32) -> Workout {
    fixtures::workout(name, sequence, ScoreType::Time)
}

pub use scoretable_testkit::fixtures::timing_point;

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
        &fixtures::competition("Feed Open", "feed-open"),
    )
    .unwrap();
    let drafts: Vec<CompetitorDraft> = ATHLETES
        .iter()
        .enumerate()
        .map(|(position, (bib, first, last, feed, triathlon))| {
            let athlete = fixtures::feed_athlete(position + 2, bib, first, last, feed);
            CompetitorDraft {
                external_ids: ExternalIds {
                    triathlon_athlete_id: triathlon.map(str::to_string),
                    ..athlete.external_ids.clone()
                },
                ..athlete
            }
        })
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

/// Saves the timing-feed mapping (World Triathlon's for format
/// `world_triathlon`) as "feed mapping" and adds connection "timing" polling
/// `url` for the workout, its credentials (if any) in `auth_env`.
pub fn add_feed_connection(
    file: &mut CompetitionFile,
    race: Id,
    url: &str,
    format: &str,
    interval_ms: u64,
    auth_env: Option<&str>,
) {
    let workout = file.workout(race).unwrap();
    let mapping = match format {
        "world_triathlon" => FieldMapping::world_triathlon(&workout),
        _ => FieldMapping::timing_feed(&workout),
    };
    save_mapping(file, "feed mapping", Some(race), &mapping).unwrap();
    file.add_connection(&NewConnection {
        name: "timing".into(),
        url: url.into(),
        workout_id: race,
        mapping_name: "feed mapping".into(),
        format: format.into(),
        interval_ms,
        auth_env: auth_env.map(str::to_string),
    })
    .unwrap();
}
