//! What the shell adds to the session's kept boards (crate
//! `scoretable-usecase`: the workout boards and overall tables, kept until
//! the file changes): handing freed memory back after a board is built, and
//! the window of rows one page shows.

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

    #[test]
    fn windows_are_clamped_to_the_board() {
        let rows: Vec<u32> = (0..10).collect();
        assert_eq!(window(&rows, 0, 3), vec![0, 1, 2]);
        assert_eq!(window(&rows, 8, 5), vec![8, 9]);
        assert_eq!(window(&rows, 20, 5), Vec::<u32>::new());
        assert_eq!(window(&rows, 5, u32::MAX), vec![5, 6, 7, 8, 9]);
    }
}
