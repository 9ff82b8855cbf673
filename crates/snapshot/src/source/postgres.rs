//! A PostgreSQL database as a source. Every mapped query runs in one
//! `SERIALIZABLE READ ONLY DEFERRABLE` transaction, so the tables agree with
//! each other and `as_of` is that transaction's start. Each query is first
//! prepared (its result's columns and types are known without reading a
//! row), then read with `COPY (…) TO STDOUT` in CSV, in chunks of about
//! 32 MB, so a large access log is never held whole.

use std::io::Read;

use polars::prelude::*;
use postgres::config::Host;
use postgres::error::SqlState;
use postgres::types::Type;
use postgres::{Client, Config, IsolationLevel, NoTls};

use accessaudit_ingest::contract::{ColumnType, TableSpec};

use super::TableSink;
use crate::mapping::{Mapping, TableMapping};
use crate::SnapshotError;

/// Bytes of CSV parsed at a time.
const CHUNK_BYTES: usize = 32 << 20;

/// A connected database.
pub struct Database {
    client: Client,
    target: String,
}

/// `as_of`: the transaction's start, as a UTC timestamp.
const AS_OF: &str =
    "SELECT to_char(transaction_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')";

impl Database {
    /// Connects to the database `url` names. A password in the URL is
    /// refused: it would stand in the shell's history and the process list.
    pub(super) fn connect(url: &str) -> Result<Self, SnapshotError> {
        let mut config: Config = url
            .parse()
            .map_err(|e| SnapshotError::Usage(format!("--source: not a PostgreSQL URL: {e}")))?;
        if config.get_password().is_some() {
            return Err(SnapshotError::Usage(
                "--source: the URL carries a password; give it in PGPASSWORD or ~/.pgpass instead, never on the command line".into(),
            ));
        }
        let user = config
            .get_user()
            .map(str::to_string)
            .or_else(|| std::env::var("PGUSER").ok())
            .or_else(|| std::env::var("USER").ok())
            .unwrap_or_else(|| "postgres".into());
        config.user(&user);
        let host = match config.get_hosts().first() {
            Some(Host::Tcp(h)) => h.clone(),
            Some(Host::Unix(p)) => {
                let _ = p;
                "localhost".into()
            }
            None => {
                config.host("localhost");
                "localhost".into()
            }
        };
        let port = config.get_ports().first().copied().unwrap_or(5432);
        let dbname = config.get_dbname().unwrap_or(&user).to_string();
        let password = std::env::var("PGPASSWORD")
            .ok()
            .or_else(|| super::pgpass::lookup(&host, port, &dbname, &user));
        if let Some(p) = password {
            config.password(p);
        }
        let place = match config.get_hosts().first() {
            Some(Host::Unix(p)) => format!("{} (socket)", p.display()),
            _ => format!("{host}:{port}"),
        };
        let target = format!("postgresql://{user}@{place}/{dbname}");
        let client = config.connect(NoTls).map_err(|source| {
            let auth = matches!(
                source.code(),
                Some(c) if *c == SqlState::INVALID_PASSWORD
                    || *c == SqlState::INVALID_AUTHORIZATION_SPECIFICATION
            );
            if auth {
                SnapshotError::Authentication {
                    target: target.clone(),
                    user: user.clone(),
                    source,
                }
            } else {
                SnapshotError::Connect {
                    target: target.clone(),
                    reason: chain(&source),
                    source,
                }
            }
        })?;
        Ok(Database { client, target })
    }

    /// The database, without credentials.
    pub(super) fn target(&self) -> &str {
        &self.target
    }

    /// Plans every query, then reads every table, in one transaction.
    pub(super) fn read(
        &mut self,
        mapping: &Mapping,
        sink: &mut dyn TableSink,
    ) -> Result<String, SnapshotError> {
        let target = self.target.clone();
        let db = |source: postgres::Error| database_error(&target, source);
        let mut tx = self
            .client
            .build_transaction()
            .isolation_level(IsolationLevel::Serializable)
            .read_only(true)
            .deferrable(true)
            .start()
            .map_err(db)?;
        tx.batch_execute("SET LOCAL TimeZone = 'UTC'; SET LOCAL DateStyle = 'ISO, YMD'")
            .map_err(db)?;
        let as_of: String = tx.query_one(AS_OF, &[]).map_err(db)?.get(0);
        // Every query is planned before a row is read.
        let mut copies = Vec::new();
        for table in &mapping.tables {
            let statement = tx
                .prepare(&table.query)
                .map_err(|e| query_error(&target, mapping, table, e))?;
            let columns: Vec<(String, Type)> = statement
                .columns()
                .iter()
                .map(|c| (c.name().to_lowercase(), c.type_().clone()))
                .collect();
            let names: Vec<String> = columns.iter().map(|(n, _)| n.clone()).collect();
            super::missing_columns(mapping, table, &names)?;
            copies.push(copy_query(mapping, table, &columns)?);
        }
        for (table, copy) in mapping.tables.iter().zip(&copies) {
            sink.begin(table)?;
            let reader = tx
                .copy_out(copy.as_str())
                .map_err(|e| query_error(&target, mapping, table, e))?;
            read_csv_chunks(reader, |batch, first| sink.rows(table, batch, first)).map_err(
                |e| match e {
                    ChunkError::Sink(e) => e,
                    ChunkError::Read(source) => SnapshotError::Query {
                        file: mapping.file.clone(),
                        line: table.line,
                        table: table.table.name.to_string(),
                        message: chain(&source),
                    },
                    ChunkError::Parse(source) => SnapshotError::Polars {
                        context: format!("the rows of [tables.{}]", table.table.name),
                        source,
                    },
                },
            )?;
            sink.end(table)?;
        }
        tx.commit().map_err(db)?;
        Ok(as_of)
    }
}

/// An error and its causes, as one line.
fn chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let more = s.to_string();
        if !text.contains(&more) {
            text.push_str(": ");
            text.push_str(&more);
        }
        source = s.source();
    }
    text
}

fn database_error(target: &str, source: postgres::Error) -> SnapshotError {
    if source.code() == Some(&SqlState::T_R_SERIALIZATION_FAILURE) {
        return SnapshotError::NotSerializable {
            message: chain(&source),
        };
    }
    SnapshotError::Database {
        target: target.to_string(),
        source,
    }
}

fn query_error(
    target: &str,
    mapping: &Mapping,
    table: &TableMapping,
    source: postgres::Error,
) -> SnapshotError {
    match source.as_db_error() {
        Some(db) if source.code() != Some(&SqlState::T_R_SERIALIZATION_FAILURE) => {
            let at = db
                .position()
                .and_then(|p| match p {
                    postgres::error::ErrorPosition::Original(n) => Some(*n as usize),
                    postgres::error::ErrorPosition::Internal { .. } => None,
                })
                .map(|n| {
                    let before = table.query.get(..n.saturating_sub(1)).unwrap_or_default();
                    format!(" (line {} of the query)", before.matches('\n').count() + 1)
                })
                .unwrap_or_default();
            SnapshotError::Query {
                file: mapping.file.clone(),
                line: table.line,
                table: table.table.name.to_string(),
                message: format!("{}{at}", db.message()),
            }
        }
        _ => database_error(target, source),
    }
}

/// Whether a result column of type `found` can stand for a contract column
/// of type `ty`.
fn usable(ty: ColumnType, found: &Type) -> bool {
    let text = [
        Type::TEXT,
        Type::VARCHAR,
        Type::BPCHAR,
        Type::NAME,
        Type::UNKNOWN,
    ]
    .contains(found);
    let integer = [Type::INT2, Type::INT4, Type::INT8].contains(found);
    text || match ty {
        ColumnType::Id | ColumnType::Person | ColumnType::Enum(_) => {
            integer || *found == Type::NUMERIC
        }
        ColumnType::Date => [Type::DATE, Type::TIMESTAMP, Type::TIMESTAMPTZ].contains(found),
        ColumnType::Timestamp => [Type::TIMESTAMP, Type::TIMESTAMPTZ].contains(found),
        ColumnType::Bool => *found == Type::BOOL || integer,
    }
}

/// The contract's text of a result column: timestamps with zone in UTC,
/// zone-less ones as they are (the contract reads them as Tallinn time),
/// dates ISO (a timestamp standing for a date: its Tallinn day), booleans
/// true/false, anything else its text.
fn rendered(name: &str, found: &Type, ty: ColumnType) -> String {
    let c = format!("\"{}\"", name.replace('"', "\"\""));
    let expr = match *found {
        Type::TIMESTAMPTZ if ty == ColumnType::Date => {
            format!("to_char({c} AT TIME ZONE 'Europe/Tallinn', 'YYYY-MM-DD')")
        }
        Type::TIMESTAMP if ty == ColumnType::Date => format!("to_char({c}, 'YYYY-MM-DD')"),
        Type::TIMESTAMPTZ => {
            format!("to_char({c} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')")
        }
        Type::TIMESTAMP => format!("to_char({c}, 'YYYY-MM-DD\"T\"HH24:MI:SS.US')"),
        Type::DATE => format!("to_char({c}, 'YYYY-MM-DD')"),
        Type::BOOL => format!("CASE WHEN {c} THEN 'true' WHEN NOT {c} THEN 'false' END"),
        _ => format!("{c}::text"),
    };
    format!("{expr} AS {c}")
}

/// `COPY (SELECT <each column rendered> FROM (<query>) q) TO STDOUT` in CSV
/// with a header; a result column of a type its contract column cannot
/// take is a problem at the query's line.
fn copy_query(
    mapping: &Mapping,
    table: &TableMapping,
    columns: &[(String, Type)],
) -> Result<String, SnapshotError> {
    let spec: &TableSpec = table.table;
    let mut select = Vec::new();
    for (name, found) in columns {
        // Columns the contract does not have are left out.
        let Some(column) = spec.column(name) else {
            continue;
        };
        if !usable(column.ty, found) {
            return Err(SnapshotError::Mapping {
                file: mapping.file.clone(),
                line: table.line,
                message: format!(
                    "[tables.{}]: column {name} is {} in the query's result, which cannot be read as {}",
                    spec.name,
                    found.name(),
                    column.ty.describe()
                ),
            });
        }
        select.push(rendered(name, found, column.ty));
    }
    let query = table.query.trim().trim_end_matches(';');
    Ok(format!(
        "COPY (SELECT {} FROM ({query}\n) AS mapped) TO STDOUT WITH (FORMAT csv, HEADER true)",
        select.join(", ")
    ))
}

/// Why a chunked read stopped.
pub(super) enum ChunkError {
    /// The bytes could not be read.
    Read(std::io::Error),
    /// A chunk is not CSV Polars reads.
    Parse(PolarsError),
    /// The sink refused a batch.
    Sink(SnapshotError),
}

/// Reads CSV with a header from `reader` in chunks of about
/// [`CHUNK_BYTES`] cut at record ends (a quoted field may hold a line
/// break), every column as text, handing each batch and the number of its
/// first row to `emit`.
pub(super) fn read_csv_chunks(
    mut reader: impl Read,
    mut emit: impl FnMut(DataFrame, u64) -> Result<(), SnapshotError>,
) -> Result<u64, ChunkError> {
    let mut header: Option<Vec<u8>> = None;
    let mut buf: Vec<u8> = Vec::with_capacity(CHUNK_BYTES + (1 << 20));
    let mut rows = 0u64;
    let mut block = vec![0u8; 1 << 20];
    loop {
        let n = reader.read(&mut block).map_err(ChunkError::Read)?;
        buf.extend_from_slice(&block[..n]);
        if header.is_none() {
            match buf.iter().position(|b| *b == b'\n') {
                Some(i) => header = Some(buf.drain(..=i).collect()),
                None if n == 0 => return Ok(0),
                None => continue,
            }
        }
        if buf.len() < CHUNK_BYTES && n > 0 {
            continue;
        }
        let cut = if n == 0 { buf.len() } else { record_end(&buf) };
        if cut > 0 {
            let mut bytes = header.clone().unwrap_or_default();
            bytes.extend(buf.drain(..cut));
            let batch = CsvReadOptions::default()
                .with_has_header(true)
                .with_infer_schema_length(Some(0))
                .map_parse_options(|o| o.with_missing_is_null(true))
                .into_reader_with_file_handle(std::io::Cursor::new(bytes))
                .finish()
                .map_err(ChunkError::Parse)?;
            let height = batch.height() as u64;
            emit(batch, rows + 1).map_err(ChunkError::Sink)?;
            rows += height;
        }
        if n == 0 {
            return Ok(rows);
        }
    }
}

/// The byte after the last complete record of `buf`: after its last line
/// break outside quotes.
fn record_end(buf: &[u8]) -> usize {
    let mut quoted = false;
    let mut end = 0;
    for (i, b) in buf.iter().enumerate() {
        match b {
            b'"' => quoted = !quoted,
            b'\n' if !quoted => end = i + 1,
            _ => {}
        }
    }
    end
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn records_are_cut_only_outside_quotes() {
        assert_eq!(record_end(b"a,b\nc,\"d\ne\"\nf,g"), 12);
        assert_eq!(record_end(b"a,\"b\nc"), 0);
    }

    #[test]
    fn chunks_number_their_rows_and_keep_quoted_breaks() {
        let csv = "x,y\n1,\"a\nb\"\n2,\n";
        let mut seen = Vec::new();
        let rows = read_csv_chunks(csv.as_bytes(), |df, first| {
            seen.push((df.height(), first));
            let y = df
                .column("y")
                .unwrap()
                .str()
                .unwrap()
                .get(0)
                .map(str::to_string);
            assert_eq!(y.as_deref(), Some("a\nb"));
            Ok(())
        })
        .ok()
        .unwrap();
        assert_eq!((rows, seen), (2, vec![(2, 1)]));
    }

    #[test]
    fn each_contract_type_takes_its_database_types() {
        assert!(usable(ColumnType::Date, &Type::TIMESTAMPTZ));
        assert!(usable(ColumnType::Bool, &Type::INT4));
        assert!(!usable(ColumnType::Timestamp, &Type::DATE));
        assert!(!usable(ColumnType::Date, &Type::INT4));
        assert!(
            rendered("valid_from", &Type::TIMESTAMPTZ, ColumnType::Timestamp)
                .contains("AT TIME ZONE 'UTC'")
        );
        assert!(rendered("valid_from", &Type::TIMESTAMPTZ, ColumnType::Date)
            .contains("'Europe/Tallinn', 'YYYY-MM-DD'"));
    }
}
