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

#[test]
fn stray_quote_in_an_unquoted_field() {
    // Before: "CSV malformed: expected 3 rows, actual 38 rows, in chunk
    // starting at row_offset 3": no file, row, column or value.
    let dir = copy_minimal();
    edit(dir.path(), "employees.csv", "Mari Kask", "Ma\"ri Kask");
    assert_unusable(
        dir.path(),
        &["employees.csv:3", "`name`", "Ma\\\"ri Kask", "quote"],
    );
}

#[test]
fn text_after_a_closing_quote() {
    let dir = copy_minimal();
    edit(dir.path(), "employees.csv", "Jaan Mets", "\"Laura\" Mets");
    assert_unusable(
        dir.path(),
        &[
            "employees.csv:2",
            "`name`",
            "\\\"Laura\\\" Mets",
            "after the closing quote",
        ],
    );
}

#[test]
fn manifest_as_of_written_as_an_integer() {
    // Before: "did not match any variant of untagged enum Either".
    let dir = copy_minimal();
    edit(
        dir.path(),
        "manifest.toml",
        "as_of = \"2026-09-30T23:59:59+03:00\"",
        "as_of = 20260930",
    );
    assert_unusable(
        dir.path(),
        &["manifest.toml", "line 2", "as_of = 20260930", "an integer"],
    );
}

#[test]
fn manifest_period_q5() {
    let dir = copy_minimal();
    edit(dir.path(), "manifest.toml", "2026-Q3", "2026-Q5");
    assert_unusable(
        dir.path(),
        &[
            "manifest.toml",
            "line 3",
            "period = \"2026-Q5\"",
            "Q1 to Q4",
        ],
    );
}

#[test]
fn as_of_before_the_period() {
    // Before: ran without a word.
    let dir = copy_minimal();
    let (code, stderr) = validate(dir.path(), &["--as-of", "2026-01-01"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("as_of 2026-01-01 (from --as-of)")
            && stderr.contains("2026-Q3")
            && stderr.contains("from manifest.toml."),
        "{stderr}"
    );
}

#[test]
fn gzipped_partition_is_refused_by_name() {
    // Before: skipped silently, its rows lost.
    let dir = copy_minimal();
    std::fs::create_dir_all(dir.path().join("access_log/month=08")).expect("mkdir");
    write(
        dir.path(),
        "access_log/month=08/part-0.csv.gz",
        b"\x1f\x8b\x08\x00",
    );
    assert_unusable(
        dir.path(),
        &["access_log/month=08/part-0.csv.gz", "compressed"],
    );
}

#[test]
fn parquet_with_decimal_person_id_and_extra_columns_validates() {
    // Before: "Arrow datatype Decimal not supported" (a panic) in validate,
    // audit and subject-report alike: all load the snapshot the same way.
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("../ingest/tests/data");
    for name in [
        "decimal_person_id.parquet",
        "extra_nested_columns.parquet",
        "pandas_category_and_null.parquet",
    ] {
        let dir = copy_minimal();
        std::fs::remove_file(dir.path().join("accounts.csv")).expect("rm");
        std::fs::copy(data.join(name), dir.path().join("accounts.parquet")).expect("copy");
        let (code, stderr) = validate(dir.path(), &[]);
        assert_eq!(code, 0, "{name}: {stderr}");
    }
}

#[test]
fn lenient_rejected_rows_are_listed_in_summary_json_and_report_html() {
    // Before: counted ("rejected": 1) but listed nowhere in the outputs.
    let dir = copy_minimal();
    edit(dir.path(), "absences.csv", "2026-07-17", "2026-07-32");
    let out_dir = tempfile::tempdir().expect("out");
    let out = Command::new(env!("CARGO_BIN_EXE_accessaudit"))
        .env("ACCESSAUDIT_PSEUDONYM_KEY", "test-key-of-16-bytes")
        .args(["audit", "--lenient", "--data"])
        .arg(dir.path())
        .arg("--out")
        .arg(out_dir.path().join("out"))
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(matches!(out.status.code(), Some(0 | 1)), "{stderr}");
    let summary: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(out_dir.path().join("out/summary.json")).expect("summary"),
    )
    .expect("json");
    let tables = summary["tables"].as_array().expect("tables");
    let absences = tables
        .iter()
        .find(|t| t["table"] == "absences")
        .expect("absences");
    assert_eq!(absences["rejected"], 1);
    assert_eq!(
        absences["rejected_rows"],
        serde_json::json!([{
            "row": "absences.csv:2",
            "column": "end_date",
            "value": "2026-07-32",
            "reason": "not a date (expected YYYY-MM-DD or DD.MM.YYYY)",
        }])
    );
    let html = std::fs::read_to_string(out_dir.path().join("out/report.html")).expect("html");
    assert!(
        html.contains("<td>absences.csv:2</td><td>end_date</td><td>2026-07-32</td>"),
        "report.html does not list the rejected row"
    );
}

#[test]
fn many_small_partition_files_are_read_within_a_low_open_file_limit() {
    // Before: 1,000 one-row parts took minutes (one lazy scan per file,
    // unioned), and 2,000 under `ulimit -n 256` died with "Too many open
    // files". Now small files are read one at a time and stacked.
    let dir = copy_minimal();
    let log = dir.path().join("access_log");
    std::fs::create_dir_all(&log).expect("mkdir");
    for i in 0..2000 {
        write(
            &log,
            &format!("part-{i:04}.csv"),
            format!(
                "ts,system,account_id,subject_id,action\n2026-07-01T10:{:02}:00+03:00,SKAIS,jmets,38001010008,view\n",
                i % 60
            ),
        );
    }
    let started = std::time::Instant::now();
    let out = Command::new("sh")
        .arg("-c")
        .arg("ulimit -n 256 && exec \"$0\" validate --data \"$1\"")
        .arg(env!("CARGO_BIN_EXE_accessaudit"))
        .arg(dir.path())
        .env("ACCESSAUDIT_PSEUDONYM_KEY", "test-key-of-16-bytes")
        .output()
        .expect("run");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stdout.contains("2000 files under access_log/")
            && stdout
                .lines()
                .any(|l| l.starts_with("access_log") && l.contains(" 2000 ")),
        "{stdout}"
    );
    // A debug build reads them in well under a minute (before: minutes).
    assert!(
        started.elapsed() < std::time::Duration::from_secs(120),
        "took {:?}",
        started.elapsed()
    );
}
