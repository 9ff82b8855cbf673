//! The explained-access figures for the data-protection officer: what share
//! of personal-data access events a case explains — overall, per system, per
//! unit and per ISO week — and the users ranked by unexplained events.

use chrono::{Datelike, NaiveDate};
use polars::prelude::*;
use serde::Serialize;

use accessaudit_rules::derived::{self, Derived};
use accessaudit_rules::Evaluation;

use crate::error::ReviewError;

/// Events and how many of them a case explains, for one key.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Share {
    /// What the figure is about (system, unit, ISO week, or "all").
    pub key: String,
    /// Access events in the period.
    pub events: u64,
    /// Of them, explained by a case.
    pub explained: u64,
    /// `explained / events`; `None` when there are no events, which no
    /// share describes.
    pub share: Option<f64>,
}

impl Share {
    fn new(key: String, events: u64, unexplained: u64) -> Self {
        let explained = events.saturating_sub(unexplained);
        let share = (events > 0).then(|| explained as f64 / events as f64);
        Share {
            key,
            events,
            explained,
            share,
        }
    }
}

/// One user's unexplained looks.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UserUnexplained {
    /// The account owner (empty for accounts without one).
    pub person_id: String,
    /// Their name, when HR knows them.
    pub person_name: String,
    /// Their unit on the day of their latest look.
    pub unit: String,
    /// The accounts they looked through.
    pub accounts: String,
    /// Events no case explains.
    pub unexplained: u64,
    /// All their events.
    pub events: u64,
}

/// The figures.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExplainedAccess {
    /// All events of the period.
    pub overall: Share,
    /// Per information system.
    pub by_system: Vec<Share>,
    /// Per unit of the user on the day of the event.
    pub by_unit: Vec<Share>,
    /// Per ISO week (`2026-W27`).
    pub by_week: Vec<Share>,
    /// Users with unexplained events, most first.
    pub users: Vec<UserUnexplained>,
}

/// Events and unexplained events of a group of PD facts.
fn event_sums() -> [Expr; 2] {
    [
        col("all_events")
            .sum()
            .cast(DataType::UInt64)
            .alias("events"),
        col("unexplained_events")
            .sum()
            .cast(DataType::UInt64)
            .alias("unexplained"),
    ]
}

fn sums(lf: LazyFrame, key: Expr) -> PolarsResult<Vec<(Option<String>, u64, u64)>> {
    let df = lf
        .group_by([key.clone().alias("key")])
        .agg(event_sums())
        .with_column(col("key").cast(DataType::String))
        .sort(["key"], SortMultipleOptions::default())
        .collect()?;
    let keys = df.column("key")?.str()?.clone();
    let events = df.column("events")?.u64()?.clone();
    let unexplained = df.column("unexplained")?.u64()?.clone();
    Ok((0..df.height())
        .map(|i| {
            (
                keys.get(i).map(str::to_string),
                events.get(i).unwrap_or(0),
                unexplained.get(i).unwrap_or(0),
            )
        })
        .collect())
}

/// The figures of an audit: `None` when it kept no PD account-days (no PD
/// rule ran, or there was no access log or no cases table).
pub fn of(
    evaluation: &Evaluation,
    facts: &Derived<'_>,
) -> Result<Option<ExplainedAccess>, ReviewError> {
    evaluation
        .pd_account_days
        .as_ref()
        .map(|days| explained_access(facts, days))
        .transpose()
        .map_err(|source| ReviewError::Stage {
            stage: "the explained-access figures",
            source,
        })
}

/// Computes the figures from the PD account-days the audit kept
/// ([`accessaudit_rules::Evaluation::pd_account_days`]: present when PD rules
/// ran over an access log and a cases table, without which no event can be
/// judged explained or not).
pub fn explained_access(
    facts: &Derived<'_>,
    account_days: &DataFrame,
) -> PolarsResult<ExplainedAccess> {
    let groups = account_days.clone().lazy();
    let share = |rows: Vec<(Option<String>, u64, u64)>, missing: &str| -> Vec<Share> {
        rows.into_iter()
            .map(|(k, e, u)| Share::new(k.unwrap_or_else(|| missing.to_string()), e, u))
            .collect()
    };
    let overall = sums(groups.clone(), lit("all"))?
        .into_iter()
        .next()
        .map_or_else(
            || Share::new("all".into(), 0, 0),
            |(_, e, u)| Share::new("all".into(), e, u),
        );
    let by_system = share(sums(groups.clone(), col("system"))?, "(none)");
    let by_unit = share(sums(groups.clone(), col("unit"))?, "(no unit)");
    // Weeks: sum per day, then fold days into ISO weeks.
    let epoch = NaiveDate::default();
    let mut weeks: std::collections::BTreeMap<String, (u64, u64)> = Default::default();
    let per_day = groups
        .clone()
        .group_by([col("day")])
        .agg(event_sums())
        .collect()?;
    let days = per_day.column("day")?.date()?.physical().clone();
    let ev = per_day.column("events")?.u64()?.clone();
    let un = per_day.column("unexplained")?.u64()?.clone();
    for i in 0..per_day.height() {
        let Some(d) = days
            .get(i)
            .and_then(|d| epoch.checked_add_signed(chrono::Duration::days(i64::from(d))))
        else {
            continue;
        };
        let w = d.iso_week();
        let entry = weeks
            .entry(format!("{}-W{:02}", w.year(), w.week()))
            .or_default();
        entry.0 += ev.get(i).unwrap_or(0);
        entry.1 += un.get(i).unwrap_or(0);
    }
    let by_week = weeks
        .into_iter()
        .map(|(k, (e, u))| Share::new(k, e, u))
        .collect();
    let users_df = facts
        .with_people(
            groups
                .group_by([col("owner").alias("person_id")])
                .agg([
                    col("unexplained_events")
                        .sum()
                        .cast(DataType::UInt64)
                        .alias("unexplained"),
                    col("all_events")
                        .sum()
                        .cast(DataType::UInt64)
                        .alias("events"),
                    derived::format("{}/{}", vec![col("system"), col("account_id")])
                        .unique()
                        .sort(SortOptions::default())
                        .str()
                        .join(", ", true)
                        .alias("accounts"),
                    col("unit")
                        .sort_by([col("day")], SortMultipleOptions::default())
                        .last()
                        .alias("day_unit"),
                ])
                .filter(col("unexplained").gt(lit(0u64))),
        )
        .sort_by_exprs(
            [col("unexplained"), col("person_id")],
            SortMultipleOptions::default().with_order_descending_multi([true, false]),
        )
        .collect()?;
    let text = |name: &str, i: usize| -> PolarsResult<String> {
        Ok(users_df
            .column(name)?
            .get(i)
            .ok()
            .and_then(|v| derived::text(&v))
            .unwrap_or_default())
    };
    let mut users = Vec::with_capacity(users_df.height());
    for i in 0..users_df.height() {
        let unit = text("day_unit", i)?;
        users.push(UserUnexplained {
            person_id: text("person_id", i)?,
            person_name: text("person_name", i)?,
            unit: if unit.is_empty() {
                text("unit", i)?
            } else {
                unit
            },
            accounts: text("accounts", i)?,
            unexplained: text("unexplained", i)?.parse().unwrap_or(0),
            events: text("events", i)?.parse().unwrap_or(0),
        });
    }
    Ok(ExplainedAccess {
        overall,
        by_system,
        by_unit,
        by_week,
        users,
    })
}
