//! `findings.csv`: the findings columns in contract order, UTF-8 with a BOM
//! so spreadsheets show Estonian letters, and cells that a spreadsheet would
//! run as formulas defused.

use std::io::Write;

use accessaudit_rules::finding::COLUMNS;
use accessaudit_rules::Finding;

/// A cell as written: a leading `'` defuses `=`, `+`, `-`, `@`, tab and CR,
/// and the cell is quoted when it holds a separator, quote or line break.
pub fn cell(value: &str) -> String {
    let defused = match value.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{value}"),
        _ => value.to_string(),
    };
    if defused.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", defused.replace('"', "\"\""))
    } else {
        defused
    }
}

fn values(f: &Finding) -> Vec<String> {
    COLUMNS
        .iter()
        .map(|c| match *c {
            "finding_id" => f.finding_id.clone(),
            "severity" => f.severity.to_string(),
            "area" => f.area.to_string(),
            "status" => f.status.as_str().to_string(),
            "events" => f.events.map(|v| v.to_string()).unwrap_or_default(),
            "days_late" => f.days_late.map(|v| v.to_string()).unwrap_or_default(),
            other => f.text(other).unwrap_or_default().to_string(),
        })
        .collect()
}

/// Writes the findings as CSV.
pub fn write_findings(out: &mut dyn Write, findings: &[Finding]) -> std::io::Result<()> {
    out.write_all(b"\xEF\xBB\xBF")?;
    writeln!(out, "{}", COLUMNS.join(","))?;
    for f in findings {
        let row: Vec<String> = values(f).iter().map(|v| cell(v)).collect();
        writeln!(out, "{}", row.join(","))?;
    }
    Ok(())
}

/// Writes a subject report as CSV (UTF-8 with a BOM, formula-safe).
pub fn write_subject_report(
    out: &mut dyn Write,
    report: &accessaudit_rules::subject_report::SubjectReport,
) -> std::io::Result<()> {
    out.write_all(b"\xEF\xBB\xBF")?;
    writeln!(
        out,
        "subject,when,system,account_id,person_id,person_name,unit,action,case,evidence"
    )?;
    for a in &report.accesses {
        let row = [
            report.subject.as_str(),
            &a.when,
            &a.system,
            &a.account_id,
            &a.person_id,
            &a.person_name,
            &a.unit,
            &a.action,
            &a.case,
            &a.evidence,
        ];
        let cells: Vec<String> = row.iter().map(|v| cell(v)).collect();
        writeln!(out, "{}", cells.join(","))?;
    }
    Ok(())
}

/// Writes one unit's access-review worksheet: the rows plus empty
/// `decision` and `comment` columns for the manager.
pub fn write_worksheet(
    out: &mut dyn Write,
    unit: &str,
    rows: &[accessaudit_rules::review::WorksheetRow],
) -> std::io::Result<()> {
    out.write_all(b"\xEF\xBB\xBF")?;
    writeln!(
        out,
        "unit,person_id,person_name,position,system,account_id,role,role_name,personal_data,since,basis,justified_by,findings,decision,comment"
    )?;
    for r in rows {
        let cells = [
            unit,
            &r.person_id,
            &r.person_name,
            &r.position,
            &r.system,
            &r.account_id,
            &r.role,
            &r.role_name,
            &r.personal_data,
            &r.since,
            &r.basis,
            &r.justified_by,
            &r.findings,
            "",
            "",
        ];
        let line: Vec<String> = cells.iter().map(|v| cell(v)).collect();
        writeln!(out, "{}", line.join(","))?;
    }
    Ok(())
}

/// A file name for a unit's worksheet: letters and digits kept (Estonian
/// letters too), anything else becomes `-`.
pub fn worksheet_name(unit: &str) -> String {
    let mut name: String = unit
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { '-' })
        .collect();
    while name.contains("--") {
        name = name.replace("--", "-");
    }
    let name = name.trim_matches('-');
    if name.is_empty() {
        "no-unit".into()
    } else {
        name.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn worksheet_names_keep_estonian_letters() {
        assert_eq!(worksheet_name("Pensionite osakond"), "Pensionite-osakond");
        assert_eq!(
            worksheet_name("Rae Vallavalitsuse / sotsiaal"),
            "Rae-Vallavalitsuse-sotsiaal"
        );
        assert_eq!(worksheet_name("Õigusosakond"), "Õigusosakond");
        assert_eq!(worksheet_name("../.."), "no-unit");
    }

    #[test]
    fn formulas_are_defused_and_quotes_escaped() {
        assert_eq!(cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(cell("+372"), "'+372");
        assert_eq!(cell("-1"), "'-1");
        assert_eq!(cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(cell("\tx"), "'\tx");
        assert_eq!(cell("Jüri Õunapuu"), "Jüri Õunapuu");
        assert_eq!(cell("a,b"), "\"a,b\"");
        assert_eq!(cell(""), "");
    }
}
