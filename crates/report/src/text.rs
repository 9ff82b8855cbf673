//! Plain-text summaries printed on the terminal.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use accessaudit_ingest::snapshot::{AsOfSource, PeriodSource};
use accessaudit_ingest::{Snapshot, ValueError};

use accessaudit_review::Review;
use accessaudit_rules::{Area, Catalog, Evaluation, OutcomeState, Severity, Status};
use chrono_tz::Europe::Tallinn;

use crate::html::{strings, HtmlError};

/// How many rows of one rejection reason are listed by number.
const ROWS_LISTED: usize = 10;

/// The words of the terminal summaries in one language (`reports/strings.toml`).
pub struct Words(BTreeMap<String, String>);

impl Words {
    /// The words of `lang` (`en` or `et`).
    pub fn new(lang: &str) -> Result<Self, HtmlError> {
        strings(lang).map(Words)
    }

    /// The English words, which are built in.
    fn english() -> Self {
        Words(strings("en").unwrap_or_default())
    }

    /// One word; its key when the strings lack it (a defect the report
    /// tests catch).
    fn get<'a>(&'a self, key: &'a str) -> &'a str {
        self.0.get(key).map_or(key, String::as_str)
    }

    /// A phrase with its `{name}` holes filled.
    fn fill(&self, key: &str, values: &[(&str, &str)]) -> String {
        let mut out = self.get(key).to_string();
        for (name, value) in values {
            out = out.replace(&format!("{{{name}}}"), value);
        }
        out
    }
}

/// The header shared by `validate` and `audit`: snapshot, as_of, period.
fn header(snapshot: &Snapshot, w: &Words) -> String {
    let mut out = String::new();
    let organisation = snapshot
        .manifest
        .organisation
        .as_deref()
        .map(|o| format!(" ({o})"))
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "{} {}{organisation}",
        w.get("con_snapshot"),
        snapshot.dir.display()
    );
    let as_of_from = match snapshot.as_of_source {
        AsOfSource::CommandLine => w.get("con_from_as_of_option"),
        AsOfSource::Manifest => w.get("con_from_manifest"),
        AsOfSource::LatestInData => w.get("con_from_data"),
    };
    let period_from = match snapshot.period_source {
        PeriodSource::CommandLine => w.get("con_from_period_option"),
        PeriodSource::Manifest => w.get("con_from_manifest"),
        PeriodSource::QuarterOfAsOf => w.get("con_from_quarter"),
    };
    let (as_of, period) = (w.get("con_as_of"), w.get("con_period"));
    let width = as_of.chars().count().max(period.chars().count());
    let _ = writeln!(
        out,
        "{as_of:<width$} {} ({as_of_from})\n{period:<width$} {} ({period_from})\n",
        snapshot
            .as_of
            .with_timezone(&Tallinn)
            .format("%Y-%m-%d %H:%M:%S%:z"),
        snapshot.period
    );
    if snapshot.manifest.observed_intervals {
        let _ = writeln!(out, "{}\n", w.get("con_observed"));
    }
    out
}

/// The `validate` report: what was read, what was rejected, which optional
/// tables are absent, and the data-quality findings.
pub fn validation_summary(snapshot: &Snapshot, evaluation: &Evaluation) -> String {
    let words = Words::english();
    let mut out = header(snapshot, &words);
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
    out.push_str(&skipped_rules(evaluation, &words));
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

/// Rules that did not run, and why: one line per absent table naming the
/// rules it blocks, and one per rule the policy disabled.
fn skipped_rules(evaluation: &Evaluation, w: &Words) -> String {
    let mut out = String::new();
    for line in crate::blocked::lines(evaluation, &|key| w.get(key).to_string()) {
        let _ = writeln!(out, "\n{line}");
    }
    for o in &evaluation.outcomes {
        let (key, reason) = match &o.state {
            OutcomeState::Disabled { reason } => ("con_disabled_line", reason),
            OutcomeState::Failed { error } => ("con_failed_line", error),
            _ => continue,
        };
        let _ = writeln!(
            out,
            "\n{}",
            w.fill(key, &[("rule", &o.rule_id), ("reason", reason)])
        );
    }
    out
}

/// `new 5, persisting 11, suppressed 1`, and against a baseline the ones
/// it had that are gone: `, resolved 28 (baseline DIR)`.
fn by_status(evaluation: &Evaluation, review: &Review, w: &Words) -> String {
    let f = &evaluation.findings;
    let mut parts: Vec<String> = [
        Status::New,
        Status::Persisting,
        Status::Suppressed,
        Status::Accepted,
        Status::Explained,
    ]
    .iter()
    .filter(|s| {
        !matches!(s, Status::Accepted | Status::Explained) || f.iter().any(|x| x.status == **s)
    })
    .map(|s| {
        format!(
            "{} {}",
            w.get(&format!("status_{}", s.as_str())),
            f.iter().filter(|x| x.status == *s).count()
        )
    })
    .collect();
    if let Some(c) = &review.comparison {
        parts.push(w.fill(
            "con_resolved",
            &[
                ("count", &c.resolved.len().to_string()),
                ("baseline", &c.baseline),
            ],
        ));
    }
    parts.join(", ")
}

/// The `audit` report on the terminal in `lang`: counts by severity, area
/// and rule, rules that did not run, the explained-access figures and the
/// files written.
pub fn audit_summary(
    snapshot: &Snapshot,
    catalog: &Catalog,
    evaluation: &Evaluation,
    review: &Review,
    written: &[std::path::PathBuf],
    lang: &str,
) -> Result<String, HtmlError> {
    let w = Words::new(lang)?;
    let mut out = header(snapshot, &w);
    let rows: u64 = snapshot.tables.iter().map(|t| t.rows_read).sum();
    let rejected: u64 = snapshot.tables.iter().map(|t| t.rows_rejected).sum();
    let _ = writeln!(
        out,
        "{}{}",
        w.fill(
            "con_read",
            &[
                ("tables", &snapshot.tables.len().to_string()),
                ("rows", &rows.to_string()),
                ("rejected", &rejected.to_string()),
            ]
        ),
        if snapshot.absent.is_empty() {
            String::new()
        } else {
            w.fill("con_absent", &[("tables", &snapshot.absent.join(", "))])
        }
    );
    let f = &evaluation.findings;
    let _ = writeln!(out, "\n{}: {}", w.get("con_findings"), f.len());
    let severity = |s: Severity| w.get(&format!("sev_{}", s.as_str())).to_string();
    let by_severity: Vec<String> = evaluation
        .counts_by_severity()
        .iter()
        .map(|(s, n)| format!("{} {n}", severity(*s)))
        .collect();
    let by_area: Vec<String> = Area::ALL
        .iter()
        .map(|a| format!("{a} {}", f.iter().filter(|x| x.area == *a).count()))
        .collect();
    let labels = [
        (w.get("con_by_severity"), by_severity.join(", ")),
        (w.get("con_by_area"), by_area.join(", ")),
        (w.get("con_by_status"), by_status(evaluation, review, &w)),
    ];
    let width = labels
        .iter()
        .map(|(l, _)| l.chars().count())
        .max()
        .unwrap_or(0);
    for (label, counts) in labels {
        let _ = writeln!(out, "  {label:<width$} {counts}");
    }
    let (rule_h, severity_h, count_h, title_h) = (
        w.get("con_rule"),
        w.get("con_severity"),
        w.get("con_findings_col"),
        w.get("con_title"),
    );
    let (n_a, off) = (w.get("con_not_evaluable"), w.get("con_disabled"));
    let rule_w = rule_h.chars().count().max(8);
    let severity_w = Severity::ALL
        .iter()
        .map(|s| severity(*s).chars().count())
        .chain([severity_h.chars().count(), 8])
        .max()
        .unwrap_or(8);
    let count_w = [count_h, n_a, off]
        .iter()
        .map(|x| x.chars().count())
        .chain([8])
        .max()
        .unwrap_or(8);
    let _ = writeln!(
        out,
        "\n  {rule_h:<rule_w$} {severity_h:<severity_w$} {count_h:>count_w$}  {title_h}"
    );
    for o in &evaluation.outcomes {
        let Some(rule) = catalog.get(&o.rule_id) else {
            continue;
        };
        let count = match &o.state {
            OutcomeState::Evaluated { findings } => findings.to_string(),
            OutcomeState::NotEvaluable { .. } => n_a.to_string(),
            OutcomeState::Disabled { .. } => off.to_string(),
            OutcomeState::Failed { .. } => w.get("con_failed").to_string(),
        };
        let _ = writeln!(
            out,
            "  {:<rule_w$} {:<severity_w$} {count:>count_w$}  {}",
            rule.id,
            severity(rule.severity),
            rule.texts(lang).title
        );
    }
    out.push_str(&skipped_rules(evaluation, &w));
    if let Some(x) = &review.explained_access {
        out.push_str(&explained_access(x, &w));
    }
    if !written.is_empty() {
        let _ = writeln!(out, "\n{}", w.get("con_written"));
        for path in written {
            let _ = writeln!(out, "  {}", path.display());
        }
    }
    Ok(out)
}

mod dpo;
use dpo::explained_access;
pub use dpo::subject_report;
