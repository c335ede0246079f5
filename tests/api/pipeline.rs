//! Every import finishes. A stream that repeats a document follows its
//! conflict policy within the stream; an item the store refuses (a real
//! trigger in the real database) fails alone with its reason while the rest
//! of its batch is imported, in the processing and the scraping stage; an
//! import that makes no progress says why; a store that goes away shows in
//! health and the import finishes once it is back.

use std::time::Duration;

use crate::common::fhir_server::SekmetServer;
use crate::common::{
    docs, header, header_from, register_fhir_server, spawn_app, spawn_app_with, Backend,
};
use fhir_import::dataset::{generate, Shape};
use fhir_import::proto::v1::{self as pb, import_event::Kind};
use sea_orm::{ConnectionTrait, Database};
use serde_json::json;
use tonic_health::pb::{health_check_response::ServingStatus, health_client::HealthClient};

fn with_policy(project: &str, policy: pb::ConflictPolicy) -> pb::ImportHeader {
    pb::ImportHeader {
        on_conflict: policy as i32,
        ..header(project)
    }
}

/// doc-0 again, with another URL and title: a portal's later export.
fn doc0_again() -> serde_json::Value {
    let mut doc = docs::document(0);
    doc["content"][0]["attachment"]["url"] = json!("https://new.example.org/doc-0");
    doc["content"][0]["attachment"]["title"] = json!("doc-0-again.cram");
    doc
}

/// `[doc A, doc B, doc A']`: the three documents of the issue.
fn a_b_a() -> Vec<pb::DocumentInput> {
    vec![
        docs::input_with_metadata(&docs::document(0), &[("sent", "first")]),
        docs::input(&docs::document(1)),
        docs::input_with_metadata(&doc0_again(), &[("sent", "again")]),
    ]
}

async fn items(app: &crate::common::TestApp, import_id: &str) -> Vec<pb::ImportItem> {
    app.imports
        .clone()
        .list_import_items(pb::ListImportItemsRequest {
            import_id: import_id.to_owned(),
            states: vec![],
            page_size: 1000,
            page_token: String::new(),
        })
        .await
        .expect("list items")
        .into_inner()
        .items
}

async fn overwrite_keeps_the_last_of_a_repeated_document(backend: Backend) {
    let app = spawn_app(backend).await;
    let project = app.create_project("repeats").await;
    let response = app
        .import(header(&project.id), a_b_a())
        .await
        .expect("import");
    let import = app.wait_until_finished(&response.import_id).await;
    assert_eq!(import.state(), pb::ImportState::Completed, "{import:?}");

    let files = app.all_files(&project.id, &[]).await;
    assert_eq!(files.len(), 2, "one file per document: {files:?}");
    let doc0 = files
        .iter()
        .find(|f| f.document_reference_id == "doc-0")
        .expect("doc-0");
    assert_eq!(
        doc0.url, "https://new.example.org/doc-0",
        "the later one wins"
    );
    assert_eq!(doc0.name, "doc-0-again.cram");
    assert_eq!(doc0.metadata.get("sent").map(String::as_str), Some("again"));

    let items = items(&app, &response.import_id).await;
    let states: Vec<_> = items.iter().map(|i| i.state()).collect();
    assert_eq!(states, [pb::ItemState::Imported; 3]);
    assert_eq!(items[2].file_id, doc0.id);
    assert_eq!(items[0].file_id, doc0.id);
    assert_eq!(
        items[2].repeat_of,
        Some(0),
        "the item names the one it replaced"
    );
    assert_eq!((items[0].repeat_of, items[1].repeat_of), (None, None));
    app.stop().await;
}
on_both_stores!(overwrite_keeps_the_last_of_a_repeated_document);

async fn skip_keeps_the_first_of_a_repeated_document(backend: Backend) {
    let app = spawn_app(backend).await;
    let project = app.create_project("repeats").await;
    let response = app
        .import(with_policy(&project.id, pb::ConflictPolicy::Skip), a_b_a())
        .await
        .expect("import");
    let import = app.wait_until_finished(&response.import_id).await;
    assert_eq!(import.state(), pb::ImportState::Completed, "{import:?}");
    let counts = import.counts.expect("counts");
    assert_eq!((counts.imported, counts.skipped), (2, 1));

    let files = app.all_files(&project.id, &[]).await;
    assert_eq!(files.len(), 2);
    let doc0 = files
        .iter()
        .find(|f| f.document_reference_id == "doc-0")
        .expect("doc-0");
    assert_eq!(
        doc0.url, "drs://data.example.org/file-0",
        "the first one wins"
    );
    assert_eq!(doc0.metadata.get("sent").map(String::as_str), Some("first"));

    let items = items(&app, &response.import_id).await;
    assert_eq!(items[2].state(), pb::ItemState::Skipped);
    assert_eq!(items[2].repeat_of, Some(0));
    assert_eq!(items[2].file_id, doc0.id);
    app.stop().await;
}
on_both_stores!(skip_keeps_the_first_of_a_repeated_document);

async fn rename_keeps_every_repeat(backend: Backend) {
    let app = spawn_app(backend).await;
    let project = app.create_project("repeats").await;
    let response = app
        .import(
            with_policy(&project.id, pb::ConflictPolicy::Rename),
            a_b_a(),
        )
        .await
        .expect("import");
    let import = app.wait_until_finished(&response.import_id).await;
    assert_eq!(import.state(), pb::ImportState::Completed, "{import:?}");

    let files = app.all_files(&project.id, &[]).await;
    assert_eq!(files.len(), 3, "{files:?}");
    let items = items(&app, &response.import_id).await;
    assert_eq!(items[2].state(), pb::ItemState::Imported);
    assert_eq!(items[2].repeat_of, Some(0));
    assert_ne!(items[2].file_id, items[0].file_id, "a file of its own");
    app.stop().await;
}
on_both_stores!(rename_keeps_every_repeat);

/// The record-file stage takes 500 items a batch: the repeat lands in a
/// later batch than the document it repeats, after that one's file exists.
async fn a_repeat_in_a_later_batch_names_the_earlier_item(backend: Backend) {
    let app = spawn_app(backend).await;
    let project = app.create_project("repeats").await;
    let mut inputs = vec![docs::input(&docs::document(0))];
    inputs.extend(docs::valid_inputs(1..600));
    inputs.push(docs::input(&doc0_again()));
    inputs.push(docs::input(&docs::document(0)));
    let response = app
        .import(header(&project.id), inputs)
        .await
        .expect("import");
    let import = app.wait_until_finished(&response.import_id).await;
    assert_eq!(import.state(), pb::ImportState::Completed, "{import:?}");
    assert_eq!(app.all_files(&project.id, &[]).await.len(), 600);
    let items = items(&app, &response.import_id).await;
    assert_eq!(items[600].repeat_of, Some(0));
    assert_eq!(items[601].repeat_of, Some(600), "the latest earlier item");
    assert_eq!(items[601].file_id, items[0].file_id);
    app.stop().await;
}
on_both_stores!(a_repeat_in_a_later_batch_names_the_earlier_item);

/// A later import of documents the project has: its repeats name its own
/// earlier items, whether they overwrote the file (the file says which item
/// wrote it) or skipped it (found among the skipped items), never the
/// first import's.
async fn a_re_import_s_repeats_name_its_own_earlier_items(backend: Backend) {
    // Batches of one: each look-up is the store's, not the batch's memory
    // of itself.
    let app = spawn_app_with(backend, |c| c.import.batch_size = 1).await;
    let project = app.create_project("repeats").await;
    let first = app
        .import(header(&project.id), docs::valid_inputs(0..3))
        .await
        .expect("first import");
    app.wait_until_finished(&first.import_id).await;

    for (policy, state) in [
        (pb::ConflictPolicy::Skip, pb::ItemState::Skipped),
        (pb::ConflictPolicy::Overwrite, pb::ItemState::Imported),
    ] {
        // doc-1, doc-0, doc-1, doc-2, doc-1.
        let inputs = [1, 0, 1, 2, 1]
            .map(|n| docs::input(&docs::document(n)))
            .to_vec();
        let again = app
            .import(with_policy(&project.id, policy), inputs)
            .await
            .expect("again");
        let import = app.wait_until_finished(&again.import_id).await;
        assert_eq!(import.state(), pb::ImportState::Completed, "{import:?}");
        let items = items(&app, &again.import_id).await;
        let seen: Vec<_> = items.iter().map(|i| (i.state(), i.repeat_of)).collect();
        assert_eq!(
            seen,
            [
                (state, None),
                (state, None),
                (state, Some(0)),
                (state, None),
                (state, Some(2)),
            ],
            "{policy:?}"
        );
    }
    assert_eq!(app.all_files(&project.id, &[]).await.len(), 3);
    app.stop().await;
}
on_both_stores!(a_re_import_s_repeats_name_its_own_earlier_items);

/// The same file twice in one scraping batch gets its metadata once.
async fn a_repeated_document_is_scraped(backend: Backend) {
    let data = generate(
        3,
        &Shape {
            families: 1,
            ..Shape::default()
        },
    );
    let sekmet = SekmetServer::start(Some(&data)).await;
    let app = spawn_app(backend).await;
    register_fhir_server(&app, "kf", sekmet.base_url(), "ncpi-kids-first").await;
    let project = app.create_project("repeats").await;
    let first = &data.document_references[0];
    let mut inputs: Vec<_> = data.document_references.iter().map(docs::input).collect();
    inputs.push(docs::input(first));
    let total = inputs.len() as u64;
    let response = app
        .import(header_from(&project.id, "kf"), inputs)
        .await
        .expect("import");
    let import = app.wait_until_finished(&response.import_id).await;
    assert_eq!(import.state(), pb::ImportState::Completed, "{import:?}");
    assert_eq!(import.counts.expect("counts").scraped, total);
    let files = app.all_files(&project.id, &[]).await;
    assert_eq!(files.len() as u64, total - 1);
    assert!(
        files
            .iter()
            .all(|f| f.metadata_state() == pb::MetadataState::Complete),
        "{files:?}"
    );
    app.stop().await;
}
on_both_stores!(a_repeated_document_is_scraped);

/// A trigger that makes the database refuse one row: the poison item.
async fn poison(app: &crate::common::TestApp, when_sqlite: &str, when_postgres: &str, event: &str) {
    let db = Database::connect(&app.database_url)
        .await
        .expect("open the store");
    let statements = match app.backend {
        Backend::Sqlite => vec![format!(
            "CREATE TRIGGER poison BEFORE {event} ON files WHEN {when_sqlite} \
             BEGIN SELECT RAISE(ABORT, 'poisoned row'); END"
        )],
        Backend::Postgres => vec![
            format!(
                "CREATE FUNCTION poison() RETURNS trigger AS $$ BEGIN \
                 IF {when_postgres} THEN RAISE EXCEPTION 'poisoned row'; END IF; \
                 RETURN NEW; END $$ LANGUAGE plpgsql"
            ),
            format!("CREATE TRIGGER poison BEFORE {event} ON files FOR EACH ROW EXECUTE FUNCTION poison()"),
        ],
    };
    for statement in statements {
        db.execute_unprepared(&statement)
            .await
            .expect("create the trigger");
    }
    let _ = db.close().await;
}

async fn an_item_the_store_refuses_fails_alone(backend: Backend) {
    let app = spawn_app(backend).await;
    let project = app.create_project("poison").await;
    let when = "NEW.document_reference_id = 'doc-3'";
    poison(&app, when, when, "INSERT").await;

    let response = app
        .import(header(&project.id), docs::valid_inputs(0..10))
        .await
        .expect("import");
    assert_eq!(response.accepted, 10, "intake stores every document");
    let import = app.wait_until_finished(&response.import_id).await;
    assert_eq!(import.state(), pb::ImportState::CompletedWithErrors);
    let counts = import.counts.expect("counts");
    assert_eq!((counts.imported, counts.failed), (9, 1));

    let items = items(&app, &response.import_id).await;
    let poisoned = &items[3];
    assert_eq!(poisoned.state(), pb::ItemState::Failed);
    assert_eq!(poisoned.failure(), pb::ItemFailure::StoreRefused);
    assert_eq!(poisoned.document_id, "doc-3");
    assert!(
        poisoned.error.contains("refused") && !poisoned.error.contains("poisoned row"),
        "a reason, without the database's own words: {}",
        poisoned.error
    );
    let files = app.all_files(&project.id, &[]).await;
    assert_eq!(files.len(), 9);
    assert!(files.iter().all(|f| f.document_reference_id != "doc-3"));

    // WatchImport tells the same from the start.
    let mut events = app
        .imports
        .clone()
        .watch_import(pb::WatchImportRequest {
            import_id: response.import_id.clone(),
            after_sequence: 0,
        })
        .await
        .expect("watch")
        .into_inner();
    let mut failed = Vec::new();
    while let Some(event) = events.message().await.expect("event") {
        if let Some(Kind::Item(item)) = event.kind {
            if item.state() == pb::ItemState::Failed {
                failed.push((item.index, item.failure()));
            }
        }
    }
    assert_eq!(failed, [(3, pb::ItemFailure::StoreRefused)]);
    app.stop().await;
}
on_both_stores!(an_item_the_store_refuses_fails_alone);

async fn metadata_the_store_refuses_fails_that_file_alone(backend: Backend) {
    let data = generate(
        5,
        &Shape {
            families: 2,
            ..Shape::default()
        },
    );
    let sekmet = SekmetServer::start(Some(&data)).await;
    let app = spawn_app(backend).await;
    register_fhir_server(&app, "kf", sekmet.base_url(), "ncpi-kids-first").await;
    let project = app.create_project("poison").await;
    let victim = data.document_references[1]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let when = format!(
        "NEW.document_reference_id = '{victim}' AND NEW.metadata_state IN ('COMPLETE', 'PARTIAL')"
    );
    poison(&app, &when, &when, "UPDATE").await;

    let inputs: Vec<_> = data.document_references.iter().map(docs::input).collect();
    let total = inputs.len() as u64;
    let response = app
        .import(header_from(&project.id, "kf"), inputs)
        .await
        .expect("import");
    let import = app.wait_until_finished(&response.import_id).await;
    assert_eq!(import.state(), pb::ImportState::CompletedWithErrors);
    let counts = import.counts.expect("counts");
    assert_eq!((counts.scraped, counts.scrape_failed), (total - 1, 1));

    let items = items(&app, &response.import_id).await;
    let poisoned = &items[1];
    assert_eq!(poisoned.state(), pb::ItemState::ScrapeFailed);
    assert_eq!(poisoned.failure(), pb::ItemFailure::StoreRefused);
    assert_eq!(poisoned.document_id, victim);
    for file in app.all_files(&project.id, &[]).await {
        let want = if file.document_reference_id == victim {
            pb::MetadataState::Failed
        } else {
            pb::MetadataState::Complete
        };
        assert_eq!(
            file.metadata_state(),
            want,
            "{}",
            file.document_reference_id
        );
    }
    app.stop().await;
}
on_both_stores!(metadata_the_store_refuses_fails_that_file_alone);

/// A portal that opens a stream and goes quiet: watchers hear why nothing
/// moves, once per `stall_after_secs`.
async fn an_idle_import_says_what_it_waits_for(backend: Backend) {
    let app = spawn_app_with(backend, |c| c.import.stall_after_secs = 1).await;
    let project = app.create_project("idle").await;
    let (open, call) = app.open_import();
    open.header(header(&project.id)).await;
    open.documents(docs::valid_inputs(0..2)).await;
    let import_id = app.wait_for_received(&project.id, 2).await;

    let mut events = app
        .imports
        .clone()
        .watch_import(pb::WatchImportRequest {
            import_id: import_id.clone(),
            after_sequence: 0,
        })
        .await
        .expect("watch")
        .into_inner();
    let stall = tokio::time::timeout(Duration::from_secs(20), async {
        loop {
            let event = events.message().await.expect("event").expect("open");
            if let Some(Kind::Stall(stall)) = event.kind {
                return stall;
            }
        }
    })
    .await
    .expect("a stall event within 20 s");
    assert_eq!(
        stall.reason,
        "waiting for the client to send more documents"
    );
    assert!(stall.idle_seconds >= 1, "{stall:?}");

    drop(open);
    let _ = call.await;
    app.stop().await;
}
on_both_stores!(an_idle_import_says_what_it_waits_for);

async fn health_status(app: &crate::common::TestApp, service: &str) -> ServingStatus {
    HealthClient::new(app.channel.clone())
        .check(tonic_health::pb::HealthCheckRequest {
            service: service.to_owned(),
        })
        .await
        .expect("health")
        .into_inner()
        .status()
}

/// PostgreSQL refuses every connection for a while (as during a failover):
/// health says NOT_SERVING, the import waits, and it finishes once the
/// database takes connections again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_store_that_goes_away_shows_in_health_and_the_import_finishes() {
    let app = spawn_app_with(Backend::Postgres, |c| c.import.stall_after_secs = 1).await;
    let project = app.create_project("outage").await;
    let database = app
        .database_url
        .rsplit('/')
        .next()
        .expect("database name")
        .to_owned();
    let admin = Database::connect(crate::common::postgres_admin_url())
        .await
        .expect("admin connection");
    let (open, call) = app.open_import();
    open.header(header(&project.id)).await;
    open.documents(docs::valid_inputs(0..20)).await;
    let import_id = app.wait_for_received(&project.id, 20).await;

    let service = "fhir_import.v1.ImportService";
    assert_eq!(health_status(&app, service).await, ServingStatus::Serving);
    assert_eq!(health_status(&app, "").await, ServingStatus::Serving);
    admin
        .execute_unprepared(&format!(
            "ALTER DATABASE {database} ALLOW_CONNECTIONS false; \
             SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{database}'"
        ))
        .await
        .expect("close the database");
    let down = tokio::time::timeout(Duration::from_secs(30), async {
        loop {
            if health_status(&app, service).await == ServingStatus::NotServing {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    })
    .await;
    admin
        .execute_unprepared(&format!("ALTER DATABASE {database} ALLOW_CONNECTIONS true"))
        .await
        .expect("open the database");
    down.expect("health reports NOT_SERVING while the store is away");

    let up = tokio::time::timeout(Duration::from_secs(60), async {
        loop {
            if health_status(&app, service).await == ServingStatus::Serving
                && health_status(&app, "").await == ServingStatus::Serving
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    })
    .await;
    up.expect("SERVING again once the store is back");

    // The open stream goes on where it was.
    open.documents(docs::valid_inputs(20..25)).await;
    drop(open);
    let response = call.await.expect("join").expect("the stream ends well");
    assert_eq!(response.accepted, 25);
    let import = app.wait_until_finished(&import_id).await;
    assert_eq!(import.state(), pb::ImportState::Completed, "{import:?}");
    assert_eq!(import.counts.expect("counts").imported, 25);
    let _ = admin.close().await;
    app.stop().await;
}

/// The store goes away while a portal is still sending: the call fails
/// UNAVAILABLE, and the import does not stay RECEIVING for ever but ends,
/// with what was stored before, once the store is back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stream_cut_by_the_store_ends_once_the_store_is_back() {
    let app = spawn_app(Backend::Postgres).await;
    let project = app.create_project("outage").await;
    let database = app
        .database_url
        .rsplit('/')
        .next()
        .expect("database name")
        .to_owned();
    let admin = Database::connect(crate::common::postgres_admin_url())
        .await
        .expect("admin connection");
    let (open, call) = app.open_import();
    open.header(header(&project.id)).await;
    open.documents(docs::valid_inputs(0..10)).await;
    let import_id = app.wait_for_received(&project.id, 10).await;

    admin
        .execute_unprepared(&format!(
            "ALTER DATABASE {database} ALLOW_CONNECTIONS false; \
             SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{database}'"
        ))
        .await
        .expect("close the database");
    open.documents(docs::valid_inputs(10..20)).await;
    drop(open);
    let status = call
        .await
        .expect("join")
        .expect_err("the stream cannot be stored");
    admin
        .execute_unprepared(&format!("ALTER DATABASE {database} ALLOW_CONNECTIONS true"))
        .await
        .expect("open the database");
    assert_eq!(status.code(), tonic::Code::Unavailable, "{status:?}");

    let import = app.wait_until_finished(&import_id).await;
    assert_eq!(
        import.state(),
        pb::ImportState::CompletedWithErrors,
        "{import:?}"
    );
    assert!(import.error.contains("could not store"), "{}", import.error);
    assert_eq!(import.counts.expect("counts").imported, 10);
    let _ = admin.close().await;
    app.stop().await;
}
