//! Streams as portals send them: long ones, ones with bad documents mixed
//! in, malformed ones, and ones cut off halfway.

use crate::common::{docs, header, spawn_app, Backend};
use fhir_import::proto::v1::{self as pb, document_input::Source};
use serde_json::json;
use tonic::Code;
use tonic_health::pb::{
    health_check_response::ServingStatus, health_client::HealthClient, HealthCheckRequest,
};

async fn ten_thousand_documents_in_one_stream(backend: Backend) {
    let app = spawn_app(backend).await;
    let project = app.create_project("big").await;
    let response = app
        .import(header(&project.id), docs::valid_inputs(0..10_000))
        .await
        .expect("import");
    assert_eq!(response.received, 10_000);
    assert_eq!(response.accepted, 10_000);
    assert!(response.rejections.is_empty());

    let import = app.wait_until_finished(&response.import_id).await;
    assert_eq!(import.state(), pb::ImportState::Completed);
    let counts = import.counts.expect("counts");
    assert_eq!(
        (counts.received, counts.imported, counts.pending),
        (10_000, 10_000, 0)
    );
    let files = app.all_files(&project.id, &[]).await;
    assert_eq!(files.len(), 10_000);
    let mut ids: Vec<_> = files
        .iter()
        .map(|f| f.document_reference_id.clone())
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 10_000, "every document became exactly one file");
    app.stop().await;
}
on_both_stores!(ten_thousand_documents_in_one_stream);

async fn bad_documents_are_rejected_alone(backend: Backend) {
    let app = spawn_app(backend).await;
    let project = app.create_project("mixed").await;
    let mut missing_url = docs::document(3);
    missing_url["content"][0]["attachment"]
        .as_object_mut()
        .expect("attachment")
        .remove("url");
    let mut bad_status = docs::document(5);
    bad_status["status"] = json!("draft");
    let mut negative_size = docs::document(6);
    negative_size["content"][0]["attachment"]["size"] = json!(-1);
    let patient = json!({"resourceType": "Patient", "id": "pt-1"});
    let inputs = vec![
        docs::input(&docs::document(0)),                             // 0 ok
        docs::raw("{not json"),                                      // 1
        docs::input(&patient),                                       // 2
        docs::input(&missing_url),                                   // 3
        docs::input(&docs::document(4)),                             // 4 ok
        docs::input(&bad_status),                                    // 5
        docs::input(&negative_size),                                 // 6
        pb::DocumentInput::default(),                                // 7
        docs::input_with_metadata(&docs::document(8), &[("", "x")]), // 8
        pb::DocumentInput {
            source: Some(Source::Reference("Patient/1".into())),
            metadata: Default::default(),
        }, // 9
        pb::DocumentInput {
            source: Some(Source::Reference("DocumentReference/doc-10".into())),
            metadata: Default::default(),
        }, // 10: no FHIR server to read it from
        docs::input(&docs::document(11)),                            // 11 ok
    ];
    let response = app
        .import(header(&project.id), inputs)
        .await
        .expect("import");
    assert_eq!(
        (response.received, response.accepted, response.rejected),
        (12, 3, 9)
    );

    let rejections: Vec<(u64, pb::RejectionCode, String, String)> = response
        .rejections
        .iter()
        .map(|r| (r.index, r.code(), r.document_id.clone(), r.message.clone()))
        .collect();
    let expect = [
        (1, pb::RejectionCode::InvalidJson, "", "line 1"),
        (2, pb::RejectionCode::WrongResourceType, "", "Patient"),
        (
            3,
            pb::RejectionCode::InvalidResource,
            "doc-3",
            "content[0].attachment.url",
        ),
        (5, pb::RejectionCode::InvalidResource, "doc-5", "status"),
        (
            6,
            pb::RejectionCode::InvalidResource,
            "doc-6",
            "content[0].attachment.size",
        ),
        (
            7,
            pb::RejectionCode::EmptyDocument,
            "",
            "resource_json or reference",
        ),
        (8, pb::RejectionCode::InvalidMetadata, "doc-8", "metadata"),
        (
            9,
            pb::RejectionCode::InvalidReference,
            "",
            "DocumentReference/",
        ),
        (
            10,
            pb::RejectionCode::ReferenceNotResolvable,
            "doc-10",
            "fhir_server",
        ),
    ];
    assert_eq!(rejections.len(), expect.len(), "{rejections:#?}");
    for ((index, code, doc, message), (want_index, want_code, want_doc, hint)) in
        rejections.iter().zip(expect)
    {
        assert_eq!(
            (*index, *code, doc.as_str()),
            (want_index, want_code, want_doc)
        );
        assert!(
            message.contains(hint),
            "#{index}: {message:?} should mention {hint:?}"
        );
    }

    let import = app.wait_until_finished(&response.import_id).await;
    assert_eq!(import.state(), pb::ImportState::CompletedWithErrors);
    let mut imported: Vec<_> = app
        .all_files(&project.id, &[])
        .await
        .into_iter()
        .map(|f| f.document_reference_id)
        .collect();
    imported.sort();
    assert_eq!(imported, ["doc-0", "doc-11", "doc-4"]);

    let rejected = app
        .imports
        .clone()
        .list_import_items(pb::ListImportItemsRequest {
            import_id: response.import_id.clone(),
            states: vec![pb::ItemState::Rejected as i32],
            page_size: 100,
            page_token: String::new(),
        })
        .await
        .expect("items")
        .into_inner();
    let indexes: Vec<u64> = rejected.items.iter().map(|i| i.index).collect();
    assert_eq!(indexes, [1, 2, 3, 5, 6, 7, 8, 9, 10]);
    let first = rejected.items[0].rejection.clone().expect("rejection kept");
    assert_eq!(first.code(), pb::RejectionCode::InvalidJson);
    app.stop().await;
}
on_both_stores!(bad_documents_are_rejected_alone);

async fn headers_must_come_first_and_only_first(backend: Backend) {
    let app = spawn_app(backend).await;
    let project = app.create_project("headers").await;
    let mut client = app.imports.clone();

    let no_header = client
        .import_documents(tokio_stream::iter(vec![docs::document_message(
            docs::input(&docs::document(0)),
        )]))
        .await
        .expect_err("a document first is refused");
    assert_eq!(no_header.code(), Code::InvalidArgument);
    assert!(no_header
        .message()
        .contains("first message must be an ImportHeader"));

    let empty = client
        .import_documents(tokio_stream::iter(Vec::<pb::ImportDocumentsRequest>::new()))
        .await
        .expect_err("an empty stream is refused");
    assert_eq!(empty.code(), Code::InvalidArgument);

    let twice = client
        .import_documents(tokio_stream::iter(vec![
            docs::header_message(header(&project.id)),
            docs::document_message(docs::input(&docs::document(0))),
            docs::header_message(header(&project.id)),
            docs::document_message(docs::input(&docs::document(1))),
        ]))
        .await
        .expect_err("a second header is refused");
    assert_eq!(twice.code(), Code::InvalidArgument);
    assert!(
        twice.message().contains("document index 1"),
        "{}",
        twice.message()
    );
    // What came before the misplaced header is kept.
    let files = app.all_files(&project.id, &[]).await;
    let (imports, _) = list_imports(&app, &project.id).await;
    let import = app.wait_until_finished(&imports[0].id).await;
    assert_eq!(import.state(), pb::ImportState::CompletedWithErrors);
    assert!(import.error.contains("second header"), "{}", import.error);
    assert!(files.len() <= 1);
    assert_eq!(app.all_files(&project.id, &[]).await.len(), 1);

    let unknown = app
        .import(header("nobody/nothing"), docs::valid_inputs(0..1))
        .await
        .expect_err("unknown project");
    assert_eq!(unknown.code(), Code::NotFound);
    assert!(unknown.message().contains("nobody/nothing"));

    let mut bad_header = header(&project.id);
    bad_header.on_conflict = 42;
    let status = app
        .import(bad_header, vec![])
        .await
        .expect_err("bad policy");
    assert_eq!(status.code(), Code::InvalidArgument);
    assert!(status.message().contains("on_conflict"));
    app.stop().await;
}
on_both_stores!(headers_must_come_first_and_only_first);

async fn list_imports(app: &crate::common::TestApp, project: &str) -> (Vec<pb::Import>, String) {
    let page = app
        .imports
        .clone()
        .list_imports(pb::ListImportsRequest {
            project: project.to_owned(),
            page_size: 0,
            page_token: String::new(),
        })
        .await
        .expect("list imports")
        .into_inner();
    (page.imports, page.next_page_token)
}

async fn validate_only_stores_nothing(backend: Backend) {
    let app = spawn_app(backend).await;
    let project = app.create_project("dry-run").await;
    let mut h = header(&project.id);
    h.validate_only = true;
    let mut inputs = docs::valid_inputs(0..5);
    inputs.push(docs::raw("[]"));
    let response = app.import(h, inputs).await.expect("validate");
    assert_eq!(
        (response.received, response.accepted, response.rejected),
        (6, 5, 1)
    );
    assert_eq!(response.rejections[0].index, 5);
    assert!(response.import_id.is_empty());
    assert!(app.all_files(&project.id, &[]).await.is_empty());
    assert!(list_imports(&app, &project.id).await.0.is_empty());
    app.stop().await;
}
on_both_stores!(validate_only_stores_nothing);

async fn a_client_that_disconnects_keeps_what_was_accepted(backend: Backend) {
    let app = spawn_app(backend).await;
    let project = app.create_project("cut").await;
    let (stream, call) = app.open_import();
    let mut h = header(&project.id);
    h.idempotency_key = "nightly-sync".into();
    stream.header(h).await;
    stream.documents(docs::valid_inputs(0..40)).await;
    // Wait until the server has stored the 40 documents, then vanish.
    let import_id = app.wait_for_received(&project.id, 40).await;
    // The sender stays alive: the stream never ends cleanly, the client
    // just goes away.
    call.abort();

    let import = app.wait_until_finished(&import_id).await;
    assert_eq!(import.state(), pb::ImportState::CompletedWithErrors);
    assert!(import.error.contains("ended early"), "{}", import.error);
    assert_eq!(import.counts.expect("counts").imported, 40);
    assert!(
        import.idempotency_key.is_empty(),
        "a cut stream releases its key"
    );
    assert_eq!(app.all_files(&project.id, &[]).await.len(), 40);

    // The portal resends the whole stream with the same key and SKIP.
    let mut h = header(&project.id);
    h.idempotency_key = "nightly-sync".into();
    h.on_conflict = pb::ConflictPolicy::Skip as i32;
    let resent = app
        .import(h, docs::valid_inputs(0..60))
        .await
        .expect("resend");
    assert!(!resent.replayed);
    let done = app.wait_until_finished(&resent.import_id).await;
    let counts = done.counts.expect("counts");
    assert_eq!((counts.skipped, counts.imported), (40, 20));
    assert_eq!(app.all_files(&project.id, &[]).await.len(), 60);
    drop(stream);
    app.stop().await;
}
on_both_stores!(a_client_that_disconnects_keeps_what_was_accepted);

async fn accepted_documents_survive_a_restart(backend: Backend) {
    let app = spawn_app(backend).await;
    let project = app.create_project("durable").await;
    let response = app
        .import(header(&project.id), docs::valid_inputs(0..3000))
        .await
        .expect("import");
    assert_eq!(response.accepted, 3000);
    // Stop at once: processing may be anywhere; nothing accepted may be lost.
    let app = app.restart().await;
    let import = app.wait_until_finished(&response.import_id).await;
    assert_eq!(import.state(), pb::ImportState::Completed);
    assert_eq!(app.all_files(&project.id, &[]).await.len(), 3000);
    app.stop().await;
}
on_both_stores!(accepted_documents_survive_a_restart);

async fn oversized_documents_are_rejected_alone(backend: Backend) {
    let app = crate::common::spawn_app_with(backend, |config| {
        config.import.max_document_bytes = 4096;
    })
    .await;
    let project = app.create_project("sizes").await;
    let mut big = docs::document(1);
    big["description"] = json!("x".repeat(5000));
    let inputs = vec![
        docs::input(&docs::document(0)),
        docs::input(&big),
        docs::input(&docs::document(2)),
    ];
    let response = app
        .import(header(&project.id), inputs)
        .await
        .expect("import");
    assert_eq!((response.accepted, response.rejected), (2, 1));
    let rejection = &response.rejections[0];
    assert_eq!(
        (rejection.index, rejection.code()),
        (1, pb::RejectionCode::TooLarge)
    );
    assert!(rejection.message.contains("4096"), "{}", rejection.message);
    app.stop().await;
}
on_both_stores!(oversized_documents_are_rejected_alone);

async fn an_oversized_message_ends_the_stream_but_keeps_what_came_before(backend: Backend) {
    let app = crate::common::spawn_app_with(backend, |config| {
        config.import.max_document_bytes = 64 * 1024;
        config.import.max_message_bytes = 64 * 1024;
    })
    .await;
    let project = app.create_project("huge").await;
    let mut huge = docs::document(1);
    huge["description"] = json!("x".repeat(100 * 1024));
    let inputs = vec![
        docs::input(&docs::document(0)),
        docs::input(&huge),
        docs::input(&docs::document(2)),
    ];
    let status = app
        .import(header(&project.id), inputs)
        .await
        .expect_err("the transport cannot read past an oversized message");
    assert_eq!(status.code(), Code::ResourceExhausted);
    assert!(
        status.message().contains("document index 1"),
        "{}",
        status.message()
    );
    assert!(
        status.message().contains("max_message_bytes"),
        "{}",
        status.message()
    );

    let (imports, _) = list_imports(&app, &project.id).await;
    let import = app.wait_until_finished(&imports[0].id).await;
    assert_eq!(import.state(), pb::ImportState::CompletedWithErrors);
    assert_eq!(import.counts.expect("counts").imported, 1);
    app.stop().await;
}
on_both_stores!(an_oversized_message_ends_the_stream_but_keeps_what_came_before);

/// A portal still sending when the server drains hears UNAVAILABLE, the
/// status it resends on, rather than a connection reset that destroyed the
/// answer (closing a connection with the client's bytes unread resets it).
async fn a_stream_cut_while_its_client_sends_hears_unavailable(backend: Backend) {
    let mut app = crate::common::spawn_app_with(backend, |config| {
        config.shutdown_grace_ms = 200;
    })
    .await;
    let project = app.create_project("cut-while-sending").await;
    let (stream, call) = app.open_import();
    stream.header(header(&project.id)).await;
    // Documents of about 20 KB, sent as fast as the stream takes them, so
    // that the client's bytes are in flight when the stream is cut.
    let padding = "x".repeat(20_000);
    let documents: Vec<_> = (0..10)
        .map(|n| {
            let mut document = docs::document(n);
            document["description"] = padding.clone().into();
            docs::input(&document)
        })
        .collect();
    let sender = tokio::spawn(async move {
        for _ in 0..2_000 {
            stream.documents(documents.clone()).await;
        }
    });
    app.wait_for_received(&project.id, 100).await;
    app.stop_server().await;
    let status = call
        .await
        .expect("task")
        .expect_err("the stream is cut by the drain");
    assert_eq!(status.code(), Code::Unavailable, "{status:?}");
    assert!(
        status.message().contains("shutting down"),
        "{}",
        status.message()
    );
    sender.abort();
    app.stop().await;
}
on_both_stores!(a_stream_cut_while_its_client_sends_hears_unavailable);

async fn a_shutdown_cuts_open_streams_cleanly(backend: Backend) {
    let mut app = crate::common::spawn_app_with(backend, |config| {
        // The health watch below is a call that never ends by itself.
        config.shutdown_grace_ms = 300;
    })
    .await;
    let project = app.create_project("shutdown").await;
    let (stream, call) = app.open_import();
    stream.header(header(&project.id)).await;
    stream.documents(docs::valid_inputs(0..30)).await;
    let import_id = app.wait_for_received(&project.id, 30).await;
    let mut health = HealthClient::new(app.channel.clone())
        .watch(HealthCheckRequest {
            service: "fhir_import.v1.ImportService".into(),
        })
        .await
        .expect("health watch")
        .into_inner();
    let first = health.message().await.expect("health").expect("status");
    assert_eq!(first.status(), ServingStatus::Serving);

    app.stop_server().await;
    // Health said NOT_SERVING as the shutdown began.
    let not_serving = async {
        while let Ok(Some(update)) = health.message().await {
            if update.status() == ServingStatus::NotServing {
                return true;
            }
        }
        false
    };
    let said = tokio::time::timeout(std::time::Duration::from_secs(10), not_serving).await;
    assert_eq!(said, Ok(true), "health reported NOT_SERVING");
    let status = call.await.expect("task").expect_err("the stream is cut");
    assert_eq!(status.code(), Code::Unavailable);
    assert!(
        status.message().contains("shutting down"),
        "{}",
        status.message()
    );
    assert!(
        status.message().contains(&import_id),
        "{}",
        status.message()
    );

    let app = app.restart().await;
    let import = app.wait_until_finished(&import_id).await;
    assert_eq!(import.state(), pb::ImportState::CompletedWithErrors);
    assert!(import.error.contains("shut down"), "{}", import.error);
    assert_eq!(import.counts.expect("counts").imported, 30);
    drop(stream);
    app.stop().await;
}
on_both_stores!(a_shutdown_cuts_open_streams_cleanly);

/// The RetryInfo a refusal carries, as a client library reads it.
fn retry_delay(status: &tonic::Status) -> Option<std::time::Duration> {
    use tonic_types::StatusExt as _;
    status.get_details_retry_info()?.retry_delay
}

/// One user cannot hold every stream of a replica: past its cap a new
/// ImportDocuments or WatchImport stream is RESOURCE_EXHAUSTED with when to
/// retry, other users are unaffected, and a slot frees when a stream ends.
async fn open_streams_are_capped_per_caller(backend: Backend) {
    let app = crate::common::spawn_app_with(backend, |c| {
        c.import.max_streams_per_user = 1;
        c.import.max_watchers_per_user = 1;
    })
    .await;
    let project = app.create_project("capped").await;
    let (open, first) = app.open_import();
    open.header(header(&project.slug)).await;
    open.documents(vec![docs::input(&docs::document(1))]).await;
    let import_id = app.wait_for_received(&project.slug, 1).await;
    let refused = app
        .import(header(&project.slug), vec![docs::input(&docs::document(2))])
        .await
        .expect_err("a second stream of the same user");
    assert_eq!(refused.code(), Code::ResourceExhausted, "{refused:?}");
    assert!(
        refused.message().contains("user harness"),
        "{}",
        refused.message()
    );
    assert!(
        retry_delay(&refused).is_some_and(|d| d.as_secs() > 0),
        "{refused:?}"
    );

    // Another user of the same portal has a count of their own.
    let store = fhir_import::store::Store::connect(&app.database_url, 1)
        .await
        .expect("store");
    fhir_import::auth::accounts::Accounts::new(store)
        .create_user("other", None)
        .await
        .expect("user");
    let theirs = app.issue_token("other", &app.client_id, &[]).await;
    let mut other_projects =
        pb::project_service_client::ProjectServiceClient::new(app.channel_with(&theirs));
    let other_project = other_projects
        .create_project(pb::CreateProjectRequest {
            name: "own".into(),
            description: String::new(),
        })
        .await
        .expect("project")
        .into_inner();
    pb::import_service_client::ImportServiceClient::new(app.channel_with(&theirs))
        .import_documents(tokio_stream::iter([
            docs::header_message(header(&other_project.slug)),
            docs::document_message(docs::input(&docs::document(3))),
        ]))
        .await
        .expect("another user imports");

    // Watchers: one at a time for this user.
    let watch = || {
        let mut imports = app.imports.clone();
        let import_id = import_id.clone();
        async move {
            imports
                .watch_import(pb::WatchImportRequest {
                    import_id,
                    after_sequence: 0,
                })
                .await
        }
    };
    let watching = watch().await.expect("the first watcher").into_inner();
    let refused = watch().await.expect_err("a second watcher");
    assert_eq!(refused.code(), Code::ResourceExhausted);
    assert!(
        refused.message().contains("WatchImport"),
        "{}",
        refused.message()
    );
    assert!(retry_delay(&refused).is_some());
    drop(watching);
    let again = async {
        loop {
            match watch().await {
                Ok(stream) => return stream,
                Err(status) if status.code() == Code::ResourceExhausted => {
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await
                }
                Err(status) => panic!("{status:?}"),
            }
        }
    };
    let watching = tokio::time::timeout(std::time::Duration::from_secs(10), again)
        .await
        .expect("the slot frees once the first watcher is gone");
    drop(watching);

    // The stream ends: the next one is taken.
    drop(open);
    first.await.expect("join").expect("the first import");
    app.import(header(&project.slug), vec![docs::input(&docs::document(2))])
        .await
        .expect("a stream once the first ended");
    app.stop().await;
}
on_both_stores!(open_streams_are_capped_per_caller);

/// What a stream holds in memory is bounded by bytes, not only by count: a
/// batch is written once its documents reach `import.batch_bytes`, even
/// when the stream stays open and the batch is far from `batch_size`.
async fn batches_are_written_once_they_hold_batch_bytes(backend: Backend) {
    let app = crate::common::spawn_app_with(backend, |c| {
        c.import.batch_bytes = 64 << 10;
        c.import.batch_linger_ms = 600_000;
    })
    .await;
    let project = app.create_project("bytes").await;
    let (open, call) = app.open_import();
    open.header(header(&project.slug)).await;
    let padding = "x".repeat(8 << 10);
    let documents: Vec<pb::DocumentInput> = (0..10)
        .map(|n| {
            let mut document = docs::document(n);
            document["description"] = json!(padding);
            docs::input(&document)
        })
        .collect();
    open.documents(documents).await;
    // 10 documents of over 8 KiB: at least one batch of 64 KiB is written
    // while the stream is still open (the linger alone would wait minutes).
    app.wait_for_received(&project.slug, 8).await;
    drop(open);
    let summary = call.await.expect("join").expect("import");
    assert_eq!(summary.accepted, 10);
    app.stop().await;
}
on_both_stores!(batches_are_written_once_they_hold_batch_bytes);

/// A stream that never pauses is still stored as it flows: a batch waits
/// `batch_linger_ms` after its first document, not after the latest, so a
/// portal sending a document every 10 ms is durable, and its watchers hear
/// of it, long before a batch of `batch_size` fills.
async fn a_steady_stream_is_stored_while_it_flows(backend: Backend) {
    use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
    use std::sync::Arc;
    let app = spawn_app(backend).await;
    let project = app.create_project("steady").await;
    let (open, call) = app.open_import();
    open.header(header(&project.slug)).await;
    let sent = Arc::new(AtomicU64::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let sender = tokio::spawn({
        let (sent, stop) = (sent.clone(), stop.clone());
        async move {
            for n in 0..5_000 {
                if stop.load(Ordering::SeqCst) {
                    break;
                }
                open.documents(vec![docs::input(&docs::document(n))]).await;
                sent.fetch_add(1, Ordering::SeqCst);
                tokio::time::sleep(std::time::Duration::from_millis(10)).await;
            }
        }
    });
    app.wait_for_received(&project.slug, 5).await;
    let sent_by_then = sent.load(Ordering::SeqCst);
    stop.store(true, Ordering::SeqCst);
    sender.await.expect("sender");
    let summary = call.await.expect("join").expect("import");
    assert!(
        sent_by_then < 1_000,
        "the first documents were stored only after {sent_by_then} had been sent"
    );
    assert_eq!(summary.accepted, sent.load(Ordering::SeqCst));
    app.stop().await;
}
on_both_stores!(a_steady_stream_is_stored_while_it_flows);
