//! `unjustified_role`: a role effective at `as_of` on a personal account that
//! no duty of the holder's position justifies and no substitution order covers.

use polars::prelude::*;

use super::facts::{self, covers, covers_day, day, instant};
use super::{CheckKind, Context, ParamKind, ParamSpec};
use crate::definition::Rule;

/// The check kind.
pub(super) const KIND: CheckKind = CheckKind {
    name: "unjustified_role",
    summary: "roles effective at as_of that neither a duty of the holder's position nor a substitution order justifies",
    params: &[ParamSpec {
        name: "personal_data_severity",
        kind: ParamKind::Severity,
        optional: false,
    }],
    needs: |_| &[],
    outputs: &[
        "system", "account_id", "person_id", "person_name", "unit", "role", "role_name", "ref",
        "positions", "as_of_day", "evidence", "severity",
    ],
    evaluate,
};

/// Rights of each person that a substitution order in force on `as_of`
/// covers: `person_id` (the substitute), `system`, `role`.
pub fn covered_by_substitution(ctx: &Context<'_>) -> LazyFrame {
    let t = instant(ctx.snapshot.as_of);
    let d = day(ctx.snapshot.as_of_day());
    let orders = ctx
        .frame("substitutions")
        .filter(covers_day("start_date", "end_date", d))
        .select([
            col("substitute_person_id").alias("person_id"),
            col("absent_person_id"),
            col("system").alias("order_system"),
        ]);
    let absent_holds = facts::rights(ctx)
        .filter(covers("eff_start", "eff_end", t))
        .select([
            col("person_id").alias("absent_person_id"),
            col("system"),
            col("role"),
        ]);
    orders
        .join(
            absent_holds,
            [col("absent_person_id")],
            [col("absent_person_id")],
            JoinArgs::new(JoinType::Inner),
        )
        .filter(
            col("order_system")
                .is_null()
                .or(col("order_system").eq(col("system"))),
        )
        .select([col("person_id"), col("system"), col("role")])
        .unique(None, UniqueKeepStrategy::Any)
}

fn evaluate(ctx: &Context<'_>, rule: &Rule) -> PolarsResult<LazyFrame> {
    let t = instant(ctx.snapshot.as_of);
    let d = day(ctx.snapshot.as_of_day());
    let keys = || [col("person_id"), col("system"), col("role")];
    let justified = facts::duty_rights(ctx)
        .filter(covers_day("valid_from", "valid_to", d.clone()))
        .select(keys())
        .unique(None, UniqueKeepStrategy::Any);
    let positions = ctx
        .frame("employees")
        .filter(covers_day("valid_from", "valid_to", d.clone()))
        .join(
            ctx.frame("positions")
                .select([col("position_id"), col("title")]),
            [col("position_id")],
            [col("position_id")],
            JoinArgs::new(JoinType::Left),
        )
        .group_by([col("person_id")])
        .agg([
            facts::format("{} ({})", vec![col("position_id"), col("title")])
                .str()
                .join(", ", true)
                .alias("positions"),
        ]);
    let anti = || JoinArgs::new(JoinType::Anti);
    let severe = rule.severity_param("personal_data_severity")?;
    let rows = facts::rights(ctx)
        .filter(
            col("kind")
                .eq(lit("personal"))
                .and(col("person_id").is_not_null())
                .and(covers("eff_start", "eff_end", t)),
        )
        .join(justified, keys(), keys(), anti())
        .join(covered_by_substitution(ctx), keys(), keys(), anti())
        .join(
            facts::role_catalogue(ctx),
            [col("system"), col("role")],
            [col("system"), col("role")],
            JoinArgs::new(JoinType::Left),
        )
        .join(
            positions,
            [col("person_id")],
            [col("person_id")],
            JoinArgs::new(JoinType::Left),
        );
    Ok(facts::with_people(ctx, rows)
        .sort(
            ["system", "account_id", "role", "assignment_id"],
            SortMultipleOptions::default(),
        )
        .select([
            col("system"),
            col("account_id"),
            col("person_id"),
            col("person_name"),
            col("unit"),
            col("role"),
            col("role_name").fill_null(lit("not in the role catalogue")),
            col("assignment_id").alias("ref"),
            col("positions"),
            d.alias("as_of_day"),
            facts::join_texts(vec![col("assignment_ref"), col("account_ref")], " ")
                .alias("evidence"),
            when(col("personal_data").fill_null(lit(false)))
                .then(lit(severe.as_str()))
                .otherwise(lit(rule.severity.as_str()))
                .alias("severity"),
        ]))
}
