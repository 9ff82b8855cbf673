//! The snapshot's CSV tables, opened together.

use std::path::Path;

use crate::follow_up::demo_table;
use crate::quarter::Quarter;
use crate::sink::CsvTable;
use crate::GenerateError;

/// Every CSV table of the snapshot except the access log.
pub(crate) struct Tables {
    /// `employees.csv`.
    pub employees: CsvTable,
    /// `positions.csv`.
    pub positions: CsvTable,
    /// `position_duties.csv`.
    pub position_duties: CsvTable,
    /// `duty_roles.csv`.
    pub duty_roles: CsvTable,
    /// `roles.csv`.
    pub roles: CsvTable,
    /// `sod_conflicts.csv`.
    pub sod_conflicts: CsvTable,
    /// `accounts.csv`.
    pub accounts: CsvTable,
    /// `role_assignments.csv`.
    pub role_assignments: CsvTable,
    /// `access_requests.csv`.
    pub access_requests: CsvTable,
    /// `absences.csv`.
    pub absences: CsvTable,
    /// `substitutions.csv`.
    pub substitutions: CsvTable,
    /// `cases.csv`.
    pub cases: CsvTable,
    /// `watchlist.csv`.
    pub watchlist: CsvTable,
    /// `subjects.csv`.
    pub subjects: CsvTable,
    /// `relations.csv`.
    pub relations: CsvTable,
    /// `holidays.csv`.
    pub holidays: CsvTable,
}

impl Tables {
    /// Creates every table in `dir`, each starting with the demo's rows as
    /// quarter `q`'s export carries them.
    pub(crate) fn create(dir: &Path, q: &Quarter) -> Result<Self, GenerateError> {
        let open = |name: &str| CsvTable::create(dir, name, &demo_table(q, name)?);
        Ok(Self {
            employees: open("employees")?,
            positions: open("positions")?,
            position_duties: open("position_duties")?,
            duty_roles: open("duty_roles")?,
            roles: open("roles")?,
            sod_conflicts: open("sod_conflicts")?,
            accounts: open("accounts")?,
            role_assignments: open("role_assignments")?,
            access_requests: open("access_requests")?,
            absences: open("absences")?,
            substitutions: open("substitutions")?,
            cases: open("cases")?,
            watchlist: open("watchlist")?,
            subjects: open("subjects")?,
            relations: open("relations")?,
            holidays: open("holidays")?,
        })
    }

    /// Flushes every table; returns (table, rows) pairs.
    pub(crate) fn finish(self) -> Result<Vec<(&'static str, u64)>, GenerateError> {
        Ok(vec![
            ("employees", self.employees.finish()?),
            ("positions", self.positions.finish()?),
            ("position_duties", self.position_duties.finish()?),
            ("duty_roles", self.duty_roles.finish()?),
            ("roles", self.roles.finish()?),
            ("sod_conflicts", self.sod_conflicts.finish()?),
            ("accounts", self.accounts.finish()?),
            ("role_assignments", self.role_assignments.finish()?),
            ("access_requests", self.access_requests.finish()?),
            ("absences", self.absences.finish()?),
            ("substitutions", self.substitutions.finish()?),
            ("cases", self.cases.finish()?),
            ("watchlist", self.watchlist.finish()?),
            ("subjects", self.subjects.finish()?),
            ("relations", self.relations.finish()?),
            ("holidays", self.holidays.finish()?),
        ])
    }
}
