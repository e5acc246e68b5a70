//! Test support for Scoretable's crates. It is a dev-dependency only: no
//! production crate depends on it, so no test server ships in the app or
//! the CLI (`cargo tree -p scoretable-sync -e normal` does not list it).
//!
//! - [`http`]: the one HTTP server of the tests ([`http::HttpServer`], any
//!   closure or [`http::Handler`] answers; replies, lost answers, late
//!   answers and resets) and the scripted timing feed
//!   ([`http::ScriptedServer`]).
//! - [`standin`]: the stand-in platforms built from the seeds, as strict as
//!   the platforms and injecting faults.
//! - [`crash`]: the kill -9 harness: children stopped at failpoints or
//!   killed at random moments, and a test re-running itself as a child.
//! - [`fixtures`]: small builders for the model values every crate's tests
//!   need (a competition, a workout, a timing point, a start-list row).

pub mod crash;
pub mod fixtures;
pub mod http;
pub mod standin;
