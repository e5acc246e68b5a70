//! The CLI's end-to-end tests, through the real `scoretable` binary.
//!
//! One integration-test binary for the crate (each extra binary links
//! SQLite and the crate again); each file below is one module, so a
//! test's name is `<file>::<test>`, e.g. `cargo test -p scoretable-cli --test it bad_day::`.

mod support;

mod bad_day;
mod cli;
mod export;
mod inbound;
mod sync_cli;
mod sync_crash;
