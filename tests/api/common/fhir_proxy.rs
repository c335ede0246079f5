//! A reverse proxy in front of a FHIR server that counts the requests per
//! resource type, for tests that bound how often the service asks.

use std::{
    collections::BTreeMap,
    sync::{Arc, Mutex},
};

use axum::{extract::Request, response::IntoResponse, Router};

/// Requests seen, by resource type (the first path segment after `/fhir/`).
pub type Counts = Arc<Mutex<BTreeMap<String, usize>>>;

/// Path and query of every request (below `/fhir/`), in arrival order.
pub type Log = Arc<Mutex<Vec<String>>>;

/// Starts the proxy; returns its base URL (`http://127.0.0.1:N/fhir`).
/// Used by benches/scrape_throughput.rs, which includes this file.
#[allow(dead_code)]
pub async fn counting_proxy(upstream: String) -> (String, Counts) {
    let (url, counts, _) = recording_proxy(upstream).await;
    (url, counts)
}

/// [`counting_proxy`] that also logs each request's path and query.
/// Links in the upstream's answers (a Bundle's `next`) are rewritten to
/// point at the proxy, as a reverse proxy in front of a server does.
pub async fn recording_proxy(upstream: String) -> (String, Counts, Log) {
    let counts: Counts = Default::default();
    let log: Log = Default::default();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let base = format!("http://{addr}/fhir");
    let upstream = upstream.trim_end_matches('/').to_owned();
    let (seen, logged, own) = (counts.clone(), log.clone(), base.clone());
    let http = reqwest::Client::new();
    let app = Router::new().fallback(move |request: Request| {
        let (http, upstream, seen) = (http.clone(), upstream.clone(), seen.clone());
        let (logged, own) = (logged.clone(), own.clone());
        async move {
            let path_and_query = request
                .uri()
                .path_and_query()
                .map(|p| p.as_str().to_owned())
                .unwrap_or_default();
            let rest = path_and_query.trim_start_matches("/fhir/");
            let kind = rest.split(['/', '?']).next().unwrap_or_default().to_owned();
            *seen.lock().expect("lock").entry(kind).or_default() += 1;
            logged.lock().expect("lock").push(rest.to_owned());
            let answer = http
                .get(format!("{upstream}/{rest}"))
                .header("accept", "application/fhir+json")
                .send()
                .await
                .expect("upstream");
            let status = answer.status().as_u16();
            let body = answer.text().await.expect("body").replace(&upstream, &own);
            (
                axum::http::StatusCode::from_u16(status).expect("status"),
                [("content-type", "application/fhir+json")],
                body,
            )
                .into_response()
        }
    });
    tokio::spawn(async move { axum::serve(listener, app).await });
    (base, counts, log)
}
