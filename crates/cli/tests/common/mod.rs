//! What the snapshot tests share: the repository and the binary run in it.

// Each test binary uses a part of this module.
#![allow(dead_code, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The repository's root.
pub(crate) fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// `accessaudit ARGS` in the repository, with a pseudonym key, without
/// `PGPASSWORD` from the caller's environment but with `env`; never a panic.
pub(crate) fn run(args: &[&str], env: &[(&str, &str)]) -> Output {
    let out = Command::new(env!("CARGO_BIN_EXE_accessaudit"))
        .env("ACCESSAUDIT_PSEUDONYM_KEY", "test-key-of-16-bytes")
        .env_remove("PGPASSWORD")
        .envs(env.iter().copied())
        .args(args)
        .current_dir(repo())
        .output()
        .expect("run accessaudit");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "panic: {stderr}");
    out
}
