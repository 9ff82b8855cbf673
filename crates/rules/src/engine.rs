//! Runs rules over a snapshot and turns their output rows into findings. This
//! is the one place that assigns finding ids, severities and messages.

use std::collections::HashMap;

use polars::prelude::*;

use accessaudit_ingest::Snapshot;

use crate::catalog::Catalog;
use crate::checks::{self, Context};
use crate::definition::Rule;
use crate::display;
use crate::error::RulesError;
use crate::finding::{finding_id, Finding, Status, TEXT_COLUMNS};
use crate::severity::Severity;
use crate::template;

/// What happened to one rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OutcomeState {
    /// It ran and found this many findings.
    Evaluated {
        /// Number of findings.
        findings: usize,
    },
    /// Its inputs are missing; it was not run.
    NotEvaluable {
        /// Why.
        reason: String,
    },
}

/// One rule's outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleOutcome {
    /// Rule id.
    pub rule_id: String,
    /// What happened.
    pub state: OutcomeState,
}

/// The result of evaluating rules.
#[derive(Debug, Clone, Default)]
pub struct Evaluation {
    /// Findings in rule order.
    pub findings: Vec<Finding>,
    /// One outcome per rule run or skipped.
    pub outcomes: Vec<RuleOutcome>,
}

impl Evaluation {
    /// Findings per severity, most serious first.
    pub fn counts_by_severity(&self) -> Vec<(Severity, usize)> {
        Severity::ALL
            .into_iter()
            .map(|s| (s, self.findings.iter().filter(|f| f.severity == s).count()))
            .collect()
    }
}

/// Evaluates the rules of `catalog` that `include` selects.
pub fn evaluate(
    catalog: &Catalog,
    snapshot: &Snapshot,
    include: impl Fn(&Rule) -> bool,
) -> Result<Evaluation, RulesError> {
    let ctx = Context { snapshot };
    let mut evaluation = Evaluation::default();
    for rule in catalog.rules.iter().filter(|r| include(r)) {
        let Some(kind) = checks::kind(&rule.check) else {
            // The catalogue loader has already rejected unknown kinds.
            continue;
        };
        if let Some(missing) = kind.needs.iter().find(|t| snapshot.table(t).is_none()) {
            evaluation.outcomes.push(RuleOutcome {
                rule_id: rule.id.clone(),
                state: OutcomeState::NotEvaluable {
                    reason: format!("the optional table {missing} is absent"),
                },
            });
            continue;
        }
        let _span = tracing::info_span!("rule", id = %rule.id).entered();
        let wrap = |source| RulesError::Evaluation {
            rule: rule.id.clone(),
            source,
        };
        let rows = (kind.evaluate)(&ctx, rule)
            .and_then(LazyFrame::collect)
            .map_err(wrap)?;
        let findings = to_findings(rule, snapshot, &rows).map_err(wrap)?;
        tracing::info!(findings = findings.len(), "evaluated");
        evaluation.outcomes.push(RuleOutcome {
            rule_id: rule.id.clone(),
            state: OutcomeState::Evaluated {
                findings: findings.len(),
            },
        });
        evaluation.findings.extend(findings);
    }
    Ok(evaluation)
}

/// Turns a check's output rows into findings of `rule`.
fn to_findings(rule: &Rule, snapshot: &Snapshot, rows: &DataFrame) -> PolarsResult<Vec<Finding>> {
    let mut out = Vec::with_capacity(rows.height());
    let names: Vec<String> = rows
        .get_column_names()
        .iter()
        .map(|n| n.to_string())
        .collect();
    for i in 0..rows.height() {
        let mut values: HashMap<&str, Option<String>> = HashMap::with_capacity(names.len() + 2);
        for name in &names {
            let v = rows.column(name)?.get(i)?;
            let text = if name == "first_seen" || name == "last_seen" {
                display::iso_local(&v)
            } else {
                display::text(&v)
            };
            values.insert(name.as_str(), text);
        }
        // A row of an input table becomes its `table:row` reference.
        if let (Some(Some(table)), Some(Some(file)), Some(Some(row))) = (
            values.get("ref_table"),
            values.get("ref_file"),
            values.get("ref_row"),
        ) {
            let reference = match (snapshot.table(table), file.parse(), row.parse()) {
                (Some(t), Ok(f), Ok(r)) => t.row_ref(f, r),
                _ => format!("{table}:{row}"),
            };
            values.insert("ref", Some(reference.clone()));
            values.entry("evidence").or_insert(Some(reference));
        }
        let grain: Vec<Option<&str>> = rule
            .grain
            .iter()
            .map(|g| values.get(g.as_str()).and_then(|v| v.as_deref()))
            .collect();
        let severity = values
            .get("severity")
            .and_then(|v| v.as_deref())
            .and_then(Severity::parse)
            .unwrap_or(rule.severity);
        let mut finding = Finding {
            finding_id: finding_id(&rule.id, &grain),
            rule_id: rule.id.clone(),
            severity,
            area: rule.area,
            status: Status::New,
            system: None,
            account_id: None,
            person_id: None,
            person_name: None,
            unit: None,
            role: None,
            subject: None,
            case_id: None,
            reference: None,
            first_seen: None,
            last_seen: None,
            events: values
                .get("events")
                .and_then(|v| v.as_deref())
                .and_then(|v| v.parse().ok()),
            days_late: values
                .get("days_late")
                .and_then(|v| v.as_deref())
                .and_then(|v| v.parse().ok()),
            message: template::render(&rule.message, |name| values.get(name).cloned().flatten()),
            evidence: String::new(),
        };
        for column in TEXT_COLUMNS {
            if let Some(v) = values.get(column) {
                finding.set_text(column, v.clone());
            }
        }
        out.push(finding);
    }
    Ok(out)
}
