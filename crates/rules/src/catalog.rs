//! Loading and validating the rule catalogue. Every problem of every file is
//! collected with its line before anything runs, so a rule author sees them
//! all at once.

use std::collections::BTreeSet;
use std::path::Path;

use sha2::{Digest, Sha256};
use toml::Spanned;

use crate::checks;
use crate::definition::{parse_area, parse_severity, Rule, RuleFile, Texts, TextsFile};
use crate::error::{DefinitionProblem, RulesError};
use crate::phrases::Phrases;
use crate::template;

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/embedded_rules.rs"));
}

/// The rules in force, ordered by area then id.
#[derive(Debug, Clone)]
pub struct Catalog {
    /// The rules.
    pub rules: Vec<Rule>,
    /// SHA-256 of the rule files' names and texts.
    sources_sha256: String,
}

/// 1-based line of byte `offset` in `text`.
pub(crate) fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

impl Catalog {
    /// Where each rule stands in the catalogue, by id (`usize::MAX` for an
    /// id it does not hold): findings, outcomes and resolved findings are
    /// reported in this order whatever order the rules ran in.
    pub fn rank(&self) -> impl Fn(&str) -> usize + '_ {
        let order: std::collections::HashMap<&str, usize> = self
            .rules
            .iter()
            .enumerate()
            .map(|(i, r)| (r.id.as_str(), i))
            .collect();
        move |id| order.get(id).copied().unwrap_or(usize::MAX)
    }

    /// The catalogue built into the binary (the workspace's `rules/`).
    pub fn builtin() -> Result<Self, RulesError> {
        Self::from_sources(
            embedded::EMBEDDED
                .iter()
                .map(|(name, text)| (format!("rules/{name}"), (*text).to_string()))
                .collect(),
        )
    }

    /// Reads every `*.toml` file of `dir`.
    pub fn load_dir(dir: &Path) -> Result<Self, RulesError> {
        let io = |source| RulesError::Directory {
            dir: dir.display().to_string(),
            source,
        };
        let mut paths: Vec<_> = std::fs::read_dir(dir)
            .map_err(io)?
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "toml"))
            .collect();
        paths.sort();
        let mut sources = Vec::with_capacity(paths.len());
        for p in paths {
            let text = std::fs::read_to_string(&p).map_err(io)?;
            sources.push((p.display().to_string(), text));
        }
        Self::from_sources(sources)
    }

    /// Validates rule files given as (file name, text).
    pub fn from_sources(sources: Vec<(String, String)>) -> Result<Self, RulesError> {
        let mut problems = Vec::new();
        let mut rules: Vec<Rule> = Vec::new();
        let mut seen: BTreeSet<String> = BTreeSet::new();
        for (file, text) in &sources {
            let before = problems.len();
            let parsed: RuleFile = match toml::from_str(text) {
                Ok(p) => p,
                Err(e) => {
                    problems.push(DefinitionProblem {
                        file: file.clone(),
                        line: e.span().map_or(0, |s| line_of(text, s.start)),
                        message: e.message().to_string(),
                    });
                    continue;
                }
            };
            let mut problem = |span: std::ops::Range<usize>, message: String| {
                problems.push(DefinitionProblem {
                    file: file.clone(),
                    line: line_of(text, span.start),
                    message,
                });
            };
            let id = parsed.id.get_ref().clone();
            if !seen.insert(id.clone()) {
                problem(parsed.id.span(), format!("duplicate rule id {id:?}"));
            }
            let area = parse_area(parsed.area.get_ref());
            match area {
                None => problem(
                    parsed.area.span(),
                    format!(
                        "unknown area {:?} (expected ACC, TIME, PD or DQ)",
                        parsed.area.get_ref()
                    ),
                ),
                Some(a) if !id.starts_with(&format!("{}-", a.as_str())) => problem(
                    parsed.id.span(),
                    format!("id {id:?} does not start with its area {}-", a.as_str()),
                ),
                Some(_) => {}
            }
            let severity = parse_severity(parsed.severity.get_ref());
            if severity.is_none() {
                problem(
                    parsed.severity.span(),
                    format!(
                        "unknown severity {:?} (expected critical, high, medium, low or info)",
                        parsed.severity.get_ref()
                    ),
                );
            }
            let kind = checks::kind(parsed.check.get_ref());
            let mut sql = None;
            match kind {
                None => problem(
                    parsed.check.span(),
                    format!(
                        "unknown check kind {:?} (known: {})",
                        parsed.check.get_ref(),
                        checks::KINDS
                            .iter()
                            .map(|k| k.name)
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                ),
                Some(kind) if kind.name == checks::sql::KIND.name => {
                    if let Err(e) = template::check(parsed.message.get_ref()) {
                        problem(parsed.message.span(), format!("message: {e}"));
                    }
                    sql = checks::sql::load::check(
                        &checks::sql::load::SqlParts {
                            text,
                            query: parsed.query.as_ref(),
                            needs: parsed.needs.as_ref(),
                            check: parsed.check.span(),
                            params: &parsed.params,
                            grain: &parsed.grain,
                            message: &parsed.message,
                        },
                        &mut problem,
                    );
                    if let Some(et) = &parsed.et {
                        check_translation(&parsed.message, &parsed.references, et, &mut problem);
                    }
                }
                Some(kind) => {
                    if let Some(query) = &parsed.query {
                        problem(
                            query.span(),
                            format!("query is only for check kind sql, not {}", kind.name),
                        );
                    }
                    if let Some(needs) = &parsed.needs {
                        problem(
                            needs.span(),
                            format!("needs is only for check kind sql, not {}", kind.name),
                        );
                    }
                    for (name, value) in &parsed.params {
                        match kind.params.iter().find(|p| p.name == name) {
                            None => problem(
                                value.span(),
                                format!(
                                    "unknown parameter {name:?} for check kind {} (it takes: {})",
                                    kind.name,
                                    if kind.params.is_empty() {
                                        "none".to_string()
                                    } else {
                                        kind.params
                                            .iter()
                                            .map(|p| p.name)
                                            .collect::<Vec<_>>()
                                            .join(", ")
                                    }
                                ),
                            ),
                            Some(spec) if !spec.kind.accepts(value.get_ref()) => problem(
                                value.span(),
                                format!(
                                    "parameter {name:?} must be {}, not {}",
                                    spec.kind.describe(),
                                    value.get_ref()
                                ),
                            ),
                            Some(_) => {}
                        }
                    }
                    for spec in kind.params.iter().filter(|p| !p.optional) {
                        if !parsed.params.contains_key(spec.name) {
                            problem(
                                parsed.check.span(),
                                format!("parameter {:?} has no default in [params]", spec.name),
                            );
                        }
                    }
                    // The finding id hashes the grain: without one, every
                    // finding of the rule would share one id.
                    if parsed.grain.get_ref().is_empty() {
                        problem(
                            parsed.grain.span(),
                            format!(
                                "grain is empty: name the columns of {} that identify one finding ({})",
                                kind.name,
                                kind.outputs.join(", ")
                            ),
                        );
                    }
                    for column in parsed.grain.get_ref() {
                        if !kind.outputs.contains(&column.as_str()) {
                            problem(
                                parsed.grain.span(),
                                format!(
                                    "grain column {column:?} is not produced by check kind {}",
                                    kind.name
                                ),
                            );
                        }
                    }
                    if let Err(e) = template::check(parsed.message.get_ref()) {
                        problem(parsed.message.span(), format!("message: {e}"));
                    }
                    for name in template::placeholders(parsed.message.get_ref()) {
                        if !kind.outputs.contains(&name) {
                            problem(
                                parsed.message.span(),
                                format!("message placeholder {{{name}}} is not produced by check kind {}", kind.name),
                            );
                        }
                    }
                    if let Some(et) = &parsed.et {
                        check_translation(&parsed.message, &parsed.references, et, &mut problem);
                    }
                }
            }
            if problems.len() > before {
                continue;
            }
            let (Some(area), Some(severity), Some(kind)) = (area, severity, kind) else {
                continue;
            };
            if kind.name == checks::sql::KIND.name && sql.is_none() {
                continue;
            }
            rules.push(Rule {
                id,
                name: parsed.name,
                area,
                title: parsed.title,
                description: parsed.description.trim().to_string(),
                remediation: parsed.remediation.trim().to_string(),
                references: parsed.references,
                severity,
                kind,
                grain: parsed.grain.into_inner(),
                message: parsed.message.into_inner().trim().to_string(),
                params: parsed
                    .params
                    .into_iter()
                    .map(|(k, v)| (k, v.into_inner()))
                    .collect(),
                source: file.clone(),
                source_sha256: hex::encode(Sha256::digest(text.as_bytes())),
                overridden: Vec::new(),
                disabled: None,
                et: parsed.et.map(|t| Texts {
                    title: t.title.trim().to_string(),
                    description: t.description.trim().to_string(),
                    remediation: t.remediation.trim().to_string(),
                    message: t.message.into_inner().trim().to_string(),
                    references: t.references.map(Spanned::into_inner).unwrap_or_default(),
                    phrases: Phrases::new(
                        &t.phrases
                            .into_iter()
                            .map(|(k, v)| (k, v.into_inner()))
                            .collect(),
                    ),
                }),
                sql,
            });
        }
        if !problems.is_empty() {
            return Err(RulesError::Definitions { problems });
        }
        rules.sort_by(|a, b| (a.area, &a.id).cmp(&(b.area, &b.id)));
        let mut hasher = Sha256::new();
        let mut sorted: Vec<&(String, String)> = sources.iter().collect();
        sorted.sort();
        for (name, text) in sorted {
            let base = name.rsplit('/').next().unwrap_or(name);
            hasher.update(base.as_bytes());
            hasher.update([0]);
            hasher.update(text.as_bytes());
            hasher.update([0]);
        }
        Ok(Catalog {
            rules,
            sources_sha256: hex::encode(hasher.finalize()),
        })
    }

    /// A short fingerprint of the rule files, as the rule catalogue's version.
    pub fn fingerprint(&self) -> String {
        self.sources_sha256.chars().take(12).collect()
    }

    /// The rule with id `id` (case-insensitive).
    pub fn get(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.id.eq_ignore_ascii_case(id))
    }
}

/// Checks a translation against the English message: a well-formed
/// message with the same placeholders (so no value is lost or invented), one
/// reference for each English one, and usable phrase entries.
fn check_translation(
    english: &Spanned<String>,
    references: &[String],
    et: &TextsFile,
    problem: &mut impl FnMut(std::ops::Range<usize>, String),
) {
    if let Err(e) = template::check(et.message.get_ref()) {
        problem(et.message.span(), format!("[et] message: {e}"));
    }
    let (count, span) = match &et.references {
        Some(r) => (r.get_ref().len(), r.span()),
        None => (0, et.message.span()),
    };
    if count != references.len() {
        problem(
            span,
            format!(
                "[et] references has {count} entries, the English references {}: \
                 translate each one, in the same order",
                references.len()
            ),
        );
    }
    let theirs: BTreeSet<&str> = template::placeholders(english.get_ref())
        .into_iter()
        .collect();
    let ours: BTreeSet<&str> = template::placeholders(et.message.get_ref())
        .into_iter()
        .collect();
    for name in theirs.difference(&ours) {
        problem(
            et.message.span(),
            format!("[et] message lacks the placeholder {{{name}}} of the English message"),
        );
    }
    for name in ours.difference(&theirs) {
        problem(
            et.message.span(),
            format!("[et] message has placeholder {{{name}}}, which the English message does not"),
        );
    }
    for (pattern, target) in &et.phrases {
        if let Some(p) = Phrases::check(pattern, target.get_ref()) {
            problem(target.span(), format!("[et.phrases] {pattern:?}: {p}"));
        }
    }
}
