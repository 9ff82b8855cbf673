//! Writing output files safely: owner-only permissions, and every file
//! written in full under a temporary name before it takes its real one, so an
//! interrupted run leaves no half-written report.

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
}
