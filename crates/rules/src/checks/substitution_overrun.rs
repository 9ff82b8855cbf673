//! `substitution_overrun`: a substitution grant that outlives its order or
//! the absence behind it.

use polars::lazy::dsl;
use polars::prelude::*;

use super::facts;
use super::substitution_basis::{absences_during_orders, orders, substitution_rights};
use super::{CheckKind, Context, ParamKind, ParamSpec};
use crate::definition::Rule;

/// The check kind.
pub(super) const KIND: CheckKind = CheckKind {
    name: "substitution_overrun",
    summary: "basis-substitution assignments still effective after the earlier of the order's end and the absence's end, beyond substitution_grace_working_days",
    params: &[ParamSpec {
        name: "substitution_grace_working_days",
        kind: ParamKind::WORKING_DAYS,
        optional: false,
    }],
    needs: |_| &[],
    outputs: &[
        "system", "account_id", "person_id", "person_name", "unit", "role", "ref", "order_id",
        "absent_name", "due_day", "due_what", "days_late", "state_note", "first_seen",
        "last_seen", "evidence",
    ],
    evaluate,
};

fn evaluate(ctx: &Context<'_>, rule: &Rule) -> PolarsResult<LazyFrame> {
    let keys = || [col("basis_ref")];
    let absence_end = absences_during_orders(ctx)
        .group_by(keys())
        .agg([col("end_date").max().alias("absence_end")]);
    let names = facts::people(ctx).select([
        col("person_id").alias("absent_person_id"),
        col("person_name").alias("absent_name"),
    ]);
    let rows = substitution_rights(ctx)
        .join(orders(ctx), keys(), keys(), JoinArgs::new(JoinType::Inner))
        .join(absence_end, keys(), keys(), JoinArgs::new(JoinType::Left))
        .join(
            names,
            [col("absent_person_id")],
            [col("absent_person_id")],
            JoinArgs::new(JoinType::Left),
        )
        .with_columns([
            dsl::min_horizontal([col("order_end"), col("absence_end")])?.alias("due_day"),
            when(col("absence_end").lt(col("order_end")))
                .then(facts::format(
                    "the end of {}'s absence",
                    vec![coalesce(&[col("absent_name"), col("absent_person_id")])],
                ))
                .otherwise(facts::format("the end of order {}", vec![col("basis_ref")]))
                .alias("due_what"),
        ]);
    let grace = rule.working_days("substitution_grace_working_days")?;
    let late = facts::late_rights(ctx, rows, col("due_day"), grace, None);
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
            col("basis_ref").alias("order_id"),
            coalesce(&[col("absent_name"), col("absent_person_id")]).alias("absent_name"),
            col("due_day"),
            col("due_what"),
            col("days_late"),
            when(col("open_at_as_of"))
                .then(lit("and still holds it at as_of"))
                .otherwise(facts::format("until {}", vec![col("late_until")]))
                .alias("state_note"),
            col("deadline_at").alias("first_seen"),
            col("late_end").alias("last_seen"),
            facts::join_texts(vec![col("assignment_ref"), col("order_ref")], " ").alias("evidence"),
        ]))
}
