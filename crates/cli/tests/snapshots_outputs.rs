//! Snapshot tests pinning the findings files of one small fixture, byte for
//! byte as a reviewer's spreadsheet or a dashboard reads them. A change in
//! wording, order or columns shows up here as a diff to review
//! (`cargo insta review`, or INSTA_UPDATE=always to accept).

// Tests stop at the first broken expectation; that is what expect is for here.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::Command;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// fixtures/base with the files of the TIME-01 firing case on top.
fn snapshot_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tmp");
    for from in [
        repo().join("fixtures/base"),
        repo().join("fixtures/rules/TIME-01/fires"),
    ] {
        for entry in std::fs::read_dir(&from).expect("dir") {
            let path = entry.expect("entry").path();
            let name = path.file_name().unwrap().to_string_lossy().to_string();
            if (name.ends_with(".csv") && name != "expected.csv") || name == "manifest.toml" {
                std::fs::copy(&path, dir.path().join(&name)).expect("copy");
            }
        }
    }
    dir
}

fn audit(out: &Path) {
    let data = snapshot_dir();
    let status = Command::new(env!("CARGO_BIN_EXE_accessaudit"))
        .env("ACCESSAUDIT_PSEUDONYM_KEY", "snapshot-key-of-16-bytes")
        .arg("audit")
        .arg("--data")
        .arg(data.path())
        .arg("--out")
        .arg(out)
        .args(["--format", "csv,json", "-q"])
        .stdout(std::process::Stdio::null())
        .status()
        .expect("run accessaudit");
    assert_eq!(status.code(), Some(0));
}

#[test]
fn findings_csv_and_jsonl_of_a_leaver_fixture() {
    let out = tempfile::tempdir().expect("tmp");
    audit(out.path());
    let csv = std::fs::read_to_string(out.path().join("findings.csv")).unwrap();
    insta::assert_snapshot!("findings_csv", csv);
    let jsonl = std::fs::read_to_string(out.path().join("findings.jsonl")).unwrap();
    insta::assert_snapshot!("findings_jsonl", jsonl);
}
