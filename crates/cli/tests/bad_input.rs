//! Every kind of unusable input exits 2 with one message that names the
//! file, and where one value is at fault the row, the column and the value;
//! none of them panics.

// Tests stop at the first broken expectation; that is what expect is for here.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::Command;

fn minimal() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/base")
}

fn copy_minimal() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for entry in std::fs::read_dir(minimal()).expect("minimal fixture") {
        let path = entry.expect("entry").path();
        std::fs::copy(&path, dir.path().join(path.file_name().expect("name"))).expect("copy");
    }
    dir
}

fn write(dir: &Path, name: &str, bytes: impl AsRef<[u8]>) {
    std::fs::write(dir.join(name), bytes).expect("write");
}

/// Runs `validate` and returns (exit code, stderr).
fn validate(dir: &Path, extra: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_accessaudit"))
        .env("ACCESSAUDIT_PSEUDONYM_KEY", "test-key-of-16-bytes")
        .arg("validate")
        .arg("--data")
        .arg(dir)
        .args(extra)
        .output()
        .expect("run accessaudit");
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(!stderr.contains("panicked"), "panic: {stderr}");
    (out.status.code().unwrap_or(-1), stderr)
}

/// Asserts exit 2 and a one-line message holding every fragment.
fn assert_unusable(dir: &Path, fragments: &[&str]) {
    let (code, stderr) = validate(dir, &[]);
    assert_eq!(code, 2, "exit code; stderr: {stderr}");
    assert_eq!(stderr.trim().lines().count(), 1, "one message: {stderr}");
    for f in fragments {
        assert!(stderr.contains(f), "{f:?} missing from: {stderr}");
    }
}

/// Replaces the first occurrence of `from` in table file `name`.
fn edit(dir: &Path, name: &str, from: &str, to: &str) {
    let text = std::fs::read_to_string(dir.join(name)).expect("read");
    assert!(text.contains(from), "{from:?} not in {name}");
    write(dir, name, text.replacen(from, to, 1));
}

#[test]
fn missing_required_table() {
    let dir = copy_minimal();
    std::fs::remove_file(dir.path().join("role_assignments.csv")).expect("rm");
    assert_unusable(dir.path(), &["role_assignments", "missing"]);
}

#[test]
fn missing_required_column() {
    let dir = copy_minimal();
    edit(
        dir.path(),
        "positions.csv",
        "position_id,title,unit",
        "position_id,titel,unit",
    );
    assert_unusable(dir.path(), &["positions.csv", "`title`", "missing"]);
}

#[test]
fn file_that_is_not_utf8() {
    let dir = copy_minimal();
    let mut bytes = std::fs::read(dir.path().join("employees.csv")).expect("read");
    let at = bytes.windows(4).position(|w| w == b"Mets").expect("name");
    bytes[at + 1] = 0xE4; // Latin-1 "ä" where UTF-8 is expected
    write(dir.path(), "employees.csv", bytes);
    assert_unusable(
        dir.path(),
        &["employees.csv:2", "`name`", "M\u{FFFD}ts", "UTF-8"],
    );
}

#[test]
fn unparseable_date() {
    let dir = copy_minimal();
    edit(dir.path(), "absences.csv", "2026-07-17", "2026-07-32");
    assert_unusable(
        dir.path(),
        &[
            "absences.csv:2",
            "`end_date`",
            "\"2026-07-32\"",
            "not a date",
        ],
    );
}

#[test]
fn unparseable_timestamp() {
    let dir = copy_minimal();
    edit(
        dir.path(),
        "accounts.csv",
        "2018-03-01T09:00:00+02:00",
        "2018-03-01 9am",
    );
    assert_unusable(
        dir.path(),
        &[
            "accounts.csv:3",
            "`created_at`",
            "\"2018-03-01 9am\"",
            "not a timestamp",
        ],
    );
}

#[test]
fn unparseable_bool() {
    let dir = copy_minimal();
    edit(
        dir.path(),
        "roles.csv",
        "Pension viewer,true",
        "Pension viewer,maybe",
    );
    assert_unusable(
        dir.path(),
        &["roles.csv:3", "`personal_data`", "\"maybe\"", "not a bool"],
    );
}

#[test]
fn unknown_enum_word() {
    let dir = copy_minimal();
    edit(
        dir.path(),
        "role_assignments.csv",
        ",baseline,",
        ",inherited,",
    );
    assert_unusable(
        dir.path(),
        &[
            "role_assignments.csv:3",
            "`basis`",
            "\"inherited\"",
            "request, substitution, baseline",
        ],
    );
}

#[test]
fn empty_required_value() {
    let dir = copy_minimal();
    edit(
        dir.path(),
        "employees.csv",
        "Mari Kask,Pensionite osakond",
        "Mari Kask,",
    );
    assert_unusable(dir.path(), &["employees.csv:3", "`unit`", "empty"]);
}

#[test]
fn truncated_parquet_file() {
    let dir = copy_minimal();
    let src = dir.path().join("absences.csv");
    let mut df = polars::df!(
        "person_id" => ["36805280109"],
        "kind" => ["vacation"],
        "start_date" => ["2026-07-06"],
        "end_date" => ["2026-07-17"],
    )
    .expect("df");
    std::fs::remove_file(&src).expect("rm");
    let path = dir.path().join("absences.parquet");
    polars::prelude::ParquetWriter::new(std::fs::File::create(&path).expect("create"))
        .finish(&mut df)
        .expect("parquet");
    let bytes = std::fs::read(&path).expect("read");
    write(dir.path(), "absences.parquet", &bytes[..bytes.len() / 2]);
    assert_unusable(dir.path(), &["absences.parquet", "Parquet"]);
}

#[test]
fn corrupt_parquet_file() {
    let dir = copy_minimal();
    std::fs::remove_file(dir.path().join("absences.csv")).expect("rm");
    write(
        dir.path(),
        "absences.parquet",
        b"PAR1 this is not really parquet PAR1",
    );
    assert_unusable(dir.path(), &["absences.parquet", "Parquet"]);
}

#[test]
fn empty_file() {
    let dir = copy_minimal();
    write(dir.path(), "positions.csv", "");
    assert_unusable(dir.path(), &["positions.csv", "empty"]);
}

#[test]
fn lenient_rejects_the_row_and_goes_on() {
    let dir = copy_minimal();
    edit(dir.path(), "absences.csv", "2026-07-17", "2026-07-32");
    let out = Command::new(env!("CARGO_BIN_EXE_accessaudit"))
        .env("ACCESSAUDIT_PSEUDONYM_KEY", "test-key-of-16-bytes")
        .args(["validate", "--lenient", "--data"])
        .arg(dir.path())
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(0));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("absences.csv: column `end_date`: not a date"),
        "{stdout}"
    );
    assert!(stdout.contains("1 row(s) (2)"), "{stdout}");
}

#[test]
fn bad_period_argument() {
    let (code, stderr) = validate(&minimal(), &["--period", "2026-Q5"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("2026-Q5") && stderr.contains("Q1 to Q4"),
        "{stderr}"
    );
}

#[test]
fn not_a_directory() {
    let (code, stderr) = validate(Path::new("/nonexistent/snapshot"), &[]);
    assert_eq!(code, 2);
    assert!(stderr.contains("/nonexistent/snapshot"), "{stderr}");
}
