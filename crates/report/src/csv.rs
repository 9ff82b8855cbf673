//! `findings.csv` and the review worksheets: the findings columns in
//! contract order, UTF-8 with a BOM so spreadsheets show Estonian letters,
//! cells that a spreadsheet would run as formulas defused, and the cell
//! separator the reader's spreadsheet expects.

use std::collections::HashMap;
use std::io::Write;

use accessaudit_review::layout::{self, SheetKind};
use accessaudit_review::worksheets::{ReviewHeader, Worksheet, WorksheetRow};
use accessaudit_rules::finding::COLUMNS;
use accessaudit_rules::Finding;
use sha2::{Digest, Sha256};

use crate::output::OutputError;

/// The character between the cells of a CSV file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delimiter {
    /// `,`: what tools and English spreadsheets read.
    Comma,
    /// `;`: the list separator of spreadsheets set to Estonian (and most
    /// locales whose decimal separator is a comma); with `,` Estonian Excel
    /// puts a whole row into one column.
    Semicolon,
    /// A tab.
    Tab,
}

impl Delimiter {
    /// Reads `,`, `;` or `tab` (a tab character too).
    pub fn parse(word: &str) -> Option<Self> {
        match word {
            "," => Some(Delimiter::Comma),
            ";" => Some(Delimiter::Semicolon),
            "tab" | "\t" => Some(Delimiter::Tab),
            _ => None,
        }
    }

    /// The separator of files written for people reading language `lang`:
    /// `;` for Estonian, `,` otherwise.
    pub fn for_people(lang: &str) -> Self {
        if lang == "et" {
            Delimiter::Semicolon
        } else {
            Delimiter::Comma
        }
    }

    fn as_char(self) -> char {
        match self {
            Delimiter::Comma => ',',
            Delimiter::Semicolon => ';',
            Delimiter::Tab => '\t',
        }
    }

    fn join(self, cells: &[String]) -> String {
        cells.join(self.as_char().encode_utf8(&mut [0; 4]))
    }
}

/// A cell as written between commas: formula-safe and quoted as needed.
pub fn cell(value: &str) -> String {
    cell_in(value, Delimiter::Comma)
}

/// A cell as written: a leading `'` defuses `=`, `+`, `-`, `@`, tab and CR,
/// and the cell is quoted when it holds the separator, a quote or a line
/// break.
pub(crate) fn cell_in(value: &str, delimiter: Delimiter) -> String {
    let defused = match value.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{value}"),
        _ => value.to_string(),
    };
    if defused.contains([delimiter.as_char(), '"', '\n', '\r']) {
        format!("\"{}\"", defused.replace('"', "\"\""))
    } else {
        defused
    }
}

fn values(f: &Finding) -> Vec<String> {
    COLUMNS
        .iter()
        .map(|c| f.value(c).unwrap_or_default())
        .collect()
}

/// Writes the findings as CSV with cells separated by `delimiter`.
pub fn write_findings(
    out: &mut dyn Write,
    findings: &[Finding],
    delimiter: Delimiter,
) -> std::io::Result<()> {
    out.write_all(b"\xEF\xBB\xBF")?;
    let header: Vec<String> = COLUMNS.iter().map(|c| c.to_string()).collect();
    writeln!(out, "{}", delimiter.join(&header))?;
    for f in findings {
        let row: Vec<String> = values(f).iter().map(|v| cell_in(v, delimiter)).collect();
        writeln!(out, "{}", delimiter.join(&row))?;
    }
    Ok(())
}

/// Writes a subject report as CSV (UTF-8 with a BOM, formula-safe).
pub fn write_subject_report(
    out: &mut dyn Write,
    report: &accessaudit_review::subject_report::SubjectReport,
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

/// Writes one unit's access-review worksheet ("Rights", see
/// [`accessaudit_review::layout::RIGHTS`]): the review id on every row,
/// then the rows, with empty `decision`, `comment` and `decided_on` columns
/// for the manager, cells separated by `delimiter`. Headers are the
/// columns' keys (what `review import` reads in either language).
pub fn write_worksheet(
    out: &mut dyn Write,
    header: &ReviewHeader,
    sheet: &Worksheet,
    delimiter: Delimiter,
) -> std::io::Result<()> {
    write_filled_worksheet(out, header, sheet, delimiter, &|_| None)
}

/// A manager's answer on one row: decision, comment, day.
pub type Fill<'a> = dyn Fn(&WorksheetRow) -> Option<(String, String, String)> + 'a;

/// [`write_worksheet`] with the manager's columns filled by `fill`: how
/// `generate` writes worksheets as a manager returned them.
pub fn write_filled_worksheet(
    out: &mut dyn Write,
    header: &ReviewHeader,
    sheet: &Worksheet,
    delimiter: Delimiter,
    fill: &Fill<'_>,
) -> std::io::Result<()> {
    out.write_all(b"\xEF\xBB\xBF")?;
    let columns = SheetKind::Rights.columns();
    let mut names = vec![layout::REVIEW_ID.key.to_string()];
    names.extend(columns.iter().map(|c| c.key.to_string()));
    writeln!(out, "{}", delimiter.join(&names))?;
    for r in &sheet.rights {
        let answer = fill(r);
        let mut line = vec![cell_in(&header.review_id, delimiter)];
        for c in &columns {
            let value = match c.key {
                "decision" => answer.as_ref().map_or("", |a| a.0.as_str()),
                "comment" => answer.as_ref().map_or("", |a| a.1.as_str()),
                "decided_on" => answer.as_ref().map_or("", |a| a.2.as_str()),
                key => r.shown(key, &sheet.unit, "yes"),
            };
            line.push(cell_in(value, delimiter));
        }
        writeln!(out, "{}", delimiter.join(&line))?;
    }
    Ok(())
}

/// Bytes of a unit's name kept in its worksheet's file name: well under the
/// 255 bytes file systems allow, with room for the hash.
const NAME_BYTES: usize = 100;

/// The worksheet file names (without `.csv`) of `units`, in their order, all
/// different even where file systems ignore case. A unit keeps its readable
/// name ([`worksheet_name`]) unless that name is too long or another unit's
/// gives the same; then the name (shortened to 100 bytes) gets `_` and a
/// short hash of the real unit name, which `_` keeps apart from every
/// readable name. The real name stays in the worksheet's `unit` column.
pub fn worksheet_names<'a>(
    units: impl IntoIterator<Item = &'a str>,
) -> Result<Vec<String>, OutputError> {
    let units: Vec<&str> = units.into_iter().collect();
    let readable: Vec<String> = units.iter().map(|u| worksheet_name(u)).collect();
    let mut uses: HashMap<String, usize> = HashMap::new();
    for name in &readable {
        *uses.entry(name.to_lowercase()).or_default() += 1;
    }
    let names: Vec<String> = units
        .iter()
        .zip(readable)
        .map(|(unit, name)| {
            if name.len() <= NAME_BYTES && uses.get(&name.to_lowercase()) == Some(&1) {
                name
            } else {
                let digest = Sha256::digest(unit.as_bytes());
                format!(
                    "{}_{}",
                    shorten(&name, NAME_BYTES),
                    hex::encode(&digest[..4])
                )
            }
        })
        .collect();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (i, name) in names.iter().enumerate() {
        if let Some(j) = seen.insert(name.to_lowercase(), i) {
            return Err(OutputError::SameFileName {
                first: units[j].to_string(),
                second: units[i].to_string(),
                name: name.clone(),
            });
        }
    }
    Ok(names)
}

/// `name` cut to at most `bytes` bytes at a character boundary.
fn shorten(name: &str, bytes: usize) -> &str {
    let mut end = bytes.min(name.len());
    while !name.is_char_boundary(end) {
        end -= 1;
    }
    name[..end].trim_end_matches('-')
}

/// The readable part of a unit's worksheet file name: letters and digits
/// kept (Estonian letters too), anything else becomes `-`.
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
    fn two_units_that_give_one_file_name_get_one_worksheet_each() {
        let units = [
            "Pensionite osakond",
            "Pensionite-osakond",
            "PENSIONITE OSAKOND",
            "Peretoetuste osakond",
            "",
            "../..",
        ];
        let names = worksheet_names(units).expect("names");
        let mut distinct: Vec<String> = names.iter().map(|n| n.to_lowercase()).collect();
        distinct.sort();
        distinct.dedup();
        assert_eq!(distinct.len(), units.len(), "{names:?}");
        // A name no other unit shares stays readable.
        assert_eq!(names[3], "Peretoetuste-osakond");
        for (i, name) in names.iter().enumerate() {
            if i != 3 {
                let (readable, hash) = name.rsplit_once('_').expect("hashed");
                assert_eq!(hash.len(), 8, "{name}");
                assert!(readable == worksheet_name(units[i]), "{name}");
            }
        }
        // The same unit gets the same name in every run.
        assert_eq!(worksheet_names(units).expect("names"), names);
    }

    #[test]
    fn a_unit_name_over_255_bytes_gets_a_short_file_name() {
        let long = format!("Pensionite osakond {}", "õ".repeat(200));
        let names = worksheet_names([long.as_str(), "Pensionite osakond"]).expect("names");
        assert!(names[0].len() + ".csv".len() < 255, "{}", names[0].len());
        assert!(
            names[0].starts_with("Pensionite-osakond-õõ"),
            "{}",
            names[0]
        );
        assert_eq!(names[1], "Pensionite-osakond");
        // Two long names alike in their first 100 bytes stay apart.
        let other = format!("{long} teine");
        let both = worksheet_names([long.as_str(), other.as_str()]).expect("names");
        assert_ne!(both[0], both[1]);
    }

    #[test]
    fn worksheets_are_separated_by_the_delimiter_given() {
        let row = accessaudit_review::worksheets::WorksheetRow {
            item_id: "r-1".into(),
            finding_ids: Vec::new(),
            new_since_last_review: true,
            previous_decision: String::new(),
            person_id: "37605030299".into(),
            person_name: "Kask; Jaan".into(),
            position: "Spetsialist, vanem".into(),
            system: "SKAIS".into(),
            account_id: "=1+1".into(),
            role: "R".into(),
            role_name: "Tab\there".into(),
            personal_data: "yes".into(),
            since: "2020-01-01".into(),
            basis: "request".into(),
            justified_by: "duty".into(),
            findings: String::new(),
        };
        let written = |d: Delimiter| {
            let mut out = Vec::new();
            let header = ReviewHeader {
                review_id: "2026-Q3_2026-09-30".into(),
                as_of: "2026-09-30".into(),
                return_by: chrono::NaiveDate::from_ymd_opt(2026, 10, 14).expect("day"),
            };
            let sheet = Worksheet {
                unit: "Pensionite osakond".into(),
                manager: None,
                rights: vec![row.clone()],
                findings: Vec::new(),
            };
            write_worksheet(&mut out, &header, &sheet, d).expect("write");
            String::from_utf8(out).expect("utf-8")
        };
        let semi = written(Delimiter::Semicolon);
        assert!(
            semi.starts_with("\u{feff}review_id;item_id;unit;person_id;person_name;"),
            "{semi}"
        );
        assert!(
            semi.contains(
                "2026-Q3_2026-09-30;r-1;Pensionite osakond;37605030299;\"Kask; Jaan\";Spetsialist, vanem;SKAIS;'=1+1;"
            ),
            "{semi}"
        );
        let tab = written(Delimiter::Tab);
        assert!(
            tab.starts_with("\u{feff}review_id\titem_id\tunit\tperson_id\t"),
            "{tab}"
        );
        assert!(tab.contains("\t\"Tab\there\"\t"), "{tab}");
        let comma = written(Delimiter::Comma);
        assert!(comma.contains(",\"Spetsialist, vanem\","), "{comma}");
        assert_eq!(Delimiter::parse(";"), Some(Delimiter::Semicolon));
        assert_eq!(Delimiter::parse("tab"), Some(Delimiter::Tab));
        assert_eq!(Delimiter::parse("|"), None);
        assert_eq!(Delimiter::for_people("et"), Delimiter::Semicolon);
        assert_eq!(Delimiter::for_people("en"), Delimiter::Comma);
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
