//! A filled worksheet as read from its file, before any check: the cells as
//! text with the row numbers a spreadsheet shows, so every problem can name
//! file, sheet, row and column.

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::layout::{HeaderField, SheetKind};

/// One sheet of a returned worksheet file (an XLSX sheet, or a whole CSV
/// file, which is a "Rights" sheet).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawSheet {
    /// The file it was read from.
    pub file: PathBuf,
    /// The sheet's name as the file has it; `None` for a CSV file.
    pub sheet: Option<String>,
    /// Which sheet it is.
    pub kind: SheetKind,
    /// The header block's values by field, with the row each was read from:
    /// the labels in column A above the header row (an XLSX worksheet has
    /// them; a CSV file as the worksheet writer writes it has none).
    pub header: BTreeMap<HeaderField, (u32, String)>,
    /// The row number of the column headers, as the spreadsheet shows it
    /// (1-based).
    pub header_row: u32,
    /// The column headers as written, in file order.
    pub columns: Vec<String>,
    /// The data rows below the headers; rows whose cells are all empty are
    /// left out.
    pub rows: Vec<RawRow>,
}

/// One data row of a [`RawSheet`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawRow {
    /// The row number as the spreadsheet shows it (1-based; in a CSV file
    /// the line, the header being line 1).
    pub number: u32,
    /// The cells as text, one per entry of [`RawSheet::columns`] (missing
    /// trailing cells are empty). Dates (an XLSX date cell) are written
    /// `YYYY-MM-DD`; numbers as the shortest text that reads back the same;
    /// a CSV cell the writer defused with a leading `'` has it removed.
    pub cells: Vec<String>,
}

impl RawSheet {
    /// The index of the column whose header is `key`'s in either language.
    pub fn column(&self, column: &crate::layout::Column) -> Option<usize> {
        self.columns.iter().position(|h| column.is_header(h))
    }

    /// Where a problem is, for messages: `file`, or `file, sheet "Rights"`.
    pub fn place(&self) -> String {
        match &self.sheet {
            Some(name) => format!("{}, sheet {name:?}", self.file.display()),
            None => self.file.display().to_string(),
        }
    }
}

/// Spreadsheet column letters of a 0-based index: 0 → `A`, 26 → `AA`.
pub fn column_letters(index: usize) -> String {
    let mut n = index + 1;
    let mut out = Vec::new();
    while n > 0 {
        let r = (n - 1) % 26;
        out.push(b'A' + r as u8);
        n = (n - 1) / 26;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::column_letters;

    #[test]
    fn column_letters_are_a_spreadsheets() {
        assert_eq!(column_letters(0), "A");
        assert_eq!(column_letters(25), "Z");
        assert_eq!(column_letters(26), "AA");
        assert_eq!(column_letters(27), "AB");
        assert_eq!(column_letters(701), "ZZ");
        assert_eq!(column_letters(702), "AAA");
    }
}
