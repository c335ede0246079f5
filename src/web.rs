//! Browsers on the API's port: gRPC-Web beside gRPC (tonic-web translates
//! it, so every RPC, the server-streaming WatchImport included, works from
//! a page), and CORS for the origins an operator lists in
//! `[web] allowed_origins` (none by default: only same-origin pages).
//! CORS covers the API's gRPC paths only, never the OAuth pages, whose
//! cross-site protections assume no other site may read their answers.

use std::{
    future::Future,
    pin::Pin,
    task::{Context, Poll},
    time::Duration,
};

use http::{header, HeaderName, HeaderValue, Method, Request};
use serde::{Deserialize, Serialize};
use tower::{util::Either, Layer, Service, ServiceExt};
use tower_http::cors::{AllowOrigin, CorsLayer};

/// `[web]`.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct WebConfig {
    /// Origins (`https://portal.example.org`) whose pages may call the API
    /// over gRPC-Web from the browser. Empty: none but the service's own.
    pub allowed_origins: Vec<String>,
    /// Serve the dashboard (`/ui`) from this folder (a build of `ui/`)
    /// instead of the copy built into the binary: for working on it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ui_dir: Option<std::path::PathBuf>,
}

impl WebConfig {
    /// Each origin is `scheme://host[:port]`, http or https, nothing more
    /// (`*` is refused: a token-bearing API is not for every site).
    pub fn validate(&self) -> Result<(), String> {
        for origin in &self.allowed_origins {
            let parsed = url::Url::parse(origin)
                .map_err(|e| format!("web.allowed_origins: {origin:?} is not an origin: {e}"))?;
            let serialized = parsed.origin().ascii_serialization();
            let scheme_ok = matches!(parsed.scheme(), "http" | "https");
            if !scheme_ok || serialized != origin.trim_end_matches('/') {
                return Err(format!(
                    "web.allowed_origins: {origin:?} is not an origin; write it as \
                     scheme://host[:port] (e.g. https://portal.example.org)"
                ));
            }
        }
        Ok(())
    }
}

/// The gRPC paths a page may call across origins: the API and health.
fn is_api_path(path: &str) -> bool {
    path.starts_with("/fhir_import.v1.") || path.starts_with("/grpc.health.v1.")
}

/// What a gRPC-Web call sends and what its page must be able to read.
const REQUEST_HEADERS: [&str; 6] = [
    "authorization",
    "content-type",
    "x-grpc-web",
    "x-user-agent",
    "grpc-timeout",
    "x-sbg-advance-access",
];
const RESPONSE_HEADERS: [&str; 3] = ["grpc-status", "grpc-message", "grpc-status-details-bin"];

/// The CORS layer for the configured origins; no layer without any.
pub fn cors_layer(config: &WebConfig) -> Either<CorsLayer, tower::layer::util::Identity> {
    if config.allowed_origins.is_empty() {
        return Either::Right(tower::layer::util::Identity::new());
    }
    let allowed: Vec<HeaderValue> = config
        .allowed_origins
        .iter()
        .filter_map(|o| HeaderValue::from_str(o.trim_end_matches('/')).ok())
        .collect();
    let origin = AllowOrigin::predicate(move |origin, request| {
        is_api_path(request.uri.path()) && allowed.contains(origin)
    });
    Either::Left(
        CorsLayer::new()
            .allow_origin(origin)
            .allow_methods([Method::POST])
            .allow_headers(REQUEST_HEADERS.map(HeaderName::from_static))
            .expose_headers(RESPONSE_HEADERS.map(HeaderName::from_static))
            .max_age(Duration::from_secs(3600))
            .vary([header::ORIGIN]),
    )
}

/// gRPC-Web for the requests that are gRPC-Web, everything else (the
/// OAuth pages and health routes over HTTP/1.1, gRPC over HTTP/2) as it
/// came: tonic-web answers any other HTTP/1.1 request 400.
#[derive(Clone, Copy, Debug, Default)]
pub struct GrpcWebOnly;

impl<S> Layer<S> for GrpcWebOnly {
    type Service = GrpcWebOnlyService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        GrpcWebOnlyService { inner }
    }
}

#[derive(Clone, Debug)]
pub struct GrpcWebOnlyService<S> {
    inner: S,
}

fn is_grpc_web<B>(request: &Request<B>) -> bool {
    request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/grpc-web"))
}

type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;

impl<S, ReqBody> Service<Request<ReqBody>> for GrpcWebOnlyService<S>
where
    S: Service<Request<ReqBody>, Response = http::Response<tonic::body::Body>>
        + Clone
        + Send
        + 'static,
    S::Future: Send + 'static,
    S::Error: Send + 'static,
    ReqBody: Send + 'static,
    tonic_web::GrpcWebService<S>:
        Service<Request<ReqBody>, Response = http::Response<tonic::body::Body>, Error = S::Error>,
    <tonic_web::GrpcWebService<S> as Service<Request<ReqBody>>>::Future: Send + 'static,
{
    type Response = http::Response<tonic::body::Body>;
    type Error = S::Error;
    type Future = BoxFuture<Result<Self::Response, Self::Error>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<ReqBody>) -> Self::Future {
        // The service polled ready serves this call; a clone stays.
        let clone = self.inner.clone();
        let inner = std::mem::replace(&mut self.inner, clone);
        if is_grpc_web(&request) {
            let web = tonic_web::GrpcWebLayer::new().layer(inner);
            Box::pin(async move { web.oneshot(request).await })
        } else {
            let mut inner = inner;
            Box::pin(inner.call(request))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn origins(list: &[&str]) -> WebConfig {
        WebConfig {
            allowed_origins: list.iter().map(|s| (*s).to_owned()).collect(),
            ..WebConfig::default()
        }
    }

    #[test]
    fn origins_are_scheme_host_and_port_only() {
        assert!(
            origins(&["https://portal.example.org", "http://127.0.0.1:5173"])
                .validate()
                .is_ok()
        );
        for bad in [
            "*",
            "portal.example.org",
            "https://portal.example.org/app",
            "ftp://portal.example.org",
            "https://portal.example.org?x=1",
        ] {
            assert!(origins(&[bad]).validate().is_err(), "{bad} was accepted");
        }
    }

    #[test]
    fn only_the_api_paths_are_shared_across_origins() {
        assert!(is_api_path("/fhir_import.v1.ImportService/WatchImport"));
        assert!(is_api_path("/grpc.health.v1.Health/Check"));
        assert!(!is_api_path("/oauth/token"));
        assert!(!is_api_path("/oauth/signup"));
        assert!(!is_api_path(
            "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo"
        ));
    }
}
