//! A finding: one fact a rule found, in the columns of `outputs.md`.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::severity::{Area, Severity};

/// Where a finding stands against a baseline or the exceptions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Not in the baseline (or no baseline given).
    New,
    /// Also in the baseline.
    Persisting,
    /// Matched by an accepted-risk exception.
    Suppressed,
    /// Its unit's manager decided `keep` on it, with a reason, in the
    /// review this audit follows or is; open again at the next review's
    /// `as_of` unless decided again.
    Accepted,
    /// The data-protection officer disposed its case `justified`.
    Explained,
    /// In the baseline only.
    Resolved,
}

impl Status {
    /// The word written in outputs.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::New => "new",
            Status::Persisting => "persisting",
            Status::Suppressed => "suppressed",
            Status::Accepted => "accepted",
            Status::Explained => "explained",
            Status::Resolved => "resolved",
        }
    }
}

/// The finding columns of `outputs.md`, in their order.
pub const COLUMNS: [&str; 20] = [
    "finding_id",
    "rule_id",
    "severity",
    "area",
    "status",
    "system",
    "account_id",
    "person_id",
    "person_name",
    "unit",
    "role",
    "subject",
    "case_id",
    "ref",
    "first_seen",
    "last_seen",
    "events",
    "days_late",
    "message",
    "evidence",
];

/// The text columns a check may fill, besides `events` and `days_late`.
pub const TEXT_COLUMNS: [&str; 12] = [
    "system",
    "account_id",
    "person_id",
    "person_name",
    "unit",
    "role",
    "subject",
    "case_id",
    "ref",
    "first_seen",
    "last_seen",
    "evidence",
];

/// One finding. Files a later run reads back are written and read through
/// [`crate::findings_file`], never through this type's serde.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    /// Stable id: a hash of the rule id and the grain values.
    pub finding_id: String,
    /// Rule id.
    pub rule_id: String,
    /// Severity.
    pub severity: Severity,
    /// Area.
    pub area: Area,
    /// Status.
    pub status: Status,
    /// Information system.
    pub system: Option<String>,
    /// Account id within the system.
    pub account_id: Option<String>,
    /// The employee concerned.
    pub person_id: Option<String>,
    /// Their name.
    pub person_name: Option<String>,
    /// Their unit.
    pub unit: Option<String>,
    /// Role code.
    pub role: Option<String>,
    /// Data subject (pseudonymised).
    pub subject: Option<String>,
    /// Case id.
    pub case_id: Option<String>,
    /// What the grain names when it is not an account, person or subject.
    #[serde(rename = "ref")]
    pub reference: Option<String>,
    /// First time the fact was seen.
    pub first_seen: Option<String>,
    /// Last time the fact was seen.
    pub last_seen: Option<String>,
    /// Number of events behind it.
    pub events: Option<u64>,
    /// Working days late.
    pub days_late: Option<i64>,
    /// One plain sentence.
    pub message: String,
    /// The input rows behind it, as `table:row` references.
    pub evidence: String,
}

/// The `finding_id` of a fact: the first 16 hex digits of SHA-256 over the
/// rule id and the grain values, separated by a unit separator so that
/// `("a", "bc")` and `("ab", "c")` differ.
pub fn finding_id(rule_id: &str, grain: &[Option<&str>]) -> String {
    let mut hasher = Sha256::new();
    hasher.update(rule_id.as_bytes());
    for value in grain {
        hasher.update([0x1f]);
        if let Some(v) = value {
            hasher.update(v.as_bytes());
        } else {
            hasher.update([0x00]);
        }
    }
    let digest = hasher.finalize();
    hex::encode(&digest[..8])
}

impl Finding {
    /// The value of a text column by its name.
    pub fn text(&self, column: &str) -> Option<&str> {
        match column {
            "system" => self.system.as_deref(),
            "account_id" => self.account_id.as_deref(),
            "person_id" => self.person_id.as_deref(),
            "person_name" => self.person_name.as_deref(),
            "unit" => self.unit.as_deref(),
            "role" => self.role.as_deref(),
            "subject" => self.subject.as_deref(),
            "case_id" => self.case_id.as_deref(),
            "ref" => self.reference.as_deref(),
            "first_seen" => self.first_seen.as_deref(),
            "last_seen" => self.last_seen.as_deref(),
            "evidence" => Some(self.evidence.as_str()),
            "rule_id" => Some(self.rule_id.as_str()),
            "message" => Some(self.message.as_str()),
            _ => None,
        }
    }

    /// The value of column `name` (one of [`COLUMNS`]) as the outputs write
    /// it; `None` when it is empty or there is no such column. The one
    /// place that maps a column's name to a finding's field for reading.
    pub fn value(&self, name: &str) -> Option<String> {
        match name {
            "finding_id" => Some(self.finding_id.clone()),
            "severity" => Some(self.severity.to_string()),
            "area" => Some(self.area.to_string()),
            "status" => Some(self.status.as_str().to_string()),
            "events" => self.events.map(|v| v.to_string()),
            "days_late" => self.days_late.map(|v| v.to_string()),
            other => self.text(other).map(str::to_string),
        }
    }

    /// Sets a text column by its name; unknown names are ignored.
    pub fn set_text(&mut self, column: &str, value: Option<String>) {
        let slot = match column {
            "system" => &mut self.system,
            "account_id" => &mut self.account_id,
            "person_id" => &mut self.person_id,
            "person_name" => &mut self.person_name,
            "unit" => &mut self.unit,
            "role" => &mut self.role,
            "subject" => &mut self.subject,
            "case_id" => &mut self.case_id,
            "ref" => &mut self.reference,
            "first_seen" => &mut self.first_seen,
            "last_seen" => &mut self.last_seen,
            "evidence" => {
                self.evidence = value.unwrap_or_default();
                return;
            }
            _ => return,
        };
        *slot = value;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finding_ids_are_stable_and_separate_values() {
        let a = finding_id("DQ-01", &[Some("employees.csv:7")]);
        assert_eq!(a, finding_id("DQ-01", &[Some("employees.csv:7")]));
        assert_eq!(a.len(), 16);
        assert_ne!(a, finding_id("DQ-02", &[Some("employees.csv:7")]));
        assert_ne!(
            finding_id("X", &[Some("a"), Some("bc")]),
            finding_id("X", &[Some("ab"), Some("c")])
        );
        assert_ne!(finding_id("X", &[None]), finding_id("X", &[Some("")]));
    }
}
