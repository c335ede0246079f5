//! WatchImport: a snapshot, then every event after the client's sequence,
//! read from the store and woken by the notifier, until the import ends.

use std::time::Duration;

use tokio::sync::mpsc;
use tracing::debug;

use super::admission::{Held, Permit};
use super::{ImportError, Imports};
use crate::auth::Caller;
use crate::domain::{
    ids::ImportId,
    import::{Change, Event, Import},
};

/// Events read per query.
const PAGE: u64 = 500;
/// How long a watcher waits for a wake-up before looking anyway: a safety
/// net for a ring missed while the doorbell reconnects.
const POLL: Duration = Duration::from_secs(1);
/// Updates buffered per watcher before it waits for the client.
const BUFFER: usize = 64;

#[derive(Debug, Clone)]
pub enum WatchUpdate {
    /// The import as it stands; `sequence` is where the events that follow
    /// resume (the client's `after_sequence`).
    Snapshot {
        sequence: u64,
        import: Import,
    },
    Event(Event),
}

impl Imports {
    pub async fn watch(
        &self,
        caller: &Caller,
        import_id: &str,
        after: u64,
    ) -> Result<(mpsc::Receiver<Result<WatchUpdate, ImportError>>, Permit), ImportError> {
        let import = self.get(caller, import_id).await?;
        let permit = self
            .admission
            .admit(caller, Held::Watcher)
            .map_err(ImportError::Busy)?;
        if after > import.last_sequence {
            return Err(ImportError::OutOfRange(format!(
                "after_sequence: {after} is past the import's latest event {}",
                import.last_sequence
            )));
        }
        let (tx, rx) = mpsc::channel(BUFFER);
        let this = self.clone();
        tokio::spawn(async move {
            if let Err(err) = this.follow(import.id.clone(), after, &tx).await {
                let _ = tx.send(Err(err)).await;
            }
        });
        Ok((rx, permit))
    }

    /// True when the import is finished (or gone): no event will follow
    /// those stored (a client resuming after the end, or after its events
    /// were pruned, gets the snapshot and nothing else).
    async fn has_ended(&self, import_id: &ImportId) -> Result<bool, ImportError> {
        Ok(self
            .store
            .get_import(import_id)
            .await?
            .is_none_or(|i| i.state.is_terminal()))
    }

    async fn follow(
        &self,
        import_id: ImportId,
        after: u64,
        tx: &mpsc::Sender<Result<WatchUpdate, ImportError>>,
    ) -> Result<(), ImportError> {
        // Subscribe before reading, so no change slips between the two.
        let mut wake = self.notifier.subscribe(&import_id);
        let import = self
            .store
            .get_import(&import_id)
            .await?
            .ok_or_else(|| ImportError::NotFound(import_id.to_string()))?;
        let snapshot = WatchUpdate::Snapshot {
            sequence: after,
            import,
        };
        if tx.send(Ok(snapshot)).await.is_err() {
            return Ok(());
        }
        let mut cursor = after;
        loop {
            let mut events = self.store.list_events(&import_id, cursor, PAGE).await?;
            // Nothing new: when the import has finished, its events were all
            // written with its final state, so one more read after seeing
            // that has every event it had (it may have finished between).
            if events.is_empty() && self.has_ended(&import_id).await? {
                events = self.store.list_events(&import_id, cursor, PAGE).await?;
                if events.is_empty() {
                    return Ok(());
                }
            }
            let page_was_full = events.len() as u64 == PAGE;
            for event in events {
                cursor = event.sequence;
                let last =
                    matches!(&event.change, Change::State { state, .. } if state.is_terminal());
                if tx.send(Ok(WatchUpdate::Event(event))).await.is_err() {
                    debug!(import_id = %import_id, "watcher went away");
                    return Ok(());
                }
                if last {
                    return Ok(());
                }
            }
            if page_was_full {
                continue;
            }
            tokio::select! {
                _ = wake.changed() => {}
                _ = tokio::time::sleep(POLL) => {}
                _ = tx.closed() => return Ok(()),
                _ = self.shutdown.stopping.cancelled() => {
                    return Err(ImportError::ShuttingDown(format!(
                        "the server is shutting down; resume with after_sequence {cursor}"
                    )));
                }
            }
        }
    }
}
