//! The quarter every generated snapshot covers, and its clock.
//!
//! The planted stories are the demo's, which are dated in 2026-Q3, so the
//! generated quarter is that one too.

use accessaudit_ingest::calendar::WorkCalendar;
use chrono::{Datelike, Days, NaiveDate, NaiveTime, TimeZone};
use chrono_tz::Europe::Tallinn;

/// A date that is known to exist (the constants below); falls back to the
/// epoch rather than panicking.
pub fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

/// First day of the review period.
pub fn first_day() -> NaiveDate {
    day(2026, 7, 1)
}

/// Last day of the review period; `as_of` is its last second.
pub fn last_day() -> NaiveDate {
    day(2026, 9, 30)
}

/// The working day whose log export is missing: the planted DQ-04 gap. It
/// carries no planted story event of the demo.
pub fn export_gap_day() -> NaiveDate {
    day(2026, 7, 14)
}

/// The agency's working-day calendar, with the demo's own day off.
pub fn calendar() -> WorkCalendar {
    WorkCalendar::with_extra_days_off([day(2026, 8, 21)])
}

/// The working days of `from..=to`.
pub fn working_days(calendar: &WorkCalendar, from: NaiveDate, to: NaiveDate) -> Vec<NaiveDate> {
    from.iter_days()
        .take_while(|d| *d <= to)
        .filter(|d| calendar.is_working_day(*d))
        .collect()
}

/// The working day before `date` (or `date` itself when none is found).
pub fn previous_working_day(calendar: &WorkCalendar, date: NaiveDate) -> NaiveDate {
    let mut d = date;
    for _ in 0..30 {
        d = d.pred_opt().unwrap_or(d);
        if calendar.is_working_day(d) {
            return d;
        }
    }
    date
}

/// `date` plus `n` calendar days.
pub fn plus_days(date: NaiveDate, n: u64) -> NaiveDate {
    date.checked_add_days(Days::new(n)).unwrap_or(date)
}

/// Seconds east of UTC in Tallinn at noon of `date` (DST changes happen at
/// night, so this holds for every working hour).
pub fn offset_seconds(date: NaiveDate) -> i32 {
    let noon = date.and_time(NaiveTime::from_hms_opt(12, 0, 0).unwrap_or_default());
    Tallinn
        .from_local_datetime(&noon)
        .earliest()
        .map_or(7200, |t| {
            use chrono::Offset;
            t.offset().fix().local_minus_utc()
        })
}

/// `+03:00` for a summer day, `+02:00` for a winter one.
pub fn offset_text(date: NaiveDate) -> String {
    let secs = offset_seconds(date);
    format!("+{:02}:{:02}", secs / 3600, secs % 3600 / 60)
}

/// A Tallinn wall-clock moment written as the contract's timestamp with offset.
pub fn stamp(date: NaiveDate, secs: u32) -> String {
    format!(
        "{date}T{:02}:{:02}:{:02}{}",
        secs / 3600,
        secs / 60 % 60,
        secs % 60,
        offset_text(date)
    )
}

/// The same moment as microseconds since the epoch (UTC).
pub fn utc_micros(date: NaiveDate, secs: u32) -> i64 {
    let midnight_local = i64::from(date.num_days_from_ce() - 719_163) * 86_400;
    (midnight_local + i64::from(secs) - i64::from(offset_seconds(date))) * 1_000_000
}

/// Seconds since midnight of a wall-clock time.
pub const fn at(h: u32, m: u32) -> u32 {
    h * 3600 + m * 60
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summer_and_winter_offsets() {
        assert_eq!(
            stamp(day(2026, 7, 1), at(8, 5)),
            "2026-07-01T08:05:00+03:00"
        );
        assert_eq!(
            stamp(day(2026, 1, 5), at(9, 0)),
            "2026-01-05T09:00:00+02:00"
        );
        // 2026-07-01 08:00 +03:00 is 05:00 UTC.
        assert_eq!(utc_micros(day(2026, 7, 1), at(8, 0)), 1_782_882_000_000_000);
    }

    #[test]
    fn the_gap_day_is_a_working_day() {
        assert!(calendar().is_working_day(export_gap_day()));
        assert!(!calendar().is_working_day(day(2026, 8, 21)));
    }
}
