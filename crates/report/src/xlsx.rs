//! `review/<unit>.xlsx`: the access-review worksheet as a workbook a manager
//! fills in. Two sheets ("Rights" and "Findings", named in the report's
//! language), each with the review's header block, a frozen header row with
//! filters, a drop-down of the sheet's decision words, and sheet protection
//! that leaves only the `decision`, `comment` and `decided_on` cells open.
//! The layout (names, headers, words) is [`accessaudit_review::layout`], the
//! same table `review import` reads back with.

use accessaudit_review::cases::Case;
use accessaudit_review::layout::{self, Column, HeaderField, SheetKind};
use accessaudit_review::worksheets::{FindingRow, ReviewHeader, Worksheet, WorksheetRow};
use rust_xlsxwriter::{
    Color, DataValidation, Format, FormatBorder, IgnoreError, ProtectionOptions, Workbook,
    Worksheet as Sheet,
};

/// The workbook could not be built.
#[derive(Debug, thiserror::Error)]
pub enum XlsxError {
    /// rust_xlsxwriter refused a cell, a setting or the packaging.
    #[error("cannot write the worksheet workbook of unit {unit:?}")]
    Build {
        /// The unit whose worksheet it is.
        unit: String,
        /// What rust_xlsxwriter said.
        #[source]
        source: rust_xlsxwriter::XlsxError,
    },
    /// The report's words for the language are missing.
    #[error("{0}")]
    Words(String),
}

/// The 0-based row of the column headers (row 8 as a spreadsheet shows it):
/// the title, five header block rows and an empty row come first.
const HEADER_ROW: u32 = 7;
/// Column widths stay between these (in characters), so a long message does
/// not push the decision columns off the screen.
const MIN_WIDTH: usize = 8;
const MAX_WIDTH: usize = 50;

/// One unit's worksheet as an XLSX workbook in memory, in `lang` (`et` or
/// English): sheets [`SheetKind::name`], the header block (title, then
/// [`HeaderField::ALL`] with their values), the column headers on row 8 and
/// the rows from row 9.
pub fn worksheet_xlsx(
    header: &ReviewHeader,
    sheet: &Worksheet,
    lang: &str,
) -> Result<Vec<u8>, XlsxError> {
    build(header, sheet, lang).map_err(|source| XlsxError::Build {
        unit: sheet.unit.clone(),
        source,
    })
}

fn build(
    header: &ReviewHeader,
    sheet: &Worksheet,
    lang: &str,
) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let mut book = Workbook::new();
    // Dated by the audit's as_of, not the clock: the same audit gives the
    // same bytes, like every other output.
    let created = rust_xlsxwriter::ExcelDateTime::parse_from_str(&header.as_of)?;
    book.set_properties(&rust_xlsxwriter::DocProperties::new().set_creation_datetime(&created));
    let block = [
        (HeaderField::Unit, sheet.unit.clone()),
        (
            HeaderField::Manager,
            sheet
                .manager
                .as_ref()
                .map(|m| m.to_string())
                .unwrap_or_default(),
        ),
        (HeaderField::AsOf, header.as_of.clone()),
        (
            HeaderField::ReturnBy,
            header.return_by.format("%Y-%m-%d").to_string(),
        ),
        (HeaderField::ReviewId, header.review_id.clone()),
    ];
    for kind in SheetKind::UNIT {
        let columns = kind.columns();
        let rows: Vec<Row> = match kind {
            SheetKind::Rights => sheet
                .rights
                .iter()
                .map(|r| rights_row(r, &sheet.unit, lang, &columns))
                .collect(),
            SheetKind::Findings | SheetKind::Cases => sheet
                .findings
                .iter()
                .map(|f| findings_row(f, &columns))
                .collect(),
        };
        let ws = book.add_worksheet();
        ws.set_name(kind.name(lang))?;
        write_sheet(ws, kind, &columns, lang, &block, &rows, None)?;
    }
    book.save_to_buffer()
}

/// The DPO's cases as `review/dpo-cases.xlsx`: one "Cases" sheet with the
/// review's header block (the unit is [`layout::DPO_UNIT`]; the DPO types
/// their name where a unit's manager stands), a row per case with its
/// narrative, and the `disposition` drop-down (justified / violation /
/// needs-information), `comment` and `decided_on` left open.
pub fn dpo_cases_xlsx(
    header: &ReviewHeader,
    cases: &[Case],
    lang: &str,
) -> Result<Vec<u8>, XlsxError> {
    filled_dpo_cases_xlsx(header, cases, lang, "", &|_| None)
}

/// The DPO's answer on one case: disposition, comment, day.
pub type CaseFill<'a> = dyn Fn(&Case) -> Option<(String, String, String)> + 'a;

/// [`dpo_cases_xlsx`] as the DPO `dpo` returned it, each case's open
/// columns filled by `fill`: how `generate` writes the DPO's answers.
pub fn filled_dpo_cases_xlsx(
    header: &ReviewHeader,
    cases: &[Case],
    lang: &str,
    dpo: &str,
    fill: &CaseFill<'_>,
) -> Result<Vec<u8>, XlsxError> {
    let words = crate::html::strings(lang).map_err(|e| XlsxError::Words(e.to_string()))?;
    let word = |key: &str| words.get(key).cloned().unwrap_or_else(|| key.to_string());
    let build = || -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
        let mut book = Workbook::new();
        let created = rust_xlsxwriter::ExcelDateTime::parse_from_str(&header.as_of)?;
        book.set_properties(&rust_xlsxwriter::DocProperties::new().set_creation_datetime(&created));
        let block = [
            (HeaderField::Unit, layout::DPO_UNIT.to_string()),
            (HeaderField::Manager, dpo.to_string()),
            (HeaderField::AsOf, header.as_of.clone()),
            (
                HeaderField::ReturnBy,
                header.return_by.format("%Y-%m-%d").to_string(),
            ),
            (HeaderField::ReviewId, header.review_id.clone()),
        ];
        let kind = SheetKind::Cases;
        let columns = kind.columns();
        let rows: Vec<Row> = cases
            .iter()
            .map(|c| {
                let answer = fill(c);
                let value = |key: &str| -> String {
                    match key {
                        "disposition" => answer.as_ref().map_or_else(String::new, |a| a.0.clone()),
                        "comment" => answer.as_ref().map_or_else(String::new, |a| a.1.clone()),
                        "decided_on" => answer.as_ref().map_or_else(String::new, |a| a.2.clone()),
                        "item_id" => c.case_id.clone(),
                        "person_id" => c.person_id.clone().unwrap_or_default(),
                        "person_name" => c.person_name.clone().unwrap_or_default(),
                        "unit" => c.unit.clone().unwrap_or_default(),
                        "accounts" => c.accounts.join(", "),
                        "score" => c.score.to_string(),
                        "summary" => crate::cases::narrative(c, &word),
                        "findings" => c.findings.len().to_string(),
                        _ => String::new(),
                    }
                };
                Row {
                    decidable: true,
                    cells: columns.iter().map(|col| value(col.key)).collect(),
                }
            })
            .collect();
        let ws = book.add_worksheet();
        ws.set_name(kind.name(lang))?;
        write_sheet(
            ws,
            kind,
            &columns,
            lang,
            &block,
            &rows,
            Some(HeaderField::Manager),
        )?;
        book.save_to_buffer()
    };
    build().map_err(|source| XlsxError::Build {
        unit: layout::DPO_UNIT.to_string(),
        source,
    })
}

/// One data row: whether the manager decides on it (it has an `item_id`),
/// and its cells in the order of [`SheetKind::columns`].
struct Row {
    decidable: bool,
    cells: Vec<String>,
}

fn rights_row(r: &WorksheetRow, unit: &str, lang: &str, columns: &[Column]) -> Row {
    let yes = if lang == "et" { "jah" } else { "yes" };
    let value = |key: &str| r.shown(key, unit, yes);
    Row {
        decidable: !r.item_id.is_empty(),
        cells: columns.iter().map(|c| value(c.key).to_string()).collect(),
    }
}

fn findings_row(f: &FindingRow, columns: &[Column]) -> Row {
    let value = |key: &str| -> &str {
        match key {
            "item_id" => &f.item_id,
            "rule_id" => &f.rule_id,
            "severity" => &f.severity,
            "status" => &f.status,
            "person_id" => &f.person_id,
            "person_name" => &f.person_name,
            "system" => &f.system,
            "account_id" => &f.account_id,
            "role" => &f.role,
            "message" => &f.message,
            _ => "",
        }
    };
    Row {
        decidable: !f.item_id.is_empty(),
        cells: columns.iter().map(|c| value(c.key).to_string()).collect(),
    }
}

fn write_sheet(
    ws: &mut Sheet,
    kind: SheetKind,
    columns: &[Column],
    lang: &str,
    block: &[(HeaderField, String)],
    rows: &[Row],
    open_field: Option<HeaderField>,
) -> Result<(), rust_xlsxwriter::XlsxError> {
    let bold = Format::new().set_bold();
    ws.write_string_with_format(0, 0, layout::title(lang), &bold.clone().set_font_size(14))?;
    // The manager's cells stand out, and are the only ones left unlocked.
    let open = Format::new()
        .set_unlocked()
        .set_background_color(Color::RGB(0xFFF2CC));
    for (i, (field, value)) in (1u32..).zip(block) {
        ws.write_string_with_format(i, 0, field.label(lang), &bold)?;
        if Some(*field) == open_field {
            ws.write_string_with_format(i, 1, value, &open)?;
        } else {
            ws.write_string(i, 1, value)?;
        }
    }
    let head = bold
        .clone()
        .set_background_color(Color::RGB(0xD9D9D9))
        .set_border_bottom(FormatBorder::Thin);
    let open_date = open.clone().set_num_format("yyyy-mm-dd");
    // A line break in a value shows as one, not as text run over the next row.
    let wrap = Format::new().set_text_wrap();
    let mut widths: Vec<usize> = columns
        .iter()
        .map(|c| c.header(lang).chars().count())
        .collect();
    if let Some(w) = widths.first_mut() {
        let labels = HeaderField::ALL
            .iter()
            .map(|f| f.label(lang).chars().count());
        *w = labels.fold(*w, usize::max);
    }
    for (j, c) in (0u16..).zip(columns) {
        ws.write_string_with_format(HEADER_ROW, j, c.header(lang), &head)?;
    }
    for (i, row) in (HEADER_ROW + 1..).zip(rows) {
        // Spreadsheets do not grow a row for a value's line breaks on
        // opening: give it the height of its tallest cell.
        let lines = row.cells.iter().map(|t| t.lines().count()).max();
        if let Some(n) = lines.filter(|n| *n > 1) {
            ws.set_row_height(i, 15.0 * n as f64)?;
        }
        let cells = columns.iter().zip(&row.cells);
        for ((j, (c, text)), width) in (0u16..).zip(cells).zip(widths.iter_mut()) {
            let longest = text.lines().map(|l| l.chars().count()).max();
            *width = (*width).max(longest.unwrap_or(0));
            if c.editable && row.decidable {
                let format = if *c == layout::DECIDED_ON {
                    &open_date
                } else {
                    &open
                };
                if text.is_empty() {
                    ws.write_blank(i, j, format)?;
                } else {
                    ws.write_string_with_format(i, j, text, format)?;
                }
            } else if text.contains('\n') {
                ws.write_string_with_format(i, j, text, &wrap)?;
            } else if !text.is_empty() {
                ws.write_string(i, j, text)?;
            }
        }
    }
    for ((j, c), width) in (0u16..).zip(columns).zip(&widths) {
        // Room for the drop-down's arrow, a typed date, and a sentence.
        let min = match c.key {
            "decision" | "disposition" | "decided_on" => 12,
            "comment" => 30,
            _ => MIN_WIDTH,
        };
        ws.set_column_width(j, (width + 2).clamp(min, MAX_WIDTH) as f64)?;
    }
    let last_col = (columns.len() as u16).saturating_sub(1);
    // Past the sheet's last row rust_xlsxwriter refuses it with an error.
    let last_row = u32::try_from(rows.len()).map_or(u32::MAX, |n| HEADER_ROW.saturating_add(n));
    ws.set_freeze_panes(HEADER_ROW + 1, 0)?;
    ws.autofilter(HEADER_ROW, 0, last_row, last_col)?;
    if !rows.is_empty() {
        // Personal codes and account ids are text that looks like numbers.
        ws.ignore_error_range(
            HEADER_ROW + 1,
            0,
            last_row,
            last_col,
            IgnoreError::NumberStoredAsText,
        )?;
        if let Some(j) = position(columns, &kind.decision_column()) {
            ws.add_data_validation(HEADER_ROW + 1, j, last_row, j, &drop_down(kind, lang)?)?;
        }
    }
    // Printed, it is one page wide with the column headers on every page.
    ws.set_landscape().set_print_fit_to_pages(1, 0);
    ws.set_repeat_rows(HEADER_ROW, HEADER_ROW)?;
    ws.protect_with_options(&ProtectionOptions {
        sort: true,
        use_autofilter: true,
        format_columns: true,
        format_rows: true,
        ..ProtectionOptions::default()
    });
    Ok(())
}

fn position(columns: &[Column], column: &Column) -> Option<u16> {
    columns
        .iter()
        .position(|c| c == column)
        .and_then(|j| u16::try_from(j).ok())
}

/// The list of the sheet's decision words in `lang`, with a message in the
/// same language when something else is typed.
fn drop_down(kind: SheetKind, lang: &str) -> Result<DataValidation, rust_xlsxwriter::XlsxError> {
    let words: Vec<&str> = kind.decisions().iter().map(|d| d.word(lang)).collect();
    let (title, message) = if lang == "et" {
        ("Otsus", format!("Vali üks: {}.", words.join(", ")))
    } else {
        ("Decision", format!("Choose one of: {}.", words.join(", ")))
    };
    DataValidation::new()
        .allow_list_strings(&words)?
        .set_error_title(title)?
        .set_error_message(message)
}
