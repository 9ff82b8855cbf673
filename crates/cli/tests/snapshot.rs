//! `accessaudit snapshot` end to end: the demo's data in another shape — a
//! folder of raw exports (`fixtures/mappings/exports/`) and the same tables
//! loaded into PostgreSQL (`fixtures/mappings/schema.sql`) — mapped back to
//! the contract, and the audit of the snapshot gives the demo's findings.
//! The PostgreSQL tests need the server `.ci/run` starts (`.ci/postgres`):
//! without it they say so and pass, except under `CI=true`, where they fail.

// Tests stop at the first broken expectation; that is what expect is for here.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Output;

mod common;
use common::{repo, run};

/// The demo's `as_of`: a database's own would be today.
const AS_OF: &str = "2026-09-30T23:59:59+03:00";

/// The findings of an audit of `data`, each as its columns without the
/// evidence and the finding id, with row references (`file.csv:12`) cut to
/// their table: a snapshot's files are Parquet and numbered from 1.
fn findings(data: &Path, out: &Path) -> BTreeSet<String> {
    let done = run(
        &[
            "audit",
            "--data",
            data.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--format",
            "json",
        ],
        &[],
    );
    assert!(done.status.code().is_some_and(|c| c <= 1), "{done:?}");
    let rows = std::fs::read_to_string(out.join("findings.jsonl")).unwrap();
    let row_ref = |text: &str| -> String {
        text.split(' ')
            .map(|w| match w.split_once(':') {
                Some((file, n))
                    if (file.ends_with(".csv") || file.ends_with(".parquet"))
                        && n.chars().all(|c| c.is_ascii_digit()) =>
                {
                    format!("{}:#", file.rsplit_once('.').unwrap().0)
                }
                _ => w.to_string(),
            })
            .collect::<Vec<_>>()
            .join(" ")
    };
    rows.lines()
        .map(|l| {
            let mut f: serde_json::Value = serde_json::from_str(l).unwrap();
            let o = f.as_object_mut().unwrap();
            o.remove("evidence");
            o.remove("finding_id");
            row_ref(&serde_json::to_string(o).unwrap())
        })
        .collect()
}

/// Snapshots `source` through `mapping` into `out`.
fn snapshot(source: &str, mapping: &str, out: &Path, env: &[(&str, &str)]) -> Output {
    run(
        &[
            "snapshot",
            "--source",
            source,
            "--mapping",
            mapping,
            "--out",
            out.to_str().unwrap(),
            "--as-of",
            AS_OF,
        ],
        env,
    )
}

/// Asserts that the audit of `snapshot` finds what the demo's does.
fn assert_demo_findings(snapshot: &Path, dir: &Path) {
    let demo = findings(&repo().join("fixtures/demo"), &dir.join("demo-audit"));
    let mapped = findings(snapshot, &dir.join("snapshot-audit"));
    assert!(demo.len() > 30);
    let only_demo: Vec<_> = demo.difference(&mapped).collect();
    let only_mapped: Vec<_> = mapped.difference(&demo).collect();
    assert!(
        only_demo.is_empty() && only_mapped.is_empty(),
        "only in the demo's audit: {only_demo:#?}\nonly in the snapshot's: {only_mapped:#?}"
    );
}

/// Nothing is left in `dir` but `keep`: no snapshot, no half-written one.
fn nothing_written(dir: &Path, keep: &[&str]) {
    let names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .filter(|n| !keep.contains(&n.as_str()))
        .collect();
    assert!(names.is_empty(), "{names:?}");
}

#[test]
fn raw_exports_in_another_shape_give_the_demos_findings() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("snap");
    let done = snapshot(
        "fixtures/mappings/exports",
        "fixtures/mappings/exports.toml",
        &out,
        &[],
    );
    assert_eq!(done.status.code(), Some(0), "{done:?}");
    let manifest = std::fs::read_to_string(out.join("manifest.toml")).unwrap();
    assert!(
        manifest.contains(&format!("as_of = \"{AS_OF}\"")),
        "{manifest}"
    );
    assert!(manifest.contains("[tables.access_log]\nquery_sha256 = \""));
    assert!(manifest.contains("rows = 566"));
    assert!(out.join("access_log/month=2026-08").is_dir());
    assert_demo_findings(&out, tmp.path());
    // The same output again is refused: a snapshot is never overwritten.
    let again = snapshot(
        "fixtures/mappings/exports",
        "fixtures/mappings/exports.toml",
        &out,
        &[],
    );
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));
}

/// A copy of the exports mapping with `from` replaced by `to`.
fn mapping_with(dir: &Path, name: &str, from: &str, to: &str) -> PathBuf {
    let text = std::fs::read_to_string(repo().join("fixtures/mappings/exports.toml")).unwrap();
    assert!(text.contains(from), "{from}");
    let path = dir.join(name);
    std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
    path
}

/// The line of `needle` in the exports mapping.
fn line_of(needle: &str) -> usize {
    let text = std::fs::read_to_string(repo().join("fixtures/mappings/exports.toml")).unwrap();
    text.lines().position(|l| l.contains(needle)).unwrap() + 1
}

#[test]
fn a_bad_mapping_is_refused_with_its_line_before_anything_is_read() {
    let tmp = tempfile::tempdir().unwrap();
    let cases = [
        (
            "unknown-table.toml",
            "[tables.holidays]",
            "[tables.puhad]",
            format!("{}: [tables.puhad]: the contract has no table", line_of("[tables.holidays]")),
        ),
        (
            "missing-column.toml",
            "       kasutajanimi AS account_id,\n       isikukood AS person_id",
            "       isikukood AS person_id",
            format!(
                "{}: [tables.accounts]: the query's result has no column account_id",
                line_of("[tables.accounts]") + 1
            ),
        ),
        (
            "query-error.toml",
            "FROM tootajad",
            "FROM toojatad",
            format!("{}: [tables.employees] query:", line_of("[tables.employees]") + 1),
        ),
        (
            "wrong-value.toml",
            "alates AS valid_from",
            "nimi AS valid_from",
            "[tables.employees]: query result:1: column `valid_from`, value \"Heiki Roos\": not a date"
                .to_string(),
        ),
    ];
    for (name, from, to, expected) in cases {
        let mapping = mapping_with(tmp.path(), name, from, to);
        let out = tmp.path().join("snap");
        let done = snapshot(
            "fixtures/mappings/exports",
            mapping.to_str().unwrap(),
            &out,
            &[],
        );
        let stderr = String::from_utf8_lossy(&done.stderr);
        assert_eq!(done.status.code(), Some(2), "{name}: {stderr}");
        assert!(stderr.contains(&expected), "{name}: {stderr}");
        nothing_written(
            tmp.path(),
            &[
                name,
                "unknown-table.toml",
                "missing-column.toml",
                "query-error.toml",
                "wrong-value.toml",
            ],
        );
    }
}

/// The test server's URL and password, or `None` (with a note) where there
/// is none; under CI a missing server fails the test.
fn test_server() -> Option<(String, String)> {
    match (
        std::env::var("ACCESSAUDIT_TEST_POSTGRES"),
        std::env::var("ACCESSAUDIT_TEST_PGPASSWORD"),
    ) {
        (Ok(url), Ok(password)) => Some((url, password)),
        _ if std::env::var("CI").is_ok_and(|v| v == "true") => {
            panic!("CI must have the PostgreSQL test server: .ci/postgres sets ACCESSAUDIT_TEST_POSTGRES")
        }
        _ => {
            eprintln!(
                "skipping the PostgreSQL snapshot test: no ACCESSAUDIT_TEST_POSTGRES (source .ci/postgres to start a server)"
            );
            None
        }
    }
}

/// `url` with its database replaced by `db`.
fn with_database(url: &str, db: &str) -> String {
    let (base, query) = url.split_once('?').unwrap_or((url, ""));
    let base = base.rsplit_once('/').map_or(base, |(b, _)| b);
    format!("{base}/{db}?{query}")
}

/// A fresh database holding `schema.sql` loaded with the exports.
fn loaded_database(url: &str, password: &str, name: &str) -> String {
    let connect = |u: &str| {
        let mut config: postgres::Config = u.parse().unwrap();
        config.password(password);
        config.connect(postgres::NoTls).unwrap()
    };
    let mut admin = connect(url);
    for statement in [
        format!("DROP DATABASE IF EXISTS {name}"),
        format!("CREATE DATABASE {name}"),
    ] {
        admin.batch_execute(&statement).unwrap();
    }
    let db_url = with_database(url, name);
    let mut db = connect(&db_url);
    let schema = std::fs::read_to_string(repo().join("fixtures/mappings/schema.sql")).unwrap();
    db.batch_execute(&schema).unwrap();
    db.batch_execute("SET DateStyle = 'ISO, DMY'; SET TimeZone = 'Europe/Tallinn'")
        .unwrap();
    for line in schema.lines() {
        let Some(table) = line
            .strip_prefix("CREATE TABLE ")
            .and_then(|l| l.strip_suffix(" ("))
        else {
            continue;
        };
        let file = table.split_once('.').unwrap().1;
        let bytes =
            std::fs::read(repo().join(format!("fixtures/mappings/exports/{file}.csv"))).unwrap();
        let mut writer = db
            .copy_in(&format!(
                "COPY {table} FROM STDIN WITH (FORMAT csv, HEADER true)"
            ))
            .unwrap();
        std::io::Write::write_all(&mut writer, &bytes).unwrap();
        writer.finish().unwrap();
    }
    db_url
}

#[test]
fn a_postgresql_database_in_another_shape_gives_the_demos_findings() {
    let Some((url, password)) = test_server() else {
        return;
    };
    let db_url = loaded_database(&url, &password, "accessaudit_roundtrip");
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("snap");
    let done = snapshot(
        &db_url,
        "fixtures/mappings/postgres.toml",
        &out,
        &[("PGPASSWORD", &password)],
    );
    assert_eq!(done.status.code(), Some(0), "{done:?}");
    let manifest = std::fs::read_to_string(out.join("manifest.toml")).unwrap();
    assert!(manifest.contains("kind = \"postgresql\""), "{manifest}");
    assert!(!manifest.contains(&password), "never the password");
    assert_demo_findings(&out, tmp.path());
}

#[test]
fn bad_database_sources_get_clear_answers_and_nothing_is_written() {
    let Some((url, password)) = test_server() else {
        return;
    };
    let db_url = loaded_database(&url, &password, "accessaudit_bad_sources");
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("snap");
    let mapping = "fixtures/mappings/postgres.toml";
    let wrong_type = tmp.path().join("wrong-type.toml");
    std::fs::write(
        &wrong_type,
        std::fs::read_to_string(repo().join(mapping))
            .unwrap()
            .replacen("alates AS valid_from", "length(nimi) AS valid_from", 1),
    )
    .unwrap();
    let bad_query = tmp.path().join("bad-query.toml");
    std::fs::write(
        &bad_query,
        std::fs::read_to_string(repo().join(mapping))
            .unwrap()
            .replacen("FROM iam.rolliomistused", "FROM iam.rolli_omistused", 1),
    )
    .unwrap();
    let refused = with_database(&db_url, "postgres").replace("host=/", "host=/nonexistent/");
    let with_password = db_url.replacen("postgres@", "postgres:secret@", 1);
    let cases: [(&str, &str, &str, &str); 5] = [
        (&refused, mapping, password.as_str(), "cannot connect to postgresql://postgres@"),
        (&db_url, mapping, "not-the-password", "authentication failed for user \"postgres\""),
        (&with_password, mapping, password.as_str(), "the URL carries a password"),
        (
            &db_url,
            bad_query.to_str().unwrap(),
            password.as_str(),
            "[tables.role_assignments] query: relation \"iam.rolli_omistused\" does not exist",
        ),
        (
            &db_url,
            wrong_type.to_str().unwrap(),
            password.as_str(),
            "[tables.employees]: column valid_from is int4 in the query's result, which cannot be read as date",
        ),
    ];
    for (source, mapping, password, expected) in cases {
        let done = snapshot(source, mapping, &out, &[("PGPASSWORD", password)]);
        let stderr = String::from_utf8_lossy(&done.stderr);
        assert_eq!(done.status.code(), Some(2), "{expected}: {stderr}");
        assert!(stderr.contains(expected), "{expected}: {stderr}");
        nothing_written(tmp.path(), &["wrong-type.toml", "bad-query.toml"]);
    }
}
