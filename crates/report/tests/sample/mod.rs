//! A unit's worksheet with Estonian letters, a cell a spreadsheet would run
//! as a formula, a line break, a new right, a person without rights and an
//! information-only row: what the worksheet tests (and the example that
//! writes one to look at) write.

use accessaudit_review::worksheets::{FindingRow, Manager, ReviewHeader, Worksheet, WorksheetRow};
use chrono::NaiveDate;

/// The review every sample worksheet belongs to.
pub(crate) fn header() -> ReviewHeader {
    ReviewHeader {
        review_id: "rv-2026-09-30-4f1c".to_string(),
        as_of: "2026-09-30".to_string(),
        return_by: NaiveDate::from_ymd_opt(2026, 10, 14).unwrap_or_default(),
    }
}

fn right(item_id: &str, person: (&str, &str), system: &str, role: &str) -> WorksheetRow {
    WorksheetRow {
        item_id: item_id.to_string(),
        person_id: person.0.to_string(),
        person_name: person.1.to_string(),
        position: "Peaspetsialist (P-17)".to_string(),
        system: system.to_string(),
        account_id: if system.is_empty() {
            String::new()
        } else {
            "jounapuu".to_string()
        },
        role: role.to_string(),
        role_name: if role.is_empty() {
            String::new()
        } else {
            format!("{role} – lugemine")
        },
        personal_data: if system.is_empty() { "" } else { "true" }.to_string(),
        since: if system.is_empty() { "" } else { "2024-02-01" }.to_string(),
        basis: if system.is_empty() {
            ""
        } else {
            "request REQ-881"
        }
        .to_string(),
        justified_by: if system.is_empty() { "" } else { "duty" }.to_string(),
        findings: String::new(),
        finding_ids: Vec::new(),
        new_since_last_review: false,
        previous_decision: String::new(),
    }
}

/// "Pensionite osakond", managed by Jüri Õunapuu: four rights rows (one new
/// since the last review, one with a formula-like role name and a line
/// break, one of a person holding nothing, one information-only) and two
/// findings.
pub(crate) fn worksheet() -> Worksheet {
    let juri = ("38001010000", "Jüri Õunapuu");
    let mari = ("48505050000", "Mari-Liis Šõškin");
    let mut new_right = right("r-00000000000000b2", juri, "SKAIS", "PENS_EDIT");
    new_right.new_since_last_review = true;
    new_right.previous_decision = String::new();
    let mut formula = right("r-00000000000000c3", mari, "SKAIS", "ADMIN");
    formula.role_name = "=HYPERLINK(\"http://x\")".to_string();
    formula.basis = "request REQ-9, \"urgent\"\nsecond line".to_string();
    formula.previous_decision = "keep 2026-07-02".to_string();
    let nothing = right("p-00000000000000d4", ("39912310000", "Öö Ülle"), "", "");
    let mut resolved = right("", mari, "MTA", "VIEW");
    resolved.findings = "f-77 (resolved): SoD conflict ended".to_string();
    Worksheet {
        unit: "Pensionite osakond".to_string(),
        manager: Some(Manager {
            person_id: juri.0.to_string(),
            name: juri.1.to_string(),
        }),
        rights: vec![
            right("r-00000000000000a1", juri, "SKAIS", "PENS_READ"),
            new_right,
            formula,
            nothing,
            resolved,
        ],
        findings: vec![
            FindingRow {
                item_id: "f-1a2b3c".to_string(),
                rule_id: "SOD-01".to_string(),
                severity: "high".to_string(),
                status: "new".to_string(),
                person_id: mari.0.to_string(),
                person_name: mari.1.to_string(),
                system: "SKAIS".to_string(),
                account_id: "mliis".to_string(),
                role: "ADMIN".to_string(),
                message: "Mari-Liis Šõškin hoiab rolle, mis ei tohi koos olla".to_string(),
            },
            FindingRow {
                item_id: "f-4d5e6f".to_string(),
                rule_id: "ACC-02".to_string(),
                severity: "medium".to_string(),
                status: "persisting".to_string(),
                person_id: juri.0.to_string(),
                person_name: juri.1.to_string(),
                system: String::new(),
                account_id: String::new(),
                role: String::new(),
                message: "Dormant account".to_string(),
            },
        ],
    }
}
