//! `review import`: filled worksheets read back ([`sheet`], [`read`]),
//! checked against the review that issued them, and appended to the
//! decision ledger.

pub mod read;
pub mod sheet;
