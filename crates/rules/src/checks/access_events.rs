//! `access_events`: looks at personal-data access events at the grain
//! account × subject × day and reports the groups where a condition holds.
//! The conditions are the PD rules' questions; which one a rule asks is its
//! `condition` parameter.

use polars::prelude::*;

use super::{CheckKind, Context, ParamKind, ParamSpec};
use crate::definition::Rule;

/// The conditions a rule can ask about, with the events each counts.
const CONDITIONS: &[&str] = &[
    "unexplained",
    "without_role",
    "after_termination",
    "own_absence",
    "self_lookup",
    "colleague_unexplained",
    "watchlist",
    "after_hours",
    "export_unexplained",
    "relative_unexplained",
    "out_of_area_unexplained",
];

/// The check kind.
pub const KIND: CheckKind = CheckKind {
    name: "access_events",
    summary: "access-log events in the period, per account, subject and day, for which the rule's condition holds",
    params: &[
        ParamSpec {
            name: "condition",
            kind: ParamKind::Choice(CONDITIONS),
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
    // An unreadable condition fails the evaluation itself; the access log
    // is what every condition needs.
    match rule.text("condition").as_deref().unwrap_or_default() {
        "unexplained" | "colleague_unexplained" | "export_unexplained" => &["access_log", "cases"],
        "relative_unexplained" => &["access_log", "cases", "relations"],
        "out_of_area_unexplained" => &["access_log", "cases", "subjects"],
        "watchlist" => &["access_log", "watchlist"],
        _ => &["access_log"],
    }
}

/// (events counted, filter on the group) for a condition.
fn condition(name: &str) -> (&'static str, Expr) {
    let any = |flag: &str| col(format!("{flag}_events")).gt(lit(0));
    match name {
        "unexplained" => ("unexplained", any("unexplained")),
        "without_role" => ("without_role", any("without_role")),
        "after_termination" => ("all", col("ended")),
        "own_absence" => ("all", col("absent")),
        "self_lookup" => ("all", col("self_lookup")),
        "colleague_unexplained" => ("unexplained", col("colleague").and(any("unexplained"))),
        "watchlist" => ("all", col("watch_category").is_not_null()),
        "after_hours" => ("after_hours", any("after_hours")),
        "export_unexplained" => ("export_unexplained", any("export_unexplained")),
        "relative_unexplained" => ("unexplained", col("relative").and(any("unexplained"))),
        "out_of_area_unexplained" => ("unexplained", col("out_of_area").and(any("unexplained"))),
        _ => ("all", lit(false)),
    }
}

fn clock(ts: Expr) -> Expr {
    super::facts::format("{}", vec![ts])
        .str()
        .slice(lit(11), lit(5))
}

fn evaluate(ctx: &Context<'_>, rule: &Rule) -> PolarsResult<LazyFrame> {
    let (flag, filter) = condition(&rule.text("condition")?);
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
