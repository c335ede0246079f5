//! RescrapeFiles end to end: files whose metadata failed during an outage
//! are scraped again once the FHIR server is back; a schema change reaches
//! files already imported; the rescrape is an import of kind RESCRAPE that
//! WatchImport follows; portal-supplied pairs are never touched; refusals.

use std::collections::BTreeMap;

use crate::common::binary::cli;
use crate::common::fhir_server::SekmetServer;
use crate::common::{
    docs, header_from, nowhere, register_fhir_server as register, spawn_app, Backend, TestApp,
};
use fhir_import::auth::accounts::Accounts;
use fhir_import::dataset::{generate, Dataset, Shape};
use fhir_import::proto::v1::{
    self as pb, fhir_server_service_client::FhirServerServiceClient,
    import_service_client::ImportServiceClient, rescrape_files_request::Selection,
};
use tonic::Code;

fn small_study(seed: u64) -> Dataset {
    generate(
        seed,
        &Shape {
            families: 2,
            ..Shape::default()
        },
    )
}

async fn update_server(app: &TestApp, request: pb::UpdateFhirServerRequest) {
    FhirServerServiceClient::new(app.channel_with(&app.token))
        .update_fhir_server(request)
        .await
        .expect("update the FHIR server");
}

async fn rescrape(
    app: &TestApp,
    project: &str,
    selection: Selection,
    states: &[pb::MetadataState],
) -> Result<pb::RescrapeFilesResponse, tonic::Status> {
    app.imports
        .clone()
        .rescrape_files(pb::RescrapeFilesRequest {
            project: project.into(),
            selection: Some(selection),
            metadata_states: states.iter().map(|s| *s as i32).collect(),
        })
        .await
        .map(|r| r.into_inner())
}

/// Every event of an import until its stream ends.
async fn watch_to_the_end(app: &TestApp, import_id: &str) -> Vec<pb::ImportEvent> {
    let mut stream = app
        .imports
        .clone()
        .watch_import(pb::WatchImportRequest {
            import_id: import_id.into(),
            after_sequence: 0,
        })
        .await
        .expect("watch")
        .into_inner();
    let mut events = Vec::new();
    while let Some(event) = stream.message().await.expect("event") {
        events.push(event);
    }
    events
}

/// Each file's metadata as the portal sees it, by DocumentReference id.
async fn metadata_by_document(
    app: &TestApp,
    project: &str,
) -> BTreeMap<String, (pb::MetadataState, BTreeMap<String, String>)> {
    app.all_files(project, &[])
        .await
        .into_iter()
        .map(|f| {
            let state = f.metadata_state();
            let pairs = f.metadata.into_iter().collect();
            (f.document_reference_id, (state, pairs))
        })
        .collect()
}

fn assert_expected(data: &Dataset, id: &str, pairs: &BTreeMap<String, String>) {
    for (key, values) in &data.expected()[id] {
        if key == "study_name" {
            continue;
        }
        let want = (!values.is_empty()).then(|| values.join(","));
        assert_eq!(pairs.get(key), want.as_ref(), "{id} {key}");
    }
}

async fn a_rescrape_fills_what_an_outage_left_failed(backend: Backend) {
    let data = small_study(41);
    let sekmet = SekmetServer::start(Some(&data)).await;
    let app = spawn_app(backend).await;
    register(&app, "kf", &nowhere(), "ncpi-kids-first").await;
    let project = app.create_project("outage").await;
    let documents: Vec<pb::DocumentInput> = data
        .document_references
        .iter()
        .map(|d| docs::input_with_metadata(d, &[("study_name", "as the portal calls it")]))
        .collect();
    let total = documents.len() as u64;
    let first = app
        .import(header_from(&project.slug, "kf"), documents)
        .await
        .expect("import");
    let first = app.wait_until_finished(&first.import_id).await;
    assert_eq!(first.state(), pb::ImportState::CompletedWithErrors);
    let before = metadata_by_document(&app, &project.slug).await;
    assert!(before
        .values()
        .all(|(state, _)| *state == pb::MetadataState::Failed));

    // The server is back (at another address, as after a move).
    update_server(
        &app,
        pb::UpdateFhirServerRequest {
            id: "kf".into(),
            base_url: sekmet.base_url().into(),
            ..Default::default()
        },
    )
    .await;
    let started = rescrape(
        &app,
        &project.slug,
        Selection::ImportId(first.id.clone()),
        &[pb::MetadataState::Failed],
    )
    .await
    .expect("rescrape");
    assert_eq!((started.files, started.already_pending), (total, 0));
    assert_eq!(started.imports.len(), 1, "one FHIR server, one import");
    let rescrape_import = &started.imports[0];
    assert_eq!(rescrape_import.kind(), pb::ImportKind::Rescrape);
    assert_eq!(rescrape_import.fhir_server, "kf");
    assert_eq!(rescrape_import.project, project.id);

    // WatchImport follows it like any import: a snapshot, progress events
    // that account for every file, then the outcome.
    let events = watch_to_the_end(&app, &rescrape_import.id).await;
    let Some(pb::import_event::Kind::Snapshot(snapshot)) = &events[0].kind else {
        panic!("first event is a snapshot: {:?}", events[0]);
    };
    assert_eq!(snapshot.counts.as_ref().expect("counts").received, total);
    let scraped: u64 = events
        .iter()
        .filter_map(|e| match &e.kind {
            Some(pb::import_event::Kind::Progress(p))
                if p.stage() == pb::ItemStage::FetchMetadata =>
            {
                Some(p.items)
            }
            _ => None,
        })
        .sum();
    assert_eq!(scraped, total);
    let Some(pb::import_event::Kind::StateChange(last)) = &events.last().expect("events").kind
    else {
        panic!("the stream ends with the outcome: {events:?}");
    };
    assert_eq!(last.state(), pb::ImportState::Completed);

    let after = metadata_by_document(&app, &project.slug).await;
    assert_eq!(after.len() as u64, total, "no file was added");
    for (id, (state, pairs)) in &after {
        assert_eq!(*state, pb::MetadataState::Complete, "{id}");
        assert_expected(&data, id, pairs);
        assert_eq!(pairs["study_name"], "as the portal calls it");
    }

    // Both imports are listed, each with its kind.
    let listed = app
        .imports
        .clone()
        .list_imports(pb::ListImportsRequest {
            project: project.slug.clone(),
            ..Default::default()
        })
        .await
        .expect("list")
        .into_inner()
        .imports;
    let kinds: Vec<pb::ImportKind> = listed.iter().map(|i| i.kind()).collect();
    assert_eq!(
        kinds,
        [pb::ImportKind::Rescrape, pb::ImportKind::Documents],
        "newest first"
    );

    // Nothing failed any more, so retrying the failed ones selects nothing.
    let again = rescrape(
        &app,
        &project.slug,
        Selection::AllFiles(true),
        &[pb::MetadataState::Failed],
    )
    .await
    .expect("rescrape");
    assert_eq!((again.files, again.imports.len()), (0, 0));
    app.stop().await;
}
on_both_stores!(a_rescrape_fills_what_an_outage_left_failed);

async fn a_schema_change_reaches_imported_files(backend: Backend) {
    let data = small_study(42);
    let sekmet = SekmetServer::start(Some(&data)).await;
    let app = spawn_app(backend).await;
    register(&app, "kf", sekmet.base_url(), "ncpi-kids-first").await;
    let project = app.create_project("reschema").await;
    let documents: Vec<pb::DocumentInput> =
        data.document_references.iter().map(docs::input).collect();
    let imported = app
        .import(header_from(&project.slug, "kf"), documents)
        .await
        .expect("import");
    app.wait_until_finished(&imported.import_id).await;
    // A file from no FHIR server shares the project and is left alone.
    let local = app
        .import(
            crate::common::header(&project.slug),
            vec![docs::input_with_metadata(
                &docs::document(1),
                &[("note", "kept")],
            )],
        )
        .await
        .expect("local import");
    app.wait_until_finished(&local.import_id).await;

    update_server(
        &app,
        pb::UpdateFhirServerRequest {
            id: "kf".into(),
            schema: "generic-r4".into(),
            ..Default::default()
        },
    )
    .await;
    // From the command line, following it to the end.
    let run = cli(
        &app,
        &[
            "imports",
            "rescrape",
            "--project",
            &project.slug,
            "--all",
            "--watch",
        ],
    )
    .await
    .ok();
    let total = data.document_references.len();
    assert!(
        run.stdout
            .starts_with(&format!("rescraping {total} files in 1 imports")),
        "{run}"
    );
    assert!(
        run.stdout.contains(&format!(
            "finished: completed [received={total} scraped={total}]"
        )),
        "{run}"
    );

    for file in app.all_files(&project.slug, &[]).await {
        if file.fhir_server.is_empty() {
            assert_eq!(file.metadata_state(), pb::MetadataState::NotRequested);
            assert_eq!(file.metadata.get("note").map(String::as_str), Some("kept"));
            continue;
        }
        assert!(
            file.metadata_schema.starts_with("generic-r4@"),
            "{}",
            file.metadata_schema
        );
        // The NCPI keys are gone with the schema that made them; the
        // generic schema's are there.
        assert!(
            !file.metadata.contains_key("sample_id"),
            "{:?}",
            file.metadata
        );
        assert!(
            file.metadata.contains_key("patient_identifiers")
                && file.metadata.contains_key("document_type"),
            "{:?}",
            file.metadata
        );
    }
    app.stop().await;
}
on_both_stores!(a_schema_change_reaches_imported_files);

async fn files_by_id_and_what_is_refused(backend: Backend) {
    let data = small_study(43);
    let sekmet = SekmetServer::start(Some(&data)).await;
    let app = spawn_app(backend).await;
    register(&app, "kf", sekmet.base_url(), "ncpi-kids-first").await;
    let project = app.create_project("chosen").await;
    let documents: Vec<pb::DocumentInput> =
        data.document_references.iter().map(docs::input).collect();
    let imported = app
        .import(header_from(&project.slug, "kf"), documents)
        .await
        .expect("import");
    app.wait_until_finished(&imported.import_id).await;
    let local = app
        .import(
            crate::common::header(&project.slug),
            vec![docs::input(&docs::document(1))],
        )
        .await
        .expect("local import");
    app.wait_until_finished(&local.import_id).await;
    let files = app.all_files(&project.slug, &[]).await;
    let (local_files, kf_files): (Vec<_>, Vec<_>) =
        files.into_iter().partition(|f| f.fhir_server.is_empty());
    let chosen: Vec<String> = kf_files.iter().take(2).map(|f| f.id.clone()).collect();

    let started = rescrape(
        &app,
        &project.slug,
        Selection::FileIds(pb::FileIds {
            ids: chosen.clone(),
        }),
        &[],
    )
    .await
    .expect("rescrape two files");
    assert_eq!(started.files, 2);
    let finished = app.wait_until_finished(&started.imports[0].id).await;
    let items = app
        .imports
        .clone()
        .list_import_items(pb::ListImportItemsRequest {
            import_id: finished.id.clone(),
            ..Default::default()
        })
        .await
        .expect("items")
        .into_inner()
        .items;
    let mut rescraped: Vec<String> = items.iter().map(|i| i.file_id.clone()).collect();
    rescraped.sort();
    let mut want = chosen.clone();
    want.sort();
    assert_eq!(rescraped, want, "exactly the listed files");
    assert!(items.iter().all(|i| i.state() == pb::ItemState::Scraped));

    let refused = |selection: Selection, states: Vec<pb::MetadataState>| {
        let app = &app;
        let project = project.slug.clone();
        async move {
            rescrape(app, &project, selection, &states)
                .await
                .expect_err("refused")
        }
    };
    let status = refused(
        Selection::FileIds(pb::FileIds {
            ids: vec![uuid_like()],
        }),
        vec![],
    )
    .await;
    assert_eq!(status.code(), Code::NotFound, "{status:?}");
    let status = refused(
        Selection::FileIds(pb::FileIds {
            ids: vec![local_files[0].id.clone()],
        }),
        vec![],
    )
    .await;
    assert_eq!(status.code(), Code::InvalidArgument);
    assert!(
        status.message().contains("without a FHIR server"),
        "{status:?}"
    );
    let status = refused(Selection::ImportId(local.import_id.clone()), vec![]).await;
    assert_eq!(status.code(), Code::InvalidArgument, "{status:?}");
    let status = refused(Selection::FileIds(pb::FileIds { ids: vec![] }), vec![]).await;
    assert_eq!(status.code(), Code::InvalidArgument);
    let status = refused(Selection::AllFiles(false), vec![]).await;
    assert_eq!(status.code(), Code::InvalidArgument);
    let status = refused(Selection::AllFiles(true), vec![pb::MetadataState::Pending]).await;
    assert_eq!(status.code(), Code::InvalidArgument);

    // An import of another project is not found from this one.
    let other = app.create_project("other").await;
    let status = rescrape(
        &app,
        &other.slug,
        Selection::ImportId(imported.import_id.clone()),
        &[],
    )
    .await
    .expect_err("another project's import");
    assert_eq!(status.code(), Code::NotFound);

    // A member who may only read cannot rescrape.
    let store = fhir_import::store::Store::connect(&app.database_url, 1)
        .await
        .expect("store");
    let accounts = Accounts::new(store);
    accounts.create_user("reader", None).await.expect("user");
    accounts
        .add_member(&project.slug, "reader", "read")
        .await
        .expect("member");
    let token = app.issue_token("reader", &app.client_id, &[]).await;
    let status = ImportServiceClient::new(app.channel_with(&token))
        .rescrape_files(pb::RescrapeFilesRequest {
            project: project.slug.clone(),
            selection: Some(Selection::AllFiles(true)),
            metadata_states: vec![],
        })
        .await
        .expect_err("readers do not rescrape");
    assert_eq!(status.code(), Code::PermissionDenied, "{status:?}");
    app.stop().await;
}
on_both_stores!(files_by_id_and_what_is_refused);

fn uuid_like() -> String {
    "0b0e5f4e-3c1d-4f7a-9a51-6f1f2a9d1c00".to_owned()
}

/// A FHIR server that accepts connections and never answers.
async fn silent_server() -> (String, tokio::task::JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}/fhir", listener.local_addr().expect("addr"));
    let task = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    (url, task)
}

async fn cancelling_a_rescrape_leaves_no_file_pending(backend: Backend) {
    let data = small_study(44);
    let sekmet = SekmetServer::start(Some(&data)).await;
    let app = spawn_app(backend).await;
    register(&app, "kf", sekmet.base_url(), "ncpi-kids-first").await;
    let project = app.create_project("cancelled").await;
    let documents: Vec<pb::DocumentInput> =
        data.document_references.iter().map(docs::input).collect();
    let imported = app
        .import(header_from(&project.slug, "kf"), documents)
        .await
        .expect("import");
    app.wait_until_finished(&imported.import_id).await;

    // The server stops answering: the rescrape cannot finish by itself.
    let (silent, _server) = silent_server().await;
    update_server(
        &app,
        pb::UpdateFhirServerRequest {
            id: "kf".into(),
            base_url: silent,
            ..Default::default()
        },
    )
    .await;
    let started = rescrape(&app, &project.slug, Selection::AllFiles(true), &[])
        .await
        .expect("rescrape");
    let pending = metadata_by_document(&app, &project.slug).await;
    assert!(
        pending
            .values()
            .all(|(state, _)| *state == pb::MetadataState::Pending),
        "the files wait for their new metadata"
    );
    // Their earlier pairs stay meanwhile.
    for (id, (_, pairs)) in &pending {
        assert_expected(&data, id, pairs);
    }
    // A second rescrape leaves the files being scraped alone.
    let second = rescrape(&app, &project.slug, Selection::AllFiles(true), &[])
        .await
        .expect("second rescrape");
    assert_eq!((second.files, second.already_pending), (0, started.files));

    let cancelled = app
        .imports
        .clone()
        .cancel_import(pb::CancelImportRequest {
            import_id: started.imports[0].id.clone(),
        })
        .await
        .expect("cancel")
        .into_inner();
    assert_eq!(cancelled.state(), pb::ImportState::Cancelled);
    for file in app.all_files(&project.slug, &[]).await {
        assert_eq!(file.metadata_state(), pb::MetadataState::Failed);
        assert!(
            file.metadata_error.contains("cancelled"),
            "{}",
            file.metadata_error
        );
    }
    app.stop().await;
}
on_both_stores!(cancelling_a_rescrape_leaves_no_file_pending);
