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
}
