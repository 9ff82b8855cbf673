//! A returned CSV worksheet's text into records: RFC 4180 quoting (a quoted
//! cell may hold the separator, doubled quotes and line breaks), the
//! separator found on the header line, and each record numbered by the line
//! it starts on, as a spreadsheet or an editor shows it.

use crate::layout;

/// Where and why the text is not CSV.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct QuoteError {
    /// The line (1-based) the problem is on.
    pub line: u32,
    /// What is wrong.
    pub problem: &'static str,
}

/// The separator of `text`: the one that splits the first line naming the
/// `item_id` column into a cell that is that header; failing that, the one
/// the first line has most of (`,` on a tie).
pub(crate) fn delimiter(text: &str) -> char {
    const CANDIDATES: [char; 3] = [';', ',', '\t'];
    for line in text.lines() {
        for d in CANDIDATES {
            if line
                .split(d)
                .any(|cell| layout::ITEM_ID.is_header(cell.trim().trim_matches('"')))
            {
                return d;
            }
        }
    }
    let first = text.lines().next().unwrap_or_default();
    let count = |d: char| first.matches(d).count();
    [',', ';', '\t']
        .into_iter()
        .max_by_key(|d| (count(*d), *d == ','))
        .filter(|d| count(*d) > 0)
        .unwrap_or(',')
}

/// The records of `text` (without a BOM), each with the line it starts on.
/// A trailing line break does not start a record.
pub(crate) fn records(text: &str, delimiter: char) -> Result<Vec<(u32, Vec<String>)>, QuoteError> {
    let mut out = Vec::new();
    let mut chars = text.chars().peekable();
    let mut line: u32 = 1;
    let mut start = line;
    let mut record: Vec<String> = Vec::new();
    let mut cell = String::new();
    // At the start of a cell (a quote there opens a quoted cell).
    let mut at_start = true;
    while let Some(c) = chars.next() {
        if at_start && c == '"' {
            let opened = line;
            loop {
                match chars.next() {
                    None => {
                        return Err(QuoteError {
                            line: opened,
                            problem: "a quoted cell is not closed",
                        })
                    }
                    Some('"') if chars.peek() == Some(&'"') => {
                        chars.next();
                        cell.push('"');
                    }
                    Some('"') => break,
                    Some(ch) => {
                        if ch == '\n' || (ch == '\r' && chars.peek() != Some(&'\n')) {
                            line += 1;
                        }
                        cell.push(ch);
                    }
                }
            }
            match chars.peek() {
                None | Some('\n' | '\r') => {}
                Some(&d) if d == delimiter => {}
                Some(_) => {
                    return Err(QuoteError {
                        line,
                        problem: "text after the closing quote of a quoted cell (a quote inside one is written twice)",
                    })
                }
            }
            at_start = false;
            continue;
        }
        at_start = false;
        if c == delimiter {
            record.push(std::mem::take(&mut cell));
            at_start = true;
        } else if c == '\n' || c == '\r' {
            if c == '\r' && chars.peek() == Some(&'\n') {
                chars.next();
            }
            record.push(std::mem::take(&mut cell));
            out.push((start, std::mem::take(&mut record)));
            line += 1;
            start = line;
            at_start = true;
        } else {
            cell.push(c);
        }
    }
    if !at_start || !record.is_empty() || !cell.is_empty() {
        record.push(cell);
        out.push((start, record));
    }
    Ok(out)
}

/// A cell as the worksheet writer meant it: the `'` it put before `=`, `+`,
/// `-`, `@`, a tab or CR (so a spreadsheet would not run it) taken off.
pub(crate) fn undefuse(cell: String) -> String {
    let mut chars = cell.chars();
    match (chars.next(), chars.next()) {
        (Some('\''), Some('=' | '+' | '-' | '@' | '\t' | '\r')) => cell[1..].to_string(),
        _ => cell,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cells(rows: &[(u32, Vec<String>)]) -> Vec<(u32, Vec<&str>)> {
        rows.iter()
            .map(|(n, r)| (*n, r.iter().map(String::as_str).collect()))
            .collect()
    }

    #[test]
    fn quoted_cells_keep_separators_quotes_and_line_breaks_and_lines_count() {
        let text = "a,b,c\r\n1,\"x, \"\"y\"\"\",3\r\n2,\"two\r\nlines\nhere\",\r\n3,,\n";
        let rows = records(text, ',').unwrap();
        assert_eq!(
            cells(&rows),
            vec![
                (1, vec!["a", "b", "c"]),
                (2, vec!["1", "x, \"y\"", "3"]),
                (3, vec!["2", "two\r\nlines\nhere", ""]),
                (6, vec!["3", "", ""]),
            ]
        );
    }

    #[test]
    fn no_trailing_line_break_and_empty_lines() {
        let rows = records("a;b\n\n\"\";x", ';').unwrap();
        assert_eq!(
            cells(&rows),
            vec![(1, vec!["a", "b"]), (2, vec![""]), (3, vec!["", "x"])]
        );
    }

    #[test]
    fn bad_quoting_names_its_line() {
        assert_eq!(
            records("a,b\n1,\"open\nstill open", ','),
            Err(QuoteError {
                line: 2,
                problem: "a quoted cell is not closed"
            })
        );
        assert_eq!(
            records("a,b\n1,2\n\"x\"y,3", ',').map_err(|e| e.line),
            Err(3)
        );
        assert_eq!(
            records("a,b\n\"multi\nline\" x,3", ',').map_err(|e| e.line),
            Err(3)
        );
    }

    #[test]
    fn the_separator_is_the_header_lines() {
        assert_eq!(delimiter("review_id;item_id;unit\n\"a,b\";c;d"), ';');
        assert_eq!(delimiter("ülevaatuse_id,kirje_id,üksus\nx;y,z,w"), ',');
        assert_eq!(delimiter("item_id\tunit\n"), '\t');
        assert_eq!(delimiter("x;y;z,w\n"), ';');
        assert_eq!(delimiter("x\n"), ',');
    }

    #[test]
    fn only_the_writers_defusing_is_undone() {
        assert_eq!(undefuse("'=SUM(A1)".into()), "=SUM(A1)");
        assert_eq!(undefuse("'-5".into()), "-5");
        assert_eq!(undefuse("'\tx".into()), "\tx");
        assert_eq!(undefuse("'quoted'".into()), "'quoted'");
        assert_eq!(undefuse("'".into()), "'");
        assert_eq!(undefuse("=x".into()), "=x");
    }
}
