//! The review comes back: worksheets filled by a manager are imported into
//! the decision ledger, or refused with file, sheet, row and column while
//! the ledger's bytes stay as they were; `review verify` finds an edited
//! ledger line.

// Tests stop at the first broken expectation; that is what expect is for here.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

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

/// The demo audited with a history: (history, output folder).
fn audited(tmp: &Path) -> (PathBuf, PathBuf) {
    let (history, out) = (tmp.join("history"), tmp.join("out"));
    let done = run(&[
        "audit",
        "--data",
        "fixtures/demo",
        "--out",
        out.to_str().unwrap(),
        "--history",
        history.to_str().unwrap(),
        "--format",
        "csv",
    ]);
    assert_eq!(done.status.code(), Some(0), "{done:?}");
    (history, out)
}

/// Splits one CSV line of the worksheet (`,`, quotes honoured).
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

fn join(cells: &[String]) -> String {
    cells
        .iter()
        .map(|c| {
            if c.contains([',', '"']) {
                format!("\"{}\"", c.replace('"', "\"\""))
            } else {
                c.clone()
            }
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// The Pensionite osakond worksheet with every right decided by `decide`
/// (header, row cells → cells), written to `dir/name`.
fn filled(
    out: &Path,
    dir: &Path,
    name: &str,
    decide: impl Fn(&[String], &mut Vec<String>),
) -> PathBuf {
    let text = std::fs::read_to_string(out.join("review/Pensionite-osakond.csv")).unwrap();
    let mut lines = text.trim_start_matches('\u{feff}').lines();
    let header = split(lines.next().unwrap());
    let at = |k: &str| header.iter().position(|h| h == k).unwrap();
    let mut written = vec![join(&header)];
    for line in lines {
        let mut cells = split(line);
        if cells[at("item_id")].starts_with("r-") {
            cells[at("decision")] = "keep".into();
            cells[at("comment")] = "Needed for the post's duties".into();
            cells[at("decided_on")] = "2026-10-05".into();
        }
        decide(&header, &mut cells);
        written.push(join(&cells));
    }
    let path = dir.join(name);
    std::fs::write(&path, format!("\u{feff}{}\n", written.join("\n"))).unwrap();
    path
}

fn ledger(history: &Path) -> Vec<u8> {
    std::fs::read(history.join("ledger.jsonl")).unwrap_or_default()
}

fn import(history: &Path, files: &[&Path]) -> Output {
    let mut args = vec!["review", "import", "--history", history.to_str().unwrap()];
    args.extend(files.iter().map(|f| f.to_str().unwrap()));
    run(&args)
}

/// Sets column `key` of the first right row whose `account_id` is `account`.
fn set(header: &[String], cells: &mut [String], account: &str, key: &str, value: &str) {
    let at = |k: &str| header.iter().position(|h| h == k).unwrap();
    if cells[at("account_id")] == account {
        cells[at(key)] = value.into();
    }
}

#[test]
fn a_clean_worksheet_is_imported_once_and_the_chain_holds() {
    let tmp = tempfile::tempdir().unwrap();
    let (history, out) = audited(tmp.path());
    let sheet = filled(&out, tmp.path(), "returned.csv", |_, _| {});
    let first = import(&history, &[&sheet]);
    assert_eq!(first.status.code(), Some(0), "{first:?}");
    let said = String::from_utf8_lossy(&first.stdout);
    assert!(
        said.contains("decision(s) of unit \"Pensionite osakond\""),
        "{said}"
    );
    let after = ledger(&history);
    assert!(!after.is_empty());
    // The same file again adds nothing.
    let again = import(&history, &[&sheet]);
    assert_eq!(again.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&again.stdout).contains("already imported"));
    assert_eq!(ledger(&history), after);
    let verified = run(&["review", "verify", "--history", history.to_str().unwrap()]);
    assert_eq!(verified.status.code(), Some(0), "{verified:?}");
    assert!(String::from_utf8_lossy(&verified.stdout).contains("the chain holds"));
}

#[test]
fn a_worksheet_with_a_problem_is_refused_with_its_place_and_changes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let (history, out) = audited(tmp.path());
    // Something in the ledger already, so "unchanged" means something.
    let clean = filled(&out, tmp.path(), "clean.csv", |h, c| {
        set(h, c, "amagi", "comment", "First answer")
    });
    assert_eq!(import(&history, &[&clean]).status.code(), Some(0));
    let before = ledger(&history);
    let cases: [(&str, &str, &str, &str, &str); 4] = [
        (
            "edited-key.csv",
            "account_id",
            "someone-else",
            "column H (account_id)",
            "key column account_id was changed",
        ),
        (
            "unknown-word.csv",
            "decision",
            "delete",
            "column R (decision)",
            "not a decision of this sheet",
        ),
        (
            "change-without-comment.csv",
            "comment",
            "",
            "column S (comment)",
            "a change needs a comment",
        ),
        (
            "undated.csv",
            "decided_on",
            "",
            "column T (decided_on)",
            "needs its date",
        ),
    ];
    for (name, column, value, place, why) in cases {
        let sheet = filled(&out, tmp.path(), name, |h, c| {
            if column == "comment" {
                set(h, c, "amagi", "decision", "change");
            }
            set(h, c, "amagi", column, value);
        });
        let refused = import(&history, &[&clean, &sheet]);
        assert_eq!(refused.status.code(), Some(2), "{name}: {refused:?}");
        let err = String::from_utf8_lossy(&refused.stderr);
        assert!(
            err.contains(name) && err.contains(place) && err.contains(why),
            "{name}: {err}"
        );
        assert!(err.contains(", row "), "{name}: {err}");
        assert_eq!(ledger(&history), before, "{name}: the ledger changed");
    }
}

#[test]
fn review_verify_names_a_hand_edited_ledger_line() {
    let tmp = tempfile::tempdir().unwrap();
    let (history, out) = audited(tmp.path());
    let sheet = filled(&out, tmp.path(), "returned.csv", |_, _| {});
    assert_eq!(import(&history, &[&sheet]).status.code(), Some(0));
    let path = history.join("ledger.jsonl");
    let text = std::fs::read_to_string(&path).unwrap();
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    assert!(lines.len() > 4);
    lines[2] = lines[2].replace("\"keep\"", "\"revoke\"");
    std::fs::write(&path, format!("{}\n", lines.join("\n"))).unwrap();
    let verified = run(&["review", "verify", "--history", history.to_str().unwrap()]);
    assert_eq!(verified.status.code(), Some(1), "{verified:?}");
    let said = String::from_utf8_lossy(&verified.stdout);
    assert!(
        said.contains("line 3") && said.contains("changed"),
        "{said}"
    );
    // Nothing more goes into a broken ledger.
    let other = filled(&out, tmp.path(), "other.csv", |h, c| {
        set(h, c, "amagi", "comment", "Second answer")
    });
    let refused = import(&history, &[&other]);
    assert_eq!(refused.status.code(), Some(2), "{refused:?}");
    assert!(String::from_utf8_lossy(&refused.stderr).contains("line 3"));
}

#[test]
fn without_a_history_the_rev_rules_are_not_evaluable_with_the_reason() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let done = run(&[
        "audit",
        "--data",
        "fixtures/demo",
        "--out",
        out.to_str().unwrap(),
        "--format",
        "csv",
    ]);
    assert_eq!(done.status.code(), Some(0));
    let said = String::from_utf8_lossy(&done.stdout);
    assert!(
        said.contains("REV-01") && said.contains("--history"),
        "{said}"
    );
    // A first audit with a history has no earlier review to check either.
    let first = tmp.path().join("first");
    let history = tmp.path().join("history");
    let done = run(&[
        "audit",
        "--data",
        "fixtures/demo",
        "--out",
        first.to_str().unwrap(),
        "--history",
        history.to_str().unwrap(),
        "--format",
        "csv",
    ]);
    assert_eq!(done.status.code(), Some(0));
    let said = String::from_utf8_lossy(&done.stdout);
    assert!(
        said.contains("no earlier review yet: PD-13, REV-01, REV-02"),
        "{said}"
    );
}

/// The CSV worksheet's rows laid out as the XLSX worksheet is, in Estonian
/// (header block, headers on row 8), decided with Estonian words and date
/// cells, as a manager's spreadsheet saves it.
fn filled_xlsx(out: &Path, path: &Path, bad_row: Option<usize>) {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let text = std::fs::read_to_string(out.join("review/Pensionite-osakond.csv")).unwrap();
    let mut lines = text.trim_start_matches('\u{feff}').lines();
    let header = split(lines.next().unwrap());
    let rows: Vec<Vec<String>> = lines.map(split).collect();
    let at = |k: &str| header.iter().position(|h| h == k).unwrap();
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("Õigused").unwrap();
    sheet.write(0, 0, "Juurdepääsuõiguste ülevaatus").unwrap();
    for (r, (label, value)) in [
        ("Üksus", "Pensionite osakond"),
        ("Juht", "Kairi Kask (47001010000)"),
        ("Seisuga", "2026-09-30"),
        ("Tagastada hiljemalt", "2026-10-14"),
        ("Ülevaatuse id", rows[0][at("review_id")].as_str()),
    ]
    .into_iter()
    .enumerate()
    {
        sheet.write(1 + r as u32, 0, label).unwrap();
        sheet.write(1 + r as u32, 1, value).unwrap();
    }
    // The Estonian headers, without the CSV's review_id column.
    let et = [
        ("item_id", "kirje_id"),
        ("unit", "üksus"),
        ("person_id", "isikukood"),
        ("system", "süsteem"),
        ("account_id", "konto"),
        ("role", "roll"),
        ("decision", "otsus"),
        ("comment", "kommentaar"),
        ("decided_on", "otsuse_kuupäev"),
    ];
    for (c, (_, label)) in et.iter().enumerate() {
        sheet.write(7, c as u16, *label).unwrap();
    }
    let date = Format::new().set_num_format("yyyy-mm-dd");
    // Reversed: a re-sorted sheet still imports.
    for (i, row) in rows.iter().rev().enumerate() {
        let r = 8 + i as u32;
        for (c, (key, _)) in et.iter().enumerate() {
            let c = c as u16;
            match *key {
                "decision" | "comment" | "decided_on" if !row[at("item_id")].starts_with("r-") => {}
                "decision" if bad_row == Some(i) => {
                    sheet.write(r, c, "kustuta").map(|_| ()).unwrap()
                }
                "decision" => sheet.write(r, c, "säilita").map(|_| ()).unwrap(),
                "comment" => sheet
                    .write(r, c, "Vajalik ametiülesanneteks")
                    .map(|_| ())
                    .unwrap(),
                "decided_on" => {
                    let day = ExcelDateTime::from_ymd(2026, 10, 6).unwrap();
                    sheet
                        .write_with_format(r, c, &day, &date)
                        .map(|_| ())
                        .unwrap()
                }
                _ => sheet
                    .write(r, c, row[at(key)].as_str())
                    .map(|_| ())
                    .unwrap(),
            }
        }
    }
    book.save(path).unwrap();
}

#[test]
fn an_estonian_xlsx_worksheet_reordered_and_with_date_cells_imports() {
    let tmp = tempfile::tempdir().unwrap();
    let (history, out) = audited(tmp.path());
    let bad = tmp.path().join("tagastatud-vigane.xlsx");
    filled_xlsx(&out, &bad, Some(2));
    let refused = import(&history, &[&bad]);
    assert_eq!(refused.status.code(), Some(2), "{refused:?}");
    let err = String::from_utf8_lossy(&refused.stderr);
    assert!(
        err.contains("sheet \"Õigused\", row 11, column G (otsus): \"kustuta\""),
        "{err}"
    );
    assert!(ledger(&history).is_empty());
    let good = tmp.path().join("tagastatud.xlsx");
    filled_xlsx(&out, &good, None);
    let imported = import(&history, &[&good]);
    assert_eq!(imported.status.code(), Some(0), "{imported:?}");
    let text = String::from_utf8(ledger(&history)).unwrap();
    assert!(
        text.contains("\"decision\":\"keep\"") && text.contains("\"decided_on\":\"2026-10-06\""),
        "{text}"
    );
    assert!(text.contains("\"file\":\"tagastatud.xlsx\""));
}

/// The DPO's sheet as the DPO returns it: the header block with their name,
/// the Cases headers on row 8, and a disposition per case by `dispose`.
fn filled_dpo_sheet(
    out: &Path,
    path: &Path,
    dpo: &str,
    dispose: impl Fn(usize) -> (&'static str, &'static str),
) {
    use rust_xlsxwriter::Workbook;
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap();
    let cases = summary["dpo_cases"].as_array().unwrap();
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("Cases").unwrap();
    for (r, (label, value)) in [
        ("Unit", "DPO"),
        ("Manager", dpo),
        ("As of", "2026-09-30"),
        ("Return by", "2026-10-14"),
        ("Review id", "2026-Q3_2026-09-30"),
    ]
    .into_iter()
    .enumerate()
    {
        sheet.write(1 + r as u32, 0, label).unwrap();
        sheet.write(1 + r as u32, 1, value).unwrap();
    }
    for (c, h) in [
        "item_id",
        "person_id",
        "disposition",
        "comment",
        "decided_on",
    ]
    .iter()
    .enumerate()
    {
        sheet.write(7, c as u16, *h).unwrap();
    }
    for (i, case) in cases.iter().enumerate() {
        let r = 8 + i as u32;
        let (word, comment) = dispose(i);
        sheet
            .write(r, 0, case["case_id"].as_str().unwrap())
            .unwrap();
        sheet
            .write(r, 1, case["person_id"].as_str().unwrap_or_default())
            .unwrap();
        sheet.write(r, 2, word).unwrap();
        sheet.write(r, 3, comment).unwrap();
        sheet.write(r, 4, "2026-10-08").unwrap();
    }
    book.save(path).unwrap();
}

#[test]
fn a_case_the_dpo_justifies_stays_explained_when_the_quarter_is_audited_again() {
    let tmp = tempfile::tempdir().unwrap();
    let (history, out) = audited(tmp.path());
    // A justified case needs a comment; nothing is imported without one.
    let bare = tmp.path().join("dpo-bare.xlsx");
    filled_dpo_sheet(&out, &bare, "Dora Kaitse", |i| {
        if i == 0 {
            ("justified", "")
        } else {
            ("violation", "")
        }
    });
    let refused = import(&history, &[&bare]);
    assert_eq!(refused.status.code(), Some(2), "{refused:?}");
    assert!(String::from_utf8_lossy(&refused.stderr).contains("a justified case needs a comment"));
    assert!(ledger(&history).is_empty());
    let sheet = tmp.path().join("dpo-cases.xlsx");
    filled_dpo_sheet(&out, &sheet, "Dora Kaitse", |i| {
        if i == 0 {
            ("justified", "Her own case file: lawful")
        } else {
            ("needs-information", "")
        }
    });
    let imported = import(&history, &[&sheet]);
    assert_eq!(imported.status.code(), Some(0), "{imported:?}");
    // The same quarter audited again: the justified case's findings are
    // explained, with who, when and why; the others are not.
    let again = tmp.path().join("again");
    let done = run(&[
        "audit",
        "--data",
        "fixtures/demo",
        "--out",
        again.to_str().unwrap(),
        "--history",
        history.to_str().unwrap(),
        "--format",
        "json,html",
    ]);
    assert_eq!(done.status.code(), Some(0), "{done:?}");
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(again.join("summary.json")).unwrap()).unwrap();
    let case = &summary["dpo_cases"][0];
    let ids: Vec<&str> = case["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap())
        .collect();
    let explained = summary["explained"].as_array().unwrap();
    assert_eq!(explained.len(), ids.len(), "{explained:?}");
    for e in explained {
        assert!(ids.contains(&e["finding_id"].as_str().unwrap()));
        assert_eq!(e["justified_by"], "Dora Kaitse");
        assert_eq!(e["decided_on"], "2026-10-08");
        assert_eq!(e["comment"], "Her own case file: lawful");
    }
    assert_eq!(summary["findings_by_status"]["explained"], ids.len());
    let findings = std::fs::read_to_string(again.join("findings.jsonl")).unwrap();
    for line in findings.lines() {
        let f: serde_json::Value = serde_json::from_str(line).unwrap();
        let id = f["finding_id"].as_str().unwrap();
        assert_eq!(f["status"] == "explained", ids.contains(&id), "{f}");
    }
    let html = std::fs::read_to_string(again.join("report.html")).unwrap();
    assert!(html.contains("id=\"explained\"") && html.contains("Dora Kaitse"));
}

/// The stage names of an output folder's `summary.json`.
fn stages(out: &Path) -> Vec<String> {
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap();
    summary["stages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["stage"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn reading_the_history_is_metered_as_its_own_stage_only_with_a_history() {
    let tmp = tempfile::tempdir().unwrap();
    let (_, out) = audited(tmp.path());
    assert_eq!(stages(&out)[..2], ["load", "history"]);
    let plain = tmp.path().join("plain");
    let done = run(&[
        "audit",
        "--data",
        "fixtures/demo",
        "--out",
        plain.to_str().unwrap(),
        "--format",
        "csv",
    ]);
    assert_eq!(done.status.code(), Some(0), "{done:?}");
    let plain = stages(&plain);
    assert_eq!(plain[0], "load");
    assert!(!plain.iter().any(|s| s == "history"), "{plain:?}");
}
