//! The workflow around the rules, after an audit's evaluation: the
//! comparison with an earlier run ([`baseline`]), the quarterly access-review
//! worksheets ([`worksheets`]), one data subject's accesses
//! ([`subject_report`]) and the explained-access figures ([`figures`]).
//!
//! It reads the snapshot only through the rules crate's documented derived
//! facts ([`accessaudit_rules::derived`]), built with the rows the audit's
//! data-quality rules left out, never through the check kinds. Errors name
//! the stage ([`ReviewError`]).

pub mod baseline;
pub mod cases;
pub(crate) mod error;
pub mod figures;
pub mod history;
pub mod import;
pub mod layout;
pub mod subject_report;
pub mod worksheets;

pub use error::ReviewError;

/// What the review adds to an audit's evaluation, for the report.
#[derive(Debug, Clone, Default)]
pub struct Review {
    /// The comparison with the baseline, when one was given.
    pub comparison: Option<baseline::Comparison>,
    /// The explained-access figures, when PD rules ran over an access log
    /// and a cases table.
    pub explained_access: Option<figures::ExplainedAccess>,
    /// How far the previous review got, when the audit has a history
    /// holding one.
    pub progress: Option<history::state::ReviewProgress>,
    /// The data-protection officer's cases, the most serious first.
    pub cases: Vec<cases::Case>,
    /// The trends over the history's last reviews, this audit the latest,
    /// when the audit has a history.
    pub trends: Option<history::trends::Trends>,
}
