//! Collects problems found in input rows into one finding per row
//! (the DQ grain `table × row`).

use std::collections::BTreeMap;

use polars::prelude::*;

/// An input row: (table order, table, file index, row).
type RowKey = (usize, &'static str, u32, u64);

/// Problems per input row, with whether any of them leaves the row out of
/// the other rules.
#[derive(Default)]
pub(super) struct RowProblems {
    rows: BTreeMap<RowKey, (Vec<String>, bool)>,
}

impl RowProblems {
    /// Notes a problem of row `row` of file `file` of `table`; `excludes`
    /// says whether it leaves the row out of the other rules.
    pub(super) fn push(
        &mut self,
        table: &'static str,
        file: u32,
        row: u64,
        detail: String,
        excludes: bool,
    ) {
        let order = accessaudit_ingest::contract::TABLES
            .iter()
            .position(|t| t.name == table)
            .unwrap_or(usize::MAX);
        let entry = self.rows.entry((order, table, file, row)).or_default();
        entry.0.push(detail);
        entry.1 |= excludes;
    }

    /// Notes every row of a small frame with `__file`, `__row` and a `detail`
    /// column (one problem per frame row).
    pub(super) fn push_frame(
        &mut self,
        table: &'static str,
        df: &DataFrame,
        excludes: bool,
    ) -> PolarsResult<()> {
        let files = df.column("__file")?.u32()?.clone();
        let rows = df.column("__row")?.u64()?.clone();
        let details = df.column("detail")?.str()?.clone();
        for i in 0..df.height() {
            if let (Some(f), Some(r), Some(d)) = (files.get(i), rows.get(i), details.get(i)) {
                self.push(table, f, r, d.to_string(), excludes);
            }
        }
        Ok(())
    }

    /// One row per input row: `ref_table`, `ref_file`, `ref_row`, `details`, `excludes`.
    pub(super) fn into_frame(self) -> PolarsResult<LazyFrame> {
        let mut tables = Vec::new();
        let mut files = Vec::new();
        let mut rows = Vec::new();
        let mut details = Vec::new();
        let mut excludes = Vec::new();
        for ((_, table, file, row), (mut d, ex)) in self.rows {
            excludes.push(ex);
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
            Column::new("excludes".into(), excludes),
        ])?;
        Ok(df.lazy())
    }
}

/// The output columns of every row-problem check.
pub(super) const OUTPUTS: &[&str] = &["ref", "evidence", "details"];
