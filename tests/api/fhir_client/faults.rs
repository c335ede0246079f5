//! Every fault the client must survive or report, against the scripted
//! stub: each test asserts the outcome and how many requests it took.

use std::time::{Duration, Instant};

use fhir_import::fhir::{FhirClient, FhirError, ServerConfig, ServerLimits};

use crate::common::fhir_stub::{bundle, patient, FhirStub, Reply};

const PATIENT: &str = "/fhir/Patient/a";

fn client(stub: &FhirStub, tweak: impl FnOnce(&mut ServerLimits)) -> FhirClient {
    let mut config: ServerConfig = super::quick_config(&stub.base_url());
    tweak(&mut config.limits);
    FhirClient::new(config).expect("client")
}

async fn read_a(fhir: &FhirClient) -> Result<Option<serde_json::Value>, FhirError> {
    fhir.read("Patient", "a").await
}

#[tokio::test]
async fn a_server_error_is_retried() {
    let stub = FhirStub::start().await;
    stub.on(
        PATIENT,
        vec![Reply::Status(500, "boom"), Reply::Json(patient("a"))],
    );
    let fhir = client(&stub, |_| {});
    let found = read_a(&fhir).await.expect("success after a retry");
    assert_eq!(found.expect("found")["id"], "a");
    assert_eq!((stub.hits(PATIENT), fhir.requests_made()), (2, 2));
    let fhir_json = Some("application/fhir+json".to_owned());
    assert_eq!(stub.accepts(), [fhir_json.clone(), fhir_json]);
}

#[tokio::test]
async fn errors_that_will_not_change_are_not_retried() {
    let stub = FhirStub::start().await;
    stub.on(PATIENT, vec![Reply::Status(501, "no reads here")]);
    stub.on("/fhir/Patient/gone", vec![Reply::Status(410, "deleted")]);
    stub.on(
        "/fhir/Patient/secret",
        vec![Reply::Status(403, "forbidden")],
    );
    let fhir = client(&stub, |_| {});
    match read_a(&fhir).await {
        Err(FhirError::Status { code: 501, message }) => assert_eq!(message, "no reads here"),
        other => panic!("{other:?}"),
    }
    assert!(fhir.read("Patient", "gone").await.expect("read").is_none());
    let forbidden = fhir.read("Patient", "secret").await.expect_err("403");
    assert!(!forbidden.is_retryable());
    assert_eq!(fhir.requests_made(), 3);
}

#[tokio::test]
async fn retry_after_is_honoured() {
    let stub = FhirStub::start().await;
    stub.on(
        PATIENT,
        vec![
            Reply::RetryAfter(429, "1".into()),
            Reply::Json(patient("a")),
        ],
    );
    let fhir = client(&stub, |_| {});
    let started = Instant::now();
    read_a(&fhir).await.expect("success after waiting");
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(stub.hits(PATIENT), 2);
}

#[tokio::test]
async fn retry_after_beyond_the_cap_gives_up_at_once() {
    let stub = FhirStub::start().await;
    stub.on(PATIENT, vec![Reply::RetryAfter(503, "3600".into())]);
    let fhir = client(&stub, |_| {});
    match read_a(&fhir).await {
        Err(e @ FhirError::RateLimited { retry_after }) => {
            assert_eq!(retry_after, Some(Duration::from_secs(3600)));
            assert_eq!(e.code(), "RATE_LIMITED");
            assert!(e.is_retryable());
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(stub.hits(PATIENT), 1);
}

#[tokio::test]
async fn persistent_rate_limiting_ends_rate_limited() {
    let stub = FhirStub::start().await;
    stub.on(PATIENT, vec![Reply::Status(429, "too many")]);
    let fhir = client(&stub, |_| {});
    let error = read_a(&fhir).await.expect_err("rate limited");
    assert!(
        matches!(error, FhirError::RateLimited { retry_after: None }),
        "{error:?}"
    );
    assert_eq!(stub.hits(PATIENT), 3, "max_retries + 1 attempts");
}

#[tokio::test]
async fn timeouts_are_retried_then_reported() {
    let stub = FhirStub::start().await;
    stub.on(
        PATIENT,
        vec![Reply::delayed(2_000, Reply::Json(patient("a")))],
    );
    let fhir = client(&stub, |l| l.timeout_ms = 150);
    let started = Instant::now();
    let error = read_a(&fhir).await.expect_err("timeout");
    assert!(matches!(error, FhirError::Timeout(_)), "{error:?}");
    assert_eq!(error.code(), "TIMEOUT");
    assert_eq!(stub.hits(PATIENT), 3, "max_retries + 1 attempts");
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_connection_cut_mid_body_is_retried() {
    let stub = FhirStub::start().await;
    stub.on(PATIENT, vec![Reply::CutMidBody, Reply::Json(patient("a"))]);
    stub.on("/fhir/Patient/b", vec![Reply::CutMidBody]);
    let fhir = client(&stub, |_| {});
    read_a(&fhir).await.expect("success after a retry");
    assert_eq!(stub.hits(PATIENT), 2);
    let error = fhir.read("Patient", "b").await.expect_err("always cut");
    assert_eq!(error.code(), "UNREACHABLE", "{error:?}");
    assert_eq!(stub.hits("/fhir/Patient/b"), 3);
}

#[tokio::test]
async fn an_unreachable_server_is_reported() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("port")
        .port();
    let fhir = FhirClient::new(super::quick_config(&format!(
        "http://127.0.0.1:{port}/fhir"
    )))
    .expect("client");
    let error = read_a(&fhir).await.expect_err("nobody listens");
    assert_eq!(error.code(), "UNREACHABLE", "{error:?}");
    assert_eq!(fhir.requests_made(), 3);
}

#[tokio::test]
async fn only_same_origin_redirects_are_followed() {
    let stub = FhirStub::start().await;
    stub.on(PATIENT, vec![Reply::Redirect("/fhir/Patient/b".into())]);
    stub.on("/fhir/Patient/b", vec![Reply::Json(patient("b"))]);
    let elsewhere = format!("http://localhost:{}/fhir/Patient/b", stub.port());
    stub.on("/fhir/Patient/c", vec![Reply::Redirect(elsewhere)]);
    let fhir = client(&stub, |_| {});

    let followed = read_a(&fhir).await.expect("same origin").expect("found");
    assert_eq!(followed["id"], "b");
    assert_eq!(stub.hits("/fhir/Patient/b"), 1);

    let error = fhir.read("Patient", "c").await.expect_err("another host");
    assert!(
        matches!(error, FhirError::RedirectRefused { ref location } if location.contains("localhost")),
        "{error:?}"
    );
    assert_eq!(
        stub.hits("/fhir/Patient/b"),
        1,
        "the other host was not asked"
    );
    assert_eq!(stub.hits("/fhir/Patient/c"), 1, "not retried");
}

#[tokio::test]
async fn oversized_bodies_are_refused() {
    let stub = FhirStub::start().await;
    let limit = 256 * 1024;
    let huge = |declare_length| Reply::Huge {
        bytes: 4 * limit,
        declare_length,
    };
    stub.on(PATIENT, vec![huge(false)]);
    stub.on("/fhir/Patient/b", vec![huge(true)]);
    let fhir = client(&stub, |l| l.max_response_bytes = limit as u64);
    for id in ["a", "b"] {
        match fhir.read("Patient", id).await {
            Err(FhirError::TooLarge { limit: l }) => assert_eq!(l, limit as u64),
            other => panic!("{id}: {other:?}"),
        }
    }
    assert_eq!(fhir.requests_made(), 2, "not retried");
}

#[tokio::test]
async fn invalid_json_is_reported() {
    let stub = FhirStub::start().await;
    stub.on(PATIENT, vec![Reply::InvalidJson]);
    let fhir = client(&stub, |_| {});
    let error = read_a(&fhir).await.expect_err("invalid json");
    assert_eq!(error.code(), "INVALID_JSON", "{error:?}");
    assert_eq!(stub.hits(PATIENT), 1);
}

#[tokio::test]
async fn concurrency_and_rate_are_limited() {
    let stub = FhirStub::start().await;
    let ids: Vec<String> = (0..12).map(|i| format!("p{i}")).collect();
    for id in &ids {
        stub.on(
            &format!("/fhir/Patient/{id}"),
            vec![Reply::delayed(100, Reply::Json(patient(id)))],
        );
    }
    let fhir = client(&stub, |l| l.max_concurrency = 3);
    let started = Instant::now();
    let reads = ids.iter().map(|id| fhir.read("Patient", id));
    for found in futures::future::join_all(reads).await {
        found.expect("read").expect("found");
    }
    assert_eq!(stub.max_in_flight(), 3);
    assert!(
        started.elapsed() >= Duration::from_millis(400),
        "4 waves of 3"
    );

    let paced = client(&stub, |l| l.requests_per_second = 50.0);
    let started = Instant::now();
    let reads = ids[..6].iter().map(|id| paced.read("Patient", id));
    futures::future::join_all(reads).await;
    assert!(
        started.elapsed() >= Duration::from_millis(100),
        "6 starts 20 ms apart"
    );
}

#[tokio::test]
async fn id_search_pages_stay_on_the_server() {
    let stub = FhirStub::start().await;
    let foreign_next = format!("http://localhost:{}/fhir/Patient?page=2", stub.port());
    stub.on(
        "/fhir/Patient",
        vec![Reply::Json(bundle(&[patient("a")], Some(&foreign_next)))],
    );
    let fhir = client(&stub, |_| {});
    let error = fhir
        .search_ids("Patient", &["a".into(), "b".into()])
        .await
        .expect_err("foreign next link");
    assert_eq!(error.code(), "FOREIGN_HOST", "{error:?}");
    assert_eq!(stub.log(), ["/fhir/Patient?_id=a,b&_count=100"]);
}

#[tokio::test]
async fn servers_refusing_id_lists_are_read_one_by_one() {
    let stub = FhirStub::start().await;
    stub.on(
        "/fhir/Patient",
        vec![Reply::Status(400, "_id lists not supported")],
    );
    for id in ["a", "b", "c"] {
        stub.on(
            &format!("/fhir/Patient/{id}"),
            vec![Reply::Json(patient(id))],
        );
    }
    let fhir = client(&stub, |_| {});
    let ids = |list: &[&str]| list.iter().map(|s| s.to_string()).collect::<Vec<_>>();

    let found = fhir
        .search_ids("Patient", &ids(&["a", "b", "missing"]))
        .await
        .expect("fallback");
    assert_eq!(found.len(), 2);
    let found = fhir
        .search_ids("Patient", &ids(&["c"]))
        .await
        .expect("remembered");
    assert_eq!(found.len(), 1);
    assert_eq!(
        stub.hits("/fhir/Patient"),
        1,
        "the search was tried once per server"
    );
    assert_eq!(fhir.requests_made(), 1 + 3 + 1);
}

/// Without allow_private_addresses the client calls public addresses only:
/// a name that resolves to loopback is refused when the connection is made
/// (as a name that pointed elsewhere at registration would be), and a
/// loopback IP literal is refused at once.
#[tokio::test]
async fn private_addresses_are_called_only_when_the_registration_allows_them() {
    let stub = FhirStub::start().await;
    stub.on("/fhir/Patient/p1", vec![Reply::Json(patient("p1"))]);
    let name = private_name().await;
    let mut config = super::quick_config(&format!("http://{name}:{}/fhir", stub.port()));
    config.allow_private_addresses = false;
    let guarded = FhirClient::new(config.clone()).expect("a name is checked when resolved");
    let error = guarded
        .read("Patient", "p1")
        .await
        .expect_err("resolves to loopback");
    assert!(
        error
            .to_string()
            .contains("resolves to a loopback, private or link-local address"),
        "{error}"
    );
    assert_eq!(
        stub.hits("/fhir/Patient/p1"),
        0,
        "nothing reached the server"
    );

    config.allow_private_addresses = true;
    let allowed = FhirClient::new(config).expect("client");
    allowed
        .read("Patient", "p1")
        .await
        .expect("allowed explicitly");

    let mut literal = super::quick_config(&stub.base_url());
    literal.allow_private_addresses = false;
    let refused = FhirClient::new(literal).err().expect("a loopback literal");
    assert!(
        refused.to_string().contains("allow_private_addresses"),
        "{refused}"
    );
}

/// A name other than `localhost` (which is refused before any lookup) that
/// this machine resolves to a loopback or private address: its own host
/// name, as containers and VMs set it up.
async fn private_name() -> String {
    let mut names: Vec<String> = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|n| vec![n.trim().to_owned()])
        .unwrap_or_default();
    names.extend(["ip6-localhost".to_owned(), "ip6-loopback".to_owned()]);
    for name in names.into_iter().filter(|n| !n.is_empty()) {
        let found: Vec<std::net::SocketAddr> =
            match tokio::net::lookup_host((name.as_str(), 80)).await {
                Ok(found) => found.collect(),
                Err(_) => continue,
            };
        let private = |a: &std::net::SocketAddr| !fhir_import::fhir::egress::is_public(a.ip());
        if !found.is_empty() && found.iter().all(private) {
            return name;
        }
    }
    panic!("this machine resolves no name besides localhost to a private address (its host name usually does)");
}
