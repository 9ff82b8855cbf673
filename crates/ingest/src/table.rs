//! Loading one table: every file scanned with its row numbers, converted to
//! the contract's types and checked value by value. Tables are read into
//! memory once; the access log is checked with a query that only brings back
//! the rows at fault and stays a lazy scan.

use std::collections::BTreeSet;
use std::sync::Arc;

use polars::io::RowIndex;
use polars::prelude::*;
use polars_utils_path::PlRefPath;

use crate::contract::{ColumnSpec, ColumnType, TableSpec, FILE_COLUMN, ROW_COLUMN};
use crate::convert::{self, Conversion};
use crate::engine::collect_streaming;
use crate::error::{IngestError, ValueError, ValueProblem};
use crate::parquet;
use crate::source::{self, Format, SourceFile};

mod polars_utils_path {
    pub use polars::prelude::PlRefPath;
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
}

impl LoadedTable {
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

const MISSING_PREFIX: &str = "__missing_";
const INVALID_PREFIX: &str = "__invalid_";

/// One file, scanned and planned but not yet validated.
struct PlannedFile {
    /// The scan with canonical (lower-case) column names and `__row`.
    raw: LazyFrame,
    /// The contract columns with their conversions (None: absent optional column).
    columns: Vec<(ColumnSpec, Option<Conversion>)>,
    /// Extra columns of this file, kept as text.
    extras: Vec<String>,
    /// Extra columns of this file left out for their type.
    ignored: Vec<String>,
}

fn to_path(file: &SourceFile) -> Result<PlRefPath, IngestError> {
    PlRefPath::try_from_path(&file.path).map_err(|e| IngestError::polars(&file.name, e))
}

fn read_error(file: &SourceFile, source: PolarsError) -> IngestError {
    // Polars' messages end in hints for its Python API; the first line is the fact.
    let first_line = source
        .to_string()
        .lines()
        .next()
        .unwrap_or_default()
        .to_string();
    let source = PolarsError::ComputeError(first_line.into());
    match file.format {
        Format::Csv => IngestError::Csv {
            file: file.name.clone(),
            source,
        },
        Format::Parquet => IngestError::Parquet {
            file: file.name.clone(),
            source,
        },
    }
}

/// One file scanned, before its columns are planned.
struct Scanned {
    /// The scan with canonical (lower-case) column names and `__row`.
    raw: LazyFrame,
    /// The header (column names) as the file writes it.
    original_names: Vec<String>,
    /// Canonical names and types of the columns in `raw`.
    schema: Schema,
    /// Extra columns left out for their type (Parquet only).
    ignored: Vec<String>,
}

/// Scans one file with canonical column names and its row numbers; a CSV
/// file that is to be held in memory (`eager`) is read at once.
fn scan(file: &SourceFile, spec: &TableSpec, eager: bool) -> Result<Scanned, IngestError> {
    let empty = std::fs::metadata(&file.path)
        .map_err(|source| IngestError::Io {
            file: file.name.clone(),
            source,
        })?
        .len()
        == 0;
    if empty {
        return Err(IngestError::EmptyFile {
            file: file.name.clone(),
        });
    }
    match file.format {
        Format::Csv => {
            let header = source::read_csv_header(file)?;
            source::check_csv(file, &header)?;
            let mut names = Vec::with_capacity(header.names.len());
            for (i, n) in header.names.iter().enumerate() {
                let lower = if n.is_empty() {
                    format!("__unnamed_{}", i + 1)
                } else {
                    n.to_lowercase()
                };
                if names.contains(&lower) {
                    return Err(IngestError::DuplicateColumn {
                        file: file.name.clone(),
                        column: lower,
                    });
                }
                names.push(lower);
            }
            let schema: Schema = names
                .iter()
                .map(|n| Field::new(n.as_str().into(), DataType::String))
                .collect();
            let row_index = RowIndex {
                name: ROW_COLUMN.into(),
                // The header is row 1, the first record row 2.
                offset: 2,
            };
            let lf = if eager {
                // Read at once: a lazy scan costs the start of a query
                // engine per use, which over thousands of small files is
                // most of the time.
                CsvReadOptions::default()
                    .with_has_header(true)
                    .with_schema(Some(Arc::new(schema.clone())))
                    .with_row_index(Some(row_index))
                    .map_parse_options(|o| {
                        o.with_separator(header.separator)
                            .with_missing_is_null(true)
                    })
                    .try_into_reader_with_file_path(Some(file.path.clone()))
                    .and_then(|r| r.finish())
                    .map_err(|e| read_error(file, e))?
                    .lazy()
            } else {
                LazyCsvReader::new(to_path(file)?)
                    .with_has_header(true)
                    .with_separator(header.separator)
                    .with_schema(Some(Arc::new(schema.clone())))
                    .with_row_index(Some(row_index))
                    .with_missing_is_null(true)
                    .finish()
                    .map_err(|e| read_error(file, e))?
            };
            Ok(Scanned {
                raw: lf,
                original_names: header.names,
                schema,
                ignored: Vec::new(),
            })
        }
        Format::Parquet => {
            let scanned = parquet::scan(file, spec)?;
            Ok(Scanned {
                raw: scanned.frame,
                original_names: scanned.original_names,
                schema: scanned.schema,
                ignored: scanned.ignored,
            })
        }
    }
}

fn plan_file(
    spec: &'static TableSpec,
    file: &SourceFile,
    eager: bool,
) -> Result<PlannedFile, IngestError> {
    let Scanned {
        raw,
        original_names,
        schema,
        ignored,
    } = scan(file, spec, eager)?;
    let mut columns = Vec::with_capacity(spec.columns.len());
    for column in spec.columns {
        match schema.get(column.name) {
            None if column.required => {
                return Err(IngestError::MissingColumn {
                    file: file.name.clone(),
                    column: column.name.to_string(),
                    found: original_names.join(", "),
                })
            }
            None => columns.push((*column, None)),
            Some(found) => {
                let conversion = convert::plan(column.name, found, column.ty).map_err(|u| {
                    IngestError::ColumnType {
                        file: file.name.clone(),
                        column: column.name.to_string(),
                        found: u.found.to_string(),
                        expected: column.ty.describe(),
                    }
                })?;
                columns.push((*column, Some(conversion)));
            }
        }
    }
    let extras = schema
        .iter_names()
        .filter(|n| spec.column(n).is_none() && !n.starts_with("__unnamed_"))
        .map(|n| n.to_string())
        .collect();
    Ok(PlannedFile {
        raw,
        columns,
        extras,
        ignored,
    })
}

/// The flag columns of a planned file, named: one per check a value can fail.
fn flags(planned: &PlannedFile) -> Vec<(String, Expr)> {
    let mut out = Vec::new();
    for (spec, conversion) in &planned.columns {
        let Some(conv) = conversion else { continue };
        if spec.required {
            let name = format!("{MISSING_PREFIX}{}", spec.name);
            out.push((name.clone(), conv.present.clone().not().alias(name)));
        }
        if conv.can_fail {
            let name = format!("{INVALID_PREFIX}{}", spec.name);
            let invalid = conv.present.clone().and(conv.typed.clone().is_null());
            out.push((name.clone(), invalid.alias(name)));
        }
    }
    out
}

fn problem_for(spec: &ColumnSpec) -> ValueProblem {
    match spec.ty {
        ColumnType::Date => ValueProblem::NotADate,
        ColumnType::Timestamp => ValueProblem::NotATimestamp,
        ColumnType::Bool => ValueProblem::NotABool,
        ColumnType::Enum(words) => ValueProblem::UnknownWord {
            allowed: words.join(", "),
        },
        ColumnType::Id | ColumnType::Person => ValueProblem::Empty,
    }
}

/// Runs the value checks of one file; returns the unreadable values, row by row.
fn find_bad_values(
    file: &SourceFile,
    planned: &PlannedFile,
    mode: ReadMode,
) -> Result<Vec<ValueError>, IngestError> {
    let flag_exprs = flags(planned);
    if flag_exprs.is_empty() {
        return Ok(Vec::new());
    }
    let flag_names: Vec<String> = flag_exprs.iter().map(|(n, _)| n.clone()).collect();
    let flag_exprs: Vec<Expr> = flag_exprs.into_iter().map(|(_, e)| e).collect();
    let any = flag_names
        .iter()
        .map(|n| col(n.as_str()))
        .reduce(|a, b| a.or(b))
        .unwrap_or(lit(false));
    let mut select: Vec<Expr> = vec![col(ROW_COLUMN)];
    select.extend(flag_names.iter().map(|n| col(n.as_str())));
    // First the rows at fault, reading only the columns that are checked
    // (in the access log, not the unique event ids, say).
    let mut query = planned
        .raw
        .clone()
        .with_columns(flag_exprs)
        .filter(any)
        .select(select.clone());
    if !mode.lenient {
        // Strict mode stops at the first bad row: no need to read further.
        query = query.limit(1);
    }
    let flagged = collect_streaming(query).map_err(|e| read_error(file, e))?;
    if flagged.height() == 0 {
        return Ok(Vec::new());
    }
    // Then their values as written.
    for (spec, conv) in &planned.columns {
        if conv.is_some() {
            select.push(col(spec.name).cast(DataType::String));
        }
    }
    let bad = collect_streaming(
        planned
            .raw
            .clone()
            .join(
                flagged.lazy(),
                [col(ROW_COLUMN)],
                [col(ROW_COLUMN)],
                JoinArgs::new(JoinType::Inner),
            )
            .select(select),
    )
    .map_err(|e| read_error(file, e))?;
    let rows = bad
        .column(ROW_COLUMN)
        .and_then(|c| c.cast(&DataType::UInt64))
        .map_err(|e| IngestError::polars(&file.name, e))?;
    let rows = rows
        .u64()
        .map_err(|e| IngestError::polars(&file.name, e))?
        .clone();
    let mut out = Vec::new();
    for (spec, conv) in &planned.columns {
        if conv.is_none() {
            continue;
        }
        let values = bad
            .column(spec.name)
            .map_err(|e| IngestError::polars(&file.name, e))?
            .str()
            .map_err(|e| IngestError::polars(&file.name, e))?
            .clone();
        for (prefix, problem) in [
            (MISSING_PREFIX, ValueProblem::Empty),
            (INVALID_PREFIX, problem_for(spec)),
        ] {
            let Ok(flag) = bad.column(&format!("{prefix}{}", spec.name)) else {
                continue;
            };
            let flag = flag
                .bool()
                .map_err(|e| IngestError::polars(&file.name, e))?;
            for i in 0..bad.height() {
                if flag.get(i) == Some(true) {
                    out.push(ValueError {
                        file: file.name.clone(),
                        row: rows.get(i).unwrap_or(0),
                        column: spec.name.to_string(),
                        value: values.get(i).map(str::to_string),
                        problem: problem.clone(),
                    });
                }
            }
        }
    }
    out.sort_by_key(|e| e.row);
    Ok(out)
}

fn count_rows(file: &SourceFile, planned: &PlannedFile) -> Result<u64, IngestError> {
    let df = collect_streaming(planned.raw.clone().select([len().alias("n")]))
        .map_err(|e| read_error(file, e))?;
    let n = df
        .column("n")
        .and_then(|c| c.cast(&DataType::UInt64))
        .map_err(|e| IngestError::polars(&file.name, e))?;
    Ok(n.u64()
        .map_err(|e| IngestError::polars(&file.name, e))?
        .get(0)
        .unwrap_or(0))
}

/// The contract's columns of one file, typed (absent optional ones null),
/// then the file's extra columns as text, `__file` and `__row`.
fn typed_columns(planned: &PlannedFile, file_index: u32) -> Vec<Expr> {
    let mut exprs: Vec<Expr> = planned
        .columns
        .iter()
        .map(|(spec, conv)| match conv {
            Some(c) => c.typed.clone().alias(spec.name),
            None => lit(NULL).cast(spec.ty.dtype()).alias(spec.name),
        })
        .collect();
    for extra in &planned.extras {
        exprs.push(col(extra.as_str()).cast(DataType::String));
    }
    exprs.push(lit(file_index).cast(DataType::UInt32).alias(FILE_COLUMN));
    exprs.push(col(ROW_COLUMN).cast(DataType::UInt64));
    exprs
}

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
    })
}

/// Reads and checks every file of a table. In strict mode the first
/// unreadable value is an error; in lenient mode its row is left out and listed.
pub fn load(
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
    })
}

/// An empty frame with the table's typed columns, for an absent optional table.
pub fn empty_frame(spec: &TableSpec) -> LazyFrame {
    let mut columns: Vec<Column> = spec
        .columns
        .iter()
        .map(|c| Column::full_null(c.name.into(), 0, &c.ty.dtype()))
        .collect();
    columns.push(Column::full_null(FILE_COLUMN.into(), 0, &DataType::UInt32));
    columns.push(Column::full_null(ROW_COLUMN.into(), 0, &DataType::UInt64));
    DataFrame::new(0, columns).unwrap_or_default().lazy()
}
