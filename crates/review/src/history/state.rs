//! What an audit learns from the history: the review before it and the
//! decisions taken on it (for the REV rules), the `keep` decisions in force
//! (for `accepted` findings), each right's previous decision for the next
//! worksheets, and how far the previous review got, for the report.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;

use accessaudit_rules::decisions::{
    Acceptance, PastReview, ReviewState, Revoke, UnitReturn, Violation,
};

use super::issued::IssuedReview;
use super::ledger::{self, LedgerRecord};
use super::{History, HistoryError};
use crate::cases::{Case, Disposition};
use crate::layout::{Decision, SheetKind, DPO_UNIT};
use crate::worksheets::Worksheet;

/// The history as one audit sees it.
#[derive(Debug, Clone)]
pub struct AuditHistory {
    /// The review before this audit's (the latest with an earlier `as_of`).
    pub previous: Option<IssuedReview>,
    /// This audit's own review, when it was issued before (a re-run).
    pub current: Option<IssuedReview>,
    /// Every review with an earlier `as_of` (the previous one included).
    pub earlier: Vec<IssuedReview>,
    /// The ledger's records.
    pub records: Vec<LedgerRecord>,
}

impl History {
    /// The history as the audit issuing `review_id` as of `as_of` sees it.
    pub fn for_audit(
        &self,
        review_id: &str,
        as_of: NaiveDate,
    ) -> Result<AuditHistory, HistoryError> {
        let reviews = self.reviews()?;
        let earlier: Vec<IssuedReview> = reviews
            .iter()
            .filter(|r| r.as_of < as_of && r.review_id != review_id)
            .cloned()
            .collect();
        let previous = earlier.last().cloned();
        let current = reviews.into_iter().find(|r| r.review_id == review_id);
        Ok(AuditHistory {
            previous,
            current,
            earlier,
            records: self.ledger()?,
        })
    }
}

impl AuditHistory {
    /// The decisions in force on `review`'s items, by item id.
    fn decisions(&self, review: &IssuedReview) -> BTreeMap<String, &LedgerRecord> {
        ledger::in_force(&self.records)
            .into_iter()
            .filter(|((id, _), _)| *id == review.review_id)
            .map(|((_, item), r)| (item, r))
            .collect()
    }

    /// The rules' view: the previous review's returns and revokes, and the
    /// `keep` decisions in force (the previous review's, then this audit's
    /// own where it has been imported already).
    pub fn review_state(&self) -> ReviewState {
        let mut state = ReviewState::default();
        let mut accepted: BTreeMap<String, Acceptance> = BTreeMap::new();
        if let Some(previous) = &self.previous {
            let decided = self.decisions(previous);
            let mut past = PastReview {
                review_id: previous.review_id.clone(),
                as_of: previous.as_of,
                units: Vec::new(),
                revokes: Vec::new(),
            };
            for (unit, issued) in previous.units.iter().filter(|(u, _)| *u != DPO_UNIT) {
                let rights: Vec<&String> = issued
                    .items
                    .iter()
                    .filter(|(id, item)| item.is_right(id))
                    .map(|(id, _)| id)
                    .collect();
                past.units.push(UnitReturn {
                    unit: unit.clone(),
                    manager: issued
                        .manager
                        .as_ref()
                        .map(|m| m.to_string())
                        .unwrap_or_default(),
                    rights: rights.len() as u32,
                    decided: rights
                        .iter()
                        .filter(|id| decided.contains_key(**id))
                        .count() as u32,
                });
                for (id, item) in &issued.items {
                    let Some(record) = decided.get(id) else {
                        continue;
                    };
                    if record.decision == Decision::Revoke && item.sheet == SheetKind::Rights {
                        let key = |k: &str| item.keys.get(k).cloned().unwrap_or_default();
                        past.revokes.push(Revoke {
                            unit: unit.clone(),
                            person_id: key("person_id"),
                            system: key("system"),
                            account_id: key("account_id"),
                            role: key("role"),
                            decided_on: record.decided_on,
                            reviewer: record.reviewer_label(),
                        });
                    }
                }
            }
            add_acceptances(&mut accepted, previous, &decided, Decision::Keep);
            state.previous = Some(past);
        }
        if let Some(current) = &self.current {
            add_acceptances(
                &mut accepted,
                current,
                &self.decisions(current),
                Decision::Keep,
            );
        }
        state.accepted = accepted.into_values().collect();
        let mut explained: BTreeMap<String, Acceptance> = BTreeMap::new();
        for review in self.previous.iter().chain(&self.current) {
            add_acceptances(
                &mut explained,
                review,
                &self.decisions(review),
                Decision::Justified,
            );
        }
        state.explained = explained.into_values().collect();
        for review in &self.earlier {
            let decided = self.decisions(review);
            let Some(dpo) = review.units.get(DPO_UNIT) else {
                continue;
            };
            for (id, item) in &dpo.items {
                if let Some(r) = decided
                    .get(id)
                    .filter(|r| r.decision == Decision::Violation)
                {
                    state.violations.push(Violation {
                        case_id: id.clone(),
                        review_id: review.review_id.clone(),
                        person_id: item.keys.get("person_id").cloned().unwrap_or_default(),
                        decided_on: r.decided_on,
                    });
                }
            }
        }
        state
    }

    /// Gives each of `cases` the DPO's disposition in force, when this
    /// audit's own review was issued before and the DPO's sheet imported.
    pub fn dispose(&self, cases: &mut [Case]) {
        let Some(current) = &self.current else {
            return;
        };
        let decided = self.decisions(current);
        for case in cases {
            case.disposition = decided
                .get(&case.case_id)
                .filter(|r| r.sheet == SheetKind::Cases)
                .map(|r| Disposition {
                    disposition: r.decision,
                    by: r.reviewer_label(),
                    decided_on: r.decided_on,
                    comment: r.comment.clone(),
                });
        }
    }

    /// Marks on `sheets` each right's decision in the previous review and
    /// the rights that were not on its worksheets.
    pub fn annotate(&self, sheets: &mut BTreeMap<String, Worksheet>) {
        let Some(previous) = &self.previous else {
            return;
        };
        let decided = self.decisions(previous);
        for sheet in sheets.values_mut() {
            for row in sheet
                .rights
                .iter_mut()
                .filter(|r| r.item_id.starts_with("r-"))
            {
                let before = previous
                    .units
                    .values()
                    .any(|u| u.items.contains_key(&row.item_id));
                row.new_since_last_review = !before;
                if let Some(r) = decided.get(&row.item_id) {
                    row.previous_decision = format!("{} {}", r.decision.as_str(), r.decided_on);
                }
            }
        }
    }

    /// How far the previous review got, for the report and `summary.json`.
    pub fn progress(&self) -> Option<ReviewProgress> {
        let previous = self.previous.as_ref()?;
        let decided = self.decisions(previous);
        let mut units = Vec::new();
        let mut by_decision: BTreeMap<String, usize> = BTreeMap::new();
        for (unit, issued) in previous.units.iter().filter(|(u, _)| *u != DPO_UNIT) {
            let rights = issued.items.iter().filter(|(id, i)| i.is_right(id)).count();
            let done = issued
                .items
                .iter()
                .filter(|(id, i)| i.is_right(id) && decided.contains_key(*id))
                .count();
            let mut kinds: BTreeMap<String, usize> = BTreeMap::new();
            for id in issued.items.keys() {
                if let Some(r) = decided.get(id) {
                    *kinds.entry(r.decision.as_str().to_string()).or_default() += 1;
                    *by_decision
                        .entry(r.decision.as_str().to_string())
                        .or_default() += 1;
                }
            }
            units.push(UnitProgress {
                unit: unit.clone(),
                manager: issued
                    .manager
                    .as_ref()
                    .map(|m| m.to_string())
                    .unwrap_or_default(),
                rights,
                decided: done,
                returned: rights == done,
                decisions: kinds,
            });
        }
        Some(ReviewProgress {
            review_id: previous.review_id.clone(),
            as_of: previous.as_of,
            return_by: previous.return_by,
            units,
            decisions: by_decision,
            revokes_not_carried_out: 0,
        })
    }
}

/// The decisions `wanted` of `review` (a manager's `keep`, the DPO's
/// `justified`) as the acceptance of each finding their rows listed. Each
/// sheet allows its own words, so one walk over every unit serves both.
fn add_acceptances(
    out: &mut BTreeMap<String, Acceptance>,
    review: &IssuedReview,
    decided: &BTreeMap<String, &LedgerRecord>,
    wanted: Decision,
) {
    for issued in review.units.values() {
        for (id, item) in &issued.items {
            let Some(record) = decided.get(id).filter(|r| r.decision == wanted) else {
                continue;
            };
            for finding in &item.findings {
                out.insert(
                    finding.clone(),
                    Acceptance {
                        finding_id: finding.clone(),
                        review_id: review.review_id.clone(),
                        reviewer: record.reviewer_label(),
                        decided_on: record.decided_on,
                        comment: record.comment.clone(),
                    },
                );
            }
        }
    }
}

/// The previous review's state: per unit returned or not, decisions by
/// kind, and how many revokes were not carried out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReviewProgress {
    /// The previous review.
    pub review_id: String,
    /// Its `as_of` day.
    pub as_of: NaiveDate,
    /// Its return deadline.
    pub return_by: NaiveDate,
    /// Per unit.
    pub units: Vec<UnitProgress>,
    /// Decisions by kind over all units.
    pub decisions: BTreeMap<String, usize>,
    /// Revokes REV-01 reports as not carried out (set by the audit).
    pub revokes_not_carried_out: usize,
}

/// One unit's return.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnitProgress {
    /// The unit.
    pub unit: String,
    /// Its manager.
    pub manager: String,
    /// Rights on its worksheet.
    pub rights: usize,
    /// Of them, decided.
    pub decided: usize,
    /// Every right decided.
    pub returned: bool,
    /// Decisions by kind (rights and findings).
    pub decisions: BTreeMap<String, usize>,
}
