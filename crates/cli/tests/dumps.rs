//! `accessaudit snapshot --source dumps:DIR`: intervals derived from periodic
//! dumps of current state. The synthetic series `fixtures/dumps/series/`
//! (a leaver, a rehire, a transfer, a role removed and granted again) gives
//! exactly its expected snapshot and findings, lateness as a lower bound; a
//! truncated dump is refused unless accepted with a reason.

// Tests stop at the first broken expectation; that is what expect is for here.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::Output;

use polars::prelude::*;

mod common;
use common::repo;

fn run(args: &[&str]) -> Output {
    common::run(args, &[])
}

/// A snapshot table as sorted CSV lines (header first), every value as
/// text: dates `YYYY-MM-DD`, instants in UTC.
fn table_text(path: &Path) -> String {
    let frame = LazyFrame::scan_parquet(
        PlRefPath::try_from_path(path).unwrap(),
        ScanArgsParquet::default(),
    )
    .unwrap()
    .collect()
    .unwrap();
    let names: Vec<String> = frame
        .get_column_names()
        .iter()
        .map(|n| n.to_string())
        .collect();
    let mut lines: Vec<String> = (0..frame.height())
        .map(|i| {
            frame
                .columns()
                .iter()
                .map(|c| match c.get(i).unwrap() {
                    AnyValue::Null => String::new(),
                    AnyValue::String(s) => s.to_string(),
                    v => v.to_string(),
                })
                .collect::<Vec<_>>()
                .join(",")
        })
        .collect();
    lines.sort();
    format!("{}\n{}\n", names.join(","), lines.join("\n"))
}

fn snapshot(source: &Path, out: &Path, extra: &[&str]) -> Output {
    let source = format!("dumps:{}", source.display());
    let mut args = vec![
        "snapshot",
        "--source",
        &source,
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    run(&args)
}

#[test]
fn the_synthetic_series_gives_its_expected_snapshot_and_lower_bound_findings() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("snap");
    let series = repo().join("fixtures/dumps/series");
    // Five people over five dumps: small tables lose more than 20 % when
    // two people leave, so the guard is set for them.
    let done = snapshot(&series, &out, &["--max-drop", "50"]);
    assert_eq!(done.status.code(), Some(0), "{done:?}");
    let expected = repo().join("fixtures/dumps/expected");
    for table in ["employees", "accounts", "role_assignments"] {
        let found = table_text(&out.join(format!("{table}.parquet")));
        let want = std::fs::read_to_string(expected.join(format!("{table}.csv"))).unwrap();
        assert_eq!(found, want, "{table}:\n{found}");
    }
    let manifest = std::fs::read_to_string(out.join("manifest.toml")).unwrap();
    assert!(manifest.contains("intervals = \"observed\""), "{manifest}");
    assert!(manifest.contains(
        "dumps = [\"2026-06-01\", \"2026-07-01\", \"2026-08-01\", \"2026-09-01\", \"2026-09-30T18:00\"]"
    ));

    for (lang, bound) in [("en", "at least "), ("et", "vähemalt ")] {
        let audit = tmp.path().join(format!("audit-{lang}"));
        let done = run(&[
            "audit",
            "--data",
            out.to_str().unwrap(),
            "--out",
            audit.to_str().unwrap(),
            "--format",
            "csv,html",
            "--lang",
            lang,
        ]);
        assert_eq!(done.status.code(), Some(0), "{done:?}");
        let stdout = String::from_utf8_lossy(&done.stdout);
        assert!(
            stdout.contains(if lang == "et" {
                "alampiir"
            } else {
                "lower bound"
            }),
            "{stdout}"
        );
        let text = std::fs::read_to_string(audit.join("findings.csv")).unwrap();
        let mut reader = text.trim_start_matches('\u{feff}').lines();
        let header: Vec<&str> = reader.next().unwrap().split(',').collect();
        let at = |name: &str| header.iter().position(|h| *h == name).unwrap();
        let mut keys: Vec<String> = Vec::new();
        for line in reader {
            let cells: Vec<&str> = line.split(',').collect();
            keys.push(
                ["rule_id", "system", "account_id", "person_id", "ref"]
                    .iter()
                    .map(|k| cells[at(k)])
                    .collect::<Vec<_>>()
                    .join(","),
            );
            // Lateness measured on observed intervals is a lower bound.
            if cells[at("rule_id")].starts_with("TIME-") {
                assert!(line.contains(bound), "{line}");
            }
        }
        let html = std::fs::read_to_string(audit.join("report.html")).unwrap();
        assert!(html.contains("id=\"observed-intervals\""));
        keys.sort();
        let want = std::fs::read_to_string(expected.join("findings.csv")).unwrap();
        assert_eq!(
            format!(
                "rule_id,system,account_id,person_id,ref\n{}\n",
                keys.join("\n")
            ),
            want
        );
    }
}

/// A copy of the series with one more dump, `2026-10-15`, whose rights are
/// cut to the first `keep` rows.
fn series_with_truncated_dump(dir: &Path, keep: usize) -> PathBuf {
    let series = dir.join("series");
    let from = repo().join("fixtures/dumps/series");
    for dump in std::fs::read_dir(&from).unwrap() {
        let dump = dump.unwrap().path();
        let to = series.join(dump.file_name().unwrap());
        std::fs::create_dir_all(&to).unwrap();
        for file in std::fs::read_dir(&dump).unwrap() {
            let file = file.unwrap().path();
            std::fs::copy(&file, to.join(file.file_name().unwrap())).unwrap();
        }
    }
    let newest = series.join("2026-09-30T18:00");
    let late = series.join("2026-10-15");
    std::fs::create_dir_all(&late).unwrap();
    for name in ["employees.csv", "accounts.csv"] {
        std::fs::copy(newest.join(name), late.join(name)).unwrap();
    }
    let rights = std::fs::read_to_string(newest.join("role_assignments.csv")).unwrap();
    let cut: Vec<&str> = rights.lines().take(1 + keep).collect();
    std::fs::write(late.join("role_assignments.csv"), cut.join("\n") + "\n").unwrap();
    // The other tables come from the newest dump.
    for file in std::fs::read_dir(&newest).unwrap() {
        let file = file.unwrap().path();
        let target = late.join(file.file_name().unwrap());
        if !target.exists() {
            std::fs::copy(&file, target).unwrap();
        }
    }
    series
}

#[test]
fn a_truncated_dump_is_refused_unless_accepted_with_a_reason() {
    let tmp = tempfile::tempdir().unwrap();
    let series = series_with_truncated_dump(tmp.path(), 1);
    let out = tmp.path().join("snap");
    let refused = snapshot(&series, &out, &["--max-drop", "50"]);
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert_eq!(refused.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(
            "2026-10-15: table role_assignments has 1 rows, 83 % fewer than 6 in 2026-09-30T18:00"
        ),
        "{stderr}"
    );
    assert!(!out.exists());
    let names: Vec<_> = std::fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names.len(), 1, "nothing written: {names:?}");
    // An empty dump is refused whatever the guard.
    let empty = series_with_truncated_dump(&tmp.path().join("empty"), 0);
    let done = snapshot(&empty, &out, &["--max-drop", "100"]);
    assert_eq!(done.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&done.stderr).contains("has no rows"));
    // Accepted with a reason: taken, and the reason is evidence.
    let accepted = snapshot(
        &series,
        &out,
        &[
            "--max-drop",
            "50",
            "--accept-drop",
            "2026-10-15=Five rights moved to the new IAM on 14 October",
        ],
    );
    assert_eq!(accepted.status.code(), Some(0), "{accepted:?}");
    let manifest = std::fs::read_to_string(out.join("manifest.toml")).unwrap();
    assert!(
        manifest.contains(
            "[accepted_drops]\n2026-10-15 = \"Five rights moved to the new IAM on 14 October\""
        ),
        "{manifest}"
    );
}

/// The CERT insider-threat data set's monthly LDAP rosters (`LDAP/2009-12.csv`
/// … `LDAP/2011-05.csv`) from the folder `ACCESSAUDIT_CERT_LDAP` names: its
/// licence forbids redistribution, so the test reads it where it lies and
/// skips without it. The leavers counted here from the files themselves (a
/// user in some roster but not in the last) are exactly the people the
/// derived employees table no longer employs at the end.
#[test]
fn the_cert_ldap_rosters_give_the_leavers_counted_from_the_files() {
    let Some(ldap) = std::env::var_os("ACCESSAUDIT_CERT_LDAP").map(PathBuf::from) else {
        eprintln!("skipping the CERT LDAP test: ACCESSAUDIT_CERT_LDAP is not set");
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let dumps = tmp.path().join("dumps");
    let mut months: Vec<PathBuf> = std::fs::read_dir(&ldap)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "csv"))
        .collect();
    months.sort();
    assert!(months.len() >= 2, "{}", ldap.display());
    // Independently: each roster's user ids, straight from the files.
    let users = |path: &Path| -> std::collections::BTreeSet<String> {
        let text = std::fs::read_to_string(path).unwrap();
        let mut lines = text.lines();
        let header: Vec<&str> = lines.next().unwrap().split(',').collect();
        let at = header.iter().position(|h| *h == "user_id").unwrap();
        lines
            .filter(|l| !l.is_empty())
            .map(|l| l.split(',').nth(at).unwrap().to_string())
            .collect()
    };
    let rosters: Vec<_> = months.iter().map(|m| users(m)).collect();
    let last = rosters.last().unwrap();
    let ever: std::collections::BTreeSet<String> = rosters.iter().flatten().cloned().collect();
    let leavers: std::collections::BTreeSet<String> = ever.difference(last).cloned().collect();
    for month in &months {
        let stem = month.file_stem().unwrap().to_string_lossy().to_string();
        let folder = dumps.join(format!("{stem}-01"));
        std::fs::create_dir_all(&folder).unwrap();
        std::fs::copy(month, folder.join("ldap.csv")).unwrap();
    }
    let newest = dumps.join(format!(
        "{}-01",
        months
            .last()
            .unwrap()
            .file_stem()
            .unwrap()
            .to_string_lossy()
    ));
    for (name, header) in [
        ("access_requests", "request_id,person_id,system,role,action,requested_by,requested_at,decision,approved_by,approved_at,valid_until"),
        ("absences", "person_id,kind,start_date,end_date"),
        ("substitutions", "order_id,absent_person_id,substitute_person_id,system,start_date,end_date,issued_by,issued_at"),
    ] {
        std::fs::write(newest.join(format!("{name}.csv")), format!("{header}\n")).unwrap();
    }
    let out = tmp.path().join("snap");
    let mapping = repo().join("fixtures/dumps/cert/mapping.toml");
    let done = run(&[
        "snapshot",
        "--source",
        &format!("dumps:{}", dumps.display()),
        "--mapping",
        mapping.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(done.status.code(), Some(0), "{done:?}");
    let employees = table_text(&out.join("employees.parquet"));
    let mut open = std::collections::BTreeSet::new();
    let mut seen = std::collections::BTreeSet::new();
    for line in employees.lines().skip(1) {
        let cells: Vec<&str> = line.split(',').collect();
        // person_id, name, unit, position_id, valid_from, valid_to
        seen.insert(cells[0].to_string());
        if cells[5].is_empty() {
            open.insert(cells[0].to_string());
        }
    }
    let derived: std::collections::BTreeSet<String> = seen.difference(&open).cloned().collect();
    eprintln!(
        "CERT LDAP: {} rosters, {} users in all, {} leavers counted from the files, {} derived",
        months.len(),
        ever.len(),
        leavers.len(),
        derived.len()
    );
    assert_eq!(derived, leavers);
    assert_eq!(open, last.clone());
}
