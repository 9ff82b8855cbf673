//! Facts several check kinds derive from the snapshot: effective intervals of
//! rights, what duties justify, who is who, `table:row` references, and
//! working-day deadlines as expressions.
//!
//! Instants are `Datetime(µs, UTC)`; calendar days are `Date` in Europe/Tallinn.

use polars::lazy::dsl;
use polars::prelude::*;

use accessaudit_ingest::contract::{FILE_COLUMN, ROW_COLUMN};
use accessaudit_ingest::LoadedTable;

use super::Context;

mod time;

pub(crate) use time::days_since_epoch;
pub use time::{
    day, end_of_day, instant, last_day, local_day, nth_working_day_after, start_of_day,
    working_days_late,
};

/// `file:row` of each row of `table` (its `__file`, `__row` columns).
pub fn row_ref(table: Option<&LoadedTable>) -> Expr {
    let names: Vec<String> = table
        .map(|t| t.files.iter().map(|f| f.name.clone()).collect())
        .unwrap_or_default();
    let fallback = table.map_or("?", |t| t.spec.name).to_string();
    col(FILE_COLUMN).map_many(
        move |cols| {
            let files = cols[0].u32()?.clone();
            let rows = cols[1].u64()?.clone();
            let out: StringChunked = files
                .iter()
                .zip(rows.iter())
                .map(|(f, r)| {
                    let name = f
                        .and_then(|f| names.get(f as usize))
                        .map_or(fallback.as_str(), String::as_str);
                    Some(format!("{name}:{}", r?))
                })
                .collect();
            Ok(out.into_column())
        },
        &[col(ROW_COLUMN)],
        |_, _| Ok(Field::new("ref".into(), DataType::String)),
    )
}

/// Joins the non-null strings of several columns with `sep` (evidence lists).
pub fn join_texts(exprs: Vec<Expr>, sep: &'static str) -> Expr {
    let mut iter = exprs.into_iter();
    let first = iter.next().unwrap_or(lit(NULL).cast(DataType::String));
    let rest: Vec<Expr> = iter.collect();
    first.map_many(
        move |cols| {
            let cas = cols
                .iter()
                .map(|c| c.cast(&DataType::String).and_then(|c| c.str().cloned()))
                .collect::<PolarsResult<Vec<_>>>()?;
            let height = cas.first().map_or(0, |c| c.len());
            let out: StringChunked = (0..height)
                .map(|i| {
                    let parts: Vec<&str> = cas.iter().filter_map(|c| c.get(i)).collect();
                    (!parts.is_empty()).then(|| parts.join(sep))
                })
                .collect();
            Ok(out.into_column())
        },
        &rest,
        |_, _| Ok(Field::new("joined".into(), DataType::String)),
    )
}

/// Role assignments with their account and its owner, each with the interval
/// the right was really effective: `[eff_start, eff_end)` = the assignment's
/// validity cut to the account's open, unsuspended life (`eff_end` null =
/// still effective). Columns: assignment columns, `kind`, `person_id`,
/// `created_at`, `closed_at`, `suspended_from`, `eff_start`, `eff_end`,
/// `assignment_ref`, `account_ref`.
pub fn rights(ctx: &Context<'_>) -> LazyFrame {
    let accounts = ctx
        .frame("accounts")
        .with_column(row_ref(ctx.snapshot.table("accounts")).alias("account_ref"))
        .select([
            col("system"),
            col("account_id"),
            col("person_id"),
            col("kind"),
            col("created_at"),
            col("closed_at"),
            col("suspended_from"),
            col("last_login_at"),
            col("account_ref"),
        ]);
    ctx.frame("role_assignments")
        .with_column(row_ref(ctx.snapshot.table("role_assignments")).alias("assignment_ref"))
        .join(
            accounts,
            [col("system"), col("account_id")],
            [col("system"), col("account_id")],
            JoinArgs::new(JoinType::Inner),
        )
        .with_columns([
            dsl::max_horizontal([col("valid_from"), col("created_at")])
                .unwrap_or(col("valid_from"))
                .alias("eff_start"),
            dsl::min_horizontal([col("valid_to"), col("closed_at"), col("suspended_from")])
                .unwrap_or(col("valid_to"))
                .alias("eff_end"),
        ])
}

/// Rows whose interval `[start, end)` (null end = open) contains instant `t`.
pub fn covers(start: &str, end: &str, t: Expr) -> Expr {
    col(start)
        .lt_eq(t.clone())
        .and(col(end).is_null().or(col(end).gt(t)))
}

/// Rows whose interval `[start, end)` (null end = open) was effective at some
/// moment of the review: inside the period, or at `as_of` (the catalogue's
/// "Which history" for ACC-03, ACC-04 and ACC-05). Nothing after `as_of`
/// counts, and an empty interval (end at or before start) never does.
pub fn effective_in_review(ctx: &Context<'_>, start: &str, end: &str) -> Expr {
    let as_of = instant(ctx.snapshot.as_of);
    let from = instant(ctx.snapshot.period.start_instant());
    let to = instant(ctx.snapshot.period.end_instant());
    let open_after = |t: Expr| col(end).is_null().or(col(end).gt(t));
    let in_period = col(start)
        .lt(to)
        .and(col(start).lt_eq(as_of.clone()))
        .and(open_after(from))
        .and(open_after(col(start)));
    in_period.or(covers(start, end, as_of))
}

/// Rows whose closed day range `[from, to]` (null `to` = ongoing) contains day `d`.
pub fn covers_day(from: &str, to: &str, d: Expr) -> Expr {
    col(from)
        .lt_eq(d.clone())
        .and(col(to).is_null().or(col(to).gt_eq(d)))
}

/// The rights each employees row's position justifies: `person_id`,
/// `system`, `role`, `valid_from`, `valid_to` (the employees row's days),
/// `position_id`.
pub fn duty_rights(ctx: &Context<'_>) -> LazyFrame {
    let duties = position_rights(ctx);
    ctx.frame("employees")
        .select([
            col("person_id"),
            col("position_id"),
            col("valid_from"),
            col("valid_to"),
        ])
        .join(
            duties,
            [col("position_id")],
            [col("position_id")],
            JoinArgs::new(JoinType::Inner),
        )
}

/// The rights each position's duties justify: `position_id`, `system`, `role`.
pub fn position_rights(ctx: &Context<'_>) -> LazyFrame {
    ctx.frame("position_duties")
        .select([col("position_id"), col("duty")])
        .join(
            ctx.frame("duty_roles")
                .select([col("duty"), col("system"), col("role")]),
            [col("duty")],
            [col("duty")],
            JoinArgs::new(JoinType::Inner),
        )
        .select([col("position_id"), col("system"), col("role")])
        .unique(None, UniqueKeepStrategy::Any)
}

/// One row per person: `person_id`, `person_name`, `unit` from their latest
/// employees row (by `valid_from`), for naming people in findings.
pub fn people(ctx: &Context<'_>) -> LazyFrame {
    ctx.frame("employees")
        .sort(["valid_from"], SortMultipleOptions::default())
        .group_by([col("person_id")])
        .agg([
            col("name").last().alias("person_name"),
            col("unit").last().alias("unit"),
        ])
}

/// Adds `person_name` and `unit` to a frame with `person_id`.
pub fn with_people(ctx: &Context<'_>, lf: LazyFrame) -> LazyFrame {
    lf.join(
        people(ctx),
        [col("person_id")],
        [col("person_id")],
        JoinArgs::new(JoinType::Left),
    )
}

/// Adds column `alias`: how to name the person in column `id` in a message,
/// "Name (code)" when HR knows them, else the code.
pub fn with_person_label(ctx: &Context<'_>, lf: LazyFrame, id: &str, alias: &str) -> LazyFrame {
    let names = people(ctx).select([
        col("person_id").alias("__label_id"),
        col("person_name").alias("__label_name"),
    ]);
    lf.join(
        names,
        [col(id)],
        [col("__label_id")],
        JoinArgs::new(JoinType::Left),
    )
    .with_column(
        coalesce(&[
            format("{} ({})", vec![col("__label_name"), col(id)]),
            col(id),
        ])
        .alias(alias),
    )
    .drop(cols(["__label_name"]))
}

/// The people whose employment has ended by `as_of`: no `employees` row
/// ongoing on the `as_of` day (an empty `valid_to`, or one on or after that
/// day). `person_id`, `end_day` (the latest `valid_to`). The one reading of
/// "employment ended" for TIME-01 and the PD rules; overlapping rows (DQ-03
/// keeps them) count as employment over their union.
pub fn ended_employment(ctx: &Context<'_>) -> LazyFrame {
    let as_of_day = day(ctx.snapshot.as_of_day());
    ctx.frame("employees")
        .group_by([col("person_id")])
        .agg([
            col("valid_to").max().alias("end_day"),
            col("valid_to")
                .is_null()
                .or(col("valid_to").gt_eq(as_of_day))
                .any(true)
                .alias("ongoing"),
        ])
        .filter(col("ongoing").not().and(col("end_day").is_not_null()))
        .select([col("person_id"), col("end_day")])
}

/// The [`rights`] whose role reads personal data (`personal_data` in the
/// role catalogue), with `role_name` and `personal_data`.
pub fn personal_data_rights(ctx: &Context<'_>) -> LazyFrame {
    rights(ctx)
        .join(
            role_catalogue(ctx),
            [col("system"), col("role")],
            [col("system"), col("role")],
            JoinArgs::new(JoinType::Inner),
        )
        .filter(col("personal_data"))
}

/// Role names from the role catalogue: `system`, `role`, `role_name`, `personal_data`.
pub fn role_catalogue(ctx: &Context<'_>) -> LazyFrame {
    ctx.frame("roles").select([
        col("system"),
        col("role"),
        col("name").alias("role_name"),
        col("personal_data"),
    ])
}

/// Adds the lateness of a right: given `due` (the day the deadline counts
/// from), `n` working days, and the right's `[eff_start, eff_end)` (null end =
/// still effective), keeps the rows still effective after the deadline
/// (`deadline_at`) whose late stretch reaches into the period or lasts to
/// `as_of`, with `deadline_day`, `late_end`, `late_until` (the last late day),
/// `days_late` and `open_at_as_of`. `until`, when given, is the instant after
/// which the right no longer counts as late (the end of an absence).
pub fn late_rights(
    ctx: &Context<'_>,
    lf: LazyFrame,
    due: Expr,
    n: u32,
    until: Option<Expr>,
) -> LazyFrame {
    let as_of = instant(ctx.snapshot.as_of);
    let cap = match until {
        Some(u) => dsl::min_horizontal([u, as_of.clone()]).unwrap_or(as_of.clone()),
        None => as_of.clone(),
    };
    let period_start = instant(ctx.snapshot.period.start_instant());
    let cal = &ctx.snapshot.calendar;
    lf.with_column(nth_working_day_after(due, n, cal).alias("deadline_day"))
        .with_column(end_of_day(col("deadline_day")).alias("deadline_at"))
        .with_columns([
            col("eff_end")
                .is_null()
                .or(col("eff_end").gt(as_of.clone()))
                .and(cap.clone().eq(as_of.clone()))
                .alias("open_at_as_of"),
            // History stops at as_of: what happens later is not known yet.
            dsl::min_horizontal([col("eff_end"), cap.clone()])
                .unwrap_or(cap)
                .alias("late_end"),
        ])
        .filter(
            col("late_end")
                .gt(col("deadline_at"))
                .and(col("late_end").gt(period_start))
                .and(col("eff_start").lt(col("late_end"))),
        )
        .with_column(
            when(col("open_at_as_of"))
                .then(local_day(as_of))
                .otherwise(last_day(col("late_end")))
                .alias("late_until"),
        )
        .with_column(
            working_days_late(col("deadline_day"), col("late_until"), cal).alias("days_late"),
        )
}

/// A text built per row from `template`, whose `{}` are filled in turn with
/// the values of `args` as people read them (dates, local times); a null
/// argument makes the whole text null, so `coalesce` can pick another phrase.
pub fn format(template: &'static str, args: Vec<Expr>) -> Expr {
    let mut iter = args.into_iter();
    let Some(first) = iter.next() else {
        return lit(template);
    };
    let rest: Vec<Expr> = iter.collect();
    first.map_many(
        move |cols| {
            let height = cols.iter().map(Column::len).max().unwrap_or(0);
            let mut out: Vec<Option<String>> = Vec::with_capacity(height);
            for i in 0..height {
                let mut text = String::with_capacity(template.len() + 16);
                let mut pieces = template.split("{}");
                text.push_str(pieces.next().unwrap_or_default());
                let mut complete = true;
                for (c, piece) in cols.iter().zip(pieces) {
                    let index = if c.len() == 1 { 0 } else { i };
                    match crate::display::text(&c.get(index)?) {
                        Some(v) => text.push_str(&v),
                        None => complete = false,
                    }
                    text.push_str(piece);
                }
                out.push(complete.then_some(text));
            }
            Ok(StringChunked::from_iter_options("text".into(), out.into_iter()).into_column())
        },
        &rest,
        |_, _| Ok(Field::new("text".into(), DataType::String)),
    )
}

/// One reason of a list: `template` filled with `args` where `condition`
/// holds, null elsewhere (so [`join_texts`] skips it).
pub fn reason(template: &'static str, condition: Expr, args: Vec<Expr>) -> Expr {
    when(condition)
        .then(format(template, args))
        .otherwise(lit(NULL).cast(DataType::String))
}
