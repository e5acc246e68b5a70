//! The export crate's integration tests.
//!
//! One integration-test binary for the crate (each extra binary links
//! SQLite and the crate again); each file below is one module, so a
//! test's name is `<file>::<test>`, e.g. `cargo test -p scoretable-export --test it archive::`.

mod common;

mod archive;
mod awards;
mod exports;
mod file_names;
mod generated;
mod golden;
mod pdf;
mod store;
