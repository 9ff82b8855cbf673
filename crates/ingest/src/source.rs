//! Finding a table's files in the snapshot directory; reading CSV headers
//! and checking CSV quoting ([`csv`]).

mod csv;

pub use csv::{check_csv, read_csv_header, CsvHeader};

use std::path::{Path, PathBuf};

use crate::error::IngestError;

/// The format of one source file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Comma- or semicolon-separated text.
    Csv,
    /// Apache Parquet.
    Parquet,
}

/// One file that holds (part of) a table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFile {
    /// Where it is on disk.
    pub path: PathBuf,
    /// Its name relative to the snapshot directory, `/`-separated, as
    /// messages and `table:row` references print it.
    pub name: String,
    /// Its format.
    pub format: Format,
}

fn format_of(path: &Path) -> Option<Format> {
    let ext = path.extension()?.to_str()?.to_ascii_lowercase();
    match ext.as_str() {
        "csv" => Some(Format::Csv),
        "parquet" | "pq" => Some(Format::Parquet),
        _ => None,
    }
}

fn relative_name(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// The files of table `table` in `dir`: `<table>.csv`, `<table>.parquet`, or
/// every CSV/Parquet file below a directory `<table>/` (sorted by path, hidden
/// and `_`-prefixed files such as `_SUCCESS` skipped). `None` when absent.
pub fn locate(dir: &Path, table: &str) -> Result<Option<Vec<SourceFile>>, IngestError> {
    let entries = std::fs::read_dir(dir).map_err(|source| IngestError::Directory {
        path: dir.to_path_buf(),
        source,
    })?;
    let mut candidates: Vec<PathBuf> = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|source| IngestError::Directory {
            path: dir.to_path_buf(),
            source,
        })?;
        let path = entry.path();
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        let stem_matches = |ext: &str| {
            name.len() == table.len() + ext.len() + 1
                && name[..table.len()].eq_ignore_ascii_case(table)
                && name[table.len() + 1..].eq_ignore_ascii_case(ext)
                && name.as_bytes()[table.len()] == b'.'
        };
        let is_dir = path.is_dir();
        let compressed_export = !is_dir
            && is_compressed(&path)
            && name.len() > table.len()
            && name.is_char_boundary(table.len() + 1)
            && name[..table.len() + 1].eq_ignore_ascii_case(&format!("{table}."))
            && {
                let rest = name[table.len() + 1..].to_ascii_lowercase();
                rest.starts_with("csv.") || rest.starts_with("parquet.")
            };
        if compressed_export {
            return Err(IngestError::UnreadFile {
                file: relative_name(dir, &path),
                reason: unread_reason(&path),
            });
        }
        if (is_dir && name.eq_ignore_ascii_case(table))
            || (!is_dir && (stem_matches("csv") || stem_matches("parquet")))
        {
            candidates.push(path);
        }
    }
    candidates.sort();
    match candidates.len() {
        0 => Ok(None),
        1 => {
            let path = candidates.remove(0);
            if path.is_dir() {
                let mut files = Vec::new();
                walk(dir, &path, &mut files)?;
                if files.is_empty() {
                    return Err(IngestError::EmptyDirectory {
                        dir: relative_name(dir, &path),
                    });
                }
                files.sort_by(|a, b| a.name.cmp(&b.name));
                Ok(Some(files))
            } else {
                let format = format_of(&path).unwrap_or(Format::Csv);
                Ok(Some(vec![SourceFile {
                    name: relative_name(dir, &path),
                    path,
                    format,
                }]))
            }
        }
        _ => Err(IngestError::AmbiguousTable {
            table: table.to_string(),
            files: candidates.iter().map(|p| relative_name(dir, p)).collect(),
        }),
    }
}

fn walk(root: &Path, dir: &Path, out: &mut Vec<SourceFile>) -> Result<(), IngestError> {
    let entries = std::fs::read_dir(dir).map_err(|source| IngestError::Directory {
        path: dir.to_path_buf(),
        source,
    })?;
    for entry in entries {
        let entry = entry.map_err(|source| IngestError::Directory {
            path: dir.to_path_buf(),
            source,
        })?;
        let path = entry.path();
        let hidden = path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with('.') || n.starts_with('_'));
        if hidden {
            continue;
        }
        if path.is_dir() {
            walk(root, &path, out)?;
        } else if let Some(format) = format_of(&path) {
            out.push(SourceFile {
                name: relative_name(root, &path),
                path,
                format,
            });
        } else if !is_documentation(&path) {
            // Rows must never go missing unnoticed: a file that may hold
            // some (a gzipped partition) is refused by name.
            return Err(IngestError::UnreadFile {
                file: relative_name(root, &path),
                reason: unread_reason(&path),
            });
        }
    }
    Ok(())
}

/// Whether a file in a table folder is clearly not data: a README, or a
/// `.md` or `.txt` file beside the exports.
fn is_documentation(path: &Path) -> bool {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    name.starts_with("readme") || name.ends_with(".md") || name.ends_with(".txt")
}

const COMPRESSED: [&str; 8] = ["gz", "gzip", "bz2", "xz", "zst", "zip", "7z", "lz4"];

fn is_compressed(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| COMPRESSED.contains(&e.to_ascii_lowercase().as_str()))
}

fn unread_reason(path: &Path) -> String {
    if is_compressed(path) {
        "a compressed file is not read (its rows would be lost): decompress it in place (e.g. `gunzip`), or move it out of the snapshot".into()
    } else {
        "not a .csv or .parquet file, so it is not read; move it out of the table folder (README, .md and .txt files and names starting with . or _ are skipped)".into()
    }
}

#[cfg(test)]
mod tests;
