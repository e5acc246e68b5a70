//! The live-timing read of one workout (`CompetitionFile::live_timing_wave`)
//! gives what the full loads give: the leaderboard's rows (division places,
//! display texts and split positions aside), the incident notes, and the printed columns of every entrant and
//! team member, on random events of every team scoring mode.

use crate::common;

use common::{competition, draft, gender_division, timing_point, workout};
use proptest::prelude::*;
use scoretable_core::model::{
    Entrant, ExternalIds, Gender, Heat, Id, Lane, Rounding, ScoreType, Source, Split, Team,
    TeamMember, TeamScoring,
};
use scoretable_store::{CompetitionFile, ImportedResult, ScoreInput};

const VALUES: [&str; 9] = [
    "20:00", "20:00.4", "20:01", "19:59.6", "21:30", "DNF", "DNS", "DSQ", "20:00.9",
];

/// (bib, value index or none, penalty seconds, amendment value index,
/// splits at three points (ms, or none), on the start list, incident).
type Athlete = (
    String,
    Option<usize>,
    u8,
    Option<usize>,
    [Option<u32>; 3],
    bool,
    bool,
);

fn any_event() -> impl Strategy<Value = (u8, u8, Vec<Athlete>)> {
    let bib = prop_oneof![
        3 => (1_u32..200).prop_map(|number| number.to_string()),
        1 => (0_u32..30).prop_map(|number| format!("0{number}")),
        1 => ("[A-C]", 0_u32..20).prop_map(|(letter, number)| format!("{letter}{number}")),
    ];
    let split =
        proptest::option::weighted(0.7, prop_oneof![Just(300_000_u32), 290_000_u32..310_000]);
    let athlete = (
        bib,
        proptest::option::weighted(0.8, 0..VALUES.len()),
        prop_oneof![4 => Just(0_u8), 1 => 1_u8..30],
        proptest::option::weighted(0.15, 0..VALUES.len()),
        [split.clone(), split.clone(), split],
        any::<bool>(),
        proptest::bool::weighted(0.2),
    );
    (0_u8..3, 0_u8..4, proptest::collection::vec(athlete, 1..30))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(40))]

    #[test]
    fn the_live_timing_read_equals_the_full_loads_on_random_events(
        (rounding, scoring, athletes) in any_event()
    ) {
        let directory = tempfile::tempdir().unwrap();
        let mut file = CompetitionFile::create(
            directory.path().join("live.scoretable"),
            &competition(),
        )
        .unwrap();
        file.add_division(&gender_division("Women", Gender::Female)).unwrap();
        let mut seen = std::collections::HashSet::new();
        let athletes: Vec<Athlete> = athletes
            .into_iter()
            .filter(|athlete| seen.insert(athlete.0.clone()))
            .collect();
        let drafts: Vec<_> = athletes
            .iter()
            .enumerate()
            .map(|(index, athlete)| {
                let mut draft = draft(index + 2, &athlete.0, "A", &format!("N{index}"), Gender::Female);
                if index % 3 == 0 {
                    draft.country = Some("GBR".into());
                    draft.para_class = Some("PTS4".into());
                    draft.external_ids.triathlon_athlete_id = Some(format!("5{index}"));
                }
                draft
            })
            .collect();
        file.import_competitors_from("start.csv", &drafts).unwrap();
        let competitors = file.competitors().unwrap();
        // Teams of three consecutive athletes (the last ones may stay out).
        let mut team_ids: Vec<Id> = Vec::new();
        for (number, members) in competitors.chunks(3).enumerate().filter(|(_, c)| c.len() == 3) {
            team_ids.push(
                file.add_team(&Team {
                    id: 0,
                    name: format!("Team {number}"),
                    bib: (number % 2 == 0).then(|| format!("T{number}")),
                    country: Some("GBR".into()),
                    division_ids: vec![],
                    members: members
                        .iter()
                        .enumerate()
                        .rev()
                        .map(|(order, competitor)| TeamMember {
                            competitor_id: competitor.id,
                            order: order as u32 + 1,
                        })
                        .collect(),
                    external_ids: ExternalIds {
                        triathlon_athlete_id: Some(format!("9{number}")),
                        ..ExternalIds::default()
                    },
                })
                .unwrap(),
            );
        }
        let team_scoring = match scoring {
            0 => TeamScoring::Individual,
            1 => TeamScoring::TeamChip,
            2 => TeamScoring::SumAll,
            _ => TeamScoring::BestN { n: 2 },
        };
        // A team-chip workout's entrants are the teams (one per athlete
        // slot that has a team), a member-scored one's the teams' members,
        // the others' the athletes.
        let entrant_of = |index: usize| -> Option<Entrant> {
            match team_scoring {
                TeamScoring::TeamChip => team_ids.get(index).map(|id| Entrant::Team(*id)),
                // Members of a team only.
                TeamScoring::SumAll | TeamScoring::BestN { .. } if index >= team_ids.len() * 3 => {
                    None
                }
                _ => Some(Entrant::Competitor(competitors[index].id)),
            }
        };
        let mut race = workout("Race", 1, ScoreType::Time);
        race.team_scoring = team_scoring;
        race.rounding = match rounding {
            0 => Rounding::Exact,
            1 => Rounding::Up { unit_ms: 1000 },
            _ => Rounding::Truncate { unit_ms: 1000 },
        };
        race.timing_points = vec![
            timing_point(2, "Bike"),
            timing_point(1, "Swim"),
            timing_point(3, "Run"),
        ];
        race.heats = vec![Heat {
            id: 0,
            name: "Wave 1".into(),
            start_time: Some("2026-06-01T09:00:00Z".into()),
            lanes: athletes
                .iter()
                .enumerate()
                .filter(|(_, athlete)| athlete.5)
                .filter_map(|(index, _)| entrant_of(index))
                .enumerate()
                .map(|(lane, entrant)| Lane {
                    lane: lane as u32 + 1,
                    competitor_id: match entrant {
                        Entrant::Competitor(id) => Some(id),
                        Entrant::Team(_) => None,
                    },
                    team_id: match entrant {
                        Entrant::Team(id) => Some(id),
                        Entrant::Competitor(_) => None,
                    },
                })
                .collect(),
        }];
        let race = file.add_workout(&race).unwrap();
        // Another workout's results beside it are never read.
        let other = file.add_workout(&workout("Other", 2, ScoreType::Time)).unwrap();
        let points = file.workout(race).unwrap().timing_points;
        let point_of = |order: u32| points.iter().find(|point| point.order == order).unwrap().id;
        let mut records = Vec::new();
        let mut other_records = Vec::new();
        for (index, athlete) in athletes.iter().enumerate() {
            let Some(entrant) = entrant_of(index) else { continue };
            let Some(value) = athlete.1 else { continue };
            let mut total = 0_i64;
            let splits: Vec<Split> = athlete
                .4
                .iter()
                .enumerate()
                .filter_map(|(at, leg)| {
                    total += i64::from((*leg)?);
                    Some(Split { timing_point_id: point_of(at as u32 + 1), total_ms: total })
                })
                .collect();
            records.push(ImportedResult {
                row: index as u64 + 2,
                entrant,
                value: ScoreInput::text(VALUES[value]),
                penalty_ms: i64::from(athlete.2) * 1000,
                splits,
                incidents: if athlete.6 {
                    vec![format!("note {index}"), "second \"note\"".into()]
                } else {
                    Vec::new()
                },
                record_id: None,
                received_at: None,
            });
            other_records.push(ImportedResult {
                row: index as u64 + 2,
                entrant: Entrant::Competitor(competitors[index].id),
                value: ScoreInput::text("19:00"),
                penalty_ms: 0,
                splits: Vec::new(),
                incidents: vec!["elsewhere".into()],
                record_id: None,
                received_at: None,
            });
        }
        if !records.is_empty() {
            file.import_results(race, Source::Feed, "feed", &records).unwrap();
            file.import_results(other, Source::File, "other.csv", &other_records).unwrap();
        }
        for (index, athlete) in athletes.iter().enumerate() {
            if let (Some(value), Some(entrant)) = (athlete.3, entrant_of(index)) {
                file.record_amendment(race, entrant, ScoreInput::text(VALUES[value]), "judge", "appeal", None)
                    .unwrap();
            }
        }

        let wave = file.live_timing_wave(race).unwrap();
        let mut expected_rows = file.workout_leaderboard(race, None).unwrap();
        for row in &mut expected_rows {
            row.division_ranks.clear();
            row.display.clear();
            for split in &mut row.splits {
                split.position = 0;
                split.difference_ms = 0;
            }
        }
        prop_assert_eq!(&wave.rows, &expected_rows);
        prop_assert_eq!(wave.workout.clone(), file.workout(race).unwrap());
        prop_assert_eq!(&wave.incidents, &file.result_incidents(race).unwrap());
        prop_assert_eq!(&wave.competition_name, &competition().name);
        let mut expected_entrants: Vec<Entrant> = Vec::new();
        for lane in wave.workout.heats.iter().flat_map(|heat| &heat.lanes) {
            expected_entrants.extend(lane.competitor_id.map(Entrant::Competitor));
            expected_entrants.extend(lane.team_id.map(Entrant::Team));
        }
        expected_entrants.extend(expected_rows.iter().map(|row| row.entrant));
        let mut once = std::collections::HashSet::new();
        expected_entrants.retain(|entrant| once.insert(*entrant));
        prop_assert_eq!(&wave.entrants, &expected_entrants);
        let check_competitor = |id: Id| -> Result<(), TestCaseError> {
            let full = file.competitor(id).unwrap().unwrap();
            let read = wave.competitor(id);
            prop_assert!(read.is_some(), "competitor {} is not in the wave", id);
            let read = read.unwrap();
            prop_assert_eq!(read.id, id);
            prop_assert_eq!(read.bib, full.bib.as_str());
            prop_assert_eq!(read.first_name, full.first_name.as_str());
            prop_assert_eq!(read.last_name, full.last_name.as_str());
            prop_assert_eq!(read.country, full.country.as_deref());
            prop_assert_eq!(read.triathlon_athlete_id, full.external_ids.triathlon_athlete_id.as_deref());
            prop_assert_eq!(read.para_class, full.para_class.as_deref());
            Ok(())
        };
        for entrant in &wave.entrants {
            match entrant {
                Entrant::Competitor(id) => check_competitor(*id)?,
                Entrant::Team(id) => {
                    let full = file.team(*id).unwrap().unwrap();
                    let read = wave.team(*id);
                    prop_assert!(read.is_some(), "team {} is not in the wave", id);
                    let read = read.unwrap();
                    prop_assert_eq!(&read.name, &full.name);
                    prop_assert_eq!(&read.bib, &full.bib);
                    prop_assert_eq!(&read.country, &full.country);
                    prop_assert_eq!(&read.triathlon_athlete_id, &full.external_ids.triathlon_athlete_id);
                    let mut members = full.members.clone();
                    members.sort_by_key(|member| member.order);
                    prop_assert_eq!(&read.members, &members);
                    for member in &members {
                        check_competitor(member.competitor_id)?;
                    }
                }
            }
        }
    }
}
