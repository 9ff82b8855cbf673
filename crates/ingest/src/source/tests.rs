//! Tests of `source`.
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
