//! `accessaudit-bench`: generates a quarter of a named size (once, then
//! reused), runs the full audit on it with every rule and output format as a
//! separate process, and prints wall time, peak RSS and events per second for
//! each stage, then checks the findings against the ground truth.
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
    "usage: accessaudit-bench small|medium|medium-dense|large|large-dense [--data-dir DIR] [--csv]\n\
     (generated data is kept in DIR, default target/bench-data, and reused)"
        .to_string()
}

fn run() -> Result<ExitCode, String> {
    let mut args = std::env::args().skip(1);
    let mut size = None;
    let mut data_dir = PathBuf::from("target/bench-data");
    let mut parquet = true;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--data-dir" => data_dir = args.next().map(PathBuf::from).ok_or_else(usage)?,
            "--csv" => parquet = false,
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
    if out.exists() {
        std::fs::remove_dir_all(&out).map_err(|e| format!("{}: {e}", out.display()))?;
    }
    let exceptions = data.join("exceptions.toml");
    let started = Instant::now();
    let mut child = Command::new(&binary)
        .env("ACCESSAUDIT_NO_PROGRESS", "1")
        .env("ACCESSAUDIT_STAGE_PEAKS", "1")
        .env("ACCESSAUDIT_PSEUDONYM_KEY", "bench-key-of-16-bytes")
        .arg("-q")
        .arg("audit")
        .arg("--data")
        .arg(&data)
        .arg("--out")
        .arg(&out)
        .arg("--exceptions")
        .arg(&exceptions)
        .arg("--reveal-subjects")
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
        return Err(format!("the audit failed: {status}"));
    }
    let summary: serde_json::Value = serde_json::from_slice(
        &std::fs::read(out.join("summary.json")).map_err(|e| e.to_string())?,
    )
    .map_err(|e| e.to_string())?;
    let events = summary["tables"]
        .as_array()
        .and_then(|ts| ts.iter().find(|t| t["table"] == "access_log"))
        .and_then(|t| t["rows"].as_u64())
        .unwrap_or(0);
    println!();
    println!(
        "{:<12} {:>9} {:>10} {:>14}",
        "stage", "seconds", "peak RSS", "events/s"
    );
    for stage in summary["stages"].as_array().into_iter().flatten() {
        let seconds = stage["seconds"].as_f64().unwrap_or(0.0);
        let rss = stage["peak_rss_bytes"].as_u64().unwrap_or(0);
        peak = peak.max(rss);
        let name = stage["stage"].as_str().unwrap_or("?");
        // A rate means something only for the stages that read the log:
        // figures, report, the exception check and the review's rules work on
        // findings and decisions.
        let reads_log = name == "load"
            || (name.starts_with("rules ") && name != "rules EXC" && name != "rules REV");
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
    println!(
        "{:<12} {:>9.2} {:>10} {:>14}",
        "total (wall)",
        wall,
        mb(peak),
        rate(events, wall)
    );
    // Rules written as SQL (check = "sql" in rules/), each with its seconds.
    let sql_rules: Vec<String> = std::fs::read_dir("rules")
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
        .collect();
    for rule in sql_rules {
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
    Ok(if missing == 0 && extra == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
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
