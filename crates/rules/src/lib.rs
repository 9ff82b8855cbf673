//! The accessaudit rule catalogue and its evaluation.
//!
//! Rule files in `rules/` are the single source of each rule's metadata
//! ([`definition`], loaded and validated by [`catalog`]). A rule names a
//! check kind ([`checks`]): a small parameterised evaluation over the
//! snapshot's lazy frames. The [`engine`] runs them and builds [`Finding`]s.
//! What the review workflow (`accessaudit-review`) builds on is the public,
//! documented [`derived`] module.

pub mod catalog;
pub mod checks;
pub mod decisions;
pub mod definition;
pub mod derived;
pub(crate) mod display;
pub mod engine;
pub mod error;
pub mod exceptions;
pub mod finding;
pub mod findings_file;
pub mod fixture;
pub mod phrases;
pub mod policy;
pub mod pseudonym;
pub mod severity;
pub mod template;

pub use catalog::Catalog;
pub use definition::Rule;
pub use engine::{
    evaluate, evaluate_with, Evaluation, Inputs, OutcomeState, RuleEvent, RuleObserver, RuleOutcome,
};
pub use error::{DefinitionProblem, RulesError};
pub use finding::{Finding, Status};
pub use severity::{Area, Severity};
