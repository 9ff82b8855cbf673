//! The quarterly access-review worksheet: for each unit, every person, every
//! right effective at `as_of`, what justifies it, and the findings about it,
//! for the unit's manager to decide on.

use std::collections::BTreeMap;

use polars::prelude::*;
use serde::Serialize;

use accessaudit_rules::derived::{self, Derived};
use accessaudit_rules::Finding;

use crate::error::ReviewError;

/// One line of a worksheet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WorksheetRow {
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
    /// Ids of the findings about it.
    pub findings: String,
}

/// Worksheets per unit (unit name → rows), people sorted by name, from the
/// facts as the audit saw them (`facts` built with [`Derived::of`], so the
/// rows its data-quality rules left out are left out here too).
pub fn worksheets(
    facts: &Derived<'_>,
    findings: &[Finding],
) -> Result<BTreeMap<String, Vec<WorksheetRow>>, ReviewError> {
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
    let mut out: BTreeMap<String, Vec<WorksheetRow>> = BTreeMap::new();
    for i in 0..df.height() {
        let get = |name: &str| -> Result<String, ReviewError> {
            let v = df.column(name).and_then(|c| c.get(i)).map_err(wrap)?;
            Ok(derived::text(&v).unwrap_or_default())
        };
        let (person_id, system, account_id) =
            (get("person_id")?, get("system")?, get("account_id")?);
        let assignment = get("assignment_id")?;
        let ids: Vec<String> = findings
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
            .map(|f| format!("{} ({})", f.finding_id, f.status.as_str()))
            .collect();
        let row = WorksheetRow {
            person_name: get("person_name")?,
            position: get("position")?,
            role: get("role")?,
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
            person_id,
            system,
            account_id,
        };
        out.entry(get("unit")?).or_default().push(row);
    }
    Ok(out)
}

/// Adds to each unit's worksheet the findings of the baseline about its
/// people that are now resolved, so the manager sees what changed.
pub fn add_resolved(sheets: &mut BTreeMap<String, Vec<WorksheetRow>>, resolved: &[Finding]) {
    for f in resolved {
        let Some(unit) = f.unit.clone() else { continue };
        let Some(rows) = sheets.get_mut(&unit) else {
            continue;
        };
        let text = |v: &Option<String>| v.clone().unwrap_or_default();
        rows.push(WorksheetRow {
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
        });
    }
}
