//! Helpers shared by the ingest tests: a copy of the minimal snapshot to
//! change one file at a time.

#![allow(dead_code, clippy::expect_used)]

use std::path::{Path, PathBuf};

use polars::prelude::*;

/// The committed minimal snapshot every test starts from.
pub(crate) fn minimal() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/base")
}

/// A temporary copy of the minimal snapshot.
pub(crate) fn copy_minimal() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for entry in std::fs::read_dir(minimal()).expect("minimal fixture") {
        let path = entry.expect("entry").path();
        std::fs::copy(&path, dir.path().join(path.file_name().expect("name"))).expect("copy");
    }
    dir
}

/// Writes `bytes` to `name` under `dir`, creating folders.
pub(crate) fn write(dir: &Path, name: &str, bytes: impl AsRef<[u8]>) {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    std::fs::write(path, bytes).expect("write");
}

/// Writes `df` as Parquet to `name` under `dir`.
pub(crate) fn write_parquet(dir: &Path, name: &str, df: &mut DataFrame) {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    let file = std::fs::File::create(path).expect("create");
    ParquetWriter::new(file).finish(df).expect("parquet");
}
