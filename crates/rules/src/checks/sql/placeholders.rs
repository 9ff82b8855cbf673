//! The placeholders of a rule's query (`:as_of`, `:name`) and the typed
//! literals that replace them. A value never enters the query as raw text:
//! strings are quoted with their quotes doubled, dates and instants become
//! typed expressions, numbers are written by Rust, lists become `(a, b)`.

use chrono::{DateTime, NaiveDate, Utc};

/// The placeholders every query may use, with what they stand for.
pub(crate) const BUILTINS: &[(&str, &str)] = &[
    ("as_of", "timestamp: the moment the snapshot was taken"),
    ("as_of_day", "date: the as_of day in Europe/Tallinn"),
    ("period_start", "date: the first day of the review period"),
    ("period_end", "date: the last day of the review period"),
];

/// One `:name` in a query: the name and its byte range (the colon included).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Placeholder<'q> {
    /// The name after the colon.
    pub(crate) name: &'q str,
    /// Where it starts in the query (the colon).
    pub(crate) start: usize,
    /// Where it ends.
    pub(crate) end: usize,
}

/// Every `:name` of `query` outside string literals, quoted identifiers and
/// comments; `::` (a cast) is not a placeholder.
pub(crate) fn scan(query: &str) -> Vec<Placeholder<'_>> {
    let bytes = query.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    let skip_to = |from: usize, end: &[u8]| -> usize {
        let rest = &bytes[from..];
        rest.windows(end.len())
            .position(|w| w == end)
            .map_or(bytes.len(), |p| from + p + end.len())
    };
    while i < bytes.len() {
        match bytes[i] {
            // A quoted text: '' inside it is a quote, so skipping to each
            // next quote in turn reads it whole.
            b'\'' => i = skip_to(i + 1, b"'"),
            b'"' => i = skip_to(i + 1, b"\""),
            b'-' if bytes.get(i + 1) == Some(&b'-') => i = skip_to(i + 2, b"\n"),
            b'/' if bytes.get(i + 1) == Some(&b'*') => i = skip_to(i + 2, b"*/"),
            b':' if bytes.get(i + 1) == Some(&b':') => i += 2,
            b':' => {
                let start = i;
                let mut end = i + 1;
                while end < bytes.len()
                    && (bytes[end].is_ascii_alphanumeric() || bytes[end] == b'_')
                {
                    end += 1;
                }
                let name = &query[start + 1..end];
                if name
                    .bytes()
                    .next()
                    .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
                {
                    out.push(Placeholder { name, start, end });
                }
                i = end.max(i + 1);
            }
            _ => i += 1,
        }
    }
    out
}

/// `query` with each placeholder replaced by `value(name)`; the first name
/// without a value is the error.
pub(crate) fn substitute(
    query: &str,
    mut value: impl FnMut(&str) -> Option<String>,
) -> Result<String, String> {
    let mut out = String::with_capacity(query.len());
    let mut last = 0;
    for p in scan(query) {
        out.push_str(&query[last..p.start]);
        out.push_str(&value(p.name).ok_or_else(|| p.name.to_string())?);
        last = p.end;
    }
    out.push_str(&query[last..]);
    Ok(out)
}

/// A string literal: quoted, its quotes doubled (backslashes are plain
/// characters in Polars' SQL dialect).
pub(crate) fn string(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// A date literal of type `Date`.
pub(crate) fn date(d: NaiveDate) -> String {
    format!("DATE('{}', '%Y-%m-%d')", d.format("%Y-%m-%d"))
}

/// An instant literal of the loaded timestamp type (microseconds, UTC).
pub(crate) fn instant(t: DateTime<Utc>) -> String {
    format!(
        "STRPTIME('{}', '%Y-%m-%d %H:%M:%S%.6f%z')",
        t.format("%Y-%m-%d %H:%M:%S%.6f+0000")
    )
}

/// The type of a parameter value as a rule file writes it, or `None` for
/// a value a query cannot use (a mixed or nested list, a local or
/// time-only TOML datetime, a number that is not finite).
pub(crate) fn param_type(value: &toml::Value) -> Option<&'static str> {
    match value {
        toml::Value::String(_) => Some("a string"),
        toml::Value::Integer(_) => Some("a whole number"),
        toml::Value::Float(f) => f.is_finite().then_some("a number"),
        toml::Value::Boolean(_) => Some("true or false"),
        toml::Value::Datetime(_) => match datetime(value)? {
            Temporal::Date(_) => Some("a date"),
            Temporal::Instant(_) => Some("a timestamp"),
        },
        toml::Value::Array(items) => {
            if items.iter().all(toml::Value::is_str) {
                Some("a list of strings")
            } else if items.iter().all(toml::Value::is_integer) {
                Some("a list of whole numbers")
            } else {
                None
            }
        }
        toml::Value::Table(_) => None,
    }
}

/// A TOML date or offset datetime.
enum Temporal {
    Date(NaiveDate),
    Instant(DateTime<Utc>),
}

fn datetime(value: &toml::Value) -> Option<Temporal> {
    let toml::Value::Datetime(dt) = value else {
        return None;
    };
    match (&dt.date, &dt.time, &dt.offset) {
        (Some(_), None, None) => NaiveDate::parse_from_str(&dt.to_string(), "%Y-%m-%d")
            .ok()
            .map(Temporal::Date),
        (Some(_), Some(_), Some(_)) => DateTime::parse_from_rfc3339(&dt.to_string())
            .ok()
            .map(|t| Temporal::Instant(t.with_timezone(&Utc))),
        _ => None,
    }
}

/// The literal of a parameter value (see [`param_type`]).
pub(crate) fn literal(value: &toml::Value) -> Option<String> {
    param_type(value)?;
    Some(match value {
        toml::Value::String(s) => string(s),
        toml::Value::Integer(i) => format!("({i})"),
        toml::Value::Float(f) => format!("({f:?})"),
        toml::Value::Boolean(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
        toml::Value::Datetime(_) => match datetime(value)? {
            Temporal::Date(d) => date(d),
            Temporal::Instant(t) => instant(t),
        },
        toml::Value::Array(items) if items.is_empty() => "(NULL)".to_string(),
        toml::Value::Array(items) => {
            let parts: Option<Vec<String>> = items
                .iter()
                .map(|v| match v {
                    toml::Value::String(s) => Some(string(s)),
                    toml::Value::Integer(i) => Some(i.to_string()),
                    _ => None,
                })
                .collect();
            format!("({})", parts?.join(", "))
        }
        toml::Value::Table(_) => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_placeholders_outside_strings_comments_and_casts() {
        let q = "SELECT ':no', \":nor\" -- :not\n/* :none */ FROM t WHERE a = :yes AND b::INT IN :list_2";
        let names: Vec<&str> = scan(q).iter().map(|p| p.name).collect();
        assert_eq!(names, ["yes", "list_2"]);
    }

    #[test]
    fn substitutes_typed_literals_never_raw_text() {
        let v: toml::Value = toml::from_str::<toml::Table>(
            "s = \"O'Brien'); DROP\"\nl = [\"STAR\", \"a'b\"]\nd = 2026-09-30\nt = 2026-09-30T12:00:00+03:00\nn = -2\nf = 1.5",
        )
        .map(toml::Value::Table)
        .unwrap_or(toml::Value::Boolean(false));
        let get = |k: &str| v.get(k).and_then(literal);
        assert_eq!(get("s").as_deref(), Some("'O''Brien''); DROP'"));
        assert_eq!(get("l").as_deref(), Some("('STAR', 'a''b')"));
        assert_eq!(get("d").as_deref(), Some("DATE('2026-09-30', '%Y-%m-%d')"));
        assert_eq!(
            get("t").as_deref(),
            Some("STRPTIME('2026-09-30 09:00:00.000000+0000', '%Y-%m-%d %H:%M:%S%.6f%z')")
        );
        assert_eq!(get("n").as_deref(), Some("(-2)"));
        assert_eq!(get("f").as_deref(), Some("(1.5)"));
        let out = substitute("x = :s AND y IN :l", |n| get(n));
        assert_eq!(
            out.as_deref(),
            Ok("x = 'O''Brien''); DROP' AND y IN ('STAR', 'a''b')")
        );
        assert_eq!(
            substitute("x = :missing", |_| None),
            Err("missing".to_string())
        );
    }
}
