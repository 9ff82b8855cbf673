//! The report's "Trends" section: findings per area and per unit over the
//! history's last reviews, the persisting findings' ageing and the median
//! reviews to resolution per rule, drawn as inline SVG like the report's
//! other charts (no script, no external address).

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{json, Value};

use accessaudit_review::history::trends::Trends;
use accessaudit_rules::Area;

use super::esc;

/// How many persisting findings the ageing table lists.
const AGED_LISTED: usize = 15;
/// How many units the small multiples show (the most findings first).
const UNITS_LISTED: usize = 20;

/// One colour per area, in `Area::ALL` order.
const AREA_COLOURS: [&str; 6] = [
    "#0b5cad", "#c2410c", "#7c3aed", "#a16207", "#47607a", "#2f6f3e",
];

/// The words the section uses, English where one is missing.
struct Words<'a>(&'a BTreeMap<String, String>);

impl Words<'_> {
    fn get(&self, key: &str) -> String {
        self.0.get(key).cloned().unwrap_or_else(|| key.to_string())
    }

    /// `v` with one decimal, in the language's decimal separator.
    fn decimal(&self, v: f64) -> String {
        format!("{v:.1}").replace('.', &self.get("decimal_point"))
    }

    fn unit(&self, unit: &str) -> String {
        if unit.is_empty() {
            self.get("trend_no_unit")
        } else {
            unit.to_string()
        }
    }
}

/// The section's values for the template, or nothing when the history
/// holds no review before this one (a trend of one point says nothing).
pub(super) fn context(trends: Option<&Trends>, t: &BTreeMap<String, String>) -> Option<Value> {
    let trends = trends.filter(|x| x.reviews.len() >= 2)?;
    let w = Words(t);
    let first = trends.reviews.first()?.as_of.to_string();
    let latest = trends.reviews.last()?.as_of.to_string();
    let intro = w
        .get("trend_intro")
        .replace("{reviews}", &trends.reviews.len().to_string())
        .replace("{as_of}", &latest);
    let (units, more_units) = unit_rows(trends, &w);
    let aged: Vec<Value> = trends
        .ageing
        .iter()
        .take(AGED_LISTED)
        .map(|a| {
            json!({ "rule_id": a.rule_id, "unit": w.unit(&a.unit), "reviews_open": a.reviews_open,
                    "bar": ageing_bar(a.reviews_open), "message": a.message, "finding_id": a.finding_id })
        })
        .collect();
    let more_aged = trends.ageing.len().saturating_sub(AGED_LISTED);
    Some(json!({
        "intro": intro,
        "chart_areas": chart_areas(trends, &w),
        "units": units,
        "units_range": format!("{first} – {latest}"),
        "more_units": (more_units > 0).then(|| w.get("trend_more_units").replace("{count}", &more_units.to_string())),
        "aged": aged,
        "more_aged": (more_aged > 0).then(|| w.get("trend_more_aged").replace("{count}", &more_aged.to_string())),
        "chart_resolution": (!trends.median_reviews_to_resolution.is_empty()).then(|| chart_resolution(trends, &w)),
    }))
}

/// A round step for an axis up to `max` with about four gridlines.
fn axis_step(max: usize) -> usize {
    let rough = max.div_ceil(4).max(1);
    let mut magnitude = 1;
    while magnitude * 10 <= rough {
        magnitude *= 10;
    }
    [1, 2, 5, 10]
        .iter()
        .map(|m| m * magnitude)
        .find(|s| *s >= rough)
        .unwrap_or(10 * magnitude)
}

/// Stacked columns: one per review, one segment per area, the total on top,
/// and a legend of the areas that occur.
fn chart_areas(trends: &Trends, w: &Words<'_>) -> String {
    let areas: Vec<(Area, &str)> = Area::ALL
        .into_iter()
        .zip(AREA_COLOURS)
        .filter(|(a, _)| {
            trends
                .reviews
                .iter()
                .any(|r| r.by_area.get(a.as_str()).copied().unwrap_or(0) > 0)
        })
        .collect();
    let max = trends.reviews.iter().map(|r| r.total).max().unwrap_or(0);
    let step = axis_step(max);
    let top_value = max.div_ceil(step).max(1) * step;
    let (left, top, plot_h, col_w, gap) = (40, 18, 200, 46, 30);
    let plot_w = trends.reviews.len() * (col_w + gap);
    let legend_x = left + plot_w + 20;
    let width = legend_x + 70;
    let height = top + plot_h + 30;
    let scale = |v: usize| (v * plot_h) as f64 / top_value as f64;
    let mut svg = format!(
        "<svg width=\"{width}\" height=\"{height}\" role=\"img\" aria-label=\"{}\">",
        esc(&w.get("trend_by_area"))
    );
    let mut tick = 0;
    while tick <= top_value {
        let y = top as f64 + plot_h as f64 - scale(tick);
        svg.push_str(&format!(
            "<line x1=\"{left}\" x2=\"{}\" y1=\"{y:.1}\" y2=\"{y:.1}\" stroke=\"#d8dee5\"/><text x=\"{}\" y=\"{:.1}\" text-anchor=\"end\">{tick}</text>",
            left + plot_w,
            left - 6,
            y + 4.0
        ));
        tick += step;
    }
    for (i, r) in trends.reviews.iter().enumerate() {
        let x = left + gap / 2 + i * (col_w + gap);
        let mut base = top as f64 + plot_h as f64;
        for (area, colour) in &areas {
            let n = r.by_area.get(area.as_str()).copied().unwrap_or(0);
            if n == 0 {
                continue;
            }
            let h = scale(n);
            base -= h;
            svg.push_str(&format!(
                "<rect x=\"{x}\" y=\"{base:.1}\" width=\"{col_w}\" height=\"{h:.1}\" fill=\"{colour}\"><title>{} {}: {n}</title></rect>",
                r.as_of,
                area.as_str()
            ));
            if h >= 14.0 {
                svg.push_str(&format!(
                    "<text x=\"{}\" y=\"{:.1}\" text-anchor=\"middle\" style=\"fill:#fff\">{n}</text>",
                    x + col_w / 2,
                    base + h / 2.0 + 4.0
                ));
            }
        }
        svg.push_str(&format!(
            "<text x=\"{}\" y=\"{:.1}\" text-anchor=\"middle\" style=\"font-weight:600\">{}</text><text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
            x + col_w / 2,
            base - 4.0,
            r.total,
            x + col_w / 2,
            top + plot_h + 16,
            r.as_of
        ));
    }
    for (i, (area, colour)) in areas.iter().enumerate() {
        let y = top + i * 18;
        svg.push_str(&format!(
            "<rect x=\"{legend_x}\" y=\"{y}\" width=\"12\" height=\"12\" fill=\"{colour}\"/><text x=\"{}\" y=\"{}\">{}<title>{}</title></text>",
            legend_x + 17,
            y + 10,
            area.as_str(),
            esc(&w.get(&format!("area_{}", area.as_str())))
        ));
    }
    svg.push_str("</svg>");
    svg
}

/// One row per unit (most findings in this review first): its small chart
/// over the reviews, on one scale for all units, its count now and the
/// change since the review before; and how many units were left out.
fn unit_rows(trends: &Trends, w: &Words<'_>) -> (Vec<Value>, usize) {
    let units: BTreeSet<&String> = trends
        .reviews
        .iter()
        .flat_map(|r| r.by_unit.keys())
        .collect();
    let count = |i: usize, unit: &str| {
        trends
            .reviews
            .get(i)
            .and_then(|r| r.by_unit.get(unit))
            .copied()
            .unwrap_or(0)
    };
    let n = trends.reviews.len();
    let mut rows: Vec<(&String, Vec<usize>)> = units
        .into_iter()
        .map(|u| (u, (0..n).map(|i| count(i, u)).collect()))
        .collect();
    rows.sort_by(|a, b| {
        let last = |r: &(&String, Vec<usize>)| r.1.last().copied().unwrap_or(0);
        last(b).cmp(&last(a)).then_with(|| a.0.cmp(b.0))
    });
    let max = rows
        .iter()
        .flat_map(|r| r.1.iter())
        .copied()
        .max()
        .unwrap_or(0);
    let left_out = rows.len().saturating_sub(UNITS_LISTED);
    let shown = rows
        .iter()
        .take(UNITS_LISTED)
        .map(|(unit, counts)| {
            let now = counts.last().copied().unwrap_or(0);
            let before = counts.len().checked_sub(2).map(|i| counts[i]).unwrap_or(0);
            let change = match now.cmp(&before) {
                std::cmp::Ordering::Greater => format!("+{}", now - before),
                std::cmp::Ordering::Less => format!("−{}", before - now),
                std::cmp::Ordering::Equal => "0".to_string(),
            };
            let label = w.unit(unit);
            json!({ "unit": label, "chart": unit_chart(trends, counts, max, &label),
                    "now": now, "change": change })
        })
        .collect();
    (shown, left_out)
}

/// Columns of one unit's counts per review, each with its number above.
fn unit_chart(trends: &Trends, counts: &[usize], max: usize, unit: &str) -> String {
    let (bar_w, gap, top, plot_h) = (18, 6, 11, 24);
    let width = counts.len() * (bar_w + gap);
    let height = top + plot_h + 2;
    let mut svg = format!(
        "<svg width=\"{width}\" height=\"{height}\" role=\"img\" aria-label=\"{}\">",
        esc(unit)
    );
    let last = counts.len().saturating_sub(1);
    for (i, (n, r)) in counts.iter().zip(&trends.reviews).enumerate() {
        let x = i * (bar_w + gap) + gap / 2;
        let h = if *n == 0 {
            1.0
        } else {
            ((n * plot_h) as f64 / max.max(1) as f64).max(2.0)
        };
        let y = (top + plot_h) as f64 - h;
        let colour = if i == last { "#0b5cad" } else { "#9fb3c8" };
        svg.push_str(&format!(
            "<rect x=\"{x}\" y=\"{y:.1}\" width=\"{bar_w}\" height=\"{h:.1}\" fill=\"{colour}\"><title>{}: {n}</title></rect><text x=\"{}\" y=\"{:.1}\" text-anchor=\"middle\" style=\"font-size:9px\">{n}</text>",
            r.as_of,
            x + bar_w / 2,
            y - 2.0
        ));
    }
    svg.push_str("</svg>");
    svg
}

/// One square per review a finding has been open (at most 12 drawn).
fn ageing_bar(reviews: usize) -> String {
    let drawn = reviews.min(12);
    let mut svg = format!(
        "<svg width=\"{}\" height=\"10\" aria-hidden=\"true\">",
        drawn * 10
    );
    for i in 0..drawn {
        svg.push_str(&format!(
            "<rect x=\"{}\" y=\"1\" width=\"8\" height=\"8\" fill=\"#c2410c\"/>",
            i * 10
        ));
    }
    svg.push_str("</svg>");
    svg
}

/// Horizontal bars: per rule, the median reviews a finding stayed open.
fn chart_resolution(trends: &Trends, w: &Words<'_>) -> String {
    // The slowest to be resolved first.
    let mut rows: Vec<(&String, f64)> = trends
        .median_reviews_to_resolution
        .iter()
        .map(|(rule, m)| (rule, *m))
        .collect();
    rows.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(b.0)));
    let max = rows.iter().map(|r| r.1).fold(1.0_f64, f64::max);
    let (bar_h, gap, label_w, plot_w) = (12, 4, 70, 320);
    let height = rows.len() * (bar_h + gap) + 10;
    let width = label_w + plot_w + 50;
    let mut svg = format!(
        "<svg width=\"{width}\" height=\"{height}\" role=\"img\" aria-label=\"{}\">",
        esc(&w.get("trend_resolution"))
    );
    for (i, (rule, median)) in rows.iter().enumerate() {
        let y = i * (bar_h + gap) + 5;
        let bar = (plot_w as f64 * median / max).round();
        let value = w.decimal(*median);
        svg.push_str(&format!(
            "<text x=\"0\" y=\"{}\">{}</text><rect x=\"{label_w}\" y=\"{y}\" width=\"{bar}\" height=\"{bar_h}\" fill=\"#2f6f3e\"><title>{}: {value}</title></rect><text x=\"{}\" y=\"{}\">{value}</text>",
            y + 10,
            esc(rule),
            esc(rule),
            label_w as f64 + bar + 4.0,
            y + 10
        ));
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn the_axis_steps_are_round_and_cover_the_maximum() {
        let steps: Vec<usize> = [0, 3, 4, 9, 37, 120, 999]
            .into_iter()
            .map(axis_step)
            .collect();
        assert_eq!(steps, vec![1, 1, 1, 5, 10, 50, 500]);
    }

    #[test]
    fn estonian_decimals_take_a_comma() {
        let mut t = BTreeMap::new();
        t.insert("decimal_point".to_string(), ",".to_string());
        assert_eq!(Words(&t).decimal(1.5), "1,5");
        t.insert("decimal_point".to_string(), ".".to_string());
        assert_eq!(Words(&t).decimal(2.0), "2.0");
    }
}
