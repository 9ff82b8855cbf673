//! Reading the contract's text forms of dates, timestamps, bools and enums.
//!
//! These are plain functions over `&str`, so every accepted and rejected form
//! is unit-tested here; the table loader applies them column by column.

use chrono::{DateTime, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use chrono_tz::Europe::Tallinn;

/// Reads a date written `YYYY-MM-DD` or `DD.MM.YYYY` (day and month may have
/// one digit in the dotted form, as Estonian spreadsheets write them).
pub fn parse_date(text: &str) -> Option<NaiveDate> {
    let t = text.trim();
    if let Some((d, rest)) = t.split_once('.') {
        let (m, y) = rest.split_once('.')?;
        if !(1..=2).contains(&d.len()) || !(1..=2).contains(&m.len()) || y.len() != 4 {
            return None;
        }
        return NaiveDate::from_ymd_opt(number(y)? as i32, number(m)?, number(d)?);
    }
    let b = t.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    NaiveDate::from_ymd_opt(number(&t[..4])? as i32, number(&t[5..7])?, number(&t[8..])?)
}

/// Reads an ISO 8601 timestamp `YYYY-MM-DD[T ]HH:MM:SS[.fff][Z|±HH:MM|±HHMM|±HH]`
/// as an instant. Without an offset it is wall-clock time in Europe/Tallinn
/// (see [`tallinn_to_utc`]).
pub fn parse_timestamp(text: &str) -> Option<DateTime<Utc>> {
    let t = text.trim();
    if t.len() < 19 || !t.is_char_boundary(10) || !t.is_char_boundary(19) {
        return None;
    }
    let date = parse_date(&t[..10]).filter(|_| t.as_bytes()[4] == b'-')?;
    if !matches!(t.as_bytes()[10], b'T' | b't' | b' ') {
        return None;
    }
    let clock = &t[11..19];
    let cb = clock.as_bytes();
    if cb[2] != b':' || cb[5] != b':' {
        return None;
    }
    let (h, mi, s) = (
        number(&clock[..2])?,
        number(&clock[3..5])?,
        number(&clock[6..])?,
    );
    let mut rest = &t[19..];
    let mut nanos = 0u32;
    if let Some(frac) = rest.strip_prefix('.') {
        let digits = frac.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 || digits > 9 {
            return None;
        }
        nanos = number(&frac[..digits])? * 10u32.pow(9 - digits as u32);
        rest = &frac[digits..];
    }
    let local = NaiveDateTime::new(date, NaiveTime::from_hms_nano_opt(h, mi, s, nanos)?);
    match rest {
        "" => Some(tallinn_to_utc(local)),
        "Z" | "z" => Some(local.and_utc()),
        _ => {
            let offset = parse_offset(rest)?;
            Some(local.and_utc() - chrono::Duration::seconds(i64::from(offset)))
        }
    }
}

/// Seconds east of UTC for `±HH:MM`, `±HHMM` or `±HH`.
fn parse_offset(text: &str) -> Option<i32> {
    let sign = match text.as_bytes().first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let body = &text[1..];
    let (h, m) = match body.len() {
        2 => (body, "00"),
        4 => (&body[..2], &body[2..]),
        5 if body.as_bytes()[2] == b':' => (&body[..2], &body[3..]),
        _ => return None,
    };
    let (h, m) = (number(h)?, number(m)?);
    if h > 23 || m > 59 {
        return None;
    }
    Some(sign * (h as i32 * 3600 + m as i32 * 60))
}

/// Turns a Europe/Tallinn wall-clock time into an instant.
///
/// Across the DST changes: a time that occurs twice (the autumn hour
/// 03:00–04:00) is read as its first occurrence, summer time, as a person
/// writing it that night most likely meant; a time that does not exist (the
/// spring hour 03:00–04:00) is read as the clock would show it an hour later.
pub fn tallinn_to_utc(local: NaiveDateTime) -> DateTime<Utc> {
    match Tallinn.from_local_datetime(&local) {
        LocalResult::Single(t) => t.with_timezone(&Utc),
        LocalResult::Ambiguous(first, _) => first.with_timezone(&Utc),
        LocalResult::None => {
            let later = local + chrono::Duration::hours(1);
            match Tallinn.from_local_datetime(&later) {
                LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => t.with_timezone(&Utc),
                // Unreachable for Tallinn's rules; fall back to standard time (+02:00).
                LocalResult::None => local.and_utc() - chrono::Duration::hours(2),
            }
        }
    }
}

/// Reads a bool: `true/false`, `1/0`, `yes/no`, `jah/ei`, case-insensitively.
pub fn parse_bool(text: &str) -> Option<bool> {
    let t = text.trim();
    const TRUE: [&str; 4] = ["true", "1", "yes", "jah"];
    const FALSE: [&str; 4] = ["false", "0", "no", "ei"];
    if TRUE.iter().any(|w| w.eq_ignore_ascii_case(t)) {
        Some(true)
    } else if FALSE.iter().any(|w| w.eq_ignore_ascii_case(t)) {
        Some(false)
    } else {
        None
    }
}

/// Finds `text` among `allowed` case-insensitively and returns the canonical word.
pub fn parse_enum(text: &str, allowed: &[&'static str]) -> Option<&'static str> {
    let t = text.trim();
    allowed.iter().copied().find(|w| w.eq_ignore_ascii_case(t))
}

/// A run of ASCII digits as a number (no signs, no spaces).
fn number(text: &str) -> Option<u32> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_default()
    }

    #[test]
    fn dates_in_both_forms() {
        let day = NaiveDate::from_ymd_opt(2026, 7, 1);
        assert_eq!(parse_date("2026-07-01"), day);
        assert_eq!(parse_date("01.07.2026"), day);
        assert_eq!(parse_date("1.7.2026"), day);
        assert_eq!(parse_date(" 2026-07-01 "), day);
        for bad in [
            "2026-02-30",
            "2026-7-1",
            "32.01.2026",
            "01.07.26",
            "2026/07/01",
            "",
            "x",
        ] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn timestamps_with_offsets() {
        let t = utc("2026-07-01T09:00:00Z");
        assert_eq!(parse_timestamp("2026-07-01T12:00:00+03:00"), Some(t));
        assert_eq!(parse_timestamp("2026-07-01 12:00:00+0300"), Some(t));
        assert_eq!(parse_timestamp("2026-07-01T12:00:00+03"), Some(t));
        assert_eq!(parse_timestamp("2026-07-01T09:00:00Z"), Some(t));
        assert_eq!(parse_timestamp("2026-07-01T06:00:00-03:00"), Some(t));
        assert_eq!(
            parse_timestamp("2026-07-01T12:00:00.250+03:00"),
            Some(t + chrono::Duration::milliseconds(250))
        );
    }

    #[test]
    fn naive_timestamps_are_tallinn_time() {
        // Summer time: +03:00; winter time: +02:00.
        assert_eq!(
            parse_timestamp("2026-07-01T12:00:00"),
            Some(utc("2026-07-01T09:00:00Z"))
        );
        assert_eq!(
            parse_timestamp("2026-12-01 12:00:00"),
            Some(utc("2026-12-01T10:00:00Z"))
        );
    }

    #[test]
    fn naive_timestamps_across_dst_changes() {
        // 25 Oct 2026: 04:00 EEST becomes 03:00 EET; 03:30 happens twice.
        assert_eq!(
            parse_timestamp("2026-10-25T03:30:00"),
            Some(utc("2026-10-25T00:30:00Z"))
        );
        assert_eq!(
            parse_timestamp("2026-10-25T04:30:00"),
            Some(utc("2026-10-25T02:30:00Z"))
        );
        // 29 Mar 2026: 03:00 EET becomes 04:00 EEST; 03:30 does not exist.
        assert_eq!(
            parse_timestamp("2026-03-29T03:30:00"),
            Some(utc("2026-03-29T01:30:00Z"))
        );
        assert_eq!(
            parse_timestamp("2026-03-29T02:59:59"),
            Some(utc("2026-03-29T00:59:59Z"))
        );
        assert_eq!(
            parse_timestamp("2026-03-29T04:00:00"),
            Some(utc("2026-03-29T01:00:00Z"))
        );
    }

    #[test]
    fn malformed_timestamps() {
        for bad in [
            "2026-07-01",
            "2026-07-01T25:00:00",
            "2026-07-01T12:00",
            "2026-07-01X12:00:00",
            "2026-07-01T12:00:00+3:00",
            "2026-07-01T12:00:00.",
            "2026-07-01T12:00:00 CET",
            "01.07.2026 12:00:00",
            "2026-07-01T12:00:00ÄÄ",
            "",
        ] {
            assert_eq!(parse_timestamp(bad), None, "{bad}");
        }
    }

    #[test]
    fn bools_in_every_listed_spelling() {
        for t in ["true", "TRUE", "1", "yes", "Jah"] {
            assert_eq!(parse_bool(t), Some(true), "{t}");
        }
        for f in ["false", "0", "No", "ei", "EI"] {
            assert_eq!(parse_bool(f), Some(false), "{f}");
        }
        assert_eq!(parse_bool("maybe"), None);
        assert_eq!(parse_bool("2"), None);
    }

    #[test]
    fn enums_case_insensitive() {
        let kinds = &["personal", "service", "shared"];
        assert_eq!(parse_enum("Personal", kinds), Some("personal"));
        assert_eq!(parse_enum(" SHARED ", kinds), Some("shared"));
        assert_eq!(parse_enum("robot", kinds), None);
    }
}
