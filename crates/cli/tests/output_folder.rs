//! The `audit` output folder as a user meets it: replaced as a whole, locked
//! while written, never a folder accessaudit did not write, owner-only, and
//! worksheets with distinct, short file names and the separator the reader's
//! spreadsheet expects.

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
        .env("ACCESSAUDIT_PSEUDONYM_KEY", "test-key-0123456789abcdef")
        .env("ACCESSAUDIT_NO_PROGRESS", "1")
        .args(args)
        .current_dir(repo())
        .output()
        .expect("run accessaudit");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "panic: {stderr}");
    out
}

fn audit(data: &Path, out: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "audit",
        "--data",
        data.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "-q",
    ];
    args.extend_from_slice(extra);
    run(&args)
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).to_string()
}

fn demo() -> PathBuf {
    repo().join("fixtures/demo")
}

/// A copy of the demo with Jaan Kask's unit renamed to `unit`.
fn demo_with_unit_of_jaan_kask(unit: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tmp");
    for entry in std::fs::read_dir(demo()).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, dir.path().join(path.file_name().unwrap())).unwrap();
    }
    let employees = dir.path().join("employees.csv");
    let before = std::fs::read_to_string(&employees).unwrap();
    let after = before.replace(
        "36811235142,Jaan Kask,Pensionite osakond,",
        &format!("36811235142,Jaan Kask,{unit},"),
    );
    assert_ne!(before, after, "Jaan Kask's row");
    std::fs::write(&employees, after).unwrap();
    dir
}

/// The CSV worksheet file names in `out/review` (each has its XLSX twin).
fn worksheets(out: &Path) -> BTreeSet<String> {
    let names: BTreeSet<String> = std::fs::read_dir(out.join("review"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        // The DPO's cases have a workbook of their own.
        .filter(|n| n != "dpo-cases.xlsx")
        .collect();
    let csv: BTreeSet<String> = names
        .iter()
        .filter(|n| n.ends_with(".csv"))
        .cloned()
        .collect();
    for name in &csv {
        let twin = format!("{}.xlsx", name.trim_end_matches(".csv"));
        assert!(names.contains(&twin), "{twin} beside {name}");
    }
    assert_eq!(names.len(), 2 * csv.len(), "{names:?}");
    csv
}

/// The first line of a file, without the BOM.
fn header(path: &Path) -> String {
    let bytes = std::fs::read(path).unwrap();
    assert!(
        bytes.starts_with(b"\xEF\xBB\xBF"),
        "{}: BOM",
        path.display()
    );
    text(&bytes[3..]).lines().next().unwrap().to_string()
}

#[test]
fn a_second_run_replaces_the_worksheets_of_a_unit_that_no_longer_exists() {
    let work = tempfile::tempdir().expect("tmp");
    let out = work.path().join("q3");
    let first = audit(&demo(), &out, &[]);
    assert_eq!(first.status.code(), Some(0), "{}", text(&first.stderr));
    assert_eq!(worksheets(&out).len(), 6);
    let second = audit(&repo().join("fixtures/base"), &out, &[]);
    assert_eq!(second.status.code(), Some(0), "{}", text(&second.stderr));
    assert_eq!(
        worksheets(&out),
        BTreeSet::from(["Pensionite-osakond.csv".to_string()])
    );
    let sheet = std::fs::read_to_string(out.join("review/Pensionite-osakond.csv")).unwrap();
    assert!(sheet.contains("Mari Kask"), "the second run's worksheet");
    // Nothing of the swap is left beside the folder.
    let beside: Vec<_> = std::fs::read_dir(work.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    assert_eq!(beside, ["q3"]);
}

#[test]
fn a_run_killed_mid_swap_is_put_right_before_the_next_run_does_anything() {
    let work = tempfile::tempdir().expect("tmp");
    let out = work.path().join("q3");
    let first = audit(&demo(), &out, &[]);
    assert_eq!(first.status.code(), Some(0), "{}", text(&first.stderr));
    let before = std::fs::read(out.join("findings.csv")).unwrap();
    // Killed after renaming the old folder aside, with the new one unfinished.
    std::fs::rename(&out, work.path().join(".q3.accessaudit-old")).unwrap();
    let new = work.path().join(".q3.accessaudit-new");
    std::fs::create_dir_all(new.join("review")).unwrap();
    std::fs::write(new.join("findings.csv"), b"half").unwrap();
    // The next run fails on its snapshot, after taking the folder in hand.
    let next = audit(&repo().join("fixtures/rules"), &out, &[]);
    assert_eq!(next.status.code(), Some(2), "{}", text(&next.stderr));
    assert_eq!(std::fs::read(out.join("findings.csv")).unwrap(), before);
    assert_eq!(worksheets(&out).len(), 6);
    let beside: Vec<_> = std::fs::read_dir(work.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    assert_eq!(beside, ["q3"]);
}

#[test]
fn a_second_audit_into_a_folder_being_written_fails_at_once() {
    let work = tempfile::tempdir().expect("tmp");
    let out = work.path().join("q3");
    // Another run holds the folder's lock.
    let lock = std::fs::File::create(work.path().join(".q3.accessaudit-lock")).unwrap();
    lock.lock().unwrap();
    let second = audit(&demo(), &out, &[]);
    assert_eq!(second.status.code(), Some(2));
    let stderr = text(&second.stderr);
    assert!(
        stderr.contains(&out.display().to_string()) && stderr.contains("another accessaudit run"),
        "{stderr}"
    );
    assert!(!out.exists());
    drop(lock);
    let third = audit(&demo(), &out, &[]);
    assert_eq!(third.status.code(), Some(0), "{}", text(&third.stderr));
}

#[test]
fn a_folder_accessaudit_did_not_write_is_never_replaced() {
    let work = tempfile::tempdir().expect("tmp");
    let out = work.path().join("documents");
    std::fs::create_dir(&out).unwrap();
    std::fs::write(out.join("thesis.docx"), b"years of work").unwrap();
    let run = audit(&demo(), &out, &[]);
    assert_eq!(run.status.code(), Some(2));
    let stderr = text(&run.stderr);
    assert!(
        stderr.contains(&out.display().to_string()) && stderr.contains("did not write"),
        "{stderr}"
    );
    assert_eq!(
        std::fs::read(out.join("thesis.docx")).unwrap(),
        b"years of work"
    );
    assert_eq!(std::fs::read_dir(&out).unwrap().count(), 1);
}

#[cfg(unix)]
#[test]
fn an_existing_out_folder_becomes_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let work = tempfile::tempdir().expect("tmp");
    let out = work.path().join("q3");
    std::fs::create_dir(&out).unwrap();
    std::fs::set_permissions(&out, std::fs::Permissions::from_mode(0o755)).unwrap();
    let run = audit(&demo(), &out, &["--format", "csv"]);
    assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&out), 0o700);
    assert_eq!(mode(&out.join("review")), 0o700);
    assert_eq!(mode(&out.join("findings.csv")), 0o600);
}

#[test]
fn two_unit_names_that_give_one_file_name_get_a_worksheet_each() {
    let data = demo_with_unit_of_jaan_kask("Pensionite-osakond");
    let work = tempfile::tempdir().expect("tmp");
    let out = work.path().join("q3");
    let run = audit(data.path(), &out, &["--format", "csv"]);
    assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
    let sheets: Vec<String> = worksheets(&out)
        .into_iter()
        .filter(|n| n.starts_with("Pensionite-osakond"))
        .collect();
    assert_eq!(sheets.len(), 2, "{sheets:?}");
    let mut units = BTreeSet::new();
    for name in &sheets {
        assert!(name.starts_with("Pensionite-osakond_"), "{name}");
        let sheet = std::fs::read_to_string(out.join("review").join(name)).unwrap();
        let unit = sheet.lines().nth(1).unwrap().split(',').nth(2).unwrap();
        if unit == "Pensionite-osakond" {
            assert!(sheet.contains(",Jaan Kask,"), "{sheet}");
        } else {
            assert!(!sheet.contains(",Jaan Kask,"), "{sheet}");
        }
        units.insert(unit.to_string());
    }
    assert_eq!(
        units,
        BTreeSet::from([
            "Pensionite osakond".to_string(),
            "Pensionite-osakond".to_string()
        ])
    );
}

#[test]
fn a_unit_name_over_255_bytes_gets_a_short_worksheet_name() {
    let long = format!(
        "Pensionite osakond {}",
        "ühisteenuste ".repeat(25).trim_end()
    );
    assert!(long.len() > 255);
    let data = demo_with_unit_of_jaan_kask(&long);
    let work = tempfile::tempdir().expect("tmp");
    let out = work.path().join("q3");
    let run = audit(data.path(), &out, &["--format", "csv"]);
    assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
    let sheet = worksheets(&out)
        .into_iter()
        .find(|n| n.starts_with("Pensionite-osakond-ühisteenuste"))
        .expect("the long unit's worksheet");
    assert!(sheet.len() < 255, "{sheet}");
    let content = std::fs::read_to_string(out.join("review").join(&sheet)).unwrap();
    assert!(
        content.contains(&format!(",{long},36811235142,Jaan Kask,")),
        "the real name inside: {content}"
    );
}

#[test]
fn worksheets_under_lang_et_are_separated_by_semicolons() {
    let work = tempfile::tempdir().expect("tmp");
    let out = work.path().join("q3");
    let run = audit(&demo(), &out, &["--format", "csv", "--lang", "et"]);
    assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
    let sheet = header(&out.join("review/Pensionite-osakond.csv"));
    assert!(
        sheet.starts_with("review_id;item_id;unit;person_id;"),
        "{sheet}"
    );
    let findings = header(&out.join("findings.csv"));
    assert!(findings.starts_with("finding_id,rule_id,"), "{findings}");
    // English keeps commas.
    let en = work.path().join("en");
    let run = audit(&demo(), &en, &["--format", "csv"]);
    assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
    let sheet = header(&en.join("review/Pensionite-osakond.csv"));
    assert!(
        sheet.starts_with("review_id,item_id,unit,person_id,"),
        "{sheet}"
    );
}

#[test]
fn csv_delimiter_sets_the_separator_of_findings_and_worksheets() {
    let work = tempfile::tempdir().expect("tmp");
    let cases = [("tab", "\t", "et"), (";", ";", "en"), (",", ",", "et")];
    for (i, (word, sep, lang)) in cases.into_iter().enumerate() {
        let out = work.path().join(format!("out{i}"));
        let run = audit(
            &demo(),
            &out,
            &["--format", "csv", "--lang", lang, "--csv-delimiter", word],
        );
        assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
        let sheet = header(&out.join("review/Pensionite-osakond.csv"));
        assert!(
            sheet.starts_with(&format!(
                "review_id{sep}item_id{sep}unit{sep}person_id{sep}"
            )),
            "{word}: {sheet}"
        );
        let findings = header(&out.join("findings.csv"));
        assert!(
            findings.starts_with(&format!("finding_id{sep}rule_id{sep}")),
            "{word}: {findings}"
        );
    }
}

#[test]
fn an_unknown_csv_delimiter_is_refused() {
    let work = tempfile::tempdir().expect("tmp");
    let out = work.path().join("q3");
    let run = audit(&demo(), &out, &["--csv-delimiter", "|"]);
    assert_eq!(run.status.code(), Some(2));
    let stderr = text(&run.stderr);
    assert!(stderr.contains("--csv-delimiter \"|\""), "{stderr}");
    assert!(!out.exists());
}
