//! The CSV worksheet as the report writes it, read back by `review import`'s
//! reader with either separator: the same cells (the defusing undone, the
//! quoted line break kept) on the lines an editor shows.

// Tests stop at the first broken expectation; that is what expect is for here.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

mod sample;

use accessaudit_report::csv::{write_worksheet, Delimiter};
use accessaudit_review::import::read::read_worksheet_file;
use accessaudit_review::layout::{self, SheetKind};

#[test]
fn the_written_csv_worksheet_reads_back_cell_for_cell() {
    let dir = tempfile::tempdir().expect("tmp");
    let sheet = sample::worksheet();
    for (delimiter, name) in [
        (Delimiter::Comma, "comma.csv"),
        (Delimiter::Semicolon, "semi.csv"),
    ] {
        let mut bytes = Vec::new();
        write_worksheet(&mut bytes, &sample::header(), &sheet, delimiter).expect("write");
        let path = dir.path().join(name);
        std::fs::write(&path, &bytes).expect("save");
        let read = read_worksheet_file(&path).expect("reads");
        let s = &read[0];
        let mut expected = vec![layout::REVIEW_ID.key];
        expected.extend(SheetKind::Rights.columns().iter().map(|c| c.key));
        assert_eq!(s.columns, expected, "{name}");
        let numbers: Vec<u32> = s.rows.iter().map(|r| r.number).collect();
        // The third right's basis holds a line break: the rows after it
        // start a line later.
        assert_eq!(numbers, vec![2, 3, 4, 6, 7], "{name}");
        let at = |c: &layout::Column| s.column(c).expect("column");
        let role_name = at(&layout::RIGHTS[8]);
        let basis = at(&layout::RIGHTS[11]);
        let row = &s.rows[2].cells;
        assert_eq!(row[0], "rv-2026-09-30-4f1c");
        assert_eq!(row[role_name], sheet.rights[2].role_name);
        assert_eq!(row[basis], sheet.rights[2].basis);
        assert_eq!(s.rows[1].cells[at(&layout::RIGHTS[14])], "yes");
        assert_eq!(s.rows[4].cells[at(&layout::ITEM_ID)], "");
    }
}
