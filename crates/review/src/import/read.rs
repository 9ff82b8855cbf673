//! Reading returned worksheet files: XLSX (calamine) and CSV (`,` or `;`,
//! with or without a BOM) into [`RawSheet`]s. (Placeholder until the
//! spreadsheet reader lands.)

use std::path::Path;

use crate::import::sheet::RawSheet;

/// Why a worksheet file cannot be read.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ReadError(String);

/// Every worksheet sheet of the file at `path`.
pub fn read_worksheet_file(path: &Path) -> Result<Vec<RawSheet>, ReadError> {
    Err(ReadError(format!(
        "{}: cannot read worksheets yet",
        path.display()
    )))
}
