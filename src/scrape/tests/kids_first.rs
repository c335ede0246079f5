//! The shipped ncpi-kids-first schema on a generated data set derives what
//! the generator says it should, for every document and key.

use std::collections::BTreeMap;

use super::{scrape, BASE};
use crate::dataset::{generate, Shape};
use crate::scrape::{builtin_schemas, Schema};

fn kids_first() -> Schema {
    builtin_schemas()
        .into_iter()
        .find(|s| s.name == "ncpi-kids-first")
        .expect("shipped")
}

#[tokio::test]
async fn every_key_of_every_document_matches_the_generator() {
    let data = generate(
        7,
        &Shape {
            families: 20,
            ..Shape::default()
        },
    );
    let schema = kids_first();
    let resources: Vec<_> = data.resources().cloned().collect();
    let expected = data.expected();
    assert!(expected.len() > 100, "{} documents", expected.len());
    // The data set exercises both branches of the family keys and several values.
    let values = |key: &str| -> Vec<&Vec<String>> { expected.values().map(|e| &e[key]).collect() };
    assert!(values("is_proband").iter().any(|v| v[0] == "true"));
    assert!(values("is_proband").iter().any(|v| v[0] == "false"));
    assert!(values("sample_id").iter().any(|v| v.len() > 1));
    assert!(values("acl").iter().any(|v| v.len() > 1));
    let mut mismatches = BTreeMap::new();
    for document in &data.document_references {
        let id = document["id"].as_str().expect("id");
        let scraped = scrape(&schema, document, &resources).await;
        assert!(scraped.problems.is_empty(), "{id}: {:?}", scraped.problems);
        for (key, values) in &expected[id] {
            assert!(schema.keys.contains_key(key), "schema lacks {key}");
            let want = (!values.is_empty()).then(|| values.join(","));
            let got = scraped.get(key).map(str::to_owned);
            if got != want {
                mismatches.insert(format!("{id} {key}"), (got, want));
            }
        }
        assert_eq!(
            scraped.get("fhir_document_reference"),
            Some(format!("{BASE}/DocumentReference/{id}").as_str())
        );
    }
    assert!(mismatches.is_empty(), "{mismatches:#?}");
}

#[tokio::test]
async fn provenance_lists_what_was_read_and_found() {
    let data = generate(3, &Shape::default());
    let resources: Vec<_> = data.resources().cloned().collect();
    let document = &data.document_references[0];
    let scraped = scrape(&kids_first(), document, &resources).await;
    let subject = document["subject"]["reference"].as_str().expect("subject");
    assert!(
        scraped.fetched.iter().any(|r| r == subject),
        "{:?}",
        scraped.fetched
    );
    assert!(scraped.fetched.iter().any(|r| r.starts_with("Specimen/")));
    assert!(scraped
        .fetched
        .iter()
        .any(|r| r.starts_with("ResearchStudy/")));
    assert!(scraped.fetched.iter().any(|r| r.starts_with("Group/")));
    // The generator writes no meta.versionId; a server would.
    assert!(scraped.versions.is_empty());
}
