//! The kill -9 harness the crash tests share: a child process (the CLI, or
//! the test binary re-running one of its own tests) is stopped at a named
//! failpoint or killed with SIGKILL at a random moment; the test then opens
//! the file and checks that nothing acknowledged was lost.
//!
//! Failpoints are read from [`FAILPOINT`]; with [`FAILPOINT_ACTION`] `hang`
//! the process reports `failpoint <name> reached` on stderr and waits to be
//! killed (the store's inbound failpoints), otherwise it aborts itself
//! (the sync engine's).

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The variable naming the failpoint a child stops at.
pub const FAILPOINT: &str = "SCORETABLE_FAILPOINT";
/// `hang`: wait at the failpoint to be killed instead of aborting.
pub const FAILPOINT_ACTION: &str = "SCORETABLE_FAILPOINT_ACTION";

/// The full name of test `name` in the module whose `module_path!()` is
/// `module`: in an integration-test binary `it::bad_day` gives
/// `bad_day::name` (the crate name is not part of a test's name).
pub fn test_path(module: &str, name: &str) -> String {
    match module.split_once("::") {
        Some((_, rest)) => format!("{rest}::{name}"),
        None => name.to_string(),
    }
}

/// The current test binary running only test `name` of `module` (pass
/// `module_path!()`), one thread, output shown: a test's child process.
pub fn this_test(module: &str, name: &str) -> Command {
    let mut command = Command::new(std::env::current_exe().expect("the test binary"));
    command.args([
        "--exact",
        &test_path(module, name),
        "--nocapture",
        "--test-threads=1",
    ]);
    command
}

/// Runs `command` with `failpoint` set to hang, reads its stderr until it
/// says the failpoint is reached, and kills it there with SIGKILL, while
/// its write is open. Returns whether the failpoint was reached; a child
/// that never reached it must have finished successfully (its stderr is in
/// the panic message otherwise).
pub fn kill_at_failpoint(mut command: Command, failpoint: &str) -> bool {
    let mut child = command
        .env(FAILPOINT, failpoint)
        .env(FAILPOINT_ACTION, "hang")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the child starts");
    let stderr = BufReader::new(child.stderr.take().expect("piped stderr"));
    let reached_line = format!("failpoint {failpoint} reached");
    let mut reached = false;
    let mut seen = Vec::new();
    for line in stderr.lines() {
        let line = line.expect("the child's stderr");
        if line == reached_line {
            reached = true;
            child.kill().expect("SIGKILL");
            break;
        }
        seen.push(line);
    }
    let status = child.wait().expect("the child ends");
    if reached {
        use std::os::unix::process::ExitStatusExt;
        assert_eq!(status.signal(), Some(9), "{status:?}");
    } else {
        assert!(status.success(), "the child failed: {}", seen.join("\n"));
    }
    reached
}

/// How a child run by [`run_or_kill`] ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    /// It exited (finished, or aborted itself at a failpoint).
    Exited,
    /// It was still running and got SIGKILL.
    Killed,
}

/// Lets `child` run until it exits or `limit` passes, then sends SIGKILL.
pub fn run_or_kill(child: &mut Child, limit: Duration) -> Ending {
    let deadline = Instant::now() + limit;
    loop {
        if child.try_wait().expect("the child's status").is_some() {
            return Ending::Exited;
        }
        if Instant::now() > deadline {
            // It may have exited since the check: then the kill is a no-op.
            let _ = child.kill();
            child.wait().expect("the child ends");
            return Ending::Killed;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
}

/// Sends `child` SIGKILL after `delay` (a no-op if it already finished)
/// and reaps it.
pub fn kill_after(mut child: Child, delay: Duration) {
    std::thread::sleep(delay);
    let _ = child.kill();
    child.wait().expect("the child ends");
}
