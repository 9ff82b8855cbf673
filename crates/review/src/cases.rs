//! The data-protection officer's cases: the PD findings of one employee in
//! one review form one case (the "multi-incident case" privacy monitoring
//! uses for serial snooping), ranked by a documented score, so the DPO
//! reads one employee who looked at 136 people without a case as one case,
//! not 136 rows. See `docs/dpo-cases.md` for the score.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use accessaudit_rules::{Area, Finding, Severity};
use chrono::NaiveDate;

use crate::layout::Decision;

/// The PD rule whose findings are looks without a case.
const WITHOUT_CASE: &str = "PD-01";
/// The PD rule whose findings are exports without a case.
const EXPORTS: &str = "PD-10";
/// The PD rule whose findings are looks outside working hours.
const AFTER_HOURS: &str = "PD-08";

/// One employee's PD findings in one review.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Case {
    /// Stable for the same review and employee: `C-` and a hash of both.
    pub case_id: String,
    /// The employee's personal code, when HR knows the account's owner.
    pub person_id: Option<String>,
    /// Their name, when HR knows them.
    pub person_name: Option<String>,
    /// Their unit.
    pub unit: Option<String>,
    /// The accounts, `SYSTEM/account`.
    pub accounts: Vec<String>,
    /// The score that ranks it among cases of its severity ([`score`]).
    pub score: u64,
    /// The most serious severity among the findings.
    pub severity: Severity,
    /// The rules hit.
    pub rules: Vec<String>,
    /// Distinct data subjects looked at (pseudonymised as in the findings).
    pub subjects: usize,
    /// Distinct days with a finding.
    pub days: usize,
    /// Access events behind the findings.
    pub events: u64,
    /// Subjects looked at without a case (PD-01) and on how many days.
    pub without_case: (usize, usize),
    /// Export events without a case (PD-10).
    pub exports: u64,
    /// Events outside working hours (PD-08).
    pub after_hours: u64,
    /// HR does not know the account's owner.
    pub owner_unknown: bool,
    /// The case's findings, most serious first.
    pub findings: Vec<String>,
    /// The DPO's disposition, when the review was issued and the DPO's
    /// sheet imported already (a re-run of the same review).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disposition: Option<Disposition>,
}

/// The DPO's disposition of a case, from the decision ledger.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Disposition {
    /// justified, violation or needs-information.
    pub disposition: Decision,
    /// Who disposed it: the name on the DPO's sheet.
    pub by: String,
    /// When.
    pub decided_on: NaiveDate,
    /// Why.
    pub comment: String,
}

/// The key that makes findings one case: the employee, or the account when
/// HR does not know its owner.
fn key(f: &Finding) -> String {
    match &f.person_id {
        Some(p) => format!("person {p}"),
        None => format!(
            "account {}/{}",
            f.system.as_deref().unwrap_or_default(),
            f.account_id.as_deref().unwrap_or_default()
        ),
    }
}

/// The score that ranks cases of the same severity, highest first: 100 ×
/// the rules hit, 10 × the exports, the distinct subjects, and 100 × the
/// share of events outside working hours. Cases are ranked by severity
/// first, then by this score.
pub fn score(rules: usize, subjects: usize, exports: u64, after_hours_share: f64) -> u64 {
    100 * rules as u64 + 10 * exports + subjects as u64 + (100.0 * after_hours_share).round() as u64
}

/// The cases of `review_id` from its findings (PD ones only), the most
/// serious first, then by score; findings `suppressed` by an exception stay out of them.
pub fn cases(review_id: &str, findings: &[Finding]) -> Vec<Case> {
    let mut groups: BTreeMap<String, Vec<&Finding>> = BTreeMap::new();
    for f in findings
        .iter()
        .filter(|f| f.area == Area::Pd && f.status != accessaudit_rules::Status::Suppressed)
    {
        groups.entry(key(f)).or_default().push(f);
    }
    let mut out: Vec<Case> = groups
        .into_iter()
        .map(|(k, mut fs)| {
            fs.sort_by(|a, b| {
                b.severity
                    .cmp(&a.severity)
                    .then(a.finding_id.cmp(&b.finding_id))
            });
            let day = |f: &&Finding| {
                f.first_seen
                    .as_deref()
                    .map(|t| t.get(..10).unwrap_or(t).to_string())
            };
            let subjects: BTreeSet<&str> = fs.iter().filter_map(|f| f.subject.as_deref()).collect();
            let days: BTreeSet<String> = fs.iter().filter_map(day).collect();
            let of = |rule: &'static str| fs.iter().filter(move |f| f.rule_id == rule);
            let without: BTreeSet<&str> = of(WITHOUT_CASE)
                .filter_map(|f| f.subject.as_deref())
                .collect();
            let without_days: BTreeSet<String> = of(WITHOUT_CASE).filter_map(day).collect();
            let events: u64 = fs.iter().map(|f| f.events.unwrap_or(1)).sum();
            let exports: u64 = of(EXPORTS).map(|f| f.events.unwrap_or(1)).sum();
            let after_hours: u64 = of(AFTER_HOURS).map(|f| f.events.unwrap_or(1)).sum();
            let rules: BTreeSet<String> = fs.iter().map(|f| f.rule_id.clone()).collect();
            let accounts: BTreeSet<String> = fs
                .iter()
                .filter_map(|f| {
                    Some(format!(
                        "{}/{}",
                        f.system.as_deref()?,
                        f.account_id.as_deref()?
                    ))
                })
                .collect();
            let severity = fs
                .iter()
                .map(|f| f.severity)
                .max()
                .unwrap_or(Severity::Info);
            let share = if events == 0 {
                0.0
            } else {
                after_hours as f64 / events as f64
            };
            let first = fs[0];
            Case {
                case_id: format!(
                    "C-{}",
                    accessaudit_rules::finding::finding_id(
                        "dpo case",
                        &[Some(review_id), Some(&k)]
                    )
                ),
                person_id: first.person_id.clone(),
                person_name: fs.iter().find_map(|f| f.person_name.clone()),
                unit: fs.iter().find_map(|f| f.unit.clone()),
                accounts: accounts.into_iter().collect(),
                score: score(rules.len(), subjects.len(), exports, share),
                severity,
                subjects: subjects.len(),
                days: days.len(),
                events,
                without_case: (without.len(), without_days.len()),
                exports,
                after_hours,
                owner_unknown: fs.iter().all(|f| f.person_name.is_none()),
                rules: rules.into_iter().collect(),
                findings: fs.iter().map(|f| f.finding_id.clone()).collect(),
                disposition: None,
            }
        })
        .collect();
    out.sort_by(|a, b| (b.severity, b.score, &a.case_id).cmp(&(a.severity, a.score, &b.case_id)));
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use accessaudit_rules::Status;

    fn pd(rule: &str, person: Option<&str>, subject: &str, day: &str, events: u64) -> Finding {
        Finding {
            finding_id: format!("{rule}-{subject}-{day}"),
            rule_id: rule.into(),
            severity: if rule == "PD-10" {
                Severity::High
            } else {
                Severity::Medium
            },
            area: Area::Pd,
            status: Status::New,
            system: Some("SKAIS".into()),
            account_id: Some("acc".into()),
            person_id: person.map(str::to_string),
            person_name: person.map(|_| "Mari Mets".to_string()),
            unit: person.map(|_| "Pensionite osakond".to_string()),
            role: None,
            subject: Some(subject.into()),
            case_id: None,
            reference: None,
            first_seen: Some(format!("{day}T10:00:00+03:00")),
            last_seen: None,
            events: Some(events),
            days_late: None,
            message: String::new(),
            evidence: String::new(),
        }
    }

    #[test]
    fn one_employees_findings_are_one_case_with_its_counts_and_a_stable_id() {
        let findings = vec![
            pd("PD-01", Some("1"), "S-a", "2026-07-01", 2),
            pd("PD-01", Some("1"), "S-b", "2026-07-01", 1),
            pd("PD-01", Some("1"), "S-c", "2026-07-02", 1),
            pd("PD-10", Some("1"), "S-c", "2026-07-02", 3),
            pd("PD-08", Some("1"), "S-a", "2026-07-03", 2),
            pd("PD-01", None, "S-z", "2026-07-01", 1),
        ];
        let cases = cases("2026-Q3_2026-09-30", &findings);
        assert_eq!(cases.len(), 2);
        let c = &cases[0];
        assert_eq!(c.person_id.as_deref(), Some("1"));
        assert_eq!((c.subjects, c.days, c.events), (3, 3, 9));
        assert_eq!(c.without_case, (3, 2));
        assert_eq!((c.exports, c.after_hours), (3, 2));
        assert_eq!(c.rules, ["PD-01", "PD-08", "PD-10"]);
        assert_eq!(c.severity, Severity::High);
        assert_eq!(c.score, score(3, 3, 3, 2.0 / 9.0));
        assert!(!c.owner_unknown);
        assert!(cases[1].owner_unknown);
        assert!(cases[0].severity > cases[1].severity);
        // The same review gives the same ids; another review others.
        let again = super::cases("2026-Q3_2026-09-30", &findings);
        assert_eq!(again[0].case_id, c.case_id);
        assert_ne!(
            super::cases("2026-Q4_2026-12-31", &findings)[0].case_id,
            c.case_id
        );
    }

    #[test]
    fn cases_rank_by_severity_first_then_by_score() {
        let mut findings = vec![pd("PD-10", Some("1"), "S-a", "2026-07-01", 1)];
        // Nine rules' worth of medium findings of another employee.
        for (i, rule) in ["PD-01", "PD-02", "PD-03", "PD-04", "PD-05", "PD-06"]
            .iter()
            .enumerate()
        {
            findings.push(pd(rule, Some("2"), &format!("S-{i}"), "2026-07-01", 5));
        }
        let ranked = cases("r", &findings);
        assert_eq!(
            ranked[0].person_id.as_deref(),
            Some("1"),
            "high before medium"
        );
        assert!(ranked[1].score > ranked[0].score);
        assert!(score(3, 0, 0, 0.0) > score(2, 99, 0, 0.0));
    }
}
