//! Column conversions from what a file holds to the contract's types, as
//! Polars expressions. Text is read with the functions of [`crate::values`];
//! native Parquet types are cast or, for naive timestamps, localised.

use chrono::DateTime;
use polars::prelude::*;

use crate::contract::{timestamp_dtype, ColumnType};
use crate::isikukood;
use crate::values::{parse_bool, parse_date, parse_enum, parse_timestamp, tallinn_to_utc};

/// How a file's column becomes a contract column.
pub(crate) struct Conversion {
    /// The converted value; null when empty or unreadable.
    pub typed: Expr,
    /// Whether the source has a value in this row.
    pub present: Expr,
    /// Whether a present value can fail to convert (text read as a date, ...).
    pub can_fail: bool,
}

/// Why a file's column cannot be converted at all.
pub(crate) struct Unconvertible {
    /// The type found in the file.
    pub found: DataType,
}

fn days_since_epoch(d: chrono::NaiveDate) -> i32 {
    d.signed_duration_since(chrono::NaiveDate::default())
        .num_days() as i32
}

fn output_field(dtype: DataType) -> impl Fn(&Schema, &Field) -> PolarsResult<Field> + Send + Sync {
    move |_, f| Ok(Field::new(f.name().clone(), dtype.clone()))
}

/// A trimmed, non-empty value.
fn trimmed(o: Option<&str>) -> Option<&str> {
    o.map(str::trim).filter(|s| !s.is_empty())
}

/// Whether each value has some text beyond white space (without building
/// the trimmed strings: the access log's check reads every value of it).
fn has_text(column: Column) -> PolarsResult<Column> {
    let ca = column.str()?;
    let out: BooleanChunked = ca
        .iter()
        .map(|o| Some(o.is_some_and(|s| !s.trim().is_empty())))
        .collect();
    Ok(out.with_name(ca.name().clone()).into_column())
}

/// Converts a text column into `ty`; unreadable and empty values become null.
fn text_to(ty: ColumnType, column: Column) -> PolarsResult<Column> {
    let ca = column.str()?;
    let name = ca.name().clone();
    let out: Series = match ty {
        ColumnType::Id | ColumnType::Person | ColumnType::Enum(_) => {
            fn read(ty: ColumnType, text: &str) -> Option<&str> {
                let t = trimmed(Some(text))?;
                match ty {
                    ColumnType::Person => Some(isikukood::normalise(t)),
                    ColumnType::Enum(words) => parse_enum(t, words),
                    _ => Some(t),
                }
            }
            // Exports are mostly clean: when every value already reads as
            // itself, the column is returned as it is rather than copied
            // (which each read of a large access log would pay again).
            let unchanged = ca.iter().all(|o| o.is_none_or(|s| read(ty, s) == Some(s)));
            if unchanged {
                return Ok(column);
            }
            let out: StringChunked = ca.iter().map(|o| o.and_then(|s| read(ty, s))).collect();
            out.into_series()
        }
        ColumnType::Bool => {
            let out: BooleanChunked = ca.iter().map(|o| trimmed(o).and_then(parse_bool)).collect();
            out.into_series()
        }
        ColumnType::Date => {
            let out: Int32Chunked = ca
                .iter()
                .map(|o| trimmed(o).and_then(parse_date).map(days_since_epoch))
                .collect();
            out.into_date().into_series()
        }
        ColumnType::Timestamp => {
            let out: Int64Chunked = ca
                .iter()
                .map(|o| {
                    trimmed(o)
                        .and_then(parse_timestamp)
                        .map(|t| t.timestamp_micros())
                })
                .collect();
            out.into_datetime(TimeUnit::Microseconds, Some(TimeZone::UTC))
                .into_series()
        }
    };
    Ok(out.with_name(name).into_column())
}

/// Reads naive (zone-less) datetimes as Europe/Tallinn wall-clock time.
fn naive_to_instant(column: Column) -> PolarsResult<Column> {
    let ca = column.datetime()?;
    let unit = ca.time_unit();
    let name = ca.name().clone();
    let out: Int64Chunked = ca
        .physical()
        .iter()
        .map(|o| {
            o.and_then(|v| {
                let t = match unit {
                    TimeUnit::Milliseconds => DateTime::from_timestamp_millis(v),
                    TimeUnit::Microseconds => DateTime::from_timestamp_micros(v),
                    TimeUnit::Nanoseconds => Some(DateTime::from_timestamp_nanos(v)),
                }?;
                Some(tallinn_to_utc(t.naive_utc()).timestamp_micros())
            })
        })
        .collect();
    Ok(out
        .into_datetime(TimeUnit::Microseconds, Some(TimeZone::UTC))
        .into_series()
        .with_name(name)
        .into_column())
}

/// Plans the conversion of column `source` (of type `found` in the file) to `ty`.
pub(crate) fn plan(
    source: &str,
    found: &DataType,
    ty: ColumnType,
) -> Result<Conversion, Unconvertible> {
    let c = col(source);
    let text = |input: Expr| Conversion {
        present: input.clone().map(has_text, output_field(DataType::Boolean)),
        typed: input.map(move |column| text_to(ty, column), output_field(ty.dtype())),
        can_fail: matches!(
            ty,
            ColumnType::Date | ColumnType::Timestamp | ColumnType::Bool | ColumnType::Enum(_)
        ),
    };
    let native = |typed: Expr| Conversion {
        present: c.clone().is_not_null(),
        typed,
        can_fail: false,
    };
    let unconvertible = Unconvertible {
        found: found.clone(),
    };
    match (ty, found) {
        (_, DataType::String) => Ok(text(c)),
        // A dictionary-encoded text column (pandas `category`) is its text.
        (_, DataType::Categorical(..) | DataType::Enum(..)) => {
            Ok(text(c.clone().cast(DataType::String)))
        }
        // A column empty throughout, which pandas and pyarrow write with the
        // Arrow type `null`: every value is absent.
        (_, DataType::Null) => Ok(Conversion {
            present: lit(false),
            typed: lit(NULL).cast(ty.dtype()),
            can_fail: false,
        }),
        (ColumnType::Id | ColumnType::Person | ColumnType::Enum(_), t) if t.is_integer() => {
            Ok(text(c.clone().cast(DataType::String)))
        }
        (ColumnType::Date, DataType::Date) => Ok(native(c.clone())),
        (ColumnType::Bool, DataType::Boolean) => Ok(native(c.clone())),
        // Already what a loaded timestamp is: left as the column itself, so a
        // filter on it (the review period) is pushed down into the Parquet
        // read and row groups outside the period are skipped.
        (ColumnType::Timestamp, DataType::Datetime(TimeUnit::Microseconds, Some(tz)))
            if tz == &TimeZone::UTC =>
        {
            Ok(native(c.clone()))
        }
        (ColumnType::Timestamp, DataType::Datetime(_, Some(_))) => Ok(native(
            c.clone()
                .dt()
                .convert_time_zone(TimeZone::UTC)
                .cast(timestamp_dtype()),
        )),
        (ColumnType::Timestamp, DataType::Datetime(_, None)) => Ok(native(
            c.clone()
                .map(naive_to_instant, output_field(timestamp_dtype())),
        )),
        _ => Err(unconvertible),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(values: &[Option<&str>]) -> Column {
        Column::new("v".into(), values)
    }

    fn read(ty: ColumnType, values: &[Option<&str>]) -> Vec<Option<String>> {
        let out = text_to(ty, texts(values)).expect("converts");
        out.str()
            .expect("text")
            .iter()
            .map(|v| v.map(str::to_string))
            .collect()
    }

    fn owned(values: &[Option<&str>]) -> Vec<Option<String>> {
        values.iter().map(|v| v.map(str::to_string)).collect()
    }

    #[test]
    fn canonical_text_reads_as_itself() {
        let ids = [Some("A-1"), None, Some("kt_infolett")];
        assert_eq!(read(ColumnType::Id, &ids), owned(&ids));
        let codes = [Some("38001010008"), Some("LV12345678901")];
        assert_eq!(read(ColumnType::Person, &codes), owned(&codes));
        let actions = [Some("view"), Some("export")];
        let words = crate::contract::ACCESS_ACTIONS;
        assert_eq!(read(ColumnType::Enum(words), &actions), owned(&actions));
    }

    #[test]
    fn other_text_is_trimmed_normalised_or_null() {
        assert_eq!(
            read(ColumnType::Id, &[Some(" A-1 "), Some(""), Some("B")]),
            owned(&[Some("A-1"), None, Some("B")])
        );
        assert_eq!(
            read(
                ColumnType::Person,
                &[Some("38001010008"), Some(" EE38001010008")]
            ),
            owned(&[Some("38001010008"), Some("38001010008")])
        );
        let words = crate::contract::ACCESS_ACTIONS;
        assert_eq!(
            read(
                ColumnType::Enum(words),
                &[Some("view"), Some("VIEW"), Some("peek")]
            ),
            owned(&[Some("view"), Some("view"), None])
        );
    }

    #[test]
    fn white_space_is_no_text() {
        let out = has_text(texts(&[Some("x"), Some("  "), Some(""), None])).expect("checks");
        let flags: Vec<Option<bool>> = out.bool().expect("flags").iter().collect();
        assert_eq!(flags, [Some(true), Some(false), Some(false), Some(false)]);
    }
}
