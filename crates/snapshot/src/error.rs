//! Why a snapshot could not be taken. Each problem names where it is: the
//! mapping file's line, the table, the row and column of a value.

use accessaudit_ingest::IngestError;

/// A snapshot that could not be taken; nothing was written.
#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    /// The mapping file says something that cannot be used.
    #[error("{file}:{line}: {message}")]
    Mapping {
        /// The mapping file.
        file: String,
        /// 1-based line.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// The source cannot be used as given (a password on the command line,
    /// a folder that does not exist, an output that exists already).
    #[error("{0}")]
    Usage(String),
    /// The database is not reachable.
    #[error("cannot connect to {target}: {reason}")]
    Connect {
        /// The database, without credentials.
        target: String,
        /// What the connection attempt ran into.
        reason: String,
        /// The driver's error.
        #[source]
        source: postgres::Error,
    },
    /// The database refused the credentials.
    #[error("{target}: authentication failed for user {user:?} (the password is read from PGPASSWORD or ~/.pgpass)")]
    Authentication {
        /// The database, without credentials.
        target: String,
        /// The user.
        user: String,
        /// The driver's error.
        #[source]
        source: postgres::Error,
    },
    /// A mapped query failed in the source.
    #[error("{file}:{line}: [tables.{table}] query: {message}")]
    Query {
        /// The mapping file.
        file: String,
        /// The line of the query.
        line: usize,
        /// The contract table.
        table: String,
        /// The source's message.
        message: String,
    },
    /// A query's result has a column whose type the contract cannot read
    /// as the column's type, or a value that does not read as it.
    #[error("{file}:{line}: [tables.{table}]: {source}")]
    Rows {
        /// The mapping file.
        file: String,
        /// The line of the query.
        line: usize,
        /// The contract table.
        table: String,
        /// The loader's reading of the value.
        #[source]
        source: Box<IngestError>,
    },
    /// The database could not give one consistent view of all tables.
    #[error("the database could not serialise the snapshot's transaction ({message}); nothing was written: run it again")]
    NotSerializable {
        /// The database's message.
        message: String,
    },
    /// Any other database error (the connection dropped, ...).
    #[error("{target}: {source}")]
    Database {
        /// The database, without credentials.
        target: String,
        /// The driver's error.
        #[source]
        source: postgres::Error,
    },
    /// The written snapshot does not load as an audit would load it.
    #[error("the written snapshot does not load, so it was not kept: {0}")]
    Invalid(#[source] Box<IngestError>),
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The system's error.
        #[source]
        source: std::io::Error,
    },
    /// Polars could not read or write a frame.
    #[error("{context}: {source}")]
    Polars {
        /// What was being done.
        context: String,
        /// Polars' error.
        #[source]
        source: polars::prelude::PolarsError,
    },
}

impl SnapshotError {
    pub(crate) fn io(path: &std::path::Path, source: std::io::Error) -> Self {
        SnapshotError::Io {
            path: path.display().to_string(),
            source,
        }
    }
}
