//! The key ring the server signs and verifies with, loaded from the store.
//! The first start creates a key; later starts reuse the stored ones, so
//! tokens stay valid across restarts. A running server reloads the ring
//! every minute and when a token names a key it does not know, so a
//! rotation (`fhir-import admin rotate-signing-key`, or another instance's
//! first start) reaches every instance.

use std::{
    sync::{Arc, RwLock},
    time::{Duration, Instant},
};

use chrono::Utc;
use tokio_util::sync::CancellationToken;
use tracing::{info, warn};

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

/// How often a running server reloads its keys from the store.
pub const KEY_RELOAD_INTERVAL: Duration = Duration::from_secs(60);
/// A token naming an unknown key reloads the keys at most this often.
const UNKNOWN_KID_RELOAD_COOLDOWN: Duration = Duration::from_secs(5);

/// The key ring of a running server, reloaded from the store.
///
/// A retired key keeps verifying for the token lifetime plus one reload
/// interval: an instance may sign with a key for up to a reload interval
/// after another process retired it.
pub struct LiveKeys {
    store: Store,
    retention: Duration,
    ring: RwLock<Arc<KeyRing>>,
    /// When a token last made the keys reload; none yet.
    last_unknown_key_reload: tokio::sync::Mutex<Option<Instant>>,
}

impl LiveKeys {
    pub async fn load(store: Store, token_lifetime: Duration) -> Result<Self, SigningError> {
        let retention = token_lifetime + KEY_RELOAD_INTERVAL;
        let ring = load_key_ring(&store, retention).await?;
        Ok(Self {
            store,
            retention,
            ring: RwLock::new(Arc::new(ring)),
            last_unknown_key_reload: tokio::sync::Mutex::new(None),
        })
    }

    /// The ring as last loaded.
    pub fn current(&self) -> Arc<KeyRing> {
        self.ring.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Loads the stored keys again; on failure the current ring stays.
    pub async fn reload(&self) {
        match load_key_ring(&self.store, self.retention).await {
            Ok(ring) => *self.ring.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(ring),
            Err(err) => warn!(error = %err, "reloading the signing keys failed"),
        }
    }

    /// Reloads for a token that names an unknown key, unless a reload just
    /// happened (made-up key ids must not turn into database load).
    pub async fn reload_for_unknown_key(&self) {
        let mut last = self.last_unknown_key_reload.lock().await;
        if last.is_some_and(|at| at.elapsed() < UNKNOWN_KID_RELOAD_COOLDOWN) {
            return;
        }
        *last = Some(Instant::now());
        self.reload().await;
    }

    /// Reloads every `KEY_RELOAD_INTERVAL` until `stopping`.
    pub fn spawn_reload(self: &Arc<Self>, stopping: CancellationToken) {
        let keys = self.clone();
        tokio::spawn(async move {
            loop {
                tokio::select! {
                    _ = stopping.cancelled() => return,
                    _ = tokio::time::sleep(KEY_RELOAD_INTERVAL) => keys.reload().await,
                }
            }
        });
    }
}

/// What a rotation did.
pub struct Rotation {
    pub new_kid: String,
    pub retired_kids: Vec<String>,
}

/// Creates a signing key and retires the ones in use: new tokens are signed
/// with the new key once each server reloads (within a minute); tokens the
/// old keys signed verify until they expire.
pub async fn rotate_signing_key(store: &Store) -> Result<Rotation, SigningError> {
    let key = SigningKey::generate()?;
    let retired_kids = store
        .rotate_signing_key(&StoredSigningKey {
            kid: key.kid.clone(),
            private_pem: key.private_pem.clone(),
            created_at: Utc::now(),
            retired_at: None,
        })
        .await?;
    info!(kid = %key.kid, retired = ?retired_kids, "rotated the token signing key");
    Ok(Rotation {
        new_kid: key.kid,
        retired_kids,
    })
}
