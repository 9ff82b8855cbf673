//! A table from another source (a database query, a query over raw exports)
//! converted to the contract's types, so that `snapshot` writes typed
//! Parquet that an audit reads natively. The conversions are the loader's
//! own ([`crate::convert`]): a value another source gives reads exactly as
//! the same value in a snapshot file would.

use polars::prelude::*;

use crate::contract::TableSpec;
use crate::error::{IngestError, ValueError};

/// `frame` (one batch of a source's rows for `table`, columns named as the
/// contract's, in lower case) with each contract column converted to its
/// type and the other columns left out. `source` names where the rows come
/// from in messages; `first_row` is the 1-based number of the batch's first
/// row in that source. A column of a type the contract cannot read, or a
/// value that does not read as its type, is an error naming the source,
/// row, column and value; a required column missing from `frame` is an
/// error naming the columns found.
pub fn to_contract(
    table: &TableSpec,
    frame: DataFrame,
    source: &str,
    first_row: u64,
) -> Result<DataFrame, IngestError> {
    let polars = |source_error: PolarsError| IngestError::Polars {
        context: source.to_string(),
        source: source_error,
    };
    let schema = frame.schema().clone();
    let mut typed = Vec::new();
    let mut checks = Vec::new();
    for spec in table.columns {
        let Some(found) = schema.get(spec.name) else {
            if spec.required {
                return Err(IngestError::MissingColumn {
                    file: source.to_string(),
                    column: spec.name.to_string(),
                    found: schema
                        .iter_names()
                        .map(|n| n.to_string())
                        .collect::<Vec<_>>()
                        .join(", "),
                });
            }
            continue;
        };
        let conversion = crate::convert::plan(spec.name, found, spec.ty).map_err(|u| {
            IngestError::ColumnType {
                file: source.to_string(),
                column: spec.name.to_string(),
                found: u.found.to_string(),
                expected: spec.ty.describe(),
            }
        })?;
        if conversion.can_fail {
            let bad = format!("__bad_{}", spec.name);
            checks.push((spec, bad.clone()));
            typed.push(
                conversion
                    .present
                    .and(conversion.typed.clone().is_null())
                    .alias(bad.as_str()),
            );
        }
        typed.push(conversion.typed.alias(spec.name));
    }
    let converted = frame
        .clone()
        .lazy()
        .select(typed)
        .collect()
        .map_err(polars)?;
    for (spec, bad) in &checks {
        let flags = converted
            .column(bad)
            .map_err(polars)?
            .bool()
            .map_err(polars)?;
        if let Some(i) = flags.iter().position(|b| b == Some(true)) {
            let value = frame
                .column(spec.name)
                .and_then(|c| c.get(i))
                .map(|v| v.to_string().trim_matches('"').to_string())
                .ok();
            return Err(IngestError::Value(ValueError {
                file: source.to_string(),
                row: first_row + i as u64,
                column: spec.name.to_string(),
                value,
                problem: crate::table::file::problem_for(spec),
            }));
        }
    }
    let names: Vec<&str> = table
        .columns
        .iter()
        .map(|c| c.name)
        .filter(|n| converted.schema().contains(n))
        .collect();
    converted.select(names).map_err(polars)
}

/// The Polars schema a table has once converted: every contract column with
/// its loaded type (what `snapshot` writes and a query is planned against).
pub fn contract_schema(table: &TableSpec) -> Schema {
    table
        .columns
        .iter()
        .map(|c| Field::new(c.name.into(), c.ty.dtype()))
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::contract;

    #[test]
    fn text_columns_become_typed_and_a_bad_value_is_named() {
        let spec = contract::table("absences").unwrap();
        let frame = df!(
            "person_id" => ["38001085718", "38001085718"],
            "kind" => ["Vacation", "sick"],
            "start_date" => ["13.07.2026", "2026-08-01"],
            "end_date" => ["2026-07-31", "2026-08-03"],
            "extra" => ["x", "y"],
        )
        .unwrap();
        let out = to_contract(spec, frame.clone(), "q", 1).unwrap();
        assert_eq!(out.column("start_date").unwrap().dtype(), &DataType::Date);
        assert_eq!(
            out.column("kind").unwrap().str().unwrap().get(0),
            Some("vacation")
        );
        assert!(out.column("extra").is_err());
        let bad = frame
            .lazy()
            .with_column(lit("2026-13-01").alias("end_date"))
            .collect()
            .unwrap();
        let err = to_contract(spec, bad, "absences query", 101).unwrap_err();
        assert_eq!(
            err.to_string(),
            "absences query:101: column `end_date`, value \"2026-13-01\": not a date (expected YYYY-MM-DD or DD.MM.YYYY)"
        );
    }

    #[test]
    fn a_column_of_an_unusable_type_is_refused() {
        let spec = contract::table("absences").unwrap();
        let frame = df!(
            "person_id" => ["38001085718"],
            "kind" => ["vacation"],
            "start_date" => [1.5f64],
            "end_date" => ["2026-07-31"],
        )
        .unwrap();
        let err = to_contract(spec, frame, "q", 1).unwrap_err().to_string();
        assert!(err.contains("start_date") && err.contains("f64"), "{err}");
    }
}
