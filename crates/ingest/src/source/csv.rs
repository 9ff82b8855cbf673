//! CSV files: the header line (byte-order mark, separator, names) and a
//! check of the whole file's quoting, each problem named by line and column.

use std::fs::File;
use std::io::{BufReader, Read};

use super::SourceFile;
use crate::error::IngestError;

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

pub(super) const BOM: &[u8] = b"\xEF\xBB\xBF";

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

pub(super) fn strip_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(BOM).unwrap_or(bytes)
}

pub(super) fn header_end(bytes: &[u8]) -> Option<usize> {
    let mut quoted = false;
    bytes.iter().position(|&b| {
        if b == b'"' {
            quoted = !quoted;
        }
        b == b'\n' && !quoted
    })
}

pub(super) fn count_outside_quotes(bytes: &[u8]) -> (usize, usize) {
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
pub(super) fn split_fields(line: &str, sep: u8) -> Vec<String> {
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
pub(super) fn field_at(record: &[u8], offset: usize, sep: u8) -> (String, String) {
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
pub(super) enum CsvState {
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
pub(super) fn quote_problem(
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
pub(super) fn read_field(file: &SourceFile, start: u64, sep: u8) -> std::io::Result<String> {
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
pub(super) fn locate_bad_byte(file: &SourceFile, header: &CsvHeader, offset: u64) -> IngestError {
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
