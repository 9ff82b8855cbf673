//! The XLSX worksheet read back: its values and header block with calamine
//! and through `review import`'s reader (with the row numbers a spreadsheet
//! shows), and from the sheet XML what calamine does not expose: the
//! drop-down, the sheet protection and which cells are left open.

// Tests stop at the first broken expectation; that is what expect is for here.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

mod sample;

use std::collections::BTreeSet;
use std::io::{Cursor, Read};

use accessaudit_report::xlsx::worksheet_xlsx;
use accessaudit_review::import::read::read_worksheet_file;
use accessaudit_review::layout::{self, HeaderField, SheetKind};
use calamine::{Data, Reader, Xlsx};

fn workbook(lang: &str) -> Vec<u8> {
    worksheet_xlsx(&sample::header(), &sample::worksheet(), lang).expect("workbook")
}

fn cell(range: &calamine::Range<Data>, row: u32, col: u32) -> String {
    match range.get_value((row, col)) {
        Some(Data::String(s)) => s.clone(),
        Some(Data::Empty) | None => String::new(),
        Some(other) => panic!("cell ({row}, {col}) is not text: {other:?}"),
    }
}

#[test]
fn calamine_reads_back_the_values_and_the_header_block_in_both_languages() {
    for (lang, rights, findings, yes) in [
        ("en", "Rights", "Findings", "yes"),
        ("et", "Õigused", "Leiud", "jah"),
    ] {
        let mut book = Xlsx::new(Cursor::new(workbook(lang))).expect("opens");
        assert_eq!(book.sheet_names(), vec![rights, findings]);
        let r = book.worksheet_range(rights).expect("rights");
        assert_eq!(cell(&r, 0, 0), layout::title(lang));
        let block: Vec<(String, String)> =
            (1..=5).map(|i| (cell(&r, i, 0), cell(&r, i, 1))).collect();
        let labels: Vec<String> = HeaderField::ALL
            .iter()
            .map(|f| f.label(lang).to_string())
            .collect();
        assert_eq!(
            block.iter().map(|b| b.0.clone()).collect::<Vec<_>>(),
            labels
        );
        assert_eq!(
            block.iter().map(|b| b.1.as_str()).collect::<Vec<_>>(),
            vec![
                "Pensionite osakond",
                "Jüri Õunapuu (38001010000)",
                "2026-09-30",
                "2026-10-14",
                "rv-2026-09-30-4f1c"
            ]
        );
        assert_eq!(cell(&r, 6, 0), "");
        let columns = SheetKind::Rights.columns();
        let headers: Vec<String> = (0..columns.len() as u32).map(|j| cell(&r, 7, j)).collect();
        let expected: Vec<&str> = columns.iter().map(|c| c.header(lang)).collect();
        assert_eq!(headers, expected);
        let at = |key: &str| columns.iter().position(|c| c.key == key).unwrap() as u32;
        assert_eq!(cell(&r, 8, at("item_id")), "r-00000000000000a1");
        assert_eq!(cell(&r, 8, at("person_name")), "Jüri Õunapuu");
        assert_eq!(cell(&r, 8, at("person_id")), "38001010000");
        assert_eq!(cell(&r, 8, at("unit")), "Pensionite osakond");
        assert_eq!(cell(&r, 8, at("new_since_last_review")), "");
        assert_eq!(cell(&r, 9, at("new_since_last_review")), yes);
        // Written as text: a spreadsheet shows it, it does not run it.
        assert_eq!(cell(&r, 10, at("role_name")), "=HYPERLINK(\"http://x\")");
        assert_eq!(
            cell(&r, 10, at("basis")),
            "request REQ-9, \"urgent\"\nsecond line"
        );
        assert_eq!(cell(&r, 10, at("person_name")), "Mari-Liis Šõškin");
        assert_eq!(cell(&r, 12, at("item_id")), "");
        assert_eq!(
            cell(&r, 12, at("findings")),
            "f-77 (resolved): SoD conflict ended"
        );
        assert_eq!(r.end(), Some((12, columns.len() as u32 - 1)));

        let f = book.worksheet_range(findings).expect("findings");
        assert_eq!(cell(&f, 5, 1), "rv-2026-09-30-4f1c");
        let columns = SheetKind::Findings.columns();
        assert_eq!(cell(&f, 7, 0), layout::ITEM_ID.header(lang));
        assert_eq!(
            cell(&f, 7, columns.len() as u32 - 1),
            layout::DECIDED_ON.header(lang)
        );
        assert_eq!(cell(&f, 8, 0), "f-1a2b3c");
        assert_eq!(
            cell(&f, 8, 9),
            "Mari-Liis Šõškin hoiab rolle, mis ei tohi koos olla"
        );
        assert_eq!(cell(&f, 9, 1), "ACC-02");
    }
}

#[test]
fn the_import_reader_gives_the_sheets_with_the_rows_a_spreadsheet_shows() {
    let dir = tempfile::tempdir().expect("tmp");
    for lang in ["en", "et"] {
        let path = dir.path().join(format!("Pensionite osakond.{lang}.xlsx"));
        std::fs::write(&path, workbook(lang)).expect("write");
        let sheets = read_worksheet_file(&path).expect("reads");
        assert_eq!(sheets.len(), 2);
        let (rights, findings) = (&sheets[0], &sheets[1]);
        assert_eq!(rights.kind, SheetKind::Rights);
        assert_eq!(rights.sheet.as_deref(), Some(SheetKind::Rights.name(lang)));
        assert_eq!(rights.file, path);
        let block: Vec<(HeaderField, u32, &str)> = rights
            .header
            .iter()
            .map(|(f, (row, v))| (*f, *row, v.as_str()))
            .collect();
        assert_eq!(
            block,
            vec![
                (HeaderField::Unit, 2, "Pensionite osakond"),
                (HeaderField::Manager, 3, "Jüri Õunapuu (38001010000)"),
                (HeaderField::AsOf, 4, "2026-09-30"),
                (HeaderField::ReturnBy, 5, "2026-10-14"),
                (HeaderField::ReviewId, 6, "rv-2026-09-30-4f1c"),
            ]
        );
        assert_eq!(rights.header_row, 8);
        let expected: Vec<&str> = SheetKind::Rights
            .columns()
            .iter()
            .map(|c| c.header(lang))
            .collect();
        assert_eq!(rights.columns, expected);
        let numbers: Vec<u32> = rights.rows.iter().map(|r| r.number).collect();
        assert_eq!(numbers, vec![9, 10, 11, 12, 13]);
        let name = rights.column(&layout::RIGHTS[3]).expect("person_name");
        assert_eq!(rights.rows[2].cells[name], "Mari-Liis Šõškin");
        assert!(rights.rows.iter().all(|r| r.cells.len() == expected.len()));
        let decision = rights.column(&layout::DECISION).expect("decision");
        assert!(rights.rows.iter().all(|r| r.cells[decision].is_empty()));

        assert_eq!(findings.kind, SheetKind::Findings);
        assert_eq!(findings.header_row, 8);
        assert_eq!(findings.header.len(), 5);
        let ids: Vec<(u32, &str)> = findings
            .rows
            .iter()
            .map(|r| (r.number, r.cells[0].as_str()))
            .collect();
        assert_eq!(ids, vec![(9, "f-1a2b3c"), (10, "f-4d5e6f")]);
    }
}

/// The files of the workbook's ZIP container, by name.
fn part(xlsx: &[u8], name: &str) -> String {
    let mut zip = zip::ZipArchive::new(Cursor::new(xlsx)).expect("zip");
    let mut text = String::new();
    zip.by_name(name)
        .expect(name)
        .read_to_string(&mut text)
        .expect("utf-8");
    text
}

/// The style index (`s`) of cell `at` in a sheet's XML; 0 when it has none;
/// `None` when the cell is not written.
fn style_of(sheet: &str, at: &str) -> Option<usize> {
    let start = sheet.find(&format!("<c r=\"{at}\""))?;
    let tag = &sheet[start..start + sheet[start..].find('>')?];
    Some(
        tag.split_once(" s=\"")
            .and_then(|(_, rest)| rest.split('"').next())
            .map_or(0, |s| s.parse().expect("style index")),
    )
}

/// The cell styles (`cellXfs`) that leave a cell unlocked, and those of them
/// that show a number as `yyyy-mm-dd`.
fn unlocked_styles(styles: &str) -> (BTreeSet<usize>, BTreeSet<usize>) {
    let xfs = styles
        .split("<cellXfs")
        .nth(1)
        .and_then(|s| s.split("</cellXfs>").next())
        .expect("cellXfs");
    let date_format = styles
        .split("<numFmt ")
        .skip(1)
        .find(|f| f.contains("formatCode=\"yyyy-mm-dd\""))
        .and_then(|f| f.split("numFmtId=\"").nth(1))
        .and_then(|f| f.split('"').next())
        .expect("the yyyy-mm-dd number format")
        .to_string();
    let mut open = BTreeSet::new();
    let mut dates = BTreeSet::new();
    for (i, xf) in xfs.split("<xf ").skip(1).enumerate() {
        if xf.contains("locked=\"0\"") {
            open.insert(i);
            if xf.contains(&format!("numFmtId=\"{date_format}\"")) {
                dates.insert(i);
            }
        }
    }
    (open, dates)
}

#[test]
fn the_sheet_xml_has_the_drop_down_the_protection_and_open_decision_cells() {
    for (lang, rights_words, findings_words) in [
        ("en", "keep,revoke,change", "keep,fix"),
        ("et", "säilita,eemalda,muuda", "säilita,paranda"),
    ] {
        let xlsx = workbook(lang);
        let (open, dates) = unlocked_styles(&part(&xlsx, "xl/styles.xml"));
        assert!(!open.is_empty() && !dates.is_empty(), "{lang}");
        let rights = part(&xlsx, "xl/worksheets/sheet1.xml");
        let findings = part(&xlsx, "xl/worksheets/sheet2.xml");
        for (sheet, words, range) in [
            (&rights, rights_words, "Q9:Q13"),
            (&findings, findings_words, "K9:K10"),
        ] {
            let validation = sheet
                .split("<dataValidation ")
                .nth(1)
                .and_then(|v| v.split("</dataValidation>").next())
                .expect("a data validation");
            assert!(validation.contains("type=\"list\""), "{validation}");
            assert!(
                validation.contains(&format!("sqref=\"{range}\"")),
                "{validation}"
            );
            assert!(
                validation.contains(&format!("<formula1>\"{words}\"</formula1>")),
                "{validation}"
            );
            let protection = sheet
                .split("<sheetProtection ")
                .nth(1)
                .and_then(|p| p.split("/>").next())
                .expect("sheet protection");
            // In the file format, "0" means the action is allowed.
            for allowed in ["sort=\"0\"", "autoFilter=\"0\"", "formatColumns=\"0\""] {
                assert!(protection.contains(allowed), "{protection}");
            }
            assert!(sheet.contains("state=\"frozen\""), "frozen panes");
            assert!(sheet.contains("topLeftCell=\"A9\""), "frozen below row 8");
        }
        assert!(
            rights.contains("<autoFilter ref=\"A8:S13\""),
            "rights filter"
        );
        assert!(
            findings.contains("<autoFilter ref=\"A8:M10\""),
            "findings filter"
        );
        // The row whose basis has a line break is two lines high.
        assert!(
            rights.contains("<row r=\"11\" spans=\"1:19\" ht=\"30\""),
            "row height"
        );
        // Rights: decision Q, comment R, decided_on S; rows 9 to 12 are
        // decided on, row 13 is information only.
        for row in 9..=12 {
            for col in ["Q", "R", "S"] {
                let s = style_of(&rights, &format!("{col}{row}")).expect("written");
                assert!(open.contains(&s), "{col}{row} is locked");
            }
            let s = style_of(&rights, &format!("S{row}")).expect("written");
            assert!(dates.contains(&s), "S{row} is not a date cell");
            for col in ["A", "C", "F", "H", "P"] {
                let s = style_of(&rights, &format!("{col}{row}")).unwrap_or(0);
                assert!(!open.contains(&s), "{col}{row} is open");
            }
        }
        for col in ["A", "Q", "R", "S"] {
            let s = style_of(&rights, &format!("{col}13")).unwrap_or(0);
            assert!(!open.contains(&s), "{col}13 is open");
        }
        for row in 9..=10 {
            for col in ["K", "L", "M"] {
                let s = style_of(&findings, &format!("{col}{row}")).expect("written");
                assert!(open.contains(&s), "Findings {col}{row} is locked");
            }
            let s = style_of(&findings, &format!("J{row}")).unwrap_or(0);
            assert!(!open.contains(&s), "Findings J{row} is open");
        }
    }
}

#[test]
fn a_date_the_manager_types_and_a_number_read_back_as_text() {
    use rust_xlsxwriter::{Format, Workbook};
    // What a spreadsheet saves once a manager has typed a date into
    // decided_on (a number with a date format) and a personal code as a
    // number; a sheet of their own is left alone.
    let lang = "en";
    let columns = SheetKind::Rights.columns();
    let mut book = Workbook::new();
    let notes = book.add_worksheet();
    notes.set_name("Notes").unwrap();
    notes.write_string(0, 0, "item_id").unwrap();
    let ws = book.add_worksheet();
    ws.set_name("rights").unwrap();
    ws.write_string(2, 0, "Review id:").unwrap();
    ws.write_string(2, 1, "rv-1").unwrap();
    for (j, c) in (0u16..).zip(&columns) {
        ws.write_string(4, j, c.header(lang)).unwrap();
    }
    let at = |key: &str| columns.iter().position(|c| c.key == key).unwrap() as u16;
    ws.write_string(6, 0, "r-1").unwrap();
    ws.write_number(6, at("person_id"), 38001010000.0).unwrap();
    ws.write_string(6, at("decision"), "Eemalda").unwrap();
    let date = Format::new().set_num_format("dd.mm.yyyy");
    ws.write_number_with_format(6, at("decided_on"), 46300.0, &date)
        .unwrap();
    ws.write_boolean(7, at("comment"), true).unwrap();
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("filled.XLSX");
    book.save(&path).unwrap();
    let sheets = read_worksheet_file(&path).expect("reads");
    assert_eq!(sheets.len(), 1);
    let s = &sheets[0];
    assert_eq!(s.sheet.as_deref(), Some("rights"));
    assert_eq!(s.header_row, 5);
    assert_eq!(
        s.header.get(&HeaderField::ReviewId),
        Some(&(3, "rv-1".to_string()))
    );
    let row = &s.rows[0];
    assert_eq!(row.number, 7);
    assert_eq!(row.cells[at("person_id") as usize], "38001010000");
    assert_eq!(row.cells[at("decision") as usize], "Eemalda");
    assert_eq!(row.cells[at("decided_on") as usize], "2026-10-05");
    assert_eq!(s.rows[1].number, 8);
    assert_eq!(s.rows[1].cells[at("comment") as usize], "true");
}

#[test]
fn the_same_worksheet_gives_the_same_bytes_a_second_later() {
    let first = workbook("et");
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let second = workbook("et");
    assert!(first == second, "the workbook carries the clock");
    assert!(part(&first, "docProps/core.xml").contains("2026-09-30T00:00:00Z"));
}
