//! `accessaudit audit` and `accessaudit rules` as a user runs them.

// Tests stop at the first broken expectation; that is what expect is for here.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn run(args: &[&str]) -> Output {
    let out = Command::new(env!("CARGO_BIN_EXE_accessaudit"))
        .env("ACCESSAUDIT_PSEUDONYM_KEY", "test-key-of-16-bytes")
        .args(args)
        .current_dir(repo())
        .output()
        .expect("run accessaudit");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "panic: {stderr}");
    out
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).to_string()
}

/// Reads a CSV file with a header into rows of (column -> value).
fn read_csv(path: &Path) -> Vec<std::collections::BTreeMap<String, String>> {
    let df = polars::prelude::CsvReadOptions::default()
        .with_has_header(true)
        .with_infer_schema_length(Some(0))
        .try_into_reader_with_file_path(Some(path.to_path_buf()))
        .expect("reader");
    let df = polars::prelude::SerReader::finish(df).expect("csv");
    let names: Vec<String> = df
        .get_column_names()
        .iter()
        .map(|n| n.to_string())
        .collect();
    (0..df.height())
        .map(|i| {
            names
                .iter()
                .map(|n| {
                    let v = df
                        .column(n)
                        .unwrap()
                        .str()
                        .unwrap()
                        .get(i)
                        .unwrap_or("")
                        .to_string();
                    (n.trim_start_matches('\u{feff}').to_string(), v)
                })
                .collect()
        })
        .collect()
}

#[test]
fn audit_on_the_demo_finds_exactly_the_planted_violations() {
    let out_dir = tempfile::tempdir().expect("tmp");
    let out = run(&[
        "audit",
        "--data",
        "fixtures/demo",
        "--out",
        out_dir.path().to_str().unwrap(),
        "--reveal-subjects",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let key = [
        "rule_id",
        "system",
        "account_id",
        "person_id",
        "ref",
        "subject",
        "first_seen",
    ];
    let project = |rows: Vec<std::collections::BTreeMap<String, String>>| -> BTreeSet<Vec<String>> {
        rows.into_iter()
            .map(|r| {
                // Subjects and first sightings are the PD grain; other rules' rows
                // are identified without them.
                let pd = r.get("rule_id").is_some_and(|id| id.starts_with("PD-"));
                key.iter()
                    .map(|k| match *k {
                        "subject" | "first_seen" if !pd => String::new(),
                        _ => r.get(*k).cloned().unwrap_or_default(),
                    })
                    .collect()
            })
            .collect()
    };
    let expected = project(read_csv(
        &repo().join("fixtures/demo/expected-findings.csv"),
    ));
    let found = project(read_csv(&out_dir.path().join("findings.csv")));
    let missing: Vec<_> = expected.difference(&found).collect();
    let unexpected: Vec<_> = found.difference(&expected).collect();
    assert!(
        missing.is_empty() && unexpected.is_empty(),
        "missing: {missing:#?}\nunexpected: {unexpected:#?}"
    );
    let stdout = text(&out.stdout);
    assert!(stdout.contains("by severity: critical "), "{stdout}");
}

#[test]
fn the_demo_figures_match_the_hand_count() {
    let out_dir = tempfile::tempdir().expect("tmp");
    run(&[
        "audit",
        "--data",
        "fixtures/demo",
        "--out",
        out_dir.path().to_str().unwrap(),
    ]);
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out_dir.path().join("summary.json")).unwrap())
            .unwrap();
    let expected: serde_json::Value = serde_json::from_slice(
        &std::fs::read(repo().join("fixtures/demo/expected-figures.json"))
            .expect("expected-figures.json"),
    )
    .unwrap();
    let x = &summary["explained_access"];
    assert_eq!(x["overall"]["events"], expected["overall"]["events"]);
    assert_eq!(x["overall"]["explained"], expected["overall"]["explained"]);
    for part in ["by_system", "by_unit", "by_week"] {
        let got: serde_json::Map<String, serde_json::Value> = x[part]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| {
                (
                    s["key"].as_str().unwrap().to_string(),
                    serde_json::json!({ "events": s["events"], "explained": s["explained"] }),
                )
            })
            .collect();
        assert_eq!(serde_json::Value::Object(got), expected[part], "{part}");
    }
    let users: Vec<serde_json::Value> = x["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| serde_json::json!([u["person_id"], u["unexplained"]]))
        .collect();
    assert_eq!(serde_json::Value::Array(users), expected["users"]);
}

#[test]
fn findings_csv_has_the_contract_columns_a_bom_and_owner_only_permissions() {
    let out_dir = tempfile::tempdir().expect("tmp");
    let target = out_dir.path().join("q3");
    run(&[
        "audit",
        "--data",
        "fixtures/demo",
        "--out",
        target.to_str().unwrap(),
    ]);
    let bytes = std::fs::read(target.join("findings.csv")).expect("findings.csv");
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "UTF-8 BOM");
    let header = text(&bytes[3..])
        .lines()
        .next()
        .unwrap_or_default()
        .to_string();
    assert_eq!(
        header,
        "finding_id,rule_id,severity,area,status,system,account_id,person_id,person_name,unit,role,subject,case_id,ref,first_seen,last_seen,events,days_late,message,evidence"
    );
    assert!(
        text(&bytes).contains("Kärt Maasikas"),
        "Estonian letters intact"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let file_mode = std::fs::metadata(target.join("findings.csv"))
            .unwrap()
            .permissions()
            .mode();
        let dir_mode = std::fs::metadata(&target).unwrap().permissions().mode();
        assert_eq!(file_mode & 0o777, 0o600);
        assert_eq!(dir_mode & 0o777, 0o700);
    }
    let mut leftovers: Vec<_> = std::fs::read_dir(&target)
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().to_string())
        .collect();
    leftovers.sort();
    assert_eq!(
        leftovers,
        [
            ".accessaudit",
            "findings.csv",
            "findings.jsonl",
            "findings.parquet",
            "report.html",
            "review",
            "summary.json"
        ],
        "every format, and no staging files left behind"
    );
    // The data formats carry the same findings as the CSV.
    let csv_rows = read_csv(&target.join("findings.csv"));
    let jsonl = std::fs::read_to_string(target.join("findings.jsonl")).unwrap();
    assert_eq!(jsonl.lines().count(), csv_rows.len());
    let first: serde_json::Value = serde_json::from_str(jsonl.lines().next().unwrap()).unwrap();
    assert_eq!(
        first["finding_id"].as_str(),
        csv_rows.first().map(|r| r["finding_id"].as_str())
    );
    let parquet: polars::prelude::ParquetReader<std::fs::File> = polars::prelude::SerReader::new(
        std::fs::File::open(target.join("findings.parquet")).unwrap(),
    );
    let df = polars::prelude::SerReader::finish(parquet).unwrap();
    assert_eq!(df.height(), csv_rows.len());
    assert_eq!(
        df.get_column_names()
            .iter()
            .map(|c| c.to_string())
            .collect::<Vec<_>>(),
        header.split(',').map(str::to_string).collect::<Vec<_>>()
    );
    // One worksheet per unit (CSV and XLSX), each with the manager's empty
    // columns.
    let sheet = std::fs::read_to_string(target.join("review/Pensionite-osakond.csv")).unwrap();
    assert!(sheet.lines().next().unwrap().ends_with(
        ",justified_by,findings,new_since_last_review,previous_decision,decision,comment,decided_on"
    ));
    assert!(target.join("review/Pensionite-osakond.xlsx").is_file());
    assert!(
        sheet.contains(",Jaan Kask,") && sheet.contains(",duty,"),
        "{sheet}"
    );
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(target.join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["period"]["label"], "2026-Q3");
    let expected_rows =
        std::fs::read_to_string(repo().join("fixtures/demo/expected-findings.csv")).unwrap();
    let total = expected_rows
        .lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .count() as u64;
    assert_eq!(summary["findings"]["total"].as_u64(), Some(total));
    let hash = summary["tables"][0]["files"][0]["sha256"]
        .as_str()
        .unwrap_or_default();
    assert_eq!(hash.len(), 64, "every input file's SHA-256");
}

#[test]
fn the_same_inputs_give_the_same_bytes() {
    let a = tempfile::tempdir().expect("tmp");
    let b = tempfile::tempdir().expect("tmp");
    run(&[
        "audit",
        "--data",
        "fixtures/demo",
        "--out",
        a.path().to_str().unwrap(),
    ]);
    run(&[
        "audit",
        "--data",
        "fixtures/demo",
        "--out",
        b.path().to_str().unwrap(),
    ]);
    for file in [
        "findings.csv",
        "findings.jsonl",
        "findings.parquet",
        "review/Pensionite-osakond.csv",
    ] {
        let fa = std::fs::read(a.path().join(file)).unwrap();
        let fb = std::fs::read(b.path().join(file)).unwrap();
        assert!(!fa.is_empty(), "{file}");
        assert!(
            fa == fb,
            "{file} differs between two runs on the same inputs"
        );
    }
}

#[test]
fn fail_on_sets_the_exit_code() {
    let out_dir = tempfile::tempdir().expect("tmp");
    let dir = out_dir.path().to_str().unwrap();
    // The demo has one critical finding (TIME-01).
    let critical = run(&[
        "audit",
        "--data",
        "fixtures/demo",
        "--out",
        dir,
        "--fail-on",
        "critical",
    ]);
    assert_eq!(critical.status.code(), Some(1));
    // fixtures/base has none at all.
    let clean = run(&[
        "audit",
        "--data",
        "fixtures/base",
        "--out",
        dir,
        "--fail-on",
        "info",
    ]);
    assert_eq!(clean.status.code(), Some(0), "{}", text(&clean.stdout));
    let bad = run(&[
        "audit",
        "--data",
        "fixtures/demo",
        "--out",
        dir,
        "--fail-on",
        "severe",
    ]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(text(&bad.stderr).contains("--fail-on \"severe\""));
}

#[test]
fn a_bad_snapshot_writes_nothing() {
    let out_dir = tempfile::tempdir().expect("tmp");
    let target = out_dir.path().join("never");
    let out = run(&[
        "audit",
        "--data",
        "fixtures/rules",
        "--out",
        target.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        !target.exists(),
        "no output folder for an unusable snapshot"
    );
}

#[test]
fn a_policy_changes_parameters_and_severities_and_disables_rules() {
    let dir = tempfile::tempdir().expect("tmp");
    let policy = dir.path().join("policy.toml");
    std::fs::write(
        &policy,
        "[rules.ACC-07]\nparams = { dormant_days = 30 }\nseverity = \"medium\"\n\n[rules.TIME-01]\nenabled = false\nreason = \"Leavers are handled by the HR system\"\n",
    )
    .unwrap();
    let out = dir.path().join("out");
    let result = run(&[
        "audit",
        "--data",
        "fixtures/demo",
        "--out",
        out.to_str().unwrap(),
        "--policy",
        policy.to_str().unwrap(),
    ]);
    assert_eq!(result.status.code(), Some(0), "{}", text(&result.stderr));
    let rows = read_csv(&out.join("findings.csv"));
    let acc07: Vec<_> = rows.iter().filter(|r| r["rule_id"] == "ACC-07").collect();
    assert!(
        acc07.len() > 1,
        "a 30-day limit finds more dormant accounts"
    );
    assert!(acc07.iter().all(|r| r["severity"] == "medium"));
    assert!(rows.iter().all(|r| r["rule_id"] != "TIME-01"));
    assert!(text(&result.stdout)
        .contains("TIME-01 disabled by the policy: Leavers are handled by the HR system"));
    let show = run(&[
        "rules",
        "show",
        "ACC-07",
        "--policy",
        policy.to_str().unwrap(),
    ]);
    let shown = text(&show.stdout);
    assert!(
        shown.contains("dormant_days = 30  (set by the policy)"),
        "{shown}"
    );
    assert!(
        shown.contains("severity  medium  (set by the policy)"),
        "{shown}"
    );
}

#[test]
fn a_bad_policy_is_rejected_with_lines() {
    let dir = tempfile::tempdir().expect("tmp");
    let policy = dir.path().join("policy.toml");
    std::fs::write(
        &policy,
        "[rules.ACC-99]\nseverity = \"low\"\n\n[rules.ACC-07]\nparams = { dormant_days = \"ninety\" }\n\n[rules.PD-08]\nenabled = false\n",
    )
    .unwrap();
    let out = run(&["rules", "list", "--policy", policy.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("policy.toml:1: unknown rule id \"ACC-99\""),
        "{stderr}"
    );
    assert!(
        stderr
            .contains("policy.toml:5: parameter \"dormant_days\" of ACC-07 must be a whole number"),
        "{stderr}"
    );
    assert!(stderr.contains("PD-08"), "{stderr}");
}

#[test]
fn rules_list_and_show_come_from_the_rule_files() {
    let list = text(&run(&["rules", "list"]).stdout);
    for id in ["ACC-01", "ACC-08", "TIME-01", "TIME-08", "DQ-01", "DQ-03"] {
        assert!(list.contains(id), "{id} missing from: {list}");
    }
    let show = run(&["rules", "show", "time-06"]);
    assert_eq!(show.status.code(), Some(0));
    let shown = text(&show.stdout);
    assert!(shown.contains("TIME-06 late-fulfilment"), "{shown}");
    assert!(shown.contains("fulfilment_working_days = 3"), "{shown}");
    let unknown = run(&["rules", "show", "XYZ-1"]);
    assert_eq!(unknown.status.code(), Some(2));
}

#[test]
fn rules_test_passes_on_the_fixtures_and_fails_on_a_broken_case() {
    let ok = run(&["rules", "test"]);
    assert_eq!(ok.status.code(), Some(0), "{}", text(&ok.stdout));
    assert!(text(&ok.stdout).trim_end().ends_with(" passed, 0 failed"));
    // A case that expects a finding the rule does not produce.
    let dir = tempfile::tempdir().expect("tmp");
    let case = dir.path().join("ACC-07/wrong");
    std::fs::create_dir_all(&case).unwrap();
    let base = repo().join("fixtures/base");
    std::fs::write(
        case.join("case.toml"),
        format!(
            "description = \"expects a finding that is not there\"\nbase = {:?}\n",
            base.display().to_string()
        ),
    )
    .unwrap();
    std::fs::write(
        case.join("expected.csv"),
        "rule_id,system,account_id\nACC-07,SKAIS,jmets\n",
    )
    .unwrap();
    let failed = run(&["rules", "test", "--fixtures", dir.path().to_str().unwrap()]);
    assert_eq!(failed.status.code(), Some(1));
    let stdout = text(&failed.stdout);
    assert!(stdout.contains("FAILED ACC-07/wrong"), "{stdout}");
    assert!(
        stdout.contains("missing (1x): rule_id=ACC-07, system=SKAIS, account_id=jmets"),
        "{stdout}"
    );
    assert!(
        stdout.trim_end().ends_with("0 passed, 1 failed"),
        "{stdout}"
    );
}

#[test]
fn docs_rules_md_is_generated_from_the_rule_files() {
    let generated = text(&run(&["rules", "doc"]).stdout);
    let committed = std::fs::read_to_string(repo().join("docs/rules.md")).expect("docs/rules.md");
    assert!(
        generated == committed,
        "docs/rules.md is out of date: run `cargo run -- rules doc > docs/rules.md`"
    );
}

/// A snapshot made of fixtures/base and the files of one rule fixture case.
fn assemble(case: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tmp");
    for from in [repo().join("fixtures/base"), repo().join(case)] {
        for entry in std::fs::read_dir(&from).expect("dir") {
            let path = entry.expect("entry").path();
            let name = path.file_name().unwrap().to_string_lossy().to_string();
            if name.ends_with(".csv") && name != "expected.csv" {
                std::fs::copy(&path, dir.path().join(&name)).expect("copy");
            }
        }
    }
    dir
}

#[test]
fn no_output_names_a_citizen_unless_asked_to() {
    let data = assemble("fixtures/rules/PD-07/fires");
    let log = std::fs::read_to_string(data.path().join("access_log.csv")).unwrap();
    let citizens: BTreeSet<String> = log
        .lines()
        .skip(1)
        .filter_map(|l| l.split(',').nth(3).map(str::to_string))
        .collect();
    assert!(!citizens.is_empty());
    let out = tempfile::tempdir().expect("tmp");
    let hidden = out.path().join("hidden");
    let result = run(&[
        "audit",
        "--data",
        data.path().to_str().unwrap(),
        "--out",
        hidden.to_str().unwrap(),
    ]);
    assert_eq!(result.status.code(), Some(0), "{}", text(&result.stderr));
    let written = std::fs::read_to_string(hidden.join("findings.csv")).unwrap();
    assert!(written.contains("PD-07"), "{written}");
    assert!(
        written.contains(",S-"),
        "subjects appear as pseudonyms: {written}"
    );
    for c in &citizens {
        assert!(
            !written.contains(c.as_str()),
            "citizen code {c} in findings.csv"
        );
        assert!(
            !text(&result.stdout).contains(c.as_str()),
            "citizen code {c} on the terminal"
        );
    }
    let shown = out.path().join("shown");
    run(&[
        "audit",
        "--data",
        data.path().to_str().unwrap(),
        "--out",
        shown.to_str().unwrap(),
        "--reveal-subjects",
    ]);
    let revealed = std::fs::read_to_string(shown.join("findings.csv")).unwrap();
    assert!(citizens.iter().all(|c| revealed.contains(c.as_str())));
    // Pseudonyms are stable across runs with the same key.
    let again = out.path().join("again");
    run(&[
        "audit",
        "--data",
        data.path().to_str().unwrap(),
        "--out",
        again.to_str().unwrap(),
    ]);
    assert_eq!(
        written,
        std::fs::read_to_string(again.join("findings.csv")).unwrap()
    );
}

#[test]
fn subject_report_lists_every_look_with_its_case() {
    let data = assemble("fixtures/rules/PD-01/near-miss");
    let log = std::fs::read_to_string(data.path().join("access_log.csv")).unwrap();
    // The first event of the case names case C-1 of another unit.
    let subject = log
        .lines()
        .nth(1)
        .and_then(|l| l.split(',').nth(3))
        .unwrap()
        .to_string();
    let out = tempfile::tempdir().expect("tmp");
    let result = run(&[
        "subject-report",
        "--data",
        data.path().to_str().unwrap(),
        "--subject",
        &format!("EE{subject}"),
        "--out",
        out.path().to_str().unwrap(),
    ]);
    assert_eq!(result.status.code(), Some(0), "{}", text(&result.stderr));
    let stdout = text(&result.stdout);
    assert!(stdout.contains("Accesses to the data of S-"), "{stdout}");
    assert!(stdout.contains(": 1 (0 unexplained)"), "{stdout}");
    assert!(
        stdout.contains("Jaan Mets") && stdout.contains("C-1"),
        "{stdout}"
    );
    assert!(
        !stdout.contains(&subject),
        "the subject is pseudonymised: {stdout}"
    );
    let files: Vec<_> = std::fs::read_dir(out.path())
        .unwrap()
        .filter_map(Result::ok)
        .collect();
    assert_eq!(files.len(), 1);
    let csv = std::fs::read_to_string(files[0].path()).unwrap();
    assert!(csv.contains("2026-08-12 10:00:00,SKAIS,jmets,36805280109,Jaan Mets,Pensionite osakond,view,C-1,access_log.csv:2"), "{csv}");

    // A look whose only case closed a second earlier is unexplained.
    let data = assemble("fixtures/rules/PD-01/fires");
    let log = std::fs::read_to_string(data.path().join("access_log.csv")).unwrap();
    let subject = log
        .lines()
        .nth(2)
        .and_then(|l| l.split(',').nth(3))
        .unwrap()
        .to_string();
    let result = run(&[
        "subject-report",
        "--data",
        data.path().to_str().unwrap(),
        "--subject",
        &subject,
        "--reveal-subjects",
    ]);
    let stdout = text(&result.stdout);
    assert!(
        stdout.contains(&format!(
            "Accesses to the data of {subject}: 2 (2 unexplained)"
        )),
        "{stdout}"
    );
}

/// A copy of the demo to change.
fn demo_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tmp");
    for entry in std::fs::read_dir(repo().join("fixtures/demo")).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, dir.path().join(path.file_name().unwrap())).unwrap();
    }
    dir
}

fn by_rule(
    rows: &[std::collections::BTreeMap<String, String>],
    rule: &str,
) -> Vec<std::collections::BTreeMap<String, String>> {
    rows.iter()
        .filter(|r| r["rule_id"] == rule)
        .cloned()
        .collect()
}

#[test]
fn a_second_review_shows_new_persisting_resolved_and_suppressed() {
    let work = tempfile::tempdir().expect("tmp");
    let first = work.path().join("q3");
    let out = run(&[
        "audit",
        "--data",
        "fixtures/demo",
        "--out",
        first.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    // Next review: the shared account lost its personal-data role (ACC-06 resolved).
    let data = demo_copy();
    let ra = std::fs::read_to_string(data.path().join("role_assignments.csv")).unwrap();
    let line = ra
        .lines()
        .find(|l| l.contains(",kt_infolett,"))
        .expect("the ACC-06 story")
        .to_string();
    let mut fields: Vec<&str> = line.split(',').collect();
    fields[5] = "2026-09-01T00:00:00+03:00";
    std::fs::write(
        data.path().join("role_assignments.csv"),
        ra.replace(&line, &fields.join(",")),
    )
    .unwrap();
    let exceptions = work.path().join("exceptions.toml");
    std::fs::write(
        &exceptions,
        r#"
[[exception]]
id = "EX-1"
rule = "ACC-07"
match = { system = "RR", account_id = "ska-jkask" }
reason = "Register access kept for the annual recalculation"
approved_by = "47104122218"
expires = 2026-12-31

[[exception]]
id = "EX-2"
rule = "ACC-01"
match = { account_id = "rluik" }
reason = "Trainee period"
approved_by = "47104122218"
expires = 2026-09-01

[[exception]]
id = "EX-3"
finding_id = "ffffffffffffffff"
reason = "Nothing"
approved_by = "47104122218"
expires = 2026-12-31
"#,
    )
    .unwrap();
    let second = work.path().join("q4");
    let out = run(&[
        "audit",
        "--data",
        data.path().to_str().unwrap(),
        "--as-of",
        "2026-10-05",
        "--out",
        second.to_str().unwrap(),
        "--baseline",
        first.to_str().unwrap(),
        "--exceptions",
        exceptions.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains(&format!(
            "suppressed 1, resolved 2 (baseline {})",
            first.display()
        )),
        "{stdout}"
    );
    let rows = read_csv(&second.join("findings.csv"));
    let acc07 = by_rule(&rows, "ACC-07");
    let covered: Vec<_> = acc07
        .iter()
        .filter(|r| r["account_id"] == "ska-jkask")
        .collect();
    assert_eq!(covered.len(), 1);
    assert_eq!(covered[0]["status"], "suppressed");
    // Later accounts that became dormant by the new as_of are new.
    assert!(acc07
        .iter()
        .filter(|r| r["account_id"] != "ska-jkask")
        .all(|r| r["status"] == "new"));
    // The expired exception does not suppress: the finding persists, aged from Q3.
    let acc01 = by_rule(&rows, "ACC-01");
    assert_eq!(acc01[0]["status"], "persisting");
    assert_eq!(acc01[0]["first_seen"], "2026-09-30T23:59:59+03:00");
    assert_eq!(acc01[0]["last_seen"], "2026-10-05T23:59:59+03:00");
    let exc01 = by_rule(&rows, "EXC-01");
    assert_eq!(
        (
            exc01.len(),
            exc01[0]["ref"].as_str(),
            exc01[0]["status"].as_str()
        ),
        (1, "EX-2", "new")
    );
    let exc02 = by_rule(&rows, "EXC-02");
    assert_eq!((exc02.len(), exc02[0]["ref"].as_str()), (1, "EX-3"));
    assert!(by_rule(&rows, "ACC-06").is_empty());
    assert!(by_rule(&rows, "PD-01")
        .iter()
        .all(|r| r["status"] == "persisting"));
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(second.join("summary.json")).unwrap()).unwrap();
    // Resolved: the shared account's role ended, and by 5 October Kärt
    // Maasikas's employment (from 1 October) has begun, so her account is no
    // longer an orphan.
    let resolved: Vec<&str> = summary["baseline_comparison"]["resolved"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["rule_id"].as_str())
        .collect();
    assert_eq!(resolved, ["ACC-02", "ACC-06"]);
    assert_eq!(summary["findings_by_status"]["suppressed"], 1);
    assert_eq!(
        summary["run_files"]["exceptions"]["sha256"]
            .as_str()
            .map(str::len),
        Some(64)
    );
    let html = std::fs::read_to_string(second.join("report.html")).unwrap();
    assert!(html.contains("id=\"comparison\"") && html.contains("data-resolved="));
    assert!(html.contains("data-suppressed=") && html.contains("EX-1"));
    let sheet = std::fs::read_to_string(second.join("review/Pensionite-osakond.csv")).unwrap();
    assert!(sheet.contains("(suppressed)"), "{sheet}");
    let sheet =
        std::fs::read_to_string(second.join("review/Rae-Vallavalitsuse-sotsiaalosakond.csv"))
            .unwrap();
    assert!(
        sheet.contains("(resolved): Open personal account STAR/rae.kmaasikas"),
        "{sheet}"
    );
}

#[test]
fn a_bad_exceptions_file_is_rejected_with_lines() {
    let work = tempfile::tempdir().expect("tmp");
    let exceptions = work.path().join("exceptions.toml");
    std::fs::write(
        &exceptions,
        "[[exception]]\nid = \"EX-1\"\nrule = \"ACC-99\"\nreason = \"x\"\napproved_by = \"y\"\nexpires = 2026-12-31\n\n[[exception]]\nid = \"EX-2\"\nrule = \"ACC-07\"\napproved_by = \"y\"\n",
    )
    .unwrap();
    let out = run(&[
        "audit",
        "--data",
        "fixtures/demo",
        "--out",
        work.path().join("out").to_str().unwrap(),
        "--exceptions",
        exceptions.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("exceptions.toml:3: exception EX-1: unknown rule id \"ACC-99\""),
        "{stderr}"
    );
    assert!(
        stderr.contains("exception EX-2: reason is missing"),
        "{stderr}"
    );
    assert!(
        stderr.contains("exception EX-2: expires is missing"),
        "{stderr}"
    );
    assert!(!work.path().join("out").exists());
}

#[test]
fn a_period_outside_the_log_is_an_error() {
    let work = tempfile::tempdir().expect("tmp");
    let out = run(&[
        "audit",
        "--data",
        "fixtures/demo",
        "--period",
        "2025-Q1",
        "--out",
        work.path().join("out").to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("period 2025-Q1") && stderr.contains("outside the access log"),
        "{stderr}"
    );
}

#[test]
fn a_baseline_of_a_newer_findings_format_is_refused_naming_file_and_line() {
    let work = tempfile::tempdir().expect("tmp");
    let first = work.path().join("q3");
    let out = run(&[
        "audit",
        "--data",
        "fixtures/demo",
        "--out",
        first.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let jsonl = first.join("findings.jsonl");
    let written = std::fs::read_to_string(&jsonl).unwrap();
    assert!(
        written
            .lines()
            .all(|l| l.ends_with(",\"format_version\":1}")),
        "every line carries the format version"
    );
    // A line as a later version of accessaudit might write it.
    let newer = written.replacen("\"format_version\":1}", "\"format_version\":2}", 2);
    std::fs::write(&jsonl, newer).unwrap();
    let second = work.path().join("q4");
    let out = run(&[
        "audit",
        "--data",
        "fixtures/demo",
        "--baseline",
        first.to_str().unwrap(),
        "--out",
        second.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stdout));
    let message = text(&out.stderr);
    assert!(
        message.contains("findings.jsonl:1: findings format version 2"),
        "{message}"
    );
    assert!(!second.exists(), "nothing written");
}
