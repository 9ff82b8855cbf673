//! Loading one table: every file scanned with its row numbers, converted to
//! the contract's types and checked value by value. Tables are read into
//! memory once; the access log is checked with a query that only brings back
//! the rows at fault and stays a lazy scan.

use std::collections::BTreeSet;

use polars::prelude::*;

use crate::contract::{TableSpec, FILE_COLUMN, ROW_COLUMN};
use crate::error::{IngestError, ValueError};
use crate::source::SourceFile;

mod polars_utils_path {
    pub(super) use polars::prelude::PlRefPath;
}

/// A table read from the snapshot: a typed lazy frame plus what reading it found.
#[derive(Clone)]
pub struct LoadedTable {
    /// The contract's description of the table.
    pub spec: &'static TableSpec,
    /// The files it was read from, in order; `__file` indexes this list.
    pub files: Vec<SourceFile>,
    /// Typed rows: the contract's columns (absent optional ones as nulls), any
    /// extra columns as text, then `__file` and `__row` for `table:row` references.
    pub frame: LazyFrame,
    /// Rows found in the files (including rejected ones).
    pub rows_read: u64,
    /// Rows left out under `--lenient`.
    pub rows_rejected: u64,
    /// Why rows were rejected: one entry per unreadable value.
    pub rejected: Vec<ValueError>,
    /// Columns the files have beyond the contract's (kept, ignored by the rules).
    pub extra_columns: Vec<String>,
    /// Optional contract columns that no file of the table has (their values
    /// are all null): a rule that needs one is not evaluable.
    pub absent_columns: Vec<&'static str>,
}

impl LoadedTable {
    /// Whether some file of the table has contract column `name`.
    pub fn has_column(&self, name: &str) -> bool {
        self.spec.column(name).is_some() && !self.absent_columns.contains(&name)
    }

    /// The `table:row` reference of row `row` of file number `file`.
    pub fn row_ref(&self, file: u32, row: u64) -> String {
        let name = self
            .files
            .get(file as usize)
            .map_or(self.spec.name, |f| f.name.as_str());
        format!("{name}:{row}")
    }
}

/// How strictly values are checked.
#[derive(Debug, Clone, Copy, Default)]
pub struct ReadMode {
    /// Reject rows with unreadable values instead of stopping.
    pub lenient: bool,
}

pub(crate) mod file;
use file::{count_rows, find_bad_values, flags, plan_file, read_error, typed_columns, PlannedFile};

/// Leaves out the rows numbered `rows` (the rejected ones).
fn without_rows(frame: LazyFrame, rows: &[u64]) -> LazyFrame {
    if rows.is_empty() {
        return frame;
    }
    let rejected = Series::new("rejected".into(), rows);
    frame.filter(
        col(ROW_COLUMN)
            .cast(DataType::UInt64)
            .is_in(lit(rejected).implode(false), false)
            .not(),
    )
}

/// Gives a file's typed frame the extra columns of every file of its table
/// (null where this file lacks one), so that the files concatenate.
fn with_all_extras(
    frame: LazyFrame,
    spec: &TableSpec,
    own: &[String],
    all: &[String],
) -> LazyFrame {
    if own == all {
        return frame;
    }
    let mut exprs: Vec<Expr> = spec.columns.iter().map(|c| col(c.name)).collect();
    for extra in all {
        if own.contains(extra) {
            exprs.push(col(extra.as_str()));
        } else {
            exprs.push(lit(NULL).cast(DataType::String).alias(extra.as_str()));
        }
    }
    exprs.push(col(FILE_COLUMN));
    exprs.push(col(ROW_COLUMN));
    frame.select(exprs)
}

/// The rows with an unreadable value, in order, each once.
fn rejected_rows(problems: &[ValueError]) -> Vec<u64> {
    problems
        .iter()
        .map(|e| e.row)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect()
}

/// One file read and checked.
struct FileRead {
    /// Its typed rows without the rejected ones (see [`typed_columns`]).
    frame: LazyFrame,
    /// Rows found in the file.
    rows: u64,
    /// Its unreadable values.
    problems: Vec<ValueError>,
    /// Its extra columns kept as text.
    extras: Vec<String>,
    /// Its extra columns left out for their type.
    ignored: Vec<String>,
    /// The rows held in memory, when `frame` is not a scan of the file.
    memory: Option<DataFrame>,
    /// The optional contract columns the file lacks.
    absent: Vec<&'static str>,
}

/// Whether a table is read into memory once at load. Every table but the
/// access log is: the rules use them many times, and a CSV file would
/// otherwise be parsed and converted again for each use. The access log may
/// not fit in memory; it stays a scan that the rules read a slice at a time.
fn kept_in_memory(spec: &TableSpec) -> bool {
    spec.name != "access_log"
}

/// Access-log files up to this size are read into memory all the same, and
/// stacked with their neighbours into one frame: a partition of thousands of
/// small files as one lazy scan per file unioned took minutes, could
/// deadlock Polars' streaming engine and opened every file at once (too many
/// open files). A part of the generator's size (2 M events) is far larger.
const SMALL_FILE_BYTES: u64 = 1 << 20;

/// The most bytes of small access-log files read into memory; the files
/// after that stay lazy scans.
const SMALL_FILES_BUDGET: u64 = 256 << 20;

/// Reads a file into memory in one pass, its values converted and checked
/// together; only a file with unreadable values is read again, for the
/// values as written.
fn read_in_memory(
    file: &SourceFile,
    planned: PlannedFile,
    file_index: u32,
    mode: ReadMode,
) -> Result<FileRead, IngestError> {
    let absent = absent_columns(&planned);
    let flags = flags(&planned);
    let flag_names: Vec<String> = flags.iter().map(|(n, _)| n.clone()).collect();
    let mut exprs = typed_columns(&planned, file_index);
    exprs.extend(flags.into_iter().map(|(_, e)| e));
    let df = planned
        .raw
        .clone()
        .select(exprs)
        .collect()
        .map_err(|e| read_error(file, e))?;
    let mut any_bad = false;
    for name in &flag_names {
        let flag = df
            .column(name)
            .and_then(|c| c.bool().map(|b| b.any()))
            .map_err(|e| IngestError::polars(&file.name, e))?;
        any_bad |= flag;
    }
    let problems = if any_bad {
        find_bad_values(file, &planned, mode)?
    } else {
        Vec::new()
    };
    let rejected = rejected_rows(&problems);
    let rows = df.height() as u64;
    // Without a rejected row no query is needed: over thousands of small
    // files, each query's start is most of the time.
    let df = df.drop_many(flag_names.iter().map(String::as_str));
    let df = if rejected.is_empty() {
        df
    } else {
        without_rows(df.lazy(), &rejected)
            .collect()
            .map_err(|e| read_error(file, e))?
    };
    Ok(FileRead {
        frame: df.clone().lazy(),
        rows,
        problems,
        extras: planned.extras,
        ignored: planned.ignored,
        memory: Some(df),
        absent,
    })
}

/// Checks a file with a query that brings back only the rows at fault, and
/// leaves its rows a lazy scan.
fn read_lazily(
    file: &SourceFile,
    planned: PlannedFile,
    file_index: u32,
    mode: ReadMode,
) -> Result<FileRead, IngestError> {
    let absent = absent_columns(&planned);
    let problems = find_bad_values(file, &planned, mode)?;
    let rows = count_rows(file, &planned)?;
    let rejected = rejected_rows(&problems);
    let exprs = typed_columns(&planned, file_index);
    let frame = without_rows(planned.raw, &rejected).select(exprs);
    Ok(FileRead {
        frame,
        rows,
        problems,
        extras: planned.extras,
        ignored: planned.ignored,
        memory: None,
        absent,
    })
}

/// Reads and checks every file of a table. In strict mode the first
/// unreadable value is an error; in lenient mode its row is left out and listed.
pub(crate) fn load(
    spec: &'static TableSpec,
    files: Vec<SourceFile>,
    mode: ReadMode,
) -> Result<LoadedTable, IngestError> {
    let mut reads = Vec::with_capacity(files.len());
    let mut budget = SMALL_FILES_BUDGET;
    for (i, file) in files.iter().enumerate() {
        let size = std::fs::metadata(&file.path)
            .map_err(|source| IngestError::Io {
                file: file.name.clone(),
                source,
            })?
            .len();
        let small = !kept_in_memory(spec) && size <= SMALL_FILE_BYTES && size <= budget;
        if small {
            budget -= size;
        }
        let in_memory = kept_in_memory(spec) || small;
        let planned = plan_file(spec, file, in_memory)?;
        let read = if in_memory {
            read_in_memory(file, planned, i as u32, mode)?
        } else {
            read_lazily(file, planned, i as u32, mode)?
        };
        if let Some(first) = read.problems.first() {
            if !mode.lenient {
                return Err(IngestError::Value(first.clone()));
            }
        }
        reads.push(read);
    }
    let extras: Vec<String> = reads
        .iter()
        .flat_map(|r| r.extras.iter().cloned())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    // Extra columns left out for their type are still named as extra columns.
    let extra_columns: Vec<String> = reads
        .iter()
        .flat_map(|r| r.extras.iter().chain(&r.ignored).cloned())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let absent_columns: Vec<&'static str> = spec
        .columns
        .iter()
        .map(|c| c.name)
        .filter(|name| reads.iter().all(|r| r.absent.contains(name)))
        .collect();
    let rows_read = reads.iter().map(|r| r.rows).sum();
    let rows_rejected = reads
        .iter()
        .map(|r| rejected_rows(&r.problems).len() as u64)
        .sum();
    let combining = |e| IngestError::polars(format!("combining the files of {}", spec.name), e);
    let mut rejected = Vec::new();
    let mut frames = Vec::new();
    // Neighbouring files held in memory are stacked into one frame (in file
    // order), so that a query over the table plans one input for them.
    let mut stacked: Option<DataFrame> = None;
    for read in reads {
        rejected.extend(read.problems);
        if let Some(df) = read.memory {
            // A frame held in memory whose columns are already the table's
            // is stacked as it is, without a query's start.
            let df = if read.extras == extras {
                df
            } else {
                with_all_extras(df.lazy(), spec, &read.extras, &extras)
                    .collect()
                    .map_err(combining)?
            };
            match stacked.as_mut() {
                Some(all) => {
                    all.vstack_mut_owned(df).map_err(combining)?;
                }
                None => stacked = Some(df),
            }
        } else {
            if let Some(mut all) = stacked.take() {
                all.rechunk_mut_par();
                frames.push(all.lazy());
            }
            frames.push(with_all_extras(read.frame, spec, &read.extras, &extras));
        }
    }
    if let Some(mut all) = stacked.take() {
        all.rechunk_mut_par();
        frames.push(all.lazy());
    }
    let parts = frames.len();
    let mut frame = match parts {
        1 => frames.into_iter().next().unwrap_or_default(),
        _ => concat(frames, UnionArgs::default()).map_err(combining)?,
    };
    if kept_in_memory(spec) && parts > 1 {
        frame = frame.collect().map_err(combining)?.lazy();
    }
    Ok(LoadedTable {
        spec,
        files,
        frame,
        rows_read,
        rows_rejected,
        rejected,
        extra_columns,
        absent_columns,
    })
}

/// The optional contract columns a planned file lacks.
fn absent_columns(planned: &PlannedFile) -> Vec<&'static str> {
    planned
        .columns
        .iter()
        .filter(|(_, conversion)| conversion.is_none())
        .map(|(spec, _)| spec.name)
        .collect()
}

/// An empty frame with the table's typed columns, for an absent optional table.
pub(crate) fn empty_frame(spec: &TableSpec) -> LazyFrame {
    let mut columns: Vec<Column> = spec
        .columns
        .iter()
        .map(|c| Column::full_null(c.name.into(), 0, &c.ty.dtype()))
        .collect();
    columns.push(Column::full_null(FILE_COLUMN.into(), 0, &DataType::UInt32));
    columns.push(Column::full_null(ROW_COLUMN.into(), 0, &DataType::UInt64));
    DataFrame::new(0, columns).unwrap_or_default().lazy()
}
