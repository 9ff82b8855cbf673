//! `subject-report`: who looked at one person's data, and why.

use std::process::ExitCode;

use accessaudit_ingest::isikukood;
use accessaudit_report::aj::Agency;
use accessaudit_report::output::{OutputError, Staging};

use super::{load, pseudonyms, CommandError};
use crate::cli::{SubjectFormat, SubjectReportArgs};

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
    // An Andmejälgija record names the agency that holds the data; without
    // it the export would say nothing about who answers.
    let agency = match (args.format, &snapshot.manifest.organisation) {
        (SubjectFormat::Aj, Some(name)) if !name.trim().is_empty() => Some(Agency {
            name: name.trim().to_string(),
        }),
        (SubjectFormat::Aj, _) => {
            return Err(CommandError::Usage(format!(
                "{}: --format aj needs the agency's name, and manifest.toml gives no \
                 `organisation`",
                snapshot.dir.display()
            )))
        }
        (SubjectFormat::Csv, _) => None,
    };
    let report =
        accessaudit_review::subject_report::subject_report(&snapshot, &pseudonyms, &args.subject)?;
    match (&args.out, &agency) {
        (Some(out), _) => {
            let mut staging = Staging::new(out)?;
            match &agency {
                None => {
                    let name = format!("subject-{}.csv", report.subject);
                    staging.write(&name, |w| {
                        accessaudit_report::csv::write_subject_report(w, &report)
                    })?;
                }
                Some(agency) => {
                    let name = format!("subject-{}-aj.json", report.subject);
                    staging.write(&name, |w| {
                        accessaudit_report::aj::write_subject_report(w, &report, agency)
                    })?;
                }
            }
            for path in staging.commit()? {
                eprintln!("written: {}", path.display());
            }
        }
        // The JSON alone on stdout, so that it can be piped or redirected.
        (None, Some(agency)) => {
            let mut stdout = std::io::stdout().lock();
            accessaudit_report::aj::write_subject_report(&mut stdout, &report, agency).map_err(
                |source| OutputError::Io {
                    path: "standard output".into(),
                    source,
                },
            )?;
            return Ok(ExitCode::SUCCESS);
        }
        (None, None) => {}
    }
    print!(
        "{}",
        accessaudit_report::text::subject_report(&snapshot, &report)
    );
    Ok(ExitCode::SUCCESS)
}
