//! One function per command; each returns the exit code or an error.

use std::process::ExitCode;

use accessaudit_ingest::{IngestError, LoadOptions, Snapshot};
use accessaudit_rules::{Area, Catalog, RulesError};

use crate::cli::{Command, DataArgs, ValidateArgs};

/// Exit code for unusable input or arguments.
pub const EXIT_UNUSABLE: u8 = 2;

/// Why a command could not finish.
#[derive(Debug, thiserror::Error)]
pub enum CommandError {
    /// The snapshot could not be read.
    #[error(transparent)]
    Ingest(#[from] IngestError),
    /// The rules could not be loaded or run.
    #[error(transparent)]
    Rules(#[from] RulesError),
}

/// Runs `command`.
pub fn run(command: Command) -> Result<ExitCode, CommandError> {
    match command {
        Command::Validate(args) => validate(args),
    }
}

fn load(args: &DataArgs) -> Result<Snapshot, IngestError> {
    Snapshot::load(
        &args.data,
        &LoadOptions {
            lenient: args.lenient,
            as_of: args.as_of.clone(),
            period: args.period.clone(),
        },
    )
}

fn validate(args: ValidateArgs) -> Result<ExitCode, CommandError> {
    let snapshot = load(&args.data)?;
    let catalog = Catalog::builtin()?;
    let evaluation = accessaudit_rules::evaluate(&catalog, &snapshot, |r| r.area == Area::Dq)?;
    print!(
        "{}",
        accessaudit_report::text::validation_summary(&snapshot, &evaluation)
    );
    // DQ findings are findings, not failures: the data could be read.
    Ok(ExitCode::SUCCESS)
}
