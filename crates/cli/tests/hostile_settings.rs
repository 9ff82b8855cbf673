//! Settings a hostile or careless user gives: policies, pseudonym keys,
//! subject codes, generator sizes and a baseline written with real codes.
//! Each is refused with a message naming what is wrong (exit 2), or handled
//! without leaking a citizen's code; none of them panics.

// Tests stop at the first broken expectation; that is what expect is for here.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const KEY: &str = "hostile-settings-test-key";

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn demo() -> PathBuf {
    repo().join("fixtures/demo")
}

/// Runs accessaudit with `key` as the pseudonym key; asserts no panic.
fn run_with_key(key: &str, args: &[&str]) -> Output {
    let out = Command::new(env!("CARGO_BIN_EXE_accessaudit"))
        .env("ACCESSAUDIT_PSEUDONYM_KEY", key)
        .env("ACCESSAUDIT_NO_PROGRESS", "1")
        .args(args)
        .output()
        .expect("run accessaudit");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "panic: {stderr}");
    out
}

fn run(args: &[&str]) -> Output {
    run_with_key(KEY, args)
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).to_string()
}

/// Asserts exit 2 with every fragment in the message.
fn assert_refused(out: &Output, fragments: &[&str]) {
    let err = stderr(out);
    assert_eq!(out.status.code(), Some(2), "exit code; stderr: {err}");
    for f in fragments {
        assert!(err.contains(f), "{f:?} missing from: {err}");
    }
}

/// Audits the demo with `policy` written to a file named `policy.toml`.
fn audit_with_policy(policy: &str) -> (Output, tempfile::TempDir) {
    let work = tempfile::tempdir().expect("tmp");
    let file = work.path().join("policy.toml");
    std::fs::write(&file, policy).expect("write policy");
    let out = run(&[
        "audit",
        "--data",
        demo().to_str().unwrap(),
        "--out",
        work.path().join("out").to_str().unwrap(),
        "--policy",
        file.to_str().unwrap(),
        "-q",
    ]);
    (out, work)
}

#[test]
fn a_policy_parameter_of_2_pow_32_days_is_a_load_error_not_a_panic() {
    for (rule, param) in [("ACC-07", "dormant_days"), ("DQ-04", "stale_days")] {
        let (out, work) = audit_with_policy(&format!(
            "[rules.{rule}]\nparams = {{ {param} = 4294967296 }}\n"
        ));
        assert_refused(
            &out,
            &[
                "policy.toml:2",
                param,
                rule,
                "4294967296",
                "from 0 to 36500",
            ],
        );
        assert!(!work.path().join("out").exists(), "nothing written");
    }
}

#[test]
fn a_negative_policy_parameter_is_a_load_error() {
    // `dormant_days = -1` gave 46 ACC-07 findings on the demo instead of 1.
    let (out, _work) = audit_with_policy("[rules.ACC-07]\nparams = { dormant_days = -1 }\n");
    assert_refused(&out, &["policy.toml:2", "dormant_days", "not -1"]);
}

#[test]
fn an_unknown_word_in_a_severity_parameter_is_a_load_error() {
    let (out, _work) =
        audit_with_policy("[rules.ACC-01]\nparams = { personal_data_severity = \"extreme\" }\n");
    assert_refused(
        &out,
        &["policy.toml:2", "personal_data_severity", "\"extreme\""],
    );
}

#[test]
fn a_severity_that_is_not_a_severity_exits_2_with_file_and_line() {
    let (out, _work) = audit_with_policy("[rules.ACC-01]\nseverity = \"hihg\"\n");
    assert_refused(&out, &["policy.toml:2", "unknown severity \"hihg\""]);
}

#[test]
fn generate_with_no_persons_is_an_error_not_a_panic() {
    let work = tempfile::tempdir().expect("tmp");
    let target = work.path().join("q");
    for args in [
        ["--persons", "0", "--events", "1000"],
        ["--persons", "5000000", "--events", "1000"],
        ["--persons", "10", "--events", "99999999999"],
    ] {
        let mut all = vec!["generate", "--out", target.to_str().unwrap()];
        all.extend(args);
        let out = run(&all);
        assert_refused(&out, &["the generator makes from"]);
        assert!(!target.exists(), "nothing written for {args:?}");
    }
    let out = run(&[
        "generate",
        "--out",
        target.to_str().unwrap(),
        "--persons",
        "1",
        "--events",
        "500",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn a_one_byte_pseudonym_key_is_refused_with_the_reason() {
    let out = run_with_key("x", &["validate", "--data", demo().to_str().unwrap()]);
    assert_refused(
        &out,
        &["ACCESSAUDIT_PSEUDONYM_KEY", "1 byte", "at least 16"],
    );
    // A key file alike (the variable left out, so the file is read).
    let work = tempfile::tempdir().expect("tmp");
    let key = work.path().join("short.key");
    std::fs::write(&key, "k\n").expect("write key");
    let out = Command::new(env!("CARGO_BIN_EXE_accessaudit"))
        .env_remove("ACCESSAUDIT_PSEUDONYM_KEY")
        .args(["validate", "--data", demo().to_str().unwrap()])
        .arg("--pseudonym-key")
        .arg(&key)
        .output()
        .expect("run accessaudit");
    assert_refused(&out, &["short.key", "1 byte", "at least 16"]);
}

#[test]
fn subject_report_refuses_an_invalid_personal_code() {
    for (subject, why) in [
        ("12345678901", "not a calendar date"),
        ("abc", "neither 11 digits"),
        ("", "not 11 digits"),
        ("3800101000", "not 11 digits"),
        ("380010100000", "not 11 digits"),
        ("38001010000", "wrong check digit"),
    ] {
        let out = run(&[
            "subject-report",
            "--data",
            demo().to_str().unwrap(),
            "--subject",
            subject,
        ]);
        assert_refused(&out, &[&format!("--subject {subject:?}"), why]);
        assert!(out.stdout.is_empty(), "no report for {subject:?}");
    }
    // A valid code nobody looked at is still an answer.
    let out = run(&[
        "subject-report",
        "--data",
        demo().to_str().unwrap(),
        "--subject",
        "38001085718",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

/// Rows of a CSV text with a header and no quoted fields, as column -> value.
fn csv_rows(text: &str) -> Vec<BTreeMap<String, String>> {
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    lines
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            assert!(!l.contains('"'), "no quoted fields: {l}");
            header
                .iter()
                .map(|h| h.to_string())
                .zip(l.split(',').map(str::to_string))
                .collect()
        })
        .collect()
}

#[test]
fn a_revealed_baseline_leaks_no_subject_code_and_matches_by_finding_id() {
    let work = tempfile::tempdir().expect("tmp");
    let baseline = work.path().join("revealed");
    let out = run(&[
        "audit",
        "--data",
        demo().to_str().unwrap(),
        "--out",
        baseline.to_str().unwrap(),
        "--format",
        "html,csv,json",
        "--reveal-subjects",
        "-q",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // The citizens the log looks at; an employee's own code is their
    // person_id, which outputs show as such.
    let log = std::fs::read_to_string(demo().join("access_log.csv")).unwrap();
    let employees: BTreeSet<String> =
        csv_rows(&std::fs::read_to_string(demo().join("employees.csv")).unwrap())
            .into_iter()
            .map(|r| r["person_id"].clone())
            .collect();
    let citizens: BTreeSet<String> = csv_rows(&log)
        .into_iter()
        .map(|r| r["subject_id"].trim().to_string())
        .filter(|c| !employees.contains(c))
        .collect();
    assert!(citizens.len() > 100);
    let revealed = std::fs::read_to_string(baseline.join("findings.csv")).unwrap();
    assert!(
        citizens.iter().any(|c| revealed.contains(c.as_str())),
        "the baseline holds real codes"
    );

    // The same data, and the data without the looks of PD-07 and PD-08 (so
    // that their findings are resolved, carrying the baseline's texts).
    let changed = tempfile::tempdir().expect("tmp");
    for entry in std::fs::read_dir(demo()).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, changed.path().join(path.file_name().unwrap())).unwrap();
    }
    let looks = [
        "STAR-7715267",
        "STAR-7715271",
        "SKAIS-184221178",
        "SKAIS-184221181",
    ];
    let kept: Vec<&str> = log
        .lines()
        .filter(|l| !looks.iter().any(|id| l.ends_with(&format!(",{id}"))))
        .collect();
    assert_eq!(kept.len() + 4, log.lines().count(), "four looks left out");
    std::fs::write(
        changed.path().join("access_log.csv"),
        kept.join("\n") + "\n",
    )
    .unwrap();

    for (data, resolved) in [(demo(), 0), (changed.path().to_path_buf(), 2)] {
        let second = work.path().join(format!("plain-{resolved}"));
        let out = run(&[
            "audit",
            "--data",
            data.to_str().unwrap(),
            "--out",
            second.to_str().unwrap(),
            "--format",
            "html,csv,json",
            "--baseline",
            baseline.to_str().unwrap(),
            "-q",
        ]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        let terminal = String::from_utf8_lossy(&out.stdout).to_string();
        let mut files = vec![second.clone()];
        while let Some(path) = files.pop() {
            if path.is_dir() {
                files.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
                continue;
            }
            let bytes = std::fs::read(&path).unwrap();
            let text = String::from_utf8_lossy(&bytes);
            for c in &citizens {
                assert!(
                    !text.contains(c.as_str()),
                    "citizen code {c} in {}",
                    path.display()
                );
            }
        }
        for c in &citizens {
            assert!(
                !terminal.contains(c.as_str()),
                "citizen code {c} on the terminal"
            );
        }
        // One id per fact in both modes: the same facts persist, and a fact
        // is never both new and resolved.
        let rows: Vec<serde_json::Value> = std::fs::read_to_string(second.join("findings.jsonl"))
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        let with = |s: &str| -> Vec<&serde_json::Value> {
            rows.iter().filter(|r| r["status"] == s).collect()
        };
        assert_eq!(with("new").len(), 0, "nothing new: {:?}", with("new"));
        let summary: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(second.join("summary.json")).unwrap())
                .unwrap();
        let gone = summary["baseline_comparison"]["resolved"]
            .as_array()
            .unwrap();
        assert_eq!(gone.len(), resolved, "resolved: {gone:?}");
        for r in gone {
            let message = r["message"].as_str().unwrap();
            assert!(message.contains(" S-"), "the subject by pseudonym: {r}");
            assert!(
                ["PD-07", "PD-08"].contains(&r["rule_id"].as_str().unwrap()),
                "{r}"
            );
            assert!(
                rows.iter().all(|f| f["finding_id"] != r["finding_id"]),
                "a fact is not both current and resolved: {r}"
            );
        }
    }
}
