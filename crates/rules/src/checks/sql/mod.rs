//! Check kind `sql`: the rule file carries the check itself, a query in
//! Polars' SQL over the snapshot's tables (by their contract names) and the
//! derived views ([`views`]), with the audit's moments and the rule's
//! parameters as typed placeholders ([`placeholders`]). One returned row is
//! one finding. The query is planned at load against the contract's empty
//! tables ([`load`]), so a misspelt column is a definition problem with its
//! file and line, not a failure mid-audit.

use polars::prelude::*;
use polars::sql::SQLContext;

use accessaudit_ingest::{contract, Snapshot};

use crate::checks::{CheckKind, Context};
use crate::definition::Rule;

pub(crate) mod load;
pub(crate) mod placeholders;
pub(crate) mod views;

/// The check kind.
pub(crate) const KIND: CheckKind = CheckKind {
    name: "sql",
    summary: "a query written in the rule file (Polars SQL); each row it returns is a finding",
    params: &[],
    needs: |_| &[],
    outputs: &[],
    evaluate,
};

/// A rule's query as the loader checked it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    /// The query as written, placeholders and all.
    pub text: String,
    /// The tables and views it reads.
    pub reads: Vec<String>,
    /// What it cannot be evaluated without: optional tables it reads, and
    /// the rule file's `needs` (a table, or `table.column` for an optional
    /// column).
    pub needs: Vec<String>,
    /// The columns it returns.
    pub outputs: Vec<String>,
}

impl Query {
    /// The first of its needs the snapshot lacks, with the reason.
    pub(crate) fn missing(&self, snapshot: &Snapshot) -> Option<(String, String)> {
        self.needs
            .iter()
            .find_map(|need| match need.split_once('.') {
                Some((table, column)) if !snapshot.has_column(table, column) => Some((
                    need.clone(),
                    if snapshot.table(table).is_none() {
                        format!("the optional table {table} is absent")
                    } else {
                        format!("the optional column {column} of {table} is absent")
                    },
                )),
                None if snapshot.table(need).is_none() => {
                    Some((need.clone(), format!("the optional table {need} is absent")))
                }
                _ => None,
            })
    }
}

/// The value of placeholder `name` for `rule` over `snapshot`: a built-in
/// moment or one of the rule's parameters, as a typed literal.
pub(crate) fn placeholder_value(
    rule_params: &crate::definition::ParamMap,
    snapshot: &Snapshot,
    name: &str,
) -> Option<String> {
    match name {
        "as_of" => Some(placeholders::instant(snapshot.as_of)),
        "as_of_day" => Some(placeholders::date(snapshot.as_of_day())),
        "period_start" => Some(placeholders::date(snapshot.period.from)),
        "period_end" => Some(placeholders::date(snapshot.period.to)),
        _ => rule_params.get(name).and_then(placeholders::literal),
    }
}

/// Plans `query` over the tables and views it reads in `ctx`.
pub(crate) fn plan(
    ctx: &Context<'_>,
    query: &Query,
    params: &crate::definition::ParamMap,
) -> PolarsResult<LazyFrame> {
    let text = placeholders::substitute(&query.text, |name| {
        placeholder_value(params, ctx.snapshot, name)
    })
    .map_err(|name| polars_err!(ComputeError: "the query's placeholder :{name} has no value"))?;
    let sql = SQLContext::new();
    for name in &query.reads {
        if contract::table(name).is_some() {
            sql.register(name, ctx.whole_frame(name));
        } else if views::is_view(name) {
            sql.register(name, views::build(ctx, name)?);
        }
    }
    let mut sql = sql;
    sql.execute(&text)
}

fn evaluate(ctx: &Context<'_>, rule: &Rule) -> PolarsResult<LazyFrame> {
    let query = rule
        .sql
        .as_ref()
        .ok_or_else(|| polars_err!(ComputeError: "rule {} has no query", rule.id))?;
    plan(ctx, query, &rule.params)
}
