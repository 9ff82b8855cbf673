//! The planted violations and `ground_truth.csv`.
//!
//! The ACC, TIME and PD stories are the demo's (see `fixtures/demo/README.md`),
//! whose expected findings carry over because their rows come first in every
//! table. Here the DQ and EXC stories are added, with a near miss beside each,
//! and the exceptions file that the EXC stories need.

use std::fmt::Write as _;
use std::path::Path;

use crate::demo;
use crate::org::{Org, Story};
use crate::people_codes::{with_wrong_check_digit, CodeMint};
use crate::rng::Rng;
use crate::tables::Tables;
use crate::GenerateError;

/// The columns of `ground_truth.csv`: the grain key of each planted finding.
pub const GROUND_TRUTH_COLUMNS: &str =
    "rule_id,system,account_id,person_id,ref,subject,first_seen,status";

/// A planted finding: its rule and grain key.
#[derive(Debug, Clone, Default)]
pub struct Planted {
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
    /// `status` when audited with the generated `exceptions.toml`.
    pub status: &'static str,
}

/// Exceptions: one expired (EXC-01 fires, the finding comes back), one that
/// matches nothing (EXC-02), and two in force that suppress their finding —
/// one of them expiring on the `as_of` day itself (EXC-01's near miss).
pub const EXCEPTIONS: &str = r#"# Accepted risks for the generated quarter; audit with
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
expires = 2026-12-31

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

/// Adds the DQ stories to the tables and returns every planted finding.
pub fn plant(
    org: &Org,
    rng: &mut Rng,
    mint: &mut CodeMint,
    t: &mut Tables,
) -> Result<Vec<Planted>, GenerateError> {
    let mut found = demo_findings();
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

    // DQ-04: the log export of one working day is missing. Near miss: the
    // newest event and login are on the period's last days.
    found.push(planted("DQ-04", "access_log".to_string()));

    found.push(planted("EXC-01", "EX-G-0001".to_string()));
    found.push(planted("EXC-02", "EX-G-0003".to_string()));
    Ok(found)
}

/// Writes `ground_truth.csv` and `exceptions.toml` into `dir`.
pub fn write(dir: &Path, found: &[Planted]) -> Result<(), GenerateError> {
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
    std::fs::write(&path, EXCEPTIONS).map_err(|e| GenerateError::io(&path, e))?;
    Ok(())
}
