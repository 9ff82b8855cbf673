//! The worksheets see the snapshot as the rules did: the rows the
//! data-quality rules left out stay out of them.

// Tests stop at the first broken expectation; that is what expect is for here.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::path::Path;

use accessaudit_ingest::{LoadOptions, Snapshot};
use accessaudit_review::worksheets::worksheets;
use accessaudit_rules::derived::Derived;
use accessaudit_rules::pseudonym::Pseudonymizer;
use accessaudit_rules::{Area, Catalog};

/// The rule fixtures' base snapshot with one more assignment, of a role the
/// role catalogue does not have: DQ-02 reports it and leaves it out.
fn base_with_unknown_role() -> tempfile::TempDir {
    let base = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/base");
    let dir = tempfile::tempdir().expect("tmp");
    for entry in std::fs::read_dir(&base).expect("fixtures/base") {
        let path = entry.expect("entry").path();
        std::fs::copy(&path, dir.path().join(path.file_name().expect("name"))).expect("copy");
    }
    let file = dir.path().join("role_assignments.csv");
    let mut text = std::fs::read_to_string(&file).expect("role_assignments.csv");
    text.push_str("A-NOWHERE,SKAIS,jmets,NO_SUCH_ROLE,2020-01-02T10:00:00+02:00,,baseline,,\n");
    std::fs::write(&file, text).expect("write");
    dir
}

#[test]
fn worksheets_leave_out_the_rows_data_quality_left_out() {
    let dir = base_with_unknown_role();
    let snapshot = Snapshot::load(dir.path(), &LoadOptions::default()).expect("loads");
    let pseudonyms = Pseudonymizer::new(b"test".to_vec(), true);
    let catalog = Catalog::builtin().expect("valid");
    let evaluation =
        accessaudit_rules::evaluate(&catalog, &snapshot, &pseudonyms, |r| r.area == Area::Dq)
            .expect("DQ runs");
    assert!(
        evaluation
            .findings
            .iter()
            .any(|f| f.rule_id == "DQ-02" && f.message.contains("NO_SUCH_ROLE")),
        "DQ-02 reports the assignment"
    );
    let has_role = |facts: &Derived<'_>| {
        worksheets(facts, &evaluation.findings)
            .expect("worksheets")
            .values()
            .flat_map(|sheet| &sheet.rights)
            .any(|row| row.role == "NO_SUCH_ROLE")
    };
    // Without the audit's exclusions the row is there...
    assert!(has_role(&Derived::new(&snapshot, &pseudonyms)));
    // ...and with them, as the worksheets are built, it is not.
    assert!(!has_role(&Derived::of(&evaluation, &snapshot, &pseudonyms)));
}
