//! Accepted risks (`--exceptions FILE`): entries that suppress matching
//! findings until they expire. The file is validated with line numbers
//! before anything runs; entries that expired or matched nothing are
//! reported by the EXC rules, so the list of accepted risks cannot rot.
//!
//! ```toml
//! [[exception]]
//! id = "EX-2026-014"
//! rule = "ACC-07"                       # or: finding_id = "..."
//! match = { system = "SKAIS", account_id = "mmaasikas" }
//! reason = "Account kept for the pension recalculation project"
//! legal_basis = "Director's order 1.1-2/123"
//! approved_by = "38001010014"
//! expires = 2026-12-31
//! ```

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Deserialize;
use toml::Spanned;

use crate::catalog::{line_of, Catalog};
use crate::error::{DefinitionProblem, RulesError};
use crate::finding::{Finding, Status, COLUMNS};

use polars::prelude::*;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ExceptionsFile {
    #[serde(default)]
    exception: Vec<Spanned<Entry>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    id: Option<String>,
    rule: Option<Spanned<String>>,
    finding_id: Option<String>,
    #[serde(default, rename = "match")]
    matches: BTreeMap<Spanned<String>, String>,
    reason: Option<String>,
    legal_basis: Option<String>,
    approved_by: Option<String>,
    expires: Option<Spanned<toml::value::Datetime>>,
}

/// One accepted risk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exception {
    /// The agency's own reference (or `line N` when it gave none).
    pub id: String,
    /// The rule it covers, when given by rule.
    pub rule: Option<String>,
    /// The one finding it covers, when given by finding id.
    pub finding_id: Option<String>,
    /// Finding columns that must equal these values.
    pub matches: BTreeMap<String, String>,
    /// Why the risk is accepted.
    pub reason: String,
    /// The decision behind it.
    pub legal_basis: String,
    /// Who approved it.
    pub approved_by: String,
    /// Last day it applies.
    pub expires: NaiveDate,
    /// Line of the entry in the file.
    pub line: usize,
}

impl Exception {
    /// Whether the entry covers `f`.
    pub fn covers(&self, f: &Finding) -> bool {
        if let Some(id) = &self.finding_id {
            if &f.finding_id != id {
                return false;
            }
        }
        if let Some(rule) = &self.rule {
            if !f.rule_id.eq_ignore_ascii_case(rule) {
                return false;
            }
        }
        self.matches
            .iter()
            .all(|(column, value)| f.value(column).as_deref() == Some(value.as_str()))
    }
}

/// The validated exceptions file.
#[derive(Debug, Clone, Default)]
pub struct Exceptions {
    /// The file as named on the command line.
    pub file: String,
    /// Its entries in file order.
    pub entries: Vec<Exception>,
}

impl Exceptions {
    /// Reads and validates an exceptions file against the catalogue. Every
    /// problem is reported with its line: an unknown rule id, an entry with
    /// neither rule nor finding_id, a missing reason, approver or expiry, a
    /// match on a column findings do not have.
    pub fn parse(file: &str, text: &str, catalog: &Catalog) -> Result<Self, RulesError> {
        let problem = |line: usize, message: String| DefinitionProblem {
            file: file.to_string(),
            line,
            message,
        };
        let parsed: ExceptionsFile = toml::from_str(text).map_err(|e| RulesError::Definitions {
            problems: vec![problem(
                e.span().map_or(0, |s| line_of(text, s.start)),
                e.message().to_string(),
            )],
        })?;
        let mut problems = Vec::new();
        let mut entries = Vec::new();
        for spanned in parsed.exception {
            let line = line_of(text, spanned.span().start);
            let e = spanned.into_inner();
            let name = e.id.clone().unwrap_or_else(|| format!("line {line}"));
            let before = problems.len();
            if let Some(rule) = &e.rule {
                if catalog.get(rule.get_ref()).is_none() {
                    problems.push(problem(
                        line_of(text, rule.span().start),
                        format!("exception {name}: unknown rule id {:?}", rule.get_ref()),
                    ));
                }
            }
            if e.rule.is_none() && e.finding_id.is_none() {
                problems.push(problem(
                    line,
                    format!("exception {name}: give rule or finding_id"),
                ));
            }
            for column in e.matches.keys() {
                if !COLUMNS.contains(&column.get_ref().as_str()) {
                    problems.push(problem(
                        line_of(text, column.span().start),
                        format!(
                            "exception {name}: {:?} is not a finding column",
                            column.get_ref()
                        ),
                    ));
                }
            }
            let blank = |v: &Option<String>| v.as_deref().is_none_or(|s| s.trim().is_empty());
            for (field, missing) in [
                ("reason", blank(&e.reason)),
                ("approved_by", blank(&e.approved_by)),
            ] {
                if missing {
                    problems.push(problem(
                        line,
                        format!("exception {name}: {field} is missing"),
                    ));
                }
            }
            let expires = match &e.expires {
                None => {
                    problems.push(problem(
                        line,
                        format!("exception {name}: expires is missing"),
                    ));
                    None
                }
                Some(d) => {
                    let parsed = d.get_ref().date.and_then(|d| {
                        NaiveDate::from_ymd_opt(
                            i32::from(d.year),
                            u32::from(d.month),
                            u32::from(d.day),
                        )
                    });
                    if parsed.is_none() {
                        problems.push(problem(
                            line_of(text, d.span().start),
                            format!("exception {name}: expires must be a date such as 2026-12-31"),
                        ));
                    }
                    parsed
                }
            };
            if problems.len() > before {
                continue;
            }
            let Some(expires) = expires else { continue };
            entries.push(Exception {
                id: name,
                rule: e.rule.map(|r| r.into_inner().to_uppercase()),
                finding_id: e.finding_id,
                matches: e
                    .matches
                    .into_iter()
                    .map(|(k, v)| (k.into_inner(), v))
                    .collect(),
                reason: e.reason.unwrap_or_default().trim().to_string(),
                legal_basis: e.legal_basis.unwrap_or_default().trim().to_string(),
                approved_by: e.approved_by.unwrap_or_default().trim().to_string(),
                expires,
                line,
            });
        }
        if problems.is_empty() {
            Ok(Exceptions {
                file: file.to_string(),
                entries,
            })
        } else {
            Err(RulesError::Definitions { problems })
        }
    }
}

/// Marks the findings an unexpired exception covers as suppressed, and
/// returns which exception covers which finding and the exceptions' table
/// for the EXC rules (with how many findings each matched, or would have).
pub(crate) fn apply(
    findings: &mut [Finding],
    exceptions: &Exceptions,
    today: NaiveDate,
) -> PolarsResult<(BTreeMap<String, Exception>, DataFrame)> {
    let mut suppressed = BTreeMap::new();
    let mut matched = vec![0u32; exceptions.entries.len()];
    for f in findings.iter_mut() {
        let mut covered = false;
        for (i, e) in exceptions.entries.iter().enumerate() {
            if !e.covers(f) {
                continue;
            }
            matched[i] += 1;
            if !covered && e.expires >= today {
                covered = true;
                f.status = Status::Suppressed;
                suppressed.insert(f.finding_id.clone(), e.clone());
            }
        }
    }
    let epoch = chrono::NaiveDate::default();
    let e = &exceptions.entries;
    let table = DataFrame::new_infer_height(vec![
        Column::new(
            "id".into(),
            e.iter().map(|x| x.id.clone()).collect::<Vec<_>>(),
        ),
        Column::new(
            "line".into(),
            e.iter()
                .map(|x| format!("{}:{}", exceptions.file, x.line))
                .collect::<Vec<_>>(),
        ),
        Column::new(
            "reason".into(),
            e.iter().map(|x| x.reason.clone()).collect::<Vec<_>>(),
        ),
        Column::new(
            "approved_by".into(),
            e.iter().map(|x| x.approved_by.clone()).collect::<Vec<_>>(),
        ),
        Column::new(
            "expires".into(),
            e.iter()
                .map(|x| x.expires.signed_duration_since(epoch).num_days() as i32)
                .collect::<Vec<_>>(),
        )
        .cast(&DataType::Date)?,
        Column::new(
            "expired".into(),
            e.iter().map(|x| x.expires < today).collect::<Vec<_>>(),
        ),
        Column::new("matched".into(), matched),
    ])?;
    Ok((suppressed, table))
}
