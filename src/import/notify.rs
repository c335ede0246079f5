//! Wakes WatchImport streams when an import has new events. The events
//! themselves are read from the store, so a slow watcher never loses one;
//! the channel only carries the latest sequence.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

use tokio::sync::watch;

use crate::domain::ids::ImportId;

#[derive(Clone, Default)]
pub struct Notifier {
    channels: Arc<Mutex<HashMap<ImportId, watch::Sender<u64>>>>,
}

impl Notifier {
    pub fn subscribe(&self, import_id: &ImportId) -> watch::Receiver<u64> {
        let mut channels = self.channels.lock().unwrap_or_else(|p| p.into_inner());
        channels
            .entry(import_id.clone())
            .or_insert_with(|| watch::channel(0).0)
            .subscribe()
    }

    /// Tells watchers of `import_id` that events up to `sequence` exist.
    pub fn publish(&self, import_id: &ImportId, sequence: u64) {
        let mut channels = self.channels.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(sender) = channels.get(import_id) {
            sender.send_replace(sequence);
        }
        channels.retain(|_, sender| sender.receiver_count() > 0);
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
}
