//! Renders accessaudit results for people: terminal summaries, and the
//! output files, written safely.

pub mod aj;
pub(crate) mod blocked;
pub(crate) mod cases;
pub mod csv;
pub mod data;
pub mod html;
pub mod markdown;
pub mod output;
pub mod summary;
pub mod text;
pub mod trends;
pub mod xlsx;
