//! The sync crate's integration tests (adapters against the stand-ins, the worker, secrets).
//!
//! One integration-test binary for the crate (each extra binary links
//! SQLite and the crate again); each file below is one module, so a
//! test's name is `<file>::<test>`, e.g. `cargo test -p scoretable-sync --test it event_size::`.

mod support;

mod event_size;
mod keyring;
mod live_timing;
mod opentrack_and_virtual;
mod runsignup;
mod runsignup_strict;
mod secrets_and_retry;
mod worker;
