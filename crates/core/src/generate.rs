//! Deterministic generated events for benchmarks, tests and the demo.
//!
//! Every generator is a pure function of its arguments: the same seed gives
//! the same event, byte for byte, on every machine. Randomness comes from a
//! small [`SplitMix64`] generator, so no external crate is needed.
//!
//! - [`large_individual_event`]: a mass-participation triathlon-style race
//!   (the bench case is 60,000 athletes, 12 divisions, 10 splits) with
//!   monotonic splits, a sprinkling of DNF, DNS, DSQ and LAP statuses, time
//!   penalties and exact ties.
//! - [`team_event`]: a functional-fitness competition with mixed score types
//!   (time, time-capped with some capped, rounds+reps, reps, load, points) and
//!   teams scored by sum of all members or best N of M (the bench case is
//!   3,000 athletes, 8 workouts, teams of 3).
//! - [`demo_event`]: a small realistic competition for the app's demo.
//!
//! Results of team workouts scored `SumAll` or `BestN` are the members'
//! individual results; [`GeneratedEvent::ranked_workouts`] aggregates them
//! with [`aggregate_team_results`] before ranking.

use chrono::NaiveDate;

use crate::model::{
    Competition, Competitor, Division, DivisionKind, Entrant, EntrantInfo, ExternalIds, Gender,
    Heat, Id, Lane, LoadUnit, Millis, PublicationState, RankedRow, ResultEntry, Rounding, Score,
    ScoreType, Source, Split, Status, Team, TeamMember, TeamScoring, TieBreak, TimingPoint,
    Workout,
};
use crate::ranking::rank_workout;
use crate::teams::aggregate_team_results;

/// The SplitMix64 pseudo-random generator (Steele, Lea and Flood, 2014).
#[derive(Debug, Clone)]
pub struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    pub fn new(seed: u64) -> SplitMix64 {
        SplitMix64 { state: seed }
    }

    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut value = self.state;
        value = (value ^ (value >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        value = (value ^ (value >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        value ^ (value >> 31)
    }

    /// A value in `0..bound` (`bound` must be positive), by multiply-shift.
    pub fn below(&mut self, bound: u64) -> u64 {
        ((self.next_u64() as u128 * bound as u128) >> 64) as u64
    }

    /// A value in `low..high` as `i64`.
    pub fn range(&mut self, low: i64, high: i64) -> i64 {
        low + self.below((high - low) as u64) as i64
    }

    /// True with probability `per_mille / 1000`.
    pub fn chance(&mut self, per_mille: u64) -> bool {
        self.below(1000) < per_mille
    }

    pub fn pick<'item, T>(&mut self, items: &'item [T]) -> &'item T {
        &items[self.below(items.len() as u64) as usize]
    }
}

/// A generated competition with its results.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedEvent {
    pub competition: Competition,
    pub divisions: Vec<Division>,
    pub competitors: Vec<Competitor>,
    pub teams: Vec<Team>,
    pub workouts: Vec<Workout>,
    /// Results per workout, in the order of `workouts`. For `SumAll` and
    /// `BestN` workouts these are the members' individual results.
    pub results: Vec<Vec<ResultEntry>>,
}

const FEMALE_FIRST_NAMES: &[&str] = &[
    "Ada",
    "Beatriz",
    "Chloé",
    "Daria",
    "Elif",
    "Freya",
    "Grace",
    "Hana",
    "Ines",
    "Julia",
    "Katarzyna",
    "Laura",
    "Maja",
    "Nora",
    "Olivia",
    "Priya",
    "Rosa",
    "Sofia",
    "Tamsin",
    "Yuki",
];
const MALE_FIRST_NAMES: &[&str] = &[
    "Aaron", "Bruno", "Callum", "Dmitri", "Emil", "Felix", "Gabriel", "Hugo", "Ivan", "Jonas",
    "Kenji", "Liam", "Mateo", "Niall", "Oscar", "Pablo", "Rafael", "Samuel", "Tomás", "Yusuf",
];
const LAST_NAMES: &[&str] = &[
    "Adeyemi",
    "Berg",
    "Costa",
    "Dubois",
    "Eriksen",
    "Fischer",
    "García",
    "Horvat",
    "Ivanova",
    "Jensen",
    "Kowalski",
    "Lindqvist",
    "Moreau",
    "Nakamura",
    "O'Brien",
    "Petrov",
    "Quinn",
    "Rossi",
    "Schmidt",
    "Tanaka",
    "Usman",
    "Varga",
    "Walsh",
    "Xu",
    "Yilmaz",
    "Zimmermann",
    "Brownlee",
    "Gomez Noya",
    "Holland",
    "Stanford",
];
const COUNTRIES: &[&str] = &[
    "GBR", "ESP", "FRA", "GER", "ITA", "NED", "NOR", "SWE", "POL", "USA", "CAN", "AUS", "NZL",
    "JPN", "BRA", "RSA",
];
const CLUBS: &[&str] = &[
    "Harbour CF",
    "Northside Tri",
    "Iron Valley",
    "Riverside Athletic",
    "Summit Strength",
    "Coastal Barbell",
    "Old Mill Runners",
    "Granite Gym",
    "Lakeside Tri Club",
    "Foundry Fitness",
];
const TRIATHLON_POINTS: &[&str] = &[
    "Swim Lap 1",
    "Swim Exit",
    "Transition 1",
    "Bike Lap 1",
    "Bike Lap 2",
    "Bike Lap 3",
    "Bike Lap 4",
    "Bike End",
    "Transition 2",
    "Run Lap 1",
    "Run Lap 2",
    "Run Lap 3",
];

/// The first day of every generated competition; ages are taken on it.
fn competition_day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 6, 13).expect("a valid date")
}

fn age_on(date_of_birth: NaiveDate, day: NaiveDate) -> u32 {
    crate::divisions::age_on(date_of_birth, day).unwrap_or(0)
}

/// Makes one competitor; `choose_divisions` picks its divisions from gender and age.
fn make_competitor(
    random: &mut SplitMix64,
    index: usize,
    choose_divisions: &mut dyn FnMut(&mut SplitMix64, Gender, u32) -> Vec<Id>,
) -> Competitor {
    let gender = if random.chance(450) {
        Gender::Female
    } else {
        Gender::Male
    };
    let first_name = match gender {
        Gender::Female => random.pick(FEMALE_FIRST_NAMES),
        _ => random.pick(MALE_FIRST_NAMES),
    };
    let last_name = random.pick(LAST_NAMES);
    let birth_year = 2026 - random.range(18, 78) as i32;
    let date_of_birth = NaiveDate::from_yo_opt(birth_year, random.range(1, 366) as u32)
        .expect("day 1 to 365 exists in every year");
    let age = age_on(date_of_birth, competition_day());
    let number = index + 1;
    let external_ids = ExternalIds {
        runsignup_registration_id: random.chance(800).then(|| (8_100_000 + number).to_string()),
        opentrack_id: None,
        triathlon_athlete_id: random.chance(300).then(|| (100_000 + number).to_string()),
        feed_participant_id: Some((520_000 + number).to_string()),
    };
    Competitor {
        id: number as Id,
        bib: number.to_string(),
        chip_ids: vec![format!("T{number:06}")],
        first_name: first_name.to_string(),
        last_name: last_name.to_string(),
        gender: Some(gender),
        date_of_birth: Some(date_of_birth.format("%Y-%m-%d").to_string()),
        country: Some(random.pick(COUNTRIES).to_string()),
        club: random.chance(700).then(|| random.pick(CLUBS).to_string()),
        external_ids,
        division_ids: choose_divisions(random, gender, age),
        para_class: None,
    }
}

fn base_workout(id: Id, name: &str, score_type: ScoreType) -> Workout {
    Workout {
        id,
        name: name.to_string(),
        sequence: id as u32,
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

fn empty_result(entrant: Entrant) -> ResultEntry {
    ResultEntry {
        entrant,
        score: None,
        status: None,
        tie_break_ms: None,
        penalty_ms: 0,
        splits: Vec::new(),
        incidents: Vec::new(),
        source: Source::Feed,
        amended: false,
        partial: false,
    }
}

/// Gender-by-age-group divisions: alternating women's and men's, over bands
/// from 18 up, the last band open-ended.
fn age_group_divisions(count: usize) -> Vec<Division> {
    let bands = count.div_ceil(2).max(1) as u32;
    let span = (60 / bands).max(1);
    (0..count)
        .map(|index| {
            let band = (index / 2) as u32;
            let gender = if index % 2 == 0 {
                Gender::Female
            } else {
                Gender::Male
            };
            let min_age = 18 + band * span;
            let max_age = (band + 1 < bands).then(|| min_age + span - 1);
            let ages = match max_age {
                Some(max_age) => format!("{min_age}-{max_age}"),
                None => format!("{min_age}+"),
            };
            let label = if gender == Gender::Female {
                "Women"
            } else {
                "Men"
            };
            Division {
                id: index as Id + 1,
                name: format!("{label} {ages}"),
                kind: DivisionKind::AgeGroup,
                gender: Some(gender),
                min_age: Some(min_age),
                max_age,
            }
        })
        .collect()
}

fn matching_divisions(divisions: &[Division], gender: Gender, age: u32) -> Vec<Id> {
    let matching: Vec<Id> = divisions
        .iter()
        .filter(|division| {
            division
                .gender
                .is_none_or(|division_gender| division_gender == gender)
        })
        .filter(|division| division.min_age.is_none_or(|min| age >= min))
        .filter(|division| division.max_age.is_none_or(|max| age <= max))
        .map(|division| division.id)
        .take(1)
        .collect();
    if matching.is_empty() {
        divisions
            .first()
            .map(|division| vec![division.id])
            .unwrap_or_default()
    } else {
        matching
    }
}

/// A mass-participation race: one `Time` workout ranked at whole seconds
/// rounded up (World Triathlon), with `splits` timing points.
pub fn large_individual_event(
    athletes: usize,
    divisions: usize,
    splits: usize,
    seed: u64,
) -> GeneratedEvent {
    let mut random = SplitMix64::new(seed);
    let divisions = age_group_divisions(divisions);
    let competitors: Vec<Competitor> = (0..athletes)
        .map(|index| {
            make_competitor(&mut random, index, &mut |_, gender, age| {
                matching_divisions(&divisions, gender, age)
            })
        })
        .collect();
    let mut race = base_workout(1, "Standard Distance", ScoreType::Time);
    race.rounding = Rounding::Up { unit_ms: 1000 };
    race.timing_points = (0..splits)
        .map(|index| TimingPoint {
            id: index as Id + 1,
            order: index as u32 + 1,
            name: TRIATHLON_POINTS
                .get(index)
                .map_or_else(|| format!("Split {}", index + 1), |name| name.to_string()),
        })
        .collect();

    let legs = splits + 1;
    let mut results = Vec::with_capacity(athletes);
    let mut previous_legs: Vec<Millis> = Vec::new();
    for competitor in &competitors {
        let mut result = empty_result(Entrant::Competitor(competitor.id));
        let ability = random.range(6_300_000, 12_600_000);
        let copy_previous = !previous_legs.is_empty() && random.chance(10);
        let leg_times: Vec<Millis> = if copy_previous {
            previous_legs.clone()
        } else {
            (0..legs)
                .map(|_| ability / legs as i64 * random.range(800, 1200) / 1000)
                .collect()
        };
        let mut cumulative = 0;
        let totals: Vec<Millis> = leg_times
            .iter()
            .map(|leg| {
                cumulative += leg;
                cumulative
            })
            .collect();
        let finish = *totals.last().expect("at least one leg");
        let reached = |count: usize| -> Vec<Split> {
            totals[..count.min(splits)]
                .iter()
                .enumerate()
                .map(|(index, total_ms)| Split {
                    timing_point_id: index as Id + 1,
                    total_ms: *total_ms,
                })
                .collect()
        };
        let roll = random.below(1000);
        match roll {
            0..=9 => {
                result.status = Some(Status::Dnf);
                result.splits = reached(random.below(splits as u64 + 1) as usize);
                result
                    .incidents
                    .push("Withdrew from the race due to bike crash.".to_string());
            }
            10..=14 => result.status = Some(Status::Dns),
            15..=16 => {
                result.status = Some(Status::Dsq);
                result.score = Some(Score::Time { ms: finish });
                result.splits = reached(splits);
                result
                    .incidents
                    .push("DSQ for cutting the swim course".to_string());
            }
            17..=19 => {
                result.status = Some(Status::Lap);
                result.splits = reached(random.below(splits as u64 + 1) as usize);
            }
            _ => {
                result.score = Some(Score::Time { ms: finish });
                result.splits = reached(splits);
                if roll < 25 {
                    result.penalty_ms = 15_000;
                    result
                        .incidents
                        .push("Served 15 second penalty for cutting the swim course".to_string());
                }
            }
        }
        previous_legs = leg_times;
        results.push(result);
    }

    GeneratedEvent {
        competition: Competition {
            name: "Generated City Triathlon".to_string(),
            slug: "generated-city-triathlon".to_string(),
            start_date: "2026-06-13".to_string(),
            end_date: "2026-06-13".to_string(),
            venue: "Harbour Park".to_string(),
            country: "GBR".to_string(),
            organiser: "Generated Events Ltd".to_string(),
            time_zone: "Europe/London".to_string(),
        },
        divisions,
        competitors,
        teams: Vec::new(),
        workouts: vec![race],
        results: vec![results],
    }
}

/// The workout templates of [`team_event`], cycled when more are asked for.
fn team_event_workout(id: Id, template: usize, team_size: usize) -> Workout {
    let mut workout = match template % 8 {
        0 => base_workout(id, "Sprint 500m Row", ScoreType::Time),
        1 => {
            let mut chipper = base_workout(id, "Chipper", ScoreType::TimeCapped);
            chipper.time_cap_ms = Some(15 * 60_000);
            chipper.tie_break = TieBreak::TieBreakTime;
            chipper
        }
        2 => {
            let mut amrap = base_workout(id, "AMRAP 12", ScoreType::RoundsReps);
            amrap.reps_per_round = Some(30);
            amrap.tie_break = TieBreak::TieBreakTime;
            amrap
        }
        3 => base_workout(id, "Max Wall Balls", ScoreType::Reps),
        4 => base_workout(id, "1RM Clean", ScoreType::Load),
        5 => base_workout(id, "Judged Skills", ScoreType::Points),
        6 => {
            let mut relay = base_workout(id, "Team Relay", ScoreType::Time);
            relay.team_scoring = TeamScoring::SumAll;
            relay.rounding = Rounding::Truncate { unit_ms: 100 };
            relay
        }
        _ => {
            let mut best = base_workout(id, "Team Max Reps", ScoreType::Reps);
            best.team_scoring = TeamScoring::BestN {
                n: team_size.saturating_sub(1).max(1) as u32,
            };
            best
        }
    };
    if template >= 8 {
        workout.name = format!("{} {}", workout.name, template / 8 + 1);
    }
    workout
}

/// A random score for one athlete in `workout`; `ability` in 0..1000, higher is stronger.
fn random_score(
    random: &mut SplitMix64,
    workout: &Workout,
    ability: i64,
) -> (Score, Option<Millis>) {
    let tie_break =
        (workout.tie_break == TieBreak::TieBreakTime).then(|| random.range(120_000, 400_000));
    let score = match workout.score_type {
        ScoreType::Time => Score::Time {
            ms: 90_000 + (1000 - ability) * 60 + random.range(0, 20_000),
        },
        ScoreType::TimeCapped => {
            let cap = workout.time_cap_ms.unwrap_or(900_000);
            let time = cap / 2 + (1000 - ability) * cap / 1600 + random.range(0, cap / 5);
            if time > cap {
                Score::Capped {
                    reps: random.range(100, 200),
                }
            } else {
                Score::Time { ms: time }
            }
        }
        ScoreType::RoundsReps => {
            let per_round = workout.reps_per_round.unwrap_or(30);
            let total = 60 + ability * 240 / 1000 + random.range(0, 30);
            Score::RoundsReps {
                rounds: total / per_round,
                reps: total % per_round,
            }
        }
        ScoreType::Reps => Score::Reps {
            reps: 40 + ability / 10 + random.range(0, 20),
        },
        ScoreType::Load => Score::Load {
            grams: (40 + ability / 12 + random.range(0, 10)) * 2_500,
        },
        ScoreType::Distance => Score::Distance {
            mm: (2_000 + ability * 3 + random.range(0, 500)) * 1_000,
        },
        ScoreType::Points => Score::Points {
            milli: (50 + ability / 25 + random.range(0, 10)) * 500,
        },
    };
    (score, tie_break)
}

/// Scores for every competitor (or, in team workouts, every team member).
fn functional_fitness_results(
    random: &mut SplitMix64,
    workouts: &[Workout],
    competitors: &[Competitor],
    teams: &[Team],
) -> Vec<Vec<ResultEntry>> {
    let abilities: Vec<i64> = competitors.iter().map(|_| random.range(0, 1000)).collect();
    let on_team: std::collections::HashSet<Id> = teams
        .iter()
        .flat_map(|team| team.members.iter().map(|member| member.competitor_id))
        .collect();
    workouts
        .iter()
        .map(|workout| {
            let team_workout = matches!(
                workout.team_scoring,
                TeamScoring::SumAll | TeamScoring::BestN { .. }
            );
            competitors
                .iter()
                .zip(&abilities)
                .filter(|(competitor, _)| !team_workout || on_team.contains(&competitor.id))
                .map(|(competitor, ability)| {
                    let mut result = empty_result(Entrant::Competitor(competitor.id));
                    result.source = Source::Manual;
                    match random.below(1000) {
                        0..=9 => result.status = Some(Status::Dns),
                        10..=17 => result.status = Some(Status::Dnf),
                        18..=20 => result.status = Some(Status::Wd),
                        _ => {
                            let (score, tie_break) = random_score(random, workout, *ability);
                            result.score = Some(score);
                            result.tie_break_ms = tie_break;
                        }
                    }
                    result
                })
                .collect()
        })
        .collect()
}

/// Forms teams of `team_size` from consecutive competitors; leftovers stay individual.
fn make_teams(competitors: &[Competitor], team_size: usize, division_ids: Vec<Id>) -> Vec<Team> {
    if team_size == 0 {
        return Vec::new();
    }
    competitors
        .chunks_exact(team_size)
        .enumerate()
        .map(|(index, members)| {
            let number = index + 1;
            Team {
                id: number as Id,
                name: format!("{} {}", CLUBS[index % CLUBS.len()], number),
                bib: Some(format!("T{number}")),
                country: members[0].country.clone(),
                division_ids: division_ids.clone(),
                members: members
                    .iter()
                    .enumerate()
                    .map(|(order, competitor)| TeamMember {
                        competitor_id: competitor.id,
                        order: order as u32 + 1,
                    })
                    .collect(),
                external_ids: ExternalIds::default(),
            }
        })
        .collect()
}

fn rx_and_scaled_divisions() -> Vec<Division> {
    let division = |id: Id, name: &str, gender: Option<Gender>, kind: DivisionKind| Division {
        id,
        name: name.to_string(),
        kind,
        gender,
        min_age: None,
        max_age: None,
    };
    vec![
        division(1, "Women RX", Some(Gender::Female), DivisionKind::Custom),
        division(2, "Men RX", Some(Gender::Male), DivisionKind::Custom),
        division(
            3,
            "Women Scaled",
            Some(Gender::Female),
            DivisionKind::Custom,
        ),
        division(4, "Men Scaled", Some(Gender::Male), DivisionKind::Custom),
        division(5, "Teams", Some(Gender::Mixed), DivisionKind::Custom),
    ]
}

/// A functional-fitness competition with mixed score types and teams. The
/// workouts cycle through: time, time-capped (15:00, some capped),
/// rounds+reps, reps, load, points, a team relay summing all members' times
/// and a team max-reps counting the best `team_size - 1` members.
pub fn team_event(athletes: usize, workouts: usize, team_size: usize, seed: u64) -> GeneratedEvent {
    let mut random = SplitMix64::new(seed);
    let divisions = rx_and_scaled_divisions();
    let competitors: Vec<Competitor> = (0..athletes)
        .map(|index| {
            make_competitor(&mut random, index, &mut |random, gender, _| {
                let scaled = if random.chance(400) { 2 } else { 0 };
                vec![if gender == Gender::Female {
                    1 + scaled
                } else {
                    2 + scaled
                }]
            })
        })
        .collect();
    let teams = make_teams(&competitors, team_size, vec![5]);
    let workouts: Vec<Workout> = (0..workouts)
        .map(|index| team_event_workout(index as Id + 1, index, team_size))
        .collect();
    let results = functional_fitness_results(&mut random, &workouts, &competitors, &teams);
    GeneratedEvent {
        competition: Competition {
            name: "Generated Team Games".to_string(),
            slug: "generated-team-games".to_string(),
            start_date: "2026-06-13".to_string(),
            end_date: "2026-06-14".to_string(),
            venue: "Expo Hall 3".to_string(),
            country: "GBR".to_string(),
            organiser: "Generated Events Ltd".to_string(),
            time_zone: "Europe/London".to_string(),
        },
        divisions,
        competitors,
        teams,
        workouts,
        results,
    }
}

/// A small, realistic competition for the app's demo: 60 athletes in four
/// divisions (RX and Masters 35+, women and men), 20 teams of three, and four
/// workouts: a 2K row (time, shown in tenths), a time-capped chipper with a
/// tie-break, a 1RM clean & jerk (load) and a team synchro relay (sum of all
/// members' times). The first two workouts are official with heats of ten.
pub fn demo_event() -> GeneratedEvent {
    let mut random = SplitMix64::new(20_260_613);
    let division = |id: Id, name: &str, gender: Gender, min_age: Option<u32>| Division {
        id,
        name: name.to_string(),
        kind: if min_age.is_some() {
            DivisionKind::AgeGroup
        } else {
            DivisionKind::Gender
        },
        gender: Some(gender),
        min_age,
        max_age: None,
    };
    let divisions = vec![
        division(1, "Women RX", Gender::Female, None),
        division(2, "Men RX", Gender::Male, None),
        division(3, "Women Masters 35+", Gender::Female, Some(35)),
        division(4, "Men Masters 35+", Gender::Male, Some(35)),
    ];
    let competitors: Vec<Competitor> = (0..60)
        .map(|index| {
            make_competitor(&mut random, index, &mut |_, gender, age| {
                let female = gender == Gender::Female;
                let mut ids = vec![if female { 1 } else { 2 }];
                if age >= 35 {
                    ids.push(if female { 3 } else { 4 });
                }
                ids
            })
        })
        .collect();
    let teams = make_teams(&competitors, 3, Vec::new());

    let mut row = base_workout(1, "Event 1: 2K Row", ScoreType::Time);
    row.rounding = Rounding::Truncate { unit_ms: 100 };
    row.state = PublicationState::Official;
    let mut chipper = base_workout(2, "Event 2: Chipper", ScoreType::TimeCapped);
    chipper.time_cap_ms = Some(10 * 60_000);
    chipper.tie_break = TieBreak::TieBreakTime;
    chipper.state = PublicationState::Official;
    let clean = base_workout(3, "Event 3: 1RM Clean & Jerk", ScoreType::Load);
    let mut relay = base_workout(4, "Event 4: Team Synchro Relay", ScoreType::Time);
    relay.team_scoring = TeamScoring::SumAll;
    for workout in [&mut row, &mut chipper] {
        workout.heats = competitors
            .chunks(10)
            .enumerate()
            .map(|(index, heat)| Heat {
                id: workout.id * 100 + index as Id + 1,
                name: format!("Heat {}", index + 1),
                start_time: Some(format!(
                    "2026-06-13T{:02}:{:02}:00",
                    9 + workout.id * 2,
                    index * 15 % 60
                )),
                lanes: heat
                    .iter()
                    .enumerate()
                    .map(|(lane, competitor)| Lane {
                        lane: lane as u32 + 1,
                        competitor_id: Some(competitor.id),
                        team_id: None,
                    })
                    .collect(),
            })
            .collect();
    }
    let workouts = vec![row, chipper, clean, relay];
    let mut results = functional_fitness_results(&mut random, &workouts, &competitors, &teams);
    // A 2K row takes six to nine minutes, not a sprint's ninety seconds.
    for result in &mut results[0] {
        if let Some(Score::Time { ms }) = &mut result.score {
            *ms = *ms * 4 + 60_000;
        }
    }
    GeneratedEvent {
        competition: Competition {
            name: "Harbourside Throwdown 2026".to_string(),
            slug: "harbourside-throwdown-2026".to_string(),
            start_date: "2026-06-13".to_string(),
            end_date: "2026-06-14".to_string(),
            venue: "Harbourside Sports Hall".to_string(),
            country: "GBR".to_string(),
            organiser: "Harbourside Athletic Club".to_string(),
            time_zone: "Europe/London".to_string(),
        },
        divisions,
        competitors,
        teams,
        workouts,
        results,
    }
}

impl GeneratedEvent {
    /// Ranking information for every competitor and team.
    pub fn entrant_infos(&self) -> Vec<EntrantInfo> {
        let competitors = self.competitors.iter().map(|competitor| EntrantInfo {
            entrant: Entrant::Competitor(competitor.id),
            bib: competitor.bib.clone(),
            name: format!("{} {}", competitor.first_name, competitor.last_name),
            division_ids: competitor.division_ids.clone(),
        });
        let teams = self.teams.iter().map(|team| EntrantInfo {
            entrant: Entrant::Team(team.id),
            bib: team.bib.clone().unwrap_or_default(),
            name: team.name.clone(),
            division_ids: team.division_ids.clone(),
        });
        competitors.chain(teams).collect()
    }

    /// Every workout ranked, with team workouts aggregated first.
    pub fn ranked_workouts(&self) -> Vec<(Workout, Vec<RankedRow>)> {
        let infos = self.entrant_infos();
        self.workouts
            .iter()
            .zip(&self.results)
            .map(|(workout, results)| {
                let rows = match workout.team_scoring {
                    TeamScoring::SumAll | TeamScoring::BestN { .. } => rank_workout(
                        workout,
                        &infos,
                        &aggregate_team_results(workout, &self.teams, results),
                    ),
                    TeamScoring::Individual | TeamScoring::TeamChip => {
                        rank_workout(workout, &infos, results)
                    }
                };
                (workout.clone(), rows)
            })
            .collect()
    }

    /// The competitors as a CSV file that [`read_competitors_csv`](crate::import::read_competitors_csv) reads back.
    pub fn competitors_csv(&self) -> String {
        let mut writer = csv::Writer::from_writer(Vec::new());
        let header = [
            "bib",
            "first_name",
            "last_name",
            "gender",
            "date_of_birth",
            "country",
            "club",
            "chip",
            "division",
            "registration_id",
            "opentrack_id",
            "athlete_id",
            "participant_id",
            "para_class",
        ];
        writer
            .write_record(header)
            .expect("writing to memory cannot fail");
        for competitor in &self.competitors {
            let gender = match competitor.gender {
                Some(Gender::Female) => "F",
                Some(Gender::Male) => "M",
                Some(Gender::Mixed) => "Mixed",
                Some(Gender::Other) => "X",
                None => "",
            };
            let divisions: Vec<&str> = competitor
                .division_ids
                .iter()
                .filter_map(|id| self.divisions.iter().find(|division| division.id == *id))
                .map(|division| division.name.as_str())
                .collect();
            let optional = |value: &Option<String>| value.clone().unwrap_or_default();
            let ids = &competitor.external_ids;
            writer
                .write_record([
                    competitor.bib.clone(),
                    competitor.first_name.clone(),
                    competitor.last_name.clone(),
                    gender.to_string(),
                    optional(&competitor.date_of_birth),
                    optional(&competitor.country),
                    optional(&competitor.club),
                    competitor.chip_ids.join(";"),
                    divisions.join(";"),
                    optional(&ids.runsignup_registration_id),
                    optional(&ids.opentrack_id),
                    optional(&ids.triathlon_athlete_id),
                    optional(&ids.feed_participant_id),
                    optional(&competitor.para_class),
                ])
                .expect("writing to memory cannot fail");
        }
        let bytes = writer.into_inner().expect("writing to memory cannot fail");
        String::from_utf8(bytes).expect("every field is UTF-8")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::read_competitors_csv;
    use std::collections::HashSet;

    #[test]
    fn generators_are_deterministic() {
        assert_eq!(
            large_individual_event(300, 12, 10, 7),
            large_individual_event(300, 12, 10, 7)
        );
        assert_ne!(
            large_individual_event(300, 12, 10, 7),
            large_individual_event(300, 12, 10, 8)
        );
        assert_eq!(team_event(90, 8, 3, 1), team_event(90, 8, 3, 1));
        assert_eq!(demo_event(), demo_event());
    }

    #[test]
    fn large_event_has_the_asked_shape() {
        let event = large_individual_event(2_000, 12, 10, 42);
        assert_eq!(event.competitors.len(), 2_000);
        assert_eq!(event.divisions.len(), 12);
        assert_eq!(event.workouts[0].timing_points.len(), 10);
        let bibs: HashSet<&str> = event
            .competitors
            .iter()
            .map(|competitor| competitor.bib.as_str())
            .collect();
        assert_eq!(bibs.len(), 2_000);
        let results = &event.results[0];
        assert_eq!(results.len(), 2_000);
        for status in [Status::Dnf, Status::Dns, Status::Dsq] {
            assert!(
                results.iter().any(|result| result.status == Some(status)),
                "{status} present"
            );
        }
        for result in results {
            assert!(result
                .splits
                .windows(2)
                .all(|pair| pair[0].total_ms < pair[1].total_ms));
            if let (Some(Score::Time { ms }), Some(last)) = (result.score, result.splits.last()) {
                assert!(last.total_ms < ms);
            }
        }
        let rows = rank_workout(&event.workouts[0], &event.entrant_infos(), results);
        let shared = rows
            .windows(2)
            .filter(|pair| pair[0].rank.is_some() && pair[0].rank == pair[1].rank)
            .count();
        assert!(shared > 0, "exact ties are generated");
        for competitor in &event.competitors {
            assert_eq!(competitor.division_ids.len(), 1);
        }
    }

    #[test]
    fn team_event_mixes_score_types_and_teams() {
        let event = team_event(300, 8, 3, 5);
        assert_eq!(event.teams.len(), 100);
        let types: HashSet<_> = event
            .workouts
            .iter()
            .map(|workout| format!("{:?}", workout.score_type))
            .collect();
        assert!(types.len() >= 6);
        let ranked = event.ranked_workouts();
        let capped = ranked[1]
            .1
            .iter()
            .filter(|row| matches!(row.score, Some(Score::Capped { .. })))
            .count();
        assert!(capped > 0, "some athletes hit the cap");
        for (workout, rows) in &ranked[6..8] {
            assert!(matches!(
                workout.team_scoring,
                TeamScoring::SumAll | TeamScoring::BestN { .. }
            ));
            assert!(rows
                .iter()
                .all(|row| matches!(row.entrant, Entrant::Team(_))));
            assert!(rows.iter().any(|row| row.rank.is_some()));
        }
    }

    #[test]
    fn competitors_csv_round_trips() {
        for event in [demo_event(), large_individual_event(500, 12, 3, 9)] {
            let drafts =
                read_competitors_csv(event.competitors_csv().as_bytes(), "generated.csv").unwrap();
            assert_eq!(drafts.len(), event.competitors.len());
            for (draft, competitor) in drafts.iter().zip(&event.competitors) {
                assert_eq!(draft.bib, competitor.bib);
                assert_eq!(draft.first_name, competitor.first_name);
                assert_eq!(draft.last_name, competitor.last_name);
                assert_eq!(draft.gender, competitor.gender);
                assert_eq!(draft.date_of_birth, competitor.date_of_birth);
                assert_eq!(draft.country, competitor.country);
                assert_eq!(draft.club, competitor.club);
                assert_eq!(draft.chip_ids, competitor.chip_ids);
                assert_eq!(draft.external_ids, competitor.external_ids);
                assert_eq!(draft.para_class, competitor.para_class);
                let names: Vec<String> = competitor
                    .division_ids
                    .iter()
                    .map(|id| {
                        event
                            .divisions
                            .iter()
                            .find(|division| division.id == *id)
                            .unwrap()
                            .name
                            .clone()
                    })
                    .collect();
                assert_eq!(draft.division_names, names);
            }
        }
    }

    #[test]
    fn demo_event_is_small_and_complete() {
        let event = demo_event();
        assert_eq!(event.competitors.len(), 60);
        assert_eq!(event.divisions.len(), 4);
        assert_eq!(event.teams.len(), 20);
        assert!(event
            .workouts
            .iter()
            .any(|workout| workout.score_type == ScoreType::TimeCapped));
        assert!(event
            .workouts
            .iter()
            .any(|workout| workout.team_scoring == TeamScoring::SumAll));
        let ranked = event.ranked_workouts();
        assert!(ranked
            .iter()
            .all(|(_, rows)| rows.first().is_some_and(|row| row.rank == Some(1))));
        assert!(event
            .competitors
            .iter()
            .any(|competitor| competitor.division_ids.len() == 2));
    }
}
