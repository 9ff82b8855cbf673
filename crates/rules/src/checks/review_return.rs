//! `review_return`: the previous review's worksheet of a unit not returned
//! in full by its deadline: some of the unit's rights have no decision.

use polars::prelude::*;

use super::facts;
use super::{CheckKind, Context, ParamKind, ParamSpec, DECISION_LEDGER};
use crate::definition::Rule;

/// The check kind.
pub(super) const KIND: CheckKind = CheckKind {
    name: "review_return",
    summary: "units whose previous review worksheet has rights without a decision after the review_return_working_days-th working day after that review's as_of",
    params: &[ParamSpec {
        name: "review_return_working_days",
        kind: ParamKind::WORKING_DAYS,
        optional: false,
    }],
    needs: |_| &[DECISION_LEDGER],
    outputs: &[
        "unit", "ref", "manager", "review_as_of", "deadline_day", "undecided", "rights",
        "days_late", "first_seen",
    ],
    evaluate,
};

fn evaluate(ctx: &Context<'_>, rule: &Rule) -> PolarsResult<LazyFrame> {
    let n = rule.working_days("review_return_working_days")?;
    let cal = &ctx.snapshot.calendar;
    let as_of_day = ctx.snapshot.as_of_day();
    let (mut unit, mut review, mut manager) = (Vec::new(), Vec::new(), Vec::new());
    let (mut review_as_of, mut deadline, mut undecided, mut rights, mut late) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    if let Some(previous) = ctx.review.and_then(|r| r.previous.as_ref()) {
        let due = cal.nth_working_day_after(previous.as_of, n);
        // Due by the end of that day: a later as_of day has passed it.
        if as_of_day > due {
            for u in previous.units.iter().filter(|u| u.decided < u.rights) {
                unit.push(u.unit.clone());
                review.push(previous.review_id.clone());
                manager.push((!u.manager.is_empty()).then(|| u.manager.clone()));
                review_as_of.push(facts::days_since_epoch(previous.as_of));
                deadline.push(facts::days_since_epoch(due));
                undecided.push(u.rights - u.decided);
                rights.push(u.rights);
                late.push(i64::from(cal.working_days_late(due, as_of_day)));
            }
        }
    }
    let seen = facts::instant(ctx.snapshot.as_of);
    Ok(DataFrame::new_infer_height(vec![
        Column::new("unit".into(), unit),
        Column::new("ref".into(), review),
        Column::new("manager".into(), manager),
        Column::new("review_as_of".into(), review_as_of).cast(&DataType::Date)?,
        Column::new("deadline_day".into(), deadline).cast(&DataType::Date)?,
        Column::new("undecided".into(), undecided),
        Column::new("rights".into(), rights),
        Column::new("days_late".into(), late),
    ])?
    .lazy()
    .with_column(seen.alias("first_seen")))
}
