//! The mapping file: per contract table one SQL query whose result columns
//! are the contract's (renames, enum words, date formats and joins are done
//! in SQL).
//!
//! ```toml
//! organisation = "Sotsiaalkindlustusamet"   # optional, into manifest.toml
//! period = "2026-Q3"                         # optional
//! as_of = "2026-09-30T23:59:59+03:00"        # optional; a database's own
//!                                            # transaction start otherwise
//!
//! [tables.employees]
//! query = """
//! SELECT isikukood AS person_id, nimi AS full_name, ...
//! FROM personal.tootaja
//! """
//! ```
//!
//! Checked before anything is read: every table is a contract table, every
//! required table is mapped, every query is text. Each problem names the
//! mapping file's line.

use std::collections::BTreeMap;
use std::path::Path;

use accessaudit_ingest::contract::{self, TableSpec};
use serde::Deserialize;

use crate::SnapshotError;

/// A checked mapping.
#[derive(Debug, Clone)]
pub struct Mapping {
    /// The file, as messages name it.
    pub file: String,
    /// `organisation` for the manifest.
    pub organisation: Option<String>,
    /// `period` for the manifest.
    pub period: Option<String>,
    /// `as_of` for the manifest, unless the command line or the database
    /// gives one.
    pub as_of: Option<String>,
    /// The mapped tables, in the contract's order.
    pub tables: Vec<TableMapping>,
}

/// One contract table's query.
#[derive(Debug, Clone)]
pub struct TableMapping {
    /// The contract table.
    pub table: &'static TableSpec,
    /// The SQL query.
    pub query: String,
    /// The 1-based line of `query = ` in the mapping file.
    pub line: usize,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Written {
    organisation: Option<String>,
    period: Option<String>,
    as_of: Option<String>,
    #[serde(default)]
    tables: BTreeMap<String, WrittenTable>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WrittenTable {
    query: toml::Spanned<String>,
}

/// The 1-based line of byte `at` in `text`.
fn line_at(text: &str, at: usize) -> usize {
    text[..at.min(text.len())].matches('\n').count() + 1
}

/// The line of the `[tables.NAME]` header, or 1.
fn header_line(text: &str, name: &str) -> usize {
    let wanted = [format!("[tables.{name}]"), format!("[tables.\"{name}\"]")];
    text.lines()
        .position(|l| wanted.iter().any(|w| l.trim().starts_with(w.as_str())))
        .map_or(1, |i| i + 1)
}

impl Mapping {
    /// Reads and checks the mapping file at `path`.
    pub fn load(path: &Path) -> Result<Self, SnapshotError> {
        let text = std::fs::read_to_string(path).map_err(|e| SnapshotError::io(path, e))?;
        Self::parse(&path.display().to_string(), &text)
    }

    /// Parses and checks mapping `text`; `file` names it in messages.
    pub fn parse(file: &str, text: &str) -> Result<Self, SnapshotError> {
        let problem = |line: usize, message: String| SnapshotError::Mapping {
            file: file.to_string(),
            line,
            message,
        };
        let written: Written = toml::from_str(text).map_err(|e| {
            let line = e.span().map_or(1, |s| line_at(text, s.start));
            problem(line, e.message().trim().replace('\n', ": "))
        })?;
        for name in written.tables.keys() {
            if contract::table(name).is_none() {
                let known: Vec<&str> = contract::TABLES.iter().map(|t| t.name).collect();
                return Err(problem(
                    header_line(text, name),
                    format!(
                        "[tables.{name}]: the contract has no table {name:?} (its tables: {})",
                        known.join(", ")
                    ),
                ));
            }
        }
        let mut tables = Vec::new();
        for spec in contract::TABLES {
            match written.tables.get(spec.name) {
                Some(t) => {
                    let line = line_at(text, t.query.span().start);
                    if t.query.get_ref().trim().is_empty() {
                        return Err(problem(
                            line,
                            format!("[tables.{}]: the query is empty", spec.name),
                        ));
                    }
                    tables.push(TableMapping {
                        table: spec,
                        query: t.query.get_ref().clone(),
                        line,
                    });
                }
                None if spec.required => {
                    return Err(problem(
                        line_at(text, text.len()),
                        format!(
                            "the required table {0} is not mapped: add [tables.{0}] with its query",
                            spec.name
                        ),
                    ))
                }
                None => {}
            }
        }
        Ok(Mapping {
            file: file.to_string(),
            organisation: written.organisation,
            period: written.period,
            as_of: written.as_of,
            tables,
        })
    }
}

/// The contract columns a query's result lacks: the required ones missing
/// from `columns` (lower-cased result column names).
pub(crate) fn missing_required(table: &TableSpec, columns: &[String]) -> Vec<&'static str> {
    table
        .columns
        .iter()
        .filter(|c| c.required && !columns.iter().any(|n| n == c.name))
        .map(|c| c.name)
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn all_required(extra: &str) -> String {
        let mut text = String::from("organisation = \"SKA\"\n");
        for t in contract::TABLES.iter().filter(|t| t.required) {
            text.push_str(&format!(
                "\n[tables.{}]\nquery = \"SELECT * FROM x\"\n",
                t.name
            ));
        }
        text.push_str(extra);
        text
    }

    #[test]
    fn a_complete_mapping_reads_in_contract_order_with_lines() {
        let m = Mapping::parse("m.toml", &all_required("")).unwrap();
        assert_eq!(m.tables[0].table.name, contract::TABLES[0].name);
        assert_eq!(m.tables[0].line, 4);
        assert_eq!(m.organisation.as_deref(), Some("SKA"));
    }

    #[test]
    fn an_unknown_table_is_named_with_its_line() {
        let text = all_required("\n[tables.tootajad]\nquery = \"SELECT 1\"\n");
        let err = Mapping::parse("m.toml", &text).unwrap_err().to_string();
        let line = text.lines().position(|l| l == "[tables.tootajad]").unwrap() + 1;
        assert!(
            err.starts_with(&format!(
                "m.toml:{line}: [tables.tootajad]: the contract has no table"
            )),
            "{err}"
        );
    }

    #[test]
    fn a_required_table_left_out_and_an_unknown_key_are_refused() {
        let text = all_required("").replace("[tables.employees]", "[tables.access_log]");
        let err = Mapping::parse("m.toml", &text).unwrap_err().to_string();
        assert!(
            err.contains("the required table employees is not mapped"),
            "{err}"
        );
        let err = Mapping::parse("m.toml", "organization = \"x\"\n")
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("m.toml:1: unknown field `organization`"),
            "{err}"
        );
    }
}
