//! `accessaudit generate` end to end: a generated quarter audited against its
//! ground truth, rule by rule.

// Tests stop at the first broken expectation; that is what expect is for here.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn run(args: &[&str]) -> Output {
    run_with(args, &[])
}

/// [`run`] with more environment variables.
fn run_with(args: &[&str], env: &[(&str, &str)]) -> Output {
    let out = Command::new(env!("CARGO_BIN_EXE_accessaudit"))
        .env("ACCESSAUDIT_PSEUDONYM_KEY", "test-key-of-16-bytes")
        .envs(env.iter().copied())
        .args(args)
        .current_dir(repo())
        .output()
        .expect("run accessaudit");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "panic: {stderr}");
    out
}

/// Rows of a simple CSV file (no quoted commas in the key columns).
fn rows(path: &Path) -> Vec<BTreeMap<String, String>> {
    let text = std::fs::read_to_string(path).expect("csv");
    let mut reader = text.trim_start_matches('\u{feff}').lines();
    let header: Vec<String> = split(reader.next().unwrap_or_default());
    reader
        .filter(|l| !l.is_empty())
        .map(|l| header.iter().cloned().zip(split(l)).collect())
        .collect()
}

/// Splits one CSV line, honouring double quotes.
fn split(line: &str) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                chars.next();
                out.last_mut().unwrap().push('"');
            }
            '"' => quoted = !quoted,
            ',' if !quoted => out.push(String::new()),
            c => out.last_mut().unwrap().push(c),
        }
    }
    out
}

const KEY: [&str; 8] = [
    "rule_id",
    "system",
    "account_id",
    "person_id",
    "ref",
    "subject",
    "first_seen",
    "status",
];

/// The grain key of a finding: subjects and first sightings only for PD
/// rules, whose grain has the day.
fn keys(rows: Vec<BTreeMap<String, String>>) -> BTreeSet<Vec<String>> {
    rows.into_iter()
        .map(|r| {
            let pd = r.get("rule_id").is_some_and(|id| id.starts_with("PD-"));
            KEY.iter()
                .map(|k| match *k {
                    "subject" | "first_seen" if !pd => String::new(),
                    _ => r.get(*k).cloned().unwrap_or_default(),
                })
                .collect()
        })
        .collect()
}

/// A generated quarter and its audit.
struct Audited {
    data: PathBuf,
    out: PathBuf,
}

/// Generates a quarter into `dir/<name>` and audits it with its exceptions
/// (and `baseline`, when given) into `dir/<name>-out`.
fn generate_and_audit(dir: &Path, name: &str, extra: &[&str], baseline: Option<&Path>) -> Audited {
    generate_and_audit_with(dir, name, extra, baseline, None, |_| {})
}

/// [`generate_and_audit`] with a review history, and `between` run after
/// generating and before auditing (to import returned worksheets).
fn generate_and_audit_with(
    dir: &Path,
    name: &str,
    extra: &[&str],
    baseline: Option<&Path>,
    history: Option<&Path>,
    between: impl FnOnce(&Path),
) -> Audited {
    let data = dir.join(name);
    let out = dir.join(format!("{name}-out"));
    let data_s = data.to_str().unwrap();
    let mut args = vec!["generate", "--out", data_s, "--seed", "11"];
    args.extend_from_slice(extra);
    let generated = run(&args);
    assert_eq!(generated.status.code(), Some(0), "{generated:?}");
    between(&data);
    let exceptions = data.join("exceptions.toml");
    let mut args = vec![
        "audit",
        "--data",
        data_s,
        "--out",
        out.to_str().unwrap(),
        "--exceptions",
        exceptions.to_str().unwrap(),
        "--reveal-subjects",
        "--format",
        "csv,json",
    ];
    if let Some(b) = baseline {
        args.extend(["--baseline", b.to_str().unwrap()]);
    }
    if let Some(h) = history {
        args.extend(["--history", h.to_str().unwrap()]);
    }
    let audited = run(&args);
    assert_eq!(
        audited.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&audited.stderr)
    );
    Audited { data, out }
}

/// `audited`'s quarter audited again into `out` with `history` (and its
/// exceptions, every format); it must succeed.
fn audit_again(audited: &Audited, out: &Path, history: &Path) -> Output {
    let exceptions = audited.data.join("exceptions.toml");
    let rerun = run(&[
        "audit",
        "--data",
        audited.data.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--exceptions",
        exceptions.to_str().unwrap(),
        "--reveal-subjects",
        "--format",
        "csv,json,html",
        "--history",
        history.to_str().unwrap(),
    ]);
    assert_eq!(rerun.status.code(), Some(0), "{rerun:?}");
    rerun
}

/// The findings of an audit as JSON objects, by finding id.
fn jsonl(out: &Path) -> BTreeMap<String, serde_json::Value> {
    std::fs::read_to_string(out.join("findings.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .map(|f| (f["finding_id"].as_str().unwrap().to_string(), f))
        .collect()
}

/// A JSON finding as a row of text values.
fn json_row(f: &serde_json::Value) -> BTreeMap<String, String> {
    f.as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| {
            let text = match v {
                serde_json::Value::String(s) => s.clone(),
                serde_json::Value::Null => String::new(),
                other => other.to_string(),
            };
            (k.clone(), text)
        })
        .collect()
}

/// What an audit found, as ground-truth keys: its findings and, against a
/// baseline, the baseline's findings it lists as resolved.
fn found_keys(audited: &Audited, baseline: Option<&Path>) -> BTreeSet<Vec<String>> {
    let mut found = keys(rows(&audited.out.join("findings.csv")));
    if let Some(b) = baseline {
        let summary: serde_json::Value =
            serde_json::from_slice(&std::fs::read(audited.out.join("summary.json")).unwrap())
                .unwrap();
        let earlier = jsonl(b);
        let resolved = summary["baseline_comparison"]["resolved"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                let mut row = json_row(&earlier[r["finding_id"].as_str().unwrap()]);
                row.insert("status".into(), "resolved".into());
                row
            })
            .collect();
        found.extend(keys(resolved));
    }
    found
}

/// Compares an audit with its quarter's `ground_truth.csv`, rule by rule.
fn assert_ground_truth(audited: &Audited, baseline: Option<&Path>) {
    let planted = keys(rows(&audited.data.join("ground_truth.csv")));
    let found = found_keys(audited, baseline);

    // Every message reads as a sentence: no placeholder left for a missing
    // value (issue 12: "(none) ((none)) holds ... no duty of no position").
    for f in jsonl(&audited.out).values() {
        let message = f["message"].as_str().unwrap();
        for bad in ["(none)", "(puudub)", "()", "no duty of no"] {
            assert!(!message.contains(bad), "{bad:?} in {message:?}");
        }
    }

    // Every rule of the catalogue has a planted finding: the REV rules, which
    // judge the previous review's decisions, in the follow-up quarter.
    let follow_up = baseline.is_some();
    let catalogue: BTreeSet<String> = std::fs::read_dir(repo().join("rules"))
        .unwrap()
        .filter_map(|e| {
            let name = e.ok()?.file_name().to_string_lossy().to_string();
            name.strip_suffix(".toml").map(str::to_string)
        })
        .collect();
    let planted_rules: BTreeSet<String> = planted.iter().map(|k| k[0].clone()).collect();
    if follow_up {
        assert!(
            planted_rules.contains("REV-01") && planted_rules.contains("REV-02"),
            "{planted_rules:?}"
        );
    } else {
        // The rules that judge earlier reviews' decisions need a history:
        // REV-01/02 are planted in the follow-up quarter; PD-13 (a violation
        // disposed in an earlier review) in the third.
        let without_review: BTreeSet<String> = catalogue
            .iter()
            .filter(|r| !r.starts_with("REV-") && *r != "PD-13")
            .cloned()
            .collect();
        assert_eq!(
            planted_rules, without_review,
            "rules without a planted finding"
        );
    }

    if planted != found {
        let mut table = String::from("rule      planted  found  missing  unexpected\n");
        for rule in &catalogue {
            let p: BTreeSet<_> = planted.iter().filter(|k| &k[0] == rule).collect();
            let f: BTreeSet<_> = found.iter().filter(|k| &k[0] == rule).collect();
            table.push_str(&format!(
                "{rule:<9} {:>7} {:>6} {:>8} {:>11}\n",
                p.len(),
                f.len(),
                p.difference(&f).count(),
                f.difference(&p).count()
            ));
        }
        let missing: Vec<_> = planted.difference(&found).collect();
        let unexpected: Vec<_> = found.difference(&planted).take(20).collect();
        panic!("{table}\nmissing: {missing:#?}\nunexpected (first 20): {unexpected:#?}");
    }
}

/// Generates a quarter, audits it, and compares with `ground_truth.csv`.
fn audit_against_ground_truth(extra: &[&str]) {
    let tmp = tempfile::tempdir().expect("tmp");
    let audited = generate_and_audit(tmp.path(), "quarter", extra, None);
    assert_ground_truth(&audited, None);
}

#[test]
fn a_generated_quarter_yields_exactly_its_ground_truth() {
    audit_against_ground_truth(&["--persons", "240", "--events", "60000"]);
}

#[test]
fn a_generated_parquet_quarter_yields_exactly_its_ground_truth() {
    audit_against_ground_truth(&["--persons", "90", "--events", "20000", "--parquet"]);
}

/// The quarterly cycle as a person runs it: Q3 audited with a history, the
/// Q3 worksheets as the managers and the DPO returned them imported, Q4
/// audited with the history and the Q3 audit as baseline; then the same
/// once more for 2027-Q1. The REV and PD-13 findings, the statuses
/// (`accepted` included) and the ageing over three reviews are those of
/// `ground_truth.csv`; the case the DPO justified stays `explained` when
/// Q3 is audited again.
#[test]
fn three_consecutive_quarters_round_trip_the_reviews_and_show_every_status() {
    let tmp = tempfile::tempdir().expect("tmp");
    let history = tmp.path().join("history");
    let size = ["--persons", "90", "--events", "20000"];
    let q3 = generate_and_audit_with(tmp.path(), "q3", &size, None, Some(&history), |_| {});
    assert_ground_truth(&q3, None);
    let mut follow_up = size.to_vec();
    follow_up.extend(["--quarter", "2026-Q4"]);
    // `returned/`: the unit worksheets (one unit never returned Q3's) and
    // the DPO's cases; decisions on Q4 are dated in 2027, so they are
    // imported on a clock set then.
    let import = |sheets: usize, now: &'static str| {
        let history = history.clone();
        move |data: &Path| {
            let returned: Vec<String> = std::fs::read_dir(data.join("returned"))
                .unwrap()
                .map(|e| e.unwrap().path().display().to_string())
                .collect();
            assert_eq!(returned.len(), sheets, "{returned:?}");
            let mut args = vec!["review", "import", "--history", history.to_str().unwrap()];
            args.extend(returned.iter().map(String::as_str));
            let imported = run_with(&args, &[("SOURCE_DATE_EPOCH", now)]);
            assert_eq!(imported.status.code(), Some(0), "{imported:?}");
        }
    };
    // 2026-10-15 and 2027-01-15.
    let (in_q4, in_q1) = ("1792000000", "1800000000");
    let q4 = generate_and_audit_with(
        tmp.path(),
        "q4",
        &follow_up,
        Some(&q3.out),
        Some(&history),
        import(9, in_q4),
    );
    assert_ground_truth(&q4, Some(&q3.out));

    // The accepted finding shows who kept it, when and why.
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(q4.out.join("summary.json")).unwrap()).unwrap();
    let accepted = summary["accepted"].as_array().unwrap();
    assert_eq!(accepted.len(), 1, "{accepted:?}");
    assert_eq!(accepted[0]["decided_on"], "2026-10-05");
    assert!(accepted[0]["comment"]
        .as_str()
        .unwrap()
        .contains("statistics"));
    assert!(accepted[0]["reviewer"].as_str().unwrap().contains('('));
    let progress = &summary["previous_review"];
    assert_eq!(progress["revokes_not_carried_out"], 2);
    let not_returned: Vec<_> = progress["units"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|u| u["returned"] == false)
        .map(|u| u["unit"].as_str().unwrap())
        .collect();
    assert_eq!(not_returned, ["Tartu Linnavalitsuse sotsiaalabi osakond"]);
    // The Q4 worksheets carry each right's Q3 decision.
    let pensions = std::fs::read_to_string(q4.out.join("review/Pensionite-osakond.csv")).unwrap();
    assert!(pensions.contains(",revoke 2026-10-05,"), "{pensions}");

    // Without --baseline the history's latest earlier run (Q3's) is the
    // baseline: the same findings, byte for byte; and the same inputs
    // audited again add no run.
    let again = tmp.path().join("q4-again");
    let rerun = audit_again(&q4, &again, &history);
    assert!(String::from_utf8_lossy(&rerun.stdout).contains("recorded as run 2026-12-31_"));
    assert_eq!(
        std::fs::read(again.join("findings.csv")).unwrap(),
        std::fs::read(q4.out.join("findings.csv")).unwrap()
    );
    let runs: Vec<String> = std::fs::read_dir(history.join("runs"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    assert_eq!(runs.len(), 2, "{runs:?}");
    assert!(
        runs.iter().any(|r| r.starts_with("2026-09-30_")),
        "{runs:?}"
    );

    // The history over both quarters: counts per area in each review, the
    // findings open in both, and how long resolved ones stayed open.
    let trends = run(&["history", "--history", history.to_str().unwrap()]);
    assert_eq!(trends.status.code(), Some(0), "{trends:?}");
    let table = String::from_utf8_lossy(&trends.stdout);
    assert!(
        table.contains("2026-09-30") && table.contains("2026-12-31"),
        "{table}"
    );
    let accepted_id = accepted[0]["finding_id"].as_str().unwrap();
    assert!(
        table.contains(&format!("2 reviews  ACC-07   {accepted_id}")),
        "{table}"
    );
    assert!(table.contains("  ACC-01   1.0"), "{table}");
    // The report draws them too, the audit being run the latest review.
    let html = std::fs::read_to_string(again.join("report.html")).unwrap();
    assert!(html.contains("<section id=\"trends\">"));
    assert!(html.contains(&format!("<tr data-aged=\"{accepted_id}\">")));

    // Each status occurs, so the comparison above tested all five.
    let statuses: BTreeSet<String> = rows(&q4.data.join("ground_truth.csv"))
        .into_iter()
        .map(|r| r["status"].clone())
        .collect();
    assert_eq!(
        statuses,
        ["accepted", "new", "persisting", "resolved", "suppressed"]
            .map(String::from)
            .into()
    );
    // A persisting finding keeps the day it was first seen, so it ages.
    let before = jsonl(&q3.out);
    let now = jsonl(&q4.out);
    let persisting: Vec<_> = now
        .values()
        .filter(|f| f["status"] == "persisting")
        .collect();
    assert!(!persisting.is_empty());
    for f in persisting {
        let id = f["finding_id"].as_str().unwrap();
        assert_eq!(f["first_seen"], before[id]["first_seen"], "{f}");
    }
    // The exception that ran out in November resurfaces the shared account's
    // finding and is itself reported.
    let shared = now
        .values()
        .find(|f| f["rule_id"] == "ACC-06")
        .expect("ACC-06 is back");
    assert_eq!(shared["status"], "persisting");
    assert!(now
        .values()
        .any(|f| f["rule_id"] == "EXC-01" && f["ref"] == "EX-G-0002"));

    third_quarter(tmp.path(), &history, &size, &q3, &q4, import(9, in_q1));
}

/// The third review (2027-Q1) after [`three_consecutive_quarters_round_trip_the_reviews_and_show_every_status`]'s
/// two: its ground truth, the repeat offender, the ageing, and the Q3
/// case the DPO justified.
fn third_quarter(
    dir: &Path,
    history: &Path,
    size: &[&str],
    q3: &Audited,
    q4: &Audited,
    import: impl FnOnce(&Path),
) {
    let mut third = size.to_vec();
    third.extend(["--quarter", "2027-Q1"]);
    let q1 = generate_and_audit_with(dir, "q1", &third, Some(&q4.out), Some(history), import);
    assert_ground_truth(&q1, Some(&q4.out));

    // The repeat offender names the case the DPO found a violation.
    let found = jsonl(&q1.out);
    let offender: Vec<_> = found.values().filter(|f| f["rule_id"] == "PD-13").collect();
    assert_eq!(offender.len(), 1, "{offender:?}");
    assert_eq!(offender[0]["account_id"], "sraud");
    assert!(offender[0]["message"]
        .as_str()
        .unwrap()
        .contains("review 2026-Q3_2026-09-30 the DPO found a violation on 2026-10-09"));
    // Kept again in the Q4 review: accepted, with the new reason.
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(q1.out.join("summary.json")).unwrap()).unwrap();
    let accepted = summary["accepted"].as_array().unwrap();
    assert_eq!(accepted.len(), 1, "{accepted:?}");
    assert_eq!(accepted[0]["decided_on"], "2027-01-05");

    // Findings open in all three reviews age to 3, the planted DQ rows
    // among them.
    let trends = run(&["history", "--history", history.to_str().unwrap()]);
    let table = String::from_utf8_lossy(&trends.stdout);
    assert!(table.contains("2027-03-31"), "{table}");
    let dq_since_q3: Vec<String> = jsonl(&q3.out)
        .into_iter()
        .filter(|(_, f)| f["rule_id"] == "DQ-01")
        .map(|(id, _)| id)
        .collect();
    assert_eq!(dq_since_q3.len(), 1);
    assert!(
        table.contains(&format!("3 reviews  DQ-01    {}", dq_since_q3[0])),
        "{table}"
    );
    let persisting = rows(&q1.data.join("ground_truth.csv"))
        .into_iter()
        .filter(|r| r["status"] == "persisting")
        .count();
    assert!(persisting > 10, "{persisting}");

    // Q3 audited again: the case the DPO justified is explained, with who,
    // when and why; the violation is not.
    let again = dir.join("q3-again");
    audit_again(q3, &again, history);
    let explained: Vec<_> = jsonl(&again)
        .into_values()
        .filter(|f| f["status"] == "explained")
        .collect();
    let mut rules: Vec<&str> = explained
        .iter()
        .map(|f| {
            assert_eq!(f["account_id"], "evaher", "{f}");
            f["rule_id"].as_str().unwrap()
        })
        .collect();
    rules.sort_unstable();
    assert_eq!(rules, ["PD-01", "PD-10"]);
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(again.join("summary.json")).unwrap()).unwrap();
    for e in summary["explained"].as_array().unwrap() {
        assert_eq!(e["justified_by"], "Dora Kaitse");
        assert_eq!(e["decided_on"], "2026-10-09");
    }
    // Each case shows its disposition, in summary.json and the report.
    let html = std::fs::read_to_string(again.join("report.html")).unwrap();
    let disposed: BTreeMap<String, String> = summary["dpo_cases"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| !c["disposition"].is_null())
        .map(|c| {
            let id = c["case_id"].as_str().unwrap();
            assert!(html.contains(&format!("data-disposition=\"{id}\"")), "{id}");
            (
                c["person_id"].as_str().unwrap().to_string(),
                c["disposition"]["disposition"]
                    .as_str()
                    .unwrap()
                    .to_string(),
            )
        })
        .collect();
    assert_eq!(
        disposed,
        [("39208272198", "violation"), ("46601257032", "justified")]
            .map(|(p, d)| (p.to_string(), d.to_string()))
            .into()
    );
}

#[test]
fn the_same_seed_gives_the_same_bytes_and_another_seed_does_not() {
    let tmp = tempfile::tempdir().expect("tmp");
    let gen = |name: &str, seed: &str| {
        let dir = tmp.path().join(name);
        let out = run(&[
            "generate",
            "--out",
            dir.to_str().unwrap(),
            "--persons",
            "60",
            "--events",
            "5000",
            "--seed",
            seed,
            "--parquet",
        ]);
        assert_eq!(out.status.code(), Some(0), "{out:?}");
        dir
    };
    let a = gen("a", "5");
    let b = gen("b", "5");
    let c = gen("c", "6");
    let files = [
        "employees.csv",
        "accounts.csv",
        "cases.csv",
        "ground_truth.csv",
        "access_log/month=2026-08/part-0000.parquet",
    ];
    for file in files {
        let fa = std::fs::read(a.join(file)).unwrap();
        assert!(!fa.is_empty(), "{file}");
        assert!(
            fa == std::fs::read(b.join(file)).unwrap(),
            "{file} differs for one seed"
        );
    }
    assert!(
        std::fs::read(a.join("employees.csv")).unwrap()
            != std::fs::read(c.join("employees.csv")).unwrap(),
        "another seed gives another quarter"
    );
}

#[test]
fn generate_refuses_a_folder_with_files_and_leaves_it_alone() {
    let tmp = tempfile::tempdir().expect("tmp");
    std::fs::write(tmp.path().join("keep.txt"), "mine").unwrap();
    let out = run(&[
        "generate",
        "--out",
        tmp.path().to_str().unwrap(),
        "--persons",
        "5",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not empty"));
    let names: Vec<_> = std::fs::read_dir(tmp.path()).unwrap().collect();
    assert_eq!(names.len(), 1);
}
