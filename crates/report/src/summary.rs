//! `summary.json`: what CI and dashboards read — the snapshot, the counts,
//! the explained-access figures, timings, input hashes and versions.

use std::io::Read;
use std::path::Path;

use chrono_tz::Europe::Tallinn;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use accessaudit_ingest::Snapshot;
use accessaudit_review::Review;
use accessaudit_rules::{Area, Catalog, Evaluation, OutcomeState, Severity, Status};

/// How long each stage took, in seconds.
#[derive(Debug, Clone, Default)]
pub struct Timings {
    /// Loading and checking the snapshot.
    pub load: f64,
    /// Evaluating the rules.
    pub rules: f64,
    /// Each rule's own seconds, in the order they ran (a rule whose facts
    /// an earlier rule of its area built shows only its own part).
    pub per_rule: Vec<(String, f64)>,
}

/// SHA-256 of a file, streamed.
pub fn file_sha256(path: &Path) -> std::io::Result<String> {
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hex::encode(hasher.finalize()))
}

/// One table as read: its files with their SHA-256.
#[derive(Debug, Clone)]
pub struct InputTable {
    /// Table name.
    pub name: String,
    /// Rows read.
    pub rows: u64,
    /// Rows rejected.
    pub rejected: u64,
    /// (file relative to the snapshot, SHA-256).
    pub files: Vec<(String, String)>,
    /// Under `--lenient`, each value that made its row be left out.
    pub rejected_rows: Vec<RejectedRow>,
}

/// One unreadable value whose row `--lenient` left out: the contract has
/// rejected rows counted and listed in the outputs.
#[derive(Debug, Clone)]
pub struct RejectedRow {
    /// `file:row`, as findings reference rows.
    pub reference: String,
    /// The column.
    pub column: String,
    /// The value as written (none when empty).
    pub value: Option<String>,
    /// Why it could not be read.
    pub reason: String,
}

/// Every table of the snapshot with the SHA-256 of each of its files.
pub fn input_tables(snapshot: &Snapshot) -> std::io::Result<Vec<InputTable>> {
    let mut out = Vec::with_capacity(snapshot.tables.len());
    for t in &snapshot.tables {
        let mut files = Vec::with_capacity(t.files.len());
        for f in &t.files {
            files.push((f.name.clone(), file_sha256(&f.path)?));
        }
        out.push(InputTable {
            name: t.spec.name.to_string(),
            rows: t.rows_read,
            rejected: t.rows_rejected,
            files,
            rejected_rows: t
                .rejected
                .iter()
                .map(|e| RejectedRow {
                    reference: format!("{}:{}", e.file, e.row),
                    column: e.column.clone(),
                    value: e.value.clone(),
                    reason: e.problem.to_string(),
                })
                .collect(),
        });
    }
    Ok(out)
}

/// The rejected rows of a table as JSON: `row` (`file:row`), `column`,
/// `value` (null when empty) and `reason`.
pub fn rejected_rows(table: &InputTable) -> Vec<Value> {
    table
        .rejected_rows
        .iter()
        .map(|r| json!({ "row": r.reference, "column": r.column, "value": r.value, "reason": r.reason }))
        .collect()
}

/// The summary as JSON.
pub fn summary(
    snapshot: &Snapshot,
    inputs: &[InputTable],
    catalog: &Catalog,
    evaluation: &Evaluation,
    review: &Review,
    timings: &Timings,
) -> Value {
    let tables: Vec<Value> = inputs
        .iter()
        .map(|t| {
            let files: Vec<Value> = t
                .files
                .iter()
                .map(|(f, h)| json!({ "file": f, "sha256": h }))
                .collect();
            json!({ "table": t.name, "rows": t.rows, "rejected": t.rejected, "files": files,
                "rejected_rows": rejected_rows(t) })
        })
        .collect();
    let findings = &evaluation.findings;
    let by_severity: serde_json::Map<String, Value> = Severity::ALL
        .iter()
        .map(|s| {
            (
                s.to_string(),
                json!(findings.iter().filter(|f| f.severity == *s).count()),
            )
        })
        .collect();
    let by_area: serde_json::Map<String, Value> = Area::ALL
        .iter()
        .map(|a| {
            (
                a.to_string(),
                json!(findings.iter().filter(|f| f.area == *a).count()),
            )
        })
        .collect();
    let rules: Vec<Value> = evaluation
        .outcomes
        .iter()
        .map(|o| {
            let severity = catalog.get(&o.rule_id).map(|r| r.severity.to_string());
            match &o.state {
                OutcomeState::Evaluated { findings } => json!({
                    "rule": o.rule_id, "severity": severity, "state": "evaluated", "findings": findings,
                }),
                OutcomeState::NotEvaluable { reason, .. } => json!({
                    "rule": o.rule_id, "severity": severity, "state": "not_evaluable", "reason": reason,
                }),
                OutcomeState::Disabled { reason } => json!({
                    "rule": o.rule_id, "severity": severity, "state": "disabled", "reason": reason,
                }),
                OutcomeState::Failed { error } => json!({
                    "rule": o.rule_id, "severity": severity, "state": "failed", "reason": error,
                }),
            }
        })
        .collect();
    let rule_files: Vec<Value> = catalog
        .rules
        .iter()
        .map(|r| {
            json!({
                "rule": r.id,
                "source": r.source,
                "sha256": r.source_sha256,
                "params": r.params.iter().map(|(k, v)| (k.clone(), toml_to_json(v))).collect::<serde_json::Map<_, _>>(),
                "overridden": r.overridden,
            })
        })
        .collect();
    json!({
        "tool": "accessaudit",
        "version": env!("CARGO_PKG_VERSION"),
        "rules_version": catalog.fingerprint(),
        "organisation": snapshot.manifest.organisation,
        "as_of": snapshot.as_of.with_timezone(&Tallinn).to_rfc3339(),
        "period": {
            "label": snapshot.period.label,
            "from": snapshot.period.from.to_string(),
            "to": snapshot.period.to.to_string(),
        },
        "tables": tables,
        "absent_tables": snapshot.absent,
        "findings": {
            "total": findings.len(),
            "by_severity": by_severity,
            "by_area": by_area,
            "by_rule": rules,
        },
        "explained_access": review.explained_access,
        "baseline_comparison": review.comparison.as_ref().map(|c| json!({
            "baseline": c.baseline,
            "by_rule": c.by_rule,
            "by_unit": c.by_unit,
            "resolved": c.resolved.iter().map(|f| json!({
                "finding_id": f.finding_id, "rule_id": f.rule_id, "unit": f.unit, "message": f.message,
            })).collect::<Vec<_>>(),
        })),
        "suppressed": evaluation.suppressed_by.iter().map(|(id, e)| json!({
            "finding_id": id, "exception": e.id, "reason": e.reason, "legal_basis": e.legal_basis,
            "approved_by": e.approved_by, "expires": e.expires.to_string(),
        })).collect::<Vec<_>>(),
        "accepted": evaluation.accepted_by.iter().map(|(id, a)| json!({
            "finding_id": id, "review_id": a.review_id, "reviewer": a.reviewer,
            "decided_on": a.decided_on.to_string(), "comment": a.comment,
        })).collect::<Vec<_>>(),
        "explained": evaluation.explained_by.iter().map(|(id, a)| json!({
            "finding_id": id, "review_id": a.review_id, "justified_by": a.reviewer,
            "decided_on": a.decided_on.to_string(), "comment": a.comment,
        })).collect::<Vec<_>>(),
        "previous_review": review.progress,
        "dpo_cases": review.cases,
        "findings_by_status": {
            "new": findings.iter().filter(|f| f.status == Status::New).count(),
            "persisting": findings.iter().filter(|f| f.status == Status::Persisting).count(),
            "suppressed": findings.iter().filter(|f| f.status == Status::Suppressed).count(),
            "accepted": findings.iter().filter(|f| f.status == Status::Accepted).count(),
            "explained": findings.iter().filter(|f| f.status == Status::Explained).count(),
            "resolved": review.comparison.as_ref().map_or(0, |c| c.resolved.len()),
        },
        "rules": rule_files,
        "timings_seconds": { "load": timings.load, "rules": timings.rules },
        "rule_seconds": timings.per_rule.iter().map(|(rule, s)| (rule.clone(), serde_json::json!(s))).collect::<serde_json::Map<String, serde_json::Value>>(),
    })
}

fn toml_to_json(v: &toml::Value) -> Value {
    match v {
        toml::Value::String(s) => json!(s),
        toml::Value::Integer(i) => json!(i),
        toml::Value::Float(f) => json!(f),
        toml::Value::Boolean(b) => json!(b),
        toml::Value::Array(a) => Value::Array(a.iter().map(toml_to_json).collect()),
        other => json!(other.to_string()),
    }
}
