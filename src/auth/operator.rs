//! Access tokens an operator issues from the command line
//! (`fhir-import admin issue-token`), straight from the store: for a user,
//! through a registered client, with scopes that client was granted. The
//! same token a portal would get from the authorization-code flow, without
//! a browser; for scripts, the tour and tests.

use super::jwt::{AccessClaims, TokenIssuer};
use super::keys::KeyRing;
use super::rights;
use crate::auth::accounts::AccountError;
use crate::domain::account::{parse_scopes, Username};
use crate::store::Store;

/// Issues a token for `username` through `client_id`. No `scopes` means
/// every scope the client was granted.
pub async fn issue_for_user(
    store: &Store,
    keys: &KeyRing,
    issuer: &TokenIssuer,
    username: &str,
    client_id: &str,
    scopes: &[String],
) -> Result<(String, AccessClaims), AccountError> {
    let username = Username::parse(username).map_err(AccountError::InvalidArgument)?;
    let Some(user) = store.find_user(username.as_str()).await? else {
        return Err(AccountError::NotFound(format!("user {username}")));
    };
    let client = store
        .find_client(client_id)
        .await?
        .filter(|c| c.revoked_at.is_none())
        .ok_or_else(|| AccountError::NotFound(format!("client {client_id}")))?;
    let scopes = match scopes.is_empty() {
        // The client's scopes, but admin only for an admin user.
        true => client
            .scopes
            .iter()
            .filter(|s| user.is_admin || *s != rights::ADMIN)
            .cloned()
            .collect(),
        false => parse_scopes(scopes.iter().map(String::as_str))
            .map_err(AccountError::InvalidArgument)?,
    };
    if !user.is_admin && scopes.iter().any(|s| s == rights::ADMIN) {
        return Err(AccountError::InvalidArgument(format!(
            "user {username} is not an admin, so cannot hold the admin scope; \
             make them one with `fhir-import admin grant-admin {username}`"
        )));
    }
    if let Some(extra) = scopes.iter().find(|s| !client.scopes.contains(s)) {
        return Err(AccountError::InvalidArgument(format!(
            "scope {extra:?} was never granted to client {client_id}; it has: {}",
            client.scopes.join(" ")
        )));
    }
    issuer
        .issue(keys, username.as_str(), client_id, &scopes, None)
        .map_err(|e| AccountError::InvalidArgument(e.to_string()))
}
