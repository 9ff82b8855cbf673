//! Reading returned worksheet files: XLSX (calamine) and CSV (`,`, `;` or a
//! tab, with or without a BOM) into [`RawSheet`]s, the cells as text with
//! the row numbers a spreadsheet shows. Nothing is checked here but the
//! file's form; what the cells say is the import's to check.

mod csv;

use std::collections::BTreeMap;
use std::io::Cursor;
use std::path::{Path, PathBuf};

use calamine::{Data, Reader, Xlsx};

use super::sheet::{RawRow, RawSheet};
use crate::layout::{self, HeaderField, SheetKind};

/// A worksheet file that cannot be read as one.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// The file could not be read at all.
    #[error("{}: cannot read the file", .file.display())]
    Unreadable {
        /// The file.
        file: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The name ends in neither `.xlsx` nor `.csv`.
    #[error("{}: not a worksheet file (the name must end in .xlsx or .csv)", .file.display())]
    UnknownExtension {
        /// The file.
        file: PathBuf,
    },
    /// An `.xlsx` file that is not a workbook calamine can open.
    #[error("{}: not an XLSX workbook", .file.display())]
    NotWorkbook {
        /// The file.
        file: PathBuf,
        /// What calamine said.
        #[source]
        source: calamine::XlsxError,
    },
    /// A sheet of the workbook could not be read.
    #[error("{}, sheet {sheet:?}: cannot read the sheet", .file.display())]
    Sheet {
        /// The file.
        file: PathBuf,
        /// The sheet.
        sheet: String,
        /// What calamine said.
        #[source]
        source: calamine::XlsxError,
    },
    /// A workbook without a "Rights" or "Findings" sheet (in either
    /// language).
    #[error(
        "{}: no worksheet sheet (Rights, Findings, Õigused or Leiud) among its sheets {sheets:?}",
        .file.display()
    )]
    NoSheet {
        /// The file.
        file: PathBuf,
        /// The sheets it has.
        sheets: Vec<String>,
    },
    /// No row has an `item_id` (or `kirje_id`) header cell.
    #[error("{place}: no header row with an item_id (kirje_id) column")]
    NoHeaderRow {
        /// The file.
        file: PathBuf,
        /// The sheet (`None` for a CSV file).
        sheet: Option<String>,
        /// File and sheet, for the message.
        place: String,
    },
    /// A CSV file that is not UTF-8 text.
    #[error("{}, line {line}: not UTF-8 text (save the file as \"CSV UTF-8\")", .file.display())]
    NotUtf8 {
        /// The file.
        file: PathBuf,
        /// The line of the first byte that is not UTF-8.
        line: u32,
    },
    /// A CSV file whose quotes do not pair up.
    #[error("{}, line {line}: {problem}", .file.display())]
    BadQuoting {
        /// The file.
        file: PathBuf,
        /// The line the problem is on.
        line: u32,
        /// What is wrong.
        problem: &'static str,
    },
}

/// The worksheet sheets of the file at `path`, by its extension: from an
/// `.xlsx`, every sheet named as a [`SheetKind`] in either language (other
/// sheets are left alone); from a `.csv`, its one "Rights" sheet.
pub fn read_worksheet_file(path: &Path) -> Result<Vec<RawSheet>, ReadError> {
    let file = path.to_path_buf();
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    let reader = match extension.as_deref() {
        Some("xlsx") => read_xlsx,
        Some("csv") => read_csv,
        _ => return Err(ReadError::UnknownExtension { file }),
    };
    let bytes = std::fs::read(path).map_err(|source| ReadError::Unreadable {
        file: file.clone(),
        source,
    })?;
    reader(&file, bytes)
}

fn read_xlsx(file: &Path, bytes: Vec<u8>) -> Result<Vec<RawSheet>, ReadError> {
    let mut book = Xlsx::new(Cursor::new(bytes)).map_err(|source| ReadError::NotWorkbook {
        file: file.to_path_buf(),
        source,
    })?;
    let names = book.sheet_names();
    let mut out = Vec::new();
    for name in &names {
        let Some(kind) = SheetKind::named(name) else {
            continue;
        };
        let range = book
            .worksheet_range(name)
            .map_err(|source| ReadError::Sheet {
                file: file.to_path_buf(),
                sheet: name.clone(),
                source,
            })?;
        let (top, left) = range.start().unwrap_or((0, 0));
        let grid = range.rows().zip(top..).map(|(cells, r)| {
            // Columns left of the used range are empty: pad them so a
            // cell's index is its column.
            let mut row = vec![String::new(); left as usize];
            row.extend(cells.iter().map(text));
            (r + 1, row)
        });
        out.push(from_grid(file, Some(name.clone()), kind, grid)?);
    }
    if out.is_empty() {
        return Err(ReadError::NoSheet {
            file: file.to_path_buf(),
            sheets: names,
        });
    }
    Ok(out)
}

fn read_csv(file: &Path, bytes: Vec<u8>) -> Result<Vec<RawSheet>, ReadError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    let text = std::str::from_utf8(bytes).map_err(|e| ReadError::NotUtf8 {
        file: file.to_path_buf(),
        line: line_of(bytes, e.valid_up_to()),
    })?;
    let records = csv::records(text, csv::delimiter(text)).map_err(|e| ReadError::BadQuoting {
        file: file.to_path_buf(),
        line: e.line,
        problem: e.problem,
    })?;
    let grid = records
        .into_iter()
        .map(|(n, cells)| (n, cells.into_iter().map(csv::undefuse).collect()));
    Ok(vec![from_grid(file, None, SheetKind::Rights, grid)?])
}

/// The 1-based line of byte `at`.
fn line_of(bytes: &[u8], at: usize) -> u32 {
    let breaks = bytes[..at.min(bytes.len())]
        .iter()
        .filter(|b| **b == b'\n')
        .count();
    u32::try_from(breaks).map_or(u32::MAX, |n| n.saturating_add(1))
}

/// A cell as text: strings as they are, numbers without a spurious `.0`,
/// whole-day dates `YYYY-MM-DD`, booleans `true`/`false`.
fn text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        // Rust writes the shortest text that reads back the same: 5, 1.5.
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(dt) if dt.is_datetime() => {
            let (y, m, d, hh, mm, ss, _) = dt.to_ymd_hms_milli();
            if dt.as_f64().fract() == 0.0 {
                format!("{y:04}-{m:02}-{d:02}")
            } else {
                format!("{y:04}-{m:02}-{d:02} {hh:02}:{mm:02}:{ss:02}")
            }
        }
        Data::DateTime(dt) => dt.as_f64().to_string(),
        Data::DateTimeIso(s) => whole_day(s).unwrap_or(s).to_string(),
        Data::DurationIso(s) => s.clone(),
        Data::Error(e) => e.to_string(),
    }
}

/// The date of an ISO date-time that is midnight (`2026-10-05T00:00:00`),
/// or of a bare date.
fn whole_day(iso: &str) -> Option<&str> {
    let (day, time) = iso.split_once('T').unwrap_or((iso, ""));
    let midnight = time.is_empty() || time.trim_start_matches(['0', ':', '.']).is_empty();
    (day.len() == 10 && midnight).then_some(day)
}

/// A sheet from its rows (number as shown, cells from column A): the header
/// row is the first with an `item_id` header cell; the header block is read
/// from the labels in column A above it; rows below it whose cells are all
/// empty are left out.
fn from_grid(
    file: &Path,
    sheet: Option<String>,
    kind: SheetKind,
    grid: impl IntoIterator<Item = (u32, Vec<String>)>,
) -> Result<RawSheet, ReadError> {
    let mut header = BTreeMap::new();
    let mut found: Option<(u32, Vec<String>)> = None;
    let mut rows = Vec::new();
    for (number, mut cells) in grid {
        match &found {
            None if cells.iter().any(|c| layout::ITEM_ID.is_header(c)) => {
                while cells.last().is_some_and(|c| c.trim().is_empty()) {
                    cells.pop();
                }
                found = Some((number, cells));
            }
            None => {
                let field = cells.first().and_then(|c| HeaderField::labelled(c));
                if let Some(field) = field {
                    let value = cells.get(1).map(|v| v.trim().to_string());
                    header
                        .entry(field)
                        .or_insert((number, value.unwrap_or_default()));
                }
            }
            Some((_, columns)) => {
                cells.resize(columns.len(), String::new());
                if cells.iter().any(|c| !c.trim().is_empty()) {
                    rows.push(RawRow { number, cells });
                }
            }
        }
    }
    let Some((header_row, columns)) = found else {
        let place = match &sheet {
            Some(name) => format!("{}, sheet {name:?}", file.display()),
            None => file.display().to_string(),
        };
        return Err(ReadError::NoHeaderRow {
            file: file.to_path_buf(),
            sheet,
            place,
        });
    };
    Ok(RawSheet {
        file: file.to_path_buf(),
        sheet,
        kind,
        header,
        header_row,
        columns,
        rows,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grid(rows: &[(u32, &[&str])]) -> Vec<(u32, Vec<String>)> {
        rows.iter()
            .map(|(n, r)| (*n, r.iter().map(|c| c.to_string()).collect()))
            .collect()
    }

    #[test]
    fn the_header_block_and_row_are_found_by_their_labels() {
        let rows = grid(&[
            (1, &["Juurdepääsuõiguste ülevaatus"]),
            (2, &["Üksus", "Pensionite osakond"]),
            (3, &["Manager:", " Jüri Õunapuu (38001010000) "]),
            (5, &["Not a label", "x"]),
            (8, &["kirje_id", "otsus", "", ""]),
            (9, &["r-1", "säilita", "extra"]),
            (10, &["", "  "]),
            (11, &["r-2"]),
        ]);
        let s = from_grid(
            Path::new("a.xlsx"),
            Some("Õigused".into()),
            SheetKind::Rights,
            rows,
        )
        .expect("a sheet");
        assert_eq!(s.header_row, 8);
        assert_eq!(s.columns, vec!["kirje_id", "otsus"]);
        assert_eq!(
            s.header.get(&HeaderField::Unit),
            Some(&(2, "Pensionite osakond".to_string()))
        );
        assert_eq!(
            s.header.get(&HeaderField::Manager),
            Some(&(3, "Jüri Õunapuu (38001010000)".to_string()))
        );
        assert_eq!(s.header.len(), 2);
        let rows: Vec<(u32, Vec<&str>)> = s
            .rows
            .iter()
            .map(|r| (r.number, r.cells.iter().map(String::as_str).collect()))
            .collect();
        assert_eq!(
            rows,
            vec![(9, vec!["r-1", "säilita"]), (11, vec!["r-2", ""])]
        );
    }

    #[test]
    fn cells_read_as_a_spreadsheet_shows_them() {
        use calamine::{ExcelDateTime, ExcelDateTimeType};
        let date = |v| Data::DateTime(ExcelDateTime::new(v, ExcelDateTimeType::DateTime, false));
        assert_eq!(text(&Data::Float(38001010000.0)), "38001010000");
        assert_eq!(text(&Data::Float(1.5)), "1.5");
        assert_eq!(text(&Data::Int(-3)), "-3");
        assert_eq!(text(&Data::Bool(true)), "true");
        assert_eq!(text(&Data::Empty), "");
        // 46300 is 2026-10-05 in the 1900 date system.
        assert_eq!(text(&date(46300.0)), "2026-10-05");
        assert_eq!(text(&date(46300.5)), "2026-10-05 12:00:00");
        assert_eq!(
            text(&Data::DateTimeIso("2026-10-05T00:00:00".into())),
            "2026-10-05"
        );
        assert_eq!(text(&Data::DateTimeIso("2026-10-05".into())), "2026-10-05");
        assert_eq!(
            text(&Data::DateTimeIso("2026-10-05T08:30:00".into())),
            "2026-10-05T08:30:00"
        );
    }

    #[test]
    fn line_of_counts_line_breaks_before_the_byte() {
        assert_eq!(line_of(b"ab\ncd\nef", 0), 1);
        assert_eq!(line_of(b"ab\ncd\nef", 4), 2);
        assert_eq!(line_of(b"ab\ncd\nef", 7), 3);
    }
}
