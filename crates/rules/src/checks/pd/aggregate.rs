//! One stretch of the access log aggregated to the PD grain, account ×
//! subject × day, and to account × day.

use chrono::{DateTime, Utc};
use polars::prelude::*;

use accessaudit_ingest::contract::{FILE_COLUMN, ROW_COLUMN};

use super::events::{period_events, with_owners};
use super::grain_flags::{with_grain_flags, GrainLookups};
use super::scan::Scanned;
use crate::checks::{collect_streaming, facts, Context};

/// The PD facts of a stretch from the pass over its events: the groups
/// some PD rule may report, at the grain account × subject × day:
/// `system`, `account_id`, `subject_id`, `day`, `owner`, `kind`, `unit`,
/// `organisation`, `<flag>_events/_first/_last` for every event flag,
/// `evidence` (the first event's `table:row`), and the grain-level flags
/// `ended`, `absent`, `self_lookup`, `colleague`, `watch_category`,
/// `relative`, `out_of_area`, `municipality`; `has_cases` says whether
/// explanation could be judged at all. Then every account × day (see
/// [`super::PdFacts::account_days`]).
pub(super) fn slice_facts(
    ctx: &Context<'_>,
    grain: &GrainLookups,
    scanned: Scanned,
) -> PolarsResult<(DataFrame, DataFrame)> {
    let has_cases = ctx.snapshot.table("cases").is_some();
    let candidates = with_owners(ctx, scanned.candidates.lazy())
        .with_column(lit(has_cases).alias("has_cases"))
        .collect()?;
    let kept = kept_groups(ctx, grain, candidates)?;
    let days = account_days(ctx, scanned.account_days)?;
    Ok((kept, days))
}

/// The stretch's events (see [`period_events`]), as the pass reads them:
/// in the chunks they were read in (joining them into one would copy every
/// string).
pub(super) fn read_events(
    ctx: &Context<'_>,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
) -> PolarsResult<DataFrame> {
    let events = period_events(ctx, start, end).collect()?;
    if events.height() >= u32::MAX as usize {
        return Err(polars_err!(ComputeError:
            "{} events in one slice of the access log (a week of a Parquet log, all of a CSV one); \
             at most {} can be read at a time, so a log this large must come as Parquet files",
            events.height(), u32::MAX - 1));
    }
    Ok(events)
}

/// `table:row` of the event whose `__file`, `__row` a frame holds.
fn evidence(ctx: &Context<'_>) -> Expr {
    facts::row_ref(ctx.snapshot.table("access_log")).alias("evidence")
}

/// Every account × day with events, with the account's owner and the
/// owner's unit that day.
fn account_days(ctx: &Context<'_>, days: DataFrame) -> PolarsResult<DataFrame> {
    with_owners(ctx, days.lazy())
        .select([
            col("system"),
            col("account_id"),
            col("day"),
            col("owner"),
            col("unit"),
            col("subjects"),
            col("all_events"),
            col("unexplained_events"),
            col("all_first"),
            col("all_last"),
            evidence(ctx),
        ])
        .collect()
}

/// The groups some PD rule may report, with their grain flags and when each
/// event flag was first and last seen.
fn kept_groups(
    ctx: &Context<'_>,
    lookups: &GrainLookups,
    grouped: DataFrame,
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
    // The first event's row, only for the groups kept.
    collect_streaming(flagged)?
        .lazy()
        .with_column(evidence(ctx))
        .drop(cols([FILE_COLUMN, ROW_COLUMN]))
        .collect()
}
