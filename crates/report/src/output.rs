//! Writing output files safely: owner-only permissions, and every file
//! written in full under a temporary name before it takes its real one, so an
//! interrupted run leaves no half-written report. An audit's output folder
//! ([`OutputFolder`]) changes as a whole: a complete new folder replaces the
//! old one, under a lock.

use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

mod files;
use files::*;

/// Errors of writing outputs.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    /// A file or folder could not be created or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The path.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// Another run holds the output folder's lock.
    #[error("{}: another accessaudit run is writing this folder (it holds {}); try again when it has finished", folder.display(), lock.display())]
    Locked {
        /// The output folder.
        folder: PathBuf,
        /// Its lock file.
        lock: PathBuf,
    },
    /// A non-empty folder without the marker: not replaced.
    #[error("{}: the folder holds files that accessaudit did not write (it has no {MARKER} file), so it is not replaced; give a new or an empty folder", folder.display())]
    Foreign {
        /// The output folder.
        folder: PathBuf,
    },
    /// Something that is not a folder is where the output folder should be.
    #[error("{}: exists and is not a folder", path.display())]
    NotAFolder {
        /// The path.
        path: PathBuf,
    },
    /// The path names no folder that can be replaced (`..`, `/`).
    #[error("{}: names no folder that can be replaced; give a folder's name", path.display())]
    NoName {
        /// The path as given.
        path: PathBuf,
    },
    /// Two units would get one worksheet file name.
    #[error("units {first:?} and {second:?} would both be written to review/{name}.csv")]
    SameFileName {
        /// One unit.
        first: String,
        /// The other unit.
        second: String,
        /// The file name (without `.csv`).
        name: String,
    },
}

fn io(path: &Path) -> impl Fn(std::io::Error) -> OutputError + '_ {
    move |source| OutputError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// An output folder being written: files go to a staging folder inside it and
/// move into place together on [`Staging::commit`]; dropped uncommitted, the
/// staging folder is removed.
pub struct Staging {
    out: PathBuf,
    staging: PathBuf,
    files: Vec<String>,
    committed: bool,
}

impl Staging {
    /// Creates `out` (owner-only) and a staging folder in it, removing the
    /// staging folders that runs killed half-way left behind.
    pub fn new(out: &Path) -> Result<Self, OutputError> {
        create_private_dir(out)?;
        remove_abandoned(out);
        let staging = out.join(format!("{STAGING_PREFIX}{}", std::process::id()));
        if staging.exists() {
            fs::remove_dir_all(&staging).map_err(io(&staging))?;
        }
        create_private_dir(&staging)?;
        Ok(Staging {
            out: out.to_path_buf(),
            staging,
            files: Vec::new(),
            committed: false,
        })
    }

    /// Writes file `name` (relative, may contain `/`) with `write`.
    pub fn write(
        &mut self,
        name: &str,
        write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
    ) -> Result<(), OutputError> {
        let path = self.staging.join(name);
        if let Some(parent) = path.parent() {
            create_private_dir(parent)?;
        }
        let file = create_private_file(&path)?;
        let mut w = BufWriter::new(file);
        write(&mut w).map_err(io(&path))?;
        w.flush().map_err(io(&path))?;
        w.get_ref().sync_all().map_err(io(&path))?;
        self.files.push(name.to_string());
        Ok(())
    }

    /// Moves every staged file to its real name in the output folder.
    pub fn commit(mut self) -> Result<Vec<PathBuf>, OutputError> {
        let mut written = Vec::with_capacity(self.files.len());
        for name in &self.files {
            let from = self.staging.join(name);
            let to = self.out.join(name);
            if let Some(parent) = to.parent() {
                create_private_dir(parent)?;
            }
            fs::rename(&from, &to).map_err(io(&to))?;
            written.push(to);
        }
        self.committed = true;
        let _ = fs::remove_dir_all(&self.staging);
        Ok(written)
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_dir_all(&self.staging);
        }
    }
}

const STAGING_PREFIX: &str = ".accessaudit-staging-";

/// The file that marks a folder as an accessaudit output folder: a folder
/// that holds it is replaced whole by the next run; a non-empty folder without
/// it is never touched. Written last, so a staging folder that holds it is
/// complete.
pub(crate) const MARKER: &str = ".accessaudit";

/// What the marker file says, for a person who finds it.
const MARKER_TEXT: &str = "This folder was written by accessaudit. The next `accessaudit audit` into it\nreplaces the whole folder: keep nothing else here.\n";

/// The files an earlier accessaudit (before the marker) wrote into `--out`:
/// a folder holding only these is taken as accessaudit's.
const LEGACY_FILES: [&str; 5] = [
    "report.html",
    "findings.csv",
    "findings.jsonl",
    "findings.parquet",
    "summary.json",
];

/// An output folder written as a whole: every file goes into a staging folder
/// beside it, and [`OutputFolder::commit`] swaps the complete staging folder
/// in for the old one (old aside, new in, old removed), so a reader sees the
/// old complete folder or the new complete one, never a mix. The folder is
/// locked from [`OutputFolder::open`] until the value is dropped, and a run
/// killed half-way through a swap is restored or finished by the next open.
pub struct OutputFolder {
    /// The folder as the caller named it (for the paths reported back).
    shown: PathBuf,
    /// The folder itself (a symbolic link followed).
    target: PathBuf,
    /// `.<name>.accessaudit-new`: the run being written.
    staging: PathBuf,
    /// `.<name>.accessaudit-old`: the previous run while it is swapped out.
    old: PathBuf,
    /// `.<name>.accessaudit-lock` and its open, locked file.
    lock: Option<(PathBuf, File)>,
    /// Folders above the output folder this run created, deepest first:
    /// removed again when the run writes nothing.
    created: Vec<PathBuf>,
    files: Vec<String>,
    committed: bool,
    /// Set by tests that simulate a kill: nothing is cleaned up on drop.
    #[cfg(test)]
    crashed: bool,
}

/// The steps of the swap, in order (tests stop after one to simulate a kill).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Step {
    /// The marker is written into the staging folder: it is complete.
    Complete,
    /// The old folder is renamed aside.
    OldAside,
    /// The staging folder is renamed to the output folder.
    NewIn,
    /// The old folder is removed.
    OldRemoved,
}

impl OutputFolder {
    /// Locks `out` for this run, restores or finishes a swap that a killed
    /// run left half-done, and checks that `out` may be replaced: absent,
    /// empty, or written by accessaudit. Fails at once when another run
    /// holds the lock.
    pub fn open(out: &Path) -> Result<Self, OutputError> {
        let target = resolve(out)?;
        let (parent, name) = match (target.parent(), target.file_name()) {
            (Some(parent), Some(name)) => (parent.to_path_buf(), name.to_os_string()),
            _ => {
                return Err(OutputError::NoName {
                    path: out.to_path_buf(),
                })
            }
        };
        let beside = |suffix: &str| {
            let mut file = std::ffi::OsString::from(".");
            file.push(&name);
            file.push(suffix);
            parent.join(file)
        };
        let created = create_parents(&parent)?;
        let mut folder = OutputFolder {
            shown: out.to_path_buf(),
            staging: beside(".accessaudit-new"),
            old: beside(".accessaudit-old"),
            lock: None,
            created,
            files: Vec::new(),
            committed: false,
            #[cfg(test)]
            crashed: false,
            target,
        };
        let lock_path = beside(".accessaudit-lock");
        let file = lock(&lock_path, &folder.target)?;
        folder.lock = Some((lock_path, file));
        folder.recover()?;
        check_replaceable(&folder.target)?;
        create_private_dir(&folder.staging)?;
        Ok(folder)
    }

    /// Writes file `name` (relative, may contain `/`) into the staging folder.
    pub fn write(
        &mut self,
        name: &str,
        write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
    ) -> Result<(), OutputError> {
        write_file(&self.staging.join(name), write)?;
        self.files.push(name.to_string());
        Ok(())
    }

    /// Puts the complete new folder in place of the old one and returns the
    /// paths of the files written, as the caller named the folder.
    pub fn commit(mut self) -> Result<Vec<PathBuf>, OutputError> {
        self.swap(Step::OldRemoved)?;
        self.committed = true;
        Ok(self.files.iter().map(|f| self.shown.join(f)).collect())
    }

    /// Runs the swap up to and including `last`.
    fn swap(&mut self, last: Step) -> Result<(), OutputError> {
        write_file(&self.staging.join(MARKER), |w| {
            w.write_all(MARKER_TEXT.as_bytes())
        })?;
        sync_dirs(&self.staging)?;
        if last == Step::Complete {
            return Ok(());
        }
        // Checked again: the lock keeps other runs out, not the user.
        check_replaceable(&self.target)?;
        let aside = exists(&self.target);
        if aside {
            fs::rename(&self.target, &self.old).map_err(io(&self.old))?;
        }
        if last == Step::OldAside {
            return Ok(());
        }
        if let Err(source) = fs::rename(&self.staging, &self.target) {
            if aside {
                // The earlier run stays in place rather than no folder at all.
                let _ = fs::rename(&self.old, &self.target);
            }
            return Err(OutputError::Io {
                path: self.target.clone(),
                source,
            });
        }
        if let Some(parent) = self.target.parent() {
            sync_dir(parent)?;
        }
        if last == Step::NewIn {
            return Ok(());
        }
        if exists(&self.old) {
            // The new folder is in place; an old folder that cannot be
            // removed now is removed by the next run's recovery.
            let _ = fs::remove_dir_all(&self.old);
        }
        Ok(())
    }

    /// Brings the folder to one complete state after a run killed mid-swap:
    /// with the output folder renamed aside but not yet replaced, the new
    /// folder goes in when it is complete (holds the marker), else the old
    /// one comes back. Leftover staging and old folders are removed.
    fn recover(&self) -> Result<(), OutputError> {
        if !exists(&self.target) && exists(&self.old) {
            let from = if self.staging.join(MARKER).is_file() {
                &self.staging
            } else {
                &self.old
            };
            fs::rename(from, &self.target).map_err(io(&self.target))?;
        }
        for leftover in [&self.staging, &self.old] {
            if exists(leftover) {
                fs::remove_dir_all(leftover).map_err(io(leftover))?;
            }
        }
        Ok(())
    }

    /// Leaves everything as a `kill -9` after step `last` would.
    #[cfg(test)]
    fn crash_after(mut self, last: Option<Step>) {
        if let Some(last) = last {
            self.swap(last).expect("swap");
        }
        self.crashed = true;
    }
}

impl Drop for OutputFolder {
    fn drop(&mut self) {
        #[cfg(test)]
        if self.crashed {
            return;
        }
        // Without the lock, the staging folder is another run's: untouched.
        if let Some((path, file)) = self.lock.take() {
            if !self.committed {
                let _ = fs::remove_dir_all(&self.staging);
            }
            // Removed while still held: a run that opened it meanwhile sees
            // that the path no longer names its file and takes a fresh one.
            #[cfg(unix)]
            let _ = fs::remove_file(&path);
            #[cfg(not(unix))]
            let _ = &path;
            drop(file);
        }
        if !self.committed {
            for dir in &self.created {
                // Only if empty: another run may have put something there.
                let _ = fs::remove_dir(dir);
            }
        }
    }
}

#[cfg(test)]
mod tests;
