//! Trends over the runs a history holds: findings per area and per unit in
//! each review, how many reviews in a row each finding of the latest review
//! has been open (ageing), and per rule the median number of reviews a
//! finding stayed open before it was resolved.
//!
//! A review is one `as_of`; when several snapshots of one `as_of` were
//! audited, the one recorded last counts.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use serde::Serialize;

use accessaudit_rules::Finding;

use super::files::{self, HistoryError};
use super::runs::Run;
use super::History;

/// One review's counts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReviewPoint {
    /// The run's folder name.
    pub run: String,
    /// Its `as_of` day.
    pub as_of: NaiveDate,
    /// Findings in all.
    pub total: usize,
    /// By area id.
    pub by_area: BTreeMap<String, usize>,
    /// By unit (empty: no unit).
    pub by_unit: BTreeMap<String, usize>,
}

/// A finding of the latest review and how long it has been open.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Aged {
    /// The finding.
    pub finding_id: String,
    /// Its rule.
    pub rule_id: String,
    /// Its unit.
    pub unit: String,
    /// Reviews in a row, up to the latest, that listed it.
    pub reviews_open: usize,
    /// Its message in the latest review.
    pub message: String,
}

/// The trends of a history.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Trends {
    /// The last reviews, oldest first.
    pub reviews: Vec<ReviewPoint>,
    /// The latest review's findings open for more than one review, longest first.
    pub ageing: Vec<Aged>,
    /// Per rule, the median number of reviews a resolved finding was open.
    pub median_reviews_to_resolution: BTreeMap<String, f64>,
}

impl History {
    /// The trends over the last `last` reviews (all reviews feed the
    /// resolution medians).
    pub fn trends(&self, last: usize) -> Result<Trends, HistoryError> {
        let runs = one_per_review(self.runs()?);
        let mut reviews: Vec<(Run, Vec<Finding>)> = Vec::with_capacity(runs.len());
        for run in runs {
            let path = run.dir.join("findings.jsonl");
            let text = std::fs::read_to_string(&path).map_err(files::io(&path))?;
            let findings =
                accessaudit_rules::findings_file::read_jsonl(&path.display().to_string(), &text)
                    .map_err(|e| HistoryError::Corrupt {
                        path: path.clone(),
                        line: None,
                        why: e.to_string(),
                    })?;
            reviews.push((run, findings));
        }
        let ids: Vec<BTreeSet<&str>> = reviews
            .iter()
            .map(|(_, f)| f.iter().map(|x| x.finding_id.as_str()).collect())
            .collect();
        let ageing = match reviews.last() {
            Some((_, latest)) => {
                let mut aged: Vec<Aged> = latest
                    .iter()
                    .map(|f| Aged {
                        finding_id: f.finding_id.clone(),
                        rule_id: f.rule_id.clone(),
                        unit: f.unit.clone().unwrap_or_default(),
                        reviews_open: ids
                            .iter()
                            .rev()
                            .take_while(|set| set.contains(f.finding_id.as_str()))
                            .count(),
                        message: f.message.clone(),
                    })
                    .filter(|a| a.reviews_open > 1)
                    .collect();
                aged.sort_by(|a, b| {
                    (b.reviews_open, &a.rule_id, &a.finding_id).cmp(&(
                        a.reviews_open,
                        &b.rule_id,
                        &b.finding_id,
                    ))
                });
                aged
            }
            None => Vec::new(),
        };
        let median_reviews_to_resolution = resolution_medians(&reviews, &ids);
        let start = reviews.len().saturating_sub(last);
        let points = reviews[start..]
            .iter()
            .map(|(run, findings)| {
                let mut by_area: BTreeMap<String, usize> = BTreeMap::new();
                let mut by_unit: BTreeMap<String, usize> = BTreeMap::new();
                for f in findings {
                    *by_area.entry(f.area.as_str().to_string()).or_default() += 1;
                    *by_unit
                        .entry(f.unit.clone().unwrap_or_default())
                        .or_default() += 1;
                }
                ReviewPoint {
                    run: run.name.clone(),
                    as_of: run.as_of,
                    total: findings.len(),
                    by_area,
                    by_unit,
                }
            })
            .collect();
        Ok(Trends {
            reviews: points,
            ageing,
            median_reviews_to_resolution,
        })
    }
}

/// One run per `as_of`: the one written last.
fn one_per_review(runs: Vec<Run>) -> Vec<Run> {
    let mut by_day: BTreeMap<NaiveDate, Run> = BTreeMap::new();
    for run in runs {
        let written = |r: &Run| std::fs::metadata(&r.dir).and_then(|m| m.modified()).ok();
        match by_day.get(&run.as_of) {
            Some(kept) if written(kept) >= written(&run) => {}
            _ => {
                by_day.insert(run.as_of, run);
            }
        }
    }
    by_day.into_values().collect()
}

/// Per rule, the median length (in reviews) of the stretches a finding was
/// listed and then no longer: only stretches whose end was seen count.
fn resolution_medians(
    reviews: &[(Run, Vec<Finding>)],
    ids: &[BTreeSet<&str>],
) -> BTreeMap<String, f64> {
    let mut lengths: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, (_, findings)) in reviews.iter().enumerate() {
        let Some(next) = ids.get(i + 1) else { break };
        for f in findings {
            let id = f.finding_id.as_str();
            if next.contains(id) {
                continue;
            }
            // Resolved after review i: how many reviews in a row up to i.
            let open = ids[..=i]
                .iter()
                .rev()
                .take_while(|s| s.contains(id))
                .count();
            lengths.entry(f.rule_id.clone()).or_default().push(open);
        }
    }
    lengths
        .into_iter()
        .map(|(rule, mut v)| {
            v.sort_unstable();
            let n = v.len();
            let median = if n % 2 == 1 {
                v[n / 2] as f64
            } else {
                (v[n / 2 - 1] + v[n / 2]) as f64 / 2.0
            };
            (rule, median)
        })
        .collect()
}
