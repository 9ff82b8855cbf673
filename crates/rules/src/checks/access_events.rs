//! `access_events`: looks at personal-data access events at the grain
//! account × subject × day and reports the groups where a condition holds.
//! The conditions are the PD rules' questions; which one a rule asks is its
//! `condition` parameter.

use polars::prelude::*;

use super::pd::Condition;
use super::{CheckKind, Context, ParamKind, ParamSpec};
use crate::definition::Rule;

/// The check kind.
pub(super) const KIND: CheckKind = CheckKind {
    name: "access_events",
    summary: "access-log events in the period, per account, subject and day, for which the rule's condition holds",
    params: &[
        ParamSpec {
            name: "condition",
            kind: ParamKind::Choice(&Condition::NAMES),
            optional: false,
        },
        ParamSpec {
            name: "unexplained_severity",
            kind: ParamKind::Severity,
            optional: true,
        },
        ParamSpec {
            name: "working_hours",
            kind: ParamKind::Hours,
            optional: true,
        },
    ],
    needs,
    outputs: &[
        "system", "account_id", "person_id", "person_name", "unit", "subject", "day",
        "first_seen", "last_seen", "from_time", "to_time", "events", "unexplained_note",
        "case_used", "watch_category", "relation", "municipality", "organisation", "end_day",
        "evidence", "severity",
    ],
    evaluate,
};

fn needs(rule: &Rule) -> &'static [&'static str] {
    // The loader accepts only known conditions; a rule built around it
    // fails in `evaluate` with the parameter named.
    match condition(rule) {
        Ok(c) => c.needs(),
        Err(_) => &["access_log"],
    }
}

/// The rule's `condition` parameter.
fn condition(rule: &Rule) -> PolarsResult<Condition> {
    let name = rule.text("condition")?;
    Condition::parse(&name).ok_or_else(|| {
        polars_err!(ComputeError: "rule {}: unknown condition {name:?} (known: {})",
            rule.id, Condition::NAMES.join(", "))
    })
}

fn clock(ts: Expr) -> Expr {
    super::facts::format("{}", vec![ts])
        .str()
        .slice(lit(11), lit(5))
}

fn evaluate(ctx: &Context<'_>, rule: &Rule) -> PolarsResult<LazyFrame> {
    let condition = condition(rule)?;
    let (flag, filter) = (condition.counted(), condition.filter());
    let severity = match rule.optional_severity_param("unexplained_severity")? {
        None => lit(rule.severity.as_str()),
        Some(severe) => when(col("has_cases").and(col("unexplained_events").gt(lit(0))))
            .then(lit(severe.as_str()))
            .otherwise(lit(rule.severity.as_str())),
    };
    let groups = ctx.pd_groups()?.lazy().filter(filter);
    let rows = super::facts::with_people(ctx, groups.with_column(col("owner").alias("person_id")))
        // The unit of the day of the access, when HR has it.
        .with_column(coalesce(&[col("unit"), col("unit_right")]).alias("unit"));
    Ok(rows
        .sort(
            ["system", "account_id", "day", "subject_id"],
            SortMultipleOptions::default(),
        )
        .select([
            col("system"),
            col("account_id"),
            col("person_id"),
            col("person_name"),
            col("unit"),
            col("subject_id").alias("subject"),
            col("day"),
            col(format!("{flag}_first")).alias("first_seen"),
            col(format!("{flag}_last")).alias("last_seen"),
            clock(col(format!("{flag}_first"))).alias("from_time"),
            clock(col(format!("{flag}_last"))).alias("to_time"),
            col(format!("{flag}_events"))
                .cast(DataType::UInt64)
                .alias("events"),
            when(col("has_cases").and(col("unexplained_events").gt(lit(0))))
                .then(super::facts::format(
                    ", {} of them with no case that explains them",
                    vec![col("unexplained_events")],
                ))
                .otherwise(lit(""))
                .alias("unexplained_note"),
            lit(NULL).cast(DataType::String).alias("case_used"),
            col("watch_category"),
            col("relation"),
            col("municipality"),
            col("organisation"),
            col("end_day"),
            col("evidence"),
            severity.alias("severity"),
        ]))
}
