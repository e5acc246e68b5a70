//! Scoretable's domain core: the competition model and the scoring engine.
//!
//! Everything here is pure: no SQL, no network, no Tauri. The store persists
//! these types and the engine functions rank them.
//!
//! - [`model`]: the shared competition model.
//! - [`time`]: time parsing, formatting and rounding.
//! - [`score`]: score and status parsing and formatting.
//! - [`ranking`]: ranking one workout, with divisions and splits.
//! - [`overall`]: the overall leaderboard across workouts.
//! - [`teams`]: team results from member results.
//! - [`explain`]: sentences saying why one entrant ranks above another.
//! - [`import`]: competitor and score CSV import.
//! - [`generate`]: deterministic generated events for benchmarks and the demo.

pub mod explain;
mod fast_hash;
pub mod generate;
pub mod import;
pub mod model;
pub mod overall;
pub mod ranking;
pub mod score;
pub mod teams;
pub mod time;

pub use score::ValueError;
