//! Token revocation (RFC 7009) and introspection (RFC 7662), both only
//! about the calling client's own tokens. A public client may revoke (the
//! token itself is the proof), not introspect.

use std::collections::HashMap;

use axum::{
    body::Bytes,
    extract::{Extension, State},
    http::HeaderMap,
    response::{IntoResponse, Response},
    Json,
};
use chrono::{TimeZone, Utc};
use serde_json::json;
use tracing::{info, warn};

use std::net::IpAddr;

use super::kit::{
    authenticate, confidential_only, parse_form, remote_address, OAuthError, TokenService,
};
use crate::auth::jwt::AccessClaims;
use crate::auth::pkce::code_hash;
use crate::store::StoredClient;
use tonic::transport::server::TcpConnectInfo;

/// The token's claims when it is an access token of this client.
fn own_access_token(
    service: &TokenService,
    client: &StoredClient,
    token: &str,
) -> Option<AccessClaims> {
    service
        .verifier
        .verify(&service.keys.current(), token)
        .ok()
        .filter(|claims| claims.client_id == client.client_id)
}

async fn run(
    service: &TokenService,
    headers: &HeaderMap,
    body: &[u8],
    from: Option<IpAddr>,
) -> Result<(StoredClient, String, HashMap<String, String>), OAuthError> {
    let params = parse_form(headers, body)?;
    let client = authenticate(service, headers, &params, from).await?;
    let token = params
        .get("token")
        .filter(|t| !t.is_empty())
        .cloned()
        .ok_or_else(|| OAuthError::InvalidRequest("token is required".into()))?;
    Ok((client, token, params))
}

/// Revokes a refresh token (with its family) or an access token of the
/// calling client. Unknown tokens are answered 200 too (RFC 7009 §2.2).
pub async fn revoke(
    State(service): State<TokenService>,
    connection: Option<Extension<TcpConnectInfo>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (client, token, _) = match run(&service, &headers, &body, remote_address(connection)).await
    {
        Ok(found) => found,
        Err(err) => return err.into_response(),
    };
    let outcome = async {
        if let Some(stored) = service.store.find_refresh(&code_hash(&token)).await? {
            if stored.client_id == client.client_id {
                service.store.revoke_family(&stored.family_id).await?;
                info!(client_id = %client.client_id, "refresh token family revoked");
            }
        } else if let Some(claims) = own_access_token(&service, &client, &token) {
            let expires = Utc
                .timestamp_opt(claims.exp, 0)
                .single()
                .unwrap_or_else(Utc::now);
            service
                .store
                .revoke_access_token(&claims.jti, expires)
                .await?;
            info!(client_id = %client.client_id, jti = %claims.jti, "access token revoked");
        }
        Ok::<(), crate::store::StoreError>(())
    };
    match outcome.await {
        Ok(()) => Json(json!({})).into_response(),
        Err(err) => {
            warn!(error = %err, "revocation failed to run");
            OAuthError::ServerError.into_response()
        }
    }
}

/// Whether a token of the calling client is active, and what it grants.
pub async fn introspect(
    State(service): State<TokenService>,
    connection: Option<Extension<TcpConnectInfo>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (client, token, _) = match run(&service, &headers, &body, remote_address(connection)).await
    {
        Ok(found) => found,
        Err(err) => return err.into_response(),
    };
    if let Err(err) = confidential_only(&client, "introspection") {
        return err.into_response();
    }
    let inactive = || Json(json!({ "active": false })).into_response();
    if let Some(claims) = own_access_token(&service, &client, &token) {
        return match service
            .store
            .is_access_token_revoked(&claims.jti, claims.fam.as_deref())
            .await
        {
            Ok(true) => inactive(),
            Ok(false) => Json(json!({
                "active": true,
                "token_type": "access_token",
                "scope": claims.scope,
                "client_id": claims.client_id,
                "sub": claims.sub,
                "aud": claims.aud,
                "iss": claims.iss,
                "iat": claims.iat,
                "nbf": claims.nbf,
                "exp": claims.exp,
                "jti": claims.jti,
            }))
            .into_response(),
            Err(err) => {
                warn!(error = %err, "introspection failed to run");
                OAuthError::ServerError.into_response()
            }
        };
    }
    match service.store.find_refresh(&code_hash(&token)).await {
        Ok(Some(stored))
            if stored.client_id == client.client_id
                && stored.used_at.is_none()
                && stored.revoked_at.is_none()
                && stored.expires_at > Utc::now() =>
        {
            Json(json!({
                "active": true,
                "token_type": "refresh_token",
                "scope": stored.scopes.join(" "),
                "client_id": stored.client_id,
                "sub": stored.username,
                "exp": stored.expires_at.timestamp(),
            }))
            .into_response()
        }
        Ok(_) => inactive(),
        Err(err) => {
            warn!(error = %err, "introspection failed to run");
            OAuthError::ServerError.into_response()
        }
    }
}
