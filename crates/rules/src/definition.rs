//! Rule definition files (`rules/*.toml`): the single source of a rule's id,
//! title, texts, severity, parameters and the check kind that evaluates it.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

use crate::phrases::Phrases;
use crate::severity::{Area, Severity};
use crate::template;

/// A parameter value as written in a rule or policy file.
pub(crate) type ParamValue = toml::Value;

/// A rule's parameters by name.
pub(crate) type ParamMap = BTreeMap<String, ParamValue>;

/// A rule definition as written in its file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RuleFile {
    /// Catalogue id, e.g. `ACC-01`.
    pub id: Spanned<String>,
    /// Catalogue name, e.g. `role-without-duty`.
    pub name: String,
    /// Area (`ACC`, `TIME`, `PD`, `DQ`).
    pub area: Spanned<String>,
    /// One-line title.
    pub title: String,
    /// What it checks and why, for a compliance reviewer.
    pub description: String,
    /// What to do about a finding.
    pub remediation: String,
    /// Legal and standard references.
    #[serde(default)]
    pub references: Vec<String>,
    /// Default severity.
    pub severity: Spanned<String>,
    /// The check kind that evaluates it.
    pub check: Spanned<String>,
    /// The finding columns that identify one fact (the grain); the
    /// `finding_id` is a hash of the rule id and these values.
    pub grain: Spanned<Vec<String>>,
    /// The finding message: `{column}` placeholders are filled from the
    /// check's output row.
    pub message: Spanned<String>,
    /// Parameters with their defaults.
    #[serde(default)]
    pub params: BTreeMap<String, Spanned<ParamValue>>,
    /// The query of a rule of check kind `sql`.
    pub query: Option<Spanned<String>>,
    /// What a `sql` rule cannot be evaluated without besides the optional
    /// tables its query reads: `table.column` of an optional column.
    pub needs: Option<Spanned<Vec<String>>>,
    /// The texts in Estonian.
    pub et: Option<TextsFile>,
}

/// A rule's texts in one more language, as written in its file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct TextsFile {
    /// One-line title.
    pub title: String,
    /// What it checks and why.
    pub description: String,
    /// What to do about a finding.
    pub remediation: String,
    /// The finding message, with the same placeholders as the English one.
    pub message: Spanned<String>,
    /// The legal and standard references, one for each English one, in
    /// the same order.
    #[serde(default)]
    pub references: Option<Spanned<Vec<String>>>,
    /// Translations of the English fragments the check kind writes into
    /// the message's values (see [`crate::phrases`]).
    #[serde(default)]
    pub phrases: BTreeMap<String, Spanned<String>>,
}

/// A rule's texts in one language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Texts {
    /// One-line title.
    pub title: String,
    /// What it checks and why.
    pub description: String,
    /// What to do about a finding.
    pub remediation: String,
    /// The finding message template.
    pub message: String,
    /// Legal and standard references.
    pub references: Vec<String>,
    /// Translations of the check's English fragments (empty for English).
    pub phrases: Phrases,
}

impl Texts {
    /// The message filled with `value(hole)`, each value translated by the
    /// phrases; a segment whose value is missing gives way to its
    /// alternative (see [`crate::template`]).
    pub fn render_message(&self, mut value: impl FnMut(&str) -> Option<String>) -> String {
        template::render(&self.message, |name| {
            let v = value(name)?;
            Some(if self.phrases.is_empty() {
                v
            } else {
                self.phrases.translate(&v)
            })
        })
    }
}

/// A validated rule definition.
#[derive(Debug, Clone)]
pub struct Rule {
    /// Catalogue id.
    pub id: String,
    /// Catalogue name.
    pub name: String,
    /// Area.
    pub area: Area,
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// Remediation.
    pub remediation: String,
    /// References.
    pub references: Vec<String>,
    /// Severity in force (default, or the policy's).
    pub severity: Severity,
    /// The check kind that evaluates it, resolved when the file was loaded.
    pub kind: &'static crate::checks::CheckKind,
    /// Grain columns.
    pub grain: Vec<String>,
    /// Message template.
    pub message: String,
    /// Parameters in force.
    pub params: BTreeMap<String, ParamValue>,
    /// The file it was read from.
    pub source: String,
    /// SHA-256 of that file's text.
    pub source_sha256: String,
    /// What a policy file changed: parameter names, and `severity`.
    pub overridden: Vec<String>,
    /// Set when a policy disabled the rule: the reason it gives.
    pub disabled: Option<String>,
    /// The texts in Estonian, when the rule file has them.
    pub et: Option<Texts>,
    /// The query, for a rule of check kind `sql`.
    pub sql: Option<crate::checks::sql::Query>,
}

impl Rule {
    /// Title, description, remediation, message and references in `lang` (`en` or
    /// `et`); English when the rule file has no text in that language.
    pub fn texts(&self, lang: &str) -> Texts {
        match (lang, &self.et) {
            ("et", Some(t)) => t.clone(),
            _ => Texts {
                title: self.title.clone(),
                description: self.description.clone(),
                remediation: self.remediation.clone(),
                message: self.message.clone(),
                references: self.references.clone(),
                phrases: Phrases::default(),
            },
        }
    }
}

/// A parameter a check asked its rule for is missing or of another type.
///
/// The loader checks every parameter against its check kind's declaration,
/// so this means a rule was built around the loader; it is an error rather
/// than a default so that such a rule cannot run with a value nobody chose.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("rule {rule}: parameter {name:?} is missing or is not {expected}")]
pub struct ParamError {
    /// The rule's id.
    pub rule: String,
    /// The parameter.
    pub name: String,
    /// The type the check asked for.
    pub expected: &'static str,
}

impl From<ParamError> for polars::prelude::PolarsError {
    fn from(e: ParamError) -> Self {
        polars::prelude::PolarsError::ComputeError(e.to_string().into())
    }
}

impl Rule {
    fn param<T>(
        &self,
        name: &str,
        expected: &'static str,
        read: impl FnOnce(&ParamValue) -> Option<T>,
    ) -> Result<T, ParamError> {
        self.params
            .get(name)
            .and_then(read)
            .ok_or_else(|| ParamError {
                rule: self.id.clone(),
                name: name.to_string(),
                expected,
            })
    }

    /// An integer parameter.
    pub fn int(&self, name: &str) -> Result<i64, ParamError> {
        self.param(name, "a whole number", ParamValue::as_integer)
    }

    /// A count of working days (the loader bounds it, see
    /// [`crate::checks::ParamKind::WORKING_DAYS`]).
    pub fn working_days(&self, name: &str) -> Result<u32, ParamError> {
        self.param(name, "a whole number of working days", |v| {
            v.as_integer().and_then(|i| u32::try_from(i).ok())
        })
    }

    /// A number parameter, whole or not.
    pub fn number(&self, name: &str) -> Result<f64, ParamError> {
        self.param(name, "a number", |v| {
            v.as_float().or_else(|| v.as_integer().map(|i| i as f64))
        })
    }

    /// A list-of-words parameter.
    pub fn words(&self, name: &str) -> Result<Vec<String>, ParamError> {
        self.param(name, "a list of strings", |v| {
            v.as_array()?
                .iter()
                .map(|w| w.as_str().map(str::to_string))
                .collect()
        })
    }

    /// A text parameter.
    pub fn text(&self, name: &str) -> Result<String, ParamError> {
        self.param(name, "a string", |v| v.as_str().map(str::to_string))
    }

    /// A severity parameter.
    pub fn severity_param(&self, name: &str) -> Result<Severity, ParamError> {
        self.param(name, "a severity", |v| v.as_str().and_then(Severity::parse))
    }

    /// An optional severity parameter: `None` when the rule leaves it out.
    pub fn optional_severity_param(&self, name: &str) -> Result<Option<Severity>, ParamError> {
        if self.params.contains_key(name) {
            self.severity_param(name).map(Some)
        } else {
            Ok(None)
        }
    }
}

/// Parses an area word.
pub(crate) fn parse_area(word: &str) -> Option<Area> {
    Area::ALL.into_iter().find(|a| a.as_str() == word)
}

/// Parses a severity word.
pub(crate) fn parse_severity(word: &str) -> Option<Severity> {
    Severity::parse(word)
}
