//! The checks of a returned worksheet against the review that issued it:
//! item known, key columns unchanged, decision word known, comment where
//! one is needed, the decision dated. Every problem names file, sheet, row,
//! column and value.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;

use super::sheet::{column_letters, RawRow, RawSheet};
use crate::history::issued::{IssuedReview, IssuedUnit};
use crate::history::ledger::NewDecision;
use crate::layout::{self, Column, Decision, HeaderField, SheetKind};
use crate::worksheets::Manager;

/// One problem of a returned worksheet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Where: the file and sheet.
    pub place: String,
    /// The row as the spreadsheet shows it, when the problem is in one.
    pub row: Option<u32>,
    /// The column (letter and header), when the problem is in one.
    pub column: Option<String>,
    /// The value found.
    pub value: Option<String>,
    /// What is wrong.
    pub message: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.place)?;
        if let Some(row) = self.row {
            write!(f, ", row {row}")?;
        }
        if let Some(column) = &self.column {
            write!(f, ", column {column}")?;
        }
        if let Some(value) = &self.value {
            write!(f, ": {value:?}")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// What one sheet says before it is checked against a review: which review
/// and unit it belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SheetOrigin {
    /// The review id.
    pub review_id: String,
    /// The unit.
    pub unit: String,
}

/// Which review and unit `sheet` belongs to: the XLSX header block, or the
/// CSV's `review_id` and `unit` columns (one value throughout).
pub fn origin(sheet: &RawSheet) -> Result<SheetOrigin, Problem> {
    let problem = |row: Option<u32>,
                   column: Option<String>,
                   value: Option<String>,
                   message: String| Problem {
        place: sheet.place(),
        row,
        column,
        value,
        message,
    };
    if sheet.sheet.is_some() {
        let field = |f: HeaderField| {
            sheet
                .header
                .get(&f)
                .filter(|(_, v)| !v.trim().is_empty())
                .map(|(row, v)| (*row, v.trim().to_string()))
                .ok_or_else(|| {
                    problem(
                        None,
                        None,
                        None,
                        format!("the header block has no {:?} value", f.label("en")),
                    )
                })
        };
        return Ok(SheetOrigin {
            review_id: field(HeaderField::ReviewId)?.1,
            unit: field(HeaderField::Unit)?.1,
        });
    }
    let one_value = |column: &Column| -> Result<String, Problem> {
        let Some(i) = sheet.column(column) else {
            return Err(problem(
                None,
                None,
                None,
                format!("no column {:?}", column.key),
            ));
        };
        let mut seen: Option<String> = None;
        for row in &sheet.rows {
            let v = row
                .cells
                .get(i)
                .map(|c| c.trim().to_string())
                .unwrap_or_default();
            match &seen {
                None if !v.is_empty() => seen = Some(v),
                Some(s) if *s != v => {
                    return Err(problem(
                        Some(row.number),
                        Some(column_name(sheet, i)),
                        Some(v),
                        format!("every row must carry the same {} ({s:?} above)", column.key),
                    ))
                }
                _ => {}
            }
        }
        seen.ok_or_else(|| {
            problem(
                None,
                Some(column_name(sheet, i)),
                None,
                "empty in every row".into(),
            )
        })
    };
    Ok(SheetOrigin {
        review_id: one_value(&layout::REVIEW_ID)?,
        unit: one_value(&layout::RIGHTS[1])?,
    })
}

/// `B (decision)`: the column's letter and header as written.
fn column_name(sheet: &RawSheet, i: usize) -> String {
    format!(
        "{} ({})",
        column_letters(i),
        sheet.columns.get(i).map(String::as_str).unwrap_or_default()
    )
}

/// Checks every row of `sheet` (of `unit` in `review`) and returns the
/// decided rows, or every problem found. `today` bounds the decision dates.
pub fn check(
    sheet: &RawSheet,
    review: &IssuedReview,
    unit: &str,
    issued: &IssuedUnit,
    file: (&str, &str),
    today: NaiveDate,
) -> Result<Vec<NewDecision>, Vec<Problem>> {
    let mut problems = Vec::new();
    let problem = |row: &RawRow, i: Option<usize>, message: String| Problem {
        place: sheet.place(),
        row: Some(row.number),
        column: i.map(|i| column_name(sheet, i)),
        value: i.map(|i| row.cells.get(i).cloned().unwrap_or_default()),
        message,
    };
    let columns = sheet.kind.columns();
    let mut index: BTreeMap<&str, usize> = BTreeMap::new();
    for c in &columns {
        let needed = c.key_column || c.editable || c.key == layout::ITEM_ID.key;
        match sheet.column(c) {
            Some(i) => {
                index.insert(c.key, i);
            }
            None if needed => problems.push(Problem {
                place: sheet.place(),
                row: Some(sheet.header_row),
                column: None,
                value: None,
                message: format!(
                    "the column {:?} ({:?}) is missing from the header row",
                    c.key, c.et
                ),
            }),
            None => {}
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let at = |key: &str| index.get(key).copied();
    let cell = |row: &RawRow, key: &str| -> String {
        at(key)
            .and_then(|i| row.cells.get(i))
            .map(|v| v.trim().to_string())
            .unwrap_or_default()
    };
    // The DPO names themself in the header block of their sheet; a unit's
    // reviewer is the manager its worksheet named.
    let reviewer = if sheet.kind == SheetKind::Cases {
        match sheet
            .header
            .get(&HeaderField::Manager)
            .map(|(_, v)| v.trim())
        {
            Some(name) if !name.is_empty() => Some(Manager::parse(name)),
            _ => {
                return Err(vec![Problem {
                    place: sheet.place(),
                    row: sheet.header.get(&HeaderField::Manager).map(|(r, _)| *r),
                    column: Some("B".into()),
                    value: None,
                    message: "the DPO's name is missing from the header block".into(),
                }])
            }
        }
    } else {
        issued.manager.clone()
    };
    let mut decided = Vec::new();
    let mut seen: BTreeSet<String> = BTreeSet::new();
    for row in &sheet.rows {
        let item_id = cell(row, "item_id");
        let decision_key = sheet.kind.decision_column().key;
        let word = cell(row, decision_key);
        if item_id.is_empty() {
            if !word.is_empty() {
                problems.push(problem(
                    row,
                    at(decision_key),
                    "a row without an item_id has nothing to decide".into(),
                ));
            }
            continue;
        }
        if !seen.insert(item_id.clone()) {
            problems.push(problem(
                row,
                at("item_id"),
                "this item is on the sheet twice".into(),
            ));
            continue;
        }
        let Some(item) = issued.items.get(&item_id).filter(|i| i.sheet == sheet.kind) else {
            problems.push(problem(
                row,
                at("item_id"),
                format!(
                    "review {} issued no such {} item for unit {unit:?}",
                    review.review_id,
                    sheet.kind.as_str()
                ),
            ));
            continue;
        };
        for (key, expected) in &item.keys {
            let found = cell(row, key);
            if found != *expected {
                problems.push(problem(
                    row,
                    at(key),
                    format!("the key column {key} was changed: the review issued {expected:?}"),
                ));
            }
        }
        if word.is_empty() {
            continue;
        }
        let allowed = sheet.kind.decisions();
        let decision = match Decision::parse(&word) {
            Some(d) if allowed.contains(&d) => d,
            _ => {
                let words = |lang: &str| {
                    allowed
                        .iter()
                        .map(|d| d.word(lang))
                        .collect::<Vec<_>>()
                        .join(", ")
                };
                problems.push(problem(
                    row,
                    at(decision_key),
                    format!(
                        "not a decision of this sheet: expected {} ({})",
                        words("en"),
                        words("et")
                    ),
                ));
                continue;
            }
        };
        let comment = cell(row, "comment");
        let needs_comment = matches!(decision, Decision::Change | Decision::Justified)
            || (decision == Decision::Keep && !item.findings.is_empty());
        if needs_comment && comment.is_empty() {
            let why = match decision {
                Decision::Change => "a change needs a comment saying what to change",
                Decision::Justified => "a justified case needs a comment saying why",
                _ => "keeping a row with a finding needs a comment giving the reason",
            };
            problems.push(problem(row, at("comment"), why.into()));
        }
        let day_text = cell(row, "decided_on");
        let decided_on = match parse_day(&day_text) {
            None => {
                problems.push(problem(
                    row,
                    at("decided_on"),
                    "a decision needs its date (YYYY-MM-DD or DD.MM.YYYY)".into(),
                ));
                continue;
            }
            Some(d) if d < review.as_of => {
                problems.push(problem(
                    row,
                    at("decided_on"),
                    format!("before the review's as_of ({})", review.as_of),
                ));
                continue;
            }
            Some(d) if d > today => {
                problems.push(problem(
                    row,
                    at("decided_on"),
                    format!("after today ({today})"),
                ));
                continue;
            }
            Some(d) => d,
        };
        decided.push(NewDecision {
            review_id: review.review_id.clone(),
            unit: unit.to_string(),
            item_id,
            sheet: sheet.kind,
            decision,
            comment,
            decided_on,
            reviewer: reviewer.clone(),
            file: file.0.to_string(),
            file_sha256: file.1.to_string(),
            row: row.number,
        });
    }
    if problems.is_empty() {
        Ok(decided)
    } else {
        Err(problems)
    }
}

/// A day as a manager writes it: `2026-10-05` or `05.10.2026`.
pub fn parse_day(text: &str) -> Option<NaiveDate> {
    let t = text.trim();
    NaiveDate::parse_from_str(t, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(t, "%d.%m.%Y"))
        .ok()
}
