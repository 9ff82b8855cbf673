//! Scanning a Parquet file as exports write it. Polars, as built here, cannot
//! represent every Arrow type: a decimal (as Oracle `NUMBER` exports write
//! codes), a struct or an interval makes its scan panic while it converts
//! the file's schema, whatever columns are asked for. So the file's Arrow
//! schema is read first and each column is given a [`Reading`]: the
//! contract's columns are read (a decimal of scale 0 as the text of its
//! digits, decoded here on the Arrow side), extra columns are kept as text
//! when they have a plain type and left out otherwise. A file whose every
//! column Polars represents is scanned lazily; any other is read into memory
//! with only the columns that are used.

use std::fs::File;
use std::io::Cursor;

use polars::io::RowIndex;
use polars::prelude::*;
use polars_arrow::array::PrimitiveArray;
use polars_arrow::datatypes::ArrowDataType;
use polars_buffer::Buffer;
use polars_parquet::arrow::read::{
    column_iter_to_arrays, infer_schema, read_metadata, BasicDecompressor, FileMetadata, PageReader,
};

use crate::contract::{ColumnType, TableSpec, ROW_COLUMN};
use crate::error::IngestError;
use crate::source::SourceFile;

/// How one column of a Parquet file is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reading {
    /// By Polars, as it is.
    Polars,
    /// A decimal of scale 0, as the text of its digits (`decimal(11,0)`
    /// holding a personal code becomes the 11-digit code).
    DecimalDigits,
    /// Left out: an extra column with no plain text form (list, binary,
    /// duration, struct, decimal, ...). The rules never read extra columns.
    Ignored,
}

/// A Parquet file scanned: columns under their canonical (lower-case) names
/// and `__row`, numbered from 1.
pub(crate) struct ParquetScan {
    /// The rows: the columns that are read, renamed, and `__row`.
    pub frame: LazyFrame,
    /// Every column name as the file writes it.
    pub original_names: Vec<String>,
    /// The canonical names and Polars types of the columns that are read.
    pub schema: Schema,
    /// Extra columns left out for their type.
    pub ignored: Vec<String>,
}

/// Whether Polars (with the features built here) represents `dtype`, so that
/// converting a schema that holds it cannot panic.
fn polars_represents(dtype: &ArrowDataType) -> bool {
    use ArrowDataType as A;
    match dtype {
        A::Null
        | A::Boolean
        | A::Int8
        | A::Int16
        | A::Int32
        | A::Int64
        | A::UInt8
        | A::UInt16
        | A::UInt32
        | A::UInt64
        | A::Float32
        | A::Float64
        | A::Utf8
        | A::LargeUtf8
        | A::Utf8View
        | A::Binary
        | A::LargeBinary
        | A::BinaryView
        | A::FixedSizeBinary(_)
        | A::Date32
        | A::Date64
        | A::Time32(_)
        | A::Time64(_)
        | A::Duration(_) => true,
        // An unknown zone name would make the conversion panic.
        A::Timestamp(_, tz) => TimeZone::opt_try_new(tz.clone()).is_ok(),
        A::Dictionary(_, values, _) => is_text(values),
        A::List(inner) | A::LargeList(inner) => polars_represents(&inner.dtype),
        _ => false,
    }
}

fn is_text(dtype: &ArrowDataType) -> bool {
    matches!(
        dtype,
        ArrowDataType::Utf8 | ArrowDataType::LargeUtf8 | ArrowDataType::Utf8View
    )
}

/// Whether an extra column of type `dtype` has a plain text form and is kept.
fn keeps_as_text(dtype: &ArrowDataType) -> bool {
    use ArrowDataType as A;
    match dtype {
        A::Null
        | A::Boolean
        | A::Int8
        | A::Int16
        | A::Int32
        | A::Int64
        | A::UInt8
        | A::UInt16
        | A::UInt32
        | A::UInt64
        | A::Float32
        | A::Float64
        | A::Utf8
        | A::LargeUtf8
        | A::Utf8View
        | A::Date32
        | A::Date64
        | A::Time32(_)
        | A::Time64(_)
        | A::Dictionary(..)
        | A::Timestamp(..) => polars_represents(dtype),
        _ => false,
    }
}

/// How a column of type `dtype` is read; `needed` is its contract type when
/// it is a contract column. `Err` is the type, described, when a contract
/// column cannot be read at all.
fn reading(dtype: &ArrowDataType, needed: Option<ColumnType>) -> Result<Reading, String> {
    match needed {
        None if keeps_as_text(dtype) => Ok(Reading::Polars),
        None => Ok(Reading::Ignored),
        Some(_) if polars_represents(dtype) => Ok(Reading::Polars),
        Some(ColumnType::Id | ColumnType::Person | ColumnType::Enum(_))
            if matches!(dtype, ArrowDataType::Decimal(_, 0)) =>
        {
            Ok(Reading::DecimalDigits)
        }
        Some(_) => Err(describe(dtype)),
    }
}

/// An Arrow type as a message names it (`decimal(10,2)`).
fn describe(dtype: &ArrowDataType) -> String {
    match dtype {
        ArrowDataType::Decimal(p, s) | ArrowDataType::Decimal256(p, s) => {
            format!("decimal({p},{s})")
        }
        other => format!("{other:?}"),
    }
}

fn parquet_error(file: &SourceFile, message: impl Into<String>) -> IngestError {
    IngestError::Parquet {
        file: file.name.clone(),
        source: PolarsError::ComputeError(message.into().into()),
    }
}

/// Keeps the first line of a Polars error: the rest are hints for its Python API.
fn first_line(e: &PolarsError) -> String {
    e.to_string().lines().next().unwrap_or_default().to_string()
}

/// Scans `file` as table `spec`; see the module documentation.
pub(crate) fn scan(file: &SourceFile, spec: &TableSpec) -> Result<ParquetScan, IngestError> {
    let io = |source| IngestError::Io {
        file: file.name.clone(),
        source,
    };
    let fail = |e: PolarsError| parquet_error(file, first_line(&e));
    let metadata = read_metadata(&mut File::open(&file.path).map_err(io)?).map_err(fail)?;
    let arrow = infer_schema(&metadata).map_err(fail)?;
    let mut original_names = Vec::new();
    let mut lower_names: Vec<String> = Vec::new();
    let mut readings = Vec::new();
    for (name, field) in arrow.iter() {
        if name.as_str() == ROW_COLUMN {
            continue;
        }
        let lower = name.to_lowercase();
        if lower_names.contains(&lower) {
            return Err(IngestError::DuplicateColumn {
                file: file.name.clone(),
                column: lower,
            });
        }
        let needed = spec.column(&lower).map(|c| c.ty);
        let how = reading(&field.dtype, needed).map_err(|found| IngestError::ColumnType {
            file: file.name.clone(),
            column: lower.clone(),
            found,
            expected: needed.map(ColumnType::describe).unwrap_or_default(),
        })?;
        original_names.push(name.to_string());
        lower_names.push(lower);
        readings.push((field.clone(), how));
    }
    let ignored = readings
        .iter()
        .zip(&lower_names)
        .filter(|((_, how), _)| *how == Reading::Ignored)
        .map(|(_, n)| n.clone())
        .collect();
    let whole = arrow.iter().all(|(_, f)| polars_represents(&f.dtype));
    let (mut frame, names): (LazyFrame, Vec<(PlSmallStr, String)>) = if whole {
        let args = ScanArgsParquet {
            row_index: Some(RowIndex {
                name: ROW_COLUMN.into(),
                offset: 1,
            }),
            ..Default::default()
        };
        let path = PlRefPath::try_from_path(&file.path).map_err(fail)?;
        let frame = LazyFrame::scan_parquet(path, args).map_err(fail)?;
        let names = readings
            .iter()
            .zip(&lower_names)
            .filter(|((_, how), _)| *how == Reading::Polars)
            .map(|((f, _), lower)| (f.name.clone(), lower.clone()))
            .collect();
        (frame, names)
    } else {
        read_into_memory(file, &metadata, &arrow, &readings, &lower_names)?
    };
    let mut exprs: Vec<Expr> = names
        .iter()
        .map(|(name, lower)| col(name.clone()).alias(lower.as_str()))
        .collect();
    exprs.push(col(ROW_COLUMN));
    frame = frame.select(exprs);
    let found = frame.collect_schema().map_err(fail)?;
    let schema = found
        .iter()
        .filter(|(n, _)| n.as_str() != ROW_COLUMN)
        .map(|(n, t)| Field::new(n.clone(), t.clone()))
        .collect();
    Ok(ParquetScan {
        frame,
        original_names,
        schema,
        ignored,
    })
}

/// Reads the columns Polars represents with Polars (only those: the others'
/// types are never converted) and decodes the decimal ones here.
#[allow(clippy::type_complexity)]
fn read_into_memory(
    file: &SourceFile,
    metadata: &FileMetadata,
    arrow: &ArrowSchema,
    readings: &[(ArrowField, Reading)],
    lower_names: &[String],
) -> Result<(LazyFrame, Vec<(PlSmallStr, String)>), IngestError> {
    let fail = |e: PolarsError| parquet_error(file, first_line(&e));
    let projection: Vec<usize> = readings
        .iter()
        .filter(|(_, how)| *how == Reading::Polars)
        .filter_map(|(f, _)| arrow.index_of(&f.name))
        .collect();
    let reader = File::open(&file.path).map_err(|source| IngestError::Io {
        file: file.name.clone(),
        source,
    })?;
    let mut df = ParquetReader::new(reader)
        .with_projection(Some(projection))
        .with_row_index(Some(RowIndex {
            name: ROW_COLUMN.into(),
            offset: 1,
        }))
        .finish()
        .map_err(fail)?;
    let decimals: Vec<&ArrowField> = readings
        .iter()
        .filter(|(_, how)| *how == Reading::DecimalDigits)
        .map(|(f, _)| f)
        .collect();
    if !decimals.is_empty() {
        let bytes =
            Buffer::from_vec(std::fs::read(&file.path).map_err(|source| IngestError::Io {
                file: file.name.clone(),
                source,
            })?);
        for field in decimals {
            let digits = decimal_digits(file, &bytes, metadata, field)?;
            df.with_column(digits.into_column()).map_err(fail)?;
        }
    }
    let names = readings
        .iter()
        .zip(lower_names)
        .filter(|((_, how), _)| *how != Reading::Ignored)
        .map(|((f, _), lower)| (f.name.clone(), lower.clone()))
        .collect();
    Ok((df.lazy(), names))
}

/// Decodes a decimal column of scale 0 row group by row group and writes
/// each value as its digits.
fn decimal_digits(
    file: &SourceFile,
    bytes: &Buffer<u8>,
    metadata: &FileMetadata,
    field: &ArrowField,
) -> Result<StringChunked, IngestError> {
    let fail = |e: PolarsError| parquet_error(file, first_line(&e));
    let mut values: Vec<Option<String>> = Vec::with_capacity(metadata.num_rows);
    for group in &metadata.row_groups {
        let mut pages = Vec::new();
        let mut types = Vec::new();
        for chunk in group
            .columns_under_root_iter(&field.name)
            .into_iter()
            .flatten()
        {
            let range = chunk.byte_range();
            let (start, end) = (range.start as usize, range.end as usize);
            if start > end || end > bytes.len() {
                return Err(parquet_error(
                    file,
                    format!("column `{}` lies outside the file", field.name),
                ));
            }
            let data = bytes.clone().sliced(start..end);
            let reader = PageReader::new(Cursor::new(data), chunk, vec![], usize::MAX);
            pages.push(BasicDecompressor::new(reader, vec![]));
            types.push(&chunk.descriptor().descriptor.primitive_type);
        }
        let (arrays, _) = column_iter_to_arrays(pages, types, field.clone(), None).map_err(fail)?;
        for array in arrays {
            let decimals = array
                .as_any()
                .downcast_ref::<PrimitiveArray<i128>>()
                .ok_or_else(|| {
                    parquet_error(
                        file,
                        format!("column `{}` did not decode as a decimal", field.name),
                    )
                })?;
            values.extend(decimals.iter().map(|v| v.map(|v| v.to_string())));
        }
    }
    if values.len() != metadata.num_rows {
        return Err(parquet_error(
            file,
            format!(
                "column `{}` has {} values for {} rows",
                field.name,
                values.len(),
                metadata.num_rows
            ),
        ));
    }
    Ok(StringChunked::from_iter_options(
        field.name.clone(),
        values.into_iter(),
    ))
}
