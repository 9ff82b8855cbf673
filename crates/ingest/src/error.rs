//! Typed errors of loading a snapshot. Every message names the file, and where
//! a single value is at fault the row (as a spreadsheet shows it), the column
//! and the value.

use std::path::PathBuf;

use polars::prelude::PolarsError;

/// Why one value could not be read as its column's type.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ValueProblem {
    /// A required column has no value in this row.
    #[error("a required value is empty")]
    Empty,
    /// Not a `YYYY-MM-DD` or `DD.MM.YYYY` date.
    #[error("not a date (expected YYYY-MM-DD or DD.MM.YYYY)")]
    NotADate,
    /// Not an ISO 8601 timestamp.
    #[error("not a timestamp (expected YYYY-MM-DDTHH:MM:SS with an optional offset)")]
    NotATimestamp,
    /// Not one of the bool spellings.
    #[error("not a bool (expected true/false, 1/0, yes/no or jah/ei)")]
    NotABool,
    /// Not one of the enum's words.
    #[error("unknown word (expected one of: {allowed})")]
    UnknownWord {
        /// The accepted words, comma-separated.
        allowed: String,
    },
}

/// One unreadable value: where it is and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValueError {
    /// File relative to the snapshot directory.
    pub file: String,
    /// 1-based row as a spreadsheet shows it (CSV header = 1) or Parquet row.
    pub row: u64,
    /// Canonical column name.
    pub column: String,
    /// The value as found (None when empty).
    pub value: Option<String>,
    /// What is wrong.
    pub problem: ValueProblem,
}

impl std::fmt::Display for ValueError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}: column `{}`", self.file, self.row, self.column)?;
        match &self.value {
            Some(v) => write!(f, ", value {v:?}: {}", self.problem),
            None => write!(f, ": {}", self.problem),
        }
    }
}

/// Everything that can make a snapshot unusable.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    /// The snapshot directory cannot be listed.
    #[error("{}: cannot read the snapshot directory: {source}", path.display())]
    Directory {
        /// The directory.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A file cannot be opened or read.
    #[error("{file}: cannot read: {source}")]
    Io {
        /// File relative to the snapshot directory.
        file: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A required table has no file.
    #[error("required table `{table}` is missing: expected {table}.csv, {table}.parquet or a directory {table}/ in {}", dir.display())]
    MissingTable {
        /// Table name.
        table: String,
        /// The snapshot directory.
        dir: PathBuf,
    },
    /// A table is given twice (e.g. as CSV and as Parquet).
    #[error("table `{table}` is given more than once: {}", files.join(", "))]
    AmbiguousTable {
        /// Table name.
        table: String,
        /// The competing files.
        files: Vec<String>,
    },
    /// A table directory holds no CSV or Parquet file.
    #[error("{dir}: the table directory holds no .csv or .parquet file")]
    EmptyDirectory {
        /// Directory relative to the snapshot directory.
        dir: String,
    },
    /// A file has no content at all (not even a header).
    #[error("{file}: the file is empty (a CSV file needs at least its header row)")]
    EmptyFile {
        /// File relative to the snapshot directory.
        file: String,
    },
    /// The same column appears twice in a header (names compare case-insensitively).
    #[error("{file}:1: column `{column}` appears more than once in the header")]
    DuplicateColumn {
        /// File.
        file: String,
        /// Column name (lower case).
        column: String,
    },
    /// A required column is absent.
    #[error("{file}: required column `{column}` is missing (columns found: {found})")]
    MissingColumn {
        /// File.
        file: String,
        /// Column name.
        column: String,
        /// The header as found.
        found: String,
    },
    /// A Parquet column has a physical type the contract cannot read as its type.
    #[error("{file}: column `{column}` has type {found}, which cannot be read as {expected}")]
    ColumnType {
        /// File.
        file: String,
        /// Column name.
        column: String,
        /// The type found.
        found: String,
        /// The contract type.
        expected: String,
    },
    /// Bytes that are not UTF-8 in a CSV file.
    #[error("{file}:{row}: column `{column}`, value {value:?}: bytes that are not UTF-8 (save the file as UTF-8)")]
    NotUtf8 {
        /// File.
        file: String,
        /// Spreadsheet row.
        row: u64,
        /// Column name, or `#N` when the row has more fields than the header.
        column: String,
        /// The field with invalid bytes replaced by U+FFFD.
        value: String,
    },
    /// A CSV row that does not fit the header, or an unclosed quote.
    #[error("{file}:{row}: {message}")]
    CsvShape {
        /// File.
        file: String,
        /// Spreadsheet row where the problem starts.
        row: u64,
        /// What is wrong.
        message: String,
    },
    /// A CSV field whose quotes are misplaced (`Ma"ri`, `"Laura" Mets`).
    #[error("{file}:{row}: column `{column}`, value {value:?}: {message}")]
    CsvValue {
        /// File.
        file: String,
        /// Spreadsheet row (the header is row 1).
        row: u64,
        /// Column name, or `#N` when the row has more fields than the header.
        column: String,
        /// The field as written, up to the next separator or line end.
        value: String,
        /// What is wrong.
        message: String,
    },
    /// A value that cannot be read as its column's type.
    #[error("{0}")]
    Value(ValueError),
    /// A CSV file Polars cannot parse (unbalanced quotes, ragged rows, ...).
    #[error("{file}: not a readable CSV file: {source}")]
    Csv {
        /// File.
        file: String,
        /// The parser's error.
        source: PolarsError,
    },
    /// A Parquet file that is truncated, corrupt or not Parquet.
    #[error("{file}: not a readable Parquet file: {source}")]
    Parquet {
        /// File.
        file: String,
        /// The reader's error.
        source: PolarsError,
    },
    /// `manifest.toml` is not valid.
    #[error("{file}: {message}")]
    Manifest {
        /// File.
        file: String,
        /// What is wrong, with line and column.
        message: String,
    },
    /// A `--period` or manifest period that cannot be read.
    #[error("period {value:?}: {reason}")]
    Period {
        /// The text given.
        value: String,
        /// Why it is not a period.
        reason: String,
    },
    /// An `--as-of` or manifest `as_of` that cannot be read.
    #[error("as_of {value:?}: not a timestamp or date (expected e.g. 2026-09-30T23:59:59+03:00 or 2026-09-30)")]
    AsOf {
        /// The text given.
        value: String,
    },
    /// `as_of` lies before the review period starts.
    #[error("as_of {as_of} (from {as_of_from}) is before the review period starts: {period}, from {period_from}. The audit would judge the period's events by the state before it; give an as_of at or after the start of the period, or another period")]
    AsOfBeforePeriod {
        /// `as_of` as written (or found in the data).
        as_of: String,
        /// Where it came from: `--as-of`, `manifest.toml`, the data.
        as_of_from: String,
        /// The period, with its days.
        period: String,
        /// Where it came from: `--period`, `manifest.toml`.
        period_from: String,
    },
    /// A file in a table folder that is not read (compressed, unknown kind).
    #[error("{file}: {reason}")]
    UnreadFile {
        /// File relative to the snapshot directory.
        file: String,
        /// Why it is not read and what to do.
        reason: String,
    },
    /// A query over a table failed for another reason.
    #[error("{context}: {source}")]
    Polars {
        /// What was being done.
        context: String,
        /// The Polars error.
        source: PolarsError,
    },
}

impl IngestError {
    /// Wraps a Polars error with what was being done.
    pub fn polars(context: impl Into<String>, source: PolarsError) -> Self {
        IngestError::Polars {
            context: context.into(),
            source,
        }
    }
}
