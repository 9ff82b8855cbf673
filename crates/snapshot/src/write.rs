//! The snapshot directory written: under a temporary name beside `out`,
//! each table as typed Parquet (the access log one file per month and
//! batch, `access_log/month=YYYY-MM/part-NNNNN.parquet`), `manifest.toml`
//! with the evidence, then loaded as an audit would load it, and only then
//! renamed to `out`. Any failure removes the temporary directory.

use std::path::{Path, PathBuf};

use chrono::DateTime;
use polars::prelude::*;
use sha2::{Digest, Sha256};

use accessaudit_ingest::normalise::to_contract;
use accessaudit_ingest::{LoadOptions, Snapshot};

use crate::mapping::{Mapping, TableMapping};
use crate::source::{Source, TableSink};
use crate::{Progress, SnapshotError, Taken};

/// The temporary directory, removed when dropped unless kept.
struct Draft {
    dir: PathBuf,
    kept: bool,
}

impl Drop for Draft {
    fn drop(&mut self) {
        if !self.kept {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

pub(crate) fn take(
    source: &mut Source,
    mapping: &Mapping,
    out: &Path,
    as_of: Option<&str>,
    progress: &mut dyn FnMut(Progress<'_>),
) -> Result<Taken, SnapshotError> {
    if out.exists() {
        return Err(SnapshotError::Usage(format!(
            "--out {}: already exists; snapshot writes a new directory and never overwrites one",
            out.display()
        )));
    }
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .ok_or_else(|| {
            SnapshotError::Usage(format!("--out {}: not a folder name", out.display()))
        })?;
    let parent = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent).map_err(|e| SnapshotError::io(parent, e))?;
    let mut draft = Draft {
        dir: parent.join(format!(".{name}.partial-{}", std::process::id())),
        kept: false,
    };
    let _ = std::fs::remove_dir_all(&draft.dir);
    std::fs::create_dir(&draft.dir).map_err(|e| SnapshotError::io(&draft.dir, e))?;

    let mut writer = Writer {
        dir: draft.dir.clone(),
        mapping,
        current: Vec::new(),
        rows: 0,
        parts: 0,
        written: Vec::new(),
        progress,
    };
    let source_as_of = source.read(mapping, &mut writer)?;
    let written = std::mem::take(&mut writer.written);
    let as_of = as_of
        .map(str::to_string)
        .or(source_as_of)
        .or_else(|| mapping.as_of.clone());
    let manifest = manifest(mapping, source, as_of.as_deref(), &written);
    let path = draft.dir.join("manifest.toml");
    std::fs::write(&path, manifest).map_err(|e| SnapshotError::io(&path, e))?;
    // The directory is a snapshot only if an audit can load it.
    Snapshot::load(&draft.dir, &LoadOptions::default())
        .map_err(|e| SnapshotError::Invalid(Box::new(e)))?;
    std::fs::rename(&draft.dir, out).map_err(|e| SnapshotError::io(out, e))?;
    draft.kept = true;
    Ok(Taken {
        as_of,
        tables: written
            .into_iter()
            .map(|(t, rows)| (t.to_string(), rows))
            .collect(),
    })
}

/// The [`TableSink`] that converts and writes.
struct Writer<'a, 'p> {
    dir: PathBuf,
    mapping: &'a Mapping,
    /// The converted batches of a table written whole.
    current: Vec<DataFrame>,
    rows: u64,
    parts: u64,
    written: Vec<(&'static str, u64)>,
    progress: &'a mut dyn FnMut(Progress<'p>),
}

impl Writer<'_, '_> {
    fn polars(&self, context: String) -> impl Fn(PolarsError) -> SnapshotError {
        move |source| SnapshotError::Polars {
            context: context.clone(),
            source,
        }
    }

    fn write_parquet(&self, path: &Path, frame: &mut DataFrame) -> Result<(), SnapshotError> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| SnapshotError::io(dir, e))?;
        }
        let file = std::fs::File::create(path).map_err(|e| SnapshotError::io(path, e))?;
        ParquetWriter::new(file)
            .finish(frame)
            .map(|_| ())
            .map_err(self.polars(path.display().to_string()))
    }

    /// Writes one batch of the access log, a file per month it touches.
    fn write_log_batch(&mut self, frame: DataFrame) -> Result<(), SnapshotError> {
        let ts = frame
            .column("ts")
            .and_then(|c| c.datetime().cloned())
            .map_err(self.polars("access_log.ts".into()))?;
        let months: Vec<Option<String>> = ts
            .physical()
            .iter()
            .map(|v| {
                v.and_then(DateTime::from_timestamp_micros).map(|t| {
                    t.with_timezone(&chrono_tz::Europe::Tallinn)
                        .format("%Y-%m")
                        .to_string()
                })
            })
            .collect();
        let mut distinct: Vec<&Option<String>> = months.iter().collect();
        distinct.sort();
        distinct.dedup();
        for month in distinct {
            let mask: BooleanChunked = months.iter().map(|m| Some(m == month)).collect();
            let mut part = frame
                .filter(&mask)
                .map_err(self.polars("access_log".into()))?;
            let folder = month.clone().unwrap_or_else(|| "unknown".into());
            let path = self
                .dir
                .join("access_log")
                .join(format!("month={folder}"))
                .join(format!("part-{:05}.parquet", self.parts));
            self.parts += 1;
            self.write_parquet(&path, &mut part)?;
        }
        Ok(())
    }
}

impl TableSink for Writer<'_, '_> {
    fn begin(&mut self, table: &TableMapping) -> Result<(), SnapshotError> {
        (self.progress)(Progress::Table(table.table.name));
        self.current.clear();
        self.rows = 0;
        Ok(())
    }

    fn rows(
        &mut self,
        table: &TableMapping,
        batch: DataFrame,
        first_row: u64,
    ) -> Result<(), SnapshotError> {
        let typed =
            to_contract(table.table, batch, "query result", first_row).map_err(|source| {
                SnapshotError::Rows {
                    file: self.mapping.file.clone(),
                    line: table.line,
                    table: table.table.name.to_string(),
                    source: Box::new(source),
                }
            })?;
        self.rows += typed.height() as u64;
        (self.progress)(Progress::Rows(table.table.name, self.rows));
        if table.table.name == "access_log" {
            if typed.height() > 0 {
                self.write_log_batch(typed)?;
            }
        } else {
            self.current.push(typed);
        }
        Ok(())
    }

    fn end(&mut self, table: &TableMapping) -> Result<(), SnapshotError> {
        let name = table.table.name;
        if name == "access_log" {
            if self.parts == 0 {
                // An empty log is a table with no rows, not an absent one.
                let mut empty = DataFrame::empty_with_schema(
                    &accessaudit_ingest::normalise::contract_schema(table.table),
                );
                let path = self.dir.join("access_log.parquet");
                self.write_parquet(&path, &mut empty)?;
            }
        } else {
            let mut frames = std::mem::take(&mut self.current).into_iter();
            let mut all = match frames.next() {
                Some(first) => first,
                None => DataFrame::empty_with_schema(
                    &accessaudit_ingest::normalise::contract_schema(table.table),
                ),
            };
            for more in frames {
                all.vstack_mut_owned(more)
                    .map_err(self.polars(name.to_string()))?;
            }
            let path = self.dir.join(format!("{name}.parquet"));
            self.write_parquet(&path, &mut all)?;
        }
        self.written.push((name, self.rows));
        Ok(())
    }
}

/// `manifest.toml`: organisation, `as_of`, period, and the evidence — the
/// source (never with credentials), each table's query SHA-256 and rows.
fn manifest(
    mapping: &Mapping,
    source: &Source,
    as_of: Option<&str>,
    written: &[(&'static str, u64)],
) -> String {
    let mut top = toml::Table::new();
    if let Some(o) = &mapping.organisation {
        top.insert("organisation".into(), o.clone().into());
    }
    if let Some(a) = as_of {
        top.insert("as_of".into(), a.to_string().into());
    }
    if let Some(p) = &mapping.period {
        top.insert("period".into(), p.clone().into());
    }
    for (key, value) in source.manifest_extra() {
        top.insert(key, value);
    }
    let (kind, location) = source.describe();
    let mut from = toml::Table::new();
    from.insert("kind".into(), kind.into());
    from.insert("location".into(), location.into());
    from.insert("mapping".into(), mapping.file.clone().into());
    top.insert("source".into(), from.into());
    let mut tables = toml::Table::new();
    for (name, rows) in written {
        let query = mapping
            .tables
            .iter()
            .find(|t| t.table.name == *name)
            .map(|t| t.query.as_str())
            .unwrap_or_default();
        let mut t = toml::Table::new();
        t.insert(
            "query_sha256".into(),
            hex::encode(Sha256::digest(query.as_bytes())).into(),
        );
        t.insert(
            "rows".into(),
            i64::try_from(*rows).unwrap_or(i64::MAX).into(),
        );
        tables.insert((*name).to_string(), t.into());
    }
    top.insert("tables".into(), tables.into());
    format!(
        "# Written by accessaudit snapshot.\n{}",
        toml::to_string(&top).unwrap_or_default()
    )
}
