//! Returned CSV worksheets read back: either separator, with or without a
//! BOM, quoted cells holding the separator, quotes and line breaks, the
//! writer's defusing undone, and the row numbers a spreadsheet or an editor
//! shows; and the files that are not worksheets, refused naming the file.

// Tests stop at the first broken expectation; that is what expect is for here.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::path::{Path, PathBuf};

use accessaudit_review::import::read::{read_worksheet_file, ReadError};
use accessaudit_review::import::sheet::RawSheet;
use accessaudit_review::layout::SheetKind;

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).expect("write");
    path
}

fn rows(sheet: &RawSheet) -> Vec<(u32, Vec<&str>)> {
    sheet
        .rows
        .iter()
        .map(|r| (r.number, r.cells.iter().map(String::as_str).collect()))
        .collect()
}

/// One worksheet's text with `d` between the cells.
fn text(d: char) -> String {
    [
        "review_id|item_id|person_name|role_name|decision|comment|decided_on",
        "rv-1|r-1|Jüri Õunapuu|'=SUM(A1)|keep||2026-10-05",
        "rv-1|r-2|\"Õunapuu| Jüri\"|'-x|eemalda|\"two",
        "lines, \"\"quoted\"\"\"|'@05.10.2026",
        "||||||",
        "rv-1|r-3|Öö|'quote'|muuda|\"\"|",
        "",
    ]
    .join("\r\n")
    .replace('|', d.encode_utf8(&mut [0; 4]))
}

#[test]
fn csv_with_either_separator_and_with_or_without_a_bom_reads_the_same() {
    let dir = tempfile::tempdir().expect("tmp");
    for d in [',', ';', '\t'] {
        for bom in [true, false] {
            let mut bytes = if bom {
                b"\xEF\xBB\xBF".to_vec()
            } else {
                Vec::new()
            };
            bytes.extend(text(d).as_bytes());
            let path = write(dir.path(), &format!("u{}{bom}.CSV", d as u32), &bytes);
            let sheets = read_worksheet_file(&path).expect("reads");
            assert_eq!(sheets.len(), 1);
            let s = &sheets[0];
            assert_eq!((s.kind, s.sheet.as_deref()), (SheetKind::Rights, None));
            assert_eq!(s.header_row, 1);
            assert!(s.header.is_empty());
            assert_eq!(s.columns[0], "review_id", "separator {d:?}, BOM {bom}");
            assert_eq!(s.columns.len(), 7);
            assert_eq!(
                rows(s),
                vec![
                    (
                        2,
                        vec![
                            "rv-1",
                            "r-1",
                            "Jüri Õunapuu",
                            "=SUM(A1)",
                            "keep",
                            "",
                            "2026-10-05"
                        ]
                    ),
                    (
                        3,
                        vec![
                            "rv-1",
                            "r-2",
                            &format!("Õunapuu{d} Jüri"),
                            "-x",
                            "eemalda",
                            "two\r\nlines, \"quoted\"",
                            "@05.10.2026"
                        ]
                    ),
                    (6, vec!["rv-1", "r-3", "Öö", "'quote'", "muuda", "", ""]),
                ]
            );
            assert_eq!(s.column(&accessaudit_review::layout::DECISION), Some(4));
        }
    }
}

#[test]
fn estonian_headers_and_a_header_below_other_lines_are_found() {
    let dir = tempfile::tempdir().expect("tmp");
    let path = write(
        dir.path(),
        "et.csv",
        "Juurdepääsuõiguste ülevaatus;;\nÜlevaatuse id;rv-9;\n;;\nkirje_id;otsus;kommentaar\nr-1;säilita\n"
            .as_bytes(),
    );
    let s = &read_worksheet_file(&path).expect("reads")[0];
    assert_eq!(s.header_row, 4);
    assert_eq!(s.columns, vec!["kirje_id", "otsus", "kommentaar"]);
    assert_eq!(rows(s), vec![(5, vec!["r-1", "säilita", ""])]);
    assert_eq!(
        s.header
            .get(&accessaudit_review::layout::HeaderField::ReviewId),
        Some(&(2, "rv-9".to_string()))
    );
}

#[test]
fn files_that_are_not_worksheets_are_refused_naming_the_file() {
    let dir = tempfile::tempdir().expect("tmp");
    let no_header = write(dir.path(), "no header.csv", b"id,decision\nr-1,keep\n");
    let err = read_worksheet_file(&no_header).expect_err("no item_id");
    assert!(
        matches!(err, ReadError::NoHeaderRow { sheet: None, .. }),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        format!(
            "{}: no header row with an item_id (kirje_id) column",
            no_header.display()
        )
    );

    let quotes = write(
        dir.path(),
        "quotes.csv",
        b"item_id,comment\nr-1,\"open\nr-2,x\n",
    );
    let err = read_worksheet_file(&quotes).expect_err("unclosed quote");
    assert!(
        matches!(err, ReadError::BadQuoting { line: 2, .. }),
        "{err:?}"
    );
    assert!(err
        .to_string()
        .starts_with(&format!("{}, line 2: ", quotes.display())));

    let latin = write(
        dir.path(),
        "latin.csv",
        b"item_id,person_name\nr-1,J\xfcri\n",
    );
    let err = read_worksheet_file(&latin).expect_err("not UTF-8");
    assert!(matches!(err, ReadError::NotUtf8 { line: 2, .. }), "{err:?}");

    let not_zip = write(dir.path(), "sheet.xlsx", b"item_id,decision\n");
    let err = read_worksheet_file(&not_zip).expect_err("not a workbook");
    assert!(matches!(err, ReadError::NotWorkbook { .. }), "{err:?}");
    assert!(err.to_string().contains("sheet.xlsx"), "{err}");

    let other = write(dir.path(), "sheet.ods", b"");
    let err = read_worksheet_file(&other).expect_err("unknown extension");
    assert!(matches!(err, ReadError::UnknownExtension { .. }), "{err:?}");
    assert!(err.to_string().contains("sheet.ods"), "{err}");

    let missing = dir.path().join("missing.csv");
    let err = read_worksheet_file(&missing).expect_err("missing");
    assert!(matches!(err, ReadError::Unreadable { .. }), "{err:?}");
    assert!(err.to_string().contains("missing.csv"), "{err}");
}
