//! What the read commands print, read by key and from indexes, equals what
//! the full loads give: one entrant's standing (`CompetitionFile::standing`)
//! and the result counts per workout.

use crate::common;

use common::{
    first_of_each_bib, import_athletes, random_event_file, rounding_of, workout, RandomEvent,
};
use proptest::prelude::*;
use scoretable_core::model::{ScoreType, Source, TieBreak};
use scoretable_store::{ImportedResult, ScoreInput};

const TIMES: [&str; 9] = [
    "20:00", "20:00.4", "20:01", "19:59.6", "21:30", "DNF", "DNS", "DSQ", "20:00.9",
];
const REPS: [&str; 7] = ["25", "30", "12", "30", "DNF", "7", "31"];
const ROUNDS: [&str; 6] = ["5+3", "5+10", "6+0", "4+29", "DNF", "5+3"];

/// (bib, gender 0..3, value index or none, penalty seconds, amendment
/// value index, tie-break seconds).
type Athlete = (String, u8, Option<usize>, u8, Option<usize>, Option<u8>);

fn any_event() -> impl Strategy<Value = (u8, u8, bool, Vec<Athlete>)> {
    let bib = prop_oneof![
        3 => (1_u32..200).prop_map(|number| number.to_string()),
        1 => ("[A-C]", 0_u32..20).prop_map(|(letter, number)| format!("{letter}{number}")),
    ];
    let athlete = (
        bib,
        0_u8..3,
        proptest::option::weighted(0.85, 0_usize..9),
        prop_oneof![4 => Just(0_u8), 1 => 1_u8..3],
        proptest::option::weighted(0.15, 0_usize..9),
        proptest::option::weighted(0.5, 0_u8..3),
    );
    (
        0_u8..4,
        0_u8..3,
        any::<bool>(),
        proptest::collection::vec(athlete, 1..40),
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Every entrant's standing (overall and division places, the shown
    /// value) equals its row in the full leaderboard: times with penalties,
    /// rounding, ties and tie-break times (read as an index range), reps,
    /// and rounds and reps (read in full).
    #[test]
    fn one_standing_read_by_index_equals_the_full_leaderboard(
        (rounding, kind, tie_break, athletes) in any_event()
    ) {
        let RandomEvent { directory: _directory, mut file, .. } = random_event_file("standing");
        let athletes = first_of_each_bib(athletes, |athlete: &Athlete| athlete.0.as_str());
        import_athletes(&mut file, athletes.iter().map(|athlete| (athlete.0.as_str(), athlete.1 as usize)));
        let (score_type, values): (ScoreType, &[&str]) = match kind {
            0 => (ScoreType::Time, &TIMES),
            1 => (ScoreType::Reps, &REPS),
            _ => (ScoreType::RoundsReps, &ROUNDS),
        };
        let mut race = workout("Race", 1, score_type);
        if score_type == ScoreType::Time {
            race.rounding = rounding_of(rounding);
        }
        if tie_break {
            race.tie_break = TieBreak::TieBreakTime;
        }
        let race = file.add_workout(&race).unwrap();
        let records: Vec<ImportedResult> = athletes
            .iter()
            .enumerate()
            .filter_map(|(index, athlete)| {
                let value = athlete.2?;
                let input = ScoreInput::Text {
                    value: values[value % values.len()].to_string(),
                    tie_break: athlete
                        .5
                        .filter(|_| tie_break)
                        .map(|seconds| format!("0:0{seconds}")),
                };
                Some(ImportedResult {
                    row: index as u64 + 2,
                    entrant: file.entrant_by_bib(race, &athlete.0).unwrap(),
                    value: input,
                    penalty_ms: if score_type == ScoreType::Time {
                        i64::from(athlete.3) * 1000
                    } else {
                        0
                    },
                    splits: Vec::new(),
                    incidents: Vec::new(),
                    record_id: None,
                    received_at: None,
                })
            })
            .collect();
        if !records.is_empty() {
            file.import_results(race, Source::File, "scores.csv", &records).unwrap();
        }
        for athlete in &athletes {
            if let Some(value) = athlete.4 {
                let entrant = file.entrant_by_bib(race, &athlete.0).unwrap();
                let _ = file.record_amendment(
                    race,
                    entrant,
                    ScoreInput::text(values[value % values.len()]),
                    "judge",
                    "appeal",
                    None,
                );
            }
        }
        let board = file.workout_leaderboard(race, None).unwrap();
        for athlete in &athletes {
            let entrant = file.entrant_by_bib(race, &athlete.0).unwrap();
            let row = board.iter().find(|row| row.entrant == entrant);
            let standing = file.standing(race, entrant).unwrap();
            match (row, standing) {
                (None, None) => {}
                (Some(row), Some(standing)) => {
                    prop_assert_eq!(standing.rank, row.rank, "{}", &athlete.0);
                    prop_assert_eq!(&standing.division_ranks, &row.division_ranks, "{}", &athlete.0);
                    prop_assert_eq!(&standing.display, &row.display, "{}", &athlete.0);
                }
                (row, standing) => {
                    prop_assert!(false, "{}: row {:?}, standing {:?}", &athlete.0, row, standing);
                }
            }
        }
    }
}

/// A competitor's teams read by key are the teams of the full list that
/// name them as a member (members, divisions and all), in id order.
#[test]
fn a_competitors_teams_read_by_key_equal_the_full_list_filtered() {
    use scoretable_core::model::{ExternalIds, Team, TeamMember};
    let fixture = common::fixture();
    let mut file = fixture.file;
    let everyone = file.competitors().unwrap();
    let team = |name: &str, bib: Option<&str>, members: &[usize], divisions: Vec<i64>| Team {
        id: 0,
        name: name.into(),
        bib: bib.map(str::to_string),
        country: Some("GBR".into()),
        division_ids: divisions,
        members: members
            .iter()
            .enumerate()
            .map(|(order, index)| TeamMember {
                competitor_id: everyone[*index].id,
                order: order as u32 + 1,
            })
            .collect(),
        external_ids: ExternalIds {
            opentrack_id: bib.map(|bib| format!("ot-{bib}")),
            ..ExternalIds::default()
        },
    };
    file.add_team(&team("Harbour B", Some("TB"), &[2, 0], vec![fixture.women]))
        .unwrap();
    file.add_team(&team("Harbour C", None, &[3, 4], vec![]))
        .unwrap();
    file.add_team(&team(
        "Harbour A",
        Some("TA"),
        &[1, 0, 5],
        vec![fixture.men, fixture.women],
    ))
    .unwrap();
    let all = file.teams().unwrap();
    for competitor in &everyone {
        let expected: Vec<Team> = all
            .iter()
            .filter(|team| {
                team.members
                    .iter()
                    .any(|member| member.competitor_id == competitor.id)
            })
            .cloned()
            .collect();
        assert_eq!(
            file.teams_with_member(competitor.id).unwrap(),
            expected,
            "{}",
            competitor.bib
        );
    }
    assert_eq!(file.teams_with_member(everyone[0].id).unwrap().len(), 2);
    assert!(file.teams_with_member(999_999).unwrap().is_empty());
}
