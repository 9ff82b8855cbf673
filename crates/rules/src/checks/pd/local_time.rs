//! Tallinn local time of access events as integer arithmetic.

use chrono::{DateTime, Offset, TimeZone as _, Utc};
use polars::prelude::*;

const MICROS_PER_DAY: i64 = 86_400_000_000;

/// Tallinn's calendar day of `ts` and the microsecond of that local day, as
/// integer arithmetic on the UTC microseconds: the UTC offset is a constant
/// between the DST changes, which are found once for the period. (Converting
/// every event through the time-zone database took seconds per ten million.)
pub(super) fn local_day_and_micros(from: DateTime<Utc>, to: DateTime<Utc>) -> (Expr, Expr) {
    let offset_at = |t: DateTime<Utc>| -> i64 {
        i64::from(
            chrono_tz::Europe::Tallinn
                .offset_from_utc_datetime(&t.naive_utc())
                .fix()
                .local_minus_utc(),
        ) * 1_000_000
    };
    // Offsets change on the hour; a day's margin either side covers events
    // the period filter keeps.
    let start = from - chrono::Duration::days(1);
    let hours = (to - start).num_hours() + 24;
    let mut offset = lit(offset_at(start));
    let mut current = offset_at(start);
    let micros = col("ts").cast(DataType::Int64);
    for h in 1..=hours {
        let t = start + chrono::Duration::hours(h);
        let o = offset_at(t);
        if o != current {
            offset = when(micros.clone().gt_eq(lit(t.timestamp_micros())))
                .then(lit(o))
                .otherwise(offset);
            current = o;
        }
    }
    let local = micros + offset;
    // Integer division truncates; instants after 1970 are positive, so it
    // is the floor.
    let day = (local.clone() / lit(MICROS_PER_DAY))
        .cast(DataType::Int32)
        .cast(DataType::Date);
    (day, local % lit(MICROS_PER_DAY))
}
