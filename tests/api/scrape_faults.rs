//! Every fault a FHIR server can throw at the metadata stage, through the
//! whole pipeline: the in-process stub answers the Patient a document
//! points at slowly, with 5xx, 429 + Retry-After, a cut connection, a
//! redirect to another host, a huge body, invalid JSON, or not at all. The
//! file is always imported; its metadata ends in the documented state:
//! COMPLETE when retrying got through, FAILED (item SCRAPE_FAILED, worth a
//! rescrape) when the server could not answer, PARTIAL (item SCRAPED) when
//! it answered with something unusable. Nothing hangs, a stalled server
//! holds up only its own imports, and shutdown does not wait for it.

use crate::common::fhir_stub::{bundle, FhirStub, Reply};
use crate::common::{header_from, spawn_app_with, Backend, TestApp};
use fhir_import::config::{Config, ConfiguredFhirServer};
use fhir_import::fhir::{ServerConfig, ServerLimits};
use fhir_import::proto::v1::{self as pb, document_input::Source};
use serde_json::{json, Value};

fn patient() -> Value {
    json!({"resourceType": "Patient", "id": "p1", "gender": "female",
           "identifier": [{"use": "official", "value": "PT-1"}]})
}

fn document(n: usize) -> pb::DocumentInput {
    let document = json!({
        "resourceType": "DocumentReference",
        "id": format!("d{n}"),
        "status": "current",
        "subject": {"reference": "Patient/p1"},
        "content": [{"attachment": {"url": format!("drs://example.org/f{n}"), "title": format!("f{n}.cram")}}],
    });
    pb::DocumentInput {
        source: Some(Source::ResourceJson(document.to_string())),
        metadata: Default::default(),
    }
}

/// Short timeouts and backoff, so that every fault resolves in seconds.
fn quick(timeout_ms: u64, max_retries: u32) -> ServerLimits {
    ServerLimits {
        requests_per_second: 0.0,
        timeout_ms,
        max_response_bytes: 1 << 20,
        max_retries,
        retry_base_ms: 10,
        retry_max_ms: 50,
        max_retry_after_ms: 5_000,
        ..ServerLimits::default()
    }
}

fn configured(id: &str, stub: &FhirStub, limits: ServerLimits) -> ConfiguredFhirServer {
    ConfiguredFhirServer {
        server: ServerConfig {
            limits,
            allow_private_addresses: true,
            ..ServerConfig::new(id, stub.base_url())
        },
        schema: Some("generic-r4".into()),
        allowed_projects: vec!["harness/*".into()],
    }
}

struct Case {
    server: &'static str,
    /// Answers to the batch's `Patient?_id=p1` search; the read of
    /// `Patient/p1` that follows a failed search gets the same fault.
    replies: Vec<Reply>,
    item: pb::ItemState,
    metadata: pb::MetadataState,
    /// In the file's `metadata_error` (empty: there is none).
    error: &'static str,
}

fn cases() -> Vec<Case> {
    use pb::{ItemState as Item, MetadataState as Meta};
    let ok = || Reply::Json(bundle(&[patient()], None));
    let case = |server, replies, item, metadata, error| Case {
        server,
        replies,
        item,
        metadata,
        error,
    };
    vec![
        case(
            "slow",
            vec![Reply::delayed(150, ok())],
            Item::Scraped,
            Meta::Complete,
            "",
        ),
        case(
            "flaky",
            vec![
                Reply::Status(500, "oops"),
                Reply::Status(502, "bad gateway"),
                ok(),
            ],
            Item::Scraped,
            Meta::Complete,
            "",
        ),
        case(
            "busy",
            vec![Reply::RetryAfter(429, "1".into()), ok()],
            Item::Scraped,
            Meta::Complete,
            "",
        ),
        case(
            "broken",
            vec![Reply::Status(500, "always failing")],
            Item::ScrapeFailed,
            Meta::Failed,
            "FHIR server answered 500: always failing",
        ),
        case(
            "too-slow",
            vec![Reply::delayed(3_000, ok())],
            Item::ScrapeFailed,
            Meta::Failed,
            "FHIR server did not answer within",
        ),
        case(
            "throttled",
            vec![Reply::RetryAfter(429, "3600".into())],
            Item::ScrapeFailed,
            Meta::Failed,
            "rate limiting us; it asks to retry after 3600s",
        ),
        case(
            "cut",
            vec![Reply::CutMidBody],
            Item::ScrapeFailed,
            Meta::Failed,
            "FHIR server unreachable",
        ),
        case(
            "elsewhere",
            vec![Reply::Redirect(
                "https://other.example.org/fhir/Patient/p1".into(),
            )],
            Item::Scraped,
            Meta::Partial,
            "redirected to https://other.example.org, which is not on the same origin",
        ),
        case(
            "huge",
            vec![Reply::Huge {
                bytes: 3 << 20,
                declare_length: false,
            }],
            Item::Scraped,
            Meta::Partial,
            "exceeds the limit of 1048576 bytes",
        ),
        case(
            "garbled",
            vec![Reply::InvalidJson],
            Item::Scraped,
            Meta::Partial,
            "FHIR server sent invalid JSON",
        ),
        case(
            "gone",
            vec![Reply::Json(bundle(&[], None))],
            Item::Scraped,
            Meta::Partial,
            "resolve Patient/p1: the server has no such resource",
        ),
    ]
}

async fn item_of(app: &TestApp, import_id: &str) -> pb::ImportItem {
    let items = app
        .imports
        .clone()
        .list_import_items(pb::ListImportItemsRequest {
            import_id: import_id.into(),
            ..Default::default()
        })
        .await
        .expect("items")
        .into_inner()
        .items;
    assert_eq!(items.len(), 1);
    items.into_iter().next().expect("one item")
}

async fn each_fault_ends_in_its_documented_state(backend: Backend) {
    let cases = cases();
    let mut stubs = Vec::new();
    for case in &cases {
        let stub = FhirStub::start().await;
        stub.on("/fhir/Patient", case.replies.clone());
        let read = match case.metadata {
            pb::MetadataState::Complete => vec![Reply::Json(patient())],
            _ if case.server == "gone" => vec![Reply::Status(404, "gone")],
            _ => case.replies.clone(),
        };
        stub.on("/fhir/Patient/p1", read);
        stubs.push(stub);
    }
    let configured: Vec<ConfiguredFhirServer> = cases
        .iter()
        .zip(&stubs)
        .map(|(case, stub)| configured(case.server, stub, quick(400, 2)))
        .collect();
    let app = spawn_app_with(backend, |config: &mut Config| {
        config.fhir_servers = configured
    })
    .await;

    // All at once: each server's trouble is its own.
    let mut imports = Vec::new();
    for (n, case) in cases.iter().enumerate() {
        let project = app.create_project(case.server).await;
        let response = app
            .import(header_from(&project.slug, case.server), vec![document(n)])
            .await
            .expect("import");
        assert_eq!(response.accepted, 1, "{}", case.server);
        imports.push((project.slug, response.import_id));
    }
    for (case, (project, import_id)) in cases.iter().zip(&imports) {
        let server = case.server;
        let import = app.wait_until_finished(import_id).await;
        let item = item_of(&app, import_id).await;
        assert_eq!(item.state(), case.item, "{server}: {item:?}");
        let want_state = match case.item {
            pb::ItemState::Scraped => pb::ImportState::Completed,
            _ => pb::ImportState::CompletedWithErrors,
        };
        assert_eq!(import.state(), want_state, "{server}: {import:?}");

        let files = app.all_files(project, &[]).await;
        assert_eq!(
            files.len(),
            1,
            "{server}: the file is imported whatever happens"
        );
        let file = &files[0];
        assert_eq!(file.metadata_state(), case.metadata, "{server}: {file:?}");
        if case.error.is_empty() {
            assert!(
                file.metadata_error.is_empty(),
                "{server}: {}",
                file.metadata_error
            );
            assert_eq!(
                file.metadata.get("gender").map(String::as_str),
                Some("female")
            );
        } else {
            assert!(
                file.metadata_error.contains(case.error),
                "{server}: {:?} lacks {:?}",
                file.metadata_error,
                case.error
            );
            assert_eq!(file.metadata.get("gender"), None, "{server}");
            if case.item == pb::ItemState::ScrapeFailed {
                assert!(item.error.contains("keys kept"), "{server}: {}", item.error);
            }
        }
        // What did not need the Patient is there in every case.
        assert_eq!(
            file.metadata.get("status").map(String::as_str),
            Some("current"),
            "{server}: partial metadata is kept"
        );
    }
    let busy = &stubs[2];
    assert!(
        busy.hits("/fhir/Patient") >= 2,
        "429 was retried after Retry-After"
    );
    let elsewhere = &stubs[7];
    assert_eq!(
        elsewhere.hits("/fhir/Patient") + elsewhere.hits("/fhir/Patient/p1"),
        2,
        "a redirect to another host is not retried: {:?}",
        elsewhere.log()
    );
    app.stop().await;
}
on_both_stores!(each_fault_ends_in_its_documented_state);

async fn a_stalled_server_holds_up_only_its_own_imports(backend: Backend) {
    let stalled = FhirStub::start().await;
    let stall = || {
        vec![Reply::delayed(
            120_000,
            Reply::Json(bundle(&[patient()], None)),
        )]
    };
    stalled.on("/fhir/Patient", stall());
    stalled.on("/fhir/Patient/p1", stall());
    let healthy = FhirStub::start().await;
    healthy.on(
        "/fhir/Patient",
        vec![Reply::Json(bundle(&[patient()], None))],
    );
    let servers = vec![
        configured("stalled", &stalled, quick(100_000, 0)),
        configured("healthy", &healthy, quick(2_000, 2)),
    ];
    let app = spawn_app_with(backend, |config: &mut Config| config.fhir_servers = servers).await;
    let project = app.create_project("both").await;
    let waiting = app
        .import(
            header_from(&project.slug, "stalled"),
            (0..3).map(document).collect(),
        )
        .await
        .expect("import from the stalled server");
    let done = app
        .import(
            header_from(&project.slug, "healthy"),
            (3..6).map(document).collect(),
        )
        .await
        .expect("import from the healthy server");

    let finished = app.wait_until_finished(&done.import_id).await;
    assert_eq!(finished.state(), pb::ImportState::Completed);
    let stuck = app.get_import(&waiting.import_id).await;
    assert_eq!(stuck.state(), pb::ImportState::Processing, "{stuck:?}");
    let counts = stuck.counts.expect("counts");
    assert_eq!(
        (counts.imported, counts.scraped),
        (3, 0),
        "its files are imported, their metadata waits"
    );

    // Shutdown drops the batch still waiting on the stalled server rather
    // than wait out its timeout and store a failure; its files are scraped
    // after the restart, once the server answers again.
    stalled.on(
        "/fhir/Patient",
        vec![Reply::Json(bundle(&[patient()], None))],
    );
    stalled.on("/fhir/Patient/p1", vec![Reply::Json(patient())]);
    let app = app.restart().await;
    let resumed = app.wait_until_finished(&waiting.import_id).await;
    assert_eq!(resumed.state(), pb::ImportState::Completed, "{resumed:?}");
    let files = app.all_files(&project.slug, &[]).await;
    assert_eq!(files.len(), 6);
    assert!(files
        .iter()
        .all(|f| f.metadata_state() == pb::MetadataState::Complete));
    app.stop().await;
}
on_both_stores!(a_stalled_server_holds_up_only_its_own_imports);

async fn a_server_that_is_down_costs_one_round_of_retries_not_one_per_document(backend: Backend) {
    let stub = FhirStub::start().await;
    stub.on("/fhir/Patient", vec![Reply::CutMidBody]);
    stub.on("/fhir/Patient/p1", vec![Reply::CutMidBody]);
    let limits = ServerLimits {
        cooldown_ms: 300,
        ..quick(400, 2)
    };
    let servers = vec![configured("down", &stub, limits)];
    let app = spawn_app_with(backend, |config: &mut Config| config.fhir_servers = servers).await;
    let project = app.create_project("many").await;
    let response = app
        .import(
            header_from(&project.slug, "down"),
            (0..40).map(document).collect(),
        )
        .await
        .expect("import");
    let import = app.wait_until_finished(&response.import_id).await;
    assert_eq!(import.counts.expect("counts").scrape_failed, 40);
    let asked = stub.hits("/fhir/Patient") + stub.hits("/fhir/Patient/p1");
    assert_eq!(asked, 3, "one call and its two retries: {:?}", stub.log());
    let files = app.all_files(&project.slug, &[]).await;
    assert!(files
        .iter()
        .all(|f| f.metadata_state() == pb::MetadataState::Failed
            && f.metadata_error.contains("unreachable")));
    assert!(
        files
            .iter()
            .any(|f| f.metadata_error.contains("not asked again for")),
        "{:?}",
        files[0].metadata_error
    );

    // Once the server is back and the cool-down has passed, a rescrape of
    // the failed files goes through.
    stub.on(
        "/fhir/Patient",
        vec![Reply::Json(bundle(&[patient()], None))],
    );
    stub.on("/fhir/Patient/p1", vec![Reply::Json(patient())]);
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    let started = app
        .imports
        .clone()
        .rescrape_files(pb::RescrapeFilesRequest {
            project: project.slug.clone(),
            selection: Some(pb::rescrape_files_request::Selection::AllFiles(true)),
            metadata_states: vec![pb::MetadataState::Failed as i32],
        })
        .await
        .expect("rescrape")
        .into_inner();
    let again = app.wait_until_finished(&started.imports[0].id).await;
    assert_eq!(again.state(), pb::ImportState::Completed, "{again:?}");
    let files = app.all_files(&project.slug, &[]).await;
    assert!(files
        .iter()
        .all(|f| f.metadata_state() == pb::MetadataState::Complete));
    app.stop().await;
}
on_both_stores!(a_server_that_is_down_costs_one_round_of_retries_not_one_per_document);

fn app_name(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    }
}

/// An admin sees that the service is leaving a server alone, until when and
/// why, and sees it end once a call goes through again.
async fn an_open_breaker_shows_on_the_server(backend: Backend) {
    let stub = FhirStub::start().await;
    stub.on("/fhir/Patient", vec![Reply::CutMidBody]);
    stub.on("/fhir/Patient/p1", vec![Reply::CutMidBody]);
    let limits = ServerLimits {
        cooldown_ms: 60_000,
        ..quick(400, 0)
    };
    // Its own name: metrics are per process, and the other store's run of
    // this test has a breaker of its own.
    let id = format!("breaker-{}", app_name(backend));
    let servers = vec![configured(&id, &stub, limits)];
    let app = spawn_app_with(backend, |config: &mut Config| config.fhir_servers = servers).await;
    let mut admin =
        pb::fhir_server_service_client::FhirServerServiceClient::new(app.channel_with(&app.token));
    let request = || pb::GetFhirServerRequest { id: id.clone() };
    let before = admin
        .get_fhir_server(request())
        .await
        .expect("get")
        .into_inner();
    assert!(before.breaker_open_until.is_none(), "{before:?}");
    assert_eq!(before.breaker_reason, "");

    let project = app.create_project("breaker").await;
    let response = app
        .import(header_from(&project.slug, &id), vec![document(0)])
        .await
        .expect("import");
    app.wait_until_finished(&response.import_id).await;
    let open = admin
        .get_fhir_server(request())
        .await
        .expect("get")
        .into_inner();
    let until = open.breaker_open_until.expect("the breaker is open");
    let left = until.seconds - chrono::Utc::now().timestamp();
    assert!((1..=61).contains(&left), "open for the cool-down: {left} s");
    assert!(open.breaker_reason.contains("unreachable"), "{open:?}");
    let listed = admin
        .list_fhir_servers(pb::ListFhirServersRequest::default())
        .await
        .expect("list")
        .into_inner();
    assert_eq!(listed.fhir_servers[0].breaker_open_until, Some(until));
    let metrics = crate::telemetry::scrape(&app).await;
    let label = format!("server=\"{id}\"");
    assert_eq!(
        crate::telemetry::sample(&metrics, "fhir_import_fhir_breaker_open", &[&label]),
        1.0
    );
    app.stop().await;
}
on_both_stores!(an_open_breaker_shows_on_the_server);

async fn a_reference_to_another_host_is_not_followed(backend: Backend) {
    let stub = FhirStub::start().await;
    let app = spawn_app_with(backend, |config: &mut Config| {
        config.fhir_servers = vec![configured("kf", &stub, quick(400, 0))]
    })
    .await;
    let project = app.create_project("foreign").await;
    let document = json!({
        "resourceType": "DocumentReference", "id": "d1", "status": "current",
        "subject": {"reference": "https://elsewhere.example.org/fhir/Patient/p1"},
        "content": [{"attachment": {"url": "drs://example.org/f1"}}],
    });
    let input = pb::DocumentInput {
        source: Some(Source::ResourceJson(document.to_string())),
        metadata: Default::default(),
    };
    let response = app
        .import(header_from(&project.slug, "kf"), vec![input])
        .await
        .expect("import");
    app.wait_until_finished(&response.import_id).await;
    let files = app.all_files(&project.slug, &[]).await;
    let file = &files[0];
    assert_eq!(
        file.metadata_state(),
        pb::MetadataState::Partial,
        "{file:?}"
    );
    assert!(
        file.metadata_error
            .contains("elsewhere.example.org is not the registered FHIR server"),
        "{}",
        file.metadata_error
    );
    assert_eq!(
        item_of(&app, &response.import_id).await.state(),
        pb::ItemState::Scraped
    );
    let asked: Vec<String> = stub
        .log()
        .into_iter()
        .filter(|r| !r.contains("metadata"))
        .collect();
    assert!(
        asked.is_empty(),
        "nothing was asked of the registered server for it: {asked:?}"
    );
    app.stop().await;
}
on_both_stores!(a_reference_to_another_host_is_not_followed);
