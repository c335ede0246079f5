//! Tests of the synthetic data set: determinism, shape, internal consistency,
//! and that its documents pass the importer's own validation.

use std::collections::BTreeSet;

use base64::Engine as _;
use serde_json::Value;

use super::{generate, stream::fhir_id, Dataset, Shape, EXPECTED_KEYS};
use crate::domain::document::{validate_document_json, DocumentPolicy};

fn small() -> Dataset {
    generate(7, &Shape::default())
}

fn is_fhir_id(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
}

/// Every `"reference"` string anywhere inside `value`.
fn references(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, v) in map {
                match (key.as_str(), v) {
                    ("reference", Value::String(r)) => out.push(r.clone()),
                    _ => references(v, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| references(v, out)),
        _ => {}
    }
}

fn key(resource: &Value) -> String {
    format!(
        "{}/{}",
        resource["resourceType"].as_str().expect("resourceType"),
        resource["id"].as_str().expect("id")
    )
}

#[test]
fn the_same_seed_gives_byte_identical_output() {
    let shape = Shape::default();
    let a = generate(42, &shape);
    let b = generate(42, &shape);
    assert_eq!(
        a.transaction_bundle().to_string(),
        b.transaction_bundle().to_string()
    );
    assert_eq!(a.document_ndjson(), b.document_ndjson());
    assert_eq!(a.expected(), b.expected());
}

#[test]
fn the_stream_is_pinned_across_versions() {
    // ChaCha8's stream is value-stable; this catches an accidental change of
    // what is drawn, or in which order.
    let data = generate(42, &Shape::default());
    assert_eq!(data.patients[0]["id"], "PT-D3ZDQ5S2");
    let document = &data.document_references[1];
    assert_eq!(document["id"], "GF-2V1KQFSH");
    assert_eq!(
        document["content"][0]["attachment"]["url"],
        "drs://data.kidsfirstdrc.org/52ea45b9-d715-4e2c-aa0a-1e66d3e26d66"
    );
    assert_eq!(
        document["content"][0]["attachment"]["hash"],
        "XttgqLXSsRVy8S5quB/QhDhArxM="
    );
}

#[test]
fn another_seed_gives_another_data_set() {
    let shape = Shape::default();
    assert_ne!(
        generate(1, &shape).transaction_bundle().to_string(),
        generate(2, &shape).transaction_bundle().to_string()
    );
}

#[test]
fn counts_follow_the_shape() {
    let shape = Shape {
        families: 12,
        specimens_per_patient: 3,
        conditions_per_patient: 2,
        documents_per_specimen: 4,
        study_id: "SD_COUNTS01".to_owned(),
    };
    let data = generate(3, &shape);
    let patients = data.patients.len();
    assert_eq!(data.groups.len(), 12);
    assert!((12..=36).contains(&patients), "{patients} patients");
    assert_eq!(data.research_subjects.len(), patients);
    assert_eq!(data.observations.len(), patients - 12);
    assert_eq!(data.specimens.len(), patients * 3);
    assert_eq!(data.conditions.len(), patients * 2);
    assert_eq!(data.document_references.len(), patients * 3 * 4);
    let members: usize = data
        .groups
        .iter()
        .map(|g| {
            let n = g["member"].as_array().expect("member").len();
            assert!((1..=3).contains(&n));
            assert_eq!(g["quantity"], n);
            assert_eq!(g["type"], "person");
            n
        })
        .sum();
    assert_eq!(members, patients);
    let bundle = data.transaction_bundle();
    let entries = bundle["entry"].as_array().expect("entries");
    assert_eq!(entries.len(), data.resources().count());
    assert_eq!(data.document_ndjson().lines().count(), patients * 12);
}

#[test]
fn an_empty_shape_is_just_the_study() {
    let shape = Shape {
        families: 0,
        ..Shape::default()
    };
    let data = generate(1, &shape);
    assert_eq!(data.resources().count(), 1);
    assert_eq!(data.document_ndjson(), "");
}

#[test]
fn every_id_is_a_fhir_id_and_unique() {
    let shape = Shape {
        families: 200,
        ..Shape::default()
    };
    let data = generate(11, &shape);
    let mut seen = BTreeSet::new();
    for resource in data.resources() {
        let id = resource["id"].as_str().expect("id");
        assert!(is_fhir_id(id), "{id}");
        assert!(seen.insert(key(resource)), "duplicate {}", key(resource));
    }
}

#[test]
fn every_reference_resolves_within_the_data_set() {
    let data = small();
    let known: BTreeSet<String> = data.resources().map(key).collect();
    let mut refs = Vec::new();
    data.resources().for_each(|r| references(r, &mut refs));
    assert!(refs.len() > data.resources().count());
    for r in refs {
        assert!(known.contains(&r), "{r} does not resolve");
    }
}

#[test]
fn bundle_entries_put_each_resource_at_its_type_and_id() {
    let bundle = small().transaction_bundle();
    assert_eq!(bundle["type"], "transaction");
    for entry in bundle["entry"].as_array().expect("entries") {
        assert_eq!(entry["request"]["method"], "PUT");
        assert_eq!(entry["request"]["url"], key(&entry["resource"]).as_str());
    }
}

#[test]
fn hashes_are_base64_of_twenty_bytes() {
    for document in &small().document_references {
        let hash = document["content"][0]["attachment"]["hash"]
            .as_str()
            .expect("hash");
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(hash)
            .expect("base64");
        assert_eq!(bytes.len(), 20);
    }
}

#[test]
fn every_document_passes_the_importers_validation() {
    for document in &small().document_references {
        let valid = validate_document_json(&document.to_string(), &DocumentPolicy::default())
            .unwrap_or_else(|r| panic!("rejected {document}: {r:?}"));
        assert!(valid
            .file_name
            .ends_with(|c: char| c.is_ascii_alphanumeric()));
        assert!(valid.url.is_some_and(|u| u.starts_with("drs://")));
        assert_eq!(valid.hashes.len(), 1);
    }
}

#[test]
fn expected_has_every_key_and_agrees_with_the_json() {
    let data = small();
    let expected = data.expected();
    assert_eq!(expected.len(), data.document_references.len());
    for document in &data.document_references {
        let id = document["id"].as_str().expect("id");
        let e = &expected[id];
        assert_eq!(Some(e.clone()), data.expected_for(id));
        for k in EXPECTED_KEYS {
            let values = e.get(k).unwrap_or_else(|| panic!("{id}: no {k}"));
            assert!(!values.is_empty(), "{id}: {k} is empty");
        }
        assert_eq!(e.len(), EXPECTED_KEYS.len());
        let attachment = &document["content"][0]["attachment"];
        assert_eq!(e["access_url"], [attachment["url"].as_str().expect("url")]);
        assert_eq!(e["file_size"], [attachment["size"].to_string()]);
        assert_eq!(
            document["subject"]["reference"],
            format!("Patient/{}", e["case_id"][0])
        );
        let related: Vec<String> = document["context"]["related"]
            .as_array()
            .expect("related")
            .iter()
            .map(|r| r["reference"].as_str().expect("reference")[9..].to_owned())
            .collect();
        assert_eq!(e["sample_id"], related);
        assert_eq!(e["study_id"], ["SD_TEST0001"]);
    }
}

#[test]
fn some_documents_relate_two_specimens() {
    let shape = Shape {
        documents_per_specimen: 3,
        ..Shape::default()
    };
    let data = generate(5, &shape);
    let paired = data
        .expected()
        .values()
        .filter(|e| e["sample_id"].len() == 2)
        .count();
    assert!(paired > 0);
}

#[test]
fn write_to_writes_the_bundle_and_the_documents() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("nested").join("out");
    let data = small();
    let written = data.write_to(&out).expect("write");
    assert_eq!(written.documents, data.document_references.len());
    assert_eq!(written.resources, data.resources().count());
    let bundle: Value =
        serde_json::from_slice(&std::fs::read(out.join("bundle.json")).expect("bundle"))
            .expect("bundle json");
    assert_eq!(bundle, data.transaction_bundle());
    let ndjson = std::fs::read_to_string(out.join("documents.ndjson")).expect("ndjson");
    assert_eq!(ndjson, data.document_ndjson());
}

#[test]
fn study_ids_become_fhir_ids() {
    assert_eq!(fhir_id("SD_TEST0001"), "SD-TEST0001");
    assert_eq!(fhir_id(""), "study");
    assert_eq!(fhir_id(&"x".repeat(80)).len(), 64);
}
