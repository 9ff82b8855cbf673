//! The decision ledger: one JSON line per decided worksheet row, each
//! carrying the SHA-256 of the line before, so an edited, removed or
//! reordered line breaks the chain at the first place it was touched.
//! Lines are only ever added; the file is replaced whole with the old bytes
//! and the new lines, so a crash mid-import leaves it as it was.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::files::{self, HistoryError};
use super::History;
use crate::layout::{Decision, SheetKind};
use crate::worksheets::Manager;

/// The `prev` of the first line.
const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One decision, as the ledger records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LedgerRecord {
    /// 1-based position in the ledger: the line number.
    pub seq: u64,
    /// SHA-256 (hex) of the previous line's bytes; zeros for the first.
    pub prev: String,
    /// The review the worksheet belongs to.
    pub review_id: String,
    /// The unit.
    pub unit: String,
    /// The row's item id.
    pub item_id: String,
    /// The sheet it was on.
    pub sheet: SheetKind,
    /// The decision.
    pub decision: Decision,
    /// Why.
    pub comment: String,
    /// When the manager decided.
    pub decided_on: NaiveDate,
    /// Who decided: the manager the worksheet named.
    pub reviewer: Option<Manager>,
    /// The returned file's name.
    pub file: String,
    /// Its SHA-256 (hex).
    pub file_sha256: String,
    /// The row in the file, as the spreadsheet shows it.
    pub row: u32,
    /// When it was imported (UTC, RFC 3339).
    pub imported_at: String,
}

impl LedgerRecord {
    /// The reviewer as messages name them, `Name (code)`, or empty.
    pub fn reviewer_label(&self) -> String {
        self.reviewer
            .as_ref()
            .map(|m| m.to_string())
            .unwrap_or_default()
    }
}

/// A decision before it is chained: what the import checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDecision {
    /// The review.
    pub review_id: String,
    /// The unit.
    pub unit: String,
    /// The item.
    pub item_id: String,
    /// Its sheet.
    pub sheet: SheetKind,
    /// The decision.
    pub decision: Decision,
    /// Why.
    pub comment: String,
    /// When.
    pub decided_on: NaiveDate,
    /// Who.
    pub reviewer: Option<Manager>,
    /// The file's name.
    pub file: String,
    /// The file's SHA-256.
    pub file_sha256: String,
    /// Its row.
    pub row: u32,
}

/// The hash of the ledger's last line (its head), `None` for an empty one.
pub fn head(path: &Path) -> Result<Option<String>, HistoryError> {
    if !path.exists() {
        return Ok(None);
    }
    let bytes = std::fs::read(path).map_err(files::io(path))?;
    Ok(bytes
        .strip_suffix(b"\n")
        .and_then(|b| b.rsplit(|c| *c == b'\n').next())
        .filter(|l| !l.is_empty())
        .map(sha256_hex))
}

/// SHA-256 of `bytes`, as lowercase hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// The ledger's records, the chain checked: the first line that does not
/// parse, is out of sequence, or whose hash the next line does not carry is
/// an error naming it. (The last line has no next line: `review verify`
/// prints its hash, the ledger's head, for the reviewer's records.)
pub fn read(path: &Path) -> Result<Vec<LedgerRecord>, HistoryError> {
    if !path.exists() {
        return Ok(Vec::new());
    }
    let bytes = std::fs::read(path).map_err(files::io(path))?;
    let broken = |line: usize, why: String| HistoryError::Corrupt {
        path: path.to_path_buf(),
        line: Some(line),
        why,
    };
    if !bytes.is_empty() && !bytes.ends_with(b"\n") {
        let lines = bytes.split(|b| *b == b'\n').count();
        return Err(broken(
            lines,
            "the last line is incomplete (no line end)".into(),
        ));
    }
    let mut records = Vec::new();
    let mut prev = GENESIS.to_string();
    let body = bytes.strip_suffix(b"\n").unwrap_or(&bytes);
    if body.is_empty() {
        return Ok(records);
    }
    for (i, line) in body.split(|b| *b == b'\n').enumerate() {
        let number = i + 1;
        let text = std::str::from_utf8(line).map_err(|_| broken(number, "not UTF-8".into()))?;
        let record: LedgerRecord = serde_json::from_str(text)
            .map_err(|e| broken(number, format!("not a ledger record: {e}")))?;
        if record.seq != number as u64 {
            return Err(broken(
                number,
                format!(
                    "seq is {}, expected {number}: a line was removed, added or moved",
                    record.seq
                ),
            ));
        }
        if record.prev != prev {
            // The chain cannot tell a changed line from a changed `prev`; the
            // line before is the one whose bytes no longer match.
            return Err(broken(
                number - 1,
                format!(
                    "changed after it was written: line {number} carries {} as its hash, but it hashes to {prev}",
                    record.prev
                ),
            ));
        }
        prev = sha256_hex(line);
        records.push(record);
    }
    Ok(records)
}

/// The decision in force per (review id, item id): the last one in the
/// ledger, since a later file for the same unit supersedes an earlier one.
pub fn in_force(records: &[LedgerRecord]) -> BTreeMap<(String, String), &LedgerRecord> {
    let mut out = BTreeMap::new();
    for r in records {
        out.insert((r.review_id.clone(), r.item_id.clone()), r);
    }
    out
}

impl History {
    /// The ledger's records, the chain checked ([`read`]).
    pub fn ledger(&self) -> Result<Vec<LedgerRecord>, HistoryError> {
        read(&self.ledger_path())
    }

    /// Appends `decisions` to the ledger, chained to its last line, and
    /// syncs it before returning. The chain is checked first: nothing is
    /// added to a broken ledger.
    pub fn append(
        &self,
        decisions: &[NewDecision],
        imported_at: &str,
    ) -> Result<usize, HistoryError> {
        let path = self.ledger_path();
        let existing = read(&path)?;
        let mut bytes = if path.exists() {
            std::fs::read(&path).map_err(files::io(&path))?
        } else {
            Vec::new()
        };
        let mut prev = bytes
            .strip_suffix(b"\n")
            .map(|b| b.rsplit(|c| *c == b'\n').next().unwrap_or(b))
            .map(sha256_hex)
            .unwrap_or_else(|| GENESIS.to_string());
        for (seq, d) in (existing.len() as u64 + 1..).zip(decisions) {
            let record = LedgerRecord {
                seq,
                prev: prev.clone(),
                review_id: d.review_id.clone(),
                unit: d.unit.clone(),
                item_id: d.item_id.clone(),
                sheet: d.sheet,
                decision: d.decision,
                comment: d.comment.clone(),
                decided_on: d.decided_on,
                reviewer: d.reviewer.clone(),
                file: d.file.clone(),
                file_sha256: d.file_sha256.clone(),
                row: d.row,
                imported_at: imported_at.to_string(),
            };
            let line = serde_json::to_string(&record).map_err(|e| HistoryError::Corrupt {
                path: path.clone(),
                line: None,
                why: e.to_string(),
            })?;
            prev = sha256_hex(line.as_bytes());
            bytes.extend_from_slice(line.as_bytes());
            bytes.push(b'\n');
        }
        files::replace(&path, &bytes)?;
        Ok(decisions.len())
    }
}
