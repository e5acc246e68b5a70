//! The overall table kept in memory and brought up to date one workout
//! change at a time.
//!
//! [`LiveOverall::build`] computes the table from every workout's ranked
//! rows, with the rules of [`crate::overall`] (this is the one
//! implementation: [`crate::overall::overall_standings`] builds a
//! `LiveOverall` and returns its rows). [`LiveOverall::apply`] takes the
//! rows of one workout that changed (the entrant whose result was written
//! and everyone whose place moved: a [`crate::board::LiveBoard`]'s who-moved
//! list) and:
//!
//! 1. replaces those rows in that workout's column, recomputing only their
//!    cells (for a team workout credited to members, the cells of the changed
//!    teams' members);
//! 2. in a rank sum, when the number of placed entrants (or teams) of that
//!    workout changed, re-counts the "placed + 1" cell of every entrant
//!    without a place there, the one change that reaches past the who-moved
//!    list;
//! 3. adjusts those entrants' totals and tie-break places, takes them out
//!    of the listing, sorts them with the same order as a full build
//!    (total, tie-break, bib, entrant) and merges them back (by binary
//!    search when they are a few); entrants that join or leave the table
//!    (a first or last result) are inserted or removed the same way;
//! 4. re-counts the shared places from the first row that moved, stopping
//!    after the last one once places agree again.
//!
//! The work is proportional to who moved, and a field-wide move (a DNF near
//! the top moves everyone below up one place) touches every row, so every
//! step works on plain numbers: an entrant's cells are kept as places,
//! points and flags in flat arrays (one slot per column; the displays are
//! the columns' own and are looked up only when a row is shown), its
//! standing (cells counted, total, the tie-break workout's place) is one
//! integer and its position in bib order another, so comparing two rows
//! reads two numbers (and, for the best-finish tie-break on equal
//! standing, their sorted places). Rows that kept their relative order (a
//! block that moved by the same amount) are already sorted, which the sort
//! finds in one pass. Entrants are found by a dense id table, and a
//! column's rows are kept by entrant index.
//!
//! A property test applies random sequences of score changes (ties,
//! statuses, divisions, team workouts, every mode and tie-break) and
//! compares the kept table with a fresh build after each one.

use std::cmp::Ordering;
use std::ops::Range;

use crate::board::{EntrantIndex, LiveBoard, Moved, MovedPlaces};
use crate::fast_hash::{fast_hash_map, FastHashMap};
use crate::model::{
    Entrant, EntrantInfo, Id, OverallCell, OverallMode, OverallRow, OverallSettings, RankedRow,
    Team, Workout,
};
use crate::moves::PlaceChange;
use crate::overall::{
    better_credit, compare_listed, credited_place, division_place, overall_entrant_kind,
    place_in_scope, row_makes_member, shared_place, CellInput, CellShown, ColumnRule,
    OverallEntrants, OverallRules, NO_PLACE,
};

/// One workout's row of an entrant of the table's kind, as the table uses it.
#[derive(Debug, Clone)]
struct ColumnRow<'a> {
    /// The place in the table's scope (the workout's, or the division's).
    place: Option<u32>,
    display: &'a str,
    /// What the row adds to a cumulative total, if it counts (kept only
    /// in a cumulative overall, the one mode that reads it).
    cumulative: Option<i64>,
}

/// A team's row in a team workout whose places are credited to members.
#[derive(Debug, Clone)]
struct TeamRow {
    /// The team's place among all teams.
    overall: Option<u32>,
    /// Its place in the table's division, when it is ranked there.
    division: Option<u32>,
    display: String,
}

impl TeamRow {
    /// The place credited: in the division when the team is ranked there,
    /// else among all teams.
    fn place(&self) -> Option<u32> {
        credited_place(self.overall, self.division)
    }

    fn ranked(&self) -> bool {
        self.overall.is_some()
    }
}

/// A column's rows by candidate index, in flat vectors: the places (read
/// for every row that moves) apart from the displays (read when a row is
/// shown) and the cumulative values. The displays are kept in one string,
/// each row's as where it starts and its length (8 bytes a row, where a
/// `String` took 24 and an allocation of its own): a row written again
/// with another display appends the new text, and the text is packed
/// again when more than half of it is unused. Only the written rows of [`LiveOverall::apply`] change
/// a display (a move changes places), so this is rare.
#[derive(Debug, Clone, Default)]
struct Rows {
    /// `ROW_ABSENT`: no row; `ROW_UNPLACED`: a row without a place.
    places: Vec<u32>,
    /// Per row: where its display starts in `text`, and its length.
    displays: Vec<(u32, u32)>,
    text: String,
    /// Bytes of `text` no row's display uses.
    unused: usize,
    /// Empty until a row has a value (in a cumulative overall only).
    cumulative: Vec<Option<i64>>,
}

const ROW_ABSENT: u32 = u32::MAX;
const ROW_UNPLACED: u32 = u32::MAX - 1;

fn row_place(place: Option<u32>) -> u32 {
    place.map_or(ROW_UNPLACED, |place| place.min(ROW_UNPLACED - 1))
}

fn text_offset(at: usize) -> u32 {
    u32::try_from(at).expect("an overall column's displays fit in 4 GiB")
}

impl Rows {
    /// Rows for candidates `0..candidates` without growing.
    fn with_room(candidates: usize) -> Rows {
        Rows {
            places: Vec::with_capacity(candidates),
            displays: Vec::with_capacity(candidates),
            ..Rows::default()
        }
    }

    /// The row's place (`None` inside: no place), `None` without a row.
    fn place(&self, index: u32) -> Option<Option<u32>> {
        match self.places.get(index as usize).copied() {
            None | Some(ROW_ABSENT) => None,
            Some(ROW_UNPLACED) => Some(None),
            Some(place) => Some(Some(place)),
        }
    }

    /// Sets the place of an existing row; returns the old one (`None`
    /// without a row: nothing set).
    fn set_place(&mut self, index: u32, place: Option<u32>) -> Option<Option<u32>> {
        let old = self.place(index)?;
        self.places[index as usize] = row_place(place);
        Some(old)
    }

    fn display(&self, index: u32) -> &str {
        self.displays
            .get(index as usize)
            .map_or("", |&(start, length)| {
                &self.text[start as usize..(start + length) as usize]
            })
    }

    fn cumulative(&self, index: u32) -> Option<i64> {
        self.cumulative.get(index as usize).copied().flatten()
    }

    /// Sets the row; returns the old one's place (`None` without a row).
    fn insert(&mut self, index: u32, row: ColumnRow<'_>) -> Option<Option<u32>> {
        let old = self.remove(index);
        let at = index as usize;
        if self.places.len() <= at {
            self.places.resize(at + 1, ROW_ABSENT);
            self.displays.resize(at + 1, (0, 0));
        }
        self.places[at] = row_place(row.place);
        self.set_display(at, row.display);
        if row.cumulative.is_some() && self.cumulative.len() <= at {
            self.cumulative.resize(at + 1, None);
        }
        if let Some(value) = self.cumulative.get_mut(at) {
            *value = row.cumulative;
        }
        old
    }

    /// Takes the row out; returns its place (`None` without a row).
    fn remove(&mut self, index: u32) -> Option<Option<u32>> {
        let place = self.place(index)?;
        let at = index as usize;
        self.places[at] = ROW_ABSENT;
        if let Some(value) = self.cumulative.get_mut(at) {
            *value = None;
        }
        self.set_display(at, "");
        Some(place)
    }

    fn set_display(&mut self, at: usize, display: &str) {
        let (start, length) = self.displays[at];
        let old = &self.text[start as usize..(start + length) as usize];
        if old == display {
            return;
        }
        self.unused += old.len();
        self.displays[at] = (text_offset(self.text.len()), text_offset(display.len()));
        self.text.push_str(display);
        if self.unused > 64 && self.unused * 2 > self.text.len() {
            self.pack();
        }
    }

    /// Copies the displays into a new string without the unused text.
    fn pack(&mut self) {
        let mut text = String::with_capacity(self.text.len() - self.unused);
        for (start, length) in &mut self.displays {
            let from = *start as usize..(*start + *length) as usize;
            *start = text_offset(text.len());
            text.push_str(&self.text[from]);
        }
        self.text = text;
        self.unused = 0;
    }

    /// Frees what the columns reserved beyond what they hold.
    fn shrink_to_fit(&mut self) {
        self.places.shrink_to_fit();
        self.displays.shrink_to_fit();
        self.text.shrink_to_fit();
        self.cumulative.shrink_to_fit();
    }
}

/// One workout column.
#[derive(Debug, Clone)]
struct Column {
    workout: Workout,
    /// How the column counts ([`OverallRules::column`]).
    rule: ColumnRule,
    /// The rows of entrants of the table's kind, by candidate index.
    rows: Rows,
    /// Rows with a place in scope.
    placed: i64,
    team_rows: FastHashMap<Id, TeamRow>,
    /// Team rows with a place among all teams.
    placed_teams: i64,
    /// The candidate of each entry of the workout's board
    /// ([`LiveOverall::apply_moves`]: a block's rows are found by entry,
    /// without looking up entrants), `NO_CANDIDATE` for none yet, and the
    /// board's id it was made for.
    by_entry: Vec<u32>,
    by_entry_of: u64,
}

/// In `Column::by_entry`: no candidate.
const NO_CANDIDATE: u32 = u32::MAX;

/// An entrant of the table's kind, listed or not. Its cells are kept as
/// numbers in the table's flat arrays (one slot per column); a cell's
/// display is looked up only when the row is shown.
#[derive(Debug, Clone)]
struct Candidate {
    entrant: Entrant,
    /// Its information lists the table's division.
    in_division: bool,
    /// Columns whose row makes it a member (a row for the whole field, a
    /// place in the division for a division).
    reasons: u32,
    listed: bool,
    rank: u32,
    total: i64,
    counted: u32,
}

impl Candidate {
    fn member(&self) -> bool {
        self.in_division || self.reasons > 0
    }
}

/// The overall table of one scope kept in memory (see the module
/// documentation).
#[derive(Debug, Clone)]
pub struct LiveOverall {
    settings: OverallSettings,
    division_id: Option<Id>,
    kind: OverallEntrants,
    /// The cells' and standings' rules, shared with every other overall
    /// table ([`OverallRules`]).
    rules: OverallRules,
    /// Whether ties are broken by best finish (the sorted places are kept).
    best_finish: bool,
    columns: Vec<Column>,
    /// Columns: the stride of the flat cell arrays.
    width: usize,
    /// A competitor's teams, in the order the teams were given.
    teams_of: FastHashMap<Id, Vec<Id>>,
    /// A team's members.
    members_of: FastHashMap<Id, Vec<Id>>,
    candidates: Vec<Candidate>,
    /// Per candidate: where its bib starts in `bibs` and its length (`""`
    /// for a candidate made after the build, or without information).
    bib_spans: Vec<(u32, u32)>,
    bibs: String,
    /// Per candidate and column (`candidate * width + column`): the place
    /// counted for tie-breaks (`NO_PLACE` for none), the points, whether
    /// the cell counts towards a cumulative overall, and (best finish only)
    /// the candidate's places sorted best first.
    places: Vec<u32>,
    points: Vec<i64>,
    counts: Vec<bool>,
    sorted: Vec<u32>,
    /// What orders a listed candidate, as plain numbers: its standing
    /// (cells counted, total, the tie-break workout's place) in one
    /// integer, and its position in bib order (numeric-aware bib, then
    /// entrant) for listing ties. The best-finish tie-break compares the
    /// sorted places after the standing.
    standings: Vec<u128>,
    bib_ranks: Vec<u32>,
    /// Candidates in bib order (`bib_ranks` holds the positions).
    by_bib: Vec<u32>,
    index_of: EntrantIndex,
    /// Listed candidates, in listing order.
    order: Vec<u32>,
    /// Buffers [`LiveOverall::apply`] works in, kept from one call to the
    /// next: a field-wide move fills several vectors as long as the table,
    /// and fresh ones are fresh pages each time.
    scratch: Scratch,
}

/// [`LiveOverall`]'s working buffers (empty in a clone).
#[derive(Debug, Default)]
struct Scratch {
    touched: Vec<u32>,
    /// By candidate, all `false` between calls.
    moving: Vec<bool>,
    rest: Vec<u32>,
    back: Vec<u32>,
    /// The listing being made, swapped with the table's.
    order: Vec<u32>,
}

impl Clone for Scratch {
    fn clone(&self) -> Scratch {
        Scratch::default()
    }
}

fn of_kind(kind: OverallEntrants, entrant: Entrant) -> bool {
    match kind {
        OverallEntrants::Competitors => matches!(entrant, Entrant::Competitor(_)),
        OverallEntrants::Teams => matches!(entrant, Entrant::Team(_)),
    }
}

/// Each workout's ranked rows as [`LiveOverall::build_from_columns`]
/// reads them: column `i`'s entrants in listing order (the candidates are
/// numbered in that order), then its rows in the same order. Held rows
/// ([`LiveOverall::build_for_entrants`]) are one source; a caller with
/// compact boards makes the rows a batch at a time.
pub trait ColumnRows {
    /// Calls `each` with the entrant of every row of column `column`, in
    /// listing order.
    fn for_each_entrant(&self, column: usize, each: &mut dyn FnMut(Entrant));
    /// Calls `each` with every row of column `column`, in listing order.
    fn for_each_row(&self, column: usize, each: &mut dyn FnMut(&RankedRow));
}

/// Held rows, one column per workout.
struct HeldColumns<'a>(&'a [(Workout, Vec<RankedRow>)]);

impl ColumnRows for HeldColumns<'_> {
    fn for_each_entrant(&self, column: usize, each: &mut dyn FnMut(Entrant)) {
        for row in &self.0[column].1 {
            each(row.entrant);
        }
    }

    fn for_each_row(&self, column: usize, each: &mut dyn FnMut(&RankedRow)) {
        for row in &self.0[column].1 {
            each(row);
        }
    }
}

impl LiveOverall {
    /// The table of `workouts` for everyone (`division_id` `None`) or one
    /// division, ranking the kind of entrant [`overall_entrant_kind`]
    /// chooses. See [`crate::overall::overall_standings`] for the inputs.
    pub fn build(
        workouts: &[(Workout, Vec<RankedRow>)],
        entrants: &[EntrantInfo],
        teams: &[Team],
        division_id: Option<Id>,
        settings: &OverallSettings,
    ) -> LiveOverall {
        let kind = overall_entrant_kind(
            &workouts
                .iter()
                .map(|(workout, _)| workout)
                .collect::<Vec<_>>(),
        );
        LiveOverall::build_for(kind, workouts, entrants, teams, division_id, settings)
    }

    /// Like [`LiveOverall::build`], ranking `kind`: the team overall of a
    /// mixed event is `build_for(OverallEntrants::Teams, ...)`, where the
    /// individual workouts are left out of teams' totals
    /// ([`crate::overall::team_overall_standings`]).
    pub fn build_for(
        kind: OverallEntrants,
        workouts: &[(Workout, Vec<RankedRow>)],
        entrants: &[EntrantInfo],
        teams: &[Team],
        division_id: Option<Id>,
        settings: &OverallSettings,
    ) -> LiveOverall {
        LiveOverall::build_for_entrants(
            kind,
            workouts,
            entrants.len(),
            entrants.iter().map(|info| {
                (
                    info.entrant,
                    info.bib.as_str(),
                    info.division_ids.as_slice(),
                )
            }),
            teams,
            division_id,
            settings,
        )
    }

    /// [`LiveOverall::build_for`] with the entrants borrowed: each one's
    /// entrant, bib and division ids, in the order `build_for` takes
    /// [`EntrantInfo`]s (about `entrant_count` of them; it sizes the
    /// entrant index), so a caller that keeps them compact does not make
    /// an `EntrantInfo` for each.
    pub fn build_for_entrants<'e>(
        kind: OverallEntrants,
        workouts: &[(Workout, Vec<RankedRow>)],
        entrant_count: usize,
        entrants: impl IntoIterator<Item = (Entrant, &'e str, &'e [Id])>,
        teams: &[Team],
        division_id: Option<Id>,
        settings: &OverallSettings,
    ) -> LiveOverall {
        let listed: Vec<&Workout> = workouts.iter().map(|(workout, _)| workout).collect();
        LiveOverall::build_from_columns(
            kind,
            &listed,
            &HeldColumns(workouts),
            entrant_count,
            entrants,
            teams,
            division_id,
            settings,
        )
    }

    /// [`LiveOverall::build_for_entrants`] with each workout's rows read
    /// from `rows` (column `i` is `workouts[i]`'s) as they are walked, so a
    /// caller that keeps its boards compact (a frozen board makes its rows
    /// a batch at a time) never holds every workout's [`RankedRow`]s: the
    /// table keeps only each row's place, display and cumulative value.
    #[allow(clippy::too_many_arguments)]
    pub fn build_from_columns<'e>(
        kind: OverallEntrants,
        workouts: &[&Workout],
        rows: &dyn ColumnRows,
        entrant_count: usize,
        entrants: impl IntoIterator<Item = (Entrant, &'e str, &'e [Id])>,
        teams: &[Team],
        division_id: Option<Id>,
        settings: &OverallSettings,
    ) -> LiveOverall {
        let rules = OverallRules::new(kind, workouts, settings);
        let mut teams_of: FastHashMap<Id, Vec<Id>> = fast_hash_map(0);
        let mut members_of: FastHashMap<Id, Vec<Id>> = fast_hash_map(teams.len());
        for team in teams {
            for member in &team.members {
                teams_of
                    .entry(member.competitor_id)
                    .or_default()
                    .push(team.id);
                members_of
                    .entry(team.id)
                    .or_default()
                    .push(member.competitor_id);
            }
        }
        let mut table = LiveOverall {
            settings: settings.clone(),
            division_id,
            kind,
            best_finish: rules.best_finish(),
            rules,
            columns: Vec::with_capacity(workouts.len()),
            width: workouts.len(),
            teams_of,
            members_of,
            candidates: Vec::new(),
            bib_spans: Vec::new(),
            bibs: String::new(),
            places: Vec::new(),
            points: Vec::new(),
            counts: Vec::new(),
            sorted: Vec::new(),
            standings: Vec::new(),
            bib_ranks: Vec::new(),
            by_bib: Vec::new(),
            index_of: EntrantIndex::with_room(entrant_count),
            order: Vec::new(),
            scratch: Scratch::default(),
        };
        // Entrants are numbered in the order of the workouts' ranked rows
        // first, so that the rows a move touches (neighbours on a board)
        // are mostly neighbours in memory too.
        for column in 0..workouts.len() {
            rows.for_each_entrant(column, &mut |entrant| {
                if of_kind(kind, entrant) {
                    table.candidate(entrant);
                }
            });
        }
        for (entrant, bib, division_ids) in entrants {
            if of_kind(kind, entrant) {
                let index = table.candidate(entrant);
                table.bib_spans[index as usize] =
                    (text_offset(table.bibs.len()), text_offset(bib.len()));
                table.bibs.push_str(bib);
                let candidate = &mut table.candidates[index as usize];
                candidate.in_division =
                    division_id.is_some_and(|division_id| division_ids.contains(&division_id));
            }
        }
        table.shrink_candidates();
        for (at, workout) in workouts.iter().copied().enumerate() {
            let mut column = Column {
                workout: workout.clone(),
                rule: table.rules.column(at),
                rows: Rows::with_room(table.candidates.len()),
                placed: 0,
                team_rows: fast_hash_map(0),
                placed_teams: 0,
                by_entry: Vec::new(),
                by_entry_of: 0,
            };
            rows.for_each_row(at, &mut |row| {
                if column.rule.credits {
                    if let Entrant::Team(id) = row.entrant {
                        let team_row = table.team_row(row);
                        column.placed_teams += i64::from(team_row.ranked());
                        column.team_rows.insert(id, team_row);
                    }
                }
                if of_kind(kind, row.entrant) {
                    let column_row = table.column_row(workout, row);
                    let index = table.candidate(row.entrant);
                    let candidate = &mut table.candidates[index as usize];
                    let division_scope = division_id.is_some();
                    if row_makes_member(division_scope, column_row.place) {
                        candidate.reasons += 1;
                    }
                    column.placed += i64::from(column_row.place.is_some());
                    if let Some(old) = column.rows.insert(index, column_row) {
                        // A repeated row: the last one counts, as before.
                        column.placed -= i64::from(old.is_some());
                        if row_makes_member(division_scope, old) {
                            table.candidates[index as usize].reasons -= 1;
                        }
                    }
                }
            });
            column.rows.shrink_to_fit();
            table.columns.push(column);
        }
        let mut by_bib: Vec<u32> = (0..table.candidates.len() as u32).collect();
        // Bib, then entrant: a total order, so no stable sort (and its
        // buffer) is needed.
        by_bib.sort_unstable_by(|a, b| table.bib_order(*a, *b));
        for (position, index) in by_bib.iter().enumerate() {
            table.bib_ranks[*index as usize] = position as u32;
        }
        table.by_bib = by_bib;
        let mut order = Vec::with_capacity(table.candidates.len());
        for index in 0..table.candidates.len() {
            if table.candidates[index].member() {
                table.fill(index);
                order.push(index as u32);
            }
        }
        // Standing, then bib order: a total order (positions in bib order
        // differ), so an unstable sort lists the same.
        order.sort_unstable_by(|a, b| table.listing(*a, *b));
        order.shrink_to_fit();
        table.order = order;
        table.count_ranks(0, usize::MAX, true);
        table
    }

    /// The candidate index of `entrant`, created (bib `""`, not in the
    /// division) when new.
    fn candidate(&mut self, entrant: Entrant) -> u32 {
        if let Some(index) = self.index_of.get(entrant) {
            return index;
        }
        let index = self.candidates.len() as u32;
        self.candidates.push(Candidate {
            entrant,
            in_division: false,
            reasons: 0,
            listed: false,
            rank: 0,
            total: 0,
            counted: 0,
        });
        let slots = self.places.len() + self.width;
        self.places.resize(slots, NO_PLACE);
        self.points.resize(slots, 0);
        self.counts.resize(slots, false);
        if self.best_finish {
            self.sorted.resize(slots, NO_PLACE);
        }
        self.standings.push(0);
        self.bib_ranks.push(0);
        self.bib_spans.push((0, 0));
        self.index_of.insert(entrant, index);
        index
    }

    /// Frees what the per-candidate vectors reserved beyond what they hold
    /// (they grew one candidate at a time while the build numbered them).
    fn shrink_candidates(&mut self) {
        self.candidates.shrink_to_fit();
        self.bib_spans.shrink_to_fit();
        self.bibs.shrink_to_fit();
        self.places.shrink_to_fit();
        self.points.shrink_to_fit();
        self.counts.shrink_to_fit();
        self.sorted.shrink_to_fit();
        self.standings.shrink_to_fit();
        self.bib_ranks.shrink_to_fit();
    }

    /// Bib order: numeric-aware bib, then entrant.
    fn bib_order(&self, a: u32, b: u32) -> Ordering {
        compare_listed(
            self.bib(a),
            self.candidates[a as usize].entrant,
            self.bib(b),
            self.candidates[b as usize].entrant,
        )
    }

    fn bib(&self, index: u32) -> &str {
        let (start, length) = self.bib_spans[index as usize];
        &self.bibs[start as usize..(start + length) as usize]
    }

    /// Puts a candidate created after the build into bib order.
    fn place_in_bib_order(&mut self, index: u32) {
        let at = self
            .by_bib
            .partition_point(|other| self.bib_order(*other, index).is_lt());
        self.by_bib.insert(at, index);
        for position in at..self.by_bib.len() {
            self.bib_ranks[self.by_bib[position] as usize] = position as u32;
        }
    }

    fn column_row<'r>(&self, workout: &Workout, row: &'r RankedRow) -> ColumnRow<'r> {
        ColumnRow {
            place: place_in_scope(row, self.division_id),
            display: &row.display,
            cumulative: self.rules.cumulative_value(workout, row),
        }
    }

    fn team_row(&self, row: &RankedRow) -> TeamRow {
        TeamRow {
            overall: row.rank,
            division: self
                .division_id
                .and_then(|division_id| division_place(row, division_id)),
            display: row.display.clone(),
        }
    }

    /// A member's credit in a credited team workout: the place and display
    /// of their best-placed team with a row there (teams in the order they
    /// were given; an unplaced team's display only while none is known).
    fn credit<'a>(&'a self, column: &'a Column, competitor: Id) -> (Option<u32>, &'a str) {
        let mut credit: (Option<u32>, &str) = (None, "");
        for team in self.teams_of.get(&competitor).into_iter().flatten() {
            let Some(row) = column.team_rows.get(team) else {
                continue;
            };
            let place = row.place();
            if better_credit(credit, place) {
                credit = (place, &row.display);
            }
        }
        credit
    }

    /// What column `at`'s cell of candidate `index` is computed from.
    #[inline]
    fn cell_input(&self, at: usize, index: usize) -> CellInput {
        let column = &self.columns[at];
        let entrant = self.candidates[index].entrant;
        if let (true, Entrant::Competitor(id)) = (self.rules.credits_member(at, entrant), entrant) {
            return CellInput::Credited {
                place: self.credit(column, id).0,
                placed_teams: column.placed_teams,
            };
        }
        CellInput::Own {
            place: column.rows.place(index as u32).flatten(),
            cumulative: column.rows.cumulative(index as u32),
            placed: column.placed,
        }
    }

    /// Column `at`'s cell of candidate `index` ([`OverallRules::cell`]).
    #[inline]
    fn cell(&self, at: usize, index: usize) -> crate::overall::Cell {
        self.rules.cell(at, self.cell_input(at, index))
    }

    /// Computes every cell of candidate `index` and lists it.
    fn fill(&mut self, index: usize) {
        let base = index * self.width;
        let mut total = 0;
        let mut counted = 0;
        for at in 0..self.width {
            let cell = self.cell(at, index);
            let place = cell.place.unwrap_or(NO_PLACE);
            self.places[base + at] = place;
            if self.best_finish {
                self.sorted[base + at] = place;
            }
            self.points[base + at] = cell.points;
            self.counts[base + at] = cell.counts;
            total += cell.points;
            counted += u32::from(cell.counts);
        }
        if self.best_finish {
            self.sorted[base..base + self.width].sort_unstable();
        }
        let candidate = &mut self.candidates[index];
        candidate.total = total;
        candidate.counted = counted;
        candidate.listed = true;
        self.set_key(index);
    }

    /// Recomputes the cell of column `at` of listed candidate `index`.
    fn refresh(&mut self, index: usize, at: usize) {
        let cell = self.cell(at, index);
        let (points, counts) = (cell.points, cell.counts);
        let place = cell.place.unwrap_or(NO_PLACE);
        let slot = index * self.width + at;
        let candidate = &mut self.candidates[index];
        candidate.total += points - self.points[slot];
        self.points[slot] = points;
        if self.counts[slot] != counts {
            self.counts[slot] = counts;
            if counts {
                candidate.counted += 1;
            } else {
                candidate.counted -= 1;
            }
        }
        let old = self.places[slot];
        if old != place {
            self.places[slot] = place;
            if self.best_finish {
                // Keep the sorted places sorted: one value out, one in.
                let base = index * self.width;
                let sorted = &mut self.sorted[base..base + self.width];
                let mut at = sorted
                    .binary_search(&old)
                    .expect("a kept place is among the sorted places");
                sorted[at] = place;
                while at > 0 && sorted[at - 1] > sorted[at] {
                    sorted.swap(at - 1, at);
                    at -= 1;
                }
                while at + 1 < sorted.len() && sorted[at + 1] < sorted[at] {
                    sorted.swap(at, at + 1);
                    at += 1;
                }
            }
        }
        self.set_key(index);
    }

    /// Sets candidate `index`'s standing key from its counted cells, total
    /// and tie-break place ([`OverallRules::standing_key`]).
    fn set_key(&mut self, index: usize) {
        let candidate = &self.candidates[index];
        let base = index * self.width;
        let tie = self.rules.tie_place(&self.places[base..base + self.width]);
        self.standings[index] = self
            .rules
            .standing_key(candidate.counted, candidate.total, tie);
    }

    /// Standing order of two listed candidates (equal: a shared place;
    /// [`OverallRules::compare_standings`]).
    fn standing(&self, a: u32, b: u32) -> Ordering {
        let (a, b) = (a as usize, b as usize);
        let sorted = |index: usize| {
            if self.best_finish {
                &self.sorted[index * self.width..(index + 1) * self.width]
            } else {
                &[]
            }
        };
        self.rules
            .compare_standings(self.standings[a], sorted(a), self.standings[b], sorted(b))
    }

    /// Listing order: standing, then bib (numeric-aware), then entrant.
    fn listing(&self, a: u32, b: u32) -> Ordering {
        self.standing(a, b)
            .then_with(|| self.bib_ranks[a as usize].cmp(&self.bib_ranks[b as usize]))
    }

    /// Re-counts shared places from position `first`; past `last` it stops
    /// at the first place that did not change when `settle` allows it.
    fn count_ranks(&mut self, first: usize, last: usize, always: bool) {
        for position in first..self.order.len() {
            let index = self.order[position];
            let rank = if position > 0 {
                let previous = self.order[position - 1];
                shared_place(
                    position,
                    self.standing(previous, index) == Ordering::Equal,
                    self.candidates[previous as usize].rank,
                )
            } else {
                shared_place(position, false, 0)
            };
            let candidate = &mut self.candidates[index as usize];
            if !always && position > last && candidate.rank == rank {
                break;
            }
            candidate.rank = rank;
        }
    }

    /// Brings the table up to date after results of workout `workout_id`
    /// were written: `written` holds each written entrant's row as ranked
    /// now (`None`: no row any more; for a member-scored team workout, the
    /// changed teams' rows), `moved` the places that changed (overall and
    /// per division: a [`crate::board::LiveBoard`]'s who-moved list; the
    /// written entrants' own entries there are covered by their rows). Only
    /// the places of the moved rows change; their results do not. A workout
    /// the table has no column for changes nothing.
    pub fn apply(
        &mut self,
        workout_id: Id,
        written: &[(Entrant, Option<RankedRow>)],
        moved: &[PlaceChange],
    ) {
        self.apply_changes(workout_id, written, |table, at, touched| {
            for change in moved {
                table.take_change(at, written, *change, touched);
            }
        });
    }

    /// [`LiveOverall::apply`] with who moved kept compact, as
    /// [`LiveBoard::apply_moves`] returns it, and `board`, the workout's
    /// board right after that change: a block of rows on another list than
    /// the table's scope is passed over whole, a block on it is read from
    /// the board row by row (no list of every row made).
    pub fn apply_moves(
        &mut self,
        workout_id: Id,
        written: &[(Entrant, Option<RankedRow>)],
        moved: &MovedPlaces,
        board: &LiveBoard,
    ) {
        self.apply_changes(workout_id, written, |table, at, touched| {
            moved.check_board(board);
            let credits = table.columns[at].rule.credits;
            let mut mapped = false;
            for part in moved.parts() {
                match *part {
                    Moved::One(change) => table.take_change(at, written, change, touched),
                    // Only a credited team workout reads places of other
                    // lists than the table's; its rows go one by one.
                    Moved::Block {
                        division_id,
                        start,
                        end,
                        delta,
                    } if credits => {
                        for (entry, new_rank) in
                            board.listed(division_id, start as usize..end as usize)
                        {
                            let change = PlaceChange {
                                entrant: board.entrant_of_entry(entry),
                                division_id,
                                old_rank: new_rank.map(|rank| (i64::from(rank) - delta) as u32),
                                new_rank,
                            };
                            table.take_change(at, written, change, touched);
                        }
                    }
                    Moved::Block { division_id, .. } if division_id != table.division_id => {}
                    Moved::Block { start, end, .. } => {
                        if !mapped {
                            table.map_entries(at, board);
                            mapped = true;
                        }
                        table.take_block(at, written, board, start..end, touched);
                    }
                }
            }
        });
    }

    /// Brings column `at`'s candidate of each board entry up to date with
    /// `board` (made again for another board, extended for new entries).
    fn map_entries(&mut self, at: usize, board: &LiveBoard) {
        let column = &mut self.columns[at];
        if column.by_entry_of != board.id() {
            column.by_entry.clear();
            column.by_entry_of = board.id();
        }
        for entry in column.by_entry.len()..board.entry_count() {
            let entrant = board.entrant_of_entry(entry as u32);
            let candidate = self
                .index_of
                .get(entrant)
                .filter(|_| of_kind(self.kind, entrant))
                .unwrap_or(NO_CANDIDATE);
            self.columns[at].by_entry.push(candidate);
        }
    }

    /// The rows of a block on the table's own list (column `at` not
    /// credited): each row's candidate found by its board entry, its place
    /// set and the candidate marked in `touched`, as
    /// [`LiveOverall::take_change`] does.
    fn take_block(
        &mut self,
        at: usize,
        written: &[(Entrant, Option<RankedRow>)],
        board: &LiveBoard,
        range: Range<u32>,
        touched: &mut Vec<u32>,
    ) {
        let division_id = self.division_id;
        let skipped: Vec<u32> = written
            .iter()
            .filter_map(|(entrant, _)| self.index_of.get(*entrant))
            .collect();
        let mut placed = 0;
        for (entry, new_rank) in board.listed(division_id, range.start as usize..range.end as usize)
        {
            let mut index = self.columns[at].by_entry[entry as usize];
            if index == NO_CANDIDATE {
                // A candidate made after the map (its entrant written
                // since).
                let entrant = board.entrant_of_entry(entry);
                match self
                    .index_of
                    .get(entrant)
                    .filter(|_| of_kind(self.kind, entrant))
                {
                    Some(found) => {
                        self.columns[at].by_entry[entry as usize] = found;
                        index = found;
                    }
                    None => continue,
                }
            }
            if skipped.contains(&index) {
                continue;
            }
            let Some(old) = self.columns[at].rows.set_place(index, new_rank) else {
                continue;
            };
            let (was, now) = (old.is_some(), new_rank.is_some());
            placed += i64::from(now) - i64::from(was);
            if division_id.is_some() {
                let candidate = &mut self.candidates[index as usize];
                candidate.reasons =
                    (i64::from(candidate.reasons) + i64::from(now) - i64::from(was)) as u32;
            }
            touched.push(index);
        }
        self.columns[at].placed += placed;
    }

    /// One moved row of column `at` (not a written one): its place set, the
    /// candidates whose cells change marked in `touched`.
    fn take_change(
        &mut self,
        at: usize,
        written: &[(Entrant, Option<RankedRow>)],
        change: PlaceChange,
        touched: &mut Vec<u32>,
    ) {
        let entrant = change.entrant;
        if written.iter().any(|(written, _)| *written == entrant) {
            return;
        }
        let column = &mut self.columns[at];
        if column.rule.credits {
            if let Entrant::Team(id) = entrant {
                let Some(row) = column.team_rows.get_mut(&id) else {
                    return;
                };
                if change.division_id.is_none() {
                    column.placed_teams +=
                        i64::from(change.new_rank.is_some()) - i64::from(row.ranked());
                    row.overall = change.new_rank;
                } else if change.division_id == self.division_id {
                    row.division = change.new_rank;
                } else {
                    return;
                }
                for member in self.members_of.get(&id).into_iter().flatten() {
                    if let Some(index) = self.index_of.get(Entrant::Competitor(*member)) {
                        touched.push(index);
                    }
                }
                return;
            }
        }
        if change.division_id != self.division_id || !of_kind(self.kind, entrant) {
            return;
        }
        let Some(index) = self.index_of.get(entrant) else {
            return;
        };
        let Some(old) = column.rows.set_place(index, change.new_rank) else {
            return;
        };
        let was = old.is_some();
        let now = change.new_rank.is_some();
        column.placed += i64::from(now) - i64::from(was);
        if self.division_id.is_some() {
            let candidate = &mut self.candidates[index as usize];
            candidate.reasons =
                (i64::from(candidate.reasons) + i64::from(now) - i64::from(was)) as u32;
        }
        touched.push(index);
    }

    /// The body of [`LiveOverall::apply`]: `moved` passes every moved row
    /// to [`LiveOverall::take_change`].
    fn apply_changes(
        &mut self,
        workout_id: Id,
        written: &[(Entrant, Option<RankedRow>)],
        moved: impl FnOnce(&mut LiveOverall, usize, &mut Vec<u32>),
    ) {
        let Some(at) = self
            .columns
            .iter()
            .position(|column| column.workout.id == workout_id)
        else {
            return;
        };
        let (old_placed, old_placed_teams) =
            (self.columns[at].placed, self.columns[at].placed_teams);
        let mut scratch = std::mem::take(&mut self.scratch);
        scratch.touched.clear();
        moved(self, at, &mut scratch.touched);
        self.place_again(at, written, old_placed, old_placed_teams, &mut scratch);
        self.scratch = scratch;
    }

    /// The rest of [`LiveOverall::apply_changes`], after the moved rows
    /// were taken (`scratch.touched`): the written rows, the unplaced cells
    /// of a rank sum, and the touched candidates put back in order.
    fn place_again(
        &mut self,
        at: usize,
        written: &[(Entrant, Option<RankedRow>)],
        old_placed: i64,
        old_placed_teams: i64,
        scratch: &mut Scratch,
    ) {
        let whole_field = self.division_id.is_none();
        let touched = &mut scratch.touched;
        for (entrant, row) in written {
            if self.columns[at].rule.credits {
                if let Entrant::Team(id) = entrant {
                    let new = row.as_ref().map(|row| self.team_row(row));
                    let column = &mut self.columns[at];
                    if let Some(old) = column.team_rows.remove(id) {
                        column.placed_teams -= i64::from(old.ranked());
                    }
                    if let Some(new) = new {
                        column.placed_teams += i64::from(new.ranked());
                        column.team_rows.insert(*id, new);
                    }
                    for member in self.members_of.get(id).into_iter().flatten() {
                        if let Some(index) = self.index_of.get(Entrant::Competitor(*member)) {
                            touched.push(index);
                        }
                    }
                }
            }
            if !of_kind(self.kind, *entrant) {
                continue;
            }
            let new = row
                .as_ref()
                .map(|row| self.column_row(&self.columns[at].workout, row));
            let known = self.candidates.len();
            let index = self.candidate(*entrant);
            if index as usize == known {
                self.place_in_bib_order(index);
            }
            let column = &mut self.columns[at];
            let mut reasons = i64::from(self.candidates[index as usize].reasons);
            if let Some(old) = column.rows.remove(index) {
                column.placed -= i64::from(old.is_some());
                reasons -= i64::from(row_makes_member(!whole_field, old));
            }
            if let Some(new) = new {
                column.placed += i64::from(new.place.is_some());
                reasons += i64::from(row_makes_member(!whole_field, new.place));
                column.rows.insert(index, new);
            }
            self.candidates[index as usize].reasons = reasons as u32;
            touched.push(index);
        }
        // A rank sum counts "placed + 1" for no place: when the count
        // moved, every listed entrant without a place here changes.
        let column = &self.columns[at];
        let shifted = matches!(self.settings.mode, OverallMode::RankSum)
            && if column.rule.credits {
                column.placed_teams != old_placed_teams
            } else {
                !column.rule.left_out && column.placed != old_placed
            };
        if shifted {
            touched.extend(
                self.order
                    .iter()
                    .copied()
                    .filter(|index| self.places[*index as usize * self.width + at] == NO_PLACE),
            );
        }
        // Each once (marked, not sorted; the marks are cleared below).
        let moving = &mut scratch.moving;
        if moving.len() < self.candidates.len() {
            moving.resize(self.candidates.len(), false);
        }
        touched.retain(|index| !std::mem::replace(&mut moving[*index as usize], true));
        if touched.is_empty() {
            return;
        }

        // Their cells first; new members get every cell; leavers are no
        // longer listed and go in the pass below.
        let mut strays: Vec<u32> = Vec::new();
        for &index in touched.iter() {
            let index = index as usize;
            let candidate = &self.candidates[index];
            match (candidate.listed, candidate.member()) {
                (true, true) => self.refresh(index, at),
                (false, true) => {
                    self.fill(index);
                    strays.push(index as u32);
                }
                (true, false) => {
                    // Its cells are computed again if it comes back.
                    self.candidates[index].listed = false;
                }
                (false, false) => {}
            }
        }
        // Take the touched candidates out of the listing, remembering where
        // they were. The written entrants' rows (and new members) may go
        // anywhere: they are set apart and go back in by binary search. The
        // others are mostly still in order (a block moved by the same
        // amount), which is checked as they are taken, so that they are
        // sorted only when they must be.
        let written_rows: Vec<u32> = written
            .iter()
            .filter_map(|(entrant, _)| self.index_of.get(*entrant))
            .collect();
        let old_len = self.order.len();
        let mut first = usize::MAX;
        let mut last = 0;
        let rest = &mut scratch.rest;
        rest.clear();
        rest.reserve(old_len);
        let back = &mut scratch.back;
        back.clear();
        back.reserve(touched.len());
        let mut in_order = true;
        for (position, &index) in self.order.iter().enumerate() {
            if !moving[index as usize] {
                rest.push(index);
                continue;
            }
            first = first.min(position);
            last = last.max(position);
            if !self.candidates[index as usize].listed {
                continue;
            }
            if written_rows.contains(&index) {
                strays.push(index);
                continue;
            }
            if in_order {
                if let Some(&previous) = back.last() {
                    in_order = self.listing(previous, index).is_le();
                }
            }
            back.push(index);
        }
        for index in touched.iter() {
            moving[*index as usize] = false;
        }
        if !in_order {
            back.sort_by(|a, b| self.listing(*a, *b));
        }
        strays.sort_by(|a, b| self.listing(*a, *b));
        let mut from = 0;
        for stray in strays {
            from += back[from..].partition_point(|other| self.listing(*other, stray).is_le());
            back.insert(from, stray);
            from += 1;
        }
        // Put them back among the others: by binary search when they are a
        // few, by one merge pass when they are many.
        let order = &mut scratch.order;
        order.clear();
        order.reserve(rest.len() + back.len());
        let mut from = 0;
        let few = back.len().saturating_mul(32) < rest.len();
        for &index in back.iter() {
            let offset = if few {
                rest[from..].partition_point(|other| self.listing(*other, index).is_lt())
            } else {
                rest[from..]
                    .iter()
                    .take_while(|other| self.listing(**other, index).is_lt())
                    .count()
            };
            order.extend_from_slice(&rest[from..from + offset]);
            from += offset;
            first = first.min(order.len());
            last = last.max(order.len());
            order.push(index);
        }
        order.extend_from_slice(&rest[from..]);
        std::mem::swap(&mut self.order, order);
        let always = self.order.len() != old_len;
        self.count_ranks(first.min(self.order.len()), last, always);
    }

    /// The scope: `None` for the whole field, else the division.
    pub fn division_id(&self) -> Option<Id> {
        self.division_id
    }

    /// Which kind of entrant the table ranks.
    pub fn kind(&self) -> OverallEntrants {
        self.kind
    }

    /// The workouts, in column order.
    pub fn workouts(&self) -> impl Iterator<Item = &Workout> + '_ {
        self.columns.iter().map(|column| &column.workout)
    }

    /// The settings the table was built with.
    pub fn settings(&self) -> &OverallSettings {
        &self.settings
    }

    /// Rows on the table.
    pub fn len(&self) -> usize {
        self.order.len()
    }

    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }

    /// The entrant listed at `position`.
    pub fn entrant_at(&self, position: usize) -> Option<Entrant> {
        self.order
            .get(position)
            .map(|index| self.candidates[*index as usize].entrant)
    }

    /// The place shown at `position`.
    pub fn rank_at(&self, position: usize) -> Option<u32> {
        self.order
            .get(position)
            .map(|index| self.candidates[*index as usize].rank)
    }

    /// The rows at `range` (clamped), in listing order.
    pub fn rows(&self, range: Range<usize>) -> Vec<OverallRow> {
        let end = range.end.min(self.order.len());
        let start = range.start.min(end);
        self.order[start..end]
            .iter()
            .map(|index| self.row(*index as usize))
            .collect()
    }

    /// Candidate `index`'s row, its cells made now (the displays are the
    /// columns' own).
    fn row(&self, index: usize) -> OverallRow {
        let candidate = &self.candidates[index];
        let base = index * self.width;
        OverallRow {
            entrant: candidate.entrant,
            rank: candidate.rank,
            total: candidate.total,
            cells: self
                .columns
                .iter()
                .enumerate()
                .map(|(at, column)| {
                    let entrant = candidate.entrant;
                    let display = match self.rules.cell(at, self.cell_input(at, index)).shown {
                        CellShown::Row => column.rows.display(index as u32),
                        CellShown::Credit => match entrant {
                            Entrant::Competitor(id) => self.credit(column, id).1,
                            Entrant::Team(_) => "",
                        },
                        CellShown::Text(text) => text,
                    };
                    let place = self.places[base + at];
                    OverallCell {
                        workout_id: column.workout.id,
                        rank: (place != NO_PLACE).then_some(place),
                        points: self.points[base + at],
                        display: display.to_string(),
                    }
                })
                .collect(),
        }
    }

    /// Every row, in listing order.
    pub fn into_rows(self) -> Vec<OverallRow> {
        self.rows(0..usize::MAX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::board::{LiveBoard, RankInfo};
    use crate::model::{
        OverallTieBreak, ResultEntry, Score, ScoreType, Status, TeamMember, TeamScoring,
        TeamWorkoutsInOverall,
    };
    use crate::overall::{overall_standings, team_overall_standings};
    use crate::ranking::rank_workout;
    use crate::ranking::tests::result;
    use crate::score::tests::workout;
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    /// A column's displays in one string: rows written again (longer,
    /// shorter, the same), removed and written back read their own
    /// display, and the unused text is packed away.
    #[test]
    fn rows_keep_each_display_through_rewrites_and_packing() {
        let row = |place: Option<u32>, display: &'static str| ColumnRow {
            place,
            display,
            cumulative: None,
        };
        let mut rows = Rows::with_room(4);
        rows.insert(2, row(Some(1), "1:00.0"));
        rows.insert(0, row(None, "DNF"));
        assert_eq!(rows.display(0), "DNF");
        assert_eq!(rows.display(1), "");
        assert_eq!(rows.display(2), "1:00.0");
        assert_eq!(rows.display(9), "");
        let displays = ["59.9", "1:00:00.5", "1:00:00.5", "é2", ""];
        for round in 0..200 {
            let display = displays[round % displays.len()];
            assert_eq!(
                rows.insert(2, row(Some(3), display)),
                Some(Some(if round == 0 { 1 } else { 3 }))
            );
            assert_eq!(rows.display(2), display);
            assert_eq!(rows.display(0), "DNF");
            assert!(rows.text.len() <= 2 * (display.len() + 3) + 64 + 9);
        }
        assert_eq!(rows.remove(0), Some(None));
        assert_eq!(rows.display(0), "");
        assert_eq!(rows.remove(0), None);
        rows.insert(0, row(Some(2), "2:00.0"));
        assert_eq!(rows.display(0), "2:00.0");
        assert_eq!(rows.place(0), Some(Some(2)));
    }

    const TEAM_BASE: Id = 100;

    type Value = Option<(Option<i64>, Option<Status>)>;

    fn any_value() -> impl Strategy<Value = Value> {
        proptest::option::weighted(
            0.8,
            prop_oneof![
                6 => (0_i64..5).prop_map(|reps| (Some(reps), None)),
                1 => proptest::sample::select(vec![Status::Dnf, Status::Dns, Status::Dsq])
                    .prop_map(|status| (None, Some(status))),
                1 => Just((None, None)),
            ],
        )
    }

    fn entry(entrant: Entrant, value: (Option<i64>, Option<Status>)) -> ResultEntry {
        let id = match entrant {
            Entrant::Competitor(id) | Entrant::Team(id) => id,
        };
        ResultEntry {
            entrant,
            ..result(id, value.0.map(|reps| Score::Reps { reps }), value.1)
        }
    }

    fn any_settings(workout_ids: usize) -> impl Strategy<Value = OverallSettings> {
        let mode = prop_oneof![
            Just(OverallMode::RankSum),
            Just(OverallMode::PointsTable {
                points: vec![10, 8, 6],
                floor: 1
            }),
            Just(OverallMode::Cumulative),
        ];
        let tie_break = prop_oneof![
            Just(OverallTieBreak::BestFinish),
            Just(OverallTieBreak::Equal),
            (1..=workout_ids as Id).prop_map(|workout_id| OverallTieBreak::Workout { workout_id }),
        ];
        let rule = prop_oneof![
            Just(TeamWorkoutsInOverall::Excluded),
            Just(TeamWorkoutsInOverall::TeamPlace),
        ];
        (mode, tie_break, rule).prop_map(|(mode, tie_break, team_workouts)| OverallSettings {
            mode,
            tie_break,
            team_workouts,
        })
    }

    /// An event: workouts (team or not), infos of competitors and teams,
    /// teams, starting results, settings and steps (workout, entrant
    /// index, new value).
    #[allow(clippy::type_complexity)]
    fn any_event() -> impl Strategy<Value = Event> {
        (1_usize..4, 1_usize..10, 0_usize..6).prop_flat_map(|(workouts, competitors, teams)| {
            let team_flags = proptest::collection::vec(proptest::bool::weighted(0.5), workouts);
            let infos = proptest::collection::vec(
                (
                    proptest::option::weighted(0.9, 0_u32..4),
                    proptest::collection::vec(1_i64..3, 0..3),
                ),
                competitors + teams,
            );
            let members =
                proptest::collection::vec(proptest::collection::vec(0..competitors, 0..3), teams);
            let start = proptest::collection::vec(
                proptest::collection::vec(any_value(), competitors.max(teams)),
                workouts,
            );
            let steps = proptest::collection::vec(
                (0..workouts, 0..competitors.max(teams), any_value()),
                1..20,
            );
            (
                team_flags,
                infos,
                members,
                start,
                any_settings(workouts),
                steps,
            )
                .prop_map(
                    move |(team_flags, infos, members, start, settings, steps)| {
                        let workouts: Vec<Workout> = team_flags
                            .iter()
                            .enumerate()
                            .map(|(index, team)| {
                                let mut workout = workout(ScoreType::Reps);
                                workout.id = index as Id + 1;
                                workout.name = format!("W{}", index + 1);
                                if *team {
                                    workout.team_scoring = TeamScoring::TeamChip;
                                }
                                workout
                            })
                            .collect();
                        let infos: Vec<EntrantInfo> = infos
                            .into_iter()
                            .enumerate()
                            .filter_map(|(index, (bib, mut divisions))| {
                                let bib = bib?;
                                divisions.sort_unstable();
                                divisions.dedup();
                                let entrant = if index < competitors {
                                    Entrant::Competitor(index as Id + 1)
                                } else {
                                    Entrant::Team(TEAM_BASE + (index - competitors) as Id)
                                };
                                Some(EntrantInfo {
                                    entrant,
                                    bib: bib.to_string(),
                                    name: String::new(),
                                    division_ids: divisions,
                                })
                            })
                            .collect();
                        let teams: Vec<Team> = members
                            .into_iter()
                            .enumerate()
                            .map(|(index, members)| Team {
                                id: TEAM_BASE + index as Id,
                                name: format!("Team {index}"),
                                bib: None,
                                country: None,
                                division_ids: Vec::new(),
                                members: members
                                    .into_iter()
                                    .enumerate()
                                    .map(|(order, member)| TeamMember {
                                        competitor_id: member as Id + 1,
                                        order: order as u32 + 1,
                                    })
                                    .collect(),
                                external_ids: Default::default(),
                            })
                            .collect();
                        // Only entrants that can be written: competitors in
                        // individual workouts, existing teams in team ones.
                        let team_count = teams.len();
                        let entrant_of = move |workout: &Workout,
                                               index: usize|
                              -> Option<Entrant> {
                            if workout.team_scoring == TeamScoring::Individual {
                                (index < competitors).then(|| Entrant::Competitor(index as Id + 1))
                            } else {
                                (index < team_count).then(|| Entrant::Team(TEAM_BASE + index as Id))
                            }
                        };
                        let start = workouts
                            .iter()
                            .zip(start)
                            .map(|(workout, values)| {
                                values
                                    .into_iter()
                                    .enumerate()
                                    .map(|(index, value)| {
                                        value.filter(|_| entrant_of(workout, index).is_some())
                                    })
                                    .collect()
                            })
                            .collect();
                        let steps = steps
                            .into_iter()
                            .filter(|(workout, index, _)| {
                                entrant_of(&workouts[*workout], *index).is_some()
                            })
                            .collect();
                        (workouts, infos, teams, start, settings, steps)
                    },
                )
        })
    }

    fn entrant_at(workout: &Workout, index: usize) -> Entrant {
        if workout.team_scoring == TeamScoring::Individual {
            Entrant::Competitor(index as Id + 1)
        } else {
            Entrant::Team(TEAM_BASE + index as Id)
        }
    }

    fn rank_all(
        workouts: &[Workout],
        infos: &[EntrantInfo],
        results: &[BTreeMap<Entrant, ResultEntry>],
    ) -> Vec<(Workout, Vec<RankedRow>)> {
        workouts
            .iter()
            .zip(results)
            .map(|(workout, results)| {
                let inputs: Vec<ResultEntry> = results.values().cloned().collect();
                (workout.clone(), rank_workout(workout, infos, &inputs))
            })
            .collect()
    }

    /// Each workout's results from fixed `(competitor id, value)` lists.
    fn results_of(start: &[Vec<(Id, Value)>]) -> Vec<BTreeMap<Entrant, ResultEntry>> {
        start
            .iter()
            .map(|values| {
                values
                    .iter()
                    .map(|(id, value)| {
                        let entrant = Entrant::Competitor(*id);
                        (entrant, entry(entrant, value.expect("a value")))
                    })
                    .collect()
            })
            .collect()
    }

    /// Each workout's live board built from its results.
    fn boards_of(
        workouts: &[Workout],
        results: &[BTreeMap<Entrant, ResultEntry>],
        rank_infos: &BTreeMap<Entrant, RankInfo>,
    ) -> Vec<LiveBoard> {
        workouts
            .iter()
            .zip(results)
            .map(|(workout, results)| {
                let inputs: Vec<ResultEntry> = results.values().cloned().collect();
                LiveBoard::build(workout, &inputs, |entrant| {
                    rank_infos.get(&entrant).cloned()
                })
            })
            .collect()
    }

    /// A random event as [`any_event`] makes it.
    type Event = (
        Vec<Workout>,
        Vec<EntrantInfo>,
        Vec<Team>,
        Vec<Vec<Value>>,
        OverallSettings,
        Vec<(usize, usize, Value)>,
    );

    /// Keeps every table of `event` (each scope, the event's kind and the
    /// team table), applies its changes one at a time with who moved as
    /// the board's full list ([`LiveBoard::apply`], [`LiveOverall::apply`])
    /// or, `compact`, as blocks ([`LiveBoard::apply_moves`],
    /// [`LiveOverall::apply_moves`]), and checks after each change that
    /// every table equals a fresh one.
    fn kept_tables_equal_fresh_ones(event: Event, compact: bool) -> Result<(), TestCaseError> {
        let (workouts, infos, teams, start, settings, steps) = event;
        let rank_infos: BTreeMap<Entrant, RankInfo> = infos
            .iter()
            .map(|info| (info.entrant, RankInfo::from(info)))
            .collect();
        let mut results: Vec<BTreeMap<Entrant, ResultEntry>> = workouts
            .iter()
            .zip(&start)
            .map(|(workout, values)| {
                values
                    .iter()
                    .enumerate()
                    .filter_map(|(index, value)| {
                        value.map(|value| {
                            let entrant = entrant_at(workout, index);
                            (entrant, entry(entrant, value))
                        })
                    })
                    .collect()
            })
            .collect();
        let mut boards = boards_of(&workouts, &results, &rank_infos);
        let ranked = rank_all(&workouts, &infos, &results);
        // Every scope, for the table of the event's kind and the team
        // table (a mixed event's team overall).
        let scopes: Vec<(Option<Id>, bool)> = [None, Some(1), Some(2)]
            .into_iter()
            .flat_map(|scope| [(scope, false), (scope, true)])
            .collect();
        let mut kept: Vec<LiveOverall> = scopes
            .iter()
            .map(|(scope, teams_table)| {
                if *teams_table {
                    LiveOverall::build_for(
                        OverallEntrants::Teams,
                        &ranked,
                        &infos,
                        &teams,
                        *scope,
                        &settings,
                    )
                } else {
                    LiveOverall::build(&ranked, &infos, &teams, *scope, &settings)
                }
            })
            .collect();
        for (at, index, value) in steps {
            let workout = &workouts[at];
            let entrant = entrant_at(workout, index);
            let new = value.map(|value| entry(entrant, value));
            match &new {
                Some(new) => results[at].insert(entrant, new.clone()),
                None => results[at].remove(&entrant),
            };
            let board = &mut boards[at];
            if compact {
                let moved = board.apply_moves(entrant, new.as_ref(), rank_infos.get(&entrant));
                let written = [(entrant, board.row_of(entrant))];
                for table in &mut kept {
                    table.apply_moves(workout.id, &written, &moved, board);
                }
            } else {
                let moved = board.apply(entrant, new.as_ref(), rank_infos.get(&entrant));
                let written = [(entrant, board.row_of(entrant))];
                for table in &mut kept {
                    table.apply(workout.id, &written, &moved);
                }
            }
            let ranked = rank_all(&workouts, &infos, &results);
            for ((scope, teams_table), table) in scopes.iter().zip(&kept) {
                let expected = if *teams_table {
                    team_overall_standings(&ranked, &infos, &teams, *scope, &settings)
                } else {
                    overall_standings(&ranked, &infos, &teams, *scope, &settings)
                };
                prop_assert_eq!(table.len(), expected.len());
                prop_assert_eq!(table.rows(0..usize::MAX), expected, "scope {:?}", scope);
            }
        }
        Ok(())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1000))]

        #[test]
        fn the_kept_overall_after_any_changes_equals_a_fresh_one(event in any_event()) {
            kept_tables_equal_fresh_ones(event, false)?;
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(500))]

        /// The property test above with who moved in the compact form
        /// ([`LiveBoard::apply_moves`], [`LiveOverall::apply_moves`]).
        #[test]
        fn the_kept_overall_through_compact_moves_equals_a_fresh_one(event in any_event()) {
            kept_tables_equal_fresh_ones(event, true)?;
        }
    }

    /// Field-wide moves handed over as blocks ([`LiveBoard::apply_moves`]):
    /// three workouts on 300 entrants in two divisions (every block of the
    /// whole field runs across both divisions' rows), the first in tie
    /// groups of three (blocks start and end inside ties), the third with
    /// results for the first 200 only (in a rank sum the other 100 count
    /// "placed + 1", which moves when a result comes or goes); every mode
    /// (a points table shorter than the field: points not linear in place)
    /// and tie-break, each scope; after each change every kept table
    /// equals a fresh one, and the leader's DNF is a handful of blocks.
    #[test]
    fn field_wide_blocks_keep_every_table_equal_to_a_fresh_one() {
        const FIELD: Id = 300;
        let infos: Vec<EntrantInfo> = (1..=FIELD)
            .map(|id| EntrantInfo {
                entrant: Entrant::Competitor(id),
                bib: if id % 13 == 0 {
                    format!("B{}", id % 3)
                } else {
                    id.to_string()
                },
                name: String::new(),
                division_ids: vec![1 + id % 2],
            })
            .collect();
        let rank_infos: BTreeMap<Entrant, RankInfo> = infos
            .iter()
            .map(|info| (info.entrant, RankInfo::from(info)))
            .collect();
        let workouts: Vec<Workout> = (1..=3)
            .map(|id| {
                let mut workout = workout(ScoreType::Reps);
                workout.id = id;
                workout.name = format!("W{id}");
                workout
            })
            .collect();
        let reps = |id: Id, reps: i64| (id, Some((Some(reps), None)));
        let status = |id: Id, status: Status| (id, Some((None, Some(status))));
        let start: Vec<Vec<(Id, Value)>> = vec![
            // Tie groups of three, entrants 1-3 on top.
            (1..=FIELD)
                .map(|id| reps(id, 1000 - (id - 1) / 3))
                .collect(),
            // Distinct, the other way round.
            (1..=FIELD).map(|id| reps(id, id)).collect(),
            // Only the first 200, in pairs.
            (1..=200).map(|id| reps(id, 500 - (id - 1) / 2)).collect(),
        ];
        let steps: Vec<(usize, (Id, Value))> = vec![
            (0, status(1, Status::Dnf)),
            (0, status(5, Status::Dsq)),
            (2, status(2, Status::Dnf)),
            (2, reps(250, 1000)),
            (2, (3, None)),
            (1, status(FIELD, Status::Dns)),
            (0, reps(1, 2000)),
            (0, reps(150, 999)),
            (1, reps(FIELD, 0)),
            (0, status(FIELD, Status::Dsq)),
        ];
        let modes = [
            OverallMode::RankSum,
            OverallMode::PointsTable {
                points: (0..40).map(|place| 200 - place * place / 8).collect(),
                floor: 2,
            },
            OverallMode::Cumulative,
        ];
        let tie_breaks = [
            OverallTieBreak::BestFinish,
            OverallTieBreak::Equal,
            OverallTieBreak::Workout { workout_id: 1 },
        ];
        for mode in &modes {
            for tie_break in tie_breaks {
                let settings = OverallSettings {
                    mode: mode.clone(),
                    tie_break,
                    team_workouts: TeamWorkoutsInOverall::Excluded,
                };
                let mut results = results_of(&start);
                let mut boards = boards_of(&workouts, &results, &rank_infos);
                let ranked = rank_all(&workouts, &infos, &results);
                let scopes = [None, Some(1), Some(2)];
                let mut kept: Vec<LiveOverall> = scopes
                    .iter()
                    .map(|scope| LiveOverall::build(&ranked, &infos, &[], *scope, &settings))
                    .collect();
                for (step, (at, (id, value))) in steps.iter().enumerate() {
                    let entrant = Entrant::Competitor(*id);
                    let new = value.map(|value| entry(entrant, value));
                    match &new {
                        Some(new) => results[*at].insert(entrant, new.clone()),
                        None => results[*at].remove(&entrant),
                    };
                    let moved =
                        boards[*at].apply_moves(entrant, new.as_ref(), rank_infos.get(&entrant));
                    if step == 0 {
                        // Below the leader's tie group on the whole field
                        // and in division 2: a block and an entry each.
                        assert_eq!(moved.items(), 4, "{} rows", moved.len());
                    }
                    let written = [(entrant, boards[*at].row_of(entrant))];
                    let ranked = rank_all(&workouts, &infos, &results);
                    for (scope, table) in scopes.iter().zip(kept.iter_mut()) {
                        table.apply_moves(workouts[*at].id, &written, &moved, &boards[*at]);
                        let fresh = overall_standings(&ranked, &infos, &[], *scope, &settings);
                        assert_eq!(
                            table.rows(0..usize::MAX),
                            fresh,
                            "{mode:?}, {tie_break:?}, scope {scope:?}, after step {step}"
                        );
                    }
                }
            }
        }
    }

    /// Field-wide moves on a field larger than the property test's: the
    /// leader's DNF and DSQ (everyone below moves up one place), a leader
    /// coming back, a last place going to the top, a new result and a
    /// removed one (every unplaced "placed + 1" cell moves in a rank sum),
    /// many ties, text and number bibs, two divisions, every mode (a points
    /// table shorter than the field, so points are not linear in place)
    /// and tie-break; after each change every kept table equals a fresh
    /// one.
    #[test]
    fn field_wide_moves_keep_every_table_equal_to_a_fresh_one() {
        const FIELD: Id = 240;
        let infos: Vec<EntrantInfo> = (1..=FIELD)
            .map(|id| EntrantInfo {
                entrant: Entrant::Competitor(id),
                bib: if id % 11 == 0 {
                    format!("A{}", id % 4)
                } else {
                    (FIELD + 1 - id).to_string()
                },
                name: String::new(),
                division_ids: vec![1 + id % 2],
            })
            .collect();
        let rank_infos: BTreeMap<Entrant, RankInfo> = infos
            .iter()
            .map(|info| (info.entrant, RankInfo::from(info)))
            .collect();
        let workouts: Vec<Workout> = (1..=3)
            .map(|id| {
                let mut workout = workout(ScoreType::Reps);
                workout.id = id;
                workout.name = format!("W{id}");
                workout
            })
            .collect();
        let reps = |id: Id, reps: i64| (id, Some((Some(reps), None)));
        let status = |id: Id, status: Status| (id, Some((None, Some(status))));
        let start: Vec<Vec<(Id, Value)>> = vec![
            // Distinct, entrant 1 on top.
            (1..=FIELD).map(|id| reps(id, 1000 - id)).collect(),
            // Seven values: long runs of ties.
            (1..=FIELD).map(|id| reps(id, id % 7)).collect(),
            // Only the first 200 have a result.
            (1..=200).map(|id| reps(id, id % 50)).collect(),
        ];
        let steps: Vec<(usize, (Id, Value))> = vec![
            (0, status(1, Status::Dnf)),
            (0, status(2, Status::Dsq)),
            (0, reps(1, 2000)),
            (0, status(FIELD / 2, Status::Dnf)),
            (1, status(6, Status::Dnf)),
            (1, status(13, Status::Dns)),
            (2, reps(FIELD, 49)),
            (2, (1, None)),
            (0, reps(FIELD, 5000)),
            (0, reps(3, 999)),
            (1, reps(6, 6)),
            (0, status(FIELD, Status::Dsq)),
            (2, reps(210, 0)),
        ];
        let modes = [
            OverallMode::RankSum,
            OverallMode::PointsTable {
                points: (0..20).map(|place| 100 - place * 5).collect(),
                floor: 1,
            },
            OverallMode::Cumulative,
        ];
        let tie_breaks = [
            OverallTieBreak::BestFinish,
            OverallTieBreak::Equal,
            OverallTieBreak::Workout { workout_id: 2 },
        ];
        for mode in &modes {
            for tie_break in tie_breaks {
                let settings = OverallSettings {
                    mode: mode.clone(),
                    tie_break,
                    team_workouts: TeamWorkoutsInOverall::Excluded,
                };
                let mut results = results_of(&start);
                let mut boards = boards_of(&workouts, &results, &rank_infos);
                let ranked = rank_all(&workouts, &infos, &results);
                let scopes = [None, Some(1), Some(2)];
                let mut kept: Vec<LiveOverall> = scopes
                    .iter()
                    .map(|scope| LiveOverall::build(&ranked, &infos, &[], *scope, &settings))
                    .collect();
                for (step, (at, (id, value))) in steps.iter().enumerate() {
                    let entrant = Entrant::Competitor(*id);
                    let new = value.map(|value| entry(entrant, value));
                    match &new {
                        Some(new) => results[*at].insert(entrant, new.clone()),
                        None => results[*at].remove(&entrant),
                    };
                    let moved = boards[*at].apply(entrant, new.as_ref(), rank_infos.get(&entrant));
                    let written = [(entrant, boards[*at].row_of(entrant))];
                    let ranked = rank_all(&workouts, &infos, &results);
                    for (scope, table) in scopes.iter().zip(kept.iter_mut()) {
                        table.apply(workouts[*at].id, &written, &moved);
                        let fresh = overall_standings(&ranked, &infos, &[], *scope, &settings);
                        assert_eq!(
                            table.rows(0..usize::MAX),
                            fresh,
                            "{mode:?}, {tie_break:?}, scope {scope:?}, after step {step}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn a_new_placed_result_moves_every_unplaced_entrant_in_a_rank_sum() {
        // Two workouts; in W2 only entrant 1 is placed, so 2 and 3 count
        // 1 + 1 = 2 there. A score for 2 makes 3's W2 cell 3.
        let mut w1 = workout(ScoreType::Reps);
        w1.id = 1;
        let mut w2 = workout(ScoreType::Reps);
        w2.id = 2;
        let reps = |id, reps| result(id, Some(Score::Reps { reps }), None);
        let first = vec![reps(1, 1), reps(2, 2), reps(3, 3)];
        let second = vec![reps(1, 5)];
        let ranked = vec![
            (w1.clone(), rank_workout(&w1, &[], &first)),
            (w2.clone(), rank_workout(&w2, &[], &second)),
        ];
        let settings = OverallSettings::default();
        let mut table = LiveOverall::build(&ranked, &[], &[], None, &settings);
        assert_eq!(table.rows(0..3)[2].cells[1].points, 2);
        let second = vec![reps(1, 5), reps(2, 6)];
        let new_rows = rank_workout(&w2, &[], &second);
        let changed: Vec<(Entrant, Option<RankedRow>)> = new_rows
            .iter()
            .map(|row| (row.entrant, Some(row.clone())))
            .collect();
        table.apply(2, &changed, &[]);
        let ranked = vec![ranked[0].clone(), (w2.clone(), new_rows)];
        let fresh = overall_standings(&ranked, &[], &[], None, &settings);
        let rows = table.rows(0..usize::MAX);
        assert_eq!(rows, fresh);
        let three = rows
            .iter()
            .find(|row| row.entrant == Entrant::Competitor(3))
            .unwrap();
        assert_eq!(three.cells[1].points, 3);
    }
}
