//! A check's output rows: the findings they are, and the input rows a
//! data-quality rule marks as unusable. The one place that assigns finding
//! ids, severities and messages.

use std::collections::HashMap;

use polars::prelude::*;

use crate::checks::Context;
use crate::definition::Rule;
use crate::display;
use crate::finding::{finding_id, Finding, Status, TEXT_COLUMNS};
use crate::severity::Severity;

/// The input rows a data-quality rule's output marks as unusable.
pub(super) fn exclusions(rows: &DataFrame) -> PolarsResult<Vec<(&'static str, u32, u64)>> {
    if rows.column("excludes").is_err() {
        return Ok(Vec::new());
    }
    let flags = rows.column("excludes")?.bool()?.clone();
    let tables = rows.column("ref_table")?.str()?.clone();
    let files = rows.column("ref_file")?.u32()?.clone();
    let numbers = rows.column("ref_row")?.u64()?.clone();
    let mut out = Vec::new();
    for i in 0..rows.height() {
        if flags.get(i) != Some(true) {
            continue;
        }
        let table = tables
            .get(i)
            .and_then(accessaudit_ingest::contract::table)
            .map(|t| t.name);
        if let (Some(t), Some(f), Some(r)) = (table, files.get(i), numbers.get(i)) {
            out.push((t, f, r));
        }
    }
    Ok(out)
}

/// "at least 5" (`vähemalt 5`): a lateness that is a lower bound.
fn at_least(lang: &str, days: &str) -> String {
    match lang {
        "et" => format!("vähemalt {days}"),
        _ => format!("at least {days}"),
    }
}

/// Turns a check's output rows into findings of `rule`.
pub(super) fn to_findings(
    rule: &Rule,
    ctx: &Context<'_>,
    rows: &DataFrame,
) -> PolarsResult<Vec<Finding>> {
    let (snapshot, pseudonyms) = (ctx.snapshot, ctx.pseudonyms);
    let texts = rule.texts(&ctx.lang);
    // Intervals observed in periodic dumps are the certain part of the true
    // ones, so a lateness measured on them is a lower bound, and said so.
    let lower_bounds = snapshot.manifest.observed_intervals;
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
        // Data subjects appear only as pseudonyms: in the column, in the
        // message, and in the hash behind the finding id, which hashes the
        // pseudonym even when codes are shown, so that ids (and a baseline
        // comparison) do not depend on --reveal-subjects.
        let mut pseudonym = None;
        if let Some(Some(code)) = values.get("subject") {
            pseudonym = Some(pseudonyms.pseudonym(code));
            let label = pseudonyms.label(code);
            values.insert("subject", Some(label));
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
            .map(|g| match (g.as_str(), &pseudonym) {
                ("subject", Some(p)) => Some(p.as_str()),
                _ => values.get(g.as_str()).and_then(|v| v.as_deref()),
            })
            .collect();
        // A check writes a severity only from a severity parameter, which
        // the loader has checked; a word that is not one is an error, never
        // the rule's default in disguise.
        let severity = match values.get("severity").and_then(|v| v.as_deref()) {
            None => rule.severity,
            Some(word) => Severity::parse(word)
                .ok_or_else(|| polars_err!(ComputeError: "severity {word:?} is not a severity"))?,
        };
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
            message: texts.render_message(|name| {
                let value = values.get(name).cloned().flatten()?;
                Some(match name {
                    "days_late" if lower_bounds => at_least(&ctx.lang, &value),
                    _ => value,
                })
            }),
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
