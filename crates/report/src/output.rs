//! Writing output files safely: owner-only permissions, and every file
//! written in full under a temporary name before it takes its real one, so an
//! interrupted run leaves no half-written report. An audit's output folder
//! ([`OutputFolder`]) changes as a whole: a complete new folder replaces the
//! old one, under a lock.

use std::fs::{self, File, OpenOptions};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

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

/// The folder to replace: `out` itself, or where it points when it is a
/// symbolic link (the link stays).
fn resolve(out: &Path) -> Result<PathBuf, OutputError> {
    let is_link = fs::symlink_metadata(out).is_ok_and(|m| m.file_type().is_symlink());
    if is_link {
        fs::canonicalize(out).map_err(io(out))
    } else {
        std::path::absolute(out).map_err(io(out))
    }
}

/// Whether anything (even a dangling link) is at `path`.
fn exists(path: &Path) -> bool {
    fs::symlink_metadata(path).is_ok()
}

/// Creates the missing folders of `dir` (owner-only) and returns them,
/// deepest first.
fn create_parents(dir: &Path) -> Result<Vec<PathBuf>, OutputError> {
    let missing: Vec<PathBuf> = dir
        .ancestors()
        .take_while(|a| !a.as_os_str().is_empty() && !exists(a))
        .map(Path::to_path_buf)
        .collect();
    create_private_dir(dir)?;
    Ok(missing)
}

/// Opens and locks the lock file at `path` without waiting.
fn lock(path: &Path, folder: &Path) -> Result<File, OutputError> {
    let locked = || OutputError::Locked {
        folder: folder.to_path_buf(),
        lock: path.to_path_buf(),
    };
    // A run that held the lock removes its file on the way out; one retry
    // covers opening that file just before it went.
    for _ in 0..3 {
        let mut options = OpenOptions::new();
        options.read(true).write(true).create(true).truncate(false);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let file = options.open(path).map_err(io(path))?;
        match file.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => return Err(locked()),
            Err(std::fs::TryLockError::Error(source)) => {
                return Err(OutputError::Io {
                    path: path.to_path_buf(),
                    source,
                })
            }
        }
        if still_named(&file, path) {
            return Ok(file);
        }
    }
    Err(locked())
}

/// Whether `path` still names the open `file`.
fn still_named(file: &File, path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        match (file.metadata(), fs::metadata(path)) {
            (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
            _ => false,
        }
    }
    #[cfg(not(unix))]
    {
        let _ = (file, path);
        true
    }
}

/// Refuses a folder that is not an (absent, empty or) accessaudit output
/// folder, so that a mistyped `out` never deletes someone's files.
fn check_replaceable(target: &Path) -> Result<(), OutputError> {
    let meta = match fs::symlink_metadata(target) {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(source) => {
            return Err(OutputError::Io {
                path: target.to_path_buf(),
                source,
            })
        }
    };
    if !meta.is_dir() {
        return Err(OutputError::NotAFolder {
            path: target.to_path_buf(),
        });
    }
    let names: Vec<String> = fs::read_dir(target)
        .map_err(io(target))?
        .map(|e| e.map(|e| e.file_name().to_string_lossy().to_string()))
        .collect::<Result<_, _>>()
        .map_err(io(target))?;
    if names.is_empty() || target.join(MARKER).is_file() || is_legacy(target, &names) {
        Ok(())
    } else {
        Err(OutputError::Foreign {
            folder: target.to_path_buf(),
        })
    }
}

/// An output folder of an accessaudit from before the marker: summary.json
/// (always written) and nothing but the files it writes.
fn is_legacy(target: &Path, names: &[String]) -> bool {
    let review_only_csv = || {
        fs::read_dir(target.join("review")).is_ok_and(|entries| {
            entries.filter_map(Result::ok).all(|e| {
                e.file_type().is_ok_and(|t| t.is_file())
                    && e.file_name().to_string_lossy().ends_with(".csv")
            })
        })
    };
    names.iter().any(|n| n == "summary.json")
        && names.iter().all(|n| {
            LEGACY_FILES.contains(&n.as_str())
                || n.starts_with(STAGING_PREFIX)
                || (n == "review" && review_only_csv())
        })
}

/// Writes one owner-only file in full and flushes it to disk.
fn write_file(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<(), OutputError> {
    if let Some(parent) = path.parent() {
        create_private_dir(parent)?;
    }
    let file = create_private_file(path)?;
    let mut w = BufWriter::new(file);
    write(&mut w).map_err(io(path))?;
    w.flush().map_err(io(path))?;
    w.get_ref().sync_all().map_err(io(path))
}

/// Flushes `dir` and its subfolders' entries to disk.
fn sync_dirs(dir: &Path) -> Result<(), OutputError> {
    for entry in fs::read_dir(dir).map_err(io(dir))? {
        let entry = entry.map_err(io(dir))?;
        if entry.file_type().map_err(io(dir))?.is_dir() {
            sync_dirs(&entry.path())?;
        }
    }
    sync_dir(dir)
}

/// Flushes a folder's entries (renames, new files) to disk.
fn sync_dir(dir: &Path) -> Result<(), OutputError> {
    #[cfg(unix)]
    {
        File::open(dir)
            .and_then(|f| f.sync_all())
            .map_err(io(dir))?;
    }
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

/// Removes staging folders whose process is gone (a killed run). Where
/// processes cannot be looked up (no /proc), nothing is removed.
fn remove_abandoned(out: &Path) {
    let Ok(entries) = fs::read_dir(out) else {
        return;
    };
    if !Path::new("/proc/self").exists() {
        return;
    }
    for entry in entries.filter_map(Result::ok) {
        let name = entry.file_name().to_string_lossy().to_string();
        let Some(pid) = name.strip_prefix(STAGING_PREFIX) else {
            continue;
        };
        if pid.parse::<u32>().is_ok() && !Path::new("/proc").join(pid).exists() {
            let _ = fs::remove_dir_all(entry.path());
        }
    }
}

fn create_private_dir(path: &Path) -> Result<(), OutputError> {
    if path.is_dir() {
        return Ok(());
    }
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(path).map_err(io(path))
}

fn create_private_file(path: &Path) -> Result<File, OutputError> {
    let mut options = OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path).map_err(io(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = fs::read_dir(dir)
            .map(|e| {
                e.filter_map(Result::ok)
                    .map(|e| e.file_name().to_string_lossy().to_string())
                    .collect()
            })
            .unwrap_or_default();
        v.sort();
        v
    }

    #[test]
    fn nothing_appears_until_commit_and_an_abandoned_run_leaves_nothing() {
        let dir = tempfile::tempdir().expect("tmp");
        let out = dir.path().join("out");
        {
            let mut s = Staging::new(&out).expect("staging");
            s.write("findings.csv", |w| w.write_all(b"a,b\n"))
                .expect("write");
            s.write("review/x.csv", |w| w.write_all(b"c\n"))
                .expect("write");
            // Not committed: as if the run failed half-way.
        }
        assert!(names(&out).is_empty(), "{:?}", names(&out));
        let mut s = Staging::new(&out).expect("staging");
        s.write("findings.csv", |w| w.write_all(b"a,b\n"))
            .expect("write");
        s.write("review/x.csv", |w| w.write_all(b"c\n"))
            .expect("write");
        s.commit().expect("commit");
        assert_eq!(names(&out), ["findings.csv", "review"]);
    }

    #[test]
    fn a_killed_runs_staging_folder_is_cleaned_up() {
        let dir = tempfile::tempdir().expect("tmp");
        // A PID that cannot be alive: above the kernel's maximum.
        let stale = dir.path().join(format!("{STAGING_PREFIX}4294967295"));
        fs::create_dir_all(&stale).expect("mkdir");
        fs::write(stale.join("findings.csv"), b"half").expect("write");
        let s = Staging::new(dir.path()).expect("staging");
        drop(s);
        assert!(!stale.exists());
        assert!(names(dir.path()).is_empty());
    }

    /// Every file under `dir` with its content, paths relative to `dir`.
    fn contents(dir: &Path) -> Vec<(String, String)> {
        fn walk(root: &Path, dir: &Path, out: &mut Vec<(String, String)>) {
            for entry in fs::read_dir(dir).expect("read_dir") {
                let path = entry.expect("entry").path();
                if path.is_dir() {
                    walk(root, &path, out);
                } else {
                    let rel = path.strip_prefix(root).expect("prefix");
                    let text = fs::read_to_string(&path).expect("read");
                    out.push((rel.to_string_lossy().to_string(), text));
                }
            }
        }
        let mut out = Vec::new();
        walk(dir, dir, &mut out);
        out.sort();
        out
    }

    /// Writes one run of `files` into `out` and commits it.
    fn run(out: &Path, files: &[(&str, &str)]) {
        let mut folder = OutputFolder::open(out).expect("open");
        for (name, text) in files {
            folder
                .write(name, |w| w.write_all(text.as_bytes()))
                .expect("write");
        }
        folder.commit().expect("commit");
    }

    fn with_marker(files: &[(&str, &str)]) -> Vec<(String, String)> {
        let mut v: Vec<(String, String)> = files
            .iter()
            .map(|(n, t)| (n.to_string(), t.to_string()))
            .chain([(MARKER.to_string(), MARKER_TEXT.to_string())])
            .collect();
        v.sort();
        v
    }

    const FIRST: [(&str, &str); 3] = [
        ("findings.csv", "first"),
        ("review/Gone.csv", "first"),
        ("review/Kept.csv", "first"),
    ];
    const SECOND: [(&str, &str); 2] = [("findings.csv", "second"), ("review/Kept.csv", "second")];

    /// Opens a second run over FIRST, writes SECOND and is killed after `step`.
    fn killed_after(out: &Path, step: Option<Step>) {
        run(out, &FIRST);
        let mut folder = OutputFolder::open(out).expect("open");
        for (name, text) in SECOND {
            folder
                .write(name, |w| w.write_all(text.as_bytes()))
                .expect("write");
        }
        folder.crash_after(step);
    }

    /// Only the output folder is left beside it: no staging, old or lock.
    fn nothing_beside(dir: &Path) {
        assert_eq!(names(dir), ["out"]);
    }

    #[test]
    fn a_run_killed_between_the_two_renames_is_finished_by_the_next_run() {
        let dir = tempfile::tempdir().expect("tmp");
        let out = dir.path().join("out");
        killed_after(&out, Some(Step::OldAside));
        assert!(!out.exists(), "killed with the old folder aside");
        let next = OutputFolder::open(&out).expect("open");
        assert_eq!(contents(&out), with_marker(&SECOND));
        drop(next);
        assert_eq!(contents(&out), with_marker(&SECOND));
        nothing_beside(dir.path());
    }

    #[test]
    fn a_run_killed_with_an_incomplete_new_folder_aside_gets_the_old_one_back() {
        let dir = tempfile::tempdir().expect("tmp");
        let out = dir.path().join("out");
        killed_after(&out, Some(Step::OldAside));
        // As if the new folder were not complete (no marker yet).
        fs::remove_file(dir.path().join(".out.accessaudit-new").join(MARKER)).expect("rm");
        drop(OutputFolder::open(&out).expect("open"));
        assert_eq!(contents(&out), with_marker(&FIRST));
        nothing_beside(dir.path());
    }

    #[test]
    fn a_run_killed_while_writing_leaves_the_earlier_run_whole() {
        for step in [None, Some(Step::Complete)] {
            let dir = tempfile::tempdir().expect("tmp");
            let out = dir.path().join("out");
            killed_after(&out, step);
            assert_eq!(contents(&out), with_marker(&FIRST));
            drop(OutputFolder::open(&out).expect("open"));
            assert_eq!(contents(&out), with_marker(&FIRST));
            nothing_beside(dir.path());
        }
    }

    #[test]
    fn a_run_killed_after_the_new_folder_went_in_leaves_no_old_folder() {
        let dir = tempfile::tempdir().expect("tmp");
        let out = dir.path().join("out");
        killed_after(&out, Some(Step::NewIn));
        assert_eq!(contents(&out), with_marker(&SECOND));
        drop(OutputFolder::open(&out).expect("open"));
        assert_eq!(contents(&out), with_marker(&SECOND));
        nothing_beside(dir.path());
    }

    #[test]
    fn worksheets_of_a_unit_that_no_longer_exists_go_with_the_old_run() {
        let dir = tempfile::tempdir().expect("tmp");
        let out = dir.path().join("out");
        run(&out, &FIRST);
        run(&out, &SECOND);
        assert_eq!(contents(&out), with_marker(&SECOND));
        nothing_beside(dir.path());
    }

    #[test]
    fn a_second_run_into_a_locked_folder_fails_at_once() {
        let dir = tempfile::tempdir().expect("tmp");
        let out = dir.path().join("out");
        let first = OutputFolder::open(&out).expect("open");
        let second = OutputFolder::open(&out);
        match second {
            Err(e @ OutputError::Locked { .. }) => {
                let message = e.to_string();
                assert!(message.contains("another accessaudit run"), "{message}");
                assert!(message.starts_with(&out.display().to_string()), "{message}");
            }
            Err(e) => panic!("unexpected error: {e}"),
            Ok(_) => panic!("two runs hold one folder"),
        }
        // The refused run left the holder's staging folder alone.
        first.commit().expect("commit");
        assert_eq!(names(&out), [MARKER]);
        drop(OutputFolder::open(&out).expect("free again"));
        nothing_beside(dir.path());
    }

    #[test]
    fn a_folder_accessaudit_did_not_write_is_never_replaced() {
        let dir = tempfile::tempdir().expect("tmp");
        let out = dir.path().join("out");
        fs::create_dir(&out).expect("mkdir");
        fs::write(out.join("thesis.docx"), b"years of work").expect("write");
        match OutputFolder::open(&out) {
            Err(e @ OutputError::Foreign { .. }) => {
                assert!(e.to_string().contains("did not write"), "{e}");
            }
            Err(e) => panic!("unexpected error: {e}"),
            Ok(_) => panic!("a user's folder would be replaced"),
        }
        assert_eq!(names(&out), ["thesis.docx"]);
        nothing_beside(dir.path());
        // A file is not a folder.
        let file = dir.path().join("file");
        fs::write(&file, b"x").expect("write");
        assert!(matches!(
            OutputFolder::open(&file),
            Err(OutputError::NotAFolder { .. })
        ));
    }

    #[test]
    fn an_output_folder_of_an_earlier_version_is_replaced() {
        let dir = tempfile::tempdir().expect("tmp");
        let out = dir.path().join("out");
        fs::create_dir_all(out.join("review")).expect("mkdir");
        for name in ["summary.json", "findings.csv", "review/Unit.csv"] {
            fs::write(out.join(name), b"old").expect("write");
        }
        run(&out, &SECOND);
        assert_eq!(contents(&out), with_marker(&SECOND));
    }

    #[cfg(unix)]
    #[test]
    fn an_existing_output_folder_becomes_owner_only() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("tmp");
        let out = dir.path().join("out");
        fs::create_dir(&out).expect("mkdir");
        fs::set_permissions(&out, fs::Permissions::from_mode(0o755)).expect("chmod");
        run(&out, &SECOND);
        let mode = |p: &Path| fs::metadata(p).expect("meta").permissions().mode() & 0o777;
        assert_eq!(mode(&out), 0o700);
        assert_eq!(mode(&out.join("review")), 0o700);
        assert_eq!(mode(&out.join("findings.csv")), 0o600);
        assert_eq!(mode(&out.join(MARKER)), 0o600);
    }

    #[test]
    fn a_failed_run_leaves_no_folder_and_nothing_beside_it() {
        let dir = tempfile::tempdir().expect("tmp");
        let out = dir.path().join("a/b/out");
        let mut folder = OutputFolder::open(&out).expect("open");
        folder
            .write("findings.csv", |w| w.write_all(b"x"))
            .expect("write");
        drop(folder);
        assert!(names(dir.path()).is_empty(), "{:?}", names(dir.path()));
    }
}
