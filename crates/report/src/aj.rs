//! A subject report in the form of Andmejälgija (the Estonian Data Tracker,
//! which shows citizens on eesti.ee who processed their data): the answer of
//! the agency's `findUsage` v3 service for that person, every access as an
//! `INTERNAL_PROCESSING` record (`internalProcessings`), so that the agency
//! can answer a data-subject request in the form citizens already know.
//!
//! The record types are those of the OpenAPI description
//! `doc/spetsifikatsioonid/dumonitor-openapi-v3.yaml` of the public
//! repository `e-gov/AJ` (version 3.0.0-rc.3); `tests/aj/` holds their
//! schemas and checks the output against them. How each field is filled,
//! and why, is in `docs/data-tracker.md`.

use std::io::Write;

use serde::Serialize;

use accessaudit_review::subject_report::{Access, SubjectReport};

/// The `purpose` of an access no case explains.
pub const UNEXPLAINED: &str = "unexplained";

/// The `purpose` of an access when the snapshot has no cases table.
pub const NO_CASES: &str = "unknown (no cases table)";

/// The agency the export speaks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Agency {
    /// Its name (`manifest.toml` `organisation`).
    pub name: String,
}

/// `FindUsageResponse`: what `findUsage?userCode=EE<code>` answers, here
/// with the internal processings only.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FindUsageResponse {
    /// All records (no paging: every one is returned).
    pub total_usages: usize,
    /// The records returned.
    pub returned_usages: usize,
    /// The accesses, oldest first.
    pub internal_processings: Vec<UsageProcessing>,
}

/// `UsageProcessing` (`UsageCommon` and `source`): one access.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UsageProcessing {
    /// When, RFC 3339 in UTC.
    pub log_time: String,
    /// Why: the case that explains the access, else [`UNEXPLAINED`].
    pub purpose: String,
    /// The information system whose log holds the access.
    pub log_source_system: String,
    /// The source system's id of the log entry, when the log has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub query_id: Option<String>,
    /// The explaining case's id: ties the accesses of one proceeding.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub query_group_id: Option<String>,
    /// The organisation whose official looked, with the system used.
    pub initiator_org: Organization,
    /// The official, by the account used (never their personal code).
    pub initiator_person: Person,
    /// Whose data it is: the agency, in the system that holds it.
    pub source: Organization,
}

/// `Organization`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Organization {
    /// `GOV`: the agency, or a local government working in its system.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// Its name.
    pub name: String,
    /// The information system.
    pub system_name: String,
}

/// `Person`, by `alternativeCode` only.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Person {
    /// The account id in the system: a code the agency links to the person
    /// through its accounts table, as the specification asks.
    pub alternative_code: String,
}

/// Every access of `report` as an Andmejälgija record of `agency`.
pub fn response(report: &SubjectReport, agency: &Agency) -> FindUsageResponse {
    let records: Vec<UsageProcessing> = report
        .accesses
        .iter()
        .map(|a| record(a, report.cases_known, agency))
        .collect();
    FindUsageResponse {
        total_usages: records.len(),
        returned_usages: records.len(),
        internal_processings: records,
    }
}

/// One access as a record.
fn record(a: &Access, cases_known: bool, agency: &Agency) -> UsageProcessing {
    let purpose = match (&a.explained_by, cases_known) {
        (Some(case), _) if case.unit.is_empty() => format!("case {}", case.id),
        (Some(case), _) => format!("case {} ({})", case.id, case.unit),
        (None, true) => UNEXPLAINED.to_string(),
        (None, false) => NO_CASES.to_string(),
    };
    let org = |name: &str| Organization {
        kind: "GOV",
        name: name.to_string(),
        system_name: a.system.clone(),
    };
    let initiator = if a.organisation.is_empty() {
        &agency.name
    } else {
        &a.organisation
    };
    UsageProcessing {
        log_time: a.logged_at.clone(),
        purpose,
        log_source_system: a.system.clone(),
        query_id: (!a.event_id.is_empty()).then(|| a.event_id.clone()),
        query_group_id: a.explained_by.as_ref().map(|c| c.id.clone()),
        initiator_org: org(initiator),
        initiator_person: Person {
            alternative_code: a.account_id.clone(),
        },
        source: org(&agency.name),
    }
}

/// Writes `report` as Andmejälgija JSON (UTF-8, indented, a final newline).
pub fn write_subject_report(
    out: &mut dyn Write,
    report: &SubjectReport,
    agency: &Agency,
) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &response(report, agency))?;
    writeln!(out)
}
