//! Typed errors of the rules crate.

use polars::prelude::PolarsError;

/// One problem in a rule definition or policy file, with its location.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DefinitionProblem {
    /// The file.
    pub file: String,
    /// 1-based line (0 when the problem concerns the whole file).
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

impl std::fmt::Display for DefinitionProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.line > 0 {
            write!(f, "{}:{}: {}", self.file, self.line, self.message)
        } else {
            write!(f, "{}: {}", self.file, self.message)
        }
    }
}

/// Errors of loading the catalogue or evaluating rules.
#[derive(Debug, thiserror::Error)]
pub enum RulesError {
    /// Rule definitions with problems; every problem is listed.
    #[error("{} problem(s) found:\n{}", problems.len(), problems.iter().map(|p| format!("  {p}")).collect::<Vec<_>>().join("\n"))]
    Definitions {
        /// The problems, in file and line order.
        problems: Vec<DefinitionProblem>,
    },
    /// The rules directory cannot be read.
    #[error("{dir}: cannot read the rules directory: {source}")]
    Directory {
        /// The directory.
        dir: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// No rule has the id asked for.
    #[error("no rule has the id {0:?} (see `accessaudit rules list`)")]
    UnknownRule(String),
    /// A rule's query failed.
    #[error("rule {rule}: {source}")]
    Evaluation {
        /// Rule id.
        rule: String,
        /// The Polars error.
        source: PolarsError,
    },
    /// A stage of the evaluation other than a rule failed (applying the
    /// exceptions, keeping the PD account-days).
    #[error("{stage}: {source}")]
    Stage {
        /// What the audit was doing, e.g. `applying the exceptions`.
        stage: &'static str,
        /// The Polars error.
        source: PolarsError,
    },
}
