//! The grants the token endpoint knows: what each checks, and who and what
//! the resulting token is for.

use std::collections::HashMap;

use chrono::{Duration, Utc};
use tracing::{info, warn};

use super::kit::{OAuthError, TokenService};
use crate::auth::external::ExternalError;
use crate::auth::pkce::{code_hash, is_valid_verifier, s256};
use crate::auth::secrets::{self, Secret};
use crate::store::{Redeemed, StoredClient, StoredRefresh};

/// How long a refresh token lives unless used (and so rotated) first.
pub const REFRESH_LIFETIME_DAYS: i64 = 30;

/// What a grant yields: the token's subject and scopes, and a new refresh
/// token when the grant acts for a user.
pub struct Grant {
    pub subject: String,
    pub scopes: Vec<String>,
    pub refresh_token: Option<Secret>,
    /// The family of an authorization code and its refresh tokens, carried
    /// by the access tokens issued from them.
    pub family: Option<String>,
}

/// The family an authorization code starts: derived from the code's hash,
/// so that the code coming back later finds it.
fn family_of_code(code_hash: &str) -> String {
    format!(
        "rtf_{}",
        &crate::auth::pkce::code_hash(&format!("family:{code_hash}"))[..22]
    )
}

fn server_error(err: impl std::fmt::Display) -> OAuthError {
    warn!(error = %err, "a grant failed to run");
    OAuthError::ServerError
}

/// `client_credentials`: the portal's own token, for no user.
pub fn client_credentials(
    client: &StoredClient,
    params: &HashMap<String, String>,
) -> Result<Grant, OAuthError> {
    Ok(Grant {
        subject: client.client_id.clone(),
        scopes: narrowed(&client.scopes, params)?,
        refresh_token: None,
        family: None,
    })
}

/// The scopes asked for (all within `allowed`), or all of `allowed`.
fn narrowed(
    allowed: &[String],
    params: &HashMap<String, String>,
) -> Result<Vec<String>, OAuthError> {
    let scopes: Vec<String> = match params.get("scope").map(|s| s.split_whitespace()) {
        None => allowed.to_vec(),
        Some(requested) => {
            let requested: Vec<String> = requested.map(str::to_owned).collect();
            if let Some(extra) = requested.iter().find(|s| !allowed.contains(s)) {
                return Err(OAuthError::InvalidScope(format!(
                    "scope {extra:?} was never granted to this client; it may ask for: {}",
                    allowed.join(" ")
                )));
            }
            requested
        }
    };
    if scopes.is_empty() {
        return Err(OAuthError::InvalidScope("no scope to grant".into()));
    }
    Ok(scopes)
}

/// Redeems an authorization code for the client that got it: once, before
/// it expires, from the same redirect URI, with the PKCE verifier.
pub async fn authorization_code(
    service: &TokenService,
    client: &StoredClient,
    params: &HashMap<String, String>,
) -> Result<Grant, OAuthError> {
    let client_id = client.client_id.as_str();
    let required = |name: &str| {
        params
            .get(name)
            .filter(|v| !v.is_empty())
            .ok_or_else(|| OAuthError::InvalidRequest(format!("{name} is required")))
    };
    let code = required("code")?;
    let redirect_uri = required("redirect_uri")?;
    let verifier = required("code_verifier")?;
    if !is_valid_verifier(verifier) {
        return Err(OAuthError::InvalidRequest(
            "code_verifier must be 43 to 128 unreserved characters".into(),
        ));
    }
    let invalid = || {
        OAuthError::InvalidGrant("the code is invalid, expired, used, or not this client's".into())
    };
    let hashed = code_hash(code);
    let family = family_of_code(&hashed);
    let Some(stored) = service
        .store
        .redeem_code(&hashed)
        .await
        .map_err(server_error)?
    else {
        // A code used before is being replayed: whoever redeemed it first
        // may not be its client. Everything issued from it is revoked.
        if service
            .store
            .code_exists(&hashed)
            .await
            .map_err(server_error)?
        {
            service
                .store
                .revoke_family(&family)
                .await
                .map_err(server_error)?;
            info!(client_id = %client_id, "a used authorization code came back; what it gave is revoked");
        }
        return Err(invalid());
    };
    if stored.client_id != client_id || stored.expires_at < chrono::Utc::now() {
        return Err(invalid());
    }
    if stored.redirect_uri != *redirect_uri {
        return Err(OAuthError::InvalidGrant(
            "redirect_uri differs from the one the code was issued for".into(),
        ));
    }
    if s256(verifier) != stored.code_challenge {
        return Err(OAuthError::InvalidGrant(
            "the code_verifier does not match the code_challenge".into(),
        ));
    }
    // A page's login lives as long as the sign-in session that allowed it
    // (OAuth 2.0 for Browser-Based Apps): signing out there, or its end,
    // ends it. A native app (the CLI, on a loopback redirect) and a
    // confidential portal's back end keep theirs, rotated, beyond the
    // browser.
    let bound_to = stored
        .browser_session
        .clone()
        .filter(|_| client.is_browser_app());
    let refresh_token = new_refresh(
        service,
        client_id,
        &stored.username,
        &stored.scopes,
        family.clone(),
        bound_to,
    )
    .await?;
    Ok(Grant {
        subject: stored.username,
        scopes: stored.scopes,
        refresh_token: Some(refresh_token),
        family: Some(family),
    })
}

/// `refresh_token`: used once, replaced by a new one of the same family; a
/// replayed one revokes the family.
pub async fn refresh(
    service: &TokenService,
    client: &StoredClient,
    params: &HashMap<String, String>,
) -> Result<Grant, OAuthError> {
    let token = params
        .get("refresh_token")
        .filter(|t| !t.is_empty())
        .ok_or_else(|| OAuthError::InvalidRequest("refresh_token is required".into()))?;
    let stored = match service
        .store
        .redeem_refresh(&code_hash(token), &client.client_id)
        .await
        .map_err(server_error)?
    {
        Redeemed::Fresh(stored) => stored,
        Redeemed::Replayed => {
            info!(client_id = %client.client_id, "a used refresh token came back; its family is revoked");
            return Err(OAuthError::InvalidGrant(
                "the refresh token was used before; every token of its family is now revoked"
                    .into(),
            ));
        }
        Redeemed::Invalid => {
            return Err(OAuthError::InvalidGrant(
                "the refresh token is invalid, expired, revoked, or not this client's".into(),
            ))
        }
    };
    let scopes = narrowed(&stored.scopes, params)?;
    let refresh_token = new_refresh(
        service,
        &client.client_id,
        &stored.username,
        &stored.scopes,
        stored.family_id.clone(),
        stored.browser_session.clone(),
    )
    .await?;
    Ok(Grant {
        subject: stored.username,
        scopes,
        refresh_token: Some(refresh_token),
        family: Some(stored.family_id),
    })
}

async fn new_refresh(
    service: &TokenService,
    client_id: &str,
    username: &str,
    scopes: &[String],
    family_id: String,
    browser_session: Option<String>,
) -> Result<Secret, OAuthError> {
    let token = secrets::new_secret().map_err(server_error)?;
    let stored = StoredRefresh {
        family_id,
        client_id: client_id.to_owned(),
        username: username.to_owned(),
        scopes: scopes.to_vec(),
        expires_at: Utc::now() + Duration::days(REFRESH_LIFETIME_DAYS),
        used_at: None,
        revoked_at: None,
        browser_session,
    };
    service
        .store
        .insert_refresh(&code_hash(token.expose()), &stored)
        .await
        .map_err(server_error)?;
    Ok(token)
}

pub const TOKEN_EXCHANGE: &str = "urn:ietf:params:oauth:grant-type:token-exchange";
pub const ACCESS_TOKEN_TYPE: &str = "urn:ietf:params:oauth:token-type:access_token";
const SUBJECT_TOKEN_TYPES: [&str; 3] = [
    ACCESS_TOKEN_TYPE,
    "urn:ietf:params:oauth:token-type:jwt",
    "urn:ietf:params:oauth:token-type:id_token",
];

/// Token exchange (RFC 8693): a portal holding a user's token from a
/// trusted identity provider gets ours for the platform user that
/// identity maps to, with scopes within the portal's.
pub async fn token_exchange(
    service: &TokenService,
    client: &StoredClient,
    params: &HashMap<String, String>,
) -> Result<Grant, OAuthError> {
    let required = |name: &str| {
        params
            .get(name)
            .filter(|v| !v.is_empty())
            .ok_or_else(|| OAuthError::InvalidRequest(format!("{name} is required")))
    };
    let subject_token = required("subject_token")?;
    let subject_token_type = required("subject_token_type")?;
    if !SUBJECT_TOKEN_TYPES.contains(&subject_token_type.as_str()) {
        return Err(OAuthError::InvalidRequest(format!(
            "subject_token_type must be one of {}",
            SUBJECT_TOKEN_TYPES.join(", ")
        )));
    }
    if params
        .get("requested_token_type")
        .is_some_and(|t| t != ACCESS_TOKEN_TYPE)
    {
        return Err(OAuthError::InvalidRequest(format!(
            "requested_token_type: only {ACCESS_TOKEN_TYPE} is issued"
        )));
    }
    if params.contains_key("actor_token") {
        return Err(OAuthError::InvalidRequest(
            "delegation (actor_token) is not supported".into(),
        ));
    }
    for target in ["audience", "resource"] {
        if let Some(value) = params.get(target) {
            if value != service.issuer.audience() && value != &service.issuer_url {
                return Err(OAuthError::InvalidTarget(format!(
                    "{target}: tokens are issued for {} only",
                    service.issuer.audience()
                )));
            }
        }
    }
    let refused = |err: ExternalError| match err {
        ExternalError::Unavailable => OAuthError::ServerError,
        other => {
            info!(client_id = %client.client_id, reason = %other, "token exchange refused");
            OAuthError::InvalidGrant(other.to_string())
        }
    };
    let claims = service
        .external
        .verify(subject_token)
        .await
        .map_err(refused)?;
    let ceiling = service
        .external
        .exchange_ceiling(&claims)
        .map_err(refused)?;
    // The portal's scopes, narrowed to what the subject token itself allows
    // (and the issuer's cap): a token for reading never becomes one for
    // writing.
    let allowed: Vec<String> = client
        .scopes
        .iter()
        .filter(|s| ceiling.contains(s))
        .cloned()
        .collect();
    if allowed.is_empty() {
        info!(client_id = %client.client_id, "token exchange refused: no scope in common");
        return Err(OAuthError::InvalidScope(format!(
            "the subject token allows none of this client's scopes ({}); its scope claim says: {}",
            client.scopes.join(" "),
            match claims.scopes.is_empty() {
                true => "nothing".to_owned(),
                false => claims.scopes.join(" "),
            }
        )));
    }
    let scopes = narrowed(&allowed, params)?;
    let user = service
        .external
        .user_for(&service.store, &claims)
        .await
        .map_err(refused)?;
    Ok(Grant {
        subject: user,
        scopes,
        refresh_token: None,
        family: None,
    })
}
