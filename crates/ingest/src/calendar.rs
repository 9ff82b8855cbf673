//! The Estonian working-day calendar.
//!
//! Days off are weekends, the public holidays of the Public Holidays and Days
//! of National Importance Act (fixed ones plus Good Friday, Easter Sunday and
//! Pentecost, computed for any year) and any extra days an agency lists in the
//! `holidays` table. A holiday on a weekend gives no substitute day.

use std::collections::BTreeSet;

use chrono::{Datelike, Days, NaiveDate, Weekday};

/// Fixed-date public holidays as (month, day).
const FIXED_HOLIDAYS: [(u32, u32); 9] = [
    (1, 1),   // uusaasta
    (2, 24),  // iseseisvuspäev
    (5, 1),   // kevadpüha
    (6, 23),  // võidupüha
    (6, 24),  // jaanipäev
    (8, 20),  // taasiseseisvumispäev
    (12, 24), // jõululaupäev
    (12, 25), // esimene jõulupüha
    (12, 26), // teine jõulupüha
];

/// Gregorian Easter Sunday (the anonymous Gregorian algorithm).
pub fn easter_sunday(year: i32) -> Option<NaiveDate> {
    let a = year % 19;
    let b = year / 100;
    let c = year % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    NaiveDate::from_ymd_opt(year, month as u32, day as u32)
}

/// Whether `date` is an Estonian public holiday (riigipüha).
pub fn is_public_holiday(date: NaiveDate) -> bool {
    if FIXED_HOLIDAYS.contains(&(date.month(), date.day())) {
        return true;
    }
    let Some(easter) = easter_sunday(date.year()) else {
        return false;
    };
    let offset = date.signed_duration_since(easter).num_days();
    // Good Friday, Easter Sunday, Pentecost (the 7th Sunday after Easter).
    matches!(offset, -2 | 0 | 49)
}

/// Working-day calendar: Estonian public holidays plus agency-listed days off.
#[derive(Debug, Clone, Default)]
pub struct WorkCalendar {
    extra_days_off: BTreeSet<NaiveDate>,
}

impl WorkCalendar {
    /// A calendar with only the built-in public holidays.
    pub fn estonian() -> Self {
        Self::default()
    }

    /// A calendar that also treats `days_off` (the `holidays` table) as days off.
    pub fn with_extra_days_off(days_off: impl IntoIterator<Item = NaiveDate>) -> Self {
        Self {
            extra_days_off: days_off.into_iter().collect(),
        }
    }

    /// Monday to Friday, not a public holiday and not an extra day off.
    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        !matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
            && !is_public_holiday(date)
            && !self.extra_days_off.contains(&date)
    }

    /// Working days in the closed range `from..=to` (0 when `to < from`).
    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> u32 {
        from.iter_days()
            .take_while(|d| *d <= to)
            .filter(|d| self.is_working_day(*d))
            .count() as u32
    }

    /// The `n`-th working day strictly after `date` (`n = 0` gives `date`).
    ///
    /// Deadlines in the catalogue are "the N-th working day after X": counting
    /// starts on the day after X's calendar day.
    pub fn nth_working_day_after(&self, date: NaiveDate, n: u32) -> NaiveDate {
        let mut day = date;
        let mut left = n;
        while left > 0 {
            match day.checked_add_days(Days::new(1)) {
                Some(next) => day = next,
                None => return day,
            }
            if self.is_working_day(day) {
                left -= 1;
            }
        }
        day
    }

    /// Working days strictly after `deadline` up to and including `actual`:
    /// the catalogue's "late by N working days".
    pub fn working_days_late(&self, deadline: NaiveDate, actual: NaiveDate) -> u32 {
        match deadline.succ_opt() {
            Some(next) => self.working_days_between(next, actual),
            None => 0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap_or_default()
    }

    #[test]
    fn easter_dates() {
        assert_eq!(easter_sunday(2024), Some(d(2024, 3, 31)));
        assert_eq!(easter_sunday(2025), Some(d(2025, 4, 20)));
        assert_eq!(easter_sunday(2026), Some(d(2026, 4, 5)));
        assert_eq!(easter_sunday(2038), Some(d(2038, 4, 25)));
        assert_eq!(easter_sunday(2285), Some(d(2285, 3, 22)));
    }

    #[test]
    fn working_days_per_year() {
        let cal = WorkCalendar::estonian();
        assert_eq!(
            cal.working_days_between(d(2025, 1, 1), d(2025, 12, 31)),
            251
        );
        assert_eq!(
            cal.working_days_between(d(2026, 1, 1), d(2026, 12, 31)),
            252
        );
    }

    #[test]
    fn easter_based_holidays_2026() {
        assert!(is_public_holiday(d(2026, 4, 3))); // Good Friday
        assert!(is_public_holiday(d(2026, 4, 5))); // Easter Sunday
        assert!(is_public_holiday(d(2026, 5, 24))); // Pentecost
        assert!(!is_public_holiday(d(2026, 4, 6))); // Easter Monday is a working day
        assert!(!WorkCalendar::estonian().is_working_day(d(2026, 4, 3)));
    }

    #[test]
    fn fixed_holidays_and_weekends() {
        let cal = WorkCalendar::estonian();
        assert!(!cal.is_working_day(d(2026, 8, 20))); // Thursday, holiday
        assert!(cal.is_working_day(d(2026, 8, 21)));
        assert!(!cal.is_working_day(d(2026, 8, 22))); // Saturday
        assert!(cal.is_working_day(d(2026, 12, 23))); // shortened, still working
    }

    #[test]
    fn extra_days_off_from_the_holidays_table() {
        let cal = WorkCalendar::with_extra_days_off([d(2026, 8, 21)]);
        assert!(!cal.is_working_day(d(2026, 8, 21)));
        assert_eq!(
            cal.working_days_between(d(2025, 1, 1), d(2025, 12, 31)),
            251
        );
    }

    #[test]
    fn deadlines_skip_holidays() {
        let cal = WorkCalendar::estonian();
        // Approved Tue 18 Aug 2026: working days after are Wed 19, Fri 21 (20th is
        // a holiday), Mon 24. The 3rd is Monday the 24th.
        assert_eq!(cal.nth_working_day_after(d(2026, 8, 18), 3), d(2026, 8, 24));
        assert_eq!(cal.nth_working_day_after(d(2026, 8, 18), 0), d(2026, 8, 18));
        // Approved on a Saturday: the 1st working day after is Monday.
        assert_eq!(cal.nth_working_day_after(d(2026, 8, 22), 1), d(2026, 8, 24));
    }

    #[test]
    fn lateness_counts_working_days_after_the_deadline() {
        let cal = WorkCalendar::estonian();
        let deadline = d(2026, 8, 14); // Friday
        assert_eq!(cal.working_days_late(deadline, deadline), 0);
        assert_eq!(cal.working_days_late(deadline, d(2026, 8, 16)), 0); // weekend
        assert_eq!(cal.working_days_late(deadline, d(2026, 8, 17)), 1);
        assert_eq!(cal.working_days_late(deadline, d(2026, 8, 21)), 4); // 20th off
        assert_eq!(cal.working_days_late(deadline, d(2026, 8, 1)), 0);
    }
}
