//! Reading returned worksheet files: XLSX (calamine) and CSV (`,` or `;`,
//! with or without a BOM) into [`RawSheet`]s.
