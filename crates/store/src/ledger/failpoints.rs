//! Failpoints of the inbound writes, for the kill -9 tests.

/// Failpoints of the inbound writes, for the crash harness: with
/// `SCORETABLE_FAILPOINT=<name>` the process stops there (see [`failpoint`]).
pub const FAILPOINT_APPLY_AFTER_RESULTS: &str = "inbound_apply_after_results";
/// After the first ledger row of an apply is written.
pub const FAILPOINT_APPLY_AFTER_LEDGER_ROW: &str = "inbound_apply_after_ledger_row";
/// After a conflict of an apply is written (opened, refreshed or superseded).
pub const FAILPOINT_APPLY_AFTER_CONFLICT: &str = "inbound_apply_after_conflict";
/// After a review item of an apply is written.
pub const FAILPOINT_APPLY_AFTER_REVIEW: &str = "inbound_apply_after_review";
/// Every write of an apply done, before the commit.
pub const FAILPOINT_APPLY_BEFORE_COMMIT: &str = "inbound_apply_before_commit";
/// After an apply's commit (before a poll stores its health).
pub const FAILPOINT_APPLY_AFTER_COMMIT: &str = "inbound_apply_after_commit";
/// After accepting a conflict amended the result.
pub const FAILPOINT_ACCEPT_AFTER_AMEND: &str = "inbound_accept_after_amend";
/// After accepting a conflict marked it accepted.
pub const FAILPOINT_ACCEPT_AFTER_CONFLICT: &str = "inbound_accept_after_conflict";
/// Every write of an accept done, before the commit.
pub const FAILPOINT_ACCEPT_BEFORE_COMMIT: &str = "inbound_accept_before_commit";
/// After assigning a review item, before its record is imported.
pub const FAILPOINT_ASSIGN_AFTER_REVIEW: &str = "inbound_assign_after_review";

/// Every inbound failpoint, in the order an apply meets them.
pub const INBOUND_FAILPOINTS: [&str; 10] = [
    FAILPOINT_APPLY_AFTER_RESULTS,
    FAILPOINT_APPLY_AFTER_LEDGER_ROW,
    FAILPOINT_APPLY_AFTER_CONFLICT,
    FAILPOINT_APPLY_AFTER_REVIEW,
    FAILPOINT_APPLY_BEFORE_COMMIT,
    FAILPOINT_APPLY_AFTER_COMMIT,
    FAILPOINT_ACCEPT_AFTER_AMEND,
    FAILPOINT_ACCEPT_AFTER_CONFLICT,
    FAILPOINT_ACCEPT_BEFORE_COMMIT,
    FAILPOINT_ASSIGN_AFTER_REVIEW,
];

/// Stops the process at a named point when `SCORETABLE_FAILPOINT` names it:
/// prints `failpoint <name> reached` on stderr, then aborts, or, with
/// `SCORETABLE_FAILPOINT_ACTION=hang`, waits to be killed (the kill -9
/// harness sends SIGKILL once it reads the line). Costs one cached lookup
/// when unset.
pub fn failpoint(name: &str) {
    static CHOSEN: std::sync::OnceLock<Option<String>> = std::sync::OnceLock::new();
    let chosen = CHOSEN.get_or_init(|| std::env::var("SCORETABLE_FAILPOINT").ok());
    if chosen.as_deref() != Some(name) {
        return;
    }
    use std::io::Write;
    let mut stderr = std::io::stderr().lock();
    let _ = writeln!(stderr, "failpoint {name} reached");
    let _ = stderr.flush();
    if std::env::var("SCORETABLE_FAILPOINT_ACTION").as_deref() == Ok("hang") {
        loop {
            std::thread::sleep(std::time::Duration::from_secs(60));
        }
    }
    std::process::abort();
}
