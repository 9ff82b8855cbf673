//! `orphan_account`: an open personal account at `as_of` whose owner is
//! missing, unknown to HR, or never employed.

use polars::prelude::*;

use super::facts::{self, covers, day, instant};
use super::{CheckKind, Context};
use crate::definition::Rule;

/// The check kind.
pub(super) const KIND: CheckKind = CheckKind {
    name: "orphan_account",
    summary: "open personal accounts whose owner is missing, unknown to HR or never employed",
    params: &[],
    needs: |_| &[],
    outputs: &[
        "system",
        "account_id",
        "person_id",
        "person_name",
        "unit",
        "reason",
        "created_day",
        "evidence",
    ],
    evaluate,
};

fn evaluate(ctx: &Context<'_>, _rule: &Rule) -> PolarsResult<LazyFrame> {
    let t = instant(ctx.snapshot.as_of);
    let d = day(ctx.snapshot.as_of_day());
    let first_employment = ctx
        .frame("employees")
        .group_by([col("person_id")])
        .agg([col("valid_from").min().alias("first_from")]);
    let accounts = ctx
        .frame("accounts")
        .with_column(facts::row_ref(ctx.snapshot.table("accounts")).alias("evidence"))
        .filter(
            col("kind")
                .eq(lit("personal"))
                .and(covers("created_at", "closed_at", t)),
        )
        .join(
            first_employment,
            [col("person_id")],
            [col("person_id")],
            JoinArgs::new(JoinType::Left),
        );
    let accounts = facts::with_people(ctx, accounts);
    Ok(accounts
        .filter(
            col("person_id")
                .is_null()
                .or(col("first_from").is_null())
                .or(col("first_from").gt(d)),
        )
        .sort(["system", "account_id"], SortMultipleOptions::default())
        .select([
            col("system"),
            col("account_id"),
            col("person_id"),
            col("person_name"),
            col("unit"),
            when(col("person_id").is_null())
                .then(lit("has no owner"))
                .when(col("first_from").is_null())
                .then(facts::format(
                    "belongs to {}, whom the HR roster does not know",
                    vec![col("person_id")],
                ))
                .otherwise(facts::format(
                    "belongs to {} ({}), whose first employment only starts on {}",
                    vec![col("person_name"), col("person_id"), col("first_from")],
                ))
                .alias("reason"),
            facts::local_day(col("created_at")).alias("created_day"),
            col("evidence"),
        ]))
}
