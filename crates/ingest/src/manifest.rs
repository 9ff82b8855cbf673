//! `manifest.toml`: organisation, `as_of` and the default review period.

use std::path::Path;

use serde::Deserialize;

use crate::error::IngestError;
use crate::period::{parse_as_of, Period};

/// The manifest as written; every field is optional. Its `as_of` and
/// `period` are checked when it is read, so that a value that cannot be
/// used is named with its line in `manifest.toml`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Manifest {
    /// The organisation whose exports these are.
    pub organisation: Option<String>,
    /// When the exports were taken (text form of a timestamp or date).
    pub as_of: Option<String>,
    /// The default review period (`2026-Q3`, ...).
    pub period: Option<String>,
    /// Whether the validity intervals were observed in periodic dumps of
    /// current state (`intervals = "observed"`): each is the certain part
    /// of the true one, so a lateness computed from it is a lower bound.
    pub observed_intervals: bool,
}

/// The file as TOML reads it, each value with where it stands.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Written {
    organisation: Option<String>,
    as_of: Option<toml::Spanned<toml::Value>>,
    period: Option<toml::Spanned<toml::Value>>,
    /// Evidence `accessaudit snapshot` records: where the tables were read
    /// (never with credentials). The audit does not use it.
    #[allow(dead_code)]
    source: Option<toml::Table>,
    /// Evidence `accessaudit snapshot` records per table: its query's
    /// SHA-256 and row count. The audit does not use it.
    #[allow(dead_code)]
    tables: Option<toml::Table>,
    /// `"observed"` when the intervals were derived from dumps.
    intervals: Option<toml::Spanned<String>>,
    /// The dumps the intervals were observed in (evidence).
    #[allow(dead_code)]
    dumps: Option<Vec<String>>,
    /// Dumps whose drop in rows was accepted, with the reason (evidence).
    #[allow(dead_code)]
    accepted_drops: Option<toml::Table>,
}

/// The 1-based line and column of byte `at` in `text`.
fn line_and_column(text: &str, at: usize) -> (usize, usize) {
    let before = &text[..at.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.len() - before.rfind('\n').map_or(0, |i| i + 1) + 1;
    (line, column)
}

/// The text of line `line` (1-based), trimmed and shortened for a message.
fn line_text(text: &str, line: usize) -> String {
    let l = text.lines().nth(line - 1).unwrap_or_default().trim();
    l.chars().take(80).collect()
}

/// Checks one value: `read` turns it into text or says why it cannot be used.
fn check(
    text: &str,
    key: &str,
    value: Option<toml::Spanned<toml::Value>>,
    read: impl Fn(&toml::Value) -> Result<String, String>,
) -> Result<Option<String>, String> {
    let Some(value) = value else {
        return Ok(None);
    };
    let span = value.span();
    read(value.get_ref()).map(Some).map_err(|reason| {
        let (line, _) = line_and_column(text, span.start);
        let written = text.get(span).unwrap_or_default();
        format!("line {line}: {key} = {written}: {reason}")
    })
}

/// "an integer", "a boolean": the TOML type of `value` with its article.
fn a(value: &toml::Value) -> String {
    let kind = value.type_str();
    let article = if kind.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    };
    format!("{article} {kind}")
}

impl Manifest {
    /// Reads `manifest.toml` from the snapshot directory; absent means empty.
    pub fn load(dir: &Path) -> Result<Self, IngestError> {
        let path = dir.join("manifest.toml");
        if !path.exists() {
            return Ok(Manifest::default());
        }
        let file = "manifest.toml".to_string();
        let text = std::fs::read_to_string(&path).map_err(|source| IngestError::Io {
            file: file.clone(),
            source,
        })?;
        Self::parse(&text).map_err(|message| IngestError::Manifest { file, message })
    }

    /// Parses manifest text; the error names the line, the key and the value.
    pub fn parse(text: &str) -> Result<Self, String> {
        let written: Written = toml::from_str(text).map_err(|e| {
            let at = e
                .span()
                .map(|s| {
                    let (line, column) = line_and_column(text, s.start);
                    format!(
                        "line {line}, column {column} (`{}`): ",
                        line_text(text, line)
                    )
                })
                .unwrap_or_default();
            // One line: the message is printed as one.
            let message = e.message().trim().replace('\n', ": ");
            format!("{at}{message}")
        })?;
        let as_of = check(text, "as_of", written.as_of, |v| {
            let t = match v {
                toml::Value::String(s) => s.clone(),
                // A bare TOML date or date-time (as_of = 2026-09-30).
                toml::Value::Datetime(d) => d.to_string(),
                other => {
                    return Err(format!(
                        "{} is not a date or timestamp (write as_of = 2026-09-30 or as_of = \"2026-09-30T23:59:59+03:00\")",
                        a(other)
                    ))
                }
            };
            parse_as_of(&t).map(|_| t).map_err(|_| {
                "not a date or timestamp (expected e.g. 2026-09-30 or 2026-09-30T23:59:59+03:00)"
                    .to_string()
            })
        })?;
        let period = check(text, "period", written.period, |v| match v {
            toml::Value::String(s) => match Period::parse(s) {
                Ok(_) => Ok(s.clone()),
                Err(IngestError::Period { reason, .. }) => Err(reason),
                Err(other) => Err(other.to_string()),
            },
            other => Err(format!(
                "{} is not a period (write period = \"2026-Q3\")",
                a(other)
            )),
        })?;
        let observed_intervals = match written.intervals {
            None => false,
            Some(v) if v.get_ref() == "observed" => true,
            Some(v) => {
                let (line, _) = line_and_column(text, v.span().start);
                return Err(format!(
                    "line {line}: intervals = {:?}: the only value is \"observed\" (intervals derived from periodic dumps)",
                    v.get_ref()
                ));
            }
        };
        Ok(Manifest {
            organisation: written.organisation,
            as_of,
            period,
            observed_intervals,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_quoted_and_bare_as_of() -> Result<(), String> {
        let m = Manifest::parse(
            "organisation = \"Sotsiaalkindlustusamet\"\nas_of = \"2026-09-30T23:59:59+03:00\"\nperiod = \"2026-Q3\"\n",
        )?;
        assert_eq!(m.as_of.as_deref(), Some("2026-09-30T23:59:59+03:00"));
        assert_eq!(m.period.as_deref(), Some("2026-Q3"));
        let bare = Manifest::parse("as_of = 2026-09-30T23:59:59+03:00\n")?;
        assert_eq!(bare.as_of.as_deref(), Some("2026-09-30T23:59:59+03:00"));
        Ok(())
    }

    #[test]
    fn unknown_keys_are_errors_with_a_line() {
        let err = Manifest::parse("organisation = \"x\"\nperoid = \"2026-Q3\"\n");
        assert!(
            matches!(err, Err(ref m) if m.starts_with("line 2, column 1") && m.contains("peroid")),
            "{err:?}"
        );
    }

    #[test]
    fn unusable_values_name_line_key_and_value() {
        // Before: "did not match any variant of untagged enum Either", and
        // a bad period or as_of that did not name manifest.toml or its line.
        let cases = [
            ("as_of = 20260930\n", "line 1: as_of = 20260930: an integer"),
            (
                "organisation = \"x\"\nas_of = \"2026-02-30\"\n",
                "line 2: as_of = \"2026-02-30\": not a date",
            ),
            (
                "as_of = 2026-09-30\nperiod = \"2026-Q5\"\n",
                "line 2: period = \"2026-Q5\": a quarter is Q1 to Q4",
            ),
            ("period = 3\n", "line 1: period = 3: an integer is not a period"),
            (
                "as_of = 2026-02-30\n",
                "line 1, column 17 (`as_of = 2026-02-30`): invalid date-time: value is out of range",
            ),
        ];
        for (text, expected) in cases {
            match Manifest::parse(text) {
                Err(m) => assert!(m.starts_with(expected), "{text:?}: {m}"),
                Ok(m) => panic!("{text:?} accepted: {m:?}"),
            }
        }
    }
}
