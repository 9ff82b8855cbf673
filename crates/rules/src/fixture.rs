//! Rule fixtures as regression tests: each case is a small snapshot and the
//! findings it must produce. One harness runs them for `cargo test` and for
//! `accessaudit rules test`.
//!
//! Layout: `<fixtures>/<RULE-ID>/<case>/` holds `case.toml`, `expected.csv`
//! and the case's table files. `case.toml` may name a `base` snapshot
//! (relative to the case) whose tables the case's files replace, and the
//! `rules` to run (default: the folder's rule id). `expected.csv` has a header
//! of finding columns (at least `rule_id`) and one row per expected finding;
//! only the columns it names are compared.
//!
//! A case's snapshot is assembled under a scratch directory its caller gives
//! (`cargo test` and `accessaudit rules test` pass a temporary one), so the
//! library itself needs no temporary-file crate.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use polars::prelude::*;
use serde::Deserialize;

use accessaudit_ingest::{LoadOptions, Snapshot};

use crate::catalog::Catalog;
use crate::decisions::ReviewState;
use crate::engine::{evaluate_with, Inputs, OutcomeState};
use crate::exceptions::Exceptions;
use crate::finding::Finding;
use crate::pseudonym::Pseudonymizer;

/// `case.toml`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct CaseFile {
    /// What the case shows.
    #[serde(default)]
    description: String,
    /// A snapshot directory whose tables the case's files replace.
    base: Option<PathBuf>,
    /// Rules to run; default: the id of the folder above the case.
    rules: Option<Vec<String>>,
    /// Overrides `as_of`.
    as_of: Option<String>,
    /// Overrides the period.
    period: Option<String>,
    /// An exceptions file of the case (relative to it).
    exceptions: Option<PathBuf>,
    /// The review history's state as TOML ([`ReviewState`]), for the REV
    /// rules and `accepted` findings (relative to the case).
    review: Option<PathBuf>,
}

/// One fixture case found on disk.
#[derive(Debug, Clone)]
pub struct Case {
    /// `RULE-ID/case`.
    pub name: String,
    /// The case directory.
    pub dir: PathBuf,
}

/// The outcome of one case.
#[derive(Debug, Clone)]
pub struct CaseResult {
    /// `RULE-ID/case`.
    pub name: String,
    /// What the case shows.
    pub description: String,
    /// Empty when the case passed.
    pub failures: Vec<String>,
}

impl CaseResult {
    /// Whether the findings matched.
    pub fn passed(&self) -> bool {
        self.failures.is_empty()
    }
}

/// Every case under `root` (`root/<RULE-ID>/<case>/case.toml`), sorted.
pub fn discover(root: &Path) -> std::io::Result<Vec<Case>> {
    let mut cases = Vec::new();
    let mut rule_dirs: Vec<_> = std::fs::read_dir(root)?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    rule_dirs.sort();
    for rule_dir in rule_dirs {
        let mut case_dirs: Vec<_> = std::fs::read_dir(&rule_dir)?
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.join("case.toml").is_file())
            .collect();
        case_dirs.sort();
        for dir in case_dirs {
            let name = format!(
                "{}/{}",
                rule_dir.file_name().unwrap_or_default().to_string_lossy(),
                dir.file_name().unwrap_or_default().to_string_lossy()
            );
            cases.push(Case { name, dir });
        }
    }
    Ok(cases)
}

/// Runs one case, assembling its snapshot under `scratch` (an existing
/// directory the caller owns); any problem running it is a failure of the
/// case.
pub fn run(catalog: &Catalog, case: &Case, scratch: &Path) -> CaseResult {
    let mut result = CaseResult {
        name: case.name.clone(),
        description: String::new(),
        failures: Vec::new(),
    };
    if let Err(e) = run_inner(catalog, case, scratch, &mut result) {
        result.failures.push(e);
    }
    result
}

fn run_inner(
    catalog: &Catalog,
    case: &Case,
    scratch: &Path,
    result: &mut CaseResult,
) -> Result<(), String> {
    let run = evaluate_case(catalog, case, "en", scratch)?;
    result.description = run.description;
    result.failures.extend(run.not_evaluable);
    let (columns, expected) = read_expected(&case.dir.join("expected.csv"))?;
    // A firing case that expects nothing proves nothing (a fresh skeleton).
    if expected.is_empty() && case.dir.file_name().is_some_and(|n| n == "fires") {
        result.failures.push(
            "the firing case expects no finding: write the finding(s) it must give in expected.csv"
                .to_string(),
        );
    }
    let actual: Vec<Vec<String>> = run.findings.iter().map(|f| project(f, &columns)).collect();
    result.failures.extend(compare(&columns, expected, actual));
    Ok(())
}

/// The findings of a case's own rules, with messages in `lang`, its
/// snapshot assembled under `scratch`; an error when the case cannot be run.
pub fn case_findings(
    catalog: &Catalog,
    case: &Case,
    lang: &str,
    scratch: &Path,
) -> Result<Vec<Finding>, String> {
    Ok(evaluate_case(catalog, case, lang, scratch)?.findings)
}

/// One evaluated case.
struct CaseRun {
    description: String,
    /// The case's rules that could not be evaluated, as failures.
    not_evaluable: Vec<String>,
    /// Findings of the case's rules.
    findings: Vec<Finding>,
}

fn evaluate_case(
    catalog: &Catalog,
    case: &Case,
    lang: &str,
    scratch: &Path,
) -> Result<CaseRun, String> {
    let text = std::fs::read_to_string(case.dir.join("case.toml"))
        .map_err(|e| format!("case.toml: {e}"))?;
    let spec: CaseFile = toml::from_str(&text).map_err(|e| format!("case.toml: {e}"))?;
    let rules = spec.rules.clone().unwrap_or_else(|| {
        vec![case
            .dir
            .parent()
            .and_then(Path::file_name)
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default()]
    });
    for id in &rules {
        if catalog.get(id).is_none() {
            return Err(format!(
                "case.toml names rule {id:?}, which the catalogue does not have"
            ));
        }
    }
    let snapshot_dir = Assembled::new(case, spec.base.as_deref(), scratch)?;
    let snapshot = Snapshot::load(
        &snapshot_dir.0,
        &LoadOptions {
            lenient: false,
            as_of: spec.as_of.clone(),
            period: spec.period.clone(),
        },
    )
    .map_err(|e| format!("loading the snapshot: {e}"))?;
    // Fixtures show real codes so expected files can name the subjects.
    let pseudonyms = Pseudonymizer::new(b"fixtures".to_vec(), true);
    let exceptions = match &spec.exceptions {
        Some(file) => {
            let path = case.dir.join(file);
            let text =
                std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            Some(
                Exceptions::parse(&file.display().to_string(), &text, catalog)
                    .map_err(|e| e.to_string())?,
            )
        }
        None => None,
    };
    let review = match &spec.review {
        Some(file) => {
            let path = case.dir.join(file);
            let text =
                std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            Some(
                toml::from_str::<ReviewState>(&text)
                    .map_err(|e| format!("{}: {e}", path.display()))?,
            )
        }
        None => None,
    };
    let inputs = Inputs {
        pseudonyms: &pseudonyms,
        exceptions: exceptions.as_ref(),
        observer: None,
        log_progress: None,
        lang,
        review: review.as_ref(),
    };
    // The case's rules, and with exceptions every rule whose findings they may cover.
    let evaluation = evaluate_with(catalog, &snapshot, &inputs, |r| {
        exceptions.is_some() || rules.iter().any(|id| id.eq_ignore_ascii_case(&r.id))
    })
    .map_err(|e| e.to_string())?;
    let of_case = |id: &str| rules.iter().any(|r| r.eq_ignore_ascii_case(id));
    let not_evaluable = evaluation
        .outcomes
        .iter()
        .filter(|o| of_case(&o.rule_id))
        .filter_map(|o| match &o.state {
            OutcomeState::NotEvaluable { reason, .. } => {
                Some(format!("{} was not evaluable: {reason}", o.rule_id))
            }
            OutcomeState::Failed { error } => Some(format!("{} failed: {error}", o.rule_id)),
            _ => None,
        })
        .collect();
    let findings = evaluation
        .findings
        .into_iter()
        .filter(|f| of_case(&f.rule_id))
        .collect();
    Ok(CaseRun {
        description: spec.description.trim().to_string(),
        not_evaluable,
        findings,
    })
}

/// A case's snapshot assembled under the caller's scratch directory, removed
/// again when dropped.
struct Assembled(PathBuf);

impl Drop for Assembled {
    fn drop(&mut self) {
        // Scratch space: what cannot be removed the caller's directory holds.
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

impl Assembled {
    /// The case's snapshot in `scratch/<RULE-ID>_<case>`: the base's files,
    /// then the case's.
    fn new(case: &Case, base: Option<&Path>, scratch: &Path) -> Result<Self, String> {
        let dir = scratch.join(case.name.replace(['/', '\\'], "_"));
        if dir.exists() {
            std::fs::remove_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        }
        std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        let assembled = Assembled(dir);
        fill(case, base, &assembled.0)?;
        Ok(assembled)
    }
}

/// Copies the base's files into `dir`, then the case's.
fn fill(case: &Case, base: Option<&Path>, dir: &Path) -> Result<(), String> {
    if let Some(base) = base {
        copy_tree(&case.dir.join(base), dir)
            .map_err(|e| format!("base {}: {e}", base.display()))?;
    }
    let skip = ["case.toml", "expected.csv", "exceptions.toml"];
    for entry in std::fs::read_dir(&case.dir).map_err(|e| e.to_string())? {
        let path = entry.map_err(|e| e.to_string())?.path();
        let name = path
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .to_string();
        if skip.contains(&name.as_str()) {
            continue;
        }
        // A case's table replaces the base's, whatever format either has.
        let stem = name.split('.').next().unwrap_or_default().to_string();
        for old in [format!("{stem}.csv"), format!("{stem}.parquet")] {
            let _ = std::fs::remove_file(dir.join(old));
        }
        let _ = std::fs::remove_dir_all(dir.join(&stem));
        if path.is_dir() {
            copy_tree(&path, &dir.join(&name)).map_err(|e| e.to_string())?;
        } else if name == "absent" {
            // A file named `absent` lists base tables the case removes.
            let text = std::fs::read_to_string(&path).map_err(|e| e.to_string())?;
            for table in text.split_whitespace() {
                for old in [format!("{table}.csv"), format!("{table}.parquet")] {
                    let _ = std::fs::remove_file(dir.join(old));
                }
            }
        } else {
            std::fs::copy(&path, dir.join(&name)).map_err(|e| e.to_string())?;
        }
    }
    Ok(())
}

fn copy_tree(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let path = entry?.path();
        let target = to.join(path.file_name().unwrap_or_default());
        if path.is_dir() {
            copy_tree(&path, &target)?;
        } else {
            std::fs::copy(&path, &target)?;
        }
    }
    Ok(())
}

fn read_expected(path: &Path) -> Result<(Vec<String>, Vec<Vec<String>>), String> {
    let df = CsvReadOptions::default()
        .with_has_header(true)
        .with_infer_schema_length(Some(0))
        .try_into_reader_with_file_path(Some(path.to_path_buf()))
        .and_then(|r| r.finish())
        .map_err(|e| format!("expected.csv: {e}"))?;
    let columns: Vec<String> = df
        .get_column_names()
        .iter()
        .map(|c| c.to_string())
        .collect();
    if !columns.iter().any(|c| c == "rule_id") {
        return Err("expected.csv: the header must name rule_id".into());
    }
    for c in &columns {
        if !crate::finding::COLUMNS.contains(&c.as_str()) {
            return Err(format!("expected.csv: {c:?} is not a finding column"));
        }
    }
    let mut rows = Vec::with_capacity(df.height());
    for i in 0..df.height() {
        let mut row = Vec::with_capacity(columns.len());
        for c in &columns {
            let v = df
                .column(c)
                .and_then(|s| s.get(i))
                .map_err(|e| e.to_string())?;
            row.push(crate::display::text(&v).unwrap_or_default());
        }
        rows.push(row);
    }
    Ok((columns, rows))
}

/// A finding's values for the given columns, as `expected.csv` writes them.
fn project(f: &Finding, columns: &[String]) -> Vec<String> {
    columns
        .iter()
        .map(|c| f.value(c).unwrap_or_default())
        .collect()
}

/// Multiset difference of expected and actual rows, as readable lines.
fn compare(
    columns: &[String],
    expected: Vec<Vec<String>>,
    actual: Vec<Vec<String>>,
) -> Vec<String> {
    let mut counts: BTreeMap<Vec<String>, i64> = BTreeMap::new();
    for row in expected {
        *counts.entry(row).or_default() += 1;
    }
    for row in actual {
        *counts.entry(row).or_default() -= 1;
    }
    let show = |row: &[String]| {
        columns
            .iter()
            .zip(row)
            .map(|(c, v)| format!("{c}={v}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut out = Vec::new();
    for (row, n) in counts {
        if n > 0 {
            out.push(format!("missing ({n}x): {}", show(&row)));
        } else if n < 0 {
            out.push(format!("unexpected ({}x): {}", -n, show(&row)));
        }
    }
    out
}
