//! The input contract: every table of the snapshot directory, its columns,
//! their types and whether they are required (`input-tables.md`).
//!
//! This is the one declaration of the tables' shape; loaders, validators and
//! docs read it instead of repeating column lists.

use polars::prelude::{DataType, TimeUnit, TimeZone};

/// The value type of a column, as the contract names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnType {
    /// Any non-empty string, trimmed, compared exactly.
    Id,
    /// A personal identification code (validated by DQ-01, never fatal).
    Person,
    /// A calendar day (`YYYY-MM-DD` or `DD.MM.YYYY`).
    Date,
    /// An instant (ISO 8601; naive = Europe/Tallinn).
    Timestamp,
    /// `true/false`, `1/0`, `yes/no`, `jah/ei`.
    Bool,
    /// One of the listed words, case-insensitive; stored lower case.
    Enum(&'static [&'static str]),
}

impl ColumnType {
    /// The Polars type a loaded column has.
    pub fn dtype(self) -> DataType {
        match self {
            ColumnType::Id | ColumnType::Person | ColumnType::Enum(_) => DataType::String,
            ColumnType::Date => DataType::Date,
            ColumnType::Timestamp => timestamp_dtype(),
            ColumnType::Bool => DataType::Boolean,
        }
    }

    /// The contract's name of the type, for messages and docs.
    pub fn describe(self) -> String {
        match self {
            ColumnType::Id => "id".into(),
            ColumnType::Person => "person".into(),
            ColumnType::Date => "date".into(),
            ColumnType::Timestamp => "timestamp".into(),
            ColumnType::Bool => "bool".into(),
            ColumnType::Enum(words) => format!("enum({})", words.join(", ")),
        }
    }
}

/// Loaded timestamps are instants: microseconds in UTC.
pub fn timestamp_dtype() -> DataType {
    DataType::Datetime(TimeUnit::Microseconds, Some(TimeZone::UTC))
}

/// One column of a table.
#[derive(Debug, Clone, Copy)]
pub struct ColumnSpec {
    /// Canonical (lower-case) column name.
    pub name: &'static str,
    /// Its type.
    pub ty: ColumnType,
    /// Whether a value must be present in every row.
    pub required: bool,
}

/// One table of the snapshot directory.
#[derive(Debug, Clone, Copy)]
pub struct TableSpec {
    /// Table name: the file stem or directory name.
    pub name: &'static str,
    /// Whether the table must be present.
    pub required: bool,
    /// Its columns.
    pub columns: &'static [ColumnSpec],
}

impl TableSpec {
    /// The column called `name`, if the contract has one.
    pub fn column(&self, name: &str) -> Option<&ColumnSpec> {
        self.columns.iter().find(|c| c.name == name)
    }
}

const fn req(name: &'static str, ty: ColumnType) -> ColumnSpec {
    ColumnSpec {
        name,
        ty,
        required: true,
    }
}

const fn opt(name: &'static str, ty: ColumnType) -> ColumnSpec {
    ColumnSpec {
        name,
        ty,
        required: false,
    }
}

use ColumnType::{Bool, Date, Enum, Id, Person, Timestamp};

/// Account kinds.
pub const ACCOUNT_KINDS: &[&str] = &["personal", "service", "shared"];
/// Why a role assignment was granted.
pub const ASSIGNMENT_BASES: &[&str] = &["request", "substitution", "baseline"];
/// Request actions.
pub const REQUEST_ACTIONS: &[&str] = &[
    "grant",
    "revoke",
    "suspend",
    "create_account",
    "close_account",
];
/// Request decisions.
pub const REQUEST_DECISIONS: &[&str] = &["approved", "rejected", "pending"];
/// Absence kinds.
pub const ABSENCE_KINDS: &[&str] = &["vacation", "sick", "parental", "study", "other"];
/// Access log actions.
pub const ACCESS_ACTIONS: &[&str] = &["view", "search", "update", "export", "print"];
/// Watchlist categories.
pub const WATCH_CATEGORIES: &[&str] = &["vip", "protected", "employee"];
/// Family relations.
pub const RELATIONS: &[&str] = &["parent", "child", "spouse", "sibling", "other"];

/// Every table of the contract, in the order reports list them.
pub const TABLES: &[TableSpec] = &[
    TableSpec {
        name: "employees",
        required: true,
        columns: &[
            req("person_id", Person),
            req("name", Id),
            req("unit", Id),
            req("position_id", Id),
            req("valid_from", Date),
            opt("valid_to", Date),
            opt("manager_id", Person),
            opt("organisation", Id),
        ],
    },
    TableSpec {
        name: "positions",
        required: true,
        columns: &[req("position_id", Id), req("title", Id), opt("unit", Id)],
    },
    TableSpec {
        name: "position_duties",
        required: true,
        columns: &[req("position_id", Id), req("duty", Id)],
    },
    TableSpec {
        name: "duty_roles",
        required: true,
        columns: &[req("duty", Id), req("system", Id), req("role", Id)],
    },
    TableSpec {
        name: "roles",
        required: true,
        columns: &[
            req("system", Id),
            req("role", Id),
            req("name", Id),
            req("personal_data", Bool),
            opt("privileged", Bool),
        ],
    },
    TableSpec {
        name: "sod_conflicts",
        required: false,
        columns: &[
            req("system_a", Id),
            req("role_a", Id),
            req("system_b", Id),
            req("role_b", Id),
            opt("reason", Id),
        ],
    },
    TableSpec {
        name: "accounts",
        required: true,
        columns: &[
            req("system", Id),
            req("account_id", Id),
            opt("person_id", Person),
            req("kind", Enum(ACCOUNT_KINDS)),
            req("created_at", Timestamp),
            opt("closed_at", Timestamp),
            opt("suspended_from", Timestamp),
            opt("last_login_at", Timestamp),
            // What the system holds about its user, compared with HR (DQ-05).
            opt("full_name", Id),
            opt("unit", Id),
        ],
    },
    TableSpec {
        name: "role_assignments",
        required: true,
        columns: &[
            req("assignment_id", Id),
            req("system", Id),
            req("account_id", Id),
            req("role", Id),
            req("valid_from", Timestamp),
            opt("valid_to", Timestamp),
            req("basis", Enum(ASSIGNMENT_BASES)),
            opt("basis_ref", Id),
            opt("granted_by", Person),
        ],
    },
    TableSpec {
        name: "access_requests",
        required: true,
        columns: &[
            req("request_id", Id),
            req("person_id", Person),
            req("system", Id),
            opt("role", Id),
            req("action", Enum(REQUEST_ACTIONS)),
            req("requested_by", Person),
            req("requested_at", Timestamp),
            req("decision", Enum(REQUEST_DECISIONS)),
            opt("approved_by", Person),
            opt("approved_at", Timestamp),
            opt("valid_until", Date),
        ],
    },
    TableSpec {
        name: "absences",
        required: true,
        columns: &[
            req("person_id", Person),
            req("kind", Enum(ABSENCE_KINDS)),
            req("start_date", Date),
            req("end_date", Date),
        ],
    },
    TableSpec {
        name: "substitutions",
        required: true,
        columns: &[
            req("order_id", Id),
            req("absent_person_id", Person),
            req("substitute_person_id", Person),
            opt("system", Id),
            req("start_date", Date),
            req("end_date", Date),
            req("issued_by", Person),
            req("issued_at", Timestamp),
        ],
    },
    TableSpec {
        name: "cases",
        required: false,
        columns: &[
            req("case_id", Id),
            req("system", Id),
            req("subject_id", Person),
            req("unit", Id),
            opt("handler_id", Person),
            req("opened_at", Timestamp),
            opt("closed_at", Timestamp),
        ],
    },
    TableSpec {
        name: "access_log",
        required: false,
        columns: &[
            req("ts", Timestamp),
            req("system", Id),
            req("account_id", Id),
            req("subject_id", Person),
            req("action", Enum(ACCESS_ACTIONS)),
            opt("case_id", Id),
            opt("event_id", Id),
        ],
    },
    TableSpec {
        name: "watchlist",
        required: false,
        columns: &[
            req("subject_id", Person),
            req("category", Enum(WATCH_CATEGORIES)),
        ],
    },
    TableSpec {
        name: "subjects",
        required: false,
        columns: &[req("subject_id", Person), req("municipality", Id)],
    },
    TableSpec {
        name: "relations",
        required: false,
        columns: &[
            req("person_id", Person),
            req("relative_id", Person),
            req("relation", Enum(RELATIONS)),
        ],
    },
    TableSpec {
        name: "holidays",
        required: false,
        columns: &[req("date", Date), opt("name", Id)],
    },
];

/// `person` columns that hold data subjects (citizens) rather than staff:
/// outputs show them only as pseudonyms.
pub const SUBJECT_COLUMNS: &[(&str, &str)] = &[
    ("access_log", "subject_id"),
    ("cases", "subject_id"),
    ("watchlist", "subject_id"),
    ("subjects", "subject_id"),
    ("relations", "person_id"),
    ("relations", "relative_id"),
];

/// Whether `table.column` holds data subjects.
pub fn is_subject_column(table: &str, column: &str) -> bool {
    SUBJECT_COLUMNS.contains(&(table, column))
}

/// The contract's table called `name`.
pub fn table(name: &str) -> Option<&'static TableSpec> {
    TABLES.iter().find(|t| t.name == name)
}

/// Column holding the 1-based source row (spreadsheet line for CSV).
pub const ROW_COLUMN: &str = "__row";
/// Column holding the index of the source file in the table's file list.
pub const FILE_COLUMN: &str = "__file";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_lower_case() {
        let mut names: Vec<_> = TABLES.iter().map(|t| t.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), TABLES.len());
        for t in TABLES {
            for c in t.columns {
                assert_eq!(c.name, c.name.to_lowercase());
                assert_eq!(
                    t.columns.iter().filter(|o| o.name == c.name).count(),
                    1,
                    "{}.{}",
                    t.name,
                    c.name
                );
            }
        }
    }

    #[test]
    fn required_tables_match_the_contract() {
        let required: Vec<_> = TABLES
            .iter()
            .filter(|t| t.required)
            .map(|t| t.name)
            .collect();
        assert_eq!(
            required,
            [
                "employees",
                "positions",
                "position_duties",
                "duty_roles",
                "roles",
                "accounts",
                "role_assignments",
                "access_requests",
                "absences",
                "substitutions"
            ]
        );
    }
}
