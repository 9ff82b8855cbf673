//! `accessaudit-bench`: generates a quarter of a named size (once, then
//! reused), runs the full audit on it with every rule and output format as a
//! separate process, and prints wall time, peak RSS and events per second for
//! each stage, then checks the findings against the ground truth. Then the
//! review cycle (unless `--no-cycle`): 20 units' worksheets filled in and
//! imported into the history the audit wrote, and the audit again three weeks
//! later, reading its baseline and the decisions from that history.
//!
//! ```text
//! cargo build --release -p accessaudit -p accessaudit-bench
//! target/release/accessaudit-bench medium
//! ```

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::{Duration, Instant};

use accessaudit_generate::{generate, Options, Progress, Shape};

/// A named benchmark size.
struct Size {
    name: &'static str,
    persons: usize,
    events: u64,
    /// Dense: the shape of a busy agency's log ([`Shape::dense`]).
    dense: bool,
}

const SIZES: &[Size] = &[
    Size {
        name: "small",
        persons: 500,
        events: 1_000_000,
        dense: false,
    },
    Size {
        name: "medium",
        persons: 5_000,
        events: 10_000_000,
        dense: false,
    },
    // About 114 events a user-day (20 people, 5.7 times each): the persons
    // are chosen so the events asked for give that.
    Size {
        name: "medium-dense",
        persons: 2_000,
        events: 10_000_000,
        dense: true,
    },
    Size {
        name: "large",
        persons: 20_000,
        events: 100_000_000,
        dense: false,
    },
    Size {
        name: "large-dense",
        persons: 20_000,
        events: 100_000_000,
        dense: true,
    },
];

const SEED: u64 = 2026;

fn main() -> ExitCode {
    match run() {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

fn usage() -> String {
    "usage: accessaudit-bench small|medium|medium-dense|large|large-dense [--data-dir DIR] [--csv] [--no-cycle]\n\
     (generated data is kept in DIR, default target/bench-data, and reused;\n\
     --no-cycle skips the review cycle after the audit: 20 worksheets imported, the audit again)"
        .to_string()
}

fn run() -> Result<ExitCode, String> {
    let mut args = std::env::args().skip(1);
    let mut size = None;
    let mut data_dir = PathBuf::from("target/bench-data");
    let mut parquet = true;
    let mut cycle = true;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--data-dir" => data_dir = args.next().map(PathBuf::from).ok_or_else(usage)?,
            "--csv" => parquet = false,
            "--no-cycle" => cycle = false,
            "-h" | "--help" => {
                println!("{}", usage());
                return Ok(ExitCode::SUCCESS);
            }
            name => size = Some(SIZES.iter().find(|s| s.name == name).ok_or_else(usage)?),
        }
    }
    let size = size.ok_or_else(usage)?;
    let binary = std::env::current_exe()
        .map_err(|e| e.to_string())?
        .with_file_name("accessaudit");
    if !binary.exists() {
        return Err(format!(
            "{} not found: build it first with cargo build --release -p accessaudit",
            binary.display()
        ));
    }
    let format = if parquet { "parquet" } else { "csv" };
    let data = data_dir.join(format!(
        "{}-{}p-{}e-seed{SEED}-{format}",
        size.name, size.persons, size.events
    ));
    println!(
        "accessaudit-bench {}: {} persons, {} access events ({format} log), seed {SEED}",
        size.name, size.persons, size.events
    );
    if data.exists() {
        println!("data: {} (reused)", data.display());
    } else {
        let started = Instant::now();
        let mut last = Instant::now();
        generate(
            &Options {
                out: data.clone(),
                persons: size.persons,
                events: size.events,
                seed: SEED,
                parquet,
                quarter: accessaudit_generate::quarter::Quarter::planted(),
                shape: if size.dense {
                    Shape::dense()
                } else {
                    Shape::default()
                },
            },
            &mut |p| {
                if let Progress::Day {
                    done,
                    total,
                    events,
                } = p
                {
                    if last.elapsed() > Duration::from_secs(10) || done == total {
                        eprintln!("  generating: day {done}/{total}, {events} events");
                        last = Instant::now();
                    }
                }
            },
        )
        .map_err(|e| e.to_string())?;
        println!(
            "data: {} generated in {:.1} s",
            data.display(),
            started.elapsed().as_secs_f64()
        );
    }

    let out = data_dir.join(format!("{}-out", size.name));
    let history = data_dir.join(format!("{}-history", size.name));
    for dir in [&out, &history] {
        if dir.exists() {
            std::fs::remove_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        }
    }
    let exceptions = data.join("exceptions.toml");
    let mut args = vec![
        "--data".into(),
        data.display().to_string(),
        "--out".into(),
        out.display().to_string(),
        "--exceptions".into(),
        exceptions.display().to_string(),
        "--reveal-subjects".into(),
    ];
    // The audit as an agency runs it each quarter: with its history, so the
    // run is recorded and the review its worksheets issue is kept.
    if cycle {
        args.extend(["--history".into(), history.display().to_string()]);
    }
    let run = audit(&binary, &args)?;
    let summary = summary_of(&out)?;
    let events = summary["tables"]
        .as_array()
        .and_then(|ts| ts.iter().find(|t| t["table"] == "access_log"))
        .and_then(|t| t["rows"].as_u64())
        .unwrap_or(0);
    println!();
    print_stages(&summary, &run, events);
    // Rules written as SQL (check = "sql" in rules/), each with its seconds.
    for rule in sql_rules() {
        if let Some(seconds) = summary["rule_seconds"][&rule].as_f64() {
            println!("{:<12} {:>9.2}", format!("  sql {rule}"), seconds);
        }
    }
    let findings = summary["findings"]["total"].as_u64().unwrap_or(0);
    println!("\n{events} events, {findings} findings");

    let planted = keys(&data.join("ground_truth.csv"))?;
    let found = keys(&out.join("findings.csv"))?;
    let missing = planted.difference(&found).count();
    let extra = found.difference(&planted).count();
    println!(
        "ground truth: {} planted findings; {missing} missing, {extra} not planted",
        planted.len()
    );
    if cycle {
        review_cycle(&binary, &data_dir, size, &args, &out, &history)?;
    }
    Ok(if missing == 0 && extra == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// Units whose worksheets the review cycle fills and imports.
const UNITS_RETURNED: usize = 20;

/// The quarter's review after the audit: 20 units' worksheets filled in and
/// imported, then the audit run again three weeks later with the history, so
/// it reads its baseline from the history and checks the decisions (REV).
fn review_cycle(
    binary: &Path,
    data_dir: &Path,
    size: &Size,
    first: &[String],
    out: &Path,
    history: &Path,
) -> Result<(), String> {
    let quarter = accessaudit_generate::quarter::Quarter::planted();
    let returned = data_dir.join(format!("{}-returned", size.name));
    if returned.exists() {
        std::fs::remove_dir_all(&returned).map_err(|e| format!("{}: {e}", returned.display()))?;
    }
    std::fs::create_dir_all(&returned).map_err(|e| format!("{}: {e}", returned.display()))?;
    let mut sheets: Vec<PathBuf> = std::fs::read_dir(out.join("review"))
        .map_err(|e| format!("{}: {e}", out.display()))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "csv"))
        .collect();
    let issued = sheets.len();
    sheets.sort();
    let decided_on = (quarter.last + chrono::Days::new(5)).to_string();
    let mut files = Vec::new();
    let mut decisions = 0;
    for sheet in sheets.iter().take(UNITS_RETURNED) {
        let target = returned.join(sheet.file_name().unwrap_or_default());
        decisions += fill_worksheet(sheet, &target, &decided_on)?;
        files.push(target.display().to_string());
    }
    let mut import = vec![
        "review".to_string(),
        "import".into(),
        "--history".into(),
        history.display().to_string(),
    ];
    import.extend(files);
    let imported = timed(binary, &import)?;

    let again = data_dir.join(format!("{}-out-again", size.name));
    if again.exists() {
        std::fs::remove_dir_all(&again).map_err(|e| format!("{}: {e}", again.display()))?;
    }
    let mut args = first.to_vec();
    if let Some(at) = args.iter().position(|a| a == "--out") {
        args[at + 1] = again.display().to_string();
    }
    // Three weeks on: past the worksheets' return date, so the units that
    // did not answer are REV-02 findings.
    let as_of = quarter.last + chrono::Days::new(21);
    args.extend(["--as-of".into(), as_of.to_string()]);
    let second = audit(binary, &args)?;
    let summary = summary_of(&again)?;

    println!(
        "\nreview cycle ({issued} worksheets issued, history in {}):",
        history.display()
    );
    println!(
        "  review import    {:>9.2} {:>10}   {} units, {decisions} decisions",
        imported.wall,
        mb(imported.peak),
        UNITS_RETURNED.min(issued)
    );
    println!("  audit again, as of {as_of}, its baseline and the decisions from the history:");
    print_stages(&summary, &second, 0);
    let status = &summary["findings_by_status"];
    let count = |key: &str| status[key].as_u64().unwrap_or(0);
    println!(
        "{} findings against the baseline: {} new, {} persisting, {} accepted, {} resolved; \
         REV-02 (worksheet not returned) {}",
        summary["findings"]["total"].as_u64().unwrap_or(0),
        count("new"),
        count("persisting"),
        count("accepted"),
        count("resolved"),
        summary["findings"]["by_rule"]
            .as_array()
            .and_then(|rules| rules.iter().find(|r| r["rule"] == "REV-02"))
            .and_then(|r| r["findings"].as_u64())
            .unwrap_or(0)
    );
    Ok(())
}

/// Copies the worksheet CSV `from` to `to` with every right kept, commented
/// and dated `decided_on`; returns how many rows were decided. Polars reads
/// and writes it (every column as text, so nothing is reinterpreted).
fn fill_worksheet(from: &Path, to: &Path, decided_on: &str) -> Result<usize, String> {
    use polars::prelude::*;
    let failed = |e: PolarsError| format!("{}: {e}", from.display());
    let bytes = std::fs::read(from).map_err(|e| format!("{}: {e}", from.display()))?;
    let text = bytes
        .strip_prefix(b"\xef\xbb\xbf")
        .unwrap_or(&bytes)
        .to_vec();
    let sheet = CsvReadOptions::default()
        .with_infer_schema_length(Some(0))
        .into_reader_with_file_handle(std::io::Cursor::new(text))
        .finish()
        .map_err(failed)?;
    let right = col("item_id").str().starts_with(lit("r-"));
    let set = |name: &str, value: &str| {
        when(right.clone())
            .then(lit(value.to_string()))
            .otherwise(col(name))
            .alias(name)
    };
    let mut filled = sheet
        .lazy()
        .with_columns([
            set("decision", "keep"),
            set("comment", "Needed for the post's duties (bench)"),
            set("decided_on", decided_on),
        ])
        .collect()
        .map_err(failed)?;
    let decided = filled
        .clone()
        .lazy()
        .filter(right)
        .collect()
        .map_err(failed)?
        .height();
    let mut file = std::fs::File::create(to).map_err(|e| format!("{}: {e}", to.display()))?;
    CsvWriter::new(&mut file)
        .finish(&mut filled)
        .map_err(failed)?;
    Ok(decided)
}

/// A finished command: wall seconds and peak RSS.
struct Timed {
    wall: f64,
    peak: u64,
}

/// Runs `accessaudit -q audit ARGS` as the harness does and checks it
/// succeeded.
fn audit(binary: &Path, args: &[String]) -> Result<Timed, String> {
    let mut all = vec!["audit".to_string()];
    all.extend(args.iter().cloned());
    timed(binary, &all)
}

/// Runs `accessaudit -q ARGS`, polling its peak memory.
fn timed(binary: &Path, args: &[String]) -> Result<Timed, String> {
    let started = Instant::now();
    let mut child = Command::new(binary)
        .env("ACCESSAUDIT_NO_PROGRESS", "1")
        .env("ACCESSAUDIT_STAGE_PEAKS", "1")
        .env("ACCESSAUDIT_PSEUDONYM_KEY", "bench-key-of-16-bytes")
        .arg("-q")
        .args(args)
        .stdout(std::process::Stdio::null())
        .spawn()
        .map_err(|e| format!("{}: {e}", binary.display()))?;
    // The audit resets its peak mark per stage; polling the high-water mark
    // catches the whole run's peak.
    let status_file = format!("/proc/{}/status", child.id());
    let mut peak = 0u64;
    let status = loop {
        if let Some(kb) = std::fs::read_to_string(&status_file)
            .ok()
            .and_then(|s| vm_kb(&s, "VmHWM:"))
        {
            peak = peak.max(kb * 1024);
        }
        match child.try_wait().map_err(|e| e.to_string())? {
            Some(status) => break status,
            None => std::thread::sleep(Duration::from_millis(20)),
        }
    };
    let wall = started.elapsed().as_secs_f64();
    if !status.success() {
        return Err(format!("accessaudit {} failed: {status}", args.join(" ")));
    }
    Ok(Timed { wall, peak })
}

fn summary_of(out: &Path) -> Result<serde_json::Value, String> {
    let path = out.join("summary.json");
    serde_json::from_slice(&std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?)
        .map_err(|e| format!("{}: {e}", path.display()))
}

/// The stages of `summary.json`, the time outside them (start, the history
/// recorded, the output folder swapped) and the whole run.
fn print_stages(summary: &serde_json::Value, run: &Timed, events: u64) {
    println!(
        "{:<12} {:>9} {:>10} {:>14}",
        "stage", "seconds", "peak RSS", "events/s"
    );
    let mut peak = run.peak;
    let mut staged = 0.0;
    for stage in summary["stages"].as_array().into_iter().flatten() {
        let seconds = stage["seconds"].as_f64().unwrap_or(0.0);
        staged += seconds;
        let rss = stage["peak_rss_bytes"].as_u64().unwrap_or(0);
        peak = peak.max(rss);
        let name = stage["stage"].as_str().unwrap_or("?");
        // A rate means something only for the stages that read the log:
        // figures, report, the exception check and the review's rules work on
        // findings and decisions.
        let reads_log = events > 0
            && (name == "load"
                || (name.starts_with("rules ") && name != "rules EXC" && name != "rules REV"));
        println!(
            "{:<12} {:>9.2} {:>10} {:>14}",
            name,
            seconds,
            mb(rss),
            if reads_log {
                rate(events, seconds)
            } else {
                String::new()
            }
        );
    }
    // Process start, the rule catalogue read, the history written and the
    // output folder swapped in: what no stage covers.
    println!("{:<12} {:>9.2}", "other", (run.wall - staged).max(0.0));
    println!(
        "{:<12} {:>9.2} {:>10} {:>14}",
        "total (wall)",
        run.wall,
        mb(peak),
        if events > 0 {
            rate(events, run.wall)
        } else {
            String::new()
        }
    );
}

/// The rules written as SQL (`check = "sql"` in `rules/`).
fn sql_rules() -> Vec<String> {
    std::fs::read_dir("rules")
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .filter(|e| {
            std::fs::read_to_string(e.path())
                .is_ok_and(|t| t.lines().any(|l| l.trim() == "check = \"sql\""))
        })
        .filter_map(|e| {
            e.path()
                .file_stem()
                .map(|s| s.to_string_lossy().to_string())
        })
        .collect()
}

fn vm_kb(status: &str, field: &str) -> Option<u64> {
    let line = status.lines().find(|l| l.starts_with(field))?;
    line[field.len()..]
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()
}

fn mb(bytes: u64) -> String {
    if bytes == 0 {
        "?".into()
    } else {
        format!("{} MB", bytes / (1024 * 1024))
    }
}

fn rate(events: u64, seconds: f64) -> String {
    if seconds <= 0.0 {
        return "-".into();
    }
    format!("{:.1} M", events as f64 / seconds / 1e6)
}

/// The grain keys of a findings or ground-truth file.
fn keys(path: &Path) -> Result<BTreeSet<Vec<String>>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut lines = text.trim_start_matches('\u{feff}').lines();
    let header: Vec<&str> = lines.next().unwrap_or_default().split(',').collect();
    let wanted = [
        "rule_id",
        "system",
        "account_id",
        "person_id",
        "ref",
        "subject",
        "first_seen",
        "status",
    ];
    let index: Vec<Option<usize>> = wanted
        .iter()
        .map(|w| header.iter().position(|h| h == w))
        .collect();
    Ok(lines
        .filter(|l| !l.is_empty())
        .map(|line| {
            let fields = split(line);
            let pd = index[0]
                .and_then(|i| fields.get(i))
                .is_some_and(|r| r.starts_with("PD-"));
            wanted
                .iter()
                .zip(&index)
                .map(|(w, i)| match (*w, i) {
                    ("subject" | "first_seen", _) if !pd => String::new(),
                    (_, Some(i)) => fields.get(*i).cloned().unwrap_or_default(),
                    (_, None) => String::new(),
                })
                .collect()
        })
        .collect())
}

/// Splits one CSV line, honouring double quotes (unit names hold commas).
fn split(line: &str) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        let field = out.len() - 1;
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                chars.next();
                out[field].push('"');
            }
            '"' => quoted = !quoted,
            ',' if !quoted => out.push(String::new()),
            c => out[field].push(c),
        }
    }
    out
}
