//! The token endpoint (RFC 6749): grants `authorization_code` (with PKCE),
//! `refresh_token` (rotated), `client_credentials` and token exchange, with
//! client authentication by `client_secret_basic` or `client_secret_post`
//! (or none, for a public client: the first two grants only);
//! and the server metadata (RFC 8414) and JWKS that describe it.

use axum::{
    body::Bytes,
    extract::{Extension, State},
    http::{header, HeaderMap, HeaderValue},
    response::{IntoResponse, Response},
    Json,
};
use serde_json::json;
use tracing::{info, warn};

use super::grants::{self, Grant};
use std::net::IpAddr;

use super::kit::{
    authenticate, confidential_only, parse_form, remote_address, OAuthError, TokenService,
};
use crate::auth::rights;
use crate::domain::account::SCOPES;
use tonic::transport::server::TcpConnectInfo;

const GRANTS: [&str; 4] = [
    "authorization_code",
    "refresh_token",
    "client_credentials",
    grants::TOKEN_EXCHANGE,
];

pub(super) async fn token(
    State(service): State<TokenService>,
    connection: Option<Extension<TcpConnectInfo>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    match issue_token(&service, &headers, &body, remote_address(connection)).await {
        Ok(response) => response,
        Err(err) => err.into_response(),
    }
}

async fn issue_token(
    service: &TokenService,
    headers: &HeaderMap,
    body: &[u8],
    from: Option<IpAddr>,
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
    let client = authenticate(service, headers, &params, from).await?;
    if !matches!(grant_type.as_str(), "authorization_code" | "refresh_token") {
        confidential_only(&client, &format!("grant_type {grant_type}"))?;
    }

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

pub(super) async fn metadata(State(service): State<TokenService>) -> Json<serde_json::Value> {
    let base = service.issuer_url.trim_end_matches('/');
    Json(json!({
        "issuer": service.issuer_url,
        "token_endpoint": format!("{base}/oauth/token"),
        "jwks_uri": format!("{base}/.well-known/jwks.json"),
        "grant_types_supported": GRANTS,
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
        "revocation_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
        "introspection_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "scopes_supported": SCOPES,
        "authorization_endpoint": format!("{base}/oauth/authorize"),
        "response_types_supported": ["code"],
        "code_challenge_methods_supported": ["S256"],
        "revocation_endpoint": format!("{base}/oauth/revoke"),
        "introspection_endpoint": format!("{base}/oauth/introspect"),
        "registration_endpoint": format!("{base}/oauth/register"),
    }))
}

pub(super) async fn jwks(State(service): State<TokenService>) -> Json<serde_json::Value> {
    Json(service.keys.current().jwks())
}
