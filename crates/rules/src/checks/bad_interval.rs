//! `bad_interval`: an end before its start (such rows are left out of the
//! other rules), and `employees` rows of one person that overlap (kept: the
//! person was employed over their union, in the unit and position of each).

use polars::prelude::*;

use accessaudit_ingest::contract::{FILE_COLUMN, ROW_COLUMN};

use super::row_problems::{RowProblems, OUTPUTS};
use super::{CheckKind, Context};
use crate::definition::Rule;
use crate::display;

/// The check kind.
pub(super) const KIND: CheckKind = CheckKind {
    name: "bad_interval",
    summary: "intervals whose end is before their start; overlapping employees rows of one person",
    params: &[],
    needs: |_| &[],
    outputs: OUTPUTS,
    evaluate,
};

/// (table, start column, end column) of every interval in the contract.
const INTERVALS: &[(&str, &str, &str)] = &[
    ("employees", "valid_from", "valid_to"),
    ("accounts", "created_at", "closed_at"),
    ("role_assignments", "valid_from", "valid_to"),
    ("absences", "start_date", "end_date"),
    ("substitutions", "start_date", "end_date"),
    ("cases", "opened_at", "closed_at"),
];

fn ends_before_start(
    ctx: &Context<'_>,
    problems: &mut RowProblems,
    table: &'static str,
    start: &'static str,
    end: &'static str,
) -> PolarsResult<()> {
    let Some(t) = ctx.snapshot.table(table) else {
        return Ok(());
    };
    let df = t
        .frame
        .clone()
        .filter(col(end).lt(col(start)))
        .select([col(FILE_COLUMN), col(ROW_COLUMN), col(start), col(end)])
        .collect()?;
    let files = df.column(FILE_COLUMN)?.u32()?.clone();
    let rows = df.column(ROW_COLUMN)?.u64()?.clone();
    for i in 0..df.height() {
        let s = display::text(&df.column(start)?.get(i)?).unwrap_or_default();
        let e = display::text(&df.column(end)?.get(i)?).unwrap_or_default();
        if let (Some(file), Some(row)) = (files.get(i), rows.get(i)) {
            problems.push(
                table,
                file,
                row,
                format!("{end} {e} is before {start} {s}"),
                true,
            );
        }
    }
    Ok(())
}

fn overlapping_employment(ctx: &Context<'_>, problems: &mut RowProblems) -> PolarsResult<()> {
    let Some(t) = ctx.snapshot.table("employees") else {
        return Ok(());
    };
    // Rows whose own interval is inverted are reported above, not as overlaps.
    let rows = t
        .frame
        .clone()
        .filter(
            col("valid_to")
                .is_null()
                .or(col("valid_to").gt_eq(col("valid_from"))),
        )
        .select([
            col("person_id"),
            col("valid_from"),
            col("valid_to"),
            col(FILE_COLUMN),
            col(ROW_COLUMN),
        ]);
    let open_end = || lit(NaiveDateLit::MAX_DAYS).cast(DataType::Date);
    let pairs = rows
        .clone()
        .join(
            rows,
            [col("person_id")],
            [col("person_id")],
            JoinArgs::new(JoinType::Inner).with_suffix(Some("_other".into())),
        )
        .filter(
            col(FILE_COLUMN)
                .neq(col("__file_other"))
                .or(col(ROW_COLUMN).neq(col("__row_other"))),
        )
        .filter(
            col("valid_from")
                .lt_eq(col("valid_to_other").fill_null(open_end()))
                .and(col("valid_from_other").lt_eq(col("valid_to").fill_null(open_end()))),
        )
        .select([
            col(FILE_COLUMN),
            col(ROW_COLUMN),
            col("__file_other"),
            col("__row_other"),
        ])
        .collect()?;
    let files = pairs.column(FILE_COLUMN)?.u32()?.clone();
    let rows = pairs.column(ROW_COLUMN)?.u64()?.clone();
    let other_files = pairs.column("__file_other")?.u32()?.clone();
    let other_rows = pairs.column("__row_other")?.u64()?.clone();
    for i in 0..pairs.height() {
        if let (Some(f), Some(r), Some(of), Some(or)) = (
            files.get(i),
            rows.get(i),
            other_files.get(i),
            other_rows.get(i),
        ) {
            problems.push(
                "employees",
                f,
                r,
                format!("overlaps {} of the same person", t.row_ref(of, or)),
                // Both rows stay: the person was employed over their union.
                false,
            );
        }
    }
    Ok(())
}

/// The largest day number a Date column holds comfortably (year 9999).
struct NaiveDateLit;
impl NaiveDateLit {
    const MAX_DAYS: i32 = 2_932_896;
}

fn evaluate(ctx: &Context<'_>, _rule: &Rule) -> PolarsResult<LazyFrame> {
    let mut problems = RowProblems::default();
    for (table, start, end) in INTERVALS {
        ends_before_start(ctx, &mut problems, table, start, end)?;
    }
    overlapping_employment(ctx, &mut problems)?;
    problems.into_frame()
}
