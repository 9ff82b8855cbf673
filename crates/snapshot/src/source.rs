//! Where a snapshot's tables are read: a PostgreSQL database or a folder of
//! raw export files. Both plan every mapped query before reading a row, and
//! hand each table's rows to the writer in batches.

mod files;
mod pgpass;
mod postgres;

use polars::prelude::DataFrame;

use crate::mapping::{Mapping, TableMapping};
use crate::SnapshotError;

/// What receives a source's rows.
pub(crate) trait TableSink {
    /// A table's rows begin.
    fn begin(&mut self, table: &TableMapping) -> Result<(), SnapshotError>;
    /// A batch of a table's rows as the query returned them (columns under
    /// the query's names, lower-cased), `first_row` the 1-based number of
    /// its first row in the result.
    fn rows(
        &mut self,
        table: &TableMapping,
        batch: DataFrame,
        first_row: u64,
    ) -> Result<(), SnapshotError>;
    /// A table's rows are all there.
    fn end(&mut self, table: &TableMapping) -> Result<(), SnapshotError>;
}

/// A source of tables.
pub enum Source {
    /// A PostgreSQL database.
    Postgres(Box<postgres::Database>),
    /// A folder of raw export files, each a table by its file name.
    Files(Box<files::Folder>),
}

impl Source {
    /// The source `spec` names: a `postgres://` or `postgresql://` URL
    /// (without a password: it comes from `PGPASSWORD` or `~/.pgpass`), or a
    /// folder of CSV and Parquet files.
    pub fn open(spec: &str) -> Result<Self, SnapshotError> {
        if spec.starts_with("postgres://") || spec.starts_with("postgresql://") {
            return Ok(Source::Postgres(Box::new(postgres::Database::connect(
                spec,
            )?)));
        }
        Ok(Source::Files(Box::new(files::Folder::open(
            std::path::Path::new(spec),
        )?)))
    }

    /// `(kind, location)` for the manifest: never with credentials.
    pub fn describe(&self) -> (&'static str, String) {
        match self {
            Source::Postgres(db) => ("postgresql", db.target().to_string()),
            Source::Files(folder) => ("files", folder.describe()),
        }
    }

    /// Plans every query of `mapping`, then reads each table into `sink`;
    /// returns the source's own `as_of` when it has one (a database
    /// transaction's start).
    pub(crate) fn read(
        &mut self,
        mapping: &Mapping,
        sink: &mut dyn TableSink,
    ) -> Result<Option<String>, SnapshotError> {
        match self {
            Source::Postgres(db) => db.read(mapping, sink).map(Some),
            Source::Files(folder) => folder.read(mapping, sink).map(|()| None),
        }
    }
}

/// The problem of a query's result that lacks required columns.
pub(crate) fn missing_columns(
    mapping: &Mapping,
    table: &TableMapping,
    columns: &[String],
) -> Result<(), SnapshotError> {
    let missing = crate::mapping::missing_required(table.table, columns);
    if missing.is_empty() {
        return Ok(());
    }
    Err(SnapshotError::Mapping {
        file: mapping.file.clone(),
        line: table.line,
        message: format!(
            "[tables.{}]: the query's result has no column {} (it returns: {})",
            table.table.name,
            missing.join(", "),
            columns.join(", ")
        ),
    })
}
