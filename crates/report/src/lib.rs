//! Renders accessaudit results for people: terminal summaries now; HTML and
//! data files as the outputs grow.

pub mod text;
