//! The planted violations and `ground_truth.csv`.
//!
//! The ACC, TIME and PD stories are the demo's (see `fixtures/demo/README.md`),
//! whose expected findings carry over because their rows come first in every
//! table. Here the DQ and EXC stories are added, with a near miss beside each,
//! and the exceptions file that the EXC stories need.
//!
//! In the follow-up quarter every planted finding of Q3 has a fate
//! ([`FOLLOW_UP`]): it persists, is suppressed, or is resolved, and a few
//! findings are new. Its `ground_truth.csv` gives each the status an audit
//! with `--baseline` (the Q3 audit's folder) and the quarter's
//! `exceptions.toml` gives it; resolved ones are listed with status
//! `resolved`.

use std::fmt::Write as _;
use std::path::Path;

use crate::demo;
use crate::org::{Org, Story};
use crate::people_codes::{with_wrong_check_digit, CodeMint};
use crate::quarter::Quarter;
use crate::rng::Rng;
use crate::tables::Tables;
use crate::GenerateError;

/// The columns of `ground_truth.csv`: the grain key of each planted finding.
pub const GROUND_TRUTH_COLUMNS: &str =
    "rule_id,system,account_id,person_id,ref,subject,first_seen,status";

/// A planted finding: its rule and grain key.
#[derive(Debug, Clone, Default)]
pub(crate) struct Planted {
    /// `rule_id`.
    pub rule_id: String,
    /// `system`.
    pub system: String,
    /// `account_id`.
    pub account_id: String,
    /// `person_id`.
    pub person_id: String,
    /// `ref`.
    pub reference: String,
    /// `subject` (the real code; audit with `--reveal-subjects` to compare).
    pub subject: String,
    /// `first_seen` of a PD finding (its day is the grain).
    pub first_seen: String,
    /// `status` when audited with the generated `exceptions.toml` (and, in
    /// the follow-up quarter, the planted quarter's audit as baseline).
    pub status: &'static str,
}

mod fates;
pub(crate) use fates::{Fate, FOLLOW_UP, FOLLOW_UP_NEW};

/// Exceptions: one expired (EXC-01 fires, the finding comes back), one that
/// matches nothing (EXC-02), and two in force at Q3's `as_of` that suppress
/// their finding — one of them expiring on that day itself (EXC-01's near
/// miss). By Q4's `as_of` both have run out: each is reported, and the
/// shared account's finding comes back.
pub(crate) const EXCEPTIONS: &str = r#"# Accepted risks for the generated quarter; audit with
# --exceptions <dir>/exceptions.toml.

[[exception]]
id = "EX-G-0001"
rule = "ACC-07"
match = { system = "RR", account_id = "ska-jkask" }
reason = "Register queries kept for the annual statistics run"
legal_basis = "Peadirektori käskkiri 1.1-2/45"
approved_by = "37609092800"
expires = 2026-08-31

[[exception]]
id = "EX-G-0002"
rule = "ACC-06"
match = { system = "SKAIS", account_id = "kt_infolett" }
reason = "Shared info-desk account until the new kiosk system"
legal_basis = "Peadirektori käskkiri 1.1-2/61"
approved_by = "37609092800"
expires = 2026-11-30

[[exception]]
id = "EX-G-0003"
rule = "ACC-07"
match = { account_id = "svc-ei-ole" }
reason = "Test account of the 2025 migration"
approved_by = "37609092800"
expires = 2026-12-31

[[exception]]
id = "EX-G-0004"
rule = "TIME-08"
match = { account_id = "kjogi" }
reason = "Project access extended by the director, paperwork pending"
approved_by = "37609092800"
expires = 2026-09-30
"#;

/// The follow-up quarter's exceptions: Q3's, and one approved after the Q3
/// review.
pub(crate) const FOLLOW_UP_EXCEPTIONS: &str = r#"
[[exception]]
id = "EX-G-0005"
rule = "ACC-08"
match = { person_id = "49412300480", system = "SKAIS" }
reason = "Second account kept until the name change reaches every register"
legal_basis = "Peadirektori käskkiri 1.1-2/88"
approved_by = "37609092800"
expires = 2027-03-31
"#;

/// Findings the exceptions above suppress, by (rule, account).
const SUPPRESSED: &[(&str, &str)] = &[("ACC-06", "kt_infolett"), ("TIME-08", "kjogi")];

/// The demo's expected findings, with the status the exceptions give them.
fn demo_findings() -> Vec<Planted> {
    let mut lines = demo::EXPECTED_FINDINGS.lines();
    let header: Vec<&str> = lines.next().unwrap_or_default().split(',').collect();
    lines
        .filter(|l| !l.trim().is_empty())
        .map(|line| {
            let values: Vec<&str> = line.split(',').collect();
            let get = |name: &str| {
                header
                    .iter()
                    .position(|h| *h == name)
                    .and_then(|i| values.get(i))
                    .map_or_else(String::new, |v| v.to_string())
            };
            let rule_id = get("rule_id");
            let account_id = get("account_id");
            let status = if SUPPRESSED.contains(&(rule_id.as_str(), account_id.as_str())) {
                "suppressed"
            } else {
                "new"
            };
            Planted {
                rule_id,
                system: get("system"),
                account_id,
                person_id: get("person_id"),
                reference: get("ref"),
                subject: get("subject"),
                first_seen: get("first_seen"),
                status,
            }
        })
        .collect()
}

fn planted(rule_id: &str, reference: String) -> Planted {
    Planted {
        rule_id: rule_id.to_string(),
        reference,
        status: "new",
        ..Planted::default()
    }
}

/// Adds the DQ stories to the tables and returns their findings. Both
/// quarters carry the same rows at the same places; the follow-up adds one
/// more bad code after them.
pub(crate) fn plant(
    q: &Quarter,
    org: &Org,
    rng: &mut Rng,
    mint: &mut CodeMint,
    t: &mut Tables,
) -> Result<Vec<Planted>, GenerateError> {
    let mut found = Vec::new();
    let employee = org
        .people
        .iter()
        .find(|p| p.story == Story::Plain && p.absences.is_empty())
        .map_or("38001085718", |p| p.code.as_str());

    // DQ-01: a relative's code with a wrong check digit. Near miss: a relative
    // with a Latvian code, which is not validated.
    let relative = mint.mint(rng, (1950, 2010), true);
    let bad = with_wrong_check_digit(&relative);
    let r = t.relations.row(&[
        ("person_id", employee),
        ("relative_id", &bad),
        ("relation", "sibling"),
    ])?;
    found.push(planted("DQ-01", r));
    t.relations.row(&[
        ("person_id", employee),
        ("relative_id", "LV28047112345"),
        ("relation", "spouse"),
    ])?;

    // DQ-02: a right on an account IAM does not know. Near miss: baseline
    // rights with an empty basis_ref, all over the background.
    let r = t.role_assignments.row(&[
        ("assignment_id", "RA-G9999999"),
        ("system", "SKAIS"),
        ("account_id", "g-tundmatu"),
        ("role", "KLIENT_VAATAJA"),
        ("valid_from", "2026-08-03T09:00:00+03:00"),
        ("basis", "baseline"),
    ])?;
    found.push(planted("DQ-02", r));

    // DQ-03: a vacation that ends before it starts. Near miss: one-day
    // absences (start = end) in the background.
    let r = t.absences.row(&[
        ("person_id", employee),
        ("kind", "vacation"),
        ("start_date", "2026-08-14"),
        ("end_date", "2026-08-10"),
    ])?;
    found.push(planted("DQ-03", r));

    if q.follow_up() {
        // Found in Q3, still there in Q4.
        for f in &mut found {
            f.status = "persisting";
        }
        // New in Q4: another relative's code mistyped.
        let relative = mint.mint(rng, (1960, 2015), false);
        let r = t.relations.row(&[
            ("person_id", employee),
            ("relative_id", &with_wrong_check_digit(&relative)),
            ("relation", "child"),
        ])?;
        found.push(planted("DQ-01", r));
        for (row, _) in crate::follow_up::GRANTED_AGAIN {
            t.role_assignments.row(row)?;
        }
    }
    Ok(found)
}

/// Every planted finding of quarter `q`, given the DQ stories' findings.
pub(crate) fn ground_truth(q: &Quarter, dq: Vec<Planted>) -> Vec<Planted> {
    let mut found = demo_findings();
    // DQ-04: the log export of one working day is missing. Near miss: the
    // newest event and login are on the period's last days.
    found.push(planted("DQ-04", "access_log".to_string()));
    found.push(planted("EXC-01", "EX-G-0001".to_string()));
    found.push(planted("EXC-02", "EX-G-0003".to_string()));
    if !q.follow_up() {
        found.extend(dq);
        return found;
    }
    let found = follow_up_truth(found, dq);
    if q.round >= 2 {
        return third_truth(found);
    }
    found
}

/// The follow-up quarter's ground truth: the planted quarter's findings
/// (`found`, without its DQ stories) with their fates, the DQ stories'
/// (`dq`), and what is new.
fn follow_up_truth(mut found: Vec<Planted>, dq: Vec<Planted>) -> Vec<Planted> {
    for f in &mut found {
        f.status = match fate(f) {
            Fate::Persists if (f.rule_id.as_str(), f.account_id.as_str()) == KEPT => "accepted",
            Fate::Persists => "persisting",
            Fate::Suppressed => "suppressed",
            Fate::Resolved => "resolved",
        };
    }
    found.extend(dq);
    for (rule, system, account, person, _) in FOLLOW_UP_NEW {
        found.push(Planted {
            rule_id: rule.to_string(),
            system: system.to_string(),
            account_id: account.to_string(),
            person_id: person.to_string(),
            status: "new",
            ..Planted::default()
        });
    }
    // Two exceptions in force at Q3's as_of have run out: each is reported.
    found.extend(["EX-G-0002", "EX-G-0004"].map(|id| planted("EXC-01", id.to_string())));
    found.extend(review_round_trip());
    found
}

/// The third review's ground truth, from the follow-up quarter's `q4`: what
/// was resolved there is gone, what was found there persists unless
/// [`THIRD`] gives it another fate, kept and suppressed findings stay so,
/// and [`THIRD_NEW`] is new.
fn third_truth(q4: Vec<Planted>) -> Vec<Planted> {
    let mut found: Vec<Planted> = q4
        .into_iter()
        .filter(|f| f.status != "resolved")
        .map(|mut f| {
            let listed = THIRD.iter().find(|(rule, key, _)| {
                *rule == f.rule_id && [&f.account_id, &f.reference].contains(&&key.to_string())
            });
            f.status = match (listed, f.status) {
                (Some(_), _) => "resolved",
                (None, "new") => "persisting",
                (None, status) => status,
            };
            f
        })
        .collect();
    found.push(planted("EXC-01", "EX-G-0003".to_string()));
    for (rule, subject, first_seen) in THIRD_NEW {
        found.push(Planted {
            rule_id: rule.to_string(),
            system: "SKAIS".into(),
            account_id: "sraud".into(),
            person_id: "39208272198".into(),
            subject: subject.to_string(),
            first_seen: first_seen.to_string(),
            status: "new",
            ..Planted::default()
        });
    }
    found
}

/// The follow-up quarter's findings resolved by the third review, by rule
/// and account or `ref`, with why.
const THIRD: &[(&str, &str, &str)] = &[
    (
        "REV-01",
        "RA-20001",
        "the Q4 review kept Siim Raud's role granted again",
    ),
    (
        "REV-02",
        "2026-Q3_2026-09-30",
        "REV-02 judges the previous review only, and every unit returned Q4's",
    ),
    (
        "TIME-03",
        "RA-10025",
        "the long absence ended on 30 October: not in the quarter",
    ),
    (
        "EXC-02",
        "EX-G-0003",
        "the exception expired on 31 December: EXC-01 now",
    ),
];

/// The third review's new looks ([`crate::follow_up::THIRD_QUARTER_LOG`]):
/// Siim Raud's, found a violation in the Q3 review, by rule, subject and
/// first sighting.
const THIRD_NEW: &[(&str, &str, &str)] = &[
    ("PD-01", "49301192741", "2027-02-11T10:14:07+02:00"),
    ("PD-12", "49301192741", "2027-02-11T10:14:07+02:00"),
    ("PD-13", "", "2027-02-11T10:14:07+02:00"),
];

/// The Q3 review's round trip ([`crate::review_answers`]), as a Q4 audit
/// with `--history` (after `review import` of `returned/`) finds it: the
/// kept finding is `accepted`, two revokes were not carried out (one right
/// never removed, one granted again under a new id), and one unit never
/// returned its worksheet.
fn review_round_trip() -> Vec<Planted> {
    let revoke = |account: &str, person: &str, reference: &str| Planted {
        rule_id: "REV-01".into(),
        system: "SKAIS".into(),
        account_id: account.into(),
        person_id: person.into(),
        reference: reference.into(),
        status: "new",
        ..Planted::default()
    };
    vec![
        revoke("jkask", "36811235142", "RA-10038"),
        revoke("sraud", "39208272198", "RA-20001"),
        planted("REV-02", "2026-Q3_2026-09-30".into()),
    ]
}

/// The finding the Q3 review's one `keep` with a comment accepts.
const KEPT: (&str, &str) = ("ACC-07", "ska-jkask");

/// The fate of a Q3 finding in the follow-up quarter.
fn fate(f: &Planted) -> Fate {
    let listed = FOLLOW_UP.iter().find(|(rule, key, _, _)| {
        *rule == f.rule_id
            && [&f.account_id, &f.person_id, &f.reference].contains(&&key.to_string())
    });
    match listed {
        Some((_, _, fate, _)) => *fate,
        None if f.rule_id.starts_with("PD-") => Fate::Resolved,
        None => Fate::Persists,
    }
}

/// Writes `ground_truth.csv` and `exceptions.toml` into `dir`.
pub(crate) fn write(dir: &Path, q: &Quarter, found: &[Planted]) -> Result<(), GenerateError> {
    let mut text = String::from(GROUND_TRUTH_COLUMNS);
    text.push('\n');
    let mut rows: Vec<&Planted> = found.iter().collect();
    rows.sort_by(|a, b| {
        (
            &a.rule_id,
            &a.system,
            &a.account_id,
            &a.person_id,
            &a.reference,
            &a.subject,
        )
            .cmp(&(
                &b.rule_id,
                &b.system,
                &b.account_id,
                &b.person_id,
                &b.reference,
                &b.subject,
            ))
    });
    for p in rows {
        let _ = writeln!(
            text,
            "{},{},{},{},{},{},{},{}",
            p.rule_id,
            p.system,
            p.account_id,
            p.person_id,
            p.reference,
            p.subject,
            p.first_seen,
            p.status
        );
    }
    let path = dir.join("ground_truth.csv");
    std::fs::write(&path, text).map_err(|e| GenerateError::io(&path, e))?;
    let path = dir.join("exceptions.toml");
    let exceptions = if q.follow_up() {
        format!("{EXCEPTIONS}{FOLLOW_UP_EXCEPTIONS}")
    } else {
        EXCEPTIONS.to_string()
    };
    std::fs::write(&path, exceptions).map_err(|e| GenerateError::io(&path, e))?;
    Ok(())
}
