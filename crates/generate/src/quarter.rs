//! The quarter a generated snapshot covers, and its clock.
//!
//! The planted stories are the demo's, which are dated in 2026-Q3, so the
//! planted quarter is that one; 2026-Q4 is its follow-up, the next review of
//! the same agency (see `follow_up`), and 2027-Q1 the review after that.

use accessaudit_ingest::calendar::WorkCalendar;
use chrono::{Datelike, Days, NaiveDate, NaiveTime, TimeZone};
use chrono_tz::Europe::Tallinn;

/// A date that is known to exist (the constants below); falls back to the
/// epoch rather than panicking.
pub fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

/// The quarter a snapshot covers: its days, the working-day calendar and the
/// day whose log export is missing.
#[derive(Debug, Clone)]
pub struct Quarter {
    /// `2026-Q3`.
    pub name: &'static str,
    /// First day of the review period.
    pub first: NaiveDate,
    /// Last day of the review period; `as_of` is its last second.
    pub last: NaiveDate,
    /// The working day whose log export is missing: the planted DQ-04 gap.
    /// It carries no planted story event of the demo.
    pub gap: NaiveDate,
    /// The agency's working-day calendar, with the demo's own day off.
    pub cal: WorkCalendar,
    /// How many reviews of the same agency came before this quarter's: 0
    /// for the planted quarter, 1 for its follow-up, 2 for the one after.
    pub round: u8,
}

/// The quarters the generator makes, by name, in review order.
pub const NAMES: [&str; 3] = ["2026-Q3", "2026-Q4", "2027-Q1"];

impl Quarter {
    /// 2026-Q3, the quarter of the planted stories.
    pub fn planted() -> Self {
        Self::starting("2026-Q3", day(2026, 7, 1), day(2026, 9, 30), 0)
    }

    /// 2026-Q4, the next review: the planted stories carried on.
    pub fn follow_up_quarter() -> Self {
        Self::starting("2026-Q4", day(2026, 10, 1), day(2026, 12, 31), 1)
    }

    /// 2027-Q1, the third review: the stories carried on once more.
    pub fn third() -> Self {
        Self::starting("2027-Q1", day(2027, 1, 1), day(2027, 3, 31), 2)
    }

    /// Whether this is a later review than the planted quarter's.
    pub fn follow_up(&self) -> bool {
        self.round > 0
    }

    /// The quarter reviewed just before this one.
    pub fn previous(&self) -> Option<Self> {
        match self.round {
            1 => Some(Self::planted()),
            2 => Some(Self::follow_up_quarter()),
            _ => None,
        }
    }

    /// The quarter called `name` (one of [`NAMES`]).
    pub fn named(name: &str) -> Option<Self> {
        match name {
            "2026-Q3" => Some(Self::planted()),
            "2026-Q4" => Some(Self::follow_up_quarter()),
            "2027-Q1" => Some(Self::third()),
            _ => None,
        }
    }

    fn starting(name: &'static str, first: NaiveDate, last: NaiveDate, round: u8) -> Self {
        Self {
            name,
            first,
            last,
            // The 14th day: a working day in every quarter made.
            gap: plus_days(first, 13),
            cal: WorkCalendar::with_extra_days_off([day(2026, 8, 21)]),
            round,
        }
    }

    /// The quarter's day number `n` (0 is the first day).
    pub fn day(&self, n: u64) -> NaiveDate {
        plus_days(self.first, n)
    }

    /// The working days of `from..=to`.
    pub fn working_days(&self, from: NaiveDate, to: NaiveDate) -> Vec<NaiveDate> {
        working_days(&self.cal, from, to)
    }

    /// The working days of the whole quarter.
    pub fn all_working_days(&self) -> Vec<NaiveDate> {
        self.working_days(self.first, self.last)
    }

    /// The thirty days before the quarter (cases already open at its start).
    pub fn month_before(&self) -> Vec<NaiveDate> {
        let from = self
            .first
            .checked_sub_days(Days::new(30))
            .unwrap_or(self.first);
        self.working_days(from, self.first.pred_opt().unwrap_or(self.first))
    }

    /// `manifest.toml` of a snapshot of this quarter.
    pub fn manifest(&self) -> String {
        format!(
            "organisation = \"Sotsiaalkindlustusamet\"\nas_of = \"{}\"\nperiod = \"{}\"\n",
            stamp(self.last, 86_399),
            self.name
        )
    }
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
    fn the_gap_day_is_a_working_day_in_every_quarter() {
        for q in [
            Quarter::planted(),
            Quarter::follow_up_quarter(),
            Quarter::third(),
        ] {
            assert!(q.cal.is_working_day(q.gap), "{}", q.gap);
        }
        assert!(!Quarter::planted().cal.is_working_day(day(2026, 8, 21)));
        assert_eq!(Quarter::planted().gap, day(2026, 7, 14));
    }

    #[test]
    fn the_manifest_names_the_quarter_and_its_last_second() {
        assert_eq!(
            Quarter::planted().manifest(),
            include_str!("../../../fixtures/demo/manifest.toml"),
            "the planted quarter's manifest is the demo's"
        );
        assert!(Quarter::follow_up_quarter()
            .manifest()
            .contains("as_of = \"2026-12-31T23:59:59+02:00\"\nperiod = \"2026-Q4\""));
    }
}
