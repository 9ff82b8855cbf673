//! `late_termination`: a personal account that stays open and unsuspended
//! after its owner's employment ended.

use polars::prelude::*;

use super::facts::{self, covers, end_of_day};
use super::{CheckKind, Context, ParamKind, ParamSpec};
use crate::definition::Rule;

/// The check kind.
pub(super) const KIND: CheckKind = CheckKind {
    name: "late_termination",
    summary: "personal accounts still open and unsuspended after the end of the owner's employment plus termination_grace_working_days",
    params: &[
        ParamSpec {
            name: "termination_grace_working_days",
            kind: ParamKind::WORKING_DAYS,
            optional: false,
        },
        ParamSpec {
            name: "escalated_severity",
            kind: ParamKind::Severity,
            optional: false,
        },
    ],
    needs: |_| &[],
    outputs: &[
        "system", "account_id", "person_id", "person_name", "unit", "days_late", "end_day",
        "roles_note", "state_note", "use_note", "first_seen", "last_seen", "evidence", "severity",
    ],
    evaluate,
};

fn evaluate(ctx: &Context<'_>, rule: &Rule) -> PolarsResult<LazyFrame> {
    let ended = facts::ended_employment(ctx);
    let accounts = ctx
        .frame("accounts")
        .with_column(facts::row_ref(ctx.snapshot.table("accounts")).alias("account_ref"))
        .filter(col("kind").eq(lit("personal")))
        .join(
            ended,
            [col("person_id")],
            [col("person_id")],
            JoinArgs::new(JoinType::Inner),
        )
        .with_columns([
            col("created_at").alias("eff_start"),
            polars::lazy::dsl::min_horizontal([col("closed_at"), col("suspended_from")])?
                .alias("eff_end"),
        ]);
    let grace = rule.working_days("termination_grace_working_days")?;
    let late = facts::late_rights(ctx, accounts, col("end_day"), grace, None)
        .with_column(end_of_day(col("end_day")).alias("ended_at"));
    let keys = || [col("system"), col("account_id")];
    // The roles the account still carried when it should have been gone.
    let roles = late
        .clone()
        .select([col("system"), col("account_id"), col("deadline_at")])
        .join(
            facts::rights(ctx).select([
                col("system"),
                col("account_id"),
                col("role"),
                col("valid_from"),
                col("valid_to"),
            ]),
            keys(),
            keys(),
            JoinArgs::new(JoinType::Inner),
        )
        .filter(covers("valid_from", "valid_to", col("deadline_at")))
        .group_by(keys())
        .agg([col("role")
            .unique()
            .sort(SortOptions::default())
            .str()
            .join(", ", true)
            .alias("roles")]);
    // Use after the end: logins, and access-log events when there is a log
    // (filtered to the late accounts as it is read).
    let late_ids = late
        .clone()
        .select([col("account_id")])
        .unique(None, UniqueKeepStrategy::Any)
        .collect()?;
    let late_ids = late_ids
        .column("account_id")?
        .as_materialized_series()
        .clone();
    let events = late
        .clone()
        .select([col("system"), col("account_id"), col("ended_at")])
        .join(
            ctx.frame("access_log")
                .filter(col("account_id").is_in(lit(late_ids).implode(false), false))
                .select([col("system"), col("account_id"), col("ts")]),
            keys(),
            keys(),
            JoinArgs::new(JoinType::Inner),
        )
        .filter(col("ts").gt_eq(col("ended_at")))
        .group_by(keys())
        .agg([len().alias("uses"), col("ts").max().alias("last_use")]);
    // Read now, on the streaming engine: the scan of a large log is the
    // whole cost of this rule.
    let events = super::collect_streaming(events)?.lazy();
    let left = || JoinArgs::new(JoinType::Left);
    let rows = late
        .join(roles, keys(), keys(), left())
        .join(events, keys(), keys(), left())
        .with_column(
            col("open_at_as_of")
                .or(col("uses").is_not_null())
                .or(col("last_login_at").gt_eq(col("ended_at")))
                .alias("escalate"),
        );
    Ok(facts::with_people(ctx, rows)
        .sort(["system", "account_id"], SortMultipleOptions::default())
        .select([
            col("system"),
            col("account_id"),
            col("person_id"),
            col("person_name"),
            col("unit"),
            col("days_late"),
            col("end_day"),
            facts::format(", still holding {}", vec![col("roles")])
                .fill_null(lit(""))
                .alias("roles_note"),
            when(col("open_at_as_of"))
                .then(lit("; it is still open at as_of"))
                .otherwise(facts::format(
                    "; it was closed or suspended on {}",
                    vec![col("late_until")],
                ))
                .alias("state_note"),
            facts::join_texts(
                vec![
                    facts::format(
                        "; it was used {} time(s) after the end, last on {}",
                        vec![col("uses"), col("last_use")],
                    ),
                    when(
                        col("uses")
                            .is_null()
                            .and(col("last_login_at").gt_eq(col("ended_at"))),
                    )
                    .then(facts::format(
                        "; its last login was on {}",
                        vec![col("last_login_at")],
                    ))
                    .otherwise(lit(NULL).cast(DataType::String)),
                ],
                "",
            )
            .fill_null(lit(""))
            .alias("use_note"),
            col("deadline_at").alias("first_seen"),
            col("late_end").alias("last_seen"),
            col("account_ref").alias("evidence"),
            when(col("escalate"))
                .then(lit(rule.severity_param("escalated_severity")?.as_str()))
                .otherwise(lit(rule.severity.as_str()))
                .alias("severity"),
        ]))
}
