//! Platform rights belong to users: the `admin` scope is held only by admin
//! users (a client's own token, acting for no user, by its owner's right),
//! whatever client a token comes through. Tokens never claim it for anyone
//! else, and the gRPC layer checks it again on every admin call, so taking
//! the role back takes effect at once.

use crate::store::{Store, StoreResult};

pub const ADMIN: &str = "admin";

/// Whether `username` is an admin user.
pub async fn is_admin(store: &Store, username: &str) -> StoreResult<bool> {
    Ok(store
        .find_user(username)
        .await?
        .is_some_and(|user| user.is_admin))
}

/// `scopes` without `admin` unless `holder` (a user) may hold it.
pub async fn within_rights(
    store: &Store,
    holder: &str,
    mut scopes: Vec<String>,
) -> StoreResult<Vec<String>> {
    if scopes.iter().any(|s| s == ADMIN) && !is_admin(store, holder).await? {
        scopes.retain(|s| s != ADMIN);
    }
    Ok(scopes)
}
