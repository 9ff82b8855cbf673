//! Loads an accessaudit snapshot directory (`input-tables.md`) into typed
//! Polars lazy frames and checks every value against the contract.
//!
//! The domain modules [`isikukood`] and [`calendar`] hold the Estonian facts
//! the rules rely on.

pub mod calendar;
pub mod contract;
mod convert;
pub mod engine;
pub(crate) mod error;
pub mod isikukood;
pub(crate) mod manifest;
pub mod normalise;
mod parquet;
pub(crate) mod period;
pub mod snapshot;
pub mod source;
pub(crate) mod table;
pub mod values;

pub use error::{IngestError, ValueError, ValueProblem};
pub use period::Period;
pub use snapshot::{LoadOptions, Snapshot};
pub use table::{LoadedTable, ReadMode};
