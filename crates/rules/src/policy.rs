//! Policy files: an agency's parameters, severities and disabled rules,
//! validated against the catalogue with line numbers before anything runs.
//!
//! ```toml
//! [rules.ACC-07]
//! params = { dormant_days = 60 }
//! severity = "medium"
//!
//! [rules.PD-08]
//! enabled = false
//! reason = "Shift work in the call centre; reviewed monthly instead"
//! ```

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

use crate::catalog::{line_of, Catalog};
use crate::definition::{parse_severity, ParamValue};
use crate::error::{DefinitionProblem, RulesError};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PolicyFile {
    #[serde(default)]
    rules: BTreeMap<Spanned<String>, Spanned<RulePolicy>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RulePolicy {
    #[serde(default)]
    params: BTreeMap<String, Spanned<ParamValue>>,
    severity: Option<Spanned<String>>,
    enabled: Option<bool>,
    reason: Option<String>,
}

impl Catalog {
    /// Applies a policy file (`file` names it in messages). Every problem is
    /// reported with its line: an unknown rule id, an unknown or mistyped
    /// parameter, an unknown severity, a rule disabled without a reason.
    pub fn with_policy(mut self, file: &str, text: &str) -> Result<Catalog, RulesError> {
        let problem = |line: usize, message: String| DefinitionProblem {
            file: file.to_string(),
            line,
            message,
        };
        let parsed: PolicyFile = toml::from_str(text).map_err(|e| RulesError::Definitions {
            problems: vec![problem(
                e.span().map_or(0, |s| line_of(text, s.start)),
                e.message().to_string(),
            )],
        })?;
        let mut problems = Vec::new();
        for (id, entry) in &parsed.rules {
            let id_line = line_of(text, id.span().start);
            let Some(index) = self
                .rules
                .iter()
                .position(|r| r.id.eq_ignore_ascii_case(id.get_ref()))
            else {
                problems.push(problem(
                    id_line,
                    format!(
                        "unknown rule id {:?} (see `accessaudit rules list`)",
                        id.get_ref()
                    ),
                ));
                continue;
            };
            let rule = &mut self.rules[index];
            let entry = entry.get_ref();
            let kind = rule.kind;
            for (name, value) in &entry.params {
                let line = line_of(text, value.span().start);
                if rule.sql.is_some() {
                    // A query's parameters are typed by their defaults.
                    let ty = crate::checks::sql::placeholders::param_type;
                    match rule.params.get(name).map(ty) {
                        None => problems.push(problem(
                            line,
                            format!("{} has no parameter {name:?}", rule.id),
                        )),
                        Some(expected) if expected != ty(value.get_ref()) => {
                            problems.push(problem(
                                line,
                                format!(
                                    "parameter {name:?} of {} must be {}, not {}",
                                    rule.id,
                                    expected.unwrap_or("?"),
                                    value.get_ref()
                                ),
                            ))
                        }
                        Some(_) => {
                            rule.params.insert(name.clone(), value.get_ref().clone());
                            rule.overridden.push(name.clone());
                        }
                    }
                    continue;
                }
                match kind.params.iter().find(|p| p.name == name) {
                    None => problems.push(problem(
                        line,
                        format!("{} has no parameter {name:?}", rule.id),
                    )),
                    Some(spec) if !spec.kind.accepts(value.get_ref()) => problems.push(problem(
                        line,
                        format!(
                            "parameter {name:?} of {} must be {}, not {}",
                            rule.id,
                            spec.kind.describe(),
                            value.get_ref()
                        ),
                    )),
                    Some(_) => {
                        rule.params.insert(name.clone(), value.get_ref().clone());
                        rule.overridden.push(name.clone());
                    }
                }
            }
            if let Some(word) = &entry.severity {
                match parse_severity(word.get_ref()) {
                    Some(s) => {
                        rule.severity = s;
                        rule.overridden.push("severity".into());
                    }
                    None => problems.push(problem(
                        line_of(text, word.span().start),
                        format!(
                            "unknown severity {:?} (expected critical, high, medium, low or info)",
                            word.get_ref()
                        ),
                    )),
                }
            }
            match (entry.enabled, entry.reason.as_deref().map(str::trim)) {
                (Some(false), Some(reason)) if !reason.is_empty() => {
                    rule.disabled = Some(reason.to_string());
                }
                (Some(false), _) => problems.push(problem(
                    id_line,
                    format!(
                        "{} is disabled without a reason: add reason = \"...\"",
                        rule.id
                    ),
                )),
                _ => {}
            }
        }
        if problems.is_empty() {
            Ok(self)
        } else {
            Err(RulesError::Definitions { problems })
        }
    }
}
