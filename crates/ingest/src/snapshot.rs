//! A whole snapshot directory: every table of the contract, the manifest, and
//! the moment and period the audit looks at.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Europe::Tallinn;
use polars::prelude::*;

use crate::calendar::WorkCalendar;
use crate::contract::{ColumnType, TableSpec, TABLES};
use crate::engine::collect_streaming;
use crate::error::IngestError;
use crate::manifest::Manifest;
use crate::period::{parse_as_of, Period};
use crate::source;
use crate::table::{self, LoadedTable, ReadMode};

/// A first and a last instant.
pub type TimeRange = (DateTime<Utc>, DateTime<Utc>);

/// What the caller sets on top of the manifest.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// Reject rows with unreadable values instead of stopping.
    pub lenient: bool,
    /// Overrides the manifest's `as_of`.
    pub as_of: Option<String>,
    /// Overrides the manifest's `period`.
    pub period: Option<String>,
}

/// Where `as_of` came from, for the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AsOfSource {
    /// `--as-of`.
    CommandLine,
    /// `manifest.toml`.
    Manifest,
    /// The latest timestamp found in the data.
    LatestInData,
}

impl AsOfSource {
    /// Where the value was written, as a message names it.
    pub fn describe(self) -> &'static str {
        match self {
            AsOfSource::CommandLine => "--as-of",
            AsOfSource::Manifest => "manifest.toml",
            AsOfSource::LatestInData => "the latest time in the data",
        }
    }
}

/// Where the period came from, for the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PeriodSource {
    /// `--period`.
    CommandLine,
    /// `manifest.toml`.
    Manifest,
    /// The calendar quarter holding `as_of`.
    QuarterOfAsOf,
}

impl PeriodSource {
    /// Where the value was written, as a message names it.
    pub fn describe(self) -> &'static str {
        match self {
            PeriodSource::CommandLine => "--period",
            PeriodSource::Manifest => "manifest.toml",
            PeriodSource::QuarterOfAsOf => "the quarter of as_of",
        }
    }
}

/// A loaded snapshot.
pub struct Snapshot {
    /// The snapshot directory.
    pub dir: PathBuf,
    /// The manifest as written.
    pub manifest: Manifest,
    /// The moment state rules look at.
    pub as_of: DateTime<Utc>,
    /// Where `as_of` came from.
    pub as_of_source: AsOfSource,
    /// The review period event rules look at.
    pub period: Period,
    /// Where the period came from.
    pub period_source: PeriodSource,
    /// Tables present, in contract order.
    pub tables: Vec<LoadedTable>,
    /// Optional tables that are absent (treated as empty).
    pub absent: Vec<&'static str>,
    /// Working days: public holidays plus the `holidays` table.
    pub calendar: WorkCalendar,
    /// The access log's first and last `ts`, read once when first asked for:
    /// a large log takes seconds to scan, and several rules ask.
    log_range: OnceLock<Option<TimeRange>>,
}

impl Snapshot {
    /// Reads every table of `dir`. Fails on the first problem that makes the
    /// data unusable; see [`LoadOptions::lenient`] for row-level problems.
    pub fn load(dir: &Path, options: &LoadOptions) -> Result<Self, IngestError> {
        if !dir.is_dir() {
            return Err(IngestError::Directory {
                path: dir.to_path_buf(),
                source: std::io::Error::new(std::io::ErrorKind::NotFound, "not a directory"),
            });
        }
        let manifest = Manifest::load(dir)?;
        let mode = ReadMode {
            lenient: options.lenient,
        };
        let mut tables = Vec::new();
        let mut absent = Vec::new();
        for spec in TABLES {
            match source::locate(dir, spec.name)? {
                Some(files) => {
                    tracing::debug!(table = spec.name, files = files.len(), "loading");
                    let t = table::load(spec, files, mode)?;
                    tracing::info!(
                        table = spec.name,
                        rows = t.rows_read,
                        rejected = t.rows_rejected,
                        "loaded"
                    );
                    tables.push(t);
                }
                None if spec.required => {
                    return Err(IngestError::MissingTable {
                        table: spec.name.to_string(),
                        dir: dir.to_path_buf(),
                    })
                }
                None => absent.push(spec.name),
            }
        }
        let calendar = WorkCalendar::with_extra_days_off(holiday_dates(&tables)?);
        let (as_of, as_of_source) = match (&options.as_of, &manifest.as_of) {
            (Some(t), _) => (parse_as_of(t)?, AsOfSource::CommandLine),
            (None, Some(t)) => (parse_as_of(t)?, AsOfSource::Manifest),
            (None, None) => (latest_timestamp(&tables)?, AsOfSource::LatestInData),
        };
        let (period, period_source) = match (&options.period, &manifest.period) {
            (Some(p), _) => (Period::parse(p)?, PeriodSource::CommandLine),
            (None, Some(p)) => (Period::parse(p)?, PeriodSource::Manifest),
            (None, None) => (
                Period::quarter_of(as_of.with_timezone(&Tallinn).date_naive()),
                PeriodSource::QuarterOfAsOf,
            ),
        };
        // State rules look at `as_of` and event rules at the period: an
        // `as_of` before the period starts would judge the period's events
        // against rights and people as they stood before it.
        if as_of < period.start_instant() {
            let written = match as_of_source {
                AsOfSource::CommandLine => options.as_of.clone(),
                AsOfSource::Manifest => manifest.as_of.clone(),
                AsOfSource::LatestInData => None,
            };
            return Err(IngestError::AsOfBeforePeriod {
                as_of: written.unwrap_or_else(|| as_of.with_timezone(&Tallinn).to_rfc3339()),
                as_of_from: as_of_source.describe().to_string(),
                period: period.to_string(),
                period_from: period_source.describe().to_string(),
            });
        }
        Ok(Snapshot {
            dir: dir.to_path_buf(),
            manifest,
            as_of,
            as_of_source,
            period,
            period_source,
            tables,
            absent,
            calendar,
            log_range: OnceLock::new(),
        })
    }

    /// A snapshot with no table at all (each reads as an empty frame with
    /// the contract's columns), at `as_of` and for `period`: for planning
    /// queries against the contract's schemas before any data is read.
    pub fn empty(as_of: DateTime<Utc>, period: Period) -> Self {
        Snapshot {
            dir: PathBuf::new(),
            manifest: Manifest::default(),
            as_of,
            as_of_source: AsOfSource::CommandLine,
            period,
            period_source: PeriodSource::CommandLine,
            tables: Vec::new(),
            absent: TABLES.iter().map(|t| t.name).collect(),
            calendar: WorkCalendar::estonian(),
            log_range: OnceLock::new(),
        }
    }

    /// Whether table `table` is present and some file of it has column
    /// `column` (an optional column no file has reads as nulls).
    pub fn has_column(&self, table: &str, column: &str) -> bool {
        self.table(table).is_some_and(|t| t.has_column(column))
    }

    /// The loaded table called `name`, if present.
    pub fn table(&self, name: &str) -> Option<&LoadedTable> {
        self.tables.iter().find(|t| t.spec.name == name)
    }

    /// The typed frame of table `name`; an empty frame with the contract's
    /// columns when the table is absent (or not in the contract).
    pub fn frame(&self, name: &str) -> LazyFrame {
        match self.table(name) {
            Some(t) => t.frame.clone(),
            None => crate::contract::table(name)
                .map(table::empty_frame)
                .unwrap_or_default(),
        }
    }

    /// The first and last `ts` of the access log, when there is one with events.
    pub fn access_log_range(&self) -> Result<Option<TimeRange>, IngestError> {
        if let Some(range) = self.log_range.get() {
            return Ok(*range);
        }
        let range = self.read_access_log_range()?;
        Ok(*self.log_range.get_or_init(|| range))
    }

    fn read_access_log_range(&self) -> Result<Option<TimeRange>, IngestError> {
        let Some(log) = self.table("access_log") else {
            return Ok(None);
        };
        let wrap = |e| IngestError::polars("reading the access log's time range", e);
        let df = collect_streaming(
            log.frame.clone().select([
                col("ts")
                    .dt()
                    .timestamp(TimeUnit::Microseconds)
                    .min()
                    .alias("first"),
                col("ts")
                    .dt()
                    .timestamp(TimeUnit::Microseconds)
                    .max()
                    .alias("last"),
            ]),
        )
        .map_err(wrap)?;
        let get = |name: &str| -> Result<Option<DateTime<Utc>>, IngestError> {
            Ok(df
                .column(name)
                .and_then(|c| c.i64().map(|v| v.get(0)))
                .map_err(wrap)?
                .and_then(DateTime::from_timestamp_micros))
        };
        Ok(match (get("first")?, get("last")?) {
            (Some(a), Some(b)) => Some((a, b)),
            _ => None,
        })
    }

    /// The `as_of` moment as a calendar day in Europe/Tallinn.
    pub fn as_of_day(&self) -> NaiveDate {
        self.as_of.with_timezone(&Tallinn).date_naive()
    }
}

fn holiday_dates(tables: &[LoadedTable]) -> Result<Vec<NaiveDate>, IngestError> {
    let Some(t) = tables.iter().find(|t| t.spec.name == "holidays") else {
        return Ok(Vec::new());
    };
    let df = t
        .frame
        .clone()
        .select([col("date")])
        .collect()
        .map_err(|e| IngestError::polars("reading holidays", e))?;
    let dates = df
        .column("date")
        .and_then(|c| c.date().map(|d| d.physical().clone()))
        .map_err(|e| IngestError::polars("reading holidays", e))?;
    let epoch = NaiveDate::default();
    Ok(dates
        .iter()
        .flatten()
        .filter_map(|days| epoch.checked_add_signed(chrono::Duration::days(i64::from(days))))
        .collect())
}

/// The latest value of any timestamp column in the data.
fn latest_timestamp(tables: &[LoadedTable]) -> Result<DateTime<Utc>, IngestError> {
    let mut latest: Option<i64> = None;
    for t in tables {
        let cols: Vec<Expr> = timestamp_columns(t.spec)
            .map(|c| col(c).dt().timestamp(TimeUnit::Microseconds).max())
            .collect();
        if cols.is_empty() {
            continue;
        }
        let df = t.frame.clone().select(cols).collect().map_err(|e| {
            IngestError::polars(format!("finding the latest time in {}", t.spec.name), e)
        })?;
        for c in df.columns() {
            if let Ok(Some(v)) = c.i64().map(|ca| ca.get(0)) {
                latest = Some(latest.map_or(v, |l| l.max(v)));
            }
        }
    }
    latest
        .and_then(DateTime::from_timestamp_micros)
        .ok_or_else(|| IngestError::AsOf {
            value: "(no timestamp in the data; give --as-of)".into(),
        })
}

fn timestamp_columns(spec: &TableSpec) -> impl Iterator<Item = &'static str> + '_ {
    spec.columns
        .iter()
        .filter(|c| c.ty == ColumnType::Timestamp)
        .map(|c| c.name)
}
