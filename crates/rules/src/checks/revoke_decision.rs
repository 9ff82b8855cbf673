//! `revoke_decision`: a right the previous review decided to revoke that is
//! still effective past its deadline. The effective right counts, not the
//! assignment row the worksheet showed: the same person, system and role
//! on any account, re-granted under another assignment, still fires, unless
//! a grant request approved after the decision stands behind it.

use polars::prelude::*;

use super::facts::{self, local_day};
use super::{CheckKind, Context, ParamKind, ParamSpec, DECISION_LEDGER};
use crate::definition::Rule;

/// The check kind.
pub(super) const KIND: CheckKind = CheckKind {
    name: "revoke_decision",
    summary: "rights the previous review decided to revoke that are still effective after the revocation_working_days-th working day after the decision",
    params: &[ParamSpec {
        name: "revocation_working_days",
        kind: ParamKind::WORKING_DAYS,
        optional: false,
    }],
    needs: |_| &[DECISION_LEDGER],
    outputs: &[
        "system", "account_id", "person_id", "person_name", "unit", "role", "ref", "reviewer",
        "decided_on", "deadline_day", "days_late", "state_note", "first_seen", "last_seen",
        "evidence",
    ],
    evaluate,
};

fn evaluate(ctx: &Context<'_>, rule: &Rule) -> PolarsResult<LazyFrame> {
    let revokes = match ctx.review.and_then(|r| r.previous.as_ref()) {
        Some(previous) => previous.revokes_frame()?,
        None => crate::decisions::PastReview::empty_revokes()?,
    };
    let n = rule.working_days("revocation_working_days")?;
    let keys = || [col("person_id"), col("system"), col("role")];
    let rights = facts::rights(ctx).select([
        col("person_id"),
        col("system"),
        col("role"),
        col("account_id"),
        col("assignment_id"),
        col("basis"),
        col("basis_ref"),
        col("eff_start"),
        col("eff_end"),
        col("assignment_ref"),
    ]);
    // Grants approved after the decision: a new, approved request is the
    // agency changing its mind, not the decision ignored.
    let grants = ctx
        .frame("access_requests")
        .filter(
            col("decision")
                .eq(lit("approved"))
                .and(col("action").eq(lit("grant")))
                .and(col("approved_at").is_not_null()),
        )
        .select([
            col("request_id").alias("basis_ref"),
            local_day(col("approved_at")).alias("granted_on"),
        ]);
    let candidates = revokes
        .lazy()
        .join(rights, keys(), keys(), JoinArgs::new(JoinType::Inner))
        .join(
            grants,
            [col("basis_ref")],
            [col("basis_ref")],
            JoinArgs::new(JoinType::Left),
        )
        .filter(
            col("basis")
                .eq(lit("request"))
                .and(col("granted_on").gt(col("decided_on")))
                .not(),
        );
    let late = facts::late_rights(ctx, candidates, col("decided_on"), n, None);
    Ok(
        facts::with_people(ctx, late.select([all().exclude_cols(["unit"]).as_expr()]))
            .sort(
                ["person_id", "system", "role", "assignment_id"],
                SortMultipleOptions::default(),
            )
            .select([
                col("system"),
                col("account_id"),
                col("person_id"),
                col("person_name"),
                col("unit"),
                col("role"),
                col("assignment_id").alias("ref"),
                col("reviewer"),
                col("decided_on"),
                col("deadline_day"),
                col("days_late"),
                when(col("open_at_as_of"))
                    .then(lit("it is still in place at as_of"))
                    .otherwise(facts::format("it stayed until {}", vec![col("late_until")]))
                    .alias("state_note"),
                col("deadline_at").alias("first_seen"),
                col("late_end").alias("last_seen"),
                col("assignment_ref").alias("evidence"),
            ]),
    )
}
