//! `review import`: filled worksheets read back ([`read`] into
//! [`sheet::RawSheet`]s), checked against the review that issued them
//! ([`check`]), and appended to the decision ledger. All or nothing: a
//! problem in any file changes nothing.

pub mod check;
pub mod read;
pub mod sheet;

use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use crate::history::ledger::{sha256_hex, NewDecision};
use crate::history::{History, HistoryError};
use check::Problem;

/// Why an import changed nothing.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The history cannot be read or written.
    #[error(transparent)]
    History(#[from] HistoryError),
    /// The files have problems; each names file, sheet, row and column.
    #[error("{} problem(s) in the returned worksheets; nothing was imported:\n{}", .0.len(), .0.iter().map(|p| format!("  {p}")).collect::<Vec<_>>().join("\n"))]
    Problems(Vec<Problem>),
}

/// What the import did with one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Imported {
    /// Its decisions were added to the ledger.
    Decisions {
        /// The file.
        file: PathBuf,
        /// The review and unit it belongs to.
        review_id: String,
        /// The unit.
        unit: String,
        /// Decided rows added.
        decided: usize,
    },
    /// The ledger already holds this file (the same bytes): nothing added.
    AlreadyImported {
        /// The file.
        file: PathBuf,
    },
}

/// Imports `files` into `history`'s ledger, checked against the reviews
/// it recorded. `today` bounds decision dates; `now` stamps the records.
pub fn import(
    history: &History,
    files: &[PathBuf],
    today: NaiveDate,
    now: &str,
) -> Result<Vec<Imported>, ImportError> {
    let ledger = history.ledger()?;
    let mut problems = Vec::new();
    let mut outcomes = Vec::new();
    let mut decisions: Vec<NewDecision> = Vec::new();
    for path in files {
        let file_problem = |message: String| Problem {
            place: path.display().to_string(),
            row: None,
            column: None,
            value: None,
            message,
        };
        let bytes = match std::fs::read(path) {
            Ok(b) => b,
            Err(e) => {
                problems.push(file_problem(format!("cannot be read: {e}")));
                continue;
            }
        };
        let sha = sha256_hex(&bytes);
        if ledger.iter().any(|r| r.file_sha256 == sha) {
            outcomes.push(Imported::AlreadyImported { file: path.clone() });
            continue;
        }
        let sheets = match read::read_worksheet_file(path) {
            Ok(s) => s,
            Err(e) => {
                problems.push(file_problem(e.to_string()));
                continue;
            }
        };
        if sheets.is_empty() {
            problems.push(file_problem("holds no Rights or Findings sheet".into()));
            continue;
        }
        match import_file(history, path, &sha, &sheets, today) {
            Ok((origin, decided)) => {
                outcomes.push(Imported::Decisions {
                    file: path.clone(),
                    review_id: origin.review_id,
                    unit: origin.unit,
                    decided: decided.len(),
                });
                decisions.extend(decided);
            }
            Err(mut p) => problems.append(&mut p),
        }
    }
    if !problems.is_empty() {
        return Err(ImportError::Problems(problems));
    }
    history.append(&decisions, now)?;
    Ok(outcomes)
}

/// Checks every sheet of one file; they must all belong to one review and unit.
fn import_file(
    history: &History,
    path: &Path,
    sha: &str,
    sheets: &[sheet::RawSheet],
    today: NaiveDate,
) -> Result<(check::SheetOrigin, Vec<NewDecision>), Vec<Problem>> {
    let mut problems = Vec::new();
    let mut decided = Vec::new();
    let mut first: Option<check::SheetOrigin> = None;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    for sheet in sheets {
        let origin = match check::origin(sheet) {
            Ok(o) => o,
            Err(p) => {
                problems.push(p);
                continue;
            }
        };
        let whole = |message: String| Problem {
            place: sheet.place(),
            row: None,
            column: None,
            value: None,
            message,
        };
        if let Some(f) = &first {
            if *f != origin {
                problems.push(whole(format!(
                    "belongs to review {} unit {:?}, another sheet of the file to review {} unit {:?}",
                    origin.review_id, origin.unit, f.review_id, f.unit
                )));
                continue;
            }
        }
        let review = match history.review(&origin.review_id) {
            Ok(Some(r)) => r,
            Ok(None) => {
                problems.push(whole(format!(
                    "review {:?} is not in the history {}: was it issued by an audit with this --history?",
                    origin.review_id,
                    history.dir().display()
                )));
                continue;
            }
            Err(e) => {
                problems.push(whole(e.to_string()));
                continue;
            }
        };
        let Some(unit) = review.units.get(&origin.unit) else {
            problems.push(whole(format!(
                "review {} issued no worksheet for unit {:?}",
                review.review_id, origin.unit
            )));
            continue;
        };
        match check::check(sheet, &review, &origin.unit, unit, (&name, sha), today) {
            Ok(mut d) => decided.append(&mut d),
            Err(mut p) => problems.append(&mut p),
        }
        first.get_or_insert(origin);
    }
    match (problems.is_empty(), first) {
        (true, Some(origin)) => Ok((origin, decided)),
        _ => Err(problems),
    }
}
