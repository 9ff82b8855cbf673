//! `accessaudit generate`.

use std::path::Path;
use std::process::ExitCode;

use accessaudit_generate::review_answers::{self, ReturnedReview};
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
        shape: shape(args)?,
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
    let previous = options.quarter.previous();
    if let Some(previous) = &previous {
        bar.stage(&format!(
            "the {} worksheets as the managers returned them",
            previous.name
        ));
        returned_worksheets(&options, previous, &args.out.join("returned"))?;
    }
    bar.finish();
    println!("wrote {}", args.out.display());
    for (table, rows) in &generated.tables {
        println!("  {table:<18} {rows:>12} rows");
    }
    let baseline = previous.as_ref().map_or_else(String::new, |p| {
        format!(" --baseline <the {} audit's --out folder>", p.name)
    });
    println!(
        "  ground_truth.csv   {:>12} planted findings (audit with --exceptions {}/exceptions.toml --reveal-subjects{baseline} to compare)",
        generated.planted,
        args.out.display()
    );
    if let Some(previous) = &previous {
        println!(
            "  returned/          the {0} worksheets as the managers and the DPO filled them (accessaudit review import --history <the {0} audit's --history> {1}/returned/*)",
            previous.name,
            args.out.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// The log's shape from the arguments, each in its range.
fn shape(args: &GenerateArgs) -> Result<accessaudit_generate::Shape, CommandError> {
    let share = |name: &str, v: f64| {
        if (0.0..=1.0).contains(&v) {
            Ok(v)
        } else {
            Err(CommandError::Usage(format!(
                "--{name} {v}: a share from 0 to 1"
            )))
        }
    };
    let positive = |name: &str, v: f64| {
        if v.is_finite() && (1.0..=100.0).contains(&v) {
            Ok(v)
        } else {
            Err(CommandError::Usage(format!(
                "--{name} {v}: a number from 1 to 100"
            )))
        }
    };
    Ok(accessaudit_generate::Shape {
        subjects_per_day: args
            .subjects_per_day
            .map(|v| positive("subjects-per-day", v))
            .transpose()?,
        events_per_subject: positive("events-per-subject", args.events_per_subject)?,
        case_reuse: share("case-reuse", args.case_reuse)?,
        named_share: share("named-share", args.named_share)?,
    })
}

/// Writes into `dir` the `previous` review's worksheets as the managers and
/// the DPO returned them ([`review_answers`]): the previous quarter of the
/// same agency is generated aside, its worksheets and cases built as
/// `audit` builds them (after the DQ rules' exclusions), and filled in; a
/// unit that never answered gets none.
fn returned_worksheets(
    options: &Options,
    previous: &Quarter,
    dir: &Path,
) -> Result<(), CommandError> {
    let answers = review_answers::of(previous.name).ok_or_else(|| {
        CommandError::Usage(format!(
            "the generator has no answers to the {} review",
            previous.name
        ))
    })?;
    let name = options
        .out
        .file_name()
        .map_or_else(|| "snapshot".into(), |n| n.to_string_lossy().into_owned());
    let aside =
        options
            .out
            .with_file_name(format!(".{name}.{}-{}", previous.name, std::process::id()));
    let earlier = Options {
        out: aside.clone(),
        quarter: previous.clone(),
        ..options.clone()
    };
    let result = generate(&earlier, &mut |_| {})
        .map_err(CommandError::from)
        .and_then(|_| fill_worksheets(&aside, dir, answers));
    let _ = std::fs::remove_dir_all(&aside);
    result
}

fn fill_worksheets(
    earlier: &Path,
    dir: &Path,
    answers: &ReturnedReview,
) -> Result<(), CommandError> {
    let snapshot = Snapshot::load(earlier, &LoadOptions::default())?;
    let catalog = Catalog::builtin()?;
    // Subjects appear nowhere on a worksheet; any key will do.
    let pseudonyms = Pseudonymizer::new(b"worksheets-only-key".to_vec(), false);
    // The whole audit, with the quarter's exceptions, as that review ran
    // it: the managers see which rows have open findings.
    let exceptions_file = earlier.join("exceptions.toml");
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
        if answers.unreturned_unit == Some(sheet.unit.as_str()) {
            continue;
        }
        let mut bytes = Vec::new();
        let fill = |r: &WorksheetRow| {
            r.item_id.starts_with("r-").then(|| {
                let (d, c, on) =
                    answers.answer(&r.system, &r.account_id, &r.role, !r.finding_ids.is_empty());
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
    // The DPO's answers, on the cases sheet the audit wrote.
    let cases = accessaudit_review::cases::cases(&header.review_id, &evaluation.findings);
    if !answers.dispositions.is_empty() && !cases.is_empty() {
        let fill = |c: &accessaudit_review::cases::Case| {
            let d = answers.disposition(c.person_id.as_deref()?)?;
            Some((
                d.disposition.to_string(),
                d.comment.to_string(),
                d.decided_on.to_string(),
            ))
        };
        let bytes = accessaudit_report::xlsx::filled_dpo_cases_xlsx(
            &header,
            &cases,
            "en",
            answers.dpo,
            &fill,
        )
        .map_err(|e| CommandError::Usage(format!("cannot build the DPO's cases: {e}")))?;
        let path = dir.join("dpo-cases.xlsx");
        std::fs::write(&path, bytes).map_err(|source| CommandError::Read {
            path: path.display().to_string(),
            source,
        })?;
    }
    Ok(())
}
