//! `accessaudit snapshot`: a snapshot directory in the input contract
//! (Parquet, `access_log` partitioned by month) written from where the data
//! lives — a PostgreSQL database or a folder of raw export files — through
//! a mapping file that gives, per contract table, one SQL query whose result
//! columns are the contract's.
//!
//! The order of work keeps the evidence sound: the mapping is checked
//! ([`mapping`]), every query is planned against the source before a row is
//! read (missing columns, unusable types), the rows are converted with the
//! loader's own conversions and written under a temporary name, the written
//! directory is loaded as an audit would load it, and only then does it take
//! its name. A failure at any step leaves no directory behind.

mod error;
pub mod mapping;
pub mod source;
mod write;

use std::path::Path;

pub use error::SnapshotError;
pub use mapping::Mapping;
pub use source::{Guard, Source};

/// What [`take`] reports while it works.
#[derive(Debug, Clone, Copy)]
pub enum Progress<'a> {
    /// A table is being read.
    Table(&'a str),
    /// Rows of the table read so far.
    Rows(&'a str, u64),
}

/// What [`take`] wrote.
#[derive(Debug, Clone)]
pub struct Taken {
    /// `as_of` recorded in the manifest, when one is known.
    pub as_of: Option<String>,
    /// Each table written and its row count, in contract order.
    pub tables: Vec<(String, u64)>,
}

/// Reads every table `mapping` maps from `source` and writes the snapshot
/// directory `out` (which must not exist yet). `as_of` overrides the
/// source's own (the database transaction's start, or the mapping's).
pub fn take(
    source: &mut Source,
    mapping: &Mapping,
    out: &Path,
    as_of: Option<&str>,
    progress: &mut dyn FnMut(Progress<'_>),
) -> Result<Taken, SnapshotError> {
    write::take(source, mapping, out, as_of, progress)
}
