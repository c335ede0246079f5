//! One GET to the server, done robustly: concurrency and rate limits, the
//! access token, a timeout per attempt, retries with backoff on failures
//! that may pass, `Retry-After`, same-origin redirects only, a bounded body
//! and JSON. Everything above this file deals in resources, not HTTP.

use std::{
    sync::atomic::{AtomicU64, Ordering},
    time::{Duration, SystemTime},
};

use reqwest::{header, redirect, Response, StatusCode};
use serde_json::Value;
use tokio::sync::Semaphore;
use url::Url;

use super::{
    auth::Authenticator,
    breaker::Breaker,
    diagnostics::{describe, find_source, outcome_message},
    error::retryable_status,
    pace::Pacer,
    retry::{backoff, parse_retry_after, random_unit},
    FhirError, ServerConfig, ServerLimits,
};

const FHIR_JSON: &str = "application/fhir+json";
const MAX_REDIRECTS: usize = 5;

pub struct Transport {
    server_id: String,
    base: Url,
    http: reqwest::Client,
    limits: ServerLimits,
    permits: Semaphore,
    pacer: Pacer,
    auth: Authenticator,
    breaker: Breaker,
    requests: AtomicU64,
}

/// How one attempt failed, and so what to do next.
enum Failure {
    /// Try again after `wait`, or after backoff if `None`.
    Retry {
        error: FhirError,
        wait: Option<Duration>,
    },
    /// 401: a fresh token may help once.
    Unauthorized(String),
    Fatal(FhirError),
}

/// The marker our redirect policy fails with, found again in reqwest's
/// error chain.
#[derive(Debug, thiserror::Error)]
#[error("redirect to {0} refused")]
struct RedirectRefused(String);

impl Transport {
    pub fn new(config: &ServerConfig) -> Result<Self, FhirError> {
        let base = config.validated_base()?;
        let limits = config.limits.clone();
        let origin = base.origin();
        let policy = redirect::Policy::custom(move |attempt| {
            let target = attempt.url().origin();
            if target != origin {
                let location = target.ascii_serialization();
                attempt.error(RedirectRefused(location))
            } else if attempt.previous().len() > MAX_REDIRECTS {
                attempt.error(RedirectRefused("too many redirects".into()))
            } else {
                attempt.follow()
            }
        });
        let mut headers = header::HeaderMap::new();
        headers.insert(header::ACCEPT, header::HeaderValue::from_static(FHIR_JSON));
        // Names are resolved to public addresses only, at every connection,
        // unless the registration allows private ones.
        let guarded = |builder: reqwest::ClientBuilder| match config.allow_private_addresses {
            true => builder,
            false => builder.dns_resolver(super::egress::PublicOnly::shared()),
        };
        let http = guarded(reqwest::Client::builder())
            .default_headers(headers)
            .redirect(policy)
            .timeout(limits.timeout())
            .connect_timeout(limits.timeout())
            .pool_idle_timeout(Duration::from_secs(60))
            .user_agent(concat!("fhir-import/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| FhirError::InvalidConfig(format!("HTTP client: {e}")))?;
        // Token endpoints get their own client that never follows redirects
        // (the oauth2 crate's advice: no credentials to unknown places).
        let token_http = guarded(reqwest::Client::builder())
            .redirect(redirect::Policy::none())
            .timeout(limits.timeout())
            .build()
            .map_err(|e| FhirError::InvalidConfig(format!("HTTP client: {e}")))?;
        Ok(Self {
            server_id: config.id.clone(),
            auth: Authenticator::new(&config.auth, token_http)?,
            permits: Semaphore::new(limits.max_concurrency),
            pacer: Pacer::new(limits.requests_per_second),
            breaker: Breaker::new(Duration::from_millis(limits.cooldown_ms)),
            base,
            http,
            limits,
            requests: AtomicU64::new(0),
        })
    }

    /// While its breaker is open: until when, and why.
    pub fn breaker_open_until(&self) -> Option<(std::time::SystemTime, String)> {
        self.breaker.open_until()
    }

    /// The base URL, ending in `/`.
    pub fn base(&self) -> &Url {
        &self.base
    }

    pub fn limits(&self) -> &ServerLimits {
        &self.limits
    }

    /// HTTP requests sent to the FHIR server (attempts, not calls; token
    /// requests and redirects followed inside one attempt not counted).
    pub fn requests_made(&self) -> u64 {
        self.requests.load(Ordering::Relaxed)
    }

    /// GETs `url` and parses the JSON answer. Non-success answers come back
    /// as `FhirError::Status` once retrying does not help.
    #[tracing::instrument(skip_all, fields(server = %self.server_id, %url))]
    pub async fn get(&self, url: &Url) -> Result<Value, FhirError> {
        let server = self.server_id.to_string();
        if let Err(refused) = self.breaker.check() {
            metrics::counter!(crate::metrics::FHIR_REQUESTS, "server" => server, "outcome" => "breaker_open")
                .increment(1);
            return Err(refused);
        }
        let outcome = self.get_with_retries(url).await;
        self.breaker.record(outcome.as_ref().map(|_| ()));
        let open = if self.breaker.check().is_err() {
            1.0
        } else {
            0.0
        };
        metrics::gauge!(crate::metrics::FHIR_BREAKER_OPEN, "server" => server.clone()).set(open);
        metrics::counter!(crate::metrics::FHIR_REQUESTS, "server" => server, "outcome" => outcome_label(&outcome))
            .increment(1);
        outcome
    }

    async fn get_with_retries(&self, url: &Url) -> Result<Value, FhirError> {
        let mut retries = 0;
        let mut refreshed = false;
        loop {
            let token = self.auth.token().await?;
            let failure = match self.attempt(url, token.as_deref()).await {
                Ok(value) => return Ok(value),
                Err(failure) => failure,
            };
            match failure {
                Failure::Fatal(error) => return Err(error),
                Failure::Unauthorized(message) => match token {
                    Some(token) if !refreshed && self.auth.can_refresh() => {
                        tracing::debug!("401: refreshing the access token once");
                        self.auth.invalidate(&token).await;
                        refreshed = true;
                    }
                    _ => {
                        return Err(FhirError::Auth(format!(
                            "the server refused the request (401): {message}"
                        )))
                    }
                },
                Failure::Retry { error, wait } => {
                    if retries >= self.limits.max_retries {
                        return Err(error);
                    }
                    let wait = wait.unwrap_or_else(|| {
                        backoff(
                            retries,
                            Duration::from_millis(self.limits.retry_base_ms),
                            Duration::from_millis(self.limits.retry_max_ms),
                            random_unit(),
                        )
                    });
                    tracing::debug!(%error, ?wait, retries, "retrying");
                    tokio::time::sleep(wait).await;
                    retries += 1;
                }
            }
        }
    }

    async fn attempt(&self, url: &Url, token: Option<&str>) -> Result<Value, Failure> {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|_| Failure::Fatal(FhirError::Unreachable("client shut down".into())))?;
        self.pacer.wait().await;
        self.requests.fetch_add(1, Ordering::Relaxed);
        let mut request = self.http.get(url.clone());
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request
            .send()
            .await
            .map_err(|e| self.transport_failure(&e))?;
        let status = response.status();
        let retry_after = response
            .headers()
            .get(header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| parse_retry_after(v, SystemTime::now()));
        let body = self.read_body(response).await;
        if status.is_success() {
            let body = body?;
            return serde_json::from_slice(&body)
                .map_err(|e| Failure::Fatal(FhirError::InvalidJson(e.to_string())));
        }
        // An error's body only supplies the message; a broken one does not
        // change what the status means.
        let message = body
            .ok()
            .and_then(|b| outcome_message(&b))
            .unwrap_or_else(|| status.canonical_reason().unwrap_or("").to_owned());
        Err(self.status_failure(status, message, retry_after))
    }

    fn status_failure(
        &self,
        status: StatusCode,
        message: String,
        retry_after: Option<Duration>,
    ) -> Failure {
        let code = status.as_u16();
        let error = if code == 429 {
            FhirError::RateLimited { retry_after }
        } else {
            FhirError::Status { code, message }
        };
        match (code, retry_after) {
            (401, _) => Failure::Unauthorized(error.to_string()),
            (429 | 503, Some(wait)) if wait > self.limits.max_retry_after() => {
                Failure::Fatal(FhirError::RateLimited {
                    retry_after: Some(wait),
                })
            }
            (429 | 503, Some(wait)) => Failure::Retry {
                error,
                wait: Some(wait),
            },
            (code, _) if retryable_status(code) => Failure::Retry { error, wait: None },
            _ => Failure::Fatal(error),
        }
    }

    /// The body, refused as soon as it is known to exceed the limit: from
    /// Content-Length before reading, else while streaming.
    async fn read_body(&self, mut response: Response) -> Result<Vec<u8>, Failure> {
        let limit = self.limits.max_response_bytes;
        let too_large = || Failure::Fatal(FhirError::TooLarge { limit });
        let expected = response.content_length().unwrap_or(0);
        if expected > limit {
            return Err(too_large());
        }
        let mut body = Vec::with_capacity(expected.min(1 << 20) as usize);
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| self.transport_failure(&e))?
        {
            if (body.len() + chunk.len()) as u64 > limit {
                return Err(too_large());
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    }

    fn transport_failure(&self, error: &reqwest::Error) -> Failure {
        if let Some(refused) = find_source::<RedirectRefused>(error) {
            return Failure::Fatal(FhirError::RedirectRefused {
                location: refused.0.clone(),
            });
        }
        if error.is_builder() {
            return Failure::Fatal(FhirError::InvalidConfig(describe(error)));
        }
        let error = if error.is_timeout() {
            FhirError::Timeout(self.limits.timeout())
        } else {
            FhirError::Unreachable(describe(error))
        };
        Failure::Retry { error, wait: None }
    }
}

/// How a read ended, for the requests metric: few values, no details.
fn outcome_label(outcome: &Result<Value, FhirError>) -> &'static str {
    match outcome {
        Ok(_) => "ok",
        Err(FhirError::Status { code: 404, .. }) => "not_found",
        Err(FhirError::Status { .. }) => "http_error",
        Err(FhirError::RateLimited { .. }) => "rate_limited",
        Err(FhirError::Timeout(_)) => "timeout",
        Err(FhirError::Unreachable(_)) => "unreachable",
        Err(FhirError::ServerDown { .. }) => "breaker_open",
        Err(_) => "error",
    }
}
