//! Documents given by reference: a portal sends `DocumentReference/{id}`
//! and the service reads each document from the import's FHIR server
//! (sekmet-fhir, loaded with a Kids First-shaped study), a batch per `_id`
//! search, then imports and scrapes it like one sent inline. A reference
//! the server cannot answer rejects that one item with its reason.

use std::collections::HashMap;

use crate::common::fhir_server::SekmetServer;
use crate::common::{
    header_from, nowhere, register_fhir_server as register, spawn_app, Backend, ProxiedStudy,
};
use fhir_import::dataset::{generate, Shape};
use fhir_import::proto::v1::{self as pb, document_input::Source};

fn by_reference(id: &str) -> pb::DocumentInput {
    pb::DocumentInput {
        source: Some(Source::Reference(format!("DocumentReference/{id}"))),
        metadata: HashMap::new(),
    }
}

fn rejection(response: &pb::ImportDocumentsResponse, index: u64) -> &pb::ItemRejection {
    response
        .rejections
        .iter()
        .find(|r| r.index == index)
        .unwrap_or_else(|| panic!("no rejection at index {index}: {response:?}"))
}

async fn documents_given_by_reference_are_read_imported_and_scraped(backend: Backend) {
    let data = generate(
        5,
        &Shape {
            families: 3,
            ..Shape::default()
        },
    );
    let kf = ProxiedStudy::start(&data).await;
    let app = spawn_app(backend).await;
    kf.register(&app).await;
    let project = app.create_project("by-reference").await;

    let ids: Vec<&str> = data
        .document_references
        .iter()
        .map(|d| d["id"].as_str().expect("id"))
        .collect();
    let mut documents: Vec<pb::DocumentInput> = ids.iter().map(|id| by_reference(id)).collect();
    let missing_at = documents.len() as u64;
    documents.push(by_reference("not-on-the-server"));
    let malformed_at = documents.len() as u64;
    documents.push(pb::DocumentInput {
        source: Some(Source::Reference("Patient/p1".into())),
        metadata: HashMap::new(),
    });
    let response = app
        .import(header_from(&project.slug, "kf"), documents)
        .await
        .expect("import");
    assert_eq!(response.accepted, ids.len() as u64, "{response:?}");
    assert_eq!(response.rejected, 2, "{response:?}");
    let missing = rejection(&response, missing_at);
    assert_eq!(missing.code(), pb::RejectionCode::ReferenceNotResolvable);
    assert_eq!(missing.document_id, "not-on-the-server");
    assert!(
        missing
            .message
            .contains("FHIR server kf has no DocumentReference/not-on-the-server"),
        "{}",
        missing.message
    );
    assert_eq!(
        rejection(&response, malformed_at).code(),
        pb::RejectionCode::InvalidReference
    );

    let import = app.wait_until_finished(&response.import_id).await;
    assert_eq!(
        import.state(),
        pb::ImportState::CompletedWithErrors,
        "two rejected: {import:?}"
    );
    let counts_now = import.counts.expect("counts");
    assert_eq!(counts_now.scraped, ids.len() as u64, "{counts_now:?}");

    // Each file is what the server's document says, with its metadata.
    let expected = data.expected();
    let files = app.all_files(&project.slug, &[]).await;
    assert_eq!(files.len(), ids.len());
    for file in &files {
        let document = data
            .document_references
            .iter()
            .find(|d| d["id"] == file.document_reference_id.as_str())
            .expect("a file per document");
        let attachment = &document["content"][0]["attachment"];
        assert_eq!(file.url, attachment["url"].as_str().expect("url"));
        assert_eq!(file.metadata_state(), pb::MetadataState::Complete);
        let want = &expected[&file.document_reference_id]["case_id"];
        assert_eq!(file.metadata.get("case_id"), Some(&want.join(",")));
    }

    // The documents were read with one `_id` search, not one read each.
    let requests = kf.counts.lock().expect("lock").clone();
    assert_eq!(
        requests.get("DocumentReference").copied(),
        Some(1),
        "{requests:?}"
    );
    app.stop().await;
}
on_both_stores!(documents_given_by_reference_are_read_imported_and_scraped);

async fn validate_only_reads_references_and_stores_nothing(backend: Backend) {
    let data = generate(
        6,
        &Shape {
            families: 1,
            ..Shape::default()
        },
    );
    let sekmet = SekmetServer::start(Some(&data)).await;
    let app = spawn_app(backend).await;
    register(&app, "kf", sekmet.base_url(), "ncpi-kids-first").await;
    let project = app.create_project("checked").await;
    let known = data.document_references[0]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let response = app
        .import(
            pb::ImportHeader {
                validate_only: true,
                ..header_from(&project.slug, "kf")
            },
            vec![by_reference(&known), by_reference("gone")],
        )
        .await
        .expect("validate");
    assert_eq!((response.accepted, response.rejected), (1, 1));
    assert_eq!(
        rejection(&response, 1).code(),
        pb::RejectionCode::ReferenceNotResolvable
    );
    assert!(response.import_id.is_empty());
    assert!(app.all_files(&project.slug, &[]).await.is_empty());
    app.stop().await;
}
on_both_stores!(validate_only_reads_references_and_stores_nothing);

async fn references_to_a_server_that_is_down_are_rejected_with_the_reason(backend: Backend) {
    let app = spawn_app(backend).await;
    let down = nowhere();
    register(&app, "down", &down, "ncpi-kids-first").await;
    let project = app.create_project("unreachable").await;
    let inline = crate::common::docs::input(&crate::common::docs::document(1));
    let response = app
        .import(
            header_from(&project.slug, "down"),
            vec![by_reference("d1"), inline],
        )
        .await
        .expect("import");
    assert_eq!(
        (response.accepted, response.rejected),
        (1, 1),
        "{response:?}"
    );
    let refused = rejection(&response, 0);
    assert_eq!(refused.code(), pb::RejectionCode::ReferenceNotResolvable);
    assert!(
        refused
            .message
            .starts_with("reading DocumentReference/d1 from FHIR server down failed: ")
            && refused.message.contains("unreachable"),
        "{}",
        refused.message
    );
    app.wait_until_finished(&response.import_id).await;
    let files = app.all_files(&project.slug, &[]).await;
    assert_eq!(
        files.len(),
        1,
        "the inline document is imported all the same"
    );
    app.stop().await;
}
on_both_stores!(references_to_a_server_that_is_down_are_rejected_with_the_reason);

async fn a_document_the_server_sends_broken_is_rejected_with_where_it_came_from(backend: Backend) {
    let stub = crate::common::fhir_stub::FhirStub::start().await;
    let broken =
        serde_json::json!({"resourceType": "DocumentReference", "id": "d1", "status": "current"});
    let fine = serde_json::json!({"resourceType": "DocumentReference", "id": "d2", "status": "current",
        "content": [{"attachment": {"url": "drs://example.org/f2"}}]});
    stub.on(
        "/fhir/DocumentReference",
        vec![crate::common::fhir_stub::Reply::Json(
            crate::common::fhir_stub::bundle(&[broken, fine], None),
        )],
    );
    let app = spawn_app(backend).await;
    register(&app, "stub", &stub.base_url(), "generic-r4").await;
    let project = app.create_project("broken").await;
    let response = app
        .import(
            header_from(&project.slug, "stub"),
            vec![by_reference("d1"), by_reference("d2")],
        )
        .await
        .expect("import");
    assert_eq!(
        (response.accepted, response.rejected),
        (1, 1),
        "{response:?}"
    );
    let refused = rejection(&response, 0);
    assert_eq!(refused.code(), pb::RejectionCode::InvalidResource);
    assert_eq!(refused.document_id, "d1");
    assert!(
        refused
            .message
            .starts_with("DocumentReference/d1 as FHIR server stub sent it: content"),
        "{}",
        refused.message
    );
    app.wait_until_finished(&response.import_id).await;
    let files = app.all_files(&project.slug, &[]).await;
    assert_eq!(files.len(), 1);
    assert_eq!(files[0].url, "drs://example.org/f2");
    app.stop().await;
}
on_both_stores!(a_document_the_server_sends_broken_is_rejected_with_where_it_came_from);
