//! The history's file handling: owner-only files, whole-file replacement
//! (write beside, sync, rename, sync the folder), and the lock; and its
//! typed errors.

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Why the history cannot be read or written.
#[derive(Debug, thiserror::Error)]
pub enum HistoryError {
    /// A file or folder of the history cannot be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The folder is not an accessaudit history.
    #[error("{dir} is not an accessaudit review history: {why}")]
    NotHistory {
        /// The folder.
        dir: PathBuf,
        /// Why not.
        why: String,
    },
    /// Another accessaudit holds the history's lock.
    #[error(
        "{dir} is in use by another accessaudit (lock {lock}); try again when it has finished"
    )]
    Locked {
        /// The history.
        dir: PathBuf,
        /// The lock file.
        lock: PathBuf,
    },
    /// A file of the history does not read as what it should be.
    #[error("{path}{}: {why}", line.map(|l| format!(", line {l}")).unwrap_or_default())]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// The line, for the ledger.
        line: Option<usize>,
        /// What is wrong.
        why: String,
    },
}

/// Maps an I/O error on `path`.
pub(crate) fn io(path: &Path) -> impl Fn(std::io::Error) -> HistoryError + '_ {
    move |source| HistoryError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Creates `path` (and its parents) owner-only when absent.
pub(crate) fn create_private_dir(path: &Path) -> Result<(), HistoryError> {
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

/// Replaces `path` with `bytes` whole: written to a file beside it, synced,
/// renamed over it, and the folder synced. A crash at any point leaves the
/// old file or the new one.
pub(crate) fn replace(path: &Path, bytes: &[u8]) -> Result<(), HistoryError> {
    let dir = path.parent().unwrap_or(Path::new("."));
    create_private_dir(dir)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    let temp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let mut options = OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let written = (|| {
        let mut file = options.open(&temp)?;
        file.write_all(bytes)?;
        file.flush()?;
        file.sync_all()
    })();
    if let Err(source) = written {
        let _ = fs::remove_file(&temp);
        return Err(HistoryError::Io { path: temp, source });
    }
    fs::rename(&temp, path).map_err(io(path))?;
    sync_dir(dir)
}

/// Flushes a folder's entries (renames, new files) to disk.
pub(crate) fn sync_dir(dir: &Path) -> Result<(), HistoryError> {
    #[cfg(unix)]
    File::open(dir)
        .and_then(|f| f.sync_all())
        .map_err(io(dir))?;
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

/// Takes the lock file `path` of history `dir`, failing at once when
/// another process holds it. The lock ends when the file is closed, also
/// when a process is killed.
pub(crate) fn lock(path: &Path, dir: &Path) -> Result<File, HistoryError> {
    let mut options = OpenOptions::new();
    options.read(true).write(true).create(true).truncate(false);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let file = options.open(path).map_err(io(path))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(fs::TryLockError::WouldBlock) => Err(HistoryError::Locked {
            dir: dir.to_path_buf(),
            lock: path.to_path_buf(),
        }),
        Err(fs::TryLockError::Error(source)) => Err(HistoryError::Io {
            path: path.to_path_buf(),
            source,
        }),
    }
}
