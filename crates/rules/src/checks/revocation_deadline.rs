//! `revocation_deadline`: an approved revoke, suspend or close request not
//! carried out by its deadline.

use polars::lazy::dsl;
use polars::prelude::*;

use super::facts::{self, instant, local_day};
use super::{CheckKind, Context, ParamKind, ParamSpec};
use crate::definition::Rule;

/// The check kind.
pub(super) const KIND: CheckKind = CheckKind {
    name: "revocation_deadline",
    summary: "approved revoke, suspend and close_account requests whose right or account is still effective after the revocation_working_days-th working day after approval",
    params: &[ParamSpec {
        name: "revocation_working_days",
        kind: ParamKind::WORKING_DAYS,
        optional: false,
    }],
    needs: |_| &[],
    outputs: &[
        "system", "person_id", "person_name", "unit", "role", "ref", "action", "target",
        "approved", "deadline_day", "days_late", "state_note", "first_seen", "last_seen",
        "evidence",
    ],
    evaluate,
};

fn evaluate(ctx: &Context<'_>, rule: &Rule) -> PolarsResult<LazyFrame> {
    let as_of = instant(ctx.snapshot.as_of);
    let requests = ctx
        .frame("access_requests")
        .with_column(facts::row_ref(ctx.snapshot.table("access_requests")).alias("request_ref"))
        .filter(
            col("decision")
                .eq(lit("approved"))
                .and(col("approved_at").is_not_null())
                .and(col("approved_at").lt_eq(as_of))
                .and(
                    col("action")
                        .eq(lit("revoke"))
                        .or(col("action").eq(lit("suspend")))
                        .or(col("action").eq(lit("close_account"))),
                ),
        )
        .select([
            col("request_id"),
            col("person_id"),
            col("system"),
            col("role"),
            col("action"),
            col("approved_at"),
            col("request_ref"),
        ]);
    let account_level = col("role")
        .is_null()
        .or(col("action").eq(lit("close_account")));
    // Role-level requests: that person's role on any of their accounts in the system.
    let roles = requests.clone().filter(account_level.clone().not()).join(
        facts::rights(ctx).select([
            col("person_id"),
            col("system"),
            col("role"),
            col("account_id"),
            col("eff_start"),
            col("eff_end"),
        ]),
        [col("person_id"), col("system"), col("role")],
        [col("person_id"), col("system"), col("role")],
        JoinArgs::new(JoinType::Inner),
    );
    // Account-level requests: the account itself; closing needs it closed,
    // suspending needs it closed or suspended.
    let accounts = requests
        .filter(account_level)
        .join(
            ctx.frame("accounts").select([
                col("person_id"),
                col("system"),
                col("account_id"),
                col("kind"),
                col("created_at"),
                col("closed_at"),
                col("suspended_from"),
            ]),
            [col("person_id"), col("system")],
            [col("person_id"), col("system")],
            JoinArgs::new(JoinType::Inner),
        )
        .filter(col("kind").eq(lit("personal")))
        .with_columns([
            col("created_at").alias("eff_start"),
            when(col("action").eq(lit("close_account")))
                .then(col("closed_at"))
                .otherwise(dsl::min_horizontal([
                    col("closed_at"),
                    col("suspended_from"),
                ])?)
                .alias("eff_end"),
        ])
        .select([
            col("request_id"),
            col("person_id"),
            col("system"),
            col("role"),
            col("action"),
            col("approved_at"),
            col("request_ref"),
            col("account_id"),
            col("eff_start"),
            col("eff_end"),
        ]);
    let n = rule.working_days("revocation_working_days")?;
    let candidates = concat([roles, accounts], UnionArgs::default())?
        // A right granted anew after the deadline is another request's matter.
        .filter(col("eff_start").lt_eq(col("approved_at")));
    let late = facts::late_rights(ctx, candidates, local_day(col("approved_at")), n, None)
        .sort(["request_id", "account_id"], SortMultipleOptions::default())
        .group_by_stable([col("request_id")])
        .agg([
            col("person_id").first(),
            col("system").first(),
            col("role").first(),
            col("action").first(),
            col("approved_at").first(),
            col("request_ref").first(),
            col("deadline_day").first(),
            col("deadline_at").first(),
            col("days_late").max(),
            col("late_end").max(),
            col("late_until").max(),
            col("open_at_as_of").any(true),
            col("account_id").str().join(", ", true).alias("accounts"),
        ]);
    Ok(facts::with_people(ctx, late)
        .sort(["request_id"], SortMultipleOptions::default())
        .select([
            col("system"),
            col("person_id"),
            col("person_name"),
            col("unit"),
            col("role"),
            col("request_id").alias("ref"),
            col("action"),
            when(
                col("role")
                    .is_null()
                    .or(col("action").eq(lit("close_account"))),
            )
            .then(facts::format(
                "account {}/{}",
                vec![col("system"), col("accounts")],
            ))
            .otherwise(facts::format(
                "role {}/{} on {}",
                vec![col("system"), col("role"), col("accounts")],
            ))
            .alias("target"),
            local_day(col("approved_at")).alias("approved"),
            col("deadline_day"),
            col("days_late"),
            when(col("open_at_as_of"))
                .then(lit("it is still in place at as_of"))
                .otherwise(facts::format("it stayed until {}", vec![col("late_until")]))
                .alias("state_note"),
            col("deadline_at").alias("first_seen"),
            col("late_end").alias("last_seen"),
            col("request_ref").alias("evidence"),
        ]))
}
