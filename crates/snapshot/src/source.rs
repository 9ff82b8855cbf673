//! Where a snapshot's tables are read: a PostgreSQL database or a folder of
//! raw export files. Both plan every mapped query before reading a row, and
//! hand each table's rows to the writer in batches.

mod dumps;
mod files;
mod pgpass;
mod postgres;

pub use dumps::Guard;

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
    /// A folder of periodic dumps of current state.
    Dumps(Box<dumps::Series>),
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

    /// The dumps of current state in the folder `dir` (one folder per dump,
    /// named by its date or timestamp), with the completeness `guard`.
    pub fn dumps(dir: &std::path::Path, guard: Guard) -> Result<Self, SnapshotError> {
        Ok(Source::Dumps(Box::new(dumps::Series::open(dir, guard)?)))
    }

    /// The mapping that reads every contract table by its own name (files
    /// named as the contract's tables): for dumps without a mapping file,
    /// from the tables the newest dump holds.
    pub fn identity_mapping(&self) -> Result<Mapping, SnapshotError> {
        let names = match self {
            Source::Dumps(series) => series.newest_tables()?,
            Source::Files(folder) => folder.table_names(),
            Source::Postgres(_) => Vec::new(),
        };
        let mut text = String::from("# the contract's own table names\n");
        for name in names {
            if accessaudit_ingest::contract::table(&name).is_some() {
                text.push_str(&format!(
                    "\n[tables.{name}]\nquery = \"SELECT * FROM {name}\"\n"
                ));
            }
        }
        Mapping::parse("(no --mapping: tables by their contract names)", &text)
    }

    /// What the manifest records besides the source: for dumps, that the
    /// intervals are observed, the dumps, and the accepted drops.
    pub(crate) fn manifest_extra(&self) -> toml::Table {
        let mut extra = toml::Table::new();
        if let Source::Dumps(series) = self {
            extra.insert("intervals".into(), "observed".into());
            extra.insert(
                "dumps".into(),
                toml::Value::Array(
                    series
                        .dumps()
                        .iter()
                        .map(|d| d.label.clone().into())
                        .collect(),
                ),
            );
            if !series.accepted().is_empty() {
                let accepted: toml::Table = series
                    .accepted()
                    .iter()
                    .map(|(k, v)| (k.clone(), v.clone().into()))
                    .collect();
                extra.insert("accepted_drops".into(), accepted.into());
            }
        }
        extra
    }

    /// `(kind, location)` for the manifest: never with credentials.
    pub fn describe(&self) -> (&'static str, String) {
        match self {
            Source::Postgres(db) => ("postgresql", db.target().to_string()),
            Source::Files(folder) => ("files", folder.describe()),
            Source::Dumps(series) => ("dumps", series.describe()),
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
            Source::Dumps(series) => series.read(mapping, sink).map(Some),
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
