//! `stale_export`: the exports are not up to date with the period: the newest
//! access-log event or the newest login is too old, or the access log has
//! working days of the period with no event at all.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use polars::prelude::*;

use accessaudit_ingest::contract::timestamp_dtype;

use super::facts::instant;
use super::{CheckKind, Context, ParamKind, ParamSpec};
use crate::definition::Rule;

/// The check kind.
pub(super) const KIND: CheckKind = CheckKind {
    name: "stale_export",
    summary: "access_log or accounts.last_login_at older than stale_days before the end of the period, or working days of the period without any access event",
    params: &[ParamSpec {
        name: "stale_days",
        kind: ParamKind::DAYS,
        optional: false,
    }],
    needs: |_| &["access_log"],
    outputs: &["ref", "details", "evidence"],
    evaluate,
};

fn latest(lf: LazyFrame, column: &str) -> PolarsResult<Option<DateTime<Utc>>> {
    let df = lf
        .select([col(column)
            .dt()
            .timestamp(TimeUnit::Microseconds)
            .max()
            .alias("m")])
        .collect()?;
    Ok(df
        .column("m")?
        .i64()?
        .get(0)
        .and_then(DateTime::from_timestamp_micros))
}

fn evaluate(ctx: &Context<'_>, rule: &Rule) -> PolarsResult<LazyFrame> {
    let snap = ctx.snapshot;
    let stale_days = rule.int("stale_days")?;
    // The end the exports must reach: the end of the period, or as_of if earlier.
    let end = snap.period.end_instant().min(snap.as_of);
    // The loader bounds the days; checked all the same, as no value may panic.
    let limit = Duration::try_days(stale_days)
        .and_then(|d| end.checked_sub_signed(d))
        .ok_or_else(
            || polars_err!(ComputeError: "stale_days = {stale_days} reaches outside the calendar"),
        )?;
    let end_day = snap.period.to.min(snap.as_of_day());
    let show = |t: DateTime<Utc>| {
        t.with_timezone(&chrono_tz::Europe::Tallinn)
            .format("%Y-%m-%d %H:%M")
            .to_string()
    };
    let mut refs: Vec<String> = Vec::new();
    let mut details: Vec<String> = Vec::new();

    let mut log_problems = Vec::new();
    // The log's newest event is known from the snapshot (read once).
    let newest = snap
        .access_log_range()
        .map_err(|e| polars_err!(ComputeError: "{e}"))?
        .map(|(_, last)| last);
    match newest {
        Some(t) if t < limit => log_problems.push(format!(
            "its newest event is from {}, more than {stale_days} days before {}",
            show(t),
            show(end)
        )),
        None => log_problems.push("it holds no event at all".to_string()),
        _ => {}
    }
    let seen: Vec<i32> = super::collect_streaming(
        ctx.frame("access_log")
            .filter(
                col("ts")
                    .gt_eq(instant(snap.period.start_instant()))
                    .and(col("ts").lt(instant(snap.period.end_instant()))),
            )
            // Distinct UTC hours first (a few thousand), then their local days:
            // converting every event's time zone costs seconds per ten million.
            .select([(col("ts").cast(DataType::Int64) / lit(3_600_000_000i64)).alias("hour")])
            .unique(None, UniqueKeepStrategy::Any)
            .select([super::facts::local_day(
                (col("hour") * lit(3_600_000_000i64)).cast(timestamp_dtype()),
            )
            .alias("day")])
            .unique(None, UniqueKeepStrategy::Any),
    )?
    .column("day")?
    .date()?
    .physical()
    .into_no_null_iter()
    .collect();
    let epoch = NaiveDate::default();
    let missing: Vec<String> = snap
        .period
        .from
        .iter_days()
        .take_while(|d| *d <= end_day)
        .filter(|d| snap.calendar.is_working_day(*d))
        .filter(|d| !seen.contains(&(d.signed_duration_since(epoch).num_days() as i32)))
        .map(|d| d.to_string())
        .collect();
    if !missing.is_empty() {
        log_problems.push(format!(
            "it has no event on {} working day(s) of the period: {}",
            missing.len(),
            missing.join(", ")
        ));
    }
    if !log_problems.is_empty() {
        refs.push("access_log".into());
        details.push(log_problems.join("; "));
    }
    if let Some(t) = latest(ctx.frame("accounts"), "last_login_at")? {
        if t < limit {
            refs.push("accounts".into());
            details.push(format!(
                "its newest last_login_at is from {}, more than {stale_days} days before {}",
                show(t),
                show(end)
            ));
        }
    }
    let evidence: Vec<String> = refs
        .iter()
        .map(|t| {
            snap.table(t)
                .map(|l| {
                    l.files
                        .iter()
                        .map(|f| f.name.clone())
                        .collect::<Vec<_>>()
                        .join(" ")
                })
                .unwrap_or_default()
        })
        .collect();
    let df = DataFrame::new_infer_height(vec![
        Column::new("ref".into(), refs),
        Column::new("details".into(), details),
        Column::new("evidence".into(), evidence),
    ])?;
    Ok(df.lazy())
}
