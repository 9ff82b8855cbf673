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

use chrono::NaiveDate;
use polars::prelude::*;

use accessaudit_ingest::contract::{FILE_COLUMN, ROW_COLUMN};

use super::facts::{self, covers_day, instant};
use super::Context;

/// The Europe/Tallinn time zone for local clock questions.
fn tallinn() -> TimeZone {
    TimeZone::opt_try_new(Some("Europe/Tallinn"))
        .ok()
        .flatten()
        .unwrap_or(TimeZone::UTC)
}

/// Access-log events inside the period, with owner and the owner's unit and
/// employer that day: `ts`, `system`, `account_id`, `subject_id`, `action`,
/// `case_id`, `__file`, `__row`, `day`, `minute_of_day`, `owner`, `kind`,
/// `unit`, `organisation`.
pub fn events(ctx: &Context<'_>) -> LazyFrame {
    let from = instant(ctx.snapshot.period.start_instant());
    let to = instant(ctx.snapshot.period.end_instant());
    let local = col("ts").dt().convert_time_zone(tallinn());
    let log = ctx
        .frame("access_log")
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
            local.clone().dt().date().alias("day"),
            (local.clone().dt().hour().cast(DataType::Int32) * lit(60i32)
                + local.dt().minute().cast(DataType::Int32))
            .alias("minute_of_day"),
        ]);
    // Owner and the owner's post that day, looked up once per account-day.
    let account_days = log
        .clone()
        .select([col("system"), col("account_id"), col("day")])
        .unique(None, UniqueKeepStrategy::Any)
        .join(
            ctx.frame("accounts").select([
                col("system"),
                col("account_id"),
                col("person_id").alias("owner"),
                col("kind"),
            ]),
            [col("system"), col("account_id")],
            [col("system"), col("account_id")],
            JoinArgs::new(JoinType::Left),
        );
    let posts = account_days
        .clone()
        .select([col("owner"), col("day")])
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
        .group_by([col("owner"), col("day")])
        .agg([col("unit").first(), col("organisation").first()]);
    let account_days = account_days.join(
        posts,
        [col("owner"), col("day")],
        [col("owner"), col("day")],
        JoinArgs::new(JoinType::Left),
    );
    log.join(
        account_days,
        [col("system"), col("account_id"), col("day")],
        [col("system"), col("account_id"), col("day")],
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
    let explaining = events
        .clone()
        .select([
            col("__ev"),
            col("system"),
            col("subject_id"),
            col("case_id"),
            col("owner"),
            col("unit"),
            col("ts"),
        ])
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
        // Prefer the case the event names.
        .sort_by_exprs([col("__ev"), named.not()], SortMultipleOptions::default())
        .group_by([col("__ev")])
        .agg([col("c_case_id").first().alias("case_used")]);
    events
        .join(
            explaining,
            [col("__ev")],
            [col("__ev")],
            JoinArgs::new(JoinType::Left),
        )
        .with_column(col("case_used").is_not_null().alias("explained"))
}

/// Events with `has_role`: the account held an effective personal-data role
/// in that system at `ts` (on an open, unsuspended account).
fn with_role(ctx: &Context<'_>, events: LazyFrame) -> LazyFrame {
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
    let holding = events
        .clone()
        .select([col("__ev"), col("system"), col("account_id"), col("ts")])
        .join(
            pd_rights,
            [col("system"), col("account_id")],
            [col("system"), col("account_id")],
            JoinArgs::new(JoinType::Inner),
        )
        .filter(facts::covers("eff_start", "eff_end", col("ts")))
        .select([col("__ev")])
        .unique(None, UniqueKeepStrategy::Any)
        .with_column(lit(true).alias("has_role"));
    events
        .join(
            holding,
            [col("__ev")],
            [col("__ev")],
            JoinArgs::new(JoinType::Left),
        )
        .with_column(col("has_role").fill_null(lit(false)))
}

/// Working days of the period as a small table: `day`, `working`.
fn calendar_days(ctx: &Context<'_>) -> PolarsResult<LazyFrame> {
    let p = &ctx.snapshot.period;
    let days: Vec<NaiveDate> = p.from.iter_days().take_while(|d| *d <= p.to).collect();
    let working: Vec<bool> = days
        .iter()
        .map(|d| ctx.snapshot.calendar.is_working_day(*d))
        .collect();
    let epoch = NaiveDate::default();
    let numbers: Vec<i32> = days
        .iter()
        .map(|d| d.signed_duration_since(epoch).num_days() as i32)
        .collect();
    let df = DataFrame::new_infer_height(vec![
        Column::new("day".into(), numbers).cast(&DataType::Date)?,
        Column::new("working".into(), working),
    ])?;
    Ok(df.lazy())
}

/// Sum of a flag and the first and last `ts` where it holds.
fn flag_aggs(name: &str, flag: Expr) -> [Expr; 3] {
    [
        flag.clone()
            .cast(DataType::UInt32)
            .sum()
            .alias(format!("{name}_events")),
        col("ts")
            .filter(flag.clone())
            .min()
            .alias(format!("{name}_first")),
        col("ts").filter(flag).max().alias(format!("{name}_last")),
    ]
}

/// The flags counted per group, with the event-level condition of each.
pub const EVENT_FLAGS: &[&str] = &[
    "all",
    "unexplained",
    "without_role",
    "after_hours",
    "export_unexplained",
];

/// The PD facts at the grain account × subject × day: `system`,
/// `account_id`, `subject_id`, `day`, `owner`, `kind`, `unit`,
/// `organisation`, `<flag>_events/_first/_last` for every event flag,
/// `evidence` (the first event's `table:row`), and the grain-level flags
/// `ended`, `absent`, `self_lookup`, `colleague`, `watch_category`,
/// `relative`, `out_of_area`, `municipality`. `has_cases` says whether
/// explanation could be judged at all.
pub fn groups(ctx: &Context<'_>) -> PolarsResult<DataFrame> {
    let has_cases = ctx.snapshot.table("cases").is_some();
    let events = events(ctx);
    let events = if has_cases {
        explain(ctx, events)
    } else {
        events.with_row_index("__ev", None).with_columns([
            lit(NULL).cast(DataType::String).alias("case_used"),
            lit(false).alias("explained"),
        ])
    };
    let events = with_role(ctx, events)
        .join(
            calendar_days(ctx)?,
            [col("day")],
            [col("day")],
            JoinArgs::new(JoinType::Left),
        )
        .with_column(
            col("minute_of_day")
                .lt(lit(ctx.working_hours.0 as i32))
                .or(col("minute_of_day").gt_eq(lit(ctx.working_hours.1 as i32)))
                .or(col("working").fill_null(lit(true)).not())
                .alias("after_hours_flag"),
        )
        .with_column(facts::row_ref(ctx.snapshot.table("access_log")).alias("event_ref"));
    let unexplained = col("explained").not();
    let mut aggs: Vec<Expr> = vec![
        col("owner").first(),
        col("kind").first(),
        col("unit").first(),
        col("organisation").first(),
        col("event_ref")
            .sort_by([col("ts")], SortMultipleOptions::default())
            .first()
            .alias("evidence"),
    ];
    aggs.extend([
        len().alias("all_events"),
        col("ts").min().alias("all_first"),
        col("ts").max().alias("all_last"),
    ]);
    aggs.extend(flag_aggs("unexplained", unexplained.clone()));
    aggs.extend(flag_aggs("without_role", col("has_role").not()));
    aggs.extend(flag_aggs("after_hours", col("after_hours_flag")));
    aggs.extend(flag_aggs(
        "export_unexplained",
        unexplained.and(
            col("action")
                .eq(lit("export"))
                .or(col("action").eq(lit("print"))),
        ),
    ));
    let grouped = events
        .group_by([
            col("system"),
            col("account_id"),
            col("subject_id"),
            col("day"),
        ])
        .agg(aggs);
    let grouped = with_grain_flags(ctx, grouped)?
        .with_column(lit(has_cases).alias("has_cases"))
        .sort(
            ["system", "account_id", "day", "subject_id"],
            SortMultipleOptions::default(),
        );
    if tracing::enabled!(tracing::Level::DEBUG) {
        // -vv shows the optimised plan: the period filter should sit in the scan.
        if let Ok(plan) = grouped.clone().explain(true) {
            tracing::debug!("PD facts plan:\n{plan}");
        }
    }
    grouped.collect()
}

/// Adds the flags that depend only on (owner, subject, day).
fn with_grain_flags(ctx: &Context<'_>, groups: LazyFrame) -> PolarsResult<LazyFrame> {
    let left = || JoinArgs::new(JoinType::Left);
    // Owner's employment ended before the day (no row ongoing that day or later).
    let ended = ctx
        .frame("employees")
        .group_by([col("person_id")])
        .agg([
            col("valid_to").max().alias("end_day"),
            col("valid_to").is_null().any(true).alias("open_ended"),
        ])
        .filter(col("open_ended").not())
        .select([col("person_id").alias("owner"), col("end_day")]);
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
    let watch = ctx.frame("watchlist").group_by([col("subject_id")]).agg([
        col("category")
            .filter(col("category").neq(lit("employee")))
            .sort(SortOptions::default())
            .first()
            .alias("watch_category"),
        col("category")
            .eq(lit("employee"))
            .any(true)
            .alias("watch_employee"),
    ]);
    // Relatives, read both ways.
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
    .agg([col("relation").first()]);
    let municipality = ctx
        .frame("subjects")
        .group_by([col("subject_id")])
        .agg([col("municipality").first()]);
    Ok(groups
        .join(ended, [col("owner")], [col("owner")], left())
        .join(
            absent,
            [col("owner"), col("day")],
            [col("owner"), col("day")],
            left(),
        )
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
        .with_columns([
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
