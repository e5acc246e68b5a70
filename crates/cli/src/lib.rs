//! The Scoretable command line as a library: argument grammar, commands and
//! output. The `scoretable` binary is a thin `main` over [`run_main`]; the
//! benchmark harness reuses [`generated`] to write large events.

pub mod args;
pub mod commands;
pub mod context;
pub mod convert;
pub mod error;
pub mod generated;
pub mod options;
pub mod output;
pub mod table;

use std::io::Write;

use clap::Parser;

/// Parses the process arguments, runs the command, prints its output and
/// returns the process exit code.
pub fn run_main() -> i32 {
    let cli = args::Cli::parse();
    let json = cli.json;
    match commands::run(&cli) {
        Ok(output) => {
            let mut stdout = std::io::stdout().lock();
            let written = if json {
                writeln!(stdout, "{}", output.json)
            } else {
                write!(stdout, "{}", output.text)
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
                eprintln!("{}", error.render_text());
            }
            error.exit_code()
        }
    }
}
