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
    /// Creates `out` (owner-only) and a staging folder in it.
    pub fn new(out: &Path) -> Result<Self, OutputError> {
        create_private_dir(out)?;
        let staging = out.join(format!(".accessaudit-staging-{}", std::process::id()));
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
