//! `absence_suspension`: during a long absence of a suspending kind, a
//! personal-data role of the absent person stays effective past the grace.

use polars::prelude::*;

use super::facts::{self, end_of_day};
use super::{CheckKind, Context, ParamKind, ParamSpec};
use crate::definition::Rule;

/// The check kind.
pub(super) const KIND: CheckKind = CheckKind {
    name: "absence_suspension",
    summary: "personal-data roles left effective during a long absence of a suspending kind beyond suspension_grace_working_days",
    params: &[
        ParamSpec {
            name: "suspend_absence_kinds",
            kind: ParamKind::Words,
            optional: false,
        },
        ParamSpec {
            name: "long_absence_days",
            kind: ParamKind::DAYS,
            optional: false,
        },
        ParamSpec {
            name: "suspension_grace_working_days",
            kind: ParamKind::WORKING_DAYS,
            optional: false,
        },
    ],
    needs: |_| &[],
    outputs: &[
        "system", "account_id", "person_id", "person_name", "unit", "role", "ref", "absence_kind",
        "absence_start", "absence_end", "absence_days", "days_late", "deadline_day",
        "first_seen", "last_seen", "evidence",
    ],
    evaluate,
};

fn evaluate(ctx: &Context<'_>, rule: &Rule) -> PolarsResult<LazyFrame> {
    let kinds = Series::new("kinds".into(), rule.words("suspend_absence_kinds")?);
    let long = rule.int("long_absence_days")?;
    let absences = ctx
        .frame("absences")
        .with_column(facts::row_ref(ctx.snapshot.table("absences")).alias("absence_ref"))
        .with_column(
            ((col("end_date") - col("start_date")).dt().total_days(false) + lit(1i64))
                .alias("absence_days"),
        )
        .filter(
            col("kind")
                .is_in(lit(kinds).implode(false), false)
                .and(col("absence_days").gt(lit(long))),
        )
        .select([
            col("person_id"),
            col("kind").alias("absence_kind"),
            col("start_date").alias("absence_start"),
            col("end_date").alias("absence_end"),
            col("absence_days"),
            col("absence_ref"),
        ]);
    let rights = facts::personal_data_rights(ctx).join(
        absences,
        [col("person_id")],
        [col("person_id")],
        JoinArgs::new(JoinType::Inner),
    );
    let grace = rule.working_days("suspension_grace_working_days")?;
    let late = facts::late_rights(
        ctx,
        rights,
        col("absence_start"),
        grace,
        Some(end_of_day(col("absence_end"))),
    );
    Ok(facts::with_people(ctx, late)
        .sort(
            ["assignment_id", "absence_start"],
            SortMultipleOptions::default(),
        )
        .select([
            col("system"),
            col("account_id"),
            col("person_id"),
            col("person_name"),
            col("unit"),
            col("role"),
            col("assignment_id").alias("ref"),
            col("absence_kind"),
            col("absence_start"),
            col("absence_end"),
            col("absence_days"),
            col("days_late"),
            col("deadline_day"),
            col("deadline_at").alias("first_seen"),
            col("late_end").alias("last_seen"),
            facts::join_texts(vec![col("assignment_ref"), col("absence_ref")], " ")
                .alias("evidence"),
        ]))
}
