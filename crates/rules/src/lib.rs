//! The accessaudit rule catalogue and its evaluation.
//!
//! Rule files in `rules/` are the single source of each rule's metadata
//! ([`definition`], loaded and validated by [`catalog`]). A rule names a
//! check kind ([`checks`]): a small parameterised evaluation over the
//! snapshot's lazy frames. The [`engine`] runs them and builds [`Finding`]s.
//! What the review workflow (`accessaudit-review`) builds on is the public,
//! documented [`derived`] module.

pub(crate) mod catalog;
pub mod checks;
pub mod decisions;
pub(crate) mod definition;
pub mod derived;
pub(crate) mod display;
pub(crate) mod engine;
pub(crate) mod error;
pub mod exceptions;
pub mod finding;
pub mod findings_file;
pub mod fixture;
pub(crate) mod phrases;
pub(crate) mod policy;
pub mod pseudonym;
pub(crate) mod severity;
pub mod template;

pub use catalog::Catalog;
pub use definition::Rule;
pub use engine::{
    evaluate, evaluate_with, Evaluation, Inputs, OutcomeState, RuleEvent, RuleObserver, RuleOutcome,
};
pub use error::{DefinitionProblem, RulesError};
pub use finding::{Finding, Status};
pub use severity::{Area, Severity};
