//! Every access to one data subject's data in the period, with the case that
//! explains each or the word that none does: the answer to a data subject's
//! access request and the DPO's first step in an investigation.

use chrono::{DateTime, SecondsFormat, Utc};
use polars::prelude::*;
use serde::Serialize;

use accessaudit_ingest::contract::{FILE_COLUMN, ROW_COLUMN};
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
    /// The same instant as `when`, RFC 3339 in UTC
    /// (`2026-09-14T12:49:09Z`): for exports that machines read.
    pub logged_at: String,
    /// The source system's own id of the event (`event_id`), empty when the
    /// log has none.
    pub event_id: String,
    /// The owner's employer that day when it is not the agency (the
    /// `employees.organisation` of their post, e.g. a local government);
    /// empty for the agency's own staff and for unknown owners.
    pub organisation: String,
    /// The case that explains the access, `None` when none does (or there
    /// is no cases table).
    pub explained_by: Option<CaseRef>,
}

/// A case, as an export names it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CaseRef {
    /// `cases.case_id`.
    pub id: String,
    /// The unit handling it (`cases.unit`), which says what kind of
    /// proceeding it is; empty when the cases table does not say.
    pub unit: String,
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
    // The PD facts keep no `event_id`; the log rows they came from do.
    let event_ids = facts
        .table("access_log")
        .filter(col("subject_id").eq(lit(code.clone())))
        .select([col(FILE_COLUMN), col(ROW_COLUMN), col("event_id")]);
    // The unit handling each of the subject's cases, once per (system, case).
    let case_units = facts
        .table("cases")
        .filter(col("subject_id").eq(lit(code.clone())))
        .select([
            col("system").alias("case_system"),
            col("case_id").alias("case_used"),
            col("unit").alias("case_unit"),
        ])
        .unique_stable_generic(
            Some(vec![col("case_system"), col("case_used")]),
            UniqueKeepStrategy::First,
        );
    let df = facts
        .with_people(events.with_column(col("owner").alias("person_id")))
        .with_column(facts.row_ref("access_log").alias("evidence"))
        .join(
            event_ids,
            [col(FILE_COLUMN), col(ROW_COLUMN)],
            [col(FILE_COLUMN), col(ROW_COLUMN)],
            JoinArgs::new(JoinType::Left),
        )
        .join(
            case_units,
            [col("system"), col("case_used")],
            [col("case_system"), col("case_used")],
            JoinArgs::new(JoinType::Left),
        )
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
            col("event_id"),
            col("organisation"),
            col("case_unit"),
        ])
        .collect()
        .map_err(wrap)?;
    let mut accesses = Vec::with_capacity(df.height());
    for i in 0..df.height() {
        let value = |name: &str| df.column(name).and_then(|c| c.get(i)).map_err(wrap);
        let get = |name: &str| -> Result<String, ReviewError> {
            Ok(derived::text(&value(name)?).unwrap_or_default())
        };
        let case = get("case_used")?;
        let evidence = get("evidence")?;
        let logged_at = rfc3339_utc(&value("ts")?).ok_or_else(|| {
            wrap(PolarsError::ComputeError(
                format!("{evidence}: column ts: not an instant the calendar can show").into(),
            ))
        })?;
        accesses.push(Access {
            when: get("ts")?,
            system: get("system")?,
            account_id: get("account_id")?,
            person_id: get("person_id")?,
            person_name: get("person_name")?,
            unit: get("unit")?,
            action: get("action")?,
            explained_by: (!case.is_empty())
                .then(|| -> Result<CaseRef, ReviewError> {
                    Ok(CaseRef {
                        id: case.clone(),
                        unit: get("case_unit")?,
                    })
                })
                .transpose()?,
            case: match (case.is_empty(), cases_known) {
                (false, _) => case,
                (true, true) => "unexplained".into(),
                (true, false) => "unknown (no cases table)".into(),
            },
            event_id: get("event_id")?,
            organisation: get("organisation")?,
            logged_at,
            evidence,
        });
    }
    Ok(SubjectReport {
        subject: pseudonyms.label(&code),
        accesses,
        cases_known,
    })
}

/// An instant column's value as RFC 3339 in UTC, with a fraction of a
/// second only when it has one; `None` for anything else.
fn rfc3339_utc(value: &AnyValue<'_>) -> Option<String> {
    let utc: DateTime<Utc> = match value {
        AnyValue::Datetime(v, unit, _) | AnyValue::DatetimeOwned(v, unit, _) => match unit {
            TimeUnit::Milliseconds => DateTime::from_timestamp_millis(*v),
            TimeUnit::Microseconds => DateTime::from_timestamp_micros(*v),
            TimeUnit::Nanoseconds => Some(DateTime::from_timestamp_nanos(*v)),
        },
        _ => None,
    }?;
    Some(utc.to_rfc3339_opts(SecondsFormat::AutoSi, true))
}
