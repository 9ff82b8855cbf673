//! `snapshot`: a snapshot directory from a database or raw export files.

use std::process::ExitCode;
use std::time::Instant;

use accessaudit_snapshot::{Mapping, Progress, Source};

use super::CommandError;
use crate::cli::SnapshotArgs;
use crate::progress::Bar;

/// Checks the mapping, connects, takes the snapshot and says what it holds.
pub(super) fn run(args: &SnapshotArgs) -> Result<ExitCode, CommandError> {
    let mapping = Mapping::load(&args.mapping)?;
    let mut source = Source::open(&args.source)?;
    let bar = Bar::new("snapshot");
    let started = Instant::now();
    let mut table_started = Instant::now();
    let taken = accessaudit_snapshot::take(
        &mut source,
        &mapping,
        &args.out,
        args.as_of.as_deref(),
        &mut |p| match p {
            Progress::Table(name) => {
                table_started = Instant::now();
                bar.stage(name);
            }
            Progress::Rows(name, rows) => {
                let secs = table_started.elapsed().as_secs_f64().max(0.001);
                bar.stage(&format!(
                    "{name}: {rows} rows ({:.0} rows/s)",
                    rows as f64 / secs
                ));
            }
        },
    );
    bar.finish();
    let taken = taken?;
    let (kind, location) = source.describe();
    println!(
        "wrote {} from {kind} {location} in {:.1} s",
        args.out.display(),
        started.elapsed().as_secs_f64()
    );
    if let Some(as_of) = &taken.as_of {
        println!("  as_of              {as_of}");
    }
    for (table, rows) in &taken.tables {
        println!("  {table:<18} {rows:>12} rows");
    }
    Ok(ExitCode::SUCCESS)
}
