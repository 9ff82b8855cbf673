//! The audits a history has seen: each run's findings (in the versioned
//! findings format) and `summary.json`, under `runs/<as_of day>_<inputs
//! hash>/`. The same inputs audited again replace nothing; another snapshot
//! for the same `as_of` gets a folder of its own. A run is written into a
//! hidden folder and renamed into place, so a half-written run is never
//! read back.

use std::path::PathBuf;

use chrono::NaiveDate;
use sha2::{Digest, Sha256};

use super::files::{self, HistoryError};
use super::History;

/// A run recorded in the history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Run {
    /// Its folder name, `<as_of day>_<inputs hash>`.
    pub name: String,
    /// The audit's `as_of` day.
    pub as_of: NaiveDate,
    /// Its folder: a `--baseline` folder (findings.jsonl, summary.json).
    pub dir: PathBuf,
}

/// What recording a run did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recorded {
    /// A new run, with the other runs of the same `as_of` (other snapshots).
    New {
        /// The run.
        run: Run,
        /// Runs of other snapshots with the same `as_of`.
        same_as_of: Vec<Run>,
    },
    /// The same inputs were recorded before: nothing was replaced.
    AlreadyRecorded(Run),
}

/// The hash that names a snapshot: SHA-256 over its files' names and
/// SHA-256s (sorted), first 12 hex digits.
pub fn inputs_hash(files: &[(String, String)]) -> String {
    let mut sorted: Vec<&(String, String)> = files.iter().collect();
    sorted.sort();
    let mut hasher = Sha256::new();
    for (name, sha) in sorted {
        hasher.update(name.as_bytes());
        hasher.update(b"\t");
        hasher.update(sha.as_bytes());
        hasher.update(b"\n");
    }
    hex::encode(hasher.finalize())[..12].to_string()
}

impl History {
    fn runs_dir(&self) -> PathBuf {
        self.dir().join("runs")
    }

    /// Every run recorded, oldest `as_of` first.
    pub fn runs(&self) -> Result<Vec<Run>, HistoryError> {
        let dir = self.runs_dir();
        if !dir.exists() {
            return Ok(Vec::new());
        }
        let mut out = Vec::new();
        for entry in std::fs::read_dir(&dir).map_err(files::io(&dir))? {
            let path = entry.map_err(files::io(&dir))?.path();
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().to_string())
                .unwrap_or_default();
            // Hidden folders are runs being written (or abandoned by a crash).
            if name.starts_with('.') || !path.join("findings.jsonl").is_file() {
                continue;
            }
            let Some(as_of) = name
                .split('_')
                .next()
                .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
            else {
                continue;
            };
            out.push(Run {
                name,
                as_of,
                dir: path,
            });
        }
        out.sort_by(|a, b| (a.as_of, &a.name).cmp(&(b.as_of, &b.name)));
        Ok(out)
    }

    /// The latest run with an `as_of` before `as_of`: the default baseline.
    pub fn latest_run_before(&self, as_of: NaiveDate) -> Result<Option<Run>, HistoryError> {
        Ok(self.runs()?.into_iter().rfind(|r| r.as_of < as_of))
    }

    /// Records a run of `as_of` over the inputs hashed `inputs`: `files`
    /// (name, bytes) written whole, or nothing when the same inputs were
    /// recorded before.
    pub fn record_run(
        &self,
        as_of: NaiveDate,
        inputs: &str,
        run_files: &[(&str, &[u8])],
    ) -> Result<Recorded, HistoryError> {
        let name = format!("{as_of}_{inputs}");
        let dir = self.runs_dir();
        let target = dir.join(&name);
        let run = Run {
            name: name.clone(),
            as_of,
            dir: target.clone(),
        };
        if target.exists() {
            return Ok(Recorded::AlreadyRecorded(run));
        }
        let staging = dir.join(format!(".{name}.{}", std::process::id()));
        if staging.exists() {
            std::fs::remove_dir_all(&staging).map_err(files::io(&staging))?;
        }
        files::create_private_dir(&staging)?;
        for (file, bytes) in run_files {
            files::replace(&staging.join(file), bytes)?;
        }
        std::fs::rename(&staging, &target).map_err(files::io(&target))?;
        files::sync_dir(&dir)?;
        let same_as_of = self
            .runs()?
            .into_iter()
            .filter(|r| r.as_of == as_of && r.name != name)
            .collect();
        Ok(Recorded::New { run, same_as_of })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 9, d).unwrap()
    }

    #[test]
    fn the_same_inputs_replace_nothing_and_another_snapshot_is_kept_apart() {
        let tmp = tempfile::tempdir().unwrap();
        let history = History::open(&tmp.path().join("h")).unwrap();
        let files = |text: &'static str| {
            [
                ("findings.jsonl", text.as_bytes()),
                ("summary.json", b"{}" as &[u8]),
            ]
        };
        let a = inputs_hash(&[("employees.csv".into(), "aa".into())]);
        let b = inputs_hash(&[("employees.csv".into(), "bb".into())]);
        assert_ne!(a, b);
        assert!(matches!(
            history.record_run(day(30), &a, &files("first\n")).unwrap(),
            Recorded::New { ref same_as_of, .. } if same_as_of.is_empty()
        ));
        let Recorded::AlreadyRecorded(run) =
            history.record_run(day(30), &a, &files("second\n")).unwrap()
        else {
            panic!("the same inputs were recorded again");
        };
        assert_eq!(
            std::fs::read_to_string(run.dir.join("findings.jsonl")).unwrap(),
            "first\n"
        );
        let Recorded::New {
            run: other,
            same_as_of,
        } = history.record_run(day(30), &b, &files("other\n")).unwrap()
        else {
            panic!("another snapshot was not kept");
        };
        assert_eq!(same_as_of, vec![run.clone()]);
        assert_ne!(other.name, run.name);
        // A run being written (a hidden folder) is never read back.
        std::fs::create_dir_all(tmp.path().join("h/runs/.2026-09-29_x.1")).unwrap();
        assert_eq!(history.runs().unwrap().len(), 2);
        assert_eq!(history.latest_run_before(day(30)).unwrap(), None);
        assert!(history
            .latest_run_before(NaiveDate::from_ymd_opt(2026, 12, 31).unwrap())
            .unwrap()
            .is_some());
    }
}
