//! What the OAuth routes share: the service state, RFC 6749 error answers,
//! form parsing and client authentication.

use std::{collections::HashMap, sync::Arc};

use axum::{
    http::{header, HeaderMap, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
    Json,
};
use base64::{engine::general_purpose::STANDARD, Engine};
use serde_json::json;
use tracing::{info, warn};

use crate::auth::accounts::Accounts;
use crate::auth::external::ExternalIssuers;
use crate::auth::jwt::{TokenIssuer, TokenVerifier};
use crate::auth::signing::LiveKeys;
use crate::auth::throttle::{retry_after_header, RetryAfter, Throttles};
use crate::store::{Store, StoredClient};

/// The state every OAuth route is served with.
#[derive(Clone)]
pub struct TokenService {
    pub accounts: Accounts,
    pub store: Store,
    pub keys: Arc<LiveKeys>,
    pub issuer: Arc<TokenIssuer>,
    /// Checks this server's own tokens, for introspection and registration.
    pub verifier: Arc<TokenVerifier>,
    pub issuer_url: String,
    /// Trusted identity providers, for token exchange.
    pub external: Arc<ExternalIssuers>,
    pub throttles: Arc<Throttles>,
    /// Whether people may create accounts at /signup.
    pub signup_open: bool,
}

/// An RFC 6749 error answer.
#[derive(Debug)]
pub enum OAuthError {
    InvalidRequest(String),
    InvalidClient(String),
    UnsupportedGrantType(String),
    InvalidScope(String),
    InvalidGrant(String),
    InvalidTarget(String),
    SlowDown(RetryAfter),
    ServerError,
}

impl IntoResponse for OAuthError {
    fn into_response(self) -> Response {
        let (status, code, description) = match self {
            Self::InvalidRequest(d) => (StatusCode::BAD_REQUEST, "invalid_request", d),
            Self::InvalidClient(d) => (StatusCode::UNAUTHORIZED, "invalid_client", d),
            Self::UnsupportedGrantType(d) => (StatusCode::BAD_REQUEST, "unsupported_grant_type", d),
            Self::InvalidScope(d) => (StatusCode::BAD_REQUEST, "invalid_scope", d),
            Self::InvalidGrant(d) => (StatusCode::BAD_REQUEST, "invalid_grant", d),
            Self::InvalidTarget(d) => (StatusCode::BAD_REQUEST, "invalid_target", d),
            Self::SlowDown(wait) => {
                let mut response = (
                    StatusCode::TOO_MANY_REQUESTS,
                    Json(json!({
                        "error": "slow_down",
                        "error_description": format!("too many requests for this client; retry in {} s", wait.seconds()),
                    })),
                )
                    .into_response();
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, retry_after_header(wait));
                return response;
            }
            Self::ServerError => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "server_error",
                "the server could not complete the request".to_owned(),
            ),
        };
        let mut response = (
            status,
            Json(json!({ "error": code, "error_description": description })),
        )
            .into_response();
        let headers = response.headers_mut();
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        if status == StatusCode::UNAUTHORIZED {
            headers.insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Basic realm=\"fhir-import\""),
            );
        }
        response
    }
}

/// The form's parameters; a parameter given twice is refused (RFC 6749 §3.2).
pub fn parse_form(headers: &HeaderMap, body: &[u8]) -> Result<HashMap<String, String>, OAuthError> {
    let form_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !form_type {
        return Err(OAuthError::InvalidRequest(
            "the body must be application/x-www-form-urlencoded".into(),
        ));
    }
    let mut params = HashMap::new();
    for (key, value) in url::form_urlencoded::parse(body) {
        if params.insert(key.to_string(), value.to_string()).is_some() {
            return Err(OAuthError::InvalidRequest(format!(
                "parameter {key} is repeated"
            )));
        }
    }
    Ok(params)
}

/// The client's id and secret from HTTP Basic or from the form, not both.
fn client_credentials(
    headers: &HeaderMap,
    params: &HashMap<String, String>,
) -> Result<(String, String), OAuthError> {
    let basic = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "));
    let posted = params.get("client_secret");
    match (basic, posted) {
        (Some(_), Some(_)) => Err(OAuthError::InvalidRequest(
            "authenticate the client with one method: HTTP Basic or client_secret in the body"
                .into(),
        )),
        (Some(encoded), None) => {
            let decoded = STANDARD
                .decode(encoded.trim())
                .ok()
                .and_then(|b| String::from_utf8(b).ok())
                .ok_or_else(|| OAuthError::InvalidClient("malformed Basic credentials".into()))?;
            let (id, secret) = decoded
                .split_once(':')
                .ok_or_else(|| OAuthError::InvalidClient("malformed Basic credentials".into()))?;
            let unescape = |s: &str| {
                url::form_urlencoded::parse(format!("v={s}").as_bytes())
                    .next()
                    .map(|(_, v)| v.into_owned())
                    .unwrap_or_default()
            };
            Ok((unescape(id), unescape(secret)))
        }
        (None, Some(secret)) => {
            let id = params.get("client_id").ok_or_else(|| {
                OAuthError::InvalidRequest("client_id is required with client_secret".into())
            })?;
            Ok((id.clone(), secret.clone()))
        }
        (None, None) => Err(OAuthError::InvalidClient(
            "client authentication is required (client_secret_basic or client_secret_post)".into(),
        )),
    }
}

/// The client authenticated by the request, or `invalid_client`.
pub async fn authenticate(
    service: &TokenService,
    headers: &HeaderMap,
    params: &HashMap<String, String>,
) -> Result<StoredClient, OAuthError> {
    let (client_id, secret) = client_credentials(headers, params)?;
    service
        .throttles
        .token_request(&client_id)
        .map_err(OAuthError::SlowDown)?;
    service
        .accounts
        .authenticate_client(&client_id, &secret)
        .await
        .map_err(|err| {
            warn!(error = %err, "client authentication failed to run");
            OAuthError::ServerError
        })?
        .ok_or_else(|| {
            info!(client_id = %client_id, "client authentication refused");
            OAuthError::InvalidClient("unknown client, wrong secret, or revoked client".into())
        })
}
