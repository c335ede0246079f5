//! The authorization server's HTTP side, served on the gRPC port: the token
//! endpoint (RFC 6749) with client authentication by `client_secret_basic`
//! or `client_secret_post`, server metadata (RFC 8414) and the JWKS.
//!
//! Grants: `authorization_code` (with PKCE), `refresh_token` (rotated) and
//! `client_credentials`; revocation and introspection live beside them.
//! Secrets never reach a log.

use std::{collections::HashMap, sync::Arc};

use axum::{
    body::Bytes,
    extract::State,
    http::{header, HeaderMap, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
    routing::{get, post},
    Json, Router,
};
use base64::{engine::general_purpose::STANDARD, Engine};
use serde_json::json;
use tracing::{info, warn};

use super::external::ExternalIssuers;
use super::grants::{self, Grant};
use super::jwt::{TokenIssuer, TokenVerifier};
use super::rights;
use super::signing::LiveKeys;
use super::throttle::{retry_after_header, RetryAfter, Throttles};
use super::{authorize, pages, registration, revocation, signup};
use crate::accounts::Accounts;
use crate::domain::account::SCOPES;
use crate::store::{Store, StoredClient};

const GRANTS: [&str; 4] = [
    "authorization_code",
    "refresh_token",
    "client_credentials",
    grants::TOKEN_EXCHANGE,
];

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

pub fn router(service: TokenService) -> Router {
    Router::new()
        .route("/oauth/token", post(token))
        .route(
            "/oauth/authorize",
            get(authorize::show).post(authorize::decide),
        )
        .route("/signup", get(signup::show).post(signup::create))
        .route("/oauth/register", post(registration::register))
        .route("/oauth/revoke", post(revocation::revoke))
        .route("/oauth/introspect", post(revocation::introspect))
        .route("/.well-known/oauth-authorization-server", get(metadata))
        .route("/.well-known/jwks.json", get(jwks))
        .layer(axum::middleware::map_response(security_headers))
        .with_state(service)
}

/// Pages that take passwords must not be framed by other sites
/// (clickjacking), and nothing here is to be sniffed as another type. A
/// page that sets its own policy (the authorization form, whose answer
/// redirects to the portal) keeps it.
async fn security_headers(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        if let Ok(policy) = HeaderValue::from_str(&pages::content_security_policy(None)) {
            headers.insert(header::CONTENT_SECURITY_POLICY, policy);
        }
    }
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    response
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
pub(super) fn parse_form(
    headers: &HeaderMap,
    body: &[u8],
) -> Result<HashMap<String, String>, OAuthError> {
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
pub(super) async fn authenticate(
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

async fn token(State(service): State<TokenService>, headers: HeaderMap, body: Bytes) -> Response {
    match issue_token(&service, &headers, &body).await {
        Ok(response) => response,
        Err(err) => err.into_response(),
    }
}

async fn issue_token(
    service: &TokenService,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Response, OAuthError> {
    let params = parse_form(headers, body)?;
    let grant_type = params
        .get("grant_type")
        .ok_or_else(|| OAuthError::InvalidRequest("grant_type is required".into()))?;
    if !GRANTS.contains(&grant_type.as_str()) {
        return Err(OAuthError::UnsupportedGrantType(format!(
            "grant_type {grant_type:?} is not supported; supported: {}",
            GRANTS.join(", ")
        )));
    }
    let client = authenticate(service, headers, &params).await?;

    let grant = match grant_type.as_str() {
        "authorization_code" => grants::authorization_code(service, &client, &params).await?,
        "refresh_token" => grants::refresh(service, &client, &params).await?,
        grants::TOKEN_EXCHANGE => grants::token_exchange(service, &client, &params).await?,
        _ => grants::client_credentials(&client, &params)?,
    };
    let Grant {
        subject,
        scopes,
        refresh_token,
        family,
    } = grant;
    // `admin` is the user's right (a client's own token: its owner's).
    let holder = match grant_type.as_str() {
        "client_credentials" => client.owner.as_str(),
        _ => subject.as_str(),
    };
    let scopes = rights::within_rights(&service.store, holder, scopes)
        .await
        .map_err(|err| {
            warn!(error = %err, "checking the user's rights failed");
            OAuthError::ServerError
        })?;
    if scopes.is_empty() {
        return Err(OAuthError::InvalidScope(format!(
            "admin is granted to admin users only, and {holder} is not one"
        )));
    }
    let (jwt, claims) = service
        .issuer
        .issue(
            &service.keys.current(),
            &subject,
            &client.client_id,
            &scopes,
            family.as_deref(),
        )
        .map_err(|err| {
            warn!(error = %err, "token signing failed");
            OAuthError::ServerError
        })?;
    info!(client_id = %client.client_id, grant = %grant_type, scope = %claims.scope, "issued an access token");
    let mut body = json!({
        "access_token": jwt,
        "token_type": "Bearer",
        "expires_in": claims.exp - claims.iat,
        "scope": claims.scope,
    });
    if let Some(refresh_token) = refresh_token {
        body["refresh_token"] = json!(refresh_token.expose());
    }
    if grant_type == grants::TOKEN_EXCHANGE {
        body["issued_token_type"] = json!(grants::ACCESS_TOKEN_TYPE);
    }
    let mut response = Json(body).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    Ok(response)
}

async fn metadata(State(service): State<TokenService>) -> Json<serde_json::Value> {
    let base = service.issuer_url.trim_end_matches('/');
    Json(json!({
        "issuer": service.issuer_url,
        "token_endpoint": format!("{base}/oauth/token"),
        "jwks_uri": format!("{base}/.well-known/jwks.json"),
        "grant_types_supported": GRANTS,
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "scopes_supported": SCOPES,
        "authorization_endpoint": format!("{base}/oauth/authorize"),
        "response_types_supported": ["code"],
        "code_challenge_methods_supported": ["S256"],
        "revocation_endpoint": format!("{base}/oauth/revoke"),
        "introspection_endpoint": format!("{base}/oauth/introspect"),
        "registration_endpoint": format!("{base}/oauth/register"),
    }))
}

async fn jwks(State(service): State<TokenService>) -> Json<serde_json::Value> {
    Json(service.keys.current().jwks())
}
