//! One module per command; each returns the exit code or an error.

mod audit;
mod generate;
mod review;
mod rules;
mod rules_new;
mod snapshot;
mod subject_report;
mod validate;

use std::path::Path;
use std::process::ExitCode;

use accessaudit_ingest::{IngestError, LoadOptions, Snapshot};
use accessaudit_report::output::OutputError;
use accessaudit_rules::pseudonym::{self, KeyError, Pseudonymizer};
use accessaudit_rules::{Catalog, RulesError};

use crate::cli::{CatalogArgs, Command, DataArgs, ReviewCommand, RulesCommand, SubjectArgs};

/// Exit code for unusable input or arguments.
pub(crate) const EXIT_UNUSABLE: u8 = 2;

/// Exit code for findings at or above `--fail-on`, or failed rule fixtures.
pub(crate) const EXIT_FINDINGS: u8 = 1;

/// Why a command could not finish.
#[derive(Debug, thiserror::Error)]
pub(crate) enum CommandError {
    /// The snapshot could not be read.
    #[error(transparent)]
    Ingest(#[from] IngestError),
    /// The rules could not be loaded or run.
    #[error(transparent)]
    Rules(#[from] RulesError),
    /// A stage of the review (worksheets, figures, subject report) failed.
    #[error(transparent)]
    Review(#[from] accessaudit_review::ReviewError),
    /// The outputs could not be written.
    #[error("cannot write the outputs: {0}")]
    Output(#[from] OutputError),
    /// A file named on the command line cannot be read.
    #[error("{path}: {source}")]
    Read {
        /// The file.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The baseline cannot be read.
    #[error(transparent)]
    Baseline(#[from] accessaudit_review::baseline::BaselineError),
    /// No pseudonym key could be had.
    #[error(transparent)]
    Key(#[from] KeyError),
    /// The review history cannot be read or written.
    #[error(transparent)]
    History(#[from] accessaudit_review::history::HistoryError),
    /// Returned worksheets could not be imported.
    #[error(transparent)]
    Import(#[from] accessaudit_review::import::ImportError),
    /// The synthetic snapshot could not be written.
    #[error(transparent)]
    Generate(#[from] accessaudit_generate::GenerateError),
    /// The snapshot could not be taken.
    #[error(transparent)]
    Snapshot(#[from] accessaudit_snapshot::SnapshotError),
    /// An argument has a value the command cannot use.
    #[error("{0}")]
    Usage(String),
}

/// Runs `command`.
pub(crate) fn run(command: Command) -> Result<ExitCode, CommandError> {
    match command {
        Command::Audit(args) => audit::run(args),
        Command::Validate(args) => validate::run(args),
        Command::SubjectReport(args) => subject_report::run(args),
        Command::Generate(args) => generate::run(&args),
        Command::Snapshot(args) => snapshot::run(&args),
        Command::History(args) => review::history(&args),
        Command::Review { command } => match command {
            ReviewCommand::Import { history, files } => review::import(&history, &files),
            ReviewCommand::Verify { history } => review::verify(&history),
        },
        Command::Rules { command } => match command {
            RulesCommand::List { catalog } => rules::list(&catalog),
            RulesCommand::Show { id, catalog } => rules::show(&id, &catalog),
            RulesCommand::Doc { catalog } => rules::doc(&catalog),
            RulesCommand::Test {
                fixtures,
                only,
                catalog,
            } => rules::test(&fixtures, &only, &catalog),
            RulesCommand::New {
                id,
                kind: _,
                rules,
                fixtures,
            } => rules_new::new(&id, &rules, &fixtures),
        },
    }
}

/// Loads the snapshot the data arguments name.
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

/// The catalogue in force: built-in or `--rules DIR`, then `--policy FILE`.
fn catalog(args: &CatalogArgs) -> Result<Catalog, CommandError> {
    let catalog = match &args.rules {
        Some(dir) => Catalog::load_dir(dir)?,
        None => Catalog::builtin()?,
    };
    match &args.policy {
        Some(path) => {
            let text = read(path)?;
            Ok(catalog.with_policy(&path.display().to_string(), &text)?)
        }
        None => Ok(catalog),
    }
}

/// The pseudonymizer the subject arguments ask for.
fn pseudonyms(args: &SubjectArgs) -> Result<Pseudonymizer, CommandError> {
    let key = pseudonym::load_key(args.pseudonym_key.as_deref())?;
    Ok(Pseudonymizer::new(key, args.reveal_subjects))
}

pub(crate) fn read(path: &Path) -> Result<String, CommandError> {
    std::fs::read_to_string(path).map_err(|source| CommandError::Read {
        path: path.display().to_string(),
        source,
    })
}
