//! The summary `audit` prints, and the report's matching parts: in the
//! chosen language, one line per absent table, and "no events" rather than a
//! share of nothing.

// Tests stop at the first broken expectation; that is what expect is for here.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::path::Path;

use accessaudit_ingest::{LoadOptions, Snapshot};
use accessaudit_report::html::{render, ReportInput};
use accessaudit_report::text::audit_summary;
use accessaudit_review::figures::{ExplainedAccess, Share};
use accessaudit_review::Review;
use accessaudit_rules::{Catalog, Evaluation, OutcomeState, RuleOutcome};

/// The rule fixtures' base snapshot: no access log, no cases.
fn base() -> Snapshot {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/base");
    Snapshot::load(&dir, &LoadOptions::default()).expect("the base snapshot loads")
}

fn blocked(ids: &[&str]) -> Vec<RuleOutcome> {
    ids.iter()
        .map(|id| RuleOutcome {
            rule_id: id.to_string(),
            state: OutcomeState::NotEvaluable {
                reason: "the optional table access_log is absent".into(),
                table: "access_log".into(),
            },
        })
        .collect()
}

fn no_events() -> ExplainedAccess {
    ExplainedAccess {
        overall: Share {
            key: "all".into(),
            events: 0,
            explained: 0,
            share: None,
        },
        by_system: Vec::new(),
        by_unit: Vec::new(),
        by_week: Vec::new(),
        users: Vec::new(),
    }
}

#[test]
fn an_absent_log_is_said_once_naming_the_rules_it_blocks() {
    let catalog = Catalog::builtin().expect("valid");
    let evaluation = Evaluation {
        outcomes: blocked(&["PD-01", "PD-02", "DQ-04"]),
        ..Evaluation::default()
    };
    let said = audit_summary(
        &base(),
        &catalog,
        &evaluation,
        &Review::default(),
        &[],
        "en",
    )
    .expect("en");
    assert!(
        said.contains("\naccess_log is absent: PD-01, PD-02, DQ-04 not evaluable\n"),
        "{said}"
    );
    assert_eq!(said.matches("not evaluable").count(), 1, "{said}");
    let said = audit_summary(
        &base(),
        &catalog,
        &evaluation,
        &Review::default(),
        &[],
        "et",
    )
    .expect("et");
    assert!(
        said.contains(
            "\nTabel access_log puudub, seetõttu ei saanud hinnata: PD-01, PD-02, DQ-04\n"
        ),
        "{said}"
    );
}

#[test]
fn the_console_summary_speaks_estonian_under_lang_et() {
    let catalog = Catalog::builtin().expect("valid");
    let evaluation = Evaluation {
        outcomes: vec![RuleOutcome {
            rule_id: "ACC-01".into(),
            state: OutcomeState::Evaluated { findings: 0 },
        }],
        ..Evaluation::default()
    };
    let et = audit_summary(
        &base(),
        &catalog,
        &evaluation,
        &Review::default(),
        &[],
        "et",
    )
    .expect("et");
    let title = catalog.get("ACC-01").unwrap().texts("et").title;
    for words in [
        "Andmestik ",
        "seisuhetk ",
        "Leiud: 0",
        "raskusastme järgi: kriitiline 0",
        "oleku järgi:",
        &title,
    ] {
        assert!(et.contains(words), "{words:?} missing:\n{et}");
    }
    let en = audit_summary(
        &base(),
        &catalog,
        &evaluation,
        &Review::default(),
        &[],
        "en",
    )
    .expect("en");
    for words in [
        "as_of  ",
        "\nFindings: 0\n",
        "  by severity: critical 0",
        "  by area:     ACC 0",
        "\n  rule     severity findings  title\n",
        "  ACC-01   medium          0  Role that no duty",
    ] {
        assert!(en.contains(words), "{words:?} missing:\n{en}");
    }
}

#[test]
fn zero_events_say_no_events_not_a_hundred_percent() {
    let catalog = Catalog::builtin().expect("valid");
    let evaluation = Evaluation::default();
    let review = Review {
        explained_access: Some(no_events()),
        ..Review::default()
    };
    let snapshot = base();
    let en = audit_summary(&snapshot, &catalog, &evaluation, &review, &[], "en").expect("en");
    assert!(en.contains("\nExplained by a case: no events\n"), "{en}");
    assert!(!en.contains('%'), "{en}");
    let et = audit_summary(&snapshot, &catalog, &evaluation, &review, &[], "et").expect("et");
    assert!(
        et.contains("\nMenetlusega põhjendatud: päringuid ei olnud\n"),
        "{et}"
    );
    let json = serde_json::to_value(&review.explained_access).expect("json");
    assert!(json["overall"]["share"].is_null(), "{json}");
    for (lang, words) in [("en", "no events"), ("et", "päringuid ei olnud")] {
        let html = render(&ReportInput {
            snapshot: &snapshot,
            catalog: &catalog,
            evaluation: &evaluation,
            review: &review,
            tables: &[],
            lang,
        })
        .expect("renders");
        assert!(html.contains(&format!("<b>{words}</b>")), "{lang}");
        assert!(!html.contains("100.0 %"), "{lang}");
    }
}

#[test]
fn the_report_groups_the_absent_table_and_shows_estonian_references() {
    let catalog = Catalog::builtin().expect("valid");
    let evaluation = Evaluation {
        outcomes: blocked(&["PD-01", "PD-02"]),
        ..Evaluation::default()
    };
    let snapshot = base();
    let html = render(&ReportInput {
        snapshot: &snapshot,
        catalog: &catalog,
        evaluation: &evaluation,
        review: &Review::default(),
        tables: &[],
        lang: "et",
    })
    .expect("renders");
    assert_eq!(
        html.matches("Tabel access_log puudub, seetõttu ei saanud hinnata: PD-01, PD-02")
            .count(),
        1
    );
    assert!(!html.contains("the optional table"));
    let reference = &catalog.get("PD-01").unwrap().texts("et").references[0];
    assert!(reference.starts_with("IKÜM"), "{reference}");
    assert!(html.contains(reference.as_str()));
    assert!(!html.contains("GDPR Art. 5(1)(b)"));
}
