//! `duplicate_accounts`: one person with more than one open personal account
//! in the same system at `as_of`.

use polars::prelude::*;

use super::facts::{self, covers, instant};
use super::{CheckKind, Context};
use crate::definition::Rule;

/// The check kind.
pub(super) const KIND: CheckKind = CheckKind {
    name: "duplicate_accounts",
    summary: "persons with more than one open personal account in one system at as_of",
    params: &[],
    needs: |_| &[],
    outputs: &[
        "system",
        "person_id",
        "person_name",
        "unit",
        "count",
        "accounts",
        "evidence",
    ],
    evaluate,
};

fn evaluate(ctx: &Context<'_>, _rule: &Rule) -> PolarsResult<LazyFrame> {
    let t = instant(ctx.snapshot.as_of);
    let grouped = ctx
        .frame("accounts")
        .with_column(facts::row_ref(ctx.snapshot.table("accounts")).alias("account_ref"))
        .filter(
            col("kind")
                .eq(lit("personal"))
                .and(col("person_id").is_not_null())
                .and(covers("created_at", "closed_at", t)),
        )
        .group_by([col("person_id"), col("system")])
        .agg([
            len().alias("count"),
            col("account_id")
                .sort(SortOptions::default())
                .str()
                .join(", ", true)
                .alias("accounts"),
            col("account_ref")
                .sort(SortOptions::default())
                .str()
                .join(" ", true)
                .alias("evidence"),
        ])
        .filter(col("count").gt(lit(1)));
    Ok(facts::with_people(ctx, grouped)
        .sort(["person_id", "system"], SortMultipleOptions::default())
        .select([
            col("system"),
            col("person_id"),
            col("person_name"),
            col("unit"),
            col("count"),
            col("accounts"),
            col("evidence"),
        ]))
}
