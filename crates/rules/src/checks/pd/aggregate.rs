//! One stretch of the access log aggregated to the PD grain, account ×
//! subject × day, and to account × day.

use chrono::{DateTime, Utc};
use polars::prelude::*;

use accessaudit_ingest::contract::{timestamp_dtype, FILE_COLUMN, ROW_COLUMN};

use super::events::{period_events, with_owners};
use super::explain::{role_mask, Explanations};
use super::grain_flags::{with_grain_flags, GrainLookups};
use super::local_time::{first_key, is_working_day, POSITION_BITS};
use crate::checks::{collect_streaming, facts, Context};

/// The grain's keys.
fn keys() -> [Expr; 4] {
    [
        col("system"),
        col("account_id"),
        col("subject_id"),
        col("day"),
    ]
}

/// The column each group's first event is found by (see [`first_key`]).
fn first() -> Expr {
    col("__first")
}

/// The PD facts of the events between `start` and `end`: the groups some
/// PD rule may report, at the grain account × subject × day: `system`,
/// `account_id`, `subject_id`, `day`, `owner`, `kind`, `unit`,
/// `organisation`, `<flag>_events/_first/_last` for every event flag,
/// `evidence` (the first event's `table:row`), and the grain-level flags
/// `ended`, `absent`, `self_lookup`, `colleague`, `watch_category`,
/// `relative`, `out_of_area`, `municipality`; `has_cases` says whether
/// explanation could be judged at all. Then every account × day (see
/// [`super::PdFacts::account_days`]), and the number of events read.
pub(super) fn slice_facts(
    ctx: &Context<'_>,
    lookups: &GrainLookups,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
) -> PolarsResult<(DataFrame, DataFrame, usize)> {
    let clock = std::time::Instant::now();
    let step = |what: &str| tracing::debug!(step = what, elapsed = ?clock.elapsed(), "PD slice");
    let events = read_events(ctx, start, end, &step)?;
    let n = events.height();
    let passes = Passes::new(event_flags(ctx)?);
    // Both passes compute the flags as they stream the events (elementwise
    // and in parallel) rather than keeping them as columns of the slice.
    let counted = || events.clone().lazy().with_columns(passes.counts.clone());
    let flagged_times = collect_streaming(
        counted()
            .filter(passes.any_flag.clone())
            .with_columns(passes.stamps.clone())
            .group_by(keys())
            .agg(passes.stamp_aggs.clone()),
    )?;
    tracing::debug!(
        groups = flagged_times.height(),
        "PD slice: groups with a flagged event"
    );
    step("flag times");
    let grouped = collect_streaming(counted().group_by(keys()).agg(passes.aggs.clone()))?;
    step("group_by");
    tracing::debug!(groups = grouped.height(), events = n, "PD slice");
    let has_cases = ctx.snapshot.table("cases").is_some();
    let grouped = collect_streaming(
        with_owners(ctx, grouped.lazy()).with_column(lit(has_cases).alias("has_cases")),
    )?;
    step("grouped");
    let days = account_days(ctx, &grouped)?;
    step("account days");
    let kept = kept_groups(ctx, lookups, grouped, flagged_times)?;
    step("flags");
    Ok((kept, days, n))
}

/// The stretch's events, read once (explanation, roles and the grouping
/// each use them, and a lazy plan would scan the log again for each), with
/// their position `__ev`, `explained` and `has_role`.
pub(super) fn read_events(
    ctx: &Context<'_>,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    step: &dyn Fn(&str),
) -> PolarsResult<DataFrame> {
    let mut events = period_events(ctx, start, end).collect()?;
    step("read");
    let n = events.height();
    if n >= 1 << POSITION_BITS {
        return Err(polars_err!(ComputeError:
            "{n} events in one slice of the access log (a week of a Parquet log, all of a CSV one); \
             at most {} can be read at a time, so a log this large must come as Parquet files",
            (1u64 << POSITION_BITS) - 1));
    }
    events.with_column(Column::new(
        "__ev".into(),
        (0..n as u32).collect::<Vec<u32>>(),
    ))?;
    let explained = if ctx.snapshot.table("cases").is_some() {
        Explanations::find(ctx, &events, start, end)?.mask(n)?
    } else {
        vec![false; n]
    };
    step("explained");
    let has_role = role_mask(ctx, &events)?;
    step("role");
    events.with_column(Column::new("explained".into(), explained))?;
    events.with_column(Column::new("has_role".into(), has_role))?;
    Ok(events)
}

/// The event-level flags counted per group, each with its condition.
fn event_flags(ctx: &Context<'_>) -> PolarsResult<Vec<(&'static str, Expr)>> {
    let unexplained = col("explained").not();
    Ok(vec![
        ("unexplained", unexplained.clone()),
        ("without_role", col("has_role").not()),
        (
            "after_hours",
            col("minute_of_day")
                .lt(lit(ctx.working_hours.0 as i32))
                .or(col("minute_of_day").gt_eq(lit(ctx.working_hours.1 as i32)))
                .or(is_working_day(ctx)?.not()),
        ),
        (
            "export_unexplained",
            unexplained.and(
                col("action")
                    .eq(lit("export"))
                    .or(col("action").eq(lit("print"))),
            ),
        ),
    ])
}

/// The two passes over a stretch's events. Every event is counted per
/// group with plain sums, minima and maxima (few aggregations: over
/// millions of groups each one is a random gather). Only the few flagged
/// events are grouped again for when each flag was first and last seen.
struct Passes {
    /// Per event: the first-event key and a 0/1 count per flag.
    counts: Vec<Expr>,
    /// Per group: counts, first and last event, the first event's row.
    aggs: Vec<Expr>,
    /// Per flagged event: its time under each flag it has.
    stamps: Vec<Expr>,
    /// Per group of flagged events: first and last time of each flag.
    stamp_aggs: Vec<Expr>,
    /// Whether an event has any flag.
    any_flag: Expr,
}

impl Passes {
    fn new(flags: Vec<(&'static str, Expr)>) -> Self {
        let mut passes = Passes {
            counts: vec![first_key().alias("__first")],
            aggs: vec![
                // The first event's row; formatted as `file:row` only for
                // the groups kept, not per group or event.
                col(FILE_COLUMN).min_by(first()).alias(FILE_COLUMN),
                col(ROW_COLUMN).min_by(first()).alias(ROW_COLUMN),
                first().min(),
                len().alias("all_events"),
                col("ts").min().alias("all_first"),
                col("ts").max().alias("all_last"),
            ],
            stamps: Vec::new(),
            stamp_aggs: Vec::new(),
            any_flag: lit(false),
        };
        for (name, flag) in flags {
            let n = format!("{name}_n");
            passes.counts.push(flag.cast(DataType::UInt32).alias(&n));
            passes
                .aggs
                .push(col(&n).sum().alias(format!("{name}_events")));
            passes.stamps.push(
                when(col(&n).gt(lit(0u32)))
                    .then(col("ts"))
                    .otherwise(lit(NULL).cast(timestamp_dtype()))
                    .alias(format!("{name}_ts")),
            );
            passes.stamp_aggs.extend([
                col(format!("{name}_ts"))
                    .min()
                    .alias(format!("{name}_first")),
                col(format!("{name}_ts"))
                    .max()
                    .alias(format!("{name}_last")),
            ]);
            passes.any_flag = passes.any_flag.or(col(&n).gt(lit(0u32)));
        }
        passes
    }
}

/// `table:row` of the event whose `__file`, `__row` a frame holds.
fn evidence(ctx: &Context<'_>) -> Expr {
    facts::row_ref(ctx.snapshot.table("access_log")).alias("evidence")
}

/// Every account × day with events, from the stretch's groups.
fn account_days(ctx: &Context<'_>, grouped: &DataFrame) -> PolarsResult<DataFrame> {
    collect_streaming(
        grouped
            .clone()
            .lazy()
            .group_by([col("system"), col("account_id"), col("day")])
            .agg([
                col("owner").first(),
                col("unit").first(),
                len().cast(DataType::Int64).alias("subjects"),
                col("all_events").sum().cast(DataType::UInt64),
                col("unexplained_events").sum().cast(DataType::UInt64),
                col("all_first").min(),
                col("all_last").max(),
                // The account's first event that day.
                col(FILE_COLUMN).min_by(first()),
                col(ROW_COLUMN).min_by(first()),
            ]),
    )?
    .lazy()
    .with_column(evidence(ctx))
    .drop(cols([FILE_COLUMN, ROW_COLUMN]))
    .collect()
}

/// The groups some PD rule may report, with their grain flags and when each
/// event flag was first and last seen.
fn kept_groups(
    ctx: &Context<'_>,
    lookups: &GrainLookups,
    grouped: DataFrame,
    flagged_times: DataFrame,
) -> PolarsResult<DataFrame> {
    // Subject-level flags matter only where some look is unexplained (PD-06,
    // PD-11, PD-12 need PD-01 to fire): those few groups get every flag,
    // the rest the owner-level ones.
    let suspicious = col("unexplained_events").gt(lit(0u32));
    let flagged = concat(
        [
            with_grain_flags(
                ctx,
                lookups,
                grouped.clone().lazy().filter(suspicious.clone()),
                true,
            )?,
            with_grain_flags(
                ctx,
                lookups,
                grouped
                    .lazy()
                    .filter(suspicious.not().and(lookups.may_flag())),
                false,
            )?,
        ],
        UnionArgs::default(),
    )?;
    // Only the groups some rule may report are kept: a clean look (explained,
    // with a role, in working hours, by a present employee at someone else
    // who is not on the watchlist) is counted in `account_days` and no more.
    let interesting = col("unexplained_events")
        .gt(lit(0u32))
        .or(col("without_role_events").gt(lit(0u32)))
        .or(col("after_hours_events").gt(lit(0u32)))
        .or(col("ended"))
        .or(col("absent"))
        .or(col("self_lookup"))
        .or(col("watch_category").is_not_null());
    let flagged = flagged.filter(interesting);
    if tracing::enabled!(tracing::Level::DEBUG) {
        if let Ok(plan) = flagged.clone().explain(true) {
            tracing::debug!("PD flags plan:\n{plan}");
        }
    }
    // When each flag was first and last seen, and the first event's row,
    // only for the groups kept.
    collect_streaming(flagged)?
        .lazy()
        .join(
            flagged_times.lazy(),
            keys(),
            keys(),
            JoinArgs::new(JoinType::Left),
        )
        .with_column(evidence(ctx))
        .drop(cols([FILE_COLUMN, ROW_COLUMN, "__first"]))
        .collect()
}
