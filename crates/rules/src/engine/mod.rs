//! Runs rules over a snapshot in named phases (see [`evaluate_with`]); the
//! rows each check returns become findings in `rows.rs`.

use std::collections::{BTreeMap, HashMap};

use polars::prelude::*;

use accessaudit_ingest::contract::{FILE_COLUMN, ROW_COLUMN};
use accessaudit_ingest::Snapshot;

use crate::catalog::Catalog;
use crate::checks::{self, Context};
use crate::definition::Rule;
use crate::error::RulesError;
use crate::exceptions::{Exception, Exceptions};
use crate::finding::Finding;
use crate::pseudonym::Pseudonymizer;
use crate::severity::{Area, Severity};

mod rows;

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
    /// Its query (check kind `sql`) failed on this snapshot; the other
    /// rules ran.
    Failed {
        /// Polars' message.
        error: String,
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
    /// Suppressed findings: finding id → the exception that covers it.
    pub suppressed_by: BTreeMap<String, Exception>,
    /// Accepted findings: finding id → the manager's `keep` decision.
    pub accepted_by: BTreeMap<String, crate::decisions::Acceptance>,
    /// Explained findings: finding id → the DPO's `justified` disposition.
    pub explained_by: BTreeMap<String, crate::decisions::Acceptance>,
    /// Per table, the rows (`__file`, `__row`) the data-quality rules left
    /// out of the other rules; [`crate::derived::Derived::of`] leaves them
    /// out too.
    pub excluded: HashMap<&'static str, DataFrame>,
    /// Every account × day with personal-data access events, when PD rules
    /// ran over an access log and a cases table: `system`, `account_id`,
    /// `day`, `owner`, `unit`, `subjects`, `all_events`,
    /// `unexplained_events`, `all_first`, `all_last`, `evidence`. The
    /// explained-access figures are built from it.
    pub pd_account_days: Option<DataFrame>,
}

/// What the engine tells an observer (see [`Inputs::observer`]) about one
/// rule: enough to show progress and to meter each rule area, which the
/// binaries do; the engine itself measures nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleEvent<'r> {
    /// The rule starts.
    Started {
        /// Rule id.
        rule: &'r str,
        /// Its area.
        area: Area,
        /// Rules started before it.
        done: usize,
        /// Rules in all.
        total: usize,
    },
    /// The rule has ended: run, skipped, or failed.
    Finished {
        /// Rule id.
        rule: &'r str,
        /// Its area.
        area: Area,
    },
}

/// Told as each rule starts and ends.
pub type RuleObserver<'a> = dyn Fn(RuleEvent<'_>) + 'a;

/// What an audit brings besides the catalogue and the snapshot.
pub struct Inputs<'a> {
    /// How subjects appear in outputs.
    pub pseudonyms: &'a Pseudonymizer,
    /// Accepted risks.
    pub exceptions: Option<&'a Exceptions>,
    /// Told as each rule starts and ends.
    pub observer: Option<&'a RuleObserver<'a>>,
    /// Told after each slice of the access log a rule reads.
    pub log_progress: Option<&'a crate::checks::LogProgress<'a>>,
    /// The language of finding messages: `en`, or `et` for the rule files'
    /// Estonian messages and phrases.
    pub lang: &'a str,
    /// The review history's state (`--history`): the REV rules need it,
    /// and its `keep` decisions make findings `accepted`.
    pub review: Option<&'a crate::decisions::ReviewState>,
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
/// exceptions (see [`evaluate_with`]).
pub fn evaluate(
    catalog: &Catalog,
    snapshot: &Snapshot,
    pseudonyms: &Pseudonymizer,
    include: impl Fn(&Rule) -> bool,
) -> Result<Evaluation, RulesError> {
    let inputs = Inputs {
        pseudonyms,
        exceptions: None,
        observer: None,
        log_progress: None,
        lang: "en",
        review: None,
    };
    evaluate_with(catalog, snapshot, &inputs, include)
}

/// Evaluates the rules of `catalog` that `include` selects, in named
/// phases: the data-quality rules and the rows they leave out of the rest
/// ([`data_quality`]), the other rules, the accepted-risk exceptions
/// ([`crate::exceptions::apply`]), the EXC rules that report exceptions
/// expired or unused, and keeping the PD account-days and the rows left out
/// for the review that follows (`accessaudit-review`: the baseline
/// comparison, the figures, the worksheets). Findings and outcomes come in
/// catalogue order.
pub fn evaluate_with(
    catalog: &Catalog,
    snapshot: &Snapshot,
    inputs: &Inputs<'_>,
    include: impl Fn(&Rule) -> bool,
) -> Result<Evaluation, RulesError> {
    let mut ctx = Context::new(snapshot, inputs.pseudonyms);
    ctx.lang = inputs.lang.to_string();
    ctx.log_progress = inputs.log_progress;
    ctx.review = inputs.review;
    if let Some(hours) = working_hours(catalog) {
        ctx.working_hours = hours;
    }
    let selected: Vec<&Rule> = catalog.rules.iter().filter(|r| include(r)).collect();
    let (exc, selected): (Vec<&Rule>, Vec<&Rule>) =
        selected.into_iter().partition(|r| r.area == Area::Exc);
    let (dq, others): (Vec<&Rule>, Vec<&Rule>) =
        selected.into_iter().partition(|r| r.area == Area::Dq);
    let mut runner = Runner {
        evaluation: Evaluation::default(),
        observer: inputs.observer,
        done: 0,
        total: dq.len() + others.len() + exc.len(),
    };
    // Phase 1: data quality, and the rows it leaves out of the rest.
    ctx.excluded = data_quality(&mut runner, &ctx, &dq)?;
    ctx.forget_frames();
    // Phase 2: the other rules.
    for rule in others {
        runner.run(&ctx, rule)?;
    }
    let mut evaluation = runner.evaluation;
    stamp_state_findings(&mut evaluation.findings, snapshot);
    // Phase 3: accepted risks suppress what they cover...
    if let Some(exceptions) = inputs.exceptions {
        let (suppressed, table) =
            crate::exceptions::apply(&mut evaluation.findings, exceptions, snapshot.as_of_day())
                .map_err(|source| RulesError::Stage {
                    stage: "applying the exceptions",
                    source,
                })?;
        evaluation.suppressed_by = suppressed;
        ctx.exceptions = Some(table);
    }
    // ...and phase 4, the EXC rules, report those expired or unused.
    let mut runner = Runner {
        evaluation,
        ..runner
    };
    for rule in exc {
        runner.run(&ctx, rule)?;
    }
    let mut evaluation = runner.evaluation;
    // Phase 5: the managers' `keep` decisions accept what they cover.
    if let Some(state) = inputs.review {
        let applied = crate::decisions::apply(&mut evaluation.findings, state);
        evaluation.accepted_by = applied.accepted;
        evaluation.explained_by = applied.explained;
    }
    // Phase 6: what the review builds on: the PD account-days, when PD rules
    // ran over an access log and cases, and the rows DQ left out.
    let pd_selected = catalog
        .rules
        .iter()
        .any(|r| r.area == Area::Pd && include(r));
    if pd_selected && snapshot.table("access_log").is_some() && snapshot.table("cases").is_some() {
        evaluation.pd_account_days =
            Some(ctx.pd_account_days().map_err(|source| RulesError::Stage {
                stage: "the PD account-days",
                source,
            })?);
    }
    evaluation.excluded = std::mem::take(&mut ctx.excluded);
    in_catalogue_order(&mut evaluation, catalog);
    Ok(evaluation)
}

/// Working hours are a parameter of whichever enabled rule sets them (PD-08).
fn working_hours(catalog: &Catalog) -> Option<(u32, u32)> {
    catalog
        .rules
        .iter()
        .filter(|r| r.disabled.is_none())
        .find_map(|r| {
            r.params
                .get("working_hours")?
                .as_str()
                .and_then(checks::parse_working_hours)
        })
}

/// Runs rules one by one, telling the observer as each starts and ends.
struct Runner<'a> {
    evaluation: Evaluation,
    observer: Option<&'a RuleObserver<'a>>,
    done: usize,
    total: usize,
}

impl Runner<'_> {
    /// Runs `rule`, adding its findings and outcome; returns its raw rows.
    fn run(&mut self, ctx: &Context<'_>, rule: &Rule) -> Result<Option<DataFrame>, RulesError> {
        let (id, area) = (rule.id.as_str(), rule.area);
        if let Some(tell) = self.observer {
            tell(RuleEvent::Started {
                rule: id,
                area,
                done: self.done,
                total: self.total,
            });
        }
        self.done += 1;
        let result = run_rule(ctx, rule, &mut self.evaluation);
        if let Some(tell) = self.observer {
            tell(RuleEvent::Finished { rule: id, area });
        }
        result
    }
}

/// Runs the data-quality rules and returns, per table, the rows they leave
/// out of the other rules (`__file`, `__row`): only rows that cannot be
/// read meaningfully (see `rule-readings.md`, "Rows left out").
fn data_quality(
    runner: &mut Runner<'_>,
    ctx: &Context<'_>,
    dq: &[&Rule],
) -> Result<HashMap<&'static str, DataFrame>, RulesError> {
    let mut excluded: HashMap<&'static str, Vec<(u32, u64)>> = HashMap::new();
    for rule in dq {
        if let Some(rows) = runner.run(ctx, rule)? {
            for (table, file, row) in
                rows::exclusions(&rows).map_err(|source| RulesError::Evaluation {
                    rule: rule.id.clone(),
                    source,
                })?
            {
                excluded.entry(table).or_default().push((file, row));
            }
        }
    }
    Ok(excluded
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
        .collect())
}

/// Report in catalogue order whatever order the rules ran in.
fn in_catalogue_order(evaluation: &mut Evaluation, catalog: &Catalog) {
    let rank = catalog.rank();
    evaluation.findings.sort_by_key(|f| rank(&f.rule_id));
    evaluation.outcomes.sort_by_key(|o| rank(&o.rule_id));
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
    // The review history counts as absent without --history, and also when
    // it holds no review before this audit's: nothing could be checked.
    let history_missing = match ctx.review {
        None => Some(checks::DECISION_LEDGER),
        Some(r) if r.previous.is_none() && r.violations.is_empty() => {
            Some(checks::NO_EARLIER_REVIEW)
        }
        Some(_) => None,
    };
    let blocked = (kind.needs)(rule).iter().find_map(|t| {
        if *t == checks::DECISION_LEDGER {
            history_missing
        } else {
            ctx.snapshot.table(t).is_none().then_some(*t)
        }
    });
    if let Some((table, reason)) = rule.sql.as_ref().and_then(|q| q.missing(ctx.snapshot)) {
        evaluation
            .outcomes
            .push(outcome(OutcomeState::NotEvaluable { reason, table }));
        return Ok(None);
    }
    if let Some(missing) = blocked {
        let reason = if missing == checks::DECISION_LEDGER {
            "it needs the review history and its decision ledger (audit --history DIR)".to_string()
        } else if missing == checks::NO_EARLIER_REVIEW {
            "the review history holds no review before this audit's".to_string()
        } else {
            format!("the optional table {missing} is absent")
        };
        evaluation
            .outcomes
            .push(outcome(OutcomeState::NotEvaluable {
                reason,
                table: missing.to_string(),
            }));
        return Ok(None);
    }
    let _span = tracing::info_span!("rule", id = %rule.id).entered();
    let started = std::time::Instant::now();
    let wrap = |source| RulesError::Evaluation {
        rule: rule.id.clone(),
        source,
    };
    let result = (kind.evaluate)(ctx, rule)
        .and_then(|lf| lf.collect())
        .and_then(|rows| Ok((rows::to_findings(rule, ctx, &rows)?, rows)));
    let (findings, rows) = match result {
        Ok(done) => done,
        // A query written in a rule file may fail on data its author did
        // not foresee: that rule's error, and the other rules still run.
        Err(source) if rule.sql.is_some() => {
            let error = source.to_string();
            let error = error.lines().next().unwrap_or_default().to_string();
            tracing::warn!(rule = %rule.id, %error, "the rule's query failed");
            evaluation
                .outcomes
                .push(outcome(OutcomeState::Failed { error }));
            return Ok(None);
        }
        Err(source) => return Err(wrap(source)),
    };
    tracing::info!(findings = findings.len(), elapsed = ?started.elapsed(), "evaluated");
    evaluation.outcomes.push(outcome(OutcomeState::Evaluated {
        findings: findings.len(),
    }));
    evaluation.findings.extend(findings);
    Ok(Some(rows))
}
