//! The DPO's cases: one employee's PD findings in one review are one case,
//! ranked, with the same id when the review is audited again.

// Tests stop at the first broken expectation; that is what expect is for here.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::Command;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn audit(out: &Path, lang: &str) -> serde_json::Value {
    let done = Command::new(env!("CARGO_BIN_EXE_accessaudit"))
        .env("ACCESSAUDIT_PSEUDONYM_KEY", "test-key-of-16-bytes")
        .args([
            "audit",
            "--data",
            "fixtures/demo",
            "--format",
            "html,json",
            "--lang",
            lang,
            "--out",
        ])
        .arg(out)
        .current_dir(repo())
        .output()
        .expect("run accessaudit");
    assert_eq!(done.status.code(), Some(0), "{done:?}");
    serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap()
}

#[test]
fn pd_findings_form_ranked_cases_with_stable_ids_and_lead_the_dpo_part() {
    let tmp = tempfile::tempdir().unwrap();
    let first = audit(&tmp.path().join("en"), "en");
    let second = audit(&tmp.path().join("et"), "et");
    let cases = first["dpo_cases"].as_array().unwrap();
    assert!(cases.len() > 3, "{cases:?}");
    // Every PD finding is in exactly one case.
    let findings: Vec<serde_json::Value> =
        std::fs::read_to_string(tmp.path().join("en/findings.jsonl"))
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
    let pd: Vec<&str> = findings
        .iter()
        .filter(|f| f["area"] == "PD" && f["status"] != "suppressed")
        .map(|f| f["finding_id"].as_str().unwrap())
        .collect();
    let mut in_cases: Vec<&str> = cases
        .iter()
        .flat_map(|c| {
            c["findings"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| f.as_str().unwrap())
        })
        .collect();
    in_cases.sort_unstable();
    let mut expected = pd.clone();
    expected.sort_unstable();
    assert_eq!(in_cases, expected);
    // Ranked by severity, then score, and the same ids in another run of
    // the same review.
    let rank = |s: &str| {
        ["info", "low", "medium", "high", "critical"]
            .iter()
            .position(|x| *x == s)
            .unwrap()
    };
    let keys: Vec<(usize, u64)> = cases
        .iter()
        .map(|c| {
            (
                rank(c["severity"].as_str().unwrap()),
                c["score"].as_u64().unwrap(),
            )
        })
        .collect();
    assert!(keys.windows(2).all(|w| w[0] >= w[1]), "{keys:?}");
    let ids = |v: &serde_json::Value| -> Vec<String> {
        v["dpo_cases"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["case_id"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(ids(&first), ids(&second));
    // The report's PD part leads with them, in both languages.
    for (lang, title, words) in [
        ("en", "cases", "without a case"),
        ("et", "juhtumid", "ilma menetluseta"),
    ] {
        let html = std::fs::read_to_string(tmp.path().join(lang).join("report.html")).unwrap();
        let (cases_at, dpo_at) = (
            html.find("id=\"cases\"").unwrap(),
            html.find("id=\"dpo\"").unwrap(),
        );
        assert!(cases_at < dpo_at);
        assert!(
            html[cases_at..dpo_at].contains(title) && html[cases_at..dpo_at].contains(words),
            "{lang}"
        );
        assert!(html.contains(&format!("data-case=\"{}\"", ids(&first)[0])));
    }
}
