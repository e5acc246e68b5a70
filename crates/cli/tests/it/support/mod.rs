//! The test harness the CLI's end-to-end tests share: a temporary
//! directory with one competition file, and helpers that run the real
//! `scoretable` binary on it and check its exit code, output and JSON.
//!
//! Declared once in `tests/it/main.rs`; each test module brings it in with
//! `use crate::support;`.
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::{Command, Output};

use serde_json::Value;

/// A temporary directory with one competition file in it.
pub struct Session {
    pub directory: tempfile::TempDir,
    pub file: PathBuf,
    /// `SCORETABLE_OPERATOR` for every command; unset when `None`.
    pub operator: Option<String>,
}

impl Session {
    pub fn new() -> Session {
        let directory = tempfile::tempdir().unwrap();
        let file = directory.path().join("competition.scoretable");
        Session {
            directory,
            file,
            operator: None,
        }
    }

    /// A session whose commands run as `operator` (`SCORETABLE_OPERATOR`).
    pub fn with_operator(operator: &str) -> Session {
        Session {
            operator: Some(operator.to_string()),
            ..Session::new()
        }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.directory.path().join(name)
    }

    pub fn write(&self, name: &str, contents: &str) -> PathBuf {
        let path = self.path(name);
        std::fs::write(&path, contents).unwrap();
        path
    }

    pub fn run(&self, arguments: &[&str]) -> Output {
        let mut command = Command::new(env!("CARGO_BIN_EXE_scoretable"));
        command.env_remove("SCORETABLE_OPERATOR");
        if let Some(operator) = &self.operator {
            command.env("SCORETABLE_OPERATOR", operator);
        }
        command
            .current_dir(self.directory.path())
            .env_remove("SCORETABLE_FILE")
            .arg("--file")
            .arg(&self.file)
            .args(arguments)
            .output()
            .unwrap()
    }

    /// Runs a command that must succeed and returns its stdout.
    pub fn ok(&self, arguments: &[&str]) -> String {
        let output = self.run(arguments);
        assert!(
            output.status.success(),
            "scoretable {arguments:?} failed with {:?}\nstdout: {}\nstderr: {}",
            output.status.code(),
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).unwrap()
    }

    /// Runs a command with `--json` that must succeed and parses its stdout.
    pub fn json(&self, arguments: &[&str]) -> Value {
        let mut with_json = vec!["--json"];
        with_json.extend_from_slice(arguments);
        let text = self.ok(&with_json);
        serde_json::from_str(&text)
            .unwrap_or_else(|error| panic!("{arguments:?} printed invalid JSON ({error}): {text}"))
    }

    /// Runs a command that must fail; returns the exit code and stderr.
    pub fn fail(&self, arguments: &[&str]) -> (i32, String) {
        let output = self.run(arguments);
        assert!(
            !output.status.success(),
            "scoretable {arguments:?} should have failed\nstdout: {}",
            String::from_utf8_lossy(&output.stdout)
        );
        (
            output.status.code().unwrap_or(-1),
            String::from_utf8(output.stderr).unwrap(),
        )
    }

    /// Runs a failing command with `--json` and parses the error document.
    pub fn fail_json(&self, arguments: &[&str]) -> (i32, Value) {
        let mut with_json = vec!["--json"];
        with_json.extend_from_slice(arguments);
        let (code, stderr) = self.fail(&with_json);
        let value: Value = serde_json::from_str(stderr.trim())
            .unwrap_or_else(|error| panic!("stderr is not JSON ({error}): {stderr}"));
        (code, value)
    }
}
