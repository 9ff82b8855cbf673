//! Wall time and peak memory of one stage of a run, for `summary.json` and
//! the benchmarks. The binary meters; the libraries only tell it when each
//! rule starts and ends (`accessaudit_rules::RuleEvent`).
//!
//! Peak RSS comes from Linux's `/proc/self/status` (`VmHWM`): by default the
//! peak of the process so far at the end of each stage. With
//! `ACCESSAUDIT_STAGE_PEAKS=1` (the benchmark harness sets it) each stage
//! first resets that high-water mark (`/proc/self/clear_refs`), so it reports
//! its own peak — but then `time -v` and other outside tools, which read the
//! same mark, see only the last stage's. Elsewhere the peak is unknown.

use std::time::Instant;

use serde::Serialize;

/// What one stage cost.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct StageCost {
    /// `load`, `rules ACC`, `figures`, `report`, ...
    pub stage: String,
    /// Wall-clock seconds.
    pub seconds: f64,
    /// Peak resident memory during the stage, in bytes, when known.
    pub peak_rss_bytes: Option<u64>,
}

/// A running stage.
#[derive(Debug)]
pub(crate) struct Meter {
    started: Instant,
}

impl Meter {
    /// Starts a stage (resetting the peak-memory mark when asked to).
    pub(crate) fn start() -> Self {
        if std::env::var_os("ACCESSAUDIT_STAGE_PEAKS").is_some() {
            // Not fatal when /proc is read-only or absent: the peak then
            // covers the process so far.
            let _ = std::fs::write("/proc/self/clear_refs", "5");
        }
        Self {
            started: Instant::now(),
        }
    }

    /// Seconds since the start.
    pub(crate) fn seconds(&self) -> f64 {
        self.started.elapsed().as_secs_f64()
    }

    /// Ends the stage.
    pub(crate) fn stop(self, stage: impl Into<String>) -> StageCost {
        StageCost {
            stage: stage.into(),
            seconds: self.seconds(),
            peak_rss_bytes: peak_rss_bytes(),
        }
    }
}

/// The process's peak resident memory since the last reset, in bytes.
pub(crate) fn peak_rss_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line
        .trim_start_matches("VmHWM:")
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some(kb * 1024)
}

/// Merges the costs of stages with the same name: seconds add up, the peak
/// is the largest.
pub(crate) fn merge(costs: &mut Vec<StageCost>, cost: StageCost) {
    match costs.iter_mut().find(|c| c.stage == cost.stage) {
        Some(c) => {
            c.seconds += cost.seconds;
            c.peak_rss_bytes = match (c.peak_rss_bytes, cost.peak_rss_bytes) {
                (Some(a), Some(b)) => Some(a.max(b)),
                (a, b) => a.or(b),
            };
        }
        None => costs.push(cost),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stage_has_a_time_and_merging_adds_up() {
        let cost = Meter::start().stop("x");
        assert!(cost.seconds >= 0.0);
        if cfg!(target_os = "linux") {
            assert!(cost.peak_rss_bytes.is_some_and(|b| b > 0));
        }
        let mut costs = vec![];
        merge(
            &mut costs,
            StageCost {
                stage: "a".into(),
                seconds: 1.0,
                peak_rss_bytes: Some(5),
            },
        );
        merge(
            &mut costs,
            StageCost {
                stage: "a".into(),
                seconds: 2.0,
                peak_rss_bytes: Some(3),
            },
        );
        merge(
            &mut costs,
            StageCost {
                stage: "b".into(),
                seconds: 1.0,
                peak_rss_bytes: None,
            },
        );
        assert_eq!(costs.len(), 2);
        assert_eq!(costs[0].seconds, 3.0);
        assert_eq!(costs[0].peak_rss_bytes, Some(5));
    }
}
