//! The command line: clap definitions only.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Access compliance auditor for SKAIS, STAR and external registers.
#[derive(Debug, Parser)]
#[command(name = "accessaudit", version, about, long_about = None)]
pub struct Cli {
    /// More log output on stderr (-v info, -vv debug); RUST_LOG overrides.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,
    /// Only errors on stderr.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Load a snapshot, check every value, and run the data-quality rules.
    Validate(ValidateArgs),
}

/// Where the snapshot is and how to read it.
#[derive(Debug, Args)]
pub struct DataArgs {
    /// The snapshot directory (see docs/input-tables.md).
    #[arg(long, value_name = "DIR")]
    pub data: PathBuf,
    /// The moment state rules look at (overrides manifest.toml), e.g.
    /// 2026-09-30T23:59:59+03:00 or 2026-09-30 (end of that day).
    #[arg(long, value_name = "T")]
    pub as_of: Option<String>,
    /// The review period (overrides manifest.toml): 2026-Q3, 2026-07 or
    /// 2026-07-01..2026-09-30.
    #[arg(long, value_name = "P")]
    pub period: Option<String>,
    /// Reject rows with unreadable values (counted and listed) instead of stopping.
    #[arg(long)]
    pub lenient: bool,
}

/// `validate`.
#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// Snapshot options.
    #[command(flatten)]
    pub data: DataArgs,
}
