//! Reads, searches and references against sekmet-fhir holding a Kids
//! First-shaped data set.

use fhir_import::dataset::{generate, Dataset, Shape};
use fhir_import::fhir::{FhirClient, FhirError, ServerLimits};
use serde_json::Value;

use crate::common::fhir_server::SekmetServer;

async fn loaded() -> (SekmetServer, Dataset) {
    let dataset = generate(3, &Shape::default());
    let server = SekmetServer::start(Some(&dataset)).await;
    (server, dataset)
}

fn client(server: &SekmetServer, limits: ServerLimits) -> FhirClient {
    let mut config = super::quick_config(server.base_url());
    config.limits = ServerLimits {
        timeout_ms: 10_000,
        ..limits
    };
    FhirClient::new(config).expect("client")
}

fn ids(resources: &[Value]) -> Vec<String> {
    resources
        .iter()
        .map(|r| r["id"].as_str().expect("id").to_owned())
        .collect()
}

#[tokio::test]
async fn reads_the_capability_statement_and_resources() {
    let (server, dataset) = loaded().await;
    let fhir = client(&server, super::quick_limits());

    let capabilities = fhir.capability_statement().await.expect("metadata");
    assert_eq!(capabilities["resourceType"], "CapabilityStatement");
    assert_eq!(capabilities["fhirVersion"], "4.0.1");

    let first = &ids(&dataset.patients)[0];
    let patient = fhir
        .read("Patient", first)
        .await
        .expect("read")
        .expect("found");
    assert_eq!(patient["id"], first.as_str());
    assert!(patient["meta"]["versionId"].is_string(), "{patient}");

    assert!(fhir
        .read("Patient", "no-such-patient")
        .await
        .expect("read")
        .is_none());
    assert_eq!(fhir.requests_made(), 3);
}

#[tokio::test]
async fn search_ids_batches_and_pages_through_every_patient_once() {
    let (server, dataset) = loaded().await;
    let (per_search, page) = (4usize, 3usize);
    let fhir = client(
        &server,
        ServerLimits {
            ids_per_search: per_search,
            page_size: page as u32,
            ..super::quick_limits()
        },
    );
    let mut wanted = ids(&dataset.patients);
    wanted.push("not-there".into());

    let found = fhir.search_ids("Patient", &wanted).await.expect("search");

    let mut got = ids(&found);
    got.sort();
    let mut expected = ids(&dataset.patients);
    expected.sort();
    assert_eq!(got, expected);
    // One search per batch of ids, one more request per further page.
    let pages: usize = wanted
        .chunks(per_search)
        .map(|batch| batch.len().div_ceil(page).max(1))
        .sum();
    assert!(
        wanted.len() > per_search && per_search > page,
        "paging happens"
    );
    assert_eq!(fhir.requests_made(), pages as u64);
}

#[tokio::test]
async fn searches_conditions_by_subject() {
    let (server, dataset) = loaded().await;
    let fhir = client(
        &server,
        ServerLimits {
            page_size: 2,
            ..super::quick_limits()
        },
    );
    let subjects: Vec<String> = ids(&dataset.patients)
        .iter()
        .take(3)
        .map(|id| format!("Patient/{id}"))
        .collect();

    let found = fhir
        .search("Condition", "subject", &subjects)
        .await
        .expect("search");

    let mut expected: Vec<String> = dataset
        .conditions
        .iter()
        .filter(|c| {
            subjects
                .iter()
                .any(|s| c["subject"]["reference"] == s.as_str())
        })
        .map(|c| c["id"].as_str().expect("id").to_owned())
        .collect();
    expected.sort();
    let mut got = ids(&found);
    got.sort();
    assert!(!expected.is_empty());
    assert_eq!(got, expected);
}

#[tokio::test]
async fn resolves_references_on_the_server_and_refuses_others() {
    let (server, dataset) = loaded().await;
    let fhir = client(&server, super::quick_limits());
    let document = &dataset.document_references[0];
    let subject = document["subject"]["reference"].as_str().expect("subject");

    let relative = fhir
        .resolve(subject)
        .await
        .expect("resolve")
        .expect("found");
    assert_eq!(relative["resourceType"], "Patient");
    let absolute = format!("{}/{subject}", server.base_url());
    let same = fhir
        .resolve(&absolute)
        .await
        .expect("resolve")
        .expect("found");
    assert_eq!(same["id"], relative["id"]);
    let version = fhir
        .resolve(&format!("{subject}/_history/1"))
        .await
        .expect("vread")
        .expect("found");
    assert_eq!(version["meta"]["versionId"], "1");
    let sent = fhir.requests_made();

    let foreign = fhir
        .resolve(&format!("https://other.example.org/fhir/{subject}"))
        .await
        .expect_err("a foreign host");
    assert!(matches!(foreign, FhirError::ForeignHost { ref host } if host == "other.example.org"));
    assert_eq!(foreign.code(), "FOREIGN_HOST");
    assert_eq!(
        fhir.requests_made(),
        sent,
        "nothing sent for a foreign reference"
    );
}
