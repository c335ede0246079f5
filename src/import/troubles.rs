//! What holds imports up, as the background stages last saw it: the store
//! being unreachable (which health reports), or one import's own trouble.
//! The watchdog reads it to say why an import makes no progress.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::Duration,
};

use tokio::sync::watch;

use crate::domain::ids::ImportId;

/// What watchers read while the store cannot be reached.
const STORE_AWAY: &str = "the store is unavailable; the server retries with backoff";

#[derive(Clone)]
pub struct Troubles {
    store_down: Arc<watch::Sender<Option<String>>>,
    imports: Arc<Mutex<HashMap<ImportId, String>>>,
}

impl Default for Troubles {
    fn default() -> Self {
        Self {
            store_down: Arc::new(watch::Sender::new(None)),
            imports: Arc::default(),
        }
    }
}

impl Troubles {
    /// A stage could not reach the store. The detail is for the log (the
    /// stage logs it); watchers are told only that the store is away.
    pub fn store_unavailable(&self) {
        self.store_down.send_if_modified(|down| {
            let changed = down.is_none();
            *down = Some(STORE_AWAY.to_owned());
            changed
        });
    }

    /// A stage reached the store again.
    pub fn store_reachable(&self) {
        self.store_down
            .send_if_modified(|down| down.take().is_some());
    }

    /// `Some(why)` while the store is unreachable; changes as it comes and goes.
    pub fn watch_store(&self) -> watch::Receiver<Option<String>> {
        self.store_down.subscribe()
    }

    /// What one import waits for, until it moves again.
    pub fn set(&self, import_id: &ImportId, reason: String) {
        self.lock().insert(import_id.clone(), reason);
    }

    pub fn clear(&self, import_id: &ImportId) {
        self.lock().remove(import_id);
    }

    /// Why the import is held up, as far as the stages know.
    pub fn reason(&self, import_id: &ImportId) -> Option<String> {
        if let Some(down) = self.store_down.borrow().clone() {
            return Some(down);
        }
        self.lock().get(import_id).cloned()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<ImportId, String>> {
        self.imports.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Waits between tries while the store is unreachable: 0.5 s, doubling up
/// to 30 s, so a store that is down is not hammered.
#[derive(Default)]
pub struct Backoff {
    failures: std::sync::atomic::AtomicU32,
}

impl Backoff {
    pub fn failed(&self) -> Duration {
        use std::sync::atomic::Ordering;
        let n = self.failures.fetch_add(1, Ordering::Relaxed).min(6);
        Duration::from_millis(500 << n).min(Duration::from_secs(30))
    }

    pub fn succeeded(&self) {
        self.failures.store(0, std::sync::atomic::Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_to_its_cap_and_resets() {
        let backoff = Backoff::default();
        let waits: Vec<u64> = (0..9)
            .map(|_| backoff.failed().as_millis() as u64)
            .collect();
        assert_eq!(
            waits,
            [500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]
        );
        backoff.succeeded();
        assert_eq!(backoff.failed(), Duration::from_millis(500));
    }

    #[test]
    fn the_store_being_down_explains_every_import() {
        let troubles = Troubles::default();
        let id = ImportId::from_stored("i1".to_owned());
        troubles.set(&id, "FHIR server kf is not answering".to_owned());
        troubles.store_unavailable();
        assert_eq!(troubles.reason(&id).as_deref(), Some(STORE_AWAY));
        troubles.store_reachable();
        assert_eq!(
            troubles.reason(&id).as_deref(),
            Some("FHIR server kf is not answering")
        );
        troubles.clear(&id);
        assert_eq!(troubles.reason(&id), None);
    }
}
