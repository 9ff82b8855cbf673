//! `accessaudit generate`.

use std::path::Path;
use std::process::ExitCode;

use accessaudit_generate::review_answers;
use accessaudit_ingest::{LoadOptions, Snapshot};
use accessaudit_report::csv;
use accessaudit_review::history;
use accessaudit_review::worksheets::{self, ReviewHeader, WorksheetRow};
use accessaudit_rules::derived::Derived;
use accessaudit_rules::exceptions::Exceptions;
use accessaudit_rules::pseudonym::Pseudonymizer;
use accessaudit_rules::{Catalog, Inputs};

use accessaudit_generate::quarter::{self, Quarter};
use accessaudit_generate::{generate, Options, Progress};

use super::CommandError;
use crate::cli::GenerateArgs;
use crate::progress::Bar;

/// Writes the snapshot and says what it holds.
pub(super) fn run(args: &GenerateArgs) -> Result<ExitCode, CommandError> {
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
    if options.quarter.follow_up {
        bar.stage("the Q3 worksheets as the managers returned them");
        returned_worksheets(&options, &args.out.join("returned"))?;
    }
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
    if options.quarter.follow_up {
        println!(
            "  returned/          the Q3 worksheets as the managers filled them (accessaudit review import --history <the Q3 audit's --history> {}/returned/*.csv)",
            args.out.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Writes into `dir` the Q3 review's worksheets as the managers returned
/// them ([`review_answers`]): the Q3 quarter of the same agency is generated
/// aside, its worksheets built as `audit` builds them (after the DQ rules'
/// exclusions), and filled in; the unit that never answered gets none.
fn returned_worksheets(options: &Options, dir: &Path) -> Result<(), CommandError> {
    let name = options
        .out
        .file_name()
        .map_or_else(|| "snapshot".into(), |n| n.to_string_lossy().into_owned());
    let aside = options
        .out
        .with_file_name(format!(".{name}.q3-{}", std::process::id()));
    let q3 = Options {
        out: aside.clone(),
        quarter: Quarter::named(quarter::NAMES[0])
            .ok_or_else(|| CommandError::Usage("the generator has no planted quarter".into()))?,
        ..options.clone()
    };
    let result = generate(&q3, &mut |_| {})
        .map_err(CommandError::from)
        .and_then(|_| fill_worksheets(&aside, dir));
    let _ = std::fs::remove_dir_all(&aside);
    result
}

fn fill_worksheets(q3: &Path, dir: &Path) -> Result<(), CommandError> {
    let snapshot = Snapshot::load(q3, &LoadOptions::default())?;
    let catalog = Catalog::builtin()?;
    // Subjects appear nowhere on a worksheet; any key will do.
    let pseudonyms = Pseudonymizer::new(b"worksheets-only-key".to_vec(), false);
    // The whole audit, with the quarter's exceptions, as the Q3 review ran
    // it: the managers see which rows have open findings.
    let exceptions_file = q3.join("exceptions.toml");
    let exceptions = Exceptions::parse(
        &exceptions_file.display().to_string(),
        &super::read(&exceptions_file)?,
        &catalog,
    )?;
    let inputs = Inputs {
        pseudonyms: &pseudonyms,
        exceptions: Some(&exceptions),
        observer: None,
        log_progress: None,
        lang: "en",
        review: None,
    };
    let evaluation = accessaudit_rules::evaluate_with(&catalog, &snapshot, &inputs, |_| true)?;
    let facts = Derived::of(&evaluation, &snapshot, &pseudonyms);
    let sheets = worksheets::worksheets(&facts, &evaluation.findings)?;
    let header = ReviewHeader {
        review_id: history::review_id(&snapshot.period.label, snapshot.as_of_day()),
        as_of: snapshot.as_of_day().to_string(),
        return_by: snapshot
            .calendar
            .nth_working_day_after(snapshot.as_of_day(), 10),
    };
    std::fs::create_dir_all(dir).map_err(|source| CommandError::Read {
        path: dir.display().to_string(),
        source,
    })?;
    let names = csv::worksheet_names(sheets.keys().map(String::as_str))?;
    for (sheet, name) in sheets.values().zip(names) {
        if sheet.unit == review_answers::UNRETURNED_UNIT {
            continue;
        }
        let mut bytes = Vec::new();
        let fill = |r: &WorksheetRow| {
            r.item_id.starts_with("r-").then(|| {
                let (d, c, on) = review_answers::answer(
                    &r.system,
                    &r.account_id,
                    &r.role,
                    !r.finding_ids.is_empty(),
                );
                (d.to_string(), c.to_string(), on.to_string())
            })
        };
        let path = dir.join(format!("{name}.csv"));
        csv::write_filled_worksheet(&mut bytes, &header, sheet, csv::Delimiter::Comma, &fill)
            .and_then(|()| std::fs::write(&path, bytes))
            .map_err(|source| CommandError::Read {
                path: path.display().to_string(),
                source,
            })?;
    }
    Ok(())
}
