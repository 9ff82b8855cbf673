//! One file of a table planned and checked: scanned with its row numbers,
//! every column converted to the contract's type, and the values that do
//! not convert found with their row, column and text.

use std::sync::Arc;

use polars::io::RowIndex;
use polars::prelude::*;

use super::polars_utils_path::PlRefPath;
use super::ReadMode;
use crate::contract::{ColumnSpec, ColumnType, TableSpec, FILE_COLUMN, ROW_COLUMN};
use crate::convert::{self, Conversion};
use crate::engine::collect_streaming;
use crate::error::{IngestError, ValueError, ValueProblem};
use crate::parquet;
use crate::source::{self, Format, SourceFile};

pub(super) const MISSING_PREFIX: &str = "__missing_";
pub(super) const INVALID_PREFIX: &str = "__invalid_";

/// One file, scanned and planned but not yet validated.
pub(super) struct PlannedFile {
    /// The scan with canonical (lower-case) column names and `__row`.
    pub(super) raw: LazyFrame,
    /// The contract columns with their conversions (None: absent optional column).
    pub(super) columns: Vec<(ColumnSpec, Option<Conversion>)>,
    /// Extra columns of this file, kept as text.
    pub(super) extras: Vec<String>,
    /// Extra columns of this file left out for their type.
    pub(super) ignored: Vec<String>,
}

pub(super) fn to_path(file: &SourceFile) -> Result<PlRefPath, IngestError> {
    PlRefPath::try_from_path(&file.path).map_err(|e| IngestError::polars(&file.name, e))
}

pub(super) fn read_error(file: &SourceFile, source: PolarsError) -> IngestError {
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
pub(super) struct Scanned {
    /// The scan with canonical (lower-case) column names and `__row`.
    pub(super) raw: LazyFrame,
    /// The header (column names) as the file writes it.
    pub(super) original_names: Vec<String>,
    /// Canonical names and types of the columns in `raw`.
    pub(super) schema: Schema,
    /// Extra columns left out for their type (Parquet only).
    pub(super) ignored: Vec<String>,
}

/// Scans one file with canonical column names and its row numbers; a CSV
/// file that is to be held in memory (`eager`) is read at once.
pub(super) fn scan(
    file: &SourceFile,
    spec: &TableSpec,
    eager: bool,
) -> Result<Scanned, IngestError> {
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

pub(super) fn plan_file(
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
pub(super) fn flags(planned: &PlannedFile) -> Vec<(String, Expr)> {
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

pub(crate) fn problem_for(spec: &ColumnSpec) -> ValueProblem {
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
pub(super) fn find_bad_values(
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

pub(super) fn count_rows(file: &SourceFile, planned: &PlannedFile) -> Result<u64, IngestError> {
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
pub(super) fn typed_columns(planned: &PlannedFile, file_index: u32) -> Vec<Expr> {
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
