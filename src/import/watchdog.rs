//! The watchdog: an unfinished import that has not changed for
//! `stall_after` gets an event saying what it waits for, again after each
//! such period, and is handed to its stages once more in case a wake-up
//! was lost.

use std::{collections::HashMap, time::Duration};

use chrono::{DateTime, Utc};
use tokio_util::sync::CancellationToken;
use tracing::{info, warn};

use super::{notify::Notifier, processor::Processor, scraping::ScrapingStage, troubles::Troubles};
use crate::domain::{
    ids::ImportId,
    import::{Import, ImportState},
};
use crate::store::{Store, StoreError};

pub struct Watchdog {
    pub store: Store,
    pub notifier: Notifier,
    pub processor: Processor,
    pub scraper: ScrapingStage,
    pub troubles: Troubles,
    pub stall_after: Duration,
}

impl Watchdog {
    pub fn spawn(self, shutdown: CancellationToken) -> tokio::task::JoinHandle<()> {
        tokio::spawn(async move {
            let period = (self.stall_after / 4).max(Duration::from_millis(250));
            let mut reported: HashMap<ImportId, DateTime<Utc>> = HashMap::new();
            loop {
                tokio::select! {
                    _ = shutdown.cancelled() => break,
                    _ = tokio::time::sleep(period) => {}
                }
                match self.look(&mut reported).await {
                    Ok(()) => self.troubles.store_reachable(),
                    Err(err) => {
                        if let StoreError::Unavailable(_) = &err {
                            self.troubles.store_unavailable();
                        }
                        warn!(error = %err, "the watchdog could not look at the imports");
                    }
                }
            }
        })
    }

    async fn look(
        &self,
        reported: &mut HashMap<ImportId, DateTime<Utc>>,
    ) -> Result<(), StoreError> {
        let now = Utc::now();
        let stall_after = chrono::Duration::from_std(self.stall_after).unwrap_or_default();
        // Only the imports this replica works: each replica speaks for its own.
        let unfinished = self.store.held_imports().await?;
        reported.retain(|id, _| unfinished.iter().any(|i| &i.id == id));
        for import in unfinished {
            let last_word = reported
                .get(&import.id)
                .copied()
                .unwrap_or(import.updated_at)
                .max(import.updated_at);
            if now - last_word < stall_after {
                continue;
            }
            let reason = self
                .troubles
                .reason(&import.id)
                .unwrap_or_else(|| waiting_for(&import));
            info!(import_id = %import.id, %reason, "import stalled");
            if let Some(after) = self
                .store
                .record_stall(&import.id, import.updated_at, reason)
                .await?
            {
                self.notifier.publish(&import.id, after.last_sequence);
            }
            reported.insert(import.id.clone(), now);
            if import.state == ImportState::Processing {
                self.processor.enqueue(&import.id);
                if import.fhir_server.is_some() {
                    self.scraper.enqueue(&import.id);
                }
            }
        }
        Ok(())
    }
}

/// What an import with no known trouble waits for, from where it stands.
fn waiting_for(import: &Import) -> String {
    let counts = import.counts;
    match import.state {
        ImportState::Receiving => "waiting for the client to send more documents".to_owned(),
        _ if counts.pending + counts.processing > 0 => format!(
            "{} documents wait for their files to be recorded",
            counts.pending + counts.processing
        ),
        _ if counts.imported > 0 => match &import.fhir_server {
            Some(server) => format!(
                "{} files wait for their metadata from FHIR server {server}",
                counts.imported
            ),
            None => "waiting to be settled".to_owned(),
        },
        _ => "waiting to be settled".to_owned(),
    }
}
