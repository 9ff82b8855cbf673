//! The checks a `sql` rule passes at load, each problem with its line: the
//! query parses and plans against the contract's empty tables (so every
//! table and column it names exists), it returns the grain and message
//! columns with types a finding can show, and its placeholders are the
//! built-in ones or declared parameters.

use std::collections::BTreeMap;
use std::ops::Range;

use chrono::{TimeZone, Utc};
use polars::prelude::*;
use toml::Spanned;

use accessaudit_ingest::{contract, Period, Snapshot};

use super::{placeholders, views, Query};
use crate::checks::Context;
use crate::definition::{ParamMap, ParamValue};
use crate::pseudonym::Pseudonymizer;
use crate::template;

/// What the loader hands over from a rule file of kind `sql`.
pub(crate) struct SqlParts<'a> {
    /// The whole file's text, for locating problems inside the query.
    pub(crate) text: &'a str,
    /// `query = """..."""`.
    pub(crate) query: Option<&'a Spanned<String>>,
    /// `needs = [...]`.
    pub(crate) needs: Option<&'a Spanned<Vec<String>>>,
    /// `check = "sql"`, where a missing query is reported.
    pub(crate) check: Range<usize>,
    /// `[params]`.
    pub(crate) params: &'a BTreeMap<String, Spanned<ParamValue>>,
    /// `grain = [...]`.
    pub(crate) grain: &'a Spanned<Vec<String>>,
    /// `message = "..."`.
    pub(crate) message: &'a Spanned<String>,
}

/// Checks a `sql` rule; the checked query, or `None` after reporting
/// its problems.
pub(crate) fn check(
    parts: &SqlParts<'_>,
    problem: &mut impl FnMut(Range<usize>, String),
) -> Option<Query> {
    let Some(query) = parts.query else {
        problem(
            parts.check.clone(),
            "check kind sql needs the query: query = \"\"\"SELECT ...\"\"\"".into(),
        );
        return None;
    };
    let mut ok = true;
    let builtin = |name: &str| placeholders::BUILTINS.iter().any(|(b, _)| *b == name);
    for (name, value) in parts.params {
        if builtin(name) {
            ok = false;
            problem(
                value.span(),
                format!("parameter {name:?} has the name of a built-in placeholder: rename it"),
            );
        } else if placeholders::param_type(value.get_ref()).is_none() {
            ok = false;
            problem(
                value.span(),
                format!(
                    "parameter {name:?} = {} has no type a query can use: write a string, \
                     a whole number, a number, true/false, a date (2026-09-30), a timestamp \
                     with its offset (2026-09-30T12:00:00+03:00), or a list of strings or of \
                     whole numbers",
                    value.get_ref()
                ),
            );
        }
    }
    let text = query.get_ref();
    let base = content_start(parts.text, query.span());
    for p in placeholders::scan(text) {
        if !builtin(p.name) && !parts.params.contains_key(p.name) {
            ok = false;
            let at = base + p.start;
            problem(
                at..at + 1,
                format!(
                    "placeholder :{} is not declared: add it to [params] with its default \
                     value, or use a built-in one ({})",
                    p.name,
                    placeholders::BUILTINS
                        .iter()
                        .map(|(b, _)| format!(":{b}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            );
        }
    }
    let needs = declared_needs(parts.needs, problem);
    if !ok {
        return None;
    }
    let needs = needs?;
    let defaults: ParamMap = parts
        .params
        .iter()
        .map(|(k, v)| (k.clone(), v.get_ref().clone()))
        .collect();
    let (snapshot, pseudonyms) = planning_snapshot();
    let ctx = Context::new(&snapshot, &pseudonyms);
    let at_query = |offset: usize| base + offset..base + offset + 1;
    let substituted = placeholders::substitute(text, |name| {
        super::placeholder_value(&defaults, &snapshot, name)
    })
    .ok()?;
    let reads: Vec<String> = match polars::sql::extract_table_identifiers(&substituted, false, true)
    {
        Ok(names) => names
            .into_iter()
            .filter(|n| contract::table(n).is_some() || views::is_view(n))
            .collect(),
        Err(e) => {
            problem(at_query(0), format!("query: {}", first_line(&e)));
            return None;
        }
    };
    let mut all_needs: Vec<String> = reads
        .iter()
        .filter(|n| contract::table(n).is_some_and(|t| !t.required))
        .cloned()
        .collect();
    for need in needs {
        if !all_needs.contains(&need) {
            all_needs.push(need);
        }
    }
    let mut planned = Query {
        text: text.clone(),
        reads,
        needs: all_needs,
        outputs: Vec::new(),
    };
    let schema = super::plan(&ctx, &planned, &defaults).and_then(|mut lf| lf.collect_schema());
    let schema = match schema {
        Ok(s) => s,
        Err(e) => {
            let (message, word) = explain(&e);
            let offset = word
                .and_then(|w| find_word(text, &w))
                .or_else(|| parser_line(&message).and_then(|n| line_start(text, n)))
                .unwrap_or(0);
            problem(at_query(offset), format!("query: {message}"));
            return None;
        }
    };
    planned.outputs = schema.iter_names().map(|n| n.to_string()).collect();
    check_outputs(parts, &schema, problem).then_some(planned)
}

/// The grain and message columns are returned, with types a finding shows.
fn check_outputs(
    parts: &SqlParts<'_>,
    schema: &Schema,
    problem: &mut impl FnMut(Range<usize>, String),
) -> bool {
    let mut ok = true;
    let returned = || {
        schema
            .iter_names()
            .map(|n| n.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    };
    if parts.grain.get_ref().is_empty() {
        ok = false;
        problem(
            parts.grain.span(),
            format!(
                "grain is empty: name the returned columns that identify one finding ({})",
                returned()
            ),
        );
    }
    let mut wanted: Vec<(&str, Range<usize>, &str)> = parts
        .grain
        .get_ref()
        .iter()
        .map(|g| (g.as_str(), parts.grain.span(), "grain column"))
        .collect();
    wanted.extend(
        template::placeholders(parts.message.get_ref())
            .into_iter()
            .map(|m| (m, parts.message.span(), "message placeholder")),
    );
    for (name, span, what) in wanted {
        match schema.get(name) {
            None => {
                ok = false;
                problem(
                    span,
                    format!(
                        "{what} {name:?} is not returned by the query (it returns: {})",
                        returned()
                    ),
                );
            }
            Some(dtype) if !usable(dtype) => {
                ok = false;
                problem(
                    span,
                    format!(
                        "{what} {name:?} is returned as {dtype}, which a finding cannot show: \
                         return text, a number, a date, a timestamp or true/false"
                    ),
                );
            }
            Some(_) => {}
        }
    }
    ok
}

/// Types a finding's text can show.
fn usable(dtype: &DataType) -> bool {
    dtype.is_primitive_numeric()
        || matches!(
            dtype,
            DataType::String
                | DataType::Boolean
                | DataType::Date
                | DataType::Datetime(_, _)
                | DataType::Null
        )
}

/// Checks the rule file's `needs`: optional tables, or `table.column` for
/// an optional column.
fn declared_needs(
    needs: Option<&Spanned<Vec<String>>>,
    problem: &mut impl FnMut(Range<usize>, String),
) -> Option<Vec<String>> {
    let Some(needs) = needs else {
        return Some(Vec::new());
    };
    let mut ok = true;
    for need in needs.get_ref() {
        let fine = match need.split_once('.') {
            Some((t, c)) => contract::table(t)
                .and_then(|t| t.column(c))
                .is_some_and(|c| !c.required),
            None => contract::table(need).is_some_and(|t| !t.required),
        };
        if !fine {
            ok = false;
            problem(
                needs.span(),
                format!(
                    "needs {need:?} is neither an optional table nor an optional column \
                     (table.column) of the input contract"
                ),
            );
        }
    }
    ok.then(|| needs.get_ref().clone())
}

/// An empty snapshot at a fixed moment, to plan queries against the
/// contract's schemas.
fn planning_snapshot() -> (Snapshot, Pseudonymizer) {
    let as_of = Utc
        .with_ymd_and_hms(2026, 9, 30, 20, 59, 59)
        .single()
        .unwrap_or_default();
    let period = Period::quarter_of(as_of.date_naive());
    (
        Snapshot::empty(as_of, period),
        Pseudonymizer::new(vec![0; 32], false),
    )
}

/// The byte where the text of a TOML string whose literal spans `span`
/// starts: after its quotes and, for a multi-line string, the newline
/// right after them (which TOML leaves out).
fn content_start(text: &str, span: Range<usize>) -> usize {
    let raw = text.get(span.clone()).unwrap_or_default();
    let mut start = span.start;
    if raw.starts_with("\"\"\"") || raw.starts_with("'''") {
        start += 3;
        let rest = &raw[3..];
        if rest.starts_with("\r\n") {
            start += 2;
        } else if rest.starts_with('\n') {
            start += 1;
        }
    } else if raw.starts_with('"') || raw.starts_with('\'') {
        start += 1;
    }
    start
}

/// Polars' message without its hints and plan dump, and the name it is
/// about (a column or a table), to point at the line that uses it.
fn explain(e: &PolarsError) -> (String, Option<String>) {
    let message = first_line(e);
    let quoted = |open: char, close: char| -> Option<String> {
        let from = message.find(open)? + 1;
        let len = message[from..].find(close)?;
        Some(message[from..from + len].to_string())
    };
    if message.contains("relation '") {
        let tables: Vec<&str> = contract::TABLES
            .iter()
            .map(|t| t.name)
            .chain(views::VIEWS.iter().map(|(v, _)| *v))
            .collect();
        let name = quoted('\'', '\'');
        return (
            format!(
                "unknown table {}: the tables and views are {}",
                name.as_deref().unwrap_or("?"),
                tables.join(", ")
            ),
            name,
        );
    }
    if message.contains("unable to find column") {
        return (message.clone(), quoted('"', '"'));
    }
    (message, None)
}

fn first_line(e: &PolarsError) -> String {
    let text = e.to_string();
    let line = text.lines().next().unwrap_or_default().trim().to_string();
    line.strip_prefix("not found: ")
        .map(str::to_string)
        .unwrap_or(line)
}

/// The line an SQL error names ("... at Line: 3, Column: 7", or a span
/// "Location(3,7)").
fn parser_line(message: &str) -> Option<usize> {
    let (at, skip) = match message.find("Line: ") {
        Some(at) => (at, "Line: ".len()),
        None => (message.find("Location(")?, "Location(".len()),
    };
    let rest = &message[at + skip..];
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

/// The byte where 1-based line `n` of `text` starts.
fn line_start(text: &str, n: usize) -> Option<usize> {
    if n <= 1 {
        return Some(0);
    }
    text.match_indices('\n').nth(n - 2).map(|(i, _)| i + 1)
}

/// Where `word` first stands alone in `text` (not inside a longer name).
fn find_word(text: &str, word: &str) -> Option<usize> {
    let is_name = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let mut from = 0;
    while let Some(found) = text[from..].find(word) {
        let at = from + found;
        let before = text[..at].chars().next_back();
        let after = text[at + word.len()..].chars().next();
        if !before.is_some_and(is_name) && !after.is_some_and(is_name) {
            return Some(at);
        }
        from = at + word.len();
    }
    None
}
