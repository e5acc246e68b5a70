//! Stand-in platforms.
