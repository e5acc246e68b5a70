//! The entrants' display data of a snapshot read from a competition file,
//! in bounded memory and read forward.
//!
//! The competitors' records and the teams' are spilled, each in id order
//! (the store's cursor order), to unnamed scratch files (`crate::spill`),
//! so a walk over every entrant (the results JSON's entrant list, the font
//! check of `request`) reads them forward. For every table a renderer
//! walks (each workout's whole-field listing, each overall table's
//! listing) the names are then joined to the rows once, in one post-pass
//! of the snapshot (`join_names`): every row `(entrant, table, row)` goes
//! into an `ExternalSort` by entrant (competitors, then teams, each by
//! id), is merge-joined with the spilled competitors and then teams (read
//! forward), and its name record goes with `(table, row)` into a second
//! `ExternalSort` by table and row; each table's names are written in its
//! listing order into one spill. A renderer walking a table reads its
//! names a batch at a time beside the rows ([`TableNames`]), forward (a
//! division's walk reads the names at its row numbers in the whole
//! field's listing, forward, skipping), never by id. A row whose entrant
//! has no record keeps a marker, and reading it gives
//! [`ExportError::UnknownEntrant`], as a lookup did.
//!
//! A by-id lookup of the spilled records ([`EntrantNames::competitor`],
//! [`EntrantNames::team`], a binary search over the records) is kept for
//! the rare reads: the awards' winners, a caller's own lookups.

use std::cell::RefCell;
use std::cmp::Ordering;
use std::rc::Rc;
use std::sync::Arc;

use scoretable_core::model::{Competitor, Entrant, Gender, Id, Team};

use crate::data::{CompactOverall, EntrantDirectory, EntrantRef};
use crate::error::ExportError;
use crate::external_sort::{ExternalSort, SortRecord, SORT_BUDGET};
use crate::live::{LiveWorkout, ROW_BATCH};
use crate::spill::{get_varint, put_varint, unzigzag, zigzag, RecordsWriter, SpilledRecords};

/// Text fields a [`NameRecord`] keeps: bib, first name, last name,
/// country, club, RunSignup registration id.
const FIELDS: usize = 6;

/// In a record's flags: bits 0-2 say a country, a club, a registration id
/// is present; bits 3-5 the gender (0 none); bit 6 a row whose entrant has
/// no record (a marker: no fields follow); bit 7 a team's record.
const GENDER_SHIFT: u8 = 3;
const MISSING: u8 = 1 << 6;
const TEAM: u8 = 1 << 7;

/// One competitor's or team's display data read back from a spill (or a
/// marker: a row whose entrant has no record).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameRecord {
    entrant: Entrant,
    flags: u8,
    /// The text fields one after the other.
    text: String,
    ends: [u32; FIELDS],
    division_ids: Vec<Id>,
}

fn gender_code(gender: Option<Gender>) -> u8 {
    match gender {
        None => 0,
        Some(Gender::Female) => 1,
        Some(Gender::Male) => 2,
        Some(Gender::Mixed) => 3,
        Some(Gender::Other) => 4,
    }
}

fn gender_of_code(code: u8) -> Option<Option<Gender>> {
    Some(match code {
        0 => None,
        1 => Some(Gender::Female),
        2 => Some(Gender::Male),
        3 => Some(Gender::Mixed),
        4 => Some(Gender::Other),
        _ => return None,
    })
}

pub(crate) fn entrant_code(entrant: Entrant) -> u64 {
    match entrant {
        Entrant::Competitor(id) => zigzag(id) << 1,
        Entrant::Team(id) => (zigzag(id) << 1) | 1,
    }
}

fn entrant_of_code(code: u64) -> Entrant {
    let id = unzigzag(code >> 1);
    if code & 1 == 0 {
        Entrant::Competitor(id)
    } else {
        Entrant::Team(id)
    }
}

impl NameRecord {
    /// `competitor`'s record bytes, appended to `out`.
    pub(crate) fn encode_competitor(competitor: &Competitor, out: &mut Vec<u8>) {
        Self::encode_fields(
            Entrant::Competitor(competitor.id),
            gender_code(competitor.gender) << GENDER_SHIFT,
            crate::data::display_fields(competitor),
            &competitor.division_ids,
            out,
        );
    }

    /// `team`'s record bytes, appended to `out`: what
    /// [`EntrantRef::Team`] shows of it (its bib, no first name, its name
    /// as the last name, its country, no club, its RunSignup registration
    /// id, its divisions).
    pub(crate) fn encode_team(team: &Team, out: &mut Vec<u8>) {
        let fields = [
            Some(team.bib.as_deref().unwrap_or_default()),
            Some(""),
            Some(team.name.as_str()),
            team.country.as_deref(),
            None,
            team.external_ids.runsignup_registration_id.as_deref(),
        ];
        Self::encode_fields(
            Entrant::Team(team.id),
            TEAM,
            fields,
            &team.division_ids,
            out,
        );
    }

    fn encode_fields(
        entrant: Entrant,
        mut flags: u8,
        fields: [Option<&str>; FIELDS],
        division_ids: &[Id],
        out: &mut Vec<u8>,
    ) {
        for (index, field) in fields.iter().enumerate().skip(3) {
            if field.is_some() {
                flags |= 1 << (index - 3);
            }
        }
        put_varint(out, entrant_code(entrant));
        out.push(flags);
        for field in &fields {
            put_varint(out, field.unwrap_or_default().len() as u64);
        }
        for field in &fields {
            out.extend_from_slice(field.unwrap_or_default().as_bytes());
        }
        put_varint(out, division_ids.len() as u64);
        for id in division_ids {
            put_varint(out, zigzag(*id));
        }
    }

    /// A marker's bytes: a row whose entrant has no record.
    fn encode_missing(entrant: Entrant, out: &mut Vec<u8>) {
        put_varint(out, entrant_code(entrant));
        out.push(MISSING);
    }

    /// The entrant a record's bytes begin with.
    fn entrant_of_bytes(bytes: &[u8]) -> Option<Entrant> {
        get_varint(bytes, &mut 0).map(entrant_of_code)
    }

    pub(crate) fn decode(bytes: &[u8]) -> Option<NameRecord> {
        let mut at = 0;
        let entrant = entrant_of_code(get_varint(bytes, &mut at)?);
        let flags = *bytes.get(at)?;
        at += 1;
        let mut record = NameRecord {
            entrant,
            flags,
            text: String::new(),
            ends: [0; FIELDS],
            division_ids: Vec::new(),
        };
        if flags & MISSING != 0 {
            return (at == bytes.len()).then_some(record);
        }
        // A team's record says so, and has no gender.
        let team = matches!(entrant, Entrant::Team(_));
        if (flags & TEAM != 0) != team || (team && flags & (0b111 << GENDER_SHIFT) != 0) {
            return None;
        }
        gender_of_code((flags >> GENDER_SHIFT) & 0b111)?;
        let mut end = 0u32;
        for field in 0..FIELDS {
            let len = u32::try_from(get_varint(bytes, &mut at)?).ok()?;
            end = end.checked_add(len)?;
            record.ends[field] = end;
        }
        let text = bytes.get(at..at.checked_add(end as usize)?)?;
        record.text = std::str::from_utf8(text).ok()?.to_string();
        // Each field must end on a character boundary.
        if !record
            .ends
            .iter()
            .all(|end| record.text.is_char_boundary(*end as usize))
        {
            return None;
        }
        at += end as usize;
        let count = get_varint(bytes, &mut at)? as usize;
        record.division_ids = Vec::with_capacity(count.min(bytes.len()));
        for _ in 0..count {
            record
                .division_ids
                .push(unzigzag(get_varint(bytes, &mut at)?));
        }
        (at == bytes.len()).then_some(record)
    }

    pub fn entrant(&self) -> Entrant {
        self.entrant
    }

    /// A row whose entrant has no record.
    fn is_missing(&self) -> bool {
        self.flags & MISSING != 0
    }

    /// A team's record (its name is its last name field).
    pub(crate) fn is_team(&self) -> bool {
        self.flags & TEAM != 0
    }

    fn field(&self, field: usize) -> &str {
        let start = if field == 0 { 0 } else { self.ends[field - 1] };
        &self.text[start as usize..self.ends[field] as usize]
    }

    fn optional(&self, field: usize) -> Option<&str> {
        (self.flags & (1 << (field - 3)) != 0).then(|| self.field(field))
    }

    pub fn bib(&self) -> &str {
        self.field(0)
    }

    pub fn first_name(&self) -> &str {
        self.field(1)
    }

    pub fn last_name(&self) -> &str {
        self.field(2)
    }

    pub fn country(&self) -> Option<&str> {
        self.optional(3)
    }

    pub fn club(&self) -> Option<&str> {
        self.optional(4)
    }

    pub fn runsignup_registration_id(&self) -> Option<&str> {
        self.optional(5)
    }

    pub fn gender(&self) -> Option<Gender> {
        gender_of_code((self.flags >> GENDER_SHIFT) & 0b111).flatten()
    }

    pub fn division_ids(&self) -> &[Id] {
        &self.division_ids
    }
}

/// One entrant's display data as a renderer holds it: borrowed from the
/// snapshot, one of a batch of records read from a spill, or a record read
/// alone. [`Named::entrant`] gives the fields.
#[derive(Debug, Clone)]
pub enum Named<'a> {
    Ref(EntrantRef<'a>),
    Batch(Rc<Vec<NameRecord>>, usize),
    Owned(NameRecord),
}

impl Named<'_> {
    pub fn entrant(&self) -> EntrantRef<'_> {
        match self {
            Named::Ref(entrant) => *entrant,
            Named::Batch(batch, at) => EntrantRef::Record(&batch[*at]),
            Named::Owned(record) => EntrantRef::Record(record),
        }
    }
}

/// Which table's names: a workout's whole-field listing, or an overall
/// table (its position in `compact_overall` or, `team`,
/// `compact_team_overall`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TableKey {
    Workout(Id),
    Overall { team: bool, at: usize },
}

/// The spilled names of a snapshot read from a competition file (see the
/// module documentation). Empty for a snapshot that holds its competitors
/// and teams ([`crate::ExportData::competitors`], [`crate::ExportData::teams`]).
#[derive(Debug, Clone, Default)]
pub struct EntrantNames {
    /// The competitors' records in id order.
    competitors: ById,
    /// The teams' records in id order.
    teams: ById,
    /// Every table's names, the tables one after the other.
    tables: Option<Arc<SpilledRecords>>,
    /// Each table and where its names start in `tables`.
    starts: Vec<(TableKey, usize)>,
    /// A failure of writing the spills (reading ones are kept by them).
    failure: Option<String>,
}

/// One kind of entrant's records spilled in id order.
#[derive(Debug, Clone, Default)]
struct ById {
    records: Option<Arc<SpilledRecords>>,
    count: usize,
}

impl ById {
    /// The `at`th record's bytes into `bytes`; false when it cannot be
    /// read (the failure kept).
    fn read_into(&self, at: usize, bytes: &mut Vec<u8>) -> bool {
        bytes.clear();
        self.records
            .as_ref()
            .is_some_and(|records| records.read_into(at, bytes))
    }

    fn fail(&self, message: String) {
        if let Some(records) = &self.records {
            records.fail(message);
        }
    }

    /// The `at`th record; `None` when it cannot be read (the failure
    /// kept).
    fn at(&self, at: usize) -> Option<NameRecord> {
        let mut bytes = Vec::with_capacity(128);
        if !self.read_into(at, &mut bytes) {
            return None;
        }
        let record = NameRecord::decode(&bytes);
        if record.is_none() {
            self.fail(format!("entrant record {at} does not decode"));
        }
        record
    }

    /// The records in id order, read forward.
    fn iter(&self) -> impl Iterator<Item = Result<NameRecord, ExportError>> + '_ {
        (0..self.count).map(move |at| {
            self.at(at).ok_or_else(|| {
                ExportError::scratch(
                    self.failure()
                        .unwrap_or_else(|| "an entrant's record could not be read".to_string()),
                )
            })
        })
    }

    /// Each record's entrant and bytes, in id order, read forward (the
    /// join's side).
    fn raw(&self) -> impl Iterator<Item = Result<(Entrant, Vec<u8>), ExportError>> + '_ {
        (0..self.count).map(move |at| {
            let mut bytes = Vec::with_capacity(128);
            if !self.read_into(at, &mut bytes) {
                return Err(ExportError::scratch(self.failure().unwrap_or_else(|| {
                    "an entrant's record could not be read".to_string()
                })));
            }
            match NameRecord::entrant_of_bytes(&bytes) {
                Some(entrant) => Ok((entrant, bytes)),
                None => Err(ExportError::scratch("an entrant's record does not decode")),
            }
        })
    }

    /// The record of `entrant` (a binary search over the records in id
    /// order: for rare lookups).
    fn find(&self, entrant: Entrant) -> Option<NameRecord> {
        let (mut low, mut high) = (0, self.count);
        let mut bytes = Vec::with_capacity(128);
        while low < high {
            let middle = low + (high - low) / 2;
            if !self.read_into(middle, &mut bytes) {
                return None;
            }
            let Some(found) = NameRecord::entrant_of_bytes(&bytes) else {
                self.fail(format!("entrant record {middle} does not decode"));
                return None;
            };
            match found.cmp(&entrant) {
                Ordering::Less => low = middle + 1,
                Ordering::Greater => high = middle,
                Ordering::Equal => {
                    let record = NameRecord::decode(&bytes);
                    if record.is_none() {
                        self.fail(format!("entrant record {middle} does not decode"));
                    }
                    return record;
                }
            }
        }
        None
    }

    fn failure(&self) -> Option<String> {
        self.records
            .as_ref()
            .and_then(|records| records.failure().map(str::to_string))
    }
}

impl PartialEq for EntrantNames {
    /// Equal when they keep the same competitors and teams (read back) and
    /// tables.
    fn eq(&self, other: &EntrantNames) -> bool {
        let same = |mine: &ById, theirs: &ById| {
            mine.count == theirs.count && (0..mine.count).all(|at| mine.at(at) == theirs.at(at))
        };
        self.starts == other.starts
            && self.failure == other.failure
            && same(&self.competitors, &other.competitors)
            && same(&self.teams, &other.teams)
    }
}

/// A scratch file's failure as the export's error.
fn scratch(error: std::io::Error) -> ExportError {
    ExportError::scratch(error)
}

/// Writes one kind of entrant's records in increasing id order.
struct ByIdWriter {
    writer: RecordsWriter,
    count: usize,
    last: Option<Id>,
}

impl ByIdWriter {
    fn new() -> Result<ByIdWriter, ExportError> {
        Ok(ByIdWriter {
            writer: RecordsWriter::new().map_err(scratch)?,
            count: 0,
            last: None,
        })
    }

    /// Adds the record `bytes` of entrant `id` (`(section, kind)` name
    /// the entrants in the error when they come out of order).
    fn push(
        &mut self,
        id: Id,
        bytes: &[u8],
        (section, kind): (&str, &str),
    ) -> Result<(), ExportError> {
        if let Some(last) = self.last.filter(|last| *last >= id) {
            return Err(ExportError::render(
                section,
                format!("the store read {kind} {id} after {last} (its cursor reads them by id)"),
            ));
        }
        self.last = Some(id);
        self.writer.push(bytes).map_err(scratch)?;
        self.count += 1;
        Ok(())
    }

    fn finish(self) -> Result<ById, ExportError> {
        Ok(ById {
            records: Some(Arc::new(self.writer.finish().map_err(scratch)?)),
            count: self.count,
        })
    }
}

/// Writes the competitors' and the teams' records, each in id order (see
/// [`EntrantNames`]).
#[doc(hidden)]
pub struct EntrantSpill {
    competitors: ByIdWriter,
    teams: ByIdWriter,
    bytes: Vec<u8>,
}

impl EntrantSpill {
    pub fn new() -> Result<EntrantSpill, ExportError> {
        Ok(EntrantSpill {
            competitors: ByIdWriter::new()?,
            teams: ByIdWriter::new()?,
            bytes: Vec::with_capacity(128),
        })
    }

    /// Adds `competitor`; the competitors come in increasing id order.
    pub fn push(&mut self, competitor: &Competitor) -> Result<(), ExportError> {
        self.bytes.clear();
        NameRecord::encode_competitor(competitor, &mut self.bytes);
        self.competitors
            .push(competitor.id, &self.bytes, ("competitors", "competitor"))
    }

    /// Adds `team`; the teams come in increasing id order.
    pub fn push_team(&mut self, team: &Team) -> Result<(), ExportError> {
        self.bytes.clear();
        NameRecord::encode_team(team, &mut self.bytes);
        self.teams.push(team.id, &self.bytes, ("teams", "team"))
    }

    pub fn finish(self) -> Result<EntrantNames, ExportError> {
        Ok(EntrantNames {
            competitors: self.competitors.finish()?,
            teams: self.teams.finish()?,
            ..EntrantNames::default()
        })
    }
}

/// A row of a table wanting its entrant's name (the join's first sort, by
/// entrant: competitors, then teams, each by id).
#[derive(Debug, Clone, Copy)]
struct Wanted {
    entrant: Entrant,
    table: u32,
    row: u32,
}

impl SortRecord for Wanted {
    fn encode(&self, out: &mut Vec<u8>) {
        put_varint(out, entrant_code(self.entrant));
        put_varint(out, u64::from(self.table));
        put_varint(out, u64::from(self.row));
    }

    fn decode(bytes: &[u8]) -> Option<Wanted> {
        let mut at = 0;
        let entrant = entrant_of_code(get_varint(bytes, &mut at)?);
        let table = u32::try_from(get_varint(bytes, &mut at)?).ok()?;
        let row = u32::try_from(get_varint(bytes, &mut at)?).ok()?;
        (at == bytes.len()).then_some(Wanted {
            entrant,
            table,
            row,
        })
    }
}

/// A row's name record (the join's second sort, by table and row).
#[derive(Debug, Clone)]
struct Placed {
    table: u32,
    row: u32,
    record: Vec<u8>,
}

impl SortRecord for Placed {
    fn encode(&self, out: &mut Vec<u8>) {
        put_varint(out, u64::from(self.table));
        put_varint(out, u64::from(self.row));
        out.extend_from_slice(&self.record);
    }

    fn decode(bytes: &[u8]) -> Option<Placed> {
        let mut at = 0;
        let table = u32::try_from(get_varint(bytes, &mut at)?).ok()?;
        let row = u32::try_from(get_varint(bytes, &mut at)?).ok()?;
        Some(Placed {
            table,
            row,
            record: bytes.get(at..)?.to_vec(),
        })
    }

    fn heap_bytes(&self) -> usize {
        self.record.capacity()
    }
}

/// A table's rows for the join: its key, its number of rows, and its
/// entrants in listing order, a batch at a time.
pub(crate) struct JoinTable<'t> {
    pub(crate) key: TableKey,
    pub(crate) rows: usize,
    pub(crate) entrants: Box<dyn Fn(std::ops::Range<usize>) -> Vec<Entrant> + 't>,
}

impl<'t> JoinTable<'t> {
    /// A workout's whole-field listing.
    pub(crate) fn workout(live: &'t LiveWorkout) -> JoinTable<'t> {
        JoinTable {
            key: TableKey::Workout(live.workout_id()),
            rows: live.len(None),
            entrants: Box::new(move |range| live.board().entrants(None, range)),
        }
    }

    /// An overall table's listing.
    pub(crate) fn overall(table: &'t CompactOverall, team: bool, at: usize) -> JoinTable<'t> {
        JoinTable {
            key: TableKey::Overall { team, at },
            rows: table.len(),
            entrants: Box::new(move |range| range.map(|index| table.entrant(index)).collect()),
        }
    }
}

/// The join (see the module documentation): each table's names written
/// in its listing order into one spill, with the sorts' budgets in bytes.
pub(crate) fn join_names(
    names: &mut EntrantNames,
    tables: &[JoinTable<'_>],
    (by_competitor_budget, by_place_budget): (usize, usize),
) -> Result<(), ExportError> {
    let by_entrant = |a: &Wanted, b: &Wanted| a.entrant.cmp(&b.entrant);
    let by_place = |a: &Placed, b: &Placed| (a.table, a.row).cmp(&(b.table, b.row));
    let mut wanted = ExternalSort::new(by_competitor_budget, by_entrant);
    let mut placed = ExternalSort::new(by_place_budget, by_place);
    for (table, listing) in tables.iter().enumerate() {
        let table = u32::try_from(table).expect("fewer than 4e9 tables");
        let mut first = 0;
        while first < listing.rows {
            let end = (first + ROW_BATCH).min(listing.rows);
            for (row, entrant) in (first..end).zip((listing.entrants)(first..end)) {
                let row = u32::try_from(row).expect("fewer than 4e9 rows");
                wanted
                    .push(Wanted {
                        entrant,
                        table,
                        row,
                    })
                    .map_err(scratch)?;
            }
            first = end;
        }
    }
    // The merge-join: the wanted rows by entrant beside the spilled
    // competitors and then teams (the same order), both read forward.
    let mut spilled = names.competitors.raw().chain(names.teams.raw());
    let mut current: Option<(Entrant, Vec<u8>)> = None;
    for want in wanted.finish().map_err(scratch)? {
        let want = want.map_err(scratch)?;
        while current
            .as_ref()
            .is_none_or(|(entrant, _)| *entrant < want.entrant)
        {
            match spilled.next() {
                Some(next) => current = Some(next?),
                None => break,
            }
        }
        let record = match &current {
            Some((entrant, record)) if *entrant == want.entrant => record.clone(),
            _ => {
                let mut marker = Vec::new();
                NameRecord::encode_missing(want.entrant, &mut marker);
                marker
            }
        };
        placed
            .push(Placed {
                table: want.table,
                row: want.row,
                record,
            })
            .map_err(scratch)?;
    }
    // Each table's names in its listing order, the tables one after the
    // other.
    let mut writer = RecordsWriter::new().map_err(scratch)?;
    let mut starts = Vec::with_capacity(tables.len());
    let mut written = 0usize;
    for listing in tables {
        starts.push((listing.key, written));
        written += listing.rows;
    }
    let mut count = 0usize;
    for place in placed.finish().map_err(scratch)? {
        let place = place.map_err(scratch)?;
        let expected = starts
            .get(place.table as usize)
            .map(|(_, start)| start + place.row as usize);
        if expected != Some(count) {
            return Err(ExportError::scratch(format!(
                "the names of table {} row {} came out of order",
                place.table, place.row
            )));
        }
        writer.push(&place.record).map_err(scratch)?;
        count += 1;
    }
    if count != written {
        return Err(ExportError::scratch(format!(
            "{count} names written for {written} rows"
        )));
    }
    names.tables = Some(Arc::new(writer.finish().map_err(scratch)?));
    names.starts = starts;
    Ok(())
}

/// Bytes the join's first sort (rows by competitor: 16 bytes a row) holds
/// before it spills a run, and its second (rows with their name records,
/// about 80 bytes a row): less than the crate's [`SORT_BUDGET`], so that
/// the join's memory is flat from a few thousand athletes on (its records
/// are a row's, several per athlete; runs are merged
/// [`crate::external_sort::FAN_IN`] at a time). The second holds more, so
/// that fewer of its runs are merged twice.
pub(crate) const JOIN_BUDGET: (usize, usize) = (SORT_BUDGET / 16, SORT_BUDGET / 4);

/// [`join_names`] with the production budget, for every table a renderer
/// walks: each workout's whole-field listing, each overall table's and
/// each team overall table's.
pub(crate) fn join_all_names<'t>(
    names: &mut EntrantNames,
    live: impl IntoIterator<Item = &'t LiveWorkout>,
    overall: &'t [CompactOverall],
    team_overall: &'t [CompactOverall],
) -> Result<(), ExportError> {
    let mut tables: Vec<JoinTable<'t>> = live.into_iter().map(JoinTable::workout).collect();
    for (team, list) in [(false, overall), (true, team_overall)] {
        for (at, table) in list.iter().enumerate() {
            tables.push(JoinTable::overall(table, team, at));
        }
    }
    join_names(names, &tables, JOIN_BUDGET)
}

/// Joins the competitors spilled in `data.names` to `data`'s tables, as a
/// snapshot read from a file is (a test seam: a test spills competitors of
/// its own).
#[doc(hidden)]
pub fn join_for_test(data: &mut crate::ExportData) -> Result<(), ExportError> {
    let mut names = std::mem::take(&mut data.names);
    let joined = join_all_names(
        &mut names,
        data.live_workouts.0.iter().map(Arc::as_ref),
        &data.compact_overall,
        &data.compact_team_overall,
    );
    data.names = names;
    joined
}

impl EntrantNames {
    /// Whether the snapshot's competitors and teams are spilled here.
    pub fn is_spilled(&self) -> bool {
        self.competitors.records.is_some()
    }

    /// Competitors spilled.
    pub fn competitor_count(&self) -> usize {
        self.competitors.count
    }

    /// Teams spilled.
    pub fn team_count(&self) -> usize {
        self.teams.count
    }

    /// The competitors' records in id order, read forward.
    pub fn competitors(&self) -> impl Iterator<Item = Result<NameRecord, ExportError>> + '_ {
        self.competitors.iter()
    }

    /// The teams' records in id order, read forward.
    pub fn teams(&self) -> impl Iterator<Item = Result<NameRecord, ExportError>> + '_ {
        self.teams.iter()
    }

    /// The record of competitor `id` (a binary search over the records in
    /// id order: for rare lookups).
    pub fn competitor(&self, id: Id) -> Option<NameRecord> {
        self.competitors.find(Entrant::Competitor(id))
    }

    /// The record of team `id` (a binary search, as
    /// [`EntrantNames::competitor`]).
    pub fn team(&self, id: Id) -> Option<NameRecord> {
        self.teams.find(Entrant::Team(id))
    }

    /// Where `key`'s names start.
    fn start_of(&self, key: TableKey) -> Option<usize> {
        self.starts
            .iter()
            .find(|(table, _)| *table == key)
            .map(|(_, start)| *start)
    }

    /// The first failure of a names spill, if one failed.
    pub fn scratch_failure(&self) -> Option<String> {
        self.failure
            .clone()
            .or_else(|| self.competitors.failure())
            .or_else(|| self.teams.failure())
            .or_else(|| {
                self.tables
                    .as_ref()
                    .and_then(|records| records.failure().map(str::to_string))
            })
    }

    /// Keeps `message` as a failure of the table names' spill (a test seam).
    #[cfg(test)]
    pub(crate) fn fail_for_test(&self, message: &str) {
        if let Some(records) = &self.tables {
            records.fail(message.to_string());
        }
    }
}

/// Where a table's rows are in its names: the whole field's listing (row
/// `i` is name `i`), or a division's list on a workout's board (row `i` is
/// the name at its row number).
#[derive(Debug, Clone, Copy)]
pub(crate) enum RowsOf<'a> {
    Listing,
    Division(&'a LiveWorkout, Id),
}

/// The names of one table a renderer walks, a batch at a time beside its
/// rows, forward (see the module documentation); or, for a snapshot that
/// holds its competitors, looked up in its [`EntrantDirectory`].
pub struct TableNames<'a> {
    directory: &'a EntrantDirectory<'a>,
    spilled: Option<SpilledTable<'a>>,
    /// The batch read last: its first index and records.
    batch: RefCell<(usize, Rc<Vec<NameRecord>>)>,
}

struct SpilledTable<'a> {
    records: &'a SpilledRecords,
    start: usize,
    rows: RowsOf<'a>,
    len: usize,
}

impl<'a> TableNames<'a> {
    /// Names looked up in `directory` (a snapshot that holds its
    /// competitors, or a table without spilled names).
    pub(crate) fn by_lookup(directory: &'a EntrantDirectory<'a>) -> TableNames<'a> {
        TableNames {
            directory,
            spilled: None,
            batch: RefCell::new((0, Rc::new(Vec::new()))),
        }
    }

    /// The names of table `key` (`len` rows, placed as `rows` says) when
    /// `names` keeps them; else looked up in `directory`.
    pub(crate) fn of_table(
        directory: &'a EntrantDirectory<'a>,
        names: &'a EntrantNames,
        key: TableKey,
        rows: RowsOf<'a>,
        len: usize,
    ) -> TableNames<'a> {
        let spilled = names
            .tables
            .as_deref()
            .zip(names.start_of(key))
            .map(|(records, start)| SpilledTable {
                records,
                start,
                rows,
                len,
            });
        TableNames {
            directory,
            spilled,
            batch: RefCell::new((0, Rc::new(Vec::new()))),
        }
    }

    /// The display of the table's row `index`, whose entrant is `entrant`;
    /// [`ExportError::UnknownEntrant`] when the snapshot has no such
    /// competitor or team.
    pub fn entrant(&self, index: usize, entrant: Entrant) -> Result<Named<'a>, ExportError> {
        let Some(table) = &self.spilled else {
            return self.directory.entrant(entrant);
        };
        let batch = {
            let mut kept = self.batch.borrow_mut();
            let (first, records) = &mut *kept;
            if index < *first || index >= *first + records.len() {
                let start = index - index % ROW_BATCH;
                *records = Rc::new(table.read(start..(start + ROW_BATCH).min(table.len)));
                *first = start;
            }
            (*first, Rc::clone(records))
        };
        let (first, records) = batch;
        let Some(record) = records.get(index - first) else {
            return Err(ExportError::UnknownEntrant { entrant });
        };
        if record.entrant != entrant || record.is_missing() {
            // A read that failed made no record (the failure is kept and
            // fails the export); a marker says the entrant has none.
            return Err(ExportError::UnknownEntrant { entrant });
        }
        Ok(Named::Batch(records, index - first))
    }
}

impl SpilledTable<'_> {
    /// The names of rows `range` (a failed read or a record that does not
    /// decode ends the batch; the failure is kept).
    fn read(&self, range: std::ops::Range<usize>) -> Vec<NameRecord> {
        let numbers: Vec<usize> = match self.rows {
            RowsOf::Listing => range.collect(),
            RowsOf::Division(live, division) => live
                .board()
                .row_numbers(Some(division), range)
                .into_iter()
                .map(|number| number as usize)
                .collect(),
        };
        let mut records = Vec::with_capacity(numbers.len());
        let mut bytes = Vec::with_capacity(128);
        for number in numbers {
            bytes.clear();
            if !self.records.read_into(self.start + number, &mut bytes) {
                break;
            }
            match NameRecord::decode(&bytes) {
                Some(record) => records.push(record),
                None => {
                    self.records
                        .fail(format!("the name of row {number} does not decode"));
                    break;
                }
            }
        }
        records
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn competitor(id: Id) -> Competitor {
        Competitor {
            id,
            bib: format!("{}", 100 + id),
            chip_ids: Vec::new(),
            first_name: format!("First{id}"),
            last_name: if id % 5 == 0 {
                String::new()
            } else {
                "Łast".repeat(id as usize % 3 + 1)
            },
            gender: match id % 4 {
                0 => None,
                1 => Some(Gender::Female),
                2 => Some(Gender::Male),
                _ => Some(Gender::Other),
            },
            date_of_birth: None,
            country: (id % 2 == 0).then(|| "IRL".to_string()),
            club: (id % 3 == 0).then(|| format!("Club {id}")),
            external_ids: Default::default(),
            division_ids: (0..id % 3).map(|division| division * 7 + 1).collect(),
            para_class: None,
        }
    }

    fn team(id: Id) -> Team {
        Team {
            id,
            name: if id % 2 == 0 {
                format!("  Team Ø{id} ")
            } else {
                String::new()
            },
            bib: (id % 3 != 0).then(|| format!("T{id}")),
            country: (id % 2 == 1).then(|| "NZL".to_string()),
            division_ids: (0..id % 3).map(|division| division * 5 + 2).collect(),
            members: vec![scoretable_core::model::TeamMember {
                competitor_id: id,
                order: 1,
            }],
            external_ids: scoretable_core::model::ExternalIds {
                runsignup_registration_id: (id % 4 == 1).then(|| format!("R{id}")),
                ..Default::default()
            },
        }
    }

    fn spilled(ids: &[Id]) -> EntrantNames {
        spilled_with_teams(ids, &[])
    }

    fn spilled_with_teams(ids: &[Id], team_ids: &[Id]) -> EntrantNames {
        let mut spill = EntrantSpill::new().unwrap();
        for id in ids {
            spill.push(&competitor(*id)).unwrap();
        }
        for id in team_ids {
            spill.push_team(&team(*id)).unwrap();
        }
        spill.finish().unwrap()
    }

    /// A team's record shows what the team itself shows (its name as
    /// given, not trimmed; no first name, club or gender), and does not
    /// decode cut short, with a byte too many, or claiming a gender.
    #[test]
    fn a_team_record_shows_what_the_team_shows() {
        for id in 0..24 {
            let team = team(id);
            let mut bytes = Vec::new();
            NameRecord::encode_team(&team, &mut bytes);
            let record = NameRecord::decode(&bytes).unwrap();
            assert_eq!(record.entrant(), Entrant::Team(id));
            assert_eq!(
                EntrantRef::Record(&record).display(),
                EntrantRef::Team(&team).display()
            );
            assert!(NameRecord::decode(&bytes[..bytes.len() - 1]).is_none());
            let mut longer = bytes.clone();
            longer.push(0);
            assert!(NameRecord::decode(&longer).is_none());
            // The flags byte follows the entrant's varint.
            let mut flags = 0;
            get_varint(&bytes, &mut flags).unwrap();
            let mut gendered = bytes.clone();
            gendered[flags] |= 1 << GENDER_SHIFT;
            assert!(NameRecord::decode(&gendered).is_none());
            let mut untagged = bytes.clone();
            untagged[flags] &= !TEAM;
            assert!(NameRecord::decode(&untagged).is_none());
        }
    }

    #[test]
    fn a_record_reads_back_every_field() {
        for id in 0..40 {
            let mut competitor = competitor(id);
            competitor.external_ids.runsignup_registration_id =
                (id % 7 == 0).then(|| "r".repeat(300));
            let mut bytes = Vec::new();
            NameRecord::encode_competitor(&competitor, &mut bytes);
            let record = NameRecord::decode(&bytes).unwrap();
            let view = EntrantRef::Record(&record);
            assert_eq!(record.entrant(), Entrant::Competitor(id));
            assert_eq!(view.bib(), competitor.bib);
            assert_eq!(view.first_name(), competitor.first_name);
            assert_eq!(view.last_name(), competitor.last_name);
            assert_eq!(view.gender(), competitor.gender);
            assert_eq!(view.country(), competitor.country.as_deref());
            assert_eq!(view.club(), competitor.club.as_deref());
            assert_eq!(
                view.runsignup_registration_id(),
                competitor.external_ids.runsignup_registration_id.as_deref()
            );
            assert_eq!(view.division_ids(), competitor.division_ids);
            // Cut short or with a byte too many, it does not decode.
            assert!(NameRecord::decode(&bytes[..bytes.len() - 1]).is_none());
            bytes.push(0);
            assert!(NameRecord::decode(&bytes).is_none());
        }
    }

    #[test]
    fn competitors_read_back_in_order_and_by_id() {
        let ids: Vec<Id> = (0..300).map(|at| at * 3 + 1).collect();
        let names = spilled(&ids);
        let read: Vec<Entrant> = names
            .competitors()
            .map(|record| record.unwrap().entrant())
            .collect();
        assert_eq!(
            read,
            ids.iter()
                .map(|id| Entrant::Competitor(*id))
                .collect::<Vec<_>>()
        );
        for id in 0..(ids.len() as Id * 3 + 4) {
            let found = names.competitor(id).map(|record| record.entrant());
            assert_eq!(found.is_some(), ids.contains(&id), "{id}");
        }
        assert!(names.scratch_failure().is_none());
        // Out of id order is refused (the join reads them forward).
        let mut spill = EntrantSpill::new().unwrap();
        spill.push(&competitor(5)).unwrap();
        assert!(spill.push(&competitor(5)).is_err());
        spill.push_team(&team(5)).unwrap();
        assert!(spill.push_team(&team(4)).is_err());
    }

    #[test]
    fn teams_read_back_in_order_and_by_id_beside_the_competitors() {
        let team_ids: Vec<Id> = (0..200).map(|at| at * 2 + 1).collect();
        let names = spilled_with_teams(&[1, 2, 3], &team_ids);
        assert_eq!((names.competitor_count(), names.team_count()), (3, 200));
        let read: Vec<Entrant> = names
            .teams()
            .map(|record| record.unwrap().entrant())
            .collect();
        assert_eq!(
            read,
            team_ids
                .iter()
                .map(|id| Entrant::Team(*id))
                .collect::<Vec<_>>()
        );
        for id in 0..410 {
            let found = names.team(id).map(|record| record.entrant());
            assert_eq!(found.is_some(), team_ids.contains(&id), "{id}");
            // A competitor's id is not a team's.
            assert_eq!(names.competitor(id).is_some(), (1..=3).contains(&id));
        }
        // The directory of a spilled snapshot finds a team there.
        let directory = EntrantDirectory::of_names(&names);
        assert_eq!(
            directory.get(Entrant::Team(7)).unwrap(),
            EntrantRef::Team(&team(7)).display()
        );
        assert!(matches!(
            directory.get(Entrant::Team(8)),
            Err(ExportError::UnknownEntrant { .. })
        ));
    }

    /// Tables of competitors (some without a record) and teams, joined
    /// with a budget that spills a run every few records: each table's
    /// names come back at its rows, in its listing order.
    #[test]
    fn the_join_places_every_name_at_its_row_with_many_runs() {
        let ids: Vec<Id> = (1..=500).filter(|id| id % 11 != 0).collect();
        // Teams 1..=60 but 11, 22, ... (those rows have no record); team
        // ids are competitors' ids too.
        let team_ids: Vec<Id> = (1..=60).filter(|id| id % 11 != 0).collect();
        let listings: Vec<Vec<Entrant>> = vec![
            (1..=500).rev().map(Entrant::Competitor).collect(),
            (1..=250)
                .map(|at| {
                    if at % 5 == 0 {
                        Entrant::Team((at * 31) % 60 + 1)
                    } else {
                        Entrant::Competitor((at * 7919) % 500 + 1)
                    }
                })
                .collect(),
            Vec::new(),
            (1..=40).map(|at| Entrant::Competitor(at % 3 + 1)).collect(),
        ];
        for budget in [(64, 64), (256, 64), (64, 4096), (4096, 256), JOIN_BUDGET] {
            let mut names = spilled_with_teams(&ids, &team_ids);
            let tables: Vec<JoinTable<'_>> = listings
                .iter()
                .enumerate()
                .map(|(at, listing)| JoinTable {
                    key: TableKey::Overall { team: false, at },
                    rows: listing.len(),
                    entrants: Box::new(move |range| listing[range].to_vec()),
                })
                .collect();
            join_names(&mut names, &tables, budget).unwrap();
            // Nothing held: every name comes from the join.
            let directory = EntrantDirectory::default();
            for (at, listing) in listings.iter().enumerate() {
                let table = TableNames::of_table(
                    &directory,
                    &names,
                    TableKey::Overall { team: false, at },
                    RowsOf::Listing,
                    listing.len(),
                );
                // Read forward, then a few rows out of order.
                let order = (0..listing.len()).chain([listing.len() / 2, 0, 3]);
                for index in order.filter(|index| *index < listing.len()) {
                    let entrant = listing[index];
                    let named = table.entrant(index, entrant);
                    match entrant {
                        Entrant::Team(id) if team_ids.contains(&id) => assert_eq!(
                            named.unwrap().entrant().display(),
                            EntrantRef::Team(&team(id)).display()
                        ),
                        Entrant::Competitor(id) if ids.contains(&id) => {
                            let named = named.unwrap();
                            let expected = competitor(id);
                            assert_eq!(named.entrant().bib(), expected.bib, "{budget:?} {at}");
                            assert_eq!(named.entrant().division_ids(), expected.division_ids);
                        }
                        Entrant::Competitor(_) | Entrant::Team(_) => assert!(
                            matches!(named, Err(ExportError::UnknownEntrant { entrant: e }) if e == entrant),
                            "{entrant:?}"
                        ),
                    }
                }
            }
            assert!(names.scratch_failure().is_none());
        }
    }

    #[test]
    fn a_failed_read_of_the_names_is_kept() {
        let mut names = spilled(&[1, 2, 3]);
        let listing = [Entrant::Competitor(2), Entrant::Competitor(1)];
        let tables = [JoinTable {
            key: TableKey::Workout(9),
            rows: 2,
            entrants: Box::new(|range| listing[range].to_vec()),
        }];
        join_names(&mut names, &tables, (64, 64)).unwrap();
        assert!(names.scratch_failure().is_none());
        names.fail_for_test("the disk went away");
        assert_eq!(
            names.scratch_failure().as_deref(),
            Some("the disk went away")
        );
    }
}
