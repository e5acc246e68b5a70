//! The Scoretable command line as a library: argument grammar, commands and
//! output. The `scoretable` binary is a thin `main` over [`run_main`]. The
//! workflows themselves live in `scoretable_usecase`.

pub mod args;
pub mod commands;
pub mod context;
pub mod convert;
pub mod error;
pub mod export_cmd;
pub mod inbound_cmd;
pub mod options;
pub mod output;
pub mod sync_cmd;
pub mod table;

use std::io::Write;

use clap::Parser;

use crate::error::{CliError, ErrorKind};

/// Parses the process arguments, runs the command, prints its output and
/// returns the process exit code.
pub fn run_main() -> i32 {
    let cli = match args::Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => return report_usage_error(error),
    };
    let json = cli.json;
    if let Some(path) = &cli.log_file {
        if let Err(message) = start_log(path) {
            let error = CliError {
                kind: ErrorKind::Io,
                message,
                problems: Vec::new(),
            };
            eprintln!("{}", error.render_text());
            return error.exit_code();
        }
    }
    let command = command_name(&cli.command);
    tracing::info!(command = %command, "command started");
    let result = commands::run(&cli);
    match &result {
        Ok(_) => tracing::info!(command = %command, exit_code = 0, "command finished"),
        Err(error) => tracing::warn!(
            command = %command,
            exit_code = error.exit_code(),
            error = %error.message,
            "command failed"
        ),
    }
    match result {
        Ok(output) => {
            let mut stdout = std::io::stdout().lock();
            let written = if json {
                writeln!(stdout, "{}", output.json)
            } else {
                write!(stdout, "{}", output::escape_for_terminal(&output.text))
            };
            match written.and_then(|()| stdout.flush()) {
                Ok(()) => 0,
                // A closed pipe (`scoretable ... | head`) is not an error.
                Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => 0,
                Err(error) => {
                    eprintln!("error: cannot write output: {error}");
                    1
                }
            }
        }
        Err(error) => {
            if json {
                eprintln!("{}", error.render_json());
            } else {
                eprintln!("{}", output::escape_for_terminal(&error.render_text()));
            }
            error.exit_code()
        }
    }
}

/// Help and version go to stdout as clap prints them; a usage error is
/// printed by clap, or as a JSON error document when `--json` was given.
fn report_usage_error(error: clap::Error) -> i32 {
    use clap::error::ErrorKind as ClapKind;
    if matches!(
        error.kind(),
        ClapKind::DisplayHelp
            | ClapKind::DisplayVersion
            | ClapKind::DisplayHelpOnMissingArgumentOrSubcommand
    ) {
        let _ = error.print();
        return if error.kind() == ClapKind::DisplayHelpOnMissingArgumentOrSubcommand {
            2
        } else {
            0
        };
    }
    if std::env::args().any(|argument| argument == "--json") {
        let message = error
            .render()
            .to_string()
            .lines()
            .next()
            .unwrap_or_default()
            .trim_start_matches("error: ")
            .to_string();
        let error = CliError {
            kind: ErrorKind::Usage,
            message,
            problems: Vec::new(),
        };
        eprintln!("{}", error.render_json());
        return error.exit_code();
    }
    let _ = error.print();
    2
}

/// Starts the structured log: JSON lines appended to `path`.
fn start_log(path: &std::path::Path) -> Result<(), String> {
    let file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(|error| format!("cannot open the log file {}: {error}", path.display()))?;
    tracing_subscriber::fmt()
        .json()
        .with_writer(std::sync::Mutex::new(file))
        .with_target(true)
        .with_current_span(false)
        .with_span_list(false)
        .try_init()
        .map_err(|error| format!("cannot start the log {}: {error}", path.display()))
}

/// The command's name for the log (`Score`, `Export`), never its
/// arguments: those may hold a secret or a personal detail.
fn command_name(command: &args::Command) -> String {
    let debug = format!("{command:?}");
    debug
        .split(|character: char| !character.is_ascii_alphanumeric())
        .next()
        .unwrap_or_default()
        .to_string()
}
