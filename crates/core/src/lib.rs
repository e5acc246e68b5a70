//! Scoretable's domain core: the competition model and the scoring engine.
//!
//! Everything here is pure: no SQL, no network, no Tauri. The store persists
//! these types and the engine functions rank them.
//!
//! - [`model`]: the shared competition model.
//! - [`time`]: time parsing, formatting and rounding.
//! - [`score`]: score and status parsing and formatting.
//! - [`ranking`]: ranking one workout, with divisions and splits.
//! - [`board`]: a ranked board kept in memory, updated one result at a time.
//! - [`moves`]: who moves when one result changes, and one entrant's place,
//!   without ranking the workout.
//! - [`overall`]: the overall leaderboard across workouts.
//! - [`live_overall`]: the overall table kept in memory, updated one
//!   workout change at a time.
//! - [`teams`]: team results from member results.
//! - [`explain`]: sentences saying why one entrant ranks above another.
//! - [`import`]: competitor and score CSV import.
//! - [`generate`]: deterministic generated events for benchmarks and the demo.
//!
//! # Scoring rules in brief
//!
//! The full rules are in each module's documentation; this is the summary.
//!
//! - **Units.** Times are integer milliseconds, loads grams (1 lb =
//!   453.59237 g, rounded to the nearest gram), distances millimetres, points
//!   thousandths. No float is used anywhere in ranking.
//! - **Precision.** A time has its penalty added and is then reduced to the
//!   workout's [`Rounding`](model::Rounding) before it is ranked and shown;
//!   `Up { unit_ms: 1000 }` is World Triathlon's "round up to the next full
//!   second".
//! - **Direction.** Time: lower is better. Time-capped: finishers by time,
//!   then capped athletes by reps, more is better, shown `CAP+reps`.
//!   Rounds+reps: total reps when reps per round is known, else rounds then
//!   reps. Reps, load, distance, points: higher is better.
//! - **Statuses** rank after every valid result, in the order LAP, NC, DNF,
//!   DNQ, WD, DSQ, DNS, unplaced. `DQ` and `DSQ` are the same status.
//! - **Ties.** A tie-break time (lower is better) separates equal scores when
//!   the workout uses one; remaining ties share a place, 1, 2, 2, 4. Rows are
//!   listed among equals by bib (numeric-aware), then entrant id.
//! - **Partial team results** (members still missing) are placed after the
//!   complete results of their kind.
//! - **Overall.** Rank sum (lower is better; no place counts as one more
//!   than the number placed), points table (default 100, 95, ... 5 for places 1 to 20, then 0; no
//!   place earns 0; tied athletes share the shared place's points), or
//!   cumulative (one score family only). Overall ties: best finishes, a chosen
//!   workout, or left equal.
//! - **Teams.** One chip per team passes through; sum of all members, or of
//!   the best N, is partial until enough members have valid scores; a team
//!   gets a status only when it can no longer complete.

pub mod board;
pub mod codec;
pub mod divisions;
pub mod explain;
pub mod fast_hash;
pub mod generate;
pub mod import;
pub mod live_overall;
pub mod model;
pub mod moves;
pub mod naming;
pub mod overall;
pub mod ranking;
pub mod runsignup;
pub mod score;
pub mod teams;
pub mod text;
pub mod time;

pub use score::ValueError;
