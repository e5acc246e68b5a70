//! The store's integration tests.
//!
//! One integration-test binary for the crate (each extra binary links
//! SQLite and the crate again); each file below is one module, so a
//! test's name is `<file>::<test>`, e.g. `cargo test -p scoretable-store --test it bad_day::`.

mod common;

mod bad_day;
mod boards;
mod competitors;
mod durability;
mod entrants;
mod ledger;
mod live_timing;
mod moves;
mod properties;
mod protection;
mod read_commands;
mod scoring;
mod statements;
