//! The DPO's cases for people: each case's one-sentence narrative, and
//! `review/dpo-cases.xlsx`, where the DPO records a disposition per case.

use accessaudit_review::cases::Case;

/// "looked at 136 people on 12 days without a case; 6 exports without a
/// case; …" in the words of `word` (the report's strings).
pub(crate) fn narrative(c: &Case, word: &dyn Fn(&str) -> String) -> String {
    let fill = |key: &str, values: &[(&str, String)]| {
        values.iter().fold(word(key), |out, (name, value)| {
            out.replace(&format!("{{{name}}}"), value)
        })
    };
    let mut parts = Vec::new();
    if c.without_case.0 > 0 {
        parts.push(fill(
            "case_looked",
            &[
                ("n", c.without_case.0.to_string()),
                ("d", c.without_case.1.to_string()),
            ],
        ));
    }
    if c.exports > 0 {
        parts.push(fill("case_exports", &[("n", c.exports.to_string())]));
    }
    if c.after_hours > 0 {
        parts.push(fill(
            "case_after_hours",
            &[("n", c.after_hours.to_string())],
        ));
    }
    if c.owner_unknown {
        parts.push(word("case_owner_unknown"));
    }
    parts.push(fill(
        "case_rules",
        &[
            ("n", c.findings.len().to_string()),
            ("rules", c.rules.join(", ")),
        ],
    ));
    format!("{}.", parts.join("; "))
}
