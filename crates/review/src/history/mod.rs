//! The review history folder (`--history DIR`): the reviews audits issued
//! ([`issued`]), and the managers' decisions read back from their
//! worksheets ([`ledger`]). What an audit learns from it is
//! [`state::review_state`].
//!
//! Layout: `DIR/.accessaudit-history` (marker and format), `DIR/reviews/
//! <review id>.json`, `DIR/ledger.jsonl`, and `DIR/.lock`, held while the
//! history is written. Every file is replaced whole (written beside it,
//! synced, renamed), so a crash leaves each as it was or as it is meant to
//! be, never half-written.

pub mod files;
pub mod issued;
pub mod ledger;
pub mod runs;
pub mod state;
pub mod trends;

use std::fs::File;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;

pub use files::HistoryError;

/// The marker file's name and the first line it holds.
const MARKER: &str = ".accessaudit-history";
const MARKER_TEXT: &str = "accessaudit review history, format 1\n";

/// The id of the review an audit issues: its period and `as_of` day, e.g.
/// `2026-Q3_2026-09-30`. The same audit run again issues the same review,
/// which the history records once.
pub fn review_id(period: &str, as_of_day: NaiveDate) -> String {
    let period: String = period
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let period = period.trim_matches('_');
    format!("{period}_{as_of_day}")
}

/// An open history folder, locked against other writers while it lives.
#[derive(Debug)]
pub struct History {
    dir: PathBuf,
    _lock: File,
}

impl History {
    /// Opens (creating it owner-only when absent or empty) the history at
    /// `dir` and takes its lock. A folder with other files and no marker is
    /// refused: it is not a history, and nothing is written into it.
    pub fn open(dir: &Path) -> Result<History, HistoryError> {
        let marker = dir.join(MARKER);
        if dir.exists() {
            if !dir.is_dir() {
                return Err(HistoryError::NotHistory {
                    dir: dir.to_path_buf(),
                    why: "it is a file".into(),
                });
            }
            if !marker.exists() {
                let empty = std::fs::read_dir(dir)
                    .map_err(files::io(dir))?
                    .next()
                    .is_none();
                if !empty {
                    return Err(HistoryError::NotHistory {
                        dir: dir.to_path_buf(),
                        why: format!("it holds other files and no {MARKER}"),
                    });
                }
            }
        }
        files::create_private_dir(dir)?;
        let lock = files::lock(&dir.join(".lock"), dir)?;
        if marker.exists() {
            let text = std::fs::read_to_string(&marker).map_err(files::io(&marker))?;
            if text != MARKER_TEXT {
                return Err(HistoryError::NotHistory {
                    dir: dir.to_path_buf(),
                    why: format!(
                        "{MARKER} says {:?}: written by another version of accessaudit",
                        text.trim()
                    ),
                });
            }
        } else {
            files::replace(&marker, MARKER_TEXT.as_bytes())?;
        }
        Ok(History {
            dir: dir.to_path_buf(),
            _lock: lock,
        })
    }

    /// The folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The decision ledger's path.
    pub fn ledger_path(&self) -> PathBuf {
        self.dir.join("ledger.jsonl")
    }

    /// The folder of issued reviews.
    pub fn reviews_dir(&self) -> PathBuf {
        self.dir.join("reviews")
    }
}
