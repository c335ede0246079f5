//! Dynamic client registration (RFC 7591): a portal registers itself with a
//! user's access token (the user owns the registration) or with an initial
//! access token an operator issued. The secret is returned once; a public
//! client (`token_endpoint_auth_method=none`) gets none.

use axum::{
    body::Bytes,
    extract::State,
    http::{header, HeaderMap, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
    Json,
};
use serde::Deserialize;
use serde_json::json;
use tracing::{info, warn};

use super::kit::TokenService;
use crate::auth::accounts::AccountError;
use crate::auth::pkce::code_hash;
use crate::domain::account::{PORTAL_SCOPES as SELF_SERVICE_SCOPES, SCOPES};

/// The scope a user's token needs to register a portal in the user's name
/// (a portal holding a user's token for importing must not be able to
/// register more portals with it).
const REGISTER_SCOPE: &str = "clients";
/// `none` registers a public client: a browser or native app with no
/// secret, signing users in by authorization code with PKCE.
const AUTH_METHODS: [&str; 3] = ["client_secret_basic", "client_secret_post", "none"];

#[derive(Deserialize)]
struct Metadata {
    client_name: Option<String>,
    #[serde(default)]
    redirect_uris: Vec<String>,
    scope: Option<String>,
    token_endpoint_auth_method: Option<String>,
}

fn error(status: StatusCode, code: &str, description: &str) -> Response {
    let mut response = (
        status,
        Json(json!({ "error": code, "error_description": description })),
    )
        .into_response();
    if status == StatusCode::UNAUTHORIZED {
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Bearer error=\"invalid_token\""),
        );
    }
    response
}

/// The user the registration is for: the subject of a user's access token,
/// or the owner an initial access token was issued for.
async fn owner(service: &TokenService, headers: &HeaderMap) -> Result<String, Response> {
    let unauthorized = |why: &str| error(StatusCode::UNAUTHORIZED, "invalid_token", why);
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| {
            unauthorized("send a user's access token or an initial access token as Bearer")
        })?;
    if token.matches('.').count() == 2 {
        let claims = service
            .verifier
            .verify(&service.keys.current(), token)
            .map_err(|_| unauthorized("the access token was refused"))?;
        if claims.sub == claims.client_id {
            return Err(unauthorized(
                "a client's own token cannot register clients; use a user's token",
            ));
        }
        // Revoked tokens, and tokens of revoked clients, count for nothing
        // here either.
        if let Err(status) = crate::auth::layer::still_valid(&service.store, &claims).await {
            return Err(match status.code() {
                tonic::Code::Unavailable => error(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "temporarily_unavailable",
                    "try again later",
                ),
                _ => unauthorized(status.message()),
            });
        }
        if !claims.scope.split_whitespace().any(|s| s == REGISTER_SCOPE) {
            return Err(error(
                StatusCode::FORBIDDEN,
                "insufficient_scope",
                &format!(
                    "registering a portal with a user's token needs the scope `{REGISTER_SCOPE}`"
                ),
            ));
        }
        return Ok(claims.sub);
    }
    match service
        .store
        .redeem_initial_access_token(&code_hash(token))
        .await
    {
        Ok(Some(owner)) => Ok(owner),
        Ok(None) => Err(unauthorized(
            "the initial access token is unknown, used or expired",
        )),
        Err(err) => {
            warn!(error = %err, "initial access token look-up failed");
            Err(error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "server_error",
                "try again later",
            ))
        }
    }
}

pub async fn register(
    State(service): State<TokenService>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let owner = match owner(&service, &headers).await {
        Ok(owner) => owner,
        Err(answer) => return answer,
    };
    let invalid = |why: &str| error(StatusCode::BAD_REQUEST, "invalid_client_metadata", why);
    let metadata: Metadata = match serde_json::from_slice(&body) {
        Ok(metadata) => metadata,
        Err(e) => return invalid(&format!("the body is not client metadata JSON: {e}")),
    };
    let Some(name) = metadata.client_name.filter(|n| !n.trim().is_empty()) else {
        return invalid("client_name is required");
    };
    let auth_method = metadata
        .token_endpoint_auth_method
        .unwrap_or_else(|| "client_secret_basic".to_owned());
    if !AUTH_METHODS.contains(&auth_method.as_str()) {
        return invalid(&format!(
            "token_endpoint_auth_method: one of {}",
            AUTH_METHODS.join(", ")
        ));
    }
    let scopes: Vec<String> = match metadata.scope {
        Some(scope) => scope.split_whitespace().map(str::to_owned).collect(),
        None => SELF_SERVICE_SCOPES
            .iter()
            .map(|s| (*s).to_owned())
            .collect(),
    };
    if let Some(scope) = scopes
        .iter()
        .find(|s| !SELF_SERVICE_SCOPES.contains(&s.as_str()))
    {
        let why = match SCOPES.contains(&scope.as_str()) {
            true => format!("scope {scope} is granted by an operator, not by registration"),
            false => format!(
                "scope {scope} is not one of {}",
                SELF_SERVICE_SCOPES.join(", ")
            ),
        };
        return invalid(&why);
    }
    let public = auth_method == "none";
    let created = match public {
        true => service
            .accounts
            .create_public_client(&name, &owner, &metadata.redirect_uris, &scopes)
            .await
            .map(|client| (client, None)),
        false => service
            .accounts
            .create_client(&name, &owner, &metadata.redirect_uris, &scopes)
            .await
            .map(|(client, secret)| (client, Some(secret))),
    };
    let (client, secret) = match created {
        Ok(created) => created,
        Err(AccountError::InvalidArgument(why)) if why.starts_with("redirect_uris") => {
            return error(StatusCode::BAD_REQUEST, "invalid_redirect_uri", &why)
        }
        Err(AccountError::InvalidArgument(why)) => return invalid(&why),
        Err(AccountError::NotFound(why)) => return invalid(&format!("{why} not found")),
        Err(err) => {
            warn!(error = %err, "client registration failed to run");
            return error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "server_error",
                "try again later",
            );
        }
    };
    info!(client_id = %client.client_id, owner = %owner, "client registered");
    let grant_types: Vec<&str> = match (public, client.redirect_uris.is_empty()) {
        (true, _) => vec!["authorization_code", "refresh_token"],
        (false, true) => vec!["client_credentials"],
        (false, false) => vec!["authorization_code", "refresh_token", "client_credentials"],
    };
    let mut body = json!({
        "client_id": client.client_id,
        "client_id_issued_at": client.created_at.timestamp(),
        "client_name": client.name,
        "redirect_uris": client.redirect_uris,
        "grant_types": grant_types,
        "token_endpoint_auth_method": auth_method,
        "scope": client.scopes.join(" "),
    });
    if let Some(secret) = secret {
        body["client_secret"] = json!(secret.expose());
        body["client_secret_expires_at"] = json!(0);
    }
    let mut response = (StatusCode::CREATED, Json(body)).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}
