//! Time as expressions: instants and Tallinn calendar days, the ends of
//! days, and working-day deadlines and lateness.

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use polars::prelude::*;

use accessaudit_ingest::calendar::WorkCalendar;
use accessaudit_ingest::contract::timestamp_dtype;
use accessaudit_ingest::values::tallinn_to_utc;

/// An instant as a literal of the loaded timestamp type.
pub fn instant(t: DateTime<Utc>) -> Expr {
    lit(t.timestamp_micros()).cast(timestamp_dtype())
}

/// A calendar day as a literal `Date`.
pub fn day(d: NaiveDate) -> Expr {
    lit(days_since_epoch(d)).cast(DataType::Date)
}

pub(crate) fn days_since_epoch(d: NaiveDate) -> i32 {
    d.signed_duration_since(NaiveDate::default()).num_days() as i32
}

pub(super) fn date_of(days: i32) -> Option<NaiveDate> {
    NaiveDate::default().checked_add_signed(chrono::Duration::days(i64::from(days)))
}

/// The Europe/Tallinn calendar day of an instant.
pub fn local_day(ts: Expr) -> Expr {
    ts.dt()
        .convert_time_zone(
            TimeZone::opt_try_new(Some("Europe/Tallinn"))
                .ok()
                .flatten()
                .unwrap_or(TimeZone::UTC),
        )
        .dt()
        .date()
}

/// The last day an interval ending (exclusively) at `end` covered: the local
/// day of the instant just before `end`.
pub fn last_day(end: Expr) -> Expr {
    local_day(end - lit(chrono::Duration::microseconds(1)))
}

/// The instant a day ends: local midnight after it.
pub fn end_of_day(d: Expr) -> Expr {
    midnight(d, 1)
}

/// The instant a day starts: its local midnight.
pub fn start_of_day(d: Expr) -> Expr {
    midnight(d, 0)
}

/// Local midnight `offset` days after each day of `d`, as an instant.
pub(super) fn midnight(d: Expr, offset: u64) -> Expr {
    d.map(
        move |c| {
            let days = c.date()?.physical().clone();
            let out: Int64Chunked = days
                .iter()
                .map(|v| {
                    let day = date_of(v?)?.checked_add_days(chrono::Days::new(offset))?;
                    Some(tallinn_to_utc(day.and_time(NaiveTime::MIN)).timestamp_micros())
                })
                .collect();
            Ok(out
                .into_datetime(TimeUnit::Microseconds, Some(TimeZone::UTC))
                .into_series()
                .with_name(c.name().clone())
                .into_column())
        },
        |_, f| Ok(Field::new(f.name().clone(), timestamp_dtype())),
    )
}

/// The `n`-th working day strictly after each day of `d`.
pub fn nth_working_day_after(d: Expr, n: u32, calendar: &WorkCalendar) -> Expr {
    let cal = calendar.clone();
    d.map(
        move |c| {
            let days = c.date()?.physical().clone();
            let out: Int32Chunked = days
                .iter()
                .map(|v| Some(days_since_epoch(cal.nth_working_day_after(date_of(v?)?, n))))
                .collect();
            Ok(out
                .into_date()
                .into_series()
                .with_name(c.name().clone())
                .into_column())
        },
        |_, f| Ok(Field::new(f.name().clone(), DataType::Date)),
    )
}

/// Working days strictly after `deadline` up to and including `actual`.
pub fn working_days_late(deadline: Expr, actual: Expr, calendar: &WorkCalendar) -> Expr {
    let cal = calendar.clone();
    deadline.map_many(
        move |cols| {
            let a = cols[0].date()?.physical().clone();
            let b = cols[1].date()?.physical().clone();
            let out: Int64Chunked = a
                .iter()
                .zip(b.iter())
                .map(|(x, y)| Some(i64::from(cal.working_days_late(date_of(x?)?, date_of(y?)?))))
                .collect();
            Ok(out.with_name(cols[0].name().clone()).into_column())
        },
        &[actual],
        |_, f| Ok(Field::new(f[0].name().clone(), DataType::Int64)),
    )
}
