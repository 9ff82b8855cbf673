//! The quarterly access-review worksheet: for each unit, every person, every
//! right effective at `as_of`, what justifies it, and the findings about it,
//! for the unit's manager to decide on ("Rights"), and the unit's open
//! findings ("Findings"). Every row carries a stable `item_id`, so a sheet
//! that comes back reordered, filtered or re-sorted still imports.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use polars::prelude::*;
use serde::Serialize;

use accessaudit_rules::derived::{self, Derived};
use accessaudit_rules::{Finding, Status};

use crate::error::ReviewError;

/// What every worksheet of one review shows in its header.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReviewHeader {
    /// The review id ([`crate::history::review_id`]).
    pub review_id: String,
    /// The audit's `as_of`, as the report shows it.
    pub as_of: String,
    /// The day the worksheets are due back.
    pub return_by: NaiveDate,
}

/// A unit's manager, from the HR roster.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Manager {
    /// Personal code.
    pub person_id: String,
    /// Name.
    pub name: String,
}

impl std::fmt::Display for Manager {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.person_id.is_empty() {
            write!(f, "{}", self.name)
        } else {
            write!(f, "{} ({})", self.name, self.person_id)
        }
    }
}

impl Manager {
    /// A reviewer as a person writes them: `Name (code)`, or a name.
    pub fn parse(text: &str) -> Manager {
        let t = text.trim();
        match t.strip_suffix(')').and_then(|r| r.rsplit_once(" (")) {
            Some((name, code)) if !code.is_empty() => Manager {
                person_id: code.trim().to_string(),
                name: name.trim().to_string(),
            },
            _ => Manager {
                person_id: String::new(),
                name: t.to_string(),
            },
        }
    }
}

/// One unit's worksheet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Worksheet {
    /// The unit.
    pub unit: String,
    /// Its manager: the person most of the unit's staff name as
    /// `manager_id` at `as_of` (see `docs/review.md`); `None` when nobody
    /// is named.
    pub manager: Option<Manager>,
    /// Every person of the unit and every effective right ("Rights").
    pub rights: Vec<WorksheetRow>,
    /// The unit's open findings ("Findings").
    pub findings: Vec<FindingRow>,
}

/// One line of a worksheet's "Findings" sheet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FindingRow {
    /// The finding id.
    pub item_id: String,
    /// Rule id.
    pub rule_id: String,
    /// Severity.
    pub severity: String,
    /// Status (new, persisting, accepted).
    pub status: String,
    /// The person concerned.
    pub person_id: String,
    /// Their name.
    pub person_name: String,
    /// System.
    pub system: String,
    /// Account.
    pub account_id: String,
    /// Role.
    pub role: String,
    /// The finding's message.
    pub message: String,
}

/// One line of a worksheet's "Rights" sheet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WorksheetRow {
    /// The row's stable id ([`right_item_id`]).
    pub item_id: String,
    /// The person's personal code.
    pub person_id: String,
    /// Their name.
    pub person_name: String,
    /// Their post at `as_of`.
    pub position: String,
    /// Information system (empty when the person holds no right).
    pub system: String,
    /// Account.
    pub account_id: String,
    /// Role code.
    pub role: String,
    /// Role name.
    pub role_name: String,
    /// Whether the role reads personal data.
    pub personal_data: String,
    /// Since when the right is effective.
    pub since: String,
    /// Why it was granted (request, substitution, baseline) and its reference.
    pub basis: String,
    /// What justifies it now: `duty`, `substitution`, `request` or `nothing`.
    pub justified_by: String,
    /// Ids of the findings about it, with their status, as shown.
    pub findings: String,
    /// The ids of the open findings about it: a `keep` on the row accepts them.
    #[serde(skip)]
    pub finding_ids: Vec<String>,
    /// The right was not on the previous review's worksheet.
    pub new_since_last_review: bool,
    /// What the manager decided on it in the previous review, e.g.
    /// `keep 2026-10-05`.
    pub previous_decision: String,
}

impl WorksheetRow {
    /// The text of column `key` of the Rights sheet as written, for every
    /// writer alike: `unit` is the sheet's unit, `yes` the word for a right
    /// new since the last review; the manager's columns are empty.
    pub fn shown<'a>(&'a self, key: &str, unit: &'a str, yes: &'a str) -> &'a str {
        match key {
            "item_id" => &self.item_id,
            "unit" => unit,
            "person_id" => &self.person_id,
            "person_name" => &self.person_name,
            "position" => &self.position,
            "system" => &self.system,
            "account_id" => &self.account_id,
            "role" => &self.role,
            "role_name" => &self.role_name,
            "personal_data" => &self.personal_data,
            "since" => &self.since,
            "basis" => &self.basis,
            "justified_by" => &self.justified_by,
            "findings" => &self.findings,
            "new_since_last_review" if self.new_since_last_review => yes,
            "previous_decision" => &self.previous_decision,
            _ => "",
        }
    }
}

/// The `item_id` of a person's right on a worksheet: `r-` and a hash of
/// the person, system, account and role (for a person holding no right,
/// of the person alone, `p-`). The same right gets the same id in every
/// review.
pub fn right_item_id(person_id: &str, system: &str, account_id: &str, role: &str) -> String {
    if system.is_empty() && account_id.is_empty() && role.is_empty() {
        format!(
            "p-{}",
            accessaudit_rules::finding::finding_id("worksheet person", &[Some(person_id)])
        )
    } else {
        format!(
            "r-{}",
            accessaudit_rules::finding::finding_id(
                "worksheet right",
                &[Some(person_id), Some(system), Some(account_id), Some(role)],
            )
        )
    }
}

/// Worksheets per unit (unit name → sheet), people sorted by name, from the
/// facts as the audit saw them (`facts` built with [`Derived::of`], so the
/// rows its data-quality rules left out are left out here too).
pub fn worksheets(
    facts: &Derived<'_>,
    findings: &[Finding],
) -> Result<BTreeMap<String, Worksheet>, ReviewError> {
    let snapshot = facts.snapshot();
    let wrap = |source| ReviewError::Stage {
        stage: "the review worksheets",
        source,
    };
    let t = derived::instant(snapshot.as_of);
    let d = derived::day(snapshot.as_of_day());
    let staff = facts
        .table("employees")
        .filter(derived::covers_day("valid_from", "valid_to", d.clone()))
        .join(
            facts
                .table("positions")
                .select([col("position_id"), col("title")]),
            [col("position_id")],
            [col("position_id")],
            JoinArgs::new(JoinType::Left),
        )
        // Two overlapping rows of one person in one unit (DQ-03 keeps both)
        // are one person on the worksheet, in the post that started last.
        .sort(
            ["person_id", "unit", "valid_from", "position_id"],
            SortMultipleOptions::default().with_nulls_last(false),
        )
        .unique_stable_generic(
            Some(vec![col("person_id"), col("unit")]),
            UniqueKeepStrategy::Last,
        )
        .select([
            col("person_id"),
            col("name").alias("person_name"),
            col("unit"),
            derived::format("{} ({})", vec![col("title"), col("position_id")]).alias("position"),
            col("manager_id"),
        ]);
    let keys = || [col("person_id"), col("system"), col("role")];
    let by_duty = facts
        .duty_rights()
        .filter(derived::covers_day("valid_from", "valid_to", d))
        .select(keys())
        .unique(None, UniqueKeepStrategy::Any)
        .with_column(lit(true).alias("by_duty"));
    let by_substitution = facts
        .substitution_rights()
        .with_column(lit(true).alias("by_substitution"));
    let rights = facts
        .effective_rights()
        .filter(
            col("kind")
                .eq(lit("personal"))
                .and(derived::covers("eff_start", "eff_end", t)),
        )
        .join(by_duty, keys(), keys(), JoinArgs::new(JoinType::Left))
        .join(
            by_substitution,
            keys(),
            keys(),
            JoinArgs::new(JoinType::Left),
        )
        .join(
            facts.role_catalogue(),
            [col("system"), col("role")],
            [col("system"), col("role")],
            JoinArgs::new(JoinType::Left),
        )
        .select([
            col("person_id"),
            col("system"),
            col("account_id"),
            col("role"),
            col("role_name"),
            col("personal_data"),
            col("valid_from"),
            col("assignment_id"),
            derived::join_texts(vec![col("basis"), col("basis_ref")], " ").alias("basis"),
            when(col("by_duty").fill_null(lit(false)))
                .then(lit("duty"))
                .when(col("by_substitution").fill_null(lit(false)))
                .then(lit("substitution"))
                .when(col("basis").eq(lit("request")))
                .then(lit("request"))
                .otherwise(lit("nothing"))
                .alias("justified_by"),
        ]);
    let df = staff
        .join(
            rights,
            [col("person_id")],
            [col("person_id")],
            JoinArgs::new(JoinType::Left),
        )
        .sort(
            ["unit", "person_name", "system", "account_id", "role"],
            SortMultipleOptions::default(),
        )
        .collect()
        .map_err(wrap)?;
    let mut out: BTreeMap<String, Worksheet> = BTreeMap::new();
    // Who the unit's staff name as their manager, and everyone's name.
    let mut named: BTreeMap<String, BTreeMap<String, usize>> = BTreeMap::new();
    let mut names: BTreeMap<String, String> = BTreeMap::new();
    for i in 0..df.height() {
        let get = |name: &str| -> Result<String, ReviewError> {
            let v = df.column(name).and_then(|c| c.get(i)).map_err(wrap)?;
            Ok(derived::text(&v).unwrap_or_default())
        };
        let (person_id, system, account_id) =
            (get("person_id")?, get("system")?, get("account_id")?);
        let unit = get("unit")?;
        let manager_id = get("manager_id")?;
        if !manager_id.is_empty() && manager_id != person_id {
            *named
                .entry(unit.clone())
                .or_default()
                .entry(manager_id)
                .or_default() += 1;
        }
        let assignment = get("assignment_id")?;
        // Shown: every finding about the right with its status (a
        // suppressed one too: the manager sees the exception is there);
        // decided on: the open ones.
        let about: Vec<&Finding> = findings
            .iter()
            .filter(|f| f.person_id.as_deref() == Some(person_id.as_str()))
            .filter(|f| {
                let same_account = f.system.as_deref() == Some(system.as_str())
                    && f.account_id.as_deref() == Some(account_id.as_str());
                match f.reference.as_deref() {
                    Some(r) if !assignment.is_empty() && r == assignment => true,
                    _ => {
                        same_account && f.role.is_none()
                            || (f.account_id.is_none() && f.system.is_none())
                    }
                }
            })
            .collect();
        let ids: Vec<String> = about
            .iter()
            .map(|f| format!("{} ({})", f.finding_id, f.status.as_str()))
            .collect();
        let role = get("role")?;
        let person_name = get("person_name")?;
        names.insert(person_id.clone(), person_name.clone());
        let row = WorksheetRow {
            item_id: right_item_id(&person_id, &system, &account_id, &role),
            person_name,
            position: get("position")?,
            role_name: get("role_name")?,
            personal_data: get("personal_data")?,
            since: get("valid_from")?,
            basis: get("basis")?,
            justified_by: if system.is_empty() {
                String::new()
            } else {
                get("justified_by")?
            },
            findings: ids.join(" "),
            finding_ids: about
                .iter()
                .filter(|f| is_open(f.status))
                .map(|f| f.finding_id.clone())
                .collect(),
            new_since_last_review: false,
            previous_decision: String::new(),
            role,
            person_id,
            system,
            account_id,
        };
        out.entry(unit.clone())
            .or_insert_with(|| Worksheet {
                unit,
                manager: None,
                rights: Vec::new(),
                findings: Vec::new(),
            })
            .rights
            .push(row);
    }
    for (unit, sheet) in out.iter_mut() {
        sheet.manager = named.get(unit).and_then(|counts| {
            // The most named; among equals the smallest code, so the same
            // roster always gives the same manager.
            let (code, _) = counts
                .iter()
                .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))?;
            Some(Manager {
                person_id: code.clone(),
                name: names
                    .get(code)
                    .cloned()
                    .unwrap_or_else(|| staff_name(facts, code)),
            })
        });
        sheet.findings = findings
            .iter()
            .filter(|f| is_open(f.status) && f.unit.as_deref() == Some(unit.as_str()))
            .map(|f| {
                let text = |v: &Option<String>| v.clone().unwrap_or_default();
                FindingRow {
                    item_id: f.finding_id.clone(),
                    rule_id: f.rule_id.clone(),
                    severity: f.severity.as_str().to_string(),
                    status: f.status.as_str().to_string(),
                    person_id: text(&f.person_id),
                    person_name: text(&f.person_name),
                    system: text(&f.system),
                    account_id: text(&f.account_id),
                    role: text(&f.role),
                    message: f.message.clone(),
                }
            })
            .collect();
    }
    Ok(out)
}

/// Whether a finding of this status is the manager's to decide on: not
/// suppressed by an exception, not explained by the DPO, not resolved.
fn is_open(status: Status) -> bool {
    matches!(status, Status::New | Status::Persisting | Status::Accepted)
}

/// The name of a manager who is not on the unit's own staff, from the
/// roster; empty when the roster does not have them.
fn staff_name(facts: &Derived<'_>, code: &str) -> String {
    facts
        .table("employees")
        .filter(col("person_id").eq(lit(code.to_string())))
        .select([col("name")])
        .limit(1)
        .collect()
        .ok()
        .and_then(|df| {
            df.column("name")
                .ok()
                .and_then(|c| c.get(0).ok().and_then(|v| derived::text(&v)))
        })
        .unwrap_or_default()
}

/// Adds to each unit's worksheet the findings of the baseline about its
/// people that are now resolved, so the manager sees what changed.
/// These rows have no `item_id`: there is nothing to decide on them.
pub fn add_resolved(sheets: &mut BTreeMap<String, Worksheet>, resolved: &[Finding]) {
    for f in resolved {
        let Some(unit) = f.unit.clone() else { continue };
        let Some(sheet) = sheets.get_mut(&unit) else {
            continue;
        };
        let text = |v: &Option<String>| v.clone().unwrap_or_default();
        sheet.rights.push(WorksheetRow {
            item_id: String::new(),
            person_id: text(&f.person_id),
            person_name: text(&f.person_name),
            position: String::new(),
            system: text(&f.system),
            account_id: text(&f.account_id),
            role: text(&f.role),
            role_name: String::new(),
            personal_data: String::new(),
            since: String::new(),
            basis: String::new(),
            justified_by: String::new(),
            findings: format!("{} (resolved): {}", f.finding_id, f.message),
            finding_ids: Vec::new(),
            new_since_last_review: false,
            previous_decision: String::new(),
        });
    }
}
