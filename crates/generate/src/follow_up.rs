//! The demo's tables as each quarter's export carries them.
//!
//! In the planted quarter (2026-Q3) they are the demo's, minus the log lines
//! of the export-gap day. The follow-up quarter (2026-Q4) is the next review
//! of the same agency: its exports still hold the demo's people, accounts,
//! rights, requests and orders (IAM and HR exports are whole histories), but
//! its access log is a new quarter's, so the demo's Q3 events are gone; the
//! people still employed keep logging in; and user support has carried out
//! the remediations listed in [`REMEDIATIONS`]. The quarter after it
//! (2027-Q1) is the same again, with a few new looks of the demo's people
//! ([`THIRD_QUARTER_LOG`]).

use std::borrow::Cow;
use std::collections::BTreeSet;

use chrono::NaiveDate;

use crate::demo;
use crate::quarter::{at, stamp, Quarter};
use crate::GenerateError;

/// A change user support made between the two reviews: in `table`, the row
/// whose first column is `key` gets `value` in `column`.
pub(crate) struct Remediation {
    /// The demo table.
    pub table: &'static str,
    /// The row's first column (its id).
    pub key: &'static str,
    /// The column changed.
    pub column: &'static str,
    /// The new value.
    pub value: &'static str,
}

/// What user support fixed after the Q3 review.
pub(crate) const REMEDIATIONS: &[Remediation] = &[
    // ACC-01 and the manager's revoke of 5 October: Raivo Luik's pension
    // role, which no duty of his post justifies, ended on 12 October, the
    // deadline day.
    Remediation {
        table: "role_assignments",
        key: "RA-10069",
        column: "valid_to",
        value: "2026-10-12T16:00:00+03:00",
    },
    // The manager's revoke of 6 October: Siim Raud's benefits role ended on
    // 8 October (and came back, see GRANTED_AGAIN).
    Remediation {
        table: "role_assignments",
        key: "RA-10028",
        column: "valid_to",
        value: "2026-10-08T15:00:00+03:00",
    },
];

/// Rights user support granted after the Q3 review, as `role_assignments`
/// rows (written after the DQ stories' rows, so those keep their row
/// numbers in both quarters), each with why.
pub(crate) const GRANTED_AGAIN: &[(&[(&str, &str)], &str)] = &[(
    &[
        ("assignment_id", "RA-20001"),
        ("system", "SKAIS"),
        ("account_id", "sraud"),
        ("role", "PERE_MENETLEJA"),
        ("valid_from", "2026-11-02T09:00:00+02:00"),
        ("basis", "baseline"),
        ("granted_by", "38912126247"),
    ],
    "Siim Raud's revoked role granted again on 2 November under a new assignment, copied from a colleague's profile without a request: REV-01",
)];

/// The demo's people's looks in 2027-Q1: Siim Raud, whose looks at his
/// wife the DPO found a violation in the Q3 review
/// ([`crate::review_answers`]), looks at her again on Thu 11 February, with
/// no case: PD-01, PD-12, and PD-13 (the repeat offender).
pub(crate) const THIRD_QUARTER_LOG: &str = "\
2027-02-11T10:14:07+02:00,SKAIS,sraud,49301192741,view,,SKAIS-184300001
2027-02-11T10:21:40+02:00,SKAIS,sraud,49301192741,view,,SKAIS-184300002
";

/// The accounts whose owners stop logging in: the dormant account of the
/// ACC-07 story stays dormant.
const STILL_UNUSED: &[&str] = &["ska-jkask"];

/// The demo's table `name` as `q`'s export carries it.
pub(crate) fn demo_table(q: &Quarter, name: &str) -> Result<Cow<'static, str>, GenerateError> {
    let text = demo::table(name);
    if !q.follow_up() {
        return Ok(if name == "access_log" {
            Cow::Owned(keep_lines(text, |line| log_day(line) != Some(q.gap)))
        } else {
            Cow::Borrowed(text)
        });
    }
    let mut text = match name {
        "access_log" if q.round >= 2 => keep_lines(text, |_| false) + THIRD_QUARTER_LOG,
        "access_log" => keep_lines(text, |_| false),
        "accounts" => recent_logins(q, text)?,
        _ => text.to_string(),
    };
    for r in REMEDIATIONS.iter().filter(|r| r.table == name) {
        text = set_value(&text, r)?;
    }

    Ok(Cow::Owned(text))
}

/// The header and the data lines `keep` accepts.
fn keep_lines(text: &str, keep: impl Fn(&str) -> bool) -> String {
    let mut lines = text.lines();
    let mut out = String::with_capacity(text.len());
    for line in lines.next().into_iter().chain(lines.filter(|l| keep(l))) {
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// The day of a demo log line (its timestamp comes first).
pub(crate) fn log_day(line: &str) -> Option<NaiveDate> {
    line.get(..10)
        .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
}

/// The columns of a plain comma-separated demo table.
fn header(text: &str) -> Vec<&str> {
    text.lines().next().unwrap_or_default().split(',').collect()
}

fn column(text: &str, table: &str, name: &str) -> Result<usize, GenerateError> {
    header(text)
        .iter()
        .position(|c| *c == name)
        .ok_or_else(|| GenerateError::Internal(format!("the demo's {table} has no {name}")))
}

/// Accounts whose owner is employed at `as_of` have logged in during the
/// quarter: their `last_login_at` moves to its second-last day.
fn recent_logins(q: &Quarter, accounts: &str) -> Result<String, GenerateError> {
    let employed = employed_at(q.last)?;
    let person = column(accounts, "accounts", "person_id")?;
    let login = column(accounts, "accounts", "last_login_at")?;
    let account = column(accounts, "accounts", "account_id")?;
    let moved = stamp(q.day(89), at(8, 12));
    Ok(map_rows(accounts, |fields| {
        let used = fields.get(login).is_some_and(|v| !v.is_empty());
        let employed = fields.get(person).is_some_and(|p| employed.contains(*p));
        let unused = fields
            .get(account)
            .is_some_and(|a| STILL_UNUSED.contains(a));
        if used && employed && !unused {
            fields[login] = &moved;
        }
    }))
}

/// The people with an `employees` row covering `day`.
fn employed_at(day: NaiveDate) -> Result<BTreeSet<&'static str>, GenerateError> {
    let text = demo::table("employees");
    let person = column(text, "employees", "person_id")?;
    let from = column(text, "employees", "valid_from")?;
    let to = column(text, "employees", "valid_to")?;
    let date = |v: Option<&&str>| v.and_then(|v| NaiveDate::parse_from_str(v, "%Y-%m-%d").ok());
    Ok(text
        .lines()
        .skip(1)
        .filter_map(|line| {
            let f: Vec<&str> = line.split(',').collect();
            let started = date(f.get(from)).is_some_and(|d| d <= day);
            let ended = date(f.get(to)).is_some_and(|d| d < day);
            (started && !ended)
                .then(|| f.get(person).copied())
                .flatten()
        })
        .collect())
}

/// `text` with each data row passed through `change`.
fn map_rows<'a>(text: &'a str, change: impl Fn(&mut Vec<&'a str>)) -> String {
    let mut lines = text.lines();
    let mut out = String::with_capacity(text.len());
    out.push_str(lines.next().unwrap_or_default());
    out.push('\n');
    for line in lines.filter(|l| !l.trim().is_empty()) {
        let mut fields: Vec<&str> = line.split(',').collect();
        change(&mut fields);
        out.push_str(&fields.join(","));
        out.push('\n');
    }
    out
}

/// Applies one remediation; the row must exist.
fn set_value(text: &str, r: &Remediation) -> Result<String, GenerateError> {
    let col = column(text, r.table, r.column)?;
    let found = text
        .lines()
        .skip(1)
        .any(|l| l.split(',').next() == Some(r.key));
    if !found {
        return Err(GenerateError::Internal(format!(
            "remediation of {} {}: no such row",
            r.table, r.key
        )));
    }
    Ok(map_rows(text, |fields| {
        if fields.first() == Some(&r.key) {
            if let Some(v) = fields.get_mut(col) {
                *v = r.value;
            }
        }
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::quarter::day;

    #[test]
    fn the_planted_quarter_keeps_the_demo_but_the_gap_day() {
        let q = Quarter::planted();
        assert_eq!(
            demo_table(&q, "accounts").ok().as_deref(),
            Some(demo::table("accounts"))
        );
        let log = demo_table(&q, "access_log").unwrap_or_default();
        assert!(log.lines().count() > 100);
        assert!(log.lines().skip(1).all(|l| log_day(l) != Some(q.gap)));
    }

    #[test]
    fn the_third_quarter_has_only_its_own_demo_events() {
        let q = Quarter::third();
        let log = demo_table(&q, "access_log").unwrap_or_default();
        assert_eq!(log.lines().count(), 3, "the header and two looks");
        assert!(log
            .lines()
            .skip(1)
            .all(|l| log_day(l).is_some_and(|d| q.first <= d && d <= q.last && d != q.gap)));
        assert!(q.cal.is_working_day(day(2027, 2, 11)));
    }

    #[test]
    fn the_follow_up_has_no_demo_events_and_recent_logins() {
        let q = Quarter::follow_up_quarter();
        let log = demo_table(&q, "access_log").unwrap_or_default();
        assert_eq!(log.lines().count(), 1, "the header only");
        let accounts = demo_table(&q, "accounts").unwrap_or_default();
        let dormant = accounts.lines().find(|l| l.contains(",ska-jkask,"));
        assert!(dormant.is_some_and(|l| l.contains("2026-0")), "{dormant:?}");
        assert!(accounts.contains("2026-12-29T08:12:00+02:00"));
        let rights = demo_table(&q, "role_assignments").unwrap_or_default();
        assert!(rights
            .lines()
            .any(|l| l.starts_with("RA-10069,") && l.contains("2026-10-12")));
    }
}
