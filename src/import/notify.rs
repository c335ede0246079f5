//! Wakes WatchImport streams when an import has new events. The events
//! themselves are read from the store, so a slow watcher never loses one;
//! the channel only carries the latest sequence. On PostgreSQL every
//! publish also rings the other replicas (NOTIFY), and what they ring
//! wakes the watchers here: a watcher on any replica hears of an event
//! written by any replica within a round trip to the database.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::Duration,
};

use tokio::sync::{mpsc, watch, Notify};
use tokio_util::sync::CancellationToken;
use tracing::{info, warn};

use crate::domain::ids::ImportId;
use crate::store::{Ring, Ringer, Store};

#[derive(Clone, Default)]
pub struct Notifier {
    channels: Arc<Mutex<HashMap<ImportId, watch::Sender<u64>>>>,
    /// Rings for the other replicas, sent by the ringer task.
    outbox: Option<mpsc::UnboundedSender<Ring>>,
}

/// Rings sent in one statement at most.
const RINGS_PER_STATEMENT: usize = 256;

impl Notifier {
    /// A notifier that also rings and hears the other replicas sharing
    /// `store` (PostgreSQL); on SQLite the same as `default()`. `released`
    /// is told when a replica hands its leases back.
    /// The ringer's handle comes back so that a stopping server can let
    /// its last rings go out.
    pub async fn connected(
        store: &Store,
        released: Arc<Notify>,
        stopping: CancellationToken,
    ) -> (Self, Option<tokio::task::JoinHandle<()>>) {
        if !store.is_shared() {
            return (Self::default(), None);
        }
        let (outbox, rings) = mpsc::unbounded_channel();
        let notifier = Self {
            channels: Arc::default(),
            outbox: Some(outbox),
        };
        let Some(ringer) = store.ringer() else {
            return (Self::default(), None);
        };
        let ringer = tokio::spawn(ring_others(ringer, rings, stopping.clone()));
        tokio::spawn(hear_others(
            store.clone(),
            notifier.clone(),
            released,
            stopping,
        ));
        (notifier, Some(ringer))
    }

    pub fn subscribe(&self, import_id: &ImportId) -> watch::Receiver<u64> {
        let mut channels = self.channels.lock().unwrap_or_else(|p| p.into_inner());
        channels
            .entry(import_id.clone())
            .or_insert_with(|| watch::channel(0).0)
            .subscribe()
    }

    /// Tells watchers of `import_id`, here and on the other replicas, that
    /// events up to `sequence` exist.
    pub fn publish(&self, import_id: &ImportId, sequence: u64) {
        self.wake(import_id, sequence);
        if let Some(outbox) = &self.outbox {
            let _ = outbox.send(Ring::Events(import_id.clone(), sequence));
        }
    }

    /// Tells the other replicas that this one handed its leases back.
    pub fn leases_released(&self) {
        if let Some(outbox) = &self.outbox {
            let _ = outbox.send(Ring::LeasesReleased);
        }
    }

    /// Wakes the watchers here only.
    fn wake(&self, import_id: &ImportId, sequence: u64) {
        let mut channels = self.channels.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(sender) = channels.get(import_id) {
            sender.send_if_modified(|latest| {
                *latest = (*latest).max(sequence);
                true
            });
        }
        channels.retain(|_, sender| sender.receiver_count() > 0);
    }

    /// Wakes every watcher here: rings may have been missed.
    fn wake_all(&self) {
        let channels = self.channels.lock().unwrap_or_else(|p| p.into_inner());
        for sender in channels.values() {
            sender.send_modify(|_| {});
        }
    }
}

/// Sends what the outbox holds, as few statements as it takes; a failed
/// ring is dropped (watchers poll as well).
async fn ring_others(
    mut ringer: Ringer,
    mut rings: mpsc::UnboundedReceiver<Ring>,
    stopping: CancellationToken,
) {
    let mut batch = Vec::with_capacity(RINGS_PER_STATEMENT);
    loop {
        let received = tokio::select! {
            // Rings queued before the stop still go: a drained replica's
            // last word is that its leases are free.
            n = rings.recv_many(&mut batch, RINGS_PER_STATEMENT) => n,
            _ = stopping.cancelled(), if rings.is_empty() => 0,
        };
        if received == 0 {
            return;
        }
        // The same import rung twice in a batch: its latest sequence does.
        let mut latest: HashMap<ImportId, u64> = HashMap::new();
        let mut released = false;
        for ring in batch.drain(..) {
            match ring {
                Ring::Events(id, sequence) => {
                    let entry = latest.entry(id).or_default();
                    *entry = (*entry).max(sequence);
                }
                Ring::LeasesReleased => released = true,
            }
        }
        let mut coalesced: Vec<Ring> = latest
            .into_iter()
            .map(|(id, sequence)| Ring::Events(id, sequence))
            .collect();
        if released {
            coalesced.push(Ring::LeasesReleased);
        }
        if let Err(err) = ringer.ring(&coalesced).await {
            warn!(error = %err, rings = coalesced.len(), "ringing the other replicas failed");
        }
    }
}

/// Wakes watchers here for what the other replicas ring, reconnecting
/// after a lost connection (and waking everyone then: rings may have been
/// missed meanwhile).
async fn hear_others(
    store: Store,
    notifier: Notifier,
    released: Arc<Notify>,
    stopping: CancellationToken,
) {
    let mut retry = Duration::from_millis(100);
    loop {
        let mut doorbell = tokio::select! {
            _ = stopping.cancelled() => return,
            connected = store.doorbell() => match connected {
                Ok(Some(doorbell)) => doorbell,
                Ok(None) => return,
                Err(err) => {
                    warn!(error = %err, retry_in_ms = retry.as_millis() as u64,
                        "cannot listen to the other replicas; watchers poll meanwhile");
                    tokio::select! {
                        _ = stopping.cancelled() => return,
                        _ = tokio::time::sleep(retry) => {}
                    }
                    retry = (retry * 2).min(Duration::from_secs(5));
                    continue;
                }
            },
        };
        retry = Duration::from_millis(100);
        notifier.wake_all();
        loop {
            let next = tokio::select! {
                _ = stopping.cancelled() => return,
                next = doorbell.next() => next,
            };
            match next {
                Ok(Some(Ring::Events(id, sequence))) => notifier.wake(&id, sequence),
                Ok(Some(Ring::LeasesReleased)) => released.notify_one(),
                Ok(None) => {
                    info!("lost the connection the replicas ring on; reconnecting");
                    notifier.wake_all();
                }
                Err(err) => {
                    warn!(error = %err, "listening to the other replicas failed; reconnecting");
                    break;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn watchers_wake_and_unwatched_imports_are_forgotten() {
        let notifier = Notifier::default();
        let id = ImportId::generate();
        let mut rx = notifier.subscribe(&id);
        notifier.publish(&id, 7);
        rx.changed().await.expect("sender alive");
        assert_eq!(*rx.borrow(), 7);
        drop(rx);
        notifier.publish(&id, 8);
        assert!(notifier.channels.lock().expect("lock").is_empty());
    }

    #[tokio::test]
    async fn a_late_ring_does_not_take_the_sequence_back() {
        let notifier = Notifier::default();
        let id = ImportId::generate();
        let mut rx = notifier.subscribe(&id);
        notifier.publish(&id, 9);
        notifier.wake(&id, 4);
        rx.changed().await.expect("sender alive");
        assert_eq!(*rx.borrow(), 9);
    }
}
