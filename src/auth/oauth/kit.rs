//! What the OAuth routes share: the service state, RFC 6749 error answers,
//! form parsing and client authentication.

use std::{collections::HashMap, net::IpAddr, sync::Arc};

use axum::{
    extract::Extension,
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
use tonic::transport::server::TcpConnectInfo;

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
    /// The client may not use this grant or endpoint (a public client asking
    /// for client credentials, say).
    UnauthorizedClient(String),
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
            Self::UnauthorizedClient(d) => (StatusCode::BAD_REQUEST, "unauthorized_client", d),
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

/// How the request names its client.
enum Presented {
    /// Id and secret, from HTTP Basic or from the form (not both).
    Secret(String, String),
    /// Only `client_id` in the form: a public client
    /// (`token_endpoint_auth_method=none`).
    Public(String),
}

fn presented_client(
    headers: &HeaderMap,
    params: &HashMap<String, String>,
) -> Result<Presented, OAuthError> {
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
            Ok(Presented::Secret(unescape(id), unescape(secret)))
        }
        (None, Some(secret)) => {
            let id = params.get("client_id").ok_or_else(|| {
                OAuthError::InvalidRequest("client_id is required with client_secret".into())
            })?;
            Ok(Presented::Secret(id.clone(), secret.clone()))
        }
        (None, None) => match params.get("client_id").filter(|id| !id.is_empty()) {
            Some(id) => Ok(Presented::Public(id.clone())),
            None => Err(OAuthError::InvalidClient(
                "client authentication is required (client_secret_basic or client_secret_post; \
                 a public client sends its client_id)"
                    .into(),
            )),
        },
    }
}

/// The client the request is from: authenticated by its secret, or a
/// public client named by its id (which proves nothing, so public clients
/// get only what PKCE or a refresh token of theirs protects); or
/// `invalid_client`.
pub async fn authenticate(
    service: &TokenService,
    headers: &HeaderMap,
    params: &HashMap<String, String>,
    from: Option<IpAddr>,
) -> Result<StoredClient, OAuthError> {
    let presented = presented_client(headers, params)?;
    // A secret is guessed per client, so its requests are counted per
    // client. A public client has none, and is shared by everyone who
    // uses it (the dashboard): counted per client and address, so that
    // one stranger cannot spend everyone's budget.
    let (client_id, budget) = match &presented {
        Presented::Secret(id, _) => (id.clone(), id.clone()),
        Presented::Public(id) => {
            let from = from.map(|ip| ip.to_string()).unwrap_or_default();
            (id.clone(), format!("{id} from {from}"))
        }
    };
    service
        .throttles
        .token_request(&budget)
        .map_err(OAuthError::SlowDown)?;
    let failed = |err: crate::auth::accounts::AccountError| {
        warn!(error = %err, "client authentication failed to run");
        OAuthError::ServerError
    };
    let client = match presented {
        Presented::Secret(_, secret) => service
            .accounts
            .authenticate_client(&client_id, &secret)
            .await
            .map_err(failed)?,
        Presented::Public(_) => {
            let client = service
                .accounts
                .find_client(&client_id)
                .await
                .map_err(failed)?;
            if client.as_ref().is_some_and(|c| !c.is_public()) {
                info!(client_id = %client_id, "a confidential client came without its secret");
                return Err(OAuthError::InvalidClient(
                    "this client has a secret: authenticate with client_secret_basic or client_secret_post"
                        .into(),
                ));
            }
            client
        }
    };
    client.ok_or_else(|| {
        info!(client_id = %client_id, "client authentication refused");
        OAuthError::InvalidClient("unknown client, wrong secret, or revoked client".into())
    })
}

/// The address a request came from, when the transport says.
pub fn remote_address(connection: Option<Extension<TcpConnectInfo>>) -> Option<IpAddr> {
    connection
        .and_then(|Extension(c)| c.remote_addr())
        .map(|a| a.ip())
}

/// Refuses a public client where only a confidential one may go.
pub fn confidential_only(client: &StoredClient, what: &str) -> Result<(), OAuthError> {
    match client.is_public() {
        true => Err(OAuthError::UnauthorizedClient(format!(
            "{what} is for clients with a secret; a public client signs users in with \
             authorization_code and PKCE, and uses refresh_token"
        ))),
        false => Ok(()),
    }
}
