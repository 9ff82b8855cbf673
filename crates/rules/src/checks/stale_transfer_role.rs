//! `stale_transfer_role`: after a change of position, a role that only the
//! old position justified stays effective past the grace period.

use polars::prelude::*;

use super::facts::{self, start_of_day};
use super::{CheckKind, Context, ParamKind, ParamSpec};
use crate::definition::Rule;

/// The check kind.
pub(super) const KIND: CheckKind = CheckKind {
    name: "stale_transfer_role",
    summary: "roles justified only by the old position still effective transfer_grace_working_days after the first day in the new one",
    params: &[ParamSpec {
        name: "transfer_grace_working_days",
        kind: ParamKind::WORKING_DAYS,
        optional: false,
    }],
    needs: |_| &[],
    outputs: &[
        "system", "account_id", "person_id", "person_name", "unit", "role", "ref", "old_position",
        "new_position", "first_day", "days_late", "deadline_day", "state_note", "first_seen",
        "last_seen", "evidence",
    ],
    evaluate,
};

/// One row per change of position: `person_id`, `old_position`,
/// `new_position`, `first_day` (first day in the new one).
fn transfers(ctx: &Context<'_>) -> LazyFrame {
    let rows =
        ctx.frame("employees")
            .select([col("person_id"), col("position_id"), col("valid_from")]);
    rows.clone()
        .join(
            rows,
            [col("person_id")],
            [col("person_id")],
            JoinArgs::new(JoinType::Inner).with_suffix(Some("_new".into())),
        )
        .filter(
            col("valid_from_new")
                .gt(col("valid_from"))
                .and(col("position_id_new").neq(col("position_id"))),
        )
        // The old position is the one held just before the new one started.
        .sort(["valid_from"], SortMultipleOptions::default())
        .group_by([
            col("person_id"),
            col("valid_from_new"),
            col("position_id_new"),
        ])
        .agg([col("position_id").last().alias("old_position")])
        .select([
            col("person_id"),
            col("old_position"),
            col("position_id_new").alias("new_position"),
            col("valid_from_new").alias("first_day"),
        ])
}

fn evaluate(ctx: &Context<'_>, rule: &Rule) -> PolarsResult<LazyFrame> {
    let by_position = |alias: &str| facts::position_rights(ctx).with_column(lit(true).alias(alias));
    let right_keys = |pos: &str| [col(pos), col("system"), col("role")];
    let pos_keys = || [col("position_id"), col("system"), col("role")];
    let left = || JoinArgs::new(JoinType::Left);
    let candidates = facts::rights(ctx)
        .join(
            transfers(ctx),
            [col("person_id")],
            [col("person_id")],
            JoinArgs::new(JoinType::Inner),
        )
        // Granted while the old position was held.
        .filter(col("eff_start").lt(start_of_day(col("first_day"))))
        .join(
            by_position("by_old"),
            right_keys("old_position"),
            pos_keys(),
            left(),
        )
        .join(
            by_position("by_new"),
            right_keys("new_position"),
            pos_keys(),
            left(),
        )
        .filter(
            col("by_old")
                .fill_null(lit(false))
                .and(col("by_new").fill_null(lit(false)).not()),
        );
    let grace = rule.working_days("transfer_grace_working_days")?;
    let late = facts::late_rights(ctx, candidates, col("first_day"), grace, None)
        // One finding per assignment: the earliest transfer that made it stale.
        .sort(["first_day"], SortMultipleOptions::default())
        .unique_stable_generic(Some(vec![col("assignment_id")]), UniqueKeepStrategy::First);
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
            col("old_position"),
            col("new_position"),
            col("first_day"),
            col("days_late"),
            col("deadline_day"),
            when(col("open_at_as_of"))
                .then(lit("and is still effective at as_of"))
                .otherwise(facts::format("until {}", vec![col("late_until")]))
                .alias("state_note"),
            col("deadline_at").alias("first_seen"),
            col("late_end").alias("last_seen"),
            facts::join_texts(vec![col("assignment_ref"), col("account_ref")], " ")
                .alias("evidence"),
        ]))
}
