//! The shapes the command layer sends to and receives from the UI.
//!
//! These are view types: plain data shaped for the screens, converted from
//! the core's model by exhaustive `From` impls so a new core variant is a
//! compile error here rather than a silent gap in the UI. Every type derives
//! [`ts_rs::TS`]; the test `bindings_are_current` in `src-tauri/bindings.rs`
//! writes them to `ui/src/api/bindings.ts` and fails when that file is stale.
//!
//! Identifiers and millisecond values are `i64` in Rust and `number` in
//! TypeScript: they stay far below 2^53.

use scoretable_core::model;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// A failed command, as the UI receives it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct CommandError {
    pub kind: ErrorKind,
    /// A complete sentence for the scorekeeper, naming the file, row or field at fault.
    pub message: String,
}

/// What went wrong, so the UI can react (for example focus the bib field).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// No competition file is open.
    NoCompetition,
    /// No competitor carries the typed bib.
    UnknownBib,
    /// The typed score or field value could not be read.
    InvalidValue,
    /// A workout, division or score that the request named does not exist.
    NotFound,
    /// The file could not be read or written.
    Storage,
    /// The scorekeeper closed a dialog without choosing a file.
    Cancelled,
    /// The typed tie-break time could not be read.
    InvalidTieBreak,
}

/// The open competition, shown in the header and on the start screen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct CompetitionSummary {
    /// The competition file on disk.
    pub path: String,
    pub name: String,
    pub slug: String,
    pub start_date: String,
    pub end_date: String,
    pub venue: String,
    pub country: String,
    pub organiser: String,
    pub time_zone: String,
    /// Set when the file is open for reading only, with the reason (a
    /// read-only file or folder, a full disk); the header says so.
    #[serde(default)]
    #[ts(optional = nullable)]
    pub read_only: Option<String>,
}

/// The details of a competition to create at `path`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct NewCompetition {
    /// Where to create the file; empty when a save dialog should ask.
    pub path: String,
    pub name: String,
    pub start_date: String,
    pub end_date: String,
    pub venue: String,
    pub country: String,
    pub organiser: String,
    pub time_zone: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum GenderView {
    Female,
    Male,
    Mixed,
    Other,
}

impl From<model::Gender> for GenderView {
    fn from(gender: model::Gender) -> Self {
        match gender {
            model::Gender::Female => GenderView::Female,
            model::Gender::Male => GenderView::Male,
            model::Gender::Mixed => GenderView::Mixed,
            model::Gender::Other => GenderView::Other,
        }
    }
}

impl From<GenderView> for model::Gender {
    fn from(gender: GenderView) -> Self {
        match gender {
            GenderView::Female => model::Gender::Female,
            GenderView::Male => model::Gender::Male,
            GenderView::Mixed => model::Gender::Mixed,
            GenderView::Other => model::Gender::Other,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum DivisionKindView {
    Gender,
    AgeGroup,
    Custom,
}

impl From<model::DivisionKind> for DivisionKindView {
    fn from(kind: model::DivisionKind) -> Self {
        match kind {
            model::DivisionKind::Gender => DivisionKindView::Gender,
            model::DivisionKind::AgeGroup => DivisionKindView::AgeGroup,
            model::DivisionKind::Custom => DivisionKindView::Custom,
        }
    }
}

impl From<DivisionKindView> for model::DivisionKind {
    fn from(kind: DivisionKindView) -> Self {
        match kind {
            DivisionKindView::Gender => model::DivisionKind::Gender,
            DivisionKindView::AgeGroup => model::DivisionKind::AgeGroup,
            DivisionKindView::Custom => model::DivisionKind::Custom,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct DivisionView {
    #[ts(type = "number")]
    pub id: i64,
    pub name: String,
    pub kind: DivisionKindView,
    pub gender: Option<GenderView>,
    pub min_age: Option<u32>,
    pub max_age: Option<u32>,
}

impl From<&model::Division> for DivisionView {
    fn from(division: &model::Division) -> Self {
        DivisionView {
            id: division.id,
            name: division.name.clone(),
            kind: division.kind.into(),
            gender: division.gender.map(GenderView::from),
            min_age: division.min_age,
            max_age: division.max_age,
        }
    }
}

/// A division to add.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct NewDivision {
    pub name: String,
    pub kind: DivisionKindView,
    pub gender: Option<GenderView>,
    pub min_age: Option<u32>,
    pub max_age: Option<u32>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ScoreTypeView {
    Time,
    TimeCapped,
    RoundsReps,
    Reps,
    Load,
    Distance,
    Points,
}

impl From<model::ScoreType> for ScoreTypeView {
    fn from(score_type: model::ScoreType) -> Self {
        match score_type {
            model::ScoreType::Time => ScoreTypeView::Time,
            model::ScoreType::TimeCapped => ScoreTypeView::TimeCapped,
            model::ScoreType::RoundsReps => ScoreTypeView::RoundsReps,
            model::ScoreType::Reps => ScoreTypeView::Reps,
            model::ScoreType::Load => ScoreTypeView::Load,
            model::ScoreType::Distance => ScoreTypeView::Distance,
            model::ScoreType::Points => ScoreTypeView::Points,
        }
    }
}

impl From<ScoreTypeView> for model::ScoreType {
    fn from(score_type: ScoreTypeView) -> Self {
        match score_type {
            ScoreTypeView::Time => model::ScoreType::Time,
            ScoreTypeView::TimeCapped => model::ScoreType::TimeCapped,
            ScoreTypeView::RoundsReps => model::ScoreType::RoundsReps,
            ScoreTypeView::Reps => model::ScoreType::Reps,
            ScoreTypeView::Load => model::ScoreType::Load,
            ScoreTypeView::Distance => model::ScoreType::Distance,
            ScoreTypeView::Points => model::ScoreType::Points,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum PublicationStateView {
    Provisional,
    Official,
}

impl From<model::PublicationState> for PublicationStateView {
    fn from(state: model::PublicationState) -> Self {
        match state {
            model::PublicationState::Provisional => PublicationStateView::Provisional,
            model::PublicationState::Official => PublicationStateView::Official,
        }
    }
}

impl From<PublicationStateView> for model::PublicationState {
    fn from(state: PublicationStateView) -> Self {
        match state {
            PublicationStateView::Provisional => model::PublicationState::Provisional,
            PublicationStateView::Official => model::PublicationState::Official,
        }
    }
}

/// How a workout separates equal scores.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum TieBreakView {
    /// Equal scores share a rank.
    None,
    /// A recorded tie-break time separates them (lower is better).
    TieBreakTime,
}

impl From<model::TieBreak> for TieBreakView {
    fn from(tie_break: model::TieBreak) -> Self {
        match tie_break {
            model::TieBreak::None => TieBreakView::None,
            model::TieBreak::TieBreakTime => TieBreakView::TieBreakTime,
        }
    }
}

impl From<TieBreakView> for model::TieBreak {
    fn from(tie_break: TieBreakView) -> Self {
        match tie_break {
            TieBreakView::None => model::TieBreak::None,
            TieBreakView::TieBreakTime => model::TieBreak::TieBreakTime,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct TimingPointView {
    #[ts(type = "number")]
    pub id: i64,
    pub order: u32,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct HeatView {
    #[ts(type = "number")]
    pub id: i64,
    pub name: String,
    pub start_time: Option<String>,
    pub lane_count: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct WorkoutView {
    #[ts(type = "number")]
    pub id: i64,
    pub name: String,
    pub sequence: u32,
    pub score_type: ScoreTypeView,
    #[ts(type = "number | null")]
    pub time_cap_ms: Option<i64>,
    /// Whether score entry asks for a tie-break time.
    pub tie_break: TieBreakView,
    pub state: PublicationStateView,
    pub timing_points: Vec<TimingPointView>,
    pub heats: Vec<HeatView>,
    /// A team workout (it ranks teams). A competition with team and
    /// individual workouts has a team overall beside the individual one.
    #[serde(default)]
    pub team: bool,
}

impl From<&model::Workout> for WorkoutView {
    fn from(workout: &model::Workout) -> Self {
        WorkoutView {
            id: workout.id,
            name: workout.name.clone(),
            sequence: workout.sequence,
            score_type: workout.score_type.into(),
            time_cap_ms: workout.time_cap_ms,
            tie_break: workout.tie_break.into(),
            state: workout.state.into(),
            team: scoretable_core::overall::is_team_workout(workout),
            timing_points: workout
                .timing_points
                .iter()
                .map(|point| TimingPointView {
                    id: point.id,
                    order: point.order,
                    name: point.name.clone(),
                })
                .collect(),
            heats: workout
                .heats
                .iter()
                .map(|heat| HeatView {
                    id: heat.id,
                    name: heat.name.clone(),
                    start_time: heat.start_time.clone(),
                    lane_count: heat.lanes.len() as u32,
                })
                .collect(),
        }
    }
}

/// A workout to add. The time cap is typed as the scorekeeper writes it
/// (`12:00`) and parsed by the core.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct NewWorkout {
    pub name: String,
    pub score_type: ScoreTypeView,
    /// Empty for no cap.
    pub time_cap: String,
    /// Timing point names in course order.
    pub timing_points: Vec<String>,
    /// Heat names in schedule order.
    pub heats: Vec<String>,
    /// Lanes per heat (0 for none).
    pub lanes_per_heat: u32,
    /// Whether equal scores are separated by a tie-break time (none when absent).
    #[serde(default)]
    #[ts(optional = nullable)]
    pub tie_break: Option<TieBreakView>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct CompetitorView {
    #[ts(type = "number")]
    pub id: i64,
    pub bib: String,
    pub first_name: String,
    pub last_name: String,
    pub gender: Option<GenderView>,
    pub country: Option<String>,
    pub club: Option<String>,
    #[ts(type = "number[]")]
    pub division_ids: Vec<i64>,
    pub division_names: Vec<String>,
}

/// The outcome of a competitor CSV import.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ImportSummary {
    /// The file that was imported.
    pub path: String,
    /// Rows read from the file.
    pub imported: u32,
    /// New bibs added.
    pub added: u32,
    /// Known bibs whose details changed.
    pub updated: u32,
}

/// Progress of a running import, sent as the `import-progress` event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ImportProgress {
    pub done: u32,
    pub total: u32,
}

/// A score typed at the table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct EnterScoreRequest {
    #[ts(type = "number")]
    pub workout_id: i64,
    pub bib: String,
    /// As typed: `12:03.4`, `CAP+41`, `5+12`, `DNF`, ...
    pub value: String,
    /// The tie-break time as typed (`8:15.2`), for a workout with a
    /// tie-break; absent or empty for none.
    #[serde(default)]
    #[ts(optional = nullable)]
    pub tie_break: Option<String>,
}

/// A stored entry, as the score-entry screen lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct EntryView {
    #[ts(type = "number")]
    pub entry_id: i64,
    #[ts(type = "number")]
    pub workout_id: i64,
    pub bib: String,
    pub name: String,
    /// The stored value as the core formats it.
    pub display: String,
    /// The entrant's place in the workout just after the entry; `null`
    /// for statuses (DNF, DNS, …). Later entries do not update it.
    pub place: Option<u32>,
}

/// A competitor found by bib, for the score-entry preview.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct AthletePreview {
    pub bib: String,
    pub name: String,
    pub division_names: Vec<String>,
    /// The current effective score in the chosen workout, if any.
    pub current_display: Option<String>,
}

/// A result status, as its code: lapped, not classified, did not finish,
/// did not qualify, withdrew, disqualified, did not start.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "UPPERCASE")]
pub enum StatusCodeView {
    Lap,
    Nc,
    Dnf,
    Dnq,
    Wd,
    Dsq,
    Dns,
}

impl From<model::Status> for StatusCodeView {
    fn from(status: model::Status) -> Self {
        match status {
            model::Status::Lap => StatusCodeView::Lap,
            model::Status::Nc => StatusCodeView::Nc,
            model::Status::Dnf => StatusCodeView::Dnf,
            model::Status::Dnq => StatusCodeView::Dnq,
            model::Status::Wd => StatusCodeView::Wd,
            model::Status::Dsq => StatusCodeView::Dsq,
            model::Status::Dns => StatusCodeView::Dns,
        }
    }
}

/// One row of a workout leaderboard.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct LeaderboardRowView {
    /// Place in the list shown (the division's place when a division is chosen).
    pub rank: Option<u32>,
    /// True when another row shares this rank.
    pub tied: bool,
    pub bib: String,
    pub name: String,
    /// `12:03.4`, `CAP+41`, `DNF`, or empty when no score yet.
    pub display: String,
    /// The status code (`DNF`, `DSQ`, ...) when the row has one.
    pub status: Option<StatusCodeView>,
    /// Behind the leader, formatted, for time scores.
    pub difference: Option<String>,
    /// The tie-break time (`7:59.0`) when the workout breaks ties on one and the row has it,
    /// so an official can see why two equal scores are ordered as they are.
    pub tie_break: Option<String>,
    /// The time penalty added to the score (`+0:15`), when it has one.
    #[serde(default)]
    #[ts(optional)]
    pub penalty: Option<String>,
    pub amended: bool,
    pub partial: bool,
    /// The row's place in each of its divisions (the screen names them).
    pub division_places: Vec<DivisionPlace>,
}

/// A place within one division, by the division's id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct DivisionPlace {
    #[ts(type = "number")]
    pub division_id: i64,
    pub rank: u32,
}

/// A whole workout board. The app sends boards a page at a time now; this
/// type is declared only for the UI's mock backend (`ui/src/api/mock.ts`
/// keeps its boards whole and pages them), through the generated bindings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(not(test), allow(dead_code))]
pub struct LeaderboardView {
    #[ts(type = "number")]
    pub workout_id: i64,
    pub workout_name: String,
    pub state: PublicationStateView,
    #[ts(type = "number | null")]
    pub division_id: Option<i64>,
    pub rows: Vec<LeaderboardRowView>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct OverallCellView {
    #[ts(type = "number")]
    pub workout_id: i64,
    pub rank: Option<u32>,
    #[ts(type = "number")]
    pub points: i64,
    pub display: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct OverallRowView {
    pub rank: u32,
    pub tied: bool,
    pub bib: String,
    pub name: String,
    #[ts(type = "number")]
    pub total: i64,
    pub cells: Vec<OverallCellView>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct WorkoutHeader {
    #[ts(type = "number")]
    pub id: i64,
    pub name: String,
    /// The overall column's heading: the name, with the team-workouts rule
    /// for a team workout (`Relay (team, not counted)`), from the engine.
    pub heading: String,
}

/// How team workouts count in individuals' overall totals.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum TeamWorkoutsRuleView {
    Excluded,
    TeamPlace,
}

impl From<scoretable_core::model::TeamWorkoutsInOverall> for TeamWorkoutsRuleView {
    fn from(rule: scoretable_core::model::TeamWorkoutsInOverall) -> Self {
        match rule {
            scoretable_core::model::TeamWorkoutsInOverall::Excluded => {
                TeamWorkoutsRuleView::Excluded
            }
            scoretable_core::model::TeamWorkoutsInOverall::TeamPlace => {
                TeamWorkoutsRuleView::TeamPlace
            }
        }
    }
}

impl From<TeamWorkoutsRuleView> for scoretable_core::model::TeamWorkoutsInOverall {
    fn from(rule: TeamWorkoutsRuleView) -> Self {
        match rule {
            TeamWorkoutsRuleView::Excluded => {
                scoretable_core::model::TeamWorkoutsInOverall::Excluded
            }
            TeamWorkoutsRuleView::TeamPlace => {
                scoretable_core::model::TeamWorkoutsInOverall::TeamPlace
            }
        }
    }
}

/// The overall settings stored in the file, as the setup screen shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct OverallSettingsView {
    pub team_workouts: TeamWorkoutsRuleView,
    /// The rule as a sentence (`Team workouts are not counted in ...`).
    pub team_workouts_note: String,
    /// The team workouts the rule applies to, by name.
    pub team_workout_names: Vec<String>,
}

/// A whole overall table. The app sends overall tables a page at a time;
/// like [`LeaderboardView`], this type is declared only for the UI's mock
/// backend (`ui/src/api/mock.ts`), through the generated bindings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(not(test), allow(dead_code))]
pub struct OverallView {
    #[ts(type = "number | null")]
    pub division_id: Option<i64>,
    pub workouts: Vec<WorkoutHeader>,
    pub rows: Vec<OverallRowView>,
}

/// A score found on the amendments screen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ScoreSummary {
    #[ts(type = "number")]
    pub workout_id: i64,
    pub bib: String,
    pub name: String,
    pub display: String,
    pub rank: Option<u32>,
    pub amended: bool,
}

/// One change in a score's append-only history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct HistoryEntryView {
    /// When, as an ISO 8601 timestamp.
    pub at: String,
    /// Who: the official, or the source (`manual`, `file`, `feed`).
    pub by: String,
    pub source: String,
    pub old_display: Option<String>,
    pub new_display: String,
    pub reason: Option<String>,
    pub appeal_reference: Option<String>,
}

/// An official's amendment of one score.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct AmendRequest {
    #[ts(type = "number")]
    pub workout_id: i64,
    pub bib: String,
    pub value: String,
    pub reason: String,
    pub appeal_reference: String,
    pub official: String,
}

/// One entrant whose place changed because of an amendment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct PlacementChangeView {
    pub bib: String,
    pub name: String,
    /// The division the place is in; `None` for the workout's overall place.
    pub division: Option<String>,
    pub old_rank: Option<u32>,
    pub new_rank: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct AmendOutcome {
    pub score: ScoreSummary,
    pub history: Vec<HistoryEntryView>,
    /// Who moved (overall first, then by division): the first
    /// `scoretable_usecase::boards::MOVED_LISTED` changes.
    pub impact: Vec<PlacementChangeView>,
    /// Every place that changed (overall and division places); more than
    /// `impact` holds when the list was cut.
    #[ts(type = "number")]
    pub impact_changes: u64,
    /// The distinct entrants whose place changed.
    #[ts(type = "number")]
    pub impact_entrants: u64,
}
