//! Comparing with an earlier run (`--baseline DIR`): each finding is `new` or
//! `persisting` (keeping the date it was first seen, so ageing shows), and the
//! baseline's findings that are gone are `resolved`.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use chrono::DateTime;
use serde::Serialize;

use accessaudit_rules::finding::{Finding, Status};
use accessaudit_rules::pseudonym::{is_pseudonym, Pseudonymizer};
use accessaudit_rules::{Catalog, Evaluation, OutcomeState};

/// Why a baseline cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum BaselineError {
    /// Neither findings.jsonl nor findings.csv is in the folder.
    #[error("{0}: no findings.jsonl in the baseline folder (an earlier `audit --out` folder, with the json format)")]
    Missing(String),
    /// A file cannot be read.
    #[error("{file}: {source}")]
    Io {
        /// The file.
        file: String,
        /// The error.
        source: std::io::Error,
    },
    /// A line is not a finding, or of a newer format.
    #[error(transparent)]
    Findings(#[from] accessaudit_rules::findings_file::FindingsFileError),
}

/// An earlier run's findings.
#[derive(Debug, Clone, Default)]
pub struct Baseline {
    /// The folder.
    pub dir: String,
    /// Its findings by id.
    pub findings: BTreeMap<String, Finding>,
    /// Its `as_of`, from its summary.json, when there is one.
    pub as_of: Option<String>,
}

impl Baseline {
    /// Reads `DIR/findings.jsonl` (and `DIR/summary.json` for its `as_of`).
    ///
    /// A baseline written with `--reveal-subjects` holds real personal codes;
    /// unless `pseudonyms` reveals them too, they are turned into pseudonyms
    /// here (see [`Baseline::hide_subjects`]), so that no code reaches the
    /// outputs of this run through the baseline's resolved findings.
    pub fn load(dir: &Path, pseudonyms: &Pseudonymizer) -> Result<Self, BaselineError> {
        let path = dir.join("findings.jsonl");
        let file = path.display().to_string();
        if !path.is_file() {
            return Err(BaselineError::Missing(dir.display().to_string()));
        }
        let text = std::fs::read_to_string(&path).map_err(|source| BaselineError::Io {
            file: file.clone(),
            source,
        })?;
        let findings = accessaudit_rules::findings_file::read_jsonl(&file, &text)?
            .into_iter()
            .map(|f| (f.finding_id.clone(), f))
            .collect();
        let as_of = std::fs::read_to_string(dir.join("summary.json"))
            .ok()
            .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
            .and_then(|v| v["as_of"].as_str().map(str::to_string));
        let mut baseline = Baseline {
            dir: dir.display().to_string(),
            findings,
            as_of,
        };
        if !pseudonyms.reveals() {
            baseline.hide_subjects(pseudonyms);
        }
        Ok(baseline)
    }

    /// Replaces the real personal codes of data subjects by their
    /// pseudonyms: in the subject column, and wherever such a code stands in
    /// a message, the evidence or the reference of any finding (a message
    /// names its subject). The codes are those of the subject column that
    /// are not pseudonyms already. Finding ids need no change: they hash the
    /// pseudonym in both modes.
    pub fn hide_subjects(&mut self, pseudonyms: &Pseudonymizer) {
        let codes: HashMap<String, String> = self
            .findings
            .values()
            .filter_map(|f| f.subject.as_deref())
            .filter(|s| !is_pseudonym(s))
            .map(|code| (code.to_string(), pseudonyms.pseudonym(code)))
            .collect();
        if codes.is_empty() {
            return;
        }
        for f in self.findings.values_mut() {
            if let Some(subject) = f.subject.as_mut() {
                if let Some(p) = codes.get(subject.as_str()) {
                    subject.clone_from(p);
                }
            }
            f.message = replace_codes(&f.message, &codes);
            f.evidence = replace_codes(&f.evidence, &codes);
            if let Some(r) = f.reference.as_mut() {
                *r = replace_codes(r, &codes);
            }
        }
    }
}

/// Whether `c` continues a code: letters, digits and `-` (foreign codes
/// such as `LV010101-12345` hold one).
fn in_code(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '-'
}

/// `text` with each run of code characters that is a key of `codes`
/// replaced by its value. Runs, not substrings: a code inside a longer number
/// is another number. A code with other characters is replaced wherever it
/// stands.
fn replace_codes(text: &str, codes: &HashMap<String, String>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find(in_code) {
        out.push_str(&rest[..start]);
        rest = &rest[start..];
        let end = rest.find(|c: char| !in_code(c)).unwrap_or(rest.len());
        let word = &rest[..end];
        out.push_str(codes.get(word).map_or(word, String::as_str));
        rest = &rest[end..];
    }
    out.push_str(rest);
    for (code, p) in codes.iter().filter(|(c, _)| !c.chars().all(in_code)) {
        out = out.replace(code.as_str(), p);
    }
    out
}

/// Counts of one comparison group (a rule or a unit).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// Not in the baseline.
    pub new: usize,
    /// Also in the baseline.
    pub persisting: usize,
    /// In the baseline only.
    pub resolved: usize,
    /// Matched by an accepted-risk exception.
    pub suppressed: usize,
    /// Kept by the unit's manager with a reason (also in the baseline or not).
    pub accepted: usize,
}

/// The comparison with a baseline.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Comparison {
    /// The baseline folder.
    pub baseline: String,
    /// Per rule.
    pub by_rule: BTreeMap<String, Counts>,
    /// Per unit.
    pub by_unit: BTreeMap<String, Counts>,
    /// The baseline's findings that are gone, with status `resolved`.
    pub resolved: Vec<Finding>,
}

fn earlier(a: &str, b: &str) -> bool {
    match (
        DateTime::parse_from_rfc3339(a),
        DateTime::parse_from_rfc3339(b),
    ) {
        (Ok(x), Ok(y)) => x < y,
        _ => a < b,
    }
}

/// Compares the findings of `evaluation` with the baseline's (see
/// [`compare`]); only rules that ran this time can resolve anything. The
/// resolved findings come in `catalog` order, then by id.
pub fn compare_evaluation(
    evaluation: &mut Evaluation,
    baseline: &Baseline,
    catalog: &Catalog,
) -> Comparison {
    let evaluated: HashSet<String> = evaluation
        .outcomes
        .iter()
        .filter(|o| matches!(o.state, OutcomeState::Evaluated { .. }))
        .map(|o| o.rule_id.clone())
        .collect();
    let mut comparison = compare(&mut evaluation.findings, baseline, &evaluated);
    let rank = catalog.rank();
    comparison
        .resolved
        .sort_by(|a, b| (rank(&a.rule_id), &a.finding_id).cmp(&(rank(&b.rule_id), &b.finding_id)));
    comparison
}

/// Sets each finding's status against the baseline (suppressed findings keep
/// their status), carries the first-seen date over, and lists what was
/// resolved. Only rules that ran in this audit can resolve a finding.
pub fn compare(
    findings: &mut [Finding],
    baseline: &Baseline,
    evaluated: &HashSet<String>,
) -> Comparison {
    let mut comparison = Comparison {
        baseline: baseline.dir.clone(),
        ..Default::default()
    };
    let current: HashMap<String, usize> = findings
        .iter()
        .enumerate()
        .map(|(i, f)| (f.finding_id.clone(), i))
        .collect();
    for f in findings.iter_mut() {
        if let Some(old) = baseline.findings.get(&f.finding_id) {
            // A suppressed, accepted or explained finding keeps the status
            // that says why it is not open; the baseline only ages it.
            if f.status == Status::New {
                f.status = Status::Persisting;
            }
            if let Some(before) = &old.first_seen {
                let keep_old = f
                    .first_seen
                    .as_deref()
                    .is_none_or(|now| earlier(before, now));
                if keep_old {
                    f.first_seen = Some(before.clone());
                }
            }
        }
        let unit = f.unit.clone().unwrap_or_default();
        for counts in [
            comparison.by_rule.entry(f.rule_id.clone()).or_default(),
            comparison.by_unit.entry(unit).or_default(),
        ] {
            match f.status {
                Status::Persisting => counts.persisting += 1,
                Status::Suppressed => counts.suppressed += 1,
                Status::Accepted | Status::Explained => counts.accepted += 1,
                _ => counts.new += 1,
            }
        }
    }
    for (id, old) in &baseline.findings {
        if current.contains_key(id) || !evaluated.contains(&old.rule_id) {
            continue;
        }
        let mut gone = old.clone();
        gone.status = Status::Resolved;
        let unit = gone.unit.clone().unwrap_or_default();
        comparison
            .by_rule
            .entry(gone.rule_id.clone())
            .or_default()
            .resolved += 1;
        comparison.by_unit.entry(unit).or_default().resolved += 1;
        comparison.resolved.push(gone);
    }
    comparison
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_replaced_as_whole_words_only() {
        let codes: HashMap<String, String> = [
            ("38001010000".to_string(), "S-1".to_string()),
            ("LV 0101".to_string(), "S-2".to_string()),
        ]
        .into();
        assert_eq!(
            replace_codes(
                "looked at 38001010000 (38001010000), not 380010100001; LV 0101.",
                &codes
            ),
            "looked at S-1 (S-1), not 380010100001; S-2."
        );
    }
}
