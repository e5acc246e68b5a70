//! The use-case crate's integration tests (the workflows both shells call,
//! and the session of a long-running process).
//!
//! One integration-test binary for the crate; each file below is one
//! module, so a test's name is `<file>::<test>`, e.g.
//! `cargo test -p scoretable-usecase --test it session::`.

mod mappings;
mod overall;
mod poll_boards;
mod session;
mod status;
mod workflows;
