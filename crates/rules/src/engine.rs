//! Runs rules over a snapshot and turns their output rows into findings. This
//! is the one place that assigns finding ids, severities and messages.

use std::collections::{BTreeMap, HashMap, HashSet};

use polars::prelude::*;

use accessaudit_ingest::contract::{FILE_COLUMN, ROW_COLUMN};
use accessaudit_ingest::Snapshot;

use crate::baseline::{self, Baseline, Comparison};
use crate::catalog::Catalog;
use crate::checks::{self, Context};
use crate::definition::Rule;
use crate::display;
use crate::error::RulesError;
use crate::exceptions::{Exception, Exceptions};
use crate::figures::{self, ExplainedAccess};
use crate::finding::{finding_id, Finding, Status, TEXT_COLUMNS};
use crate::pseudonym::Pseudonymizer;
use crate::severity::{Area, Severity};

/// What happened to one rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OutcomeState {
    /// It ran and found this many findings.
    Evaluated {
        /// Number of findings.
        findings: usize,
    },
    /// Its inputs are missing; it was not run.
    NotEvaluable {
        /// Why.
        reason: String,
        /// The absent table that blocks it.
        table: String,
    },
    /// A policy disabled it.
    Disabled {
        /// The policy's reason.
        reason: String,
    },
}

/// One rule's outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleOutcome {
    /// Rule id.
    pub rule_id: String,
    /// What happened.
    pub state: OutcomeState,
}

/// The result of evaluating rules.
#[derive(Debug, Clone, Default)]
pub struct Evaluation {
    /// Findings in rule order.
    pub findings: Vec<Finding>,
    /// One outcome per rule run or skipped.
    pub outcomes: Vec<RuleOutcome>,
    /// The explained-access figures, when there is an access log and cases.
    pub explained_access: Option<ExplainedAccess>,
    /// Suppressed findings: finding id → the exception that covers it.
    pub suppressed_by: BTreeMap<String, Exception>,
    /// The comparison with the baseline, when one was given.
    pub comparison: Option<Comparison>,
    /// Time and peak memory per rule area and for the figures.
    pub stages: Vec<crate::meter::StageCost>,
}

/// Told of each rule as it starts: (rule id, rules done, rules in all).
pub type RuleProgress<'a> = dyn Fn(&str, usize, usize) + 'a;

/// What an audit brings besides the catalogue and the snapshot.
pub struct Inputs<'a> {
    /// How subjects appear in outputs.
    pub pseudonyms: &'a Pseudonymizer,
    /// Accepted risks.
    pub exceptions: Option<&'a Exceptions>,
    /// An earlier run to compare with.
    pub baseline: Option<&'a Baseline>,
    /// Told of each rule as it starts: (rule id, rules done, rules in all).
    pub progress: Option<&'a RuleProgress<'a>>,
    /// Told after each slice of the access log a rule reads.
    pub log_progress: Option<&'a crate::checks::LogProgress<'a>>,
    /// The language of finding messages: `en`, or `et` for the rule files'
    /// Estonian messages and phrases.
    pub lang: &'a str,
}

impl Evaluation {
    /// Findings per severity, most serious first.
    pub fn counts_by_severity(&self) -> Vec<(Severity, usize)> {
        Severity::ALL
            .into_iter()
            .map(|s| (s, self.findings.iter().filter(|f| f.severity == s).count()))
            .collect()
    }
}

/// Evaluates the rules of `catalog` that `include` selects, without
/// exceptions or baseline (see [`evaluate_with`]).
pub fn evaluate(
    catalog: &Catalog,
    snapshot: &Snapshot,
    pseudonyms: &Pseudonymizer,
    include: impl Fn(&Rule) -> bool,
) -> Result<Evaluation, RulesError> {
    let inputs = Inputs {
        pseudonyms,
        exceptions: None,
        baseline: None,
        progress: None,
        log_progress: None,
        lang: "en",
    };
    evaluate_with(catalog, snapshot, &inputs, include)
}

/// Evaluates the rules of `catalog` that `include` selects. Data-quality
/// rules run first: the rows they report as unusable (bad personal codes,
/// inverted or overlapping intervals, accounts and roles that name nothing)
/// are left out of every other rule. Then the accepted-risk exceptions
/// suppress what they cover, the EXC rules report the exceptions that
/// expired or matched nothing, and the findings are compared with the
/// baseline.
pub fn evaluate_with(
    catalog: &Catalog,
    snapshot: &Snapshot,
    inputs: &Inputs<'_>,
    include: impl Fn(&Rule) -> bool,
) -> Result<Evaluation, RulesError> {
    let mut ctx = Context::new(snapshot, inputs.pseudonyms);
    ctx.lang = inputs.lang.to_string();
    ctx.log_progress = inputs.log_progress;
    // Working hours are a parameter of whichever rule sets them (PD-08).
    if let Some(hours) = catalog
        .rules
        .iter()
        .filter(|r| r.disabled.is_none())
        .find_map(|r| {
            r.params
                .get("working_hours")?
                .as_str()
                .and_then(checks::parse_working_hours)
        })
    {
        ctx.working_hours = hours;
    }
    let selected: Vec<&Rule> = catalog.rules.iter().filter(|r| include(r)).collect();
    let (exc, selected): (Vec<&Rule>, Vec<&Rule>) =
        selected.into_iter().partition(|r| r.area == Area::Exc);
    let (dq, others): (Vec<&Rule>, Vec<&Rule>) =
        selected.into_iter().partition(|r| r.area == Area::Dq);
    let mut evaluation = Evaluation::default();
    let total = dq.len() + others.len() + exc.len();
    let mut done = 0usize;
    let mut run_rule = |ctx: &Context<'_>, rule: &Rule, evaluation: &mut Evaluation| {
        if let Some(tell) = inputs.progress {
            tell(&rule.id, done, total);
        }
        done += 1;
        let meter = crate::meter::Meter::start();
        let result = run_rule(ctx, rule, evaluation);
        crate::meter::merge(
            &mut evaluation.stages,
            meter.stop(format!("rules {}", rule.area.as_str())),
        );
        result
    };
    let mut excluded: HashMap<&'static str, Vec<(u32, u64)>> = HashMap::new();
    for rule in dq {
        if let Some(rows) = run_rule(&ctx, rule, &mut evaluation)? {
            for (table, file, row) in
                exclusions(&rows).map_err(|source| RulesError::Evaluation {
                    rule: rule.id.clone(),
                    source,
                })?
            {
                excluded.entry(table).or_default().push((file, row));
            }
        }
    }
    ctx.excluded = excluded
        .into_iter()
        .filter_map(|(table, rows)| {
            let (files, rows): (Vec<u32>, Vec<u64>) = rows.into_iter().unzip();
            DataFrame::new_infer_height(vec![
                Column::new(FILE_COLUMN.into(), files),
                Column::new(ROW_COLUMN.into(), rows),
            ])
            .ok()
            .map(|df| (table, df))
        })
        .collect();
    ctx.forget_frames();
    for rule in others {
        run_rule(&ctx, rule, &mut evaluation)?;
    }
    stamp_state_findings(&mut evaluation.findings, snapshot);
    if let Some(exceptions) = inputs.exceptions {
        let (suppressed, table) = apply_exceptions(&mut evaluation.findings, exceptions, snapshot)
            .map_err(|source| RulesError::Evaluation {
                rule: "exceptions".into(),
                source,
            })?;
        evaluation.suppressed_by = suppressed;
        ctx.exceptions = Some(table);
    }
    for rule in exc {
        run_rule(&ctx, rule, &mut evaluation)?;
    }
    if let Some(baseline) = inputs.baseline {
        let evaluated: HashSet<String> = evaluation
            .outcomes
            .iter()
            .filter(|o| matches!(o.state, OutcomeState::Evaluated { .. }))
            .map(|o| o.rule_id.clone())
            .collect();
        evaluation.comparison = Some(baseline::compare(
            &mut evaluation.findings,
            baseline,
            &evaluated,
        ));
    }
    if catalog
        .rules
        .iter()
        .any(|r| r.area == Area::Pd && include(r))
    {
        let meter = crate::meter::Meter::start();
        evaluation.explained_access =
            figures::explained_access(&ctx).map_err(|source| RulesError::Evaluation {
                rule: "explained-access figures".into(),
                source,
            })?;
        evaluation.stages.push(meter.stop("figures"));
    }
    // Report in catalogue order whatever order the rules ran in.
    let order: HashMap<&str, usize> = catalog
        .rules
        .iter()
        .enumerate()
        .map(|(i, r)| (r.id.as_str(), i))
        .collect();
    let rank = |id: &str| order.get(id).copied().unwrap_or(usize::MAX);
    evaluation.findings.sort_by_key(|f| rank(&f.rule_id));
    evaluation.outcomes.sort_by_key(|o| rank(&o.rule_id));
    if let Some(c) = evaluation.comparison.as_mut() {
        c.resolved.sort_by(|a, b| {
            (rank(&a.rule_id), &a.finding_id).cmp(&(rank(&b.rule_id), &b.finding_id))
        });
    }
    Ok(evaluation)
}

/// Findings about a state at `as_of` have no time of their own: they are
/// seen at this audit, which a baseline comparison then ages.
fn stamp_state_findings(findings: &mut [Finding], snapshot: &Snapshot) {
    let seen = snapshot
        .as_of
        .with_timezone(&chrono_tz::Europe::Tallinn)
        .format("%Y-%m-%dT%H:%M:%S%:z")
        .to_string();
    for f in findings.iter_mut().filter(|f| f.first_seen.is_none()) {
        f.first_seen = Some(seen.clone());
        f.last_seen = Some(seen.clone());
    }
}

/// Marks the findings an unexpired exception covers as suppressed, and
/// returns which exception covers which finding and the exceptions' table
/// for the EXC rules (with how many findings each matched, or would have).
fn apply_exceptions(
    findings: &mut [Finding],
    exceptions: &Exceptions,
    snapshot: &Snapshot,
) -> PolarsResult<(BTreeMap<String, Exception>, DataFrame)> {
    let today = snapshot.as_of_day();
    let mut suppressed = BTreeMap::new();
    let mut matched = vec![0u32; exceptions.entries.len()];
    for f in findings.iter_mut() {
        let mut covered = false;
        for (i, e) in exceptions.entries.iter().enumerate() {
            if !e.covers(f) {
                continue;
            }
            matched[i] += 1;
            if !covered && e.expires >= today {
                covered = true;
                f.status = Status::Suppressed;
                suppressed.insert(f.finding_id.clone(), e.clone());
            }
        }
    }
    let epoch = chrono::NaiveDate::default();
    let e = &exceptions.entries;
    let table = DataFrame::new_infer_height(vec![
        Column::new(
            "id".into(),
            e.iter().map(|x| x.id.clone()).collect::<Vec<_>>(),
        ),
        Column::new(
            "line".into(),
            e.iter()
                .map(|x| format!("{}:{}", exceptions.file, x.line))
                .collect::<Vec<_>>(),
        ),
        Column::new(
            "reason".into(),
            e.iter().map(|x| x.reason.clone()).collect::<Vec<_>>(),
        ),
        Column::new(
            "approved_by".into(),
            e.iter().map(|x| x.approved_by.clone()).collect::<Vec<_>>(),
        ),
        Column::new(
            "expires".into(),
            e.iter()
                .map(|x| x.expires.signed_duration_since(epoch).num_days() as i32)
                .collect::<Vec<_>>(),
        )
        .cast(&DataType::Date)?,
        Column::new(
            "expired".into(),
            e.iter().map(|x| x.expires < today).collect::<Vec<_>>(),
        ),
        Column::new("matched".into(), matched),
    ])?;
    Ok((suppressed, table))
}

/// Runs one rule, adding its findings and outcome; returns its raw rows.
fn run_rule(
    ctx: &Context<'_>,
    rule: &Rule,
    evaluation: &mut Evaluation,
) -> Result<Option<DataFrame>, RulesError> {
    let outcome = |state| RuleOutcome {
        rule_id: rule.id.clone(),
        state,
    };
    if let Some(reason) = &rule.disabled {
        evaluation.outcomes.push(outcome(OutcomeState::Disabled {
            reason: reason.clone(),
        }));
        return Ok(None);
    }
    let kind = rule.kind;
    if let Some(missing) = (kind.needs)(rule)
        .iter()
        .find(|t| ctx.snapshot.table(t).is_none())
    {
        evaluation
            .outcomes
            .push(outcome(OutcomeState::NotEvaluable {
                reason: format!("the optional table {missing} is absent"),
                table: (*missing).to_string(),
            }));
        return Ok(None);
    }
    let _span = tracing::info_span!("rule", id = %rule.id).entered();
    let started = std::time::Instant::now();
    let wrap = |source| RulesError::Evaluation {
        rule: rule.id.clone(),
        source,
    };
    let rows = (kind.evaluate)(ctx, rule)
        .and_then(|lf| lf.collect())
        .map_err(wrap)?;
    let findings = to_findings(rule, ctx, &rows).map_err(wrap)?;
    tracing::info!(findings = findings.len(), elapsed = ?started.elapsed(), "evaluated");
    evaluation.outcomes.push(outcome(OutcomeState::Evaluated {
        findings: findings.len(),
    }));
    evaluation.findings.extend(findings);
    Ok(Some(rows))
}

/// The input rows a data-quality rule's output marks as unusable.
fn exclusions(rows: &DataFrame) -> PolarsResult<Vec<(&'static str, u32, u64)>> {
    if rows.column("excludes").is_err() {
        return Ok(Vec::new());
    }
    let flags = rows.column("excludes")?.bool()?.clone();
    let tables = rows.column("ref_table")?.str()?.clone();
    let files = rows.column("ref_file")?.u32()?.clone();
    let numbers = rows.column("ref_row")?.u64()?.clone();
    let mut out = Vec::new();
    for i in 0..rows.height() {
        if flags.get(i) != Some(true) {
            continue;
        }
        let table = tables
            .get(i)
            .and_then(accessaudit_ingest::contract::table)
            .map(|t| t.name);
        if let (Some(t), Some(f), Some(r)) = (table, files.get(i), numbers.get(i)) {
            out.push((t, f, r));
        }
    }
    Ok(out)
}

/// Turns a check's output rows into findings of `rule`.
fn to_findings(rule: &Rule, ctx: &Context<'_>, rows: &DataFrame) -> PolarsResult<Vec<Finding>> {
    let (snapshot, pseudonyms) = (ctx.snapshot, ctx.pseudonyms);
    let texts = rule.texts(&ctx.lang);
    let mut out = Vec::with_capacity(rows.height());
    let names: Vec<String> = rows
        .get_column_names()
        .iter()
        .map(|n| n.to_string())
        .collect();
    for i in 0..rows.height() {
        let mut values: HashMap<&str, Option<String>> = HashMap::with_capacity(names.len() + 2);
        for name in &names {
            let v = rows.column(name)?.get(i)?;
            let text = if name == "first_seen" || name == "last_seen" {
                display::iso_local(&v)
            } else {
                display::text(&v)
            };
            values.insert(name.as_str(), text);
        }
        // Data subjects appear only as pseudonyms: in the column, in the
        // message, and in the hash behind the finding id, which hashes the
        // pseudonym even when codes are shown, so that ids (and a baseline
        // comparison) do not depend on --reveal-subjects.
        let mut pseudonym = None;
        if let Some(Some(code)) = values.get("subject") {
            pseudonym = Some(pseudonyms.pseudonym(code));
            let label = pseudonyms.label(code);
            values.insert("subject", Some(label));
        }
        // A row of an input table becomes its `table:row` reference.
        if let (Some(Some(table)), Some(Some(file)), Some(Some(row))) = (
            values.get("ref_table"),
            values.get("ref_file"),
            values.get("ref_row"),
        ) {
            let reference = match (snapshot.table(table), file.parse(), row.parse()) {
                (Some(t), Ok(f), Ok(r)) => t.row_ref(f, r),
                _ => format!("{table}:{row}"),
            };
            values.insert("ref", Some(reference.clone()));
            values.entry("evidence").or_insert(Some(reference));
        }
        let grain: Vec<Option<&str>> = rule
            .grain
            .iter()
            .map(|g| match (g.as_str(), &pseudonym) {
                ("subject", Some(p)) => Some(p.as_str()),
                _ => values.get(g.as_str()).and_then(|v| v.as_deref()),
            })
            .collect();
        // A check writes a severity only from a severity parameter, which
        // the loader has checked; a word that is not one is an error, never
        // the rule's default in disguise.
        let severity = match values.get("severity").and_then(|v| v.as_deref()) {
            None => rule.severity,
            Some(word) => Severity::parse(word)
                .ok_or_else(|| polars_err!(ComputeError: "severity {word:?} is not a severity"))?,
        };
        let mut finding = Finding {
            finding_id: finding_id(&rule.id, &grain),
            rule_id: rule.id.clone(),
            severity,
            area: rule.area,
            status: Status::New,
            system: None,
            account_id: None,
            person_id: None,
            person_name: None,
            unit: None,
            role: None,
            subject: None,
            case_id: None,
            reference: None,
            first_seen: None,
            last_seen: None,
            events: values
                .get("events")
                .and_then(|v| v.as_deref())
                .and_then(|v| v.parse().ok()),
            days_late: values
                .get("days_late")
                .and_then(|v| v.as_deref())
                .and_then(|v| v.parse().ok()),
            message: texts.render_message(|name| values.get(name).cloned().flatten()),
            evidence: String::new(),
        };
        for column in TEXT_COLUMNS {
            if let Some(v) = values.get(column) {
                finding.set_text(column, v.clone());
            }
        }
        out.push(finding);
    }
    Ok(out)
}
