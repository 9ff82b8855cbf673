//! Plain-text summaries printed on the terminal.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use accessaudit_ingest::snapshot::{AsOfSource, PeriodSource};
use accessaudit_ingest::{Snapshot, ValueError};
use accessaudit_rules::{Area, Catalog, Evaluation, OutcomeState, Status};
use chrono_tz::Europe::Tallinn;

/// How many rows of one rejection reason are listed by number.
const ROWS_LISTED: usize = 10;

/// The header shared by `validate` and `audit`: snapshot, as_of, period.
fn header(snapshot: &Snapshot) -> String {
    let mut out = String::new();
    let organisation = snapshot
        .manifest
        .organisation
        .as_deref()
        .map(|o| format!(" ({o})"))
        .unwrap_or_default();
    let _ = writeln!(out, "Snapshot {}{organisation}", snapshot.dir.display());
    let as_of_from = match snapshot.as_of_source {
        AsOfSource::CommandLine => "--as-of",
        AsOfSource::Manifest => "manifest.toml",
        AsOfSource::LatestInData => "latest time in the data",
    };
    let period_from = match snapshot.period_source {
        PeriodSource::CommandLine => "--period",
        PeriodSource::Manifest => "manifest.toml",
        PeriodSource::QuarterOfAsOf => "quarter of as_of",
    };
    let _ = writeln!(
        out,
        "as_of  {} ({as_of_from})\nperiod {} ({period_from})\n",
        snapshot
            .as_of
            .with_timezone(&Tallinn)
            .format("%Y-%m-%d %H:%M:%S%:z"),
        snapshot.period
    );
    out
}

/// The `validate` report: what was read, what was rejected, which optional
/// tables are absent, and the data-quality findings.
pub fn validation_summary(snapshot: &Snapshot, evaluation: &Evaluation) -> String {
    let mut out = header(snapshot);
    out.push_str(&table_summary(snapshot));
    if !snapshot.absent.is_empty() {
        let _ = writeln!(
            out,
            "\nAbsent optional tables (treated as empty): {}",
            snapshot.absent.join(", ")
        );
    }
    let rejected: Vec<&ValueError> = snapshot
        .tables
        .iter()
        .flat_map(|t| t.rejected.iter())
        .collect();
    if !rejected.is_empty() {
        out.push_str("\nRejected rows (--lenient), by reason:\n");
        out.push_str(&rejections(&rejected));
    }
    out.push_str(&skipped_rules(evaluation));
    let _ = writeln!(
        out,
        "\nData-quality findings: {}",
        evaluation.findings.len()
    );
    for f in &evaluation.findings {
        let _ = writeln!(out, "  {} {:<6} {}", f.rule_id, f.severity, f.message);
    }
    out
}

fn table_summary(snapshot: &Snapshot) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:<18} {:>10} {:>9}  files",
        "table", "rows", "rejected"
    );
    for t in &snapshot.tables {
        let files = match t.files.as_slice() {
            [one] => one.name.clone(),
            many => format!("{} files under {}/", many.len(), t.spec.name),
        };
        let _ = writeln!(
            out,
            "{:<18} {:>10} {:>9}  {files}",
            t.spec.name, t.rows_read, t.rows_rejected
        );
        if !t.extra_columns.is_empty() {
            let _ = writeln!(
                out,
                "{:<18} extra columns kept, not used by the rules: {}",
                "",
                t.extra_columns.join(", ")
            );
        }
    }
    out
}

/// Rejections grouped by file, column and problem, with the first rows listed.
fn rejections(rejected: &[&ValueError]) -> String {
    let mut groups: BTreeMap<(&str, &str, String), Vec<u64>> = BTreeMap::new();
    for e in rejected {
        groups
            .entry((e.file.as_str(), e.column.as_str(), e.problem.to_string()))
            .or_default()
            .push(e.row);
    }
    let mut out = String::new();
    for ((file, column, problem), rows) in groups {
        let listed: Vec<String> = rows.iter().take(ROWS_LISTED).map(u64::to_string).collect();
        let more = if rows.len() > ROWS_LISTED {
            ", ..."
        } else {
            ""
        };
        let _ = writeln!(
            out,
            "  {file}: column `{column}`: {problem}: {} row(s) ({}{more})",
            rows.len(),
            listed.join(", ")
        );
    }
    out
}

/// Rules that did not run, and why.
fn skipped_rules(evaluation: &Evaluation) -> String {
    let mut out = String::new();
    for o in &evaluation.outcomes {
        match &o.state {
            OutcomeState::NotEvaluable { reason, .. } => {
                let _ = writeln!(out, "\n{} not evaluable: {reason}", o.rule_id);
            }
            OutcomeState::Disabled { reason } => {
                let _ = writeln!(out, "\n{} disabled by the policy: {reason}", o.rule_id);
            }
            OutcomeState::Evaluated { .. } => {}
        }
    }
    out
}

/// `new 5, persisting 11, suppressed 1`, and against a baseline the ones
/// it had that are gone: `, resolved 28 (baseline DIR)`.
fn by_status(evaluation: &Evaluation) -> String {
    let f = &evaluation.findings;
    let mut parts: Vec<String> = [Status::New, Status::Persisting, Status::Suppressed]
        .iter()
        .map(|s| {
            format!(
                "{} {}",
                s.as_str(),
                f.iter().filter(|x| x.status == *s).count()
            )
        })
        .collect();
    if let Some(c) = &evaluation.comparison {
        parts.push(format!(
            "resolved {} (baseline {})",
            c.resolved.len(),
            c.baseline
        ));
    }
    parts.join(", ")
}

/// The `audit` report on the terminal: counts by severity, area and rule,
/// rules that did not run, and the files written.
pub fn audit_summary(
    snapshot: &Snapshot,
    catalog: &Catalog,
    evaluation: &Evaluation,
    written: &[std::path::PathBuf],
) -> String {
    let mut out = header(snapshot);
    let rows: u64 = snapshot.tables.iter().map(|t| t.rows_read).sum();
    let rejected: u64 = snapshot.tables.iter().map(|t| t.rows_rejected).sum();
    let _ = writeln!(
        out,
        "Read {} tables, {rows} rows ({rejected} rejected){}",
        snapshot.tables.len(),
        if snapshot.absent.is_empty() {
            String::new()
        } else {
            format!("; absent: {}", snapshot.absent.join(", "))
        }
    );
    let f = &evaluation.findings;
    let _ = writeln!(out, "\nFindings: {}", f.len());
    let by_severity: Vec<String> = evaluation
        .counts_by_severity()
        .iter()
        .map(|(s, n)| format!("{s} {n}"))
        .collect();
    let _ = writeln!(out, "  by severity: {}", by_severity.join(", "));
    let by_area: Vec<String> = Area::ALL
        .iter()
        .map(|a| format!("{a} {}", f.iter().filter(|x| x.area == *a).count()))
        .collect();
    let _ = writeln!(out, "  by area:     {}", by_area.join(", "));
    let _ = writeln!(out, "  by status:   {}", by_status(evaluation));
    let _ = writeln!(
        out,
        "\n  {:<8} {:<8} {:>8}  title",
        "rule", "severity", "findings"
    );
    for o in &evaluation.outcomes {
        let Some(rule) = catalog.get(&o.rule_id) else {
            continue;
        };
        let count = match &o.state {
            OutcomeState::Evaluated { findings } => findings.to_string(),
            OutcomeState::NotEvaluable { .. } => "n/a".into(),
            OutcomeState::Disabled { .. } => "off".into(),
        };
        let _ = writeln!(
            out,
            "  {:<8} {:<8} {:>8}  {}",
            rule.id, rule.severity, count, rule.title
        );
    }
    out.push_str(&skipped_rules(evaluation));
    if let Some(x) = &evaluation.explained_access {
        out.push_str(&explained_access(x));
    }
    if !written.is_empty() {
        let _ = writeln!(out, "\nWritten:");
        for w in written {
            let _ = writeln!(out, "  {}", w.display());
        }
    }
    out
}

/// How many users the terminal lists by unexplained events.
const USERS_LISTED: usize = 10;

/// The explained-access figures, for the data-protection officer.
fn explained_access(x: &accessaudit_rules::figures::ExplainedAccess) -> String {
    let mut out = String::new();
    let pct = |s: &accessaudit_rules::figures::Share| {
        format!("{:.1}% of {} events", s.share * 100.0, s.events)
    };
    let _ = writeln!(out, "\nExplained by a case: {}", pct(&x.overall));
    for s in &x.by_system {
        let _ = writeln!(out, "  {:<28} {}", s.key, pct(s));
    }
    if !x.users.is_empty() {
        let _ = writeln!(out, "Users with the most unexplained events:");
        for u in x.users.iter().take(USERS_LISTED) {
            let who = if u.person_name.is_empty() {
                &u.person_id
            } else {
                &u.person_name
            };
            let _ = writeln!(
                out,
                "  {:>6} of {:>6}  {who} ({}) {}",
                u.unexplained, u.events, u.unit, u.accounts
            );
        }
    }
    out
}

/// A subject report as a table for the terminal.
pub fn subject_report(
    snapshot: &Snapshot,
    report: &accessaudit_rules::subject_report::SubjectReport,
) -> String {
    let mut out = header(snapshot);
    let unexplained = report
        .accesses
        .iter()
        .filter(|a| a.case == "unexplained")
        .count();
    let _ = writeln!(
        out,
        "Accesses to the data of {}: {} ({} unexplained)\n",
        report.subject,
        report.accesses.len(),
        unexplained
    );
    if report.accesses.is_empty() {
        out.push_str("Nobody looked at this person's data in the period.\n");
        return out;
    }
    let _ = writeln!(
        out,
        "{:<19}  {:<6} {:<18} {:<24} {:<28} {:<7} case",
        "when", "system", "account", "person", "unit", "action"
    );
    for a in &report.accesses {
        let who = if a.person_name.is_empty() {
            a.person_id.as_str()
        } else {
            a.person_name.as_str()
        };
        let _ = writeln!(
            out,
            "{:<19}  {:<6} {:<18} {:<24} {:<28} {:<7} {}",
            a.when, a.system, a.account_id, who, a.unit, a.action, a.case
        );
    }
    out
}
