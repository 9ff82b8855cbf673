//! `accessaudit generate`.

use std::process::ExitCode;

use accessaudit_generate::quarter::{self, Quarter};
use accessaudit_generate::{generate, Options, Progress};

use super::CommandError;
use crate::cli::GenerateArgs;
use crate::progress::Bar;

/// Writes the snapshot and says what it holds.
pub fn run(args: &GenerateArgs) -> Result<ExitCode, CommandError> {
    let options = Options {
        out: args.out.clone(),
        persons: args.persons,
        events: args.events,
        seed: args.seed,
        parquet: args.parquet,
        quarter: Quarter::named(&args.quarter).ok_or_else(|| {
            CommandError::Usage(format!(
                "--quarter {}: the generator makes {}",
                args.quarter,
                quarter::NAMES.join(" or ")
            ))
        })?,
    };
    let bar = Bar::new("generate");
    let generated = generate(&options, &mut |p| match p {
        Progress::Stage(stage) => bar.stage(stage),
        Progress::Day {
            done,
            total,
            events,
        } => bar.step(done as u64, total as u64, events, "events"),
    })?;
    bar.finish();
    println!("wrote {}", args.out.display());
    for (table, rows) in &generated.tables {
        println!("  {table:<18} {rows:>12} rows");
    }
    let baseline = if options.quarter.follow_up {
        " --baseline <the 2026-Q3 audit's --out folder>"
    } else {
        ""
    };
    println!(
        "  ground_truth.csv   {:>12} planted findings (audit with --exceptions {}/exceptions.toml --reveal-subjects{baseline} to compare)",
        generated.planted,
        args.out.display()
    );
    Ok(ExitCode::SUCCESS)
}
