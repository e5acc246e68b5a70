//! The overall leaderboard: combining workout places into one standing.
//!
//! # Scope
//!
//! With a division, each workout contributes the entrant's place *within that
//! division* ([`RankedRow::division_ranks`]) and only the division's entrants
//! are listed; without one, overall places are used and every entrant with a
//! row in any workout is listed.
//!
//! The table ranks one kind of entrant: competitors when the competition has
//! an individual workout (the individual overall; teams are never ranked
//! against athletes), teams when every workout is a team workout (a team
//! competition). See [`overall_entrant_kind`]. A mixed event also has a
//! team overall (below).
//!
//! # Modes
//!
//! - **Rank sum** ([`OverallMode::RankSum`]): the total is the sum of the
//!   workout places, lower is better. A workout where the entrant has no place
//!   (no result, a status such as DNF or DNS, or an unrankable result) counts
//!   as one place below the last placed entrant in that workout and scope:
//!   *number of placed entrants + 1*.
//! - **Points table** ([`OverallMode::PointsTable`]): each place earns the
//!   table's points (index 0 is first place); places past the end of the table
//!   earn `floor`; no place (missing or status) earns 0. Tied entrants share a
//!   place and so earn the points of that shared place. Higher total is better.
//!   The default table ([`default_points_table`]) is 100, 95, 90, ... 10, 5
//!   for places 1 to 20, then 0.
//! - **Cumulative** ([`OverallMode::Cumulative`]): the workouts' own effective
//!   scores are added (milliseconds, reps, grams, millimetres or thousandths
//!   of a point). It needs one score family across all workouts (`Time` and
//!   `TimeCapped` count as one), and for rounds+reps the reps per round;
//!   [`validate_overall_mode`] checks this. Entrants with more counted
//!   workouts rank ahead of those with fewer (a capped time, a status or a
//!   missing result is not counted); then the total decides, lower for times,
//!   higher otherwise. A workout of another family contributes nothing and its
//!   cell says so.
//!
//! # Team workouts in the individual overall
//!
//! A team workout (any [`TeamScoring`] but `Individual`) ranks teams, not
//! competitors. How it counts in a *competitor's* row is the organiser's
//! rule for the competition ([`TeamWorkoutsInOverall`], stored with the
//! other overall settings):
//!
//! - **Excluded** (the default): the workout is left out of every
//!   competitor's total. The cell says `not counted` and earns nothing; it
//!   is not a missing place either (no "last + 1" in a rank sum).
//! - **Team place**: each member is credited with the place of their team
//!   (of their best-placed team when they are in several); in a division's
//!   table the team's place in that division when the team is ranked in it,
//!   otherwise its place among all teams; the cell shows the team's result.
//!   The credited place earns what an
//!   own place would (rank sum, points table); a member whose team has no
//!   place (or who is in no team) counts as one below the last placed team
//!   in a rank sum and earns 0 points. A cumulative overall adds scores, and
//!   a team's score is not its member's, so there team workouts are always
//!   left out of competitors' totals.
//!
//! The individual overall has no team rows (see Scope); a team
//! competition's overall counts each team's workouts.
//!
//! # The team overall of a mixed event
//!
//! A competition with team and individual workouts has a second table,
//! of teams ([`team_overall_standings`], [`has_team_overall`]): each team
//! is credited with its places in the team workouts, with the same mode
//! and tie-break as the individual overall; individual workouts are not
//! counted for teams (the cell says `not counted`, earns nothing and is no
//! missing place in a rank sum or a best-finish comparison), as team
//! competitions in the field (CrossFit-style team divisions) score team
//! events only. Its column heading says so: `Row (individual, not
//! counted)` ([`overall_column_heading_for`]), on every screen and export
//! that shows the table. The column heading of a
//! team workout names the rule ([`overall_column_heading`]): `Relay (team,
//! not counted)` or `Relay (team place)`, on every screen and in every
//! export.
//!
//! # Ties
//!
//! Equal totals are separated by the chosen [`OverallTieBreak`]:
//! `BestFinish` compares the entrants' places sorted best first (more first
//! places wins, then more second places, ...; a missing place is worst),
//! `Workout` prefers the better place in that workout (no place is worst),
//! `Equal` leaves them equal. Entrants still equal share a place with
//! standard competition ranking (1, 2, 2, 4) and are listed by bib
//! (numeric-aware, as on workout boards), then by entrant; without entrant
//! information ([`overall_leaderboard`]) by entrant.

use std::cmp::Ordering;
use std::collections::HashMap;
use std::io::Read;

use crate::import::{read_table, ImportError, Problems};
use crate::model::{
    Entrant, EntrantInfo, Id, OverallMode, OverallRow, OverallSettings, OverallTieBreak, RankedRow,
    Score, ScoreType, Team, TeamScoring, TeamWorkoutsInOverall, Workout,
};

/// 100, 95, 90, ... 10, 5: points for places 1 to 20; later places earn 0.
pub fn default_points_table() -> Vec<i64> {
    (1..=20).map(|place| 105 - 5 * place).collect()
}

/// The default points-table mode: [`default_points_table`] with a floor of 0.
pub fn default_points_mode() -> OverallMode {
    OverallMode::PointsTable {
        points: default_points_table(),
        floor: 0,
    }
}

/// Why a mode cannot combine the given workouts.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OverallError {
    #[error("a cumulative overall needs workouts of one score type, but \"{first}\" and \"{other}\" differ")]
    MixedScoreTypes { first: String, other: String },
    #[error("a cumulative overall of rounds+reps needs the reps per round of \"{workout}\"")]
    MissingRepsPerRound { workout: String },
}

/// Which score types can be added up together.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Family {
    Time,
    Reps,
    Load,
    Distance,
    Points,
}

pub(crate) fn family(workout: &Workout) -> Family {
    match workout.score_type {
        ScoreType::Time | ScoreType::TimeCapped => Family::Time,
        ScoreType::RoundsReps | ScoreType::Reps => Family::Reps,
        ScoreType::Load => Family::Load,
        ScoreType::Distance => Family::Distance,
        ScoreType::Points => Family::Points,
    }
}

/// Checks that `mode` can combine `workouts` (only cumulative has conditions).
pub fn validate_overall_mode(workouts: &[Workout], mode: &OverallMode) -> Result<(), OverallError> {
    if !matches!(mode, OverallMode::Cumulative) {
        return Ok(());
    }
    let Some(first) = workouts.first() else {
        return Ok(());
    };
    for workout in workouts {
        if family(workout) != family(first) {
            return Err(OverallError::MixedScoreTypes {
                first: first.name.clone(),
                other: workout.name.clone(),
            });
        }
        if workout.score_type == ScoreType::RoundsReps
            && workout
                .reps_per_round
                .is_none_or(|per_round| per_round <= 0)
        {
            return Err(OverallError::MissingRepsPerRound {
                workout: workout.name.clone(),
            });
        }
    }
    Ok(())
}

/// The value a row adds to a cumulative total, if it counts.
pub(crate) fn cumulative_value(workout: &Workout, row: &RankedRow) -> Option<i64> {
    row.rank?;
    match row.score? {
        Score::Time { ms } => Some(ms),
        Score::Capped { .. } => None,
        Score::RoundsReps { rounds, reps } => {
            let per_round = workout.reps_per_round.filter(|per_round| *per_round > 0)?;
            Some(rounds * per_round + reps)
        }
        Score::Reps { reps } => Some(reps),
        Score::Load { grams } => Some(grams),
        Score::Distance { mm } => Some(mm),
        Score::Points { milli } => Some(milli),
    }
}

/// Builds the overall leaderboard; division membership comes from the rows'
/// division places. See the module docs for the rules.
///
/// An entrant whose every row in scope is unplaced (statuses only) has no
/// division places, so it only appears in a division's table when called
/// through [`overall_leaderboard_for`] with entrant information.
pub fn overall_leaderboard(
    workouts: &[(Workout, Vec<RankedRow>)],
    division_id: Option<Id>,
    mode: &OverallMode,
    tie_break: OverallTieBreak,
) -> Vec<OverallRow> {
    overall_leaderboard_for(workouts, &[], division_id, mode, tie_break)
}

/// Like [`overall_leaderboard`], but an entrant also belongs to a division
/// when its [`EntrantInfo`] lists it, so status-only entrants are included.
/// Team workouts are left out of individuals' totals
/// ([`TeamWorkoutsInOverall::Excluded`]); [`overall_standings`] takes the rule.
pub fn overall_leaderboard_for(
    workouts: &[(Workout, Vec<RankedRow>)],
    entrants: &[EntrantInfo],
    division_id: Option<Id>,
    mode: &OverallMode,
    tie_break: OverallTieBreak,
) -> Vec<OverallRow> {
    overall_standings(
        workouts,
        entrants,
        &[],
        division_id,
        &OverallSettings {
            mode: mode.clone(),
            tie_break,
            team_workouts: TeamWorkoutsInOverall::Excluded,
        },
    )
}

/// Which entrants an overall table of these workouts ranks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OverallEntrants {
    /// The individual overall: competitors only.
    Competitors,
    /// A team competition's overall: teams only.
    Teams,
}

/// Competitors when any workout is individual, else teams: an overall
/// table never ranks teams against athletes.
pub fn overall_entrant_kind(workouts: &[&Workout]) -> OverallEntrants {
    if workouts.is_empty() || workouts.iter().any(|workout| !is_team_workout(workout)) {
        OverallEntrants::Competitors
    } else {
        OverallEntrants::Teams
    }
}

/// Whether the competition has team workouts beside individual ones (a
/// mixed event): then a team overall table
/// ([`team_overall_standings`]) ranks the teams beside the individual
/// overall. A competition of team workouts only has one table, of teams.
pub fn has_team_overall(workouts: &[&Workout]) -> bool {
    workouts.iter().any(|workout| is_team_workout(workout))
        && workouts.iter().any(|workout| !is_team_workout(workout))
}

/// The team overall table of a mixed event: teams ranked on their team
/// workouts' places with the competition's mode and tie-break, the
/// individual workouts not counted for teams (their cells say `not
/// counted`, earn nothing and are no missing place), as team competitions
/// in the field credit team events only. In a competition of team
/// workouts only it is the same table as [`overall_standings`].
pub fn team_overall_standings(
    workouts: &[(Workout, Vec<RankedRow>)],
    entrants: &[EntrantInfo],
    teams: &[Team],
    division_id: Option<Id>,
    settings: &OverallSettings,
) -> Vec<OverallRow> {
    crate::live_overall::LiveOverall::build_for(
        OverallEntrants::Teams,
        workouts,
        entrants,
        teams,
        division_id,
        settings,
    )
    .into_rows()
}

/// The column heading of `workout` in the overall table of `kind`: in
/// the individual overall as [`overall_column_heading`]; in a team
/// overall an individual workout says `(individual, not counted)`.
pub fn overall_column_heading_for(
    workout: &Workout,
    rule: TeamWorkoutsInOverall,
    kind: OverallEntrants,
) -> String {
    match kind {
        OverallEntrants::Competitors => overall_column_heading(workout, rule),
        OverallEntrants::Teams if !is_team_workout(workout) => {
            format!("{} (individual, not counted)", workout.name)
        }
        OverallEntrants::Teams => workout.name.clone(),
    }
}

/// The team overall's rule as a sentence for notes under the table.
pub const TEAM_OVERALL_SENTENCE: &str =
    "Teams are ranked on their team workouts; individual workouts are not counted in teams' totals.";

/// Whether `workout` ranks teams (any team scoring but `Individual`).
pub fn is_team_workout(workout: &Workout) -> bool {
    workout.team_scoring != TeamScoring::Individual
}

/// What the overall table's column of `workout` says about the team rule,
/// or `None` for an individual workout: `team, not counted` or `team place`.
pub fn team_column_note(workout: &Workout, rule: TeamWorkoutsInOverall) -> Option<&'static str> {
    if !is_team_workout(workout) {
        return None;
    }
    Some(match rule {
        TeamWorkoutsInOverall::Excluded => "team, not counted",
        TeamWorkoutsInOverall::TeamPlace => "team place",
    })
}

/// The overall table's column heading for `workout`: its name, with the
/// team rule in brackets for a team workout
/// (`Relay (team, not counted)`). Every screen and export uses it.
pub fn overall_column_heading(workout: &Workout, rule: TeamWorkoutsInOverall) -> String {
    match team_column_note(workout, rule) {
        Some(note) => format!("{} ({note})", workout.name),
        None => workout.name.clone(),
    }
}

/// The team rule as a sentence for notes under a table and help text.
pub fn team_rule_sentence(rule: TeamWorkoutsInOverall) -> &'static str {
    match rule {
        TeamWorkoutsInOverall::Excluded => {
            "Team workouts are not counted in individuals' overall totals."
        }
        TeamWorkoutsInOverall::TeamPlace => {
            "In team workouts each member is credited with the team's place."
        }
    }
}

/// The overall table with every setting: like [`overall_leaderboard_for`],
/// and team workouts count for competitors as `settings.team_workouts`
/// says (see the module docs); `teams` gives the members for
/// [`TeamWorkoutsInOverall::TeamPlace`].
pub fn overall_standings(
    workouts: &[(Workout, Vec<RankedRow>)],
    entrants: &[EntrantInfo],
    teams: &[Team],
    division_id: Option<Id>,
    settings: &OverallSettings,
) -> Vec<OverallRow> {
    crate::live_overall::LiveOverall::build(workouts, entrants, teams, division_id, settings)
        .into_rows()
}

/// No place, as the rules keep it: after every place (a missing place sorts
/// last in a tie-break workout and in the best-finish comparison).
pub const NO_PLACE: u32 = u32::MAX;

/// How one column of an overall table counts, from its workout, the kind
/// of entrant the table ranks and the settings ([`OverallRules::new`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ColumnRule {
    /// A workout of the other kind of entrant: a team workout in a
    /// competitors' table (left out or credited), an individual workout in
    /// a teams' table (left out).
    pub left_out: bool,
    /// Team places are credited to members (`TeamPlace`, not cumulative).
    pub credits: bool,
    /// In a cumulative overall: the workout's score family is the first
    /// workout's (else the column adds nothing).
    pub family_matches: bool,
}

/// What one cell of an entrant is computed from ([`OverallRules::cell`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CellInput {
    /// The entrant's own row in the column: its place in the table's
    /// scope (`None` without a row or without a place), the value it adds
    /// to a cumulative total ([`OverallRules::cumulative_value`]), and the
    /// column's rows (of the table's kind) with a place in scope.
    Own {
        place: Option<u32>,
        cumulative: Option<i64>,
        placed: i64,
    },
    /// A member's credit in a credited team workout
    /// ([`OverallRules::credits_member`]): the place of their best-placed
    /// team ([`better_credit`]), and the column's teams with a place among
    /// all teams.
    Credited {
        place: Option<u32>,
        placed_teams: i64,
    },
}

/// Where a cell's display comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CellShown {
    /// The entrant's own row's display (`""` without a row).
    Row,
    /// The credited team's row's display.
    Credit,
    /// A fixed text ([`CellShown::text`]).
    Text(&'static str),
}

/// One cell of an overall row: the place counted (for tie-breaks), the
/// points, whether it counts towards a cumulative overall's count of
/// workouts, and where its display comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cell {
    pub place: Option<u32>,
    pub points: i64,
    pub counts: bool,
    pub shown: CellShown,
}

/// The rules one overall table's cells and standings are computed with:
/// the one place they are written. [`crate::live_overall::LiveOverall`]
/// (the engine's overall, kept up to date in the app) and the exports'
/// tables computed in bounded memory both compute every cell with
/// [`OverallRules::cell`], every standing with
/// [`OverallRules::standing_key`], compare two with
/// [`OverallRules::compare_standings`], list ties with [`compare_listed`]
/// and share places with [`shared_place`].
#[derive(Debug, Clone)]
pub struct OverallRules {
    mode: OverallMode,
    lower_total_wins: bool,
    tie_break_column: Option<usize>,
    best_finish: bool,
    columns: Vec<ColumnRule>,
}

impl OverallRules {
    /// The rules of the table of `workouts` (its columns, in order)
    /// ranking `kind` with `settings`.
    pub fn new(
        kind: OverallEntrants,
        workouts: &[&Workout],
        settings: &OverallSettings,
    ) -> OverallRules {
        let cumulative_family = workouts.first().map(|workout| family(workout));
        let cumulative = matches!(settings.mode, OverallMode::Cumulative);
        let team_place = settings.team_workouts == TeamWorkoutsInOverall::TeamPlace;
        let lower_total_wins = match settings.mode {
            OverallMode::RankSum => true,
            OverallMode::PointsTable { .. } => false,
            OverallMode::Cumulative => cumulative_family == Some(Family::Time),
        };
        let tie_break_column = match settings.tie_break {
            OverallTieBreak::Workout { workout_id } => {
                workouts.iter().position(|workout| workout.id == workout_id)
            }
            _ => None,
        };
        let columns = workouts
            .iter()
            .map(|workout| {
                let team_for_competitors =
                    is_team_workout(workout) && kind == OverallEntrants::Competitors;
                ColumnRule {
                    left_out: team_for_competitors
                        || (!is_team_workout(workout) && kind == OverallEntrants::Teams),
                    credits: team_for_competitors && team_place && !cumulative,
                    family_matches: cumulative_family == Some(family(workout)),
                }
            })
            .collect();
        OverallRules {
            mode: settings.mode.clone(),
            lower_total_wins,
            tie_break_column,
            best_finish: settings.tie_break == OverallTieBreak::BestFinish,
            columns,
        }
    }

    /// Columns.
    pub fn width(&self) -> usize {
        self.columns.len()
    }

    pub fn column(&self, at: usize) -> ColumnRule {
        self.columns[at]
    }

    pub fn mode(&self) -> &OverallMode {
        &self.mode
    }

    /// The column whose place breaks ties (`OverallTieBreak::Workout`).
    pub fn tie_break_column(&self) -> Option<usize> {
        self.tie_break_column
    }

    /// Ties are broken by best finish: [`OverallRules::compare_standings`]
    /// reads the places sorted best first.
    pub fn best_finish(&self) -> bool {
        self.best_finish
    }

    /// Whether column `at`'s cell of `entrant` is a member's credit
    /// ([`CellInput::Credited`]) rather than its own row.
    pub fn credits_member(&self, at: usize, entrant: Entrant) -> bool {
        let column = self.columns[at];
        column.left_out && column.credits && matches!(entrant, Entrant::Competitor(_))
    }

    /// The value `row` (of column `workout`) adds to a cumulative total:
    /// read in a cumulative overall only.
    pub fn cumulative_value(&self, workout: &Workout, row: &RankedRow) -> Option<i64> {
        match self.mode {
            OverallMode::Cumulative => cumulative_value(workout, row),
            _ => None,
        }
    }

    /// Column `at`'s cell from `input` (see the module docs for the rules).
    #[inline]
    pub fn cell(&self, at: usize, input: CellInput) -> Cell {
        let column = self.columns[at];
        if column.left_out {
            if let (
                true,
                CellInput::Credited {
                    place,
                    placed_teams,
                },
            ) = (column.credits, input)
            {
                let points = match &self.mode {
                    OverallMode::RankSum => place.map_or(placed_teams + 1, i64::from),
                    OverallMode::PointsTable { points, floor } => {
                        place.map_or(0, |place| table_points(points, *floor, place))
                    }
                    OverallMode::Cumulative => 0,
                };
                return Cell {
                    place,
                    points,
                    counts: false,
                    shown: CellShown::Credit,
                };
            }
            // Left out: no place, no points, not a missing place for the
            // best-finish tie-break (a cumulative overall adds scores, and
            // a team's score is not the member's, nor a member's the team's).
            return Cell {
                place: None,
                points: 0,
                counts: false,
                shown: CellShown::Text("not counted"),
            };
        }
        let (place, cumulative, placed) = match input {
            CellInput::Own {
                place,
                cumulative,
                placed,
            } => (place, cumulative, placed),
            CellInput::Credited { .. } => (None, None, 0),
        };
        let own = |points| Cell {
            place,
            points,
            counts: false,
            shown: CellShown::Row,
        };
        match &self.mode {
            OverallMode::RankSum => own(place.map_or(placed + 1, i64::from)),
            OverallMode::PointsTable { points, floor } => {
                own(place.map_or(0, |place| table_points(points, *floor, place)))
            }
            OverallMode::Cumulative if !column.family_matches => Cell {
                place,
                points: 0,
                counts: false,
                shown: CellShown::Text("not counted: different score type"),
            },
            OverallMode::Cumulative => match place.and(cumulative) {
                Some(value) => Cell {
                    place,
                    points: value,
                    counts: true,
                    shown: CellShown::Row,
                },
                None => own(0),
            },
        }
    }

    /// An entrant's standing from its cells counted (`counted`), total and
    /// the tie-break workout's place ([`NO_PLACE`] for none; any value
    /// without a tie-break workout), as one integer: smaller is better
    /// (more counted cells first, then the total, lower or higher as the
    /// mode says, then the tie-break place). Equal keys tie unless the
    /// best finish separates them ([`OverallRules::compare_standings`]).
    #[inline]
    pub fn standing_key(&self, counted: u32, total: i64, tie_place: u32) -> u128 {
        // More counted cells first.
        let counted = u128::from(u32::MAX - counted);
        // The total as an order-preserving unsigned number, reversed when
        // the higher total wins.
        let total = (total as u64) ^ (1 << 63);
        let total = if self.lower_total_wins { total } else { !total };
        let tie = if self.tie_break_column.is_some() {
            tie_place
        } else {
            0
        };
        counted << 96 | u128::from(total) << 32 | u128::from(tie)
    }

    /// The tie-break workout's place among an entrant's cells' places
    /// (one per column, [`NO_PLACE`] for none), for
    /// [`OverallRules::standing_key`].
    #[inline]
    pub fn tie_place(&self, places: &[u32]) -> u32 {
        self.tie_break_column.map_or(0, |at| places[at])
    }

    /// Standing order of two entrants from their keys and (best finish
    /// only; else unread) their places sorted best first: `Equal` is a
    /// shared place.
    #[inline]
    pub fn compare_standings(
        &self,
        a_key: u128,
        a_sorted: &[u32],
        b_key: u128,
        b_sorted: &[u32],
    ) -> Ordering {
        a_key.cmp(&b_key).then_with(|| {
            if self.best_finish {
                a_sorted.cmp(b_sorted)
            } else {
                Ordering::Equal
            }
        })
    }
}

fn table_points(points: &[i64], floor: i64, place: u32) -> i64 {
    points.get(place as usize - 1).copied().unwrap_or(floor)
}

/// The place of `row` in the table's scope: its place for the whole field
/// (`None`), else its place in the division.
pub fn place_in_scope(row: &RankedRow, division_id: Option<Id>) -> Option<u32> {
    match division_id {
        None => row.rank,
        Some(division_id) => division_place(row, division_id),
    }
}

/// The place of `row` in division `division_id`, if it has one.
pub fn division_place(row: &RankedRow, division_id: Id) -> Option<u32> {
    row.division_ranks
        .iter()
        .find(|(id, _)| *id == division_id)
        .map(|(_, rank)| *rank)
}

/// Whether a row of an entrant (with `place` in scope) makes it a member
/// of the table: any row for the whole field, a place in the division for
/// a division. An entrant is listed when one of its rows does, or when its
/// information lists the table's division.
pub fn row_makes_member(division_scope: bool, place: Option<u32>) -> bool {
    !division_scope || place.is_some()
}

/// The place a team's row credits its members with in a division's table
/// (`division`: the team's place in it, when it is ranked there) or the
/// whole field's (`None`): the division place, else its place among all
/// teams (`overall`).
pub fn credited_place(overall: Option<u32>, division: Option<u32>) -> Option<u32> {
    division.or(overall)
}

/// Whether a member's team row with credited `place` replaces the credit
/// so far (`best`: its place and display; `(None, "")` before any): teams
/// are taken in the order they were given, a better place wins, a placed
/// team beats an unplaced one, and an unplaced team's display is taken
/// only while no display is known.
pub fn better_credit(best: (Option<u32>, &str), place: Option<u32>) -> bool {
    match (place, best.0) {
        (Some(new), Some(old)) => new < old,
        (Some(_), None) => true,
        (None, _) => best.1.is_empty(),
    }
}

/// Listing order of two entrants of equal standing: numeric-aware bib
/// ([`crate::ranking::compare_bibs`]), then entrant.
pub fn compare_listed(a_bib: &str, a: Entrant, b_bib: &str, b: Entrant) -> Ordering {
    crate::ranking::compare_bibs(a_bib, b_bib).then_with(|| a.cmp(&b))
}

/// The place shown at `position` (0-based) of a table's listing: shared
/// with the row before when their standings are equal (standard
/// competition ranking: 1, 2, 2, 4), else `position + 1`.
pub fn shared_place(position: usize, tied_with_previous: bool, previous_place: u32) -> u32 {
    if position > 0 && tied_with_previous {
        previous_place
    } else {
        position as u32 + 1
    }
}

/// Reads a custom points table from a `Rank,Points` CSV file.
///
/// The header must name a rank column (`rank`, `place`, `position`) and a
/// points column (`points`, `score`); ranks must be whole numbers covering
/// 1..n exactly once each, in any order; points are whole numbers. Every
/// problem is reported with its row and field.
pub fn parse_points_table_csv(reader: impl Read, file_name: &str) -> Result<Vec<i64>, ImportError> {
    let table = read_table(reader, file_name)?;
    let mut problems = Problems::new(file_name);
    let rank_column = table.column(&["rank", "place", "position"]);
    let points_column = table.column(&["points", "score"]);
    let (Some(rank_column), Some(points_column)) = (rank_column, points_column) else {
        problems.add(1, None, "needs a header with Rank and Points columns");
        return problems.finish(Vec::new());
    };
    let rank_field = table.header[rank_column].clone();
    let points_field = table.header[points_column].clone();
    let mut by_rank: HashMap<u32, (usize, i64)> = HashMap::new();
    for (row, fields) in &table.rows {
        let cell = |index: usize| fields.get(index).unwrap_or("");
        let rank = match cell(rank_column).parse::<u32>() {
            Ok(rank) if rank >= 1 => Some(rank),
            _ => {
                problems.add(
                    *row,
                    Some(&rank_field),
                    format!("expected a rank like 1, got \"{}\"", cell(rank_column)),
                );
                None
            }
        };
        let points_text = cell(points_column);
        let points = match points_text.parse::<i64>() {
            Ok(points) => Some(points),
            Err(_) => {
                problems.add(
                    *row,
                    Some(&points_field),
                    format!("expected whole points like 95, got \"{points_text}\""),
                );
                None
            }
        };
        if let (Some(rank), Some(points)) = (rank, points) {
            if let Some((first_row, _)) = by_rank.get(&rank) {
                problems.add(
                    *row,
                    Some(&rank_field),
                    format!("rank {rank} is already given in row {first_row}"),
                );
            } else {
                by_rank.insert(rank, (*row, points));
            }
        }
    }
    if table.rows.is_empty() {
        problems.add(1, None, "has no rows; expected at least rank 1");
    }
    let highest = by_rank.keys().copied().max().unwrap_or(0);
    let missing: Vec<String> = (1..=highest)
        .filter(|rank| !by_rank.contains_key(rank))
        .map(|rank| rank.to_string())
        .collect();
    if !missing.is_empty() {
        let last_row = table.rows.last().map_or(1, |(row, _)| *row);
        problems.add(
            last_row,
            Some(&rank_field),
            format!(
                "ranks must run 1 to {highest} without gaps; missing {}",
                missing.join(", ")
            ),
        );
    }
    let points = (1..=highest)
        .filter_map(|rank| by_rank.get(&rank).map(|(_, points)| *points))
        .collect();
    problems.finish(points)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Entrant;
    use crate::model::{ResultEntry, Source, Status};
    use crate::ranking::rank_workout;
    use crate::score::tests::workout;
    use proptest::prelude::*;
    use std::cmp::Ordering;

    fn ranked_row(id: Id, rank: Option<u32>, divisions: &[(Id, u32)]) -> RankedRow {
        RankedRow {
            entrant: Entrant::Competitor(id),
            rank,
            division_ranks: divisions.to_vec(),
            score: rank.map(|rank| Score::Reps {
                reps: 100 - rank as i64,
            }),
            status: if rank.is_none() {
                Some(Status::Dnf)
            } else {
                None
            },
            display: String::new(),
            difference_ms: None,
            splits: Vec::new(),
            tie_break_ms: None,
            penalty_ms: 0,
            partial: false,
            amended: false,
        }
    }

    fn reps_workout(id: Id) -> Workout {
        let mut reps = workout(ScoreType::Reps);
        reps.id = id;
        reps
    }

    fn standing(rows: &[OverallRow]) -> Vec<(Entrant, u32, i64)> {
        rows.iter()
            .map(|row| (row.entrant, row.rank, row.total))
            .collect()
    }

    #[test]
    fn default_table_runs_100_to_5() {
        let table = default_points_table();
        assert_eq!(table.len(), 20);
        assert_eq!(table[..3], [100, 95, 90]);
        assert_eq!(table[19], 5);
    }

    #[test]
    fn rank_sum_counts_missing_and_statuses_as_last_plus_one() {
        let workouts = vec![
            (
                reps_workout(1),
                vec![
                    ranked_row(1, Some(1), &[]),
                    ranked_row(2, Some(2), &[]),
                    ranked_row(3, None, &[]),
                ],
            ),
            (
                reps_workout(2),
                vec![ranked_row(3, Some(1), &[]), ranked_row(1, Some(2), &[])],
            ),
        ];
        let rows = overall_leaderboard(
            &workouts,
            None,
            &OverallMode::RankSum,
            OverallTieBreak::Equal,
        );
        // 1: 1 + 2 = 3. 2: 2 + (2 + 1) = 5. 3: (2 + 1) + 1 = 4.
        assert_eq!(
            standing(&rows),
            [
                (Entrant::Competitor(1), 1, 3),
                (Entrant::Competitor(3), 2, 4),
                (Entrant::Competitor(2), 3, 5)
            ]
        );
        assert_eq!(rows[2].cells[1].rank, None);
        assert_eq!(rows[2].cells[1].points, 3);
    }

    #[test]
    fn points_table_shares_points_and_uses_the_floor() {
        let workouts = vec![(
            reps_workout(1),
            vec![
                ranked_row(1, Some(1), &[]),
                ranked_row(2, Some(1), &[]),
                ranked_row(3, Some(3), &[]),
                ranked_row(4, None, &[]),
            ],
        )];
        let mode = OverallMode::PointsTable {
            points: vec![10, 8],
            floor: 1,
        };
        let rows = overall_leaderboard(&workouts, None, &mode, OverallTieBreak::Equal);
        assert_eq!(
            standing(&rows),
            [
                (Entrant::Competitor(1), 1, 10),
                (Entrant::Competitor(2), 1, 10),
                (Entrant::Competitor(3), 3, 1),
                (Entrant::Competitor(4), 4, 0),
            ]
        );
    }

    #[test]
    fn tie_breaks_best_finish_and_workout() {
        // Both total 4: entrant 1 has places 1 and 3, entrant 2 has 2 and 2.
        let workouts = vec![
            (
                reps_workout(1),
                vec![ranked_row(1, Some(1), &[]), ranked_row(2, Some(2), &[])],
            ),
            (
                reps_workout(2),
                vec![ranked_row(2, Some(2), &[]), ranked_row(1, Some(3), &[])],
            ),
        ];
        let best = overall_leaderboard(
            &workouts,
            None,
            &OverallMode::RankSum,
            OverallTieBreak::BestFinish,
        );
        assert_eq!(
            standing(&best),
            [
                (Entrant::Competitor(1), 1, 4),
                (Entrant::Competitor(2), 2, 4)
            ]
        );
        let by_second = overall_leaderboard(
            &workouts,
            None,
            &OverallMode::RankSum,
            OverallTieBreak::Workout { workout_id: 2 },
        );
        assert_eq!(
            standing(&by_second),
            [
                (Entrant::Competitor(2), 1, 4),
                (Entrant::Competitor(1), 2, 4)
            ]
        );
        let equal = overall_leaderboard(
            &workouts,
            None,
            &OverallMode::RankSum,
            OverallTieBreak::Equal,
        );
        assert_eq!(
            standing(&equal),
            [
                (Entrant::Competitor(1), 1, 4),
                (Entrant::Competitor(2), 1, 4)
            ]
        );
    }

    #[test]
    fn division_scope_uses_division_places() {
        let workouts = vec![(
            reps_workout(1),
            vec![
                ranked_row(1, Some(1), &[(7, 1)]),
                ranked_row(2, Some(2), &[(8, 1)]),
                ranked_row(3, Some(3), &[(7, 2)]),
            ],
        )];
        let rows = overall_leaderboard(
            &workouts,
            Some(7),
            &OverallMode::RankSum,
            OverallTieBreak::Equal,
        );
        assert_eq!(
            standing(&rows),
            [
                (Entrant::Competitor(1), 1, 1),
                (Entrant::Competitor(3), 2, 2)
            ]
        );
        let info = EntrantInfo {
            entrant: Entrant::Competitor(9),
            bib: "9".into(),
            name: "Nine".into(),
            division_ids: vec![7],
        };
        let with_info = overall_leaderboard_for(
            &workouts,
            &[info],
            Some(7),
            &OverallMode::RankSum,
            OverallTieBreak::Equal,
        );
        assert_eq!(
            with_info.last().map(|row| (row.entrant, row.total)),
            Some((Entrant::Competitor(9), 3))
        );
    }

    #[test]
    fn cumulative_adds_times_and_counts_completed_workouts_first() {
        let time = workout(ScoreType::Time);
        let result = |id: Id, ms: Option<i64>| ResultEntry {
            entrant: Entrant::Competitor(id),
            score: ms.map(|ms| Score::Time { ms }),
            status: if ms.is_none() {
                Some(Status::Dnf)
            } else {
                None
            },
            tie_break_ms: None,
            penalty_ms: 0,
            splits: Vec::new(),
            incidents: Vec::new(),
            source: Source::Manual,
            amended: false,
            partial: false,
        };
        let first = rank_workout(
            &time,
            &[],
            &[
                result(1, Some(100)),
                result(2, Some(50)),
                result(3, Some(10)),
            ],
        );
        let mut second_workout = time.clone();
        second_workout.id = 2;
        let second = rank_workout(
            &second_workout,
            &[],
            &[result(1, Some(100)), result(2, Some(200)), result(3, None)],
        );
        let rows = overall_leaderboard(
            &[(time, first), (second_workout, second)],
            None,
            &OverallMode::Cumulative,
            OverallTieBreak::Equal,
        );
        assert_eq!(
            standing(&rows),
            [
                (Entrant::Competitor(1), 1, 200),
                (Entrant::Competitor(2), 2, 250),
                (Entrant::Competitor(3), 3, 10)
            ]
        );
        assert!(validate_overall_mode(
            &[workout(ScoreType::Time), workout(ScoreType::Reps)],
            &OverallMode::Cumulative
        )
        .is_err());
        assert!(validate_overall_mode(
            &[workout(ScoreType::Time), workout(ScoreType::TimeCapped)],
            &OverallMode::Cumulative
        )
        .is_ok());
        assert!(
            validate_overall_mode(&[workout(ScoreType::RoundsReps)], &OverallMode::Cumulative)
                .is_err()
        );
    }

    fn team_row(id: Id, rank: Option<u32>, display: &str) -> RankedRow {
        let mut row = ranked_row(id, rank, &[]);
        row.entrant = Entrant::Team(id);
        row.display = display.to_string();
        row
    }

    fn relay(id: Id) -> Workout {
        let mut relay = reps_workout(id);
        relay.team_scoring = TeamScoring::SumAll;
        relay.name = "Relay".into();
        relay
    }

    fn team(id: Id, members: &[Id]) -> Team {
        Team {
            id,
            name: format!("Team {id}"),
            bib: None,
            country: None,
            division_ids: Vec::new(),
            members: members
                .iter()
                .enumerate()
                .map(|(order, competitor_id)| crate::model::TeamMember {
                    competitor_id: *competitor_id,
                    order: order as u32 + 1,
                })
                .collect(),
            external_ids: Default::default(),
        }
    }

    /// Competitors 1..=4 in one individual workout (places 1..=4) and a
    /// relay of two teams: team 10 (members 3, 4) first, team 11 (1, 2)
    /// second, team 12 (no members in the table) third.
    fn mixed_event() -> (Vec<(Workout, Vec<RankedRow>)>, Vec<Team>) {
        let workouts = vec![
            (
                reps_workout(1),
                (1..=4)
                    .map(|id| ranked_row(id, Some(id as u32), &[]))
                    .collect(),
            ),
            (
                relay(2),
                vec![
                    team_row(10, Some(1), "3:00"),
                    team_row(11, Some(2), "3:10"),
                    team_row(12, Some(3), "3:20"),
                ],
            ),
        ];
        let teams = vec![team(10, &[3, 4]), team(11, &[1, 2]), team(12, &[99])];
        (workouts, teams)
    }

    fn competitor_standing(rows: &[OverallRow]) -> Vec<(Id, u32, i64)> {
        rows.iter()
            .filter_map(|row| match row.entrant {
                Entrant::Competitor(id) => Some((id, row.rank, row.total)),
                Entrant::Team(_) => None,
            })
            .collect()
    }

    #[test]
    fn team_workouts_are_left_out_of_individual_totals_by_default() {
        let (workouts, teams) = mixed_event();
        let settings = OverallSettings::default();
        assert_eq!(settings.team_workouts, TeamWorkoutsInOverall::Excluded);
        let rows = overall_standings(&workouts, &[], &teams, None, &settings);
        // Before the rule every competitor got "3 placed teams + 1" = 4 for
        // the relay: totals 5, 6, 7, 8. Now only their own workout counts.
        assert_eq!(
            competitor_standing(&rows),
            [(1, 1, 1), (2, 2, 2), (3, 3, 3), (4, 4, 4)]
        );
        let cell = &rows[0].cells[1];
        assert_eq!(
            (cell.rank, cell.points, cell.display.as_str()),
            (None, 0, "not counted")
        );
        // The individual overall lists no team: a team is never ranked
        // against athletes (team 10 with its relay place 1 used to share
        // first place with competitor 1).
        assert!(
            rows.iter()
                .all(|row| matches!(row.entrant, Entrant::Competitor(_))),
            "{rows:?}"
        );
        assert_eq!(rows.len(), 4);
        // The old entry point is the default rule too.
        assert_eq!(
            overall_leaderboard_for(
                &workouts,
                &[],
                None,
                &OverallMode::RankSum,
                OverallTieBreak::BestFinish
            ),
            rows
        );
    }

    #[test]
    fn a_team_competitions_overall_ranks_teams_only() {
        let workouts = vec![
            (
                relay(1),
                vec![team_row(10, Some(2), "3:10"), team_row(11, Some(1), "3:00")],
            ),
            (
                relay(2),
                vec![team_row(10, Some(1), "2:00"), team_row(11, Some(2), "2:10")],
            ),
        ];
        let teams = vec![team(10, &[1, 2]), team(11, &[3, 4])];
        // A competitor in the division, with no row of their own, is not
        // listed among the teams.
        let infos = vec![EntrantInfo {
            entrant: Entrant::Competitor(1),
            bib: "1".into(),
            name: "Ada".into(),
            division_ids: vec![5],
        }];
        for division in [None, Some(5)] {
            let rows = overall_standings(
                &workouts,
                &infos,
                &teams,
                division,
                &OverallSettings::default(),
            );
            let listed: Vec<Entrant> = rows.iter().map(|row| row.entrant).collect();
            if division.is_none() {
                assert_eq!(listed, [Entrant::Team(10), Entrant::Team(11)], "{rows:?}");
                assert_eq!(rows[0].total, 3);
            } else {
                assert!(
                    listed
                        .iter()
                        .all(|entrant| matches!(entrant, Entrant::Team(_))),
                    "{rows:?}"
                );
            }
        }
    }

    #[test]
    fn team_place_credits_each_member_with_the_teams_place() {
        let (workouts, teams) = mixed_event();
        let settings = OverallSettings {
            team_workouts: TeamWorkoutsInOverall::TeamPlace,
            ..OverallSettings::default()
        };
        let rows = overall_standings(&workouts, &[], &teams, None, &settings);
        // 1: 1 + 2 = 3, 2: 2 + 2 = 4, 3: 3 + 1 = 4, 4: 4 + 1 = 5; 2 and 3
        // tie on 4 and best finish puts 3 (a first place) ahead.
        assert_eq!(
            competitor_standing(&rows),
            [(1, 1, 3), (3, 2, 4), (2, 3, 4), (4, 4, 5)]
        );
        let three = rows
            .iter()
            .find(|row| row.entrant == Entrant::Competitor(3))
            .unwrap();
        assert_eq!(three.cells[1].rank, Some(1));
        // The team's result, as the column heading says "team place".
        assert_eq!(three.cells[1].display, "3:00");

        // Points table: the credited place earns its points.
        let points = OverallSettings {
            mode: OverallMode::PointsTable {
                points: vec![10, 8, 6, 4],
                floor: 0,
            },
            ..settings.clone()
        };
        let rows = overall_standings(&workouts, &[], &teams, None, &points);
        assert_eq!(
            competitor_standing(&rows),
            [(1, 1, 18), (3, 2, 16), (2, 3, 16), (4, 4, 14)]
        );

        // A member whose team has no place counts as one below the last
        // placed team; a competitor in no team likewise.
        let mut unplaced = workouts.clone();
        unplaced[1].1[1] = team_row(11, None, "DNF");
        let rows = overall_standings(&unplaced, &[], &teams, None, &settings);
        let one = rows
            .iter()
            .find(|row| row.entrant == Entrant::Competitor(1))
            .unwrap();
        assert_eq!((one.cells[1].rank, one.cells[1].points), (None, 3));
        assert_eq!(one.total, 1 + 3);

        // Cumulative adds scores: team workouts stay out for competitors.
        let cumulative = OverallSettings {
            mode: OverallMode::Cumulative,
            ..settings
        };
        let rows = overall_standings(&workouts, &[], &teams, None, &cumulative);
        assert!(rows
            .iter()
            .filter(|row| matches!(row.entrant, Entrant::Competitor(_)))
            .all(|row| row.cells[1].display == "not counted" && row.cells[1].points == 0));
    }

    #[test]
    fn team_place_in_a_division_uses_the_teams_division_place() {
        let (mut workouts, teams) = mixed_event();
        for row in &mut workouts[0].1 {
            row.division_ranks = vec![(7, row.rank.unwrap())];
        }
        // Team 11 is second overall but first in division 7.
        workouts[1].1[1].division_ranks = vec![(7, 1)];
        let settings = OverallSettings {
            team_workouts: TeamWorkoutsInOverall::TeamPlace,
            ..OverallSettings::default()
        };
        let rows = overall_standings(&workouts, &[], &teams, Some(7), &settings);
        // 1: 1 + 1, 2: 2 + 1, 3: 3 + 1 (team 10 has no division place: its
        // place among all teams), 4: 4 + 1.
        assert_eq!(
            competitor_standing(&rows),
            [(1, 1, 2), (2, 2, 3), (3, 3, 4), (4, 4, 5)]
        );
    }

    #[test]
    fn a_mixed_events_team_overall_ranks_teams_on_their_team_workouts() {
        let (mut workouts, teams) = mixed_event();
        // A second relay where team 12 wins: 10 = 1 + 3, 11 = 2 + 2,
        // 12 = 3 + 1 in a rank sum; best finish separates them.
        workouts.push((
            relay(3),
            vec![
                team_row(10, Some(3), "4:00"),
                team_row(11, Some(2), "3:50"),
                team_row(12, Some(1), "3:40"),
            ],
        ));
        let refs: Vec<&Workout> = workouts.iter().map(|(workout, _)| workout).collect();
        assert!(has_team_overall(&refs));
        assert!(
            !has_team_overall(&refs[1..]),
            "team workouts only: one table"
        );
        assert!(!has_team_overall(&refs[..1]), "individual only: one table");
        let settings = OverallSettings::default();
        let rows = team_overall_standings(&workouts, &[], &teams, None, &settings);
        let standing: Vec<(Entrant, u32, i64)> = rows
            .iter()
            .map(|row| (row.entrant, row.rank, row.total))
            .collect();
        // All three total 4; team 10 and 12 have a first place each and
        // list by entrant; 11's best is second.
        assert_eq!(
            standing,
            [
                (Entrant::Team(10), 1, 4),
                (Entrant::Team(12), 1, 4),
                (Entrant::Team(11), 3, 4)
            ]
        );
        // The individual workout counts nothing for teams: no constant
        // "placed + 1", no missing place.
        for row in &rows {
            let cell = &row.cells[0];
            assert_eq!(
                (cell.rank, cell.points, cell.display.as_str()),
                (None, 0, "not counted")
            );
        }
        // The individual overall is unchanged by the team table's rule.
        let individual = overall_standings(&workouts, &[], &teams, None, &settings);
        assert!(individual
            .iter()
            .all(|row| matches!(row.entrant, Entrant::Competitor(_))));
        // Points table: the teams' relay points alone.
        let points = OverallSettings {
            mode: OverallMode::PointsTable {
                points: vec![10, 8, 6],
                floor: 0,
            },
            ..settings
        };
        let rows = team_overall_standings(&workouts, &[], &teams, None, &points);
        assert_eq!(rows[0].total, 16);
        assert!(rows.iter().all(|row| row.cells[0].points == 0));
        // A division's team table lists the teams whose information names
        // the division.
        let infos = vec![EntrantInfo {
            entrant: Entrant::Team(11),
            bib: "T11".into(),
            name: "Eleven".into(),
            division_ids: vec![5],
        }];
        let rows = team_overall_standings(&workouts, &infos, &teams, Some(5), &points);
        assert_eq!(
            rows.iter().map(|row| row.entrant).collect::<Vec<_>>(),
            [Entrant::Team(11)]
        );
        // The heading says the individual workout is not counted.
        assert_eq!(
            overall_column_heading_for(
                &reps_workout(1),
                TeamWorkoutsInOverall::TeamPlace,
                OverallEntrants::Teams
            ),
            format!("{} (individual, not counted)", reps_workout(1).name)
        );
        assert_eq!(
            overall_column_heading_for(
                &relay(2),
                TeamWorkoutsInOverall::TeamPlace,
                OverallEntrants::Teams
            ),
            relay(2).name
        );
        assert_eq!(
            overall_column_heading_for(
                &relay(2),
                TeamWorkoutsInOverall::TeamPlace,
                OverallEntrants::Competitors
            ),
            "Relay (team place)"
        );
    }

    #[test]
    fn column_headings_name_the_rule() {
        assert_eq!(
            overall_column_heading(&relay(2), TeamWorkoutsInOverall::Excluded),
            "Relay (team, not counted)"
        );
        assert_eq!(
            overall_column_heading(&relay(2), TeamWorkoutsInOverall::TeamPlace),
            "Relay (team place)"
        );
        let mut row = reps_workout(1);
        row.name = "Row".into();
        assert_eq!(
            overall_column_heading(&row, TeamWorkoutsInOverall::TeamPlace),
            "Row"
        );
        assert_eq!(
            TeamWorkoutsInOverall::parse("team-place"),
            Some(TeamWorkoutsInOverall::TeamPlace)
        );
        assert_eq!(TeamWorkoutsInOverall::parse("sideways"), None);
        // Settings written before the rule existed read as Excluded.
        let old: OverallSettings = serde_json::from_str(
            r#"{"mode":{"mode":"rank_sum"},"tie_break":{"mode":"best_finish"}}"#,
        )
        .unwrap();
        assert_eq!(old.team_workouts, TeamWorkoutsInOverall::Excluded);
    }

    #[test]
    fn points_table_csv() {
        let table =
            parse_points_table_csv("Rank,Points\n2,80\n1,100\n3,60\n".as_bytes(), "points.csv")
                .unwrap();
        assert_eq!(table, [100, 80, 60]);
        let error = parse_points_table_csv(
            "Rank;Points\n1;100\n1;90\nx;5\n4;abc\n".as_bytes(),
            "points.csv",
        )
        .unwrap_err();
        let message = error.to_string();
        assert!(
            message.contains("points.csv row 3, field \"Rank\": rank 1 is already given in row 2"),
            "{message}"
        );
        assert!(
            message.contains("points.csv row 4, field \"Rank\": expected a rank like 1, got \"x\""),
            "{message}"
        );
        assert!(
            message.contains(
                "points.csv row 5, field \"Points\": expected whole points like 95, got \"abc\""
            ),
            "{message}"
        );
        assert!(
            parse_points_table_csv("Rank,Points\n1,100\n3,60\n".as_bytes(), "p.csv")
                .unwrap_err()
                .to_string()
                .contains("missing 2")
        );
        assert!(parse_points_table_csv("Place\n1\n".as_bytes(), "p.csv").is_err());
    }

    #[test]
    fn tied_entrants_are_listed_by_bib_then_entrant() {
        // Entrants 1..=4 all tie; bibs say 10, 9, 2, and none (listed first:
        // an empty bib sorts before any other).
        let rows: Vec<RankedRow> = (1..=4).map(|id| ranked_row(id, Some(1), &[])).collect();
        let infos: Vec<EntrantInfo> = [(1, "10"), (2, "9"), (3, "2")]
            .iter()
            .map(|(id, bib)| EntrantInfo {
                entrant: Entrant::Competitor(*id),
                bib: bib.to_string(),
                name: String::new(),
                division_ids: Vec::new(),
            })
            .collect();
        let board = overall_leaderboard_for(
            &[(reps_workout(1), rows)],
            &infos,
            None,
            &OverallMode::RankSum,
            OverallTieBreak::BestFinish,
        );
        let order: Vec<Entrant> = board.iter().map(|row| row.entrant).collect();
        assert_eq!(
            order,
            [4, 3, 2, 1].map(Entrant::Competitor),
            "no bib, then bibs 2, 9, 10"
        );
        assert!(board.iter().all(|row| row.rank == 1));
    }

    proptest! {
        #[test]
        fn the_overall_table_never_depends_on_input_order(
            places in proptest::collection::vec(proptest::collection::vec(proptest::option::of(1_u32..4), 6), 1..4),
            bibs in proptest::collection::vec(0_u32..4, 6),
            seed: u64,
        ) {
            let workouts: Vec<(Workout, Vec<RankedRow>)> = places
                .iter()
                .enumerate()
                .map(|(workout_index, column)| {
                    let rows = column.iter().enumerate().map(|(entrant, place)| ranked_row(entrant as Id + 1, *place, &[(7, place.unwrap_or(9))])).collect();
                    (reps_workout(workout_index as Id + 1), rows)
                })
                .collect();
            let infos: Vec<EntrantInfo> = bibs.iter().enumerate().map(|(index, bib)| EntrantInfo {
                entrant: Entrant::Competitor(index as Id + 1),
                bib: bib.to_string(),
                name: String::new(),
                division_ids: vec![7],
            }).collect();
            // The same rows and entrants in another order.
            let mut state = seed;
            let mut shuffle = |length: usize| -> Vec<usize> {
                let mut order: Vec<usize> = (0..length).collect();
                for index in (1..length).rev() {
                    state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                    order.swap(index, (state >> 33) as usize % (index + 1));
                }
                order
            };
            let shuffled_workouts: Vec<(Workout, Vec<RankedRow>)> = workouts
                .iter()
                .map(|(workout, rows)| (workout.clone(), shuffle(rows.len()).into_iter().map(|index| rows[index].clone()).collect()))
                .collect();
            let shuffled_infos: Vec<EntrantInfo> = shuffle(infos.len()).into_iter().map(|index| infos[index].clone()).collect();
            for mode in [OverallMode::RankSum, default_points_mode()] {
                for scope in [None, Some(7)] {
                    for tie_break in [OverallTieBreak::Equal, OverallTieBreak::BestFinish] {
                        let expected = overall_leaderboard_for(&workouts, &infos, scope, &mode, tie_break);
                        let shuffled = overall_leaderboard_for(&shuffled_workouts, &shuffled_infos, scope, &mode, tie_break);
                        prop_assert_eq!(&shuffled, &expected);
                        for pair in expected.windows(2) {
                            if pair[0].rank == pair[1].rank {
                                let bib = |entrant: Entrant| bibs[match entrant { Entrant::Competitor(id) | Entrant::Team(id) => id as usize - 1 }].to_string();
                                prop_assert_ne!(crate::ranking::compare_bibs(&bib(pair[0].entrant), &bib(pair[1].entrant)), Ordering::Greater);
                            }
                        }
                    }
                }
            }
        }

        #[test]
        fn rank_sum_totals_are_the_sum_of_cells(places in proptest::collection::vec(proptest::collection::vec(proptest::option::of(1_u32..6), 1..8), 1..5)) {
            let workouts: Vec<(Workout, Vec<RankedRow>)> = places
                .iter()
                .enumerate()
                .map(|(workout_index, column)| {
                    let rows = column.iter().enumerate().map(|(entrant, place)| ranked_row(entrant as Id, *place, &[])).collect();
                    (reps_workout(workout_index as Id), rows)
                })
                .collect();
            for mode in [OverallMode::RankSum, default_points_mode()] {
                let rows = overall_leaderboard(&workouts, None, &mode, OverallTieBreak::BestFinish);
                for row in &rows {
                    prop_assert_eq!(row.total, row.cells.iter().map(|cell| cell.points).sum::<i64>());
                    prop_assert_eq!(row.cells.len(), workouts.len());
                }
                prop_assert!(rows.first().is_none_or(|row| row.rank == 1));
                for (position, pair) in rows.windows(2).enumerate() {
                    prop_assert!(pair[1].rank == pair[0].rank || pair[1].rank == position as u32 + 2);
                    if pair[1].rank == pair[0].rank {
                        prop_assert_eq!(pair[0].total, pair[1].total);
                    }
                    match mode {
                        OverallMode::RankSum => prop_assert!(pair[0].total <= pair[1].total),
                        _ => prop_assert!(pair[0].total >= pair[1].total),
                    }
                }
            }
        }
    }
}
