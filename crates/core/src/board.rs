//! A workout's ranked board kept in memory and brought up to date one result
//! at a time.
//!
//! [`LiveBoard::build`] ranks a workout once, on compact slots (rank key,
//! entry index, place), and splits it into every division in the same pass:
//! a division's list is its members in the workout's listing order, so its
//! places are counted as the slots go by. The board's entries are plain
//! values in one vector (bibs in one string, division ids in one pool, an
//! entrant found by a dense id table), so building allocates a handful of
//! vectors, not a few per entrant. Names are not part of the board; callers
//! look them up for the rows they show.
//!
//! [`LiveBoard::apply`] takes one entrant's new result (or its removal). The
//! entrant's slot is found by binary search on its old key, moved to where
//! its new key belongs (binary search again; only the rows between the two
//! places shift by one), and the places are re-counted from the first row
//! that moved until the first row after the move whose place did not change.
//! The same happens in each of the entrant's own divisions and in no other.
//! The rows whose place changed are exactly the who-moved list, in the order
//! [`crate::moves::places_changed_by`] gives it (overall first, then by
//! division id, each in the new listing order, a removed entrant last).
//!
//! The board's rows ([`LiveBoard::rows`], [`LiveBoard::division_rows`])
//! equal [`rank_workout`](crate::ranking::rank_workout) over the same
//! results, split standings aside: a property test applies random sequences
//! of amendments (ties, tie-breaks, statuses, caps, penalties, rounding,
//! divisions) and compares the board with a full ranking after each one.
//!
//! Member-scored team workouts (`SumAll`, `BestN`) rank team rows formed
//! from members' results; the board ranks whatever inputs it is given, so
//! their callers pass each changed team's aggregated result.

use std::cmp::Ordering;
use std::ops::Range;
use std::sync::atomic::{AtomicU64, Ordering as AtomicOrdering};

use crate::codec::{
    get_score, get_status, get_varint, put_score, put_status, put_varint, unzigzag, zigzag,
};
use crate::fast_hash::{fast_hash_map, FastHashMap};
use crate::model::{
    Entrant, EntrantInfo, Id, Millis, RankedRow, ResultEntry, Score, Status, Workout,
};
use crate::moves::PlaceChange;
use crate::ranking::{compare_bibs, result_entry_key, RankKey};
use crate::score::format_score;

/// One row of a ranked list: what orders it, whose it is and its place in
/// that list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Slot {
    key: RankKey,
    /// The entry's index in [`LiveBoard::entries`].
    at: u32,
    /// The place in this list (the workout, or one division).
    rank: Option<u32>,
}

/// What the board knows of one entrant: its ordering data and what its row
/// shows. Plain values: the bib and divisions are ranges of the board's
/// pools.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Entry {
    entrant: Entrant,
    /// Whether the entrant has a result on the board (an entry is never
    /// removed, so indexes stay valid; a removed result clears this).
    present: bool,
    key: RankKey,
    /// `bibs[bib.0..bib.1]`.
    bib: (u32, u32),
    /// `division_pool[divisions.0..divisions.1]`, sorted, without repeats.
    divisions: (u32, u32),
    score: Option<Score>,
    status: Option<Status>,
    tie_break_ms: Option<Millis>,
    penalty_ms: Millis,
    partial: bool,
    amended: bool,
}

/// Entrant → entry index: dense tables for the usual small row ids, a map
/// for the rest.
#[derive(Debug, Clone, Default)]
pub(crate) struct EntrantIndex {
    competitors: Vec<u32>,
    teams: Vec<u32>,
    sparse: FastHashMap<Entrant, u32>,
    /// Ids below this go in the dense tables.
    dense_limit: usize,
}

const ABSENT: u32 = u32::MAX;

impl EntrantIndex {
    pub(crate) fn with_room(entries: usize) -> EntrantIndex {
        EntrantIndex {
            competitors: Vec::new(),
            teams: Vec::new(),
            sparse: fast_hash_map(0),
            dense_limit: (entries.saturating_mul(8)).max(1 << 16),
        }
    }

    fn dense(&self, entrant: Entrant) -> Option<(bool, usize)> {
        let (team, id) = match entrant {
            Entrant::Competitor(id) => (false, id),
            Entrant::Team(id) => (true, id),
        };
        usize::try_from(id)
            .ok()
            .filter(|id| *id < self.dense_limit)
            .map(|id| (team, id))
    }

    pub(crate) fn get(&self, entrant: Entrant) -> Option<u32> {
        match self.dense(entrant) {
            Some((team, id)) => {
                let table = if team { &self.teams } else { &self.competitors };
                table.get(id).copied().filter(|at| *at != ABSENT)
            }
            None => self.sparse.get(&entrant).copied(),
        }
    }

    pub(crate) fn insert(&mut self, entrant: Entrant, at: u32) {
        match self.dense(entrant) {
            Some((team, id)) => {
                let table = if team {
                    &mut self.teams
                } else {
                    &mut self.competitors
                };
                if table.len() <= id {
                    table.resize(id + 1, ABSENT);
                }
                table[id] = at;
            }
            None => {
                self.sparse.insert(entrant, at);
            }
        }
    }
}

/// Which board this is, unique in the process: a clone is another board
/// (the two can take different changes), so it gets an id of its own.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct BoardId(u64);

impl BoardId {
    fn next() -> BoardId {
        static NEXT: AtomicU64 = AtomicU64::new(1);
        BoardId(NEXT.fetch_add(1, AtomicOrdering::Relaxed))
    }

    pub(crate) fn get(&self) -> u64 {
        self.0
    }
}

impl Clone for BoardId {
    fn clone(&self) -> BoardId {
        BoardId::next()
    }
}

/// A workout's ranked board, overall and in every division (see the module
/// documentation).
#[derive(Debug, Clone)]
pub struct LiveBoard {
    /// This board (a clone is another one).
    id: BoardId,
    workout: Workout,
    overall: Vec<Slot>,
    /// Sorted by division id.
    divisions: Vec<(Id, Vec<Slot>)>,
    entries: Vec<Entry>,
    index: EntrantIndex,
    /// Every entry's bib, one after the other.
    bibs: String,
    /// Every entry's division ids, one run after the other.
    division_pool: Vec<Id>,
    /// How many present entries carry a time penalty (kept by `build` and
    /// `apply`).
    penalized: usize,
    /// Changes applied since the build: a [`MovedPlaces`]'s blocks refer to
    /// the board as it was after one particular change.
    changes: u64,
}

/// Who changed place in one [`LiveBoard::apply_moves`], kept compact: a run
/// of rows that sit next to each other on one list (the whole field or one
/// division) and whose places all moved by the same number is one block
/// (its positions on the list after the change, and the difference),
/// whatever its length; any other change (a row that gains or loses its
/// place) is one entry. A DNF near the top of 240,000 rows is then a few
/// blocks, not 228,000 entries.
///
/// The rows are read from the board ([`MovedPlaces::iter`]), as it is right
/// after the change, in the order [`LiveBoard::apply`] lists them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MovedPlaces {
    items: Vec<Moved>,
    rows: usize,
    /// The board the blocks' positions refer to: its id and change count
    /// (`None`: no blocks, the list stands alone).
    board: Option<(u64, u64)>,
}

/// One item of [`MovedPlaces`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Moved {
    One(PlaceChange),
    /// The rows at `start..end` of list `division_id` (`None`: the whole
    /// field) after the change, each now placed `delta` after its old place
    /// (both places present).
    Block {
        division_id: Option<Id>,
        start: u32,
        end: u32,
        delta: i64,
    },
}

impl MovedPlaces {
    /// Rows whose place changed.
    pub fn len(&self) -> usize {
        self.rows
    }

    pub fn is_empty(&self) -> bool {
        self.rows == 0
    }

    /// Items kept (entries and blocks): what the list costs.
    pub fn items(&self) -> usize {
        self.items.len()
    }

    /// Panics unless the blocks' positions are `board`'s as it is.
    pub(crate) fn check_board(&self, board: &LiveBoard) {
        if let Some(stamp) = self.board {
            assert_eq!(
                stamp,
                (board.id.get(), board.changes),
                "who moved is read from the board as the change left it"
            );
        }
    }

    pub(crate) fn parts(&self) -> &[Moved] {
        &self.items
    }

    /// Every row whose place changed, from `board` as it is right after the
    /// change that made this list (panics for another board, or the same
    /// one changed since, when the list holds blocks).
    pub fn iter<'a>(&'a self, board: &'a LiveBoard) -> impl Iterator<Item = PlaceChange> + 'a {
        self.check_board(board);
        self.items.iter().flat_map(move |item| {
            let (single, slots, division_id, delta) = match *item {
                Moved::One(change) => (Some(change), &[][..], None, 0),
                Moved::Block {
                    division_id,
                    start,
                    end,
                    delta,
                } => (
                    None,
                    &board.list(division_id)[start as usize..end as usize],
                    division_id,
                    delta,
                ),
            };
            single
                .into_iter()
                .chain(slots.iter().map(move |slot| PlaceChange {
                    entrant: board.entries[slot.at as usize].entrant,
                    division_id,
                    old_rank: slot.rank.map(|rank| (i64::from(rank) - delta) as u32),
                    new_rank: slot.rank,
                }))
        })
    }

    /// [`MovedPlaces::iter`], collected.
    pub fn to_vec(&self, board: &LiveBoard) -> Vec<PlaceChange> {
        let mut rows = Vec::with_capacity(self.rows);
        rows.extend(self.iter(board));
        rows
    }

    /// A change of the row at `position` of list `division_id`; `entrant`
    /// is asked only when the row is not part of a block.
    fn push(
        &mut self,
        division_id: Option<Id>,
        position: usize,
        old_rank: Option<u32>,
        new_rank: Option<u32>,
        entrant: impl FnOnce() -> Entrant,
    ) {
        self.rows += 1;
        if let (Some(old), Some(new)) = (old_rank, new_rank) {
            let delta = i64::from(new) - i64::from(old);
            let position = position as u32;
            if let Some(Moved::Block {
                division_id: block_division,
                end,
                delta: block_delta,
                ..
            }) = self.items.last_mut()
            {
                if *block_division == division_id && *end == position && *block_delta == delta {
                    *end += 1;
                    return;
                }
            }
            self.items.push(Moved::Block {
                division_id,
                start: position,
                end: position + 1,
                delta,
            });
            return;
        }
        self.items.push(Moved::One(PlaceChange {
            entrant: entrant(),
            division_id,
            old_rank,
            new_rank,
        }));
    }
}

impl From<Vec<PlaceChange>> for MovedPlaces {
    /// A list of single entries (no blocks), readable with any board.
    fn from(changes: Vec<PlaceChange>) -> MovedPlaces {
        MovedPlaces {
            rows: changes.len(),
            items: changes.into_iter().map(Moved::One).collect(),
            board: None,
        }
    }
}

/// A board's places by entry ([`LiveBoard::places`]): the whole field's,
/// and each entry's place in each of its divisions (beside its run of
/// division ids), 4 bytes each.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BoardPlaces {
    overall: Vec<u32>,
    divisions: Vec<u32>,
    /// The board's entries when the places were counted.
    entries: usize,
}

impl BoardPlaces {
    /// Bytes held.
    pub fn heap_bytes(&self) -> usize {
        (self.overall.capacity() + self.divisions.capacity()) * 4
    }
}

/// In [`BoardPlaces`]: not on that list.
const NOT_LISTED: u32 = u32::MAX;
/// In [`BoardPlaces`]: on the list without a place.
const UNPLACED: u32 = u32::MAX - 1;

/// The board's ordering data of an entrant without a result yet: its bib and
/// divisions, as the engine ranks with them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RankInfo {
    pub bib: String,
    pub division_ids: Vec<Id>,
}

impl From<&EntrantInfo> for RankInfo {
    fn from(info: &EntrantInfo) -> RankInfo {
        RankInfo {
            bib: info.bib.clone(),
            division_ids: info.division_ids.clone(),
        }
    }
}

/// A borrowed [`RankInfo`]: an entrant's bib and division ids (in any
/// order, repeats allowed).
pub type RankInfoRef<'a> = (&'a str, &'a [Id]);

/// Places of `slots[from..]` by standard competition ranking, given the
/// places before `from` are right.
fn place_from(slots: &mut [Slot], from: usize) {
    for index in from..slots.len() {
        slots[index].rank = new_rank(slots, index);
    }
}

/// The place of `slots[index]` from its predecessor's (already right).
fn new_rank(slots: &[Slot], index: usize) -> Option<u32> {
    let slot = slots[index];
    if !slot.key.is_ranked() {
        return None;
    }
    match index.checked_sub(1).map(|previous| slots[previous]) {
        Some(previous) if previous.key == slot.key => previous.rank,
        _ => Some(index as u32 + 1),
    }
}

/// A plain number bib (digits, no leading zero) compares as that number,
/// which is what `compare_bibs` gives for two of them.
fn bib_number(bib: &str) -> Option<u64> {
    (!bib.is_empty()
        && bib.len() <= 18
        && !bib.starts_with('0')
        && bib.bytes().all(|byte| byte.is_ascii_digit()))
    .then(|| bib.parse().ok())
    .flatten()
}

/// A bib as the listing compares it: a plain number bib (see
/// [`bib_number`]) as its number, any other as its text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BibRef<'a> {
    Number(u64),
    Text(&'a str),
}

impl<'a> BibRef<'a> {
    /// The bib's text (a number's digits written into `buffer`).
    fn text<'b>(self, buffer: &'b mut [u8; 20]) -> &'b str
    where
        'a: 'b,
    {
        match self {
            BibRef::Number(number) => number_text(number, buffer),
            BibRef::Text(text) => text,
        }
    }
}

/// The listing order of a workout's rows, the one every board uses (the
/// live board, the frozen build, an external sort of [`ListingRecord`]s):
/// the rank key, then the bib by [`compare_bibs`] (two plain numbers
/// without making their texts), then the entrant.
fn listing_order(a: (RankKey, BibRef<'_>, Entrant), b: (RankKey, BibRef<'_>, Entrant)) -> Ordering {
    a.0.cmp(&b.0)
        .then_with(|| match (a.1, b.1) {
            (BibRef::Number(a_number), BibRef::Number(b_number)) => a_number.cmp(&b_number),
            (a_bib, b_bib) => {
                let (mut a_buffer, mut b_buffer) = ([0; 20], [0; 20]);
                compare_bibs(a_bib.text(&mut a_buffer), b_bib.text(&mut b_buffer))
            }
        })
        .then_with(|| a.2.cmp(&b.2))
}

/// Puts `items` in a new order in place: `items[at]` takes the value that
/// was at `from(at)` (`from` a permutation), one cycle at a time, with a
/// flag a value beside them rather than a second vector of them.
fn permute_in_place<T: Copy>(items: &mut [T], from: impl Fn(usize) -> usize) {
    let mut moved = vec![false; items.len()];
    for start in 0..items.len() {
        if moved[start] {
            continue;
        }
        let first = items[start];
        let mut at = start;
        loop {
            moved[at] = true;
            let source = from(at);
            if source == start {
                items[at] = first;
                break;
            }
            items[at] = items[source];
            at = source;
        }
    }
}

/// Appends `divisions` to `pool` sorted and without repeats.
fn push_division_ids(pool: &mut Vec<Id>, divisions: &[Id]) {
    let start = pool.len();
    pool.extend_from_slice(divisions);
    let own = &mut pool[start..];
    if !own.windows(2).all(|pair| pair[0] < pair[1]) {
        own.sort_unstable();
        let mut kept = 0;
        for at in 0..own.len() {
            if at == 0 || own[at] != own[kept - 1] {
                own[kept] = own[at];
                kept += 1;
            }
        }
        pool.truncate(start + kept);
    }
}

fn pool_range(start: usize, end: usize) -> (u32, u32) {
    let narrow = |at: usize| u32::try_from(at).expect("a board's pools stay below 4 GiB");
    (narrow(start), narrow(end))
}

impl LiveBoard {
    /// Ranks `results` (the workout's ranked inputs) once and splits them
    /// into every division. `info_of` gives an entrant's bib and divisions
    /// (`None`: bib `""`, ranked overall only, as the engine does); it is
    /// asked once per result.
    pub fn build(
        workout: &Workout,
        results: &[ResultEntry],
        mut info_of: impl FnMut(Entrant) -> Option<RankInfo>,
    ) -> LiveBoard {
        let infos: Vec<Option<RankInfo>> = results
            .iter()
            .map(|result| info_of(result.entrant))
            .collect();
        let mut next = infos.iter();
        LiveBoard::build_from(workout, results, |_| {
            next.next()
                .and_then(Option::as_ref)
                .map(|info| (info.bib.as_str(), info.division_ids.as_slice()))
        })
    }

    /// [`LiveBoard::build`] with borrowed infos (nothing allocated per
    /// entrant): `info_of` is asked once per result, in the order of
    /// `results`. When an entrant has more than one result the last one
    /// counts.
    pub fn build_from<'i>(
        workout: &Workout,
        results: &[ResultEntry],
        info_of: impl FnMut(Entrant) -> Option<RankInfoRef<'i>>,
    ) -> LiveBoard {
        let mut board = LiveBoard::with_entries(workout, results, info_of);
        board.list_entries();
        board
    }

    /// [`LiveBoard::build_from`] taking the results, which are let go once
    /// the board's entries are made, before they are sorted and listed: a
    /// build's working memory is then the results or the lists, not both.
    pub fn build_from_owned<'i>(
        workout: &Workout,
        results: Vec<ResultEntry>,
        info_of: impl FnMut(Entrant) -> Option<RankInfoRef<'i>>,
    ) -> LiveBoard {
        let mut board = LiveBoard::with_entries(workout, &results, info_of);
        drop(results);
        board.list_entries();
        board
    }

    /// [`LiveBoard::build_from`] over results read one at a time: `read`
    /// calls its argument with each result (in the order `build_from`
    /// takes them; the last result of an entrant counts), so no vector of
    /// the results is held beside the board's entries (a reader from a
    /// file hands each row on as it is decoded). `room`: about how many
    /// results there are (it sizes the entries). An error of `read` is
    /// returned as it is.
    pub fn build_from_results<'i, E>(
        workout: &Workout,
        room: usize,
        read: impl FnOnce(&mut dyn FnMut(&ResultEntry)) -> Result<(), E>,
        mut info_of: impl FnMut(Entrant) -> Option<RankInfoRef<'i>>,
    ) -> Result<LiveBoard, E> {
        let mut board = LiveBoard::empty(workout, room);
        read(&mut |result| {
            let info = info_of(result.entrant);
            board.add_entry(result, info);
        })?;
        board.entries.shrink_to_fit();
        board.bibs.shrink_to_fit();
        board.division_pool.shrink_to_fit();
        board.list_entries();
        Ok(board)
    }

    /// A board without entries, with room for `room`.
    fn empty(workout: &Workout, room: usize) -> LiveBoard {
        LiveBoard {
            id: BoardId::next(),
            workout: workout.clone(),
            overall: Vec::new(),
            divisions: Vec::new(),
            entries: Vec::with_capacity(room),
            index: EntrantIndex::with_room(room),
            bibs: String::with_capacity(room * 6),
            division_pool: Vec::with_capacity(room * 2),
            penalized: 0,
            changes: 0,
        }
    }

    /// Adds `result`'s entry (replacing the entrant's earlier one), not
    /// listed yet.
    fn add_entry(&mut self, result: &ResultEntry, info: Option<RankInfoRef<'_>>) {
        let entry = self.entry_of(result, info);
        match self.index.get(result.entrant) {
            Some(at) => self.entries[at as usize] = entry,
            None => {
                let at = u32::try_from(self.entries.len()).expect("fewer than 2^32 entrants");
                self.entries.push(entry);
                self.index.insert(result.entrant, at);
            }
        }
    }

    /// A board with an entry per entrant of `results` (the last result of
    /// an entrant counts), not listed yet.
    fn with_entries<'i>(
        workout: &Workout,
        results: &[ResultEntry],
        mut info_of: impl FnMut(Entrant) -> Option<RankInfoRef<'i>>,
    ) -> LiveBoard {
        let mut board = LiveBoard::empty(workout, results.len());
        for result in results {
            let info = info_of(result.entrant);
            board.add_entry(result, info);
        }
        board
    }

    /// Sorts the entries into the whole field's listing order (renumbering
    /// them so) and makes every list with its places.
    fn list_entries(&mut self) {
        let board = self;
        // Sorted with each row's bib number at hand: bibs are compared only
        // between equal keys, and plain number bibs without a text compare.
        let mut listed: Vec<(RankKey, Option<u64>, u32)> = board
            .entries
            .iter()
            .enumerate()
            .map(|(at, entry)| (entry.key, bib_number(board.bib_of(entry)), at as u32))
            .collect();
        {
            let entries = &board.entries;
            let bib = |at: u32| board.bib_of(&entries[at as usize]);
            let sorted = |(key, number, at): &(RankKey, Option<u64>, u32)| {
                let bib = match number {
                    Some(number) => BibRef::Number(*number),
                    None => BibRef::Text(bib(*at)),
                };
                (*key, bib, entries[*at as usize].entrant)
            };
            // The keys first, without touching the entries: most pairs
            // differ there, and an entry's bib and entrant are a read
            // elsewhere in memory (made eagerly for every comparison, the
            // re-rank at 60,000 took 67-71 ms of CPU, not 59).
            listed.sort_unstable_by(|a, b| {
                a.0.cmp(&b.0)
                    .then_with(|| listing_order(sorted(a), sorted(b)))
            });
        }
        // Entries are numbered in listing order, so that the rows of a
        // stretch of the list (a block of who moved, read by the overall
        // tables) are neighbours in memory too. They are moved in place,
        // one cycle of the permutation at a time (a second vector of
        // entries was a build's largest working memory).
        permute_in_place(&mut board.entries, |at| listed[at].2 as usize);
        for (at, entry) in board.entries.iter().enumerate() {
            board.index.insert(entry.entrant, at as u32);
        }
        board.overall = listed
            .into_iter()
            .enumerate()
            .map(|(at, (key, _, _))| Slot {
                key,
                at: at as u32,
                rank: None,
            })
            .collect();
        place_from(&mut board.overall, 0);
        // Every division in one pass over the listing. The divisions are
        // few: counted in a small sorted table, not by sorting a copy of
        // the pool (as long as the field's division runs).
        let mut division_ids: Vec<Id> = Vec::new();
        let mut sizes: Vec<usize> = Vec::new();
        for division_id in &board.division_pool {
            match division_ids.binary_search(division_id) {
                Ok(at) => sizes[at] += 1,
                Err(at) => {
                    division_ids.insert(at, *division_id);
                    sizes.insert(at, 1);
                }
            }
        }
        let mut divisions: Vec<(Id, Vec<Slot>)> = division_ids
            .iter()
            .zip(&sizes)
            .filter(|(_, size)| **size > 0)
            .map(|(id, size)| (*id, Vec::with_capacity(*size)))
            .collect();
        // Each entry's division run: the entries are numbered in listing
        // order, so they are read one after the other (no table of runs).
        for slot in &board.overall {
            let run = board.entries[slot.at as usize].divisions;
            for division_id in &board.division_pool[run.0 as usize..run.1 as usize] {
                let at = divisions
                    .binary_search_by_key(division_id, |(id, _)| *id)
                    .expect("every division is collected above");
                let list = &mut divisions[at].1;
                list.push(*slot);
                let index = list.len() - 1;
                list[index].rank = new_rank(list, index);
            }
        }
        board.divisions = divisions;
        board.penalized = board
            .entries
            .iter()
            .filter(|entry| entry.penalty_ms != 0)
            .count();
    }

    /// A new entry for `result`, its bib and divisions added to the pools.
    fn entry_of(&mut self, result: &ResultEntry, info: Option<RankInfoRef<'_>>) -> Entry {
        let (key, effective) = result_entry_key(&self.workout, result);
        let (bib, divisions) = info.unwrap_or(("", &[]));
        let bib_start = self.bibs.len();
        self.bibs.push_str(bib);
        let division_start = self.division_pool.len();
        push_division_ids(&mut self.division_pool, divisions);
        Entry {
            entrant: result.entrant,
            present: true,
            key,
            bib: pool_range(bib_start, self.bibs.len()),
            divisions: pool_range(division_start, self.division_pool.len()),
            score: effective,
            status: result.status,
            tie_break_ms: result.tie_break_ms,
            penalty_ms: result.penalty_ms,
            partial: result.partial,
            amended: result.amended,
        }
    }

    fn bib_of(&self, entry: &Entry) -> &str {
        &self.bibs[entry.bib.0 as usize..entry.bib.1 as usize]
    }

    fn divisions_of(&self, entry: &Entry) -> &[Id] {
        &self.division_pool[entry.divisions.0 as usize..entry.divisions.1 as usize]
    }

    /// The entry of an entrant with a result on the board.
    fn present(&self, entrant: Entrant) -> Option<u32> {
        self.index
            .get(entrant)
            .filter(|at| self.entries[*at as usize].present)
    }

    fn entrant_at(&self, slot: &Slot) -> Entrant {
        self.entries[slot.at as usize].entrant
    }

    /// The workout the board ranks.
    pub fn workout(&self) -> &Workout {
        &self.workout
    }

    /// Rows on the whole-field board.
    pub fn len(&self) -> usize {
        self.overall.len()
    }

    pub fn is_empty(&self) -> bool {
        self.overall.is_empty()
    }

    /// Rows on one division's board (0 for a division without members on it).
    pub fn division_len(&self, division_id: Id) -> usize {
        self.division(division_id).map_or(0, Vec::len)
    }

    /// The divisions with members on the board, by id.
    pub fn division_ids(&self) -> impl Iterator<Item = Id> + '_ {
        self.divisions.iter().map(|(id, _)| *id)
    }

    /// The entrants of the whole-field board at `range` (clamped), in
    /// listing order.
    pub fn entrants(&self, range: Range<usize>) -> impl Iterator<Item = Entrant> + '_ {
        clamp(&self.overall, range)
            .iter()
            .map(|slot| self.entrant_at(slot))
    }

    /// The entrants of one division's board at `range` (clamped).
    pub fn division_entrants(&self, division_id: Option<Id>, range: Range<usize>) -> Vec<Entrant> {
        let list = match division_id {
            None => &self.overall,
            Some(id) => match self.division(id) {
                Some(list) => list,
                None => return Vec::new(),
            },
        };
        clamp(list, range)
            .iter()
            .map(|slot| self.entrant_at(slot))
            .collect()
    }

    /// Where an entrant is listed on the whole-field board (`division_id`
    /// `None`) or a division's.
    pub fn position(&self, division_id: Option<Id>, entrant: Entrant) -> Option<usize> {
        let at = self.present(entrant)?;
        let entry = &self.entries[at as usize];
        let list = match division_id {
            None => &self.overall,
            Some(id) => self.division(id)?,
        };
        self.find(list, entry.key, self.bib_of(entry), at).ok()
    }

    /// The whole-field board's rows at `range` as the engine lists them
    /// (without split standings).
    pub fn rows(&self, range: Range<usize>) -> Vec<RankedRow> {
        clamp(&self.overall, range)
            .iter()
            .map(|slot| self.row_in(slot.at, None, slot.rank))
            .collect()
    }

    /// One division's rows at `range`, ordered by division place (statuses
    /// after the placed rows, in listing order), as
    /// `scoretable_store`'s division boards list them.
    pub fn division_rows(&self, division_id: Id, range: Range<usize>) -> Vec<RankedRow> {
        self.division(division_id).map_or_else(Vec::new, |list| {
            clamp(list, range)
                .iter()
                .map(|slot| self.row_in(slot.at, Some(division_id), slot.rank))
                .collect()
        })
    }

    /// Whether any result on the whole-field board (`division_id` `None`)
    /// or a division's carries a time penalty, so a screen knows to show
    /// the penalty column for every page of it.
    pub fn has_penalties(&self, division_id: Option<Id>) -> bool {
        match division_id {
            None => self.penalized > 0,
            Some(id) => self.division(id).is_some_and(|list| {
                list.iter()
                    .any(|slot| self.entries[slot.at as usize].penalty_ms != 0)
            }),
        }
    }

    /// One entrant's row, `None` when it has no result on the board.
    pub fn row_of(&self, entrant: Entrant) -> Option<RankedRow> {
        self.present(entrant).map(|at| self.row(at))
    }

    /// The whole field's list (`None`) or a division's (empty without one).
    fn list(&self, division_id: Option<Id>) -> &[Slot] {
        match division_id {
            None => &self.overall,
            Some(id) => self.division(id).map_or(&[][..], Vec::as_slice),
        }
    }

    /// The entry indexes and places of list `division_id`'s rows at
    /// `range` (clamped).
    pub(crate) fn listed(
        &self,
        division_id: Option<Id>,
        range: Range<usize>,
    ) -> impl Iterator<Item = (u32, Option<u32>)> + '_ {
        clamp(self.list(division_id), range)
            .iter()
            .map(|slot| (slot.at, slot.rank))
    }

    /// This board's id (a clone has another).
    pub(crate) fn id(&self) -> u64 {
        self.id.get()
    }

    /// Entries: every entrant that had a result on the board since it was
    /// built, numbered from 0 in the order they came (an entry's number and
    /// entrant never change).
    pub(crate) fn entry_count(&self) -> usize {
        self.entries.len()
    }

    /// The entrant of entry `at`.
    pub(crate) fn entrant_of_entry(&self, at: u32) -> Entrant {
        self.entries[at as usize].entrant
    }

    fn division(&self, division_id: Id) -> Option<&Vec<Slot>> {
        self.divisions
            .binary_search_by_key(&division_id, |(id, _)| *id)
            .ok()
            .map(|at| &self.divisions[at].1)
    }

    /// Binary search for `(key, bib, entry at)` in a list.
    fn find(&self, list: &[Slot], key: RankKey, bib: &str, at: u32) -> Result<usize, usize> {
        list.binary_search_by(|slot| self.less(slot, key, bib, at))
    }

    fn row(&self, at: u32) -> RankedRow {
        let entry = &self.entries[at as usize];
        let rank = self.rank_in(&self.overall, entry.key, self.bib_of(entry), at);
        self.row_in(at, None, rank)
    }

    /// The row of entry `at`, whose place on the list of `listed` (the
    /// whole field for `None`, else that division) is `listed_rank`, known
    /// from the slot being walked: the other places are looked up.
    fn row_in(&self, at: u32, listed: Option<Id>, listed_rank: Option<u32>) -> RankedRow {
        let entry = &self.entries[at as usize];
        let bib = self.bib_of(entry);
        let rank = match listed {
            None => listed_rank,
            Some(_) => self.rank_in(&self.overall, entry.key, bib, at),
        };
        let division_ranks = if rank.is_some() {
            self.divisions_of(entry)
                .iter()
                .filter_map(|division_id| {
                    if listed == Some(*division_id) {
                        return Some((*division_id, listed_rank?));
                    }
                    let list = self.division(*division_id)?;
                    Some((*division_id, self.rank_in(list, entry.key, bib, at)?))
                })
                .collect()
        } else {
            Vec::new()
        };
        self.row_with(entry, rank, division_ranks, self.leader_ms())
    }

    /// Every present entry's places, counted in one pass over the board's
    /// lists, for a caller that makes many rows of a board that does not
    /// change meanwhile ([`LiveBoard::rows_placed`]): a row's places are
    /// then read, not searched for in each of its lists.
    pub fn places(&self) -> BoardPlaces {
        let mut overall = vec![NOT_LISTED; self.entries.len()];
        for slot in &self.overall {
            overall[slot.at as usize] = slot.rank.unwrap_or(UNPLACED);
        }
        let mut divisions = vec![NOT_LISTED; self.division_pool.len()];
        for (division_id, list) in &self.divisions {
            for slot in list {
                let run = self.entries[slot.at as usize].divisions;
                let own = &self.division_pool[run.0 as usize..run.1 as usize];
                if let Ok(offset) = own.binary_search(division_id) {
                    divisions[run.0 as usize + offset] = slot.rank.unwrap_or(UNPLACED);
                }
            }
        }
        BoardPlaces {
            overall,
            divisions,
            entries: self.entries.len(),
        }
    }

    /// [`LiveBoard::rows`] (`division_id` `None`) or
    /// [`LiveBoard::division_rows`] at `range`, the places read from
    /// `places` (this board's, unchanged since [`LiveBoard::places`]).
    pub fn rows_placed(
        &self,
        places: &BoardPlaces,
        division_id: Option<Id>,
        range: Range<usize>,
    ) -> Vec<RankedRow> {
        assert_eq!(
            places.entries,
            self.entries.len(),
            "the places are of this board as it is"
        );
        let list = match division_id {
            None => &self.overall,
            Some(id) => match self.division(id) {
                Some(list) => list,
                None => return Vec::new(),
            },
        };
        let leader_ms = self.leader_ms();
        clamp(list, range)
            .iter()
            .map(|slot| {
                let entry = &self.entries[slot.at as usize];
                let rank = match places.overall[slot.at as usize] {
                    NOT_LISTED | UNPLACED => None,
                    place => Some(place),
                };
                let division_ranks = if rank.is_some() {
                    let run = entry.divisions;
                    (run.0..run.1)
                        .filter_map(|at| match places.divisions[at as usize] {
                            NOT_LISTED | UNPLACED => None,
                            place => Some((self.division_pool[at as usize], place)),
                        })
                        .collect()
                } else {
                    Vec::new()
                };
                self.row_with(entry, rank, division_ranks, leader_ms)
            })
            .collect()
    }

    /// The whole field's leading time, from which a row's difference is
    /// measured.
    fn leader_ms(&self) -> Option<Millis> {
        self.overall.first().and_then(|first| {
            match (first.key.is_ranked(), self.entries[first.at as usize].score) {
                (true, Some(Score::Time { ms })) => Some(ms),
                _ => None,
            }
        })
    }

    /// The row of `entry` with its places.
    fn row_with(
        &self,
        entry: &Entry,
        rank: Option<u32>,
        division_ranks: Vec<(Id, u32)>,
        leader_ms: Option<Millis>,
    ) -> RankedRow {
        let difference_ms = match (rank, entry.score, leader_ms) {
            (Some(_), Some(Score::Time { ms }), Some(leader)) if entry.key.is_valid_finisher() => {
                Some(ms - leader)
            }
            _ => None,
        };
        RankedRow {
            entrant: entry.entrant,
            rank,
            division_ranks,
            score: entry.score,
            status: entry.status,
            display: match (entry.status, entry.score) {
                (Some(status), _) => status.code().to_string(),
                (None, Some(score)) => format_score(&self.workout, &score),
                (None, None) => String::new(),
            },
            difference_ms,
            splits: Vec::new(),
            tie_break_ms: entry.tie_break_ms,
            penalty_ms: entry.penalty_ms,
            partial: entry.partial,
            amended: entry.amended,
        }
    }

    fn rank_in(&self, list: &[Slot], key: RankKey, bib: &str, at: u32) -> Option<u32> {
        let found = self.find(list, key, bib, at).ok()?;
        list[found].rank
    }

    /// Brings the board up to date after `entrant`'s result changed to `new`
    /// (`None`: it has no result any more). `info` gives the entrant's bib
    /// and divisions when it is new on the board (else the board's own are
    /// kept). Returns who changed place, as
    /// [`crate::moves::places_changed_by`] lists them
    /// ([`LiveBoard::apply_moves`], every row listed).
    pub fn apply(
        &mut self,
        entrant: Entrant,
        new: Option<&ResultEntry>,
        info: Option<&RankInfo>,
    ) -> Vec<PlaceChange> {
        let moved = self.apply_moves(entrant, new, info);
        moved.to_vec(self)
    }

    /// [`LiveBoard::apply`], who changed place kept compact: a run of rows
    /// whose places all moved by the same number is one block, read from
    /// the board when a caller needs the rows ([`MovedPlaces::iter`]).
    pub fn apply_moves(
        &mut self,
        entrant: Entrant,
        new: Option<&ResultEntry>,
        info: Option<&RankInfo>,
    ) -> MovedPlaces {
        self.changes += 1;
        let mut changes = MovedPlaces {
            board: Some((self.id.get(), self.changes)),
            ..MovedPlaces::default()
        };
        let known = self.index.get(entrant);
        let old: Option<Entry> = known
            .map(|at| self.entries[at as usize])
            .filter(|entry| entry.present);
        if old.is_some_and(|old| old.penalty_ms != 0) {
            self.penalized -= 1;
        }
        if old.is_none() && new.is_none() {
            return changes;
        }
        // The entrant's entry: its own, or a new one. An entrant already on
        // the board keeps its bib and divisions.
        let at = match known {
            Some(at) => at,
            None => {
                let at = u32::try_from(self.entries.len()).expect("fewer than 2^32 entrants");
                let placeholder = self.entry_of(
                    new.expect("a new entrant has a new result"),
                    info.map(|info| (info.bib.as_str(), info.division_ids.as_slice())),
                );
                self.entries.push(Entry {
                    present: false,
                    ..placeholder
                });
                self.index.insert(entrant, at);
                at
            }
        };
        let new_entry: Option<Entry> = match (new, old) {
            (None, _) => None,
            // Just made above from `new` and `info`.
            (Some(_), None) if known.is_none() => Some(Entry {
                present: true,
                ..self.entries[at as usize]
            }),
            (Some(result), Some(old)) => Some(Entry {
                bib: old.bib,
                divisions: old.divisions,
                ..self.entry_of(result, None)
            }),
            // Known but removed earlier: as a new entrant, with `info`.
            (Some(result), None) => Some(self.entry_of(
                result,
                info.map(|info| (info.bib.as_str(), info.division_ids.as_slice())),
            )),
        };
        let shown = old.or(new_entry).expect("the entrant had or has a result");
        let bib = self.bib_of(&shown).to_owned();
        let divisions: Vec<Id> = self.divisions_of(&shown).to_vec();
        let old_key = old.map(|entry| entry.key);
        let new_key = new_entry.map(|entry| entry.key);
        let mut list = std::mem::take(&mut self.overall);
        self.replace_in(&mut list, None, at, &bib, old_key, new_key, &mut changes);
        self.overall = list;
        for division_id in &divisions {
            let position = match self
                .divisions
                .binary_search_by_key(division_id, |(id, _)| *id)
            {
                Ok(position) => position,
                Err(position) => {
                    self.divisions.insert(position, (*division_id, Vec::new()));
                    position
                }
            };
            let mut list = std::mem::take(&mut self.divisions[position].1);
            self.replace_in(
                &mut list,
                Some(*division_id),
                at,
                &bib,
                old_key,
                new_key,
                &mut changes,
            );
            self.divisions[position].1 = list;
        }
        self.divisions.retain(|(_, list)| !list.is_empty());
        match new_entry {
            Some(entry) => {
                if entry.penalty_ms != 0 {
                    self.penalized += 1;
                }
                self.entries[at as usize] = entry;
            }
            None => self.entries[at as usize].present = false,
        }
        changes
    }

    /// Brings the board up to date after several entrants' results changed
    /// at once (a poll's batch): `changes` holds each entrant, its new
    /// result (`None`: none any more) and its bib and divisions for an
    /// entrant new on the board, as [`LiveBoard::apply`] takes them (an
    /// entrant listed twice: the last counts). Every list the changes touch
    /// (the whole field and the changed entrants' divisions) is rebuilt by
    /// one merge: the changed rows taken out in one pass, their new rows
    /// sorted and merged back in, and the places re-counted once from the
    /// first row that changed. Returns each row whose place differs from
    /// before, once (the net change, not the steps of applying the changes
    /// one by one), in the order [`LiveBoard::apply`] lists them: the whole
    /// field first, then by division id, each in the new listing order with
    /// the rows that left the list last (in their old order).
    pub fn apply_batch(
        &mut self,
        changes: &[(Entrant, Option<&ResultEntry>, Option<&RankInfo>)],
    ) -> Vec<PlaceChange> {
        self.changes += 1;
        // The last change of each entrant.
        let mut order: Vec<usize> = (0..changes.len()).collect();
        order.sort_by_key(|index| (changes[*index].0, std::cmp::Reverse(*index)));
        order.dedup_by_key(|index| changes[*index].0);
        order.sort_unstable();
        let mut planned: Vec<(u32, Option<Entry>, Option<Entry>)> = Vec::with_capacity(order.len());
        for index in order {
            let (entrant, new, info) = changes[index];
            let info = info.map(|info| (info.bib.as_str(), info.division_ids.as_slice()));
            let known = self.index.get(entrant);
            let old: Option<Entry> = known
                .map(|at| self.entries[at as usize])
                .filter(|entry| entry.present);
            if old.is_none() && new.is_none() {
                continue;
            }
            let (at, new_entry) = match (known, new, old) {
                (None, Some(result), _) => {
                    let at = u32::try_from(self.entries.len()).expect("fewer than 2^32 entrants");
                    let entry = self.entry_of(result, info);
                    self.entries.push(Entry {
                        present: false,
                        ..entry
                    });
                    self.index.insert(entrant, at);
                    (at, Some(entry))
                }
                (Some(at), None, _) => (at, None),
                (Some(at), Some(result), Some(old)) => (
                    at,
                    Some(Entry {
                        bib: old.bib,
                        divisions: old.divisions,
                        ..self.entry_of(result, None)
                    }),
                ),
                // Known but removed earlier: as a new entrant, with `info`.
                (Some(at), Some(result), None) => (at, Some(self.entry_of(result, info))),
                (None, None, _) => continue,
            };
            planned.push((at, old, new_entry));
        }
        if planned.is_empty() {
            return Vec::new();
        }
        // The rows taken out are found by this mask, not by their old keys,
        // so the new entries can be put in place first (their bibs order
        // the merge).
        let mut changed = vec![false; self.entries.len()];
        let mut division_ids: Vec<Id> = Vec::new();
        for (at, old, new) in &planned {
            changed[*at as usize] = true;
            for entry in old.iter().chain(new) {
                division_ids.extend_from_slice(self.divisions_of(entry));
            }
        }
        division_ids.sort_unstable();
        division_ids.dedup();
        for (at, old, new) in &planned {
            if old.is_some_and(|old| old.penalty_ms != 0) {
                self.penalized -= 1;
            }
            match new {
                Some(entry) => {
                    if entry.penalty_ms != 0 {
                        self.penalized += 1;
                    }
                    self.entries[*at as usize] = *entry;
                }
                None => self.entries[*at as usize].present = false,
            }
        }
        let mut moved = Vec::new();
        let mut list = std::mem::take(&mut self.overall);
        let inserted: Vec<Slot> = planned
            .iter()
            .filter_map(|(at, _, new)| new.map(|new| (*at, new)))
            .map(|(at, new)| Slot {
                key: new.key,
                at,
                rank: None,
            })
            .collect();
        self.merge_in(&mut list, None, &changed, inserted, &mut moved);
        self.overall = list;
        for division_id in division_ids {
            let inserted: Vec<Slot> = planned
                .iter()
                .filter_map(|(at, _, new)| new.map(|new| (*at, new)))
                .filter(|(_, new)| self.divisions_of(new).binary_search(&division_id).is_ok())
                .map(|(at, new)| Slot {
                    key: new.key,
                    at,
                    rank: None,
                })
                .collect();
            let position = match self
                .divisions
                .binary_search_by_key(&division_id, |(id, _)| *id)
            {
                Ok(position) => position,
                Err(position) => {
                    self.divisions.insert(position, (division_id, Vec::new()));
                    position
                }
            };
            let mut list = std::mem::take(&mut self.divisions[position].1);
            self.merge_in(&mut list, Some(division_id), &changed, inserted, &mut moved);
            self.divisions[position].1 = list;
        }
        self.divisions.retain(|(_, list)| !list.is_empty());
        moved
    }

    /// One list of [`LiveBoard::apply_batch`]: the rows of `changed`
    /// entries taken out, `inserted` (their new rows on this list) merged
    /// in, places re-counted from the first row that changed, and every
    /// place that differs from before recorded.
    fn merge_in(
        &self,
        list: &mut Vec<Slot>,
        division_id: Option<Id>,
        changed: &[bool],
        mut inserted: Vec<Slot>,
        moves: &mut Vec<PlaceChange>,
    ) {
        // Out in one pass, keeping each one's old place.
        let mut removed: Vec<(u32, Option<u32>)> = Vec::new();
        let mut first = usize::MAX;
        let mut last_gap = None;
        let mut kept = 0;
        for read in 0..list.len() {
            let slot = list[read];
            if changed[slot.at as usize] {
                first = first.min(read);
                removed.push((slot.at, slot.rank));
                last_gap = Some(kept);
            } else {
                list[kept] = slot;
                kept += 1;
            }
        }
        list.truncate(kept);
        if removed.is_empty() && inserted.is_empty() {
            return;
        }
        let entrant_of = |slot: &Slot| self.entries[slot.at as usize].entrant;
        inserted.sort_unstable_by(|a, b| {
            a.key.cmp(&b.key).then_with(|| {
                compare_bibs(
                    self.bib_of(&self.entries[a.at as usize]),
                    self.bib_of(&self.entries[b.at as usize]),
                )
                .then_with(|| entrant_of(a).cmp(&entrant_of(b)))
            })
        });
        // Merged; `end` is the last position after which every row sits
        // where it sat before, shifted by the difference in rows.
        let mut merged = Vec::with_capacity(list.len() + inserted.len());
        let mut next = 0;
        let mut end = 0;
        for (at_kept, slot) in list.iter().enumerate() {
            while let Some(new) = inserted.get(next) {
                let bib = self.bib_of(&self.entries[new.at as usize]);
                if self.less(slot, new.key, bib, new.at) != Ordering::Greater {
                    break;
                }
                first = first.min(merged.len());
                end = merged.len();
                merged.push(*new);
                next += 1;
            }
            if last_gap == Some(at_kept) {
                end = end.max(merged.len());
            }
            merged.push(*slot);
        }
        if last_gap == Some(list.len()) {
            // Rows left the end of the list: every row before it shifted.
            end = end.max(merged.len() + inserted.len() - next);
        }
        for new in &inserted[next..] {
            first = first.min(merged.len());
            end = end.max(merged.len());
            merged.push(*new);
        }
        *list = merged;
        let mut by_entry = removed.clone();
        by_entry.sort_unstable_by_key(|(at, _)| *at);
        let old_place = |at: u32| -> Option<Option<u32>> {
            by_entry
                .binary_search_by_key(&at, |(removed_at, _)| *removed_at)
                .ok()
                .map(|found| by_entry[found].1)
        };
        let shifted = inserted.len() != removed.len();
        for index in first.min(list.len())..list.len() {
            let rank = new_rank(list, index);
            let slot = &mut list[index];
            let (old, moved) = if changed[slot.at as usize] {
                (old_place(slot.at).flatten(), true)
            } else {
                (slot.rank, false)
            };
            if !moved && index > end && rank == old && (!shifted || rank.is_none()) {
                break;
            }
            slot.rank = rank;
            if rank != old {
                moves.push(PlaceChange {
                    entrant: self.entries[slot.at as usize].entrant,
                    division_id,
                    old_rank: old,
                    new_rank: rank,
                });
            }
        }
        // The rows that left the list, in their old order.
        for (at, rank) in removed {
            let Some(rank) = rank else { continue };
            if !inserted.iter().any(|slot| slot.at == at) {
                moves.push(PlaceChange {
                    entrant: self.entries[at as usize].entrant,
                    division_id,
                    old_rank: Some(rank),
                    new_rank: None,
                });
            }
        }
    }

    /// Moves (or removes, or inserts) the entry at `at` in one list and
    /// re-counts the places that changed, recording them.
    #[allow(clippy::too_many_arguments)]
    fn replace_in(
        &self,
        list: &mut Vec<Slot>,
        division_id: Option<Id>,
        at: u32,
        bib: &str,
        old_key: Option<RankKey>,
        new_key: Option<RankKey>,
        changes: &mut MovedPlaces,
    ) {
        let entrant = self.entries[at as usize].entrant;
        let old_at = old_key.map(|key| {
            self.find(list, key, bib, at)
                .expect("an entrant with a result is on each of its lists")
        });
        // `first..` is re-counted. After a move, the rows after `moved_end`
        // keep their positions, so the first of them that keeps its place
        // ends the re-count; after an insertion or a removal every later row
        // shifted, so only the unranked tail ends it.
        let mut gone = None;
        let (first, moved_end) = match (old_at, new_key) {
            (Some(old_at), Some(new_key)) => {
                // The new position among the other rows.
                let before_old = &list[..old_at];
                let after_old = &list[old_at + 1..];
                let less = |slot: &Slot| self.less(slot, new_key, bib, at) == Ordering::Less;
                let new_at = if old_at > 0 && !less(&list[old_at - 1]) {
                    before_old.partition_point(less)
                } else {
                    old_at + after_old.partition_point(less)
                };
                let slot = list[old_at];
                match new_at.cmp(&old_at) {
                    Ordering::Less => list[new_at..=old_at].rotate_right(1),
                    Ordering::Greater => list[old_at..=new_at].rotate_left(1),
                    Ordering::Equal => {}
                }
                list[new_at] = Slot {
                    key: new_key,
                    ..slot
                };
                (new_at.min(old_at), Some(new_at.max(old_at)))
            }
            (Some(old_at), None) => {
                let slot = list.remove(old_at);
                if slot.rank.is_some() {
                    gone = Some(PlaceChange {
                        entrant,
                        division_id,
                        old_rank: slot.rank,
                        new_rank: None,
                    });
                }
                (old_at, None)
            }
            (None, Some(new_key)) => {
                let new_at = list
                    .partition_point(|slot| self.less(slot, new_key, bib, at) == Ordering::Less);
                list.insert(
                    new_at,
                    Slot {
                        key: new_key,
                        at,
                        rank: None,
                    },
                );
                (new_at, None)
            }
            (None, None) => return,
        };
        for index in first..list.len() {
            let rank = new_rank(list, index);
            let slot = &mut list[index];
            if rank == slot.rank {
                let settled = match moved_end {
                    Some(end) => index > end,
                    None => rank.is_none(),
                };
                if settled {
                    break;
                }
                continue;
            }
            let entries = &self.entries;
            let at = slot.at;
            changes.push(division_id, index, slot.rank, rank, || {
                entries[at as usize].entrant
            });
            slot.rank = rank;
        }
        // A removed entrant is listed after the others of its list.
        if let Some(gone) = gone {
            changes.rows += 1;
            changes.items.push(Moved::One(gone));
        }
    }

    /// How `slot` compares with `(key, bib, entry at)` in listing order; the
    /// slot's bib is looked up only when the keys are equal.
    fn less(&self, slot: &Slot, key: RankKey, bib: &str, at: u32) -> Ordering {
        slot.key.cmp(&key).then_with(|| {
            let slot_entry = &self.entries[slot.at as usize];
            let slot_bib = if slot.at == at {
                bib
            } else {
                self.bib_of(slot_entry)
            };
            compare_bibs(slot_bib, bib)
                .then_with(|| slot_entry.entrant.cmp(&self.entries[at as usize].entrant))
        })
    }
}

/// A board frozen for reading ([`LiveBoard::into_listed`]): the rows a
/// renderer walks, in the whole field's listing order, with their places
/// counted once, and each division's list as row numbers. No rank keys, no
/// bibs, no slots: it takes no changes, and its rows
/// ([`ListedBoard::rows`]) equal the board's
/// ([`LiveBoard::rows_placed`]). About 82 bytes a row with one division
/// each (a 64-byte row, its place in a division list and in the index,
/// its division place), where the board with its places holds about 260.
#[derive(Debug, Clone)]
pub struct ListedBoard {
    workout: Workout,
    /// Present entries in the whole field's listing order.
    rows: Vec<ListedRow>,
    /// Sorted by division id: each division's rows (indexes in `rows`), in
    /// its listing order.
    divisions: Vec<(Id, Vec<u32>)>,
    /// Each placed row's division places, one run after the other: the
    /// division's position in `divisions` and the place.
    division_places: Vec<(u32, u32)>,
    index: EntrantIndex,
    leader_ms: Option<Millis>,
}

/// One row of a [`ListedBoard`]: what [`LiveBoard::rows_placed`] reads of
/// its entry and places, in 64 bytes (the entrant's kind, the flags and
/// whether it has a tie-break time in one byte).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct ListedRow {
    /// The entrant's id; a team's when `flags` has [`ListedRow::TEAM`].
    id: Id,
    score: Option<Score>,
    status: Option<Status>,
    /// The tie-break time when `flags` has [`ListedRow::TIE_BREAK`], else 0.
    tie_break_ms: Millis,
    penalty_ms: Millis,
    /// The whole field's place, `UNPLACED` for none.
    rank: u32,
    /// `division_places[divisions.0..divisions.1]`.
    divisions: (u32, u32),
    flags: u8,
}

// A frozen board's rows are its largest part (one per entrant).
const _: () = assert!(std::mem::size_of::<ListedRow>() <= 64);

impl ListedRow {
    const TEAM: u8 = 1;
    const TIE_BREAK: u8 = 1 << 1;
    const VALID_FINISHER: u8 = 1 << 2;
    const PARTIAL: u8 = 1 << 3;
    const AMENDED: u8 = 1 << 4;
    const ALL_FLAGS: u8 = (1 << 5) - 1;

    /// A row of `entrant` without a place or division places yet; `marks`
    /// from [`ListedRow::marks`].
    fn new(
        entrant: Entrant,
        score: Option<Score>,
        status: Option<Status>,
        tie_break_ms: Option<Millis>,
        penalty_ms: Millis,
        marks: u8,
    ) -> ListedRow {
        let (id, team) = match entrant {
            Entrant::Competitor(id) => (id, 0),
            Entrant::Team(id) => (id, ListedRow::TEAM),
        };
        let tie_break = if tie_break_ms.is_some() {
            ListedRow::TIE_BREAK
        } else {
            0
        };
        ListedRow {
            id,
            score,
            status,
            tie_break_ms: tie_break_ms.unwrap_or(0),
            penalty_ms,
            rank: UNPLACED,
            divisions: (0, 0),
            flags: team | tie_break | marks,
        }
    }

    /// The row of `result`, ranked by `key` with the effective score
    /// `effective` ([`result_entry_key`]'s), without places yet.
    fn of_result(result: &ResultEntry, key: &RankKey, effective: Option<Score>) -> ListedRow {
        ListedRow::new(
            result.entrant,
            effective,
            result.status,
            result.tie_break_ms,
            result.penalty_ms,
            ListedRow::marks(key.is_valid_finisher(), result.partial, result.amended),
        )
    }

    /// The flags of a valid finisher, a partial and an amended result.
    fn marks(valid_finisher: bool, partial: bool, amended: bool) -> u8 {
        let flag = |set: bool, flag: u8| if set { flag } else { 0 };
        flag(valid_finisher, ListedRow::VALID_FINISHER)
            | flag(partial, ListedRow::PARTIAL)
            | flag(amended, ListedRow::AMENDED)
    }

    fn entrant(&self) -> Entrant {
        if self.flags & ListedRow::TEAM != 0 {
            Entrant::Team(self.id)
        } else {
            Entrant::Competitor(self.id)
        }
    }

    fn has(&self, flag: u8) -> bool {
        self.flags & flag != 0
    }

    fn tie_break_ms(&self) -> Option<Millis> {
        self.has(ListedRow::TIE_BREAK).then_some(self.tie_break_ms)
    }
}

impl LiveBoard {
    /// This board frozen for reading (see [`ListedBoard`]). The board's
    /// parts are let go as soon as they have been read (its bibs and
    /// index first, its lists once each is turned into row numbers), so
    /// the frozen rows are made beside the entries and little else: at a
    /// whole field, the build's largest working memory after the ranking.
    pub fn into_listed(self) -> ListedBoard {
        let places = self.places();
        let leader_ms = self.leader_ms();
        let LiveBoard {
            workout,
            overall,
            divisions,
            entries,
            index,
            bibs,
            division_pool,
            ..
        } = self;
        drop(index);
        drop(bibs);
        // The whole field's listing as entry indexes, and each entry's row.
        let order: Vec<u32> = overall.iter().map(|slot| slot.at).collect();
        drop(overall);
        let mut row_of_entry = vec![u32::MAX; entries.len()];
        for (row, at) in order.iter().enumerate() {
            row_of_entry[*at as usize] = u32::try_from(row).expect("fewer than 2^32 entrants");
        }
        // Each division's list as row numbers, its slots let go one list
        // at a time.
        let divisions: Vec<(Id, Vec<u32>)> = divisions
            .into_iter()
            .map(|(id, list)| {
                let rows = list
                    .iter()
                    .map(|slot| row_of_entry[slot.at as usize])
                    .collect();
                (id, rows)
            })
            .collect();
        drop(row_of_entry);
        let mut rows = Vec::with_capacity(order.len());
        // At most one place per division run (grown by doubling, the
        // places left up to half unused, and a copy, at this peak).
        let mut division_places = Vec::with_capacity(division_pool.len());
        let mut index = EntrantIndex::with_room(order.len());
        for at in order {
            let entry = &entries[at as usize];
            let rank = match places.overall[at as usize] {
                NOT_LISTED | UNPLACED => None,
                place => Some(place),
            };
            let start = division_places.len();
            if rank.is_some() {
                for pool_at in entry.divisions.0..entry.divisions.1 {
                    match places.divisions[pool_at as usize] {
                        NOT_LISTED | UNPLACED => {}
                        place => {
                            let division = division_pool[pool_at as usize];
                            let at = divisions
                                .binary_search_by_key(&division, |(id, _)| *id)
                                .expect("a division with places has a list");
                            division_places.push((at as u32, place));
                        }
                    }
                }
            }
            let row = u32::try_from(rows.len()).expect("fewer than 2^32 entrants");
            index.insert(entry.entrant, row);
            rows.push(ListedRow {
                rank: rank.unwrap_or(UNPLACED),
                divisions: pool_range(start, division_places.len()),
                ..ListedRow::new(
                    entry.entrant,
                    entry.score,
                    entry.status,
                    entry.tie_break_ms,
                    entry.penalty_ms,
                    ListedRow::marks(entry.key.is_valid_finisher(), entry.partial, entry.amended),
                )
            });
        }
        division_places.shrink_to_fit();
        ListedBoard {
            workout,
            rows,
            divisions,
            division_places,
            index,
            leader_ms,
        }
    }
}

/// A bib as a frozen build sorts it: a plain number bib (see
/// [`bib_number`]) is the number itself, any other bib has the top bit set
/// and the rest is its index among the build's text bibs.
const TEXT_BIB: u64 = 1 << 63;

/// The decimal digits of `number` (a plain number bib's text) in `buffer`.
fn number_text(number: u64, buffer: &mut [u8; 20]) -> &str {
    let mut at = buffer.len();
    let mut rest = number;
    loop {
        at -= 1;
        buffer[at] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    std::str::from_utf8(&buffer[at..]).expect("ASCII digits")
}

impl ListedBoard {
    /// The board [`LiveBoard::build_from_results`] ranks, frozen
    /// ([`LiveBoard::into_listed`]) without making the live board: what a
    /// reader that takes no changes (an export) builds. Each result becomes
    /// its 64-byte frozen row as it is read, beside a sort record (the rank
    /// key, the bib as a number or a text's index, the row); the records
    /// are sorted, the places counted in one pass over them (the whole
    /// field's and, as the rows go by, each division's), and the rows put
    /// in listing order in place. No entries, no slots, no copy of the
    /// rows: the build's working memory is about 130 bytes a row where the
    /// live board's ranking and freezing took about 290. Same rows, lists
    /// and places as the live board frozen (a property test compares the
    /// two).
    pub fn build_from_results<'i, E>(
        workout: &Workout,
        room: usize,
        read: impl FnOnce(&mut dyn FnMut(&ResultEntry)) -> Result<(), E>,
        info_of: impl FnMut(Entrant) -> Option<RankInfoRef<'i>>,
    ) -> Result<ListedBoard, E> {
        Ok(ListedBoard::read_results(workout, room, read, info_of)?.finish())
    }

    /// The first half of [`ListedBoard::build_from_results`]: every result
    /// read into its frozen row and sort record, with its bib and
    /// divisions copied (so `info_of`'s source can be let go before
    /// [`FrozenBuild::finish`] sorts: the sort is the build's peak).
    pub fn read_results<'i, E>(
        workout: &Workout,
        room: usize,
        read: impl FnOnce(&mut dyn FnMut(&ResultEntry)) -> Result<(), E>,
        mut info_of: impl FnMut(Entrant) -> Option<RankInfoRef<'i>>,
    ) -> Result<FrozenBuild, E> {
        // Each result's row, its division ids in `pool` (the row's
        // `divisions` holds that range until its places are counted), and
        // its sort record; an entrant's later result replaces its row.
        let mut rows: Vec<ListedRow> = Vec::with_capacity(room);
        let mut order: Vec<(RankKey, u64, u32)> = Vec::with_capacity(room);
        let mut pool: Vec<Id> = Vec::with_capacity(room);
        let mut text_bibs = String::new();
        let mut text_spans: Vec<(u32, u32)> = Vec::new();
        let mut index = EntrantIndex::with_room(room);
        read(&mut |result| {
            let (key, effective) = result_entry_key(workout, result);
            let (bib, divisions) = info_of(result.entrant).unwrap_or(("", &[]));
            let bib = match bib_number(bib) {
                Some(number) => number,
                None => {
                    let start = text_bibs.len();
                    text_bibs.push_str(bib);
                    text_spans.push(pool_range(start, text_bibs.len()));
                    TEXT_BIB | (text_spans.len() - 1) as u64
                }
            };
            let start = pool.len();
            push_division_ids(&mut pool, divisions);
            let row = ListedRow {
                divisions: pool_range(start, pool.len()),
                ..ListedRow::of_result(result, &key, effective)
            };
            match index.get(result.entrant) {
                Some(at) => {
                    rows[at as usize] = row;
                    order[at as usize] = (key, bib, at);
                }
                None => {
                    let at = u32::try_from(rows.len()).expect("fewer than 2^32 entrants");
                    rows.push(row);
                    order.push((key, bib, at));
                    index.insert(result.entrant, at);
                }
            }
        })?;
        Ok(FrozenBuild {
            workout: workout.clone(),
            rows,
            order,
            pool,
            text_bibs,
            text_spans,
            index,
        })
    }
}

/// A [`ListedBoard`] whose results are read ([`ListedBoard::read_results`])
/// and not yet sorted and placed ([`FrozenBuild::finish`]).
#[derive(Debug)]
pub struct FrozenBuild {
    workout: Workout,
    rows: Vec<ListedRow>,
    order: Vec<(RankKey, u64, u32)>,
    pool: Vec<Id>,
    text_bibs: String,
    text_spans: Vec<(u32, u32)>,
    index: EntrantIndex,
}

impl FrozenBuild {
    /// Sorts the rows into listing order, counts every list's places and
    /// freezes the board.
    pub fn finish(self) -> ListedBoard {
        let FrozenBuild {
            workout,
            mut rows,
            mut order,
            pool,
            text_bibs,
            text_spans,
            mut index,
        } = self;
        // The listing order every board uses (`listing_order`).
        {
            let (texts, spans, rows) = (text_bibs.as_str(), &text_spans, &rows);
            let bib = |bib: u64| {
                if bib & TEXT_BIB == 0 {
                    BibRef::Number(bib)
                } else {
                    let (start, end) = spans[(bib & !TEXT_BIB) as usize];
                    BibRef::Text(&texts[start as usize..end as usize])
                }
            };
            // The keys first, the rows read only for equal keys (as the
            // live board's sort).
            order.sort_unstable_by(|a, b| {
                a.0.cmp(&b.0).then_with(|| {
                    listing_order(
                        (a.0, bib(a.1), rows[a.2 as usize].entrant()),
                        (b.0, bib(b.1), rows[b.2 as usize].entrant()),
                    )
                })
            });
        }
        drop(text_bibs);
        drop(text_spans);
        // The divisions with rows, few: a small sorted table with each
        // one's size.
        let mut division_ids: Vec<(Id, usize)> = Vec::new();
        for row in &rows {
            for division_id in &pool[row.divisions.0 as usize..row.divisions.1 as usize] {
                match division_ids.binary_search_by_key(division_id, |(id, _)| *id) {
                    Ok(at) => division_ids[at].1 += 1,
                    Err(at) => division_ids.insert(at, (*division_id, 1)),
                }
            }
        }
        let mut divisions: Vec<(Id, Vec<u32>)> = division_ids
            .iter()
            .map(|(id, size)| (*id, Vec::with_capacity(*size)))
            .collect();
        // Every list's places counted as the rows go by in listing order,
        // by the placer an external build uses too.
        let mut placer = ListingPlacer::new();
        let mut division_places = Vec::with_capacity(pool.len());
        for (position, (key, _, at)) in order.iter().enumerate() {
            let row = &mut rows[*at as usize];
            let start = division_places.len();
            let position = u32::try_from(position).expect("fewer than 2^32 entrants");
            let own = &pool[row.divisions.0 as usize..row.divisions.1 as usize];
            let rank = placer.place(*key, row.score, own, |division_id, division_place| {
                let list_at = divisions
                    .binary_search_by_key(&division_id, |(id, _)| *id)
                    .expect("every division is collected above");
                divisions[list_at].1.push(position);
                if let Some(division_place) = division_place {
                    division_places.push((list_at as u32, division_place));
                }
            });
            row.rank = rank.unwrap_or(UNPLACED);
            row.divisions = pool_range(start, division_places.len());
        }
        let leader_ms = placer.leader_ms();
        drop(pool);
        drop(placer);
        division_places.shrink_to_fit();
        // The rows put in listing order in place, one cycle of the
        // permutation at a time.
        let listing: Vec<u32> = order.iter().map(|(_, _, at)| *at).collect();
        drop(order);
        permute_in_place(&mut rows, |at| listing[at] as usize);
        drop(listing);
        for (at, row) in rows.iter().enumerate() {
            index.insert(row.entrant(), at as u32);
        }
        rows.shrink_to_fit();
        ListedBoard {
            workout,
            rows,
            divisions,
            division_places,
            index,
            leader_ms,
        }
    }
}

/// One row of a workout's frozen board before it is placed, as an external
/// sort handles it (a board built in bounded memory: the records sorted
/// by [`ListingRecord::listing_cmp`] in runs on disk and merged, then
/// placed by a [`ListingPlacer`] as they come out): the rank key, the bib
/// (a plain number as its number, else its text), the row's fields
/// ([`ListedBoard::rows`] makes a row from the same 64-byte frozen row) and
/// its division ids, sorted, without repeats. Written to bytes and read
/// back by [`ListingRecord::encode`] and [`ListingRecord::decode`].
#[derive(Debug, Clone, PartialEq)]
pub struct ListingRecord {
    key: RankKey,
    bib: ListingBib,
    /// Without a place or division places (`rank` `UNPLACED`, `divisions`
    /// empty).
    row: ListedRow,
    division_ids: Vec<Id>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum ListingBib {
    Number(u64),
    Text(String),
}

impl ListingRecord {
    /// The record of `result` (an individual or team-chip workout's ranking
    /// input) of an entrant with `bib` and `division_ids` (in any order,
    /// repeats allowed; `""` and none for an entrant without infos, as the
    /// boards rank it).
    pub fn new(
        workout: &Workout,
        result: &ResultEntry,
        bib: &str,
        division_ids: &[Id],
    ) -> ListingRecord {
        let (key, effective) = result_entry_key(workout, result);
        let bib = match bib_number(bib) {
            Some(number) => ListingBib::Number(number),
            None => ListingBib::Text(bib.to_string()),
        };
        let mut ids = Vec::with_capacity(division_ids.len());
        push_division_ids(&mut ids, division_ids);
        ListingRecord {
            key,
            bib,
            row: ListedRow::of_result(result, &key, effective),
            division_ids: ids,
        }
    }

    pub fn entrant(&self) -> Entrant {
        self.row.entrant()
    }

    /// The row's division ids, sorted, without repeats.
    pub fn division_ids(&self) -> &[Id] {
        &self.division_ids
    }

    /// Heap bytes the record owns beyond its own size (its text bib and
    /// division ids).
    pub fn heap_bytes(&self) -> usize {
        let bib = match &self.bib {
            ListingBib::Number(_) => 0,
            ListingBib::Text(text) => text.capacity(),
        };
        bib + self.division_ids.capacity() * std::mem::size_of::<Id>()
    }

    /// The listing order of every board ([`LiveBoard::rows`],
    /// [`ListedBoard::rows`]): the rank key, then the bib by
    /// [`compare_bibs`], then the entrant. Records of one workout only.
    pub fn listing_cmp(&self, other: &ListingRecord) -> Ordering {
        listing_order(self.sorted_by(), other.sorted_by())
    }

    fn sorted_by(&self) -> (RankKey, BibRef<'_>, Entrant) {
        let bib = match &self.bib {
            ListingBib::Number(number) => BibRef::Number(*number),
            ListingBib::Text(text) => BibRef::Text(text),
        };
        (self.key, bib, self.row.entrant())
    }

    /// Appends the record's bytes (varints throughout) to `out`.
    pub fn encode(&self, out: &mut Vec<u8>) {
        let (class, partial, primary, secondary, tie_break) = self.key.to_parts();
        put_varint(out, u64::from(class) << 1 | u64::from(partial));
        for value in [primary, secondary, tie_break] {
            put_varint(out, zigzag(value));
        }
        match &self.bib {
            ListingBib::Number(number) => {
                put_varint(out, 0);
                put_varint(out, *number);
            }
            ListingBib::Text(text) => {
                put_varint(out, 1);
                put_varint(out, text.len() as u64);
                out.extend_from_slice(text.as_bytes());
            }
        }
        let row = &self.row;
        put_varint(out, zigzag(row.id));
        put_varint(out, u64::from(row.flags));
        put_score(out, row.score);
        put_status(out, row.status);
        if row.has(ListedRow::TIE_BREAK) {
            put_varint(out, zigzag(row.tie_break_ms));
        }
        put_varint(out, zigzag(row.penalty_ms));
        put_varint(out, self.division_ids.len() as u64);
        for id in &self.division_ids {
            put_varint(out, zigzag(*id));
        }
    }

    /// The record of [`ListingRecord::encode`]'s bytes (all of them);
    /// `None` when they do not decode to one.
    pub fn decode(bytes: &[u8]) -> Option<ListingRecord> {
        let mut at = 0;
        let mut next = || get_varint(bytes, &mut at);
        let class = next()?;
        let key = RankKey::from_parts((
            u8::try_from(class >> 1).ok()?,
            class & 1 != 0,
            unzigzag(next()?),
            unzigzag(next()?),
            unzigzag(next()?),
        ))?;
        let bib = match next()? {
            0 => ListingBib::Number(next()?),
            1 => {
                let len = usize::try_from(next()?).ok()?;
                let text = std::str::from_utf8(bytes.get(at..at.checked_add(len)?)?).ok()?;
                at += len;
                ListingBib::Text(text.to_string())
            }
            _ => return None,
        };
        let mut next = || get_varint(bytes, &mut at);
        let id = unzigzag(next()?);
        let flags = u8::try_from(next()?).ok()?;
        if flags & !ListedRow::ALL_FLAGS != 0 {
            return None;
        }
        let score = get_score(bytes, &mut at)?;
        let status = get_status(bytes, &mut at)?;
        let mut next = || get_varint(bytes, &mut at);
        let tie_break_ms = if flags & ListedRow::TIE_BREAK != 0 {
            unzigzag(next()?)
        } else {
            0
        };
        let penalty_ms = unzigzag(next()?);
        let count = usize::try_from(next()?).ok()?;
        let mut division_ids = Vec::with_capacity(count.min(bytes.len()));
        for _ in 0..count {
            division_ids.push(unzigzag(next()?));
        }
        if at != bytes.len() || !division_ids.windows(2).all(|pair| pair[0] < pair[1]) {
            return None;
        }
        Some(ListingRecord {
            key,
            bib,
            row: ListedRow {
                id,
                score,
                status,
                tie_break_ms,
                penalty_ms,
                rank: UNPLACED,
                divisions: (0, 0),
                flags,
            },
            division_ids,
        })
    }
}

/// A list's last row's key and place, if it has rows.
type LastPlaced = Option<(RankKey, Option<u32>)>;

/// Places a workout's rows as they come in listing order (the whole
/// field's and each division's, by standard competition ranking: equal
/// keys share a place, unranked rows get none), keeping only each list's
/// length and last key and place: O(divisions), nothing per row. The
/// frozen build ([`FrozenBuild::finish`]) places with it, and so does an
/// external build fed [`ListingRecord`]s in [`ListingRecord::listing_cmp`]
/// order ([`ListingPlacer::place_record`]). The leader (for the
/// differences) is the first row, when it is ranked with a time.
#[derive(Debug, Clone, Default)]
pub struct ListingPlacer {
    rows: usize,
    last: LastPlaced,
    /// Sorted by id: each division's rows so far, and its last key and place.
    divisions: Vec<(Id, usize, LastPlaced)>,
    leader_ms: Option<Millis>,
}

impl ListingPlacer {
    pub fn new() -> ListingPlacer {
        ListingPlacer::default()
    }

    /// The place of the next row in a list of `length` rows whose last
    /// row had `last`'s key and place; the list's tally updated.
    fn next_place(key: RankKey, last: &mut LastPlaced, length: &mut usize) -> Option<u32> {
        let place = if !key.is_ranked() {
            None
        } else {
            match *last {
                Some((before, place)) if before == key => place,
                _ => Some(*length as u32 + 1),
            }
        };
        *last = Some((key, place));
        *length += 1;
        place
    }

    /// Places the next row in listing order (its key, effective score and
    /// division ids, sorted): returns its whole-field place and calls
    /// `each` with each of its divisions and its place there.
    fn place(
        &mut self,
        key: RankKey,
        score: Option<Score>,
        division_ids: &[Id],
        mut each: impl FnMut(Id, Option<u32>),
    ) -> Option<u32> {
        if self.rows == 0 {
            self.leader_ms = match (key.is_ranked(), score) {
                (true, Some(Score::Time { ms })) => Some(ms),
                _ => None,
            };
        }
        let rank = ListingPlacer::next_place(key, &mut self.last, &mut self.rows);
        for division_id in division_ids {
            let at = match self
                .divisions
                .binary_search_by_key(division_id, |(id, _, _)| *id)
            {
                Ok(at) => at,
                Err(at) => {
                    self.divisions.insert(at, (*division_id, 0, None));
                    at
                }
            };
            let (_, length, last) = &mut self.divisions[at];
            each(*division_id, ListingPlacer::next_place(key, last, length));
        }
        rank
    }

    /// The next record's row in listing order, as [`ListedBoard::rows`]
    /// makes it: its places, and its difference to the leader (the first
    /// record placed).
    pub fn place_record(&mut self, workout: &Workout, record: &ListingRecord) -> RankedRow {
        let mut division_ranks = Vec::new();
        let rank = self.place(
            record.key,
            record.row.score,
            &record.division_ids,
            |division_id, place| {
                if let Some(place) = place {
                    division_ranks.push((division_id, place));
                }
            },
        );
        ranked_row(workout, &record.row, rank, division_ranks, self.leader_ms)
    }

    /// Rows placed so far.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// The leader's time: the first row's, when it is ranked with a time.
    pub fn leader_ms(&self) -> Option<Millis> {
        self.leader_ms
    }
}

impl ListedBoard {
    /// The workout the board ranks.
    pub fn workout(&self) -> &Workout {
        &self.workout
    }

    /// Rows on the whole-field board.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Rows on one division's board (0 for a division without members on it).
    pub fn division_len(&self, division_id: Id) -> usize {
        self.division(division_id).map_or(0, Vec::len)
    }

    /// Whether `entrant` has a result on the board.
    pub fn contains(&self, entrant: Entrant) -> bool {
        self.index.get(entrant).is_some()
    }

    fn division(&self, division_id: Id) -> Option<&Vec<u32>> {
        self.divisions
            .binary_search_by_key(&division_id, |(id, _)| *id)
            .ok()
            .map(|at| &self.divisions[at].1)
    }

    /// The row numbers (positions in the whole field's listing) of the
    /// whole field's list (`None`) or a division's at `range` (clamped),
    /// in listing order: a division's go forward through the whole
    /// field's. Parts kept beside the board per row (an export's spilled
    /// split standings) are found by these.
    pub fn row_numbers(&self, division_id: Option<Id>, range: Range<usize>) -> Vec<u32> {
        self.listed(division_id, range)
    }

    /// The row numbers of the whole field's list (`None`) or a division's
    /// at `range` (clamped).
    fn listed(&self, division_id: Option<Id>, range: Range<usize>) -> Vec<u32> {
        match division_id {
            None => {
                let end = range.end.min(self.rows.len());
                let start = range.start.min(end);
                (start as u32..end as u32).collect()
            }
            Some(id) => self
                .division(id)
                .map_or_else(Vec::new, |list| clamp(list, range).to_vec()),
        }
    }

    /// The entrants of the whole field's board (`None`) or one division's
    /// at `range` (clamped), in listing order.
    pub fn entrants(&self, division_id: Option<Id>, range: Range<usize>) -> Vec<Entrant> {
        self.listed(division_id, range)
            .into_iter()
            .map(|row| self.rows[row as usize].entrant())
            .collect()
    }

    /// The rows of the whole field's board (`None`) or one division's at
    /// `range` (clamped), as [`LiveBoard::rows_placed`] makes them.
    pub fn rows(&self, division_id: Option<Id>, range: Range<usize>) -> Vec<RankedRow> {
        self.listed(division_id, range)
            .into_iter()
            .map(|row| self.row(&self.rows[row as usize]))
            .collect()
    }

    fn row(&self, row: &ListedRow) -> RankedRow {
        let rank = (row.rank != UNPLACED).then_some(row.rank);
        let division_ranks = self.division_places
            [row.divisions.0 as usize..row.divisions.1 as usize]
            .iter()
            .map(|(at, place)| (self.divisions[*at as usize].0, *place))
            .collect();
        ranked_row(&self.workout, row, rank, division_ranks, self.leader_ms)
    }
}

/// A frozen row as [`LiveBoard::rows_placed`] makes it, with its places
/// and the leader's time (for the difference).
fn ranked_row(
    workout: &Workout,
    row: &ListedRow,
    rank: Option<u32>,
    division_ranks: Vec<(Id, u32)>,
    leader_ms: Option<Millis>,
) -> RankedRow {
    let difference_ms = match (rank, row.score, leader_ms) {
        (Some(_), Some(Score::Time { ms }), Some(leader)) if row.has(ListedRow::VALID_FINISHER) => {
            Some(ms - leader)
        }
        _ => None,
    };
    RankedRow {
        entrant: row.entrant(),
        rank,
        division_ranks,
        score: row.score,
        status: row.status,
        display: match (row.status, row.score) {
            (Some(status), _) => status.code().to_string(),
            (None, Some(score)) => format_score(workout, &score),
            (None, None) => String::new(),
        },
        difference_ms,
        splits: Vec::new(),
        tie_break_ms: row.tie_break_ms(),
        penalty_ms: row.penalty_ms,
        partial: row.has(ListedRow::PARTIAL),
        amended: row.has(ListedRow::AMENDED),
    }
}

fn clamp<T>(items: &[T], range: Range<usize>) -> &[T] {
    let end = range.end.min(items.len());
    let start = range.start.min(end);
    &items[start..end]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Rounding, ScoreType, TieBreak};
    use crate::ranking::rank_workout;
    use crate::ranking::tests::{info, result};
    use crate::score::tests::workout;
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    /// The oracle's who-moved list: two full rankings compared, overall
    /// first, then by division, each in the new listing order with removed
    /// entrants last.
    fn moved_between(before: &[RankedRow], after: &[RankedRow]) -> Vec<PlaceChange> {
        let old: BTreeMap<Entrant, &RankedRow> =
            before.iter().map(|row| (row.entrant, row)).collect();
        let division_rank = |row: Option<&RankedRow>, id: Id| {
            row.and_then(|row| {
                row.division_ranks
                    .iter()
                    .find(|(division, _)| *division == id)
                    .map(|(_, rank)| *rank)
            })
        };
        let mut overall = Vec::new();
        let mut by_division: BTreeMap<Id, Vec<PlaceChange>> = BTreeMap::new();
        for row in after {
            let previous = old.get(&row.entrant).copied();
            let old_rank = previous.and_then(|previous| previous.rank);
            if old_rank != row.rank {
                overall.push(PlaceChange {
                    entrant: row.entrant,
                    division_id: None,
                    old_rank,
                    new_rank: row.rank,
                });
            }
            let mut ids: Vec<Id> = row.division_ranks.iter().map(|(id, _)| *id).collect();
            if let Some(previous) = previous {
                ids.extend(previous.division_ranks.iter().map(|(id, _)| *id));
            }
            ids.sort_unstable();
            ids.dedup();
            for id in ids {
                let (was, now) = (division_rank(previous, id), division_rank(Some(row), id));
                if was != now {
                    by_division.entry(id).or_default().push(PlaceChange {
                        entrant: row.entrant,
                        division_id: Some(id),
                        old_rank: was,
                        new_rank: now,
                    });
                }
            }
        }
        for row in before
            .iter()
            .filter(|row| !after.iter().any(|now| now.entrant == row.entrant))
        {
            if row.rank.is_some() {
                overall.push(PlaceChange {
                    entrant: row.entrant,
                    division_id: None,
                    old_rank: row.rank,
                    new_rank: None,
                });
            }
            for (id, rank) in &row.division_ranks {
                by_division.entry(*id).or_default().push(PlaceChange {
                    entrant: row.entrant,
                    division_id: Some(*id),
                    old_rank: Some(*rank),
                    new_rank: None,
                });
            }
        }
        overall.extend(by_division.into_values().flatten());
        overall
    }

    /// A division's board from a full ranking, as the store builds it.
    fn division_board(rows: &[RankedRow], infos: &[EntrantInfo], id: Id) -> Vec<RankedRow> {
        let place = |row: &RankedRow| {
            row.division_ranks
                .iter()
                .find(|(division, _)| *division == id)
                .map(|(_, rank)| *rank)
        };
        let mut kept: Vec<RankedRow> = rows
            .iter()
            .filter(|row| {
                place(row).is_some()
                    || infos
                        .iter()
                        .any(|info| info.entrant == row.entrant && info.division_ids.contains(&id))
            })
            .cloned()
            .collect();
        kept.sort_by_key(|row| place(row).unwrap_or(u32::MAX));
        kept
    }

    fn without_splits(mut rows: Vec<RankedRow>) -> Vec<RankedRow> {
        for row in &mut rows {
            row.splits.clear();
        }
        rows
    }

    /// Checks the board against a full ranking of `results`.
    fn check(
        board: &LiveBoard,
        workout: &Workout,
        infos: &[EntrantInfo],
        results: &BTreeMap<Entrant, ResultEntry>,
    ) -> Result<Vec<RankedRow>, TestCaseError> {
        let inputs: Vec<ResultEntry> = results.values().cloned().collect();
        let expected = without_splits(rank_workout(workout, infos, &inputs));
        prop_assert_eq!(&board.rows(0..usize::MAX), &expected);
        prop_assert_eq!(board.len(), expected.len());
        // The places counted once give the same rows, in any window.
        let places = board.places();
        prop_assert_eq!(&board.rows_placed(&places, None, 0..usize::MAX), &expected);
        let middle = expected.len() / 2;
        prop_assert_eq!(
            &board.rows_placed(&places, None, middle..middle + 3),
            &board.rows(middle..middle + 3)
        );
        for id in 1..4 {
            let division = division_board(&expected, infos, id);
            prop_assert_eq!(board.division_rows(id, 0..usize::MAX), division.clone());
            prop_assert_eq!(
                board.rows_placed(&places, Some(id), 0..usize::MAX),
                division.clone()
            );
            prop_assert_eq!(board.division_len(id), division.len());
            for (at, row) in division.iter().enumerate() {
                prop_assert_eq!(board.position(Some(id), row.entrant), Some(at));
            }
        }
        for (at, row) in expected.iter().enumerate() {
            prop_assert_eq!(board.position(None, row.entrant), Some(at));
        }
        // The board frozen for reading lists the same rows, in any window.
        let listed = board.clone().into_listed();
        prop_assert_eq!(listed.len(), expected.len());
        prop_assert_eq!(&listed.rows(None, 0..usize::MAX), &expected);
        prop_assert_eq!(
            listed.rows(None, middle..middle + 3),
            board.rows(middle..middle + 3)
        );
        prop_assert_eq!(
            listed.entrants(None, 0..usize::MAX),
            expected.iter().map(|row| row.entrant).collect::<Vec<_>>()
        );
        for id in 1..4 {
            let division = division_board(&expected, infos, id);
            prop_assert_eq!(listed.rows(Some(id), 0..usize::MAX), division.clone());
            prop_assert_eq!(listed.rows(Some(id), 1..3), board.division_rows(id, 1..3));
            prop_assert_eq!(listed.division_len(id), division.len());
            prop_assert_eq!(
                listed.entrants(Some(id), 0..usize::MAX),
                division.iter().map(|row| row.entrant).collect::<Vec<_>>()
            );
        }
        for entrant in results.keys() {
            prop_assert_eq!(
                listed.contains(*entrant),
                board.position(None, *entrant).is_some()
            );
        }
        // Built frozen from the same results, without the live board.
        let direct = ListedBoard::build_from_results(
            workout,
            inputs.len(),
            |each| {
                for result in &inputs {
                    each(result);
                }
                Ok::<(), ()>(())
            },
            |entrant| info_ref(infos, entrant),
        )
        .unwrap();
        same_listed(&direct, &listed, results.keys().copied(), 0..5)?;
        Ok(expected)
    }

    /// `entrant`'s bib and divisions in `infos`.
    fn info_ref(infos: &[EntrantInfo], entrant: Entrant) -> Option<RankInfoRef<'_>> {
        infos
            .iter()
            .find(|info| info.entrant == entrant)
            .map(|info| (info.bib.as_str(), info.division_ids.as_slice()))
    }

    /// Two frozen boards list the same rows (every window of the whole
    /// field, every division in `divisions`) and hold the same entrants.
    fn same_listed(
        a: &ListedBoard,
        b: &ListedBoard,
        entrants: impl Iterator<Item = Entrant>,
        divisions: Range<Id>,
    ) -> Result<(), TestCaseError> {
        prop_assert_eq!(a.len(), b.len());
        prop_assert_eq!(a.is_empty(), b.is_empty());
        prop_assert_eq!(a.rows(None, 0..usize::MAX), b.rows(None, 0..usize::MAX));
        prop_assert_eq!(a.rows(None, 1..4), b.rows(None, 1..4));
        prop_assert_eq!(
            a.entrants(None, 0..usize::MAX),
            b.entrants(None, 0..usize::MAX)
        );
        for id in divisions {
            prop_assert_eq!(a.division_len(id), b.division_len(id));
            prop_assert_eq!(
                a.rows(Some(id), 0..usize::MAX),
                b.rows(Some(id), 0..usize::MAX)
            );
            prop_assert_eq!(a.rows(Some(id), 1..3), b.rows(Some(id), 1..3));
            prop_assert_eq!(
                a.entrants(Some(id), 0..usize::MAX),
                b.entrants(Some(id), 0..usize::MAX)
            );
        }
        for entrant in entrants {
            prop_assert_eq!(a.contains(entrant), b.contains(entrant));
        }
        Ok(())
    }

    fn any_value() -> impl Strategy<Value = (Option<Score>, Option<Status>, Option<Millis>, Millis)>
    {
        let score = prop_oneof![
            5 => (0_i64..12).prop_map(|seconds| Some(Score::Time { ms: seconds * 500 })),
            2 => (0_i64..4).prop_map(|reps| Some(Score::Capped { reps })),
            1 => Just(Some(Score::Reps { reps: 3 })),
            1 => Just(None),
        ];
        let status = prop_oneof![
            6 => Just(None),
            1 => proptest::sample::select(Status::ALL.to_vec()).prop_map(Some),
        ];
        (score, status, proptest::option::of(0_i64..3), 0_i64..3).prop_map(
            |(score, status, tie_break, penalty)| {
                (score, status, tie_break.map(|t| t * 1000), penalty * 500)
            },
        )
    }

    type Step = (
        usize,
        Option<(Option<Score>, Option<Status>, Option<Millis>, Millis)>,
        bool,
    );

    #[allow(clippy::type_complexity)]
    fn any_case() -> impl Strategy<
        Value = (
            Workout,
            Vec<EntrantInfo>,
            Vec<Option<(Option<Score>, Option<Status>, Option<Millis>, Millis)>>,
            Vec<Step>,
        ),
    > {
        (1_usize..30, any::<bool>(), 0_u8..3).prop_flat_map(|(count, tie_break, rounding)| {
            let infos = proptest::collection::vec(
                (
                    proptest::collection::vec(1_i64..4, 0..3),
                    0_u32..12,
                    proptest::bool::weighted(0.9),
                ),
                count,
            );
            let start =
                proptest::collection::vec(proptest::option::weighted(0.7, any_value()), count);
            let steps = proptest::collection::vec(
                (
                    0..count,
                    proptest::option::weighted(0.85, any_value()),
                    proptest::bool::weighted(0.1),
                ),
                1..25,
            );
            (infos, start, steps).prop_map(move |(infos, start, steps)| {
                let mut race = workout(ScoreType::TimeCapped);
                race.tie_break = if tie_break {
                    TieBreak::TieBreakTime
                } else {
                    TieBreak::None
                };
                race.rounding = match rounding {
                    0 => Rounding::Exact,
                    1 => Rounding::Up { unit_ms: 1000 },
                    _ => Rounding::Truncate { unit_ms: 1000 },
                };
                let infos = infos
                    .into_iter()
                    .enumerate()
                    .filter(|(_, (_, _, known))| *known)
                    .map(|(index, (mut divisions, bib, _))| {
                        divisions.sort_unstable();
                        divisions.dedup();
                        info(index as Id + 1, &bib.to_string(), &divisions)
                    })
                    .collect();
                (race, infos, start, steps)
            })
        })
    }

    fn make(
        index: usize,
        value: (Option<Score>, Option<Status>, Option<Millis>, Millis),
        amended: bool,
    ) -> ResultEntry {
        let (score, status, tie_break_ms, penalty_ms) = value;
        ResultEntry {
            tie_break_ms,
            penalty_ms,
            amended,
            partial: false,
            ..result(index as Id + 1, score, status)
        }
    }

    #[test]
    fn a_frozen_build_passes_a_read_error_back() {
        let race = workout(ScoreType::Time);
        let outcome = ListedBoard::build_from_results(
            &race,
            2,
            |each| {
                each(&result(1, Some(Score::Time { ms: 1000 }), None));
                Err("the file went away")
            },
            |_| None,
        );
        assert_eq!(outcome.err(), Some("the file went away"));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(400))]

        /// The frozen board built straight from the results equals the
        /// live board frozen, read for read: bibs that are plain numbers,
        /// texts, zero-led numbers or missing; an entrant read twice (the
        /// last result counts); teams beside competitors; division ids
        /// unsorted and repeated; every score class.
        #[test]
        fn a_board_built_frozen_equals_the_live_board_frozen(
            race in 0_u8..3,
            reads in proptest::collection::vec(
                (
                    0_i64..40,
                    any::<bool>(),
                    any_value(),
                    any::<bool>(),
                    any::<bool>(),
                    proptest::option::weighted(0.85, (
                        prop_oneof![
                            4 => (1_u32..60).prop_map(|n| n.to_string()),
                            1 => (0_u32..60).prop_map(|n| format!("0{n}")),
                            1 => (0_u32..60).prop_map(|n| format!("A{n}")),
                            1 => Just(String::new()),
                            1 => (1_u64..u64::MAX / 2).prop_map(|n| n.to_string()),
                        ],
                        proptest::collection::vec(1_i64..5, 0..4),
                    )),
                ),
                0..60,
            ),
        ) {
            let mut workout = workout(match race {
                0 => ScoreType::Time,
                1 => ScoreType::TimeCapped,
                _ => ScoreType::Reps,
            });
            workout.tie_break = TieBreak::TieBreakTime;
            let results: Vec<ResultEntry> = reads
                .iter()
                .map(|(id, team, value, amended, partial, _)| {
                    let (score, status, tie_break_ms, penalty_ms) = *value;
                    let score = match (race, score) {
                        (2, Some(Score::Time { ms })) => Some(Score::Reps { reps: ms / 500 }),
                        (_, score) => score,
                    };
                    ResultEntry {
                        entrant: if *team { Entrant::Team(*id) } else { Entrant::Competitor(*id) },
                        tie_break_ms,
                        penalty_ms,
                        amended: *amended,
                        partial: *partial,
                        ..result(*id, score, status)
                    }
                })
                .collect();
            // The info of an entrant is the one given with its first read.
            let mut infos: BTreeMap<Entrant, (String, Vec<Id>)> = BTreeMap::new();
            for ((_, _, _, _, _, info), result) in reads.iter().zip(&results) {
                if let Some(info) = info {
                    infos.entry(result.entrant).or_insert_with(|| info.clone());
                }
            }
            let info_of = |entrant: Entrant| {
                infos
                    .get(&entrant)
                    .map(|(bib, divisions)| (bib.as_str(), divisions.as_slice()))
            };
            let read = |each: &mut dyn FnMut(&ResultEntry)| {
                for result in &results {
                    each(result);
                }
                Ok::<(), ()>(())
            };
            let direct = ListedBoard::build_from_results(&workout, results.len(), read, info_of).unwrap();
            let frozen = LiveBoard::build_from_results(&workout, results.len(), read, info_of)
                .unwrap()
                .into_listed();
            let entrants: Vec<Entrant> = results.iter().map(|result| result.entrant).collect();
            same_listed(&direct, &frozen, entrants.into_iter(), 0..6)?;
            // Built externally: each entrant's last result as a record,
            // written to bytes and read back, sorted by the listing order
            // and placed as the records come: the same rows.
            let mut last: BTreeMap<Entrant, &ResultEntry> = BTreeMap::new();
            for result in &results {
                last.insert(result.entrant, result);
            }
            let mut records: Vec<ListingRecord> = last
                .values()
                .map(|result| {
                    let (bib, divisions) = info_of(result.entrant).unwrap_or(("", &[]));
                    let record = ListingRecord::new(&workout, result, bib, divisions);
                    let mut bytes = Vec::new();
                    record.encode(&mut bytes);
                    let back = ListingRecord::decode(&bytes).expect("a record decodes");
                    assert_eq!(&back, &record);
                    assert_eq!(ListingRecord::decode(&bytes[..bytes.len() - 1]), None);
                    back
                })
                .collect();
            records.reverse();
            records.sort_by(ListingRecord::listing_cmp);
            let mut placer = ListingPlacer::new();
            let placed: Vec<RankedRow> = records
                .iter()
                .map(|record| placer.place_record(&workout, record))
                .collect();
            prop_assert_eq!(placed, direct.rows(None, 0..direct.len()));
            prop_assert_eq!(placer.rows(), direct.len());
            prop_assert_eq!(placer.leader_ms(), direct.leader_ms);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(400))]

        #[test]
        fn the_board_after_any_amendments_equals_a_full_ranking(
            (race, infos, start, steps) in any_case()
        ) {
            let rank_infos: BTreeMap<Entrant, RankInfo> =
                infos.iter().map(|info| (info.entrant, RankInfo::from(info))).collect();
            let mut results: BTreeMap<Entrant, ResultEntry> = start
                .iter()
                .enumerate()
                .filter_map(|(index, value)| value.map(|value| make(index, value, false)))
                .map(|entry| (entry.entrant, entry))
                .collect();
            let inputs: Vec<ResultEntry> = results.values().cloned().collect();
            let mut board = LiveBoard::build(&race, &inputs, |entrant| rank_infos.get(&entrant).cloned());
            let mut before = check(&board, &race, &infos, &results)?;
            for (index, value, partial) in steps {
                let entrant = Entrant::Competitor(index as Id + 1);
                let new = value.map(|value| ResultEntry { partial, ..make(index, value, true) });
                match &new {
                    Some(entry) => results.insert(entrant, entry.clone()),
                    None => results.remove(&entrant),
                };
                let moved = board.apply(entrant, new.as_ref(), rank_infos.get(&entrant));
                let after = check(&board, &race, &infos, &results)?;
                prop_assert_eq!(moved, moved_between(&before, &after));
                before = after;
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(400))]

        /// Batches of changes (new rows, amendments, removals, an entrant
        /// twice in one batch) applied at once equal a full ranking after
        /// each batch, and the batch's who-moved list is the net change
        /// between the two rankings.
        #[test]
        fn the_board_after_any_batches_equals_a_full_ranking(
            (race, infos, start, steps) in any_case(),
            batch in 1_usize..9,
        ) {
            let rank_infos: BTreeMap<Entrant, RankInfo> =
                infos.iter().map(|info| (info.entrant, RankInfo::from(info))).collect();
            let mut results: BTreeMap<Entrant, ResultEntry> = start
                .iter()
                .enumerate()
                .filter_map(|(index, value)| value.map(|value| make(index, value, false)))
                .map(|entry| (entry.entrant, entry))
                .collect();
            let inputs: Vec<ResultEntry> = results.values().cloned().collect();
            let mut board = LiveBoard::build(&race, &inputs, |entrant| rank_infos.get(&entrant).cloned());
            let mut before = check(&board, &race, &infos, &results)?;
            for chunk in steps.chunks(batch) {
                let news: Vec<(Entrant, Option<ResultEntry>)> = chunk
                    .iter()
                    .map(|(index, value, partial)| {
                        let entrant = Entrant::Competitor(*index as Id + 1);
                        let new = value.map(|value| ResultEntry { partial: *partial, ..make(*index, value, true) });
                        (entrant, new)
                    })
                    .collect();
                for (entrant, new) in &news {
                    match new {
                        Some(entry) => results.insert(*entrant, entry.clone()),
                        None => results.remove(entrant),
                    };
                }
                let changes: Vec<(Entrant, Option<&ResultEntry>, Option<&RankInfo>)> = news
                    .iter()
                    .map(|(entrant, new)| (*entrant, new.as_ref(), rank_infos.get(entrant)))
                    .collect();
                let moved = board.apply_batch(&changes);
                let after = check(&board, &race, &infos, &results)?;
                prop_assert_eq!(moved, moved_between(&before, &after));
                before = after;
            }
        }
    }

    #[test]
    fn a_tied_removal_and_insertion_shift_every_later_place() {
        // A, X, B share first place and C is fourth: removing X makes C
        // third although B keeps its place.
        let race = workout(ScoreType::Time);
        let time = |ms| Some(Score::Time { ms });
        let results = [
            result(1, time(1000), None),
            result(2, time(1000), None),
            result(3, time(1000), None),
            result(4, time(2000), None),
        ];
        let infos: Vec<RankInfo> = (1..=4)
            .map(|bib| RankInfo {
                bib: bib.to_string(),
                division_ids: vec![7],
            })
            .collect();
        let info_of = |entrant: Entrant| match entrant {
            Entrant::Competitor(id) => infos.get(id as usize - 1),
            Entrant::Team(_) => None,
        };
        let mut board = LiveBoard::build(&race, &results, |entrant| info_of(entrant).cloned());
        let moved = board.apply(Entrant::Competitor(2), None, None);
        let ranks: Vec<Option<u32>> = board.rows(0..10).iter().map(|row| row.rank).collect();
        assert_eq!(ranks, [Some(1), Some(1), Some(3)]);
        assert_eq!(
            moved,
            [
                PlaceChange {
                    entrant: Entrant::Competitor(4),
                    division_id: None,
                    old_rank: Some(4),
                    new_rank: Some(3)
                },
                PlaceChange {
                    entrant: Entrant::Competitor(2),
                    division_id: None,
                    old_rank: Some(1),
                    new_rank: None
                },
                PlaceChange {
                    entrant: Entrant::Competitor(4),
                    division_id: Some(7),
                    old_rank: Some(4),
                    new_rank: Some(3)
                },
                PlaceChange {
                    entrant: Entrant::Competitor(2),
                    division_id: Some(7),
                    old_rank: Some(1),
                    new_rank: None
                },
            ]
        );
        let moved = board.apply(
            Entrant::Competitor(2),
            Some(&results[1]),
            info_of(Entrant::Competitor(2)),
        );
        assert_eq!(moved.len(), 4, "{moved:?}");
        let ranks: Vec<Option<u32>> = board.rows(0..10).iter().map(|row| row.rank).collect();
        assert_eq!(ranks, [Some(1), Some(1), Some(1), Some(4)]);
    }

    /// The board of `ids`, each in division `1 + id % 2` (numbers as bibs),
    /// `reps` giving each one's result, and the infos it was built with.
    fn two_division_board(
        race: &Workout,
        results: &[ResultEntry],
    ) -> (LiveBoard, Vec<EntrantInfo>) {
        let infos: Vec<EntrantInfo> = results
            .iter()
            .map(|result| match result.entrant {
                Entrant::Competitor(id) => info(id, &id.to_string(), &[1 + id % 2]),
                Entrant::Team(_) => unreachable!(),
            })
            .collect();
        let rank_infos: BTreeMap<Entrant, RankInfo> = infos
            .iter()
            .map(|info| (info.entrant, RankInfo::from(info)))
            .collect();
        let board = LiveBoard::build(race, results, |entrant| rank_infos.get(&entrant).cloned());
        (board, infos)
    }

    /// A board built from results read one at a time (a repeated entrant's
    /// last result counting, a room too small or too large) lists the same
    /// rows in every list as one built from the held results; a reader's
    /// error is returned.
    #[test]
    fn a_board_built_from_results_read_one_at_a_time_equals_the_held_build() {
        let race = workout(ScoreType::Reps);
        let mut results: Vec<ResultEntry> = (1..=40)
            .map(|id| result(id, Some(Score::Reps { reps: 100 - id % 7 }), None))
            .collect();
        results.push(result(41, None, Some(Status::Dnf)));
        results.push(result(3, Some(Score::Reps { reps: 1 }), None));
        let (held, infos) = two_division_board(&race, &results[..41]);
        let held = {
            let rank_infos: BTreeMap<Entrant, RankInfo> = infos
                .iter()
                .map(|info| (info.entrant, RankInfo::from(info)))
                .collect();
            drop(held);
            LiveBoard::build(&race, &results, |entrant| rank_infos.get(&entrant).cloned())
        };
        for room in [0, 5, 1000] {
            let streamed = LiveBoard::build_from_results(
                &race,
                room,
                |each| {
                    results.iter().for_each(each);
                    Ok::<(), ()>(())
                },
                |entrant| info_ref(&infos, entrant),
            )
            .unwrap();
            assert_eq!(streamed.rows(0..usize::MAX), held.rows(0..usize::MAX));
            for division_id in [1, 2] {
                assert_eq!(
                    streamed.division_rows(division_id, 0..usize::MAX),
                    held.division_rows(division_id, 0..usize::MAX)
                );
            }
            assert_eq!(streamed.rows(0..usize::MAX).len(), 41);
        }
        let failed = LiveBoard::build_from_results(&race, 0, |_| Err("read"), |_| None);
        assert_eq!(failed.err(), Some("read"));
    }

    /// A field-wide move in the compact form: the leader's DNF in a field
    /// of tie groups (three rows share each place) spread over two
    /// divisions is one block and one entry on each list it changes (the
    /// whole field's block runs across both divisions' rows, and starts
    /// and ends in tie groups), not one entry a row; read back, its rows
    /// are the difference of two full rankings.
    #[test]
    fn a_field_wide_move_is_one_block_a_list_read_back_as_every_row() {
        let race = workout(ScoreType::Reps);
        let reps = |id: Id| {
            Some(Score::Reps {
                reps: 1000 - (id - 1) / 3,
            })
        };
        let mut results: Vec<ResultEntry> =
            (1..=300).map(|id| result(id, reps(id), None)).collect();
        results.push(result(301, None, Some(Status::Dns)));
        let (mut board, infos) = two_division_board(&race, &results);
        let before = rank_workout(&race, &infos, &results);
        results[0] = result(1, None, Some(Status::Dnf));
        let moved = board.apply_moves(Entrant::Competitor(1), Some(&results[0]), None);
        let after = rank_workout(&race, &infos, &results);
        let expected = moved_between(&before, &after);
        // Everyone below the leader's tie group, in both lists: 297 rows on
        // the whole field (2 and 3 keep first place), 148 in division 2
        // (3 keeps it), and the leader twice.
        assert_eq!(expected.len(), 297 + 148 + 2);
        assert_eq!(moved.len(), expected.len());
        assert_eq!(moved.items(), 4, "one block and one entry a list");
        assert_eq!(moved.to_vec(&board), expected);
        assert_eq!(board.rows(0..usize::MAX), after);

        // A move into the middle of a tie group and out of another: the
        // places between shift unevenly (blocks of one where they must),
        // and every row still comes back.
        let before = after;
        results[100] = result(101, reps(40), None);
        let moved = board.apply_moves(Entrant::Competitor(101), Some(&results[100]), None);
        let after = rank_workout(&race, &infos, &results);
        let expected = moved_between(&before, &after);
        assert_eq!(moved.len(), expected.len());
        assert!(moved.items() < expected.len(), "{} items", moved.items());
        assert_eq!(moved.to_vec(&board), expected);
    }

    #[test]
    #[should_panic(expected = "who moved is read from the board as the change left it")]
    fn who_moved_is_not_read_from_a_board_changed_since() {
        let race = workout(ScoreType::Reps);
        let results: Vec<ResultEntry> = (1..=10)
            .map(|id| result(id, Some(Score::Reps { reps: 100 - id }), None))
            .collect();
        let (mut board, _) = two_division_board(&race, &results);
        let dnf = result(1, None, Some(Status::Dnf));
        let moved = board.apply_moves(Entrant::Competitor(1), Some(&dnf), None);
        assert!(moved.items() < moved.len());
        board.apply_moves(Entrant::Competitor(2), Some(&dnf), None);
        moved.to_vec(&board);
    }
}

#[cfg(test)]
mod bib_order_tests {
    use super::*;
    use crate::model::{ScoreType, Source};
    use crate::score::tests::workout;

    #[test]
    fn equal_scores_are_listed_by_bib_numbers_and_texts_alike() {
        // Number bibs take the fast path, the others `compare_bibs`; mixed
        // pairs must agree with it too.
        let race = workout(ScoreType::Reps);
        let bibs = ["10", "2", "02", "A1", "1", "", "100", "9a", "0"];
        let results: Vec<ResultEntry> = (0..bibs.len())
            .map(|index| ResultEntry {
                entrant: Entrant::Competitor(index as Id + 1),
                score: Some(Score::Reps { reps: 5 }),
                status: None,
                tie_break_ms: None,
                penalty_ms: 0,
                splits: Vec::new(),
                incidents: Vec::new(),
                source: Source::Manual,
                amended: false,
                partial: false,
            })
            .collect();
        let info_of = |entrant: Entrant| match entrant {
            Entrant::Competitor(id) => Some(RankInfo {
                bib: bibs[id as usize - 1].to_string(),
                division_ids: Vec::new(),
            }),
            Entrant::Team(_) => None,
        };
        let board = LiveBoard::build(&race, &results, info_of);
        let listed: Vec<&str> = board
            .entrants(0..usize::MAX)
            .map(|entrant| match entrant {
                Entrant::Competitor(id) => bibs[id as usize - 1],
                Entrant::Team(_) => unreachable!(),
            })
            .collect();
        let mut expected = bibs.to_vec();
        expected.sort_by(|a, b| compare_bibs(a, b));
        assert_eq!(listed, expected);
    }

    #[test]
    fn the_board_knows_whether_any_result_has_a_penalty_as_results_change() {
        let race = workout(ScoreType::Time);
        let result = |id: Id, ms: i64, penalty_ms: i64| ResultEntry {
            penalty_ms,
            ..crate::ranking::tests::result(id, Some(Score::Time { ms }), None)
        };
        let info = |id: Id, division: Id| RankInfo {
            bib: id.to_string(),
            division_ids: vec![division],
        };
        let info_of = |entrant: Entrant| match entrant {
            Entrant::Competitor(id) => Some(info(id, 10 + id % 2)),
            Entrant::Team(_) => None,
        };
        let mut board = LiveBoard::build(
            &race,
            &[result(1, 60_000, 0), result(2, 61_000, 15_000)],
            info_of,
        );
        assert!(board.has_penalties(None));
        assert!(board.has_penalties(Some(10)), "entrant 2 is in division 10");
        assert!(!board.has_penalties(Some(11)));
        // The row shows its penalty; the score already includes it.
        let row = board.row_of(Entrant::Competitor(2)).unwrap();
        assert_eq!(
            (row.penalty_ms, row.score),
            (15_000, Some(Score::Time { ms: 76_000 }))
        );
        // The penalty is taken back: no result on the board has one now.
        board.apply(Entrant::Competitor(2), Some(&result(2, 61_000, 0)), None);
        assert!(!board.has_penalties(None));
        // A new entrant with a penalty, then its result removed.
        board.apply(
            Entrant::Competitor(3),
            Some(&result(3, 59_000, 5_000)),
            Some(&info(3, 11)),
        );
        assert!(board.has_penalties(None) && board.has_penalties(Some(11)));
        board.apply(Entrant::Competitor(3), None, None);
        assert!(!board.has_penalties(None) && !board.has_penalties(Some(11)));
    }
}
