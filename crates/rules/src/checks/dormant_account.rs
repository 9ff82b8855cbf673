//! `dormant_account`: an open, unsuspended personal account not used for
//! more than `dormant_days` days before `as_of`.

use polars::prelude::*;

use super::facts::{self, covers, instant};
use super::{CheckKind, Context, ParamKind, ParamSpec};
use crate::definition::Rule;

/// The check kind.
pub(super) const KIND: CheckKind = CheckKind {
    name: "dormant_account",
    summary: "open, unsuspended personal accounts whose last login (or creation) is more than dormant_days before as_of",
    params: &[ParamSpec {
        name: "dormant_days",
        kind: ParamKind::DAYS,
        optional: false,
    }],
    needs: |_| &[],
    outputs: &[
        "system", "account_id", "person_id", "person_name", "unit", "last_used", "how",
        "idle_days", "dormant_days", "evidence",
    ],
    evaluate,
};

fn evaluate(ctx: &Context<'_>, rule: &Rule) -> PolarsResult<LazyFrame> {
    let t = instant(ctx.snapshot.as_of);
    let days = rule.int("dormant_days")?;
    // The loader bounds the days; checked all the same, as no value may panic.
    let limit = chrono::Duration::try_days(days)
        .and_then(|d| ctx.snapshot.as_of.checked_sub_signed(d))
        .ok_or_else(
            || polars_err!(ComputeError: "dormant_days = {days} reaches outside the calendar"),
        )?;
    let rows = ctx
        .frame("accounts")
        .with_column(facts::row_ref(ctx.snapshot.table("accounts")).alias("evidence"))
        .filter(
            col("kind")
                .eq(lit("personal"))
                .and(covers("created_at", "closed_at", t.clone()))
                .and(
                    col("suspended_from")
                        .is_null()
                        .or(col("suspended_from").gt(t.clone())),
                ),
        )
        .with_column(coalesce(&[col("last_login_at"), col("created_at")]).alias("last_used_at"))
        .filter(col("last_used_at").lt(instant(limit)));
    Ok(facts::with_people(ctx, rows)
        .sort(["system", "account_id"], SortMultipleOptions::default())
        .select([
            col("system"),
            col("account_id"),
            col("person_id"),
            col("person_name"),
            col("unit"),
            facts::local_day(col("last_used_at")).alias("last_used"),
            when(col("last_login_at").is_null())
                .then(lit("was created"))
                .otherwise(lit("was last used"))
                .alias("how"),
            (t - col("last_used_at"))
                .dt()
                .total_days(false)
                .alias("idle_days"),
            lit(days).alias("dormant_days"),
            col("evidence"),
        ]))
}
