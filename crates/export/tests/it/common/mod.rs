//! A small but complete competition, ranked by the real engine, for the export tests.
//!
//! Two divisions, twelve competitors (some with names built to break CSV,
//! XML and PDF text), a timed run with two splits, a time-capped workout with
//! a tie-break, and a load workout; statuses DSQ, DNS, DNF and WD; a capped
//! athlete; a tie; and two amendments.

#![allow(dead_code)]

use chrono::{TimeZone, Utc};
use scoretable_core::model::{
    Competition, Competitor, Division, DivisionKind, Entrant, EntrantInfo, ExternalIds, Gender, Id,
    OverallMode, OverallTieBreak, PublicationState, ResultEntry, Score, ScoreType, Source, Split,
    Status, TieBreak, TimingPoint, Workout,
};
use scoretable_core::overall::overall_leaderboard_for;
use scoretable_core::ranking::rank_workout;
use scoretable_export::{AmendmentLogEntry, ExportData, OverallLeaderboard, WorkoutLeaderboard};

pub const WOMEN: Id = 1;
pub const MEN: Id = 2;
pub const RUN: Id = 10;
pub const FRAN: Id = 20;
pub const DEADLIFT: Id = 30;

pub fn competitor(id: Id, bib: &str, first: &str, last: &str, gender: Gender) -> Competitor {
    Competitor {
        id,
        bib: bib.to_string(),
        chip_ids: vec![format!("CHIP-SECRET-{id}")],
        first_name: first.to_string(),
        last_name: last.to_string(),
        gender: Some(gender),
        date_of_birth: Some("1990-07-21".to_string()),
        country: Some(if id % 2 == 0 { "GBR" } else { "IRL" }.to_string()),
        club: if id % 3 == 0 {
            Some("Harbour Striders".to_string())
        } else {
            None
        },
        external_ids: ExternalIds {
            runsignup_registration_id: if id <= 6 {
                Some(format!("{}", 3200 + id))
            } else {
                None
            },
            ..ExternalIds::default()
        },
        division_ids: vec![if gender == Gender::Female { WOMEN } else { MEN }],
        para_class: None,
    }
}

pub fn workout(id: Id, name: &str, sequence: u32, score_type: ScoreType) -> Workout {
    Workout {
        id,
        state: PublicationState::Official,
        ..scoretable_testkit::fixtures::workout(name, sequence, score_type)
    }
}

pub fn result(competitor_id: Id, score: Option<Score>, status: Option<Status>) -> ResultEntry {
    ResultEntry {
        entrant: Entrant::Competitor(competitor_id),
        score,
        status,
        tie_break_ms: None,
        penalty_ms: 0,
        splits: Vec::new(),
        incidents: Vec::new(),
        source: Source::Manual,
        amended: false,
        partial: false,
    }
}

fn time(ms: i64) -> Option<Score> {
    Some(Score::Time { ms })
}

fn splits(first: i64, second: i64) -> Vec<Split> {
    vec![
        Split {
            timing_point_id: 101,
            total_ms: first,
        },
        Split {
            timing_point_id: 102,
            total_ms: second,
        },
    ]
}

/// Ranks `workouts` with the engine and assembles the snapshot.
pub fn assemble(
    competition: Competition,
    divisions: Vec<Division>,
    competitors: Vec<Competitor>,
    workouts_and_results: Vec<(Workout, Vec<ResultEntry>)>,
    amendments: Vec<AmendmentLogEntry>,
    overall_mode: OverallMode,
) -> ExportData {
    let infos: Vec<EntrantInfo> = competitors
        .iter()
        .map(|competitor| EntrantInfo {
            entrant: Entrant::Competitor(competitor.id),
            bib: competitor.bib.clone(),
            name: format!("{} {}", competitor.first_name, competitor.last_name),
            division_ids: competitor.division_ids.clone(),
        })
        .collect();
    let mut ranked = Vec::new();
    let mut workout_leaderboards = Vec::new();
    for (workout, results) in &workouts_and_results {
        let rows = rank_workout(workout, &infos, results);
        workout_leaderboards.push(WorkoutLeaderboard {
            workout_id: workout.id,
            division_id: None,
            rows: rows.clone(),
        });
        for division in &divisions {
            let division_rows = rows
                .iter()
                .filter(|row| {
                    infos.iter().any(|info| {
                        info.entrant == row.entrant && info.division_ids.contains(&division.id)
                    })
                })
                .cloned()
                .collect();
            workout_leaderboards.push(WorkoutLeaderboard {
                workout_id: workout.id,
                division_id: Some(division.id),
                rows: division_rows,
            });
        }
        ranked.push((workout.clone(), rows));
    }
    let mut overall_leaderboards = Vec::new();
    let scopes: Vec<Option<Id>> = std::iter::once(None)
        .chain(divisions.iter().map(|division| Some(division.id)))
        .collect();
    for scope in scopes {
        let rows = overall_leaderboard_for(
            &ranked,
            &infos,
            scope,
            &overall_mode,
            OverallTieBreak::BestFinish,
        );
        overall_leaderboards.push(OverallLeaderboard {
            division_id: scope,
            rows,
        });
    }
    ExportData {
        competition,
        divisions,
        competitors: competitors.into(),
        teams: Vec::new(),
        workouts: workouts_and_results
            .into_iter()
            .map(|(workout, _)| workout)
            .collect(),
        workout_leaderboards,
        overall_leaderboards,
        overall_team_workouts: Default::default(),
        team_overall_leaderboards: Vec::new(),
        compact_overall: Vec::new(),
        compact_team_overall: Vec::new(),
        amendments,
        generated_at: Utc.with_ymd_and_hms(2026, 5, 2, 17, 30, 0).unwrap(),
        live_workouts: Default::default(),
        names: Default::default(),
    }
}

pub fn sample_competition() -> Competition {
    Competition {
        name: "Harbour Games 2026".to_string(),
        slug: "harbour-games-2026".to_string(),
        start_date: "2026-05-02".to_string(),
        end_date: "2026-05-02".to_string(),
        venue: "Harbour Park".to_string(),
        country: "IRL".to_string(),
        organiser: "Harbour Athletic Club".to_string(),
        time_zone: "Europe/Dublin".to_string(),
    }
}

pub fn sample_divisions() -> Vec<Division> {
    vec![
        Division {
            id: WOMEN,
            name: "Women".to_string(),
            kind: DivisionKind::Gender,
            gender: Some(Gender::Female),
            min_age: None,
            max_age: None,
        },
        Division {
            id: MEN,
            name: "Men".to_string(),
            kind: DivisionKind::Gender,
            gender: Some(Gender::Male),
            min_age: None,
            max_age: None,
        },
    ]
}

pub fn sample_competitors() -> Vec<Competitor> {
    vec![
        competitor(1, "101", "Zoë", "Müller", Gender::Female),
        competitor(
            2,
            "102",
            "Ann",
            "=HYPERLINK(\"http://evil.example\",\"x\")",
            Gender::Female,
        ),
        competitor(3, "103", "-Mary", "O'Brien & <Sons>", Gender::Female),
        competitor(4, "104", "Łucja", "Wójcik", Gender::Female),
        competitor(5, "105", "Grace", "@Kelly", Gender::Female),
        competitor(6, "106", "Joan", "+Doe", Gender::Female),
        competitor(7, "107", "Tom", "Brennan", Gender::Male),
        competitor(8, "108", "Seán", "Ó Súilleabháin", Gender::Male),
        competitor(
            9,
            "109",
            "Bartholomew Alexander",
            "Fitzgerald-Montgomery-Smythe",
            Gender::Male,
        ),
        competitor(10, "110", "Luca", "Rossi", Gender::Male),
        competitor(11, "111", "Ken", "Sato", Gender::Male),
        competitor(12, "112", "Piotr", "Nowak", Gender::Male),
    ]
}

pub fn sample_amendments() -> Vec<AmendmentLogEntry> {
    vec![
        AmendmentLogEntry {
            sequence: 1,
            event_id: 41,
            workout_id: RUN,
            entrant: Entrant::Competitor(3),
            amended_at: "2026-05-02T15:12:09Z".to_string(),
            official: "Chief Referee".to_string(),
            old_value: "18:10.2".to_string(),
            new_value: "18:01.2".to_string(),
            reason: "Typing error, confirmed by finish video".to_string(),
            appeal_reference: Some("A-7".to_string()),
        },
        AmendmentLogEntry {
            sequence: 2,
            event_id: 57,
            workout_id: FRAN,
            entrant: Entrant::Competitor(8),
            amended_at: "2026-05-02T16:40:00Z".to_string(),
            official: "Head Judge".to_string(),
            old_value: "6:12.0".to_string(),
            new_value: "CAP+80".to_string(),
            reason: "No-rep on the last thruster".to_string(),
            appeal_reference: None,
        },
    ]
}

/// The full sample: three workouts ranked by the engine, points-table overall.
pub fn sample_data() -> ExportData {
    let mut run = workout(RUN, "Harbour 5K", 1, ScoreType::Time);
    run.timing_points = vec![
        TimingPoint {
            id: 101,
            order: 1,
            name: "2.5 km".to_string(),
        },
        TimingPoint {
            id: 102,
            order: 2,
            name: "4 km".to_string(),
        },
    ];
    let mut run_results = vec![
        result(1, time(1_050_123), None),
        result(2, time(1_062_400), None),
        result(3, time(1_081_200), None),
        result(4, time(1_062_400), None),
        result(5, time(1_210_000), Some(Status::Dsq)),
        result(6, None, Some(Status::Dns)),
        result(7, time(990_000), None),
        result(8, time(1_001_000), None),
        result(9, time(3_725_350), None),
        result(10, None, Some(Status::Dnf)),
        result(11, time(1_100_000), None),
        result(12, time(1_000_999), None),
    ];
    for (entry, (first, second)) in run_results.iter_mut().zip([
        (520_000, 840_100),
        (530_000, 851_000),
        (540_000, 866_000),
        (531_000, 850_000),
        (600_000, 970_000),
        (0, 0),
        (495_000, 792_000),
        (500_000, 800_000),
        (1_800_000, 2_980_000),
        (700_000, 0),
        (550_000, 880_000),
        (499_000, 799_500),
    ]) {
        if first > 0 {
            entry.splits = splits(first, second);
            if second == 0 {
                entry.splits.truncate(1);
            }
        }
    }
    run_results[2].amended = true;
    run_results[2].source = Source::Amendment;

    let mut fran = workout(FRAN, "Fran", 2, ScoreType::TimeCapped);
    fran.time_cap_ms = Some(600_000);
    fran.tie_break = TieBreak::TieBreakTime;
    fran.state = PublicationState::Provisional;
    let mut fran_results = vec![
        result(1, time(245_000), None),
        result(2, time(301_500), None),
        result(3, Some(Score::Capped { reps: 80 }), None),
        result(4, time(245_000), None),
        result(5, None, Some(Status::Wd)),
        result(6, time(420_000), None),
        result(7, time(199_000), None),
        result(8, Some(Score::Capped { reps: 80 }), None),
        result(9, time(260_300), None),
        result(10, time(233_000), None),
        result(11, Some(Score::Capped { reps: 62 }), None),
        result(12, None, Some(Status::Dnf)),
    ];
    fran_results[0].tie_break_ms = Some(120_000);
    fran_results[3].tie_break_ms = Some(118_500);
    fran_results[7].amended = true;
    fran_results[7].source = Source::Amendment;

    let deadlift = workout(DEADLIFT, "Max Deadlift", 3, ScoreType::Load);
    let deadlift_results: Vec<ResultEntry> = (1..=12)
        .map(|id| {
            if id == 6 {
                result(id, None, Some(Status::Dns))
            } else {
                result(
                    id,
                    Some(Score::Load {
                        grams: 80_000 + id * 7_500,
                    }),
                    None,
                )
            }
        })
        .collect();

    assemble(
        sample_competition(),
        sample_divisions(),
        sample_competitors(),
        vec![
            (run, run_results),
            (fran, fran_results),
            (deadlift, deadlift_results),
        ],
        sample_amendments(),
        OverallMode::PointsTable {
            points: vec![100, 95, 90, 85, 80, 75, 70, 65, 60, 55],
            floor: 50,
        },
    )
}
