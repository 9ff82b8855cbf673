//! The check kinds: a few parameterised evaluations that rule files name.
//! Each is a small module that takes the snapshot's lazy frames and returns a
//! lazy frame of findings rows (the finding columns it knows, plus any fact
//! columns its rules' messages use). Nothing outside these modules knows
//! about a particular rule.

use std::cell::OnceCell;
use std::collections::HashMap;

use polars::prelude::*;

use accessaudit_ingest::contract::{FILE_COLUMN, ROW_COLUMN};
use accessaudit_ingest::Snapshot;

pub(crate) use accessaudit_ingest::engine::collect_streaming;

use crate::definition::Rule;
use crate::pseudonym::Pseudonymizer;
use log_slices::log_slices;

mod absence_suspension;
mod access_events;
mod bad_interval;
mod bulk_access;
mod dangling_reference;
mod dormant_account;
mod duplicate_accounts;
mod exception_entries;
pub mod facts;
mod grant_basis;
mod late_fulfilment;
mod late_termination;
mod log_slices;
mod orphan_account;
pub(crate) mod pd;
mod person_code;
mod repeat_offender;
mod requested_end;
mod review_return;
mod revocation_deadline;
mod revoke_decision;
mod row_problems;
mod self_approval;
mod shared_account;
mod sod_conflict;
pub mod sql;
mod stale_export;
mod stale_transfer_role;
mod substitution_basis;
mod substitution_overrun;
mod unjustified_role;

pub use unjustified_role::covered_by_substitution;

/// What a check sees.
pub struct Context<'a> {
    /// The loaded snapshot.
    pub snapshot: &'a Snapshot,
    /// Rows of each table left out of the non-DQ rules (`__file`, `__row`).
    pub excluded: HashMap<&'static str, DataFrame>,
    /// How data subjects appear in outputs.
    pub pseudonyms: &'a Pseudonymizer,
    /// The accepted-risk exceptions with how they were used: `id`, `line`,
    /// `reason`, `approved_by`, `expires`, `expired`, `matched`.
    pub exceptions: Option<DataFrame>,
    /// Working hours as minutes of the local day, `[from, to)`.
    pub working_hours: (u32, u32),
    /// The language of finding messages (`en` or `et`).
    pub lang: String,
    /// The PD facts, computed by the first rule that needs them.
    pd_facts: OnceCell<pd::PdFacts>,
    /// Tables read so far (all but the access log), by name.
    frames: std::cell::RefCell<HashMap<String, DataFrame>>,
    /// Told after each slice of the access log that is read.
    pub log_progress: Option<&'a LogProgress<'a>>,
    /// The review history's state, when the audit has one (`--history`).
    pub review: Option<&'a crate::decisions::ReviewState>,
}

/// What a check kind's `needs` names for the review history: a rule that
/// needs it is not evaluable without `--history`.
pub const DECISION_LEDGER: &str = "decision ledger";

/// What a rule that needs the review history lacks when the history holds
/// no review before this audit's (its first audit).
pub const NO_EARLIER_REVIEW: &str = "earlier review";

/// A slice of the access log read by a rule, for progress on a terminal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LogRead {
    /// Slices read so far (1-based).
    pub slice: usize,
    /// Slices in all.
    pub slices: usize,
    /// Events of this slice, when the rule counted them.
    pub events: Option<u64>,
}

/// Told after each slice of the access log a rule has read.
pub type LogProgress<'a> = dyn Fn(LogRead) + 'a;

/// The columns of `accounts` that say who the system thinks its user is.
const ACCOUNT_IDENTITY: [&str; 2] = ["full_name", "unit"];

/// The one table that is never kept in memory whole.
const LOG_TABLE: &str = "access_log";

/// Reads `HH:MM-HH:MM` as minutes of the day.
pub fn parse_working_hours(text: &str) -> Option<(u32, u32)> {
    let (a, b) = text.split_once(['-', '–'])?;
    let minutes = |t: &str| -> Option<u32> {
        let (h, m) = t.trim().split_once(':')?;
        let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
        (h <= 24 && m < 60 && h * 60 + m <= 24 * 60).then_some(h * 60 + m)
    };
    let (from, to) = (minutes(a)?, minutes(b)?);
    (from < to).then_some((from, to))
}

impl<'a> Context<'a> {
    /// A context with no rows left out yet.
    pub fn new(snapshot: &'a Snapshot, pseudonyms: &'a Pseudonymizer) -> Self {
        Context {
            snapshot,
            excluded: HashMap::new(),
            pseudonyms,
            exceptions: None,
            working_hours: (7 * 60, 19 * 60),
            lang: "en".to_string(),
            pd_facts: OnceCell::new(),
            frames: std::cell::RefCell::new(HashMap::new()),
            log_progress: None,
            review: None,
        }
    }

    /// Tells the progress listener, if any, that a slice of the log was read.
    pub fn log_read(&self, read: LogRead) {
        if let Some(tell) = self.log_progress {
            tell(read);
        }
    }

    /// The PD facts (see [`pd::facts`]), computed once.
    fn pd_facts(&self) -> PolarsResult<&pd::PdFacts> {
        if let Some(facts) = self.pd_facts.get() {
            return Ok(facts);
        }
        let facts = pd::facts(self)?;
        Ok(self.pd_facts.get_or_init(|| facts))
    }

    /// The account × subject × day groups where some PD rule may fire.
    pub fn pd_groups(&self) -> PolarsResult<DataFrame> {
        Ok(self.pd_facts()?.groups.clone())
    }

    /// Every account × day with events: distinct subjects and event counts.
    pub fn pd_account_days(&self) -> PolarsResult<DataFrame> {
        Ok(self.pd_facts()?.account_days.clone())
    }

    /// Table `name` without the rows the data-quality rules left out.
    ///
    /// Every table but the access log is read once and kept: rules (and the
    /// PD facts, slice by slice) use the same tables many times, and reading
    /// a CSV table again means parsing and converting it again.
    pub fn frame(&self, name: &str) -> LazyFrame {
        if name == LOG_TABLE {
            return self.read_frame(name);
        }
        if let Some(df) = self.frames.borrow().get(name) {
            return df.clone().lazy();
        }
        let frame = self.read_frame(name);
        match frame.clone().collect() {
            Ok(df) => {
                self.frames
                    .borrow_mut()
                    .insert(name.to_string(), df.clone());
                df.lazy()
            }
            // The rule that uses it reports the error.
            Err(_) => frame,
        }
    }

    /// Filters that split table `name` into slices read one after another:
    /// for the access log, the [`log_slices`] of the days it spans; any
    /// other table whole.
    pub fn slices(&self, name: &str) -> PolarsResult<Vec<Expr>> {
        let whole = vec![lit(true)];
        if name != LOG_TABLE || self.snapshot.table(name).is_none() {
            return Ok(whole);
        }
        let Some((first, last)) = self
            .snapshot
            .access_log_range()
            .map_err(|e| polars_err!(ComputeError: "{e}"))?
        else {
            return Ok(whole);
        };
        let day = |t: chrono::DateTime<chrono::Utc>| {
            t.with_timezone(&chrono_tz::Europe::Tallinn).date_naive()
        };
        let slices = log_slices(self.snapshot, day(first), day(last));
        if slices.len() < 2 {
            return Ok(whole);
        }
        Ok(slices
            .into_iter()
            .map(|s| {
                col("ts")
                    .gt_eq(facts::instant(s.start))
                    .and(col("ts").lt(facts::instant(s.end)))
            })
            .collect())
    }

    /// The distinct values of `keys` among the rows of table `name` (read
    /// as `frame`) where `filter` holds, slice by slice (see [`Self::slices`]).
    pub fn distinct(
        &self,
        name: &str,
        frame: &LazyFrame,
        filter: Expr,
        keys: Vec<Expr>,
    ) -> PolarsResult<DataFrame> {
        let mut parts = Vec::new();
        let slices = self.slices(name)?;
        let count = slices.len();
        for (i, slice) in slices.into_iter().enumerate() {
            parts.push(
                collect_streaming(
                    frame
                        .clone()
                        .filter(slice.and(filter.clone()))
                        .select(keys.clone())
                        .unique(None, UniqueKeepStrategy::Any),
                )?
                .lazy(),
            );
            if name == LOG_TABLE {
                self.log_read(LogRead {
                    slice: i + 1,
                    slices: count,
                    events: None,
                });
            }
        }
        collect_streaming(
            concat(parts, UnionArgs::default())?.unique(None, UniqueKeepStrategy::Any),
        )
    }

    /// Forgets the kept tables (when the rows left out change).
    pub fn forget_frames(&mut self) {
        self.frames.get_mut().clear();
    }

    /// Table `name` with every contract column, without the rows the
    /// data-quality rules left out: what a `sql` rule's query reads.
    pub(crate) fn whole_frame(&self, name: &str) -> LazyFrame {
        if name == "accounts" {
            self.read_whole(name)
        } else {
            self.frame(name)
        }
    }

    /// Table `name` as the Rust checks read it: `accounts` without the
    /// identity columns only DQ-05 compares (`full_name`, `unit`), so that
    /// joining an account to its owner's HR `unit` never meets a second one.
    fn read_frame(&self, name: &str) -> LazyFrame {
        let frame = self.read_whole(name);
        if name == "accounts" {
            frame.drop(cols(ACCOUNT_IDENTITY))
        } else {
            frame
        }
    }

    fn read_whole(&self, name: &str) -> LazyFrame {
        let frame = self.snapshot.frame(name);
        match self.excluded.get(name) {
            Some(rows) if rows.height() > 0 => frame.join(
                rows.clone().lazy(),
                [col(FILE_COLUMN), col(ROW_COLUMN)],
                [col(FILE_COLUMN), col(ROW_COLUMN)],
                JoinArgs::new(JoinType::Anti),
            ),
            _ => frame,
        }
    }
}

/// The type a parameter must have, with the range a value may take: a
/// value outside it is a load error, never a panic or a silently odd audit
/// (a negative or astronomically large number of days, say).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ParamKind {
    /// A whole number from `min` to `max` (both included), counted in `unit`.
    Integer {
        /// The smallest value allowed.
        min: i64,
        /// The largest value allowed.
        max: i64,
        /// What it counts, for messages (`days`, `working days`, ...).
        unit: &'static str,
    },
    /// A list of words.
    Words,
    /// A finite number, whole or not, from `min` to `max`.
    Number {
        /// The smallest value allowed.
        min: f64,
        /// The largest value allowed.
        max: f64,
    },
    /// One of the listed words.
    Choice(&'static [&'static str]),
    /// A span of the day, `HH:MM-HH:MM`.
    Hours,
    /// A severity word (`critical`, `high`, `medium`, `low`, `info`).
    Severity,
}

impl ParamKind {
    /// Calendar days: a century at most, so that date arithmetic cannot
    /// overflow and a typo of a few zeros is caught.
    pub const DAYS: ParamKind = ParamKind::Integer {
        min: 0,
        max: 36_500,
        unit: "days",
    };

    /// Working days of a grace or deadline: about ten years at most (each
    /// is counted day by day through the calendar).
    pub const WORKING_DAYS: ParamKind = ParamKind::Integer {
        min: 0,
        max: 2_500,
        unit: "working days",
    };

    /// Whether `value` has this type and lies in its range.
    pub fn accepts(self, value: &toml::Value) -> bool {
        match self {
            ParamKind::Integer { min, max, .. } => {
                value.as_integer().is_some_and(|v| (min..=max).contains(&v))
            }
            ParamKind::Words => value
                .as_array()
                .is_some_and(|a| a.iter().all(toml::Value::is_str)),
            ParamKind::Number { min, max } => value
                .as_float()
                .or_else(|| value.as_integer().map(|i| i as f64))
                // NaN fails both comparisons, so `nan` is refused too.
                .is_some_and(|v| v >= min && v <= max),
            ParamKind::Choice(words) => value.as_str().is_some_and(|v| words.contains(&v)),
            ParamKind::Hours => value.as_str().and_then(parse_working_hours).is_some(),
            ParamKind::Severity => value
                .as_str()
                .is_some_and(|v| crate::severity::Severity::parse(v).is_some()),
        }
    }

    /// The type's name for messages.
    pub fn describe(self) -> String {
        match self {
            ParamKind::Integer { min, max, unit } => {
                format!("a whole number of {unit} from {min} to {max}")
            }
            ParamKind::Words => "a list of strings".into(),
            ParamKind::Number { min, max } => format!("a number from {min} to {max}"),
            ParamKind::Choice(words) => format!("one of {}", words.join(", ")),
            ParamKind::Hours => "a span of the day such as \"07:00-19:00\"".into(),
            ParamKind::Severity => "one of critical, high, medium, low, info".into(),
        }
    }
}

/// A parameter a check kind takes.
#[derive(Debug, Clone, Copy)]
pub struct ParamSpec {
    /// Its name.
    pub name: &'static str,
    /// Its type.
    pub kind: ParamKind,
    /// Whether a rule may leave it out.
    pub optional: bool,
}

/// A check kind.
pub struct CheckKind {
    /// The name rule files use in `check = "..."`.
    pub name: &'static str,
    /// What it checks, for `rules show`.
    pub summary: &'static str,
    /// Parameters it takes (every required one must have a default in the rule file).
    pub params: &'static [ParamSpec],
    /// Optional tables without which the rule cannot be evaluated.
    pub needs: fn(&Rule) -> &'static [&'static str],
    /// Columns of its output rows, for checking grains and message placeholders.
    pub outputs: &'static [&'static str],
    /// The evaluation.
    pub evaluate: fn(&Context<'_>, &Rule) -> PolarsResult<LazyFrame>,
}

impl std::fmt::Debug for CheckKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "CheckKind({})", self.name)
    }
}

/// Every check kind.
pub const KINDS: &[CheckKind] = &[
    unjustified_role::KIND,
    orphan_account::KIND,
    grant_basis::KIND,
    self_approval::KIND,
    sod_conflict::KIND,
    shared_account::KIND,
    dormant_account::KIND,
    duplicate_accounts::KIND,
    late_termination::KIND,
    stale_transfer_role::KIND,
    absence_suspension::KIND,
    substitution_basis::KIND,
    substitution_overrun::KIND,
    late_fulfilment::KIND,
    revocation_deadline::KIND,
    requested_end::KIND,
    access_events::KIND,
    bulk_access::KIND,
    stale_export::KIND,
    exception_entries::KIND,
    person_code::KIND,
    dangling_reference::KIND,
    bad_interval::KIND,
    revoke_decision::KIND,
    review_return::KIND,
    repeat_offender::KIND,
    sql::KIND,
];

/// The check kind called `name`.
pub fn kind(name: &str) -> Option<&'static CheckKind> {
    KINDS.iter().find(|k| k.name == name)
}
