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
    let scratch = tempfile::tempdir().expect("a scratch directory");
    let failed: Vec<String> = cases
        .iter()
        .map(|case| fixture::run(&catalog, case, scratch.path()))
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

/// Words that give away an English sentence left in an Estonian message.
const ENGLISH: &[&str] = &[
    // Not " on ": it is Estonian ("is").
    " the ",
    " of ",
    " was ",
    " is ",
    " has ",
    " with ",
    " and ",
    " by ",
    " not ",
    " no ",
    " after ",
    " before ",
    " until ",
    "time(s)",
    " still ",
    " at as_of",
    " its ",
    " it ",
    "(none)",
    " days ",
    " more than ",
];

#[test]
fn every_firing_case_reads_in_estonian() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/rules");
    let catalog = Catalog::builtin().expect("the built-in catalogue is valid");
    let cases = fixture::discover(&root).expect("fixtures/rules is readable");
    let scratch = tempfile::tempdir().expect("a scratch directory");
    let mut english = Vec::new();
    let mut messages = 0;
    for case in cases.iter().filter(|c| c.name.ends_with("/fires")) {
        let en =
            fixture::case_findings(&catalog, case, "en", scratch.path()).expect("the case runs");
        let et =
            fixture::case_findings(&catalog, case, "et", scratch.path()).expect("the case runs");
        assert_eq!(
            en.len(),
            et.len(),
            "{}: the language changed the findings",
            case.name
        );
        for (a, b) in en.iter().zip(&et) {
            // Same facts, same ids: only the words differ.
            assert_eq!(a.finding_id, b.finding_id, "{}", case.name);
            assert_ne!(
                a.message, b.message,
                "{}: message not translated",
                case.name
            );
            messages += 1;
            let padded = format!(" {} ", b.message);
            if let Some(word) = ENGLISH.iter().find(|w| padded.contains(**w)) {
                english.push(format!("{} ({word:?}): {}", case.name, b.message));
            }
        }
    }
    assert!(messages > 40, "only {messages} messages were compared");
    assert!(
        english.is_empty(),
        "{} Estonian message(s) still hold English:\n{}",
        english.len(),
        english.join("\n")
    );
}
