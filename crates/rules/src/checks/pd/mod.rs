//! Facts about personal-data access events, computed once per audit and
//! shared by the PD rules and the explained-access figures.
//!
//! Event-level questions (was the event explained by a case open at `ts`,
//! did the account hold a personal-data role at `ts`, was it after hours)
//! are answered in one pass over each week of the log ([`scan`]) that also
//! counts the events per account × subject × day (the PD grain) and per
//! account × day; the questions that depend only on the grain (owner absent
//! that day, owner's employment ended, subject a colleague, on the
//! watchlist, a relative, from another municipality) are answered with
//! joins on the few groups some rule may report ([`grain_flags`]).
//! `subject-report` reads the same explanation per event through
//! [`explain`], and a test checks that both agree.

mod aggregate;
mod condition;
mod events;
mod explain;
mod grain_flags;
mod local_time;
mod lookups;
mod scan;

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
///
/// The pass over a stretch's events (see [`scan`]) runs while the next
/// stretch is read, so at most two stretches' events are in memory, and
/// one pass at a time reuses the same arrays.
pub(crate) fn facts(ctx: &Context<'_>) -> PolarsResult<PdFacts> {
    let period = &ctx.snapshot.period;
    let slices = log_slices(ctx.snapshot, period.from, period.to);
    let clock = std::time::Instant::now();
    let grain = grain_flags::GrainLookups::read(ctx)?;
    tracing::debug!(elapsed = ?clock.elapsed(), "PD grain look-ups read");
    let lookups = lookups::Lookups::read(ctx)?;
    tracing::debug!(elapsed = ?clock.elapsed(), "PD look-ups read");
    let marks = grain.marks(ctx)?;
    tracing::debug!(elapsed = ?clock.elapsed(), "PD marks read");
    let has_cases = ctx.snapshot.table("cases").is_some();
    let mut facts = Stacked::default();
    let count = slices.len();
    std::thread::scope(|threads| -> PolarsResult<()> {
        let mut scratch = scan::Scratch::default();
        let mut pending: Option<(usize, Scanning<'_>)> = None;
        for (i, slice) in slices.iter().enumerate() {
            let clock = std::time::Instant::now();
            let events = aggregate::read_events(ctx, slice.start, slice.end)?;
            tracing::debug!(slice = i + 1, events = events.height(), elapsed = ?clock.elapsed(), "PD slice read");
            if let Some((j, done)) = pending.take() {
                scratch = facts.add(ctx, &grain, done, j, count)?;
            }
            let (lookups, marks) = (&lookups, &marks);
            let mut arrays = std::mem::take(&mut scratch);
            pending = Some((
                i,
                threads.spawn(move || {
                    let clock = std::time::Instant::now();
                    let n = events.height();
                    let scanned = scan::scan(lookups, marks, has_cases, &events, &mut arrays);
                    tracing::debug!(events = n, elapsed = ?clock.elapsed(), "PD slice scanned");
                    (scanned.map(|s| (s, n)), arrays)
                }),
            ));
        }
        if let Some((j, done)) = pending {
            facts.add(ctx, &grain, done, j, count)?;
        }
        Ok(())
    })?;
    let (Some(mut groups), Some(mut account_days)) = (facts.groups, facts.account_days) else {
        return Err(polars_err!(ComputeError: "the period has no days"));
    };
    groups.rechunk_mut();
    account_days.rechunk_mut();
    Ok(PdFacts {
        groups,
        account_days,
    })
}

/// A stretch's pass, running: its result and the arrays it used.
type Scanning<'scope> =
    std::thread::ScopedJoinHandle<'scope, (PolarsResult<(scan::Scanned, usize)>, scan::Scratch)>;

/// The stretches' facts so far.
#[derive(Default)]
struct Stacked {
    groups: Option<DataFrame>,
    account_days: Option<DataFrame>,
}

impl Stacked {
    /// Waits for stretch `i`'s pass, completes its facts and stacks them;
    /// returns the pass's arrays for the next one.
    fn add(
        &mut self,
        ctx: &Context<'_>,
        grain: &grain_flags::GrainLookups,
        scanning: Scanning<'_>,
        i: usize,
        count: usize,
    ) -> PolarsResult<scan::Scratch> {
        let clock = std::time::Instant::now();
        let (scanned, arrays) = scanning
            .join()
            .map_err(|_| polars_err!(ComputeError: "the pass over a stretch of the log failed"))?;
        let (scanned, events) = scanned?;
        let waited = clock.elapsed();
        let (g, a) = aggregate::slice_facts(ctx, grain, scanned)?;
        tracing::debug!(slice = i + 1, ?waited, completed = ?clock.elapsed() - waited, "PD slice");
        ctx.log_read(LogRead {
            slice: i + 1,
            slices: count,
            events: Some(events as u64),
        });
        append(&mut self.groups, g)?;
        append(&mut self.account_days, a)?;
        Ok(arrays)
    }
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
        let lookups = lookups::Lookups::read(&ctx).expect("lookups");
        // The audit's reading: the flag per event of each stretch.
        let p = &snapshot.period;
        let mut audit = BTreeMap::new();
        for slice in log_slices(&snapshot, p.from, p.to) {
            let mut events = aggregate::read_events(&ctx, slice.start, slice.end).expect("events");
            let flags = scan::explained(&lookups, &events).expect("explained");
            events
                .with_column(Column::new("explained".into(), flags))
                .expect("flags");
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
