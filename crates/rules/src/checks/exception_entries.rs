//! `exception_entries`: accepted-risk exceptions that expired, or that
//! matched no finding, so the list of accepted risks cannot rot.

use polars::prelude::*;

use super::{CheckKind, Context, ParamKind, ParamSpec};
use crate::definition::Rule;

/// The check kind.
pub(super) const KIND: CheckKind = CheckKind {
    name: "exception_entries",
    summary:
        "entries of the --exceptions file that expired before as_of, or that matched no finding",
    params: &[ParamSpec {
        name: "condition",
        kind: ParamKind::Choice(&["expired", "unused"]),
        optional: false,
    }],
    needs: |_| &[],
    outputs: &[
        "ref",
        "expires",
        "matched",
        "reason",
        "approved_by",
        "evidence",
    ],
    evaluate,
};

fn evaluate(ctx: &Context<'_>, rule: &Rule) -> PolarsResult<LazyFrame> {
    let Some(entries) = &ctx.exceptions else {
        // No exceptions file: there is nothing that could have expired.
        let empty = DataFrame::new_infer_height(vec![
            Column::new_empty("ref".into(), &DataType::String),
            Column::new_empty("expires".into(), &DataType::Date),
            Column::new_empty("matched".into(), &DataType::UInt32),
            Column::new_empty("reason".into(), &DataType::String),
            Column::new_empty("approved_by".into(), &DataType::String),
            Column::new_empty("evidence".into(), &DataType::String),
        ])?;
        return Ok(empty.lazy());
    };
    let filter = match rule.text("condition")?.as_str() {
        "expired" => col("expired"),
        _ => col("expired").not().and(col("matched").eq(lit(0u32))),
    };
    Ok(entries.clone().lazy().filter(filter).select([
        col("id").alias("ref"),
        col("expires"),
        col("matched"),
        col("reason"),
        col("approved_by"),
        col("line").alias("evidence"),
    ]))
}
