//! The inbound crate's integration tests (file imports, polling, properties, the kill -9 harness).
//!
//! One integration-test binary for the crate (each extra binary links
//! SQLite and the crate again); each file below is one module, so a
//! test's name is `<file>::<test>`, e.g. `cargo test -p scoretable-inbound --test it crash::`.

mod support;

mod crash;
mod file_imports;
mod polling;
mod properties;
