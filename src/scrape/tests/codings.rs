//! Keys of the shipped schemas that read a Coding: portals fill its `code`,
//! its `display` or both, and some only a CodeableConcept's `text`. Each
//! shape gives a value.

use serde_json::{json, Value};

use super::scrape;
use crate::scrape::{builtin_schemas, Schema};

fn shipped(name: &str) -> Schema {
    builtin_schemas()
        .into_iter()
        .find(|s| s.name == name)
        .expect("shipped")
}

const STRATEGIES: &str = "https://includedcc.org/fhir/code-systems/experimental_strategies";
const DATA_TYPES: &str = "https://includedcc.org/fhir/code-systems/data_types";
const ACCESS: &str = "https://includedcc.org/fhir/code-systems/data_access_types";

/// A DocumentReference whose format, category, type and security label are
/// all the Coding `coding` (with each one's system added), and whose
/// subject has one Condition coded the same way.
fn documents_with(coding: Value) -> (Value, Vec<Value>) {
    let with_system = |system: &str| {
        let mut c = coding.clone();
        c["system"] = json!(system);
        c
    };
    let document = json!({
        "resourceType": "DocumentReference",
        "id": "d1",
        "status": "current",
        "subject": {"reference": "Patient/p1"},
        "type": {"coding": [with_system(DATA_TYPES)]},
        "category": [{"coding": [with_system(STRATEGIES)]}],
        "securityLabel": [{"coding": [with_system(ACCESS)]}],
        "content": [{"attachment": {"url": "drs://x/1"}, "format": coding.clone()}],
    });
    let resources = vec![
        json!({"resourceType": "Patient", "id": "p1"}),
        json!({"resourceType": "Condition", "id": "c1", "subject": {"reference": "Patient/p1"},
               "code": {"coding": [with_system("http://purl.obolibrary.org/obo/mondo.owl")]}}),
    ];
    (document, resources)
}

async fn values(schema: &Schema, coding: Value, keys: &[&str]) -> Vec<Option<String>> {
    let (document, resources) = documents_with(coding);
    let scraped = scrape(schema, &document, &resources).await;
    keys.iter()
        .map(|key| scraped.get(key).map(str::to_owned))
        .collect()
}

const KIDS_FIRST_KEYS: [&str; 5] = [
    "file_format",
    "experimental_strategy",
    "data_access",
    "condition_codes",
    "data_type",
];

#[tokio::test]
async fn kids_first_reads_a_code_else_a_display() {
    let schema = shipped("ncpi-kids-first");
    let some = |s: &str| Some(s.to_owned());

    let both = values(
        &schema,
        json!({"code": "cram", "display": "CRAM"}),
        &KIDS_FIRST_KEYS,
    )
    .await;
    assert_eq!(
        both,
        [
            some("cram"),
            some("cram"),
            some("cram"),
            some("cram"),
            some("CRAM")
        ]
    );

    let code_only = values(&schema, json!({"code": "cram"}), &KIDS_FIRST_KEYS).await;
    assert_eq!(code_only, vec![some("cram"); 5]);

    let display_only = values(&schema, json!({"display": "CRAM"}), &KIDS_FIRST_KEYS).await;
    assert_eq!(display_only, vec![some("CRAM"); 5]);
}

#[tokio::test]
async fn kids_first_reads_the_text_of_a_concept_without_codings() {
    let schema = shipped("ncpi-kids-first");
    let mut document = documents_with(json!({"code": "x"})).0;
    document["type"] = json!({"text": "Aligned Reads"});
    let resources = vec![
        json!({"resourceType": "Patient", "id": "p1"}),
        json!({"resourceType": "Condition", "id": "c1", "subject": {"reference": "Patient/p1"},
               "code": {"text": "Neuroblastoma"}}),
    ];
    let scraped = scrape(&schema, &document, &resources).await;
    assert_eq!(scraped.get("data_type"), Some("Aligned Reads"));
    assert_eq!(scraped.get("condition_codes"), Some("Neuroblastoma"));
}

const GENERIC_KEYS: [&str; 4] = ["format", "security_labels", "document_type", "category"];

#[tokio::test]
async fn generic_reads_a_code_else_a_display_else_the_text() {
    let schema = shipped("generic-r4");
    let some = |s: &str| Some(s.to_owned());

    let both = values(
        &schema,
        json!({"code": "cram", "display": "CRAM"}),
        &GENERIC_KEYS,
    )
    .await;
    assert_eq!(
        both,
        [some("cram"), some("cram"), some("CRAM"), some("CRAM")]
    );

    let code_only = values(&schema, json!({"code": "cram"}), &GENERIC_KEYS).await;
    assert_eq!(code_only, vec![some("cram"); 4]);

    let display_only = values(&schema, json!({"display": "CRAM"}), &GENERIC_KEYS).await;
    assert_eq!(display_only, vec![some("CRAM"); 4]);

    let mut document = documents_with(json!({"code": "x"})).0;
    document["type"] = json!({"text": "Report"});
    document["category"] = json!([{"text": "Genomics"}]);
    document["securityLabel"] = json!([{"text": "open"}]);
    let scraped = scrape(
        &schema,
        &document,
        &[json!({"resourceType": "Patient", "id": "p1"})],
    )
    .await;
    assert_eq!(scraped.get("document_type"), Some("Report"));
    assert_eq!(scraped.get("category"), Some("Genomics"));
    assert_eq!(scraped.get("security_labels"), Some("open"));
}
