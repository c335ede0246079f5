//! What the service knows about one FHIR server it may fetch from: where it
//! is, how to authenticate, and how hard it may be pushed. Serde shape for
//! config files and the server registry; secrets never show in Debug.

use std::{fmt, time::Duration};

use serde::{Deserialize, Serialize};
use url::Url;

use super::FhirError;
use crate::telemetry::redact_url;

/// One registered FHIR server.
#[derive(Clone, Serialize, Deserialize)]
pub struct ServerConfig {
    /// The registry's name for the server, e.g. `kf-prod`; used in logs.
    pub id: String,
    /// The FHIR base, e.g. `https://fhir.example.org/fhir` (no trailing `/`
    /// needed). Absolute references are followed only below it.
    pub base_url: String,
    #[serde(default)]
    pub auth: FhirAuth,
    #[serde(default)]
    pub limits: ServerLimits,
    /// Let the service call this server (and its token endpoint) on
    /// loopback, private and link-local addresses: for a server on the
    /// operator's own network. Off, only public addresses are called.
    #[serde(default)]
    pub allow_private_addresses: bool,
}

/// How requests to the server are authenticated.
#[derive(Clone, Default, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum FhirAuth {
    #[default]
    None,
    /// A fixed token, sent as `Authorization: Bearer …`.
    Bearer { token: String },
    /// OAuth 2.0 client-credentials grant with a client secret.
    ClientCredentials {
        token_url: String,
        client_id: String,
        client_secret: String,
        #[serde(default)]
        scopes: Vec<String>,
    },
    /// SMART Backend Services: client credentials with a signed JWT
    /// assertion instead of a secret.
    SmartBackend {
        token_url: String,
        client_id: String,
        private_key_pem: String,
        algorithm: SigningAlgorithm,
        /// The `kid` header; SMART servers use it to pick the key from the
        /// client's JWKS, so most require it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        key_id: Option<String>,
        #[serde(default)]
        scopes: Vec<String>,
    },
}

/// The algorithms SMART Backend Services requires servers to support.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SigningAlgorithm {
    ES384,
    RS384,
}

/// How hard the client may push one server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ServerLimits {
    /// Requests in flight at once.
    pub max_concurrency: usize,
    /// Requests started per second; 0 means unlimited.
    pub requests_per_second: f64,
    /// One attempt, from sending to the last byte of the body.
    pub timeout_ms: u64,
    /// Larger responses are refused (`TOO_LARGE`) without being buffered.
    pub max_response_bytes: u64,
    /// Retries after the first attempt, for retryable failures.
    pub max_retries: u32,
    /// Backoff before retry n is uniform in [0, min(max, base * 2^n)].
    pub retry_base_ms: u64,
    pub retry_max_ms: u64,
    /// A `Retry-After` longer than this ends the call with `RATE_LIMITED`
    /// instead of holding the import up.
    pub max_retry_after_ms: u64,
    /// After a call gave up because the whole server is in trouble, calls
    /// fail at once for this long; 0 keeps asking.
    pub cooldown_ms: u64,
    /// Ids per `_id=` search (the URL is kept under ~4 KB regardless).
    pub ids_per_search: usize,
    /// `_count` asked for on searches.
    pub page_size: u32,
    /// A search that runs past this many pages, or finds more than this
    /// many matches, is stopped with an error (a server that pages
    /// forever, or a search that matches a whole server, would otherwise
    /// hold the scrape and its memory).
    pub max_pages_per_search: u32,
    pub max_matches_per_search: usize,
}

impl Default for ServerLimits {
    fn default() -> Self {
        Self {
            max_concurrency: 8,
            requests_per_second: 20.0,
            timeout_ms: 10_000,
            max_response_bytes: 8 * 1024 * 1024,
            max_retries: 4,
            retry_base_ms: 200,
            retry_max_ms: 10_000,
            max_retry_after_ms: 60_000,
            cooldown_ms: 30_000,
            ids_per_search: 100,
            page_size: 100,
            max_pages_per_search: 200,
            max_matches_per_search: 50_000,
        }
    }
}

impl ServerLimits {
    pub fn timeout(&self) -> Duration {
        Duration::from_millis(self.timeout_ms)
    }

    pub fn max_retry_after(&self) -> Duration {
        Duration::from_millis(self.max_retry_after_ms)
    }
}

impl FhirAuth {
    /// The token endpoint the service calls for this method, if any.
    pub fn token_url(&self) -> Option<&str> {
        match self {
            Self::None | Self::Bearer { .. } => None,
            Self::ClientCredentials { token_url, .. } | Self::SmartBackend { token_url, .. } => {
                Some(token_url)
            }
        }
    }
}

impl ServerConfig {
    /// A server without authentication and with default limits.
    pub fn new(id: impl Into<String>, base_url: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            base_url: base_url.into(),
            auth: FhirAuth::None,
            limits: ServerLimits::default(),
            allow_private_addresses: false,
        }
    }

    /// The base URL parsed and normalised to end in `/`, so that joining
    /// `Patient/1` onto it keeps its path; or which setting is wrong.
    pub fn validated_base(&self) -> Result<Url, FhirError> {
        let invalid = |why: String| FhirError::InvalidConfig(format!("server {}: {why}", self.id));
        let mut base = Url::parse(&self.base_url)
            .map_err(|e| invalid(format!("base_url {}: {e}", redact_url(&self.base_url))))?;
        if !matches!(base.scheme(), "http" | "https") || base.host().is_none() {
            return Err(invalid(
                "base_url must be an http(s) URL with a host".into(),
            ));
        }
        if base.query().is_some() || base.fragment().is_some() {
            return Err(invalid("base_url must not have a query or fragment".into()));
        }
        // Credentials in a URL end up in logs, listings and Referer headers.
        if !base.username().is_empty() || base.password().is_some() {
            return Err(invalid(
                "base_url must not carry a user name or password; give credentials in auth".into(),
            ));
        }
        if !self.allow_private_addresses {
            super::egress::check_url_host(&base, "base_url").map_err(invalid)?;
            if let Some(token_url) = self.auth.token_url() {
                let parsed =
                    Url::parse(token_url).map_err(|e| invalid(format!("auth.token_url: {e}")))?;
                super::egress::check_url_host(&parsed, "auth.token_url").map_err(invalid)?;
            }
        }
        if !base.path().ends_with('/') {
            let path = format!("{}/", base.path());
            base.set_path(&path);
        }
        let l = &self.limits;
        if l.max_concurrency == 0 {
            return Err(invalid("limits.max_concurrency must be at least 1".into()));
        }
        if !(l.requests_per_second.is_finite() && l.requests_per_second >= 0.0) {
            return Err(invalid("limits.requests_per_second must be >= 0".into()));
        }
        if l.max_pages_per_search == 0 || l.max_matches_per_search == 0 {
            return Err(invalid(
                "limits.max_pages_per_search and max_matches_per_search must be at least 1".into(),
            ));
        }
        if l.timeout_ms == 0 || l.max_response_bytes == 0 || l.ids_per_search == 0 {
            return Err(invalid(
                "limits.timeout_ms, max_response_bytes and ids_per_search must be > 0".into(),
            ));
        }
        if l.max_retries > 10 {
            return Err(invalid("limits.max_retries must be at most 10".into()));
        }
        if l.cooldown_ms > 3_600_000 {
            return Err(invalid(
                "limits.cooldown_ms must be at most 3600000 (an hour)".into(),
            ));
        }
        if !(1..=1000).contains(&l.page_size) {
            return Err(invalid(
                "limits.page_size must be between 1 and 1000".into(),
            ));
        }
        Ok(base)
    }
}

impl fmt::Debug for ServerConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServerConfig")
            .field("id", &self.id)
            .field("base_url", &redact_url(&self.base_url))
            .field("auth", &self.auth)
            .field("limits", &self.limits)
            .finish()
    }
}

const REDACTED: &str = "[redacted]";

impl fmt::Debug for FhirAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::None => f.write_str("None"),
            Self::Bearer { .. } => f.debug_struct("Bearer").field("token", &REDACTED).finish(),
            Self::ClientCredentials {
                token_url,
                client_id,
                scopes,
                ..
            } => f
                .debug_struct("ClientCredentials")
                .field("token_url", token_url)
                .field("client_id", client_id)
                .field("client_secret", &REDACTED)
                .field("scopes", scopes)
                .finish(),
            Self::SmartBackend {
                token_url,
                client_id,
                algorithm,
                key_id,
                scopes,
                ..
            } => f
                .debug_struct("SmartBackend")
                .field("token_url", token_url)
                .field("client_id", client_id)
                .field("private_key_pem", &REDACTED)
                .field("algorithm", algorithm)
                .field("key_id", key_id)
                .field("scopes", scopes)
                .finish(),
        }
    }
}

#[cfg(test)]
#[path = "server_config_tests.rs"]
mod tests;
