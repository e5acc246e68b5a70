//! Ranked workout boards kept by a long-running process (the desktop app's
//! session, a watcher) and brought up to date by each write it makes.
//!
//! [`KeptBoards`] holds a [`LiveBoard`] per workout (the few most recently
//! used) for the store's current [`ChangeStamp`]. After a write through the
//! same handle ([`KeptBoards::amend`], [`KeptBoards::after_write`]) the
//! changed rows are read back by key and applied to the kept board: the
//! entrant's row moves by binary search, the rows in between shift by one,
//! and the rows whose place changed are the who-moved list. Nothing is
//! loaded or ranked for the rest of the field. When the file's contents
//! changed without such a write (an import, another program's write), the
//! boards are dropped and each is rebuilt once, when next asked for; a
//! backup thread releasing its claim changes no contents and keeps them
//! ([`ChangeStamp::same_contents`]).
//!
//! The overall tables ([`OverallTable`], the few most recently used, per
//! division) are kept beside the boards with the same rules. After this
//! handle's own score write the rows of the changed workout that moved (the
//! board's who-moved list and the written entrant) update each kept table
//! in place ([`LiveOverall::apply`]: only those cells, the unplaced
//! entrants' "placed + 1" in a rank sum, totals, and the moved rows put
//! back by binary search); anything else drops them with the boards, and
//! each is rebuilt once when next asked for. A write the tables cannot
//! follow (the workout's board is not kept) drops the tables alone.
//!
//! **Writes handed over by the process's other handles.** A poller of the
//! same process writes on a handle of its own, so the stamp alone would
//! count its writes as another program's. Such a handle announces the
//! write serial of each write to the [`WriteInbox`] just before it
//! commits, while it still holds the write lock, and abandons it when the
//! commit fails or rolls back ([`WriteInbox::hand_writes_of`], on the
//! store's [`CompetitionFile::hand_writes_to`]); after the commit it posts
//! the serials with the entrants whose results they wrote
//! ([`HandedWrites`]; the sync worker's commits are their own hand-off,
//! [`InboxWriter`]). When the stamp moved and every write serial between
//! the kept stamp and the new one was handed over (none by this handle
//! unapplied), those entrants are read back by key and applied as this
//! handle's own writes are: the kept boards and tables stay. A serial the
//! file shows that is announced and not yet handed over is waited for (at
//! most [`ANNOUNCED_WAIT`]; the hand-off follows the commit within
//! microseconds, or one more commit for a poll), never trusted: a write
//! abandoned after its announcement leaves its serial to the next writer,
//! maybe another program. One write serial neither handed over nor
//! announced (another program's write), an abandoned one, a writer dropped with a write announced
//! (a poller that failed between two writes) or a wait that runs out
//! drops everything, as before: a rebuild, never a stale board. This
//! handle's own write is told from the others by its serial
//! ([`CompetitionFile::last_write_serial`]), so the sync worker writing
//! in the same moment keeps the boards too. A hand-off arriving after a
//! rebuild is ignored (its writes are older than the new stamp). (As
//! with a backup claim's release, a program writing the file with raw
//! SQL, without the store and so without moving the write serial, in the
//! same moment as a handed-over write goes unseen until the next change.)
//! Every board and table is built in one read snapshot with
//! the stamp read inside it, so it is exactly as of its stamp; a build
//! whose snapshot is newer than the kept stamp drops the others. The
//! boards of watched workouts ([`KeptBoards::watch`]: the polled ones) are
//! built before an overall table and kept before others, so a hand-off
//! moves the table's rows in place too.
//!
//! The generation ([`KeptBoards::generation`]) goes up with every change of
//! the kept boards or tables, so a shell can tell a page of an older
//! ranking from a newer one.

use std::collections::{HashMap, HashSet};
use std::ops::Range;
use std::sync::atomic::{AtomicU64, Ordering as AtomicOrdering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use scoretable_core::board::{LiveBoard, MovedPlaces};
use scoretable_core::live_overall::LiveOverall;
use scoretable_core::model::{Entrant, Id, OverallCell, RankedRow};
use scoretable_core::moves::PlaceChange;
use scoretable_store::{
    AmendmentReceipt, ChangeStamp, CompetitionFile, MovedPlacements, PlacementChange, ScoreInput,
    WriteNotice,
};

use crate::error::{UseCaseError, UseCaseResult};

/// How many workout boards are kept at once (each holds every division).
pub const BOARDS_KEPT: usize = 4;

/// Writes another handle of the same process committed (an inbound
/// poller's: its ledger apply and its health record), handed to the kept
/// boards through a [`WriteInbox`]: their write serials (as the store noted
/// them, [`CompetitionFile::note_writes`]) and the entrants whose results of
/// `workout_id` they wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HandedWrites {
    pub serials: Vec<i64>,
    pub workout_id: Id,
    pub entrants: Vec<Entrant>,
}

/// How many hand-offs an inbox holds before it gives them all up (nobody
/// read a board for that long: the boards are rebuilt once instead).
pub const INBOX_LIMIT: usize = 1024;

/// How long a read waits for the outcome of writes another handle of the
/// process announced ([`InboxWriter`]) and the file already shows, before
/// it counts them as another program's and rebuilds. A hand-off follows
/// its commit within microseconds (the sync worker) or one more commit (a
/// poll's health record); the wait ends as soon as it arrives.
pub const ANNOUNCED_WAIT: Duration = Duration::from_millis(250);

#[derive(Debug, Default)]
struct Inbox {
    /// Hand-offs posted and not yet taken by the boards.
    posted: Vec<HandedWrites>,
    /// Serials announced before their commit (by the writer with that
    /// number) whose hand-off is not posted and that were not abandoned.
    announced: Vec<(i64, u64)>,
}

/// Where a process's other handles post their [`HandedWrites`] for its
/// [`KeptBoards`] (shared with poller threads; posting never waits on the
/// boards' owner), and announce their writes before they commit
/// ([`WriteInbox::hand_writes_of`]).
#[derive(Debug, Clone, Default)]
pub struct WriteInbox(Arc<(Mutex<Inbox>, Condvar)>);

/// Numbers the [`InboxWriter`]s of the process.
static WRITERS: AtomicU64 = AtomicU64::new(1);

impl WriteInbox {
    fn lock(&self) -> MutexGuard<'_, Inbox> {
        self.0
             .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Posts one hand-off, after its writes committed.
    pub fn post(&self, writes: HandedWrites) {
        if writes.serials.is_empty() {
            return;
        }
        let mut inbox = self.lock();
        inbox
            .announced
            .retain(|(serial, _)| !writes.serials.contains(serial));
        if inbox.posted.len() >= INBOX_LIMIT {
            // The serials given up are nobody's now: a rebuild, never a
            // stale board.
            inbox.posted.clear();
        }
        inbox.posted.push(writes);
        drop(inbox);
        self.0 .1.notify_all();
    }

    /// A writer of this inbox: see [`InboxWriter`].
    pub fn writer(&self, commits_hand_over: bool) -> InboxWriter {
        InboxWriter {
            inbox: self.clone(),
            id: WRITERS.fetch_add(1, AtomicOrdering::Relaxed),
            commits_hand_over,
        }
    }

    /// Makes `file`, a handle of this process, announce each of its writes
    /// here before it commits and abandon it when the commit fails
    /// ([`CompetitionFile::hand_writes_to`]), and note the serials it
    /// commits ([`CompetitionFile::note_writes`]): a poller's handle, whose
    /// thread then posts each poll's [`HandedWrites`] (the serials and the
    /// entrants stored). A read seeing one of those serials in the file
    /// before the hand-off is posted waits for it ([`ANNOUNCED_WAIT`])
    /// instead of rebuilding. What the handle announced and did not post
    /// by the time the handle is dropped is abandoned (a poll that failed
    /// between two writes): a rebuild, never a stale board.
    pub fn hand_writes_of(&self, file: &mut CompetitionFile) {
        let writer = self.writer(false);
        file.note_writes();
        file.hand_writes_to(move |notice| writer.notice(notice));
    }

    /// Opens a handle of the file at `path` whose writes are handed over
    /// as [`WriteInbox::hand_writes_of`] says, from its opening on: the
    /// commits of its opening and closing (its session row) are handed
    /// over as they commit, so a poller starting or stopping keeps the
    /// boards.
    pub fn open_handing_writes(&self, path: &std::path::Path) -> UseCaseResult<CompetitionFile> {
        let writer = self.writer(false);
        let mut file =
            CompetitionFile::open_handing_writes(path, move |notice| writer.notice(notice))?;
        file.note_writes();
        Ok(file)
    }

    fn take(&self) -> Vec<HandedWrites> {
        std::mem::take(&mut self.lock().posted)
    }

    fn clear(&self) {
        let mut inbox = self.lock();
        inbox.posted.clear();
        inbox.announced.clear();
    }

    /// Moves the posted hand-offs into `handed` until every write serial
    /// in `from + 1..=to` but `own` (the reader's own write) is among them
    /// (`true`), waiting up to `wait` for
    /// those still announced; `false` as soon as one is neither posted nor
    /// announced (another program's write, an abandoned one), or when the
    /// wait is over.
    fn settle(
        &self,
        from: i64,
        to: i64,
        own: Option<i64>,
        handed: &mut Vec<HandedWrites>,
        wait: Duration,
    ) -> bool {
        let deadline = Instant::now() + wait;
        let mut inbox = self.lock();
        loop {
            handed.append(&mut inbox.posted);
            let posted: HashSet<i64> = handed
                .iter()
                .flat_map(|writes| writes.serials.iter().copied())
                .chain(own)
                .filter(|serial| *serial > from && *serial <= to)
                .collect();
            let missing = to - from - posted.len() as i64;
            if missing <= 0 {
                return true;
            }
            let announced: HashSet<i64> = inbox
                .announced
                .iter()
                .map(|(serial, _)| *serial)
                .filter(|serial| *serial > from && *serial <= to && !posted.contains(serial))
                .collect();
            let now = Instant::now();
            if announced.len() as i64 != missing || now >= deadline {
                return false;
            }
            inbox = self
                .0
                 .1
                .wait_timeout(inbox, deadline - now)
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .0;
        }
    }
}

/// One handle's side of a [`WriteInbox`]: told of each write the handle
/// makes ([`WriteNotice`], from [`CompetitionFile::hand_writes_to`]), it
/// announces the serial before the commit and withdraws it when the write
/// is abandoned. With `commits_hand_over` (a handle whose writes change
/// nothing a board shows: the sync worker's) the commit itself is the
/// hand-off; otherwise the handle's owner posts [`HandedWrites`] with the
/// entrants later (a poller, after its poll). Dropped, it withdraws
/// whatever it announced and did not hand over.
#[derive(Debug)]
pub struct InboxWriter {
    inbox: WriteInbox,
    id: u64,
    commits_hand_over: bool,
}

impl InboxWriter {
    /// Takes one notice of the handle's writes.
    pub fn notice(&self, notice: WriteNotice) {
        match notice {
            WriteNotice::Announced(serial) => {
                self.inbox.lock().announced.push((serial, self.id));
            }
            WriteNotice::Committed(serial) if self.commits_hand_over => {
                self.inbox.post(HandedWrites {
                    serials: vec![serial],
                    workout_id: 0,
                    entrants: Vec::new(),
                });
            }
            WriteNotice::Committed(_) => {}
            // The handle's opening or closing: nothing a board shows.
            WriteNotice::SessionRecorded(serial) => {
                self.inbox.post(HandedWrites {
                    serials: vec![serial],
                    workout_id: 0,
                    entrants: Vec::new(),
                });
            }
            WriteNotice::Abandoned(serial) => {
                self.withdraw(|announced| announced == serial);
            }
        }
    }

    fn withdraw(&self, which: impl Fn(i64) -> bool) {
        self.inbox
            .lock()
            .announced
            .retain(|(serial, id)| *id != self.id || !which(*serial));
        self.inbox.0 .1.notify_all();
    }
}

impl Drop for InboxWriter {
    fn drop(&mut self) {
        self.withdraw(|_| true);
    }
}

/// An overall table's division (`None`: the whole field) and kind (`true`:
/// the team overall of a mixed event).
type TableKey = (Option<Id>, bool);

/// See the module documentation.
#[derive(Default)]
pub struct KeptBoards {
    stamp: Option<ChangeStamp>,
    generation: u64,
    /// Most recently used first.
    boards: Vec<(Id, LiveBoard)>,
    /// The overall tables by division and kind (`true`: the team overall
    /// of a mixed event), most recently used first.
    tables: Vec<(TableKey, Arc<OverallTable>)>,
    /// Where this process's pollers post their writes.
    inbox: WriteInbox,
    /// Hand-offs taken from the inbox whose writes the kept stamp does not
    /// cover yet.
    handed: Vec<HandedWrites>,
    /// Workouts whose boards are kept whenever overall tables are (the
    /// polled ones), so the tables can follow their hand-offs.
    watched: Vec<Id>,
}

impl KeptBoards {
    /// The generation the kept boards belong to.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// The inbox this process's other handles post their writes to.
    pub fn inbox(&self) -> WriteInbox {
        self.inbox.clone()
    }

    /// Keeps `workout_id`'s board whenever overall tables are kept (a
    /// polled workout), so hand-offs update the tables in place.
    pub fn watch(&mut self, workout_id: Id) {
        if !self.watched.contains(&workout_id) {
            self.watched.push(workout_id);
        }
    }

    /// Stops [`KeptBoards::watch`]ing `workout_id`.
    pub fn unwatch(&mut self, workout_id: Id) {
        self.watched.retain(|id| *id != workout_id);
    }

    /// Forgets every board (the file was closed or another one opened); the
    /// generation keeps counting.
    pub fn clear(&mut self) {
        self.stamp = None;
        self.boards.clear();
        self.tables.clear();
        self.handed.clear();
        self.watched.clear();
        self.inbox.clear();
        self.generation += 1;
    }

    /// Drops every board and table; `stamp` is what the (empty) set
    /// belongs to now.
    fn drop_all(&mut self, stamp: Option<ChangeStamp>) {
        self.stamp = stamp;
        self.boards.clear();
        self.tables.clear();
        self.generation += 1;
        if let Some(stamp) = stamp {
            let serial = stamp.write_serial();
            self.handed
                .retain(|writes| writes.serials.iter().any(|at| *at > serial));
        }
    }

    /// Brings the boards up to date with the file: nothing when it did not
    /// change; the writes handed over by this process's pollers applied in
    /// place when they are the only change since the kept stamp; otherwise
    /// every board and table is dropped (each rebuilt once when next asked
    /// for). Returns the generation.
    pub fn observe(&mut self, file: &CompetitionFile) -> UseCaseResult<u64> {
        let stamp = file.change_stamp()?;
        // Taken after the stamp: every write of this process's other
        // handles that the stamp shows was announced before its commit, so
        // it is posted or announced here (a write announced and then
        // abandoned, or never handed over, counts as another program's: a
        // rebuild, never a stale board).
        self.handed.extend(self.inbox.take());
        let kept = self.stamp;
        match kept {
            // Nothing changed, or another connection only released a
            // backup claim: the boards stay.
            Some(kept) if stamp.same_contents(&kept) => self.stamp = Some(stamp),
            Some(kept) if self.only_handed_writes(&kept, &stamp, ANNOUNCED_WAIT) => {
                if let Err(error) = self.apply_handed(file, &kept, stamp) {
                    self.drop_all(None);
                    return Err(error);
                }
            }
            _ => self.drop_all(Some(stamp)),
        }
        Ok(self.generation)
    }

    /// True when every write between `kept` and `now` was handed over (none
    /// by this handle unapplied, none by anyone else), waiting up to `wait`
    /// for the hand-offs of writes announced and not posted yet.
    fn only_handed_writes(
        &mut self,
        kept: &ChangeStamp,
        now: &ChangeStamp,
        wait: Duration,
    ) -> bool {
        let (from, to) = (kept.write_serial(), now.write_serial());
        if !now.no_local_writes_since(kept) || to <= from {
            return false;
        }
        self.inbox.settle(from, to, None, &mut self.handed, wait)
    }

    /// Applies the hand-offs whose writes lie between `kept` and `now`
    /// (their entrants read back by key, as after this handle's own
    /// writes) and makes `now` the kept stamp.
    fn apply_handed(
        &mut self,
        file: &CompetitionFile,
        kept: &ChangeStamp,
        now: ChangeStamp,
    ) -> UseCaseResult<()> {
        let (from, to) = (kept.write_serial(), now.write_serial());
        let mut handed = std::mem::take(&mut self.handed);
        let mut changed = false;
        for writes in &mut handed {
            // A hand-off with any write in the range is applied now: a
            // poll's results are in its first write, and its health record
            // may commit after this stamp was taken. Its entrants are read
            // back once; the serials stay for the next range.
            if !writes
                .serials
                .iter()
                .any(|serial| *serial > from && *serial <= to)
            {
                continue;
            }
            let entrants = std::mem::take(&mut writes.entrants);
            if !entrants.is_empty() {
                changed = true;
                self.apply_entrants(file, writes.workout_id, &entrants)?;
            }
        }
        self.handed = handed
            .into_iter()
            .filter(|writes| writes.serials.iter().any(|serial| *serial > to))
            .collect();
        self.stamp = Some(now);
        if changed {
            self.generation += 1;
        }
        Ok(())
    }

    /// Re-reads `entrants`' rows of `workout_id` into its kept board and
    /// the kept overall tables (the tables are dropped when the board is not
    /// kept); returns who changed place. On an error the board and the
    /// tables are dropped.
    fn apply_entrants(
        &mut self,
        file: &CompetitionFile,
        workout_id: Id,
        entrants: &[Entrant],
    ) -> UseCaseResult<Option<MovedPlaces>> {
        let Some(at) = self.boards.iter().position(|(id, _)| *id == workout_id) else {
            self.tables.clear();
            return Ok(None);
        };
        let mut inputs = Vec::new();
        for entrant in entrants {
            match file.ranked_inputs_of(workout_id, *entrant) {
                Ok(read) => inputs.extend(read),
                Err(error) => {
                    // The board cannot be brought up to date: rebuild it later.
                    self.boards.remove(at);
                    self.tables.clear();
                    return Err(error.into());
                }
            }
        }
        let board = &mut self.boards[at].1;
        // Several entrants (a poll's batch) are applied at once: each list
        // they touch is merged once and its places re-counted once, and
        // each row's net change comes back once (applied one by one, 50
        // new rows at 60,000 athletes moved about 1.5 million places on
        // the way).
        // One entrant's change comes back compact (a run of rows shifted by
        // the same number of places is one block, read from the board when
        // its rows are needed).
        let moved = if inputs.len() == 1 {
            let input = &inputs[0];
            board.apply_moves(input.entrant, input.result.as_ref(), input.info.as_ref())
        } else {
            let changes: Vec<_> = inputs
                .iter()
                .map(|input| (input.entrant, input.result.as_ref(), input.info.as_ref()))
                .collect();
            MovedPlaces::from(board.apply_batch(&changes))
        };
        if !self.tables.is_empty() {
            let mut changed: Vec<Entrant> = inputs.iter().map(|input| input.entrant).collect();
            changed.sort_unstable();
            changed.dedup();
            let written: Vec<(Entrant, Option<RankedRow>)> = changed
                .into_iter()
                .map(|entrant| (entrant, board.row_of(entrant)))
                .collect();
            for (_, table) in &mut self.tables {
                Arc::make_mut(table).apply_moves(workout_id, &written, &moved, board);
            }
        }
        Ok(Some(moved))
    }

    /// Keeps a board or table just built in one read snapshot taken at
    /// `built_at`: when a write landed between the kept stamp and the
    /// snapshot, the rest no longer matches it and is dropped.
    fn adopt_build(&mut self, built_at: ChangeStamp) {
        let matches = self.stamp.is_some_and(|kept| {
            built_at.no_local_writes_since(&kept) && built_at.write_serial() == kept.write_serial()
        });
        if !matches {
            self.drop_all(Some(built_at));
        }
    }

    /// Whether `workout_id`'s board is kept for the file as it is now.
    pub fn is_kept(&self, workout_id: Id) -> bool {
        self.boards.iter().any(|(id, _)| *id == workout_id)
    }

    /// The board of `workout_id` for the file as it is now: the kept one,
    /// or ranked once ([`CompetitionFile::live_board`]) and kept.
    pub fn board(&mut self, file: &CompetitionFile, workout_id: Id) -> UseCaseResult<&LiveBoard> {
        self.observe(file)?;
        match self.boards.iter().position(|(id, _)| *id == workout_id) {
            Some(0) => {}
            Some(at) => {
                let kept = self.boards.remove(at);
                self.boards.insert(0, kept);
            }
            None => {
                // Ranked in one snapshot with its stamp, so the board is
                // exactly as of the kept stamp (hand-offs apply on top).
                let (built_at, board) = file.read_snapshot(|file| {
                    Ok::<_, UseCaseError>((file.change_stamp()?, file.live_board(workout_id)?))
                })?;
                self.adopt_build(built_at);
                self.boards.insert(0, (workout_id, board));
                // The least recently used unwatched boards go first.
                while self.boards.len() > BOARDS_KEPT {
                    match self
                        .boards
                        .iter()
                        .rposition(|(id, _)| !self.watched.contains(id))
                    {
                        Some(at) if at > 0 => {
                            self.boards.remove(at);
                        }
                        _ => break,
                    }
                }
            }
        }
        Ok(&self.boards[0].1)
    }

    /// The kept board of `workout_id`, as it is (not brought up to date).
    fn kept_board(&self, workout_id: Id) -> Option<&LiveBoard> {
        self.boards
            .iter()
            .find(|(id, _)| *id == workout_id)
            .map(|(_, board)| board)
    }

    /// How many overall tables are kept now.
    pub fn tables_kept(&self) -> usize {
        self.tables.len()
    }

    /// The overall table of `division_id` for the file as it is now: the
    /// kept one, or built once ([`overall_table`]) and kept; the flag says
    /// whether it was built now.
    pub fn overall(
        &mut self,
        file: &CompetitionFile,
        division_id: Option<Id>,
    ) -> UseCaseResult<(Arc<OverallTable>, bool)> {
        self.kept_table(file, division_id, false)
    }

    /// The team overall of a mixed event for `division_id` (see
    /// [`team_overall_table`]), kept and updated as [`KeptBoards::overall`].
    pub fn team_overall(
        &mut self,
        file: &CompetitionFile,
        division_id: Option<Id>,
    ) -> UseCaseResult<(Arc<OverallTable>, bool)> {
        self.kept_table(file, division_id, true)
    }

    fn kept_table(
        &mut self,
        file: &CompetitionFile,
        division_id: Option<Id>,
        teams: bool,
    ) -> UseCaseResult<(Arc<OverallTable>, bool)> {
        self.observe(file)?;
        let key = (division_id, teams);
        if let Some(at) = self.tables.iter().position(|(kept, _)| *kept == key) {
            let entry = self.tables.remove(at);
            let table = Arc::clone(&entry.1);
            self.tables.insert(0, entry);
            return Ok((table, false));
        }
        // The polled workouts' boards first, so their hand-offs can move
        // the table's rows.
        for workout_id in self.watched.clone() {
            self.board(file, workout_id)?;
        }
        let (built_at, table) = file.read_snapshot(|file| {
            let table = if teams {
                team_overall_table(file, division_id)?
            } else {
                overall_table(file, division_id)?
            };
            Ok::<_, UseCaseError>((file.change_stamp()?, table))
        })?;
        self.adopt_build(built_at);
        let table = Arc::new(table);
        self.tables.insert(0, (key, Arc::clone(&table)));
        self.tables.truncate(BOARDS_KEPT);
        Ok((table, true))
    }

    /// Before this handle writes a result of `workout_id`: when overall
    /// tables are kept, the workout's board is built (if it is not kept)
    /// so that its who-moved list can update them after the write.
    pub fn before_write(&mut self, file: &CompetitionFile, workout_id: Id) -> UseCaseResult<()> {
        self.observe(file)?;
        if !self.tables.is_empty() {
            self.board(file, workout_id)?;
        }
        Ok(())
    }

    /// Brings the boards up to date after this handle wrote `entrant`'s
    /// result in `workout_id`; `before` is the stamp taken just before the
    /// write. When the boards belonged to `before` and no other program
    /// wrote meanwhile, the workout's kept board is updated in place, the
    /// kept overall tables take the rows that changed, and the rows that
    /// changed place are returned, compact (read them with the kept board,
    /// before anything else changes it: [`MovedPlaces::iter`]; `None` when
    /// the workout's board is not kept: the overall tables are dropped
    /// then); otherwise every board
    /// and table is dropped (rebuilt once when next asked for) and `None`
    /// is returned.
    pub fn after_write(
        &mut self,
        file: &CompetitionFile,
        before: ChangeStamp,
        workout_id: Id,
        entrant: Entrant,
    ) -> UseCaseResult<Option<MovedPlaces>> {
        if !self.after_own_write(file, before)? {
            return Ok(None);
        }
        self.generation += 1;
        self.apply_entrants(file, workout_id, &[entrant])
    }

    /// After this handle made one write since `before`: when the boards
    /// belonged to `before` and every other write since was handed over
    /// (the sync worker's, a poll's: their entrants applied now, waiting
    /// for the hand-offs of announced ones), the kept stamp becomes the
    /// file's and `true` is returned; otherwise everything is dropped.
    ///
    /// The boards may be older than `before`: another handle of the
    /// process (the sync worker) can commit between the boards' last
    /// reading of the file and `before`. With no write by this handle in
    /// between, those writes are settled with the rest, from the kept
    /// stamp on (they used to drop every board: a rebuild in that
    /// instant).
    fn after_own_write(
        &mut self,
        file: &CompetitionFile,
        before: ChangeStamp,
    ) -> UseCaseResult<bool> {
        let after = file.change_stamp()?;
        let current = self.stamp.is_some_and(|kept| before.same_contents(&kept));
        if current && after.only_writes_since(&before, 1) {
            self.stamp = Some(after);
            return Ok(true);
        }
        let base = match self.stamp {
            _ if current => Some(before),
            Some(kept)
                if before.no_local_writes_since(&kept)
                    && before.write_serial() > kept.write_serial() =>
            {
                Some(kept)
            }
            _ => None,
        };
        self.handed.extend(self.inbox.take());
        if let Some(base) = base {
            let (from, to) = (base.write_serial(), after.write_serial());
            let own = file
                .last_write_serial()
                .filter(|own| *own > before.write_serial() && *own <= to);
            if own.is_some()
                && self
                    .inbox
                    .settle(from, to, own, &mut self.handed, ANNOUNCED_WAIT)
            {
                return match self.apply_handed(file, &base, after) {
                    Ok(()) => Ok(true),
                    Err(error) => {
                        self.drop_all(None);
                        Err(error)
                    }
                };
            }
        }
        self.stamp = None;
        self.boards.clear();
        self.tables.clear();
        self.generation += 1;
        Ok(false)
    }

    /// After this handle made one write that changes nothing the boards and
    /// the overall tables depend on (no result, entrant or setup; the
    /// bench's floor writes the same overall settings again), taken from
    /// `before`: the kept boards and tables stay when nothing else was
    /// written meanwhile; otherwise they are dropped as by
    /// [`KeptBoards::observe`].
    pub fn after_unrelated_write(
        &mut self,
        file: &CompetitionFile,
        before: ChangeStamp,
    ) -> UseCaseResult<()> {
        self.after_own_write(file, before)?;
        Ok(())
    }

    /// An official amendment (see [`CompetitionFile::record_amendment`]):
    /// the short write, then who moved from the kept board of the workout,
    /// built first when it is not kept; the kept overall tables follow. Falls back to the store's
    /// [`CompetitionFile::placement_changes_listed`] when another program
    /// wrote meanwhile. Who moved is counted in full and listed only up to
    /// `listed` changes (a screen shows the first few; an amendment that
    /// moves a competitor past the whole field changes a place of nearly
    /// every entrant).
    #[allow(clippy::too_many_arguments)]
    pub fn amend(
        &mut self,
        file: &mut CompetitionFile,
        workout_id: Id,
        entrant: Entrant,
        input: ScoreInput,
        who: &str,
        reason: &str,
        appeal_ref: Option<&str>,
        listed: usize,
    ) -> UseCaseResult<Amended> {
        self.board(file, workout_id)?;
        let before = file.change_stamp()?;
        let mut receipt =
            file.record_amendment(workout_id, entrant, input, who, reason, appeal_ref)?;
        let moved = self.after_write(file, before, workout_id, entrant)?;
        // The rows are read from the board once, here, for the receipt.
        let moved = match (moved, self.kept_board(workout_id)) {
            (Some(moved), Some(board)) => {
                let mut rows = Vec::with_capacity(moved.len().min(listed));
                let mut entrants = EntrantSet::default();
                for change in moved.iter(board) {
                    entrants.insert(change.entrant);
                    if rows.len() < listed {
                        rows.push(placement_change(change));
                    }
                }
                MovedPlacements {
                    changes: moved.len(),
                    entrants: entrants.len(),
                    listed: rows,
                }
            }
            _ => {
                file.placement_changes_listed(workout_id, entrant, receipt.old.as_ref(), listed)?
            }
        };
        receipt.moved = moved.listed;
        Ok(Amended {
            receipt,
            changes: moved.changes,
            entrants: moved.entrants,
        })
    }
}

/// How many of who moved a screen lists (the app's amendment preview and
/// receipt); the rest are counted. The CLI prints fewer (`score amend`
/// lists ten unless `--all`).
pub const MOVED_LISTED: usize = 100;

/// An amendment as [`KeptBoards::amend`] reports it: the store's receipt,
/// whose `moved` lists who moved only up to the limit asked for, and the
/// full counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Amended {
    pub receipt: AmendmentReceipt,
    /// Every changed place (overall and division places).
    pub changes: usize,
    /// The distinct entrants among them.
    pub entrants: usize,
}

/// Distinct entrants, counted in one pass without sorting (an amendment
/// past the whole field lists tens of thousands of changes): a bit per id
/// for competitors and for teams, ids far past the field's in a map.
#[derive(Debug, Default)]
struct EntrantSet {
    bits: [Vec<u64>; 2],
    far: HashSet<Entrant>,
    count: usize,
}

impl EntrantSet {
    /// Ids up to this many bits (2 MiB of bits each) are kept as bits.
    const DENSE_IDS: i64 = 1 << 24;

    fn insert(&mut self, entrant: Entrant) {
        let (kind, id) = match entrant {
            Entrant::Competitor(id) => (0, id),
            Entrant::Team(id) => (1, id),
        };
        let new = if (0..Self::DENSE_IDS).contains(&id) {
            let (word, bit) = ((id / 64) as usize, 1u64 << (id % 64));
            let bits = &mut self.bits[kind];
            if bits.len() <= word {
                bits.resize(word + 1, 0);
            }
            let new = bits[word] & bit == 0;
            bits[word] |= bit;
            new
        } else {
            self.far.insert(entrant)
        };
        self.count += usize::from(new);
    }

    fn len(&self) -> usize {
        self.count
    }
}

fn placement_change(change: PlaceChange) -> PlacementChange {
    PlacementChange {
        entrant: change.entrant,
        division_id: change.division_id,
        old_rank: change.old_rank,
        new_rank: change.new_rank,
    }
}

/// The overall table as screens show it: ranked by the engine, bibs and
/// names attached, shared ranks marked. Built once per change of the file
/// by anyone else, updated in place by this handle's own score writes
/// ([`KeptBoards`]); a screen asks for windows of its rows
/// ([`OverallTable::lines`]).
#[derive(Debug, Clone)]
pub struct OverallTable {
    pub division_id: Option<Id>,
    pub columns: Vec<OverallColumn>,
    live: LiveOverall,
    /// Bib and name of every entrant.
    names: HashMap<Entrant, (String, String)>,
}

impl OverallTable {
    /// Rows on the table.
    pub fn len(&self) -> usize {
        self.live.len()
    }

    pub fn is_empty(&self) -> bool {
        self.live.is_empty()
    }

    /// The rows at `range` (clamped), with names and shared ranks marked.
    pub fn lines(&self, range: Range<usize>) -> Vec<OverallLine> {
        let start = range.start.min(self.len());
        self.live
            .rows(range)
            .into_iter()
            .enumerate()
            .map(|(offset, row)| {
                let position = start + offset;
                let shared = |neighbour: Option<usize>| {
                    neighbour.and_then(|at| self.live.rank_at(at)) == Some(row.rank)
                };
                let tied = shared(position.checked_sub(1)) || shared(Some(position + 1));
                let (bib, name) = match self.names.get(&row.entrant) {
                    Some((bib, name)) => (bib.clone(), name.clone()),
                    None => (String::new(), "(removed entrant)".to_string()),
                };
                OverallLine {
                    rank: row.rank,
                    tied,
                    bib,
                    name,
                    total: row.total,
                    cells: row.cells,
                }
            })
            .collect()
    }

    /// Where the entrant with `bib` is listed.
    pub fn position_of_bib(&self, bib: &str) -> Option<usize> {
        (0..self.len()).find(|position| {
            self.live
                .entrant_at(*position)
                .and_then(|entrant| self.names.get(&entrant))
                .is_some_and(|(known, _)| known == bib)
        })
    }

    /// Takes workout `workout_id`'s written rows and who moved (see
    /// [`LiveOverall::apply`]).
    pub fn apply(
        &mut self,
        workout_id: Id,
        written: &[(Entrant, Option<RankedRow>)],
        moved: &[PlaceChange],
    ) {
        self.live.apply(workout_id, written, moved);
    }

    /// [`OverallTable::apply`] with who moved kept compact (see
    /// [`LiveOverall::apply_moves`]); `board` is the workout's board right
    /// after the change.
    pub fn apply_moves(
        &mut self,
        workout_id: Id,
        written: &[(Entrant, Option<RankedRow>)],
        moved: &MovedPlaces,
        board: &LiveBoard,
    ) {
        self.live.apply_moves(workout_id, written, moved, board);
    }
}

/// One workout column of the overall table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OverallColumn {
    pub workout_id: Id,
    pub name: String,
    /// The name, with the team-workouts rule for a team workout
    /// (`Relay (team, not counted)`), from the engine.
    pub heading: String,
}

/// One row of the overall table, with one cell per column (blank cells
/// for workouts the entrant has no place in).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OverallLine {
    pub rank: u32,
    /// The rank is shared with a neighbouring row.
    pub tied: bool,
    pub bib: String,
    pub name: String,
    pub total: i64,
    pub cells: Vec<OverallCell>,
}

/// For each position, whether the rank there is shared with a neighbour.
pub fn tied_flags(ranks: &[Option<u32>]) -> Vec<bool> {
    (0..ranks.len())
        .map(|index| {
            let Some(rank) = ranks[index] else {
                return false;
            };
            let before = index > 0 && ranks[index - 1] == Some(rank);
            let after = index + 1 < ranks.len() && ranks[index + 1] == Some(rank);
            before || after
        })
        .collect()
}

/// The overall table for everyone or one division, built from the file.
pub fn overall_table(
    file: &CompetitionFile,
    division_id: Option<Id>,
) -> UseCaseResult<OverallTable> {
    table_from(file.live_overall(division_id)?, division_id)
}

/// The team overall of a mixed event (teams ranked on their team
/// workouts, the individual workouts not counted for teams:
/// `scoretable_core::overall::team_overall_standings`), built from the file.
pub fn team_overall_table(
    file: &CompetitionFile,
    division_id: Option<Id>,
) -> UseCaseResult<OverallTable> {
    table_from(file.live_team_overall(division_id)?, division_id)
}

fn table_from(
    board: scoretable_store::LiveOverallBoard,
    division_id: Option<Id>,
) -> UseCaseResult<OverallTable> {
    let team_workouts = board.team_workouts;
    let kind = board.table.kind();
    Ok(OverallTable {
        division_id,
        columns: board
            .workouts
            .iter()
            .map(|workout| OverallColumn {
                workout_id: workout.id,
                name: workout.name.clone(),
                heading: scoretable_core::overall::overall_column_heading_for(
                    workout,
                    team_workouts,
                    kind,
                ),
            })
            .collect(),
        live: board.table,
        names: board
            .infos
            .into_iter()
            .map(|info| (info.entrant, (info.bib, info.name)))
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::{tied_flags, EntrantSet};
    use scoretable_core::model::Entrant;

    #[test]
    fn the_entrant_set_counts_each_entrant_once_near_and_far() {
        let mut set = EntrantSet::default();
        let far = EntrantSet::DENSE_IDS + 5;
        for entrant in [
            Entrant::Competitor(1),
            Entrant::Team(1),
            Entrant::Competitor(64),
            Entrant::Competitor(1),
            Entrant::Competitor(far),
            Entrant::Team(64),
            Entrant::Competitor(far),
            Entrant::Team(-3),
            Entrant::Team(1),
            Entrant::Competitor(0),
        ] {
            set.insert(entrant);
        }
        // 1, 64, far and 0 as competitors; 1, 64 and -3 as teams.
        assert_eq!(set.len(), 7);
    }

    #[test]
    fn ties_are_marked_on_every_row_sharing_a_rank() {
        let ranks = [Some(1), Some(2), Some(2), Some(4), None, None];
        assert_eq!(tied_flags(&ranks), [false, true, true, false, false, false]);
        assert_eq!(tied_flags(&[]), Vec::<bool>::new());
        assert_eq!(tied_flags(&[Some(1), Some(1)]), [true, true]);
    }
}
