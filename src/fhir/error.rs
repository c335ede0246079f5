//! Why a call to a FHIR server failed, in terms a user can act on, with a
//! stable code to record on the item it was for.

use std::time::Duration;

#[derive(Debug, Clone, thiserror::Error)]
pub enum FhirError {
    /// No connection, or it broke before the answer was complete.
    #[error("FHIR server unreachable: {0}")]
    Unreachable(String),
    #[error("FHIR server did not answer within {0:?}")]
    Timeout(Duration),
    /// Calls failed at once: the server failed lately and is left alone.
    #[error("{because} (not asked again for {for_secs}s)")]
    ServerDown { because: String, for_secs: u64 },
    /// An answer other than success that retrying did not change.
    #[error("FHIR server answered {code}: {message}")]
    Status { code: u16, message: String },
    /// 429/503 still after every retry, or a `Retry-After` beyond the cap.
    #[error("FHIR server is rate limiting us{}", retry_after.map(|d| format!("; it asks to retry after {}s", d.as_secs())).unwrap_or_default())]
    RateLimited { retry_after: Option<Duration> },
    /// An absolute reference or next link outside the registered base URL:
    /// the service fetches only from registered servers.
    #[error(
        "{host} is not the registered FHIR server; only references under its base URL are followed"
    )]
    ForeignHost { host: String },
    #[error("FHIR server redirected to {location}, which is not on the same origin; not followed")]
    RedirectRefused { location: String },
    #[error("FHIR server response exceeds the limit of {limit} bytes")]
    TooLarge { limit: u64 },
    #[error("FHIR server sent invalid JSON: {0}")]
    InvalidJson(String),
    /// A reference that cannot be fetched (contained, `urn:`, malformed).
    #[error("cannot resolve reference {reference:?}: {why}")]
    InvalidReference { reference: String, why: String },
    /// A resource type, id or search parameter that is not well-formed.
    #[error("invalid request: {0}")]
    InvalidRequest(String),
    /// A well-formed answer that is not what was asked for (a search
    /// answered with an OperationOutcome, paging that loops).
    #[error("unexpected answer from the FHIR server: {0}")]
    Unexpected(String),
    /// Getting or using an access token failed; check the credentials.
    #[error("authentication with the FHIR server failed: {0}")]
    Auth(String),
    #[error("invalid FHIR server configuration: {0}")]
    InvalidConfig(String),
    /// A search that ran past the pages or matches one search may have.
    #[error("search {search} stopped: {why}")]
    SearchTooLarge { search: String, why: String },
}

impl FhirError {
    /// Whether trying the same call again later may succeed.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Unreachable(_)
            | Self::Timeout(_)
            | Self::RateLimited { .. }
            | Self::ServerDown { .. } => true,
            Self::Status { code, .. } => retryable_status(*code),
            _ => false,
        }
    }

    /// A short stable code for records and metrics.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Unreachable(_) => "UNREACHABLE",
            Self::Timeout(_) => "TIMEOUT",
            Self::ServerDown { .. } => "SERVER_DOWN",
            Self::Status { .. } => "STATUS",
            Self::RateLimited { .. } => "RATE_LIMITED",
            Self::ForeignHost { .. } => "FOREIGN_HOST",
            Self::RedirectRefused { .. } => "REDIRECT_REFUSED",
            Self::TooLarge { .. } => "TOO_LARGE",
            Self::InvalidJson(_) => "INVALID_JSON",
            Self::InvalidReference { .. } => "INVALID_REFERENCE",
            Self::InvalidRequest(_) => "INVALID_REQUEST",
            Self::Unexpected(_) => "UNEXPECTED_RESPONSE",
            Self::Auth(_) => "AUTH",
            Self::InvalidConfig(_) => "INVALID_CONFIG",
            Self::SearchTooLarge { .. } => "SEARCH_TOO_LARGE",
        }
    }
}

/// 5xx other than 501 (which will not change), and 429.
pub(crate) fn retryable_status(code: u16) -> bool {
    code == 429 || (500..600).contains(&code) && code != 501
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_errors_but_not_implemented_are_retryable() {
        let status = |code| FhirError::Status {
            code,
            message: String::new(),
        };
        assert!(status(500).is_retryable());
        assert!(status(503).is_retryable());
        assert!(!status(501).is_retryable());
        assert!(!status(404).is_retryable());
        assert!(FhirError::Timeout(Duration::from_secs(1)).is_retryable());
        assert!(!FhirError::ForeignHost { host: "x".into() }.is_retryable());
        assert_eq!(status(500).code(), "STATUS");
    }
}
