//! `audit`: load, run every rule, write the findings.

use std::process::ExitCode;

use accessaudit_report::output::Staging;
use accessaudit_rules::Severity;

use super::{catalog, load, pseudonyms, CommandError, EXIT_FINDINGS};
use crate::cli::AuditArgs;

/// Runs `audit`.
pub fn run(args: AuditArgs) -> Result<ExitCode, CommandError> {
    // Arguments first: a typo must not cost a whole load.
    let fail_on = match &args.fail_on {
        Some(word) => Some(Severity::parse(word).ok_or_else(|| {
            CommandError::Usage(format!(
                "--fail-on {word:?}: expected critical, high, medium, low or info"
            ))
        })?),
        None => None,
    };
    let catalog = catalog(&args.catalog)?;
    let pseudonyms = pseudonyms(&args.subjects)?;
    let snapshot = load(&args.data)?;
    let evaluation = accessaudit_rules::evaluate(&catalog, &snapshot, &pseudonyms, |_| true)?;
    let mut staging = Staging::new(&args.out)?;
    staging.write("findings.csv", |w| {
        accessaudit_report::csv::write_findings(w, &evaluation.findings)
    })?;
    let written = staging.commit()?;
    print!(
        "{}",
        accessaudit_report::text::audit_summary(&snapshot, &catalog, &evaluation, &written)
    );
    let failing = fail_on.is_some_and(|t| evaluation.findings.iter().any(|f| f.severity >= t));
    Ok(if failing {
        ExitCode::from(EXIT_FINDINGS)
    } else {
        ExitCode::SUCCESS
    })
}
