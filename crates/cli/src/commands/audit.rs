//! `audit`: load, run every rule, write the findings.

use std::cell::RefCell;
use std::process::ExitCode;

use std::time::Instant;

use accessaudit_report::csv::Delimiter;
use accessaudit_report::html::ReportInput;
use accessaudit_report::output::OutputFolder;
use accessaudit_report::summary::{self, Timings};
use accessaudit_rules::Severity;

use accessaudit_ingest::Snapshot;
use accessaudit_review::baseline::{self, Baseline};
use accessaudit_review::history::issued::IssuedReview;
use accessaudit_review::history::runs::{self, Recorded};
use accessaudit_review::history::History;
use accessaudit_review::worksheets::ReviewHeader;
use accessaudit_review::{figures, history, worksheets, Review};
use accessaudit_rules::checks::LogRead;
use accessaudit_rules::derived::Derived;
use accessaudit_rules::exceptions::Exceptions;
use accessaudit_rules::{Area, Inputs, RuleEvent};

use super::{catalog, load, pseudonyms, read, CommandError, EXIT_FINDINGS};
use crate::cli::{AuditArgs, Format};
use crate::meter::{self, Meter, StageCost};
use crate::progress::{Bar, RuleBar};

/// Runs `audit`.
pub(super) fn run(args: AuditArgs) -> Result<ExitCode, CommandError> {
    // Arguments first: a typo must not cost a whole load.
    let fail_on = match &args.fail_on {
        Some(word) => Some(Severity::parse(word).ok_or_else(|| {
            CommandError::Usage(format!(
                "--fail-on {word:?}: expected critical, high, medium, low or info"
            ))
        })?),
        None => None,
    };
    // Findings.csv is for tools (`,`), the worksheets for people (their
    // spreadsheet's list separator), unless --csv-delimiter says otherwise.
    let (findings_delimiter, worksheet_delimiter) = match &args.csv_delimiter {
        Some(word) => {
            let d = Delimiter::parse(word).ok_or_else(|| {
                CommandError::Usage(format!(
                    "--csv-delimiter {word:?}: expected \",\", \";\" or tab"
                ))
            })?;
            (d, d)
        }
        None => (Delimiter::Comma, Delimiter::for_people(args.lang.code())),
    };
    // Locked before the long load: a second run into the same folder fails
    // at once, and a folder that is not ours is refused before any work.
    let mut folder = OutputFolder::open(&args.out)?;
    let catalog = catalog(&args.catalog)?;
    let exceptions = match &args.exceptions {
        Some(path) => Some(Exceptions::parse(
            &path.display().to_string(),
            &read(path)?,
            &catalog,
        )?),
        None => None,
    };
    // The history is locked before the long load too.
    let history = match &args.history {
        Some(dir) => Some(History::open(dir)?),
        None => None,
    };
    let pseudonyms = pseudonyms(&args.subjects)?;
    let baseline = match &args.baseline {
        Some(dir) => Some(Baseline::load(dir, &pseudonyms)?),
        None => None,
    };
    let bar = Bar::new("audit");
    bar.stage("loading tables");
    let meter = Meter::start();
    let snapshot = load(&args.data)?;
    check_period_against_log(&snapshot)?;
    // Row counts and file hashes are part of reading the input.
    let tables = summary::input_tables(&snapshot).map_err(|source| CommandError::Read {
        path: snapshot.dir.display().to_string(),
        source,
    })?;
    for t in &tables {
        bar.note(&format!("  {:<18} {:>12} rows", t.name, t.rows));
    }
    let load = meter.stop("load");
    let review_id = history::review_id(&snapshot.period.label, snapshot.as_of_day());
    // Reading the history (the previous review's decisions, the baseline run)
    // is a stage of its own.
    let history_meter = history.as_ref().map(|_| Meter::start());
    let audit_history = match &history {
        Some(h) => Some(h.for_audit(&review_id, snapshot.as_of_day())?),
        None => None,
    };
    let review_state = audit_history.as_ref().map(|h| h.review_state());
    // Without --baseline, the history's latest earlier run is the baseline.
    let baseline = match (baseline, &history) {
        (Some(b), _) => Some(b),
        (None, Some(h)) => match h.latest_run_before(snapshot.as_of_day())? {
            Some(run) => Some(Baseline::load(&run.dir, &pseudonyms)?),
            None => None,
        },
        (None, None) => None,
    };
    let history_stage = history_meter.map(|m| m.stop("history"));
    let started = Instant::now();
    let rule_bar = RuleBar::new(&bar);
    // Each rule is shown as it starts and metered into its area's stage.
    let rule_stages: RefCell<Vec<StageCost>> = RefCell::new(Vec::new());
    let running: RefCell<Option<Meter>> = RefCell::new(None);
    let per_rule: RefCell<Vec<(String, f64)>> = RefCell::new(Vec::new());
    let observe = |event: RuleEvent<'_>| match event {
        RuleEvent::Started {
            rule, done, total, ..
        } => {
            rule_bar.rule(rule, done, total);
            *running.borrow_mut() = Some(Meter::start());
        }
        RuleEvent::Finished { area, rule } => {
            if let Some(m) = running.borrow_mut().take() {
                per_rule.borrow_mut().push((rule.to_string(), m.seconds()));
                meter::merge(
                    &mut rule_stages.borrow_mut(),
                    m.stop(format!("rules {}", area.as_str())),
                );
            }
        }
    };
    let tell_log = |read: LogRead| rule_bar.log(read);
    let inputs = Inputs {
        pseudonyms: &pseudonyms,
        exceptions: exceptions.as_ref(),
        observer: Some(&observe),
        log_progress: Some(&tell_log),
        lang: args.lang.code(),
        review: review_state.as_ref(),
    };
    let mut evaluation = accessaudit_rules::evaluate_with(&catalog, &snapshot, &inputs, |_| true)?;
    let load_seconds = load.seconds;
    let mut stages = vec![load];
    stages.extend(history_stage);
    stages.extend(rule_stages.take());
    // The review of the evaluation: the baseline, then the figures when PD
    // rules ran, over the facts as the rules saw them.
    let facts = Derived::of(&evaluation, &snapshot, &pseudonyms);
    let mut review = Review {
        comparison: baseline
            .as_ref()
            .map(|b| baseline::compare_evaluation(&mut evaluation, b, &catalog)),
        explained_access: None,
        cases: Vec::new(),
        progress: audit_history
            .as_ref()
            .and_then(|h| h.progress())
            .map(|mut p| {
                p.revokes_not_carried_out = evaluation
                    .findings
                    .iter()
                    .filter(|f| f.rule_id == "REV-01")
                    .count();
                p
            }),
        // The trends with this audit as the latest review.
        trends: match &history {
            Some(h) => Some(h.trends_with(
                history::trends::REVIEWS_SHOWN,
                Some((snapshot.as_of_day(), &evaluation.findings)),
            )?),
            None => None,
        },
    };
    review.cases = accessaudit_review::cases::cases(&review_id, &evaluation.findings);
    if let Some(history) = &audit_history {
        history.dispose(&mut review.cases);
    }
    if catalog.rules.iter().any(|r| r.area == Area::Pd) {
        let figures_meter = Meter::start();
        review.explained_access = figures::of(&evaluation, &facts)?;
        stages.push(figures_meter.stop("figures"));
    }
    let timings = Timings {
        load: load_seconds,
        rules: started.elapsed().as_secs_f64(),
        per_rule: per_rule.take(),
    };
    bar.stage("writing the report");
    let report_meter = Meter::start();
    let mut summary =
        summary::summary(&snapshot, &tables, &catalog, &evaluation, &review, &timings);
    summary["run_files"] = run_files(&args, baseline.as_ref().map(|b| b.dir.as_str()))?;
    let wants = |f: Format| args.format.contains(&f);
    let header = ReviewHeader {
        review_id: review_id.clone(),
        as_of: snapshot.as_of_day().to_string(),
        return_by: snapshot
            .calendar
            .nth_working_day_after(snapshot.as_of_day(), return_working_days(&catalog)?),
    };
    let mut sheets = worksheets::worksheets(&facts, &evaluation.findings)?;
    if let Some(h) = &audit_history {
        h.annotate(&mut sheets);
    }
    let issued = IssuedReview::of(
        &snapshot.period.label,
        snapshot.as_of_day(),
        &header,
        &sheets,
    )
    .with_cases(&review.cases);
    if let Some(c) = &review.comparison {
        worksheets::add_resolved(&mut sheets, &c.resolved);
    }
    let findings = &evaluation.findings;
    if wants(Format::Html) {
        let html = accessaudit_report::html::render(&ReportInput {
            snapshot: &snapshot,
            catalog: &catalog,
            evaluation: &evaluation,
            review: &review,
            tables: &tables,
            lang: args.lang.code(),
        })
        .map_err(|e| CommandError::Usage(e.to_string()))?;
        folder.write("report.html", |w| w.write_all(html.as_bytes()))?;
    }
    if wants(Format::Csv) {
        folder.write("findings.csv", |w| {
            accessaudit_report::csv::write_findings(w, findings, findings_delimiter)
        })?;
        // Every file name decided before anything is written.
        let names = accessaudit_report::csv::worksheet_names(sheets.keys().map(String::as_str))?;
        for (sheet, name) in sheets.values().zip(names) {
            folder.write(&format!("review/{name}.csv"), |w| {
                accessaudit_report::csv::write_worksheet(w, &header, sheet, worksheet_delimiter)
            })?;
            let workbook =
                accessaudit_report::xlsx::worksheet_xlsx(&header, sheet, args.lang.code())
                    .map_err(|e| CommandError::Usage(format!("cannot build the worksheet: {e}")))?;
            folder.write(&format!("review/{name}.xlsx"), |w| w.write_all(&workbook))?;
        }
        if !review.cases.is_empty() {
            let workbook =
                accessaudit_report::xlsx::dpo_cases_xlsx(&header, &review.cases, args.lang.code())
                    .map_err(|e| {
                        CommandError::Usage(format!("cannot build the DPO's cases: {e}"))
                    })?;
            folder.write("review/dpo-cases.xlsx", |w| w.write_all(&workbook))?;
        }
    }
    // The versioned findings file: an output, and the run the history keeps.
    let mut jsonl = Vec::new();
    accessaudit_report::data::write_jsonl(&mut jsonl, findings).map_err(|source| {
        CommandError::Read {
            path: "findings.jsonl".into(),
            source,
        }
    })?;
    if wants(Format::Json) {
        folder.write("findings.jsonl", |w| w.write_all(&jsonl))?;
    }
    if wants(Format::Parquet) {
        folder.write("findings.parquet", |w| {
            accessaudit_report::data::write_parquet(w, findings)
        })?;
    }
    stages.push(report_meter.stop("report"));
    summary["stages"] = serde_json::to_value(&stages).unwrap_or_default();
    let mut summary_bytes = serde_json::to_vec_pretty(&summary).unwrap_or_default();
    summary_bytes.push(b'\n');
    folder.write("summary.json", |w| w.write_all(&summary_bytes))?;
    // The review and the run are recorded once the outputs are complete,
    // just before they appear: a failed run issues nothing.
    let recorded = match &history {
        Some(h) => {
            h.record(issued)?;
            let files: Vec<(String, String)> = tables
                .iter()
                .flat_map(|t| t.files.iter().cloned())
                .collect();
            Some(h.record_run(
                snapshot.as_of_day(),
                &runs::inputs_hash(&files),
                &[("findings.jsonl", &jsonl), ("summary.json", &summary_bytes)],
            )?)
        }
        None => None,
    };
    let written = folder.commit()?;
    bar.finish();
    let said = accessaudit_report::text::audit_summary(
        &snapshot,
        &catalog,
        &evaluation,
        &review,
        &written,
        args.lang.code(),
    )
    .map_err(|e| CommandError::Usage(e.to_string()))?;
    print!("{said}");
    match recorded {
        Some(Recorded::New { run, same_as_of }) => {
            println!("history: run {} recorded", run.name);
            for other in same_as_of {
                println!(
                    "history: another snapshot of the same as_of is recorded as run {}",
                    other.name
                );
            }
        }
        Some(Recorded::AlreadyRecorded(run)) => {
            println!(
                "history: the same inputs are recorded as run {} already; kept as it was",
                run.name
            )
        }
        None => {}
    }
    let failing = fail_on.is_some_and(|t| evaluation.findings.iter().any(|f| f.severity >= t));
    Ok(if failing {
        ExitCode::from(EXIT_FINDINGS)
    } else {
        ExitCode::SUCCESS
    })
}

/// The worksheets' return deadline in working days after `as_of`: REV-02's
/// `review_return_working_days`, which judges it; 10 (its documented
/// default) for a catalogue without REV-02.
fn return_working_days(catalog: &accessaudit_rules::Catalog) -> Result<u32, CommandError> {
    match catalog.rules.iter().find(|r| r.id == "REV-02") {
        Some(rule) => rule
            .working_days("review_return_working_days")
            .map_err(|e| CommandError::Usage(format!("REV-02: {e}"))),
        None => Ok(10),
    }
}

/// A period that does not meet the access log at all is a mistake in the
/// arguments (or the wrong snapshot), not an empty report.
fn check_period_against_log(snapshot: &Snapshot) -> Result<(), CommandError> {
    let Some((first, last)) = snapshot.access_log_range()? else {
        return Ok(());
    };
    let p = &snapshot.period;
    if last < p.start_instant() || first >= p.end_instant() {
        let day = |t: chrono::DateTime<chrono::Utc>| {
            t.with_timezone(&chrono_tz::Europe::Tallinn).date_naive()
        };
        return Err(CommandError::Usage(format!(
            "period {p} lies outside the access log, which runs from {} to {}: give a --period inside it",
            day(first),
            day(last)
        )));
    }
    Ok(())
}

/// SHA-256 of the policy and exceptions files of this run, and the
/// baseline folder it was compared with.
fn run_files(args: &AuditArgs, baseline: Option<&str>) -> Result<serde_json::Value, CommandError> {
    let mut out = serde_json::Map::new();
    for (key, path) in [
        ("policy", args.catalog.policy.as_ref()),
        ("exceptions", args.exceptions.as_ref()),
    ] {
        if let Some(p) = path {
            let hash = summary::file_sha256(p).map_err(|source| CommandError::Read {
                path: p.display().to_string(),
                source,
            })?;
            out.insert(
                key.into(),
                serde_json::json!({ "file": p.display().to_string(), "sha256": hash }),
            );
        }
    }
    if let Some(dir) = baseline {
        out.insert("baseline".into(), serde_json::json!(dir));
    }
    Ok(serde_json::Value::Object(out))
}
