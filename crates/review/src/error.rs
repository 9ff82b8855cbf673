//! Typed errors of the review workflow.

use polars::prelude::PolarsError;

/// A stage of the review failed; the message names the stage, not a rule.
#[derive(Debug, thiserror::Error)]
pub enum ReviewError {
    /// A query of one stage failed.
    #[error("{stage}: {source}")]
    Stage {
        /// What the review was doing, e.g. `the review worksheets`.
        stage: &'static str,
        /// The Polars error.
        source: PolarsError,
    },
}
