//! The findings as data files: JSON Lines and Parquet, with the same columns
//! in the same order as `findings.csv`.

use std::io::Write;

use polars::prelude::*;

use accessaudit_rules::finding::COLUMNS;
use accessaudit_rules::Finding;

/// Writes `findings.jsonl`: one JSON object per finding per line, in the
/// versioned format a baseline reads back (see
/// [`accessaudit_rules::findings_file`]).
pub fn write_jsonl(out: &mut dyn Write, findings: &[Finding]) -> std::io::Result<()> {
    accessaudit_rules::findings_file::write_jsonl(out, findings)
}

/// The findings as a frame with the contract's columns.
pub fn findings_frame(findings: &[Finding]) -> PolarsResult<DataFrame> {
    let text = |name: &str| -> Column {
        let values: Vec<Option<String>> = findings.iter().map(|f| f.value(name)).collect();
        Column::new(name.into(), values)
    };
    let columns: Vec<Column> = COLUMNS
        .iter()
        .map(|c| match *c {
            "events" => Column::new(
                "events".into(),
                findings.iter().map(|f| f.events).collect::<Vec<_>>(),
            ),
            "days_late" => Column::new(
                "days_late".into(),
                findings.iter().map(|f| f.days_late).collect::<Vec<_>>(),
            ),
            other => text(other),
        })
        .collect();
    DataFrame::new(findings.len(), columns)
}

/// Writes the findings as Parquet.
pub fn write_parquet(out: &mut dyn Write, findings: &[Finding]) -> std::io::Result<()> {
    let mut df = findings_frame(findings).map_err(std::io::Error::other)?;
    ParquetWriter::new(out)
        .finish(&mut df)
        .map(|_| ())
        .map_err(std::io::Error::other)
}
