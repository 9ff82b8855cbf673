//! `audit`: load, run every rule, write the findings.

use std::process::ExitCode;

use std::time::Instant;

use accessaudit_report::html::ReportInput;
use accessaudit_report::output::Staging;
use accessaudit_report::summary::{self, Timings};
use accessaudit_rules::Severity;

use super::{catalog, load, pseudonyms, CommandError, EXIT_FINDINGS};
use crate::cli::{AuditArgs, Format};

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
    let started = Instant::now();
    let snapshot = load(&args.data)?;
    let load_s = started.elapsed().as_secs_f64();
    let started = Instant::now();
    let evaluation = accessaudit_rules::evaluate(&catalog, &snapshot, &pseudonyms, |_| true)?;
    let timings = Timings {
        load: load_s,
        rules: started.elapsed().as_secs_f64(),
    };
    let inputs = summary::input_tables(&snapshot).map_err(|source| CommandError::Read {
        path: snapshot.dir.display().to_string(),
        source,
    })?;
    let summary = summary::summary(&snapshot, &inputs, &catalog, &evaluation, &timings);
    let wants = |f: Format| args.format.contains(&f);
    let findings = &evaluation.findings;
    let mut staging = Staging::new(&args.out)?;
    if wants(Format::Html) {
        let html = accessaudit_report::html::render(&ReportInput {
            snapshot: &snapshot,
            catalog: &catalog,
            evaluation: &evaluation,
            tables: &inputs,
            lang: args.lang.code(),
        })
        .map_err(|e| CommandError::Usage(e.to_string()))?;
        staging.write("report.html", |w| w.write_all(html.as_bytes()))?;
    }
    if wants(Format::Csv) {
        staging.write("findings.csv", |w| {
            accessaudit_report::csv::write_findings(w, findings)
        })?;
        let sheets = accessaudit_rules::review::worksheets(&snapshot, &pseudonyms, findings)?;
        for (unit, rows) in &sheets {
            let name = format!(
                "review/{}.csv",
                accessaudit_report::csv::worksheet_name(unit)
            );
            staging.write(&name, |w| {
                accessaudit_report::csv::write_worksheet(w, unit, rows)
            })?;
        }
    }
    if wants(Format::Json) {
        staging.write("findings.jsonl", |w| {
            accessaudit_report::data::write_jsonl(w, findings)
        })?;
    }
    if wants(Format::Parquet) {
        staging.write("findings.parquet", |w| {
            accessaudit_report::data::write_parquet(w, findings)
        })?;
    }
    staging.write("summary.json", |w| {
        serde_json::to_writer_pretty(&mut *w, &summary)?;
        writeln!(w)
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
