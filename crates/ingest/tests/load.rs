//! Loading snapshots: formats, types, lenient mode and the defaults of
//! `as_of` and `period`.

// Tests stop at the first broken expectation; that is what expect is for here.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

mod common;

use accessaudit_ingest::contract::{timestamp_dtype, FILE_COLUMN, ROW_COLUMN};
use accessaudit_ingest::snapshot::{AsOfSource, PeriodSource};
use accessaudit_ingest::{IngestError, LoadOptions, Snapshot, ValueProblem};
use chrono::NaiveDate;
use common::{copy_minimal, minimal, write, write_parquet};
use polars::prelude::*;

fn load(dir: &std::path::Path) -> Result<Snapshot, IngestError> {
    Snapshot::load(dir, &LoadOptions::default())
}

fn lenient(dir: &std::path::Path) -> Result<Snapshot, IngestError> {
    Snapshot::load(
        dir,
        &LoadOptions {
            lenient: true,
            ..Default::default()
        },
    )
}

fn collect(s: &Snapshot, table: &str) -> DataFrame {
    s.frame(table).collect().expect("collect")
}

fn micros(text: &str) -> i64 {
    chrono::DateTime::parse_from_rfc3339(text)
        .expect("rfc3339")
        .timestamp_micros()
}

#[test]
fn minimal_snapshot_has_typed_frames_and_lists_absent_tables() {
    let s = load(&minimal()).expect("loads");
    assert_eq!(s.table("employees").map(|t| t.rows_read), Some(2));
    assert_eq!(s.table("substitutions").map(|t| t.rows_read), Some(0));
    assert!(s.absent.contains(&"access_log") && s.absent.contains(&"holidays"));
    let mut accounts = s.frame("accounts");
    let schema = accounts.collect_schema().expect("schema");
    assert_eq!(schema.get("created_at"), Some(&timestamp_dtype()));
    assert_eq!(schema.get("kind"), Some(&DataType::String));
    assert_eq!(schema.get(ROW_COLUMN), Some(&DataType::UInt64));
    assert_eq!(schema.get(FILE_COLUMN), Some(&DataType::UInt32));
    let emp = collect(&s, "employees");
    assert_eq!(
        emp.column("valid_from").expect("col").dtype(),
        &DataType::Date
    );
    let rows: Vec<_> = emp
        .column(ROW_COLUMN)
        .expect("row")
        .u64()
        .expect("u64")
        .into_no_null_iter()
        .collect();
    assert_eq!(
        rows,
        [2, 3],
        "CSV rows are numbered as a spreadsheet shows them"
    );
    // An absent optional table is an empty frame with the contract's columns.
    let log = collect(&s, "access_log");
    assert_eq!(log.height(), 0);
    assert!(log.column("subject_id").is_ok());
}

#[test]
fn manifest_as_of_and_period_and_their_overrides() {
    let s = load(&minimal()).expect("loads");
    assert_eq!(s.as_of_source, AsOfSource::Manifest);
    assert_eq!(
        s.as_of.timestamp_micros(),
        micros("2026-09-30T23:59:59+03:00")
    );
    assert_eq!(s.period.label, "2026-Q3");
    let o = Snapshot::load(
        &minimal(),
        &LoadOptions {
            as_of: Some("2026-08-31".into()),
            period: Some("2026-08".into()),
            ..Default::default()
        },
    )
    .expect("loads");
    assert_eq!(o.as_of_source, AsOfSource::CommandLine);
    assert_eq!(
        o.as_of.timestamp_micros(),
        micros("2026-08-31T23:59:59+03:00")
    );
    assert_eq!(
        o.period.from,
        NaiveDate::from_ymd_opt(2026, 8, 1).expect("date")
    );
    assert_eq!(
        o.period.to,
        NaiveDate::from_ymd_opt(2026, 8, 31).expect("date")
    );
}

#[test]
fn without_manifest_as_of_is_the_latest_time_and_period_its_quarter() {
    let dir = copy_minimal();
    std::fs::remove_file(dir.path().join("manifest.toml")).expect("rm");
    let s = load(dir.path()).expect("loads");
    assert_eq!(s.as_of_source, AsOfSource::LatestInData);
    // The latest timestamp of the minimal snapshot is jmets's last login.
    assert_eq!(
        s.as_of.timestamp_micros(),
        micros("2026-09-29T10:00:00+03:00")
    );
    assert_eq!(s.period_source, PeriodSource::QuarterOfAsOf);
    assert_eq!(s.period.label, "2026-Q3");
}

#[test]
fn estonian_excel_csv_semicolons_bom_mixed_case_and_dotted_dates() {
    let dir = copy_minimal();
    write(
        dir.path(),
        "absences.csv",
        "\u{feff}Person_ID;KIND;Start_Date;End_Date\r\n36805280109;Vacation;06.07.2026;17.07.2026\r\n",
    );
    write(
        dir.path(),
        "roles.csv",
        "System,Role,Name,Personal_Data,Privileged\nSKAIS,PENS_HANDLER,\"Pension handler, full\",jah,EI\nSKAIS,PENS_VIEWER,Viewer,1,no\n",
    );
    let s = load(dir.path()).expect("loads");
    let abs = collect(&s, "absences");
    assert_eq!(
        abs.column("kind").expect("kind").str().expect("str").get(0),
        Some("vacation")
    );
    let start = abs
        .column("start_date")
        .expect("start")
        .get(0)
        .expect("value");
    assert_eq!(
        start,
        AnyValue::Date(20640),
        "2026-07-06 is day 20640 since 1970"
    );
    let roles = collect(&s, "roles");
    let pd: Vec<_> = roles
        .column("personal_data")
        .expect("pd")
        .bool()
        .expect("bool")
        .iter()
        .collect();
    assert_eq!(pd, [Some(true), Some(true)]);
    let privileged = roles
        .column("privileged")
        .expect("p")
        .bool()
        .expect("bool")
        .get(0);
    assert_eq!(privileged, Some(false));
    assert_eq!(
        roles
            .column("name")
            .expect("name")
            .str()
            .expect("str")
            .get(0),
        Some("Pension handler, full")
    );
}

#[test]
fn extra_columns_are_kept_and_reported() {
    let dir = copy_minimal();
    write(
        dir.path(),
        "positions.csv",
        "position_id,title,unit,Grade\nP-SPEC,Spec,Pensionite osakond,7\nP-HEAD,Head,Pensionite osakond,9\n",
    );
    let s = load(dir.path()).expect("loads");
    assert_eq!(
        s.table("positions").expect("positions").extra_columns,
        ["grade"]
    );
    let df = collect(&s, "positions");
    assert_eq!(
        df.column("grade")
            .expect("grade")
            .str()
            .expect("str")
            .get(1),
        Some("9")
    );
}

#[test]
fn timestamps_in_every_form_become_instants() {
    let dir = copy_minimal();
    write(
        dir.path(),
        "accounts.csv",
        "system,account_id,person_id,kind,created_at,closed_at,suspended_from,last_login_at\n\
         SKAIS,jmets,EE36805280109,personal,2026-07-01 12:00:00,,,2026-07-01T09:00:00Z\n\
         SKAIS,mkask,46805280103,personal,2026-12-01T12:00:00,,,2026-10-25T03:30:00\n",
    );
    let s = load(dir.path()).expect("loads");
    let df = collect(&s, "accounts");
    let created = df
        .column("created_at")
        .expect("c")
        .datetime()
        .expect("dt")
        .physical()
        .clone();
    assert_eq!(
        created.get(0),
        Some(micros("2026-07-01T12:00:00+03:00")),
        "naive summer time is +03:00"
    );
    assert_eq!(
        created.get(1),
        Some(micros("2026-12-01T12:00:00+02:00")),
        "naive winter time is +02:00"
    );
    let login = df
        .column("last_login_at")
        .expect("l")
        .datetime()
        .expect("dt")
        .physical()
        .clone();
    assert_eq!(login.get(0), Some(micros("2026-07-01T09:00:00Z")));
    assert_eq!(
        login.get(1),
        Some(micros("2026-10-25T03:30:00+03:00")),
        "ambiguous hour: first occurrence"
    );
    let person = df
        .column("person_id")
        .expect("p")
        .str()
        .expect("str")
        .get(0);
    assert_eq!(
        person,
        Some("36805280109"),
        "the X-Road EE prefix is dropped"
    );
}

#[test]
fn parquet_with_native_types_reads_like_csv() {
    let dir = copy_minimal();
    std::fs::remove_file(dir.path().join("absences.csv")).expect("rm");
    let start = NaiveDate::from_ymd_opt(2026, 7, 6).expect("date");
    let mut absences = df!(
        "PERSON_ID" => ["36805280109"],
        "kind" => ["Sick"],
        "start_date" => [start],
        "end_date" => ["17.07.2026"],
    )
    .expect("df");
    write_parquet(dir.path(), "absences.parquet", &mut absences);
    // Naive native timestamps are Tallinn wall-clock; zoned ones are instants.
    let naive = chrono::NaiveDate::from_ymd_opt(2026, 7, 1)
        .and_then(|d| d.and_hms_opt(12, 0, 0))
        .expect("naive");
    let mut log = df!(
        "ts" => [naive, naive],
        "system" => ["SKAIS", "SKAIS"],
        "account_id" => ["jmets", "jmets"],
        "subject_id" => [60001019906i64, 60001019906],
        "action" => ["view", "VIEW"],
    )
    .expect("df");
    write_parquet(dir.path(), "access_log.parquet", &mut log);
    let s = load(dir.path()).expect("loads");
    let abs = collect(&s, "absences");
    assert_eq!(
        abs.column("kind").expect("k").str().expect("s").get(0),
        Some("sick")
    );
    assert_eq!(abs.column("end_date").expect("e").dtype(), &DataType::Date);
    let l = collect(&s, "access_log");
    let ts = l
        .column("ts")
        .expect("ts")
        .datetime()
        .expect("dt")
        .physical()
        .clone();
    assert_eq!(ts.get(0), Some(micros("2026-07-01T12:00:00+03:00")));
    assert_eq!(
        l.column("subject_id").expect("s").str().expect("s").get(1),
        Some("60001019906")
    );
    let rows: Vec<_> = l
        .column(ROW_COLUMN)
        .expect("r")
        .u64()
        .expect("u")
        .into_no_null_iter()
        .collect();
    assert_eq!(rows, [1, 2], "Parquet rows are 1-based");
}

#[test]
fn hive_partitioned_directory_is_one_table_with_rows_per_file() {
    let dir = copy_minimal();
    for (month, subject) in [("2026-07", "60001019906"), ("2026-08", "38112086027")] {
        let mut df = df!(
            "ts" => [format!("{month}-01T10:00:00+03:00"), format!("{month}-02T10:00:00+03:00")],
            "system" => ["SKAIS", "SKAIS"],
            "account_id" => ["jmets", "jmets"],
            "subject_id" => [subject, subject],
            "action" => ["view", "search"],
        )
        .expect("df");
        write_parquet(
            dir.path(),
            &format!("access_log/month={month}/part-0.parquet"),
            &mut df,
        );
    }
    write(dir.path(), "access_log/_SUCCESS", "");
    let s = load(dir.path()).expect("loads");
    let t = s.table("access_log").expect("access_log");
    assert_eq!(t.files.len(), 2);
    assert_eq!(t.rows_read, 4);
    let df = collect(&s, "access_log");
    let files: Vec<_> = df
        .column(FILE_COLUMN)
        .expect("f")
        .u32()
        .expect("u")
        .into_no_null_iter()
        .collect();
    assert_eq!(files, [0, 0, 1, 1]);
    assert_eq!(t.row_ref(1, 2), "access_log/month=2026-08/part-0.parquet:2");
}

#[test]
fn lenient_mode_rejects_rows_and_keeps_the_rest() {
    let dir = copy_minimal();
    write(
        dir.path(),
        "absences.csv",
        "person_id,kind,start_date,end_date\n\
         36805280109,vacation,2026-07-06,2026-07-17\n\
         36805280109,holiday,2026-08-03,2026-08-07\n\
         46805280103,sick,2026-08-32,\n\
         46805280103,sick,2026-09-01,2026-09-02\n",
    );
    let s = lenient(dir.path()).expect("loads leniently");
    let t = s.table("absences").expect("absences");
    assert_eq!((t.rows_read, t.rows_rejected), (4, 2));
    let found: Vec<_> = t
        .rejected
        .iter()
        .map(|e| (e.row, e.column.as_str(), e.value.as_deref()))
        .collect();
    assert_eq!(
        found,
        [
            (3, "kind", Some("holiday")),
            (4, "start_date", Some("2026-08-32")),
            (4, "end_date", None)
        ]
    );
    assert_eq!(t.rejected[2].problem, ValueProblem::Empty);
    let rows: Vec<_> = collect(&s, "absences")
        .column(ROW_COLUMN)
        .expect("row")
        .u64()
        .expect("u64")
        .into_no_null_iter()
        .collect();
    assert_eq!(rows, [2, 5]);
    // Strict mode stops at the first bad row.
    match load(dir.path()) {
        Err(IngestError::Value(e)) => assert_eq!((e.row, e.column.as_str()), (3, "kind")),
        other => panic!("expected a value error, got {:?}", other.err()),
    }
}

#[test]
fn lenient_mode_still_stops_on_an_unusable_table() {
    let dir = copy_minimal();
    write(
        dir.path(),
        "absences.csv",
        "person_id,kind,start_date\n36805280109,vacation,2026-07-06\n",
    );
    assert!(matches!(
        lenient(dir.path()),
        Err(IngestError::MissingColumn { ref column, .. }) if column == "end_date"
    ));
}

#[test]
fn a_table_given_twice_is_an_error() {
    let dir = copy_minimal();
    write(dir.path(), "absences.parquet", "");
    assert!(matches!(
        load(dir.path()),
        Err(IngestError::AmbiguousTable { .. })
    ));
}

#[test]
fn holidays_table_adds_days_off() {
    let dir = copy_minimal();
    write(
        dir.path(),
        "holidays.csv",
        "date,name\n2026-08-21,Agency day off\n",
    );
    let s = load(dir.path()).expect("loads");
    let day = NaiveDate::from_ymd_opt(2026, 8, 21).expect("date");
    assert!(!s.calendar.is_working_day(day));
    assert!(s.calendar.is_working_day(
        day.succ_opt()
            .and_then(|d| d.checked_add_days(chrono::Days::new(2)))
            .expect("date")
    ));
}

#[test]
fn the_docs_list_every_table_and_column_of_the_contract() {
    let doc = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/input-tables.md"),
    )
    .expect("docs/input-tables.md");
    for table in accessaudit_ingest::contract::TABLES {
        assert!(
            doc.contains(&format!("`{}`", table.name)),
            "table {} is not in the docs",
            table.name
        );
        for column in table.columns {
            assert!(
                doc.contains(column.name),
                "column {}.{} is not in the docs",
                table.name,
                column.name
            );
        }
    }
}

#[test]
fn a_period_filter_on_native_utc_timestamps_reaches_the_parquet_scan() {
    let dir = copy_minimal();
    let july = chrono::DateTime::parse_from_rfc3339("2026-07-01T07:00:00Z")
        .expect("ts")
        .timestamp_micros();
    // An extra column of noise makes the file larger than the small files
    // that are read into memory (and stacked) instead of scanned.
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    let mut noise = || {
        (0..300_000)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                format!("{state:016x}")
            })
            .collect::<String>()
    };
    let mut df = df!(
        "ts" => [july, july + 3_600_000_000],
        "system" => ["SKAIS", "SKAIS"],
        "account_id" => ["jmets", "jmets"],
        "subject_id" => ["60001019906", "60001019906"],
        "action" => ["view", "view"],
        "noise" => [noise(), noise()],
    )
    .expect("df");
    df.apply("ts", |c| {
        c.cast(&DataType::Datetime(
            TimeUnit::Microseconds,
            Some(TimeZone::UTC),
        ))
        .expect("cast")
    })
    .expect("apply");
    write_parquet(
        dir.path(),
        "access_log/month=2026-07/part-0.parquet",
        &mut df,
    );
    let s = load(dir.path()).expect("loads");
    let plan = s
        .frame("access_log")
        .filter(col("ts").gt_eq(lit(july).cast(timestamp_dtype())))
        .explain(true)
        .expect("plan");
    let scan = plan.find("Parquet SCAN").expect("a Parquet scan");
    assert!(
        plan[scan..].to_lowercase().contains("selection"),
        "the filter is not pushed into the scan:\n{plan}"
    );
}

/// The minimal snapshot with `accounts` replaced by the committed Parquet
/// file `name` of `tests/data` (written by `tests/data/make_parquet.py`).
fn with_accounts_parquet(name: &str) -> tempfile::TempDir {
    let dir = copy_minimal();
    std::fs::remove_file(dir.path().join("accounts.csv")).expect("rm");
    let data = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data");
    std::fs::copy(data.join(name), dir.path().join("accounts.parquet")).expect("copy");
    dir
}

fn texts(df: &DataFrame, column: &str) -> Vec<Option<String>> {
    df.column(column)
        .expect("column")
        .cast(&DataType::String)
        .expect("text")
        .str()
        .expect("str")
        .iter()
        .map(|v| v.map(str::to_string))
        .collect()
}

#[test]
fn parquet_decimal_person_id_reads_as_its_digits_and_decimal_extras_are_ignored() {
    // Before: "Arrow datatype Decimal not supported" (a panic in Polars).
    for name in [
        "decimal_person_id.parquet",
        "decimal_person_id_int64.parquet",
    ] {
        let dir = with_accounts_parquet(name);
        let s = load(dir.path()).unwrap_or_else(|e| panic!("{name}: {e}"));
        let t = s.table("accounts").expect("accounts");
        assert_eq!(t.extra_columns, ["salary"], "{name}");
        let df = collect(&s, "accounts");
        assert_eq!(
            texts(&df, "person_id"),
            [Some("36805280109".into()), Some("46805280103".into())],
            "{name}"
        );
        assert!(df.column("salary").is_err(), "{name}: salary is left out");
        assert_eq!(texts(&df, ROW_COLUMN), [Some("1".into()), Some("2".into())]);
    }
}

#[test]
fn parquet_decimal_with_a_scale_in_a_code_column_names_file_column_and_type() {
    let dir = with_accounts_parquet("decimal_scaled_person_id.parquet");
    match load(dir.path()) {
        Err(e @ IngestError::ColumnType { .. }) => {
            let text = e.to_string();
            assert!(
                text.contains("accounts.parquet")
                    && text.contains("`person_id`")
                    && text.contains("decimal(13,2)"),
                "{text}"
            );
        }
        other => panic!("expected a column type error, got {:?}", other.err()),
    }
}

#[test]
fn parquet_extra_list_duration_binary_and_struct_columns_are_ignored() {
    // Before: the table was refused over columns the rules never read.
    let dir = with_accounts_parquet("extra_nested_columns.parquet");
    let s = load(dir.path()).expect("loads");
    let t = s.table("accounts").expect("accounts");
    assert_eq!(t.extra_columns, ["address", "blob", "idle", "tags"]);
    let df = collect(&s, "accounts");
    assert_eq!(df.height(), 2);
    assert_eq!(
        texts(&df, "person_id"),
        [Some("36805280109".into()), Some("46805280103".into())]
    );
}

#[test]
fn parquet_from_pandas_category_and_all_null_columns_are_read() {
    // Before: "column `kind` has type cat" and the Arrow `null` columns refused.
    let dir = with_accounts_parquet("pandas_category_and_null.parquet");
    let s = load(dir.path()).expect("loads");
    let df = collect(&s, "accounts");
    assert_eq!(
        texts(&df, "kind"),
        [Some("personal".into()), Some("personal".into())]
    );
    assert_eq!(
        texts(&df, "system"),
        [Some("SKAIS".into()), Some("SKAIS".into())]
    );
    assert_eq!(
        df.column("closed_at").expect("closed_at").dtype(),
        &timestamp_dtype()
    );
    assert_eq!(df.column("closed_at").expect("closed_at").null_count(), 2);
    assert_eq!(texts(&df, "note"), [None, None]);
    assert_eq!(
        s.table("accounts").expect("accounts").extra_columns,
        ["note"]
    );
}

#[test]
fn as_of_before_the_period_is_refused_naming_where_each_came_from() {
    // Before: the audit ran without a word.
    let dir = copy_minimal();
    write(
        dir.path(),
        "manifest.toml",
        "as_of = 2026-01-01\nperiod = \"2026-Q3\"\n",
    );
    let err = load(dir.path()).err().expect("refused");
    let text = err.to_string();
    assert!(
        matches!(err, IngestError::AsOfBeforePeriod { .. })
            && text.contains("as_of 2026-01-01 (from manifest.toml)")
            && text
                .contains("period starts: 2026-Q3 (2026-07-01..2026-09-30), from manifest.toml."),
        "{text}"
    );
    let over = Snapshot::load(
        &minimal(),
        &LoadOptions {
            as_of: Some("2026-06-30".into()),
            ..Default::default()
        },
    );
    let text = over.err().expect("refused").to_string();
    assert!(
        text.contains("(from --as-of)") && text.contains("from manifest.toml."),
        "{text}"
    );
    // An as_of inside or after the period is fine.
    for as_of in ["2026-07-01", "2026-10-05"] {
        Snapshot::load(
            &minimal(),
            &LoadOptions {
                as_of: Some(as_of.into()),
                ..Default::default()
            },
        )
        .expect(as_of);
    }
}

#[test]
fn manifest_values_that_cannot_be_used_name_manifest_toml_and_the_line() {
    for (text, expected) in [
        (
            "organisation = \"x\"\nas_of = 20260930\n",
            "manifest.toml: line 2: as_of = 20260930: an integer",
        ),
        (
            "as_of = \"2026-09-31\"\nperiod = \"2026-Q3\"\n",
            "manifest.toml: line 1: as_of = \"2026-09-31\": not a date",
        ),
        (
            "as_of = 2026-09-30\nperiod = \"2026-Q5\"\n",
            "manifest.toml: line 2: period = \"2026-Q5\": a quarter is Q1 to Q4",
        ),
    ] {
        let dir = copy_minimal();
        write(dir.path(), "manifest.toml", text);
        let message = load(dir.path()).err().expect("refused").to_string();
        assert!(message.starts_with(expected), "{text:?}: {message}");
    }
}

#[test]
fn gzipped_partition_is_refused_by_name_not_skipped() {
    // Before: access_log/month=08/part-0.csv.gz was skipped and its rows lost.
    let dir = copy_minimal();
    write(
        dir.path(),
        "access_log/month=07/part-0.csv",
        "ts,system,account_id,subject_id,action\n2026-07-01T10:00:00+03:00,SKAIS,jmets,38001010008,view\n",
    );
    write(
        dir.path(),
        "access_log/month=08/part-0.csv.gz",
        b"\x1f\x8b\x08",
    );
    write(
        dir.path(),
        "access_log/README.txt",
        "exported by the log server",
    );
    match load(dir.path()) {
        Err(e @ IngestError::UnreadFile { .. }) => {
            let text = e.to_string();
            assert!(
                text.starts_with(
                    "access_log/month=08/part-0.csv.gz: a compressed file is not read"
                ),
                "{text}"
            );
        }
        other => panic!("expected the .gz file refused, got {:?}", other.err()),
    }
}

#[test]
fn parquet_extra_list_duration_and_binary_columns_are_ignored_in_a_lazy_scan() {
    // The same as above in a file Polars scans lazily (no struct in it):
    // before, casting the extra columns to text failed the table.
    let dir = copy_minimal();
    std::fs::remove_file(dir.path().join("accounts.csv")).expect("rm");
    let tags = Series::new(
        "tags".into(),
        [
            Series::new("".into(), [1i64, 2]),
            Series::new("".into(), [3i64]),
        ],
    );
    let idle = Series::new("idle".into(), [86_400_000_000i64, 0])
        .cast(&DataType::Duration(TimeUnit::Microseconds))
        .expect("duration");
    let blob = Series::new("blob".into(), [&b"\x00\x01"[..], &b""[..]]);
    let mut df = df!(
        "system" => ["SKAIS", "SKAIS"],
        "account_id" => ["jmets", "mkask"],
        "person_id" => ["36805280109", "46805280103"],
        "kind" => ["personal", "personal"],
        "created_at" => ["2020-01-02T09:00:00+02:00", "2018-03-01T09:00:00+02:00"],
    )
    .expect("df");
    df.with_column(tags.into_column()).expect("tags");
    df.with_column(idle.into_column()).expect("idle");
    df.with_column(blob.into_column()).expect("blob");
    write_parquet(dir.path(), "accounts.parquet", &mut df);
    let s = load(dir.path()).expect("loads");
    assert_eq!(
        s.table("accounts").expect("accounts").extra_columns,
        ["blob", "idle", "tags"]
    );
    assert_eq!(collect(&s, "accounts").height(), 2);
}

#[test]
fn an_optional_column_no_file_has_is_named_absent() {
    let dir = copy_minimal();
    let s = load(dir.path()).expect("loads");
    let accounts = s.table("accounts").expect("accounts");
    assert!(accounts.absent_columns.contains(&"full_name"));
    assert!(!s.has_column("accounts", "unit"));
    assert!(s.has_column("accounts", "last_login_at"));
    let text = std::fs::read_to_string(dir.path().join("accounts.csv")).expect("accounts");
    let mut lines = text.lines();
    let header = format!("{},full_name,unit", lines.next().expect("header"));
    let rows: Vec<String> = lines.map(|l| format!("{l},Jaan Mets,")).collect();
    std::fs::write(
        dir.path().join("accounts.csv"),
        format!("{header}\n{}\n", rows.join("\n")),
    )
    .expect("write");
    let s = load(dir.path()).expect("loads");
    assert!(s.has_column("accounts", "full_name"));
    // A column every row leaves empty is still a column the export has.
    assert!(s.has_column("accounts", "unit"));
}
