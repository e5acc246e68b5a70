//! Competition files for the sync tests.

#![allow(dead_code)]

use std::time::Duration;

use scoretable_core::model::{
    Competition, Competitor, Entrant, ExternalIds, Gender, Heat, Id, Lane, ScoreType, Source,
    Split, TimingPoint, Workout,
};
use scoretable_store::{CompetitionFile, ImportedResult, ScoreInput};
use scoretable_sync::TargetSpec;
use scoretable_sync::{DrainOptions, SecretStore};
use scoretable_testkit::fixtures;

pub struct Fixture {
    pub directory: tempfile::TempDir,
    pub file: CompetitionFile,
    pub workout_id: Id,
    pub competitor_ids: Vec<Id>,
    pub secrets: SecretStore,
}

pub fn competition() -> Competition {
    Competition {
        name: "Harbour Sprint".to_string(),
        slug: "harbour-sprint".to_string(),
        start_date: "2026-06-01".to_string(),
        end_date: "2026-06-02".to_string(),
        venue: "Harbour".to_string(),
        country: "GBR".to_string(),
        organiser: "Harbour Tri Club".to_string(),
        time_zone: "Europe/London".to_string(),
    }
}

/// A file with `athletes` competitors (bibs 1..), a time workout with
/// `points` timing points and every athlete in one heat.
pub fn fixture(athletes: usize, points: usize) -> Fixture {
    std::env::set_var("SCORETABLE_SECRET_BACKEND", "file");
    let directory = tempfile::tempdir().unwrap();
    let mut file =
        CompetitionFile::create(directory.path().join("sync.scoretable"), &competition()).unwrap();
    let mut competitor_ids = Vec::new();
    for index in 1..=athletes {
        let id = file
            .add_competitor(&Competitor {
                chip_ids: vec![format!("CHIP{index}")],
                gender: Some(if index % 2 == 0 {
                    Gender::Female
                } else {
                    Gender::Male
                }),
                country: Some("GBR".to_string()),
                club: Some("Harbour".to_string()),
                external_ids: ExternalIds {
                    runsignup_registration_id: Some(format!("{}", 3200 + index)),
                    triathlon_athlete_id: Some(format!("{}", 90000 + index)),
                    ..ExternalIds::default()
                },
                ..fixtures::competitor(index.to_string(), format!("Ath{index}"), "Lete")
            })
            .unwrap();
        competitor_ids.push(id);
    }
    let workout_id = file
        .add_workout(&Workout {
            timing_points: (1..=points)
                .map(|order| TimingPoint {
                    id: 0,
                    order: order as u32,
                    name: format!("Point {order}"),
                })
                .collect(),
            heats: vec![Heat {
                id: 0,
                name: "Heat 1".to_string(),
                start_time: Some("2026-06-01T09:00:00.000Z".to_string()),
                lanes: competitor_ids
                    .iter()
                    .enumerate()
                    .map(|(index, id)| Lane {
                        lane: index as u32 + 1,
                        competitor_id: Some(*id),
                        team_id: None,
                    })
                    .collect(),
            }],
            ..fixtures::workout("Sprint", 1, ScoreType::Time)
        })
        .unwrap();
    let secrets = SecretStore {
        fallback_dir: Some(directory.path().join("secrets")),
    };
    Fixture {
        directory,
        file,
        workout_id,
        competitor_ids,
        secrets,
    }
}

impl Fixture {
    /// Types a time for a bib.
    pub fn enter(&mut self, bib: &str, value: &str) -> Id {
        self.file
            .enter_score_by_bib(self.workout_id, bib, ScoreInput::text(value), "table")
            .unwrap()
            .entry_id
    }

    /// Imports a result with splits (cumulative ms at timing points 1..).
    pub fn import_with_splits(&mut self, bib: &str, total_ms: i64, splits: &[i64]) {
        let workout = self.file.workout(self.workout_id).unwrap();
        let mut points = workout.timing_points.clone();
        points.sort_by_key(|point| point.order);
        let competitor = self.file.competitor_by_bib(bib).unwrap().unwrap();
        self.file
            .import_results(
                self.workout_id,
                Source::Feed,
                "timing",
                &[ImportedResult {
                    row: 1,
                    entrant: Entrant::Competitor(competitor.id),
                    value: ScoreInput::score(scoretable_core::model::Score::Time { ms: total_ms }),
                    penalty_ms: 0,
                    splits: splits
                        .iter()
                        .zip(points.iter())
                        .map(|(ms, point)| Split {
                            timing_point_id: point.id,
                            total_ms: *ms,
                        })
                        .collect(),
                    incidents: vec![],
                    record_id: Some(format!("rec-{bib}")),
                    received_at: None,
                }],
            )
            .unwrap();
    }

    pub fn set_secret(&self, target: &str, secret: &str) {
        let target = self.file.sync_target(target).unwrap();
        self.secrets.set(&target.secret_ref, secret).unwrap();
    }
}

/// Fast backoff for tests.
pub fn quick_options() -> DrainOptions {
    DrainOptions {
        backoff_base: Duration::from_millis(5),
        backoff_cap: Duration::from_millis(50),
        request_timeout: Duration::from_millis(1500),
        late_landing: Duration::from_millis(1000),
        probe_interval: Duration::from_millis(100),
        deadline: Some(std::time::Instant::now() + Duration::from_secs(60)),
        ..DrainOptions::default()
    }
}

/// A RunSignup stand-in for race 777 (key `key-1`, secret `s3cr3t-value`)
/// with registrations 3201.. for bibs 1..=`registered` (chips `CHIP<bib>`).
pub fn runsignup_standin(registered: usize) -> scoretable_testkit::standin::RunSignupStandin {
    use scoretable_testkit::standin::{Registration, RunSignupStandin};
    let standin = RunSignupStandin::start("777", "key-1", "s3cr3t-value").unwrap();
    standin.add_registrations((1..=registered).map(|index| Registration {
        registration_id: format!("{}", 3200 + index),
        bib: index.to_string(),
        chip: Some(format!("CHIP{index}")),
    }));
    standin
}

/// Adds a custom division `name` and puts the athletes with these bibs in it.
pub fn custom_division(fixture: &mut Fixture, name: &str, bibs: &[&str]) -> i64 {
    let division = fixture
        .file
        .add_division(&scoretable_core::model::Division {
            id: 0,
            name: name.to_string(),
            kind: scoretable_core::model::DivisionKind::Custom,
            gender: None,
            min_age: None,
            max_age: None,
        })
        .unwrap();
    for bib in bibs {
        let mut competitor = fixture.file.competitor_by_bib(bib).unwrap().unwrap();
        competitor.division_ids = vec![division];
        fixture.file.update_competitor(&competitor).unwrap();
    }
    division
}

/// Adds the RunSignup target `rsu` (race 777, event 4001 for the fixture's
/// workout) with `config`, and its secret.
pub fn add_target(
    fixture: &mut Fixture,
    standin: &scoretable_testkit::standin::RunSignupStandin,
    config: serde_json::Value,
) {
    use scoretable_store::TargetWorkout;
    let mut config = config;
    config["race_id"] = serde_json::json!("777");
    scoretable_sync::add_target(
        &mut fixture.file,
        &TargetSpec {
            name: "rsu".to_string(),
            platform: "runsignup".to_string(),
            endpoint: standin.base_url(),
            config,
            workouts: vec![TargetWorkout {
                workout_id: fixture.workout_id,
                remote_id: "4001".to_string(),
            }],
        },
    )
    .unwrap();
    fixture.set_secret("rsu", "key-1:s3cr3t-value");
}
