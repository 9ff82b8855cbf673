//! Runs every rule fixture under `fixtures/rules/`: each rule fires on its
//! firing case and stays silent on its near miss.

// Tests stop at the first broken expectation; that is what expect is for here.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::path::Path;

use accessaudit_rules::fixture;
use accessaudit_rules::Catalog;

#[test]
fn every_rule_fixture_gives_its_expected_findings() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/rules");
    let catalog = Catalog::builtin().expect("the built-in catalogue is valid");
    let cases = fixture::discover(&root).expect("fixtures/rules is readable");
    assert!(!cases.is_empty(), "no fixture cases found");
    let failed: Vec<String> = cases
        .iter()
        .map(|case| fixture::run(&catalog, case))
        .filter(|r| !r.passed())
        .map(|r| format!("{}:\n    {}", r.name, r.failures.join("\n    ")))
        .collect();
    assert!(
        failed.is_empty(),
        "{} case(s) failed:\n{}",
        failed.len(),
        failed.join("\n")
    );
}

#[test]
fn every_rule_has_a_firing_case_and_a_near_miss() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/rules");
    let catalog = Catalog::builtin().expect("the built-in catalogue is valid");
    for rule in &catalog.rules {
        for case in ["fires", "near-miss"] {
            let dir = root.join(&rule.id).join(case);
            assert!(
                dir.join("case.toml").is_file(),
                "{} has no {case} case",
                rule.id
            );
        }
    }
}
