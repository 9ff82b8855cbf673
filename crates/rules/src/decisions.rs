//! What the review history tells an audit: the previous review's decisions
//! (for the REV rules) and the `keep` decisions in force (for the status
//! `accepted`). `accessaudit-review` builds it from the history folder and
//! the decision ledger; a rule fixture writes it as TOML (`review = "…"` in
//! `case.toml`). The rules crate never reads the history itself.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use polars::prelude::*;
use serde::{Deserialize, Serialize};

use crate::finding::{Finding, Status};

/// The review state an audit is evaluated against.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReviewState {
    /// The review before this audit's, when the history holds one.
    pub previous: Option<PastReview>,
    /// `keep` decisions on findings in force at this audit's `as_of`: those
    /// of the previous review, and of this audit's own review when it has
    /// been imported already (the later decision wins).
    #[serde(default)]
    pub accepted: Vec<Acceptance>,
    /// The findings of cases the DPO disposed `justified` (the DPO's
    /// acceptance: who, when, why), in this review or the one before.
    #[serde(default)]
    pub explained: Vec<Acceptance>,
    /// Cases the DPO disposed `violation` in earlier reviews (PD-13).
    #[serde(default)]
    pub violations: Vec<Violation>,
}

/// A case the DPO disposed `violation`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Violation {
    /// The case.
    pub case_id: String,
    /// The review it was in.
    pub review_id: String,
    /// The employee.
    pub person_id: String,
    /// When the DPO decided.
    #[serde(deserialize_with = "day")]
    pub decided_on: NaiveDate,
}

/// The previous review, as far as the REV rules need it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PastReview {
    /// Its id.
    pub review_id: String,
    /// Its `as_of` day.
    #[serde(deserialize_with = "day")]
    pub as_of: NaiveDate,
    /// Per unit, how many of its rights the review listed and how many
    /// got a decision.
    #[serde(default)]
    pub units: Vec<UnitReturn>,
    /// The rights decided `revoke`.
    #[serde(default)]
    pub revokes: Vec<Revoke>,
}

/// One unit's return of the previous review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UnitReturn {
    /// The unit.
    pub unit: String,
    /// Its manager as the worksheet named them, `Name (code)`; empty when
    /// none was known.
    #[serde(default)]
    pub manager: String,
    /// Rights on its worksheet.
    pub rights: u32,
    /// Of them, decided.
    pub decided: u32,
}

/// A right the unit's manager decided to revoke.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Revoke {
    /// The unit whose worksheet it was on.
    pub unit: String,
    /// The holder.
    pub person_id: String,
    /// System.
    pub system: String,
    /// The account the worksheet named.
    pub account_id: String,
    /// Role.
    pub role: String,
    /// The day of the decision.
    #[serde(deserialize_with = "day")]
    pub decided_on: NaiveDate,
    /// Who decided, `Name (code)`.
    pub reviewer: String,
}

/// A `keep` decision on a finding: accepted with a reason until the next
/// review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Acceptance {
    /// The finding.
    pub finding_id: String,
    /// The review it was decided in.
    pub review_id: String,
    /// Who decided, `Name (code)`.
    pub reviewer: String,
    /// When.
    #[serde(deserialize_with = "day")]
    pub decided_on: NaiveDate,
    /// Why.
    pub comment: String,
}

/// A day written as text (`2026-07-06`) or as a TOML date (`2026-07-06`
/// unquoted), so a fixture's `review.toml` reads as its author writes it.
fn day<'de, D: serde::Deserializer<'de>>(d: D) -> Result<NaiveDate, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Written {
        Text(String),
        Toml(toml::value::Datetime),
    }
    let text = match Written::deserialize(d)? {
        Written::Text(t) => t,
        Written::Toml(t) => t.to_string(),
    };
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .map_err(|e| serde::de::Error::custom(format!("{text:?} is not a day (YYYY-MM-DD): {e}")))
}

/// What the decisions did to the findings, by finding id.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Applied {
    /// Findings a manager's `keep` made `accepted`.
    pub accepted: BTreeMap<String, Acceptance>,
    /// Findings of a case the DPO justified, now `explained`.
    pub explained: BTreeMap<String, Acceptance>,
}

/// Gives the findings of a case the DPO disposed `justified` the status
/// `explained`, and those a manager's `keep` covers `accepted`, unless an
/// exception already suppresses them (the DPO's word before a manager's).
pub fn apply(findings: &mut [Finding], state: &ReviewState) -> Applied {
    let index = |list: &'_ [Acceptance]| -> BTreeMap<String, Acceptance> {
        list.iter()
            .map(|a| (a.finding_id.clone(), a.clone()))
            .collect()
    };
    let (explained, accepted) = (index(&state.explained), index(&state.accepted));
    let mut applied = Applied::default();
    for f in findings.iter_mut() {
        if f.status == Status::Suppressed {
            continue;
        }
        if let Some(a) = explained.get(&f.finding_id) {
            f.status = Status::Explained;
            applied.explained.insert(f.finding_id.clone(), a.clone());
        } else if let Some(a) = accepted.get(&f.finding_id) {
            f.status = Status::Accepted;
            applied.accepted.insert(f.finding_id.clone(), a.clone());
        }
    }
    applied
}

impl PastReview {
    /// An empty frame of [`PastReview::revokes_frame`]'s shape.
    pub(crate) fn empty_revokes() -> PolarsResult<DataFrame> {
        PastReview {
            review_id: String::new(),
            as_of: NaiveDate::default(),
            units: Vec::new(),
            revokes: Vec::new(),
        }
        .revokes_frame()
    }

    /// The revoke decisions as a frame: `unit`, `person_id`, `system`,
    /// `decided_account`, `role`, `decided_on` (date), `reviewer`.
    pub(crate) fn revokes_frame(&self) -> PolarsResult<DataFrame> {
        let text = |f: fn(&Revoke) -> &str| -> Vec<String> {
            self.revokes.iter().map(|r| f(r).to_string()).collect()
        };
        let days: Vec<i32> = self
            .revokes
            .iter()
            .map(|r| crate::checks::facts::days_since_epoch(r.decided_on))
            .collect();
        DataFrame::new_infer_height(vec![
            Column::new("unit".into(), text(|r| &r.unit)),
            Column::new("person_id".into(), text(|r| &r.person_id)),
            Column::new("system".into(), text(|r| &r.system)),
            Column::new("decided_account".into(), text(|r| &r.account_id)),
            Column::new("role".into(), text(|r| &r.role)),
            Column::new("decided_on".into(), days).cast(&DataType::Date)?,
            Column::new("reviewer".into(), text(|r| &r.reviewer)),
        ])
    }
}
