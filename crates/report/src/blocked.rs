//! The rules that could not run for want of input, said once per missing
//! input (an absent table, or the review history), in the report's words:
//! the console summary and report.html say the same lines.

use accessaudit_rules::checks::{DECISION_LEDGER, NO_EARLIER_REVIEW};
use accessaudit_rules::{Evaluation, OutcomeState};

/// One line per missing input naming the rules it blocks, in the order the
/// outcomes first name it; `word` gives a message template by key.
pub(crate) fn lines(evaluation: &Evaluation, word: &dyn Fn(&str) -> String) -> Vec<String> {
    let mut blocked: Vec<(&str, Vec<&str>)> = Vec::new();
    for o in &evaluation.outcomes {
        if let OutcomeState::NotEvaluable { table, .. } = &o.state {
            match blocked.iter_mut().find(|(t, _)| t == table) {
                Some((_, rules)) => rules.push(&o.rule_id),
                None => blocked.push((table, vec![&o.rule_id])),
            }
        }
    }
    blocked
        .into_iter()
        .map(|(table, rules)| {
            // The review history is not a table of the snapshot: it comes
            // with --history, and holds an earlier review or not.
            let key = match table {
                DECISION_LEDGER => "ledger_absent",
                NO_EARLIER_REVIEW => "earlier_review_absent",
                _ => "tables_absent",
            };
            word(key)
                .replace("{table}", table)
                .replace("{rules}", &rules.join(", "))
        })
        .collect()
}
