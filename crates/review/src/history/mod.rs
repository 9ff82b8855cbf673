//! The review history folder (`--history DIR`): the reviews issued, and the
//! decision ledger.

use chrono::NaiveDate;

/// The id of the review an audit issues: its period and `as_of` day, e.g.
/// `2026-Q3_2026-09-30`. The same audit run again issues the same review;
/// [`crate::history`] records it once.
pub fn review_id(period: &str, as_of_day: NaiveDate) -> String {
    let period: String = period
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("{period}_{as_of_day}")
}
