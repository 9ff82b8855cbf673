//! The rule loader reports every problem of every file with its line.

// Tests stop at the first broken expectation; that is what expect is for here.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use accessaudit_rules::{Catalog, RulesError};

const GOOD: &str = r#"id = "DQ-01"
name = "invalid-person-code"
area = "DQ"
title = "t"
description = "d"
remediation = "r"
severity = "medium"
check = "invalid_person_code"
grain = ["ref"]
message = "[{ref}: ][{details}|the row is unusable]."
"#;

fn problems(files: &[(&str, &str)]) -> Vec<String> {
    let sources = files
        .iter()
        .map(|(n, t)| (n.to_string(), t.to_string()))
        .collect();
    match Catalog::from_sources(sources) {
        Err(RulesError::Definitions { problems }) => {
            problems.iter().map(|p| p.to_string()).collect()
        }
        Err(other) => panic!("unexpected error {other}"),
        Ok(_) => Vec::new(),
    }
}

#[test]
fn the_builtin_catalogue_is_valid_and_ordered() {
    let c = Catalog::builtin().expect("valid");
    let ids: Vec<_> = c.rules.iter().map(|r| r.id.as_str()).collect();
    let mut sorted = ids.clone();
    sorted.sort_by_key(|id| {
        let area = ["ACC", "TIME", "PD", "DQ"]
            .iter()
            .position(|a| id.starts_with(&format!("{a}-")))
            .unwrap_or(9);
        (area, id.to_string())
    });
    assert_eq!(ids, sorted);
    assert!(c.get("dq-01").is_some(), "ids are found case-insensitively");
}

#[test]
fn a_good_file_loads() {
    assert!(problems(&[("DQ-01.toml", GOOD)]).is_empty());
}

#[test]
fn unknown_check_kind_names_file_and_line() {
    let bad = GOOD.replace("invalid_person_code", "no_such_check");
    let p = problems(&[("DQ-01.toml", &bad)]);
    assert_eq!(p.len(), 1, "{p:?}");
    assert!(
        p[0].starts_with("DQ-01.toml:8: unknown check kind \"no_such_check\""),
        "{p:?}"
    );
}

#[test]
fn unknown_and_mistyped_parameters() {
    let bad = format!("{GOOD}\n[params]\nstale_days = 7\n");
    let p = problems(&[("DQ-01.toml", &bad)]);
    assert_eq!(p.len(), 1, "{p:?}");
    assert!(
        p[0].starts_with("DQ-01.toml:13: unknown parameter \"stale_days\""),
        "{p:?}"
    );
}

#[test]
fn duplicate_ids_and_bad_words_are_all_reported() {
    let other = GOOD.replace("severity = \"medium\"", "severity = \"severe\"");
    let p = problems(&[("a.toml", GOOD), ("b.toml", &other)]);
    assert_eq!(p.len(), 2, "{p:?}");
    assert!(
        p[0].starts_with("b.toml:1: duplicate rule id \"DQ-01\""),
        "{p:?}"
    );
    assert!(
        p[1].starts_with("b.toml:7: unknown severity \"severe\""),
        "{p:?}"
    );
}

#[test]
fn message_placeholders_and_grain_must_exist() {
    let bad = GOOD
        .replace("{details}", "{detials}")
        .replace("[\"ref\"]", "[\"account_id\"]");
    let p = problems(&[("DQ-01.toml", &bad)]);
    assert_eq!(p.len(), 2, "{p:?}");
    assert!(
        p.iter()
            .any(|m| m.contains(":9: grain column \"account_id\"")),
        "{p:?}"
    );
    assert!(
        p.iter()
            .any(|m| m.contains(":10: message placeholder {detials}")),
        "{p:?}"
    );
}

#[test]
fn syntax_errors_and_unknown_keys_have_lines() {
    let p = problems(&[("x.toml", "id = \"DQ-09\"\nsevirity = \"low\"\n")]);
    assert_eq!(p.len(), 1, "{p:?}");
    assert!(p[0].starts_with("x.toml:2:"), "{p:?}");
}

#[test]
fn an_estonian_message_keeps_the_placeholders_and_its_phrases_are_usable() {
    let good = format!(
        "{GOOD}\n[et]\ntitle = \"t\"\ndescription = \"k\"\nremediation = \"p\"\nmessage = \"[{{ref}}: ][{{details}}|rida ei saa kasutada].\"\n\n[et.phrases]\n\"{{}} {{}} is not 11 digits\" = \"veeru {{1}} väärtus {{2}} ei ole 11-kohaline\"\n"
    );
    assert!(problems(&[("DQ-01.toml", &good)]).is_empty());
    let bad = good
        .replace(
            "message = \"[{ref}: ][{details}|rida ei saa kasutada].\"\n\n[et.phrases]",
            "message = \"[{ref}: ][{detail}|rida ei saa kasutada].\"\n\n[et.phrases]",
        )
        .replace("väärtus {2}", "väärtus {3}");
    let p = problems(&[("DQ-01.toml", &bad)]);
    assert_eq!(p.len(), 3, "{p:?}");
    assert!(
        p.iter()
            .any(|m| m.contains(":16: [et] message lacks the placeholder {details}")),
        "{p:?}"
    );
    assert!(
        p.iter()
            .any(|m| m.contains(":16: [et] message has placeholder {detail}")),
        "{p:?}"
    );
    assert!(
        p.iter()
            .any(|m| m.contains(":19: [et.phrases]")
                && m.contains("uses part 3, but the pattern has 2")),
        "{p:?}"
    );
    // Without a message the Estonian texts are incomplete.
    let missing = good.replace(
        "message = \"[{ref}: ][{details}|rida ei saa kasutada].\"\n\n[et",
        "\n[et",
    );
    let p = problems(&[("DQ-01.toml", &missing)]);
    assert!(p.iter().any(|m| m.contains("message")), "{p:?}");
}

/// The problems of applying `policy` (named `policy.toml`) to the built-in
/// catalogue.
fn policy_problems(policy: &str) -> Vec<String> {
    match Catalog::builtin()
        .expect("valid")
        .with_policy("policy.toml", policy)
    {
        Err(RulesError::Definitions { problems }) => {
            problems.iter().map(|p| p.to_string()).collect()
        }
        Err(other) => panic!("unexpected error {other}"),
        Ok(_) => Vec::new(),
    }
}

/// A built-in rule file's text, with `from` replaced by `to`.
fn rule_file(id: &str, from: &str, to: &str) -> String {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("../../rules/{id}.toml"));
    let text = std::fs::read_to_string(path).expect("rule file");
    assert!(text.contains(from), "{from:?} not in {id}.toml");
    text.replacen(from, to, 1)
}

#[test]
fn a_policy_parameter_of_2_pow_32_days_is_a_load_error_naming_line_and_value() {
    // It used to overflow the date arithmetic ("DateTime - TimeDelta
    // overflowed") when the rule ran.
    let p = policy_problems(
        "[rules.ACC-07]\nparams = { dormant_days = 4294967296 }\n\n[rules.DQ-04]\nparams = { stale_days = 4294967296 }\n",
    );
    assert_eq!(
        p,
        [
            "policy.toml:2: parameter \"dormant_days\" of ACC-07 must be a whole number of days from 0 to 36500, not 4294967296",
            "policy.toml:5: parameter \"stale_days\" of DQ-04 must be a whole number of days from 0 to 36500, not 4294967296",
        ]
    );
}

#[test]
fn a_negative_policy_parameter_is_a_load_error() {
    // dormant_days = -1 used to make every account dormant.
    let p = policy_problems("[rules.ACC-07]\nparams = { dormant_days = -1 }\n");
    assert_eq!(p.len(), 1, "{p:?}");
    assert!(
        p[0].starts_with("policy.toml:2: parameter \"dormant_days\" of ACC-07")
            && p[0].ends_with(", not -1"),
        "{p:?}"
    );
    let p = policy_problems("[rules.TIME-06]\nparams = { fulfilment_working_days = -3 }\n");
    assert!(
        p.len() == 1 && p[0].contains("working days from 0 to"),
        "{p:?}"
    );
    let p = policy_problems("[rules.PD-09]\nparams = { bulk_mad_factor = nan }\n");
    assert!(p.len() == 1 && p[0].ends_with(", not nan"), "{p:?}");
    let p = policy_problems("[rules.PD-09]\nparams = { bulk_distinct_subjects_per_day = 0 }\n");
    assert_eq!(p.len(), 1, "{p:?}");
}

#[test]
fn an_unknown_word_in_a_severity_parameter_is_a_load_error() {
    // It used to be ignored silently: the rule kept its own severity.
    let p = policy_problems("[rules.ACC-01]\nparams = { personal_data_severity = \"extreme\" }\n");
    assert_eq!(
        p,
        ["policy.toml:2: parameter \"personal_data_severity\" of ACC-01 must be one of critical, high, medium, low, info, not \"extreme\""]
    );
    let bad = rule_file(
        "TIME-01",
        "escalated_severity = \"critical\"",
        "escalated_severity = \"urgent\"",
    );
    let p = problems(&[("TIME-01.toml", &bad)]);
    assert_eq!(p.len(), 1, "{p:?}");
    assert!(
        p[0].contains("parameter \"escalated_severity\" must be one of critical")
            && p[0].ends_with("not \"urgent\""),
        "{p:?}"
    );
    assert!(policy_problems(
        "[rules.ACC-01]\nparams = { personal_data_severity = \"critical\" }\n"
    )
    .is_empty());
}

#[test]
fn a_severity_that_is_not_a_severity_is_a_load_error_with_file_and_line() {
    let p = policy_problems("[rules.ACC-01]\nseverity = \"hihg\"\n");
    assert_eq!(p.len(), 1, "{p:?}");
    assert!(
        p[0].starts_with("policy.toml:2: unknown severity \"hihg\""),
        "{p:?}"
    );
    let bad = rule_file("ACC-07", "severity = \"low\"", "severity = \"hihg\"");
    let p = problems(&[("ACC-07.toml", &bad)]);
    assert_eq!(p.len(), 1, "{p:?}");
    assert!(
        p[0].starts_with("ACC-07.toml:5: unknown severity \"hihg\""),
        "{p:?}"
    );
}

#[test]
fn a_rule_file_parameter_out_of_range_names_file_line_and_value() {
    let bad = rule_file("ACC-07", "dormant_days = 90", "dormant_days = 4294967296");
    let p = problems(&[("ACC-07.toml", &bad)]);
    assert_eq!(p.len(), 1, "{p:?}");
    assert!(
        p[0].starts_with("ACC-07.toml:")
            && p[0].contains("parameter \"dormant_days\" must be a whole number of days")
            && p[0].ends_with("not 4294967296"),
        "{p:?}"
    );
}

#[test]
fn an_empty_grain_is_a_load_error() {
    // `grain = []` gave every finding of the rule one finding_id.
    let bad = GOOD.replace("grain = [\"ref\"]", "grain = []");
    let p = problems(&[("DQ-01.toml", &bad)]);
    assert_eq!(p.len(), 1, "{p:?}");
    assert!(p[0].starts_with("DQ-01.toml:9: grain is empty"), "{p:?}");
}

#[test]
fn a_rule_parameter_is_never_defaulted() {
    let catalog = Catalog::builtin().expect("valid");
    let mut rule = catalog.get("ACC-07").expect("ACC-07").clone();
    assert_eq!(rule.int("dormant_days").expect("declared"), 90);
    rule.params.clear();
    let err = rule
        .int("dormant_days")
        .expect_err("missing is an error, not 0");
    assert!(err.to_string().contains("ACC-07") && err.to_string().contains("dormant_days"));
    assert!(rule.text("condition").is_err());
    assert!(rule.words("suspend_absence_kinds").is_err());
    assert!(rule.number("bulk_mad_factor").is_err());
    assert!(rule.severity_param("personal_data_severity").is_err());
    assert_eq!(
        rule.optional_severity_param("unexplained_severity").ok(),
        Some(None)
    );
    rule.params
        .insert("dormant_days".into(), toml::Value::String("ninety".into()));
    assert!(
        rule.int("dormant_days").is_err(),
        "a mistyped value is an error too"
    );
}

#[test]
fn unbalanced_segments_and_bare_holes_are_load_errors_with_file_and_line() {
    let et = "\n[et]\ntitle = \"t\"\ndescription = \"k\"\nremediation = \"p\"\nmessage = \"[{ref}: ][{details}|rida ei saa kasutada].\"\n";
    let good = format!("{GOOD}{et}");
    assert!(problems(&[("DQ-01.toml", &good)]).is_empty());
    let bad = good
        .replace("[{ref}: ][{details}|the row", "[{ref}: [{details}|the row")
        .replace("[{details}|rida", "{details}|rida");
    let p = problems(&[("DQ-01.toml", &bad)]);
    assert_eq!(p.len(), 2, "{p:?}");
    assert!(
        p[0].starts_with("DQ-01.toml:10: message: `[` at character 1 is never closed"),
        "{p:?}"
    );
    assert!(
        p[1].starts_with("DQ-01.toml:16: [et] message: `|` at character 19 is outside"),
        "{p:?}"
    );
    let bare = good.replace(
        "[{ref}: ][{details}|the row is unusable]",
        "{ref}: [{details}]",
    );
    let p = problems(&[("DQ-01.toml", &bare)]);
    assert_eq!(p.len(), 1, "{p:?}");
    assert!(
        p[0].starts_with("DQ-01.toml:10: message: {ref} at character 1 is outside any `[...]`"),
        "{p:?}"
    );
}

#[test]
fn estonian_references_match_the_english_ones_one_for_one() {
    let english = GOOD.replace(
        "grain = [\"ref\"]",
        "grain = [\"ref\"]\nreferences = [\"GDPR Art. 5(1)(d) — accuracy\", \"EVS 585:2007\"]",
    );
    let et = "\n[et]\ntitle = \"t\"\ndescription = \"k\"\nremediation = \"p\"\nmessage = \"[{ref}: ][{details}|rida ei saa kasutada].\"\nreferences = [\"IKÜM art 5 lg 1 p d — õigsus\"]\n";
    let p = problems(&[("DQ-01.toml", &format!("{english}{et}"))]);
    assert_eq!(p.len(), 1, "{p:?}");
    assert!(
        p[0].starts_with("DQ-01.toml:18: [et] references has 1 entries, the English references 2"),
        "{p:?}"
    );
    let both = et.replace("õigsus\"]", "õigsus\", \"EVS 585:2007\"]");
    let c = Catalog::from_sources(vec![("DQ-01.toml".into(), format!("{english}{both}"))])
        .expect("valid");
    assert_eq!(c.rules[0].texts("et").references[1], "EVS 585:2007");
    assert_eq!(
        c.rules[0].texts("en").references[0],
        "GDPR Art. 5(1)(d) — accuracy"
    );
}
