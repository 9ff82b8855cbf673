//! `accessaudit generate`: a realistic synthetic quarter in the input
//! contract, with planted violations of every rule and `ground_truth.csv`.
//!
//! The background — units of about forty people, SKAIS, STAR and population
//! register roles justified by their posts, joiners, leavers, transfers,
//! vacations with substitution orders, long absences with suspended roles,
//! cases handled by units and access events explained by them — violates no
//! rule. The planted stories are the demo snapshot's (one per ACC, TIME and PD
//! rule, with near misses) plus DQ and EXC stories added here. The same seed
//! gives the same bytes.
//!
//! The planted quarter is 2026-Q3; 2026-Q4 is its follow-up, the next review
//! of the same agency, whose ground truth gives each finding its status
//! against the Q3 audit as baseline (`follow_up`, `planted::FOLLOW_UP`).

mod activity;
pub(crate) mod demo;
pub(crate) mod follow_up;
mod log;
mod names;
mod org;
pub(crate) mod people_codes;
pub(crate) mod planted;
pub mod quarter;
pub mod review_answers;
mod rights;
pub(crate) mod rng;
mod sink;
mod tables;

use std::path::{Path, PathBuf};

use thiserror::Error;

pub use planted::GROUND_TRUTH_COLUMNS;

/// What to generate.
#[derive(Debug, Clone)]
pub struct Options {
    /// The snapshot directory to create (absent or empty).
    pub out: PathBuf,
    /// Background employees (the planted stories add the demo's people).
    pub persons: usize,
    /// Access events, about (the demo's included).
    pub events: u64,
    /// Seed of every random choice.
    pub seed: u64,
    /// Write the access log as Parquet, partitioned by month.
    pub parquet: bool,
    /// The quarter: the planted one or its follow-up.
    pub quarter: quarter::Quarter,
    /// The shape of the access log: how users spread their looks.
    pub shape: Shape,
}

/// How the background's users look at people: the knobs that decide what
/// an audit of the log costs beyond its size.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Shape {
    /// Distinct people a user looks at in a working day; by default it
    /// follows from the events per person ([`Shape::events_per_subject`]).
    pub subjects_per_day: Option<f64>,
    /// Events per person a user looks at in a day (3 by default); unused
    /// when [`Shape::subjects_per_day`] is given (the events per day, from
    /// the events and persons asked for, then decide it).
    pub events_per_subject: f64,
    /// The chance that a new case is about a person the unit already had a
    /// case about (0.1 by default: about 1.1 cases per person).
    pub case_reuse: f64,
    /// The share of events that name their case (0.85 by default).
    pub named_share: f64,
}

impl Default for Shape {
    fn default() -> Self {
        Shape {
            subjects_per_day: None,
            events_per_subject: 3.0,
            case_reuse: 0.1,
            named_share: 0.85,
        }
    }
}

impl Shape {
    /// The shape of a busy benefits agency's log, as an independently
    /// generated quarter had it: each active user looks at about 20 people a
    /// day, 5.7 times each, about 1.5 cases per person, and most events name
    /// their case.
    pub fn dense() -> Self {
        Shape {
            subjects_per_day: Some(20.0),
            events_per_subject: 5.7,
            case_reuse: 0.33,
            named_share: 0.95,
        }
    }
}

/// Background employees the generator can make: at least one (a unit needs
/// its head), at most a million (units and their tables are held in memory).
pub const PERSONS: std::ops::RangeInclusive<usize> = 1..=1_000_000;

/// Access events the generator can aim at: a billion at most (ten times the
/// largest benchmark), so that no user's day needs more memory than there is.
pub const EVENTS: std::ops::RangeInclusive<u64> = 0..=1_000_000_000;

/// Progress reports for a terminal.
#[derive(Debug, Clone, Copy)]
pub enum Progress {
    /// A stage started.
    Stage(&'static str),
    /// One more day of events written.
    Day {
        /// Days done.
        done: usize,
        /// Days in the quarter.
        total: usize,
        /// Background events so far.
        events: u64,
    },
}

/// What was generated.
#[derive(Debug, Clone)]
pub struct Generated {
    /// Rows per table.
    pub tables: Vec<(&'static str, u64)>,
    /// Planted findings listed in `ground_truth.csv`.
    pub planted: usize,
}

/// Why generation failed.
#[derive(Debug, Error)]
pub enum GenerateError {
    /// The output directory exists and holds files.
    #[error("{0} already exists and is not empty; choose a new directory")]
    OutExists(PathBuf),
    /// A file could not be written.
    #[error("cannot write {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A Parquet part could not be written.
    #[error("cannot write {path}: {source}")]
    Parquet {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: polars::error::PolarsError,
    },
    /// A size outside what the generator can make (see [`PERSONS`], [`EVENTS`]).
    #[error("{what} = {value}: the generator makes from {min} to {max} {what}")]
    Size {
        /// `persons` or `events`.
        what: &'static str,
        /// The size asked for.
        value: u64,
        /// The smallest size it makes.
        min: u64,
        /// The largest size it makes.
        max: u64,
    },
    /// The embedded demo does not have the shape the generator relies on.
    #[error("generator bug: {0}")]
    Internal(String),
}

impl GenerateError {
    fn io(path: &Path, source: std::io::Error) -> Self {
        Self::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}

/// Generates a snapshot into `options.out`: everything is written into a
/// temporary sibling directory and renamed when complete, so an interrupted
/// run leaves nothing half-written.
pub fn generate(
    options: &Options,
    progress: &mut dyn FnMut(Progress),
) -> Result<Generated, GenerateError> {
    check_sizes(options)?;
    let out = &options.out;
    if out.exists() {
        let empty = std::fs::read_dir(out)
            .map_err(|e| GenerateError::io(out, e))?
            .next()
            .is_none();
        if !empty {
            return Err(GenerateError::OutExists(out.clone()));
        }
    }
    let name = out
        .file_name()
        .map_or_else(|| "snapshot".into(), |n| n.to_string_lossy().into_owned());
    let staging = out.with_file_name(format!(".{name}.partial-{}", std::process::id()));
    if staging.exists() {
        std::fs::remove_dir_all(&staging).map_err(|e| GenerateError::io(&staging, e))?;
    }
    std::fs::create_dir_all(&staging).map_err(|e| GenerateError::io(&staging, e))?;
    let result = generate_into(&staging, options, progress);
    match result {
        Ok(generated) => {
            if out.exists() {
                std::fs::remove_dir(out).map_err(|e| GenerateError::io(out, e))?;
            }
            std::fs::rename(&staging, out).map_err(|e| GenerateError::io(out, e))?;
            Ok(generated)
        }
        Err(e) => {
            let _ = std::fs::remove_dir_all(&staging);
            Err(e)
        }
    }
}

/// Refuses sizes the generator cannot make, before anything is written.
fn check_sizes(options: &Options) -> Result<(), GenerateError> {
    let size = |what, value: u64, min: u64, max: u64| {
        if (min..=max).contains(&value) {
            Ok(())
        } else {
            Err(GenerateError::Size {
                what,
                value,
                min,
                max,
            })
        }
    };
    size(
        "persons",
        options.persons as u64,
        *PERSONS.start() as u64,
        *PERSONS.end() as u64,
    )?;
    size("events", options.events, *EVENTS.start(), *EVENTS.end())
}

fn generate_into(
    dir: &Path,
    options: &Options,
    progress: &mut dyn FnMut(Progress),
) -> Result<Generated, GenerateError> {
    let root = rng::Rng::new(options.seed);
    let q = &options.quarter;
    let mut mint = people_codes::CodeMint::reserving(demo::person_codes());

    progress(Progress::Stage("organisation"));
    let org = org::build(&mut root.fork(1), &mut mint, options.persons, q);
    let mut tables = tables::Tables::create(dir, q)?;
    // The data-quality stories come right after the demo's rows, so their
    // row numbers (their grain) are the same in both quarters.
    let dq = planted::plant(q, &org, &mut root.fork(5), &mut mint, &mut tables)?;
    rights::write(&org, &mut root.fork(2), q, &mut tables)?;
    people_extras(&org, &mut root.fork(3), &mut mint, &mut tables)?;

    progress(Progress::Stage("access events"));
    let demo_log = follow_up::demo_table(q, "access_log")?;
    let demo_events = demo_log
        .lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .count() as u64;
    let mut sink = if options.parquet {
        log::LogSink::parquet(dir, &demo_log)?
    } else {
        log::LogSink::csv(dir, &demo_log)?
    };
    let mut activity = activity::Activity::new(
        &org,
        q,
        root.fork(4),
        options.events.saturating_sub(demo_events),
        options.shape,
    );
    activity.run(&mut mint, &mut tables, &mut sink, progress)?;
    let log_rows = sink.finish()?;

    progress(Progress::Stage("ground truth"));
    let found = planted::ground_truth(q, dq);
    planted::write(dir, q, &found)?;
    let manifest = dir.join("manifest.toml");
    std::fs::write(&manifest, q.manifest()).map_err(|e| GenerateError::io(&manifest, e))?;
    let mut rows = tables.finish()?;
    rows.push(("access_log", log_rows));
    Ok(Generated {
        tables: rows,
        planted: found.len(),
    })
}

/// The watchlist and family ties of the background: protected citizens
/// nobody looks at, employees marked as such, and relatives who never come
/// up in anyone's work.
fn people_extras(
    org: &org::Org,
    rng: &mut rng::Rng,
    mint: &mut people_codes::CodeMint,
    t: &mut tables::Tables,
) -> Result<(), GenerateError> {
    for _ in 0..(org.people.len() / 200 + 3) {
        let female = rng.chance(0.5);
        let code = mint.mint(rng, (1940, 2010), female);
        let category = if rng.chance(0.5) { "vip" } else { "protected" };
        t.watchlist
            .row(&[("subject_id", &code), ("category", category)])?;
    }
    for person in &org.people {
        if rng.chance(0.05) {
            t.watchlist
                .row(&[("subject_id", &person.code), ("category", "employee")])?;
        }
        if rng.chance(0.1) {
            let female = rng.chance(0.5);
            let relative = mint.mint(rng, (1935, 2024), female);
            let relation = *rng.pick(&["parent", "child", "spouse", "sibling"]);
            t.relations.row(&[
                ("person_id", &person.code),
                ("relative_id", &relative),
                ("relation", relation),
            ])?;
        }
    }
    Ok(())
}
