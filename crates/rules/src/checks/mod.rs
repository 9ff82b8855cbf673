//! The check kinds: a few parameterised evaluations that rule files name.
//! Each is a small module that takes the snapshot's lazy frames and returns a
//! lazy frame of findings rows (the finding columns it knows, plus any fact
//! columns its rules' messages use). Nothing outside these modules knows
//! about a particular rule.

use polars::prelude::*;

use accessaudit_ingest::Snapshot;

use crate::definition::Rule;

mod bad_interval;
mod dangling_reference;
mod person_code;
mod row_problems;

/// What a check sees.
pub struct Context<'a> {
    /// The loaded snapshot.
    pub snapshot: &'a Snapshot,
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
    person_code::KIND,
    dangling_reference::KIND,
    bad_interval::KIND,
];

/// The check kind called `name`.
pub fn kind(name: &str) -> Option<&'static CheckKind> {
    KINDS.iter().find(|k| k.name == name)
}
