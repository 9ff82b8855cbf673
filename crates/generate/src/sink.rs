//! Writing the snapshot's tables: each CSV starts with the demo's rows
//! verbatim, in the demo file's own column order and separator, and the
//! background's rows follow.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use crate::GenerateError;

/// One CSV table being written.
pub(crate) struct CsvTable {
    path: PathBuf,
    columns: Vec<String>,
    separator: char,
    out: BufWriter<File>,
    rows: u64,
    line: String,
}

impl CsvTable {
    /// Creates `dir/<name>.csv` starting with `demo_text` (header and rows).
    pub(crate) fn create(dir: &Path, name: &str, demo_text: &str) -> Result<Self, GenerateError> {
        let path = dir.join(format!("{name}.csv"));
        let file = File::create(&path).map_err(|e| GenerateError::io(&path, e))?;
        let mut out = BufWriter::with_capacity(1 << 20, file);
        let mut lines = demo_text.lines();
        let header = lines.next().unwrap_or_default();
        let plain = header.trim_start_matches('\u{feff}');
        let separator = if plain.contains(';') && !plain.contains(',') {
            ';'
        } else {
            ','
        };
        let columns = plain
            .split(separator)
            .map(|c| c.trim().to_lowercase())
            .collect();
        let mut rows = 0;
        let mut text = String::with_capacity(demo_text.len());
        text.push_str(header);
        text.push('\n');
        for line in lines.filter(|l| !l.trim().is_empty()) {
            text.push_str(line);
            text.push('\n');
            rows += 1;
        }
        out.write_all(text.as_bytes())
            .map_err(|e| GenerateError::io(&path, e))?;
        Ok(Self {
            path,
            columns,
            separator,
            out,
            rows,
            line: String::new(),
        })
    }

    /// Appends a row given as (column, value) pairs; columns the file has but
    /// the row does not name stay empty. Returns the row's `file:line`
    /// reference as the audit's findings write it.
    pub(crate) fn row(&mut self, values: &[(&str, &str)]) -> Result<String, GenerateError> {
        self.line.clear();
        for (i, column) in self.columns.iter().enumerate() {
            if i > 0 {
                self.line.push(self.separator);
            }
            let value = values
                .iter()
                .find(|(name, _)| name == column)
                .map_or("", |(_, v)| v);
            if value.contains([self.separator, '"', '\n', '\r']) {
                self.line.push('"');
                self.line.push_str(&value.replace('"', "\"\""));
                self.line.push('"');
            } else {
                self.line.push_str(value);
            }
        }
        self.line.push('\n');
        self.out
            .write_all(self.line.as_bytes())
            .map_err(|e| GenerateError::io(&self.path, e))?;
        self.rows += 1;
        Ok(self.reference())
    }

    /// Appends a line already in the file's format (the access log's fast path).
    pub(crate) fn raw(&mut self, line: &str) -> Result<(), GenerateError> {
        self.out
            .write_all(line.as_bytes())
            .map_err(|e| GenerateError::io(&self.path, e))?;
        self.rows += 1;
        Ok(())
    }

    /// The columns of the file, lower-cased, in order.
    pub(crate) fn columns(&self) -> &[String] {
        &self.columns
    }

    /// `name.csv:N` of the last row written (the header is line 1).
    fn reference(&self) -> String {
        let name = self
            .path
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
        format!("{name}:{}", self.rows + 1)
    }

    /// Flushes the file.
    pub(crate) fn finish(mut self) -> Result<u64, GenerateError> {
        self.out
            .flush()
            .map_err(|e| GenerateError::io(&self.path, e))?;
        Ok(self.rows)
    }
}
