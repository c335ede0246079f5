//! The key ring the server signs and verifies with, loaded from the store.
//! The first start creates a key; later starts reuse the stored ones, so
//! tokens stay valid across restarts.

use std::time::Duration;

use tracing::info;

use super::keys::{KeyError, KeyRing, SigningKey};
use crate::store::{Store, StoreError, StoredSigningKey};

#[derive(Debug, thiserror::Error)]
pub enum SigningError {
    #[error(transparent)]
    Key(#[from] KeyError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn from_stored(key: StoredSigningKey) -> SigningKey {
    SigningKey {
        kid: key.kid,
        private_pem: key.private_pem,
        created_at: key.created_at,
        retired_at: key.retired_at,
    }
}

/// The stored keys as a ring, creating a signing key when none is active.
pub async fn load_key_ring(
    store: &Store,
    token_lifetime: Duration,
) -> Result<KeyRing, SigningError> {
    let mut keys: Vec<SigningKey> = store
        .signing_keys()
        .await?
        .into_iter()
        .map(from_stored)
        .collect();
    if !keys.iter().any(|k| k.retired_at.is_none()) {
        let key = SigningKey::generate()?;
        store
            .insert_signing_key(&StoredSigningKey {
                kid: key.kid.clone(),
                private_pem: key.private_pem.clone(),
                created_at: key.created_at,
                retired_at: None,
            })
            .await?;
        info!(kid = %key.kid, "created a token signing key");
        // Another instance starting at the same moment may have created
        // one too: take every stored key, so both verify each other's.
        keys = store
            .signing_keys()
            .await?
            .into_iter()
            .map(from_stored)
            .collect();
    }
    Ok(KeyRing::new(keys, token_lifetime)?)
}
