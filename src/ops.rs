//! The HTTP routes operators and load balancers use, on the API's port:
//! `GET /healthz` (the process answers), `GET /readyz` (it can serve: the
//! store is reachable and it is not draining) and `GET /metrics`
//! (Prometheus text; platform admins only, with a bearer token and the
//! advance-access header as on every call). With `[telemetry]
//! metrics_listen`, `/metrics` moves to that address instead, without a
//! token, for a scraper on a private network.

use std::sync::Arc;

use axum::{
    extract::State,
    http::{header, HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    routing::get,
    Router,
};
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;
use tonic::Code;
use tracing::warn;

use crate::auth::layer::{Gate, METRICS_PATH};
use crate::metrics::{FHIR_BREAKER_OPEN, IMPORTS, STORE_CONNECTIONS};
use crate::services::fhir_servers::FhirServers;
use crate::store::Store;

#[derive(Clone)]
pub struct Ops {
    pub store: Store,
    /// The FHIR servers this replica calls, for their breakers.
    pub fhir_servers: FhirServers,
    pub gate: Arc<Gate>,
    pub store_down: watch::Receiver<Option<String>>,
    pub stopping: CancellationToken,
}

/// `/healthz`, `/readyz`, and `/metrics` behind the admin scope unless it
/// is served on a listener of its own.
pub fn router(ops: Ops, metrics_elsewhere: bool) -> Router {
    let router = Router::new()
        .route("/healthz", get(|| async { "ok\n" }))
        .route("/readyz", get(ready));
    let router = if metrics_elsewhere {
        router
    } else {
        router.route(METRICS_PATH, get(guarded_metrics))
    };
    router.with_state(ops)
}

/// `/metrics` alone, unguarded: for `[telemetry] metrics_listen`.
pub fn metrics_router(ops: Ops) -> Router {
    Router::new()
        .route(
            METRICS_PATH,
            get(|State(ops): State<Ops>| async move { render(&ops).await }),
        )
        .with_state(ops)
}

async fn ready(State(ops): State<Ops>) -> Response {
    if ops.stopping.is_cancelled() {
        return (StatusCode::SERVICE_UNAVAILABLE, "draining: shutting down\n").into_response();
    }
    if let Some(reason) = ops.store_down.borrow().clone() {
        let body = format!("the store is unreachable: {reason}\n");
        return (StatusCode::SERVICE_UNAVAILABLE, body).into_response();
    }
    (StatusCode::OK, "ready\n").into_response()
}

async fn guarded_metrics(State(ops): State<Ops>, headers: HeaderMap) -> Response {
    if let Err(status) = ops.gate.admit_route(METRICS_PATH, &headers).await {
        let code = match status.code() {
            Code::Unauthenticated => StatusCode::UNAUTHORIZED,
            Code::PermissionDenied => StatusCode::FORBIDDEN,
            _ => StatusCode::SERVICE_UNAVAILABLE,
        };
        let mut response = (code, format!("{}\n", status.message())).into_response();
        if code == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                header::HeaderValue::from_static("Bearer"),
            );
        }
        return response;
    }
    render(&ops).await
}

/// Samples what is read at scrape time, then renders every metric.
async fn render(ops: &Ops) -> Response {
    match ops.store.imports_per_state().await {
        Ok(states) => {
            for (state, count) in states {
                metrics::gauge!(IMPORTS, "state" => state).set(count as f64);
            }
        }
        // The rest is still worth having; the gauge keeps its last value.
        Err(err) => warn!(error = %err, "metrics: cannot count imports per state"),
    }
    // Set after each read too, but a breaker closes by itself when its
    // cool-down ends: read them all now so that the gauge says so.
    for (server, open) in ops.fhir_servers.breakers() {
        metrics::gauge!(FHIR_BREAKER_OPEN, "server" => server).set(if open { 1.0 } else { 0.0 });
    }
    let pool = ops.store.pool_figures();
    metrics::gauge!(STORE_CONNECTIONS, "state" => "idle").set(f64::from(pool.idle));
    metrics::gauge!(STORE_CONNECTIONS, "state" => "busy").set(f64::from(pool.busy));
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        crate::metrics::handle().render(),
    )
        .into_response()
}
