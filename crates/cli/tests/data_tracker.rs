//! `accessaudit subject-report --format aj` as a user runs it on the demo:
//! the Andmejälgija (Data Tracker) answer for one person, checked against
//! the specification's schemas (crates/report/tests/aj/schema.json).

// Tests stop at the first broken expectation; that is what expect is for here.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::{json, Value};

/// A demo subject with looks a case explains (a Rae social worker's) and
/// looks none does (a Tartu social worker's), all in STAR.
const SUBJECT: &str = "34706021988";

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

/// A validator of the specification's schema `name`, formats checked.
fn validator(name: &str) -> jsonschema::Validator {
    let path = repo().join("crates/report/tests/aj/schema.json");
    let text = std::fs::read_to_string(&path).expect("schema.json");
    let mut schema: Value = serde_json::from_str(&text).expect("schema JSON");
    schema["$ref"] = json!(format!("#/components/schemas/{name}"));
    jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("the schema compiles")
}

#[test]
fn the_demo_subjects_answer_validates_and_says_who_looked_and_why() {
    let result = run(&[
        "subject-report",
        "--data",
        "fixtures/demo",
        "--subject",
        SUBJECT,
        "--format",
        "aj",
    ]);
    assert_eq!(result.status.code(), Some(0), "{}", text(&result.stderr));
    let stdout = text(&result.stdout);
    // Only the JSON on stdout, so that it can be redirected to a file.
    let doc: Value = serde_json::from_str(&stdout).expect("stdout is JSON");
    let errors: Vec<String> = validator("FindUsageResponse")
        .iter_errors(&doc)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:?}\n{stdout}");

    let records = doc["internalProcessings"].as_array().expect("records");
    assert_eq!(records.len(), 7, "{stdout}");
    assert_eq!(doc["totalUsages"], 7);
    let processing = validator("UsageProcessing");
    assert!(records.iter().all(|r| processing.is_valid(r)));
    let times: Vec<&str> = records
        .iter()
        .map(|r| r["logTime"].as_str().unwrap())
        .collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]), "{times:?}");

    // 2026-09-17T11:32:21.467+03:00 in the log: UTC, the fraction kept.
    let explained = &records[2];
    assert_eq!(explained["logTime"], "2026-09-17T08:32:21.467Z");
    assert_eq!(
        explained["purpose"],
        "case STAR-RAE-2026-00037 (Rae Vallavalitsuse sotsiaalosakond)"
    );
    assert_eq!(explained["queryGroupId"], "STAR-RAE-2026-00037");
    assert_eq!(explained["queryId"], "STAR-7715341");
    assert_eq!(
        explained["initiatorOrg"],
        json!({"type": "GOV", "name": "Rae vald", "systemName": "STAR"})
    );
    assert_eq!(
        explained["initiatorPerson"],
        json!({"alternativeCode": "rae.lsoo"})
    );
    assert_eq!(
        explained["source"],
        json!({"type": "GOV", "name": "Sotsiaalkindlustusamet", "systemName": "STAR"})
    );
    // The look that names no case is explained by the case its unit handles.
    assert_eq!(records[1]["queryGroupId"], "STAR-RAE-2026-00037");

    let unexplained: Vec<&Value> = records
        .iter()
        .filter(|r| r["purpose"] == "unexplained")
        .collect();
    assert_eq!(unexplained.len(), 2, "{stdout}");
    for r in unexplained {
        assert!(r.get("queryGroupId").is_none(), "{r}");
        assert_eq!(r["initiatorOrg"]["name"], "Tartu linn");
        assert_eq!(r["initiatorPerson"]["alternativeCode"], "trt.slaur");
    }

    // Neither the officials' personal codes (Lembit Soo, Signe Laur) nor
    // their names are in the answer.
    for hidden in ["36906065088", "47402144127", "Lembit Soo", "Signe Laur"] {
        assert!(!stdout.contains(hidden), "{hidden} in {stdout}");
    }
}

#[test]
fn with_out_the_answer_is_an_owner_only_file_beside_the_table() {
    let out = tempfile::tempdir().expect("tmp");
    let result = run(&[
        "subject-report",
        "--data",
        "fixtures/demo",
        "--subject",
        SUBJECT,
        "--format",
        "aj",
        "--out",
        out.path().to_str().unwrap(),
    ]);
    assert_eq!(result.status.code(), Some(0), "{}", text(&result.stderr));
    // The terminal gets the table, as with CSV.
    let stdout = text(&result.stdout);
    assert!(
        stdout.contains("Accesses to the data of S-5bbb919f39ecb0ae: 7 (2 unexplained)"),
        "{stdout}"
    );
    let names: Vec<String> = std::fs::read_dir(out.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    assert_eq!(names, ["subject-S-5bbb919f39ecb0ae-aj.json"]);
    let path = out.path().join(&names[0]);
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert!(validator("FindUsageResponse").is_valid(&doc));
    assert_eq!(doc["returnedUsages"], 7);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "{mode:o}");
    }

    // The default is still the CSV, into the same folder.
    let result = run(&[
        "subject-report",
        "--data",
        "fixtures/demo",
        "--subject",
        SUBJECT,
        "--out",
        out.path().to_str().unwrap(),
    ]);
    assert_eq!(result.status.code(), Some(0), "{}", text(&result.stderr));
    let csv = std::fs::read_to_string(out.path().join("subject-S-5bbb919f39ecb0ae.csv")).unwrap();
    assert!(
        csv.starts_with(
            "\u{feff}subject,when,system,account_id,person_id,person_name,unit,action,case,evidence\n"
        ),
        "{csv}"
    );
    assert_eq!(csv.lines().count(), 8, "{csv}");
}

#[test]
fn an_answer_needs_the_agencys_name() {
    let data = tempfile::tempdir().expect("tmp");
    for entry in std::fs::read_dir(repo().join("fixtures/demo")).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, data.path().join(path.file_name().unwrap())).unwrap();
    }
    std::fs::write(
        data.path().join("manifest.toml"),
        "as_of = \"2026-09-30T23:59:59+03:00\"\nperiod = \"2026-Q3\"\n",
    )
    .unwrap();
    let result = run(&[
        "subject-report",
        "--data",
        data.path().to_str().unwrap(),
        "--subject",
        SUBJECT,
        "--format",
        "aj",
    ]);
    assert_eq!(result.status.code(), Some(2));
    let stderr = text(&result.stderr);
    assert!(
        stderr.contains("--format aj needs the agency's name") && stderr.contains("organisation"),
        "{stderr}"
    );
    assert!(result.stdout.is_empty());
}
