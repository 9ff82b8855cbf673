//! Every rule's message reads as a sentence whatever value is missing: each
//! firing fixture's findings are rendered again with each hole of the
//! message emptied in turn, and with all of them emptied, in English and
//! Estonian; no render may show a placeholder word, empty parentheses,
//! doubled spaces or punctuation, or "no … of no …".

// Tests stop at the first broken expectation; that is what expect is for here.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::collections::BTreeMap;
use std::path::Path;

use accessaudit_rules::{fixture, template, Catalog};

/// Separates the values of a probe message.
const SEPARATOR: char = '\u{1f}';
/// Stands for a missing value in a probe message.
const MISSING: &str = "\u{2400}";

/// What a message must never hold.
const WRONG: &[&str] = &[
    "(none)", "(puudub)", "()", "( ", " )", "  ", " ,", " .", " ;", " :", ",,", "..", ";;", ",.",
    ";.", ":.", ".,", ",;", ";,", ", .", ", ,", "[", "]", "|", "{", "}",
];

/// Words that give away English left in an Estonian message.
const ENGLISH: &[&str] = &[
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
    " its ",
    " it ",
    " unknown ",
    " someone ",
    " account ",
    " an ",
    " a ",
];

/// "no duty of no position": a negation of a negation.
fn double_negation(message: &str) -> bool {
    let words: Vec<String> = message
        .split_whitespace()
        .map(|w| {
            w.trim_matches(|c: char| !c.is_alphanumeric())
                .to_lowercase()
        })
        .collect();
    words.iter().enumerate().any(|(i, w)| {
        w == "no"
            && words
                .iter()
                .skip(i + 1)
                .take(5)
                .collect::<Vec<_>>()
                .windows(2)
                .any(|p| p[0] == "of" && p[1] == "no")
    })
}

/// The values each hole of each finding of the firing cases gets: the
/// cases run with every message replaced by a probe that lists its holes.
fn probe_values(catalog: &Catalog) -> Vec<(String, String, BTreeMap<String, Option<String>>)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/rules");
    let mut probe = catalog.clone();
    let mut holes: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for rule in &mut probe.rules {
        let mut names: Vec<String> = template::placeholders(&rule.message)
            .into_iter()
            .map(str::to_string)
            .collect();
        names.dedup();
        rule.message = names
            .iter()
            .map(|n| format!("[{{{n}}}|{MISSING}]"))
            .collect::<Vec<_>>()
            .join(&SEPARATOR.to_string());
        rule.et = None;
        holes.insert(rule.id.clone(), names);
    }
    let mut out = Vec::new();
    let cases = fixture::discover(&root).expect("fixtures/rules is readable");
    let scratch = tempfile::tempdir().expect("a scratch directory");
    for case in cases.iter().filter(|c| c.name.ends_with("/fires")) {
        for f in fixture::case_findings(&probe, case, "en", scratch.path()).expect("the case runs")
        {
            let names = &holes[&f.rule_id];
            let values: Vec<&str> = f.message.split(SEPARATOR).collect();
            assert_eq!(values.len(), names.len(), "{}: {}", case.name, f.message);
            let map = names
                .iter()
                .zip(values)
                .map(|(n, v)| (n.clone(), (v != MISSING).then(|| v.to_string())))
                .collect();
            out.push((case.name.clone(), f.rule_id.clone(), map));
        }
    }
    out
}

#[test]
fn every_message_reads_right_with_any_value_missing() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/rules");
    let catalog = Catalog::builtin().expect("the built-in catalogue is valid");
    let probed = probe_values(&catalog);
    assert!(probed.len() > 40, "only {} findings probed", probed.len());
    for rule in &catalog.rules {
        assert!(
            probed.iter().any(|(_, id, _)| *id == rule.id),
            "{}: its firing case gives no finding to render",
            rule.id
        );
    }

    // The probe recovered the values the engine used: rendered whole, they
    // give the very messages of the run.
    let cases = fixture::discover(&root).expect("fixtures/rules is readable");
    let scratch = tempfile::tempdir().expect("a scratch directory");
    let mut real: Vec<String> = Vec::new();
    for case in cases.iter().filter(|c| c.name.ends_with("/fires")) {
        for lang in ["en", "et"] {
            real.extend(
                fixture::case_findings(&catalog, case, lang, scratch.path())
                    .expect("the case runs")
                    .into_iter()
                    .map(|f| f.message),
            );
        }
    }
    let mut whole: Vec<String> = Vec::new();
    for (_, rule_id, values) in &probed {
        let rule = catalog.get(rule_id).expect("a rule of the catalogue");
        for lang in ["en", "et"] {
            whole.push(
                rule.texts(lang)
                    .render_message(|n| values.get(n).cloned().flatten()),
            );
        }
    }
    real.sort();
    whole.sort();
    assert_eq!(
        real, whole,
        "the probe did not recover the messages' values"
    );

    let mut wrong = Vec::new();
    let mut renders = 0;
    for (case, rule_id, values) in &probed {
        let rule = catalog.get(rule_id).expect("a rule of the catalogue");
        let names: Vec<&String> = values.keys().collect();
        let mut variants: Vec<(String, Vec<&String>)> = names
            .iter()
            .map(|n| (format!("without {{{n}}}"), vec![*n]))
            .collect();
        variants.push(("without any value".into(), names.clone()));
        for (label, removed) in &variants {
            for lang in ["en", "et"] {
                let message = rule.texts(lang).render_message(|n| {
                    if removed.iter().any(|r| r.as_str() == n) {
                        None
                    } else {
                        values.get(n).cloned().flatten()
                    }
                });
                renders += 1;
                let padded = format!(" {message} ");
                let problem = WRONG
                    .iter()
                    .find(|w| message.contains(**w))
                    .map(|w| format!("holds {w:?}"))
                    .or_else(|| {
                        (message.trim() != message || message.is_empty())
                            .then(|| "is empty or padded".to_string())
                    })
                    .or_else(|| {
                        (!message.ends_with('.')).then(|| "does not end with a full stop".into())
                    })
                    .or_else(|| double_negation(&message).then(|| "says no … of no …".into()))
                    .or_else(|| {
                        (lang == "et")
                            .then(|| ENGLISH.iter().find(|w| padded.contains(**w)))
                            .flatten()
                            .map(|w| format!("holds English {w:?}"))
                    });
                if let Some(problem) = problem {
                    wrong.push(format!("{case} [{lang}] {label} {problem}: {message}"));
                }
            }
        }
    }
    assert!(renders > 400, "only {renders} renders checked");
    wrong.sort();
    wrong.dedup();
    assert!(
        wrong.is_empty(),
        "{} message(s) do not read right:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

#[test]
fn the_double_negation_is_caught() {
    assert!(double_negation(
        "Jaan Mets holds RR role QUERY, but no duty of no position justifies it."
    ));
    assert!(!double_negation(
        "Jaan Mets holds RR role QUERY, but no duty of his position justifies it and no order covers it."
    ));
}
