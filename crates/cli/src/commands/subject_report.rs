//! `subject-report`: who looked at one person's data, and why.

use std::process::ExitCode;

use accessaudit_report::output::Staging;

use super::{load, pseudonyms, CommandError};
use crate::cli::SubjectReportArgs;

/// Runs `subject-report`.
pub fn run(args: SubjectReportArgs) -> Result<ExitCode, CommandError> {
    let pseudonyms = pseudonyms(&args.subjects)?;
    let snapshot = load(&args.data)?;
    if snapshot.table("access_log").is_none() {
        return Err(CommandError::Usage(format!(
            "{}: the snapshot has no access_log, so there is nothing to report",
            snapshot.dir.display()
        )));
    }
    let report =
        accessaudit_rules::subject_report::subject_report(&snapshot, &pseudonyms, &args.subject)?;
    if let Some(out) = &args.out {
        let mut staging = Staging::new(out)?;
        let name = format!("subject-{}.csv", report.subject);
        staging.write(&name, |w| {
            accessaudit_report::csv::write_subject_report(w, &report)
        })?;
        for path in staging.commit()? {
            eprintln!("written: {}", path.display());
        }
    }
    print!(
        "{}",
        accessaudit_report::text::subject_report(&snapshot, &report)
    );
    Ok(ExitCode::SUCCESS)
}
