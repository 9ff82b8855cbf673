//! `shared_account`: a service or shared account that holds a personal-data
//! role at `as_of` or reads citizens' data in the period.

use polars::prelude::*;

use super::facts::{self, covers, instant};
use super::{CheckKind, Context};
use crate::definition::Rule;

/// The check kind.
pub(super) const KIND: CheckKind = CheckKind {
    name: "shared_account",
    summary: "service or shared accounts holding an effective personal-data role at as_of or appearing in access_log in the period",
    params: &[],
    needs: |_| &[],
    outputs: &["system", "account_id", "kind", "what", "events", "first_seen", "last_seen", "evidence"],
    evaluate,
};

fn evaluate(ctx: &Context<'_>, _rule: &Rule) -> PolarsResult<LazyFrame> {
    let t = instant(ctx.snapshot.as_of);
    let keys = || [col("system"), col("account_id")];
    let shared = ctx
        .frame("accounts")
        .filter(col("kind").is_in(
            lit(Series::new("k".into(), ["service", "shared"])).implode(false),
            false,
        ))
        .with_column(facts::row_ref(ctx.snapshot.table("accounts")).alias("account_ref"))
        .select([
            col("system"),
            col("account_id"),
            col("kind"),
            col("account_ref"),
        ]);
    let roles = facts::personal_data_rights(ctx)
        .filter(covers("eff_start", "eff_end", t))
        .group_by(keys())
        .agg([col("role")
            .unique()
            .sort(SortOptions::default())
            .str()
            .join(", ", true)
            .alias("pd_roles")]);
    let from = instant(ctx.snapshot.period.start_instant());
    let to = instant(ctx.snapshot.period.end_instant());
    // The few service and shared account ids, so the log is filtered as it
    // is read rather than joined whole.
    let ids = shared
        .clone()
        .select([col("account_id")])
        .unique(None, UniqueKeepStrategy::Any)
        .collect()?;
    let ids = ids.column("account_id")?.as_materialized_series().clone();
    let log = ctx
        .frame("access_log")
        .filter(
            col("ts")
                .gt_eq(from)
                .and(col("ts").lt(to))
                .and(col("account_id").is_in(lit(ids).implode(false), false)),
        )
        .select([col("system"), col("account_id"), col("ts")])
        .join(
            shared.clone(),
            keys(),
            keys(),
            JoinArgs::new(JoinType::Semi),
        )
        .group_by(keys())
        .agg([
            len().cast(DataType::UInt64).alias("events"),
            col("ts").min().alias("first_seen"),
            col("ts").max().alias("last_seen"),
        ]);
    // Read now, on the streaming engine: the scan of a large log is the
    // whole cost of this rule.
    let log = super::collect_streaming(log)?.lazy();
    let left = || JoinArgs::new(JoinType::Left);
    Ok(shared
        .join(roles, keys(), keys(), left())
        .join(log, keys(), keys(), left())
        .filter(
            col("pd_roles")
                .is_not_null()
                .or(col("events").is_not_null()),
        )
        .sort(["system", "account_id"], SortMultipleOptions::default())
        .select([
            col("system"),
            col("account_id"),
            when(col("kind").eq(lit("service")))
                .then(lit("Service"))
                .otherwise(lit("Shared"))
                .alias("kind"),
            facts::join_texts(
                vec![
                    facts::format(
                        "holds personal-data role(s) {} at as_of",
                        vec![col("pd_roles")],
                    ),
                    facts::format(
                        "read citizens' data {} time(s) between {} and {}",
                        vec![col("events"), col("first_seen"), col("last_seen")],
                    ),
                ],
                " and ",
            )
            .alias("what"),
            col("events"),
            col("first_seen"),
            col("last_seen"),
            col("account_ref").alias("evidence"),
        ]))
}
