//! Event retention: the events of an import finished longer ago than
//! `[import] event_retention_hours` are removed, hourly. A finished import
//! keeps its items, files and counts; WatchImport then sends its snapshot
//! alone. Every replica runs it; the delete is idempotent.

use std::time::Duration;

use chrono::Utc;
use tokio_util::sync::CancellationToken;
use tracing::{info, warn};

use crate::store::Store;

const EVERY: Duration = Duration::from_secs(3600);

/// Prunes every hour, the first time one period after start, until
/// `stopping`; nothing when `retention` is zero.
pub fn spawn_pruning(store: Store, retention: Duration, stopping: CancellationToken) {
    if retention.is_zero() {
        return;
    }
    tokio::spawn(async move {
        loop {
            tokio::select! {
                _ = stopping.cancelled() => return,
                _ = tokio::time::sleep(EVERY) => {}
            }
            let cutoff = Utc::now() - chrono::Duration::from_std(retention).unwrap_or_default();
            match store.prune_events(cutoff).await {
                Ok(0) => {}
                Ok(pruned) => info!(pruned, "removed the events of long-finished imports"),
                Err(err) => warn!(error = %err, "pruning events failed; trying again later"),
            }
        }
    });
}
