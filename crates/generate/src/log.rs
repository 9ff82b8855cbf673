//! The access log sink: CSV (demo rows first, verbatim) or Parquet partitioned
//! by month with native UTC timestamps.

use std::collections::BTreeMap;
use std::fs::File;
use std::path::{Path, PathBuf};

use chrono::TimeZone as _;
use chrono::{DateTime, NaiveDate, NaiveDateTime};
use chrono_tz::Europe::Tallinn;
use polars::prelude::*;

use crate::follow_up::log_day;
use crate::quarter;
use crate::sink::CsvTable;
use crate::GenerateError;

/// Rows per Parquet part file: small enough to build in memory, large enough
/// for good row groups.
const PART_ROWS: usize = 2_000_000;

/// One generated access event; names are resolved when written.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Event {
    /// Seconds since local midnight.
    pub secs: u32,
    /// Index of the account's id in the activity's account table.
    pub account: u32,
    /// Index of the case looked at in the activity's case table.
    pub case: u32,
    /// `access_log.action`.
    pub action: &'static str,
    /// Whether the user named the case in the event.
    pub named: bool,
}

/// What an event's indices point to.
pub(crate) struct Names<'a> {
    /// Account ids, with their system.
    pub accounts: &'a [(&'static str, String)],
    /// Case ids with their subject.
    pub cases: &'a [(String, String)],
}

/// Where events go.
pub(crate) enum LogSink {
    /// `access_log.csv`.
    Csv {
        /// The table.
        table: CsvTable,
        /// Reused line buffer.
        line: String,
        /// Next event id.
        next_id: u64,
    },
    /// `access_log/month=YYYY-MM/part-NNNN.parquet`.
    Parquet(Box<ParquetLog>),
}

/// A demo event read back from its CSV line.
struct DemoEvent {
    micros: i64,
    fields: [String; 6],
}

/// The Parquet writer's state.
pub(crate) struct ParquetLog {
    dir: PathBuf,
    month: Option<(i32, u32)>,
    part: usize,
    demo: BTreeMap<(i32, u32), Vec<DemoEvent>>,
    ts: Vec<i64>,
    system: Vec<String>,
    account: Vec<String>,
    subject: Vec<String>,
    action: Vec<&'static str>,
    case_id: Vec<Option<String>>,
    event_id: Vec<String>,
    next_id: u64,
    /// Rows written.
    pub rows: u64,
}

const FIRST_EVENT_ID: u64 = 900_000_001;

fn parse_micros(text: &str) -> Option<i64> {
    let t = text.trim().replacen(' ', "T", 1);
    if let Ok(dt) = DateTime::parse_from_rfc3339(&t) {
        return Some(dt.timestamp_micros());
    }
    let naive = NaiveDateTime::parse_from_str(&t, "%Y-%m-%dT%H:%M:%S%.f").ok()?;
    Tallinn
        .from_local_datetime(&naive)
        .earliest()
        .map(|dt| dt.timestamp_micros())
}

impl LogSink {
    /// A CSV log in `dir`, starting with the demo's lines of the quarter.
    pub(crate) fn csv(dir: &Path, demo_text: &str) -> Result<Self, GenerateError> {
        let table = CsvTable::create(dir, "access_log", demo_text)?;
        let expected = [
            "ts",
            "system",
            "account_id",
            "subject_id",
            "action",
            "case_id",
            "event_id",
        ];
        if table.columns() != expected {
            return Err(GenerateError::Internal(
                "the demo's access_log.csv columns changed".into(),
            ));
        }
        Ok(Self::Csv {
            table,
            line: String::new(),
            next_id: FIRST_EVENT_ID,
        })
    }

    /// A month-partitioned Parquet log in `dir/access_log`; the demo's events
    /// go into their months.
    pub(crate) fn parquet(dir: &Path, demo_text: &str) -> Result<Self, GenerateError> {
        let mut demo: BTreeMap<(i32, u32), Vec<DemoEvent>> = BTreeMap::new();
        for line in demo_text.lines().skip(1).filter(|l| !l.trim().is_empty()) {
            let parts: Vec<&str> = line.split(',').collect();
            let (Some(day), Some(micros), 7) = (log_day(line), parse_micros(parts[0]), parts.len())
            else {
                return Err(GenerateError::Internal(format!("demo log line {line:?}")));
            };
            use chrono::Datelike;
            demo.entry((day.year(), day.month()))
                .or_default()
                .push(DemoEvent {
                    micros,
                    fields: std::array::from_fn(|i| parts[i + 1].to_string()),
                });
        }
        let root = dir.join("access_log");
        std::fs::create_dir_all(&root).map_err(|e| GenerateError::io(&root, e))?;
        Ok(Self::Parquet(Box::new(ParquetLog {
            dir: root,
            month: None,
            part: 0,
            demo,
            ts: Vec::new(),
            system: Vec::new(),
            account: Vec::new(),
            subject: Vec::new(),
            action: Vec::new(),
            case_id: Vec::new(),
            event_id: Vec::new(),
            next_id: FIRST_EVENT_ID,
            rows: 0,
        })))
    }

    /// Writes one day's events, in the order given.
    pub(crate) fn day(
        &mut self,
        day: NaiveDate,
        events: &[Event],
        names: &Names,
    ) -> Result<(), GenerateError> {
        match self {
            LogSink::Csv {
                table,
                line,
                next_id,
            } => {
                use std::fmt::Write;
                let offset = quarter::offset_text(day);
                for e in events {
                    let (system, account) = &names.accounts[e.account as usize];
                    let (case_id, subject) = &names.cases[e.case as usize];
                    line.clear();
                    let _ = writeln!(
                        line,
                        "{day}T{:02}:{:02}:{:02}{offset},{system},{account},{subject},{},{},{system}-{next_id}",
                        e.secs / 3600,
                        e.secs / 60 % 60,
                        e.secs % 60,
                        e.action,
                        if e.named { case_id.as_str() } else { "" },
                    );
                    *next_id += 1;
                    table.raw(line)?;
                }
                Ok(())
            }
            LogSink::Parquet(log) => log.day(day, events, names),
        }
    }

    /// Flushes everything; returns the rows written.
    pub(crate) fn finish(self) -> Result<u64, GenerateError> {
        match self {
            LogSink::Csv { table, .. } => table.finish(),
            LogSink::Parquet(mut log) => {
                log.flush()?;
                // Months with demo events but no background day.
                let months: Vec<(i32, u32)> = log.demo.keys().copied().collect();
                for m in months {
                    log.start_month(m)?;
                    log.flush()?;
                }
                Ok(log.rows)
            }
        }
    }
}

impl ParquetLog {
    fn start_month(&mut self, month: (i32, u32)) -> Result<(), GenerateError> {
        self.flush()?;
        self.month = Some(month);
        self.part = 0;
        for e in self.demo.remove(&month).unwrap_or_default() {
            let [system, account, subject, action, case_id, event_id] = e.fields;
            self.ts.push(e.micros);
            self.system.push(system);
            self.account.push(account);
            self.subject.push(subject);
            self.action.push(match action.as_str() {
                "search" => "search",
                "update" => "update",
                "export" => "export",
                "print" => "print",
                _ => "view",
            });
            self.case_id.push((!case_id.is_empty()).then_some(case_id));
            self.event_id.push(event_id);
        }
        Ok(())
    }

    fn day(
        &mut self,
        day: NaiveDate,
        events: &[Event],
        names: &Names,
    ) -> Result<(), GenerateError> {
        use chrono::Datelike;
        let month = (day.year(), day.month());
        if self.month != Some(month) {
            self.start_month(month)?;
        }
        for e in events {
            let (system, account) = &names.accounts[e.account as usize];
            let (case_id, subject) = &names.cases[e.case as usize];
            self.ts.push(quarter::utc_micros(day, e.secs));
            self.system.push((*system).to_string());
            self.account.push(account.clone());
            self.subject.push(subject.clone());
            self.action.push(e.action);
            self.case_id.push(e.named.then(|| case_id.clone()));
            self.event_id.push(format!("{system}-{}", self.next_id));
            self.next_id += 1;
            if self.ts.len() >= PART_ROWS {
                self.flush()?;
            }
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<(), GenerateError> {
        let Some((year, month)) = self.month else {
            return Ok(());
        };
        if self.ts.is_empty() {
            return Ok(());
        }
        let dir = self.dir.join(format!("month={year}-{month:02}"));
        std::fs::create_dir_all(&dir).map_err(|e| GenerateError::io(&dir, e))?;
        let path = dir.join(format!("part-{:04}.parquet", self.part));
        self.part += 1;
        let n = self.ts.len();
        let ts = Int64Chunked::from_vec("ts".into(), std::mem::take(&mut self.ts))
            .into_datetime(TimeUnit::Microseconds, Some(TimeZone::UTC))
            .into_column();
        let columns = vec![
            ts,
            Column::new("system".into(), std::mem::take(&mut self.system)),
            Column::new("account_id".into(), std::mem::take(&mut self.account)),
            Column::new("subject_id".into(), std::mem::take(&mut self.subject)),
            Column::new("action".into(), std::mem::take(&mut self.action)),
            Column::new("case_id".into(), std::mem::take(&mut self.case_id)),
            Column::new("event_id".into(), std::mem::take(&mut self.event_id)),
        ];
        let mut frame = DataFrame::new(n, columns).map_err(|e| GenerateError::Parquet {
            path: path.clone(),
            source: e,
        })?;
        let file = File::create(&path).map_err(|e| GenerateError::io(&path, e))?;
        ParquetWriter::new(file)
            .finish(&mut frame)
            .map_err(|e| GenerateError::Parquet { path, source: e })?;
        self.rows += n as u64;
        Ok(())
    }
}
