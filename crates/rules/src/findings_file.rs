//! `findings.jsonl`, the findings file a later run reads back (as its
//! baseline): one writer and one reader of one versioned format.
//!
//! Each line is one finding: the contract's columns in their order
//! (`outputs.md`), then `format_version`. The file's shape is the
//! [`Record`] below, not the internal [`Finding`], so changing the one does
//! not silently change the other. A file of a newer version is refused with
//! a message that says so; lines without a version were written before
//! versions were recorded, in the shape of version 1.

use std::io::Write;

use serde::{Deserialize, Serialize};

use crate::finding::{Finding, Status};
use crate::severity::{Area, Severity};

/// The version this build writes and the newest it reads.
pub const FORMAT_VERSION: u32 = 1;

/// Why a findings file cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum FindingsFileError {
    /// A line is not a finding of a known shape.
    #[error("{file}:{line}: not a finding: {message}")]
    Line {
        /// The file.
        file: String,
        /// 1-based line.
        line: usize,
        /// The parser's words.
        message: String,
    },
    /// A line was written by a newer accessaudit.
    #[error(
        "{file}:{line}: findings format version {version}, but this accessaudit reads versions \
         up to {FORMAT_VERSION}: the file was written by a newer accessaudit; read it with that \
         version or a later one"
    )]
    NewerVersion {
        /// The file.
        file: String,
        /// 1-based line.
        line: usize,
        /// The version it names.
        version: u64,
    },
}

/// One line of the file, version 1.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Record {
    finding_id: String,
    rule_id: String,
    severity: Severity,
    area: Area,
    status: Status,
    system: Option<String>,
    account_id: Option<String>,
    person_id: Option<String>,
    person_name: Option<String>,
    unit: Option<String>,
    role: Option<String>,
    subject: Option<String>,
    case_id: Option<String>,
    #[serde(rename = "ref")]
    reference: Option<String>,
    first_seen: Option<String>,
    last_seen: Option<String>,
    events: Option<u64>,
    days_late: Option<i64>,
    message: String,
    evidence: String,
    /// Absent in files written before versions were recorded.
    #[serde(default)]
    format_version: Option<u64>,
}

impl From<&Finding> for Record {
    fn from(f: &Finding) -> Self {
        Record {
            finding_id: f.finding_id.clone(),
            rule_id: f.rule_id.clone(),
            severity: f.severity,
            area: f.area,
            status: f.status,
            system: f.system.clone(),
            account_id: f.account_id.clone(),
            person_id: f.person_id.clone(),
            person_name: f.person_name.clone(),
            unit: f.unit.clone(),
            role: f.role.clone(),
            subject: f.subject.clone(),
            case_id: f.case_id.clone(),
            reference: f.reference.clone(),
            first_seen: f.first_seen.clone(),
            last_seen: f.last_seen.clone(),
            events: f.events,
            days_late: f.days_late,
            message: f.message.clone(),
            evidence: f.evidence.clone(),
            format_version: Some(u64::from(FORMAT_VERSION)),
        }
    }
}

impl From<Record> for Finding {
    fn from(r: Record) -> Self {
        Finding {
            finding_id: r.finding_id,
            rule_id: r.rule_id,
            severity: r.severity,
            area: r.area,
            status: r.status,
            system: r.system,
            account_id: r.account_id,
            person_id: r.person_id,
            person_name: r.person_name,
            unit: r.unit,
            role: r.role,
            subject: r.subject,
            case_id: r.case_id,
            reference: r.reference,
            first_seen: r.first_seen,
            last_seen: r.last_seen,
            events: r.events,
            days_late: r.days_late,
            message: r.message,
            evidence: r.evidence,
        }
    }
}

/// Writes one finding per line.
pub fn write_jsonl(out: &mut dyn Write, findings: &[Finding]) -> std::io::Result<()> {
    for f in findings {
        serde_json::to_writer(&mut *out, &Record::from(f))?;
        out.write_all(b"\n")?;
    }
    Ok(())
}

/// Reads the findings of a file's text; `file` names it in errors. A line
/// of a newer version than [`FORMAT_VERSION`] is refused, blank lines are
/// skipped.
pub fn read_jsonl(file: &str, text: &str) -> Result<Vec<Finding>, FindingsFileError> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let line_error = |message: String| FindingsFileError::Line {
            file: file.to_string(),
            line: i + 1,
            message,
        };
        // The version first: a newer file may have columns this build
        // does not know, and saying "newer" helps more than "unknown field".
        let value: serde_json::Value =
            serde_json::from_str(line).map_err(|e| line_error(e.to_string()))?;
        if let Some(version) = value.get("format_version").and_then(|v| v.as_u64()) {
            if version > u64::from(FORMAT_VERSION) {
                return Err(FindingsFileError::NewerVersion {
                    file: file.to_string(),
                    line: i + 1,
                    version,
                });
            }
        }
        let record: Record =
            serde_json::from_value(value).map_err(|e| line_error(e.to_string()))?;
        out.push(record.into());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::expect_used, clippy::unwrap_used)]

    use super::*;

    fn finding() -> Finding {
        Finding {
            finding_id: "0af136afea865a6c".into(),
            rule_id: "TIME-04".into(),
            severity: Severity::High,
            area: Area::Time,
            status: Status::Persisting,
            system: Some("SKAIS".into()),
            account_id: Some("amagi".into()),
            person_id: Some("37901172860".into()),
            person_name: Some("Andres Mägi".into()),
            unit: None,
            role: Some("PENS_OTSUSTAJA".into()),
            subject: None,
            case_id: None,
            reference: Some("RA-10058".into()),
            first_seen: Some("2026-09-30T23:59:59+03:00".into()),
            last_seen: None,
            events: Some(3),
            days_late: None,
            message: "A sentence.".into(),
            evidence: "role_assignments.csv:59".into(),
        }
    }

    #[test]
    fn a_written_file_reads_back_as_the_same_findings() {
        let mut out = Vec::new();
        write_jsonl(&mut out, &[finding(), finding()]).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.lines().all(|l| l.ends_with(",\"format_version\":1}")));
        assert!(text.starts_with("{\"finding_id\":\"0af136afea865a6c\",\"rule_id\""));
        assert_eq!(read_jsonl("f", &text).unwrap(), vec![finding(), finding()]);
    }

    #[test]
    fn a_line_without_a_version_is_read_as_written_before_versions() {
        let mut out = Vec::new();
        write_jsonl(&mut out, &[finding()]).unwrap();
        let text = String::from_utf8(out)
            .unwrap()
            .replace(",\"format_version\":1", "");
        assert_eq!(read_jsonl("f", &text).unwrap(), vec![finding()]);
    }

    #[test]
    fn a_newer_version_is_refused_naming_file_line_and_version() {
        let mut out = Vec::new();
        write_jsonl(&mut out, &[finding()]).unwrap();
        let text = String::from_utf8(out).unwrap().replace(
            "\"format_version\":1",
            "\"format_version\":2,\"new_column\":1",
        );
        let e = read_jsonl("old/findings.jsonl", &format!("\n{text}")).unwrap_err();
        let m = e.to_string();
        assert!(
            m.starts_with("old/findings.jsonl:2: findings format version 2"),
            "{m}"
        );
        assert!(m.contains("newer accessaudit"), "{m}");
    }

    #[test]
    fn a_line_of_another_shape_is_an_error_naming_its_line() {
        let e = read_jsonl("f.jsonl", "{\"finding_id\": 1}").unwrap_err();
        assert!(e.to_string().starts_with("f.jsonl:1: not a finding"), "{e}");
    }
}
