//! Facts about personal-data access events, computed once per audit and
//! shared by the PD rules and the explained-access figures.
//!
//! Event-level questions (was the event explained by a case open at `ts`, did
//! the account hold a personal-data role at `ts`, was it after hours) are
//! answered by equi-joins on keys against small tables, never cross joins;
//! then events are aggregated to the PD grain, account × subject × day, and
//! the questions that depend only on that grain (owner absent that day, owner's
//! employment ended, subject a colleague, on the watchlist, a relative, from
//! another municipality) are answered on the much smaller aggregate.

use chrono::{DateTime, NaiveDate, Offset, TimeZone as _, Utc};
use polars::prelude::*;

use accessaudit_ingest::contract::{timestamp_dtype, FILE_COLUMN, ROW_COLUMN};

use super::facts::{self, covers_day, instant};
use super::{collect_streaming, Context, LogRead};

const MICROS_PER_DAY: i64 = 86_400_000_000;

/// Tallinn's calendar day of `ts` and the microsecond of that local day, as
/// integer arithmetic on the UTC microseconds: the UTC offset is a constant
/// between the DST changes, which are found once for the period. (Converting
/// every event through the time-zone database took seconds per ten million.)
fn local_day_and_micros(from: DateTime<Utc>, to: DateTime<Utc>) -> (Expr, Expr) {
    let offset_at = |t: DateTime<Utc>| -> i64 {
        i64::from(
            chrono_tz::Europe::Tallinn
                .offset_from_utc_datetime(&t.naive_utc())
                .fix()
                .local_minus_utc(),
        ) * 1_000_000
    };
    // Offsets change on the hour; a day's margin either side covers events
    // the period filter keeps.
    let start = from - chrono::Duration::days(1);
    let hours = (to - start).num_hours() + 24;
    let mut offset = lit(offset_at(start));
    let mut current = offset_at(start);
    let micros = col("ts").cast(DataType::Int64);
    for h in 1..=hours {
        let t = start + chrono::Duration::hours(h);
        let o = offset_at(t);
        if o != current {
            offset = when(micros.clone().gt_eq(lit(t.timestamp_micros())))
                .then(lit(o))
                .otherwise(offset);
            current = o;
        }
    }
    let local = micros + offset;
    // Integer division truncates; instants after 1970 are positive, so it
    // is the floor.
    let day = (local.clone() / lit(MICROS_PER_DAY))
        .cast(DataType::Int32)
        .cast(DataType::Date);
    (day, local % lit(MICROS_PER_DAY))
}

/// Bits of an event's position in its slice within [`first_key`].
const POSITION_BITS: u32 = 27;

/// A key that orders the events of one local day by time and then by
/// position in the slice, unique per event: microseconds since the UTC
/// midnight of the day's date, shifted by four hours so that it is positive
/// (Tallinn is two or three hours ahead, so a local day spans 1 h to 26 h
/// of it, below 2^37), above the event's position `__ev` (below 2^27).
/// `min_by` on it finds a group's first event in whatever order the
/// streaming engine sees the events, and ties in time go to the earlier row.
fn first_key() -> Expr {
    let micros = col("ts").cast(DataType::Int64);
    let day_start = col("day").cast(DataType::Int32).cast(DataType::Int64) * lit(MICROS_PER_DAY);
    let since = micros - day_start + lit(4 * 3_600_000_000i64);
    since.cast(DataType::UInt64) * lit(1u64 << POSITION_BITS) + col("__ev").cast(DataType::UInt64)
}

/// Access-log events inside the period, with owner and the owner's unit and
/// employer that day: `ts`, `system`, `account_id`, `subject_id`, `action`,
/// `case_id`, `__file`, `__row`, `day`, `minute_of_day`, `owner`, `kind`,
/// `unit`, `organisation`.
pub fn events(ctx: &Context<'_>) -> LazyFrame {
    let p = &ctx.snapshot.period;
    with_owners(ctx, period_events(ctx, p.start_instant(), p.end_instant()))
}

/// Access-log events inside the period, as read: `ts`, `system`,
/// `account_id`, `subject_id`, `action`, `case_id`, `__file`, `__row`, `day`,
/// `minute_of_day`.
fn period_events(ctx: &Context<'_>, start: DateTime<Utc>, end: DateTime<Utc>) -> LazyFrame {
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
fn with_owners(ctx: &Context<'_>, rows: LazyFrame) -> LazyFrame {
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
fn with_account_owners(ctx: &Context<'_>, rows: LazyFrame) -> LazyFrame {
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
fn with_owner_units(ctx: &Context<'_>, rows: LazyFrame) -> LazyFrame {
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

/// Events with `explained` (a case of the subject in the system open at `ts`
/// that the event names, or whose handler is the owner or whose unit is the
/// owner's unit that day) and `case_used` (the explaining case).
pub fn explain(ctx: &Context<'_>, events: LazyFrame) -> LazyFrame {
    let events = events.with_row_index("__ev", None);
    let cases = ctx.frame("cases").select([
        col("system"),
        col("subject_id"),
        col("case_id").alias("c_case_id"),
        col("unit").alias("c_unit"),
        col("handler_id").alias("c_handler"),
        col("opened_at").alias("c_opened"),
        col("closed_at").alias("c_closed"),
    ]);
    let named = col("case_id").eq(col("c_case_id")).fill_null(lit(false));
    let by_owner = col("c_handler").eq(col("owner")).fill_null(lit(false));
    let by_unit = col("c_unit").eq(col("unit")).fill_null(lit(false));
    let explaining = with_owner_units(
        ctx,
        events.clone().select([
            col("__ev"),
            col("system"),
            col("subject_id"),
            col("case_id"),
            col("owner"),
            col("day"),
            col("ts"),
        ]),
    )
    .join(
        cases,
        [col("system"), col("subject_id")],
        [col("system"), col("subject_id")],
        JoinArgs::new(JoinType::Inner),
    )
    .filter(
        col("c_opened")
            .lt_eq(col("ts"))
            .and(col("c_closed").is_null().or(col("c_closed").gt(col("ts"))))
            .and(named.clone().or(by_owner).or(by_unit)),
    )
    // Prefer the case the event names; else the smallest id, so that
    // the same inputs always give the same answer. (A group-wise pick
    // rather than a sort of every event-case pair.)
    .group_by([col("__ev")])
    .agg([
        col("c_case_id").filter(named).first().alias("named_case"),
        col("c_case_id").min().alias("any_case"),
    ])
    .select([
        col("__ev"),
        coalesce(&[col("named_case"), col("any_case")]).alias("case_used"),
    ]);
    events
        .join(
            explaining,
            [col("__ev")],
            [col("__ev")],
            JoinArgs::new(JoinType::Left),
        )
        .with_column(col("case_used").is_not_null().alias("explained"))
}

/// `__ev` of every event whose account held an effective personal-data
/// role at `ts` (once per such role).
fn with_role_pairs(ctx: &Context<'_>, events: LazyFrame) -> LazyFrame {
    let pd_rights = facts::rights(ctx)
        .join(
            facts::role_catalogue(ctx),
            [col("system"), col("role")],
            [col("system"), col("role")],
            JoinArgs::new(JoinType::Inner),
        )
        .filter(col("personal_data"))
        .select([
            col("system"),
            col("account_id"),
            col("eff_start"),
            col("eff_end"),
        ]);
    events
        .select([col("__ev"), col("system"), col("account_id"), col("ts")])
        .join(
            pd_rights,
            [col("system"), col("account_id")],
            [col("system"), col("account_id")],
            JoinArgs::new(JoinType::Inner),
        )
        .filter(facts::covers("eff_start", "eff_end", col("ts")))
        .select([col("__ev")])
}

/// Marks the events whose `__ev` appears in `found`.
fn mark(mask: &mut [bool], found: &DataFrame) -> PolarsResult<()> {
    for ev in found.column("__ev")?.u32()?.iter().flatten() {
        if let Some(m) = mask.get_mut(ev as usize) {
            *m = true;
        }
    }
    Ok(())
}

/// Which events a case explains (the reading of [`explain`]), as a flag per
/// event: first the cases the events name, joined on their id; then, for
/// the rest, the subject's cases handled by the owner or the owner's unit.
/// Flags are set by event number instead of joining millions of rows back.
fn explained_mask(
    ctx: &Context<'_>,
    events: &DataFrame,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
) -> PolarsResult<Vec<bool>> {
    // Only cases open at some moment of the slice can explain its events;
    // the rest of a quarter's cases would only make the joins bigger.
    let open_in_slice = col("opened_at").lt(instant(end)).and(
        col("closed_at")
            .is_null()
            .or(col("closed_at").gt(instant(start))),
    );
    let cases = ctx.frame("cases").filter(open_in_slice).collect()?;
    tracing::debug!(cases = cases.height(), "PD slice");
    let cases = cases.lazy().select([
        col("system").alias("c_system"),
        col("subject_id").alias("c_subject"),
        col("case_id").alias("c_case_id"),
        col("unit").alias("c_unit"),
        col("handler_id").alias("c_handler"),
        col("opened_at").alias("c_opened"),
        col("closed_at").alias("c_closed"),
    ]);
    let open_at_ts = col("c_opened")
        .lt_eq(col("ts"))
        .and(col("c_closed").is_null().or(col("c_closed").gt(col("ts"))));
    let mut mask = vec![false; events.height()];
    let named = events
        .clone()
        .lazy()
        .filter(col("case_id").is_not_null())
        .select([
            col("__ev"),
            col("system"),
            col("subject_id"),
            col("case_id"),
            col("ts"),
        ])
        .join(
            cases.clone(),
            [col("case_id")],
            [col("c_case_id")],
            JoinArgs::new(JoinType::Inner),
        )
        .filter(
            col("system")
                .eq(col("c_system"))
                .and(col("subject_id").eq(col("c_subject")))
                .and(open_at_ts.clone()),
        )
        .select([col("__ev")]);
    let named = collect_streaming(named)?;
    mark(&mut mask, &named)?;
    tracing::debug!(
        named = named.height(),
        "PD slice: events explained by the case they name"
    );
    let mut rest = events.select(["__ev", "system", "account_id", "subject_id", "day", "ts"])?;
    rest.with_column(Column::new("__done".into(), mask.clone()))?;
    let rest = rest.lazy().filter(col("__done").not());
    let by_unit = with_owner_units(ctx, with_account_owners(ctx, rest))
        .join(
            cases,
            [col("system"), col("subject_id")],
            [col("c_system"), col("c_subject")],
            JoinArgs::new(JoinType::Inner),
        )
        .filter(
            open_at_ts.and(
                col("c_handler")
                    .eq(col("owner"))
                    .fill_null(lit(false))
                    .or(col("c_unit").eq(col("unit")).fill_null(lit(false))),
            ),
        )
        .select([col("__ev")]);
    let by_unit = collect_streaming(by_unit)?;
    mark(&mut mask, &by_unit)?;
    Ok(mask)
}

/// Which events' accounts held an effective personal-data role in that
/// system at `ts` (on an open, unsuspended account), as a flag per event.
fn role_mask(ctx: &Context<'_>, events: &DataFrame) -> PolarsResult<Vec<bool>> {
    let holding = collect_streaming(with_role_pairs(ctx, events.clone().lazy()))?;
    let mut mask = vec![false; events.height()];
    mark(&mut mask, &holding)?;
    Ok(mask)
}

/// Whether `day` is a working day, as an expression: the period's days off
/// are few, so a look-up in them costs less than joining a calendar table
/// to millions of events (which would gather every column of every event).
fn is_working_day(ctx: &Context<'_>) -> PolarsResult<Expr> {
    let p = &ctx.snapshot.period;
    let epoch = NaiveDate::default();
    let days_off: Vec<i32> = p
        .from
        .iter_days()
        .take_while(|d| *d <= p.to)
        .filter(|d| !ctx.snapshot.calendar.is_working_day(*d))
        .map(|d| d.signed_duration_since(epoch).num_days() as i32)
        .collect();
    let days_off = Series::new("days_off".into(), days_off).cast(&DataType::Date)?;
    Ok(col("day").is_in(lit(days_off).implode(false), false).not())
}

/// The flags counted per group, with the event-level condition of each.
pub const EVENT_FLAGS: &[&str] = &[
    "all",
    "unexplained",
    "without_role",
    "after_hours",
    "export_unexplained",
];

/// The PD facts of the period.
#[derive(Debug, Clone)]
pub struct PdFacts {
    /// The account × subject × day groups where some PD rule may fire (any
    /// event flag or grain flag set), with the columns of [`groups`].
    pub groups: DataFrame,
    /// Every account × day with events: `system`, `account_id`, `day`,
    /// `owner`, `unit`, `subjects` (distinct), `all_events`,
    /// `unexplained_events`, `all_first`, `all_last`, `evidence` (the
    /// `table:row` of the account's first event that day). PD-09 and the
    /// explained-access figures need no more.
    pub account_days: DataFrame,
}

/// Days per slice of the period when the log is Parquet: each slice is
/// read with the period filter pushed into the scan, so only its row groups
/// are read and memory holds one slice's events at a time.
const SLICE_DAYS: u64 = 7;

/// The PD facts, computed slice by slice of the period (the grain has a day
/// in it, so slices are independent). A CSV log has no row groups to skip,
/// so it is read in one slice.
pub fn facts(ctx: &Context<'_>) -> PolarsResult<PdFacts> {
    let period = &ctx.snapshot.period;
    let parquet = ctx.snapshot.table("access_log").is_some_and(|t| {
        t.files
            .iter()
            .all(|f| f.format == accessaudit_ingest::source::Format::Parquet)
    });
    let mut slices = Vec::new();
    let mut from = period.from;
    while from <= period.to {
        let to = if parquet {
            from.checked_add_days(chrono::Days::new(SLICE_DAYS - 1))
                .map_or(period.to, |d| d.min(period.to))
        } else {
            period.to
        };
        slices.push((from, to));
        from = match to.succ_opt() {
            Some(d) => d,
            None => break,
        };
    }
    let lookups = GrainLookups::read(ctx)?;
    let mut groups: Option<DataFrame> = None;
    let mut account_days: Option<DataFrame> = None;
    let count = slices.len();
    for (i, (from, to)) in slices.into_iter().enumerate() {
        let start =
            accessaudit_ingest::values::tallinn_to_utc(from.and_time(chrono::NaiveTime::MIN));
        let end = to.succ_opt().map_or(period.end_instant(), |d| {
            accessaudit_ingest::values::tallinn_to_utc(d.and_time(chrono::NaiveTime::MIN))
        });
        let (g, a, events) = slice_facts(ctx, &lookups, start, end)?;
        ctx.log_read(LogRead {
            slice: i + 1,
            slices: count,
            events: Some(events as u64),
        });
        match groups.as_mut() {
            Some(all) => {
                all.vstack_mut(&g)?;
            }
            None => groups = Some(g),
        }
        match account_days.as_mut() {
            Some(all) => {
                all.vstack_mut(&a)?;
            }
            None => account_days = Some(a),
        }
    }
    let (Some(mut groups), Some(mut account_days)) = (groups, account_days) else {
        return Err(polars_err!(ComputeError: "the period has no days"));
    };
    groups.rechunk_mut();
    account_days.rechunk_mut();
    Ok(PdFacts {
        groups,
        account_days,
    })
}

/// The PD facts at the grain account × subject × day: `system`,
/// `account_id`, `subject_id`, `day`, `owner`, `kind`, `unit`,
/// `organisation`, `<flag>_events/_first/_last` for every event flag,
/// `evidence` (the first event's `table:row`), and the grain-level flags
/// `ended`, `absent`, `self_lookup`, `colleague`, `watch_category`,
/// `relative`, `out_of_area`, `municipality`. `has_cases` says whether
/// explanation could be judged at all. The third value is the slice's events.
fn slice_facts(
    ctx: &Context<'_>,
    lookups: &GrainLookups,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
) -> PolarsResult<(DataFrame, DataFrame, usize)> {
    let has_cases = ctx.snapshot.table("cases").is_some();
    // The in-period events, read once: explanation, roles and the grouping
    // below each use them, and a lazy plan would scan the log again for each.
    let clock = std::time::Instant::now();
    let step = |what: &str| tracing::debug!(step = what, elapsed = ?clock.elapsed(), "PD slice");
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
    let explained = if has_cases {
        explained_mask(ctx, &events, start, end)?
    } else {
        vec![false; n]
    };
    step("explained");
    let has_role = role_mask(ctx, &events)?;
    step("role");
    events.with_column(Column::new("explained".into(), explained))?;
    events.with_column(Column::new("has_role".into(), has_role))?;
    let unexplained = col("explained").not();
    let flags = [
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
    ];
    // Two passes over the slice's events. Every event is counted per group
    // with plain sums, minima and maxima (few aggregations: over millions of
    // groups each one is a random gather). Only the few flagged events are
    // grouped again for when each flag was first and last seen.
    let first = || col("__first");
    let mut counts: Vec<Expr> = vec![first_key().alias("__first")];
    let mut aggs: Vec<Expr> = vec![
        // The first event's row; formatted as `file:row` only for the
        // groups kept, not per group or event.
        col(FILE_COLUMN).min_by(first()).alias(FILE_COLUMN),
        col(ROW_COLUMN).min_by(first()).alias(ROW_COLUMN),
        first().min(),
        len().alias("all_events"),
        col("ts").min().alias("all_first"),
        col("ts").max().alias("all_last"),
    ];
    let mut stamps: Vec<Expr> = Vec::new();
    let mut stamp_aggs: Vec<Expr> = Vec::new();
    let mut any_flag: Option<Expr> = None;
    for (name, flag) in flags {
        let n = format!("{name}_n");
        counts.push(flag.cast(DataType::UInt32).alias(&n));
        aggs.push(col(&n).sum().alias(format!("{name}_events")));
        stamps.push(
            when(col(&n).gt(lit(0u32)))
                .then(col("ts"))
                .otherwise(lit(NULL).cast(timestamp_dtype()))
                .alias(format!("{name}_ts")),
        );
        stamp_aggs.extend([
            col(format!("{name}_ts"))
                .min()
                .alias(format!("{name}_first")),
            col(format!("{name}_ts"))
                .max()
                .alias(format!("{name}_last")),
        ]);
        let on = col(&n).gt(lit(0u32));
        any_flag = Some(match any_flag {
            Some(a) => a.or(on),
            None => on,
        });
    }
    let keys = || {
        [
            col("system"),
            col("account_id"),
            col("subject_id"),
            col("day"),
        ]
    };
    // Both passes compute the flags as they stream the events (elementwise
    // and in parallel) rather than keeping them as columns of the slice.
    let counted = || events.clone().lazy().with_columns(counts.clone());
    let flagged_times = collect_streaming(
        counted()
            .filter(any_flag.unwrap_or(lit(false)))
            .with_columns(stamps)
            .group_by(keys())
            .agg(stamp_aggs),
    )?;
    tracing::debug!(
        groups = flagged_times.height(),
        "PD slice: groups with a flagged event"
    );
    step("flag times");
    let grouped = collect_streaming(counted().group_by(keys()).agg(aggs))?;
    step("group_by");
    tracing::debug!(groups = grouped.height(), events = n, "PD slice");
    let grouped = collect_streaming(
        with_owners(ctx, grouped.lazy()).with_column(lit(has_cases).alias("has_cases")),
    )?;
    step("grouped");
    let evidence = || facts::row_ref(ctx.snapshot.table("access_log")).alias("evidence");
    let account_days = collect_streaming(
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
    .with_column(evidence())
    .drop(cols([FILE_COLUMN, ROW_COLUMN]))
    .collect()?;
    step("account days");
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
    let flagged = collect_streaming(flagged)?
        .lazy()
        .join(
            flagged_times.lazy(),
            keys(),
            keys(),
            JoinArgs::new(JoinType::Left),
        )
        .with_column(evidence())
        .drop(cols([FILE_COLUMN, ROW_COLUMN, "__first"]))
        .collect()?;
    step("flags");
    Ok((flagged, account_days, n))
}

/// Adds the flags that depend only on (owner, subject, day).
/// The tables the grain flags look people up in, read once per audit
/// rather than once per slice (the subjects' municipalities are millions of
/// rows), and the lists that say who a grain flag can mark at all.
struct GrainLookups {
    /// Owners whose employment ended: `owner`, `end_day`.
    ended: DataFrame,
    /// Subjects on the watchlist: `subject_id`, `watch_category` (the
    /// first category that is not `employee`), `watch_employee`.
    watch: DataFrame,
    /// Relatives, read both ways: `owner`, `subject_id`, `relation`.
    relatives: DataFrame,
    /// `subject_id`, `municipality`.
    municipality: DataFrame,
    /// Owners a grain flag can mark: employment ended or some absence.
    marked_owners: Series,
    /// Subjects a grain flag can mark: on the watchlist.
    marked_subjects: Series,
}

impl GrainLookups {
    fn read(ctx: &Context<'_>) -> PolarsResult<Self> {
        // Owner's employment ended (no row ongoing).
        let ended = ctx
            .frame("employees")
            .group_by([col("person_id")])
            .agg([
                col("valid_to").max().alias("end_day"),
                col("valid_to").is_null().any(true).alias("open_ended"),
            ])
            .filter(col("open_ended").not())
            .select([col("person_id").alias("owner"), col("end_day")])
            .collect()?;
        let watch = ctx
            .frame("watchlist")
            .group_by([col("subject_id")])
            .agg([
                col("category")
                    .filter(col("category").neq(lit("employee")))
                    .sort(SortOptions::default())
                    .first()
                    .alias("watch_category"),
                col("category")
                    .eq(lit("employee"))
                    .any(true)
                    .alias("watch_employee"),
            ])
            .collect()?;
        let ties = ctx.frame("relations");
        let relatives = concat(
            [
                ties.clone().select([
                    col("person_id").alias("owner"),
                    col("relative_id").alias("subject_id"),
                    col("relation"),
                ]),
                ties.select([
                    col("relative_id").alias("owner"),
                    col("person_id").alias("subject_id"),
                    col("relation"),
                ]),
            ],
            UnionArgs::default(),
        )?
        .group_by([col("owner"), col("subject_id")])
        .agg([col("relation").first()])
        .collect()?;
        let municipality = ctx
            .frame("subjects")
            .group_by([col("subject_id")])
            .agg([col("municipality").first()])
            .collect()?;
        let marked_owners = concat(
            [
                ended.clone().lazy().select([col("owner")]),
                ctx.frame("absences")
                    .select([col("person_id").alias("owner")]),
            ],
            UnionArgs::default(),
        )?
        .unique(None, UniqueKeepStrategy::Any)
        .collect()?
        .column("owner")?
        .as_materialized_series()
        .clone();
        let marked_subjects = watch.column("subject_id")?.as_materialized_series().clone();
        Ok(GrainLookups {
            ended,
            watch,
            relatives,
            municipality,
            marked_owners,
            marked_subjects,
        })
    }

    /// Whether a grain flag may mark a group: true wherever `ended`,
    /// `absent`, `self_lookup` or a watchlist category may be, or an event
    /// flag that keeps a group without them is set.
    fn may_flag(&self) -> Expr {
        let listed = |c: &str, s: &Series| {
            col(c)
                .is_in(lit(s.clone()).implode(false), false)
                .fill_null(lit(false))
        };
        col("without_role_events")
            .gt(lit(0u32))
            .or(col("after_hours_events").gt(lit(0u32)))
            .or(col("subject_id").eq(col("owner")).fill_null(lit(false)))
            .or(listed("owner", &self.marked_owners))
            .or(listed("subject_id", &self.marked_subjects))
    }
}

/// Adds the flags that depend only on (owner, subject, day).
fn with_grain_flags(
    ctx: &Context<'_>,
    lookups: &GrainLookups,
    groups: LazyFrame,
    subject_flags: bool,
) -> PolarsResult<LazyFrame> {
    let left = || JoinArgs::new(JoinType::Left);
    let ended = lookups.ended.clone().lazy();
    let watch = lookups.watch.clone().lazy();
    let relatives = lookups.relatives.clone().lazy();
    let municipality = lookups.municipality.clone().lazy();
    // Owner absent that day.
    let owner_days = groups
        .clone()
        .select([col("owner"), col("day")])
        .unique(None, UniqueKeepStrategy::Any);
    let absent = owner_days
        .clone()
        .join(
            ctx.frame("absences").select([
                col("person_id").alias("owner"),
                col("start_date"),
                col("end_date"),
            ]),
            [col("owner")],
            [col("owner")],
            JoinArgs::new(JoinType::Inner),
        )
        .filter(covers_day("start_date", "end_date", col("day")))
        .select([col("owner"), col("day")])
        .unique(None, UniqueKeepStrategy::Any)
        .with_column(lit(true).alias("absent"));
    // Subject employed by the agency that day.
    let subject_days = groups
        .clone()
        .select([col("subject_id"), col("day")])
        .unique(None, UniqueKeepStrategy::Any);
    let colleague = subject_days
        .join(
            ctx.frame("employees")
                .filter(col("organisation").is_null())
                .select([
                    col("person_id").alias("subject_id"),
                    col("valid_from"),
                    col("valid_to"),
                ]),
            [col("subject_id")],
            [col("subject_id")],
            JoinArgs::new(JoinType::Inner),
        )
        .filter(covers_day("valid_from", "valid_to", col("day")))
        .select([col("subject_id"), col("day")])
        .unique(None, UniqueKeepStrategy::Any)
        .with_column(lit(true).alias("employed_subject"));
    let groups = groups
        .join(ended, [col("owner")], [col("owner")], left())
        .join(
            absent,
            [col("owner"), col("day")],
            [col("owner"), col("day")],
            left(),
        );
    let none = || lit(NULL).cast(DataType::String);
    // The same columns in the same order either way, so the two parts concatenate.
    let groups = if subject_flags {
        groups
            .join(
                colleague,
                [col("subject_id"), col("day")],
                [col("subject_id"), col("day")],
                left(),
            )
            .join(watch, [col("subject_id")], [col("subject_id")], left())
            .join(
                relatives,
                [col("owner"), col("subject_id")],
                [col("owner"), col("subject_id")],
                left(),
            )
            .join(
                municipality,
                [col("subject_id")],
                [col("subject_id")],
                left(),
            )
    } else {
        groups
            .with_column(lit(false).alias("employed_subject"))
            .join(watch, [col("subject_id")], [col("subject_id")], left())
            .with_column(none().alias("relation"))
            .with_column(none().alias("municipality"))
    };
    Ok(groups.with_columns([
        col("end_day")
            .is_not_null()
            .and(col("day").gt(col("end_day")))
            .alias("ended"),
        col("absent").fill_null(lit(false)),
        col("subject_id")
            .eq(col("owner"))
            .fill_null(lit(false))
            .alias("self_lookup"),
        col("employed_subject")
            .fill_null(lit(false))
            .or(col("watch_employee").fill_null(lit(false)))
            .alias("colleague"),
        col("relation").is_not_null().alias("relative"),
        col("organisation")
            .is_not_null()
            .and(col("municipality").is_not_null())
            .and(col("organisation").neq(col("municipality")))
            .fill_null(lit(false))
            .alias("out_of_area"),
    ]))
}
