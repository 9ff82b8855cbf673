//! The Andmejälgija (Data Tracker) export checked against the record schemas
//! of the specification (`tests/aj/schema.json`, copied from e-gov/AJ).

// Tests stop at the first broken expectation; that is what expect is for here.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use serde_json::{json, Value};

use accessaudit_report::aj::{self, Agency};
use accessaudit_review::subject_report::{Access, CaseRef, SubjectReport};

/// A validator of the specification's schema `name`, formats (`date-time`)
/// checked too.
fn validator(name: &str) -> jsonschema::Validator {
    let text = include_str!("aj/schema.json");
    let mut schema: Value = serde_json::from_str(text).expect("schema.json");
    schema["$ref"] = json!(format!("#/components/schemas/{name}"));
    jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("the schema compiles")
}

fn access(when: &str, logged_at: &str, case: Option<(&str, &str)>) -> Access {
    Access {
        when: when.into(),
        system: "STAR".into(),
        account_id: "trt.slaur".into(),
        person_id: "47402144127".into(),
        person_name: "Signe Laur".into(),
        unit: "Tartu Linnavalitsuse sotsiaalabi osakond".into(),
        action: "view".into(),
        case: case.map_or("unexplained".into(), |(id, _)| id.into()),
        evidence: "access_log.csv:9".into(),
        logged_at: logged_at.into(),
        event_id: "STAR-7715405".into(),
        organisation: "Tartu linn".into(),
        explained_by: case.map(|(id, unit)| CaseRef {
            id: id.into(),
            unit: unit.into(),
        }),
    }
}

/// One explained look, one unexplained, one by the agency's own staff
/// without an event id.
fn report() -> SubjectReport {
    let mut own = access("2026-09-30 09:34:53", "2026-09-30T06:34:53Z", None);
    own.system = "SKAIS".into();
    own.account_id = "rlill".into();
    own.person_id = "39001010014".into();
    own.organisation = String::new();
    own.event_id = String::new();
    SubjectReport {
        subject: "S-5bbb919f39ecb0ae".into(),
        accesses: vec![
            access(
                "2026-09-17 11:32:21",
                "2026-09-17T08:32:21.467Z",
                Some((
                    "STAR-TRT-2026-00033",
                    "Tartu Linnavalitsuse sotsiaalabi osakond",
                )),
            ),
            access("2026-09-24 13:15:20", "2026-09-24T10:15:20Z", None),
            own,
        ],
        cases_known: true,
    }
}

fn agency() -> Agency {
    Agency {
        name: "Sotsiaalkindlustusamet".into(),
    }
}

fn written(report: &SubjectReport) -> (String, Value) {
    let mut out = Vec::new();
    aj::write_subject_report(&mut out, report, &agency()).expect("write");
    let text = String::from_utf8(out).expect("UTF-8");
    let value = serde_json::from_str(&text).expect("JSON");
    (text, value)
}

#[test]
fn the_written_export_is_a_find_usage_answer_the_schemas_accept() {
    let (text, doc) = written(&report());
    let answer = validator("FindUsageResponse");
    let errors: Vec<String> = answer.iter_errors(&doc).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:?}\n{text}");
    assert_eq!(doc["totalUsages"], 3);
    assert_eq!(doc["returnedUsages"], 3);
    let records = doc["internalProcessings"].as_array().expect("records");
    assert_eq!(records.len(), 3);
    let processing = validator("UsageProcessing");
    for r in records {
        assert!(processing.is_valid(r), "{r}");
    }

    // Explained: the case says why and ties the accesses together.
    let explained = &records[0];
    assert_eq!(explained["logTime"], "2026-09-17T08:32:21.467Z");
    assert_eq!(
        explained["purpose"],
        "case STAR-TRT-2026-00033 (Tartu Linnavalitsuse sotsiaalabi osakond)"
    );
    assert_eq!(explained["queryGroupId"], "STAR-TRT-2026-00033");
    assert_eq!(explained["queryId"], "STAR-7715405");
    assert_eq!(explained["logSourceSystem"], "STAR");
    // A local government's official: their employer looked, in the
    // agency's system, at data the agency holds.
    assert_eq!(
        explained["initiatorOrg"],
        json!({"type": "GOV", "name": "Tartu linn", "systemName": "STAR"})
    );
    assert_eq!(
        explained["source"],
        json!({"type": "GOV", "name": "Sotsiaalkindlustusamet", "systemName": "STAR"})
    );
    assert_eq!(
        explained["initiatorPerson"],
        json!({"alternativeCode": "trt.slaur"})
    );

    // Unexplained: said so, and no case to group by.
    let unexplained = &records[1];
    assert_eq!(unexplained["purpose"], "unexplained");
    assert!(unexplained.get("queryGroupId").is_none(), "{unexplained}");

    // The agency's own official; no event id, no queryId.
    let own = &records[2];
    assert_eq!(own["initiatorOrg"]["name"], "Sotsiaalkindlustusamet");
    assert_eq!(own["initiatorOrg"]["systemName"], "SKAIS");
    assert!(own.get("queryId").is_none(), "{own}");

    // The officials' personal codes and names stay out of the export.
    for hidden in ["47402144127", "39001010014", "Signe Laur"] {
        assert!(!text.contains(hidden), "{hidden} in {text}");
    }
    assert!(text.ends_with("}\n"), "{text}");
}

#[test]
fn without_a_cases_table_the_purpose_says_it_is_unknown() {
    let mut report = report();
    report.cases_known = false;
    for a in &mut report.accesses {
        a.explained_by = None;
    }
    let (_, doc) = written(&report);
    assert!(validator("FindUsageResponse").is_valid(&doc));
    assert_eq!(
        doc["internalProcessings"][0]["purpose"],
        "unknown (no cases table)"
    );
}

#[test]
fn nobody_looked_gives_an_empty_answer() {
    let report = SubjectReport {
        subject: "S-0000000000000000".into(),
        accesses: Vec::new(),
        cases_known: true,
    };
    let (_, doc) = written(&report);
    assert!(validator("FindUsageResponse").is_valid(&doc));
    assert_eq!(
        doc,
        json!({"totalUsages": 0, "returnedUsages": 0, "internalProcessings": []})
    );
}

/// The schema check can fail: a record the specification refuses is refused.
#[test]
fn a_record_the_specification_refuses_fails_validation() {
    let (_, doc) = written(&report());
    let record = doc["internalProcessings"][0].clone();
    let processing = validator("UsageProcessing");
    assert!(processing.is_valid(&record));

    let without = |fields: &[&str]| {
        let mut r = record.clone();
        for f in fields {
            r.as_object_mut().expect("object").remove(*f);
        }
        r
    };
    // Required fields, one at a time.
    for field in ["logTime", "purpose", "source"] {
        assert!(
            !processing.is_valid(&without(&[field])),
            "a record without {field} passed"
        );
    }
    // Who looked: one of the two is enough, neither is not.
    assert!(processing.is_valid(&without(&["initiatorOrg"])));
    assert!(processing.is_valid(&without(&["initiatorPerson"])));
    assert!(!processing.is_valid(&without(&["initiatorOrg", "initiatorPerson"])));

    let changed = |pointer: &str, value: Value| {
        let mut r = record.clone();
        *r.pointer_mut(pointer).expect("field") = value;
        r
    };
    // A wall-clock time without an offset is not a date-time.
    assert!(!processing.is_valid(&changed("/logTime", json!("2026-09-17 11:32:21"))));
    // An organisation type outside the enumeration.
    assert!(!processing.is_valid(&changed("/source/type", json!("STATE"))));
    // A person with nothing to know them by.
    assert!(!processing.is_valid(&changed("/initiatorPerson", json!({}))));

    // And the answer without its counts.
    let mut answer = doc.clone();
    answer
        .as_object_mut()
        .expect("object")
        .remove("totalUsages");
    assert!(!validator("FindUsageResponse").is_valid(&answer));
    // A refused record inside the answer makes the answer refused.
    let mut answer = doc;
    answer["internalProcessings"][0] = without(&["logTime"]);
    assert!(!validator("FindUsageResponse").is_valid(&answer));
}
