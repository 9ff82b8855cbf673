//! `manifest.toml`: organisation, `as_of` and the default review period.

use std::path::Path;

use serde::Deserialize;

use crate::error::IngestError;

/// The manifest as written; every field is optional.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// The organisation whose exports these are.
    pub organisation: Option<String>,
    /// When the exports were taken (text form of a timestamp or date).
    #[serde(default, deserialize_with = "text_or_datetime")]
    pub as_of: Option<String>,
    /// The default review period (`2026-Q3`, ...).
    pub period: Option<String>,
}

/// Accepts `as_of` both quoted and as a bare TOML date-time.
fn text_or_datetime<'de, D>(de: D) -> Result<Option<String>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Either {
        Text(String),
        Moment(toml::value::Datetime),
    }
    Ok(Option::<Either>::deserialize(de)?.map(|v| match v {
        Either::Text(s) => s,
        Either::Moment(m) => m.to_string(),
    }))
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

    /// Parses manifest text; the error names line and column.
    pub fn parse(text: &str) -> Result<Self, String> {
        toml::from_str(text).map_err(|e| {
            let at = e
                .span()
                .map(|s| {
                    let before = &text[..s.start.min(text.len())];
                    let line = before.matches('\n').count() + 1;
                    let col = before.len() - before.rfind('\n').map_or(0, |i| i + 1) + 1;
                    format!("line {line}, column {col}: ")
                })
                .unwrap_or_default();
            format!("{at}{}", e.message())
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
}
