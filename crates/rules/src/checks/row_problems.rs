//! Collects problems found in input rows into one finding per row
//! (the DQ grain `table × row`).

use std::collections::BTreeMap;

use polars::prelude::*;

/// Problems keyed by (table order, table, file index, row).
#[derive(Default)]
pub struct RowProblems {
    rows: BTreeMap<(usize, &'static str, u32, u64), Vec<String>>,
}

impl RowProblems {
    /// Notes a problem of row `row` of file `file` of `table`.
    pub fn push(&mut self, table: &'static str, file: u32, row: u64, detail: String) {
        let order = accessaudit_ingest::contract::TABLES
            .iter()
            .position(|t| t.name == table)
            .unwrap_or(usize::MAX);
        self.rows
            .entry((order, table, file, row))
            .or_default()
            .push(detail);
    }

    /// Notes every row of a small frame with `__file`, `__row` and a `detail`
    /// column (one problem per frame row).
    pub fn push_frame(&mut self, table: &'static str, df: &DataFrame) -> PolarsResult<()> {
        let files = df.column("__file")?.u32()?.clone();
        let rows = df.column("__row")?.u64()?.clone();
        let details = df.column("detail")?.str()?.clone();
        for i in 0..df.height() {
            if let (Some(f), Some(r), Some(d)) = (files.get(i), rows.get(i), details.get(i)) {
                self.push(table, f, r, d.to_string());
            }
        }
        Ok(())
    }

    /// One row per input row: `ref_table`, `ref_file`, `ref_row`, `details`.
    pub fn into_frame(self) -> PolarsResult<LazyFrame> {
        let mut tables = Vec::new();
        let mut files = Vec::new();
        let mut rows = Vec::new();
        let mut details = Vec::new();
        for ((_, table, file, row), mut d) in self.rows {
            d.dedup();
            tables.push(table);
            files.push(file);
            rows.push(row);
            details.push(d.join("; "));
        }
        let df = DataFrame::new_infer_height(vec![
            Column::new("ref_table".into(), tables),
            Column::new("ref_file".into(), files),
            Column::new("ref_row".into(), rows),
            Column::new("details".into(), details),
        ])?;
        Ok(df.lazy())
    }
}

/// The output columns of every row-problem check.
pub const OUTPUTS: &[&str] = &["ref", "evidence", "details"];
