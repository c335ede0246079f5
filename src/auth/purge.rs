//! The expired parts of authorization (codes, refresh tokens, revoked
//! access tokens, initial access tokens, browser sessions) are removed on
//! a schedule. Every replica runs it; the deletes are idempotent.

use std::time::Duration;

use chrono::Utc;
use tokio_util::sync::CancellationToken;
use tracing::{info, warn};

use crate::store::Store;

/// Purges every `every`, the first time one period after start (a starting
/// replica adds no write to everything else starting), until `stopping`.
pub fn spawn_purge(store: Store, every: Duration, stopping: CancellationToken) {
    tokio::spawn(async move {
        loop {
            tokio::select! {
                _ = stopping.cancelled() => return,
                _ = tokio::time::sleep(every) => {}
            }
            match store.purge_expired(Utc::now()).await {
                Ok(purged) if purged.total() > 0 => info!(?purged, "removed what had expired"),
                Ok(_) => {}
                Err(err) => {
                    warn!(error = %err, "purging what had expired failed; trying again later")
                }
            }
        }
    });
}
