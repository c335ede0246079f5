//! Keeping this replica's leases and taking over the imports other
//! replicas left: the renewals run several times per lease; the look for
//! orphaned imports runs every second, and at once when the doorbell says
//! a replica handed its leases back.

use std::time::Duration;

use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;
use tracing::{info, warn};

use super::{notify::Notifier, processor::Processor, scraping::ScrapingStage, troubles::Troubles};
use crate::domain::import::ImportState;
use crate::store::{Store, StoreError};

/// Imports taken over per look: a dead replica's imports spread over the
/// replicas that look next rather than all going to the first.
const CLAIM_PER_LOOK: u64 = 8;
/// The longest an orphaned import waits for a look.
const LOOK_EVERY: Duration = Duration::from_secs(1);

/// What the stream of an import taken over while receiving is told it
/// ended with.
pub const OWNER_LOST: &str =
    "the server receiving the stream stopped (its lease expired or was handed back)";

#[derive(Clone)]
pub struct LeaseKeeper {
    pub store: Store,
    pub notifier: Notifier,
    pub processor: Processor,
    pub scraper: ScrapingStage,
    pub troubles: Troubles,
    /// A process lock proves that no other replica shares the store
    /// (SQLite): every import another process left is ours at once.
    pub sole_replica: bool,
}

impl LeaseKeeper {
    /// Takes over every orphaned import now; run before serving, so that
    /// a restarted single server resumes its imports at once.
    pub async fn take_over_all(&self) -> Result<usize, StoreError> {
        let mut taken = 0;
        loop {
            let claimed = self.take_over().await?;
            taken += claimed;
            if claimed < CLAIM_PER_LOOK as usize {
                return Ok(taken);
            }
        }
    }

    /// Renews and looks until `shutdown`; `released` rings when another
    /// replica handed its leases back.
    pub fn spawn(
        self,
        released: std::sync::Arc<Notify>,
        shutdown: CancellationToken,
    ) -> tokio::task::JoinHandle<()> {
        tokio::spawn(async move {
            let renew_every = (self.store.lease_terms().ttl / 3).max(Duration::from_millis(100));
            let mut renew = tokio::time::interval(renew_every);
            let mut look = tokio::time::interval(LOOK_EVERY.min(renew_every));
            renew.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            look.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                let result = tokio::select! {
                    _ = shutdown.cancelled() => break,
                    _ = renew.tick() => self.store.renew_leases().await.map(|_| ()),
                    _ = look.tick() => self.take_over().await.map(|_| ()),
                    _ = released.notified() => self.take_over().await.map(|_| ()),
                };
                match result {
                    Ok(()) => self.troubles.store_reachable(),
                    Err(err) => {
                        if let StoreError::Unavailable(_) = &err {
                            self.troubles.store_unavailable();
                        }
                        warn!(error = %err, "keeping the import leases failed; trying again");
                    }
                }
            }
        })
    }

    /// Claims one batch of orphaned imports and hands each to this
    /// replica's stages; an import still receiving lost its stream with its
    /// owner and ends its intake here.
    async fn take_over(&self) -> Result<usize, StoreError> {
        let claimed = self
            .store
            .claim_orphans(CLAIM_PER_LOOK, self.sole_replica)
            .await?;
        for import in &claimed {
            info!(import_id = %import.id, state = import.state.as_str(), "took the import over");
            if import.state == ImportState::Receiving {
                let ended = self
                    .store
                    .finish_intake(&import.id, Some(OWNER_LOST.to_owned()))
                    .await?;
                self.notifier.publish(&import.id, ended.last_sequence);
            }
            self.processor.enqueue(&import.id);
            if import.fhir_server.is_some() {
                self.scraper.enqueue(&import.id);
            }
        }
        Ok(claimed.len())
    }
}
