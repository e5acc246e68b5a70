//! The competition model shared by every layer.
//!
//! These types are plain data. The store persists them, the engine ranks them,
//! the CLI and the desktop app show them. All times are integer milliseconds,
//! all loads integer grams, all distances integer millimetres and all points
//! integer thousandths, so that no ranking ever depends on float rounding.

use serde::{Deserialize, Serialize};

/// Row identifiers are SQLite rowids.
pub type Id = i64;

/// A duration or clock time in whole milliseconds.
pub type Millis = i64;

/// The competition record (one per competition file).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Competition {
    pub name: String,
    /// Lowercase, no spaces; used in URLs by the result platforms.
    pub slug: String,
    /// `YYYY-MM-DD`.
    pub start_date: String,
    /// `YYYY-MM-DD`.
    pub end_date: String,
    pub venue: String,
    /// Three-letter IOC/ISO country code.
    pub country: String,
    pub organiser: String,
    /// IANA time zone name, e.g. `Europe/London`.
    pub time_zone: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Gender {
    Female,
    Male,
    Mixed,
    Other,
}

/// How a division selects its members.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DivisionKind {
    /// All competitors of one gender.
    Gender,
    /// One gender (or any) within an inclusive age range on the competition's first day.
    AgeGroup,
    /// Membership is assigned explicitly.
    Custom,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Division {
    pub id: Id,
    pub name: String,
    pub kind: DivisionKind,
    pub gender: Option<Gender>,
    pub min_age: Option<u32>,
    pub max_age: Option<u32>,
}

/// Identifiers a competitor carries in external systems (seeds 000-004).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ExternalIds {
    /// RunSignup `registration_id`.
    pub runsignup_registration_id: Option<String>,
    /// OpenTrack competitor id.
    pub opentrack_id: Option<String>,
    /// World Triathlon `athlete_id`.
    pub triathlon_athlete_id: Option<String>,
    /// Timing-feed participant id (e.g. the feed's `CompCornerID`).
    pub feed_participant_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Competitor {
    pub id: Id,
    pub bib: String,
    pub chip_ids: Vec<String>,
    pub first_name: String,
    pub last_name: String,
    pub gender: Option<Gender>,
    /// `YYYY-MM-DD`.
    pub date_of_birth: Option<String>,
    pub country: Option<String>,
    pub club: Option<String>,
    pub external_ids: ExternalIds,
    /// Divisions this competitor is ranked in.
    pub division_ids: Vec<Id>,
    /// Paratriathlon or other classification, e.g. `PTWC1`.
    pub para_class: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamMember {
    pub competitor_id: Id,
    /// 1-based leg or member order.
    pub order: u32,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Team {
    pub id: Id,
    pub name: String,
    pub bib: Option<String>,
    pub country: Option<String>,
    pub division_ids: Vec<Id>,
    pub members: Vec<TeamMember>,
    pub external_ids: ExternalIds,
}

/// What a score measures and which direction is better.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScoreType {
    /// Elapsed time, lower is better.
    Time,
    /// "For time" with a cap: finishers rank by time, capped athletes below all
    /// finishers by reps completed, shown as `CAP+reps`.
    TimeCapped,
    /// AMRAP rounds plus extra reps, higher is better.
    RoundsReps,
    Reps,
    Load,
    Distance,
    Points,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LoadUnit {
    Kg,
    Lb,
}

/// A score value in its canonical integer unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Score {
    Time {
        ms: Millis,
    },
    /// Hit the time cap in a `TimeCapped` workout with this many reps done.
    Capped {
        reps: i64,
    },
    RoundsReps {
        rounds: i64,
        reps: i64,
    },
    Reps {
        reps: i64,
    },
    Load {
        grams: i64,
    },
    Distance {
        mm: i64,
    },
    /// Thousandths of a point.
    Points {
        milli: i64,
    },
}

/// Non-finishing and non-classified statuses. They rank after all valid
/// results, in the order of [`Status::rank_order`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
pub enum Status {
    /// Lapped out (triathlon); ranks first among statuses.
    #[serde(rename = "LAP")]
    Lap,
    /// Not classified.
    #[serde(rename = "NC")]
    Nc,
    /// Did not finish.
    #[serde(rename = "DNF")]
    Dnf,
    /// Did not qualify.
    #[serde(rename = "DNQ")]
    Dnq,
    /// Withdrawn.
    #[serde(rename = "WD")]
    Wd,
    /// Disqualified. `DQ` (RunSignup) and `DSQ` (World Triathlon) both parse to this.
    #[serde(rename = "DSQ", alias = "DQ")]
    Dsq,
    /// Did not start; ranks last.
    #[serde(rename = "DNS")]
    Dns,
}

/// How raw times are reduced to the precision they are ranked and shown at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "mode", rename_all = "snake_case")]
pub enum Rounding {
    /// Rank on the raw milliseconds.
    Exact,
    /// Cut down to a multiple of `unit_ms`.
    Truncate { unit_ms: Millis },
    /// Round up to the next multiple of `unit_ms` (World Triathlon: `unit_ms = 1000`).
    Up { unit_ms: Millis },
    /// Round half up to the nearest multiple of `unit_ms`.
    Nearest { unit_ms: Millis },
}

/// How equal scores are separated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TieBreak {
    /// Equal scores share a rank (1, 2, 2, 4).
    None,
    /// A recorded tie-break time, lower is better; equal tie-break times still share a rank.
    TieBreakTime,
}

/// How a team's result in a workout is formed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "mode", rename_all = "snake_case")]
pub enum TeamScoring {
    /// Not a team workout: individuals are ranked.
    Individual,
    /// One chip (one result) per team.
    TeamChip,
    /// Sum of all members' results; partial until every member has one.
    SumAll,
    /// Sum of the best `n` members' results; partial until `n` members have one.
    BestN { n: u32 },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimingPoint {
    pub id: Id,
    /// 1-based order along the course (World Triathlon segment id).
    pub order: u32,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lane {
    pub lane: u32,
    pub competitor_id: Option<Id>,
    pub team_id: Option<Id>,
}

/// A heat, flight or round unit (OpenTrack "unit").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Heat {
    pub id: Id,
    pub name: String,
    /// ISO 8601 local start time, if scheduled.
    pub start_time: Option<String>,
    pub lanes: Vec<Lane>,
}

/// Whether a workout's results are still open to change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PublicationState {
    Provisional,
    Official,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Workout {
    pub id: Id,
    pub name: String,
    /// Position in the competition's schedule, 1-based.
    pub sequence: u32,
    pub score_type: ScoreType,
    pub time_cap_ms: Option<Millis>,
    /// Reps in one round, for `RoundsReps`; lets a round be compared with reps.
    pub reps_per_round: Option<i64>,
    pub load_unit: LoadUnit,
    pub tie_break: TieBreak,
    pub rounding: Rounding,
    pub team_scoring: TeamScoring,
    pub timing_points: Vec<TimingPoint>,
    pub heats: Vec<Heat>,
    pub state: PublicationState,
}

/// Who a result belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum Entrant {
    Competitor(Id),
    Team(Id),
}

/// The elapsed time at one timing point.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Split {
    pub timing_point_id: Id,
    /// Cumulative time from the start to this point.
    pub total_ms: Millis,
}

/// Where a result came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// Typed at the score table.
    Manual,
    /// Imported from a file.
    File,
    /// Polled from a timing system.
    Feed,
    /// Set by an official's amendment.
    Amendment,
}

/// A result as the engine ranks it: the effective value after amendments.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResultEntry {
    pub entrant: Entrant,
    /// `None` when only a status is known.
    pub score: Option<Score>,
    pub status: Option<Status>,
    pub tie_break_ms: Option<Millis>,
    /// Time penalty added to a time score before ranking.
    pub penalty_ms: Millis,
    pub splits: Vec<Split>,
    /// Incident notes in World Triathlon's incident wording.
    pub incidents: Vec<String>,
    pub source: Source,
    /// True once an official amendment set this value.
    pub amended: bool,
    /// True for a team result formed from only some of its members.
    pub partial: bool,
}

/// The divisions each entrant is ranked in, plus display data, as the engine needs it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntrantInfo {
    pub entrant: Entrant,
    pub bib: String,
    pub name: String,
    pub division_ids: Vec<Id>,
}

/// One timing point's standing for a ranked entrant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SplitStanding {
    pub timing_point_id: Id,
    pub total_ms: Millis,
    /// Time for this leg alone (since the previous recorded point).
    pub leg_ms: Millis,
    /// 1-based position at this point among everyone who reached it.
    pub position: u32,
    /// Behind the leader at this point.
    pub difference_ms: Millis,
}

/// A ranked row of a workout leaderboard.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RankedRow {
    pub entrant: Entrant,
    /// Overall place in the workout; `None` for statuses and empty results.
    pub rank: Option<u32>,
    /// Place within each of the entrant's divisions.
    pub division_ranks: Vec<(Id, u32)>,
    pub score: Option<Score>,
    pub status: Option<Status>,
    /// The score as shown: `12:03.4`, `CAP+41`, `5+12`, `DNF`.
    pub display: String,
    /// Behind the leader, for time scores.
    pub difference_ms: Option<Millis>,
    pub splits: Vec<SplitStanding>,
    pub tie_break_ms: Option<Millis>,
    /// The result's time penalty (0 for none), already added to a time
    /// score before ranking; shown so officials see why a time ranks where
    /// it does.
    #[serde(default)]
    pub penalty_ms: Millis,
    /// True for team results that still miss members.
    pub partial: bool,
    pub amended: bool,
}

/// How the overall leaderboard combines workouts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "mode", rename_all = "snake_case")]
pub enum OverallMode {
    /// Sum of workout ranks, lower is better.
    RankSum,
    /// Points by rank from a table (index 0 is first place); places past the
    /// end of the table score `floor`.
    PointsTable { points: Vec<i64>, floor: i64 },
    /// Sum of the workouts' own scores (only for workouts of one score type).
    Cumulative,
}

/// How equal overall totals are separated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "mode", rename_all = "snake_case")]
pub enum OverallTieBreak {
    /// More best finishes wins (count of 1st places, then 2nd places, ...).
    BestFinish,
    /// The better rank in the given workout wins.
    Workout { workout_id: Id },
    /// Leave them equal.
    Equal,
}

/// How a team workout counts in an individual competitor's overall
/// standing (the organiser picks one per competition; see
/// [`crate::overall`]). Team rows always count their own team workouts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TeamWorkoutsInOverall {
    /// Team workouts are left out of individuals' totals (the default).
    #[default]
    Excluded,
    /// Each member is credited with the team's place in the workout.
    TeamPlace,
}

impl TeamWorkoutsInOverall {
    /// The stored and command-line spelling: `excluded` or `team_place`.
    pub fn code(self) -> &'static str {
        match self {
            TeamWorkoutsInOverall::Excluded => "excluded",
            TeamWorkoutsInOverall::TeamPlace => "team_place",
        }
    }

    /// Reads `excluded` or `team_place` (also `team-place`).
    pub fn parse(text: &str) -> Option<TeamWorkoutsInOverall> {
        match text.trim().to_ascii_lowercase().replace('-', "_").as_str() {
            "excluded" | "exclude" => Some(TeamWorkoutsInOverall::Excluded),
            "team_place" => Some(TeamWorkoutsInOverall::TeamPlace),
            _ => None,
        }
    }
}

/// How the overall leaderboard is computed: the combining mode, the
/// tie-break and how team workouts count for individuals.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OverallSettings {
    pub mode: OverallMode,
    pub tie_break: OverallTieBreak,
    /// Missing in files written before the rule existed: `Excluded`.
    #[serde(default)]
    pub team_workouts: TeamWorkoutsInOverall,
}

impl Default for OverallSettings {
    fn default() -> Self {
        OverallSettings {
            mode: OverallMode::RankSum,
            tie_break: OverallTieBreak::BestFinish,
            team_workouts: TeamWorkoutsInOverall::Excluded,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OverallCell {
    pub workout_id: Id,
    pub rank: Option<u32>,
    /// Points earned (points table) or rank counted (rank-sum) or score (cumulative).
    pub points: i64,
    pub display: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OverallRow {
    pub entrant: Entrant,
    pub rank: u32,
    pub total: i64,
    pub cells: Vec<OverallCell>,
}

/// The place a row shows on a leaderboard for `division_id`: the workout
/// place for the whole field, the division place for a division. `None` for
/// statuses and empty results.
pub fn row_place(row: &RankedRow, division_id: Option<Id>) -> Option<u32> {
    row.rank?;
    match division_id {
        None => row.rank,
        Some(division) => row
            .division_ranks
            .iter()
            .find(|(id, _)| *id == division)
            .map(|(_, place)| *place),
    }
}

/// The human word for a gender, as exports and result platforms print it.
pub fn gender_text(gender: Option<Gender>) -> &'static str {
    match gender {
        Some(Gender::Female) => "Female",
        Some(Gender::Male) => "Male",
        Some(Gender::Mixed) => "Mixed",
        Some(Gender::Other) => "Other",
        None => "",
    }
}
