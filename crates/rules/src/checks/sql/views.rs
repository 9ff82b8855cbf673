//! The derived views a query may read besides the contract's tables, built
//! from the audit's own context with the same facts the Rust checks use.

use chrono::{Datelike, NaiveDate};
use polars::prelude::*;

use crate::checks::{facts, Context};

/// Every view: its name and its columns, for the guide and messages.
pub(crate) const VIEWS: &[(&str, &str)] = &[
    (
        "effective_rights",
        "each role assignment with the interval it was really effective \
         (eff_start, eff_end; eff_end null = still effective): assignment_id, system, \
         account_id, role, role_name, personal_data, person_id (the holder), account_kind, \
         basis, basis_ref, granted_by, valid_from, valid_to, eff_start, eff_end, \
         assignment_ref, account_ref (file:row of each), effective_at_as_of",
    ),
    (
        "employment",
        "each employees row with its position's title: person_id, name, unit, \
         position_id, title, valid_from, valid_to, manager_id, organisation, at_as_of",
    ),
    (
        "calendar",
        "one row per day from 1 January thirty years before as_of to 31 December of \
         the year after: day, working_day, working_day_number (working days from the \
         calendar's start up to and including the day)",
    ),
];

/// Whether `name` is a view.
pub(crate) fn is_view(name: &str) -> bool {
    VIEWS.iter().any(|(v, _)| *v == name)
}

/// The view called `name`.
pub(crate) fn build(ctx: &Context<'_>, name: &str) -> PolarsResult<LazyFrame> {
    match name {
        "effective_rights" => Ok(effective_rights(ctx)),
        "employment" => Ok(employment(ctx)),
        "calendar" => calendar(ctx),
        other => Err(polars_err!(ComputeError: "no view is called {other:?}")),
    }
}

fn effective_rights(ctx: &Context<'_>) -> LazyFrame {
    let as_of = facts::instant(ctx.snapshot.as_of);
    facts::rights(ctx)
        .join(
            facts::role_catalogue(ctx),
            [col("system"), col("role")],
            [col("system"), col("role")],
            JoinArgs::new(JoinType::Left),
        )
        .select([
            col("assignment_id"),
            col("system"),
            col("account_id"),
            col("role"),
            col("role_name"),
            col("personal_data"),
            col("person_id"),
            col("kind").alias("account_kind"),
            col("basis"),
            col("basis_ref"),
            col("granted_by"),
            col("valid_from"),
            col("valid_to"),
            col("eff_start"),
            col("eff_end"),
            col("assignment_ref"),
            col("account_ref"),
            facts::covers("eff_start", "eff_end", as_of)
                .and(
                    col("eff_end")
                        .is_null()
                        .or(col("eff_end").gt(col("eff_start"))),
                )
                .alias("effective_at_as_of"),
        ])
}

fn employment(ctx: &Context<'_>) -> LazyFrame {
    let as_of_day = facts::day(ctx.snapshot.as_of_day());
    let titles = ctx
        .frame("positions")
        .select([col("position_id"), col("title")])
        .unique(Some(cols(["position_id"])), UniqueKeepStrategy::First);
    ctx.frame("employees")
        .join(
            titles,
            [col("position_id")],
            [col("position_id")],
            JoinArgs::new(JoinType::Left),
        )
        .select([
            col("person_id"),
            col("name"),
            col("unit"),
            col("position_id"),
            col("title"),
            col("valid_from"),
            col("valid_to"),
            col("manager_id"),
            col("organisation"),
            facts::covers_day("valid_from", "valid_to", as_of_day).alias("at_as_of"),
        ])
}

fn calendar(ctx: &Context<'_>) -> PolarsResult<LazyFrame> {
    let snapshot = ctx.snapshot;
    let as_of = snapshot.as_of_day();
    let first_year = as_of.year().min(snapshot.period.from.year()) - 30;
    let (Some(first), Some(last)) = (
        NaiveDate::from_ymd_opt(first_year, 1, 1),
        NaiveDate::from_ymd_opt(as_of.year().max(snapshot.period.to.year()) + 1, 12, 31),
    ) else {
        return Err(polars_err!(ComputeError: "the calendar around {as_of} is out of range"));
    };
    let days: Vec<NaiveDate> = first.iter_days().take_while(|d| *d <= last).collect();
    let working: Vec<bool> = days
        .iter()
        .map(|d| snapshot.calendar.is_working_day(*d))
        .collect();
    let mut count = 0i64;
    let numbers: Vec<i64> = working
        .iter()
        .map(|w| {
            count += i64::from(*w);
            count
        })
        .collect();
    let day_numbers: Vec<i32> = days.iter().map(|d| facts::days_since_epoch(*d)).collect();
    let df = DataFrame::new_infer_height(vec![
        Column::new("day".into(), day_numbers).cast(&DataType::Date)?,
        Column::new("working_day".into(), working),
        Column::new("working_day_number".into(), numbers),
    ])?;
    Ok(df.lazy())
}
