//! `rules list`, `rules show`, `rules test`.

use std::fmt::Write as _;
use std::path::Path;
use std::process::ExitCode;

use accessaudit_rules::fixture;

use super::{catalog, CommandError, EXIT_FINDINGS};
use crate::cli::CatalogArgs;

/// `rules list`.
pub(super) fn list(args: &CatalogArgs) -> Result<ExitCode, CommandError> {
    let catalog = catalog(args)?;
    println!("{:<8} {:<8} {:<34} title", "id", "severity", "name");
    for r in &catalog.rules {
        let off = if r.disabled.is_some() {
            " (disabled)"
        } else {
            ""
        };
        println!(
            "{:<8} {:<8} {:<34} {}{off}",
            r.id, r.severity, r.name, r.title
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// `rules show ID`.
pub(super) fn show(id: &str, args: &CatalogArgs) -> Result<ExitCode, CommandError> {
    let catalog = catalog(args)?;
    let rule = catalog
        .get(id)
        .ok_or_else(|| accessaudit_rules::RulesError::UnknownRule(id.to_string()))?;
    let mut out = String::new();
    let mark = |name: &str| {
        if rule.overridden.iter().any(|o| o == name) {
            "  (set by the policy)"
        } else {
            ""
        }
    };
    let _ = writeln!(out, "{} {} — {}", rule.id, rule.name, rule.title);
    let _ = writeln!(out, "area      {}", rule.area);
    let _ = writeln!(out, "severity  {}{}", rule.severity, mark("severity"));
    if let Some(reason) = &rule.disabled {
        let _ = writeln!(out, "DISABLED  by the policy: {reason}");
    }
    let _ = writeln!(out, "check     {} — {}", rule.kind.name, rule.kind.summary);
    let _ = writeln!(out, "grain     {}", rule.grain.join(" × "));
    let _ = writeln!(out, "defined   {}", rule.source);
    if !rule.params.is_empty() {
        let _ = writeln!(out, "\nParameters in force:");
        for (name, value) in &rule.params {
            let _ = writeln!(out, "  {name} = {value}{}", mark(name));
        }
    }
    let _ = writeln!(out, "\n{}\n", rule.description);
    if !rule.references.is_empty() {
        let _ = writeln!(out, "References:");
        for r in &rule.references {
            let _ = writeln!(out, "  - {r}");
        }
    }
    let _ = writeln!(out, "\nRemediation:\n{}", rule.remediation);
    print!("{out}");
    Ok(ExitCode::SUCCESS)
}

/// `rules doc`: the catalogue as Markdown.
pub(super) fn doc(args: &CatalogArgs) -> Result<ExitCode, CommandError> {
    let catalog = catalog(args)?;
    print!("{}", accessaudit_report::markdown::catalogue(&catalog));
    Ok(ExitCode::SUCCESS)
}

/// `rules test`: every fixture case, then `N passed, N failed`.
pub(super) fn test(
    fixtures: &Path,
    only: &[String],
    args: &CatalogArgs,
) -> Result<ExitCode, CommandError> {
    let catalog = catalog(args)?;
    let mut cases = fixture::discover(fixtures).map_err(|source| CommandError::Read {
        path: fixtures.display().to_string(),
        source,
    })?;
    if !only.is_empty() {
        cases.retain(|c| {
            let rule = c.name.split('/').next().unwrap_or_default();
            only.iter().any(|id| id.eq_ignore_ascii_case(rule))
        });
    }
    if cases.is_empty() {
        return Err(CommandError::Usage(format!(
            "{}: no fixture cases (expected <RULE-ID>/<case>/case.toml)",
            fixtures.display()
        )));
    }
    // The cases' snapshots are assembled here and removed with it.
    let scratch = tempfile::tempdir().map_err(|source| CommandError::Read {
        path: std::env::temp_dir().display().to_string(),
        source,
    })?;
    let (mut passed, mut failed) = (0, 0);
    for case in &cases {
        let result = fixture::run(&catalog, case, scratch.path());
        if result.passed() {
            passed += 1;
            println!("ok     {}", result.name);
        } else {
            failed += 1;
            println!("FAILED {}  {}", result.name, result.description);
            for f in &result.failures {
                println!("         {f}");
            }
        }
    }
    println!("{passed} passed, {failed} failed");
    Ok(if failed > 0 {
        ExitCode::from(EXIT_FINDINGS)
    } else {
        ExitCode::SUCCESS
    })
}
