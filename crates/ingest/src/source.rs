//! Finding a table's files in the snapshot directory and reading CSV headers.

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

use crate::error::IngestError;

/// The format of one source file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Comma- or semicolon-separated text.
    Csv,
    /// Apache Parquet.
    Parquet,
}

/// One file that holds (part of) a table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFile {
    /// Where it is on disk.
    pub path: PathBuf,
    /// Its name relative to the snapshot directory, `/`-separated, as
    /// messages and `table:row` references print it.
    pub name: String,
    /// Its format.
    pub format: Format,
}

fn format_of(path: &Path) -> Option<Format> {
    let ext = path.extension()?.to_str()?.to_ascii_lowercase();
    match ext.as_str() {
        "csv" => Some(Format::Csv),
        "parquet" | "pq" => Some(Format::Parquet),
        _ => None,
    }
}

fn relative_name(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// The files of table `table` in `dir`: `<table>.csv`, `<table>.parquet`, or
/// every CSV/Parquet file below a directory `<table>/` (sorted by path, hidden
/// and `_`-prefixed files such as `_SUCCESS` skipped). `None` when absent.
pub fn locate(dir: &Path, table: &str) -> Result<Option<Vec<SourceFile>>, IngestError> {
    let entries = std::fs::read_dir(dir).map_err(|source| IngestError::Directory {
        path: dir.to_path_buf(),
        source,
    })?;
    let mut candidates: Vec<PathBuf> = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|source| IngestError::Directory {
            path: dir.to_path_buf(),
            source,
        })?;
        let path = entry.path();
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        let stem_matches = |ext: &str| {
            name.len() == table.len() + ext.len() + 1
                && name[..table.len()].eq_ignore_ascii_case(table)
                && name[table.len() + 1..].eq_ignore_ascii_case(ext)
                && name.as_bytes()[table.len()] == b'.'
        };
        let is_dir = path.is_dir();
        let compressed_export = !is_dir
            && is_compressed(&path)
            && name.len() > table.len()
            && name.is_char_boundary(table.len() + 1)
            && name[..table.len() + 1].eq_ignore_ascii_case(&format!("{table}."))
            && {
                let rest = name[table.len() + 1..].to_ascii_lowercase();
                rest.starts_with("csv.") || rest.starts_with("parquet.")
            };
        if compressed_export {
            return Err(IngestError::UnreadFile {
                file: relative_name(dir, &path),
                reason: unread_reason(&path),
            });
        }
        if (is_dir && name.eq_ignore_ascii_case(table))
            || (!is_dir && (stem_matches("csv") || stem_matches("parquet")))
        {
            candidates.push(path);
        }
    }
    candidates.sort();
    match candidates.len() {
        0 => Ok(None),
        1 => {
            let path = candidates.remove(0);
            if path.is_dir() {
                let mut files = Vec::new();
                walk(dir, &path, &mut files)?;
                if files.is_empty() {
                    return Err(IngestError::EmptyDirectory {
                        dir: relative_name(dir, &path),
                    });
                }
                files.sort_by(|a, b| a.name.cmp(&b.name));
                Ok(Some(files))
            } else {
                let format = format_of(&path).unwrap_or(Format::Csv);
                Ok(Some(vec![SourceFile {
                    name: relative_name(dir, &path),
                    path,
                    format,
                }]))
            }
        }
        _ => Err(IngestError::AmbiguousTable {
            table: table.to_string(),
            files: candidates.iter().map(|p| relative_name(dir, p)).collect(),
        }),
    }
}

fn walk(root: &Path, dir: &Path, out: &mut Vec<SourceFile>) -> Result<(), IngestError> {
    let entries = std::fs::read_dir(dir).map_err(|source| IngestError::Directory {
        path: dir.to_path_buf(),
        source,
    })?;
    for entry in entries {
        let entry = entry.map_err(|source| IngestError::Directory {
            path: dir.to_path_buf(),
            source,
        })?;
        let path = entry.path();
        let hidden = path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with('.') || n.starts_with('_'));
        if hidden {
            continue;
        }
        if path.is_dir() {
            walk(root, &path, out)?;
        } else if let Some(format) = format_of(&path) {
            out.push(SourceFile {
                name: relative_name(root, &path),
                path,
                format,
            });
        } else if !is_documentation(&path) {
            // Rows must never go missing unnoticed: a file that may hold
            // some (a gzipped partition) is refused by name.
            return Err(IngestError::UnreadFile {
                file: relative_name(root, &path),
                reason: unread_reason(&path),
            });
        }
    }
    Ok(())
}

/// Whether a file in a table folder is clearly not data: a README, or a
/// `.md` or `.txt` file beside the exports.
fn is_documentation(path: &Path) -> bool {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    name.starts_with("readme") || name.ends_with(".md") || name.ends_with(".txt")
}

const COMPRESSED: [&str; 8] = ["gz", "gzip", "bz2", "xz", "zst", "zip", "7z", "lz4"];

fn is_compressed(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| COMPRESSED.contains(&e.to_ascii_lowercase().as_str()))
}

fn unread_reason(path: &Path) -> String {
    if is_compressed(path) {
        "a compressed file is not read (its rows would be lost): decompress it in place (e.g. `gunzip`), or move it out of the snapshot".into()
    } else {
        "not a .csv or .parquet file, so it is not read; move it out of the table folder (README, .md and .txt files and names starting with . or _ are skipped)".into()
    }
}

/// What the first line of a CSV file says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvHeader {
    /// `b','` or `b';'`.
    pub separator: u8,
    /// Whether the file starts with a UTF-8 byte-order mark.
    pub bom: bool,
    /// Column names as written, trimmed.
    pub names: Vec<String>,
}

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Reads the header of a CSV file: byte-order mark, separator (`;` when the
/// header has more semicolons than commas outside quotes, as Estonian Excel
/// writes) and column names.
pub fn read_csv_header(file: &SourceFile) -> Result<CsvHeader, IngestError> {
    let io = |source| IngestError::Io {
        file: file.name.clone(),
        source,
    };
    let mut reader = BufReader::new(File::open(&file.path).map_err(io)?);
    let mut head = Vec::new();
    let mut buf = [0u8; 8192];
    // The header ends at the first newline outside quotes; read until we see one.
    loop {
        let n = reader.read(&mut buf).map_err(io)?;
        head.extend_from_slice(&buf[..n]);
        if n == 0 || header_end(strip_bom(&head)).is_some() || head.len() > 1 << 20 {
            break;
        }
    }
    let bom = head.starts_with(BOM);
    let body = strip_bom(&head);
    let line = &body[..header_end(body).unwrap_or(body.len())];
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    if line.iter().all(u8::is_ascii_whitespace) {
        return Err(IngestError::EmptyFile {
            file: file.name.clone(),
        });
    }
    let text = match std::str::from_utf8(line) {
        Ok(t) => t,
        Err(e) => {
            let (column, value) = field_at(line, e.valid_up_to(), b',');
            return Err(IngestError::NotUtf8 {
                file: file.name.clone(),
                row: 1,
                column,
                value,
            });
        }
    };
    let (commas, semis) = count_outside_quotes(text.as_bytes());
    let separator = if semis > commas { b';' } else { b',' };
    Ok(CsvHeader {
        separator,
        bom,
        names: split_fields(text, separator)
            .into_iter()
            .map(|s| s.trim().to_string())
            .collect(),
    })
}

fn strip_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(BOM).unwrap_or(bytes)
}

fn header_end(bytes: &[u8]) -> Option<usize> {
    let mut quoted = false;
    bytes.iter().position(|&b| {
        if b == b'"' {
            quoted = !quoted;
        }
        b == b'\n' && !quoted
    })
}

fn count_outside_quotes(bytes: &[u8]) -> (usize, usize) {
    let (mut quoted, mut commas, mut semis) = (false, 0, 0);
    for &b in bytes {
        match b {
            b'"' => quoted = !quoted,
            b',' if !quoted => commas += 1,
            b';' if !quoted => semis += 1,
            _ => {}
        }
    }
    (commas, semis)
}

/// Splits one CSV line on `sep` outside quotes and unquotes the fields.
fn split_fields(line: &str, sep: u8) -> Vec<String> {
    let mut fields = vec![String::new()];
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                chars.next();
                if let Some(f) = fields.last_mut() {
                    f.push('"');
                }
            }
            '"' => quoted = !quoted,
            c if !quoted && c as u32 == u32::from(sep) => fields.push(String::new()),
            c => {
                if let Some(f) = fields.last_mut() {
                    f.push(c);
                }
            }
        }
    }
    fields
}

/// The field of `record` holding byte `offset`: its 0-based index as `#N`
/// and its text with bad bytes replaced.
fn field_at(record: &[u8], offset: usize, sep: u8) -> (String, String) {
    let mut quoted = false;
    let (mut index, mut start) = (0usize, 0usize);
    for (i, &b) in record.iter().enumerate().take(offset) {
        if b == b'"' {
            quoted = !quoted;
        } else if b == sep && !quoted {
            index += 1;
            start = i + 1;
        }
    }
    let mut end = record.len();
    let mut q = quoted;
    for (i, &b) in record.iter().enumerate().skip(offset) {
        if b == b'"' {
            q = !q;
        } else if b == sep && !q {
            end = i;
            break;
        }
    }
    let raw = String::from_utf8_lossy(&record[start..end]);
    (format!("#{}", index + 1), raw.trim_matches('"').to_string())
}

/// Where the CSV state machine is within a record.
#[derive(Clone, Copy, PartialEq, Eq)]
enum CsvState {
    FieldStart,
    Unquoted,
    Quoted,
    /// A quote inside a quoted field: closing, or the first of `""`.
    QuoteInQuoted,
}

/// Checks a whole CSV file in one streaming pass before Polars reads it:
/// every byte is UTF-8, every quoted field is closed, and every row has as
/// many fields as the header. The first problem names its spreadsheet row
/// (and for bad bytes the column and value).
pub fn check_csv(file: &SourceFile, header: &CsvHeader) -> Result<(), IngestError> {
    let io = |source| IngestError::Io {
        file: file.name.clone(),
        source,
    };
    let mut reader = File::open(&file.path).map_err(io)?;
    // A block of up to 1 MiB, no larger than the file: thousands of small
    // partition files would otherwise each clear a megabyte or two.
    let size = reader.metadata().map_err(io)?.len();
    let mut buf = vec![0u8; (size as usize).saturating_add(8).clamp(64, 1 << 20)];
    let mut carry = 0usize; // bytes of an unfinished character kept from the last block
    let mut consumed = 0u64; // bytes of the file before buf[0]
    let expected = header.names.len();
    let mut state = CsvState::FieldStart;
    let mut row = 1u64; // spreadsheet row of the current record
    let mut record_start_row = 1u64;
    let mut fields = 1usize;
    let mut record_bytes = 0usize;
    let mut skip_bom = header.bom;
    // File offset of the current field (the header's first after the BOM).
    let mut field_start = if header.bom { 3u64 } else { 0 };
    let mut field_quotes = 0usize; // quotes inside the current unquoted field
    let shape = |row: u64, message: String| IngestError::CsvShape {
        file: file.name.clone(),
        row,
        message,
    };
    // Polars splits rows on every quote: an odd number of them in an
    // unquoted field, or text after a closing quote, would shift every row
    // after it. Caught here, with the field named.
    let stray_quote = |row: u64, fields: usize, field_start: u64| {
        quote_problem(
            file,
            header,
            row,
            fields - 1,
            field_start,
            "a quote inside an unquoted field (quote the whole field and double the quote: \"Ma\"\"ri\")",
        )
    };
    loop {
        let n = reader.read(&mut buf[carry..]).map_err(io)?;
        let filled = carry + n;
        let valid = match std::str::from_utf8(&buf[..filled]) {
            Ok(_) => filled,
            Err(e) if e.error_len().is_none() && n > 0 => e.valid_up_to(),
            Err(e) => {
                let offset = consumed + e.valid_up_to() as u64;
                return Err(locate_bad_byte(file, header, offset));
            }
        };
        let start = if skip_bom && filled >= 3 && buf.starts_with(BOM) {
            3
        } else {
            0
        };
        skip_bom = false;
        for (i, &b) in buf[start..valid].iter().enumerate() {
            let offset = consumed + (start + i) as u64;
            match (state, b) {
                (CsvState::Quoted, b'"') => state = CsvState::QuoteInQuoted,
                (CsvState::Quoted, _) => {}
                (CsvState::QuoteInQuoted, b'"') => state = CsvState::Quoted,
                (CsvState::FieldStart, b'"') => state = CsvState::Quoted,
                (CsvState::QuoteInQuoted, b)
                    if b != b'\n' && b != b'\r' && b != header.separator =>
                {
                    return Err(quote_problem(
                        file,
                        header,
                        record_start_row,
                        fields - 1,
                        field_start,
                        "text after the closing quote of a quoted field (quote the whole field and double any quote inside it)",
                    ));
                }
                (CsvState::Unquoted, b'"') => field_quotes += 1,
                (CsvState::Unquoted, b)
                    if field_quotes % 2 == 1 && (b == b'\n' || b == header.separator) =>
                {
                    return Err(stray_quote(record_start_row, fields, field_start));
                }
                (_, b'\n') => {
                    if record_bytes > 0 && record_start_row > 1 && fields != expected {
                        return Err(shape(
                            record_start_row,
                            format!("the row has {fields} fields, the header {expected}"),
                        ));
                    }
                    if record_bytes == 0 && record_start_row > 1 {
                        return Err(shape(record_start_row, "the row is empty".into()));
                    }
                    row += 1;
                    record_start_row = row;
                    fields = 1;
                    record_bytes = 0;
                    state = CsvState::FieldStart;
                    field_start = offset + 1;
                    field_quotes = 0;
                    continue;
                }
                (_, b'\r') => {}
                (_, sep) if sep == header.separator => {
                    fields += 1;
                    state = CsvState::FieldStart;
                    field_start = offset + 1;
                    field_quotes = 0;
                }
                _ => state = CsvState::Unquoted,
            }
            if b != b'\r' {
                record_bytes += 1;
            }
        }
        if n == 0 {
            break;
        }
        consumed += valid as u64;
        buf.copy_within(valid..filled, 0);
        carry = filled - valid;
    }
    if state == CsvState::Unquoted && field_quotes % 2 == 1 {
        return Err(stray_quote(record_start_row, fields, field_start));
    }
    if state == CsvState::Quoted {
        return Err(shape(
            record_start_row,
            "a quoted field is never closed".into(),
        ));
    }
    if record_bytes > 0 && record_start_row > 1 && fields != expected {
        return Err(shape(
            record_start_row,
            format!("the row has {fields} fields, the header {expected}"),
        ));
    }
    Ok(())
}

/// A misplaced quote in field number `index` (0-based) of spreadsheet row
/// `row`, which starts at byte `field_start`: names the column and gives the
/// field as written (up to the next separator or line end).
fn quote_problem(
    file: &SourceFile,
    header: &CsvHeader,
    row: u64,
    index: usize,
    field_start: u64,
    message: &str,
) -> IngestError {
    let value = match read_field(file, field_start, header.separator) {
        Ok(v) => v,
        Err(source) => {
            return IngestError::Io {
                file: file.name.clone(),
                source,
            }
        }
    };
    let column = header
        .names
        .get(index)
        .map_or_else(|| format!("#{}", index + 1), |n| n.to_lowercase());
    IngestError::CsvValue {
        file: file.name.clone(),
        row,
        column,
        value,
        message: message.to_string(),
    }
}

/// The raw text from byte `start` to the next separator or line end, at most
/// 200 bytes.
fn read_field(file: &SourceFile, start: u64, sep: u8) -> std::io::Result<String> {
    use std::io::{Seek, SeekFrom};
    let mut f = File::open(&file.path)?;
    f.seek(SeekFrom::Start(start))?;
    let mut bytes = Vec::new();
    f.take(200).read_to_end(&mut bytes)?;
    let end = bytes
        .iter()
        .position(|&b| b == sep || b == b'\n' || b == b'\r')
        .unwrap_or(bytes.len());
    Ok(String::from_utf8_lossy(&bytes[..end]).into_owned())
}

/// Re-reads the file up to `offset` to turn it into row, column and value.
fn locate_bad_byte(file: &SourceFile, header: &CsvHeader, offset: u64) -> IngestError {
    let bytes = match std::fs::read(&file.path) {
        Ok(b) => b,
        Err(source) => {
            return IngestError::Io {
                file: file.name.clone(),
                source,
            }
        }
    };
    let offset = offset as usize;
    let mut row = 1u64;
    let mut record_start = 0usize;
    let mut quoted = false;
    for (i, &b) in bytes.iter().enumerate().take(offset) {
        if b == b'"' {
            quoted = !quoted;
        } else if b == b'\n' && !quoted {
            row += 1;
            record_start = i + 1;
        }
    }
    let record_end = bytes[offset..]
        .iter()
        .position(|&b| b == b'\n')
        .map_or(bytes.len(), |p| offset + p);
    let record = &bytes[record_start..record_end];
    let (index, value) = field_at(record, offset - record_start, header.separator);
    let column = index
        .trim_start_matches('#')
        .parse::<usize>()
        .ok()
        .and_then(|i| header.names.get(i - 1))
        .map(|n| n.to_lowercase())
        .unwrap_or(index);
    IngestError::NotUtf8 {
        file: file.name.clone(),
        row,
        column,
        value: value.trim_end_matches('\r').to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, bytes: &[u8]) -> SourceFile {
        let path = dir.join(name);
        if let Some(parent) = path.parent() {
            let _ = std::fs::create_dir_all(parent);
        }
        let _ = std::fs::write(&path, bytes);
        SourceFile {
            path,
            name: name.to_string(),
            format: Format::Csv,
        }
    }

    #[test]
    fn header_separator_bom_and_quotes() -> Result<(), IngestError> {
        let dir = tempfile::tempdir().map_err(|source| IngestError::Io {
            file: "tmp".into(),
            source,
        })?;
        let f = write(
            dir.path(),
            "a.csv",
            b"\xEF\xBB\xBFPerson_ID;Kind;\"Start;Date\"\r\n1;2;3\r\n",
        );
        let h = read_csv_header(&f)?;
        assert_eq!(h.separator, b';');
        assert!(h.bom);
        assert_eq!(h.names, ["Person_ID", "Kind", "Start;Date"]);
        let f = write(dir.path(), "b.csv", b"a,b\n");
        assert_eq!(read_csv_header(&f)?.separator, b',');
        let f = write(dir.path(), "c.csv", b"");
        assert!(matches!(
            read_csv_header(&f),
            Err(IngestError::EmptyFile { .. })
        ));
        let f = write(dir.path(), "d.csv", b"\xEF\xBB\xBF\n");
        assert!(matches!(
            read_csv_header(&f),
            Err(IngestError::EmptyFile { .. })
        ));
        Ok(())
    }

    #[test]
    fn utf8_errors_name_row_column_and_value() -> Result<(), IngestError> {
        let dir = tempfile::tempdir().map_err(|source| IngestError::Io {
            file: "tmp".into(),
            source,
        })?;
        let f = write(
            dir.path(),
            "e.csv",
            b"person_id,name\n36805280109,\"Mari\nMets\"\n46805280103,J\xFCri\n",
        );
        let h = read_csv_header(&f)?;
        match check_csv(&f, &h) {
            Err(IngestError::NotUtf8 {
                row, column, value, ..
            }) => {
                assert_eq!(row, 3, "the quoted newline does not start a row");
                assert_eq!(column, "name");
                assert_eq!(value, "J\u{FFFD}ri");
            }
            other => panic!("expected NotUtf8, got {other:?}"),
        }
        let ok = write(
            dir.path(),
            "ok.csv",
            "a,b\r\n\"Jüri \"\"Õunapuu\"\"\",x\r\nMari \"Mia\" Kask,\"1\n2\"\n".as_bytes(),
        );
        check_csv(&ok, &read_csv_header(&ok)?)?;
        Ok(())
    }

    #[test]
    fn shape_errors_name_the_row() -> Result<(), IngestError> {
        let dir = tempfile::tempdir().map_err(|source| IngestError::Io {
            file: "tmp".into(),
            source,
        })?;
        let cases: [(&[u8], u64, &str); 4] = [
            (b"a,b\n1,2\n1,2,3\n", 3, "3 fields, the header 2"),
            (b"a;b\r\n1;2\r\n1\r\n", 3, "1 fields, the header 2"),
            (b"a,b\n1,\"2\n\n3,4\n", 2, "never closed"),
            (b"a,b\n1,2\n\n3,4\n", 3, "empty"),
        ];
        for (bytes, row, text) in cases {
            let f = write(dir.path(), "s.csv", bytes);
            match check_csv(&f, &read_csv_header(&f)?) {
                Err(IngestError::CsvShape {
                    row: r, message, ..
                }) => {
                    assert_eq!(r, row, "{message}");
                    assert!(message.contains(text), "{message}");
                }
                other => panic!("expected a shape error, got {other:?}"),
            }
        }
        let trailing = write(dir.path(), "t.csv", b"a,b\n1,2\n");
        check_csv(&trailing, &read_csv_header(&trailing)?)?;
        let no_newline = write(dir.path(), "u.csv", b"a,b\n1,2");
        check_csv(&no_newline, &read_csv_header(&no_newline)?)?;
        Ok(())
    }

    #[test]
    fn misplaced_quotes_name_row_column_and_value() -> Result<(), IngestError> {
        let dir = tempfile::tempdir().map_err(|source| IngestError::Io {
            file: "tmp".into(),
            source,
        })?;
        // Before: "CSV malformed: expected 3 rows, actual 38 rows, in chunk
        // starting at row_offset 3", and for text after a quote no row.
        let cases: [(&[u8], &str, &str, &str); 4] = [
            (
                b"id,name,unit\n1,Mari,X\n2,Ma\"ri,X\n3,Jaan,X\n",
                "name",
                "Ma\"ri",
                "unquoted",
            ),
            (
                b"id;name;unit\r\n1;Mari;X\r\n2;X;Ma\"ri\r\n",
                "unit",
                "Ma\"ri",
                "unquoted",
            ),
            (
                b"id,name,unit\n1,Mari,X\n2,\"Laura\" Mets,X\n",
                "name",
                "\"Laura\" Mets",
                "after the closing quote",
            ),
            (
                b"id,name,unit\n1,Mari,X\n2,X,\"Y\"Z",
                "unit",
                "\"Y\"Z",
                "after the closing quote",
            ),
        ];
        for (bytes, column, value, text) in cases {
            let f = write(dir.path(), "q.csv", bytes);
            match check_csv(&f, &read_csv_header(&f)?) {
                Err(IngestError::CsvValue {
                    row,
                    column: c,
                    value: v,
                    message,
                    ..
                }) => {
                    assert_eq!((row, c.as_str(), v.as_str()), (3, column, value));
                    assert!(message.contains(text), "{message}");
                }
                other => panic!("expected a quote error, got {other:?}"),
            }
        }
        // Past the first read block (1 MiB), after a byte-order mark.
        let mut big = b"\xEF\xBB\xBFid,name,unit\n".to_vec();
        for i in 0..100_000 {
            big.extend_from_slice(format!("{i},Mari Kask,X\n").as_bytes());
        }
        big.extend_from_slice(b"x,Ma\"ri,X\n");
        let f = write(dir.path(), "big.csv", &big);
        match check_csv(&f, &read_csv_header(&f)?) {
            Err(IngestError::CsvValue { row, value, .. }) => {
                assert_eq!((row, value.as_str()), (100_002, "Ma\"ri"));
            }
            other => panic!("expected a quote error, got {other:?}"),
        }
        Ok(())
    }

    #[test]
    fn gzipped_and_unknown_files_in_a_table_are_refused_by_name() -> Result<(), IngestError> {
        let dir = tempfile::tempdir().map_err(|source| IngestError::Io {
            file: "tmp".into(),
            source,
        })?;
        // Before: the gzipped partition was skipped and its rows lost.
        write(dir.path(), "access_log/month=07/part-0.csv", b"x\n");
        write(dir.path(), "access_log/month=08/part-0.csv.gz", b"\x1f\x8b");
        match locate(dir.path(), "access_log") {
            Err(IngestError::UnreadFile { file, reason }) => {
                assert_eq!(file, "access_log/month=08/part-0.csv.gz");
                assert!(reason.contains("compressed"), "{reason}");
            }
            other => panic!("expected the .gz file refused, got {other:?}"),
        }
        write(dir.path(), "cases/part-0.xlsx", b"");
        assert!(matches!(
            locate(dir.path(), "cases"),
            Err(IngestError::UnreadFile { ref file, .. }) if file == "cases/part-0.xlsx"
        ));
        write(dir.path(), "holidays.csv.gz", b"");
        assert!(matches!(
            locate(dir.path(), "holidays"),
            Err(IngestError::UnreadFile { ref file, .. }) if file == "holidays.csv.gz"
        ));
        Ok(())
    }

    #[test]
    fn locate_files_and_directories() -> Result<(), IngestError> {
        let dir = tempfile::tempdir().map_err(|source| IngestError::Io {
            file: "tmp".into(),
            source,
        })?;
        write(dir.path(), "Employees.CSV", b"x\n");
        write(dir.path(), "access_log/month=2026-08/part-0.parquet", b"");
        write(dir.path(), "access_log/month=2026-07/part-0.parquet", b"");
        write(dir.path(), "access_log/_SUCCESS", b"");
        write(dir.path(), "access_log/README.md", b"exported 2026-10-01");
        write(dir.path(), "cases.csv", b"x\n");
        write(dir.path(), "cases.parquet", b"");
        let emp = locate(dir.path(), "employees")?.unwrap_or_default();
        assert_eq!(emp[0].name, "Employees.CSV");
        let log = locate(dir.path(), "access_log")?.unwrap_or_default();
        let names: Vec<_> = log.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "access_log/month=2026-07/part-0.parquet",
                "access_log/month=2026-08/part-0.parquet"
            ]
        );
        assert!(log.iter().all(|f| f.format == Format::Parquet));
        assert!(locate(dir.path(), "holidays")?.is_none());
        assert!(matches!(
            locate(dir.path(), "cases"),
            Err(IngestError::AmbiguousTable { .. })
        ));
        Ok(())
    }
}
