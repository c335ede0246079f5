//! The bridge from the FHIRPath engine's `resolve()` to a [`ResourceSource`]:
//! reads each reference once per document, remembers what it fetched (for
//! provenance) and which reads failed (for the keys that needed them).

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, MutexGuard};

use async_trait::async_trait;
use octofhir_fhir_model::{Result as ModelResult, ServerProvider};
use serde_json::Value;

use super::source::{ResourceSource, SourceError};

/// What one document's evaluation read, and what went wrong.
#[derive(Debug, Default)]
struct Ledger {
    reads: HashMap<String, Result<Option<Value>, SourceError>>,
    fetched: Vec<String>,
    versions: BTreeMap<String, String>,
    /// Failed reads since the last [`Resolver::take_failures`].
    failures: Vec<String>,
}

pub(super) struct Resolver {
    source: Arc<dyn ResourceSource>,
    ledger: Mutex<Ledger>,
}

impl std::fmt::Debug for Resolver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Resolver")
            .field("base_url", &self.source.base_url())
            .finish_non_exhaustive()
    }
}

impl Resolver {
    pub(super) fn new(source: Arc<dyn ResourceSource>) -> Self {
        Self {
            source,
            ledger: Mutex::new(Ledger::default()),
        }
    }

    // A panic elsewhere while holding the lock leaves the ledger usable:
    // it is only ever appended to.
    fn ledger(&self) -> MutexGuard<'_, Ledger> {
        self.ledger.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Notes a resource that contributed to the metadata.
    pub(super) fn record(&self, reference: &str, resource: &Value) {
        let mut ledger = self.ledger();
        if !ledger.fetched.iter().any(|r| r == reference) {
            ledger.fetched.push(reference.to_owned());
        }
        if let Some(version) = resource["meta"]["versionId"].as_str() {
            ledger
                .versions
                .insert(reference.to_owned(), version.to_owned());
        }
    }

    /// The failed reads since the last call, as messages.
    pub(super) fn take_failures(&self) -> Vec<String> {
        std::mem::take(&mut self.ledger().failures)
    }

    /// Everything read, in first-read order, and the versions seen.
    pub(super) fn provenance(&self) -> (Vec<String>, BTreeMap<String, String>) {
        let ledger = self.ledger();
        (ledger.fetched.clone(), ledger.versions.clone())
    }

    async fn read_reference(&self, reference: &str) -> Option<Value> {
        let cached = self.ledger().reads.get(reference).cloned();
        let outcome = match cached {
            Some(outcome) => outcome,
            None => {
                let outcome = self.source.resolve(reference).await;
                self.ledger()
                    .reads
                    .insert(reference.to_owned(), outcome.clone());
                if let Ok(Some(resource)) = &outcome {
                    self.record(reference, resource);
                }
                outcome
            }
        };
        match outcome {
            Ok(Some(found)) => Some(found),
            // A dangling reference is a fault in the data, worth showing on
            // the keys that followed it.
            Ok(None) => {
                self.ledger().failures.push(format!(
                    "resolve {reference}: the server has no such resource"
                ));
                None
            }
            Err(error) => {
                self.ledger()
                    .failures
                    .push(format!("resolve {reference}: {error}"));
                None
            }
        }
    }
}

/// `resolve()` falls back to `read` for any reference with a `/` that is not
/// in the document itself, split at the first `/`; joining the halves again
/// gives the reference as written, absolute URLs included.
#[async_trait]
impl ServerProvider for Resolver {
    async fn read(&self, resource_type: &str, id: &str) -> ModelResult<Option<Value>> {
        Ok(self.read_reference(&format!("{resource_type}/{id}")).await)
    }

    fn base_url(&self) -> &str {
        self.source.base_url()
    }

    // Expressions only read; the rest of the server API is not offered.
    async fn create(&self, _: &Value) -> ModelResult<Option<Value>> {
        Ok(None)
    }
    async fn update(&self, _: &Value) -> ModelResult<Option<Value>> {
        Ok(None)
    }
    async fn delete(&self, _: &Value) -> ModelResult<bool> {
        Ok(false)
    }
    async fn search(&self, _: bool, _: &Value) -> ModelResult<Option<Value>> {
        Ok(None)
    }
    async fn patch(&self, _: &Value) -> ModelResult<Option<Value>> {
        Ok(None)
    }
    async fn capabilities(&self, _: Option<&str>) -> ModelResult<Option<Value>> {
        Ok(None)
    }
    async fn validate(&self, _: &Value, _: &str, _: &Value) -> ModelResult<Option<Value>> {
        Ok(None)
    }
    async fn transform(&self, _: &Value, _: &Value) -> ModelResult<Option<Value>> {
        Ok(None)
    }
    async fn everything(&self, _: &str, _: &str, _: &Value) -> ModelResult<Option<Value>> {
        Ok(None)
    }
    async fn apply(&self, _: &Value, _: &str, _: &Value) -> ModelResult<Option<Value>> {
        Ok(None)
    }
}
