//! Every access to one data subject's data in the period, with the case that
//! explains each or the word that none does: the answer to a data subject's
//! access request and the DPO's first step in an investigation.

use polars::prelude::*;
use serde::Serialize;

use accessaudit_ingest::{isikukood, Snapshot};
use accessaudit_rules::derived::{self, Derived};
use accessaudit_rules::pseudonym::Pseudonymizer;

use crate::error::ReviewError;

/// One access.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Access {
    /// When, Europe/Tallinn wall-clock time.
    pub when: String,
    /// Information system.
    pub system: String,
    /// Account used.
    pub account_id: String,
    /// The account owner's personal code.
    pub person_id: String,
    /// Their name.
    pub person_name: String,
    /// Their unit that day.
    pub unit: String,
    /// What was done.
    pub action: String,
    /// The case that explains it, or `unexplained`.
    pub case: String,
    /// The log row.
    pub evidence: String,
}

/// The report for one subject.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SubjectReport {
    /// The subject as outputs show them (pseudonym unless revealed).
    pub subject: String,
    /// The accesses, oldest first.
    pub accesses: Vec<Access>,
    /// Whether a cases table was there to explain the accesses.
    pub cases_known: bool,
}

/// Collects every access to `code`'s data in the snapshot's period.
pub fn subject_report(
    snapshot: &Snapshot,
    pseudonyms: &Pseudonymizer,
    code: &str,
) -> Result<SubjectReport, ReviewError> {
    let code = isikukood::normalise(code).to_string();
    let facts = Derived::new(snapshot, pseudonyms);
    let wrap = |source| ReviewError::Stage {
        stage: "the subject report",
        source,
    };
    let cases_known = snapshot.table("cases").is_some();
    let events = facts.subject_events(&code).map_err(wrap)?;
    let df = facts
        .with_people(events.with_column(col("owner").alias("person_id")))
        .with_column(facts.row_ref("access_log").alias("evidence"))
        .sort(
            ["ts", "system", "account_id"],
            SortMultipleOptions::default(),
        )
        .select([
            col("ts"),
            col("system"),
            col("account_id"),
            col("person_id"),
            col("person_name"),
            coalesce(&[col("unit"), col("unit_right")]).alias("unit"),
            col("action"),
            col("case_used"),
            col("evidence"),
        ])
        .collect()
        .map_err(wrap)?;
    let mut accesses = Vec::with_capacity(df.height());
    for i in 0..df.height() {
        let get = |name: &str| -> Result<String, ReviewError> {
            let v = df.column(name).and_then(|c| c.get(i)).map_err(wrap)?;
            Ok(derived::text(&v).unwrap_or_default())
        };
        let case = get("case_used")?;
        accesses.push(Access {
            when: get("ts")?,
            system: get("system")?,
            account_id: get("account_id")?,
            person_id: get("person_id")?,
            person_name: get("person_name")?,
            unit: get("unit")?,
            action: get("action")?,
            case: match (case.is_empty(), cases_known) {
                (false, _) => case,
                (true, true) => "unexplained".into(),
                (true, false) => "unknown (no cases table)".into(),
            },
            evidence: get("evidence")?,
        });
    }
    Ok(SubjectReport {
        subject: pseudonyms.label(&code),
        accesses,
        cases_known,
    })
}
