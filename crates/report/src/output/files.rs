//! The output folder's file handling: owner-only files and folders, the
//! lock, syncing, and what may be replaced.

use std::fs::{self, File, OpenOptions};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use super::{io, OutputError, LEGACY_FILES, MARKER, STAGING_PREFIX};

/// The folder to replace: `out` itself, or where it points when it is a
/// symbolic link (the link stays).
pub(super) fn resolve(out: &Path) -> Result<PathBuf, OutputError> {
    let is_link = fs::symlink_metadata(out).is_ok_and(|m| m.file_type().is_symlink());
    if is_link {
        fs::canonicalize(out).map_err(io(out))
    } else {
        std::path::absolute(out).map_err(io(out))
    }
}

/// Whether anything (even a dangling link) is at `path`.
pub(super) fn exists(path: &Path) -> bool {
    fs::symlink_metadata(path).is_ok()
}

/// Creates the missing folders of `dir` (owner-only) and returns them,
/// deepest first.
pub(super) fn create_parents(dir: &Path) -> Result<Vec<PathBuf>, OutputError> {
    let missing: Vec<PathBuf> = dir
        .ancestors()
        .take_while(|a| !a.as_os_str().is_empty() && !exists(a))
        .map(Path::to_path_buf)
        .collect();
    create_private_dir(dir)?;
    Ok(missing)
}

/// Opens and locks the lock file at `path` without waiting.
pub(super) fn lock(path: &Path, folder: &Path) -> Result<File, OutputError> {
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
pub(super) fn still_named(file: &File, path: &Path) -> bool {
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
pub(super) fn check_replaceable(target: &Path) -> Result<(), OutputError> {
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
pub(super) fn is_legacy(target: &Path, names: &[String]) -> bool {
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
pub(super) fn write_file(
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
pub(super) fn sync_dirs(dir: &Path) -> Result<(), OutputError> {
    for entry in fs::read_dir(dir).map_err(io(dir))? {
        let entry = entry.map_err(io(dir))?;
        if entry.file_type().map_err(io(dir))?.is_dir() {
            sync_dirs(&entry.path())?;
        }
    }
    sync_dir(dir)
}

/// Flushes a folder's entries (renames, new files) to disk.
pub(super) fn sync_dir(dir: &Path) -> Result<(), OutputError> {
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
pub(super) fn remove_abandoned(out: &Path) {
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

pub(super) fn create_private_dir(path: &Path) -> Result<(), OutputError> {
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

pub(super) fn create_private_file(path: &Path) -> Result<File, OutputError> {
    let mut options = OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path).map_err(io(path))
}
