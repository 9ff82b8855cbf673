//! `invalid_person_code`: every `person` value of every table must be a valid
//! Estonian personal code (or a country-prefixed foreign one).

use polars::prelude::*;

use accessaudit_ingest::contract::{is_subject_column, ColumnType, FILE_COLUMN, ROW_COLUMN};
use accessaudit_ingest::isikukood;

use super::row_problems::{RowProblems, OUTPUTS};
use super::{CheckKind, Context};
use crate::definition::Rule;
use crate::pseudonym::Pseudonymizer;

/// The check kind.
pub(super) const KIND: CheckKind = CheckKind {
    name: "invalid_person_code",
    summary: "every person value passes the isikukood date and check-digit test",
    params: &[],
    needs: |_| &[],
    outputs: OUTPUTS,
    evaluate,
};

/// `column "value" <problem>` for invalid codes, null for valid ones; a data
/// subject's code is shown by its pseudonym.
fn describe_invalid(
    column: &'static str,
    subjects: Option<Pseudonymizer>,
    values: Column,
) -> PolarsResult<Column> {
    let ca = values.str()?;
    let out: StringChunked = ca
        .iter()
        .map(|v| {
            let v = v?;
            isikukood::validate(v).err().map(|problem| {
                let shown = subjects
                    .as_ref()
                    .map_or_else(|| v.to_string(), |p| p.label(v));
                format!("{column} {shown:?} {problem}")
            })
        })
        .collect();
    Ok(out.with_name(ca.name().clone()).into_column())
}

fn evaluate(ctx: &Context<'_>, _rule: &Rule) -> PolarsResult<LazyFrame> {
    let mut problems = RowProblems::default();
    for table in &ctx.snapshot.tables {
        for column in table
            .spec
            .columns
            .iter()
            .filter(|c| c.ty == ColumnType::Person)
        {
            let name = column.name;
            let subjects = is_subject_column(table.spec.name, name).then(|| ctx.pseudonyms.clone());
            // Each distinct code is checked once (the access log repeats its
            // subjects many times); only rows with a bad one are read whole.
            let distinct = ctx.distinct(
                table.spec.name,
                &table.frame,
                col(name).is_not_null(),
                vec![col(name)],
            )?;
            let bad = distinct
                .lazy()
                .select([
                    col(name),
                    col(name)
                        .map(
                            move |c| describe_invalid(name, subjects.clone(), c),
                            |_, f| Ok(Field::new(f.name().clone(), DataType::String)),
                        )
                        .alias("detail"),
                ])
                .filter(col("detail").is_not_null())
                .collect()?;
            if bad.height() == 0 {
                continue;
            }
            // Streamed: in the access log this reads every row.
            let df = super::collect_streaming(
                table
                    .frame
                    .clone()
                    .select([col(FILE_COLUMN), col(ROW_COLUMN), col(name)])
                    .join(
                        bad.lazy(),
                        [col(name)],
                        [col(name)],
                        JoinArgs::new(JoinType::Inner),
                    )
                    .select([col(FILE_COLUMN), col(ROW_COLUMN), col("detail")]),
            )?;
            // The code is still the key the other tables use: the row stays
            // in the other rules, so one bad code is one finding.
            problems.push_frame(table.spec.name, &df, false)?;
        }
    }
    problems.into_frame()
}
