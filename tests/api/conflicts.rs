//! Importing a document again follows the header's conflict policy, and a
//! replayed stream with the same idempotency key imports nothing twice.

use crate::common::{docs, header, spawn_app, Backend};
use fhir_import::proto::v1 as pb;
use serde_json::json;
use tonic::Code;

fn with_policy(project: &str, policy: pb::ConflictPolicy) -> pb::ImportHeader {
    let mut h = header(project);
    h.on_conflict = policy as i32;
    h
}

fn retitled(n: usize, title: &str) -> serde_json::Value {
    let mut doc = docs::document(n);
    doc["content"][0]["attachment"]["title"] = json!(title);
    doc["content"][0]["attachment"]["url"] = json!(format!("https://new.example.org/{n}"));
    doc
}

async fn skip_keeps_the_existing_file(backend: Backend) {
    let app = spawn_app(backend).await;
    let project = app.create_project("skip").await;
    app.import_and_wait(header(&project.id), docs::valid_inputs(0..3))
        .await;
    let before = app.all_files(&project.id, &[]).await;

    let inputs = vec![
        docs::input(&retitled(0, "changed.cram")),
        docs::input(&docs::document(3)),
    ];
    let import = app
        .import_and_wait(with_policy(&project.id, pb::ConflictPolicy::Skip), inputs)
        .await;
    let counts = import.counts.expect("counts");
    assert_eq!((counts.skipped, counts.imported), (1, 1));
    assert_eq!(import.state(), pb::ImportState::Completed);

    let after = app.all_files(&project.id, &[]).await;
    assert_eq!(after.len(), 4);
    let doc0 = after
        .iter()
        .find(|f| f.document_reference_id == "doc-0")
        .expect("doc-0");
    assert_eq!(doc0, &before[0], "the skipped file is untouched");
    app.stop().await;
}
on_both_stores!(skip_keeps_the_existing_file);

async fn overwrite_replaces_in_place(backend: Backend) {
    let app = spawn_app(backend).await;
    let project = app.create_project("overwrite").await;
    app.import_and_wait(
        header(&project.id),
        vec![docs::input_with_metadata(
            &docs::document(0),
            &[("sample", "S1"), ("old", "x")],
        )],
    )
    .await;
    let before = app.all_files(&project.id, &[]).await.remove(0);

    // Unset policy means OVERWRITE.
    let import = app
        .import_and_wait(
            header(&project.id),
            vec![docs::input_with_metadata(
                &retitled(0, "renamed.cram"),
                &[("sample", "S2")],
            )],
        )
        .await;
    assert_eq!(import.on_conflict(), pb::ConflictPolicy::Overwrite);
    assert_eq!(import.counts.expect("counts").imported, 1);

    let files = app.all_files(&project.id, &[]).await;
    assert_eq!(files.len(), 1, "no duplicate");
    let after = &files[0];
    assert_eq!(after.id, before.id, "same file id");
    assert_eq!(after.name, "renamed.cram");
    assert_eq!(after.url, "https://new.example.org/0");
    assert_eq!(after.import_id, import.id);
    assert_eq!(after.metadata.get("sample").map(String::as_str), Some("S2"));
    assert!(!after.metadata.contains_key("old"), "metadata is replaced");
    app.stop().await;
}
on_both_stores!(overwrite_replaces_in_place);

async fn rename_keeps_both_with_the_copy_prefix(backend: Backend) {
    let app = spawn_app(backend).await;
    let project = app.create_project("rename").await;
    app.import_and_wait(header(&project.id), docs::valid_inputs(0..1))
        .await;
    let policy = with_policy(&project.id, pb::ConflictPolicy::Rename);
    app.import_and_wait(policy.clone(), docs::valid_inputs(0..1))
        .await;
    app.import_and_wait(policy, docs::valid_inputs(0..1)).await;

    let mut names: Vec<_> = app
        .all_files(&project.id, &[])
        .await
        .into_iter()
        .map(|f| f.name)
        .collect();
    names.sort();
    assert_eq!(
        names,
        ["_1_sample-0.cram", "_2_sample-0.cram", "sample-0.cram"]
    );
    app.stop().await;
}
on_both_stores!(rename_keeps_both_with_the_copy_prefix);

async fn different_documents_never_share_a_name(backend: Backend) {
    let app = spawn_app(backend).await;
    let project = app.create_project("names").await;
    // Three documents titled alike, in one batch and in a later import.
    let same_title = |n| docs::input(&retitled(n, "reads.bam"));
    app.import_and_wait(header(&project.id), vec![same_title(0), same_title(1)])
        .await;
    app.import_and_wait(header(&project.id), vec![same_title(2)])
        .await;
    let mut names: Vec<_> = app
        .all_files(&project.id, &[])
        .await
        .into_iter()
        .map(|f| (f.document_reference_id, f.name))
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            ("doc-0".to_owned(), "reads.bam".to_owned()),
            ("doc-1".to_owned(), "_1_reads.bam".to_owned()),
            ("doc-2".to_owned(), "_2_reads.bam".to_owned()),
        ]
    );
    app.stop().await;
}
on_both_stores!(different_documents_never_share_a_name);

async fn a_replayed_key_returns_the_original_import(backend: Backend) {
    let app = spawn_app(backend).await;
    let project = app.create_project("replay").await;
    let mut h = header(&project.id);
    h.idempotency_key = "portal-batch-7".into();
    let mut inputs = docs::valid_inputs(0..5);
    inputs.push(docs::raw("{}"));
    let first = app.import(h.clone(), inputs.clone()).await.expect("first");
    assert!(!first.replayed);
    app.wait_until_finished(&first.import_id).await;

    let again = app.import(h, inputs).await.expect("replay");
    assert!(again.replayed);
    assert_eq!(again.import_id, first.import_id);
    assert_eq!(
        (again.received, again.accepted, again.rejected),
        (first.received, first.accepted, first.rejected)
    );
    assert_eq!(again.rejections, first.rejections);
    assert_eq!(app.all_files(&project.id, &[]).await.len(), 5);

    // The same key in another project is another import.
    let other = app.create_project("replay-2").await;
    let mut h = header(&other.id);
    h.idempotency_key = "portal-batch-7".into();
    let elsewhere = app
        .import(h, docs::valid_inputs(0..1))
        .await
        .expect("other project");
    assert!(!elsewhere.replayed);
    assert_ne!(elsewhere.import_id, first.import_id);
    app.stop().await;
}
on_both_stores!(a_replayed_key_returns_the_original_import);

async fn a_key_still_receiving_is_refused(backend: Backend) {
    let app = spawn_app(backend).await;
    let project = app.create_project("busy").await;
    let (stream, first) = app.open_import();
    let mut h = header(&project.id);
    h.idempotency_key = "k".into();
    stream.header(h.clone()).await;
    stream.documents(docs::valid_inputs(0..1)).await;
    app.wait_for_received(&project.id, 1).await;
    let second = app
        .import(h, docs::valid_inputs(0..1))
        .await
        .expect_err("busy key");
    assert_eq!(second.code(), Code::AlreadyExists);
    assert!(second.message().contains("still receiving"));
    drop(stream);
    let first = first.await.expect("task").expect("first import");
    assert_eq!(first.accepted, 1);
    app.stop().await;
}
on_both_stores!(a_key_still_receiving_is_refused);
