//! One search for a batch in place of one per document (`FhirSource::
//! prefetch_searches`): each document's share is served without another
//! request, and when the server's matches cannot be told apart the
//! documents search on their own.

use std::sync::Arc;

use fhir_import::fhir::FhirClient;
use fhir_import::scrape::{FhirSource, ResourceSource, Schema};
use serde_json::{json, Value};

use crate::common::fhir_stub::{bundle, FhirStub, Reply};

const SCHEMA: &str = r#"
name: conditions
version: 1
searches:
  conditions: { resource: Condition, param: subject, for: subject }
keys:
  codes: { expression: "%conditions.code.text" }
"#;

fn condition(id: &str, patient: &str) -> Value {
    json!({"resourceType": "Condition", "id": id,
           "subject": {"reference": format!("Patient/{patient}")}, "code": {"text": id}})
}

fn document(id: &str, patient: &str) -> Value {
    json!({"resourceType": "DocumentReference", "id": id,
           "subject": {"reference": format!("Patient/{patient}")}})
}

fn source(stub: &FhirStub) -> Arc<FhirSource> {
    let client = FhirClient::new(super::quick_config(&stub.base_url())).expect("client");
    Arc::new(FhirSource::new(client))
}

#[tokio::test]
async fn each_document_gets_its_share_of_one_search() {
    let stub = FhirStub::start().await;
    stub.on(
        "/fhir/Condition",
        vec![Reply::Json(bundle(
            &[
                condition("c1", "a"),
                condition("c2", "b"),
                condition("c3", "a"),
            ],
            None,
        ))],
    );
    let schema = Schema::from_yaml(SCHEMA).expect("schema");
    let source = source(&stub);
    let (d1, d2, d3) = (
        document("d1", "a"),
        document("d2", "b"),
        document("d3", "c"),
    );
    source.prefetch_searches(&schema, &[&d1, &d2, &d3]).await;
    assert_eq!(stub.hits("/fhir/Condition"), 1);
    let log = stub.log();
    assert!(
        log[0].starts_with("/fhir/Condition?subject=Patient/a,Patient/b,Patient/c&"),
        "{log:?}"
    );

    let ids = |found: Vec<Value>| -> Vec<String> {
        found
            .iter()
            .map(|c| c["id"].as_str().unwrap_or_default().to_owned())
            .collect()
    };
    let of = |patient: &str| vec![format!("Patient/{patient}")];
    let source: Arc<dyn ResourceSource> = source;
    assert_eq!(
        ids(source
            .search("Condition", "subject", &of("a"))
            .await
            .expect("a")),
        ["c1", "c3"]
    );
    assert_eq!(
        ids(source
            .search("Condition", "subject", &of("b"))
            .await
            .expect("b")),
        ["c2"]
    );
    assert!(source
        .search("Condition", "subject", &of("c"))
        .await
        .expect("c")
        .is_empty());
    assert_eq!(
        stub.hits("/fhir/Condition"),
        1,
        "every share was served from the one search"
    );
}

#[tokio::test]
async fn matches_the_parameter_does_not_select_are_left_out() {
    let stub = FhirStub::start().await;
    // A server that ignores `subject` answers with everything.
    stub.on(
        "/fhir/Condition",
        vec![Reply::Json(bundle(
            &[condition("c1", "a"), condition("c9", "someone-else")],
            None,
        ))],
    );
    let schema = Schema::from_yaml(SCHEMA).expect("schema");
    let source = source(&stub);
    let (d1, d2) = (document("d1", "a"), document("d2", "b"));
    source.prefetch_searches(&schema, &[&d1, &d2]).await;
    let source: Arc<dyn ResourceSource> = source;
    let of = |patient: &str| vec![format!("Patient/{patient}")];
    let a = source
        .search("Condition", "subject", &of("a"))
        .await
        .expect("a");
    assert_eq!(a.len(), 1);
    assert_eq!(a[0]["id"], "c1");
    assert!(source
        .search("Condition", "subject", &of("b"))
        .await
        .expect("b")
        .is_empty());
    // A document's own search is held to the same rule.
    let c = source
        .search("Condition", "subject", &of("c"))
        .await
        .expect("c");
    assert!(c.is_empty(), "{c:?}");
    assert_eq!(stub.hits("/fhir/Condition"), 2, "{:?}", stub.log());
}

#[tokio::test]
async fn matches_of_an_unknown_parameter_that_cannot_be_told_apart_leave_documents_to_search() {
    let stub = FhirStub::start().await;
    stub.on(
        "/fhir/Condition",
        vec![Reply::Json(bundle(
            &[condition("c9", "someone-else")],
            None,
        ))],
    );
    // Where `asserter` points is not in the table: matches are kept as the
    // server sent them, and a batch whose matches cannot be split is not
    // split.
    let schema =
        Schema::from_yaml(&SCHEMA.replace("param: subject", "param: asserter")).expect("schema");
    let source = source(&stub);
    let (d1, d2) = (document("d1", "a"), document("d2", "b"));
    source.prefetch_searches(&schema, &[&d1, &d2]).await;
    assert_eq!(stub.hits("/fhir/Condition"), 1);
    let source: Arc<dyn ResourceSource> = source;
    let own = source
        .search("Condition", "asserter", &["Patient/a".to_owned()])
        .await
        .expect("searched on its own");
    assert_eq!(own.len(), 1, "kept as the server sent it");
    assert_eq!(stub.hits("/fhir/Condition"), 2, "{:?}", stub.log());
}

/// A server that pages without end, or a search that matches too much, is
/// stopped at the limits instead of holding the scrape and its memory.
#[tokio::test]
async fn searches_stop_at_their_page_and_match_limits() {
    let stub = FhirStub::start().await;
    let endless: Vec<Reply> = (0..50)
        .map(|page| {
            let next = format!(
                "{}/Condition?subject=Patient/a&page={}",
                stub.base_url(),
                page + 1
            );
            Reply::Json(bundle(&[condition(&format!("c{page}"), "a")], Some(&next)))
        })
        .collect();
    stub.on("/fhir/Condition", endless);
    let mut config = super::quick_config(&stub.base_url());
    config.limits.max_pages_per_search = 5;
    let client = FhirClient::new(config).expect("client");
    let of = vec!["Patient/a".to_owned()];
    let error = client
        .search("Condition", "subject", &of)
        .await
        .expect_err("pages past the limit");
    assert_eq!(error.code(), "SEARCH_TOO_LARGE", "{error}");
    assert!(error.to_string().contains("more than 5 pages"), "{error}");
    assert_eq!(
        stub.hits("/fhir/Condition"),
        5,
        "no page past the limit is asked for"
    );

    let mut config = super::quick_config(&stub.base_url());
    config.limits.max_matches_per_search = 3;
    let client = FhirClient::new(config).expect("client");
    let error = client
        .search("Condition", "subject", &of)
        .await
        .expect_err("matches past the limit");
    assert!(error.to_string().contains("more than 3 matches"), "{error}");
}
