//! `validate`: load, check every value, run the data-quality rules.

use std::process::ExitCode;

use accessaudit_rules::{Area, Catalog};

use super::{load, pseudonyms, CommandError};
use crate::cli::ValidateArgs;

/// Runs `validate`.
pub(super) fn run(args: ValidateArgs) -> Result<ExitCode, CommandError> {
    let pseudonyms = pseudonyms(&args.subjects)?;
    let snapshot = load(&args.data)?;
    let catalog = Catalog::builtin()?;
    let evaluation =
        accessaudit_rules::evaluate(&catalog, &snapshot, &pseudonyms, |r| r.area == Area::Dq)?;
    print!(
        "{}",
        accessaudit_report::text::validation_summary(&snapshot, &evaluation)
    );
    // DQ findings are findings, not failures: the data could be read.
    Ok(ExitCode::SUCCESS)
}
