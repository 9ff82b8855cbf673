//! `report.html`: one self-contained file (styles, script and charts inline,
//! no external address of any kind) rendered from the tera template in
//! `reports/`. Every value from the input is escaped by the template engine.

use std::collections::BTreeMap;

use chrono_tz::Europe::Tallinn;
use serde::Serialize;
use serde_json::{json, Value};

use accessaudit_ingest::Snapshot;
use accessaudit_review::figures::{ExplainedAccess, Share};
use accessaudit_review::Review;
use accessaudit_rules::{Area, Catalog, Evaluation, Finding, OutcomeState, Severity};

mod trends;

const TEMPLATE: &str = include_str!("../../../reports/report.html");
const STRINGS: &str = include_str!("../../../reports/strings.toml");

/// Errors of rendering the report.
#[derive(Debug, thiserror::Error)]
pub enum HtmlError {
    /// The template or its strings are broken (a defect of the build).
    #[error("the report template cannot be rendered: {0}")]
    Template(String),
    /// The language has no strings.
    #[error("no report strings for language {0:?} (use en or et)")]
    Language(String),
}

/// The report's words in `lang`, English where a word is missing.
pub fn strings(lang: &str) -> Result<BTreeMap<String, String>, HtmlError> {
    let all: BTreeMap<String, BTreeMap<String, String>> =
        toml::from_str(STRINGS).map_err(|e| HtmlError::Template(e.to_string()))?;
    let english = all.get("en").cloned().unwrap_or_default();
    let mut chosen = all
        .get(lang)
        .cloned()
        .ok_or_else(|| HtmlError::Language(lang.to_string()))?;
    for (k, v) in english {
        chosen.entry(k).or_insert(v);
    }
    Ok(chosen)
}

/// How many cases the report shows in full; the rest are in summary.json.
const CASES_SHOWN: usize = 25;

/// The DPO's cases as the report shows them: who, a one-paragraph
/// narrative, and the findings; and the words for those not shown.
fn case_views(
    input: &ReportInput<'_>,
    word: &dyn Fn(&str) -> String,
) -> (Vec<Value>, Option<String>) {
    let by_id: BTreeMap<&str, &Finding> = input
        .evaluation
        .findings
        .iter()
        .map(|f| (f.finding_id.as_str(), f))
        .collect();
    let cases = &input.review.cases;
    let views = cases
        .iter()
        .take(CASES_SHOWN)
        .map(|c| {
            let who = match (&c.person_name, &c.person_id) {
                (Some(name), Some(id)) => format!("{name} ({id})"),
                _ => c.accounts.join(", "),
            };
            let findings: Vec<Value> = c
                .findings
                .iter()
                .filter_map(|id| by_id.get(id.as_str()))
                .map(|f| json!({ "rule_id": f.rule_id, "message": f.message }))
                .collect();
            let disposition = c.disposition.as_ref().map(|d| {
                fill(
                    &word("case_disposed"),
                    &[
                        ("what", d.disposition.word(input.lang)),
                        ("by", &d.by),
                        ("on", &d.decided_on.to_string()),
                        ("why", &d.comment),
                    ],
                )
            });
            json!({
                "case_id": c.case_id, "who": who, "score": c.score,
                "severity": c.severity.as_str(),
                "severity_label": word(&format!("sev_{}", c.severity.as_str())),
                "narrative": crate::cases::narrative(c, word),
                "disposition": disposition,
                "findings": findings,
            })
        })
        .collect();
    let more = (cases.len() > CASES_SHOWN).then(|| {
        fill(
            &word("cases_more"),
            &[("n", &(cases.len() - CASES_SHOWN).to_string())],
        )
    });
    (views, more)
}

/// `template` with each `{name}` replaced by its value.
fn fill(template: &str, values: &[(&str, &str)]) -> String {
    values
        .iter()
        .fold(template.to_string(), |out, (name, value)| {
            out.replace(&format!("{{{name}}}"), value)
        })
}

/// `96.4 %`, or the words for no events (no share describes none).
fn percent(s: &Share, no_events: &str) -> String {
    match s.share {
        Some(share) => format!("{:.1} %", share * 100.0),
        None => no_events.to_string(),
    }
}

fn share_rows(rows: &[Share], no_events: &str) -> Vec<Value> {
    rows.iter()
        .map(|s| json!({ "key": s.key, "events": s.events, "explained": s.explained, "percent": percent(s, no_events) }))
        .collect()
}

/// Escapes text for SVG markup built here.
fn esc(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Horizontal bars: findings per rule.
fn chart_rules(evaluation: &Evaluation) -> String {
    let rows: Vec<(String, usize)> = evaluation
        .outcomes
        .iter()
        .filter_map(|o| match o.state {
            OutcomeState::Evaluated { findings } => Some((o.rule_id.clone(), findings)),
            _ => None,
        })
        .collect();
    let max = rows.iter().map(|r| r.1).max().unwrap_or(0).max(1);
    let (bar_h, gap, label_w, width) = (14, 4, 70, 640);
    let height = rows.len() * (bar_h + gap) + 10;
    let mut svg = format!("<svg width=\"{width}\" height=\"{height}\" role=\"img\">");
    for (i, (id, n)) in rows.iter().enumerate() {
        let y = i * (bar_h + gap) + 5;
        let w = (width - label_w - 40) * n / max;
        svg.push_str(&format!(
            "<text x=\"0\" y=\"{}\">{}</text><rect x=\"{label_w}\" y=\"{y}\" width=\"{w}\" height=\"{bar_h}\" fill=\"#0b5cad\"/><text x=\"{}\" y=\"{}\">{n}</text>",
            y + 11,
            esc(id),
            label_w + w + 4,
            y + 11
        ));
    }
    svg.push_str("</svg>");
    svg
}

/// Columns: the explained share per ISO week.
fn chart_weeks(x: &ExplainedAccess, no_events: &str) -> String {
    let weeks = &x.by_week;
    let (col_w, gap, top, plot_h, width_pad) = (34, 6, 12, 120, 10);
    let width = weeks.len() * (col_w + gap) + width_pad;
    let height = top + plot_h + 30;
    let mut svg = format!("<svg width=\"{width}\" height=\"{height}\" role=\"img\">");
    for (i, w) in weeks.iter().enumerate() {
        let x0 = i * (col_w + gap) + 5;
        let share = w.share.unwrap_or(0.0);
        let h = (share * plot_h as f64).round() as usize;
        let color = if share >= 0.999 { "#2f6f3e" } else { "#c2410c" };
        svg.push_str(&format!(
            "<rect x=\"{x0}\" y=\"{}\" width=\"{col_w}\" height=\"{h}\" fill=\"{color}\"><title>{}: {}</title></rect><text x=\"{x0}\" y=\"{}\">{}</text><text x=\"{x0}\" y=\"{}\">{:.0}%</text>",
            top + plot_h - h,
            esc(&w.key),
            esc(&percent(w, no_events)),
            top + plot_h + 14,
            esc(w.key.rsplit('-').next().unwrap_or_default()),
            top + plot_h + 27,
            share * 100.0
        ));
    }
    svg.push_str("</svg>");
    svg
}

#[derive(Serialize)]
struct FindingRow<'a> {
    finding_id: &'a str,
    severity: String,
    severity_label: String,
    status_label: String,
    system: &'a str,
    account_id: &'a str,
    person_id: &'a str,
    person_name: &'a str,
    role: &'a str,
    subject: &'a str,
    #[serde(rename = "ref")]
    reference: &'a str,
    first_seen: &'a str,
    events: String,
    days_late: String,
    message: &'a str,
    evidence: &'a str,
}

fn text(v: &Option<String>) -> &str {
    v.as_deref().unwrap_or_default()
}

fn row<'a>(f: &'a Finding, words: &BTreeMap<String, String>) -> FindingRow<'a> {
    let s = text;
    // Shown in the reader's local time, without the offset.
    let when = f
        .first_seen
        .as_deref()
        .map(|t| t.get(..16).unwrap_or(t))
        .unwrap_or_default();
    FindingRow {
        finding_id: &f.finding_id,
        severity: f.severity.to_string(),
        severity_label: words
            .get(&format!("sev_{}", f.severity.as_str()))
            .cloned()
            .unwrap_or_else(|| f.severity.to_string()),
        status_label: words
            .get(&format!("status_{}", f.status.as_str()))
            .cloned()
            .unwrap_or_else(|| f.status.as_str().to_string()),
        system: s(&f.system),
        account_id: s(&f.account_id),
        person_id: s(&f.person_id),
        person_name: s(&f.person_name),
        role: s(&f.role),
        subject: s(&f.subject),
        reference: s(&f.reference),
        first_seen: when,
        events: f.events.map(|e| e.to_string()).unwrap_or_default(),
        days_late: f.days_late.map(|e| e.to_string()).unwrap_or_default(),
        message: &f.message,
        evidence: &f.evidence,
    }
}

/// What the report needs besides the evaluation.
pub struct ReportInput<'a> {
    /// The snapshot.
    pub snapshot: &'a Snapshot,
    /// The catalogue in force.
    pub catalog: &'a Catalog,
    /// The results.
    pub evaluation: &'a Evaluation,
    /// The baseline comparison and the explained-access figures.
    pub review: &'a Review,
    /// The tables read, with their files' SHA-256.
    pub tables: &'a [crate::summary::InputTable],
    /// `en` or `et`.
    pub lang: &'a str,
}

/// A JSON string literal safe inside an inline `<script>`.
fn js_string(text: &str) -> String {
    serde_json::to_string(text)
        .unwrap_or_else(|_| "\"\"".into())
        .replace('<', "\\u003c")
}

/// Renders the report.
pub fn render(input: &ReportInput<'_>) -> Result<String, HtmlError> {
    let t = strings(input.lang)?;
    let word = |key: &str| t.get(key).cloned().unwrap_or_else(|| key.to_string());
    let no_events = word("no_events");
    let ev = input.evaluation;
    let by_severity: Vec<Value> = Severity::ALL
        .iter()
        .map(|s| {
            json!({ "key": s.as_str(), "label": word(&format!("sev_{}", s.as_str())),
                    "count": ev.findings.iter().filter(|f| f.severity == *s).count() })
        })
        .collect();
    let mut areas = Vec::new();
    let mut by_area = Vec::new();
    for area in Area::ALL {
        let label = word(&format!("area_{}", area.as_str()));
        by_area.push(json!({ "key": area.as_str(), "label": label,
            "count": ev.findings.iter().filter(|f| f.area == area).count() }));
        let mut rules = Vec::new();
        for o in &ev.outcomes {
            let Some(rule) = input.catalog.get(&o.rule_id) else {
                continue;
            };
            if rule.area != area {
                continue;
            }
            let texts = rule.texts(input.lang);
            let (state, reason, count) = match &o.state {
                OutcomeState::Evaluated { findings } => ("evaluated", None, *findings),
                // Said once per absent table, above the rules (`blocked`).
                OutcomeState::NotEvaluable { .. } => ("not_evaluable", None, 0),
                OutcomeState::Disabled { reason } => ("disabled", Some(reason.clone()), 0),
                OutcomeState::Failed { error } => ("failed", Some(error.clone()), 0),
            };
            let findings: Vec<FindingRow<'_>> = ev
                .findings
                .iter()
                .filter(|f| f.rule_id == rule.id)
                .map(|f| row(f, &t))
                .collect();
            rules.push(json!({
                "id": rule.id, "title": texts.title, "description": texts.description,
                "remediation": texts.remediation, "references": texts.references,
                "severity": rule.severity.as_str(),
                "severity_label": word(&format!("sev_{}", rule.severity.as_str())),
                "state": state, "reason": reason, "count": count, "findings": findings,
            }));
        }
        if !rules.is_empty() {
            areas.push(json!({ "key": area.as_str(), "label": label, "rules": rules }));
        }
    }
    let blocked = crate::blocked::lines(ev, &word);
    let explained = input.review.explained_access.as_ref().map(|x| {
        json!({
            "overall": { "events": x.overall.events, "explained": x.overall.explained, "percent": percent(&x.overall, &no_events) },
            "parts": [
                { "title": word("by_system"), "rows": share_rows(&x.by_system, &no_events) },
                { "title": word("by_unit"), "rows": share_rows(&x.by_unit, &no_events) },
                { "title": word("by_week"), "rows": share_rows(&x.by_week, &no_events) },
            ],
            "users": x.users,
        })
    });
    let tables: Vec<Value> = input
        .tables
        .iter()
        .map(|t| {
            let files: Vec<Value> = t
                .files
                .iter()
                .map(|(f, h)| json!({ "file": f, "sha256": h }))
                .collect();
            json!({ "name": t.name, "rows": t.rows, "rejected": t.rejected, "files": files })
        })
        .collect();
    let comparison = input.review.comparison.as_ref().map(|c| {
        let counts = |m: &BTreeMap<String, accessaudit_review::baseline::Counts>| -> Vec<Value> {
            m.iter()
                .map(|(k, n)| json!({ "key": if k.is_empty() { "—" } else { k.as_str() },
                    "new": n.new, "persisting": n.persisting, "resolved": n.resolved, "suppressed": n.suppressed }))
                .collect()
        };
        json!({
            "baseline": c.baseline,
            "parts": [
                { "title": word("rule"), "rows": counts(&c.by_rule) },
                { "title": word("unit"), "rows": counts(&c.by_unit) },
            ],
            "resolved": c.resolved.iter().map(|f| json!({
                "rule_id": f.rule_id, "finding_id": f.finding_id, "message": f.message,
                "first_seen": f.first_seen.as_deref().map(|t| t.get(..10).unwrap_or(t)),
            })).collect::<Vec<_>>(),
        })
    });
    let suppressed: Vec<Value> = ev
        .findings
        .iter()
        .filter_map(|f| {
            let e = ev.suppressed_by.get(&f.finding_id)?;
            Some(
                json!({ "rule_id": f.rule_id, "finding_id": f.finding_id, "message": f.message,
                "exception": e.id, "reason": e.reason, "legal_basis": e.legal_basis,
                "approved_by": e.approved_by, "expires": e.expires.to_string() }),
            )
        })
        .collect();
    let accepted: Vec<Value> = ev
        .findings
        .iter()
        .filter_map(|f| {
            let a = ev.accepted_by.get(&f.finding_id)?;
            Some(json!({ "rule_id": f.rule_id, "finding_id": f.finding_id, "message": f.message,
                "reviewer": a.reviewer, "decided_on": a.decided_on.to_string(), "comment": a.comment }))
        })
        .collect();
    let explained_by: Vec<Value> = ev
        .findings
        .iter()
        .filter_map(|f| {
            let a = ev.explained_by.get(&f.finding_id)?;
            Some(json!({ "rule_id": f.rule_id, "finding_id": f.finding_id, "message": f.message,
                "reviewer": a.reviewer, "decided_on": a.decided_on.to_string(), "comment": a.comment }))
        })
        .collect();
    let progress_intro = input.review.progress.as_ref().map(|p| {
        let returned = p.units.iter().filter(|u| u.returned).count().to_string();
        let (units, revokes) = (
            p.units.len().to_string(),
            p.revokes_not_carried_out.to_string(),
        );
        let (as_of, return_by) = (p.as_of.to_string(), p.return_by.to_string());
        fill(
            &word("prev_review_intro"),
            &[
                ("review", &p.review_id),
                ("as_of", &as_of),
                ("return_by", &return_by),
                ("returned", &returned),
                ("units", &units),
                ("revokes", &revokes),
            ],
        )
    });
    let (cases, cases_more) = case_views(input, &word);
    let snap = input.snapshot;
    let context = json!({
        "cases": cases,
        "cases_more": cases_more,
        "comparison": comparison,
        "suppressed": suppressed,
        "accepted": accepted,
        "explained_by": explained_by,
        "progress": input.review.progress,
        "trends": trends::context(input.review.trends.as_ref(), &t),
        "progress_intro": progress_intro,
        "blocked": blocked,
        "lang": input.lang,
        "t": t,
        "version": env!("CARGO_PKG_VERSION"),
        "rules_version": input.catalog.fingerprint(),
        "organisation": snap.manifest.organisation.clone().unwrap_or_default(),
        "period": { "label": snap.period.label, "from": snap.period.from.to_string(), "to": snap.period.to.to_string() },
        "as_of": snap.as_of.with_timezone(&Tallinn).format("%Y-%m-%d %H:%M:%S %:z").to_string(),
        "observed_intervals": snap.manifest.observed_intervals,
        "total": ev.findings.len(),
        "by_severity": by_severity,
        "by_area": by_area,
        "areas": areas,
        "tables": tables,
        "rejected_rows": input.tables.iter().flat_map(crate::summary::rejected_rows).collect::<Vec<_>>(),
        "absent": snap.absent,
        "explained": explained,
        "chart_rules": chart_rules(ev),
        "chart_weeks": input.review.explained_access.as_ref().map(|x| chart_weeks(x, &no_events)).unwrap_or_default(),
        "filter_placeholder": js_string(&word("filter")),
        "shown_word": js_string(&word("shown")),
    });
    let mut tera = tera::Tera::default();
    tera.add_raw_template("report.html", TEMPLATE)
        .map_err(|e| HtmlError::Template(format!("{e:?}")))?;
    let ctx = tera::Context::from_value(context).map_err(|e| HtmlError::Template(e.to_string()))?;
    tera.render("report.html", &ctx)
        .map_err(|e| HtmlError::Template(format!("{e:?}")))
}
