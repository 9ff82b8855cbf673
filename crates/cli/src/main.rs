//! The `accessaudit` binary: parses the command line, runs a command, and
//! turns errors into messages and exit codes (0 done, 1 findings at or above
//! `--fail-on`, 2 unusable input or arguments).

mod cli;
mod commands;
mod meter;
mod progress;

use std::process::ExitCode;

use clap::Parser;
use tracing_subscriber::EnvFilter;

fn init_logging(args: &cli::Cli) {
    let default = match (args.quiet, args.verbose) {
        (true, _) => "error",
        (false, 0) => "warn",
        (false, 1) => "info",
        (false, _) => "debug",
    };
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .init();
}

/// Stack for the thread that runs the command: Polars' query planning
/// recurses deeply on the audit's plans, more so in debug builds.
const STACK_BYTES: usize = 256 * 1024 * 1024;

fn main() -> ExitCode {
    let args = cli::Cli::parse();
    init_logging(&args);
    let worker = std::thread::Builder::new()
        .name("accessaudit".into())
        .stack_size(STACK_BYTES)
        .spawn(move || commands::run(args.command));
    let result = match worker {
        Ok(handle) => match handle.join() {
            Ok(result) => result,
            Err(_) => {
                eprintln!("error: internal error (the command panicked); please report it");
                return ExitCode::from(commands::EXIT_UNUSABLE);
            }
        },
        Err(e) => {
            eprintln!("error: cannot start the worker thread: {e}");
            return ExitCode::from(commands::EXIT_UNUSABLE);
        }
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(commands::EXIT_UNUSABLE)
        }
    }
}
