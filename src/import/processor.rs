//! The processing stage: a background worker that takes accepted items and
//! records their files, batch by batch, imports taking turns. A batch the
//! store refuses is recorded item by item, so that only the item it
//! refuses fails; a store that cannot be reached is retried with backoff.

use std::{
    collections::HashSet,
    sync::{Arc, Mutex},
};

use tokio::{sync::mpsc, task::JoinHandle};
use tokio_util::sync::CancellationToken;
use tracing::{info, instrument, warn};

use super::notify::Notifier;
use super::scraping::ScrapingStage;
use super::troubles::{Backoff, Troubles};
use crate::domain::{
    document::{validate_document_json, DocumentPolicy},
    ids::ImportId,
    import::{Failure, Import, ItemFailure, ItemState},
};
use crate::store::{PendingItem, RecordRequest, Store, StoreError};

const BATCH: u64 = 500;

#[derive(Clone)]
pub struct Processor {
    queue: mpsc::UnboundedSender<ImportId>,
    queued: Arc<Mutex<HashSet<ImportId>>>,
}

enum Progress {
    More,
    Done,
}

impl Processor {
    /// Starts the worker. It stops between two batches once `shutdown` fires.
    pub fn start(
        store: Store,
        notifier: Notifier,
        scraper: ScrapingStage,
        troubles: Troubles,
        policy: DocumentPolicy,
        shutdown: CancellationToken,
    ) -> (Self, JoinHandle<()>) {
        let (queue, rx) = mpsc::unbounded_channel();
        let processor = Self {
            queue,
            queued: Arc::default(),
        };
        let worker = Worker {
            store,
            notifier,
            scraper,
            troubles,
            policy,
            backoff: Backoff::default(),
            processor: processor.clone(),
        };
        let handle = tokio::spawn(worker.run(rx, shutdown));
        (processor, handle)
    }

    /// Asks for the import's pending items to be processed. Asking again
    /// while it waits in the queue changes nothing.
    pub fn enqueue(&self, import_id: &ImportId) {
        let mut queued = self.queued.lock().unwrap_or_else(|p| p.into_inner());
        if queued.insert(import_id.clone()) && self.queue.send(import_id.clone()).is_err() {
            queued.remove(import_id);
        }
    }

    fn dequeued(&self, import_id: &ImportId) {
        let mut queued = self.queued.lock().unwrap_or_else(|p| p.into_inner());
        queued.remove(import_id);
    }
}

struct Worker {
    store: Store,
    notifier: Notifier,
    /// Takes over the files of imports that name a FHIR server.
    scraper: ScrapingStage,
    troubles: Troubles,
    /// Stored documents are checked again as they are recorded.
    policy: DocumentPolicy,
    backoff: Backoff,
    processor: Processor,
}

impl Worker {
    async fn run(self, mut rx: mpsc::UnboundedReceiver<ImportId>, shutdown: CancellationToken) {
        loop {
            let import_id = tokio::select! {
                _ = shutdown.cancelled() => break,
                next = rx.recv() => match next {
                    Some(id) => id,
                    None => break,
                },
            };
            self.processor.dequeued(&import_id);
            let started = std::time::Instant::now();
            let processed = self.process_batch(&import_id).await;
            metrics::histogram!(crate::metrics::STAGE_BATCH_SECONDS, "stage" => "processing")
                .record(started.elapsed().as_secs_f64());
            match processed {
                Ok(progress) => {
                    self.backoff.succeeded();
                    self.troubles.store_reachable();
                    self.troubles.clear(&import_id);
                    if let Progress::More = progress {
                        self.processor.enqueue(&import_id);
                    }
                }
                Err(err) => {
                    // Only trouble of the store as a whole gets here: a
                    // batch the store refuses is split up instead.
                    let wait = self.backoff.failed();
                    warn!(import_id = %import_id, error = %err, retry_in_ms = wait.as_millis() as u64,
                        "processing could not reach the store; retrying");
                    match &err {
                        StoreError::Unavailable(_) => self.troubles.store_unavailable(),
                        _ => self.troubles.set(
                            &import_id,
                            "recording files failed in the store; the server retries".to_owned(),
                        ),
                    }
                    tokio::select! {
                        _ = shutdown.cancelled() => break,
                        _ = tokio::time::sleep(wait) => {}
                    }
                    self.processor.enqueue(&import_id);
                }
            }
        }
        info!("processing worker stopped");
    }

    #[instrument(skip_all, fields(import_id = %import_id))]
    async fn process_batch(&self, import_id: &ImportId) -> Result<Progress, StoreError> {
        let pending = self.store.pending_items(import_id, BATCH).await?;
        if pending.is_empty() {
            let import = self.store.settle_import(import_id).await?;
            self.notifier.publish(import_id, import.last_sequence);
            return Ok(Progress::Done);
        }
        let full = pending.len() as u64 == BATCH;
        let requests: Vec<RecordRequest> = pending
            .into_iter()
            .map(|item| record_request(item, &self.policy))
            .collect();
        let recorded = match self.store.record_files(import_id, &requests).await {
            Err(err @ StoreError::Unavailable(_)) => return Err(err),
            Err(refused) => {
                warn!(error = %refused, items = requests.len(),
                    "the store refused a batch; recording its items one by one");
                return self.record_one_by_one(import_id, &requests).await;
            }
            Ok(recorded) => recorded,
        };
        match recorded {
            Some(import) => {
                self.recorded(import_id, &import);
                Ok(if full { Progress::More } else { Progress::Done })
            }
            // The items changed under the batch (cancelled): look again.
            None => self.look_again(import_id).await,
        }
    }

    /// Records each item of a refused batch alone, so that the one the
    /// store refuses fails with why and the others are recorded.
    async fn record_one_by_one(
        &self,
        import_id: &ImportId,
        requests: &[RecordRequest],
    ) -> Result<Progress, StoreError> {
        for request in requests {
            match self
                .store
                .record_files(import_id, std::slice::from_ref(request))
                .await
            {
                Ok(Some(import)) => self.recorded(import_id, &import),
                Ok(None) => return self.look_again(import_id).await,
                Err(err @ StoreError::Unavailable(_)) => return Err(err),
                Err(refused) => {
                    warn!(index = request.index, error = %refused,
                        "the store refused an item; failing it alone");
                    let failure = Failure::new(
                        ItemFailure::StoreRefused,
                        "the store refused to record this item's file (the server log \
                         has the detail); the rest of its batch was recorded",
                    );
                    let failed = self
                        .store
                        .fail_items(
                            import_id,
                            ItemState::Pending,
                            ItemState::Failed,
                            &[(request.index, failure)],
                        )
                        .await?;
                    if let Some(import) = failed {
                        self.notifier.publish(import_id, import.last_sequence);
                    }
                }
            }
        }
        Ok(Progress::More)
    }

    fn recorded(&self, import_id: &ImportId, import: &Import) {
        self.notifier.publish(import_id, import.last_sequence);
        if import.fhir_server.is_some() {
            self.scraper.enqueue(import_id);
        }
    }

    /// After a batch wrote nothing: go on while the import is unfinished
    /// and still ours (another replica may have taken it over).
    async fn look_again(&self, import_id: &ImportId) -> Result<Progress, StoreError> {
        Ok(match self.store.held_import(import_id).await? {
            Some(import) if !import.state.is_terminal() => Progress::More,
            _ => Progress::Done,
        })
    }
}

/// A stored item as the record-file stage takes it: its document checked
/// again, or why it cannot be recorded.
fn record_request(item: PendingItem, policy: &DocumentPolicy) -> RecordRequest {
    let invalid = |why: String| Failure::new(ItemFailure::InvalidStoredDocument, why);
    let (document, metadata) = match item.metadata {
        Ok(metadata) => (
            match item.checked {
                // Checked at intake: not parsed again.
                Some(document) => Ok(document),
                None => validate_document_json(&item.document_json, policy).map_err(|r| {
                    invalid(format!("stored document no longer valid: {}", r.message))
                }),
            },
            metadata,
        ),
        Err(why) => (Err(invalid(why)), Default::default()),
    };
    RecordRequest::new(item.index, item.document_id, document, metadata)
}
