//! The history's trends as text tables (`accessaudit history`).

use std::collections::BTreeSet;
use std::fmt::Write as _;

use accessaudit_review::history::trends::Trends;
use accessaudit_rules::Area;

/// How many long-open findings are listed.
const AGED_LISTED: usize = 15;

/// Findings per area and per unit over the reviews, the longest-open
/// findings, and the median reviews to resolution per rule.
pub fn table(t: &Trends) -> String {
    let mut out = String::new();
    if t.reviews.is_empty() {
        out.push_str("No runs in this history yet: audit with --history DIR.\n");
        return out;
    }
    let _ = write!(out, "Findings per area\n{:<12} {:>6}", "as_of", "total");
    for a in Area::ALL {
        let _ = write!(out, " {:>5}", a.as_str());
    }
    out.push('\n');
    for r in &t.reviews {
        let _ = write!(out, "{:<12} {:>6}", r.as_of.to_string(), r.total);
        for a in Area::ALL {
            let _ = write!(
                out,
                " {:>5}",
                r.by_area.get(a.as_str()).copied().unwrap_or(0)
            );
        }
        out.push('\n');
    }
    let units: BTreeSet<&String> = t.reviews.iter().flat_map(|r| r.by_unit.keys()).collect();
    let _ = write!(out, "\nFindings per unit\n{:<44}", "unit");
    for r in &t.reviews {
        let _ = write!(out, " {:>10}", r.as_of.to_string());
    }
    out.push('\n');
    for unit in units {
        let name = if unit.is_empty() {
            "(no unit)"
        } else {
            unit.as_str()
        };
        let _ = write!(out, "{:<44}", name.chars().take(44).collect::<String>());
        for r in &t.reviews {
            let _ = write!(out, " {:>10}", r.by_unit.get(unit).copied().unwrap_or(0));
        }
        out.push('\n');
    }
    out.push_str("\nOpen for more than one review (latest review)\n");
    if t.ageing.is_empty() {
        out.push_str("  none\n");
    }
    for a in t.ageing.iter().take(AGED_LISTED) {
        let _ = writeln!(
            out,
            "  {:>2} reviews  {:<8} {}  {}",
            a.reviews_open, a.rule_id, a.finding_id, a.unit
        );
    }
    if t.ageing.len() > AGED_LISTED {
        let _ = writeln!(out, "  … and {} more", t.ageing.len() - AGED_LISTED);
    }
    out.push_str("\nMedian reviews to resolution\n");
    if t.median_reviews_to_resolution.is_empty() {
        out.push_str("  no finding resolved yet\n");
    }
    for (rule, median) in &t.median_reviews_to_resolution {
        let _ = writeln!(out, "  {rule:<8} {median:.1}");
    }
    out
}
