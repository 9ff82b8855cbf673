//! Trends over the runs a history holds: findings per area and per unit in
//! each review, how many reviews in a row each finding of the latest review
//! has been open (ageing), and per rule the median number of reviews a
//! finding stayed open before it was resolved.
//!
//! A review is one `as_of`; when several snapshots of one `as_of` were
//! audited, the one recorded last counts. An audit's report shows the trends
//! with itself as the latest review ([`History::trends_with`]), before the
//! history records it.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use serde::Serialize;

use accessaudit_rules::Finding;

use super::files::{self, HistoryError};
use super::runs::Run;
use super::History;

/// How many of the latest reviews the report's trends show.
pub const REVIEWS_SHOWN: usize = 8;

/// One review's counts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReviewPoint {
    /// The run's folder name; empty for the audit being run, which the
    /// history records only after its report is written.
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
        self.trends_with(last, None)
    }

    /// The trends as of the audit being run: the recorded runs with an
    /// earlier `as_of`, then `current` (its `as_of` day and findings) as the
    /// latest review. A recorded run of the same `as_of` is replaced by it,
    /// and later runs are left out: an earlier quarter audited again sees
    /// the history as it stood then. Without `current`, every recorded run.
    pub fn trends_with(
        &self,
        last: usize,
        current: Option<(NaiveDate, &[Finding])>,
    ) -> Result<Trends, HistoryError> {
        let mut recorded: Vec<(Run, Vec<Finding>)> = Vec::new();
        for run in one_per_review(self.runs()?) {
            if current.is_some_and(|(as_of, _)| run.as_of >= as_of) {
                continue;
            }
            let findings = read_findings(&run)?;
            recorded.push((run, findings));
        }
        let mut reviews: Vec<Listed<'_>> = recorded
            .iter()
            .map(|(run, findings)| Listed {
                run: &run.name,
                as_of: run.as_of,
                findings,
            })
            .collect();
        if let Some((as_of, findings)) = current {
            reviews.push(Listed {
                run: "",
                as_of,
                findings,
            });
        }
        Ok(of_reviews(&reviews, last))
    }
}

/// One review's findings, oldest review first.
struct Listed<'a> {
    run: &'a str,
    as_of: NaiveDate,
    findings: &'a [Finding],
}

fn read_findings(run: &Run) -> Result<Vec<Finding>, HistoryError> {
    let path = run.dir.join("findings.jsonl");
    let text = std::fs::read_to_string(&path).map_err(files::io(&path))?;
    accessaudit_rules::findings_file::read_jsonl(&path.display().to_string(), &text).map_err(|e| {
        HistoryError::Corrupt {
            path: path.clone(),
            line: None,
            why: e.to_string(),
        }
    })
}

/// The trends of `reviews` (oldest first), the points of the last `last`.
fn of_reviews(reviews: &[Listed<'_>], last: usize) -> Trends {
    let ids: Vec<BTreeSet<&str>> = reviews
        .iter()
        .map(|r| r.findings.iter().map(|x| x.finding_id.as_str()).collect())
        .collect();
    let ageing = match reviews.last() {
        Some(latest) => {
            let mut aged: Vec<Aged> = latest
                .findings
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
    let median_reviews_to_resolution = resolution_medians(reviews, &ids);
    let start = reviews.len().saturating_sub(last);
    let points = reviews[start..]
        .iter()
        .map(|r| {
            let mut by_area: BTreeMap<String, usize> = BTreeMap::new();
            let mut by_unit: BTreeMap<String, usize> = BTreeMap::new();
            for f in r.findings {
                *by_area.entry(f.area.as_str().to_string()).or_default() += 1;
                *by_unit
                    .entry(f.unit.clone().unwrap_or_default())
                    .or_default() += 1;
            }
            ReviewPoint {
                run: r.run.to_string(),
                as_of: r.as_of,
                total: r.findings.len(),
                by_area,
                by_unit,
            }
        })
        .collect();
    Trends {
        reviews: points,
        ageing,
        median_reviews_to_resolution,
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
fn resolution_medians(reviews: &[Listed<'_>], ids: &[BTreeSet<&str>]) -> BTreeMap<String, f64> {
    let mut lengths: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, review) in reviews.iter().enumerate() {
        let Some(next) = ids.get(i + 1) else { break };
        for f in review.findings {
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use accessaudit_rules::{Area, Severity, Status};

    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn finding(id: &str, rule: &str, area: Area, unit: Option<&str>) -> Finding {
        Finding {
            finding_id: id.into(),
            rule_id: rule.into(),
            severity: Severity::Medium,
            area,
            status: Status::New,
            system: None,
            account_id: None,
            person_id: None,
            person_name: None,
            unit: unit.map(str::to_string),
            role: None,
            subject: None,
            case_id: None,
            reference: None,
            first_seen: None,
            last_seen: None,
            events: None,
            days_late: None,
            message: format!("finding {id}"),
            evidence: "x.csv:1".into(),
        }
    }

    fn record(history: &History, as_of: NaiveDate, inputs: &str, findings: &[Finding]) {
        let mut jsonl = Vec::new();
        accessaudit_rules::findings_file::write_jsonl(&mut jsonl, findings).unwrap();
        history
            .record_run(
                as_of,
                inputs,
                &[("findings.jsonl", &jsonl), ("summary.json", b"{}")],
            )
            .unwrap();
    }

    #[test]
    fn the_audit_being_run_is_the_latest_review_and_replaces_its_as_of() {
        let tmp = tempfile::tempdir().unwrap();
        let history = History::open(&tmp.path().join("h")).unwrap();
        let a = finding("a", "ACC-01", Area::Acc, Some("Pensionite osakond"));
        let c = finding("c", "TIME-01", Area::Time, Some("Tartu"));
        let x = finding("x", "PD-01", Area::Pd, None);
        let d = finding("d", "ACC-02", Area::Acc, None);
        let (q3, q4, q1) = (day(2026, 9, 30), day(2026, 12, 31), day(2027, 3, 31));
        record(&history, q3, "aaaa", &[a.clone(), c.clone(), x.clone()]);
        // An earlier snapshot of Q4 (its findings differ) and a later quarter.
        record(&history, q4, "bbbb", std::slice::from_ref(&c));
        record(&history, q1, "cccc", std::slice::from_ref(&a));

        let current = [a.clone(), x.clone(), d.clone()];
        let t = history.trends_with(8, Some((q4, &current))).unwrap();
        let days: Vec<NaiveDate> = t.reviews.iter().map(|r| r.as_of).collect();
        assert_eq!(days, vec![q3, q4], "the later quarter is left out");
        let latest = &t.reviews[1];
        assert_eq!((latest.run.as_str(), latest.total), ("", 3));
        assert_eq!(latest.by_area.get("ACC"), Some(&2));
        assert_eq!(latest.by_unit.get(""), Some(&2));
        assert_eq!(t.reviews[0].by_unit.get("Tartu"), Some(&1));
        let aged: Vec<(&str, usize)> = t
            .ageing
            .iter()
            .map(|x| (x.rule_id.as_str(), x.reviews_open))
            .collect();
        assert_eq!(aged, vec![("ACC-01", 2), ("PD-01", 2)]);
        assert_eq!(t.ageing[0].unit, "Pensionite osakond");
        // c was in Q3 and is not in the audit being run: resolved after one.
        assert_eq!(
            t.median_reviews_to_resolution,
            BTreeMap::from([("TIME-01".to_string(), 1.0)])
        );

        // Without the audit being run, every recorded run, Q4 as recorded.
        let t = history.trends(8).unwrap();
        assert_eq!(t.reviews.len(), 3);
        assert_eq!(t.reviews[1].total, 1);
        assert!(t.reviews[1].run.starts_with("2026-12-31_bbbb"));
        // A first audit with an empty history: itself alone.
        let empty = History::open(&tmp.path().join("e")).unwrap();
        let t = empty.trends_with(8, Some((q3, &current))).unwrap();
        assert_eq!(t.reviews.len(), 1);
        assert!(t.ageing.is_empty() && t.median_reviews_to_resolution.is_empty());
    }

    #[test]
    fn medians_count_the_reviews_a_finding_stayed_open_and_last_keeps_the_latest() {
        let x1 = finding("x1", "PD-01", Area::Pd, None);
        let x2 = finding("x2", "PD-01", Area::Pd, None);
        let (r1, r2, r3) = ([x1, x2.clone()], [x2], []);
        let reviews = [
            Listed {
                run: "1",
                as_of: day(2026, 3, 31),
                findings: &r1,
            },
            Listed {
                run: "2",
                as_of: day(2026, 6, 30),
                findings: &r2,
            },
            Listed {
                run: "3",
                as_of: day(2026, 9, 30),
                findings: &r3,
            },
        ];
        let t = of_reviews(&reviews, 2);
        // x1 open one review, x2 two: the median of 1 and 2.
        assert_eq!(t.median_reviews_to_resolution.get("PD-01"), Some(&1.5));
        let runs: Vec<&str> = t.reviews.iter().map(|r| r.run.as_str()).collect();
        assert_eq!(runs, vec!["2", "3"]);
        assert!(t.ageing.is_empty());
    }
}
