//! Tallinn local time of access events as integer arithmetic, and the key
//! that orders a day's events.

use chrono::{DateTime, NaiveDate, Offset, TimeZone as _, Utc};
use polars::prelude::*;

use crate::checks::Context;

pub(super) const MICROS_PER_DAY: i64 = 86_400_000_000;

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

/// Bits of an event's position in its slice within [`first_key`].
pub(super) const POSITION_BITS: u32 = 27;

/// A key that orders the events of one local day by time and then by
/// position in the slice, unique per event: microseconds since the UTC
/// midnight of the day's date, shifted by four hours so that it is positive
/// (Tallinn is two or three hours ahead, so a local day spans 1 h to 26 h
/// of it, below 2^37), above the event's position `__ev` (below 2^27).
/// `min_by` on it finds a group's first event in whatever order the
/// streaming engine sees the events, and ties in time go to the earlier row.
pub(super) fn first_key() -> Expr {
    let micros = col("ts").cast(DataType::Int64);
    let day_start = col("day").cast(DataType::Int32).cast(DataType::Int64) * lit(MICROS_PER_DAY);
    let since = micros - day_start + lit(4 * 3_600_000_000i64);
    since.cast(DataType::UInt64) * lit(1u64 << POSITION_BITS) + col("__ev").cast(DataType::UInt64)
}

/// Whether `day` is a working day, as an expression: the period's days off
/// are few, so a look-up in them costs less than joining a calendar table
/// to millions of events (which would gather every column of every event).
pub(super) fn is_working_day(ctx: &Context<'_>) -> PolarsResult<Expr> {
    let p = &ctx.snapshot.period;
    let epoch = NaiveDate::default();
    let days_off: Vec<i32> = p
        .from
        .iter_days()
        .take_while(|d| *d <= p.to)
        .filter(|d| !ctx.snapshot.calendar.is_working_day(*d))
        .map(|d| d.signed_duration_since(epoch).num_days() as i32)
        .collect();
    let days_off = Series::new("days_off".into(), days_off).cast(&DataType::Date)?;
    Ok(col("day").is_in(lit(days_off).implode(false), false).not())
}
