//! `bulk_access`: an account that looked at an unusual number of distinct
//! data subjects in one day — above an absolute limit, or far above its
//! unit's peers that day (median + factor × max(MAD, 1, median / 10)).

use polars::lazy::dsl;
use polars::prelude::*;

use super::{CheckKind, Context, ParamKind, ParamSpec};
use crate::definition::Rule;

/// The check kind.
pub(super) const KIND: CheckKind = CheckKind {
    name: "bulk_access",
    summary: "accounts looking at more distinct subjects in a day than an absolute limit, or than their unit's peers by a robust margin",
    params: &[
        ParamSpec {
            name: "bulk_distinct_subjects_per_day",
            kind: ParamKind::Integer {
                min: 1,
                max: 1_000_000,
                unit: "subjects",
            },
            optional: false,
        },
        ParamSpec {
            name: "bulk_min_peers",
            kind: ParamKind::Integer {
                min: 1,
                max: 100_000,
                unit: "accounts",
            },
            optional: false,
        },
        ParamSpec {
            name: "bulk_mad_factor",
            kind: ParamKind::Number {
                min: 0.0,
                max: 1_000.0,
            },
            optional: false,
        },
    ],
    needs: |_| &["access_log"],
    outputs: &[
        "system", "account_id", "person_id", "person_name", "unit", "day", "subjects", "reason",
        "first_seen", "last_seen", "events", "evidence",
    ],
    evaluate,
};

/// A non-negative number rounded to one decimal, for messages.
fn one_decimal(x: Expr) -> Expr {
    (x * lit(10.0) + lit(0.5))
        .cast(DataType::Int64)
        .cast(DataType::Float64)
        / lit(10.0)
}

fn evaluate(ctx: &Context<'_>, rule: &Rule) -> PolarsResult<LazyFrame> {
    let limit = rule.int("bulk_distinct_subjects_per_day")?;
    let min_peers = rule.int("bulk_min_peers")?;
    let factor = rule.number("bulk_mad_factor")?;
    let per_account = ctx.pd_account_days()?.lazy().select([
        col("system"),
        col("account_id"),
        col("day"),
        col("subjects"),
        col("owner"),
        col("unit"),
        col("all_events").alias("events"),
        col("all_first").alias("first_seen"),
        col("all_last").alias("last_seen"),
        col("evidence"),
    ]);
    // Peers: the accounts of the unit with at least one event that day.
    let peers = per_account
        .clone()
        .filter(col("unit").is_not_null())
        .group_by([col("unit"), col("day")])
        .agg([
            len().cast(DataType::Int64).alias("peers"),
            col("subjects").median().alias("median"),
        ]);
    let deviation = per_account
        .clone()
        .filter(col("unit").is_not_null())
        .join(
            peers.clone(),
            [col("unit"), col("day")],
            [col("unit"), col("day")],
            JoinArgs::new(JoinType::Inner),
        )
        .with_column((col("subjects").cast(DataType::Float64) - col("median")).alias("dev"))
        .with_column(
            when(col("dev").lt(lit(0.0)))
                .then(lit(0.0) - col("dev"))
                .otherwise(col("dev"))
                .alias("dev"),
        )
        .group_by([col("unit"), col("day")])
        .agg([col("dev").median().alias("mad")]);
    let keys = || [col("unit"), col("day")];
    let rows = per_account
        .join(peers, keys(), keys(), JoinArgs::new(JoinType::Left))
        .join(deviation, keys(), keys(), JoinArgs::new(JoinType::Left))
        .with_column(
            (col("median")
                + lit(factor)
                    * dsl::max_horizontal([col("mad"), lit(1.0), col("median") / lit(10.0)])?)
            .alias("threshold"),
        )
        .with_columns([
            col("subjects").gt(lit(limit)).alias("over_limit"),
            col("peers")
                .gt_eq(lit(min_peers))
                .and(col("subjects").cast(DataType::Float64).gt(col("threshold")))
                .fill_null(lit(false))
                .alias("over_peers"),
        ])
        .filter(col("over_limit").or(col("over_peers")))
        .with_column(
            super::facts::join_texts(
                vec![
                    when(col("over_limit"))
                        .then(super::facts::format("more than the limit of {}", vec![lit(limit)]))
                        .otherwise(lit(NULL).cast(DataType::String)),
                    when(col("over_peers"))
                        .then(super::facts::format(
                            "far more than the {} active accounts of the unit (median {}, MAD {}, threshold {})",
                            vec![
                                col("peers"),
                                one_decimal(col("median")),
                                one_decimal(col("mad")),
                                one_decimal(col("threshold")),
                            ],
                        ))
                        .otherwise(lit(NULL).cast(DataType::String)),
                ],
                " and ",
            )
            .alias("reason"),
        );
    let rows = super::facts::with_people(ctx, rows.with_column(col("owner").alias("person_id")))
        .with_column(coalesce(&[col("unit"), col("unit_right")]).alias("unit"));
    Ok(rows
        .sort(
            ["system", "account_id", "day"],
            SortMultipleOptions::default(),
        )
        .select([
            col("system"),
            col("account_id"),
            col("person_id"),
            col("person_name"),
            col("unit"),
            col("day"),
            col("subjects"),
            col("reason"),
            col("first_seen"),
            col("last_seen"),
            col("events"),
            col("evidence"),
        ]))
}
