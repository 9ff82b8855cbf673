//! The data-protection officer's part of the terminal summaries: the
//! explained-access figures and one data subject's accesses.

use std::fmt::Write as _;

use accessaudit_review::figures::{ExplainedAccess, Share};

use accessaudit_ingest::Snapshot;

use super::{header, Words};

/// How many users the terminal lists by unexplained events.
pub(super) const USERS_LISTED: usize = 10;

/// A share as the terminal shows it: `96.4% of 28 events`, or `no events`.
pub(super) fn share(s: &Share, w: &Words) -> String {
    match s.share {
        Some(share) => w.fill(
            "con_share",
            &[
                (
                    "percent",
                    &format!("{:.1}", share * 100.0).replace('.', w.get("con_decimal_point")),
                ),
                ("events", &s.events.to_string()),
            ],
        ),
        None => w.get("no_events").to_string(),
    }
}

/// The explained-access figures, for the data-protection officer.
pub(super) fn explained_access(x: &ExplainedAccess, w: &Words) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "\n{}",
        w.fill("con_explained", &[("share", &share(&x.overall, w))])
    );
    for s in &x.by_system {
        let _ = writeln!(out, "  {:<28} {}", s.key, share(s, w));
    }
    if !x.users.is_empty() {
        let _ = writeln!(out, "{}", w.get("con_users"));
        let of = w.get("con_of");
        for u in x.users.iter().take(USERS_LISTED) {
            let who = if u.person_name.is_empty() {
                &u.person_id
            } else {
                &u.person_name
            };
            let unit = if u.unit.is_empty() {
                String::new()
            } else {
                format!(" ({})", u.unit)
            };
            let _ = writeln!(
                out,
                "  {:>6} {of} {:>6}  {who}{unit} {}",
                u.unexplained, u.events, u.accounts
            );
        }
    }
    out
}

/// A subject report as a table for the terminal.
pub fn subject_report(
    snapshot: &Snapshot,
    report: &accessaudit_review::subject_report::SubjectReport,
) -> String {
    let mut out = header(snapshot, &Words::english());
    let unexplained = report
        .accesses
        .iter()
        .filter(|a| a.case == "unexplained")
        .count();
    let _ = writeln!(
        out,
        "Accesses to the data of {}: {} ({} unexplained)\n",
        report.subject,
        report.accesses.len(),
        unexplained
    );
    if report.accesses.is_empty() {
        out.push_str("Nobody looked at this person's data in the period.\n");
        return out;
    }
    let _ = writeln!(
        out,
        "{:<19}  {:<6} {:<18} {:<24} {:<28} {:<7} case",
        "when", "system", "account", "person", "unit", "action"
    );
    for a in &report.accesses {
        let who = if a.person_name.is_empty() {
            a.person_id.as_str()
        } else {
            a.person_name.as_str()
        };
        let _ = writeln!(
            out,
            "{:<19}  {:<6} {:<18} {:<24} {:<28} {:<7} {}",
            a.when, a.system, a.account_id, who, a.unit, a.action, a.case
        );
    }
    out
}
