//! What operators and load balancers read over HTTP: `/healthz`,
//! `/readyz`, and `/metrics` (Prometheus text) behind the admin scope or
//! on an address of its own, with counters that move during an import.
//! Metrics are per process and the tests' servers share one process, so
//! figures are read as differences, at least what this test caused.

use crate::common::{docs, header, spawn_app, spawn_app_with, Backend, TestApp};
use fhir_import::{auth::accounts::Accounts, store::Store};

async fn get(url: String, token: Option<&str>) -> reqwest::Response {
    let mut request = reqwest::Client::new()
        .get(url)
        .header("x-sbg-advance-access", "advance");
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    request.send().await.expect("GET")
}

pub async fn scrape(app: &TestApp) -> String {
    let response = get(format!("{}/metrics", app.endpoint()), Some(&app.token)).await;
    assert_eq!(response.status(), 200);
    let kind = response.headers()["content-type"]
        .to_str()
        .expect("type")
        .to_owned();
    assert!(kind.starts_with("text/plain"), "{kind}");
    response.text().await.expect("metrics")
}

/// The sum of the samples of `name` whose labels include every `labels`.
pub fn sample(text: &str, name: &str, labels: &[&str]) -> f64 {
    text.lines()
        .filter(|line| !line.starts_with('#'))
        .filter_map(|line| line.rsplit_once(' '))
        .filter(|(series, _)| {
            let base = series.split('{').next().unwrap_or_default();
            base == name && labels.iter().all(|l| series.contains(l))
        })
        .map(|(_, value)| value.parse::<f64>().expect("a number"))
        .sum()
}

async fn counters_move_during_an_import(backend: Backend) {
    let app = spawn_app(backend).await;
    let project = app.create_project("metrics").await;
    let before = scrape(&app).await;

    let mut inputs = docs::valid_inputs(0..20);
    inputs.insert(5, docs::raw("{not json"));
    let response = app
        .import(header(&project.id), inputs)
        .await
        .expect("import");
    assert_eq!((response.accepted, response.rejected), (20, 1));
    app.wait_until_finished(&response.import_id).await;
    let after = scrape(&app).await;

    let moved =
        |name: &str, labels: &[&str]| sample(&after, name, labels) - sample(&before, name, labels);
    assert!(
        moved("fhir_import_documents_received_total", &[]) >= 21.0,
        "received"
    );
    assert!(
        moved("fhir_import_documents_accepted_total", &[]) >= 20.0,
        "accepted"
    );
    assert!(
        moved(
            "fhir_import_documents_rejected_total",
            &["code=\"INVALID_JSON\""]
        ) >= 1.0,
        "rejected by code"
    );
    assert!(
        moved(
            "fhir_import_stage_batch_seconds_count",
            &["stage=\"intake\""]
        ) >= 1.0
    );
    assert!(
        moved(
            "fhir_import_stage_batch_seconds_count",
            &["stage=\"processing\""]
        ) >= 1.0
    );
    assert!(
        sample(
            &after,
            "fhir_import_imports",
            &["state=\"COMPLETED_WITH_ERRORS\""]
        ) >= 1.0,
        "imports per state, read from the store:\n{after}"
    );
    assert!(
        after.contains("fhir_import_store_connections{state=\"idle\"}"),
        "the store pool is read at scrape time"
    );
    assert!(after.contains("# HELP fhir_import_documents_rejected_total"));

    // An open stream is counted while it is open.
    let (tx, rx) = tokio::sync::mpsc::channel(4);
    tx.send(docs::header_message(header(&project.id)))
        .await
        .expect("header");
    let mut imports = app.imports.clone();
    let open = tokio::spawn(async move {
        imports
            .import_documents(tokio_stream::wrappers::ReceiverStream::new(rx))
            .await
    });
    let mut seen = 0.0;
    for _ in 0..100 {
        seen = sample(&scrape(&app).await, "fhir_import_open_import_streams", &[]);
        if seen >= 1.0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(seen >= 1.0, "the open stream is counted");
    drop(tx);
    open.await.expect("task").expect("the stream ends cleanly");
    app.stop().await;
}
on_both_stores!(counters_move_during_an_import);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_need_a_platform_admin_and_health_needs_nothing() {
    let app = spawn_app(Backend::Sqlite).await;
    let healthz = get(format!("{}/healthz", app.endpoint()), None).await;
    assert_eq!(healthz.status(), 200);
    let readyz = get(format!("{}/readyz", app.endpoint()), None).await;
    assert_eq!(readyz.status(), 200);
    assert_eq!(readyz.text().await.expect("body"), "ready\n");

    let anonymous = get(format!("{}/metrics", app.endpoint()), None).await;
    assert_eq!(anonymous.status(), 401);
    assert_eq!(anonymous.headers()["www-authenticate"], "Bearer");

    let store = Store::connect(&app.database_url, 1).await.expect("store");
    let accounts = Accounts::new(store);
    accounts.create_user("mallory", None).await.expect("user");
    let scopes: Vec<String> = ["projects", "import:read"].map(str::to_owned).to_vec();
    let (portal, _) = accounts
        .create_client("a portal", "mallory", &[], &scopes)
        .await
        .expect("client");
    let stranger = app.issue_token("mallory", &portal.client_id, &[]).await;
    let refused = get(format!("{}/metrics", app.endpoint()), Some(&stranger)).await;
    assert_eq!(refused.status(), 403, "a user who is not a platform admin");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_can_move_to_an_address_of_their_own() {
    let app = spawn_app_with(Backend::Sqlite, |config| {
        config.telemetry.metrics_listen = Some("127.0.0.1:0".parse().expect("address"));
    })
    .await;
    let own = app.metrics_addr.expect("a metrics address");
    let text = get(format!("http://{own}/metrics"), None).await;
    assert_eq!(text.status(), 200, "no token on the metrics address");
    assert!(text
        .text()
        .await
        .expect("body")
        .contains("fhir_import_store_connections"));
    let gone = get(format!("{}/metrics", app.endpoint()), Some(&app.token)).await;
    assert_eq!(gone.status(), 404, "not on the API's port then");
    app.stop().await;
}

/// An OTLP/gRPC collector as far as the service can tell: the protocol's
/// own TraceService, keeping every export it receives.
#[derive(Clone, Default)]
struct Collector {
    received: std::sync::Arc<std::sync::Mutex<Vec<ExportTraceServiceRequest>>>,
}

#[tonic::async_trait]
impl TraceService for Collector {
    async fn export(
        &self,
        request: tonic::Request<ExportTraceServiceRequest>,
    ) -> Result<tonic::Response<ExportTraceServiceResponse>, tonic::Status> {
        self.received
            .lock()
            .expect("lock")
            .push(request.into_inner());
        Ok(tonic::Response::new(ExportTraceServiceResponse::default()))
    }
}

use opentelemetry_proto::tonic::collector::trace::v1::{
    trace_service_server::{TraceService, TraceServiceServer},
    ExportTraceServiceRequest, ExportTraceServiceResponse,
};

/// `[telemetry] otlp_endpoint`: a `serve` process sends its spans to the
/// collector, named for what they did (each gRPC call, the import's intake
/// and its processing), under the configured service name, and a call that
/// carries a W3C `traceparent` continues the caller's trace. What is still
/// batched is sent when the server stops. (The collector answers from a
/// runtime thread of its own while this one waits for the process.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_exports_spans_over_otlp_when_asked() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let endpoint = format!("http://{}", listener.local_addr().expect("addr"));
    let collector = Collector::default();
    let serving = tokio::spawn(
        tonic::transport::Server::builder()
            .add_service(TraceServiceServer::new(collector.clone()))
            .serve_with_incoming(tokio_stream::wrappers::TcpListenerStream::new(listener)),
    );
    let mut cluster = crate::common::replicas::Cluster::new(15_000, 2_000).await;
    cluster
        .env
        .push(("FHIR_IMPORT__TELEMETRY__OTLP_ENDPOINT".into(), endpoint));
    cluster.env.push((
        "FHIR_IMPORT__TELEMETRY__SERVICE_NAME".into(),
        "fhir-import-traced".into(),
    ));
    let mut replica = cluster.start();
    let clients = cluster.clients(&replica).await;
    let project = clients.create_project("traced").await;
    let messages = std::iter::once(crate::common::docs::header_message(header(&project.slug)))
        .chain(
            crate::common::docs::valid_inputs(0..5)
                .into_iter()
                .map(crate::common::docs::document_message),
        );
    let response = clients
        .imports
        .clone()
        .import_documents(tokio_stream::iter(messages.collect::<Vec<_>>()))
        .await
        .expect("import")
        .into_inner();
    clients
        .finished(&response.import_id, std::time::Duration::from_secs(30))
        .await
        .expect("the import finishes");
    let trace_id = "4bf92f3577b34da6a3ce929d0e0e4736";
    let mut traced = tonic::Request::new(fhir_import::proto::v1::GetImportRequest {
        import_id: response.import_id.clone(),
    });
    traced.metadata_mut().insert(
        "traceparent",
        format!("00-{trace_id}-00f067aa0ba902b7-01")
            .parse()
            .expect("header"),
    );
    clients
        .imports
        .clone()
        .get_import(traced)
        .await
        .expect("get");
    assert!(replica.terminate(), "serve stops on SIGTERM");

    let exports = collector.received.lock().expect("lock").clone();
    let logs = replica.logs();
    assert!(
        !exports.is_empty(),
        "no spans reached the collector:\n{logs}"
    );
    let mut names = Vec::new();
    let mut continued = false;
    for resource_spans in exports.iter().flat_map(|e| &e.resource_spans) {
        let service = resource_spans
            .resource
            .as_ref()
            .and_then(|r| r.attributes.iter().find(|a| a.key == "service.name"))
            .and_then(|a| a.value.as_ref())
            .map(|v| format!("{:?}", v.value));
        assert!(
            service
                .as_deref()
                .is_some_and(|s| s.contains("fhir-import-traced")),
            "{service:?}"
        );
        for span in resource_spans.scope_spans.iter().flat_map(|s| &s.spans) {
            names.push(span.name.clone());
            let hex: String = span.trace_id.iter().map(|b| format!("{b:02x}")).collect();
            if hex == trace_id && span.name == "fhir_import.v1.ImportService/GetImport" {
                continued = true;
            }
        }
    }
    for expected in [
        "fhir_import.v1.ProjectService/CreateProject",
        "fhir_import.v1.ImportService/ImportDocuments",
        "intake",
        "process_batch",
    ] {
        assert!(
            names.iter().any(|n| n == expected),
            "{expected} in {names:?}"
        );
    }
    assert!(continued, "the traceparent's trace goes on: {names:?}");
    serving.abort();
    cluster.remove().await;
}
