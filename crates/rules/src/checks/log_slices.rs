//! The one way the access log is read in pieces: stretches of whole
//! Tallinn days, a week each when the log is Parquet (its row groups outside
//! a stretch are skipped, so memory holds one week), all at once otherwise
//! (a CSV file has no row groups to skip).

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};

use accessaudit_ingest::source::Format;
use accessaudit_ingest::values::tallinn_to_utc;
use accessaudit_ingest::Snapshot;

/// Days per stretch of a Parquet log.
const DAYS_PER_SLICE: u64 = 7;

/// A stretch of whole local days, `[start, end)` as instants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct LogSlice {
    /// Local midnight of the first day.
    pub(crate) start: DateTime<Utc>,
    /// Local midnight after the last day.
    pub(crate) end: DateTime<Utc>,
}

/// Whether the access log comes as Parquet files only.
fn parquet_log(snapshot: &Snapshot) -> bool {
    snapshot
        .table("access_log")
        .is_some_and(|t| t.files.iter().all(|f| f.format == Format::Parquet))
}

/// The stretches that cover the days `from..=to`: weeks for a Parquet log
/// (whole days, so no local day is split between two stretches: the PD
/// grain has a day in it), one stretch otherwise.
pub(crate) fn log_slices(snapshot: &Snapshot, from: NaiveDate, to: NaiveDate) -> Vec<LogSlice> {
    let midnight = |d: NaiveDate| tallinn_to_utc(d.and_time(NaiveTime::MIN));
    let after = |d: NaiveDate| d.succ_opt().map_or(midnight(d), midnight);
    if !parquet_log(snapshot) {
        return vec![LogSlice {
            start: midnight(from),
            end: after(to),
        }];
    }
    let mut out = Vec::new();
    let mut first = from;
    while first <= to {
        let last = first
            .checked_add_days(chrono::Days::new(DAYS_PER_SLICE - 1))
            .map_or(to, |d| d.min(to));
        out.push(LogSlice {
            start: midnight(first),
            end: after(last),
        });
        first = match last.succ_opt() {
            Some(d) => d,
            None => break,
        };
    }
    out
}
