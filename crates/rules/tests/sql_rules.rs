//! Rules of check kind `sql`: refused at load with file and line when their
//! query cannot run, not evaluable without what they need, and a query that
//! fails on the data is that rule's error while the other rules run.

// Tests stop at the first broken expectation; that is what expect is for here.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::path::Path;

use accessaudit_ingest::{LoadOptions, Snapshot};
use accessaudit_rules::pseudonym::Pseudonymizer;
use accessaudit_rules::{evaluate, Catalog, OutcomeState, RulesError};

/// A sql rule whose query is `query` (lines 10 onwards of the file).
fn rule(query: &str, grain: &str, params: &str) -> String {
    format!(
        r#"id = "ACC-90"
name = "test"
area = "ACC"
title = "t"
description = "d"
remediation = "r"
severity = "low"
check = "sql"
grain = {grain}
query = """
{query}
"""
message = "[{{account_id}} in {{system}}|An account]."
{params}
"#
    )
}

fn problems(text: &str) -> Vec<String> {
    match Catalog::from_sources(vec![("rules/ACC-90.toml".into(), text.to_string())]) {
        Err(RulesError::Definitions { problems }) => {
            problems.iter().map(|p| p.to_string()).collect()
        }
        Err(other) => panic!("unexpected error {other}"),
        Ok(_) => Vec::new(),
    }
}

const GRAIN: &str = r#"["system", "account_id"]"#;

#[test]
fn a_good_query_loads() {
    let text = rule(
        "SELECT system, account_id\nFROM accounts\nWHERE kind IN :kinds AND created_at <= :as_of",
        GRAIN,
        "[params]\nkinds = [\"service\", \"shared\"]",
    );
    assert_eq!(problems(&text), Vec::<String>::new());
}

#[test]
fn a_misspelt_column_is_refused_with_its_line() {
    let text = rule(
        "SELECT system, account_id\nFROM accounts\nWHERE last_logon_at IS NULL",
        GRAIN,
        "",
    );
    let p = problems(&text);
    assert_eq!(p.len(), 1, "{p:?}");
    assert!(p[0].starts_with("rules/ACC-90.toml:13: query:"), "{p:?}");
    assert!(p[0].contains("last_logon_at"), "{p:?}");
}

#[test]
fn an_unknown_table_is_refused_with_its_line() {
    let text = rule("SELECT system, account_id\nFROM acounts", GRAIN, "");
    let p = problems(&text);
    assert_eq!(p.len(), 1, "{p:?}");
    assert!(
        p[0].starts_with("rules/ACC-90.toml:12: query: unknown table acounts"),
        "{p:?}"
    );
    assert!(p[0].contains("effective_rights"), "{p:?}");
}

#[test]
fn a_grain_column_the_query_does_not_return_is_refused() {
    let text = rule(
        "SELECT system, account_id FROM accounts",
        r#"["system", "account_id", "role"]"#,
        "",
    );
    let p = problems(&text);
    assert_eq!(p.len(), 1, "{p:?}");
    assert!(
        p[0].starts_with("rules/ACC-90.toml:9: grain column \"role\" is not returned by the query"),
        "{p:?}"
    );
}

#[test]
fn an_undeclared_placeholder_is_refused_with_its_line() {
    let text = rule(
        "SELECT system, account_id\nFROM accounts\nWHERE last_login_at < :as_of\n  AND kind = :knd",
        GRAIN,
        "[params]\nkind = \"service\"",
    );
    let p = problems(&text);
    assert_eq!(p.len(), 1, "{p:?}");
    assert!(
        p[0].starts_with("rules/ACC-90.toml:14: placeholder :knd is not declared"),
        "{p:?}"
    );
}

#[test]
fn a_message_column_must_be_returned_with_a_type_a_finding_shows() {
    let text = rule(
        "SELECT system, created_at - created_at AS account_id FROM accounts",
        r#"["system"]"#,
        "",
    );
    let p = problems(&text);
    assert!(
        p.iter()
            .any(|p| p.contains("\"account_id\" is returned as duration")),
        "{p:?}"
    );
}

#[test]
fn a_policy_keeps_a_query_parameter_to_its_type() {
    let text = rule(
        "SELECT system, account_id FROM accounts WHERE kind IN :kinds",
        GRAIN,
        "[params]\nkinds = [\"service\"]",
    );
    let catalog = Catalog::from_sources(vec![("rules/ACC-90.toml".into(), text)]).expect("valid");
    let err = catalog
        .clone()
        .with_policy("policy.toml", "[rules.ACC-90]\nparams = { kinds = 3 }\n")
        .expect_err("a number is not a list of strings");
    assert!(
        err.to_string()
            .contains("policy.toml:2: parameter \"kinds\" of ACC-90 must be a list of strings"),
        "{err}"
    );
    let catalog = catalog
        .with_policy(
            "policy.toml",
            "[rules.ACC-90]\nparams = { kinds = [\"shared\"] }\n",
        )
        .expect("same type");
    assert_eq!(
        catalog.get("ACC-90").map(|r| r.overridden.clone()),
        Some(vec!["kinds".to_string()])
    );
}

fn base() -> Snapshot {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/base");
    Snapshot::load(&dir, &LoadOptions::default()).expect("the fixture base loads")
}

#[test]
fn dq_05_is_not_evaluable_without_the_identity_columns() {
    let catalog = Catalog::builtin().expect("valid");
    let snapshot = base();
    let pseudonyms = Pseudonymizer::new(vec![1; 32], false);
    let ev = evaluate(&catalog, &snapshot, &pseudonyms, |r| r.id == "DQ-05").expect("runs");
    assert_eq!(ev.outcomes.len(), 1);
    match &ev.outcomes[0].state {
        OutcomeState::NotEvaluable { reason, table } => {
            assert_eq!(table, "accounts.full_name");
            assert_eq!(
                reason,
                "the optional column full_name of accounts is absent"
            );
        }
        other => panic!("DQ-05 ran: {other:?}"),
    }
}

#[test]
fn a_query_failing_on_the_data_is_that_rules_error_and_the_others_run() {
    // Plans fine on the empty tables; fails on a name that is not a number.
    let text = rule(
        "SELECT system, account_id FROM accounts WHERE CAST(account_id AS INTEGER) > 0",
        GRAIN,
        "",
    );
    let mut sources = vec![("rules/ACC-90.toml".to_string(), text)];
    sources.push((
        "rules/ACC-08.toml".to_string(),
        std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../rules/ACC-08.toml"),
        )
        .expect("ACC-08 is readable"),
    ));
    let catalog = Catalog::from_sources(sources).expect("valid");
    let snapshot = base();
    let pseudonyms = Pseudonymizer::new(vec![1; 32], false);
    let ev = evaluate(&catalog, &snapshot, &pseudonyms, |_| true).expect("the audit runs");
    let state = |id: &str| {
        ev.outcomes
            .iter()
            .find(|o| o.rule_id == id)
            .map(|o| o.state.clone())
    };
    assert!(
        matches!(state("ACC-90"), Some(OutcomeState::Failed { .. })),
        "{:?}",
        state("ACC-90")
    );
    assert_eq!(
        state("ACC-08"),
        Some(OutcomeState::Evaluated { findings: 0 })
    );
}
