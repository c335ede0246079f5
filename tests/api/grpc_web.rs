//! Pages calling the API: gRPC-Web on the same port as gRPC (as a browser
//! sends it, over HTTP/1.1), and CORS for the configured origins only, on
//! the API's paths only.

use crate::common::{spawn_app, spawn_app_with, Backend, TestApp};
use fhir_import::proto::v1 as pb;
use prost::Message;
use reqwest::header::HeaderMap;

const PORTAL: &str = "https://portal.example.org";
const LIST_PROJECTS: &str = "/fhir_import.v1.ProjectService/ListProjects";
const CREATE_PROJECT: &str = "/fhir_import.v1.ProjectService/CreateProject";

fn http1() -> reqwest::Client {
    reqwest::Client::builder()
        .http1_only()
        .build()
        .expect("client")
}

/// One gRPC-Web call: the message framed, the answer's headers, its
/// messages and its trailers (from headers when the answer is trailers-only).
async fn grpc_web(
    app: &TestApp,
    path: &str,
    message: &impl Message,
    token: Option<&str>,
) -> (HeaderMap, Vec<Vec<u8>>, String) {
    let body = message.encode_to_vec();
    let mut framed = vec![0u8];
    framed.extend((body.len() as u32).to_be_bytes());
    framed.extend(body);
    let mut request = http1()
        .post(format!("{}{path}", app.endpoint()))
        .header("content-type", "application/grpc-web+proto")
        .header("x-grpc-web", "1")
        .header("x-sbg-advance-access", "advance")
        .header("origin", PORTAL)
        .body(framed);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.expect("gRPC-Web call");
    assert_eq!(response.status(), 200);
    let headers = response.headers().clone();
    let bytes = response.bytes().await.expect("body");
    let (mut messages, mut trailers) = (Vec::new(), String::new());
    let mut rest = &bytes[..];
    while rest.len() >= 5 {
        let flag = rest[0];
        let len = u32::from_be_bytes([rest[1], rest[2], rest[3], rest[4]]) as usize;
        let frame = rest[5..5 + len].to_vec();
        if flag & 0x80 != 0 {
            trailers = String::from_utf8(frame).expect("trailers are text");
        } else {
            messages.push(frame);
        }
        rest = &rest[5 + len..];
    }
    if let Some(status) = headers.get("grpc-status") {
        trailers = format!("grpc-status:{}", status.to_str().expect("status"));
    }
    (headers, messages, trailers)
}

async fn preflight(app: &TestApp, path: &str, origin: &str) -> HeaderMap {
    let response = http1()
        .request(
            reqwest::Method::OPTIONS,
            format!("{}{path}", app.endpoint()),
        )
        .header("origin", origin)
        .header("access-control-request-method", "POST")
        .header(
            "access-control-request-headers",
            "authorization,content-type,x-grpc-web,x-sbg-advance-access",
        )
        .send()
        .await
        .expect("preflight");
    response.headers().clone()
}

async fn a_page_calls_the_api_over_grpc_web(backend: Backend) {
    let app = spawn_app_with(backend, |config| {
        config.web.allowed_origins = vec![PORTAL.to_owned()];
    })
    .await;
    let create = pb::CreateProjectRequest {
        name: "from-a-page".into(),
        ..Default::default()
    };
    let (headers, messages, trailers) =
        grpc_web(&app, CREATE_PROJECT, &create, Some(&app.token)).await;
    assert!(trailers.contains("grpc-status:0"), "{trailers}");
    assert_eq!(headers["content-type"], "application/grpc-web+proto");
    assert_eq!(headers["access-control-allow-origin"], PORTAL);
    let expose = headers["access-control-expose-headers"]
        .to_str()
        .expect("expose");
    assert!(
        expose.contains("grpc-status") && expose.contains("grpc-message"),
        "{expose}"
    );
    let project = pb::Project::decode(&messages[0][..]).expect("a Project");
    assert_eq!(project.name, "from-a-page");

    let (_, messages, _) = grpc_web(
        &app,
        LIST_PROJECTS,
        &pb::ListProjectsRequest::default(),
        Some(&app.token),
    )
    .await;
    let listed = pb::ListProjectsResponse::decode(&messages[0][..]).expect("a page");
    assert!(listed.projects.iter().any(|p| p.id == project.id));

    // The gate answers a page too, in gRPC-Web.
    let (_, messages, trailers) = grpc_web(
        &app,
        LIST_PROJECTS,
        &pb::ListProjectsRequest::default(),
        None,
    )
    .await;
    assert!(messages.is_empty());
    assert!(
        trailers.contains("grpc-status:16"),
        "UNAUTHENTICATED: {trailers}"
    );
    app.stop().await;
}
on_both_stores!(a_page_calls_the_api_over_grpc_web);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cors_admits_the_configured_origins_on_the_api_only() {
    let app = spawn_app_with(Backend::Sqlite, |config| {
        config.web.allowed_origins = vec![PORTAL.to_owned()];
    })
    .await;
    let allowed = preflight(&app, LIST_PROJECTS, PORTAL).await;
    assert_eq!(allowed["access-control-allow-origin"], PORTAL);
    let headers = allowed["access-control-allow-headers"]
        .to_str()
        .expect("allow-headers");
    for needed in ["authorization", "x-sbg-advance-access", "x-grpc-web"] {
        assert!(headers.contains(needed), "{needed} not allowed: {headers}");
    }
    let stranger = preflight(&app, LIST_PROJECTS, "https://evil.example").await;
    assert!(stranger.get("access-control-allow-origin").is_none());
    let oauth = preflight(&app, "/oauth/token", PORTAL).await;
    assert!(
        oauth.get("access-control-allow-origin").is_none(),
        "the OAuth routes stay same-origin"
    );
    app.stop().await;

    // By default no other origin is admitted, while gRPC-Web itself works
    // for the service's own pages.
    let app = spawn_app(Backend::Sqlite).await;
    let closed = preflight(&app, LIST_PROJECTS, PORTAL).await;
    assert!(closed.get("access-control-allow-origin").is_none());
    let (headers, _, trailers) = grpc_web(
        &app,
        LIST_PROJECTS,
        &pb::ListProjectsRequest::default(),
        Some(&app.token),
    )
    .await;
    assert!(trailers.contains("grpc-status:0"), "{trailers}");
    assert!(headers.get("access-control-allow-origin").is_none());
    app.stop().await;
}
