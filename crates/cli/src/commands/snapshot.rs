//! `snapshot`: a snapshot directory from a database or raw export files.

use std::process::ExitCode;
use std::time::Instant;

use accessaudit_snapshot::{Guard, Mapping, Progress, Source};

use super::CommandError;
use crate::cli::SnapshotArgs;
use crate::progress::Bar;

/// The completeness guard of a dumps source.
fn guard(args: &SnapshotArgs) -> Result<Guard, CommandError> {
    if !(0.0..=100.0).contains(&args.max_drop) {
        return Err(CommandError::Usage(format!(
            "--max-drop {}: a percentage from 0 to 100",
            args.max_drop
        )));
    }
    let mut accepted = std::collections::BTreeMap::new();
    for given in &args.accept_drop {
        match given.split_once('=') {
            Some((folder, reason)) if !folder.trim().is_empty() && !reason.trim().is_empty() => {
                accepted.insert(folder.trim().to_string(), reason.trim().to_string());
            }
            _ => {
                return Err(CommandError::Usage(format!(
                    "--accept-drop {given:?}: write FOLDER=REASON, the reason being why the drop is real"
                )))
            }
        }
    }
    Ok(Guard {
        max_drop: args.max_drop / 100.0,
        accepted,
    })
}

/// Checks the mapping, connects, takes the snapshot and says what it holds.
pub(super) fn run(args: &SnapshotArgs) -> Result<ExitCode, CommandError> {
    let mut source = match args.source.strip_prefix("dumps:") {
        Some(dir) => Source::dumps(std::path::Path::new(dir), guard(args)?)?,
        None => Source::open(&args.source)?,
    };
    let mapping = match (&args.mapping, &source) {
        (Some(path), _) => Mapping::load(path)?,
        (None, Source::Dumps(_)) => source.identity_mapping()?,
        (None, _) => {
            return Err(CommandError::Usage(
                "--mapping FILE is needed: it gives each contract table's query".into(),
            ))
        }
    };
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
