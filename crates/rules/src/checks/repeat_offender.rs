//! `repeat_offender`: an employee whose case the DPO disposed `violation`
//! in an earlier review has looks without a case (PD-01's unexplained
//! events) again: one finding per account, on the day of the first such
//! look, carrying the earlier case's id.

use polars::prelude::*;

use super::{CheckKind, Context, DECISION_LEDGER};
use crate::definition::Rule;

/// The check kind.
pub(super) const KIND: CheckKind = CheckKind {
    name: "repeat_offender",
    summary: "accounts of employees with a case disposed `violation` in an earlier review that have unexplained looks in this period",
    params: &[],
    needs: |_| &["access_log", "cases", DECISION_LEDGER],
    outputs: &[
        "system", "account_id", "person_id", "person_name", "unit", "day", "case_id",
        "earlier_review", "decided_on", "unexplained", "days", "first_seen", "last_seen",
        "events", "evidence",
    ],
    evaluate,
};

fn evaluate(ctx: &Context<'_>, _rule: &Rule) -> PolarsResult<LazyFrame> {
    let violations = ctx
        .review
        .map(|r| r.violations.as_slice())
        .unwrap_or_default();
    // The latest violation of each employee is the one the finding names.
    let mut latest: std::collections::BTreeMap<&str, &crate::decisions::Violation> =
        std::collections::BTreeMap::new();
    for v in violations.iter().filter(|v| !v.person_id.is_empty()) {
        let keep = latest
            .get(v.person_id.as_str())
            .is_some_and(|old| (old.decided_on, &old.case_id) >= (v.decided_on, &v.case_id));
        if !keep {
            latest.insert(&v.person_id, v);
        }
    }
    let earlier = DataFrame::new_infer_height(vec![
        Column::new(
            "owner".into(),
            latest.keys().map(|k| k.to_string()).collect::<Vec<_>>(),
        ),
        Column::new(
            "case_id".into(),
            latest
                .values()
                .map(|v| v.case_id.clone())
                .collect::<Vec<_>>(),
        ),
        Column::new(
            "earlier_review".into(),
            latest
                .values()
                .map(|v| v.review_id.clone())
                .collect::<Vec<_>>(),
        ),
        Column::new(
            "decided_on".into(),
            latest
                .values()
                .map(|v| super::facts::days_since_epoch(v.decided_on))
                .collect::<Vec<_>>(),
        )
        .cast(&DataType::Date)?,
    ])?;
    let looks = ctx
        .pd_account_days()?
        .lazy()
        .filter(col("unexplained_events").gt(lit(0)))
        .join(
            earlier.lazy(),
            [col("owner")],
            [col("owner")],
            JoinArgs::new(JoinType::Inner),
        );
    let per_account = looks
        .sort(
            ["system", "account_id", "day"],
            SortMultipleOptions::default(),
        )
        .group_by_stable([col("system"), col("account_id")])
        .agg([
            col("day").first(),
            col("owner").first(),
            col("unit").first(),
            col("case_id").first(),
            col("earlier_review").first(),
            col("decided_on").first(),
            col("unexplained_events").first().alias("events"),
            col("unexplained_events").sum().alias("unexplained"),
            col("day").n_unique().alias("days"),
            col("all_first").first().alias("first_seen"),
            col("all_last").first().alias("last_seen"),
            col("evidence").first(),
        ]);
    let rows = super::facts::with_people(
        ctx,
        per_account.with_column(col("owner").alias("person_id")),
    )
    .with_column(coalesce(&[col("unit"), col("unit_right")]).alias("unit"));
    Ok(rows
        .sort(["system", "account_id"], SortMultipleOptions::default())
        .select([
            col("system"),
            col("account_id"),
            col("person_id"),
            col("person_name"),
            col("unit"),
            col("day"),
            col("case_id"),
            col("earlier_review"),
            col("decided_on"),
            col("unexplained"),
            col("days"),
            col("first_seen"),
            col("last_seen"),
            col("events"),
            col("evidence"),
        ]))
}
