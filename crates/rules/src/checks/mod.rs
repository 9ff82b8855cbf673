//! The check kinds: a few parameterised evaluations that rule files name.
//! Each is a small module that takes the snapshot's lazy frames and returns a
//! lazy frame of findings rows (the finding columns it knows, plus any fact
//! columns its rules' messages use). Nothing outside these modules knows
//! about a particular rule.

use std::collections::HashMap;

use polars::prelude::*;

use accessaudit_ingest::contract::{FILE_COLUMN, ROW_COLUMN};
use accessaudit_ingest::Snapshot;

use crate::definition::Rule;

mod absence_suspension;
mod bad_interval;
mod dangling_reference;
mod dormant_account;
mod duplicate_accounts;
pub mod facts;
mod grant_basis;
mod late_fulfilment;
mod late_termination;
mod orphan_account;
mod person_code;
mod requested_end;
mod revocation_deadline;
mod row_problems;
mod self_approval;
mod shared_account;
mod sod_conflict;
mod stale_transfer_role;
mod substitution_basis;
mod substitution_overrun;
mod unjustified_role;

/// What a check sees.
pub struct Context<'a> {
    /// The loaded snapshot.
    pub snapshot: &'a Snapshot,
    /// Rows of each table left out of the non-DQ rules (`__file`, `__row`).
    pub excluded: HashMap<&'static str, DataFrame>,
}

impl Context<'_> {
    /// Table `name` without the rows the data-quality rules left out.
    pub fn frame(&self, name: &str) -> LazyFrame {
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

/// The type a parameter must have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamKind {
    /// A whole number.
    Integer,
    /// A list of words.
    Words,
    /// One word or sentence.
    Text,
}

impl ParamKind {
    /// Whether `value` has this type.
    pub fn accepts(self, value: &toml::Value) -> bool {
        match self {
            ParamKind::Integer => value.is_integer(),
            ParamKind::Text => value.is_str(),
            ParamKind::Words => value
                .as_array()
                .is_some_and(|a| a.iter().all(toml::Value::is_str)),
        }
    }

    /// The type's name for messages.
    pub fn describe(self) -> &'static str {
        match self {
            ParamKind::Integer => "a whole number",
            ParamKind::Text => "a string",
            ParamKind::Words => "a list of strings",
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
}

/// A check kind.
pub struct CheckKind {
    /// The name rule files use in `check = "..."`.
    pub name: &'static str,
    /// What it checks, for `rules show`.
    pub summary: &'static str,
    /// Parameters it takes (every one must be given a default in the rule file).
    pub params: &'static [ParamSpec],
    /// Optional tables without which it cannot be evaluated.
    pub needs: &'static [&'static str],
    /// Columns of its output rows, for checking grains and message placeholders.
    pub outputs: &'static [&'static str],
    /// The evaluation.
    pub evaluate: fn(&Context<'_>, &Rule) -> PolarsResult<LazyFrame>,
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
    person_code::KIND,
    dangling_reference::KIND,
    bad_interval::KIND,
];

/// The check kind called `name`.
pub fn kind(name: &str) -> Option<&'static CheckKind> {
    KINDS.iter().find(|k| k.name == name)
}
