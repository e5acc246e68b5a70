//! The input of every renderer: one snapshot of a competition's results.
//!
//! [`ExportData`] is plain data gathered once (from the store, by the caller)
//! and then handed to the pure renderers in this crate. It holds only model
//! data: the competition record, divisions, competitors, teams, workouts, the
//! ranked leaderboards and the amendment log. Nothing else (settings, sync
//! credentials, file paths) can reach an export because nothing else is in
//! here.
//!
//! [`EntrantDirectory`] turns the competitor and team lists into the display
//! data the renderers need (bib, name, gender, divisions) for any [`Entrant`];
//! a snapshot read from a competition file spills its competitors, and
//! renderers read each table's names beside its rows ([`crate::names`]),
//! looking an entrant up by id only where that is rare.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

use chrono::{DateTime, SecondsFormat, Utc};
use scoretable_core::model::{
    Competition, Competitor, Division, Entrant, EntrantInfo, Gender, Id, OverallCell, OverallRow,
    OverallSettings, RankedRow, Team, TeamWorkoutsInOverall, Workout,
};
use scoretable_core::overall::{
    has_team_overall, overall_column_heading, overall_column_heading_for, overall_standings,
    team_overall_standings, OverallEntrants,
};
use serde::{Deserialize, Serialize};

use crate::error::ExportError;
use crate::live::{BoardRows, LiveWorkout, LiveWorkouts};
use crate::names::{EntrantNames, NameRecord, Named, RowsOf, TableKey, TableNames};
use crate::narrow::NarrowColumn;
use crate::spill::{get_varint, put_varint, unzigzag, zigzag, RecordsWriter, SpilledRecords};
use std::sync::Arc;

/// Everything the day-end exports are rendered from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExportData {
    pub competition: Competition,
    pub divisions: Vec<Division>,
    /// The competitors' display data (bib, names, gender, country, club,
    /// divisions, RunSignup registration id) in one compact table: about 50
    /// bytes and the text per athlete, where a [`Competitor`] record took
    /// about 500. Empty in a snapshot read from a competition file, which
    /// spills them instead ([`ExportData::names`]).
    pub competitors: CompetitorTable,
    pub teams: Vec<Team>,
    /// Workouts in schedule order.
    pub workouts: Vec<Workout>,
    /// Ranked leaderboards: for each workout, the whole field (`division_id`
    /// `None`) and/or one per division. A division leaderboard not listed
    /// here is cut from the whole field's rows when asked for (see
    /// [`ExportData::workout_leaderboard`]), so a snapshot need not hold
    /// every row twice.
    pub workout_leaderboards: Vec<WorkoutLeaderboard>,
    /// Overall leaderboards across workouts: the whole field and/or one per division.
    pub overall_leaderboards: Vec<OverallLeaderboard>,
    /// How team workouts count in individuals' overall totals (the rule the
    /// overall leaderboards were computed with; named in every overall
    /// column heading).
    #[serde(default)]
    pub overall_team_workouts: TeamWorkoutsInOverall,
    /// The team overall leaderboards of a mixed event (team workouts beside
    /// individual ones): teams ranked on their team workouts only, the whole
    /// field and/or one per division ([`team_overall_standings`]). Empty
    /// when the competition has one kind of workout (its one overall table
    /// is [`ExportData::overall_leaderboards`]).
    #[serde(default)]
    pub team_overall_leaderboards: Vec<OverallLeaderboard>,
    /// The overall tables of a snapshot read from a competition file, kept
    /// compact ([`CompactOverall`]: about a third of the memory of
    /// [`OverallRow`]s) instead of in [`ExportData::overall_leaderboards`];
    /// renderers read either through [`ExportData::overall_rows`]. Not
    /// serialised.
    #[serde(skip)]
    pub compact_overall: Vec<CompactOverall>,
    /// The team overall tables of a mixed event, kept compact (see
    /// [`ExportData::compact_overall`]).
    #[serde(skip)]
    pub compact_team_overall: Vec<CompactOverall>,
    /// Every amendment, oldest first.
    pub amendments: Vec<AmendmentLogEntry>,
    /// When this snapshot was taken; printed on every export.
    pub generated_at: DateTime<Utc>,
    /// Workouts ranked compactly ([`crate::live`]): a snapshot read from a
    /// competition file holds each workout's [`LiveWorkout`] instead of
    /// whole-field rows in [`ExportData::workout_leaderboards`]; renderers
    /// read either through [`ExportData::board_rows`]. Not serialised.
    #[serde(skip)]
    pub live_workouts: LiveWorkouts,
    /// The entrants' display data of a snapshot read from a competition
    /// file, spilled ([`EntrantNames`]): the competitors in id order, and
    /// each table's names in its listing order, read beside its rows.
    /// [`ExportData::competitors`] is then empty. Not serialised.
    #[serde(skip)]
    pub names: EntrantNames,
}

/// One workout's ranked rows for the whole field or one division.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkoutLeaderboard {
    pub workout_id: Id,
    /// `None` for the whole field.
    pub division_id: Option<Id>,
    /// Rows in leaderboard order, as the ranking engine produced them.
    pub rows: Vec<RankedRow>,
}

/// The overall leaderboard (across workouts) for the whole field or one division.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OverallLeaderboard {
    /// `None` for the whole field.
    pub division_id: Option<Id>,
    /// Rows in leaderboard order.
    pub rows: Vec<OverallRow>,
}

/// Each of the overall standings' sorts' buffer: a quarter of
/// [`crate::external_sort::SORT_BUDGET`], as two sorts are alive at once
/// (one merging, the next filling; see [`crate::overall_stream`]), so the
/// stage holds about half a budget, spilled beyond it, whatever the field.
const OVERALL_SORT_BUDGET: usize = crate::external_sort::SORT_BUDGET / 4;

/// Which overall tables [`ExportData::overall_boards_by_scope`] computes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OverallScopes {
    /// The whole field's table only.
    WholeField,
    /// Each division's table only.
    Divisions,
    /// The whole field's, then each division's.
    All,
}

/// An overall table (across workouts) for the whole field or one division,
/// spilled to an unnamed scratch file as it is filled ([`crate::spill`]):
/// one record per row in listing order (the entrant, place and total; per
/// cell, one per column in column order, the place, the points and the
/// display), read back a block at a time as a renderer walks the table. In
/// memory: the columns and the number of rows. Rows are made again when
/// read ([`CompactOverall::row`]). A failure of the scratch file is kept
/// ([`CompactOverall::scratch_failure`]) and fails the export (see
/// [`ExportData::check_scratch`]).
#[derive(Debug, Clone, Default)]
pub struct CompactOverall {
    /// `None` for the whole field.
    pub division_id: Option<Id>,
    /// The workout of each cell.
    columns: Vec<Id>,
    rows: usize,
    records: OverallRecords,
}

/// Where a [`CompactOverall`]'s rows are: being written, spilled, or
/// lost to a failure of the scratch file.
#[derive(Debug, Default)]
enum OverallRecords {
    /// No row yet.
    #[default]
    None,
    Writing(Box<RecordsWriter>),
    Spilled(Arc<SpilledRecords>),
    Failed(String),
}

impl Clone for OverallRecords {
    /// A table being written cannot be shared: its copy is a failure.
    fn clone(&self) -> OverallRecords {
        match self {
            OverallRecords::None => OverallRecords::None,
            OverallRecords::Writing(_) => {
                OverallRecords::Failed("an overall table was copied while written".to_string())
            }
            OverallRecords::Spilled(records) => OverallRecords::Spilled(Arc::clone(records)),
            OverallRecords::Failed(failure) => OverallRecords::Failed(failure.clone()),
        }
    }
}

impl PartialEq for CompactOverall {
    /// Equal when they list the same rows (read back).
    fn eq(&self, other: &CompactOverall) -> bool {
        self.division_id == other.division_id
            && self.columns == other.columns
            && self.rows == other.rows
            && (0..self.rows).all(|index| self.row(index) == other.row(index))
    }
}

impl CompactOverall {
    /// An empty table of `division_id` whose rows have a cell per workout
    /// of `columns`, in that order.
    pub fn new(division_id: Option<Id>, columns: Vec<Id>) -> CompactOverall {
        CompactOverall {
            division_id,
            columns,
            ..CompactOverall::default()
        }
    }

    /// Adds `row` at the end. Its cells must be the table's columns, in
    /// order (as the engine's overall rows have them). Call
    /// [`CompactOverall::shrink_to_fit`] after the last row, before the
    /// rows are read.
    pub fn push(&mut self, row: &OverallRow) {
        assert!(
            row.cells
                .iter()
                .map(|cell| cell.workout_id)
                .eq(self.columns.iter().copied()),
            "an overall row has a cell per column, in column order"
        );
        self.rows += 1;
        if matches!(self.records, OverallRecords::None) {
            self.records = match RecordsWriter::new() {
                Ok(writer) => OverallRecords::Writing(Box::new(writer)),
                Err(error) => OverallRecords::Failed(error.to_string()),
            };
        }
        let OverallRecords::Writing(writer) = &mut self.records else {
            return;
        };
        let mut record = Vec::with_capacity(64);
        let (id, team) = match row.entrant {
            Entrant::Competitor(id) => (id, 0),
            Entrant::Team(id) => (id, 1),
        };
        put_varint(&mut record, (zigzag(id) << 1) | team);
        put_varint(&mut record, u64::from(row.rank));
        put_varint(&mut record, zigzag(row.total));
        for cell in &row.cells {
            put_varint(&mut record, cell.rank.map_or(0, |rank| u64::from(rank) + 1));
            put_varint(&mut record, zigzag(cell.points));
            put_varint(&mut record, cell.display.len() as u64);
            record.extend_from_slice(cell.display.as_bytes());
        }
        if let Err(error) = writer.push(&record) {
            self.records = OverallRecords::Failed(error.to_string());
        }
    }

    pub fn len(&self) -> usize {
        self.rows
    }

    pub fn is_empty(&self) -> bool {
        self.rows == 0
    }

    /// Ends the writing: the rows pushed are read back from here on.
    pub fn shrink_to_fit(&mut self) {
        self.records = match std::mem::take(&mut self.records) {
            OverallRecords::Writing(writer) => match writer.finish() {
                Ok(records) => OverallRecords::Spilled(Arc::new(records)),
                Err(error) => OverallRecords::Failed(error.to_string()),
            },
            other => other,
        };
    }

    /// Keeps `message` as the table's failure, as a failed read would (a
    /// test seam for the export's handling of it).
    #[cfg(test)]
    pub(crate) fn fail_for_test(&self, message: &str) {
        if let OverallRecords::Spilled(records) = &self.records {
            records.fail(message.to_string());
        }
    }

    /// The first failure of the table's scratch file, if one failed.
    pub fn scratch_failure(&self) -> Option<String> {
        match &self.records {
            OverallRecords::None => None,
            OverallRecords::Writing(_) => {
                Some("an overall table was read before it was finished".to_string())
            }
            OverallRecords::Spilled(records) => records.failure().map(str::to_string),
            OverallRecords::Failed(failure) => Some(failure.clone()),
        }
    }

    /// The row at `index`, made now. A row that cannot be read (a failure
    /// of the scratch file, kept and reported by
    /// [`CompactOverall::scratch_failure`]) is made blank.
    pub fn row(&self, index: usize) -> OverallRow {
        let read = match &self.records {
            OverallRecords::Spilled(records) => {
                let mut bytes = Vec::with_capacity(64);
                if records.read_into(index, &mut bytes) {
                    let row = self.decode(&bytes);
                    if row.is_none() {
                        records.fail(format!("overall row {index} does not decode"));
                    }
                    row
                } else {
                    None
                }
            }
            _ => None,
        };
        read.unwrap_or_else(|| OverallRow {
            entrant: Entrant::Competitor(0),
            rank: 0,
            total: 0,
            cells: self
                .columns
                .iter()
                .map(|workout_id| OverallCell {
                    workout_id: *workout_id,
                    rank: None,
                    points: 0,
                    display: String::new(),
                })
                .collect(),
        })
    }

    /// The entrant of the row at `index` (the rest of the row is not
    /// made); as [`CompactOverall::row`], a row that cannot be read gives
    /// a blank one's.
    pub fn entrant(&self, index: usize) -> Entrant {
        let OverallRecords::Spilled(records) = &self.records else {
            return Entrant::Competitor(0);
        };
        let mut bytes = Vec::with_capacity(64);
        if !records.read_into(index, &mut bytes) {
            return Entrant::Competitor(0);
        }
        match get_varint(&bytes, &mut 0) {
            Some(entrant) => {
                let id = unzigzag(entrant >> 1);
                if entrant & 1 == 0 {
                    Entrant::Competitor(id)
                } else {
                    Entrant::Team(id)
                }
            }
            None => {
                records.fail(format!("overall row {index} does not decode"));
                Entrant::Competitor(0)
            }
        }
    }

    fn decode(&self, bytes: &[u8]) -> Option<OverallRow> {
        let mut at = 0;
        let entrant = get_varint(bytes, &mut at)?;
        let id = unzigzag(entrant >> 1);
        let entrant = if entrant & 1 == 0 {
            Entrant::Competitor(id)
        } else {
            Entrant::Team(id)
        };
        let rank = u32::try_from(get_varint(bytes, &mut at)?).ok()?;
        let total = unzigzag(get_varint(bytes, &mut at)?);
        let mut cells = Vec::with_capacity(self.columns.len());
        for workout_id in &self.columns {
            let rank = match get_varint(bytes, &mut at)? {
                0 => None,
                rank => Some(u32::try_from(rank - 1).ok()?),
            };
            let points = unzigzag(get_varint(bytes, &mut at)?);
            let len = get_varint(bytes, &mut at)? as usize;
            let display = std::str::from_utf8(bytes.get(at..at.checked_add(len)?)?).ok()?;
            at += len;
            cells.push(OverallCell {
                workout_id: *workout_id,
                rank,
                points,
                display: display.to_string(),
            });
        }
        (at == bytes.len()).then_some(OverallRow {
            entrant,
            rank,
            total,
            cells,
        })
    }

    /// The whole table as an [`OverallLeaderboard`].
    pub fn to_leaderboard(&self) -> OverallLeaderboard {
        OverallLeaderboard {
            division_id: self.division_id,
            rows: (0..self.len()).map(|index| self.row(index)).collect(),
        }
    }
}

/// The rows of one overall table as a renderer reads them: borrowed from a
/// snapshot that holds them, or made one at a time from a
/// [`CompactOverall`].
#[derive(Debug, Clone, Copy)]
pub enum OverallRows<'a> {
    Held(&'a OverallLeaderboard),
    Compact(&'a CompactOverall),
}

impl<'a> OverallRows<'a> {
    /// `None` for the whole field.
    pub fn division_id(&self) -> Option<Id> {
        match self {
            OverallRows::Held(board) => board.division_id,
            OverallRows::Compact(table) => table.division_id,
        }
    }

    pub fn len(&self) -> usize {
        match self {
            OverallRows::Held(board) => board.rows.len(),
            OverallRows::Compact(table) => table.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The row at `index` (which must be below [`OverallRows::len`]).
    pub fn get(&self, index: usize) -> Cow<'a, OverallRow> {
        match self {
            OverallRows::Held(board) => Cow::Borrowed(&board.rows[index]),
            OverallRows::Compact(table) => Cow::Owned(table.row(index)),
        }
    }

    /// The rows in listing order.
    pub fn iter(&self) -> impl Iterator<Item = Cow<'a, OverallRow>> + 'a {
        let rows = *self;
        (0..rows.len()).map(move |index| rows.get(index))
    }
}

/// One official amendment of a score, as it appears in the audit trail.
///
/// Values are kept as the text a scorekeeper saw (`12:03.4`, `CAP+41`,
/// `DNF`), so the log reads the same in every export and in the archive's
/// hash chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AmendmentLogEntry {
    /// Position in the log, 1-based and gapless.
    pub sequence: u64,
    /// The amendment's event id in the competition file's audit trail.
    pub event_id: Id,
    pub workout_id: Id,
    pub entrant: Entrant,
    /// RFC 3339 UTC timestamp of the amendment.
    pub amended_at: String,
    /// The official who made it.
    pub official: String,
    /// The effective value before the amendment (empty when there was none).
    pub old_value: String,
    /// The effective value after the amendment.
    pub new_value: String,
    pub reason: String,
    /// The appeal this amendment answers, if any.
    pub appeal_reference: Option<String>,
}

/// What renderers show about one competitor or team.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntrantDisplay {
    pub bib: String,
    /// `First Last` for competitors, the team name for teams.
    pub name: String,
    /// Competitors only; empty for teams.
    pub first_name: String,
    /// Competitors only; for teams the team name.
    pub last_name: String,
    pub gender: Option<Gender>,
    pub country: Option<String>,
    pub club: Option<String>,
    pub division_ids: Vec<Id>,
    /// RunSignup `registration_id`, when known.
    pub runsignup_registration_id: Option<String>,
}

/// Display data for every entrant of an [`ExportData`], looked up by
/// entrant and made when asked for, so the directory holds no second copy
/// of the snapshot's names. Ids index a table (store ids are dense), so a
/// lookup is one array read, not a hash of the key.
#[derive(Debug, Clone, Default)]
pub struct EntrantDirectory<'a> {
    competitor_table: Option<&'a CompetitorTable>,
    teams_list: &'a [Team],
    competitors: IdIndex,
    teams: IdIndex,
    /// A snapshot's spilled competitors and teams, searched by id.
    names: Option<&'a EntrantNames>,
}

/// Positions by id: a table indexed by id when the ids are dense (at most
/// four slots per record), a hash map otherwise.
#[derive(Debug, Clone)]
enum IdIndex {
    Dense(Vec<u32>),
    Sparse(HashMap<Id, u32>),
}

impl Default for IdIndex {
    fn default() -> Self {
        IdIndex::Dense(Vec::new())
    }
}

impl IdIndex {
    const NONE: u32 = u32::MAX;

    fn new(ids: impl Iterator<Item = Id> + Clone) -> IdIndex {
        let count = ids.clone().count();
        let dense_limit = count.saturating_mul(4).saturating_add(64);
        let dense = ids
            .clone()
            .all(|id| usize::try_from(id).is_ok_and(|index| index < dense_limit));
        if dense {
            let size = ids.clone().map(|id| id as usize + 1).max().unwrap_or(0);
            let mut slots = vec![IdIndex::NONE; size];
            for (position, id) in ids.enumerate() {
                slots[id as usize] = position as u32;
            }
            IdIndex::Dense(slots)
        } else {
            IdIndex::Sparse(
                ids.enumerate()
                    .map(|(position, id)| (id, position as u32))
                    .collect(),
            )
        }
    }

    fn get(&self, id: Id) -> Option<usize> {
        match self {
            IdIndex::Dense(slots) => usize::try_from(id)
                .ok()
                .and_then(|index| slots.get(index).copied())
                .filter(|position| *position != IdIndex::NONE)
                .map(|position| position as usize),
            IdIndex::Sparse(map) => map.get(&id).map(|position| *position as usize),
        }
    }
}

/// The competitors' display data, compact: every text field of every
/// competitor in one string, and per record a few narrow columns (where
/// its text starts, each field's length in a byte, its flags, gender, id
/// and where its divisions end): about 30 bytes and the text per
/// athlete, where a [`Competitor`] record took about 500 (and a record of
/// offsets 60 before round 7). Built from [`Competitor`] records (collect
/// them, or [`CompetitorTable::push`] one at a time as a store walk reads
/// them); chip ids, dates of birth and the other external ids are not kept
/// (no export prints them).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompetitorTable {
    text: String,
    /// Per record: where its text starts in `text`.
    starts: Vec<u32>,
    /// Per record: the byte lengths of its bib, first name, last name,
    /// country, club and registration id, in that order (each field starts
    /// where the one before it ends); [`LONG_FIELD`]: in `long_fields`.
    lengths: Vec<[u8; TEXT_FIELDS]>,
    /// `(record, field, length)` of the fields of [`LONG_FIELD`] bytes or
    /// more, in record order.
    long_fields: Vec<(u32, u8, u32)>,
    /// Per record: bit 0 has a country, 1 a club, 2 a RunSignup
    /// registration id.
    present: Vec<u8>,
    genders: Vec<Option<Gender>>,
    /// The records' competitor ids (4 bytes each while every id fits a
    /// `u32`, as store ids do).
    ids: NarrowColumn,
    /// Per record: where its run of `division_ids` ends (it starts where
    /// the previous record's ends).
    division_ends: Vec<u32>,
    division_ids: Vec<Id>,
}

/// A competitor's display texts as the exports keep them, in this order:
/// bib, first name, last name, country, club, RunSignup registration id
/// (the last three when present).
pub(crate) fn display_fields(competitor: &Competitor) -> [Option<&str>; TEXT_FIELDS] {
    [
        Some(competitor.bib.as_str()),
        Some(competitor.first_name.as_str()),
        Some(competitor.last_name.as_str()),
        competitor.country.as_deref(),
        competitor.club.as_deref(),
        competitor.external_ids.runsignup_registration_id.as_deref(),
    ]
}

/// Text fields a [`CompetitorTable`] record keeps.
const TEXT_FIELDS: usize = 6;

/// In [`CompetitorTable::lengths`]: the field's length is in `long_fields`.
const LONG_FIELD: u8 = u8::MAX;

impl CompetitorTable {
    /// Room for `more` records (their text grows as it is pushed).
    pub fn reserve_exact(&mut self, more: usize) {
        self.starts.reserve_exact(more);
        self.lengths.reserve_exact(more);
        self.present.reserve_exact(more);
        self.genders.reserve_exact(more);
        self.ids.reserve_exact(more);
        self.division_ends.reserve_exact(more);
    }

    /// Adds `competitor`'s display data.
    pub fn push(&mut self, competitor: &Competitor) {
        let record = u32::try_from(self.starts.len()).expect("fewer than 4e9 competitors");
        let start = self.offset();
        let fields = display_fields(competitor);
        // The text grows by an eighth at a time: doubling left up to half
        // of it unused while the whole field was read (about 30 bytes an
        // athlete at the snapshot's peak).
        let extra: usize = fields.iter().flatten().map(|text| text.len()).sum();
        if self.text.capacity() - self.text.len() < extra {
            self.text
                .reserve_exact(extra.max(self.text.len() / 8).max(4_096));
        }
        let mut present = 0u8;
        let mut lengths = [0u8; TEXT_FIELDS];
        for (index, field) in fields.iter().enumerate() {
            let text = field.unwrap_or_default();
            if field.is_some() && index >= 3 {
                present |= 1 << (index - 3);
            }
            self.text.push_str(text);
            lengths[index] = match u8::try_from(text.len()) {
                Ok(length) if length < LONG_FIELD => length,
                _ => {
                    let length = u32::try_from(text.len()).expect("a name is shorter than 4 GiB");
                    self.long_fields.push((record, index as u8, length));
                    LONG_FIELD
                }
            };
        }
        // The text stays addressable by a `u32` (checked, as `start` was).
        self.offset();
        self.starts.push(start);
        self.lengths.push(lengths);
        self.present.push(present);
        self.genders.push(competitor.gender);
        self.ids.push(competitor.id);
        self.division_ids
            .extend_from_slice(&competitor.division_ids);
        self.division_ends
            .push(u32::try_from(self.division_ids.len()).expect("fewer than 4e9 division entries"));
    }

    fn offset(&self) -> u32 {
        u32::try_from(self.text.len()).expect("competitor names fit in 4 GiB")
    }

    pub fn len(&self) -> usize {
        self.starts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.starts.is_empty()
    }

    /// Frees what the table reserved beyond what it holds.
    pub fn shrink_to_fit(&mut self) {
        self.text.shrink_to_fit();
        self.starts.shrink_to_fit();
        self.lengths.shrink_to_fit();
        self.long_fields.shrink_to_fit();
        self.present.shrink_to_fit();
        self.genders.shrink_to_fit();
        self.ids.shrink_to_fit();
        self.division_ends.shrink_to_fit();
        self.division_ids.shrink_to_fit();
    }

    /// The competitors in the order they were added.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = CompetitorView<'_>> + Clone + '_ {
        (0..self.len()).map(move |index| CompetitorView { table: self, index })
    }

    /// The `index`th competitor added.
    pub fn at(&self, index: usize) -> Option<CompetitorView<'_>> {
        (index < self.len()).then_some(CompetitorView { table: self, index })
    }

    /// The competitors as records again (without chips, date of birth and
    /// the ids no export prints).
    pub fn to_competitors(&self) -> Vec<Competitor> {
        self.iter().map(|view| view.to_competitor()).collect()
    }

    /// Field `field`'s length in record `index`.
    fn length(&self, index: usize, field: usize) -> usize {
        match self.lengths[index][field] {
            LONG_FIELD => {
                let key = (index as u32, field as u8);
                let at = self
                    .long_fields
                    .binary_search_by_key(&key, |(record, field, _)| (*record, *field))
                    .expect("a long field's length is kept");
                self.long_fields[at].2 as usize
            }
            length => length as usize,
        }
    }
}

impl<'c> FromIterator<&'c Competitor> for CompetitorTable {
    fn from_iter<I: IntoIterator<Item = &'c Competitor>>(iter: I) -> CompetitorTable {
        let mut table = CompetitorTable::default();
        for competitor in iter {
            table.push(competitor);
        }
        table.shrink_to_fit();
        table
    }
}

impl FromIterator<Competitor> for CompetitorTable {
    fn from_iter<I: IntoIterator<Item = Competitor>>(iter: I) -> CompetitorTable {
        let mut table = CompetitorTable::default();
        for competitor in iter {
            table.push(&competitor);
        }
        table.shrink_to_fit();
        table
    }
}

impl From<Vec<Competitor>> for CompetitorTable {
    fn from(competitors: Vec<Competitor>) -> CompetitorTable {
        competitors.iter().collect()
    }
}

/// One competitor of a [`CompetitorTable`].
#[derive(Debug, Clone, Copy)]
pub struct CompetitorView<'a> {
    table: &'a CompetitorTable,
    index: usize,
}

impl<'a> CompetitorView<'a> {
    fn field(&self, field: usize) -> &'a str {
        let table = self.table;
        let mut start = table.starts[self.index] as usize;
        for before in 0..field {
            start += table.length(self.index, before);
        }
        &table.text[start..start + table.length(self.index, field)]
    }

    fn optional(&self, field: usize) -> Option<&'a str> {
        (self.table.present[self.index] & (1 << (field - 3)) != 0).then(|| self.field(field))
    }

    pub fn id(&self) -> Id {
        self.table.ids.get(self.index)
    }

    pub fn bib(&self) -> &'a str {
        self.field(0)
    }

    pub fn first_name(&self) -> &'a str {
        self.field(1)
    }

    pub fn last_name(&self) -> &'a str {
        self.field(2)
    }

    pub fn country(&self) -> Option<&'a str> {
        self.optional(3)
    }

    pub fn club(&self) -> Option<&'a str> {
        self.optional(4)
    }

    pub fn runsignup_registration_id(&self) -> Option<&'a str> {
        self.optional(5)
    }

    pub fn gender(&self) -> Option<Gender> {
        self.table.genders[self.index]
    }

    pub fn division_ids(&self) -> &'a [Id] {
        let ends = &self.table.division_ends;
        let start = if self.index == 0 {
            0
        } else {
            ends[self.index - 1] as usize
        };
        &self.table.division_ids[start..ends[self.index] as usize]
    }

    /// The record again (without chips, date of birth and the ids no
    /// export prints).
    pub fn to_competitor(&self) -> Competitor {
        Competitor {
            id: self.id(),
            bib: self.bib().to_string(),
            chip_ids: Vec::new(),
            first_name: self.first_name().to_string(),
            last_name: self.last_name().to_string(),
            gender: self.gender(),
            date_of_birth: None,
            country: self.country().map(str::to_string),
            club: self.club().map(str::to_string),
            external_ids: scoretable_core::model::ExternalIds {
                runsignup_registration_id: self.runsignup_registration_id().map(str::to_string),
                ..Default::default()
            },
            division_ids: self.division_ids().to_vec(),
            para_class: None,
        }
    }
}

/// One entrant's display data, borrowed from the snapshot: what
/// [`EntrantDisplay`] holds, without copying a string until a renderer
/// needs one.
#[derive(Debug, Clone, Copy)]
pub enum EntrantRef<'a> {
    Competitor(CompetitorView<'a>),
    Team(&'a Team),
    /// A competitor's record read back from a spill ([`crate::names`]).
    Record(&'a NameRecord),
}

impl<'a> EntrantRef<'a> {
    pub fn bib(&self) -> &'a str {
        match self {
            EntrantRef::Competitor(competitor) => competitor.bib(),
            EntrantRef::Team(team) => team.bib.as_deref().unwrap_or_default(),
            EntrantRef::Record(record) => record.bib(),
        }
    }

    /// `First Last` for competitors, the team name for teams (see [`EntrantDisplay::name`]).
    pub fn name(&self) -> Cow<'a, str> {
        match self {
            EntrantRef::Competitor(competitor) => {
                full_name(competitor.first_name(), competitor.last_name())
            }
            EntrantRef::Team(team) => Cow::Borrowed(&team.name),
            // A team's record keeps its name as the last name.
            EntrantRef::Record(record) if record.is_team() => Cow::Borrowed(record.last_name()),
            EntrantRef::Record(record) => full_name(record.first_name(), record.last_name()),
        }
    }

    pub fn first_name(&self) -> &'a str {
        match self {
            EntrantRef::Competitor(competitor) => competitor.first_name(),
            EntrantRef::Team(_) => "",
            EntrantRef::Record(record) => record.first_name(),
        }
    }

    pub fn last_name(&self) -> &'a str {
        match self {
            EntrantRef::Competitor(competitor) => competitor.last_name(),
            EntrantRef::Team(team) => &team.name,
            EntrantRef::Record(record) => record.last_name(),
        }
    }

    pub fn gender(&self) -> Option<Gender> {
        match self {
            EntrantRef::Competitor(competitor) => competitor.gender(),
            EntrantRef::Team(_) => None,
            EntrantRef::Record(record) => record.gender(),
        }
    }

    pub fn country(&self) -> Option<&'a str> {
        match self {
            EntrantRef::Competitor(competitor) => competitor.country(),
            EntrantRef::Team(team) => team.country.as_deref(),
            EntrantRef::Record(record) => record.country(),
        }
    }

    pub fn club(&self) -> Option<&'a str> {
        match self {
            EntrantRef::Competitor(competitor) => competitor.club(),
            EntrantRef::Team(_) => None,
            EntrantRef::Record(record) => record.club(),
        }
    }

    pub fn division_ids(&self) -> &'a [Id] {
        match self {
            EntrantRef::Competitor(competitor) => competitor.division_ids(),
            EntrantRef::Team(team) => &team.division_ids,
            EntrantRef::Record(record) => record.division_ids(),
        }
    }

    pub fn runsignup_registration_id(&self) -> Option<&'a str> {
        match self {
            EntrantRef::Competitor(competitor) => competitor.runsignup_registration_id(),
            EntrantRef::Team(team) => team.external_ids.runsignup_registration_id.as_deref(),
            EntrantRef::Record(record) => record.runsignup_registration_id(),
        }
    }

    /// The owned display data.
    pub fn display(&self) -> EntrantDisplay {
        EntrantDisplay {
            bib: self.bib().to_string(),
            name: self.name().into_owned(),
            first_name: self.first_name().to_string(),
            last_name: self.last_name().to_string(),
            gender: self.gender(),
            country: self.country().map(str::to_string),
            club: self.club().map(str::to_string),
            division_ids: self.division_ids().to_vec(),
            runsignup_registration_id: self.runsignup_registration_id().map(str::to_string),
        }
    }
}

/// `First Last`, either left out when blank (trimmed).
fn full_name<'a>(first: &'a str, last: &'a str) -> Cow<'a, str> {
    match (first.trim(), last.trim()) {
        ("", last) => Cow::Borrowed(last),
        (first, "") => Cow::Borrowed(first),
        (first, last) => Cow::Owned(format!("{first} {last}")),
    }
}

impl<'a> EntrantDirectory<'a> {
    /// Indexes the competitors and teams of `data` (a snapshot that spills
    /// its competitors, [`ExportData::names`], is searched there by id:
    /// for rare lookups; renderers read a table's names beside its rows,
    /// [`Exporter::board_names`]).
    pub fn new(data: &'a ExportData) -> EntrantDirectory<'a> {
        EntrantDirectory {
            competitor_table: Some(&data.competitors),
            teams_list: &data.teams,
            competitors: IdIndex::new(data.competitors.iter().map(|competitor| competitor.id())),
            teams: IdIndex::new(data.teams.iter().map(|team| team.id)),
            names: data.names.is_spilled().then_some(&data.names),
        }
    }

    /// A directory of spilled `names` only (a test seam).
    #[cfg(test)]
    pub(crate) fn of_names(names: &'a EntrantNames) -> EntrantDirectory<'a> {
        EntrantDirectory {
            names: Some(names),
            ..EntrantDirectory::default()
        }
    }

    /// The display data of `entrant`, or an error naming the entrant when the
    /// snapshot has a result for someone it does not list.
    pub fn get(&self, entrant: Entrant) -> Result<EntrantDisplay, ExportError> {
        Ok(self.entrant(entrant)?.entrant().display())
    }

    /// [`EntrantDirectory::get`], borrowed where the snapshot holds the
    /// entrant (a spilled competitor's record is read, owned).
    pub fn entrant(&self, entrant: Entrant) -> Result<Named<'a>, ExportError> {
        let found = match entrant {
            Entrant::Competitor(id) => self
                .competitors
                .get(id)
                .and_then(|index| self.competitor_table?.at(index))
                .map(|view| Named::Ref(EntrantRef::Competitor(view)))
                .or_else(|| self.names?.competitor(id).map(Named::Owned)),
            Entrant::Team(id) => self
                .teams
                .get(id)
                .and_then(|index| self.teams_list.get(index))
                .map(|team| Named::Ref(EntrantRef::Team(team)))
                .or_else(|| self.names?.team(id).map(Named::Owned)),
        };
        found.ok_or(ExportError::UnknownEntrant { entrant })
    }
}

/// The rows of a whole-field leaderboard that belong to `division_id`, in
/// division order: members of the division (by their [`EntrantInfo`]) and
/// anyone the engine gave a place in it; status rows keep their order at the
/// end. This is the store's rule for division leaderboards.
pub fn division_rows(rows: &[RankedRow], infos: &[EntrantInfo], division_id: Id) -> Vec<RankedRow> {
    let members: HashSet<Entrant> = infos
        .iter()
        .filter(|info| info.division_ids.contains(&division_id))
        .map(|info| info.entrant)
        .collect();
    division_rows_of(rows, &members, division_id)
}

/// [`division_rows`] with the division's members given as a set.
fn division_rows_of(
    rows: &[RankedRow],
    members: &HashSet<Entrant>,
    division_id: Id,
) -> Vec<RankedRow> {
    let place = |row: &RankedRow| {
        row.division_ranks
            .iter()
            .find(|(id, _)| *id == division_id)
            .map(|(_, place)| *place)
    };
    let mut kept: Vec<RankedRow> = rows
        .iter()
        .filter(|row| members.contains(&row.entrant) || place(row).is_some())
        .cloned()
        .collect();
    // Stable: equal places keep the engine's listing order.
    kept.sort_by_key(|row| place(row).unwrap_or(u32::MAX));
    kept
}

/// The parts of a snapshot besides the leaderboards.
#[derive(Debug, Clone)]
pub struct SnapshotParts {
    pub competition: Competition,
    pub divisions: Vec<Division>,
    /// The competitors (`Vec<Competitor>::into()` makes the table).
    pub competitors: CompetitorTable,
    pub teams: Vec<Team>,
    pub amendments: Vec<AmendmentLogEntry>,
    pub generated_at: DateTime<Utc>,
}

/// Each workout's rows for the whole field (`None`) or one division's
/// board, walked in listing order ([`ExportData::overall_boards_by_scope`]
/// reads them so): `index` is the workout's position in the workouts given.
pub trait WorkoutRows {
    /// Calls `each` with every row, in listing order (no split standings:
    /// the overall tables do not read them).
    fn for_each_row(&self, index: usize, scope: Option<Id>, each: &mut dyn FnMut(&RankedRow));
}

/// Frozen boards, one per workout in the workouts' order: rows made
/// [`crate::live::ROW_BATCH`] at a time, each batch dropped before the next.
impl WorkoutRows for Vec<crate::live::SpilledBoard> {
    fn for_each_row(&self, index: usize, scope: Option<Id>, each: &mut dyn FnMut(&RankedRow)) {
        let board = &self[index];
        let len = match scope {
            None => board.len(),
            Some(division) => board.division_len(division),
        };
        for first in (0..len).step_by(crate::live::ROW_BATCH) {
            for row in board.rows(scope, first..first + crate::live::ROW_BATCH) {
                each(&row);
            }
        }
    }
}

impl ExportData {
    /// Builds a snapshot from whole-field workout leaderboards ranked by the
    /// engine: division leaderboards are cut from them with
    /// [`division_rows`] when asked for, and the overall leaderboards (whole
    /// field and each division) are computed with the engine's
    /// `overall_standings` when `overall` gives the settings (mode,
    /// tie-break, team-workouts rule; the snapshot's teams give the
    /// members). Ranking each workout once
    /// keeps a 60,000-athlete snapshot fast.
    pub fn from_ranked(
        parts: SnapshotParts,
        ranked: Vec<(Workout, Vec<RankedRow>)>,
        infos: &[EntrantInfo],
        overall: Option<&OverallSettings>,
    ) -> ExportData {
        let overall_leaderboards =
            ExportData::overall_boards(&ranked, infos, &parts.teams, &parts.divisions, overall);
        let team_overall_leaderboards = ExportData::team_overall_boards(
            &ranked,
            infos,
            &parts.teams,
            &parts.divisions,
            overall,
        );
        ExportData::from_ranked_with_overall(
            parts,
            ranked,
            overall_leaderboards,
            overall
                .map(|settings| settings.team_workouts)
                .unwrap_or_default(),
        )
        .with_team_overall(team_overall_leaderboards)
    }

    /// The team overall leaderboards of a mixed event (whole field, then
    /// each division) with the engine's `team_overall_standings`; none
    /// without settings or when the workouts are all of one kind.
    pub fn team_overall_boards(
        ranked: &[(Workout, Vec<RankedRow>)],
        infos: &[EntrantInfo],
        teams: &[Team],
        divisions: &[Division],
        overall: Option<&OverallSettings>,
    ) -> Vec<OverallLeaderboard> {
        let workouts: Vec<&Workout> = ranked.iter().map(|(workout, _)| workout).collect();
        let Some(settings) = overall.filter(|_| has_team_overall(&workouts)) else {
            return Vec::new();
        };
        std::iter::once(None)
            .chain(divisions.iter().map(|division| Some(division.id)))
            .map(|scope| OverallLeaderboard {
                division_id: scope,
                rows: team_overall_standings(ranked, infos, teams, scope, settings),
            })
            .collect()
    }

    /// This snapshot with the team overall leaderboards of a mixed event
    /// ([`ExportData::team_overall_boards`]).
    pub fn with_team_overall(mut self, boards: Vec<OverallLeaderboard>) -> ExportData {
        self.team_overall_leaderboards = boards;
        self
    }

    /// The overall leaderboards [`ExportData::from_ranked`] computes: the
    /// whole field, then each division, with the engine's
    /// `overall_standings`; none without settings or workouts.
    pub fn overall_boards(
        ranked: &[(Workout, Vec<RankedRow>)],
        infos: &[EntrantInfo],
        teams: &[Team],
        divisions: &[Division],
        overall: Option<&OverallSettings>,
    ) -> Vec<OverallLeaderboard> {
        let mut overall_leaderboards = Vec::new();
        if let (Some(settings), false) = (overall, ranked.is_empty()) {
            let scopes =
                std::iter::once(None).chain(divisions.iter().map(|division| Some(division.id)));
            for scope in scopes {
                overall_leaderboards.push(OverallLeaderboard {
                    division_id: scope,
                    rows: overall_standings(ranked, infos, teams, scope, settings),
                });
            }
        }
        overall_leaderboards
    }

    /// The overall leaderboards (whole field, then each division; the team
    /// overall of a mixed event when `team_overall`), as
    /// [`ExportData::overall_boards`] and
    /// [`ExportData::team_overall_boards`] compute them, in memory that
    /// does not grow with the field ([`crate::overall_stream`]): `rows`
    /// gives the rows of `workouts[index]` for the whole field (`None`) or
    /// one division's board, made as they are read (a frozen board makes
    /// them a batch at a time); `entrants` hands over each entrant's bib
    /// and divisions (the store's `for_each_entrant_bib_and_divisions`),
    /// in any order; `members` hands over each team's members (the
    /// store's `for_each_team_members`), teams in the order of the teams
    /// list the engine would be given (the file's: id order), read once
    /// per call when a credited team workout has team rows, one team at a
    /// time (see [`crate::MemberReader`]). Each table's rows go through
    /// external sorts (by entrant, then by standing, with the engine's
    /// rules) into a [`CompactOverall`] spilled as it is filled. A division's table is
    /// computed from the division's own rows (a team workout's whole
    /// field, whose team places members may be credited with) and the
    /// entrants it can list, not from every row of the field: the others
    /// have no place in it and are not listed, so the table is the same.
    ///
    /// `scopes` says which tables are computed: the whole field's, the
    /// divisions', or all. A failure of a scratch file, of `entrants` or
    /// of `members` is the error.
    #[allow(clippy::too_many_arguments)]
    pub fn overall_boards_by_scope(
        workouts: &[Workout],
        rows: &dyn WorkoutRows,
        entrants: &crate::overall_stream::EntrantReader<'_>,
        members: &crate::overall_stream::MemberReader<'_>,
        divisions: &[Division],
        overall: Option<&OverallSettings>,
        team_overall: bool,
        scopes: OverallScopes,
    ) -> Result<Vec<CompactOverall>, ExportError> {
        let Some(settings) = overall else {
            return Ok(Vec::new());
        };
        crate::overall_stream::overall_tables(
            workouts,
            rows,
            entrants,
            members,
            divisions,
            settings,
            team_overall,
            scopes,
            OVERALL_SORT_BUDGET,
        )
    }

    /// [`ExportData::from_ranked`] with the overall leaderboards already
    /// computed ([`ExportData::overall_boards`]), so a snapshot can compute
    /// them before it loads the competitors and hold the two apart.
    pub fn from_ranked_with_overall(
        parts: SnapshotParts,
        ranked: Vec<(Workout, Vec<RankedRow>)>,
        overall_leaderboards: Vec<OverallLeaderboard>,
        overall_team_workouts: TeamWorkoutsInOverall,
    ) -> ExportData {
        // Division leaderboards are not stored: they are cut from the whole
        // field's rows when a renderer asks for one.
        let mut workout_leaderboards = Vec::with_capacity(ranked.len());
        let mut workouts = Vec::with_capacity(ranked.len());
        for (workout, rows) in ranked {
            workout_leaderboards.push(WorkoutLeaderboard {
                workout_id: workout.id,
                division_id: None,
                rows,
            });
            workouts.push(workout);
        }
        ExportData {
            workout_leaderboards,
            overall_leaderboards,
            ..ExportData::assemble(parts, workouts, overall_team_workouts)
        }
    }

    /// A snapshot whose workouts are ranked compactly (`live`, one
    /// [`LiveWorkout`] per workout; see [`crate::live`]), with the overall
    /// tables (and a mixed event's team overall tables) already computed
    /// and kept compact ([`ExportData::overall_boards_by_scope`]).
    pub fn from_live(
        parts: SnapshotParts,
        workouts: Vec<Workout>,
        live: Vec<LiveWorkout>,
        overall: Vec<CompactOverall>,
        team_overall: Vec<CompactOverall>,
        overall_team_workouts: TeamWorkoutsInOverall,
    ) -> ExportData {
        ExportData {
            compact_overall: overall,
            compact_team_overall: team_overall,
            live_workouts: LiveWorkouts(live.into_iter().map(std::sync::Arc::new).collect()),
            ..ExportData::assemble(parts, workouts, overall_team_workouts)
        }
    }

    /// A snapshot of `parts` and `workouts` without leaderboards (the one
    /// place the constructors above fill the common fields).
    fn assemble(
        parts: SnapshotParts,
        workouts: Vec<Workout>,
        overall_team_workouts: TeamWorkoutsInOverall,
    ) -> ExportData {
        ExportData {
            competition: parts.competition,
            divisions: parts.divisions,
            competitors: parts.competitors,
            teams: parts.teams,
            workouts,
            workout_leaderboards: Vec::new(),
            overall_leaderboards: Vec::new(),
            overall_team_workouts,
            team_overall_leaderboards: Vec::new(),
            compact_overall: Vec::new(),
            compact_team_overall: Vec::new(),
            amendments: parts.amendments,
            generated_at: parts.generated_at,
            live_workouts: LiveWorkouts::default(),
            names: EntrantNames::default(),
        }
    }

    /// The rows of one workout's leaderboard for the whole field (`None`)
    /// or one division, as renderers read them: made a batch at a time
    /// from the workout's compact ranking, or borrowed from (or, for a
    /// division the snapshot does not list, cut from) the rows the
    /// snapshot holds ([`ExportData::workout_leaderboard`]).
    /// An error when a read of a scratch file (the spilled split
    /// standings, [`crate::spill`]) failed while rendering: a renderer
    /// cannot stop part way through a row, so the rows it read after the
    /// failure lack their splits, and whatever it rendered must not be
    /// kept. Checked before an export keeps a file.
    pub fn check_scratch(&self) -> Result<(), ExportError> {
        for live in &self.live_workouts.0 {
            let failure = live
                .board()
                .scratch_failure()
                .or_else(|| live.splits.scratch_failure());
            if let Some(failure) = failure {
                return Err(ExportError::scratch(failure));
            }
        }
        for table in self
            .compact_overall
            .iter()
            .chain(&self.compact_team_overall)
        {
            if let Some(failure) = table.scratch_failure() {
                return Err(ExportError::scratch(failure));
            }
        }
        if let Some(failure) = self.names.scratch_failure() {
            return Err(ExportError::scratch(failure));
        }
        Ok(())
    }

    pub fn board_rows(
        &self,
        workout_id: Id,
        division_id: Option<Id>,
    ) -> Result<BoardRows<'_>, ExportError> {
        if let Some(live) = self.live_workouts.get(workout_id) {
            if let Some(division) = division_id {
                if self.division(division).is_err() {
                    return Err(ExportError::MissingLeaderboard {
                        workout_id: Some(workout_id),
                        division_id,
                    });
                }
            }
            return Ok(BoardRows::live(live, division_id));
        }
        Ok(match self.workout_leaderboard(workout_id, division_id)? {
            Cow::Borrowed(board) => BoardRows::held(Cow::Borrowed(board.rows.as_slice())),
            Cow::Owned(board) => BoardRows::held(Cow::Owned(board.rows)),
        })
    }

    /// The overall table's column heading for `workout`: its name, with the
    /// team-workouts rule for a team workout (`Relay (team, not counted)`).
    pub fn overall_heading(&self, workout: &Workout) -> String {
        overall_column_heading(workout, self.overall_team_workouts)
    }

    /// The column heading of `workout` in the overall table of `kind`: in
    /// the team overall an individual workout says `(individual, not
    /// counted)`.
    pub fn overall_heading_for(&self, workout: &Workout, kind: OverallEntrants) -> String {
        overall_column_heading_for(workout, self.overall_team_workouts, kind)
    }

    /// The workout with `workout_id`, or an error naming it.
    pub fn workout(&self, workout_id: Id) -> Result<&Workout, ExportError> {
        self.workouts
            .iter()
            .find(|workout| workout.id == workout_id)
            .ok_or(ExportError::UnknownWorkout { workout_id })
    }

    /// The division with `division_id`, or an error naming it.
    pub fn division(&self, division_id: Id) -> Result<&Division, ExportError> {
        self.divisions
            .iter()
            .find(|division| division.id == division_id)
            .ok_or(ExportError::UnknownDivision { division_id })
    }

    /// The leaderboard of one workout for the whole field (`None`) or one
    /// division. A division leaderboard the snapshot does not list is cut
    /// from the whole field's rows by the store's rule ([`division_rows`],
    /// members by their competitor or team divisions) and returned owned.
    pub fn workout_leaderboard(
        &self,
        workout_id: Id,
        division_id: Option<Id>,
    ) -> Result<Cow<'_, WorkoutLeaderboard>, ExportError> {
        let missing = ExportError::MissingLeaderboard {
            workout_id: Some(workout_id),
            division_id,
        };
        if let Some(board) = self.listed_leaderboard(workout_id, division_id) {
            return Ok(Cow::Borrowed(board));
        }
        if self.live_workouts.get(workout_id).is_some() {
            // Every row at once: for callers that want a whole board
            // (renderers read rows through `board_rows`).
            let rows = self.board_rows(workout_id, division_id)?;
            return Ok(Cow::Owned(WorkoutLeaderboard {
                workout_id,
                division_id,
                rows: rows.iter().map(Cow::into_owned).collect(),
            }));
        }
        let (Some(division), Some(whole_field)) =
            (division_id, self.listed_leaderboard(workout_id, None))
        else {
            return Err(missing);
        };
        if self.division(division).is_err() {
            return Err(missing);
        }
        let members = self.division_members(division);
        Ok(Cow::Owned(WorkoutLeaderboard {
            workout_id,
            division_id,
            rows: division_rows_of(&whole_field.rows, &members, division),
        }))
    }

    /// Whether [`ExportData::workout_leaderboard`] has a leaderboard for
    /// the workout and scope, without cutting it.
    pub fn has_workout_leaderboard(&self, workout_id: Id, division_id: Option<Id>) -> bool {
        if self.live_workouts.get(workout_id).is_some() {
            return division_id.is_none_or(|division| self.division(division).is_ok());
        }
        self.listed_leaderboard(workout_id, division_id).is_some()
            || (division_id.is_some_and(|division| self.division(division).is_ok())
                && self.listed_leaderboard(workout_id, None).is_some())
    }

    /// Every leaderboard of one workout: those the snapshot lists, in its
    /// order, then the division leaderboards cut from the whole field, in
    /// division order.
    pub fn workout_leaderboards_of(&self, workout_id: Id) -> Vec<Cow<'_, WorkoutLeaderboard>> {
        if self.live_workouts.get(workout_id).is_some() {
            return std::iter::once(None)
                .chain(self.divisions.iter().map(|division| Some(division.id)))
                .filter_map(|scope| self.workout_leaderboard(workout_id, scope).ok())
                .collect();
        }
        let mut boards: Vec<Cow<'_, WorkoutLeaderboard>> = self
            .workout_leaderboards
            .iter()
            .filter(|board| board.workout_id == workout_id)
            .map(Cow::Borrowed)
            .collect();
        if self.listed_leaderboard(workout_id, None).is_some() {
            for division in &self.divisions {
                if self
                    .listed_leaderboard(workout_id, Some(division.id))
                    .is_none()
                {
                    if let Ok(board) = self.workout_leaderboard(workout_id, Some(division.id)) {
                        boards.push(board);
                    }
                }
            }
        }
        boards
    }

    /// The leaderboards of one workout the snapshot lists, in its order.
    pub(crate) fn listed_leaderboards_of(&self, workout_id: Id) -> Vec<&WorkoutLeaderboard> {
        self.workout_leaderboards
            .iter()
            .filter(|board| board.workout_id == workout_id)
            .collect()
    }

    /// For each division whose leaderboard of `workout_id` the snapshot does
    /// not list (while it lists the whole field), the entrants of the board
    /// [`ExportData::workout_leaderboard`] would cut, in division order;
    /// computed one division at a time, without copying rows.
    pub(crate) fn derived_division_entrants(
        &self,
        workout_id: Id,
    ) -> impl Iterator<Item = (Id, Vec<Entrant>)> + '_ {
        let live = self.live_workouts.get(workout_id);
        let whole_field = self.listed_leaderboard(workout_id, None);
        let from_live = live.into_iter().flat_map(move |live| {
            self.divisions
                .iter()
                .map(move |division| (division.id, live.entrants(Some(division.id))))
        });
        let from_rows = self
            .divisions
            .iter()
            .filter(move |division| {
                whole_field.is_some()
                    && self
                        .listed_leaderboard(workout_id, Some(division.id))
                        .is_none()
            })
            .filter_map(move |division| {
                let whole_field = whole_field?;
                let members = self.division_members(division.id);
                let mut kept: Vec<(u32, Entrant)> = whole_field
                    .rows
                    .iter()
                    .filter_map(|row| {
                        let place = row
                            .division_ranks
                            .iter()
                            .find(|(id, _)| *id == division.id)
                            .map(|(_, place)| *place);
                        (members.contains(&row.entrant) || place.is_some())
                            .then(|| (place.unwrap_or(u32::MAX), row.entrant))
                    })
                    .collect();
                // Stable, as `division_rows`: equal places keep the engine's order.
                kept.sort_by_key(|(place, _)| *place);
                Some((
                    division.id,
                    kept.into_iter().map(|(_, entrant)| entrant).collect(),
                ))
            });
        from_live.chain(from_rows)
    }

    /// The competitors and teams in `division_id`.
    fn division_members(&self, division_id: Id) -> HashSet<Entrant> {
        self.competitors
            .iter()
            .filter(|competitor| competitor.division_ids().contains(&division_id))
            .map(|competitor| Entrant::Competitor(competitor.id()))
            .chain(
                self.teams
                    .iter()
                    .filter(|team| team.division_ids.contains(&division_id))
                    .map(|team| Entrant::Team(team.id)),
            )
            .collect()
    }

    fn listed_leaderboard(
        &self,
        workout_id: Id,
        division_id: Option<Id>,
    ) -> Option<&WorkoutLeaderboard> {
        self.workout_leaderboards
            .iter()
            .find(|board| board.workout_id == workout_id && board.division_id == division_id)
    }

    /// Whether the snapshot has overall tables (none without workouts).
    pub fn has_overall(&self) -> bool {
        !self.overall_leaderboards.is_empty() || !self.compact_overall.is_empty()
    }

    /// Every overall table, whole field first, as renderers read them.
    pub fn overall_tables(&self) -> Vec<OverallRows<'_>> {
        self.overall_leaderboards
            .iter()
            .map(OverallRows::Held)
            .chain(self.compact_overall.iter().map(OverallRows::Compact))
            .collect()
    }

    /// The overall table for the whole field (`None`) or one division, as
    /// renderers read it (rows made one at a time from a compact table).
    pub fn overall_rows(&self, division_id: Option<Id>) -> Result<OverallRows<'_>, ExportError> {
        Self::rows_of_scope(
            &self.overall_leaderboards,
            &self.compact_overall,
            division_id,
        )
    }

    fn rows_of_scope<'s>(
        held: &'s [OverallLeaderboard],
        compact: &'s [CompactOverall],
        division_id: Option<Id>,
    ) -> Result<OverallRows<'s>, ExportError> {
        held.iter()
            .find(|board| board.division_id == division_id)
            .map(OverallRows::Held)
            .or_else(|| {
                compact
                    .iter()
                    .find(|table| table.division_id == division_id)
                    .map(OverallRows::Compact)
            })
            .ok_or(ExportError::MissingLeaderboard {
                workout_id: None,
                division_id,
            })
    }

    /// The overall leaderboard for the whole field (`None`) or one
    /// division, whole (made from a compact table when the snapshot keeps
    /// it so; renderers read rows through [`ExportData::overall_rows`]).
    pub fn overall_leaderboard(
        &self,
        division_id: Option<Id>,
    ) -> Result<Cow<'_, OverallLeaderboard>, ExportError> {
        Ok(match self.overall_rows(division_id)? {
            OverallRows::Held(board) => Cow::Borrowed(board),
            OverallRows::Compact(table) => Cow::Owned(table.to_leaderboard()),
        })
    }

    /// The team overall table of a mixed event for the whole field
    /// (`None`) or one division, as renderers read it; an error saying why
    /// when there is none.
    pub fn team_overall_rows(
        &self,
        division_id: Option<Id>,
    ) -> Result<OverallRows<'_>, ExportError> {
        if self.team_overall_leaderboards.is_empty() && self.compact_team_overall.is_empty() {
            return Err(ExportError::NothingToExport {
                what: "team overall standings".to_string(),
                reason: "the team overall is a table of its own only when team workouts stand \
                         beside individual ones; this competition's one overall table is \
                         exported without --teams"
                    .to_string(),
            });
        }
        Self::rows_of_scope(
            &self.team_overall_leaderboards,
            &self.compact_team_overall,
            division_id,
        )
    }

    /// The team overall leaderboard of a mixed event, whole (see
    /// [`ExportData::overall_leaderboard`]).
    pub fn team_overall_leaderboard(
        &self,
        division_id: Option<Id>,
    ) -> Result<Cow<'_, OverallLeaderboard>, ExportError> {
        Ok(match self.team_overall_rows(division_id)? {
            OverallRows::Held(board) => Cow::Borrowed(board),
            OverallRows::Compact(table) => Cow::Owned(table.to_leaderboard()),
        })
    }

    /// The most recent amendment of each (workout, entrant) pair.
    pub fn latest_amendments(&self) -> HashMap<(Id, Entrant), &AmendmentLogEntry> {
        let mut latest: HashMap<(Id, Entrant), &AmendmentLogEntry> = HashMap::new();
        for entry in &self.amendments {
            latest
                .entry((entry.workout_id, entry.entrant))
                .and_modify(|current| {
                    if entry.sequence >= current.sequence {
                        *current = entry;
                    }
                })
                .or_insert(entry);
        }
        latest
    }

    /// The generation timestamp as RFC 3339 with whole seconds, e.g. `2026-05-02T17:30:00Z`.
    pub fn generated_at_text(&self) -> String {
        self.generated_at.to_rfc3339_opts(SecondsFormat::Secs, true)
    }
}

pub use scoretable_core::model::{gender_text, row_place};

/// A file-name-safe slug of `text`: the competition slug rule
/// ([`scoretable_core::naming::slug_from_name`]: lowercase ASCII letters,
/// digits and single `-`),
/// at most [`MAX_SLUG_CHARS`] long (a longer one is cut and ends with a hash
/// of the whole, keeping different names apart), and never a device name
/// Windows reserves (`con` becomes `con-x`).
pub fn slug(text: &str) -> String {
    // The core's one slug rule, then what file names need besides.
    let mut slug = scoretable_core::naming::slug_from_name(text);
    if slug.is_empty() {
        slug.push('x');
    }
    if slug.len() > MAX_SLUG_CHARS {
        // Long names are cut, with a hash of the whole slug so two names
        // that share their first characters still get different files.
        let hash = slug.bytes().fold(0x811c_9dc5_u32, |hash, byte| {
            (hash ^ u32::from(byte)).wrapping_mul(0x0100_0193)
        });
        let mut short = slug[..MAX_SLUG_CHARS - 9].trim_end_matches('-').to_string();
        short.push_str(&format!("-{hash:08x}"));
        slug = short;
    }
    if is_reserved_file_name(&slug) {
        // `con.csv` or `nul.pdf` cannot be created on Windows.
        slug.push_str("-x");
    }
    slug
}

/// Slugs are at most this many characters, so a folder of exports stays
/// well inside every file system's name limit (255 bytes) and Windows'
/// 260-character paths.
pub const MAX_SLUG_CHARS: usize = 60;

/// Whether `name` (before its first dot) is a device name Windows reserves in
/// every folder: CON, PRN, AUX, NUL, COM0-9, LPT0-9 (any case, with any
/// extension).
pub fn is_reserved_file_name(name: &str) -> bool {
    let base = name
        .split('.')
        .next()
        .unwrap_or_default()
        .trim_end_matches(' ');
    let upper = base.to_ascii_uppercase();
    match upper.as_str() {
        "CON" | "PRN" | "AUX" | "NUL" | "CONIN$" | "CONOUT$" => true,
        _ => {
            let bytes = upper.as_bytes();
            // COM1..COM9, LPT1..LPT9 (and the 0 variants some tools refuse).
            bytes.len() == 4
                && (upper.starts_with("COM") || upper.starts_with("LPT"))
                && bytes[3].is_ascii_digit()
        }
    }
}

/// A snapshot plus the indexes every renderer needs, built once.
///
/// The render methods live in the format modules (`results_csv`,
/// `results_json`, `runsignup`, `pdf`, `awards`); they are all pure
/// functions of the snapshot.
#[derive(Debug, Clone)]
pub struct Exporter<'a> {
    pub data: &'a ExportData,
    pub directory: EntrantDirectory<'a>,
    latest_amendments: HashMap<(Id, Entrant), &'a AmendmentLogEntry>,
    amended_entrants: HashSet<Entrant>,
}

impl<'a> Exporter<'a> {
    pub fn new(data: &'a ExportData) -> Exporter<'a> {
        Exporter {
            data,
            directory: EntrantDirectory::new(data),
            latest_amendments: data.latest_amendments(),
            amended_entrants: data.amendments.iter().map(|entry| entry.entrant).collect(),
        }
    }

    /// The latest amendment of `entrant`'s result in `workout_id`, if any.
    pub fn latest_amendment(
        &self,
        workout_id: Id,
        entrant: Entrant,
    ) -> Option<&'a AmendmentLogEntry> {
        self.latest_amendments.get(&(workout_id, entrant)).copied()
    }

    /// True when any of `entrant`'s results was amended.
    pub fn has_any_amendment(&self, entrant: Entrant) -> bool {
        self.amended_entrants.contains(&entrant)
    }

    /// The names of a workout's board for the whole field (`None`) or one
    /// division, read a batch at a time beside its rows
    /// ([`TableNames::entrant`] with the row's index on the board).
    pub fn board_names(&self, workout_id: Id, division_id: Option<Id>) -> TableNames<'_> {
        let Some(live) = self.data.live_workouts.get(workout_id) else {
            return TableNames::by_lookup(&self.directory);
        };
        let rows = match division_id {
            None => RowsOf::Listing,
            Some(division) => RowsOf::Division(live, division),
        };
        TableNames::of_table(
            &self.directory,
            &self.data.names,
            TableKey::Workout(workout_id),
            rows,
            live.len(division_id),
        )
    }

    /// The names of an overall table's rows, read a batch at a time beside
    /// them (see [`Exporter::board_names`]).
    pub fn overall_names(&self, table: &OverallRows<'_>) -> TableNames<'_> {
        let OverallRows::Compact(compact) = table else {
            return TableNames::by_lookup(&self.directory);
        };
        let find = |tables: &[CompactOverall]| {
            tables
                .iter()
                .position(|other| std::ptr::eq(other, *compact))
        };
        let key = match find(&self.data.compact_overall) {
            Some(at) => TableKey::Overall { team: false, at },
            None => match find(&self.data.compact_team_overall) {
                Some(at) => TableKey::Overall { team: true, at },
                None => return TableNames::by_lookup(&self.directory),
            },
        };
        TableNames::of_table(
            &self.directory,
            &self.data.names,
            key,
            RowsOf::Listing,
            compact.len(),
        )
    }

    /// Competitors and teams in the snapshot.
    pub fn entrant_count(&self) -> usize {
        self.data.competitors.len()
            + self.data.names.competitor_count()
            + self.data.teams.len()
            + self.data.names.team_count()
    }

    /// Calls `each` with every competitor, then every team, and its
    /// display (in the snapshot's order: by id for one read from a file,
    /// read forward from its spills).
    pub fn for_each_entrant(
        &self,
        each: &mut dyn FnMut(Entrant, EntrantRef<'_>) -> Result<(), ExportError>,
    ) -> Result<(), ExportError> {
        let names = &self.data.names;
        for record in names.competitors().chain(names.teams()) {
            let record = record?;
            each(record.entrant(), EntrantRef::Record(&record))?;
        }
        let held = self
            .data
            .competitors
            .iter()
            .map(|competitor| Entrant::Competitor(competitor.id()))
            .chain(self.data.teams.iter().map(|team| Entrant::Team(team.id)));
        for entrant in held {
            let named = self.directory.entrant(entrant)?;
            each(entrant, named.entrant())?;
        }
        Ok(())
    }

    /// The names of `division_ids`, joined with `; `.
    pub fn division_names(&self, division_ids: &[Id]) -> String {
        let mut names = Vec::with_capacity(division_ids.len());
        for division_id in division_ids {
            if let Ok(division) = self.data.division(*division_id) {
                names.push(division.name.as_str());
            }
        }
        names.join("; ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Totals and points of every size (beyond 4 bytes, `i32::MIN`,
    /// negative), teams and competitors, cells with and without a place
    /// and display: every row reads back from the spill as it was pushed.
    #[test]
    fn a_compact_overall_keeps_wide_totals_and_points() {
        let values = [
            0,
            -7,
            i64::from(i32::MAX),
            i64::from(i32::MIN),
            i64::from(i32::MIN) + 1,
            8_640_000_000,
            -(1 << 40),
            42,
        ];
        let mut table = CompactOverall::new(None, vec![5, 9]);
        let rows: Vec<OverallRow> = values
            .iter()
            .enumerate()
            .map(|(at, value)| OverallRow {
                entrant: if at % 3 == 1 {
                    Entrant::Team(at as Id)
                } else {
                    Entrant::Competitor(at as Id - 2)
                },
                rank: at as u32 + 1,
                total: *value,
                cells: vec![
                    OverallCell {
                        workout_id: 5,
                        rank: Some(1),
                        points: values[values.len() - 1 - at],
                        display: format!("{value}"),
                    },
                    OverallCell {
                        workout_id: 9,
                        rank: None,
                        points: *value,
                        display: String::new(),
                    },
                ],
            })
            .collect();
        for row in &rows {
            table.push(row);
        }
        table.shrink_to_fit();
        assert_eq!(table.len(), rows.len());
        for (at, row) in rows.iter().enumerate().rev() {
            assert_eq!(&table.row(at), row);
        }
        assert!(table.scratch_failure().is_none());
    }

    #[test]
    fn the_competitor_table_keeps_fields_longer_than_a_byte_counts() {
        let mut long = Competitor {
            id: 5,
            bib: "B".repeat(254),
            chip_ids: Vec::new(),
            first_name: "F".repeat(255),
            last_name: "Łódź".repeat(100),
            gender: Some(Gender::Other),
            date_of_birth: None,
            country: Some(String::new()),
            club: Some("C".repeat(70_000)),
            external_ids: Default::default(),
            division_ids: vec![3, 1, 2],
            para_class: None,
        };
        long.external_ids.runsignup_registration_id = Some("r".repeat(256));
        let short = Competitor {
            id: 6,
            bib: "7".to_string(),
            first_name: "Ana".to_string(),
            last_name: String::new(),
            gender: None,
            country: None,
            club: None,
            external_ids: Default::default(),
            division_ids: Vec::new(),
            ..long.clone()
        };
        let list = vec![short.clone(), long, short];
        let table: CompetitorTable = list.iter().collect();
        assert_eq!(table.to_competitors(), list);
    }
}
