//! `self_approval`: a request approved by the person it concerns or by its own
//! requester, and an assignment granted by its own holder.

use polars::prelude::*;

use super::facts::{self, covers, instant};
use super::{CheckKind, Context};
use crate::definition::Rule;

/// The check kind.
pub(super) const KIND: CheckKind = CheckKind {
    name: "self_approval",
    summary: "requests approved by their subject or requester; assignments granted by their holder (approved in the period or behind a right effective at as_of)",
    params: &[],
    needs: |_| &[],
    outputs: &[
        "system", "account_id", "person_id", "person_name", "unit", "role", "ref", "what",
        "evidence",
    ],
    evaluate,
};

fn evaluate(ctx: &Context<'_>, _rule: &Rule) -> PolarsResult<LazyFrame> {
    let t = instant(ctx.snapshot.as_of);
    let from = instant(ctx.snapshot.period.start_instant());
    let to = instant(ctx.snapshot.period.end_instant());
    let in_period = |c: &str| col(c).gt_eq(from.clone()).and(col(c).lt(to.clone()));
    let rights = facts::rights(ctx);
    let backing_current = rights
        .clone()
        .filter(covers("eff_start", "eff_end", t.clone()))
        .select([col("basis_ref").alias("request_id")])
        .filter(col("request_id").is_not_null())
        .unique(None, UniqueKeepStrategy::Any)
        .with_column(lit(true).alias("backs_current"));
    let requests = facts::with_person_label(
        ctx,
        ctx.frame("access_requests"),
        "requested_by",
        "requester",
    );
    let requests = requests
        .with_column(facts::row_ref(ctx.snapshot.table("access_requests")).alias("evidence"))
        .join(
            backing_current,
            [col("request_id")],
            [col("request_id")],
            JoinArgs::new(JoinType::Left),
        )
        .filter(
            col("decision")
                .eq(lit("approved"))
                .and(col("approved_at").lt_eq(t.clone()))
                .and(in_period("approved_at").or(col("backs_current").fill_null(lit(false))))
                .and(
                    col("approved_by")
                        .eq(col("person_id"))
                        .or(col("approved_by").eq(col("requested_by"))),
                ),
        )
        .select([
            col("system"),
            lit(NULL).cast(DataType::String).alias("account_id"),
            col("person_id"),
            col("role"),
            col("request_id").alias("ref"),
            when(col("approved_by").eq(col("person_id")))
                .then(facts::format(
                    "Request {} ({} of {}/{}) was approved by the person it concerns",
                    vec![
                        col("request_id"),
                        col("action"),
                        col("system"),
                        col("role").fill_null(lit("the account")),
                    ],
                ))
                .otherwise(facts::format(
                    "Request {} ({} of {}/{}) was approved by its own requester {}",
                    vec![
                        col("request_id"),
                        col("action"),
                        col("system"),
                        col("role").fill_null(lit("the account")),
                        col("requester"),
                    ],
                ))
                .alias("what"),
            col("evidence"),
        ]);
    let grants = rights
        .filter(
            col("granted_by")
                .eq(col("person_id"))
                .and(col("valid_from").lt_eq(t.clone()))
                .and(
                    facts::effective_in_review(ctx, "eff_start", "eff_end")
                        .or(in_period("valid_from")),
                ),
        )
        .select([
            col("system"),
            col("account_id"),
            col("person_id"),
            col("role"),
            col("assignment_id").alias("ref"),
            facts::format(
                "Role {} on account {}/{} was granted on {} by its own holder",
                vec![
                    col("role"),
                    col("system"),
                    col("account_id"),
                    col("valid_from"),
                ],
            )
            .alias("what"),
            col("assignment_ref").alias("evidence"),
        ]);
    let both = concat([requests, grants], UnionArgs::default())?;
    Ok(facts::with_people(ctx, both)
        .sort(["ref"], SortMultipleOptions::default())
        .select([
            col("system"),
            col("account_id"),
            col("person_id"),
            col("person_name"),
            col("unit"),
            col("role"),
            col("ref"),
            col("what"),
            col("evidence"),
        ]))
}
