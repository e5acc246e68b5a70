//! The overall-table cache of the open competition.
//!
//! Workout boards are the session's `KeptBoards` (crate `scoretable-usecase`:
//! one `LiveBoard` per workout, every division with it, updated in place
//! by the app's own score writes). The overall table is built here once
//! (ranked by the store, names attached, ties marked) and kept, and the UI
//! asks for the window of rows it shows.
//!
//! A table stays valid while the store's [`ChangeStamp`] stays the same;
//! any change drops it (it is rebuilt when next shown). The cache's
//! generation goes up with each change; together with the workout boards'
//! generation it is the `stamp` the UI sees, so pages of one ranking share
//! it and a newer ranking always has a larger one. Only a few tables are
//! kept, the most recently used.

use std::sync::Arc;

use scoretable_store::ChangeStamp;

use crate::dto::OverallView;

/// How many boards (workout or overall, per division) are kept at once.
pub const BOARDS_KEPT: usize = 4;

/// Which board: the overall table, for everyone or one division.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BoardKey {
    Overall { division_id: Option<i64> },
}

/// A built board, of which the UI fetches windows.
#[derive(Clone)]
pub enum Board {
    Overall(OverallView),
}

/// The session's cache of boards, keyed by the store's change stamp.
pub type SessionBoards = BoardCache<ChangeStamp, Board>;

/// The cache. `Stamp` is the store's change stamp (generic so the cache's
/// rules can be tested without a file).
pub struct BoardCache<Stamp, Board> {
    last_stamp: Option<Stamp>,
    generation: u64,
    /// Most recently used first, at most [`BOARDS_KEPT`].
    boards: Vec<(BoardKey, Arc<Board>)>,
}

impl<Stamp, Board> Default for BoardCache<Stamp, Board> {
    fn default() -> Self {
        BoardCache {
            last_stamp: None,
            generation: 0,
            boards: Vec::new(),
        }
    }
}

impl<Stamp: PartialEq + Copy, Board> BoardCache<Stamp, Board> {
    /// Records the store's current stamp: when it differs from the last one
    /// seen, every board is dropped and the generation moves on. Returns the
    /// generation the boards now belong to.
    pub fn observe(&mut self, stamp: Stamp) -> u64 {
        if self.last_stamp != Some(stamp) {
            self.last_stamp = Some(stamp);
            self.generation += 1;
            self.boards.clear();
        }
        self.generation
    }

    /// Forgets every board (the file was closed or another one opened).
    /// The generation keeps counting, so no old page can pass for a new one.
    pub fn clear(&mut self) {
        self.last_stamp = None;
        self.boards.clear();
    }

    /// The board for `key` in the current generation, built by `build` when
    /// it is not kept. Call [`BoardCache::observe`] first.
    pub fn board<Error>(
        &mut self,
        key: BoardKey,
        build: impl FnOnce() -> Result<Board, Error>,
    ) -> Result<Arc<Board>, Error> {
        if let Some(position) = self.boards.iter().position(|(kept, _)| *kept == key) {
            let entry = self.boards.remove(position);
            let board = entry.1.clone();
            self.boards.insert(0, entry);
            return Ok(board);
        }
        let board = Arc::new(build()?);
        self.boards.insert(0, (key, board.clone()));
        self.boards.truncate(BOARDS_KEPT);
        Ok(board)
    }

    /// How many boards are kept now.
    #[cfg(test)]
    pub fn kept(&self) -> usize {
        self.boards.len()
    }
}

/// Hands freed heap memory back to the operating system. Building a
/// 60,000-row board allocates well over a hundred megabytes of short-lived
/// rows (stored results, ranked rows, names); glibc keeps freed memory in
/// its per-thread arenas, so without this the app's resident memory grows by
/// that much with every board built on another thread of the pool.
pub fn release_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: `malloc_trim` only returns whole free pages of the allocator's
    // arenas to the kernel; it moves and frees no live allocation.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// The window `offset..offset + limit` of `rows`, clamped to the board.
pub fn window<Row: Clone>(rows: &[Row], offset: u32, limit: u32) -> Vec<Row> {
    let start = (offset as usize).min(rows.len());
    let end = start.saturating_add(limit as usize).min(rows.len());
    rows[start..end].to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn workout(workout_id: i64) -> BoardKey {
        BoardKey::Overall {
            division_id: Some(workout_id),
        }
    }

    #[test]
    fn a_board_is_built_once_per_stamp() {
        let mut cache: BoardCache<u32, String> = BoardCache::default();
        let builds = std::cell::Cell::new(0);
        let build = |label: &str| -> Result<String, ()> {
            builds.set(builds.get() + 1);
            Ok(label.to_string())
        };
        assert_eq!(cache.observe(7), 1);
        assert_eq!(*cache.board(workout(1), || build("a")).unwrap(), "a");
        assert_eq!(cache.observe(7), 1);
        assert_eq!(*cache.board(workout(1), || build("b")).unwrap(), "a");
        assert_eq!(builds.get(), 1, "the same stamp reuses the board");
        // A write: the stamp changes, the generation moves on, the board is rebuilt.
        assert_eq!(cache.observe(8), 2);
        assert_eq!(*cache.board(workout(1), || build("c")).unwrap(), "c");
        assert_eq!(builds.get(), 2);
    }

    #[test]
    fn only_the_most_recently_used_boards_are_kept() {
        let mut cache: BoardCache<u32, i64> = BoardCache::default();
        cache.observe(1);
        for id in 0..10 {
            cache.board(workout(id), || Ok::<_, ()>(id)).unwrap();
        }
        assert_eq!(cache.kept(), BOARDS_KEPT);
        // The oldest are gone: asking again builds.
        let mut rebuilt = false;
        cache
            .board(workout(0), || {
                rebuilt = true;
                Ok::<_, ()>(0)
            })
            .unwrap();
        assert!(rebuilt);
        // The newest is kept, and divisions and the overall table are boards of their own.
        cache
            .board(workout(9), || -> Result<i64, ()> {
                panic!("workout 9 is kept")
            })
            .unwrap();
        let overall = cache
            .board(BoardKey::Overall { division_id: None }, || Ok::<_, ()>(-1))
            .unwrap();
        assert_eq!(*overall, -1);
        let division = cache.board(workout(93), || Ok::<_, ()>(93)).unwrap();
        assert_eq!(*division, 93);
    }

    #[test]
    fn a_failed_build_keeps_nothing_and_clear_forgets_without_reusing_generations() {
        let mut cache: BoardCache<u32, i64> = BoardCache::default();
        cache.observe(1);
        assert!(cache.board(workout(1), || Err("no such workout")).is_err());
        assert_eq!(cache.kept(), 0);
        cache.board(workout(1), || Ok::<_, ()>(1)).unwrap();
        cache.clear();
        assert_eq!(cache.kept(), 0);
        // The same stamp after a clear (another file opened) is a new generation.
        assert_eq!(cache.observe(1), 2);
    }

    #[test]
    fn windows_are_clamped_to_the_board() {
        let rows: Vec<u32> = (0..10).collect();
        assert_eq!(window(&rows, 0, 3), vec![0, 1, 2]);
        assert_eq!(window(&rows, 8, 5), vec![8, 9]);
        assert_eq!(window(&rows, 20, 5), Vec::<u32>::new());
        assert_eq!(window(&rows, 5, u32::MAX), vec![5, 6, 7, 8, 9]);
    }
}
