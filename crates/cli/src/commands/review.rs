//! `review import` and `review verify`: the managers' returned worksheets
//! into the decision ledger, and the ledger's chain checked.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use accessaudit_review::history::History;
use accessaudit_review::import::{self, Imported};

use super::{CommandError, EXIT_FINDINGS};
use crate::cli::HistoryArgs;

/// The moment the tool takes as now: the clock, or `SOURCE_DATE_EPOCH`
/// (seconds since 1970) when set, the convention tools share for a fixed
/// clock — how a replay of past reviews, or a test of reviews still in the
/// future, dates its imports.
fn now() -> Result<chrono::DateTime<chrono::Utc>, CommandError> {
    match std::env::var("SOURCE_DATE_EPOCH") {
        Err(_) => Ok(chrono::Utc::now()),
        Ok(text) => text
            .trim()
            .parse::<i64>()
            .ok()
            .and_then(|secs| chrono::DateTime::from_timestamp(secs, 0))
            .ok_or_else(|| {
                CommandError::Usage(format!(
                    "SOURCE_DATE_EPOCH={text:?}: not a number of seconds since 1970"
                ))
            }),
    }
}

/// Runs `review import`.
pub(super) fn import(history: &Path, files: &[PathBuf]) -> Result<ExitCode, CommandError> {
    if !history.join(".accessaudit-history").exists() {
        return Err(CommandError::Usage(format!(
            "{} is not a review history: give the folder an audit wrote with --history",
            history.display()
        )));
    }
    let history = History::open(history)?;
    let now = now()?;
    let today = now.with_timezone(&chrono_tz::Europe::Tallinn).date_naive();
    let done = import::import(&history, files, today, &now.to_rfc3339())?;
    for outcome in &done {
        match outcome {
            Imported::Decisions {
                file,
                review_id,
                unit,
                decided,
            } => println!(
                "{}: {decided} decision(s) of unit {unit:?}, review {review_id}",
                file.display()
            ),
            Imported::AlreadyImported { file } => {
                println!(
                    "{}: already imported (the same file); nothing added",
                    file.display()
                )
            }
        }
    }
    let head = accessaudit_review::history::ledger::head(&history.ledger_path())?;
    println!(
        "ledger: {} (head {})",
        history.ledger_path().display(),
        head.as_deref().unwrap_or("empty")
    );
    Ok(ExitCode::SUCCESS)
}

/// Runs `history`: the trends as tables.
pub(crate) fn history(args: &HistoryArgs) -> Result<ExitCode, CommandError> {
    if !args.history.join(".accessaudit-history").exists() {
        return Err(CommandError::Usage(format!(
            "{} is not a review history: give the folder an audit wrote with --history",
            args.history.display()
        )));
    }
    let history = History::open(&args.history)?;
    let trends = history.trends(args.last)?;
    print!("{}", accessaudit_report::trends::table(&trends));
    Ok(ExitCode::SUCCESS)
}

/// Runs `review verify`: exit 0 when the chain holds, 1 naming the first
/// broken line when it does not.
pub(super) fn verify(history: &Path) -> Result<ExitCode, CommandError> {
    let path = history.join("ledger.jsonl");
    if !history.join(".accessaudit-history").exists() {
        return Err(CommandError::Usage(format!(
            "{} is not a review history: give the folder an audit wrote with --history",
            history.display()
        )));
    }
    match accessaudit_review::history::ledger::read(&path) {
        Ok(records) => {
            println!(
                "{}: {} record(s), the chain holds",
                path.display(),
                records.len()
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            println!("broken: {e}");
            Ok(ExitCode::from(EXIT_FINDINGS))
        }
    }
}
