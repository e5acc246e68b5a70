//! What the shell adds to the session's kept boards (crate
//! `scoretable-usecase`: the workout boards and overall tables, kept until
//! the file changes): handing freed memory back after a board is built.

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
