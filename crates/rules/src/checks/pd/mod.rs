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

mod aggregate;
mod condition;
mod events;
mod explain;
mod grain_flags;
mod local_time;

use polars::prelude::*;

use super::log_slices::log_slices;
use super::{Context, LogRead};

pub(crate) use condition::Condition;
pub(crate) use events::events;
pub(crate) use explain::explain;

/// The PD facts of the period.
#[derive(Debug, Clone)]
pub(crate) struct PdFacts {
    /// The account × subject × day groups where some PD rule may fire (any
    /// event flag or grain flag set), with the columns of [`aggregate::slice_facts`].
    pub(crate) groups: DataFrame,
    /// Every account × day with events: `system`, `account_id`, `day`,
    /// `owner`, `unit`, `subjects` (distinct), `all_events`,
    /// `unexplained_events`, `all_first`, `all_last`, `evidence` (the
    /// `table:row` of the account's first event that day). PD-09 and the
    /// explained-access figures need no more.
    pub(crate) account_days: DataFrame,
}

/// The PD facts, computed stretch by stretch of the period (the grain has
/// a day in it, so stretches are independent; see [`log_slices`]).
pub(crate) fn facts(ctx: &Context<'_>) -> PolarsResult<PdFacts> {
    let period = &ctx.snapshot.period;
    let slices = log_slices(ctx.snapshot, period.from, period.to);
    let lookups = grain_flags::GrainLookups::read(ctx)?;
    let mut groups: Option<DataFrame> = None;
    let mut account_days: Option<DataFrame> = None;
    let count = slices.len();
    for (i, slice) in slices.into_iter().enumerate() {
        let (g, a, events) = aggregate::slice_facts(ctx, &lookups, slice.start, slice.end)?;
        ctx.log_read(LogRead {
            slice: i + 1,
            slices: count,
            events: Some(events as u64),
        });
        append(&mut groups, g)?;
        append(&mut account_days, a)?;
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

/// Stacks one stretch's rows under the earlier ones.
fn append(all: &mut Option<DataFrame>, part: DataFrame) -> PolarsResult<()> {
    match all.as_mut() {
        Some(all) => {
            all.vstack_mut(&part)?;
        }
        None => *all = Some(part),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::expect_used, clippy::unwrap_used)]

    use std::collections::BTreeMap;
    use std::path::Path;

    use accessaudit_ingest::contract::{FILE_COLUMN, ROW_COLUMN};
    use accessaudit_ingest::{LoadOptions, Snapshot};

    use super::*;
    use crate::pseudonym::Pseudonymizer;

    /// (`__file`, `__row`) → `explained` of a frame of events.
    fn by_row(df: &DataFrame) -> BTreeMap<(u32, u64), bool> {
        let files = df.column(FILE_COLUMN).unwrap().u32().unwrap().clone();
        let rows = df.column(ROW_COLUMN).unwrap().u64().unwrap().clone();
        let flags = df.column("explained").unwrap().bool().unwrap().clone();
        (0..df.height())
            .map(|i| {
                (
                    (files.get(i).unwrap(), rows.get(i).unwrap()),
                    flags.get(i).unwrap(),
                )
            })
            .collect()
    }

    #[test]
    fn the_audit_and_subject_report_explain_the_demos_events_alike() {
        let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/demo");
        let snapshot = Snapshot::load(&demo, &LoadOptions::default()).expect("demo");
        let pseudonyms = Pseudonymizer::new(b"explanation-test-key".to_vec(), false);
        let ctx = Context::new(&snapshot, &pseudonyms);
        // The audit's reading: the flag per event of each stretch.
        let p = &snapshot.period;
        let mut audit = BTreeMap::new();
        for slice in log_slices(&snapshot, p.from, p.to) {
            let events =
                aggregate::read_events(&ctx, slice.start, slice.end, &|_| {}).expect("events");
            audit.extend(by_row(&events));
        }
        // subject-report's: the case per event.
        let report = explain(&ctx, events(&ctx))
            .expect("explain")
            .collect()
            .expect("collect");
        let report = by_row(&report);
        assert!(audit.len() > 500, "the demo's events: {}", audit.len());
        assert_eq!(report, audit);
        let unexplained = audit.values().filter(|e| !**e).count();
        assert!(
            unexplained > 10 && unexplained < audit.len(),
            "both kinds of event occur: {unexplained} unexplained"
        );
    }
}
