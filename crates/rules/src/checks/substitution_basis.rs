//! `substitution_basis`: a substitution grant that no order covers.

use polars::prelude::*;

use super::facts::{self, covers, end_of_day, instant, start_of_day};
use super::{CheckKind, Context};
use crate::definition::Rule;

/// The check kind.
pub(super) const KIND: CheckKind = CheckKind {
    name: "substitution_basis",
    summary: "basis-substitution assignments whose order is missing, names someone else, does not cover their start or system, or has no absence or absent holder behind it",
    params: &[],
    needs: |_| &[],
    outputs: &[
        "system", "account_id", "person_id", "person_name", "unit", "role", "ref", "granted",
        "reasons", "evidence",
    ],
    evaluate,
};

/// Substitution orders with the facts that make them a basis:
/// `basis_ref` (= order id), `absent_person_id`, `substitute`, `order_system`,
/// `order_start`, `order_end`, `order_ref`.
pub(super) fn orders(ctx: &Context<'_>) -> LazyFrame {
    ctx.frame("substitutions")
        .with_column(facts::row_ref(ctx.snapshot.table("substitutions")).alias("order_ref"))
        .select([
            col("order_id").alias("basis_ref"),
            col("order_id").alias("order_found"),
            col("absent_person_id"),
            col("substitute_person_id").alias("substitute"),
            col("system").alias("order_system"),
            col("start_date").alias("order_start"),
            col("end_date").alias("order_end"),
            col("order_ref"),
        ])
}

/// The absent person's absences that overlap each order: `basis_ref`
/// (the order id), `start_date`, `end_date`.
pub(super) fn absences_during_orders(ctx: &Context<'_>) -> LazyFrame {
    orders(ctx)
        .select([
            col("basis_ref"),
            col("absent_person_id"),
            col("order_start"),
            col("order_end"),
        ])
        .join(
            ctx.frame("absences").select([
                col("person_id").alias("absent_person_id"),
                col("start_date"),
                col("end_date"),
            ]),
            [col("absent_person_id")],
            [col("absent_person_id")],
            JoinArgs::new(JoinType::Inner),
        )
        .filter(
            col("start_date")
                .lt_eq(col("order_end"))
                .and(col("end_date").gt_eq(col("order_start"))),
        )
        .select([col("basis_ref"), col("start_date"), col("end_date")])
}

/// Substitution assignments looked at: effective at some moment in the
/// period or at `as_of`.
pub(super) fn substitution_rights(ctx: &Context<'_>) -> LazyFrame {
    let as_of = instant(ctx.snapshot.as_of);
    let from = instant(ctx.snapshot.period.start_instant());
    let to = instant(ctx.snapshot.period.end_instant());
    facts::rights(ctx).filter(
        col("basis").eq(lit("substitution")).and(
            col("eff_start")
                .lt(to)
                .and(col("eff_end").is_null().or(col("eff_end").gt(from)))
                .or(covers("eff_start", "eff_end", as_of)),
        ),
    )
}

fn evaluate(ctx: &Context<'_>, _rule: &Rule) -> PolarsResult<LazyFrame> {
    let order_keys = || [col("basis_ref")];
    // Orders whose absent person has an absence overlapping the order.
    let with_absence = absences_during_orders(ctx)
        .select([col("basis_ref")])
        .unique(None, UniqueKeepStrategy::Any)
        .with_column(lit(true).alias("has_absence"));
    // (order, system, role) the absent person holds during the order.
    let absent_holds = orders(ctx)
        .select([
            col("basis_ref"),
            col("absent_person_id"),
            col("order_start"),
            col("order_end"),
        ])
        .join(
            facts::rights(ctx).select([
                col("person_id").alias("absent_person_id"),
                col("system"),
                col("role"),
                col("valid_from"),
                col("valid_to"),
            ]),
            [col("absent_person_id")],
            [col("absent_person_id")],
            JoinArgs::new(JoinType::Inner),
        )
        .filter(
            col("valid_from").lt(end_of_day(col("order_end"))).and(
                col("valid_to")
                    .is_null()
                    .or(col("valid_to").gt(start_of_day(col("order_start")))),
            ),
        )
        .select([col("basis_ref"), col("system"), col("role")])
        .unique(None, UniqueKeepStrategy::Any)
        .with_column(lit(true).alias("absent_holds"));
    let left = || JoinArgs::new(JoinType::Left);
    let found = col("order_found").is_not_null();
    let r = facts::reason;
    let reasons = facts::join_texts(
        vec![
            r(
                "it names no substitution order",
                col("basis_ref").is_null(),
                vec![lit("")],
            ),
            r(
                "order {} does not exist",
                col("basis_ref").is_not_null().and(found.clone().not()),
                vec![col("basis_ref")],
            ),
            r(
                "order {} names {} as the substitute, not the holder",
                found.clone().and(col("substitute").neq(col("person_id"))),
                vec![col("basis_ref"), col("substitute_label")],
            ),
            r(
                "it starts on {}, before order {} starts on {}",
                found
                    .clone()
                    .and(col("valid_from").lt(start_of_day(col("order_start")))),
                vec![col("valid_from"), col("basis_ref"), col("order_start")],
            ),
            r(
                "it starts on {}, after order {} ended on {}",
                found
                    .clone()
                    .and(col("valid_from").gt_eq(end_of_day(col("order_end")))),
                vec![col("valid_from"), col("basis_ref"), col("order_end")],
            ),
            r(
                "order {} covers only {}",
                found
                    .clone()
                    .and(col("order_system").is_not_null())
                    .and(col("order_system").neq(col("system"))),
                vec![col("basis_ref"), col("order_system")],
            ),
            r(
                "the absent person {} has no absence during order {}",
                found.clone().and(col("has_absence").is_null()),
                vec![col("absent_label"), col("basis_ref")],
            ),
            r(
                "the absent person {} holds no {}/{} during order {}",
                found.and(col("absent_holds").is_null()),
                vec![
                    col("absent_label"),
                    col("system"),
                    col("role"),
                    col("basis_ref"),
                ],
            ),
        ],
        "; ",
    );
    let rows = substitution_rights(ctx).join(orders(ctx), order_keys(), order_keys(), left());
    let rows = facts::with_person_label(ctx, rows, "substitute", "substitute_label");
    let rows = facts::with_person_label(ctx, rows, "absent_person_id", "absent_label")
        .join(with_absence, order_keys(), order_keys(), left())
        .join(
            absent_holds,
            [col("basis_ref"), col("system"), col("role")],
            [col("basis_ref"), col("system"), col("role")],
            left(),
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
            facts::join_texts(vec![col("assignment_ref"), col("order_ref")], " ").alias("evidence"),
        ]))
}
