//! Listing and finding: projects by id or slug, pages of files, imports and
//! items, metadata filters, and the open services (health, reflection).

use crate::common::{docs, header, spawn_app, Backend, TestApp};
use fhir_import::proto::v1 as pb;
use tonic::Code;
use tonic_health::pb::{
    health_check_response::ServingStatus, health_client::HealthClient, HealthCheckRequest,
};

async fn imported(app: &TestApp, project: &str, inputs: Vec<pb::DocumentInput>) -> String {
    let response = app.import(header(project), inputs).await.expect("import");
    app.wait_until_finished(&response.import_id).await;
    response.import_id
}

async fn projects_by_id_or_slug(backend: Backend) {
    let app = spawn_app(backend).await;
    let created = app.create_project("cohort-a").await;
    assert_eq!(created.slug, "harness/cohort-a");
    let mut client = app.projects.clone();
    for reference in [created.id.clone(), created.slug.clone()] {
        let found = client
            .get_project(pb::GetProjectRequest { project: reference })
            .await
            .expect("get")
            .into_inner();
        assert_eq!(found, created);
    }
    let duplicate = client
        .create_project(pb::CreateProjectRequest {
            name: "cohort-a".into(),
            description: String::new(),
        })
        .await
        .expect_err("duplicate");
    assert_eq!(duplicate.code(), Code::AlreadyExists);
    let bad = client
        .create_project(pb::CreateProjectRequest {
            name: "Cohort A".into(),
            description: String::new(),
        })
        .await
        .expect_err("bad name");
    assert_eq!(bad.code(), Code::InvalidArgument);
    assert!(bad.message().contains("lowercase"));
    let missing = client
        .get_project(pb::GetProjectRequest {
            project: "harness/nope".into(),
        })
        .await
        .expect_err("missing");
    assert_eq!(missing.code(), Code::NotFound);

    for name in ["b", "c", "d", "e"] {
        app.create_project(name).await;
    }
    let mut names = Vec::new();
    let mut page_token = String::new();
    loop {
        let page = client
            .list_projects(pb::ListProjectsRequest {
                page_size: 2,
                page_token,
            })
            .await
            .expect("list")
            .into_inner();
        assert!(page.projects.len() <= 2);
        names.extend(page.projects.into_iter().map(|p| p.name));
        if page.next_page_token.is_empty() {
            break;
        }
        page_token = page.next_page_token;
    }
    assert_eq!(names, ["b", "c", "cohort-a", "d", "e"]);
    app.stop().await;
}
on_both_stores!(projects_by_id_or_slug);

async fn files_page_and_filter_by_metadata(backend: Backend) {
    let app = spawn_app(backend).await;
    let project = app.create_project("filters").await;
    let inputs = (0..30)
        .map(|n| {
            let sample = format!("S{}", n % 3);
            let strategy = if n % 2 == 0 { "WGS" } else { "RNA-Seq" };
            docs::input_with_metadata(
                &docs::document(n),
                &[("sample_id", &sample), ("experimental_strategy", strategy)],
            )
        })
        .collect();
    let import_id = imported(&app, &project.id, inputs).await;
    imported(&app, &project.id, docs::valid_inputs(100..105)).await;

    // Pages of 7 cover every file once, in a stable order.
    let mut seen = Vec::new();
    let mut page_token = String::new();
    let mut pages = 0;
    loop {
        let page = app
            .files
            .clone()
            .list_files(pb::ListFilesRequest {
                project: project.slug.clone(),
                page_size: 7,
                page_token,
                ..Default::default()
            })
            .await
            .expect("page")
            .into_inner();
        pages += 1;
        seen.extend(page.files.into_iter().map(|f| f.id));
        if page.next_page_token.is_empty() {
            break;
        }
        page_token = page.next_page_token;
    }
    assert_eq!(seen.len(), 35);
    assert_eq!(pages, 5);
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 35);

    let s1 = app.all_files(&project.id, &[("sample_id", "S1")]).await;
    assert_eq!(s1.len(), 10);
    assert!(s1.iter().all(|f| f.metadata["sample_id"] == "S1"));
    let s1_wgs = app
        .all_files(
            &project.id,
            &[("sample_id", "S1"), ("experimental_strategy", "WGS")],
        )
        .await;
    // n in 0..30 with n % 3 == 1 and n even: 4, 10, 16, 22, 28.
    let mut ids: Vec<_> = s1_wgs
        .iter()
        .map(|f| f.document_reference_id.clone())
        .collect();
    ids.sort();
    assert_eq!(ids, ["doc-10", "doc-16", "doc-22", "doc-28", "doc-4"]);
    assert!(app
        .all_files(&project.id, &[("sample_id", "nope")])
        .await
        .is_empty());

    let by_import = app
        .files
        .clone()
        .list_files(pb::ListFilesRequest {
            project: project.id.clone(),
            import_id: import_id.clone(),
            page_size: 1000,
            ..Default::default()
        })
        .await
        .expect("by import")
        .into_inner();
    assert_eq!(by_import.files.len(), 30);

    let bad_token = app
        .files
        .clone()
        .list_files(pb::ListFilesRequest {
            project: project.id.clone(),
            page_token: "%%%".into(),
            ..Default::default()
        })
        .await
        .expect_err("bad token");
    assert_eq!(bad_token.code(), Code::InvalidArgument);
    let missing = app
        .files
        .clone()
        .get_file(pb::GetFileRequest {
            id: "0192f000-0000-7000-8000-000000000000".into(),
        })
        .await
        .expect_err("missing file");
    assert_eq!(missing.code(), Code::NotFound);
    app.stop().await;
}
on_both_stores!(files_page_and_filter_by_metadata);

async fn imports_and_items_page(backend: Backend) {
    let app = spawn_app(backend).await;
    let project = app.create_project("pages").await;
    let mut ids = Vec::new();
    for n in 0..5 {
        ids.push(imported(&app, &project.id, docs::valid_inputs(n * 10..n * 10 + 3)).await);
    }
    let mut listed = Vec::new();
    let mut page_token = String::new();
    loop {
        let page = app
            .imports
            .clone()
            .list_imports(pb::ListImportsRequest {
                project: project.id.clone(),
                page_size: 2,
                page_token,
            })
            .await
            .expect("imports")
            .into_inner();
        listed.extend(page.imports.into_iter().map(|i| i.id));
        if page.next_page_token.is_empty() {
            break;
        }
        page_token = page.next_page_token;
    }
    ids.reverse();
    assert_eq!(listed, ids, "newest first");

    let mut inputs = docs::valid_inputs(0..6);
    inputs.insert(2, docs::raw("{}"));
    inputs.insert(5, docs::raw("[1]"));
    let import_id = imported(&app, &project.id, inputs).await;
    let mut indexes = Vec::new();
    let mut page_token = String::new();
    loop {
        let page = app
            .imports
            .clone()
            .list_import_items(pb::ListImportItemsRequest {
                import_id: import_id.clone(),
                states: vec![pb::ItemState::Imported as i32],
                page_size: 3,
                page_token,
            })
            .await
            .expect("items")
            .into_inner();
        assert!(page.items.iter().all(|i| !i.file_id.is_empty()));
        indexes.extend(page.items.into_iter().map(|i| i.index));
        if page.next_page_token.is_empty() {
            break;
        }
        page_token = page.next_page_token;
    }
    assert_eq!(indexes, [0, 1, 3, 4, 6, 7]);
    app.stop().await;
}
on_both_stores!(imports_and_items_page);

async fn health_and_reflection_are_served(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut health = HealthClient::new(app.channel.clone());
    for service in [
        "",
        "fhir_import.v1.ImportService",
        "fhir_import.v1.FileService",
        "fhir_import.v1.ProjectService",
        fhir_import::startup::PROCESSING_HEALTH,
        fhir_import::startup::SCRAPING_HEALTH,
    ] {
        let status = health
            .check(HealthCheckRequest {
                service: service.into(),
            })
            .await
            .expect("health")
            .into_inner();
        assert_eq!(status.status(), ServingStatus::Serving, "{service:?}");
    }

    use tonic_reflection::pb::v1::{
        server_reflection_client::ServerReflectionClient,
        server_reflection_request::MessageRequest, server_reflection_response::MessageResponse,
        ServerReflectionRequest,
    };
    let mut reflection = ServerReflectionClient::new(app.channel.clone());
    let request = ServerReflectionRequest {
        host: String::new(),
        message_request: Some(MessageRequest::ListServices(String::new())),
    };
    let mut responses = reflection
        .server_reflection_info(tokio_stream::iter(vec![request]))
        .await
        .expect("reflection")
        .into_inner();
    let response = responses
        .message()
        .await
        .expect("answer")
        .expect("one answer");
    let Some(MessageResponse::ListServicesResponse(list)) = response.message_response else {
        panic!("unexpected reflection answer");
    };
    let mut names: Vec<_> = list.service.into_iter().map(|s| s.name).collect();
    names.sort();
    for expected in [
        "fhir_import.v1.FileService",
        "fhir_import.v1.ImportService",
        "fhir_import.v1.ProjectService",
        "grpc.health.v1.Health",
    ] {
        assert!(
            names.iter().any(|n| n == expected),
            "{expected} missing from {names:?}"
        );
    }
    app.stop().await;
}
on_both_stores!(health_and_reflection_are_served);
