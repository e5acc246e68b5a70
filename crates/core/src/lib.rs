//! Scoretable's domain core: the competition model and the scoring engine.
//!
//! Everything here is pure: no SQL, no network, no Tauri. The store persists
//! these types and the engine functions rank them.

pub mod model;
