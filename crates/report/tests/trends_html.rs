//! The report's "Trends" section: drawn when the history holds a review
//! before this one, in the report's language, absent otherwise.

// Tests stop at the first broken expectation; that is what expect is for here.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::path::Path;

use chrono::NaiveDate;

use accessaudit_ingest::{LoadOptions, Snapshot};
use accessaudit_report::html::{render, ReportInput};
use accessaudit_review::history::trends::{Aged, ReviewPoint, Trends};
use accessaudit_review::Review;
use accessaudit_rules::{Catalog, Evaluation};

fn base() -> Snapshot {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/base");
    Snapshot::load(&dir, &LoadOptions::default()).expect("the base snapshot loads")
}

fn point(as_of: (i32, u32, u32), areas: &[(&str, usize)], units: &[(&str, usize)]) -> ReviewPoint {
    let by_area: BTreeMap<String, usize> = areas.iter().map(|(k, n)| (k.to_string(), *n)).collect();
    ReviewPoint {
        run: String::new(),
        as_of: NaiveDate::from_ymd_opt(as_of.0, as_of.1, as_of.2).unwrap(),
        total: by_area.values().sum(),
        by_area,
        by_unit: units.iter().map(|(k, n)| (k.to_string(), *n)).collect(),
    }
}

/// Three reviews; two persisting findings, one of a unit whose name needs
/// escaping; ACC-01's findings took 1.5 reviews to resolve.
fn trends() -> Trends {
    Trends {
        reviews: vec![
            point(
                (2026, 6, 30),
                &[("ACC", 4), ("PD", 2)],
                &[("Tartu büroo", 5), ("", 1)],
            ),
            point(
                (2026, 9, 30),
                &[("ACC", 3), ("TIME", 2)],
                &[("Tartu büroo", 3), ("R&D <lab>", 2)],
            ),
            point(
                (2026, 12, 31),
                &[("ACC", 2), ("REV", 1)],
                &[("Tartu büroo", 1), ("R&D <lab>", 2)],
            ),
        ],
        ageing: vec![
            Aged {
                finding_id: "f-old".into(),
                rule_id: "ACC-07".into(),
                unit: "Tartu büroo".into(),
                reviews_open: 3,
                message: "Jaan Kask's register account unused for 200 days".into(),
            },
            Aged {
                finding_id: "f-two".into(),
                rule_id: "TIME-01".into(),
                unit: "R&D <lab>".into(),
                reviews_open: 2,
                message: "Right ended late".into(),
            },
        ],
        median_reviews_to_resolution: BTreeMap::from([
            ("ACC-01".to_string(), 1.5),
            ("TIME-04".to_string(), 2.0),
        ]),
    }
}

fn html(trends: Option<Trends>, lang: &str) -> String {
    let catalog = Catalog::builtin().expect("valid");
    let review = Review {
        trends,
        ..Review::default()
    };
    render(&ReportInput {
        snapshot: &base(),
        catalog: &catalog,
        evaluation: &Evaluation::default(),
        review: &review,
        tables: &[],
        lang,
    })
    .expect("renders")
}

/// The `<section id="trends">` element's markup.
fn section(html: &str) -> &str {
    let start = html
        .find("<section id=\"trends\">")
        .expect("a trends section");
    let end = start + html[start..].find("</section>").expect("closed");
    &html[start..end]
}

#[test]
fn the_trends_are_drawn_in_english() {
    let page = html(Some(trends()), "en");
    let s = section(&page);
    for words in [
        "<h2>Trends</h2>",
        "The last 3 reviews in the review history, this audit (2026-12-31) the latest.",
        "<h3>Findings per area</h3>",
        "<h3>Findings per unit</h3>",
        "Per review (2026-06-30 – 2026-12-31)",
        "Reviews open in a row",
        "<h3>Median reviews to resolution</h3>",
        "(no unit)",
        "Jaan Kask&#x27;s register account unused for 200 days",
        "<a href=\"#rule-ACC-07\">ACC-07</a>",
        ">1.5</text>",
        ">2.0</text>",
    ] {
        assert!(s.contains(words), "{words:?} missing:\n{s}");
    }
    // Charts: the areas' stacked columns with their legend, one small chart
    // per unit, the resolution bars.
    assert!(s.matches("<svg").count() >= 1 + 3 + 1 + 2, "{s}");
    assert!(s.contains("<title>2026-09-30 TIME: 2</title>"), "{s}");
    for area in ["ACC", "TIME", "PD", "REV"] {
        assert!(
            s.contains(&format!(">{area}<title>")),
            "{area} not in the legend"
        );
    }
    assert!(
        !s.contains(">DQ<title>"),
        "an area without findings is in the legend"
    );
    // A unit's name is escaped, in the table and in its chart's label.
    assert!(
        s.contains("R&amp;D &lt;lab&gt;") && !s.contains("R&D <lab>"),
        "{s}"
    );
    // Units by this review's findings: R&D (2) before Tartu (1), and its change.
    let rnd = s.find("<td>R&amp;D &lt;lab&gt;</td>").unwrap();
    let tartu = s.find("<td>Tartu büroo</td>").unwrap();
    assert!(rnd < tartu, "{s}");
    assert!(s.contains("<td class=\"num\">−2</td>"), "{s}");
    // The slowest rule to be resolved first.
    assert!(s.contains("<text x=\"0\" y=\"15\">TIME-04</text>"), "{s}");
    // The longest open first.
    assert!(s.find("f-old").unwrap() < s.find("f-two").unwrap());
    assert!(!page.contains("https://") && !page.contains("http://"));
}

#[test]
fn the_trends_are_drawn_in_estonian_with_decimal_commas() {
    let page = html(Some(trends()), "et");
    let s = section(&page);
    for words in [
        "<h2>Suundumused</h2>",
        "Ülevaatuste ajaloo viimased 3 ülevaatust",
        "<h3>Leiud valdkonniti</h3>",
        "<h3>Leiud üksuste kaupa</h3>",
        "Ülevaatuste kaupa (2026-06-30 – 2026-12-31)",
        "Avatud ülevaatusi järjest",
        "<h3>Mediaanne ülevaatuste arv lahendamiseni</h3>",
        "(üksuseta)",
        ">1,5</text>",
        ">2,0</text>",
    ] {
        assert!(s.contains(words), "{words:?} missing:\n{s}");
    }
    assert!(!s.contains("1.5") && !s.contains("Findings per"), "{s}");
    assert!(s.contains("<svg"));
}

#[test]
fn without_an_earlier_review_there_is_no_trends_section() {
    for lang in ["en", "et"] {
        assert!(!html(None, lang).contains("id=\"trends\""), "{lang}");
        // A first audit with a history: one review is no trend.
        let mut one = trends();
        one.reviews.drain(..2);
        assert!(!html(Some(one), lang).contains("id=\"trends\""), "{lang}");
    }
}

#[test]
fn nothing_persisting_or_resolved_is_said_in_words() {
    let mut t = trends();
    t.ageing.clear();
    t.median_reviews_to_resolution.clear();
    let page = html(Some(t), "et");
    let s = section(&page);
    assert!(s.contains("Ükski selle ülevaatuse leid ei olnud eelmises ülevaatuses."));
    assert!(s.contains("Ajaloo jooksul ei ole veel ükski leid lahendatud."));
    assert!(!s.contains("Avatud ülevaatusi järjest"), "{s}");
}
