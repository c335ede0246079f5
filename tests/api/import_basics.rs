//! A portal imports DocumentReferences into a project and gets files.

use crate::common::{docs, header, spawn_app, Backend};
use fhir_import::proto::v1 as pb;

async fn valid_documents_become_files(backend: Backend) {
    let app = spawn_app(backend).await;
    let project = app.create_project("study").await;

    let response = app
        .import(header(&project.slug), docs::valid_inputs(0..25))
        .await
        .expect("import");
    assert_eq!(
        (response.received, response.accepted, response.rejected),
        (25, 25, 0)
    );
    let import = app.wait_until_finished(&response.import_id).await;
    assert_eq!(import.state(), pb::ImportState::Completed);
    assert_eq!(import.counts.expect("counts").imported, 25);

    let files = app.all_files(&project.id, &[]).await;
    assert_eq!(files.len(), 25);
    let first = files
        .iter()
        .find(|f| f.document_reference_id == "doc-0")
        .expect("doc-0");
    assert_eq!(first.name, "sample-0.cram");
    assert_eq!(first.url, "drs://data.example.org/file-0");
    assert_eq!(first.size, Some(5_000_000_000));
    assert_eq!(first.content_type, "application/octet-stream");
    assert_eq!(
        first.hashes.get("sha1").map(String::as_str),
        Some("2jmj7l5rSw0yVb/vlWAYkK/YBwk=")
    );
    assert_eq!(first.metadata_state(), pb::MetadataState::NotRequested);

    let fetched = app
        .files
        .clone()
        .get_file(pb::GetFileRequest {
            id: first.id.clone(),
        })
        .await
        .expect("get file")
        .into_inner();
    let kept: serde_json::Value =
        serde_json::from_str(&fetched.document_reference_json).expect("kept document");
    assert_eq!(kept, docs::document(0));
    app.stop().await;
}
on_both_stores!(valid_documents_become_files);
