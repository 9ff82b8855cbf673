//! Review periods (`2026-Q3`, `2026-07`, `2026-07-01..2026-09-30`) and the
//! `as_of` moment.

use chrono::{DateTime, Datelike, Months, NaiveDate, NaiveTime, Utc};

use crate::error::IngestError;
use crate::values::{parse_date, parse_timestamp, tallinn_to_utc};

/// A closed range of calendar days (Europe/Tallinn) that event rules look at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Period {
    /// First day.
    pub from: NaiveDate,
    /// Last day (inclusive).
    pub to: NaiveDate,
    /// How it was written, for reports (`2026-Q3`).
    pub label: String,
}

impl Period {
    /// Reads `YYYY-Qn`, `YYYY-MM` or `FROM..TO` (dates in either contract form).
    pub fn parse(text: &str) -> Result<Self, IngestError> {
        let t = text.trim();
        let bad = |reason: &str| IngestError::Period {
            value: text.to_string(),
            reason: reason.to_string(),
        };
        if let Some((a, b)) = t.split_once("..") {
            let from = parse_date(a).ok_or_else(|| bad("the start is not a date"))?;
            let to = parse_date(b).ok_or_else(|| bad("the end is not a date"))?;
            if to < from {
                return Err(bad("the end is before the start"));
            }
            return Ok(Period {
                from,
                to,
                label: format!("{from}..{to}"),
            });
        }
        let shape = "expected 2026-Q3, 2026-07 or 2026-07-01..2026-09-30";
        let (year, rest) = t.split_once('-').ok_or_else(|| bad(shape))?;
        let year: i32 = year
            .parse()
            .ok()
            .filter(|_| year.len() == 4)
            .ok_or_else(|| bad(shape))?;
        let (first_month, months) = if let Some(q) = rest.strip_prefix(['Q', 'q']) {
            match q {
                "1" | "2" | "3" | "4" => ((q.as_bytes()[0] - b'0') as u32 * 3 - 2, 3),
                _ => return Err(bad("a quarter is Q1 to Q4")),
            }
        } else {
            match rest.parse::<u32>() {
                Ok(m) if rest.len() == 2 && (1..=12).contains(&m) => (m, 1),
                _ => return Err(bad(shape)),
            }
        };
        let from = NaiveDate::from_ymd_opt(year, first_month, 1).ok_or_else(|| bad(shape))?;
        let to = from
            .checked_add_months(Months::new(months))
            .and_then(|d| d.pred_opt())
            .ok_or_else(|| bad(shape))?;
        Ok(Period {
            from,
            to,
            label: t.to_uppercase(),
        })
    }

    /// The calendar quarter holding `day`.
    pub fn quarter_of(day: NaiveDate) -> Self {
        let q = (day.month() - 1) / 3 + 1;
        // A quarter label always parses.
        Period::parse(&format!("{}-Q{q}", day.year())).unwrap_or(Period {
            from: day,
            to: day,
            label: day.to_string(),
        })
    }

    /// Whether `day` lies in the period.
    pub fn contains(&self, day: NaiveDate) -> bool {
        self.from <= day && day <= self.to
    }

    /// The instant the period starts (local midnight of `from`).
    pub fn start_instant(&self) -> DateTime<Utc> {
        tallinn_to_utc(self.from.and_time(NaiveTime::MIN))
    }

    /// The instant just after the period (local midnight after `to`).
    pub fn end_instant(&self) -> DateTime<Utc> {
        let next = self.to.succ_opt().unwrap_or(self.to);
        tallinn_to_utc(next.and_time(NaiveTime::MIN))
    }
}

impl std::fmt::Display for Period {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.label == format!("{}..{}", self.from, self.to) {
            write!(f, "{}", self.label)
        } else {
            write!(f, "{} ({}..{})", self.label, self.from, self.to)
        }
    }
}

/// Reads an `as_of` moment: a timestamp, or a date meaning the end of that day
/// (23:59:59 Europe/Tallinn), the way exports taken "on 30 September" are meant.
pub(crate) fn parse_as_of(text: &str) -> Result<DateTime<Utc>, IngestError> {
    if let Some(t) = parse_timestamp(text) {
        return Ok(t);
    }
    let day = parse_date(text).ok_or_else(|| IngestError::AsOf {
        value: text.to_string(),
    })?;
    let end = NaiveTime::from_hms_opt(23, 59, 59).unwrap_or(NaiveTime::MIN);
    Ok(tallinn_to_utc(day.and_time(end)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap_or_default()
    }

    #[test]
    fn quarters_months_and_ranges() -> Result<(), IngestError> {
        let q = Period::parse("2026-Q3")?;
        assert_eq!((q.from, q.to), (d(2026, 7, 1), d(2026, 9, 30)));
        let q4 = Period::parse("2026-q4")?;
        assert_eq!((q4.from, q4.to), (d(2026, 10, 1), d(2026, 12, 31)));
        let feb = Period::parse("2028-02")?;
        assert_eq!((feb.from, feb.to), (d(2028, 2, 1), d(2028, 2, 29)));
        let r = Period::parse("2026-07-01..2026-09-30")?;
        assert_eq!((r.from, r.to), (d(2026, 7, 1), d(2026, 9, 30)));
        let dotted = Period::parse("01.07.2026..15.07.2026")?;
        assert_eq!(dotted.to, d(2026, 7, 15));
        assert!(q.contains(d(2026, 9, 30)) && !q.contains(d(2026, 10, 1)));
        Ok(())
    }

    #[test]
    fn bad_periods_say_why() {
        for bad in [
            "2026-Q5",
            "2026-13",
            "2026",
            "26-Q3",
            "2026-09-30..2026-07-01",
            "Q3",
            "",
        ] {
            assert!(
                matches!(Period::parse(bad), Err(IngestError::Period { .. })),
                "{bad}"
            );
        }
    }

    #[test]
    fn period_instants_are_local_midnights() -> Result<(), IngestError> {
        let q = Period::parse("2026-Q3")?;
        assert_eq!(q.start_instant().to_rfc3339(), "2026-06-30T21:00:00+00:00");
        assert_eq!(q.end_instant().to_rfc3339(), "2026-09-30T21:00:00+00:00");
        assert_eq!(Period::quarter_of(d(2026, 11, 24)).label, "2026-Q4");
        Ok(())
    }

    #[test]
    fn as_of_forms() -> Result<(), IngestError> {
        let t = parse_as_of("2026-09-30T23:59:59+03:00")?;
        assert_eq!(parse_as_of("2026-09-30")?, t);
        assert_eq!(parse_as_of("30.09.2026")?, t);
        assert!(parse_as_of("yesterday").is_err());
        Ok(())
    }
}
