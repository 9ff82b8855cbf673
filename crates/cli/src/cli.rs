//! The command line: clap definitions only.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Access compliance auditor for SKAIS, STAR and external registers.
#[derive(Debug, Parser)]
#[command(name = "accessaudit", version, about, long_about = None)]
pub(crate) struct Cli {
    /// More log output on stderr (-v info, -vv debug); RUST_LOG overrides.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,
    /// Only errors on stderr.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Load a snapshot, run every rule, and write the findings: the main job.
    Audit(AuditArgs),
    /// Load a snapshot, check every value, and run the data-quality rules.
    Validate(ValidateArgs),
    /// Every access to one person's data, and the case that explains each.
    SubjectReport(SubjectReportArgs),
    /// Write a synthetic quarter with planted violations and ground_truth.csv.
    Generate(GenerateArgs),
    /// Write a snapshot directory from a PostgreSQL database or a folder of
    /// raw export files, through a mapping file.
    Snapshot(SnapshotArgs),
    /// The review history over the quarters: findings per area and unit,
    /// ageing, and the reviews findings take to be resolved.
    History(HistoryArgs),
    /// The quarterly review's worksheets read back: import and verify.
    Review {
        /// What to do with the review history.
        #[command(subcommand)]
        command: ReviewCommand,
    },
    /// The rule catalogue: list, show, and run the rule fixtures.
    Rules {
        /// What to do with the rules.
        #[command(subcommand)]
        command: RulesCommand,
    },
}

/// Which rule catalogue and policy to use.
#[derive(Debug, Args)]
pub(crate) struct CatalogArgs {
    /// A folder of rule definition files to use instead of the built-in catalogue.
    #[arg(long, value_name = "DIR")]
    pub rules: Option<PathBuf>,
    /// A policy file: parameters, severities and disabled rules (TOML).
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,
}

/// `audit`.
#[derive(Debug, Args)]
pub(crate) struct AuditArgs {
    /// Snapshot options.
    #[command(flatten)]
    pub data: DataArgs,
    /// Catalogue options.
    #[command(flatten)]
    pub catalog: CatalogArgs,
    /// Subject options.
    #[command(flatten)]
    pub subjects: SubjectArgs,
    /// An earlier run's output folder: findings become new or persisting,
    /// and the baseline's findings that are gone are listed as resolved.
    #[arg(long, value_name = "DIR")]
    pub baseline: Option<PathBuf>,
    /// The review history folder (created when absent): the audit records
    /// the review its worksheets issue, checks the previous review's
    /// decisions (REV rules) and applies the managers' `keep` decisions.
    #[arg(long, value_name = "DIR")]
    pub history: Option<PathBuf>,
    /// Accepted risks (TOML): matching findings are suppressed until the
    /// entry expires.
    #[arg(long, value_name = "FILE")]
    pub exceptions: Option<PathBuf>,
    /// The output folder (owner-only). It is replaced as a whole by each run:
    /// a folder holding files accessaudit did not write is refused.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Output formats, comma-separated: html, csv (findings.csv and the
    /// review/ worksheets), json (findings.jsonl), parquet. summary.json is
    /// always written.
    #[arg(
        long,
        value_name = "LIST",
        default_value = "html,csv,json,parquet",
        value_delimiter = ','
    )]
    pub format: Vec<Format>,
    /// Language of the report and of the finding messages: en or et.
    #[arg(long, value_name = "LANG", default_value = "en")]
    pub lang: Lang,
    /// The cell separator of findings.csv and the review worksheets: `,`,
    /// `;` or `tab`. Without it findings.csv has `,` and the worksheets `;`
    /// under --lang et (Estonian Excel's list separator), else `,`.
    #[arg(long, value_name = "SEP")]
    pub csv_delimiter: Option<String>,
    /// Exit 1 when a finding is at or above this severity
    /// (critical, high, medium, low, info). Without it the exit code ignores findings.
    #[arg(long, value_name = "SEVERITY")]
    pub fail_on: Option<String>,
}

/// `subject-report`.
#[derive(Debug, Args)]
pub(crate) struct SubjectReportArgs {
    /// Snapshot options.
    #[command(flatten)]
    pub data: DataArgs,
    /// Subject options.
    #[command(flatten)]
    pub subjects: SubjectArgs,
    /// The data subject's personal code (isikukood, or EE + code).
    #[arg(long, value_name = "ISIKUKOOD")]
    pub subject: String,
    /// A folder to write the report into (created owner-only).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// The file's format: csv (`subject-<subject>.csv`), or aj, the
    /// Andmejälgija (Data Tracker) v3 records (`subject-<subject>-aj.json`;
    /// printed instead of the table when there is no --out).
    #[arg(long, value_name = "FORMAT", default_value = "csv")]
    pub format: SubjectFormat,
}

/// The file format of `subject-report`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum SubjectFormat {
    /// CSV, one row per access.
    Csv,
    /// Andmejälgija v3 `findUsage` JSON, one INTERNAL_PROCESSING record per access.
    Aj,
}

/// `generate`.
#[derive(Debug, Args)]
pub(crate) struct GenerateArgs {
    /// The snapshot folder to create (must be absent or empty).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Employees of the background (the planted stories add 36 more).
    #[arg(long, value_name = "N", default_value_t = 400)]
    pub persons: usize,
    /// Access events, about (the planted stories' included).
    #[arg(long, value_name = "N", default_value_t = 200_000)]
    pub events: u64,
    /// Seed of every random choice: the same seed gives the same bytes.
    #[arg(long, value_name = "S", default_value_t = 1)]
    pub seed: u64,
    /// Write the access log as Parquet, partitioned by month.
    #[arg(long)]
    pub parquet: bool,
    /// Log shape: distinct people a user looks at in a working day
    /// (default: the events per day divided by --events-per-subject).
    #[arg(long, value_name = "N")]
    pub subjects_per_day: Option<f64>,
    /// Log shape: events per person a user looks at in a day.
    #[arg(long, value_name = "N", default_value_t = 3.0)]
    pub events_per_subject: f64,
    /// Log shape: the chance (0-1) that a new case is about a person the
    /// unit already had a case about (more cases per person).
    #[arg(long, value_name = "P", default_value_t = 0.1)]
    pub case_reuse: f64,
    /// Log shape: the share (0-1) of events that name their case.
    #[arg(long, value_name = "P", default_value_t = 0.85)]
    pub named_share: f64,
    /// The quarter: 2026-Q3 holds the planted stories; 2026-Q4 and 2027-Q1
    /// are the next two reviews of the same agency, each writing the
    /// previous review's worksheets as they came back (`returned/`).
    #[arg(long, value_name = "QUARTER", default_value = "2026-Q3",
          value_parser = clap::builder::PossibleValuesParser::new(accessaudit_generate::quarter::NAMES))]
    pub quarter: String,
}

/// `snapshot`.
#[derive(Debug, Args)]
pub(crate) struct SnapshotArgs {
    /// Where the data is: `postgres://user@host/db` (the password from
    /// PGPASSWORD or ~/.pgpass, never here), a folder of CSV/Parquet
    /// export files, each a table by its file name, or `dumps:DIR`, a
    /// folder of periodic dumps of current state (one folder per dump,
    /// named by its date or timestamp).
    #[arg(long, value_name = "SRC")]
    pub source: String,
    /// The mapping file: per contract table one SQL query (TOML). Optional
    /// for `dumps:`, whose files may be named as the contract's tables.
    #[arg(long, value_name = "FILE")]
    pub mapping: Option<PathBuf>,
    /// dumps: the largest share of a table's rows (percent) a dump may lose
    /// against the one before before it is refused as truncated.
    #[arg(long, value_name = "PERCENT", default_value_t = 20.0)]
    pub max_drop: f64,
    /// dumps: accept a dump whatever it lost, `FOLDER=REASON` (the reason
    /// goes into the manifest). May be given more than once.
    #[arg(long, value_name = "FOLDER=REASON")]
    pub accept_drop: Vec<String>,
    /// The snapshot folder to create (must not exist).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// `as_of` for the manifest (default: the database transaction's start,
    /// or the mapping's `as_of`).
    #[arg(long, value_name = "T")]
    pub as_of: Option<String>,
}

/// An output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Format {
    /// report.html.
    Html,
    /// findings.csv and review/<unit>.csv.
    Csv,
    /// findings.jsonl.
    Json,
    /// findings.parquet.
    Parquet,
}

/// A report language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Lang {
    /// English.
    En,
    /// Estonian.
    Et,
}

impl Lang {
    /// The language code.
    pub(crate) fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Et => "et",
        }
    }
}

/// `history`.
#[derive(Debug, Args)]
pub(crate) struct HistoryArgs {
    /// The review history folder (`audit --history`).
    #[arg(long, value_name = "DIR")]
    pub(crate) history: PathBuf,
    /// How many of the latest reviews to show.
    #[arg(long, value_name = "N", default_value_t = 8)]
    pub(crate) last: usize,
}

/// `review ...`.
#[derive(Debug, Subcommand)]
pub(crate) enum ReviewCommand {
    /// Read filled worksheets (XLSX or CSV), check every row against the
    /// review that issued them, and add the decisions to the ledger; a
    /// problem in any file changes nothing (exit 2).
    Import {
        /// The review history folder the audit wrote (`audit --history`).
        #[arg(long, value_name = "DIR")]
        history: PathBuf,
        /// The returned worksheets.
        #[arg(value_name = "FILE", required = true)]
        files: Vec<PathBuf>,
    },
    /// Check the decision ledger's hash chain; names the first broken line.
    Verify {
        /// The review history folder.
        #[arg(long, value_name = "DIR")]
        history: PathBuf,
    },
}

/// The check kinds `rules new` writes a skeleton for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum NewKind {
    /// A query in Polars SQL (docs/writing-rules.md).
    Sql,
}

/// `rules ...`.
#[derive(Debug, Subcommand)]
pub(crate) enum RulesCommand {
    /// Write the skeleton of a new rule file and its two fixture cases
    /// (see docs/writing-rules.md).
    New {
        /// The new rule's id: an area and a number, e.g. ACC-90.
        id: String,
        /// The check kind.
        #[arg(long, value_enum, default_value = "sql")]
        kind: NewKind,
        /// The folder of rule files to write it into.
        #[arg(long, value_name = "DIR", default_value = "rules")]
        rules: PathBuf,
        /// The fixtures folder to write its cases into.
        #[arg(long, value_name = "DIR", default_value = "fixtures/rules")]
        fixtures: PathBuf,
    },
    /// One line per rule: id, severity, name, title.
    List {
        /// Catalogue options.
        #[command(flatten)]
        catalog: CatalogArgs,
    },
    /// Everything about one rule, with the parameters in force.
    Show {
        /// The rule id, e.g. ACC-01.
        id: String,
        /// Catalogue options.
        #[command(flatten)]
        catalog: CatalogArgs,
    },
    /// The catalogue as Markdown, generated from the rule files (docs/rules.md).
    Doc {
        /// Catalogue options.
        #[command(flatten)]
        catalog: CatalogArgs,
    },
    /// Run every rule fixture and print `N passed, N failed`.
    Test {
        /// The fixtures folder: <DIR>/<RULE-ID>/<case>/ with case.toml and expected.csv.
        #[arg(long, value_name = "DIR", default_value = "fixtures/rules")]
        fixtures: PathBuf,
        /// Only the cases of this rule (repeatable).
        #[arg(long = "rule", value_name = "ID")]
        only: Vec<String>,
        /// Catalogue options.
        #[command(flatten)]
        catalog: CatalogArgs,
    },
}

/// Where the snapshot is and how to read it.
#[derive(Debug, Args)]
pub(crate) struct DataArgs {
    /// The snapshot directory (see docs/input-tables.md).
    #[arg(long, value_name = "DIR")]
    pub data: PathBuf,
    /// The moment state rules look at (overrides manifest.toml), e.g.
    /// 2026-09-30T23:59:59+03:00 or 2026-09-30 (end of that day).
    #[arg(long, value_name = "T")]
    pub as_of: Option<String>,
    /// The review period (overrides manifest.toml): 2026-Q3, 2026-07 or
    /// 2026-07-01..2026-09-30.
    #[arg(long, value_name = "P")]
    pub period: Option<String>,
    /// Reject rows with unreadable values (counted and listed) instead of stopping.
    #[arg(long)]
    pub lenient: bool,
}

/// How data subjects (citizens) appear in outputs.
#[derive(Debug, Args)]
pub(crate) struct SubjectArgs {
    /// Show subjects' real personal codes instead of pseudonyms.
    #[arg(long)]
    pub reveal_subjects: bool,
    /// A file holding the pseudonym key (else ACCESSAUDIT_PSEUDONYM_KEY, else
    /// a key created once in the user's config directory).
    #[arg(long, value_name = "FILE")]
    pub pseudonym_key: Option<PathBuf>,
}

/// `validate`.
#[derive(Debug, Args)]
pub(crate) struct ValidateArgs {
    /// Snapshot options.
    #[command(flatten)]
    pub data: DataArgs,
    /// Subject options.
    #[command(flatten)]
    pub subjects: SubjectArgs,
}
