//! Turning values into the text findings and messages show.

use chrono::DateTime;
use chrono_tz::Europe::Tallinn;
use polars::prelude::*;

/// A value as a person reads it: dates `YYYY-MM-DD`, instants as Europe/Tallinn
/// wall-clock `YYYY-MM-DD HH:MM:SS`, nulls as `None`.
pub(crate) fn text(value: &AnyValue<'_>) -> Option<String> {
    match value {
        AnyValue::Null => None,
        AnyValue::String(s) => Some((*s).to_string()),
        AnyValue::StringOwned(s) => Some(s.to_string()),
        AnyValue::Date(days) => chrono::NaiveDate::default()
            .checked_add_signed(chrono::Duration::days(i64::from(*days)))
            .map(|d| d.to_string()),
        AnyValue::Datetime(v, unit, _) | AnyValue::DatetimeOwned(v, unit, _) => {
            instant(*v, *unit).map(|t| t.format("%Y-%m-%d %H:%M:%S").to_string())
        }
        AnyValue::Float64(v) => Some(number(*v)),
        AnyValue::Float32(v) => Some(number(f64::from(*v))),
        other => Some(other.to_string().trim_matches('"').to_string()),
    }
}

/// A number without a needless `.0`.
fn number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

/// An instant in Europe/Tallinn with its offset, for `first_seen`/`last_seen`.
pub(crate) fn iso_local(value: &AnyValue<'_>) -> Option<String> {
    match value {
        AnyValue::Datetime(v, unit, _) | AnyValue::DatetimeOwned(v, unit, _) => {
            instant(*v, *unit).map(|t| t.format("%Y-%m-%dT%H:%M:%S%:z").to_string())
        }
        other => text(other),
    }
}

fn instant(v: i64, unit: TimeUnit) -> Option<DateTime<chrono_tz::Tz>> {
    let utc = match unit {
        TimeUnit::Milliseconds => DateTime::from_timestamp_millis(v),
        TimeUnit::Microseconds => DateTime::from_timestamp_micros(v),
        TimeUnit::Nanoseconds => Some(DateTime::from_timestamp_nanos(v)),
    }?;
    Some(utc.with_timezone(&Tallinn))
}
