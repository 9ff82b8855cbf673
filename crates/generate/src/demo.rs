//! The planted stories: the demo snapshot in `fixtures/demo`, embedded.
//!
//! The demo carries one story per ACC, TIME and PD rule with near misses
//! beside it, checked against an independent Python oracle
//! (`fixtures/tools/make_demo.py`). The generator writes its rows first in
//! every table, so the demo's row numbers and expected findings hold in the
//! generated quarter, and surrounds them with a background in other units.

/// One embedded demo table: its name and its file's text.
pub(crate) struct DemoTable {
    /// The table's name in the input contract.
    pub name: &'static str,
    /// The CSV text exactly as it is in `fixtures/demo`.
    pub text: &'static str,
}

macro_rules! demo {
    ($($name:literal),* $(,)?) => {
        &[$(DemoTable {
            name: $name,
            text: include_str!(concat!("../../../fixtures/demo/", $name, ".csv")),
        }),*]
    };
}

/// Every table of the demo snapshot.
pub(crate) const TABLES: &[DemoTable] = demo!(
    "employees",
    "positions",
    "position_duties",
    "duty_roles",
    "roles",
    "sod_conflicts",
    "accounts",
    "role_assignments",
    "access_requests",
    "absences",
    "substitutions",
    "cases",
    "access_log",
    "watchlist",
    "subjects",
    "relations",
    "holidays",
);

/// The findings the demo's stories must produce.
pub(crate) const EXPECTED_FINDINGS: &str =
    include_str!("../../../fixtures/demo/expected-findings.csv");

/// The text of one demo table.
pub(crate) fn table(name: &str) -> &'static str {
    TABLES
        .iter()
        .find(|t| t.name == name)
        .map_or("", |t| t.text)
}

/// Every 11-digit token in the demo: personal codes the background must not reuse.
pub(crate) fn person_codes() -> Vec<String> {
    let mut codes = Vec::new();
    for table in TABLES {
        for token in table
            .text
            .split(|c: char| !c.is_ascii_alphanumeric())
            .filter(|t| t.len() == 11 && t.bytes().all(|b| b.is_ascii_digit()))
        {
            codes.push(token.to_string());
        }
    }
    codes
}
