//! The reviews audits issued: per review, its `as_of`, return deadline and
//! every worksheet item with the key columns as written, so a returned
//! worksheet can be checked against what was sent out.

use std::collections::BTreeMap;
use std::path::PathBuf;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::files::{self, HistoryError};
use super::History;
use crate::layout::{SheetKind, FINDINGS, RIGHTS};
use crate::worksheets::{Manager, ReviewHeader, Worksheet};

/// The format of the files in `reviews/`.
const FORMAT_VERSION: u32 = 1;

/// One issued review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IssuedReview {
    /// The file format, [`FORMAT_VERSION`].
    pub format_version: u32,
    /// The review id.
    pub review_id: String,
    /// The audit's period.
    pub period: String,
    /// The audit's `as_of` day.
    pub as_of: NaiveDate,
    /// The day the worksheets are due back.
    pub return_by: NaiveDate,
    /// The worksheets, by unit.
    pub units: BTreeMap<String, IssuedUnit>,
}

/// One unit's worksheet as issued.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IssuedUnit {
    /// The manager the worksheet named.
    pub manager: Option<Manager>,
    /// Its rows that can be decided, by item id.
    pub items: BTreeMap<String, IssuedItem>,
}

/// One worksheet row that can be decided.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IssuedItem {
    /// The sheet it is on.
    pub sheet: SheetKind,
    /// Its key columns as written (the layout's `key_column`s).
    pub keys: BTreeMap<String, String>,
    /// The open findings about it (a Findings row: itself).
    #[serde(default)]
    pub findings: Vec<String>,
}

impl IssuedItem {
    /// Whether the item is a right (`r-…`), which a decision must cover for
    /// the unit's review to be returned. A person holding no right is listed
    /// but has nothing to decide.
    pub fn is_right(&self, item_id: &str) -> bool {
        self.sheet == SheetKind::Rights && item_id.starts_with("r-")
    }
}

impl IssuedReview {
    /// The review the worksheets of one audit issue.
    pub fn of(
        period: &str,
        as_of: NaiveDate,
        header: &ReviewHeader,
        sheets: &BTreeMap<String, Worksheet>,
    ) -> Self {
        let mut units = BTreeMap::new();
        for (unit, sheet) in sheets {
            let mut items = BTreeMap::new();
            for r in sheet.rights.iter().filter(|r| !r.item_id.is_empty()) {
                let values = [
                    ("person_id", &r.person_id),
                    ("system", &r.system),
                    ("account_id", &r.account_id),
                    ("role", &r.role),
                ];
                items.insert(
                    r.item_id.clone(),
                    IssuedItem {
                        sheet: SheetKind::Rights,
                        keys: keys(&RIGHTS, &values),
                        findings: r.finding_ids.clone(),
                    },
                );
            }
            for f in &sheet.findings {
                let values = [
                    ("rule_id", &f.rule_id),
                    ("person_id", &f.person_id),
                    ("system", &f.system),
                    ("account_id", &f.account_id),
                    ("role", &f.role),
                ];
                items.insert(
                    f.item_id.clone(),
                    IssuedItem {
                        sheet: SheetKind::Findings,
                        keys: keys(&FINDINGS, &values),
                        findings: vec![f.item_id.clone()],
                    },
                );
            }
            units.insert(
                unit.clone(),
                IssuedUnit {
                    manager: sheet.manager.clone(),
                    items,
                },
            );
        }
        IssuedReview {
            format_version: FORMAT_VERSION,
            review_id: header.review_id.clone(),
            period: period.to_string(),
            as_of,
            return_by: header.return_by,
            units,
        }
    }

    /// Adds the DPO's cases as the items of the pseudo-unit
    /// [`crate::layout::DPO_UNIT`], each with its employee and findings.
    pub fn with_cases(mut self, cases: &[crate::cases::Case]) -> Self {
        if cases.is_empty() {
            return self;
        }
        let items = cases
            .iter()
            .map(|c| {
                let person = c.person_id.clone().unwrap_or_default();
                (
                    c.case_id.clone(),
                    IssuedItem {
                        sheet: SheetKind::Cases,
                        keys: [("person_id".to_string(), person)].into(),
                        findings: c.findings.clone(),
                    },
                )
            })
            .collect();
        self.units.insert(
            crate::layout::DPO_UNIT.to_string(),
            IssuedUnit {
                manager: None,
                items,
            },
        );
        self
    }

    /// Merges what `other` (the same review issued again) adds: units and
    /// items not recorded yet. What was recorded stays as it was: decisions
    /// may already refer to it.
    fn merge(&mut self, other: IssuedReview) {
        for (unit, issued) in other.units {
            let mine = self.units.entry(unit).or_insert_with(|| IssuedUnit {
                manager: issued.manager.clone(),
                items: BTreeMap::new(),
            });
            for (id, item) in issued.items {
                mine.items.entry(id).or_insert(item);
            }
        }
    }
}

/// The key columns of a sheet with their values.
fn keys(columns: &[crate::layout::Column], values: &[(&str, &String)]) -> BTreeMap<String, String> {
    values
        .iter()
        .filter(|(k, _)| columns.iter().any(|c| c.key_column && c.key == *k))
        .map(|(k, v)| (k.to_string(), (*v).clone()))
        .collect()
}

impl History {
    fn review_path(&self, review_id: &str) -> PathBuf {
        self.reviews_dir().join(format!("{review_id}.json"))
    }

    /// Records `review` (merged into the same review recorded before).
    pub fn record(&self, review: IssuedReview) -> Result<(), HistoryError> {
        let path = self.review_path(&review.review_id);
        let merged = match self.review(&review.review_id)? {
            Some(mut old) => {
                old.merge(review);
                old
            }
            None => review,
        };
        let mut text =
            serde_json::to_string_pretty(&merged).map_err(|e| HistoryError::Corrupt {
                path: path.clone(),
                line: None,
                why: e.to_string(),
            })?;
        text.push('\n');
        files::replace(&path, text.as_bytes())
    }

    /// The review recorded under `review_id`, if any.
    pub fn review(&self, review_id: &str) -> Result<Option<IssuedReview>, HistoryError> {
        let path = self.review_path(review_id);
        if !path.exists() {
            return Ok(None);
        }
        read_review(path).map(Some)
    }

    /// Every review recorded, oldest `as_of` first.
    pub fn reviews(&self) -> Result<Vec<IssuedReview>, HistoryError> {
        let dir = self.reviews_dir();
        if !dir.exists() {
            return Ok(Vec::new());
        }
        let mut out = Vec::new();
        for entry in std::fs::read_dir(&dir).map_err(files::io(&dir))? {
            let path = entry.map_err(files::io(&dir))?.path();
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().to_string())
                .unwrap_or_default();
            if name.ends_with(".json") && !name.starts_with('.') {
                out.push(read_review(path)?);
            }
        }
        out.sort_by(|a, b| (a.as_of, &a.review_id).cmp(&(b.as_of, &b.review_id)));
        Ok(out)
    }
}

fn read_review(path: PathBuf) -> Result<IssuedReview, HistoryError> {
    let text = std::fs::read_to_string(&path).map_err(files::io(&path))?;
    let version = serde_json::from_str::<serde_json::Value>(&text)
        .ok()
        .and_then(|v| v.get("format_version").and_then(|n| n.as_u64()));
    if version != Some(u64::from(FORMAT_VERSION)) {
        return Err(HistoryError::Corrupt {
            path,
            line: None,
            why: format!(
                "format_version {} is not {FORMAT_VERSION}: written by another version of accessaudit",
                version.map(|v| v.to_string()).unwrap_or_else(|| "missing".into())
            ),
        });
    }
    serde_json::from_str(&text).map_err(|e| HistoryError::Corrupt {
        path,
        line: Some(e.line()),
        why: e.to_string(),
    })
}
