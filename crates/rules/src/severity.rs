//! Severities and areas of the catalogue.

use serde::{Deserialize, Serialize};

/// How serious a finding is. Ordered: `Info < Low < ... < Critical`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// For information.
    Info,
    /// Low.
    Low,
    /// Medium.
    Medium,
    /// High.
    High,
    /// Critical.
    Critical,
}

impl Severity {
    /// Every severity, most serious first.
    pub const ALL: [Severity; 5] = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
        Severity::Info,
    ];

    /// The catalogue's word for it.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Critical => "critical",
            Severity::High => "high",
            Severity::Medium => "medium",
            Severity::Low => "low",
            Severity::Info => "info",
        }
    }

    /// Reads a severity word (case-insensitive).
    pub fn parse(word: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|s| s.as_str().eq_ignore_ascii_case(word.trim()))
    }
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.as_str())
    }
}

/// The catalogue's areas.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Area {
    /// Rights match the duties in the job description.
    #[serde(rename = "ACC")]
    Acc,
    /// Granted, suspended and ended on time.
    #[serde(rename = "TIME")]
    Time,
    /// Lawful use of personal data.
    #[serde(rename = "PD")]
    Pd,
    /// The data itself is sound and up to date.
    #[serde(rename = "DQ")]
    Dq,
    /// The list of accepted risks is itself in order.
    #[serde(rename = "EXC")]
    Exc,
    /// The previous review's decisions were carried out.
    #[serde(rename = "REV")]
    Rev,
}

impl Area {
    /// Every area in catalogue order.
    pub const ALL: [Area; 6] = [
        Area::Acc,
        Area::Time,
        Area::Pd,
        Area::Dq,
        Area::Exc,
        Area::Rev,
    ];

    /// The id prefix (`ACC`, `TIME`, `PD`, `DQ`).
    pub fn as_str(self) -> &'static str {
        match self {
            Area::Acc => "ACC",
            Area::Time => "TIME",
            Area::Pd => "PD",
            Area::Dq => "DQ",
            Area::Exc => "EXC",
            Area::Rev => "REV",
        }
    }
}

impl std::fmt::Display for Area {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn severities_order_and_parse() {
        assert!(Severity::Critical > Severity::High && Severity::Low > Severity::Info);
        assert_eq!(Severity::parse("HIGH"), Some(Severity::High));
        assert_eq!(Severity::parse("severe"), None);
    }
}
