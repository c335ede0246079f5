//! Metadata scraping end to end: a real FHIR server (sekmet-fhir) holds a
//! Kids First-shaped study; a portal imports its DocumentReferences naming
//! that server; every file ends up with the metadata the NCPI schema
//! derives, its provenance, and items that went IMPORTED -> SCRAPED. A
//! server that is down fails the metadata, not the import of the files.

use crate::common::fhir_server::SekmetServer;
use crate::common::{
    docs, header_from, nowhere, register_fhir_server as register, spawn_app, Backend,
};
use fhir_import::dataset::{generate, Shape};
use fhir_import::proto::v1::{self as pb, fhir_server_service_client::FhirServerServiceClient};
use tonic::Code;

async fn imported_documents_get_the_schemas_metadata(backend: Backend) {
    let data = generate(
        11,
        &Shape {
            families: 4,
            ..Shape::default()
        },
    );
    let sekmet = SekmetServer::start(Some(&data)).await;
    let app = spawn_app(backend).await;
    // sekmet declares no NCPI guide, so an admin pins the schema.
    register(&app, "kf", sekmet.base_url(), "ncpi-kids-first").await;
    let project = app.create_project("kf-study").await;

    let documents: Vec<pb::DocumentInput> = data
        .document_references
        .iter()
        // The portal's own value for a key the schema also fills.
        .map(|d| docs::input_with_metadata(d, &[("study_name", "as the portal calls it")]))
        .collect();
    let total = documents.len() as u64;
    let response = app
        .import(header_from(&project.slug, "kf"), documents)
        .await
        .expect("import");
    assert_eq!(response.accepted, total);
    let import = app.wait_until_finished(&response.import_id).await;
    assert_eq!(import.state(), pb::ImportState::Completed, "{import:?}");
    let counts = import.counts.expect("counts");
    assert_eq!(
        (counts.scraped, counts.scrape_failed, counts.imported),
        (total, 0, 0)
    );

    let expected = data.expected();
    let files = app.all_files(&project.slug, &[]).await;
    assert_eq!(files.len() as u64, total);
    for file in &files {
        let id = &file.document_reference_id;
        assert_eq!(
            file.metadata_state(),
            pb::MetadataState::Complete,
            "{id}: {}",
            file.metadata_error
        );
        assert_eq!(file.metadata_schema, "ncpi-kids-first@2");
        assert!(
            file.metadata_sources
                .keys()
                .any(|r| r.starts_with("Patient/")),
            "{id}: provenance names the Patient read: {:?}",
            file.metadata_sources
        );
        for (key, values) in &expected[id] {
            if key == "study_name" {
                continue;
            }
            let want = (!values.is_empty()).then(|| values.join(","));
            assert_eq!(file.metadata.get(key), want.as_ref(), "{id} {key}");
        }
        assert_eq!(
            file.metadata["study_name"], "as the portal calls it",
            "scraped values never replace what the portal supplied"
        );
    }

    // Filtering by scraped metadata works like any other.
    let some_case = expected.values().next().expect("a document")["case_id"][0].clone();
    let of_case = app
        .all_files(&project.slug, &[("case_id", &some_case)])
        .await;
    assert!(!of_case.is_empty());
    assert!(of_case.iter().all(|f| f.metadata["case_id"] == some_case));

    // The items went through both stages.
    let items = app
        .imports
        .clone()
        .list_import_items(pb::ListImportItemsRequest {
            import_id: response.import_id.clone(),
            states: vec![pb::ItemState::Scraped as i32],
            page_size: 1000,
            page_token: String::new(),
        })
        .await
        .expect("items")
        .into_inner();
    assert_eq!(items.items.len() as u64, total);
    app.stop().await;
}
on_both_stores!(imported_documents_get_the_schemas_metadata);

async fn a_server_that_is_down_fails_the_metadata_not_the_files(backend: Backend) {
    let app = spawn_app(backend).await;
    let down = nowhere();
    register(&app, "down", &down, "ncpi-kids-first").await;
    let project = app.create_project("unlucky").await;
    let documents: Vec<pb::DocumentInput> =
        (1..=3).map(|n| docs::input(&docs::document(n))).collect();
    let response = app
        .import(header_from(&project.slug, "down"), documents)
        .await
        .expect("import");
    let import = app.wait_until_finished(&response.import_id).await;
    assert_eq!(
        import.state(),
        pb::ImportState::CompletedWithErrors,
        "{import:?}"
    );
    let counts = import.counts.expect("counts");
    assert_eq!((counts.scraped, counts.scrape_failed), (0, 3));
    let files = app.all_files(&project.slug, &[]).await;
    assert_eq!(files.len(), 3, "the files are imported all the same");
    for file in files {
        assert_eq!(file.metadata_state(), pb::MetadataState::Failed);
        assert!(
            file.metadata_error.contains("unreachable"),
            "{}",
            file.metadata_error
        );
    }

    // Naming a server nobody registered is refused before anything is stored.
    let status = app
        .import(
            header_from(&project.slug, "nobody"),
            vec![docs::input(&docs::document(9))],
        )
        .await
        .expect_err("unregistered server");
    assert_eq!(status.code(), Code::InvalidArgument);
    assert!(status.message().contains("nobody"), "{}", status.message());
    app.stop().await;
}
on_both_stores!(a_server_that_is_down_fails_the_metadata_not_the_files);

async fn previews_scrape_without_importing(backend: Backend) {
    let data = generate(5, &Shape::default());
    let sekmet = SekmetServer::start(Some(&data)).await;
    let app = spawn_app(backend).await;
    register(&app, "kf", sekmet.base_url(), "ncpi-kids-first").await;
    let channel = app.channel_with(&app.token);
    let servers = FhirServerServiceClient::new(channel);
    let document = &data.document_references[0];
    let id = document["id"].as_str().expect("id").to_owned();
    let expected = &data.expected()[&id];
    let preview = |request: pb::PreviewScrapeRequest| {
        let mut servers = servers.clone();
        async move {
            servers
                .preview_scrape(request)
                .await
                .map(|r| r.into_inner())
        }
    };

    // By id: the server's DocumentReference, scraped with its schema.
    let by_id = preview(pb::PreviewScrapeRequest {
        fhir_server: "kf".into(),
        document: Some(pb::preview_scrape_request::Document::DocumentReferenceId(
            id.clone(),
        )),
        schema: String::new(),
    })
    .await
    .expect("preview by id");
    assert_eq!(by_id.schema, "ncpi-kids-first@2");
    assert!(by_id.problems.is_empty(), "{:?}", by_id.problems);
    for (key, values) in expected {
        let want = (!values.is_empty()).then(|| values.join(","));
        assert_eq!(by_id.metadata.get(key), want.as_ref(), "{key}");
    }
    let subject = document["subject"]["reference"].as_str().expect("subject");
    assert!(
        by_id.fetched.iter().any(|r| r == subject),
        "{:?}",
        by_id.fetched
    );

    // Inline, with another schema tried.
    let inline = preview(pb::PreviewScrapeRequest {
        fhir_server: "kf".into(),
        document: Some(pb::preview_scrape_request::Document::ResourceJson(
            document.to_string(),
        )),
        schema: "generic-r4".into(),
    })
    .await
    .expect("preview inline");
    assert_eq!(inline.schema, "generic-r4@2");
    assert_eq!(inline.metadata.get("gender"), Some(&expected["gender"][0]));

    // Refusals.
    let missing = preview(pb::PreviewScrapeRequest {
        fhir_server: "kf".into(),
        document: Some(pb::preview_scrape_request::Document::DocumentReferenceId(
            "nope".into(),
        )),
        schema: String::new(),
    })
    .await
    .expect_err("no such document");
    assert_eq!(missing.code(), Code::NotFound);
    let unregistered = preview(pb::PreviewScrapeRequest {
        fhir_server: "elsewhere".into(),
        document: Some(pb::preview_scrape_request::Document::DocumentReferenceId(
            id,
        )),
        schema: String::new(),
    })
    .await
    .expect_err("unregistered server");
    assert_eq!(unregistered.code(), Code::NotFound);

    // Nothing was imported.
    let project = app.create_project("empty").await;
    assert!(app.all_files(&project.slug, &[]).await.is_empty());
    app.stop().await;
}
on_both_stores!(previews_scrape_without_importing);
