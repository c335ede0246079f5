//! The channel every client of the SDK calls through: each call gets the
//! bearer token and `x-sbg-advance-access: advance`, and reads (unary
//! `Get…`, `List…`, `Preview…`) are sent again after UNAVAILABLE or a
//! dropped connection, with backoff. Writes are never resent: the first
//! attempt may have been done.

use std::{
    task::{Context, Poll},
    time::Duration,
};

use bytes::Bytes;
use http::{HeaderValue, Request, Response};
use http_body_util::{BodyExt, Full};
use tonic::{body::Body, transport::Channel, Code, Status};
use tower::Service;

use crate::credentials::{BoxFuture, TokenSource};

/// The header the platform requires on every call, and its value.
pub const ADVANCE_ACCESS_HEADER: &str = "x-sbg-advance-access";
pub const ADVANCE_ACCESS_VALUE: &str = "advance";

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// How reads are retried.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    /// Attempts after the first (0 turns retrying off).
    pub retries: u32,
    /// Pause before the first retry, doubled each time, up to 5 s.
    pub backoff: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            retries: 3,
            backoff: Duration::from_millis(100),
        }
    }
}

impl RetryPolicy {
    pub(crate) fn pause(&self, attempt: u32) -> Duration {
        self.backoff
            .saturating_mul(2u32.saturating_pow(attempt))
            .min(Duration::from_secs(5))
    }
}

/// A tonic channel with the platform's headers and read retries: what the
/// generated clients of [`crate::Client`] call through.
#[derive(Clone, Debug)]
pub struct PlatformChannel {
    inner: Channel,
    token: TokenSource,
    retry: RetryPolicy,
}

impl PlatformChannel {
    pub fn new(inner: Channel, token: TokenSource, retry: RetryPolicy) -> Self {
        Self {
            inner,
            token,
            retry,
        }
    }
}

/// `/fhir_import.v1.ImportService/GetImport` → a read.
fn is_read(path: &str) -> bool {
    let method = path.rsplit('/').next().unwrap_or_default();
    ["Get", "List", "Preview"]
        .iter()
        .any(|prefix| method.starts_with(prefix))
}

impl Service<Request<Body>> for PlatformChannel {
    type Response = Response<Body>;
    type Error = BoxError;
    type Future = BoxFuture<'static, Result<Response<Body>, BoxError>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.inner.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, mut request: Request<Body>) -> Self::Future {
        // The ready channel serves this call; the clone takes its place.
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        let token = self.token.clone();
        let retry = self.retry;
        Box::pin(async move {
            let token = token
                .token()
                .await
                .map_err(|e| Box::new(Status::unauthenticated(e.to_string())) as BoxError)?;
            let headers = request.headers_mut();
            if let Some(token) = token {
                let value = HeaderValue::try_from(format!("Bearer {token}")).map_err(|_| {
                    Box::new(Status::unauthenticated(
                        "the access token holds characters a header cannot carry",
                    )) as BoxError
                })?;
                headers.insert(http::header::AUTHORIZATION, value);
            }
            headers.insert(
                ADVANCE_ACCESS_HEADER,
                HeaderValue::from_static(ADVANCE_ACCESS_VALUE),
            );
            if retry.retries == 0 || !is_read(request.uri().path()) {
                return inner.call(request).await.map_err(Into::into);
            }
            send_read(inner, request, retry).await
        })
    }
}

/// A unary read: its body (one small message) kept so that it can be sent
/// again.
async fn send_read(
    mut inner: Channel,
    request: Request<Body>,
    retry: RetryPolicy,
) -> Result<Response<Body>, BoxError> {
    let (parts, body) = request.into_parts();
    let body: Bytes = body.collect().await?.to_bytes();
    let mut attempt = 0;
    loop {
        let mut again = Request::new(Body::new(Full::new(body.clone())));
        *again.method_mut() = parts.method.clone();
        *again.uri_mut() = parts.uri.clone();
        *again.version_mut() = parts.version;
        *again.headers_mut() = parts.headers.clone();
        let answer = tower::ServiceExt::ready(&mut inner).await;
        let result = match answer {
            Ok(ready) => ready.call(again).await,
            Err(e) => Err(e),
        };
        let unavailable = match &result {
            // A trailers-only answer carries its status in the headers.
            Ok(response) => {
                response
                    .headers()
                    .get("grpc-status")
                    .and_then(|v| v.to_str().ok())
                    == Some(&(Code::Unavailable as i32).to_string())
            }
            Err(_) => true,
        };
        if !unavailable || attempt >= retry.retries {
            return result.map_err(Into::into);
        }
        tokio::time::sleep(retry.pause(attempt)).await;
        attempt += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_are_gets_lists_and_previews() {
        assert!(is_read("/fhir_import.v1.ImportService/GetImport"));
        assert!(is_read("/fhir_import.v1.ImportService/ListImportItems"));
        assert!(is_read("/fhir_import.v1.FhirServerService/PreviewScrape"));
        assert!(!is_read("/fhir_import.v1.ImportService/CancelImport"));
        assert!(!is_read("/fhir_import.v1.ImportService/ImportDocuments"));
        assert!(!is_read("/fhir_import.v1.ImportService/WatchImport"));
    }

    #[test]
    fn backoff_doubles_up_to_five_seconds() {
        let policy = RetryPolicy::default();
        assert_eq!(policy.pause(0), Duration::from_millis(100));
        assert_eq!(policy.pause(3), Duration::from_millis(800));
        assert_eq!(policy.pause(20), Duration::from_secs(5));
    }
}
