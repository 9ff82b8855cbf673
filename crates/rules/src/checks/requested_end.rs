//! `requested_end`: a time-limited grant still effective after the end day
//! its request asked for.

use polars::prelude::*;

use super::facts;
use super::{CheckKind, Context};
use crate::definition::Rule;

/// The check kind.
pub(super) const KIND: CheckKind = CheckKind {
    name: "requested_end",
    summary: "assignments still effective after the valid_until day of the request behind them",
    params: &[],
    needs: |_| &[],
    outputs: &[
        "system",
        "account_id",
        "person_id",
        "person_name",
        "unit",
        "role",
        "ref",
        "request_id",
        "valid_until",
        "days_late",
        "state_note",
        "first_seen",
        "last_seen",
        "evidence",
    ],
    evaluate,
};

fn evaluate(ctx: &Context<'_>, _rule: &Rule) -> PolarsResult<LazyFrame> {
    let requests = ctx
        .frame("access_requests")
        .filter(col("valid_until").is_not_null())
        .with_column(facts::row_ref(ctx.snapshot.table("access_requests")).alias("request_ref"))
        .select([
            col("request_id").alias("basis_ref"),
            col("valid_until"),
            col("request_ref"),
        ]);
    let rows = facts::rights(ctx)
        .filter(col("basis").eq(lit("request")))
        .join(
            requests,
            [col("basis_ref")],
            [col("basis_ref")],
            JoinArgs::new(JoinType::Inner),
        );
    let late = facts::late_rights(ctx, rows, col("valid_until"), 0, None);
    Ok(facts::with_people(ctx, late)
        .sort(["assignment_id"], SortMultipleOptions::default())
        .select([
            col("system"),
            col("account_id"),
            col("person_id"),
            col("person_name"),
            col("unit"),
            col("role"),
            col("assignment_id").alias("ref"),
            col("basis_ref").alias("request_id"),
            col("valid_until"),
            col("days_late"),
            when(col("open_at_as_of"))
                .then(lit("and is still effective at as_of"))
                .otherwise(facts::format("until {}", vec![col("late_until")]))
                .alias("state_note"),
            col("deadline_at").alias("first_seen"),
            col("late_end").alias("last_seen"),
            facts::join_texts(vec![col("assignment_ref"), col("request_ref")], " ")
                .alias("evidence"),
        ]))
}
