//! `sod_conflict`: one person holds both sides of a segregation-of-duties pair
//! at the same moment, across any of their accounts, within the period or at
//! `as_of`.

use polars::lazy::dsl;
use polars::prelude::*;

use super::facts::{self, instant};
use super::{CheckKind, Context};
use crate::definition::Rule;

/// The check kind.
pub(super) const KIND: CheckKind = CheckKind {
    name: "sod_conflict",
    summary:
        "a person holds both roles of a sod_conflicts pair at once, within the period or at as_of",
    params: &[],
    needs: |_| &["sod_conflicts"],
    outputs: &[
        "person_id",
        "person_name",
        "unit",
        "ref",
        "reason",
        "accounts",
        "first_seen",
        "last_seen",
        "from",
        "to",
        "evidence",
    ],
    evaluate,
};

fn side(ctx: &Context<'_>, suffix: &str) -> LazyFrame {
    facts::rights(ctx)
        .filter(col("person_id").is_not_null())
        .select([
            col("person_id"),
            col("system").alias(format!("system_{suffix}")),
            col("role").alias(format!("role_{suffix}")),
            col("account_id").alias(format!("account_{suffix}")),
            col("eff_start").alias(format!("start_{suffix}")),
            col("eff_end").alias(format!("end_{suffix}")),
            col("assignment_ref").alias(format!("ref_{suffix}")),
        ])
}

fn evaluate(ctx: &Context<'_>, _rule: &Rule) -> PolarsResult<LazyFrame> {
    let as_of = instant(ctx.snapshot.as_of);
    let pairs = ctx
        .frame("sod_conflicts")
        .with_column(facts::row_ref(ctx.snapshot.table("sod_conflicts")).alias("pair_ref"));
    let a_keys = || [col("system_a"), col("role_a")];
    let inner = || JoinArgs::new(JoinType::Inner);
    let overlaps = pairs
        .join(side(ctx, "a"), a_keys(), a_keys(), inner())
        .join(
            side(ctx, "b"),
            [col("person_id"), col("system_b"), col("role_b")],
            [col("person_id"), col("system_b"), col("role_b")],
            inner(),
        )
        .with_columns([
            dsl::max_horizontal([col("start_a"), col("start_b")])?.alias("ov_start"),
            dsl::min_horizontal([col("end_a"), col("end_b")])?.alias("ov_end"),
        ])
        .filter(
            col("ov_end")
                .is_null()
                .or(col("ov_end").gt(col("ov_start"))),
        )
        .filter(facts::effective_in_review(ctx, "ov_start", "ov_end"))
        .with_column(
            facts::format(
                "{}/{} + {}/{}",
                vec![
                    col("system_a"),
                    col("role_a"),
                    col("system_b"),
                    col("role_b"),
                ],
            )
            .alias("ref"),
        );
    let grouped = overlaps.group_by([col("person_id"), col("ref")]).agg([
        col("reason").first().alias("reason"),
        col("ov_start").min().alias("first_seen"),
        dsl::min_horizontal([col("ov_end").max(), as_of.clone()])?.alias("last_seen"),
        when(
            col("system_a")
                .eq(col("system_b"))
                .and(col("account_a").eq(col("account_b"))),
        )
        .then(facts::format(
            "{}/{}",
            vec![col("system_a"), col("account_a")],
        ))
        .otherwise(facts::format(
            "{}/{} and {}/{}",
            vec![
                col("system_a"),
                col("account_a"),
                col("system_b"),
                col("account_b"),
            ],
        ))
        .unique()
        .sort(SortOptions::default())
        .str()
        .join(", ", true)
        .alias("accounts"),
        facts::join_texts(vec![col("pair_ref"), col("ref_a"), col("ref_b")], " ")
            .unique()
            .sort(SortOptions::default())
            .str()
            .join(" ", true)
            .alias("evidence"),
    ]);
    Ok(facts::with_people(ctx, grouped)
        .sort(["person_id", "ref"], SortMultipleOptions::default())
        .select([
            col("person_id"),
            col("person_name"),
            col("unit"),
            col("ref"),
            col("reason").fill_null(lit("the two are incompatible")),
            col("accounts"),
            col("first_seen"),
            col("last_seen"),
            col("first_seen").alias("from"),
            col("last_seen").alias("to"),
            col("evidence"),
        ]))
}
