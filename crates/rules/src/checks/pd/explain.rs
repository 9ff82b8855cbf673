//! Which case explains an access event, and whether the account held a
//! personal-data role at the time: one reading for the audit (a flag per
//! event) and for `subject-report` (the case itself).
//!
//! A case explains an event when it is of the same subject in the same
//! system, open at `ts` (`opened_at ≤ ts < closed_at`), and the event names
//! it, or the account's owner handles it, or one of the owner's units that
//! day does. The case an event names is preferred; else the smallest id, so
//! the same inputs always give the same answer.

use chrono::{DateTime, Utc};
use polars::prelude::*;

use super::events::{with_account_owners, with_owner_units};
use crate::checks::facts::instant;
use crate::checks::{collect_streaming, Context};

/// The cases that explain events, in two parts: `named` holds (`__ev`,
/// `case`) for the events explained by the case they name, `others` (`__ev`,
/// `case`) every explaining case of the remaining events (several per event
/// possible).
pub(super) struct Explanations {
    named: DataFrame,
    others: DataFrame,
}

impl Explanations {
    /// Finds the explaining cases of `events` (`__ev`, `system`,
    /// `account_id`, `subject_id`, `case_id`, `day`, `ts`), all between
    /// `start` and `end`. First the cases the events name, joined on their
    /// id; then, for the rest only, the subject's cases the owner or the
    /// owner's unit handles: most events name their case, and the second
    /// join is on (system, subject), which many cases share.
    pub(super) fn find(
        ctx: &Context<'_>,
        events: &DataFrame,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> PolarsResult<Self> {
        // Only cases open at some moment of the stretch can explain its
        // events; the rest of a quarter's cases would only make the joins
        // bigger.
        let open_in_stretch = col("opened_at").lt(instant(end)).and(
            col("closed_at")
                .is_null()
                .or(col("closed_at").gt(instant(start))),
        );
        let cases = ctx.frame("cases").filter(open_in_stretch).collect()?;
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
            .select([col("__ev"), col("case_id").alias("case")]);
        let named = collect_streaming(named)?;
        tracing::debug!(
            named = named.height(),
            "PD slice: events explained by the case they name"
        );
        let mut done = vec![false; events.height()];
        mark(&mut done, &named)?;
        let mut rest =
            events.select(["__ev", "system", "account_id", "subject_id", "day", "ts"])?;
        rest.with_column(Column::new("__done".into(), done))?;
        let rest = rest.lazy().filter(col("__done").not());
        let others = with_owner_units(ctx, with_account_owners(ctx, rest))
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
            .select([col("__ev"), col("c_case_id").alias("case")]);
        let others = collect_streaming(others)?;
        Ok(Explanations { named, others })
    }

    /// `__ev`, `case_used`: the case that explains each explained event,
    /// the named one first, else the smallest id.
    pub(super) fn cases(self) -> PolarsResult<DataFrame> {
        let others = self
            .others
            .lazy()
            .group_by([col("__ev")])
            .agg([col("case").min().alias("other_case")]);
        self.named
            .lazy()
            .join(
                others,
                [col("__ev")],
                [col("__ev")],
                JoinArgs::new(JoinType::Full).with_coalesce(JoinCoalesce::CoalesceColumns),
            )
            .select([
                col("__ev"),
                coalesce(&[col("case"), col("other_case")]).alias("case_used"),
            ])
            .collect()
    }
}

/// Events (as [`super::events::events`] gives them) with `case_used` (the
/// case that explains each, by the reading of this module) and `explained`.
/// For `subject-report`: the same explanation the audit counts.
pub(crate) fn explain(ctx: &Context<'_>, events: LazyFrame) -> PolarsResult<LazyFrame> {
    let events = events.with_row_index("__ev", None).collect()?;
    let p = &ctx.snapshot.period;
    let cases = Explanations::find(ctx, &events, p.start_instant(), p.end_instant())?.cases()?;
    Ok(events
        .lazy()
        .join(
            cases.lazy(),
            [col("__ev")],
            [col("__ev")],
            JoinArgs::new(JoinType::Left),
        )
        .with_column(col("case_used").is_not_null().alias("explained"))
        .drop(cols(["__ev"])))
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
