//! `subject-report`: who looked at one person's data, and why.

use std::process::ExitCode;

use accessaudit_ingest::isikukood;
use accessaudit_report::output::Staging;

use super::{load, pseudonyms, CommandError};
use crate::cli::SubjectReportArgs;

/// Runs `subject-report`.
pub(super) fn run(args: SubjectReportArgs) -> Result<ExitCode, CommandError> {
    // A mistyped code would otherwise be answered "nobody looked at this
    // person's data", which is an answer about nobody.
    match isikukood::validate(&args.subject) {
        Err(problem) => {
            return Err(CommandError::Usage(format!(
                "--subject {:?} is not a personal code: it {problem}",
                args.subject
            )))
        }
        // A foreign code is not validated, but it has a number after its
        // country prefix (`LV010101-12345`); `abc` is a typo.
        Ok(isikukood::PersonCode::Foreign { .. })
            if !args
                .subject
                .trim()
                .get(2..)
                .unwrap_or_default()
                .bytes()
                .any(|b| b.is_ascii_digit()) =>
        {
            return Err(CommandError::Usage(format!(
                "--subject {:?} is not a personal code: it is neither 11 digits nor a \
                 country prefix followed by a foreign code",
                args.subject
            )))
        }
        Ok(_) => {}
    }
    let pseudonyms = pseudonyms(&args.subjects)?;
    let snapshot = load(&args.data)?;
    if snapshot.table("access_log").is_none() {
        return Err(CommandError::Usage(format!(
            "{}: the snapshot has no access_log, so there is nothing to report",
            snapshot.dir.display()
        )));
    }
    let report =
        accessaudit_review::subject_report::subject_report(&snapshot, &pseudonyms, &args.subject)?;
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
