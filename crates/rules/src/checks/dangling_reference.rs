//! `dangling_reference`: a non-empty key that names no row of the table it
//! refers to (the references of `input-tables.md`).

use polars::prelude::*;

use accessaudit_ingest::contract::{FILE_COLUMN, ROW_COLUMN};

use super::row_problems::{RowProblems, OUTPUTS};
use super::{CheckKind, Context};
use crate::definition::Rule;
use crate::display;

/// The check kind.
pub(super) const KIND: CheckKind = CheckKind {
    name: "dangling_reference",
    summary: "keys that name nothing: assignment → account and role, account → system, employee → position, basis_ref → request or order, access_log → account",
    params: &[],
    needs: |_| &[],
    outputs: OUTPUTS,
    evaluate,
};

/// One reference of the contract.
struct Reference {
    from: &'static str,
    keys: &'static [&'static str],
    to: &'static str,
    to_keys: &'static [&'static str],
    /// Only rows where this column has this value refer.
    when: Option<(&'static str, &'static str)>,
    /// What the key names, for the message.
    what: &'static str,
    /// Whether a row whose key names nothing is left out of the other rules
    /// (an account or role that names nothing); a dangling `basis_ref` stays
    /// in, since it is also the ACC-03/TIME-04 violation it causes.
    excludes: bool,
}

const REFERENCES: &[Reference] = &[
    Reference {
        from: "role_assignments",
        keys: &["system", "account_id"],
        to: "accounts",
        to_keys: &["system", "account_id"],
        when: None,
        what: "account",
        excludes: true,
    },
    Reference {
        from: "role_assignments",
        keys: &["system", "role"],
        to: "roles",
        to_keys: &["system", "role"],
        when: None,
        what: "role",
        excludes: true,
    },
    Reference {
        from: "accounts",
        keys: &["system"],
        to: "roles",
        to_keys: &["system"],
        when: None,
        what: "system",
        excludes: false,
    },
    Reference {
        from: "duty_roles",
        keys: &["system", "role"],
        to: "roles",
        to_keys: &["system", "role"],
        when: None,
        what: "role",
        excludes: true,
    },
    Reference {
        from: "access_requests",
        keys: &["system", "role"],
        to: "roles",
        to_keys: &["system", "role"],
        when: None,
        what: "role",
        excludes: true,
    },
    Reference {
        from: "employees",
        keys: &["position_id"],
        to: "positions",
        to_keys: &["position_id"],
        when: None,
        what: "position",
        excludes: false,
    },
    Reference {
        from: "position_duties",
        keys: &["position_id"],
        to: "positions",
        to_keys: &["position_id"],
        when: None,
        what: "position",
        excludes: false,
    },
    Reference {
        from: "role_assignments",
        keys: &["basis_ref"],
        to: "access_requests",
        to_keys: &["request_id"],
        when: Some(("basis", "request")),
        what: "request",
        excludes: false,
    },
    Reference {
        from: "role_assignments",
        keys: &["basis_ref"],
        to: "substitutions",
        to_keys: &["order_id"],
        when: Some(("basis", "substitution")),
        what: "substitution order",
        excludes: false,
    },
    Reference {
        from: "access_log",
        keys: &["system", "account_id"],
        to: "accounts",
        to_keys: &["system", "account_id"],
        when: None,
        what: "account",
        excludes: true,
    },
];

fn dangling(ctx: &Context<'_>, r: &Reference) -> PolarsResult<Option<DataFrame>> {
    let Some(source) = ctx.snapshot.table(r.from) else {
        return Ok(None);
    };
    let keys: Vec<Expr> = r.keys.iter().map(|k| col(*k)).collect();
    let mut filter = keys
        .iter()
        .map(|k| k.clone().is_not_null())
        .reduce(|a, b| a.and(b))
        .unwrap_or(lit(true));
    if let Some((column, value)) = r.when {
        filter = filter.and(col(column).eq(lit(value)));
    }
    let mut select = keys.clone();
    select.extend([col(FILE_COLUMN), col(ROW_COLUMN)]);
    let target = ctx
        .snapshot
        .frame(r.to)
        .select(
            r.to_keys
                .iter()
                .zip(r.keys)
                .map(|(t, k)| col(*t).alias(*k))
                .collect::<Vec<_>>(),
        )
        .unique(None, UniqueKeepStrategy::Any);
    // Distinct keys first: a large table (the access log) names few
    // distinct keys, and only rows with a missing one are read in full.
    let distinct = ctx.distinct(r.from, &source.frame, filter.clone(), keys.clone())?;
    let missing = distinct
        .lazy()
        .join(
            target,
            keys.clone(),
            keys.clone(),
            JoinArgs::new(JoinType::Anti),
        )
        .collect()?;
    if missing.height() == 0 {
        return Ok(None);
    }
    // Streamed: in the access log this reads every row.
    let df = super::collect_streaming(source.frame.clone().filter(filter).select(select).join(
        missing.lazy(),
        keys.clone(),
        keys,
        JoinArgs::new(JoinType::Semi),
    ))?;
    Ok(Some(df))
}

fn evaluate(ctx: &Context<'_>, _rule: &Rule) -> PolarsResult<LazyFrame> {
    let mut problems = RowProblems::default();
    for r in REFERENCES {
        let Some(df) = dangling(ctx, r)? else {
            continue;
        };
        let files = df.column(FILE_COLUMN)?.u32()?.clone();
        let rows = df.column(ROW_COLUMN)?.u64()?.clone();
        for i in 0..df.height() {
            let mut parts = Vec::with_capacity(r.keys.len());
            for k in r.keys {
                parts.push(display::text(&df.column(k)?.get(i)?).unwrap_or_default());
            }
            let (Some(file), Some(row)) = (files.get(i), rows.get(i)) else {
                continue;
            };
            let key_names = r.keys.join("/");
            problems.push(
                r.from,
                file,
                row,
                format!(
                    "{} {key_names} {:?} names no row of {}",
                    r.what,
                    parts.join("/"),
                    r.to
                ),
                r.excludes,
            );
        }
    }
    problems.into_frame()
}
