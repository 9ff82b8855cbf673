//! Access-log events of a stretch of the period, with the account's owner
//! and the owner's posts that day.

use chrono::{DateTime, Utc};
use polars::prelude::*;

use accessaudit_ingest::contract::{FILE_COLUMN, ROW_COLUMN};

use super::local_time::local_day_and_micros;
use crate::checks::facts::{covers_day, instant};
use crate::checks::Context;

/// Access-log events inside the period, with owner and the owner's unit and
/// employer that day: `ts`, `system`, `account_id`, `subject_id`, `action`,
/// `case_id`, `__file`, `__row`, `day`, `minute_of_day`, `owner`, `kind`,
/// `unit`, `organisation`.
pub(crate) fn events(ctx: &Context<'_>) -> LazyFrame {
    let p = &ctx.snapshot.period;
    with_owners(ctx, period_events(ctx, p.start_instant(), p.end_instant()))
}

/// Access-log events inside the period, as read: `ts`, `system`,
/// `account_id`, `subject_id`, `action`, `case_id`, `__file`, `__row`, `day`,
/// `minute_of_day`.
pub(super) fn period_events(
    ctx: &Context<'_>,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
) -> LazyFrame {
    let from = instant(start);
    let to = instant(end);
    let (day, micros_of_day) = local_day_and_micros(start, end);
    ctx.frame("access_log")
        // A plain comparison on the scanned column, so the period is pushed
        // down into the read (row groups outside it are skipped).
        .filter(col("ts").gt_eq(from).and(col("ts").lt(to)))
        .select([
            col("ts"),
            col("system"),
            col("account_id"),
            col("subject_id"),
            col("action"),
            col("case_id"),
            col(FILE_COLUMN),
            col(ROW_COLUMN),
        ])
        .with_columns([
            day.alias("day"),
            (micros_of_day / lit(60_000_000i64))
                .cast(DataType::Int32)
                .alias("minute_of_day"),
        ])
}

/// Adds to rows with `system`, `account_id` and `day` the account's `owner`
/// and `kind`, and the owner's `unit` and `organisation` that day. Of two
/// overlapping `employees` rows (DQ-03 keeps both) the one that started last
/// names the post, so the same inputs always give the same unit.
pub(super) fn with_owners(ctx: &Context<'_>, rows: LazyFrame) -> LazyFrame {
    let rows = with_account_owners(ctx, rows);
    // The owner's post that day, looked up once per owner-day.
    let order = || {
        (
            [col("valid_from"), col("unit"), col("organisation")],
            SortMultipleOptions::default().with_nulls_last(false),
        )
    };
    let posts = owner_posts(ctx, rows.clone())
        .group_by([col("owner"), col("day")])
        .agg([
            col("unit").sort_by(order().0, order().1).last(),
            col("organisation").sort_by(order().0, order().1).last(),
        ]);
    rows.join(
        posts,
        [col("owner"), col("day")],
        [col("owner"), col("day")],
        JoinArgs::new(JoinType::Left),
    )
}

/// Adds to rows with `system` and `account_id` the account's `owner` and `kind`.
pub(super) fn with_account_owners(ctx: &Context<'_>, rows: LazyFrame) -> LazyFrame {
    rows.join(
        ctx.frame("accounts").select([
            col("system"),
            col("account_id"),
            col("person_id").alias("owner"),
            col("kind"),
        ]),
        [col("system"), col("account_id")],
        [col("system"), col("account_id")],
        JoinArgs::new(JoinType::Left),
    )
}

/// Every post (`unit`, `organisation`, `valid_from`) the owner held on each
/// distinct (`owner`, `day`) of `rows`: one row per covering `employees`
/// row, so a person whose rows overlap held both posts that day.
fn owner_posts(ctx: &Context<'_>, rows: LazyFrame) -> LazyFrame {
    rows.select([col("owner"), col("day")])
        .filter(col("owner").is_not_null())
        .unique(None, UniqueKeepStrategy::Any)
        .join(
            ctx.frame("employees").select([
                col("person_id").alias("owner"),
                col("unit"),
                col("organisation"),
                col("valid_from"),
                col("valid_to"),
            ]),
            [col("owner")],
            [col("owner")],
            JoinArgs::new(JoinType::Inner),
        )
        .filter(covers_day("valid_from", "valid_to", col("day")))
        .select([
            col("owner"),
            col("day"),
            col("unit"),
            col("organisation"),
            col("valid_from"),
        ])
}

/// Adds to rows with `owner` and `day` a `unit` column, one row per unit the
/// owner was in that day (an event a case of either unit handles is
/// explained).
pub(super) fn with_owner_units(ctx: &Context<'_>, rows: LazyFrame) -> LazyFrame {
    let units = owner_posts(ctx, rows.clone())
        .select([col("owner"), col("day"), col("unit")])
        .unique(None, UniqueKeepStrategy::Any);
    rows.join(
        units,
        [col("owner"), col("day")],
        [col("owner"), col("day")],
        JoinArgs::new(JoinType::Left),
    )
}
