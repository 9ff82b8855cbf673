//! History from periodic dumps of systems that keep only their current
//! state (`--source dumps:DIR`). DIR holds one folder per dump, named by its
//! date or timestamp in Tallinn time (`2026-07-01/`, `2026-08-01T06:00/`),
//! each with current-state exports of `employees`, `accounts` and
//! `role_assignments` without validity columns (through the mapping's
//! queries when the shapes differ, else files named as the contract's
//! tables). Every other table comes from the newest dump.
//!
//! Intervals claim only what the dumps prove: a row is certainly effective
//! from the first dump that shows it to the last one that shows it; its
//! true start lies after the dump before and its true end before the dump
//! after. A row that vanishes and comes back is two intervals (a right's
//! second interval gets the id `ID#2`); a person who leaves and is rehired
//! is two employment rows. Rows are matched by stable keys, never by names:
//! a person's code with position and unit, a system with an account id, an
//! assignment id (or system, account and role where a system has none).
//!
//! A dump that has lost more than `max_drop` of a table's rows against the
//! dump before, or has none, is refused with its folder and table, unless
//! it is accepted with a reason (recorded in the manifest): a truncated
//! export must not end-date every row.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};
use polars::prelude::*;

use super::files::Folder;
use super::TableSink;
use crate::mapping::{Mapping, TableMapping};
use crate::SnapshotError;

/// The tables whose history the dumps give.
pub(crate) const HISTORY_TABLES: [&str; 3] = ["employees", "accounts", "role_assignments"];

/// One dump: its folder, its name and when it was taken.
#[derive(Debug, Clone)]
pub(crate) struct Dump {
    /// The folder's name, as the manifest records it.
    pub(crate) label: String,
    /// When it was taken.
    pub(crate) at: DateTime<Utc>,
    dir: PathBuf,
}

/// What a drop in rows may be before a dump is refused.
#[derive(Debug, Clone)]
pub struct Guard {
    /// The largest share of a table's rows a dump may lose against the one
    /// before (0.2 = 20 %).
    pub max_drop: f64,
    /// Dumps accepted whatever they lost, by folder name, with the reason.
    pub accepted: BTreeMap<String, String>,
}

/// A series of dumps as a source.
pub struct Series {
    dir: PathBuf,
    dumps: Vec<Dump>,
    guard: Guard,
}

/// The moment a dump folder's name gives (Tallinn time), if it is one.
fn moment(name: &str) -> Option<DateTime<Utc>> {
    let naive = NaiveDateTime::parse_from_str(name, "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(name, "%Y-%m-%dT%H:%M:%S"))
        .ok()
        .or_else(|| {
            NaiveDate::parse_from_str(name, "%Y-%m-%d")
                .ok()
                .and_then(|d| d.and_hms_opt(0, 0, 0))
        })?;
    chrono_tz::Europe::Tallinn
        .from_local_datetime(&naive)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
}

impl Series {
    /// The dump folders of `dir`, in time order.
    pub(super) fn open(dir: &Path, guard: Guard) -> Result<Self, SnapshotError> {
        let entries = std::fs::read_dir(dir).map_err(|e| SnapshotError::io(dir, e))?;
        let mut dumps = Vec::new();
        for entry in entries.filter_map(Result::ok) {
            let path = entry.path();
            if !path.is_dir() {
                continue;
            }
            let label = entry.file_name().to_string_lossy().to_string();
            let at = moment(&label).ok_or_else(|| {
                SnapshotError::Usage(format!(
                    "{}: a dump folder is named by its date or timestamp (2026-07-01, 2026-08-01T06:00)",
                    path.display()
                ))
            })?;
            dumps.push(Dump {
                label,
                at,
                dir: path,
            });
        }
        dumps.sort_by_key(|d| d.at);
        if dumps.is_empty() {
            return Err(SnapshotError::Usage(format!(
                "--source dumps:{}: no dump folders (2026-07-01/, ...) in it",
                dir.display()
            )));
        }
        for accepted in guard.accepted.keys() {
            if !dumps.iter().any(|d| &d.label == accepted) {
                return Err(SnapshotError::Usage(format!(
                    "--accept-drop {accepted}: no such dump folder in {}",
                    dir.display()
                )));
            }
        }
        Ok(Series {
            dir: dir.to_path_buf(),
            dumps,
            guard,
        })
    }

    /// The folder and its dumps, for the manifest.
    pub(super) fn describe(&self) -> String {
        format!("dumps:{}", self.dir.display())
    }

    /// The tables the newest dump holds.
    pub(super) fn newest_tables(&self) -> Result<Vec<String>, SnapshotError> {
        let newest = self
            .dumps
            .last()
            .ok_or_else(|| SnapshotError::Usage("no dumps".into()))?;
        Ok(Folder::open(&newest.dir)?.table_names())
    }

    /// The dumps, oldest first.
    pub(super) fn dumps(&self) -> &[Dump] {
        &self.dumps
    }

    /// The accepted drops.
    pub(super) fn accepted(&self) -> &BTreeMap<String, String> {
        &self.guard.accepted
    }

    /// Reads every dump's history tables, checks their counts, derives the
    /// intervals and hands them to `sink`; the other tables come from the
    /// newest dump. Returns the newest dump's moment as `as_of`.
    pub(super) fn read(
        &mut self,
        mapping: &Mapping,
        sink: &mut dyn TableSink,
    ) -> Result<String, SnapshotError> {
        let mut folders = self
            .dumps
            .iter()
            .map(|d| Folder::open(&d.dir))
            .collect::<Result<Vec<_>, _>>()?;
        for table in &mapping.tables {
            let name = table.table.name;
            if !HISTORY_TABLES.contains(&name) {
                continue;
            }
            let mut frames = Vec::new();
            for (dump, folder) in self.dumps.iter().zip(folders.iter_mut()) {
                let frame = folder
                    .query_text(&table.query)
                    .map_err(|e| query_failed(mapping, table, dump, e))?;
                frames.push(frame);
            }
            self.check_counts(name, &frames)?;
            let derived =
                derive(name, &self.dumps, &frames).map_err(|source| SnapshotError::Polars {
                    context: format!("the intervals of {name}"),
                    source,
                })?;
            sink.begin(table)?;
            sink.rows(table, derived, 1)?;
            sink.end(table)?;
        }
        let newest = folders
            .last_mut()
            .ok_or_else(|| SnapshotError::Usage("no dumps".into()))?;
        let rest = Mapping {
            tables: mapping
                .tables
                .iter()
                .filter(|t| !HISTORY_TABLES.contains(&t.table.name))
                .cloned()
                .collect(),
            ..mapping.clone()
        };
        newest.read(&rest, sink)?;
        let at = self.dumps.last().map(|d| d.at).unwrap_or_default();
        Ok(at.format("%Y-%m-%dT%H:%M:%SZ").to_string())
    }

    /// Refuses a dump that lost too many rows of `table`, or has none.
    fn check_counts(&self, table: &str, frames: &[DataFrame]) -> Result<(), SnapshotError> {
        let mut before: Option<(usize, &str)> = None;
        for (dump, frame) in self.dumps.iter().zip(frames) {
            let rows = frame.height();
            let accepted = self.guard.accepted.contains_key(&dump.label);
            let problem = match before {
                _ if rows == 0 => Some("has no rows".to_string()),
                Some((n, label)) if (n as f64 - rows as f64) > self.guard.max_drop * n as f64 => {
                    Some(format!(
                        "has {rows} rows, {:.0} % fewer than {n} in {label}",
                        100.0 * (n - rows) as f64 / n as f64
                    ))
                }
                _ => None,
            };
            if let (Some(problem), false) = (problem, accepted) {
                return Err(SnapshotError::Usage(format!(
                    "{}: table {table} {problem} (more than --max-drop {:.0} %): a truncated dump would end every missing row; if the drop is real, give --accept-drop {}=REASON",
                    dump.dir.display(),
                    self.guard.max_drop * 100.0,
                    dump.label
                )));
            }
            before = Some((rows, dump.label.as_str()));
        }
        Ok(())
    }
}

fn query_failed(
    mapping: &Mapping,
    table: &TableMapping,
    dump: &Dump,
    e: PolarsError,
) -> SnapshotError {
    SnapshotError::Query {
        file: mapping.file.clone(),
        line: table.line,
        table: table.table.name.to_string(),
        message: format!("in dump {}: {e}", dump.label),
    }
}

/// The key columns that follow one row of `table` through the dumps.
fn key_columns(table: &str, frame: &DataFrame) -> Vec<&'static str> {
    match table {
        "employees" => vec!["person_id", "position_id", "unit"],
        "accounts" => vec!["system", "account_id"],
        _ if frame.column("assignment_id").is_ok() => vec!["assignment_id"],
        _ => vec!["system", "account_id", "role"],
    }
}

/// One interval of one key: the dumps it was seen in, first and last, and
/// the row (dump, row) whose values it takes (the last sighting).
struct Run {
    first: usize,
    last: usize,
    row: (usize, usize),
    nth: usize,
}

/// The rows of `table` with their observed intervals, from the same table
/// in each dump (every column as text).
pub(crate) fn derive(table: &str, dumps: &[Dump], frames: &[DataFrame]) -> PolarsResult<DataFrame> {
    let Some(first) = frames.first() else {
        return Ok(DataFrame::empty());
    };
    let keys = key_columns(table, first);
    // Each key's sightings, dump by dump, in order of first appearance.
    let mut order: Vec<String> = Vec::new();
    let mut seen: HashMap<String, Vec<(usize, usize)>> = HashMap::new();
    for (d, frame) in frames.iter().enumerate() {
        let columns: Vec<&StringChunked> = keys
            .iter()
            .map(|k| frame.column(k).and_then(|c| c.str()))
            .collect::<PolarsResult<_>>()?;
        for i in 0..frame.height() {
            let key: Vec<&str> = columns.iter().map(|c| c.get(i).unwrap_or("")).collect();
            let key = key.join("\u{1f}");
            let sightings = seen.entry(key.clone()).or_insert_with(|| {
                order.push(key);
                Vec::new()
            });
            sightings.push((d, i));
        }
    }
    let mut runs: Vec<Run> = Vec::new();
    for key in &order {
        let Some(sightings) = seen.get(key) else {
            continue;
        };
        let mut nth = 0;
        let mut start = 0;
        for j in 0..sightings.len() {
            let ends = j + 1 == sightings.len() || sightings[j + 1].0 != sightings[j].0 + 1;
            if ends {
                nth += 1;
                runs.push(Run {
                    first: sightings[start].0,
                    last: sightings[j].0,
                    row: sightings[j],
                    nth,
                });
                start = j + 1;
            }
        }
    }
    // The rows, each from its last sighting.
    let mut parts: Vec<DataFrame> = Vec::new();
    for (d, frame) in frames.iter().enumerate() {
        let rows: Vec<IdxSize> = runs
            .iter()
            .filter(|r| r.row.0 == d)
            .map(|r| r.row.1 as IdxSize)
            .collect();
        if rows.is_empty() {
            continue;
        }
        let idx = IdxCa::from_vec("idx".into(), rows);
        parts.push(frame.take(&idx)?);
    }
    // The runs in the same order as the rows just taken.
    let mut ordered: Vec<&Run> = Vec::new();
    for d in 0..frames.len() {
        ordered.extend(runs.iter().filter(|r| r.row.0 == d));
    }
    let mut parts = parts.into_iter();
    let mut out = parts.next().unwrap_or_else(|| first.clear());
    for more in parts {
        out.vstack_mut_owned(more)?;
    }
    let newest = dumps.len().saturating_sub(1);
    let day = |d: usize| {
        dumps[d]
            .at
            .with_timezone(&chrono_tz::Europe::Tallinn)
            .date_naive()
            .to_string()
    };
    let instant = |d: usize| dumps[d].at.format("%Y-%m-%dT%H:%M:%SZ").to_string();
    // Timestamps are half-open ([from, to)): a row last seen at a dump was
    // effective at that instant, so its end is one second after it (a right
    // seen in one dump only is effective then, and two rights seen in the
    // same dump overlap there).
    let after = |d: usize| {
        (dumps[d].at + chrono::Duration::seconds(1))
            .format("%Y-%m-%dT%H:%M:%SZ")
            .to_string()
    };
    let until = |r: &Run, f: &dyn Fn(usize) -> String| (r.last != newest).then(|| f(r.last));
    let column = |name: &str, values: Vec<Option<String>>| Column::new(name.into(), values);
    match table {
        "employees" => {
            out.with_column(column(
                "valid_from",
                ordered.iter().map(|r| Some(day(r.first))).collect(),
            ))?;
            out.with_column(column(
                "valid_to",
                ordered.iter().map(|r| until(r, &day)).collect(),
            ))?;
        }
        "accounts" => {
            // What the system itself says wins: a creation time it keeps,
            // a closing it records while still listing the account.
            let kept = |name: &str| -> Vec<Option<String>> {
                out.column(name)
                    .ok()
                    .and_then(|c| {
                        c.str()
                            .ok()
                            .map(|s| s.iter().map(|v| v.map(str::to_string)).collect())
                    })
                    .unwrap_or_else(|| vec![None; ordered.len()])
            };
            let created = kept("created_at");
            let closed = kept("closed_at");
            let created: Vec<Option<String>> = ordered
                .iter()
                .zip(created)
                .map(|(r, c)| {
                    c.filter(|v| !v.trim().is_empty())
                        .or_else(|| Some(instant(r.first)))
                })
                .collect();
            let closed: Vec<Option<String>> = ordered
                .iter()
                .zip(closed)
                .map(|(r, c)| {
                    c.filter(|v| !v.trim().is_empty())
                        .or_else(|| until(r, &after))
                })
                .collect();
            out.with_column(column("created_at", created))?;
            out.with_column(column("closed_at", closed))?;
        }
        _ => {
            if out.column("assignment_id").is_ok() {
                let ids: Vec<Option<String>> = out
                    .column("assignment_id")?
                    .str()?
                    .iter()
                    .zip(&ordered)
                    .map(|(id, r)| {
                        id.map(|id| {
                            if r.nth > 1 {
                                format!("{id}#{}", r.nth)
                            } else {
                                id.to_string()
                            }
                        })
                    })
                    .collect();
                out.with_column(column("assignment_id", ids))?;
            } else {
                let ids: Vec<Option<String>> = ordered
                    .iter()
                    .map(|r| Some(format!("OBS-{}-{}", dumps[r.first].label, r.row.1 + 1)))
                    .collect();
                out.with_column(column("assignment_id", ids))?;
            }
            out.with_column(column(
                "valid_from",
                ordered.iter().map(|r| Some(instant(r.first))).collect(),
            ))?;
            out.with_column(column(
                "valid_to",
                ordered.iter().map(|r| until(r, &after)).collect(),
            ))?;
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn dumps(names: &[&str]) -> Vec<Dump> {
        names
            .iter()
            .map(|n| Dump {
                label: n.to_string(),
                at: moment(n).unwrap(),
                dir: PathBuf::new(),
            })
            .collect()
    }

    fn rights(ids: &[&str]) -> DataFrame {
        df!(
            "assignment_id" => ids,
            "system" => ids.iter().map(|_| "S").collect::<Vec<_>>(),
            "account_id" => ids.iter().map(|_| "a").collect::<Vec<_>>(),
            "role" => ids.iter().map(|_| "R").collect::<Vec<_>>(),
        )
        .unwrap()
    }

    #[test]
    fn one_sighting_is_effective_and_a_return_is_a_second_interval() {
        let d = dumps(&["2026-06-01", "2026-07-01", "2026-08-01T06:00"]);
        // seen once; A-2: gone in the middle, back in the newest.
        let frames = [rights(&["A-1", "A-2"]), rights(&[]), rights(&["A-2"])];
        let out = derive("role_assignments", &d, &frames).unwrap();
        let text = |c: &str| -> Vec<Option<String>> {
            out.column(c)
                .unwrap()
                .str()
                .unwrap()
                .iter()
                .map(|v| v.map(str::to_string))
                .collect()
        };
        assert_eq!(
            text("assignment_id"),
            [Some("A-1".into()), Some("A-2".into()), Some("A-2#2".into())]
        );
        assert_eq!(
            text("valid_to"),
            [
                Some("2026-05-31T21:00:01Z".into()),
                Some("2026-05-31T21:00:01Z".into()),
                None
            ]
        );
        // 06:00 in Tallinn on 1 August is 03:00 UTC.
        assert_eq!(
            text("valid_from")[2].as_deref(),
            Some("2026-08-01T03:00:00Z")
        );
        assert_eq!(moment("2026-13-01"), None);
    }
}
