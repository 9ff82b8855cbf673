//! `late_fulfilment`: an approved grant or account request carried out after
//! its deadline, or not at all although the deadline has passed.

use polars::lazy::dsl;
use polars::prelude::*;

use accessaudit_ingest::contract::timestamp_dtype;

use super::facts::{
    self, end_of_day, instant, local_day, nth_working_day_after, working_days_late,
};
use super::{CheckKind, Context, ParamKind, ParamSpec};
use crate::definition::Rule;

/// The check kind.
pub(super) const KIND: CheckKind = CheckKind {
    name: "late_fulfilment",
    summary: "approved grant and create_account requests executed after the fulfilment_working_days-th working day after approval, or not yet",
    params: &[ParamSpec {
        name: "fulfilment_working_days",
        kind: ParamKind::WORKING_DAYS,
        optional: false,
    }],
    needs: |_| &[],
    outputs: &[
        "system", "person_id", "person_name", "unit", "role", "ref", "action", "approved",
        "deadline_day", "days_late", "outcome", "first_seen", "last_seen", "evidence",
    ],
    evaluate,
};

fn evaluate(ctx: &Context<'_>, rule: &Rule) -> PolarsResult<LazyFrame> {
    let as_of = instant(ctx.snapshot.as_of);
    let period_start = instant(ctx.snapshot.period.start_instant());
    let cal = &ctx.snapshot.calendar;
    let n = rule.working_days("fulfilment_working_days")?;
    let requests = ctx
        .frame("access_requests")
        .with_column(facts::row_ref(ctx.snapshot.table("access_requests")).alias("request_ref"))
        .filter(
            col("decision")
                .eq(lit("approved"))
                .and(col("approved_at").is_not_null())
                .and(col("approved_at").lt_eq(as_of.clone()))
                .and(
                    col("action")
                        .eq(lit("grant"))
                        .or(col("action").eq(lit("create_account"))),
                ),
        );
    // Grants: the first assignment made on the request.
    let granted = ctx
        .frame("role_assignments")
        .filter(col("basis_ref").is_not_null())
        .group_by([col("basis_ref")])
        .agg([col("valid_from").min().alias("granted_at")])
        .select([col("basis_ref").alias("request_id"), col("granted_at")]);
    // Accounts: the first account of that person in that system made after approval.
    let created = requests
        .clone()
        .filter(col("action").eq(lit("create_account")))
        .select([
            col("request_id"),
            col("person_id"),
            col("system"),
            col("approved_at"),
        ])
        .join(
            ctx.frame("accounts")
                .select([col("person_id"), col("system"), col("created_at")]),
            [col("person_id"), col("system")],
            [col("person_id"), col("system")],
            JoinArgs::new(JoinType::Inner),
        )
        .filter(col("created_at").gt_eq(col("approved_at")))
        .group_by([col("request_id")])
        .agg([col("created_at").min().alias("created_at")]);
    let left = || JoinArgs::new(JoinType::Left);
    let rows = requests
        .join(granted, [col("request_id")], [col("request_id")], left())
        .join(created, [col("request_id")], [col("request_id")], left())
        .with_column(
            when(col("action").eq(lit("grant")))
                .then(col("granted_at"))
                .otherwise(col("created_at"))
                .alias("done_at"),
        )
        // What happens after as_of is not known yet.
        .with_column(
            when(col("done_at").gt(as_of.clone()))
                .then(lit(NULL).cast(timestamp_dtype()))
                .otherwise(col("done_at"))
                .alias("done_at"),
        )
        .with_column(
            nth_working_day_after(local_day(col("approved_at")), n, cal).alias("deadline_day"),
        )
        .with_column(end_of_day(col("deadline_day")).alias("deadline_at"))
        .with_column(dsl::min_horizontal([col("done_at"), as_of.clone()])?.alias("late_end"))
        .filter(
            col("late_end")
                .gt(col("deadline_at"))
                .and(col("late_end").gt(period_start)),
        )
        .with_column(
            when(col("done_at").is_null())
                .then(local_day(as_of))
                .otherwise(local_day(col("done_at")))
                .alias("late_until"),
        )
        .with_column(
            working_days_late(col("deadline_day"), col("late_until"), cal).alias("days_late"),
        );
    Ok(facts::with_people(ctx, rows)
        .sort(["request_id"], SortMultipleOptions::default())
        .select([
            col("system"),
            col("person_id"),
            col("person_name"),
            col("unit"),
            col("role"),
            col("request_id").alias("ref"),
            col("action"),
            local_day(col("approved_at")).alias("approved"),
            col("deadline_day"),
            col("days_late"),
            when(col("done_at").is_null())
                .then(lit("has not been carried out by as_of"))
                .otherwise(facts::format(
                    "was carried out only on {}",
                    vec![col("done_at")],
                ))
                .alias("outcome"),
            col("deadline_at").alias("first_seen"),
            col("late_end").alias("last_seen"),
            col("request_ref").alias("evidence"),
        ]))
}
