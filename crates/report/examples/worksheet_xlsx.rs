//! Writes the sample unit's worksheet as `worksheet.en.xlsx` and
//! `worksheet.et.xlsx` into the directory given (default `.`), to open in a
//! spreadsheet and look at: `cargo run -p accessaudit-report --example
//! worksheet_xlsx -- /tmp/out`.

#[path = "../tests/sample/mod.rs"]
mod sample;

use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| ".".to_string()));
    for lang in ["en", "et"] {
        let bytes = accessaudit_report::xlsx::worksheet_xlsx(
            &sample::header(),
            &sample::worksheet(),
            lang,
        )?;
        let path = dir.join(format!("worksheet.{lang}.xlsx"));
        std::fs::write(&path, bytes)?;
        println!("{}", path.display());
    }
    Ok(())
}
