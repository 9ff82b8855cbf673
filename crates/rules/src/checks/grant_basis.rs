//! `grant_basis`: an assignment granted on a request that does not back it:
//! no reference, an unknown request, one not approved, not a grant, approved
//! only after the grant, or for another person, system or role.

use polars::prelude::*;

use super::facts;
use super::{CheckKind, Context};
use crate::definition::Rule;

/// The check kind.
pub(super) const KIND: CheckKind = CheckKind {
    name: "grant_basis",
    summary: "assignments with basis request that no approved grant request of the same person, system and role backs, effective within the period or at as_of",
    params: &[],
    needs: |_| &[],
    outputs: &[
        "system", "account_id", "person_id", "person_name", "unit", "role", "ref", "granted",
        "reasons", "evidence",
    ],
    evaluate,
};

fn evaluate(ctx: &Context<'_>, _rule: &Rule) -> PolarsResult<LazyFrame> {
    let requests = ctx
        .frame("access_requests")
        .with_column(facts::row_ref(ctx.snapshot.table("access_requests")).alias("request_ref"))
        .select([
            col("request_id").alias("basis_ref"),
            col("request_id").alias("request_found"),
            col("person_id").alias("req_person"),
            col("system").alias("req_system"),
            col("role").alias("req_role"),
            col("action"),
            col("decision"),
            col("approved_at"),
            col("request_ref"),
        ]);
    let r = facts::reason;
    let found = col("request_found").is_not_null();
    let reasons = facts::join_texts(
        vec![
            r(
                "it names no request",
                col("basis_ref").is_null(),
                vec![lit("")],
            ),
            r(
                "request {} does not exist",
                col("basis_ref").is_not_null().and(found.clone().not()),
                vec![col("basis_ref")],
            ),
            r(
                "request {} was not approved (decision: {})",
                found.clone().and(col("decision").neq(lit("approved"))),
                vec![col("basis_ref"), col("decision")],
            ),
            r(
                "request {} asks to {}, not to grant",
                found.clone().and(col("action").neq(lit("grant"))),
                vec![col("basis_ref"), col("action")],
            ),
            r(
                "request {} was approved only on {}, after the grant on {}",
                found.clone().and(col("approved_at").gt(col("valid_from"))),
                vec![col("basis_ref"), col("approved_at"), col("valid_from")],
            ),
            r(
                "request {} has no approval time",
                found
                    .clone()
                    .and(col("decision").eq(lit("approved")))
                    .and(col("approved_at").is_null()),
                vec![col("basis_ref")],
            ),
            r(
                "request {} is for another person ({})",
                found.clone().and(col("req_person").neq(col("person_id"))),
                vec![col("basis_ref"), col("req_person")],
            ),
            r(
                "request {} is for {}/{}",
                found.and(
                    col("req_system")
                        .neq(col("system"))
                        .or(col("req_role").neq(col("role")))
                        .or(col("req_role").is_null()),
                ),
                vec![
                    col("basis_ref"),
                    col("req_system"),
                    col("req_role").fill_null(lit("no role")),
                ],
            ),
        ],
        "; ",
    );
    let rows = facts::rights(ctx)
        .filter(
            col("basis")
                .eq(lit("request"))
                .and(facts::effective_in_review(ctx, "eff_start", "eff_end")),
        )
        .join(
            requests,
            [col("basis_ref")],
            [col("basis_ref")],
            JoinArgs::new(JoinType::Left),
        )
        .with_column(reasons.alias("reasons"))
        .filter(col("reasons").is_not_null());
    Ok(facts::with_people(ctx, rows)
        .sort(["assignment_id"], SortMultipleOptions::default())
        .select([
            col("system"),
            col("account_id"),
            col("person_id"),
            col("person_name"),
            col("unit"),
            col("role"),
            col("assignment_id").alias("ref"),
            col("valid_from").alias("granted"),
            col("reasons"),
            facts::join_texts(vec![col("assignment_ref"), col("request_ref")], " ")
                .alias("evidence"),
        ]))
}
