//! A folder of raw export files as a source: each CSV or Parquet file is a
//! table named by its file name (lower case, without the extension), and
//! the mapping's queries run over them in Polars' SQL engine. CSV files are
//! read with every column as text (`,` or `;`, as the header line shows),
//! so a date or code keeps the form the export wrote until the query or the
//! contract reads it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use polars::prelude::*;
use polars::sql::SQLContext;

use super::TableSink;
use crate::mapping::Mapping;
use crate::SnapshotError;

/// Rows handed to the writer at a time.
const BATCH_ROWS: usize = 250_000;

/// A folder of export files, registered as SQL tables.
pub struct Folder {
    dir: PathBuf,
    tables: BTreeMap<String, PathBuf>,
    context: SQLContext,
}

impl Folder {
    /// Registers every `.csv` and `.parquet` file in `dir` (not in its
    /// subfolders) as a table.
    pub(super) fn open(dir: &Path) -> Result<Self, SnapshotError> {
        if !dir.is_dir() {
            return Err(SnapshotError::Usage(format!(
                "--source {}: neither a postgres:// URL nor a folder of export files",
                dir.display()
            )));
        }
        let entries = std::fs::read_dir(dir).map_err(|e| SnapshotError::io(dir, e))?;
        let mut tables = BTreeMap::new();
        let context = SQLContext::new();
        let mut paths: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.is_file())
            .collect();
        paths.sort();
        for path in paths {
            let ext = path
                .extension()
                .map(|e| e.to_string_lossy().to_lowercase())
                .unwrap_or_default();
            let name = path
                .file_stem()
                .map(|s| s.to_string_lossy().to_lowercase())
                .unwrap_or_default();
            let frame = match ext.as_str() {
                "csv" => csv(&path)?,
                "parquet" => LazyFrame::scan_parquet(
                    PlRefPath::try_from_path(&path).map_err(|source| SnapshotError::Polars {
                        context: path.display().to_string(),
                        source,
                    })?,
                    ScanArgsParquet::default(),
                )
                .map_err(|source| SnapshotError::Polars {
                    context: path.display().to_string(),
                    source,
                })?,
                _ => continue,
            };
            if let Some(first) = tables.insert(name.clone(), path.clone()) {
                return Err(SnapshotError::Usage(format!(
                    "{} and {} are both table {name:?}",
                    first.display(),
                    path.display()
                )));
            }
            context.register(&name, frame);
        }
        Ok(Folder {
            dir: dir.to_path_buf(),
            tables,
            context,
        })
    }

    /// The result of `query`, every column as text under its lower-case
    /// name.
    pub(super) fn query_text(&mut self, query: &str) -> PolarsResult<DataFrame> {
        let frame = self.context.execute(query)?.collect()?;
        let columns = frame
            .columns()
            .iter()
            .map(|c| {
                let name = c.name().to_lowercase();
                c.cast(&DataType::String).map(|c| c.with_name(name.into()))
            })
            .collect::<PolarsResult<Vec<Column>>>()?;
        DataFrame::new_infer_height(columns)
    }

    /// The names of the folder's tables.
    pub(super) fn table_names(&self) -> Vec<String> {
        self.tables.keys().cloned().collect()
    }

    /// The folder and its tables, for the manifest.
    pub(super) fn describe(&self) -> String {
        let names: Vec<&str> = self.tables.keys().map(String::as_str).collect();
        format!("{} ({})", self.dir.display(), names.join(", "))
    }

    /// Plans every query (the result's columns, without reading the
    /// files), then runs each and hands its rows to `sink`.
    pub(super) fn read(
        &mut self,
        mapping: &Mapping,
        sink: &mut dyn TableSink,
    ) -> Result<(), SnapshotError> {
        let known: Vec<String> = self.tables.keys().cloned().collect();
        let mut planned = Vec::new();
        for table in &mapping.tables {
            let failed = |e: PolarsError| SnapshotError::Query {
                file: mapping.file.clone(),
                line: table.line,
                table: table.table.name.to_string(),
                message: format!("{e} (the folder's tables: {})", known.join(", ")),
            };
            let mut frame = self.context.execute(&table.query).map_err(failed)?;
            let schema = frame.collect_schema().map_err(failed)?;
            let names: Vec<String> = schema.iter_names().map(|n| n.to_lowercase()).collect();
            super::missing_columns(mapping, table, &names)?;
            let renames: Vec<(String, String)> = schema
                .iter_names()
                .map(|n| (n.to_string(), n.to_lowercase()))
                .filter(|(a, b)| a != b)
                .collect();
            let (from, to): (Vec<String>, Vec<String>) = renames.into_iter().unzip();
            planned.push(frame.rename(from, to, true));
        }
        for (table, frame) in mapping.tables.iter().zip(planned) {
            sink.begin(table)?;
            let rows = frame.collect().map_err(|e| SnapshotError::Query {
                file: mapping.file.clone(),
                line: table.line,
                table: table.table.name.to_string(),
                message: e.to_string(),
            })?;
            let mut at = 0;
            while at < rows.height() || at == 0 {
                let batch = rows.slice(at as i64, BATCH_ROWS);
                sink.rows(table, batch, at as u64 + 1)?;
                at += BATCH_ROWS;
            }
            sink.end(table)?;
        }
        Ok(())
    }
}

/// A CSV export, every column as text, its separator from its header line.
fn csv(path: &Path) -> Result<LazyFrame, SnapshotError> {
    use std::io::BufRead;
    let file = std::fs::File::open(path).map_err(|e| SnapshotError::io(path, e))?;
    let mut header = String::new();
    std::io::BufReader::new(file)
        .read_line(&mut header)
        .map_err(|e| SnapshotError::io(path, e))?;
    let separator = if header.matches(';').count() > header.matches(',').count() {
        b';'
    } else {
        b','
    };
    LazyCsvReader::new(
        PlRefPath::try_from_path(path).map_err(|source| SnapshotError::Polars {
            context: path.display().to_string(),
            source,
        })?,
    )
    .with_has_header(true)
    .with_separator(separator)
    .with_infer_schema_length(Some(0))
    .with_missing_is_null(true)
    .finish()
    .map_err(|source| SnapshotError::Polars {
        context: path.display().to_string(),
        source,
    })
}
