//! The derived facts the review workflow builds on (`accessaudit-review`:
//! worksheets, figures, the subject report), so that it never reaches into
//! the check kinds: effective rights, what justifies a right (duty,
//! substitution), employment and people, the PD access events with the case
//! that explains each, and the PD account-days the audit computed.
//!
//! Every fact is read through one [`Derived`], which sees the snapshot as the
//! non-DQ rules saw it: built with [`Derived::of`], the rows the data-quality
//! rules left out stay out here too.

use polars::prelude::*;

use accessaudit_ingest::Snapshot;

use crate::checks::{self, facts, pd, Context};
use crate::engine::Evaluation;
use crate::pseudonym::Pseudonymizer;

/// Expression helpers over the facts' columns: an instant or a day as a
/// literal, whether an interval covers one, text built from columns.
pub use crate::checks::facts::{covers, covers_day, day, format, instant, join_texts};

/// A value as a person reads it: dates `YYYY-MM-DD`, instants as
/// Europe/Tallinn wall-clock time, nulls as `None` (as findings show them).
pub fn text(value: &AnyValue<'_>) -> Option<String> {
    crate::display::text(value)
}

/// The derived facts of one snapshot.
pub struct Derived<'a> {
    ctx: Context<'a>,
}

impl<'a> Derived<'a> {
    /// The facts of `snapshot` with no rows left out: for commands that run
    /// no data-quality rules (`subject-report`).
    pub fn new(snapshot: &'a Snapshot, pseudonyms: &'a Pseudonymizer) -> Self {
        Derived {
            ctx: Context::new(snapshot, pseudonyms),
        }
    }

    /// The facts of `snapshot` as the audit `evaluation` saw it: without the
    /// rows its data-quality rules left out.
    pub fn of(
        evaluation: &Evaluation,
        snapshot: &'a Snapshot,
        pseudonyms: &'a Pseudonymizer,
    ) -> Self {
        let mut ctx = Context::new(snapshot, pseudonyms);
        ctx.excluded = evaluation.excluded.clone();
        Derived { ctx }
    }

    /// The snapshot.
    pub fn snapshot(&self) -> &'a Snapshot {
        self.ctx.snapshot
    }

    /// Table `name` without the rows left out.
    pub fn table(&self, name: &str) -> LazyFrame {
        self.ctx.frame(name)
    }

    /// `file:row` of each row of table `name` (from its `__file`, `__row`).
    pub fn row_ref(&self, name: &str) -> Expr {
        facts::row_ref(self.ctx.snapshot.table(name))
    }

    /// Every role assignment with the validity it effectively had: see
    /// `checks::facts::rights` (columns include `person_id`, `system`,
    /// `account_id`, `role`, `kind`, `valid_from`, `assignment_id`, `basis`,
    /// `basis_ref`, `eff_start`, `eff_end`; `eff_end` null = still effective).
    pub fn effective_rights(&self) -> LazyFrame {
        facts::rights(&self.ctx)
    }

    /// The rights a person's posts carry by duty (`person_id`, `system`,
    /// `role`, `valid_from`, `valid_to`).
    pub fn duty_rights(&self) -> LazyFrame {
        facts::duty_rights(&self.ctx)
    }

    /// Rights justified at `as_of` by a substitution order (`person_id`,
    /// `system`, `role`).
    pub fn substitution_rights(&self) -> LazyFrame {
        checks::covered_by_substitution(&self.ctx)
    }

    /// The role catalogue (`system`, `role`, `role_name`, `personal_data`).
    pub fn role_catalogue(&self) -> LazyFrame {
        facts::role_catalogue(&self.ctx)
    }

    /// Adds `person_name` and `unit` (from each person's latest employment
    /// row) to a frame with `person_id`.
    pub fn with_people(&self, lf: LazyFrame) -> LazyFrame {
        facts::with_people(&self.ctx, lf)
    }

    /// The personal-data access events of one data subject (`subject_id`
    /// equal to `code`), with the event's columns (`ts`, `system`,
    /// `account_id`, `owner`, `action`, `unit`, ...) and `case_used`: the
    /// case that explains it by the very reading the PD rules use, null when
    /// none does or when there is no cases table.
    pub fn subject_events(&self, code: &str) -> PolarsResult<LazyFrame> {
        let events = pd::events(&self.ctx).filter(col("subject_id").eq(lit(code.to_string())));
        if self.ctx.snapshot.table("cases").is_some() {
            pd::explain(&self.ctx, events)
        } else {
            Ok(events.with_column(lit(NULL).cast(DataType::String).alias("case_used")))
        }
    }
}
